//! Workspace settings changed by a person: the new value and its audit
//! entry (who, when, from what to what) written in one transaction; the
//! audit log is append-only (triggers refuse UPDATE and DELETE).

use rusqlite::{OptionalExtension, params};

use super::{Store, sql_error};
use crate::env::now_iso;
use crate::error::Result;

/// One change of a setting, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    /// When (ISO 8601, UTC).
    pub at: String,
    /// Who.
    pub author: String,
    /// The setting's key.
    pub key: String,
    /// The value before (`None`: the default applied).
    pub old_value: Option<String>,
    /// The value after.
    pub new_value: String,
}

impl Store {
    /// Sets `key` to `value` and records who changed it from what, in one
    /// transaction; returns the value it had (`None`: the default).
    pub fn set_setting_audited(
        &mut self,
        key: &str,
        value: &str,
        author: &str,
    ) -> Result<Option<String>> {
        let path = self.path.clone();
        let err = |e| sql_error(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        let old: Option<String> = tx
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        .map_err(err)?;
        tx.execute(
            "INSERT INTO setting_audit (at, author, key, old_value, new_value)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now_iso(), author, key, old, value],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(old)
    }

    /// Every recorded change of the settings, oldest first.
    pub fn setting_history(&self) -> Result<Vec<SettingChange>> {
        self.query_rows(
            "SELECT at, author, key, old_value, new_value FROM setting_audit ORDER BY id",
            [],
            |r| {
                Ok(SettingChange {
                    at: r.get(0)?,
                    author: r.get(1)?,
                    key: r.get(2)?,
                    old_value: r.get(3)?,
                    new_value: r.get(4)?,
                })
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_audited_and_the_audit_cannot_be_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        assert_eq!(store.set_setting_audited("k", "1", "ana").unwrap(), None);
        assert_eq!(
            store
                .set_setting_audited("k", "2", "bob")
                .unwrap()
                .as_deref(),
            Some("1")
        );
        let history = store.setting_history().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].author, "bob");
        assert_eq!(history[1].old_value.as_deref(), Some("1"));
        assert_eq!(history[1].new_value, "2");
        assert!(store.conn.execute("DELETE FROM setting_audit", []).is_err());
        assert!(
            store
                .conn
                .execute("UPDATE setting_audit SET author = 'x'", [])
                .is_err()
        );
    }
}
