//! The agency's cascade (ORDEI, `spec/ordei.md`), rule by rule and level by
//! level, as proposals of referential names. Each proposal carries the rule's
//! name, recorded on the candidate; "exact" rules (the name is the
//! referential's, current or former) make a name sure when they all lead to
//! one substance set. Text analysis, unique first word and products derived
//! from the first words only propose: the decision weighs them like any
//! candidate.

use std::collections::BTreeSet;

use crate::matching::referential::{Referential, Via};
use crate::model::Level;
use crate::model::linking::TargetLevel;
use crate::normalize::{
    first_number, first_word, parenthesis_variants, substance_key, upper_word_set,
    upper_words_overlap,
};

/// A referential name proposed by a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposal {
    /// Entry index in the referential.
    pub entry: u32,
    /// The rule's name.
    pub method: &'static str,
    /// Whether the rule is an exact one (the name is the referential's).
    pub exact: bool,
}

/// First words that designate no substance on their own (ORDEI excludes
/// them from the "unique first word" rule at substance level).
pub const NON_DISTINCTIVE_FIRST_WORDS: &[&str] = &["VACCIN", "JUS", "CHLORATE", "ELIXIR", "GRAINE"];

pub use crate::model::reason::rule;

/// The cascade's proposals for a normalised name typed at `level` (`raw` is
/// the name as typed, for the agency's upper-case word sets).
pub fn propose(
    r: &Referential,
    raw: &str,
    norm: &str,
    level: Level,
    years: Option<(i64, i64)>,
) -> Vec<Proposal> {
    let mut out = Vec::new();
    let own = match level {
        Level::Specialite => specialite_rules(r, raw, norm, years, &mut out),
        Level::Produit => produit_rules(r, norm, &mut out),
        Level::Substance => substance_rules(r, norm, &mut out),
        Level::Inconnu => false,
    };
    if !own {
        // Reporters often pick the wrong level: an exact name of any level
        // is as sure as one of the typed level.
        let before = out.len();
        exact(
            r,
            norm,
            None,
            &[Via::Name, Via::FormerName, Via::Variant],
            rule::EXACT_OTHER_LEVEL,
            &mut out,
        );
        if out.len() == before
            && level != Level::Substance
            && !substance_rewrites(r, norm, &mut out)
        {
            substance_key_rules(r, norm, &mut out);
        }
    }
    out
}

/// Pushes exact matches of `norm` among entries of `level` (any level when
/// `None`) reached `via`; true when some were found.
fn exact(
    r: &Referential,
    norm: &str,
    level: Option<TargetLevel>,
    via: &[Via],
    method: &'static str,
    out: &mut Vec<Proposal>,
) -> bool {
    let mut found = false;
    for &e in r.by_norm.get(norm).map_or(&[][..], Vec::as_slice) {
        let entry = &r.entries[e as usize];
        if via.contains(&entry.via) && level.is_none_or(|l| r.target_of(e).level == l) {
            out.push(Proposal {
                entry: e,
                method,
                exact: true,
            });
            found = true;
        }
    }
    found
}

fn specialite_rules(
    r: &Referential,
    raw: &str,
    norm: &str,
    years: Option<(i64, i64)>,
    out: &mut Vec<Proposal>,
) -> bool {
    let spec = Some(TargetLevel::Specialite);
    if exact(r, norm, spec, &[Via::Name], rule::EXACT, out) {
        return true;
    }
    let before = out.len();
    if exact(r, norm, spec, &[Via::FormerName], rule::FORMER, out) {
        by_notification_year(r, years, &mut out[before..]);
        return true;
    }
    let Some(word) = first_word(norm) else {
        return false;
    };
    let same_word: Vec<u32> = r
        .by_first_word
        .get(word)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .copied()
        .filter(|&e| {
            r.entries[e as usize].via == Via::Name
                && r.target_of(e).level == TargetLevel::Specialite
        })
        .collect();
    // Text analysis: first word and first number shared, upper-case words
    // overlapping fully.
    let number = first_number(norm);
    let words = upper_word_set(raw);
    let mut analysed = false;
    if number.is_some() {
        for &e in &same_word {
            let entry = &r.entries[e as usize];
            if first_number(&entry.norm) == number
                && upper_words_overlap(&words, &upper_word_set(&entry.raw)) >= 1.0
            {
                out.push(Proposal {
                    entry: e,
                    method: rule::TEXT_ANALYSIS,
                    exact: false,
                });
                analysed = true;
            }
        }
    }
    if analysed {
        return false;
    }
    let targets: BTreeSet<u32> = same_word
        .iter()
        .map(|&e| r.entries[e as usize].target)
        .collect();
    if targets.len() == 1
        && let Some(&e) = same_word.first()
    {
        out.push(Proposal {
            entry: e,
            method: rule::UNIQUE_FIRST_WORD,
            exact: false,
        });
        return false;
    }
    product_from_first_words(r, norm, out);
    false
}

/// An old name that points to several current spécialités: the
/// notification year decides (ORDEI). A former name recorded (renamed) in
/// year Y was still in use before Y, so a name notified from `first` on
/// designates the spécialités renamed at or after `first`; when that leaves
/// one spécialité, it is taken and the others are kept only as candidates.
fn by_notification_year(r: &Referential, years: Option<(i64, i64)>, former: &mut [Proposal]) {
    let targets: BTreeSet<u32> = former
        .iter()
        .map(|p| r.entries[p.entry as usize].target)
        .collect();
    let Some((first, _)) = years else {
        return;
    };
    if targets.len() < 2 {
        return;
    }
    let renamed_year = |p: &Proposal| {
        r.entries[p.entry as usize]
            .created
            .as_deref()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse::<i64>().ok())
    };
    let in_use: BTreeSet<u32> = former
        .iter()
        .filter(|p| renamed_year(p).is_none_or(|y| y >= first))
        .map(|p| r.entries[p.entry as usize].target)
        .collect();
    if in_use.len() == 1 {
        for p in former.iter_mut() {
            if in_use.contains(&r.entries[p.entry as usize].target) {
                p.method = rule::FORMER_BY_YEAR;
            } else {
                p.exact = false;
            }
        }
    }
}

/// The first 4, 3, 2 or 1 words taken as a product name.
fn product_from_first_words(r: &Referential, norm: &str, out: &mut Vec<Proposal>) {
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    for n in (1..=words.len().min(4)).rev() {
        let head = words[..n].join(" ");
        let before = out.len();
        exact(
            r,
            &head,
            Some(TargetLevel::Produit),
            &[Via::Name],
            rule::PRODUCT_FROM_WORDS,
            out,
        );
        if out.len() > before {
            for p in &mut out[before..] {
                p.exact = false;
            }
            return;
        }
    }
}

fn produit_rules(r: &Referential, norm: &str, out: &mut Vec<Proposal>) -> bool {
    let prod = Some(TargetLevel::Produit);
    if exact(r, norm, prod, &[Via::Name], rule::EXACT, out) {
        return true;
    }
    // A former product name counts only when it points to one product.
    let before = out.len();
    exact(r, norm, prod, &[Via::FormerName], rule::FORMER, out);
    let targets: BTreeSet<u32> = out[before..]
        .iter()
        .map(|p| r.entries[p.entry as usize].target)
        .collect();
    if targets.len() == 1 {
        return true;
    }
    for p in &mut out[before..] {
        p.exact = false;
    }
    // The alphanumeric tokens joined, then the first word, as a product.
    let tokens: Vec<&str> = norm
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let joined = tokens.join(" ");
    if joined != norm && exact(r, &joined, prod, &[Via::Name], rule::EXACT, out) {
        return true;
    }
    if let Some(word) = first_word(norm)
        && word != norm
    {
        let before = out.len();
        exact(r, word, prod, &[Via::Name], rule::PRODUCT_FROM_WORDS, out);
        for p in &mut out[before..] {
            p.exact = false;
        }
    }
    false
}

/// The words of a name, parentheses and the particles of salt phrases
/// aside, sorted: two names with the same words are the same name reordered.
fn word_multiset(norm: &str) -> Vec<String> {
    let mut words: Vec<String> = norm
        .split([' ', '(', ')'])
        .filter(|w| !w.is_empty() && !matches!(*w, "DE" | "D" | "DU"))
        .map(str::to_string)
        .collect();
    words.sort();
    words
}

/// "X (Y)" → "Y X", salt phrases moved or dropped. A pure reordering is an
/// exact name; a rewrite that drops words (the salt) only proposes, since
/// the BDPM codes a salt and its base differently.
fn substance_rewrites(r: &Referential, norm: &str, out: &mut Vec<Proposal>) -> bool {
    let subst = Some(TargetLevel::Substance);
    let words = word_multiset(norm);
    for variant in parenthesis_variants(norm).iter().skip(1) {
        let before = out.len();
        if exact(
            r,
            variant,
            subst,
            &[Via::Name, Via::Variant],
            rule::REWRITTEN,
            out,
        ) {
            if word_multiset(variant) == words {
                return true;
            }
            for p in &mut out[before..] {
                p.exact = false;
            }
            return false;
        }
    }
    false
}

fn substance_rules(r: &Referential, norm: &str, out: &mut Vec<Proposal>) -> bool {
    let subst = Some(TargetLevel::Substance);
    if exact(r, norm, subst, &[Via::Name, Via::Variant], rule::EXACT, out) {
        return true;
    }
    if substance_rewrites(r, norm, out) || substance_key_rules(r, norm, out) {
        return true;
    }
    let Some(word) = first_word(norm) else {
        return false;
    };
    if NON_DISTINCTIVE_FIRST_WORDS.contains(&word) {
        return false;
    }
    let same_word: Vec<u32> = r
        .by_first_word
        .get(word)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .copied()
        .filter(|&e| r.target_of(e).level == TargetLevel::Substance)
        .collect();
    let targets: BTreeSet<u32> = same_word
        .iter()
        .map(|&e| r.entries[e as usize].target)
        .collect();
    if targets.len() == 1
        && let Some(&e) = same_word.first()
    {
        let method = if word == norm {
            rule::FIRST_WORD_OF_VARIANT
        } else {
            rule::UNIQUE_FIRST_WORD
        };
        out.push(Proposal {
            entry: e,
            method,
            exact: false,
        });
    }
    false
}

/// A substance name written as another form of referential names: the
/// same canonical key ([`crate::normalize::substance_key`]: the salt
/// before or after the base, with or without DE/D', in parentheses, AC.
/// and CHLORH., the INN's spelling). It is sure when the entries of that
/// base and salt lead to one code, or, for a name that states its hydrate
/// words, those with the same hydrate words do; and when that code is one
/// spécialités contain, or no code of that base is ("ARTICAINE" may be the
/// base's own code or its chlorhydrate, which spécialités contain). Another
/// salt of the same base is never proposed here: the BDPM codes each salt
/// apart.
fn substance_key_rules(r: &Referential, norm: &str, out: &mut Vec<Proposal>) -> bool {
    let Some(key) = substance_key(norm) else {
        return false;
    };
    let Some(same_salt) = r.by_salted_key.get(&key.salted()) else {
        return false;
    };
    let codes = |entries: &mut dyn Iterator<Item = u32>| -> BTreeSet<&str> {
        entries.map(|e| r.target_of(e).code.as_str()).collect()
    };
    let salt_codes = codes(&mut same_salt.iter().copied());
    let hydrate_codes = codes(&mut same_salt.iter().copied().filter(|&e| {
        r.keys[e as usize]
            .as_ref()
            .is_some_and(|k| k.hydrates == key.hydrates)
    }));
    let one = if salt_codes.len() == 1 {
        salt_codes.first()
    } else if !key.hydrates.is_empty() && hydrate_codes.len() == 1 {
        hydrate_codes.first()
    } else {
        None
    };
    let sure = one.is_some_and(|code| {
        r.active_codes.contains(*code)
            || !r.by_base_key.get(&key.base).is_some_and(|entries| {
                entries
                    .iter()
                    .any(|&e| r.active_codes.contains(&r.target_of(e).code))
            })
    });
    out.extend(same_salt.iter().filter_map(|&e| {
        let code = r.target_of(e).code.as_str();
        (!sure || one == Some(&code)).then_some(Proposal {
            entry: e,
            method: rule::REWRITTEN,
            exact: sure,
        })
    }));
    sure
}
