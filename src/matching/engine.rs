//! Ranking the candidates of one name and running matching over every
//! distinct name of a workspace. Candidates come from the agency's cascade
//! ([`crate::matching::cascade`]) and from the typo-tolerant index; each is
//! scored the same way (OSA similarity of the whole name, of its word
//! prefixes and of the first word, then drug-aware features), one per
//! target, ten kept with their explanation. Thresholds then decide
//! ([`crate::matching::decide`]).

use std::collections::HashMap;

use crate::error::Result;
use crate::jobs::{Phase, Progress};
use crate::matching::cascade::{propose, rule};
use crate::matching::composition::{contradicts, read_composition};
use crate::matching::decide::{
    CALIBRATED, Evidence, Ranked, SETTING_AUTO, SETTING_REVIEW, Thresholds, decide,
};
use crate::matching::evidence::{bounded_score, coverage, missing_word, name_floor};
use crate::matching::features::{Features, compare};
use crate::matching::index::{FIRST_WORD_WEIGHT, PREFIX_WEIGHT};
use crate::matching::osa::{OsaMatcher, similarity};
use crate::matching::referential::{Referential, Via};
use crate::model::Level;
use crate::model::linking::TargetLevel;
use crate::model::linking::{Candidate, DrugName, MatchStatus, NameMatch};
use crate::normalize::{
    SubstanceKey, first_word, is_unspecific, normalize_name, substance_key, written_salts,
};
use crate::store::Store;

/// Candidates kept per name.
pub const CANDIDATES_KEPT: usize = 10;

/// Hits asked of the index per name (before one-per-target and features).
const INDEX_HITS: usize = 40;

/// Score of a substance name written as another form of the name (the
/// same base and salt, in another order, with or without DE/D', in
/// parentheses, abbreviated, in the INN's spelling): above anything that
/// merely reads alike, so that "PAROXETINE (CHLORHYDRATE DE)" ranks the
/// paroxetine chlorhydrates above DAPOXETINE's; a little higher when the
/// hydrate words agree too.
const SAME_KEY_SCORE: f64 = 0.99;
const SAME_KEY_AND_HYDRATE_SCORE: f64 = 0.995;

/// Weight of the drug-aware features (dose, unit, form, salt, brand) on the
/// score: each agreeing part adds it twice, each differing part takes it
/// twice (see [`crate::matching::features::Agreement::score`]), within the
/// bounds of [`crate::matching::evidence::bounded_score`].
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

/// A candidate being ranked, before its explanation is written.
#[derive(Debug, Clone, Copy)]
struct Scored {
    entry: u32,
    target: u32,
    method: &'static str,
    score: f64,
    /// The score without the features.
    string_score: f64,
    similarity: f64,
    lifted: bool,
}

/// Index score below which a one-word name is also compared with every
/// first word of the referential: short brand names mistyped twice share
/// too few trigrams to be found otherwise ("xzanac", "CILXO").
const FIRST_WORD_SCAN_BELOW: f64 = 0.85;

/// First words kept from that scan.
const FIRST_WORD_SCAN_KEEP: usize = 8;

/// Entries kept per first word found by that scan.
const ENTRIES_PER_FIRST_WORD: usize = 6;

/// Ranks the candidates of one name.
pub fn rank(r: &Referential, name: &DrugName, years: Option<(i64, i64)>) -> Ranked {
    let norm = name.normalized.as_str();
    let unspecific = norm.is_empty() || is_unspecific(norm);
    let proposals = propose(r, &name.name, norm, name.level, years);
    let exact = proposals.iter().any(|p| p.exact);
    let query = Query::new(norm);
    let query_key = substance_key(norm);
    // A name typed at produit level designates a product: a spécialité
    // found for it stands for its product (ORDEI reaches a product's
    // substances through all of its spécialités).
    let lift = name.level == Level::Produit;
    // Best candidate per target.
    let mut best: HashMap<u32, Scored> = HashMap::new();
    let score_entry =
        |entry_id: u32, method: &'static str, exact: bool, pair: Option<(f64, f64)>| {
            let entry = &r.entries[entry_id as usize];
            let mut target = entry.target;
            let mut lifted = false;
            if lift && let Some(parent) = r.targets[target as usize].parent {
                target = parent;
                lifted = true;
            }
            let (pair_score, similarity) = pair.unwrap_or_else(|| {
                let p = query.score(&entry.norm);
                (p.score, p.similarity)
            });
            let (mut score, mut string_score) = if exact {
                (1.0, 1.0)
            } else {
                let agreement = compare(&query.features, &r.features[entry_id as usize]);
                (
                    bounded_score(pair_score, FEATURE_WEIGHT, agreement.score()),
                    pair_score,
                )
            };
            if let Some(keyed) = same_key(query_key.as_ref(), r.keys[entry_id as usize].as_ref()) {
                score = score.max(keyed);
                string_score = string_score.max(keyed);
            }
            Scored {
                entry: entry_id,
                target,
                method,
                score,
                string_score,
                similarity,
                lifted,
            }
        };
    let keep = |best: &mut HashMap<u32, Scored>, scored: Scored| {
        best.entry(scored.target)
            .and_modify(|b| {
                if scored.score > b.score {
                    *b = scored;
                }
            })
            .or_insert(scored);
    };
    let structural_entries: Vec<u32> = proposals
        .iter()
        .filter(|p| p.method == rule::TEXT_ANALYSIS)
        .map(|p| p.entry)
        .collect();
    for p in &proposals {
        keep(&mut best, score_entry(p.entry, p.method, p.exact, None));
    }
    if !norm.is_empty() {
        for hit in r.index.search(norm, INDEX_HITS) {
            keep(
                &mut best,
                score_entry(
                    hit.id,
                    rule::SIMILARITY,
                    false,
                    Some((hit.score, hit.similarity)),
                ),
            );
        }
        let best_score = best.values().map(|c| c.score).fold(0.0, f64::max);
        if best_score < FIRST_WORD_SCAN_BELOW && !norm.contains(' ') {
            for e in first_word_scan(r, &query) {
                keep(&mut best, score_entry(e, rule::SIMILARITY, false, None));
            }
        }
    }
    let structural: Vec<(Vec<String>, f64)> = structural_entries
        .iter()
        .filter_map(|&e| best.get(&r.entries[e as usize].target))
        .map(|c| {
            (
                r.set_codes(r.targets[c.target as usize].set).to_vec(),
                c.score,
            )
        })
        .collect();
    let mut kept: Vec<Scored> = best.into_values().collect();
    kept.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.similarity.total_cmp(&a.similarity))
            .then_with(|| {
                r.targets[a.target as usize]
                    .level
                    .cmp(&r.targets[b.target as usize].level)
            })
            .then_with(|| {
                r.targets[a.target as usize]
                    .code
                    .cmp(&r.targets[b.target as usize].code)
            })
    });
    kept.truncate(CANDIDATES_KEPT);
    let candidates = kept
        .iter()
        .enumerate()
        .map(|(i, s)| explain(r, &query, s, i as u32 + 1))
        .collect();
    let evidence = kept
        .iter()
        .map(|s| {
            let theirs = &r.entries[s.entry as usize].norm;
            let (covers, complete) = coverage(norm, theirs);
            Evidence {
                string_score: s.string_score,
                missing_word: missing_word(norm, theirs),
                covers,
                complete,
            }
        })
        .collect();
    // A composition read from the name, unless a candidate of those
    // substances' names leads elsewhere.
    let composition = read_composition(r, norm)
        .filter(|(codes, named)| {
            !kept.iter().any(|s| {
                contradicts(
                    &r.entries[s.entry as usize].norm,
                    named,
                    codes,
                    r.set_codes(r.targets[s.target as usize].set),
                )
            })
        })
        .map(|(codes, _)| codes);
    let salt_differs = kept
        .first()
        .and_then(|s| salt_differs(r, norm, query_key.as_ref(), s.entry));
    Ranked {
        candidates,
        exact,
        unspecific,
        structural,
        floor: if unspecific { None } else { name_floor(norm) },
        evidence,
        salt_differs,
        composition,
    }
}

/// The score a substance entry earns by having the name's key: its base
/// and salt ([`SAME_KEY_SCORE`]), and its hydrate words too
/// ([`SAME_KEY_AND_HYDRATE_SCORE`]); `None` when the keys differ.
fn same_key(query: Option<&SubstanceKey>, entry: Option<&SubstanceKey>) -> Option<f64> {
    let (q, e) = (query?, entry?);
    (q.base == e.base && q.salts == e.salts).then_some(if q.hydrates == e.hydrates {
        SAME_KEY_AND_HYDRATE_SCORE
    } else {
        SAME_KEY_SCORE
    })
}

/// When the name names a salt and candidate 1 is a substance of the same
/// base (or of a base within a typing slip of it) under another salt or
/// none: the two salts as written.
fn salt_differs(
    r: &Referential,
    norm: &str,
    query: Option<&SubstanceKey>,
    entry: u32,
) -> Option<(String, String)> {
    let q = query.filter(|q| !q.salts.is_empty())?;
    // The candidate's substance name: the entry's own for a substance, the
    // one substance's canonical name for a spécialité or produit of one.
    let target = &r.targets[r.entries[entry as usize].target as usize];
    let (c, name) = if target.level == TargetLevel::Substance {
        let name = r.entries[entry as usize].norm.clone();
        (r.keys[entry as usize].clone()?, name)
    } else {
        let [code] = r.set_codes(target.set) else {
            return None;
        };
        let name = normalize_name(r.substance_names.get(code)?);
        (substance_key(&name)?, name)
    };
    let same_base = c.base == q.base
        || crate::matching::osa::osa_distance_bounded(&c.base, &q.base, 1).is_some();
    (same_base && c.salts != q.salts).then(|| (written_salts(norm), written_salts(&name)))
}

/// Entries whose first word is among the closest to a one-word query, by an
/// OSA scan of every distinct first word.
fn first_word_scan(r: &Referential, query: &Query) -> Vec<u32> {
    let mut words: Vec<(f64, &String)> = r
        .by_first_word
        .keys()
        .map(|w| (query.matcher.similarity(w), w))
        .filter(|(s, _)| *s >= 0.4)
        .collect();
    words.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    words
        .iter()
        .take(FIRST_WORD_SCAN_KEEP)
        .flat_map(|(_, w)| {
            let mut entries: Vec<u32> = r.by_first_word.get(*w).cloned().unwrap_or_default();
            entries.sort_by_key(|&e| r.entries[e as usize].norm.len());
            entries.truncate(ENTRIES_PER_FIRST_WORD);
            entries
        })
        .collect()
}

/// The candidate as shown and stored, with its explanation.
fn explain(r: &Referential, query: &Query, s: &Scored, rank: u32) -> Candidate {
    let entry = &r.entries[s.entry as usize];
    let target = &r.targets[s.target as usize];
    let agreement = compare(&query.features, &r.features[s.entry as usize]);
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
    let lifted = if s.lifted {
        format!(
            "; produit of the spécialité {}",
            r.targets[entry.target as usize].name
        )
    } else {
        String::new()
    };
    Candidate {
        rank,
        score: s.score,
        method: s.method.to_string(),
        target_level: target.level,
        target_code: target.code.clone(),
        target_name: target.name.clone(),
        substance_codes: r.set_codes(target.set).to_vec(),
        similarity: s.similarity,
        explanation: format!(
            "{}{via}{lifted}; similarity {:.2}; {}",
            s.method,
            s.similarity,
            agreement.describe()
        ),
    }
}

/// Ranks and decides one name.
pub fn match_name(r: &Referential, name: &DrugName, t: &Thresholds) -> NameMatch {
    let ranked = rank(r, name, None);
    let d = decide(&ranked, t);
    NameMatch {
        name_id: name.id,
        status: d.status,
        method: d.method,
        score: d.score,
        substance_codes: d.substance_codes,
        reason: d.reason,
        candidates: ranked.candidates,
    }
}

/// First and last notification years of each name's cases, by name id.
pub type NameYears = HashMap<i64, (i64, i64)>;

/// Ranks every name on all cores, in input order.
pub fn rank_all(
    r: &Referential,
    names: &[DrugName],
    years: &NameYears,
    progress: &Progress,
) -> Result<Vec<Ranked>> {
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
                        out.push(rank(r, name, years.get(&name.id).copied()));
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

/// Why matching may link fewer names than it could, told with its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferentialWarning {
    /// No CODEX or BDPM in the workspace: no name can be linked.
    Missing,
    /// The referential's latest date (an AMM, a presentation declared, a
    /// CODEX former name) is before the newest notification: drugs
    /// authorised or renamed since are not in it.
    Older {
        /// The referential's latest date, `YYYY-MM-DD`.
        referential: String,
        /// The newest notification of the cases that count, `YYYY-MM-DD`.
        newest_notification: String,
    },
}

/// What the workspace's referential is worth for its cases.
pub fn referential_warning(store: &Store) -> Result<Option<ReferentialWarning>> {
    let (present, latest, newest) = store.referential_dates()?;
    Ok(match (present, latest, newest) {
        (false, _, _) => Some(ReferentialWarning::Missing),
        // ISO dates compare as text.
        (true, Some(referential), Some(newest_notification))
            if newest_notification > referential =>
        {
            Some(ReferentialWarning::Older {
                referential,
                newest_notification,
            })
        }
        _ => None,
    })
}

/// Summary of a matching run.
#[derive(Debug, Clone, Default)]
pub struct MatchSummary {
    /// What the referential lacks, if anything.
    pub warning: Option<ReferentialWarning>,
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
    progress.start_phase(Phase::LoadReferential, 0);
    let warning = referential_warning(store)?;
    let rows = store.referential_rows()?;
    let referential = Referential::build(&rows);
    let names = store.drug_names()?;
    let t = thresholds(store)?;
    let years = store.name_years()?;
    progress.start_phase(Phase::MatchNames, names.len() as u64);
    let started = std::time::Instant::now();
    let ranked = rank_all(&referential, &names, &years, progress)?;
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
            reason: d.reason,
            candidates: ranked.candidates,
        });
    }
    progress.start_phase(Phase::SaveResults, 0);
    store.save_matches(&matches)?;
    let mut by: Vec<_> = tally.into_iter().collect();
    by.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(MatchSummary {
        warning,
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
