//! `datamed review` and `datamed decisions`: everything a reviewer does in
//! the window, from the command line — the queue, approve / reject / defer /
//! comment, undo and redo, history, referential search, decision exchange.

use super::*;

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

pub(super) fn parse_target_level(
    s: &str,
) -> std::result::Result<crate::model::linking::TargetLevel, String> {
    crate::model::linking::TargetLevel::parse(s).ok_or_else(|| {
        format!("unknown target level \"{s}\"; one of: specialite, produit, substance")
    })
}

pub(super) fn parse_queue_sort(s: &str) -> std::result::Result<crate::review::QueueSort, String> {
    crate::review::QueueSort::parse(s)
        .ok_or_else(|| format!("unknown order \"{s}\"; one of: observations, score, name"))
}

/// Opens a workspace for review, first recording the decisions that apply
/// to names seen for the first time (a newly imported extract).
pub(super) fn open_for_review(workspace: &std::path::Path, author: &str) -> Result<Store> {
    let mut store = open_existing(workspace)?;
    let reused = crate::review::record_reuses(&mut store, author)?;
    if reused > 0 {
        eprintln!(
            "{reused} newly imported names reuse an earlier decision (recorded in the audit log)"
        );
    }
    Ok(store)
}

/// A decision in one line: what, to what, by whom, when, how, why.
pub(super) fn decision_line(
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
            super::matching::named_codes(&d.substance_codes, names)
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
pub(super) fn audit_line(
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

/// Takes one decision without a target (reject, defer) on the named name
/// and prints what was saved.
fn decide(
    target: ReviewName,
    action: fn(&mut Store, i64, &crate::review::Note) -> Result<crate::review::AuditEntry>,
) -> Result<()> {
    let mut store = open_existing(&target.workspace)?;
    let name = crate::review::find_name(&store, &target.name, target.level)?;
    let note = crate::review::Note::by(&target.author.unwrap_or_else(os_user))
        .with_comment(target.comment);
    let entry = action(&mut store, name.id, &note)?;
    print_saved(&entry, &store.substance_name_map()?);
    Ok(())
}

/// Prints what a review action saved.
pub(super) fn print_saved(
    e: &crate::review::AuditEntry,
    names: &std::collections::HashMap<String, String>,
) {
    outln!(
        "{} \"{}\" ({}): {} — saved as audit entry #{}",
        e.action.as_str(),
        e.name,
        e.key.level.as_str(),
        decision_line(e.after.as_ref(), names),
        e.id
    );
}

pub(super) fn run_review(action: ReviewCommand) -> Result<()> {
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
            if let Some((status, method, reason)) = store.match_of(name.id)? {
                outln!("matching: {} — {method}", status.as_str());
                if let Some(line) = super::matching::why_line(status, reason.as_ref()) {
                    outln!("{line}");
                }
            }
            super::matching::print_candidates(&store.candidates_of(name.id)?, &names);
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
        ReviewCommand::Reject { target } => decide(target, review::reject),
        ReviewCommand::Defer { target } => decide(target, review::defer),
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
        } => undo_or_redo(&workspace, &author(who), review::undo, "undo", "undone"),
        ReviewCommand::Redo {
            workspace,
            author: who,
        } => undo_or_redo(&workspace, &author(who), review::redo, "redo", "redone"),
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

/// `review undo` and `review redo`: one step of `who`'s, printed entry by entry.
fn undo_or_redo(
    workspace: &std::path::Path,
    who: &str,
    step: fn(&mut Store, &str) -> Result<Option<Vec<crate::review::AuditEntry>>>,
    verb: &str,
    done: &str,
) -> Result<()> {
    let mut store = open_existing(workspace)?;
    let names = store.substance_name_map()?;
    match step(&mut store, who)? {
        None => outln!("nothing to {verb} for {who}"),
        Some(entries) => {
            for e in &entries {
                outln!("{done}: {}", audit_line(e, &names));
            }
        }
    }
    Ok(())
}

pub(super) fn run_decisions(action: DecisionsCommand) -> Result<()> {
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
