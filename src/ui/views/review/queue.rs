//! The review queue: its count line, its filters (search, sort, level,
//! method, score band, deferred and unmatched names) and its table, drawn
//! row by row only where visible.

use eframe::egui;
use egui::{Align, Layout, RichText, Sense};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::super::super::command::Command;
use super::super::super::session::{ReviewState, Workspace};
use super::super::super::state::{QueueFilter, ScoreBand, SortChoice};
use super::super::super::theme;
use crate::model::Level;
use crate::ui::i18n;

pub(super) fn queue_ui(
    ui: &mut egui::Ui,
    filter: &mut QueueFilter,
    st: &mut ReviewState,
    ws: &Workspace,
    out: &mut Vec<Command>,
) {
    ui.add_space(theme::GAP);
    ui.heading("File de revue");
    ui.label(
        RichText::new(format!(
            "{} à revoir · {} · {} à revoir au total",
            i18n::count(st.queue.len() as i64, "nom", "noms"),
            i18n::count(st.observations, "observation", "observations"),
            i18n::int(ws.snap.progress.names_to_review)
        ))
        .color(theme::MUTED),
    );
    if !st.marked.is_empty() {
        ui.label(
            RichText::new(format!(
                "{} · {} — Entrée, R ou D pour tous, Échap pour désélectionner",
                i18n::count(
                    st.marked.len() as i64,
                    "nom sélectionné",
                    "noms sélectionnés"
                ),
                i18n::count(st.marked_observations, "observation", "observations")
            ))
            .strong()
            .color(theme::ACCENT),
        );
    }
    ui.add_space(theme::GAP);
    let mut changed = false;
    egui::Grid::new("queue-filters")
        .num_columns(2)
        .spacing([theme::GAP, 4.0])
        .show(ui, |ui| {
            let label = ui.label("Recherche");
            let search = ui.add(
                egui::TextEdit::singleline(&mut filter.text)
                    .hint_text("nom saisi  ( / )")
                    .desired_width(f32::INFINITY),
            );
            let search = search.labelled_by(label.id);
            if st.focus_search {
                search.request_focus();
                st.focus_search = false;
            }
            changed |= search.changed();
            ui.end_row();

            ui.label("Tri");
            egui::ComboBox::from_id_salt("queue-sort")
                .selected_text(i18n::sort_choice(filter.sort))
                .show_ui(ui, |ui| {
                    for s in SortChoice::ALL {
                        changed |= ui
                            .selectable_value(&mut filter.sort, s, i18n::sort_choice(s))
                            .changed();
                    }
                })
                .response
                .on_hover_text("Tri de la file");
            ui.end_row();

            ui.label("Niveau");
            let current = filter
                .level
                .as_deref()
                .map_or("Tous", |l| i18n::level(Level::parse(l)));
            egui::ComboBox::from_id_salt("queue-level")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut filter.level, None, "Tous")
                        .changed();
                    for l in Level::ALL {
                        changed |= ui
                            .selectable_value(
                                &mut filter.level,
                                Some(l.as_str().to_string()),
                                l.label(),
                            )
                            .changed();
                    }
                })
                .response
                .on_hover_text("Niveau de saisie");
            ui.end_row();

            ui.label("Méthode");
            egui::ComboBox::from_id_salt("queue-method")
                .selected_text(
                    filter
                        .method
                        .as_deref()
                        .map_or("Toutes".to_string(), i18n::method),
                )
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut filter.method, None, "Toutes")
                        .changed();
                    for m in &ws.snap.methods {
                        changed |= ui
                            .selectable_value(&mut filter.method, Some(m.clone()), i18n::method(m))
                            .changed();
                    }
                })
                .response
                .on_hover_text("Règle d'appariement");
            ui.end_row();

            ui.label("Score");
            egui::ComboBox::from_id_salt("queue-band")
                .selected_text(filter.band.map_or("Tous", i18n::score_band))
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut filter.band, None, "Tous")
                        .changed();
                    for b in ScoreBand::ALL {
                        changed |= ui
                            .selectable_value(&mut filter.band, Some(b), i18n::score_band(b))
                            .changed();
                    }
                })
                .response
                .on_hover_text("Tranche de score");
            ui.end_row();
        });
    ui.horizontal(|ui| {
        changed |= ui
            .checkbox(&mut filter.include_deferred, "Reportés")
            .changed();
        changed |= ui
            .checkbox(&mut filter.include_unmatched, "Non appariés")
            .changed();
    });
    if changed {
        out.push(Command::RefilterQueue);
    }
    ui.add_space(theme::GAP);
    ui.separator();
    queue_table_ui(ui, st, out);
}

fn queue_table_ui(ui: &mut egui::Ui, st: &mut ReviewState, out: &mut Vec<Command>) {
    if st.queue.is_empty() {
        ui.add_space(theme::SECTION_GAP);
        ui.label(RichText::new("Rien à revoir avec ces filtres.").color(theme::MUTED));
        return;
    }
    ui.style_mut().interaction.selectable_labels = false;
    let mut table = TableBuilder::new(ui)
        .id_salt("queue-table")
        .striped(true)
        .sense(Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(TableColumn::remainder().clip(true).at_least(120.0))
        .column(TableColumn::exact(80.0))
        .column(TableColumn::exact(44.0))
        .column(TableColumn::exact(44.0))
        .auto_shrink(false);
    if st.scroll_to_selected {
        table = table.scroll_to_row(st.selected, None);
        st.scroll_to_selected = false;
    }
    table
        .header(theme::ROW_HEIGHT, |mut h| {
            h.col(|ui| {
                ui.strong("Nom saisi");
            });
            h.col(|ui| {
                ui.strong("Niveau");
            });
            h.col(|ui| {
                ui.strong("Obs.");
            });
            h.col(|ui| {
                ui.strong("Score");
            });
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT, st.queue.len(), |mut row| {
                let i = row.index();
                let Some(item) = st.queue.get(i) else { return };
                row.set_selected(i == st.selected || st.marked.contains(&item.name.id));
                row.col(|ui| {
                    let mut text = RichText::new(&item.name.name);
                    if item.flagged {
                        text = text.color(theme::BAD);
                    } else if item.decision.is_some() {
                        text = text.color(theme::WAIT);
                    }
                    ui.label(text);
                });
                row.col(|ui| {
                    ui.label(i18n::level(item.name.level));
                });
                row.col(|ui| {
                    ui.label(i18n::int(item.name.n_obs));
                });
                row.col(|ui| {
                    ui.label(
                        RichText::new(i18n::score(item.score))
                            .color(theme::score_color(item.score)),
                    );
                });
                if row.response().clicked() {
                    let m = row.response().ctx.input(|i| i.modifiers);
                    out.push(if m.command {
                        Command::ToggleQueueRow(i)
                    } else if m.shift {
                        Command::ExtendQueueTo(i)
                    } else {
                        Command::SelectQueueRow(i)
                    });
                }
            });
        });
}
