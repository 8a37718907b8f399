//! The review queue: the names a reviewer still has to decide — matching
//! left them pending and nobody decided their key, or their approved target
//! left the referential — with their level, observations, cases, best score
//! and method; sorted by observations (default), score or name, and
//! filtered by level, method, score band and text. [`filter_queue`] is pure
//! so that the window can filter rows it holds without asking the store
//! again.

use std::collections::HashSet;

use super::{DecisionKey, flagged};
use crate::error::Result;
use crate::model::Level;
use crate::model::linking::{DrugName, MatchStatus};
use crate::normalize::fold_upper;
use crate::store::Store;
use crate::store::matching::TranscodingRow;
use crate::store::review::Decision;

/// How the queue is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Most observations first: the names that weigh most on indicators.
    #[default]
    Observations,
    /// Best score first: the quick approvals.
    Score,
    /// Alphabetical, accents folded.
    Name,
}

impl QueueSort {
    /// Parses `observations`, `score` or `name`.
    pub fn parse(s: &str) -> Option<QueueSort> {
        match s {
            "observations" | "obs" => Some(QueueSort::Observations),
            "score" => Some(QueueSort::Score),
            "name" => Some(QueueSort::Name),
            _ => None,
        }
    }
}

/// What the queue shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueQuery {
    /// Order.
    pub sort: QueueSort,
    /// Only names typed at this level.
    pub level: Option<Level>,
    /// Only names matching gave this method (case-insensitive).
    pub method: Option<String>,
    /// Only names whose best score is at least this.
    pub min_score: Option<f64>,
    /// Only names whose best score is below this.
    pub max_score: Option<f64>,
    /// Only names containing this text (accents and case ignored).
    pub text: Option<String>,
    /// Also the deferred names.
    pub include_deferred: bool,
    /// Also the names matching found nothing for (to link by hand).
    pub include_unmatched: bool,
    /// At most this many names.
    pub limit: Option<usize>,
}

/// One name to review.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    /// The name, its level, observations and cases.
    pub name: DrugName,
    /// Matching's status.
    pub status: MatchStatus,
    /// Matching's method.
    pub method: String,
    /// Matching's score (the best candidate's).
    pub score: f64,
    /// The key's decision, when deferred or flagged.
    pub decision: Option<Decision>,
    /// Approved, but its target left the referential: review again.
    pub flagged: bool,
    /// Why matching left it pending (typed; `None` before reasons were
    /// recorded).
    pub reason: Option<crate::model::reason::Reason>,
}

/// The review queue of a workspace.
pub fn queue(store: &Store, query: &QueueQuery) -> Result<Vec<QueueItem>> {
    let flagged_keys: HashSet<DecisionKey> = flagged(store)?
        .into_iter()
        .map(|f| f.decision.key)
        .collect();
    Ok(filter_queue(
        store.transcoding_rows()?,
        &flagged_keys,
        query,
    ))
}

/// The queue out of transcoding rows and the flagged keys.
pub fn filter_queue(
    rows: Vec<TranscodingRow>,
    flagged_keys: &HashSet<DecisionKey>,
    query: &QueueQuery,
) -> Vec<QueueItem> {
    let text = query
        .text
        .as_deref()
        .map(|t| fold_upper(t.trim()))
        .filter(|t| !t.is_empty());
    let method = query.method.as_deref().map(str::to_lowercase);
    let mut items: Vec<QueueItem> = rows
        .into_iter()
        .filter_map(|row| {
            let is_flagged = row.decision.as_ref().is_some_and(|d| d.status.is_final())
                && flagged_keys.contains(&DecisionKey::of(&row.name));
            let wanted = match &row.decision {
                Some(d) if d.status.is_final() => is_flagged,
                Some(_) => query.include_deferred,
                None => match row.status {
                    MatchStatus::Pending => true,
                    MatchStatus::Unmatched => query.include_unmatched,
                    MatchStatus::Auto => false,
                },
            };
            wanted.then_some(QueueItem {
                name: row.name,
                status: row.status,
                method: row.method,
                score: row.score,
                decision: row.decision,
                flagged: is_flagged,
                reason: row.reason,
            })
        })
        .filter(|i| query.level.is_none_or(|l| i.name.level == l))
        .filter(|i| {
            method
                .as_deref()
                .is_none_or(|m| i.method.to_lowercase() == m)
        })
        .filter(|i| query.min_score.is_none_or(|s| i.score >= s))
        .filter(|i| query.max_score.is_none_or(|s| i.score < s))
        .filter(|i| {
            text.as_deref().is_none_or(|t| {
                fold_upper(&i.name.name).contains(t) || i.name.normalized.contains(t)
            })
        })
        .collect();
    match query.sort {
        QueueSort::Observations => items.sort_by(|a, b| {
            b.name
                .n_obs
                .cmp(&a.name.n_obs)
                .then_with(|| b.name.n_cases.cmp(&a.name.n_cases))
                .then_with(|| a.name.name.cmp(&b.name.name))
                .then_with(|| a.name.level.cmp(&b.name.level))
        }),
        QueueSort::Score => items.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.name.n_obs.cmp(&a.name.n_obs))
                .then_with(|| a.name.name.cmp(&b.name.name))
                .then_with(|| a.name.level.cmp(&b.name.level))
        }),
        QueueSort::Name => {
            items.sort_by_cached_key(|i| (fold_upper(&i.name.name), i.name.level, i.name.id))
        }
    }
    if let Some(limit) = query.limit {
        items.truncate(limit);
    }
    items
}
