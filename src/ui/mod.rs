//! The workbench window (eframe): the only part of the crate that uses
//! eframe, egui, egui_extras, egui_plot and rfd. It is a door onto the same
//! core functions as the command line: [`app`] owns the open workspace and
//! applies the user's [`command`]s; [`session`] is the state of the open
//! workspace and of each view, which [`views`] draw — the import view, the
//! review queue, the transcoding table, the indicators (published and
//! internal side by side) and the dialogs, the portal export's among them
//! — so that views never import the application;
//! [`model`] reads what they show and runs the long work on worker threads;
//! [`state`] is the small UI state eframe keeps between sessions; [`theme`]
//! every colour and spacing; [`diff`] the character diff of a candidate
//! against the typed name; [`wording`] the French words of matching's
//! typed reasons and of the settings.

use eframe::egui;
pub mod app;
pub mod command;
pub mod diff;
pub mod i18n;
pub mod model;
pub mod session;
pub mod state;
pub mod theme;
pub mod views;
pub mod wording;

pub use app::WorkbenchApp;

/// The window's title and the name eframe stores its state under.
pub const APP_NAME: &str = "DataMed Workbench";

/// The window's icon, a PNG rendered from `assets/datamed-workbench.svg`
/// (`rsvg-convert -w 256`), built into the binary so it is found wherever
/// the binary goes.
const ICON_PNG: &[u8] = include_bytes!("../../assets/datamed-workbench-256.png");

/// Opens the window on what `launch` says (the last workspace, the sample
/// workspace on first run, files offered for import) and returns the
/// process exit code when it closes. Without a display it says what works
/// without one, in one line, instead of trying.
pub fn run(launch: crate::launch::Launch) -> i32 {
    if !crate::launch::display_available() {
        eprintln!("{}", crate::launch::NO_DISPLAY_HINT);
        return 1;
    }
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(APP_NAME)
        .with_app_id("datamed-workbench")
        .with_inner_size([1400.0, 900.0])
        .with_min_inner_size([900.0, 560.0])
        .with_drag_and_drop(true);
    // A PNG compiled in and checked by a test: it decodes; if it ever did
    // not, the window opens with the desktop's default icon.
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..eframe::NativeOptions::default()
    };
    match eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |cc| Ok(Box::new(WorkbenchApp::launched(cc, launch)))),
    ) {
        Ok(()) => 0,
        Err(e) => {
            // winit's messages name source files of the build machine: the
            // user gets what to do, the detail comes second.
            eprintln!("{}", crate::launch::NO_DISPLAY_HINT);
            eprintln!("(detail: {e})");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::ICON_PNG).unwrap();
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
}
