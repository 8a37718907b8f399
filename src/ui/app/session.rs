//! The in-memory state of a session of the window: the open workspace and
//! what was read from it, each view's state, the dialog shown, the last
//! message, and the running job as the status bar shows it. Plain data; the
//! application in [`super`] changes it.

use super::*;

/// The open workspace and what is read from it.
pub struct Workspace {
    /// Its file.
    pub path: PathBuf,
    /// The UI thread's connection: quick reads and decisions.
    pub store: Store,
    /// Names, decisions, progress, batches.
    pub snap: Snapshot,
    /// The referential for the manual search.
    pub search: Arc<ReferentialSearch>,
}

/// The selected name's details, read when the selection changes.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// The name's id.
    pub name_id: i64,
    /// Its ranked candidates.
    pub candidates: Vec<Candidate>,
    /// Each candidate's name aligned with the typed name (normalised).
    pub alignments: Vec<Vec<Column>>,
    /// The audit entries of its key, oldest first.
    pub history: Vec<AuditEntry>,
}

/// The review view's state.
#[derive(Debug, Default)]
pub struct ReviewState {
    /// The queue as filtered and sorted.
    pub queue: Vec<QueueItem>,
    /// Observations of the names in the queue (summed when it is
    /// filtered, not per frame).
    pub observations: i64,
    /// Selected row of the queue.
    pub selected: usize,
    /// Scroll the queue to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// The candidate picked (rank), none for the best.
    pub picked: Option<u32>,
    /// The selected name's details.
    pub detail: Option<Detail>,
    /// Put the keyboard focus in the search field on the next frame.
    pub focus_search: bool,
    /// How far the reviewer can undo and redo.
    pub undo: UndoState,
}

impl ReviewState {
    /// The selected queue item.
    pub fn current(&self) -> Option<&QueueItem> {
        self.queue.get(self.selected)
    }

    /// The rank the reviewer would approve with: the one picked, else the
    /// best.
    pub fn rank_to_approve(&self) -> Option<u32> {
        let detail = self.detail.as_ref()?;
        match self.picked {
            Some(r) => detail
                .candidates
                .iter()
                .find(|c| c.rank == r)
                .map(|c| c.rank),
            None => detail.candidates.first().map(|c| c.rank),
        }
    }
}

/// The transcoding table's state.
#[derive(Debug, Default)]
pub struct TableState {
    /// Indices into the snapshot's rows, as filtered.
    pub rows: Vec<usize>,
    /// Selected position in `rows`.
    pub selected: Option<usize>,
    /// The selected name's audit entries.
    pub history: Vec<AuditEntry>,
}

/// The import view's state.
#[derive(Debug, Default)]
pub struct ImportState {
    /// Files chosen or dropped, to import.
    pub files: Vec<PathBuf>,
    /// Import again files already imported.
    pub replace: bool,
    /// The last import's report.
    pub last: Option<ImportRun>,
    /// The column-mapping dialog, when a file needs one.
    pub mapping: Option<MappingRequest>,
    /// The last matching summary.
    pub matched: Option<MatchSummary>,
}

/// A dialog over the window.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// The comment of the selected name.
    Comment {
        /// The text typed.
        text: String,
    },
    /// Settings: the reviewer's name.
    Settings {
        /// The name typed.
        reviewer: String,
    },
    /// Manual search of the referential.
    ManualSearch {
        /// The text typed.
        text: String,
        /// Only this level.
        level: Option<TargetLevel>,
        /// Results.
        hits: Vec<SearchHit>,
        /// Results checked.
        checked: Vec<bool>,
        /// Put the focus in the text field.
        focus: bool,
    },
    /// Confirmation of "apply to identical normalised names".
    Identical(Box<IdenticalPreview>),
    /// The portal export: its settings, then its outcome.
    PortalExport(Box<PortalExport>),
}

/// The portal export dialog's state.
#[derive(Debug, Clone)]
pub struct PortalExport {
    /// The output directory, as typed or chosen.
    pub out: String,
    /// Export even though pending observations exceed the limit.
    pub allow_pending: bool,
    /// Observations pending review when the dialog opened.
    pub pending: PendingShare,
    /// The largest pending share the workspace accepts.
    pub max_pending: f64,
    /// The years exported.
    pub period: Period,
    /// The years they stand for, when computed ("2009–2018").
    pub years: Option<YearRange>,
    /// The last export's outcome: what it wrote, or why it failed.
    pub outcome: Option<std::result::Result<PortalSummary, String>>,
}

impl PortalExport {
    /// Whether pending observations exceed the workspace's limit.
    pub fn above_limit(&self) -> bool {
        self.pending.share() > self.max_pending
    }

    /// Whether the Export button may start: a directory is given, and the
    /// pending share is within the limit or knowingly overridden.
    pub fn ready(&self) -> bool {
        !self.out.trim().is_empty() && (!self.above_limit() || self.allow_pending)
    }
}

/// A message line under the views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// What a job does, for its label and for what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// First run: the sample workspace.
    Prepare,
    /// Opening a workspace.
    Open,
    /// Importing files.
    Import,
    /// Matching.
    Match,
    /// Exporting the transcoding table.
    Export,
    /// Exporting the portal datasets.
    PortalExport,
}

impl JobKind {
    /// The label agents read.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Prepare => "Préparation de l'espace d'exemple",
            JobKind::Open => "Ouverture",
            JobKind::Import => "Import",
            JobKind::Match => "Appariement",
            JobKind::Export => "Export",
            JobKind::PortalExport => "Export pour le portail",
        }
    }

    /// Whether it writes to the workspace (decisions wait for it).
    pub fn writes(self) -> bool {
        !matches!(self, JobKind::Export | JobKind::PortalExport)
    }
}

/// The running job, as the status bar shows it.
pub struct JobView {
    /// What it does.
    pub kind: JobKind,
    /// Its phase, in French.
    pub phase: String,
    /// Units done and expected (0 when unknown).
    pub done: u64,
    /// Units expected.
    pub total: u64,
}
