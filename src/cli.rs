//! The `datamed` command line: clap definitions turned into calls of the
//! core functions, with long work on a worker thread and its progress drawn
//! on stderr. Results go to stdout; one error message, naming the place, to
//! stderr. Exit codes: 0 done, 1 data error, 2 usage error.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

/// Writes a line to stdout; a closed pipe (`datamed ... | head`) ends the
/// output quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Writes to stdout, ignoring a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

use crate::error::{Error, Result};
use crate::import::{ImportOptions, ImportSummary};
use crate::jobs::{Job, Progress};
use crate::model::Kind;
use crate::store::Store;

/// DataMed Workbench: link BNPV drug names to substance codes, review the
/// doubtful ones, publish indicators. Without a subcommand, opens the window.
#[derive(Debug, Parser)]
#[command(name = "datamed", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import extracts (files or directories) into a workspace.
    Import {
        /// The workspace file (created if missing).
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Files or directories to import.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Force the kind of file (e.g. bnpv-drugs, codex-vu, bdpm-compo).
        #[arg(long, value_parser = parse_kind)]
        kind: Option<Kind>,
        /// Map an expected column to a found one: EXPECTED=FOUND (repeatable;
        /// remembered for the next file of that kind).
        #[arg(long = "map", value_parser = parse_mapping)]
        mapping: Vec<(String, String)>,
        /// Import again a file already imported, replacing its rows.
        #[arg(long)]
        replace: bool,
    },
    /// Show what a workspace holds: rows per kind, batches, issues.
    Status {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// How many issues to list per batch.
        #[arg(long, default_value_t = 10)]
        issues: usize,
    },
    /// Import and match the bundled sample into the sample workspace (in the
    /// OS data directory) and print what matching decided.
    Demo {
        /// Start again from an empty workspace.
        #[arg(long)]
        fresh: bool,
    },
    /// Link every distinct drug name to substance codes.
    Match {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
    },
    /// Show how a name would be linked: decision and ranked candidates.
    Lookup {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Level the name is typed at: specialite, produit, substance.
        #[arg(long, default_value = "specialite")]
        level: String,
        /// The name, as a reporter would type it.
        name: String,
    },
    /// Write a dataset out of the workspace.
    Export {
        /// What to export.
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Measure matching against a labelled truth file.
    Evaluate {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Truth file: medicament,type,truth_codes.
        #[arg(long)]
        truth: PathBuf,
    },
    /// Choose the matching thresholds from a labelled truth file and store
    /// them in the workspace.
    Calibrate {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Truth file: medicament,type,truth_codes.
        #[arg(long)]
        truth: PathBuf,
        /// Auto precision to reach.
        #[arg(long, default_value_t = 0.998)]
        precision: f64,
        /// Share of the other linkable names to keep reviewable.
        #[arg(long, default_value_t = 0.995)]
        kept: f64,
    },
    /// Write a synthetic BNPV extract and a CODEX extract derived from the
    /// real BDPM.
    Sample {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Number of cases.
        #[arg(long, default_value_t = 2000)]
        cases: usize,
        /// Random seed (same seed, same files).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// BDPM snapshot giving current names and compositions.
        #[arg(long, default_value = "../shared/data/bdpm/2022-06")]
        bdpm: PathBuf,
        /// Older BDPM snapshot giving former names.
        #[arg(long, default_value = "../shared/data/bdpm/2017-03")]
        bdpm_former: PathBuf,
        /// DataMed lists (product names, SOC labels).
        #[arg(long, default_value = "../shared/data/datamed")]
        datamed: PathBuf,
        /// Also write the BDPM subset the sample needs under OUT/bdpm.
        #[arg(long)]
        with_bdpm: bool,
    },
}

/// The datasets `datamed export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every distinct name with its status and substance codes.
    Transcoding {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// The ranked candidates of every name.
    Candidates {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_kind(s: &str) -> std::result::Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind \"{s}\"; one of: {}", all.join(", "))
    })
}

fn parse_mapping(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((e, f)) if !e.trim().is_empty() && !f.trim().is_empty() => {
            Ok((e.trim().to_string(), f.trim().to_string()))
        }
        _ => Err(format!("\"{s}\": EXPECTED=FOUND expected")),
    }
}

/// The OS user, recorded as the author of imports and decisions.
pub fn os_user() -> String {
    whoami::username().unwrap_or_else(|_| "inconnu".to_string())
}

/// Runs a parsed command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match execute(cli.command) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn execute(command: Command) -> Result<()> {
    match command {
        Command::Import {
            workspace,
            paths,
            kind,
            mapping,
            replace,
        } => {
            let options = ImportOptions {
                kind,
                replace,
                mapping,
                user: os_user(),
            };
            let summary = run_with_progress("import", move |progress| {
                let mut store = Store::open(&workspace)?;
                crate::import::import_paths(&mut store, &paths, &options, progress)
            })?;
            print_import_summary(&summary);
            Ok(())
        }
        Command::Status { workspace, issues } => {
            let store = open_existing(&workspace)?;
            print_status(&store, issues)
        }
        Command::Demo { fresh } => {
            let workspace = crate::sample_workspace::data_dir()?.join(crate::sample_workspace::SAMPLE_WORKSPACE);
            if fresh {
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", workspace.display()));
                    if file.exists() {
                        std::fs::remove_file(&file).map_err(|e| Error::io(&file, e))?;
                    }
                }
            }
            outln!("sample workspace: {}", workspace.display());
            let ws = workspace.clone();
            let summary = run_with_progress("demo", move |progress| {
                crate::sample_workspace::prepare(&ws, &os_user(), progress)
            })?;
            print_match_summary(&summary);
            outln!(
                "\nnext: datamed status -w {0} | datamed lookup -w {0} \"DOLIPRANNE 1000MG CPR\"",
                workspace.display()
            );
            Ok(())
        }
        Command::Match { workspace } => {
            open_existing(&workspace)?;
            let summary = run_with_progress("match", move |progress| {
                let mut store = Store::open(&workspace)?;
                crate::matching::engine::match_workspace(&mut store, progress)
            })?;
            print_match_summary(&summary);
            Ok(())
        }
        Command::Lookup {
            workspace,
            level,
            name,
        } => {
            let store = open_existing(&workspace)?;
            let level = crate::model::Level::parse(&level);
            let m = crate::matching::engine::lookup(&store, &name, level)?;
            let names = store.substance_name_map()?;
            let named = |codes: &[String]| {
                codes
                    .iter()
                    .map(|c| format!("{c} {}", names.get(c).map_or("", String::as_str)))
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            outln!(
                "{name} ({}): {} — {} (score {:.2}) → {}",
                level.label(),
                m.status.as_str(),
                m.method,
                m.score,
                named(&m.substance_codes)
            );
            for c in &m.candidates {
                outln!(
                    "  {:>2}. {:.3} {} {} {} → {}\n      {}",
                    c.rank,
                    c.score,
                    c.target_level,
                    c.target_code,
                    c.target_name,
                    named(&c.substance_codes),
                    c.explanation
                );
            }
            Ok(())
        }
        Command::Export { what } => match what {
            ExportCommand::Transcoding { workspace, out } => {
                let store = open_existing(&workspace)?;
                let n = crate::export::export_transcoding(&store, &out)?;
                outln!("{}: {} names", out.display(), thousands(n as i64));
                Ok(())
            }
            ExportCommand::Candidates { workspace, out } => {
                let store = open_existing(&workspace)?;
                let n = crate::export::export_candidates(&store, &out)?;
                outln!("{}: {} candidates", out.display(), thousands(n as i64));
                Ok(())
            }
        },
        Command::Evaluate { workspace, truth } => {
            let store = open_existing(&workspace)?;
            let truth = crate::matching::evaluate::read_truth(&truth)?;
            out!("{}", crate::matching::evaluate::evaluate(&store, &truth)?);
            Ok(())
        }
        Command::Calibrate {
            workspace,
            truth,
            precision,
            kept,
        } => {
            open_existing(&workspace)?;
            let truth = crate::matching::evaluate::read_truth(&truth)?;
            let point = run_with_progress("calibrate", move |progress| {
                let store = Store::open(&workspace)?;
                crate::matching::evaluate::calibrate_workspace(&store, &truth, precision, kept, progress)
            })?;
            outln!(
                "thresholds stored: auto {:.2}, review {:.2} — auto {:.1} % of observations, precision {:.2} % (names) / {:.2} % (observations); {:.1} % of the other linkable names reviewable",
                point.auto,
                point.review,
                100.0 * point.auto_obs_share,
                100.0 * point.auto_precision_names,
                100.0 * point.auto_precision_obs,
                100.0 * point.linkable_kept_share
            );
            outln!("run datamed match again to apply them");
            Ok(())
        }
        Command::Sample {
            out,
            cases,
            seed,
            bdpm,
            bdpm_former,
            datamed,
            with_bdpm,
        } => {
            let options = crate::sample::SampleOptions {
                out_dir: out,
                cases,
                seed,
                bdpm_current: bdpm,
                bdpm_former,
                datamed_dir: datamed,
                with_bdpm_subset: with_bdpm,
            };
            let summary = run_with_progress("sample", move |progress| {
                crate::sample::generate(&options, progress)
            })?;
            outln!(
                "{} cases, {} drug rows ({} distinct names), {} effects",
                summary.cases, summary.drug_rows, summary.distinct_names, summary.effect_rows
            );
            for file in &summary.files {
                outln!("  {}", file.display());
            }
            Ok(())
        }
    }
}

/// Opens a workspace that must already exist.
fn open_existing(workspace: &std::path::Path) -> Result<Store> {
    if !workspace.exists() {
        return Err(Error::Usage(format!(
            "no workspace at {}: create one with datamed import",
            workspace.display()
        )));
    }
    Store::open(workspace)
}

fn print_match_summary(summary: &crate::matching::engine::MatchSummary) {
    if let Some(t) = summary.thresholds {
        outln!(
            "{} names, {} observations matched in {} ms (thresholds: auto {:.2}, review {:.2})",
            thousands(summary.names),
            thousands(summary.observations),
            summary.ranking_ms,
            t.auto,
            t.review
        );
    }
    let mut by_status: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for ((status, _, _), (n, o)) in &summary.by_status_method_level {
        let e = by_status.entry(status.as_str()).or_default();
        e.0 += n;
        e.1 += o;
    }
    outln!("\nBy status              names   observations");
    for (status, (n, o)) in &by_status {
        outln!(
            "  {status:<12} {:>12} {:>14}  ({:.1} % of observations)",
            thousands(*n),
            thousands(*o),
            100.0 * *o as f64 / summary.observations.max(1) as f64
        );
    }
    outln!("\nBy status, method and level");
    for ((status, method, level), (n, o)) in &summary.by_status_method_level {
        outln!(
            "  {:<10} {:<32} {:<11} {:>9} names {:>11} obs",
            status.as_str(),
            method,
            level,
            thousands(*n),
            thousands(*o)
        );
    }
}

/// Runs `work` on a named worker thread and draws its progress on stderr
/// (a bar with a rate on long work, nothing when stderr is not a terminal).
pub fn run_with_progress<T: Send + 'static>(
    name: &str,
    work: impl FnOnce(&Progress) -> Result<T> + Send + 'static,
) -> Result<T> {
    let progress = Progress::new();
    let job = Job::spawn(name, Arc::clone(&progress), work)?;
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(5),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:30} [{bar:30}] {percent:>3}% {binary_bytes_per_sec} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut phase = String::new();
    while !job.is_finished() {
        std::thread::sleep(Duration::from_millis(100));
        let now_phase = progress.phase();
        if now_phase != phase {
            if !phase.is_empty() && !bar.is_hidden() {
                bar.println(format!("{phase}: done"));
            }
            phase = now_phase;
            bar.set_message(phase.clone());
            bar.reset();
        }
        bar.set_length(progress.total().max(1));
        bar.set_position(progress.done());
    }
    bar.finish_and_clear();
    let result = job.join();
    if result.is_ok() {
        eprintln!(
            "{name}: finished in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    result
}

fn print_import_summary(summary: &ImportSummary) {
    for report in &summary.imported {
        let c = report.counts;
        outln!(
            "{} ({}, {}): {} rows read, {} kept, {} rejected, {} dropped by rule, {} warnings — batch {}",
            report.path.display(),
            report.kind,
            report.encoding,
            thousands(c.read as i64),
            thousands(c.kept as i64),
            thousands(c.rejected as i64),
            thousands(c.dropped as i64),
            thousands(c.warnings as i64),
            report.batch_id
        );
    }
    for (path, why) in &summary.skipped {
        outln!("skipped {}: {why}", path.display());
    }
}

fn print_status(store: &Store, issue_limit: usize) -> Result<()> {
    outln!("Workspace {}", store.path().display());
    let counts = store.counts()?;
    outln!("\nRows");
    for (kind, n) in &counts.rows_per_kind {
        if *n > 0 {
            outln!("  {:<44} {:>12}", kind_label(*kind), thousands(*n));
        }
    }
    outln!(
        "  {:<44} {:>12}",
        "distinct drug names (name, level)",
        thousands(counts.drug_names)
    );
    outln!("\nBatches");
    for batch in store.batches()? {
        let state = match &batch.superseded_at {
            Some(at) => format!(" (superseded {at})"),
            None => String::new(),
        };
        outln!(
            "  #{} {} {}{} — {}, read {}, kept {}, rejected {}, warnings {}; {} by {}{}",
            batch.id,
            batch.kind,
            batch.file_name,
            batch
                .sheet
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default(),
            batch.encoding,
            thousands(batch.rows_read),
            thousands(batch.rows_kept),
            thousands(batch.rows_rejected),
            thousands(batch.warnings),
            batch.imported_at,
            batch.imported_by,
            state
        );
        let (issues, total) = store.batch_issues(batch.id, issue_limit)?;
        for issue in &issues {
            outln!(
                "      {} line {}{}: {}",
                issue.severity,
                issue.line.map_or("?".to_string(), |l| l.to_string()),
                issue
                    .column
                    .as_deref()
                    .map(|c| format!(", column {c}"))
                    .unwrap_or_default(),
                issue.message
            );
        }
        if total > issues.len() as i64 {
            outln!("      … and {} more", total - issues.len() as i64);
        }
    }
    Ok(())
}

/// What a kind's rows are, in the agents' words.
fn kind_label(kind: Kind) -> String {
    let what = match kind {
        Kind::BnpvCases => "cas (BNPV)",
        Kind::BnpvDrugs => "observations médicament (BNPV)",
        Kind::BnpvEffects => "effets (BNPV)",
        Kind::CodexVu => "spécialités (CODEX dbo_VU)",
        Kind::CodexProduit => "produits (CODEX)",
        Kind::CodexProduitHisto => "anciens noms de produit (CODEX)",
        Kind::CodexPresentations => "présentations (CODEX)",
        Kind::CodexComposants => "composants (CODEX)",
        Kind::CodexNomsSubstance => "noms de substance (CODEX)",
        Kind::CodexHistoNomsVu => "anciens noms de spécialité (CODEX)",
        Kind::CodexVuAtc => "classes ATC (CODEX)",
        Kind::BdpmCis => "spécialités (BDPM CIS)",
        Kind::BdpmCip => "présentations (BDPM CIP)",
        Kind::BdpmCompo => "compositions (BDPM COMPO)",
        Kind::BdpmGener => "groupes génériques (BDPM GENER)",
        Kind::OpenMedic => "lignes Open Medic",
    };
    what.to_string()
}

/// 15676 → "15,676".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(15676), "15,676");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_041_960), "1,041,960");
        assert_eq!(thousands(-1000), "-1,000");
    }

    #[test]
    fn mapping_syntax() {
        assert_eq!(
            parse_mapping("MEDICAMENT=DRUG_NAME"),
            Ok(("MEDICAMENT".to_string(), "DRUG_NAME".to_string()))
        );
        assert!(parse_mapping("MEDICAMENT").is_err());
    }
}
