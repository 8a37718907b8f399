//! Tables for people, written as an Excel workbook or as CSV. The agents
//! open the exports in a French Excel, which reads a CSV by the system's
//! list separator (`;`) and decimal comma, and takes a file without a BOM
//! for Windows-1252: the default CSV dialect is therefore Excel's in France
//! (UTF-8 with BOM, `;`, decimal comma, CRLF line ends); `rfc` keeps the
//! plain dialect scripts read (UTF-8 without BOM, `,`, decimal point, LF,
//! the same bytes as before the dialects existed). An `.xlsx` needs no
//! dialect: numbers are numbers, text is text, the header row is frozen and
//! filtered.
//!
//! A text cell that a spreadsheet would run as a formula is neutralised in
//! both formats the same way ([`super::csv_safe`]), so the two files of one
//! table hold the same text and a copy from one to the other stays inert.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use super::{AtomicFile, csv_safe};
use crate::error::{Error, Result};

/// One cell of a table for people.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (neutralised when written).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal number with this many decimals.
    Dec(f64, usize),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

/// A table for people: a worksheet title, a header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The worksheet's name in a workbook (at most 31 characters).
    pub title: &'static str,
    /// Column names.
    pub header: Vec<&'static str>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

/// The two CSV dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDialect {
    /// French Excel: UTF-8 with BOM, `;`, decimal comma, CRLF.
    #[default]
    Excel,
    /// RFC 4180 quoting, UTF-8 without BOM, `,`, decimal point, LF.
    Rfc,
}

impl CsvDialect {
    /// Parses the `--csv-dialect` value.
    pub fn parse(s: &str) -> Option<CsvDialect> {
        match s.trim().to_ascii_lowercase().as_str() {
            "excel" => Some(CsvDialect::Excel),
            "rfc" | "rfc4180" => Some(CsvDialect::Rfc),
            _ => None,
        }
    }
}

/// The file formats a user may ask for (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An Excel workbook.
    Xlsx,
    /// A CSV file.
    Csv,
}

impl FileKind {
    /// Parses the `--format` value.
    pub fn parse(s: &str) -> Option<FileKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            _ => None,
        }
    }

    /// The kind an output file's extension names, if it names one.
    pub fn of_path(path: &Path) -> Option<FileKind> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            _ => None,
        }
    }
}

/// How a table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// An Excel workbook of one worksheet.
    Xlsx,
    /// CSV in a dialect.
    Csv(CsvDialect),
}

impl SheetFormat {
    /// The format for `out`: the one asked for, else the one its extension
    /// names, else CSV. A format contradicting the extension is refused (a
    /// CSV never goes silently into a `.xlsx` name), as is a CSV dialect
    /// for a workbook.
    pub fn choose(
        asked: Option<FileKind>,
        dialect: Option<CsvDialect>,
        out: &Path,
    ) -> Result<SheetFormat> {
        let by_name = FileKind::of_path(out);
        let kind = match (asked, by_name) {
            (Some(a), Some(n)) if a != n => {
                return Err(Error::Usage(format!(
                    "--format {} contradicts the extension of {}: name the file .{} or drop --format",
                    a.as_str(),
                    out.display(),
                    a.as_str()
                )));
            }
            (Some(a), _) => a,
            (None, Some(n)) => n,
            (None, None) => FileKind::Csv,
        };
        match (kind, dialect) {
            (FileKind::Xlsx, Some(_)) => Err(Error::Usage(
                "--csv-dialect applies to CSV only; an .xlsx workbook has no dialect".into(),
            )),
            (FileKind::Xlsx, None) => Ok(SheetFormat::Xlsx),
            (FileKind::Csv, d) => Ok(SheetFormat::Csv(d.unwrap_or_default())),
        }
    }

    /// The format the window uses for a chosen file: a workbook for
    /// `.xlsx`, else CSV in the Excel dialect.
    pub fn for_path(out: &Path) -> SheetFormat {
        match FileKind::of_path(out) {
            Some(FileKind::Xlsx) => SheetFormat::Xlsx,
            _ => SheetFormat::Csv(CsvDialect::Excel),
        }
    }
}

impl FileKind {
    /// Stable identifier, as `--format` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Xlsx => "xlsx",
            FileKind::Csv => "csv",
        }
    }
}

/// Writes `sheet` to `path` atomically in `format`; returns its data rows.
pub fn write_sheet(path: &Path, format: SheetFormat, sheet: &Sheet) -> Result<u64> {
    match format {
        SheetFormat::Csv(dialect) => write_csv_dialect(path, dialect, sheet),
        SheetFormat::Xlsx => write_xlsx(path, sheet),
    }
    .map(|()| sheet.rows.len() as u64)
}

/// A cell as CSV text in `dialect`.
fn csv_text(cell: &Cell, dialect: CsvDialect) -> String {
    match cell {
        Cell::Text(s) => csv_safe(s).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Dec(v, decimals) => {
            let text = format!("{v:.decimals$}");
            match dialect {
                CsvDialect::Excel => text.replace('.', ","),
                CsvDialect::Rfc => text,
            }
        }
    }
}

fn write_csv_dialect(path: &Path, dialect: CsvDialect, sheet: &Sheet) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    let mut builder = csv::WriterBuilder::new();
    if dialect == CsvDialect::Excel {
        // Without the BOM, Excel reads UTF-8 as Windows-1252.
        file.write_all("\u{feff}".as_bytes())
            .map_err(|e| Error::io(path, e))?;
        builder.delimiter(b';').terminator(csv::Terminator::CRLF);
    }
    let mut writer = builder.from_writer(file);
    let csv_err = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
    writer.write_record(&sheet.header).map_err(csv_err)?;
    for row in &sheet.rows {
        writer
            .write_record(row.iter().map(|c| csv_text(c, dialect)))
            .map_err(csv_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?
        .commit()
}

/// Excel's last row (header included).
const XLSX_MAX_ROWS: usize = 1_048_576;

fn write_xlsx(path: &Path, sheet: &Sheet) -> Result<()> {
    if sheet.rows.len() >= XLSX_MAX_ROWS {
        return Err(Error::Usage(format!(
            "{} rows do not fit in one Excel worksheet ({} at most): export as CSV",
            sheet.rows.len(),
            XLSX_MAX_ROWS - 1
        )));
    }
    let xlsx_err =
        |e: rust_xlsxwriter::XlsxError| Error::io(path, std::io::Error::other(e.to_string()));
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet.title).map_err(xlsx_err)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.chars().count()).collect();
    for (c, h) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xlsx_err)?;
    }
    let decimal_formats: Vec<Format> = (0..=6)
        .map(|d| {
            let pattern = if d == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(d))
            };
            Format::new().set_num_format(pattern)
        })
        .collect();
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let width = match cell {
                Cell::Text(s) if s.is_empty() => 0,
                Cell::Text(s) => {
                    let text = csv_safe(s);
                    ws.write_string(r, col, text.as_ref()).map_err(xlsx_err)?;
                    text.chars().count()
                }
                Cell::Int(n) => {
                    ws.write_number(r, col, *n as f64).map_err(xlsx_err)?;
                    n.to_string().len()
                }
                Cell::Dec(v, d) => {
                    let d = (*d).min(6);
                    // The value the CSV shows, rounded the same way.
                    let rounded = format!("{v:.d$}").parse::<f64>().unwrap_or(*v);
                    ws.write_number_with_format(r, col, rounded, &decimal_formats[d])
                        .map_err(xlsx_err)?;
                    d + 3
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        // Wide enough for most values, never a screen wide.
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 1.0)
            .map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    if !sheet.header.is_empty() {
        ws.autofilter(0, 0, sheet.rows.len() as u32, sheet.header.len() as u16 - 1)
            .map_err(xlsx_err)?;
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx_err)?;
    let mut file = AtomicFile::create(path)?;
    file.write_all(&bytes).map_err(|e| Error::io(path, e))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            title: "Essai",
            header: vec!["medicament", "n_obs", "score"],
            rows: vec![
                vec!["=HYPERLINK(\"x\")".into(), Cell::Int(3), Cell::Dec(0.95, 3)],
                vec!["A;B".into(), Cell::Int(12), Cell::Dec(1.0, 3)],
            ],
        }
    }

    #[test]
    fn the_excel_dialect_has_bom_semicolons_decimal_commas_and_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_sheet(&path, SheetFormat::Csv(CsvDialect::Excel), &sheet()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "\u{feff}medicament;n_obs;score\r\n\"'=HYPERLINK(\"\"x\"\")\";3;0,950\r\n\"A;B\";12;1,000\r\n"
        );
        write_sheet(&path, SheetFormat::Csv(CsvDialect::Rfc), &sheet()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "medicament,n_obs,score\n\"'=HYPERLINK(\"\"x\"\")\",3,0.950\nA;B,12,1.000\n"
        );
    }

    #[test]
    fn the_format_follows_the_name_and_never_contradicts_it() {
        let xlsx = Path::new("out/table.XLSX");
        let csv = Path::new("table.csv");
        let other = Path::new("table.txt");
        assert_eq!(
            SheetFormat::choose(None, None, xlsx).unwrap(),
            SheetFormat::Xlsx
        );
        assert_eq!(
            SheetFormat::choose(None, None, other).unwrap(),
            SheetFormat::Csv(CsvDialect::Excel)
        );
        assert_eq!(
            SheetFormat::choose(Some(FileKind::Xlsx), None, other).unwrap(),
            SheetFormat::Xlsx
        );
        assert_eq!(
            SheetFormat::choose(None, Some(CsvDialect::Rfc), csv).unwrap(),
            SheetFormat::Csv(CsvDialect::Rfc)
        );
        for (asked, dialect, path) in [
            (Some(FileKind::Csv), None, xlsx),
            (Some(FileKind::Xlsx), None, csv),
            (None, Some(CsvDialect::Rfc), xlsx),
        ] {
            let err = SheetFormat::choose(asked, dialect, path).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{err}");
        }
        assert_eq!(SheetFormat::for_path(xlsx), SheetFormat::Xlsx);
        assert_eq!(
            SheetFormat::for_path(csv),
            SheetFormat::Csv(CsvDialect::Excel)
        );
    }

    #[test]
    fn a_workbook_holds_numbers_as_numbers_and_formulas_as_inert_text() {
        use calamine::{Data, Reader, open_workbook_auto};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        assert_eq!(write_sheet(&path, SheetFormat::Xlsx, &sheet()).unwrap(), 2);
        let mut book = open_workbook_auto(&path).unwrap();
        let range = book.worksheet_range("Essai").unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert_eq!(rows[0][0], Data::String("medicament".into()));
        assert_eq!(rows[1][0], Data::String("'=HYPERLINK(\"x\")".into()));
        assert_eq!(rows[1][1], Data::Float(3.0));
        assert_eq!(rows[1][2], Data::Float(0.95));
        assert_eq!(rows[2][0], Data::String("A;B".into()));
    }
}
