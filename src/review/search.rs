//! The manual search of the whole referential: every spécialité, produit
//! and substance a reviewer may link a name to, found by its current name,
//! a former name, a name variant or its code, with the substances it
//! brings. Built once from [`ReferentialRows`] (the same rows matching
//! reads) and searched in memory, so that typing in the window stays
//! instant. Names containing the text come first; then, tolerating typos
//! ("paracetmol", "dolipranne"), the names matching's trigram index
//! ([`NameIndex`]) finds close to it.

use std::collections::{BTreeSet, HashMap};

use crate::error::Result;
use crate::matching::index::NameIndex;
use crate::model::linking::{ReferentialRows, TargetLevel};
use crate::normalize::normalize_name;
use crate::store::Store;

/// A target found by the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// Spécialité, produit or substance.
    pub level: TargetLevel,
    /// CIS (else `VU:` and the CODEX code), product code or substance code.
    pub code: String,
    /// Current name.
    pub name: String,
    /// Substance codes it brings, sorted.
    pub substance_codes: Vec<String>,
    /// Their canonical names, in the same order.
    pub substance_names: Vec<String>,
}

/// The referential, ready to search.
#[derive(Debug, Clone, Default)]
pub struct ReferentialSearch {
    targets: Vec<SearchHit>,
    /// (normalised name, target index): current names, former names,
    /// variants.
    entries: Vec<(String, usize)>,
    by_code: HashMap<(TargetLevel, String), usize>,
    /// The entries' names by target index, for the typo-tolerant search.
    index: NameIndex,
}

/// Score ([`crate::matching::index::Hit::score`]) from which a name close
/// to the text is listed: "PARACETMOL" / "PARACETAMOL" is well above,
/// unrelated names sharing a few trigrams below.
const TYPO_MIN_SCORE: f64 = 0.7;

impl ReferentialSearch {
    /// Builds the search from the referential rows.
    pub fn build(rows: &ReferentialRows) -> ReferentialSearch {
        let canonical: HashMap<&str, &str> = rows
            .canonical_names
            .iter()
            .map(|s| (s.code.as_str(), s.name.as_str()))
            .collect();
        let named = |codes: &[String]| -> Vec<String> {
            codes
                .iter()
                .map(|c| {
                    canonical
                        .get(c.as_str())
                        .map_or(c.clone(), |n| n.to_string())
                })
                .collect()
        };
        let mut s = ReferentialSearch::default();
        let mut vu: HashMap<&str, usize> = HashMap::new();
        let mut produit_codes: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for sp in &rows.specialites {
            let code = sp.code();
            if code.is_empty() {
                continue;
            }
            let t = s.add(
                TargetLevel::Specialite,
                code,
                &sp.name,
                sp.substances.clone(),
                &named,
            );
            if let Some(v) = &sp.code_vu {
                vu.insert(v, t);
            }
            if let Some(p) = &sp.produit_code {
                produit_codes
                    .entry(p)
                    .or_default()
                    .extend(sp.substances.iter().cloned());
            }
        }
        let mut produit: HashMap<&str, usize> = HashMap::new();
        for p in &rows.produits {
            let codes: Vec<String> = produit_codes
                .get(p.code.as_str())
                .map(|c| c.iter().cloned().collect())
                .unwrap_or_default();
            let t = s.add(TargetLevel::Produit, p.code.clone(), &p.name, codes, &named);
            produit.insert(&p.code, t);
        }
        for f in &rows.former_specialites {
            if let Some(&t) = vu.get(f.target_code.as_str()) {
                s.entry(&f.old_name, t);
            }
        }
        for f in &rows.former_produits {
            if let Some(&t) = produit.get(f.target_code.as_str()) {
                s.entry(&f.old_name, t);
            }
        }
        let mut substance: HashMap<&str, usize> = HashMap::new();
        for n in rows.canonical_names.iter().chain(&rows.substance_names) {
            let t = match substance.get(n.code.as_str()) {
                Some(&t) => {
                    s.entry(&n.name, t);
                    t
                }
                None => s.add(
                    TargetLevel::Substance,
                    n.code.clone(),
                    canonical.get(n.code.as_str()).copied().unwrap_or(&n.name),
                    vec![n.code.clone()],
                    &named,
                ),
            };
            substance.insert(&n.code, t);
        }
        let names: Vec<(u32, &str)> = s
            .entries
            .iter()
            .filter_map(|(norm, t)| Some((u32::try_from(*t).ok()?, norm.as_str())))
            .collect();
        s.index = NameIndex::build(&names);
        s
    }

    /// Builds the search from a workspace's referential.
    pub fn load(store: &Store) -> Result<ReferentialSearch> {
        Ok(ReferentialSearch::build(&store.referential_rows()?))
    }

    fn add(
        &mut self,
        level: TargetLevel,
        code: String,
        name: &str,
        substance_codes: Vec<String>,
        named: &dyn Fn(&[String]) -> Vec<String>,
    ) -> usize {
        if let Some(&t) = self.by_code.get(&(level, code.clone())) {
            self.entry(name, t);
            return t;
        }
        let t = self.targets.len();
        self.targets.push(SearchHit {
            level,
            substance_names: named(&substance_codes),
            code: code.clone(),
            name: name.to_string(),
            substance_codes,
        });
        self.by_code.insert((level, code), t);
        self.entry(name, t);
        t
    }

    fn entry(&mut self, name: &str, target: usize) {
        let norm = normalize_name(name);
        if !norm.is_empty() {
            self.entries.push((norm, target));
        }
    }

    /// Targets in the search.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether the referential is empty.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The target of a level with this code.
    pub fn by_code(&self, level: TargetLevel, code: &str) -> Option<&SearchHit> {
        self.by_code
            .get(&(level, code.trim().to_string()))
            .map(|&t| &self.targets[t])
    }

    /// Targets whose name (or former name, or variant) contains `text`,
    /// accents, case and abbreviations normalised, or whose code is `text`;
    /// exact names first, then names starting with it, then a word starting
    /// with it, then the rest, shorter names first; then the names close to
    /// it despite typos, closest first.
    pub fn find(&self, text: &str, level: Option<TargetLevel>, limit: usize) -> Vec<SearchHit> {
        let code = text.trim();
        let query = normalize_name(text);
        // rank per target: 0 code or exact name, 1 prefix, 2 word prefix,
        // 3 inside, 4 close despite typos (then by closeness)
        let mut best: HashMap<usize, u8> = HashMap::new();
        let mut close: HashMap<usize, f64> = HashMap::new();
        if !code.is_empty() {
            for l in [
                TargetLevel::Specialite,
                TargetLevel::Produit,
                TargetLevel::Substance,
            ] {
                if let Some(&t) = self.by_code.get(&(l, code.to_string())) {
                    best.insert(t, 0);
                }
            }
        }
        if !query.is_empty() {
            let word = format!(" {query}");
            for (norm, t) in &self.entries {
                let rank = if *norm == query {
                    0
                } else if norm.starts_with(&query) {
                    1
                } else if norm.contains(&word) {
                    2
                } else if norm.contains(&query) {
                    3
                } else {
                    continue;
                };
                let slot = best.entry(*t).or_insert(rank);
                *slot = (*slot).min(rank);
            }
            for hit in self.index.search(&query, limit.max(20)) {
                let t = hit.id as usize;
                if hit.score >= TYPO_MIN_SCORE && t < self.targets.len() {
                    best.entry(t).or_insert(4);
                    close.insert(t, hit.score);
                }
            }
        }
        let mut found: Vec<(u8, f64, &SearchHit)> = best
            .into_iter()
            .map(|(t, rank)| {
                let closeness = close.get(&t).copied().unwrap_or(1.0);
                (rank, closeness, &self.targets[t])
            })
            .filter(|(_, _, hit)| level.is_none_or(|l| hit.level == l))
            .collect();
        found.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.name.len().cmp(&b.2.name.len()))
                .then_with(|| a.2.name.cmp(&b.2.name))
                .then_with(|| a.2.level.cmp(&b.2.level))
                .then_with(|| a.2.code.cmp(&b.2.code))
        });
        found
            .into_iter()
            .take(limit)
            .map(|(_, _, h)| h.clone())
            .collect()
    }
}

/// Searches a workspace's referential (builds the search each time: the
/// window keeps a [`ReferentialSearch`] instead).
pub fn search(
    store: &Store,
    text: &str,
    level: Option<TargetLevel>,
    limit: usize,
) -> Result<Vec<SearchHit>> {
    Ok(ReferentialSearch::load(store)?.find(text, level, limit))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::linking::{RefFormerName, RefProduit, RefSpecialite, RefSubstanceName};

    fn rows() -> ReferentialRows {
        let sub = |code: &str, name: &str| RefSubstanceName {
            code: code.into(),
            name: name.into(),
        };
        ReferentialRows {
            specialites: vec![RefSpecialite {
                code_vu: Some("V1".into()),
                cis: Some("60234100".into()),
                produit_code: Some("P1".into()),
                name: "DOLIPRANE 1000 mg, comprimé".into(),
                substances: vec!["02202".into()],
            }],
            produits: vec![RefProduit {
                code: "P1".into(),
                name: "DOLIPRANE".into(),
            }],
            former_specialites: vec![RefFormerName {
                old_name: "DOLIPRANE ADULTE".into(),
                target_code: "V1".into(),
                created: None,
            }],
            former_produits: vec![],
            substance_names: vec![sub("02202", "ACETAMINOPHENE"), sub("04179", "CODEINE")],
            canonical_names: vec![sub("02202", "PARACÉTAMOL"), sub("04179", "CODÉINE")],
        }
    }

    #[test]
    fn finds_by_name_former_name_variant_and_code() {
        let s = ReferentialSearch::build(&rows());
        assert_eq!(s.len(), 4);
        let hits = s.find("doliprane", None, 10);
        assert_eq!(hits[0].level, TargetLevel::Produit);
        assert_eq!(hits[0].substance_codes, vec!["02202"]);
        assert_eq!(hits[1].code, "60234100");
        assert_eq!(s.find("adulte", None, 10)[0].code, "60234100");
        let acetaminophene = s.find("acetaminophène", None, 10);
        assert_eq!(acetaminophene[0].name, "PARACÉTAMOL");
        assert_eq!(acetaminophene[0].substance_names, vec!["PARACÉTAMOL"]);
        assert_eq!(s.find("04179", None, 10)[0].name, "CODÉINE");
        assert_eq!(
            s.find("paracetamol", Some(TargetLevel::Specialite), 10),
            vec![]
        );
        assert!(s.find("  ", None, 10).is_empty());
        assert!(s.by_code(TargetLevel::Produit, "P1").is_some());
    }

    #[test]
    fn tolerates_typos_after_the_names_containing_the_text() {
        let s = ReferentialSearch::build(&rows());
        let hits = s.find("paracetmol", None, 10);
        assert_eq!(hits[0].name, "PARACÉTAMOL", "{hits:?}");
        let hits = s.find("dolipranne", None, 10);
        assert!(!hits.is_empty(), "a typo in the brand still finds it");
        assert!(hits.iter().all(|h| h.substance_codes == ["02202"]));
        assert!(s.find("xyzzy", None, 10).is_empty());
    }
}
