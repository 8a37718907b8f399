//! The agency's worked examples (`spec/formats.md`) and one example per rule,
//! on a small hand-built referential.

use crate::matching::cascade::rule;
use crate::matching::decide::CALIBRATED;
use crate::matching::engine::match_name;
use crate::matching::referential::Referential;
use crate::model::Level;
use crate::model::linking::{
    DrugName, MatchStatus, RefFormerName, RefProduit, RefSpecialite, RefSubstanceName,
    ReferentialRows,
};
use crate::normalize::normalize_name;

fn spec(cis: &str, vu: &str, produit: &str, name: &str, subst: &[&str]) -> RefSpecialite {
    RefSpecialite {
        code_vu: Some(vu.to_string()),
        cis: Some(cis.to_string()),
        produit_code: Some(produit.to_string()),
        name: name.to_string(),
        substances: subst.iter().map(|s| s.to_string()).collect(),
    }
}

fn subst(code: &str, name: &str) -> RefSubstanceName {
    RefSubstanceName {
        code: code.to_string(),
        name: name.to_string(),
    }
}

fn referential() -> Referential {
    let rows = ReferentialRows {
        specialites: vec![
            spec(
                "64661854",
                "VU1",
                "P1",
                "ADRIBLASTINE 50 mg/25 ml, solution injectable pour perfusion en flacon",
                &["03236"],
            ),
            spec(
                "64367525",
                "VU2",
                "P1",
                "ADRIBLASTINE 50 mg, poudre pour solution injectable en flacon",
                &["03236"],
            ),
            spec(
                "60000001",
                "VU3",
                "P2",
                "CEFUROXIME ZENTIVA 500 mg, comprimé pelliculé",
                &["79600"],
            ),
            spec(
                "60000002",
                "VU4",
                "P3",
                "DOLIPRANE 1000 mg, comprimé",
                &["02202"],
            ),
            spec(
                "60000003",
                "VU5",
                "P3",
                "DOLIPRANE 500 mg, gélule",
                &["02202"],
            ),
            spec(
                "60000004",
                "VU6",
                "P4",
                "AMOXICILLINE BIOGARAN 500 mg, gélule",
                &["00872"],
            ),
            spec(
                "60000005",
                "VU7",
                "P5",
                "AMOXICILLINE/ACIDE CLAVULANIQUE BIOGARAN 500 mg/62,5 mg, comprimé",
                &["00872", "29442"],
            ),
            spec(
                "60000006",
                "VU8",
                "P6",
                "DOLIPRANE CODEINE 400 mg/20 mg, comprimé",
                &["02202", "74765"],
            ),
            spec(
                "60000007",
                "VU9",
                "P7",
                "ADVIL 200 mg, comprimé enrobé",
                &["01234"],
            ),
        ],
        produits: vec![
            RefProduit {
                code: "P1".into(),
                name: "ADRIBLASTINE".into(),
            },
            RefProduit {
                code: "P2".into(),
                name: "CEFUROXIME ZENTIVA".into(),
            },
            RefProduit {
                code: "P3".into(),
                name: "DOLIPRANE".into(),
            },
            RefProduit {
                code: "P4".into(),
                name: "AMOXICILLINE BIOGARAN".into(),
            },
            RefProduit {
                code: "P5".into(),
                name: "AMOXICILLINE/ACIDE CLAVULANIQUE BIOGARAN".into(),
            },
            RefProduit {
                code: "P6".into(),
                name: "DOLIPRANE CODEINE".into(),
            },
            RefProduit {
                code: "P7".into(),
                name: "ADVIL".into(),
            },
        ],
        former_specialites: vec![RefFormerName {
            old_name: "NUROFEN ADVIL 200 MG COMPRIME ENROBE".into(),
            target_code: "VU9".into(),
            created: Some("2004-05-17".into()),
        }],
        former_produits: vec![RefFormerName {
            old_name: "BORLUX".into(),
            target_code: "P2".into(),
            created: None,
        }],
        substance_names: vec![
            subst("02202", "PARACETAMOL"),
            subst("02202", "ACETAMINOPHENE"),
            subst("03236", "DOXORUBICINE (CHLORHYDRATE DE)"),
            subst("79600", "CEFUROXIME AXETIL"),
            subst("00872", "AMOXICILLINE"),
            subst("29442", "ACIDE CLAVULANIQUE"),
            subst("74765", "CODEINE (PHOSPHATE DE) HEMIHYDRATE"),
            subst("01234", "IBUPROFENE"),
        ],
        canonical_names: vec![
            subst("02202", "PARACETAMOL"),
            subst("03236", "DOXORUBICINE (CHLORHYDRATE DE)"),
            subst("79600", "CEFUROXIME AXETIL"),
            subst("00872", "AMOXICILLINE"),
            subst("29442", "ACIDE CLAVULANIQUE"),
            subst("74765", "CODEINE (PHOSPHATE DE) HEMIHYDRATE"),
            subst("01234", "IBUPROFENE"),
        ],
    };
    Referential::build(&rows)
}

fn name(raw: &str, level: Level) -> DrugName {
    DrugName {
        id: 1,
        name: raw.to_string(),
        level,
        normalized: normalize_name(raw),
        n_obs: 1,
        n_cases: 1,
    }
}

#[test]
fn acetaminophene_is_a_variant_of_paracetamol() {
    let m = match_name(
        &referential(),
        &name("ACETAMINOPHENE", Level::Substance),
        &CALIBRATED,
    );
    assert_eq!(m.status, MatchStatus::Auto);
    assert_eq!(m.method, rule::EXACT);
    assert_eq!(m.substance_codes, vec!["02202"]);
}

#[test]
fn borlux_is_the_former_name_of_cefuroxime_zentiva() {
    let m = match_name(&referential(), &name("BORLUX", Level::Produit), &CALIBRATED);
    assert_eq!(m.status, MatchStatus::Auto);
    assert_eq!(m.method, rule::FORMER);
    assert_eq!(m.substance_codes, vec!["79600"]);
    assert_eq!(m.candidates[0].target_name, "CEFUROXIME ZENTIVA");
}

#[test]
fn adriblastine_is_certain_through_its_substance() {
    let r = referential();
    let m = match_name(
        &r,
        &name(
            "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion",
            Level::Specialite,
        ),
        &CALIBRATED,
    );
    assert_eq!(m.status, MatchStatus::Auto, "{m:?}");
    assert_eq!(m.method, rule::SAME_SUBSTANCES);
    assert_eq!(m.substance_codes, vec!["03236"]);
    // Both spécialités are candidates, the closer one first.
    let codes: Vec<&str> = m
        .candidates
        .iter()
        .take(2)
        .map(|c| c.target_code.as_str())
        .collect();
    assert_eq!(codes, vec!["64367525", "64661854"]);
    assert!(m.candidates[0].explanation.contains(rule::TEXT_ANALYSIS));
}

#[test]
fn typo_in_the_first_word_still_finds_the_specialite() {
    let m = match_name(
        &referential(),
        &name("DOLIPRANNE 1000MG CPR", Level::Specialite),
        &CALIBRATED,
    );
    assert_eq!(m.candidates[0].target_code, "60000002", "{m:?}");
    assert_eq!(m.substance_codes, vec!["02202"]);
    assert_ne!(m.status, MatchStatus::Unmatched);
}

#[test]
fn amoxicilline_typo_ranks_the_right_generic_first() {
    let m = match_name(
        &referential(),
        &name("AMOXICILINE BIOGARAN 500", Level::Specialite),
        &CALIBRATED,
    );
    assert_eq!(m.candidates[0].substance_codes, vec!["00872"], "{m:?}");
}

#[test]
fn exact_and_former_specialite_names() {
    let r = referential();
    let m = match_name(
        &r,
        &name("Doliprane 1000 mg, comprimé", Level::Specialite),
        &CALIBRATED,
    );
    assert_eq!(
        (m.status, m.method.as_str()),
        (MatchStatus::Auto, rule::EXACT)
    );
    let m = match_name(
        &r,
        &name("NUROFEN ADVIL 200 MG COMPRIME ENROBE", Level::Specialite),
        &CALIBRATED,
    );
    assert_eq!(
        (m.status, m.method.as_str()),
        (MatchStatus::Auto, rule::FORMER)
    );
    assert_eq!(m.substance_codes, vec!["01234"]);
}

#[test]
fn produit_names_reach_the_product_and_all_its_substances() {
    let r = referential();
    let m = match_name(&r, &name("DOLIPRANE", Level::Produit), &CALIBRATED);
    assert_eq!(
        (m.status, m.method.as_str()),
        (MatchStatus::Auto, rule::EXACT)
    );
    assert_eq!(m.substance_codes, vec!["02202"]);
    // A spécialité typed at produit level stands for its product.
    let m = match_name(
        &r,
        &name("DOLIPRANE CODEINE 400 mg/20 mg, comprimé", Level::Produit),
        &CALIBRATED,
    );
    assert_eq!(m.substance_codes, vec!["02202", "74765"]);
    assert_eq!(m.candidates[0].target_name, "DOLIPRANE CODEINE");
}

#[test]
fn substance_names_rewritten() {
    let r = referential();
    let m = match_name(
        &r,
        &name("CHLORHYDRATE DE DOXORUBICINE", Level::Substance),
        &CALIBRATED,
    );
    assert_eq!(m.status, MatchStatus::Auto, "{m:?}");
    assert_eq!(m.substance_codes, vec!["03236"]);
    let m = match_name(&r, &name("IBUPROFENE", Level::Specialite), &CALIBRATED);
    assert_eq!(m.method, rule::EXACT_OTHER_LEVEL);
    assert_eq!(m.substance_codes, vec!["01234"]);
}

#[test]
fn unspecific_entries_are_never_auto() {
    let r = referential();
    for raw in [
        "TRAITEMENT HABITUEL",
        "INCONNU",
        "VACCIN",
        "ANTIBIOTIQUE",
        "antibiotique",
    ] {
        for level in Level::ALL {
            let m = match_name(&r, &name(raw, level), &CALIBRATED);
            assert_ne!(m.status, MatchStatus::Auto, "{raw} {level:?}");
            assert!(m.substance_codes.is_empty(), "{raw}");
        }
    }
}

#[test]
fn every_candidate_explains_itself() {
    let m = match_name(
        &referential(),
        &name("DOLIPRANNE 1000MG CPR", Level::Specialite),
        &CALIBRATED,
    );
    for c in &m.candidates {
        assert!(c.explanation.contains("similarity"), "{}", c.explanation);
        assert!(c.explanation.contains("dose"), "{}", c.explanation);
    }
    assert!(m.candidates.len() <= 10);
}

#[test]
fn a_former_name_of_two_specialites_is_decided_by_the_notification_year() {
    use crate::matching::decide::decide;
    use crate::matching::engine::rank;
    let rows = ReferentialRows {
        specialites: vec![
            spec(
                "60000010",
                "VUA",
                "PA",
                "NOUVEAU A 10 mg, comprimé",
                &["11111"],
            ),
            spec(
                "60000011",
                "VUB",
                "PB",
                "NOUVEAU B 10 mg, comprimé",
                &["22222"],
            ),
        ],
        former_specialites: vec![
            RefFormerName {
                old_name: "ANCIEN 10 mg, comprimé".into(),
                target_code: "VUA".into(),
                created: Some("2005-03-01".into()),
            },
            RefFormerName {
                old_name: "ANCIEN 10 mg, comprimé".into(),
                target_code: "VUB".into(),
                created: Some("2012-06-30".into()),
            },
        ],
        ..ReferentialRows::default()
    };
    let r = Referential::build(&rows);
    let old = name("ANCIEN 10 mg, comprimé", Level::Specialite);
    // Without the years, two spécialités with other substances: review.
    let d = decide(&rank(&r, &old, None), &CALIBRATED);
    assert_eq!(d.status, MatchStatus::Pending);
    // Notified from 2008: A had been renamed in 2005, B was still "ANCIEN".
    let d = decide(&rank(&r, &old, Some((2008, 2010))), &CALIBRATED);
    assert_eq!(d.status, MatchStatus::Auto, "{d:?}");
    assert_eq!(d.method, rule::FORMER_BY_YEAR);
    assert_eq!(d.substance_codes, vec!["22222"]);
    // Notified in 2003: both were still named so; review.
    let d = decide(&rank(&r, &old, Some((2003, 2003))), &CALIBRATED);
    assert_eq!(d.status, MatchStatus::Pending);
}
