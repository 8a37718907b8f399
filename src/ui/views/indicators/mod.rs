//! The "Indicateurs" view: the ORDEI indicators of one substance as the
//! portal will publish them (masked) and as the agency sees them (internal),
//! side by side — each chart pairs the published bar with the true one, and
//! the cells the portal hides are listed with both figures and the reason —
//! over a year range, with what each pending name would add if approved.
//! This file draws the picker, the header and the pending impact;
//! [`charts`] draws the charts and the hidden cells. The state and its
//! worker live in [`crate::ui::session::indicators`].

mod charts;

use eframe::egui::{self, AtomExt, RichText};

use crate::indicators::PendingImpact;
use crate::indicators::disclosure::Shown;
use crate::ui::command::Command;
use crate::ui::i18n;
use crate::ui::session::indicators::Trouble;
use crate::ui::session::{Figures, IndicatorsState};
use crate::ui::theme;

/// The whole view: the picker on the left, the charts in the middle.
pub fn indicators_ui(ui: &mut egui::Ui, st: &mut IndicatorsState, out: &mut Vec<Command>) {
    egui::Panel::left("indicators-picker")
        .resizable(true)
        .default_size(theme::PICKER_WIDTH)
        .show(ui, |ui| picker_ui(ui, st, out));
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("indicators-charts")
            .show(ui, |ui| charts::charts_ui(ui, st, out));
    });
}

/// Why the view has no fresh figures, in French.
fn trouble_text(trouble: &Trouble) -> String {
    match trouble {
        Trouble::Failed(e) => i18n::error(e),
        Trouble::WorkerStopped => {
            "Le calcul des indicateurs s'est arrêté : rouvrez l'espace de travail".to_string()
        }
    }
}

/// Search, year range and the substance list.
fn picker_ui(ui: &mut egui::Ui, st: &mut IndicatorsState, out: &mut Vec<Command>) {
    ui.add_space(theme::GAP);
    ui.heading("Indicateurs");
    ui.add_space(theme::GAP);
    let label = ui.label("Substance (nom ou code)");
    let search = ui
        .add(
            egui::TextEdit::singleline(&mut st.search)
                .hint_text("PARACETAMOL, 02202…")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    if search.changed() {
        st.refilter();
    }
    // Entrée in the search shows the first substance found; ↓/↑ then go
    // through the list (read by the app's keyboard).
    if search.lost_focus()
        && ui.input(|i| i.key_pressed(egui::Key::Enter))
        && let Some(s) = st.filtered.first().and_then(|&i| st.substances.get(i))
    {
        out.push(Command::PickSubstance(s.code.clone()));
    }
    // Until the first computation says which years the cases span, no
    // range is offered: a made-up one would read as the data's.
    let Some(bounds) = st.bounds.or(st.years) else {
        ui.label(RichText::new("Lecture des cas et des substances…").color(theme::MUTED));
        if let Some(e) = &st.error {
            ui.colored_label(theme::BAD, trouble_text(e));
        }
        return;
    };
    ui.horizontal(|ui| {
        let (lo, hi) = (bounds.from, bounds.to);
        let mut from = st.from.or(st.years.map(|y| y.from)).unwrap_or(lo);
        let mut to = st.to.or(st.years.map(|y| y.to)).unwrap_or(hi);
        let from_label = ui.label("Années de");
        let a = ui
            .add(egui::DragValue::new(&mut from).range(lo..=hi))
            .labelled_by(from_label.id);
        let to_label = ui.label("à");
        let b = ui
            .add(egui::DragValue::new(&mut to).range(lo..=hi))
            .labelled_by(to_label.id);
        if (a.changed() || b.changed()) && from <= to {
            st.from = Some(from);
            st.to = Some(to);
            out.push(Command::RecomputeIndicators);
        }
    });
    if let Some(e) = &st.error {
        ui.colored_label(theme::BAD, trouble_text(e));
    }
    ui.label(
        RichText::new(format!(
            "{} — comptes de 1 à {} masqués au portail",
            i18n::count(st.filtered.len() as i64, "substance", "substances"),
            st.rule.threshold,
        ))
        .small()
        .color(theme::MUTED),
    );
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("indicators-substances")
        .auto_shrink([false, false])
        .show_rows(ui, theme::ROW_HEIGHT, st.filtered.len(), |ui, rows| {
            for i in rows {
                let Some(s) = st.filtered.get(i).and_then(|&i| st.substances.get(i)) else {
                    continue;
                };
                let picked = st.selected.as_deref() == Some(s.code.as_str());
                let cases = match (st.figures, s.cases_shown) {
                    (Figures::Both, Shown::Hidden(_)) => {
                        format!("{} (interne {} cas)", i18n::MASKED, i18n::int(s.cases))
                    }
                    (Figures::Published, Shown::Hidden(_)) => i18n::MASKED.to_string(),
                    (figures, shown) => {
                        format!("{} cas", shown_text(s.cases, shown, figures))
                    }
                };
                // One line a row, as show_rows counts them: a long name is
                // cut (whole on hover), the cases stay right-aligned.
                let name = format!("{} {}", s.code, s.name);
                let row = ui.add(
                    egui::Button::selectable(
                        picked,
                        (
                            RichText::new(name.as_str()).atom_shrink(true),
                            egui::Atom::grow(),
                            RichText::new(cases).color(theme::MUTED),
                        ),
                    )
                    .truncate()
                    .min_size(egui::vec2(ui.available_width(), 0.0)),
                );
                if row.on_hover_text(name).clicked() {
                    out.push(Command::PickSubstance(s.code.clone()));
                }
            }
        });
}

/// What the portal gets of a count, in words: the count, or "masqué".
pub(super) fn published_text(shown: Shown) -> String {
    match shown {
        Shown::Value(v) => i18n::int(v),
        Shown::Hidden(_) => i18n::MASKED.to_string(),
    }
}

/// The text of a count in the chosen figures (with both, the published
/// one: the true one is written beside it where it differs).
pub(super) fn shown_text(count: i64, shown: Shown, figures: Figures) -> String {
    match figures {
        Figures::Internal => i18n::int(count),
        _ => published_text(shown),
    }
}

/// The "Impact des noms en attente" panel.
pub(super) fn impact_ui(ui: &mut egui::Ui, impact: &[PendingImpact]) {
    ui.label(RichText::new("Impact des noms en attente").strong());
    if impact.is_empty() {
        ui.label(
            RichText::new("Aucun nom en attente ne propose cette substance").color(theme::MUTED),
        );
        return;
    }
    ui.label(
        RichText::new(
            "Cas que chaque nom ajouterait s'il était validé (les impacts peuvent se recouvrir)",
        )
        .small()
        .color(theme::MUTED),
    );
    egui::Grid::new("pending-impact")
        .num_columns(3)
        .striped(true)
        .spacing([theme::SECTION_GAP, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Nom saisi").strong());
            ui.label(RichText::new("Niveau").strong());
            ui.label(RichText::new("Cas ajoutés").strong());
            ui.end_row();
            for p in impact {
                ui.label(&p.name);
                ui.label(i18n::level(p.level));
                ui.label(format!("+{}", i18n::int(p.added_cases)));
                ui.end_row();
            }
        });
}
