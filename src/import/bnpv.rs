//! BNPV case extracts: `Cas-Patients.csv`, `Médicaments.csv`, `Effets.csv`.
//! Raw values are stored as read; ORDEI's cleaning rules give the derived
//! columns (age in years and class, sex, notifier, seriousness flags, year,
//! French case). Distinct drug names are collected with their level.

use chrono::{Datelike, NaiveDate};
use rustc_hash::{FxHashMap, FxHashSet};

use super::columns::{ColumnSpec, LeftUnknown, opt, req, warned};
use super::convert::{Outcome, RowContext};
use super::values::{
    DateProblem, fold_upper_into, latest_plausible_year, parse_date_until, parse_decimal,
};
use crate::error::Result;
use crate::model::Level;
use crate::normalize::normalize_name;
use crate::store::imports::{Cell, KeyCache, Presence, RowBatch, content_hash};

/// Columns of `Cas-Patients.csv`, in converter order.
///
/// Every column a figure or an ORDEI rule reads is required (a renamed one
/// is mapped with `--map`): without U_AGE "29 JOURS" would read as 29
/// years, without DECES no case would count as a death, without the
/// countries every case would count as French. DATE_NAISS, read only for
/// cases without AGE, may be omitted (a warning names what that leaves
/// unknown); TYP_EFFET feeds no figure.
pub const CASE_COLUMNS: &[ColumnSpec] = &[
    req("AER_ID"),
    req("CAS"),
    req("VER"),
    req("NOTIF"),
    req("SEXE"),
    req("AGE"),
    req("U_AGE"),
    warned("DATE_NAISS", LeftUnknown::AgeFromBirthDate),
    req("TYP_NOTIF"),
    opt("TYP_EFFET"),
    req("GRAVE"),
    req("DECES"),
    req("PRO_V"),
    req("HOSPI"),
    req("INCAP"),
    req("ANO_C"),
    req("AUTRE"),
    req("PAYS_SURVENUE"),
    req("PAYS_CAS"),
];

/// Columns of `Médicaments.csv`.
pub const DRUG_COLUMNS: &[ColumnSpec] = &[
    req("AER_ID"),
    req("CAS"),
    req("VER"),
    req("MEDICAMENT"),
    req("TYPE"),
];

/// Columns of `Effets.csv`: EFFET_HLT is required (the drill-down from
/// SOC to HLT reads it); DATE_DEB feeds no figure.
pub const EFFECT_COLUMNS: &[ColumnSpec] = &[
    req("AER_ID"),
    req("CAS"),
    req("VER"),
    opt("DATE_DEB"),
    req("EFFET_SOC"),
    req("EFFET_HLT"),
];

/// Ages above this are missing (ORDEI).
pub const MAX_AGE_YEARS: i64 = 125;

/// The age class of an age in years, as the portal shows it.
pub fn age_class(age_years: Option<i64>) -> &'static str {
    match age_years {
        Some(a) if a < 20 => "0-19",
        Some(a) if a < 60 => "20-59",
        Some(_) => "60+",
        None => "inconnu",
    }
}

/// The case key of a row, or a rejection when a part is empty.
fn case_key<'r>(ctx: &'r RowContext<'_>) -> std::result::Result<[&'r str; 3], String> {
    let key = [ctx.get(0), ctx.get(1), ctx.get(2)];
    for (i, part) in key.iter().enumerate() {
        if part.is_empty() {
            return Err(format!(
                "{} is empty: the row has no case key",
                ctx.columns.name(i)
            ));
        }
    }
    Ok(key)
}

/// Converts `Cas-Patients.csv` rows.
pub struct CaseConverter {
    seen: FxHashSet<i64>,
    /// Today and the latest plausible year, read once per file.
    today: NaiveDate,
    latest_year: i32,
    /// Reused buffer for folded values.
    folded: String,
}

impl Default for CaseConverter {
    fn default() -> Self {
        CaseConverter {
            seen: FxHashSet::default(),
            today: chrono::Utc::now().date_naive(),
            latest_year: latest_plausible_year(),
            folded: String::new(),
        }
    }
}

impl CaseConverter {
    /// Applies ORDEI's cleaning rules to one case row and adds its values
    /// to `batch` (a new case version to `keys` and `batch`).
    pub fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        keys: &mut KeyCache,
        batch: &mut RowBatch,
    ) -> Result<Outcome> {
        let key = match case_key(ctx) {
            Ok(k) => k,
            Err(m) => return Ok(Outcome::Reject(m)),
        };
        let (case_id, new) = keys.case_id(key[0], key[1], key[2]);
        if new {
            batch.new_case(case_id, key[0], key[1], key[2]);
        }
        keys.saw_case(key[1]);
        if !self.seen.insert(case_id) {
            return Err(ctx.fatal(
                0,
                format!(
                    "case version {} / {} / {} appears twice in the file; each case version must appear once",
                    key[0], key[1], key[2]
                ),
            ));
        }
        if !new {
            match keys.case_presence(case_id, content_hash((3..=18).map(|i| ctx.get(i)))) {
                Presence::New => {}
                Presence::Same => return Ok(Outcome::Present(None)),
                Presence::Different => {
                    return Ok(Outcome::Present(Some(format!(
                        "case version {} / {} / {} is already in the workspace with other values: the row imported first is kept (a case version does not change; a follow-up has a new VER)",
                        key[0], key[1], key[2]
                    ))));
                }
            }
        }
        let notif = match parse_date_until(ctx.get(3), self.latest_year) {
            Ok(Some(d)) if d <= self.today => d,
            Ok(Some(d)) => {
                return Err(ctx.fatal(
                    3,
                    format!(
                        "notification date {} is in the future",
                        d.format("%d/%m/%Y")
                    ),
                ));
            }
            Ok(None) => return Err(ctx.fatal(3, "the notification date is empty")),
            Err(DateProblem::Implausible(d)) => {
                return Err(ctx.fatal(
                    3,
                    format!("impossible notification date {}", d.format("%d/%m/%Y")),
                ));
            }
            Err(DateProblem::Unreadable) => {
                return Err(ctx.fatal(
                    3,
                    format!("\"{}\" is not a date (DD/MM/YYYY expected)", ctx.get(3)),
                ));
            }
        };
        let year = i64::from(notif.year());
        fold_upper_into(ctx.get(4), &mut self.folded);
        let sex = match self.folded.as_str() {
            "M" | "MASCULIN" | "HOMME" => "M",
            "F" | "FEMININ" | "FEMME" => "F",
            _ => "U",
        };
        let age_years = self.age_years(ctx, year)?;
        let country = if ctx.get(17).is_empty() {
            ctx.get(18)
        } else {
            ctx.get(17)
        };
        fold_upper_into(country, &mut self.folded);
        let in_france = matches!(self.folded.as_str(), "" | "FRANCE" | "FR" | "FRA");
        batch.cell(Cell::Int(case_id));
        for i in 3..=18 {
            batch.text(ctx.get(i));
        }
        batch.date(notif);
        batch.cell(Cell::Int(year));
        batch.cell(Cell::Static(sex));
        batch.int(age_years);
        batch.cell(Cell::Static(age_class(age_years)));
        match ctx.get(8) {
            "" => batch.cell(Cell::Static("Inconnu")),
            s => batch.text(s),
        }
        for i in 10..=16 {
            fold_upper_into(ctx.get(i), &mut self.folded);
            batch.flag(self.folded == "OUI");
        }
        batch.flag(in_france);
        Ok(Outcome::Stored)
    }

    /// ORDEI's age rules: AGE > 125 is missing; months → AGE/12 rounded;
    /// weeks, days, hours → 0; a missing age is year(NOTIF) − year(DATE_NAISS)
    /// kept only in 0..125.
    fn age_years(&mut self, ctx: &mut RowContext<'_>, notif_year: i64) -> Result<Option<i64>> {
        let raw = ctx.get(5);
        if raw.is_empty() {
            return Ok(match parse_date_until(ctx.get(7), self.latest_year) {
                Ok(Some(birth)) => {
                    let age = notif_year - i64::from(birth.year());
                    (0..=MAX_AGE_YEARS).contains(&age).then_some(age)
                }
                Ok(None) => None,
                Err(_) => {
                    let msg = format!(
                        "birth date \"{}\" is not a usable date: age left unknown",
                        ctx.get(7)
                    );
                    ctx.warn(7, msg);
                    None
                }
            });
        }
        let Some(value) = parse_decimal(raw) else {
            return Err(ctx.fatal(5, format!("\"{raw}\" is not an age (a number is expected)")));
        };
        if value < 0.0 {
            return Err(ctx.fatal(5, format!("negative age {raw}")));
        }
        fold_upper_into(ctx.get(6), &mut self.folded);
        let years = match self.folded.as_str() {
            "" | "AN" | "ANS" | "ANNEE" | "ANNEES" => value.round() as i64,
            "MOIS" => (value / 12.0).round() as i64,
            "SEMAINE" | "SEMAINES" | "JOUR" | "JOURS" | "HEURE" | "HEURES" => 0,
            other => {
                let msg = format!("unknown age unit \"{other}\": age left unknown");
                ctx.warn(6, msg);
                return Ok(None);
            }
        };
        if years > MAX_AGE_YEARS {
            ctx.warn(
                5,
                format!("age {raw} is over {MAX_AGE_YEARS}: treated as unknown (ORDEI rule)"),
            );
            return Ok(None);
        }
        Ok(Some(years))
    }
}

/// Converts `Médicaments.csv` rows.
#[derive(Default)]
pub struct DrugConverter {
    /// (case, MEDICAMENT) pairs seen, the name as its number in `medicaments`.
    seen: PairsSeen,
    /// Distinct MEDICAMENT values (a file has tens of thousands for a
    /// million rows): their number, and their drug name id at each level
    /// met so far, so that most rows cost one lookup.
    medicaments: FxHashMap<Box<str>, (u32, [Option<i64>; 4])>,
    /// Levels of the TYPE values seen (a handful).
    levels: Vec<(Box<str>, Level)>,
}

impl DrugConverter {
    /// Links the row to its case and its distinct name; flags ORDEI duplicates.
    pub fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        keys: &mut KeyCache,
        batch: &mut RowBatch,
    ) -> Result<Outcome> {
        let key = match case_key(ctx) {
            Ok(k) => k,
            Err(m) => return Ok(Outcome::Reject(m)),
        };
        let (case_id, new) = keys.case_id(key[0], key[1], key[2]);
        if new {
            batch.new_case(case_id, key[0], key[1], key[2]);
        }
        let medicament = ctx.get(3);
        let type_raw = ctx.get(4);
        // A row an earlier extract stored still goes through the name
        // bookkeeping below, so that ORDEI's duplicates after it are
        // flagged as in a file imported alone.
        let present = !new && keys.take_stored_row(case_id, content_hash([medicament, type_raw]));
        let level = match self.levels.iter().find(|(raw, _)| **raw == *type_raw) {
            Some((_, level)) => *level,
            None => {
                let level = Level::parse(type_raw);
                self.levels.push((type_raw.into(), level));
                level
            }
        };
        let (name_id, duplicate) = if medicament.is_empty() {
            ctx.warn(
                3,
                "empty MEDICAMENT: kept, left out of indicators (ORDEI rule)",
            );
            (None, false)
        } else {
            let slot = Level::ALL.iter().position(|l| *l == level).unwrap_or(3);
            let known = self.medicaments.get(medicament).copied();
            let (number, id) = match known {
                Some((number, ids)) if ids[slot].is_some() => (number, ids[slot]),
                _ => {
                    let (id, new) = keys.name_id(medicament, level);
                    if new {
                        batch.new_name(id, medicament, level, &normalize_name(medicament));
                    }
                    let next = self.medicaments.len() as u32;
                    let entry = self
                        .medicaments
                        .entry(medicament.into())
                        .or_insert((next, [None; 4]));
                    entry.1[slot] = Some(id);
                    (entry.0, Some(id))
                }
            };
            (id, !self.seen.insert(case_id, number))
        };
        if present {
            return Ok(Outcome::Present(None));
        }
        if let (Some(id), false) = (name_id, duplicate) {
            keys.count_observation(case_id, id);
        }
        batch.cell(Cell::Int(case_id));
        batch.text(medicament);
        batch.text(type_raw);
        batch.int(name_id);
        batch.flag(duplicate);
        Ok(Outcome::Stored)
    }
}

/// The (case, name) pairs of a file, to flag ORDEI's duplicates.
///
/// Extracts are sorted by case: while case ids never go down, a pair can
/// only repeat within the current case, so only that case's few names are
/// searched and the pairs are kept in a plain list. The first case id lower
/// than the one before switches to a hash set of every pair, built once
/// from the list. A set from the start cost a million inserts and, as it
/// grew, about 70 MB of fresh tables on the reading thread.
#[derive(Debug, Default)]
struct PairsSeen {
    /// Every pair, in file order, while case ids go up.
    pairs: Vec<(i64, u32)>,
    /// Where the current case's pairs start in `pairs`.
    current_start: usize,
    /// Every pair, once a case id went down.
    set: Option<FxHashSet<(i64, u32)>>,
}

impl PairsSeen {
    /// Records a pair; `false` when it was already there.
    fn insert(&mut self, case_id: i64, name: u32) -> bool {
        if let Some(set) = &mut self.set {
            return set.insert((case_id, name));
        }
        match self.pairs.last() {
            Some(&(last, _)) if case_id < last => {
                let mut set: FxHashSet<(i64, u32)> = self.pairs.drain(..).collect();
                let fresh = set.insert((case_id, name));
                self.set = Some(set);
                return fresh;
            }
            Some(&(last, _)) if case_id == last => {
                if self.pairs[self.current_start..]
                    .iter()
                    .any(|&(_, n)| n == name)
                {
                    return false;
                }
            }
            _ => self.current_start = self.pairs.len(),
        }
        self.pairs.push((case_id, name));
        true
    }
}

/// Converts `Effets.csv` rows.
pub struct EffectConverter {
    /// SOC labels already recognised: a file holds a few dozen distinct ones.
    soc_labels: FxHashMap<Box<str>, Option<&'static str>>,
    latest_year: i32,
}

impl Default for EffectConverter {
    fn default() -> Self {
        EffectConverter {
            soc_labels: FxHashMap::default(),
            latest_year: latest_plausible_year(),
        }
    }
}

impl EffectConverter {
    /// Links the effect to its case; SOC labels brought to the French label.
    pub fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        keys: &mut KeyCache,
        batch: &mut RowBatch,
    ) -> Result<Outcome> {
        let key = match case_key(ctx) {
            Ok(k) => k,
            Err(m) => return Ok(Outcome::Reject(m)),
        };
        let (case_id, new) = keys.case_id(key[0], key[1], key[2]);
        if new {
            batch.new_case(case_id, key[0], key[1], key[2]);
        } else if keys.take_stored_row(case_id, content_hash([ctx.get(3), ctx.get(4), ctx.get(5)]))
        {
            return Ok(Outcome::Present(None));
        }
        let onset = match parse_date_until(ctx.get(3), self.latest_year) {
            Ok(d) => d,
            Err(_) => {
                let msg = format!("onset date \"{}\" is not a usable date", ctx.get(3));
                ctx.warn(3, msg);
                None
            }
        };
        let soc_raw = ctx.get(4);
        let soc = match self.soc_labels.get(soc_raw) {
            Some(label) => *label,
            None => {
                let label = crate::model::soc::french_label(soc_raw);
                self.soc_labels.insert(soc_raw.into(), label);
                label
            }
        };
        if soc.is_none() && !soc_raw.is_empty() {
            let msg = format!("\"{soc_raw}\" is not a MedDRA SOC label");
            ctx.warn(4, msg);
        }
        batch.cell(Cell::Int(case_id));
        batch.text(ctx.get(3));
        batch.text(soc_raw);
        batch.text(ctx.get(5));
        match onset {
            Some(d) => batch.date(d),
            None => batch.cell(Cell::Null),
        }
        batch.cell(soc.map_or(Cell::Null, Cell::Static));
        Ok(Outcome::Stored)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pairs_seen_match_a_set_in_or_out_of_case_order() {
        use super::PairsSeen;
        // A pseudo-random walk over a few cases and names, mostly going up
        // and sometimes back, then the same pairs sorted.
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut walk = Vec::new();
        let mut case = 0i64;
        for _ in 0..2000 {
            match next(10) {
                0 => case = (case - next(5) as i64).max(0),
                1..=3 => case += 1,
                _ => {}
            }
            walk.push((case, next(6) as u32));
        }
        let mut sorted = walk.clone();
        sorted.sort_by_key(|p| p.0);
        for (label, pairs) in [("walk", walk), ("sorted", sorted)] {
            let mut seen = PairsSeen::default();
            let mut reference = std::collections::HashSet::new();
            let mut repeats = 0;
            for (case, name) in pairs {
                let fresh = reference.insert((case, name));
                repeats += usize::from(!fresh);
                assert_eq!(seen.insert(case, name), fresh, "{label}: {case} {name}");
            }
            assert!(repeats > 100, "{label}: the test repeats pairs");
            assert_eq!(seen.set.is_some(), label == "walk", "{label}");
        }
    }

    use super::*;

    #[test]
    fn age_classes() {
        assert_eq!(age_class(Some(0)), "0-19");
        assert_eq!(age_class(Some(19)), "0-19");
        assert_eq!(age_class(Some(20)), "20-59");
        assert_eq!(age_class(Some(60)), "60+");
        assert_eq!(age_class(None), "inconnu");
    }
}
