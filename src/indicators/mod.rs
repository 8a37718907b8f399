//! The ORDEI indicators, per substance and for the whole base, as the portal
//! shows them and as the agency sees them before publishing. A
//! [`Computation`] resolves once which names are linked — a reviewer's
//! approval first, else matching's `auto` ([`crate::review::resolution`]);
//! rejected, pending and unmatched names count nowhere — and reads the
//! indicator index ([`index`]): the cleaned cases reduced to ids and bits,
//! their SOC and HLT, and each substance's distinct cases. Every breakdown
//! of a substance, for any year range, is then one pass over its own cases
//! (a millisecond for the largest), and every substance's is one pass over
//! the million (substance, case) pairs. Every count comes back with the
//! true value (the internal view) and what [`disclosure`] lets be
//! published. [`Computation::pending_impact`] says how many cases each
//! pending name would add to a substance if approved.

pub mod disclosure;
mod index;
mod pending;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Level;
use crate::model::linking::NameStatus;
use crate::review::DecisionKey;
use crate::store::Store;
pub use crate::store::indicators::{CountRow, Dimension, PatientDimension, Scope, YearRange};
use disclosure::{Rule, Shown};
use index::{Index, Tally};
pub use pending::{
    DEFAULT_MAX_PENDING, PendingImpact, PendingShare, SETTING_MAX_PENDING, max_pending_share,
    pending_share, pending_share_of,
};

/// The years asked for; a missing bound is the first or last year of the
/// cleaned cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    /// First year, if limited.
    pub from: Option<i64>,
    /// Last year, if limited.
    pub to: Option<i64>,
}

/// One count with what may be published of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The category: year, sex, age class, criterion, notifier, SOC.
    pub category: String,
    /// The HLT for the HLT drill-down, empty otherwise.
    pub detail: String,
    /// The true count (internal view only).
    pub count: i64,
    /// What the portal gets.
    pub shown: Shown,
}

/// One breakdown of a total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// Identifier ("year", "sex", "soc", "patients_year"...).
    pub dimension: &'static str,
    /// Whether the cells split the total (each case in one cell).
    pub partition: bool,
    /// Its cells, ordered by category.
    pub cells: Vec<Cell>,
}

/// Open Medic figures of a substance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patients {
    /// Patients over the Open Medic years of the period (a patient is
    /// counted once per CIP13 and year, as Open Medic does).
    pub total: i64,
    /// What the portal gets of it.
    pub total_shown: Shown,
    /// Open Medic years within the period.
    pub years: Vec<i64>,
    /// Mean patients a year.
    pub per_year: f64,
    /// ORDEI's usage level class for a substance.
    pub usage_level: &'static str,
    /// Cases a year per 100,000 patients a year; `None` when the case
    /// total is hidden.
    pub rate_per_100k: Option<f64>,
    /// Per year, sex, age class.
    pub breakdowns: Vec<Breakdown>,
}

/// The indicators of one substance, or of the whole base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    /// The substance code; `None` for the global page.
    pub code: Option<String>,
    /// Its canonical name ("" when the referential lacks it; "global").
    pub name: String,
    /// The years counted.
    pub years: YearRange,
    /// Distinct cases.
    pub cases: i64,
    /// What the portal gets of it.
    pub cases_shown: Shown,
    /// The case breakdowns, in [`Dimension::ALL`] order.
    pub breakdowns: Vec<Breakdown>,
    /// Open Medic, when imported (never for the global page).
    pub patients: Option<Patients>,
}

impl Indicators {
    /// The breakdown `dimension`, if present.
    pub fn breakdown(&self, dimension: &str) -> Option<&Breakdown> {
        self.breakdowns
            .iter()
            .chain(self.patients.iter().flat_map(|p| p.breakdowns.iter()))
            .find(|b| b.dimension == dimension)
    }

    /// The true count of `category` in `dimension` (0 when absent).
    pub fn count(&self, dimension: &str, category: &str) -> i64 {
        self.breakdown(dimension)
            .and_then(|b| b.cells.iter().find(|c| c.category == category))
            .map_or(0, |c| c.count)
    }
}

/// A substance with its cases, for a picker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubstanceCount {
    /// Substance code.
    pub code: String,
    /// Canonical name ("" when the referential lacks it).
    pub name: String,
    /// Distinct cases in the period (internal).
    pub cases: i64,
    /// What the portal gets of it.
    pub cases_shown: Shown,
}

/// The disclosure rule of a workspace (its threshold setting, else 10).
pub fn workspace_rule(store: &Store) -> Result<Rule> {
    match store.setting(disclosure::SETTING_THRESHOLD)? {
        None => Ok(Rule::default()),
        Some(v) => v.trim().parse::<i64>().map(Rule::new).map_err(|_| {
            Error::Usage(format!(
                "workspace setting {} = \"{v}\" is not a whole number",
                disclosure::SETTING_THRESHOLD
            ))
        }),
    }
}

/// ORDEI's usage level of a substance from its patients a year.
pub fn usage_level(patients_per_year: f64) -> &'static str {
    match patients_per_year {
        p if p < 3_000.0 => "< 3 000",
        p if p < 20_000.0 => "3 000 - 20 000",
        p if p < 100_000.0 => "20 000 - 100 000",
        p if p < 600_000.0 => "100 000 - 600 000",
        _ => ">= 600 000",
    }
}

/// A pending key: its names and the substances matching proposed.
struct PendingKey {
    label: String,
    level: Level,
    name_ids: Vec<i64>,
    proposed: Vec<String>,
}

/// One indicator computation: a year range and the linked observations
/// behind it, prepared once, then any number of breakdowns.
pub struct Computation<'s> {
    store: &'s Store,
    years: YearRange,
    rule: Rule,
    names: Arc<HashMap<String, String>>,
    pending: Arc<Vec<PendingKey>>,
    index: Arc<Index>,
    patients: OnceLock<PatientTable>,
}

/// Open Medic patients of every substance over a computation's period.
struct PatientTable {
    /// Rows per substance code and dimension.
    by_code: HashMap<String, HashMap<PatientDimension, Vec<CountRow>>>,
    /// The Open Medic years within the period.
    years: Vec<i64>,
}

impl<'s> Computation<'s> {
    /// Resolves the linked names and prepares the observations of `period`.
    pub fn new(store: &'s Store, period: Period) -> Result<Computation<'s>> {
        let rule = workspace_rule(store)?;
        let rows = store.transcoding_rows()?;
        if rows.is_empty() {
            return Err(Error::Usage(
                "no linked names: run datamed match on this workspace first".into(),
            ));
        }
        let mut pairs = Vec::new();
        let mut keys: BTreeMap<DecisionKey, PendingKey> = BTreeMap::new();
        let mut decided: std::collections::HashSet<DecisionKey> = Default::default();
        for row in &rows {
            let resolved = crate::review::resolution(row);
            let key = DecisionKey::of(&row.name);
            if resolved.decision.is_some() {
                decided.insert(key.clone());
            }
            pairs.extend(linked_codes(row.name.id, &resolved));
            // Every spelling of a key shares its decision: approving one
            // links them all, so the impact is per key.
            let entry = keys.entry(key).or_insert_with(|| PendingKey {
                label: row.name.name.clone(),
                level: row.name.level,
                name_ids: Vec::new(),
                proposed: Vec::new(),
            });
            entry.name_ids.push(row.name.id);
            if resolved.status == NameStatus::Pending {
                entry.proposed.extend(row.substance_codes.iter().cloned());
            }
        }
        let pending: Vec<PendingKey> = keys
            .into_iter()
            .filter(|(k, p)| !decided.contains(k) && !p.proposed.is_empty())
            .map(|(_, p)| p)
            .collect();
        let watched: HashSet<i64> = pending
            .iter()
            .flat_map(|k| k.name_ids.iter().copied())
            .collect();
        let index = Index::build(store, &pairs, &watched)?;
        let mut computation = Computation {
            store,
            years: YearRange { from: 0, to: 0 },
            rule,
            names: Arc::new(store.substance_name_map()?),
            pending: Arc::new(pending),
            index: Arc::new(index),
            patients: OnceLock::new(),
        };
        computation.years = computation.years_of(period)?;
        Ok(computation)
    }

    /// The same computation over another period: nothing is read again.
    pub fn with_period(&self, period: Period) -> Result<Computation<'s>> {
        Ok(Computation {
            store: self.store,
            years: self.years_of(period)?,
            rule: self.rule,
            names: Arc::clone(&self.names),
            pending: Arc::clone(&self.pending),
            index: Arc::clone(&self.index),
            patients: OnceLock::new(),
        })
    }

    /// The years of `period`, a missing bound being the first or last year
    /// of the cleaned cases.
    fn years_of(&self, period: Period) -> Result<YearRange> {
        let range = self.index.bounds();
        let years = YearRange {
            from: period.from.or(range.map(|r| r.from)).unwrap_or(0),
            to: period.to.or(range.map(|r| r.to)).unwrap_or(0),
        };
        if years.from > years.to {
            return Err(Error::Usage(format!(
                "the period {}–{} is empty: --from must not be after --to",
                years.from, years.to
            )));
        }
        Ok(years)
    }

    /// The years counted.
    pub fn years(&self) -> YearRange {
        self.years
    }

    /// The disclosure rule applied.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// The canonical name of a substance code ("" when unknown).
    pub fn substance_name(&self, code: &str) -> String {
        self.names.get(code).cloned().unwrap_or_default()
    }

    /// Every substance with linked cases in the period, most cases first.
    pub fn substances(&self) -> Result<Vec<SubstanceCount>> {
        let mut list: Vec<SubstanceCount> = self
            .index
            .substances()
            .filter_map(|(code, cases)| {
                let n = cases
                    .iter()
                    .filter(|&&pos| self.index.in_years(pos, self.years))
                    .count() as i64;
                (n > 0).then(|| SubstanceCount {
                    name: self.substance_name(code),
                    code: code.to_string(),
                    cases: n,
                    cases_shown: self.rule.single(n),
                })
            })
            .collect();
        list.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.code.cmp(&b.code)));
        Ok(list)
    }

    /// The substances whose code starts with `text` or whose name contains
    /// it (accents and case ignored), most cases first: the picker's search.
    pub fn search_substances(&self, text: &str) -> Result<Vec<SubstanceCount>> {
        let wanted = crate::normalize::normalize_name(text);
        let code = text.trim();
        Ok(self
            .substances()?
            .into_iter()
            .filter(|s| {
                wanted.is_empty()
                    || s.code.starts_with(code)
                    || crate::normalize::normalize_name(&s.name).contains(&wanted)
            })
            .collect())
    }

    /// The indicators of one substance (empty breakdowns when it has no case).
    pub fn substance(&self, code: &str) -> Result<Indicators> {
        let (cases, rows) = self.case_rows(code, self.index.cases_of(code));
        let patients = self.patient_table()?;
        Ok(self.assemble(
            Some(code.to_string()),
            cases,
            &rows,
            patients.by_code.get(code).unwrap_or(&HashMap::new()),
            &patients.years,
        ))
    }

    /// Every substance's Open Medic patients in the period, read on first
    /// use (three grouped queries) and kept, so that picking a substance
    /// never waits on Open Medic.
    fn patient_table(&self) -> Result<&PatientTable> {
        if let Some(table) = self.patients.get() {
            return Ok(table);
        }
        let mut by_code: HashMap<String, HashMap<PatientDimension, Vec<CountRow>>> = HashMap::new();
        for dim in PatientDimension::ALL {
            for row in self
                .store
                .patient_counts(Scope::AllSubstances, dim, self.years)?
            {
                by_code
                    .entry(row.code.clone())
                    .or_default()
                    .entry(dim)
                    .or_default()
                    .push(row);
            }
        }
        let table = PatientTable {
            by_code,
            years: self.store.openmedic_years(self.years)?,
        };
        Ok(self.patients.get_or_init(|| table))
    }

    /// The indicators of the whole base (the global page).
    pub fn global(&self) -> Result<Indicators> {
        let (cases, rows) = self.case_rows("", self.index.linked_cases());
        Ok(self.assemble(None, cases, &rows, &HashMap::new(), &[]))
    }

    /// The indicators of every substance with cases, most cases first.
    pub fn all_substances(&self) -> Result<Vec<Indicators>> {
        let patients = self.patient_table()?;
        let empty_patients = HashMap::new();
        Ok(self
            .substances()?
            .into_iter()
            .map(|s| {
                let (cases, rows) = self.case_rows(&s.code, self.index.cases_of(&s.code));
                self.assemble(
                    Some(s.code.clone()),
                    cases,
                    &rows,
                    patients.by_code.get(&s.code).unwrap_or(&empty_patients),
                    &patients.years,
                )
            })
            .collect())
    }

    /// The case total and every case breakdown of `cases` in the period.
    fn case_rows(&self, code: &str, cases: &[u32]) -> (i64, HashMap<Dimension, Vec<CountRow>>) {
        let tally: Tally = self.index.tally(cases, self.years);
        let rows = Dimension::ALL
            .iter()
            .map(|&dim| {
                let rows = self
                    .index
                    .rows(&tally, dim)
                    .into_iter()
                    .map(|(category, detail, count)| CountRow {
                        code: code.to_string(),
                        category,
                        detail,
                        count,
                    })
                    .collect();
                (dim, rows)
            })
            .collect();
        (tally.cases, rows)
    }

    /// What approving each pending key proposing `code` would add to that
    /// substance's cases, most first.
    pub fn pending_impact(&self, code: &str) -> Result<Vec<PendingImpact>> {
        let keys: Vec<&PendingKey> = self
            .pending
            .iter()
            .filter(|k| k.proposed.iter().any(|c| c == code))
            .collect();
        let already = self.index.cases_of(code);
        let mut out: Vec<PendingImpact> = keys
            .iter()
            .map(|key| PendingImpact {
                name: key.label.clone(),
                level: key.level,
                added_cases: self.index.added_cases(&key.name_ids, already, self.years),
            })
            .collect();
        out.sort_by(|a, b| {
            b.added_cases
                .cmp(&a.added_cases)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// Builds one [`Indicators`] from its count rows, applying the rule.
    fn assemble(
        &self,
        code: Option<String>,
        cases: i64,
        rows: &HashMap<Dimension, Vec<CountRow>>,
        patient_rows: &HashMap<PatientDimension, Vec<CountRow>>,
        om_years: &[i64],
    ) -> Indicators {
        let rule = self.rule;
        let cases_shown = rule.single(cases);
        let mut breakdowns = Vec::new();
        for dim in Dimension::ALL {
            let rows = rows.get(&dim).map(Vec::as_slice).unwrap_or(&[]);
            let cells = if dim == Dimension::Hlt {
                // The drill-down of a SOC: hidden with its SOC, small HLTs
                // hidden (HLTs overlap, so primary suppression only).
                let socs = soc_shown(&breakdowns);
                hlt_cells(rule, rows, &socs)
            } else if dim == Dimension::Criterion {
                // The criteria detail the serious cases: were "grave"
                // hidden and a criterion shown, every serious case could
                // meet that one criterion and give "grave" away, then "non
                // grave" by subtraction. So they are hidden with it.
                let serious = breakdowns
                    .iter()
                    .filter(|b| b.dimension == Dimension::Seriousness.as_str())
                    .flat_map(|b| b.cells.iter())
                    .find(|c| c.category == "grave")
                    .map_or(cases_shown, |c| c.shown);
                masked(rule, rows, serious, false)
            } else {
                let mut rows = rows.to_vec();
                if dim == Dimension::AgeClass || dim == Dimension::Sex {
                    complete(&mut rows, categories(dim));
                }
                masked(rule, &rows, cases_shown, dim.is_partition())
            };
            breakdowns.push(Breakdown {
                dimension: dim.as_str(),
                partition: dim.is_partition(),
                cells,
            });
        }
        let patients = code
            .as_ref()
            .filter(|_| !om_years.is_empty())
            .map(|_| self.patients(cases, cases_shown, patient_rows, om_years));
        Indicators {
            name: match &code {
                Some(c) => self.substance_name(c),
                None => "global".to_string(),
            },
            code,
            years: self.years,
            cases,
            cases_shown,
            breakdowns,
            patients,
        }
    }

    /// The Open Medic part of a substance's indicators.
    fn patients(
        &self,
        cases: i64,
        cases_shown: Shown,
        rows: &HashMap<PatientDimension, Vec<CountRow>>,
        om_years: &[i64],
    ) -> Patients {
        let rule = self.rule;
        let empty = Vec::new();
        let total: i64 = rows
            .get(&PatientDimension::Year)
            .unwrap_or(&empty)
            .iter()
            .map(|r| r.count)
            .sum();
        let total_shown = rule.single(total);
        let per_year = total as f64 / om_years.len().max(1) as f64;
        let case_years = (self.years.to - self.years.from + 1).max(1) as f64;
        // Built from the published case total and public patient counts
        // only, so the rate reveals nothing the other numbers hide.
        let rate_per_100k = (cases_shown.value().is_some() && per_year > 0.0)
            .then(|| 100_000.0 * (cases as f64 / case_years) / per_year);
        let breakdowns = PatientDimension::ALL
            .iter()
            .map(|dim| Breakdown {
                dimension: dim.as_str(),
                partition: true,
                cells: masked(rule, rows.get(dim).unwrap_or(&empty), total_shown, true),
            })
            .collect();
        Patients {
            total,
            total_shown,
            years: om_years.to_vec(),
            per_year,
            usage_level: usage_level(per_year),
            rate_per_100k,
            breakdowns,
        }
    }
}

/// The (name id, substance code) pairs a resolved name links: none unless
/// it is auto or approved.
pub(crate) fn linked_codes(
    name_id: i64,
    resolved: &crate::review::Resolution,
) -> impl Iterator<Item = (i64, String)> + '_ {
    let linked = resolved.status.is_linked();
    resolved
        .substance_codes
        .iter()
        .filter(move |_| linked)
        .map(move |c| (name_id, c.clone()))
}

/// The categories a breakdown always shows, zeros included, so that the
/// portal's layout does not depend on the data.
fn categories(dim: Dimension) -> &'static [&'static str] {
    match dim {
        Dimension::Sex => &["F", "M"],
        Dimension::AgeClass => &["0-19", "20-59", "60+", "inconnu"],
        _ => &[],
    }
}

/// Adds the missing `categories` with a zero count, keeping the order.
fn complete(rows: &mut Vec<CountRow>, categories: &[&str]) {
    let code = rows.first().map(|r| r.code.clone()).unwrap_or_default();
    for c in categories {
        if !rows.iter().any(|r| r.category == *c) {
            rows.push(CountRow {
                code: code.clone(),
                category: (*c).to_string(),
                detail: String::new(),
                count: 0,
            });
        }
    }
    rows.sort_by(|a, b| a.category.cmp(&b.category));
}

/// Cells of a breakdown with the rule applied.
fn masked(rule: Rule, rows: &[CountRow], total_shown: Shown, partition: bool) -> Vec<Cell> {
    let counts: Vec<i64> = rows.iter().map(|r| r.count).collect();
    rule.breakdown(&counts, total_shown, partition)
        .into_iter()
        .zip(rows)
        .map(|(shown, r)| Cell {
            category: r.category.clone(),
            detail: r.detail.clone(),
            count: r.count,
            shown,
        })
        .collect()
}

/// What was published of each SOC, from the breakdowns built so far.
fn soc_shown(breakdowns: &[Breakdown]) -> HashMap<String, Shown> {
    breakdowns
        .iter()
        .filter(|b| b.dimension == Dimension::Soc.as_str())
        .flat_map(|b| b.cells.iter().map(|c| (c.category.clone(), c.shown)))
        .collect()
}

/// HLT cells: each SOC's HLTs masked under that SOC's published count.
fn hlt_cells(rule: Rule, rows: &[CountRow], socs: &HashMap<String, Shown>) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let soc = &rows[start].category;
        let end = rows[start..]
            .iter()
            .position(|r| &r.category != soc)
            .map_or(rows.len(), |n| start + n);
        let parent = socs
            .get(soc)
            .copied()
            .unwrap_or(Shown::Hidden(disclosure::Reason::TotalHidden));
        cells.extend(masked(rule, &rows[start..end], parent, false));
        start = end;
    }
    cells
}

/// What approving each pending key proposing `substance` would add to its
/// cases over every year: the figures of the "pending impact" panel.
pub fn pending_impact(store: &Store, substance: &str) -> Result<Vec<PendingImpact>> {
    Computation::new(store, Period::default())?.pending_impact(substance)
}

#[cfg(test)]
pub(crate) mod tests;
