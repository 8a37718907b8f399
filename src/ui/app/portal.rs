//! The portal export from the window: opening its dialog with what the
//! window already read, checking the folder chosen, running the export (or
//! its dry run: what it would change against the last export) on a
//! worker, and showing its outcome once.

use std::path::PathBuf;

use super::WorkbenchApp;
use super::jobs::Work;
use crate::error::Result;
use crate::export::portal::{PortalOptions, PortalSummary};
use crate::export::publication::DryRun;
use crate::jobs::Job;
use crate::store::Store;
use crate::ui::command::Command;
use crate::ui::i18n;
use crate::ui::session::{Dialog, JobKind, PortalExport};

impl WorkbenchApp {
    /// Applies a command of the portal export family.
    pub(super) fn apply_portal_command(&mut self, command: Command) {
        match command {
            Command::OpenPortalExport => self.open_portal_export(),
            Command::PortalDirDialog => {
                let start = match &self.dialog {
                    Some(Dialog::PortalExport(d)) => PathBuf::from(d.out.trim()),
                    _ => return,
                };
                self.file_dialog(move || {
                    let mut dialog =
                        rfd::FileDialog::new().set_title("Dossier de l'export pour le portail");
                    if let Some(parent) = start.parent().filter(|p| p.is_dir()) {
                        dialog = dialog.set_directory(parent);
                    }
                    dialog.pick_folder().map(Command::SetPortalDir)
                })
            }
            Command::SetPortalDir(dir) => {
                if let Some(Dialog::PortalExport(d)) = &mut self.dialog {
                    d.out = dir.display().to_string();
                    d.outcome = None;
                }
            }
            Command::StartPortalExport => self.start_portal_export(),
            Command::PreviewPortalExport => self.preview_portal_export(),
            // Every other command belongs to another family: `apply` never
            // routes it here.
            _ => {}
        }
    }

    /// Shows the portal export's outcome in its dialog when it is still
    /// open (an error there only, once), else on the message line.
    pub(super) fn portal_exported(&mut self, result: Result<PortalSummary>) {
        if let Ok(summary) = &result {
            self.say(format!(
                "Export pour le portail : {} fichiers dans {}",
                summary.files.len(),
                summary.dir.display()
            ));
        }
        match (&mut self.dialog, result) {
            (Some(Dialog::PortalExport(d)), result) => {
                d.outcome = Some(result.map_err(|e| i18n::error(&e)));
                // Measured against the export before: no longer true.
                d.preview = None;
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => self.fail(&e),
        }
    }

    /// Opens the portal export dialog: the pending share from what the
    /// window already read, the limit from the workspace, the years of the
    /// Indicateurs view, the last directory used.
    pub(super) fn open_portal_export(&mut self) {
        let Some(ws) = &self.ws else {
            self.say_error("Ouvrez d'abord un espace de travail (Fichier)");
            return;
        };
        let max_pending = match crate::indicators::max_pending_share(&ws.store) {
            Ok(max) => max,
            Err(e) => return self.fail(&e),
        };
        let pending = crate::indicators::pending_share_of(&ws.snap.rows);
        let period = self.indicators.period();
        let out = self
            .state
            .portal_dir
            .clone()
            .or_else(|| ws.path.parent().map(|p| p.join("portail")))
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        self.dialog = Some(Dialog::PortalExport(Box::new(PortalExport {
            out,
            allow_pending: false,
            pending,
            max_pending,
            period,
            years: self.indicators.years,
            outcome: None,
            preview: None,
        })));
    }

    /// Starts the portal export the dialog describes.
    pub(super) fn start_portal_export(&mut self) {
        let Some(ws) = &self.ws else { return };
        let Some(Dialog::PortalExport(d)) = &mut self.dialog else {
            return;
        };
        let typed = PathBuf::from(d.out.trim());
        if typed.as_os_str().is_empty() {
            d.outcome = Some(Err("Indiquez le dossier de sortie".into()));
            return;
        }
        // A relative path is taken from the workspace's folder, not from
        // wherever the window was started.
        let out = match ws.path.parent() {
            Some(base) if typed.is_relative() => base.join(typed),
            _ => typed,
        };
        d.out = out.display().to_string();
        // The two directories the export would refuse, said in French
        // before it starts.
        let refused = match crate::export::portal::is_foreign_dir(&out) {
            Ok(true) => Some(format!(
                "{} contient d'autres fichiers qu'un export pour le portail : choisissez un dossier vide ou nouveau",
                out.display()
            )),
            Ok(false) if out.exists() && !out.is_dir() => Some(format!(
                "{} est un fichier : choisissez un dossier",
                out.display()
            )),
            Ok(false) => None,
            Err(e) => Some(i18n::error(&e)),
        };
        d.outcome = refused.map(Err);
        if d.outcome.is_some() {
            return;
        }
        let options = PortalOptions {
            allow_pending: d.allow_pending,
            period: d.period,
        };
        self.state.portal_dir = Some(out.clone());
        let path = ws.path.clone();
        let job = Job::spawn("datamed-portal", self.progress(), move |p| {
            let store = Store::open(&path)?;
            crate::export::portal::export_portal(&store, &out, &options, p)
        });
        self.start(JobKind::PortalExport, job.map(Work::Portal));
    }

    /// Starts the dry run of the export the dialog describes: what it
    /// would change against the last export recorded in the workspace.
    pub(super) fn preview_portal_export(&mut self) {
        let Some(ws) = &self.ws else { return };
        let Some(Dialog::PortalExport(d)) = &mut self.dialog else {
            return;
        };
        d.preview = None;
        let options = PortalOptions {
            allow_pending: d.allow_pending,
            period: d.period,
        };
        let path = ws.path.clone();
        let job = Job::spawn("datamed-portal-preview", self.progress(), move |p| {
            let store = Store::open(&path)?;
            crate::export::portal::dry_run(&store, &options, p)
        });
        self.start(JobKind::PortalPreview, job.map(Work::Preview));
    }

    /// Shows the dry run in the export dialog when it is still open.
    pub(super) fn portal_previewed(&mut self, result: Result<DryRun>) {
        match (&mut self.dialog, result) {
            (Some(Dialog::PortalExport(d)), result) => {
                d.preview = Some(result.map_err(|e| i18n::error(&e)));
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => self.fail(&e),
        }
    }
}
