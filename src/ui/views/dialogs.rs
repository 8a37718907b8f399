//! The modal dialogs: the Réglages (reviewer's name
//! and the workspace settings: matching thresholds, disclosure threshold,
//! pending-share limit), the confirmation of "apply to identical normalised names" (saying how
//! many names it touches), the portal export (pending share, years,
//! directory, progress, then what was written), and the column mapping of a
//! file whose expected columns were not all found; the comment, the
//! manual search and the shortcut sheet are drawn by [`review_dialogs`].
//! Escape closes them (handled by the app).

use eframe::egui;
use egui::{Id, RichText};

use super::super::command::Command;
use super::super::model::MappingRequest;
use super::super::session::settings::SettingsForm;
use super::super::session::{Dialog, JobKind, JobView, PortalExport};
use super::super::theme;
use super::super::wording;
use super::review_dialogs;
use crate::ui::i18n;

/// Draws the open dialog, if any.
pub fn dialogs_ui(
    ctx: &egui::Context,
    dialog: &mut Option<Dialog>,
    mapping: &mut Option<MappingRequest>,
    job: Option<&JobView>,
    out: &mut Vec<Command>,
) {
    if let Some(m) = mapping {
        mapping_ui(ctx, m, out);
        return;
    }
    let Some(d) = dialog else { return };
    let id = Id::unique("dialog");
    let mut modal = egui::Modal::new(id);
    if matches!(d, Dialog::PortalExport(_)) {
        // Its content grows as the export runs and ends: hung from the
        // top, it grows downwards instead of moving under the pointer.
        modal = modal.area(
            egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 90.0)),
        );
    }
    let modal = modal.show(ctx, |ui| match d {
        Dialog::Comment {
            text,
            original,
            confirm_discard,
        } => review_dialogs::comment_ui(ui, text, original, *confirm_discard, out),
        Dialog::Shortcuts => review_dialogs::shortcuts_ui(ui, out),
        Dialog::Settings(form) => settings_ui(ui, form, out),
        Dialog::ManualSearch {
            text,
            level,
            hits,
            checked,
            focus,
            cursor,
        } => review_dialogs::search_ui(ui, text, level, hits, checked, focus, *cursor, out),
        Dialog::PortalExport(d) => portal_ui(ui, d, job, out),
        Dialog::Identical(p) => {
            ui.set_max_width(560.0);
            ui.heading("Appliquer aux noms identiques");
            let what = match &p.source.target {
                Some(t) => format!("{} : {}", i18n::decision_status(p.source.status), t.name),
                None => i18n::decision_status(p.source.status).to_string(),
            };
            ui.label(format!(
                "La décision « {what} » prise sur « {} » s'appliquera à {} ({}, {}) \
                 identiques une fois normalisés, que personne n'a revus :",
                p.source.name,
                i18n::count(p.names.len() as i64, "nom", "noms"),
                i18n::count(p.keys as i64, "niveau", "niveaux"),
                i18n::count(p.observations, "observation", "observations")
            ));
            for n in p.names.iter().take(12) {
                ui.label(format!(
                    "• {} ({}, {} obs.)",
                    n.name,
                    i18n::level(n.level),
                    n.n_obs
                ));
            }
            if p.names.len() > 12 {
                ui.label(format!("… et {} autres", p.names.len() - 12));
            }
            ui.add_space(theme::GAP);
            ui.horizontal(|ui| {
                if ui.button(RichText::new("Appliquer").strong()).clicked() {
                    out.push(Command::ApplyIdentical);
                }
                if ui.button("Fermer").clicked() {
                    out.push(Command::CloseDialog);
                }
            });
        }
    });
    if modal.should_close() && !out.contains(&Command::CloseDialog) {
        out.push(Command::CloseDialog);
    }
}

/// The portal export: what will be exported (years, pending share against
/// the limit, with the override when above it), where, its progress while
/// it runs, then what it wrote or why it failed.
fn portal_ui(
    ui: &mut egui::Ui,
    d: &mut PortalExport,
    job: Option<&JobView>,
    out: &mut Vec<Command>,
) {
    ui.set_width(620.0);
    ui.heading("Exporter pour le portail");
    ui.label(
        RichText::new(
            "La liste des substances, chaque répartition par substance, les répartitions de la base \
             entière et la table de transcodage, en CSV et JSON, avec manifest.json. Seules les \
             valeurs publiables sortent : les petits effectifs sont masqués, avec la raison.",
        )
        .small()
        .color(theme::MUTED),
    );
    ui.add_space(theme::GAP);
    let running = job.filter(|j| j.kind == JobKind::PortalExport);
    egui::Grid::new("portal-export")
        .num_columns(2)
        .spacing([theme::SECTION_GAP, 6.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Années").color(theme::MUTED));
            let years = match (d.years, d.period.from, d.period.to) {
                (Some(y), _, _) => format!("{}–{}", y.from, y.to),
                (None, None, None) => "toutes les années des cas".to_string(),
                (None, from, to) => format!(
                    "{}–{}",
                    from.map_or("…".to_string(), |y| y.to_string()),
                    to.map_or("…".to_string(), |y| y.to_string())
                ),
            };
            ui.label(format!("{years} (celles de la vue Indicateurs)"));
            ui.end_row();
            ui.label(RichText::new("Noms en attente").color(theme::MUTED));
            let color = if d.above_limit() {
                theme::BAD
            } else {
                theme::GOOD
            };
            ui.label(
                RichText::new(format!(
                    "{} des observations ({} sur {}) — limite de l'espace : {}",
                    i18n::percent(d.pending.share()),
                    i18n::int(d.pending.pending),
                    i18n::int(d.pending.total),
                    i18n::percent(d.max_pending)
                ))
                .color(color),
            );
            ui.end_row();
        });
    let above = d.above_limit();
    ui.add_enabled(
        above && running.is_none(),
        egui::Checkbox::new(&mut d.allow_pending, "Exporter malgré les noms en attente"),
    )
    .on_disabled_hover_text("Les noms en attente sont sous la limite : rien à forcer");
    if above && !d.allow_pending {
        ui.label(
            RichText::new(
                "Trop d'observations attendent une revue : revoyez-les (Revue) ou cochez la case \
                 pour exporter quand même.",
            )
            .small()
            .color(theme::BAD),
        );
    }
    ui.add_space(theme::GAP);
    let label = ui.label("Dossier de sortie");
    ui.horizontal(|ui| {
        let edit = ui
            .add_enabled(
                running.is_none(),
                egui::TextEdit::singleline(&mut d.out)
                    .hint_text("/chemin/vers/portail")
                    .desired_width(ui.available_width() - 90.0),
            )
            .labelled_by(label.id);
        if edit.changed() {
            d.outcome = None;
        }
        if ui
            .add_enabled(running.is_none(), egui::Button::new("Choisir…"))
            .clicked()
        {
            out.push(Command::PortalDirDialog);
        }
    });
    ui.label(
        RichText::new(
            "Un dossier nouveau, vide, ou un export précédent (remplacé en entier) ; un chemin \
             relatif part du dossier de l'espace de travail.",
        )
        .small()
        .color(theme::MUTED),
    );
    ui.add_space(theme::GAP);
    super::publication::preview_ui(ui, d.preview.as_ref(), job, out);
    ui.add_space(theme::GAP);
    if let Some(job) = running {
        ui.horizontal(|ui| super::chrome::job_progress_ui(ui, job, out));
        ui.add_space(theme::GAP);
    }
    match &d.outcome {
        Some(Ok(summary)) => {
            // Each table is written twice (CSV and JSON): its rows count once.
            let rows: u64 = summary
                .files
                .iter()
                .filter(|(f, _)| f.ends_with(".csv"))
                .map(|(_, n)| n)
                .sum();
            ui.label(
                RichText::new(format!("Export terminé : {}", summary.dir.display()))
                    .strong()
                    .color(theme::GOOD),
            );
            ui.label(format!(
                "{} fichiers, {} lignes de données en CSV et en JSON, {} substances",
                summary.files.len(),
                i18n::int(rows as i64),
                i18n::int(summary.substances as i64),
            ));
            egui::CollapsingHeader::new("Fichiers écrits")
                .id_salt("portal-files")
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .max_height(200.0)
                        .show(ui, |ui| {
                            egui::Grid::new("portal-files-grid")
                                .num_columns(2)
                                .striped(true)
                                .show(ui, |ui| {
                                    // One row a table: its CSV and JSON hold the same rows.
                                    let written =
                                        |name: &str| summary.files.iter().any(|(f, _)| f == name);
                                    for (file, n) in &summary.files {
                                        let (shown, rows) = match file.strip_suffix(".csv") {
                                            Some(stem) if written(&format!("{stem}.json")) => (
                                                format!("{stem}.csv, .json"),
                                                format!("{} lignes", i18n::int(*n as i64)),
                                            ),
                                            _ => match file.strip_suffix(".json") {
                                                Some(stem) if written(&format!("{stem}.csv")) => {
                                                    continue;
                                                }
                                                _ => (file.clone(), String::new()),
                                            },
                                        };
                                        ui.label(shown);
                                        ui.label(rows);
                                        ui.end_row();
                                    }
                                });
                        });
                });
        }
        Some(Err(message)) => {
            ui.label(RichText::new(message).color(theme::BAD));
        }
        None => {}
    }
    ui.add_space(theme::GAP);
    ui.horizontal(|ui| {
        let exported = matches!(d.outcome, Some(Ok(_)));
        let text = if exported {
            "Exporter à nouveau"
        } else {
            "Exporter"
        };
        if ui
            .add_enabled(
                d.ready() && job.is_none(),
                egui::Button::new(RichText::new(text).strong()),
            )
            .clicked()
        {
            out.push(Command::StartPortalExport);
        }
        if ui.button("Fermer").clicked() {
            out.push(Command::CloseDialog);
        }
    });
    if let Some(j) =
        job.filter(|j| !matches!(j.kind, JobKind::PortalExport | JobKind::PortalPreview))
    {
        ui.label(
            RichText::new(format!(
                "{} en cours : l'export attendra sa fin",
                i18n::job_kind(j.kind)
            ))
            .small()
            .color(theme::MUTED),
        );
    }
}

fn settings_ui(ui: &mut egui::Ui, form: &mut SettingsForm, out: &mut Vec<Command>) {
    ui.set_width(460.0);
    ui.heading("Réglages");
    let label = ui.label("Relecteur (auteur des décisions)");
    let edit = ui
        .add(egui::TextEdit::singleline(&mut form.reviewer))
        .labelled_by(label.id);
    if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        out.push(Command::SaveSettings);
    }
    ui.label(
        RichText::new("Vide : l'utilisateur du système.")
            .small()
            .color(theme::MUTED),
    );
    if !form.fields.is_empty() {
        ui.add_space(theme::GAP);
        ui.label(RichText::new("Espace de travail (chaque modification est tracée)").strong());
    }
    for f in &mut form.fields {
        ui.add_space(4.0);
        let label = ui.label(wording::setting_label_fr(f.setting));
        ui.add(egui::TextEdit::singleline(&mut f.text).desired_width(120.0))
            .labelled_by(label.id);
        ui.label(
            RichText::new(wording::setting_help_fr(f.setting))
                .small()
                .color(theme::MUTED),
        );
        if let Some(e) = &f.error {
            ui.label(RichText::new(wording::invalid_fr(e)).color(theme::BAD));
        }
    }
    ui.add_space(theme::GAP);
    ui.horizontal(|ui| {
        if ui.button("Enregistrer").clicked() {
            out.push(Command::SaveSettings);
        }
        if ui.button("Fermer").clicked() {
            out.push(Command::CloseDialog);
        }
    });
}

fn mapping_ui(ctx: &egui::Context, m: &mut MappingRequest, out: &mut Vec<Command>) {
    let modal = egui::Modal::new(Id::unique("mapping")).show(ctx, |ui| {
        ui.set_max_width(640.0);
        ui.heading("Colonnes à faire correspondre");
        let file = m
            .file
            .file_name()
            .map_or_else(|| m.file.display().to_string(), |n| n.to_string_lossy().to_string());
        ui.label(format!(
            "{file} ({}) : certaines colonnes attendues n'ont pas été trouvées. Choisissez, pour chacune, la colonne du fichier qui la contient. Le choix est retenu pour les prochains fichiers de ce type.",
            m.kind.file_label()
        ));
        ui.add_space(theme::GAP);
        egui::Grid::new("mapping-grid")
            .num_columns(2)
            .spacing([theme::SECTION_GAP, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Colonne attendue").color(theme::MUTED));
                ui.label(RichText::new("Colonne du fichier").color(theme::MUTED));
                ui.end_row();
                for (i, ((expected, required), choice)) in
                    m.missing.iter().zip(m.choices.iter_mut()).enumerate()
                {
                    let mut text = RichText::new(expected).strong();
                    if *required && choice.is_none() {
                        text = text.color(theme::BAD);
                    }
                    let label = ui.label(text);
                    let shown = choice.clone().unwrap_or_else(|| {
                        if *required {
                            "(à choisir)".to_string()
                        } else {
                            "(absente)".to_string()
                        }
                    });
                    egui::ComboBox::from_id_salt(("mapping", i))
                        .selected_text(shown)
                        .width(260.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(choice, None, "(absente)");
                            for f in &m.found {
                                ui.selectable_value(choice, Some(f.clone()), f);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
        ui.add_space(theme::GAP);
        ui.collapsing("Message de l'import", |ui| {
            ui.label(
                RichText::new(i18n::errors::missing_columns(&m.cause))
                    .small()
                    .color(theme::MUTED),
            );
        });
        ui.horizontal(|ui| {
            if ui
                .add_enabled(m.complete(), egui::Button::new(RichText::new("Importer avec ces colonnes").strong()))
                .clicked()
            {
                out.push(Command::ApplyMapping);
            }
            if ui.button("Fermer").clicked() {
                out.push(Command::CloseMapping);
            }
        });
    });
    if modal.should_close() && !out.contains(&Command::CloseMapping) {
        out.push(Command::CloseMapping);
    }
}
