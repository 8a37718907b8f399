//! The four tables a reviewer takes to Excel: the transcoding table, the
//! ranked candidates, the audit log and the review queue, each built as a
//! [`Sheet`] and written as a workbook or CSV ([`super::sheet`]). Column
//! names are stable English identifiers, as in every export, so that a
//! script reads the CSV of any dialect the same way; statuses and methods
//! are their identifiers too.

use std::collections::HashSet;
use std::path::Path;

use super::PublicLinks;
use super::sheet::{Cell, Sheet, SheetFormat, write_sheet};
use crate::error::{Error, Result};
use crate::model::linking::MatchStatus;
use crate::review::Decision;
use crate::store::Store;

/// The tables `datamed export` writes for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportKind {
    /// Every distinct name with its status and substances.
    Transcoding,
    /// The ranked candidates of every name.
    Candidates,
    /// Every entry of the audit log.
    Audit,
    /// The names a reviewer may still act on.
    Queue,
}

impl ExportKind {
    /// Every table.
    pub const ALL: [ExportKind; 4] = [
        ExportKind::Transcoding,
        ExportKind::Candidates,
        ExportKind::Audit,
        ExportKind::Queue,
    ];

    /// Stable identifier (the subcommand's name).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Transcoding => "transcoding",
            ExportKind::Candidates => "candidates",
            ExportKind::Audit => "audit",
            ExportKind::Queue => "queue",
        }
    }
}

/// Builds the table `kind` of `store`.
pub fn sheet(store: &Store, kind: ExportKind) -> Result<Sheet> {
    match kind {
        ExportKind::Transcoding => transcoding(store),
        ExportKind::Candidates => candidates(store),
        ExportKind::Audit => audit(store),
        ExportKind::Queue => queue(store),
    }
}

/// Writes the table `kind` of `store` to `path` in `format`; returns its
/// data rows.
pub fn export_table(
    store: &Store,
    kind: ExportKind,
    path: &Path,
    format: SheetFormat,
) -> Result<u64> {
    write_sheet(path, format, &sheet(store, kind)?)
}

/// Refuses a table of names on a workspace nobody matched.
fn require_matched(rows: usize) -> Result<()> {
    if rows == 0 {
        return Err(Error::Usage(
            "nothing to export: run datamed match on this workspace first".into(),
        ));
    }
    Ok(())
}

/// `export transcoding`: one row per distinct name, with its key's
/// decision in place of matching's status when a reviewer decided it, and
/// substance codes only for linked names ([`PublicLinks`]).
fn transcoding(store: &Store) -> Result<Sheet> {
    let names = store.substance_name_map()?;
    let links = PublicLinks::read(store)?;
    let rows = store.transcoding_rows()?;
    require_matched(rows.len())?;
    Ok(Sheet {
        title: "Transcodage",
        header: vec![
            "medicament",
            "type",
            "n_obs",
            "status",
            "method",
            "score",
            "substance_codes",
            "substance_names",
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                let link = links.link(&r);
                let substance_names: Vec<String> = link
                    .substance_codes
                    .iter()
                    .map(|c| names.get(c).cloned().unwrap_or_default())
                    .collect();
                vec![
                    r.name.name.into(),
                    r.name.level.label().into(),
                    Cell::Int(r.name.n_obs),
                    link.status.as_str().into(),
                    link.method.into(),
                    Cell::Dec(link.score, 3),
                    link.substance_codes.join("|").into(),
                    substance_names.join("|").into(),
                ]
            })
            .collect(),
    })
}

/// `export candidates`: the ranked candidates of every name, each with its
/// substance group (A: candidate 1's substances, B, C…: others) and, for a
/// pending name, why it waits.
fn candidates(store: &Store) -> Result<Sheet> {
    let rows = store.transcoding_rows()?;
    require_matched(rows.len())?;
    let mut candidates = store.candidates_by_name()?;
    let mut out = Vec::new();
    for r in rows {
        let why = match (r.status, &r.reason) {
            (MatchStatus::Pending, Some(reason)) => reason.to_string(),
            _ => String::new(),
        };
        let cands = candidates.remove(&r.name.id).unwrap_or_default();
        let groups = crate::model::linking::substance_groups(&cands);
        for c in cands {
            let group = groups
                .iter()
                .position(|(ranks, _)| ranks.contains(&c.rank))
                .map_or(String::new(), |i| {
                    char::from(b'A' + (i % 26) as u8).to_string()
                });
            out.push(vec![
                r.name.name.clone().into(),
                r.name.level.label().into(),
                Cell::Int(i64::from(c.rank)),
                Cell::Dec(c.score, 3),
                c.method.into(),
                c.target_level.as_str().into(),
                c.target_code.into(),
                c.target_name.into(),
                c.substance_codes.join("|").into(),
                group.into(),
                why.clone().into(),
            ]);
        }
    }
    Ok(Sheet {
        title: "Candidats",
        header: vec![
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
        rows: out,
    })
}

/// A decision's status, or empty.
fn status_of(d: Option<&Decision>) -> String {
    d.map_or(String::new(), |d| d.status.as_str().to_string())
}

/// A decision's target code, or empty.
fn target_of(d: Option<&Decision>) -> String {
    d.and_then(|d| d.target.as_ref())
        .map_or(String::new(), |t| t.code.clone())
}

/// `export audit`: every entry of the audit log, oldest first, with the
/// key's decision before and after it.
fn audit(store: &Store) -> Result<Sheet> {
    let names = store.substance_name_map()?;
    let rows = store
        .audit_log()?
        .into_iter()
        .map(|e| {
            let after = e.after.as_ref();
            let codes = after.map(|d| d.substance_codes.clone()).unwrap_or_default();
            let substance_names: Vec<String> = codes
                .iter()
                .map(|c| names.get(c).cloned().unwrap_or_default())
                .collect();
            vec![
                Cell::Int(e.id),
                Cell::Int(e.step),
                e.at.into(),
                e.author.into(),
                e.action.as_str().into(),
                e.name.into(),
                e.key.level.label().into(),
                status_of(e.before.as_ref()).into(),
                target_of(e.before.as_ref()).into(),
                status_of(after).into(),
                after
                    .and_then(|d| d.target.as_ref())
                    .map_or(String::new(), |t| t.level.as_str().to_string())
                    .into(),
                target_of(after).into(),
                after
                    .and_then(|d| d.target.as_ref())
                    .map_or(String::new(), |t| t.name.clone())
                    .into(),
                codes.join("|").into(),
                substance_names.join("|").into(),
                after.map_or(String::new(), |d| d.method.clone()).into(),
                e.comment.unwrap_or_default().into(),
                e.compensates.map_or(Cell::Text(String::new()), Cell::Int),
            ]
        })
        .collect();
    Ok(Sheet {
        title: "Journal d'audit",
        header: vec![
            "entry",
            "step",
            "at",
            "author",
            "action",
            "medicament",
            "type",
            "before_status",
            "before_target_code",
            "after_status",
            "after_target_level",
            "after_target_code",
            "after_target_name",
            "after_substance_codes",
            "after_substance_names",
            "after_method",
            "comment",
            "reverses_entry",
        ],
        rows,
    })
}

/// `export queue`: every name a reviewer may still act on — pending,
/// approvals flagged for review again, deferred, and names matching found
/// nothing for — most observations first, with matching's best candidate.
fn queue(store: &Store) -> Result<Sheet> {
    require_matched(store.transcoding_rows()?.len())?;
    let names = store.substance_name_map()?;
    let query = crate::review::QueueQuery {
        include_deferred: true,
        include_unmatched: true,
        ..crate::review::QueueQuery::default()
    };
    let items = crate::review::queue(store, &query)?;
    let wanted: HashSet<i64> = items.iter().map(|i| i.name.id).collect();
    let mut candidates = store.candidates_by_name()?;
    candidates.retain(|id, _| wanted.contains(id));
    let rows = items
        .into_iter()
        .map(|i| {
            let state = if i.flagged {
                "re-review"
            } else {
                i.decision.as_ref().map_or("", |d| d.status.as_str())
            };
            let best = candidates
                .remove(&i.name.id)
                .and_then(|c| c.into_iter().find(|c| c.rank == 1));
            let why = match (i.status, &i.reason) {
                (MatchStatus::Pending, Some(reason)) => reason.to_string(),
                _ => String::new(),
            };
            let best_names: Vec<String> = best
                .iter()
                .flat_map(|c| &c.substance_codes)
                .map(|c| names.get(c).cloned().unwrap_or_default())
                .collect();
            vec![
                i.name.name.clone().into(),
                i.name.level.label().into(),
                Cell::Int(i.name.n_obs),
                Cell::Int(i.name.n_cases),
                Cell::Dec(i.score, 3),
                i.status.as_str().into(),
                i.method.into(),
                state.into(),
                why.into(),
                best.as_ref()
                    .map_or(String::new(), |c| c.target_code.clone())
                    .into(),
                best.as_ref()
                    .map_or(String::new(), |c| c.target_name.clone())
                    .into(),
                best.as_ref()
                    .map_or(String::new(), |c| c.substance_codes.join("|"))
                    .into(),
                best_names.join("|").into(),
                i.name.normalized.into(),
            ]
        })
        .collect();
    Ok(Sheet {
        title: "File de revue",
        header: vec![
            "medicament",
            "type",
            "n_obs",
            "n_cases",
            "score",
            "status",
            "method",
            "state",
            "why_pending",
            "candidate_1_code",
            "candidate_1_name",
            "candidate_1_substance_codes",
            "candidate_1_substance_names",
            "normalized",
        ],
        rows,
    })
}
