//! Runs the real `datamed export portal --dry-run` on the bundled sample:
//! with no export recorded it says so and writes nothing; after an export
//! it finds no change; after a review step and a new disclosure threshold
//! it reports the changes — checked against the files the next export
//! actually writes — and the manifests chain each export to the one
//! before.

// A failing test should stop at the failing call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every published count of an export's CSV files but the transcoding
/// table, keyed by file, row key and column: `Some(value)` shown, `None`
/// hidden.
fn counts(dir: &Path) -> HashMap<(String, String, String), Option<String>> {
    let mut out = HashMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".csv") || name == "transcoding.csv" {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let col = |c: &str| header.iter().position(|h| h == c);
        let keys: Vec<usize> = ["substance_code", "category", "detail"]
            .iter()
            .filter_map(|c| col(c))
            .collect();
        for record in reader.records() {
            let r = record.unwrap();
            let key: Vec<&str> = keys.iter().map(|&i| &r[i]).collect();
            for (count, status) in [
                ("count", "status"),
                ("cases", "cases_status"),
                ("patients", "patients_status"),
            ] {
                if let (Some(c), Some(s)) = (col(count), col(status)) {
                    let value = (&r[s] != "masque").then(|| r[c].to_string());
                    out.insert((name.clone(), key.join("|"), count.to_string()), value);
                }
            }
        }
    }
    out
}

/// The figure before `word` on the dry run's line starting with `line`.
fn figure(report: &str, line: &str, word: &str) -> usize {
    let l = report
        .lines()
        .find(|l| l.starts_with(line))
        .unwrap_or_else(|| panic!("no line {line}:\n{report}"));
    let before = &l[..l.find(word).unwrap_or_else(|| panic!("{word} in {l}"))];
    before
        .split([' ', ':'])
        .rfind(|w| !w.is_empty())
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

#[test]
fn the_dry_run_says_what_the_next_export_changes_and_exports_chain() {
    let (dir, w) = matched_sample_copy();
    let dry = |extra: &[&str]| {
        let mut args = vec!["export", "portal", "-w", s(&w), "--dry-run"];
        args.extend(extra);
        datamed_ok(&args)
    };
    // Nothing recorded yet: everything is new, nothing written.
    let untouched = dir.path().join("not written");
    let first = dry(&["--out", s(&untouched)]);
    assert!(first.contains("no export recorded"), "{first}");
    assert!(first.contains("export would be refused") || first.contains("would publish"));
    assert!(!untouched.exists());
    assert!(figure(&first, "substances:", "added") > 100, "{first}");

    let p1 = dir.path().join("p1");
    datamed_ok(&[
        "export",
        "portal",
        "-w",
        s(&w),
        "--out",
        s(&p1),
        "--allow-pending",
    ]);
    let m1 = manifest(&p1);
    let id1 = m1["export_id"].as_str().unwrap().to_string();
    assert_eq!(id1.len(), 16);
    assert!(m1["previous_export"].is_null());

    let same = dry(&[]);
    assert!(
        same.contains(&format!("against the last export, {id1}")),
        "{same}"
    );
    assert!(same.contains("no change"), "{same}");

    // A review step and a lower disclosure threshold.
    let tsv = datamed_ok(&["review", "queue", "-w", s(&w), "--tsv", "--limit", "1"]);
    let cols: Vec<String> = tsv
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .map(str::to_string)
        .collect();
    let (level, name) = (&cols[1], &cols[8]);
    datamed_ok(&[
        "review",
        "approve",
        "-w",
        s(&w),
        "--name",
        name,
        "--level",
        level,
        "--rank",
        "1",
    ]);
    datamed_ok(&[
        "settings",
        "-w",
        s(&w),
        "disclosure.threshold",
        "5",
        "--author",
        "test",
    ]);
    let manifest_before = std::fs::read(p1.join("manifest.json")).unwrap();
    let report = dry(&[]);
    // The dry run wrote nothing, not even in the workspace's record.
    assert_eq!(
        std::fs::read(p1.join("manifest.json")).unwrap(),
        manifest_before
    );
    assert!(dry(&[]).contains(&format!("against the last export, {id1}")));
    assert!(report.contains(&format!("{name} · ")), "{report}");
    assert!(report.contains("status: pending → approved"), "{report}");
    assert_eq!(figure(&report, "transcoding table:", "rows changed"), 1);

    let p2 = dir.path().join("p2");
    datamed_ok(&[
        "export",
        "portal",
        "-w",
        s(&w),
        "--out",
        s(&p2),
        "--allow-pending",
    ]);
    let m2 = manifest(&p2);
    assert_eq!(m2["previous_export"]["id"], id1.as_str());
    assert_ne!(m2["export_id"], id1.as_str());
    // What the files say changed, against what the dry run said.
    let (before, after) = (counts(&p1), counts(&p2));
    let (mut changed, mut hidden, mut shown, mut added) = (0, 0, 0, 0);
    for (k, a) in &after {
        match (before.get(k), a) {
            (None, _) => added += 1,
            (Some(Some(x)), Some(y)) if x != y => changed += 1,
            (Some(Some(_)), None) => hidden += 1,
            (Some(None), Some(_)) => shown += 1,
            _ => {}
        }
    }
    let removed = before.keys().filter(|k| !after.contains_key(*k)).count();
    assert!(shown > 0, "a lower threshold shows cells");
    let line = "published counts:";
    assert_eq!(figure(&report, line, "change value"), changed, "{report}");
    assert_eq!(figure(&report, line, "newly hidden"), hidden, "{report}");
    assert_eq!(figure(&report, line, "newly shown"), shown, "{report}");
    assert_eq!(figure(&report, line, "new,"), added, "{report}");
    assert_eq!(figure(&report, line, "gone"), removed, "{report}");
    // The new export is now the one compared against.
    let again = dry(&[]);
    assert!(again.contains("no change"), "{again}");
    assert!(again.contains(m2["export_id"].as_str().unwrap()), "{again}");
}
