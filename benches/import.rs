//! Import benchmark: the three BNPV CSV files of the full-scale sample
//! (400,000 cases, about one million observations) imported by the
//! workbench (decoding, ORDEI's cleaning rules, derived columns, distinct
//! names, indexes, one transaction per file) and, side by side, by the
//! sqlite3 command-line tool's `.import` into bare tables of text. Prints
//! rows per second for both, and the time of `--replace` of the drugs file
//! in the imported workspace. Run: `cargo bench --bench import`
//! (`BENCH_CASES=N` for another size; `BENCH_RUNS=N` runs of the whole
//! import instead of three; `BENCH_ONLY=workbench` for the whole import
//! alone, as when profiling; `BENCH_FILES=a.csv,b.csv` for other files of
//! the sample). Needs `sqlite3` on the PATH.

mod common;

use std::process::Command;
use std::time::Instant;

fn main() {
    let sample = common::full_scale_sample();
    let names = std::env::var("BENCH_FILES")
        .unwrap_or_else(|_| "Cas-Patients.csv,Médicaments.csv,Effets.csv".into());
    let files: Vec<_> = names.split(',').map(|f| sample.join(f)).collect();
    let bench_dir = sample.join("bench");
    let _ = std::fs::create_dir_all(&bench_dir);

    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let only_workbench = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "workbench");

    // The workbench, three runs, best kept.
    let mut best = f64::MAX;
    let mut rows = 0;
    for _ in 0..runs.max(1) {
        let (secs, kept) = common::import_fresh(&bench_dir.join("workbench.sqlite"), &files);
        best = best.min(secs);
        rows = kept;
    }
    println!(
        "workbench import: {rows} rows in {best:.2} s = {:.0} rows/s",
        rows as f64 / best
    );
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
            "  {}: {kept} rows in {secs:.2} s = {:.0} rows/s",
            f.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            kept as f64 / secs
        );
    }

    // sqlite3 .import of the same files into bare tables: with its
    // defaults, then with the workspace's page size (8 KiB), so that the
    // comparison does not rest on that setting.
    let mut best_cli = f64::MAX;
    for (label, pragma) in [
        ("defaults", ""),
        ("8 KiB pages", "PRAGMA page_size = 8192;\n"),
    ] {
        let Some(secs) = sqlite3_import(&bench_dir.join("sqlite3.db"), &files, pragma) else {
            return;
        };
        println!(
            "sqlite3 .import ({label}): {rows} rows in {secs:.2} s = {:.0} rows/s; ratio workbench / sqlite3 {:.2}",
            rows as f64 / secs,
            secs / best
        );
        best_cli = best_cli.min(secs);
    }
    println!("ratio workbench / fastest sqlite3: {:.2}", best_cli / best);
}

/// The best of three runs of the sqlite3 CLI importing `files` into bare
/// tables of a new database, after `pragma`; `None` when sqlite3 fails.
fn sqlite3_import(db: &std::path::Path, files: &[std::path::PathBuf], pragma: &str) -> Option<f64> {
    let mut script = format!("{pragma}.mode csv\n.separator ;\n");
    for (i, f) in files.iter().enumerate() {
        script.push_str(&format!(".import '{}' t{i}\n", f.display()));
    }
    let mut best = f64::MAX;
    for _ in 0..3 {
        let _ = std::fs::remove_file(db);
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
            Ok(s) if s.success() => best = best.min(started.elapsed().as_secs_f64()),
            Ok(s) => {
                eprintln!("sqlite3 failed: {s}");
                return None;
            }
            Err(e) => {
                eprintln!("sqlite3 not found ({e}): apt-get install sqlite3");
                return None;
            }
        }
    }
    Some(best)
}
