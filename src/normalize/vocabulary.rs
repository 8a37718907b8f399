//! The vocabulary normalisation rewrites: unit spellings and the
//! pharmaceutical-form abbreviations of reporters and Open Medic, each with
//! its one canonical word, and when a word is a unit or a form.

/// Unit spellings that are unambiguous wherever they appear, with their
/// canonical form.
pub(super) const UNIT_WORDS: &[(&str, &str)] = &[
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
pub(super) const UNIT_WORDS_AFTER_NUMBER: &[(&str, &str)] = &[
    ("GR", "G"),
    ("GRS", "G"),
    ("GRAM", "G"),
    ("GRAMS", "G"),
    ("UG", "MICROG"),
    ("IU", "UI"),
];

/// Letter runs that may be glued to a number and must then be split off
/// ("1000MG" → "1000 MG", "4CH" → "4 CH").
pub(super) const GLUED_UNITS: &[&str] = &[
    "MG", "MGS", "G", "GR", "ML", "L", "UI", "IU", "MCG", "MICROG", "UG", "MICROL", "KG", "NG",
    "MMOL", "MOL", "MEQ", "MUI", "CH", "DH", "K",
];

/// Abbreviations of pharmaceutical forms (reporters, Open Medic `l_cip13`)
/// and plurals, each expanded to the words the BDPM uses, once folded
/// (`comprimé pelliculé` → `COMPRIME PELLICULE`). `GEL` is deliberately
/// absent: in the BDPM it is the form "gel", not a gélule.
pub(super) const FORM_WORDS: &[(&str, &str)] = &[
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
pub(super) const SOL_FOLLOWERS: &[&str] = &[
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
pub(super) const CANONICAL_UNITS: &[&str] = &["MG", "G", "ML", "L", "UI", "MICROG", "MICROL"];

pub(super) fn lookup(
    table: &'static [(&'static str, &'static str)],
    word: &str,
) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == word).map(|(_, v)| *v)
}

/// True for a normalised number: ASCII digits with single `.` between digits.
pub(super) fn is_number(word: &str) -> bool {
    let b = word.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && !word.contains("..")
}

/// Words that describe a pharmaceutical form or its packaging once
/// normalised but are not in the expansions above (they are typed in full).
const FORM_QUALIFIERS: &[&str] = &[
    "SEC",
    "LP",
    "LM",
    "ORAL",
    "ORALE",
    "BUCCAL",
    "BUCCALE",
    "CUTANE",
    "CUTANEE",
    "NASAL",
    "NASALE",
    "AURICULAIRE",
    "VAGINAL",
    "VAGINALE",
    "RECTAL",
    "RECTALE",
    "SUBLINGUAL",
    "MOLLE",
    "DURE",
    "SACHET",
    "DOSE",
    "POCHE",
    "TUBE",
    "BOITE",
    "PLAQUETTE",
    "DILUER",
    "CROQUER",
    "SUCER",
    "ADHESIF",
    "RETARD",
    "SOLUBLE",
    "MICROGRANULES",
    "LOCALE",
];

/// True for a normalised word that describes a form (COMPRIME, GELULE,
/// PELLICULE, INJECTABLE, BUVABLE…) as the form abbreviations expand, or a
/// form qualifier typed in full (LP, ORALE, SACHET…).
pub fn is_form_term(word: &str) -> bool {
    FORM_QUALIFIERS.contains(&word)
        || FORM_WORDS
            .iter()
            .any(|(_, expansion)| expansion.split(' ').any(|w| w == word))
}

/// True for a canonical unit word as normalisation writes units.
pub fn is_unit_word(word: &str) -> bool {
    CANONICAL_UNITS.contains(&word)
        || UNIT_WORDS.iter().any(|(_, u)| *u == word)
        || GLUED_UNITS.contains(&word)
}
