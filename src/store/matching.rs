//! The linking aggregate: reading the referential and the distinct names for
//! matching, writing what matching decided (one transaction replaces the
//! previous run), and reading it back for exports and evaluation.

use std::collections::{BTreeSet, HashMap};

use rusqlite::params;

use super::{Store, sql_error};
use crate::env::now_iso;
use crate::error::Result;
use crate::model::Level;
use crate::model::linking::{
    Candidate, DrugName, MatchStatus, NameMatch, RefFormerName, RefProduit, RefSpecialite,
    RefSubstanceName, ReferentialRows, TargetLevel,
};
use crate::model::reason::Reason;

/// Splits a stored comma- or bar-joined code list into sorted distinct codes.
fn split_codes(joined: Option<String>) -> Vec<String> {
    joined
        .unwrap_or_default()
        .split([',', '|'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A (code, name) row as a substance name.
fn substance_name(r: &rusqlite::Row<'_>) -> rusqlite::Result<RefSubstanceName> {
    Ok(RefSubstanceName {
        code: r.get(0)?,
        name: r.get(1)?,
    })
}

impl Store {
    /// Whether the workspace holds a referential (CODEX or BDPM rows that
    /// count), the latest date that referential holds (an AMM, a
    /// presentation's declaration, a CODEX former name, `YYYY-MM-DD`), and
    /// the newest notification date of the cases that count.
    pub fn referential_dates(&self) -> Result<(bool, Option<String>, Option<String>)> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM codex_vu) OR EXISTS (SELECT 1 FROM codex_nom_substance)
                        OR EXISTS (SELECT 1 FROM bdpm_cis) OR EXISTS (SELECT 1 FROM bdpm_compo),
                        (SELECT max(d) FROM (SELECT max(date_amm) AS d FROM bdpm_cis
                                             UNION ALL SELECT max(date_declaration) FROM bdpm_cip
                                             UNION ALL SELECT max(date_creation) FROM codex_histo_nom_vu)),
                        (SELECT max(c.notif_date) FROM bnpv_case c
                         JOIN case_current k ON k.case_id = c.case_id AND k.retired_by IS NULL)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(e))
    }
}

/// One row of the transcoding table.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscodingRow {
    /// The name.
    pub name: DrugName,
    /// Matching's status.
    pub status: MatchStatus,
    /// Matching's method.
    pub method: String,
    /// Matching's score.
    pub score: f64,
    /// Linked or proposed substance codes.
    pub substance_codes: Vec<String>,
    /// Why matching decided so (`None` for a workspace matched before
    /// reasons were recorded).
    pub reason: Option<Reason>,
    /// The reviewer's current decision on the name's key (normalised name,
    /// level), which takes precedence over matching when final.
    pub decision: Option<super::review::Decision>,
}

impl Store {
    /// Distinct names with at least one observation.
    pub fn drug_names(&self) -> Result<Vec<DrugName>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, name, level, normalized, n_obs, n_cases FROM drug_name
                 WHERE n_obs > 0 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok(DrugName {
                id: r.get(0)?,
                name: r.get(1)?,
                level: Level::parse(&r.get::<_, String>(2)?),
                normalized: r.get(3)?,
                n_obs: r.get(4)?,
                n_cases: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.err(e))
    }

    /// First and last notification years of each name's cases.
    pub fn name_years(&self) -> Result<HashMap<i64, (i64, i64)>> {
        Ok(self
            .query_rows(
                "SELECT d.name_id, min(c.year), max(c.year)
                 FROM bnpv_drug d JOIN bnpv_case c ON c.case_id = d.case_id
                 WHERE d.name_id IS NOT NULL AND c.year IS NOT NULL
                 GROUP BY d.name_id",
                [],
                |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
            )?
            .into_iter()
            .collect())
    }

    /// The referential as matching reads it: CODEX where imported, BDPM for
    /// the spécialités and substance names CODEX lacks.
    pub fn referential_rows(&self) -> Result<ReferentialRows> {
        let err = |e| sql_error(&self.path, e);
        let mut rows = ReferentialRows::default();
        // A CODEX VU takes its active substances from CODEX, else from the
        // BDPM composition of its CIS.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT v.code_vu, v.code_cis, v.code_produit, v.nom_vu,
                    (SELECT group_concat(DISTINCT c.code_substance) FROM codex_composant c
                      WHERE c.code_vu = v.code_vu AND c.code_nature = '3'),
                    (SELECT group_concat(DISTINCT p.code_substance) FROM bdpm_compo p
                      WHERE p.cis = v.code_cis AND p.nature = 'SA')
                 FROM codex_vu v",
            )
            .map_err(err)?;
        let codex = stmt
            .query_map([], |r| {
                let codex: Option<String> = r.get(4)?;
                let bdpm: Option<String> = r.get(5)?;
                Ok(RefSpecialite {
                    code_vu: r.get(0)?,
                    cis: r.get(1)?,
                    produit_code: r.get(2)?,
                    name: r.get(3)?,
                    substances: split_codes(codex.or(bdpm)),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err)?;
        rows.specialites = codex;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT b.cis, b.denomination,
                    (SELECT group_concat(DISTINCT p.code_substance) FROM bdpm_compo p
                      WHERE p.cis = b.cis AND p.nature = 'SA')
                 FROM bdpm_cis b
                 WHERE NOT EXISTS (SELECT 1 FROM codex_vu v WHERE v.code_cis = b.cis)",
            )
            .map_err(err)?;
        let bdpm = stmt
            .query_map([], |r| {
                Ok(RefSpecialite {
                    code_vu: None,
                    cis: r.get(0)?,
                    produit_code: None,
                    name: r.get(1)?,
                    substances: split_codes(r.get(2)?),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err)?;
        rows.specialites.extend(bdpm);
        rows.produits = self.query_rows(
            "SELECT code_produit, nom_produit FROM codex_produit",
            [],
            |r| {
                Ok(RefProduit {
                    code: r.get(0)?,
                    name: r.get(1)?,
                })
            },
        )?;
        let former = |r: &rusqlite::Row<'_>| {
            Ok(RefFormerName {
                old_name: r.get(0)?,
                target_code: r.get(1)?,
                created: r.get(2)?,
            })
        };
        rows.former_specialites = self.query_rows(
            "SELECT nom_ancien_vu, code_vu, date_creation FROM codex_histo_nom_vu",
            [],
            former,
        )?;
        rows.former_produits = self.query_rows(
            "SELECT anc_nom_produit, code_produit, NULL FROM codex_produit_histo",
            [],
            former,
        )?;
        rows.substance_names = self.query_rows(
            "SELECT code_substance, nom_substance FROM codex_nom_substance
             UNION SELECT code_substance, denomination FROM bdpm_compo WHERE nature = 'SA'",
            [],
            substance_name,
        )?;
        rows.canonical_names = self.canonical_substance_names()?;
        Ok(rows)
    }

    /// Canonical name per substance code: ORDEI's CODEX rule, else the BDPM
    /// name.
    pub fn canonical_substance_names(&self) -> Result<Vec<RefSubstanceName>> {
        self.query_rows(
            "SELECT code_substance, nom_substance FROM codex_substance
             UNION ALL
             SELECT code_substance, min(denomination) FROM bdpm_compo
              WHERE code_substance NOT IN (SELECT code_substance FROM codex_nom_substance)
              GROUP BY code_substance",
            [],
            substance_name,
        )
    }

    /// Canonical names as a map.
    pub fn substance_name_map(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .canonical_substance_names()?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect())
    }

    /// Replaces the previous matching results with `matches`, in one
    /// transaction.
    pub fn save_matches(&mut self, matches: &[NameMatch]) -> Result<()> {
        let path = self.path.clone();
        let err = |e| sql_error(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute_batch("DELETE FROM candidate; DELETE FROM match_result;")
            .map_err(err)?;
        let at = now_iso();
        {
            let mut result = tx
                .prepare(
                    "INSERT INTO match_result (name_id, status, method, score, substance_codes, matched_at, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(err)?;
            let mut cand = tx
                .prepare(
                    "INSERT INTO candidate (name_id, rank, score, method, target_level, target_code,
                        target_name, substance_codes, similarity, explanation)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(err)?;
            for m in matches {
                result
                    .execute(params![
                        m.name_id,
                        m.status.as_str(),
                        m.method,
                        m.score,
                        m.substance_codes.join("|"),
                        at,
                        m.reason.to_json()
                    ])
                    .map_err(err)?;
                for c in &m.candidates {
                    cand.execute(params![
                        m.name_id,
                        c.rank,
                        c.score,
                        c.method,
                        c.target_level.as_str(),
                        c.target_code,
                        c.target_name,
                        c.substance_codes.join("|"),
                        c.similarity,
                        c.explanation
                    ])
                    .map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)
    }

    /// Every matched name with its result and its key's decision, most
    /// observations first.
    pub fn transcoding_rows(&self) -> Result<Vec<TranscodingRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.id, d.name, d.level, d.normalized, d.n_obs, d.n_cases,
                        m.status, m.method, m.score, m.substance_codes,
                        k.normalized, k.level, k.name, k.status, k.target_level, k.target_code,
                        k.target_name, k.substance_codes, k.method, k.score, k.comment,
                        k.author, k.decided_at, m.reason
                 FROM drug_name d JOIN match_result m ON m.name_id = d.id
                 LEFT JOIN decision k ON k.normalized = d.normalized AND k.level = d.level
                 WHERE d.n_obs > 0
                 ORDER BY d.n_obs DESC, d.name, d.level",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok(TranscodingRow {
                name: DrugName {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    level: Level::parse(&r.get::<_, String>(2)?),
                    normalized: r.get(3)?,
                    n_obs: r.get(4)?,
                    n_cases: r.get(5)?,
                },
                status: MatchStatus::parse(&r.get::<_, String>(6)?).unwrap_or(MatchStatus::Pending),
                method: r.get(7)?,
                score: r.get(8)?,
                substance_codes: split_codes(r.get(9)?),
                reason: Reason::from_json(&r.get::<_, String>(23)?),
                decision: super::review::decision_from_row(r, 10)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.err(e))
    }

    /// Matching's status, method and reason for one name, if matched.
    pub fn match_of(&self, name_id: i64) -> Result<Option<(MatchStatus, String, Option<Reason>)>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT status, method, reason FROM match_result WHERE name_id = ?1",
                [name_id],
                |r| {
                    Ok((
                        MatchStatus::parse(&r.get::<_, String>(0)?).unwrap_or(MatchStatus::Pending),
                        r.get(1)?,
                        Reason::from_json(&r.get::<_, String>(2)?),
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The ranked candidates of every name, by name id.
    pub fn candidates_by_name(&self) -> Result<HashMap<i64, Vec<Candidate>>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name_id, rank, score, method, target_level, target_code, target_name,
                        substance_codes, similarity, explanation
                 FROM candidate ORDER BY name_id, rank",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Candidate {
                        rank: r.get(1)?,
                        score: r.get(2)?,
                        method: r.get(3)?,
                        target_level: TargetLevel::parse(&r.get::<_, String>(4)?)
                            .unwrap_or(TargetLevel::Substance),
                        target_code: r.get(5)?,
                        target_name: r.get(6)?,
                        substance_codes: split_codes(r.get(7)?),
                        similarity: r.get(8)?,
                        explanation: r.get(9)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        let mut map: HashMap<i64, Vec<Candidate>> = HashMap::new();
        for (id, c) in rows {
            map.entry(id).or_default().push(c);
        }
        Ok(map)
    }
}
