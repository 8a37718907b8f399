//! In-memory candidate index over the referential's normalised names. This
//! module owns candidate generation: given a normalised query, find the few
//! referential names worth comparing closely, among tens of thousands, in a
//! fraction of a millisecond, tolerating typos anywhere, the first word
//! included ("DOLIPRANNE 1000 MG COMPRIME", "AMOXICILINE BIOGARAN 500").
//!
//! Two keys retrieve candidates:
//! - character trigrams of the padded name (" DOLIPRANE 1000 " gives " DO",
//!   "DOL", …, "00 "), with posting lists. A query's trigrams are visited
//!   from the rarest, within a budget of postings so that very common
//!   trigrams ("MG ", "COM") cannot make a query slow; the entries sharing
//!   the most visited trigrams are kept;
//! - the first word (the agency's key): entries whose first word equals the
//!   query's, or is within a typo or two of it (found through a small
//!   trigram index over the distinct first words), sharing the query's first
//!   number when it has one.
//!
//! Candidates are then re-ranked by OSA, computed once per candidate with a
//! precomputed [`OsaMatcher`], in one pass giving the similarity to the
//! whole name and to each of its word prefixes (so that "DOLIPRANE" finds
//! "DOLIPRANE 1000 MG COMPRIME"), blended with the similarity of the first
//! words (the brand matters most). See [`Hit::score`].

use std::collections::HashMap;

use crate::matching::osa::{OsaMatcher, similarity};
use crate::normalize::{first_number, first_word};

/// Weight of the word-prefix similarity against the full-name similarity in
/// [`Hit::score`]: a short query that is exactly the start of a long name
/// ("DOLIPRANE" in "DOLIPRANE 1000 MG COMPRIME") has a name part of 0.9,
/// below an exact full match (1.0) but above names that merely resemble it.
pub const PREFIX_WEIGHT: f64 = 0.9;

/// Weight of the first-word similarity in [`Hit::score`]. The first word
/// is the brand (or the substance): the agency's cascade requires it equal,
/// and a name sharing a long tail with the query ("… 500 MG POUDRE POUR
/// SOLUTION POUR PERFUSION") but another brand must rank below the right
/// brand with a slightly different form.
pub const FIRST_WORD_WEIGHT: f64 = 0.3;

/// Entries kept from the trigram count before re-ranking by OSA.
const TRIGRAM_CANDIDATES: usize = 128;

/// Entries kept from the first-word key before re-ranking by OSA.
const WORD_CANDIDATES: usize = 256;

/// Postings visited per query before the remaining (most common) trigrams
/// are skipped; the rarest few trigrams are always visited.
const POSTING_BUDGET: usize = 20_000;

/// Trigrams always visited, whatever the budget.
const MIN_TRIGRAMS: usize = 3;

/// Similarity from which a referential first word is taken as the query's
/// first word mistyped: the same threshold as for brands in features.
const FIRST_WORD_SIMILAR: f64 = crate::matching::features::BRAND_SIMILAR;

/// One candidate name for a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The entry id given at build time.
    pub id: u32,
    /// OSA similarity between the query and the whole name.
    pub similarity: f64,
    /// Best OSA similarity between the query and a word prefix of the name
    /// (the name cut before a space, the whole name included): 1.0 for
    /// "DOLIPRANE" against "DOLIPRANE 1000 MG COMPRIME".
    pub prefix_similarity: f64,
    /// OSA similarity between the first words of query and name.
    pub first_word_similarity: f64,
    /// Dice coefficient of the trigram sets of query and name.
    pub overlap: f64,
    /// Ranking score, in `[0, 1]`:
    /// `(1 − FIRST_WORD_WEIGHT) × max(similarity, PREFIX_WEIGHT ×
    /// prefix_similarity) + FIRST_WORD_WEIGHT × first_word_similarity`.
    /// Hits are sorted by score, then similarity, then overlap, then id.
    pub score: f64,
}

/// A trigram packed into an integer: three Unicode scalar values of 21 bits.
type Gram = u64;

/// Posting lists in one flat array: the list of key `k` is
/// `items[offsets[k]..offsets[k + 1]]`.
#[derive(Debug, Clone, Default)]
struct Postings {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Postings {
    /// Builds from (key, item) pairs; items come out sorted within a key.
    fn build(keys: usize, mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.sort_unstable();
        pairs.dedup();
        let mut offsets = vec![0u32; keys + 1];
        for &(k, _) in &pairs {
            offsets[k as usize + 1] += 1;
        }
        for k in 0..keys {
            offsets[k + 1] += offsets[k];
        }
        Postings {
            offsets,
            items: pairs.into_iter().map(|(_, item)| item).collect(),
        }
    }

    fn list(&self, key: u32) -> &[u32] {
        let k = key as usize;
        match (self.offsets.get(k), self.offsets.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// The distinct trigrams of `text` padded with one space on each side,
/// sorted. Empty text has none.
fn trigrams(text: &str) -> Vec<Gram> {
    if text.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = std::iter::once(' ')
        .chain(text.chars())
        .chain(std::iter::once(' '))
        .collect();
    let mut grams: Vec<Gram> = chars
        .windows(3)
        .map(|w| (u64::from(w[0]) << 42) | (u64::from(w[1]) << 21) | u64::from(w[2]))
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

#[derive(Debug, Clone)]
struct Entry {
    id: u32,
    name: Box<str>,
}

/// The candidate index over normalised referential names.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    entries: Vec<Entry>,
    /// Trigram → dense trigram number.
    gram_ids: HashMap<Gram, u32>,
    /// Dense trigram number → entries containing it.
    gram_postings: Postings,
    /// Entry → its dense trigram numbers, sorted (for exact overlaps).
    entry_grams: Postings,
    /// Distinct first words, and for each the entries starting with it,
    /// shortest names first.
    first_words: Vec<Box<str>>,
    first_word_ids: HashMap<Box<str>, u32>,
    first_word_entries: Postings,
    /// Trigram of a first word → first words containing it.
    word_gram_postings: HashMap<Gram, Vec<u32>>,
}

impl NameIndex {
    /// Builds the index from (entry id, normalised name) pairs, names as
    /// given by [`crate::normalize::normalize_name`]. An id may appear with
    /// several names (variants, former names); a search then returns it
    /// once, with its best-scoring name.
    pub fn build(names: &[(u32, &str)]) -> Self {
        let entries: Vec<Entry> = names
            .iter()
            .map(|&(id, name)| Entry {
                id,
                name: name.into(),
            })
            .collect();

        let mut gram_ids: HashMap<Gram, u32> = HashMap::new();
        let mut gram_pairs: Vec<(u32, u32)> = Vec::new();
        let mut entry_pairs: Vec<(u32, u32)> = Vec::new();
        for (e, entry) in (0u32..).zip(&entries) {
            for g in trigrams(&entry.name) {
                let next = u32::try_from(gram_ids.len()).unwrap_or(u32::MAX);
                let gid = *gram_ids.entry(g).or_insert(next);
                gram_pairs.push((gid, e));
                entry_pairs.push((e, gid));
            }
        }
        let gram_postings = Postings::build(gram_ids.len(), gram_pairs);
        let entry_grams = Postings::build(entries.len(), entry_pairs);

        let mut first_words: Vec<Box<str>> = Vec::new();
        let mut first_word_ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut word_pairs: Vec<(u32, u32)> = Vec::new();
        let mut by_length: Vec<u32> =
            (0..u32::try_from(entries.len()).unwrap_or(u32::MAX)).collect();
        // Shortest names first within each word, so that a capped list
        // keeps the names a short query is most likely to mean.
        by_length.sort_by_key(|&e| (entries[e as usize].name.len(), e));
        let mut rank = vec![0u32; entries.len()];
        for (r, &e) in (0u32..).zip(&by_length) {
            rank[e as usize] = r;
        }
        for (e, entry) in (0u32..).zip(&entries) {
            let Some(word) = first_word(&entry.name) else {
                continue;
            };
            let wid = match first_word_ids.get(word) {
                Some(&w) => w,
                None => {
                    let w = u32::try_from(first_words.len()).unwrap_or(u32::MAX);
                    first_words.push(word.into());
                    first_word_ids.insert(word.into(), w);
                    w
                }
            };
            word_pairs.push((wid, rank[e as usize]));
        }
        let mut first_word_entries = Postings::build(first_words.len(), word_pairs);
        for item in &mut first_word_entries.items {
            *item = by_length[*item as usize];
        }
        let mut word_gram_postings: HashMap<Gram, Vec<u32>> = HashMap::new();
        for (w, word) in (0u32..).zip(&first_words) {
            for g in trigrams(word) {
                word_gram_postings.entry(g).or_default().push(w);
            }
        }

        NameIndex {
            entries,
            gram_ids,
            gram_postings,
            entry_grams,
            first_words,
            first_word_ids,
            first_word_entries,
            word_gram_postings,
        }
    }

    /// Number of (id, name) entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when built from no names.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The (id, name) entries whose first word is exactly `word`, shortest
    /// names first: the agency's first-word key.
    pub fn with_first_word(&self, word: &str) -> Vec<(u32, &str)> {
        match self.first_word_ids.get(word) {
            Some(&w) => self
                .first_word_entries
                .list(w)
                .iter()
                .map(|&e| {
                    let entry = &self.entries[e as usize];
                    (entry.id, &*entry.name)
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// Distinct first words of the referential whose OSA similarity with
    /// `word` is at least `min_similarity`, best first (ties by word): a
    /// mistyped brand's likely spellings.
    pub fn similar_first_words(&self, word: &str, min_similarity: f64) -> Vec<(&str, f64)> {
        let grams = trigrams(word);
        let mut shared = vec![0u16; self.first_words.len()];
        let mut touched: Vec<u32> = Vec::new();
        for g in &grams {
            if let Some(list) = self.word_gram_postings.get(g) {
                for &w in list {
                    let count = &mut shared[w as usize];
                    if *count == 0 {
                        touched.push(w);
                    }
                    *count = count.saturating_add(1);
                }
            }
        }
        // Similarity s needs at most (1 − s) × len / s edits; a single edit
        // changes at most four trigrams of a padded word (a transposition
        // touches four windows) and the length by one. Words that cannot
        // reach the similarity are skipped before the exact check.
        let len = word.chars().count();
        let max_edits = if min_similarity > 0.0 {
            ((1.0 - min_similarity) * len as f64 / min_similarity).floor() as usize
        } else {
            usize::MAX
        };
        let needed = grams
            .len()
            .saturating_sub(max_edits.saturating_mul(4))
            .max(1);
        let matcher = OsaMatcher::new(word);
        let mut out: Vec<(&str, f64)> = touched
            .into_iter()
            .filter(|&w| usize::from(shared[w as usize]) >= needed)
            .filter_map(|w| {
                let candidate = &*self.first_words[w as usize];
                if candidate.chars().count().abs_diff(len) > max_edits {
                    return None;
                }
                let s = matcher.similarity(candidate);
                (s >= min_similarity).then_some((candidate, s))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        out
    }

    /// The `k` best names for a normalised query, best first, at most one
    /// hit per id. Candidates come from the trigram and first-word keys and
    /// are ranked by [`Hit::score`]. An empty query finds nothing.
    pub fn search(&self, query_norm: &str, k: usize) -> Vec<Hit> {
        let query = query_norm.trim();
        if query.is_empty() || k == 0 || self.entries.is_empty() {
            return Vec::new();
        }
        let query_grams = trigrams(query);
        let mut counts = vec![0u16; self.entries.len()];
        let mut touched: Vec<u32> = Vec::new();
        self.count_trigrams(&query_grams, &mut counts, &mut touched);

        let mut candidates = top_by_count(&counts, &touched, TRIGRAM_CANDIDATES);
        // Mark the chosen ones so the word key does not add them twice.
        for &e in &candidates {
            counts[e as usize] = u16::MAX;
        }
        for e in self.first_word_candidates(query) {
            if counts[e as usize] != u16::MAX {
                counts[e as usize] = u16::MAX;
                candidates.push(e);
            }
        }

        let mut query_gram_ids: Vec<u32> = query_grams
            .iter()
            .filter_map(|g| self.gram_ids.get(g).copied())
            .collect();
        query_gram_ids.sort_unstable();
        let matcher = OsaMatcher::new(query);
        let word_matcher = OsaMatcher::new(first_word(query).unwrap_or(""));
        let mut hits: Vec<Hit> = candidates
            .iter()
            .map(|&e| {
                let entry = &self.entries[e as usize];
                let scan = matcher.compare_with_prefixes(&entry.name);
                let sim = similarity(scan.distance, matcher.len(), scan.text_chars);
                let prefix = scan.best_prefix_similarity.max(sim);
                let entry_grams = self.entry_grams.list(e);
                let shared = sorted_intersection(&query_gram_ids, entry_grams);
                let total = query_grams.len() + entry_grams.len();
                let overlap = if total == 0 {
                    0.0
                } else {
                    2.0 * shared as f64 / total as f64
                };
                let word_sim = word_matcher.similarity(first_word(&entry.name).unwrap_or(""));
                Hit {
                    id: entry.id,
                    similarity: sim,
                    prefix_similarity: prefix,
                    first_word_similarity: word_sim,
                    overlap,
                    score: score(sim, prefix, word_sim),
                }
            })
            .collect();
        hits.sort_by(compare_hits);
        let mut seen: Vec<u32> = Vec::with_capacity(k);
        hits.retain(|h| {
            if seen.len() >= k || seen.contains(&h.id) {
                false
            } else {
                seen.push(h.id);
                true
            }
        });
        hits
    }

    /// Adds to `counts` one per query trigram found in each entry, visiting
    /// trigrams from the rarest and stopping when the posting budget is
    /// spent (after at least [`MIN_TRIGRAMS`]).
    fn count_trigrams(&self, query_grams: &[Gram], counts: &mut [u16], touched: &mut Vec<u32>) {
        let mut lists: Vec<&[u32]> = query_grams
            .iter()
            .filter_map(|g| self.gram_ids.get(g))
            .map(|&gid| self.gram_postings.list(gid))
            .collect();
        lists.sort_by_key(|l| l.len());
        let mut spent = 0usize;
        for (i, list) in lists.iter().enumerate() {
            if i >= MIN_TRIGRAMS && spent + list.len() > POSTING_BUDGET {
                break;
            }
            spent += list.len();
            for &e in *list {
                let c = &mut counts[e as usize];
                if *c == 0 {
                    touched.push(e);
                }
                *c = c.saturating_add(1);
            }
        }
    }

    /// Entries whose first word is the query's or a close spelling of it,
    /// restricted to those sharing the query's first number when the query
    /// has one and some do; at most [`WORD_CANDIDATES`], exact word first.
    fn first_word_candidates(&self, query: &str) -> Vec<u32> {
        let Some(word) = first_word(query) else {
            return Vec::new();
        };
        let number = first_number(query);
        let mut words: Vec<u32> = Vec::new();
        if let Some(&w) = self.first_word_ids.get(word) {
            words.push(w);
        }
        for (similar, _) in self.similar_first_words(word, FIRST_WORD_SIMILAR) {
            if let Some(&w) = self.first_word_ids.get(similar)
                && !words.contains(&w)
            {
                words.push(w);
            }
        }
        let all: Vec<u32> = words
            .iter()
            .flat_map(|&w| self.first_word_entries.list(w).iter().copied())
            .collect();
        let same_number: Vec<u32> = match number {
            Some(n) => all
                .iter()
                .copied()
                .filter(|&e| first_number(&self.entries[e as usize].name) == Some(n))
                .collect(),
            None => Vec::new(),
        };
        let mut chosen = if same_number.is_empty() {
            all
        } else {
            same_number
        };
        chosen.truncate(WORD_CANDIDATES);
        chosen
    }
}

/// The ranking score of [`Hit::score`].
fn score(similarity: f64, prefix_similarity: f64, first_word_similarity: f64) -> f64 {
    (1.0 - FIRST_WORD_WEIGHT) * similarity.max(PREFIX_WEIGHT * prefix_similarity)
        + FIRST_WORD_WEIGHT * first_word_similarity
}

/// Orders hits best first: score, similarity, overlap descending, id
/// ascending, so that results are deterministic.
fn compare_hits(a: &Hit, b: &Hit) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| b.similarity.total_cmp(&a.similarity))
        .then_with(|| b.overlap.total_cmp(&a.overlap))
        .then_with(|| a.id.cmp(&b.id))
}

/// The `n` touched entries with the highest counts (ties: first touched
/// first, which is deterministic: posting lists are sorted), in two passes
/// over the touched entries and none over the whole index.
fn top_by_count(counts: &[u16], touched: &[u32], n: usize) -> Vec<u32> {
    if touched.len() <= n {
        return touched.to_vec();
    }
    let max = touched
        .iter()
        .map(|&e| counts[e as usize])
        .max()
        .unwrap_or(0) as usize;
    let mut histogram = vec![0usize; max + 1];
    for &e in touched {
        histogram[counts[e as usize] as usize] += 1;
    }
    // Lowest count that still fits: everything above it is taken, and as
    // many entries of exactly that count as room allows.
    let mut threshold = max;
    let mut above = 0;
    while threshold > 0 && above + histogram[threshold] < n {
        above += histogram[threshold];
        threshold -= 1;
    }
    let mut room_at_threshold = n - above;
    let mut out = Vec::with_capacity(n);
    for &e in touched {
        let c = counts[e as usize] as usize;
        if c > threshold {
            out.push(e);
        } else if c == threshold && room_at_threshold > 0 {
            room_at_threshold -= 1;
            out.push(e);
        }
    }
    out
}

/// Size of the intersection of two sorted lists.
fn sorted_intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
