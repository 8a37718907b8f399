//! The MEDICAMENT column and its truth: this module owns how often each drug
//! is reported (a Zipf-like popularity over active-substance groups, a few
//! well-known drugs and brands on top), which level a reporter names it at
//! (spécialité, produit, substance), how the name is written (exact, case
//! changes, cut after the dose, abbreviated, former name, mistyped...), and
//! the substance codes each distinct (MEDICAMENT, TYPE) really designates.
//!
//! A rendering is a pure function of (target, kind, variant, typo index) and
//! the seed, so popular misspellings recur instead of every row inventing its
//! own. A rendering whose text another target already claims with different
//! substances is refused, so that every distinct string has one truth.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::csv_out::{encode_cp1252, push_field};
use super::names::{
    UNSPECIFIC, abbreviate, cut_after_dose, fold_upper, glue_doses, lower, name_key, sentence_case,
    typo,
};
use super::referential::{BORLUX_PRODUCT, Referential, WORKED_CIS};
use crate::error::{Error, Place, Result};

/// TYPE column values, indexed by `type_index`; 3 is the empty TYPE.
pub(crate) const TYPE_LABELS: [&str; 4] = ["Spécialité", "Produit", "Substance", ""];
const SPECIALITE: u8 = 0;
const PRODUIT: u8 = 1;
const SUBSTANCE: u8 = 2;
const EMPTY_TYPE: u8 = 3;

/// Share of each level among rows with a TYPE (formats.md: 40 / 42 / 18 %).
const LEVEL_SHARES: [f64; 3] = [0.40, 0.42, 0.18];
/// Share of rows with an empty TYPE.
const EMPTY_TYPE_SHARE: f64 = 0.003;
/// Share of rows naming no drug at all ("TRAITEMENT HABITUEL"...).
const UNSPECIFIC_SHARE: f64 = 0.012;
/// Share of rows with a typing error.
const TYPO_SHARE: f64 = 0.01;
/// Zipf–Mandelbrot law over substance groups, weight (rank + offset)^-exponent:
/// the offset keeps the most reported drug near 5 % of rows (PARACETAMOL),
/// the exponent makes the tail thin enough that 400,000 cases hold about
/// 20,000 distinct names, as the real base does.
const ZIPF_EXPONENT: f64 = 3.0;
/// See [`ZIPF_EXPONENT`].
const ZIPF_OFFSET: f64 = 60.0;
/// Zipf exponent over the spécialités of one group, ranked by fame.
const GROUP_EXPONENT: f64 = 3.0;

/// Drugs reported most often in French pharmacovigilance, most frequent
/// first, each as the word starts of its active substances (a group matches
/// when it has exactly these substances).
const TOP_GROUPS: [&[&str]; 70] = [
    &["PARACETAMOL"],
    &["AMOXICILLINE"],
    &["AMOXICILLINE", "CLAVULAN"],
    &["IBUPROFENE"],
    &["LEVOTHYROXINE"],
    &["FLUINDIONE"],
    &["TRAMADOL"],
    &["ACETYLSALICYL"],
    &["RIVAROXABAN"],
    &["APIXABAN"],
    &["WARFARINE"],
    &["ENOXAPARINE"],
    &["PARACETAMOL", "CODEINE"],
    &["ATORVASTATINE"],
    &["METFORMINE"],
    &["KETOPROFENE"],
    &["CLOPIDOGREL"],
    &["PREDNISOLONE"],
    &["PREDNISONE"],
    &["ESOMEPRAZOLE"],
    &["OMEPRAZOLE"],
    &["PANTOPRAZOLE"],
    &["LEVOFLOXACINE"],
    &["CEFTRIAXONE"],
    &["PRISTINAMYCINE"],
    &["CIPROFLOXACINE"],
    &["OFLOXACINE"],
    &["VANCOMYCINE"],
    &["FUROSEMIDE"],
    &["RAMIPRIL"],
    &["PERINDOPRIL"],
    &["AMLODIPINE"],
    &["BISOPROLOL"],
    &["ZOLPIDEM"],
    &["ALPRAZOLAM"],
    &["BROMAZEPAM"],
    &["OXAZEPAM"],
    &["PAROXETINE"],
    &["SERTRALINE"],
    &["ESCITALOPRAM"],
    &["VENLAFAXINE"],
    &["OLANZAPINE"],
    &["RISPERIDONE"],
    &["VALPRO"],
    &["LAMOTRIGINE"],
    &["LEVETIRACETAM"],
    &["CARBAMAZEPINE"],
    &["PREGABALINE"],
    &["MORPHINE"],
    &["OXYCODONE"],
    &["FENTANYL"],
    &["METHOTREXATE"],
    &["ALLOPURINOL"],
    &["COLCHICINE"],
    &["ROSUVASTATINE"],
    &["SIMVASTATINE"],
    &["HYDROCHLOROTHIAZIDE"],
    &["SPIRONOLACTONE"],
    &["NEFOPAM"],
    &["METOCLOPRAMIDE"],
    &["DOMPERIDONE"],
    &["TRAMADOL", "PARACETAMOL"],
    &["CEFUROXIME"],
    &["DOXORUBICINE"],
    &["LORAZEPAM"],
    &["MACROGOL"],
    &["DIAZEPAM"],
    &["CYAMEMAZINE"],
    &["QUETIAPINE"],
    &["ARIPIPRAZOLE"],
];

/// Brands reporters name far more than their generics (first word of the
/// spécialité name, popularity factor within its group).
const BRANDS: [(&str, f64); 40] = [
    ("DOLIPRANE", 12.0),
    ("EFFERALGAN", 5.0),
    ("DAFALGAN", 5.0),
    ("CLAMOXYL", 3.0),
    ("AUGMENTIN", 6.0),
    ("LEVOTHYROX", 10.0),
    ("KARDEGIC", 6.0),
    ("PREVISCAN", 8.0),
    ("XARELTO", 6.0),
    ("ELIQUIS", 6.0),
    ("LOVENOX", 6.0),
    ("TAHOR", 4.0),
    ("GLUCOPHAGE", 3.0),
    ("INEXIUM", 3.0),
    ("MOPRAL", 3.0),
    ("PLAVIX", 3.0),
    ("DEPAKINE", 4.0),
    ("LAMICTAL", 3.0),
    ("KEPPRA", 3.0),
    ("LYRICA", 4.0),
    ("DEROXAT", 3.0),
    ("SEROPLEX", 4.0),
    ("EFFEXOR", 3.0),
    ("ZYPREXA", 3.0),
    ("RISPERDAL", 3.0),
    ("STILNOX", 4.0),
    ("XANAX", 4.0),
    ("LEXOMIL", 4.0),
    ("SERESTA", 3.0),
    ("TOPALGIC", 3.0),
    ("IXPRIM", 4.0),
    ("CODOLIPRANE", 3.0),
    ("ADVIL", 3.0),
    ("PROFENID", 3.0),
    ("LASILIX", 4.0),
    ("CORTANCYL", 4.0),
    ("SOLUPRED", 4.0),
    ("ZYLORIC", 4.0),
    ("PYOSTACINE", 3.0),
    ("TAVANIC", 4.0),
];

/// Variant bit of a spécialité rendering made from its former name.
const FROM_FORMER: u16 = 0x100;

/// One distinct (MEDICAMENT, TYPE) with its truth.
pub(crate) struct Entry {
    /// The MEDICAMENT text.
    pub medicament: String,
    /// Index into [`TYPE_LABELS`].
    pub type_index: u8,
    /// Substance codes the name designates, sorted; empty when unspecific.
    pub truth: Vec<u32>,
    /// The end of a Médicaments.csv row, cp1252: ";MEDICAMENT;TYPE\r\n".
    pub row_tail: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct RenderKey {
    type_index: u8,
    level: u8,
    target: u32,
    kind: u8,
    variant: u16,
    typo: u16,
}

/// The catalogue of drug names met so far, and the generator of new rows.
pub(crate) struct Catalogue<'r> {
    referential: &'r Referential,
    seed: u64,
    specialite_sampler: WeightedIndex<f64>,
    unspecific_sampler: WeightedIndex<f64>,
    /// Every entry, in order of first use.
    pub entries: Vec<Entry>,
    by_text: HashMap<(u8, String), u32>,
    /// (type, name key) → substances: known referential names first, then
    /// every generated text, so that a text never gets two truths.
    claimed: HashMap<(u8, String), Vec<u32>>,
    cache: HashMap<RenderKey, Option<u32>>,
    /// Name key of a cut spécialité name → its substances, `None` when
    /// spécialités with different substances share it.
    cut_truth: HashMap<String, Option<Vec<u32>>>,
    /// Per product: former names usable without ambiguity.
    former_products: Vec<Vec<String>>,
    specialites_by_substance: HashMap<u32, Vec<usize>>,
    /// Spécialités the generated names designate (for the BDPM subset).
    pub used_specialites: BTreeSet<usize>,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: spreads a key into a seed.
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A standard normal draw (Box–Muller), for log-normal popularity noise.
fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A small geometric draw: 0 most often, so that variants recur.
fn geometric(rng: &mut impl Rng, p: f64, max: u16) -> u16 {
    let mut n = 0;
    while n < max && !rng.random_bool(p) {
        n += 1;
    }
    n
}

fn pick_weighted<T: Copy>(rng: &mut impl Rng, choices: &[(T, f64)]) -> Option<T> {
    let total: f64 = choices.iter().map(|c| c.1).sum();
    let mut x = rng.random::<f64>() * total;
    for &(choice, weight) in choices {
        if x < weight {
            return Some(choice);
        }
        x -= weight;
    }
    choices.last().map(|c| c.0)
}

fn union(sets: impl IntoIterator<Item = Vec<u32>>) -> Vec<u32> {
    let mut all: Vec<u32> = sets.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all
}

impl<'r> Catalogue<'r> {
    /// Prepares popularity and the known names of the referential.
    pub(crate) fn new(referential: &'r Referential, seed: u64) -> Result<Self> {
        let weights = specialite_weights(referential, seed);
        let specialite_sampler = WeightedIndex::new(&weights).map_err(|e| {
            Error::data(
                Place::file(&referential.compo_path),
                format!("no spécialité with an active substance: {e}"),
            )
        })?;
        let unspecific_weights: Vec<f64> = (0..UNSPECIFIC.len())
            .map(|i| 1.0 / (i as f64 + 1.5))
            .collect();
        let unspecific_sampler = WeightedIndex::new(&unspecific_weights)
            .map_err(|e| Error::data(Place::file(&referential.compo_path), e.to_string()))?;

        let mut known: BTreeMap<(u8, String), Vec<Vec<u32>>> = BTreeMap::new();
        let mut cut_sets: HashMap<String, BTreeSet<Vec<u32>>> = HashMap::new();
        let mut specialites_by_substance: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, s) in referential.specialites.iter().enumerate() {
            for &code in &s.substances {
                specialites_by_substance.entry(code).or_default().push(i);
            }
            for name in std::iter::once(&s.name).chain(s.former_name.iter()) {
                known
                    .entry((SPECIALITE, name_key(name)))
                    .or_default()
                    .push(s.substances.clone());
            }
            let names = std::iter::once(&s.name).chain(s.former_name.iter());
            for cut in names.filter_map(|n| cut_after_dose(n)) {
                cut_sets
                    .entry(name_key(&cut))
                    .or_default()
                    .insert(s.substances.clone());
            }
        }
        for p in &referential.products {
            known
                .entry((PRODUIT, name_key(&p.name)))
                .or_default()
                .push(p.substances.clone());
        }
        let mut former_products: Vec<Vec<String>> = vec![Vec::new(); referential.products.len()];
        for h in &referential.product_history {
            let truth = union(
                h.products
                    .iter()
                    .map(|&p| referential.products[p].substances.clone()),
            );
            known
                .entry((PRODUIT, name_key(&h.old_name)))
                .or_default()
                .push(truth.clone());
            for &p in &h.products {
                if referential.products[p].substances == truth {
                    former_products[p].push(h.old_name.clone());
                }
            }
        }
        for s in referential.substances.values() {
            for n in s.names.iter().filter(|n| n.usable) {
                known
                    .entry((SUBSTANCE, name_key(&n.name)))
                    .or_default()
                    .push(vec![s.code]);
            }
        }
        let claimed = known
            .into_iter()
            .map(|(key, sets)| (key, union(sets)))
            .collect();
        let cut_truth = cut_sets
            .into_iter()
            .map(|(key, sets)| {
                let truth = (sets.len() == 1).then(|| sets.into_iter().next()).flatten();
                (key, truth)
            })
            .collect();
        Ok(Catalogue {
            referential,
            seed,
            specialite_sampler,
            unspecific_sampler,
            entries: Vec::new(),
            by_text: HashMap::new(),
            claimed,
            cache: HashMap::new(),
            cut_truth,
            former_products,
            specialites_by_substance,
            used_specialites: BTreeSet::new(),
        })
    }

    /// The entry for a text, creating it; `None` when the text already
    /// designates other substances.
    fn entry(
        &mut self,
        type_index: u8,
        medicament: String,
        truth: Vec<u32>,
        sources: &[usize],
    ) -> Option<u32> {
        let medicament = medicament.trim().to_string();
        if medicament.is_empty() {
            return None;
        }
        if let Some(&id) = self.by_text.get(&(type_index, medicament.clone())) {
            return (self.entries[id as usize].truth == truth).then_some(id);
        }
        let claim = self
            .claimed
            .entry((type_index, name_key(&medicament)))
            .or_insert_with(|| truth.clone());
        if *claim != truth {
            return None;
        }
        let mut line = String::with_capacity(medicament.len() + 16);
        line.push(';');
        push_field(&mut line, &medicament);
        line.push(';');
        line.push_str(TYPE_LABELS[type_index as usize]);
        line.push_str("\r\n");
        let id = self.entries.len() as u32;
        self.entries.push(Entry {
            medicament: medicament.clone(),
            type_index,
            truth,
            row_tail: encode_cp1252(&line),
        });
        self.by_text.insert((type_index, medicament), id);
        self.used_specialites.extend(sources.iter().copied());
        Some(id)
    }

    /// A new drug row: the entry it names.
    pub(crate) fn draw(&mut self, rng: &mut ChaCha8Rng) -> Result<u32> {
        let type_index = if rng.random_bool(EMPTY_TYPE_SHARE) {
            EMPTY_TYPE
        } else {
            self.level(rng)
        };
        if !rng.random_bool(UNSPECIFIC_SHARE) {
            for _ in 0..30 {
                let level = if type_index == EMPTY_TYPE {
                    self.level(rng)
                } else {
                    type_index
                };
                let specialite = self.specialite_sampler.sample(rng);
                if let Some(id) = self.draw_rendering(rng, type_index, level, specialite) {
                    return Ok(id);
                }
            }
        }
        self.unspecific(type_index, rng)
    }

    fn level(&self, rng: &mut ChaCha8Rng) -> u8 {
        pick_weighted(
            rng,
            &[
                (SPECIALITE, LEVEL_SHARES[0]),
                (PRODUIT, LEVEL_SHARES[1]),
                (SUBSTANCE, LEVEL_SHARES[2]),
            ],
        )
        .unwrap_or(SPECIALITE)
    }

    fn unspecific(&mut self, type_index: u8, rng: &mut ChaCha8Rng) -> Result<u32> {
        let text = UNSPECIFIC[self.unspecific_sampler.sample(rng)];
        self.entry(type_index, text.to_string(), Vec::new(), &[])
            .ok_or_else(|| {
                Error::data(
                    Place::file(&self.referential.compo_path),
                    format!("the unspecific entry {text} is also a drug name"),
                )
            })
    }

    /// Picks how the drug of `specialite` is written at `level`, and renders it.
    fn draw_rendering(
        &mut self,
        rng: &mut ChaCha8Rng,
        type_index: u8,
        level: u8,
        specialite: usize,
    ) -> Option<u32> {
        let s = &self.referential.specialites[specialite];
        let (target, kind, variant) = match level {
            SPECIALITE => {
                let former = s.former_name.is_some();
                let kind = pick_weighted(
                    rng,
                    &[
                        (0u8, 85.0),
                        (1, 5.0),
                        (2, 0.5),
                        (3, 3.0),
                        (4, 1.0),
                        (5, 1.0),
                        (6, 1.5),
                        (7, if former { 40.0 } else { 0.0 }),
                        (8, if former { 8.0 } else { 0.0 }),
                    ],
                )?;
                let style = if kind == 6 {
                    rng.random_range(0..4u16)
                } else {
                    0
                };
                // Cut and abbreviated forms start from the former name half
                // the time: a 2012 reporter typed the 2012 name.
                let from_former = former && (3..=6).contains(&kind) && rng.random_bool(0.5);
                let variant = style | if from_former { FROM_FORMER } else { 0 };
                (specialite as u32, kind, variant)
            }
            PRODUIT => {
                let p = s.product;
                let formers = self.former_products[p].len();
                let slash = self.referential.products[p].name.contains('/');
                let kind = pick_weighted(
                    rng,
                    &[
                        (0u8, 88.0),
                        (1, 4.0),
                        (2, 1.0),
                        (3, if slash { 2.0 } else { 0.0 }),
                        (4, if formers > 0 { 30.0 } else { 0.0 }),
                        (5, 3.0),
                    ],
                )?;
                let variant = match kind {
                    4 => rng.random_range(0..formers.max(1)) as u16,
                    5 => rng.random_range(0..4u16),
                    _ => 0,
                };
                (p as u32, kind, variant)
            }
            _ => {
                let code = *s
                    .substances
                    .get(rng.random_range(0..s.substances.len().max(1)))?;
                let substance = self.referential.substances.get(&code)?;
                let variants = substance.names.iter().filter(|n| n.usable).count();
                let kind = pick_weighted(
                    rng,
                    &[
                        (0u8, 80.0),
                        (1, 8.0),
                        (2, if variants > 1 { 5.0 } else { 0.0 }),
                        (
                            3,
                            if substance.base_name.is_some() {
                                3.0
                            } else {
                                0.0
                            },
                        ),
                        (4, 4.0),
                    ],
                )?;
                let variant = if matches!(kind, 1 | 2 | 4) {
                    rng.random_range(0..8u16)
                } else {
                    0
                };
                (code, kind, variant)
            }
        };
        let typo = if rng.random_bool(TYPO_SHARE) {
            1 + geometric(rng, 0.5, 7)
        } else {
            0
        };
        let key = RenderKey {
            type_index,
            level,
            target,
            kind,
            variant,
            typo,
        };
        if let Some(&cached) = self.cache.get(&key) {
            return cached;
        }
        let rendered = self.render(key);
        self.cache.insert(key, rendered);
        rendered
    }

    /// Renders a key: the text, its truth and the spécialités it designates,
    /// then the entry.
    fn render(&mut self, key: RenderKey) -> Option<u32> {
        let (text, truth, sources) = match key.level {
            SPECIALITE => self.render_specialite(key)?,
            PRODUIT => self.render_produit(key)?,
            _ => self.render_substance(key)?,
        };
        let (text, checked_truth) = if key.typo > 0 {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed
                ^ mix(u64::from(key.target) << 8 | u64::from(key.level))
                ^ mix(u64::from(key.kind) << 32
                    | u64::from(key.variant) << 16
                    | u64::from(key.typo))));
            (typo(&text, &mut rng)?, truth)
        } else {
            (text, truth)
        };
        self.entry(key.type_index, text, checked_truth, &sources)
    }

    /// The known truth of a referential name at a level, when it is the
    /// expected one (a name shared by drugs of other substances is refused).
    fn known_truth(&self, level: u8, text: &str, expected: &[u32]) -> Option<Vec<u32>> {
        match self.claimed.get(&(level, name_key(text))) {
            Some(truth) if truth == expected => Some(truth.clone()),
            Some(_) => None,
            None => Some(expected.to_vec()),
        }
    }

    fn render_specialite(&self, key: RenderKey) -> Option<(String, Vec<u32>, Vec<usize>)> {
        let index = key.target as usize;
        let s = &self.referential.specialites[index];
        let own = s.substances.clone();
        let base = if key.variant & FROM_FORMER != 0 {
            s.former_name.as_ref()?
        } else {
            &s.name
        };
        let cut = || -> Option<String> {
            let cut = cut_after_dose(base)?;
            match self.cut_truth.get(&name_key(&cut)) {
                Some(Some(truth)) if *truth == own => Some(cut),
                _ => None,
            }
        };
        let text = match key.kind {
            0 => s.name.clone(),
            1 => fold_upper(&s.name),
            2 => lower(&s.name),
            3 => cut()?,
            4 => fold_upper(&cut()?),
            5 => glue_doses(&fold_upper(&cut()?)),
            6 => {
                cut()?;
                abbreviate(base, u32::from(key.variant & !FROM_FORMER))
            }
            7 => s.former_name.clone()?,
            _ => fold_upper(s.former_name.as_ref()?),
        };
        let truth = self.known_truth(SPECIALITE, &text, &own)?;
        Some((text, truth, vec![index]))
    }

    fn render_produit(&self, key: RenderKey) -> Option<(String, Vec<u32>, Vec<usize>)> {
        let product = self.referential.products.get(key.target as usize)?;
        let own = product.substances.clone();
        let text = match key.kind {
            0 => product.name.clone(),
            1 => sentence_case(&product.name),
            2 => lower(&product.name),
            3 => product.name.replace('/', " "),
            4 => self.former_products[key.target as usize]
                .get(usize::from(key.variant))?
                .clone(),
            _ => {
                // The product with a dose, as typed by reporters who know
                // the strength but name the level "Produit".
                let member =
                    product.specialites[usize::from(key.variant) % product.specialites.len()];
                let cut = cut_after_dose(&self.referential.specialites[member].name)?;
                let glued = glue_doses(&fold_upper(&cut));
                if !glued.starts_with(&fold_upper(&product.name)) {
                    return None;
                }
                glued
            }
        };
        let truth = self.known_truth(PRODUIT, &text, &own)?;
        Some((text, truth, product.specialites.clone()))
    }

    fn render_substance(&self, key: RenderKey) -> Option<(String, Vec<u32>, Vec<usize>)> {
        let substance = self.referential.substances.get(&key.target)?;
        let own = vec![substance.code];
        let variant = usize::from(key.variant);
        let raw = || {
            substance
                .raw_names
                .get(variant % substance.raw_names.len().max(1))
        };
        let text = match key.kind {
            0 => substance.canonical.clone(),
            1 => raw()?.clone(),
            2 => {
                let others: Vec<&String> = substance
                    .names
                    .iter()
                    .filter(|n| n.usable && n.name != substance.canonical)
                    .map(|n| &n.name)
                    .collect();
                others.get(variant % others.len().max(1))?.to_string()
            }
            3 => substance.base_name.clone()?,
            _ => sentence_case(raw()?),
        };
        let truth = self.known_truth(SUBSTANCE, &text, &own)?;
        let sources: Vec<usize> = self
            .specialites_by_substance
            .get(&substance.code)
            .map(|v| v.iter().take(5).copied().collect())
            .unwrap_or_default();
        Some((text, truth, sources))
    }

    /// The three worked examples of formats.md, as reporters typed them.
    pub(crate) fn worked_examples(&mut self) -> Result<Vec<u32>> {
        let r = self.referential;
        let adriblastine: Vec<usize> = WORKED_CIS
            .iter()
            .filter_map(|&cis| r.specialite_by_cis(cis))
            .collect();
        let cefuroxime: Vec<usize> = r
            .products
            .iter()
            .find(|p| p.name == BORLUX_PRODUCT)
            .map(|p| p.specialites.clone())
            .unwrap_or_default();
        let paracetamol: Vec<usize> = self
            .specialites_by_substance
            .get(&2202)
            .map(|v| v.iter().take(3).copied().collect())
            .unwrap_or_default();
        let examples = [
            (SUBSTANCE, "ACETAMINOPHENE", 2202u32, paracetamol),
            (PRODUIT, "BORLUX", 79600, cefuroxime),
            (
                SPECIALITE,
                "ADRIBLASTINE 50 mg, poudre pour solution pour perfusion",
                3236,
                adriblastine,
            ),
        ];
        let mut ids = Vec::new();
        for (type_index, text, code, sources) in examples {
            let id = self
                .entry(type_index, text.to_string(), vec![code], &sources)
                .ok_or_else(|| {
                    Error::data(
                        Place::file(&r.compo_path),
                        format!("worked example {text} conflicts with a generated name"),
                    )
                })?;
            ids.push(id);
        }
        Ok(ids)
    }
}

/// Share of the extract's years (2009–2018) a spécialité authorised in
/// `year` could be reported in: none when authorised later, which also keeps
/// the many recent generics out of a 2009–2018 extract.
fn years_on_market(year: Option<i32>) -> f64 {
    match year {
        Some(year) => (f64::from(2018 - year + 1) / 10.0).clamp(0.0, 1.0),
        None => 1.0,
    }
}

/// Popularity of every spécialité: Zipf over substance groups ranked by the
/// well-known list then by a noisy size, shared within a group by princeps
/// status, marketing, brand fame and noise.
fn specialite_weights(referential: &Referential, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0D0C_7EA5_E000_0002);
    let mut groups: BTreeMap<&[u32], Vec<usize>> = BTreeMap::new();
    for (i, s) in referential.specialites.iter().enumerate() {
        if !s.substances.is_empty() {
            groups.entry(&s.substances).or_default().push(i);
        }
    }
    let word_starts = |codes: &[u32], token: &str| {
        codes.iter().any(|c| {
            referential.substances.get(c).is_some_and(|s| {
                name_key(&s.canonical)
                    .split([' ', '(', ')', '/'])
                    .any(|w| w.starts_with(token))
            })
        })
    };
    let mut curated: Vec<Vec<&[u32]>> = vec![Vec::new(); TOP_GROUPS.len()];
    let mut others: Vec<(f64, &[u32])> = Vec::new();
    for (codes, members) in &groups {
        let top = TOP_GROUPS.iter().position(|tokens| {
            tokens.len() == codes.len() && tokens.iter().all(|t| word_starts(codes, t))
        });
        let noise = (0.9 * normal(&mut rng)).exp();
        match top {
            Some(rank) => curated[rank].push(codes),
            None => {
                let homeopathic = members
                    .iter()
                    .all(|&i| referential.specialites[i].homeopathic);
                let factor = if homeopathic { 0.02 } else { 1.0 };
                others.push(((members.len() as f64).powf(0.6) * noise * factor, codes));
            }
        }
    }
    others.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let zipf = |rank: usize| 1.0 / (rank as f64 + ZIPF_OFFSET).powf(ZIPF_EXPONENT);
    let mut group_weight: HashMap<&[u32], f64> = HashMap::new();
    for (rank, matched) in curated.iter().enumerate() {
        let total: usize = matched.iter().map(|c| groups[c].len()).sum();
        for c in matched {
            group_weight.insert(c, zipf(rank) * groups[c].len() as f64 / total.max(1) as f64);
        }
    }
    for (i, (_, codes)) in others.iter().enumerate() {
        group_weight.insert(codes, zipf(TOP_GROUPS.len() + i));
    }
    let mut weights = vec![0.0; referential.specialites.len()];
    for (codes, members) in &groups {
        let shares: Vec<f64> = members
            .iter()
            .map(|&i| {
                let s = &referential.specialites[i];
                let first = name_key(&s.name);
                let first = first.split(' ').next().unwrap_or("");
                let brand = BRANDS.iter().find(|b| b.0 == first).map_or(1.0, |b| b.1);
                let princeps = if s.princeps { 4.0 } else { 1.0 };
                let marketed = if s.marketed { 1.0 } else { 0.25 };
                brand
                    * princeps
                    * marketed
                    * (0.7 * normal(&mut rng)).exp()
                    * years_on_market(s.authorised_year)
            })
            .collect();
        // Reporters name a few spécialités of a group far more than the
        // others: a Zipf law again, over the group ranked by that score.
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(a.cmp(&b)));
        let rank_weights: Vec<f64> = (0..members.len())
            .map(|rank| 1.0 / ((rank + 1) as f64).powf(GROUP_EXPONENT))
            .collect();
        let total: f64 = rank_weights.iter().sum();
        let weight = group_weight.get(codes).copied().unwrap_or(0.0);
        for (rank, &m) in order.iter().enumerate() {
            weights[members[m]] = weight * rank_weights[rank] / total;
        }
    }
    weights
}
