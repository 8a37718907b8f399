//! Test fixtures written as the files agents have and imported through the
//! real importer, so that every other module's tests rest on the rows an
//! import really makes (cleaning rules, case versions, counts).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{FileReport, ImportOptions, import_file};
use crate::jobs::Progress;
use crate::store::Store;

/// Writes `text` as the file `file_name` (its name tells its kind, as the
/// agency names it) in a directory of its own, imports it, and returns the
/// report. Panics when the import fails: a fixture must go in.
pub(crate) fn import_text(store: &mut Store, file_name: &str, text: &str) -> FileReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file_name);
    std::fs::write(&path, text).unwrap();
    let options = ImportOptions {
        user: "test".into(),
        ..ImportOptions::default()
    };
    import_file(store, &path, &options, &Progress::new())
        .unwrap_or_else(|e| panic!("fixture {file_name} refused: {e}"))
}

/// A CSV file of `header` and `rows`, `;`-separated.
pub(crate) fn csv(header: &str, rows: &[&[&str]]) -> String {
    let mut text = format!("{header}\n");
    for row in rows {
        text.push_str(&row.join(";"));
        text.push('\n');
    }
    text
}

/// `Médicaments.csv` rows, one case each: (name, TYPE, observations). Case
/// numbers start from `first_case`, prefixed with `prefix`, version 1.
pub(crate) fn drugs_csv(prefix: &str, first_case: usize, names: &[(&str, &str, usize)]) -> String {
    let mut text = String::from("AER_ID;CAS;VER;MEDICAMENT;TYPE\n");
    let mut case = first_case;
    for (name, level, n) in names {
        for _ in 0..*n {
            text.push_str(&format!(
                "{prefix}{case};{prefix}C{case};1;{name};{level}\n"
            ));
            case += 1;
        }
    }
    text
}
