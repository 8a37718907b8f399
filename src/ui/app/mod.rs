//! The eframe application: it owns the open workspace, the running job and
//! the state of each view ([`super::session`]); each frame it polls the
//! jobs, turns the keyboard into commands, draws the panels (which push
//! more commands), and applies every command at one place
//! ([`WorkbenchApp::apply`]), which routes each family of commands to the
//! file that handles it: [`files`] workspaces, imports and exports,
//! [`review`] the queue and its decisions, [`selection`] the
//! multi-selection and the offer to apply a validation to identical names, [`table`] the transcoding
//! table, [`portal`] the portal export; [`jobs`] runs the long work and
//! takes its results, [`keys`] reads the keyboard. Decisions go through
//! the review core and are committed before the queue moves on; the queue
//! and table are patched at once from what was written, and a fresh
//! snapshot is read on a worker thread to bring the progress figures up to
//! date. Nothing here runs SQL per frame.

use eframe::egui;
use std::path::Path;
use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::jobs::{Job, Progress};
use crate::review::QueueItem;

use super::command::Command;
use super::model::{self, Snapshot};
use super::session::settings;
use super::session::{
    Dialog, ImportState, IndicatorsState, Notice, ReviewState, TableState, Workspace,
};
use super::state::{UiState, View};
use super::{i18n, theme, views};

mod files;
mod jobs;
mod keys;
mod launch;
mod portal;
mod review;
mod selection;
mod table;

use jobs::Running;

/// The workbench window.
pub struct WorkbenchApp {
    ctx: egui::Context,
    /// What eframe persists.
    pub state: UiState,
    persist: bool,
    ws: Option<Workspace>,
    job: Option<Running>,
    refresh: Option<(u64, Job<Snapshot>)>,
    generation: u64,
    commands: Vec<Command>,
    notice: Option<Notice>,
    review: ReviewState,
    table: TableState,
    import: ImportState,
    dialog: Option<Dialog>,
    file_dialog: Option<mpsc::Receiver<Option<Command>>>,
    indicators: IndicatorsState,
}

impl WorkbenchApp {
    /// The window as eframe creates it on a plain start: the last
    /// workspace, or the sample workspace on first run (see
    /// [`WorkbenchApp::launched`]).
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        Self::launched(cc, crate::launch::Launch::default())
    }

    /// A window on the workspace at `path`, read now (blocking), deciding
    /// as `reviewer`, persisting nothing: for tests and benchmarks.
    pub fn with_workspace(ctx: &egui::Context, path: &Path, reviewer: &str) -> Result<Self> {
        let state = UiState {
            reviewer: reviewer.to_string(),
            ..UiState::default()
        };
        let mut app = Self::blank(ctx, state, false);
        let loaded = model::open(path, reviewer, false, &Progress::default())?;
        app.install(path.to_path_buf(), loaded);
        Ok(app)
    }

    fn blank(ctx: &egui::Context, state: UiState, persist: bool) -> Self {
        theme::apply(ctx);
        WorkbenchApp {
            ctx: ctx.clone(),
            state,
            persist,
            ws: None,
            job: None,
            refresh: None,
            generation: 0,
            commands: Vec::new(),
            notice: None,
            review: ReviewState::default(),
            table: TableState::default(),
            import: ImportState::default(),
            dialog: None,
            file_dialog: None,
            indicators: IndicatorsState::default(),
        }
    }

    // ----- what tests and benchmarks read -----

    /// The review queue as shown.
    pub fn queue(&self) -> &[QueueItem] {
        &self.review.queue
    }

    /// The selected queue item.
    pub fn selected(&self) -> Option<&QueueItem> {
        self.review.current()
    }

    /// The candidate rank Enter would approve with.
    pub fn rank_to_approve(&self) -> Option<u32> {
        self.review.rank_to_approve()
    }

    /// The message line, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// The open workspace.
    pub fn workspace(&self) -> Option<&Workspace> {
        self.ws.as_ref()
    }

    /// Whether a job or a refresh is running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.refresh.is_some()
    }

    /// Waits for the running job and refresh, and takes their results
    /// (tests; the window never blocks).
    pub fn wait_for_jobs(&mut self) {
        while self.is_busy() {
            std::thread::sleep(std::time::Duration::from_millis(10));
            self.poll_jobs();
        }
    }

    /// The Indicateurs view's state and last results.
    pub fn indicators(&self) -> &IndicatorsState {
        &self.indicators
    }

    /// Waits until the indicators asked for are computed (tests; the
    /// window never blocks).
    pub fn wait_for_indicators(&mut self) {
        self.indicators.wait(&self.ctx);
    }

    /// The names marked in the queue, in queue order.
    pub fn marked(&self) -> Vec<i64> {
        self.review.marked_ids()
    }

    /// The inline offer to apply the last validation to identical names.
    pub fn offer(&self) -> Option<&super::session::IdenticalOffer> {
        self.review.offer.as_ref()
    }

    /// The dialog shown, if any.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// Queues a command, as a view would.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    // ----- messages -----

    fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    fn say_error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    fn fail(&mut self, e: &Error) {
        match e {
            Error::Cancelled => self.say(i18n::error(e)),
            e => self.say_error(i18n::error(e)),
        }
    }

    // ----- commands -----

    /// Applies the commands queued this frame, in order.
    pub fn apply_commands(&mut self) {
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            self.apply(c);
        }
    }

    /// Applies one command: routes it to its family's handler.
    fn apply(&mut self, command: Command) {
        match command {
            Command::NewWorkspaceDialog
            | Command::OpenWorkspaceDialog
            | Command::OpenWorkspace(_)
            | Command::ImportFilesDialog
            | Command::ExportDialog(_)
            | Command::Export(..)
            | Command::AddImportFiles(_)
            | Command::RemoveImportFile(_)
            | Command::StartImport
            | Command::ApplyMapping
            | Command::CloseMapping
            | Command::StartMatching => self.apply_file_command(command),
            Command::OpenPortalExport
            | Command::PortalDirDialog
            | Command::SetPortalDir(_)
            | Command::StartPortalExport
            | Command::PreviewPortalExport => self.apply_portal_command(command),
            Command::RefilterQueue
            | Command::SelectQueueRow(_)
            | Command::MoveSelection(_)
            | Command::ToggleQueueRow(_)
            | Command::ExtendQueueTo(_)
            | Command::ExtendSelection(_)
            | Command::SelectAllQueue
            | Command::ClearMarks
            | Command::AcceptIdenticalOffer
            | Command::DismissOffer
            | Command::MoveSearchCursor(_)
            | Command::ToggleSearchHit
            | Command::EscapeComment
            | Command::PickCandidate(_)
            | Command::Approve
            | Command::Reject
            | Command::Defer
            | Command::OpenComment
            | Command::SaveComment
            | Command::Undo
            | Command::Redo
            | Command::FocusSearch
            | Command::OpenManualSearch
            | Command::RunManualSearch
            | Command::ApproveTargets
            | Command::PreviewIdentical
            | Command::ApplyIdentical
            | Command::Revert(_) => self.apply_review_command(command),
            Command::RefilterTable | Command::SelectTableRow(_) => {
                self.apply_table_command(command)
            }
            Command::CancelJob => self.cancel_job(),
            Command::ShowView(v) => self.state.view = v,
            Command::PickSubstance(code) => self.indicators.pick(&code),
            Command::StepSubstance(delta) => self.indicators.step(delta),
            Command::RecomputeIndicators => self.indicators.change_period(),
            Command::OpenSettings => {
                let store = self.ws.as_ref().map(|ws| &ws.store);
                self.dialog = Some(Dialog::Settings(settings::open_form(
                    store,
                    self.state.author(),
                )))
            }
            Command::CloseDialog => self.dialog = None,
            Command::ShowShortcuts => self.dialog = Some(Dialog::Shortcuts),
            Command::SaveSettings => self.save_settings(),
            Command::DismissNotice => self.notice = None,
            Command::Quit => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }
}

impl WorkbenchApp {
    /// Saves the Réglages: the reviewer's name, and the changed workspace
    /// settings through core (each change recorded); a refused value keeps
    /// the dialog open with the reason under its input.
    fn save_settings(&mut self) {
        let Some(Dialog::Settings(mut form)) = self.dialog.take() else {
            return;
        };
        self.state.reviewer = form.reviewer.trim().to_string();
        let author = self.state.author();
        let saved = match &mut self.ws {
            Some(ws) => settings::save_form(&mut ws.store, &mut form, &author),
            None => Ok(Some(0)),
        };
        match saved {
            Ok(Some(n)) => {
                self.load_undo_state();
                self.say(format!(
                    "Relecteur : {author} ; {} {}",
                    i18n::count(n as i64, "réglage", "réglages"),
                    i18n::plural(n as i64, "modifié", "modifiés")
                ));
            }
            Ok(None) => {
                self.say_error("Réglages non enregistrés : valeur refusée");
                self.dialog = Some(Dialog::Settings(form));
            }
            Err(e) => {
                self.fail(&e);
                self.dialog = Some(Dialog::Settings(form));
            }
        }
    }
}

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_jobs();
        self.shortcuts(&ctx);
        self.apply_commands();
        let job = self.job_view();
        let mut out = Vec::new();
        views::chrome::top_bar_ui(ui, &self.state, self.ws.is_some(), job.is_some(), &mut out);
        views::chrome::status_bar_ui(
            ui,
            self.ws.as_ref(),
            &self.state.author(),
            job.as_ref(),
            self.notice.as_ref(),
            &mut out,
        );
        match (&mut self.ws, self.state.view) {
            (None, _) => views::chrome::empty_ui(ui, job.as_ref(), &mut out),
            (ws, View::Import) => {
                views::import::import_ui(ui, &mut self.import, ws.as_ref(), job.as_ref(), &mut out)
            }
            (Some(ws), View::Review) => {
                views::review::review_ui(ui, &mut self.state.queue, &mut self.review, ws, &mut out)
            }
            (Some(_), View::Indicators) => {
                self.indicators.poll(&ctx);
                views::indicators::indicators_ui(ui, &mut self.indicators, &mut out)
            }
            (Some(ws), View::Transcoding) => views::transcoding::transcoding_ui(
                ui,
                &mut self.state.table,
                &mut self.table,
                ws,
                &mut out,
            ),
        }
        views::dialogs::dialogs_ui(
            &ctx,
            &mut self.dialog,
            &mut self.import.mapping,
            job.as_ref(),
            &mut out,
        );
        self.commands.extend(out);
        if !self.commands.is_empty() {
            // Applied at the start of the next frame, which comes at once.
            ctx.request_repaint();
        }
        if self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            eframe::set_value(storage, eframe::APP_KEY, &self.state);
        }
    }
}
