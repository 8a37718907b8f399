//! The ids of case versions and distinct drug names an import refers to,
//! given by the reading thread itself.

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use crate::model::Level;

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
    /// Observations per drug name brought by this file (duplicates left
    /// out), added to the names' counts on commit.
    pub(super) name_counts: FxHashMap<i64, i64>,
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
        Ok(cache)
    }

    /// The id of a case version, and whether it is new (to be stored with
    /// [`RowBatch::new_case`] or by the writer).
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
                (id, true)
            }
        };
        self.last_case.0.clone_from(&self.key);
        self.last_case.1 = id;
        (id, new)
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

    /// Counts one observation of a drug name (not an ORDEI duplicate).
    pub fn count_observation(&mut self, name_id: i64) {
        *self.name_counts.entry(name_id).or_default() += 1;
    }
}
