//! The Réglages dialog, driven by its labels: it shows the workspace's
//! settings, refuses a value out of range (saying why, writing nothing),
//! then records a change with the reviewer as author, as `datamed settings`
//! does; and the review queue's header says why the selected name waits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use datamed::settings::{Setting, history};
use datamed::store::Store;
use datamed::ui::WorkbenchApp;
use datamed::ui::command::Command;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const REVIEWER: &str = "alice";
const DISCLOSURE: &str = "Seuil de secret statistique (effectifs masqués)";

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

fn replace_text(h: &mut Harness<'_, WorkbenchApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

#[test]
fn reglages_refuse_a_bad_value_then_record_a_change() {
    let (_dir, path) = common::matched_sample_copy();
    let mut h = harness(&path);
    h.state_mut().push(Command::OpenSettings);
    h.run();
    for label in [
        "Seuil de liaison automatique",
        "Seuil de revue",
        DISCLOSURE,
        "Part maximale d'observations en attente à l'export",
    ] {
        h.get_by_label(label);
    }
    replace_text(&mut h, DISCLOSURE, "10,5");
    h.get_by_label("Enregistrer").click();
    h.run();
    h.get_by_label("doit être un nombre entier");
    assert!(history(&Store::open(&path).unwrap()).unwrap().is_empty());

    replace_text(&mut h, DISCLOSURE, "5");
    h.get_by_label("Enregistrer").click();
    h.run();
    assert!(
        h.query_by_label("Enregistrer").is_none(),
        "the dialog closed"
    );
    let store = Store::open(&path).unwrap();
    let value = datamed::settings::get(&store, Setting::DisclosureThreshold).unwrap();
    assert_eq!(value.value, "5");
    let log = history(&store).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].author, REVIEWER);
    assert_eq!(log[0].old_value, None);
    assert_eq!(log[0].new_value, "5");
}

#[test]
fn the_queue_header_says_why_the_name_waits() {
    let (_dir, path) = common::matched_sample_copy();
    let h = harness(&path);
    let reason = h
        .state()
        .selected()
        .expect("a selected name")
        .reason
        .clone()
        .expect("matching recorded why it waits");
    let line = format!(
        "Pourquoi en attente : {}",
        datamed::ui::wording::reason_fr(&reason)
    );
    h.get_by_label(&line);
}
