//! Runs the real binary on the bundled sample: import, match, evaluate
//! against the generated truth, look up the acceptance names, export the
//! transcoding and candidate tables.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

/// The bundled sample imported and matched, once per test binary.
fn matched_sample() -> std::path::PathBuf {
    static WORKSPACE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    WORKSPACE
        .get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("datamed-matching-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let w = dir.join("sample.sqlite");
            datamed_ok(&["import", "-w", s(&w), s(&root().join("sample-data"))]);
            datamed_ok(&["match", "-w", s(&w)]);
            w
        })
        .clone()
}

fn percent_after(text: &str, label: &str) -> f64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label} in\n{text}"))
        + label.len();
    let rest = text[at..].trim_start();
    rest.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number after {label} in\n{text}"))
}

#[test]
fn sample_matching_is_precise_and_covers_most_observations() {
    let w = matched_sample();
    let report = datamed_ok(&[
        "evaluate",
        "-w",
        s(&w),
        "--truth",
        s(&root().join("sample-data/truth.csv")),
    ]);
    let total = &report[report.find("Total:").expect("a total")..];
    let obs_auto = {
        let line = total
            .lines()
            .find(|l| l.trim_start().starts_with("auto:"))
            .unwrap();
        let parts: Vec<&str> = line.split(',').collect();
        percent_after(parts[1], "")
    };
    let precision_names = percent_after(total, "precision");
    assert!(
        precision_names >= 99.5,
        "auto precision {precision_names} in\n{report}"
    );
    assert!(
        obs_auto >= 90.0,
        "auto observations {obs_auto} in\n{report}"
    );
}

#[test]
fn acceptance_names_reach_the_right_substance() {
    let w = matched_sample();
    for (level, name, code) in [
        ("specialite", "DOLIPRANNE 1000MG CPR", "02202"),
        ("specialite", "AMOXICILINE BIOGARAN 500", "28165"),
        ("substance", "ACETAMINOPHENE", "02202"),
        ("produit", "BORLUX", "79600"),
        (
            "specialite",
            "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion",
            "03236",
        ),
    ] {
        let out = datamed_ok(&["lookup", "-w", s(&w), "--level", level, name]);
        let first = out.lines().next().unwrap();
        let best = out.lines().nth(1).unwrap_or("");
        let auto_right = first.contains(": auto") && first.contains(code);
        assert!(auto_right || best.contains(code), "{name}:\n{out}");
    }
}

#[test]
fn transcoding_and_candidates_exports_have_the_agreed_headers() {
    let w = matched_sample();
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("transcoding.csv");
    datamed_ok(&["export", "transcoding", "-w", s(&w), "--out", s(&t)]);
    let text = std::fs::read_to_string(&t).unwrap();
    assert!(text.starts_with(
        "medicament,type,n_obs,status,method,score,substance_codes,substance_names\n"
    ));
    assert!(text.contains(",auto,"));
    assert!(text.lines().count() > 1000);
    let c = dir.path().join("candidates.csv");
    datamed_ok(&["export", "candidates", "-w", s(&w), "--out", s(&c)]);
    let text = std::fs::read_to_string(&c).unwrap();
    assert!(text.starts_with(
        "medicament,type,rank,score,method,target_level,target_code,target_name,substance_codes\n"
    ));
    // No stray temporary file left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn status_counts_the_bundled_sample() {
    let w = matched_sample();
    let status = datamed_ok(&["status", "-w", s(&w)]);
    assert!(status.contains("cas (BNPV)"), "{status}");
    assert!(status.contains("2,000"), "{status}");
}
