//! Import batches and the rows they bring. An import is one transaction
//! (`BEGIN IMMEDIATE`, so a second writer waits or is told the workspace is
//! busy): the [`ImportWriter`] inserts rows, records issues by line, and
//! either commits the whole file or, dropped on error or cancel, rolls all of
//! it back. Referential kinds (CODEX, BDPM) supersede the previous import of
//! the same kind; the same file (same sha256) is refused unless replaced.
//!
//! Built for millions of rows: the reading thread fills [`RowBatch`]es
//! (values borrowed from one text buffer, nothing allocated per field) and
//! gives case and drug-name ids itself from a [`KeyCache`]; the writer
//! inserts a batch with many-row statements, with foreign keys off for the
//! import (see [`Store::begin_import`] for why that is safe), and rebuilds a
//! large file's indexes once at the end.

use std::path::PathBuf;

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};
use rustc_hash::FxHashMap;

use super::{Store, sql_error};
use crate::env::now_iso;
use crate::error::{Error, Place, Result};
use crate::model::{Kind, Level, Value};

mod batches;
mod chunks;
mod columns;

use batches::delete_batch;
use chunks::insert_chunked;
pub use columns::table_columns;

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// What identifies a file being imported.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// The kind of file.
    pub kind: Kind,
    /// The file path as given.
    pub file: PathBuf,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// The detected encoding.
    pub encoding: String,
    /// Who imports (OS user).
    pub imported_by: String,
}

/// How serious an import issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The row was kept out (malformed).
    Rejected,
    /// The row was left out by an agency rule (e.g. "INCONNU (LIBRA)").
    Dropped,
    /// The row was kept; a value could not be used as is.
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Rejected => "rejected",
            Severity::Dropped => "dropped",
            Severity::Warning => "warning",
        }
    }
}

/// Row counts of a finished import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    /// Data rows read from the file.
    pub read: u64,
    /// Rows stored.
    pub kept: u64,
    /// Rows kept out as malformed.
    pub rejected: u64,
    /// Rows dropped by a rule.
    pub dropped: u64,
    /// Warnings recorded.
    pub warnings: u64,
}

impl Store {
    /// Starts importing a file: one write transaction for the whole file.
    /// Refuses a file already imported (same kind and sha256) unless
    /// `replace`, which removes that batch's rows inside the same
    /// transaction.
    ///
    /// Foreign keys are off while the writer lives (restored when it is
    /// dropped, committed or not): every reference an import writes is to a
    /// row it created or read in the same transaction (its own batch, the
    /// case keys and drug names of [`KeyCache`]), and a replaced batch's
    /// rows are deleted before the batch itself, so the checks could never
    /// fail — they only cost a B-tree lookup per reference and row.
    pub fn begin_import(&mut self, batch: &NewBatch, replace: bool) -> Result<ImportWriter<'_>> {
        let path = self.path.clone();
        // The pragma is a no-op inside a transaction: set it before BEGIN.
        self.conn
            .pragma_update(None, "foreign_keys", "OFF")
            .map_err(|e| sql_error(&path, e))?;
        let mut writer = ImportWriter {
            conn: &self.conn,
            open: false,
            path,
            kind: batch.kind,
            batch_id: 0,
            insert_sql: String::new(),
            keys: None,
            deferred_indexes: Vec::new(),
            case_ordered_indexes: Vec::new(),
            last_case_id: i64::MIN,
            check_references: false,
        };
        writer
            .conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| writer.err(e))?;
        writer.open = true;
        writer.start(batch, replace)?;
        Ok(writer)
    }

    /// The column mapping remembered for a kind: (expected, found) pairs.
    pub fn column_mapping(&self, kind: Kind) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT expected, found FROM column_mapping WHERE kind = ?1 ORDER BY expected")
            .map_err(|e| self.err(e))?;
        stmt.query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// Remembers (expected, found) column pairs for the next file of `kind`.
    pub fn save_column_mapping(&mut self, kind: Kind, pairs: &[(String, String)]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        for (expected, found) in pairs {
            tx.execute(
                "INSERT INTO column_mapping (kind, expected, found) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, expected) DO UPDATE SET found = excluded.found",
                params![kind.as_str(), expected, found],
            )
            .map_err(|e| sql_error(&path, e))?;
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }
}

/// The ids of case versions and distinct drug names: the workspace's, read
/// once, plus those an import creates. Ids are given here (the next after
/// the largest stored), so that the rows referring to them can be built on
/// another thread than the one writing them.
#[derive(Debug, Default)]
pub struct KeyCache {
    /// Case ids by "AER_ID\u{1f}CAS\u{1f}VER".
    cases: FxHashMap<Box<str>, i64>,
    next_case: i64,
    /// Drug name ids by "level\u{1f}name".
    names: FxHashMap<Box<str>, i64>,
    next_name: i64,
    /// Reused buffer for the keys above.
    key: String,
    /// The last case key asked for and its id: the rows of a case follow
    /// each other, so most rows ask for the same key again.
    last_case: (String, i64),
    /// Observations per drug name brought by this file (duplicates left
    /// out), added to the names' counts on commit.
    name_counts: FxHashMap<i64, i64>,
}

impl KeyCache {
    fn load(conn: &Connection) -> rusqlite::Result<KeyCache> {
        let mut cache = KeyCache::default();
        let mut stmt = conn.prepare("SELECT aer_id, cas, ver, id FROM case_key")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            cache.key.clear();
            for i in 0..3 {
                if i > 0 {
                    cache.key.push('\u{1f}');
                }
                cache.key.push_str(r.get_ref(i)?.as_str()?);
            }
            let id: i64 = r.get(3)?;
            cache.next_case = cache.next_case.max(id);
            cache.cases.insert(cache.key.as_str().into(), id);
        }
        let mut stmt = conn.prepare("SELECT level, name, id FROM drug_name")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            cache.key.clear();
            cache.key.push_str(r.get_ref(0)?.as_str()?);
            cache.key.push('\u{1f}');
            cache.key.push_str(r.get_ref(1)?.as_str()?);
            let id: i64 = r.get(2)?;
            cache.next_name = cache.next_name.max(id);
            cache.names.insert(cache.key.as_str().into(), id);
        }
        cache.next_case += 1;
        cache.next_name += 1;
        Ok(cache)
    }

    /// The id of a case version, and whether it is new (to be stored with
    /// [`RowBatch::new_case`] or by the writer).
    pub fn case_id(&mut self, aer_id: &str, cas: &str, ver: &str) -> (i64, bool) {
        self.key.clear();
        self.key.push_str(aer_id);
        self.key.push('\u{1f}');
        self.key.push_str(cas);
        self.key.push('\u{1f}');
        self.key.push_str(ver);
        if self.last_case.1 != 0 && self.key == self.last_case.0 {
            return (self.last_case.1, false);
        }
        let (id, new) = match self.cases.get(self.key.as_str()) {
            Some(id) => (*id, false),
            None => {
                let id = self.next_case;
                self.next_case += 1;
                self.cases.insert(self.key.as_str().into(), id);
                (id, true)
            }
        };
        self.last_case.0.clone_from(&self.key);
        self.last_case.1 = id;
        (id, new)
    }

    /// The id of a distinct drug name at a level, and whether it is new.
    pub fn name_id(&mut self, name: &str, level: Level) -> (i64, bool) {
        self.key.clear();
        self.key.push_str(level.as_str());
        self.key.push('\u{1f}');
        self.key.push_str(name);
        if let Some(id) = self.names.get(self.key.as_str()) {
            return (*id, false);
        }
        let id = self.next_name;
        self.next_name += 1;
        self.names.insert(self.key.as_str().into(), id);
        (id, true)
    }

    /// Counts one observation of a drug name (not an ORDEI duplicate).
    pub fn count_observation(&mut self, name_id: i64) {
        *self.name_counts.entry(name_id).or_default() += 1;
    }
}

/// One value of a row in a [`RowBatch`]: text is a range of the batch's
/// buffer, so building a row allocates nothing.
#[derive(Debug, Clone, Copy)]
pub enum Cell {
    /// No value.
    Null,
    /// An integer.
    Int(i64),
    /// A decimal number.
    Real(f64),
    /// Text at `start..end` of the batch's buffer.
    Text(u32, u32),
    /// Text known at compile time (labels, classes).
    Static(&'static str),
}

/// An issue to store, by line and column.
#[derive(Debug, Clone)]
struct PendingIssue {
    severity: Severity,
    line: Option<u64>,
    column: Option<&'static str>,
    message: String,
}

/// Rows of one kind ready to be stored (values in the order of
/// [`table_columns`]), with the case keys, drug names and issues they
/// bring. Built by the reading thread, written by [`ImportWriter::write_batch`],
/// then cleared and sent back to be filled again.
#[derive(Debug, Default)]
pub struct RowBatch {
    text: String,
    cells: Vec<Cell>,
    lines: Vec<u64>,
    /// Cells of the row being built start here.
    row_start: usize,
    text_start: usize,
    new_cases: Vec<(i64, [Cell; 3])>,
    new_names: Vec<(i64, Level, Cell, Cell)>,
    issues: Vec<PendingIssue>,
}

impl RowBatch {
    /// Rows complete in the batch.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Issues in the batch.
    pub fn issues(&self) -> usize {
        self.issues.len()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.lines.clear();
        self.row_start = 0;
        self.text_start = 0;
        self.new_cases.clear();
        self.new_names.clear();
        self.issues.clear();
    }

    fn text_cell(&mut self, s: &str) -> Cell {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Cell::Text(start, self.text.len() as u32)
    }

    /// Adds a text value to the row being built: `Null` when empty after
    /// trimming (as [`Value::text_or_null`]).
    pub fn text(&mut self, s: &str) {
        let t = s.trim();
        let cell = if t.is_empty() {
            Cell::Null
        } else {
            self.text_cell(t)
        };
        self.cells.push(cell);
    }

    /// Adds a value to the row being built.
    pub fn cell(&mut self, cell: Cell) {
        self.cells.push(cell);
    }

    /// Adds an integer, or `Null`.
    pub fn int(&mut self, v: Option<i64>) {
        self.cells.push(v.map_or(Cell::Null, Cell::Int));
    }

    /// Adds a flag as 0 or 1.
    pub fn flag(&mut self, v: bool) {
        self.cells.push(Cell::Int(i64::from(v)));
    }

    /// Adds a date as `YYYY-MM-DD` (the form the derived columns hold).
    pub fn date(&mut self, d: chrono::NaiveDate) {
        use chrono::Datelike;
        let start = self.text.len() as u32;
        let (y, m, day) = (d.year(), d.month(), d.day());
        if (0..=9999).contains(&y) {
            let y = y as u32;
            for digit in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
                self.text.push(char::from(b'0' + digit as u8));
            }
            for part in [m, day] {
                self.text.push('-');
                self.text.push(char::from(b'0' + (part / 10) as u8));
                self.text.push(char::from(b'0' + (part % 10) as u8));
            }
        } else {
            self.text.push_str(&d.format("%Y-%m-%d").to_string());
        }
        self.cells.push(Cell::Text(start, self.text.len() as u32));
    }

    /// Adds an owned value (the converters that build [`Value`] rows).
    pub fn value(&mut self, v: &Value) {
        let cell = match v {
            Value::Null => Cell::Null,
            Value::Int(i) => Cell::Int(*i),
            Value::Real(f) => Cell::Real(*f),
            Value::Text(s) => self.text_cell(s),
        };
        self.cells.push(cell);
    }

    /// Ends the row being built, read at `line`.
    pub fn end_row(&mut self, line: u64) {
        self.lines.push(line);
        self.row_start = self.cells.len();
        self.text_start = self.text.len();
    }

    /// Cells of the row being built so far.
    pub fn row_width(&self) -> usize {
        self.cells.len() - self.row_start
    }

    /// Forgets the row being built.
    pub fn discard_row(&mut self) {
        self.cells.truncate(self.row_start);
        self.text.truncate(self.text_start);
    }

    /// Records a case key that [`KeyCache::case_id`] created.
    pub fn new_case(&mut self, id: i64, aer_id: &str, cas: &str, ver: &str) {
        let key = [
            self.text_cell(aer_id),
            self.text_cell(cas),
            self.text_cell(ver),
        ];
        self.new_cases.push((id, key));
        self.text_start = self.text.len();
    }

    /// Records a drug name that [`KeyCache::name_id`] created.
    pub fn new_name(&mut self, id: i64, name: &str, level: Level, normalized: &str) {
        let name = self.text_cell(name);
        let normalized = self.text_cell(normalized);
        self.new_names.push((id, level, name, normalized));
        self.text_start = self.text.len();
    }

    /// Records an issue to store with the rows.
    pub fn issue(
        &mut self,
        severity: Severity,
        line: Option<u64>,
        column: Option<&'static str>,
        message: String,
    ) {
        self.issues.push(PendingIssue {
            severity,
            line,
            column,
            message,
        });
    }

    fn value_ref(&self, cell: Cell) -> ToSqlOutput<'_> {
        ToSqlOutput::Borrowed(match cell {
            Cell::Null => ValueRef::Null,
            Cell::Int(i) => ValueRef::Integer(i),
            Cell::Real(f) => ValueRef::Real(f),
            Cell::Text(start, end) => {
                ValueRef::Text(&self.text.as_bytes()[start as usize..end as usize])
            }
            Cell::Static(s) => ValueRef::Text(s.as_bytes()),
        })
    }
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
pub struct ImportWriter<'c> {
    conn: &'c Connection,
    /// Whether the transaction is open (rolled back on drop).
    open: bool,
    path: PathBuf,
    kind: Kind,
    batch_id: i64,
    insert_sql: String,
    /// Case and drug name ids, loaded on first use.
    keys: Option<KeyCache>,
    /// Indexes dropped for a bulk load, rebuilt before commit.
    deferred_indexes: Vec<String>,
    /// Indexes led by `case_id` kept during a bulk load while rows come in
    /// case order: (name, sql).
    case_ordered_indexes: Vec<(String, String)>,
    /// The largest case id written so far, for the order above.
    last_case_id: i64,
    /// Whether rows came through [`ImportWriter::insert`], with values the
    /// importer did not make: their references are checked on finish.
    check_references: bool,
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

impl ImportWriter<'_> {
    fn err(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.path, e)
    }

    /// Replaces or supersedes what must be, and creates the batch.
    fn start(&mut self, batch: &NewBatch, replace: bool) -> Result<()> {
        let tx = self.conn;
        let path = self.path.clone();
        let previous: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, imported_at, imported_by FROM import_batch WHERE kind = ?1 AND sha256 = ?2",
                params![batch.kind.as_str(), batch.sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| sql_error(&path, e))?;
        if let Some((id, at, by)) = previous {
            if !replace {
                return Err(Error::data(
                    Place::file(&batch.file),
                    format!(
                        "this file was already imported as batch {id} on {at} by {by} (same SHA-256); use --replace to import it again in place of that batch"
                    ),
                ));
            }
            delete_batch(tx, id).map_err(|e| sql_error(&path, e))?;
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
        let (table, columns) = table_columns(batch.kind);
        let placeholders = vec!["?"; columns.len() + 2].join(", ");
        self.insert_sql = format!(
            "INSERT INTO {table} (batch_id, line, {}) VALUES ({placeholders})",
            columns.join(", ")
        );
        Ok(())
    }

    /// The batch id being written.
    pub fn batch_id(&self) -> i64 {
        self.batch_id
    }

    /// Inserts one row (values in the order of [`table_columns`]).
    ///
    /// The values come from the caller, not from the key cache: the rows
    /// written this way have their references checked before commit.
    pub fn insert(&mut self, line: u64, values: Vec<Value>) -> Result<()> {
        self.check_references = true;
        let mut stmt = self
            .conn
            .prepare_cached(&self.insert_sql)
            .map_err(|e| sql_error(&self.path, e))?;
        stmt.raw_bind_parameter(1, self.batch_id)
            .and_then(|()| stmt.raw_bind_parameter(2, line as i64))
            .and_then(|()| {
                values
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, v)| stmt.raw_bind_parameter(i + 3, v))
            })
            .and_then(|()| stmt.raw_execute())
            .map_err(|e| sql_error(&self.path, e))?;
        Ok(())
    }

    /// Inserts a BNPV case row; when the case version is already stored,
    /// returns where (file and line) instead of failing, so the importer can
    /// name both places.
    pub fn insert_case(&mut self, line: u64, values: Vec<Value>) -> Result<Option<String>> {
        let case_id = match values.first() {
            Some(Value::Int(id)) => *id,
            _ => {
                return Err(Error::Usage(
                    "insert_case: the first value must be the case id".into(),
                ));
            }
        };
        match self.insert(line, values) {
            Ok(()) => Ok(None),
            Err(Error::Sqlite {
                source: rusqlite::Error::SqliteFailure(f, _),
                ..
            }) if is_primary_key_violation(&f) => Ok(Some(self.stored_case(case_id)?.1)),
            Err(e) => Err(e),
        }
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

    /// Records an issue found at `line` (and `column`).
    pub fn issue(
        &mut self,
        severity: Severity,
        line: Option<u64>,
        column: Option<&str>,
        message: &str,
    ) -> Result<()> {
        let batch_id = self.batch_id;
        self.conn
            .prepare_cached(
                "INSERT INTO import_issue (batch_id, severity, line, column_name, message) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    batch_id,
                    severity.as_str(),
                    line.map(|l| l as i64),
                    column,
                    message
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
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
        self.keys
            .take()
            .ok_or_else(|| Error::Usage("the key cache is not loaded".into()))
    }

    /// Takes a key cache an earlier import of the same command left, when
    /// the workspace still holds exactly the keys it knows (ids only grow
    /// and are never deleted, so equal counts and largest ids mean equal
    /// keys); otherwise reads them again. Lent as by [`ImportWriter::take_keys`].
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
        if found == known {
            let mut keys = keys;
            keys.name_counts.clear();
            return Ok(keys);
        }
        self.keys = None;
        self.take_keys()
    }

    /// Takes back the key cache lent by [`ImportWriter::take_keys`].
    pub fn return_keys(&mut self, keys: KeyCache) {
        self.keys = Some(keys);
    }

    /// The id of a case version, created on first sight.
    pub fn case_id(&mut self, aer_id: &str, cas: &str, ver: &str) -> Result<i64> {
        let (id, new) = self.keys_mut()?.case_id(aer_id, cas, ver);
        if new {
            self.conn
                .prepare_cached(
                    "INSERT INTO case_key (id, aer_id, cas, ver) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| s.execute(params![id, aer_id, cas, ver]))
                .map_err(|e| self.err(e))?;
        }
        Ok(id)
    }

    /// The id of a distinct drug name at a level, created on first sight;
    /// `normalize` is called only for a new name.
    pub fn drug_name_id(
        &mut self,
        name: &str,
        level: Level,
        normalize: impl FnOnce(&str) -> String,
    ) -> Result<i64> {
        let (id, new) = self.keys_mut()?.name_id(name, level);
        if new {
            let normalized = normalize(name);
            self.conn
                .prepare_cached(
                    "INSERT INTO drug_name (id, name, level, normalized) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| s.execute(params![id, name, level.as_str(), normalized]))
                .map_err(|e| self.err(e))?;
        }
        Ok(id)
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

    /// Counts one observation of a drug name (not an ORDEI duplicate).
    pub fn count_observation(&mut self, name_id: i64) {
        if let Ok(keys) = self.keys_mut() {
            keys.count_observation(name_id);
        }
    }

    /// Records the counts and commits the whole file.
    pub fn finish(self, counts: RowCounts) -> Result<i64> {
        self.finish_keeping_keys(counts).map(|(id, _)| id)
    }

    /// [`ImportWriter::finish`], giving back the key cache (if one was
    /// used), true to the workspace once committed, for the next file.
    pub fn finish_keeping_keys(mut self, counts: RowCounts) -> Result<(i64, Option<KeyCache>)> {
        if !self.deferred_indexes.is_empty() {
            self.rebuild_deferred_indexes()?;
        }
        if self.check_references {
            // Foreign keys are off during the import (see begin_import):
            // what they would have refused is refused here.
            let (table, _) = table_columns(self.kind);
            let broken: Option<(String, i64)> = self
                .conn
                .query_row(
                    &format!("SELECT parent, rowid FROM pragma_foreign_key_check('{table}')"),
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some((parent, rowid)) = broken {
                return Err(Error::Usage(format!(
                    "row {rowid} of {table} refers to a missing row of {parent}; nothing was imported"
                )));
            }
        }
        if self.kind == Kind::BnpvDrugs
            && let Some(keys) = &self.keys
        {
            // Within a file the only repeats of a (case, name) pair are
            // ORDEI's duplicates, left out: a name's observations are its
            // cases too. Names of several files add up.
            let mut stmt = self
                .conn
                .prepare(
                    "UPDATE drug_name SET n_obs = n_obs + ?2, n_cases = n_cases + ?2 WHERE id = ?1",
                )
                .map_err(|e| self.err(e))?;
            for (id, n) in &keys.name_counts {
                stmt.execute(params![id, n]).map_err(|e| self.err(e))?;
            }
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
            keys.name_counts.clear();
        }
        Ok((self.batch_id, keys))
    }
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

#[cfg(test)]
pub(crate) mod tests;
