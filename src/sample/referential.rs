//! The real referential the synthetic extracts are derived from: this module
//! owns reading the BDPM snapshots (current and former) and DataMed's lists,
//! and building from them the three-level hierarchy the generator needs —
//! spécialités with their active substances, products (brand or generic
//! family), substances with every CODEX name variant, and name history
//! (former spécialité and product names).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::{english_spelling, name_key, product_part, swap_salt};
use crate::error::{Error, Place, Result};
use crate::import::text::decode_file;

/// BDPM file names, the same in every snapshot.
pub(crate) const CIS_FILE: &str = "CIS_bdpm.txt";
/// Presentations (packs).
pub(crate) const CIP_FILE: &str = "CIS_CIP_bdpm.txt";
/// Compositions.
pub(crate) const COMPO_FILE: &str = "CIS_COMPO_bdpm.txt";
/// Generic groups.
pub(crate) const GENER_FILE: &str = "CIS_GENER_bdpm.txt";

/// The CODEX product that the worked example "BORLUX" formerly named.
pub(crate) const BORLUX_PRODUCT: &str = "CEFUROXIME ZENTIVA";
/// Substance codes of the worked examples: PARACETAMOL, DOXORUBICINE
/// (CHLORHYDRATE DE), CEFUROXIME AXETIL. Their names are never perturbed.
pub(crate) const WORKED_SUBSTANCES: [u32; 3] = [2202, 3236, 79600];
/// CIS of the ADRIBLASTINE worked example.
pub(crate) const WORKED_CIS: [u32; 2] = [64661854, 64367525];

/// One spécialité (BDPM CIS, CODEX VU).
#[derive(Debug, Clone)]
pub(crate) struct Specialite {
    /// CIS code (8 digits).
    pub cis: u32,
    /// Dénomination as the BDPM spells it.
    pub name: String,
    /// Whether the BDPM says it is marketed.
    pub marketed: bool,
    /// Whether it is the princeps of a generic group.
    pub princeps: bool,
    /// Index of its product in [`Referential::products`].
    pub product: usize,
    /// Active substance codes (nature SA), sorted, without repeats.
    pub substances: Vec<u32>,
    /// Its name in the former snapshot, when it was different.
    pub former_name: Option<String>,
    /// Whether its composition looks homeopathic (rarely reported).
    pub homeopathic: bool,
    /// Year of its marketing authorisation, when the BDPM gives one.
    pub authorised_year: Option<i32>,
}

/// One composition row of a spécialité.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    /// Index of the spécialité.
    pub specialite: usize,
    /// Substance code.
    pub code: u32,
    /// Substance name as written in this composition (BDPM spelling).
    pub raw_name: String,
    /// Active substance (SA) rather than therapeutic fraction (FT).
    pub active: bool,
}

/// One pack of a spécialité.
#[derive(Debug, Clone)]
pub(crate) struct Presentation {
    /// Index of the spécialité.
    pub specialite: usize,
    /// CIP7 code.
    pub cip7: u64,
    /// Pack label.
    pub label: String,
    /// CIP13 code.
    pub cip13: u64,
}

/// One product: a brand or a generic family grouping spécialités.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    /// Name, CODEX spelling (upper case).
    pub name: String,
    /// Indices of its spécialités.
    pub specialites: Vec<usize>,
    /// Union of its spécialités' active substances, sorted.
    pub substances: Vec<u32>,
}

/// A former product name and the current products it points to (several
/// when it is ambiguous).
#[derive(Debug, Clone)]
pub(crate) struct ProductHistory {
    /// The old name, upper case.
    pub old_name: String,
    /// Indices of the current products, sorted.
    pub products: Vec<usize>,
}

/// One name of a substance, as in CODEX's dbo_NomsSubstance.
#[derive(Debug, Clone)]
pub(crate) struct SubstanceName {
    /// codeNomSubstance.
    pub code_name: u32,
    /// The name, upper case without accents (or as DataMed spells it).
    pub name: String,
    /// False for "(NE PAS UTILISER) ..." names, which an importer drops.
    pub usable: bool,
}

/// A substance with all its names.
#[derive(Debug, Clone)]
pub(crate) struct Substance {
    /// Substance code (5 digits).
    pub code: u32,
    /// The canonical name.
    pub canonical: String,
    /// Every name, the canonical one included.
    pub names: Vec<SubstanceName>,
    /// The spellings found in the BDPM compositions, accents kept.
    pub raw_names: Vec<String>,
    /// A one-word base name reporters type alone ("DOXORUBICINE"), when no
    /// other substance could be meant by it.
    pub base_name: Option<String>,
}

/// Everything the generator derives its output from.
#[derive(Debug, Clone)]
pub(crate) struct Referential {
    /// Spécialités of the current snapshot, in BDPM file order.
    pub specialites: Vec<Specialite>,
    /// Composition rows (SA and FT).
    pub components: Vec<Component>,
    /// Packs.
    pub presentations: Vec<Presentation>,
    /// Products, sorted by name.
    pub products: Vec<Product>,
    /// Former product names.
    pub product_history: Vec<ProductHistory>,
    /// Substances by code.
    pub substances: BTreeMap<u32, Substance>,
    /// The 27 French SOC labels.
    pub soc_labels: Vec<String>,
    /// The composition file read, named by errors about the referential.
    pub compo_path: PathBuf,
    /// The SOC label file read.
    pub soc_path: PathBuf,
}

/// The paths the referential is read from.
pub(crate) struct Sources<'a> {
    /// Current BDPM snapshot directory.
    pub bdpm_current: &'a Path,
    /// Former BDPM snapshot directory.
    pub bdpm_former: &'a Path,
    /// DataMed lists directory.
    pub datamed_dir: &'a Path,
}

/// Tab-separated rows of a BDPM file, decoded; trailing empty fields kept.
fn read_rows(path: &Path) -> Result<Vec<Vec<String>>> {
    let decoded = decode_file(path)?;
    Ok(decoded
        .text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split('\t').map(|f| f.trim().to_string()).collect())
        .collect())
}

fn parse_code(field: Option<&String>) -> Option<u32> {
    let field = field?;
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse().ok()
}

/// The nature of a composition row: the field after the dosage columns,
/// searched further right in the malformed rows that carry extra columns.
fn nature(row: &[String]) -> Option<bool> {
    row.iter().skip(6).find_map(|f| match f.as_str() {
        "SA" => Some(true),
        "FT" => Some(false),
        _ => None,
    })
}

/// Product name normalised for prefix tests: '/' and '-' read as spaces.
fn prefix_key(text: &str) -> String {
    name_key(&text.replace(['/', '-'], " "))
}

/// Whether `product` (a key) opens the spécialité name key `name`.
fn opens(name: &str, product: &str) -> bool {
    name.strip_prefix(product)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ',']))
}

/// Reads DataMed's JSON hierarchy: CIS → product name.
fn read_json_products(path: &Path) -> Result<HashMap<u32, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::data(
            Place::file(path),
            format!("not the expected JSON object: {e}"),
        )
    })?;
    let object = value.as_object().ok_or_else(|| {
        Error::data(
            Place::file(path),
            "expected an object keyed by spécialité name",
        )
    })?;
    let mut out = HashMap::new();
    for entry in object.values() {
        let Some(product) = entry.get("produit").and_then(|p| p.as_str()) else {
            continue;
        };
        let Some(cis_list) = entry.get("cis").and_then(|c| c.as_array()) else {
            continue;
        };
        for cis in cis_list.iter().filter_map(|c| c.as_str()) {
            if let Ok(cis) = cis.parse::<u32>() {
                out.insert(cis, product.to_string());
            }
        }
    }
    Ok(out)
}

/// Reads DataMed's list of CODEX names: (products, substances), each keyed
/// by name key with the list's own spelling.
fn read_name_list(path: &Path) -> Result<(HashMap<String, String>, HashMap<String, String>)> {
    let decoded = decode_file(path)?;
    let mut products = HashMap::new();
    let mut substances = HashMap::new();
    for line in decoded.text.lines().skip(1) {
        let Some((name, kind)) = line.rsplit_once(';') else {
            continue;
        };
        let name = name.trim();
        match kind.trim() {
            "Produit" => products.insert(name_key(name), name.to_string()),
            "Substance" => substances.insert(name_key(name), name.to_string()),
            _ => None,
        };
    }
    Ok((products, substances))
}

/// The product a spécialité name belongs to when DataMed does not say: the
/// longest DataMed product name opening it, else its words before the dose.
/// Returns a name key.
fn derive_product(name: &str, list_prefixes: &HashMap<String, String>) -> String {
    let key = prefix_key(name);
    let words: Vec<&str> = key.split(' ').collect();
    for n in (1..=words.len().min(6)).rev() {
        let candidate = words[..n].join(" ");
        let candidate = candidate.trim_end_matches(',');
        if let Some(spelling) = list_prefixes.get(candidate) {
            return name_key(spelling);
        }
    }
    product_part(name)
}

impl Referential {
    /// Reads and derives everything. `seed` drives the few synthetic choices
    /// (which substances lose their canonical code, which names are marked
    /// "(NE PAS UTILISER)").
    pub(crate) fn load(sources: &Sources<'_>, seed: u64) -> Result<Self> {
        let current = |file: &str| sources.bdpm_current.join(file);
        let cis_rows = read_rows(&current(CIS_FILE))?;
        let compo_rows = read_rows(&current(COMPO_FILE))?;
        let cip_rows = read_rows(&current(CIP_FILE))?;
        let gener_rows = read_rows(&current(GENER_FILE))?;
        let former_cis_rows = read_rows(&sources.bdpm_former.join(CIS_FILE))?;
        let former_compo_rows = read_rows(&sources.bdpm_former.join(COMPO_FILE))?;
        let json_path = sources.datamed_dir.join("substance_by_specialite.json");
        let json_products = read_json_products(&json_path)?;
        let list_path = sources.datamed_dir.join("liste_produits_substances.csv");
        let (list_products, list_substances) = read_name_list(&list_path)?;
        let soc_path = sources.datamed_dir.join("soc_labels_fr.txt");
        let soc_labels: Vec<String> = decode_file(&soc_path)?
            .text
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if soc_labels.is_empty() {
            return Err(Error::data(Place::file(&soc_path), "no SOC label"));
        }

        let princeps: HashSet<u32> = gener_rows
            .iter()
            .filter(|r| r.get(3).is_some_and(|t| t == "0"))
            .filter_map(|r| parse_code(r.get(2)))
            .collect();
        let former_names: HashMap<u32, String> = former_cis_rows
            .iter()
            .filter_map(|r| Some((parse_code(r.first())?, r.get(1)?.clone())))
            .collect();

        // Spécialités, in file order; a repeated CIS keeps its first row.
        let mut specialites: Vec<Specialite> = Vec::with_capacity(cis_rows.len());
        let mut index_of: HashMap<u32, usize> = HashMap::new();
        for row in &cis_rows {
            let (Some(cis), Some(name)) = (parse_code(row.first()), row.get(1)) else {
                continue;
            };
            if name.is_empty() || index_of.contains_key(&cis) {
                continue;
            }
            index_of.insert(cis, specialites.len());
            let former_name = former_names.get(&cis).filter(|f| *f != name).cloned();
            specialites.push(Specialite {
                cis,
                name: name.clone(),
                marketed: row.get(6).is_some_and(|s| s == "Commercialisée"),
                princeps: princeps.contains(&cis),
                product: 0,
                substances: Vec::new(),
                former_name,
                authorised_year: row
                    .get(7)
                    .and_then(|d| d.rsplit('/').next())
                    .and_then(|y| y.parse().ok()),
                homeopathic: row.get(10).is_some_and(|h| {
                    let h = name_key(h);
                    h.contains("BOIRON") || h.contains("LEHNING") || h.contains("WELEDA")
                }),
            });
        }

        let mut components = Vec::with_capacity(compo_rows.len());
        for row in &compo_rows {
            let (Some(cis), Some(code), Some(name), Some(active)) = (
                parse_code(row.first()),
                parse_code(row.get(2)),
                row.get(3),
                nature(row),
            ) else {
                continue;
            };
            let Some(&specialite) = index_of.get(&cis) else {
                continue;
            };
            if name_key(name).contains("HOMEOPATHI") {
                specialites[specialite].homeopathic = true;
            }
            if active {
                specialites[specialite].substances.push(code);
            }
            components.push(Component {
                specialite,
                code,
                raw_name: name.clone(),
                active,
            });
        }
        for s in &mut specialites {
            s.substances.sort_unstable();
            s.substances.dedup();
        }

        let presentations = cip_rows
            .iter()
            .filter_map(|row| {
                let specialite = *index_of.get(&parse_code(row.first())?)?;
                let cip7: u64 = row.get(1)?.parse().ok()?;
                let cip13: u64 = row.get(6)?.parse().ok()?;
                Some(Presentation {
                    specialite,
                    cip7,
                    label: row.get(2)?.clone(),
                    cip13,
                })
            })
            .collect();

        let (products, product_history) =
            build_products(&mut specialites, &json_products, &list_products).ok_or_else(|| {
                Error::data(
                    Place::file(&current(CIS_FILE)),
                    format!("no {BORLUX_PRODUCT} spécialité: the BORLUX worked example needs it"),
                )
            })?;
        let substances = build_substances(&components, &former_compo_rows, &list_substances, seed);
        Ok(Referential {
            specialites,
            components,
            presentations,
            products,
            product_history,
            substances,
            soc_labels,
            compo_path: current(COMPO_FILE),
            soc_path,
        })
    }

    /// The index of a spécialité by CIS.
    pub(crate) fn specialite_by_cis(&self, cis: u32) -> Option<usize> {
        self.specialites.iter().position(|s| s.cis == cis)
    }
}

/// Assigns every spécialité a product and collects former product names;
/// `None` when the BORLUX worked example's product is missing.
fn build_products(
    specialites: &mut [Specialite],
    json_products: &HashMap<u32, String>,
    list_products: &HashMap<String, String>,
) -> Option<(Vec<Product>, Vec<ProductHistory>)> {
    // Sorted, so that of two spellings with one prefix key ("A/B X" and
    // "A B X") the same one wins on every run.
    let mut spellings: Vec<&String> = list_products.values().collect();
    spellings.sort();
    let mut list_prefixes: HashMap<String, String> = HashMap::new();
    for spelling in spellings {
        list_prefixes
            .entry(prefix_key(spelling))
            .or_insert_with(|| spelling.clone());
    }
    // Product name keys, one per spécialité.
    let mut product_names: Vec<String> = Vec::with_capacity(specialites.len());
    // (old name, current name) pairs, from two sources: DataMed names that
    // no longer open the current spécialité name (renamed since 2021), and
    // the product part of the former snapshot's names.
    let mut renamed: BTreeSet<(String, String)> = BTreeSet::new();
    for s in specialites.iter() {
        let name = prefix_key(&s.name);
        let derived = derive_product(&s.name, &list_prefixes);
        let product = match json_products.get(&s.cis) {
            Some(json) if opens(&name, &prefix_key(json)) => name_key(json),
            Some(json) => {
                renamed.insert((name_key(json), derived.clone()));
                derived
            }
            None => derived,
        };
        if let Some(former) = &s.former_name {
            let old = derive_product(former, &list_prefixes);
            renamed.insert((old, product.clone()));
        }
        product_names.push(product);
    }

    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, name) in product_names.iter().enumerate() {
        by_name.entry(name.clone()).or_default().push(i);
    }
    let mut products = Vec::with_capacity(by_name.len());
    let mut product_index: HashMap<String, usize> = HashMap::new();
    for (key, members) in by_name {
        // CODEX spells some names with accents DataMed kept ("FLECAÏNIDE").
        let name = list_products.get(&key).cloned().unwrap_or(key);
        let mut substances: Vec<u32> = members
            .iter()
            .flat_map(|&i| specialites[i].substances.iter().copied())
            .collect();
        substances.sort_unstable();
        substances.dedup();
        for &i in &members {
            specialites[i].product = products.len();
        }
        product_index.insert(name_key(&name), products.len());
        products.push(Product {
            name,
            specialites: members,
            substances,
        });
    }

    let mut history: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (old, current) in renamed {
        let old_key = name_key(&old);
        // An old name still in use is not a former name.
        if old_key.is_empty() || product_index.contains_key(&old_key) {
            continue;
        }
        if let Some(&p) = product_index.get(&name_key(&current)) {
            history.entry(old_key).or_default().insert(p);
        }
    }
    let borlux = *product_index.get(BORLUX_PRODUCT)?;
    history
        .entry("BORLUX".to_string())
        .or_default()
        .insert(borlux);
    add_ambiguous_history(&products, &mut history);
    let product_history = history
        .into_iter()
        .map(|(old_name, products)| ProductHistory {
            old_name,
            products: products.into_iter().collect(),
        })
        .collect();
    Some((products, product_history))
}

/// Makes sure a few former product names are ambiguous, as in the real
/// history: a generic laboratory absorbed by another left one old name for
/// two current families sharing a first word.
fn add_ambiguous_history(products: &[Product], history: &mut BTreeMap<String, BTreeSet<usize>>) {
    let ambiguous = history.values().filter(|p| p.len() > 1).count();
    if ambiguous >= 3 {
        return;
    }
    let mut by_first_word: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in products.iter().enumerate() {
        if let Some(first) = p.name.split(' ').next()
            && p.name.ends_with(" BIOGARAN")
        {
            by_first_word.entry(first).or_default().push(i);
        }
    }
    let mut added = 0;
    for (first, members) in by_first_word {
        if members.len() < 2 || first.len() < 6 {
            continue;
        }
        let old = format!("{first} GNR");
        if history.contains_key(&old) {
            continue;
        }
        history.insert(old, members[..2].iter().copied().collect());
        added += 1;
        if added + ambiguous >= 3 {
            break;
        }
    }
}

/// Builds every substance's names: the canonical one (DataMed's spelling
/// when it knows the substance, else the parenthesised salt form, else the
/// most frequent BDPM spelling), the other BDPM spellings of both snapshots,
/// salt rewrites, English spellings, and a few "(NE PAS UTILISER)" names.
/// codeNomSubstance values are allocated from numbers no substance uses.
fn build_substances(
    components: &[Component],
    former_compo_rows: &[Vec<String>],
    list_substances: &HashMap<String, String>,
    seed: u64,
) -> BTreeMap<u32, Substance> {
    let mut spellings: BTreeMap<u32, BTreeMap<String, usize>> = BTreeMap::new();
    let mut raw: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for c in components {
        *spellings
            .entry(c.code)
            .or_default()
            .entry(name_key(&c.raw_name))
            .or_default() += 1;
        raw.entry(c.code).or_default().insert(c.raw_name.clone());
    }
    let mut used_codes: HashSet<u32> = spellings.keys().copied().collect();
    let mut former: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for row in former_compo_rows {
        if let (Some(code), Some(name)) = (parse_code(row.get(2)), row.get(3)) {
            used_codes.insert(code);
            former.entry(code).or_default().insert(name_key(name));
        }
    }

    // Pass 1: names per code, BDPM ones first; a synthetic name already
    // claimed by another substance is left out so that it stays unambiguous.
    let mut owner: HashMap<String, u32> = HashMap::new();
    let mut planned: BTreeMap<u32, (String, Vec<String>)> = BTreeMap::new();
    for (&code, counts) in &spellings {
        let mut keys: Vec<(&String, &usize)> = counts.iter().collect();
        keys.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let in_list = keys.iter().find_map(|(k, _)| list_substances.get(*k));
        let parenthesised = keys
            .iter()
            .find(|(k, _)| swap_salt(k).is_some() && k.contains(" ("))
            .map(|(k, _)| (*k).clone());
        let canonical = in_list
            .cloned()
            .or(parenthesised)
            .unwrap_or_else(|| keys[0].0.clone());
        let mut variants: Vec<String> = keys.iter().map(|(k, _)| (*k).clone()).collect();
        if let Some(old) = former.get(&code) {
            variants.extend(old.iter().cloned());
        }
        for v in &variants {
            owner.entry(v.clone()).or_insert(code);
        }
        owner.entry(name_key(&canonical)).or_insert(code);
        planned.insert(code, (canonical, variants));
    }
    let mut synthetic: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (&code, (canonical, variants)) in &planned {
        let mut extra = Vec::new();
        for name in std::iter::once(canonical).chain(variants.iter()) {
            let key = name_key(name);
            extra.extend(swap_salt(&key));
        }
        extra.extend(english_spelling(&name_key(canonical)));
        let mut kept = Vec::new();
        for name in extra {
            if *owner.entry(name.clone()).or_insert(code) == code {
                kept.push(name);
            }
        }
        synthetic.insert(code, kept);
    }

    // Pass 2: codes. Variants first, so that a substance whose canonical
    // name lost its own code still has it under the highest code, which is
    // ORDEI's fallback rule.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5AB5_7A4C_E000_0001);
    let mut next_code = 1u32;
    let mut allocate = || {
        while used_codes.contains(&next_code) {
            next_code += 1;
        }
        used_codes.insert(next_code);
        next_code
    };
    let mut substances = BTreeMap::new();
    let base_owner = base_names(&planned, &owner);
    for (code, (canonical, variants)) in planned {
        let worked = WORKED_SUBSTANCES.contains(&code);
        let canonical_key = name_key(&canonical);
        let mut names: Vec<SubstanceName> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(canonical_key.clone());
        let all_variants = variants
            .into_iter()
            .chain(synthetic.remove(&code).unwrap_or_default());
        for v in all_variants {
            if seen.insert(name_key(&v)) {
                names.push(SubstanceName {
                    code_name: allocate(),
                    name: v,
                    usable: true,
                });
            }
        }
        if !worked && rng.random_bool(0.04) {
            names.push(SubstanceName {
                code_name: allocate(),
                name: format!("(NE PAS UTILISER) {canonical_key}"),
                usable: false,
            });
        }
        let lost_code = !worked && rng.random_bool(0.01);
        let canonical_code = if lost_code { allocate() } else { code };
        names.insert(
            0,
            SubstanceName {
                code_name: canonical_code,
                name: canonical.clone(),
                usable: true,
            },
        );
        let base_name = base_owner.get(&code).cloned();
        substances.insert(
            code,
            Substance {
                code,
                canonical,
                names,
                raw_names: raw.remove(&code).unwrap_or_default().into_iter().collect(),
                base_name,
            },
        );
    }
    substances
}

/// One-word bases of salt names ("DOXORUBICINE") that designate a single
/// substance: no substance is named so, and no other salt shares the base.
fn base_names(
    planned: &BTreeMap<u32, (String, Vec<String>)>,
    owner: &HashMap<String, u32>,
) -> HashMap<u32, String> {
    // Sorted, so that a substance with two bases keeps the same one.
    let mut by_base: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (&code, (canonical, variants)) in planned {
        for name in std::iter::once(canonical).chain(variants.iter()) {
            if let Some(base) = super::names::salt_base(&name_key(name)) {
                by_base.entry(base).or_default().insert(code);
            }
        }
    }
    // A base shared with the first word of any other substance's name is
    // ambiguous too.
    let mut first_words: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    for (name, &code) in owner {
        if let Some(first) = name.split([' ', '(']).next() {
            first_words.entry(first).or_default().insert(code);
        }
    }
    by_base
        .into_iter()
        .filter(|(base, codes)| {
            codes.len() == 1
                && !owner.contains_key(base)
                && first_words.get(base.as_str()).is_none_or(|c| c == codes)
        })
        .filter_map(|(base, codes)| Some((*codes.iter().next()?, base)))
        .fold(HashMap::new(), |mut out, (code, base)| {
            out.entry(code).or_insert(base);
            out
        })
}
