//! Domain types of linking drug names to substance codes: the referential as
//! matching sees it, the distinct names to link, and what matching decides
//! for each (status, method, score, ranked candidates with explanations).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Level;

/// One distinct drug name as typed, at its level.
#[derive(Debug, Clone, PartialEq)]
pub struct DrugName {
    /// Workspace id.
    pub id: i64,
    /// As typed.
    pub name: String,
    /// Level it was entered at.
    pub level: Level,
    /// Normalised form.
    pub normalized: String,
    /// Observations (case × drug rows, ORDEI duplicates left out).
    pub n_obs: i64,
    /// Distinct cases.
    pub n_cases: i64,
}

/// A spécialité of the referential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefSpecialite {
    /// CODEX code of the VU, when the spécialité comes from CODEX.
    pub code_vu: Option<String>,
    /// CIS (8 digits), the public key, when known.
    pub cis: Option<String>,
    /// CODEX product code.
    pub produit_code: Option<String>,
    /// Spécialité name.
    pub name: String,
    /// Active substance codes (5 digits), sorted.
    pub substances: Vec<String>,
}

impl RefSpecialite {
    /// The code shown and exported: the CIS, else `VU:` and the CODEX code.
    pub fn code(&self) -> String {
        match (&self.cis, &self.code_vu) {
            (Some(cis), _) => cis.clone(),
            (None, Some(vu)) => format!("VU:{vu}"),
            (None, None) => String::new(),
        }
    }
}

/// A produit (brand or generic family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefProduit {
    /// CODEX product code.
    pub code: String,
    /// Product name.
    pub name: String,
}

/// A former name pointing to a current spécialité (by CODEX VU code) or
/// product (by product code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefFormerName {
    /// The old name.
    pub old_name: String,
    /// The current VU or product code.
    pub target_code: String,
    /// When the former name was recorded (ISO date), if known.
    pub created: Option<String>,
}

/// A substance name or name variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefSubstanceName {
    /// Substance code (5 digits).
    pub code: String,
    /// The name or variant.
    pub name: String,
}

/// Everything of the referential that matching reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferentialRows {
    /// Spécialités (CODEX, and BDPM ones CODEX lacks).
    pub specialites: Vec<RefSpecialite>,
    /// Produits.
    pub produits: Vec<RefProduit>,
    /// Former spécialité names → VU code.
    pub former_specialites: Vec<RefFormerName>,
    /// Former product names → product code.
    pub former_produits: Vec<RefFormerName>,
    /// Substance names and variants.
    pub substance_names: Vec<RefSubstanceName>,
    /// Canonical name per substance code.
    pub canonical_names: Vec<RefSubstanceName>,
}

/// What a candidate points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetLevel {
    /// A spécialité (code: CIS).
    Specialite,
    /// A produit (code: CODEX product code).
    Produit,
    /// A substance (code: substance code).
    Substance,
}

impl TargetLevel {
    /// Every target level, most specific first.
    pub const ALL: [TargetLevel; 3] = [
        TargetLevel::Specialite,
        TargetLevel::Produit,
        TargetLevel::Substance,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetLevel::Specialite => "specialite",
            TargetLevel::Produit => "produit",
            TargetLevel::Substance => "substance",
        }
    }

    /// Parses [`TargetLevel::as_str`].
    pub fn parse(s: &str) -> Option<TargetLevel> {
        match s {
            "specialite" => Some(TargetLevel::Specialite),
            "produit" => Some(TargetLevel::Produit),
            "substance" => Some(TargetLevel::Substance),
            _ => None,
        }
    }
}

impl fmt::Display for TargetLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of matching for one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchStatus {
    /// Linked automatically: sure.
    Auto,
    /// Needs a reviewer.
    Pending,
    /// Nothing plausible (or an unspecific entry).
    Unmatched,
}

impl MatchStatus {
    /// Every status matching gives.
    pub const ALL: [MatchStatus; 3] = [
        MatchStatus::Auto,
        MatchStatus::Pending,
        MatchStatus::Unmatched,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Auto => "auto",
            MatchStatus::Pending => "pending",
            MatchStatus::Unmatched => "unmatched",
        }
    }

    /// Parses [`MatchStatus::as_str`].
    pub fn parse(s: &str) -> Option<MatchStatus> {
        match s {
            "auto" => Some(MatchStatus::Auto),
            "pending" => Some(MatchStatus::Pending),
            "unmatched" => Some(MatchStatus::Unmatched),
            _ => None,
        }
    }
}

/// Where a name stands once reviewers' decisions count: matching's status
/// when nobody decided, else the decision. The transcoding table, the
/// exports and the window all say it with these six values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameStatus {
    /// Linked by matching alone, with certainty.
    Auto,
    /// Linked by a reviewer.
    Approved,
    /// Waiting for a reviewer (or flagged for review again).
    Pending,
    /// Put aside by a reviewer: still waiting.
    Deferred,
    /// A reviewer said it designates no drug of the referential.
    Rejected,
    /// Nothing plausible, or an unspecific entry.
    Unmatched,
}

impl NameStatus {
    /// Every status, in the order the table's filter lists them.
    pub const ALL: [NameStatus; 6] = [
        NameStatus::Auto,
        NameStatus::Pending,
        NameStatus::Unmatched,
        NameStatus::Approved,
        NameStatus::Rejected,
        NameStatus::Deferred,
    ];

    /// The identifier written in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            NameStatus::Auto => "auto",
            NameStatus::Approved => "approved",
            NameStatus::Pending => "pending",
            NameStatus::Deferred => "deferred",
            NameStatus::Rejected => "rejected",
            NameStatus::Unmatched => "unmatched",
        }
    }

    /// Parses [`NameStatus::as_str`].
    pub fn parse(s: &str) -> Option<NameStatus> {
        NameStatus::ALL.into_iter().find(|n| n.as_str() == s)
    }

    /// Whether the name is linked, so that its codes may be published.
    pub fn is_linked(self) -> bool {
        matches!(self, NameStatus::Auto | NameStatus::Approved)
    }
}

impl From<MatchStatus> for NameStatus {
    fn from(status: MatchStatus) -> NameStatus {
        match status {
            MatchStatus::Auto => NameStatus::Auto,
            MatchStatus::Pending => NameStatus::Pending,
            MatchStatus::Unmatched => NameStatus::Unmatched,
        }
    }
}

impl fmt::Display for NameStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ranked candidate for a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// 1 = best.
    pub rank: u32,
    /// Ranking score in `[0, 1]`.
    pub score: f64,
    /// The rule that proposed it (e.g. "exact name", "former name",
    /// "similarity").
    pub method: String,
    /// What it points at.
    pub target_level: TargetLevel,
    /// CIS, product code or substance code.
    pub target_code: String,
    /// The target's name.
    pub target_name: String,
    /// Substance codes the target brings, sorted.
    pub substance_codes: Vec<String>,
    /// OSA similarity between the normalised names.
    pub similarity: f64,
    /// What agrees and differs, for the reviewer.
    pub explanation: String,
}

/// What matching decided for one name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    /// The drug name id.
    pub name_id: i64,
    /// Auto, pending or unmatched.
    pub status: MatchStatus,
    /// The rule behind the status.
    pub method: String,
    /// Score of the decision (best candidate's).
    pub score: f64,
    /// Substances linked (auto) or proposed (pending: the best candidate's).
    pub substance_codes: Vec<String>,
    /// Why (typed): for a pending name, what keeps it from automatic
    /// linking.
    pub reason: crate::model::reason::Reason,
    /// Ranked candidates, best first (at most 10).
    pub candidates: Vec<Candidate>,
}

/// Groups of candidates leading to identical substance sets, in rank order
/// of their best member: each group is the ranks it holds, and whether its
/// substances differ from candidate 1's.
pub fn substance_groups(candidates: &[Candidate]) -> Vec<(Vec<u32>, bool)> {
    let first = candidates.first().map(|c| &c.substance_codes);
    let mut groups: Vec<(&Vec<String>, Vec<u32>)> = Vec::new();
    for c in candidates {
        match groups
            .iter_mut()
            .find(|(set, _)| **set == c.substance_codes)
        {
            Some((_, ranks)) => ranks.push(c.rank),
            None => groups.push((&c.substance_codes, vec![c.rank])),
        }
    }
    groups
        .into_iter()
        .map(|(set, ranks)| (ranks, Some(set) != first))
        .collect()
}
