//! Month after month with the real `datamed`: follow-up versions of cases
//! count once, in their latest version.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use common::*;

const BNPV_FILES: [&str; 3] = ["Cas-Patients.csv", "Médicaments.csv", "Effets.csv"];

/// The data lines of a cp1252 CSV file (header first), without line ends.
fn lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The (AER_ID, CAS, VER) key of a BNPV line and the rest of it.
fn split_key(line: &[u8]) -> ([Vec<u8>; 3], Vec<u8>) {
    let mut parts = line.splitn(4, |b| *b == b';');
    let key = [(); 3].map(|_| parts.next().unwrap().to_vec());
    (key, parts.next().unwrap_or_default().to_vec())
}

/// Writes into `out` the sample's three BNPV files with, appended to each,
/// a follow-up version of the first `n` cases: another AER_ID, VER + 1,
/// the same content.
fn sample_with_follow_ups(out: &Path, n: usize) {
    std::fs::create_dir_all(out).unwrap();
    let sample = root().join("sample-data");
    let cases = lines(&sample.join(BNPV_FILES[0]));
    let followed: HashSet<[Vec<u8>; 3]> = cases[1..=n].iter().map(|l| split_key(l).0).collect();
    for file in BNPV_FILES {
        let mut text = Vec::new();
        let rows = lines(&sample.join(file));
        let mut appended = Vec::new();
        for line in &rows {
            text.extend_from_slice(line);
            text.extend_from_slice(b"\r\n");
            let (key, rest) = split_key(line);
            if followed.contains(&key) {
                let ver: u32 = String::from_utf8(key[2].clone()).unwrap().parse().unwrap();
                let mut row = format!("9{};", String::from_utf8_lossy(&key[0])).into_bytes();
                row.extend_from_slice(&key[1]);
                row.extend_from_slice(format!(";{};", ver + 1).as_bytes());
                row.extend_from_slice(&rest);
                appended.push(row);
            }
        }
        assert!(!appended.is_empty(), "{file}");
        for row in appended {
            text.extend_from_slice(&row);
            text.extend_from_slice(b"\r\n");
        }
        std::fs::write(out.join(file), text).unwrap();
    }
}

/// Every portal file but the manifest, by name.
fn portal(w: &Path, out: &Path) -> Vec<(String, Vec<u8>)> {
    datamed_ok(&[
        "export",
        "portal",
        "-w",
        s(w),
        "--out",
        s(out),
        "--allow-pending",
    ]);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "manifest.json")
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() > 10, "{} files", files.len());
    files
}

/// A copy of the bundled sample, imported and matched, at `w`.
fn sample_workspace(w: &Path) -> PathBuf {
    std::fs::copy(matched_sample_template(), w).unwrap();
    w.to_path_buf()
}

#[test]
fn follow_up_versions_of_sample_cases_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let original = sample_workspace(&dir.path().join("a.sqlite"));
    let extract = dir.path().join("extract");
    sample_with_follow_ups(&extract, 40);
    // The case files of the sample with the follow-ups, and the sample's
    // referential (CODEX workbooks, BDPM files).
    let w = dir.path().join("b.sqlite");
    let mut files: Vec<PathBuf> = BNPV_FILES.iter().map(|f| extract.join(f)).collect();
    files.extend(
        std::fs::read_dir(root().join("sample-data"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx")),
    );
    files.push(root().join("sample-data/bdpm"));
    let mut args = vec!["import", "-w", s(&w)];
    args.extend(files.iter().map(|p| s(p)));
    datamed_ok(&args);
    datamed_ok(&["match", "-w", s(&w)]);
    let global = |w: &Path| datamed_ok(&["indicators", "-w", s(w), "--global", "--unmasked"]);
    assert_eq!(global(&w), global(&original));
    let transcoding = |w: &Path, out: &Path| {
        datamed_ok(&["export", "transcoding", "-w", s(w), "--out", s(out)]);
        std::fs::read(out).unwrap()
    };
    assert_eq!(
        transcoding(&w, &dir.path().join("b.csv")),
        transcoding(&original, &dir.path().join("a.csv"))
    );
    assert_eq!(
        portal(&w, &dir.path().join("portal-b")),
        portal(&original, &dir.path().join("portal-a"))
    );
}
