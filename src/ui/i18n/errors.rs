//! Errors in French: each kind of [`Error`] worded from its fields — the
//! place of a data error ("Cas-Patients.csv, ligne 3, colonne AGE"), the
//! file of an I/O error with what the system said in French, the
//! workspace that is busy or too new. Never parses an error's text.

use std::io::ErrorKind;

use crate::error::{Error, MissingColumns, Place};
use crate::model::Level;
use crate::review::{Compensation, Refusal};

/// An error as the window shows it.
pub fn error(e: &Error) -> String {
    match e {
        Error::Data { place: at, message } => format!("{} : {message}", place(at)),
        Error::MissingColumns(m) => missing_columns(m),
        Error::Io { path, source } => format!("{} : {}", path.display(), io(source.kind())),
        Error::Sqlite { path, source } => format!(
            "Espace de travail {} : la base SQLite a refusé l'opération ({source})",
            path.display()
        ),
        Error::WorkspaceTooNew {
            path,
            found,
            supported,
        } => format!(
            "L'espace de travail {} vient d'une version plus récente de DataMed Workbench \
             (schéma {found}, cette version connaît jusqu'au {supported}) ; il n'a pas été \
             modifié : ouvrez-le avec une version plus récente",
            path.display()
        ),
        Error::Damaged { path, detail } => format!(
            "L'espace de travail {} est endommagé (contrôle de SQLite : {detail}) ; il n'a pas \
             été modifié : restaurez une sauvegarde ou importez de nouveau dans un nouvel espace",
            path.display()
        ),
        Error::Busy { path } => format!(
            "L'espace de travail {} est occupé : un autre programme DataMed y écrit ; \
             réessayez quand il aura fini",
            path.display()
        ),
        Error::Cancelled => "Annulé : rien n'a été écrit".to_string(),
        Error::Usage(message) => message.clone(),
        Error::Internal(message) => format!(
            "Erreur interne ({message}) : c'est un défaut du programme, à signaler ; \
             l'étape en échec n'a rien écrit"
        ),
        Error::Refused(r) => refusal(r),
    }
}

/// Why a reviewer's step is refused, in French.
pub fn refusal(r: &Refusal) -> String {
    let level = |l: Level| super::level(l).to_lowercase();
    match r {
        Refusal::NoName { id } => {
            format!("Aucun nom d'identifiant {id} dans cet espace de travail")
        }
        Refusal::NameNotFound { raw, level: l } => format!(
            "Aucun nom « {raw} » saisi au niveau {} dans cet espace de travail",
            level(*l)
        ),
        Refusal::NoCandidate {
            name,
            level: l,
            rank,
            count,
        } => format!(
            "« {name} » ({}) n'a pas de candidat {rank} ({}) : choisissez la cible par la \
             recherche manuelle (M)",
            level(*l),
            if *count == 0 {
                "aucun candidat".to_string()
            } else {
                super::count(*count as i64, "candidat", "candidats")
            }
        ),
        Refusal::NoTarget => "Cochez au moins une cible".to_string(),
        Refusal::SeveralNotSubstances => {
            "Plusieurs cibles ne peuvent être que des substances : choisissez une seule \
             spécialité ou un seul produit"
                .to_string()
        }
        Refusal::EmptyComment => "Le commentaire est vide".to_string(),
        Refusal::NoNameChosen => "Aucun nom sélectionné".to_string(),
        Refusal::NoEntry { id } => format!("Aucune entrée d'historique n°{id}"),
        Refusal::NothingToRevert { id, action } => format!(
            "L'entrée n°{id} ({}) n'a changé aucune décision : rien à restaurer",
            super::audit_action(*action)
        ),
        Refusal::ChangedSince {
            what,
            entry,
            normalized,
            level: l,
            by,
        } => {
            let verb = match what {
                Compensation::Undo => "d'annuler",
                Compensation::Redo => "de rétablir",
                Compensation::Revert => "de revenir avant",
            };
            let since = by
                .as_ref()
                .map(|b| {
                    format!(
                        " par {} le {} (entrée n°{})",
                        b.author,
                        super::date_time(&b.at),
                        b.entry
                    )
                })
                .unwrap_or_default();
            format!(
                "Impossible {verb} l'entrée n°{entry} : « {normalized} » ({}) a été modifié \
                 depuis{since}",
                level(*l)
            )
        }
        Refusal::NotFinal { name, level: l } => format!(
            "« {name} » ({}) n'est ni validé ni rejeté : décidez-le avant d'appliquer sa \
             décision ailleurs",
            level(*l)
        ),
        Refusal::NothingRecorded => "Rien n'a été enregistré".to_string(),
    }
}

/// A file's missing columns, for the error line and the mapping dialog.
pub fn missing_columns(m: &MissingColumns) -> String {
    format!(
        "{} : ce n'est pas un fichier {} comme attendu : {} {} ; colonnes trouvées : {}. \
         Si une colonne est là sous un autre nom, faites-la correspondre (le choix est retenu \
         pour les prochains fichiers de ce type)",
        place(&m.place),
        m.kind.file_label(),
        super::plural(
            m.missing.len() as i64,
            "il manque la colonne",
            "il manque les colonnes"
        ),
        m.missing.join(", "),
        if m.found.is_empty() {
            "aucune".to_string()
        } else {
            m.found.join(", ")
        }
    )
}

/// Where a data error is: file, then sheet, line and column when known.
pub fn place(p: &Place) -> String {
    let mut out = p.file.clone();
    if let Some(sheet) = &p.sheet {
        out.push_str(&format!(", feuille {sheet}"));
    }
    if let Some(line) = p.line {
        out.push_str(&format!(", ligne {line}"));
    }
    if let Some(column) = &p.column {
        out.push_str(&format!(", colonne {column}"));
    }
    out
}

/// What the system said about a file, in French.
pub fn io(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => "fichier ou dossier introuvable",
        ErrorKind::PermissionDenied => "accès refusé",
        ErrorKind::AlreadyExists => "existe déjà",
        ErrorKind::IsADirectory => "c'est un dossier, pas un fichier",
        ErrorKind::NotADirectory => "ce n'est pas un dossier",
        ErrorKind::DirectoryNotEmpty => "le dossier n'est pas vide",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "plus de place sur le disque",
        ErrorKind::ReadOnlyFilesystem => "disque en lecture seule",
        ErrorKind::InvalidData | ErrorKind::InvalidInput => "contenu illisible",
        ErrorKind::UnexpectedEof => "fichier tronqué",
        ErrorKind::Interrupted | ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            "opération interrompue : réessayez"
        }
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => {
            "fichier occupé par un autre programme"
        }
        ErrorKind::FileTooLarge => "fichier trop grand",
        ErrorKind::InvalidFilename => "nom de fichier invalide",
        _ => "erreur de lecture ou d'écriture",
    }
}
