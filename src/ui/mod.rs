//! The workbench window (eframe): the only part of the crate that uses
//! eframe, egui, egui_extras, egui_plot and rfd. It is a door onto the same
//! core functions as the command line: [`app`] owns the open workspace and
//! applies the user's [`command`]s; [`views`] draw the import view, the
//! review queue, the transcoding table, the indicators (published and
//! internal side by side) and the dialogs, the portal export's among them;
//! [`model`] reads what they show and runs the long work on worker threads;
//! [`state`] is the small UI state eframe keeps between sessions; [`theme`]
//! every colour and spacing; [`diff`] the character diff of a candidate
//! against the typed name.

use eframe::egui;
pub mod app;
pub mod command;
pub mod diff;
pub mod model;
pub mod state;
pub mod theme;
pub mod views;

pub use app::WorkbenchApp;

/// The window's title and the name eframe stores its state under.
pub const APP_NAME: &str = "DataMed Workbench";

/// Opens the window on the last workspace (the sample workspace on first
/// run) and returns the process exit code when it closes.
pub fn run() -> i32 {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(APP_NAME)
            .with_app_id("datamed-workbench")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        persist_window: true,
        ..eframe::NativeOptions::default()
    };
    match eframe::run_native(
        APP_NAME,
        options,
        Box::new(|cc| Ok(Box::new(WorkbenchApp::new(cc)))),
    ) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the window could not open: {e}");
            1
        }
    }
}
