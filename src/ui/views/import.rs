//! The import view: the files chosen or dropped on the window, each with
//! the kind recognised from its name; the import with its progress and stop
//! button; the report of the last import (rows read, kept, rejected with
//! their line numbers, warnings), the offer to match the new names, and the
//! batches the workspace holds.

use eframe::egui;
use egui::{Align, Layout, RichText};

use super::super::command::Command;
use super::super::model::{ImportStop, ImportedFile};
use super::super::session::{ImportState, JobKind, JobView, Workspace};
use super::super::theme;
use super::chrome::job_progress_ui;
use crate::import::kind_from_file_name;
use crate::ui::i18n;

/// The import view.
pub fn import_ui(
    ui: &mut egui::Ui,
    st: &mut ImportState,
    ws: Option<&Workspace>,
    job: Option<&JobView>,
    out: &mut Vec<Command>,
) {
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("import-scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.add_space(theme::GAP);
                ui.heading("Importer des fichiers");
                ui.label(
                    RichText::new(
                        "Extraits BNPV (Cas-Patients, Médicaments, Effets), CODEX (dbo_VU, dbo_Produit…), \
                         BDPM (CIS_bdpm.txt…) ou Open Medic : choisissez-les, ou déposez-les sur la fenêtre.",
                    )
                    .color(theme::MUTED),
                );
                ui.add_space(theme::GAP);
                files_ui(ui, st, ws.is_some(), job, out);
                ui.add_space(theme::SECTION_GAP);
                if let Some(run) = &st.last {
                    ui.heading("Rapport du dernier import");
                    if run.imported.is_empty() {
                        ui.label(RichText::new("Aucun fichier importé.").color(theme::MUTED));
                    }
                    for f in &run.imported {
                        report_ui(ui, f);
                    }
                    if let Some(ImportStop::Failed { error, remaining }) = &run.stop {
                        egui::Frame::new()
                            .fill(theme::CARD_FILL)
                            .stroke(egui::Stroke::new(1.0, theme::BAD))
                            .corner_radius(theme::RADIUS)
                            .inner_margin(theme::GAP)
                            .show(ui, |ui| {
                                ui.label(RichText::new("Import arrêté").strong().color(theme::BAD));
                                ui.label(i18n::error(error));
                                ui.label(
                                    RichText::new(format!(
                                        "{} ; le fichier refusé n'a rien laissé dans l'espace.",
                                        i18n::count(
                                            remaining.len() as i64,
                                            "fichier non importé",
                                            "fichiers non importés"
                                        )
                                    ))
                                    .color(theme::MUTED),
                                );
                            });
                    }
                    ui.add_space(theme::SECTION_GAP);
                }
                matching_ui(ui, st, ws, job, out);
                ui.add_space(theme::SECTION_GAP);
                if let Some(ws) = ws {
                    batches_ui(ui, ws);
                }
            });
    });
}

fn files_ui(
    ui: &mut egui::Ui,
    st: &mut ImportState,
    has_ws: bool,
    job: Option<&JobView>,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                job.is_none() && has_ws,
                egui::Button::new("Choisir des fichiers…"),
            )
            .clicked()
        {
            out.push(Command::ImportFilesDialog);
        }
        ui.checkbox(&mut st.replace, "Remplacer un fichier déjà importé")
            .on_hover_text("Importe de nouveau un fichier déjà importé, à la place de son lot");
    });
    ui.add_space(4.0);
    if st.files.is_empty() {
        ui.label(RichText::new("Aucun fichier choisi.").color(theme::MUTED));
    } else {
        egui::Grid::new("import-files")
            .num_columns(3)
            .striped(true)
            .spacing([theme::SECTION_GAP, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Fichier").color(theme::MUTED));
                ui.label(RichText::new("Type reconnu").color(theme::MUTED));
                ui.label("");
                ui.end_row();
                for (i, f) in st.files.iter().enumerate() {
                    let name = f.file_name().map_or_else(
                        || f.display().to_string(),
                        |n| n.to_string_lossy().to_string(),
                    );
                    ui.label(RichText::new(name).strong())
                        .on_hover_text(f.display().to_string());
                    match kind_from_file_name(f) {
                        Some(kind) => {
                            ui.label(format!("{} ({})", kind.file_label(), kind.as_str()));
                        }
                        None => {
                            ui.label(
                                RichText::new("non reconnu par le nom : reconnu par les colonnes")
                                    .color(theme::WAIT),
                            );
                        }
                    }
                    if ui
                        .add_enabled(job.is_none(), egui::Button::new("Retirer"))
                        .clicked()
                    {
                        out.push(Command::RemoveImportFile(i));
                    }
                    ui.end_row();
                }
            });
    }
    ui.add_space(theme::GAP);
    ui.horizontal(|ui| {
        let label = format!(
            "Importer ({})",
            i18n::count(st.files.len() as i64, "fichier", "fichiers")
        );
        if ui
            .add_enabled(
                job.is_none() && has_ws && !st.files.is_empty(),
                egui::Button::new(RichText::new(label).strong()),
            )
            .clicked()
        {
            out.push(Command::StartImport);
        }
        if let Some(job) = job.filter(|j| j.kind == JobKind::Import) {
            job_progress_ui(ui, job, out);
        }
    });
}

fn report_ui(ui: &mut egui::Ui, f: &ImportedFile) {
    let name = f.path.file_name().map_or_else(
        || f.path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let counts = f.batch.as_ref().map_or_else(String::new, |b| {
        format!(
            "{} lignes lues · {} gardées · {} rejetées · {} avertissements",
            i18n::int(b.rows_read),
            i18n::int(b.rows_kept),
            i18n::int(b.rows_rejected),
            i18n::int(b.warnings)
        )
    });
    let bad = f.batch.as_ref().is_some_and(|b| b.rows_rejected > 0);
    egui::CollapsingHeader::new(
        RichText::new(format!("{name} — {} : {counts}", f.kind.file_label())).color(if bad {
            theme::WAIT
        } else {
            theme::GOOD
        }),
    )
    .id_salt(("report", f.path.display().to_string()))
    .default_open(f.issue_total > 0 || !f.absent.is_empty() || !f.invalid_lines.is_empty())
    .show(ui, |ui| {
        for absent in &f.absent {
            ui.label(
                RichText::new(format!(
                    "Colonne {} absente : {}",
                    absent.column,
                    i18n::left_unknown(absent.left_unknown)
                ))
                .color(theme::WAIT),
            );
        }
        if !f.invalid_lines.is_empty() {
            ui.label(
                RichText::new(format!(
                    "Fichier en UTF-8, sauf {} : chaque octet invalide est lu comme \u{FFFD} (lignes listées ci-dessous)",
                    i18n::count(
                        f.invalid_lines.len() as i64,
                        "ligne à octet invalide",
                        "lignes à octets invalides"
                    ),
                ))
                .color(theme::WAIT),
            );
        }
        if f.issues.is_empty() {
            ui.label(RichText::new("Aucun problème relevé.").color(theme::MUTED));
            return;
        }
        egui::Grid::new(("issues", f.path.display().to_string()))
            .num_columns(4)
            .striped(true)
            .spacing([theme::GAP, 2.0])
            .show(ui, |ui| {
                for h in ["Ligne", "Colonne", "Gravité", "Message"] {
                    ui.label(RichText::new(h).color(theme::MUTED));
                }
                ui.end_row();
                for i in &f.issues {
                    ui.label(i.line.map_or_else(String::new, |l| l.to_string()));
                    ui.label(i.column.clone().unwrap_or_default());
                    let (label, color) = match i.severity.as_str() {
                        "rejected" => ("rejetée", theme::BAD),
                        "dropped" => ("écartée", theme::WAIT),
                        _ => ("avertissement", theme::MUTED),
                    };
                    ui.label(RichText::new(label).color(color));
                    ui.label(&i.message);
                    ui.end_row();
                }
            });
        if f.issue_total > f.issues.len() as i64 {
            ui.label(
                RichText::new(format!(
                    "… et {} autres (datamed status les liste toutes)",
                    i18n::int(f.issue_total - f.issues.len() as i64)
                ))
                .color(theme::MUTED),
            );
        }
    });
}

fn matching_ui(
    ui: &mut egui::Ui,
    st: &ImportState,
    ws: Option<&Workspace>,
    job: Option<&JobView>,
    out: &mut Vec<Command>,
) {
    let Some(ws) = ws else { return };
    ui.heading("Appariement");
    let imported_now = st.last.as_ref().is_some_and(|r| !r.imported.is_empty());
    ui.horizontal(|ui| {
        let text = if imported_now {
            "Lancer l'appariement des nouveaux noms"
        } else {
            "Lancer l'appariement"
        };
        if ui
            .add_enabled(job.is_none(), egui::Button::new(RichText::new(text).strong()))
            .on_hover_text("Relie chaque nom distinct aux codes substance ; les décisions déjà prises sont conservées")
            .clicked()
        {
            out.push(Command::StartMatching);
        }
        if let Some(job) = job.filter(|j| j.kind == JobKind::Match) {
            job_progress_ui(ui, job, out);
        }
    });
    let p = &ws.snap.progress;
    ui.label(
        RichText::new(format!(
            "{} noms appariés ({} observations) · {} à revoir",
            i18n::int(p.names),
            i18n::int(p.observations),
            i18n::int(p.names_to_review)
        ))
        .color(theme::MUTED),
    );
    if let Some(m) = &st.matched {
        if let Some(w) = &m.warning {
            ui.label(RichText::new(i18n::referential_warning(w)).color(theme::WAIT));
        }
        ui.label(
            RichText::new(format!(
                "Dernier appariement : {} noms, {} observations, en {} ms",
                i18n::int(m.names),
                i18n::int(m.observations),
                m.ranking_ms
            ))
            .color(theme::MUTED),
        );
    }
}

fn batches_ui(ui: &mut egui::Ui, ws: &Workspace) {
    ui.heading(format!("Lots importés ({})", ws.snap.batches.len()));
    if ws.snap.batches.is_empty() {
        ui.label(RichText::new("L'espace de travail est vide.").color(theme::MUTED));
        return;
    }
    egui::Grid::new("batches")
        .num_columns(7)
        .striped(true)
        .spacing([theme::SECTION_GAP, 2.0])
        .show(ui, |ui| {
            for h in [
                "Fichier",
                "Type",
                "Lues",
                "Gardées",
                "Rejetées",
                "Avert.",
                "Importé",
            ] {
                ui.label(RichText::new(h).color(theme::MUTED));
            }
            ui.end_row();
            for b in ws.snap.batches.iter().rev() {
                let file = std::path::Path::new(&b.file_name)
                    .file_name()
                    .map_or_else(|| b.file_name.clone(), |n| n.to_string_lossy().to_string());
                let mut name = RichText::new(file);
                if b.superseded_at.is_some() {
                    name = name.strikethrough().color(theme::MUTED);
                }
                ui.label(name)
                    .on_hover_text(format!("{}\nSHA-256 {}", b.file_name, b.sha256));
                ui.label(&b.kind);
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.label(i18n::int(b.rows_read));
                });
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.label(i18n::int(b.rows_kept));
                });
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    let color = if b.rows_rejected > 0 {
                        theme::BAD
                    } else {
                        theme::MUTED
                    };
                    ui.label(RichText::new(i18n::int(b.rows_rejected)).color(color));
                });
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.label(i18n::int(b.warnings));
                });
                ui.label(format!(
                    "{} · {}",
                    i18n::date_time(&b.imported_at),
                    b.imported_by
                ));
                ui.end_row();
            }
        });
}
