//! The review's domain vocabulary: what a decision is about
//! ([`DecisionKey`]), what it says ([`Decision`], [`DecisionStatus`],
//! [`DecisionTarget`]), what the audit log records ([`AuditAction`],
//! [`AuditEntry`]) and the JSON record both the audit log and the
//! exchange files carry ([`DecisionRecord`]). The store reads and writes
//! them; review, exports and both faces use them.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::Level;
use super::linking::{DrugName, TargetLevel};

/// What a decision is about: a normalised name at the level it was typed
/// at. Every raw spelling with that normalised form shares the decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DecisionKey {
    /// Normalised name ([`crate::normalize::normalize_name`]).
    pub normalized: String,
    /// Level the name was typed at.
    pub level: Level,
}

impl DecisionKey {
    /// The key of a distinct name.
    pub fn of(name: &DrugName) -> DecisionKey {
        DecisionKey {
            normalized: name.normalized.clone(),
            level: name.level,
        }
    }
}

/// What a reviewer decided for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DecisionStatus {
    /// Linked to a target (and its substances).
    Approved,
    /// No link: the name designates no drug of the referential.
    Rejected,
    /// Put aside for later; still to review.
    Deferred,
}

impl DecisionStatus {
    /// Every decision a reviewer can take.
    pub const ALL: [DecisionStatus; 3] = [
        DecisionStatus::Approved,
        DecisionStatus::Rejected,
        DecisionStatus::Deferred,
    ];

    /// Stable identifier (workspace, exchange files, exports).
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Approved => "approved",
            DecisionStatus::Rejected => "rejected",
            DecisionStatus::Deferred => "deferred",
        }
    }

    /// Parses [`DecisionStatus::as_str`].
    pub fn parse(s: &str) -> Option<DecisionStatus> {
        match s {
            "approved" => Some(DecisionStatus::Approved),
            "rejected" => Some(DecisionStatus::Rejected),
            "deferred" => Some(DecisionStatus::Deferred),
            _ => None,
        }
    }

    /// Whether the key is settled (approved or rejected): a deferred key
    /// still awaits a reviewer.
    pub fn is_final(self) -> bool {
        !matches!(self, DecisionStatus::Deferred)
    }
}

/// The target an approval links a name to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionTarget {
    /// Spécialité, produit or substance.
    pub level: TargetLevel,
    /// CIS, product code or substance code; several substance codes are
    /// `|`-joined.
    pub code: String,
    /// The target's name (names joined by " + " for several substances).
    pub name: String,
}

impl DecisionTarget {
    /// The target's codes: one, or several substances.
    pub fn codes(&self) -> Vec<&str> {
        self.code.split('|').filter(|c| !c.is_empty()).collect()
    }
}

/// The current decision of a key.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The key decided.
    pub key: DecisionKey,
    /// The name as typed the decision was made on.
    pub name: String,
    /// Approved, rejected or deferred.
    pub status: DecisionStatus,
    /// The target (approved only).
    pub target: Option<DecisionTarget>,
    /// Substance codes the name is linked to, sorted (approved only).
    pub substance_codes: Vec<String>,
    /// How it was decided: "candidate N", "manual", "reused", "imported".
    pub method: String,
    /// Score of the chosen candidate, when one was chosen.
    pub score: Option<f64>,
    /// The reviewer's comment.
    pub comment: Option<String>,
    /// Who decided.
    pub author: String,
    /// When (UTC, ISO 8601).
    pub decided_at: String,
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A key approved (linked to a target).
    Approve,
    /// A key rejected (no link).
    Reject,
    /// A key deferred.
    Defer,
    /// A comment written.
    Comment,
    /// A decision taken from an exchange file.
    Import,
    /// A decision applied for the first time to a raw name other than the
    /// one it was made on (typically newly imported).
    Reused,
    /// A reviewer restored the state before another entry.
    Revert,
    /// An author's undo of their own last step.
    Undo,
    /// An author's redo of their last undone step.
    Redo,
}

impl AuditAction {
    /// Every action the audit log records.
    pub const ALL: [AuditAction; 9] = [
        AuditAction::Approve,
        AuditAction::Reject,
        AuditAction::Defer,
        AuditAction::Comment,
        AuditAction::Import,
        AuditAction::Reused,
        AuditAction::Revert,
        AuditAction::Undo,
        AuditAction::Redo,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Approve => "approve",
            AuditAction::Reject => "reject",
            AuditAction::Defer => "defer",
            AuditAction::Comment => "comment",
            AuditAction::Import => "import",
            AuditAction::Reused => "reused",
            AuditAction::Revert => "revert",
            AuditAction::Undo => "undo",
            AuditAction::Redo => "redo",
        }
    }

    /// Parses [`AuditAction::as_str`].
    pub fn parse(s: &str) -> Option<AuditAction> {
        Some(match s {
            "approve" => AuditAction::Approve,
            "reject" => AuditAction::Reject,
            "defer" => AuditAction::Defer,
            "comment" => AuditAction::Comment,
            "import" => AuditAction::Import,
            "reused" => AuditAction::Reused,
            "revert" => AuditAction::Revert,
            "undo" => AuditAction::Undo,
            "redo" => AuditAction::Redo,
            _ => return None,
        })
    }

    /// The audit action that sets a key to `status`.
    pub fn deciding(status: DecisionStatus) -> AuditAction {
        match status {
            DecisionStatus::Approved => AuditAction::Approve,
            DecisionStatus::Rejected => AuditAction::Reject,
            DecisionStatus::Deferred => AuditAction::Defer,
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Entry id, increasing.
    pub id: i64,
    /// Id of the first entry of the reviewer action it belongs to.
    pub step: i64,
    /// When (UTC, ISO 8601).
    pub at: String,
    /// Who.
    pub author: String,
    /// What.
    pub action: AuditAction,
    /// The key concerned.
    pub key: DecisionKey,
    /// The name as typed the action was made on.
    pub name: String,
    /// The key's decision before.
    pub before: Option<Decision>,
    /// The key's decision after.
    pub after: Option<Decision>,
    /// The reviewer's comment, or what an automatic entry did.
    pub comment: Option<String>,
    /// The entry this one reverses (undo, redo, revert).
    pub compensates: Option<i64>,
}

/// An audit entry to write; the store adds id, step, time and author.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// What.
    pub action: AuditAction,
    /// The key concerned.
    pub key: DecisionKey,
    /// The name as typed.
    pub name: String,
    /// The decision the caller saw: the write is refused if the key's
    /// decision is no longer this.
    pub before: Option<Decision>,
    /// The decision the key gets (none: the key's decision is removed).
    pub after: Option<Decision>,
    /// Comment.
    pub comment: Option<String>,
    /// The entry this one reverses.
    pub compensates: Option<i64>,
}

/// The codes the referential holds now, per target level: what an approved
/// decision's target must still be among.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferentialCodes {
    /// Spécialité codes (CIS, else `VU:` and the CODEX code).
    pub specialites: HashSet<String>,
    /// CODEX product codes.
    pub produits: HashSet<String>,
    /// Substance codes.
    pub substances: HashSet<String>,
}

impl ReferentialCodes {
    /// Whether the referential holds `code` at `level`.
    pub fn contains(&self, level: TargetLevel, code: &str) -> bool {
        match level {
            TargetLevel::Specialite => self.specialites.contains(code),
            TargetLevel::Produit => self.produits.contains(code),
            TargetLevel::Substance => self.substances.contains(code),
        }
    }
}

/// The decision as stored in audit entries and exchange files: plain
/// strings, so that the JSON stays readable and stable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// Normalised name.
    pub normalized: String,
    /// Level identifier.
    pub level: String,
    /// Name as typed.
    #[serde(default)]
    pub name: String,
    /// `approved`, `rejected` or `deferred`.
    pub status: String,
    /// Target level identifier (approved only).
    #[serde(default)]
    pub target_level: Option<String>,
    /// Target code (approved only).
    #[serde(default)]
    pub target_code: Option<String>,
    /// Target name (approved only).
    #[serde(default)]
    pub target_name: Option<String>,
    /// Substance codes.
    #[serde(default)]
    pub substance_codes: Vec<String>,
    /// Method.
    #[serde(default)]
    pub method: String,
    /// Score.
    #[serde(default)]
    pub score: Option<f64>,
    /// Comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Author.
    #[serde(default)]
    pub author: String,
    /// When.
    #[serde(default)]
    pub decided_at: String,
}

impl From<&Decision> for DecisionRecord {
    fn from(d: &Decision) -> Self {
        DecisionRecord {
            normalized: d.key.normalized.clone(),
            level: d.key.level.as_str().to_string(),
            name: d.name.clone(),
            status: d.status.as_str().to_string(),
            target_level: d.target.as_ref().map(|t| t.level.as_str().to_string()),
            target_code: d.target.as_ref().map(|t| t.code.clone()),
            target_name: d.target.as_ref().map(|t| t.name.clone()),
            substance_codes: d.substance_codes.clone(),
            method: d.method.clone(),
            score: d.score,
            comment: d.comment.clone(),
            author: d.author.clone(),
            decided_at: d.decided_at.clone(),
        }
    }
}

impl DecisionRecord {
    /// The decision it describes, or what is wrong with it.
    pub fn to_decision(&self) -> std::result::Result<Decision, String> {
        let status = DecisionStatus::parse(&self.status).ok_or_else(|| {
            format!(
                "status \"{}\": approved, rejected or deferred expected",
                self.status
            )
        })?;
        let level = Level::parse(&self.level);
        if level.as_str() != self.level {
            return Err(format!(
                "level \"{}\": specialite, produit, substance or inconnu expected",
                self.level
            ));
        }
        if self.normalized.trim().is_empty() {
            return Err("empty normalised name".into());
        }
        let target = match (&self.target_level, &self.target_code) {
            (Some(l), Some(c)) if !c.is_empty() => Some(DecisionTarget {
                level: TargetLevel::parse(l).ok_or_else(|| {
                    format!("target level \"{l}\": specialite, produit or substance expected")
                })?,
                code: c.clone(),
                name: self.target_name.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        if (status == DecisionStatus::Approved) != target.is_some() {
            return Err(if target.is_some() {
                format!("a {} decision has no target", status.as_str())
            } else {
                "an approved decision needs a target level and code".into()
            });
        }
        let substance_codes: BTreeSet<String> = self
            .substance_codes
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        Ok(Decision {
            key: DecisionKey {
                normalized: self.normalized.clone(),
                level,
            },
            name: if self.name.is_empty() {
                self.normalized.clone()
            } else {
                self.name.clone()
            },
            status,
            target,
            substance_codes: substance_codes.into_iter().collect(),
            method: self.method.clone(),
            score: self.score,
            comment: self.comment.clone().filter(|c| !c.is_empty()),
            author: self.author.clone(),
            decided_at: self.decided_at.clone(),
        })
    }
}
