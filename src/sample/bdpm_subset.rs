//! The BDPM subset shipped with a sample: this module owns copying, from the
//! four original BDPM files, the lines of the spécialités a sample uses,
//! byte for byte (cp1252, original line ends, malformed rows included), so
//! that a committed sample works without the full referential.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::referential::{CIP_FILE, CIS_FILE, COMPO_FILE, GENER_FILE};
use crate::error::{Error, Result};
use crate::jobs::{Phase, Progress};

/// The files and the field holding the CIS in each.
const FILES: [(&str, usize); 4] = [
    (CIS_FILE, 0),
    (CIP_FILE, 0),
    (COMPO_FILE, 0),
    (GENER_FILE, 2),
];

/// The CIS field of a raw line, when it is an 8-digit number.
fn cis_of(line: &[u8], field: usize) -> Option<u32> {
    let raw = line.split(|&b| b == b'\t').nth(field)?;
    let raw = raw.trim_ascii();
    if raw.len() != 8 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// The lines of `bytes` (line ends kept) whose CIS is in `keep`.
pub(crate) fn filter_lines(bytes: &[u8], field: usize, keep: &BTreeSet<u32>) -> Vec<u8> {
    let mut out = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if cis_of(line, field).is_some_and(|cis| keep.contains(&cis)) {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Writes the four filtered files into `out_dir/bdpm`.
pub(crate) fn write(
    bdpm_dir: &Path,
    out_dir: &Path,
    keep: &BTreeSet<u32>,
    progress: &Progress,
) -> Result<Vec<PathBuf>> {
    let target = out_dir.join("bdpm");
    std::fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
    progress.start_phase(Phase::WriteBdpmSubset, FILES.len() as u64);
    let mut files = Vec::with_capacity(FILES.len());
    for (name, field) in FILES {
        progress.check_cancel()?;
        let source = bdpm_dir.join(name);
        let bytes = std::fs::read(&source).map_err(|e| Error::io(&source, e))?;
        let path = target.join(name);
        std::fs::write(&path, filter_lines(&bytes, field, keep))
            .map_err(|e| Error::io(&path, e))?;
        files.push(path);
        progress.add_done(1);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_bytes_and_ends() {
        let bytes = b"60002283\tA\xe9\r\n60002504\tB\n1\tG\t60002283\t0\t1\t\r\n61111111\tC";
        let keep: BTreeSet<u32> = [60002283].into_iter().collect();
        assert_eq!(filter_lines(bytes, 0, &keep), b"60002283\tA\xe9\r\n");
        assert_eq!(filter_lines(bytes, 2, &keep), b"1\tG\t60002283\t0\t1\t\r\n");
        let last: BTreeSet<u32> = [61111111].into_iter().collect();
        assert_eq!(filter_lines(bytes, 0, &last), b"61111111\tC");
    }
}
