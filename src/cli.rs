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
    /// The portal datasets (CSV and JSON) and their manifest, into a
    /// directory replaced whole.
    Portal {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Export even while more observations than the workspace allows
        /// are pending review.
        #[arg(long)]
        allow_pending: bool,
        /// First year (default: the first year of the cases).
        #[arg(long)]
        from: Option<i64>,
        /// Last year (default: the last year of the cases).
        #[arg(long)]
        to: Option<i64>,
    },
}

/// What a reviewer does, from the command line (the window calls the same
/// core functions).
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The names still to review, most observations first.
    Queue {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// How many names to list.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Order: observations, score or name.
        #[arg(long, default_value = "observations", value_parser = parse_queue_sort)]
        sort: crate::review::QueueSort,
        /// Only names typed at this level.
        #[arg(long, value_parser = parse_level)]
        level: Option<crate::model::Level>,
        /// Only names matching gave this method (e.g. similarity).
        #[arg(long)]
        method: Option<String>,
        /// Only names whose best score is at least this.
        #[arg(long)]
        min_score: Option<f64>,
        /// Only names whose best score is below this.
        #[arg(long)]
        max_score: Option<f64>,
        /// Only names containing this text.
        #[arg(long)]
        text: Option<String>,
        /// Also the deferred names.
        #[arg(long)]
        deferred: bool,
        /// Also the names matching found nothing for.
        #[arg(long)]
        unmatched: bool,
        /// Tab-separated output with a header, for scripts.
        #[arg(long)]
        tsv: bool,
        /// Who reviews (default: the OS user).
        #[arg(long)]
        author: Option<String>,
    },
    /// A name's decision and its ranked candidates.
    Show {
        /// Which name.
        #[command(flatten)]
        target: ReviewName,
    },
    /// Approve a name: with a candidate (--rank) or any referential target
    /// (--target-code, repeatable for several substances).
    Approve {
        /// Which name, who, why.
        #[command(flatten)]
        target: ReviewName,
        /// The candidate to link to (1 = best).
        #[arg(long, conflicts_with = "target_code")]
        rank: Option<u32>,
        /// The referential code to link to (CIS, product or substance code).
        #[arg(long = "target-code", requires = "target_level")]
        target_code: Vec<String>,
        /// The level of --target-code: specialite, produit or substance.
        #[arg(long = "target-level", value_parser = parse_target_level)]
        target_level: Option<crate::model::linking::TargetLevel>,
    },
    /// Reject a name: it is linked to nothing.
    Reject {
        /// Which name, who, why.
        #[command(flatten)]
        target: ReviewName,
    },
    /// Defer a name: decide it later.
    Defer {
        /// Which name, who, why.
        #[command(flatten)]
        target: ReviewName,
    },
    /// Comment a name (--comment).
    Comment {
        /// Which name, who, and the comment.
        #[command(flatten)]
        target: ReviewName,
    },
    /// Undo your last action (a compensating audit entry; nothing erased).
    Undo {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Whose action (default: the OS user).
        #[arg(long)]
        author: Option<String>,
    },
    /// Redo your last undone action.
    Redo {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Whose action (default: the OS user).
        #[arg(long)]
        author: Option<String>,
    },
    /// Restore a name's decision to what it was before an audit entry
    /// (anyone's).
    Revert {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The audit entry to revert (#id in history).
        #[arg(long)]
        entry: i64,
        /// Who reverts (default: the OS user).
        #[arg(long)]
        author: Option<String>,
        /// Why.
        #[arg(long)]
        comment: Option<String>,
    },
    /// A name's history from the audit log.
    History {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The name, as typed.
        #[arg(long)]
        name: String,
        /// Only this level (default: every level).
        #[arg(long, value_parser = parse_level)]
        level: Option<crate::model::Level>,
    },
    /// Search the referential (spécialités, produits, substances) by name
    /// or code.
    Search {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Only targets of this level.
        #[arg(long, value_parser = parse_target_level)]
        level: Option<crate::model::linking::TargetLevel>,
        /// How many targets to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Name, part of a name, or code.
        text: String,
    },
    /// Apply a name's decision to the same normalised name at other
    /// levels that nobody reviewed: shows how many first, applies with
    /// --apply.
    Identical {
        /// Which name, who, why.
        #[command(flatten)]
        target: ReviewName,
        /// Apply (otherwise only count).
        #[arg(long)]
        apply: bool,
    },
    /// Share of names and observations resolved, decisions per reviewer.
    Progress {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
    },
    /// Approved decisions whose target left the referential.
    Flagged {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
    },
}

/// The name a review command acts on, who acts and why.
#[derive(Debug, clap::Args)]
pub struct ReviewName {
    /// The workspace file.
    #[arg(long, short = 'w')]
    pub workspace: PathBuf,
    /// The name, as typed in the cases.
    #[arg(long)]
    pub name: String,
    /// Level the name is typed at: specialite, produit, substance, inconnu.
    #[arg(long, default_value = "specialite", value_parser = parse_level)]
    pub level: crate::model::Level,
    /// Who decides (default: the OS user).
    #[arg(long)]
    pub author: Option<String>,
    /// A comment kept with the decision.
    #[arg(long)]
    pub comment: Option<String>,
}

/// Exchanging decisions between workspaces.
#[derive(Debug, Subcommand)]
pub enum DecisionsCommand {
    /// Write every decision of a workspace to a JSON file.
    Export {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Apply a decision file: new keys applied, identical ones counted,
    /// conflicting ones listed and left as they are.
    Import {
        /// The workspace file.
        #[arg(long, short = 'w')]
        workspace: PathBuf,
        /// Who imports (default: the OS user).
        #[arg(long)]
        author: Option<String>,
        /// The decision file.
        file: PathBuf,
    },
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

fn parse_target_level(s: &str) -> std::result::Result<crate::model::linking::TargetLevel, String> {
    crate::model::linking::TargetLevel::parse(s).ok_or_else(|| {
        format!("unknown target level \"{s}\"; one of: specialite, produit, substance")
    })
}

fn parse_queue_sort(s: &str) -> std::result::Result<crate::review::QueueSort, String> {
    crate::review::QueueSort::parse(s)
        .ok_or_else(|| format!("unknown order \"{s}\"; one of: observations, score, name"))
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
            ExportCommand::Portal {
                workspace,
                out,
                allow_pending,
                from,
                to,
            } => {
                let store = open_existing(&workspace)?;
                let options = crate::export::portal::PortalOptions {
                    allow_pending,
                    period: crate::indicators::Period { from, to },
                };
                let summary = crate::export::portal::export_portal(&store, &out, &options)?;
                outln!(
                    "{}: {} files, {} substances; {:.1} % of observations pending review",
                    summary.dir.display(),
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
                crate::matching::evaluate::calibrate_workspace(
                    &store, &truth, precision, kept, progress,
                )
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

/// Opens a workspace that must already exist.
/// `datamed indicators`: the substance list, or one substance's (or the
/// global page's) breakdowns, published values beside the true ones when
/// `unmasked`, and what pending names would add.
fn print_indicators(
    store: &Store,
    substance: Option<String>,
    global: bool,
    period: crate::indicators::Period,
    unmasked: bool,
) -> Result<()> {
    use crate::indicators::Computation;
    let computation = Computation::new(store, period)?;
    let rule = computation.rule();
    let years = computation.years();
    let count = |n: i64, shown: crate::indicators::disclosure::Shown| {
        let published = rule.text(shown);
        match (unmasked, shown.reason()) {
            (true, Some(r)) => format!("{:>10} {published:>8} ({})", thousands(n), r.as_str()),
            (true, None) => format!("{:>10} {published:>8}", thousands(n)),
            (false, Some(r)) => format!("{published:>8} ({})", r.as_str()),
            (false, None) => format!("{published:>8}"),
        }
    };
    let Some(code) = substance.filter(|_| !global) else {
        if !global {
            outln!("Substances with linked cases, {}–{}", years.from, years.to);
            for s in computation.substances()? {
                outln!(
                    "  {:<8} {:<50} {}",
                    s.code,
                    s.name,
                    count(s.cases, s.cases_shown)
                );
            }
            return Ok(());
        }
        let g = computation.global()?;
        print_breakdowns(&g, years, unmasked, &count);
        return Ok(());
    };
    let ind = computation.substance(&code)?;
    print_breakdowns(&ind, years, unmasked, &count);
    if let Some(p) = &ind.patients {
        outln!(
            "\nOpen Medic ({} years): {} patients, {:.0} a year, usage level {}; reporting rate {}",
            p.years.len(),
            count(p.total, p.total_shown).trim(),
            p.per_year,
            p.usage_level,
            p.rate_per_100k.map_or("not shown".to_string(), |r| format!(
                "{r:.1} per 100,000 patients"
            ))
        );
        for b in &p.breakdowns {
            outln!("  {}", b.dimension);
            for c in &b.cells {
                outln!("    {:<40} {}", c.category, count(c.count, c.shown));
            }
        }
    }
    let impact = computation.pending_impact(&code)?;
    if !impact.is_empty() {
        outln!("\nPending names that would add cases if approved");
        for i in impact {
            outln!("  +{:<6} {} ({})", i.added_cases, i.name, i.level.as_str());
        }
    }
    Ok(())
}

/// The breakdowns of one substance or of the global page.
fn print_breakdowns(
    ind: &crate::indicators::Indicators,
    years: crate::indicators::YearRange,
    unmasked: bool,
    count: &dyn Fn(i64, crate::indicators::disclosure::Shown) -> String,
) {
    outln!(
        "{} {} — {}–{}{}",
        ind.code.as_deref().unwrap_or(""),
        ind.name,
        years.from,
        years.to,
        if unmasked {
            " (true count, published)"
        } else {
            ""
        }
    );
    outln!("cases {}", count(ind.cases, ind.cases_shown));
    for b in &ind.breakdowns {
        outln!("\n{}", b.dimension);
        for c in &b.cells {
            let label = if c.detail.is_empty() {
                c.category.clone()
            } else {
                format!("{} / {}", c.category, c.detail)
            };
            outln!("  {label:<60} {}", count(c.count, c.shown));
        }
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
            "{msg:30} [{bar:30}] {percent:>3}% {prefix} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut phase = String::new();
    let mut phase_started = Instant::now();
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
            phase_started = Instant::now();
        }
        let items = progress.items();
        if items > 0 {
            let rate = items as f64 / phase_started.elapsed().as_secs_f64().max(0.001);
            bar.set_prefix(format!(
                "{} rows, {} rows/s",
                thousands(items as i64),
                thousands(rate as i64)
            ));
        } else {
            bar.set_prefix(String::new());
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
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Opens a workspace for review, first recording the decisions that apply
/// to names seen for the first time (a newly imported extract).
fn open_for_review(workspace: &std::path::Path, author: &str) -> Result<Store> {
    let mut store = open_existing(workspace)?;
    let reused = crate::review::record_reuses(&mut store, author)?;
    if reused > 0 {
        eprintln!(
            "{reused} newly imported names reuse an earlier decision (recorded in the audit log)"
        );
    }
    Ok(store)
}

/// Codes with their canonical names: "02202 PARACETAMOL + 04179 CODEINE".
fn named_codes(codes: &[String], names: &std::collections::HashMap<String, String>) -> String {
    codes
        .iter()
        .map(|c| match names.get(c) {
            Some(n) => format!("{c} {n}"),
            None => c.clone(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A decision in one line: what, to what, by whom, when, how, why.
fn decision_line(
    d: Option<&crate::review::Decision>,
    names: &std::collections::HashMap<String, String>,
) -> String {
    let Some(d) = d else {
        return "no decision".into();
    };
    let what = match &d.target {
        Some(t) => format!(
            "{} → {} {} {}: {}",
            d.status.as_str(),
            t.level,
            t.code,
            t.name,
            named_codes(&d.substance_codes, names)
        ),
        None if d.status == crate::review::DecisionStatus::Rejected => "rejected (no link)".into(),
        None => d.status.as_str().to_string(),
    };
    format!(
        "{what} — {}, by {} at {}{}",
        d.method,
        d.author,
        d.decided_at,
        d.comment
            .as_deref()
            .map(|c| format!(" — « {c} »"))
            .unwrap_or_default()
    )
}

/// An audit entry in one line.
fn audit_line(
    e: &crate::review::AuditEntry,
    names: &std::collections::HashMap<String, String>,
) -> String {
    let change = if e.before == e.after {
        decision_line(e.after.as_ref(), names)
    } else {
        format!(
            "{} ⇒ {}",
            decision_line(e.before.as_ref(), names),
            decision_line(e.after.as_ref(), names)
        )
    };
    format!(
        "#{} {} {} {} \"{}\" ({}): {change}{}{}",
        e.id,
        e.at,
        e.author,
        e.action.as_str(),
        e.name,
        e.key.level.as_str(),
        // A decision's comment is already in its line.
        e.comment
            .as_deref()
            .filter(|c| e.after.as_ref().and_then(|d| d.comment.as_deref()) != Some(*c))
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default(),
        e.compensates
            .map(|id| format!(" (reverses #{id})"))
            .unwrap_or_default()
    )
}

/// Prints what a review action saved.
fn print_saved(e: &crate::review::AuditEntry, names: &std::collections::HashMap<String, String>) {
    outln!(
        "{} \"{}\" ({}): {} — saved as audit entry #{}",
        e.action.as_str(),
        e.name,
        e.key.level.as_str(),
        decision_line(e.after.as_ref(), names),
        e.id
    );
}

fn run_review(action: ReviewCommand) -> Result<()> {
    use crate::review::{self, Note};
    let author = |a: Option<String>| a.unwrap_or_else(os_user);
    match action {
        ReviewCommand::Queue {
            workspace,
            limit,
            sort,
            level,
            method,
            min_score,
            max_score,
            text,
            deferred,
            unmatched,
            tsv,
            author: who,
        } => {
            let store = open_for_review(&workspace, &author(who))?;
            let query = review::QueueQuery {
                sort,
                level,
                method,
                min_score,
                max_score,
                text,
                include_deferred: deferred,
                include_unmatched: unmatched,
                limit: None,
            };
            let items = review::queue(&store, &query)?;
            let total = items.len();
            if tsv {
                outln!("id\tlevel\tn_obs\tn_cases\tscore\tstatus\tmethod\tstate\tname");
            } else {
                outln!(
                    "{} names to review{}",
                    thousands(total as i64),
                    if total > limit {
                        format!(" (the first {limit})")
                    } else {
                        String::new()
                    }
                );
            }
            for i in items.into_iter().take(limit) {
                let state = if i.flagged {
                    "re-review"
                } else {
                    i.decision.as_ref().map_or("", |d| d.status.as_str())
                };
                if tsv {
                    outln!(
                        "{}\t{}\t{}\t{}\t{:.3}\t{}\t{}\t{}\t{}",
                        i.name.id,
                        i.name.level.as_str(),
                        i.name.n_obs,
                        i.name.n_cases,
                        i.score,
                        i.status.as_str(),
                        i.method,
                        state,
                        i.name.name
                    );
                } else {
                    outln!(
                        "  {:>6} obs {:>5} cas  {:.2}  {:<10}  {:<32} {}{}",
                        thousands(i.name.n_obs),
                        thousands(i.name.n_cases),
                        i.score,
                        i.name.level.as_str(),
                        i.name.name,
                        i.method,
                        if state.is_empty() {
                            String::new()
                        } else {
                            format!(" [{state}]")
                        }
                    );
                }
            }
            Ok(())
        }
        ReviewCommand::Show { target } => {
            let store = open_for_review(&target.workspace, &author(target.author.clone()))?;
            let name = review::find_name(&store, &target.name, target.level)?;
            let names = store.substance_name_map()?;
            let key = review::DecisionKey::of(&name);
            outln!(
                "\"{}\" ({}): {} observations, {} cases; normalised \"{}\"",
                name.name,
                name.level.as_str(),
                thousands(name.n_obs),
                thousands(name.n_cases),
                name.normalized
            );
            outln!(
                "decision: {}",
                decision_line(store.decision(&key)?.as_ref(), &names)
            );
            for c in store.candidates_of(name.id)? {
                outln!(
                    "  {:>2}. {:.3} {} {} {} → {}\n      {}",
                    c.rank,
                    c.score,
                    c.target_level,
                    c.target_code,
                    c.target_name,
                    named_codes(&c.substance_codes, &names),
                    c.explanation
                );
            }
            Ok(())
        }
        ReviewCommand::Approve {
            target,
            rank,
            target_code,
            target_level,
        } => {
            let mut store = open_existing(&target.workspace)?;
            let name = review::find_name(&store, &target.name, target.level)?;
            let note = Note::by(&author(target.author)).with_comment(target.comment);
            let entry = match (rank, target_level) {
                (Some(rank), _) => review::approve_candidate(&mut store, name.id, rank, &note)?,
                (None, Some(level)) if !target_code.is_empty() => {
                    let search = review::ReferentialSearch::load(&store)?;
                    let mut hits = Vec::new();
                    for code in &target_code {
                        hits.push(search.by_code(level, code).cloned().ok_or_else(|| {
                            Error::Usage(format!(
                                "no {level} with code {code} in the referential (datamed review search finds codes)"
                            ))
                        })?);
                    }
                    review::approve_targets(&mut store, name.id, &hits, &note)?
                }
                _ => {
                    return Err(Error::Usage(
                        "say what to link to: --rank N (a candidate) or --target-code C --target-level L"
                            .into(),
                    ));
                }
            };
            print_saved(&entry, &store.substance_name_map()?);
            Ok(())
        }
        ReviewCommand::Reject { target } => {
            let mut store = open_existing(&target.workspace)?;
            let name = review::find_name(&store, &target.name, target.level)?;
            let note = Note::by(&author(target.author)).with_comment(target.comment);
            let entry = review::reject(&mut store, name.id, &note)?;
            print_saved(&entry, &store.substance_name_map()?);
            Ok(())
        }
        ReviewCommand::Defer { target } => {
            let mut store = open_existing(&target.workspace)?;
            let name = review::find_name(&store, &target.name, target.level)?;
            let note = Note::by(&author(target.author)).with_comment(target.comment);
            let entry = review::defer(&mut store, name.id, &note)?;
            print_saved(&entry, &store.substance_name_map()?);
            Ok(())
        }
        ReviewCommand::Comment { target } => {
            let Some(text) = target.comment else {
                return Err(Error::Usage(
                    "write the comment with --comment \"...\"".into(),
                ));
            };
            let mut store = open_existing(&target.workspace)?;
            let name = review::find_name(&store, &target.name, target.level)?;
            let entry = review::comment(&mut store, name.id, &text, &author(target.author))?;
            print_saved(&entry, &store.substance_name_map()?);
            Ok(())
        }
        ReviewCommand::Undo {
            workspace,
            author: who,
        } => {
            let who = author(who);
            let mut store = open_existing(&workspace)?;
            let names = store.substance_name_map()?;
            match review::undo(&mut store, &who)? {
                None => outln!("nothing to undo for {who}"),
                Some(entries) => {
                    for e in &entries {
                        outln!("undone: {}", audit_line(e, &names));
                    }
                }
            }
            Ok(())
        }
        ReviewCommand::Redo {
            workspace,
            author: who,
        } => {
            let who = author(who);
            let mut store = open_existing(&workspace)?;
            let names = store.substance_name_map()?;
            match review::redo(&mut store, &who)? {
                None => outln!("nothing to redo for {who}"),
                Some(entries) => {
                    for e in &entries {
                        outln!("redone: {}", audit_line(e, &names));
                    }
                }
            }
            Ok(())
        }
        ReviewCommand::Revert {
            workspace,
            entry,
            author: who,
            comment,
        } => {
            let mut store = open_existing(&workspace)?;
            let note = Note::by(&author(who)).with_comment(comment);
            let e = review::revert(&mut store, entry, &note)?;
            outln!("reverted: {}", audit_line(&e, &store.substance_name_map()?));
            Ok(())
        }
        ReviewCommand::History {
            workspace,
            name,
            level,
        } => {
            let store = open_for_review(&workspace, &os_user())?;
            let names = store.substance_name_map()?;
            let entries = review::history_of_name(&store, &name, level)?;
            if entries.is_empty() {
                outln!("no history for \"{name}\": nobody reviewed it");
            }
            for e in &entries {
                outln!("{}", audit_line(e, &names));
            }
            Ok(())
        }
        ReviewCommand::Search {
            workspace,
            level,
            limit,
            text,
        } => {
            let store = open_existing(&workspace)?;
            let hits = review::search(&store, &text, level, limit)?;
            if hits.is_empty() {
                outln!("nothing in the referential matches \"{text}\"");
            }
            for h in hits {
                outln!(
                    "  {:<10} {:<12} {} → {}",
                    h.level.as_str(),
                    h.code,
                    h.name,
                    h.substance_codes
                        .iter()
                        .zip(&h.substance_names)
                        .map(|(c, n)| format!("{c} {n}"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                );
            }
            Ok(())
        }
        ReviewCommand::Identical { target, apply } => {
            let mut store = open_existing(&target.workspace)?;
            let name = review::find_name(&store, &target.name, target.level)?;
            let preview = review::identical_preview(&store, name.id)?;
            outln!(
                "the decision on \"{}\" ({}) would apply to {} names at {} other levels ({} observations) that nobody reviewed",
                name.name,
                name.level.as_str(),
                preview.names.len(),
                preview.keys,
                thousands(preview.observations)
            );
            for n in &preview.names {
                outln!(
                    "  {:<10} {} ({} obs)",
                    n.level.as_str(),
                    n.name,
                    thousands(n.n_obs)
                );
            }
            if apply {
                let note = Note::by(&author(target.author)).with_comment(target.comment);
                let written = review::apply_to_identical(&mut store, name.id, &note)?;
                outln!("applied to {} keys", written.len());
            } else if !preview.names.is_empty() {
                outln!("run again with --apply to apply it");
            }
            Ok(())
        }
        ReviewCommand::Progress { workspace } => {
            let store = open_for_review(&workspace, &os_user())?;
            let p = review::progress(&store)?;
            outln!(
                "names resolved:        {} / {} ({:.1} %) — {} by matching, {} by reviewers",
                thousands(p.names_resolved),
                thousands(p.names),
                100.0 * p.name_share(),
                thousands(p.names_auto),
                thousands(p.names_decided)
            );
            outln!(
                "observations resolved: {} / {} ({:.1} %)",
                thousands(p.observations_resolved),
                thousands(p.observations),
                100.0 * p.observation_share()
            );
            outln!(
                "to review: {} names; to review again (target left the referential): {}",
                thousands(p.names_to_review),
                thousands(p.flagged)
            );
            if !p.by_reviewer.is_empty() {
                outln!("\nBy reviewer          approved  rejected  deferred");
                for t in &p.by_reviewer {
                    outln!(
                        "  {:<18} {:>8} {:>9} {:>9}",
                        t.author,
                        thousands(t.approved),
                        thousands(t.rejected),
                        thousands(t.deferred)
                    );
                }
            }
            Ok(())
        }
        ReviewCommand::Flagged { workspace } => {
            let store = open_existing(&workspace)?;
            let names = store.substance_name_map()?;
            let flagged = review::flagged(&store)?;
            outln!(
                "{} approved decisions to review again: their target left the referential",
                flagged.len()
            );
            for f in &flagged {
                outln!(
                    "  \"{}\" ({}): {} — missing {}",
                    f.decision.name,
                    f.decision.key.level.as_str(),
                    decision_line(Some(&f.decision), &names),
                    f.missing.join(", ")
                );
            }
            Ok(())
        }
    }
}

fn run_decisions(action: DecisionsCommand) -> Result<()> {
    match action {
        DecisionsCommand::Export { workspace, out } => {
            let store = open_for_review(&workspace, &os_user())?;
            let n = crate::review::export_decisions(&store, &out, &os_user())?;
            outln!("{}: {} decisions", out.display(), thousands(n as i64));
            Ok(())
        }
        DecisionsCommand::Import {
            workspace,
            author,
            file,
        } => {
            let who = author.unwrap_or_else(os_user);
            let mut store = open_existing(&workspace)?;
            let note = crate::review::Note::by(&who);
            let report = crate::review::import_decisions(&mut store, &file, &note)?;
            crate::review::record_reuses(&mut store, &who)?;
            let names = store.substance_name_map()?;
            outln!(
                "{}: {} decisions read — {} applied, {} identical, {} conflicting (not applied)",
                file.display(),
                thousands(report.read as i64),
                thousands(report.applied.len() as i64),
                thousands(report.identical as i64),
                thousands(report.conflicts.len() as i64)
            );
            for c in &report.conflicts {
                outln!(
                    "\nconflict on \"{}\" ({}):",
                    c.here.key.normalized,
                    c.here.key.level.as_str()
                );
                outln!("  here:    {}", decision_line(Some(&c.here), &names));
                outln!("  in file: {}", decision_line(Some(&c.incoming), &names));
            }
            if !report.conflicts.is_empty() {
                outln!(
                    "\nconflicting decisions were left as they are here: review them (datamed review history) and decide"
                );
            }
            Ok(())
        }
    }
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
