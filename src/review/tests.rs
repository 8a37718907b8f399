//! Review on a small hand-made workspace: a tiny referential, a few names
//! with known matching results, so that every action, undo and redo,
//! reuse, re-review flags and the decision exchange are checked exactly.

// A failing test should stop at the failing call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::*;
use crate::import::fixtures::{csv, drugs_csv, import_text};
use crate::model::linking::{Candidate, NameMatch};

/// The referential: two spécialités, their produits, two substances,
/// imported as CODEX files; without EFFERALGAN, only the spécialités and
/// produits (the files that change).
fn import_referential(store: &mut Store, with_efferalgan: bool) {
    let mut vu: Vec<&[&str]> = vec![&["V1", "60234100", "P1", "DOLIPRANE 1000 mg, comprimé"]];
    let mut produits: Vec<&[&str]> = vec![&["P1", "DOLIPRANE"]];
    if with_efferalgan {
        vu.push(&["V2", "60000002", "P2", "EFFERALGAN 500 mg"]);
        produits.push(&["P2", "EFFERALGAN"]);
    }
    import_text(
        store,
        "dbo_VU.csv",
        &csv("codeVU;codeCIS;codeProduit;nomVU", &vu),
    );
    import_text(
        store,
        "dbo_Produit.csv",
        &csv("codeProduit;nomProduit", &produits),
    );
    if !with_efferalgan {
        return;
    }
    import_text(
        store,
        "dbo_Composants.csv",
        &csv(
            "codeVU;codeSubstance;codeNomSubstance;codeNature",
            &[
                &["V1", "02202", "02202", "3"],
                &["V2", "02202", "02202", "3"],
            ],
        ),
    );
    import_text(
        store,
        "dbo_NomsSubstance.csv",
        &csv(
            "codeNomSubstance;codeSubstance;nomSubstance",
            &[
                &["02202", "02202", "PARACETAMOL"],
                &["04179", "04179", "CODEINE"],
            ],
        ),
    );
}

/// Imports BNPV drug rows: (name, level, observations), one case each,
/// case numbers prefixed with `prefix`.
fn import_names(store: &mut Store, prefix: &str, names: &[(&str, Level, usize)]) {
    let rows: Vec<(&str, &str, usize)> = names
        .iter()
        .map(|(name, level, n)| (*name, level.label(), *n))
        .collect();
    import_text(store, "Médicaments.csv", &drugs_csv(prefix, 1, &rows));
}

fn candidate(rank: u32, level: TargetLevel, code: &str, name: &str, score: f64) -> Candidate {
    Candidate {
        rank,
        score,
        method: "similarity".into(),
        target_level: level,
        target_code: code.into(),
        target_name: name.into(),
        substance_codes: vec!["02202".into()],
        similarity: score,
        explanation: String::new(),
    }
}

/// Matching results, fixed: every DOLIPRANNE and EFERALGAN pending with
/// two candidates, TRUC unmatched, PARACETAMOL auto.
fn save_matches(store: &mut Store) {
    let matches: Vec<NameMatch> = store
        .drug_names()
        .unwrap()
        .into_iter()
        .map(|n| {
            let (status, score, candidates) = match n.normalized.as_str() {
                "TRUC" => (MatchStatus::Unmatched, 0.0, vec![]),
                "PARACETAMOL" => (
                    MatchStatus::Auto,
                    1.0,
                    vec![candidate(
                        1,
                        TargetLevel::Substance,
                        "02202",
                        "PARACETAMOL",
                        1.0,
                    )],
                ),
                norm => (
                    MatchStatus::Pending,
                    if norm == "EFERALGAN" { 0.7 } else { 0.85 },
                    vec![
                        candidate(1, TargetLevel::Produit, "P1", "DOLIPRANE", 0.85),
                        candidate(2, TargetLevel::Produit, "P2", "EFFERALGAN", 0.7),
                    ],
                ),
            };
            NameMatch {
                name_id: n.id,
                status,
                method: "similarity".into(),
                score,
                substance_codes: candidates
                    .first()
                    .map(|c| c.substance_codes.clone())
                    .unwrap_or_default(),
                reason: crate::model::reason::Reason::BelowAuto { score, auto: 0.9 },
                candidates,
            }
        })
        .collect();
    store.save_matches(&matches).unwrap();
}

fn workspace(path: &Path) -> Store {
    let mut store = Store::open(path).unwrap();
    import_referential(&mut store, true);
    import_names(
        &mut store,
        "first",
        &[
            ("DOLIPRANNE", Level::Produit, 5),
            ("DOLIPRANNE", Level::Specialite, 2),
            ("DOLIPRANNE", Level::Substance, 1),
            ("EFERALGAN", Level::Produit, 3),
            ("TRUC", Level::Produit, 1),
            ("PARACETAMOL", Level::Substance, 10),
        ],
    );
    save_matches(&mut store);
    store
}

/// A workspace in a temporary directory and the ids of its pending
/// DOLIPRANNE (produit) and EFERALGAN names (other modules' tests).
pub(crate) fn pending_store() -> (tempfile::TempDir, Store, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(&dir.path().join("w.sqlite"));
    let ids = vec![
        id(&store, "DOLIPRANNE", Level::Produit),
        id(&store, "EFERALGAN", Level::Produit),
    ];
    (dir, store, ids)
}

fn id(store: &Store, name: &str, level: Level) -> i64 {
    find_name(store, name, level).unwrap().id
}

fn queue_names(store: &Store) -> Vec<(String, Level)> {
    queue(store, &QueueQuery::default())
        .unwrap()
        .into_iter()
        .map(|i| (i.name.name, i.name.level))
        .collect()
}

#[test]
fn the_queue_holds_pending_undecided_names_most_observations_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(&dir.path().join("w.sqlite"));
    assert_eq!(
        queue_names(&store),
        vec![
            ("DOLIPRANNE".to_string(), Level::Produit),
            ("EFERALGAN".to_string(), Level::Produit),
            ("DOLIPRANNE".to_string(), Level::Specialite),
            ("DOLIPRANNE".to_string(), Level::Substance),
        ]
    );
    let by = |q: QueueQuery| -> Vec<String> {
        queue(&store, &q)
            .unwrap()
            .into_iter()
            .map(|i| format!("{} {}", i.name.name, i.name.level.as_str()))
            .collect()
    };
    assert_eq!(
        by(QueueQuery {
            sort: QueueSort::Score,
            limit: Some(1),
            ..QueueQuery::default()
        }),
        vec!["DOLIPRANNE produit"]
    );
    assert_eq!(
        by(QueueQuery {
            max_score: Some(0.8),
            ..QueueQuery::default()
        }),
        vec!["EFERALGAN produit"]
    );
    assert_eq!(
        by(QueueQuery {
            text: Some("éfer".into()),
            include_unmatched: true,
            ..QueueQuery::default()
        }),
        vec!["EFERALGAN produit"]
    );
    assert_eq!(
        by(QueueQuery {
            level: Some(Level::Produit),
            include_unmatched: true,
            sort: QueueSort::Name,
            ..QueueQuery::default()
        }),
        vec!["DOLIPRANNE produit", "EFERALGAN produit", "TRUC produit"]
    );
    assert!(
        by(QueueQuery {
            method: Some("exact name".into()),
            ..QueueQuery::default()
        })
        .is_empty()
    );
}

#[test]
fn approve_reject_defer_comment_leave_the_queue_and_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let alice = Note::by("alice");
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    let e = approve_candidate(
        &mut store,
        doli,
        2,
        &alice.clone().with_comment(Some("brand".into())),
    )
    .unwrap();
    let d = e.after.clone().unwrap();
    assert_eq!(d.status, DecisionStatus::Approved);
    assert_eq!(d.method, "candidate 2");
    assert_eq!(d.score, Some(0.7));
    assert_eq!(d.target.as_ref().unwrap().code, "P2");
    assert_eq!(d.comment.as_deref(), Some("brand"));
    assert!(approve_candidate(&mut store, doli, 9, &alice).is_err());
    let efer = id(&store, "EFERALGAN", Level::Produit);
    reject(&mut store, efer, &alice).unwrap();
    let spe = id(&store, "DOLIPRANNE", Level::Specialite);
    defer(&mut store, spe, &alice).unwrap();
    assert_eq!(
        queue_names(&store),
        vec![("DOLIPRANNE".to_string(), Level::Substance)]
    );
    let deferred = queue(
        &store,
        &QueueQuery {
            include_deferred: true,
            ..QueueQuery::default()
        },
    )
    .unwrap();
    assert_eq!(deferred.len(), 2);
    comment(&mut store, doli, "checked the leaflet", "bob").unwrap();
    let truc = id(&store, "TRUC", Level::Produit);
    comment(&mut store, truc, "what is this?", "bob").unwrap();
    let key = DecisionKey::of(&store.drug_name(doli).unwrap().unwrap());
    let now = store.decision(&key).unwrap().unwrap();
    assert_eq!(now.comment.as_deref(), Some("checked the leaflet"));
    assert_eq!(now.author, "alice");
    assert!(
        store
            .decision(&DecisionKey::of(&store.drug_name(truc).unwrap().unwrap()))
            .unwrap()
            .is_none()
    );
    let h = history(&store, doli).unwrap();
    assert_eq!(
        h.iter()
            .map(|e| (e.action, e.author.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (AuditAction::Approve, "alice"),
            (AuditAction::Comment, "bob")
        ]
    );
    assert_eq!(
        history(&store, truc).unwrap()[0].comment.as_deref(),
        Some("what is this?")
    );
    // The export shows the decisions.
    let rows = store.transcoding_rows().unwrap();
    let status = |name: &str, level: Level| {
        let row = rows
            .iter()
            .find(|r| r.name.name == name && r.name.level == level)
            .unwrap();
        resolution(row).status.as_str()
    };
    assert_eq!(status("DOLIPRANNE", Level::Produit), "approved");
    assert_eq!(status("EFERALGAN", Level::Produit), "rejected");
    assert_eq!(status("DOLIPRANNE", Level::Specialite), "pending");
    assert_eq!(status("PARACETAMOL", Level::Substance), "auto");
}

#[test]
fn manual_targets_several_substances_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let hits = search(&store, "codéine", None, 5).unwrap();
    assert_eq!(hits[0].code, "04179");
    let para = search(&store, "paracetamol", Some(TargetLevel::Substance), 5).unwrap();
    let truc = id(&store, "TRUC", Level::Produit);
    let e = approve_targets(
        &mut store,
        truc,
        &[hits[0].clone(), para[0].clone()],
        &Note::by("alice"),
    )
    .unwrap();
    let d = e.after.unwrap();
    assert_eq!(d.substance_codes, vec!["02202", "04179"]);
    let t = d.target.unwrap();
    assert_eq!(
        (t.level, t.code.as_str()),
        (TargetLevel::Substance, "02202|04179")
    );
    assert_eq!(t.name, "PARACETAMOL + CODEINE");
    assert_eq!(d.method, "manual");
    let produit = search(&store, "doliprane", Some(TargetLevel::Produit), 5).unwrap();
    assert!(
        approve_targets(
            &mut store,
            truc,
            &[produit[0].clone(), para[0].clone()],
            &Note::by("a")
        )
        .is_err()
    );
    assert!(approve_targets(&mut store, truc, &[], &Note::by("a")).is_err());
}

#[test]
fn undo_and_redo_compensate_an_authors_own_steps() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let alice = Note::by("alice");
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    let efer = id(&store, "EFERALGAN", Level::Produit);
    approve_candidate(&mut store, doli, 1, &alice).unwrap();
    reject(&mut store, efer, &alice).unwrap();
    approve_candidate(&mut store, efer, 2, &alice).unwrap();
    // Bob's action is not Alice's to undo.
    let spe = id(&store, "DOLIPRANNE", Level::Specialite);
    defer(&mut store, spe, &Note::by("bob")).unwrap();
    assert_eq!(
        undo_state(&store, "alice").unwrap(),
        UndoState { undo: 3, redo: 0 }
    );
    let efer_key = DecisionKey::of(&store.drug_name(efer).unwrap().unwrap());
    let undone = undo(&mut store, "alice").unwrap().unwrap();
    assert_eq!(undone[0].action, AuditAction::Undo);
    assert_eq!(
        store.decision(&efer_key).unwrap().unwrap().status,
        DecisionStatus::Rejected
    );
    undo(&mut store, "alice").unwrap().unwrap();
    assert!(store.decision(&efer_key).unwrap().is_none());
    assert_eq!(
        undo_state(&store, "alice").unwrap(),
        UndoState { undo: 1, redo: 2 }
    );
    redo(&mut store, "alice").unwrap().unwrap();
    assert_eq!(
        store.decision(&efer_key).unwrap().unwrap().status,
        DecisionStatus::Rejected
    );
    // Undoing the redo, then redoing twice, ends where Alice was.
    undo(&mut store, "alice").unwrap().unwrap();
    assert!(store.decision(&efer_key).unwrap().is_none());
    redo(&mut store, "alice").unwrap().unwrap();
    redo(&mut store, "alice").unwrap().unwrap();
    let now = store.decision(&efer_key).unwrap().unwrap();
    assert_eq!(
        (now.status, now.method.as_str()),
        (DecisionStatus::Approved, "candidate 2")
    );
    assert!(redo(&mut store, "alice").unwrap().is_none());
    // A new action clears the redo stack.
    undo(&mut store, "alice").unwrap().unwrap();
    defer(&mut store, efer, &alice).unwrap();
    assert!(redo(&mut store, "alice").unwrap().is_none());
    // Nothing was erased: every entry is in the log, compensations point back.
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), 12);
    for e in log
        .iter()
        .filter(|e| matches!(e.action, AuditAction::Undo | AuditAction::Redo))
    {
        let target = e.compensates.unwrap();
        assert!(log.iter().any(|o| o.id == target && o.id < e.id));
    }
}

#[test]
fn undo_is_refused_when_another_reviewer_changed_the_key_since() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    approve_candidate(&mut store, doli, 1, &Note::by("alice")).unwrap();
    let approval = store.audit_log().unwrap()[0].id;
    reject(&mut store, doli, &Note::by("bob")).unwrap();
    let err = undo(&mut store, "alice").err().unwrap();
    assert!(err.to_string().contains("changed since by bob"), "{err}");
    // Bob reverts Alice's approval instead... which is refused as well,
    // since his own rejection came after; he reverts his rejection.
    assert!(revert(&mut store, approval, &Note::by("carol")).is_err());
    let rejection = store.audit_log().unwrap()[1].id;
    let e = revert(&mut store, rejection, &Note::by("carol")).unwrap();
    assert_eq!(e.action, AuditAction::Revert);
    assert_eq!(e.after.unwrap().author, "alice");
}

#[test]
fn apply_to_identical_names_reaches_only_unreviewed_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    assert!(identical_preview(&store, doli).is_err());
    let spe = id(&store, "DOLIPRANNE", Level::Specialite);
    defer(&mut store, spe, &Note::by("bob")).unwrap();
    approve_candidate(&mut store, doli, 1, &Note::by("alice")).unwrap();
    let preview = identical_preview(&store, doli).unwrap();
    assert_eq!(preview.keys, 1);
    assert_eq!(preview.observations, 1);
    assert_eq!(preview.names[0].level, Level::Substance);
    let written = apply_to_identical(&mut store, doli, &Note::by("alice")).unwrap();
    assert_eq!(written.len(), 1);
    let d = written[0].after.clone().unwrap();
    assert_eq!(
        (d.key.level, d.method.as_str()),
        (Level::Substance, "reused")
    );
    assert_eq!(d.target.unwrap().code, "P1");
    assert_eq!(identical_preview(&store, doli).unwrap().keys, 0);
    // One undo takes the whole application back.
    undo(&mut store, "alice").unwrap().unwrap();
    assert!(queue_names(&store).contains(&("DOLIPRANNE".to_string(), Level::Substance)));
}

#[test]
fn a_later_extract_reuses_decisions_and_records_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    approve_candidate(&mut store, doli, 1, &Note::by("alice")).unwrap();
    assert_eq!(record_reuses(&mut store, "alice").unwrap(), 0);
    // A new extract spells the name differently; same key.
    import_names(
        &mut store,
        "second",
        &[
            ("Dolipranne", Level::Produit, 2),
            ("NEW", Level::Produit, 1),
        ],
    );
    save_matches(&mut store);
    assert!(!queue_names(&store).contains(&("Dolipranne".to_string(), Level::Produit)));
    let rows = store.transcoding_rows().unwrap();
    let row = rows.iter().find(|r| r.name.name == "Dolipranne").unwrap();
    let r = resolution(row);
    assert_eq!(
        (r.status.as_str(), r.method.as_str()),
        ("approved", "reused")
    );
    assert_eq!(r.substance_codes, vec!["02202"]);
    assert_eq!(record_reuses(&mut store, "importer").unwrap(), 1);
    assert_eq!(record_reuses(&mut store, "importer").unwrap(), 0);
    let h = history(&store, doli).unwrap();
    assert_eq!(h.last().unwrap().action, AuditAction::Reused);
    assert_eq!(h.last().unwrap().name, "Dolipranne");
    // Reuse bookkeeping is nobody's step to undo.
    assert_eq!(undo_state(&store, "importer").unwrap().undo, 0);
    let p = progress(&store).unwrap();
    assert_eq!(p.names_decided, 2);
    assert_eq!(p.by_reviewer[0].author, "alice");
}

#[test]
fn approvals_whose_target_left_the_referential_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    let efer = id(&store, "EFERALGAN", Level::Produit);
    approve_candidate(&mut store, doli, 1, &Note::by("alice")).unwrap();
    approve_candidate(&mut store, efer, 2, &Note::by("alice")).unwrap();
    assert!(flagged(&store).unwrap().is_empty());
    // The new referential no longer has EFFERALGAN (P2).
    import_referential(&mut store, false);
    let f = flagged(&store).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].missing, vec!["P2"]);
    let q = queue(&store, &QueueQuery::default()).unwrap();
    let item = q.iter().find(|i| i.name.id == efer).unwrap();
    assert!(item.flagged);
    assert!(q.iter().all(|i| i.name.id != doli));
    assert_eq!(progress(&store).unwrap().flagged, 1);
}

#[test]
fn progress_counts_auto_and_decided_names_and_observations() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let p = progress(&store).unwrap();
    assert_eq!((p.names, p.observations), (6, 22));
    assert_eq!((p.names_resolved, p.observations_resolved), (1, 10));
    assert_eq!(p.names_to_review, 4);
    let doli = id(&store, "DOLIPRANNE", Level::Produit);
    approve_candidate(&mut store, doli, 1, &Note::by("alice")).unwrap();
    let truc = id(&store, "TRUC", Level::Produit);
    reject(&mut store, truc, &Note::by("bob")).unwrap();
    let spe = id(&store, "DOLIPRANNE", Level::Specialite);
    defer(&mut store, spe, &Note::by("bob")).unwrap();
    let p = progress(&store).unwrap();
    assert_eq!((p.names_resolved, p.observations_resolved), (3, 16));
    assert_eq!((p.names_auto, p.names_decided), (1, 2));
    assert!((p.observation_share() - 16.0 / 22.0).abs() < 1e-9);
    assert_eq!(p.names_to_review, 2);
    assert_eq!(
        p.by_reviewer,
        vec![
            ReviewerTally {
                author: "bob".into(),
                approved: 0,
                rejected: 1,
                deferred: 1
            },
            ReviewerTally {
                author: "alice".into(),
                approved: 1,
                rejected: 0,
                deferred: 0
            },
        ]
    );
}

#[test]
fn decisions_travel_between_workspaces_and_conflicts_stay_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = workspace(&dir.path().join("a.sqlite"));
    let doli = id(&a, "DOLIPRANNE", Level::Produit);
    let efer = id(&a, "EFERALGAN", Level::Produit);
    approve_candidate(
        &mut a,
        doli,
        1,
        &Note::by("alice").with_comment(Some("=sûr".into())),
    )
    .unwrap();
    reject(&mut a, efer, &Note::by("alice")).unwrap();
    let file = dir.path().join("decisions.json");
    assert_eq!(export_decisions(&a, &file, "alice").unwrap(), 2);

    let mut b = workspace(&dir.path().join("b.sqlite"));
    let efer_b = id(&b, "EFERALGAN", Level::Produit);
    approve_candidate(&mut b, efer_b, 2, &Note::by("bob")).unwrap();
    let report = import_decisions(&mut b, &file, &Note::by("bob")).unwrap();
    assert_eq!(report.read, 2);
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.identical, 0);
    assert_eq!(report.conflicts.len(), 1);
    let c = &report.conflicts[0];
    assert_eq!(c.here.status, DecisionStatus::Approved);
    assert_eq!(c.incoming.status, DecisionStatus::Rejected);
    // The conflict was not applied; the new decision was, as alice's.
    let efer_key = DecisionKey::of(&b.drug_name(efer_b).unwrap().unwrap());
    assert_eq!(b.decision(&efer_key).unwrap().unwrap().author, "bob");
    let doli_key = DecisionKey::of(&b.drug_name(doli).unwrap().unwrap());
    let imported = b.decision(&doli_key).unwrap().unwrap();
    assert_eq!(
        (imported.author.as_str(), imported.method.as_str()),
        ("alice", "imported")
    );
    assert_eq!(imported.comment.as_deref(), Some("=sûr"));
    let again = import_decisions(&mut b, &file, &Note::by("bob")).unwrap();
    assert_eq!(
        (again.applied.len(), again.identical, again.conflicts.len()),
        (0, 1, 1)
    );
    // The import is one step of its importer.
    undo(&mut b, "bob").unwrap().unwrap();
    assert!(b.decision(&doli_key).unwrap().is_none());
}

#[test]
fn a_broken_decision_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = workspace(&dir.path().join("w.sqlite"));
    let file = dir.path().join("d.json");
    std::fs::write(&file, "{\n \"format\": \"datamed-decisions\",\n \"version\": 1,\n \"decisions\": [\n  {\"normalized\": \"X\", oops}\n ]}\n").unwrap();
    let err = import_decisions(&mut store, &file, &Note::by("a"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("line 5"), "{err}");
    std::fs::write(
        &file,
        "{\"format\": \"datamed-decisions\", \"version\": 1, \"decisions\": [\n{\"normalized\": \"X\", \"level\": \"produit\", \"status\": \"approved\"}]}",
    )
    .unwrap();
    let err = import_decisions(&mut store, &file, &Note::by("a"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("needs a target"), "{err}");
    assert!(store.audit_log().unwrap().is_empty());
}
