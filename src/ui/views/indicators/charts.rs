//! The charts of the Indicateurs view: the header with the figures
//! selector, each breakdown as a bar chart (published and internal bars
//! side by side), the SOC chart with its HLT drill-down, and the list of
//! cells the portal hides.

use eframe::egui::{self, RichText};
use egui_plot::{AxisHints, Bar, BarChart, GridInput, GridMark, Plot, PlotPoint, Text};

use super::{impact_ui, published_text};
use crate::indicators::disclosure::{Rule, Shown};
use crate::indicators::{Breakdown, Cell, Indicators};
use crate::ui::command::Command;
use crate::ui::i18n;
use crate::ui::session::{Figures, IndicatorsState};
use crate::ui::theme;

/// The breakdowns charted two by two, with their titles; horizontal bars
/// for the long category names.
const CHARTS: [(&str, &str, bool); 6] = [
    ("year", "Cas par année", false),
    ("sex", "Sexe", false),
    ("age_class", "Âge", false),
    ("seriousness", "Gravité", false),
    ("criterion", "Critères de gravité", true),
    ("notifier", "Notificateur", true),
];

/// Height of a chart.
const CHART_HEIGHT: f32 = 150.0;
/// Height of a category in the horizontal SOC and HLT charts.
const ROW_PER_CATEGORY: f32 = 22.0;
/// Width of a lone bar, in categories.
const BAR_WIDTH: f64 = 0.7;
/// Width of each bar of a published/internal pair, and how far each sits
/// from the category's middle.
const PAIR_WIDTH: f64 = 0.36;
const PAIR_OFFSET: f64 = 0.19;

/// The header, the figures selector, the charts, the hidden cells and the
/// pending impact.
pub(super) fn charts_ui(ui: &mut egui::Ui, st: &mut IndicatorsState, out: &mut Vec<Command>) {
    ui.add_space(theme::GAP);
    let Some(ind) = &st.current else {
        ui.horizontal(|ui| {
            let text = if st.selected.is_some() {
                "Calcul en cours…"
            } else {
                "Choisissez une substance à gauche"
            };
            ui.label(RichText::new(text).color(theme::MUTED));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                export_button_ui(ui, out);
            });
        });
        return;
    };
    let rule = st.rule;
    ui.horizontal(|ui| {
        ui.heading(format!(
            "{} ({})",
            ind.name,
            ind.code.as_deref().unwrap_or("")
        ));
        ui.add_space(theme::SECTION_GAP);
        for f in Figures::ALL {
            ui.selectable_value(&mut st.figures, f, i18n::figures(f));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            export_button_ui(ui, out);
        });
    });
    let figures = st.figures;
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Cas : {}", i18n::int(ind.cases))).strong());
        ui.label(format!("publié : {}", published_text(ind.cases_shown)));
        if let Some(reason) = ind.cases_shown.reason() {
            ui.colored_label(theme::HIDDEN_TEXT, i18n::hidden_reason(reason));
        }
        ui.label(
            RichText::new(format!("années {}–{}", ind.years.from, ind.years.to))
                .color(theme::MUTED),
        );
    });
    if let Some(p) = &ind.patients {
        ui.label(
            RichText::new(format!(
                "Open Medic : {} patients/an, niveau d'usage {}{}",
                i18n::int(p.per_year.round() as i64),
                p.usage_level,
                p.rate_per_100k
                    .map(|r| format!(", {:.1} cas/an pour 100 000 patients", r))
                    .unwrap_or_default()
                    .replace('.', ",")
            ))
            .color(theme::MUTED),
        );
    }
    legend_ui(ui, figures);
    ui.add_space(theme::GAP);

    let width = ui.available_width();
    let half = ((width - theme::SECTION_GAP) / 2.0).max(200.0);
    for pair in CHARTS.chunks(2) {
        ui.horizontal_top(|ui| {
            for &(dim, title, horizontal) in pair {
                ui.vertical(|ui| {
                    ui.set_width(half);
                    if let Some(b) = ind.breakdown(dim) {
                        let height =
                            horizontal.then(|| list_height(b.cells.len(), figures, CHART_HEIGHT));
                        chart_ui(ui, title, b, rule, figures, horizontal, height);
                    }
                });
            }
        });
    }
    ui.add_space(theme::GAP);
    if let Some(soc) = ind.breakdown("soc") {
        if let Some(clicked) = chart_ui(
            ui,
            "SOC",
            soc,
            rule,
            figures,
            true,
            Some(list_height(soc.cells.len(), figures, CHART_HEIGHT)),
        ) {
            st.soc = if st.soc.as_deref() == Some(clicked.as_str()) {
                None
            } else {
                Some(clicked)
            };
        }
        ui.label(
            RichText::new("Cliquez une barre de SOC pour ses HLT")
                .small()
                .color(theme::MUTED),
        );
    }
    let hlt = st.soc.as_deref().and_then(|soc| hlt_of(ind, soc));
    if let (Some(soc), Some(sub)) = (&st.soc, &hlt) {
        chart_ui(
            ui,
            &format!("HLT de {soc}"),
            sub,
            rule,
            figures,
            true,
            Some(list_height(sub.cells.len(), figures, CHART_HEIGHT * 0.6)),
        );
    }
    if figures != Figures::Published {
        ui.add_space(theme::SECTION_GAP);
        hidden_cells_ui(ui, ind, st.soc.as_deref(), hlt.as_ref());
    }
    ui.add_space(theme::SECTION_GAP);
    impact_ui(ui, &st.impact);
}

/// The button that opens the portal export dialog.
fn export_button_ui(ui: &mut egui::Ui, out: &mut Vec<Command>) {
    if ui
        .button("Exporter pour le portail…")
        .on_hover_text("Les jeux de données du portail DataMed, sur les années choisies à gauche")
        .clicked()
    {
        out.push(Command::OpenPortalExport);
    }
}

/// What each colour means.
fn legend_ui(ui: &mut egui::Ui, figures: Figures) {
    // A painted square: the UI font has no "■".
    let swatch = |ui: &mut egui::Ui, color: egui::Color32, text: String| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, color);
        ui.add_space(-4.0);
        ui.label(RichText::new(text).small());
    };
    ui.horizontal_wrapped(|ui| {
        if figures != Figures::Internal {
            swatch(ui, theme::ACCENT, "Publié (portail)".to_string());
        }
        swatch(
            ui,
            theme::HIDDEN_BAR,
            if figures == Figures::Internal {
                "Masqué au portail".to_string()
            } else {
                "Masqué au portail (publié sans valeur, « masque »)".to_string()
            },
        );
        if figures != Figures::Published {
            swatch(
                ui,
                theme::INTERNAL_BAR,
                "Interne : vrais effectifs, à ne pas publier".to_string(),
            );
        }
        ui.label(
            RichText::new("— survolez une barre pour ses valeurs et la raison")
                .small()
                .color(theme::MUTED),
        );
    });
}

/// The height of a horizontal chart of `n` categories (pairs of bars
/// need more room than lone ones).
fn list_height(n: usize, figures: Figures, min: f32) -> f32 {
    let per = if figures == Figures::Both {
        ROW_PER_CATEGORY * 1.3
    } else {
        ROW_PER_CATEGORY
    };
    (n as f32 * per).max(min)
}

/// The HLTs of one SOC, as a breakdown of their own.
fn hlt_of(ind: &Indicators, soc: &str) -> Option<Breakdown> {
    let hlt = ind.breakdown("hlt")?;
    let cells = hlt
        .cells
        .iter()
        .filter(|c| c.category == soc)
        .map(|c| Cell {
            category: c.detail.clone(),
            ..c.clone()
        })
        .collect();
    Some(Breakdown {
        dimension: "hlt",
        partition: false,
        cells,
    })
}

/// Every cell the portal hides, with what it publishes, the true count and
/// why: the charted breakdowns, then the HLTs of the SOC drilled into.
fn hidden_cells_ui(
    ui: &mut egui::Ui,
    ind: &Indicators,
    soc: Option<&str>,
    hlt: Option<&Breakdown>,
) {
    let soc_title = soc.map(|s| format!("HLT de {}", short(s)));
    let mut rows: Vec<(&str, &Cell)> = Vec::new();
    let charted = CHARTS
        .iter()
        .map(|&(dim, title, _)| (ind.breakdown(dim), title))
        .chain(std::iter::once((ind.breakdown("soc"), "SOC")))
        .chain(std::iter::once((
            hlt,
            soc_title.as_deref().unwrap_or("HLT"),
        )));
    for (b, title) in charted {
        for c in b.iter().flat_map(|b| &b.cells) {
            if c.shown.reason().is_some() {
                rows.push((title, c));
            }
        }
    }
    let header = format!("Cellules masquées au portail ({})", rows.len());
    egui::CollapsingHeader::new(RichText::new(header).strong())
        .id_salt("hidden-cells")
        .default_open(true)
        .show(ui, |ui| {
            if rows.is_empty() {
                ui.label(RichText::new("Le portail publie toutes les valeurs").color(theme::MUTED));
                return;
            }
            ui.label(
                RichText::new(format!(
                    "Ce que le portail publie à la place du vrai effectif (internes : à ne pas diffuser){}",
                    if soc.is_none() {
                        " ; les HLT d'une SOC s'ajoutent quand on la clique"
                    } else {
                        ""
                    }
                ))
                .small()
                .color(theme::MUTED),
            );
            egui::Grid::new("hidden-cells-grid")
                .num_columns(5)
                .striped(true)
                .spacing([theme::SECTION_GAP, 4.0])
                .show(ui, |ui| {
                    for head in ["Répartition", "Catégorie", "Publié", "Interne", "Raison"] {
                        ui.label(RichText::new(head).strong());
                    }
                    ui.end_row();
                    for (title, c) in rows {
                        ui.label(title);
                        ui.label(short(&c.category))
                            .on_hover_text(i18n::explain::category(&c.category));
                        ui.label(published_text(c.shown));
                        ui.label(RichText::new(i18n::int(c.count)).color(theme::INTERNAL_TEXT));
                        ui.label(
                            RichText::new(c.shown.reason().map_or("", i18n::hidden_reason))
                                .color(theme::HIDDEN_TEXT),
                        );
                        ui.end_row();
                    }
                });
        });
}

/// One breakdown as a bar chart with its title; returns the category of a
/// clicked bar. With both figures, each category has its published bar
/// (first) and its true one side by side, and the hidden pairs carry their
/// two values.
fn chart_ui(
    ui: &mut egui::Ui,
    title: &str,
    b: &Breakdown,
    rule: Rule,
    figures: Figures,
    horizontal: bool,
    height: Option<f32>,
) -> Option<String> {
    ui.label(RichText::new(title).strong());
    if b.cells.is_empty() {
        ui.label(RichText::new("aucun cas").color(theme::MUTED));
        return None;
    }
    let n = b.cells.len();
    // Horizontal bars list the first category at the top.
    let position = |i: usize| {
        if horizontal {
            (n - 1 - i) as f64
        } else {
            i as f64
        }
    };
    // The published bar comes first: left of the pair, or above it.
    let (first, second) = if horizontal {
        (PAIR_OFFSET, -PAIR_OFFSET)
    } else {
        (-PAIR_OFFSET, PAIR_OFFSET)
    };
    let mut hover = Vec::with_capacity(n);
    let mut top: f64 = 1.0;
    let mut bars = Vec::with_capacity(2 * n);
    let mut marks = Vec::new();
    for (i, c) in b.cells.iter().enumerate() {
        let at = position(i);
        let published = published_text(c.shown);
        let internal = i18n::int(c.count);
        let hidden = c.shown.reason().is_some();
        let (published_value, published_fill) = match c.shown {
            Shown::Value(v) => (v as f64, theme::ACCENT),
            Shown::Hidden(_) => (rule.threshold as f64, theme::HIDDEN_BAR),
        };
        let mut text = format!(
            "{}\nPublié : {published}",
            i18n::explain::category(&c.category)
        );
        if figures != Figures::Published {
            text.push_str(&format!("\nInterne : {internal}"));
        }
        if let Some(r) = c.shown.reason() {
            text.push_str(&format!("\nMasqué : {}", i18n::hidden_reason(r)));
        }
        hover.push(text);
        match figures {
            Figures::Both => {
                top = top.max(published_value).max(c.count as f64);
                bars.push(
                    Bar::new(at + first, published_value)
                        .fill(published_fill)
                        .width(PAIR_WIDTH),
                );
                bars.push(
                    Bar::new(at + second, c.count as f64)
                        .fill(theme::INTERNAL_BAR)
                        .width(PAIR_WIDTH),
                );
                if hidden {
                    marks.push((at + first, published_value, published, theme::MUTED));
                    marks.push((at + second, c.count as f64, internal, theme::INTERNAL_TEXT));
                }
            }
            Figures::Published => {
                top = top.max(published_value);
                bars.push(
                    Bar::new(at, published_value)
                        .fill(published_fill)
                        .width(BAR_WIDTH),
                );
            }
            Figures::Internal => {
                top = top.max(c.count as f64);
                let fill = if hidden {
                    theme::HIDDEN_BAR
                } else {
                    theme::INTERNAL_BAR
                };
                bars.push(Bar::new(at, c.count as f64).fill(fill).width(BAR_WIDTH));
            }
        }
    }
    // The tooltip below says everything about a category: egui_plot's own
    // hover label and rulers would only cover the bars with half of it.
    let mut chart = BarChart::new(title.to_string(), bars).allow_hover(false);
    if horizontal {
        chart = chart.horizontal();
    }
    let labels: Vec<String> = b.cells.iter().map(|c| short(&c.category)).collect();
    let label_of = move |value: f64| -> String {
        let r = value.round();
        if (value - r).abs() > 0.01 || r < 0.0 || r as usize >= n {
            return String::new();
        }
        let i = if horizontal {
            n - 1 - r as usize
        } else {
            r as usize
        };
        labels.get(i).cloned().unwrap_or_default()
    };
    let mut plot = Plot::new(format!("chart-{title}"))
        .height(height.unwrap_or(CHART_HEIGHT))
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([!horizontal, horizontal])
        .label_formatter(|_| None)
        .include_y(0.0)
        .include_x(0.0);
    // One label per category, never faded out.
    if horizontal {
        let longest = b
            .cells
            .iter()
            .map(|c| short(&c.category).chars().count())
            .max();
        let width = (longest.unwrap_or(0) as f32 * 7.0 + 12.0).min(theme::SOC_AXIS_WIDTH);
        let axis = AxisHints::new_y()
            .formatter(move |m: GridMark, _| label_of(m.value))
            .label_spacing(10.0..=12.0)
            .min_thickness(width);
        // Marks every 1, 5, 25… cases: a narrow chart still gets a scale
        // (powers of ten left a 0 alone under 100).
        plot = plot
            .y_grid_spacer(integer_marks)
            .x_grid_spacer(egui_plot::log_grid_spacer(5))
            .custom_x_axes(vec![AxisHints::new_x().label_spacing(28.0..=48.0)])
            .custom_y_axes(vec![axis])
            .show_grid([true, false]);
    } else {
        let axis = AxisHints::new_x()
            .formatter(move |m: GridMark, _| label_of(m.value))
            .label_spacing(10.0..=12.0);
        plot = plot
            .x_grid_spacer(integer_marks)
            .y_grid_spacer(egui_plot::log_grid_spacer(5))
            .custom_x_axes(vec![axis])
            .show_grid([false, true]);
    }
    // Room for the value written at the end of the longest bar.
    plot = if horizontal {
        plot.include_x(top * 1.15)
    } else {
        plot.include_y(top * 1.2)
    };
    let response = plot.show(ui, |pui| {
        pui.bar_chart(chart);
        // The two values of a hidden pair, written at the end of its bars.
        for (at, value, text, color) in marks {
            let (point, anchor) = if horizontal {
                (PlotPoint::new(value, at), egui::Align2::LEFT_CENTER)
            } else {
                (PlotPoint::new(at, value), egui::Align2::CENTER_BOTTOM)
            };
            pui.text(
                Text::new(
                    format!("{title} {text}"),
                    point,
                    RichText::new(format!(" {text} ")).small().color(color),
                )
                .anchor(anchor)
                .allow_hover(false),
            );
        }
        pui.pointer_coordinate()
    });
    ui.add_space(theme::GAP);
    let index = response.inner.and_then(|p| {
        let v = if horizontal { p.y } else { p.x };
        let r = v.round();
        ((v - r).abs() <= 0.4 && r >= 0.0 && (r as usize) < n).then(|| {
            if horizontal {
                n - 1 - r as usize
            } else {
                r as usize
            }
        })
    })?;
    let clicked = response.response.clicked();
    if let Some(text) = hover.get(index) {
        response.response.on_hover_text_at_pointer(text);
    }
    if clicked {
        b.cells.get(index).map(|c| c.category.clone())
    } else {
        None
    }
}

/// A category name, worded and cut to fit an axis ("Affections du…").
fn short(name: &str) -> String {
    const MAX: usize = 40;
    let name = i18n::explain::category(name);
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// One grid mark per whole number: one per category.
fn integer_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
    if hi - lo > 200 {
        return Vec::new();
    }
    (lo..=hi)
        .map(|v| GridMark {
            value: v as f64,
            step_size: 1.0,
        })
        .collect()
}
