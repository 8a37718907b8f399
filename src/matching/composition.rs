//! Compositions read from a name. A generic spécialité is named after its
//! substances, then its laboratory, dose and form ("IRBESARTAN/
//! HYDROCHLOROTHIAZIDE LABO-X 150 MG/12,5 MG, COMPRIME", "CAPTOPRIL
//! CRISTERS 25MG CPR SEC"): when the laboratory's spécialité is gone from
//! the referential, or never had that composition there, its substances
//! are still written in its name. This module reads them, each to the one
//! code spécialités contain under that substance name, and says when the
//! reading is safe to link at substance level.

use std::collections::BTreeSet;

use crate::matching::features::Features;
use crate::matching::referential::Referential;
use crate::normalize::substance_key;

/// Words of a substance part tried from the longest: "ACIDE ALENDRONIQUE
/// ARROW" tries three words, then two.
const MAX_SUBSTANCE_WORDS: usize = 4;

/// The composition a normalised name states, and the text naming it (the
/// substance parts, "IRBESARTAN/HYDROCHLOROTHIAZIDE"), when every part
/// before the first number, split at `/`, is a substance name leading to
/// one code spécialités contain (the last part may be followed by the
/// laboratory's words), and the name has no more doses than substances.
pub fn read_composition(r: &Referential, norm: &str) -> Option<(Vec<String>, String)> {
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    let head_len = words
        .iter()
        .position(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(words.len());
    if head_len == 0 || words[..head_len].iter().any(|w| w.contains(['(', ')'])) {
        return None;
    }
    let head = words[..head_len].join(" ");
    let parts: Vec<&str> = head.split('/').map(str::trim).collect();
    let (last, before) = parts.split_last()?;
    let mut codes: BTreeSet<String> = BTreeSet::new();
    let mut named: Vec<String> = Vec::new();
    for part in before {
        codes.insert(resolve(r, part)?);
        named.push((*part).to_string());
    }
    let last_words: Vec<&str> = last.split(' ').filter(|w| !w.is_empty()).collect();
    let (code, taken) = (1..=last_words.len().min(MAX_SUBSTANCE_WORDS))
        .rev()
        .find_map(|n| {
            let text = last_words[..n].join(" ");
            resolve(r, &text).map(|code| (code, text))
        })?;
    codes.insert(code);
    named.push(taken);
    if codes.len() != parts.len() {
        return None;
    }
    let doses = Features::from_normalized(norm)
        .doses
        .iter()
        .filter(|d| d.unit.is_some())
        .count();
    if doses > parts.len() {
        return None;
    }
    Some((codes.into_iter().collect(), named.join("/")))
}

/// The one code spécialités contain under a substance name: among the
/// names of its canonical key (salt and base), else among every salt of
/// its base ("TRAMADOL" for its chlorhydrate).
fn resolve(r: &Referential, text: &str) -> Option<String> {
    let key = substance_key(text)?;
    let active = |entries: Option<&Vec<u32>>| -> BTreeSet<&str> {
        entries
            .map(|list| {
                list.iter()
                    .map(|&e| r.target_of(e).code.as_str())
                    .filter(|c| r.active_codes.contains(*c))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut codes = active(r.by_salted_key.get(&key.salted()));
    if codes.is_empty() && key.salts.is_empty() {
        codes = active(r.by_base_key.get(&key.base));
    }
    match codes.len() {
        1 => codes.first().map(|c| (*c).to_string()),
        _ => None,
    }
}

/// Whether a candidate's name disagrees with a composition read from the
/// name: it starts with the same substance parts (a spécialité of those
/// substances, whatever its laboratory) and leads to other substances
/// ("VALPROATE DE SODIUM SANDOZ L.P." also holds valproic acid).
pub fn contradicts(candidate_norm: &str, named: &str, codes: &[String], set: &[String]) -> bool {
    let starts = candidate_norm == named
        || candidate_norm
            .strip_prefix(named)
            .is_some_and(|rest| rest.starts_with(' '));
    starts && set != codes
}

#[cfg(test)]
mod tests {
    use crate::matching::cascade::rule;
    use crate::matching::floor_tests::lookup;
    use crate::model::Level;
    use crate::model::linking::MatchStatus;

    #[test]
    fn a_combination_written_in_the_name_is_linked_to_its_substances() {
        let m = lookup(
            "IRBESARTAN/HYDROCHLOROTHIAZIDE LABO-X 150 MG/12,5 MG, COMPRIME",
            Level::Specialite,
        );
        assert_eq!(m.status, MatchStatus::Auto, "{m:?}");
        assert_eq!(m.method, rule::COMPOSITION);
        assert_eq!(m.substance_codes, vec!["02064", "31416"]);
    }

    #[test]
    fn a_composition_no_current_specialite_has_is_still_read() {
        // The sample has irbesartan and amlodipine, never together.
        let m = lookup(
            "IRBESARTAN/AMLODIPINE LABO-X 150 MG/5 MG",
            Level::Specialite,
        );
        assert!(
            m.candidates
                .iter()
                .all(|c| c.substance_codes != ["31416", "93748"]),
            "no candidate has that composition"
        );
        assert_eq!(m.status, MatchStatus::Auto, "{m:?}");
        assert_eq!(m.method, rule::COMPOSITION);
        assert_eq!(m.substance_codes, vec!["31416", "93748"]);
    }

    #[test]
    fn a_withdrawn_generic_is_read_from_its_substance() {
        let m = lookup("CAPTOPRIL CRISTERS 25MG CPR SEC", Level::Specialite);
        assert_eq!(m.status, MatchStatus::Auto, "{m:?}");
        assert_eq!(m.substance_codes, vec!["21053"]);
    }

    #[test]
    fn a_name_says_less_than_its_specialite_holds_and_waits() {
        // VALPROATE DE SODIUM SANDOZ L.P. also holds valproic acid.
        let m = lookup("VALPROATE DE SODIUM SANDOZ LP 500 MG", Level::Specialite);
        assert_ne!(m.method, rule::COMPOSITION, "{m:?}");
        // More doses than substances named: a brand's combination.
        let m = lookup("CAPTOPRIL LABO-X 50 MG/25 MG", Level::Specialite);
        assert_ne!(m.method, rule::COMPOSITION, "{m:?}");
        // A brand is no substance.
        let m = lookup("DOLIPRANE 1000 MG", Level::Specialite);
        assert_ne!(m.method, rule::COMPOSITION, "{m:?}");
    }
}
