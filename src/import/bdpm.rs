//! BDPM files exactly as published: tab separated, no header, cp1252 or
//! UTF-8, with or without the trailing empty field. Impossible dates (a
//! presentation declared on 29/11/2924) are kept raw with a warning; rows
//! with the wrong number of fields are reported by line and kept out.

use super::columns::{ColumnSpec, req};
use super::convert::{Outcome, RowContext};
use super::values::{DateProblem, parse_date, parse_decimal};
use crate::model::{Kind, Value};

/// `CIS_bdpm.txt` columns.
pub const CIS_COLUMNS: &[ColumnSpec] = &[
    req("CIS"),
    req("dénomination"),
    req("forme pharmaceutique"),
    req("voies d'administration"),
    req("statut administratif AMM"),
    req("type de procédure"),
    req("état de commercialisation"),
    req("date AMM"),
    req("statut BdM"),
    req("n° autorisation européenne"),
    req("titulaires"),
    req("surveillance renforcée"),
];

/// `CIS_CIP_bdpm.txt` columns.
pub const CIP_COLUMNS: &[ColumnSpec] = &[
    req("CIS"),
    req("CIP7"),
    req("libellé présentation"),
    req("statut administratif"),
    req("état de commercialisation"),
    req("date de déclaration"),
    req("CIP13"),
    req("agrément collectivités"),
    req("taux de remboursement"),
    req("prix"),
    req("prix avec honoraires"),
    req("honoraires"),
    req("indications remboursement"),
];

/// `CIS_COMPO_bdpm.txt` columns.
pub const COMPO_COLUMNS: &[ColumnSpec] = &[
    req("CIS"),
    req("élément pharmaceutique"),
    req("code substance"),
    req("dénomination substance"),
    req("dosage"),
    req("référence dosage"),
    req("nature"),
    req("n° de liaison"),
];

/// `CIS_GENER_bdpm.txt` columns.
pub const GENER_COLUMNS: &[ColumnSpec] = &[
    req("id groupe"),
    req("libellé groupe"),
    req("CIS"),
    req("type"),
    req("n° de tri"),
];

/// A date column: ISO when usable, with a warning otherwise.
fn date(ctx: &mut RowContext<'_>, i: usize) -> Value {
    match parse_date(ctx.get(i)) {
        Ok(d) => Value::from(d.map(|d| d.format("%Y-%m-%d").to_string())),
        Err(DateProblem::Implausible(d)) => {
            ctx.warn(
                i,
                format!(
                    "impossible date {}: kept raw, left out of dates",
                    d.format("%d/%m/%Y")
                ),
            );
            Value::Null
        }
        Err(DateProblem::Unreadable) => {
            let msg = format!("\"{}\" is not a date: kept raw", ctx.get(i));
            ctx.warn(i, msg);
            Value::Null
        }
    }
}

fn text(ctx: &RowContext<'_>, i: usize) -> Value {
    Value::text_or_null(ctx.get(i))
}

/// Checks a CIS: 8 digits.
fn cis(ctx: &RowContext<'_>, i: usize) -> Result<Value, String> {
    let raw = ctx.get(i);
    if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Value::Text(raw.to_string()))
    } else {
        Err(format!("CIS \"{raw}\" is not 8 digits"))
    }
}

/// Converts one BDPM row of `kind`.
pub fn convert(kind: Kind, ctx: &mut RowContext<'_>) -> Outcome {
    let result = match kind {
        Kind::BdpmCis => cis(ctx, 0).map(|cis| {
            let mut v = vec![cis];
            for i in 1..=6 {
                v.push(text(ctx, i));
            }
            v.push(text(ctx, 7));
            v.push(date(ctx, 7));
            for i in 8..=11 {
                v.push(text(ctx, i));
            }
            v
        }),
        Kind::BdpmCip => cis(ctx, 0).map(|cis| {
            let prix_raw = ctx.get(9).to_string();
            let extra: Vec<&str> = (10..=12).map(|i| ctx.get(i)).collect();
            let extra = if extra.iter().all(|s| s.is_empty()) {
                Value::Null
            } else {
                Value::Text(extra.join("\t"))
            };
            vec![
                cis,
                text(ctx, 1),
                text(ctx, 2),
                text(ctx, 3),
                text(ctx, 4),
                text(ctx, 5),
                date(ctx, 5),
                text(ctx, 6),
                text(ctx, 7),
                text(ctx, 8),
                Value::from(parse_decimal(&prix_raw)),
                Value::text_or_null(&prix_raw),
                extra,
            ]
        }),
        Kind::BdpmCompo => cis(ctx, 0).and_then(|cis| {
            let code = ctx.get(2);
            if code.is_empty() {
                return Err("empty code substance".to_string());
            }
            let mut v = vec![cis, text(ctx, 1)];
            v.push(Value::Text(format!("{code:0>5}")));
            for i in 3..=7 {
                v.push(text(ctx, i));
            }
            Ok(v)
        }),
        Kind::BdpmGener => {
            cis(ctx, 2).map(|cis| vec![text(ctx, 0), text(ctx, 1), cis, text(ctx, 3), text(ctx, 4)])
        }
        _ => Err(format!("{kind} is not a BDPM file")),
    };
    match result {
        Ok(values) => Outcome::Keep(values),
        Err(message) => Outcome::Reject(message),
    }
}
