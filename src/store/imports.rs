//! Import batches and the rows they bring. An import is one transaction
//! (`BEGIN IMMEDIATE`, so a second writer waits or is told the workspace is
//! busy): the [`ImportWriter`] inserts rows, records issues by line, and
//! either commits the whole file or, dropped on error or cancel, rolls all of
//! it back. Referential kinds (CODEX, BDPM) supersede the previous import of
//! the same kind; the same file (same sha256) is refused unless replaced
//! ([`Replace`]; the importer skips it before). BNPV rows the workspace
//! already holds (same case version, same values) are recognised while
//! reading ([`KeyCache::take_stored_row`]) and not stored again, so that a
//! cumulative extract, or a file and a superset of it, counts each row once.
//!
//! Built for millions of rows: the reading thread fills [`RowBatch`]es
//! (values borrowed from one text buffer, nothing allocated per field) and
//! gives case and drug-name ids itself from a [`KeyCache`]; the writer
//! inserts a batch with many-row statements, with foreign keys off for the
//! import (see [`Store::begin_import`] for why that is safe), and rebuilds a
//! large file's indexes once at the end.

use std::path::PathBuf;

use rusqlite::params;
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};

use super::{Store, sql_error};
use crate::env::now_iso;
use crate::error::Result;
use crate::model::{Kind, Value};

mod batches;
mod chunks;
mod columns;
mod keys;
mod present;
mod rows;
mod versions;
mod writer;

pub use columns::table_columns;
pub use keys::KeyCache;
pub use present::{Presence, content_hash};
pub use rows::{Cell, RowBatch};
pub use versions::CaseChanges;
pub use writer::{DuplicateCase, Finished, ImportWriter};

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
    /// For a case file: it is a whole (cumulative) extract, so the cases
    /// it lacks are retired from counts (kept in history).
    pub cumulative: bool,
}

/// Which earlier batches of the kind a file takes the place of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// None: the same file (SHA-256) as a batch that counts is refused.
    Nothing,
    /// The batch of the same file (SHA-256), read again.
    SameFile,
    /// That one and every batch of the kind with the same file name,
    /// whatever its content (`--replace`).
    SameName,
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
    /// Rows the workspace already held (same case version, same values):
    /// recognised, not stored or counted again.
    pub present: u64,
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
    /// `replace` says to take its place ([`Replace`]): the batches replaced
    /// are removed inside the same transaction.
    ///
    /// Foreign keys are off while the writer lives (see
    /// [`ImportWriter`] for why).
    pub fn begin_import(&mut self, batch: &NewBatch, replace: Replace) -> Result<ImportWriter<'_>> {
        ImportWriter::begin(&self.conn, &self.path, batch, replace)
    }

    /// The batch holding a file of `kind` with this SHA-256 whose rows are
    /// in the workspace (not a superseded referential).
    pub fn current_batch_with_hash(&self, kind: Kind, sha256: &str) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT id FROM import_batch WHERE kind = ?1 AND sha256 = ?2 AND superseded_at IS NULL",
                params![kind.as_str(), sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
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

#[cfg(test)]
pub(crate) mod tests;
