//! Ranking the candidates of one name and running matching over every
//! distinct name of a workspace. Candidates come from the agency's cascade
//! ([`crate::matching::cascade`]) and from the typo-tolerant index; each is
//! scored the same way (OSA similarity of the whole name, of its word
//! prefixes and of the first word, then drug-aware features), one per
//! target, ten kept with their explanation. Thresholds then decide
//! ([`crate::matching::decide`]).

use std::collections::HashMap;

use crate::error::Result;
use crate::jobs::Progress;
use crate::matching::cascade::{Proposal, propose, rule};
use crate::matching::decide::{
    CALIBRATED, Ranked, SETTING_AUTO, SETTING_REVIEW, Thresholds, decide,
};
use crate::matching::features::{Features, compare};
use crate::matching::index::{FIRST_WORD_WEIGHT, PREFIX_WEIGHT};
use crate::matching::osa::{OsaMatcher, similarity};
use crate::matching::referential::{Referential, Via};
use crate::model::Level;
use crate::model::linking::{Candidate, DrugName, MatchStatus, NameMatch};
use crate::normalize::{first_word, is_unspecific};
use crate::store::Store;

/// Candidates kept per name.
pub const CANDIDATES_KEPT: usize = 10;

/// Hits asked of the index per name (before one-per-target and features).
const INDEX_HITS: usize = 40;

/// Weight of the drug-aware features (dose, unit, form, salt, brand) on the
/// score: each agreeing part adds it twice, each differing part takes it
/// twice (see [`crate::matching::features::Agreement::score`]).
const FEATURE_WEIGHT: f64 = 0.01;

/// The thresholds of a workspace (its settings, else the calibrated ones).
pub fn thresholds(store: &Store) -> Result<Thresholds> {
    let read = |key, default: f64| -> Result<f64> {
        Ok(store
            .setting(key)?
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(default))
    };
    Ok(Thresholds {
        auto: read(SETTING_AUTO, CALIBRATED.auto)?,
        review: read(SETTING_REVIEW, CALIBRATED.review)?,
    })
}

/// Stores thresholds as workspace settings.
pub fn save_thresholds(store: &Store, t: &Thresholds) -> Result<()> {
    store.set_setting(SETTING_AUTO, &format!("{:.2}", t.auto))?;
    store.set_setting(SETTING_REVIEW, &format!("{:.2}", t.review))
}

/// Scores of a query against one referential name.
struct PairScore {
    similarity: f64,
    score: f64,
}

/// The query side of scoring, built once per name.
struct Query {
    matcher: OsaMatcher,
    word_matcher: OsaMatcher,
    features: Features,
}

impl Query {
    fn new(norm: &str) -> Self {
        Query {
            matcher: OsaMatcher::new(norm),
            word_matcher: OsaMatcher::new(first_word(norm).unwrap_or("")),
            features: Features::from_normalized(norm),
        }
    }

    /// The index's ranking score (whole name, word prefixes, first word),
    /// so that cascade proposals and index hits compare on one scale.
    fn score(&self, name: &str) -> PairScore {
        let scan = self.matcher.compare_with_prefixes(name);
        let sim = similarity(scan.distance, self.matcher.len(), scan.text_chars);
        let prefix = scan.best_prefix_similarity.max(sim);
        let word = self.word_matcher.similarity(first_word(name).unwrap_or(""));
        PairScore {
            similarity: sim,
            score: (1.0 - FIRST_WORD_WEIGHT) * sim.max(PREFIX_WEIGHT * prefix)
                + FIRST_WORD_WEIGHT * word,
        }
    }
}

/// Ranks the candidates of one name.
pub fn rank(r: &Referential, name: &DrugName) -> Ranked {
    let norm = name.normalized.as_str();
    let unspecific = norm.is_empty() || is_unspecific(norm);
    let proposals = propose(r, &name.name, norm, name.level);
    let exact = proposals.iter().any(|p| p.exact);
    let structural_entries: Vec<u32> = proposals
        .iter()
        .filter(|p| p.method == rule::TEXT_ANALYSIS)
        .map(|p| p.entry)
        .collect();
    let query = Query::new(norm);
    // Best candidate per target.
    let mut best: HashMap<u32, Candidate> = HashMap::new();
    // A name typed at produit level designates a product: a spécialité
    // found for it stands for its product (ORDEI reaches a product's
    // substances through all of its spécialités).
    let lift = name.level == Level::Produit;
    let mut consider = |p: Proposal| {
        let entry = &r.entries[p.entry as usize];
        let mut target_id = entry.target;
        let mut lifted_from = None;
        if lift && let Some(parent) = r.targets[target_id as usize].parent {
            lifted_from = Some(&r.targets[target_id as usize].name);
            target_id = parent;
        }
        let target = &r.targets[target_id as usize];
        let pair = query.score(&entry.norm);
        let agreement = compare(&query.features, &Features::from_normalized(&entry.norm));
        let score = if p.exact {
            1.0
        } else {
            (pair.score + FEATURE_WEIGHT * f64::from(agreement.score())).clamp(0.0, 0.999)
        };
        let via = match entry.via {
            Via::Name => String::new(),
            Via::FormerName => format!(
                "; former name \"{}\"{} of {}",
                entry.raw,
                entry
                    .created
                    .as_deref()
                    .map(|d| format!(" (recorded {d})"))
                    .unwrap_or_default(),
                target.name
            ),
            Via::Variant => format!("; variant \"{}\" of {}", entry.raw, target.name),
        };
        let lifted = lifted_from
            .map(|n| format!("; produit of the spécialité {n}"))
            .unwrap_or_default();
        let explanation = format!(
            "{}{via}{lifted}; similarity {:.2}; {}",
            p.method,
            pair.similarity,
            agreement.describe()
        );
        let candidate = Candidate {
            rank: 0,
            score,
            method: p.method.to_string(),
            target_level: target.level,
            target_code: target.code.clone(),
            target_name: target.name.clone(),
            substance_codes: r.set_codes(target.set).to_vec(),
            similarity: pair.similarity,
            explanation,
        };
        let slot = best.entry(target_id);
        match slot {
            std::collections::hash_map::Entry::Occupied(mut o) => {
                if candidate.score > o.get().score {
                    o.insert(candidate);
                }
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(candidate);
            }
        }
    };
    for p in proposals {
        consider(p);
    }
    if !norm.is_empty() {
        for hit in r.index.search(norm, INDEX_HITS) {
            consider(Proposal {
                entry: hit.id,
                method: rule::SIMILARITY,
                exact: false,
            });
        }
    }
    let structural: Vec<(Vec<String>, f64)> = structural_entries
        .iter()
        .filter_map(|&e| best.get(&r.entries[e as usize].target))
        .map(|c| (c.substance_codes.clone(), c.score))
        .collect();
    let mut candidates: Vec<Candidate> = best.into_values().collect();
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.similarity.total_cmp(&a.similarity))
            .then_with(|| a.target_level.cmp(&b.target_level))
            .then_with(|| a.target_code.cmp(&b.target_code))
    });
    candidates.truncate(CANDIDATES_KEPT);
    for (i, c) in candidates.iter_mut().enumerate() {
        c.rank = i as u32 + 1;
    }
    Ranked {
        candidates,
        exact,
        unspecific,
        structural,
    }
}

/// Ranks and decides one name.
pub fn match_name(r: &Referential, name: &DrugName, t: &Thresholds) -> NameMatch {
    let ranked = rank(r, name);
    let d = decide(&ranked, t);
    NameMatch {
        name_id: name.id,
        status: d.status,
        method: d.method,
        score: d.score,
        substance_codes: d.substance_codes,
        candidates: ranked.candidates,
    }
}

/// Ranks every name on all cores, in input order.
pub fn rank_all(r: &Referential, names: &[DrugName], progress: &Progress) -> Result<Vec<Ranked>> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let chunk = names.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<Ranked>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<Vec<Ranked>> {
                    let mut out = Vec::with_capacity(part.len());
                    for (i, name) in part.iter().enumerate() {
                        out.push(rank(r, name));
                        if i % 256 == 255 {
                            progress.check_cancel()?;
                            progress.add_done(256);
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(crate::error::Error::Usage(
                        "a matching thread panicked".into(),
                    ))
                })
            })
            .collect()
    });
    let mut all = Vec::with_capacity(names.len());
    for part in results {
        all.extend(part?);
    }
    Ok(all)
}

/// (status, method, level) of a summary line.
pub type TallyKey = (MatchStatus, String, String);

/// Summary of a matching run.
#[derive(Debug, Clone, Default)]
pub struct MatchSummary {
    /// (status, method, level) → (names, observations).
    pub by_status_method_level: Vec<(TallyKey, (i64, i64))>,
    /// Names matched.
    pub names: i64,
    /// Observations covered.
    pub observations: i64,
    /// Thresholds used.
    pub thresholds: Option<Thresholds>,
    /// Time spent ranking, in milliseconds.
    pub ranking_ms: u128,
}

/// Matches every distinct name of the workspace and stores the results.
pub fn match_workspace(store: &mut Store, progress: &Progress) -> Result<MatchSummary> {
    progress.start_phase("load referential", 0);
    let rows = store.referential_rows()?;
    let referential = Referential::build(&rows);
    let names = store.drug_names()?;
    let t = thresholds(store)?;
    progress.start_phase("match names", names.len() as u64);
    let started = std::time::Instant::now();
    let ranked = rank_all(&referential, &names, progress)?;
    let ranking_ms = started.elapsed().as_millis();
    progress.set_done(names.len() as u64);
    let mut matches = Vec::with_capacity(names.len());
    let mut tally: HashMap<(MatchStatus, String, String), (i64, i64)> = HashMap::new();
    let mut observations = 0;
    for (name, ranked) in names.iter().zip(ranked) {
        let d = decide(&ranked, &t);
        let e = tally
            .entry((d.status, d.method.clone(), name.level.as_str().to_string()))
            .or_default();
        e.0 += 1;
        e.1 += name.n_obs;
        observations += name.n_obs;
        matches.push(NameMatch {
            name_id: name.id,
            status: d.status,
            method: d.method,
            score: d.score,
            substance_codes: d.substance_codes,
            candidates: ranked.candidates,
        });
    }
    progress.start_phase("save results", 0);
    store.save_matches(&matches)?;
    let mut by: Vec<_> = tally.into_iter().collect();
    by.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(MatchSummary {
        by_status_method_level: by,
        names: names.len() as i64,
        observations,
        thresholds: Some(t),
        ranking_ms,
    })
}

/// Ranks and decides a name typed now (not from an extract), against the
/// workspace's referential and thresholds: what a reviewer's search and
/// `datamed lookup` show.
pub fn lookup(store: &Store, raw: &str, level: Level) -> Result<NameMatch> {
    let referential = Referential::build(&store.referential_rows()?);
    let t = thresholds(store)?;
    let name = DrugName {
        id: 0,
        name: raw.to_string(),
        level,
        normalized: crate::normalize::normalize_name(raw),
        n_obs: 0,
        n_cases: 0,
    };
    Ok(match_name(&referential, &name, &t))
}
