//! Tests of the whole generator against the real shared data (skipped with
//! a note when ../shared/data is absent), and the ignored test that writes
//! the committed sample.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};

use super::*;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn shared_data() -> Option<PathBuf> {
    let path = PathBuf::from(SHARED);
    if path.join("bdpm/2022-06/CIS_bdpm.txt").is_file() {
        Some(path)
    } else {
        println!("note: {SHARED} is absent; test skipped");
        None
    }
}

fn options(shared: &Path, out_dir: PathBuf, cases: usize, seed: u64) -> SampleOptions {
    SampleOptions {
        out_dir,
        cases,
        seed,
        bdpm_current: shared.join("bdpm/2022-06"),
        bdpm_former: shared.join("bdpm/2017-03"),
        datamed_dir: shared.join("datamed"),
        with_bdpm_subset: true,
    }
}

fn read_cp1252(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "{} should be cp1252, not UTF-8",
        path.display()
    );
    encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
}

/// Rows of a sheet as strings, numbers printed as integers.
fn sheet(path: &Path) -> Vec<Vec<String>> {
    let mut workbook = open_workbook_auto(path).unwrap();
    let name = path.file_stem().unwrap().to_string_lossy().to_string();
    let range = workbook.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => format!("{}", *f as i64),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::DateTime(d) => format!("date:{}", d.as_f64()),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn same_seed_same_bytes() {
    let Some(shared) = shared_data() else { return };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = generate(
        &options(&shared, a.path().to_path_buf(), 300, 5),
        &Progress::default(),
    )
    .unwrap();
    let second = generate(
        &options(&shared, b.path().to_path_buf(), 300, 5),
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(first.files.len(), second.files.len());
    for (x, y) in first.files.iter().zip(&second.files) {
        assert_eq!(
            x.strip_prefix(a.path()).unwrap(),
            y.strip_prefix(b.path()).unwrap()
        );
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs",
            x.display()
        );
    }
    let c = tempfile::tempdir().unwrap();
    generate(
        &options(&shared, c.path().to_path_buf(), 300, 6),
        &Progress::default(),
    )
    .unwrap();
    assert_ne!(
        std::fs::read(a.path().join(DRUGS_FILE)).unwrap(),
        std::fs::read(c.path().join(DRUGS_FILE)).unwrap(),
        "another seed gives other cases"
    );
}

/// One generated sample, checked for every promise of the brief; the
/// checks run in sequence on one generation, which keeps the test quick.
#[test]
fn generated_sample_keeps_its_promises() {
    let Some(shared) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(
        &options(&shared, dir.path().to_path_buf(), 3000, 11),
        &Progress::default(),
    )
    .unwrap();
    files_are_cp1252_crlf_with_exact_headers(dir.path(), &summary);
    type_levels_and_cases_look_real(dir.path(), &summary);
    truth_covers_every_name_with_codes_of_the_codex(dir.path(), &summary);
    codex_holds_the_worked_examples_and_the_noise(dir.path());
    bdpm_subset_is_a_byte_identical_line_subset(dir.path(), &shared);
}

fn files_are_cp1252_crlf_with_exact_headers(dir: &Path, summary: &SampleSummary) {
    for (file, header, rows) in [
        (CASES_FILE, bnpv::CASES_HEADER, summary.cases),
        (DRUGS_FILE, bnpv::DRUGS_HEADER, summary.drug_rows),
        (EFFECTS_FILE, bnpv::EFFECTS_HEADER, summary.effect_rows),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let lf = bytes.iter().filter(|&&b| b == b'\n').count();
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, crlf, "{file}: every line ends with CRLF");
        assert!(bytes.ends_with(b"\r\n"));
        let text = read_cp1252(&dir.join(file));
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(header), "{file} header");
        assert_eq!(lines.count(), rows, "{file} rows");
    }
    assert!(dir.join("Médicaments.csv").is_file());
}

fn type_levels_and_cases_look_real(dir: &Path, summary: &SampleSummary) {
    let text = read_cp1252(&dir.join(DRUGS_FILE));
    let mut types: HashMap<String, usize> = HashMap::new();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    let mut duplicates = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.rsplitn(2, ';').collect();
        *types.entry(fields[0].to_string()).or_default() += 1;
        if !keys.insert(line.to_string()) {
            duplicates += 1;
        }
    }
    let total = summary.drug_rows as f64;
    let share = |t: &str| *types.get(t).unwrap_or(&0) as f64 / total;
    assert!((share("Spécialité") - 0.40).abs() < 0.03, "{types:?}");
    assert!((share("Produit") - 0.42).abs() < 0.03, "{types:?}");
    assert!((share("Substance") - 0.18).abs() < 0.03, "{types:?}");
    assert!(share("") < 0.02, "{types:?}");
    assert!(duplicates > 0, "a few exact duplicate rows");
    let per_case = total / summary.cases as f64;
    assert!(
        (2.3..2.9).contains(&per_case),
        "{per_case} drug rows per case"
    );
    let effects = summary.effect_rows as f64 / summary.cases as f64;
    assert!((2.0..3.0).contains(&effects), "{effects} effects per case");

    let cases = read_cp1252(&dir.join(CASES_FILE));
    let mut case_keys = BTreeSet::new();
    let mut serious = 0;
    let mut units = BTreeSet::new();
    for line in cases.lines().skip(1) {
        let f: Vec<&str> = line.split(';').collect();
        assert_eq!(f.len(), 19, "{line}");
        assert!(case_keys.insert((f[0], f[1], f[2])), "unique case key");
        let year: i32 = f[3][6..].parse().unwrap();
        assert!((2009..=2018).contains(&year));
        units.insert(f[6]);
        if f[10] == "OUI" {
            serious += 1;
            assert!(f[11..17].contains(&"OUI"), "serious cases meet a criterion");
        } else {
            assert!(!f[11..17].contains(&"OUI"));
        }
    }
    let serious = f64::from(serious) / summary.cases as f64;
    assert!((0.35..0.45).contains(&serious), "{serious}");
    for unit in ["", "MOIS", "SEMAINES", "JOURS"] {
        assert!(units.contains(unit), "unit {unit}");
    }
    assert!(
        cases.contains(";2,5;") || cases.contains(",5;"),
        "decimal comma ages"
    );
}

fn truth_covers_every_name_with_codes_of_the_codex(dir: &Path, summary: &SampleSummary) {
    let composants = sheet(&dir.join("dbo_Composants.xlsx"));
    assert_eq!(
        composants[0],
        ["codeVU", "codeSubstance", "codeNomSubstance", "codeNature"]
    );
    let active: BTreeSet<String> = composants[1..]
        .iter()
        .filter(|r| r[3] == "3")
        .map(|r| format!("{:0>5}", r[1]))
        .collect();
    let mut reader = csv::Reader::from_path(dir.join(TRUTH_FILE)).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["medicament", "type", "truth_codes"]
    );
    let mut truth: BTreeMap<(String, String), String> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        for code in record[2].split('|').filter(|c| !c.is_empty()) {
            assert_eq!(code.len(), 5);
            assert!(
                active.contains(code),
                "{code} of {:?} is in the CODEX",
                &record[0]
            );
        }
        let previous = truth.insert(
            (record[0].to_string(), record[1].to_string()),
            record[2].to_string(),
        );
        assert!(previous.is_none(), "one row per (medicament, type)");
    }
    let names: BTreeSet<&String> = truth.keys().map(|k| &k.0).collect();
    assert_eq!(names.len(), summary.distinct_names);
    let drugs = read_cp1252(&dir.join(DRUGS_FILE));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(drugs.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        let key = (record[3].to_string(), record[4].to_string());
        assert!(truth.contains_key(&key), "{key:?} has a truth row");
    }
    let get = |name: &str, t: &str| truth.get(&(name.to_string(), t.to_string())).cloned();
    assert_eq!(get("ACETAMINOPHENE", "Substance").as_deref(), Some("02202"));
    assert_eq!(get("BORLUX", "Produit").as_deref(), Some("79600"));
    assert_eq!(
        get(
            "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion",
            "Spécialité"
        )
        .as_deref(),
        Some("03236")
    );
    assert_eq!(
        get("TRAITEMENT HABITUEL", "Produit").unwrap_or_default(),
        ""
    );
}

fn codex_holds_the_worked_examples_and_the_noise(dir: &Path) {
    let noms = sheet(&dir.join("dbo_NomsSubstance.xlsx"));
    assert_eq!(
        noms[0],
        ["codeNomSubstance", "codeSubstance", "nomSubstance"]
    );
    assert!(
        noms.iter()
            .any(|r| r[1] == "2202" && r[2] == "ACETAMINOPHENE")
    );
    assert!(
        noms.iter()
            .any(|r| r[0] == "2202" && r[1] == "2202" && r[2] == "PARACETAMOL")
    );
    assert!(
        noms.iter()
            .any(|r| r[0] == "79600" && r[2] == "CEFUROXIME AXETIL")
    );
    assert!(noms.iter().any(|r| r[2].starts_with("(NE PAS UTILISER)")));

    let vu = sheet(&dir.join("dbo_VU.xlsx"));
    let produit = sheet(&dir.join("dbo_Produit.xlsx"));
    let histo = sheet(&dir.join("HDH_Produit-Histo.xlsx"));
    let composants = sheet(&dir.join("dbo_Composants.xlsx"));
    let borlux: Vec<&Vec<String>> = histo.iter().filter(|r| r[1] == "BORLUX").collect();
    assert_eq!(borlux.len(), 1);
    assert_eq!(borlux[0][3], "CEFUROXIME ZENTIVA");
    assert!(
        produit
            .iter()
            .any(|r| r[0] == borlux[0][2] && r[1] == "CEFUROXIME ZENTIVA")
    );
    let cefuroxime_vus: Vec<&String> = vu
        .iter()
        .filter(|r| r[2] == borlux[0][2])
        .map(|r| &r[0])
        .collect();
    assert!(!cefuroxime_vus.is_empty());
    for v in cefuroxime_vus {
        assert!(
            composants
                .iter()
                .any(|c| &c[0] == v && c[1] == "79600" && c[3] == "3")
        );
    }
    let mut old_codes: HashMap<&str, usize> = HashMap::new();
    for r in &histo[1..] {
        *old_codes.entry(r[0].as_str()).or_default() += 1;
    }
    assert!(
        old_codes.values().filter(|&&n| n > 1).count() >= 3,
        "ambiguous old product names"
    );

    for cis in ["64661854", "64367525"] {
        let row = vu.iter().find(|r| r[1] == cis).unwrap();
        assert!(row[3].starts_with("ADRIBLASTINE 50 mg"));
        assert!(
            composants
                .iter()
                .any(|c| c[0] == row[0] && c[1] == "3236" && c[3] == "3")
        );
    }

    let histo_vu = sheet(&dir.join("dbo_HistoNomsVU.xlsx"));
    assert_eq!(
        histo_vu[0],
        ["codeVU", "nomAncienVU", "dateCreation", "codeProduit"]
    );
    // Excel serial 36526 is 2000-01-01.
    let serial = |r: &Vec<String>| r[2].strip_prefix("date:").unwrap().parse::<f64>().unwrap();
    assert!(histo_vu[1..].iter().any(|r| serial(r) < 36526.0));
    assert!(histo_vu[1..].iter().any(|r| r[1] == "INCONNU (LIBRA)"));
    assert!(
        histo_vu[1..].iter().any(|r| r[1].contains("MYLAN")),
        "MYLAN → VIATRIS renames"
    );
    for (name, columns) in codex::TABLES {
        let rows = sheet(&dir.join(format!("{name}.xlsx")));
        assert_eq!(rows[0], columns, "{name} columns");
    }
}

fn bdpm_subset_is_a_byte_identical_line_subset(dir: &Path, shared: &Path) {
    for name in [
        "CIS_bdpm.txt",
        "CIS_CIP_bdpm.txt",
        "CIS_COMPO_bdpm.txt",
        "CIS_GENER_bdpm.txt",
    ] {
        let original = std::fs::read(shared.join("bdpm/2022-06").join(name)).unwrap();
        let subset = std::fs::read(dir.join("bdpm").join(name)).unwrap();
        assert!(!subset.is_empty(), "{name}");
        let mut original_lines = original.split_inclusive(|&b| b == b'\n');
        for line in subset.split_inclusive(|&b| b == b'\n') {
            assert!(
                original_lines.any(|o| o == line),
                "{name}: line in original order"
            );
        }
    }
    let cis = std::fs::read(dir.join("bdpm/CIS_bdpm.txt")).unwrap();
    for worked in ["64661854\t", "64367525\t", "63992335\t"] {
        assert!(cis.windows(worked.len()).any(|w| w == worked.as_bytes()));
    }
}

/// Writes the committed sample into sample-data/ (run with
/// `cargo test --lib sample -- --ignored`).
#[test]
#[ignore]
fn write_committed_sample() {
    let Some(shared) = shared_data() else { return };
    let out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data"));
    let started = std::time::Instant::now();
    let summary = generate(&options(&shared, out, 2000, 42), &Progress::default()).unwrap();
    println!("{summary:#?} in {:?}", started.elapsed());
}

/// The committed sample is what the generator writes today: regenerate it
/// (see `write_committed_sample`) after changing the generator.
#[test]
fn committed_sample_is_current() {
    let Some(shared) = shared_data() else { return };
    let committed = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data"));
    if !committed.join(DRUGS_FILE).is_file() {
        println!("note: no committed sample; test skipped");
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    let summary = generate(
        &options(&shared, fresh.path().to_path_buf(), 2000, 42),
        &Progress::default(),
    )
    .unwrap();
    for file in &summary.files {
        let relative = file.strip_prefix(fresh.path()).unwrap();
        assert!(
            std::fs::read(file).unwrap() == std::fs::read(committed.join(relative)).unwrap(),
            "sample-data/{} is stale: run `cargo test --lib sample -- --ignored`",
            relative.display()
        );
    }
}
