//! What a portal export publishes, cell by cell, and what changes from one
//! publication to the next: the dry run (`export portal --dry-run`, and the
//! window's export dialog before it writes) compares the tables the export
//! would write with the cells of the last export recorded in the workspace
//! ([`crate::store::publication`]).
//!
//! A cell is a table, a row key (the row's key columns: substance code,
//! category, detail, or name and type in the transcoding table), a column
//! and the value published — or nothing, when the disclosure rule hides it.
//! A count and its status column make one cell, so that a count hidden
//! before and after is no change whatever its true value.

use std::collections::{BTreeMap, BTreeSet};

use crate::indicators::PendingShare;
use crate::indicators::disclosure::STATUS_MASKED;
use crate::store::publication::{PortalExportRecord, PublishedCell};

/// Columns holding published counts, each with the column of its status:
/// a value in them is a count the rule lets out ("publie"), or empty with
/// the status "masque".
pub const COUNT_COLUMNS: [(&str, &str); 3] = [
    ("count", "status"),
    ("cases", "cases_status"),
    ("patients", "patients_status"),
];

/// One table to write, as CSV and JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalTable {
    /// Its file name without extension.
    pub name: String,
    /// Column names.
    pub header: Vec<&'static str>,
    /// Rows, as written in the CSV.
    pub rows: Vec<Vec<String>>,
}

/// The columns that identify a row of a portal table.
const KEY_COLUMNS: [&str; 5] = ["substance_code", "category", "detail", "medicament", "type"];

/// Separates the key columns' values in a row key.
const KEY_SEPARATOR: char = '\u{1f}';

/// The portal table listing the substances.
const SUBSTANCES: &str = "substances";

/// The portal's transcoding table.
const TRANSCODING: &str = "transcoding";

/// At most this many examples of each kind of change are kept.
const EXAMPLES: usize = 10;

/// Every cell `tables` publish.
pub fn cells(tables: &[PortalTable]) -> Vec<PublishedCell> {
    let mut out = Vec::new();
    for t in tables {
        let keys: Vec<usize> = t
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| KEY_COLUMNS.contains(h))
            .map(|(i, _)| i)
            .collect();
        // The status columns of the counts this table has (the transcoding
        // table's `status` is a value of its own).
        let statuses: Vec<&str> = COUNT_COLUMNS
            .iter()
            .filter(|(c, _)| t.header.contains(c))
            .map(|(_, s)| *s)
            .collect();
        for row in &t.rows {
            let key = keys
                .iter()
                .map(|&i| row[i].as_str())
                .collect::<Vec<_>>()
                .join(&KEY_SEPARATOR.to_string());
            for (i, column) in t.header.iter().enumerate() {
                if keys.contains(&i) || statuses.contains(column) {
                    continue;
                }
                let status = COUNT_COLUMNS
                    .iter()
                    .find(|(c, _)| c == column)
                    .and_then(|(_, s)| t.header.iter().position(|h| h == s))
                    .map(|si| row[si].as_str());
                out.push(PublishedCell {
                    table: t.name.clone(),
                    key: key.clone(),
                    column: (*column).to_string(),
                    value: (status != Some(STATUS_MASKED)).then(|| row[i].clone()),
                });
            }
        }
    }
    out
}

/// One cell that changes: its place and its published value before and
/// after (`None` outside: the cell is new or gone; `Some(None)`: hidden).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    /// The table.
    pub table: String,
    /// The row's key columns' values.
    pub key: Vec<String>,
    /// The column.
    pub column: String,
    /// Published before (`Some(None)`: hidden).
    pub before: Option<Option<String>>,
    /// Published after (`Some(None)`: hidden).
    pub after: Option<Option<String>>,
}

/// Published counts that change, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountChanges {
    /// Shown before and after, with another value.
    pub changed: usize,
    /// Shown before, hidden now.
    pub newly_hidden: usize,
    /// Hidden before, shown now.
    pub newly_shown: usize,
    /// In a row the last export did not have.
    pub added: usize,
    /// In a row the new export no longer has.
    pub removed: usize,
}

/// Rows of the transcoding table that change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowChanges {
    /// Names the last export did not have.
    pub added: usize,
    /// Names no longer in the table.
    pub removed: usize,
    /// Names whose status, method or substances change.
    pub changed: usize,
}

/// What an export would change against the last one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Substances added (code, name).
    pub substances_added: Vec<(String, String)>,
    /// Substances no longer published (code, name).
    pub substances_removed: Vec<(String, String)>,
    /// Published counts.
    pub counts: CountChanges,
    /// Other published values (substance names, usage levels, rates,
    /// years) that change in rows present in both.
    pub other_values_changed: usize,
    /// Rows of the transcoding table.
    pub transcoding: RowChanges,
    /// The first count changes (changed, hidden or shown), in table order.
    pub count_examples: Vec<CellChange>,
    /// The first changes of the transcoding table, one cell each.
    pub transcoding_examples: Vec<CellChange>,
}

impl Changes {
    /// Whether the export would publish exactly what the last one did.
    pub fn is_empty(&self) -> bool {
        self.substances_added.is_empty()
            && self.substances_removed.is_empty()
            && self.counts == CountChanges::default()
            && self.other_values_changed == 0
            && self.transcoding == RowChanges::default()
    }
}

/// The dry run of a portal export: what it would publish and change,
/// nothing written.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    /// The last export recorded in the workspace (`None`: never exported;
    /// every cell is then new).
    pub previous: Option<PortalExportRecord>,
    /// What changes against it.
    pub changes: Changes,
    /// Substances the export would publish.
    pub substances: usize,
    /// Cells it would publish.
    pub cells: usize,
    /// Pending observations now.
    pub pending: PendingShare,
    /// The workspace's limit on the pending share.
    pub max_pending: f64,
    /// Whether the export would be refused (pending share above the limit,
    /// not allowed).
    pub refused: bool,
}

type Place = (String, String, String);

fn split_key(key: &str) -> Vec<String> {
    if key.is_empty() {
        Vec::new()
    } else {
        key.split(KEY_SEPARATOR).map(str::to_string).collect()
    }
}

fn change(
    place: &Place,
    before: Option<&Option<String>>,
    after: Option<&Option<String>>,
) -> CellChange {
    CellChange {
        table: place.0.clone(),
        key: split_key(&place.1),
        column: place.2.clone(),
        before: before.cloned(),
        after: after.cloned(),
    }
}

/// What publishing `new` changes against `old`.
pub fn compare(old: &[PublishedCell], new: &[PublishedCell]) -> Changes {
    let index = |cells: &[PublishedCell]| -> BTreeMap<Place, Option<String>> {
        cells
            .iter()
            .map(|c| {
                (
                    (c.table.clone(), c.key.clone(), c.column.clone()),
                    c.value.clone(),
                )
            })
            .collect()
    };
    let (old, new) = (index(old), index(new));
    let is_count = |column: &str| COUNT_COLUMNS.iter().any(|(c, _)| *c == column);
    let rows = |cells: &BTreeMap<Place, Option<String>>| -> BTreeSet<(String, String)> {
        cells
            .keys()
            .map(|(t, k, _)| (t.clone(), k.clone()))
            .collect()
    };
    let (old_rows, new_rows) = (rows(&old), rows(&new));
    let mut changes = Changes::default();
    let substance_names = |cells: &BTreeMap<Place, Option<String>>| -> BTreeMap<String, String> {
        cells
            .iter()
            .filter(|((t, _, c), _)| t == SUBSTANCES && c == "substance_name")
            .map(|((_, k, _), v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect()
    };
    let (old_subs, new_subs) = (substance_names(&old), substance_names(&new));
    changes.substances_added = new_subs
        .iter()
        .filter(|(k, _)| !old_subs.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    changes.substances_removed = old_subs
        .iter()
        .filter(|(k, _)| !new_subs.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    let mut transcoding_changed = BTreeSet::new();
    for (place, after) in &new {
        let before = old.get(place);
        if place.0 == TRANSCODING {
            if before.is_some_and(|b| b != after) {
                transcoding_changed.insert(place.1.clone());
                // One example per name: its status when it changes.
                let examples = &mut changes.transcoding_examples;
                let room = examples.len() < EXAMPLES;
                match examples.last_mut() {
                    Some(e) if e.key == split_key(&place.1) && place.2 == "status" => {
                        *e = change(place, before, Some(after));
                    }
                    Some(e) if e.key == split_key(&place.1) => {}
                    _ if room => examples.push(change(place, before, Some(after))),
                    _ => {}
                }
            }
            continue;
        }
        if !is_count(&place.2) {
            if before.is_some_and(|b| b != after) {
                changes.other_values_changed += 1;
            }
            continue;
        }
        let c = &mut changes.counts;
        let counted = match (before, after) {
            (None, _) => {
                c.added += 1;
                false
            }
            (Some(Some(a)), Some(b)) if a != b => {
                c.changed += 1;
                true
            }
            (Some(Some(_)), None) => {
                c.newly_hidden += 1;
                true
            }
            (Some(None), Some(_)) => {
                c.newly_shown += 1;
                true
            }
            _ => false,
        };
        if counted && changes.count_examples.len() < EXAMPLES {
            changes
                .count_examples
                .push(change(place, before, Some(after)));
        }
    }
    for place in old.keys() {
        if !new.contains_key(place) && place.0 != TRANSCODING && is_count(&place.2) {
            changes.counts.removed += 1;
        }
    }
    let table_rows = |rows: &BTreeSet<(String, String)>| -> BTreeSet<String> {
        rows.iter()
            .filter(|(t, _)| t == TRANSCODING)
            .map(|(_, k)| k.clone())
            .collect()
    };
    let (old_names, new_names) = (table_rows(&old_rows), table_rows(&new_rows));
    changes.transcoding = RowChanges {
        added: new_names.difference(&old_names).count(),
        removed: old_names.difference(&new_names).count(),
        changed: transcoding_changed.len(),
    };
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, header: &[&'static str], rows: &[&[&str]]) -> PortalTable {
        PortalTable {
            name: name.into(),
            header: header.to_vec(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|v| v.to_string()).collect())
                .collect(),
        }
    }

    fn publication(
        year_2017: (&str, &str),
        ibuprofen: bool,
        doliprane: &str,
    ) -> Vec<PublishedCell> {
        let mut subs: Vec<&[&str]> = vec![&["02202", "PARACETAMOL", "14", "publie"]];
        if ibuprofen {
            subs.push(&["02092", "IBUPROFENE", "", "masque"]);
        }
        cells(&[
            table(
                "substances",
                &["substance_code", "substance_name", "cases", "cases_status"],
                &subs,
            ),
            table(
                "substance_year",
                &[
                    "substance_code",
                    "substance_name",
                    "category",
                    "detail",
                    "count",
                    "status",
                ],
                &[
                    &["02202", "PARACETAMOL", "2017", "", year_2017.0, year_2017.1],
                    &["02202", "PARACETAMOL", "2018", "", "", "masque"],
                ],
            ),
            table(
                "transcoding",
                &[
                    "medicament",
                    "type",
                    "status",
                    "method",
                    "substance_codes",
                    "substance_names",
                ],
                &[
                    &[
                        "DOLIPRANE",
                        "Produit",
                        doliprane,
                        doliprane,
                        "02202",
                        "PARACETAMOL",
                    ],
                    &[
                        "ADVIL",
                        "Produit",
                        "auto",
                        "exact name",
                        "02092",
                        "IBUPROFENE",
                    ],
                ],
            ),
        ])
    }

    #[test]
    fn the_same_publication_changes_nothing() {
        let a = publication(("12", "publie"), true, "auto");
        let changes = compare(&a, &a);
        assert!(changes.is_empty(), "{changes:?}");
        // A hidden count and its true value: no value leaves, so none is
        // compared.
        let hidden = a
            .iter()
            .find(|c| c.table == "substance_year" && c.key.contains("2018") && c.column == "count")
            .unwrap();
        assert_eq!(hidden.value, None);
    }

    #[test]
    fn each_kind_of_change_is_counted() {
        let old = publication(("12", "publie"), true, "pending");
        // 2017 changes value; ibuprofen leaves; DOLIPRANE approved.
        let new = publication(("13", "publie"), false, "approved");
        let c = compare(&old, &new);
        assert_eq!(
            c.substances_removed,
            [("02092".into(), "IBUPROFENE".into())]
        );
        assert!(c.substances_added.is_empty());
        assert_eq!(
            c.counts,
            CountChanges {
                changed: 1,
                removed: 1,
                ..CountChanges::default()
            }
        );
        assert_eq!(c.count_examples[0].key, ["02202", "2017", ""]);
        assert_eq!(c.count_examples[0].before, Some(Some("12".into())));
        assert_eq!(c.count_examples[0].after, Some(Some("13".into())));
        assert_eq!(c.transcoding.changed, 1);
        assert_eq!(c.transcoding_examples[0].key, ["DOLIPRANE", "Produit"]);
        assert_eq!(c.transcoding_examples[0].column, "status");
        assert_eq!(c.transcoding_examples.len(), 1);
        // Hidden now, shown again.
        let hidden = publication(("", "masque"), true, "pending");
        let c = compare(&old, &hidden);
        assert_eq!((c.counts.newly_hidden, c.counts.changed), (1, 0));
        let c = compare(&hidden, &old);
        assert_eq!(c.counts.newly_shown, 1);
        // From nothing, everything is added.
        let c = compare(&[], &old);
        assert_eq!(c.substances_added.len(), 2);
        assert_eq!(c.counts.added, 4);
        assert_eq!(c.transcoding.added, 2);
    }
}
