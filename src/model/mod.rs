//! Plain domain types shared by every layer: the kinds of extract the
//! workbench reads, the three levels a drug name is typed at, the order of
//! a case's versions, and the cell values importers hand to the store. No
//! I/O here.

pub mod linking;
pub mod reason;
pub mod refusal;
pub mod review;
pub mod soc;

use std::fmt;

/// Orders two VER values of one case: numerically when both are whole
/// numbers ("10" after "9"), else as text, numbers before text. The latest
/// version of a case is the greatest; it alone counts, since
/// pharmacovigilance counts a case once, in its latest state.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let number = |v: &str| -> Option<u128> {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v.trim_start_matches('0').parse::<u128>().ok().or(Some(0))
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The level a drug name was entered at in BNPV (`TYPE` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// A spécialité: brand, dose and form ("DOLIPRANE 1000 mg, comprimé").
    Specialite,
    /// A produit: brand or generic family ("DOLIPRANE").
    Produit,
    /// An active substance ("PARACETAMOL").
    Substance,
    /// TYPE was empty or unrecognised.
    Inconnu,
}

impl Level {
    /// All levels, in display order.
    pub const ALL: [Level; 4] = [
        Level::Specialite,
        Level::Produit,
        Level::Substance,
        Level::Inconnu,
    ];

    /// The stable identifier used in the workspace and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Specialite => "specialite",
            Level::Produit => "produit",
            Level::Substance => "substance",
            Level::Inconnu => "inconnu",
        }
    }

    /// The label agents read (and BNPV writes).
    pub fn label(self) -> &'static str {
        match self {
            Level::Specialite => "Spécialité",
            Level::Produit => "Produit",
            Level::Substance => "Substance",
            Level::Inconnu => "Inconnu",
        }
    }

    /// Parses a BNPV `TYPE` value or a stored identifier, case and accent
    /// insensitive; anything else is [`Level::Inconnu`].
    pub fn parse(raw: &str) -> Level {
        let folded: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                'é' | 'É' | 'è' | 'È' => 'e',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match folded.as_str() {
            "specialite" => Level::Specialite,
            "produit" => Level::Produit,
            "substance" => Level::Substance,
            _ => Level::Inconnu,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The family an extract belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// National pharmacovigilance database (cases).
    Bnpv,
    /// The agency's marketing-authorisation referential.
    Codex,
    /// The public medicines database.
    Bdpm,
    /// CNAM dispensing counts.
    OpenMedic,
}

/// Every kind of file the workbench imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// BNPV `Cas-Patients.csv`.
    BnpvCases,
    /// BNPV `Médicaments.csv`.
    BnpvDrugs,
    /// BNPV `Effets.csv`.
    BnpvEffects,
    /// CODEX `dbo_VU`.
    CodexVu,
    /// CODEX `dbo_Produit`.
    CodexProduit,
    /// CODEX `HDH_Produit-Histo`.
    CodexProduitHisto,
    /// CODEX `dbo_Presentations`.
    CodexPresentations,
    /// CODEX `dbo_Composants`.
    CodexComposants,
    /// CODEX `dbo_NomsSubstance`.
    CodexNomsSubstance,
    /// CODEX `dbo_HistoNomsVU`.
    CodexHistoNomsVu,
    /// CODEX `dbo_VUClassesATC`.
    CodexVuAtc,
    /// BDPM `CIS_bdpm.txt`.
    BdpmCis,
    /// BDPM `CIS_CIP_bdpm.txt`.
    BdpmCip,
    /// BDPM `CIS_COMPO_bdpm.txt`.
    BdpmCompo,
    /// BDPM `CIS_GENER_bdpm.txt`.
    BdpmGener,
    /// Open Medic `NB_<year>_cip13_age_sexe`.
    OpenMedic,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 16] = [
        Kind::BnpvCases,
        Kind::BnpvDrugs,
        Kind::BnpvEffects,
        Kind::CodexVu,
        Kind::CodexProduit,
        Kind::CodexProduitHisto,
        Kind::CodexPresentations,
        Kind::CodexComposants,
        Kind::CodexNomsSubstance,
        Kind::CodexHistoNomsVu,
        Kind::CodexVuAtc,
        Kind::BdpmCis,
        Kind::BdpmCip,
        Kind::BdpmCompo,
        Kind::BdpmGener,
        Kind::OpenMedic,
    ];

    /// Stable identifier (workspace, `--kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BnpvCases => "bnpv-cases",
            Kind::BnpvDrugs => "bnpv-drugs",
            Kind::BnpvEffects => "bnpv-effects",
            Kind::CodexVu => "codex-vu",
            Kind::CodexProduit => "codex-produit",
            Kind::CodexProduitHisto => "codex-produit-histo",
            Kind::CodexPresentations => "codex-presentations",
            Kind::CodexComposants => "codex-composants",
            Kind::CodexNomsSubstance => "codex-noms-substance",
            Kind::CodexHistoNomsVu => "codex-histo-noms-vu",
            Kind::CodexVuAtc => "codex-vu-atc",
            Kind::BdpmCis => "bdpm-cis",
            Kind::BdpmCip => "bdpm-cip",
            Kind::BdpmCompo => "bdpm-compo",
            Kind::BdpmGener => "bdpm-gener",
            Kind::OpenMedic => "openmedic",
        }
    }

    /// Parses an identifier from [`Kind::as_str`].
    pub fn parse(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == id)
    }

    /// The usual file or table name, for messages.
    pub fn file_label(self) -> &'static str {
        match self {
            Kind::BnpvCases => "Cas-Patients.csv",
            Kind::BnpvDrugs => "Médicaments.csv",
            Kind::BnpvEffects => "Effets.csv",
            Kind::CodexVu => "dbo_VU",
            Kind::CodexProduit => "dbo_Produit",
            Kind::CodexProduitHisto => "HDH_Produit-Histo",
            Kind::CodexPresentations => "dbo_Presentations",
            Kind::CodexComposants => "dbo_Composants",
            Kind::CodexNomsSubstance => "dbo_NomsSubstance",
            Kind::CodexHistoNomsVu => "dbo_HistoNomsVU",
            Kind::CodexVuAtc => "dbo_VUClassesATC",
            Kind::BdpmCis => "CIS_bdpm.txt",
            Kind::BdpmCip => "CIS_CIP_bdpm.txt",
            Kind::BdpmCompo => "CIS_COMPO_bdpm.txt",
            Kind::BdpmGener => "CIS_GENER_bdpm.txt",
            Kind::OpenMedic => "NB_<année>_cip13_age_sexe",
        }
    }

    /// Which family of extract the kind belongs to.
    pub fn source(self) -> Source {
        match self {
            Kind::BnpvCases | Kind::BnpvDrugs | Kind::BnpvEffects => Source::Bnpv,
            Kind::BdpmCis | Kind::BdpmCip | Kind::BdpmCompo | Kind::BdpmGener => Source::Bdpm,
            Kind::OpenMedic => Source::OpenMedic,
            _ => Source::Codex,
        }
    }

    /// Referential kinds describe the current state of the world: a new
    /// import of the same kind supersedes the previous one. Case data and
    /// dispensing counts accumulate instead.
    pub fn is_referential(self) -> bool {
        matches!(self.source(), Source::Codex | Source::Bdpm)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value for one cell of a stored row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// An integer.
    Int(i64),
    /// A decimal number.
    Real(f64),
    /// Text.
    Text(String),
}

impl Value {
    /// Text, or `Null` when empty after trimming.
    pub fn text_or_null(s: &str) -> Value {
        let t = s.trim();
        if t.is_empty() {
            Value::Null
        } else {
            Value::Text(t.to_string())
        }
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::Null, Value::Int)
    }
}

impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Value::Null, Value::Real)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_bnpv_labels() {
        assert_eq!(Level::parse("Spécialité"), Level::Specialite);
        assert_eq!(Level::parse("SPECIALITE"), Level::Specialite);
        assert_eq!(Level::parse(" Produit "), Level::Produit);
        assert_eq!(Level::parse("substance"), Level::Substance);
        assert_eq!(Level::parse(""), Level::Inconnu);
        for level in Level::ALL {
            assert_eq!(Level::parse(level.as_str()), level);
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn versions_compare_as_numbers_when_they_are() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("2", "10"), Less);
        assert_eq!(compare_versions("10", "9"), Greater);
        assert_eq!(compare_versions("3", "3"), Equal);
        // A leading zero is the same number; the text breaks the tie so
        // that the order stays total.
        assert_eq!(compare_versions("02", "2"), Less);
        assert_eq!(compare_versions("2", "A"), Less);
        assert_eq!(compare_versions("B", "A"), Greater);
        assert_eq!(compare_versions("99999999999999999999999", "1"), Greater);
    }
}
