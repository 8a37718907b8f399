//! The bundled sample workspace: where it lives (the OS data directory),
//! where the bundled `sample-data/` is found (beside the sources, or
//! installed under `share/`), and preparing it — import and match — for the
//! `demo` command and the window's first run.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::import::{ImportOptions, import_paths};
use crate::jobs::Progress;
use crate::matching::engine::{MatchSummary, match_workspace};
use crate::store::Store;

/// File name of the sample workspace.
pub const SAMPLE_WORKSPACE: &str = "sample.sqlite";

/// The workbench's data directory (`~/.local/share/datamed-workbench` on
/// Linux), created when missing.
pub fn data_dir() -> Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("fr", "ANSM", "datamed-workbench").ok_or_else(|| {
            Error::Usage("no home directory: cannot place the workspace; give --workspace".into())
        })?;
    let dir = dirs.data_dir().to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// The bundled sample extracts: `$DATAMED_SAMPLE_DIR`, else
/// `<prefix>/share/datamed-workbench/sample-data` beside an installed
/// binary, else the source tree's `sample-data/`.
pub fn sample_dir() -> Result<PathBuf> {
    let mut tried = Vec::new();
    if let Ok(dir) = std::env::var("DATAMED_SAMPLE_DIR") {
        tried.push(PathBuf::from(dir));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(prefix) = exe.parent().and_then(|bin| bin.parent())
    {
        tried.push(prefix.join("share/datamed-workbench/sample-data"));
    }
    tried.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data"));
    tried
        .iter()
        .find(|d| d.join("Médicaments.csv").exists())
        .cloned()
        .ok_or_else(|| {
            Error::Usage(format!(
                "the bundled sample is not found (looked in {}); set DATAMED_SAMPLE_DIR",
                tried
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// Imports the bundled sample into `workspace` unless it already holds
/// imports, then matches every name.
pub fn prepare(
    workspace: &std::path::Path,
    user: &str,
    progress: &Progress,
) -> Result<MatchSummary> {
    let mut store = Store::open(workspace)?;
    if store.batches()?.is_empty() {
        let options = ImportOptions {
            user: user.to_string(),
            ..ImportOptions::default()
        };
        import_paths(&mut store, &[sample_dir()?], &options, progress)?;
    }
    match_workspace(&mut store, progress)
}
