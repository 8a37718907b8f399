//! The frame around the views: the menu bar (Fichier, Réglages, Aide) with the
//! view tabs, the status bar (workspace, reviewer, running job with its
//! progress and stop button, last message), and what the window shows
//! before a workspace is open (first-run preparation of the sample).

use crate::export::ExportKind;
use crate::ui::i18n;
use eframe::egui;
use egui::{Align, Layout, ProgressBar, RichText};

use super::super::command::Command;
use super::super::session::{JobKind, JobView, Notice, Workspace};
use super::super::state::{UiState, View};
use super::super::theme;

/// The menu bar and the view tabs.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    state: &UiState,
    has_workspace: bool,
    busy: bool,
    out: &mut Vec<Command>,
) {
    egui::Panel::top("menu").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("Fichier", |ui| {
                if ui.button("Nouvel espace de travail…").clicked() {
                    out.push(Command::NewWorkspaceDialog);
                }
                if ui.button("Ouvrir…").clicked() {
                    out.push(Command::OpenWorkspaceDialog);
                }
                ui.menu_button("Espaces récents", |ui| {
                    if state.recent_workspaces.is_empty() {
                        ui.label(RichText::new("Aucun").color(theme::MUTED));
                    }
                    for path in &state.recent_workspaces {
                        if ui.button(path.display().to_string()).clicked() {
                            out.push(Command::OpenWorkspace(path.clone()));
                        }
                    }
                });
                ui.separator();
                if ui
                    .add_enabled(
                        has_workspace && !busy,
                        egui::Button::new("Importer des fichiers…"),
                    )
                    .clicked()
                {
                    out.push(Command::ImportFilesDialog);
                }
                ui.add_enabled_ui(has_workspace && !busy, |ui| {
                    ui.menu_button("Exporter pour Excel", |ui| {
                        for kind in ExportKind::ALL {
                            if ui
                                .button(format!("{}…", i18n::export_table(kind)))
                                .on_hover_text("Classeur .xlsx, ou CSV (point-virgule, virgule décimale) si le nom finit par .csv")
                                .clicked()
                            {
                                out.push(Command::ExportDialog(kind));
                            }
                        }
                    });
                });
                if ui
                    .add_enabled(
                        has_workspace,
                        egui::Button::new("Exporter pour le portail…"),
                    )
                    .on_hover_text("Années : celles de la vue Indicateurs")
                    .clicked()
                {
                    out.push(Command::OpenPortalExport);
                }
                ui.separator();
                if ui.button("Quitter (Ctrl+Q)").clicked() {
                    out.push(Command::Quit);
                }
            });
            ui.menu_button("Réglages", |ui| {
                if ui.button("Relecteur et seuils…").clicked() {
                    out.push(Command::OpenSettings);
                }
            });
            ui.menu_button("Aide", |ui| {
                if ui.button("Raccourcis clavier (F1)").clicked() {
                    out.push(Command::ShowShortcuts);
                }
            });
            ui.separator();
            for view in [
                View::Import,
                View::Review,
                View::Transcoding,
                View::Indicators,
            ] {
                let text = RichText::new(i18n::view(view)).strong();
                if ui.selectable_label(state.view == view, text).clicked() {
                    out.push(Command::ShowView(view));
                }
            }
        });
    });
}

/// The status bar: workspace, reviewer, job progress, message.
pub fn status_bar_ui(
    ui: &mut egui::Ui,
    ws: Option<&Workspace>,
    author: &str,
    job: Option<&JobView>,
    notice: Option<&Notice>,
    out: &mut Vec<Command>,
) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            match ws {
                Some(ws) => {
                    ui.label(RichText::new("Espace :").color(theme::MUTED));
                    ui.label(ws.path.display().to_string())
                        .on_hover_text("Le fichier SQLite de l'espace de travail");
                }
                None => {
                    ui.label(RichText::new("Aucun espace de travail ouvert").color(theme::MUTED));
                }
            }
            ui.separator();
            ui.label(RichText::new("Relecteur :").color(theme::MUTED));
            ui.label(author);
            if let Some(job) = job {
                ui.separator();
                job_progress_ui(ui, job, out);
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if let Some(n) = notice {
                    if ui
                        .small_button("×")
                        .on_hover_text("Effacer le message")
                        .clicked()
                    {
                        out.push(Command::DismissNotice);
                    }
                    let color = if n.error { theme::BAD } else { theme::GOOD };
                    ui.add(egui::Label::new(RichText::new(&n.text).color(color)).truncate());
                }
            });
        });
        ui.add_space(2.0);
    });
}

/// What a job's bar says: its phase, and the share done when known.
fn progress_text(job: &JobView) -> (f32, String) {
    if job.total > 0 {
        let fraction = (job.done as f32 / job.total as f32).clamp(0.0, 1.0);
        (
            fraction,
            format!("{} ({:.0} %)", i18n::phase(&job.phase), fraction * 100.0),
        )
    } else {
        (0.0, i18n::phase(&job.phase))
    }
}

/// A job's progress in the status bar, on one line: what it does, its
/// phase with a bar (or a spinner when its length is unknown), and its stop
/// button.
pub fn job_progress_ui(ui: &mut egui::Ui, job: &JobView, out: &mut Vec<Command>) {
    let (fraction, text) = progress_text(job);
    ui.label(RichText::new(format!("{} :", i18n::job_kind(job.kind))).color(theme::MUTED));
    if job.total > 0 {
        ui.add(
            ProgressBar::new(fraction)
                .fill(theme::PROGRESS_FILL)
                .desired_width(theme::PROGRESS_WIDTH)
                .text(text),
        );
    } else {
        ui.spinner();
        ui.label(text);
    }
    stop_button_ui(ui, out);
}

fn stop_button_ui(ui: &mut egui::Ui, out: &mut Vec<Command>) {
    if ui
        .button("Arrêter")
        .on_hover_text("Arrête le travail en cours ; rien n'est écrit")
        .clicked()
    {
        out.push(Command::CancelJob);
    }
}

/// A job's progress in the middle of the empty window: its phase above a
/// wide bar (the share done written on it, or a spinner in it while the
/// length is unknown), then its stop button.
fn job_progress_block_ui(ui: &mut egui::Ui, job: &JobView, out: &mut Vec<Command>) {
    let width = theme::PROGRESS_WIDTH * 1.5;
    ui.label(RichText::new(i18n::phase(&job.phase)).strong());
    ui.add_space(theme::GAP);
    let bar = ProgressBar::new(progress_text(job).0)
        .fill(theme::PROGRESS_FILL)
        .desired_width(width);
    let bar = if job.total > 0 {
        bar.show_percentage()
    } else {
        bar.animate(true)
    };
    ui.add(bar);
    ui.add_space(theme::GAP);
    stop_button_ui(ui, out);
}

/// What the window shows while no workspace is open.
pub fn empty_ui(ui: &mut egui::Ui, job: Option<&JobView>, out: &mut Vec<Command>) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.3);
            ui.heading("DataMed Workbench");
            ui.add_space(theme::GAP);
            match job {
                Some(job) => {
                    ui.label(RichText::new(i18n::job_kind(job.kind)).size(16.0));
                    ui.add_space(theme::GAP);
                    job_progress_block_ui(ui, job, out);
                    if job.kind == JobKind::Prepare {
                        ui.add_space(theme::GAP);
                        ui.label(
                            RichText::new(
                                "Premier lancement : l'échantillon fourni est importé puis apparié \
                                 dans un espace de travail d'exemple.",
                            )
                            .color(theme::MUTED),
                        );
                    }
                }
                None => {
                    ui.label("Ouvrez ou créez un espace de travail pour commencer.");
                    ui.add_space(theme::GAP);
                    ui.horizontal(|ui| {
                        ui.add_space((ui.available_width() - 330.0).max(0.0) / 2.0);
                        if ui.button("Nouvel espace de travail…").clicked() {
                            out.push(Command::NewWorkspaceDialog);
                        }
                        if ui.button("Ouvrir…").clicked() {
                            out.push(Command::OpenWorkspaceDialog);
                        }
                    });
                }
            }
        });
    });
}
