//! Taking a batch back out: its rows, issues and record, and for a BNPV
//! batch the case versions that count and the drug names' counts.

use rusqlite::Connection;

use super::table_columns;
use crate::model::{Kind, Source};
use crate::store::cases;

/// Removes a batch and everything it brought. The BNPV tables have no
/// index on `batch_id` (migration 4): their rows are found by one scan,
/// which costs less on a `--replace` than the index costs on every import.
///
/// A BNPV batch may have brought case versions and retired cases: the
/// versions no row refers to any more go, its retirements end, and which
/// version of each case counts is worked out again with every name's
/// counts ([`cases::rebuild`]).
pub(super) fn delete_batch(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let kind: String =
        conn.query_row("SELECT kind FROM import_batch WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    let kind = Kind::parse(&kind);
    if let Some(kind) = kind {
        let (table, _) = table_columns(kind);
        conn.execute(&format!("DELETE FROM {table} WHERE batch_id = ?1"), [id])?;
    }
    conn.execute("DELETE FROM import_issue WHERE batch_id = ?1", [id])?;
    conn.execute("DELETE FROM import_batch WHERE id = ?1", [id])?;
    if kind.is_some_and(|k| k.source() == Source::Bnpv) {
        conn.execute_batch(
            "DELETE FROM case_key
             WHERE NOT EXISTS (SELECT 1 FROM bnpv_case c WHERE c.case_id = case_key.id)
               AND NOT EXISTS (SELECT 1 FROM bnpv_drug d WHERE d.case_id = case_key.id)
               AND NOT EXISTS (SELECT 1 FROM bnpv_effect e WHERE e.case_id = case_key.id);",
        )?;
        cases::rebuild(conn)?;
    }
    Ok(())
}
