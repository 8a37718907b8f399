//! Measuring matching against a labelled set (`truth.csv`, header
//! `medicament,type,truth_codes`, codes `|`-joined, empty meaning "must not
//! be linked"): coverage and precision of auto by level and score band,
//! top-1 and top-5 accuracy of pending, in names and in observations; and
//! choosing the thresholds from such a set ([`calibrate_workspace`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Place, Result};
use crate::jobs::{Phase, Progress};
use crate::matching::decide::{CalibrationPoint, Labelled, calibrate};
use crate::matching::engine::rank_all;
use crate::matching::referential::Referential;
use crate::model::Level;
use crate::model::linking::MatchStatus;
use crate::settings::Setting;
use crate::store::Store;

/// The labelled truth: (name as typed, level) → sorted codes.
pub type Truth = HashMap<(String, Level), Vec<String>>;

/// Reads a truth file.
pub fn read_truth(path: &Path) -> Result<Truth> {
    let text = crate::import::text::decode_file(path)?.text;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let place = Place::file(path);
    let headers = reader
        .headers()
        .map_err(|e| Error::data(place.at_line(1), e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                Error::data(
                    place.at_line(1),
                    format!(
                        "missing column {name}: the header must be medicament,type,truth_codes"
                    ),
                )
            })
    };
    let (m, t, c) = (col("medicament")?, col("type")?, col("truth_codes")?);
    let mut truth = Truth::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::data(place.at_line(i as u64 + 2), e.to_string()))?;
        let mut codes: Vec<String> = record
            .get(c)
            .unwrap_or("")
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        codes.sort();
        codes.dedup();
        truth.insert(
            (
                record.get(m).unwrap_or("").trim().to_string(),
                Level::parse(record.get(t).unwrap_or("")),
            ),
            codes,
        );
    }
    Ok(truth)
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    names: i64,
    obs: i64,
}

impl Tally {
    fn add(&mut self, obs: i64) {
        self.names += 1;
        self.obs += obs;
    }
}

#[derive(Debug, Default, Clone)]
struct LevelStats {
    all: Tally,
    auto: Tally,
    auto_right: Tally,
    pending: Tally,
    pending_linkable: Tally,
    top1: Tally,
    top5: Tally,
    unmatched: Tally,
    unmatched_linkable: Tally,
    unlabelled: Tally,
}

fn pct(a: i64, b: i64) -> String {
    if b == 0 {
        "—".to_string()
    } else {
        format!("{:.2} %", 100.0 * a as f64 / b as f64)
    }
}

/// The score band of an auto decision, for the report.
fn band(score: f64) -> &'static str {
    if score >= 1.0 {
        "1.00 (exact)"
    } else if score >= 0.95 {
        "0.95–0.99"
    } else if score >= 0.90 {
        "0.90–0.94"
    } else if score >= 0.80 {
        "0.80–0.89"
    } else {
        "< 0.80"
    }
}

/// Evaluates the stored matching results against `truth`; returns the
/// report as text. Shares are of the labelled names (names the truth does
/// not list are counted apart); precision is given per level, per score
/// band and per method, with the ten automatic links of weakest evidence.
pub fn evaluate(store: &Store, truth: &Truth) -> Result<String> {
    let rows = store.transcoding_rows()?;
    let candidates = store.candidates_by_name()?;
    let mut levels: BTreeMap<&'static str, LevelStats> = BTreeMap::new();
    let mut bands: BTreeMap<&'static str, (Tally, Tally)> = BTreeMap::new();
    let mut methods: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
    let mut weakest: Vec<(f64, &crate::store::matching::TranscodingRow, Option<bool>)> = Vec::new();
    let mut non_drug_linked: Vec<&str> = Vec::new();
    for row in &rows {
        let key = (row.name.name.trim().to_string(), row.name.level);
        let obs = row.name.n_obs;
        let codes = truth.get(&key);
        if row.status == MatchStatus::Auto {
            weakest.push((row.score, row, codes.map(|c| *c == row.substance_codes)));
            if codes.is_some_and(Vec::is_empty) {
                non_drug_linked.push(&row.name.name);
            }
        }
        for level in [row.name.level.label(), "Total"] {
            let s = levels.entry(level).or_default();
            let Some(codes) = codes else {
                s.unlabelled.add(obs);
                continue;
            };
            s.all.add(obs);
            match row.status {
                MatchStatus::Auto => {
                    s.auto.add(obs);
                    let right = *codes == row.substance_codes;
                    if right {
                        s.auto_right.add(obs);
                    }
                    if level == "Total" {
                        let b = bands.entry(band(row.score)).or_default();
                        let m = methods.entry(row.method.clone()).or_default();
                        b.0.add(obs);
                        m.0.add(obs);
                        if right {
                            b.1.add(obs);
                            m.1.add(obs);
                        }
                    }
                }
                MatchStatus::Pending => {
                    s.pending.add(obs);
                    if !codes.is_empty() {
                        s.pending_linkable.add(obs);
                        let cands = candidates.get(&row.name.id).map_or(&[][..], Vec::as_slice);
                        if cands.first().is_some_and(|c| c.substance_codes == *codes) {
                            s.top1.add(obs);
                        }
                        if cands.iter().take(5).any(|c| c.substance_codes == *codes) {
                            s.top5.add(obs);
                        }
                    }
                }
                MatchStatus::Unmatched => {
                    s.unmatched.add(obs);
                    if !codes.is_empty() {
                        s.unmatched_linkable.add(obs);
                    }
                }
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Evaluation against the truth ({} labelled names)",
        truth.len()
    );
    for (level, s) in &levels {
        let _ = writeln!(
            out,
            "\n{level}: {} labelled names, {} observations",
            s.all.names, s.all.obs
        );
        let _ = writeln!(
            out,
            "  auto:      {} of names, {} of observations; precision {} (names), {} (observations)",
            pct(s.auto.names, s.all.names),
            pct(s.auto.obs, s.all.obs),
            pct(s.auto_right.names, s.auto.names),
            pct(s.auto_right.obs, s.auto.obs)
        );
        let _ = writeln!(
            out,
            "  pending:   {} names ({} obs); of those with a truth, top-1 {} / top-5 {} (names), top-1 {} / top-5 {} (observations)",
            s.pending.names,
            s.pending.obs,
            pct(s.top1.names, s.pending_linkable.names),
            pct(s.top5.names, s.pending_linkable.names),
            pct(s.top1.obs, s.pending_linkable.obs),
            pct(s.top5.obs, s.pending_linkable.obs)
        );
        let _ = writeln!(
            out,
            "  unmatched: {} names ({} obs), of which {} names ({} obs) had a substance to find",
            s.unmatched.names,
            s.unmatched.obs,
            s.unmatched_linkable.names,
            s.unmatched_linkable.obs
        );
        if s.unlabelled.names > 0 {
            let _ = writeln!(out, "  not in the truth: {} names", s.unlabelled.names);
        }
    }
    let _ = writeln!(
        out,
        "\nEntries naming no drug linked automatically: {}{}",
        non_drug_linked.len(),
        if non_drug_linked.is_empty() {
            String::new()
        } else {
            format!(" ({})", non_drug_linked.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "\nAuto by score band (names, precision in names / observations):"
    );
    for (band, (all, right)) in bands.iter().rev() {
        let _ = writeln!(
            out,
            "  {band:<14} {:>7} names  {} / {}",
            all.names,
            pct(right.names, all.names),
            pct(right.obs, all.obs)
        );
    }
    let _ = writeln!(
        out,
        "\nAuto by method (names, precision in names / observations):"
    );
    for (method, (all, right)) in &methods {
        let _ = writeln!(
            out,
            "  {method:<34} {:>7} names  {} / {}",
            all.names,
            pct(right.names, all.names),
            pct(right.obs, all.obs)
        );
    }
    weakest.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then_with(|| b.1.name.n_obs.cmp(&a.1.name.n_obs))
            .then_with(|| a.1.name.name.cmp(&b.1.name.name))
    });
    let _ = writeln!(out, "\nThe ten automatic links with the weakest evidence:");
    for (score, row, right) in weakest.iter().take(10) {
        let verdict = match right {
            Some(true) => "right",
            Some(false) => "WRONG",
            None => "not in the truth",
        };
        let _ = writeln!(
            out,
            "  {score:.3}  {} ({}) — {} → {} [{verdict}]",
            row.name.name,
            row.name.level.label(),
            row.method,
            row.substance_codes.join("+")
        );
    }
    Ok(out)
}

/// Highest precision target [`calibrate_workspace`] accepts.
pub const MAX_PRECISION_TARGET: f64 = 0.9999;

/// A share written as a percentage with every digit it was given: 0.9999 →
/// "99.99 %", 0.998 → "99.8 %" (never rounded up to 100 %).
pub fn exact_percent(share: f64) -> String {
    let percent = (share * 1e8).round() / 1e6;
    format!("{percent} %")
}

/// Chooses the two thresholds on the workspace's names labelled by
/// `truth` (auto precision at least `min_precision`, the truth of at least
/// `min_kept` of the other linkable names kept plausible), stores them as
/// workspace settings and returns the point chosen.
pub fn calibrate_workspace(
    store: &mut Store,
    truth: &Truth,
    min_precision: f64,
    min_kept: f64,
    author: &str,
    progress: &Progress,
) -> Result<CalibrationPoint> {
    if !(0.5..=MAX_PRECISION_TARGET).contains(&min_precision) {
        return Err(Error::Usage(format!(
            "the precision target must be between 0.5 and {MAX_PRECISION_TARGET}, not {min_precision}"
        )));
    }
    let referential = Referential::build(&store.referential_rows()?);
    let names: Vec<_> = store
        .drug_names()?
        .into_iter()
        .filter(|n| truth.contains_key(&(n.name.trim().to_string(), n.level)))
        .collect();
    if names.is_empty() {
        return Err(Error::Usage(
            "no name of the workspace is in the truth file: import the extract the truth describes"
                .into(),
        ));
    }
    progress.start_phase(Phase::RankLabelledNames, names.len() as u64);
    let ranked = rank_all(&referential, &names, &store.name_years()?, progress)?;
    let set: Vec<Labelled> = names
        .iter()
        .zip(ranked)
        .map(|(n, ranked)| Labelled {
            ranked,
            n_obs: n.n_obs,
            truth: truth
                .get(&(n.name.trim().to_string(), n.level))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let point = calibrate(&set, min_precision, min_kept).ok_or_else(|| {
        Error::Usage(format!(
            "no auto threshold reaches a precision of {} on this labelled set",
            exact_percent(min_precision)
        ))
    })?;
    // Through the audited settings, review first when it goes down so that
    // review never exceeds auto in between.
    let (auto, review) = (point.auto.to_string(), point.review.to_string());
    let current_review = crate::settings::get(store, Setting::ReviewThreshold)?;
    if current_review.value.parse::<f64>().unwrap_or(0.0) > point.auto {
        store.set_setting_audited(Setting::ReviewThreshold.key(), &review, author)?;
        store.set_setting_audited(Setting::AutoThreshold.key(), &auto, author)?;
    } else {
        store.set_setting_audited(Setting::AutoThreshold.key(), &auto, author)?;
        store.set_setting_audited(Setting::ReviewThreshold.key(), &review, author)?;
    }
    Ok(point)
}
