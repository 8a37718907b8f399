//! Indicator benchmark on the full-scale workspace (400,000 cases): reading
//! the indicator index (linked names, cleaned cases, effects, drug rows),
//! one substance's indicators (PARACETAMOL, the largest), the global page,
//! every substance's indicators, a change of period, and the portal export.
//! Run: `cargo bench --bench indicators` (`BENCH_CASES=N` for another
//! size). Builds the workspace on first run (import and match the cached
//! full-scale sample).

mod common;

use std::time::Instant;

use datamed::export::portal::{PortalOptions, export_portal};
use datamed::indicators::{Computation, Period};
use datamed::jobs::Progress;
use datamed::store::Store;

fn main() {
    let workspace = common::matched_workspace();
    let store = Store::open(&workspace).unwrap_or_else(|e| fail(&e));
    let ms = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;
    let mut best = [f64::MAX; 6];
    let mut substances = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let computation = Computation::new(&store, Period::default()).unwrap_or_else(|e| fail(&e));
        best[0] = best[0].min(ms(started));
        let started = Instant::now();
        let _ = computation.substance("02202").unwrap_or_else(|e| fail(&e));
        best[1] = best[1].min(ms(started));
        let started = Instant::now();
        let _ = computation.global().unwrap_or_else(|e| fail(&e));
        best[2] = best[2].min(ms(started));
        let started = Instant::now();
        substances = computation
            .all_substances()
            .unwrap_or_else(|e| fail(&e))
            .len();
        best[3] = best[3].min(ms(started));
        let started = Instant::now();
        let years = computation.years();
        let narrower = computation
            .with_period(Period {
                from: Some(years.from + 2),
                to: Some(years.to),
            })
            .unwrap_or_else(|e| fail(&e));
        let _ = narrower.substance("02202").unwrap_or_else(|e| fail(&e));
        best[4] = best[4].min(ms(started));
    }
    let out = workspace.with_file_name("portal");
    for _ in 0..2 {
        let started = Instant::now();
        let options = PortalOptions {
            allow_pending: true,
            ..PortalOptions::default()
        };
        export_portal(&store, &out, &options, &Progress::new()).unwrap_or_else(|e| fail(&e));
        best[5] = best[5].min(ms(started));
    }
    println!("best of 3 runs (2 for the export):");
    println!("  reading the indicator index: {:.0} ms", best[0]);
    println!("  one substance (02202, the largest): {:.1} ms", best[1]);
    println!("  global page: {:.1} ms", best[2]);
    println!(
        "  all substances ({substances}): {:.0} ms, {:.0} ms with the index read",
        best[3],
        best[0] + best[3]
    );
    println!(
        "  another period, then 02202: {:.1} ms (nothing read again)",
        best[4]
    );
    println!("  portal export (every file written): {:.0} ms", best[5]);
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("{e}");
    std::process::exit(1)
}
