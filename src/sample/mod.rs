//! Synthetic extracts for development, tests and demonstrations: this module
//! owns `datamed sample`, which derives from the real public BDPM (and
//! DataMed's lists) a BNPV extract of invented cases whose drug names look
//! like what reporters type, the truth of every distinct name (the substance
//! codes it designates), a CODEX extract in Excel files, and optionally the
//! BDPM lines the sample needs. The same options and seed always give the
//! same bytes.
//!
//! Parts: [`referential`] reads and derives the hierarchy, [`names`] holds
//! the text transformations, [`drugs`] chooses and renders drug names with
//! their truth, [`bnpv`] writes the case files, [`codex`] the Excel tables,
//! [`bdpm_subset`] the filtered BDPM copy.

mod bdpm_subset;
mod bnpv;
mod codex;
mod csv_out;
mod drugs;
mod names;
mod referential;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Place, Result};
use crate::jobs::{Phase, Progress};

pub use bnpv::{CASES_FILE, DRUGS_FILE, EFFECTS_FILE};

/// Name of the truth file written beside the extract.
pub const TRUTH_FILE: &str = "truth.csv";

/// What to generate and from which real data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Directory the files are written into (created when missing).
    pub out_dir: PathBuf,
    /// Number of cases (case versions) to invent.
    pub cases: usize,
    /// Random seed: the same seed gives the same bytes.
    pub seed: u64,
    /// Current BDPM snapshot (names, compositions, packs).
    pub bdpm_current: PathBuf,
    /// Former BDPM snapshot, source of former names.
    pub bdpm_former: PathBuf,
    /// DataMed lists (products, substance names, SOC labels).
    pub datamed_dir: PathBuf,
    /// Also copy the BDPM lines the sample uses into `out_dir/bdpm`.
    pub with_bdpm_subset: bool,
}

impl Default for SampleOptions {
    /// The committed sample's settings, reading `../shared/data`.
    fn default() -> Self {
        SampleOptions {
            out_dir: PathBuf::from("sample-data"),
            cases: 2000,
            seed: 42,
            bdpm_current: PathBuf::from("../shared/data/bdpm/2022-06"),
            bdpm_former: PathBuf::from("../shared/data/bdpm/2017-03"),
            datamed_dir: PathBuf::from("../shared/data/datamed"),
            with_bdpm_subset: false,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSummary {
    /// Case rows in Cas-Patients.csv.
    pub cases: usize,
    /// Rows in Médicaments.csv (duplicates included).
    pub drug_rows: usize,
    /// Rows in Effets.csv.
    pub effect_rows: usize,
    /// Distinct MEDICAMENT strings.
    pub distinct_names: usize,
    /// Every file written, in writing order.
    pub files: Vec<PathBuf>,
}

fn require_dir(path: &Path, what: &str) -> Result<()> {
    if path.is_dir() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{what} not found at {}: give its directory (the shared data lives in ../shared/data)",
            path.display()
        )))
    }
}

/// Generates a sample into `options.out_dir`: the BNPV extract
/// (Cas-Patients.csv, Médicaments.csv, Effets.csv; cp1252, `;`, CRLF), the
/// truth (truth.csv), the CODEX tables (dbo_*.xlsx, HDH_Produit-Histo.xlsx)
/// and, when asked, the BDPM subset (bdpm/*.txt). Reports each phase to
/// `progress` and stops with [`Error::Cancelled`] when asked to.
pub fn generate(options: &SampleOptions, progress: &Progress) -> Result<SampleSummary> {
    require_dir(&options.bdpm_current, "the current BDPM snapshot")?;
    require_dir(&options.bdpm_former, "the former BDPM snapshot")?;
    require_dir(&options.datamed_dir, "the DataMed lists")?;
    std::fs::create_dir_all(&options.out_dir).map_err(|e| Error::io(&options.out_dir, e))?;

    progress.start_phase(Phase::ReadReferenceData, 1);
    let referential = referential::Referential::load(
        &referential::Sources {
            bdpm_current: &options.bdpm_current,
            bdpm_former: &options.bdpm_former,
            datamed_dir: &options.datamed_dir,
        },
        options.seed,
    )?;
    progress.add_done(1);
    progress.check_cancel()?;

    let mut catalogue = drugs::Catalogue::new(&referential, options.seed)?;
    let (counts, mut files) = bnpv::write(
        &options.out_dir,
        options.cases,
        options.seed,
        &mut catalogue,
        &referential.soc_labels,
        &referential.soc_path,
        progress,
    )?;
    files.push(write_truth(&options.out_dir, &catalogue.entries)?);
    files.extend(codex::write(
        &options.out_dir,
        &referential,
        options.seed,
        progress,
    )?);

    if options.with_bdpm_subset {
        let mut keep: BTreeSet<u32> = catalogue
            .used_specialites
            .iter()
            .map(|&i| referential.specialites[i].cis)
            .collect();
        keep.extend(referential::WORKED_CIS);
        if let Some(p) = referential
            .products
            .iter()
            .find(|p| p.name == referential::BORLUX_PRODUCT)
        {
            keep.extend(
                p.specialites
                    .iter()
                    .map(|&i| referential.specialites[i].cis),
            );
        }
        files.extend(bdpm_subset::write(
            &options.bdpm_current,
            &options.out_dir,
            &keep,
            progress,
        )?);
    }

    let distinct: BTreeSet<&str> = catalogue
        .entries
        .iter()
        .map(|e| e.medicament.as_str())
        .collect();
    Ok(SampleSummary {
        cases: counts.cases,
        drug_rows: counts.drug_rows,
        effect_rows: counts.effect_rows,
        distinct_names: distinct.len(),
        files,
    })
}

/// Writes truth.csv (UTF-8, comma): one row per distinct (MEDICAMENT, TYPE),
/// sorted, with the `|`-joined 5-digit substance codes it designates.
fn write_truth(out_dir: &Path, entries: &[drugs::Entry]) -> Result<PathBuf> {
    let path = out_dir.join(TRUTH_FILE);
    let place = Place::file(&path);
    let mut rows: Vec<&drugs::Entry> = entries.iter().collect();
    rows.sort_by(|a, b| {
        a.medicament
            .cmp(&b.medicament)
            .then(a.type_index.cmp(&b.type_index))
    });
    let mut writer = csv::Writer::from_path(&path)
        .map_err(|e| Error::data(place.clone(), format!("cannot create: {e}")))?;
    let csv_error = |e: csv::Error| Error::data(place.clone(), format!("cannot write: {e}"));
    writer
        .write_record(["medicament", "type", "truth_codes"])
        .map_err(csv_error)?;
    for entry in rows {
        let codes: Vec<String> = entry.truth.iter().map(|c| format!("{c:05}")).collect();
        writer
            .write_record([
                entry.medicament.as_str(),
                drugs::TYPE_LABELS[entry.type_index as usize],
                &codes.join("|"),
            ])
            .map_err(csv_error)?;
    }
    writer.flush().map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
