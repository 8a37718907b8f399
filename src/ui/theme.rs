//! Every colour and spacing of the window, in one place: the light theme the
//! agents work in, the colours of statuses, scores and character diffs, and
//! the sizes of rows and panels. Views take their colours from here only.

use eframe::egui;
use egui::{Color32, Context, FontFamily, FontId, TextStyle, Theme};

use crate::model::linking::NameStatus;

/// Space between blocks.
pub const GAP: f32 = 8.0;
/// Space between sections of a view.
pub const SECTION_GAP: f32 = 14.0;
/// Height of a row in the queue and the transcoding table.
pub const ROW_HEIGHT: f32 = 22.0;
/// Default width of the review queue panel.
pub const QUEUE_WIDTH: f32 = 460.0;
/// Width of a candidate's score bar.
pub const SCORE_BAR_WIDTH: f32 = 90.0;
/// Height of a candidate's score bar.
pub const SCORE_BAR_HEIGHT: f32 = 10.0;
/// Default width of the substance picker of the Indicateurs view.
pub const PICKER_WIDTH: f32 = 340.0;
/// Width kept for the SOC names beside their horizontal bars.
pub const SOC_AXIS_WIDTH: f32 = 290.0;
/// Corner radius of bars and cards.
pub const RADIUS: f32 = 3.0;
/// Width of a job's progress bar in the status bar (half as wide again
/// in the middle of the empty window).
pub const PROGRESS_WIDTH: f32 = 340.0;

/// Main accent (links, selection, primary buttons).
pub const ACCENT: Color32 = Color32::from_rgb(0x1f, 0x5f, 0xa8);
/// Text of secondary information.
pub const MUTED: Color32 = Color32::from_rgb(0x6b, 0x72, 0x80);
/// Something done well: auto links, approvals, saved.
pub const GOOD: Color32 = Color32::from_rgb(0x1e, 0x7b, 0x3c);
/// Something waiting: pending, deferred, warnings.
pub const WAIT: Color32 = Color32::from_rgb(0xb2, 0x6a, 0x00);
/// Something refused or wrong: rejections, errors, unmatched.
pub const BAD: Color32 = Color32::from_rgb(0xb3, 0x26, 0x1e);
/// Background of a card (a candidate, a report).
pub const CARD_FILL: Color32 = Color32::from_rgb(0xf6, 0xf7, 0xf9);
/// Background of the picked candidate's card.
pub const PICKED_FILL: Color32 = Color32::from_rgb(0xe3, 0xee, 0xfb);
/// Empty part of a score bar.
pub const BAR_TRACK: Color32 = Color32::from_rgb(0xdd, 0xe1, 0xe7);
/// Background of characters that differ between the typed and the
/// candidate name.
pub const DIFF_CHANGED: Color32 = Color32::from_rgb(0xff, 0xd8, 0x8a);
/// Background of characters present on one side only.
pub const DIFF_GAP: Color32 = Color32::from_rgb(0xf7, 0xb9, 0xb4);
/// A bar the portal does not publish ("masqué").
pub const HIDDEN_BAR: Color32 = Color32::from_rgb(0xb8, 0xbe, 0xc8);
/// Why a count is hidden.
pub const HIDDEN_TEXT: Color32 = WAIT;
/// A true count beside the published one (internal, never published):
/// orange against the published blue, told apart without colour vision
/// too by its place in the pair.
pub const INTERNAL_BAR: Color32 = Color32::from_rgb(0xe3, 0x8d, 0x2f);
/// A true count written as text.
pub const INTERNAL_TEXT: Color32 = Color32::from_rgb(0xa8, 0x5a, 0x06);
/// Filled part of a progress bar.
pub const PROGRESS_FILL: Color32 = Color32::from_rgb(0x9c, 0xd3, 0xa8);

/// Sets the theme, text sizes and spacing on `ctx`.
pub fn apply(ctx: &Context) {
    ctx.set_theme(Theme::Light);
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
        style.spacing.button_padding = egui::vec2(7.0, 3.0);
        style.spacing.interact_size.y = 22.0;
        style.text_styles.insert(
            TextStyle::Heading,
            FontId::new(19.0, FontFamily::Proportional),
        );
        style
            .text_styles
            .insert(TextStyle::Body, FontId::new(14.0, FontFamily::Proportional));
        style.text_styles.insert(
            TextStyle::Button,
            FontId::new(14.0, FontFamily::Proportional),
        );
        style.text_styles.insert(
            TextStyle::Small,
            FontId::new(12.0, FontFamily::Proportional),
        );
        style.text_styles.insert(
            TextStyle::Monospace,
            FontId::new(14.0, FontFamily::Monospace),
        );
        style.visuals.selection.bg_fill = PICKED_FILL;
        style.visuals.selection.stroke.color = ACCENT;
        style.visuals.hyperlink_color = ACCENT;
    });
}

/// The colour of where a name stands.
pub fn status_color(status: NameStatus) -> Color32 {
    match status {
        NameStatus::Auto | NameStatus::Approved => GOOD,
        NameStatus::Pending | NameStatus::Deferred => WAIT,
        NameStatus::Unmatched | NameStatus::Rejected => BAD,
    }
}

/// The colour of a score bar.
pub fn score_color(score: f64) -> Color32 {
    if score >= 0.9 {
        GOOD
    } else if score >= 0.75 {
        ACCENT
    } else if score >= 0.55 {
        WAIT
    } else {
        BAD
    }
}
