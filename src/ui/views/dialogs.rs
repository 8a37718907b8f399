//! The modal dialogs: the comment of a name, the reviewer's name, the
//! manual search of the referential (one target, or several substances),
//! the confirmation of "apply to identical normalised names" (saying how
//! many names it touches), and the column mapping of a file whose expected
//! columns were not all found. Escape closes them (handled by the app).

use eframe::egui;
use egui::{Id, RichText};

use super::super::app::{Dialog, Workspace};
use super::super::command::Command;
use super::super::model::MappingRequest;
use super::super::theme;
use super::{fmt_int, target_level_label};
use crate::model::linking::TargetLevel;

/// Draws the open dialog, if any.
pub fn dialogs_ui(
    ctx: &egui::Context,
    dialog: &mut Option<Dialog>,
    mapping: &mut Option<MappingRequest>,
    ws: Option<&Workspace>,
    out: &mut Vec<Command>,
) {
    if let Some(m) = mapping {
        mapping_ui(ctx, m, out);
        return;
    }
    let Some(d) = dialog else { return };
    let modal = egui::Modal::new(Id::unique("dialog")).show(ctx, |ui| match d {
        Dialog::Comment { text } => comment_ui(ui, text, out),
        Dialog::Settings { reviewer } => settings_ui(ui, reviewer, out),
        Dialog::ManualSearch {
            text,
            level,
            hits,
            checked,
            focus,
        } => search_ui(ui, text, level, hits, checked, focus, out),
        Dialog::Identical(p) => {
            ui.set_max_width(560.0);
            ui.heading("Appliquer aux noms identiques");
            let what = match &p.source.target {
                Some(t) => format!("{} : {}", p.source.status.label(), t.name),
                None => p.source.status.label().to_string(),
            };
            ui.label(format!(
                "La décision « {what} » prise sur « {} » s'appliquera à {} nom(s) ({} niveau(x), {} observations) \
                 identiques une fois normalisés, que personne n'a revus :",
                p.source.name,
                p.names.len(),
                p.keys,
                fmt_int(p.observations)
            ));
            for n in p.names.iter().take(12) {
                ui.label(format!("• {} ({}, {} obs.)", n.name, n.level.label(), n.n_obs));
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
    let _ = ws;
}

fn comment_ui(ui: &mut egui::Ui, text: &mut String, out: &mut Vec<Command>) {
    ui.set_width(460.0);
    ui.heading("Commentaire");
    let label = ui.label("Commentaire sur ce nom (gardé dans l'historique)");
    let edit = ui
        .add(
            egui::TextEdit::multiline(text)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    if ui.memory(|m| m.focused().is_none()) {
        edit.request_focus();
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!text.trim().is_empty(), egui::Button::new("Enregistrer"))
            .clicked()
        {
            out.push(Command::SaveComment);
        }
        if ui.button("Fermer").clicked() {
            out.push(Command::CloseDialog);
        }
    });
}

fn settings_ui(ui: &mut egui::Ui, reviewer: &mut String, out: &mut Vec<Command>) {
    ui.set_width(380.0);
    ui.heading("Réglages");
    let label = ui.label("Relecteur (auteur des décisions)");
    let edit = ui
        .add(egui::TextEdit::singleline(reviewer))
        .labelled_by(label.id);
    if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        out.push(Command::SaveSettings);
    }
    ui.label(
        RichText::new("Vide : l'utilisateur du système.")
            .small()
            .color(theme::MUTED),
    );
    ui.horizontal(|ui| {
        if ui.button("Enregistrer").clicked() {
            out.push(Command::SaveSettings);
        }
        if ui.button("Fermer").clicked() {
            out.push(Command::CloseDialog);
        }
    });
}

fn search_ui(
    ui: &mut egui::Ui,
    text: &mut String,
    level: &mut Option<TargetLevel>,
    hits: &[crate::review::SearchHit],
    checked: &mut [bool],
    focus: &mut bool,
    out: &mut Vec<Command>,
) {
    ui.set_width(640.0);
    ui.heading("Recherche dans le référentiel");
    let label = ui.label("Nom, ancien nom ou code (spécialité, produit, substance)");
    let edit = ui
        .add(egui::TextEdit::singleline(text).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    if *focus {
        edit.request_focus();
        *focus = false;
    }
    let mut rerun = edit.changed();
    ui.horizontal(|ui| {
        rerun |= ui.radio_value(level, None, "Tous").changed();
        for l in [
            TargetLevel::Specialite,
            TargetLevel::Produit,
            TargetLevel::Substance,
        ] {
            rerun |= ui
                .radio_value(level, Some(l), target_level_label(l))
                .changed();
        }
    });
    if rerun {
        out.push(Command::RunManualSearch);
    }
    ui.label(
        RichText::new("Cochez une cible, ou plusieurs substances pour une association.")
            .small()
            .color(theme::MUTED),
    );
    egui::ScrollArea::vertical()
        .id_salt("search-hits")
        .min_scrolled_height(360.0)
        .max_height(360.0)
        .auto_shrink(false)
        .show(ui, |ui| {
            if hits.is_empty() {
                ui.label(RichText::new("Aucun résultat.").color(theme::MUTED));
            }
            for (hit, check) in hits.iter().zip(checked.iter_mut()) {
                ui.checkbox(
                    check,
                    format!(
                        "{} {} — {}",
                        target_level_label(hit.level),
                        hit.code,
                        hit.name
                    ),
                );
                let subs: Vec<String> = hit
                    .substance_codes
                    .iter()
                    .zip(&hit.substance_names)
                    .map(|(c, n)| format!("{c} {n}"))
                    .collect();
                ui.label(
                    RichText::new(format!("      {}", subs.join(" + ")))
                        .small()
                        .color(theme::MUTED),
                );
            }
        });
    ui.add_space(theme::GAP);
    let n = checked.iter().filter(|c| **c).count();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                n > 0,
                egui::Button::new(
                    RichText::new(format!("Valider avec la sélection ({n})")).strong(),
                ),
            )
            .clicked()
        {
            out.push(Command::ApproveTargets);
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
            ui.label(RichText::new(&m.message).small().color(theme::MUTED));
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
