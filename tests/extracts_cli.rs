//! Newer extracts on top of older ones with the real `datamed`: the same
//! file twice, a file then a superset of it, `--replace` by file name, and
//! the cases a cumulative extract leaves out. No count may change but what
//! the newer file really brings.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rusqlite::Connection;

const BNPV_FILES: [&str; 3] = ["Cas-Patients.csv", "Médicaments.csv", "Effets.csv"];

fn sample(file: &str) -> PathBuf {
    root().join("sample-data").join(file)
}

/// The lines of a file (header first), without line ends: bytes, as the
/// sample is cp1252.
fn lines(path: &Path) -> Vec<Vec<u8>> {
    std::fs::read(path)
        .unwrap()
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .filter(|l| !l.is_empty())
        .collect()
}

fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = Vec::new();
    for l in lines {
        text.extend_from_slice(l);
        text.extend_from_slice(b"\r\n");
    }
    std::fs::write(path, text).unwrap();
}

/// What the workspace counts: rows per table, the case versions that
/// count, every drug name's observations and cases.
fn counts(w: &Path) -> Vec<(String, i64)> {
    let conn = Connection::open(w).unwrap();
    let mut out = Vec::new();
    for table in [
        "bnpv_case",
        "bnpv_drug",
        "bnpv_effect",
        "case_key",
        "bdpm_cis",
        "bdpm_cip",
        "bdpm_compo",
        "bdpm_gener",
        "codex_vu",
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        out.push((table.to_string(), n));
    }
    let counted: i64 = conn
        .query_row(
            "SELECT count(*) FROM case_current WHERE retired_by IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out.push(("counted cases".into(), counted));
    let mut stmt = conn
        .prepare("SELECT level || ' ' || name, n_obs * 1000000 + n_cases FROM drug_name WHERE n_obs > 0 ORDER BY 1")
        .unwrap();
    let names: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    out.extend(names);
    out
}

fn import(w: &Path, files: &[PathBuf], extra: &[&str]) -> String {
    let mut args = vec!["import", "-w", s(w)];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(|p| s(p)));
    datamed_ok(&args)
}

/// The sample's BNPV files, each with more rows: a follow-up version of
/// the first 30 cases (new AER_ID, VER + 1, one drug changed), a new case,
/// one more drug and one more effect on a case already there.
fn supersets(out: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for file in BNPV_FILES {
        let mut rows = lines(&sample(file));
        let followed: Vec<Vec<u8>> = lines(&sample(BNPV_FILES[0]))[1..=30]
            .iter()
            .map(|l| {
                l.splitn(4, |b| *b == b';')
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(&b';')
            })
            .collect();
        let mut more = Vec::new();
        for line in &rows[1..] {
            let mut parts = line.splitn(4, |b| *b == b';');
            let key: Vec<u8> = parts.by_ref().take(3).collect::<Vec<_>>().join(&b';');
            if followed.contains(&key) {
                let k: Vec<String> = key
                    .split(|b| *b == b';')
                    .map(|p| String::from_utf8_lossy(p).to_string())
                    .collect();
                let ver: u32 = k[2].parse().unwrap();
                let mut row = format!("9{};{};{};", k[0], k[1], ver + 1).into_bytes();
                let rest = parts.next().unwrap_or_default();
                if file == BNPV_FILES[1] && rest.starts_with(b"A") {
                    row.extend_from_slice(b"IBUPROFENE;Substance");
                } else {
                    row.extend_from_slice(rest);
                }
                more.push(row);
            }
        }
        let first_key: Vec<u8> = rows[1]
            .splitn(4, |b| *b == b';')
            .take(3)
            .collect::<Vec<_>>()
            .join(&b';');
        match file {
            "Cas-Patients.csv" => more.push(
                b"8000001;LM209900001;1;10/03/2017;F;30;;;Pharmacien;Effet;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE".to_vec(),
            ),
            "Médicaments.csv" => {
                more.push(b"8000001;LM209900001;1;DOLIPRANE;Produit".to_vec());
                let mut row = first_key.clone();
                row.extend_from_slice(b";KETOPROFENE;Substance");
                more.push(row);
            }
            _ => {
                more.push(b"8000001;LM209900001;1;;Affections gastro-intestinales;Diarrh".to_vec());
                let mut row = first_key.clone();
                row.extend_from_slice(b";;Affections gastro-intestinales;Diarrh");
                more.push(row);
            }
        }
        assert!(more.len() > 3, "{file}");
        rows.extend(more);
        let path = out.join(file);
        write_lines(&path, &rows);
        files.push(path);
    }
    files
}

#[test]
fn every_bnpv_file_twice_or_then_a_superset_counts_as_the_last_alone() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let files: Vec<PathBuf> = BNPV_FILES.iter().map(|f| sample(f)).collect();
    import(&w, &files, &[]);
    let first = counts(&w);
    // The same files again: recognised, nothing imported.
    let again = import(&w, &files, &[]);
    assert_eq!(
        again.matches("already imported as batch").count(),
        3,
        "{again}"
    );
    assert_eq!(counts(&w), first);
    // Every file of a superset (another folder, the same names).
    let bigger = supersets(&dir.path().join("month2"));
    let out = import(&w, &bigger, &[]);
    assert!(
        out.contains("already in the workspace (not stored again)"),
        "{out}"
    );
    assert!(
        out.contains("cases: 1 added, 30 updated (newer version)"),
        "{out}"
    );
    let alone = dir.path().join("alone.sqlite");
    import(&alone, &bigger, &[]);
    assert_eq!(counts(&w), counts(&alone));
    assert_ne!(counts(&w), first, "the superset brings something");
    // A file of the superset again, as a copy under another name and with
    // its rows in another order: nothing new.
    let mut shuffled = lines(&bigger[1]);
    shuffled[1..].reverse();
    let copy = dir.path().join("copy/Médicaments (copie).csv");
    write_lines(&copy, &shuffled);
    import(&w, &[copy], &["--kind", "bnpv-drugs"]);
    assert_eq!(counts(&w), counts(&alone));
}

#[test]
fn replace_takes_the_place_of_the_batch_of_the_same_name_whatever_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let drugs = sample(BNPV_FILES[1]);
    import(&w, &[sample(BNPV_FILES[0]), drugs.clone()], &[]);
    let before = counts(&w);
    // One row fewer, another changed: not the same bytes.
    let mut rows = lines(&drugs);
    rows.pop();
    let last = rows.len() - 1;
    rows[last] = rows[last]
        .splitn(4, |b| *b == b';')
        .take(3)
        .collect::<Vec<_>>()
        .join(&b';');
    rows[last].extend_from_slice(b";ASPIRINE;Substance");
    let newer = dir.path().join("month2/Médicaments.csv");
    write_lines(&newer, &rows);
    import(&w, std::slice::from_ref(&newer), &["--replace"]);
    let conn = Connection::open(&w).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM bnpv_drug", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, rows.len() as i64 - 1, "the newer file's rows, once");
    let batches: i64 = conn
        .query_row(
            "SELECT count(*) FROM import_batch WHERE kind = 'bnpv-drugs'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(batches, 1);
    // The same as that file alone.
    let alone = dir.path().join("alone.sqlite");
    import(&alone, &[sample(BNPV_FILES[0]), newer], &[]);
    assert_eq!(counts(&w), counts(&alone));
    assert_ne!(counts(&w), before);
}

#[test]
fn cases_left_out_of_a_newer_extract_are_reported_and_retired_with_cumulative() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let files: Vec<PathBuf> = BNPV_FILES.iter().map(|f| sample(f)).collect();
    import(&w, &files, &[]);
    let counted = |w: &Path| -> (i64, i64) {
        let conn = Connection::open(w).unwrap();
        conn.query_row(
            "SELECT (SELECT count(*) FROM case_current WHERE retired_by IS NULL), (SELECT sum(n_obs) FROM drug_name)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let (cases, observations) = counted(&w);
    let mut rows = lines(&files[0]);
    rows.truncate(rows.len() - 25);
    let newer = dir.path().join("month2/Cas-Patients.csv");
    write_lines(&newer, &rows);
    let out = import(&w, std::slice::from_ref(&newer), &[]);
    assert!(
        out.contains("25 cases of the workspace are not in this file"),
        "{out}"
    );
    assert_eq!(
        counted(&w),
        (cases, observations),
        "reported, still counted"
    );
    // The same file, declared cumulative: read again, the 25 retired.
    let out = import(&w, std::slice::from_ref(&newer), &["--cumulative"]);
    assert!(out.contains("25 retired"), "{out}");
    let (now, fewer) = counted(&w);
    assert_eq!(now, cases - 25);
    assert!(fewer < observations);
    // Retired, not deleted: the versions stay stored.
    assert_eq!(counts(&w)[0], ("bnpv_case".to_string(), cases));
}

#[test]
fn a_referential_twice_or_then_a_superset_counts_as_the_last_alone() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let bdpm = root().join("sample-data/bdpm");
    let vu = sample("dbo_VU.xlsx");
    import(&w, &[bdpm.clone(), vu.clone()], &[]);
    let first = counts(&w);
    let again = import(&w, &[bdpm.clone(), vu], &[]);
    assert_eq!(
        again.matches("already imported as batch").count(),
        5,
        "{again}"
    );
    assert_eq!(counts(&w), first);
    // A newer CIS file with one more specialty.
    let mut rows = lines(&bdpm.join("CIS_bdpm.txt"));
    let mut extra = rows[0].clone();
    extra.splice(0..8, b"69999999".iter().copied());
    rows.push(extra);
    let newer = dir.path().join("month2/CIS_bdpm.txt");
    write_lines(&newer, &rows);
    import(&w, &[newer], &[]);
    let after = counts(&w);
    let cis = |c: &[(String, i64)]| c.iter().find(|(t, _)| t == "bdpm_cis").unwrap().1;
    assert_eq!(cis(&after), rows.len() as i64);
    assert_eq!(cis(&after), cis(&first) + 1);
}
