//! A reviewer's session with the keyboard alone, on the matched sample:
//! a bulk validation of the names a queue search finds (/, Ctrl+A,
//! Entrée: one entry per name, one undo for the batch), a validation
//! followed by the inline offer to apply it to the identical name
//! (Entrée accepts), a typo-tolerant manual search ("paracetmol", ↓,
//! Entrée), then Entrée or R until 30 names have left the queue. Also:
//! Maj+↓ extends the selection, Échap drops it; Ctrl+Entrée saves a
//! comment and Échap asks before discarding one; F1 shows the shortcuts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use datamed::review::{AuditAction, DecisionStatus};
use datamed::store::Store;
use datamed::ui::WorkbenchApp;
use datamed::ui::command::Command;
use eframe::egui::{self, Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const REVIEWER: &str = "alice";

fn harness(path: &Path, unmatched: bool) -> Harness<'static, WorkbenchApp> {
    let path = path.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        // A step also starts a refresh of the figures, which takes a few
        // frames to come back.
        .with_max_steps(24)
        .build_eframe(move |cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &path, REVIEWER).unwrap()
        });
    // The reviewer's kept choice: names matching found nothing for too.
    h.state_mut().state.queue.include_unmatched = unmatched;
    h.state_mut().push(Command::RefilterQueue);
    h.run();
    h
}

fn key(h: &mut Harness<'_, WorkbenchApp>, k: Key) {
    h.key_press(k);
    h.run();
}

fn ctrl(h: &mut Harness<'_, WorkbenchApp>, k: Key) {
    h.key_press_modifiers(Modifiers::COMMAND, k);
    h.run();
}

fn type_text(h: &mut Harness<'_, WorkbenchApp>, text: &str) {
    h.event(Event::Text(text.to_string()));
    h.run();
}

/// Filters the queue by typing in its search field: /, the text, Entrée.
fn search_queue(h: &mut Harness<'_, WorkbenchApp>, text: &str) {
    key(h, Key::Slash);
    ctrl(h, Key::A);
    key(h, Key::Backspace);
    if !text.is_empty() {
        type_text(h, text);
    }
    key(h, Key::Enter);
    assert!(!h.ctx.text_edit_focused(), "Entrée leaves the search field");
}

#[test]
fn a_reviewer_clears_thirty_names_with_the_keyboard_alone() {
    let (_dir, path) = common::matched_sample_copy();
    let mut h = harness(&path, true);
    let start = h.state().queue().len();
    assert!(start >= 30, "the sample has {start} names to clear");
    let store = Store::open(&path).unwrap();

    // Bulk: every AMOXICILLINE name of the queue, validated in one step.
    search_queue(&mut h, "amox");
    let amox = h.state().queue().len();
    assert!(amox >= 2, "{amox} AMOXICILLINE names");
    ctrl(&mut h, Key::A);
    assert_eq!(
        h.state().marked().len(),
        amox,
        "Ctrl+A marks the filtered queue"
    );
    key(&mut h, Key::Enter);
    assert!(h.state().marked().is_empty());
    assert_eq!(h.state().queue().len(), 0, "the batch left the queue");
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), amox, "one entry per name");
    assert!(log.iter().all(|e| e.action == AuditAction::Approve));
    assert!(log.iter().all(|e| e.step == log[0].step), "one step");
    // One undo brings the whole batch back, one redo replays it.
    ctrl(&mut h, Key::Z);
    assert_eq!(h.state().queue().len(), amox);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().queue().len(), 0);

    // A validation, then the offer for the identical name at the other
    // level (CLOPIDOGREL EG 75 MG is typed as produit and as spécialité):
    // Entrée accepts it.
    search_queue(&mut h, "clopidogrel eg 75");
    let clopidogrel = h.state().queue().len();
    assert!(clopidogrel >= 1, "CLOPIDOGREL waits for review");
    key(&mut h, Key::Enter);
    let offer = h.state().offer().expect("the offer after a validation");
    assert!(offer.names >= 1);
    let whom = if offer.names == 1 {
        "au nom identique".to_string()
    } else {
        format!("aux {} noms identiques", offer.names)
    };
    h.get_by_label(&format!("Appliquer aussi {whom} (Entrée)"));
    key(&mut h, Key::Enter);
    assert!(h.state().offer().is_none());
    assert_eq!(h.state().queue().len(), 0, "every CLOPIDOGREL decided");
    let reused = store.audit_log().unwrap();
    let last = reused.last().unwrap();
    assert_eq!(last.action, AuditAction::Approve);
    assert_eq!(last.after.as_ref().unwrap().method, "reused");

    // The manual search, typo-tolerant, pre-filled with the normalised
    // name.
    search_queue(&mut h, "");
    let name = h.state().selected().unwrap().name.clone();
    key(&mut h, Key::M);
    let Some(datamed::ui::session::Dialog::ManualSearch { text, .. }) = h.state().dialog() else {
        panic!("M opens the manual search");
    };
    assert_eq!(
        text, &name.normalized,
        "pre-filled with the normalised name"
    );
    ctrl(&mut h, Key::A);
    type_text(&mut h, "paracetmol");
    let Some(datamed::ui::session::Dialog::ManualSearch { hits, .. }) = h.state().dialog() else {
        panic!("still open");
    };
    assert!(
        hits.first().is_some_and(|t| t.name.contains("PARAC")),
        "a typo still finds PARACETAMOL: {:?}",
        hits.iter().map(|h| &h.name).collect::<Vec<_>>()
    );
    key(&mut h, Key::ArrowDown);
    key(&mut h, Key::Enter);
    assert!(h.state().dialog().is_none());
    let d = store
        .decision(&datamed::review::DecisionKey::of(&name))
        .unwrap()
        .expect("decided from the manual search");
    assert_eq!(d.method, "manual");
    assert!(d.target.unwrap().name.contains("PARAC"));
    // An offer may follow: Échap closes it.
    key(&mut h, Key::Escape);

    // Then one key a name: Entrée when there is a candidate, else R.
    let mut keys = 0;
    while start - h.state().queue().len() < 30 {
        keys += 1;
        assert!(keys < 60, "30 names in fewer than 60 keys");
        let k = if h.state().offer().is_some() || h.state().rank_to_approve().is_some() {
            Key::Enter
        } else {
            Key::R
        };
        key(&mut h, k);
        assert!(
            !h.state().notice().is_some_and(|n| n.error),
            "{:?}",
            h.state().notice()
        );
    }
    // Every name that left the queue has its decision.
    let decided = store.audit_log().unwrap();
    assert!(decided.len() >= 30, "{} entries", decided.len());
    assert!(
        decided
            .iter()
            .filter_map(|e| e.after.as_ref())
            .all(|d| d.status != DecisionStatus::Deferred)
    );
    h.state_mut().wait_for_jobs();
}

#[test]
fn shift_arrows_extend_the_selection_and_escape_drops_it() {
    let (_dir, path) = common::matched_sample_copy();
    let mut h = harness(&path, false);
    let before = h.state().queue().len();
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowDown);
    h.run();
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowDown);
    h.run();
    assert_eq!(h.state().marked().len(), 3);
    h.get_by_label("Valider la sélection (candidat 1)");
    key(&mut h, Key::Escape);
    assert!(h.state().marked().is_empty());
    // D on a selection defers every name of it.
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowUp);
    h.run();
    key(&mut h, Key::D);
    assert_eq!(h.state().queue().len(), before - 2);
    h.state_mut().wait_for_jobs();
}

#[test]
fn comments_save_with_ctrl_enter_and_escape_asks_first() {
    let (_dir, path) = common::matched_sample_copy();
    let mut h = harness(&path, false);
    key(&mut h, Key::C);
    type_text(&mut h, "vu avec le CRPV");
    key(&mut h, Key::Escape);
    assert!(h.state().dialog().is_some(), "Échap asks first");
    h.get_by_label_contains("Abandonner le texte saisi");
    key(&mut h, Key::Escape);
    assert!(h.state().dialog().is_none(), "a second Échap discards");

    key(&mut h, Key::C);
    type_text(&mut h, "vu avec le CRPV");
    ctrl(&mut h, Key::Enter);
    assert!(h.state().dialog().is_none(), "Ctrl+Entrée saves");
    let store = Store::open(&path).unwrap();
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].comment.as_deref(), Some("vu avec le CRPV"));

    key(&mut h, Key::F1);
    h.get_by_label("Raccourcis clavier");
    key(&mut h, Key::Escape);
    assert!(h.state().dialog().is_none());
    h.state_mut().wait_for_jobs();
}

#[test]
fn the_substance_list_follows_enter_and_the_arrows() {
    let (_dir, path) = common::matched_sample_copy();
    let mut h = harness(&path, false);
    h.get_by_label("Indicateurs").click();
    h.run();
    h.state_mut().wait_for_indicators();
    h.run();
    let field = h.get_by_label("Substance (nom ou code)");
    field.focus();
    field.type_text("sodique");
    h.run();
    key(&mut h, Key::Enter);
    let first = h
        .state()
        .indicators()
        .selected
        .clone()
        .expect("Entrée shows the first substance found");
    key(&mut h, Key::ArrowDown);
    let second = h.state().indicators().selected.clone().unwrap();
    assert_ne!(first, second, "↓ shows the next one");
    key(&mut h, Key::ArrowUp);
    assert_eq!(
        h.state().indicators().selected.as_deref(),
        Some(first.as_str())
    );
    h.state_mut().wait_for_indicators();
}
