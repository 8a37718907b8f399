//! Walking the folders given to an import: every file whose name says its
//! kind (or every file, when the kind is forced), sub-folders included, in
//! name order; the others listed as skipped. Links to folders are not
//! followed and a folder is entered once (a link to `.` or `..` walked for
//! ever), and only regular files are read: a FIFO would block the import,
//! a device such as `/dev/zero` fill the memory.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ImportOptions;
use super::detect::kind_from_file_name;
use crate::error::{Error, Result};

pub(super) fn collect_dir(
    dir: &Path,
    options: &ImportOptions,
    files: &mut Vec<PathBuf>,
    skipped: &mut Vec<(PathBuf, String)>,
) -> Result<()> {
    let mut visited = HashSet::new();
    walk(dir, options, files, skipped, &mut visited)
}

fn walk(
    dir: &Path,
    options: &ImportOptions,
    files: &mut Vec<PathBuf>,
    skipped: &mut Vec<(PathBuf, String)>,
    visited: &mut HashSet<PathBuf>,
) -> Result<()> {
    let real = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    if !visited.insert(real) {
        skipped.push((
            dir.to_path_buf(),
            "a folder already walked (a link back to it)".to_string(),
        ));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        // Links followed: what matters is what they lead to.
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(_) => {
                skipped.push((path, "a broken link or an unreadable entry".to_string()));
                continue;
            }
        };
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if meta.is_dir() && is_link {
            // A link to `.`, `..` or an ancestor would walk for ever, a
            // link elsewhere would import what the folder does not hold.
            skipped.push((path, "a link to a folder, not followed".to_string()));
        } else if meta.is_dir() {
            walk(&path, options, files, skipped, visited)?;
        } else if !meta.is_file() {
            skipped.push((path, not_a_regular_file(&meta).to_string()));
        } else if options.kind.is_some() || kind_from_file_name(&path).is_some() {
            files.push(path);
        } else {
            skipped.push((path, "not a recognised extract (name)".to_string()));
        }
    }
    Ok(())
}

/// What a path that is neither a folder nor a regular file is.
pub(super) fn not_a_regular_file(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe), not a regular file";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device, not a regular file";
        }
        if t.is_socket() {
            return "a socket, not a regular file";
        }
    }
    let _ = meta;
    "not a regular file"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_back_to_a_folder_and_fifos_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("Cas-Patients.csv"), "x").unwrap();
        std::os::unix::fs::symlink(".", sub.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", sub.join("up")).unwrap();
        let fifo = dir.path().join("Effets.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let (mut files, mut skipped) = (Vec::new(), Vec::new());
        collect_dir(
            dir.path(),
            &ImportOptions::default(),
            &mut files,
            &mut skipped,
        )
        .unwrap();
        assert_eq!(files, vec![sub.join("Cas-Patients.csv")]);
        assert!(
            skipped.iter().any(|(p, _)| p.ends_with("loop")),
            "{skipped:?}"
        );
        assert!(
            skipped.iter().any(|(p, _)| p.ends_with("up")),
            "{skipped:?}"
        );
        if made.is_ok_and(|s| s.success()) {
            assert!(
                skipped
                    .iter()
                    .any(|(p, why)| *p == fifo && why.contains("FIFO")),
                "{skipped:?}"
            );
        }
    }
}
