//! The eframe application: it owns the open workspace, the running job and
//! the state of each view; each frame it polls the jobs, turns the keyboard
//! into commands, draws the panels (which push more commands), and applies
//! every command at one place ([`WorkbenchApp::apply`]). Decisions go
//! through the review core and are committed before the queue moves on;
//! the queue and table are patched at once from what was written, and a
//! fresh snapshot is read on a worker thread to bring the progress figures
//! up to date. Nothing here runs SQL per frame.

use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use crate::error::{Error, Result};
use crate::export::portal::{PortalOptions, PortalSummary};
use crate::import::ImportOptions;
use crate::indicators::{PendingShare, Period, YearRange};
use crate::jobs::{Job, Progress};
use crate::matching::engine::MatchSummary;
use crate::model::linking::{Candidate, TargetLevel};
use crate::normalize::normalize_name;
use crate::review::queue::filter_queue;
use crate::review::{
    self, AuditEntry, DecisionKey, IdenticalPreview, Note, QueueItem, ReferentialSearch, SearchHit,
    UndoState,
};
use crate::store::Store;

use super::command::Command;
use super::diff::{Column, align};
use super::model::{self, ImportRun, ImportStop, Loaded, MappingRequest, Snapshot};
use super::state::{UiState, View};
use super::views::indicators::IndicatorsState;
use super::{theme, views};

mod keys;
mod launch;
mod portal;
mod session;

use keys::describe_step;
pub use session::{
    Detail, Dialog, ImportState, JobKind, JobView, Notice, PortalExport, ReviewState, TableState,
    Workspace,
};

/// How many hits the manual search lists.
const SEARCH_HITS: usize = 50;

enum Work {
    Load(Job<Loaded>, PathBuf),
    Import(Job<ImportRun>),
    Export(Job<u64>, PathBuf),
    Portal(Job<PortalSummary>),
}

impl Work {
    fn progress(&self) -> &Arc<Progress> {
        match self {
            Work::Load(j, _) => &j.progress,
            Work::Import(j) => &j.progress,
            Work::Export(j, _) => &j.progress,
            Work::Portal(j) => &j.progress,
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Work::Load(j, _) => j.is_finished(),
            Work::Import(j) => j.is_finished(),
            Work::Export(j, _) => j.is_finished(),
            Work::Portal(j) => j.is_finished(),
        }
    }
}

struct Running {
    kind: JobKind,
    work: Work,
}

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

    /// The dialog shown, if any.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// Queues a command, as a view would.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    // ----- jobs -----

    fn progress(&self) -> Arc<Progress> {
        let progress = Progress::new();
        let ctx = self.ctx.clone();
        progress.set_repaint_hook(Arc::new(move || ctx.request_repaint()));
        progress
    }

    fn job_view(&self) -> Option<JobView> {
        self.job.as_ref().map(|r| {
            let p = r.work.progress();
            JobView {
                kind: r.kind,
                phase: model::phase_label(&p.phase()),
                done: p.done(),
                total: p.total(),
            }
        })
    }

    fn writing(&self) -> Option<JobKind> {
        self.job.as_ref().map(|r| r.kind).filter(|k| k.writes())
    }

    /// Opens a native file dialog on its own thread, so that the window
    /// keeps drawing while it is open; `choose` runs the dialog and turns
    /// the choice into the command to apply (none when cancelled), which
    /// [`Self::poll_jobs`] picks up.
    fn file_dialog(&mut self, choose: impl FnOnce() -> Option<Command> + Send + 'static) {
        if self.file_dialog.is_some() {
            self.say_error("Un dialogue de fichier est déjà ouvert");
            return;
        }
        let (tx, rx) = mpsc::channel();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("datamed-file-dialog".into())
            .spawn(move || {
                let _ = tx.send(choose());
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.file_dialog = Some(rx),
            Err(e) => self.say_error(format!("Le dialogue de fichier n'a pas pu s'ouvrir : {e}")),
        }
    }

    fn start_open(&mut self, path: PathBuf, prepare_sample: bool) {
        let author = self.state.author();
        let target = path.clone();
        let spawned = Job::spawn("datamed-open", self.progress(), move |p| {
            model::open(&target, &author, prepare_sample, p)
        });
        let kind = if prepare_sample {
            JobKind::Prepare
        } else {
            JobKind::Open
        };
        self.start(kind, spawned.map(|j| Work::Load(j, path)));
    }

    fn start(&mut self, kind: JobKind, work: Result<Work>) {
        if let Some(running) = &self.job {
            self.say_error(format!(
                "{} en cours : attendez sa fin ou annulez-la",
                running.kind.label()
            ));
            return;
        }
        match work {
            Ok(work) => self.job = Some(Running { kind, work }),
            Err(e) => self.fail(&e),
        }
    }

    fn start_refresh(&mut self) {
        let Some(ws) = &self.ws else { return };
        self.generation += 1;
        let path = ws.path.clone();
        match Job::spawn("datamed-refresh", self.progress(), move |_| {
            model::refresh(&path)
        }) {
            Ok(job) => self.refresh = Some((self.generation, job)),
            Err(e) => self.fail(&e),
        }
    }

    fn poll_jobs(&mut self) {
        if let Some(rx) = &self.file_dialog {
            match rx.try_recv() {
                Ok(chosen) => {
                    self.file_dialog = None;
                    self.commands.extend(chosen);
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => self.file_dialog = None,
            }
        }
        if self.job.as_ref().is_some_and(|r| r.work.is_finished())
            && let Some(running) = self.job.take()
        {
            self.finish(running);
        }
        if self.refresh.as_ref().is_some_and(|(_, j)| j.is_finished())
            && let Some((generation, job)) = self.refresh.take()
        {
            match job.join() {
                Ok(snap) if generation == self.generation => self.replace_snapshot(snap),
                Ok(_) => {}
                Err(e) => self.fail(&e),
            }
        }
    }

    fn finish(&mut self, running: Running) {
        match running.work {
            Work::Load(job, path) => match job.join() {
                Ok(loaded) => {
                    let matched = loaded.matched.is_some();
                    self.install(path, loaded);
                    if matched {
                        self.say("Appariement terminé : la file de revue est à jour");
                    }
                }
                Err(e) => self.fail(&e),
            },
            Work::Import(job) => match job.join() {
                Ok(run) => self.imported(run),
                Err(e) => self.fail(&e),
            },
            Work::Export(job, out) => match job.join() {
                Ok(n) => self.say(format!("{n} lignes exportées dans {}", out.display())),
                Err(e) => self.fail(&e),
            },
            Work::Portal(job) => self.portal_exported(job.join()),
        }
    }

    fn install(&mut self, path: PathBuf, loaded: Loaded) {
        self.state.remember_workspace(&path);
        let title = format!(
            "DataMed Workbench — {}",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().to_string()
            )
        );
        self.ctx
            .send_viewport_cmd(egui::ViewportCommand::Title(title));
        if loaded.matched.is_some() {
            self.import.matched = loaded.matched;
        }
        if loaded.reused > 0 {
            self.say(format!(
                "{} nom(s) reprennent une décision déjà prise (consigné dans l'historique)",
                loaded.reused
            ));
        }
        self.indicators.reset(&path);
        self.ws = Some(Workspace {
            path,
            store: loaded.store,
            snap: loaded.snapshot,
            search: Arc::new(loaded.search),
        });
        self.review.selected = 0;
        self.review.picked = None;
        self.table.selected = None;
        self.refilter_queue(None);
        self.refilter_table();
        self.load_detail();
        self.load_undo_state();
    }

    fn replace_snapshot(&mut self, snap: Snapshot) {
        let keep = self.review.current().map(|i| i.name.id);
        let keep_row = self.selected_table_name();
        if let Some(ws) = &mut self.ws {
            ws.snap = snap;
        }
        self.indicators.invalidate();
        self.refilter_queue(keep);
        self.refilter_table_keeping(keep_row);
        if self.review.current().map(|i| i.name.id) != keep {
            self.load_detail();
        }
    }

    fn imported(&mut self, run: ImportRun) {
        let done = run.imported.len();
        self.import
            .files
            .retain(|f| !run.imported.iter().any(|i| &i.path == f));
        match &run.stop {
            Some(ImportStop::Mapping(m)) => {
                self.import.mapping = Some(m.clone());
                self.say_error(format!(
                    "{} : des colonnes attendues manquent ; choisissez les colonnes correspondantes",
                    m.file.display()
                ));
            }
            Some(ImportStop::Failed { message, .. }) => self.say_error(format!(
                "{done} fichier(s) importé(s), puis arrêt : {message}"
            )),
            None => self.say(format!(
                "{done} fichier(s) importé(s) ; lancez l'appariement pour revoir les nouveaux noms"
            )),
        }
        self.import.last = Some(run);
        self.start_refresh();
    }

    // ----- queue, table, detail -----

    fn refilter_queue(&mut self, keep: Option<i64>) {
        let Some(ws) = &self.ws else {
            self.review.queue.clear();
            self.review.observations = 0;
            return;
        };
        let query = self.state.queue.query();
        self.review.queue = filter_queue(ws.snap.rows.clone(), &ws.snap.flagged, &query);
        self.review.observations = self.review.queue.iter().map(|i| i.name.n_obs).sum();
        if let Some(id) = keep
            && let Some(pos) = self.review.queue.iter().position(|i| i.name.id == id)
        {
            self.review.selected = pos;
        }
        self.clamp_selection();
    }

    fn clamp_selection(&mut self) {
        let n = self.review.queue.len();
        self.review.selected = self.review.selected.min(n.saturating_sub(1));
    }

    fn load_detail(&mut self) {
        self.review.picked = None;
        self.review.detail = None;
        let (Some(ws), Some(item)) = (&self.ws, self.review.queue.get(self.review.selected)) else {
            return;
        };
        let id = item.name.id;
        let typed = item.name.normalized.clone();
        let read = ws
            .store
            .candidates_of(id)
            .and_then(|c| review::history(&ws.store, id).map(|h| (c, h)));
        match read {
            Ok((candidates, history)) => {
                let alignments = candidates
                    .iter()
                    .map(|c| align(&typed, &normalize_name(&c.target_name)))
                    .collect();
                self.review.detail = Some(Detail {
                    name_id: id,
                    candidates,
                    alignments,
                    history,
                });
            }
            Err(e) => self.fail(&e),
        }
    }

    fn load_undo_state(&mut self) {
        let Some(ws) = &self.ws else { return };
        match review::undo_state(&ws.store, &self.state.author()) {
            Ok(u) => self.review.undo = u,
            Err(e) => self.fail(&e),
        }
    }

    fn selected_table_name(&self) -> Option<i64> {
        let ws = self.ws.as_ref()?;
        let pos = *self.table.rows.get(self.table.selected?)?;
        ws.snap.rows.get(pos).map(|r| r.name.id)
    }

    fn refilter_table(&mut self) {
        let keep = self.selected_table_name();
        self.refilter_table_keeping(keep);
    }

    fn refilter_table_keeping(&mut self, keep: Option<i64>) {
        let Some(ws) = &self.ws else {
            self.table.rows.clear();
            return;
        };
        self.table.rows = views::transcoding::filter_rows(&ws.snap, &self.state.table);
        self.table.selected = keep.and_then(|id| {
            self.table
                .rows
                .iter()
                .position(|&r| ws.snap.rows.get(r).is_some_and(|row| row.name.id == id))
        });
        if self.table.selected.is_none() {
            self.table.history.clear();
        }
    }

    fn load_table_history(&mut self) {
        self.table.history.clear();
        let (Some(ws), Some(id)) = (&self.ws, self.selected_table_name()) else {
            return;
        };
        match review::history(&ws.store, id) {
            Ok(h) => self.table.history = h,
            Err(e) => self.fail(&e),
        }
    }

    // ----- decisions -----

    /// Runs a reviewer action on the workspace and brings the views up to
    /// date from what it wrote. `advance`: the queue moves to the next name.
    fn act(
        &mut self,
        advance: bool,
        action: impl FnOnce(&mut Store, &Note) -> Result<Vec<AuditEntry>>,
    ) {
        if let Some(kind) = self.writing() {
            self.say_error(format!(
                "{} en cours : la décision attendra sa fin",
                kind.label()
            ));
            return;
        }
        let note = Note::by(&self.state.author());
        let Some(ws) = &mut self.ws else { return };
        match action(&mut ws.store, &note) {
            Ok(entries) if entries.is_empty() => self.say("Rien à faire"),
            Ok(entries) => self.after_step(&entries, advance),
            Err(e) => self.fail(&e),
        }
    }

    fn after_step(&mut self, entries: &[AuditEntry], advance: bool) {
        let before = self.review.current().map(|i| i.name.id);
        if let Some(ws) = &mut self.ws {
            for e in entries {
                for row in ws.snap.rows.iter_mut() {
                    if DecisionKey::of(&row.name) == e.key {
                        row.decision = e.after.clone();
                    }
                }
            }
        }
        let old_index = self.review.selected;
        self.refilter_queue(None);
        if advance {
            // The decided name left the queue: the same row is the next
            // name. If it stayed (shown deferred), step over it.
            self.review.selected = match before {
                Some(id)
                    if self
                        .review
                        .queue
                        .get(old_index)
                        .is_some_and(|i| i.name.id == id) =>
                {
                    old_index + 1
                }
                _ => old_index,
            };
        } else if let Some(first) = entries.first() {
            // Undo, redo, comment: show the name concerned.
            if let Some(pos) = self
                .review
                .queue
                .iter()
                .position(|i| DecisionKey::of(&i.name) == first.key)
            {
                self.review.selected = pos;
            }
        }
        self.clamp_selection();
        self.review.scroll_to_selected = true;
        self.say(describe_step(entries));
        self.refilter_table();
        self.load_table_history();
        self.load_detail();
        self.load_undo_state();
        self.start_refresh();
    }

    fn selected_id(&mut self) -> Option<i64> {
        let id = self.review.current().map(|i| i.name.id);
        if id.is_none() {
            self.say_error("Aucun nom sélectionné dans la file");
        }
        id
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
            Error::Cancelled => self.say("Annulé : rien n'a été écrit"),
            e => self.say_error(e.to_string()),
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

    fn apply(&mut self, command: Command) {
        match command {
            Command::NewWorkspaceDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Nouvel espace de travail")
                    .add_filter("Espace de travail DataMed", &["sqlite"])
                    .set_file_name("espace.sqlite")
                    .save_file()
                    .map(Command::OpenWorkspace)
            }),
            Command::OpenWorkspaceDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Ouvrir un espace de travail")
                    .add_filter("Espace de travail DataMed", &["sqlite", "db"])
                    .pick_file()
                    .map(Command::OpenWorkspace)
            }),
            Command::OpenWorkspace(path) => self.start_open(path, false),
            Command::ImportFilesDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Importer des fichiers")
                    .add_filter(
                        "Extraits BNPV, CODEX, BDPM, Open Medic",
                        &["csv", "txt", "xlsx", "xls", "ods"],
                    )
                    .pick_files()
                    .map(Command::AddImportFiles)
            }),
            Command::ExportDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Exporter la table de transcodage")
                    .add_filter("CSV", &["csv"])
                    .set_file_name("transcodage.csv")
                    .save_file()
                    .map(Command::Export)
            }),
            Command::Export(out) => {
                let Some(ws) = &self.ws else { return };
                let path = ws.path.clone();
                let target = out.clone();
                let job = Job::spawn("datamed-export", self.progress(), move |_| {
                    model::export(&path, &target)
                });
                self.start(JobKind::Export, job.map(|j| Work::Export(j, out)));
            }
            Command::OpenPortalExport => self.open_portal_export(),
            Command::PortalDirDialog => {
                let start = match &self.dialog {
                    Some(Dialog::PortalExport(d)) => PathBuf::from(d.out.trim()),
                    _ => return,
                };
                self.file_dialog(move || {
                    let mut dialog =
                        rfd::FileDialog::new().set_title("Dossier de l'export pour le portail");
                    if let Some(parent) = start.parent().filter(|p| p.is_dir()) {
                        dialog = dialog.set_directory(parent);
                    }
                    dialog.pick_folder().map(Command::SetPortalDir)
                })
            }
            Command::SetPortalDir(dir) => {
                if let Some(Dialog::PortalExport(d)) = &mut self.dialog {
                    d.out = dir.display().to_string();
                    d.outcome = None;
                }
            }
            Command::StartPortalExport => self.start_portal_export(),
            Command::AddImportFiles(files) => {
                for f in files {
                    if !self.import.files.contains(&f) {
                        self.import.files.push(f);
                    }
                }
                self.state.view = View::Import;
            }
            Command::RemoveImportFile(i) => {
                if i < self.import.files.len() {
                    self.import.files.remove(i);
                }
            }
            Command::StartImport => self.start_import(Vec::new()),
            Command::ApplyMapping => {
                if let Some(m) = self.import.mapping.take() {
                    // The mapped file first, then the ones after it.
                    let mut files = vec![m.file.clone()];
                    files.extend(m.remaining.iter().cloned());
                    self.import.files.retain(|f| !files.contains(f));
                    let mut ordered = files;
                    ordered.append(&mut self.import.files);
                    self.import.files = ordered;
                    self.start_import(m.pairs());
                }
            }
            Command::CloseMapping => self.import.mapping = None,
            Command::StartMatching => {
                let Some(ws) = &self.ws else { return };
                let path = ws.path.clone();
                let author = self.state.author();
                let target = path.clone();
                let job = Job::spawn("datamed-match", self.progress(), move |p| {
                    model::match_and_open(&target, &author, p)
                });
                self.start(JobKind::Match, job.map(|j| Work::Load(j, path)));
            }
            Command::CancelJob => {
                if let Some(r) = &self.job {
                    r.work.progress().cancel();
                }
            }
            Command::ShowView(v) => self.state.view = v,
            Command::PickSubstance(code) => self.indicators.pick(&code),
            Command::RecomputeIndicators => self.indicators.change_period(),
            Command::OpenSettings => {
                self.dialog = Some(Dialog::Settings {
                    reviewer: self.state.author(),
                })
            }
            Command::CloseDialog => self.dialog = None,
            Command::SaveSettings => {
                if let Some(Dialog::Settings { reviewer }) = self.dialog.take() {
                    self.state.reviewer = reviewer.trim().to_string();
                    self.load_undo_state();
                    self.say(format!("Relecteur : {}", self.state.author()));
                }
            }
            Command::RefilterQueue => {
                let keep = self.review.current().map(|i| i.name.id);
                self.refilter_queue(keep);
                self.review.scroll_to_selected = true;
                if self.review.detail.as_ref().map(|d| d.name_id)
                    != self.review.current().map(|i| i.name.id)
                {
                    self.load_detail();
                }
            }
            Command::SelectQueueRow(i) => {
                if i < self.review.queue.len() && i != self.review.selected {
                    self.review.selected = i;
                    self.load_detail();
                }
            }
            Command::MoveSelection(delta) => {
                let n = self.review.queue.len();
                if n > 0 {
                    let to = self.review.selected.saturating_add_signed(delta).min(n - 1);
                    if to != self.review.selected {
                        self.review.selected = to;
                        self.review.scroll_to_selected = true;
                        self.load_detail();
                    }
                }
            }
            Command::PickCandidate(rank) => {
                let exists = self
                    .review
                    .detail
                    .as_ref()
                    .is_some_and(|d| d.candidates.iter().any(|c| c.rank == rank));
                if exists {
                    self.review.picked = Some(rank);
                } else {
                    self.say_error(format!("Pas de candidat {rank} pour ce nom"));
                }
            }
            Command::Approve => {
                let Some(id) = self.selected_id() else { return };
                let Some(rank) = self.review.rank_to_approve() else {
                    self.say_error(
                        "Aucun candidat : cherchez la cible dans le référentiel (M) ou rejetez (R)",
                    );
                    return;
                };
                self.act(true, |s, n| {
                    review::approve_candidate(s, id, rank, n).map(|e| vec![e])
                });
            }
            Command::Reject => {
                let Some(id) = self.selected_id() else { return };
                self.act(true, |s, n| review::reject(s, id, n).map(|e| vec![e]));
            }
            Command::Defer => {
                let Some(id) = self.selected_id() else { return };
                self.act(true, |s, n| review::defer(s, id, n).map(|e| vec![e]));
            }
            Command::OpenComment => {
                if self.selected_id().is_some() {
                    let text = self
                        .review
                        .current()
                        .and_then(|i| i.decision.as_ref())
                        .and_then(|d| d.comment.clone())
                        .unwrap_or_default();
                    self.dialog = Some(Dialog::Comment { text });
                }
            }
            Command::SaveComment => {
                if let Some(Dialog::Comment { text }) = self.dialog.take() {
                    let Some(id) = self.selected_id() else { return };
                    self.act(false, |s, n| {
                        review::comment(s, id, &text, &n.author).map(|e| vec![e])
                    });
                }
            }
            Command::Undo => self.act(false, |s, n| {
                Ok(review::undo(s, &n.author)?.unwrap_or_default())
            }),
            Command::Redo => self.act(false, |s, n| {
                Ok(review::redo(s, &n.author)?.unwrap_or_default())
            }),
            Command::FocusSearch => {
                self.state.view = View::Review;
                self.review.focus_search = true;
            }
            Command::OpenManualSearch => {
                if self.selected_id().is_some() {
                    let text = self
                        .review
                        .current()
                        .map(|i| i.name.name.clone())
                        .unwrap_or_default();
                    self.dialog = Some(Dialog::ManualSearch {
                        text,
                        level: None,
                        hits: Vec::new(),
                        checked: Vec::new(),
                        focus: true,
                    });
                    self.apply(Command::RunManualSearch);
                }
            }
            Command::RunManualSearch => {
                let Some(ws) = &self.ws else { return };
                if let Some(Dialog::ManualSearch {
                    text,
                    level,
                    hits,
                    checked,
                    ..
                }) = &mut self.dialog
                {
                    *hits = ws.search.find(text, *level, SEARCH_HITS);
                    *checked = vec![false; hits.len()];
                }
            }
            Command::ApproveTargets => {
                let Some(Dialog::ManualSearch { hits, checked, .. }) = &self.dialog else {
                    return;
                };
                let targets: Vec<SearchHit> = hits
                    .iter()
                    .zip(checked)
                    .filter(|(_, c)| **c)
                    .map(|(h, _)| h.clone())
                    .collect();
                let Some(id) = self.selected_id() else { return };
                self.dialog = None;
                self.act(true, |s, n| {
                    review::approve_targets(s, id, &targets, n).map(|e| vec![e])
                });
            }
            Command::PreviewIdentical => {
                let Some(id) = self.selected_id() else { return };
                let Some(ws) = &self.ws else { return };
                match review::identical_preview(&ws.store, id) {
                    Ok(p) if p.names.is_empty() => {
                        self.say("Aucun autre nom identique une fois normalisé n'attend de revue")
                    }
                    Ok(p) => self.dialog = Some(Dialog::Identical(Box::new(p))),
                    Err(e) => self.fail(&e),
                }
            }
            Command::ApplyIdentical => {
                if let Some(Dialog::Identical(p)) = self.dialog.take() {
                    let Some(first) = p.names.first() else { return };
                    let source = p.source.clone();
                    let id = self
                        .ws
                        .as_ref()
                        .and_then(|ws| {
                            ws.snap
                                .rows
                                .iter()
                                .find(|r| DecisionKey::of(&r.name) == source.key)
                        })
                        .map_or(first.id, |r| r.name.id);
                    self.act(false, |s, n| review::apply_to_identical(s, id, n));
                }
            }
            Command::RefilterTable => self.refilter_table(),
            Command::SelectTableRow(i) => {
                if i < self.table.rows.len() {
                    self.table.selected = Some(i);
                    self.load_table_history();
                }
            }
            Command::Revert(entry) => {
                self.act(false, |s, n| review::revert(s, entry, n).map(|e| vec![e]))
            }
            Command::DismissNotice => self.notice = None,
            Command::Quit => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    fn start_import(&mut self, mapping: Vec<(String, String)>) {
        let Some(ws) = &self.ws else {
            self.say_error("Ouvrez ou créez d'abord un espace de travail (Fichier)");
            return;
        };
        if self.import.files.is_empty() {
            self.say_error(
                "Aucun fichier à importer : choisissez-en ou déposez-les sur la fenêtre",
            );
            return;
        }
        let options = ImportOptions {
            kind: None,
            replace: self.import.replace,
            mapping,
            user: self.state.author(),
        };
        let path = ws.path.clone();
        let files = self.import.files.clone();
        let job = Job::spawn("datamed-import", self.progress(), move |p| {
            model::import_files(&path, &files, &options, p)
        });
        self.start(JobKind::Import, job.map(Work::Import));
    }

    // ----- keyboard -----
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
