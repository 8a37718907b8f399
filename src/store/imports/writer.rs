//! The writing half of an import: one transaction per file, many-row
//! inserts, deferred indexes, and the counts recorded on commit.

use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension, params};

use super::batches::delete_batch;
use super::chunks::insert_chunked;
use super::rows::Cell;
use super::versions::{self, Absent, CaseChanges};
use super::{KeyCache, NewBatch, Replace, RowBatch, RowCounts, now_iso, table_columns};
use crate::error::{Error, Place, Result};
use crate::model::{Kind, Source};
use crate::store::sql_error;

/// A committed file.
#[derive(Debug)]
pub struct Finished {
    /// Its batch.
    pub batch_id: i64,
    /// The key cache, true to the workspace, for the next file.
    pub keys: Option<KeyCache>,
    /// What it changed to the cases and the names' counts.
    pub changes: CaseChanges,
}

/// A case version already stored by an earlier import, found while writing.
#[derive(Debug, Clone)]
pub struct DuplicateCase {
    /// Line of the row that brought it again.
    pub line: u64,
    /// "AER_ID / CAS / VER".
    pub key: String,
    /// Where the stored one came from: "file, line N".
    pub existing: String,
}

/// Writes one file's rows inside one transaction. Dropping it without
/// [`ImportWriter::finish`] rolls everything back.
///
/// Foreign keys are off while the writer lives (restored when it is
/// dropped, committed or not): every reference an import writes is to a row
/// it created or read in the same transaction (its own batch, the case keys
/// and drug names of [`KeyCache`]), and a replaced batch's rows are deleted
/// before the batch itself, so the checks could never fail — they only cost
/// a B-tree lookup per reference and row.
pub struct ImportWriter<'c> {
    conn: &'c Connection,
    /// Whether the transaction is open (rolled back on drop).
    open: bool,
    path: PathBuf,
    kind: Kind,
    batch_id: i64,
    /// Case and drug name ids, loaded on first use.
    keys: Option<KeyCache>,
    /// Indexes dropped for a bulk load, rebuilt before commit.
    deferred_indexes: Vec<String>,
    /// Indexes led by `case_id` kept during a bulk load while rows come in
    /// case order: (name, sql).
    case_ordered_indexes: Vec<(String, String)>,
    /// The largest case id written so far, for the order above.
    last_case_id: i64,
    /// Whether the file's case rows are a whole (cumulative) extract.
    cumulative: bool,
    /// Whether an earlier batch was taken out first: a key cache carried
    /// from the previous file is then read again.
    replaced: bool,
}

impl Drop for ImportWriter<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the error that led here is the one
            // the user sees, and SQLite rolls back on close anyway.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let _ = self.conn.pragma_update(None, "foreign_keys", "ON");
    }
}

impl<'c> ImportWriter<'c> {
    /// Opens the file's transaction (see [`crate::store::Store::begin_import`]).
    pub(super) fn begin(
        conn: &'c Connection,
        path: &std::path::Path,
        batch: &NewBatch,
        replace: Replace,
    ) -> Result<ImportWriter<'c>> {
        // The pragma is a no-op inside a transaction: set it before BEGIN.
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(|e| sql_error(path, e))?;
        let mut writer = ImportWriter {
            conn,
            open: false,
            path: path.to_path_buf(),
            kind: batch.kind,
            batch_id: 0,
            keys: None,
            deferred_indexes: Vec::new(),
            case_ordered_indexes: Vec::new(),
            last_case_id: i64::MIN,
            cumulative: batch.cumulative,
            replaced: false,
        };
        writer
            .conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| writer.err(e))?;
        writer.open = true;
        writer.start(batch, replace)?;
        Ok(writer)
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.path, e)
    }

    /// Replaces or supersedes what must be, and creates the batch.
    ///
    /// With `replace`, the earlier batches of the kind with the same file
    /// name (whatever their content) and the one with the same SHA-256 go
    /// first. Without it, the same file as a batch that still counts is
    /// refused (the importer skips it before coming here); as a superseded
    /// referential, whose rows are gone, only its record is replaced.
    fn start(&mut self, batch: &NewBatch, replace: Replace) -> Result<()> {
        let tx = self.conn;
        let path = self.path.clone();
        let previous: Option<(i64, String, String, bool)> = tx
            .query_row(
                "SELECT id, imported_at, imported_by, superseded_at IS NOT NULL FROM import_batch WHERE kind = ?1 AND sha256 = ?2",
                params![batch.kind.as_str(), batch.sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(|e| sql_error(&path, e))?;
        let mut replaced: Vec<i64> = Vec::new();
        if let Some((id, at, by, superseded)) = previous {
            if replace == Replace::Nothing && !superseded {
                return Err(Error::data(
                    Place::file(&batch.file),
                    format!(
                        "this file was already imported as batch {id} on {at} by {by} (same SHA-256); use --replace to import it again in place of that batch"
                    ),
                ));
            }
            replaced.push(id);
        }
        if replace == Replace::SameName {
            let file = batch.file.display().to_string();
            let name = base_name(&file);
            let mut stmt = tx
                .prepare("SELECT id, file_name FROM import_batch WHERE kind = ?1 AND superseded_at IS NULL")
                .map_err(|e| sql_error(&path, e))?;
            let same_name: Vec<i64> = stmt
                .query_map([batch.kind.as_str()], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| sql_error(&path, e))?
                .into_iter()
                .filter(|(_, file)| base_name(file) == name)
                .map(|(id, _)| id)
                .collect();
            replaced.extend(same_name);
        }
        replaced.sort_unstable();
        replaced.dedup();
        for id in replaced {
            delete_batch(tx, id).map_err(|e| sql_error(&path, e))?;
            self.replaced = true;
        }
        if batch.kind.is_referential() {
            // A referential describes the present: the new file replaces the
            // rows of the previous one, whose batch stays for the record.
            let (table, _) = table_columns(batch.kind);
            let superseded: Vec<i64> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT id FROM import_batch WHERE kind = ?1 AND superseded_at IS NULL",
                    )
                    .map_err(|e| sql_error(&path, e))?;
                stmt.query_map([batch.kind.as_str()], |r| r.get(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
                    .map_err(|e| sql_error(&path, e))?
            };
            for id in superseded {
                tx.execute(&format!("DELETE FROM {table} WHERE batch_id = ?1"), [id])
                    .and_then(|_| {
                        tx.execute(
                            "UPDATE import_batch SET superseded_at = ?2 WHERE id = ?1",
                            params![id, now_iso()],
                        )
                    })
                    .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.execute(
            "INSERT INTO import_batch (kind, file_name, sheet, sha256, encoding, imported_at, imported_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                batch.kind.as_str(),
                batch.file.display().to_string(),
                batch.sheet,
                batch.sha256,
                batch.encoding,
                now_iso(),
                batch.imported_by
            ],
        )
        .map_err(|e| sql_error(&path, e))?;
        self.batch_id = tx.last_insert_rowid();
        Ok(())
    }

    /// The batch id being written.
    pub fn batch_id(&self) -> i64 {
        self.batch_id
    }

    /// The key of a stored case version and where its row came from.
    fn stored_case(&self, case_id: i64) -> Result<(String, String)> {
        let key: Option<String> = self
            .conn
            .query_row(
                "SELECT aer_id || ' / ' || cas || ' / ' || ver FROM case_key WHERE id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let existing: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT b.file_name, c.line FROM bnpv_case c JOIN import_batch b ON b.id = c.batch_id WHERE c.case_id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok((
            key.unwrap_or_else(|| format!("#{case_id}")),
            existing.map_or_else(
                || "an earlier row".to_string(),
                |(file, at)| format!("{file}, line {at}"),
            ),
        ))
    }

    /// Stores a batch of rows with the case keys, drug names and issues it
    /// brings. For BNPV cases, a case version already stored by an earlier
    /// import stops the writing and is returned, so that the importer names
    /// both places.
    pub fn write_batch(&mut self, batch: &RowBatch) -> Result<Option<DuplicateCase>> {
        let conn = self.conn;
        let path = self.path.clone();
        let e = |(_, e)| sql_error(&path, e);
        insert_chunked(
            conn,
            "INSERT INTO case_key (id, aer_id, cas, ver) VALUES ",
            "(?, ?, ?, ?)",
            4,
            batch.new_cases.len(),
            |stmt, at, row| {
                let (id, key) = &batch.new_cases[row];
                stmt.raw_bind_parameter(at, *id)?;
                for (i, part) in key.iter().enumerate() {
                    stmt.raw_bind_parameter(at + 1 + i, batch.value_ref(*part))?;
                }
                Ok(())
            },
        )
        .map_err(e)?;
        insert_chunked(
            conn,
            "INSERT INTO drug_name (id, name, level, normalized) VALUES ",
            "(?, ?, ?, ?)",
            4,
            batch.new_names.len(),
            |stmt, at, row| {
                let (id, level, name, normalized) = &batch.new_names[row];
                stmt.raw_bind_parameter(at, *id)?;
                stmt.raw_bind_parameter(at + 1, batch.value_ref(*name))?;
                stmt.raw_bind_parameter(at + 2, level.as_str())?;
                stmt.raw_bind_parameter(at + 3, batch.value_ref(*normalized))
            },
        )
        .map_err(e)?;
        if !batch.lines.is_empty() {
            let (table, columns) = table_columns(self.kind);
            let width = columns.len();
            if batch.cells.len() != width * batch.lines.len() {
                return Err(Error::Usage(format!(
                    "a row batch of {} values for {} rows does not fit the {width} columns of {table}",
                    batch.cells.len(),
                    batch.lines.len(),
                )));
            }
            self.check_case_order(&batch.cells, width)?;
            // The batch id is the same for every row: written in the SQL.
            let head = format!(
                "INSERT INTO {table} (batch_id, line, {}) VALUES ",
                columns.join(", ")
            );
            let tuple = format!("({}, ?{})", self.batch_id, ", ?".repeat(width));
            let cells = &batch.cells;
            let written = insert_chunked(
                conn,
                &head,
                &tuple,
                width + 1,
                batch.lines.len(),
                |stmt, at, row| {
                    stmt.raw_bind_parameter(at, batch.lines[row] as i64)?;
                    for (i, cell) in cells[row * width..(row + 1) * width].iter().enumerate() {
                        stmt.raw_bind_parameter(at + 1 + i, batch.value_ref(*cell))?;
                    }
                    Ok(())
                },
            );
            match written {
                Ok(()) => {}
                Err((row, rusqlite::Error::SqliteFailure(f, _)))
                    if self.kind == Kind::BnpvCases && is_primary_key_violation(&f) =>
                {
                    let case_id = match cells.get(row * width) {
                        Some(Cell::Int(id)) => *id,
                        _ => 0,
                    };
                    let (key, existing) = self.stored_case(case_id)?;
                    return Ok(Some(DuplicateCase {
                        line: batch.lines[row],
                        key,
                        existing,
                    }));
                }
                Err(err) => return Err(e(err)),
            }
        }
        if !batch.issues.is_empty() {
            let mut stmt = conn
                .prepare_cached(
                    "INSERT INTO import_issue (batch_id, severity, line, column_name, message) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(|err| e((0, err)))?;
            for issue in &batch.issues {
                stmt.execute(params![
                    self.batch_id,
                    issue.severity.as_str(),
                    issue.line.map(|l| l as i64),
                    issue.column,
                    issue.message
                ])
                .map_err(|err| e((0, err)))?;
            }
        }
        Ok(None)
    }

    /// The case and drug name ids, read from the workspace on first use.
    fn keys_mut(&mut self) -> Result<&mut KeyCache> {
        if self.keys.is_none() {
            let loaded = KeyCache::load(self.conn).map_err(|e| self.err(e))?;
            self.keys = Some(loaded);
        }
        self.keys
            .as_mut()
            .ok_or_else(|| Error::Usage("the key cache is not loaded".into()))
    }

    /// Lends the key cache to a reading thread; [`ImportWriter::return_keys`]
    /// gives it back before [`ImportWriter::finish`].
    pub fn take_keys(&mut self) -> Result<KeyCache> {
        self.keys_mut()?;
        let keys = self
            .keys
            .take()
            .ok_or_else(|| Error::Usage("the key cache is not loaded".into()))?;
        self.with_stored_rows(keys)
    }

    /// The key cache with the rows of the file's kind the workspace holds,
    /// so that the reader recognises those the file repeats.
    fn with_stored_rows(&self, mut keys: KeyCache) -> Result<KeyCache> {
        keys.load_stored(self.conn, self.kind)
            .map_err(|e| self.err(e))?;
        Ok(keys)
    }

    /// Takes a key cache an earlier import of the same command left, when
    /// the workspace still holds exactly the keys it knows (ids only grow,
    /// and are deleted only when a batch is replaced, so equal counts and
    /// largest ids mean equal keys); otherwise reads them again. Lent as by [`ImportWriter::take_keys`].
    pub fn adopt_keys(&mut self, keys: KeyCache) -> Result<KeyCache> {
        let found: (i64, i64, i64, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM case_key), (SELECT coalesce(max(id), 0) FROM case_key),
                        (SELECT count(*) FROM drug_name), (SELECT coalesce(max(id), 0) FROM drug_name)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(|e| self.err(e))?;
        let known = (
            keys.cases.len() as i64,
            keys.next_case - 1,
            keys.names.len() as i64,
            keys.next_name - 1,
        );
        if found == known && !self.replaced {
            let mut keys = keys;
            keys.begin_file();
            return self.with_stored_rows(keys);
        }
        self.keys = None;
        self.take_keys()
    }

    /// Takes back the key cache lent by [`ImportWriter::take_keys`].
    pub fn return_keys(&mut self, keys: KeyCache) {
        self.keys = Some(keys);
    }

    /// For a large file: drops the indexes of the kind's table now and
    /// rebuilds them before commit — one sort instead of a million random
    /// B-tree insertions. Inside the transaction, so a failed import leaves
    /// them as they were.
    ///
    /// An index led by `case_id` stays, as long as the rows come in case
    /// order (extracts are sorted by case): its entries are then appended
    /// at its end, which costs less than sorting them afterwards. The first
    /// batch out of order drops it for a rebuild like the others.
    pub fn defer_indexes(&mut self) -> Result<()> {
        let (table, _) = table_columns(self.kind);
        let indexes: Vec<(String, String, Option<String>)> = self
            .conn
            .prepare(
                "SELECT m.name, m.sql, (SELECT i.name FROM pragma_index_info(m.name) i WHERE i.seqno = 0)
                 FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name = ?1 AND m.sql IS NOT NULL",
            )
            .and_then(|mut s| {
                s.query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .and_then(|rows| rows.collect())
            })
            .map_err(|e| self.err(e))?;
        for (name, sql, first_column) in indexes {
            if first_column.as_deref() == Some("case_id") && table != "bnpv_case" {
                self.case_ordered_indexes.push((name, sql));
                continue;
            }
            self.drop_for_rebuild(&name, sql)?;
        }
        Ok(())
    }

    fn drop_for_rebuild(&mut self, name: &str, sql: String) -> Result<()> {
        self.conn
            .execute_batch(&format!("DROP INDEX \"{name}\""))
            .map_err(|e| self.err(e))?;
        self.deferred_indexes.push(sql);
        Ok(())
    }

    /// Keeps the indexes led by `case_id` only while the case ids of the
    /// rows written (first value of each row) never go down.
    fn check_case_order(&mut self, cells: &[Cell], width: usize) -> Result<()> {
        if self.case_ordered_indexes.is_empty() || width == 0 {
            return Ok(());
        }
        let mut last = self.last_case_id;
        let mut ordered = true;
        for row in cells.chunks_exact(width) {
            match row.first() {
                Some(Cell::Int(id)) if *id >= last => last = *id,
                _ => {
                    ordered = false;
                    break;
                }
            }
        }
        if ordered {
            self.last_case_id = last;
            return Ok(());
        }
        for (name, sql) in std::mem::take(&mut self.case_ordered_indexes) {
            self.drop_for_rebuild(&name, sql)?;
        }
        Ok(())
    }

    /// Rebuilds the indexes [`ImportWriter::defer_indexes`] dropped.
    ///
    /// With `temp_store = MEMORY` SQLite sorts an index's entries as one
    /// list in memory, on one core, which for a million entries in random
    /// order (`bnpv_drug(name_id)`) took 0.9 s. With temporary files allowed
    /// and a small cache, it sorts runs of a few MB on worker threads and
    /// merges them: 0.4 s. Both settings are the connection's, not the
    /// workspace's, and are put back whatever happens.
    fn rebuild_deferred_indexes(&mut self) -> Result<()> {
        let setting = |name: &str| -> Result<i64> {
            self.conn
                .pragma_query_value(None, name, |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        let saved = [
            ("cache_size", setting("cache_size")?),
            ("temp_store", setting("temp_store")?),
            ("threads", setting("threads")?),
        ];
        let built = [
            ("threads", INDEX_SORT_THREADS),
            ("temp_store", 1),
            ("cache_size", INDEX_SORT_CACHE_KIB),
        ]
        .iter()
        .try_for_each(|(name, value)| self.conn.pragma_update(None, name, value))
        .and_then(|()| {
            self.deferred_indexes
                .iter()
                .try_for_each(|sql| self.conn.execute_batch(sql))
        });
        let restored = saved
            .iter()
            .try_for_each(|(name, value)| self.conn.pragma_update(None, name, value));
        built.and(restored).map_err(|e| self.err(e))
    }

    /// Records the counts and commits the whole file.
    pub fn finish(self, counts: RowCounts) -> Result<i64> {
        self.finish_keeping_keys(counts).map(|f| f.batch_id)
    }

    /// [`ImportWriter::finish`], giving back the key cache (if one was
    /// used), true to the workspace once committed, for the next file, and
    /// what the file changed to the cases.
    pub fn finish_keeping_keys(mut self, counts: RowCounts) -> Result<Finished> {
        if !self.deferred_indexes.is_empty() {
            self.rebuild_deferred_indexes()?;
        }
        let mut changes = CaseChanges::default();
        if self.kind.source() == Source::Bnpv
            && let Some(keys) = self.keys.as_mut()
        {
            let absent = match (self.kind, self.cumulative) {
                (Kind::BnpvCases, true) => Absent::Retire,
                (Kind::BnpvCases, false) => Absent::Report,
                _ => Absent::NotCases,
            };
            changes = versions::commit(self.conn, keys, self.batch_id, absent)
                .map_err(|e| sql_error(&self.path, e))?;
        }
        self.conn
            .execute(
                "UPDATE import_batch SET rows_read = ?2, rows_kept = ?3, rows_rejected = ?4, warnings = ?5 WHERE id = ?1",
                params![
                    self.batch_id,
                    counts.read as i64,
                    counts.kept as i64,
                    counts.rejected as i64,
                    (counts.warnings + counts.dropped) as i64
                ],
            )
            .map_err(|e| self.err(e))?;
        self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
        self.open = false;
        let mut keys = self.keys.take();
        if let Some(keys) = keys.as_mut() {
            keys.begin_file();
        }
        Ok(Finished {
            batch_id: self.batch_id,
            keys,
            changes,
        })
    }
}

/// The last part of a file path as recorded (either separator: a
/// workspace may travel between Windows and Linux).
fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Worker threads SQLite may use to sort while rebuilding deferred indexes.
const INDEX_SORT_THREADS: i64 = 2;

/// Page cache while rebuilding deferred indexes (negative: KiB), which also
/// sets the size of the runs SQLite's sorter sorts apart: 4 MB runs sort
/// fast and in parallel; the dirty pages beyond it go to the WAL early,
/// where the commit would have written them anyway.
const INDEX_SORT_CACHE_KIB: i64 = -4096;

/// Whether SQLite refused a row for its primary key (a case version stored
/// twice), rather than for another constraint.
fn is_primary_key_violation(f: &rusqlite::ffi::Error) -> bool {
    f.code == rusqlite::ErrorCode::ConstraintViolation
        && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
}
