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
        let best = out
            .lines()
            .find(|l| l.trim_start().starts_with("1."))
            .unwrap_or("");
        let auto_right = first.contains(": auto") && first.contains(code);
        assert!(auto_right || best.contains(code), "{name}:\n{out}");
    }
}

#[test]
fn transcoding_and_candidates_exports_have_the_agreed_headers() {
    let w = matched_sample();
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("transcoding.csv");
    // By default, French Excel's dialect.
    datamed_ok(&["export", "transcoding", "-w", s(&w), "--out", s(&t)]);
    let text = std::fs::read_to_string(&t).unwrap();
    assert!(text.starts_with(
        "\u{feff}medicament;type;n_obs;status;method;score;substance_codes;substance_names\r\n"
    ));
    assert!(text.contains(";auto;"));
    assert!(text.contains(";1,000;"), "decimal comma");
    assert!(text.lines().count() > 1000);
    // The plain dialect for scripts.
    let rfc = ["--csv-dialect", "rfc"];
    datamed_ok(
        &[
            &["export", "transcoding", "-w", s(&w), "--out", s(&t)][..],
            &rfc,
        ]
        .concat(),
    );
    let text = std::fs::read_to_string(&t).unwrap();
    assert!(text.starts_with(
        "medicament,type,n_obs,status,method,score,substance_codes,substance_names\n"
    ));
    assert!(text.contains(",auto,"));
    let c = dir.path().join("candidates.csv");
    datamed_ok(
        &[
            &["export", "candidates", "-w", s(&w), "--out", s(&c)][..],
            &rfc,
        ]
        .concat(),
    );
    let text = std::fs::read_to_string(&c).unwrap();
    assert!(text.starts_with(
        "medicament,type,rank,score,method,target_level,target_code,target_name,substance_codes,substance_group,why_pending\n"
    ));
    // Every pending name says why it waits, on each of its candidates.
    let mut rows = csv::Reader::from_path(&c).unwrap();
    let mut pending_without_reason = 0;
    let mut with_reason = 0;
    for r in rows.records() {
        let r = r.unwrap();
        if r.get(2) == Some("1") {
            match r.get(10) {
                Some("") | None => pending_without_reason += 0,
                Some(_) => with_reason += 1,
            }
        }
    }
    assert!(with_reason > 10, "{with_reason} names say why they wait");
    let _ = pending_without_reason;
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

#[test]
fn weak_names_wait_and_lookup_says_why() {
    let w = matched_sample();
    for (level, name) in [("produit", "X"), ("specialite", "A"), ("produit", "SIROP")] {
        let out = datamed_ok(&["lookup", "-w", s(&w), "--level", level, name]);
        let first = out.lines().next().unwrap();
        assert!(!first.contains(": auto"), "{name}:\n{out}");
        if first.contains(": pending") {
            assert!(
                out.contains("why pending: evidence floor"),
                "{name}:\n{out}"
            );
        }
    }
}

#[test]
fn evaluate_reports_methods_and_the_weakest_links() {
    let w = matched_sample();
    let report = datamed_ok(&[
        "evaluate",
        "-w",
        s(&w),
        "--truth",
        s(&root().join("sample-data/truth.csv")),
    ]);
    assert!(report.contains("Auto by method"), "{report}");
    assert!(report.contains("  exact name"), "{report}");
    let weakest = &report[report
        .find("The ten automatic links with the weakest evidence:")
        .expect("the weakest links")..];
    assert_eq!(
        weakest
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count(),
        10,
        "{weakest}"
    );
    assert!(
        report.contains("Entries naming no drug linked automatically: 0"),
        "{report}"
    );
}

#[test]
fn settings_are_listed_set_checked_and_audited() {
    let (_dir, w) = matched_sample_copy();
    let list = datamed_ok(&["settings", "-w", s(&w)]);
    for key in [
        "matching.auto_threshold",
        "matching.review_threshold",
        "disclosure.threshold",
        "export.max_pending_share",
    ] {
        assert!(list.contains(key), "{list}");
    }
    let set = datamed_ok(&[
        "settings",
        "-w",
        s(&w),
        "disclosure.threshold",
        "5",
        "--author",
        "ana",
    ]);
    assert!(set.contains("(default) → 5"), "{set}");
    assert_eq!(
        datamed_ok(&["settings", "-w", s(&w), "disclosure.threshold"]).trim(),
        "5"
    );
    let refused = datamed(&["settings", "-w", s(&w), "matching.auto_threshold", "1.5"]);
    assert_eq!(refused.status.code(), Some(2));
    let history = datamed_ok(&["settings", "-w", s(&w), "--history"]);
    assert!(history.contains("ana"), "{history}");
    assert!(history.contains("disclosure.threshold"), "{history}");
    assert!(history.contains("(default) → 5"), "{history}");
    assert_eq!(
        history.lines().count(),
        1,
        "the refused value left no trace"
    );
}

#[test]
fn calibrate_takes_a_precision_up_to_four_nines_and_prints_it_exactly() {
    let (_dir, w) = matched_sample_copy();
    let out = datamed(&[
        "calibrate",
        "-w",
        s(&w),
        "--truth",
        s(&root().join("sample-data/truth.csv")),
        "--precision",
        "0.9999",
    ]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("99.99 %"), "{text}");
    assert!(!text.contains("100.0 %"), "{text}");
    let too_high = datamed(&[
        "calibrate",
        "-w",
        s(&w),
        "--truth",
        s(&root().join("sample-data/truth.csv")),
        "--precision",
        "0.99999",
    ]);
    assert_eq!(too_high.status.code(), Some(2));
}

#[test]
fn status_prints_each_batch_sha256() {
    let w = matched_sample();
    let status = datamed_ok(&["status", "-w", s(&w)]);
    let conn = rusqlite::Connection::open(&w).unwrap();
    let hashes: Vec<String> = conn
        .prepare("SELECT sha256 FROM import_batch")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(hashes.len() > 10);
    for h in hashes {
        assert!(status.contains(&format!("SHA-256 {h}")), "{h}\n{status}");
    }
}

#[test]
fn match_warns_without_a_referential_or_with_one_older_than_the_cases() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.sqlite");
    let sample = root().join("sample-data");
    datamed_ok(&[
        "import",
        "-w",
        s(&w),
        s(&sample.join("Cas-Patients.csv")),
        s(&sample.join("Médicaments.csv")),
    ]);
    let stderr = |w: &std::path::Path| {
        let out = datamed(&["match", "-w", s(w)]);
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let err = stderr(&w);
    assert!(
        err.contains("warning: the workspace has no referential (CODEX or BDPM)"),
        "{err}"
    );
    // The sample's BDPM cut to the specialties authorised before 2018: its
    // latest date is then before the newest notification (31/12/2018).
    let bdpm = sample.join("bdpm");
    let cis = std::fs::read(bdpm.join("CIS_bdpm.txt")).unwrap();
    let old: Vec<&[u8]> = cis
        .split(|b| *b == b'\n')
        .filter(|l| {
            l.split(|b| *b == b'\t')
                .nth(7)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| d.get(6..10))
                .and_then(|y| y.parse::<u32>().ok())
                .is_some_and(|y| y < 2018)
        })
        .collect();
    assert!(old.len() > 100, "{}", old.len());
    let older = dir.path().join("2017/CIS_bdpm.txt");
    std::fs::create_dir_all(older.parent().unwrap()).unwrap();
    std::fs::write(&older, old.join(&b'\n')).unwrap();
    datamed_ok(&[
        "import",
        "-w",
        s(&w),
        s(&older),
        s(&bdpm.join("CIS_COMPO_bdpm.txt")),
    ]);
    let err = stderr(&w);
    assert!(
        err.contains("warning: the referential is older than the cases")
            && err.contains("newest notification 2018-12-31"),
        "{err}"
    );
    // The whole sample BDPM (its latest AMM in 2021) takes its place.
    datamed_ok(&["import", "-w", s(&w), s(&bdpm.join("CIS_bdpm.txt"))]);
    let err = stderr(&w);
    assert!(!err.contains("warning"), "{err}");
}
