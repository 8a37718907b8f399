//! The ids of case versions and distinct drug names an import refers to,
//! given by the reading thread itself, and the bookkeeping of which version
//! of each case counts.
//!
//! A case is its CAS; VER numbers its versions. Only the latest version of
//! a case counts ([`crate::model::compare_versions`]), and not at all once
//! a cumulative extract left the case out (retired). The cache holds, per
//! CAS, the version that counts, read once from `case_current` and updated
//! as the import meets new versions; on commit the writer stores what
//! changed and moves the drug names' observation counts from the versions
//! that stopped counting to those that started.

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::present::{Presence, StoredRows};
use crate::model::{Kind, Level, compare_versions};

/// The version of a case that counts.
#[derive(Debug, Clone)]
pub(super) struct Current {
    /// Its case id.
    pub(super) id: i64,
    ver: Box<str>,
    /// The Cas-Patients batch that retired the case (absent from a
    /// cumulative extract): it then counts nowhere.
    pub(super) retired_by: Option<i64>,
    /// The number of the last file whose case rows named the case.
    seen_in: u32,
}

/// How a case stood before the file being imported changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Before {
    /// The case id that counted.
    pub(super) id: i64,
    /// Whether it was retired.
    pub(super) retired: bool,
}

/// The ids of case versions and distinct drug names: the workspace's, read
/// once, plus those an import creates. Ids are given here (the next after
/// the largest stored), so that the rows referring to them can be built on
/// another thread than the one writing them.
#[derive(Debug, Default)]
pub struct KeyCache {
    /// Case ids by "AER_ID\u{1f}CAS\u{1f}VER".
    pub(super) cases: FxHashMap<Box<str>, i64>,
    pub(super) next_case: i64,
    /// Drug name ids by "level\u{1f}name".
    pub(super) names: FxHashMap<Box<str>, i64>,
    pub(super) next_name: i64,
    /// Reused buffer for the keys above.
    key: String,
    /// The last case key asked for and its id: the rows of a case follow
    /// each other, so most rows ask for the same key again.
    last_case: (String, i64),
    /// Per CAS, the version that counts.
    pub(super) current: FxHashMap<Box<str>, Current>,
    /// Whether each case id counts (latest version, not retired), by id.
    counted: Vec<bool>,
    /// The CAS the current file changed (a new case, a newer version, a
    /// retirement or its end), with how each stood before (none: new).
    pub(super) changed: FxHashMap<Box<str>, Option<Before>>,
    /// (case id, name id) of the drug rows the current file brings that
    /// count if their case version does (ORDEI's duplicates left out).
    pub(super) observations: Vec<(i64, i64)>,
    /// Case ids from this one on were created by the current file: no
    /// earlier batch has rows of them.
    pub(super) first_new_case: i64,
    /// The current file's number, for `seen_in`.
    file_number: u32,
    /// The rows of the current file's kind the workspace already holds.
    stored: StoredRows,
}

impl KeyCache {
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<KeyCache> {
        let mut cache = KeyCache::default();
        let mut stmt = conn.prepare("SELECT aer_id, cas, ver, id FROM case_key")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            cache.key.clear();
            for i in 0..3 {
                if i > 0 {
                    cache.key.push('\u{1f}');
                }
                cache.key.push_str(r.get_ref(i)?.as_str()?);
            }
            let id: i64 = r.get(3)?;
            cache.next_case = cache.next_case.max(id);
            cache.cases.insert(cache.key.as_str().into(), id);
        }
        let mut stmt = conn.prepare(
            "SELECT k.cas, k.ver, c.case_id, c.retired_by
             FROM case_current c JOIN case_key k ON k.id = c.case_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let current = Current {
                id: r.get(2)?,
                ver: r.get_ref(1)?.as_str()?.into(),
                retired_by: r.get(3)?,
                seen_in: 0,
            };
            cache.set_counted(current.id, current.retired_by.is_none());
            cache
                .current
                .insert(r.get_ref(0)?.as_str()?.into(), current);
        }
        let mut stmt = conn.prepare("SELECT level, name, id FROM drug_name")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            cache.key.clear();
            cache.key.push_str(r.get_ref(0)?.as_str()?);
            cache.key.push('\u{1f}');
            cache.key.push_str(r.get_ref(1)?.as_str()?);
            let id: i64 = r.get(2)?;
            cache.next_name = cache.next_name.max(id);
            cache.names.insert(cache.key.as_str().into(), id);
        }
        cache.next_case += 1;
        cache.next_name += 1;
        cache.begin_file();
        Ok(cache)
    }

    /// Reads the rows of `kind` the workspace holds, for the file about to
    /// be read (inside its transaction).
    pub(super) fn load_stored(&mut self, conn: &Connection, kind: Kind) -> rusqlite::Result<()> {
        self.stored = StoredRows::load(conn, kind)?;
        Ok(())
    }

    /// What the workspace holds of the case row of `case_id` whose values
    /// hash to `hash` ([`super::content_hash`]).
    pub fn case_presence(&self, case_id: i64, hash: u64) -> Presence {
        if case_id >= self.first_new_case {
            return Presence::New;
        }
        self.stored.case(case_id, hash)
    }

    /// Whether the workspace already holds a drug or effect row of
    /// `case_id` whose values hash to `hash`, not yet answering for an
    /// earlier row of the file: the row is then not stored again.
    pub fn take_stored_row(&mut self, case_id: i64, hash: u64) -> bool {
        case_id < self.first_new_case && self.stored.take_row(case_id, hash)
    }

    /// Starts the bookkeeping of a new file: nothing changed yet.
    pub(super) fn begin_file(&mut self) {
        self.changed.clear();
        self.observations.clear();
        self.stored = StoredRows::default();
        self.first_new_case = self.next_case;
        self.file_number += 1;
    }

    fn set_counted(&mut self, id: i64, counted: bool) {
        let Ok(at) = usize::try_from(id) else {
            return;
        };
        if self.counted.len() <= at {
            self.counted.resize(at + 1, false);
        }
        self.counted[at] = counted;
    }

    /// Whether case id `id` counts as the import leaves it.
    pub(super) fn is_counted(&self, id: i64) -> bool {
        usize::try_from(id)
            .ok()
            .and_then(|at| self.counted.get(at))
            .copied()
            .unwrap_or(false)
    }

    /// The id of a case version, and whether it is new (to be stored with
    /// [`super::RowBatch::new_case`]). A new version later than the one
    /// that counted takes its place.
    pub fn case_id(&mut self, aer_id: &str, cas: &str, ver: &str) -> (i64, bool) {
        self.key.clear();
        self.key.push_str(aer_id);
        self.key.push('\u{1f}');
        self.key.push_str(cas);
        self.key.push('\u{1f}');
        self.key.push_str(ver);
        if self.last_case.1 != 0 && self.key == self.last_case.0 {
            return (self.last_case.1, false);
        }
        let (id, new) = match self.cases.get(self.key.as_str()) {
            Some(id) => (*id, false),
            None => {
                let id = self.next_case;
                self.next_case += 1;
                self.cases.insert(self.key.as_str().into(), id);
                self.new_version(cas, ver, id);
                (id, true)
            }
        };
        self.last_case.0.clone_from(&self.key);
        self.last_case.1 = id;
        (id, new)
    }

    /// Records a new case version: it counts if it is the case's latest.
    /// Of two versions with the same VER (another AER_ID), the first stays.
    fn new_version(&mut self, cas: &str, ver: &str, id: i64) {
        match self.current.get_mut(cas) {
            None => {
                self.current.insert(
                    cas.into(),
                    Current {
                        id,
                        ver: ver.into(),
                        retired_by: None,
                        seen_in: 0,
                    },
                );
                self.changed.entry(cas.into()).or_insert(None);
                self.set_counted(id, true);
            }
            Some(current) if compare_versions(ver, &current.ver).is_gt() => {
                let before = Before {
                    id: current.id,
                    retired: current.retired_by.is_some(),
                };
                let old = current.id;
                current.id = id;
                current.ver = ver.into();
                let counts = current.retired_by.is_none();
                self.changed.entry(cas.into()).or_insert(Some(before));
                self.set_counted(old, false);
                self.set_counted(id, counts);
            }
            Some(_) => {}
        }
    }

    /// Notes that a case row of the current file named `cas` (after
    /// [`KeyCache::case_id`]): a retired case comes back.
    pub fn saw_case(&mut self, cas: &str) {
        let file = self.file_number;
        let Some(current) = self.current.get_mut(cas) else {
            return;
        };
        current.seen_in = file;
        if current.retired_by.take().is_some() {
            let id = current.id;
            self.changed
                .entry(cas.into())
                .or_insert(Some(Before { id, retired: true }));
            self.set_counted(id, true);
        }
    }

    /// The cases that count and that no case row of the current file
    /// named: what a cumulative extract left out.
    pub(super) fn unseen_cases(&self) -> Vec<Box<str>> {
        let file = self.file_number;
        let mut unseen: Vec<Box<str>> = self
            .current
            .iter()
            .filter(|(_, c)| c.seen_in != file && c.retired_by.is_none())
            .map(|(cas, _)| cas.clone())
            .collect();
        unseen.sort_unstable();
        unseen
    }

    /// Retires `cas` by `batch`: it counts nowhere until an extract holds
    /// it again.
    pub(super) fn retire(&mut self, cas: &str, batch: i64) {
        let Some(current) = self.current.get_mut(cas) else {
            return;
        };
        if current.retired_by.is_some() {
            return;
        }
        current.retired_by = Some(batch);
        let id = current.id;
        self.changed
            .entry(cas.into())
            .or_insert(Some(Before { id, retired: false }));
        self.set_counted(id, false);
    }

    /// The id of a distinct drug name at a level, and whether it is new.
    pub fn name_id(&mut self, name: &str, level: Level) -> (i64, bool) {
        self.key.clear();
        self.key.push_str(level.as_str());
        self.key.push('\u{1f}');
        self.key.push_str(name);
        if let Some(id) = self.names.get(self.key.as_str()) {
            return (*id, false);
        }
        let id = self.next_name;
        self.next_name += 1;
        self.names.insert(self.key.as_str().into(), id);
        (id, true)
    }

    /// Records one observation of a drug name in a case version (not an
    /// ORDEI duplicate): it counts if that version does once the file is in.
    pub fn count_observation(&mut self, case_id: i64, name_id: i64) {
        self.observations.push((case_id, name_id));
    }
}
