//! The window driven like a reviewer drives it, by labels and keys, on a
//! workspace built from `sample-data/` (imported and matched once per test
//! run, then copied for each test): pick a candidate, approve with Enter,
//! the queue advances, undo restores it, redo replays it; reject, defer and
//! comment; the manual search; the transcoding table's history and revert.
//! Ctrl+Q closes the window. Each test then reads the workspace to check
//! the decision and its audit entries. No GPU or display needed: egui_kittest draws nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use datamed::review::{AuditAction, DecisionKey, DecisionStatus};
use datamed::store::Store;
use datamed::ui::WorkbenchApp;
use datamed::ui::command::Command;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

const REVIEWER: &str = "alice";

/// A private copy of the matched sample for one test.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    common::matched_sample_copy()
}

fn harness(path: &Path) -> Harness<'static, WorkbenchApp> {
    let path = path.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &path, REVIEWER).unwrap()
        });
    h.run();
    h
}

fn selected_name(h: &Harness<'_, WorkbenchApp>) -> datamed::model::linking::DrugName {
    h.state().selected().expect("a selected name").name.clone()
}

fn key(h: &mut Harness<'_, WorkbenchApp>, k: Key) {
    h.key_press(k);
    h.run();
}

#[test]
fn pick_approve_with_enter_advance_undo_and_redo() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    h.get_by_label("File de revue");
    let first = selected_name(&h);
    let before = h.state().queue().len();
    assert!(before > 1, "the sample leaves names to review");

    key(&mut h, Key::Num2);
    assert_eq!(
        h.state().rank_to_approve(),
        Some(2),
        "2 picks the second candidate"
    );

    key(&mut h, Key::Enter);
    let next = selected_name(&h);
    assert_ne!(next.id, first.id, "the queue moved on");
    assert_eq!(h.state().queue().len(), before - 1);
    assert!(
        h.state().queue().iter().all(|i| i.name.id != first.id),
        "the approved name left the queue"
    );
    // The next name is the one shown.
    assert!(
        !h.query_all_by_label(&next.name)
            .collect::<Vec<_>>()
            .is_empty()
    );
    let notice = h.state().notice().expect("a message").text.clone();
    assert!(notice.starts_with("Validé"), "{notice}");

    // Written at once: another connection sees the decision and its entry.
    let store = Store::open(&path).unwrap();
    let d = store
        .decision(&DecisionKey::of(&first))
        .unwrap()
        .expect("decided");
    assert_eq!(d.status, DecisionStatus::Approved);
    assert_eq!(d.method, "candidate 2");
    assert_eq!(d.author, REVIEWER);
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, AuditAction::Approve);
    assert_eq!(log[0].name, first.name);

    // Ctrl+Z: the name comes back, selected; the undo is a new entry.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(selected_name(&h).id, first.id, "undo shows the name again");
    assert_eq!(h.state().queue().len(), before);
    assert_eq!(store.decision(&DecisionKey::of(&first)).unwrap(), None);
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].action, AuditAction::Undo);
    assert_eq!(log[1].compensates, Some(log[0].id));

    // Ctrl+Shift+Z: replayed.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().queue().len(), before - 1);
    let d = store
        .decision(&DecisionKey::of(&first))
        .unwrap()
        .expect("redone");
    assert_eq!(d.status, DecisionStatus::Approved);
    assert_eq!(store.audit_log().unwrap().len(), 3);
    h.state_mut().wait_for_jobs();
}

#[test]
fn arrows_move_and_buttons_reject_and_defer() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    let queue: Vec<_> = h.state().queue().iter().map(|i| i.name.clone()).collect();
    key(&mut h, Key::ArrowDown);
    assert_eq!(selected_name(&h).id, queue[1].id);
    key(&mut h, Key::ArrowUp);
    assert_eq!(selected_name(&h).id, queue[0].id);

    h.get_by_label("Rejeter (R)").click();
    h.run();
    assert_eq!(selected_name(&h).id, queue[1].id);
    key(&mut h, Key::D);
    assert_eq!(selected_name(&h).id, queue[2].id);
    assert_eq!(h.state().queue().len(), queue.len() - 2);

    let store = Store::open(&path).unwrap();
    let status = |n: &datamed::model::linking::DrugName| {
        store
            .decision(&DecisionKey::of(n))
            .unwrap()
            .map(|d| d.status)
    };
    assert_eq!(status(&queue[0]), Some(DecisionStatus::Rejected));
    assert_eq!(status(&queue[1]), Some(DecisionStatus::Deferred));

    // The deferred name comes back with the "Reportés" filter.
    h.get_by_label("Reportés").click();
    h.run();
    assert_eq!(h.state().queue().len(), queue.len() - 1);
    assert!(h.state().queue().iter().any(|i| i.name.id == queue[1].id));
    h.state_mut().wait_for_jobs();
}

#[test]
fn a_comment_is_kept_in_the_history() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    let first = selected_name(&h);
    key(&mut h, Key::C);
    let field = h.get_by_label("Commentaire sur ce nom (gardé dans l'historique)");
    field.focus();
    field.type_text("marque étrangère");
    h.run();
    h.get_by_label("Enregistrer").click();
    h.run();
    assert!(
        h.query_by_label("Enregistrer").is_none(),
        "the dialog closed"
    );
    let store = Store::open(&path).unwrap();
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, AuditAction::Comment);
    assert_eq!(log[0].comment.as_deref(), Some("marque étrangère"));
    assert_eq!(log[0].key, DecisionKey::of(&first));
    // Commenting does not move the queue; the history shows it.
    assert_eq!(selected_name(&h).id, first.id);
    h.get_by_label_contains("Historique (1)");
    h.state_mut().wait_for_jobs();
}

#[test]
fn the_manual_search_assigns_any_target() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    let first = selected_name(&h);
    key(&mut h, Key::M);
    let field = h.get_by_label("Nom, ancien nom ou code (spécialité, produit, substance)");
    field.focus();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field.type_text("PARACETAMOL");
    h.run();
    let typed = h
        .get_by_label("Nom, ancien nom ou code (spécialité, produit, substance)")
        .value();
    assert_eq!(typed.as_deref(), Some("PARACETAMOL"));
    h.get_all_by_label_contains("PARACETAMOL")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::CheckBox)
        .expect("a hit to check")
        .click();
    h.run();
    h.get_by_label("Valider avec la sélection (1)").click();
    h.run();
    let store = Store::open(&path).unwrap();
    let d = store
        .decision(&DecisionKey::of(&first))
        .unwrap()
        .expect("decided");
    assert_eq!(d.status, DecisionStatus::Approved);
    assert_eq!(d.method, "manual");
    assert!(d.target.is_some_and(|t| t.name.contains("PARACETAMOL")));
    assert_ne!(selected_name(&h).id, first.id, "the queue moved on");
    h.state_mut().wait_for_jobs();
}

#[test]
fn the_transcoding_table_shows_history_and_reverts() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    let first = selected_name(&h);
    key(&mut h, Key::Enter);
    h.state_mut().wait_for_jobs();
    h.run();

    h.get_by_label("Table de transcodage").click();
    h.run();
    h.get_by_label("Noms résolus");
    let search = h.get_by_label("Recherche");
    search.focus();
    search.type_text(&first.name);
    h.run();
    h.state_mut().push(Command::SelectTableRow(0));
    h.run();
    h.get_by_label_contains("Historique de");
    h.get_by_label("Revenir avant #1").click();
    h.run();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.decision(&DecisionKey::of(&first)).unwrap(), None);
    let log = store.audit_log().unwrap();
    assert_eq!(log.last().map(|e| e.action), Some(AuditAction::Revert));
    assert_eq!(log.last().and_then(|e| e.compensates), Some(1));
    h.state_mut().wait_for_jobs();
}

#[test]
fn the_import_view_lists_batches() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    h.get_by_label("Importer").click();
    h.run();
    h.get_by_label("Importer des fichiers");
    h.get_by_label("Lots importés (15)");
    h.get_by_label("Lancer l'appariement");
    // Files dropped or chosen are listed with their recognised kind.
    let dropped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/Effets.csv");
    h.state_mut().push(Command::AddImportFiles(vec![dropped]));
    h.run();
    h.get_by_label("Effets.csv (bnpv-effects)");
    h.get_by_label("Importer (1 fichier)");
}

#[test]
fn a_file_imported_in_the_window_goes_in_while_the_window_keeps_wal() {
    let (dir, path) = workspace();
    let mut h = harness(&path);
    h.get_by_label("Importer").click();
    h.run();
    // The sample's effects less their last line: another file.
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/Effets.csv");
    let bytes = std::fs::read(sample).unwrap();
    let cut = bytes[..bytes.len() - 2]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap();
    let file = dir.path().join("Effets.csv");
    std::fs::write(&file, &bytes[..=cut]).unwrap();
    h.state_mut().push(Command::AddImportFiles(vec![file]));
    h.run();
    h.get_by_label("Importer (1 fichier)").click();
    // A spinner turns while the import runs on its worker.
    h.run_steps(2);
    h.state_mut().wait_for_jobs();
    h.run_steps(30);
    h.get_by_label("Lots importés (16)");
    // The window's own connection kept the import in WAL.
    let header = std::fs::read(&path).unwrap();
    assert_eq!(&header[18..20], &[2, 2]);
}

#[test]
fn ctrl_q_closes_the_window() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    h.event(egui::Event::Key {
        key: Key::Q,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    });
    h.step();
    let closing = h
        .output()
        .viewport_output
        .values()
        .any(|v| v.commands.contains(&egui::ViewportCommand::Close));
    assert!(closing, "Ctrl+Q asks the window to close");
}

/// The acceptance: ten names cleared with the keyboard alone, two
/// undone, all ten in the audit log with their name, author and time.
#[test]
fn ten_names_with_the_keyboard_alone_then_two_undone() {
    let (_dir, path) = workspace();
    let mut h = harness(&path);
    let before = h.state().queue().len();
    assert!(before >= 10, "the sample leaves {before} names to review");
    let mut cleared = Vec::new();
    for _ in 0..10 {
        cleared.push(selected_name(&h));
        key(&mut h, Key::Num1);
        key(&mut h, Key::Enter);
    }
    assert_eq!(h.state().queue().len(), before - 10);
    for _ in 0..2 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        h.run();
    }
    assert_eq!(h.state().queue().len(), before - 8, "two names came back");
    let store = Store::open(&path).unwrap();
    let log = store.audit_log().unwrap();
    let approvals: Vec<_> = log
        .iter()
        .filter(|e| e.action == AuditAction::Approve)
        .collect();
    assert_eq!(approvals.len(), 10);
    for (entry, name) in approvals.iter().zip(&cleared) {
        assert_eq!(entry.name, name.name);
        assert_eq!(entry.author, REVIEWER);
        assert!(entry.at.starts_with("20"), "{}", entry.at);
    }
    let undone: Vec<_> = log.iter().filter(|e| e.compensates.is_some()).collect();
    assert_eq!(undone.len(), 2);
    // The last two approvals are the ones compensated; the first eight stand.
    assert_eq!(undone[0].compensates, Some(approvals[9].id));
    assert_eq!(undone[1].compensates, Some(approvals[8].id));
    for name in &cleared[..8] {
        let d = store
            .decision(&DecisionKey::of(name))
            .unwrap()
            .expect("decided");
        assert_eq!(d.status, DecisionStatus::Approved);
    }
    for name in &cleared[8..] {
        assert!(store.decision(&DecisionKey::of(name)).unwrap().is_none());
    }
}
