//! The evidence floor on the bundled sample's real referential (CODEX and
//! BDPM subsets): names that carry too little information are never linked
//! automatically, whatever they resemble; the issue's examples by name.

use std::sync::OnceLock;

use proptest::prelude::*;

use crate::import::{ImportOptions, import_paths};
use crate::jobs::Progress;
use crate::matching::decide::CALIBRATED;
use crate::matching::engine::match_name;
use crate::matching::evidence::Floor;
use crate::matching::referential::Referential;
use crate::model::Level;
use crate::model::linking::{DrugName, MatchStatus, NameMatch};
use crate::model::reason::Reason;
use crate::normalize::normalize_name;
use crate::store::Store;

/// The bundled sample's referential, imported once per test binary.
pub(super) fn referential() -> &'static Referential {
    static REFERENTIAL: OnceLock<Referential> = OnceLock::new();
    REFERENTIAL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let files: Vec<std::path::PathBuf> = std::fs::read_dir(&sample)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                name.starts_with("dbo_") || name.starts_with("HDH_") || name == "bdpm"
            })
            .collect();
        let options = ImportOptions {
            user: "test".into(),
            ..ImportOptions::default()
        };
        import_paths(&mut store, &files, &options, &Progress::new()).unwrap();
        Referential::build(&store.referential_rows().unwrap())
    })
}

pub(super) fn lookup(raw: &str, level: Level) -> NameMatch {
    let name = DrugName {
        id: 1,
        name: raw.to_string(),
        level,
        normalized: normalize_name(raw),
        n_obs: 1,
        n_cases: 1,
    };
    match_name(referential(), &name, &CALIBRATED)
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Specialite),
        Just(Level::Produit),
        Just(Level::Substance),
        Just(Level::Inconnu)
    ]
}

/// Common French words, some of which start referential names (PETIT,
/// GRAND, ROUGE…).
const COMMON: &[&str] = &[
    "MAISON",
    "SOLEIL",
    "JARDIN",
    "CHAT",
    "ROUGE",
    "BLANC",
    "PETIT",
    "GRAND",
    "MATIN",
    "SOIR",
    "JOUR",
    "TABLE",
    "PORTE",
    "VOITURE",
    "ECOLE",
    "TRAVAIL",
    "FEMME",
    "HOMME",
    "ENFANT",
    "AMI",
    "BONJOUR",
    "MERCI",
    "TOUJOURS",
    "JAMAIS",
    "BEAUCOUP",
    "POUR",
    "AVEC",
    "SANS",
    "DANS",
    "NUIT",
    "CALME",
    "FORCE",
    "DOULEUR",
    "FIEVRE",
    "TOUX",
    "COEUR",
    "TETE",
    "MAIN",
    "SANG",
    "PEAU",
    "MEDECIN",
    "PHARMACIE",
    "ORANGE",
    "VERT",
    "NOIR",
    "BLEU",
    "ROSE",
    "MER",
    "CIEL",
    "FLEUR",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn one_to_three_letters_are_never_automatic(name in "[A-Za-z]{1,3}", level in level()) {
        let m = lookup(&name, level);
        prop_assert_ne!(m.status, MatchStatus::Auto, "{} {:?}", name, m.reason);
    }

    #[test]
    fn digits_are_never_automatic(name in "[0-9]{1,6}( ?(mg|MG|g|ml|UI|%))?", level in level()) {
        let m = lookup(&name, level);
        prop_assert_ne!(m.status, MatchStatus::Auto, "{} {:?}", name, m.reason);
    }

    #[test]
    fn common_french_words_are_never_automatic(i in 0..COMMON.len(), lower in any::<bool>(), level in level()) {
        let word = if lower { COMMON[i].to_lowercase() } else { COMMON[i].to_string() };
        let m = lookup(&word, level);
        prop_assert_ne!(m.status, MatchStatus::Auto, "{} {:?}", word, m.reason);
    }
}

#[test]
fn the_issue_examples_wait_and_say_why() {
    let x = lookup("X", Level::Produit);
    assert_ne!(x.status, MatchStatus::Auto, "{x:?}");
    let a = lookup("A", Level::Specialite);
    assert_ne!(a.status, MatchStatus::Auto, "{a:?}");
    if a.status == MatchStatus::Pending {
        assert_eq!(
            a.reason,
            Reason::Floor {
                floor: Floor::TooFewLetters
            }
        );
    }
    for form in ["SIROP", "COLLYRE", "Gélule"] {
        let m = lookup(form, Level::Specialite);
        assert_ne!(m.status, MatchStatus::Auto, "{form}: {m:?}");
    }
}

#[test]
fn scores_stay_within_the_feature_lift_of_their_string_evidence() {
    use crate::matching::engine::rank;
    use crate::matching::evidence::MAX_FEATURE_LIFT;
    for raw in [
        "DOLIPRANNE 1000MG CPR",
        "X",
        "AMOXICILINE BIOGARAN 500",
        "KARDEGIC 75",
    ] {
        let name = DrugName {
            id: 1,
            name: raw.into(),
            level: Level::Specialite,
            normalized: normalize_name(raw),
            n_obs: 1,
            n_cases: 1,
        };
        let ranked = rank(referential(), &name, None);
        for (c, e) in ranked.candidates.iter().zip(&ranked.evidence) {
            assert!(
                c.score <= e.string_score + MAX_FEATURE_LIFT + 1e-9,
                "{raw}: {} scores {} on a string score of {}",
                c.target_name,
                c.score,
                e.string_score
            );
        }
    }
}
