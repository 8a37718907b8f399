//! The review view's state: the queue as filtered and sorted, the selected
//! name and the details read for it (candidates, their character diffs
//! against the typed name, history), the candidate picked, the
//! multi-selection, the offer to apply a validation to the identical
//! names, and how far the reviewer can undo.

use std::collections::HashSet;

use crate::matching::features::Agreement;
use crate::model::linking::Candidate;
use crate::review::{AuditEntry, QueueItem, UndoState};

use super::super::diff::Column;

/// The selected name's details, read when the selection changes.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// The name's id.
    pub name_id: i64,
    /// Its ranked candidates.
    pub candidates: Vec<Candidate>,
    /// Each candidate's name aligned with the typed name (normalised).
    pub alignments: Vec<Vec<Column>>,
    /// How each candidate's name compares with the typed name, part by
    /// part (the card words it; the stored explanation is the CLI's).
    pub agreements: Vec<Agreement>,
    /// The audit entries of its key, oldest first.
    pub history: Vec<AuditEntry>,
}

/// The review view's state.
#[derive(Debug, Default)]
pub struct ReviewState {
    /// The queue as filtered and sorted.
    pub queue: Vec<QueueItem>,
    /// Observations of the names in the queue (summed when it is
    /// filtered, not per frame).
    pub observations: i64,
    /// Selected row of the queue.
    pub selected: usize,
    /// Scroll the queue to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// The candidate picked (rank), none for the best.
    pub picked: Option<u32>,
    /// The selected name's details.
    pub detail: Option<Detail>,
    /// Put the keyboard focus in the search field on the next frame.
    pub focus_search: bool,
    /// How far the reviewer can undo and redo.
    pub undo: UndoState,
    /// The multi-selection (Ctrl/Maj-clic, Maj+↓, Ctrl+A): ids of the
    /// names marked; empty when one name is worked on at a time.
    pub marked: HashSet<i64>,
    /// Observations of the marked names (summed when the marks change,
    /// not per frame).
    pub marked_observations: i64,
    /// Where a Maj-clic range starts.
    pub anchor: usize,
    /// After a validation, the offer to apply it to the identical names.
    pub offer: Option<IdenticalOffer>,
}

/// The inline offer after a validation: the same decision for the names
/// identical once normalised, at other levels, that nobody reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct IdenticalOffer {
    /// The name just validated.
    pub name_id: i64,
    /// Its text.
    pub name: String,
    /// How many names the offer would decide.
    pub names: usize,
    /// Their observations.
    pub observations: i64,
}

impl ReviewState {
    /// The selected queue item.
    pub fn current(&self) -> Option<&QueueItem> {
        self.queue.get(self.selected)
    }

    /// The marked names' ids, in queue order.
    pub fn marked_ids(&self) -> Vec<i64> {
        if self.marked.is_empty() {
            return Vec::new();
        }
        self.queue
            .iter()
            .filter(|i| self.marked.contains(&i.name.id))
            .map(|i| i.name.id)
            .collect()
    }

    /// Keeps only the marks of names still in the queue and sums their
    /// observations.
    pub fn recount_marks(&mut self) {
        if self.marked.is_empty() {
            self.marked_observations = 0;
            return;
        }
        let present: HashSet<i64> = self.queue.iter().map(|i| i.name.id).collect();
        self.marked.retain(|id| present.contains(id));
        self.marked_observations = self
            .queue
            .iter()
            .filter(|i| self.marked.contains(&i.name.id))
            .map(|i| i.name.n_obs)
            .sum();
    }

    /// Marks the rows from `a` to `b` (both included), in addition.
    pub fn mark_range(&mut self, a: usize, b: usize) {
        let (lo, hi) = (a.min(b), a.max(b));
        for item in self.queue.iter().take(hi + 1).skip(lo) {
            self.marked.insert(item.name.id);
        }
        self.recount_marks();
    }

    /// The rank the reviewer would approve with: the one picked, else the
    /// best.
    pub fn rank_to_approve(&self) -> Option<u32> {
        let detail = self.detail.as_ref()?;
        match self.picked {
            Some(r) => detail
                .candidates
                .iter()
                .find(|c| c.rank == r)
                .map(|c| c.rank),
            None => detail.candidates.first().map(|c| c.rank),
        }
    }
}
