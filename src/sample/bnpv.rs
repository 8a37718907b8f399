//! The synthetic BNPV extract: this module owns the case level (key,
//! notification date, patient sex and age, notifier, seriousness and its
//! criteria, country) and the effects (SOC and HLT), with distributions close
//! to the real base, and streams the three cp1252 files Cas-Patients.csv,
//! Médicaments.csv and Effets.csv. Drug names come from [`super::drugs`].

use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::csv_out::{OutFile, push_field};
use super::drugs::Catalogue;
use super::names::name_key;
use crate::error::{Error, Place, Result};
use crate::jobs::{Phase, Progress};

/// Case file name.
pub const CASES_FILE: &str = "Cas-Patients.csv";
/// Drug file name (é in the file system name, UTF-8).
pub const DRUGS_FILE: &str = "Médicaments.csv";
/// Effect file name.
pub const EFFECTS_FILE: &str = "Effets.csv";

/// Header of Cas-Patients.csv, formats.md order.
pub(crate) const CASES_HEADER: &str = "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS";
/// Header of Médicaments.csv.
pub(crate) const DRUGS_HEADER: &str = "AER_ID;CAS;VER;MEDICAMENT;TYPE";
/// Header of Effets.csv.
pub(crate) const EFFECTS_HEADER: &str = "AER_ID;CAS;VER;DATE_DEB;EFFET_SOC;EFFET_HLT";

/// Regional pharmacovigilance centres, whose code opens a case number.
const CENTRES: [&str; 31] = [
    "AM", "AN", "BX", "BS", "BR", "CN", "CF", "DJ", "GR", "LL", "LM", "LY", "MA", "MP", "NC", "NT",
    "NI", "PA", "PB", "PC", "PS", "PO", "RN", "RE", "RO", "SE", "ST", "TO", "TS", "FV", "CR",
];

/// Notifier types and their shares; empty means unknown.
const NOTIFIERS: [(&str, f64); 7] = [
    ("Médecin spécialiste", 33.0),
    ("Médecin généraliste", 17.0),
    ("Pharmacien", 20.0),
    ("Autre professionnel de santé", 10.0),
    ("Patient", 12.0),
    ("Autre", 2.0),
    ("", 6.0),
];

/// Effect types and their shares.
const EFFECT_TYPES: [(&str, f64); 7] = [
    ("Effet indésirable", 85.0),
    ("Erreur médicamenteuse", 4.0),
    ("Surdosage", 3.0),
    ("Mésusage", 3.0),
    ("Exposition au cours de la grossesse", 2.0),
    ("Abus", 1.5),
    ("Inefficacité", 1.5),
];

/// Countries of occurrence other than France.
const OTHER_COUNTRIES: [&str; 10] = [
    "BELGIQUE",
    "SUISSE",
    "ALLEMAGNE",
    "ESPAGNE",
    "ITALIE",
    "ROYAUME-UNI",
    "ALGERIE",
    "MAROC",
    "TUNISIE",
    "ETATS-UNIS",
];

/// Per SOC (name key of the French label): English MedDRA label, share of
/// effect rows (percent), and a few French HLT labels.
const SOCS: [(&str, &str, f64, &[&str]); 27] = [
    (
        "AFFECTIONS CARDIAQUES",
        "Cardiac disorders",
        3.5,
        &[
            "Troubles du rythme supraventriculaire",
            "Insuffisances cardiaques NCA",
            "Coronaropathies NCA",
            "Troubles de la fréquence et du rythme cardiaques NCA",
        ],
    ),
    (
        "AFFECTIONS DE LA PEAU ET DU TISSU SOUS-CUTANE",
        "Skin and subcutaneous tissue disorders",
        13.0,
        &[
            "Éruptions, rashs et exanthèmes NCA",
            "Prurits NCA",
            "Urticaires",
            "Angioedèmes",
            "Affections bulleuses",
            "Alopécies",
        ],
    ),
    (
        "AFFECTIONS DU REIN ET DES VOIES URINAIRES",
        "Renal and urinary disorders",
        4.0,
        &[
            "Insuffisance et altération rénales",
            "Troubles de la miction NCA",
            "Lithiases urinaires",
            "Néphropathies NCA",
        ],
    ),
    (
        "AFFECTIONS DU SYSTEME NERVEUX",
        "Nervous system disorders",
        10.0,
        &[
            "Céphalées NCA",
            "Vertiges neurologiques",
            "Troubles de la conscience NCA",
            "Convulsions et troubles convulsifs NCA",
            "Neuropathies périphériques NCA",
            "Paresthésies et dysesthésies",
        ],
    ),
    (
        "AFFECTIONS GASTRO-INTESTINALES",
        "Gastrointestinal disorders",
        11.0,
        &[
            "Signes et symptômes de nausées et vomissements",
            "Signes et symptômes diarrhéiques",
            "Douleurs gastro-intestinales et abdominales (excl buccales et gorge)",
            "Constipation",
            "Hémorragies gastro-intestinales NCA",
            "Pancréatites aiguës et chroniques",
        ],
    ),
    (
        "AFFECTIONS HEMATOLOGIQUES ET DU SYSTEME LYMPHATIQUE",
        "Blood and lymphatic system disorders",
        5.0,
        &[
            "Anémies NCA",
            "Thrombopénies",
            "Neutropénies",
            "Pancytopénies",
        ],
    ),
    (
        "AFFECTIONS HEPATOBILIAIRES",
        "Hepatobiliary disorders",
        4.0,
        &[
            "Lésions hépatocellulaires et hépatites NCA",
            "Cholestase et ictère",
            "Insuffisance et troubles hépatiques associés",
        ],
    ),
    (
        "AFFECTIONS MUSCULOSQUELETTIQUES ET DU TISSU CONJONCTIF",
        "Musculoskeletal and connective tissue disorders",
        3.0,
        &[
            "Myalgies",
            "Signes et symptômes articulaires",
            "Troubles tendineux",
            "Affections musculaires NCA",
        ],
    ),
    (
        "AFFECTIONS PSYCHIATRIQUES",
        "Psychiatric disorders",
        6.0,
        &[
            "Troubles anxieux",
            "Troubles dépressifs",
            "Insomnies",
            "Troubles délirants et confusionnels",
            "Hallucinations",
            "Comportements suicidaires et auto-agressifs NCA",
        ],
    ),
    (
        "AFFECTIONS RESPIRATOIRES, THORACIQUES ET MEDIASTINALES",
        "Respiratory, thoracic and mediastinal disorders",
        4.0,
        &[
            "Dyspnées",
            "Toux et symptômes associés",
            "Bronchospasmes et obstruction",
            "Pneumopathies interstitielles",
            "Embolies et thromboses pulmonaires",
        ],
    ),
    (
        "AFFECTIONS VASCULAIRES",
        "Vascular disorders",
        3.5,
        &[
            "Hypotensions vasculaires",
            "Hypertensions vasculaires NCA",
            "Embolies et thromboses veineuses",
            "Hémorragies NCA",
            "Vascularites NCA",
        ],
    ),
    (
        "EXPLORATIONS COMPLEMENTAIRES",
        "Investigations",
        5.0,
        &[
            "Analyses des enzymes hépatiques et de la fonction hépatique",
            "Analyses de coagulation et de saignement",
            "Analyses hématologiques NCA",
            "Analyses de la fonction rénale",
        ],
    ),
    (
        "LESIONS, INTOXICATIONS ET COMPLICATIONS D'INTERVENTIONS",
        "Injury, poisoning and procedural complications",
        8.0,
        &[
            "Surdosages NCA",
            "Erreurs médicamenteuses NCA",
            "Chutes",
            "Intoxications par des agents chimiques ou des médicaments",
        ],
    ),
    (
        "TROUBLES DU METABOLISME ET DE LA NUTRITION",
        "Metabolism and nutrition disorders",
        3.0,
        &[
            "Hyponatrémies",
            "Hypoglycémies NCA",
            "Hyperkaliémies",
            "Troubles de l'appétit",
            "Déshydratation",
        ],
    ),
    (
        "TROUBLES GENERAUX ET ANOMALIES AU SITE D'ADMINISTRATION",
        "General disorders and administration site conditions",
        12.0,
        &[
            "Asthénie",
            "Fièvre",
            "Réactions au site d'injection",
            "Œdèmes NCA",
            "Décès et mort subite",
            "Inefficacité médicamenteuse",
        ],
    ),
    (
        "AFFECTIONS DE L'OREILLE ET DU LABYRINTHE",
        "Ear and labyrinth disorders",
        0.8,
        &[
            "Acouphènes",
            "Surdités NCA",
            "Troubles de l'équilibre d'origine auriculaire",
        ],
    ),
    (
        "AFFECTIONS DES ORGANES DE REPRODUCTION ET DU SEIN",
        "Reproductive system and breast disorders",
        1.0,
        &[
            "Troubles menstruels NCA",
            "Troubles mammaires NCA",
            "Troubles de l'érection",
        ],
    ),
    (
        "AFFECTIONS DU SYSTEME IMMUNITAIRE",
        "Immune system disorders",
        3.0,
        &[
            "Réactions anaphylactiques et anaphylactoïdes",
            "Hypersensibilités allergiques NCA",
        ],
    ),
    (
        "AFFECTIONS ENDOCRINIENNES",
        "Endocrine disorders",
        0.6,
        &[
            "Hypothyroïdies",
            "Hyperthyroïdies",
            "Troubles de la sécrétion d'hormone antidiurétique",
        ],
    ),
    (
        "AFFECTIONS OCULAIRES",
        "Eye disorders",
        1.5,
        &[
            "Troubles visuels NCA",
            "Conjonctivites",
            "Troubles du cristallin",
        ],
    ),
    (
        "INFECTIONS ET INFESTATIONS",
        "Infections and infestations",
        2.0,
        &[
            "Infections bactériennes NCA",
            "Infections des voies urinaires",
            "Candidoses",
            "Infections à herpès virus",
            "Sepsis, bactériémie, virémie et fongémie NCA",
        ],
    ),
    (
        "PROBLEMES DE PRODUIT",
        "Product issues",
        0.4,
        &[
            "Problèmes de qualité du produit NCA",
            "Problèmes de conditionnement du produit",
        ],
    ),
    (
        "AFFECTIONS CONGENITALES, FAMILIALES ET GENETIQUES",
        "Congenital, familial and genetic disorders",
        0.3,
        &[
            "Malformations congénitales NCA",
            "Anomalies cardiaques congénitales",
        ],
    ),
    (
        "TUMEURS BENIGNES, MALIGNES ET NON PRECISEES (INCLUS KYSTES ET POLYPES)",
        "Neoplasms benign, malignant and unspecified (incl cysts and polyps)",
        0.5,
        &["Néoplasmes malins NCA", "Lymphomes NCA", "Leucémies NCA"],
    ),
    (
        "ACTES MEDICAUX ET CHIRURGICAUX",
        "Surgical and medical procedures",
        0.3,
        &[
            "Interventions thérapeutiques NCA",
            "Procédures chirurgicales NCA",
        ],
    ),
    (
        "AFFECTIONS GRAVIDIQUES, PUERPERALES ET PERINATALES",
        "Pregnancy, puerperium and perinatal conditions",
        0.8,
        &[
            "Avortements spontanés",
            "Complications de la grossesse NCA",
            "Accouchements prématurés",
        ],
    ),
    (
        "CARACTERISTIQUES SOCIO-ENVIRONNEMENTALES",
        "Social circumstances",
        0.3,
        &[
            "Problèmes sociaux et de mode de vie",
            "Dépendances aux substances",
        ],
    ),
];

/// Share of effect rows carrying the English SOC label.
const ENGLISH_SOC_SHARE: f64 = 0.03;
/// Share of drug rows written twice (the duplicates ORDEI removes).
const DUPLICATE_ROW_SHARE: f64 = 0.004;

/// Row counts of the written extract.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BnpvCounts {
    /// Case rows.
    pub cases: usize,
    /// Médicaments rows.
    pub drug_rows: usize,
    /// Effets rows.
    pub effect_rows: usize,
}

/// One SOC as the generator uses it.
struct Soc {
    french: String,
    english: &'static str,
    hlts: &'static [&'static str],
}

fn dd_mm_yyyy(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

fn pick<'a>(rng: &mut ChaCha8Rng, choices: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = choices.iter().map(|c| c.1).sum();
    let mut x = rng.random::<f64>() * total;
    for &(choice, weight) in choices {
        if x < weight {
            return choice;
        }
        x -= weight;
    }
    choices.last().map_or("", |c| c.0)
}

fn oui(flag: bool) -> &'static str {
    if flag { "OUI" } else { "NON" }
}

/// A small Poisson draw (Knuth), for the number of effects.
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> usize {
    let limit = (-mean).exp();
    let mut product = rng.random::<f64>();
    let mut n = 0;
    while product > limit && n < 40 {
        product *= rng.random::<f64>();
        n += 1;
    }
    n
}

/// The age fields (AGE, U_AGE, DATE_NAISS) of a patient notified on `notif`.
fn age_fields(rng: &mut ChaCha8Rng, notif: NaiveDate) -> (String, &'static str, String) {
    let class = rng.random_range(0..1000);
    let birth = |rng: &mut ChaCha8Rng, years: f64| {
        let days = (years * 365.25) as u64 + rng.random_range(0..365);
        dd_mm_yyyy(days_before(notif, days))
    };
    if class < 60 {
        // Missing age: usually a birth date instead, sometimes an unusable one.
        let date = match rng.random_range(0..10) {
            0..7 => {
                let years = f64::from(rng.random_range(0..95u32));
                birth(rng, years)
            }
            7 => dd_mm_yyyy(days_before(notif, rng.random_range(47_000..60_000))),
            _ => String::new(),
        };
        return (String::new(), "", date);
    }
    if class < 61 {
        // An impossible age (typing error) ORDEI discards.
        let value = [150, 199, 999, 130][rng.random_range(0..4)];
        return (value.to_string(), "", String::new());
    }
    let (value, unit, years): (String, &'static str, f64) = match class {
        61..90 => {
            let months = rng.random_range(1..24u32);
            if rng.random_bool(0.15) {
                (format!("{},5", months), "MOIS", f64::from(months) / 12.0)
            } else {
                (months.to_string(), "MOIS", f64::from(months) / 12.0)
            }
        }
        90..96 => {
            let weeks = rng.random_range(1..13u32);
            (weeks.to_string(), "SEMAINES", 0.0)
        }
        96..101 => {
            let days = rng.random_range(0..31u32);
            (days.to_string(), "JOURS", 0.0)
        }
        101..102 => {
            let hours = rng.random_range(1..48u32);
            (hours.to_string(), "HEURES", 0.0)
        }
        _ => {
            let years = match rng.random_range(0..100) {
                0..12 => rng.random_range(2..20u32),
                12..57 => rng.random_range(20..60),
                57..88 => rng.random_range(60..80),
                _ => rng.random_range(80..104),
            };
            if years < 4 && rng.random_bool(0.3) {
                (format!("{years},5"), "", f64::from(years))
            } else {
                (years.to_string(), "", f64::from(years))
            }
        }
    };
    let date = if rng.random_bool(0.35) {
        birth(rng, years)
    } else {
        String::new()
    };
    (value, unit, date)
}

/// Writes the three BNPV files; returns their counts and paths.
pub(crate) fn write(
    out_dir: &Path,
    cases: usize,
    seed: u64,
    catalogue: &mut Catalogue<'_>,
    soc_labels: &[String],
    soc_path: &Path,
    progress: &Progress,
) -> Result<(BnpvCounts, Vec<PathBuf>)> {
    let socs: Vec<Soc> = soc_labels
        .iter()
        .map(|label| {
            let key = name_key(label);
            let known = SOCS.iter().find(|s| s.0 == key);
            Soc {
                french: label.clone(),
                english: known.map_or("", |s| s.1),
                hlts: known.map_or(&[] as &[&str], |s| s.3),
            }
        })
        .collect();
    let soc_weights: Vec<f64> = soc_labels
        .iter()
        .map(|label| {
            let key = name_key(label);
            SOCS.iter().find(|s| s.0 == key).map_or(0.5, |s| s.2)
        })
        .collect();
    let soc_sampler = WeightedIndex::new(&soc_weights)
        .map_err(|e| Error::data(Place::file(soc_path), format!("SOC labels: {e}")))?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cases_path = out_dir.join(CASES_FILE);
    let drugs_path = out_dir.join(DRUGS_FILE);
    let effects_path = out_dir.join(EFFECTS_FILE);
    let mut cases_out = OutFile::create(&cases_path)?;
    let mut drugs_out = OutFile::create(&drugs_path)?;
    let mut effects_out = OutFile::create(&effects_path)?;
    cases_out.write_cp1252(&format!("{CASES_HEADER}\r\n"))?;
    drugs_out.write_cp1252(&format!("{DRUGS_HEADER}\r\n"))?;
    effects_out.write_cp1252(&format!("{EFFECTS_HEADER}\r\n"))?;

    let worked = catalogue.worked_examples()?;
    let start = NaiveDate::from_ymd_opt(2009, 1, 1).unwrap_or_default();
    // Reports grow over the decade: year weights 2009 → 2018.
    let year_weights: Vec<f64> = (0..10).map(|y| 0.8 + 0.06 * f64::from(y)).collect();
    let year_sampler = WeightedIndex::new(&year_weights)
        .map_err(|e| Error::data(Place::file(&cases_path), e.to_string()))?;
    let mut centre_counts = [0u32; CENTRES.len()];
    let mut aer_id: u64 = 1_000_000;
    let mut counts = BnpvCounts::default();
    let mut line = String::with_capacity(256);
    let mut case_drugs: Vec<u32> = Vec::with_capacity(32);

    progress.start_phase(Phase::GenerateCases, cases as u64);
    for case in 0..cases {
        if case % 1000 == 0 {
            progress.check_cancel()?;
            if case > 0 {
                progress.add_done(1000);
            }
        }
        aer_id += rng.random_range(1..4u64);
        let year = 2009 + year_sampler.sample(&mut rng) as i32;
        let notif = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(rng.random_range(0..365))))
            .unwrap_or(start);
        let centre = rng.random_range(0..CENTRES.len());
        centre_counts[centre] += 1;
        let cas = format!("{}{}{:05}", CENTRES[centre], year, centre_counts[centre]);
        let ver = match rng.random_range(0..100) {
            0..72 => 1,
            72..92 => 2,
            92..98 => 3,
            _ => 4,
        };
        let key = format!("{aer_id};{cas};{ver}");

        let sex = match rng.random_range(0..1000) {
            0..580 => "F",
            580..985 => "M",
            985..997 => "",
            _ => "I",
        };
        let (age, age_unit, birth) = age_fields(&mut rng, notif);
        let notifier = pick(&mut rng, &NOTIFIERS);
        let effect_type = pick(&mut rng, &EFFECT_TYPES);
        let serious = rng.random_bool(0.40);
        let mut criteria = [false; 6];
        if serious {
            criteria[0] = rng.random_bool(0.06);
            criteria[1] = rng.random_bool(0.12);
            criteria[2] = rng.random_bool(0.62);
            criteria[3] = rng.random_bool(0.04);
            criteria[4] = rng.random_bool(0.008);
            // A serious case meets at least one criterion, "other" failing all.
            criteria[5] = !criteria[..5].contains(&true) || rng.random_bool(0.15);
        }
        let (occurrence, country) = if rng.random_bool(0.985) {
            ("FRANCE", "FRANCE")
        } else {
            let other = OTHER_COUNTRIES[rng.random_range(0..OTHER_COUNTRIES.len())];
            (
                other,
                if rng.random_bool(0.7) {
                    "FRANCE"
                } else {
                    other
                },
            )
        };

        line.clear();
        line.push_str(&key);
        for field in [
            dd_mm_yyyy(notif).as_str(),
            sex,
            &age,
            age_unit,
            &birth,
            notifier,
            effect_type,
            oui(serious),
        ] {
            line.push(';');
            push_field(&mut line, field);
        }
        for flag in criteria {
            line.push(';');
            line.push_str(oui(flag));
        }
        line.push(';');
        line.push_str(occurrence);
        line.push(';');
        line.push_str(country);
        line.push_str("\r\n");
        cases_out.write_cp1252(&line)?;
        counts.cases += 1;

        // Drugs: 1 + geometric, mean about 2.6 rows per case.
        let extra = {
            let mut n = 0;
            while n < 30 && !rng.random_bool(0.385) {
                n += 1;
            }
            n
        };
        case_drugs.clear();
        if let Some(&id) = worked.get(case) {
            case_drugs.push(id);
        }
        for _ in 0..=extra {
            let id = catalogue.draw(&mut rng)?;
            if !case_drugs.contains(&id) {
                case_drugs.push(id);
            }
        }
        let key_bytes = key.as_bytes();
        for &id in &case_drugs {
            let tail = &catalogue.entries[id as usize].row_tail;
            let copies = if rng.random_bool(DUPLICATE_ROW_SHARE) {
                2
            } else {
                1
            };
            for _ in 0..copies {
                drugs_out.write(key_bytes)?;
                drugs_out.write(tail)?;
                counts.drug_rows += 1;
            }
        }

        // Effects: 1 + Poisson(1.5), onset before notification.
        let effects = 1 + poisson(&mut rng, 1.5).min(11);
        let onset = if rng.random_bool(0.95) {
            let delay = (-(rng.random::<f64>().max(1e-9)).ln() * 30.0).min(1000.0) as u64;
            dd_mm_yyyy(days_before(notif, delay))
        } else {
            String::new()
        };
        let mut seen_hlt: Vec<(usize, usize)> = Vec::with_capacity(effects);
        for _ in 0..effects {
            let soc_index = soc_sampler.sample(&mut rng);
            let soc = &socs[soc_index];
            let hlt_index = rng.random_range(0..soc.hlts.len().max(1));
            if seen_hlt.contains(&(soc_index, hlt_index)) {
                continue;
            }
            seen_hlt.push((soc_index, hlt_index));
            let soc_label = if !soc.english.is_empty() && rng.random_bool(ENGLISH_SOC_SHARE) {
                soc.english
            } else {
                soc.french.as_str()
            };
            let hlt = soc.hlts.get(hlt_index).copied().unwrap_or("");
            line.clear();
            line.push_str(&key);
            for field in [onset.as_str(), soc_label, hlt] {
                line.push(';');
                push_field(&mut line, field);
            }
            line.push_str("\r\n");
            effects_out.write_cp1252(&line)?;
            counts.effect_rows += 1;
        }
    }
    progress.set_done(cases as u64);
    let files = vec![
        cases_out.finish()?,
        drugs_out.finish()?,
        effects_out.finish()?,
    ];
    Ok((counts, files))
}
