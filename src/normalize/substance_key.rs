//! One canonical form for a substance name however it is written: the salt
//! or ester before or after the base, with or without DE/D', in
//! parentheses or not ("PAROXETINE (CHLORHYDRATE DE)", "CHLORHYDRATE DE
//! PAROXETINE", "PAROXETINE CHLORHYDRATE"); hydrate words apart
//! (MONOHYDRATE, TRIHYDRATEE, ANHYDRE); the abbreviations agents type (AC.
//! for ACIDE, CHLORH. for CHLORHYDRATE); and the INN's English spelling
//! folded onto the French one (-INE/-IN, PH/F, Y/I).

use super::salts::{expand, is_salt_word};

/// A substance name reduced to what identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubstanceKey {
    /// The base words, sorted, each spelled by [`spelling_key`]: word
    /// order is how a name was written, not which substance it names
    /// ("DISULFURE DE TETRAMETHYLTHIURAME", "TETRAMETHYLTHIURAME DISULFURE").
    pub base: String,
    /// The salt and ester words, sorted, spelled by [`spelling_key`]
    /// ("CHLORHIDRATE"; empty: none).
    pub salts: String,
    /// The hydrate words, sorted, masculine ("HEMIHYDRATE"; empty: none).
    pub hydrates: String,
}

impl SubstanceKey {
    /// The base and salts, hydrates aside: two names with this equal are
    /// the same salt of the same substance, perhaps hydrated differently.
    pub fn salted(&self) -> String {
        format!("{}|{}", self.base, self.salts)
    }
}

/// A hydrate word, masculine: TRIHYDRATEE → TRIHYDRATE, ANHYDRE.
fn hydrate(word: &str) -> Option<String> {
    if word == "ANHYDRE" {
        return Some(word.to_string());
    }
    let w = word
        .strip_suffix('E')
        .filter(|w| w.ends_with("HYDRATE"))
        .unwrap_or(word);
    let count = w.strip_suffix("HYDRATE")?;
    // A count of water molecules, not CHLORHYDRATE or BROMHYDRATE.
    matches!(
        count,
        "" | "MONO"
            | "DI"
            | "TRI"
            | "TETRA"
            | "PENTA"
            | "HEXA"
            | "HEPTA"
            | "OCTA"
            | "NONA"
            | "DECA"
            | "HEMI"
            | "SESQUI"
    )
    .then(|| w.to_string())
}

/// The spelling of a base word that French and INN English spellings
/// share: PH → F, Y → I, a final -INE → -IN ("AMOXICILLIN",
/// "PAROXETIN", "PHENOBARBITAL"/"FENOBARBITAL").
pub fn spelling_key(word: &str) -> String {
    let mut w = word.replace("PH", "F").replace('Y', "I");
    if w.len() > 5 && w.ends_with("INE") {
        w.pop();
    }
    w
}

/// The canonical key of a normalised substance name; `None` when no base
/// word is left (a salt word alone).
///
/// ```
/// use datamed::normalize::{normalize_name, substance_key};
/// let key = |s: &str| substance_key(&normalize_name(s)).unwrap();
/// let a = key("PAROXETINE (CHLORHYDRATE DE)");
/// assert_eq!(a, key("CHLORHYDRATE DE PAROXETINE"));
/// assert_eq!(a, key("paroxetine chlorhydrate"));
/// assert_eq!(a, key("CHLORH. PAROXETIN"));
/// assert_eq!(key("AC. ACETYLSALICYLIQUE"), key("ACIDE ACETYLSALICYLIQUE"));
/// assert_ne!(a.salted(), key("PAROXETINE (MESILATE DE)").salted());
/// assert_eq!(key("PAROXETINE (CHLORHYDRATE DE) HEMIHYDRATE").hydrates, "HEMIHYDRATE");
/// assert_eq!(key("METHOTREXATE SODIQUE").base, "METHOTREXATE");
/// assert_eq!(key("TETRAMETHYLTHIURAME DISULFURE"), key("DISULFURE DE TETRAMETHYLTHIURAME"));
/// assert_eq!(key("CHLORHIDRATE DE MECLOZINE"), key("MECLOZINE (CHLORHYDRATE DE)"));
/// ```
pub fn substance_key(norm: &str) -> Option<SubstanceKey> {
    read(norm).map(|(key, _)| key)
}

/// The salt and ester words of a normalised substance name as written
/// (abbreviations expanded), sorted: what a reviewer reads when two salts
/// differ ("CHLORHYDRATE", "MESILATE"); empty when none.
pub fn written_salts(norm: &str) -> String {
    read(norm).map(|(_, salts)| salts).unwrap_or_default()
}

/// The key and the salt words as written.
fn read(norm: &str) -> Option<(SubstanceKey, String)> {
    let mut base: Vec<String> = Vec::new();
    let mut salts: Vec<String> = Vec::new();
    let mut hydrates: Vec<String> = Vec::new();
    for raw in norm.split([' ', '(', ')']).filter(|w| !w.is_empty()) {
        let w = expand(raw);
        // Link words and articles ("VIRUS DE LA VARICELLE"), and BASE,
        // which says no salt is meant.
        if matches!(
            w,
            "DE" | "D" | "DU" | "DES" | "LA" | "LE" | "L" | "LES" | "BASE"
        ) {
            continue;
        }
        if let Some(h) = hydrate(w) {
            hydrates.push(h);
        } else if is_salt_word(w) {
            salts.push(w.to_string());
        } else {
            base.push(spelling_key(w));
        }
    }
    if base.is_empty() {
        // A substance whose own name ends in -ATE ("METHOTREXATE SODIQUE",
        // "ALENDRONATE MONOSODIQUE"): the -ATE words are its base.
        let (own, listed): (Vec<String>, Vec<String>) = salts
            .into_iter()
            .partition(|w| !super::SALT_WORDS.contains(&w.as_str()));
        base = own.iter().map(|w| spelling_key(w)).collect();
        salts = listed;
    }
    if base.is_empty() {
        return None;
    }
    base.sort();
    salts.sort();
    hydrates.sort();
    let mut spelled: Vec<String> = salts.iter().map(|w| spelling_key(w)).collect();
    spelled.sort();
    Some((
        SubstanceKey {
            base: base.join(" "),
            salts: spelled.join(" "),
            hydrates: hydrates.join(" "),
        },
        salts.join(" "),
    ))
}
