//! What pending review weighs: the share of observations whose names still
//! wait for a reviewer (an export refuses more than the workspace's limit)
//! and what approving one pending key would add to a substance.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Level;
use crate::model::linking::NameStatus;
use crate::store::Store;

/// The workspace setting: the largest share of observations still pending
/// that an export accepts.
pub const SETTING_MAX_PENDING: &str = "export.max_pending_share";

/// [`SETTING_MAX_PENDING`] when the workspace sets none: 5 %.
pub const DEFAULT_MAX_PENDING: f64 = 0.05;

/// What approving one pending key would add to a substance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingImpact {
    /// The name as typed (the spelling with the most observations).
    pub name: String,
    /// The level it was typed at.
    #[serde(serialize_with = "level_str")]
    pub level: Level,
    /// Distinct cases the substance would gain, relative to the current
    /// state (impacts of two keys may overlap: they do not add up).
    pub added_cases: i64,
}

/// Serialises a level as its identifier.
fn level_str<S: serde::Serializer>(level: &Level, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(level.as_str())
}

/// Observations still pending against all observations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PendingShare {
    /// Observations of names whose status is pending.
    pub pending: i64,
    /// Observations of every matched name.
    pub total: i64,
}

impl PendingShare {
    /// The share in `[0, 1]` (0 when there is nothing).
    pub fn share(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.pending as f64 / self.total as f64
        }
    }
}

/// The largest pending share an export accepts (setting, else 5 %).
pub fn max_pending_share(store: &Store) -> Result<f64> {
    match store.setting(SETTING_MAX_PENDING)? {
        None => Ok(DEFAULT_MAX_PENDING),
        Some(v) => v.trim().parse::<f64>().map_err(|_| {
            Error::Usage(format!(
                "workspace setting {SETTING_MAX_PENDING} = \"{v}\" is not a number"
            ))
        }),
    }
}

/// How much of the observations is still pending.
pub fn pending_share(store: &Store) -> Result<PendingShare> {
    Ok(pending_share_of(&store.transcoding_rows()?))
}

/// How much of the observations of `rows` is still pending (the window
/// passes the rows it already read).
pub fn pending_share_of(rows: &[crate::store::matching::TranscodingRow]) -> PendingShare {
    let mut share = PendingShare {
        pending: 0,
        total: 0,
    };
    for row in rows {
        share.total += row.name.n_obs;
        if crate::review::resolution(row).status == NameStatus::Pending {
            share.pending += row.name.n_obs;
        }
    }
    share
}
