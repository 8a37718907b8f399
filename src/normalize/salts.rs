//! Salts, esters and hydrates of substance names: which words they are,
//! where they sit ("X (CHLORHYDRATE DE)", "CHLORHYDRATE DE X", "X
//! SODIQUE"), the salt a name carries and the name without it, and the
//! spellings the agency's rules treat as the same name.

use super::normalize_name;

/// Salt, ester and hydrate words of substance names (folded), as in
/// "DOXORUBICINE (CHLORHYDRATE DE)" or "CHLORHYDRATE DE DOXORUBICINE".
/// Words ending in -ATE are recognised too (see [`is_salt_word`]).
pub const SALT_WORDS: &[&str] = &[
    "CHLORHYDRATE",
    "DICHLORHYDRATE",
    "MONOCHLORHYDRATE",
    "HYDROCHLORURE",
    "BROMHYDRATE",
    "HYDROBROMURE",
    "CHLORURE",
    "BROMURE",
    "IODURE",
    "FLUORURE",
    "HYCLATE",
    "SODIQUE",
    "DISODIQUE",
    "MONOSODIQUE",
    "TRISODIQUE",
    "POTASSIQUE",
    "DIPOTASSIQUE",
    "CALCIQUE",
    "MAGNESIQUE",
    "MONOHYDRATE",
    "DIHYDRATE",
    "TRIHYDRATE",
    "HEMIHYDRATE",
    "SESQUIHYDRATE",
    "ANHYDRE",
];

/// Words that may follow the substance name and describe its salt or
/// hydrate only ("DICLOFENAC SODIQUE", "ABACAVIR ... MONOHYDRATE").
const SALT_SUFFIX_WORDS: &[&str] = &[
    "SODIQUE",
    "DISODIQUE",
    "MONOSODIQUE",
    "TRISODIQUE",
    "POTASSIQUE",
    "DIPOTASSIQUE",
    "CALCIQUE",
    "MAGNESIQUE",
    "MONOHYDRATE",
    "DIHYDRATE",
    "TRIHYDRATE",
    "HEMIHYDRATE",
    "SESQUIHYDRATE",
    "ANHYDRE",
];

/// Mineral cations: in "CHLORURE DE SODIUM" or "ALUMINIUM (PHOSPHATE D')"
/// the salt *is* the substance, so it is never removed.
const MINERALS: &[&str] = &[
    "SODIUM",
    "POTASSIUM",
    "CALCIUM",
    "MAGNESIUM",
    "ZINC",
    "FER",
    "FERREUX",
    "FERRIQUE",
    "LITHIUM",
    "ALUMINIUM",
    "AMMONIUM",
    "CUIVRE",
    "ARGENT",
    "BARYUM",
    "STRONTIUM",
    "SELENIUM",
    "MANGANESE",
    "CHROME",
    "COBALT",
    "OR",
    "BISMUTH",
    "CESIUM",
    "GALLIUM",
    "THALLIUM",
    "HYDROGENE",
];

/// Linking words between a salt and its substance: DE, D (from D'), DU, DES.
fn is_link_word(w: &str) -> bool {
    matches!(w, "DE" | "D" | "DU" | "DES")
}

/// True for a salt or hydrate word: listed in [`SALT_WORDS`], or a chemical
/// salt name ending in -ATE (ACETATE, SULFATE, MESILATE, DIMALEATE…).
pub fn is_salt_word(w: &str) -> bool {
    SALT_WORDS.contains(&w) || (w.len() > 5 && w.ends_with("ATE"))
}

/// A salt phrase: salt words followed by an optional link word, such as
/// "CHLORHYDRATE DE" or "PHOSPHATE DISODIQUE DE".
fn is_salt_phrase(words: &[&str]) -> bool {
    let core = match words.last() {
        Some(w) if is_link_word(w) => &words[..words.len() - 1],
        _ => words,
    };
    !core.is_empty() && core.iter().all(|w| is_salt_word(w))
}

/// Length of the salt phrase opening `words` ("CHLORHYDRATE DE X" → 2), if
/// it ends with a link word and something follows it.
fn leading_salt_phrase(words: &[&str]) -> Option<usize> {
    let salt_len = words.iter().take_while(|w| is_salt_word(w)).count();
    if salt_len == 0 {
        return None;
    }
    let link = words.get(salt_len)?;
    (is_link_word(link) && words.len() > salt_len + 1).then_some(salt_len + 1)
}

/// The first parenthesised group of a normalised name, as (text before,
/// content, text after), trimmed.
fn first_group(norm: &str) -> Option<(&str, &str, &str)> {
    let open = norm.find('(')?;
    let close = open + norm[open..].find(')')?;
    Some((
        norm[..open].trim(),
        norm[open + 1..close].trim(),
        norm[close + 1..].trim(),
    ))
}

fn join_nonempty(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The salt named in a normalised substance name, if any: the salt words of
/// a parenthesised salt phrase or of a leading salt phrase
/// ("DOXORUBICINE (CHLORHYDRATE DE)" and "CHLORHYDRATE DE DOXORUBICINE" both
/// give "CHLORHYDRATE"), else a salt word after the base ("DICLOFENAC
/// SODIQUE", "TRAMADOL CHLORHYDRATE", "TRAMADOL CHLORH.").
pub fn salt_of(norm: &str) -> Option<String> {
    let phrase_core = |words: &[&str]| {
        words
            .iter()
            .filter(|w| !is_link_word(w))
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some((_, inner, _)) = first_group(norm) {
        let words: Vec<&str> = inner.split(' ').filter(|w| !w.is_empty()).collect();
        if is_salt_phrase(&words) {
            return Some(phrase_core(&words));
        }
    }
    let words: Vec<&str> = norm.split(' ').collect();
    if let Some(n) = leading_salt_phrase(&words) {
        return Some(phrase_core(&words[..n]));
    }
    // An abbreviated salt before the base ("CHLORH. TRAMADOL").
    if let [first, _, ..] = words.as_slice()
        && expand(first) != *first
        && is_salt_word(expand(first))
    {
        return Some(expand(first).to_string());
    }
    // A salt written after the base, as agents type it ("TRAMADOL
    // CHLORHYDRATE", "TRAMADOL CHLORH."), or a hydrate word.
    words
        .iter()
        .skip(1)
        .map(|w| expand(w))
        .find(|w| SALT_SUFFIX_WORDS.contains(w) || is_salt_word(w))
        .map(str::to_string)
}

/// A normalised substance name without its salt: parenthesised salt phrases
/// removed ("DOXORUBICINE (CHLORHYDRATE DE)" → "DOXORUBICINE"), a leading
/// salt phrase removed ("SULFATE D AMIKACINE" → "AMIKACINE"), salt and
/// hydrate words after the name removed ("DICLOFENAC SODIQUE" →
/// "DICLOFENAC", "ABACAVIR (CHLORHYDRATE D) MONOHYDRATE" → "ABACAVIR").
/// Salts of mineral cations are the substance itself and are kept
/// ("CHLORURE DE SODIUM", "ALUMINIUM (PHOSPHATE D)").
pub fn salt_free(norm: &str) -> String {
    // Walk the name group by group, keeping everything but salt groups.
    let mut kept: Vec<&str> = Vec::new();
    let mut rest = norm;
    while let Some(open) = rest.find('(') {
        let Some(len) = rest[open..].find(')') else {
            break;
        };
        let before = &rest[..open];
        let inner = &rest[open + 1..open + len];
        let words: Vec<&str> = inner.split(' ').filter(|w| !w.is_empty()).collect();
        let owner_is_mineral = before
            .split(' ')
            .rfind(|w| !w.is_empty())
            .is_some_and(|w| MINERALS.contains(&w));
        kept.extend(before.split(' '));
        if !is_salt_phrase(&words) || owner_is_mineral {
            kept.push("(");
            kept.extend(words);
            kept.push(")");
        }
        rest = &rest[open + len + 1..];
    }
    kept.extend(rest.split(' '));
    let mut words: Vec<&str> = kept.into_iter().filter(|w| !w.is_empty()).collect();

    if let Some(n) = leading_salt_phrase(&words)
        && !MINERALS.contains(&words[n])
    {
        words.drain(..n);
    }
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let suffix = SALT_SUFFIX_WORDS.contains(w) || (*w == "BASE" && i + 1 == words.len());
        if suffix && !out.is_empty() {
            continue;
        }
        out.push(w);
    }
    render_words(&out)
}

/// Joins words produced by splitting a normalised name, the parentheses
/// that [`salt_free`] emitted as separate words included, and normalises
/// the result again (spacing of parentheses, doubles).
fn render_words(words: &[&str]) -> String {
    normalize_name(&words.join(" "))
}

/// The spellings of a normalised substance name that the agency's rules
/// treat as equivalent, the name itself first, without duplicates:
/// "X (Y) Z" gives "Y X Z" (ORDEI's rewriting, "ACETYLSALICYLIQUE (ACIDE)"
/// → "ACIDE ACETYLSALICYLIQUE") and "X Z" (group dropped); a leading salt
/// phrase or ACIDE gives the parenthesised form ("CHLORHYDRATE DE X" →
/// "X (CHLORHYDRATE DE)", "ACIDE X" → "X (ACIDE)"); and the [`salt_free`]
/// form. Only the first parenthesised group is rewritten.
pub fn parenthesis_variants(norm: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    push(norm.to_string());
    if let Some((before, inner, after)) = first_group(norm) {
        push(normalize_name(&join_nonempty(&[inner, before, after])));
        push(normalize_name(&join_nonempty(&[before, after])));
    } else {
        let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
        let lead = if words.first() == Some(&"ACIDE") && words.len() > 1 {
            Some(1)
        } else {
            leading_salt_phrase(&words)
        };
        if let Some(n) = lead {
            let phrase = words[..n].join(" ");
            let name = words[n..].join(" ");
            push(normalize_name(&format!("{name} ({phrase})")));
        }
    }
    push(salt_free(norm));
    out
}

/// Abbreviations agents type for salt and acid words, once normalised
/// ("AC." and "CHLORH." lose their point).
pub(super) fn expand(word: &str) -> &str {
    match word {
        "AC" => "ACIDE",
        "CHLORH" | "CHLORHYD" | "CHLORHYDR" | "CHLORHY" | "CLH" | "HCL" => "CHLORHYDRATE",
        "SULF" => "SULFATE",
        "PHOSPH" => "PHOSPHATE",
        "SULPHATE" => "SULFATE",
        _ => word,
    }
}
