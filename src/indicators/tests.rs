//! Indicator values on a small hand-built workspace: nine BNPV cases written
//! as the agency's CSV files and imported for real (so ORDEI's cleaning is
//! the importer's), matching results saved by hand, reviewers' decisions
//! taken with the review core, and a few Open Medic rows. Every expected
//! value is worked out by hand in the comments.

// A failing test should stop at the failing call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::*;
use crate::import::fixtures::import_text;
use crate::import::{ImportOptions, import_paths};
use crate::jobs::Progress;
use crate::model::linking::{Candidate, MatchStatus, NameMatch, TargetLevel};
use crate::review::{Note, approve_candidate, reject};

/// The cases. Kept by the cleaning: 1, 2, 3, 7, 8, 9. Left out: 4 (outside
/// France), 5 (no sex), 6 (no age, no birth date).
const CASES: &str = "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS
A1;C1;1;10/03/2017;F;30;;;Pharmacien;Effet indésirable;OUI;NON;NON;OUI;NON;NON;NON;FRANCE;FRANCE
A2;C2;1;11/04/2017;M;70;;;Patient;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE
A3;C3;1;12/05/2018;F;10;;;Pharmacien;Effet indésirable;OUI;OUI;NON;NON;NON;NON;NON;FRANCE;FRANCE
A4;C4;1;12/05/2018;F;45;;;Patient;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;BELGIQUE;BELGIQUE
A5;C5;1;12/05/2018;;50;;;Patient;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE
A6;C6;1;12/05/2018;M;;;;Patient;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE
A7;C7;1;01/02/2016;M;65;;;Patient;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE
A8;C8;1;01/02/2018;F;25;;;Patient;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE
A9;C9;1;01/06/2015;M;40;;;Médecin spécialiste;Effet indésirable;OUI;NON;OUI;NON;NON;NON;OUI;FRANCE;FRANCE
";

/// The drugs. DOLIPRANE twice in case 1: the second is an ORDEI duplicate.
const DRUGS: &str = "AER_ID;CAS;VER;MEDICAMENT;TYPE
A1;C1;1;DOLIPRANE;Produit
A1;C1;1;DOLIPRANE;Produit
A1;C1;1;IBUPROFENE;Substance
A2;C2;1;DOLIPRANE;Produit
A2;C2;1;TRUC;Produit
A2;C2;1;@SUM(1+1);Produit
A3;C3;1;PARACETAMOL;Substance
A3;C3;1;DAFLGAN;Produit
A4;C4;1;DOLIPRANE;Produit
A5;C5;1;DOLIPRANE;Produit
A6;C6;1;DOLIPRANE;Produit
A7;C7;1;DAFLGAN;Produit
A8;C8;1;DAFLGAN;Produit
A8;C8;1;CODOLIPRANE;Produit
A9;C9;1;EFERALGAN;Produit
";

/// The effects. Case 1 has two HLTs in the nervous system SOC: it counts
/// once in that SOC.
const EFFECTS: &str = "AER_ID;CAS;VER;DATE_DEB;EFFET_SOC;EFFET_HLT
A1;C1;1;;Affections du système nerveux;Céphalées NCA
A1;C1;1;;Affections du système nerveux;Vertiges NCA
A1;C1;1;;Affections gastro-intestinales;Nausées et vomissements
A2;C2;1;;Affections gastro-intestinales;Nausées et vomissements
A3;C3;1;;Affections du système nerveux;Céphalées NCA
A7;C7;1;;Affections gastro-intestinales;Nausées et vomissements
A8;C8;1;;Affections gastro-intestinales;Nausées et vomissements
";

const PARA: &str = "02202";
const IBU: &str = "02092";
const CODEINE: &str = "04179";

fn candidate(code_list: &[&str]) -> Candidate {
    Candidate {
        rank: 1,
        score: 0.9,
        method: "similarity".into(),
        target_level: TargetLevel::Substance,
        target_code: code_list.join("|"),
        target_name: "X".into(),
        substance_codes: code_list.iter().map(|c| c.to_string()).collect(),
        similarity: 0.9,
        explanation: String::new(),
    }
}

fn name_id(store: &Store, name: &str) -> i64 {
    store.drug_names_typed(name).unwrap()[0].id
}

/// Imports the three files and saves matching's results:
/// DOLIPRANE, PARACETAMOL → 02202 (auto); IBUPROFENE → 02092 (auto);
/// CODOLIPRANE → 02202 + 04179 (auto, later rejected); DAFLGAN, EFERALGAN
/// → 02202 (pending; EFERALGAN later approved); TRUC and "@SUM(1+1)"
/// (a formula, for the exports) unmatched.
pub(crate) fn workspace(dir: &Path) -> Store {
    let files = dir.join("bnpv");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("Cas-Patients.csv"), CASES).unwrap();
    std::fs::write(files.join("Médicaments.csv"), DRUGS).unwrap();
    std::fs::write(files.join("Effets.csv"), EFFECTS).unwrap();
    let mut store = Store::open(&dir.join("w.sqlite")).unwrap();
    let options = ImportOptions {
        user: "test".into(),
        ..ImportOptions::default()
    };
    import_paths(&mut store, &[files], &options, &Progress::new()).unwrap();
    let m = |name: &str, status: MatchStatus, codes: &[&str]| NameMatch {
        name_id: name_id(&store, name),
        status,
        method: "test".into(),
        score: 0.9,
        substance_codes: codes.iter().map(|c| c.to_string()).collect(),
        reason: crate::model::reason::Reason::Sure,
        candidates: if codes.is_empty() {
            vec![]
        } else {
            vec![candidate(codes)]
        },
    };
    let matches = vec![
        m("DOLIPRANE", MatchStatus::Auto, &[PARA]),
        m("PARACETAMOL", MatchStatus::Auto, &[PARA]),
        m("IBUPROFENE", MatchStatus::Auto, &[IBU]),
        m("CODOLIPRANE", MatchStatus::Auto, &[CODEINE, PARA]),
        m("DAFLGAN", MatchStatus::Pending, &[PARA]),
        m("EFERALGAN", MatchStatus::Pending, &[PARA]),
        m("TRUC", MatchStatus::Unmatched, &[]),
        m("@SUM(1+1)", MatchStatus::Unmatched, &[]),
    ];
    store.save_matches(&matches).unwrap();
    let note = Note::by("tester");
    let id = name_id(&store, "EFERALGAN");
    approve_candidate(&mut store, id, 1, &note).unwrap();
    let id = name_id(&store, "CODOLIPRANE");
    reject(&mut store, id, &note).unwrap();
    store
}

fn cells(ind: &Indicators, dimension: &str) -> Vec<(String, String, i64)> {
    ind.breakdown(dimension)
        .unwrap()
        .cells
        .iter()
        .map(|c| (c.category.clone(), c.detail.clone(), c.count))
        .collect()
}

fn cell(category: &str, count: i64) -> (String, String, i64) {
    (category.to_string(), String::new(), count)
}

#[test]
fn paracetamol_counts_worked_out_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let c = Computation::new(&store, Period::default()).unwrap();
    // Cleaned cases run 2015 (case 9) to 2018.
    assert_eq!(
        c.years(),
        YearRange {
            from: 2015,
            to: 2018
        }
    );
    let p = c.substance(PARA).unwrap();
    // DOLIPRANE (auto): cases 1, 2 (4, 5, 6 cleaned out); PARACETAMOL
    // (auto): 3; EFERALGAN (approved): 9; CODOLIPRANE rejected (8 not
    // counted through it); DAFLGAN pending (3, 7, 8 not through it).
    // → {1, 2, 3, 9}.
    assert_eq!(p.cases, 4);
    // 9 in 2015; 1, 2 in 2017; 3 in 2018.
    assert_eq!(
        cells(&p, "year"),
        vec![cell("2015", 1), cell("2017", 2), cell("2018", 1)]
    );
    // F: 1, 3; M: 2, 9.
    assert_eq!(cells(&p, "sex"), vec![cell("F", 2), cell("M", 2)]);
    // 30 → 20-59, 70 → 60+, 10 → 0-19, 40 → 20-59.
    assert_eq!(
        cells(&p, "age_class"),
        vec![
            cell("0-19", 1),
            cell("20-59", 2),
            cell("60+", 1),
            cell("inconnu", 0)
        ]
    );
    // Serious: 1, 3, 9; not: 2.
    assert_eq!(
        cells(&p, "seriousness"),
        vec![cell("grave", 3), cell("non grave", 1)]
    );
    // Death: 3; life-threatening: 9; hospitalisation: 1; other: 9.
    assert_eq!(p.count("criterion", "deces"), 1);
    assert_eq!(p.count("criterion", "mise en jeu du pronostic vital"), 1);
    assert_eq!(p.count("criterion", "hospitalisation"), 1);
    assert_eq!(p.count("criterion", "incapacite"), 0);
    assert_eq!(p.count("criterion", "anomalie congenitale"), 0);
    assert_eq!(p.count("criterion", "autre"), 1);
    // Pharmacien: 1, 3; Patient: 2; Médecin spécialiste: 9.
    assert_eq!(
        cells(&p, "notifier"),
        vec![
            cell("Médecin spécialiste", 1),
            cell("Patient", 1),
            cell("Pharmacien", 2)
        ]
    );
    // Nervous system: 1 (two HLTs, once), 3; GI: 1, 2. Case 9 has none.
    assert_eq!(
        cells(&p, "soc"),
        vec![
            cell("Affections du système nerveux", 2),
            cell("Affections gastro-intestinales", 2)
        ]
    );
    assert_eq!(
        cells(&p, "hlt"),
        vec![
            (
                "Affections du système nerveux".into(),
                "Céphalées NCA".into(),
                2
            ),
            (
                "Affections du système nerveux".into(),
                "Vertiges NCA".into(),
                1
            ),
            (
                "Affections gastro-intestinales".into(),
                "Nausées et vomissements".into(),
                2
            ),
        ]
    );
}

/// The linked (name id, code) pairs, resolved as a computation does.
fn linked_pairs(store: &Store) -> Vec<(i64, String)> {
    let mut pairs = Vec::new();
    for row in store.transcoding_rows().unwrap() {
        let resolved = crate::review::resolution(&row);
        if resolved.status.is_linked() {
            pairs.extend(
                resolved
                    .substance_codes
                    .iter()
                    .map(|c| (row.name.id, c.clone())),
            );
        }
    }
    pairs
}

/// Every breakdown of `code` from the index against a plain SQL GROUP BY.
fn assert_agrees_with_sql(store: &Store, c: &Computation<'_>, pairs: &[(i64, String)], code: &str) {
    let ind = c.substance(code).unwrap();
    for dim in Dimension::ALL {
        let mut sql: Vec<(String, String, i64)> = store
            .reference_counts(pairs, code, dim, c.years())
            .unwrap()
            .into_iter()
            .map(|r| (r.category, r.detail, r.count))
            .collect();
        if dim == Dimension::Criterion {
            // The oracle names the columns, in the labels' order.
            for (row, label) in sql.iter_mut().zip(index::CRITERIA) {
                row.0 = label.to_string();
            }
        }
        sql.retain(|r| r.2 > 0);
        let mut ours = cells(&ind, dim.as_str());
        ours.retain(|r| r.2 > 0);
        sql.sort();
        ours.sort();
        assert_eq!(ours, sql, "{code} {}", dim.as_str());
    }
    let total: i64 = store
        .reference_counts(pairs, code, Dimension::Sex, c.years())
        .unwrap()
        .iter()
        .map(|r| r.count)
        .sum();
    assert_eq!(ind.cases, total, "{code} cases");
}

#[test]
fn index_agrees_with_sql_on_the_hand_built_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let pairs = linked_pairs(&store);
    let c = Computation::new(&store, Period::default()).unwrap();
    for code in [PARA, IBU, CODEINE] {
        assert_agrees_with_sql(&store, &c, &pairs, code);
    }
}

#[test]
fn index_agrees_with_sql_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.sqlite");
    crate::sample_workspace::prepare(&path, "test", &Progress::new()).unwrap();
    let store = Store::open(&path).unwrap();
    let pairs = linked_pairs(&store);
    let c = Computation::new(&store, Period::default()).unwrap();
    let list = c.substances().unwrap();
    assert!(list.len() > 50, "{} substances", list.len());
    // The largest, some in the middle and the smallest, over every year
    // and over a narrower period.
    let picked: Vec<&str> = list
        .iter()
        .take(8)
        .chain(list.iter().skip(list.len() / 2).take(4))
        .chain(list.iter().rev().take(4))
        .map(|s| s.code.as_str())
        .collect();
    for code in &picked {
        assert_agrees_with_sql(&store, &c, &pairs, code);
    }
    let years = c.years();
    let narrow = c
        .with_period(Period {
            from: Some(years.from + 1),
            to: Some(years.to - 1),
        })
        .unwrap();
    for code in picked.iter().take(4) {
        assert_agrees_with_sql(&store, &narrow, &pairs, code);
    }
    // The global page counts each linked case once.
    let g = c.global().unwrap();
    let sum_years: i64 = g
        .breakdown("year")
        .unwrap()
        .cells
        .iter()
        .map(|c| c.count)
        .sum();
    assert_eq!(g.cases, sum_years);
}

#[test]
fn substance_list_global_page_and_year_range() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let c = Computation::new(&store, Period::default()).unwrap();
    // Paracetamol 4 (above); ibuprofen: case 1; codeine only through the
    // rejected CODOLIPRANE: absent.
    let list: Vec<(String, i64)> = c
        .substances()
        .unwrap()
        .into_iter()
        .map(|s| (s.code, s.cases))
        .collect();
    assert_eq!(list, vec![(PARA.into(), 4), (IBU.into(), 1)]);
    let found: Vec<String> = c
        .search_substances("0209")
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(found, vec![IBU.to_string()]);
    assert_eq!(c.search_substances("").unwrap().len(), 2);
    // Global: cases with a linked observation: 1, 2, 3, 9 (7, 8 have only
    // pending or rejected names).
    let g = c.global().unwrap();
    assert_eq!(g.cases, 4);
    assert_eq!(g.count("sex", "F"), 2);
    assert!(g.patients.is_none());
    // 2017–2018 leaves case 9 (2015) out.
    let c = Computation::new(
        &store,
        Period {
            from: Some(2017),
            to: Some(2018),
        },
    )
    .unwrap();
    assert_eq!(c.substance(PARA).unwrap().cases, 3);
    assert_eq!(c.substance(IBU).unwrap().cases, 1);
    assert_eq!(c.substance(CODEINE).unwrap().cases, 0);
    let bad = Computation::new(
        &store,
        Period {
            from: Some(2019),
            to: Some(2018),
        },
    );
    assert!(bad.is_err());
}

#[test]
fn published_values_follow_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    // Threshold 1: only counts of 1 are hidden.
    store
        .set_setting(disclosure::SETTING_THRESHOLD, "1")
        .unwrap();
    let c = Computation::new(&store, Period::default()).unwrap();
    let p = c.substance(PARA).unwrap();
    let shown = |dim: &str| -> Vec<Option<i64>> {
        p.breakdown(dim)
            .unwrap()
            .cells
            .iter()
            .map(|c| c.shown.value())
            .collect()
    };
    assert_eq!(p.cases_shown, Shown::Value(4));
    // 2015: 1 and 2018: 1 hidden: two cells adding up to 2 > 1: enough.
    assert_eq!(shown("year"), vec![None, Some(2), None]);
    // non grave 1 hidden alone would be 4 − 3: grave goes too.
    assert_eq!(shown("seriousness"), vec![None, None]);
    assert_eq!(
        p.breakdown("seriousness").unwrap().cells[0].shown,
        Shown::Hidden(disclosure::Reason::Complementary)
    );
    // The criteria detail "grave", hidden: they are hidden with it.
    assert_eq!(shown("criterion"), vec![None; 6]);
    // Overlapping breakdowns alone (SOC: 2 and 2) are shown as they are.
    assert_eq!(shown("soc"), vec![Some(2), Some(2)]);
    // HLT: Vertiges (1) hidden, the two others (2) shown, nothing
    // complementary since HLTs overlap.
    assert_eq!(shown("hlt"), vec![Some(2), None, Some(2)]);
    // Ibuprofen has one case: hidden, and every cell of its breakdowns.
    let i = c.substance(IBU).unwrap();
    assert_eq!(i.cases_shown, Shown::Hidden(disclosure::Reason::SmallCount));
    assert!(
        i.breakdowns
            .iter()
            .flat_map(|b| &b.cells)
            .all(|c| c.shown == Shown::Hidden(disclosure::Reason::TotalHidden))
    );
    // With the default threshold, 4 cases are hidden: so is everything.
    store
        .set_setting(disclosure::SETTING_THRESHOLD, "10")
        .unwrap();
    let c = Computation::new(&store, Period::default()).unwrap();
    let p = c.substance(PARA).unwrap();
    assert_eq!(p.cases_shown.text(), "");
    assert_eq!(p.cases_shown.status(), disclosure::STATUS_MASKED);
    assert!(
        p.breakdowns
            .iter()
            .flat_map(|b| &b.cells)
            .all(|c| c.shown.value().is_none())
    );
}

#[test]
fn approving_a_pending_name_adds_what_the_impact_announced() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(dir.path());
    // DAFLGAN's cases: 3 (already paracetamol through PARACETAMOL), 7, 8.
    let impact = pending_impact(&store, PARA).unwrap();
    assert_eq!(
        impact,
        vec![PendingImpact {
            name: "DAFLGAN".into(),
            level: Level::Produit,
            added_cases: 2
        }]
    );
    // Not proposed for ibuprofen.
    assert!(pending_impact(&store, IBU).unwrap().is_empty());
    let before = Computation::new(&store, Period::default())
        .unwrap()
        .substance(PARA)
        .unwrap()
        .cases;
    let id = name_id(&store, "DAFLGAN");
    approve_candidate(&mut store, id, 1, &Note::by("tester")).unwrap();
    let c = Computation::new(&store, Period::default()).unwrap();
    let after = c.substance(PARA).unwrap();
    assert_eq!(after.cases, before + 2);
    // 7 in 2016 and 8 in 2018 join.
    assert_eq!(after.count("year", "2016"), 1);
    assert_eq!(after.count("year", "2018"), 2);
    // Nothing left pending for paracetamol.
    assert!(c.pending_impact(PARA).unwrap().is_empty());
}

#[test]
fn pending_share_counts_observations_of_pending_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let share = pending_share(&store).unwrap();
    // Observations (duplicates left out): DOLIPRANE 5, IBUPROFENE 1,
    // TRUC 1, @SUM 1, PARACETAMOL 1, DAFLGAN 3, CODOLIPRANE 1,
    // EFERALGAN 1 = 14;
    // pending: DAFLGAN 3 (EFERALGAN is approved).
    assert_eq!(
        share,
        PendingShare {
            pending: 3,
            total: 14
        }
    );
}

/// One pack of a paracetamol CIS, and its Open Medic patients.
pub(crate) fn import_open_medic(store: &mut Store) {
    import_text(
        store,
        "CIS_CIP_bdpm.txt",
        "60234100\t3000001\tboîte\t\t\t\t3400930000001\t\t\t\t\t\t\n",
    );
    import_text(
        store,
        "CIS_COMPO_bdpm.txt",
        &format!("60234100\tcomprimé\t{PARA}\tPARACÉTAMOL\t\t\tSA\t1\n"),
    );
    // (age class, sex, patients) per year; 2020 is outside the cases'
    // years: not counted.
    type Patients = [(i64, i64, i64)];
    let years: [(i64, &Patients); 3] = [
        (2017, &[(20, 2, 5000), (60, 1, 1000)]),
        (2018, &[(0, 2, 9), (20, 1, 4000)]),
        (2020, &[(20, 1, 777)]),
    ];
    for (year, rows) in years {
        let mut text = String::from("CIP13;l_cip13;AGE;sexe;nbc\n");
        for (age, sex, nbc) in rows {
            text.push_str(&format!("3400930000001;;{age};{sex};{nbc}\n"));
        }
        import_text(store, &format!("NB_{year}_cip13_age_sexe.CSV"), &text);
    }
}

#[test]
fn open_medic_patients_level_and_rate() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(dir.path());
    import_open_medic(&mut store);
    store
        .set_setting(disclosure::SETTING_THRESHOLD, "1")
        .unwrap();
    let c = Computation::new(&store, Period::default()).unwrap();
    let p = c.substance(PARA).unwrap();
    let om = p.patients.clone().unwrap();
    // 2017: 5000 + 1000; 2018: 9 + 4000.
    assert_eq!(om.years, vec![2017, 2018]);
    assert_eq!(om.total, 10_009);
    assert_eq!(p.count("patients_year", "2017"), 6000);
    assert_eq!(p.count("patients_year", "2018"), 4009);
    assert_eq!(p.count("patients_sex", "F"), 5009);
    assert_eq!(p.count("patients_sex", "M"), 5000);
    assert_eq!(p.count("patients_age_class", "0-19"), 9);
    assert_eq!(p.count("patients_age_class", "20-59"), 9000);
    assert_eq!(p.count("patients_age_class", "60+"), 1000);
    // 10,009 over 2 years: 5,004.5 a year → "3 000 - 20 000".
    assert_eq!(om.usage_level, "3 000 - 20 000");
    // 4 cases over the 4 years 2015–2018: 1 a year; per 100,000 patients a
    // year: 100000 / 5004.5 ≈ 19.98.
    let rate = om.rate_per_100k.unwrap();
    assert!((rate - 100_000.0 / 5_004.5).abs() < 1e-9, "{rate}");
    // Ibuprofen has no pack: no patients, hence no rate.
    let i = c.substance(IBU).unwrap();
    assert_eq!(i.patients.unwrap().total, 0);
    // Default threshold: the 4 cases are hidden, so is the rate; 9
    // patients aged 0-19 hidden, with 60+ (1000) as complement.
    store
        .set_setting(disclosure::SETTING_THRESHOLD, "10")
        .unwrap();
    let c = Computation::new(&store, Period::default()).unwrap();
    let p = c.substance(PARA).unwrap();
    let om = p.patients.unwrap();
    assert_eq!(om.rate_per_100k, None);
    let ages: Vec<Option<i64>> = om.breakdowns[2]
        .cells
        .iter()
        .map(|c| c.shown.value())
        .collect();
    assert_eq!(ages, vec![None, Some(9000), None]);
}

#[test]
fn usage_levels_follow_ordei() {
    assert_eq!(usage_level(0.0), "< 3 000");
    assert_eq!(usage_level(2_999.0), "< 3 000");
    assert_eq!(usage_level(3_000.0), "3 000 - 20 000");
    assert_eq!(usage_level(99_999.0), "20 000 - 100 000");
    assert_eq!(usage_level(100_000.0), "100 000 - 600 000");
    assert_eq!(usage_level(600_000.0), ">= 600 000");
}
