//! What a candidate card explains, in French: how the candidate compares
//! with the typed name part by part (brand, dose, unit, form, salt: core's
//! typed [`Agreement`]), and the ORDEI categories the Indicateurs view
//! lists, with their accents (core keeps its stable identifiers, which the
//! portal files carry).

use crate::matching::features::{Agreement, Part, Status};

/// A comparison's outcome, as a short adjective.
pub fn status(status: Status) -> &'static str {
    match status {
        Status::Agrees => "identique",
        Status::Similar => "proche",
        Status::Differs => "différent",
        Status::Absent => "absent",
    }
}

/// One part, or nothing when neither side says anything about it; `e`
/// the feminine ending of the part's noun ("forme non saisie", "sel non
/// saisi").
fn part(label: &str, e: &str, p: &Part) -> Option<String> {
    let q = p.query.as_deref().unwrap_or("");
    let c = p.candidate.as_deref().unwrap_or("");
    Some(match p.status {
        Status::Agrees => format!("{label} {q} identique"),
        Status::Similar => format!("{label} {q} ≈ {c}"),
        Status::Differs => format!("{label} {q} ≠ {c}"),
        Status::Absent => match (&p.query, &p.candidate) {
            (None, None) => return None,
            (Some(q), None) => format!("{label} {q} absent{e} du candidat"),
            (None, Some(c)) => format!("{label} non saisi{e} ({c} au candidat)"),
            (Some(q), Some(c)) => format!("{label} {q} / {c}"),
        },
    })
}

/// The candidate against the typed name, part by part: "marque DOLIPRANNE
/// ≈ DOLIPRANE · dose 1000 MG identique · forme non saisie (COMPRIME au
/// candidat)". Parts neither side mentions are left out.
pub fn agreement(a: &Agreement) -> String {
    let parts = [
        part("marque", "e", &a.brand),
        part("dose", "e", &a.dose),
        part("unité", "e", &a.unit),
        part("forme", "e", &a.form),
        part("sel", "", &a.salt),
    ];
    let said: Vec<String> = parts.into_iter().flatten().collect();
    if said.is_empty() {
        return "ni marque, ni dose, ni forme, ni sel à comparer".to_string();
    }
    said.join(" · ")
}

/// An ORDEI category as the window shows it: the seriousness criteria
/// with their accents; any other category (MedDRA terms, classes) as
/// stored.
pub fn category(label: &str) -> &str {
    match label {
        "deces" => "décès",
        "incapacite" => "incapacité",
        "anomalie congenitale" => "anomalie congénitale",
        "mise en jeu du pronostic vital" => "mise en jeu du pronostic vital",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::features::{Features, compare};
    use crate::normalize::normalize_name;

    fn feats(raw: &str) -> Features {
        Features::from_normalized(&normalize_name(raw))
    }

    #[test]
    fn an_agreement_reads_in_french() {
        let a = compare(
            &feats("DOLIPRANNE 1000MG CPR"),
            &feats("DOLIPRANE 1000 mg, comprimé"),
        );
        assert_eq!(
            agreement(&a),
            "marque DOLIPRANNE ≈ DOLIPRANE · dose 1000 MG identique · unité MG identique · \
             forme COMPRIME identique"
        );
        let b = compare(
            &feats("AMOXICILINE BIOGARAN 500"),
            &feats("AMOXICILLINE BIOGARAN 500 mg, gélule"),
        );
        let text = agreement(&b);
        assert!(
            text.contains("forme non saisie (GELULE au candidat)"),
            "{text}"
        );
        assert!(!text.contains("agrees") && !text.contains("absent from"));
    }

    #[test]
    fn criteria_keep_their_accents() {
        assert_eq!(category("deces"), "décès");
        assert_eq!(category("anomalie congenitale"), "anomalie congénitale");
        assert_eq!(category("Affections cardiaques"), "Affections cardiaques");
    }
}
