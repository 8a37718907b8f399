//! The French words of core's typed values about matching: why a name
//! waits or was left unlinked ([`Reason`]), the evidence floors, and the
//! settings' labels and refusals (the methods are worded in
//! [`super::i18n`]).

use crate::matching::evidence::Floor;
use crate::model::reason::Reason;
use crate::settings::{Invalid, Setting};

fn floor_fr(floor: Floor) -> &'static str {
    match floor {
        Floor::TooFewLetters => "moins de 4 lettres hors dose et forme",
        Floor::DoseOnly => "une dose ou des chiffres seuls",
        Floor::FormOnly => "une forme ou une unité seule",
        Floor::ClassWord => "une classe ou un mot générique",
        Floor::CommonWord => "un mot courant",
    }
}

fn score_fr(x: f64) -> String {
    format!("{x:.2}").replace('.', ",")
}

/// Why a name waits (or was left unlinked), in one French line.
pub fn reason_fr(reason: &Reason) -> String {
    match reason {
        Reason::Sure => "lié automatiquement".into(),
        Reason::Floor { floor } => format!("trop peu d'information : {}", floor_fr(*floor)),
        Reason::BelowAuto { score, auto } => format!(
            "score sous le seuil automatique ({} < {})",
            score_fr(*score),
            score_fr(*auto)
        ),
        Reason::WeakString {
            string_score,
            floor,
        } => format!(
            "les lettres seules ne suffisent pas ({} < {} sans les caractéristiques)",
            score_fr(*string_score),
            score_fr(*floor)
        ),
        Reason::WordMissing { word } => {
            format!("« {word} » ne se retrouve pas dans le candidat 1")
        }
        Reason::Rival {
            rank,
            score,
            adds,
            lacks,
        } => {
            let mut s = format!(
                "le candidat {rank} ({}) mène à d'autres substances",
                score_fr(*score)
            );
            if !adds.is_empty() {
                s.push_str(&format!(" : apporte {}", adds.join(" + ")));
            }
            if !lacks.is_empty() {
                s.push_str(&format!(
                    "{} sans {}",
                    if adds.is_empty() { " :" } else { "," },
                    lacks.join(" + ")
                ));
            }
            s
        }
        Reason::SaltDiffers { query, candidate } => {
            if candidate.is_empty() {
                format!("le nom précise le sel {query}, le candidat 1 aucun")
            } else {
                format!("le nom précise le sel {query}, le candidat 1 est {candidate}")
            }
        }
        Reason::ExactAmbiguous { sets } => {
            format!("des noms exacts mènent à {sets} ensembles de substances")
        }
        Reason::NoSubstances => "le candidat 1 n'a pas de substance connue".into(),
        Reason::Unspecific => "ne désigne aucun médicament en particulier".into(),
        Reason::NoCandidate { best, review } => format!(
            "aucun candidat n'atteint le seuil de revue ({} < {})",
            score_fr(*best),
            score_fr(*review)
        ),
    }
}

/// A setting's label in the Réglages dialog.
pub fn setting_label_fr(setting: Setting) -> &'static str {
    match setting {
        Setting::AutoThreshold => "Seuil de liaison automatique",
        Setting::ReviewThreshold => "Seuil de revue",
        Setting::DisclosureThreshold => "Seuil de secret statistique (effectifs masqués)",
        Setting::MaxPendingShare => "Part maximale d'observations en attente à l'export",
    }
}

/// What a setting does, under its input.
pub fn setting_help_fr(setting: Setting) -> &'static str {
    match setting {
        Setting::AutoThreshold => "Score (0 à 1) à partir duquel un nom est lié sans relecture.",
        Setting::ReviewThreshold => "Score (0 à 1) sous lequel un candidat n'est pas proposé.",
        Setting::DisclosureThreshold => "Les effectifs de 1 à ce nombre ne sont pas publiés.",
        Setting::MaxPendingShare => "Part (0 à 1) au-delà de laquelle l'export est refusé.",
    }
}

/// Why a typed value is refused, in French.
pub fn invalid_fr(invalid: &Invalid) -> String {
    match invalid {
        Invalid::NotANumber => "ce n'est pas un nombre".into(),
        Invalid::OutOfRange { min, max } => format!(
            "doit être compris entre {} et {}",
            min.to_string().replace('.', ","),
            max.to_string().replace('.', ",")
        ),
        Invalid::NotWhole => "doit être un nombre entier".into(),
        Invalid::ReviewAboveAuto { auto } => format!(
            "ne peut dépasser le seuil automatique ({})",
            auto.to_string().replace('.', ",")
        ),
    }
}
