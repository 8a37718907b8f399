//! The indicator aggregate: every count the ORDEI indicators publish, as SQL
//! aggregation over the indexed case tables. A computation starts with
//! [`Store::prepare_linked_observations`], which loads the (name, substance)
//! pairs the caller resolved into a temporary table and derives from it, once,
//! the distinct (substance, case) pairs that pass ORDEI's cleaning; every
//! breakdown then groups those pairs against `bnpv_case`, `bnpv_effect` and
//! Open Medic without ever bringing a case row into memory. Temporary tables
//! live on this connection only: nothing is written to the workspace file.
//!
//! Cleaning (formats.md, "ORDEI's cleaning rules"): an observation counts
//! when it is not an ORDEI duplicate (`duplicate = 0`), names a drug (it has
//! a `name_id`), and its case happened in France with a known sex (M or F)
//! and a known age. Cases left out by the rule are left out of every count,
//! the global page included.

use rusqlite::{Connection, params_from_iter};

use super::Store;
use crate::error::Result;

/// An inclusive range of notification years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct YearRange {
    /// First year counted.
    pub from: i64,
    /// Last year counted.
    pub to: i64,
}

/// Which cases a breakdown counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every linked case of the cleaned base, once (the global page).
    Global,
    /// The cases of one substance code.
    Substance(&'a str),
    /// Every substance, grouped by code (one query for the whole export).
    AllSubstances,
}

/// A breakdown of the cases of a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Notification year.
    Year,
    /// Sex (M, F).
    Sex,
    /// Age class: 0-19, 20-59, 60+, inconnu.
    AgeClass,
    /// Serious or not.
    Seriousness,
    /// Each seriousness criterion (a case may meet several).
    Criterion,
    /// Notifier type.
    Notifier,
    /// MedDRA SOC of the effects (a case counts once per SOC it touches).
    Soc,
    /// MedDRA HLT within its SOC (category = SOC, detail = HLT).
    Hlt,
}

impl Dimension {
    /// Every dimension, in the order the portal shows them.
    pub const ALL: [Dimension; 8] = [
        Dimension::Year,
        Dimension::Sex,
        Dimension::AgeClass,
        Dimension::Seriousness,
        Dimension::Criterion,
        Dimension::Notifier,
        Dimension::Soc,
        Dimension::Hlt,
    ];

    /// Identifier used in file names and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Year => "year",
            Dimension::Sex => "sex",
            Dimension::AgeClass => "age_class",
            Dimension::Seriousness => "seriousness",
            Dimension::Criterion => "criterion",
            Dimension::Notifier => "notifier",
            Dimension::Soc => "soc",
            Dimension::Hlt => "hlt",
        }
    }

    /// Whether the cells split the case total exactly (each case in one
    /// cell), so that a hidden cell could be recovered by subtraction.
    pub fn is_partition(self) -> bool {
        matches!(
            self,
            Dimension::Year
                | Dimension::Sex
                | Dimension::AgeClass
                | Dimension::Seriousness
                | Dimension::Notifier
        )
    }
}

/// A breakdown of Open Medic patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatientDimension {
    /// Dispensing year.
    Year,
    /// Sex (M, F, inconnu).
    Sex,
    /// Age class (0-19, 20-59, 60+, inconnu).
    AgeClass,
}

impl PatientDimension {
    /// Every patient dimension.
    pub const ALL: [PatientDimension; 3] = [
        PatientDimension::Year,
        PatientDimension::Sex,
        PatientDimension::AgeClass,
    ];

    /// Identifier used in file names and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PatientDimension::Year => "patients_year",
            PatientDimension::Sex => "patients_sex",
            PatientDimension::AgeClass => "patients_age_class",
        }
    }
}

/// One aggregated count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    /// Substance code; empty for the global scope.
    pub code: String,
    /// The category (year, sex, SOC...).
    pub category: String,
    /// The sub-category (HLT), empty otherwise.
    pub detail: String,
    /// Distinct cases (or patients for Open Medic).
    pub count: i64,
}

/// The seriousness criteria, as (label, column of `bnpv_case`).
const CRITERIA: [(&str, &str); 6] = [
    ("deces", "death"),
    ("mise en jeu du pronostic vital", "life_threatening"),
    ("hospitalisation", "hospitalisation"),
    ("incapacite", "disability"),
    ("anomalie congenitale", "congenital"),
    ("autre", "other_criterion"),
];

/// The cleaning conditions on `bnpv_case c` and `bnpv_drug d`; `?1`, `?2`
/// are the first and last year.
const CLEANED: &str = "d.duplicate = 0 AND c.in_france = 1 AND c.sex IN ('M', 'F')
     AND c.age_years IS NOT NULL AND c.year BETWEEN ?1 AND ?2";

/// The `(k, case_id)` rows of a scope, with its parameters.
fn source(scope: Scope<'_>) -> (&'static str, Vec<String>) {
    match scope {
        Scope::Global => ("SELECT '' AS k, case_id FROM temp.ind_case", vec![]),
        Scope::Substance(code) => (
            "SELECT code AS k, case_id FROM temp.ind_obs WHERE code = ?1",
            vec![code.to_string()],
        ),
        Scope::AllSubstances => ("SELECT code AS k, case_id FROM temp.ind_obs", vec![]),
    }
}

/// Runs a `(k, category, detail, count)` query.
fn count_rows(conn: &Connection, sql: &str, args: &[String]) -> rusqlite::Result<Vec<CountRow>> {
    let mut stmt = conn.prepare(sql)?;
    stmt.query_map(params_from_iter(args.iter()), |r| {
        Ok(CountRow {
            code: r.get(0)?,
            category: r.get(1)?,
            detail: r.get(2)?,
            count: r.get(3)?,
        })
    })?
    .collect()
}

impl Store {
    /// First and last notification year of the cleaned cases, if any.
    pub fn case_year_range(&self) -> Result<Option<YearRange>> {
        let (from, to): (Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT min(year), max(year) FROM bnpv_case
                 WHERE in_france = 1 AND sex IN ('M', 'F') AND age_years IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        Ok(from.zip(to).map(|(from, to)| YearRange { from, to }))
    }

    /// Loads the linked (name id, substance code) pairs and derives the
    /// cleaned (substance, case) pairs of `years`, replacing those of the
    /// previous computation on this connection.
    pub fn prepare_linked_observations(
        &self,
        pairs: &[(i64, String)],
        years: YearRange,
    ) -> Result<()> {
        let run = || -> rusqlite::Result<()> {
            self.conn.execute_batch(
                "DROP TABLE IF EXISTS temp.ind_link;
                 DROP TABLE IF EXISTS temp.ind_obs;
                 DROP TABLE IF EXISTS temp.ind_case;
                 DROP TABLE IF EXISTS temp.ind_years;
                 DROP TABLE IF EXISTS temp.ind_notifiers;
                 CREATE TEMP TABLE ind_years AS SELECT DISTINCT year FROM bnpv_case WHERE year IS NOT NULL;
                 CREATE TEMP TABLE ind_notifiers AS SELECT DISTINCT notifier FROM bnpv_case;
                 CREATE TEMP TABLE ind_link (
                     name_id INTEGER NOT NULL, code TEXT NOT NULL,
                     PRIMARY KEY (name_id, code)) WITHOUT ROWID;
                 CREATE TEMP TABLE ind_obs (
                     code TEXT NOT NULL, case_id INTEGER NOT NULL,
                     PRIMARY KEY (code, case_id)) WITHOUT ROWID;
                 CREATE TEMP TABLE ind_case (case_id INTEGER PRIMARY KEY);",
            )?;
            {
                let mut insert = self.conn.prepare(
                    "INSERT OR IGNORE INTO temp.ind_link (name_id, code) VALUES (?1, ?2)",
                )?;
                for (id, code) in pairs {
                    insert.execute(rusqlite::params![id, code])?;
                }
            }
            // Driven by the linked names through the bnpv_drug(name_id) index.
            self.conn.execute(
                &format!(
                    "INSERT OR IGNORE INTO temp.ind_obs (code, case_id)
                     SELECT l.code, d.case_id FROM temp.ind_link l
                     JOIN bnpv_drug d ON d.name_id = l.name_id
                     JOIN bnpv_case c ON c.case_id = d.case_id
                     WHERE {CLEANED}"
                ),
                [years.from, years.to],
            )?;
            // Sorted distinct ids append to the rowid tree instead of
            // inserting at random.
            self.conn.execute(
                "INSERT INTO temp.ind_case (case_id)
                 SELECT DISTINCT case_id FROM temp.ind_obs ORDER BY 1",
                [],
            )?;
            self.conn.execute_batch(
                "CREATE INDEX temp.ind_obs_case ON ind_obs(case_id); ANALYZE temp;",
            )?;
            Ok(())
        };
        run().map_err(|e| self.err(e))
    }

    /// Cases per substance code (or the global total, code ""), most first.
    pub fn indicator_totals(&self, scope: Scope<'_>) -> Result<Vec<(String, i64)>> {
        let (src, args) = source(scope);
        let sql = format!("SELECT k, count(*) FROM ({src}) GROUP BY k ORDER BY 2 DESC, 1");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.err(e))
    }

    /// The per-case breakdowns of `scope` (year, sex, age class,
    /// seriousness, criteria, notifier) in one pass: each category is a
    /// conditional sum and the rows are grouped by substance only, which
    /// follows the order of the `ind_obs` key, so no sort of the
    /// observations is needed. Zero cells are left out except for the
    /// criteria (always six).
    pub fn case_breakdowns(
        &self,
        scope: Scope<'_>,
        years: YearRange,
    ) -> Result<Vec<(Dimension, CountRow)>> {
        let run = || -> rusqlite::Result<Vec<(Dimension, CountRow)>> {
            let present: Vec<i64> = {
                // Read once per computation (a scan of every case), not per call.
                let mut stmt = self.conn.prepare(
                    "SELECT year FROM temp.ind_years WHERE year BETWEEN ?1 AND ?2 ORDER BY 1",
                )?;
                stmt.query_map([years.from, years.to], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let notifiers: Vec<String> = {
                let mut stmt = self
                    .conn
                    .prepare("SELECT notifier FROM temp.ind_notifiers ORDER BY 1")?;
                stmt.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            };
            // (dimension, category, SQL condition on c); text values are
            // bound as parameters after the scope's.
            let (src, mut args) = source(scope);
            let mut columns: Vec<(Dimension, String, String)> = Vec::new();
            for y in &present {
                columns.push((Dimension::Year, y.to_string(), format!("c.year = {y}")));
            }
            for sex in ["F", "M"] {
                columns.push((Dimension::Sex, sex.into(), format!("c.sex = '{sex}'")));
            }
            for age in ["0-19", "20-59", "60+", "inconnu"] {
                columns.push((
                    Dimension::AgeClass,
                    age.into(),
                    format!("c.age_class = '{age}'"),
                ));
            }
            columns.push((
                Dimension::Seriousness,
                "grave".into(),
                "c.serious = 1".into(),
            ));
            columns.push((
                Dimension::Seriousness,
                "non grave".into(),
                "c.serious <> 1".into(),
            ));
            for (label, column) in CRITERIA {
                columns.push((
                    Dimension::Criterion,
                    label.into(),
                    format!("c.{column} = 1"),
                ));
            }
            for n in &notifiers {
                args.push(n.clone());
                columns.push((
                    Dimension::Notifier,
                    n.clone(),
                    format!("c.notifier = ?{}", args.len()),
                ));
            }
            let sums: Vec<String> = columns
                .iter()
                .map(|(_, _, cond)| format!("sum({cond})"))
                .collect();
            let sql = format!(
                "SELECT s.k, {} FROM ({src}) s JOIN bnpv_case c ON c.case_id = s.case_id
                 GROUP BY 1 ORDER BY 1",
                sums.join(", ")
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(args.iter()))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let code: String = r.get(0)?;
                for (i, (dim, category, _)) in columns.iter().enumerate() {
                    let count: i64 = r.get::<_, Option<i64>>(i + 1)?.unwrap_or(0);
                    if count > 0 || *dim == Dimension::Criterion {
                        out.push((
                            *dim,
                            CountRow {
                                code: code.clone(),
                                category: category.clone(),
                                detail: String::new(),
                                count,
                            },
                        ));
                    }
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// One breakdown of the cases of `scope`, ordered by code and category.
    pub fn indicator_counts(&self, scope: Scope<'_>, dim: Dimension) -> Result<Vec<CountRow>> {
        let (src, args) = source(scope);
        let by_case = |category: &str| {
            format!(
                "SELECT s.k, {category}, '', count(*) FROM ({src}) s
                 JOIN bnpv_case c ON c.case_id = s.case_id
                 GROUP BY 1, 2 ORDER BY 1, 2"
            )
        };
        let sql = match dim {
            Dimension::Year => by_case("CAST(c.year AS TEXT)"),
            Dimension::Sex => by_case("c.sex"),
            Dimension::AgeClass => by_case("c.age_class"),
            Dimension::Seriousness => {
                by_case("CASE WHEN c.serious = 1 THEN 'grave' ELSE 'non grave' END")
            }
            Dimension::Notifier => by_case("c.notifier"),
            Dimension::Criterion => {
                // One row per (scope, criterion): the criteria overlap, so
                // each is its own sum rather than a GROUP BY category.
                CRITERIA
                    .iter()
                    .map(|(label, column)| {
                        format!(
                            "SELECT s.k, '{label}', '', sum(c.{column}) FROM ({src}) s
                             JOIN bnpv_case c ON c.case_id = s.case_id GROUP BY 1"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" UNION ALL ")
            }
            // A case with several effects in one SOC (or HLT) counts once.
            Dimension::Soc => format!(
                "SELECT s.k, COALESCE(e.soc, e.effet_soc, 'inconnu'), '', count(DISTINCT s.case_id)
                 FROM ({src}) s JOIN bnpv_effect e ON e.case_id = s.case_id
                 GROUP BY 1, 2 ORDER BY 1, 2"
            ),
            Dimension::Hlt => format!(
                "SELECT s.k, COALESCE(e.soc, e.effet_soc, 'inconnu'), COALESCE(e.effet_hlt, 'inconnu'),
                        count(DISTINCT s.case_id)
                 FROM ({src}) s JOIN bnpv_effect e ON e.case_id = s.case_id
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
        };
        let mut rows = count_rows(&self.conn, &sql, &args).map_err(|e| self.err(e))?;
        if dim == Dimension::Criterion {
            rows.sort_by(|a, b| a.code.cmp(&b.code));
        }
        Ok(rows)
    }

    /// Open Medic patients of the substances of `scope` (through CIP13 →
    /// CIS → active substances of BDPM's composition), in `years`. Empty
    /// when Open Medic or BDPM was not imported; the global scope has none.
    pub fn patient_counts(
        &self,
        scope: Scope<'_>,
        dim: PatientDimension,
        years: YearRange,
    ) -> Result<Vec<CountRow>> {
        let (filter, mut args) = match scope {
            Scope::Global => return Ok(Vec::new()),
            Scope::Substance(code) => ("AND cp.code = ?3", vec![code.to_string()]),
            Scope::AllSubstances => ("", vec![]),
        };
        let category = match dim {
            PatientDimension::Year => "CAST(o.year AS TEXT)",
            PatientDimension::Sex => {
                "CASE o.sex WHEN 1 THEN 'M' WHEN 2 THEN 'F' ELSE 'inconnu' END"
            }
            PatientDimension::AgeClass => {
                "CASE o.age_class WHEN 0 THEN '0-19' WHEN 20 THEN '20-59' WHEN 60 THEN '60+'
                 ELSE 'inconnu' END"
            }
        };
        let sql = format!(
            "SELECT cp.code, {category}, '', sum(o.nbc)
             FROM openmedic o
             JOIN (SELECT DISTINCT cip13, cis FROM bdpm_cip WHERE cip13 IS NOT NULL) p
               ON p.cip13 = o.cip13
             JOIN (SELECT DISTINCT cis, code_substance AS code FROM bdpm_compo WHERE nature = 'SA') cp
               ON cp.cis = p.cis
             WHERE o.year BETWEEN ?1 AND ?2 AND o.nbc > 0 {filter}
             GROUP BY 1, 2 ORDER BY 1, 2"
        );
        let mut all = vec![years.from.to_string(), years.to.to_string()];
        all.append(&mut args);
        count_rows(&self.conn, &sql, &all).map_err(|e| self.err(e))
    }

    /// The Open Medic years within `years` (patients are averaged over them).
    pub fn openmedic_years(&self, years: YearRange) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT year FROM openmedic WHERE year BETWEEN ?1 AND ?2 ORDER BY 1")
            .map_err(|e| self.err(e))?;
        stmt.query_map([years.from, years.to], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// For each group of names, the distinct cleaned cases of `years` where
    /// one of its names is named and that `code` does not already count:
    /// what approving that group would add to the substance. One query for
    /// every group. Needs [`Store::prepare_linked_observations`] for the
    /// same years.
    pub fn cases_added_by(
        &self,
        code: &str,
        groups: &[Vec<i64>],
        years: YearRange,
    ) -> Result<Vec<i64>> {
        let run = || -> rusqlite::Result<Vec<i64>> {
            self.conn.execute_batch(
                "DROP TABLE IF EXISTS temp.ind_names;
                 CREATE TEMP TABLE ind_names (
                     name_id INTEGER NOT NULL, grp INTEGER NOT NULL,
                     PRIMARY KEY (name_id, grp)) WITHOUT ROWID;",
            )?;
            {
                let mut insert = self.conn.prepare(
                    "INSERT OR IGNORE INTO temp.ind_names (name_id, grp) VALUES (?1, ?2)",
                )?;
                for (grp, ids) in groups.iter().enumerate() {
                    for id in ids {
                        insert.execute(rusqlite::params![id, grp as i64])?;
                    }
                }
            }
            // CROSS JOIN keeps the few pending names as the outer loop,
            // reaching their rows through the bnpv_drug(name_id) index.
            let mut stmt = self.conn.prepare(&format!(
                "SELECT n.grp, count(DISTINCT d.case_id) FROM temp.ind_names n
                 CROSS JOIN bnpv_drug d ON d.name_id = n.name_id
                 CROSS JOIN bnpv_case c ON c.case_id = d.case_id
                 WHERE {CLEANED}
                   AND NOT EXISTS (SELECT 1 FROM temp.ind_obs o
                                   WHERE o.code = ?3 AND o.case_id = d.case_id)
                 GROUP BY n.grp"
            ))?;
            let mut added = vec![0; groups.len()];
            let rows = stmt.query_map(rusqlite::params![years.from, years.to, code], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (grp, n) = row?;
                if let Some(slot) = usize::try_from(grp).ok().and_then(|g| added.get_mut(g)) {
                    *slot = n;
                }
            }
            Ok(added)
        };
        run().map_err(|e| self.err(e))
    }
}
