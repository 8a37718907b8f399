//! The loop every importer shares, for one file in one transaction: a
//! reading thread decodes, checks the shape of and converts rows into
//! batches; the calling thread writes them to SQLite; an error on either side
//! stops both and rolls the file back. Refusal of files with too many
//! malformed rows is decided here, after the last row.

use std::path::Path;
use std::sync::mpsc;

use super::columns::{Columns, KindSpec, cell_place};
use super::convert::{Outcome, RowContext};
use super::kinds::{Converter, kind_spec};
use super::table::{Row, Table};
use super::{FileReport, ImportOptions};
use crate::error::{Error, Result};
use crate::jobs::{Phase, Progress};
use crate::model::{Kind, Source};
use crate::normalize::fold_name;
use crate::store::Store;
use crate::store::imports::{
    CaseChanges, DuplicateCase, ImportWriter, KeyCache, NewBatch, Replace, RowBatch, RowCounts,
    Severity, table_columns,
};

/// How many issues of one batch are stored line by line; past it, only counted.
const MAX_STORED_ISSUES: u64 = 20_000;

/// Files from this size on are bulk loads: their table's indexes are
/// rebuilt once at the end rather than maintained row by row.
const BULK_LOAD_BYTES: u64 = 16 * 1024 * 1024;

/// Rows per batch handed from the reading thread to the writing one: large
/// enough that handing over costs nothing, small enough to stay in cache.
const BATCH_ROWS: usize = 2048;

/// Batches waiting to be written, at most: the reader never runs far ahead.
const QUEUED_BATCHES: usize = 4;

/// Share of malformed rows past which a file is refused (1 in 20).
const MAX_REJECTED_SHARE_DENOMINATOR: u64 = 20;

/// Imports a file read by [`super::detect::open_file`] in one transaction. `carried` is
/// the key cache the previous BNPV file of the command left (used when the
/// workspace still matches it), and receives this file's; `rows_read` is
/// called once every row is read, before the indexes are rebuilt.
pub(super) fn import_opened(
    store: &mut Store,
    path: &Path,
    (kind, table): (Kind, Table),
    options: &ImportOptions,
    progress: &Progress,
    carried: &mut Option<KeyCache>,
    rows_read: &mut dyn FnMut(),
) -> Result<FileReport> {
    let spec = kind_spec(kind);
    let mut mapping = store.column_mapping(kind)?;
    for pair in &options.mapping {
        mapping.retain(|(e, _)| fold_name(e) != fold_name(&pair.0));
        mapping.push(pair.clone());
    }
    let columns = Columns::resolve(kind, &spec, &table, &mapping)?;
    progress.start_phase(
        Phase::Import {
            file: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().to_string(),
            ),
        },
        table.size_bytes,
    );
    // A case file given again with --cumulative is read again, in place
    // of its batch, for the cases it retires.
    let replace = if options.replace {
        Replace::SameName
    } else if options.cumulative && kind == Kind::BnpvCases {
        Replace::SameFile
    } else {
        Replace::Nothing
    };
    if replace == Replace::Nothing
        && let Some(id) = store.current_batch_with_hash(kind, &table.sha256)?
    {
        // The same file again (a month's folder often repeats a
        // referential): nothing to do, and the next file may be read.
        rows_read();
        return Ok(FileReport {
            path: path.to_path_buf(),
            kind,
            batch_id: id,
            encoding: table.encoding.clone(),
            counts: RowCounts::default(),
            changes: CaseChanges::default(),
            already: Some(id),
            absent: Vec::new(),
            invalid_lines: Vec::new(),
        });
    }
    let batch = NewBatch {
        kind,
        file: path.to_path_buf(),
        sheet: table.place.sheet.clone(),
        sha256: table.sha256.clone(),
        encoding: table.encoding.clone(),
        imported_by: options.user.clone(),
        cumulative: options.cumulative,
    };
    let encoding = table.encoding.clone();
    let places = table.cell_places();
    let (header_place, header_line, size_bytes) =
        (table.place.clone(), table.header_line, table.size_bytes);
    let mut writer = store.begin_import(&batch, replace)?;
    if size_bytes >= BULK_LOAD_BYTES {
        writer.defer_indexes()?;
    }
    let is_bnpv = kind.source() == Source::Bnpv;
    let keys = if is_bnpv {
        match carried.take() {
            Some(keys) => writer.adopt_keys(keys)?,
            None => writer.take_keys()?,
        }
    } else {
        KeyCache::default()
    };
    let absent = columns.absent().to_vec();
    let invalid_lines = table.invalid_lines.clone();
    let reader = Reader {
        spec,
        width: table_columns(kind).1.len(),
        table,
        columns: &columns,
        converter: Converter::new(kind),
        keys,
        progress,
    };
    // Two threads: this one writes to SQLite while the reader decodes,
    // checks and converts the next rows — the two halves of the work take
    // about as long each. Batches go in file order, through a short queue,
    // and come back emptied to be filled again.
    let (full_tx, full_rx) = mpsc::sync_channel::<RowBatch>(QUEUED_BATCHES);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<RowBatch>(QUEUED_BATCHES + 2);
    let (written, read) = std::thread::scope(|scope| {
        let reading = std::thread::Builder::new()
            .name("import-read".into())
            .spawn_scoped(scope, move || reader.run(&full_tx, &empty_rx));
        let reading = match reading {
            Ok(handle) => handle,
            Err(e) => {
                return (
                    Err(Error::Internal(format!(
                        "cannot start the reading thread: {e}"
                    ))),
                    None,
                );
            }
        };
        // The receiver is dropped when writing stops, early or not, so a
        // reader blocked on a full queue wakes up and ends.
        let written = write_batches(&mut writer, full_rx, &empty_tx, progress, |dup| {
            Error::data(
                cell_place(&places, &columns, dup.line, 0),
                format!(
                    "case version {} is already in the workspace ({}); each case version must appear once",
                    dup.key, dup.existing
                ),
            )
        });
        (written, Some(reading.join()))
    });
    // The writer stops at the first bad row it meets; rows the reader
    // refused come later in the file, so the writer's error comes first.
    written?;
    let read = match read {
        Some(Ok(read)) => read?,
        Some(Err(payload)) => {
            return Err(Error::panicked("the import's reading thread", &*payload));
        }
        None => {
            return Err(Error::Internal(
                "the import's reading thread stopped unexpectedly; nothing was imported".into(),
            ));
        }
    };
    rows_read();
    let ReadResult {
        counts,
        first_rejected,
        keys,
    } = read;
    if is_bnpv {
        writer.return_keys(keys);
    }
    if counts.read == 0 {
        return Err(Error::data(
            header_place.at_line(header_line + 1),
            "no data rows: the file has a header only",
        ));
    }
    if let Some((line, message)) = first_rejected
        && counts.rejected * MAX_REJECTED_SHARE_DENOMINATOR > counts.read
    {
        return Err(Error::data(
            header_place.at_line(line),
            format!(
                "{} of {} rows are malformed ({message} here, the first); is this really a {} file? Nothing was imported",
                counts.rejected,
                counts.read,
                kind.file_label()
            ),
        ));
    }
    progress.set_done(size_bytes);
    let finished = writer.finish_keeping_keys(counts)?;
    if finished.keys.is_some() {
        *carried = finished.keys;
    }
    let (batch_id, changes) = (finished.batch_id, finished.changes);
    if !options.mapping.is_empty() {
        store.save_column_mapping(kind, &options.mapping)?;
    }
    Ok(FileReport {
        path: path.to_path_buf(),
        kind,
        batch_id,
        encoding,
        counts,
        changes,
        already: None,
        absent,
        invalid_lines,
    })
}

/// Checks the number of fields of a row.
fn check_shape(spec: &KindSpec, table: &Table, row: &Row) -> std::result::Result<(), String> {
    let n = row.fields.len();
    if let Some((min, max)) = spec.field_counts {
        // Older BDPM files end each row with an empty field.
        let effective = if n > max && row.fields.get(n - 1).is_some_and(str::is_empty) {
            n - 1
        } else {
            n
        };
        if effective < min || effective > max {
            let expected = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(format!("{n} fields where {expected} are expected"));
        }
        return Ok(());
    }
    if table.is_sheet {
        return Ok(());
    }
    let expected = table.headers.len();
    if n < expected {
        return Err(format!("{n} fields where the header has {expected}"));
    }
    if n > expected
        && row
            .fields
            .iter()
            .skip(expected)
            .any(|f| !f.trim().is_empty())
    {
        return Err(format!(
            "{n} fields where the header has {expected} (a separator inside an unquoted value?)"
        ));
    }
    Ok(())
}

/// What the reading thread hands back.
struct ReadResult {
    counts: RowCounts,
    /// The first malformed row, for the refusal message.
    first_rejected: Option<(u64, String)>,
    /// The key cache, with the ids it created and the name counts.
    keys: KeyCache,
}

/// The reading half of an import: rows read, checked and converted into
/// batches for the writer.
struct Reader<'a> {
    spec: KindSpec,
    /// Values per stored row.
    width: usize,
    table: Table,
    columns: &'a Columns,
    converter: Converter,
    keys: KeyCache,
    progress: &'a Progress,
}

impl Reader<'_> {
    /// Reads every row, sending full batches to `full` (taking emptied ones
    /// back from `empty`). Stops quietly when the writer has stopped: its
    /// error is the one to report.
    fn run(
        mut self,
        full: &mpsc::SyncSender<RowBatch>,
        empty: &mpsc::Receiver<RowBatch>,
    ) -> Result<ReadResult> {
        let mut counts = RowCounts::default();
        let mut stored_issues = 0u64;
        let mut first_rejected: Option<(u64, String)> = None;
        let mut row = Row::default();
        let mut batch = RowBatch::default();
        // A column the file lacks is a warning on the whole file, first.
        for absent in self.columns.absent() {
            counts.warnings += 1;
            batch.issue(
                Severity::Warning,
                None,
                Some(absent.column),
                format!(
                    "column {} is missing: {}",
                    absent.column,
                    absent.left_unknown.describe()
                ),
            );
        }
        // Each line with bytes that are not UTF-8, in a UTF-8 file.
        for &line in &self.table.invalid_lines {
            counts.warnings += 1;
            if stored_issues < MAX_STORED_ISSUES {
                batch.issue(
                    Severity::Warning,
                    Some(line),
                    None,
                    "bytes that are not UTF-8 in a UTF-8 file: each read as \u{FFFD}; check this line's values".into(),
                );
            }
            stored_issues += 1;
        }
        while self.table.next_row(&mut row)? {
            counts.read += 1;
            if counts.read % 4096 == 0 {
                self.progress.check_cancel()?;
                self.progress.set_items(counts.read);
                self.progress.set_done(self.table.position_bytes());
            }
            let (outcome, warnings) = match check_shape(&self.spec, &self.table, &row) {
                Err(message) => (Outcome::Reject(message), Vec::new()),
                Ok(()) => {
                    let mut ctx = RowContext {
                        table: &self.table,
                        columns: self.columns,
                        row: &row,
                        warnings: Vec::new(),
                    };
                    let outcome = self
                        .converter
                        .convert(&mut ctx, &mut self.keys, &mut batch)?;
                    (outcome, ctx.warnings)
                }
            };
            let mut record =
                |batch: &mut RowBatch, severity, column: Option<&'static str>, message: String| {
                    if stored_issues < MAX_STORED_ISSUES {
                        batch.issue(severity, Some(row.line), column, message);
                    }
                    stored_issues += 1;
                };
            let repeated = matches!(outcome, Outcome::Present(_));
            match outcome {
                Outcome::Keep(values) => {
                    batch.discard_row();
                    for value in &values {
                        batch.value(value);
                    }
                    self.end_row(&mut batch, row.line)?;
                    counts.kept += 1;
                }
                Outcome::Stored => {
                    self.end_row(&mut batch, row.line)?;
                    counts.kept += 1;
                }
                Outcome::Reject(message) => {
                    batch.discard_row();
                    counts.rejected += 1;
                    if first_rejected.is_none() {
                        first_rejected = Some((row.line, message.clone()));
                    }
                    record(&mut batch, Severity::Rejected, None, message);
                }
                Outcome::Drop(message) => {
                    batch.discard_row();
                    counts.dropped += 1;
                    record(&mut batch, Severity::Dropped, None, message);
                }
                Outcome::Present(note) => {
                    batch.discard_row();
                    counts.present += 1;
                    if let Some(note) = note {
                        counts.warnings += 1;
                        record(&mut batch, Severity::Warning, None, note);
                    }
                }
            }
            // A row already stored had its warnings recorded then.
            for warning in warnings.into_iter().filter(|_| !repeated) {
                counts.warnings += 1;
                let column = self.columns.name(warning.column);
                record(&mut batch, Severity::Warning, Some(column), warning.message);
            }
            if batch.rows() >= BATCH_ROWS || batch.issues() >= BATCH_ROWS {
                let next = empty.try_recv().unwrap_or_default();
                if full.send(std::mem::replace(&mut batch, next)).is_err() {
                    break;
                }
            }
        }
        // An empty last batch still goes: it may hold only issues.
        let _ = full.send(batch);
        Ok(ReadResult {
            counts,
            first_rejected,
            keys: self.keys,
        })
    }

    /// Ends a kept row, checking that the converter gave every value.
    fn end_row(&self, batch: &mut RowBatch, line: u64) -> Result<()> {
        if batch.row_width() != self.width {
            return Err(Error::Internal(format!(
                "the converter gave {} values for the {} columns of line {line}",
                batch.row_width(),
                self.width
            )));
        }
        batch.end_row(line);
        Ok(())
    }
}

/// The writing half of an import: stores each batch as it comes, in the
/// import's transaction, and sends it back emptied. `duplicate` makes the
/// error for a case version an earlier import already stored.
fn write_batches(
    writer: &mut ImportWriter<'_>,
    full: mpsc::Receiver<RowBatch>,
    empty: &mpsc::SyncSender<RowBatch>,
    progress: &Progress,
    duplicate: impl Fn(DuplicateCase) -> Error,
) -> Result<()> {
    for mut batch in full {
        progress.check_cancel()?;
        if let Some(dup) = writer.write_batch(&batch)? {
            return Err(duplicate(dup));
        }
        batch.clear();
        // The reader allocates a new one when none is waiting.
        let _ = empty.try_send(batch);
    }
    Ok(())
}
