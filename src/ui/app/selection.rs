//! The queue's multi-selection and what acts on several names: marking
//! rows (Ctrl+clic, Maj+clic, Maj+↓/↑, Ctrl+A), validating, rejecting or
//! deferring the marked names in one undoable step
//! ([`review::decide_many`]), and the inline offer after a validation to
//! apply it to the names identical once normalised.

use crate::review::{self, Bulk};
use crate::ui::command::Command;
use crate::ui::session::IdenticalOffer;

use super::WorkbenchApp;

impl WorkbenchApp {
    /// Applies a command of the multi-selection family.
    pub(super) fn apply_selection_command(&mut self, command: Command) {
        let n = self.review.queue.len();
        match command {
            Command::ToggleQueueRow(i) if i < n => {
                if self.review.marked.is_empty()
                    && let Some(current) = self.review.current()
                {
                    // Ctrl+clic starts a selection with the name shown.
                    let id = current.name.id;
                    self.review.marked.insert(id);
                }
                let id = self.review.queue[i].name.id;
                if !self.review.marked.remove(&id) {
                    self.review.marked.insert(id);
                }
                self.review.recount_marks();
                self.review.anchor = i;
                self.select(i);
            }
            Command::ExtendQueueTo(i) if i < n => {
                let anchor = self.review.anchor.min(n - 1);
                self.review.mark_range(anchor, i);
                self.select(i);
            }
            Command::ExtendSelection(delta) if n > 0 => {
                let from = self.review.selected;
                let to = from.saturating_add_signed(delta).min(n - 1);
                self.review.mark_range(from, to);
                self.review.scroll_to_selected = true;
                self.select(to);
            }
            Command::SelectAllQueue => {
                self.review.marked = self.review.queue.iter().map(|i| i.name.id).collect();
                self.review.recount_marks();
            }
            Command::ClearMarks => {
                self.review.marked.clear();
                self.review.recount_marks();
            }
            Command::AcceptIdenticalOffer => {
                let Some(offer) = self.review.offer.take() else {
                    return;
                };
                let keep = self.review.current().map(|i| i.name.id);
                self.act(false, |s, note| {
                    review::apply_to_identical(s, offer.name_id, note)
                });
                if let Some(pos) =
                    keep.and_then(|id| self.review.queue.iter().position(|i| i.name.id == id))
                    && pos != self.review.selected
                {
                    self.review.scroll_to_selected = true;
                    self.select(pos);
                }
            }
            Command::DismissOffer => self.review.offer = None,
            _ => {}
        }
    }

    fn select(&mut self, i: usize) {
        if i != self.review.selected {
            self.review.selected = i;
            self.load_detail();
        }
    }

    /// Approves, rejects or defers the marked names in one step; false
    /// when nothing is marked (the command is for the selected name).
    pub(super) fn act_on_marked(&mut self, bulk: Bulk) -> bool {
        let ids = self.review.marked_ids();
        if ids.is_empty() {
            return false;
        }
        // The queue goes on from the first marked row.
        if let Some(first) = self
            .review
            .queue
            .iter()
            .position(|i| self.review.marked.contains(&i.name.id))
        {
            self.review.selected = first;
        }
        if self.act(true, |s, note| review::decide_many(s, &ids, bulk, note)) {
            self.review.marked.clear();
            self.review.recount_marks();
        }
        true
    }

    /// After a validation of `name_id`: the offer to apply it to the
    /// identical names nobody reviewed, when there are some.
    pub(super) fn offer_identical(&mut self, name_id: i64) {
        let Some(ws) = &self.ws else { return };
        self.review.offer = match review::identical_preview(&ws.store, name_id) {
            Ok(p) if !p.names.is_empty() => Some(IdenticalOffer {
                name_id,
                name: p.source.name.clone(),
                names: p.names.len(),
                observations: p.observations,
            }),
            _ => None,
        };
    }
}
