//! Deciding several names at once: the reviewer's multi-selection
//! validated with each name's first candidate, rejected or deferred. Each
//! name gets its own audit entry (its history reads as if decided alone),
//! and all of them form one step, so that one undo reverses the batch.
//! Names sharing a key (another spelling of the same normalised name at
//! the same level) are decided once.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::store::Store;

use super::{
    AuditAction, AuditEntry, DecisionKey, DecisionStatus, DecisionTarget, NewAuditEntry, Note,
    Refusal, name_by_id, new_decision,
};

/// What a bulk step does to every chosen name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// Validate with the name's candidate 1 (a name without candidate is
    /// refused, and the whole batch with it).
    ApproveFirst,
    /// No link.
    Reject,
    /// Put aside.
    Defer,
}

/// Decides the names `ids` as `bulk` says, in one undoable step; returns
/// the entries written, one per key, in the order given. Nothing is
/// written when one of them is refused.
pub fn decide_many(
    store: &mut Store,
    ids: &[i64],
    bulk: Bulk,
    note: &Note,
) -> Result<Vec<AuditEntry>> {
    if ids.is_empty() {
        return Err(Error::Refused(Refusal::NoNameChosen));
    }
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(ids.len());
    for &id in ids {
        let name = name_by_id(store, id)?;
        let key = DecisionKey::of(&name);
        if !seen.insert(key.clone()) {
            continue;
        }
        let decision = match bulk {
            Bulk::ApproveFirst => {
                let candidates = store.candidates_of(id)?;
                let Some(c) = candidates.iter().min_by_key(|c| c.rank) else {
                    return Err(Error::Refused(Refusal::NoCandidate {
                        name: name.name.clone(),
                        level: name.level,
                        rank: 1,
                        count: 0,
                    }));
                };
                new_decision(
                    &name,
                    DecisionStatus::Approved,
                    Some(DecisionTarget {
                        level: c.target_level,
                        code: c.target_code.clone(),
                        name: c.target_name.clone(),
                    }),
                    c.substance_codes.clone(),
                    format!("candidate {}", c.rank),
                    Some(c.score),
                    note,
                )
            }
            Bulk::Reject | Bulk::Defer => {
                let status = if bulk == Bulk::Reject {
                    DecisionStatus::Rejected
                } else {
                    DecisionStatus::Deferred
                };
                new_decision(&name, status, None, Vec::new(), "manual".into(), None, note)
            }
        };
        let before = store.decision(&key)?;
        entries.push(NewAuditEntry {
            action: AuditAction::deciding(decision.status),
            key,
            name: name.name.clone(),
            before,
            after: Some(decision),
            comment: note.comment.clone(),
            compensates: None,
        });
    }
    store.record_step(&note.author, &entries)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::review::{undo, undo_state};

    #[test]
    fn a_batch_is_one_entry_per_name_and_one_undo() {
        let (_dir, mut store, ids) = crate::review::tests::pending_store();
        let note = Note::by("alice");
        let before = undo_state(&store, "alice").unwrap().undo;
        let entries = decide_many(&mut store, &ids[..2], Bulk::ApproveFirst, &note).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries.iter().all(|e| e.action == AuditAction::Approve));
        assert_eq!(entries[0].step, entries[1].step, "one step");
        assert_eq!(undo_state(&store, "alice").unwrap().undo, before + 1);
        let undone = undo(&mut store, "alice").unwrap().unwrap();
        assert_eq!(undone.len(), 2, "one undo reverses the batch");
        for e in &entries {
            assert_eq!(store.decision(&e.key).unwrap(), None);
        }
    }

    #[test]
    fn reject_and_defer_and_nothing_chosen() {
        let (_dir, mut store, ids) = crate::review::tests::pending_store();
        let note = Note::by("alice");
        let e = decide_many(&mut store, &ids[..1], Bulk::Reject, &note).unwrap();
        let d = store.decision(&e[0].key).unwrap().unwrap();
        assert_eq!(d.status, DecisionStatus::Rejected);
        let e = decide_many(&mut store, &ids[..1], Bulk::Defer, &note).unwrap();
        assert_eq!(e[0].action, AuditAction::Defer);
        assert!(matches!(
            decide_many(&mut store, &[], Bulk::Defer, &note),
            Err(Error::Refused(Refusal::NoNameChosen))
        ));
    }
}
