//! One way to read every tabular source: a CSV or text file (any encoding,
//! any of the usual separators) or a spreadsheet sheet (xlsx, xls, ods)
//! becomes a [`Table`] of text rows with their line numbers, so the
//! importers are written once. Spreadsheet cells are turned into the text an
//! export would have held: whole numbers without decimals, dates as ISO
//! dates; error and formula cells are refused with their cell reference.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use super::text::{TextFile, detect_separator, read_text_file};
use crate::error::{Error, Place, Result};

/// How to read a text file.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// The first line names the columns.
    pub has_header: bool,
    /// Field separator; detected from the first line when `None`.
    pub separator: Option<u8>,
    /// Whether `"` quotes fields (BDPM files use no quoting, and may
    /// contain stray quotes inside names).
    pub quoting: bool,
}

/// One data row and where it was.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Line number (text) or row number (spreadsheet), 1-based.
    pub line: u64,
    /// The fields, as text (a reused record: no allocation per field).
    pub fields: csv::StringRecord,
}

enum RowSource {
    Text(Box<csv::Reader<Cursor<Vec<u8>>>>),
    Sheet(std::vec::IntoIter<Row>),
}

/// A table being read.
pub struct Table {
    /// The file (and sheet) it comes from.
    pub place: Place,
    /// Column names as found (empty for headerless files).
    pub headers: Vec<String>,
    /// Line of the header row.
    pub header_line: u64,
    /// Detected encoding (`xlsx` etc. for spreadsheets).
    pub encoding: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Size of the file, for progress.
    pub size_bytes: u64,
    /// Whether cells are spreadsheet cells (for cell references).
    pub is_sheet: bool,
    /// Lines holding bytes that are not UTF-8 in a file read as UTF-8
    /// (each invalid sequence read as U+FFFD).
    pub invalid_lines: Vec<u64>,
    /// First spreadsheet column index (0 = A), for cell references.
    first_col: usize,
    source: RowSource,
    record: csv::StringRecord,
    /// Line counting state: csv's own line numbers are off by one after a
    /// CRLF, so lines are counted from byte offsets here.
    counted_offset: usize,
    counted_line: u64,
}

/// Whether a path looks like a spreadsheet by its extension.
pub fn is_spreadsheet(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
    )
}

impl Table {
    /// Opens a file: spreadsheets by extension, text otherwise.
    /// `sheet_hint` picks a sheet by name when present (else the first).
    pub fn open(path: &Path, options: TextOptions, sheet_hint: Option<&str>) -> Result<Table> {
        if is_spreadsheet(path) {
            Table::open_sheet(path, sheet_hint)
        } else {
            Table::open_text(path, options)
        }
    }

    /// Opens a text file.
    pub fn open_text(path: &Path, options: TextOptions) -> Result<Table> {
        let place = Place::file(path);
        let TextFile {
            decoded,
            sha256,
            size_bytes,
        } = read_text_file(path)?;
        if decoded.text.trim().is_empty() {
            return Err(Error::data(place.at_line(1), "the file is empty"));
        }
        let separator = options
            .separator
            .unwrap_or_else(|| detect_separator(&decoded.text));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .quoting(options.quoting)
            .from_reader(Cursor::new(decoded.text.into_bytes()));
        let mut table = Table {
            place,
            headers: Vec::new(),
            header_line: 0,
            encoding: decoded.encoding.to_string(),
            sha256,
            size_bytes,
            is_sheet: false,
            invalid_lines: decoded.invalid_lines,
            first_col: 0,
            source: RowSource::Text(Box::new(csv::Reader::from_reader(Cursor::new(Vec::new())))),
            record: csv::StringRecord::new(),
            counted_offset: 0,
            counted_line: 1,
        };
        if options.has_header {
            let mut header = csv::StringRecord::new();
            let found = reader
                .read_record(&mut header)
                .map_err(|e| csv_error(&table.place, &e))?;
            if !found {
                return Err(Error::data(table.place.at_line(1), "the file is empty"));
            }
            let start = header.position().map_or(0, |p| p.byte() as usize);
            table.header_line = count_line(
                reader.get_ref().get_ref(),
                start,
                &mut table.counted_offset,
                &mut table.counted_line,
            );
            table.headers = header.iter().map(|h| h.trim().to_string()).collect();
        }
        table.source = RowSource::Text(Box::new(reader));
        Ok(table)
    }

    /// Opens a sheet of a workbook.
    pub fn open_sheet(path: &Path, sheet_hint: Option<&str>) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let sha256 = crate::files::sha256_hex(&bytes);
        let size_bytes = bytes.len() as u64;
        let mut place = Place::file(path);
        let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            Error::data(
                place.clone(),
                format!("cannot be read as a spreadsheet ({e}); is it a real xlsx/xls/ods file, complete and not damaged?"),
            )
        })?;
        let names = workbook.sheet_names();
        let fold = |s: &str| crate::normalize::fold_name(s);
        let sheet = sheet_hint
            .and_then(|hint| names.iter().find(|n| fold(n) == fold(hint)))
            .or_else(|| names.first())
            .cloned()
            .ok_or_else(|| Error::data(place.clone(), "the workbook has no sheet"))?;
        place.sheet = Some(sheet.clone());
        let range = workbook
            .worksheet_range(&sheet)
            .map_err(|e| Error::data(place.clone(), format!("cannot read the sheet: {e}")))?;
        // A formula's cached value may be stale or absent: codes and names
        // must be exported as values.
        if let Ok(formulas) = workbook.worksheet_formula(&sheet) {
            let (row0, col0) = formulas.start().unwrap_or((0, 0));
            for (r, row) in formulas.rows().enumerate() {
                for (c, f) in row.iter().enumerate() {
                    if !f.trim().is_empty() {
                        let cell = cell_ref(col0 as usize + c, u64::from(row0) + r as u64 + 1);
                        return Err(Error::data(
                            Place {
                                line: Some(u64::from(row0) + r as u64 + 1),
                                column: Some(cell),
                                ..place.clone()
                            },
                            format!(
                                "the cell holds a formula (={f}); export the table as values, not formulas"
                            ),
                        ));
                    }
                }
            }
        }
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::with_capacity(range.height());
        for (r, cells) in range.rows().enumerate() {
            let line = u64::from(row0) + r as u64 + 1;
            let mut fields = Vec::with_capacity(cells.len());
            for (c, cell) in cells.iter().enumerate() {
                fields.push(cell_text(cell).map_err(|msg| {
                    Error::data(
                        Place {
                            line: Some(line),
                            column: Some(cell_ref(col0 as usize + c, line)),
                            ..place.clone()
                        },
                        msg,
                    )
                })?);
            }
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push(Row {
                line,
                fields: csv::StringRecord::from(fields),
            });
        }
        let mut iter = rows.into_iter();
        let header = iter
            .next()
            .ok_or_else(|| Error::data(place.at_line(1), "the sheet is empty"))?;
        Ok(Table {
            place,
            headers: header.fields.iter().map(|h| h.trim().to_string()).collect(),
            header_line: header.line,
            encoding: "spreadsheet".to_string(),
            sha256,
            size_bytes,
            is_sheet: true,
            invalid_lines: Vec::new(),
            first_col: col0 as usize,
            source: RowSource::Sheet(iter),
            record: csv::StringRecord::new(),
            counted_offset: 0,
            counted_line: 1,
        })
    }

    /// Reads the next data row into `row`; `false` at the end.
    pub fn next_row(&mut self, row: &mut Row) -> Result<bool> {
        match &mut self.source {
            RowSource::Text(reader) => {
                let more = reader
                    .read_record(&mut self.record)
                    .map_err(|e| csv_error(&self.place, &e))?;
                if !more {
                    return Ok(false);
                }
                let start = self.record.position().map_or(0, |p| p.byte() as usize);
                row.line = count_line(
                    reader.get_ref().get_ref(),
                    start,
                    &mut self.counted_offset,
                    &mut self.counted_line,
                );
                std::mem::swap(&mut row.fields, &mut self.record);
                Ok(true)
            }
            RowSource::Sheet(iter) => match iter.next() {
                Some(next) => {
                    *row = next;
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    /// Bytes read so far (text files), for progress.
    pub fn position_bytes(&self) -> u64 {
        match &self.source {
            RowSource::Text(reader) => reader.position().byte(),
            RowSource::Sheet(_) => 0,
        }
    }

    /// The place of a cell: line and column name (with the cell reference
    /// for spreadsheets).
    pub fn cell_place(&self, line: u64, column_index: usize, column_name: &str) -> Place {
        self.cell_places().cell(line, column_index, column_name)
    }

    /// What naming a cell takes, apart from the table (for the thread that
    /// writes rows while another reads them).
    pub fn cell_places(&self) -> CellPlaces {
        CellPlaces {
            place: self.place.clone(),
            is_sheet: self.is_sheet,
            first_col: self.first_col,
        }
    }
}

/// Names the cells of a table: see [`Table::cell_places`].
#[derive(Debug, Clone)]
pub struct CellPlaces {
    place: Place,
    is_sheet: bool,
    first_col: usize,
}

impl CellPlaces {
    /// The place of a line.
    pub fn line(&self, line: u64) -> Place {
        self.place.at_line(line)
    }

    /// The place of a cell: line and column name (with the cell reference
    /// for spreadsheets).
    pub fn cell(&self, line: u64, column_index: usize, column_name: &str) -> Place {
        let column = if self.is_sheet {
            format!(
                "{} ({column_name})",
                cell_ref(self.first_col + column_index, line)
            )
        } else {
            column_name.to_string()
        };
        Place {
            line: Some(line),
            column: Some(column),
            ..self.place.clone()
        }
    }
}

/// The 1-based line of the record starting at byte `start`, counted on from
/// the previous record (line ends before the first character are skipped).
fn count_line(bytes: &[u8], start: usize, offset: &mut usize, line: &mut u64) -> u64 {
    let mut s = start.min(bytes.len());
    while s < bytes.len() && (bytes[s] == b'\r' || bytes[s] == b'\n') {
        s += 1;
    }
    if s >= *offset {
        *line += bytes[*offset..s].iter().filter(|&&b| b == b'\n').count() as u64;
        *offset = s;
    }
    *line
}

/// The text a cell stands for, or why it cannot be used.
fn cell_text(cell: &Data) -> std::result::Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) if d.time() == chrono::NaiveTime::MIN => d.format("%Y-%m-%d").to_string(),
            Some(d) => d.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => float_text(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("the cell holds the Excel error value {e}")),
    })
}

/// Whole numbers as integers ("2202", not "2202.0").
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A spreadsheet cell reference such as `B5`.
pub fn cell_ref(col: usize, row: u64) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", letters.into_iter().collect::<String>())
}

fn csv_error(place: &Place, e: &csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    Error::data(
        Place {
            line,
            ..place.clone()
        },
        format!("cannot read the file as CSV: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_refs() {
        assert_eq!(cell_ref(0, 1), "A1");
        assert_eq!(cell_ref(1, 5), "B5");
        assert_eq!(cell_ref(25, 2), "Z2");
        assert_eq!(cell_ref(26, 2), "AA2");
    }

    #[test]
    fn floats_become_codes() {
        assert_eq!(float_text(2202.0), "2202");
        assert_eq!(float_text(2.5), "2.5");
    }

    #[test]
    fn text_rows_keep_line_numbers_and_quotes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(
            &path,
            b"A;B\r\n1;\"x;y\"\r\n\r\n2;\"multi\r\nline\"\r\n3;z\r\n",
        )
        .unwrap();
        let options = TextOptions {
            has_header: true,
            separator: None,
            quoting: true,
        };
        let mut table = Table::open(&path, options, None).unwrap();
        assert_eq!(table.headers, vec!["A", "B"]);
        let mut row = Row::default();
        let mut seen = Vec::new();
        while table.next_row(&mut row).unwrap() {
            seen.push((
                row.line,
                row.fields.iter().map(str::to_string).collect::<Vec<_>>(),
            ));
        }
        assert_eq!(seen[0], (2, vec!["1".to_string(), "x;y".to_string()]));
        assert_eq!(seen[1].0, 4);
        assert_eq!(seen[2], (6, vec!["3".to_string(), "z".to_string()]));
    }
}
