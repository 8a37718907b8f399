//! The window's Fichier › Exporter pour Excel menu, driven by labels on a
//! copy of the matched sample: it offers the four tables, and an export
//! chosen in it writes a workbook for a `.xlsx` name and French Excel's CSV
//! otherwise, on a worker, then says how many rows it wrote. The native
//! file dialog is the one step a test cannot drive: it emits the command
//! the dialog would send.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use datamed::export::ExportKind;
use datamed::ui::WorkbenchApp;
use datamed::ui::command::Command;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn the_file_menu_exports_each_table_for_excel() {
    let (dir, path) = common::matched_sample_copy();
    let ws = path.clone();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| WorkbenchApp::with_workspace(&cc.egui_ctx, &ws, "alice").unwrap());
    h.run();
    h.get_by_label("Fichier").click();
    h.run();
    h.get_by_label("Exporter pour Excel").click();
    h.run();
    for label in [
        "Table de transcodage…",
        "Candidats classés…",
        "Journal d'audit…",
        "Noms à revoir…",
    ] {
        h.get_by_label(label);
    }

    let xlsx = dir.path().join("file de revue.xlsx");
    h.state_mut()
        .push(Command::Export(ExportKind::Queue, xlsx.clone()));
    // Steps, not run: the spinner repaints while the job runs.
    h.run_steps(2);
    h.state_mut().wait_for_jobs();
    h.run();
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let notice = h.state().notice().unwrap().text.clone();
    assert!(notice.contains("exportées dans"), "{notice}");

    let csv = dir.path().join("transcodage.csv");
    h.state_mut()
        .push(Command::Export(ExportKind::Transcoding, csv.clone()));
    // Steps, not run: the spinner repaints while the job runs.
    h.run_steps(2);
    h.state_mut().wait_for_jobs();
    h.run();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}medicament;type;n_obs;"),
        "{}",
        &text[..80]
    );
    assert!(text.contains("\r\n"));
}

#[test]
fn the_portal_dialog_says_what_the_export_would_change_before_writing() {
    let (dir, path) = common::matched_sample_copy();
    let ws = path.clone();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_eframe(move |cc| WorkbenchApp::with_workspace(&cc.egui_ctx, &ws, "alice").unwrap());
    h.run();
    let preview = |h: &mut Harness<'_, WorkbenchApp>| {
        h.get_by_label("Voir ce qui changera").click();
        // Steps, not run: the spinner repaints while the job runs.
        h.run_steps(2);
        h.state_mut().wait_for_jobs();
        h.run();
    };
    h.state_mut().push(Command::OpenPortalExport);
    h.run();
    preview(&mut h);
    h.get_by_label("Aucun export enregistré dans cet espace : tout serait nouveau.");
    h.get_by_label_contains("Substances : ");
    // Nothing written: neither files nor a record.
    let out = dir.path().join("portail");
    assert!(!out.exists());

    // Exported (as the CLI does), the same preview finds no change.
    datamed_ok_export(&path, &out);
    preview(&mut h);
    h.get_by_label("Aucun changement : l'export publierait exactement la même chose.");
    h.get_by_label_contains("Par rapport au dernier export (");
}

/// `datamed export portal` through the real binary.
fn datamed_ok_export(w: &std::path::Path, out: &std::path::Path) {
    common::datamed_ok(&[
        "export",
        "portal",
        "-w",
        common::s(w),
        "--out",
        common::s(out),
        "--allow-pending",
    ]);
}
