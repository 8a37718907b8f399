//! Shared by the benchmarks: the full-scale synthetic extract (400,000
//! cases, about a million observations), generated once under
//! `target/bench-data/` from the real BDPM in `../shared/data`, and its
//! imported workspace.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use datamed::import::{ImportOptions, import_paths};
use datamed::jobs::Progress;
use datamed::store::Store;

/// Cases in the full-scale sample (the real BNPV 2009–2018 has about 400,000).
pub const FULL_SCALE_CASES: usize = 400_000;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The full-scale sample directory, generated when absent.
pub fn full_scale_sample() -> PathBuf {
    let cases: usize = std::env::var("BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(FULL_SCALE_CASES);
    let dir = root().join(format!("target/bench-data/sample-{cases}"));
    if !dir.join("truth.csv").exists() {
        let shared = root().join("../shared/data");
        eprintln!("generating the {cases}-case sample in {} …", dir.display());
        let started = Instant::now();
        let options = datamed::sample::SampleOptions {
            out_dir: dir.clone(),
            cases,
            seed: 42,
            bdpm_current: shared.join("bdpm/2022-06"),
            bdpm_former: shared.join("bdpm/2017-03"),
            datamed_dir: shared.join("datamed"),
            with_bdpm_subset: false,
        };
        if let Err(e) = datamed::sample::generate(&options, &Progress::new()) {
            eprintln!("cannot generate the sample: {e}");
            std::process::exit(1);
        }
        eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    }
    dir
}

/// Imports `paths` into a fresh workspace at `workspace`; returns the
/// seconds taken and the rows kept.
pub fn import_fresh(workspace: &Path, paths: &[PathBuf]) -> (f64, u64) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", workspace.display()));
    }
    let started = Instant::now();
    let mut store = match Store::open(workspace) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let options = ImportOptions {
        user: "bench".into(),
        ..ImportOptions::default()
    };
    match import_paths(&mut store, paths, &options, &Progress::new()) {
        Ok(summary) => {
            let rows = summary.imported.iter().map(|r| r.counts.kept).sum();
            (started.elapsed().as_secs_f64(), rows)
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

/// The full-scale sample imported and matched with the calibrated
/// thresholds, built once under the sample's `bench/` folder.
pub fn matched_workspace() -> PathBuf {
    let sample = full_scale_sample();
    let workspace = sample.join("bench/indicators.sqlite");
    let _ = std::fs::create_dir_all(sample.join("bench"));
    if !workspace.exists() {
        import_fresh(&workspace, std::slice::from_ref(&sample));
        let matched = Store::open(&workspace).and_then(|mut store| {
            datamed::matching::engine::match_workspace(&mut store, &Progress::new())
        });
        if let Err(e) = matched {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    workspace
}
