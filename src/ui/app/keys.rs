//! The keyboard: shortcuts turned into commands (the same commands the
//! buttons emit). egui matches a key without Maj also when Maj is held:
//! the Maj+key shortcuts are read first. In a dialog only Échap (and the
//! comment's own confirmation) is read here; the dialogs read their keys.

use std::path::PathBuf;

use eframe::egui::{self, Key, Modifiers};

use super::WorkbenchApp;
use crate::ui::command::Command;
use crate::ui::session::Dialog;
use crate::ui::state::View;

impl WorkbenchApp {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        let files: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !files.is_empty() {
            self.push(Command::AddImportFiles(files));
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Q)) {
            self.push(Command::Quit);
            return;
        }
        if self.dialog.is_some() || self.import.mapping.is_some() {
            if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
                self.push(if self.import.mapping.is_some() {
                    Command::CloseMapping
                } else if matches!(self.dialog, Some(Dialog::Comment { .. })) {
                    Command::EscapeComment
                } else {
                    Command::CloseDialog
                });
            }
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F1)) {
            self.push(Command::ShowShortcuts);
            return;
        }
        if ctx.text_edit_focused() {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::Questionmark))
            || ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Questionmark))
        {
            self.push(Command::ShowShortcuts);
            return;
        }
        let mut found = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
                || i.consume_key(Modifiers::COMMAND, Key::Y)
            {
                found.push(Command::Redo);
            }
            if i.consume_key(Modifiers::COMMAND, Key::Z) {
                found.push(Command::Undo);
            }
            if self.state.view == View::Indicators {
                for (key, delta) in [(Key::ArrowDown, 1), (Key::ArrowUp, -1)] {
                    if i.consume_key(Modifiers::NONE, key) {
                        found.push(Command::StepSubstance(delta));
                    }
                }
                return;
            }
            if self.state.view != View::Review {
                return;
            }
            if i.consume_key(Modifiers::COMMAND, Key::A) {
                found.push(Command::SelectAllQueue);
            }
            for (key, delta) in [(Key::ArrowDown, 1), (Key::ArrowUp, -1)] {
                if i.consume_key(Modifiers::SHIFT, key) {
                    found.push(Command::ExtendSelection(delta));
                }
            }
            // Entrée accepts the inline offer while it is shown; Échap
            // closes it, else drops the multi-selection.
            let offered = self.review.offer.is_some();
            if i.consume_key(Modifiers::NONE, Key::Escape) {
                found.push(if offered {
                    Command::DismissOffer
                } else {
                    Command::ClearMarks
                });
            }
            let enter = if offered {
                Command::AcceptIdenticalOffer
            } else {
                Command::Approve
            };
            let keys = [
                (Key::ArrowDown, Command::MoveSelection(1)),
                (Key::ArrowUp, Command::MoveSelection(-1)),
                (Key::PageDown, Command::MoveSelection(20)),
                (Key::PageUp, Command::MoveSelection(-20)),
                (Key::Enter, enter),
                (Key::R, Command::Reject),
                (Key::D, Command::Defer),
                (Key::C, Command::OpenComment),
                (Key::M, Command::OpenManualSearch),
                (Key::Slash, Command::FocusSearch),
            ];
            for (key, command) in keys {
                if i.consume_key(Modifiers::NONE, key) {
                    found.push(command);
                }
            }
            let digits = [
                Key::Num1,
                Key::Num2,
                Key::Num3,
                Key::Num4,
                Key::Num5,
                Key::Num6,
                Key::Num7,
                Key::Num8,
                Key::Num9,
            ];
            for (rank, key) in (1u32..).zip(digits) {
                if i.consume_key(Modifiers::NONE, key) {
                    found.push(Command::PickCandidate(rank));
                }
            }
        });
        self.commands.extend(found);
    }
}
