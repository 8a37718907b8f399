//! Name normalisation shared by matching and review. This module owns the one
//! canonical spelling of a drug name: upper case, every Latin accent folded,
//! punctuation reduced to single spaces (parentheses, `/` and `%` kept),
//! decimal commas turned into points, dose units and the pharmaceutical-form
//! abbreviations of reporters and Open Medic expanded to one word each. It
//! also owns the small text helpers of the agency's cascade (first word, first
//! number, upper-case words), the salt rewritings of substance names, and the
//! list of unspecific names that must never be linked automatically.
//!
//! Everything here is pure, deterministic and idempotent:
//! `normalize_name(&normalize_name(x)) == normalize_name(x)` for every input.

use std::collections::BTreeSet;

mod fold;
mod salts;
mod substance_key;
mod unspecific;
mod vocabulary;

pub use fold::{fold_name, fold_upper, fold_upper_into};
pub use salts::{SALT_WORDS, is_salt_word, parenthesis_variants, salt_free, salt_of};
pub use substance_key::{SubstanceKey, spelling_key, substance_key, written_salts};
pub use unspecific::{UNSPECIFIC_NAMES, is_class_only, is_common_word, is_unspecific};
use vocabulary::{
    CANONICAL_UNITS, FORM_WORDS, GLUED_UNITS, SOL_FOLLOWERS, UNIT_WORDS, UNIT_WORDS_AFTER_NUMBER,
    is_number, lookup,
};
pub use vocabulary::{is_form_term, is_unit_word};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    /// An opening parenthesis; `glued` when written right after a letter or
    /// digit, as in the BDPM's `effervescent(e)`.
    Open {
        glued: bool,
    },
    Close,
    Slash,
    Percent,
}

/// Splits folded text into words (alphanumeric runs, with a decimal point
/// or comma between two digits kept as `.`) and the punctuation that carries
/// meaning; everything else separates words.
fn tokenize(folded: &str) -> Vec<Tok> {
    let chars: Vec<char> = folded.chars().collect();
    let mut toks = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, toks: &mut Vec<Tok>| {
        if !word.is_empty() {
            toks.push(Tok::Word(std::mem::take(word)));
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        let prev_digit = i > 0 && chars[i - 1].is_ascii_digit() && !word.is_empty();
        let next_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if (c == '.' || c == ',') && prev_digit && next_digit {
            word.push('.');
            continue;
        }
        let glued = !word.is_empty();
        flush(&mut word, &mut toks);
        match c {
            '(' | '[' | '{' => toks.push(Tok::Open { glued }),
            ')' | ']' | '}' => toks.push(Tok::Close),
            '/' => toks.push(Tok::Slash),
            '%' => toks.push(Tok::Percent),
            _ => {}
        }
    }
    flush(&mut word, &mut toks);
    toks
}

/// Collapses doubled parentheses and slashes and drops empty `()` pairs, so
/// that no two of them are ever adjacent in the output.
fn clean_brackets(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for t in toks {
        match (&t, out.last()) {
            (Tok::Open { .. }, Some(Tok::Open { .. })) => {}
            (Tok::Close, Some(Tok::Close)) => {}
            (Tok::Slash, Some(Tok::Slash)) => {}
            (Tok::Close, Some(Tok::Open { .. })) => {
                out.pop();
            }
            _ => out.push(t),
        }
    }
    out
}

/// Drops the feminine / plural markers the BDPM glues to form words:
/// `effervescent(e)`, `gastro-résistant(e)`, `solution(s)`.
fn drop_gender_markers(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if let (Some(Tok::Open { glued: true }), Some(Tok::Word(w)), Some(Tok::Close)) =
            (toks.get(i), toks.get(i + 1), toks.get(i + 2))
            && matches!(w.as_str(), "E" | "S" | "ES" | "SE" | "X" | "NE" | "LE")
            && matches!(out.last(), Some(Tok::Word(_)))
        {
            i += 3;
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// Splits a number glued to a unit ("1000MG", "2.5ML", "4CH").
fn split_glued_units(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len() + 2);
    for t in toks {
        if let Tok::Word(w) = &t {
            let digits = w
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
                .map(|(i, _)| i);
            if let Some(cut) = digits
                && cut > 0
                && is_number(&w[..cut])
                && GLUED_UNITS.contains(&&w[cut..])
            {
                out.push(Tok::Word(w[..cut].to_string()));
                out.push(Tok::Word(w[cut..].to_string()));
                continue;
            }
        }
        out.push(t);
    }
    out
}

fn word_at(toks: &[Tok], i: usize) -> Option<&str> {
    match toks.get(i) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

/// Multi-word spellings of units: "U.I." (tokenised "U I") after a number,
/// "UNITES INTERNATIONALES", "POUR CENT".
fn merge_unit_phrases(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let w0 = word_at(&toks, i);
        let w1 = word_at(&toks, i + 1);
        let after_number = matches!(out.last(), Some(Tok::Word(p)) if is_number(p));
        match (w0, w1) {
            (Some("U"), Some("I")) if after_number => {
                out.push(Tok::Word("UI".to_string()));
                i += 2;
            }
            (Some("UNITE" | "UNITES"), Some("INTERNATIONALE" | "INTERNATIONALES")) => {
                out.push(Tok::Word("UI".to_string()));
                i += 2;
            }
            (Some("POUR"), Some("CENT")) => {
                out.push(Tok::Percent);
                i += 2;
            }
            _ => {
                out.push(toks[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Maps unit spellings and form abbreviations to their canonical words. The
/// first word is the brand or substance and is never rewritten as a form.
fn map_words(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len() + 2);
    let mut seen_word = false;
    for (i, t) in toks.iter().enumerate() {
        let Tok::Word(w) = t else {
            out.push(t.clone());
            continue;
        };
        let first = !seen_word;
        seen_word = true;
        let after_number = matches!(out.last(), Some(Tok::Word(p)) if is_number(p));
        let after_dose = after_number
            || matches!(out.last(), Some(Tok::Percent))
            || matches!(out.last(), Some(Tok::Word(p)) if CANONICAL_UNITS.contains(&p.as_str()));
        let solution = w == "SOL"
            && !first
            && (after_dose || word_at(&toks, i + 1).is_some_and(|n| SOL_FOLLOWERS.contains(&n)));
        let mapped = if solution {
            Some("SOLUTION")
        } else if let Some(unit) = lookup(UNIT_WORDS, w) {
            Some(unit)
        } else if after_number && let Some(unit) = lookup(UNIT_WORDS_AFTER_NUMBER, w) {
            Some(unit)
        } else if first {
            None
        } else {
            lookup(FORM_WORDS, w)
        };
        match mapped {
            Some("%") => out.push(Tok::Percent),
            Some(m) => out.extend(m.split(' ').map(|p| Tok::Word(p.to_string()))),
            None => out.push(t.clone()),
        }
    }
    out
}

fn render(toks: &[Tok]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Tok> = None;
    for t in toks {
        if let Some(p) = prev {
            let tight =
                matches!(p, Tok::Open { .. } | Tok::Slash) || matches!(t, Tok::Close | Tok::Slash);
            if !tight {
                out.push(' ');
            }
        }
        match t {
            Tok::Word(w) => out.push_str(w),
            Tok::Open { .. } => out.push('('),
            Tok::Close => out.push(')'),
            Tok::Slash => out.push('/'),
            Tok::Percent => out.push('%'),
        }
        prev = Some(t);
    }
    out
}

/// The canonical form of a drug name, used as the matching key everywhere.
///
/// Upper case with every Latin accent folded (É → E, Œ → OE, µ → MICRO);
/// words separated by single spaces; parentheses kept (doubled ones
/// collapsed, empty ones dropped, no space inside), `/` kept without spaces
/// around it, `%` kept as a unit word; a decimal comma or point between
/// digits becomes `.` ("2,5 mg" → "2.5 MG"); numbers glued to units split
/// ("1000MG" → "1000 MG"); unit spellings unified (MILLIGRAMMES → MG,
/// MCG/µg → MICROG, U.I. → UI, POUR CENT → %); form abbreviations expanded
/// (CPR → COMPRIME, GELU → GELULE, SOL INJ → SOLUTION INJECTABLE…, never
/// for the first word, which is the brand); the BDPM's gender markers
/// dropped (`effervescent(e)` → EFFERVESCENT). Apostrophes and hyphens
/// separate words ("D'AMIKACINE" → "D AMIKACINE").
///
/// ```
/// use datamed::normalize::normalize_name;
/// assert_eq!(normalize_name("DOLIPRANNE 1000MG CPR"), "DOLIPRANNE 1000 MG COMPRIME");
/// assert_eq!(normalize_name("Doliprane 2,4 pour cent"), "DOLIPRANE 2.4 %");
/// ```
pub fn normalize_name(raw: &str) -> String {
    let toks = tokenize(&fold_upper(raw));
    let toks = clean_brackets(toks);
    let toks = clean_brackets(drop_gender_markers(toks));
    let toks = split_glued_units(toks);
    let toks = merge_unit_phrases(toks);
    let toks = map_words(toks);
    render(&toks)
}

// The agency's cascade helpers: first word, first number, upper-case words.

/// The first word of a normalised name: its first space-separated token,
/// stripped of parentheses, as the agency's `word(x, 1)`. A `/` does not
/// separate words ("ABACAVIR/LAMIVUDINE ARROW" → "ABACAVIR/LAMIVUDINE").
pub fn first_word(norm: &str) -> Option<&str> {
    norm.split(' ')
        .map(|w| w.trim_matches(|c| c == '(' || c == ')'))
        .find(|w| !w.is_empty())
}

/// The first number of a normalised name, wherever it is ("B12" gives
/// "12"), with its decimal point: the agency's `parse_number`. Compare the
/// returned text: normalisation writes numbers one way.
pub fn first_number(norm: &str) -> Option<&str> {
    let bytes = norm.as_bytes();
    let start = bytes.iter().position(u8::is_ascii_digit)?;
    let mut end = start;
    while end < bytes.len() {
        let b = bytes[end];
        let decimal =
            b == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) && end > start;
        if b.is_ascii_digit() || decimal {
            end += 1;
        } else {
            break;
        }
    }
    norm.get(start..end)
}

/// The words of a raw name (as typed, case preserved) that are written
/// entirely in upper-case letters, accent-folded: the agency's
/// `\b[A-Z]+\b`, extended to accented capitals. In the BDPM and CODEX
/// convention the brand and substance are in capitals and the dose and form
/// in lower case, so "ADRIBLASTINE 50 mg, poudre" gives {ADRIBLASTINE}.
/// Runs mixing letters and digits ("1000MG") are not words.
pub fn upper_word_set(raw: &str) -> BTreeSet<String> {
    raw.split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            !w.is_empty()
                && w.chars().all(|c| c.is_alphabetic())
                && w.chars().all(|c| !c.is_lowercase())
        })
        .map(fold_upper)
        .collect()
}

/// The agency's overlap of two upper-case word sets: shared words divided by
/// the size of the larger set; 1.0 ("overlap fully") means equal sets. Two
/// empty sets give 0.0: nothing was compared.
pub fn upper_words_overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let larger = a.len().max(b.len());
    if larger == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / larger as f64
}

#[cfg(test)]
mod tests;
