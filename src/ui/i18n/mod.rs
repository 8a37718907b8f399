//! The window's one French catalogue. Core hands the window typed values —
//! levels, statuses, decisions, audit actions, job phases, matching
//! methods, hidden-cell reasons, errors with their place — and every word
//! the window shows about them comes from here, with French plurals
//! ("1 nom", "2 noms"), numbers ("20 000", "0,81", "98,5 %") and dates
//! ("31/01/2026 15:05", local time). [`errors`] words the errors (and
//! the refusals of review steps), [`review`] the matching methods and the
//! steps a reviewer takes, [`explain`] a candidate's agreement with the
//! typed name and the ORDEI categories. Views
//! keep their own fixed labels (buttons, headings), which are French
//! where they are written; nothing here is parsed back.

pub mod errors;
pub mod explain;
pub mod review;
#[cfg(test)]
mod tests;

pub use errors::{error, place};
pub use review::{audit_action, method, step};

use crate::export::ExportKind;
use crate::import::LeftUnknown;
use crate::indicators::disclosure::Reason;
use crate::jobs::Phase;
use crate::matching::engine::ReferentialWarning;
use crate::model::Level;
use crate::model::linking::{MatchStatus, NameStatus, TargetLevel};
use crate::review::DecisionStatus;

use super::session::{Figures, JobKind};
use super::state::{ScoreBand, SortChoice, View};

// ----- numbers, dates, plurals -----

/// An integer with spaces between thousands ("20 000").
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A count with its noun, singular for 0 and 1 as French has it:
/// `count(1, "nom", "noms")` is "1 nom", `count(1555, …)` "1 555 noms".
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", int(n), plural(n, one, many))
}

/// The noun form for `n`: singular for 0 and 1, plural above.
pub fn plural<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n.abs() <= 1 { one } else { many }
}

/// A score with two decimals and a decimal comma ("0,81").
pub fn score(score: f64) -> String {
    format!("{score:.2}").replace('.', ",")
}

/// A decimal with `decimals` places and a decimal comma ("12,5").
pub fn decimal(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",")
}

/// A share as a percentage with one decimal ("98,5 %").
pub fn percent(share: f64) -> String {
    format!("{} %", decimal(share * 100.0, 1)).replace(' ', "\u{a0}")
}

/// A recorded UTC time (ISO 8601) in the agent's local time, the French
/// way: "31/01/2026 15:05". A time that does not parse is shown as stored.
pub fn date_time(iso: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(iso) {
        Ok(t) => t
            .with_timezone(&chrono::Local)
            .format("%d/%m/%Y %H:%M")
            .to_string(),
        Err(_) => iso.to_string(),
    }
}

/// A day stored as `YYYY-MM-DD`, the French way: "31/01/2026". A day
/// that does not parse is shown as stored.
pub fn day(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => iso.to_string(),
    }
}

// ----- typed values -----

/// What the referential lacks for matching, as the window says it.
pub fn referential_warning(warning: &ReferentialWarning) -> String {
    match warning {
        ReferentialWarning::Missing => "Aucun référentiel (CODEX ou BDPM) dans l'espace de travail : aucun nom ne peut être relié. Importez les tables CODEX ou les fichiers BDPM, puis relancez l'appariement.".to_string(),
        ReferentialWarning::Older {
            referential,
            newest_notification,
        } => format!(
            "Le référentiel est plus ancien que les cas : sa date la plus récente est le {}, la notification la plus récente le {}. Les médicaments autorisés ou renommés depuis n'y sont pas ; importez un CODEX ou une BDPM plus récents, puis relancez l'appariement.",
            day(referential),
            day(newest_notification)
        ),
    }
}

/// The level a name was typed at.
pub fn level(level: Level) -> &'static str {
    match level {
        Level::Specialite => "Spécialité",
        Level::Produit => "Produit",
        Level::Substance => "Substance",
        Level::Inconnu => "Inconnu",
    }
}

/// What a candidate or a decision points at.
pub fn target_level(level: TargetLevel) -> &'static str {
    match level {
        TargetLevel::Specialite => "Spécialité",
        TargetLevel::Produit => "Produit",
        TargetLevel::Substance => "Substance",
    }
}

/// Matching's verdict on a name.
pub fn match_status(status: MatchStatus) -> &'static str {
    match status {
        MatchStatus::Auto => "Lié automatiquement",
        MatchStatus::Pending => "À revoir",
        MatchStatus::Unmatched => "Non apparié",
    }
}

/// Where a name stands once decisions count (the table's Statut column).
pub fn name_status(status: NameStatus) -> &'static str {
    match status {
        NameStatus::Auto => "Auto",
        NameStatus::Approved => "Validé",
        NameStatus::Pending => "À revoir",
        NameStatus::Deferred => "Reporté",
        NameStatus::Rejected => "Rejeté",
        NameStatus::Unmatched => "Non apparié",
    }
}

/// A reviewer's decision.
pub fn decision_status(status: DecisionStatus) -> &'static str {
    match status {
        DecisionStatus::Approved => "Validé",
        DecisionStatus::Rejected => "Rejeté (aucun lien)",
        DecisionStatus::Deferred => "Reporté",
    }
}

/// What long work is doing.
pub fn phase(phase: &Phase) -> String {
    let text = match phase {
        Phase::Starting => "Démarrage",
        Phase::OpenWorkspace => "Ouverture de l'espace de travail",
        Phase::ReadWorkspace => "Lecture de l'espace de travail",
        Phase::LoadReferential => "Chargement du référentiel",
        Phase::MatchNames => "Appariement des noms",
        Phase::SaveResults => "Enregistrement des résultats",
        Phase::RankLabelledNames => "Classement des noms étiquetés",
        Phase::Import { file } => return format!("Import de {file}"),
        Phase::ReadReferenceData => "Lecture de la BDPM et des listes DataMed",
        Phase::GenerateCases => "Génération des cas",
        Phase::WriteCodex => "Écriture des tables CODEX",
        Phase::WriteBdpmSubset => "Écriture de l'extrait de la BDPM",
        Phase::CheckPending => "Vérification des noms en attente",
        Phase::PrepareIndicators => "Préparation des observations liées",
        Phase::SubstanceIndicators => "Indicateurs de chaque substance",
        Phase::GlobalIndicators => "Indicateurs de la base entière",
        Phase::TranscodingTable => "Table de transcodage",
        Phase::WriteFiles => "Écriture des fichiers",
        Phase::ReplaceDirectory => "Mise en place du dossier",
    };
    text.to_string()
}

/// What a job of the window does.
pub fn job_kind(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Prepare => "Préparation de l'espace d'exemple",
        JobKind::Open => "Ouverture",
        JobKind::Import => "Import",
        JobKind::Match => "Appariement",
        JobKind::Export => "Export",
        JobKind::PortalExport => "Export pour le portail",
        JobKind::PortalPreview => "Aperçu des changements de l'export",
    }
}

/// A table for Excel, in the Fichier menu.
pub fn export_table(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Transcoding => "Table de transcodage",
        ExportKind::Candidates => "Candidats classés",
        ExportKind::Audit => "Journal d'audit",
        ExportKind::Queue => "Noms à revoir",
    }
}

/// The file name proposed for a table for Excel, without extension.
pub fn export_file_stem(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Transcoding => "transcodage",
        ExportKind::Candidates => "candidats",
        ExportKind::Audit => "journal-audit",
        ExportKind::Queue => "file-de-revue",
    }
}

/// A view's tab.
pub fn view(view: View) -> &'static str {
    match view {
        View::Import => "Importer",
        View::Review => "Revue",
        View::Transcoding => "Table de transcodage",
        View::Indicators => "Indicateurs",
    }
}

/// An order of the queue.
pub fn sort_choice(sort: SortChoice) -> &'static str {
    match sort {
        SortChoice::Observations => "Observations",
        SortChoice::Score => "Score",
        SortChoice::Name => "Nom",
    }
}

/// A band of scores.
pub fn score_band(band: ScoreBand) -> &'static str {
    match band {
        ScoreBand::High => "≥ 0,90",
        ScoreBand::Medium => "0,75 – 0,90",
        ScoreBand::Low => "0,55 – 0,75",
        ScoreBand::VeryLow => "< 0,55",
    }
}

/// Which figures the Indicateurs charts show.
pub fn figures(figures: Figures) -> &'static str {
    match figures {
        Figures::Both => "Publiée et interne",
        Figures::Published => "Publiée seule",
        Figures::Internal => "Interne seule",
    }
}

/// What the portal gets of a hidden count, whatever the reason: the word
/// for its neutral mark.
pub const MASKED: &str = "masqué";

/// Why the portal hides a count.
pub fn hidden_reason(reason: Reason) -> &'static str {
    match reason {
        Reason::SmallCount => "effectif inférieur au seuil de diffusion",
        Reason::Complementary => "masqué pour qu'un petit effectif ne se déduise pas du total",
        Reason::TotalHidden => "le total est lui-même masqué",
    }
}

/// What a column a file lacks leaves unknown (the file was imported
/// without it).
pub fn left_unknown(what: LeftUnknown) -> &'static str {
    match what {
        LeftUnknown::AgeFromBirthDate => {
            "l'âge des cas sans AGE reste inconnu (il n'est pas calculé depuis la date de naissance)"
        }
    }
}
