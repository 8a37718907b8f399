//! `datamed export portal`: the datasets the DataMed portal loads. The
//! substance list, every breakdown of every substance (one long table per
//! breakdown, keyed by substance code), the global page's breakdowns and the
//! transcoding table, each in CSV (UTF-8, formula cells neutralised) and
//! JSON, and `manifest.json`: tool version, workspace, every source batch
//! with its SHA-256, the disclosure rule, row counts and the SHA-256 of
//! every file written.
//!
//! Only published values leave: every count goes through the one disclosure
//! rule ([`crate::indicators::disclosure`]) and a hidden one is written
//! with no value and the status "masque", whatever the reason it is hidden
//! (the reason stays in the workspace). No case identifier and no case-level row is ever
//! written: every table is an aggregate or the per-name transcoding table.
//! The files are written into a temporary directory beside the target and
//! renamed into place, so there is never half an export (a directory that
//! is not a previous export is never replaced); while too many observations
//! are still pending review, the export is refused.
//!
//! The work reports its phases on a [`Progress`] (the CLI draws them on
//! stderr, the window in its export dialog) and stops between phases and
//! between files when cancelled, leaving nothing behind.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::publication::DryRun;
pub use super::publication::{COUNT_COLUMNS, PortalTable};
use super::write_csv;
use crate::error::{Error, Place, Result};
use crate::files::sha256_hex;
use crate::indicators::disclosure::{Rule, STATUS_MASKED, STATUS_SHOWN};
use crate::indicators::{
    Breakdown, Computation, Indicators, PendingShare, Period, YearRange, max_pending_share,
    pending_share,
};
use crate::jobs::{Phase, Progress};
use crate::store::Store;
use crate::store::publication::{PortalExportRecord, PublishedCell};

/// What the export is asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct PortalOptions {
    /// Export even when the pending share is above the workspace's limit.
    pub allow_pending: bool,
    /// The years exported.
    pub period: Period,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct PortalSummary {
    /// The export directory.
    pub dir: PathBuf,
    /// Each file with its data rows.
    pub files: Vec<(String, u64)>,
    /// Substances exported.
    pub substances: usize,
    /// Pending observations when exporting.
    pub pending: PendingShare,
    /// The export's id (in its manifest and the workspace).
    pub export_id: String,
}

/// Refuses the export while pending observations exceed the workspace's
/// limit, unless allowed.
pub fn check_pending(store: &Store, allow_pending: bool) -> Result<PendingShare> {
    let share = pending_share(store)?;
    let max = max_pending_share(store)?;
    if share.share() > max && !allow_pending {
        return Err(Error::data(
            Place::file(store.path()),
            format!(
                "export refused: {:.1} % of observations ({} of {}) belong to names still pending review, above the {:.1} % allowed (workspace setting {}); review them (datamed review queue) or export anyway with --allow-pending",
                100.0 * share.share(),
                share.pending,
                share.total,
                100.0 * max,
                crate::indicators::SETTING_MAX_PENDING
            ),
        ));
    }
    Ok(share)
}

/// The tables an export writes, with what its manifest says of them.
struct Prepared {
    tables: Vec<PortalTable>,
    rule: Rule,
    years: YearRange,
    substances: usize,
}

/// Writes the portal datasets of `store` into `out` (replaced whole),
/// reporting its phases on `progress` and stopping when it is cancelled;
/// records the export in the workspace (its id and the previous one's in
/// the manifest, its cells for the next dry run).
pub fn export_portal(
    store: &Store,
    out: &Path,
    options: &PortalOptions,
    progress: &Progress,
) -> Result<PortalSummary> {
    progress.start_phase(Phase::CheckPending, 0);
    let pending = check_pending(store, options.allow_pending)?;
    // A directory the export would refuse is refused before the long part.
    refuse_foreign_dir(out)?;
    progress.check_cancel()?;
    let prepared = prepare(store, options, progress)?;
    refuse_foreign_dir(out)?;
    progress.start_phase(Phase::WriteFiles, prepared.tables.len() as u64 + 1);
    let previous = store.last_portal_export()?;
    let generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let cells = super::publication::cells(&prepared.tables);
    let record = PortalExportRecord {
        // The previous id and the time to the nanosecond make two exports
        // of the same values in the same second two ids.
        id: export_id(
            &format!(
                "{generated_at} {} {}",
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default(),
                previous.as_ref().map_or("", |p| p.id.as_str())
            ),
            &cells,
        ),
        exported_at: generated_at,
        dir: std::path::absolute(out)
            .unwrap_or_else(|_| out.to_path_buf())
            .display()
            .to_string(),
        previous_id: previous.as_ref().map(|p| p.id.clone()),
    };
    let temp = temp_dir_beside(out)?;
    let written = write_all(
        store,
        &temp,
        &prepared,
        &record,
        previous.as_ref(),
        pending,
        progress,
    )
    .and_then(|files| {
        progress.start_phase(Phase::ReplaceDirectory, 0);
        store.record_portal_export(&record, &cells, || replace_dir(&temp, out))?;
        Ok(files)
    });
    let files = match written {
        Ok(files) => files,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
    };
    Ok(PortalSummary {
        dir: out.to_path_buf(),
        files,
        substances: prepared.substances,
        pending,
        export_id: record.id,
    })
}

/// What exporting now would publish and change against the last export
/// recorded in the workspace; nothing is written, and an export the
/// pending share would refuse is reported, not refused.
pub fn dry_run(store: &Store, options: &PortalOptions, progress: &Progress) -> Result<DryRun> {
    progress.start_phase(Phase::CheckPending, 0);
    let pending = pending_share(store)?;
    let max_pending = max_pending_share(store)?;
    progress.check_cancel()?;
    let prepared = prepare(store, options, progress)?;
    let cells = super::publication::cells(&prepared.tables);
    let previous = store.last_portal_export()?;
    let old = match &previous {
        Some(p) => store.portal_export_cells(&p.id)?,
        None => Vec::new(),
    };
    Ok(DryRun {
        changes: super::publication::compare(&old, &cells),
        previous,
        substances: prepared.substances,
        cells: cells.len(),
        pending,
        max_pending,
        refused: pending.share() > max_pending && !options.allow_pending,
    })
}

/// A short id for an export: a digest of its time and every cell it
/// publishes.
fn export_id(generated_at: &str, cells: &[PublishedCell]) -> String {
    let mut text = String::from(generated_at);
    for c in cells {
        text.push('\n');
        text.push_str(&c.table);
        text.push('\t');
        text.push_str(&c.key);
        text.push('\t');
        text.push_str(&c.column);
        text.push('\t');
        text.push_str(c.value.as_deref().unwrap_or("\u{0}"));
    }
    sha256_hex(text.as_bytes())[..16].to_string()
}

/// Computes every table an export writes.
fn prepare(store: &Store, options: &PortalOptions, progress: &Progress) -> Result<Prepared> {
    progress.start_phase(Phase::PrepareIndicators, 0);
    let computation = Computation::new(store, options.period)?;
    let rule = computation.rule();
    progress.check_cancel()?;
    progress.start_phase(Phase::SubstanceIndicators, 0);
    let substances = computation.all_substances()?;
    progress.check_cancel()?;
    progress.start_phase(Phase::GlobalIndicators, 0);
    let global = computation.global()?;
    progress.check_cancel()?;
    let mut tables = vec![substance_table(&substances)];
    let dimensions: Vec<&'static str> = substances
        .first()
        .unwrap_or(&global)
        .breakdowns
        .iter()
        .chain(
            substances
                .iter()
                .find_map(|s| s.patients.as_ref())
                .into_iter()
                .flat_map(|p| p.breakdowns.iter()),
        )
        .map(|b| b.dimension)
        .collect();
    for dimension in &dimensions {
        tables.push(breakdown_table(
            &format!("substance_{dimension}"),
            true,
            substances
                .iter()
                .filter_map(|s| s.breakdown(dimension).map(|b| (s, b))),
        ));
    }
    tables.push(PortalTable {
        name: "global_cases".into(),
        header: vec!["first_year", "last_year", "cases", "cases_status"],
        rows: vec![vec![
            global.years.from.to_string(),
            global.years.to.to_string(),
            global.cases_shown.text(),
            global.cases_shown.status().to_string(),
        ]],
    });
    for b in &global.breakdowns {
        tables.push(breakdown_table(
            &format!("global_{}", b.dimension),
            false,
            std::iter::once((&global, b)),
        ));
    }
    progress.start_phase(Phase::TranscodingTable, 0);
    tables.push(transcoding_table(store, &computation)?);
    progress.check_cancel()?;
    Ok(Prepared {
        tables,
        rule,
        years: computation.years(),
        substances: substances.len(),
    })
}

/// Writes every table and the manifest into `dir`.
fn write_all(
    store: &Store,
    dir: &Path,
    prepared: &Prepared,
    record: &PortalExportRecord,
    previous: Option<&PortalExportRecord>,
    pending: PendingShare,
    progress: &Progress,
) -> Result<Vec<(String, u64)>> {
    let (tables, rule) = (&prepared.tables, prepared.rule);
    let mut files = Vec::new();
    let mut manifest_files = Vec::new();
    for t in tables {
        progress.check_cancel()?;
        let csv_name = format!("{}.csv", t.name);
        let json_name = format!("{}.json", t.name);
        let n = write_csv(
            &dir.join(&csv_name),
            &t.header,
            t.rows.iter().map(|r| r.to_vec()),
        )?;
        write_json(&dir.join(&json_name), t)?;
        for name in [csv_name, json_name] {
            manifest_files.push(json!({
                "file": name,
                "rows": n,
                "sha256": file_sha256(&dir.join(&name))?,
            }));
            files.push((name, n));
        }
        progress.add_done(1);
    }
    let batches: Vec<Value> = store
        .batches()?
        .into_iter()
        .map(|b| {
            json!({
                "kind": b.kind,
                "file": b.file_name,
                "sheet": b.sheet,
                "sha256": b.sha256,
                "encoding": b.encoding,
                "rows_kept": b.rows_kept,
                "imported_at": b.imported_at,
                "superseded_at": b.superseded_at,
            })
        })
        .collect();
    let years = prepared.years;
    let manifest = json!({
        "tool": "datamed-workbench",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "export_id": record.id,
        "previous_export": previous.map(|p| json!({
            "id": p.id,
            "generated_at": p.exported_at,
            "directory": p.dir,
        })),
        "generated_at": record.exported_at,
        "workspace": store.path().display().to_string(),
        "years": {"from": years.from, "to": years.to},
        "disclosure_rule": {
            "threshold": rule.threshold,
            "marks": {
                "shown_status": STATUS_SHOWN,
                "masked_status": STATUS_MASKED,
                "masked_value_csv": "",
                "masked_value_json": Value::Null,
                "meaning": "a masked count is hidden by the rule (small count, complement of a small count, or under a hidden total); the mark is the same for every reason and says nothing of the value",
            },
            "count_columns": COUNT_COLUMNS
                .iter()
                .map(|(count, status)| json!({"column": count, "status_column": status}))
                .collect::<Vec<_>>(),
            "description": rule.describe(),
        },
        "pending": {
            "observations": pending.pending,
            "of": pending.total,
            "share": pending.share(),
        },
        "sources": batches,
        "files": manifest_files,
    });
    let path = dir.join("manifest.json");
    let mut text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::io(&path, std::io::Error::other(e.to_string())))?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    progress.add_done(1);
    files.push(("manifest.json".into(), 1));
    Ok(files)
}

/// The table as a JSON array of objects; a visible count is a number, a
/// hidden one null.
fn write_json(path: &Path, table: &PortalTable) -> Result<()> {
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|row| {
            let mut object = Map::new();
            for (column, value) in table.header.iter().zip(row) {
                let v = if COUNT_COLUMNS.iter().any(|(c, _)| c == column) {
                    value.parse::<i64>().map_or(Value::Null, Value::from)
                } else {
                    Value::String(value.clone())
                };
                object.insert((*column).to_string(), v);
            }
            Value::Object(object)
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Hex SHA-256 of a written file.
fn file_sha256(path: &Path) -> Result<String> {
    Ok(sha256_hex(
        &std::fs::read(path).map_err(|e| Error::io(path, e))?,
    ))
}

/// The substance list: code, name, cases, Open Medic figures.
fn substance_table(substances: &[Indicators]) -> PortalTable {
    PortalTable {
        name: "substances".into(),
        header: vec![
            "substance_code",
            "substance_name",
            "cases",
            "cases_status",
            "patients",
            "patients_status",
            "usage_level",
            "reporting_rate_per_100000",
        ],
        rows: substances
            .iter()
            .map(|s| {
                let p = s.patients.as_ref();
                vec![
                    s.code.clone().unwrap_or_default(),
                    s.name.clone(),
                    s.cases_shown.text(),
                    s.cases_shown.status().to_string(),
                    p.map(|p| p.total_shown.text()).unwrap_or_default(),
                    p.map(|p| p.total_shown.status().to_string())
                        .unwrap_or_default(),
                    p.map(|p| p.usage_level.to_string()).unwrap_or_default(),
                    p.and_then(|p| p.rate_per_100k)
                        .map(|r| format!("{r:.1}"))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// One breakdown of many substances (or of the global page) as a long table.
fn breakdown_table<'a>(
    name: &str,
    with_substance: bool,
    parts: impl Iterator<Item = (&'a Indicators, &'a Breakdown)>,
) -> PortalTable {
    let mut header = Vec::new();
    if with_substance {
        header.extend(["substance_code", "substance_name"]);
    }
    header.extend(["category", "detail", "count", "status"]);
    let mut rows = Vec::new();
    for (s, b) in parts {
        for c in &b.cells {
            let mut row = Vec::new();
            if with_substance {
                row.push(s.code.clone().unwrap_or_default());
                row.push(s.name.clone());
            }
            row.extend([
                c.category.clone(),
                c.detail.clone(),
                c.shown.text(),
                c.shown.status().to_string(),
            ]);
            rows.push(row);
        }
    }
    PortalTable {
        name: name.to_string(),
        header,
        rows,
    }
}

/// The transcoding table: every name with its effective status, and its
/// substances when it is linked ([`super::PublicLinks`]); its observation
/// count is left out: it is a count no rule covers per name.
fn transcoding_table(store: &Store, computation: &Computation<'_>) -> Result<PortalTable> {
    let links = super::PublicLinks::read(store)?;
    let rows = store
        .transcoding_rows()?
        .into_iter()
        .map(|r| {
            let link = links.link(&r);
            let names: Vec<String> = link
                .substance_codes
                .iter()
                .map(|c| computation.substance_name(c))
                .collect();
            vec![
                r.name.name.clone(),
                r.name.level.label().to_string(),
                link.status.as_str().to_string(),
                link.method,
                link.substance_codes.join("|"),
                names.join("|"),
            ]
        })
        .collect();
    Ok(PortalTable {
        name: "transcoding".into(),
        header: vec![
            "medicament",
            "type",
            "status",
            "method",
            "substance_codes",
            "substance_names",
        ],
        rows,
    })
}

/// Whether `out` is a directory holding files that are not a previous
/// portal export: the export refuses to replace it (the window asks for
/// another directory before starting).
pub fn is_foreign_dir(out: &Path) -> Result<bool> {
    if !out.is_dir() {
        return Ok(false);
    }
    let empty = std::fs::read_dir(out)
        .map_err(|e| Error::io(out, e))?
        .next()
        .is_none();
    let previous = std::fs::read_to_string(out.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .is_some_and(|m| m["tool"] == "datamed-workbench");
    Ok(!empty && !previous)
}

/// Refuses to replace a directory that is neither empty nor a previous
/// portal export: a mistyped --out must not wipe someone's files.
fn refuse_foreign_dir(out: &Path) -> Result<()> {
    if is_foreign_dir(out)? {
        Err(Error::Usage(format!(
            "{} holds files that are not a portal export: choose an empty or new directory for --out",
            out.display()
        )))
    } else {
        Ok(())
    }
}

/// A fresh, private temporary directory beside `out`.
fn temp_dir_beside(out: &Path) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "portal".into());
    let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if temp.exists() {
        std::fs::remove_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
    }
    std::fs::create_dir(&temp).map_err(|e| Error::io(&temp, e))?;
    Ok(temp)
}

/// Renames `temp` to `out`; a previous export at `out` is moved aside first
/// and removed once the new one is in place.
fn replace_dir(temp: &Path, out: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        let _ = std::fs::remove_dir_all(temp);
        return Err(Error::Usage(format!(
            "{} exists and is not a directory: choose another --out",
            out.display()
        )));
    }
    let old = temp.with_file_name(format!(
        "{}.old",
        temp.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    ));
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
    }
    if let Err(e) = std::fs::rename(temp, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        return Err(Error::io(out, e));
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
