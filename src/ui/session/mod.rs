//! The in-memory state of a session of the window: the open workspace and
//! what was read from it, each view's state, the dialog shown, the last
//! message, and the running job as the status bar shows it. Plain data: the
//! application ([`super::app`]) changes it, the views ([`super::views`])
//! draw it; a sibling of both, so that views never import the application.
//! [`review`] holds the review queue's state, [`indicators`] the
//! Indicateurs view's (which talks to its worker in
//! [`super::model::indicators`]).

pub mod indicators;
pub mod review;
pub mod settings;

use std::path::PathBuf;
use std::sync::Arc;

use crate::export::portal::PortalSummary;
use crate::export::publication::DryRun;
use crate::indicators::{PendingShare, Period, YearRange};
use crate::jobs::Phase;
use crate::matching::engine::MatchSummary;
use crate::model::linking::TargetLevel;
use crate::review::{AuditEntry, IdenticalPreview, ReferentialSearch, SearchHit};
use crate::store::Store;

use super::model::{ImportRun, MappingRequest, Snapshot};

pub use indicators::{Figures, IndicatorsState};
pub use review::{Detail, IdenticalOffer, ReviewState};

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
        /// The text when the dialog opened (Échap asks before discarding
        /// a change).
        original: String,
        /// Échap was pressed on a changed text: the dialog asks.
        confirm_discard: bool,
    },
    /// The keyboard shortcuts (F1 or ?, Aide menu).
    Shortcuts,
    /// Réglages: the reviewer's name and the workspace settings.
    Settings(settings::SettingsForm),
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
        /// The result ↓/↑ point at (Entrée validates with it when none
        /// is checked, Espace checks it).
        cursor: usize,
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
    /// What exporting now would change against the last export (dry run),
    /// or why it could not be computed.
    pub preview: Option<std::result::Result<DryRun, String>>,
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
    /// Computing what a portal export would change (dry run).
    PortalPreview,
}

impl JobKind {
    /// Every kind of job.
    pub const ALL: [JobKind; 7] = [
        JobKind::Prepare,
        JobKind::Open,
        JobKind::Import,
        JobKind::Match,
        JobKind::Export,
        JobKind::PortalExport,
        JobKind::PortalPreview,
    ];

    /// Whether it writes to the workspace (decisions wait for it).
    pub fn writes(self) -> bool {
        !matches!(
            self,
            JobKind::Export | JobKind::PortalExport | JobKind::PortalPreview
        )
    }
}

/// The running job, as the status bar shows it.
pub struct JobView {
    /// What it does.
    pub kind: JobKind,
    /// Its phase.
    pub phase: Phase,
    /// Units done and expected (0 when unknown).
    pub done: u64,
    /// Units expected.
    pub total: u64,
}
