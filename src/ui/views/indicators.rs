//! The "Indicateurs" view: the ORDEI indicators of one substance as the
//! portal will publish them (masked) and as the agency sees them (internal),
//! over a year range, with what each pending name would add if approved.
//!
//! Computing runs on one worker thread ([`crate::jobs::Job`]) that owns its
//! own connection to the workspace and keeps the [`Computation`] of the
//! current period, reusing it for every substance picked; the UI thread
//! only sends requests and draws the last results it received.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};
use egui_plot::{AxisHints, Bar, BarChart, GridInput, GridMark, Plot};

use super::fmt_int;
use crate::error::Result;
use crate::indicators::disclosure::{Reason, Rule, Shown};
use crate::indicators::{
    Breakdown, Cell, Computation, Indicators, PendingImpact, Period, SubstanceCount, YearRange,
};
use crate::jobs::{Job, Progress};
use crate::store::Store;
use crate::ui::command::Command;
use crate::ui::theme;

/// Which numbers the charts show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Figures {
    /// What the portal gets: hidden cells as "< 11".
    #[default]
    Published,
    /// The true counts (internal view only).
    Internal,
}

/// A request to the worker.
enum Request {
    /// Prepare the computation of a period and list its substances.
    Period(Period),
    /// The indicators and pending impact of one substance.
    Substance(String),
}

/// A result from the worker.
enum Reply {
    /// The substances of the period just prepared.
    Substances {
        years: YearRange,
        rule: Rule,
        list: Vec<SubstanceCount>,
    },
    /// One substance's indicators and pending impact.
    Substance(Box<(Indicators, Vec<PendingImpact>)>),
    /// Something failed.
    Failed(String),
}

/// The worker thread and its channels.
struct Worker {
    requests: mpsc::Sender<Request>,
    replies: mpsc::Receiver<Reply>,
    _job: Job<()>,
}

impl Worker {
    /// Starts the worker on `path`; it repaints `ctx` after each reply.
    fn start(path: PathBuf, ctx: egui::Context) -> Result<Worker> {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (outbox, replies) = mpsc::channel::<Reply>();
        let job = Job::spawn("datamed-indicators", Progress::new(), move |_| {
            let store = Store::open(&path)?;
            let mut computation: Option<Computation<'_>> = None;
            while let Ok(request) = inbox.recv() {
                let reply = match answer(&store, &mut computation, request) {
                    Ok(reply) => reply,
                    Err(e) => Reply::Failed(e.to_string()),
                };
                if outbox.send(reply).is_err() {
                    break;
                }
                ctx.request_repaint();
            }
            Ok(())
        })?;
        Ok(Worker {
            requests,
            replies,
            _job: job,
        })
    }
}

/// Answers one request on the worker thread.
fn answer<'s>(
    store: &'s Store,
    computation: &mut Option<Computation<'s>>,
    request: Request,
) -> Result<Reply> {
    match request {
        Request::Period(period) => {
            *computation = None;
            let c = Computation::new(store, period)?;
            let reply = Reply::Substances {
                years: c.years(),
                rule: c.rule(),
                list: c.substances()?,
            };
            *computation = Some(c);
            Ok(reply)
        }
        Request::Substance(code) => match computation {
            Some(c) => Ok(Reply::Substance(Box::new((
                c.substance(&code)?,
                c.pending_impact(&code)?,
            )))),
            None => Ok(Reply::Failed("aucune période préparée".into())),
        },
    }
}

/// What the view keeps: the choices and the last results received.
#[derive(Default)]
pub struct IndicatorsState {
    /// Text searched in substance names and codes.
    pub search: String,
    /// First year asked (`None`: first year of the cases).
    pub from: Option<i64>,
    /// Last year asked (`None`: last year of the cases).
    pub to: Option<i64>,
    /// The years of the whole base, from the first computation.
    pub bounds: Option<YearRange>,
    /// The years of the current computation.
    pub years: Option<YearRange>,
    /// Published or internal figures.
    pub figures: Figures,
    /// The substances of the period, most cases first.
    pub substances: Vec<SubstanceCount>,
    /// Indices in `substances` matching the search.
    pub filtered: Vec<usize>,
    /// The picked substance code.
    pub selected: Option<String>,
    /// Its indicators, once computed.
    pub current: Option<Indicators>,
    /// What each pending name would add to it.
    pub impact: Vec<PendingImpact>,
    /// The SOC whose HLTs are shown.
    pub soc: Option<String>,
    /// The disclosure rule of the workspace.
    pub rule: Rule,
    /// The last error, if any.
    pub error: Option<String>,
    path: Option<PathBuf>,
    worker: Option<Worker>,
    waiting: usize,
    stale: bool,
}

impl IndicatorsState {
    /// Forgets everything for the workspace at `path`; computing starts
    /// when the view is first shown.
    pub fn reset(&mut self, path: &Path) {
        *self = IndicatorsState {
            search: std::mem::take(&mut self.search),
            figures: self.figures,
            path: Some(path.to_path_buf()),
            stale: true,
            ..IndicatorsState::default()
        };
    }

    /// The workspace changed (decisions, import): computes again when shown.
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    /// Whether a request is still unanswered.
    pub fn is_waiting(&self) -> bool {
        self.waiting > 0 || self.stale
    }

    /// Starts the worker if needed, sends what is stale and takes the
    /// replies that arrived (never blocks).
    pub fn poll(&mut self, ctx: &egui::Context) {
        if self.worker.is_none()
            && let Some(path) = self.path.clone()
        {
            match Worker::start(path, ctx.clone()) {
                Ok(w) => self.worker = Some(w),
                Err(e) => {
                    self.error = Some(e.to_string());
                    self.path = None;
                }
            }
        }
        if self.stale && self.worker.is_some() {
            self.stale = false;
            self.send(Request::Period(Period {
                from: self.from,
                to: self.to,
            }));
            if let Some(code) = self.selected.clone() {
                self.send(Request::Substance(code));
            }
        }
        loop {
            let Some(worker) = &self.worker else { return };
            let Ok(reply) = worker.replies.try_recv() else {
                return;
            };
            self.waiting = self.waiting.saturating_sub(1);
            self.receive(reply);
        }
    }

    /// Waits until every request is answered (tests; the window never
    /// blocks), at most 60 s.
    pub fn wait(&mut self, ctx: &egui::Context) {
        let start = Instant::now();
        self.poll(ctx);
        while self.is_waiting() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(10));
            self.poll(ctx);
        }
    }

    /// Picks a substance and asks for its indicators.
    pub fn pick(&mut self, code: &str) {
        if self.selected.as_deref() != Some(code) {
            self.soc = None;
        }
        self.selected = Some(code.to_string());
        self.send(Request::Substance(code.to_string()));
    }

    fn send(&mut self, request: Request) {
        if let Some(worker) = &self.worker {
            if worker.requests.send(request).is_ok() {
                self.waiting += 1;
            } else {
                self.error = Some("le calcul des indicateurs s'est arrêté".into());
            }
        }
    }

    fn receive(&mut self, reply: Reply) {
        match reply {
            Reply::Substances { years, rule, list } => {
                if self.bounds.is_none() && self.from.is_none() && self.to.is_none() {
                    self.bounds = Some(years);
                }
                self.years = Some(years);
                self.rule = rule;
                self.substances = list;
                self.error = None;
                self.refilter();
            }
            Reply::Substance(boxed) => {
                let (ind, impact) = *boxed;
                if ind.code == self.selected {
                    self.current = Some(ind);
                    self.impact = impact;
                }
            }
            Reply::Failed(text) => self.error = Some(text),
        }
    }

    /// Filters the substances by the search, as `search_substances` does:
    /// code prefix or name containing the text, accents and case ignored.
    pub fn refilter(&mut self) {
        let wanted = crate::normalize::normalize_name(&self.search);
        let code = self.search.trim();
        self.filtered = self
            .substances
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                wanted.is_empty()
                    || s.code.starts_with(code)
                    || crate::normalize::normalize_name(&s.name).contains(&wanted)
            })
            .map(|(i, _)| i)
            .collect();
    }
}

/// Height of a chart.
const CHART_HEIGHT: f32 = 150.0;

/// The whole view: the picker on the left, the charts in the middle.
pub fn indicators_ui(ui: &mut egui::Ui, st: &mut IndicatorsState, out: &mut Vec<Command>) {
    egui::Panel::left("indicators-picker")
        .resizable(true)
        .default_size(theme::PICKER_WIDTH)
        .show(ui, |ui| picker_ui(ui, st, out));
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("indicators-charts")
            .show(ui, |ui| charts_ui(ui, st));
    });
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
    ui.horizontal(|ui| {
        let bounds = st.bounds.or(st.years);
        let (lo, hi) = bounds.map_or((1900, 2100), |b| (b.from, b.to));
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
        ui.colored_label(theme::BAD, e);
    }
    ui.label(
        RichText::new(format!(
            "{} substance(s) — comptes de 1 à {} publiés « {} »",
            fmt_int(st.filtered.len() as i64),
            st.rule.threshold,
            st.rule.hidden_text()
        ))
        .small()
        .color(theme::MUTED),
    );
    ui.separator();
    let rule = st.rule;
    egui::ScrollArea::vertical()
        .id_salt("indicators-substances")
        .auto_shrink([false, false])
        .show_rows(ui, theme::ROW_HEIGHT, st.filtered.len(), |ui, rows| {
            for i in rows {
                let Some(s) = st.filtered.get(i).and_then(|&i| st.substances.get(i)) else {
                    continue;
                };
                let picked = st.selected.as_deref() == Some(s.code.as_str());
                let text = format!(
                    "{} {} — {} cas",
                    s.code,
                    s.name,
                    shown_text(rule, s.cases, s.cases_shown, st.figures)
                );
                if ui.selectable_label(picked, text).clicked() {
                    out.push(Command::PickSubstance(s.code.clone()));
                }
            }
        });
}

/// Why a count is hidden, in French.
fn reason_text(reason: Reason) -> &'static str {
    match reason {
        Reason::SmallCount => "effectif inférieur au seuil de diffusion",
        Reason::Complementary => "masqué pour qu'un petit effectif ne se déduise pas du total",
        Reason::TotalHidden => "le total est lui-même masqué",
    }
}

/// The text of a count in the chosen figures.
fn shown_text(rule: Rule, count: i64, shown: Shown, figures: Figures) -> String {
    match figures {
        Figures::Internal => fmt_int(count),
        Figures::Published => match shown {
            Shown::Value(v) => fmt_int(v),
            Shown::Hidden(_) => rule.hidden_text(),
        },
    }
}

/// The header, the figures toggle, the charts and the pending impact.
fn charts_ui(ui: &mut egui::Ui, st: &mut IndicatorsState) {
    ui.add_space(theme::GAP);
    let Some(ind) = &st.current else {
        let text = if st.selected.is_some() {
            "Calcul en cours…"
        } else {
            "Choisissez une substance à gauche"
        };
        ui.label(RichText::new(text).color(theme::MUTED));
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
        ui.selectable_value(&mut st.figures, Figures::Published, "Vue publiée");
        ui.selectable_value(&mut st.figures, Figures::Internal, "Vue interne");
    });
    let figures = st.figures;
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Cas : {}", fmt_int(ind.cases))).strong());
        ui.label(format!(
            "publié : {}",
            shown_text(rule, ind.cases, ind.cases_shown, Figures::Published)
        ));
        if let Some(reason) = ind.cases_shown.reason() {
            ui.colored_label(theme::HIDDEN_TEXT, reason_text(reason));
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
                fmt_int(p.per_year.round() as i64),
                p.usage_level,
                p.rate_per_100k
                    .map(|r| format!(", {:.1} cas/an pour 100 000 patients", r))
                    .unwrap_or_default()
                    .replace('.', ",")
            ))
            .color(theme::MUTED),
        );
    }
    ui.label(
        RichText::new(match figures {
            Figures::Published => format!(
                "Vue publiée : les barres grises sont masquées (« {} »), survolez pour la raison",
                rule.hidden_text()
            ),
            Figures::Internal => {
                "Vue interne : vrais effectifs, à ne pas publier (barres grises : masquées au portail)"
                    .to_string()
            }
        })
        .small()
        .color(theme::MUTED),
    );
    ui.add_space(theme::GAP);

    let chart = |ui: &mut egui::Ui, title: &str, dim: &str, horizontal: bool| {
        if let Some(b) = ind.breakdown(dim) {
            chart_ui(ui, title, b, rule, figures, horizontal, None)
        } else {
            None
        }
    };
    let width = ui.available_width();
    let half = ((width - theme::SECTION_GAP) / 2.0).max(200.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half);
            chart(ui, "Cas par année", "year", false);
        });
        ui.vertical(|ui| {
            ui.set_width(half);
            chart(ui, "Sexe", "sex", false);
        });
    });
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half);
            chart(ui, "Âge", "age_class", false);
        });
        ui.vertical(|ui| {
            ui.set_width(half);
            chart(ui, "Gravité", "seriousness", false);
        });
    });
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half);
            chart(ui, "Critères de gravité", "criterion", true);
        });
        ui.vertical(|ui| {
            ui.set_width(half);
            chart(ui, "Notificateur", "notifier", true);
        });
    });
    ui.add_space(theme::GAP);
    if let Some(soc) = ind.breakdown("soc") {
        let height = (soc.cells.len() as f32 * 22.0).max(CHART_HEIGHT);
        if let Some(clicked) = chart_ui(ui, "SOC", soc, rule, figures, true, Some(height)) {
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
    if let (Some(soc), Some(hlt)) = (&st.soc, ind.breakdown("hlt")) {
        let cells: Vec<Cell> = hlt
            .cells
            .iter()
            .filter(|c| &c.category == soc)
            .map(|c| Cell {
                category: c.detail.clone(),
                ..c.clone()
            })
            .collect();
        let sub = Breakdown {
            dimension: "hlt",
            partition: false,
            cells,
        };
        let height = (sub.cells.len() as f32 * 22.0).max(CHART_HEIGHT * 0.6);
        chart_ui(
            ui,
            &format!("HLT de {soc}"),
            &sub,
            rule,
            figures,
            true,
            Some(height),
        );
    }
    ui.add_space(theme::SECTION_GAP);
    impact_ui(ui, &st.impact);
}

/// One breakdown as a bar chart with its title; returns the category of a
/// clicked bar.
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
    let mut hover = Vec::with_capacity(n);
    let mut top: f64 = 1.0;
    let mut bars = Vec::with_capacity(n);
    for (i, c) in b.cells.iter().enumerate() {
        let (value, fill) = match (figures, c.shown) {
            (Figures::Internal, Shown::Hidden(_)) => (c.count as f64, theme::HIDDEN_BAR),
            (Figures::Internal, Shown::Value(_)) => (c.count as f64, theme::ACCENT),
            (Figures::Published, Shown::Value(v)) => (v as f64, theme::ACCENT),
            (Figures::Published, Shown::Hidden(_)) => (rule.threshold as f64, theme::HIDDEN_BAR),
        };
        top = top.max(value);
        let published = rule.text(c.shown);
        let mut text = format!(
            "{}
Publié : {published}",
            c.category
        );
        if figures == Figures::Internal {
            text.push_str(&format!(
                "
Interne : {}",
                fmt_int(c.count)
            ));
        }
        if let Some(r) = c.shown.reason() {
            text.push_str(&format!(
                "
Masqué : {}",
                reason_text(r)
            ));
        }
        hover.push(text);
        // The text egui_plot writes at the end of a hovered bar.
        let value_text = match figures {
            Figures::Internal => fmt_int(c.count),
            Figures::Published => published,
        };
        bars.push(
            Bar::new(position(i), value)
                .name(value_text)
                .fill(fill)
                .width(0.7),
        );
    }
    let mut chart = BarChart::new(title.to_string(), bars)
        .element_formatter(Box::new(|bar: &Bar, _: &BarChart| bar.name.clone()));
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
        plot = plot
            .y_grid_spacer(integer_marks)
            .custom_y_axes(vec![axis])
            .show_grid([true, false]);
    } else {
        let axis = AxisHints::new_x()
            .formatter(move |m: GridMark, _| label_of(m.value))
            .label_spacing(10.0..=12.0);
        plot = plot
            .x_grid_spacer(integer_marks)
            .custom_x_axes(vec![axis])
            .show_grid([false, true]);
    }
    // Room for the value written at the end of the longest bar.
    plot = if horizontal {
        plot.include_x(top * 1.12)
    } else {
        plot.include_y(top * 1.15)
    };
    let response = plot.show(ui, |pui| {
        pui.bar_chart(chart);
        pui.pointer_coordinate()
    });
    ui.add_space(theme::GAP);
    let index = response.inner.and_then(|p| {
        let v = if horizontal { p.y } else { p.x };
        let r = v.round();
        ((v - r).abs() <= 0.35 && r >= 0.0 && (r as usize) < n).then(|| {
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

/// A category name cut to fit an axis ("Affections du…").
fn short(name: &str) -> String {
    const MAX: usize = 40;
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

/// The "Impact des noms en attente" panel.
fn impact_ui(ui: &mut egui::Ui, impact: &[PendingImpact]) {
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
                ui.label(p.level.as_str());
                ui.label(format!("+{}", fmt_int(p.added_cases)));
                ui.end_row();
            }
        });
}
