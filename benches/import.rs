//! Import benchmark: the three BNPV CSV files of the full-scale sample
//! (400,000 cases, about one million observations) imported by the
//! workbench (decoding, ORDEI's cleaning rules, derived columns, distinct
//! names, indexes, one transaction per file) and, side by side, by the
//! sqlite3 command-line tool's `.import` into bare tables of text, with its
//! defaults and with the workspace's 8 KiB pages. The three run in turn,
//! round after round, so that a slow moment of a shared machine weighs on
//! all of them alike (after a first round, not counted, that warms the
//! page cache); it prints each round, the best of each and the
//! ratios (above 1: the workbench is faster). Then the time of `--replace`
//! of the drugs file and of each file alone. Run: `cargo bench --bench
//! import` (`BENCH_CASES=N` for another size; `BENCH_RUNS=N` rounds
//! instead of five; `BENCH_ONLY=workbench` for the workbench alone, as when
//! profiling; `BENCH_FILES=a.csv,b.csv` for other files of the sample).
//! Needs `sqlite3` on the PATH.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let sample = common::full_scale_sample();
    let names = std::env::var("BENCH_FILES")
        .unwrap_or_else(|_| "Cas-Patients.csv,Médicaments.csv,Effets.csv".into());
    let files: Vec<_> = names.split(',').map(|f| sample.join(f)).collect();
    let bench_dir = sample.join("bench");
    let _ = std::fs::create_dir_all(&bench_dir);

    let rounds: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let only_workbench = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "workbench");

    // The SQL of each sqlite3 variant, after which the same `.import`s.
    let variants = [
        ("defaults", ""),
        ("8 KiB pages", "PRAGMA page_size = 8192;\n"),
    ];
    // A first round, not counted: the files back in the page cache after
    // the build, the previous run's workspace gone from the disk.
    let _ = common::import_fresh(&bench_dir.join("workbench.sqlite"), &files);
    if !only_workbench {
        for (_, pragma) in &variants {
            let _ = sqlite3_import(&bench_dir.join("sqlite3.db"), &files, pragma);
        }
    }
    let mut workbench_secs = Vec::new();
    let mut sqlite3_secs = vec![Vec::new(); variants.len()];
    let mut ratios = Vec::new();
    let mut rows = 0;
    for round in 1..=rounds.max(1) {
        let (secs, kept) = common::import_fresh(&bench_dir.join("workbench.sqlite"), &files);
        rows = kept;
        workbench_secs.push(secs);
        if only_workbench {
            println!("round {round}: workbench {secs:.2} s");
            continue;
        }
        let mut line = format!("round {round}: workbench {secs:.2} s");
        let mut fastest = f64::MAX;
        for (i, (label, pragma)) in variants.iter().enumerate() {
            let Some(cli) = sqlite3_import(&bench_dir.join("sqlite3.db"), &files, pragma) else {
                return;
            };
            sqlite3_secs[i].push(cli);
            fastest = fastest.min(cli);
            line.push_str(&format!(", sqlite3 ({label}) {cli:.2} s"));
        }
        ratios.push(fastest / secs);
        println!("{line}; ratio {:.2}", fastest / secs);
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::MAX, f64::min);
    let best_workbench = best(&workbench_secs);
    println!(
        "workbench import: {rows} rows, best {best_workbench:.2} s = {:.0} rows/s",
        rows as f64 / best_workbench
    );
    if !only_workbench {
        let mut fastest = f64::MAX;
        for ((label, _), secs) in variants.iter().zip(&sqlite3_secs) {
            let b = best(secs);
            fastest = fastest.min(b);
            println!(
                "sqlite3 .import ({label}): {rows} rows, best {b:.2} s = {:.0} rows/s",
                rows as f64 / b
            );
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "speed of the workbench / fastest sqlite3: {:.2} best against best, rounds {:.2}–{:.2}, median {:.2}",
            fastest / best_workbench,
            ratios[0],
            ratios[ratios.len() - 1],
            ratios[ratios.len() / 2]
        );
    }

    // Importing a file again in place of its batch (`--replace`): the
    // batch's rows are deleted by a scan (the BNPV tables have no batch_id
    // index) and the names' counts recomputed.
    if let Some(drugs) = files.iter().find(|f| f.ends_with("Médicaments.csv")) {
        let started = Instant::now();
        let replaced = datamed::store::Store::open(&bench_dir.join("workbench.sqlite")).and_then(
            |mut store| {
                let options = datamed::import::ImportOptions {
                    replace: true,
                    user: "bench".into(),
                    ..Default::default()
                };
                datamed::import::import_paths(
                    &mut store,
                    std::slice::from_ref(drugs),
                    &options,
                    &datamed::jobs::Progress::new(),
                )
            },
        );
        match replaced {
            Ok(_) => println!(
                "  --replace of Médicaments.csv: {:.2} s",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => eprintln!("--replace failed: {e}"),
        }
    }
    if only_workbench {
        return;
    }
    for f in &files {
        let (secs, kept) =
            common::import_fresh(&bench_dir.join("one.sqlite"), std::slice::from_ref(f));
        println!(
            "  {} alone: {kept} rows in {secs:.2} s = {:.0} rows/s",
            f.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            kept as f64 / secs
        );
    }
}

/// One run of the sqlite3 CLI importing `files` into bare tables of a new
/// database `db`, after `pragma`: its seconds, `None` when sqlite3 fails.
fn sqlite3_import(db: &Path, files: &[PathBuf], pragma: &str) -> Option<f64> {
    let mut script = format!("{pragma}.mode csv\n.separator ;\n");
    for (i, f) in files.iter().enumerate() {
        script.push_str(&format!(".import '{}' t{i}\n", f.display()));
    }
    for suffix in ["", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let started = Instant::now();
    let status = Command::new("sqlite3")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(script.as_bytes())?;
            }
            child.wait()
        });
    match status {
        Ok(s) if s.success() => Some(started.elapsed().as_secs_f64()),
        Ok(s) => {
            eprintln!("sqlite3 failed: {s}");
            None
        }
        Err(e) => {
            eprintln!("sqlite3 not found ({e}): apt-get install sqlite3");
            None
        }
    }
}
