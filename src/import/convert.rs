//! The interface between the shared import loop and each source's rules:
//! a converter gets a [`RowContext`] (the row, its columns, a way to warn or
//! fail at a cell) and says what to do with the row ([`Outcome`]).

use super::columns::{Columns, cell_place};
use super::table::{Row, Table};
use crate::error::{Error, Place};
use crate::model::Value;

/// What a converter made of a row.
#[derive(Debug)]
pub enum Outcome {
    /// Store these values.
    Keep(Vec<Value>),
    /// Store the values the converter added to the row batch.
    Stored,
    /// Keep the row out: malformed (counts toward the refusal threshold).
    Reject(String),
    /// Leave the row out by an agency rule.
    Drop(String),
    /// The workspace already holds the row (same case version, same
    /// values, from an earlier extract): not stored or counted again, and
    /// its warnings, recorded with the stored row, not repeated. A note,
    /// when there is one, is recorded as the row's warning.
    Present(Option<String>),
}

/// A warning about one cell of a kept row.
#[derive(Debug, Clone)]
pub struct CellWarning {
    /// Expected column index.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Per-row context handed to a converter.
pub struct RowContext<'a> {
    /// The table being read.
    pub table: &'a Table,
    /// Resolved columns.
    pub columns: &'a Columns,
    /// The row.
    pub row: &'a Row,
    /// Warnings the converter raises on kept values.
    pub warnings: Vec<CellWarning>,
}

impl<'a> RowContext<'a> {
    /// Value of expected column `i`.
    pub fn get(&self, i: usize) -> &'a str {
        self.columns.value(self.row, i)
    }

    /// Adds a warning on column `i`.
    pub fn warn(&mut self, i: usize, message: impl Into<String>) {
        self.warnings.push(CellWarning {
            column: i,
            message: message.into(),
        });
    }

    /// An error at column `i` of this row, for values that refuse the file.
    pub fn fatal(&self, i: usize, message: impl Into<String>) -> Error {
        Error::data(self.place(i), message)
    }

    /// The place of column `i` of this row.
    pub fn place(&self, i: usize) -> Place {
        cell_place(&self.table.cell_places(), self.columns, self.row.line, i)
    }
}
