//! On commit of a BNPV file: the case versions that count from now on
//! (`case_current`), and the drug names' observation counts that follow.
//!
//! Set-based, so that a month's extract on top of the last costs little
//! more than on an empty workspace: the key cache already knows which
//! cases the file changed; the drug rows of the versions that stopped or
//! started counting are read in one grouped query (earlier batches'
//! rows), and the file's own rows were counted by the reading thread.

use rusqlite::{Connection, params};
use rustc_hash::FxHashMap;

use super::chunks::insert_chunked;
use super::keys::{Before, KeyCache};

/// What a file changed to the cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseChanges {
    /// Cases new to the workspace.
    pub added: u64,
    /// Cases now counted in a newer version.
    pub updated: u64,
    /// Cases retired (left out of a cumulative extract).
    pub retired: u64,
    /// Retired cases an extract holds again.
    pub restored: u64,
    /// Cases that count and that this case file did not hold (not retired:
    /// the file was not declared cumulative).
    pub absent: u64,
    /// Observation count changes per drug name id.
    pub name_deltas: FxHashMap<i64, i64>,
}

/// Whether a case row of this kind of file was imported with the
/// cumulative option: its absent cases are then retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Absent {
    /// Not a case file: cases are neither seen nor absent.
    NotCases,
    /// A case file: absent cases are reported.
    Report,
    /// A cumulative case file: absent cases are retired.
    Retire,
}

/// Stores what the file changed to the case versions that count and moves
/// the observation counts accordingly; `batch_id` is the file's batch.
pub(super) fn commit(
    conn: &Connection,
    keys: &mut KeyCache,
    batch_id: i64,
    absent: Absent,
) -> rusqlite::Result<CaseChanges> {
    let mut changes = CaseChanges::default();
    if absent != Absent::NotCases {
        let unseen = keys.unseen_cases();
        if absent == Absent::Retire {
            for cas in &unseen {
                keys.retire(cas, batch_id);
            }
        } else {
            changes.absent = unseen.len() as u64;
        }
    }
    // Per case changed: the rows of `case_current` to drop and to write,
    // and the ids whose counting changed, with +1 or -1.
    let mut dropped: Vec<i64> = Vec::new();
    let mut written: Vec<(i64, Option<i64>)> = Vec::with_capacity(keys.changed.len());
    let mut flips: Vec<(i64, i64)> = Vec::new();
    for (cas, before) in &keys.changed {
        let Some(now) = keys.current.get(cas) else {
            continue;
        };
        let counts_now = now.retired_by.is_none();
        match before {
            None => changes.added += 1,
            Some(Before { id, retired }) => {
                if *id != now.id {
                    changes.updated += 1;
                    dropped.push(*id);
                    if !retired {
                        flips.push((*id, -1));
                    }
                } else if *retired && counts_now {
                    changes.restored += 1;
                } else if !retired && !counts_now {
                    changes.retired += 1;
                }
            }
        }
        let counted_before = matches!(before, Some(b) if b.id == now.id && !b.retired);
        if counts_now != counted_before {
            flips.push((now.id, if counts_now { 1 } else { -1 }));
        }
        written.push((now.id, now.retired_by));
    }
    if !dropped.is_empty() {
        let mut stmt = conn.prepare_cached("DELETE FROM case_current WHERE case_id = ?1")?;
        for id in &dropped {
            stmt.execute([id])?;
        }
    }
    written.sort_unstable();
    insert_chunked(
        conn,
        "INSERT OR REPLACE INTO case_current (case_id, retired_by) VALUES ",
        "(?, ?)",
        2,
        written.len(),
        |stmt, at, row| {
            stmt.raw_bind_parameter(at, written[row].0)?;
            stmt.raw_bind_parameter(at + 1, written[row].1)
        },
    )
    .map_err(|(_, e)| e)?;
    // Rows of earlier batches can only belong to versions that existed
    // before this file.
    flips.retain(|(id, _)| *id < keys.first_new_case);
    let mut deltas = earlier_rows_deltas(conn, &flips, batch_id)?;
    for &(case_id, name_id) in &keys.observations {
        if keys.is_counted(case_id) {
            *deltas.entry(name_id).or_default() += 1;
        }
    }
    deltas.retain(|_, d| *d != 0);
    if !deltas.is_empty() {
        // A name counts once per case version (ORDEI's duplicates are left
        // out), so its cases move with its observations.
        let mut stmt = conn.prepare_cached(
            "UPDATE drug_name SET n_obs = n_obs + ?2, n_cases = n_cases + ?2 WHERE id = ?1",
        )?;
        for (id, d) in &deltas {
            stmt.execute(params![id, d])?;
        }
    }
    changes.name_deltas = deltas;
    Ok(changes)
}

/// The observation changes per name of the drug rows earlier batches
/// stored for the case ids whose counting changed (`flips`: id and +1 or
/// -1).
fn earlier_rows_deltas(
    conn: &Connection,
    flips: &[(i64, i64)],
    batch_id: i64,
) -> rusqlite::Result<FxHashMap<i64, i64>> {
    let mut deltas = FxHashMap::default();
    if flips.is_empty() {
        return Ok(deltas);
    }
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS case_flip (case_id INTEGER PRIMARY KEY, delta INTEGER NOT NULL);
         DELETE FROM temp.case_flip;",
    )?;
    insert_chunked(
        conn,
        "INSERT OR REPLACE INTO temp.case_flip (case_id, delta) VALUES ",
        "(?, ?)",
        2,
        flips.len(),
        |stmt, at, row| {
            stmt.raw_bind_parameter(at, flips[row].0)?;
            stmt.raw_bind_parameter(at + 1, flips[row].1)
        },
    )
    .map_err(|(_, e)| e)?;
    {
        let mut stmt = conn.prepare(
            "SELECT d.name_id, sum(f.delta) FROM temp.case_flip f
             JOIN bnpv_drug d ON d.case_id = f.case_id
             WHERE d.duplicate = 0 AND d.name_id IS NOT NULL AND d.batch_id <> ?1
             GROUP BY d.name_id",
        )?;
        let mut rows = stmt.query([batch_id])?;
        while let Some(r) = rows.next()? {
            deltas.insert(r.get(0)?, r.get(1)?);
        }
    }
    conn.execute("DELETE FROM temp.case_flip", [])?;
    Ok(deltas)
}
