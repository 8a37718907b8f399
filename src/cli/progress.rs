//! How the command line shows long work: the core job on a named worker
//! thread, its phases and counters drawn as a progress bar on stderr, and
//! the thousands separators of every figure the CLI prints.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::jobs::{Job, Phase, Progress};

/// Runs `work` on a named worker thread and draws its progress on stderr
/// (a bar with a rate on long work, nothing when stderr is not a terminal).
pub fn run_with_progress<T: Send + 'static>(
    name: &str,
    work: impl FnOnce(&Progress) -> Result<T> + Send + 'static,
) -> Result<T> {
    let progress = Progress::new();
    let job = Job::spawn(name, Arc::clone(&progress), work)?;
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(5),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:30} [{bar:30}] {percent:>3}% {prefix} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut phase = Phase::Starting;
    let mut phase_started = Instant::now();
    while !job.is_finished() {
        std::thread::sleep(Duration::from_millis(100));
        let now_phase = progress.phase();
        if now_phase != phase {
            if phase != Phase::Starting && !bar.is_hidden() {
                bar.println(format!("{phase}: done"));
            }
            phase = now_phase;
            bar.set_message(phase.to_string());
            bar.reset();
            phase_started = Instant::now();
        }
        let items = progress.items();
        if items > 0 {
            let rate = items as f64 / phase_started.elapsed().as_secs_f64().max(0.001);
            bar.set_prefix(format!(
                "{} rows, {} rows/s",
                thousands(items as i64),
                thousands(rate as i64)
            ));
        } else {
            bar.set_prefix(String::new());
        }
        bar.set_length(progress.total().max(1));
        bar.set_position(progress.done());
    }
    bar.finish_and_clear();
    let result = job.join();
    if result.is_ok() {
        eprintln!(
            "{name}: finished in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    result
}

/// 15676 → "15,676".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(15676), "15,676");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_041_960), "1,041,960");
        assert_eq!(thousands(-1000), "-1,000");
    }
}
