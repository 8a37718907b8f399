//! The views: each draws from the state it is given and pushes
//! [`Command`](super::command::Command)s; none writes to the workspace.
//! [`chrome`] the menu, tabs and status bar; [`import`], [`review`] and
//! [`transcoding`] the three working views; [`indicators`] the ORDEI
//! indicators; [`dialogs`] and [`review_dialogs`] the modal dialogs
//! ([`publication`]: what a portal export would change). Every typed value
//! they show
//! is worded by [`super::i18n`].

pub mod chrome;
pub mod dialogs;
pub mod import;
pub mod indicators;
pub mod publication;
pub mod review;
pub mod review_dialogs;
pub mod transcoding;
