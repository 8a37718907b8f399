//! What the indicators read from the workspace. The case-level counts are
//! not aggregated here: three streaming reads feed the in-memory indicator
//! index ([`crate::indicators`]) once per computation — the cases ORDEI's
//! cleaning keeps ([`Store::for_each_cleaned_case`]), their effects
//! ([`Store::for_each_effect`]) and the drug rows that count
//! ([`Store::for_each_counted_drug`]) — because grouping the million
//! (substance, case) pairs of a full-scale workspace in SQLite takes seconds
//! per breakdown where the index answers a substance in a millisecond. The
//! Open Medic counts, small, are SQL aggregations ([`Store::patient_counts`]).
//! [`Store::reference_counts`] keeps a plain GROUP BY as the tests' oracle.
//!
//! Cleaning (formats.md, "ORDEI's cleaning rules"): an observation counts
//! when it is not an ORDEI duplicate (`duplicate = 0`), names a drug (it has
//! a `name_id`), and its case happened in France with a known sex (M or F)
//! and a known age. Cases left out by the rule are left out of every count,
//! the global page included. Only the version of a case that counts (its
//! latest, unless retired: [`crate::store::cases`]) is read.

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

/// The seriousness criteria columns of `bnpv_case`, in the order of
/// [`CaseFacts::criteria`]: death, life-threatening, hospitalisation,
/// disability, congenital anomaly, other.
const CRITERIA_COLUMNS: &str =
    "death, life_threatening, hospitalisation, disability, congenital, other_criterion";

/// ORDEI's cleaning on `bnpv_case` (formats.md): in France, known sex (M or
/// F), known age, and a notification year to count it in.
const CLEANED_CASE: &str =
    "in_france = 1 AND sex IN ('M', 'F') AND age_years IS NOT NULL AND year IS NOT NULL";

/// The case versions that count on `bnpv_case`: each case's latest,
/// unless retired ([`crate::store::cases`]). The index drops the effects
/// and drug rows of any other case, so this is the one filter they need.
const COUNTED_CASE: &str = "case_id IN (SELECT case_id FROM case_current WHERE retired_by IS NULL)";

/// One case kept by ORDEI's cleaning, as the indicator index reads it.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts<'r> {
    /// The case.
    pub case_id: i64,
    /// Notification year.
    pub year: i64,
    /// "M" or "F".
    pub sex: &'r str,
    /// Age class ("0-19", "20-59", "60+").
    pub age_class: &'r str,
    /// Serious case.
    pub serious: bool,
    /// Death, life-threatening, hospitalisation, disability, congenital
    /// anomaly, other.
    pub criteria: [bool; 6],
    /// Notifier type.
    pub notifier: &'r str,
}

impl Store {
    /// Calls `f` with every case ORDEI's cleaning keeps, by case id.
    pub fn for_each_cleaned_case(&self, mut f: impl FnMut(CaseFacts<'_>)) -> Result<()> {
        let mut run = || -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT case_id, year, sex, age_class, serious, notifier, {CRITERIA_COLUMNS}
                 FROM bnpv_case WHERE {CLEANED_CASE} AND {COUNTED_CASE} ORDER BY case_id"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let mut criteria = [false; 6];
                for (i, c) in criteria.iter_mut().enumerate() {
                    *c = r.get::<_, i64>(6 + i)? == 1;
                }
                f(CaseFacts {
                    case_id: r.get(0)?,
                    year: r.get(1)?,
                    sex: r.get_ref(2)?.as_str()?,
                    age_class: r.get_ref(3)?.as_str()?,
                    serious: r.get::<_, i64>(4)? == 1,
                    criteria,
                    notifier: r.get_ref(5)?.as_str()?,
                });
            }
            Ok(())
        };
        run().map_err(|e| self.err(e))
    }

    /// Calls `f` with every effect as (case id, SOC, HLT); a missing SOC
    /// falls back on the reported one, then "inconnu", as does the HLT.
    pub fn for_each_effect(&self, mut f: impl FnMut(i64, &str, &str)) -> Result<()> {
        let mut run = || -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare(
                "SELECT case_id, COALESCE(soc, effet_soc, 'inconnu'), COALESCE(effet_hlt, 'inconnu')
                 FROM bnpv_effect",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                f(r.get(0)?, r.get_ref(1)?.as_str()?, r.get_ref(2)?.as_str()?);
            }
            Ok(())
        };
        run().map_err(|e| self.err(e))
    }

    /// Calls `f` with (name id, case id) of every drug row that counts: not
    /// an ORDEI duplicate and naming a drug.
    pub fn for_each_counted_drug(&self, mut f: impl FnMut(i64, i64)) -> Result<()> {
        let mut run = || -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare(
                "SELECT name_id, case_id FROM bnpv_drug WHERE duplicate = 0 AND name_id IS NOT NULL",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                f(r.get(0)?, r.get(1)?);
            }
            Ok(())
        };
        run().map_err(|e| self.err(e))
    }

    /// A plain SQL GROUP BY of one breakdown of substance `code`, given the
    /// linked (name id, code) pairs: the oracle the index is tested against.
    #[cfg(test)]
    pub(crate) fn reference_counts(
        &self,
        pairs: &[(i64, String)],
        code: &str,
        dim: Dimension,
        years: YearRange,
    ) -> Result<Vec<CountRow>> {
        let run = || -> rusqlite::Result<Vec<CountRow>> {
            self.conn.execute_batch(
                "DROP TABLE IF EXISTS temp.ref_link;
                 CREATE TEMP TABLE ref_link (name_id INTEGER, code TEXT);",
            )?;
            for (id, c) in pairs {
                self.conn.execute(
                    "INSERT INTO temp.ref_link VALUES (?1, ?2)",
                    rusqlite::params![id, c],
                )?;
            }
            let cases = format!(
                "SELECT DISTINCT d.case_id FROM temp.ref_link l
                 JOIN bnpv_drug d ON d.name_id = l.name_id AND d.duplicate = 0
                 JOIN bnpv_case c ON c.case_id = d.case_id
                 WHERE l.code = ?1 AND c.{} AND c.{COUNTED_CASE} AND c.year BETWEEN ?2 AND ?3",
                CLEANED_CASE.replace(" AND ", " AND c.")
            );
            let by_case = |category: &str| {
                format!(
                    "SELECT {category}, '', count(*) FROM ({cases}) s
                     JOIN bnpv_case c ON c.case_id = s.case_id GROUP BY 1 ORDER BY 1"
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
                Dimension::Criterion => CRITERIA_COLUMNS
                    .split(", ")
                    .map(|column| {
                        format!(
                            "SELECT '{column}', '', sum(c.{column}) FROM ({cases}) s
                             JOIN bnpv_case c ON c.case_id = s.case_id"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" UNION ALL "),
                Dimension::Soc => format!(
                    "SELECT COALESCE(e.soc, e.effet_soc, 'inconnu'), '', count(DISTINCT s.case_id)
                     FROM ({cases}) s JOIN bnpv_effect e ON e.case_id = s.case_id
                     GROUP BY 1 ORDER BY 1"
                ),
                Dimension::Hlt => format!(
                    "SELECT COALESCE(e.soc, e.effet_soc, 'inconnu'),
                            COALESCE(e.effet_hlt, 'inconnu'), count(DISTINCT s.case_id)
                     FROM ({cases}) s JOIN bnpv_effect e ON e.case_id = s.case_id
                     GROUP BY 1, 2 ORDER BY 1, 2"
                ),
            };
            let mut stmt = self.conn.prepare(&sql)?;
            stmt.query_map(rusqlite::params![code, years.from, years.to], |r| {
                Ok(CountRow {
                    code: code.to_string(),
                    category: r.get(0)?,
                    detail: r.get(1)?,
                    count: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                })
            })?
            .collect()
        };
        run().map_err(|e| self.err(e))
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
}
