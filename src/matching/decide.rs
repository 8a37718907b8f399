//! From ranked candidates to a decision: `auto` when sure, `pending` for a
//! reviewer, `unmatched` when nothing is plausible. Two thresholds, kept as
//! workspace settings and chosen from a labelled set by [`calibrate`]:
//! below `review` a candidate is not plausible; at or above `auto` the best
//! candidate is taken when every other candidate at or above `auto` leads to
//! the same substances. The agency's text analysis is structural evidence:
//! when all its candidates share one substance set, that set is sure. An exact referential name leading to one substance set is
//! sure whatever the scores; an unspecific entry is never linked.

use std::collections::BTreeSet;

use crate::matching::cascade::rule;
use crate::matching::evidence::{Floor, STRING_FLOOR};
use crate::model::linking::{Candidate, MatchStatus};
use crate::model::reason::{Reason, set_difference};

/// Workspace setting holding the auto threshold.
pub const SETTING_AUTO: &str = "matching.auto_threshold";
/// Workspace setting holding the review threshold.
pub const SETTING_REVIEW: &str = "matching.review_threshold";

/// The two thresholds of the decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Score from which the best candidate is taken automatically (when no
    /// plausible candidate leads elsewhere).
    pub auto: f64,
    /// Score below which a candidate is not plausible.
    pub review: f64,
}

/// The thresholds calibrated on the bundled sample (`datamed calibrate -w W
/// --truth sample-data/truth.csv` on a workspace of `sample-data/`: auto
/// precision 99.93 % at the floor, review keeping every linkable name),
/// used until a workspace has its own.
pub const CALIBRATED: Thresholds = Thresholds {
    auto: AUTO_FLOOR,
    review: 0.64,
};

/// What a candidate's letters say, beside its score: what the evidence
/// rules of automatic linking read.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Its score without the drug-aware features.
    pub string_score: f64,
    /// A word of the name with no counterpart among its words.
    pub missing_word: Option<String>,
    /// Whether its name covers every word of the name
    /// ([`crate::matching::evidence::coverage`]).
    pub covers: bool,
    /// Whether, besides, the name covers every word of its name.
    pub complete: bool,
}

/// What matching knows of a name before thresholds apply.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranked {
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
    /// Whether an exact rule proposed the best candidates.
    pub exact: bool,
    /// Whether the name is an unspecific entry.
    pub unspecific: bool,
    /// The substance sets of the candidates the agency's text analysis
    /// proposed (same first word and first number, upper-case words
    /// overlapping fully): structural evidence that the name is one of
    /// them, so one set among them is sure; with the number of targets.
    pub structural: Vec<(Vec<String>, f64)>,
    /// The evidence floor the name falls under, if any: never automatic.
    pub floor: Option<Floor>,
    /// What each candidate's letters say, in candidate order (may be
    /// shorter: a candidate without evidence is not checked).
    pub evidence: Vec<Evidence>,
    /// The salt the name names and the other salt (empty: none) candidate
    /// 1, a substance of the same base under another code, carries.
    pub salt_differs: Option<(String, String)>,
    /// The substances the name states, read one by one from its words
    /// ([`crate::matching::composition::read_composition`]), when no
    /// candidate of those names leads elsewhere.
    pub composition: Option<Vec<String>>,
}

/// The decision: status, method, score, substance codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Auto, pending or unmatched.
    pub status: MatchStatus,
    /// The rule behind it.
    pub method: String,
    /// The best candidate's score (0 when none).
    pub score: f64,
    /// Linked (auto) or proposed (pending) substance codes.
    pub substance_codes: Vec<String>,
    /// Why: for a pending name, what keeps it from automatic linking.
    pub reason: Reason,
}

/// Applies the thresholds to ranked candidates.
pub fn decide(ranked: &Ranked, t: &Thresholds) -> Decision {
    let Some(best) = ranked.candidates.first() else {
        let (method, reason) = if ranked.unspecific {
            (rule::UNSPECIFIC, Reason::Unspecific)
        } else {
            (
                rule::NO_CANDIDATE,
                Reason::NoCandidate {
                    best: 0.0,
                    review: t.review,
                },
            )
        };
        return Decision {
            status: MatchStatus::Unmatched,
            method: method.to_string(),
            score: 0.0,
            substance_codes: Vec::new(),
            reason,
        };
    };
    let decision = |status, method: &str, reason| Decision {
        status,
        method: method.to_string(),
        score: best.score,
        substance_codes: best.substance_codes.clone(),
        reason,
    };
    let pending_or_unmatched = |reason| {
        if best.score >= t.review {
            decision(MatchStatus::Pending, &best.method, reason)
        } else {
            decision(
                MatchStatus::Unmatched,
                rule::NO_CANDIDATE,
                Reason::NoCandidate {
                    best: best.score,
                    review: t.review,
                },
            )
        }
    };
    if ranked.unspecific {
        return Decision {
            substance_codes: Vec::new(),
            ..decision(MatchStatus::Unmatched, rule::UNSPECIFIC, Reason::Unspecific)
        };
    }
    if best.substance_codes.is_empty() {
        // A target without known substances cannot be linked automatically.
        return pending_or_unmatched(Reason::NoSubstances);
    }
    if let Some(floor) = ranked.floor {
        // Too little information: a reviewer may still pick a candidate.
        return pending_or_unmatched(Reason::Floor { floor });
    }
    if ranked.exact {
        let exact_sets: BTreeSet<&Vec<String>> = ranked
            .candidates
            .iter()
            .filter(|c| c.score >= 1.0)
            .map(|c| &c.substance_codes)
            .collect();
        if exact_sets.len() == 1 {
            return decision(MatchStatus::Auto, &best.method, Reason::Sure);
        }
        return decision(
            MatchStatus::Pending,
            &best.method,
            Reason::ExactAmbiguous {
                sets: exact_sets.len(),
            },
        );
    }
    if let Some((query, candidate)) = &ranked.salt_differs {
        // A salt form is never linked to another salt of its base.
        return pending_or_unmatched(Reason::SaltDiffers {
            query: query.clone(),
            candidate: candidate.clone(),
        });
    }
    let structural_sets: BTreeSet<&Vec<String>> =
        ranked.structural.iter().map(|(set, _)| set).collect();
    if structural_sets.len() == 1
        && let Some((set, score)) = ranked.structural.iter().max_by(|a, b| a.1.total_cmp(&b.1))
        && !set.is_empty()
    {
        let method = if ranked.structural.len() > 1 {
            rule::SAME_SUBSTANCES
        } else {
            rule::TEXT_ANALYSIS
        };
        return Decision {
            status: MatchStatus::Auto,
            method: method.to_string(),
            score: *score,
            substance_codes: set.clone(),
            reason: Reason::Sure,
        };
    }
    if let Some(codes) = &ranked.composition {
        // Linked at substance level, whether or not a current spécialité
        // has that composition.
        return Decision {
            status: MatchStatus::Auto,
            method: rule::COMPOSITION.to_string(),
            score: best.score,
            substance_codes: codes.clone(),
            reason: Reason::Sure,
        };
    }
    if best.score < t.review {
        return pending_or_unmatched(Reason::NoSubstances);
    }
    if best.score < t.auto {
        return decision(
            MatchStatus::Pending,
            &best.method,
            Reason::BelowAuto {
                score: best.score,
                auto: t.auto,
            },
        );
    }
    // Only a candidate that would itself be taken automatically is a rival,
    // and not one that lacks a word of the name while candidate 1 and the
    // name account for each other word for word.
    let first_complete = ranked.evidence.first().is_some_and(|e| e.complete);
    let covers = |i: usize| ranked.evidence.get(i).is_none_or(|e| e.covers);
    if let Some(rival) = ranked.candidates.iter().enumerate().find_map(|(i, c)| {
        (c.score >= t.auto
            && c.substance_codes != best.substance_codes
            && (!first_complete || covers(i)))
        .then_some(c)
    }) {
        let (adds, lacks) = set_difference(&best.substance_codes, &rival.substance_codes);
        return decision(
            MatchStatus::Pending,
            &best.method,
            Reason::Rival {
                rank: rival.rank,
                score: rival.score,
                adds,
                lacks,
            },
        );
    }
    if let Some(e) = ranked.evidence.first() {
        if e.string_score < STRING_FLOOR {
            return decision(
                MatchStatus::Pending,
                &best.method,
                Reason::WeakString {
                    string_score: e.string_score,
                    floor: STRING_FLOOR,
                },
            );
        }
        if let Some(word) = &e.missing_word {
            let reason = Reason::WordMissing { word: word.clone() };
            return decision(MatchStatus::Pending, &best.method, reason);
        }
    }
    let distinct_targets: BTreeSet<&str> = ranked
        .candidates
        .iter()
        .filter(|c| c.score >= t.auto)
        .map(|c| c.target_code.as_str())
        .collect();
    let method = if distinct_targets.len() > 1 {
        rule::SAME_SUBSTANCES
    } else {
        best.method.as_str()
    };
    decision(MatchStatus::Auto, method, Reason::Sure)
}

/// A labelled name for calibration: its ranked candidates, observations and
/// the true substance codes (empty: must not be linked).
#[derive(Debug, Clone)]
pub struct Labelled {
    /// Ranked candidates.
    pub ranked: Ranked,
    /// Observations.
    pub n_obs: i64,
    /// True codes, sorted.
    pub truth: Vec<String>,
}

/// What a pair of thresholds gives on a labelled set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CalibrationPoint {
    /// Auto threshold.
    pub auto: f64,
    /// Review threshold.
    pub review: f64,
    /// Share of observations decided auto.
    pub auto_obs_share: f64,
    /// Precision of auto, in names.
    pub auto_precision_names: f64,
    /// Precision of auto, in observations.
    pub auto_precision_obs: f64,
    /// Share of linkable names not auto whose best score reaches review.
    pub linkable_kept_share: f64,
}

/// Lowest auto threshold calibration may choose, whatever a labelled set
/// says: a synthetic or small labelled set under-represents the odd names of
/// a real extract, and a candidate scoring below this is never taken
/// without a reviewer.
pub const AUTO_FLOOR: f64 = 0.80;

/// Chooses thresholds on a labelled set: `auto` as the lowest value (from
/// [`AUTO_FLOOR`]) whose auto precision reaches `min_precision` in names and
/// in observations — most observations auto — then `review` as the highest
/// value below it that keeps the truth of `min_kept` of the remaining
/// linkable names plausible (in the review queue rather than unmatched).
/// `None` when no threshold reaches the precision.
pub fn calibrate(set: &[Labelled], min_precision: f64, min_kept: f64) -> Option<CalibrationPoint> {
    // Review on a grid of hundredths; auto finer, by thousandths, so that
    // a demanding precision target (0.9999) finds the threshold that
    // reaches it rather than jumping past it.
    let grid: Vec<f64> = (30..=100).map(|i| f64::from(i) / 100.0).collect();
    let auto_grid: Vec<f64> = (800..=1000).map(|i| f64::from(i) / 1000.0).collect();
    let auto = auto_grid
        .iter()
        .copied()
        .filter(|&a| a >= AUTO_FLOOR)
        .find(|&a| {
            let p = evaluate_point(set, &Thresholds { auto: a, review: a });
            p.auto_precision_names >= min_precision && p.auto_precision_obs >= min_precision
        })?;
    let point = grid
        .iter()
        .copied()
        .filter(|&r| r <= auto)
        .rev()
        .map(|r| evaluate_point(set, &Thresholds { auto, review: r }))
        .find(|p| p.linkable_kept_share >= min_kept)
        .unwrap_or_else(|| {
            evaluate_point(
                set,
                &Thresholds {
                    auto,
                    review: grid[0],
                },
            )
        });
    Some(point)
}

/// Auto share and precision of one pair of thresholds.
pub fn evaluate_point(set: &[Labelled], t: &Thresholds) -> CalibrationPoint {
    let (mut obs, mut auto_obs, mut auto_names, mut right_names, mut right_obs) =
        (0i64, 0i64, 0i64, 0i64, 0i64);
    let (mut linkable, mut kept) = (0i64, 0i64);
    for l in set {
        obs += l.n_obs;
        let d = decide(&l.ranked, t);
        if d.status == MatchStatus::Auto {
            auto_names += 1;
            auto_obs += l.n_obs;
            if d.substance_codes == l.truth {
                right_names += 1;
                right_obs += l.n_obs;
            }
        } else if !l.truth.is_empty() {
            linkable += 1;
            if l.ranked
                .candidates
                .first()
                .is_some_and(|c| c.score >= t.review)
            {
                kept += 1;
            }
        }
    }
    let ratio = |a: i64, b: i64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    CalibrationPoint {
        auto: t.auto,
        review: t.review,
        auto_obs_share: ratio(auto_obs, obs),
        auto_precision_names: ratio(right_names, auto_names),
        auto_precision_obs: ratio(right_obs, auto_obs),
        linkable_kept_share: ratio(kept, linkable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::linking::TargetLevel;

    fn cand(code: &str, score: f64, subst: &[&str]) -> Candidate {
        Candidate {
            rank: 0,
            score,
            method: rule::SIMILARITY.to_string(),
            target_level: TargetLevel::Specialite,
            target_code: code.to_string(),
            target_name: code.to_string(),
            substance_codes: subst.iter().map(|s| s.to_string()).collect(),
            similarity: score,
            explanation: String::new(),
        }
    }

    fn ranked(c: Vec<Candidate>) -> Ranked {
        Ranked {
            candidates: c,
            ..Ranked::default()
        }
    }

    const T: Thresholds = Thresholds {
        auto: 0.9,
        review: 0.6,
    };

    #[test]
    fn same_substances_is_auto_even_between_two_targets() {
        // The ADRIBLASTINE case: two spécialités, one substance.
        let r = ranked(vec![
            cand("64367525", 0.95, &["03236"]),
            cand("64661854", 0.91, &["03236"]),
        ]);
        let d = decide(&r, &T);
        assert_eq!(d.status, MatchStatus::Auto);
        assert_eq!(d.method, rule::SAME_SUBSTANCES);
        assert_eq!(d.substance_codes, vec!["03236"]);
    }

    #[test]
    fn text_analysis_with_one_substance_set_is_auto_below_the_threshold() {
        let mut r = ranked(vec![
            cand("64367525", 0.85, &["03236"]),
            cand("64661854", 0.7, &["03236"]),
            cand("OTHER", 0.75, &["01574"]),
        ]);
        assert_eq!(decide(&r, &T).status, MatchStatus::Pending);
        r.structural = vec![
            (vec!["03236".to_string()], 0.85),
            (vec!["03236".to_string()], 0.7),
        ];
        let d = decide(&r, &T);
        assert_eq!(d.status, MatchStatus::Auto);
        assert_eq!(d.method, rule::SAME_SUBSTANCES);
    }

    #[test]
    fn a_sure_rival_with_other_substances_makes_it_pending() {
        let r = ranked(vec![cand("A", 0.95, &["1"]), cand("B", 0.92, &["2"])]);
        assert_eq!(decide(&r, &T).status, MatchStatus::Pending);
        let r = ranked(vec![cand("A", 0.95, &["1"]), cand("B", 0.7, &["2"])]);
        assert_eq!(decide(&r, &T).status, MatchStatus::Auto);
        let r = ranked(vec![cand("A", 0.85, &["1"])]);
        assert_eq!(decide(&r, &T).status, MatchStatus::Pending);
    }

    #[test]
    fn low_scores_are_unmatched_and_unspecific_never_linked() {
        let r = ranked(vec![cand("A", 0.4, &["1"])]);
        assert_eq!(decide(&r, &T).status, MatchStatus::Unmatched);
        let mut r = ranked(vec![cand("A", 1.0, &["1"])]);
        r.unspecific = true;
        r.exact = true;
        let d = decide(&r, &T);
        assert_eq!(d.status, MatchStatus::Unmatched);
        assert!(d.substance_codes.is_empty());
    }

    #[test]
    fn exact_names_with_two_substance_sets_go_to_review() {
        let mut r = ranked(vec![cand("A", 1.0, &["1"]), cand("B", 1.0, &["2"])]);
        r.exact = true;
        assert_eq!(decide(&r, &T).status, MatchStatus::Pending);
        let mut r = ranked(vec![cand("A", 1.0, &["1"]), cand("B", 1.0, &["1"])]);
        r.exact = true;
        assert_eq!(decide(&r, &T).status, MatchStatus::Auto);
    }

    #[test]
    fn calibration_finds_the_precise_threshold() {
        let right = |score| Labelled {
            ranked: ranked(vec![cand("A", score, &["1"])]),
            n_obs: 10,
            truth: vec!["1".to_string()],
        };
        let wrong = |score| Labelled {
            ranked: ranked(vec![cand("B", score, &["2"])]),
            n_obs: 1,
            truth: vec!["1".to_string()],
        };
        let set = vec![
            right(0.97),
            right(0.95),
            right(0.85),
            wrong(0.8),
            right(0.7),
        ];
        let p = calibrate(&set, 0.995, 0.99).unwrap();
        assert!(p.auto > 0.8 && p.auto <= 0.85, "{p:?}");
        assert_eq!(p.auto_precision_names, 1.0);
    }
}
