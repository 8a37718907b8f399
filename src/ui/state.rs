//! The small UI state eframe keeps between sessions (window size and panel
//! layout are kept by eframe itself): the last and recent workspaces, the
//! view shown, the reviewer's name, and the sort and filter choices of the
//! queue and the transcoding table. Every field has a default, so that a
//! state written by an older or newer version still loads. Curation data
//! never goes here: it lives in the workspace.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Level;
use crate::model::linking::NameStatus;
use crate::review::{QueueQuery, QueueSort};

/// How many recent workspaces the menu lists.
pub const MAX_RECENT: usize = 8;

/// The views of the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    /// Importing files and their report.
    Import,
    /// The review queue.
    #[default]
    Review,
    /// Every name with its status and decision.
    Transcoding,
    /// The ORDEI indicators of a substance, published and internal.
    Indicators,
}

impl View {
    /// Every view, in the order of the tabs.
    pub const ALL: [View; 4] = [
        View::Import,
        View::Review,
        View::Transcoding,
        View::Indicators,
    ];
}

/// Queue order, as kept between sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortChoice {
    /// Most observations first.
    #[default]
    Observations,
    /// Best score first.
    Score,
    /// Alphabetical.
    Name,
}

impl SortChoice {
    /// All choices, in menu order.
    pub const ALL: [SortChoice; 3] = [
        SortChoice::Observations,
        SortChoice::Score,
        SortChoice::Name,
    ];

    fn core(self) -> QueueSort {
        match self {
            SortChoice::Observations => QueueSort::Observations,
            SortChoice::Score => QueueSort::Score,
            SortChoice::Name => QueueSort::Name,
        }
    }
}

/// A band of scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreBand {
    /// 0.90 and above.
    High,
    /// From 0.75 to 0.90.
    Medium,
    /// From 0.55 to 0.75.
    Low,
    /// Below 0.55.
    VeryLow,
}

impl ScoreBand {
    /// All bands, best first.
    pub const ALL: [ScoreBand; 4] = [
        ScoreBand::High,
        ScoreBand::Medium,
        ScoreBand::Low,
        ScoreBand::VeryLow,
    ];

    /// `[min, max)` of the band.
    pub fn range(self) -> (Option<f64>, Option<f64>) {
        match self {
            ScoreBand::High => (Some(0.9), None),
            ScoreBand::Medium => (Some(0.75), Some(0.9)),
            ScoreBand::Low => (Some(0.55), Some(0.75)),
            ScoreBand::VeryLow => (None, Some(0.55)),
        }
    }

    /// Whether `score` falls in the band.
    pub fn contains(self, score: f64) -> bool {
        let (min, max) = self.range();
        min.is_none_or(|m| score >= m) && max.is_none_or(|m| score < m)
    }
}

/// The review queue's sort and filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    /// Order.
    pub sort: SortChoice,
    /// Level identifier ([`Level::as_str`]), none for all.
    pub level: Option<String>,
    /// Matching method, none for all.
    pub method: Option<String>,
    /// Score band, none for all.
    pub band: Option<ScoreBand>,
    /// Text searched in the names.
    pub text: String,
    /// Also show deferred names.
    pub include_deferred: bool,
    /// Also show names matching found nothing for.
    pub include_unmatched: bool,
}

impl QueueFilter {
    /// The core's query for these choices.
    pub fn query(&self) -> QueueQuery {
        let (min_score, max_score) = self.band.map_or((None, None), ScoreBand::range);
        QueueQuery {
            sort: self.sort.core(),
            level: self.level.as_deref().map(Level::parse),
            method: self.method.clone(),
            min_score,
            max_score,
            text: Some(self.text.clone()).filter(|t| !t.trim().is_empty()),
            include_deferred: self.include_deferred,
            include_unmatched: self.include_unmatched,
            limit: None,
        }
    }
}

/// The transcoding table's filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableFilter {
    /// Status, none for all.
    pub status: Option<NameStatus>,
    /// Method, none for all.
    pub method: Option<String>,
    /// Reviewer, none for all.
    pub reviewer: Option<String>,
    /// Score band, none for all.
    pub band: Option<ScoreBand>,
    /// Decided on or after this day (YYYY-MM-DD), empty for any.
    pub since: String,
    /// Text searched in the names and substances.
    pub text: String,
}

/// What eframe persists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The workspace open when the window was closed.
    pub last_workspace: Option<PathBuf>,
    /// Recently opened workspaces, most recent first.
    pub recent_workspaces: Vec<PathBuf>,
    /// The view shown.
    pub view: View,
    /// The reviewer recorded as author of decisions; empty for the OS user.
    pub reviewer: String,
    /// Queue sort and filters.
    pub queue: QueueFilter,
    /// Transcoding table filters.
    pub table: TableFilter,
    /// The directory of the last portal export.
    pub portal_dir: Option<PathBuf>,
}

impl UiState {
    /// Records `path` as the last and most recent workspace.
    pub fn remember_workspace(&mut self, path: &Path) {
        self.last_workspace = Some(path.to_path_buf());
        self.recent_workspaces.retain(|p| p != path);
        self.recent_workspaces.insert(0, path.to_path_buf());
        self.recent_workspaces.truncate(MAX_RECENT);
    }

    /// The reviewer's name: the one set in the settings, else the OS user.
    pub fn author(&self) -> String {
        let set = self.reviewer.trim();
        if set.is_empty() {
            crate::env::os_user()
        } else {
            set.to_string()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn an_old_or_partial_state_still_loads() {
        let state: UiState = serde_json::from_str(r#"{"view":"Transcoding","unknown":1}"#).unwrap();
        assert_eq!(state.view, View::Transcoding);
        assert_eq!(state.queue.sort, SortChoice::Observations);
    }

    #[test]
    fn recent_workspaces_are_deduplicated_and_bounded() {
        let mut s = UiState::default();
        for i in 0..12 {
            s.remember_workspace(Path::new(&format!("/w/{}.sqlite", i % 10)));
        }
        assert_eq!(s.recent_workspaces.len(), MAX_RECENT);
        assert_eq!(s.recent_workspaces[0], PathBuf::from("/w/1.sqlite"));
        assert_eq!(s.last_workspace, Some(PathBuf::from("/w/1.sqlite")));
    }

    #[test]
    fn bands_split_scores() {
        assert!(ScoreBand::High.contains(0.9));
        assert!(ScoreBand::Medium.contains(0.8));
        assert!(!ScoreBand::Medium.contains(0.9));
        assert!(ScoreBand::VeryLow.contains(0.1));
    }
}
