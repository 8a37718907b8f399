//! Runs the real `datamed` as a user starts it from a terminal or a file
//! manager: paths instead of a command, no display, the sample found at run
//! time, `sample` without its reference data.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// `datamed` with no display in its environment, from `dir`.
fn datamed_headless(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datamed"))
        .args(args)
        .current_dir(dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn a_workspace_or_an_extract_given_alone_opens_the_window_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("espace été.sqlite");
    datamed_ok(&[
        "import",
        "-w",
        s(&ws),
        s(&root().join("sample-data/Effets.csv")),
    ]);
    let csv = dir.path().join("Médicaments.csv");
    std::fs::copy(root().join("sample-data/Médicaments.csv"), &csv).unwrap();
    for args in [
        vec![s(&ws)],
        vec!["open", s(&ws)],
        vec![s(&csv)],
        vec![s(&ws), s(&csv)],
        vec![],
    ] {
        let out = datamed_headless(dir.path(), &args);
        // Taken for the window (not "unrecognized subcommand"), which
        // cannot open here: the one-line hint, nothing from winit.
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("datamed demo"), "{args:?}: {err}");
        assert!(err.contains("Pas d'écran"), "{args:?}: {err}");
    }
}

#[test]
fn a_missing_workspace_is_named_not_created() {
    let dir = tempfile::tempdir().unwrap();
    for args in [vec!["typo.sqlite"], vec!["open", "typo.sqlite"]] {
        let out = datamed_headless(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("typo.sqlite: no such file"));
        assert!(!dir.path().join("typo.sqlite").exists());
    }
    // A command's name wins over a file of that name.
    std::fs::write(dir.path().join("status"), "").unwrap();
    let out = datamed_headless(dir.path(), &["status", "-w", "none.sqlite"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no workspace at none.sqlite"));
}

#[test]
fn sample_names_the_reference_data_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let out = datamed_headless(dir.path(), &["sample", "--out", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for option in ["--bdpm <DIR>", "--bdpm-former <DIR>", "--datamed <DIR>"] {
        assert!(err.contains(option), "{option} not named: {err}");
    }
    assert!(!dir.path().join("x").exists());
}

#[test]
fn demo_finds_the_bundled_sample_from_a_fresh_home() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_datamed"))
        .arg("demo")
        .current_dir(root())
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("DATAMED_SAMPLE_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let workspace = home
        .path()
        .join(".local/share/datamed-workbench/sample.sqlite");
    assert!(
        stdout.contains(&format!("sample workspace: {}", workspace.display())),
        "{stdout}"
    );
    assert!(workspace.is_file());
    // From elsewhere, with the sample nowhere to be found, the message
    // lists where it looked.
    let out = Command::new(env!("CARGO_BIN_EXE_datamed"))
        .args(["demo", "--fresh"])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env("DATAMED_SAMPLE_DIR", home.path().join("nowhere"))
        .output()
        .unwrap();
    let bundled_elsewhere = Path::new(env!("CARGO_BIN_EXE_datamed"))
        .ancestors()
        .any(|d| d.join("Cargo.toml").is_file())
        || Path::new("/usr/share/datamed-workbench/sample-data").is_dir();
    if !bundled_elsewhere {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
    }
}
