//! The file commands: creating and opening workspaces, choosing files to
//! import (native dialog or dropped), importing them (with the column
//! mapping a file may need), matching, and exporting the tables for Excel
//! (transcoding table, candidates, audit log, review queue).

use super::WorkbenchApp;
use super::jobs::Work;
use crate::import::ImportOptions;
use crate::jobs::Job;
use crate::ui::command::Command;
use crate::ui::i18n;
use crate::ui::model;
use crate::ui::session::JobKind;
use crate::ui::state::View;

impl WorkbenchApp {
    /// Applies a command of the file family.
    pub(super) fn apply_file_command(&mut self, command: Command) {
        match command {
            Command::NewWorkspaceDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Nouvel espace de travail")
                    .add_filter("Espace de travail DataMed", &["sqlite"])
                    .set_file_name("espace.sqlite")
                    .save_file()
                    .map(Command::OpenWorkspace)
            }),
            Command::OpenWorkspaceDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Ouvrir un espace de travail")
                    .add_filter("Espace de travail DataMed", &["sqlite", "db"])
                    .pick_file()
                    .map(Command::OpenWorkspace)
            }),
            Command::OpenWorkspace(path) => self.start_open(path, false),
            Command::ImportFilesDialog => self.file_dialog(|| {
                rfd::FileDialog::new()
                    .set_title("Importer des fichiers")
                    .add_filter(
                        "Extraits BNPV, CODEX, BDPM, Open Medic",
                        &["csv", "txt", "xlsx", "xls", "ods"],
                    )
                    .pick_files()
                    .map(Command::AddImportFiles)
            }),
            Command::ExportDialog(kind) => self.file_dialog(move || {
                rfd::FileDialog::new()
                    .set_title(format!("Exporter : {}", i18n::export_table(kind)))
                    .add_filter("Classeur Excel", &["xlsx"])
                    .add_filter("CSV pour Excel (point-virgule)", &["csv"])
                    .set_file_name(format!("{}.xlsx", i18n::export_file_stem(kind)))
                    .save_file()
                    .map(|out| Command::Export(kind, out))
            }),
            Command::Export(kind, out) => {
                let Some(ws) = &self.ws else { return };
                let path = ws.path.clone();
                let target = out.clone();
                let job = Job::spawn("datamed-export", self.progress(), move |_| {
                    model::export(&path, kind, &target)
                });
                self.start(JobKind::Export, job.map(|j| Work::Export(j, out)));
            }
            Command::AddImportFiles(files) => {
                for f in files {
                    if !self.import.files.contains(&f) {
                        self.import.files.push(f);
                    }
                }
                self.state.view = View::Import;
            }
            Command::RemoveImportFile(i) if i < self.import.files.len() => {
                self.import.files.remove(i);
            }
            Command::StartImport => self.start_import(Vec::new()),
            Command::ApplyMapping => {
                if let Some(m) = self.import.mapping.take() {
                    // The mapped file first, then the ones after it.
                    let mut files = vec![m.file.clone()];
                    files.extend(m.remaining.iter().cloned());
                    self.import.files.retain(|f| !files.contains(f));
                    let mut ordered = files;
                    ordered.append(&mut self.import.files);
                    self.import.files = ordered;
                    self.start_import(m.pairs());
                }
            }
            Command::CloseMapping => self.import.mapping = None,
            Command::StartMatching => {
                let Some(ws) = &self.ws else { return };
                let path = ws.path.clone();
                let author = self.state.author();
                let target = path.clone();
                let job = Job::spawn("datamed-match", self.progress(), move |p| {
                    model::match_and_open(&target, &author, p)
                });
                self.start(JobKind::Match, job.map(|j| Work::Load(j, path)));
            }
            // Every other command belongs to another family: `apply` never
            // routes it here.
            _ => {}
        }
    }

    pub(super) fn start_import(&mut self, mapping: Vec<(String, String)>) {
        let Some(ws) = &self.ws else {
            self.say_error("Ouvrez ou créez d'abord un espace de travail (Fichier)");
            return;
        };
        if self.import.files.is_empty() {
            self.say_error(
                "Aucun fichier à importer : choisissez-en ou déposez-les sur la fenêtre",
            );
            return;
        }
        let options = ImportOptions {
            replace: self.import.replace,
            mapping,
            user: self.state.author(),
            ..ImportOptions::default()
        };
        let path = ws.path.clone();
        let files = self.import.files.clone();
        let job = Job::spawn("datamed-import", self.progress(), move |p| {
            model::import_files(&path, &files, &options, p)
        });
        self.start(JobKind::Import, job.map(Work::Import));
    }
}
