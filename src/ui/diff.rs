//! The character diff a reviewer reads under each candidate: the typed name
//! and the candidate's name, both normalised, aligned column by column by an
//! Optimal String Alignment (edits, insertions, deletions and swaps of two
//! neighbours), so that "DOLIPRANNE" against "DOLIPRANE" shows one extra N
//! and nothing else. Pure functions; computed when the selection changes,
//! never per frame.

/// How one column of the alignment compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// The same character on both sides.
    Same,
    /// A different character on each side.
    Changed,
    /// Two neighbouring characters swapped.
    Swapped,
    /// A character of the typed name only.
    TypedOnly,
    /// A character of the candidate only.
    CandidateOnly,
}

/// One column: a character of each side (none for a gap) and how they
/// compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Character of the typed name, if any.
    pub typed: Option<char>,
    /// Character of the candidate, if any.
    pub candidate: Option<char>,
    /// How they compare.
    pub op: Op,
}

/// Names longer than this (in characters) are compared without alignment:
/// the cost grows with the product of the lengths.
const MAX_ALIGNED: usize = 400;

/// Aligns `typed` and `candidate` character by character (OSA).
pub fn align(typed: &str, candidate: &str) -> Vec<Column> {
    let a: Vec<char> = typed.chars().collect();
    let b: Vec<char> = candidate.chars().collect();
    if a.len() > MAX_ALIGNED || b.len() > MAX_ALIGNED {
        return naive(&a, &b);
    }
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    let mut d = vec![0usize; (n + 1) * width];
    for i in 0..=n {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(m + 1) {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1
                && j > 1
                && a[i - 1] == b[j - 2]
                && a[i - 2] == b[j - 1]
                && a[i - 1] != b[j - 1]
            {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    let mut columns = Vec::with_capacity(n.max(m) + 2);
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = d[i * width + j];
        if i > 0 && j > 0 {
            let same = a[i - 1] == b[j - 1];
            if here == d[(i - 1) * width + j - 1] + usize::from(!same) {
                columns.push(Column {
                    typed: Some(a[i - 1]),
                    candidate: Some(b[j - 1]),
                    op: if same { Op::Same } else { Op::Changed },
                });
                i -= 1;
                j -= 1;
                continue;
            }
            if i > 1
                && j > 1
                && a[i - 1] == b[j - 2]
                && a[i - 2] == b[j - 1]
                && here == d[(i - 2) * width + j - 2] + 1
            {
                for k in 0..2 {
                    columns.push(Column {
                        typed: Some(a[i - 1 - k]),
                        candidate: Some(b[j - 1 - k]),
                        op: Op::Swapped,
                    });
                }
                i -= 2;
                j -= 2;
                continue;
            }
        }
        if i > 0 && here == d[(i - 1) * width + j] + 1 {
            columns.push(Column {
                typed: Some(a[i - 1]),
                candidate: None,
                op: Op::TypedOnly,
            });
            i -= 1;
        } else if j > 0 {
            columns.push(Column {
                typed: None,
                candidate: Some(b[j - 1]),
                op: Op::CandidateOnly,
            });
            j -= 1;
        } else {
            // Unreachable by construction; keeps the loop total.
            columns.push(Column {
                typed: Some(a[i - 1]),
                candidate: None,
                op: Op::TypedOnly,
            });
            i -= 1;
        }
    }
    columns.reverse();
    columns
}

/// Position by position, for names too long to align.
fn naive(a: &[char], b: &[char]) -> Vec<Column> {
    (0..a.len().max(b.len()))
        .map(|k| {
            let (x, y) = (a.get(k).copied(), b.get(k).copied());
            Column {
                typed: x,
                candidate: y,
                op: match (x, y) {
                    (Some(x), Some(y)) if x == y => Op::Same,
                    (Some(_), Some(_)) => Op::Changed,
                    (Some(_), None) => Op::TypedOnly,
                    _ => Op::CandidateOnly,
                },
            }
        })
        .collect()
}

/// How many columns differ.
pub fn differences(columns: &[Column]) -> usize {
    columns.iter().filter(|c| c.op != Op::Same).count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn sides(columns: &[Column]) -> (String, String) {
        let show = |c: Option<char>| c.unwrap_or('·');
        (
            columns.iter().map(|c| show(c.typed)).collect(),
            columns.iter().map(|c| show(c.candidate)).collect(),
        )
    }

    #[test]
    fn an_extra_letter_is_one_gap() {
        let cols = align("DOLIPRANNE 1000", "DOLIPRANE 1000");
        assert_eq!(differences(&cols), 1);
        let (t, c) = sides(&cols);
        assert_eq!(t, "DOLIPRANNE 1000");
        assert_eq!(c.chars().filter(|c| *c == '·').count(), 1);
    }

    #[test]
    fn a_swap_is_marked_as_such() {
        let cols = align("PARACETMAOL", "PARACETAMOL");
        assert!(cols.iter().any(|c| c.op == Op::Swapped));
        assert_eq!(cols.len(), 11);
    }

    #[test]
    fn identical_and_empty_names() {
        assert_eq!(differences(&align("ASPIRINE", "ASPIRINE")), 0);
        assert!(align("", "").is_empty());
        let cols = align("", "AB");
        assert_eq!(cols.len(), 2);
        assert!(cols.iter().all(|c| c.op == Op::CandidateOnly));
    }

    #[test]
    fn the_alignment_keeps_every_character_in_order() {
        let (a, b) = ("KARDEGIC 75MG PDR", "KARDEGIC 75 MG, POUDRE");
        let cols = align(a, b);
        let typed: String = cols.iter().filter_map(|c| c.typed).collect();
        let cand: String = cols.iter().filter_map(|c| c.candidate).collect();
        assert_eq!(typed, a);
        assert_eq!(cand, b);
    }
}
