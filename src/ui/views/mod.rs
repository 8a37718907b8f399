//! The views: each draws from the state it is given and pushes
//! [`Command`](super::command::Command)s; none writes to the workspace.
//! [`chrome`] the menu, tabs and status bar; [`import`], [`review`] and
//! [`transcoding`] the three views; [`indicators`] the ORDEI indicators; [`dialogs`] the modal dialogs. The
//! helpers below format numbers and names the French way.

pub mod chrome;
pub mod dialogs;
pub mod import;
pub mod indicators;
pub mod review;
pub mod transcoding;

use crate::model::linking::TargetLevel;

/// An integer with spaces between thousands ("20 000").
pub fn fmt_int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A score with two decimals and a decimal comma ("0,81").
pub fn fmt_score(score: f64) -> String {
    format!("{score:.2}").replace('.', ",")
}

/// A share as a percentage with one decimal ("98,5 %").
pub fn fmt_percent(share: f64) -> String {
    format!("{:.1}\u{a0}%", share * 100.0).replace('.', ",")
}

/// The label of a target level.
pub fn target_level_label(level: TargetLevel) -> &'static str {
    match level {
        TargetLevel::Specialite => "Spécialité",
        TargetLevel::Produit => "Produit",
        TargetLevel::Substance => "Substance",
    }
}

/// The label of a status or decision identifier.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "auto" => "Auto",
        "pending" => "À revoir",
        "unmatched" => "Non apparié",
        "approved" => "Validé",
        "rejected" => "Rejeté",
        "deferred" => "Reporté",
        _ => "?",
    }
}

/// A UTC ISO 8601 time as "2026-01-31 14:05".
pub fn fmt_time(iso: &str) -> String {
    let t = iso.replace('T', " ");
    t.get(..16).map_or(t.clone(), str::to_string)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_french_way() {
        assert_eq!(fmt_int(0), "0");
        assert_eq!(fmt_int(1555), "1 555");
        assert_eq!(fmt_int(-20000), "-20 000");
        assert_eq!(fmt_score(0.8125), "0,81");
        assert_eq!(fmt_percent(0.985), "98,5\u{a0}%");
        assert_eq!(fmt_time("2026-01-31T14:05:09Z"), "2026-01-31 14:05");
    }
}
