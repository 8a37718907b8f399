//! The review commands: the queue's filters and selection, the candidate
//! picked, approving, rejecting, deferring, commenting, undo and redo, the
//! manual search, "apply to identical normalised names" and reverting an
//! entry; and how the views catch up after each step.

use crate::error::Result;
use crate::matching::features::{Features, compare};
use crate::normalize::normalize_name;
use crate::review::queue::filter_queue;
use crate::review::{self, AuditEntry, Bulk, DecisionKey, Note, SearchHit};
use crate::store::Store;
use crate::ui::i18n;

use super::WorkbenchApp;
use crate::ui::command::Command;
use crate::ui::diff::align;
use crate::ui::session::{Detail, Dialog};
use crate::ui::state::View;

/// How many hits the manual search lists.
const SEARCH_HITS: usize = 50;

impl WorkbenchApp {
    /// Applies a command of the review family.
    pub(super) fn apply_review_command(&mut self, command: Command) {
        // The inline offer lasts until the reviewer does something else.
        if !matches!(
            command,
            Command::AcceptIdenticalOffer | Command::DismissOffer | Command::RefilterQueue
        ) {
            self.review.offer = None;
        }
        match command {
            Command::ToggleQueueRow(_)
            | Command::ExtendQueueTo(_)
            | Command::ExtendSelection(_)
            | Command::SelectAllQueue
            | Command::ClearMarks
            | Command::AcceptIdenticalOffer
            | Command::DismissOffer => self.apply_selection_command(command),
            Command::RefilterQueue => {
                let keep = self.review.current().map(|i| i.name.id);
                self.refilter_queue(keep);
                self.review.scroll_to_selected = true;
                if self.review.detail.as_ref().map(|d| d.name_id)
                    != self.review.current().map(|i| i.name.id)
                {
                    self.load_detail();
                }
            }
            Command::SelectQueueRow(i) if i < self.review.queue.len() => {
                // A plain click works on one name: the marks go.
                if !self.review.marked.is_empty() {
                    self.review.marked.clear();
                    self.review.recount_marks();
                }
                self.review.anchor = i;
                if i != self.review.selected {
                    self.review.selected = i;
                    self.load_detail();
                }
            }
            Command::MoveSelection(delta) => {
                let n = self.review.queue.len();
                if n > 0 {
                    let to = self.review.selected.saturating_add_signed(delta).min(n - 1);
                    self.review.anchor = to;
                    if to != self.review.selected {
                        self.review.selected = to;
                        self.review.scroll_to_selected = true;
                        self.load_detail();
                    }
                }
            }
            Command::PickCandidate(rank) => {
                let exists = self
                    .review
                    .detail
                    .as_ref()
                    .is_some_and(|d| d.candidates.iter().any(|c| c.rank == rank));
                if exists {
                    self.review.picked = Some(rank);
                } else {
                    self.say_error(format!("Pas de candidat {rank} pour ce nom"));
                }
            }
            Command::Approve => {
                if self.act_on_marked(Bulk::ApproveFirst) {
                    return;
                }
                let Some(id) = self.selected_id() else { return };
                let Some(rank) = self.review.rank_to_approve() else {
                    self.say_error(
                        "Aucun candidat : cherchez la cible dans le référentiel (M) ou rejetez (R)",
                    );
                    return;
                };
                if self.act(true, |s, n| {
                    review::approve_candidate(s, id, rank, n).map(|e| vec![e])
                }) {
                    self.offer_identical(id);
                }
            }
            Command::Reject => {
                if self.act_on_marked(Bulk::Reject) {
                    return;
                }
                let Some(id) = self.selected_id() else { return };
                self.act(true, |s, n| review::reject(s, id, n).map(|e| vec![e]));
            }
            Command::Defer => {
                if self.act_on_marked(Bulk::Defer) {
                    return;
                }
                let Some(id) = self.selected_id() else { return };
                self.act(true, |s, n| review::defer(s, id, n).map(|e| vec![e]));
            }
            Command::OpenComment => {
                if self.selected_id().is_none() {
                    return;
                }
                let text = self
                    .review
                    .current()
                    .and_then(|i| i.decision.as_ref())
                    .and_then(|d| d.comment.clone())
                    .unwrap_or_default();
                self.dialog = Some(Dialog::Comment {
                    original: text.clone(),
                    text,
                    confirm_discard: false,
                });
            }
            Command::EscapeComment => match &mut self.dialog {
                Some(Dialog::Comment {
                    text,
                    original,
                    confirm_discard,
                }) if text != original && !*confirm_discard => *confirm_discard = true,
                _ => self.dialog = None,
            },
            Command::SaveComment => {
                if let Some(Dialog::Comment { text, .. }) = self.dialog.take() {
                    let Some(id) = self.selected_id() else { return };
                    self.act(false, |s, n| {
                        review::comment(s, id, &text, &n.author).map(|e| vec![e])
                    });
                }
            }
            Command::Undo => {
                self.act(false, |s, n| {
                    Ok(review::undo(s, &n.author)?.unwrap_or_default())
                });
            }
            Command::Redo => {
                self.act(false, |s, n| {
                    Ok(review::redo(s, &n.author)?.unwrap_or_default())
                });
            }
            Command::FocusSearch => {
                self.state.view = View::Review;
                self.review.focus_search = true;
            }
            Command::OpenManualSearch => {
                if self.selected_id().is_none() {
                    return;
                }
                // The normalised name: abbreviations spelt out, dose and
                // form as the referential writes them.
                let text = self
                    .review
                    .current()
                    .map(|i| i.name.normalized.clone())
                    .unwrap_or_default();
                self.dialog = Some(Dialog::ManualSearch {
                    text,
                    level: None,
                    hits: Vec::new(),
                    checked: Vec::new(),
                    focus: true,
                    cursor: 0,
                });
                self.apply(Command::RunManualSearch);
            }
            Command::RunManualSearch => {
                let Some(ws) = &self.ws else { return };
                if let Some(Dialog::ManualSearch {
                    text,
                    level,
                    hits,
                    checked,
                    cursor,
                    ..
                }) = &mut self.dialog
                {
                    *hits = ws.search.find(text, *level, SEARCH_HITS);
                    *checked = vec![false; hits.len()];
                    *cursor = 0;
                }
            }
            Command::MoveSearchCursor(delta) => {
                if let Some(Dialog::ManualSearch { hits, cursor, .. }) = &mut self.dialog
                    && !hits.is_empty()
                {
                    *cursor = cursor.saturating_add_signed(delta).min(hits.len() - 1);
                }
            }
            Command::ToggleSearchHit => {
                if let Some(Dialog::ManualSearch {
                    checked, cursor, ..
                }) = &mut self.dialog
                    && let Some(c) = checked.get_mut(*cursor)
                {
                    *c = !*c;
                }
            }
            Command::ApproveTargets => {
                let Some(Dialog::ManualSearch {
                    hits,
                    checked,
                    cursor,
                    ..
                }) = &self.dialog
                else {
                    return;
                };
                let mut targets: Vec<SearchHit> = hits
                    .iter()
                    .zip(checked)
                    .filter(|(_, c)| **c)
                    .map(|(h, _)| h.clone())
                    .collect();
                if targets.is_empty() {
                    // None checked: the result under the cursor.
                    targets.extend(hits.get(*cursor).cloned());
                }
                let Some(id) = self.selected_id() else { return };
                self.dialog = None;
                if self.act(true, |s, n| {
                    review::approve_targets(s, id, &targets, n).map(|e| vec![e])
                }) {
                    self.offer_identical(id);
                }
            }
            Command::PreviewIdentical => {
                let Some(id) = self.selected_id() else { return };
                let Some(ws) = &self.ws else { return };
                match review::identical_preview(&ws.store, id) {
                    Ok(p) if p.names.is_empty() => {
                        self.say("Aucun autre nom identique une fois normalisé n'attend de revue")
                    }
                    Ok(p) => self.dialog = Some(Dialog::Identical(Box::new(p))),
                    Err(e) => self.fail(&e),
                }
            }
            Command::ApplyIdentical => {
                if let Some(Dialog::Identical(p)) = self.dialog.take() {
                    let Some(first) = p.names.first() else { return };
                    let source = p.source.clone();
                    let id = self
                        .ws
                        .as_ref()
                        .and_then(|ws| {
                            ws.snap
                                .rows
                                .iter()
                                .find(|r| DecisionKey::of(&r.name) == source.key)
                        })
                        .map_or(first.id, |r| r.name.id);
                    self.act(false, |s, n| review::apply_to_identical(s, id, n));
                }
            }
            Command::Revert(entry) => {
                self.act(false, |s, n| review::revert(s, entry, n).map(|e| vec![e]));
            }
            // Every other command belongs to another family: `apply` never
            // routes it here.
            _ => {}
        }
    }

    pub(super) fn refilter_queue(&mut self, keep: Option<i64>) {
        let Some(ws) = &self.ws else {
            self.review.queue.clear();
            self.review.observations = 0;
            return;
        };
        let query = self.state.queue.query();
        self.review.queue = filter_queue(ws.snap.rows.clone(), &ws.snap.flagged, &query);
        self.review.observations = self.review.queue.iter().map(|i| i.name.n_obs).sum();
        self.review.recount_marks();
        if let Some(id) = keep
            && let Some(pos) = self.review.queue.iter().position(|i| i.name.id == id)
        {
            self.review.selected = pos;
        }
        self.clamp_selection();
    }

    pub(super) fn clamp_selection(&mut self) {
        let n = self.review.queue.len();
        self.review.selected = self.review.selected.min(n.saturating_sub(1));
    }

    pub(super) fn load_detail(&mut self) {
        self.review.picked = None;
        self.review.detail = None;
        let (Some(ws), Some(item)) = (&self.ws, self.review.queue.get(self.review.selected)) else {
            return;
        };
        let id = item.name.id;
        let typed = item.name.normalized.clone();
        let read = ws
            .store
            .candidates_of(id)
            .and_then(|c| review::history(&ws.store, id).map(|h| (c, h)));
        match read {
            Ok((candidates, history)) => {
                let alignments = candidates
                    .iter()
                    .map(|c| align(&typed, &normalize_name(&c.target_name)))
                    .collect();
                let query = Features::from_normalized(&typed);
                let agreements = candidates
                    .iter()
                    .map(|c| {
                        compare(
                            &query,
                            &Features::from_normalized(&normalize_name(&c.target_name)),
                        )
                    })
                    .collect();
                self.review.detail = Some(Detail {
                    name_id: id,
                    candidates,
                    alignments,
                    agreements,
                    history,
                });
            }
            Err(e) => self.fail(&e),
        }
    }

    pub(super) fn load_undo_state(&mut self) {
        let Some(ws) = &self.ws else { return };
        match review::undo_state(&ws.store, &self.state.author()) {
            Ok(u) => self.review.undo = u,
            Err(e) => self.fail(&e),
        }
    }

    // ----- decisions -----

    /// Runs a reviewer action on the workspace and brings the views up to
    /// date from what it wrote. `advance`: the queue moves to the next name.
    /// True when something was written.
    pub(super) fn act(
        &mut self,
        advance: bool,
        action: impl FnOnce(&mut Store, &Note) -> Result<Vec<AuditEntry>>,
    ) -> bool {
        if let Some(kind) = self.writing() {
            self.say_error(format!(
                "{} en cours : la décision attendra sa fin",
                i18n::job_kind(kind)
            ));
            return false;
        }
        let note = Note::by(&self.state.author());
        let Some(ws) = &mut self.ws else { return false };
        match action(&mut ws.store, &note) {
            Ok(entries) if entries.is_empty() => {
                self.say("Rien à faire");
                false
            }
            Ok(entries) => {
                self.after_step(&entries, advance);
                true
            }
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }

    pub(super) fn after_step(&mut self, entries: &[AuditEntry], advance: bool) {
        let before = self.review.current().map(|i| i.name.id);
        if let Some(ws) = &mut self.ws {
            for e in entries {
                for row in ws.snap.rows.iter_mut() {
                    if DecisionKey::of(&row.name) == e.key {
                        row.decision = e.after.clone();
                    }
                }
            }
        }
        let old_index = self.review.selected;
        self.refilter_queue(None);
        if advance {
            // The decided name left the queue: the same row is the next
            // name. If it stayed (shown deferred), step over it.
            self.review.selected = match before {
                Some(id)
                    if self
                        .review
                        .queue
                        .get(old_index)
                        .is_some_and(|i| i.name.id == id) =>
                {
                    old_index + 1
                }
                _ => old_index,
            };
        } else if let Some(first) = entries.first() {
            // Undo, redo, comment: show the name concerned.
            if let Some(pos) = self
                .review
                .queue
                .iter()
                .position(|i| DecisionKey::of(&i.name) == first.key)
            {
                self.review.selected = pos;
            }
        }
        self.clamp_selection();
        self.review.scroll_to_selected = true;
        self.say(i18n::step(entries));
        self.refilter_table();
        self.load_table_history();
        self.load_detail();
        self.load_undo_state();
        self.start_refresh();
    }

    pub(super) fn selected_id(&mut self) -> Option<i64> {
        let id = self.review.current().map(|i| i.name.id);
        if id.is_none() {
            self.say_error("Aucun nom sélectionné dans la file");
        }
        id
    }
}
