//! The workspace settings a person may change — the two matching
//! thresholds, the disclosure threshold and the pending-share limit of
//! exports — with their defaults, what values they accept, and every change
//! recorded with its author, time, old and new value. The command line
//! (`datamed settings`) and the window's Réglages call the same functions.

use crate::error::{Error, Result};
use crate::indicators::disclosure::{DEFAULT_THRESHOLD, SETTING_THRESHOLD};
use crate::indicators::{DEFAULT_MAX_PENDING, SETTING_MAX_PENDING};
use crate::matching::decide::{CALIBRATED, SETTING_AUTO, SETTING_REVIEW};
use crate::store::Store;
pub use crate::store::settings::SettingChange;

/// A setting a person may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    /// Score from which matching links a name automatically.
    AutoThreshold,
    /// Score below which a candidate is not plausible.
    ReviewThreshold,
    /// Counts from 1 to this are hidden in published figures.
    DisclosureThreshold,
    /// Largest share of observations pending review an export accepts.
    MaxPendingShare,
}

/// A setting's current value.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingValue {
    /// Which setting.
    pub setting: Setting,
    /// Its value, as stored (or the default's text).
    pub value: String,
    /// Whether the default applies (the workspace sets none).
    pub is_default: bool,
}

/// Why a value is refused, typed for the window to word.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    /// Not a number.
    NotANumber,
    /// Outside the setting's range, bounds included.
    OutOfRange {
        /// Lowest value accepted.
        min: f64,
        /// Highest value accepted.
        max: f64,
    },
    /// Not a whole number.
    NotWhole,
    /// The review threshold must stay at or below the auto threshold.
    ReviewAboveAuto {
        /// The auto threshold.
        auto: f64,
    },
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NotANumber => write!(f, "not a number"),
            Invalid::OutOfRange { min, max } => write!(f, "must be from {min} to {max}"),
            Invalid::NotWhole => write!(f, "must be a whole number"),
            Invalid::ReviewAboveAuto { auto } => {
                write!(f, "must not exceed the auto threshold ({auto})")
            }
        }
    }
}

impl Setting {
    /// Every setting, in display order.
    pub const ALL: [Setting; 4] = [
        Setting::AutoThreshold,
        Setting::ReviewThreshold,
        Setting::DisclosureThreshold,
        Setting::MaxPendingShare,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Setting::AutoThreshold => SETTING_AUTO,
            Setting::ReviewThreshold => SETTING_REVIEW,
            Setting::DisclosureThreshold => SETTING_THRESHOLD,
            Setting::MaxPendingShare => SETTING_MAX_PENDING,
        }
    }

    /// The setting of a key.
    pub fn parse(key: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The value when the workspace sets none.
    pub fn default_value(self) -> String {
        match self {
            Setting::AutoThreshold => CALIBRATED.auto.to_string(),
            Setting::ReviewThreshold => CALIBRATED.review.to_string(),
            Setting::DisclosureThreshold => DEFAULT_THRESHOLD.to_string(),
            Setting::MaxPendingShare => DEFAULT_MAX_PENDING.to_string(),
        }
    }

    /// What the setting does, in English, for the command line.
    pub fn describe(self) -> &'static str {
        match self {
            Setting::AutoThreshold => "score from which matching links a name automatically",
            Setting::ReviewThreshold => "score below which a candidate is not plausible",
            Setting::DisclosureThreshold => "published counts from 1 to this are hidden",
            Setting::MaxPendingShare => {
                "largest share of observations pending review an export accepts"
            }
        }
    }

    /// Checks a value typed for this setting (not against the others).
    pub fn check(self, value: &str) -> std::result::Result<String, Invalid> {
        let v: f64 = value
            .trim()
            .replace(',', ".")
            .parse()
            .map_err(|_| Invalid::NotANumber)?;
        let (min, max) = match self {
            Setting::AutoThreshold | Setting::ReviewThreshold => (0.0, 1.0),
            Setting::DisclosureThreshold => (0.0, 1000.0),
            Setting::MaxPendingShare => (0.0, 1.0),
        };
        if !(min..=max).contains(&v) {
            return Err(Invalid::OutOfRange { min, max });
        }
        if self == Setting::DisclosureThreshold {
            if v.fract() != 0.0 {
                return Err(Invalid::NotWhole);
            }
            return Ok(format!("{}", v as i64));
        }
        Ok(format!("{v}"))
    }
}

/// Every setting with its current value.
pub fn list(store: &Store) -> Result<Vec<SettingValue>> {
    Setting::ALL
        .into_iter()
        .map(|setting| {
            let stored = store.setting(setting.key())?;
            Ok(SettingValue {
                setting,
                is_default: stored.is_none(),
                value: stored.unwrap_or_else(|| setting.default_value()),
            })
        })
        .collect()
}

/// The current value of one setting.
pub fn get(store: &Store, setting: Setting) -> Result<SettingValue> {
    let all = list(store)?;
    all.into_iter()
        .find(|v| v.setting == setting)
        .ok_or_else(|| Error::Usage(format!("no setting {}", setting.key())))
}

/// Checks a new value against the setting and the others (review at most
/// auto), without writing it.
pub fn validate(
    store: &Store,
    setting: Setting,
    value: &str,
) -> Result<std::result::Result<String, Invalid>> {
    let value = match setting.check(value) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let number = |s: &str| s.parse::<f64>().unwrap_or(0.0);
    let value_f = number(&value);
    match setting {
        Setting::ReviewThreshold => {
            let auto = number(&get(store, Setting::AutoThreshold)?.value);
            if value_f > auto {
                return Ok(Err(Invalid::ReviewAboveAuto { auto }));
            }
        }
        Setting::AutoThreshold => {
            let review = number(&get(store, Setting::ReviewThreshold)?.value);
            if value_f < review {
                return Ok(Err(Invalid::OutOfRange {
                    min: review,
                    max: 1.0,
                }));
            }
        }
        _ => {}
    }
    Ok(Ok(value))
}

/// Sets a setting after checking the value, recording the change; returns
/// the change. A refused value is a usage error naming why.
pub fn set(
    store: &mut Store,
    setting: Setting,
    value: &str,
    author: &str,
) -> Result<SettingChange> {
    let value = validate(store, setting, value)?
        .map_err(|why| Error::Usage(format!("{} = {value}: {why}", setting.key())))?;
    let old = store.set_setting_audited(setting.key(), &value, author)?;
    Ok(SettingChange {
        at: String::new(),
        author: author.to_string(),
        key: setting.key().to_string(),
        old_value: old,
        new_value: value,
    })
}

/// Every recorded change, oldest first.
pub fn history(store: &Store) -> Result<Vec<SettingChange>> {
    store.setting_history()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_changes_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let all = list(&store).unwrap();
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|v| v.is_default));
        assert_eq!(
            Setting::DisclosureThreshold.check("10.5"),
            Err(Invalid::NotWhole)
        );
        assert_eq!(
            Setting::AutoThreshold.check("abc"),
            Err(Invalid::NotANumber)
        );
        assert!(set(&mut store, Setting::ReviewThreshold, "0.95", "ana").is_err());
        let change = set(&mut store, Setting::AutoThreshold, "0,9", "ana").unwrap();
        assert_eq!(change.old_value, None);
        assert_eq!(change.new_value, "0.9");
        set(&mut store, Setting::DisclosureThreshold, "5", "bob").unwrap();
        let v = get(&store, Setting::DisclosureThreshold).unwrap();
        assert_eq!((v.value.as_str(), v.is_default), ("5", false));
        let h = history(&store).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].key, SETTING_THRESHOLD);
        assert_eq!(h[1].author, "bob");
    }
}
