//! The portal exports a workspace has published: each one's id, time,
//! directory and the id of the one before it (so that publications chain),
//! and the published cells of the last one only — what the next export's
//! dry run compares against. Older snapshots are dropped when a new export
//! is recorded: the files themselves, with their manifest, are the record
//! of what each export said.

use rusqlite::{OptionalExtension, params};

use super::{Store, sql_error};
use crate::error::Result;

/// A portal export recorded in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalExportRecord {
    /// The export's id, written in its manifest.
    pub id: String,
    /// When it was generated (ISO 8601, UTC), as its manifest says.
    pub exported_at: String,
    /// The directory it was written to.
    pub dir: String,
    /// The export before it, if any.
    pub previous_id: Option<String>,
}

/// One published cell of an export: which table, which row (its key
/// columns joined), which column, and the value published (`None`: hidden
/// by the disclosure rule).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublishedCell {
    /// The table (file name without extension).
    pub table: String,
    /// The row's key.
    pub key: String,
    /// The column.
    pub column: String,
    /// The value published; `None` when hidden.
    pub value: Option<String>,
}

impl Store {
    /// The last portal export recorded, if any.
    pub fn last_portal_export(&self) -> Result<Option<PortalExportRecord>> {
        self.conn
            .query_row(
                "SELECT id, exported_at, dir, previous_id FROM portal_export
                 ORDER BY seq DESC LIMIT 1",
                [],
                |r| {
                    Ok(PortalExportRecord {
                        id: r.get(0)?,
                        exported_at: r.get(1)?,
                        dir: r.get(2)?,
                        previous_id: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| sql_error(&self.path, e))
    }

    /// The published cells of the export `id` (only the last export keeps
    /// them).
    pub fn portal_export_cells(&self, id: &str) -> Result<Vec<PublishedCell>> {
        self.query_rows(
            "SELECT table_name, row_key, column_name, value FROM portal_export_cell
             WHERE export_id = ?1",
            [id],
            |r| {
                Ok(PublishedCell {
                    table: r.get(0)?,
                    key: r.get(1)?,
                    column: r.get(2)?,
                    value: r.get(3)?,
                })
            },
        )
    }

    /// Records an export and its cells in one transaction, dropping the
    /// previous export's cells, and runs `place` (which puts the files in
    /// place) before committing: the export is recorded if and only if its
    /// files are there.
    pub fn record_portal_export(
        &self,
        record: &PortalExportRecord,
        cells: &[PublishedCell],
        place: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let err = |e| sql_error(&self.path, e);
        let tx = self.conn.unchecked_transaction().map_err(err)?;
        tx.execute("DELETE FROM portal_export_cell", [])
            .map_err(err)?;
        tx.execute(
            "INSERT INTO portal_export (id, seq, exported_at, dir, previous_id)
             VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM portal_export), ?2, ?3, ?4)",
            params![
                record.id,
                record.exported_at,
                record.dir,
                record.previous_id
            ],
        )
        .map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO portal_export_cell (export_id, table_name, row_key, column_name, value)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            for c in cells {
                insert
                    .execute(params![record.id, c.table, c.key, c.column, c.value])
                    .map_err(err)?;
            }
        }
        place()?;
        tx.commit().map_err(err)
    }
}
