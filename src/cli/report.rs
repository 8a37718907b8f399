//! What the commands print: import, status, matching and indicator reports.

use super::*;
use crate::import::FileReport;
use crate::model::Source;

/// Opens a workspace that must already exist.
/// `datamed indicators`: the substance list, or one substance's (or the
/// global page's) breakdowns, published values beside the true ones when
/// `unmasked`, and what pending names would add.
pub(super) fn print_indicators(
    store: &Store,
    substance: Option<String>,
    global: bool,
    period: crate::indicators::Period,
    unmasked: bool,
) -> Result<()> {
    use crate::indicators::Computation;
    let computation = Computation::new(store, period)?;
    let years = computation.years();
    // What the portal gets: the count, or the neutral mark whatever the
    // reason; the reason only beside the true count (internal).
    let count = |n: i64, shown: crate::indicators::disclosure::Shown| {
        let published = match shown.value() {
            Some(v) => thousands(v),
            None => crate::indicators::disclosure::STATUS_MASKED.to_string(),
        };
        match (unmasked, shown.reason()) {
            (true, Some(r)) => format!("{:>10} {published:>8} ({})", thousands(n), r.as_str()),
            (true, None) => format!("{:>10} {published:>8}", thousands(n)),
            (false, _) => format!("{published:>8}"),
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
pub(super) fn print_breakdowns(
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

pub(super) fn print_match_summary(summary: &crate::matching::engine::MatchSummary) {
    use crate::matching::engine::ReferentialWarning;
    match &summary.warning {
        Some(ReferentialWarning::Missing) => eprintln!(
            "warning: the workspace has no referential (CODEX or BDPM): no name can be linked. Import the CODEX tables or the BDPM files, then match again"
        ),
        Some(ReferentialWarning::Older {
            referential,
            newest_notification,
        }) => eprintln!(
            "warning: the referential is older than the cases: its latest date is {referential}, the newest notification {newest_notification}. Drugs authorised or renamed since are not in it; import a newer CODEX or BDPM, then match again"
        ),
        None => {}
    }
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

pub(super) fn print_import_summary(summary: &ImportSummary) {
    for report in &summary.imported {
        if let Some(batch) = report.already {
            outln!(
                "{} ({}): already imported as batch {batch} (same SHA-256): nothing changed",
                report.path.display(),
                report.kind,
            );
            continue;
        }
        let c = report.counts;
        let present = if c.present > 0 {
            format!(
                ", {} already in the workspace (not stored again)",
                thousands(c.present as i64)
            )
        } else {
            String::new()
        };
        outln!(
            "{} ({}, {}): {} rows read, {} kept{present}, {} rejected, {} dropped by rule, {} warnings — batch {}",
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
        print_case_changes(report);
        for absent in &report.absent {
            outln!(
                "  warning: column {} is missing: {}",
                absent.column,
                absent.left_unknown.describe()
            );
        }
        if let Some(first) = report.invalid_lines.first() {
            let shown: Vec<String> = report
                .invalid_lines
                .iter()
                .take(10)
                .map(u64::to_string)
                .collect();
            outln!(
                "  warning: {} line(s) with bytes that are not UTF-8 (the file is UTF-8 otherwise; each read as \u{FFFD}): line {}{}{}",
                report.invalid_lines.len(),
                first,
                if shown.len() > 1 { ", " } else { "" },
                shown[1..].join(", ")
            );
        }
    }
    for (path, why) in &summary.skipped {
        outln!("skipped {}: {why}", path.display());
    }
    if let Some((failed, rest)) = summary.not_imported.split_first() {
        outln!(
            "{} file(s) committed before the failure (they stay imported)",
            summary.imported.len()
        );
        outln!(
            "not imported: {} (refused, see the error)",
            failed.display()
        );
        for path in rest {
            outln!("not imported: {} (after the refused file)", path.display());
        }
    }
}

/// What a BNPV file changed to the cases and the names' counts.
fn print_case_changes(report: &FileReport) {
    let ch = &report.changes;
    if report.kind == Kind::BnpvCases {
        let mut line = format!(
            "  cases: {} added, {} updated (newer version), {} retired, {} back",
            thousands(ch.added as i64),
            thousands(ch.updated as i64),
            thousands(ch.retired as i64),
            thousands(ch.restored as i64),
        );
        if ch.absent > 0 {
            line.push_str(&format!(
                "; {} cases of the workspace are not in this file (still counted; --cumulative retires them)",
                thousands(ch.absent as i64)
            ));
        }
        outln!("{line}");
    } else if report.kind.source() == Source::Bnpv && (ch.added > 0 || ch.updated > 0) {
        outln!(
            "  cases: {} added, {} updated (newer version)",
            thousands(ch.added as i64),
            thousands(ch.updated as i64),
        );
    }
    if matches!(report.kind, Kind::BnpvCases | Kind::BnpvDrugs) {
        outln!(
            "  drug names whose observation counts changed: {}",
            thousands(ch.name_deltas.len() as i64)
        );
    }
}

pub(super) fn print_status(store: &Store, issue_limit: usize) -> Result<()> {
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
            "  #{} {} {}{} — SHA-256 {}, {}, read {}, kept {}, rejected {}, warnings {}; {} by {}{}",
            batch.id,
            batch.kind,
            batch.file_name,
            batch
                .sheet
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default(),
            batch.sha256,
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
pub(super) fn kind_label(kind: Kind) -> String {
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

/// A published value for a person: the value, "hidden", or "absent".
fn published(v: &Option<Option<String>>) -> String {
    match v {
        None => "absent".into(),
        Some(None) => "hidden".into(),
        Some(Some(v)) if v.is_empty() => "empty".into(),
        Some(Some(v)) => v.clone(),
    }
}

/// `datamed export portal --dry-run`: what exporting now would change.
pub(super) fn print_dry_run(run: &crate::export::publication::DryRun) {
    let c = &run.changes;
    outln!("dry run: nothing written");
    match &run.previous {
        Some(p) => outln!(
            "against the last export, {} of {} in {}",
            p.id,
            p.exported_at,
            p.dir
        ),
        None => outln!("no export recorded in this workspace yet: every value would be new"),
    }
    if run.refused {
        outln!(
            "the export would be refused: {:.1} % of observations pending review, above the {:.1} % allowed (--allow-pending to export anyway)",
            100.0 * run.pending.share(),
            100.0 * run.max_pending
        );
    }
    outln!(
        "would publish {} substances, {} values",
        thousands(run.substances as i64),
        thousands(run.cells as i64)
    );
    if run.previous.is_some() && c.is_empty() {
        outln!("no change: the export would publish exactly what the last one did");
        return;
    }
    outln!(
        "substances: {} added, {} removed",
        c.substances_added.len(),
        c.substances_removed.len()
    );
    for (sign, list) in [("+", &c.substances_added), ("-", &c.substances_removed)] {
        for (code, name) in list.iter().take(20) {
            outln!("  {sign} {code} {name}");
        }
        if list.len() > 20 {
            outln!("  {sign} … and {} more", list.len() - 20);
        }
    }
    let n = &c.counts;
    outln!(
        "published counts: {} change value, {} newly hidden, {} newly shown, {} new, {} gone",
        thousands(n.changed as i64),
        thousands(n.newly_hidden as i64),
        thousands(n.newly_shown as i64),
        thousands(n.added as i64),
        thousands(n.removed as i64)
    );
    for e in &c.count_examples {
        outln!(
            "  {} {} {}: {} → {}",
            e.table,
            e.key.join(" · "),
            e.column,
            published(&e.before),
            published(&e.after)
        );
    }
    if c.other_values_changed > 0 {
        outln!(
            "other published values changed (names, usage levels, rates, years): {}",
            thousands(c.other_values_changed as i64)
        );
    }
    let t = &c.transcoding;
    outln!(
        "transcoding table: {} rows changed, {} added, {} removed",
        thousands(t.changed as i64),
        thousands(t.added as i64),
        thousands(t.removed as i64)
    );
    for e in &c.transcoding_examples {
        outln!(
            "  {} {}: {} → {}",
            e.key.join(" · "),
            e.column,
            published(&e.before),
            published(&e.after)
        );
    }
}
