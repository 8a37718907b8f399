//! The review queue, keyboard first: on the left the names still to decide
//! (sorted by observations, score or name; filtered by level, method, score
//! band and text), drawn row by row only where visible so that 20,000 names
//! scroll fluidly; on the right the selected name — typed text, level,
//! observations and cases — with its ranked candidates: score bar, rule,
//! explanation, the substances each brings, and a character diff of the
//! candidate against the typed name. The shortcuts are written on the
//! buttons that do the same.

use eframe::egui;
use egui::text::LayoutJob;
use egui::{Align, Color32, FontId, Layout, RichText, Sense, TextFormat};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::super::command::Command;
use super::super::diff::{Column, Op};
use super::super::session::{Detail, ReviewState, Workspace};
use super::super::state::{QueueFilter, ScoreBand, SortChoice};
use super::super::theme;
use super::{fmt_int, fmt_score, fmt_time, status_label, target_level_label};
use crate::model::Level;
use crate::model::linking::Candidate;
use crate::review::{AuditEntry, DecisionStatus, QueueItem};

/// The review view.
pub fn review_ui(
    ui: &mut egui::Ui,
    filter: &mut QueueFilter,
    st: &mut ReviewState,
    ws: &Workspace,
    out: &mut Vec<Command>,
) {
    egui::Panel::left("queue")
        .resizable(true)
        .default_size(theme::QUEUE_WIDTH)
        .min_size(320.0)
        .show(ui, |ui| {
            queue_ui(ui, filter, st, ws, out);
        });
    egui::CentralPanel::default().show(ui, |ui| {
        detail_ui(ui, st, ws, out);
    });
}

fn queue_ui(
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
            "{} noms à revoir · {} observations · {} à revoir au total",
            fmt_int(st.queue.len() as i64),
            fmt_int(st.observations),
            fmt_int(ws.snap.progress.names_to_review)
        ))
        .color(theme::MUTED),
    );
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
                .selected_text(filter.sort.label())
                .show_ui(ui, |ui| {
                    for s in SortChoice::ALL {
                        changed |= ui
                            .selectable_value(&mut filter.sort, s, s.label())
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
                .map_or("Tous", |l| Level::parse(l).label());
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
                .selected_text(filter.method.as_deref().unwrap_or("Toutes"))
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut filter.method, None, "Toutes")
                        .changed();
                    for m in &ws.snap.methods {
                        changed |= ui
                            .selectable_value(&mut filter.method, Some(m.clone()), m)
                            .changed();
                    }
                })
                .response
                .on_hover_text("Règle d'appariement");
            ui.end_row();

            ui.label("Score");
            egui::ComboBox::from_id_salt("queue-band")
                .selected_text(filter.band.map_or("Tous", ScoreBand::label))
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut filter.band, None, "Tous")
                        .changed();
                    for b in ScoreBand::ALL {
                        changed |= ui
                            .selectable_value(&mut filter.band, Some(b), b.label())
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
                row.set_selected(i == st.selected);
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
                    ui.label(item.name.level.label());
                });
                row.col(|ui| {
                    ui.label(fmt_int(item.name.n_obs));
                });
                row.col(|ui| {
                    ui.label(
                        RichText::new(fmt_score(item.score)).color(theme::score_color(item.score)),
                    );
                });
                if row.response().clicked() {
                    out.push(Command::SelectQueueRow(i));
                }
            });
        });
}

fn detail_ui(ui: &mut egui::Ui, st: &ReviewState, ws: &Workspace, out: &mut Vec<Command>) {
    let Some(item) = st.current() else {
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
            name_header_ui(ui, item);
            ui.add_space(theme::GAP);
            actions_ui(ui, st, out);
            ui.add_space(theme::SECTION_GAP);
            match &st.detail {
                Some(detail) => {
                    candidates_ui(ui, item, detail, st.rank_to_approve(), ws, out);
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
        fact_ui(ui, "Niveau", item.name.level.label());
        fact_ui(ui, "Observations", &fmt_int(item.name.n_obs));
        fact_ui(ui, "Cas", &fmt_int(item.name.n_cases));
        fact_ui(ui, "Méthode", &item.method);
        fact_ui(ui, "Score", &fmt_score(item.score));
        fact_ui(ui, "Statut", status_label(item.status.as_str()));
    });
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
                fmt_time(&d.decided_at)
            )
        } else {
            format!(
                "{} par {} le {}",
                d.status.label(),
                d.author,
                fmt_time(&d.decided_at)
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
            .button("Recherche manuelle (M)")
            .on_hover_text(
                "Choisir n'importe quelle spécialité, produit ou substance du référentiel",
            )
            .clicked()
        {
            out.push(Command::OpenManualSearch);
        }
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
    ui.label(
        RichText::new("Flèches haut/bas : nom précédent/suivant · 1–9 : choisir un candidat · / : rechercher dans la file · Échap : fermer un dialogue")
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

fn candidates_ui(
    ui: &mut egui::Ui,
    item: &QueueItem,
    detail: &Detail,
    chosen: Option<u32>,
    ws: &Workspace,
    out: &mut Vec<Command>,
) {
    ui.heading(format!("Candidats ({})", detail.candidates.len()));
    if detail.candidates.is_empty() {
        ui.label(
            RichText::new(
                "Aucun candidat plausible : recherche manuelle (M) ou Rejeter (R) si le nom ne désigne aucun médicament.",
            )
            .color(theme::MUTED),
        );
        return;
    }
    ui.add_space(4.0);
    for (c, columns) in detail.candidates.iter().zip(&detail.alignments) {
        // A card out of sight takes its height as last drawn (at this rank)
        // without being laid out: a new selection lays out only the cards
        // on screen.
        let height_id = ui.scope_id().with(("candidate-card-height", c.rank));
        let known: Option<f32> = ui.ctx().data(|d| d.get_temp(height_id));
        if let Some(height) = known {
            let size = egui::vec2(ui.available_width(), height);
            let rect = egui::Rect::from_min_size(ui.cursor().min, size);
            if !ui.is_rect_visible(rect) {
                ui.allocate_space(size);
                ui.add_space(4.0);
                continue;
            }
        }
        let picked = chosen == Some(c.rank);
        let fill = if picked {
            theme::PICKED_FILL
        } else {
            theme::CARD_FILL
        };
        let stroke = if picked {
            egui::Stroke::new(1.5, theme::ACCENT)
        } else {
            egui::Stroke::new(1.0, theme::BAR_TRACK)
        };
        let card = egui::Frame::new()
            .fill(fill)
            .stroke(stroke)
            .corner_radius(theme::RADIUS)
            .inner_margin(theme::GAP)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                candidate_ui(ui, item, c, columns, picked, ws, out);
            });
        let height = card.response.rect.height();
        ui.ctx().data_mut(|d| d.insert_temp(height_id, height));
        ui.add_space(4.0);
    }
}

fn candidate_ui(
    ui: &mut egui::Ui,
    item: &QueueItem,
    c: &Candidate,
    columns: &[Column],
    picked: bool,
    ws: &Workspace,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let key = if c.rank <= 9 {
            format!("{}", c.rank)
        } else {
            "·".to_string()
        };
        let title = RichText::new(format!("{key}  {}", c.target_name)).strong();
        if ui
            .add(egui::Button::selectable(picked, title))
            .on_hover_text("Choisir ce candidat (touche du rang), puis Entrée pour valider")
            .clicked()
        {
            out.push(Command::PickCandidate(c.rank));
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.label(
                RichText::new(fmt_score(c.score))
                    .strong()
                    .color(theme::score_color(c.score)),
            );
            score_bar_ui(ui, c.score);
        });
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "{} {}",
                target_level_label(c.target_level),
                c.target_code
            ))
            .color(theme::MUTED),
        );
        ui.label(RichText::new("·").color(theme::MUTED));
        ui.label(RichText::new(format!("règle : {}", c.method)).color(theme::ACCENT));
        ui.label(RichText::new("·").color(theme::MUTED));
        ui.label(
            RichText::new(format!("similarité {}", fmt_score(c.similarity))).color(theme::MUTED),
        );
    });
    diff_ui(ui, item, columns);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Substances :").color(theme::MUTED));
        if c.substance_codes.is_empty() {
            ui.label(RichText::new("aucune").color(theme::BAD));
        } else {
            ui.label(ws.snap.substances_label(&c.substance_codes));
        }
    });
    if !c.explanation.is_empty() {
        ui.label(RichText::new(&c.explanation).small().color(theme::MUTED));
    }
}

fn score_bar_ui(ui: &mut egui::Ui, score: f64) {
    let size = egui::vec2(theme::SCORE_BAR_WIDTH, theme::SCORE_BAR_HEIGHT);
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, theme::RADIUS, theme::BAR_TRACK);
    let mut filled = rect;
    filled.set_width(rect.width() * score.clamp(0.0, 1.0) as f32);
    painter.rect_filled(filled, theme::RADIUS, theme::score_color(score));
}

/// The typed and candidate names, normalised, one above the other, column
/// by column; differing columns highlighted.
fn diff_ui(ui: &mut egui::Ui, item: &QueueItem, columns: &[Column]) {
    let font = FontId::monospace(13.0);
    let side = |typed: bool| {
        let mut job = LayoutJob::default();
        let prefix = if typed { "saisi     " } else { "candidat  " };
        job.append(
            prefix,
            0.0,
            TextFormat {
                font_id: font.clone(),
                color: theme::MUTED,
                ..TextFormat::default()
            },
        );
        // Characters with the same colours go in one section: a name is a
        // handful of sections, not one per character, to lay out.
        let mut run = String::new();
        let mut run_style: Option<(Color32, Color32)> = None;
        let flush = |job: &mut LayoutJob, run: &mut String, style: Option<(Color32, Color32)>| {
            if let Some((color, background)) = style
                && !run.is_empty()
            {
                job.append(
                    run,
                    0.0,
                    TextFormat {
                        font_id: font.clone(),
                        color,
                        background,
                        ..TextFormat::default()
                    },
                );
            }
            run.clear();
        };
        for col in columns {
            let ch = if typed { col.typed } else { col.candidate };
            let background = match col.op {
                Op::Same => Color32::TRANSPARENT,
                Op::Changed | Op::Swapped => theme::DIFF_CHANGED,
                Op::TypedOnly | Op::CandidateOnly => theme::DIFF_GAP,
            };
            let color = if ch.is_some() {
                Color32::BLACK
            } else {
                theme::MUTED
            };
            let style = Some((color, background));
            if style != run_style {
                flush(&mut job, &mut run, run_style);
                run_style = style;
            }
            run.push(ch.unwrap_or('·'));
        }
        flush(&mut job, &mut run, run_style);
        job
    };
    if item.name.normalized.is_empty() && columns.is_empty() {
        return;
    }
    ui.add(egui::Label::new(side(true)).wrap_mode(egui::TextWrapMode::Extend));
    ui.add(egui::Label::new(side(false)).wrap_mode(egui::TextWrapMode::Extend));
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
            ui.label(fmt_time(&e.at));
            ui.label(RichText::new(&e.author).strong());
            let after = e.after.as_ref().map_or("aucune décision".to_string(), |d| {
                match (&d.status, &d.target) {
                    (DecisionStatus::Approved, Some(t)) => format!("Validé : {}", t.name),
                    (s, _) => s.label().to_string(),
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
