//! Errors in French: each kind of [`Error`] worded from its fields — the
//! place of a data error ("Cas-Patients.csv, ligne 3, colonne AGE"), the
//! file of an I/O error with what the system said in French, the
//! workspace that is busy or too new. Never parses an error's text.

use std::io::ErrorKind;

use crate::error::{Error, Place};

/// An error as the window shows it.
pub fn error(e: &Error) -> String {
    match e {
        Error::Data { place: at, message } => format!("{} : {message}", place(at)),
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
        Error::Busy { path } => format!(
            "L'espace de travail {} est occupé : un autre programme DataMed y écrit ; \
             réessayez quand il aura fini",
            path.display()
        ),
        Error::Cancelled => "Annulé : rien n'a été écrit".to_string(),
        Error::Usage(message) => message.clone(),
    }
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
