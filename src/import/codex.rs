//! CODEX exports (the agency's marketing-authorisation referential): the
//! eight dbo_* / HDH_* tables, from xlsx, xls, ods or CSV. Codes that Excel
//! turned into numbers get their fixed width back (code substance 5 digits,
//! CIS 8, CIP13 13); ORDEI's rules drop names beginning "(NE PAS UTILISER)"
//! and history rows named "INCONNU (LIBRA)" or created before 2000-01-01.

use chrono::NaiveDate;

use super::columns::{ColumnSpec, opt, req};
use super::convert::{Outcome, RowContext};
use super::values::{DateProblem, fold_upper, parse_date, restore_code};
use crate::model::{Kind, Value};

/// `dbo_VU` columns.
pub const VU_COLUMNS: &[ColumnSpec] = &[
    req("codeVU"),
    req("codeCIS"),
    req("codeProduit"),
    req("nomVU"),
];
/// `dbo_Produit` columns.
pub const PRODUIT_COLUMNS: &[ColumnSpec] = &[req("codeProduit"), req("nomProduit")];
/// `HDH_Produit-Histo` columns.
pub const PRODUIT_HISTO_COLUMNS: &[ColumnSpec] = &[
    opt("Anc_codeProduit"),
    req("Anc_nomProduit"),
    req("codeProduit"),
    opt("nomProduit"),
];
/// `dbo_Presentations` columns.
pub const PRESENTATION_COLUMNS: &[ColumnSpec] = &[
    req("codeVU"),
    opt("numPresentation"),
    opt("nomPresentation"),
    req("codeCIP13"),
    opt("codeCIP"),
];
/// `dbo_Composants` columns.
pub const COMPOSANT_COLUMNS: &[ColumnSpec] = &[
    req("codeVU"),
    req("codeSubstance"),
    opt("codeNomSubstance"),
    req("codeNature"),
];
/// `dbo_NomsSubstance` columns.
pub const NOMS_SUBSTANCE_COLUMNS: &[ColumnSpec] = &[
    req("codeNomSubstance"),
    req("codeSubstance"),
    req("nomSubstance"),
];
/// `dbo_HistoNomsVU` columns.
pub const HISTO_NOMS_VU_COLUMNS: &[ColumnSpec] = &[
    req("codeVU"),
    req("nomAncienVU"),
    req("dateCreation"),
    opt("codeProduit"),
];
/// `dbo_VUClassesATC` columns.
pub const VU_ATC_COLUMNS: &[ColumnSpec] = &[req("codeVU"), req("codeClasATC")];

/// Width of a substance code.
pub const SUBSTANCE_CODE_WIDTH: usize = 5;
/// Width of a CIS.
pub const CIS_WIDTH: usize = 8;
/// Width of a CIP13.
pub const CIP13_WIDTH: usize = 13;
/// Width of a CIP7.
pub const CIP7_WIDTH: usize = 7;

/// History rows created before this date are dropped (ORDEI).
pub fn history_cutoff() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2000, 1, 1)
}

/// Whether a name is marked as not to be used.
pub fn is_do_not_use(name: &str) -> bool {
    fold_upper(name).starts_with("(NE PAS UTILISER)")
}

/// Whether a history name is the LIBRA placeholder.
pub fn is_libra_unknown(name: &str) -> bool {
    fold_upper(name) == "INCONNU (LIBRA)"
}

/// A code column restored to its width; a value that is not such a code is
/// kept as found with a warning (the referential may carry legacy codes).
fn code(ctx: &mut RowContext<'_>, i: usize, width: usize) -> Value {
    let raw = ctx.get(i).to_string();
    if raw.is_empty() {
        return Value::Null;
    }
    match restore_code(&raw, width) {
        Some(c) => Value::Text(c),
        None => {
            let msg = format!("\"{raw}\" is not a code of at most {width} digits: kept as is");
            ctx.warn(i, msg);
            Value::Text(raw)
        }
    }
}

/// A code without fixed width (codeVU, codeProduit...): whole numbers as
/// integers, text as is.
fn plain_code(ctx: &RowContext<'_>, i: usize) -> Value {
    Value::text_or_null(ctx.get(i))
}

/// Converts one CODEX row of `kind`.
pub fn convert(kind: Kind, ctx: &mut RowContext<'_>) -> Outcome {
    let required_empty = ctx
        .columns
        .required()
        .iter()
        .copied()
        .find(|i| ctx.get(*i).is_empty());
    if let Some(i) = required_empty {
        return Outcome::Reject(format!("{} is empty", ctx.columns.name(i)));
    }
    let values = match kind {
        Kind::CodexVu => vec![
            plain_code(ctx, 0),
            code(ctx, 1, CIS_WIDTH),
            plain_code(ctx, 2),
            Value::text_or_null(ctx.get(3)),
        ],
        Kind::CodexProduit => {
            if is_do_not_use(ctx.get(1)) {
                return Outcome::Drop(format!(
                    "\"{}\": name marked not to be used (ORDEI rule)",
                    ctx.get(1)
                ));
            }
            vec![plain_code(ctx, 0), Value::text_or_null(ctx.get(1))]
        }
        Kind::CodexProduitHisto => {
            if is_libra_unknown(ctx.get(1)) {
                return Outcome::Drop("old name \"INCONNU (LIBRA)\" (ORDEI rule)".to_string());
            }
            vec![
                plain_code(ctx, 0),
                Value::text_or_null(ctx.get(1)),
                plain_code(ctx, 2),
                Value::text_or_null(ctx.get(3)),
            ]
        }
        Kind::CodexPresentations => vec![
            plain_code(ctx, 0),
            plain_code(ctx, 1),
            Value::text_or_null(ctx.get(2)),
            code(ctx, 3, CIP13_WIDTH),
            code(ctx, 4, CIP7_WIDTH),
        ],
        Kind::CodexComposants => vec![
            plain_code(ctx, 0),
            code(ctx, 1, SUBSTANCE_CODE_WIDTH),
            plain_code(ctx, 2),
            plain_code(ctx, 3),
        ],
        Kind::CodexNomsSubstance => {
            if is_do_not_use(ctx.get(2)) {
                return Outcome::Drop(format!(
                    "\"{}\": name marked not to be used (ORDEI rule)",
                    ctx.get(2)
                ));
            }
            vec![
                plain_code(ctx, 0),
                code(ctx, 1, SUBSTANCE_CODE_WIDTH),
                Value::text_or_null(ctx.get(2)),
            ]
        }
        Kind::CodexHistoNomsVu => {
            if is_libra_unknown(ctx.get(1)) {
                return Outcome::Drop("old name \"INCONNU (LIBRA)\" (ORDEI rule)".to_string());
            }
            let created = match parse_date(ctx.get(2)) {
                Ok(d) => d,
                Err(DateProblem::Implausible(d)) => {
                    ctx.warn(2, format!("impossible date {d}: left empty"));
                    None
                }
                Err(DateProblem::Unreadable) => {
                    let msg = format!("\"{}\" is not a date: left empty", ctx.get(2));
                    ctx.warn(2, msg);
                    None
                }
            };
            if let (Some(d), Some(cutoff)) = (created, history_cutoff())
                && d < cutoff
            {
                return Outcome::Drop(format!(
                    "former name created on {d}, before 2000-01-01 (ORDEI rule)"
                ));
            }
            vec![
                plain_code(ctx, 0),
                Value::text_or_null(ctx.get(1)),
                Value::from(created.map(|d| d.format("%Y-%m-%d").to_string())),
                plain_code(ctx, 3),
            ]
        }
        Kind::CodexVuAtc => vec![plain_code(ctx, 0), Value::text_or_null(ctx.get(1))],
        _ => return Outcome::Reject(format!("{kind} is not a CODEX table")),
    };
    Outcome::Keep(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_markers() {
        assert!(is_do_not_use("(NE PAS UTILISER) PARACETAMOL"));
        assert!(is_do_not_use("(ne pas utiliser)X"));
        assert!(!is_do_not_use("PARACETAMOL"));
        assert!(is_libra_unknown("INCONNU (LIBRA)"));
        assert!(is_libra_unknown(" inconnu (libra) "));
    }
}
