//! The `datamed` command line: clap definitions turned into calls of the
//! core functions, with long work on a worker thread and its progress drawn
//! on stderr. Results go to stdout; one error message, naming the place, to
//! stderr. Exit codes: 0 done, 1 data error, 2 usage error.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Writes a line to stdout; a closed pipe (`datamed ... | head`) ends the
/// output quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            $crate::cli::for_terminal(&format!($($arg)*))
        );
    }};
}

/// Writes to stdout, ignoring a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(
            std::io::stdout(),
            "{}",
            $crate::cli::for_terminal(&format!($($arg)*))
        );
    }};
}

/// Text made safe for a terminal: control characters (escape sequences in
/// an imported drug name or a file name could rewrite the screen, the
/// window title or the clipboard) are shown as `\xNN`; line ends and tabs
/// stay.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

mod matching;
mod progress;
mod report;
mod review;

pub use progress::{run_with_progress, thousands};

use report::{print_import_summary, print_indicators, print_match_summary, print_status};
pub use review::{DecisionsCommand, ReviewCommand, ReviewName};
use review::{run_decisions, run_review};

use crate::env::os_user;
use crate::error::{Error, Result};
use crate::import::{ImportOptions, ImportSummary};
use crate::model::Kind;
use crate::store::Store;

/// DataMed Workbench: link BNPV drug names to substance codes, review the
/// doubtful ones, publish indicators. Without a subcommand, opens the window;
/// `datamed WS.sqlite` or `datamed FILE.csv` opens it on a workspace or
/// offers a file for import, as `datamed open` does.
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
    /// Open the window on a workspace, offering the other files given for
    /// import into it (as a double-click in a file manager does).
    Open {
        /// A workspace (.sqlite) and/or extracts to import (CSV, Excel,
        /// BDPM text files, folders).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
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
        /// The case files are whole (cumulative) extracts: the cases of
        /// the workspace they lack are retired from counts (kept in
        /// history).
        #[arg(long)]
        cumulative: bool,
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
    /// Show the ORDEI indicators of a substance (or the substance list, or
    /// the global page) as the portal would publish them.
    Indicators {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Substance code (e.g. 02202); without it, the substances with
        /// their cases.
        #[arg(long, conflicts_with = "global")]
        substance: Option<String>,
        /// The whole base (the portal's global page).
        #[arg(long)]
        global: bool,
        /// First year (default: the first year of the cases).
        #[arg(long)]
        from: Option<i64>,
        /// Last year (default: the last year of the cases).
        #[arg(long)]
        to: Option<i64>,
        /// Show the true counts beside the published ones (internal view).
        #[arg(long)]
        unmasked: bool,
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
        /// Auto precision to reach, up to 0.9999.
        #[arg(long, default_value_t = 0.998)]
        precision: f64,
        /// Share of the other linkable names to keep reviewable.
        #[arg(long, default_value_t = 0.995)]
        kept: f64,
    },
    /// List the workspace settings (matching thresholds, disclosure
    /// threshold, pending-share limit), show one, or set one (each change
    /// recorded with its author, time, old and new value).
    Settings {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The setting's key (e.g. matching.auto_threshold).
        key: Option<String>,
        /// Its new value.
        value: Option<String>,
        /// Print every recorded change instead.
        #[arg(long, conflicts_with_all = ["key", "value"])]
        history: bool,
        /// Who makes the change (default: the OS user).
        #[arg(long)]
        author: Option<String>,
    },
    /// Write a synthetic BNPV extract and a CODEX extract derived from the
    /// real BDPM. The reference data is named explicitly; in the source
    /// tree it is under ../shared/data: --bdpm ../shared/data/bdpm/2022-06
    /// --bdpm-former ../shared/data/bdpm/2017-03 --datamed
    /// ../shared/data/datamed.
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
        /// BDPM snapshot giving current names and compositions (a folder of
        /// CIS_bdpm.txt, CIS_COMPO_bdpm.txt…; required).
        #[arg(long, value_name = "DIR")]
        bdpm: PathBuf,
        /// Older BDPM snapshot giving former names (required).
        #[arg(long, value_name = "DIR")]
        bdpm_former: PathBuf,
        /// DataMed lists: product names, SOC labels (required).
        #[arg(long, value_name = "DIR")]
        datamed: PathBuf,
        /// Also write the BDPM subset the sample needs under OUT/bdpm.
        #[arg(long)]
        with_bdpm: bool,
    },
    /// Review the doubtful names: queue, approve, reject, defer, undo,
    /// history.
    Review {
        /// What to do.
        #[command(subcommand)]
        action: ReviewCommand,
    },
    /// Exchange decisions between workspaces.
    Decisions {
        /// What to do.
        #[command(subcommand)]
        action: DecisionsCommand,
    },
}

/// The datasets `datamed export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every distinct name with its status and substance codes.
    Transcoding {
        /// Where and how to write it.
        #[command(flatten)]
        target: TableTarget,
    },
    /// The ranked candidates of every name.
    Candidates {
        /// Where and how to write it.
        #[command(flatten)]
        target: TableTarget,
    },
    /// The audit log: every review step, with the decision before and
    /// after.
    Audit {
        /// Where and how to write it.
        #[command(flatten)]
        target: TableTarget,
    },
    /// The review queue: pending, flagged, deferred and unmatched names,
    /// most observations first, with matching's best candidate.
    Queue {
        /// Where and how to write it.
        #[command(flatten)]
        target: TableTarget,
    },
    /// The portal datasets (CSV and JSON) and their manifest, into a
    /// directory replaced whole.
    Portal {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The directory to write.
        #[arg(long, required_unless_present = "dry_run")]
        out: Option<PathBuf>,
        /// Export even while more observations than the workspace allows
        /// are pending review.
        #[arg(long)]
        allow_pending: bool,
        /// Write nothing: say what the export would change against the last
        /// export recorded in the workspace.
        #[arg(long)]
        dry_run: bool,
        /// First year (default: the first year of the cases).
        #[arg(long)]
        from: Option<i64>,
        /// Last year (default: the last year of the cases).
        #[arg(long)]
        to: Option<i64>,
    },
}

/// Where and how a table for people is written.
#[derive(Debug, clap::Args)]
pub struct TableTarget {
    /// The workspace file.
    #[arg(long, short = 'w')]
    workspace: PathBuf,
    /// The file to write (.xlsx: an Excel workbook; otherwise CSV).
    #[arg(long)]
    out: PathBuf,
    /// xlsx or csv (default: from the extension of --out, else csv).
    #[arg(long, value_parser = parse_file_kind)]
    format: Option<crate::export::FileKind>,
    /// CSV dialect: excel (UTF-8 with BOM, `;`, decimal comma, CRLF; the
    /// default) or rfc (UTF-8, `,`, decimal point, LF).
    #[arg(long, value_parser = parse_csv_dialect)]
    csv_dialect: Option<crate::export::CsvDialect>,
}

fn parse_file_kind(s: &str) -> std::result::Result<crate::export::FileKind, String> {
    crate::export::FileKind::parse(s)
        .ok_or_else(|| format!("unknown format \"{s}\"; one of: xlsx, csv"))
}

fn parse_csv_dialect(s: &str) -> std::result::Result<crate::export::CsvDialect, String> {
    crate::export::CsvDialect::parse(s)
        .ok_or_else(|| format!("unknown CSV dialect \"{s}\"; one of: excel, rfc"))
}

/// Writes one table for people as `target` says and prints what it wrote.
fn export_table(kind: crate::export::ExportKind, target: TableTarget) -> Result<()> {
    let format =
        crate::export::SheetFormat::choose(target.format, target.csv_dialect, &target.out)?;
    let store = open_existing(&target.workspace)?;
    let n = crate::export::export_table(&store, kind, &target.out, format)?;
    let what = match kind {
        crate::export::ExportKind::Transcoding => "names",
        crate::export::ExportKind::Candidates => "candidates",
        crate::export::ExportKind::Audit => "audit entries",
        crate::export::ExportKind::Queue => "names to review",
    };
    let how = match format {
        crate::export::SheetFormat::Xlsx => "Excel workbook".to_string(),
        crate::export::SheetFormat::Csv(crate::export::CsvDialect::Excel) => {
            "CSV, Excel dialect".to_string()
        }
        crate::export::SheetFormat::Csv(crate::export::CsvDialect::Rfc) => {
            "CSV, RFC dialect".to_string()
        }
    };
    outln!(
        "{}: {} {what} ({how})",
        target.out.display(),
        thousands(n as i64)
    );
    Ok(())
}

fn parse_level(s: &str) -> std::result::Result<crate::model::Level, String> {
    let level = crate::model::Level::parse(s);
    // Level::parse reads anything unknown as "inconnu": a typo must not.
    if level == crate::model::Level::Inconnu && !s.trim().eq_ignore_ascii_case("inconnu") {
        return Err(format!(
            "unknown level \"{s}\"; one of: specialite, produit, substance, inconnu"
        ));
    }
    Ok(level)
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

/// Runs a parsed command; returns the process exit code. `open` hands
/// what it resolved to `window`, which opens the window (the binary's
/// business: core knows no window) and returns the code to exit with.
pub fn run(cli: Cli, window: impl FnOnce(crate::launch::Launch) -> i32) -> i32 {
    let result = match cli.command {
        Command::Open { paths } => {
            crate::launch::from_paths(&paths).map(|launch| Some(window(launch)))
        }
        command => execute(command).map(|()| None),
    };
    match result {
        Ok(code) => code.unwrap_or(0),
        Err(e) => {
            eprintln!("error: {}", for_terminal(&e.to_string()));
            e.exit_code()
        }
    }
}

fn execute(command: Command) -> Result<()> {
    match command {
        Command::Open { .. } => Err(Error::Usage(
            "open is handled by run, which opens the window".into(),
        )),
        Command::Import {
            workspace,
            paths,
            kind,
            mapping,
            replace,
            cumulative,
        } => {
            let options = ImportOptions {
                kind,
                replace,
                cumulative,
                mapping,
                user: os_user(),
            };
            let (summary, failed) = run_with_progress("import", move |progress| {
                let mut store = Store::open(&workspace)?;
                let mut summary = ImportSummary::default();
                let result = crate::import::import_paths_into(
                    &mut store,
                    &paths,
                    &options,
                    progress,
                    &mut summary,
                );
                Ok((summary, result.err()))
            })?;
            // Even when a file fails, which files went in and which did not.
            print_import_summary(&summary);
            match failed {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
        Command::Status { workspace, issues } => {
            let store = open_existing(&workspace)?;
            print_status(&store, issues)
        }
        Command::Demo { fresh } => {
            let workspace = crate::sample_workspace::data_dir()?
                .join(crate::sample_workspace::SAMPLE_WORKSPACE);
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
        } => matching::run_lookup(workspace, level, name),
        Command::Export { what } => match what {
            ExportCommand::Transcoding { target } => {
                export_table(crate::export::ExportKind::Transcoding, target)
            }
            ExportCommand::Candidates { target } => {
                export_table(crate::export::ExportKind::Candidates, target)
            }
            ExportCommand::Audit { target } => {
                export_table(crate::export::ExportKind::Audit, target)
            }
            ExportCommand::Queue { target } => {
                export_table(crate::export::ExportKind::Queue, target)
            }
            ExportCommand::Portal {
                workspace,
                out,
                allow_pending,
                dry_run,
                from,
                to,
            } => {
                open_existing(&workspace)?;
                let options = crate::export::portal::PortalOptions {
                    allow_pending,
                    period: crate::indicators::Period { from, to },
                };
                let out = match out {
                    Some(out) if !dry_run => out,
                    _ => {
                        let run = run_with_progress("export portal --dry-run", move |progress| {
                            let store = Store::open(&workspace)?;
                            crate::export::portal::dry_run(&store, &options, progress)
                        })?;
                        report::print_dry_run(&run);
                        return Ok(());
                    }
                };
                let summary = run_with_progress("export portal", move |progress| {
                    let store = Store::open(&workspace)?;
                    crate::export::portal::export_portal(&store, &out, &options, progress)
                })?;
                outln!(
                    "{}: export {}, {} files, {} substances; {:.1} % of observations pending review",
                    summary.dir.display(),
                    summary.export_id,
                    summary.files.len(),
                    thousands(summary.substances as i64),
                    100.0 * summary.pending.share()
                );
                for (file, rows) in &summary.files {
                    outln!("  {file:<40} {:>10} rows", thousands(*rows as i64));
                }
                Ok(())
            }
        },
        Command::Indicators {
            workspace,
            substance,
            global,
            from,
            to,
            unmasked,
        } => {
            let store = open_existing(&workspace)?;
            print_indicators(
                &store,
                substance,
                global,
                crate::indicators::Period { from, to },
                unmasked,
            )
        }
        Command::Evaluate { workspace, truth } => matching::run_evaluate(workspace, truth),
        Command::Calibrate {
            workspace,
            truth,
            precision,
            kept,
        } => matching::run_calibrate(workspace, truth, precision, kept),
        Command::Settings {
            workspace,
            key,
            value,
            history,
            author,
        } => matching::run_settings(workspace, key, value, history, author),
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
                summary.cases,
                summary.drug_rows,
                summary.distinct_names,
                summary.effect_rows
            );
            for file in &summary.files {
                outln!("  {}", file.display());
            }
            Ok(())
        }
        Command::Review { action } => run_review(action),
        Command::Decisions { action } => run_decisions(action),
    }
}

fn open_existing(workspace: &std::path::Path) -> Result<Store> {
    if !workspace.exists() {
        return Err(Error::Usage(format!(
            "no workspace at {}: create one with datamed import",
            workspace.display()
        )));
    }
    Store::open(workspace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_output_shows_control_characters_escaped() {
        assert_eq!(for_terminal("DOLIPRANE 1000"), "DOLIPRANE 1000");
        assert_eq!(
            for_terminal("A\u{1b}]0;pwned\u{7}B\u{9b}2J\r\n\tC"),
            "A\\x1b]0;pwned\\x07B\\x9b2J\\x0d\n\tC"
        );
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
