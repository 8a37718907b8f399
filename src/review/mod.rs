//! Reviewing the doubtful names: every action a reviewer takes, as core
//! functions the command line and the window both call. A decision is kept
//! per key (normalised name, level), so that it outlives re-matching and
//! applies to every later extract; each change writes the decision and its
//! audit entry in one committed transaction ([`Store::record_step`]). Undo
//! and redo append compensating entries: nothing is ever erased. This file
//! holds the actions, undo/redo, history, "apply to identical normalised
//! names", reuse bookkeeping, re-review flags and progress; [`bulk`] the
//! decisions on a multi-selection, [`refusal`] why a step is refused;
//! [`queue`] the review queue, [`search`] the manual search of the referential,
//! [`exchange`] the decision files agents swap.

pub mod bulk;
pub mod exchange;
pub mod queue;

pub mod search;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::env::now_iso;
use crate::error::{Error, Result};
use crate::model::Level;
use crate::model::linking::{DrugName, MatchStatus, NameStatus, TargetLevel};
pub use crate::model::refusal::{ChangedBy, Compensation, Refusal};
use crate::normalize::normalize_name;
use crate::store::Store;
use crate::store::matching::TranscodingRow;
pub use crate::store::review::{
    AuditAction, AuditEntry, Decision, DecisionKey, DecisionStatus, DecisionTarget, NewAuditEntry,
};
pub use bulk::{Bulk, decide_many};
pub use exchange::{Conflict, ImportReport, export_decisions, import_decisions};
pub use queue::{QueueItem, QueueQuery, QueueSort, queue};
pub use search::{ReferentialSearch, SearchHit, search};

/// Who acts, and what they want to say about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note {
    /// The reviewer (OS user unless changed).
    pub author: String,
    /// Their comment, if any.
    pub comment: Option<String>,
}

impl Note {
    /// A note by `author` without comment.
    pub fn by(author: &str) -> Note {
        Note {
            author: author.to_string(),
            comment: None,
        }
    }

    /// The same note with a comment (an empty one counts as none).
    pub fn with_comment(mut self, comment: Option<String>) -> Note {
        self.comment = comment.filter(|c| !c.trim().is_empty());
        self
    }
}

/// The distinct name `id`, or a usage error.
pub(crate) fn name_by_id(store: &Store, id: i64) -> Result<DrugName> {
    store
        .drug_name(id)?
        .ok_or(Error::Refused(Refusal::NoName { id }))
}

/// Finds a distinct name typed at `level`: exactly as typed first, else by
/// its normalised form (the same key, hence the same decision).
pub fn find_name(store: &Store, raw: &str, level: Level) -> Result<DrugName> {
    if let Some(n) = store
        .drug_names_typed(raw)?
        .into_iter()
        .find(|n| n.level == level)
    {
        return Ok(n);
    }
    let normalized = normalize_name(raw);
    store
        .drug_names_normalized(&normalized)?
        .into_iter()
        .find(|n| n.level == level)
        .ok_or_else(|| {
            Error::Refused(Refusal::NameNotFound {
                raw: raw.to_string(),
                level,
            })
        })
}

/// Sets the key of `name` to `after`, recording `action`.
fn decide(store: &mut Store, name: &DrugName, after: Decision, note: &Note) -> Result<AuditEntry> {
    let key = DecisionKey::of(name);
    let before = store.decision(&key)?;
    let entry = NewAuditEntry {
        action: AuditAction::deciding(after.status),
        key,
        name: name.name.clone(),
        before,
        after: Some(after),
        comment: note.comment.clone(),
        compensates: None,
    };
    one(store.record_step(&note.author, &[entry])?)
}

/// The only entry of a one-entry step.
fn one(mut entries: Vec<AuditEntry>) -> Result<AuditEntry> {
    entries
        .pop()
        .ok_or(Error::Refused(Refusal::NothingRecorded))
}

/// A decision on `name` by `note`'s author, now.
pub(crate) fn new_decision(
    name: &DrugName,
    status: DecisionStatus,
    target: Option<DecisionTarget>,
    substance_codes: Vec<String>,
    method: String,
    score: Option<f64>,
    note: &Note,
) -> Decision {
    Decision {
        key: DecisionKey::of(name),
        name: name.name.clone(),
        status,
        target,
        substance_codes,
        method,
        score,
        comment: note.comment.clone(),
        author: note.author.clone(),
        decided_at: now_iso(),
    }
}

/// Approves name `name_id` with its candidate of rank `rank` (1 = best).
pub fn approve_candidate(
    store: &mut Store,
    name_id: i64,
    rank: u32,
    note: &Note,
) -> Result<AuditEntry> {
    let name = name_by_id(store, name_id)?;
    let candidates = store.candidates_of(name_id)?;
    let Some(c) = candidates.iter().find(|c| c.rank == rank) else {
        return Err(Error::Refused(Refusal::NoCandidate {
            name: name.name.clone(),
            level: name.level,
            rank,
            count: candidates.len(),
        }));
    };
    let decision = new_decision(
        &name,
        DecisionStatus::Approved,
        Some(DecisionTarget {
            level: c.target_level,
            code: c.target_code.clone(),
            name: c.target_name.clone(),
        }),
        c.substance_codes.clone(),
        format!("candidate {rank}"),
        Some(c.score),
        note,
    );
    decide(store, &name, decision, note)
}

/// Approves name `name_id` with targets found by the manual search: one
/// spécialité, produit or substance, or several substances (an association
/// the referential lacks).
pub fn approve_targets(
    store: &mut Store,
    name_id: i64,
    targets: &[SearchHit],
    note: &Note,
) -> Result<AuditEntry> {
    let name = name_by_id(store, name_id)?;
    let target = combine_targets(targets)?;
    let mut codes: Vec<String> = targets
        .iter()
        .flat_map(|t| t.substance_codes.iter().cloned())
        .collect();
    codes.sort();
    codes.dedup();
    let decision = new_decision(
        &name,
        DecisionStatus::Approved,
        Some(target),
        codes,
        "manual".into(),
        None,
        note,
    );
    decide(store, &name, decision, note)
}

/// One decision target out of the chosen search hits.
fn combine_targets(targets: &[SearchHit]) -> Result<DecisionTarget> {
    match targets {
        [] => Err(Error::Refused(Refusal::NoTarget)),
        [t] => Ok(DecisionTarget {
            level: t.level,
            code: t.code.clone(),
            name: t.name.clone(),
        }),
        several => {
            if several.iter().any(|t| t.level != TargetLevel::Substance) {
                return Err(Error::Refused(Refusal::SeveralNotSubstances));
            }
            let mut sorted: Vec<&SearchHit> = several.iter().collect();
            sorted.sort_by(|a, b| a.code.cmp(&b.code));
            sorted.dedup_by(|a, b| a.code == b.code);
            Ok(DecisionTarget {
                level: TargetLevel::Substance,
                code: sorted
                    .iter()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join("|"),
                name: sorted
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
            })
        }
    }
}

/// Rejects name `name_id`: it is linked to nothing.
pub fn reject(store: &mut Store, name_id: i64, note: &Note) -> Result<AuditEntry> {
    let name = name_by_id(store, name_id)?;
    let decision = new_decision(
        &name,
        DecisionStatus::Rejected,
        None,
        Vec::new(),
        "manual".into(),
        None,
        note,
    );
    decide(store, &name, decision, note)
}

/// Defers name `name_id`: it leaves the default queue until someone
/// decides it.
pub fn defer(store: &mut Store, name_id: i64, note: &Note) -> Result<AuditEntry> {
    let name = name_by_id(store, name_id)?;
    let decision = new_decision(
        &name,
        DecisionStatus::Deferred,
        None,
        Vec::new(),
        "manual".into(),
        None,
        note,
    );
    decide(store, &name, decision, note)
}

/// Comments name `name_id`: the comment replaces that of the key's
/// decision; on an undecided key it is kept in the audit log only.
pub fn comment(store: &mut Store, name_id: i64, text: &str, author: &str) -> Result<AuditEntry> {
    let name = name_by_id(store, name_id)?;
    if text.trim().is_empty() {
        return Err(Error::Refused(Refusal::EmptyComment));
    }
    let key = DecisionKey::of(&name);
    let before = store.decision(&key)?;
    let after = before.clone().map(|mut d| {
        d.comment = Some(text.to_string());
        d
    });
    let entry = NewAuditEntry {
        action: AuditAction::Comment,
        key,
        name: name.name.clone(),
        before,
        after,
        comment: Some(text.to_string()),
        compensates: None,
    };
    one(store.record_step(author, &[entry])?)
}

/// Restores the key of audit entry `entry_id` to what it was before that
/// entry, as a new "revert" entry: how a second reviewer undoes someone
/// else's decision. Refused when the key changed since.
pub fn revert(store: &mut Store, entry_id: i64, note: &Note) -> Result<AuditEntry> {
    let entry = store
        .audit_entry(entry_id)?
        .ok_or(Error::Refused(Refusal::NoEntry { id: entry_id }))?;
    if entry.before == entry.after {
        return Err(Error::Refused(Refusal::NothingToRevert {
            id: entry_id,
            action: entry.action,
        }));
    }
    ensure_unchanged(store, &entry, Compensation::Revert)?;
    let new = NewAuditEntry {
        action: AuditAction::Revert,
        key: entry.key.clone(),
        name: entry.name.clone(),
        before: entry.after.clone(),
        after: entry.before.clone(),
        comment: note.comment.clone(),
        compensates: Some(entry.id),
    };
    one(store.record_step(&note.author, &[new])?)
}

/// Fails unless the key of `entry` is still as the entry left it.
fn ensure_unchanged(store: &Store, entry: &AuditEntry, what: Compensation) -> Result<()> {
    let current = store.decision(&entry.key)?;
    if current == entry.after {
        return Ok(());
    }
    let since = store
        .audit_for_key(&entry.key)?
        .into_iter()
        .rev()
        .find(|e| e.id > entry.id && e.before != e.after)
        .map(|e| ChangedBy {
            author: e.author,
            at: e.at,
            entry: e.id,
        });
    Err(Error::Refused(Refusal::ChangedSince {
        what,
        entry: entry.id,
        normalized: entry.key.normalized.clone(),
        level: entry.key.level,
        by: since,
    }))
}

/// An author's undo and redo stacks, rebuilt from their audit entries:
/// steps oldest first, each a list of entries.
#[derive(Debug, Default)]
struct Stacks {
    undo: Vec<Vec<AuditEntry>>,
    redo: Vec<Vec<AuditEntry>>,
}

fn stacks(entries: Vec<AuditEntry>) -> Stacks {
    let step_of: HashMap<i64, i64> = entries.iter().map(|e| (e.id, e.step)).collect();
    let mut steps: Vec<Vec<AuditEntry>> = Vec::new();
    for e in entries {
        match steps.last_mut() {
            Some(last) if last[0].step == e.step => last.push(e),
            _ => steps.push(vec![e]),
        }
    }
    let mut s = Stacks::default();
    let target_step = |step: &[AuditEntry]| {
        step.first()
            .and_then(|e| e.compensates)
            .and_then(|id| step_of.get(&id).copied())
    };
    for step in steps {
        match step[0].action {
            // Bookkeeping, not a reviewer's act.
            AuditAction::Reused => {}
            AuditAction::Undo => {
                let undone = target_step(&step);
                s.undo.retain(|u| Some(u[0].step) != undone);
                s.redo.push(step);
            }
            AuditAction::Redo => {
                let redone = target_step(&step);
                s.redo.retain(|u| Some(u[0].step) != redone);
                s.undo.push(step);
            }
            _ => {
                s.undo.push(step);
                s.redo.clear();
            }
        }
    }
    s
}

/// How many steps an author can undo and redo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UndoState {
    /// Steps that undo would reverse.
    pub undo: usize,
    /// Steps that redo would replay.
    pub redo: usize,
}

/// The author's undo and redo depth (to enable the window's buttons).
pub fn undo_state(store: &Store, author: &str) -> Result<UndoState> {
    let s = stacks(store.audit_by_author(author)?);
    Ok(UndoState {
        undo: s.undo.len(),
        redo: s.redo.len(),
    })
}

/// Reverses `step` with compensating entries of `action`.
fn compensate(
    store: &mut Store,
    author: &str,
    step: &[AuditEntry],
    action: AuditAction,
) -> Result<Vec<AuditEntry>> {
    for e in step {
        ensure_unchanged(store, e, Compensation::of(action))?;
    }
    let entries: Vec<NewAuditEntry> = step
        .iter()
        .rev()
        .map(|e| NewAuditEntry {
            action,
            key: e.key.clone(),
            name: e.name.clone(),
            before: e.after.clone(),
            after: e.before.clone(),
            comment: None,
            compensates: Some(e.id),
        })
        .collect();
    store.record_step(author, &entries)
}

/// Undoes the author's last step (their own actions only) with
/// compensating entries; none when there is nothing to undo. Refused when
/// another reviewer changed the key since.
pub fn undo(store: &mut Store, author: &str) -> Result<Option<Vec<AuditEntry>>> {
    let Some(step) = stacks(store.audit_by_author(author)?).undo.pop() else {
        return Ok(None);
    };
    compensate(store, author, &step, AuditAction::Undo).map(Some)
}

/// Redoes the author's last undone step; none when there is nothing to
/// redo (a new action since the undo empties the redo stack).
pub fn redo(store: &mut Store, author: &str) -> Result<Option<Vec<AuditEntry>>> {
    let Some(step) = stacks(store.audit_by_author(author)?).redo.pop() else {
        return Ok(None);
    };
    compensate(store, author, &step, AuditAction::Redo).map(Some)
}

/// The history of a name's key from the audit log, oldest first.
pub fn history(store: &Store, name_id: i64) -> Result<Vec<AuditEntry>> {
    let name = name_by_id(store, name_id)?;
    store.audit_for_key(&DecisionKey::of(&name))
}

/// The history of a name as typed, at every level (or one), oldest first.
pub fn history_of_name(store: &Store, raw: &str, level: Option<Level>) -> Result<Vec<AuditEntry>> {
    let entries = store.audit_for_normalized(&normalize_name(raw))?;
    Ok(entries
        .into_iter()
        .filter(|e| level.is_none_or(|l| e.key.level == l))
        .collect())
}

/// What "apply to identical normalised names" would do.
#[derive(Debug, Clone, PartialEq)]
pub struct IdenticalPreview {
    /// The decision to apply.
    pub source: Decision,
    /// The names it would reach: same normalised name, another level,
    /// nobody reviewed their key.
    pub names: Vec<DrugName>,
    /// Keys (levels) it would decide.
    pub keys: usize,
    /// Observations of those names.
    pub observations: i64,
}

/// Previews applying the decision of `name_id`'s key to the names sharing
/// its normalised name at other levels that nobody reviewed.
pub fn identical_preview(store: &Store, name_id: i64) -> Result<IdenticalPreview> {
    let name = name_by_id(store, name_id)?;
    let source = store
        .decision(&DecisionKey::of(&name))?
        .filter(|d| d.status.is_final())
        .ok_or_else(|| {
            Error::Refused(Refusal::NotFinal {
                name: name.name.clone(),
                level: name.level,
            })
        })?;
    let names: Vec<DrugName> = store
        .unreviewed_names_normalized(&name.normalized)?
        .into_iter()
        .filter(|n| n.level != name.level)
        .collect();
    let keys = names.iter().map(|n| n.level).collect::<HashSet<_>>().len();
    let observations = names.iter().map(|n| n.n_obs).sum();
    Ok(IdenticalPreview {
        source,
        names,
        keys,
        observations,
    })
}

/// Applies the decision of `name_id`'s key to the unreviewed names sharing
/// its normalised name (see [`identical_preview`]), as one undoable step.
/// Returns the entries written (one per key).
pub fn apply_to_identical(store: &mut Store, name_id: i64, note: &Note) -> Result<Vec<AuditEntry>> {
    let preview = identical_preview(store, name_id)?;
    // One entry per key, named after its most observed spelling.
    let mut first: BTreeMap<Level, &DrugName> = BTreeMap::new();
    for n in &preview.names {
        let slot = first.entry(n.level).or_insert(n);
        if n.n_obs > slot.n_obs {
            *slot = n;
        }
    }
    let source = &preview.source;
    let entries: Vec<NewAuditEntry> = first
        .values()
        .map(|n| {
            let d = new_decision(
                n,
                source.status,
                source.target.clone(),
                source.substance_codes.clone(),
                "reused".into(),
                source.score,
                note,
            );
            NewAuditEntry {
                action: AuditAction::deciding(source.status),
                key: d.key.clone(),
                name: n.name.clone(),
                before: None,
                after: Some(d),
                comment: Some(format!(
                    "same normalised name as \"{}\" ({}){}",
                    source.name,
                    source.key.level.as_str(),
                    note.comment
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                )),
                compensates: None,
            }
        })
        .collect();
    store.record_step(&note.author, &entries)
}

/// Records a "reused" audit entry for every raw name an approved or
/// rejected decision applies to for the first time (a name of a newly
/// imported extract, or another spelling of a decided key). Returns how
/// many; call it after an import and when a workspace is opened for review.
pub fn record_reuses(store: &mut Store, author: &str) -> Result<usize> {
    let covered = store.names_newly_covered()?;
    let entries: Vec<NewAuditEntry> = covered
        .into_iter()
        .map(|(n, d)| NewAuditEntry {
            action: AuditAction::Reused,
            key: d.key.clone(),
            name: n.name.clone(),
            comment: Some(format!(
                "decision made on \"{}\" by {} at {} applies to this name",
                d.name, d.author, d.decided_at
            )),
            before: Some(d.clone()),
            after: Some(d),
            compensates: None,
        })
        .collect();
    Ok(store.record_step(author, &entries)?.len())
}

/// An approved decision whose target is no longer in the referential.
#[derive(Debug, Clone, PartialEq)]
pub struct Flagged {
    /// The decision.
    pub decision: Decision,
    /// The target codes the referential no longer holds.
    pub missing: Vec<String>,
}

/// Approved decisions whose target left the referential (after a
/// referential update): to review again. They come back in the queue.
pub fn flagged(store: &Store) -> Result<Vec<Flagged>> {
    let codes = store.referential_codes()?;
    Ok(store
        .decisions()?
        .into_iter()
        .filter_map(|d| {
            let target = d.target.as_ref()?;
            let missing: Vec<String> = target
                .codes()
                .into_iter()
                .filter(|c| !codes.contains(target.level, c))
                .map(str::to_string)
                .collect();
            (d.status == DecisionStatus::Approved && !missing.is_empty()).then_some(Flagged {
                decision: d,
                missing,
            })
        })
        .collect())
}

/// Where a name stands once decisions are taken into account: what the
/// transcoding table and export show.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// Auto, pending, unmatched, or the decision: approved or rejected (a
    /// deferral leaves matching's status).
    pub status: NameStatus,
    /// Matching's method, or the decision's ("reused" when the decision was
    /// made on another spelling of the key).
    pub method: String,
    /// Matching's score, or the chosen candidate's.
    pub score: f64,
    /// Substance codes linked or proposed.
    pub substance_codes: Vec<String>,
    /// The final decision, when a reviewer decided.
    pub decision: Option<Decision>,
}

/// Where a transcoding row stands: its key's final decision, else
/// matching's result (a deferral leaves matching's result).
pub fn resolution(row: &TranscodingRow) -> Resolution {
    match &row.decision {
        Some(d) if d.status.is_final() => Resolution {
            status: match d.status {
                DecisionStatus::Rejected => NameStatus::Rejected,
                _ => NameStatus::Approved,
            },
            method: if d.name == row.name.name {
                d.method.clone()
            } else {
                "reused".into()
            },
            score: d.score.unwrap_or(row.score),
            substance_codes: d.substance_codes.clone(),
            decision: Some(d.clone()),
        },
        _ => Resolution {
            status: NameStatus::from(row.status),
            method: row.method.clone(),
            score: row.score,
            substance_codes: row.substance_codes.clone(),
            decision: None,
        },
    }
}

/// Decisions of one reviewer (current decisions they made).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewerTally {
    /// The reviewer.
    pub author: String,
    /// Keys approved.
    pub approved: i64,
    /// Keys rejected.
    pub rejected: i64,
    /// Keys deferred.
    pub deferred: i64,
}

/// How far review has come.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewProgress {
    /// Distinct names (with observations and a matching result).
    pub names: i64,
    /// Their observations.
    pub observations: i64,
    /// Names resolved: linked automatically, or approved or rejected.
    pub names_resolved: i64,
    /// Observations of the resolved names.
    pub observations_resolved: i64,
    /// Names resolved by matching alone.
    pub names_auto: i64,
    /// Names resolved by a reviewer's decision.
    pub names_decided: i64,
    /// Names still in the default queue.
    pub names_to_review: i64,
    /// Approved decisions to review again (target left the referential).
    pub flagged: i64,
    /// Current decisions per reviewer, most first.
    pub by_reviewer: Vec<ReviewerTally>,
}

impl ReviewProgress {
    /// Share of names resolved, in `[0, 1]`.
    pub fn name_share(&self) -> f64 {
        self.names_resolved as f64 / self.names.max(1) as f64
    }

    /// Share of observations resolved, in `[0, 1]`.
    pub fn observation_share(&self) -> f64 {
        self.observations_resolved as f64 / self.observations.max(1) as f64
    }
}

/// Progress of review: share of names and observations resolved, and
/// decisions per reviewer.
pub fn progress(store: &Store) -> Result<ReviewProgress> {
    let flagged_keys: HashSet<DecisionKey> = flagged(store)?
        .into_iter()
        .map(|f| f.decision.key)
        .collect();
    let mut p = ReviewProgress {
        flagged: flagged_keys.len() as i64,
        ..ReviewProgress::default()
    };
    for row in store.transcoding_rows()? {
        p.names += 1;
        p.observations += row.name.n_obs;
        let key = DecisionKey::of(&row.name);
        let (resolved, by_reviewer) = match &row.decision {
            Some(d) if d.status.is_final() => (!flagged_keys.contains(&key), true),
            Some(_) => (false, false),
            None => (row.status == MatchStatus::Auto, false),
        };
        if resolved {
            p.names_resolved += 1;
            p.observations_resolved += row.name.n_obs;
            if by_reviewer {
                p.names_decided += 1;
            } else {
                p.names_auto += 1;
            }
        }
    }
    p.names_to_review = queue(store, &QueueQuery::default())?.len() as i64;
    let mut tally: BTreeMap<String, ReviewerTally> = BTreeMap::new();
    for d in store.decisions()? {
        let t = tally
            .entry(d.author.clone())
            .or_insert_with(|| ReviewerTally {
                author: d.author.clone(),
                ..ReviewerTally::default()
            });
        match d.status {
            DecisionStatus::Approved => t.approved += 1,
            DecisionStatus::Rejected => t.rejected += 1,
            DecisionStatus::Deferred => t.deferred += 1,
        }
    }
    let mut by: Vec<ReviewerTally> = tally.into_values().collect();
    by.sort_by(|a, b| {
        (b.approved + b.rejected + b.deferred)
            .cmp(&(a.approved + a.rejected + a.deferred))
            .then_with(|| a.author.cmp(&b.author))
    });
    p.by_reviewer = by;
    Ok(p)
}
