//! The window started from the command line or a file manager
//! (`datamed WS.sqlite`, `datamed Effets.csv`): it opens the workspace
//! named, and lists the files given in the import view, waiting for the
//! user's "Importer". No display needed: egui_kittest draws nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use datamed::launch::Launch;
use datamed::ui::WorkbenchApp;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness(path: &Path) -> Harness<'static, WorkbenchApp> {
    let path = path.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &path, "alice").unwrap()
        });
    h.run();
    h
}

#[test]
fn a_double_clicked_extract_is_offered_for_import_into_the_open_workspace() {
    let (_dir, path) = common::matched_sample_copy();
    let mut h = harness(&path);
    let extract = common::root().join("sample-data/Effets.csv");
    h.state_mut().start_launch(Launch {
        workspace: None,
        import: vec![extract],
    });
    h.state_mut().wait_for_jobs();
    h.run_steps(3);
    h.get_by_label("Importer des fichiers");
    h.get_by_label("Effets.csv (bnpv-effects)");
    h.get_by_label("Importer (1 fichier)");
    let notice = h.state().notice().unwrap().text.clone();
    assert!(
        notice.contains("À importer dans w.sqlite : Effets.csv"),
        "{notice}"
    );
    // Offered, not imported: the workspace still has the sample's batches.
    h.get_by_label("Lots importés (15)");
}

#[test]
fn a_workspace_named_on_the_command_line_is_the_one_opened() {
    let (_dir, first) = common::matched_sample_copy();
    let (_other_dir, other) = common::matched_sample_copy();
    let other_named: PathBuf = other.with_file_name("été 2025.sqlite");
    std::fs::rename(&other, &other_named).unwrap();
    let mut h = harness(&first);
    h.state_mut().start_launch(Launch {
        workspace: Some(other_named.clone()),
        import: Vec::new(),
    });
    h.state_mut().wait_for_jobs();
    h.run_steps(3);
    assert_eq!(h.state().workspace().unwrap().path, other_named);
    assert_eq!(h.state().state.last_workspace, Some(other_named));
}
