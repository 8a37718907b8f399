//! The long work of the window: starting a job on a worker thread (one at
//! a time), opening a native file dialog on its own thread, polling both
//! every frame without blocking, and taking their results — a workspace
//! opened or matched, files imported, an export written — into the
//! session.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use eframe::egui;

use super::WorkbenchApp;
use crate::error::Result;
use crate::export::portal::PortalSummary;
use crate::export::publication::DryRun;
use crate::jobs::{Job, Progress};
use crate::ui::command::Command;
use crate::ui::i18n;
use crate::ui::model::{self, ImportRun, ImportStop, Loaded, Snapshot};
use crate::ui::session::{JobKind, JobView, Workspace};

pub(super) enum Work {
    Load(Job<Loaded>, PathBuf),
    Import(Job<ImportRun>),
    Export(Job<u64>, PathBuf),
    Portal(Job<PortalSummary>),
    Preview(Job<DryRun>),
}

impl Work {
    pub(super) fn progress(&self) -> &Arc<Progress> {
        match self {
            Work::Load(j, _) => &j.progress,
            Work::Import(j) => &j.progress,
            Work::Export(j, _) => &j.progress,
            Work::Portal(j) => &j.progress,
            Work::Preview(j) => &j.progress,
        }
    }

    pub(super) fn is_finished(&self) -> bool {
        match self {
            Work::Load(j, _) => j.is_finished(),
            Work::Import(j) => j.is_finished(),
            Work::Export(j, _) => j.is_finished(),
            Work::Portal(j) => j.is_finished(),
            Work::Preview(j) => j.is_finished(),
        }
    }
}

pub(super) struct Running {
    kind: JobKind,
    work: Work,
}

impl WorkbenchApp {
    /// Asks the running job to stop (its transaction is rolled back).
    pub(super) fn cancel_job(&self) {
        if let Some(r) = &self.job {
            r.work.progress().cancel();
        }
    }

    pub(super) fn progress(&self) -> Arc<Progress> {
        let progress = Progress::new();
        let ctx = self.ctx.clone();
        progress.set_repaint_hook(Arc::new(move || ctx.request_repaint()));
        progress
    }

    pub(super) fn job_view(&self) -> Option<JobView> {
        self.job.as_ref().map(|r| {
            let p = r.work.progress();
            JobView {
                kind: r.kind,
                phase: p.phase(),
                done: p.done(),
                total: p.total(),
            }
        })
    }

    pub(super) fn writing(&self) -> Option<JobKind> {
        self.job.as_ref().map(|r| r.kind).filter(|k| k.writes())
    }

    /// Opens a native file dialog on its own thread, so that the window
    /// keeps drawing while it is open; `choose` runs the dialog and turns
    /// the choice into the command to apply (none when cancelled), which
    /// [`Self::poll_jobs`] picks up.
    pub(super) fn file_dialog(
        &mut self,
        choose: impl FnOnce() -> Option<Command> + Send + 'static,
    ) {
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
            Err(e) => self.say_error(format!(
                "Le dialogue de fichier n'a pas pu s'ouvrir : {}",
                i18n::errors::io(e.kind())
            )),
        }
    }

    pub(super) fn start_open(&mut self, path: PathBuf, prepare_sample: bool) {
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

    pub(super) fn start(&mut self, kind: JobKind, work: Result<Work>) {
        if let Some(running) = &self.job {
            self.say_error(format!(
                "{} en cours : attendez sa fin ou annulez-la",
                i18n::job_kind(running.kind)
            ));
            return;
        }
        match work {
            Ok(work) => self.job = Some(Running { kind, work }),
            Err(e) => self.fail(&e),
        }
    }

    pub(super) fn start_refresh(&mut self) {
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

    pub(super) fn poll_jobs(&mut self) {
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

    pub(super) fn finish(&mut self, running: Running) {
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
                Ok(n) => self.say(format!(
                    "{} dans {}",
                    i18n::count(n as i64, "ligne exportée", "lignes exportées"),
                    out.display()
                )),
                Err(e) => self.fail(&e),
            },
            Work::Portal(job) => self.portal_exported(job.join()),
            Work::Preview(job) => self.portal_previewed(job.join()),
        }
    }

    pub(super) fn install(&mut self, path: PathBuf, loaded: Loaded) {
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
                "{} déjà prise (consigné dans l'historique)",
                match loaded.reused {
                    1 => "1 nom reprend une décision".to_string(),
                    n => format!("{} noms reprennent une décision", i18n::int(n as i64)),
                }
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

    pub(super) fn replace_snapshot(&mut self, snap: Snapshot) {
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

    pub(super) fn imported(&mut self, run: ImportRun) {
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
            Some(ImportStop::Failed { error, .. }) => self.say_error(format!(
                "{}, puis arrêt : {}",
                i18n::count(done as i64, "fichier importé", "fichiers importés"),
                i18n::error(error)
            )),
            None => self.say(format!(
                "{} ; lancez l'appariement pour revoir les nouveaux noms",
                i18n::count(done as i64, "fichier importé", "fichiers importés")
            )),
        }
        self.import.last = Some(run);
        self.start_refresh();
    }
}
