//! What the window opens on when the binary is started with paths rather
//! than a command — `datamed WS.sqlite`, `datamed open WS.sqlite`, or an
//! extract double-clicked in a file manager (`datamed Médicaments.csv`) —
//! and whether a window can open at all. The window reads the resulting
//! [`Launch`]; nothing here knows about egui.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What the window should show first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    /// The workspace to open; `None`: the last one (the sample workspace on
    /// first run).
    pub workspace: Option<PathBuf>,
    /// Files to offer for import into it (listed in the import view, not
    /// imported until the user says so).
    pub import: Vec<PathBuf>,
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether `path` is a SQLite database (a workspace) rather than an
/// extract: by its header, so that a workspace renamed `.db` or without an
/// extension is still recognised.
pub fn is_workspace_file(path: &Path) -> bool {
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok_and(|()| &header == SQLITE_HEADER)
}

/// Sorts the paths given on the command line into a workspace to open and
/// files to offer for import. Every path must exist (a mistyped name must
/// not create an empty workspace); at most one may be a workspace.
pub fn from_paths(paths: &[PathBuf]) -> Result<Launch> {
    let mut launch = Launch::default();
    for path in paths {
        if !path.exists() {
            return Err(Error::Usage(format!(
                "{}: no such file (a workspace is created by datamed import, or from the window's Fichier menu)",
                path.display()
            )));
        }
        if path.is_dir() {
            launch.import.push(path.clone());
        } else if is_workspace_file(path) {
            if let Some(first) = &launch.workspace {
                return Err(Error::Usage(format!(
                    "two workspaces given ({} and {}): the window opens one",
                    first.display(),
                    path.display()
                )));
            }
            launch.workspace = Some(path.clone());
        } else {
            launch.import.push(path.clone());
        }
    }
    Ok(launch)
}

/// Whether `arg`, the first argument, names a file to open rather than a
/// command: it exists, or it ends in a workspace extension (so that a
/// missing workspace gets a clear message instead of "unrecognized
/// subcommand"). Commands never contain a dot or a path separator.
pub fn looks_like_path(arg: &std::ffi::OsStr) -> bool {
    let path = Path::new(arg);
    if path.exists() {
        return true;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["sqlite", "sqlite3", "db"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Printed instead of the window when there is no display to open it on:
/// one line, in French and English, saying what works without one.
pub const NO_DISPLAY_HINT: &str = "Pas d'écran graphique (DISPLAY/WAYLAND_DISPLAY) : la fenêtre ne peut pas s'ouvrir ; essayez `datamed demo` puis `datamed --help` pour la ligne de commande. / No display: the window cannot open; try `datamed demo`, then `datamed --help` for the command line.";

/// Whether a window can be opened: on Linux and the BSDs, an X11 or
/// Wayland display is named in the environment; elsewhere the desktop is
/// always there.
pub fn display_available() -> bool {
    if cfg!(any(windows, target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspaces_are_told_from_extracts_by_their_header() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("renamed.db");
        crate::store::Store::open(&ws).unwrap();
        let csv = dir.path().join("Médicaments.csv");
        std::fs::write(&csv, "a;b\n").unwrap();
        let launch = from_paths(&[csv.clone(), ws.clone()]).unwrap();
        assert_eq!(launch.workspace, Some(ws.clone()));
        assert_eq!(launch.import, vec![csv]);
        assert!(is_workspace_file(&ws));
    }

    #[test]
    fn missing_files_and_two_workspaces_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("typo.sqlite");
        assert!(matches!(from_paths(&[missing]), Err(Error::Usage(_))));
        let a = dir.path().join("a.sqlite");
        let b = dir.path().join("b.sqlite");
        crate::store::Store::open(&a).unwrap();
        crate::store::Store::open(&b).unwrap();
        assert!(matches!(from_paths(&[a, b]), Err(Error::Usage(_))));
    }

    #[test]
    fn commands_are_not_paths() {
        assert!(!looks_like_path("import".as_ref()));
        assert!(!looks_like_path("demo".as_ref()));
        assert!(looks_like_path("absent.sqlite".as_ref()));
        assert!(looks_like_path(env!("CARGO_MANIFEST_DIR").as_ref()));
    }
}
