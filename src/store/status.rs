//! What a workspace holds: import batches with their counts and issues, and
//! rows per kind. Read-only queries for `datamed status` and the window.

use rusqlite::params;

use super::Store;
use super::imports::table_columns;
use crate::error::Result;
use crate::model::Kind;

/// One import batch as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInfo {
    /// Batch id.
    pub id: i64,
    /// Kind identifier.
    pub kind: String,
    /// File as given at import.
    pub file_name: String,
    /// Sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Detected encoding.
    pub encoding: String,
    /// Data rows read.
    pub rows_read: i64,
    /// Rows stored.
    pub rows_kept: i64,
    /// Rows kept out as malformed.
    pub rows_rejected: i64,
    /// Warnings and rule drops recorded.
    pub warnings: i64,
    /// When (UTC, ISO 8601).
    pub imported_at: String,
    /// Who (OS user).
    pub imported_by: String,
    /// When a newer referential of the same kind replaced it.
    pub superseded_at: Option<String>,
}

/// One recorded import issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInfo {
    /// `rejected`, `dropped` or `warning`.
    pub severity: String,
    /// Line (or spreadsheet row) number.
    pub line: Option<i64>,
    /// Column name or cell.
    pub column: Option<String>,
    /// What was found.
    pub message: String,
}

/// Row counts a user checks after an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceCounts {
    /// Rows stored per kind (current rows only).
    pub rows_per_kind: Vec<(Kind, i64)>,
    /// Distinct drug names (name, level) with at least one observation.
    pub drug_names: i64,
}

impl Store {
    /// Every batch, oldest first.
    pub fn batches(&self) -> Result<Vec<BatchInfo>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, kind, file_name, sheet, sha256, encoding, rows_read, rows_kept, rows_rejected,
                        warnings, imported_at, imported_by, superseded_at
                 FROM import_batch ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok(BatchInfo {
                id: r.get(0)?,
                kind: r.get(1)?,
                file_name: r.get(2)?,
                sheet: r.get(3)?,
                sha256: r.get(4)?,
                encoding: r.get(5)?,
                rows_read: r.get(6)?,
                rows_kept: r.get(7)?,
                rows_rejected: r.get(8)?,
                warnings: r.get(9)?,
                imported_at: r.get(10)?,
                imported_by: r.get(11)?,
                superseded_at: r.get(12)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.err(e))
    }

    /// The issues of a batch, by line, at most `limit`; and how many there are.
    pub fn batch_issues(&self, batch_id: i64, limit: usize) -> Result<(Vec<IssueInfo>, i64)> {
        let total: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM import_issue WHERE batch_id = ?1",
                [batch_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT severity, line, column_name, message FROM import_issue
                 WHERE batch_id = ?1 ORDER BY severity = 'warning', line, id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let issues = stmt
            .query_map(params![batch_id, limit as i64], |r| {
                Ok(IssueInfo {
                    severity: r.get(0)?,
                    line: r.get(1)?,
                    column: r.get(2)?,
                    message: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        Ok((issues, total))
    }

    /// Rows per kind and distinct names.
    pub fn counts(&self) -> Result<WorkspaceCounts> {
        let mut rows_per_kind = Vec::new();
        for kind in Kind::ALL {
            let (table, _) = table_columns(kind);
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            rows_per_kind.push((kind, n));
        }
        let drug_names = self
            .conn
            .query_row("SELECT count(*) FROM drug_name WHERE n_obs > 0", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        Ok(WorkspaceCounts {
            rows_per_kind,
            drug_names,
        })
    }
}
