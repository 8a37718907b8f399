//! The 27 MedDRA System Organ Classes, with the French labels the DataMed
//! portal shows and the English labels some BNPV rows carry instead.

/// (French label as on the portal, English MedDRA label).
pub const SOC_LABELS: [(&str, &str); 27] = [
    ("Affections cardiaques", "Cardiac disorders"),
    (
        "Affections de la peau et du tissu sous-cutané",
        "Skin and subcutaneous tissue disorders",
    ),
    (
        "Affections du rein et des voies urinaires",
        "Renal and urinary disorders",
    ),
    ("Affections du système nerveux", "Nervous system disorders"),
    (
        "Affections gastro-intestinales",
        "Gastrointestinal disorders",
    ),
    (
        "Affections hématologiques et du système lymphatique",
        "Blood and lymphatic system disorders",
    ),
    ("Affections hépatobiliaires", "Hepatobiliary disorders"),
    (
        "Affections musculosquelettiques et du tissu conjonctif",
        "Musculoskeletal and connective tissue disorders",
    ),
    ("Affections psychiatriques", "Psychiatric disorders"),
    (
        "Affections respiratoires, thoraciques et médiastinales",
        "Respiratory, thoracic and mediastinal disorders",
    ),
    ("Affections vasculaires", "Vascular disorders"),
    ("Explorations complémentaires", "Investigations"),
    (
        "Lésions, intoxications et complications d'interventions",
        "Injury, poisoning and procedural complications",
    ),
    (
        "Troubles du métabolisme et de la nutrition",
        "Metabolism and nutrition disorders",
    ),
    (
        "Troubles généraux et anomalies au site d'administration",
        "General disorders and administration site conditions",
    ),
    (
        "Affections de l'oreille et du labyrinthe",
        "Ear and labyrinth disorders",
    ),
    (
        "Affections des organes de reproduction et du sein",
        "Reproductive system and breast disorders",
    ),
    (
        "Affections du système immunitaire",
        "Immune system disorders",
    ),
    ("Affections endocriniennes", "Endocrine disorders"),
    ("Affections oculaires", "Eye disorders"),
    ("Infections et infestations", "Infections and infestations"),
    ("Problèmes de produit", "Product issues"),
    (
        "Affections congénitales, familiales et génétiques",
        "Congenital, familial and genetic disorders",
    ),
    (
        "Tumeurs bénignes, malignes et non précisées (inclus kystes et polypes)",
        "Neoplasms benign, malignant and unspecified (incl cysts and polyps)",
    ),
    (
        "Actes médicaux et chirurgicaux",
        "Surgical and medical procedures",
    ),
    (
        "Affections gravidiques, puerpérales et périnatales",
        "Pregnancy, puerperium and perinatal conditions",
    ),
    (
        "Caractéristiques socio-environnementales",
        "Social circumstances",
    ),
];

/// The portal's French label for a SOC given in French or English (case,
/// accents and punctuation ignored), or `None` when it is not a SOC.
pub fn french_label(raw: &str) -> Option<&'static str> {
    let key = crate::normalize::fold_name(raw);
    if key.is_empty() {
        return None;
    }
    SOC_LABELS
        .iter()
        .find(|(fr, en)| {
            crate::normalize::fold_name(fr) == key || crate::normalize::fold_name(en) == key
        })
        .map(|(fr, _)| *fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_the_portal_list() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/datamed/soc_labels_fr.txt"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("shared data absent: skipped");
            return;
        };
        let portal: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(portal.len(), 27);
        for label in portal {
            assert_eq!(french_label(label), Some(label.trim()));
        }
    }

    #[test]
    fn english_and_case_variants() {
        assert_eq!(
            french_label("Cardiac disorders"),
            Some("Affections cardiaques")
        );
        assert_eq!(
            french_label("AFFECTIONS CARDIAQUES"),
            Some("Affections cardiaques")
        );
        assert_eq!(
            french_label("Investigations"),
            Some("Explorations complémentaires")
        );
        assert_eq!(french_label("Nonsense"), None);
    }
}
