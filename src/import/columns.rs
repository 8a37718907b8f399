//! What each kind of file must hold: the expected columns in the order the
//! converters read them, how the text is read ([`KindSpec`]), and the
//! resolution of expected columns to positions in a file, with the user's
//! mapping of renamed columns taking precedence ([`Columns`]).

use super::table::{CellPlaces, Row, Table, TextOptions};
use crate::error::{Error, MissingColumns, Place, Result};
use crate::model::Kind;
use crate::normalize::fold_name;

/// An expected column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Name as in the agency's extracts.
    pub name: &'static str,
    /// Whether the import cannot go without it: every column an indicator
    /// or a cleaning rule reads is, unless the agency's extracts may really
    /// omit it ([`ColumnSpec::left_unknown`]).
    pub required: bool,
    /// For a column the extracts may omit but a figure reads: what its
    /// absence leaves unknown, said in a warning on the file.
    pub left_unknown: Option<LeftUnknown>,
}

/// Figures left unknown when a file lacks a column the agency's extracts
/// may omit. A file without it is imported with a warning naming them,
/// never with a silent default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeftUnknown {
    /// No `DATE_NAISS`: cases whose AGE is empty have an unknown age (in
    /// the "inconnu" age class) instead of one computed from the birth
    /// date. Birth dates are identifying: extracts made for sharing may
    /// leave them out.
    AgeFromBirthDate,
}

impl LeftUnknown {
    /// Every variant, for the window's wording test.
    pub const ALL: [LeftUnknown; 1] = [LeftUnknown::AgeFromBirthDate];

    /// What is left unknown, in English (the CLI and the stored issue).
    pub fn describe(self) -> &'static str {
        match self {
            LeftUnknown::AgeFromBirthDate => {
                "the age of cases without AGE is left unknown (not computed from the birth date)"
            }
        }
    }
}

/// A column the file lacks that the import went without, and what that
/// leaves unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbsentColumn {
    /// The expected column.
    pub column: &'static str,
    /// The figures it leaves unknown.
    pub left_unknown: LeftUnknown,
}

pub(super) const fn req(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: true,
        left_unknown: None,
    }
}

/// A column no figure reads: kept when present, stored empty when absent.
pub(super) const fn opt(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: false,
        left_unknown: None,
    }
}

/// A column a figure reads that the agency's extracts may omit: its
/// absence is warned about with what it leaves unknown.
pub(super) const fn warned(name: &'static str, left_unknown: LeftUnknown) -> ColumnSpec {
    ColumnSpec {
        name,
        required: false,
        left_unknown: Some(left_unknown),
    }
}

/// How a kind of file is read.
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// Expected columns, in the order the converter reads them.
    pub columns: &'static [ColumnSpec],
    /// Text reading options.
    pub text: TextOptions,
    /// For headerless files: the accepted numbers of fields
    /// (a trailing empty field is always tolerated on top).
    pub field_counts: Option<(usize, usize)>,
}

/// Expected columns resolved to positions in the file.
#[derive(Debug, Clone)]
pub struct Columns {
    positions: Vec<Option<usize>>,
    names: Vec<&'static str>,
    required: Vec<usize>,
    absent: Vec<AbsentColumn>,
}

impl Columns {
    /// Resolves `spec` against the headers found, with (expected, found)
    /// mapping pairs taking precedence. A missing required column is an
    /// error listing what was found, what is missing, and how to map it.
    pub fn resolve(
        kind: Kind,
        spec: &KindSpec,
        table: &Table,
        mapping: &[(String, String)],
    ) -> Result<Columns> {
        let names: Vec<&'static str> = spec.columns.iter().map(|c| c.name).collect();
        let required = (0..names.len())
            .filter(|i| spec.columns[*i].required)
            .collect();
        if !spec.text.has_header {
            return Ok(Columns {
                positions: (0..names.len()).map(Some).collect(),
                names,
                required,
                absent: Vec::new(),
            });
        }
        let folded: Vec<String> = table.headers.iter().map(|h| fold_name(h)).collect();
        let mut positions = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        let mut absent = Vec::new();
        for column in spec.columns {
            let mapped = mapping
                .iter()
                .find(|(expected, _)| fold_name(expected) == fold_name(column.name))
                .map(|(_, found)| fold_name(found));
            let wanted = mapped.unwrap_or_else(|| fold_name(column.name));
            let position = folded.iter().position(|h| *h == wanted);
            if position.is_none() {
                if column.required {
                    missing.push(column.name);
                } else if let Some(left_unknown) = column.left_unknown {
                    absent.push(AbsentColumn {
                        column: column.name,
                        left_unknown,
                    });
                }
            }
            positions.push(position);
        }
        if !missing.is_empty() {
            let found = table
                .headers
                .iter()
                .filter(|h| !h.is_empty())
                .cloned()
                .collect::<Vec<_>>();
            return Err(Error::MissingColumns(Box::new(MissingColumns {
                place: table.place.at_line(table.header_line.max(1)),
                kind,
                missing,
                found,
            })));
        }
        Ok(Columns {
            positions,
            names,
            required,
            absent,
        })
    }

    /// Columns the file lacks that the import goes without, with what each
    /// leaves unknown.
    pub fn absent(&self) -> &[AbsentColumn] {
        &self.absent
    }

    /// Indices of the required columns.
    pub fn required(&self) -> &[usize] {
        &self.required
    }

    /// The value of expected column `i` in a row ("" when absent).
    pub fn value<'r>(&self, row: &'r Row, i: usize) -> &'r str {
        self.positions
            .get(i)
            .copied()
            .flatten()
            .and_then(|p| row.fields.get(p))
            .map_or("", |s| s.trim())
    }

    /// Whether expected column `i` exists in the file.
    pub fn has(&self, i: usize) -> bool {
        self.positions.get(i).copied().flatten().is_some()
    }

    /// The expected name of column `i`.
    pub fn name(&self, i: usize) -> &'static str {
        self.names.get(i).copied().unwrap_or("?")
    }

    /// The file position of expected column `i`.
    pub fn position(&self, i: usize) -> Option<usize> {
        self.positions.get(i).copied().flatten()
    }
}

/// The place of expected column `i` at `line`.
pub(super) fn cell_place(places: &CellPlaces, columns: &Columns, line: u64, i: usize) -> Place {
    let name = columns.name(i);
    match columns.position(i) {
        Some(p) => places.cell(line, p, name),
        None => places.line(line).at_column(name),
    }
}
