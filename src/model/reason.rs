//! Why matching decided what it did, as typed values: the rule behind a
//! candidate or a decision ([`Method`]), why a name waits for a reviewer or
//! was left unlinked ([`Reason`]), and which candidates lead to the same
//! substances ([`crate::model::linking::substance_groups`]). Core computes them; the command line
//! words them in English (`Display`), the window in French. They are stored
//! as JSON (see [`Reason::to_json`]), never as sentences only.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Rule names, one place for the words shown to reviewers and exported.
pub mod rule {
    /// The name is a current name of the referential, at the typed level.
    pub const EXACT: &str = "exact name";
    /// The name is a former name (spécialité or produit).
    pub const FORMER: &str = "former name";
    /// A former name of several spécialités, decided by the notification
    /// year.
    pub const FORMER_BY_YEAR: &str = "former name (notification year)";
    /// The name is the referential's, at another level than typed.
    pub const EXACT_OTHER_LEVEL: &str = "exact name (other level)";
    /// A substance name rewritten ("X (Y)" → "Y X", salt dropped).
    pub const REWRITTEN: &str = "rewritten substance name";
    /// Same first word and first number, upper-case words overlapping fully.
    pub const TEXT_ANALYSIS: &str = "text analysis";
    /// The first word belongs to one target only.
    pub const UNIQUE_FIRST_WORD: &str = "unique first word";
    /// The first 1 to 4 words are a product name.
    pub const PRODUCT_FROM_WORDS: &str = "product from first words";
    /// A one-word name is the first word of one substance variant.
    pub const FIRST_WORD_OF_VARIANT: &str = "first word of a unique variant";
    /// The substances named in the name, read one by one.
    pub const COMPOSITION: &str = "composition read from the name";
    /// Found by the typo-tolerant index.
    pub const SIMILARITY: &str = "similarity";
    /// Every plausible candidate leads to the same substances.
    pub const SAME_SUBSTANCES: &str = "same substances";
    /// The name designates no medicine in particular.
    pub const UNSPECIFIC: &str = "unspecific";
    /// Nothing plausible was found.
    pub const NO_CANDIDATE: &str = "no plausible candidate";
}

/// Why a name carries too little information to be linked automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Floor {
    /// Fewer than [`MIN_LETTERS`] letters outside doses, units and forms.
    TooFewLetters,
    /// Digits or a dose alone.
    DoseOnly,
    /// A form or unit word alone ("SIROP", "COLLYRE", "MG").
    FormOnly,
    /// Class or generic words only ("STATINE", "INSULINE", "ANTIBIO").
    ClassWord,
    /// One common French word ("MAISON", "PETIT").
    CommonWord,
}

/// The rule that proposed a candidate or made a decision. Stored and
/// exported as [`Method::as_str`], the words of [`rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// The name is a current referential name at the typed level.
    Exact,
    /// A former name.
    Former,
    /// A former name of several spécialités decided by the year.
    FormerByYear,
    /// A current name of another level.
    ExactOtherLevel,
    /// A substance name rewritten ("X (Y)" ↔ "Y X", salt moved).
    Rewritten,
    /// Same first word and number, upper-case words overlapping.
    TextAnalysis,
    /// The first word belongs to one target.
    UniqueFirstWord,
    /// The first words are a product name.
    ProductFromWords,
    /// A one-word name is the first word of one substance variant.
    FirstWordOfVariant,
    /// The substances named in the name, read one by one.
    Composition,
    /// Found by the typo-tolerant index.
    Similarity,
    /// Every plausible candidate leads to the same substances.
    SameSubstances,
    /// The name designates no medicine.
    Unspecific,
    /// Nothing plausible.
    NoCandidate,
    /// A reviewer's decision ("candidate 2", "manual", …) or an older
    /// workspace's word.
    Other,
}

impl Method {
    /// Every method, for lists and filters.
    pub const ALL: [Method; 14] = [
        Method::Exact,
        Method::Former,
        Method::FormerByYear,
        Method::ExactOtherLevel,
        Method::Rewritten,
        Method::TextAnalysis,
        Method::UniqueFirstWord,
        Method::ProductFromWords,
        Method::FirstWordOfVariant,
        Method::Composition,
        Method::Similarity,
        Method::SameSubstances,
        Method::Unspecific,
        Method::NoCandidate,
    ];

    /// The stored identifier (English words of [`rule`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Exact => rule::EXACT,
            Method::Former => rule::FORMER,
            Method::FormerByYear => rule::FORMER_BY_YEAR,
            Method::ExactOtherLevel => rule::EXACT_OTHER_LEVEL,
            Method::Rewritten => rule::REWRITTEN,
            Method::TextAnalysis => rule::TEXT_ANALYSIS,
            Method::UniqueFirstWord => rule::UNIQUE_FIRST_WORD,
            Method::ProductFromWords => rule::PRODUCT_FROM_WORDS,
            Method::FirstWordOfVariant => rule::FIRST_WORD_OF_VARIANT,
            Method::Composition => rule::COMPOSITION,
            Method::Similarity => rule::SIMILARITY,
            Method::SameSubstances => rule::SAME_SUBSTANCES,
            Method::Unspecific => rule::UNSPECIFIC,
            Method::NoCandidate => rule::NO_CANDIDATE,
            Method::Other => "other",
        }
    }

    /// Reads a stored method; unknown words are [`Method::Other`].
    pub fn parse(s: &str) -> Method {
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == s)
            .unwrap_or(Method::Other)
    }
}

/// Why a name was decided as it was: for a pending name, what keeps it from
/// being linked automatically; for an unmatched one, why nothing is
/// proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Linked automatically.
    Sure,
    /// The name carries too little information (evidence floor).
    Floor {
        /// Which rule.
        floor: Floor,
    },
    /// The best candidate scores below the auto threshold.
    BelowAuto {
        /// Its score.
        score: f64,
        /// The threshold.
        auto: f64,
    },
    /// The best candidate's letters alone (its string score) do not reach
    /// the floor of automatic linking.
    WeakString {
        /// Its string score.
        string_score: f64,
        /// The floor.
        floor: f64,
    },
    /// A word of the name has no counterpart in the best candidate.
    WordMissing {
        /// The word.
        word: String,
    },
    /// Another candidate that would itself be taken automatically leads to
    /// other substances.
    Rival {
        /// Its rank.
        rank: u32,
        /// Its score.
        score: f64,
        /// Substances it brings that the first does not.
        adds: Vec<String>,
        /// Substances of the first it does not bring.
        lacks: Vec<String>,
    },
    /// The name carries a salt and the candidate another salt of the same
    /// base, under another code.
    SaltDiffers {
        /// The name's salt.
        query: String,
        /// The candidate's salt (empty: none).
        candidate: String,
    },
    /// Exact names of the referential lead to several substance sets.
    ExactAmbiguous {
        /// How many sets.
        sets: usize,
    },
    /// The best candidate has no known substance.
    NoSubstances,
    /// The name designates no medicine in particular.
    Unspecific,
    /// No candidate reaches the review threshold.
    NoCandidate {
        /// The best score (0 without candidates).
        best: f64,
        /// The review threshold.
        review: f64,
    },
}

impl Reason {
    /// The stored form (JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored reason; `None` for an older workspace's empty value.
    pub fn from_json(s: &str) -> Option<Reason> {
        serde_json::from_str(s).ok()
    }
}

fn codes(list: &[String]) -> String {
    list.join("+")
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Sure => write!(f, "linked automatically"),
            Reason::Floor { floor } => write!(
                f,
                "evidence floor: {}",
                match floor {
                    Floor::TooFewLetters => "fewer than 4 letters besides doses and forms",
                    Floor::DoseOnly => "a dose or digits alone",
                    Floor::FormOnly => "a form or unit word alone",
                    Floor::ClassWord => "a class or generic word",
                    Floor::CommonWord => "one common French word",
                }
            ),
            Reason::BelowAuto { score, auto } => {
                write!(f, "below the auto threshold ({score:.2} < {auto:.2})")
            }
            Reason::WeakString {
                string_score,
                floor,
            } => write!(
                f,
                "string evidence too weak ({string_score:.2} < {floor:.2} without features)"
            ),
            Reason::WordMissing { word } => {
                write!(f, "\"{word}\" has no counterpart in candidate 1")
            }
            Reason::Rival {
                rank,
                score,
                adds,
                lacks,
            } => {
                write!(f, "candidate {rank} ({score:.2}) leads elsewhere")?;
                if !adds.is_empty() {
                    write!(f, ", brings {}", codes(adds))?;
                }
                if !lacks.is_empty() {
                    write!(f, ", lacks {}", codes(lacks))?;
                }
                Ok(())
            }
            Reason::SaltDiffers { query, candidate } => {
                if candidate.is_empty() {
                    write!(f, "salt {query} named, candidate 1 names none")
                } else {
                    write!(f, "salt {query} named, candidate 1 is {candidate}")
                }
            }
            Reason::ExactAmbiguous { sets } => {
                write!(f, "exact names lead to {sets} substance sets")
            }
            Reason::NoSubstances => write!(f, "candidate 1 has no known substance"),
            Reason::Unspecific => write!(f, "names no medicine in particular"),
            Reason::NoCandidate { best, review } => {
                write!(f, "no candidate reaches review ({best:.2} < {review:.2})")
            }
        }
    }
}

/// The substances `other` brings that `first` does not, and those of
/// `first` it lacks.
pub fn set_difference(first: &[String], other: &[String]) -> (Vec<String>, Vec<String>) {
    let a: BTreeSet<&String> = first.iter().collect();
    let b: BTreeSet<&String> = other.iter().collect();
    (
        b.difference(&a).map(|s| (*s).clone()).collect(),
        a.difference(&b).map(|s| (*s).clone()).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip_through_their_stored_words() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), m);
        }
        assert_eq!(Method::parse("candidate 2"), Method::Other);
    }

    #[test]
    fn reasons_round_trip_through_json() {
        let r = Reason::Rival {
            rank: 7,
            score: 0.82,
            adds: vec!["00872".into()],
            lacks: vec!["28165".into()],
        };
        assert_eq!(Reason::from_json(&r.to_json()), Some(r.clone()));
        assert_eq!(
            r.to_string(),
            "candidate 7 (0.82) leads elsewhere, brings 00872, lacks 28165"
        );
        assert_eq!(Reason::from_json(""), None);
    }
}
