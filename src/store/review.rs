//! The decisions aggregate: the current decision of each reviewed key
//! (normalised name, level), the append-only audit log of every change to
//! them, and the reads the review layer needs (names sharing a key, names a
//! decision newly applies to, the codes the referential still holds). Every
//! change is one immediate transaction that checks the key's decision is
//! still what the caller saw, writes the decision and its audit entry, and
//! commits before returning: a decision shown as saved is on disk.

use std::collections::{BTreeSet, HashSet};

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{Store, sql_error};
use crate::env::now_iso;
use crate::error::{Error, Result};
use crate::model::Level;
use crate::model::linking::{Candidate, DrugName, TargetLevel};

pub use crate::model::review::{
    AuditAction, AuditEntry, Decision, DecisionKey, DecisionRecord, DecisionStatus, DecisionTarget,
    NewAuditEntry, ReferentialCodes,
};

/// Splits a `|`-joined code list into sorted distinct codes.
fn codes_from(joined: &str) -> Vec<String> {
    joined
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The decision columns, in the order [`decision_from_row`] reads them.
const DECISION_COLUMNS: &str = "normalized, level, name, status, target_level, target_code, \
     target_name, substance_codes, method, score, comment, author, decided_at";

/// Reads a decision from 13 columns starting at `at` (in
/// [`DECISION_COLUMNS`] order); none when the status column is NULL (no
/// decision joined).
pub(crate) fn decision_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<Decision>> {
    let Some(status) = r.get::<_, Option<String>>(at + 3)? else {
        return Ok(None);
    };
    let Some(status) = DecisionStatus::parse(&status) else {
        return Ok(None);
    };
    let target_level: Option<String> = r.get(at + 4)?;
    let target_code: Option<String> = r.get(at + 5)?;
    let target = match (
        target_level.as_deref().and_then(TargetLevel::parse),
        target_code,
    ) {
        (Some(level), Some(code)) => Some(DecisionTarget {
            level,
            code,
            name: r.get::<_, Option<String>>(at + 6)?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Some(Decision {
        key: DecisionKey {
            normalized: r.get(at)?,
            level: Level::parse(&r.get::<_, String>(at + 1)?),
        },
        name: r.get(at + 2)?,
        status,
        target,
        substance_codes: codes_from(&r.get::<_, String>(at + 7)?),
        method: r.get(at + 8)?,
        score: r.get(at + 9)?,
        comment: r.get(at + 10)?,
        author: r.get(at + 11)?,
        decided_at: r.get(at + 12)?,
    }))
}

fn to_json(d: Option<&Decision>) -> Option<String> {
    // Serialising a struct of strings and numbers cannot fail; an empty
    // object would still be a readable record if it ever did.
    d.map(|d| serde_json::to_string(&DecisionRecord::from(d)).unwrap_or_else(|_| "{}".into()))
}

fn from_json(json: Option<String>) -> Option<Decision> {
    json.and_then(|j| serde_json::from_str::<DecisionRecord>(&j).ok())
        .and_then(|r| r.to_decision().ok())
}

fn drug_name_from_row(r: &Row<'_>) -> rusqlite::Result<DrugName> {
    Ok(DrugName {
        id: r.get(0)?,
        name: r.get(1)?,
        level: Level::parse(&r.get::<_, String>(2)?),
        normalized: r.get(3)?,
        n_obs: r.get(4)?,
        n_cases: r.get(5)?,
    })
}

const AUDIT_COLUMNS: &str = "id, step, at, author, action, normalized, level, name, before_json, \
     after_json, comment, compensates";

fn audit_from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let action: String = r.get(4)?;
    Ok(AuditEntry {
        id: r.get(0)?,
        step: r.get(1)?,
        at: r.get(2)?,
        author: r.get(3)?,
        // The CHECK constraint admits only known actions.
        action: AuditAction::parse(&action).unwrap_or(AuditAction::Comment),
        key: DecisionKey {
            normalized: r.get(5)?,
            level: Level::parse(&r.get::<_, String>(6)?),
        },
        name: r.get(7)?,
        before: from_json(r.get(8)?),
        after: from_json(r.get(9)?),
        comment: r.get(10)?,
        compensates: r.get(11)?,
    })
}

fn read_decision(
    conn: &rusqlite::Connection,
    key: &DecisionKey,
) -> rusqlite::Result<Option<Decision>> {
    conn.query_row(
        &format!("SELECT {DECISION_COLUMNS} FROM decision WHERE normalized = ?1 AND level = ?2"),
        params![key.normalized, key.level.as_str()],
        |r| decision_from_row(r, 0),
    )
    .optional()
    .map(Option::flatten)
}

fn write_decision(
    conn: &rusqlite::Connection,
    key: &DecisionKey,
    decision: Option<&Decision>,
) -> rusqlite::Result<()> {
    match decision {
        None => {
            conn.execute(
                "DELETE FROM decision WHERE normalized = ?1 AND level = ?2",
                params![key.normalized, key.level.as_str()],
            )?;
        }
        Some(d) => {
            conn.execute(
                &format!(
                    "INSERT OR REPLACE INTO decision ({DECISION_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ),
                params![
                    key.normalized,
                    key.level.as_str(),
                    d.name,
                    d.status.as_str(),
                    d.target.as_ref().map(|t| t.level.as_str()),
                    d.target.as_ref().map(|t| t.code.as_str()),
                    d.target.as_ref().map(|t| t.name.as_str()),
                    d.substance_codes.join("|"),
                    d.method,
                    d.score,
                    d.comment,
                    d.author,
                    d.decided_at
                ],
            )?;
        }
    }
    Ok(())
}

/// Describes a decision in a few words, for messages.
fn describe(d: Option<&Decision>) -> String {
    match d {
        None => "no decision".into(),
        Some(d) => format!("{} by {} at {}", d.status.as_str(), d.author, d.decided_at),
    }
}

impl Store {
    /// The current decision of a key.
    pub fn decision(&self, key: &DecisionKey) -> Result<Option<Decision>> {
        read_decision(&self.conn, key).map_err(|e| self.err(e))
    }

    /// Every current decision, by key.
    pub fn decisions(&self) -> Result<Vec<Decision>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {DECISION_COLUMNS} FROM decision ORDER BY normalized, level"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| decision_from_row(r, 0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// Writes one reviewer step: for each entry, checks that its key's
    /// decision is still `before`, sets it to `after` and appends the audit
    /// entry; all in one transaction, committed before returning. Refused
    /// as a whole when any key changed meanwhile (another reviewer or
    /// process). Returns the entries as written.
    pub fn record_step(
        &mut self,
        author: &str,
        entries: &[NewAuditEntry],
    ) -> Result<Vec<AuditEntry>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let path = self.path.clone();
        let err = |e| sql_error(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        // The log refuses deletes, so max(id) + 1 is the next id; reading it
        // inside the immediate transaction keeps it ours.
        let first: i64 = tx
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM audit_log", [], |r| {
                r.get(0)
            })
            .map_err(err)?;
        let at = now_iso();
        let mut written = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let current = read_decision(&tx, &e.key).map_err(err)?;
            if current != e.before {
                return Err(Error::Usage(format!(
                    "the decision on \"{}\" ({}) changed meanwhile (now: {}); nothing was written — reload and try again",
                    e.key.normalized,
                    e.key.level.as_str(),
                    describe(current.as_ref())
                )));
            }
            write_decision(&tx, &e.key, e.after.as_ref()).map_err(err)?;
            let id = first + i as i64;
            tx.execute(
                &format!(
                    "INSERT INTO audit_log ({AUDIT_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ),
                params![
                    id,
                    first,
                    at,
                    author,
                    e.action.as_str(),
                    e.key.normalized,
                    e.key.level.as_str(),
                    e.name,
                    to_json(e.before.as_ref()),
                    to_json(e.after.as_ref()),
                    e.comment,
                    e.compensates
                ],
            )
            .map_err(err)?;
            written.push(AuditEntry {
                id,
                step: first,
                at: at.clone(),
                author: author.to_string(),
                action: e.action,
                key: e.key.clone(),
                name: e.name.clone(),
                before: e.before.clone(),
                after: e.after.clone(),
                comment: e.comment.clone(),
                compensates: e.compensates,
            });
        }
        tx.commit().map_err(err)?;
        Ok(written)
    }

    fn audit_query(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log {filter} ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        stmt.query_map(args, audit_from_row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// The whole audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        self.audit_query("", [])
    }

    /// One audit entry.
    pub fn audit_entry(&self, id: i64) -> Result<Option<AuditEntry>> {
        Ok(self.audit_query("WHERE id = ?1", [id])?.into_iter().next())
    }

    /// An author's entries, oldest first.
    pub fn audit_by_author(&self, author: &str) -> Result<Vec<AuditEntry>> {
        self.audit_query("WHERE author = ?1", [author])
    }

    /// The entries of a key, oldest first.
    pub fn audit_for_key(&self, key: &DecisionKey) -> Result<Vec<AuditEntry>> {
        self.audit_query(
            "WHERE normalized = ?1 AND level = ?2",
            params![key.normalized, key.level.as_str()],
        )
    }

    /// The entries of a normalised name at every level, oldest first.
    pub fn audit_for_normalized(&self, normalized: &str) -> Result<Vec<AuditEntry>> {
        self.audit_query("WHERE normalized = ?1", [normalized])
    }

    fn names_query(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<DrugName>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        stmt.query_map(args, drug_name_from_row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// A distinct name by id.
    pub fn drug_name(&self, id: i64) -> Result<Option<DrugName>> {
        Ok(self
            .names_query(
                "SELECT id, name, level, normalized, n_obs, n_cases FROM drug_name WHERE id = ?1",
                [id],
            )?
            .into_iter()
            .next())
    }

    /// Distinct names (with observations) typed exactly `name`, at any
    /// level.
    pub fn drug_names_typed(&self, name: &str) -> Result<Vec<DrugName>> {
        self.names_query(
            "SELECT id, name, level, normalized, n_obs, n_cases FROM drug_name
             WHERE name = ?1 AND n_obs > 0 ORDER BY level",
            [name],
        )
    }

    /// Distinct names (with observations) of a normalised form, at any
    /// level, most observations first.
    pub fn drug_names_normalized(&self, normalized: &str) -> Result<Vec<DrugName>> {
        self.names_query(
            "SELECT id, name, level, normalized, n_obs, n_cases FROM drug_name
             WHERE normalized = ?1 AND n_obs > 0 ORDER BY n_obs DESC, name, level",
            [normalized],
        )
    }

    /// Names (with observations) sharing `normalized` whose key nobody has
    /// reviewed: no decision and no audit entry.
    pub fn unreviewed_names_normalized(&self, normalized: &str) -> Result<Vec<DrugName>> {
        self.names_query(
            "SELECT d.id, d.name, d.level, d.normalized, d.n_obs, d.n_cases FROM drug_name d
             WHERE d.normalized = ?1 AND d.n_obs > 0
               AND NOT EXISTS (SELECT 1 FROM decision k
                                WHERE k.normalized = d.normalized AND k.level = d.level)
               AND NOT EXISTS (SELECT 1 FROM audit_log a
                                WHERE a.normalized = d.normalized AND a.level = d.level)
             ORDER BY d.level, d.n_obs DESC, d.name",
            [normalized],
        )
    }

    /// Names (with observations) whose key has an approved or rejected
    /// decision that no audit entry records for that raw name yet: the
    /// decision applies to them for the first time.
    pub fn names_newly_covered(&self) -> Result<Vec<(DrugName, Decision)>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT d.id, d.name, d.level, d.normalized, d.n_obs, d.n_cases,
                        {}
                 FROM drug_name d
                 JOIN decision k ON k.normalized = d.normalized AND k.level = d.level
                 WHERE d.n_obs > 0 AND k.status IN ('approved', 'rejected')
                   AND NOT EXISTS (SELECT 1 FROM audit_log a
                                    WHERE a.normalized = d.normalized AND a.level = d.level
                                      AND a.name = d.name)
                 ORDER BY d.id",
                DECISION_COLUMNS
                    .split(", ")
                    .map(|c| format!("k.{}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((drug_name_from_row(r)?, decision_from_row(r, 6)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(n, d)| d.map(|d| (n, d)))
            .collect())
    }

    /// The ranked candidates matching stored for one name.
    pub fn candidates_of(&self, name_id: i64) -> Result<Vec<Candidate>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rank, score, method, target_level, target_code, target_name,
                        substance_codes, similarity, explanation
                 FROM candidate WHERE name_id = ?1 ORDER BY rank",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([name_id], |r| {
            Ok(Candidate {
                rank: r.get(0)?,
                score: r.get(1)?,
                method: r.get(2)?,
                target_level: TargetLevel::parse(&r.get::<_, String>(3)?)
                    .unwrap_or(TargetLevel::Substance),
                target_code: r.get(4)?,
                target_name: r.get(5)?,
                substance_codes: codes_from(&r.get::<_, String>(6)?),
                similarity: r.get(7)?,
                explanation: r.get(8)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.err(e))
    }

    /// The codes the referential holds now, per level (the same codes
    /// matching gives its candidates).
    pub fn referential_codes(&self) -> Result<ReferentialCodes> {
        let set = |sql: &str| -> Result<HashSet<String>> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
            stmt.query_map([], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect())
                .map_err(|e| self.err(e))
        };
        Ok(ReferentialCodes {
            specialites: set(
                "SELECT CASE WHEN code_cis IS NULL THEN 'VU:' || code_vu ELSE code_cis END FROM codex_vu
                 UNION SELECT cis FROM bdpm_cis",
            )?,
            produits: set("SELECT code_produit FROM codex_produit")?,
            substances: set(
                "SELECT code_substance FROM codex_nom_substance
                 UNION SELECT code_substance FROM bdpm_compo",
            )?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::store::migrations;

    fn key(n: &str) -> DecisionKey {
        DecisionKey {
            normalized: n.into(),
            level: Level::Produit,
        }
    }

    fn approved(n: &str, code: &str) -> Decision {
        Decision {
            key: key(n),
            name: n.into(),
            status: DecisionStatus::Approved,
            target: Some(DecisionTarget {
                level: TargetLevel::Substance,
                code: code.into(),
                name: "PARACETAMOL".into(),
            }),
            substance_codes: vec![code.into()],
            method: "candidate 1".into(),
            score: Some(0.8125),
            comment: Some("vu".into()),
            author: "alice".into(),
            decided_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn entry(before: Option<Decision>, after: Option<Decision>) -> NewAuditEntry {
        NewAuditEntry {
            action: AuditAction::Approve,
            key: key("DOLIPRANE"),
            name: "Doliprane".into(),
            before,
            after,
            comment: None,
            compensates: None,
        }
    }

    #[test]
    fn a_step_writes_decision_and_entry_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let d = approved("DOLIPRANE", "02202");
        let written = store
            .record_step("alice", &[entry(None, Some(d.clone()))])
            .unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].id, written[0].step);
        assert_eq!(store.decision(&key("DOLIPRANE")).unwrap(), Some(d.clone()));
        let log = store.audit_log().unwrap();
        assert_eq!(log, written);
        assert_eq!(log[0].after, Some(d));
    }

    #[test]
    fn a_stale_before_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let d = approved("DOLIPRANE", "02202");
        store.record_step("alice", &[entry(None, Some(d))]).unwrap();
        let err = store
            .record_step("bob", &[entry(None, Some(approved("DOLIPRANE", "99999")))])
            .err()
            .unwrap();
        assert!(err.to_string().contains("changed meanwhile"), "{err}");
        assert_eq!(store.audit_log().unwrap().len(), 1);
    }

    #[test]
    fn the_audit_log_refuses_update_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        store
            .record_step(
                "alice",
                &[entry(None, Some(approved("DOLIPRANE", "02202")))],
            )
            .unwrap();
        let update = store
            .conn
            .execute("UPDATE audit_log SET author = 'mallory'", [])
            .err()
            .unwrap();
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = store
            .conn
            .execute("DELETE FROM audit_log", [])
            .err()
            .unwrap();
        assert!(delete.to_string().contains("append-only"), "{delete}");
        assert_eq!(store.audit_log().unwrap()[0].author, "alice");
    }

    #[test]
    fn an_approval_needs_a_target() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let err = store.conn.execute(
            "INSERT INTO decision (normalized, level, name, status, method, author, decided_at)
             VALUES ('X', 'produit', 'x', 'approved', 'manual', 'a', 't')",
            [],
        );
        assert!(err.is_err());
    }

    #[test]
    fn a_decision_survives_a_connection_never_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let mut store = Store::open(&path).unwrap();
        store
            .record_step(
                "alice",
                &[entry(None, Some(approved("DOLIPRANE", "02202")))],
            )
            .unwrap();
        // As if the process died: no close, no checkpoint.
        std::mem::forget(store);
        let again = Store::open(&path).unwrap();
        assert!(again.decision(&key("DOLIPRANE")).unwrap().is_some());
        assert_eq!(again.audit_log().unwrap().len(), 1);
    }

    #[test]
    fn a_version_2_workspace_gains_the_review_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            migrations::migrations().to_version(&mut conn, 2).unwrap();
            conn.execute(
                "INSERT INTO drug_name (id, name, level, normalized, n_obs, n_cases)
                 VALUES (1, 'DOLIPRANE', 'produit', 'DOLIPRANE', 1, 1)",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        // The name stays; its count is worked out again from the rows
        // (migration 5), of which there are none.
        assert_eq!(store.drug_name(1).unwrap().unwrap().n_obs, 0);
        assert!(store.decisions().unwrap().is_empty());
        assert!(store.audit_log().unwrap().is_empty());
    }

    #[test]
    fn records_with_wrong_values_are_explained() {
        let mut r = DecisionRecord::from(&approved("DOLIPRANE", "02202"));
        assert!(r.to_decision().is_ok());
        r.status = "maybe".into();
        assert!(r.to_decision().unwrap_err().contains("maybe"));
        r.status = "approved".into();
        r.target_code = None;
        assert!(r.to_decision().unwrap_err().contains("target"));
        r.status = "rejected".into();
        r.target_level = None;
        assert!(r.to_decision().is_ok());
        r.level = "brand".into();
        assert!(r.to_decision().unwrap_err().contains("brand"));
    }
}
