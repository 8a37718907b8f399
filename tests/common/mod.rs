//! Helpers shared by the integration tests: run the real `datamed` binary,
//! locate the sample data and the shared real data.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use datamed::import::{ImportOptions, import_paths};
use datamed::jobs::Progress;
use datamed::store::Store;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data`, when present (it is beside the clone in CI).
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data");
    p.is_dir().then_some(p)
}

/// Runs `datamed` with arguments.
pub fn datamed(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_datamed"))
        .args(args)
        .output()
        .expect("datamed runs")
}

/// Runs `datamed` and asserts success, returning stdout.
pub fn datamed_ok(args: &[&str]) -> String {
    let out = datamed(args);
    assert!(
        out.status.success(),
        "datamed {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A path as &str.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The bundled sample imported and matched through the library once per
/// test binary, in a directory kept for the run (tests copy it).
pub fn matched_sample_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("template.sqlite");
        let mut store = Store::open(&path).unwrap();
        let options = ImportOptions {
            user: "test".into(),
            ..ImportOptions::default()
        };
        import_paths(
            &mut store,
            &[root().join("sample-data")],
            &options,
            &Progress::default(),
        )
        .unwrap();
        datamed::matching::engine::match_workspace(&mut store, &Progress::default()).unwrap();
        drop(store);
        path
    })
}

/// A private copy of [`matched_sample_template`] for one test, in a
/// directory removed with the returned guard.
pub fn matched_sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    std::fs::copy(matched_sample_template(), &path).unwrap();
    (dir, path)
}

/// Every table and how many rows it has, plus the batches: what "the
/// workspace as it was" means.
pub fn snapshot(path: &std::path::Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
            .unwrap();
        out.push((t, n));
    }
    let batches: String = conn
        .query_row(
            "SELECT coalesce(group_concat(id || kind || sha256 || rows_kept, ','), '') FROM import_batch",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out.push(("batches".into(), batches.len() as i64));
    out.push((batches, 0));
    out
}
