//! Linking drug names to the referential. This module owns the matching
//! core, pure and free of I/O: [`osa`] computes the agency's OSA similarity
//! fast and exactly, [`index`] retrieves candidate names among tens of
//! thousands despite typos, and [`features`] reads and compares what a name
//! says (brand, dose, unit, form, salt) to break ties and explain a
//! candidate to a reviewer. Names are compared in the form given by
//! [`crate::normalize::normalize_name`].
//!
//! The agency's cascade (exact name, former name, first word and number,
//! product, substance) and the decision thresholds build on these modules
//! and live beside them.

pub mod cascade;
pub mod composition;
pub mod decide;
pub mod engine;
pub mod evaluate;
pub mod evidence;
pub mod features;
#[cfg(test)]
mod floor_tests;
pub mod index;
pub mod osa;
pub mod referential;
#[cfg(test)]
mod salt_tests;
#[cfg(test)]
mod tests;
