//! The Indicateurs view's state: the choices (search, years, figures, the
//! substance and SOC picked) and the last results received from its worker
//! ([`super::super::model::indicators`]), which it starts, feeds and polls
//! without ever blocking the frame.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::error::Error;
use crate::indicators::disclosure::Rule;
use crate::indicators::{Indicators, PendingImpact, Period, SubstanceCount, YearRange};

use super::super::model::indicators::{Reply, Request, Worker};

/// Which numbers the charts show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Figures {
    /// Both, side by side: each category's published bar beside its true
    /// one.
    #[default]
    Both,
    /// What the portal gets only: hidden cells "masqué", without a value.
    Published,
    /// The true counts only (internal view).
    Internal,
}

impl Figures {
    /// Every choice, in the order of the selector.
    pub const ALL: [Figures; 3] = [Figures::Both, Figures::Published, Figures::Internal];
}

/// Why the view has no fresh figures.
#[derive(Debug)]
pub enum Trouble {
    /// The worker could not start, or a computation failed.
    Failed(Error),
    /// The worker is gone: no request can reach it any more.
    WorkerStopped,
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
    /// Which figures the charts show (both, side by side, by default).
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
    /// The last failure, if any.
    pub error: Option<Trouble>,
    path: Option<PathBuf>,
    worker: Option<Worker>,
    waiting: usize,
    /// The period changed: list the substances again.
    stale: bool,
    /// The workspace changed: read it again first.
    reload: bool,
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
            reload: true,
            ..IndicatorsState::default()
        };
    }

    /// The workspace changed (decisions, import): reads it and computes
    /// again when shown.
    pub fn invalidate(&mut self) {
        self.stale = true;
        self.reload = true;
    }

    /// The year range changed: computes again from what was read.
    pub fn change_period(&mut self) {
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
            let ctx = ctx.clone();
            match Worker::start(path, std::sync::Arc::new(move || ctx.request_repaint())) {
                Ok(w) => self.worker = Some(w),
                Err(e) => {
                    self.error = Some(Trouble::Failed(e));
                    self.path = None;
                }
            }
        }
        if self.stale && self.worker.is_some() {
            self.stale = false;
            let period = self.period();
            let request = if std::mem::take(&mut self.reload) {
                Request::Reload(period)
            } else {
                Request::Period(period)
            };
            self.send(request);
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

    /// The period the view shows (and the portal export takes).
    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            to: self.to,
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
                self.error = Some(Trouble::WorkerStopped);
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
            Reply::Failed(e) => self.error = Some(Trouble::Failed(e)),
        }
    }

    /// Shows the substance `delta` rows away from the one shown in the
    /// filtered list (the first when none is), as ↓/↑ do.
    pub fn step(&mut self, delta: isize) {
        let Some(last) = self.filtered.len().checked_sub(1) else {
            return;
        };
        let at = self.selected.as_deref().and_then(|code| {
            self.filtered
                .iter()
                .position(|&i| self.substances.get(i).is_some_and(|s| s.code == code))
        });
        let to = match at {
            Some(at) => at.saturating_add_signed(delta).min(last),
            None => 0,
        };
        if let Some(code) = self
            .filtered
            .get(to)
            .and_then(|&i| self.substances.get(i))
            .map(|s| s.code.clone())
        {
            self.pick(&code);
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
