//! How much a name says, and how far a candidate's score may rest on
//! anything but its letters. This module owns the evidence floor of
//! automatic linking: a name that carries too little information (fewer
//! than four letters, digits or a dose alone, a lone form or unit word, a
//! class word such as "STATINE", one common French word) is never linked
//! automatically, however high a candidate scores; and the bounds that keep
//! a candidate's score close to its string evidence (see
//! [`MAX_FEATURE_LIFT`], [`STRING_FLOOR`]).

use crate::matching::features::is_form_word;
use crate::normalize::{is_class_only, is_common_word, is_form_term, is_unit_word};

/// Letters a name needs, outside its doses, units and forms, to be linked
/// automatically: "X", "A", "AAS" or any random three letters are the start
/// of too many names.
pub const MIN_LETTERS: usize = 4;

/// How far the drug-aware features (dose, unit, form, salt, brand) may lift
/// a candidate above its string score (the OSA blend of the whole name, its
/// word prefixes and the first word). Features break ties between names
/// that read alike; they never make a name read alike.
pub const MAX_FEATURE_LIFT: f64 = 0.04;

/// How far differing features may lower a candidate below its string score.
pub const MAX_FEATURE_DROP: f64 = 0.10;

/// String score a candidate found by similarity needs, whatever its
/// features, to be linked automatically.
pub const STRING_FLOOR: f64 = 0.80;

pub use crate::model::reason::Floor;

/// A word's part in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Number,
    Unit,
    Form,
    Link,
    Content,
}

fn role(word: &str) -> Role {
    if word.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        Role::Number
    } else if is_unit_word(word) || matches!(word, "%" | "U" | "UNITES" | "UNITE" | "H") {
        Role::Unit
    } else if is_form_word(word) || is_form_term(word) {
        Role::Form
    } else if matches!(
        word,
        "DE" | "D" | "DU" | "DES" | "LA" | "LE" | "L" | "LES" | "ET" | "AU" | "AUX" | "POUR" | "EN"
    ) {
        Role::Link
    } else {
        Role::Content
    }
}

/// The words of a normalised name, split at spaces, slashes and
/// parentheses.
fn words(norm: &str) -> impl Iterator<Item = &str> {
    norm.split([' ', '/', '(', ')']).filter(|w| !w.is_empty())
}

/// The evidence floor a normalised name falls under, if any: `None` when it
/// says enough to be linked automatically.
///
/// ```
/// use datamed::matching::evidence::{Floor, name_floor};
/// assert_eq!(name_floor("X"), Some(Floor::TooFewLetters));
/// assert_eq!(name_floor("1000 MG"), Some(Floor::DoseOnly));
/// assert_eq!(name_floor("SIROP"), Some(Floor::FormOnly));
/// assert_eq!(name_floor("STATINE"), Some(Floor::ClassWord));
/// assert_eq!(name_floor("MAISON"), Some(Floor::CommonWord));
/// assert_eq!(name_floor("DOLIPRANE 1000 MG COMPRIME"), None);
/// ```
pub fn name_floor(norm: &str) -> Option<Floor> {
    let mut content: Vec<&str> = Vec::new();
    let (mut numbers, mut forms) = (0, 0);
    for w in words(norm) {
        match role(w) {
            Role::Number => numbers += 1,
            Role::Form => forms += 1,
            Role::Content => content.push(w),
            Role::Unit | Role::Link => {}
        }
    }
    if content.is_empty() {
        return Some(if forms > 0 || numbers == 0 {
            Floor::FormOnly
        } else {
            Floor::DoseOnly
        });
    }
    let letters: usize = content
        .iter()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    if letters < MIN_LETTERS {
        return Some(Floor::TooFewLetters);
    }
    if is_class_only(&content) {
        return Some(Floor::ClassWord);
    }
    if let [word] = content.as_slice()
        && is_common_word(word)
    {
        return Some(Floor::CommonWord);
    }
    None
}

/// Similarity from which a typed word counts as a candidate's word mistyped
/// (the brands' threshold).
const WORD_SIMILAR: f64 = crate::matching::features::BRAND_SIMILAR;

/// The first word of the name (outside doses, units, forms and links) that
/// has no counterpart among the candidate's words: the same word, a prefix
/// of one (four letters or more: "BIOG" for BIOGARAN), or within a typo of
/// one (five letters or more). Order does not matter, so a salt written
/// before or after its base finds its counterpart.
///
/// ```
/// use datamed::matching::evidence::missing_word;
/// assert_eq!(missing_word("VITAMINE C 10 % AGUETTANT", "VITAMINE PP AGUETTANT"), Some("C".to_string()));
/// assert_eq!(missing_word("DOLIPRANNE 1000 MG", "DOLIPRANE 1000 MG COMPRIME"), None);
/// assert_eq!(missing_word("TRAMADOL CHLORHYDRATE", "TRAMADOL (CHLORHYDRATE DE)"), None);
/// ```
pub fn missing_word(query_norm: &str, candidate_norm: &str) -> Option<String> {
    let theirs: Vec<&str> = words(candidate_norm).collect();
    words(query_norm)
        .filter(|w| role(w) == Role::Content)
        .find(|w| {
            !theirs.iter().any(|t| {
                t == w
                    || (w.len() >= 4 && t.starts_with(*w))
                    || (w.len() >= 5
                        && t.len() >= 5
                        && crate::matching::osa::osa_similarity(w, t) >= WORD_SIMILAR)
            })
        })
        .map(str::to_string)
}

/// Whether a typed word stands for a written one: the same word, its
/// start (four letters or more, "BIOG" for BIOGARAN), or the same word
/// with one typing slip (five letters or more: one slip, not two, so that
/// PAROXETINE never stands for DAPOXETINE).
fn stands_for(typed: &str, written: &str) -> bool {
    typed == written
        || (typed.len() >= 4 && written.starts_with(typed))
        || (typed.len() >= 5
            && written.len() >= 5
            // One slip changes the length by one at most: most pairs end
            // here, before any distance is computed.
            && typed.len().abs_diff(written.len()) <= 1
            && crate::matching::osa::osa_distance_bounded(typed, written, 1).is_some())
}

/// How a candidate's name covers a name, word for word (numbers included,
/// doses' units, forms and link words aside), in any order: `covers` when
/// every word of the name stands for a word of the candidate's (see
/// [`stands_for`]), `complete` when the reverse holds too. A rival that
/// does not cover the name while candidate 1 is complete names something
/// else than the name says ("LEGER" for "LOURD", "19A" for "19F",
/// "PANPHARMA" for "BIOGARAN").
///
/// ```
/// use datamed::matching::evidence::coverage;
/// let c = |a, b| coverage(a, b);
/// assert_eq!(c("MAGBESIUM (CARBONATE DE) LOURD", "MAGNESIUM (CARBONATE DE) LOURD"), (true, true));
/// assert_eq!(c("MAGBESIUM (CARBONATE DE) LOURD", "MAGNESIUM (CARBONATE DE) LEGER"), (false, false));
/// assert_eq!(c("PAROXETINE (CHLORHYDRATE DE)", "DAPOXETINE (CHLORHYDRATE DE)"), (false, false));
/// assert_eq!(c("FACTEUR VIII DE COAGULATION", "FACTEUR VII DE COAGULATION"), (false, false));
/// assert_eq!(c("CLAMOXYL 1 G", "CLAMOXYL 1 G POUDRE (I.V.)"), (true, false));
/// ```
pub fn coverage(query_norm: &str, candidate_norm: &str) -> (bool, bool) {
    let counted = |norm| {
        words(norm)
            .filter(|w| matches!(role(w), Role::Content | Role::Number))
            .collect::<Vec<&str>>()
    };
    let ours = counted(query_norm);
    // A word of the name never stands for a unit or form word, so the
    // candidate's words need their roles only for the reverse check, done
    // for the few candidates that cover the name.
    let covers = !ours.is_empty()
        && ours
            .iter()
            .all(|q| words(candidate_norm).any(|t| stands_for(q, t)));
    let complete = covers
        && counted(candidate_norm)
            .iter()
            .all(|t| ours.iter().any(|q| stands_for(q, t)));
    (covers, complete)
}

/// A candidate's score from its string score and its features' agreement
/// score ([`crate::matching::features::Agreement::score`]): lifted by at
/// most [`MAX_FEATURE_LIFT`], lowered by at most [`MAX_FEATURE_DROP`].
pub fn bounded_score(string_score: f64, feature_weight: f64, agreement: i32) -> f64 {
    let lift = (feature_weight * f64::from(agreement)).clamp(-MAX_FEATURE_DROP, MAX_FEATURE_LIFT);
    (string_score + lift).clamp(0.0, 0.999)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_name;

    fn floor(raw: &str) -> Option<Floor> {
        name_floor(&normalize_name(raw))
    }

    #[test]
    fn names_that_say_too_little() {
        assert_eq!(floor("A"), Some(Floor::TooFewLetters));
        assert_eq!(floor("AAS"), Some(Floor::TooFewLetters));
        assert_eq!(floor("X 500 mg"), Some(Floor::TooFewLetters));
        assert_eq!(floor("10"), Some(Floor::DoseOnly));
        assert_eq!(floor("500MG"), Some(Floor::DoseOnly));
        assert_eq!(floor("COLLYRE"), Some(Floor::FormOnly));
        assert_eq!(floor("gélule 500 mg"), Some(Floor::FormOnly));
        assert_eq!(floor("MG"), Some(Floor::FormOnly));
        assert_eq!(floor("INSULINE"), Some(Floor::ClassWord));
        assert_eq!(floor("Antibio"), Some(Floor::ClassWord));
        assert_eq!(floor("petit"), Some(Floor::CommonWord));
    }

    #[test]
    fn names_that_say_enough() {
        for raw in [
            "DOLIPRANE",
            "KARDEGIC 75MG PDR SOL BUV SACH",
            "VITAMINE C",
            "AMOXICILLINE",
            "PARACETAMOL 1 G",
        ] {
            assert_eq!(floor(raw), None, "{raw}");
        }
        assert_eq!(floor("FER"), Some(Floor::TooFewLetters), "three letters");
    }

    #[test]
    fn features_move_a_score_within_bounds() {
        assert!((bounded_score(0.5, 0.01, 10) - 0.54).abs() < 1e-9);
        assert!((bounded_score(0.5, 0.01, -20) - 0.40).abs() < 1e-9);
        assert!((bounded_score(0.99, 0.01, 10) - 0.999).abs() < 1e-9);
    }
}
