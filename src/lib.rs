//! DataMed Workbench: link the drug names of pharmacovigilance cases (BNPV) to
//! substance codes of the referential (CODEX, BDPM), review the doubtful ones,
//! and publish indicators per substance.
//!
//! Layers, data flowing one way: files → [`import`] → [`store`] →
//! [`matching`] → [`store`] → review → indicators / export. The `datamed`
//! binary is a thin door onto these functions: [`cli`] for the command line,
//! `ui` for the window, [`launch`] for what the window opens on. Core
//! modules never touch UI crates; SQL lives only in [`store`].
//!
//! Failures travel as [`error::Error`]: every data error names the file, and
//! where known the sheet, line and column. Long work reports through
//! [`jobs::Progress`] and can be cancelled, which rolls back its transaction.

pub mod cli;
pub mod env;
pub mod error;
pub mod export;
pub mod files;
pub mod import;
pub mod indicators;
pub mod jobs;
pub mod launch;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod review;
pub mod sample;
pub mod sample_workspace;
pub mod settings;
pub mod store;
pub mod ui;
