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
mod tests {
    use super::*;
    use crate::normalize::normalize_name;
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    fn small_index() -> (NameIndex, Vec<String>) {
        let raw = [
            "DOLIPRANE 1000 mg, comprimé",
            "DOLIPRANE 1000 mg, comprimé effervescent sécable",
            "DOLIPRANE 500 mg, gélule",
            "DOLIPRANETABS 1000 mg, comprimé pelliculé",
            "DAFALGAN 1 g, comprimé",
            "AMOXICILLINE BIOGARAN 500 mg, gélule",
            "AMOXICILLINE BIOGARAN 1 g, comprimé dispersible",
            "AMOXICILLINE ARROW 500 mg, gélule",
            "PARACETAMOL",
            "ACETAMINOPHENE",
        ];
        let names: Vec<String> = raw.iter().map(|r| normalize_name(r)).collect();
        let pairs: Vec<(u32, &str)> = (0u32..).zip(names.iter().map(String::as_str)).collect();
        (NameIndex::build(&pairs), names)
    }

    #[test]
    fn finds_exact_and_mistyped_names() {
        let (index, _) = small_index();
        assert_eq!(index.len(), 10);
        let hits = index.search("DOLIPRANE 1000 MG COMPRIME", 3);
        assert_eq!(hits[0].id, 0);
        assert_eq!(hits[0].similarity, 1.0);
        let hits = index.search(&normalize_name("DOLIPRANNE 1000MG CPR"), 3);
        assert_eq!(hits[0].id, 0);
        let hits = index.search(&normalize_name("AMOXICILINE BIOGARAN 500"), 3);
        assert_eq!(hits[0].id, 5, "{hits:?}");
        let hits = index.search("ACETAMINOPHEN", 1);
        assert_eq!(hits[0].id, 9);
    }

    #[test]
    fn short_query_finds_long_names_by_prefix() {
        let (index, _) = small_index();
        let hits = index.search("DOLIPRANE", 4);
        assert_eq!(hits.len(), 4);
        for h in &hits[..3] {
            assert!([0, 1, 2].contains(&h.id), "{hits:?}");
            assert_eq!(h.prefix_similarity, 1.0);
            assert_eq!(h.first_word_similarity, 1.0);
            assert!(
                (h.score - (1.0 - FIRST_WORD_WEIGHT) * PREFIX_WEIGHT - FIRST_WORD_WEIGHT).abs()
                    < 1e-12
            );
        }
        assert_eq!(
            hits[3].id, 3,
            "DOLIPRANETABS comes after the DOLIPRANE names"
        );
    }

    #[test]
    fn scores_are_consistent() {
        let (index, _) = small_index();
        for q in ["DOLIPRANE", "AMOXICILLINE", "X", "PARACETAMOL 500 MG"] {
            let hits = index.search(q, 10);
            for w in hits.windows(2) {
                assert!(compare_hits(&w[0], &w[1]).is_le());
            }
            for h in &hits {
                assert!(h.prefix_similarity >= h.similarity);
                assert!((0.0..=1.0).contains(&h.overlap));
                let want = score(h.similarity, h.prefix_similarity, h.first_word_similarity);
                assert_eq!(h.score, want);
                assert!((0.0..=1.0).contains(&h.score));
            }
        }
        assert!(index.search("", 5).is_empty());
        assert!(index.search("DOLIPRANE", 0).is_empty());
        assert!(NameIndex::build(&[]).search("DOLIPRANE", 5).is_empty());
    }

    #[test]
    fn one_hit_per_id() {
        let index = NameIndex::build(&[
            (7, "PARACETAMOL"),
            (7, "ACETAMINOPHENE"),
            (8, "PARACETAMOL CODEINE"),
        ]);
        let hits = index.search("PARACETAMOL", 5);
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [7, 8]);
        assert_eq!(hits[0].similarity, 1.0);
    }

    #[test]
    fn first_word_key() {
        let (index, names) = small_index();
        let dol = index.with_first_word("DOLIPRANE");
        assert_eq!(dol.len(), 3);
        assert_eq!(dol[0].1, names[2], "shortest name first");
        let similar = index.similar_first_words("DOLIPRANNE", 0.8);
        assert_eq!(similar[0].0, "DOLIPRANE");
        assert!(
            index
                .similar_first_words("AMOXICILINE", 0.8)
                .iter()
                .any(|(w, _)| *w == "AMOXICILLINE")
        );
        assert!(index.with_first_word("INCONNU").is_empty());
    }

    #[test]
    fn top_by_count_keeps_the_highest() {
        let counts = [0u16, 5, 2, 5, 1, 3];
        let touched = [1u32, 2, 3, 4, 5];
        assert_eq!(top_by_count(&counts, &touched, 3), [1, 3, 5]);
        assert_eq!(top_by_count(&counts, &touched, 2), [1, 3]);
        assert_eq!(top_by_count(&counts, &touched, 1), [1]);
        assert_eq!(top_by_count(&counts, &touched, 9).len(), 5);
    }

    fn data_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
    }

    /// Column `col` of a cp1252 tab-separated BDPM file.
    fn bdpm_column(file: &Path, col: usize) -> Option<Vec<String>> {
        let bytes = std::fs::read(file).ok()?;
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        Some(
            text.lines()
                .filter_map(|l| l.split('\t').nth(col).map(str::to_string))
                .collect(),
        )
    }

    fn bdpm_names() -> Option<Vec<(u32, String)>> {
        let file = data_dir().join("bdpm/2022-06/CIS_bdpm.txt");
        let cis = bdpm_column(&file, 0)?;
        let names = bdpm_column(&file, 1)?;
        Some(
            cis.iter()
                .zip(&names)
                .filter_map(|(c, n)| Some((c.trim().parse().ok()?, normalize_name(n))))
                .collect(),
        )
    }

    #[test]
    fn real_bdpm_names_are_found_despite_typos() {
        let Some(names) = bdpm_names() else {
            eprintln!("skipped: ../shared/data/bdpm/2022-06/CIS_bdpm.txt not found");
            return;
        };
        assert!(names.len() > 15_000);
        let pairs: Vec<(u32, &str)> = names.iter().map(|(i, n)| (*i, n.as_str())).collect();
        let index = NameIndex::build(&pairs);
        let name_of = |id: u32| {
            names
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.as_str())
                .unwrap_or("")
        };
        let top_k = |query: &str, k: usize| -> Vec<&str> {
            index
                .search(&normalize_name(query), k)
                .iter()
                .map(|h| name_of(h.id))
                .collect()
        };
        let top = |query: &str| top_k(query, 5);
        let doliprane = top("DOLIPRANNE 1000MG CPR");
        assert!(
            doliprane
                .iter()
                .any(|n| n.starts_with("DOLIPRANE 1000 MG COMPRIME")),
            "{doliprane:?}"
        );
        assert_eq!(doliprane[0], "DOLIPRANE 1000 MG COMPRIME");
        let amox = top("AMOXICILINE BIOGARAN 500");
        assert!(
            amox.iter()
                .any(|n| n.starts_with("AMOXICILLINE BIOGARAN 500 MG")),
            "{amox:?}"
        );
        // The agency's worked example: the powder (similarity 0.74) first;
        // the solution (0.53) ranks below other ADRIBLASTINE powders, which
        // the cascade's first-number rule then sets aside.
        let adri = top_k(
            "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion",
            10,
        );
        assert_eq!(
            adri[0],
            "ADRIBLASTINE 50 MG POUDRE POUR SOLUTION INJECTABLE EN FLACON"
        );
        assert!(
            adri.contains(&"ADRIBLASTINE 50 MG/25 ML SOLUTION INJECTABLE POUR PERFUSION EN FLACON"),
            "{adri:?}"
        );
        let short = top("DOLIPRANE");
        assert!(
            short.iter().all(|n| n.starts_with("DOLIPRANE ")),
            "{short:?}"
        );
    }

    /// Deterministic typos: two letters of the first word swapped, one of
    /// its letters (the first one included) replaced when it is long, a
    /// letter of the rest replaced, and the last but one character dropped
    /// from one long name in three.
    fn mistype(name: &str, seed: usize) -> String {
        let mut chars: Vec<char> = name.chars().collect();
        let first_len = chars.iter().take_while(|c| **c != ' ').count();
        if first_len > 3 {
            let i = 1 + seed % (first_len - 2);
            chars.swap(i, i + 1);
        }
        if first_len >= 8 {
            chars[(seed / 7) % first_len] = 'Q';
        }
        if chars.len() > first_len + 2 {
            let k = first_len + 1 + seed % (chars.len() - first_len - 1);
            if chars[k] != ' ' {
                chars[k] = 'X';
            }
        }
        if chars.len() > 20 && seed.is_multiple_of(3) {
            chars.remove(chars.len() - 2);
        }
        chars.into_iter().collect()
    }

    /// Times queries over about 30,000 distinct real names (two BDPM
    /// snapshots, the BDPM substances, DataMed's product and spécialité
    /// names), doubled to about 60,000 entries by a copy of each name with
    /// a suffix, to stay above the 60,000 names of the real referential. Run once
    /// in release: `cargo test --release --lib matching::index -- --ignored
    /// --nocapture`.
    #[test]
    #[ignore]
    fn timing_over_real_names() {
        let dir = data_dir();
        let mut raw: Vec<String> = Vec::new();
        for snapshot in ["2022-06", "2017-03"] {
            raw.extend(
                bdpm_column(&dir.join(format!("bdpm/{snapshot}/CIS_bdpm.txt")), 1)
                    .unwrap_or_default(),
            );
            raw.extend(
                bdpm_column(&dir.join(format!("bdpm/{snapshot}/CIS_COMPO_bdpm.txt")), 3)
                    .unwrap_or_default(),
            );
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("datamed/liste_produits_substances.csv"))
        {
            raw.extend(
                text.lines()
                    .skip(1)
                    .filter_map(|l| l.split(';').next().map(str::to_string)),
            );
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("datamed/substance_by_specialite.json"))
            && let Ok(map) =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
        {
            raw.extend(map.keys().cloned());
        }
        let started = Instant::now();
        let mut names: Vec<String> = raw.iter().map(|r| normalize_name(r)).collect();
        let normalised = started.elapsed();
        names.sort_unstable();
        names.dedup();
        let copies: Vec<String> = names.iter().map(|n| format!("{n} BIS")).collect();
        names.extend(copies);
        let pairs: Vec<(u32, &str)> = (0u32..).zip(names.iter().map(String::as_str)).collect();
        let started = Instant::now();
        let index = NameIndex::build(&pairs);
        let built = started.elapsed();

        let queries: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| i % 37 == 0 && !n.is_empty())
            .map(|(i, n)| mistype(n, i))
            .collect();
        let started = Instant::now();
        let mut found = 0usize;
        for (q, i) in queries
            .iter()
            .zip((0..names.len()).filter(|i| i % 37 == 0 && !names[*i].is_empty()))
        {
            let hits = index.search(q, 5);
            if hits.iter().any(|h| names[h.id as usize] == names[i]) {
                found += 1;
            } else if std::env::var_os("SHOW_MISSES").is_some() {
                let top: Vec<&str> = hits.iter().map(|h| names[h.id as usize].as_str()).collect();
                println!("MISS {q:?} (was {:?}): {top:?}", names[i]);
            }
        }
        let searched = started.elapsed();
        println!(
            "{} names: normalised in {:?}, index built in {:?}; {} mistyped queries, {:.1} µs per query, original name in top 5 for {:.1} %",
            names.len(),
            normalised,
            built,
            queries.len(),
            searched.as_secs_f64() * 1e6 / queries.len() as f64,
            100.0 * found as f64 / queries.len() as f64
        );
        // Short queries, as reporters type them: the first three words,
        // mistyped; found when a hit starts with the original three words.
        let short: Vec<(String, String)> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| i % 37 == 0 && n.split(' ').count() > 3)
            .map(|(i, n)| {
                let head = n.split(' ').take(3).collect::<Vec<_>>().join(" ");
                (mistype(&head, i), head)
            })
            .collect();
        let started = Instant::now();
        let found_short = short
            .iter()
            .filter(|(q, head)| {
                index.search(q, 5).iter().any(|h| {
                    let name = &names[h.id as usize];
                    name == head || name.starts_with(&format!("{head} "))
                })
            })
            .count();
        println!(
            "{} short mistyped queries, {:.1} µs per query, a name starting with the original words in top 5 for {:.1} %",
            short.len(),
            started.elapsed().as_secs_f64() * 1e6 / short.len() as f64,
            100.0 * found_short as f64 / short.len() as f64
        );
        // Where the time goes, phase by phase.
        let per_query = |d: std::time::Duration| d.as_secs_f64() * 1e6 / queries.len() as f64;
        let started = Instant::now();
        let mut kept = 0usize;
        for q in &queries {
            let mut counts = vec![0u16; index.len()];
            let mut touched = Vec::new();
            index.count_trigrams(&trigrams(q), &mut counts, &mut touched);
            kept += top_by_count(&counts, &touched, TRIGRAM_CANDIDATES).len();
        }
        let counting = started.elapsed();
        let started = Instant::now();
        for q in &queries {
            kept += index.first_word_candidates(q).len();
        }
        let words = started.elapsed();
        println!(
            "per query: trigram counting {:.1} µs, first-word key {:.1} µs, the rest (OSA, overlap, sort) {:.1} µs ({kept} candidates)",
            per_query(counting),
            per_query(words),
            per_query(searched.saturating_sub(counting + words)),
        );
    }
}
