//! Taking a batch back out: its rows, issues and record, and the drug
//! names' counts when drug rows go.

use rusqlite::Connection;

use super::table_columns;
use crate::model::Kind;

/// Removes a batch and everything it brought. The BNPV tables have no
/// index on `batch_id` (migration 4): their rows are found by one scan,
/// which costs less on a `--replace` than the index costs on every import.
pub(super) fn delete_batch(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let kind: String =
        conn.query_row("SELECT kind FROM import_batch WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    if let Some(kind) = Kind::parse(&kind) {
        let (table, _) = table_columns(kind);
        conn.execute(&format!("DELETE FROM {table} WHERE batch_id = ?1"), [id])?;
        if kind == Kind::BnpvDrugs {
            refresh_name_counts(conn)?;
        }
    }
    conn.execute("DELETE FROM import_issue WHERE batch_id = ?1", [id])?;
    conn.execute("DELETE FROM import_batch WHERE id = ?1", [id])?;
    Ok(())
}

/// Recomputes how many observations and cases each drug name has (ORDEI's
/// duplicates left out).
fn refresh_name_counts(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "UPDATE drug_name SET
            n_obs = (SELECT count(*) FROM bnpv_drug d WHERE d.name_id = drug_name.id AND d.duplicate = 0),
            n_cases = (SELECT count(DISTINCT d.case_id) FROM bnpv_drug d WHERE d.name_id = drug_name.id)",
    )
}
