//! The review's dialogs, keyboard first: the comment of a name (Ctrl+Entrée
//! saves, Échap asks before discarding a change), the manual search of the
//! referential (pre-filled with the normalised name, typo-tolerant; ↓/↑
//! move through the results, Espace checks one — several substances make
//! an association —, Entrée validates with the checked ones or the one
//! under the cursor) and the sheet of keyboard shortcuts (F1 or ?).

use eframe::egui::{self, Key, Modifiers, RichText};

use super::super::command::Command;
use super::super::theme;
use crate::model::linking::TargetLevel;
use crate::review::SearchHit;
use crate::ui::i18n;

/// Every shortcut, as the sheet lists it: (keys, what they do).
pub const SHORTCUTS: [(&str, &str); 21] = [
    ("Bas / Haut", "nom suivant / précédent"),
    ("Pg Suiv / Pg Préc", "20 noms plus loin / plus haut"),
    ("1 – 9", "choisir le candidat de ce rang"),
    ("Entrée", "valider (le candidat choisi, sinon le premier)"),
    ("R", "rejeter : aucun lien"),
    ("D", "reporter"),
    ("C", "commenter (Ctrl+Entrée enregistre)"),
    ("M", "recherche manuelle dans le référentiel"),
    ("/", "rechercher dans la file"),
    ("Maj+Bas / Maj+Haut", "étendre la sélection"),
    (
        "Ctrl+clic / Maj+clic",
        "ajouter un nom / une plage à la sélection",
    ),
    ("Ctrl+A", "sélectionner toute la file filtrée"),
    (
        "Entrée, R, D sur une sélection",
        "valider (candidat 1), rejeter ou reporter chaque nom, en une étape",
    ),
    (
        "Entrée après une validation",
        "appliquer aussi aux noms identiques proposés",
    ),
    ("Échap", "fermer un dialogue, l'offre ou la sélection"),
    (
        "Ctrl+Z",
        "annuler la dernière étape (une sélection : en une fois)",
    ),
    ("Ctrl+Maj+Z / Ctrl+Y", "rétablir"),
    (
        "Recherche manuelle : Bas / Haut",
        "parcourir les résultats, Espace coche, Entrée valide",
    ),
    (
        "Indicateurs : Bas / Haut, Entrée",
        "parcourir et afficher les substances",
    ),
    ("F1 ou ?", "cette aide"),
    ("Ctrl+Q", "quitter"),
];

/// The sheet of keyboard shortcuts.
pub fn shortcuts_ui(ui: &mut egui::Ui, out: &mut Vec<Command>) {
    ui.set_max_width(620.0);
    ui.heading("Raccourcis clavier");
    ui.add_space(theme::GAP);
    egui::Grid::new("shortcuts")
        .num_columns(2)
        .striped(true)
        .spacing([theme::SECTION_GAP, 4.0])
        .show(ui, |ui| {
            for (keys, what) in SHORTCUTS {
                ui.label(RichText::new(keys).monospace().strong());
                ui.label(what);
                ui.end_row();
            }
        });
    ui.add_space(theme::GAP);
    if ui.button("Fermer (Échap)").clicked() {
        out.push(Command::CloseDialog);
    }
}

/// The comment dialog; `confirm_discard`: Échap was pressed on a changed
/// text, the dialog asks before dropping it.
pub fn comment_ui(
    ui: &mut egui::Ui,
    text: &mut String,
    original: &str,
    confirm_discard: bool,
    out: &mut Vec<Command>,
) {
    ui.set_width(460.0);
    ui.heading("Commentaire");
    // Read before the text box, which would type a line break.
    let save = ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    if save && !text.trim().is_empty() {
        out.push(Command::SaveComment);
    }
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
    if confirm_discard && text.as_str() != original {
        ui.label(
            RichText::new("Abandonner le texte saisi ? Échap à nouveau pour l'abandonner.")
                .color(theme::BAD),
        );
    } else {
        ui.label(
            RichText::new("Ctrl+Entrée : enregistrer · Échap : fermer")
                .small()
                .color(theme::MUTED),
        );
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!text.trim().is_empty(), egui::Button::new("Enregistrer"))
            .on_hover_text("Ctrl+Entrée")
            .clicked()
        {
            out.push(Command::SaveComment);
        }
        let close = if confirm_discard {
            "Abandonner"
        } else {
            "Fermer (Échap)"
        };
        if ui.button(close).clicked() {
            out.push(Command::CloseDialog);
        }
    });
}

/// The manual search of the referential.
#[allow(clippy::too_many_arguments)]
pub fn search_ui(
    ui: &mut egui::Ui,
    text: &mut String,
    level: &mut Option<TargetLevel>,
    hits: &[SearchHit],
    checked: &mut [bool],
    focus: &mut bool,
    cursor: usize,
    out: &mut Vec<Command>,
) {
    ui.set_width(640.0);
    ui.heading("Recherche dans le référentiel");
    // The keys are read before the text field, which would take ↓/↑ and
    // Entrée for itself; Espace checks only when the field is left.
    let typing = ui.ctx().text_edit_focused();
    let mut leave_field = false;
    ui.input_mut(|i| {
        if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
            if typing {
                leave_field = true;
            } else {
                out.push(Command::MoveSearchCursor(1));
            }
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
            out.push(Command::MoveSearchCursor(-1));
        }
        if i.consume_key(Modifiers::NONE, Key::Enter) && !hits.is_empty() {
            out.push(Command::ApproveTargets);
        }
        if !typing && i.consume_key(Modifiers::NONE, Key::Space) {
            out.push(Command::ToggleSearchHit);
        }
    });
    let label = ui.label("Nom, ancien nom ou code (spécialité, produit, substance)");
    let edit = ui
        .add(egui::TextEdit::singleline(text).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    if *focus {
        edit.request_focus();
        *focus = false;
    }
    if leave_field {
        edit.surrender_focus();
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
                .radio_value(level, Some(l), i18n::target_level(l))
                .changed();
        }
    });
    if rerun {
        out.push(Command::RunManualSearch);
    }
    ui.label(
        RichText::new(
            "Fautes de frappe tolérées · Bas/Haut : parcourir · Espace : cocher (plusieurs substances pour une association) · \
             Entrée : valider avec les cibles cochées, sinon celle en surbrillance",
        )
        .small()
        .color(theme::MUTED),
    );
    // Scrolled to the cursor when it moves, not every frame.
    let last_id = ui.scope_id().with("search-cursor-shown");
    let moved = ui.data(|d| d.get_temp::<usize>(last_id)) != Some(cursor);
    ui.data_mut(|d| d.insert_temp(last_id, cursor));
    egui::ScrollArea::vertical()
        .id_salt("search-hits")
        .min_scrolled_height(320.0)
        .max_height(320.0)
        .auto_shrink(false)
        .show(ui, |ui| {
            if hits.is_empty() {
                ui.label(RichText::new("Aucun résultat.").color(theme::MUTED));
            }
            for (i, (hit, check)) in hits.iter().zip(checked.iter_mut()).enumerate() {
                let here = i == cursor;
                let frame = egui::Frame::new()
                    .fill(if here {
                        theme::PICKED_FILL
                    } else {
                        egui::Color32::TRANSPARENT
                    })
                    .inner_margin(2.0);
                let shown = frame.show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.checkbox(
                        check,
                        format!(
                            "{} {} — {}",
                            i18n::target_level(hit.level),
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
                });
                if here && moved {
                    shown.response.scroll_to_me(None);
                }
            }
        });
    ui.add_space(theme::GAP);
    let n = checked.iter().filter(|c| **c).count();
    ui.horizontal(|ui| {
        let text = if n > 0 {
            format!("Valider avec la sélection ({n})")
        } else {
            "Valider avec la cible en surbrillance (Entrée)".to_string()
        };
        if ui
            .add_enabled(
                !hits.is_empty(),
                egui::Button::new(RichText::new(text).strong()),
            )
            .clicked()
        {
            out.push(Command::ApproveTargets);
        }
        if ui.button("Fermer (Échap)").clicked() {
            out.push(Command::CloseDialog);
        }
    });
}
