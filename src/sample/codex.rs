//! The synthetic CODEX extract: this module owns turning the referential
//! into the eight CODEX tables of formats.md (synthetic codeVU, codeProduit
//! and codeNomSubstance; real CIS, CIP and substance codes) and writing each
//! as an Excel file the way Excel exports them: codes as numbers (02202
//! arrives as 2202), creation dates as real Excel dates, and the noise an
//! importer must drop ("(NE PAS UTILISER)" names, "INCONNU (LIBRA)" and
//! pre-2000 history rows).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::names::{fold_upper, name_key, product_part};
use super::referential::Referential;
use crate::error::{Error, Place, Result};
use crate::jobs::{Phase, Progress};

/// The tables, in the order they are written: (file stem = sheet name,
/// column names).
pub(crate) const TABLES: [(&str, &[&str]); 8] = [
    ("dbo_VU", &["codeVU", "codeCIS", "codeProduit", "nomVU"]),
    ("dbo_Produit", &["codeProduit", "nomProduit"]),
    (
        "HDH_Produit-Histo",
        &[
            "Anc_codeProduit",
            "Anc_nomProduit",
            "codeProduit",
            "nomProduit",
        ],
    ),
    (
        "dbo_Presentations",
        &[
            "codeVU",
            "numPresentation",
            "nomPresentation",
            "codeCIP13",
            "codeCIP",
        ],
    ),
    (
        "dbo_Composants",
        &["codeVU", "codeSubstance", "codeNomSubstance", "codeNature"],
    ),
    (
        "dbo_NomsSubstance",
        &["codeNomSubstance", "codeSubstance", "nomSubstance"],
    ),
    (
        "dbo_HistoNomsVU",
        &["codeVU", "nomAncienVU", "dateCreation", "codeProduit"],
    ),
    ("dbo_VUClassesATC", &["codeVU", "codeClasATC"]),
];

/// codeNature of an active substance in dbo_Composants.
pub(crate) const NATURE_ACTIVE: u32 = 3;
/// codeNature given to therapeutic fractions (FT), which are not active
/// substances and must not be linked.
pub(crate) const NATURE_FRACTION: u32 = 2;
/// The old-name placeholder an importer must drop.
pub(crate) const LIBRA_PLACEHOLDER: &str = "INCONNU (LIBRA)";

/// Synthetic codeVU of spécialité `i`.
pub(crate) fn code_vu(i: usize) -> f64 {
    (100_001 + i) as f64
}

/// Synthetic codeProduit of product `i`.
pub(crate) fn code_produit(i: usize) -> f64 {
    (50_001 + i) as f64
}

/// A cell value.
enum Cell {
    Number(f64),
    Text(String),
    Date(ExcelDateTime),
}

/// Laboratories of the 1990s, for the pre-2000 names an importer drops.
const OLD_LABS: [&str; 6] = [
    "RHONE-POULENC",
    "SYNTHELABO",
    "ROUSSEL",
    "LABAZ",
    "DELALANDE",
    "SPECIA",
];

/// ATC codes of the worked examples and of a few common substances.
const KNOWN_ATC: [(u32, &str); 3] = [(2202, "N02BE01"), (3236, "L01DB01"), (79600, "J01DC02")];

fn xlsx_error(path: &Path, sheet: &str, e: XlsxError) -> Error {
    Error::data(
        Place {
            sheet: Some(sheet.to_string()),
            ..Place::file(path)
        },
        format!("cannot write the workbook: {e}"),
    )
}

fn excel_date(path: &Path, sheet: &str, year: u16, month: u8, day: u8) -> Result<ExcelDateTime> {
    ExcelDateTime::from_ymd(year, month, day).map_err(|e| xlsx_error(path, sheet, e))
}

/// A plausible ATC code for a substance set: fixed for the worked examples,
/// else derived from the codes so that a group always gets the same class.
fn atc_for(substances: &[u32]) -> String {
    if let [code] = substances
        && let Some((_, atc)) = KNOWN_ATC.iter().find(|(c, _)| c == code)
    {
        return atc.to_string();
    }
    const GROUPS: &[u8] = b"ABCDGHJLMNPRSV";
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for code in substances {
        h = (h ^ u64::from(*code)).wrapping_mul(0x0100_0000_01B3);
    }
    let letter = |n: u64| char::from(b'A' + (n % 24) as u8);
    format!(
        "{}{:02}{}{}{:02}",
        char::from(GROUPS[(h % GROUPS.len() as u64) as usize]),
        1 + (h >> 8) % 16,
        letter(h >> 16),
        letter(h >> 24),
        1 + (h >> 32) % 30
    )
}

fn write_table(path: &Path, sheet: &str, columns: &[&str], rows: &[Vec<Cell>]) -> Result<PathBuf> {
    let err = |e| xlsx_error(path, sheet, e);
    let mut workbook = Workbook::new();
    // A fixed creation date keeps the files identical from run to run.
    let created = ExcelDateTime::from_ymd(2022, 6, 30).map_err(err)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let worksheet: &mut Worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet).map_err(err)?;
    for (c, name) in columns.iter().enumerate() {
        worksheet.write_string(0, c as u16, *name).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Number(n) => worksheet.write_number(r, c, *n),
                Cell::Text(t) => worksheet.write_string(r, c, t),
                Cell::Date(d) => worksheet.write_datetime_with_format(r, c, d, &date_format),
            }
            .map_err(err)?;
        }
    }
    workbook.save(path).map_err(err)?;
    Ok(path.to_path_buf())
}

/// Builds and writes the eight tables into `out_dir`.
pub(crate) fn write(
    out_dir: &Path,
    referential: &Referential,
    seed: u64,
    progress: &Progress,
) -> Result<Vec<PathBuf>> {
    let r = referential;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0DE_C5E0_0000_0003);
    let mut tables: Vec<Vec<Vec<Cell>>> = Vec::with_capacity(TABLES.len());
    let path_of = |i: usize| out_dir.join(format!("{}.xlsx", TABLES[i].0));

    // dbo_VU
    tables.push(
        r.specialites
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    Cell::Number(code_vu(i)),
                    Cell::Number(f64::from(s.cis)),
                    Cell::Number(code_produit(s.product)),
                    Cell::Text(s.name.clone()),
                ]
            })
            .collect(),
    );
    // dbo_Produit
    tables.push(
        r.products
            .iter()
            .enumerate()
            .map(|(i, p)| vec![Cell::Number(code_produit(i)), Cell::Text(p.name.clone())])
            .collect(),
    );
    // HDH_Produit-Histo: an ambiguous old name has one row per product.
    let mut history = Vec::new();
    for (i, h) in r.product_history.iter().enumerate() {
        for &p in &h.products {
            history.push(vec![
                Cell::Number((900_001 + i) as f64),
                Cell::Text(h.old_name.clone()),
                Cell::Number(code_produit(p)),
                Cell::Text(r.products[p].name.clone()),
            ]);
        }
    }
    tables.push(history);
    // dbo_Presentations, numbered within each spécialité.
    let mut numbers: HashMap<usize, u32> = HashMap::new();
    tables.push(
        r.presentations
            .iter()
            .map(|p| {
                let n = numbers.entry(p.specialite).or_insert(0);
                *n += 1;
                vec![
                    Cell::Number(code_vu(p.specialite)),
                    Cell::Number(f64::from(*n)),
                    Cell::Text(p.label.clone()),
                    Cell::Number(p.cip13 as f64),
                    Cell::Number(p.cip7 as f64),
                ]
            })
            .collect(),
    );
    // dbo_Composants: the name code is the one of the spelling used.
    let mut name_codes: HashMap<(u32, String), u32> = HashMap::new();
    for s in r.substances.values() {
        for n in s.names.iter().filter(|n| n.usable) {
            name_codes
                .entry((s.code, name_key(&n.name)))
                .or_insert(n.code_name);
        }
    }
    tables.push(
        r.components
            .iter()
            .map(|c| {
                let canonical = r
                    .substances
                    .get(&c.code)
                    .and_then(|s| s.names.first())
                    .map_or(c.code, |n| n.code_name);
                let code_name = name_codes
                    .get(&(c.code, name_key(&c.raw_name)))
                    .copied()
                    .unwrap_or(canonical);
                vec![
                    Cell::Number(code_vu(c.specialite)),
                    Cell::Number(f64::from(c.code)),
                    Cell::Number(f64::from(code_name)),
                    Cell::Number(f64::from(if c.active {
                        NATURE_ACTIVE
                    } else {
                        NATURE_FRACTION
                    })),
                ]
            })
            .collect(),
    );
    // dbo_NomsSubstance
    tables.push(
        r.substances
            .values()
            .flat_map(|s| {
                s.names.iter().map(move |n| {
                    vec![
                        Cell::Number(f64::from(n.code_name)),
                        Cell::Number(f64::from(s.code)),
                        Cell::Text(n.name.clone()),
                    ]
                })
            })
            .collect(),
    );
    // dbo_HistoNomsVU: real former names dated 2001–2021, plus the noise an
    // importer must drop.
    let sheet = TABLES[6].0;
    let histo_path = path_of(6);
    let mut histo = Vec::new();
    for (i, s) in r.specialites.iter().enumerate() {
        let product = Cell::Number(code_produit(s.product));
        if let Some(former) = &s.former_name {
            let date = excel_date(
                &histo_path,
                sheet,
                rng.random_range(2001..2022),
                rng.random_range(1..13),
                rng.random_range(1..29),
            )?;
            histo.push(vec![
                Cell::Number(code_vu(i)),
                Cell::Text(former.clone()),
                Cell::Date(date),
                product,
            ]);
        } else if rng.random_bool(0.015) {
            let date = excel_date(
                &histo_path,
                sheet,
                rng.random_range(2003..2011),
                rng.random_range(1..13),
                rng.random_range(1..29),
            )?;
            histo.push(vec![
                Cell::Number(code_vu(i)),
                Cell::Text(LIBRA_PLACEHOLDER.to_string()),
                Cell::Date(date),
                product,
            ]);
        } else if rng.random_bool(0.02) {
            let lab = OLD_LABS[rng.random_range(0..OLD_LABS.len())];
            let name = format!(
                "{} {} {}",
                product_part(&s.name),
                lab,
                fold_upper(&s.name)
                    .split_once(", ")
                    .map_or("", |(_, form)| form)
            );
            let date = excel_date(
                &histo_path,
                sheet,
                rng.random_range(1988..2000),
                rng.random_range(1..13),
                rng.random_range(1..29),
            )?;
            histo.push(vec![
                Cell::Number(code_vu(i)),
                Cell::Text(name.trim().to_string()),
                Cell::Date(date),
                product,
            ]);
        }
    }
    tables.push(histo);
    // dbo_VUClassesATC
    tables.push(
        r.specialites
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.substances.is_empty())
            .map(|(i, s)| vec![Cell::Number(code_vu(i)), Cell::Text(atc_for(&s.substances))])
            .collect(),
    );

    progress.start_phase(Phase::WriteCodex, TABLES.len() as u64);
    let mut files = Vec::with_capacity(TABLES.len());
    for (i, rows) in tables.iter().enumerate() {
        progress.check_cancel()?;
        let (sheet, columns) = TABLES[i];
        files.push(write_table(&path_of(i), sheet, columns, rows)?);
        progress.add_done(1);
    }
    Ok(files)
}
