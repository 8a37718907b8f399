//! Writing datasets out of the workspace: the tables for people
//! ([`tables`]: transcoding table, ranked candidates, audit log, review
//! queue, as a workbook or CSV in Excel's dialect, [`sheet`]) and the
//! portal's datasets ([`portal`]). Files are written to a temporary name and renamed into place, so that a
//! failed export never leaves half a file; CSV cells that a spreadsheet
//! would run as a formula are neutralised.
//!
//! Only decisions leave: [`PublicLinks`] says what a table may publish of a
//! name. Substance codes go out only for names linked automatically or
//! approved by a reviewer (an approval flagged for review again after a
//! referential update counts as pending); every other name carries its
//! status and no code, since a code beside it would read as a link nobody
//! made. Candidates stay in `export candidates`.

pub mod portal;
pub mod publication;
pub mod sheet;
pub mod tables;

pub use sheet::{CsvDialect, FileKind, SheetFormat};
pub use tables::{ExportKind, export_table};

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result};
pub use crate::files::AtomicFile;
use crate::model::linking::NameStatus;
use crate::review::DecisionKey;
use crate::store::Store;
use crate::store::matching::TranscodingRow;
use crate::store::review::DecisionStatus;

/// What a published table says of one name.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicLink {
    /// Its status.
    pub status: NameStatus,
    /// How it was linked or proposed ("flagged" for an approval to review
    /// again).
    pub method: String,
    /// Matching's score, or the chosen candidate's.
    pub score: f64,
    /// The substances it is linked to: empty unless linked.
    pub substance_codes: Vec<String>,
}

/// The method written for an approval flagged for review again.
pub const FLAGGED_METHOD: &str = "flagged";

/// Decides what the public tables say of each name: read once per export.
#[derive(Debug, Clone, Default)]
pub struct PublicLinks {
    /// Keys whose approval must be reviewed again ([`crate::review::flagged`]).
    flagged: HashSet<DecisionKey>,
}

impl PublicLinks {
    /// Reads the flagged approvals of the workspace.
    pub fn read(store: &Store) -> Result<PublicLinks> {
        Ok(PublicLinks {
            flagged: crate::review::flagged(store)?
                .into_iter()
                .map(|f| f.decision.key)
                .collect(),
        })
    }

    /// What may be published of `row`: its key's decision first, else
    /// matching's result; codes only when linked.
    pub fn link(&self, row: &TranscodingRow) -> PublicLink {
        let resolved = crate::review::resolution(row);
        let (status, method) = match &row.decision {
            Some(d) => match d.status {
                DecisionStatus::Approved if self.flagged.contains(&d.key) => {
                    (NameStatus::Pending, FLAGGED_METHOD.to_string())
                }
                DecisionStatus::Approved => (NameStatus::Approved, resolved.method),
                DecisionStatus::Rejected => (NameStatus::Rejected, resolved.method),
                DecisionStatus::Deferred => (NameStatus::Deferred, resolved.method),
            },
            None => (NameStatus::from(row.status), resolved.method),
        };
        PublicLink {
            status,
            method,
            score: resolved.score,
            substance_codes: if status.is_linked() {
                resolved.substance_codes
            } else {
                Vec::new()
            },
        }
    }
}

/// Prefixes a cell that a spreadsheet would read as a formula (`=`, `+`,
/// `-`, `@`, tab, carriage return) with an apostrophe.
pub fn csv_safe(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// Writes CSV rows (UTF-8, comma, LF, header first) to `path` atomically,
/// each cell neutralised: the portal's dialect, for its loader rather than
/// for Excel.
pub fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<u64> {
    let file = AtomicFile::create(path)?;
    let mut writer = csv::Writer::from_writer(file);
    let csv_err = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
    writer.write_record(header).map_err(csv_err)?;
    let mut n = 0;
    for row in rows {
        writer
            .write_record(row.iter().map(|v| csv_safe(v).into_owned()))
            .map_err(csv_err)?;
        n += 1;
    }
    let file = writer
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    file.commit()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("+33"), "'+33");
        assert_eq!(csv_safe("-1"), "'-1");
        assert_eq!(csv_safe("@SUM"), "'@SUM");
        assert_eq!(csv_safe("DOLIPRANE"), "DOLIPRANE");
    }
}
