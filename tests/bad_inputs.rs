//! The bad-input corpus (tests/data/bad/README.md): each file imported
//! alone through the real `datamed` binary, checked for its exit code, its
//! message (naming the file) and, when refused, a workspace left exactly as
//! it was; when imported with a warning, the warning printed.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

/// One row of the corpus table.
struct Expected {
    file: String,
    exit: i32,
    fragment: String,
}

/// The rows of the table in tests/data/bad/README.md.
fn corpus() -> Vec<Expected> {
    let readme = std::fs::read_to_string(root().join("tests/data/bad/README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| file "))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "three cells: {l}");
            let outcome = cells[2];
            let exit = outcome
                .strip_prefix("exit ")
                .and_then(|o| o.chars().next())
                .and_then(|c| c.to_digit(10))
                .unwrap_or_else(|| panic!("no exit code: {l}")) as i32;
            let fragment = outcome
                .split('`')
                .nth(1)
                .unwrap_or_else(|| panic!("no `fragment`: {l}"))
                .to_string();
            Expected {
                file: cells[0].to_string(),
                exit,
                fragment,
            }
        })
        .collect()
}

/// A workspace holding one good case, to see that nothing changes.
fn workspace(dir: &std::path::Path) -> std::path::PathBuf {
    let w = dir.join("w.sqlite");
    let good = dir.join("Cas-Patients.csv");
    std::fs::write(
        &good,
        "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS\r\n\
         900;C900;1;01/02/2016;M;3;MOIS;;Pharmacien;E;OUI;NON;NON;OUI;NON;NON;NON;FRANCE;FRANCE\r\n",
    )
    .unwrap();
    datamed_ok(&["import", "-w", s(&w), s(&good)]);
    w
}

#[test]
fn every_bad_file_has_its_documented_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace(dir.path());
    let before = snapshot(&w);
    let bad_dir = root().join("tests/data/bad");
    let rows = corpus();
    let mut fresh_dirs = Vec::new();
    let listed: std::collections::BTreeSet<String> = rows.iter().map(|r| r.file.clone()).collect();
    for entry in std::fs::read_dir(&bad_dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name == "README.md" || listed.contains(&name),
            "{name} is not in README.md"
        );
    }
    for row in &rows {
        let name = &row.file;
        let path = bad_dir.join(name);
        let target = if row.exit == 0 {
            // A file imported with a warning changes its own workspace.
            let fresh = tempfile::tempdir().unwrap();
            let w = workspace(fresh.path());
            fresh_dirs.push(fresh);
            w
        } else {
            w.clone()
        };
        let out = datamed(&["import", "-w", s(&target), s(&path)]);
        let err = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(row.exit), "{name}: {err}{stdout}");
        if row.exit == 0 {
            assert!(
                stdout.contains(&row.fragment),
                "{name}: no warning \"{}\": {stdout}",
                row.fragment
            );
            continue;
        }
        assert!(
            err.contains(name.as_str()),
            "{name}: message does not name the file: {err}"
        );
        assert!(
            err.contains(&row.fragment),
            "{name}: message lacks \"{}\": {err}",
            row.fragment
        );
        assert_eq!(
            err.matches("error:").count(),
            1,
            "{name}: one message: {err}"
        );
        assert_eq!(snapshot(&w), before, "{name} changed the workspace");
    }
    assert!(rows.len() >= 40, "only {} bad files", rows.len());
}
