//! Importers: from the files agents have (BNPV CSV, CODEX Excel or CSV, BDPM
//! text, Open Medic CSV) into the workspace. This module owns the import
//! command: the files and folders given, in order, each in its own
//! transaction, and the report. Recognising a file's kind is [`detect`],
//! expected columns and the user's mapping [`columns`], the shared
//! read-convert-write loop [`pipeline`] (with [`convert`], the interface to
//! each source's rules), folder walks [`walk`], reading any tabular file
//! [`table`] and [`text`]. Each source has its own file with its rules:
//! [`bnpv`], [`codex`], [`bdpm`], [`openmedic`].
//!
//! The loop runs on two threads: a reader decodes, checks and converts rows
//! into batches, the calling thread writes them to SQLite in the file's one
//! transaction; an error on either side stops both and rolls the file back.
//! Importing several files, the next is read and decoded while the current
//! one is written.
//!
//! Policy on defects, the same for every kind:
//! - a malformed row (wrong number of fields) is kept out and reported by
//!   line; when more than 5 % of the rows are malformed the file is refused,
//!   since it is probably not the file it claims to be;
//! - a dirty value that the agency's rules handle (age over 125, unknown sex,
//!   an impossible date in the BDPM) is kept raw, with the derived value left
//!   empty and a warning by line and column;
//! - an impossible value in case data (negative age, unreadable or future
//!   notification date, a case version present twice in the file) refuses
//!   the file, naming the line and column: indicators must not rest on a
//!   corrupt extract.
//!
//! Month after month: a file already imported byte for byte is skipped
//! (nothing changes); a newer extract's rows the workspace already holds
//! (same case version, same values) are recognised and neither stored nor
//! counted again, so that importing a file twice, or a file then a superset
//! of it, changes no count; `--replace` takes the place of the earlier
//! batches of the kind with the same file name, whatever their content.

pub mod bdpm;
pub mod bnpv;
pub mod codex;
pub mod columns;
pub mod convert;
pub mod detect;
#[cfg(test)]
pub(crate) mod fixtures;
mod kinds;
pub mod openmedic;
mod pipeline;
pub mod table;
pub mod text;
pub mod values;
mod walk;

use std::path::{Path, PathBuf};

pub use columns::{AbsentColumn, ColumnSpec, Columns, KindSpec, LeftUnknown};
pub use convert::{CellWarning, Outcome, RowContext};
pub use detect::{kind_from_file_name, kind_from_headers};
pub use kinds::kind_spec;

use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::model::Kind;
use crate::store::Store;
use crate::store::imports::{CaseChanges, RowCounts};
use detect::open_file;
use pipeline::import_opened;
use table::Table;
use walk::collect_dir;

/// Options of an import command.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force the kind instead of recognising it.
    pub kind: Option<Kind>,
    /// Import again a file already imported, replacing its batch.
    pub replace: bool,
    /// The case files are whole (cumulative) extracts: the cases of the
    /// workspace they lack are retired from counts (kept in history).
    pub cumulative: bool,
    /// (expected, found) column pairs given by the user.
    pub mapping: Vec<(String, String)>,
    /// Who imports.
    pub user: String,
}

/// The report of one imported file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Its kind.
    pub kind: Kind,
    /// The batch created.
    pub batch_id: i64,
    /// Detected encoding.
    pub encoding: String,
    /// Row counts.
    pub counts: RowCounts,
    /// For a BNPV file: the cases it added, updated, retired; the drug
    /// names whose observations changed.
    pub changes: CaseChanges,
    /// The file was already imported, byte for byte, as this batch (whose
    /// rows still count): nothing was imported, nothing changed.
    pub already: Option<i64>,
    /// Columns the file lacks that it was imported without, with the
    /// figures each leaves unknown (also stored as warnings of the batch).
    pub absent: Vec<AbsentColumn>,
    /// In a UTF-8 file, the lines with bytes that are not UTF-8 (each read
    /// as U+FFFD; also stored as warnings of the batch).
    pub invalid_lines: Vec<u64>,
}

/// The report of an import command.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Files imported, in order.
    pub imported: Vec<FileReport>,
    /// Files skipped in directories, with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// When a file failed: it, then the files after it, none imported
    /// (the ones in `imported` stay committed).
    pub not_imported: Vec<PathBuf>,
}

/// Imports files and directories (every recognised file in them, sub-folders
/// included). Stops at the first file that fails: the files before it stay
/// imported, that file leaves nothing behind.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    import_paths_into(store, paths, options, progress, &mut summary)?;
    Ok(summary)
}

/// [`import_paths`], filling `summary` as files are committed, so that a
/// failure still tells which files went in and which did not. A folder
/// without any extract, or a command left with nothing to import, is an
/// error rather than a silent success.
pub fn import_paths_into(
    store: &mut Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
    summary: &mut ImportSummary,
) -> Result<()> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            collect_dir(path, options, &mut files, &mut summary.skipped)?;
            if files.len() == before {
                let named = kind_from_file_name(path)
                    .map(|k| format!(" (a folder named like a {} file)", k.file_label()))
                    .unwrap_or_default();
                return Err(Error::data(
                    crate::error::Place::file(path),
                    format!("this folder{named} holds no extract to import; nothing was imported"),
                ));
            }
        } else if let Ok(meta) = std::fs::metadata(path) {
            // A FIFO would block the import, a device fill the memory.
            if !meta.is_file() {
                return Err(Error::data(
                    crate::error::Place::file(path),
                    format!(
                        "{}: only regular files are imported; nothing was imported",
                        walk::not_a_regular_file(&meta)
                    ),
                ));
            }
            files.push(path.clone());
        } else {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ));
        }
    }
    with_bulk_load(store, |store| {
        import_files(store, &files, options, progress, summary)
    })
}

/// Runs `import` through SQLite's rollback journal when nothing else has
/// the workspace open: it writes each new page once instead of twice (see
/// [`Store::begin_bulk_load`]). Every import takes this path, so the tests
/// of small files check the one the large ones take; the window, which
/// keeps its own connection open, imports in WAL.
fn with_bulk_load<T>(store: &mut Store, import: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
    let bulk = store.begin_bulk_load()?;
    let imported = import(store);
    if bulk {
        // Whatever happened, WAL again. Should that fail (another process
        // opening the file meanwhile), the workspace is as consistent in
        // rollback mode and the next opening puts WAL back: the import's
        // own outcome is what the user needs to hear.
        let _ = store.end_bulk_load();
    }
    imported
}

/// Imports `files` in order into `summary`.
fn import_files(
    store: &mut Store,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
    summary: &mut ImportSummary,
) -> Result<()> {
    // While a file is imported, the next one is read, hashed and decoded on
    // another thread; the key cache goes from one BNPV file to the next
    // instead of being read again from the workspace.
    let mut keys = None;
    std::thread::scope(|scope| -> Result<()> {
        let mut ahead: Option<std::thread::ScopedJoinHandle<'_, Result<(Kind, Table)>>> = None;
        for (i, path) in files.iter().enumerate() {
            let opened = match ahead.take() {
                Some(handle) => handle.join().unwrap_or_else(|payload| {
                    Err(Error::panicked(
                        &format!("reading {}", path.display()),
                        &*payload,
                    ))
                }),
                None => open_file(path, options),
            };
            // Started once this file's rows are read: the reading core is
            // free while the writer rebuilds indexes and commits.
            let mut read_next = || {
                if let Some(next) = files.get(i + 1) {
                    ahead = std::thread::Builder::new()
                        .name("import-open".into())
                        .spawn_scoped(scope, move || open_file(next, options))
                        .ok();
                }
            };
            let report = opened.and_then(|opened| {
                import_opened(
                    store,
                    path,
                    opened,
                    options,
                    progress,
                    &mut keys,
                    &mut read_next,
                )
            });
            match report {
                Ok(report) => summary.imported.push(report),
                Err(e) => {
                    summary.not_imported = files[i..].to_vec();
                    return Err(e);
                }
            }
        }
        Ok(())
    })
}

/// Imports one file in one transaction.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<FileReport> {
    let opened = open_file(path, options)?;
    with_bulk_load(store, |store| {
        import_opened(
            store,
            path,
            opened,
            options,
            progress,
            &mut None,
            &mut || {},
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_import_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Cas-Patients.csv");
        let mut text = String::from(
            "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS\n",
        );
        for i in 0..5000 {
            text.push_str(&format!(
                "{i};C{i};1;01/02/2016;F;30;;;Pharmacien;E;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE\n"
            ));
        }
        std::fs::write(&file, text).unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let progress = Progress::new();
        progress.cancel();
        let options = ImportOptions::default();
        let err = import_file(&mut store, &file, &options, &progress).err();
        assert!(matches!(err, Some(Error::Cancelled)), "{err:?}");
        assert!(store.batches().unwrap().is_empty());
        let counts = store.counts().unwrap();
        assert!(
            counts.rows_per_kind.iter().all(|(_, n)| *n == 0),
            "{counts:?}"
        );
        // Not cancelled, it goes in whole.
        let report = import_file(&mut store, &file, &options, &Progress::new()).unwrap();
        assert_eq!(report.counts.kept, 5000);
    }
}
