//! Writing datasets out of the workspace: the transcoding table (every
//! distinct name with its status and substances) and the ranked candidates.
//! Files are written to a temporary name and renamed into place, so that a
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

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
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

/// A file written under a temporary name and renamed into place on
/// [`AtomicFile::commit`]; dropped without commit, it is removed.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Creates the temporary file beside `target`.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "export".to_string());
        let temp = target.with_file_name(format!(".{name}.partial"));
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let file = std::fs::File::create(&temp).map_err(|e| Error::io(&temp, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(std::io::BufWriter::new(file)),
        })
    }

    /// Flushes and renames into place.
    pub fn commit(mut self) -> Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush().map_err(|e| Error::io(&self.temp, e))?;
            w.get_ref()
                .sync_all()
                .map_err(|e| Error::io(&self.temp, e))?;
        }
        std::fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.writer.as_mut() {
            Some(w) => w.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.writer.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes CSV rows (UTF-8, comma, header first) to `path` atomically, each
/// cell neutralised.
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

/// `datamed export transcoding`: one row per distinct name, with its
/// key's decision (approved / rejected / deferred) in place of matching's
/// status when a reviewer decided it, and substance codes only for linked
/// names ([`PublicLinks`]).
pub fn export_transcoding(store: &Store, path: &Path) -> Result<u64> {
    let names = store.substance_name_map()?;
    let links = PublicLinks::read(store)?;
    let rows = store.transcoding_rows()?;
    if rows.is_empty() {
        return Err(Error::Usage(
            "nothing to export: run datamed match on this workspace first".into(),
        ));
    }
    write_csv(
        path,
        &[
            "medicament",
            "type",
            "n_obs",
            "status",
            "method",
            "score",
            "substance_codes",
            "substance_names",
        ],
        rows.into_iter().map(|r| {
            let link = links.link(&r);
            let substance_names: Vec<String> = link
                .substance_codes
                .iter()
                .map(|c| names.get(c).cloned().unwrap_or_default())
                .collect();
            vec![
                r.name.name,
                r.name.level.label().to_string(),
                r.name.n_obs.to_string(),
                link.status.as_str().to_string(),
                link.method,
                format!("{:.3}", link.score),
                link.substance_codes.join("|"),
                substance_names.join("|"),
            ]
        }),
    )
}

/// `datamed export candidates`: the ranked candidates of every name.
pub fn export_candidates(store: &Store, path: &Path) -> Result<u64> {
    let rows = store.transcoding_rows()?;
    let mut candidates = store.candidates_by_name()?;
    let mut out = Vec::new();
    for r in rows {
        // Why the name waits, on each of its rows; the substance group of
        // each candidate (A: candidate 1's substances, B, C…: others).
        let why = match (r.status, &r.reason) {
            (crate::model::linking::MatchStatus::Pending, Some(reason)) => reason.to_string(),
            _ => String::new(),
        };
        let cands = candidates.remove(&r.name.id).unwrap_or_default();
        let groups = crate::matching::reason::substance_groups(&cands);
        for c in cands {
            let group = groups
                .iter()
                .position(|(ranks, _)| ranks.contains(&c.rank))
                .map_or(String::new(), |i| {
                    char::from(b'A' + (i % 26) as u8).to_string()
                });
            out.push(vec![
                r.name.name.clone(),
                r.name.level.label().to_string(),
                c.rank.to_string(),
                format!("{:.3}", c.score),
                c.method,
                c.target_level.as_str().to_string(),
                c.target_code,
                c.target_name,
                c.substance_codes.join("|"),
                group,
                why.clone(),
            ]);
        }
    }
    write_csv(
        path,
        &[
            "medicament",
            "type",
            "rank",
            "score",
            "method",
            "target_level",
            "target_code",
            "target_name",
            "substance_codes",
            "substance_group",
            "why_pending",
        ],
        out.into_iter(),
    )
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

    #[test]
    fn atomic_file_leaves_nothing_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"whole").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
    }
}
