//! The rows an import's reading thread prepares for the writer: values
//! borrowed from one text buffer, with the case keys, drug names and issues
//! they bring.

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::Severity;
use crate::model::{Level, Value};

/// One value of a row in a [`RowBatch`]: text is a range of the batch's
/// buffer, so building a row allocates nothing.
#[derive(Debug, Clone, Copy)]
pub enum Cell {
    /// No value.
    Null,
    /// An integer.
    Int(i64),
    /// A decimal number.
    Real(f64),
    /// Text at `start..end` of the batch's buffer.
    Text(u32, u32),
    /// Text known at compile time (labels, classes).
    Static(&'static str),
}

/// An issue to store, by line and column.
#[derive(Debug, Clone)]
pub(super) struct PendingIssue {
    pub(super) severity: Severity,
    pub(super) line: Option<u64>,
    pub(super) column: Option<&'static str>,
    pub(super) message: String,
}

/// Rows of one kind ready to be stored (values in the order of
/// [`table_columns`]), with the case keys, drug names and issues they
/// bring. Built by the reading thread, written by [`ImportWriter::write_batch`],
/// then cleared and sent back to be filled again.
#[derive(Debug, Default)]
pub struct RowBatch {
    pub(super) text: String,
    pub(super) cells: Vec<Cell>,
    pub(super) lines: Vec<u64>,
    /// Cells of the row being built start here.
    row_start: usize,
    text_start: usize,
    pub(super) new_cases: Vec<(i64, [Cell; 3])>,
    pub(super) new_names: Vec<(i64, Level, Cell, Cell)>,
    pub(super) issues: Vec<PendingIssue>,
}

impl RowBatch {
    /// Rows complete in the batch.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Issues in the batch.
    pub fn issues(&self) -> usize {
        self.issues.len()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.lines.clear();
        self.row_start = 0;
        self.text_start = 0;
        self.new_cases.clear();
        self.new_names.clear();
        self.issues.clear();
    }

    fn text_cell(&mut self, s: &str) -> Cell {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Cell::Text(start, self.text.len() as u32)
    }

    /// Adds a text value to the row being built: `Null` when empty after
    /// trimming (as [`Value::text_or_null`]).
    pub fn text(&mut self, s: &str) {
        let t = s.trim();
        let cell = if t.is_empty() {
            Cell::Null
        } else {
            self.text_cell(t)
        };
        self.cells.push(cell);
    }

    /// Adds a value to the row being built.
    pub fn cell(&mut self, cell: Cell) {
        self.cells.push(cell);
    }

    /// Adds an integer, or `Null`.
    pub fn int(&mut self, v: Option<i64>) {
        self.cells.push(v.map_or(Cell::Null, Cell::Int));
    }

    /// Adds a flag as 0 or 1.
    pub fn flag(&mut self, v: bool) {
        self.cells.push(Cell::Int(i64::from(v)));
    }

    /// Adds a date as `YYYY-MM-DD` (the form the derived columns hold).
    pub fn date(&mut self, d: chrono::NaiveDate) {
        use chrono::Datelike;
        let start = self.text.len() as u32;
        let (y, m, day) = (d.year(), d.month(), d.day());
        if (0..=9999).contains(&y) {
            let y = y as u32;
            for digit in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
                self.text.push(char::from(b'0' + digit as u8));
            }
            for part in [m, day] {
                self.text.push('-');
                self.text.push(char::from(b'0' + (part / 10) as u8));
                self.text.push(char::from(b'0' + (part % 10) as u8));
            }
        } else {
            self.text.push_str(&d.format("%Y-%m-%d").to_string());
        }
        self.cells.push(Cell::Text(start, self.text.len() as u32));
    }

    /// Adds an owned value (the converters that build [`Value`] rows).
    pub fn value(&mut self, v: &Value) {
        let cell = match v {
            Value::Null => Cell::Null,
            Value::Int(i) => Cell::Int(*i),
            Value::Real(f) => Cell::Real(*f),
            Value::Text(s) => self.text_cell(s),
        };
        self.cells.push(cell);
    }

    /// Ends the row being built, read at `line`.
    pub fn end_row(&mut self, line: u64) {
        self.lines.push(line);
        self.row_start = self.cells.len();
        self.text_start = self.text.len();
    }

    /// Cells of the row being built so far.
    pub fn row_width(&self) -> usize {
        self.cells.len() - self.row_start
    }

    /// Forgets the row being built.
    pub fn discard_row(&mut self) {
        self.cells.truncate(self.row_start);
        self.text.truncate(self.text_start);
    }

    /// Records a case key that [`KeyCache::case_id`] created.
    pub fn new_case(&mut self, id: i64, aer_id: &str, cas: &str, ver: &str) {
        let key = [
            self.text_cell(aer_id),
            self.text_cell(cas),
            self.text_cell(ver),
        ];
        self.new_cases.push((id, key));
        self.text_start = self.text.len();
    }

    /// Records a drug name that [`KeyCache::name_id`] created.
    pub fn new_name(&mut self, id: i64, name: &str, level: Level, normalized: &str) {
        let name = self.text_cell(name);
        let normalized = self.text_cell(normalized);
        self.new_names.push((id, level, name, normalized));
        self.text_start = self.text.len();
    }

    /// Records an issue to store with the rows.
    pub fn issue(
        &mut self,
        severity: Severity,
        line: Option<u64>,
        column: Option<&'static str>,
        message: String,
    ) {
        self.issues.push(PendingIssue {
            severity,
            line,
            column,
            message,
        });
    }

    pub(super) fn value_ref(&self, cell: Cell) -> ToSqlOutput<'_> {
        ToSqlOutput::Borrowed(match cell {
            Cell::Null => ValueRef::Null,
            Cell::Int(i) => ValueRef::Integer(i),
            Cell::Real(f) => ValueRef::Real(f),
            Cell::Text(start, end) => {
                ValueRef::Text(&self.text.as_bytes()[start as usize..end as usize])
            }
            Cell::Static(s) => ValueRef::Text(s.as_bytes()),
        })
    }
}
