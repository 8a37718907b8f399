//! The indicator index: what every breakdown needs of the workspace, read
//! once per computation and kept in compact arrays, so that a substance's
//! indicators for any year range are a pass over its own cases.
//!
//! Three streaming reads build it (two threads, two connections): the cases
//! ORDEI's cleaning keeps, each reduced to its year, sex, age class,
//! seriousness and criteria bits and notifier; their distinct SOC and
//! (SOC, HLT) as lists per case; and the drug rows that count, turned into
//! the sorted distinct cases of each linked substance. For the full-scale
//! workspace (380,000 cleaned cases, 1.1 million (substance, case) pairs)
//! this is about 20 MB: ids and bits, never a text column per row. Text
//! labels (notifiers, SOC, HLT) are interned once.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::indicators::{CaseFacts, Dimension, YearRange};

/// `position` of a case the cleaning leaves out.
const OUT: u32 = u32::MAX;

/// Bit of [`CaseIndex::flags`] marking a serious case; criterion `i` is
/// bit `i + 1`.
const SERIOUS: u8 = 1;

/// Labels interned to dense ids.
#[derive(Debug, Default)]
struct Labels {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Labels {
    /// The id of `label`, interning it on first sight.
    fn id(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.ids.get(label) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(label.to_string());
        self.ids.insert(label.to_string(), id);
        id
    }

    /// Every id, in the order of their labels.
    fn sorted(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.names.len() as u32).collect();
        ids.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        ids
    }
}

/// Lists of ids per case, one slice per position (compressed rows).
#[derive(Debug, Default)]
struct PerCase {
    start: Vec<u32>,
    ids: Vec<u32>,
}

impl PerCase {
    /// Builds the lists from sorted, distinct `(position, id)` pairs.
    fn from_sorted(cases: usize, pairs: &[(u32, u32)]) -> PerCase {
        let mut start = Vec::with_capacity(cases + 1);
        let mut ids = Vec::with_capacity(pairs.len());
        let mut next = 0;
        for pos in 0..cases as u32 {
            start.push(ids.len() as u32);
            while let Some(&(p, id)) = pairs.get(next) {
                if p != pos {
                    break;
                }
                ids.push(id);
                next += 1;
            }
        }
        start.push(ids.len() as u32);
        PerCase { start, ids }
    }

    /// The ids of the case at `pos`.
    fn of(&self, pos: u32) -> &[u32] {
        let pos = pos as usize;
        match (self.start.get(pos), self.start.get(pos + 1)) {
            (Some(&a), Some(&b)) => self.ids.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The counts of a set of cases over a year range, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Distinct cases.
    pub cases: i64,
    /// Cases per year, from the index's first year.
    years: Vec<i64>,
    /// F, M.
    sex: [i64; 2],
    /// Per age class id.
    age: Vec<i64>,
    /// Serious, not serious.
    serious: [i64; 2],
    /// Per criterion.
    criteria: [i64; 6],
    /// Per notifier id.
    notifier: Vec<i64>,
    /// Per SOC id.
    soc: Vec<i64>,
    /// Per (SOC, HLT) id.
    hlt: Vec<i64>,
}

/// The index of one computation.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Dense position of each case id (`OUT` when not counted).
    position: Vec<u32>,
    /// Notification year per position.
    year: Vec<i32>,
    /// 0 for F, 1 for M, per position.
    sex: Vec<u8>,
    /// Age class id per position.
    age: Vec<u32>,
    /// [`SERIOUS`] and criteria bits per position.
    flags: Vec<u8>,
    /// Notifier id per position.
    notifier: Vec<u32>,
    ages: Labels,
    notifiers: Labels,
    socs: Labels,
    /// (SOC, HLT) keys joined by a unit separator.
    hlts: Labels,
    /// Distinct SOC ids per position.
    case_socs: PerCase,
    /// Distinct (SOC, HLT) ids per position.
    case_hlts: PerCase,
    /// Substance codes by id, and their ids.
    codes: Labels,
    /// Sorted distinct positions per substance id.
    substance_cases: PerCase,
    /// Sorted distinct positions with at least one linked observation.
    linked: Vec<u32>,
    /// Sorted distinct positions where each watched name id is named.
    watched: HashMap<i64, Vec<u32>>,
    /// First and last year of the cleaned cases.
    bounds: Option<YearRange>,
}

/// What the drug-row reader brings back.
struct DrugPairs {
    /// (substance id, case id) of every counted row of a linked name.
    linked: Vec<(u32, i64)>,
    /// (name id, case id) of the watched names' rows.
    watched: Vec<(i64, i64)>,
}

impl Index {
    /// Reads the index: `links` are the linked (name id, substance code)
    /// pairs; `watched` the name ids whose cases must be known on their own
    /// (pending names, for the impact panel).
    pub fn build(store: &Store, links: &[(i64, String)], watched: &HashSet<i64>) -> Result<Index> {
        let mut codes = Labels::default();
        let mut by_name: HashMap<i64, Vec<u32>> = HashMap::new();
        for (name, code) in links {
            let id = codes.id(code);
            let subs = by_name.entry(*name).or_default();
            if !subs.contains(&id) {
                subs.push(id);
            }
        }
        let drug_reader = store.reader()?;
        let effect_reader = store.reader()?;
        // Three connections read at once: the cases on this thread, the
        // drug rows and the effects on two others; positions are given to
        // the latter two once the cases are known.
        let (index, pairs, effects) = std::thread::scope(|scope| {
            let by_name = &by_name;
            let drugs = spawn_reader(scope, "datamed-indicators-drugs", move || {
                read_drugs(&drug_reader, by_name, watched)
            });
            let effects = spawn_reader(scope, "datamed-indicators-effects", move || {
                read_effects(&effect_reader)
            });
            (
                Index::read_cases(store),
                join_reader(drugs),
                join_reader(effects),
            )
        });
        let mut index = index?;
        index.add_effects(effects?);
        index.link(codes, pairs?);
        Ok(index)
    }

    /// Reads the cleaned cases.
    fn read_cases(store: &Store) -> Result<Index> {
        let mut ix = Index::default();
        let mut first = i32::MAX;
        let mut last = i32::MIN;
        store.for_each_cleaned_case(|c: CaseFacts<'_>| {
            let Ok(id) = usize::try_from(c.case_id) else {
                return;
            };
            let pos = ix.year.len() as u32;
            if ix.position.len() <= id {
                ix.position.resize(id + 1, OUT);
            }
            ix.position[id] = pos;
            let year = i32::try_from(c.year).unwrap_or(i32::MIN);
            first = first.min(year);
            last = last.max(year);
            ix.year.push(year);
            ix.sex.push(u8::from(c.sex == "M"));
            ix.age.push(ix.ages.id(c.age_class));
            let mut flags = if c.serious { SERIOUS } else { 0 };
            for (i, met) in c.criteria.iter().enumerate() {
                if *met {
                    flags |= 1 << (i + 1);
                }
            }
            ix.flags.push(flags);
            ix.notifier.push(ix.notifiers.id(c.notifier));
        })?;
        if first <= last {
            ix.bounds = Some(YearRange {
                from: i64::from(first),
                to: i64::from(last),
            });
        }
        Ok(ix)
    }

    /// Gives the effects their case positions: distinct (SOC, HLT) and
    /// distinct SOC lists per counted case.
    fn add_effects(&mut self, rows: EffectRows) {
        let effects = self.sorted_by_position(&rows.effects, |pos, hlt| (pos, hlt));
        let cases = self.year.len();
        self.case_hlts = PerCase::from_sorted(cases, &effects);
        let mut socs: Vec<(u32, u32)> = effects
            .iter()
            .map(|&(pos, hlt)| (pos, rows.soc_of_hlt.get(hlt as usize).copied().unwrap_or(0)))
            .collect();
        drop(effects);
        socs.sort_unstable();
        socs.dedup();
        self.case_socs = PerCase::from_sorted(cases, &socs);
        self.socs = rows.socs;
        self.hlts = rows.hlts;
    }

    /// Turns the drug rows into each substance's distinct cases.
    fn link(&mut self, codes: Labels, pairs: DrugPairs) {
        let linked = self.sorted_by_position(&pairs.linked, |pos, sub| (sub, pos));
        self.substance_cases = PerCase::from_sorted(codes.names.len(), &linked);
        let mut all: Vec<u32> = linked.iter().map(|&(_, pos)| pos).collect();
        drop(linked);
        all.sort_unstable();
        all.dedup();
        self.linked = all;
        self.codes = codes;
        for (name, case_id) in pairs.watched {
            let pos = self.position_of(case_id);
            if pos != OUT {
                self.watched.entry(name).or_default().push(pos);
            }
        }
        for cases in self.watched.values_mut() {
            cases.sort_unstable();
            cases.dedup();
        }
    }

    /// `rows` of (id, case id) whose case is counted, each made a pair by
    /// `pair(position, id)`, sorted and distinct.
    fn sorted_by_position(
        &self,
        rows: &[(u32, i64)],
        pair: impl Fn(u32, u32) -> (u32, u32),
    ) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = rows
            .iter()
            .filter_map(|&(id, case_id)| {
                let pos = self.position_of(case_id);
                (pos != OUT).then(|| pair(pos, id))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The position of a case id (`OUT` when the cleaning left it out).
    fn position_of(&self, case_id: i64) -> u32 {
        usize::try_from(case_id)
            .ok()
            .and_then(|id| self.position.get(id))
            .copied()
            .unwrap_or(OUT)
    }

    /// First and last year of the cleaned cases, if any.
    pub fn bounds(&self) -> Option<YearRange> {
        self.bounds
    }

    /// The sorted cases of substance `code` (empty when it has none).
    pub fn cases_of(&self, code: &str) -> &[u32] {
        match self.codes.ids.get(code) {
            Some(&id) => self.substance_cases.of(id),
            None => &[],
        }
    }

    /// Every substance code with linked cases, with those cases.
    pub fn substances(&self) -> impl Iterator<Item = (&str, &[u32])> {
        self.codes
            .names
            .iter()
            .enumerate()
            .map(|(id, code)| (code.as_str(), self.substance_cases.of(id as u32)))
            .filter(|(_, cases)| !cases.is_empty())
    }

    /// Every case with a linked observation (the global page's cases).
    pub fn linked_cases(&self) -> &[u32] {
        &self.linked
    }

    /// Whether the case at `pos` was notified within `years`.
    pub fn in_years(&self, pos: u32, years: YearRange) -> bool {
        self.year
            .get(pos as usize)
            .is_some_and(|&y| i64::from(y) >= years.from && i64::from(y) <= years.to)
    }

    /// The cases in `years` where one of `names` (watched) is named and
    /// that `already` (sorted) does not hold.
    pub fn added_cases(&self, names: &[i64], already: &[u32], years: YearRange) -> i64 {
        let mut cases: Vec<u32> = names
            .iter()
            .filter_map(|n| self.watched.get(n))
            .flatten()
            .copied()
            .filter(|&pos| self.in_years(pos, years) && already.binary_search(&pos).is_err())
            .collect();
        cases.sort_unstable();
        cases.dedup();
        cases.len() as i64
    }

    /// Counts `cases` notified within `years`.
    pub fn tally(&self, cases: &[u32], years: YearRange) -> Tally {
        let first = self.bounds.map_or(0, |b| b.from);
        let span = self
            .bounds
            .map_or(0, |b| (b.to - b.from + 1).max(0) as usize);
        let mut t = Tally {
            years: vec![0; span],
            age: vec![0; self.ages.names.len()],
            notifier: vec![0; self.notifiers.names.len()],
            soc: vec![0; self.socs.names.len()],
            hlt: vec![0; self.hlts.names.len()],
            ..Tally::default()
        };
        for &pos in cases {
            let p = pos as usize;
            let Some(&year) = self.year.get(p) else {
                continue;
            };
            let year = i64::from(year);
            if year < years.from || year > years.to {
                continue;
            }
            t.cases += 1;
            if let Some(slot) = usize::try_from(year - first)
                .ok()
                .and_then(|i| t.years.get_mut(i))
            {
                *slot += 1;
            }
            t.sex[usize::from(self.sex[p])] += 1;
            t.age[self.age[p] as usize] += 1;
            let flags = self.flags[p];
            t.serious[usize::from(flags & SERIOUS == 0)] += 1;
            for (i, n) in t.criteria.iter_mut().enumerate() {
                *n += i64::from((flags >> (i + 1)) & 1);
            }
            t.notifier[self.notifier[p] as usize] += 1;
            for &soc in self.case_socs.of(pos) {
                t.soc[soc as usize] += 1;
            }
            for &hlt in self.case_hlts.of(pos) {
                t.hlt[hlt as usize] += 1;
            }
        }
        t
    }

    /// The rows of one breakdown of a tally, in the order the portal shows
    /// them: years ascending, labels in byte order, HLTs by (SOC, HLT).
    /// Zero cells are left out except for the six criteria.
    pub fn rows(&self, t: &Tally, dim: Dimension) -> Vec<(String, String, i64)> {
        let label = |labels: &Labels, counts: &[i64]| -> Vec<(String, String, i64)> {
            labels
                .sorted()
                .into_iter()
                .filter_map(|id| {
                    let n = counts.get(id as usize).copied().unwrap_or(0);
                    (n > 0).then(|| (labels.names[id as usize].clone(), String::new(), n))
                })
                .collect()
        };
        let fixed = |labels: &[&str], counts: &[i64]| -> Vec<(String, String, i64)> {
            labels
                .iter()
                .zip(counts)
                .filter(|(_, n)| **n > 0)
                .map(|(l, n)| ((*l).to_string(), String::new(), *n))
                .collect()
        };
        match dim {
            Dimension::Year => {
                let first = self.bounds.map_or(0, |b| b.from);
                t.years
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(i, n)| ((first + i as i64).to_string(), String::new(), *n))
                    .collect()
            }
            Dimension::Sex => fixed(&["F", "M"], &t.sex),
            Dimension::AgeClass => label(&self.ages, &t.age),
            Dimension::Seriousness => fixed(&["grave", "non grave"], &t.serious),
            Dimension::Criterion => CRITERIA
                .iter()
                .zip(t.criteria)
                .map(|(l, n)| ((*l).to_string(), String::new(), n))
                .collect(),
            Dimension::Notifier => label(&self.notifiers, &t.notifier),
            Dimension::Soc => label(&self.socs, &t.soc),
            Dimension::Hlt => {
                let mut rows: Vec<(String, String, i64)> = t
                    .hlt
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(id, n)| {
                        let key = &self.hlts.names[id];
                        let (soc, hlt) = key.split_once('\u{1f}').unwrap_or((key, ""));
                        (soc.to_string(), hlt.to_string(), *n)
                    })
                    .collect();
                rows.sort();
                rows
            }
        }
    }
}

/// The seriousness criteria labels, in [`CaseFacts::criteria`] order.
pub(crate) const CRITERIA: [&str; 6] = [
    "deces",
    "mise en jeu du pronostic vital",
    "hospitalisation",
    "incapacite",
    "anomalie congenitale",
    "autre",
];

/// What the effect reader brings back.
struct EffectRows {
    /// ((SOC, HLT) id, case id) of every effect.
    effects: Vec<(u32, i64)>,
    socs: Labels,
    /// (SOC, HLT) keys joined by a unit separator.
    hlts: Labels,
    /// SOC id of each (SOC, HLT) id.
    soc_of_hlt: Vec<u32>,
}

/// Starts a named reader thread within `scope`.
fn spawn_reader<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    read: impl FnOnce() -> Result<T> + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, Result<T>>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn_scoped(scope, read)
        .map_err(|e| Error::Internal(format!("cannot start the thread {name}: {e}")))
}

/// Waits for a reader thread and hands back what it read.
fn join_reader<T>(handle: Result<std::thread::ScopedJoinHandle<'_, Result<T>>>) -> Result<T> {
    handle?
        .join()
        .unwrap_or_else(|payload| Err(Error::panicked("an indicator reader thread", &*payload)))
}

/// Reads every effect, interning its SOC and (SOC, HLT).
fn read_effects(store: &Store) -> Result<EffectRows> {
    let mut rows = EffectRows {
        effects: Vec::new(),
        socs: Labels::default(),
        hlts: Labels::default(),
        soc_of_hlt: Vec::new(),
    };
    let mut key = String::new();
    store.for_each_effect(|case_id, soc, hlt| {
        let soc = rows.socs.id(soc);
        key.clear();
        key.push_str(&rows.socs.names[soc as usize]);
        key.push('\u{1f}');
        key.push_str(hlt);
        let hlt = rows.hlts.id(&key);
        if hlt as usize == rows.soc_of_hlt.len() {
            rows.soc_of_hlt.push(soc);
        }
        rows.effects.push((hlt, case_id));
    })?;
    Ok(rows)
}

/// Reads the counted drug rows of the linked and watched names.
fn read_drugs(
    store: &Store,
    by_name: &HashMap<i64, Vec<u32>>,
    watched: &HashSet<i64>,
) -> Result<DrugPairs> {
    let mut pairs = DrugPairs {
        linked: Vec::new(),
        watched: Vec::new(),
    };
    store.for_each_counted_drug(|name_id, case_id| {
        if let Some(subs) = by_name.get(&name_id) {
            pairs.linked.extend(subs.iter().map(|&s| (s, case_id)));
        }
        if watched.contains(&name_id) {
            pairs.watched.push((name_id, case_id));
        }
    })?;
    Ok(pairs)
}
