//! Open Medic yearly files `NB_<year>_cip13_age_sexe` (CNAM): patients
//! (`nbc`), reimbursements and boxes per CIP13, age class and sex. The year
//! comes from the file name.

use super::columns::{ColumnSpec, opt, req};
use super::convert::{Outcome, RowContext};
use super::values::{parse_decimal, restore_code};
use crate::error::Result;
use crate::model::Value;

/// Columns of an Open Medic file.
pub const COLUMNS: &[ColumnSpec] = &[
    req("CIP13"),
    opt("l_cip13"),
    req("AGE"),
    req("sexe"),
    req("nbc"),
    opt("REM"),
    opt("BSE"),
    opt("BOITES"),
];

/// The year in a file name such as `NB_2019_cip13_age_sexe.CSV`.
pub fn year_from_file_name(name: &str) -> Option<i64> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter(|part| part.len() == 4)
        .filter_map(|part| part.parse::<i64>().ok())
        .find(|y| (1990..=2100).contains(y))
}

/// Converts Open Medic rows.
#[derive(Default)]
pub struct OpenMedicConverter {
    year: Option<i64>,
}

impl OpenMedicConverter {
    /// Converts one row.
    pub fn convert(&mut self, ctx: &mut RowContext<'_>) -> Result<Outcome> {
        let year = match self.year {
            Some(y) => y,
            None => {
                let name = ctx.table.place.file.rsplit('/').next().unwrap_or("");
                let y = year_from_file_name(name).ok_or_else(|| {
                    crate::error::Error::data(
                        ctx.table.place.clone(),
                        "the year is not in the file name (NB_<year>_cip13_age_sexe expected)",
                    )
                })?;
                self.year = Some(y);
                y
            }
        };
        let Some(cip13) = restore_code(ctx.get(0), 13) else {
            return Ok(Outcome::Reject(format!(
                "CIP13 \"{}\" is not 13 digits",
                ctx.get(0)
            )));
        };
        let int = |ctx: &RowContext<'_>, i| parse_decimal(ctx.get(i)).map(|f| f.round() as i64);
        let Some(nbc) = int(ctx, 4) else {
            return Ok(Outcome::Reject(format!(
                "nbc \"{}\" is not a number",
                ctx.get(4)
            )));
        };
        Ok(Outcome::Keep(vec![
            Value::Int(year),
            Value::Text(cip13),
            Value::text_or_null(ctx.get(1)),
            Value::from(int(ctx, 2)),
            Value::from(int(ctx, 3)),
            Value::Int(nbc),
            Value::from(parse_decimal(ctx.get(5))),
            Value::from(parse_decimal(ctx.get(6))),
            Value::from(int(ctx, 7)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_in_name() {
        assert_eq!(
            year_from_file_name("NB_2019_cip13_age_sexe.CSV"),
            Some(2019)
        );
        assert_eq!(year_from_file_name("open_medic.csv"), None);
    }
}
