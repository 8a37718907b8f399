//! Optimal String Alignment distance, the agency's string similarity. This
//! module owns a fast exact implementation: Hyyrö's bit-parallel algorithm
//! with transpositions (2003), one 64-bit word when the pattern has at most
//! 64 characters and blocks of words beyond, equal to
//! `strsim::osa_distance` for every input (distances count Unicode scalar
//! values). An [`OsaMatcher`] precomputes the pattern's bit masks once so that
//! a query can be compared with thousands of candidates cheaply; it also
//! reports the distance to every word prefix of a candidate in the same
//! pass, which the candidate index uses for short queries.
//!
//! OSA is the restricted Damerau–Levenshtein distance: insertions,
//! deletions, substitutions and transpositions of two adjacent characters,
//! no substring edited twice. Similarity is `1 − distance / longer length`,
//! as in ORDEI (R `stringdist::stringsim(method = "osa")`).

/// The OSA distance between `a` and `b`, counted in Unicode scalar values.
///
/// ```
/// use datamed::matching::osa::osa_distance;
/// assert_eq!(osa_distance("DOLIPRANE", "DOLIPRNAE"), 1);
/// assert_eq!(osa_distance("CA", "ABC"), 3);
/// ```
pub fn osa_distance(a: &str, b: &str) -> usize {
    let (a, b) = strip_common_affixes(a, b);
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    OsaMatcher::new(short).distance(long)
}

/// The OSA distance if it is at most `max`, else `None`. Returns early when
/// the lengths alone or the distance reached part-way exclude a result
/// within `max`.
pub fn osa_distance_bounded(a: &str, b: &str, max: usize) -> Option<usize> {
    let (a, b) = strip_common_affixes(a, b);
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    OsaMatcher::new(short).distance_bounded(long, max)
}

/// OSA similarity, `1 − distance / max(char length)`, in `[0, 1]`; 1.0 for two
/// empty strings.
///
/// ```
/// use datamed::matching::osa::osa_similarity;
/// let s = osa_similarity(
///     "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion",
///     "ADRIBLASTINE 50 mg, poudre pour solution injectable en flacon",
/// );
/// assert!((s - 0.74).abs() < 0.005);
/// ```
pub fn osa_similarity(a: &str, b: &str) -> f64 {
    similarity(osa_distance(a, b), a.chars().count(), b.chars().count())
}

/// Similarity from a distance and the two lengths in characters:
/// `1 − distance / max(len_a, len_b)`, 1.0 when both are empty.
pub fn similarity(distance: usize, len_a: usize, len_b: usize) -> f64 {
    let longer = len_a.max(len_b);
    if longer == 0 {
        1.0
    } else {
        1.0 - distance as f64 / longer as f64
    }
}

/// Removes the common prefix and suffix of two strings: they never change
/// the OSA distance and cost nothing to skip.
fn strip_common_affixes<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    let prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    (&a[..a.len() - suffix], &b[..b.len() - suffix])
}

/// Blocks of bit vectors kept on the stack when scanning (512 characters).
const STACK_BLOCKS: usize = 8;

/// Row of the mask table used for characters absent from the pattern.
const ZERO_ROW: usize = 128;

/// A query pattern prepared for OSA comparisons against many texts: the
/// bit masks of its characters are computed once. Comparing with a text of
/// `n` characters then costs `n × ⌈m / 64⌉` word operations.
///
/// ```
/// use datamed::matching::osa::OsaMatcher;
/// let m = OsaMatcher::new("DOLIPRANNE 1000 MG");
/// assert_eq!(m.distance("DOLIPRANE 1000 MG"), 1);
/// assert_eq!(m.distance_bounded("PARACETAMOL", 3), None);
/// ```
#[derive(Debug, Clone)]
pub struct OsaMatcher {
    /// Pattern length in characters.
    len: usize,
    /// Number of 64-bit blocks per mask.
    blocks: usize,
    /// Masks, `blocks` words per row: rows 0..128 are ASCII characters,
    /// row 128 is all zeros, further rows are the pattern's other characters.
    masks: Vec<u64>,
    /// Non-ASCII characters of the pattern and their rows, sorted.
    others: Vec<(char, usize)>,
}

impl OsaMatcher {
    /// Prepares `pattern` (usually the query).
    pub fn new(pattern: &str) -> Self {
        let len = pattern.chars().count();
        let blocks = len.div_ceil(64).max(1);
        let mut others: Vec<(char, usize)> = Vec::new();
        for c in pattern.chars().filter(|c| !c.is_ascii()) {
            if let Err(at) = others.binary_search_by_key(&c, |&(k, _)| k) {
                others.insert(at, (c, 0));
            }
        }
        for (i, entry) in others.iter_mut().enumerate() {
            entry.1 = ZERO_ROW + 1 + i;
        }
        let mut matcher = OsaMatcher {
            len,
            blocks,
            masks: vec![0; (ZERO_ROW + 1 + others.len()) * blocks],
            others,
        };
        for (i, c) in pattern.chars().enumerate() {
            let at = matcher.row(c) * blocks + i / 64;
            matcher.masks[at] |= 1u64 << (i % 64);
        }
        matcher
    }

    /// Pattern length in characters.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for the empty pattern.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn row(&self, c: char) -> usize {
        if c.is_ascii() {
            c as usize
        } else {
            match self.others.binary_search_by_key(&c, |&(k, _)| k) {
                Ok(i) => self.others[i].1,
                Err(_) => ZERO_ROW,
            }
        }
    }

    /// OSA distance between the pattern and `text`.
    pub fn distance(&self, text: &str) -> usize {
        self.scan(text, |_, _| true)
    }

    /// OSA distance between the pattern and `text` if it is at most `max`.
    /// Stops as soon as the distance reached so far, less the characters
    /// left, exceeds `max` (each character changes the distance by at most
    /// one).
    pub fn distance_bounded(&self, text: &str, max: usize) -> Option<usize> {
        let n = char_len(text);
        if n.abs_diff(self.len) > max {
            return None;
        }
        let mut exceeded = false;
        let d = self.scan(text, |j, d| {
            exceeded = d > max + (n - j);
            !exceeded
        });
        (!exceeded && d <= max).then_some(d)
    }

    /// OSA similarity between the pattern and `text`.
    pub fn similarity(&self, text: &str) -> f64 {
        similarity(self.distance(text), self.len, char_len(text))
    }

    /// Compares the pattern with `text` and with each of its word prefixes
    /// (the text cut before a space) in one pass: the full distance, and the
    /// best similarity over the prefixes, whole text included.
    ///
    /// ```
    /// use datamed::matching::osa::OsaMatcher;
    /// let scan = OsaMatcher::new("DOLIPRANE").compare_with_prefixes("DOLIPRANE 1000 MG COMPRIME");
    /// assert_eq!(scan.distance, 17);
    /// assert_eq!(scan.best_prefix_similarity, 1.0);
    /// assert_eq!(scan.best_prefix_chars, 9);
    /// ```
    pub fn compare_with_prefixes(&self, text: &str) -> PrefixScan {
        let mut best = PrefixScan {
            distance: 0,
            text_chars: 0,
            best_prefix_similarity: f64::NEG_INFINITY,
            best_prefix_chars: 0,
        };
        let mut chars = text.chars().peekable();
        let consider = |j: usize, d: usize, best: &mut PrefixScan| {
            let s = similarity(d, self.len, j);
            if s > best.best_prefix_similarity {
                best.best_prefix_similarity = s;
                best.best_prefix_chars = j;
            }
        };
        let distance = self.scan(text, |j, d| {
            chars.next();
            if chars.peek() == Some(&' ') {
                consider(j, d, &mut best);
            }
            true
        });
        let n = char_len(text);
        consider(n, distance, &mut best);
        best.distance = distance;
        best.text_chars = n;
        best
    }

    /// Runs the bit-parallel recurrence over `text`, calling `step(j, d)`
    /// after the `j`-th character with `d` = distance between the pattern and
    /// the text's first `j` characters; `step` returns false to stop early
    /// (the value then returned is that partial distance).
    fn scan(&self, text: &str, step: impl FnMut(usize, usize) -> bool) -> usize {
        if self.len == 0 {
            let mut step = step;
            let mut j = 0;
            for _ in text.chars() {
                j += 1;
                if !step(j, j) {
                    break;
                }
            }
            j
        } else if self.blocks == 1 {
            self.scan_one_word(text, step)
        } else {
            self.scan_blocks(text, step)
        }
    }

    fn scan_one_word(&self, text: &str, mut step: impl FnMut(usize, usize) -> bool) -> usize {
        let last = 1u64 << (self.len - 1);
        let mut vp = !0u64;
        let mut vn = 0u64;
        let mut d0 = 0u64;
        let mut pm_old = 0u64;
        let mut dist = self.len;
        for (j, c) in text.chars().enumerate() {
            let pm = self.masks[self.row(c)];
            // Transposition: a match of the previous text character one
            // pattern position later, where the diagonal did not already
            // hold a zero.
            let tr = (((!d0) & pm) << 1) & pm_old;
            d0 = (((pm & vp).wrapping_add(vp)) ^ vp) | pm | vn | tr;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            dist += usize::from(hp & last != 0);
            dist -= usize::from(hn & last != 0);
            let hp = (hp << 1) | 1;
            let hn = hn << 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            pm_old = pm;
            if !step(j + 1, dist) {
                break;
            }
        }
        dist
    }

    fn scan_blocks(&self, text: &str, mut step: impl FnMut(usize, usize) -> bool) -> usize {
        let words = self.blocks;
        let last = 1u64 << ((self.len - 1) % 64);
        // Per block: VP, VN, D0 and the previous column's mask. On the stack
        // for patterns up to 512 characters, the longest referential names.
        const INITIAL: [u64; 4] = [!0, 0, 0, 0];
        let mut on_stack = [INITIAL; STACK_BLOCKS];
        let mut on_heap = Vec::new();
        let state: &mut [[u64; 4]] = if words <= STACK_BLOCKS {
            &mut on_stack[..words]
        } else {
            on_heap.resize(words, INITIAL);
            &mut on_heap
        };
        let mut dist = self.len;
        for (j, c) in text.chars().enumerate() {
            let masks = &self.masks[self.row(c) * words..][..words];
            let mut hp_carry = 1u64;
            let mut hn_carry = 0u64;
            // Previous column's D0 and this column's mask of the block
            // below, for transpositions across the block boundary.
            let mut d0_below_old = 0u64;
            let mut pm_below = 0u64;
            let (mut last_hp, mut last_hn) = (0u64, 0u64);
            for (block, &pm) in state.iter_mut().zip(masks) {
                let [vp, vn, d0, pm_old] = *block;
                let tr = ((((!d0) & pm) << 1) | (((!d0_below_old) & pm_below) >> 63)) & pm_old;
                let x = pm | hn_carry;
                let d0_new = (((x & vp).wrapping_add(vp)) ^ vp) | x | vn | tr;
                let hp = vn | !(d0_new | vp);
                let hn = d0_new & vp;
                let hp_shifted = (hp << 1) | hp_carry;
                hp_carry = hp >> 63;
                let hn_shifted = (hn << 1) | hn_carry;
                hn_carry = hn >> 63;
                *block = [
                    hn_shifted | !(d0_new | hp_shifted),
                    hp_shifted & d0_new,
                    d0_new,
                    pm,
                ];
                d0_below_old = d0;
                pm_below = pm;
                (last_hp, last_hn) = (hp, hn);
            }
            // The last block holds the pattern's last row: its horizontal
            // deltas move the distance.
            dist += usize::from(last_hp & last != 0);
            dist -= usize::from(last_hn & last != 0);
            if !step(j + 1, dist) {
                break;
            }
        }
        dist
    }
}

/// Result of [`OsaMatcher::compare_with_prefixes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrefixScan {
    /// OSA distance between the pattern and the whole text.
    pub distance: usize,
    /// Length of the text in characters.
    pub text_chars: usize,
    /// Best similarity between the pattern and a word prefix of the text
    /// (the whole text counts as a prefix), ties going to the shortest.
    pub best_prefix_similarity: f64,
    /// Length in characters of that best prefix.
    pub best_prefix_chars: usize,
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Textbook dynamic programme, a second oracle besides strsim.
    fn osa_dp(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn hand_examples() {
        let cases = [
            ("", "", 0),
            ("", "ABC", 3),
            ("ABC", "", 3),
            ("ABC", "ABC", 0),
            ("ABC", "ACB", 1),
            ("CA", "ABC", 3),
            ("DOLIPRANE", "DOLIPRANNE", 1),
            ("AMOXICILLINE", "AMOXICILINE", 1),
            ("PARACETAMOL", "PARACETMAOL", 1),
            ("éa", "aé", 1),
            ("kitten", "sitting", 3),
        ];
        for (a, b, want) in cases {
            assert_eq!(osa_distance(a, b), want, "{a:?} vs {b:?}");
            assert_eq!(osa_distance(b, a), want, "{b:?} vs {a:?}");
            assert_eq!(strsim::osa_distance(a, b), want);
        }
    }

    #[test]
    fn agency_worked_example_holds_raw_and_upper_cased() {
        let query = "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion";
        let powder = "ADRIBLASTINE 50 mg, poudre pour solution injectable en flacon";
        let solution = "ADRIBLASTINE 50 mg/25 ml, solution injectable pour perfusion en flacon";
        let round = |x: f64| (x * 100.0).round() / 100.0;
        // On the strings as written in CODEX/BDPM (formats.md)...
        assert_eq!(osa_distance(query, powder), 16);
        assert_eq!(osa_distance(query, solution), 33);
        assert_eq!(round(osa_similarity(query, powder)), 0.74);
        assert_eq!(round(osa_similarity(query, solution)), 0.53);
        // ...and equally once upper-cased: the case is the same on both sides.
        let up = |s: &str| s.to_uppercase();
        assert_eq!(round(osa_similarity(&up(query), &up(powder))), 0.74);
        assert_eq!(round(osa_similarity(&up(query), &up(solution))), 0.53);
        // Fully normalised (punctuation dropped), the order is the same.
        let n = crate::normalize::normalize_name;
        let p = osa_similarity(&n(query), &n(powder));
        let s = osa_similarity(&n(query), &n(solution));
        assert!(
            p > s && (0.70..0.80).contains(&p) && (0.45..0.60).contains(&s),
            "{p} {s}"
        );
    }

    #[test]
    fn similarity_edges() {
        assert_eq!(osa_similarity("", ""), 1.0);
        assert_eq!(osa_similarity("A", ""), 0.0);
        assert_eq!(osa_similarity("AB", "AB"), 1.0);
        assert_eq!(similarity(1, 4, 2), 0.75);
    }

    #[test]
    fn long_patterns_use_blocks() {
        let a =
            "ADRIBLASTINE 200 mg/100 ml, solution injectable pour perfusion en flacon, boîte de 1";
        let b =
            "ADRIBLASTINE 200 mg/100 ml, solution injectable pour perfsuion en flacon, boite de 1";
        assert!(a.chars().count() > 64);
        assert_eq!(osa_distance(a, b), strsim::osa_distance(a, b));
        let m = OsaMatcher::new(a);
        assert_eq!(m.distance(b), strsim::osa_distance(a, b));
        // Transposition exactly across the block boundary (positions 63, 64).
        let base: String = "X".repeat(63) + "AB" + &"Y".repeat(70);
        let swapped: String = "X".repeat(63) + "BA" + &"Y".repeat(70);
        assert_eq!(OsaMatcher::new(&base).distance(&swapped), 1);
        assert_eq!(OsaMatcher::new(&base).distance(&base), 0);
    }

    #[test]
    fn bounded_and_prefixes() {
        let m = OsaMatcher::new("AMOXICILINE BIOGARAN 500");
        assert_eq!(m.distance_bounded("AMOXICILLINE BIOGARAN 500", 1), Some(1));
        assert_eq!(m.distance_bounded("AMOXICILLINE BIOGARAN 500", 0), None);
        assert_eq!(
            m.distance_bounded("PARACETAMOL", 30),
            Some(m.distance("PARACETAMOL"))
        );
        let scan = m.compare_with_prefixes("AMOXICILLINE BIOGARAN 500 MG GELULE");
        assert_eq!(scan.distance, 11);
        assert_eq!(scan.best_prefix_chars, 25);
        assert!((scan.best_prefix_similarity - (1.0 - 1.0 / 25.0)).abs() < 1e-12);
        let empty = OsaMatcher::new("");
        assert!(empty.is_empty());
        assert_eq!(empty.distance("ABC"), 3);
        assert_eq!(empty.compare_with_prefixes("").best_prefix_similarity, 1.0);
    }

    fn small_alphabet_string(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!['A', 'B', 'C', ' ', 'é', '字']),
            0..max,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    /// Pairs where the second is the first with a few local edits,
    /// transpositions included, so distances stay small and interesting.
    fn edited_pair(max: usize) -> impl Strategy<Value = (String, String)> {
        (
            small_alphabet_string(max),
            prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    0u8..4,
                    prop::sample::select(vec!['A', 'B', 'Z', 'é']),
                ),
                0..6,
            ),
        )
            .prop_map(|(s, edits)| {
                let mut v: Vec<char> = s.chars().collect();
                for (at, kind, c) in edits {
                    if v.is_empty() {
                        v.push(c);
                        continue;
                    }
                    let i = at.index(v.len());
                    match kind {
                        0 => v.insert(i, c),
                        1 => {
                            v.remove(i);
                        }
                        2 => v[i] = c,
                        _ => {
                            if i + 1 < v.len() {
                                v.swap(i, i + 1);
                            }
                        }
                    }
                }
                (s, v.into_iter().collect())
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn equals_strsim_on_any_unicode(a in ".{0,80}", b in ".{0,80}") {
            let want = strsim::osa_distance(&a, &b);
            prop_assert_eq!(osa_distance(&a, &b), want);
            prop_assert_eq!(OsaMatcher::new(&a).distance(&b), want);
            prop_assert_eq!(OsaMatcher::new(&b).distance(&a), want);
        }

        #[test]
        fn equals_strsim_on_small_alphabets(a in small_alphabet_string(200), b in small_alphabet_string(200)) {
            let want = strsim::osa_distance(&a, &b);
            prop_assert_eq!(OsaMatcher::new(&a).distance(&b), want);
            prop_assert_eq!(OsaMatcher::new(&b).distance(&a), want);
            prop_assert_eq!(osa_distance(&a, &b), want);
        }

        #[test]
        fn equals_strsim_on_edited_pairs((a, b) in edited_pair(300)) {
            let want = strsim::osa_distance(&a, &b);
            prop_assert_eq!(want, osa_dp(&a, &b));
            prop_assert_eq!(OsaMatcher::new(&a).distance(&b), want);
            prop_assert_eq!(OsaMatcher::new(&b).distance(&a), want);
            for max in [0, 1, 2, 5] {
                let bounded = osa_distance_bounded(&a, &b, max);
                prop_assert_eq!(bounded, (want <= max).then_some(want));
                let m = OsaMatcher::new(&a).distance_bounded(&b, max);
                prop_assert_eq!(m, (want <= max).then_some(want));
            }
        }

        #[test]
        fn prefix_scan_matches_direct_prefixes(a in small_alphabet_string(90), b in small_alphabet_string(90)) {
            let m = OsaMatcher::new(&a);
            let scan = m.compare_with_prefixes(&b);
            prop_assert_eq!(scan.distance, strsim::osa_distance(&a, &b));
            let chars: Vec<char> = b.chars().collect();
            let mut best = f64::NEG_INFINITY;
            let mut best_len = 0;
            for j in 1..chars.len() {
                if chars[j] == ' ' {
                    let p: String = chars[..j].iter().collect();
                    let s = osa_similarity(&a, &p);
                    if s > best { best = s; best_len = j; }
                }
            }
            let s = osa_similarity(&a, &b);
            if s > best { best = s; best_len = chars.len(); }
            prop_assert!((scan.best_prefix_similarity - best).abs() < 1e-12);
            prop_assert_eq!(scan.best_prefix_chars, best_len);
        }

        #[test]
        fn similarity_in_unit_range(a in ".{0,70}", b in ".{0,70}") {
            let s = osa_similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
        }
    }
}
