//! The Indicateurs view driven by labels, on a workspace built from
//! `sample-data/` (imported and matched): open the tab, type PARACETAMOL in
//! the substance search, pick it, and find its case count, the chart
//! titles and the pending impact panel. No GPU or display needed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use datamed::import::{ImportOptions, import_paths};
use datamed::indicators::{Computation, Period};
use datamed::jobs::Progress;
use datamed::store::Store;
use datamed::ui::WorkbenchApp;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The sample imported and matched in a fresh directory.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    let mut store = Store::open(&path).unwrap();
    let options = ImportOptions {
        user: "test".into(),
        ..ImportOptions::default()
    };
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    import_paths(&mut store, &[sample], &options, &Progress::default()).unwrap();
    datamed::matching::engine::match_workspace(&mut store, &Progress::default()).unwrap();
    (dir, path)
}

fn settle(h: &mut Harness<'_, WorkbenchApp>) {
    h.run();
    h.state_mut().wait_for_indicators();
    h.run();
}

#[test]
fn paracetamol_shows_its_cases_and_charts() {
    let (_dir, path) = workspace();
    let expected = {
        let store = Store::open(&path).unwrap();
        let c = Computation::new(&store, Period::default()).unwrap();
        c.substance("02202").unwrap().cases
    };
    assert!(expected > 0, "the sample has PARACETAMOL cases");

    let app_path = path.clone();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &app_path, "alice").unwrap()
        });
    h.run();
    h.get_by_label("Indicateurs").click();
    settle(&mut h);
    assert!(
        !h.state().indicators().substances.is_empty(),
        "the picker lists substances"
    );

    let field = h.get_by_label("Substance (nom ou code)");
    field.focus();
    field.type_text("PARACETAMOL");
    h.run();
    let filtered = &h.state().indicators().filtered;
    assert!(!filtered.is_empty(), "the search finds PARACETAMOL");

    h.get_by_label_contains("02202 PARACETAMOL").click();
    settle(&mut h);
    let ind = h.state().indicators().current.clone().expect("indicators");
    assert_eq!(ind.code.as_deref(), Some("02202"));
    assert_eq!(ind.cases, expected);

    let cases = format!("Cas : {}", datamed::ui::views::fmt_int(expected));
    h.get_by_label(&cases);
    h.get_by_label("PARACETAMOL (02202)");
    for title in [
        "Cas par année",
        "Sexe",
        "Âge",
        "Gravité",
        "Critères de gravité",
        "Notificateur",
        "SOC",
        "Impact des noms en attente",
    ] {
        h.get_by_label(title);
    }

    // The toggle switches to the true counts.
    h.get_by_label("Vue interne").click();
    h.run();
    h.get_by_label("Vue publiée");
}
