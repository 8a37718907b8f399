//! BNPV case extracts: `Cas-Patients.csv`, `Médicaments.csv`, `Effets.csv`.
//! Raw values are stored as read; ORDEI's cleaning rules give the derived
//! columns (age in years and class, sex, notifier, seriousness flags, year,
//! French case). Distinct drug names are collected with their level.

use std::collections::HashSet;

use chrono::Datelike;

use super::values::{DateProblem, fold_upper, parse_date, parse_decimal};
use super::{ColumnSpec, Outcome, RowContext, opt, req};
use crate::error::Result;
use crate::model::{Level, Value};
use crate::normalize::normalize_name;
use crate::store::imports::ImportWriter;

/// Columns of `Cas-Patients.csv`, in converter order.
pub const CASE_COLUMNS: &[ColumnSpec] = &[
    req("AER_ID"),
    req("CAS"),
    req("VER"),
    req("NOTIF"),
    req("SEXE"),
    req("AGE"),
    opt("U_AGE"),
    opt("DATE_NAISS"),
    opt("TYP_NOTIF"),
    opt("TYP_EFFET"),
    req("GRAVE"),
    opt("DECES"),
    opt("PRO_V"),
    opt("HOSPI"),
    opt("INCAP"),
    opt("ANO_C"),
    opt("AUTRE"),
    opt("PAYS_SURVENUE"),
    opt("PAYS_CAS"),
];

/// Columns of `Médicaments.csv`.
pub const DRUG_COLUMNS: &[ColumnSpec] = &[
    req("AER_ID"),
    req("CAS"),
    req("VER"),
    req("MEDICAMENT"),
    req("TYPE"),
];

/// Columns of `Effets.csv`.
pub const EFFECT_COLUMNS: &[ColumnSpec] = &[
    req("AER_ID"),
    req("CAS"),
    req("VER"),
    opt("DATE_DEB"),
    req("EFFET_SOC"),
    opt("EFFET_HLT"),
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
#[derive(Default)]
pub struct CaseConverter {
    seen: HashSet<i64>,
}

impl CaseConverter {
    /// Applies ORDEI's cleaning rules to one case row.
    pub fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        writer: &mut ImportWriter<'_>,
    ) -> Result<Outcome> {
        let key = match case_key(ctx) {
            Ok(k) => k,
            Err(m) => return Ok(Outcome::Reject(m)),
        };
        let case_id = writer.case_id(key[0], key[1], key[2])?;
        if !self.seen.insert(case_id) {
            return Err(ctx.fatal(
                0,
                format!(
                    "case version {} / {} / {} appears twice in the file; each case version must appear once",
                    key[0], key[1], key[2]
                ),
            ));
        }
        let notif = match parse_date(ctx.get(3)) {
            Ok(Some(d)) if d <= chrono::Utc::now().date_naive() => d,
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
        let sex = match fold_upper(ctx.get(4)).as_str() {
            "M" | "MASCULIN" | "HOMME" => "M",
            "F" | "FEMININ" | "FEMME" => "F",
            _ => "U",
        };
        let age_years = self.age_years(ctx, year)?;
        let notifier = match ctx.get(8) {
            "" => "Inconnu".to_string(),
            s => s.to_string(),
        };
        let yes = |ctx: &RowContext<'_>, i| fold_upper(ctx.get(i)) == "OUI";
        let country = if ctx.get(17).is_empty() {
            ctx.get(18)
        } else {
            ctx.get(17)
        };
        let in_france = matches!(fold_upper(country).as_str(), "" | "FRANCE" | "FR" | "FRA");
        let mut values = Vec::with_capacity(31);
        values.push(Value::Int(case_id));
        for i in 3..=18 {
            values.push(Value::text_or_null(ctx.get(i)));
        }
        values.push(Value::Text(notif.format("%Y-%m-%d").to_string()));
        values.push(Value::Int(year));
        values.push(Value::from(sex));
        values.push(Value::from(age_years));
        values.push(Value::from(age_class(age_years)));
        values.push(Value::Text(notifier));
        values.push(Value::from(yes(ctx, 10)));
        for i in 11..=16 {
            values.push(Value::from(yes(ctx, i)));
        }
        values.push(Value::from(in_france));
        Ok(Outcome::Keep(values))
    }

    /// ORDEI's age rules: AGE > 125 is missing; months → AGE/12 rounded;
    /// weeks, days, hours → 0; a missing age is year(NOTIF) − year(DATE_NAISS)
    /// kept only in 0..125.
    fn age_years(&self, ctx: &mut RowContext<'_>, notif_year: i64) -> Result<Option<i64>> {
        let raw = ctx.get(5);
        if raw.is_empty() {
            return Ok(match parse_date(ctx.get(7)) {
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
        let unit = fold_upper(ctx.get(6));
        let years = match unit.as_str() {
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
    seen: HashSet<(i64, String)>,
}

impl DrugConverter {
    /// Links the row to its case and its distinct name; flags ORDEI duplicates.
    pub fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        writer: &mut ImportWriter<'_>,
    ) -> Result<Outcome> {
        let key = match case_key(ctx) {
            Ok(k) => k,
            Err(m) => return Ok(Outcome::Reject(m)),
        };
        let case_id = writer.case_id(key[0], key[1], key[2])?;
        let medicament = ctx.get(3).to_string();
        let level = Level::parse(ctx.get(4));
        let name_id = if medicament.is_empty() {
            ctx.warn(
                3,
                "empty MEDICAMENT: kept, left out of indicators (ORDEI rule)",
            );
            None
        } else {
            Some(writer.drug_name_id(&medicament, level, normalize_name)?)
        };
        let duplicate = !medicament.is_empty() && !self.seen.insert((case_id, medicament.clone()));
        if let (Some(id), false) = (name_id, duplicate) {
            writer.count_observation(id);
        }
        Ok(Outcome::Keep(vec![
            Value::Int(case_id),
            Value::text_or_null(&medicament),
            Value::text_or_null(ctx.get(4)),
            Value::from(name_id),
            Value::from(duplicate),
        ]))
    }
}

/// Converts `Effets.csv` rows.
#[derive(Default)]
pub struct EffectConverter {
    /// SOC labels already recognised: a file holds a few dozen distinct ones.
    soc_labels: std::collections::HashMap<String, Option<&'static str>>,
}

impl EffectConverter {
    /// Links the effect to its case; SOC labels brought to the French label.
    pub fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        writer: &mut ImportWriter<'_>,
    ) -> Result<Outcome> {
        let key = match case_key(ctx) {
            Ok(k) => k,
            Err(m) => return Ok(Outcome::Reject(m)),
        };
        let case_id = writer.case_id(key[0], key[1], key[2])?;
        let onset = match parse_date(ctx.get(3)) {
            Ok(d) => d.map(|d| d.format("%Y-%m-%d").to_string()),
            Err(_) => {
                let msg = format!("onset date \"{}\" is not a usable date", ctx.get(3));
                ctx.warn(3, msg);
                None
            }
        };
        let soc_raw = ctx.get(4).to_string();
        let soc = match self.soc_labels.get(&soc_raw) {
            Some(label) => *label,
            None => {
                let label = crate::model::soc::french_label(&soc_raw);
                self.soc_labels.insert(soc_raw.clone(), label);
                label
            }
        };
        if soc.is_none() && !soc_raw.is_empty() {
            let msg = format!("\"{soc_raw}\" is not a MedDRA SOC label");
            ctx.warn(4, msg);
        }
        Ok(Outcome::Keep(vec![
            Value::Int(case_id),
            Value::text_or_null(ctx.get(3)),
            Value::text_or_null(&soc_raw),
            Value::text_or_null(ctx.get(5)),
            Value::from(onset),
            Value::from(soc.map(str::to_string)),
        ]))
    }
}

#[cfg(test)]
mod tests {
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
