//! Substance names in every written form, on the bundled sample's real
//! referential: the cases by name ("PAROXETINE (CHLORHYDRATE DE)",
//! "TRAMADOL CHLORHYDRATE", "AMOXICILLINE BIOGARAN 1G"), salts never linked
//! to another salt of their base, and the difference named.

use crate::matching::floor_tests::lookup;
use crate::model::Level;
use crate::model::linking::MatchStatus;
use crate::model::reason::Reason;

/// The paroxetine chlorhydrates of the sample (hemihydrate, anhydrous).
const PAROXETINE_CHLORHYDRATES: [&str; 2] = ["18265", "47018"];

#[test]
fn paroxetine_chlorhydrate_in_every_order_ranks_paroxetine_first() {
    for raw in [
        "PAROXETINE (CHLORHYDRATE DE)",
        "CHLORHYDRATE DE PAROXETINE",
        "PAROXETINE CHLORHYDRATE",
        "paroxétine chlorhydrate",
        "CHLORH. PAROXETINE",
        "PAROXETIN HCL",
    ] {
        let m = lookup(raw, Level::Substance);
        let first = &m.candidates[0];
        assert!(
            PAROXETINE_CHLORHYDRATES.contains(&first.target_code.as_str()),
            "{raw}: {} first",
            first.target_name
        );
        // Two codes, hemihydrate and anhydrous: a reviewer picks.
        assert!(
            m.candidates[..2]
                .iter()
                .all(|c| PAROXETINE_CHLORHYDRATES.contains(&c.target_code.as_str())),
            "{raw}: {:?}",
            m.candidates
        );
        assert!(
            !m.candidates[..2]
                .iter()
                .any(|c| c.target_name.contains("DAPOXETINE")),
            "{raw}"
        );
    }
}

#[test]
fn tramadol_chlorhydrate_reads_its_salt_and_is_linked() {
    for raw in [
        "TRAMADOL CHLORHYDRATE",
        "CHLORH. TRAMADOL",
        "CHLORHYDRATE DE TRAMADOL",
        "TRAMADOL (CHLORHYDRATE)",
    ] {
        let m = lookup(raw, Level::Substance);
        assert_eq!(m.status, MatchStatus::Auto, "{raw}: {m:?}");
        assert_eq!(m.substance_codes, vec!["86571"], "{raw}");
        let explanation = &m.candidates[0].explanation;
        assert!(
            explanation.contains("salt CHLORHYDRATE agrees"),
            "{raw}: {explanation}"
        );
        assert!(!explanation.contains("salt absent from query"), "{raw}");
    }
}

#[test]
fn a_salt_written_after_its_base_reaches_that_salt() {
    let m = lookup("PAROXETINE MESILATE", Level::Substance);
    assert_eq!(m.status, MatchStatus::Auto, "{m:?}");
    assert_eq!(m.substance_codes, vec!["31513"]);
    let m = lookup("AC. ACETYLSALICYLIQUE", Level::Substance);
    assert_eq!(m.substance_codes, vec!["00005"], "{m:?}");
}

#[test]
fn another_salt_of_the_base_is_never_linked_and_the_difference_is_named() {
    let m = lookup("AMOXICILLINE POTASSIQUE", Level::Substance);
    assert_ne!(m.status, MatchStatus::Auto, "{m:?}");
    assert_eq!(
        m.reason,
        Reason::SaltDiffers {
            query: "POTASSIQUE".into(),
            candidate: "SODIQUE".into()
        }
    );
    for raw in [
        "PAROXETINE MALEATE",
        "TRAMADOL SULFATE",
        "AMOXICILLINE SODIQUE",
    ] {
        let m = lookup(raw, Level::Substance);
        if m.status == MatchStatus::Auto {
            // Only the salt named: AMOXICILLINE SODIQUE is a name of 00872.
            assert_eq!(m.substance_codes, vec!["00872"], "{raw}: {m:?}");
        }
    }
}

#[test]
fn amoxicilline_biogaran_1g_reaches_its_product_and_says_why_otherwise() {
    let m = lookup("AMOXICILLINE BIOGARAN 1G", Level::Produit);
    // Candidate 1 and the name account for each other word for word; the
    // injectable AMOXICILLINE PANPHARMA (sodique) lacks BIOGARAN.
    assert_eq!(m.status, MatchStatus::Auto, "{:?}", m.reason);
    assert_eq!(m.substance_codes, vec!["28165"]);
    // A name that says less waits, and says which candidate blocks it.
    let m = lookup("AMOXICILLINE 1G", Level::Produit);
    if m.status == MatchStatus::Pending {
        assert!(
            matches!(m.reason, Reason::Rival { .. } | Reason::BelowAuto { .. }),
            "{:?}",
            m.reason
        );
    }
}
