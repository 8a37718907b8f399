//! The bundled sample workspace: where it lives (the OS data directory),
//! where the bundled `sample-data/` is found at run time (beside the
//! executable, installed under `share/`, or in the source tree), and
//! preparing it — import and match — for the
//! `demo` command and the window's first run.

use std::path::{Path, PathBuf};

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

/// Where the bundled sample extracts are looked for, in order: the
/// `DATAMED_SAMPLE_DIR` override, `sample-data/` next to the executable
/// (the Windows zip), `<prefix>/share/datamed-workbench/sample-data` for an
/// executable in `<prefix>/bin` and `/usr/share/datamed-workbench/sample-data`
/// (the Debian package), then `sample-data/` in a source tree (a folder with
/// `Cargo.toml`) above the executable or the current directory (`cargo
/// run`, a target directory inside the clone or elsewhere). Found at run
/// time: no path of the build machine is compiled in.
pub fn sample_dir_candidates(
    override_dir: Option<PathBuf>,
    exe: Option<&Path>,
    current_dir: Option<&Path>,
) -> Vec<PathBuf> {
    let mut candidates = Vec::new();
    candidates.extend(override_dir);
    if let Some(exe_dir) = exe.and_then(Path::parent) {
        candidates.push(exe_dir.join("sample-data"));
        if let Some(prefix) = exe_dir.parent() {
            candidates.push(prefix.join("share/datamed-workbench/sample-data"));
        }
    }
    candidates.push(PathBuf::from("/usr/share/datamed-workbench/sample-data"));
    for start in [exe.and_then(Path::parent), current_dir]
        .into_iter()
        .flatten()
    {
        for dir in start.ancestors() {
            if dir.join("Cargo.toml").is_file() {
                candidates.push(dir.join("sample-data"));
                break;
            }
        }
    }
    let mut seen = Vec::new();
    candidates.retain(|c| {
        let new = !seen.contains(c);
        seen.push(c.clone());
        new
    });
    candidates
}

/// The bundled sample extracts: the first of [`sample_dir_candidates`]
/// that holds them, or an error listing every place looked in.
pub fn sample_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().ok();
    let cwd = std::env::current_dir().ok();
    let tried = sample_dir_candidates(
        std::env::var_os("DATAMED_SAMPLE_DIR").map(PathBuf::from),
        exe.as_deref(),
        cwd.as_deref(),
    );
    tried
        .iter()
        .find(|d| d.join("Médicaments.csv").is_file())
        .cloned()
        .ok_or_else(|| {
            Error::Usage(format!(
                "the bundled sample is not found (looked in {}); set DATAMED_SAMPLE_DIR to its folder",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_looked_for_beside_the_exe_then_share_then_the_source_tree() {
        let tree = tempfile::tempdir().unwrap();
        std::fs::write(tree.path().join("Cargo.toml"), "[package]\n").unwrap();
        let exe = tree.path().join("target/release/datamed");
        let elsewhere = tempfile::tempdir().unwrap();
        let found = sample_dir_candidates(
            Some(PathBuf::from("/override")),
            Some(&exe),
            Some(elsewhere.path()),
        );
        assert_eq!(
            found,
            vec![
                PathBuf::from("/override"),
                tree.path().join("target/release/sample-data"),
                tree.path()
                    .join("target/share/datamed-workbench/sample-data"),
                PathBuf::from("/usr/share/datamed-workbench/sample-data"),
                tree.path().join("sample-data"),
            ]
        );
        // An installed binary: share/ beside bin/ (deduplicated with
        // /usr/share), then the source tree of the current directory.
        let installed = sample_dir_candidates(
            None,
            Some(Path::new("/usr/bin/datamed")),
            Some(&tree.path().join("src")),
        );
        assert_eq!(
            installed,
            vec![
                PathBuf::from("/usr/bin/sample-data"),
                PathBuf::from("/usr/share/datamed-workbench/sample-data"),
                tree.path().join("sample-data"),
            ]
        );
    }
}
