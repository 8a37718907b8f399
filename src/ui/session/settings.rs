//! The Réglages dialog's form: the reviewer's name and the workspace
//! settings (matching thresholds, disclosure threshold, pending-share
//! limit), read from and written through the core `settings` functions, so
//! that every change is recorded as `datamed settings` records it.

use crate::settings::{Invalid, Setting};
use crate::store::Store;

/// One setting in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingField {
    /// Which setting.
    pub setting: Setting,
    /// What is typed.
    pub text: String,
    /// The value when the dialog opened.
    pub stored: String,
    /// Why the typed value was refused, at the last save.
    pub error: Option<Invalid>,
}

/// The Réglages form.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsForm {
    /// The reviewer's name typed.
    pub reviewer: String,
    /// The workspace settings (none without a workspace).
    pub fields: Vec<SettingField>,
}

/// The form as the workspace has it now.
pub fn open_form(store: Option<&Store>, reviewer: String) -> SettingsForm {
    let fields = store
        .and_then(|s| crate::settings::list(s).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|v| SettingField {
            setting: v.setting,
            text: v.value.clone(),
            stored: v.value,
            error: None,
        })
        .collect();
    SettingsForm { reviewer, fields }
}

/// Writes the changed settings, each recorded with `author`; returns how
/// many changed, or `None` with the refused ones marked in the form
/// (nothing written when a value is refused on its own).
pub fn save_form(
    store: &mut Store,
    form: &mut SettingsForm,
    author: &str,
) -> crate::error::Result<Option<usize>> {
    let mut refused = false;
    for f in &mut form.fields {
        f.error = None;
        if f.text.trim() == f.stored {
            continue;
        }
        if let Err(e) = f.setting.check(&f.text) {
            f.error = Some(e);
            refused = true;
        }
    }
    if refused {
        return Ok(None);
    }
    // Review goes down before auto does, so that it never exceeds it.
    let mut changed: Vec<&mut SettingField> = form
        .fields
        .iter_mut()
        .filter(|f| f.text.trim() != f.stored)
        .collect();
    changed.sort_by_key(|f| match f.setting {
        Setting::ReviewThreshold => 0,
        _ => 1,
    });
    let mut n = 0;
    for f in changed {
        if let Err(e) = crate::settings::validate(store, f.setting, &f.text)? {
            f.error = Some(e);
            return Ok(None);
        }
        let change = crate::settings::set(store, f.setting, &f.text, author)?;
        f.stored = change.new_value;
        f.text = f.stored.clone();
        n += 1;
    }
    Ok(Some(n))
}
