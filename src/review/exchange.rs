//! Exchanging decisions between agents: a workspace's decisions written to
//! a JSON file (key, status, target, codes, author, time, comment), and
//! such a file read into another workspace. Importing applies the
//! decisions of keys not yet decided there, counts the identical ones, and
//! lists the conflicting ones (same key, another decision) side by side
//! without applying them: a decision is never silently overwritten. JSON
//! rather than CSV so that comments and names travel byte for byte, with no
//! spreadsheet formula guard altering them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AuditAction, Decision, DecisionKey, NewAuditEntry, Note};
use crate::env::now_iso;
use crate::error::{Error, Place, Result};
use crate::files::AtomicFile;
use crate::store::Store;
use crate::store::review::DecisionRecord;

/// The `format` field of a decision file.
pub const FORMAT: &str = "datamed-decisions";

/// The version of the decision file this build writes and reads.
pub const VERSION: u32 = 1;

/// A decision file.
#[derive(Debug, Serialize, Deserialize)]
struct DecisionFile {
    format: String,
    version: u32,
    #[serde(default)]
    exported_at: String,
    #[serde(default)]
    exported_by: String,
    decisions: Vec<DecisionRecord>,
}

/// Writes every decision of the workspace to `path` (atomically); returns
/// how many.
pub fn export_decisions(store: &Store, path: &Path, author: &str) -> Result<usize> {
    let decisions = store.decisions()?;
    let file = DecisionFile {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now_iso(),
        exported_by: author.into(),
        decisions: decisions.iter().map(DecisionRecord::from).collect(),
    };
    let mut out = AtomicFile::create(path)?;
    serde_json::to_writer_pretty(&mut out, &file)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    out.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    out.commit()?;
    Ok(decisions.len())
}

/// The same key decided differently here and in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The workspace's decision (kept).
    pub here: Decision,
    /// The file's decision (not applied).
    pub incoming: Decision,
}

/// What importing a decision file did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    /// The file read.
    pub file: PathBuf,
    /// Decisions of the file.
    pub read: usize,
    /// Decisions applied (their keys were not decided here).
    pub applied: Vec<Decision>,
    /// Decisions already here, identical.
    pub identical: usize,
    /// Decisions differing from the workspace's, not applied.
    pub conflicts: Vec<Conflict>,
}

/// Whether two decisions say the same thing (who, when, how and why may
/// differ).
pub fn same_decision(a: &Decision, b: &Decision) -> bool {
    a.status == b.status
        && a.target.as_ref().map(|t| (t.level, &t.code))
            == b.target.as_ref().map(|t| (t.level, &t.code))
        && a.substance_codes == b.substance_codes
}

/// Reads and checks a decision file.
fn read_file(path: &Path) -> Result<Vec<Decision>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let place = Place::file(path);
    let file: DecisionFile = serde_json::from_str(&text).map_err(|e| {
        let at = place
            .at_line(e.line() as u64)
            .at_column(e.column().to_string());
        Error::data(at, format!("not a decision file: {e}"))
    })?;
    if file.format != FORMAT {
        return Err(Error::data(
            place.at_line(1),
            format!("format \"{}\" where \"{FORMAT}\" is expected", file.format),
        ));
    }
    if file.version > VERSION {
        return Err(Error::data(
            place.at_line(1),
            format!(
                "decision file version {} is newer than this build reads ({VERSION}); use a newer DataMed Workbench",
                file.version
            ),
        ));
    }
    // Each decision object opens on its own line in the files we write:
    // point at it when one is wrong.
    let lines: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("\"normalized\""))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut out: Vec<Decision> = Vec::with_capacity(file.decisions.len());
    let mut seen: HashMap<DecisionKey, usize> = HashMap::new();
    for (i, record) in file.decisions.iter().enumerate() {
        let at = match lines.get(i) {
            Some(&l) if lines.len() == file.decisions.len() => place.at_line(l),
            _ => place.clone(),
        };
        let d = record.to_decision().map_err(|m| {
            Error::data(
                at.clone(),
                format!(
                    "decision {} (\"{}\", {}): {m}",
                    i + 1,
                    record.normalized,
                    record.level
                ),
            )
        })?;
        if let Some(&j) = seen.get(&d.key) {
            if same_decision(&out[j], &d) {
                continue;
            }
            return Err(Error::data(
                at,
                format!(
                    "decision {} (\"{}\", {}) contradicts decision {} of the same file",
                    i + 1,
                    record.normalized,
                    record.level,
                    j + 1
                ),
            ));
        }
        seen.insert(d.key.clone(), out.len());
        out.push(d);
    }
    Ok(out)
}

/// Imports the decision file `path`: applies, as one undoable step by
/// `note`'s author, the decisions of keys not decided here (method
/// "imported", the original author and time kept); counts the identical
/// ones; reports the conflicting ones without applying them.
pub fn import_decisions(store: &mut Store, path: &Path, note: &Note) -> Result<ImportReport> {
    let incoming = read_file(path)?;
    let mut report = ImportReport {
        file: path.to_path_buf(),
        read: incoming.len(),
        ..ImportReport::default()
    };
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let mut entries = Vec::new();
    for d in incoming {
        match store.decision(&d.key)? {
            Some(here) if same_decision(&here, &d) => report.identical += 1,
            Some(here) => report.conflicts.push(Conflict { here, incoming: d }),
            None => {
                let mut applied = d.clone();
                applied.method = "imported".into();
                entries.push(NewAuditEntry {
                    action: AuditAction::Import,
                    key: d.key.clone(),
                    name: d.name.clone(),
                    before: None,
                    after: Some(applied.clone()),
                    comment: Some(format!(
                        "from {file_name} (decided by {} at {}, method {}){}",
                        d.author,
                        d.decided_at,
                        if d.method.is_empty() { "?" } else { &d.method },
                        note.comment
                            .as_deref()
                            .map(|c| format!(": {c}"))
                            .unwrap_or_default()
                    )),
                    compensates: None,
                });
                report.applied.push(applied);
            }
        }
    }
    store.record_step(&note.author, &entries)?;
    Ok(report)
}
