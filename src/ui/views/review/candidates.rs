//! The candidate cards of the selected name: rank, target, score bar,
//! rule, similarity, the character diff against the typed name, the
//! substances each brings and its explanation. Cards out of sight are not
//! laid out.

use eframe::egui;
use egui::text::LayoutJob;
use egui::{Align, Color32, FontId, Layout, RichText, Sense, TextFormat};

use super::super::super::command::Command;
use super::super::super::diff::{Column, Op};
use super::super::super::session::{Detail, Workspace};
use super::super::super::theme;
use crate::matching::features::Agreement;
use crate::model::linking::Candidate;
use crate::model::linking::substance_groups;
use crate::review::QueueItem;
use crate::ui::i18n;

pub(super) fn candidates_ui(
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
    let groups = substance_groups(&detail.candidates);
    for ((c, columns), agreement) in detail
        .candidates
        .iter()
        .zip(&detail.alignments)
        .zip(&detail.agreements)
    {
        let group = groups
            .iter()
            .enumerate()
            .find(|(_, (ranks, _))| ranks.contains(&c.rank))
            .map_or((0, false), |(i, (_, differs))| (i, *differs));
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
                candidate_ui(ui, item, c, columns, agreement, picked, group, ws, out);
            });
        let height = card.response.rect.height();
        ui.ctx().data_mut(|d| d.insert_temp(height_id, height));
        ui.add_space(4.0);
    }
}

/// `group`: the index of the candidate's substance group (candidates with
/// identical substances share it) and whether its substances differ from
/// candidate 1's.
#[allow(clippy::too_many_arguments)]
fn candidate_ui(
    ui: &mut egui::Ui,
    item: &QueueItem,
    c: &Candidate,
    columns: &[Column],
    agreement: &Agreement,
    picked: bool,
    group: (usize, bool),
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
                RichText::new(i18n::score(c.score))
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
                i18n::target_level(c.target_level),
                c.target_code
            ))
            .color(theme::MUTED),
        );
        ui.label(RichText::new("·").color(theme::MUTED));
        ui.label(
            RichText::new(format!("règle : {}", i18n::method(&c.method))).color(theme::ACCENT),
        );
        ui.label(RichText::new("·").color(theme::MUTED));
        ui.label(
            RichText::new(format!("similarité {}", i18n::score(c.similarity))).color(theme::MUTED),
        );
    });
    diff_ui(ui, item, columns);
    ui.horizontal_wrapped(|ui| {
        let letter = char::from(b'A' + (group.0 % 26) as u8);
        ui.label(RichText::new(format!("Substances (groupe {letter}) :")).color(theme::MUTED));
        if c.substance_codes.is_empty() {
            ui.label(RichText::new("aucune").color(theme::BAD));
        } else {
            ui.label(ws.snap.substances_label(&c.substance_codes));
        }
        if group.1 {
            ui.label(
                RichText::new("≠ substances du candidat 1")
                    .strong()
                    .color(theme::BAD),
            );
        }
    });
    ui.label(
        RichText::new(i18n::explain::agreement(agreement))
            .small()
            .color(theme::MUTED),
    );
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
