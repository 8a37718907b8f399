//! The transcoding table: every name with where it stands once decisions
//! are counted (auto, to review, unmatched, approved, rejected, deferred),
//! its method, score, substances and decision; filtered by status, method,
//! reviewer, score band, decision date and text. Above it the progress of
//! review (share of names and of observations resolved, decisions per
//! reviewer); under it the selected name's history from the audit log, with
//! a revert button per entry.

use eframe::egui;
use egui::{Align, Layout, ProgressBar, RichText, Sense};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::super::command::Command;
use super::super::model::Snapshot;
use super::super::session::{TableState, Workspace};
use super::super::state::{ScoreBand, TableFilter};
use super::super::theme;
use super::review::history_rows_ui;
use crate::model::linking::NameStatus;
use crate::normalize::fold_upper;
use crate::review::{DecisionStatus, resolution};
use crate::ui::i18n;

/// The rows of `snap` the filter keeps, as indices.
pub fn filter_rows(snap: &Snapshot, f: &TableFilter) -> Vec<usize> {
    let text = fold_upper(f.text.trim());
    let since = f.since.trim();
    snap.rows
        .iter()
        .enumerate()
        .filter(|(_, row)| {
            let r = resolution(row);
            let deferred = row
                .decision
                .as_ref()
                .is_some_and(|d| d.status == DecisionStatus::Deferred);
            let status_ok = match f.status {
                None => true,
                Some(NameStatus::Deferred) => deferred,
                Some(s) => r.status == s,
            };
            status_ok
                && f.method.as_deref().is_none_or(|m| r.method == m)
                && f.reviewer
                    .as_deref()
                    .is_none_or(|a| row.decision.as_ref().is_some_and(|d| d.author == a))
                && f.band.is_none_or(|b| b.contains(r.score))
                && (since.is_empty()
                    || row
                        .decision
                        .as_ref()
                        .is_some_and(|d| d.decided_at.as_str() >= since))
                && (text.is_empty()
                    || fold_upper(&row.name.name).contains(&text)
                    || r.substance_codes.iter().any(|c| {
                        c.contains(&text)
                            || snap
                                .substance_names
                                .get(c)
                                .is_some_and(|n| fold_upper(n).contains(&text))
                    }))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The transcoding view.
pub fn transcoding_ui(
    ui: &mut egui::Ui,
    filter: &mut TableFilter,
    st: &mut TableState,
    ws: &Workspace,
    out: &mut Vec<Command>,
) {
    egui::Panel::top("progress").show(ui, |ui| {
        progress_ui(ui, ws);
    });
    egui::Panel::bottom("table-history")
        .resizable(true)
        .default_size(170.0)
        .min_size(80.0)
        .show(ui, |ui| {
            table_history_ui(ui, st, ws, out);
        });
    egui::CentralPanel::default().show(ui, |ui| {
        filters_ui(ui, filter, ws, st, out);
        ui.separator();
        table_ui(ui, st, ws, out);
    });
}

fn progress_ui(ui: &mut egui::Ui, ws: &Workspace) {
    let p = &ws.snap.progress;
    ui.add_space(theme::GAP);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(420.0);
            ui.label(RichText::new("Noms résolus").strong());
            ui.add(ProgressBar::new(p.name_share() as f32).fill(theme::PROGRESS_FILL).text(format!(
                "{} / {} ({})",
                i18n::int(p.names_resolved),
                i18n::int(p.names),
                i18n::percent(p.name_share())
            )));
            ui.label(RichText::new("Observations résolues").strong());
            ui.add(ProgressBar::new(p.observation_share() as f32).fill(theme::PROGRESS_FILL).text(format!(
                "{} / {} ({})",
                i18n::int(p.observations_resolved),
                i18n::int(p.observations),
                i18n::percent(p.observation_share())
            )));
            ui.label(
                RichText::new(format!(
                    "{} par l'appariement · {} par un relecteur · {} à revoir · {} à revoir à nouveau",
                    i18n::int(p.names_auto),
                    i18n::int(p.names_decided),
                    i18n::int(p.names_to_review),
                    i18n::int(p.flagged)
                ))
                .color(theme::MUTED),
            );
        });
        ui.add_space(theme::SECTION_GAP * 2.0);
        ui.vertical(|ui| {
            ui.label(RichText::new("Par relecteur").strong());
            if p.by_reviewer.is_empty() {
                ui.label(RichText::new("Aucune décision pour l'instant").color(theme::MUTED));
            }
            egui::Grid::new("by-reviewer")
                .num_columns(4)
                .striped(true)
                .spacing([theme::SECTION_GAP, 2.0])
                .show(ui, |ui| {
                    if !p.by_reviewer.is_empty() {
                        ui.label(RichText::new("Relecteur").color(theme::MUTED));
                        ui.label(RichText::new("Validés").color(theme::MUTED));
                        ui.label(RichText::new("Rejetés").color(theme::MUTED));
                        ui.label(RichText::new("Reportés").color(theme::MUTED));
                        ui.end_row();
                    }
                    for t in &p.by_reviewer {
                        ui.label(&t.author);
                        ui.label(i18n::int(t.approved));
                        ui.label(i18n::int(t.rejected));
                        ui.label(i18n::int(t.deferred));
                        ui.end_row();
                    }
                });
        });
    });
    ui.add_space(theme::GAP);
}

fn filters_ui(
    ui: &mut egui::Ui,
    f: &mut TableFilter,
    ws: &Workspace,
    st: &TableState,
    out: &mut Vec<Command>,
) {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        ui.label("Statut");
        egui::ComboBox::from_id_salt("table-status")
            .selected_text(f.status.map_or("Tous", i18n::name_status))
            .show_ui(ui, |ui| {
                changed |= ui.selectable_value(&mut f.status, None, "Tous").changed();
                for s in NameStatus::ALL {
                    changed |= ui
                        .selectable_value(&mut f.status, Some(s), i18n::name_status(s))
                        .changed();
                }
            })
            .response
            .on_hover_text("Statut");
        ui.label("Méthode");
        let mut methods: Vec<String> = ws.snap.methods.clone();
        for extra in ["candidate 1", "manual", "reused"] {
            if !methods.iter().any(|m| m == extra) {
                methods.push(extra.to_string());
            }
        }
        egui::ComboBox::from_id_salt("table-method")
            .selected_text(
                f.method
                    .as_deref()
                    .map_or("Toutes".to_string(), i18n::method),
            )
            .show_ui(ui, |ui| {
                changed |= ui.selectable_value(&mut f.method, None, "Toutes").changed();
                for m in &methods {
                    changed |= ui
                        .selectable_value(&mut f.method, Some(m.clone()), i18n::method(m))
                        .changed();
                }
            })
            .response
            .on_hover_text("Méthode");
        ui.label("Relecteur");
        egui::ComboBox::from_id_salt("table-reviewer")
            .selected_text(f.reviewer.as_deref().unwrap_or("Tous"))
            .show_ui(ui, |ui| {
                changed |= ui.selectable_value(&mut f.reviewer, None, "Tous").changed();
                for a in &ws.snap.reviewers {
                    changed |= ui
                        .selectable_value(&mut f.reviewer, Some(a.clone()), a)
                        .changed();
                }
            })
            .response
            .on_hover_text("Relecteur");
        ui.label("Score");
        egui::ComboBox::from_id_salt("table-band")
            .selected_text(f.band.map_or("Tous", i18n::score_band))
            .show_ui(ui, |ui| {
                changed |= ui.selectable_value(&mut f.band, None, "Tous").changed();
                for b in ScoreBand::ALL {
                    changed |= ui
                        .selectable_value(&mut f.band, Some(b), i18n::score_band(b))
                        .changed();
                }
            })
            .response
            .on_hover_text("Tranche de score");
        let since = ui.label("Décidé depuis");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut f.since)
                    .hint_text("AAAA-MM-JJ")
                    .desired_width(100.0),
            )
            .labelled_by(since.id)
            .changed();
        let search = ui.label("Recherche");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut f.text)
                    .hint_text("nom ou substance")
                    .desired_width(200.0),
            )
            .labelled_by(search.id)
            .changed();
        ui.label(
            RichText::new(format!(
                "{} / {} noms",
                i18n::int(st.rows.len() as i64),
                i18n::int(ws.snap.rows.len() as i64)
            ))
            .color(theme::MUTED),
        );
    });
    if changed {
        out.push(Command::RefilterTable);
    }
}

fn table_ui(ui: &mut egui::Ui, st: &TableState, ws: &Workspace, out: &mut Vec<Command>) {
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .id_salt("transcoding-table")
        .striped(true)
        .sense(Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(
            TableColumn::initial(260.0)
                .at_least(120.0)
                .clip(true)
                .resizable(true),
        )
        .column(TableColumn::exact(80.0))
        .column(TableColumn::exact(50.0))
        .column(TableColumn::exact(90.0))
        .column(TableColumn::initial(150.0).clip(true).resizable(true))
        .column(TableColumn::exact(48.0))
        .column(TableColumn::initial(260.0).clip(true).resizable(true))
        .column(TableColumn::remainder().clip(true))
        .auto_shrink(false)
        .header(theme::ROW_HEIGHT, |mut h| {
            for title in [
                "Nom saisi",
                "Niveau",
                "Obs.",
                "Statut",
                "Méthode",
                "Score",
                "Substances",
                "Décision",
            ] {
                h.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT, st.rows.len(), |mut row| {
                let i = row.index();
                let Some(r) = st.rows.get(i).and_then(|&k| ws.snap.rows.get(k)) else {
                    return;
                };
                let res = resolution(r);
                let deferred = r
                    .decision
                    .as_ref()
                    .is_some_and(|d| d.status == DecisionStatus::Deferred);
                row.set_selected(st.selected == Some(i));
                row.col(|ui| {
                    ui.label(&r.name.name);
                });
                row.col(|ui| {
                    ui.label(i18n::level(r.name.level));
                });
                row.col(|ui| {
                    ui.label(i18n::int(r.name.n_obs));
                });
                row.col(|ui| {
                    let status = if deferred {
                        NameStatus::Deferred
                    } else {
                        res.status
                    };
                    ui.label(
                        RichText::new(i18n::name_status(status)).color(theme::status_color(status)),
                    );
                });
                row.col(|ui| {
                    ui.label(i18n::method(&res.method));
                });
                row.col(|ui| {
                    ui.label(i18n::score(res.score));
                });
                row.col(|ui| {
                    ui.label(ws.snap.substances_label(&res.substance_codes));
                });
                row.col(|ui| {
                    if let Some(d) = &r.decision {
                        ui.label(format!("{} · {}", d.author, i18n::date_time(&d.decided_at)));
                    }
                });
                if row.response().clicked() {
                    out.push(Command::SelectTableRow(i));
                }
            });
        });
}

fn table_history_ui(ui: &mut egui::Ui, st: &TableState, ws: &Workspace, out: &mut Vec<Command>) {
    ui.add_space(4.0);
    let selected = st
        .selected
        .and_then(|i| st.rows.get(i))
        .and_then(|&k| ws.snap.rows.get(k));
    let Some(row) = selected else {
        ui.label(
            RichText::new(
                "Choisissez une ligne pour voir son historique et revenir sur une décision.",
            )
            .color(theme::MUTED),
        );
        return;
    };
    ui.horizontal(|ui| {
        ui.strong(format!(
            "Historique de « {} » ({})",
            row.name.name,
            i18n::level(row.name.level)
        ));
    });
    egui::ScrollArea::vertical()
        .id_salt("table-history-scroll")
        .auto_shrink(false)
        .show(ui, |ui| {
            if st.history.is_empty() {
                ui.label(RichText::new("Aucune entrée : jamais revu.").color(theme::MUTED));
            }
            history_rows_ui(ui, &st.history, Some(out));
        });
}
