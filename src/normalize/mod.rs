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

// ---------------------------------------------------------------------------
// Character folding
// ---------------------------------------------------------------------------

/// Base letters of U+00C0..=U+024F, one byte per code point; `.` means "not a
/// plain accented letter" (symbols such as × ÷, or multi-letter foldings
/// handled in [`fold_multi`]). Generated from the Unicode decompositions.
const FOLD_00C0: &[u8] = b"AAAAAA.CEEEEIIIIDNOOOOO.OUUUUY..AAAAAA.CEEEEIIIIDNOOOOO.OUUUUY.YAAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII..JJKKKLLLLLL..LLNNNNNNN..OOOOOO..RRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZSBB.....CCDDDD....FFG..IIKKL..N..OO..PP......TTTUU.VYYZZ.Z....................AAIIOOUUUUUUUUUU.AAAA....GGKKOOOO..J...GG..NNAA....AAAAEEEEIIIIOOOORRRRUUUUSSTT..HH.D....AAEEOOOOOOOOYYLNTJ..ACCLT....B..EEJJ..RRYY";

/// Base letters of U+1E00..=U+1EFF (Latin Extended Additional), same scheme.
const FOLD_1E00: &[u8] = b"AABBBBBBCCDDDDDDDDDDEEEEEEEEEEFFGGHHHHHHHHHHIIIIKKKKKKLLLLLLLLMMMMMMNNNNNNNNOOOOOOOOPPPPRRRRRRRRSSSSSSSSSSTTTTTTTTUUUUUUUUUUVVVVWWWWWWWWWWXXXXYYZZZZZZHTWY.S....AAAAAAAAAAAAAAAAAAAAAAAAEEEEEEEEEEEEEEEEIIIIOOOOOOOOOOOOOOOOOOOOOOOOUUUUUUUUUUUUUUYYYYYYYY......";

/// Latin letters that fold to two letters (ligatures, ß, thorn) or that
/// Unicode does not decompose (Ø, Ł, Đ…).
fn fold_multi(c: char) -> Option<&'static str> {
    Some(match c {
        'Æ' | 'æ' => "AE",
        'Œ' | 'œ' => "OE",
        'ß' | 'ẞ' => "SS",
        'Þ' | 'þ' => "TH",
        'Ĳ' | 'ĳ' => "IJ",
        'Ŋ' | 'ŋ' => "NG",
        'Ǆ' | 'ǅ' | 'ǆ' | 'Ǳ' | 'ǲ' | 'ǳ' => "DZ",
        'Ǉ' | 'ǈ' | 'ǉ' => "LJ",
        'Ǌ' | 'ǋ' | 'ǌ' => "NJ",
        'Ø' | 'ø' => "O",
        'Đ' | 'đ' | 'Ð' | 'ð' => "D",
        'Ł' | 'ł' => "L",
        'Ħ' | 'ħ' => "H",
        'Ŧ' | 'ŧ' => "T",
        'ı' => "I",
        'ĸ' => "K",
        'ŉ' => "N",
        'ſ' => "S",
        // The micro sign and the Greek small mu both mean "micro" in a dose.
        'µ' | 'μ' => "MICRO",
        // Superscripts and vulgar fractions ("cellules/cm²", "½ comprimé").
        '¹' => "1",
        '²' => "2",
        '³' => "3",
        'ª' => "A",
        'º' => "O",
        '¼' => "1/4",
        '½' => "1/2",
        '¾' => "3/4",
        // Typographic ligatures typed from PDFs.
        'ﬀ' => "FF",
        'ﬁ' => "FI",
        'ﬂ' => "FL",
        'ﬃ' => "FFI",
        'ﬄ' => "FFL",
        _ => return None,
    })
}

/// Upper-case ASCII base letter of an accented Latin letter, if `c` is one.
fn fold_single(c: char) -> Option<char> {
    let cp = c as u32;
    let (table, start) = match cp {
        0x00C0..=0x024F => (FOLD_00C0, 0x00C0),
        0x1E00..=0x1EFF => (FOLD_1E00, 0x1E00),
        _ => return None,
    };
    let index = usize::try_from(cp - start).ok()?;
    match table.get(index) {
        Some(&b) if b != b'.' => Some(char::from(b)),
        _ => None,
    }
}

/// Combining diacritical marks: text typed or pasted in decomposed form
/// (`E` + U+0301) carries its accents this way; they are dropped.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Pushes the folded, upper-case form of `c` onto `out`.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else if is_combining_mark(c) {
        // A decomposed accent (E + U+0301): the base letter was pushed already.
    } else if let Some(s) = fold_multi(c) {
        out.push_str(s);
    } else if let Some(b) = fold_single(c) {
        out.push(b);
    } else {
        // Other scripts: plain upper case, folding again whatever the upper
        // case produced (it may decompose into a base letter and a mark).
        for u in c.to_uppercase() {
            if is_combining_mark(u) {
                continue;
            }
            if let Some(s) = fold_multi(u) {
                out.push_str(s);
            } else if let Some(b) = fold_single(u) {
                out.push(b);
            } else {
                out.push(u);
            }
        }
    }
}

/// Upper-cases `text` and folds every Latin accent and ligature (É → E,
/// Œ → OE, ß → SS, µ → MICRO). Nothing else changes: punctuation and spaces
/// are kept. Used by [`normalize_name`] and available to callers that need
/// accent-insensitive comparison without the rest of the normalisation.
pub fn fold_upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_folded(c, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------
// Vocabulary: units and pharmaceutical forms
// ---------------------------------------------------------------------------

/// Unit spellings that are unambiguous wherever they appear, with their
/// canonical form.
const UNIT_WORDS: &[(&str, &str)] = &[
    ("MG", "MG"),
    ("MGS", "MG"),
    ("MILLIGRAMME", "MG"),
    ("MILLIGRAMMES", "MG"),
    ("MILLIGRAM", "MG"),
    ("MILLIGRAMS", "MG"),
    ("G", "G"),
    ("GRAMME", "G"),
    ("GRAMMES", "G"),
    ("ML", "ML"),
    ("MILLILITRE", "ML"),
    ("MILLILITRES", "ML"),
    ("MILLILITER", "ML"),
    ("MILLILITERS", "ML"),
    ("LITRE", "L"),
    ("LITRES", "L"),
    ("UI", "UI"),
    ("MCG", "MICROG"),
    ("MICROG", "MICROG"),
    ("MICROGRAMME", "MICROG"),
    ("MICROGRAMMES", "MICROG"),
    ("MICROGRAM", "MICROG"),
    ("MICROGRAMS", "MICROG"),
    ("MICROL", "MICROL"),
    ("MICROLITRE", "MICROL"),
    ("MICROLITRES", "MICROL"),
    ("POURCENT", "%"),
];

/// Unit spellings that are only units right after a number ("500 GR" is
/// 500 g, but GR alone may be an abbreviation of something else).
const UNIT_WORDS_AFTER_NUMBER: &[(&str, &str)] = &[
    ("GR", "G"),
    ("GRS", "G"),
    ("GRAM", "G"),
    ("GRAMS", "G"),
    ("UG", "MICROG"),
    ("IU", "UI"),
];

/// Letter runs that may be glued to a number and must then be split off
/// ("1000MG" → "1000 MG", "4CH" → "4 CH").
const GLUED_UNITS: &[&str] = &[
    "MG", "MGS", "G", "GR", "ML", "L", "UI", "IU", "MCG", "MICROG", "UG", "MICROL", "KG", "NG",
    "MMOL", "MOL", "MEQ", "MUI", "CH", "DH", "K",
];

/// Abbreviations of pharmaceutical forms (reporters, Open Medic `l_cip13`)
/// and plurals, each expanded to the words the BDPM uses, once folded
/// (`comprimé pelliculé` → `COMPRIME PELLICULE`). `GEL` is deliberately
/// absent: in the BDPM it is the form "gel", not a gélule.
const FORM_WORDS: &[(&str, &str)] = &[
    ("CPR", "COMPRIME"),
    ("CPRS", "COMPRIME"),
    ("CP", "COMPRIME"),
    ("CPS", "COMPRIME"),
    ("COMP", "COMPRIME"),
    ("COMPR", "COMPRIME"),
    ("COMPRIMES", "COMPRIME"),
    ("GELU", "GELULE"),
    ("GELUL", "GELULE"),
    ("GLE", "GELULE"),
    ("GLES", "GELULE"),
    ("GELULES", "GELULE"),
    ("SOLU", "SOLUTION"),
    ("SOLUT", "SOLUTION"),
    ("INJ", "INJECTABLE"),
    ("INJECT", "INJECTABLE"),
    ("PDRE", "POUDRE"),
    ("PDR", "POUDRE"),
    ("POUD", "POUDRE"),
    ("SUSP", "SUSPENSION"),
    ("AMP", "AMPOULE"),
    ("AMPOULES", "AMPOULE"),
    ("FL", "FLACON"),
    ("FLC", "FLACON"),
    ("FLAC", "FLACON"),
    ("FLACONS", "FLACON"),
    ("SACH", "SACHET"),
    ("SACHETS", "SACHET"),
    ("BUV", "BUVABLE"),
    ("PELL", "PELLICULE"),
    ("PELLIC", "PELLICULE"),
    ("EFF", "EFFERVESCENT"),
    ("EFFERV", "EFFERVESCENT"),
    ("SECAB", "SECABLE"),
    ("SUPP", "SUPPOSITOIRE"),
    ("SUPPO", "SUPPOSITOIRE"),
    ("SUPPOS", "SUPPOSITOIRE"),
    ("SUPPOSITOIRES", "SUPPOSITOIRE"),
    ("SIR", "SIROP"),
    ("CAPS", "CAPSULE"),
    ("CAPSULES", "CAPSULE"),
    ("GTT", "GOUTTES"),
    ("GTTES", "GOUTTES"),
    ("COLL", "COLLYRE"),
    ("COLLY", "COLLYRE"),
    ("POMM", "POMMADE"),
    ("CREM", "CREME"),
    ("EMUL", "EMULSION"),
    ("PERF", "PERFUSION"),
    ("INHAL", "INHALATION"),
    ("PULV", "PULVERISATION"),
    ("SER", "SERINGUE"),
    ("SERING", "SERINGUE"),
    ("SERINGUES", "SERINGUE"),
    ("PREREMP", "PREREMPLIE"),
    ("PREREMPL", "PREREMPLIE"),
    ("LYOPH", "LYOPHILISAT"),
    ("ENR", "ENROBE"),
    ("ORODISP", "ORODISPERSIBLE"),
    ("DISP", "DISPERSIBLE"),
    ("GASTRORES", "GASTRO RESISTANT"),
    ("GASTRORESIST", "GASTRO RESISTANT"),
    ("GASTRORESISTANT", "GASTRO RESISTANT"),
    ("LIB", "LIBERATION"),
    ("PROL", "PROLONGEE"),
    ("MODIF", "MODIFIEE"),
    ("SOLV", "SOLVANT"),
    ("TRANSDERM", "TRANSDERMIQUE"),
    ("OPHT", "OPHTALMIQUE"),
    ("APPLIC", "APPLICATION"),
    ("PASTILLES", "PASTILLE"),
    ("PATCHS", "PATCH"),
    ("PATCHES", "PATCH"),
];

/// Words after which "SOL" abbreviates SOLUTION ("SOL INJ", "SOL BUV").
/// Elsewhere SOL may be a word of its own, as in the homeopathic
/// "MERCUR SOL COMPLEXE". Both abbreviations and expansions are listed so
/// that the rule reads the same before and after normalisation.
const SOL_FOLLOWERS: &[&str] = &[
    "INJ",
    "INJECT",
    "INJECTABLE",
    "BUV",
    "BUVABLE",
    "PERF",
    "PERFUSION",
    "POUR",
    "A",
    "NASALE",
    "BUCCALE",
    "CUTANEE",
    "ORALE",
    "OPHT",
    "OPHTALMIQUE",
];

/// Canonical units after which "SOL" is a form ("5 % SOL", "10 MG SOL").
const CANONICAL_UNITS: &[&str] = &["MG", "G", "ML", "L", "UI", "MICROG", "MICROL"];

fn lookup(table: &'static [(&'static str, &'static str)], word: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == word).map(|(_, v)| *v)
}

/// True for a normalised number: ASCII digits with single `.` between digits.
fn is_number(word: &str) -> bool {
    let b = word.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && !word.contains("..")
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Cascade helpers
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Salts
// ---------------------------------------------------------------------------

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
/// give "CHLORHYDRATE"), else a trailing salt word ("DICLOFENAC SODIQUE").
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
    words
        .iter()
        .skip(1)
        .find(|w| SALT_SUFFIX_WORDS.contains(w))
        .map(|w| (*w).to_string())
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

// ---------------------------------------------------------------------------
// Unspecific names
// ---------------------------------------------------------------------------

/// Normalised names that designate no medicine in particular and must never
/// be linked automatically (they go to review or are left out).
pub const UNSPECIFIC_NAMES: &[&str] = &[
    "TRAITEMENT HABITUEL",
    "TRAITEMENT EN COURS",
    "TRAITEMENT CHRONIQUE",
    "INCONNU",
    "INCONNUE",
    "INCONNU (LIBRA)",
    "MEDICAMENT INCONNU",
    "PRODUIT INCONNU",
    "NON PRECISE",
    "NON RENSEIGNE",
    "NON CONNU",
    "NC",
    "NR",
    "ND",
    "NEANT",
    "AUCUN",
    "VACCIN",
    "VACCINS",
    "ANTIBIOTIQUE",
    "ANTIBIOTIQUES",
    "ANTIBIOTHERAPIE",
    "AUTRES MEDICAMENTS",
    "AUTRE MEDICAMENT",
    "ANTALGIQUE",
    "ANTALGIQUES",
    "CONTRACEPTIF ORAL",
    "CONTRACEPTION ORALE",
    "PILULE",
    "PILULE CONTRACEPTIVE",
    "CHIMIOTHERAPIE",
    "ANESTHESIE GENERALE",
    "HOMEOPATHIE",
    "PHYTOTHERAPIE",
    "AUTOMEDICATION",
    "PLACEBO",
];

/// Words that only ever make a name unspecific when every word of the name
/// is one of them ("ANTIBIOTIQUE NON PRECISE", "AUTRES TRAITEMENTS").
const GENERIC_WORDS: &[&str] = &[
    "TRAITEMENT",
    "TRAITEMENTS",
    "HABITUEL",
    "HABITUELS",
    "INCONNU",
    "INCONNUE",
    "INCONNUS",
    "NON",
    "PRECISE",
    "PRECISES",
    "RENSEIGNE",
    "AUTRE",
    "AUTRES",
    "MEDICAMENT",
    "MEDICAMENTS",
    "PRODUIT",
    "PRODUITS",
    "VACCIN",
    "VACCINS",
    "ANTIBIOTIQUE",
    "ANTIBIOTIQUES",
    "ANTALGIQUE",
    "ANTALGIQUES",
    "ANTI",
    "INFLAMMATOIRE",
    "INFLAMMATOIRES",
    "AINS",
    "CORTICOIDE",
    "CORTICOIDES",
    "ANTIDEPRESSEUR",
    "ANTIDEPRESSEURS",
    "ANXIOLYTIQUE",
    "ANXIOLYTIQUES",
    "HYPNOTIQUE",
    "HYPNOTIQUES",
    "NEUROLEPTIQUE",
    "NEUROLEPTIQUES",
    "ANTIHYPERTENSEUR",
    "ANTIHYPERTENSEURS",
    "ANTIEPILEPTIQUE",
    "ANTIEPILEPTIQUES",
    "CONTRACEPTIF",
    "CONTRACEPTIFS",
    "CONTRACEPTION",
    "ORAL",
    "ORALE",
    "ORAUX",
    "PILULE",
    "CHIMIOTHERAPIE",
    "ANESTHESIE",
    "ANESTHESIQUE",
    "GENERALE",
    "LOCALE",
    "EN",
    "COURS",
    "DE",
    "DU",
    "DES",
    "D",
    "LA",
    "LE",
    "LES",
    "L",
    "ET",
    "OU",
];

/// True when a normalised name designates no medicine in particular: empty,
/// one of [`UNSPECIFIC_NAMES`], or made only of generic words
/// ("ANTIBIOTIQUE NON PRECISE", "AUTRES TRAITEMENTS"). Such names must never
/// be linked automatically.
pub fn is_unspecific(norm: &str) -> bool {
    let norm = norm.trim();
    if norm.is_empty() || UNSPECIFIC_NAMES.contains(&norm) {
        return true;
    }
    norm.split([' ', '(', ')', '/'])
        .filter(|w| !w.is_empty())
        .all(|w| GENERIC_WORDS.contains(&w))
}

#[cfg(test)]
mod tests;
