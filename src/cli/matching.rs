//! The matching commands: `lookup` (how a name would be linked, and why it
//! would wait), `evaluate`, `calibrate` and `settings`. Candidates are
//! printed with their substance group, marked when their substances differ
//! from candidate 1's, the same way for `lookup` and `review show`.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{open_existing, os_user, run_with_progress};
use crate::error::{Error, Result};
use crate::matching::evaluate::exact_percent;
use crate::model::linking::substance_groups;
use crate::model::linking::{Candidate, MatchStatus};
use crate::model::reason::Reason;
use crate::settings::Setting;
use crate::store::Store;

/// The "why" line of a decision: for a pending or unmatched name, what keeps
/// it from automatic linking.
pub(super) fn why_line(status: MatchStatus, reason: Option<&Reason>) -> Option<String> {
    match (status, reason) {
        (MatchStatus::Auto, _) | (_, None) | (_, Some(Reason::Sure)) => None,
        (MatchStatus::Pending, Some(r)) => Some(format!("why pending: {r}")),
        (MatchStatus::Unmatched, Some(r)) => Some(format!("why unmatched: {r}")),
    }
}

/// Prints ranked candidates, each with its substance group (A, B, …: the
/// same letter, the same substances) and "≠" when its substances differ
/// from candidate 1's.
pub(super) fn print_candidates(candidates: &[Candidate], names: &HashMap<String, String>) {
    let groups = substance_groups(candidates);
    for c in candidates {
        let (group, differs) = groups
            .iter()
            .enumerate()
            .find(|(_, (ranks, _))| ranks.contains(&c.rank))
            .map_or((0, false), |(i, (_, d))| (i, *d));
        let letter = char::from(b'A' + (group % 26) as u8);
        outln!(
            "  {:>2}. {:.3} [{letter}{}] {} {} {} → {}\n      {}",
            c.rank,
            c.score,
            if differs { "≠" } else { " " },
            c.target_level,
            c.target_code,
            c.target_name,
            named_codes(&c.substance_codes, names),
            c.explanation
        );
    }
}

/// `datamed lookup`.
pub(super) fn run_lookup(workspace: PathBuf, level: String, name: String) -> Result<()> {
    let store = open_existing(&workspace)?;
    let level = crate::model::Level::parse(&level);
    let m = crate::matching::engine::lookup(&store, &name, level)?;
    let names = store.substance_name_map()?;
    outln!(
        "{name} ({}): {} — {} (score {:.2}) → {}",
        level.label(),
        m.status.as_str(),
        m.method,
        m.score,
        named_codes(&m.substance_codes, &names)
    );
    if let Some(line) = why_line(m.status, Some(&m.reason)) {
        outln!("{line}");
    }
    print_candidates(&m.candidates, &names);
    Ok(())
}

/// `datamed evaluate`.
pub(super) fn run_evaluate(workspace: PathBuf, truth: PathBuf) -> Result<()> {
    let store = open_existing(&workspace)?;
    let truth = crate::matching::evaluate::read_truth(&truth)?;
    out!("{}", crate::matching::evaluate::evaluate(&store, &truth)?);
    Ok(())
}

/// `datamed calibrate`.
pub(super) fn run_calibrate(
    workspace: PathBuf,
    truth: PathBuf,
    precision: f64,
    kept: f64,
) -> Result<()> {
    open_existing(&workspace)?;
    let truth = crate::matching::evaluate::read_truth(&truth)?;
    let author = os_user();
    let point = run_with_progress("calibrate", move |progress| {
        let mut store = Store::open(&workspace)?;
        crate::matching::evaluate::calibrate_workspace(
            &mut store, &truth, precision, kept, &author, progress,
        )
    })?;
    outln!(
        "precision target {}: thresholds stored: auto {}, review {} — auto {:.1} % of observations, precision {:.2} % (names) / {:.2} % (observations); {:.1} % of the other linkable names reviewable",
        exact_percent(precision),
        point.auto,
        point.review,
        100.0 * point.auto_obs_share,
        100.0 * point.auto_precision_names,
        100.0 * point.auto_precision_obs,
        100.0 * point.linkable_kept_share
    );
    outln!("run datamed match again to apply them");
    Ok(())
}

/// `datamed settings`: lists the settings, shows one, sets one, or prints
/// the history of changes.
pub(super) fn run_settings(
    workspace: PathBuf,
    key: Option<String>,
    value: Option<String>,
    history: bool,
    author: Option<String>,
) -> Result<()> {
    let mut store = open_existing(&workspace)?;
    if history {
        for c in crate::settings::history(&store)? {
            outln!(
                "{}  {:<10} {:<28} {} → {}",
                c.at,
                c.author,
                c.key,
                c.old_value.as_deref().unwrap_or("(default)"),
                c.new_value
            );
        }
        return Ok(());
    }
    let setting = match &key {
        None => None,
        Some(k) => Some(Setting::parse(k).ok_or_else(|| {
            let all: Vec<&str> = Setting::ALL.iter().map(|s| s.key()).collect();
            Error::Usage(format!(
                "unknown setting \"{k}\"; one of: {}",
                all.join(", ")
            ))
        })?),
    };
    match (setting, value) {
        (None, _) => {
            for v in crate::settings::list(&store)? {
                outln!(
                    "{:<28} {:<8} {}{}",
                    v.setting.key(),
                    v.value,
                    v.setting.describe(),
                    if v.is_default { " (default)" } else { "" }
                );
            }
        }
        (Some(s), None) => {
            let v = crate::settings::get(&store, s)?;
            outln!("{}", v.value);
        }
        (Some(s), Some(value)) => {
            let author = author.unwrap_or_else(os_user);
            let change = crate::settings::set(&mut store, s, &value, &author)?;
            outln!(
                "{}: {} → {} (by {author}, recorded)",
                change.key,
                change.old_value.as_deref().unwrap_or("(default)"),
                change.new_value
            );
            if matches!(s, Setting::AutoThreshold | Setting::ReviewThreshold) {
                outln!("run datamed match again to apply it");
            }
        }
    }
    Ok(())
}

/// Codes with their canonical names: "02202 PARACETAMOL + 04179 CODEINE".
pub(super) fn named_codes(
    codes: &[String],
    names: &std::collections::HashMap<String, String>,
) -> String {
    codes
        .iter()
        .map(|c| match names.get(c) {
            Some(n) => format!("{c} {n}"),
            None => c.clone(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}
