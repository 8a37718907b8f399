//! Why a reviewer's step is refused, as typed values: the command line
//! prints them in English (their `Display`), the window words them in
//! French from its catalogue. Each carries what the message needs (the
//! name and its level, the entry, who changed the key since), never a
//! sentence to parse.

use super::Level;

use super::review::AuditAction;

/// The compensating step that was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compensation {
    /// Ctrl+Z / `review undo`.
    Undo,
    /// Ctrl+Maj+Z / `review redo`.
    Redo,
    /// A second reviewer's revert of an entry.
    Revert,
}

impl Compensation {
    /// The English verb (command line).
    pub fn as_str(self) -> &'static str {
        match self {
            Compensation::Undo => "undo",
            Compensation::Redo => "redo",
            Compensation::Revert => "revert",
        }
    }

    /// The compensation an audit action performs, if it is one.
    pub fn of(action: AuditAction) -> Compensation {
        match action {
            AuditAction::Redo => Compensation::Redo,
            AuditAction::Revert => Compensation::Revert,
            _ => Compensation::Undo,
        }
    }
}

/// Who changed a key after the entry a step would compensate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedBy {
    /// The reviewer.
    pub author: String,
    /// When (ISO 8601, UTC).
    pub at: String,
    /// Their audit entry.
    pub entry: i64,
}

/// A reviewer's step that core refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No distinct name has this id.
    #[error("no drug name with id {id} in this workspace")]
    NoName {
        /// The id asked for.
        id: i64,
    },
    /// No name typed like this at this level.
    #[error(
        "no drug name \"{raw}\" typed at level {} in this workspace (datamed review queue --text finds names)",
        level.as_str()
    )]
    NameNotFound {
        /// The name as given.
        raw: String,
        /// The level asked for.
        level: Level,
    },
    /// The name has no candidate of this rank.
    #[error(
        "\"{name}\" ({}) has no candidate {rank}: it has {count}; approve it with a target from the manual search instead",
        level.as_str()
    )]
    NoCandidate {
        /// The name.
        name: String,
        /// Its level.
        level: Level,
        /// The rank asked for.
        rank: u32,
        /// How many candidates it has.
        count: usize,
    },
    /// The manual search's approval came with no target.
    #[error("choose at least one target")]
    NoTarget,
    /// Several targets, not all substances.
    #[error("several targets must all be substances; choose one spécialité or produit")]
    SeveralNotSubstances,
    /// A comment with no text.
    #[error("the comment is empty")]
    EmptyComment,
    /// A bulk step on no name.
    #[error("no name chosen")]
    NoNameChosen,
    /// No audit entry has this id.
    #[error("no audit entry #{id}")]
    NoEntry {
        /// The id asked for.
        id: i64,
    },
    /// The entry changed no decision: reverting it would do nothing.
    #[error("audit entry #{id} ({}) changed no decision: nothing to revert", action.as_str())]
    NothingToRevert {
        /// The entry.
        id: i64,
        /// What it recorded.
        action: AuditAction,
    },
    /// Someone changed the key since the entry to compensate.
    #[error(
        "cannot {} entry #{entry}: \"{normalized}\" ({}) was changed since{}",
        what.as_str(),
        level.as_str(),
        by.as_ref().map(|b| format!(" by {} at {} (entry #{})", b.author, b.at, b.entry)).unwrap_or_default()
    )]
    ChangedSince {
        /// Undo, redo or revert.
        what: Compensation,
        /// The entry it would compensate.
        entry: i64,
        /// The key's normalised name.
        normalized: String,
        /// The key's level.
        level: Level,
        /// The change since, when the log has it.
        by: Option<ChangedBy>,
    },
    /// "Apply to identical names" from a name not approved or rejected.
    #[error(
        "\"{name}\" ({}) is not approved or rejected: decide it before applying its decision elsewhere",
        level.as_str()
    )]
    NotFinal {
        /// The name.
        name: String,
        /// Its level.
        level: Level,
    },
    /// The store recorded nothing for a one-entry step.
    #[error("nothing was recorded")]
    NothingRecorded,
}

/// Every kind of refusal, with sample fields (the window's catalogue test
/// walks them).
pub fn samples() -> Vec<Refusal> {
    let by = Some(ChangedBy {
        author: "bob".into(),
        at: "2026-01-31T14:05:00Z".into(),
        entry: 9,
    });
    vec![
        Refusal::NoName { id: 3 },
        Refusal::NameNotFound {
            raw: "DOLIPRANE".into(),
            level: Level::Produit,
        },
        Refusal::NoCandidate {
            name: "DOLIPRANE".into(),
            level: Level::Produit,
            rank: 4,
            count: 2,
        },
        Refusal::NoTarget,
        Refusal::SeveralNotSubstances,
        Refusal::EmptyComment,
        Refusal::NoNameChosen,
        Refusal::NoEntry { id: 7 },
        Refusal::NothingToRevert {
            id: 7,
            action: AuditAction::Comment,
        },
        Refusal::ChangedSince {
            what: Compensation::Undo,
            entry: 7,
            normalized: "DOLIPRANE".into(),
            level: Level::Produit,
            by,
        },
        Refusal::NotFinal {
            name: "DOLIPRANE".into(),
            level: Level::Produit,
        },
        Refusal::NothingRecorded,
    ]
}
