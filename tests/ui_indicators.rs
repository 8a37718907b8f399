//! The Indicateurs view driven by labels, on a workspace built from
//! `sample-data/` (imported and matched once per test run, then copied for
//! each test): open the tab, type PARACETAMOL in the substance search, pick
//! it, and find its case count, the chart titles, the cells the portal hides
//! with both their published and true figures, and the pending impact
//! panel; then the portal export dialog: the pending share against the
//! limit, the override, the directory typed, the export run on its worker
//! and what it wrote. No GPU or display needed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use datamed::indicators::disclosure::Shown;
use datamed::indicators::{Computation, Period};
use datamed::store::Store;
use datamed::ui::WorkbenchApp;
use datamed::ui::i18n::int as fmt_int;
use datamed::ui::session::Dialog;
use eframe::egui::{self, Key, Modifiers, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// A private copy of the matched sample for one test.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    common::matched_sample_copy()
}

fn harness(path: &Path) -> Harness<'static, WorkbenchApp> {
    let path = path.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &path, "alice").unwrap()
        });
    h.run();
    h
}

fn settle(h: &mut Harness<'_, WorkbenchApp>) {
    h.run();
    h.state_mut().wait_for_indicators();
    h.run();
}

/// Opens the Indicateurs tab and picks PARACETAMOL by typing its name.
fn pick_paracetamol(h: &mut Harness<'_, WorkbenchApp>) {
    h.get_by_label("Indicateurs").click();
    settle(h);
    assert!(
        !h.state().indicators().substances.is_empty(),
        "the picker lists substances"
    );
    let field = h.get_by_label("Substance (nom ou code)");
    field.focus();
    field.type_text("PARACETAMOL");
    h.run();
    assert!(
        !h.state().indicators().filtered.is_empty(),
        "the search finds PARACETAMOL"
    );
    h.get_by_label_contains("02202 PARACETAMOL").click();
    settle(h);
}

/// The text of every label, in the order the window lays them out.
fn label_texts(h: &Harness<'_, WorkbenchApp>) -> Vec<String> {
    h.query_all_by(|n| n.role() == Role::Label)
        .filter_map(|n| n.accesskit_node().value())
        .collect()
}

/// Replaces the export dialog's directory by typing `dir`.
fn type_dir(h: &mut Harness<'_, WorkbenchApp>, dir: &Path) {
    h.get_by_label("Dossier de sortie").focus();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Dossier de sortie")
        .type_text(dir.to_str().unwrap());
    h.run();
}

#[test]
fn paracetamol_shows_published_and_internal_figures_side_by_side() {
    let (_dir, path) = workspace();
    let expected = {
        let store = Store::open(&path).unwrap();
        let c = Computation::new(&store, Period::default()).unwrap();
        c.substance("02202").unwrap()
    };
    assert!(expected.cases > 0, "the sample has PARACETAMOL cases");

    let mut h = harness(&path);
    pick_paracetamol(&mut h);
    let ind = h.state().indicators().current.clone().expect("indicators");
    assert_eq!(ind.code.as_deref(), Some("02202"));
    assert_eq!(ind.cases, expected.cases);

    h.get_by_label(&format!("Cas : {}", fmt_int(expected.cases)));
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
        assert!(
            h.query_all_by_label(title).next().is_some(),
            "no {title} on screen"
        );
    }
    // Both figures at once, no toggle needed: the legend names them, and
    // every hidden cell of the charted breakdowns is listed as "masqué"
    // (what the portal says of it, whatever the reason) beside its true count.
    h.get_by_label("Publié (portail)");
    h.get_by_label("Interne : vrais effectifs, à ne pas publier");
    let hidden: Vec<_> = ["criterion", "soc"]
        .iter()
        .flat_map(|d| expected.breakdown(d).unwrap().cells.iter())
        .filter(|c| matches!(c.shown, Shown::Hidden(_)))
        .collect();
    assert!(!hidden.is_empty(), "PARACETAMOL has hidden cells");
    h.get_by_label_contains("Cellules masquées au portail (");
    let texts = label_texts(&h);
    for cell in &hidden {
        // The window words the criteria with their accents ("décès").
        let category = datamed::ui::i18n::explain::category(&cell.category);
        let row = texts.windows(3).any(|w| {
            (w[0] == category || category.starts_with(w[0].trim_end_matches('…')))
                && w[1] == "masqué"
                && w[2] == fmt_int(cell.count)
        });
        assert!(
            row,
            "{} (true {}) is not listed as \"masqué\" beside its true count",
            cell.category, cell.count
        );
    }

    // The published view alone hides the true counts of those cells.
    h.get_by_label("Publiée seule").click();
    h.run();
    assert!(h.query_by_label_contains("Cellules masquées").is_none());
    h.get_by_label("Interne seule").click();
    h.run();
    h.get_by_label_contains("Cellules masquées au portail (");
    h.get_by_label("Publiée et interne").click();
    h.run();
}

#[test]
fn the_export_dialog_writes_the_portal_datasets() {
    let (dir, path) = workspace();
    // A limit under the sample's pending share: the export needs the
    // override.
    let share = {
        let store = Store::open(&path).unwrap();
        store
            .set_setting(datamed::indicators::SETTING_MAX_PENDING, "0.001")
            .unwrap();
        datamed::indicators::pending_share(&store).unwrap()
    };
    assert!(share.share() > 0.001, "the sample leaves names pending");

    let mut h = harness(&path);
    pick_paracetamol(&mut h);
    h.get_by_label("Exporter pour le portail…").click();
    h.run();
    let Some(Dialog::PortalExport(d)) = h.state().dialog() else {
        panic!("the export dialog is open");
    };
    assert_eq!(d.pending, share, "the dialog shows the workspace's share");
    assert!(d.above_limit());
    assert!(!d.ready(), "above the limit, export waits for the override");
    h.get_by_label_contains(&format!(
        "({} sur {})",
        fmt_int(share.pending),
        fmt_int(share.total)
    ));

    h.get_by_label("Exporter malgré les noms en attente")
        .click();
    h.run();
    assert!(h.query_by_label_contains("Trop d'observations").is_none());

    // A directory of someone's files is refused before anything runs.
    let foreign = dir.path().join("autres");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "à garder").unwrap();
    type_dir(&mut h, &foreign);
    h.get_by_label("Exporter").click();
    h.run();
    assert!(!h.state().is_busy());
    h.get_by_label_contains("contient d'autres fichiers qu'un export pour le portail");
    assert!(foreign.join("notes.txt").exists());

    let out = dir.path().join("portail du test");
    type_dir(&mut h, &out);
    assert!(
        h.query_by_label_contains("contient d'autres fichiers")
            .is_none(),
        "a new directory clears the refusal"
    );
    h.get_by_label("Exporter").click();
    // Steps, not run: the progress spinner repaints while the job runs.
    h.run_steps(2);
    assert!(h.state().is_busy(), "the export runs on a worker thread");
    // Its stop button, in the dialog as in the status bar.
    assert_eq!(h.query_all_by_label("Arrêter").count(), 2);
    h.state_mut().wait_for_jobs();
    h.run();

    let Some(Dialog::PortalExport(d)) = h.state().dialog() else {
        panic!("the dialog stays open on its summary");
    };
    let summary = match &d.outcome {
        Some(Ok(s)) => s.clone(),
        other => panic!("the export failed: {other:?}"),
    };
    assert_eq!(summary.dir, out);
    assert!(summary.substances > 0);
    h.get_by_label(&format!("Export terminé : {}", out.display()));
    h.get_by_label_contains(&format!("{} fichiers, ", summary.files.len()));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        assert!(out.join(f["file"].as_str().unwrap()).exists(), "{f}");
    }
    assert!(out.join("substances.csv").exists());
    assert!(out.join("transcoding.json").exists());
    assert_eq!(manifest["pending"]["observations"], share.pending);

    h.get_by_label("Fermer").click();
    h.run();
    assert!(h.state().dialog().is_none());
}
