//! The portal export on a hand-built workspace: refusal while too much is
//! pending, cancellation, the manifest against the files, formulas and
//! hidden cells.

use super::*;
use crate::indicators::tests::{import_open_medic, workspace};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn too_many_pending_observations_refuse_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let out = dir.path().join("portal");
    // DAFLGAN's 3 of 14 observations are pending: 21 % > 5 %.
    let err = export_portal(
        &store,
        &out,
        &PortalOptions::default(),
        &Progress::default(),
    )
    .err()
    .unwrap();
    assert_eq!(err.exit_code(), 1);
    let message = err.to_string();
    assert!(message.contains("export refused"), "{message}");
    assert!(message.contains("21.4 %"), "{message}");
    assert!(message.contains("--allow-pending"), "{message}");
    assert!(!out.exists());
    // Nothing half-written beside it either.
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("partial"))
    );
    // A workspace allowing 25 % accepts it.
    store
        .set_setting(crate::indicators::SETTING_MAX_PENDING, "0.25")
        .unwrap();
    assert!(
        export_portal(
            &store,
            &out,
            &PortalOptions::default(),
            &Progress::default()
        )
        .is_ok()
    );
}

#[test]
fn a_cancelled_export_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let out = dir.path().join("portal");
    let options = PortalOptions {
        allow_pending: true,
        ..PortalOptions::default()
    };
    let progress = Progress::default();
    progress.cancel();
    let err = export_portal(&store, &out, &options, &progress)
        .err()
        .unwrap();
    assert!(matches!(err, Error::Cancelled), "{err}");
    // Neither the directory nor a temporary one beside it.
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("portal"))
    );
}

#[test]
fn files_match_the_manifest_and_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(dir.path());
    import_open_medic(&mut store);
    store
        .set_setting(crate::indicators::disclosure::SETTING_THRESHOLD, "1")
        .unwrap();
    let out = dir.path().join("portal");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let options = PortalOptions {
        allow_pending: true,
        ..PortalOptions::default()
    };
    // A directory of other files is never replaced.
    let err = export_portal(&store, &out, &options, &Progress::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("not a portal export"), "{err}");
    assert!(out.join("notes.txt").exists());
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    // A previous export is replaced whole.
    export_portal(&store, &out, &options, &Progress::default()).unwrap();
    std::fs::write(out.join("stale.csv"), "old").unwrap();
    let summary = export_portal(&store, &out, &options, &Progress::default()).unwrap();
    assert_eq!(summary.substances, 2);
    // The previous export was replaced whole.
    assert!(!out.join("stale.csv").exists());
    let manifest: Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len() + 1, summary.files.len());
    let mut on_disk: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = files
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .chain(["manifest.json".to_string()])
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    for f in files {
        let name = f["file"].as_str().unwrap();
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(f["sha256"].as_str().unwrap(), sha256_hex(&bytes), "{name}");
    }
    assert_eq!(manifest["disclosure_rule"]["threshold"], 1);
    assert_eq!(manifest["tool_version"], env!("CARGO_PKG_VERSION"));
    let sources = manifest["sources"].as_array().unwrap();
    assert!(sources.iter().any(|s| s["kind"] == "bnpv-cases"));
    assert!(sources.iter().all(|s| s["sha256"].as_str().is_some()));
    // The formula name is neutralised in CSV, kept as text in JSON.
    let transcoding = read(&out.join("transcoding.csv"));
    assert!(transcoding.contains("'@SUM(1+1)"), "{transcoding}");
    assert!(!transcoding.contains("\n@SUM"));
    // Published values: paracetamol 4 cases, ibuprofen 1 hidden.
    let substances = read(&out.join("substances.csv"));
    assert!(substances.contains("02202,"), "{substances}");
    assert!(substances.contains(",4,publie,"), "{substances}");
    assert!(substances.contains(",,masque,"), "{substances}");
    assert!(!substances.contains("< 2"), "{substances}");
    let list: Value = serde_json::from_str(&read(&out.join("substances.json"))).unwrap();
    let ibuprofen = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["substance_code"] == "02092")
        .unwrap();
    assert_eq!(ibuprofen["cases"], Value::Null);
    assert_eq!(ibuprofen["cases_status"], "masque");
    let years: Value = serde_json::from_str(&read(&out.join("substance_year.json"))).unwrap();
    let para_2017 = years
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["substance_code"] == "02202" && r["category"] == "2017")
        .unwrap();
    assert_eq!(para_2017["count"], 2);
    // No case identifier anywhere (the hand-built ids are A1…, C1…).
    for name in &on_disk {
        let text = read(&out.join(name));
        for id in ["A1;", "\"A1\"", ",A1,", "C1;", "\"C1\"", ",C1,"] {
            assert!(!text.contains(id), "{name} holds {id}");
        }
    }
}
