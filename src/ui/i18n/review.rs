//! The words of review: matching's methods and the reviewer's ("candidat
//! 2", "manuelle"), the audit actions as the history lists them, and the
//! one-line message after each step ("Validé : DOLIPRANE ; cible : …").

use crate::matching::cascade::rule;
use crate::review::{AuditAction, AuditEntry};

use super::count;

/// A matching or decision method, from its stable identifier: the rules of
/// the cascade, "candidate N", "manual", "reused", "imported". An
/// identifier this build does not know is shown as stored.
pub fn method(id: &str) -> String {
    let known = match id {
        rule::EXACT => "nom exact",
        rule::FORMER => "ancien nom",
        rule::FORMER_BY_YEAR => "ancien nom (année de notification)",
        rule::EXACT_OTHER_LEVEL => "nom exact (autre niveau)",
        rule::REWRITTEN => "nom de substance réécrit",
        rule::TEXT_ANALYSIS => "analyse du texte",
        rule::UNIQUE_FIRST_WORD => "premier mot propre à une cible",
        rule::PRODUCT_FROM_WORDS => "produit lu dans les premiers mots",
        rule::FIRST_WORD_OF_VARIANT => "premier mot d'une seule variante",
        rule::COMPOSITION => "composition lue dans le nom",
        rule::SIMILARITY => "similarité",
        rule::SAME_SUBSTANCES => "mêmes substances",
        rule::UNSPECIFIC => "non spécifique",
        rule::NO_CANDIDATE => "aucun candidat plausible",
        "manual" => "choix manuel",
        "reused" => "reprise d'une décision",
        "imported" => "décision importée",
        "flagged" => "à revoir (cible changée)",
        other => {
            return match other.strip_prefix("candidate ") {
                Some(rank) => format!("candidat {rank}"),
                None => other.to_string(),
            };
        }
    };
    known.to_string()
}

/// Every method identifier the catalogue words (tests walk them).
pub const METHODS: [&str; 19] = [
    rule::COMPOSITION,
    rule::EXACT,
    rule::FORMER,
    rule::FORMER_BY_YEAR,
    rule::EXACT_OTHER_LEVEL,
    rule::REWRITTEN,
    rule::TEXT_ANALYSIS,
    rule::UNIQUE_FIRST_WORD,
    rule::PRODUCT_FROM_WORDS,
    rule::FIRST_WORD_OF_VARIANT,
    rule::SIMILARITY,
    rule::SAME_SUBSTANCES,
    rule::UNSPECIFIC,
    rule::NO_CANDIDATE,
    "manual",
    "reused",
    "imported",
    "flagged",
    "candidate 2",
];

/// An audit action, as the history lists it ("validation").
pub fn audit_action(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Approve => "validation",
        AuditAction::Reject => "rejet",
        AuditAction::Defer => "report",
        AuditAction::Comment => "commentaire",
        AuditAction::Import => "import",
        AuditAction::Reused => "reprise",
        AuditAction::Revert => "retour arrière",
        AuditAction::Undo => "annulation",
        AuditAction::Redo => "rétablissement",
    }
}

/// What a step did, in a line: the first name concerned, and how many
/// others when the step touched several ("Validé : DOLIPRANE ; cible :
/// DOLIPRANE 1000 mg (+ 2 autres noms)").
pub fn step(entries: &[AuditEntry]) -> String {
    let Some(e) = entries.first() else {
        return String::new();
    };
    let what = match e.action {
        AuditAction::Approve => {
            let target = e
                .after
                .as_ref()
                .and_then(|d| d.target.as_ref())
                .map(|t| format!(" ; cible : {}", t.name))
                .unwrap_or_default();
            format!("Validé : {}{target}", e.name)
        }
        AuditAction::Reject => format!("Rejeté (aucun lien) : {}", e.name),
        AuditAction::Defer => format!("Reporté : {}", e.name),
        AuditAction::Comment => format!("Commentaire enregistré sur {}", e.name),
        AuditAction::Undo => format!("Annulé : {}", e.name),
        AuditAction::Redo => format!("Rétabli : {}", e.name),
        AuditAction::Revert => format!("Décision antérieure rétablie : {}", e.name),
        AuditAction::Import => format!("Décision importée : {}", e.name),
        AuditAction::Reused => format!("Décision reprise : {}", e.name),
    };
    match entries.len() {
        0 | 1 => what,
        n => format!(
            "{what} (+ {})",
            count(n as i64 - 1, "autre nom", "autres noms")
        ),
    }
}
