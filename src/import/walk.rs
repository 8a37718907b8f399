//! Walking the folders given to an import: every file whose name says its
//! kind (or every file, when the kind is forced), sub-folders included, in
//! name order; the others listed as skipped.

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
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, options, files, skipped)?;
        } else if options.kind.is_some() || kind_from_file_name(&path).is_some() {
            files.push(path);
        } else {
            skipped.push((path, "not a recognised extract (name)".to_string()));
        }
    }
    Ok(())
}
