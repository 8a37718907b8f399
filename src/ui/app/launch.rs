//! The window's first steps: the persisted state restored, then the
//! workspace the command line named, else the last one, else the sample
//! workspace prepared on first run (on a worker thread); files passed on
//! the command line (a double-click in a file manager) are listed in the
//! import view, waiting for the user's "Importer".

use std::path::Path;

use super::WorkbenchApp;
use crate::launch::Launch;
use crate::ui::command::Command;
use crate::ui::state::UiState;

impl WorkbenchApp {
    /// The window as eframe creates it for `launch`.
    pub fn launched(cc: &eframe::CreationContext<'_>, launch: Launch) -> Self {
        let state: UiState = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let mut app = Self::blank(&cc.egui_ctx, state, true);
        app.start_launch(launch);
        app
    }

    /// Opens what `launch` names and queues its files for the import view.
    /// Files given without any workspace to receive them (first run) do not
    /// go into the sample workspace: the user is asked to create one.
    pub fn start_launch(&mut self, launch: Launch) {
        let last = self.state.last_workspace.clone().filter(|p| p.exists());
        let target = launch.workspace.or(last);
        let names = launch
            .import
            .iter()
            .map(|p| file_name(p))
            .collect::<Vec<_>>()
            .join(", ");
        match &target {
            Some(path) => {
                self.start_open(path.clone(), false);
                if !launch.import.is_empty() {
                    self.say(format!(
                        "À importer dans {} : {names} — vérifiez le type reconnu, puis « Importer »",
                        file_name(path)
                    ));
                }
            }
            None if !launch.import.is_empty() => self.say(format!(
                "Pour importer {names}, créez d'abord un espace de travail (Fichier › Nouvel espace de travail…)"
            )),
            None => match crate::sample_workspace::data_dir() {
                Ok(dir) => {
                    self.start_open(dir.join(crate::sample_workspace::SAMPLE_WORKSPACE), true)
                }
                Err(e) => self.fail(&e),
            },
        }
        if !launch.import.is_empty() {
            self.push(Command::AddImportFiles(launch.import));
        }
    }
}

/// The name shown for a file: its last component.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    )
}
