//! Runs the real `datamed import` and `datamed status` on the real BDPM, on
//! foreign-made workbooks and on the bad-input corpus.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::*;
use rusqlite::Connection;

#[test]
fn real_bdpm_2022_imports_with_malformed_rows_reported() {
    let Some(shared) = shared_data() else {
        eprintln!("../shared/data absent: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let out = datamed_ok(&[
        "import",
        "--workspace",
        s(&w),
        s(&shared.join("bdpm/2022-06")),
    ]);
    assert!(out.contains("CIS_bdpm.txt"), "{out}");
    let status = datamed_ok(&["status", "--workspace", s(&w)]);
    assert!(status.contains("spécialités (BDPM CIS)"), "{status}");
    assert!(status.contains("15,676"), "{status}");
    // The three 12-field COMPO rows and the two 7-field GENER rows, by line.
    for line in [
        "line 26838",
        "line 26839",
        "line 26840",
        "line 10004",
        "line 10005",
    ] {
        assert!(status.contains(line), "missing {line} in\n{status}");
    }
    assert!(
        status.contains("12 fields where 8 are expected"),
        "{status}"
    );
    assert!(status.contains("7 fields where 5 are expected"), "{status}");
    let conn = Connection::open(&w).unwrap();
    let compo: i64 = conn
        .query_row("SELECT count(*) FROM bdpm_compo", [], |r| r.get(0))
        .unwrap();
    assert_eq!(compo, 32_340 - 3);
    let gener: i64 = conn
        .query_row("SELECT count(*) FROM bdpm_gener", [], |r| r.get(0))
        .unwrap();
    assert_eq!(gener, 10_009 - 2);
    let paracetamol: i64 = conn
        .query_row(
            "SELECT count(*) FROM bdpm_compo WHERE code_substance = '02202'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(paracetamol > 100);
    // Accents decoded from cp1252.
    let forme: String = conn
        .query_row(
            "SELECT forme FROM bdpm_cis WHERE cis = '61876780'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(forme, "comprimé pelliculé sécable");
}

#[test]
fn same_file_twice_changes_nothing_unless_replace() {
    let Some(shared) = shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let gener = shared.join("bdpm/2017-03/CIS_GENER_bdpm.txt");
    datamed_ok(&["import", "-w", s(&w), s(&gener)]);
    let before = snapshot(&w);
    let again = datamed_ok(&["import", "-w", s(&w), s(&gener)]);
    assert!(again.contains("already imported as batch 1"), "{again}");
    assert_eq!(snapshot(&w), before);
    datamed_ok(&["import", "-w", s(&w), "--replace", s(&gener)]);
    let conn = Connection::open(&w).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM bdpm_gener", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 8_516);
}

#[test]
fn newer_referential_supersedes_older() {
    let Some(shared) = shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    datamed_ok(&[
        "import",
        "-w",
        s(&w),
        s(&shared.join("bdpm/2017-03/CIS_bdpm.txt")),
    ]);
    datamed_ok(&[
        "import",
        "-w",
        s(&w),
        s(&shared.join("bdpm/2022-06/CIS_bdpm.txt")),
    ]);
    let conn = Connection::open(&w).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM bdpm_cis", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 15_676);
    let superseded: i64 = conn
        .query_row(
            "SELECT count(*) FROM import_batch WHERE superseded_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(superseded, 1);
}

#[test]
fn foreign_xlsx_imports_with_codes_restored_and_rules_applied() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let foreign = root().join("tests/data/foreign");
    let out = datamed_ok(&["import", "-w", s(&w), s(&foreign)]);
    assert!(out.contains("codex-noms-substance"), "{out}");
    let conn = Connection::open(&w).unwrap();
    let codes: Vec<(String, String)> = conn
        .prepare(
            "SELECT code_substance, nom_substance FROM codex_nom_substance ORDER BY nom_substance",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        codes.contains(&("02202".to_string(), "ACETAMINOPHENE".to_string())),
        "{codes:?}"
    );
    assert!(
        !codes
            .iter()
            .any(|(_, n)| n.starts_with("(NE PAS UTILISER)"))
    );
    let canonical: String = conn
        .query_row(
            "SELECT nom_substance FROM codex_substance WHERE code_substance = '02202'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(canonical, "PARACETAMOL");
    // Histo: the LIBRA placeholder and the pre-2000 name are dropped, the
    // Excel date is understood.
    let histo: Vec<(String, Option<String>)> = conn
        .prepare("SELECT nom_ancien_vu, date_creation FROM codex_histo_nom_vu")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        histo,
        vec![(
            "DOLIPRANE 1000MG CPR".to_string(),
            Some("2004-05-17".to_string())
        )]
    );
}

#[test]
fn column_mapping_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let file = dir.path().join("Médicaments.csv");
    std::fs::write(
        &file,
        b"AER_ID;CAS;VER;NOM_MEDICAMENT;TYPE\r\n1;C1;1;DOLIPRANE;Produit\r\n",
    )
    .unwrap();
    let refused = datamed(&["import", "-w", s(&w), s(&file)]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("missing column(s) MEDICAMENT"), "{err}");
    assert!(err.contains("--map MEDICAMENT="), "{err}");
    datamed_ok(&[
        "import",
        "-w",
        s(&w),
        "--map",
        "MEDICAMENT=NOM_MEDICAMENT",
        s(&file),
    ]);
    let second = dir.path().join("Médicaments_2.csv");
    std::fs::write(
        &second,
        b"AER_ID;CAS;VER;NOM_MEDICAMENT;TYPE\r\n2;C2;1;ASPIRINE;Produit\r\n",
    )
    .unwrap();
    datamed_ok(&["import", "-w", s(&w), s(&second)]);
    let conn = Connection::open(&w).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM drug_name WHERE n_obs > 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn usage_errors_exit_2() {
    let out = datamed(&["import"]);
    assert_eq!(out.status.code(), Some(2));
    let out = datamed(&[
        "import",
        "-w",
        "/tmp/x.sqlite",
        "--kind",
        "nonsense",
        "f.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A `Cas-Patients.csv` of `n` cases numbered from `first`.
fn case_rows(first: usize, n: usize) -> String {
    let mut out = String::from(
        "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS\r\n",
    );
    for i in first..first + n {
        out.push_str(&format!(
            "{i};C{i};1;01/02/2016;F;3;MOIS;;Pharmacien;E;OUI;NON;NON;OUI;NON;NON;NON;FRANCE;FRANCE\r\n"
        ));
    }
    out
}

#[test]
fn bnpv_sample_imports_with_every_reference_valid_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let sample = root().join("sample-data");
    let files = ["Cas-Patients.csv", "Médicaments.csv", "Effets.csv"].map(|f| sample.join(f));
    datamed_ok(&[
        "import",
        "-w",
        s(&w),
        s(&files[0]),
        s(&files[1]),
        s(&files[2]),
    ]);
    let counts = |w: &std::path::Path| -> Vec<i64> {
        let conn = Connection::open(w).unwrap();
        // The import writes with foreign keys off: every reference must
        // still hold.
        let broken: i64 = conn
            .prepare("PRAGMA foreign_key_check")
            .unwrap()
            .query_map([], |_| Ok(()))
            .unwrap()
            .count() as i64;
        let q = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        vec![
            broken,
            q("SELECT count(*) FROM case_key"),
            q("SELECT count(*) FROM bnpv_case"),
            q("SELECT count(*) FROM bnpv_drug"),
            q("SELECT count(*) FROM bnpv_effect"),
            q("SELECT count(*) FROM drug_name"),
            // Names count their observations, ORDEI's duplicates left out.
            q("SELECT sum(n_obs) FROM drug_name")
                - q("SELECT count(*) FROM bnpv_drug WHERE duplicate = 0 AND name_id IS NOT NULL"),
            q("SELECT count(DISTINCT line) - count(*) FROM bnpv_drug"),
            q(
                "SELECT count(*) FROM bnpv_case WHERE notif_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'",
            ),
        ]
    };
    // The import went through the rollback journal (the only connection)
    // and gave the workspace back in WAL: bytes 18 and 19 of an SQLite
    // file are 2 in WAL, 1 otherwise.
    let header = std::fs::read(&w).unwrap();
    assert_eq!(&header[18..20], &[2, 2], "the workspace is in WAL again");
    assert!(!dir.path().join("w.sqlite-journal").exists());
    let first = counts(&w);
    assert_eq!(first[0], 0, "foreign key violations");
    assert_eq!(first[1], first[2], "a case key without its case");
    assert!(first[3] > 2048 && first[4] > 2048, "{first:?}");
    assert_eq!(&first[6..], &[0, 0, 0], "{first:?}");
    datamed_ok(&["import", "-w", s(&w), "--replace", s(&files[1])]);
    assert_eq!(counts(&w), first);
}

#[test]
fn a_case_version_already_imported_is_recognised_not_stored_again() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let first = dir.path().join("Cas-Patients.csv");
    std::fs::write(&first, case_rows(1, 3000)).unwrap();
    datamed_ok(&["import", "-w", s(&w), s(&first)]);
    let cases = |w: &Path| -> i64 {
        Connection::open(w)
            .unwrap()
            .query_row("SELECT count(*) FROM bnpv_case", [], |r| r.get(0))
            .unwrap()
    };
    // Past the first batch of rows and inside a many-row statement: case
    // 17 comes again at line 2302 of the second file, the same.
    let mut rows = case_rows(5000, 2300);
    rows.push_str(case_rows(17, 1).lines().nth(1).unwrap());
    rows.push_str("\r\n");
    rows.push_str(case_rows(9000, 500).split_once("\r\n").unwrap().1);
    let second = dir.path().join("Cas-Patients_2.csv");
    std::fs::write(&second, &rows).unwrap();
    let out = datamed_ok(&["import", "-w", s(&w), s(&second)]);
    assert!(
        out.contains("2,800 kept, 1 already in the workspace"),
        "{out}"
    );
    assert_eq!(cases(&w), 5800);
    // The same case version with other values (age 4 months): the stored
    // row stays, with a warning naming the line.
    let changed = rows.replace("17;C17;1;01/02/2016;F;3;", "17;C17;1;01/02/2016;F;4;");
    let third = dir.path().join("Cas-Patients_3.csv");
    std::fs::write(&third, changed).unwrap();
    let before = cases(&w);
    datamed_ok(&["import", "-w", s(&w), s(&third)]);
    assert_eq!(cases(&w), before);
    let status = datamed_ok(&["status", "-w", s(&w)]);
    assert!(
        status.contains(
            "line 2302: case version 17 / C17 / 1 is already in the workspace with other values"
        ),
        "{status}"
    );
}

#[test]
fn a_utf8_file_with_one_invalid_byte_keeps_its_accents_and_names_the_line() {
    // Issue 12, finding 4: the whole file was read as Windows-1252 and
    // "MÃ©decin spÃ©cialiste" became a notifier category.
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let file = root().join("tests/data/bad/Cas-Patients_utf8_one_bad_byte.csv");
    let out = datamed_ok(&["import", "-w", s(&w), s(&file)]);
    assert!(out.contains("(bnpv-cases, UTF-8)"), "{out}");
    assert!(out.contains("): line 4"), "{out}");
    let conn = Connection::open(&w).unwrap();
    let mojibake: i64 = conn
        .query_row(
            "SELECT count(*) FROM bnpv_case WHERE notifier LIKE '%Ã%' OR typ_effet LIKE '%Ã%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mojibake, 0);
    let accented: i64 = conn
        .query_row(
            "SELECT count(*) FROM bnpv_case WHERE notifier = 'Médecin spécialiste'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(accented > 0);
    let issue: i64 = conn
        .query_row(
            "SELECT count(*) FROM import_issue WHERE line = 4 AND message LIKE '%not UTF-8%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(issue, 1);
}

#[cfg(unix)]
#[test]
fn folder_walks_skip_links_back_and_special_files_and_devices_are_refused() {
    // Issue 12, finding 6: `loop -> .` and `up -> ..` walked for ever, a
    // FIFO blocked, /dev/zero filled the memory.
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let data = dir.path().join("extracts");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("Cas-Patients.csv"), case_rows(1, 3)).unwrap();
    std::os::unix::fs::symlink(".", data.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", data.join("up")).unwrap();
    let fifo = data.join("Effets.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = datamed_ok(&["import", "-w", s(&w), s(&data)]);
    assert!(out.contains("3 rows read"), "{out}");
    assert!(
        out.contains("loop: a link to a folder, not followed"),
        "{out}"
    );
    assert!(out.contains("Effets.csv: a FIFO"), "{out}");
    let before = snapshot(&w);
    for (path, what) in [
        (fifo.as_path(), "a FIFO"),
        (std::path::Path::new("/dev/zero"), "a device"),
    ] {
        let out = datamed(&["import", "-w", s(&w), "--kind", "bnpv-cases", s(path)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(what) && err.contains(s(path)), "{err}");
        assert_eq!(snapshot(&w), before);
    }
}

#[test]
fn a_failed_multi_file_import_says_what_was_committed_and_empty_folders_are_reported() {
    // Issue 12, finding 8: files before the failing one stayed committed
    // while stdout was empty; an empty folder or a folder named
    // Cas-Patients.csv gave exit 0 and no message.
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let good = dir.path().join("Cas-Patients.csv");
    std::fs::write(&good, case_rows(1, 3)).unwrap();
    let bad = dir.path().join("Cas-Patients_bad.csv");
    std::fs::write(&bad, case_rows(50, 2).replace("F;3;MOIS", "F;-3;")).unwrap();
    let after = dir.path().join("Cas-Patients_later.csv");
    std::fs::write(&after, case_rows(10, 3)).unwrap();
    let out = datamed(&["import", "-w", s(&w), s(&good), s(&bad), s(&after)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        stdout.contains(&format!("{} (bnpv-cases", s(&good))),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 file(s) committed before the failure"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("not imported: {} (refused", s(&bad))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("not imported: {} (after", s(&after))),
        "{stdout}"
    );
    assert!(err.contains("negative age"), "{err}");
    let before = snapshot(&w);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let misnamed = dir.path().join("folder").join("Cas-Patients.csv");
    std::fs::create_dir_all(&misnamed).unwrap();
    for (path, what) in [
        (&empty, "holds no extract"),
        (&misnamed, "a folder named like a Cas-Patients.csv file"),
    ] {
        let out = datamed(&["import", "-w", s(&w), s(path)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(what) && err.contains(s(path)), "{err}");
        assert_eq!(snapshot(&w), before);
    }
}
