//! Every typed value the window shows has a French wording: the tests walk
//! each enum's variants (the exhaustive matches of the catalogue guarantee
//! a wording exists; these check it is there, distinct, and not English).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use super::*;
use crate::error::{Error, Place};
use crate::review::AuditAction;

/// Words that give away an English text.
const ENGLISH: [&str; 24] = [
    "the",
    "name",
    "names",
    "candidate",
    "approved",
    "rejected",
    "pending",
    "deferred",
    "unmatched",
    "similarity",
    "read",
    "load",
    "match",
    "save",
    "write",
    "workspace",
    "error",
    "file",
    "cancelled",
    "check",
    "with",
    "former",
    "manual",
    "reused",
];

/// Fails when `text` is empty or reads as English.
fn french(what: &str, text: &str) {
    assert!(!text.trim().is_empty(), "{what}: no wording");
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        assert!(
            !ENGLISH.contains(&word.to_lowercase().as_str()),
            "{what}: \"{text}\" has the English word \"{word}\""
        );
    }
}

/// Every wording of an enum is French and tells its variants apart.
fn all_french<T: std::fmt::Debug>(values: &[T], word: impl Fn(&T) -> String) {
    let mut seen = std::collections::HashMap::new();
    for v in values {
        let text = word(v);
        french(&format!("{v:?}"), &text);
        if let Some(other) = seen.insert(text.clone(), format!("{v:?}")) {
            panic!("{v:?} and {other} are both worded \"{text}\"");
        }
    }
}

#[test]
fn every_typed_value_the_window_shows_has_a_french_wording() {
    all_french(&Level::ALL, |l| level(*l).to_string());
    all_french(&TargetLevel::ALL, |l| target_level(*l).to_string());
    all_french(&MatchStatus::ALL, |s| match_status(*s).to_string());
    all_french(&NameStatus::ALL, |s| name_status(*s).to_string());
    all_french(&DecisionStatus::ALL, |s| decision_status(*s).to_string());
    all_french(&AuditAction::ALL, |a| audit_action(*a).to_string());
    all_french(&Phase::examples(), phase);
    all_french(&JobKind::ALL, |k| job_kind(*k).to_string());
    all_french(&View::ALL, |v| view(*v).to_string());
    all_french(&ExportKind::ALL, |k| export_table(*k).to_string());
    all_french(&SortChoice::ALL, |s| sort_choice(*s).to_string());
    all_french(&ScoreBand::ALL, |b| score_band(*b).to_string());
    all_french(&Figures::ALL, |f| figures(*f).to_string());
    all_french(&Reason::ALL, |r| hidden_reason(*r).to_string());
    all_french(&review::METHODS, |m| method(m));
    all_french(&crate::model::refusal::samples(), errors::refusal);
    all_french(&crate::matching::features::Status::ALL, |s| {
        explain::status(*s).to_string()
    });
    all_french(&crate::import::LeftUnknown::ALL, |l| {
        left_unknown(*l).to_string()
    });
    all_french(
        &[
            crate::matching::engine::ReferentialWarning::Missing,
            crate::matching::engine::ReferentialWarning::Older {
                referential: "2017-03-01".into(),
                newest_notification: "2018-12-31".into(),
            },
        ],
        referential_warning,
    );
}

/// The number of each error kind the window words: fails to compile when
/// a kind is added, and the test below checks it has an example.
fn variant(e: &Error) -> usize {
    match e {
        Error::Data { .. } => 0,
        Error::MissingColumns(_) => 1,
        Error::Io { .. } => 2,
        Error::Sqlite { .. } => 3,
        Error::WorkspaceTooNew { .. } => 4,
        Error::Busy { .. } => 5,
        Error::Cancelled => 6,
        Error::Refused(_) => 7,
        Error::Internal(_) => 8,
        Error::Damaged { .. } => 9,
        // The request's own text (the CLI's parser words it).
        Error::Usage(_) => 10,
    }
}

/// Error kinds worded from their fields (all but `Usage`).
const WORDED_KINDS: usize = 10;

#[test]
fn every_error_kind_is_worded_in_french() {
    let path = PathBuf::from("/données/espace.sqlite");
    let place = Place {
        file: "Cas-Patients.csv".into(),
        sheet: Some("Feuil1".into()),
        line: Some(3),
        column: Some("AGE".into()),
    };
    let kinds = [
        Error::data(place.clone(), "âge négatif -3"),
        Error::io(&path, std::io::Error::from(std::io::ErrorKind::NotFound)),
        Error::Sqlite {
            path: path.clone(),
            source: rusqlite::Error::QueryReturnedNoRows,
        },
        Error::WorkspaceTooNew {
            path: path.clone(),
            found: 9,
            supported: 8,
        },
        Error::Busy { path: path.clone() },
        Error::Cancelled,
        Error::MissingColumns(Box::new(crate::error::MissingColumns {
            place: place.clone(),
            kind: crate::model::Kind::BnpvCases,
            missing: vec!["DECES", "U_AGE"],
            found: vec!["AER_ID".into(), "CAS".into()],
        })),
        Error::Refused(crate::model::refusal::samples().remove(0)),
        Error::Internal("le fil de travail a paniqué".into()),
        Error::Damaged {
            path: path.clone(),
            detail: "page 3".into(),
        },
    ];
    let walked: std::collections::BTreeSet<usize> = kinds.iter().map(variant).collect();
    assert_eq!(
        walked,
        (0..WORDED_KINDS).collect(),
        "an error kind has no example"
    );
    for e in &kinds {
        // The SQLite detail stays SQLite's own: check the French around it.
        let text = error(e);
        let text = text.split(" (").next().unwrap_or_default();
        french(&format!("{e:?}"), text);
    }
    assert_eq!(
        error(&kinds[0]),
        "Cas-Patients.csv, feuille Feuil1, ligne 3, colonne AGE : âge négatif -3"
    );
    assert_eq!(
        error(&kinds[1]),
        "/données/espace.sqlite : fichier ou dossier introuvable"
    );
    for kind in [
        std::io::ErrorKind::PermissionDenied,
        std::io::ErrorKind::AlreadyExists,
        std::io::ErrorKind::StorageFull,
        std::io::ErrorKind::Other,
    ] {
        french(&format!("{kind:?}"), errors::io(kind));
    }
}

#[test]
fn counts_take_the_french_plural() {
    assert_eq!(count(0, "nom", "noms"), "0 nom");
    assert_eq!(count(1, "observation", "observations"), "1 observation");
    assert_eq!(count(2, "nom", "noms"), "2 noms");
    assert_eq!(count(1555, "cas", "cas"), "1 555 cas");
}

#[test]
fn numbers_and_dates_read_the_french_way() {
    assert_eq!(int(0), "0");
    assert_eq!(int(1555), "1 555");
    assert_eq!(int(-20000), "-20 000");
    assert_eq!(score(0.8125), "0,81");
    assert_eq!(decimal(12.46, 1), "12,5");
    assert_eq!(percent(0.985), "98,5\u{a0}%");
    let shown = date_time("2026-01-31T14:05:09Z");
    assert!(
        shown.starts_with("31/01/2026 ") || shown.starts_with("01/02/2026 "),
        "{shown}"
    );
    assert_eq!(shown.len(), "31/01/2026 14:05".len());
    assert_eq!(date_time("hier"), "hier");
    assert_eq!(day("2018-12-31"), "31/12/2018");
    assert_eq!(day("hier"), "hier");
}

#[test]
fn methods_and_steps_read_in_french() {
    assert_eq!(method("candidate 2"), "candidat 2");
    assert_eq!(method("similarity"), "similarité");
    assert_eq!(step(&[]), "");
}

#[test]
fn a_salt_difference_is_named_in_french() {
    use crate::model::reason::Reason;
    use crate::ui::wording::reason_fr;
    let differs = Reason::SaltDiffers {
        query: "POTASSIQUE".into(),
        candidate: "SODIQUE".into(),
    };
    assert_eq!(
        reason_fr(&differs),
        "le nom précise le sel POTASSIQUE, le candidat 1 est SODIQUE"
    );
    let none = Reason::SaltDiffers {
        query: "MESILATE".into(),
        candidate: String::new(),
    };
    assert_eq!(
        reason_fr(&none),
        "le nom précise le sel MESILATE, le candidat 1 aucun"
    );
}
