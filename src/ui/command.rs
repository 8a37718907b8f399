//! The user's intents. Views draw and push commands; the app applies them
//! all at one place per frame (`WorkbenchApp::apply`), so that no view
//! writes to the workspace and every action is testable by emitting it.
//! The commands that open a native file dialog are separate from the ones
//! that act on chosen paths: tests emit only the latter.

use std::path::PathBuf;

use super::state::View;
use crate::export::ExportKind;

/// Something the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Choose a file for a new workspace (native dialog).
    NewWorkspaceDialog,
    /// Choose a workspace to open (native dialog).
    OpenWorkspaceDialog,
    /// Open (or create) the workspace at this path.
    OpenWorkspace(PathBuf),
    /// Choose files to import (native dialog).
    ImportFilesDialog,
    /// Choose where to export a table for Excel (native dialog).
    ExportDialog(ExportKind),
    /// Write a table to this file: a workbook for `.xlsx`, else CSV in
    /// French Excel's dialect.
    Export(ExportKind, PathBuf),
    /// Open the portal export dialog (its years: the Indicateurs view's).
    OpenPortalExport,
    /// Choose the portal export's directory (native dialog).
    PortalDirDialog,
    /// Set the portal export's directory in its dialog.
    SetPortalDir(PathBuf),
    /// Export the portal datasets as the dialog says, on a worker thread.
    StartPortalExport,
    /// Compute what the portal export would change against the last one
    /// (a dry run, on a worker thread).
    PreviewPortalExport,
    /// Add files to the import list.
    AddImportFiles(Vec<PathBuf>),
    /// Remove a file from the import list.
    RemoveImportFile(usize),
    /// Import the listed files.
    StartImport,
    /// Import again with the column mapping chosen in the dialog.
    ApplyMapping,
    /// Close the column-mapping dialog without importing.
    CloseMapping,
    /// Link every name (matching job).
    StartMatching,
    /// Stop the running job (its transaction is rolled back).
    CancelJob,
    /// Show a view.
    ShowView(View),
    /// Open the settings dialog.
    OpenSettings,
    /// Close whatever dialog is open.
    CloseDialog,
    /// Save the settings dialog.
    SaveSettings,
    /// The queue's sort or filters changed.
    RefilterQueue,
    /// Select a row of the queue.
    SelectQueueRow(usize),
    /// Move the queue selection by this many rows.
    MoveSelection(isize),
    /// Mark or unmark a row of the queue (Ctrl+clic).
    ToggleQueueRow(usize),
    /// Mark the rows from the anchor to this one (Maj+clic).
    ExtendQueueTo(usize),
    /// Mark the selected row and the one this many rows away, and move
    /// there (Maj+↓, Maj+↑).
    ExtendSelection(isize),
    /// Mark every name of the queue as filtered (Ctrl+A).
    SelectAllQueue,
    /// Unmark every name (Échap).
    ClearMarks,
    /// Apply the validation just made to the identical names (the inline
    /// offer, Entrée).
    AcceptIdenticalOffer,
    /// Close the inline offer without applying it.
    DismissOffer,
    /// Show the keyboard shortcuts (F1, ?).
    ShowShortcuts,
    /// Move the manual search's cursor by this many results.
    MoveSearchCursor(isize),
    /// Check or uncheck the manual search's result under the cursor.
    ToggleSearchHit,
    /// Échap in the comment dialog: close it, asking first when the text
    /// changed.
    EscapeComment,
    /// Pick the candidate of this rank (1 = best) for the selected name.
    PickCandidate(u32),
    /// Approve the selected name with the picked candidate, then go to the
    /// next; with marked names, approve each with its candidate 1.
    Approve,
    /// No link for the selected name (Rejeter), then go to the next; with
    /// marked names, for each of them.
    Reject,
    /// Put the selected name aside (Reporter), then go to the next; with
    /// marked names, each of them.
    Defer,
    /// Open the comment dialog for the selected name.
    OpenComment,
    /// Save the comment typed in the dialog.
    SaveComment,
    /// Undo the reviewer's last step.
    Undo,
    /// Redo the reviewer's last undone step.
    Redo,
    /// Put the keyboard focus in the queue's search field.
    FocusSearch,
    /// Open the manual search of the referential.
    OpenManualSearch,
    /// Search the referential for the text typed in the manual search.
    RunManualSearch,
    /// Approve the selected name with the targets checked in the manual
    /// search results (the one under the cursor when none is checked).
    ApproveTargets,
    /// Show how many names "apply to identical normalised names" would
    /// touch, and ask to confirm.
    PreviewIdentical,
    /// Apply the selected name's decision to the identical normalised
    /// names nobody reviewed.
    ApplyIdentical,
    /// The transcoding table's filters changed.
    RefilterTable,
    /// Select a row of the transcoding table.
    SelectTableRow(usize),
    /// Restore the state before this audit entry (a second reviewer's
    /// revert).
    Revert(i64),
    /// Show the indicators of this substance code.
    PickSubstance(String),
    /// Show the substance this many rows away in the Indicateurs list
    /// (↓/↑).
    StepSubstance(isize),
    /// The indicators' year range changed: compute them again.
    RecomputeIndicators,
    /// Hide the message line.
    DismissNotice,
    /// Close the window (eframe saves the UI state on the way out).
    Quit,
}
