//! The BNPV rows a workspace already holds, so that a newer extract that
//! repeats them (a cumulative extract, the same file twice, a file and a
//! superset of it) stores and counts each of them once.
//!
//! A row is recognised by its case version (case id) and a hash of its
//! content as the file gives it (the raw values, trimmed, in column order).
//! Drug and effect rows are a multiset per case version: a case may list
//! the same drug twice, so each stored row answers for one row of the new
//! file. Case rows are one per case version: one with the same key and
//! other values is told apart (see [`Presence`]).
//!
//! Loaded inside the import's transaction, after a replaced batch is gone,
//! for the kind being imported only; rows of case versions the file
//! creates are never looked up (none can be stored).

use std::hash::{DefaultHasher, Hasher};

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use crate::model::Kind;

/// What the workspace holds of a case row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Not stored: store it.
    New,
    /// Stored with the same values: not stored again.
    Same,
    /// Stored with other values: the stored row stays (a case version
    /// does not change; a follow-up has a new VER).
    Different,
}

/// Hashes a row's content: its values trimmed, empty and missing alike.
pub fn content_hash<'a>(values: impl IntoIterator<Item = &'a str>) -> u64 {
    // SipHash with fixed keys: the same on every run, and spread well
    // enough that two contents of one case version never collide.
    let mut h = DefaultHasher::new();
    for v in values {
        h.write(v.trim().as_bytes());
        h.write_u8(0x1f);
    }
    h.finish()
}

/// The stored rows of the kind being imported.
#[derive(Debug, Default)]
pub(super) struct StoredRows {
    /// Case rows: content hash by case id.
    cases: FxHashMap<i64, u64>,
    /// Drug or effect rows: how many stored rows have this content, by
    /// (case id, content hash), less those a row of the file answered.
    rows: FxHashMap<(i64, u64), u32>,
}

/// The content columns of each BNPV table, in the order the file gives
/// them (the converters hash the same values).
fn content_columns(kind: Kind) -> Option<(&'static str, &'static str)> {
    match kind {
        Kind::BnpvCases => Some((
            "bnpv_case",
            "notif, sexe, age, u_age, date_naiss, typ_notif, typ_effet, grave, deces, pro_v, hospi, incap, ano_c, autre, pays_survenue, pays_cas",
        )),
        Kind::BnpvDrugs => Some(("bnpv_drug", "medicament, type")),
        Kind::BnpvEffects => Some(("bnpv_effect", "date_deb, effet_soc, effet_hlt")),
        _ => None,
    }
}

impl StoredRows {
    /// Reads the stored rows of `kind` (nothing for another kind).
    pub(super) fn load(conn: &Connection, kind: Kind) -> rusqlite::Result<StoredRows> {
        let mut stored = StoredRows::default();
        let Some((table, columns)) = content_columns(kind) else {
            return Ok(stored);
        };
        let width = columns.split(',').count();
        let mut stmt = conn.prepare(&format!("SELECT case_id, {columns} FROM {table}"))?;
        let mut rows = stmt.query([])?;
        let mut values: Vec<String> = Vec::with_capacity(width);
        while let Some(r) = rows.next()? {
            values.clear();
            for i in 1..=width {
                values.push(r.get::<_, Option<String>>(i)?.unwrap_or_default());
            }
            let hash = content_hash(values.iter().map(String::as_str));
            let case_id: i64 = r.get(0)?;
            if kind == Kind::BnpvCases {
                stored.cases.insert(case_id, hash);
            } else {
                *stored.rows.entry((case_id, hash)).or_default() += 1;
            }
        }
        Ok(stored)
    }

    /// What is stored of the case row of `case_id` with content `hash`.
    pub(super) fn case(&self, case_id: i64, hash: u64) -> Presence {
        match self.cases.get(&case_id) {
            None => Presence::New,
            Some(h) if *h == hash => Presence::Same,
            Some(_) => Presence::Different,
        }
    }

    /// Whether a stored drug or effect row of `case_id` with content
    /// `hash` answers for a row of the file (each stored row answers once).
    pub(super) fn take_row(&mut self, case_id: i64, hash: u64) -> bool {
        match self.rows.get_mut(&(case_id, hash)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_tell_contents_and_field_bounds_apart() {
        assert_eq!(content_hash(["A", " B "]), content_hash(["A", "B"]));
        assert_ne!(content_hash(["AB", ""]), content_hash(["A", "B"]));
        assert_ne!(content_hash(["A", "B"]), content_hash(["B", "A"]));
    }

    #[test]
    fn each_stored_row_answers_once() {
        let mut stored = StoredRows::default();
        stored.rows.insert((1, 7), 2);
        assert!(stored.take_row(1, 7));
        assert!(stored.take_row(1, 7));
        assert!(!stored.take_row(1, 7));
        assert!(!stored.take_row(2, 7));
        stored.cases.insert(1, 7);
        assert_eq!(stored.case(1, 7), Presence::Same);
        assert_eq!(stored.case(1, 8), Presence::Different);
        assert_eq!(stored.case(2, 7), Presence::New);
    }
}
