//! The workspace: one SQLite file, and the only place in the crate that holds
//! a connection or speaks SQL. Opening sets the pragmas (WAL, foreign keys,
//! busy timeout), creates the file with mode 0600 (and brings an existing
//! one the user owns back to 0600), refuses a workspace written by a newer
//! version before touching it, refuses a damaged one (`PRAGMA quick_check`),
//! and runs the numbered migrations.
//! One file per aggregate below: [`imports`] (batches and imported rows),
//! [`cases`] (which version of each case counts), [`status`] (what a
//! workspace holds).

pub mod cases;
pub mod imports;
pub mod indicators;
pub mod matching;
pub mod migrations;
pub mod publication;
pub mod review;
pub mod settings;
pub mod status;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// How long a writer waits for another process's transaction to finish
/// before reporting the workspace as busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open workspace.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the workspace at `path`, creating it (mode 0600) when missing,
    /// and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sql_error(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        // Read the version before any pragma that could write to the file:
        // a newer workspace must be left exactly as it is.
        let found: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| store.err(e))?;
        if found > migrations::LATEST_VERSION {
            return Err(Error::WorkspaceTooNew {
                path: path.to_path_buf(),
                found,
                supported: migrations::LATEST_VERSION,
            });
        }
        if found > 0 && first_opening(path, true) {
            store.quick_check().inspect_err(|_| {
                first_opening(path, false);
            })?;
        }
        if found == 0 {
            // Only a new, empty file takes a page size (before WAL is on):
            // larger pages make the bulk imports' B-trees shallower.
            store
                .conn
                .pragma_update(None, "page_size", 8192)
                .map_err(|e| store.err(e))?;
        }
        store.set_pragmas()?;
        if found < migrations::LATEST_VERSION {
            migrations::migrations()
                .to_latest(&mut store.conn)
                .map_err(|e| match e {
                    rusqlite_migration::Error::RusqliteError { err, .. } => store.err(err),
                    other => Error::Usage(format!("workspace {}: {other}", path.display())),
                })?;
        }
        Ok(store)
    }

    /// Opens a second, read-only connection to this workspace, for a
    /// reader on another thread (WAL lets it read while this one writes).
    pub fn reader(&self) -> Result<Store> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| self.err(e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
        Ok(Store {
            conn,
            path: self.path.clone(),
        })
    }

    /// How long a write waits for another process before the workspace is
    /// reported busy.
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        self.conn.busy_timeout(timeout).map_err(|e| self.err(e))
    }

    /// The workspace file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn set_pragmas(&self) -> Result<()> {
        // While another process bulk-loads the workspace (see
        // begin_bulk_load), WAL cannot be set: this connection then works
        // with the rollback journal too, reading between that import's
        // commits instead of waiting for its end; WAL comes back with it.
        let wal = self.try_journal_mode("WAL")?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| self.err(e))?;
        // WAL makes NORMAL durable against process crashes, which is what a
        // saved decision needs; only a power loss may lose the last commit.
        // A rollback journal needs FULL for that, as SQLite advises.
        self.conn
            .pragma_update(None, "synchronous", if wal { "NORMAL" } else { "FULL" })
            .map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "cache_size", -256_000)
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Sets the journal mode if no other connection is in the way, asking
    /// once without waiting (a connection may stay open for hours); whether
    /// the workspace is now in `mode`.
    pub(crate) fn try_journal_mode(&self, mode: &str) -> Result<bool> {
        self.conn
            .busy_timeout(Duration::ZERO)
            .map_err(|e| self.err(e))?;
        let set = self
            .conn
            .pragma_update_and_check(None, "journal_mode", mode, |r| r.get::<_, String>(0));
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(e))?;
        match set {
            Ok(now) => Ok(now.eq_ignore_ascii_case(mode)),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.err(e)),
        }
    }

    /// Puts the workspace in SQLite's rollback-journal mode for a bulk load,
    /// when this connection is the only one open on it; `Ok(false)` (and
    /// nothing changed) when another connection, here or in another
    /// process, keeps it in WAL.
    ///
    /// Why: in WAL mode every page a transaction writes goes to disk twice,
    /// to the WAL at commit and to the file at the checkpoint. A rollback
    /// journal keeps only the former content of the pages a transaction
    /// changes, and the pages an import appends had none: each is written
    /// once. On the three full-scale BNPV files the commits took 0.9 s in
    /// WAL and 0.4 s this way. Each file still goes in one transaction, as
    /// atomic as in WAL; `synchronous = FULL` meanwhile, as SQLite advises
    /// for a rollback journal. [`Store::end_bulk_load`] puts WAL back, and
    /// so does the next [`Store::open`] if this process dies before it.
    pub fn begin_bulk_load(&self) -> Result<bool> {
        if !self.try_journal_mode("DELETE")? {
            return Ok(false);
        }
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// Ends what [`Store::begin_bulk_load`] began: WAL and `synchronous =
    /// NORMAL` again.
    pub fn end_bulk_load(&self) -> Result<()> {
        self.set_pragmas()
    }

    /// The workspace's journal mode, in lower case (`wal` between imports).
    pub fn journal_mode(&self) -> Result<String> {
        self.conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Runs a query and collects every row through `map`.
    pub(crate) fn query_rows<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        stmt.query_map(params, map)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// Wraps a SQLite error with the workspace path, telling "busy" apart.
    fn err(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.path, e)
    }

    /// Runs SQLite's integrity check; `Ok(true)` when it prints `ok`.
    pub fn integrity_ok(&self) -> Result<bool> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(result == "ok")
    }

    /// SQLite's quick check of every page: a workspace with damaged pages
    /// is refused before anything reads figures from it or writes to it.
    fn quick_check(&self) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA quick_check(5)")
            .map_err(|e| self.err(e))?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.damaged(e.to_string()))?;
        if lines.len() == 1 && lines[0] == "ok" {
            return Ok(());
        }
        Err(self.damaged(lines.join("; ")))
    }

    fn damaged(&self, detail: String) -> Error {
        Error::Damaged {
            path: self.path.clone(),
            detail,
        }
    }

    /// A workspace setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets a workspace setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO setting (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// Creates an empty file readable by its owner only, so that the SQLite file
/// holding confidential case data is never world-readable, even briefly.
fn create_private_file(path: &Path) -> Result<()> {
    if path.exists() {
        make_private(path);
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Whether this process opens the workspace at `path` for the first time:
/// the quick check reads every page (0.35 s for the 12 MB sample
/// workspace), so it runs once per process and workspace, not at each of
/// the window's refreshes. A failed check is forgotten (`remember` false):
/// the next opening checks again.
fn first_opening(path: &Path, remember: bool) -> bool {
    use std::sync::{Mutex, OnceLock};
    static CHECKED: OnceLock<Mutex<std::collections::HashSet<PathBuf>>> = OnceLock::new();
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut checked = CHECKED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if remember {
        checked.insert(key)
    } else {
        checked.remove(&key)
    }
}

/// Brings an existing workspace (and its WAL files) the user owns back to
/// mode 0600: one copied or made by another tool may be world-readable.
/// Best effort: a file someone else owns is left as it is.
fn make_private(path: &Path) {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        // Only the owner may change the mode: someone else's file is left.
        if meta.permissions().mode() & 0o077 != 0 && meta.uid() == current_uid() {
            let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The user id this process runs as (the owner of what it creates).
#[cfg(unix)]
fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt as _;
    // /proc/self is owned by the process's user.
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}

/// Turns a SQLite error into the core error, naming the workspace.
pub(crate) fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        )
    {
        return Error::Busy {
            path: path.to_path_buf(),
        };
    }
    Error::Sqlite {
        path: path.to_path_buf(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn an_existing_world_readable_workspace_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        drop(Store::open(&path).unwrap());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(Store::open(&path).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_workspace_with_damaged_pages_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        {
            let store = Store::open(&path).unwrap();
            store
                .conn
                .execute_batch(
                    "PRAGMA journal_mode = DELETE;
                     CREATE TABLE filler (x TEXT);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                     INSERT INTO filler SELECT printf('%0500d', i) FROM n;",
                )
                .unwrap();
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let len = bytes.len();
        // Garbage over pages in the middle of the file, header untouched.
        for b in &mut bytes[len / 2..len / 2 + 16384] {
            *b = 0x5A;
        }
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path).err();
        assert!(matches!(err, Some(Error::Damaged { .. })), "{err:?}");
    }

    #[test]
    fn new_workspace_is_private_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let store = Store::open(&path).unwrap();
        assert!(store.integrity_ok().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let fk: i64 = store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let page_bytes: i64 = store
            .conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        assert_eq!(page_bytes, 8192);
        // Reopening an existing workspace keeps it as it is.
        drop(store);
        let again = Store::open(&path).unwrap();
        let page_bytes: i64 = again
            .conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        assert_eq!(page_bytes, 8192);
    }

    #[test]
    fn newer_workspace_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::WorkspaceTooNew { found: 99, .. }));
        assert!(err.to_string().contains("newer"));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_second_writer_is_told_the_workspace_is_busy() {
        use crate::store::imports::tests::drugs_batch as batch;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let mut first = Store::open(&path).unwrap();
        let mut second = Store::open(&path).unwrap();
        second.set_busy_timeout(Duration::from_millis(50)).unwrap();
        let writer = first
            .begin_import(&batch("a"), crate::store::imports::Replace::Nothing)
            .unwrap();
        let err = second
            .begin_import(&batch("b"), crate::store::imports::Replace::Nothing)
            .err()
            .unwrap();
        assert!(matches!(err, Error::Busy { .. }), "{err}");
        assert!(err.to_string().contains("busy"));
        drop(writer);
        // Once the first writer is gone, the second goes through.
        assert!(
            second
                .begin_import(&batch("b"), crate::store::imports::Replace::Nothing)
                .is_ok()
        );
    }

    #[test]
    fn settings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        assert_eq!(store.setting("x").unwrap(), None);
        store.set_setting("x", "1").unwrap();
        store.set_setting("x", "2").unwrap();
        assert_eq!(store.setting("x").unwrap().as_deref(), Some("2"));
    }
}
