//! Tests of name normalisation: hand cases, the real BDPM names, and
//! idempotence properties.

use super::*;
use proptest::prelude::*;

#[test]
fn folds_every_french_accent_and_ligature() {
    assert_eq!(
        fold_upper("éèêëàâäïîôöùûüçÿ ÉÈÊËÀÂÄÏÎÔÖÙÛÜÇŸ"),
        "EEEEAAAIIOOUUUCY EEEEAAAIIOOUUUCY"
    );
    assert_eq!(fold_upper("œuf Œdème æ Æ"), "OEUF OEDEME AE AE");
    assert_eq!(fold_upper("ñ ã õ å ø ł ß ș ț ğ"), "N A O A O L SS S T G");
    // Decomposed accents (E + combining acute).
    assert_eq!(fold_upper("E\u{301}ZE\u{301}TIMIBE"), "EZETIMIBE");
    assert_eq!(fold_upper("µg"), "MICROG");
    assert_eq!(fold_upper("cm² ½"), "CM2 1/2");
}

#[test]
fn normalises_reporter_spellings() {
    let cases = [
        ("DOLIPRANNE 1000MG CPR", "DOLIPRANNE 1000 MG COMPRIME"),
        ("Doliprane 1000 mg, comprimé", "DOLIPRANE 1000 MG COMPRIME"),
        ("AMOXICILINE BIOGARAN 500", "AMOXICILINE BIOGARAN 500"),
        ("Kardegic 75mg sach", "KARDEGIC 75 MG SACHET"),
        ("x 2,5 mg", "X 2.5 MG"),
        ("X 2.5MG/ML", "X 2.5 MG/ML"),
        ("X 125 mg/5 ml", "X 125 MG/5 ML"),
        ("X 10 milligrammes", "X 10 MG"),
        ("X 1 gramme", "X 1 G"),
        ("X 500 GR", "X 500 G"),
        ("X 5 millilitres", "X 5 ML"),
        (
            "A 313 50 000 U.I., capsule molle",
            "A 313 50 000 UI CAPSULE MOLLE",
        ),
        ("X 100 unités internationales", "X 100 UI"),
        ("X 200 µg", "X 200 MICROG"),
        ("X 200µg", "X 200 MICROG"),
        ("X 200 mcg", "X 200 MICROG"),
        ("X 200 microgrammes", "X 200 MICROG"),
        ("X 1%, gel", "X 1 % GEL"),
        ("DOLIPRANE 2,4 POUR CENT", "DOLIPRANE 2.4 %"),
        ("X sol inj", "X SOLUTION INJECTABLE"),
        ("X pdre pour susp buv", "X POUDRE POUR SUSPENSION BUVABLE"),
        ("X CPR PELL", "X COMPRIME PELLICULE"),
        ("X cp eff", "X COMPRIME EFFERVESCENT"),
        ("X GELU", "X GELULE"),
        ("X 10 gélules", "X 10 GELULE"),
        ("X amp", "X AMPOULE"),
        ("X fl", "X FLACON"),
        (
            "DOLIPRANE 1000 mg, comprimé effervescent(e) sécable",
            "DOLIPRANE 1000 MG COMPRIME EFFERVESCENT SECABLE",
        ),
        ("X, gélule gastro-résistant(e)", "X GELULE GASTRO RESISTANT"),
        ("X, gélule gastrorés", "X GELULE GASTRO RESISTANT"),
        (
            "DOXORUBICINE ((CHLORHYDRATE DE))",
            "DOXORUBICINE (CHLORHYDRATE DE)",
        ),
        ("AMIKACINE (SULFATE D')", "AMIKACINE (SULFATE D)"),
        ("  trop   d'espaces  ", "TROP D ESPACES"),
        ("X ()", "X"),
        (
            "ÉZÉTIMIBE/SIMVASTATINE ALTER 10 mg/40 mg",
            "EZETIMIBE/SIMVASTATINE ALTER 10 MG/40 MG",
        ),
        ("X 4CH", "X 4 CH"),
        ("", ""),
        ("...", ""),
    ];
    for (raw, want) in cases {
        assert_eq!(normalize_name(raw), want, "normalising {raw:?}");
    }
}

#[test]
fn never_rewrites_the_first_word_as_a_form() {
    assert_eq!(normalize_name("SOL X"), "SOL X");
    assert_eq!(normalize_name("cp"), "CP");
    assert_eq!(
        normalize_name("MERCUR SOL Complexe n°39"),
        "MERCUR SOL COMPLEXE N 39"
    );
    assert_eq!(normalize_name("X 5 % sol"), "X 5 % SOLUTION");
    assert_eq!(normalize_name("X sol buv"), "X SOLUTION BUVABLE");
}

#[test]
fn vocabulary_outputs_are_fixed_points() {
    for (_, v) in UNIT_WORDS
        .iter()
        .chain(UNIT_WORDS_AFTER_NUMBER)
        .chain(FORM_WORDS)
    {
        for w in v.split(' ') {
            let unit = lookup(UNIT_WORDS, w);
            assert!(unit.is_none() || unit == Some(w), "{w} is remapped");
            assert!(lookup(FORM_WORDS, w).is_none(), "{w} is remapped");
            assert!(
                lookup(UNIT_WORDS_AFTER_NUMBER, w).is_none(),
                "{w} is remapped"
            );
        }
    }
}

#[test]
fn bdpm_forms_survive_normalisation() {
    assert_eq!(
        normalize_name("ADRIBLASTINE 50 mg, poudre pour solution injectable en flacon"),
        "ADRIBLASTINE 50 MG POUDRE POUR SOLUTION INJECTABLE EN FLACON"
    );
    assert_eq!(
        normalize_name("DOLIPRANE 100 mg, poudre pour solution buvable en sachet-dose"),
        "DOLIPRANE 100 MG POUDRE POUR SOLUTION BUVABLE EN SACHET DOSE"
    );
}

#[test]
fn first_word_and_number() {
    assert_eq!(
        first_word("ADRIBLASTINE 50 MG POUDRE"),
        Some("ADRIBLASTINE")
    );
    assert_eq!(first_word("(X) Y"), Some("X"));
    assert_eq!(first_word(""), None);
    assert_eq!(first_number("ADRIBLASTINE 50 MG/25 ML"), Some("50"));
    assert_eq!(first_number("X 2.5 MG"), Some("2.5"));
    assert_eq!(first_number("VITAMINE B12 1000"), Some("12"));
    assert_eq!(first_number("X 5. Y"), Some("5"));
    assert_eq!(first_number("DOLIPRANE"), None);
}

#[test]
fn upper_words_follow_the_agency() {
    let a = upper_word_set("ADRIBLASTINE 50 mg, poudre pour solution pour perfusion");
    let b = upper_word_set("ADRIBLASTINE 50 mg/25 ml, solution injectable");
    assert_eq!(a, BTreeSet::from(["ADRIBLASTINE".to_string()]));
    assert_eq!(upper_words_overlap(&a, &b), 1.0);
    let c = upper_word_set("ÉZÉTIMIBE/SIMVASTATINE ALTER 10 mg/40 mg, comprimé");
    assert!(c.contains("EZETIMIBE") && c.contains("ALTER") && c.len() == 3);
    let d = upper_word_set("DOLIPRANE 1000MG CPR");
    assert_eq!(d.len(), 2);
    assert_eq!(upper_words_overlap(&d, &a), 0.0);
    assert_eq!(upper_words_overlap(&BTreeSet::new(), &BTreeSet::new()), 0.0);
}

#[test]
fn salts_are_removed_but_minerals_kept() {
    let n = |s: &str| salt_free(&normalize_name(s));
    assert_eq!(n("DOXORUBICINE (CHLORHYDRATE DE)"), "DOXORUBICINE");
    assert_eq!(n("AMIKACINE (SULFATE D')"), "AMIKACINE");
    assert_eq!(n("CHLORHYDRATE DE DOXORUBICINE"), "DOXORUBICINE");
    assert_eq!(n("sulfate d'amikacine"), "AMIKACINE");
    assert_eq!(n("ABACAVIR (CHLORHYDRATE D') MONOHYDRATE"), "ABACAVIR");
    assert_eq!(n("AFATINIB (DIMALEATE D')"), "AFATINIB");
    assert_eq!(n("ABACAVIR BASE"), "ABACAVIR");
    assert_eq!(n("DICLOFENAC SODIQUE 50 MG"), "DICLOFENAC 50 MG");
    assert_eq!(n("PHOSPHATE DISODIQUE DE DEXAMETHASONE"), "DEXAMETHASONE");
    assert_eq!(n("CHLORURE DE SODIUM"), "CHLORURE DE SODIUM");
    assert_eq!(n("ALUMINIUM (PHOSPHATE D')"), "ALUMINIUM (PHOSPHATE D)");
    assert_eq!(n("ABEILLE (VENIN D')"), "ABEILLE (VENIN D)");
    assert_eq!(n("PARACETAMOL"), "PARACETAMOL");
    assert_eq!(
        salt_of("DOXORUBICINE (CHLORHYDRATE DE)").as_deref(),
        Some("CHLORHYDRATE")
    );
    assert_eq!(salt_of("SULFATE D AMIKACINE").as_deref(), Some("SULFATE"));
    assert_eq!(salt_of("DICLOFENAC SODIQUE").as_deref(), Some("SODIQUE"));
    assert_eq!(salt_of("DOLIPRANE 1000 MG"), None);
    assert_eq!(
        salt_of("TRAMADOL CHLORHYDRATE").as_deref(),
        Some("CHLORHYDRATE")
    );
    assert_eq!(
        salt_of(&normalize_name("TRAMADOL CHLORH.")).as_deref(),
        Some("CHLORHYDRATE")
    );
}

#[test]
fn parenthesis_rewritings() {
    assert_eq!(
        parenthesis_variants("ACETYLSALICYLIQUE (ACIDE)"),
        [
            "ACETYLSALICYLIQUE (ACIDE)",
            "ACIDE ACETYLSALICYLIQUE",
            "ACETYLSALICYLIQUE"
        ]
    );
    assert_eq!(
        parenthesis_variants("DOXORUBICINE (CHLORHYDRATE DE)"),
        [
            "DOXORUBICINE (CHLORHYDRATE DE)",
            "CHLORHYDRATE DE DOXORUBICINE",
            "DOXORUBICINE"
        ]
    );
    assert_eq!(
        parenthesis_variants("CHLORHYDRATE DE DOXORUBICINE"),
        [
            "CHLORHYDRATE DE DOXORUBICINE",
            "DOXORUBICINE (CHLORHYDRATE DE)",
            "DOXORUBICINE"
        ]
    );
    assert_eq!(
        parenthesis_variants("ACIDE ASCORBIQUE"),
        ["ACIDE ASCORBIQUE", "ASCORBIQUE (ACIDE)"]
    );
    assert_eq!(parenthesis_variants("PARACETAMOL"), ["PARACETAMOL"]);
}

#[test]
fn unspecific_names() {
    for s in [
        "Traitement habituel",
        "INCONNU",
        "vaccin",
        "Antibiotique",
        "autres médicaments",
        "non précisé",
        "antalgiques",
        "contraceptif oral",
        "ANTIBIOTIQUE NON PRECISE",
        "?",
        "",
    ] {
        assert!(
            is_unspecific(&normalize_name(s)),
            "{s} should be unspecific"
        );
    }
    for s in ["DOLIPRANE", "VACCIN GRIPPAL", "PARACETAMOL", "VACCIN 2"] {
        assert!(!is_unspecific(&normalize_name(s)), "{s} should be specific");
    }
}

#[test]
fn real_bdpm_names_normalise_idempotently() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/bdpm/2022-06");
    let mut names: Vec<String> = Vec::new();
    for (file, col) in [("CIS_bdpm.txt", 1), ("CIS_COMPO_bdpm.txt", 3)] {
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            eprintln!("skipped: {file} not found");
            return;
        };
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        names.extend(
            text.lines()
                .filter_map(|l| l.split('\t').nth(col).map(str::to_string)),
        );
    }
    assert!(names.len() > 40_000);
    for (i, raw) in names.iter().enumerate() {
        let once = normalize_name(raw);
        assert_eq!(normalize_name(&once), once, "{raw:?}");
        assert!(once.is_ascii(), "{raw:?} gives {once:?}");
        assert!(!once.chars().any(|c| c.is_ascii_lowercase()), "{raw:?}");
        if i % 1500 == 0 {
            println!("{raw:?} -> {once:?} -> salt free {:?}", salt_free(&once));
        }
    }
}

fn drugish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "DOLIPRANE",
            "1000",
            "MG",
            "mg",
            "1000MG",
            "2,5",
            ",",
            ".",
            "(",
            ")",
            "((",
            "))",
            "(e)",
            "/",
            "%",
            "U.I.",
            "U",
            "I",
            "POUR",
            "CENT",
            "cpr",
            "CP",
            "gel",
            "GR",
            "500",
            "µg",
            "é",
            "Œ",
            "-",
            "'",
            " ",
            "  ",
            "SOL",
            "INJ",
            "gastrorés",
            "unités",
            "internationales",
            "x",
            "5.",
            ".5",
            "2.5.3",
            "[",
            "}",
            "+",
        ]),
        0..14,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn idempotent_on_any_text(s in any::<String>()) {
        let once = normalize_name(&s);
        prop_assert_eq!(normalize_name(&once), once);
    }

    #[test]
    fn idempotent_on_drug_like_text(s in drugish()) {
        let once = normalize_name(&s);
        prop_assert_eq!(normalize_name(&once), once.clone());
        prop_assert!(!once.contains("  ") && once.trim() == once);
    }

    #[test]
    fn salt_free_is_normalised(s in drugish()) {
        let norm = normalize_name(&s);
        let free = salt_free(&norm);
        prop_assert_eq!(normalize_name(&free), free);
    }
}

#[test]
fn substance_names_in_every_written_form_share_one_key() {
    let key = |s: &str| substance_key(&normalize_name(s)).unwrap();
    let forms = [
        "PAROXETINE (CHLORHYDRATE DE)",
        "CHLORHYDRATE DE PAROXETINE",
        "PAROXETINE CHLORHYDRATE",
        "CHLORHYDRATE PAROXETINE",
        "PAROXETINE (CHLORHYDRATE)",
        "CHLORH. PAROXETINE",
        "chlorhydrate de paroxétine",
        "PAROXETIN HCL",
    ];
    let salted = |s: &str| key(s).salted();
    for f in &forms {
        assert_eq!(salted(f), salted(forms[0]), "{f}");
    }
    // Hydrate words stand apart; the salt and base stay.
    let hydrated = key("CHLORHYDRATE DE PAROXETINE HEMIHYDRATE");
    assert_eq!(hydrated.salted(), salted(forms[0]));
    assert_eq!(hydrated.hydrates, "HEMIHYDRATE");
    assert_eq!(key("AMOXICILLINE TRIHYDRATEE").hydrates, "TRIHYDRATE");
    // D' and DE, acids abbreviated, INN spellings.
    assert_eq!(
        key("CHLORHYDRATE D'AMILORIDE"),
        key("AMILORIDE (CHLORHYDRATE D')")
    );
    assert_eq!(key("AC. VALPROIQUE"), key("VALPROIQUE (ACIDE)"));
    assert_eq!(key("AMOXICILLIN"), key("AMOXICILLINE"));
    assert_eq!(key("FENOBARBITAL"), key("PHENOBARBITAL"));
    // Another salt is another key.
    assert_ne!(salted("PAROXETINE (MESILATE DE)"), salted(forms[0]));
    assert_ne!(salted("AMOXICILLINE SODIQUE"), salted("AMOXICILLINE"));
}
