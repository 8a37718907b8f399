//! Indicator benchmark on the full-scale workspace (400,000 cases): the
//! preparation of the linked observations for a period, one substance's
//! indicators (PARACETAMOL, the largest), the global page, and every
//! substance's indicators. Run: `cargo bench --bench indicators`
//! (`BENCH_CASES=N` for another size). Builds the workspace on first run
//! (import and match the cached full-scale sample).

mod common;

use std::time::Instant;

use datamed::indicators::{Computation, Period};
use datamed::jobs::Progress;
use datamed::store::Store;

fn main() {
    let sample = common::full_scale_sample();
    let workspace = sample.join("bench/indicators.sqlite");
    let _ = std::fs::create_dir_all(sample.join("bench"));
    if !workspace.exists() {
        common::import_fresh(&workspace, std::slice::from_ref(&sample));
        let mut store = Store::open(&workspace).unwrap_or_else(|e| fail(&e));
        datamed::matching::engine::match_workspace(&mut store, &Progress::new())
            .unwrap_or_else(|e| fail(&e));
    }
    let store = Store::open(&workspace).unwrap_or_else(|e| fail(&e));
    let started = Instant::now();
    let computation = Computation::new(&store, Period::default()).unwrap_or_else(|e| fail(&e));
    println!(
        "preparation (linked observations of the period): {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    for code in ["02202", "02202"] {
        let started = Instant::now();
        let _ = computation.substance(code).unwrap_or_else(|e| fail(&e));
        println!(
            "one substance ({code}): {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    let started = Instant::now();
    let _ = computation.global().unwrap_or_else(|e| fail(&e));
    println!(
        "global page: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let all = computation.all_substances().unwrap_or_else(|e| fail(&e));
    println!(
        "all substances ({}): {:.0} ms",
        all.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("{e}");
    std::process::exit(1)
}
