//! The one disclosure rule every published number goes through. The portal
//! says a criterion representing fewer than 11 cases is not shown; the
//! agency's code applies it unevenly. Here:
//!
//! 1. **Primary suppression.** A count from 1 to `threshold` (workspace
//!    setting [`SETTING_THRESHOLD`], default 10) is hidden. Zero is shown:
//!    it identifies nobody.
//! 2. **Hidden total.** When the total a breakdown splits is itself hidden,
//!    every cell of the breakdown is hidden (even a zero would tell where
//!    the few cases are).
//! 3. **Complementary suppression**, for breakdowns that partition their
//!    total (each case in exactly one cell: year, sex, age class,
//!    seriousness, notifier, patients). The published total minus the
//!    visible cells gives the sum of the hidden cells, so while any cell is
//!    hidden and either only one cell is hidden or the hidden cells add up to
//!    `threshold` or less, the smallest visible non-zero cell is hidden too
//!    (a zero cell only when no non-zero cell is left). When the loop ends,
//!    the hidden cells are at least two and add up to more than the
//!    threshold, so no hidden cell can be pinned down: each could hold
//!    anything from 0 to their sum.
//! 4. Breakdowns whose cells overlap (seriousness criteria, SOC, HLT: a case
//!    counts in several cells) have no sum to subtract from, so only the
//!    primary rule applies to them, under their parent: the criteria under
//!    the "grave" cell, each SOC's HLTs under that SOC (rule 2 with the
//!    parent as total). A criterion could otherwise equal, and so reveal,
//!    a "grave" cell hidden as complement.
//!
//! What is published of a hidden cell is the same whatever the reason: no
//! value and the status [`STATUS_MASKED`] ("masque"). A text such as
//! "< 11" would be a statement about the value, false for a cell hidden as
//! complement (whose count may be 49), and telling the reasons apart would
//! say which hidden cells are small. The reason stays internal.
//!
//! Differencing across different publications (a substance against the
//! global page, or two year ranges) is not covered by this rule: the portal
//! export uses one year range.

use serde::Serialize;

/// The workspace setting holding the threshold.
pub const SETTING_THRESHOLD: &str = "disclosure.threshold";

/// The threshold when the workspace sets none: counts from 1 to 10 hidden.
pub const DEFAULT_THRESHOLD: i64 = 10;

/// The status published beside a visible count.
pub const STATUS_SHOWN: &str = "publie";

/// The status published beside a hidden count, whatever the reason; the
/// value itself is left empty (CSV) or null (JSON).
pub const STATUS_MASKED: &str = "masque";

/// Why a cell is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The count is from 1 to the threshold.
    SmallCount,
    /// Hidden so that a small cell cannot be recovered by subtraction.
    Complementary,
    /// The total the breakdown splits is hidden.
    TotalHidden,
}

impl Reason {
    /// Every reason a count is hidden.
    pub const ALL: [Reason; 3] = [
        Reason::SmallCount,
        Reason::Complementary,
        Reason::TotalHidden,
    ];

    /// Identifier written in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::SmallCount => "small_count",
            Reason::Complementary => "complementary",
            Reason::TotalHidden => "total_hidden",
        }
    }

    /// Words for a reader.
    pub fn label(self) -> &'static str {
        match self {
            Reason::SmallCount => "fewer cases than the disclosure threshold",
            Reason::Complementary => {
                "hidden so that a small count cannot be deduced from the total"
            }
            Reason::TotalHidden => "the total is itself hidden",
        }
    }
}

/// What is published for one count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Shown {
    /// The count itself.
    Value(i64),
    /// Hidden, and why.
    Hidden(Reason),
}

impl Shown {
    /// The published value, if any.
    pub fn value(self) -> Option<i64> {
        match self {
            Shown::Value(v) => Some(v),
            Shown::Hidden(_) => None,
        }
    }

    /// The reason it is hidden, if it is (internal: never published).
    pub fn reason(self) -> Option<Reason> {
        match self {
            Shown::Value(_) => None,
            Shown::Hidden(r) => Some(r),
        }
    }

    /// The published status: [`STATUS_SHOWN`] or [`STATUS_MASKED`].
    pub fn status(self) -> &'static str {
        match self {
            Shown::Value(_) => STATUS_SHOWN,
            Shown::Hidden(_) => STATUS_MASKED,
        }
    }

    /// The published value as text: the count, or nothing when hidden.
    pub fn text(self) -> String {
        match self {
            Shown::Value(v) => v.to_string(),
            Shown::Hidden(_) => String::new(),
        }
    }
}

/// The disclosure rule with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Counts from 1 to this value are hidden.
    pub threshold: i64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

impl Rule {
    /// A rule hiding counts from 1 to `threshold` (at least 1).
    pub fn new(threshold: i64) -> Rule {
        Rule {
            threshold: threshold.max(1),
        }
    }

    /// The rule in words, for the manifest.
    pub fn describe(&self) -> String {
        format!(
            "counts from 1 to {t} are hidden; when a total is hidden, every cell of its breakdowns is hidden; in breakdowns that partition their total (year, sex, age class, seriousness, notifier, patients), further cells are hidden, smallest first, until at least two cells are hidden and the hidden cells add up to more than {t}; breakdowns whose cells overlap (criteria, SOC, HLT) have primary suppression only, and are hidden whole when their parent (the serious cases, the SOC) is hidden. Every hidden count, whatever the reason, is published the same way: no value (empty in CSV, null in JSON) and the status \"{m}\"; a visible count has the status \"{v}\"",
            t = self.threshold,
            m = STATUS_MASKED,
            v = STATUS_SHOWN,
        )
    }

    /// Whether a count alone must be hidden.
    pub fn is_small(&self, count: i64) -> bool {
        (1..=self.threshold).contains(&count)
    }

    /// A lone count (a total): hidden when small.
    pub fn single(&self, count: i64) -> Shown {
        if self.is_small(count) {
            Shown::Hidden(Reason::SmallCount)
        } else {
            Shown::Value(count)
        }
    }

    /// The cells of one breakdown of `total`. `partition` says whether the
    /// cells add up to the total (see the module rule 3); `total_shown`
    /// is what is published for the total.
    pub fn breakdown(&self, cells: &[i64], total_shown: Shown, partition: bool) -> Vec<Shown> {
        if let Shown::Hidden(_) = total_shown {
            return vec![Shown::Hidden(Reason::TotalHidden); cells.len()];
        }
        let mut shown: Vec<Shown> = cells.iter().map(|&c| self.single(c)).collect();
        if !partition {
            return shown;
        }
        loop {
            let hidden: Vec<usize> = (0..cells.len())
                .filter(|&i| shown[i].value().is_none())
                .collect();
            let sum: i64 = hidden.iter().map(|&i| cells[i]).sum();
            if hidden.is_empty() || (hidden.len() >= 2 && sum > self.threshold) {
                return shown;
            }
            // Smallest visible non-zero cell first: it hides the fewest
            // cases; a zero only when nothing else is left.
            let next = (0..cells.len())
                .filter(|&i| shown[i].value().is_some())
                .min_by_key(|&i| (cells[i] == 0, cells[i], i));
            match next {
                Some(i) => shown[i] = Shown::Hidden(Reason::Complementary),
                None => return shown,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(shown: &[Shown]) -> Vec<Option<i64>> {
        shown.iter().map(|s| s.value()).collect()
    }

    #[test]
    fn small_counts_are_hidden_and_zero_shown() {
        let rule = Rule::default();
        assert_eq!(rule.single(0), Shown::Value(0));
        assert_eq!(rule.single(1), Shown::Hidden(Reason::SmallCount));
        assert_eq!(rule.single(10), Shown::Hidden(Reason::SmallCount));
        assert_eq!(rule.single(11), Shown::Value(11));
    }

    #[test]
    fn every_hidden_cell_is_published_with_the_same_neutral_mark() {
        let rule = Rule::default();
        // 3 is small; 49 goes with it as complement: both read the same,
        // and neither says anything of its value (it used to be "< 11",
        // false for 49).
        let shown = rule.breakdown(&[3, 49, 200], Shown::Value(252), true);
        assert_eq!(shown[0], Shown::Hidden(Reason::SmallCount));
        assert_eq!(shown[1], Shown::Hidden(Reason::Complementary));
        for s in &shown[..2] {
            assert_eq!((s.text().as_str(), s.status()), ("", STATUS_MASKED));
        }
        assert_eq!(
            (shown[2].text().as_str(), shown[2].status()),
            ("200", STATUS_SHOWN)
        );
        let under_hidden_total = rule.breakdown(&[2, 3], Shown::Hidden(Reason::SmallCount), true);
        assert!(
            under_hidden_total
                .iter()
                .all(|s| s.text().is_empty() && s.status() == STATUS_MASKED)
        );
    }

    #[test]
    fn one_hidden_cell_takes_the_next_smallest_with_it() {
        let rule = Rule::default();
        // Total 100: 3 is small; hidden alone it would be 100 − 20 − 77 − 0,
        // so the next smallest non-zero (20) goes too: 3 + 20 > 10.
        let cells = [3, 20, 77, 0];
        let shown = rule.breakdown(&cells, Shown::Value(100), true);
        assert_eq!(values(&shown), vec![None, None, Some(77), Some(0)]);
        assert_eq!(shown[1], Shown::Hidden(Reason::Complementary));
    }

    #[test]
    fn two_small_hidden_cells_summing_under_the_threshold_take_a_third() {
        let rule = Rule::default();
        // 2 + 3 = 5 ≤ 10 would be known to be small: 12 is hidden too.
        let cells = [2, 3, 12, 50];
        let shown = rule.breakdown(&cells, Shown::Value(67), true);
        assert_eq!(values(&shown), vec![None, None, None, Some(50)]);
    }

    #[test]
    fn overlapping_cells_get_primary_suppression_only() {
        let rule = Rule::default();
        let shown = rule.breakdown(&[3, 40, 40], Shown::Value(60), false);
        assert_eq!(values(&shown), vec![None, Some(40), Some(40)]);
    }

    #[test]
    fn a_hidden_total_hides_every_cell() {
        let rule = Rule::default();
        let shown = rule.breakdown(&[0, 4], Shown::Hidden(Reason::SmallCount), true);
        assert_eq!(shown, vec![Shown::Hidden(Reason::TotalHidden); 2]);
    }

    proptest! {
        /// Whatever the breakdown, an attacker knowing the published total
        /// and the visible cells cannot pin down any hidden cell, nor learn
        /// that the hidden cells together are small.
        #[test]
        fn no_hidden_cell_can_be_recovered(
            cells in proptest::collection::vec(
                prop_oneof![0i64..=12, 0i64..=200], 1..8),
            threshold in 1i64..=15,
        ) {
            let rule = Rule::new(threshold);
            let total: i64 = cells.iter().sum();
            let total_shown = rule.single(total);
            let shown = rule.breakdown(&cells, total_shown, true);
            prop_assert_eq!(shown.len(), cells.len());
            // No small count is ever published, and visible cells are exact.
            for (c, s) in cells.iter().zip(&shown) {
                if let Some(v) = s.value() {
                    prop_assert_eq!(v, *c);
                    prop_assert!(!rule.is_small(v));
                }
            }
            let hidden: Vec<i64> = cells.iter().zip(&shown)
                .filter(|(_, s)| s.value().is_none()).map(|(c, _)| *c).collect();
            match total_shown.value() {
                None => prop_assert_eq!(hidden.len(), cells.len()),
                Some(t) => {
                    let visible: i64 = shown.iter().filter_map(|s| s.value()).sum();
                    let hidden_sum = t - visible;
                    prop_assert_eq!(hidden_sum, hidden.iter().sum::<i64>());
                    if !hidden.is_empty() {
                        // Two or more unknowns sharing a sum above the
                        // threshold: each ranges over 0..=sum, so none is
                        // determined, and the sum itself tells nothing small.
                        prop_assert!(hidden.len() >= 2);
                        prop_assert!(hidden_sum > threshold);
                        for h in &hidden {
                            // One case moved between this cell and another
                            // hidden one gives the same published numbers.
                            let others = hidden_sum - h;
                            prop_assert!(*h > 0 || others > 0);
                        }
                    }
                }
            }
        }

        /// Overlapping breakdowns: only small counts are hidden.
        #[test]
        fn overlapping_breakdowns_hide_exactly_the_small_counts(
            cells in proptest::collection::vec(0i64..40, 0..8),
            total in 11i64..100,
        ) {
            let rule = Rule::default();
            let shown = rule.breakdown(&cells, Shown::Value(total), false);
            for (c, s) in cells.iter().zip(&shown) {
                prop_assert_eq!(s.value().is_none(), rule.is_small(*c));
            }
        }
    }
}
