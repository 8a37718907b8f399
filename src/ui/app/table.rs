//! The transcoding table's commands: its filters, the selected row and its
//! history read from the audit log.

use super::WorkbenchApp;
use crate::review;
use crate::ui::command::Command;
use crate::ui::views;

impl WorkbenchApp {
    /// Applies a command of the table family.
    pub(super) fn apply_table_command(&mut self, command: Command) {
        match command {
            Command::RefilterTable => self.refilter_table(),
            Command::SelectTableRow(i) if i < self.table.rows.len() => {
                self.table.selected = Some(i);
                self.load_table_history();
            }
            // Every other command belongs to another family: `apply` never
            // routes it here.
            _ => {}
        }
    }

    pub(super) fn selected_table_name(&self) -> Option<i64> {
        let ws = self.ws.as_ref()?;
        let pos = *self.table.rows.get(self.table.selected?)?;
        ws.snap.rows.get(pos).map(|r| r.name.id)
    }

    pub(super) fn refilter_table(&mut self) {
        let keep = self.selected_table_name();
        self.refilter_table_keeping(keep);
    }

    pub(super) fn refilter_table_keeping(&mut self, keep: Option<i64>) {
        let Some(ws) = &self.ws else {
            self.table.rows.clear();
            return;
        };
        self.table.rows = views::transcoding::filter_rows(&ws.snap, &self.state.table);
        self.table.selected = keep.and_then(|id| {
            self.table
                .rows
                .iter()
                .position(|&r| ws.snap.rows.get(r).is_some_and(|row| row.name.id == id))
        });
        if self.table.selected.is_none() {
            self.table.history.clear();
        }
    }

    pub(super) fn load_table_history(&mut self) {
        self.table.history.clear();
        let (Some(ws), Some(id)) = (&self.ws, self.selected_table_name()) else {
            return;
        };
        match review::history(&ws.store, id) {
            Ok(h) => self.table.history = h,
            Err(e) => self.fail(&e),
        }
    }
}
