//! The referential as matching holds it in memory: every target a name can
//! be linked to (spécialité, produit, substance) with its substance set, and
//! every name that reaches a target (current names, former names, substance
//! variants), normalised, with lookup by exact name and by first word, and
//! the n-gram index for typo-tolerant search. Built once per matching run
//! from [`ReferentialRows`].

use std::collections::{BTreeSet, HashMap};

use crate::matching::features::Features;
use crate::matching::index::NameIndex;
use crate::model::linking::{ReferentialRows, TargetLevel};
use crate::normalize::{SubstanceKey, first_word, normalize_name, substance_key};

/// Index of an interned substance set.
pub type SetId = u32;

/// Something a name can be linked to.
#[derive(Debug, Clone)]
pub struct Target {
    /// Spécialité, produit or substance.
    pub level: TargetLevel,
    /// CIS, product code or substance code.
    pub code: String,
    /// Current name.
    pub name: String,
    /// Its active substances.
    pub set: SetId,
    /// For a spécialité: the target of its produit, when CODEX gives one.
    pub parent: Option<u32>,
}

/// How a referential name reaches its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The target's current name.
    Name,
    /// A former name of the target.
    FormerName,
    /// A name variant of a substance.
    Variant,
}

/// A name that reaches a target.
#[derive(Debug, Clone)]
pub struct NameEntry {
    /// Index into [`Referential::targets`].
    pub target: u32,
    /// How.
    pub via: Via,
    /// The name, normalised.
    pub norm: String,
    /// The name as the referential writes it (raw case), for the agency's
    /// upper-case word sets.
    pub raw: String,
    /// For former names: when recorded (ISO date).
    pub created: Option<String>,
}

/// The in-memory referential.
#[derive(Default)]
pub struct Referential {
    /// Targets.
    pub targets: Vec<Target>,
    /// Names reaching targets.
    pub entries: Vec<NameEntry>,
    /// Interned substance sets (sorted codes).
    pub sets: Vec<Vec<String>>,
    set_ids: HashMap<Vec<String>, SetId>,
    /// Entries by normalised name.
    pub by_norm: HashMap<String, Vec<u32>>,
    /// Entries by first word of the normalised name.
    pub by_first_word: HashMap<String, Vec<u32>>,
    /// Typo-tolerant index over entry names (ids are entry indices).
    pub index: NameIndex,
    /// Canonical substance names by code.
    pub substance_names: HashMap<String, String>,
    /// Drug-aware features of each entry's name, read once.
    pub features: Vec<Features>,
    /// The canonical substance key of each substance entry's name (`None`
    /// for spécialités and produits), in entry order.
    pub keys: Vec<Option<SubstanceKey>>,
    /// Substance entries by [`SubstanceKey::salted`]: every written form of
    /// one salt of one base.
    pub by_salted_key: HashMap<String, Vec<u32>>,
    /// Substance entries by [`SubstanceKey::base`]: every salt of one base.
    pub by_base_key: HashMap<String, Vec<u32>>,
    /// Substance codes some spécialité contains: the codes a composition
    /// read from a name may lead to.
    pub active_codes: BTreeSet<String>,
}

impl Referential {
    /// Builds the in-memory referential.
    pub fn build(rows: &ReferentialRows) -> Referential {
        let mut r = Referential::default();
        r.set_id(Vec::new());
        for s in &rows.canonical_names {
            r.substance_names
                .entry(s.code.clone())
                .or_insert_with(|| s.name.clone());
        }
        // Spécialités.
        let mut vu_target: HashMap<&str, u32> = HashMap::new();
        let mut specialite_produit: Vec<(u32, &str)> = Vec::new();
        let mut produit_sets: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for s in &rows.specialites {
            let set = r.set_id(s.substances.clone());
            let t = r.add_target(TargetLevel::Specialite, s.code(), s.name.clone(), set);
            if let Some(vu) = &s.code_vu {
                vu_target.insert(vu, t);
            }
            if let Some(p) = &s.produit_code {
                specialite_produit.push((t, p));
                produit_sets
                    .entry(p)
                    .or_default()
                    .extend(s.substances.iter().cloned());
            }
            r.add_entry(t, Via::Name, &s.name, None);
        }
        // Produits: their substances are those of their spécialités.
        let mut produit_target: HashMap<&str, u32> = HashMap::new();
        for p in &rows.produits {
            let codes: Vec<String> = produit_sets
                .get(p.code.as_str())
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            let set = r.set_id(codes);
            let t = r.add_target(TargetLevel::Produit, p.code.clone(), p.name.clone(), set);
            produit_target.insert(&p.code, t);
            r.add_entry(t, Via::Name, &p.name, None);
        }
        for (t, p) in specialite_produit {
            if let Some(&parent) = produit_target.get(p) {
                r.targets[t as usize].parent = Some(parent);
            }
        }
        for f in &rows.former_specialites {
            if let Some(&t) = vu_target.get(f.target_code.as_str()) {
                r.add_entry(t, Via::FormerName, &f.old_name, f.created.clone());
            }
        }
        for f in &rows.former_produits {
            if let Some(&t) = produit_target.get(f.target_code.as_str()) {
                r.add_entry(t, Via::FormerName, &f.old_name, None);
            }
        }
        // Substances: one target per code, reached by every name variant.
        let mut substance_target: HashMap<String, u32> = HashMap::new();
        let mut codes: BTreeSet<&str> = rows
            .substance_names
            .iter()
            .map(|s| s.code.as_str())
            .collect();
        codes.extend(rows.canonical_names.iter().map(|s| s.code.as_str()));
        for code in codes {
            let name = r
                .substance_names
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.to_string());
            let set = r.set_id(vec![code.to_string()]);
            let t = r.add_target(TargetLevel::Substance, code.to_string(), name.clone(), set);
            substance_target.insert(code.to_string(), t);
            r.add_entry(t, Via::Name, &name, None);
        }
        for s in &rows.substance_names {
            if let Some(&t) = substance_target.get(&s.code) {
                r.add_entry(t, Via::Variant, &s.name, None);
            }
        }
        let names: Vec<(u32, &str)> = r
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u32, e.norm.as_str()))
            .collect();
        r.index = NameIndex::build(&names);
        r.features = r
            .entries
            .iter()
            .map(|e| Features::from_normalized(&e.norm))
            .collect();
        r.index_substance_keys();
        r.active_codes = rows
            .specialites
            .iter()
            .flat_map(|s| s.substances.iter().cloned())
            .collect();
        r
    }

    /// Reads the substance key of every substance entry and indexes them.
    fn index_substance_keys(&mut self) {
        let keys: Vec<Option<SubstanceKey>> = (0..self.entries.len() as u32)
            .map(|e| {
                (self.target_of(e).level == TargetLevel::Substance)
                    .then(|| substance_key(&self.entries[e as usize].norm))
                    .flatten()
            })
            .collect();
        for (e, key) in (0u32..).zip(&keys) {
            if let Some(k) = key {
                self.by_salted_key.entry(k.salted()).or_default().push(e);
                self.by_base_key.entry(k.base.clone()).or_default().push(e);
            }
        }
        self.keys = keys;
    }

    fn set_id(&mut self, mut codes: Vec<String>) -> SetId {
        codes.sort();
        codes.dedup();
        if let Some(&id) = self.set_ids.get(&codes) {
            return id;
        }
        let id = self.sets.len() as SetId;
        self.sets.push(codes.clone());
        self.set_ids.insert(codes, id);
        id
    }

    fn add_target(&mut self, level: TargetLevel, code: String, name: String, set: SetId) -> u32 {
        self.targets.push(Target {
            level,
            code,
            name,
            set,
            parent: None,
        });
        (self.targets.len() - 1) as u32
    }

    fn add_entry(&mut self, target: u32, via: Via, raw: &str, created: Option<String>) {
        let norm = normalize_name(raw);
        if norm.is_empty() {
            return;
        }
        // The same name reaching the same target once is enough.
        if let Some(list) = self.by_norm.get(&norm)
            && list
                .iter()
                .any(|&e| self.entries[e as usize].target == target)
        {
            return;
        }
        let id = self.entries.len() as u32;
        if let Some(w) = first_word(&norm) {
            self.by_first_word
                .entry(w.to_string())
                .or_default()
                .push(id);
        }
        self.by_norm.entry(norm.clone()).or_default().push(id);
        self.entries.push(NameEntry {
            target,
            via,
            norm,
            raw: raw.to_string(),
            created,
        });
    }

    /// The target of an entry.
    pub fn target_of(&self, entry: u32) -> &Target {
        &self.targets[self.entries[entry as usize].target as usize]
    }

    /// The substance codes of a set.
    pub fn set_codes(&self, set: SetId) -> &[String] {
        self.sets.get(set as usize).map_or(&[], Vec::as_slice)
    }

    /// Canonical names of a set's substances.
    pub fn set_names(&self, set: SetId) -> Vec<String> {
        self.set_codes(set)
            .iter()
            .map(|c| {
                self.substance_names
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| c.clone())
            })
            .collect()
    }
}
