//! The review queue, keyboard first: on the left the names still to decide
//! (sorted by observations, score or name; filtered by level, method, score
//! band and text), drawn row by row only where visible so that 20,000 names
//! scroll fluidly; on the right the selected name — typed text, level,
//! observations and cases — with its ranked candidates: score bar, rule,
//! explanation, the substances each brings, and a character diff of the
//! candidate against the typed name. The shortcuts are written on the
//! buttons that do the same.
//! This file draws the detail's frame, header, actions and history;
//! [`queue`] the queue with its filters, [`candidates`] the candidate
//! cards.

mod candidates;
mod queue;

use eframe::egui;
use egui::{Color32, RichText};

use super::super::command::Command;
use super::super::session::{IdenticalOffer, ReviewState, Workspace};
use super::super::state::QueueFilter;
use super::super::theme;
use super::super::wording;
use crate::model::linking::MatchStatus;
use crate::model::reason::Reason;
use crate::review::{AuditEntry, DecisionStatus, QueueItem};
use crate::ui::i18n;

/// The review view.
pub fn review_ui(
    ui: &mut egui::Ui,
    filter: &mut QueueFilter,
    st: &mut ReviewState,
    ws: &Workspace,
    out: &mut Vec<Command>,
) {
    // On a small window the queue takes at most two fifths of the width:
    // the candidates need the rest.
    let width = theme::QUEUE_WIDTH.min(ui.available_width() * 0.4);
    egui::Panel::left("queue")
        .resizable(true)
        .default_size(width)
        .min_size(320.0)
        .show(ui, |ui| {
            queue::queue_ui(ui, filter, st, ws, out);
        });
    egui::CentralPanel::default().show(ui, |ui| {
        detail_ui(ui, st, ws, out);
    });
}

fn detail_ui(ui: &mut egui::Ui, st: &ReviewState, ws: &Workspace, out: &mut Vec<Command>) {
    let Some(item) = st.current() else {
        ui.add_space(theme::GAP);
        // The last name of a filtered queue validated: its offer still
        // shows.
        if let Some(offer) = &st.offer {
            offer_ui(ui, offer, out);
        }
        ui.add_space(theme::SECTION_GAP);
        ui.heading("Aucun nom à revoir");
        ui.label(
            RichText::new("La file est vide avec ces filtres. Ctrl+Z annule la dernière décision.")
                .color(theme::MUTED),
        );
        undo_buttons_ui(ui, st, out);
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("detail")
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.add_space(theme::GAP);
            if let Some(offer) = &st.offer {
                offer_ui(ui, offer, out);
                ui.add_space(theme::GAP);
            }
            if !st.marked.is_empty() {
                bulk_ui(ui, st, out);
                ui.add_space(theme::GAP);
            }
            name_header_ui(ui, item);
            ui.add_space(theme::GAP);
            actions_ui(ui, st, out);
            ui.add_space(theme::SECTION_GAP);
            match &st.detail {
                Some(detail) => {
                    candidates::candidates_ui(ui, item, detail, st.rank_to_approve(), ws, out);
                    ui.add_space(theme::SECTION_GAP);
                    history_ui(ui, &detail.history);
                }
                None => {
                    ui.label(RichText::new("Lecture des candidats impossible").color(theme::BAD));
                }
            }
        });
}

fn name_header_ui(ui: &mut egui::Ui, item: &QueueItem) {
    ui.label(RichText::new(&item.name.name).size(22.0).strong());
    ui.horizontal_wrapped(|ui| {
        fact_ui(ui, "Niveau", i18n::level(item.name.level));
        fact_ui(ui, "Observations", &i18n::int(item.name.n_obs));
        fact_ui(ui, "Cas", &i18n::int(item.name.n_cases));
        fact_ui(ui, "Méthode", &i18n::method(&item.method));
        fact_ui(ui, "Score", &i18n::score(item.score));
        fact_ui(ui, "Statut", i18n::match_status(item.status));
    });
    if let Some(reason) = item.reason.as_ref().filter(|r| **r != Reason::Sure) {
        let what = match item.status {
            MatchStatus::Unmatched => "Pourquoi non lié",
            _ => "Pourquoi en attente",
        };
        ui.label(
            RichText::new(format!("{what} : {}", wording::reason_fr(reason)))
                .strong()
                .color(theme::WAIT),
        );
    }
    ui.label(
        RichText::new(format!("normalisé : {}", item.name.normalized))
            .monospace()
            .color(theme::MUTED),
    );
    if let Some(d) = &item.decision {
        let text = if item.flagged {
            format!(
                "Validé par {} le {}, mais sa cible a quitté le référentiel : à revoir",
                d.author,
                i18n::date_time(&d.decided_at)
            )
        } else {
            format!(
                "{} par {} le {}",
                i18n::decision_status(d.status),
                d.author,
                i18n::date_time(&d.decided_at)
            )
        };
        let color = if item.flagged {
            theme::BAD
        } else {
            theme::WAIT
        };
        ui.label(RichText::new(text).color(color));
        if let Some(c) = &d.comment {
            ui.label(RichText::new(format!("« {c} »")).italics());
        }
    }
}

fn fact_ui(ui: &mut egui::Ui, what: &str, value: &str) {
    ui.label(RichText::new(format!("{what} :")).color(theme::MUTED));
    ui.label(RichText::new(value).strong());
    ui.add_space(theme::GAP);
}

/// The inline offer after a validation: the same decision for the
/// identical names (Entrée accepts, Échap closes).
fn offer_ui(ui: &mut egui::Ui, offer: &IdenticalOffer, out: &mut Vec<Command>) {
    let whom = if offer.names == 1 {
        "au nom identique".to_string()
    } else {
        format!("aux {} noms identiques", i18n::int(offer.names as i64))
    };
    banner(ui, |ui| {
        ui.label(
            RichText::new(format!(
                "« {} » validé. Appliquer aussi {whom} ({}) ?",
                offer.name,
                i18n::count(offer.observations, "observation", "observations"),
            ))
            .strong(),
        );
        ui.horizontal_wrapped(|ui| {
            let apply = egui::Button::new(
                RichText::new(format!("Appliquer aussi {whom} (Entrée)")).color(Color32::WHITE),
            )
            .fill(theme::GOOD);
            if ui
                .add(apply)
                .on_hover_text(
                    "Même nom une fois normalisé, à d'autres niveaux, que personne n'a revu",
                )
                .clicked()
            {
                out.push(Command::AcceptIdenticalOffer);
            }
            if ui.button("Non merci (Échap)").clicked() {
                out.push(Command::DismissOffer);
            }
        });
    });
}

/// What acts on the marked names.
fn bulk_ui(ui: &mut egui::Ui, st: &ReviewState, out: &mut Vec<Command>) {
    banner(ui, |ui| {
        ui.label(
            RichText::new(format!(
                "{} ({})",
                i18n::count(
                    st.marked.len() as i64,
                    "nom sélectionné",
                    "noms sélectionnés"
                ),
                i18n::count(st.marked_observations, "observation", "observations"),
            ))
            .strong(),
        );
        ui.horizontal_wrapped(|ui| {
            let approve = egui::Button::new(
                RichText::new("Valider la sélection (candidat 1)").color(Color32::WHITE),
            )
            .fill(theme::GOOD);
            if ui
                .add(approve)
                .on_hover_text("Chaque nom est lié à son premier candidat (Entrée)")
                .clicked()
            {
                out.push(Command::Approve);
            }
            if ui
                .button("Rejeter la sélection")
                .on_hover_text("R")
                .clicked()
            {
                out.push(Command::Reject);
            }
            if ui.button("Reporter").on_hover_text("D").clicked() {
                out.push(Command::Defer);
            }
            if ui.button("Désélectionner (Échap)").clicked() {
                out.push(Command::ClearMarks);
            }
        });
        ui.label(
            RichText::new("Une entrée d'historique par nom ; Ctrl+Z annule le lot en une fois.")
                .small()
                .color(theme::MUTED),
        );
    });
}

fn banner(ui: &mut egui::Ui, content: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(theme::PICKED_FILL)
        .stroke(egui::Stroke::new(1.0, theme::ACCENT))
        .corner_radius(theme::RADIUS)
        .inner_margin(theme::GAP)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            content(ui);
        });
}

fn actions_ui(ui: &mut egui::Ui, st: &ReviewState, out: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let approve = egui::Button::new(
            RichText::new("Valider (Entrée)")
                .strong()
                .color(Color32::WHITE),
        )
        .fill(theme::GOOD);
        if ui
            .add_enabled(st.rank_to_approve().is_some(), approve)
            .on_hover_text(
                "Lie le nom au candidat choisi (1–9), ou au premier, puis passe au suivant",
            )
            .clicked()
        {
            out.push(Command::Approve);
        }
        if ui
            .button("Rejeter (R)")
            .on_hover_text("Aucun lien : le nom ne désigne aucun médicament du référentiel")
            .clicked()
        {
            out.push(Command::Reject);
        }
        if ui
            .button("Reporter (D)")
            .on_hover_text("Met le nom de côté ; il quitte la file jusqu'à décision")
            .clicked()
        {
            out.push(Command::Defer);
        }
        if ui.button("Commenter (C)").clicked() {
            out.push(Command::OpenComment);
        }
        if ui
            .button("Rechercher (M)")
            .on_hover_text(
                "Recherche manuelle : n'importe quelle spécialité, produit ou substance du référentiel",
            )
            .clicked()
        {
            out.push(Command::OpenManualSearch);
        }
        ui.menu_button("Plus…", |ui| {
            if ui
                .button("Appliquer aux noms identiques…")
                .on_hover_text(
                    "Applique la décision de ce nom aux noms identiques une fois normalisés, \
                     à d'autres niveaux, que personne n'a revus",
                )
                .clicked()
            {
                out.push(Command::PreviewIdentical);
            }
            undo_buttons_ui(ui, st, out);
        });
    });
    ui.label(
        RichText::new(
            "Bas/Haut : nom suivant/précédent · 1–9 : candidat · Maj+Bas, Ctrl+clic : sélection · \
             F1 : tous les raccourcis",
        )
        .small()
        .color(theme::MUTED),
    );
}

fn undo_buttons_ui(ui: &mut egui::Ui, st: &ReviewState, out: &mut Vec<Command>) {
    if ui
        .add_enabled(st.undo.undo > 0, egui::Button::new("Annuler (Ctrl+Z)"))
        .clicked()
    {
        out.push(Command::Undo);
    }
    if ui
        .add_enabled(st.undo.redo > 0, egui::Button::new("Rétablir (Ctrl+Maj+Z)"))
        .clicked()
    {
        out.push(Command::Redo);
    }
}

fn history_ui(ui: &mut egui::Ui, history: &[AuditEntry]) {
    egui::CollapsingHeader::new(format!("Historique ({})", history.len()))
        .id_salt("review-history")
        .default_open(!history.is_empty())
        .show(ui, |ui| {
            if history.is_empty() {
                ui.label(RichText::new("Aucune décision sur ce nom.").color(theme::MUTED));
            }
            history_rows_ui(ui, history, None);
        });
}

/// Audit entries, one per line; with `revert`, a button to restore the
/// state before each entry that changed the decision.
pub fn history_rows_ui(
    ui: &mut egui::Ui,
    history: &[AuditEntry],
    mut revert: Option<&mut Vec<Command>>,
) {
    for e in history.iter().rev() {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!("#{}", e.id))
                    .monospace()
                    .color(theme::MUTED),
            );
            ui.label(i18n::date_time(&e.at));
            ui.label(RichText::new(&e.author).strong());
            let after = e.after.as_ref().map_or("aucune décision".to_string(), |d| {
                match (&d.status, &d.target) {
                    (DecisionStatus::Approved, Some(t)) => format!("Validé : {}", t.name),
                    (s, _) => i18n::decision_status(*s).to_string(),
                }
            });
            ui.label(RichText::new(action_label(e)).color(theme::ACCENT));
            ui.label(after);
            if e.name != e.key.normalized {
                ui.label(RichText::new(format!("(sur « {} »)", e.name)).color(theme::MUTED));
            }
            if let Some(c) = &e.comment {
                ui.label(RichText::new(format!("« {c} »")).italics());
            }
            if let Some(out) = revert.as_deref_mut()
                && e.before != e.after
                && ui
                    .small_button(format!("Revenir avant #{}", e.id))
                    .on_hover_text(
                        "Restaure la décision d'avant cette entrée (nouvelle entrée d'historique)",
                    )
                    .clicked()
            {
                out.push(Command::Revert(e.id));
            }
        });
    }
}

fn action_label(e: &AuditEntry) -> &'static str {
    use crate::review::AuditAction as A;
    match e.action {
        A::Approve => "validation",
        A::Reject => "rejet",
        A::Defer => "report",
        A::Comment => "commentaire",
        A::Import => "import",
        A::Reused => "reprise",
        A::Revert => "retour arrière",
        A::Undo => "annulation",
        A::Redo => "rétablissement",
    }
}
