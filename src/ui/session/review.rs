//! The review view's state: the queue as filtered and sorted, the selected
//! name and the details read for it (candidates, their character diffs
//! against the typed name, history), the candidate picked, and how far the
//! reviewer can undo.

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
}

impl ReviewState {
    /// The selected queue item.
    pub fn current(&self) -> Option<&QueueItem> {
        self.queue.get(self.selected)
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
