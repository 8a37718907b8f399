//! Long work (import, matching, export) runs on a named worker thread. This
//! module owns the shared [`Progress`] (counters, [`Phase`], cancel flag)
//! that the worker updates and the window or the CLI reads, and the [`Job`]
//! handle that starts the thread and collects its result. No UI types: the
//! repaint hook is a plain callback, and a phase is a typed value that the
//! CLI prints in English and the window words in French.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::error::{Error, Result};

/// What long work is doing now: every phase any worker reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing reported yet.
    #[default]
    Starting,
    /// Opening a workspace (preparing the sample on first run).
    OpenWorkspace,
    /// Reading what the window shows of a workspace.
    ReadWorkspace,
    /// Loading the referential (matching, the manual search).
    LoadReferential,
    /// Linking every distinct name.
    MatchNames,
    /// Writing matching's results.
    SaveResults,
    /// Ranking the names of a labelled set (`evaluate`).
    RankLabelledNames,
    /// Importing one file (its name as shown).
    Import {
        /// The file's name, without its folder.
        file: String,
    },
    /// Reading the BDPM and DataMed lists the sample is drawn from.
    ReadReferenceData,
    /// Generating the synthetic cases.
    GenerateCases,
    /// Writing the synthetic CODEX tables.
    WriteCodex,
    /// Writing the BDPM subset of the sample.
    WriteBdpmSubset,
    /// Portal export: checking the share of observations pending review.
    CheckPending,
    /// Portal export: preparing the linked observations of the period.
    PrepareIndicators,
    /// Portal export: the indicators of every substance.
    SubstanceIndicators,
    /// Portal export: the indicators of the whole base.
    GlobalIndicators,
    /// Portal export: the transcoding table.
    TranscodingTable,
    /// Portal export: writing the files (one unit per table).
    WriteFiles,
    /// Portal export: moving the finished directory into place.
    ReplaceDirectory,
}

impl Phase {
    /// Every phase without a file, in the order work meets them, and one
    /// import: for tests that walk every phase.
    pub fn examples() -> Vec<Phase> {
        vec![
            Phase::Starting,
            Phase::OpenWorkspace,
            Phase::ReadWorkspace,
            Phase::LoadReferential,
            Phase::MatchNames,
            Phase::SaveResults,
            Phase::RankLabelledNames,
            Phase::Import {
                file: "Effets.csv".into(),
            },
            Phase::ReadReferenceData,
            Phase::GenerateCases,
            Phase::WriteCodex,
            Phase::WriteBdpmSubset,
            Phase::CheckPending,
            Phase::PrepareIndicators,
            Phase::SubstanceIndicators,
            Phase::GlobalIndicators,
            Phase::TranscodingTable,
            Phase::WriteFiles,
            Phase::ReplaceDirectory,
        ]
    }
}

/// The phase in English, as the command line prints it.
impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Phase::Starting => "starting",
            Phase::OpenWorkspace => "open workspace",
            Phase::ReadWorkspace => "read workspace",
            Phase::LoadReferential => "load referential",
            Phase::MatchNames => "match names",
            Phase::SaveResults => "save results",
            Phase::RankLabelledNames => "rank labelled names",
            Phase::Import { file } => return write!(f, "import {file}"),
            Phase::ReadReferenceData => "reading BDPM and DataMed lists",
            Phase::GenerateCases => "generating cases",
            Phase::WriteCodex => "writing CODEX",
            Phase::WriteBdpmSubset => "writing BDPM subset",
            Phase::CheckPending => "check pending",
            Phase::PrepareIndicators => "prepare indicators",
            Phase::SubstanceIndicators => "substance indicators",
            Phase::GlobalIndicators => "global indicators",
            Phase::TranscodingTable => "transcoding table",
            Phase::WriteFiles => "write files",
            Phase::ReplaceDirectory => "replace directory",
        };
        f.write_str(text)
    }
}

/// Callback the worker calls when there is something new to show.
pub type RepaintHook = Arc<dyn Fn() + Send + Sync>;

/// Progress counters shared between a worker and whoever watches it.
#[derive(Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    items: AtomicU64,
    cancel: AtomicBool,
    phase: Mutex<Phase>,
    repaint: Mutex<Option<RepaintHook>>,
}

impl Progress {
    /// A fresh progress with nothing done.
    pub fn new() -> Arc<Self> {
        Arc::new(Progress::default())
    }

    /// Starts a new phase: names it and resets the counters.
    pub fn start_phase(&self, phase: Phase, total: u64) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase;
        }
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.items.store(0, Ordering::Relaxed);
        self.repaint();
    }

    /// Sets how many items (rows, names) the phase has handled, when its
    /// units are something else (bytes of a file).
    pub fn set_items(&self, items: u64) {
        self.items.store(items, Ordering::Relaxed);
    }

    /// Items handled in the current phase.
    pub fn items(&self) -> u64 {
        self.items.load(Ordering::Relaxed)
    }

    /// Sets how many units are done in the current phase.
    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
        self.repaint();
    }

    /// Adds `n` to the units done.
    pub fn add_done(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
        self.repaint();
    }

    /// Units done in the current phase.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Units expected in the current phase (0 when unknown).
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Asks the worker to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether cancellation was asked.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Returns `Err(Cancelled)` when cancellation was asked; workers call it
    /// between batches so that a cancel rolls back their transaction.
    pub fn check_cancel(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Installs the callback called on every progress change.
    pub fn set_repaint_hook(&self, hook: RepaintHook) {
        if let Ok(mut r) = self.repaint.lock() {
            *r = Some(hook);
        }
    }

    fn repaint(&self) {
        if let Ok(r) = self.repaint.lock()
            && let Some(hook) = r.as_ref()
        {
            hook();
        }
    }
}

/// A unit of long work running on its own named thread.
pub struct Job<T> {
    /// Shared progress of the work.
    pub progress: Arc<Progress>,
    handle: Option<JoinHandle<Result<T>>>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a thread named `name`.
    pub fn spawn(
        name: &str,
        progress: Arc<Progress>,
        work: impl FnOnce(&Progress) -> Result<T> + Send + 'static,
    ) -> Result<Self> {
        let worker_progress = Arc::clone(&progress);
        let handle = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let result = work(&worker_progress);
                worker_progress.repaint();
                result
            })
            .map_err(|e| Error::Internal(format!("cannot start worker thread {name}: {e}")))?;
        Ok(Job {
            progress,
            handle: Some(handle),
        })
    }

    /// Whether the work has finished (the result is ready).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits for the work and returns its result.
    pub fn join(mut self) -> Result<T> {
        match self.handle.take() {
            Some(h) => h
                .join()
                .unwrap_or_else(|payload| Err(Error::panicked("the worker thread", &*payload))),
            None => Err(Error::Internal("job already joined".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_worker_is_an_internal_error_with_its_message() {
        // Issue 12, finding 9: it was a usage error (exit 2), the message lost.
        let job: Job<()> = Job::spawn("boom", Progress::new(), |_| panic!("the sky fell")).unwrap();
        let err = job.join().unwrap_err();
        assert!(matches!(err, Error::Internal(_)), "{err:?}");
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("the sky fell"), "{err}");
    }
}
