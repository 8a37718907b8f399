//! Matching benchmark on the full-scale sample: every distinct name ranked
//! by the workbench (cascade + n-gram index + OSA re-ranking, on all cores),
//! with recall@5 against the generated truth, next to an exhaustive scan
//! (`strsim::osa_distance` of each name against every referential name) on
//! a subset of names, extrapolated to all. Run: `cargo bench --bench
//! matching` (`BENCH_CASES=N` for another size).

mod common;

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use datamed::jobs::Progress;
use datamed::matching::engine::rank_all;
use datamed::matching::evaluate::read_truth;
use datamed::matching::referential::Referential;
use datamed::store::Store;

/// Names scanned exhaustively (every n-th name).
const EXHAUSTIVE_SUBSET: usize = 300;

fn main() {
    let sample = common::full_scale_sample();
    let workspace = sample.join("bench/matching.sqlite");
    let _ = std::fs::create_dir_all(sample.join("bench"));
    if !workspace.exists() {
        let (secs, rows) = common::import_fresh(&workspace, std::slice::from_ref(&sample));
        println!("import of the whole sample (BNPV + CODEX): {rows} rows in {secs:.1} s");
    }
    let store = Store::open(&workspace).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let truth = read_truth(&sample.join("truth.csv")).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let rows = store.referential_rows().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let started = Instant::now();
    let referential = Referential::build(&rows);
    let build_s = started.elapsed().as_secs_f64();
    let names = store.drug_names().unwrap_or_default();
    let years = store.name_years().unwrap_or_default();
    let started = Instant::now();
    let ranked = rank_all(&referential, &names, &years, &Progress::new()).unwrap_or_default();
    let rank_s = started.elapsed().as_secs_f64();
    let truth_of = |i: usize| truth.get(&(names[i].name.trim().to_string(), names[i].level));
    let recall = |indices: &mut dyn Iterator<Item = usize>,
                  top5: &dyn Fn(usize) -> Vec<Vec<String>>| {
        let (mut hit, mut n) = (0, 0);
        for i in indices {
            if let Some(codes) = truth_of(i).filter(|c| !c.is_empty()) {
                n += 1;
                if top5(i).iter().any(|c| c == codes) {
                    hit += 1;
                }
            }
        }
        (hit, n)
    };
    let ours_top5 = |i: usize| -> Vec<Vec<String>> {
        ranked[i]
            .candidates
            .iter()
            .take(5)
            .map(|c| c.substance_codes.clone())
            .collect()
    };
    let (hit, n) = recall(&mut (0..names.len()), &ours_top5);
    println!(
        "workbench: {} names ranked in {rank_s:.2} s ({:.0} names/s, index built in {build_s:.2} s, {} referential names); recall@5 {:.2} % ({hit}/{n})",
        names.len(),
        names.len() as f64 / rank_s,
        referential.entries.len(),
        100.0 * hit as f64 / n.max(1) as f64
    );

    // Exhaustive strsim scan on a subset.
    let step = (names.len() / EXHAUSTIVE_SUBSET).max(1);
    let subset: Vec<usize> = (0..names.len()).step_by(step).collect();
    let started = Instant::now();
    let mut exhaustive: HashMap<usize, Vec<Vec<String>>> = HashMap::new();
    for &i in &subset {
        let q = &names[i].normalized;
        let q_len = q.chars().count();
        let mut scored: Vec<(f64, u32)> = referential
            .entries
            .iter()
            .enumerate()
            .map(|(e, entry)| {
                let d = strsim::osa_distance(q, &entry.norm);
                let longest = q_len.max(entry.norm.chars().count()).max(1);
                (1.0 - d as f64 / longest as f64, e as u32)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut targets = BTreeSet::new();
        let mut top = Vec::new();
        for (_, e) in scored {
            let t = referential.entries[e as usize].target;
            if targets.insert(t) {
                top.push(
                    referential
                        .set_codes(referential.targets[t as usize].set)
                        .to_vec(),
                );
                if top.len() == 5 {
                    break;
                }
            }
        }
        exhaustive.insert(i, top);
    }
    let scan_s = started.elapsed().as_secs_f64();
    let per_name = scan_s / subset.len() as f64;
    let extrapolated = per_name * names.len() as f64;
    let (hit_x, n_x) = recall(&mut subset.iter().copied(), &|i| {
        exhaustive.get(&i).cloned().unwrap_or_default()
    });
    let (hit_o, n_o) = recall(&mut subset.iter().copied(), &ours_top5);
    println!(
        "exhaustive strsim OSA scan: {} names in {scan_s:.2} s (one core), {:.1} ms a name, {extrapolated:.0} s extrapolated to all; recall@5 on the subset {:.2} % ({hit_x}/{n_x}) vs workbench {:.2} % ({hit_o}/{n_o})",
        subset.len(),
        per_name * 1000.0,
        100.0 * hit_x as f64 / n_x.max(1) as f64,
        100.0 * hit_o as f64 / n_o.max(1) as f64
    );
    println!("speed-up: {:.0}×", extrapolated / rank_s);
}
