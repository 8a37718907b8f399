//! Runs the real `datamed review` and `datamed decisions` on the bundled
//! sample (imported and matched once per test binary, then copied for each
//! test): a reviewer clears names and undoes some, the audit log keeps
//! everything and refuses edits, decisions travel between workspaces with
//! conflicts reported, and a decision survives its process being killed.

// A failing test should stop at the failing call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rusqlite::Connection;

/// The bundled sample imported and matched, once per test binary.
fn matched_sample() -> PathBuf {
    static WORKSPACE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    WORKSPACE
        .get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("datamed-review-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let w = dir.join("sample.sqlite");
            datamed_ok(&["import", "-w", s(&w), s(&root().join("sample-data"))]);
            datamed_ok(&["match", "-w", s(&w)]);
            w
        })
        .clone()
}

/// A private copy of the matched sample.
fn workspace(dir: &Path, name: &str) -> PathBuf {
    let base = matched_sample();
    let w = dir.join(name);
    std::fs::copy(&base, &w).unwrap();
    // The matching process closed the file, which folds the WAL back; copy
    // it anyway should one be left.
    let wal = PathBuf::from(format!("{}-wal", base.display()));
    if wal.exists() {
        std::fs::copy(&wal, format!("{}-wal", w.display())).unwrap();
    }
    w
}

/// One line of `datamed review queue --tsv`.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    level: String,
    name: String,
}

/// The queue's first `limit` names and its total.
fn queue(w: &Path, limit: usize) -> (Vec<Pending>, usize) {
    let tsv = datamed_ok(&[
        "review",
        "queue",
        "-w",
        s(w),
        "--tsv",
        "--limit",
        &limit.to_string(),
    ]);
    let mut lines = tsv.lines();
    assert!(lines.next().unwrap().starts_with("id\tlevel\t"), "{tsv}");
    let names = lines
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 9, "{l}");
            Pending {
                level: cols[1].to_string(),
                name: cols[8].to_string(),
            }
        })
        .collect();
    let text = datamed_ok(&["review", "queue", "-w", s(w), "--limit", "0"]);
    let total = text
        .split_whitespace()
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no total in {text}"));
    (names, total)
}

fn first_pending(w: &Path) -> Pending {
    queue(w, 1).0.into_iter().next().expect("a pending name")
}

fn approve(w: &Path, p: &Pending, author: &str) -> String {
    datamed_ok(&[
        "review",
        "approve",
        "-w",
        s(w),
        "--name",
        &p.name,
        "--level",
        &p.level,
        "--rank",
        "1",
        "--author",
        author,
    ])
}

/// (normalized, level, status, target level, target code, codes, author).
type DecisionRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// (id, at, author, action, name, level, compensates).
type AuditRow = (i64, String, String, String, String, String, Option<i64>);

/// Every decision of a workspace.
fn decisions(w: &Path) -> Vec<DecisionRow> {
    let conn = Connection::open(w).unwrap();
    conn.prepare(
        "SELECT normalized, level, status, target_level, target_code, substance_codes, author
         FROM decision ORDER BY normalized, level",
    )
    .unwrap()
    .query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn ten_names_approved_two_undone_all_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace(dir.path(), "w.sqlite");
    let (_, before) = queue(&w, 0);
    assert!(before >= 10, "only {before} names to review in the sample");
    // Like a reviewer: take the head of the queue, approve, next.
    let mut approved = Vec::new();
    for _ in 0..10 {
        let p = first_pending(&w);
        assert!(!approved.contains(&p), "{p:?} still queued after approval");
        let out = approve(&w, &p, "alice");
        assert!(out.contains("saved as audit entry"), "{out}");
        approved.push(p);
    }
    for _ in 0..2 {
        let out = datamed_ok(&["review", "undo", "-w", s(&w), "--author", "alice"]);
        assert!(out.starts_with("undone: "), "{out}");
    }
    let conn = Connection::open(&w).unwrap();
    let log: Vec<AuditRow> = conn
        .prepare(
            "SELECT id, at, author, action, name, level, compensates FROM audit_log ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(log.len(), 12, "{log:#?}");
    for (i, p) in approved.iter().enumerate() {
        let (_, at, author, action, name, level, _) = &log[i];
        assert_eq!(
            (action.as_str(), name, level),
            ("approve", &p.name, &p.level)
        );
        assert_eq!(author, "alice");
        assert!(
            at.len() == 20 && at.ends_with('Z') && at.contains('T'),
            "{at}"
        );
    }
    // The undos reverse the last two approvals, newest first.
    assert_eq!(log[10].3, "undo");
    assert_eq!(log[10].6, Some(log[9].0));
    assert_eq!(log[11].6, Some(log[8].0));
    assert!(log[10..].iter().all(|e| e.2 == "alice" && !e.1.is_empty()));
    assert_eq!(decisions(&w).len(), 8);
    // The two undone names are back in the queue.
    let (names, after) = queue(&w, 100);
    assert_eq!(after, before - 8);
    assert!(names.contains(&approved[9]) && names.contains(&approved[8]));
    assert!(!names.contains(&approved[0]));
    let history = datamed_ok(&[
        "review",
        "history",
        "-w",
        s(&w),
        "--name",
        &approved[9].name,
        "--level",
        &approved[9].level,
    ]);
    assert!(
        history.contains(" alice approve ") && history.contains(" alice undo "),
        "{history}"
    );
    // Redo brings the last undone approval back.
    let out = datamed_ok(&["review", "redo", "-w", s(&w), "--author", "alice"]);
    assert!(out.starts_with("redone: "), "{out}");
    assert_eq!(decisions(&w).len(), 9);
    let progress = datamed_ok(&["review", "progress", "-w", s(&w)]);
    let alice = progress
        .lines()
        .find(|l| l.trim_start().starts_with("alice"))
        .unwrap();
    assert_eq!(alice.split_whitespace().nth(1), Some("9"), "{progress}");
}

#[test]
fn the_transcoding_export_reports_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace(dir.path(), "w.sqlite");
    let first = first_pending(&w);
    approve(&w, &first, "alice");
    let second = first_pending(&w);
    datamed_ok(&[
        "review",
        "reject",
        "-w",
        s(&w),
        "--name",
        &second.name,
        "--level",
        &second.level,
    ]);
    let third = first_pending(&w);
    datamed_ok(&[
        "review",
        "defer",
        "-w",
        s(&w),
        "--name",
        &third.name,
        "--level",
        &third.level,
    ]);
    // Deferred, it leaves the head of the queue.
    let next = first_pending(&w);
    assert_ne!((&next.name, &next.level), (&third.name, &third.level));
    let out = dir.path().join("transcoding.csv");
    datamed_ok(&[
        "export",
        "transcoding",
        "-w",
        s(&w),
        "--out",
        s(&out),
        "--csv-dialect",
        "rfc",
    ]);
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let mut seen = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let level = match &row[1] {
            "Spécialité" => "specialite",
            "Produit" => "produit",
            "Substance" => "substance",
            _ => "inconnu",
        };
        if row[0] == first.name && level == first.level {
            assert_eq!((&row[3], &row[4]), ("approved", "candidate 1"));
            assert!(!row[6].is_empty());
            seen += 1;
        }
        if row[0] == second.name && level == second.level {
            assert_eq!((&row[3], &row[6]), ("rejected", ""));
            seen += 1;
        }
        // A deferral is not a final decision: the name waits, without codes.
        if row[0] == third.name && level == third.level {
            assert_eq!((&row[3], &row[6]), ("deferred", ""));
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
}

#[test]
fn the_audit_log_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace(dir.path(), "w.sqlite");
    approve(&w, &first_pending(&w), "alice");
    let conn = Connection::open(&w).unwrap();
    let update = conn
        .execute("UPDATE audit_log SET author = 'mallory'", [])
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = conn.execute("DELETE FROM audit_log", []).unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    let author: String = conn
        .query_row("SELECT author FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(author, "alice");
}

#[test]
fn decisions_exported_from_one_workspace_reproduce_in_another_and_conflicts_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let a = workspace(dir.path(), "a.sqlite");
    let first = first_pending(&a);
    approve(&a, &first, "alice");
    let second = first_pending(&a);
    datamed_ok(&[
        "review",
        "reject",
        "-w",
        s(&a),
        "--name",
        &second.name,
        "--level",
        &second.level,
        "--author",
        "alice",
        "--comment",
        "not a drug",
    ]);
    let third = first_pending(&a);
    let out = datamed_ok(&[
        "review",
        "approve",
        "-w",
        s(&a),
        "--name",
        &third.name,
        "--level",
        &third.level,
        "--target-code",
        "02202",
        "--target-level",
        "substance",
        "--author",
        "alice",
    ]);
    assert!(out.contains("manual"), "{out}");
    let file = dir.path().join("decisions.json");
    let out = datamed_ok(&["decisions", "export", "-w", s(&a), "--out", s(&file)]);
    assert!(out.contains("3 decisions"), "{out}");

    let b = workspace(dir.path(), "b.sqlite");
    let out = datamed_ok(&["decisions", "import", "-w", s(&b), s(&file)]);
    assert!(
        out.contains("3 applied, 0 identical, 0 conflicting"),
        "{out}"
    );
    // Same keys, statuses, targets, codes and authors.
    assert_eq!(decisions(&a), decisions(&b));
    let out = datamed_ok(&["decisions", "import", "-w", s(&b), s(&file)]);
    assert!(out.contains("0 applied, 3 identical"), "{out}");

    // Bob decided the first name otherwise: the file's decision is reported
    // beside his, not applied.
    let c = workspace(dir.path(), "c.sqlite");
    datamed_ok(&[
        "review",
        "reject",
        "-w",
        s(&c),
        "--name",
        &first.name,
        "--level",
        &first.level,
        "--author",
        "bob",
    ]);
    let output = datamed(&["decisions", "import", "-w", s(&c), s(&file)]);
    assert!(output.status.success());
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("2 applied, 0 identical, 1 conflicting"),
        "{out}"
    );
    assert!(
        out.contains("conflict on") && out.contains("here:") && out.contains("in file:"),
        "{out}"
    );
    let kept: Vec<_> = decisions(&c).into_iter().filter(|d| d.6 == "bob").collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].2, "rejected");
}

#[test]
fn a_decision_survives_its_process_being_killed() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace(dir.path(), "w.sqlite");
    let p = first_pending(&w);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_datamed"))
        .args([
            "review",
            "approve",
            "-w",
            s(&w),
            "--name",
            &p.name,
            "--level",
            &p.level,
            "--rank",
            "1",
            "--author",
            "alice",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The confirmation is printed once the decision is committed: kill the
    // process as soon as it shows (SIGKILL: no cleanup, no checkpoint).
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.contains("saved as audit entry"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    let found = decisions(&w);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].2.as_str(), found[0].6.as_str()),
        ("approved", "alice")
    );
    let (names, _) = queue(&w, 1000);
    assert!(!names.contains(&p));
}

#[test]
fn unclear_requests_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let w = workspace(dir.path(), "w.sqlite");
    let p = first_pending(&w);
    let out = datamed(&[
        "review",
        "approve",
        "-w",
        s(&w),
        "--name",
        &p.name,
        "--level",
        &p.level,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rank"));
    let out = datamed(&[
        "review",
        "reject",
        "-w",
        s(&w),
        "--name",
        "NO SUCH DRUG",
        "--level",
        "produit",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NO SUCH DRUG"));
    let out = datamed(&["review", "queue", "-w", s(&w), "--level", "brand"]);
    assert_eq!(out.status.code(), Some(2));
    let out = datamed(&["review", "undo", "-w", s(&w), "--author", "nobody"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to undo"));
    assert!(decisions(&w).is_empty());
}
