//! Importers: from the files agents have (BNPV CSV, CODEX Excel or CSV, BDPM
//! text, Open Medic CSV) into the workspace. This module owns recognising a
//! file's kind, matching expected columns to the ones found (with the user's
//! remembered mapping), and the loop every importer shares: read a row, turn
//! it into stored values or an issue, one transaction per file, progress and
//! cancel. Each source has its own file with its rules: [`bnpv`], [`codex`],
//! [`bdpm`], [`openmedic`].
//!
//! The loop runs on two threads: a reader decodes, checks and converts rows
//! into batches, the calling thread writes them to SQLite in the file's one
//! transaction; an error on either side stops both and rolls the file back.
//! Importing several files, the next is read and decoded while the current
//! one is written.
//!
//! Policy on defects, the same for every kind:
//! - a malformed row (wrong number of fields) is kept out and reported by
//!   line; when more than 5 % of the rows are malformed the file is refused,
//!   since it is probably not the file it claims to be;
//! - a dirty value that the agency's rules handle (age over 125, unknown sex,
//!   an impossible date in the BDPM) is kept raw, with the derived value left
//!   empty and a warning by line and column;
//! - an impossible value in case data (negative age, unreadable or future
//!   notification date, a case version present twice) refuses the file,
//!   naming the line and column: indicators must not rest on a corrupt extract.

pub mod bdpm;
pub mod bnpv;
pub mod codex;
pub mod openmedic;
pub mod table;
pub mod text;
pub mod values;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::error::{Error, Place, Result};
use crate::jobs::Progress;
use crate::model::{Kind, Source, Value};
use crate::store::Store;
use crate::store::imports::{
    DuplicateCase, ImportWriter, KeyCache, NewBatch, RowBatch, RowCounts, Severity, table_columns,
};
use table::{CellPlaces, Row, Table, TextOptions};

/// How many issues of one batch are stored line by line; past it, only counted.
const MAX_STORED_ISSUES: u64 = 20_000;

/// Files from this size on are bulk loads: their table's indexes are
/// rebuilt once at the end rather than maintained row by row.
const BULK_LOAD_BYTES: u64 = 16 * 1024 * 1024;

/// Rows per batch handed from the reading thread to the writing one: large
/// enough that handing over costs nothing, small enough to stay in cache.
const BATCH_ROWS: usize = 2048;

/// Batches waiting to be written, at most: the reader never runs far ahead.
const QUEUED_BATCHES: usize = 4;

/// Share of malformed rows past which a file is refused (1 in 20).
const MAX_REJECTED_SHARE_DENOMINATOR: u64 = 20;

/// Lower case ASCII letters and digits only, accents folded: the key used to
/// compare file names and column names.
pub fn fold_name(s: &str) -> String {
    values::fold_upper(s)
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// An expected column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Name as in the agency's extracts.
    pub name: &'static str,
    /// Whether the import cannot go without it.
    pub required: bool,
}

const fn req(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: true,
    }
}

const fn opt(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: false,
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

/// The reading spec of a kind.
pub fn kind_spec(kind: Kind) -> KindSpec {
    let csv = TextOptions {
        has_header: true,
        separator: None,
        quoting: true,
    };
    let bdpm_text = TextOptions {
        has_header: false,
        separator: Some(b'\t'),
        quoting: false,
    };
    let headed = |columns| KindSpec {
        columns,
        text: csv,
        field_counts: None,
    };
    let bdpm = |columns: &'static [ColumnSpec], min, max| KindSpec {
        columns,
        text: bdpm_text,
        field_counts: Some((min, max)),
    };
    match kind {
        Kind::BnpvCases => headed(bnpv::CASE_COLUMNS),
        Kind::BnpvDrugs => headed(bnpv::DRUG_COLUMNS),
        Kind::BnpvEffects => headed(bnpv::EFFECT_COLUMNS),
        Kind::CodexVu => headed(codex::VU_COLUMNS),
        Kind::CodexProduit => headed(codex::PRODUIT_COLUMNS),
        Kind::CodexProduitHisto => headed(codex::PRODUIT_HISTO_COLUMNS),
        Kind::CodexPresentations => headed(codex::PRESENTATION_COLUMNS),
        Kind::CodexComposants => headed(codex::COMPOSANT_COLUMNS),
        Kind::CodexNomsSubstance => headed(codex::NOMS_SUBSTANCE_COLUMNS),
        Kind::CodexHistoNomsVu => headed(codex::HISTO_NOMS_VU_COLUMNS),
        Kind::CodexVuAtc => headed(codex::VU_ATC_COLUMNS),
        Kind::BdpmCis => bdpm(bdpm::CIS_COLUMNS, 12, 12),
        Kind::BdpmCip => bdpm(bdpm::CIP_COLUMNS, 9, 13),
        Kind::BdpmCompo => bdpm(bdpm::COMPO_COLUMNS, 8, 8),
        Kind::BdpmGener => bdpm(bdpm::GENER_COLUMNS, 5, 5),
        Kind::OpenMedic => headed(openmedic::COLUMNS),
    }
}

/// Recognises a kind from a file name (extension and copy suffixes ignored).
pub fn kind_from_file_name(path: &Path) -> Option<Kind> {
    let stem = path.file_stem()?.to_str()?;
    let name = fold_name(stem);
    let prefixes: [(&str, Kind); 17] = [
        ("caspatients", Kind::BnpvCases),
        ("medicaments", Kind::BnpvDrugs),
        ("madicaments", Kind::BnpvDrugs), // "MÃ©dicaments": UTF-8 name read as Latin-1
        ("effets", Kind::BnpvEffects),
        ("dbovuclassesatc", Kind::CodexVuAtc),
        ("dbovu", Kind::CodexVu),
        ("hdhproduithisto", Kind::CodexProduitHisto),
        ("dboproduit", Kind::CodexProduit),
        ("dbopresentations", Kind::CodexPresentations),
        ("dbocomposants", Kind::CodexComposants),
        ("dbonomssubstance", Kind::CodexNomsSubstance),
        ("dbohistonomsvu", Kind::CodexHistoNomsVu),
        ("ciscipbdpm", Kind::BdpmCip),
        ("ciscompobdpm", Kind::BdpmCompo),
        ("cisgenerbdpm", Kind::BdpmGener),
        ("cisbdpm", Kind::BdpmCis),
        ("mdicaments", Kind::BnpvDrugs),
    ];
    if let Some((_, kind)) = prefixes.iter().find(|(p, _)| name.starts_with(p)) {
        return Some(*kind);
    }
    if name.starts_with("nb") && name.contains("cip13agesexe") {
        return Some(Kind::OpenMedic);
    }
    None
}

/// Recognises a kind from a header row: the one kind whose required columns
/// are all present.
pub fn kind_from_headers(headers: &[String]) -> Option<Kind> {
    let found: HashSet<String> = headers.iter().map(|h| fold_name(h)).collect();
    let mut matches = Kind::ALL.into_iter().filter(|kind| {
        let spec = kind_spec(*kind);
        spec.text.has_header
            && spec
                .columns
                .iter()
                .filter(|c| c.required)
                .all(|c| found.contains(&fold_name(c.name)))
    });
    let first = matches.next()?;
    // Several kinds share key columns (the three BNPV files): the one with
    // the most required columns present is the most specific.
    let best = std::iter::once(first).chain(matches).max_by_key(|kind| {
        kind_spec(*kind)
            .columns
            .iter()
            .filter(|c| found.contains(&fold_name(c.name)))
            .count()
    })?;
    Some(best)
}

/// Expected columns resolved to positions in the file.
#[derive(Debug, Clone)]
pub struct Columns {
    positions: Vec<Option<usize>>,
    names: Vec<&'static str>,
    required: Vec<usize>,
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
            });
        }
        let folded: Vec<String> = table.headers.iter().map(|h| fold_name(h)).collect();
        let mut positions = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        for column in spec.columns {
            let mapped = mapping
                .iter()
                .find(|(expected, _)| fold_name(expected) == fold_name(column.name))
                .map(|(_, found)| fold_name(found));
            let wanted = mapped.unwrap_or_else(|| fold_name(column.name));
            let position = folded.iter().position(|h| *h == wanted);
            if position.is_none() && column.required {
                missing.push(column.name);
            }
            positions.push(position);
        }
        if !missing.is_empty() {
            let found = table
                .headers
                .iter()
                .filter(|h| !h.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let example = missing[0];
            return Err(Error::data(
                table.place.at_line(table.header_line.max(1)),
                format!(
                    "not a {} file as expected: missing column(s) {}; columns found: {}. If a column is there under another name, map it with --map {example}=<found name> (remembered for the next {} file)",
                    kind.file_label(),
                    missing.join(", "),
                    if found.is_empty() {
                        "none".to_string()
                    } else {
                        found
                    },
                    kind.as_str()
                ),
            ));
        }
        Ok(Columns {
            positions,
            names,
            required,
        })
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

/// Options of an import command.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force the kind instead of recognising it.
    pub kind: Option<Kind>,
    /// Import again a file already imported, replacing its batch.
    pub replace: bool,
    /// (expected, found) column pairs given by the user.
    pub mapping: Vec<(String, String)>,
    /// Who imports.
    pub user: String,
}

/// The report of one imported file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Its kind.
    pub kind: Kind,
    /// The batch created.
    pub batch_id: i64,
    /// Detected encoding.
    pub encoding: String,
    /// Row counts.
    pub counts: RowCounts,
}

/// The report of an import command.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Files imported, in order.
    pub imported: Vec<FileReport>,
    /// Files skipped in directories, with why.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Imports files and directories (every recognised file in them, sub-folders
/// included). Stops at the first file that fails: the files before it stay
/// imported, that file leaves nothing behind.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_dir(path, options, &mut files, &mut summary.skipped)?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ));
        }
    }
    with_bulk_load(store, |store| {
        import_files(store, &files, options, progress, &mut summary)
    })?;
    Ok(summary)
}

/// Runs `import` through SQLite's rollback journal when nothing else has
/// the workspace open: it writes each new page once instead of twice (see
/// [`Store::begin_bulk_load`]). Every import takes this path, so the tests
/// of small files check the one the large ones take; the window, which
/// keeps its own connection open, imports in WAL.
fn with_bulk_load<T>(store: &mut Store, import: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
    let bulk = store.begin_bulk_load()?;
    let imported = import(store);
    if bulk {
        // Whatever happened, WAL again. Should that fail (another process
        // opening the file meanwhile), the workspace is as consistent in
        // rollback mode and the next opening puts WAL back: the import's
        // own outcome is what the user needs to hear.
        let _ = store.end_bulk_load();
    }
    imported
}

/// Imports `files` in order into `summary`.
fn import_files(
    store: &mut Store,
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
    summary: &mut ImportSummary,
) -> Result<()> {
    // While a file is imported, the next one is read, hashed and decoded on
    // another thread; the key cache goes from one BNPV file to the next
    // instead of being read again from the workspace.
    let mut keys = None;
    std::thread::scope(|scope| -> Result<()> {
        let mut ahead: Option<std::thread::ScopedJoinHandle<'_, Result<(Kind, Table)>>> = None;
        for (i, path) in files.iter().enumerate() {
            let opened = match ahead.take() {
                Some(handle) => handle.join().unwrap_or_else(|_| {
                    Err(Error::Usage(format!(
                        "reading {} stopped unexpectedly",
                        path.display()
                    )))
                }),
                None => open_file(path, options),
            };
            // Started once this file's rows are read: the reading core is
            // free while the writer rebuilds indexes and commits.
            let mut read_next = || {
                if let Some(next) = files.get(i + 1) {
                    ahead = std::thread::Builder::new()
                        .name("import-open".into())
                        .spawn_scoped(scope, move || open_file(next, options))
                        .ok();
                }
            };
            let report = import_opened(
                store,
                path,
                opened?,
                options,
                progress,
                &mut keys,
                &mut read_next,
            )?;
            summary.imported.push(report);
        }
        Ok(())
    })
}

fn collect_dir(
    dir: &Path,
    options: &ImportOptions,
    files: &mut Vec<PathBuf>,
    skipped: &mut Vec<(PathBuf, String)>,
) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, options, files, skipped)?;
        } else if options.kind.is_some() || kind_from_file_name(&path).is_some() {
            files.push(path);
        } else {
            skipped.push((path, "not a recognised extract (name)".to_string()));
        }
    }
    Ok(())
}

/// Imports one file in one transaction.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<FileReport> {
    let opened = open_file(path, options)?;
    with_bulk_load(store, |store| {
        import_opened(
            store,
            path,
            opened,
            options,
            progress,
            &mut None,
            &mut || {},
        )
    })
}

/// Reads a file and recognises its kind.
fn open_file(path: &Path, options: &ImportOptions) -> Result<(Kind, Table)> {
    let by_name = options.kind.or_else(|| kind_from_file_name(path));
    let sheet_hint = by_name.map(Kind::file_label);
    let (kind, table) = match by_name {
        Some(kind) => (kind, Table::open(path, kind_spec(kind).text, sheet_hint)?),
        None => {
            let probe = TextOptions {
                has_header: true,
                separator: None,
                quoting: true,
            };
            let table = Table::open(path, probe, None)?;
            let kind = kind_from_headers(&table.headers).ok_or_else(|| {
                Error::data(
                    table.place.at_line(1),
                    format!(
                        "the kind of file is not recognised from its name or its columns ({}); name it as the agency does (e.g. Cas-Patients.csv, dbo_VU.xlsx, CIS_bdpm.txt) or give --kind",
                        table.headers.join(", ")
                    ),
                )
            })?;
            (kind, table)
        }
    };
    Ok((kind, table))
}

/// Imports a file read by [`open_file`] in one transaction. `carried` is
/// the key cache the previous BNPV file of the command left (used when the
/// workspace still matches it), and receives this file's; `rows_read` is
/// called once every row is read, before the indexes are rebuilt.
fn import_opened(
    store: &mut Store,
    path: &Path,
    (kind, table): (Kind, Table),
    options: &ImportOptions,
    progress: &Progress,
    carried: &mut Option<KeyCache>,
    rows_read: &mut dyn FnMut(),
) -> Result<FileReport> {
    let spec = kind_spec(kind);
    let mut mapping = store.column_mapping(kind)?;
    for pair in &options.mapping {
        mapping.retain(|(e, _)| fold_name(e) != fold_name(&pair.0));
        mapping.push(pair.clone());
    }
    let columns = Columns::resolve(kind, &spec, &table, &mapping)?;
    progress.start_phase(
        format!(
            "import {}",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().to_string()
            )
        ),
        table.size_bytes,
    );
    let batch = NewBatch {
        kind,
        file: path.to_path_buf(),
        sheet: table.place.sheet.clone(),
        sha256: table.sha256.clone(),
        encoding: table.encoding.clone(),
        imported_by: options.user.clone(),
    };
    let encoding = table.encoding.clone();
    let places = table.cell_places();
    let (header_place, header_line, size_bytes) =
        (table.place.clone(), table.header_line, table.size_bytes);
    let mut writer = store.begin_import(&batch, options.replace)?;
    if size_bytes >= BULK_LOAD_BYTES {
        writer.defer_indexes()?;
    }
    let is_bnpv = kind.source() == Source::Bnpv;
    let keys = if is_bnpv {
        match carried.take() {
            Some(keys) => writer.adopt_keys(keys)?,
            None => writer.take_keys()?,
        }
    } else {
        KeyCache::default()
    };
    let reader = Reader {
        spec,
        width: table_columns(kind).1.len(),
        table,
        columns: &columns,
        converter: Converter::new(kind),
        keys,
        progress,
    };
    // Two threads: this one writes to SQLite while the reader decodes,
    // checks and converts the next rows — the two halves of the work take
    // about as long each. Batches go in file order, through a short queue,
    // and come back emptied to be filled again.
    let (full_tx, full_rx) = mpsc::sync_channel::<RowBatch>(QUEUED_BATCHES);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<RowBatch>(QUEUED_BATCHES + 2);
    let (written, read) = std::thread::scope(|scope| {
        let reading = std::thread::Builder::new()
            .name("import-read".into())
            .spawn_scoped(scope, move || reader.run(&full_tx, &empty_rx));
        let reading = match reading {
            Ok(handle) => handle,
            Err(e) => {
                return (
                    Err(Error::Usage(format!(
                        "cannot start the reading thread: {e}"
                    ))),
                    None,
                );
            }
        };
        // The receiver is dropped when writing stops, early or not, so a
        // reader blocked on a full queue wakes up and ends.
        let written = write_batches(&mut writer, full_rx, &empty_tx, progress, |dup| {
            Error::data(
                cell_place(&places, &columns, dup.line, 0),
                format!(
                    "case version {} is already in the workspace ({}); each case version must appear once",
                    dup.key, dup.existing
                ),
            )
        });
        (written, Some(reading.join()))
    });
    // The writer stops at the first bad row it meets; rows the reader
    // refused come later in the file, so the writer's error comes first.
    written?;
    let read = match read {
        Some(Ok(read)) => read?,
        Some(Err(_)) | None => {
            return Err(Error::Usage(
                "the import's reading thread stopped unexpectedly; nothing was imported".into(),
            ));
        }
    };
    rows_read();
    let ReadResult {
        counts,
        first_rejected,
        keys,
    } = read;
    if is_bnpv {
        writer.return_keys(keys);
    }
    if counts.read == 0 {
        return Err(Error::data(
            header_place.at_line(header_line + 1),
            "no data rows: the file has a header only",
        ));
    }
    if let Some((line, message)) = first_rejected
        && counts.rejected * MAX_REJECTED_SHARE_DENOMINATOR > counts.read
    {
        return Err(Error::data(
            header_place.at_line(line),
            format!(
                "{} of {} rows are malformed ({message} here, the first); is this really a {} file? Nothing was imported",
                counts.rejected,
                counts.read,
                kind.file_label()
            ),
        ));
    }
    progress.set_done(size_bytes);
    let (batch_id, keys) = writer.finish_keeping_keys(counts)?;
    if keys.is_some() {
        *carried = keys;
    }
    if !options.mapping.is_empty() {
        store.save_column_mapping(kind, &options.mapping)?;
    }
    Ok(FileReport {
        path: path.to_path_buf(),
        kind,
        batch_id,
        encoding,
        counts,
    })
}

/// Checks the number of fields of a row.
fn check_shape(spec: &KindSpec, table: &Table, row: &Row) -> std::result::Result<(), String> {
    let n = row.fields.len();
    if let Some((min, max)) = spec.field_counts {
        // Older BDPM files end each row with an empty field.
        let effective = if n > max && row.fields.get(n - 1).is_some_and(str::is_empty) {
            n - 1
        } else {
            n
        };
        if effective < min || effective > max {
            let expected = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(format!("{n} fields where {expected} are expected"));
        }
        return Ok(());
    }
    if table.is_sheet {
        return Ok(());
    }
    let expected = table.headers.len();
    if n < expected {
        return Err(format!("{n} fields where the header has {expected}"));
    }
    if n > expected
        && row
            .fields
            .iter()
            .skip(expected)
            .any(|f| !f.trim().is_empty())
    {
        return Err(format!(
            "{n} fields where the header has {expected} (a separator inside an unquoted value?)"
        ));
    }
    Ok(())
}

/// The place of expected column `i` at `line`.
fn cell_place(places: &CellPlaces, columns: &Columns, line: u64, i: usize) -> Place {
    let name = columns.name(i);
    match columns.position(i) {
        Some(p) => places.cell(line, p, name),
        None => places.line(line).at_column(name),
    }
}

/// What the reading thread hands back.
struct ReadResult {
    counts: RowCounts,
    /// The first malformed row, for the refusal message.
    first_rejected: Option<(u64, String)>,
    /// The key cache, with the ids it created and the name counts.
    keys: KeyCache,
}

/// The reading half of an import: rows read, checked and converted into
/// batches for the writer.
struct Reader<'a> {
    spec: KindSpec,
    /// Values per stored row.
    width: usize,
    table: Table,
    columns: &'a Columns,
    converter: Converter,
    keys: KeyCache,
    progress: &'a Progress,
}

impl Reader<'_> {
    /// Reads every row, sending full batches to `full` (taking emptied ones
    /// back from `empty`). Stops quietly when the writer has stopped: its
    /// error is the one to report.
    fn run(
        mut self,
        full: &mpsc::SyncSender<RowBatch>,
        empty: &mpsc::Receiver<RowBatch>,
    ) -> Result<ReadResult> {
        let mut counts = RowCounts::default();
        let mut stored_issues = 0u64;
        let mut first_rejected: Option<(u64, String)> = None;
        let mut row = Row::default();
        let mut batch = RowBatch::default();
        while self.table.next_row(&mut row)? {
            counts.read += 1;
            if counts.read % 4096 == 0 {
                self.progress.check_cancel()?;
                self.progress.set_items(counts.read);
                self.progress.set_done(self.table.position_bytes());
            }
            let (outcome, warnings) = match check_shape(&self.spec, &self.table, &row) {
                Err(message) => (Outcome::Reject(message), Vec::new()),
                Ok(()) => {
                    let mut ctx = RowContext {
                        table: &self.table,
                        columns: self.columns,
                        row: &row,
                        warnings: Vec::new(),
                    };
                    let outcome = self
                        .converter
                        .convert(&mut ctx, &mut self.keys, &mut batch)?;
                    (outcome, ctx.warnings)
                }
            };
            let mut record =
                |batch: &mut RowBatch, severity, column: Option<&'static str>, message: String| {
                    if stored_issues < MAX_STORED_ISSUES {
                        batch.issue(severity, Some(row.line), column, message);
                    }
                    stored_issues += 1;
                };
            match outcome {
                Outcome::Keep(values) => {
                    batch.discard_row();
                    for value in &values {
                        batch.value(value);
                    }
                    self.end_row(&mut batch, row.line)?;
                    counts.kept += 1;
                }
                Outcome::Stored => {
                    self.end_row(&mut batch, row.line)?;
                    counts.kept += 1;
                }
                Outcome::Reject(message) => {
                    batch.discard_row();
                    counts.rejected += 1;
                    if first_rejected.is_none() {
                        first_rejected = Some((row.line, message.clone()));
                    }
                    record(&mut batch, Severity::Rejected, None, message);
                }
                Outcome::Drop(message) => {
                    batch.discard_row();
                    counts.dropped += 1;
                    record(&mut batch, Severity::Dropped, None, message);
                }
            }
            for warning in warnings {
                counts.warnings += 1;
                let column = self.columns.name(warning.column);
                record(&mut batch, Severity::Warning, Some(column), warning.message);
            }
            if batch.rows() >= BATCH_ROWS || batch.issues() >= BATCH_ROWS {
                let next = empty.try_recv().unwrap_or_default();
                if full.send(std::mem::replace(&mut batch, next)).is_err() {
                    break;
                }
            }
        }
        // An empty last batch still goes: it may hold only issues.
        let _ = full.send(batch);
        Ok(ReadResult {
            counts,
            first_rejected,
            keys: self.keys,
        })
    }

    /// Ends a kept row, checking that the converter gave every value.
    fn end_row(&self, batch: &mut RowBatch, line: u64) -> Result<()> {
        if batch.row_width() != self.width {
            return Err(Error::Usage(format!(
                "the converter gave {} values for the {} columns of line {line}",
                batch.row_width(),
                self.width
            )));
        }
        batch.end_row(line);
        Ok(())
    }
}

/// The writing half of an import: stores each batch as it comes, in the
/// import's transaction, and sends it back emptied. `duplicate` makes the
/// error for a case version an earlier import already stored.
fn write_batches(
    writer: &mut ImportWriter<'_>,
    full: mpsc::Receiver<RowBatch>,
    empty: &mpsc::SyncSender<RowBatch>,
    progress: &Progress,
    duplicate: impl Fn(DuplicateCase) -> Error,
) -> Result<()> {
    for mut batch in full {
        progress.check_cancel()?;
        if let Some(dup) = writer.write_batch(&batch)? {
            return Err(duplicate(dup));
        }
        batch.clear();
        // The reader allocates a new one when none is waiting.
        let _ = empty.try_send(batch);
    }
    Ok(())
}

/// Dispatches rows to the converter of their kind.
enum Converter {
    Cases(bnpv::CaseConverter),
    Drugs(bnpv::DrugConverter),
    Effects(bnpv::EffectConverter),
    Codex(Kind),
    Bdpm(Kind),
    OpenMedic(openmedic::OpenMedicConverter),
}

impl Converter {
    fn new(kind: Kind) -> Converter {
        match kind {
            Kind::BnpvCases => Converter::Cases(bnpv::CaseConverter::default()),
            Kind::BnpvDrugs => Converter::Drugs(bnpv::DrugConverter::default()),
            Kind::BnpvEffects => Converter::Effects(bnpv::EffectConverter::default()),
            Kind::BdpmCis | Kind::BdpmCip | Kind::BdpmCompo | Kind::BdpmGener => {
                Converter::Bdpm(kind)
            }
            Kind::OpenMedic => Converter::OpenMedic(openmedic::OpenMedicConverter::default()),
            _ => Converter::Codex(kind),
        }
    }

    fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        keys: &mut KeyCache,
        batch: &mut RowBatch,
    ) -> Result<Outcome> {
        match self {
            Converter::Cases(c) => c.convert(ctx, keys, batch),
            Converter::Drugs(c) => c.convert(ctx, keys, batch),
            Converter::Effects(c) => c.convert(ctx, keys, batch),
            Converter::Codex(kind) => Ok(codex::convert(*kind, ctx)),
            Converter::Bdpm(kind) => Ok(bdpm::convert(*kind, ctx)),
            Converter::OpenMedic(c) => c.convert(ctx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_agency_file_names() {
        let k = |n: &str| kind_from_file_name(Path::new(n));
        assert_eq!(k("Cas-Patients.csv"), Some(Kind::BnpvCases));
        assert_eq!(k("Médicaments.csv"), Some(Kind::BnpvDrugs));
        assert_eq!(k("MÃ©dicaments.csv"), Some(Kind::BnpvDrugs));
        assert_eq!(k("Medicaments_2018.csv"), Some(Kind::BnpvDrugs));
        assert_eq!(k("Effets.csv"), Some(Kind::BnpvEffects));
        assert_eq!(k("dbo_VU.xlsx"), Some(Kind::CodexVu));
        assert_eq!(k("dbo_VUClassesATC.xlsx"), Some(Kind::CodexVuAtc));
        assert_eq!(k("dbo_Produit.csv"), Some(Kind::CodexProduit));
        assert_eq!(k("HDH_Produit-Histo.xlsx"), Some(Kind::CodexProduitHisto));
        assert_eq!(
            k("dbo_NomsSubstance (2).xlsx"),
            Some(Kind::CodexNomsSubstance)
        );
        assert_eq!(k("CIS_bdpm.txt"), Some(Kind::BdpmCis));
        assert_eq!(k("CIS_CIP_bdpm.txt"), Some(Kind::BdpmCip));
        assert_eq!(k("CIS_COMPO_bdpm.txt"), Some(Kind::BdpmCompo));
        assert_eq!(k("CIS_GENER_bdpm.txt"), Some(Kind::BdpmGener));
        assert_eq!(k("NB_2019_cip13_age_sexe.CSV"), Some(Kind::OpenMedic));
        assert_eq!(k("truth.csv"), None);
        assert_eq!(k("README.md"), None);
    }

    #[test]
    fn a_cancelled_import_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Cas-Patients.csv");
        let mut text = String::from(
            "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS\n",
        );
        for i in 0..5000 {
            text.push_str(&format!(
                "{i};C{i};1;01/02/2016;F;30;;;Pharmacien;E;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE\n"
            ));
        }
        std::fs::write(&file, text).unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let progress = Progress::new();
        progress.cancel();
        let options = ImportOptions::default();
        let err = import_file(&mut store, &file, &options, &progress).err();
        assert!(matches!(err, Some(Error::Cancelled)), "{err:?}");
        assert!(store.batches().unwrap().is_empty());
        let counts = store.counts().unwrap();
        assert!(
            counts.rows_per_kind.iter().all(|(_, n)| *n == 0),
            "{counts:?}"
        );
        // Not cancelled, it goes in whole.
        let report = import_file(&mut store, &file, &options, &Progress::new()).unwrap();
        assert_eq!(report.counts.kept, 5000);
    }

    #[test]
    fn kinds_from_headers() {
        let h = |cols: &[&str]| {
            kind_from_headers(&cols.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            h(&["AER_ID", "CAS", "VER", "MEDICAMENT", "TYPE"]),
            Some(Kind::BnpvDrugs)
        );
        assert_eq!(
            h(&["codeNomSubstance", "codeSubstance", "nomSubstance"]),
            Some(Kind::CodexNomsSubstance)
        );
        assert_eq!(h(&["x", "y"]), None);
    }
}
