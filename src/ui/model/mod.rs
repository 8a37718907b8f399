//! What the window shows, read from the workspace: a [`Snapshot`] of every
//! name with its matching result and decision, the review progress and the
//! import batches, built off the UI thread and refreshed when data changes
//! (never per frame); and the long work the window starts — opening or
//! preparing a workspace, importing files (stopping at a file whose columns
//! need mapping), matching, exporting. Plain Rust, no UI types: each
//! function here runs on a worker thread through [`crate::jobs::Job`].

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::import::{ImportOptions, kind_from_file_name, kind_spec};
use crate::jobs::{Phase, Progress};
use crate::matching::engine::{MatchSummary, match_workspace};
use crate::model::Kind;
use crate::review::{self, DecisionKey, ReferentialSearch, ReviewProgress};
use crate::store::Store;
use crate::store::matching::TranscodingRow;
use crate::store::status::{BatchInfo, IssueInfo};

pub mod indicators;

/// How many issues of an imported file the report lists.
pub const REPORT_ISSUES: usize = 200;

/// Everything the views read about a workspace, at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every matched name with its result and its key's decision, most
    /// observations first.
    pub rows: Vec<TranscodingRow>,
    /// Keys whose approved target left the referential.
    pub flagged: HashSet<DecisionKey>,
    /// Review progress.
    pub progress: ReviewProgress,
    /// Import batches, oldest first.
    pub batches: Vec<BatchInfo>,
    /// Canonical substance name per code.
    pub substance_names: HashMap<String, String>,
    /// Matching methods present, sorted.
    pub methods: Vec<String>,
    /// Authors of current decisions, sorted.
    pub reviewers: Vec<String>,
}

impl Snapshot {
    /// Reads a snapshot of `store`.
    pub fn read(store: &Store) -> Result<Snapshot> {
        let rows = store.transcoding_rows()?;
        let flagged = review::flagged(store)?
            .into_iter()
            .map(|f| f.decision.key)
            .collect();
        let methods: BTreeSet<String> = rows.iter().map(|r| r.method.clone()).collect();
        let reviewers: BTreeSet<String> = rows
            .iter()
            .filter_map(|r| r.decision.as_ref().map(|d| d.author.clone()))
            .collect();
        Ok(Snapshot {
            progress: review::progress(store)?,
            batches: store.batches()?,
            substance_names: store.substance_name_map()?,
            methods: methods.into_iter().collect(),
            reviewers: reviewers.into_iter().collect(),
            flagged,
            rows,
        })
    }

    /// `code NAME` for each code, joined by " + ".
    pub fn substances_label(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| match self.substance_names.get(c) {
                Some(n) => format!("{c} {n}"),
                None => c.clone(),
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// An opened workspace, ready to show.
pub struct Loaded {
    /// The workspace, for the UI thread's quick reads and decisions.
    pub store: Store,
    /// What it holds.
    pub snapshot: Snapshot,
    /// The referential, ready for the manual search.
    pub search: ReferentialSearch,
    /// Matching's summary, when this work matched.
    pub matched: Option<MatchSummary>,
    /// Decisions applied for the first time to names (recorded as reused).
    pub reused: usize,
}

/// Opens `path` and reads what the window shows. When `prepare_sample`,
/// first imports the bundled sample into it (if empty) and matches it,
/// unless it already holds matching results.
pub fn open(
    path: &Path,
    author: &str,
    prepare_sample: bool,
    progress: &Progress,
) -> Result<Loaded> {
    progress.start_phase(Phase::OpenWorkspace, 0);
    let mut matched = None;
    if prepare_sample {
        let needs_work = {
            let store = Store::open(path)?;
            store.batches()?.is_empty() || store.transcoding_rows()?.is_empty()
        };
        if needs_work {
            matched = Some(crate::sample_workspace::prepare(path, author, progress)?);
        }
    }
    progress.check_cancel()?;
    let mut store = Store::open(path)?;
    let reused = review::record_reuses(&mut store, author)?;
    load(store, matched, reused, progress)
}

/// Matches every name of `path`, then reads what the window shows.
pub fn match_and_open(path: &Path, author: &str, progress: &Progress) -> Result<Loaded> {
    let mut store = Store::open(path)?;
    let summary = match_workspace(&mut store, progress)?;
    let reused = review::record_reuses(&mut store, author)?;
    load(store, Some(summary), reused, progress)
}

fn load(
    store: Store,
    matched: Option<MatchSummary>,
    reused: usize,
    progress: &Progress,
) -> Result<Loaded> {
    progress.start_phase(Phase::ReadWorkspace, 0);
    let snapshot = Snapshot::read(&store)?;
    progress.start_phase(Phase::LoadReferential, 0);
    let search = ReferentialSearch::load(&store)?;
    Ok(Loaded {
        store,
        snapshot,
        search,
        matched,
        reused,
    })
}

/// Reads a fresh snapshot of `path` (after decisions or an import).
pub fn refresh(path: &Path) -> Result<Snapshot> {
    Snapshot::read(&Store::open(path)?)
}

/// One imported file, with the first issues of its batch.
#[derive(Debug, Clone)]
pub struct ImportedFile {
    /// The file.
    pub path: PathBuf,
    /// Its kind.
    pub kind: Kind,
    /// The batch as recorded.
    pub batch: Option<BatchInfo>,
    /// Its first issues, by line.
    pub issues: Vec<IssueInfo>,
    /// How many issues it has.
    pub issue_total: i64,
    /// Columns it lacks that it was imported without.
    pub absent: Vec<crate::import::AbsentColumn>,
    /// Lines with bytes that are not UTF-8, in a UTF-8 file.
    pub invalid_lines: Vec<u64>,
}

/// A file whose expected columns were not all found: what the mapping
/// dialog shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingRequest {
    /// The file.
    pub file: PathBuf,
    /// Its kind.
    pub kind: Kind,
    /// What the import found missing (the dialog words it).
    pub cause: Box<crate::error::MissingColumns>,
    /// Expected columns not found: (name, required).
    pub missing: Vec<(String, bool)>,
    /// Columns found in the file.
    pub found: Vec<String>,
    /// The found column chosen for each missing one (same order).
    pub choices: Vec<Option<String>>,
    /// The files after it, still to import.
    pub remaining: Vec<PathBuf>,
}

impl MappingRequest {
    /// The (expected, found) pairs chosen.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.missing
            .iter()
            .zip(&self.choices)
            .filter_map(|((expected, _), found)| found.clone().map(|f| (expected.clone(), f)))
            .collect()
    }

    /// Whether every required column has a choice.
    pub fn complete(&self) -> bool {
        self.missing
            .iter()
            .zip(&self.choices)
            .all(|((_, required), c)| !required || c.is_some())
    }
}

/// Why an import stopped.
#[derive(Debug, Clone)]
pub enum ImportStop {
    /// A file's columns need mapping.
    Mapping(MappingRequest),
    /// A file was refused (or the import cancelled): the error, and the
    /// files not imported.
    Failed {
        /// The error, naming the place.
        error: Arc<Error>,
        /// Files not imported (the failing one first).
        remaining: Vec<PathBuf>,
    },
}

/// The outcome of importing a list of files.
#[derive(Debug, Clone, Default)]
pub struct ImportRun {
    /// Files imported, in order.
    pub imported: Vec<ImportedFile>,
    /// Why it stopped early, if it did.
    pub stop: Option<ImportStop>,
}

/// Imports `files` one by one into `path`; stops at the first file that
/// fails (the ones before stay imported), telling a missing column apart so
/// that the window can ask for a mapping.
pub fn import_files(
    path: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportRun> {
    let mut store = Store::open(path)?;
    let mut run = ImportRun::default();
    for (i, file) in files.iter().enumerate() {
        match crate::import::import_file(&mut store, file, options, progress) {
            Ok(report) => {
                let batch = store
                    .batches()?
                    .into_iter()
                    .find(|b| b.id == report.batch_id);
                let (issues, issue_total) = store.batch_issues(report.batch_id, REPORT_ISSUES)?;
                run.imported.push(ImportedFile {
                    path: report.path,
                    kind: report.kind,
                    batch,
                    issues,
                    issue_total,
                    absent: report.absent,
                    invalid_lines: report.invalid_lines,
                });
            }
            Err(e) => {
                let remaining = files[i..].to_vec();
                let mapping = match &e {
                    Error::MissingColumns(cause) => mapping_request(
                        &store,
                        file,
                        options,
                        cause.clone(),
                        files[i + 1..].to_vec(),
                    ),
                    _ => None,
                };
                run.stop = Some(match mapping {
                    Some(m) => ImportStop::Mapping(m),
                    None => ImportStop::Failed {
                        error: Arc::new(e),
                        remaining,
                    },
                });
                break;
            }
        }
    }
    Ok(run)
}

/// What the mapping dialog needs for `file`: its header and the expected
/// columns not found (none when the file cannot be read again).
fn mapping_request(
    store: &Store,
    file: &Path,
    options: &ImportOptions,
    cause: Box<crate::error::MissingColumns>,
    remaining: Vec<PathBuf>,
) -> Option<MappingRequest> {
    use crate::normalize::fold_name;
    let kind = options.kind.or_else(|| kind_from_file_name(file))?;
    let spec = kind_spec(kind);
    let table = crate::import::table::Table::open(file, spec.text, Some(kind.file_label())).ok()?;
    let found: Vec<String> = table
        .headers
        .iter()
        .filter(|h| !h.trim().is_empty())
        .cloned()
        .collect();
    let folded: HashSet<String> = found.iter().map(|h| fold_name(h)).collect();
    let remembered = store.column_mapping(kind).ok().unwrap_or_default();
    let mut missing = Vec::new();
    let mut choices = Vec::new();
    for column in spec.columns {
        if folded.contains(&fold_name(column.name)) {
            continue;
        }
        missing.push((column.name.to_string(), column.required));
        let known = options
            .mapping
            .iter()
            .chain(&remembered)
            .find(|(e, _)| fold_name(e) == fold_name(column.name))
            .and_then(|(_, f)| found.iter().find(|h| fold_name(h) == fold_name(f)).cloned());
        choices.push(known);
    }
    if missing.is_empty() {
        return None;
    }
    Some(MappingRequest {
        file: file.to_path_buf(),
        kind,
        cause,
        missing,
        found,
        choices,
        remaining,
    })
}

/// Writes the table `kind` of `path` to `out` (a workbook for `.xlsx`,
/// else CSV in French Excel's dialect); returns the rows written.
pub fn export(path: &Path, kind: crate::export::ExportKind, out: &Path) -> Result<u64> {
    crate::export::export_table(
        &Store::open(path)?,
        kind,
        out,
        crate::export::SheetFormat::for_path(out),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn mapping_pairs_keep_only_chosen_columns() {
        let m = MappingRequest {
            file: PathBuf::from("x.csv"),
            kind: Kind::BnpvDrugs,
            cause: Box::new(crate::error::MissingColumns {
                place: crate::error::Place::default(),
                kind: Kind::BnpvDrugs,
                missing: vec!["A"],
                found: vec!["a1".into()],
            }),
            missing: vec![("A".into(), true), ("B".into(), false)],
            found: vec!["a1".into()],
            choices: vec![Some("a1".into()), None],
            remaining: vec![],
        };
        assert!(m.complete());
        assert_eq!(m.pairs(), vec![("A".to_string(), "a1".to_string())]);
    }
}
