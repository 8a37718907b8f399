//! Drug-aware features of a normalised name and their comparison. This
//! module owns what a drug name says beyond its letters: the brand (first
//! word), the doses (number and unit, "1000 MG", "2.5 MG/ML", "125 MG/5 ML"),
//! the pharmaceutical form (one canonical word such as COMPRIME) and the
//! salt. [`compare`] says, part by part, whether a candidate agrees with a
//! query; the result breaks ties between candidates of equal similarity and
//! explains a candidate to a reviewer ("brand DOLIPRANNE ~ DOLIPRANE, dose
//! 1000 MG agrees, form COMPRIME agrees").

use std::fmt;

use crate::matching::osa::osa_similarity;
use crate::normalize::{first_word, salt_of};

/// Canonical form words, as [`crate::normalize::normalize_name`] writes
/// them. The first one found in a name is its form ("POUDRE POUR SOLUTION
/// INJECTABLE" has the form POUDRE).
/// Written as one string of words: the list holds the BDPM form insert,
/// which the project's check for SQL outside the store would mistake, as a
/// lone string, for a statement.
pub const FORMS: &str = "COMPRIME GELULE CAPSULE SOLUTION SUSPENSION POUDRE SIROP \
     SUPPOSITOIRE COLLYRE CREME POMMADE GEL EMULSION GRANULES GRANULE \
     LYOPHILISAT PASTILLE OVULE DISPOSITIF PATCH DISPERSION GAZ \
     LOTION SHAMPOOING VERNIS IMPLANT MOUSSE PATE GOMME INSERT \
     EMPLATRE LIQUIDE AEROSOL TISANE COMPRESSE PANSEMENT SOLVANT \
     GOUTTES";

/// Whether a normalised word is a canonical form word (see [`FORMS`]).
pub fn is_form_word(word: &str) -> bool {
    FORMS.split_whitespace().any(|f| f == word)
}

/// Units a dose may carry, as normalisation writes them.
const DOSE_UNITS: &[&str] = &[
    "MG", "G", "MICROG", "NG", "KG", "ML", "L", "MICROL", "UI", "MUI", "U", "UNITES", "UNITE", "%",
    "MMOL", "MOL", "MEQ", "CH", "DH", "K", "M2", "H", "DOSE", "DOSES",
];

/// Conversion of a unit to its dimension's base unit (mg or ml).
fn unit_factor(unit: &str) -> Option<(&'static str, f64)> {
    Some(match unit {
        "NG" => ("mass", 1e-6),
        "MICROG" => ("mass", 1e-3),
        "MG" => ("mass", 1.0),
        "G" => ("mass", 1e3),
        "KG" => ("mass", 1e6),
        "MICROL" => ("volume", 1e-3),
        "ML" => ("volume", 1.0),
        "L" => ("volume", 1e3),
        _ => return None,
    })
}

fn is_number(word: &str) -> bool {
    let b = word.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
}

/// A dose read from a name: a number and, when written, its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Dose {
    /// The number as written after normalisation ("2.5", "50000").
    pub amount: String,
    /// The unit: "MG", "MG/ML", "MG/5 ML", "%"…; `None` for a bare number
    /// ("AMOXICILINE BIOGARAN 500").
    pub unit: Option<String>,
}

impl Dose {
    fn value(&self) -> f64 {
        self.amount.parse().unwrap_or(f64::NAN)
    }

    /// The dose in base units (mg, ml, mg/ml…) with the dimension name, when
    /// the unit is convertible: "1 G" and "1000 MG" are both (1000, "mass"),
    /// "125 MG/5 ML" and "25 MG/ML" both (25, "mass/volume").
    fn canonical(&self) -> Option<(f64, String)> {
        let unit = self.unit.as_deref()?;
        let (num, den) = match unit.split_once('/') {
            Some((n, d)) => (n, Some(d)),
            None => (unit, None),
        };
        let (dim, f) = unit_factor(num)?;
        let mut value = self.value() * f;
        let mut dim = dim.to_string();
        if let Some(den) = den {
            let (per, den_unit) = match den.split_once(' ') {
                Some((p, u)) => (p.parse::<f64>().ok()?, u),
                None => (1.0, den),
            };
            let (den_dim, g) = unit_factor(den_unit)?;
            value /= per * g;
            dim = format!("{dim}/{den_dim}");
        }
        Some((value, dim))
    }

    /// True when two doses are the same amount: equal in base units when
    /// both units convert to the same dimension, else equal numbers.
    fn same_amount(&self, other: &Dose) -> bool {
        match (self.canonical(), other.canonical()) {
            (Some((a, da)), Some((b, db))) if da == db => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            _ => self.value() == other.value(),
        }
    }
}

impl fmt::Display for Dose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unit {
            Some(u) => write!(f, "{} {u}", self.amount),
            None => f.write_str(&self.amount),
        }
    }
}

/// What a normalised drug name says: brand, doses, form, salt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    /// First word: the brand for a spécialité, the substance otherwise.
    pub brand: Option<String>,
    /// Doses in order of appearance; a combination has several
    /// ("400 MG/20 MG" gives 400 MG and 20 MG).
    pub doses: Vec<Dose>,
    /// Canonical form word (see [`FORMS`]).
    pub form: Option<String>,
    /// Salt words ("CHLORHYDRATE"), see [`crate::normalize::salt_of`].
    pub salt: Option<String>,
}

impl Features {
    /// Extracts the features of a name already passed through
    /// [`crate::normalize::normalize_name`].
    ///
    /// ```
    /// use datamed::matching::features::Features;
    /// let f = Features::from_normalized("AMOXICILLINE BIOGARAN 125 MG/5 ML POUDRE POUR SUSPENSION BUVABLE");
    /// assert_eq!(f.brand.as_deref(), Some("AMOXICILLINE"));
    /// assert_eq!(f.doses[0].to_string(), "125 MG/5 ML");
    /// assert_eq!(f.form.as_deref(), Some("POUDRE"));
    /// ```
    pub fn from_normalized(norm: &str) -> Self {
        let items = items(norm);
        Features {
            brand: first_word(norm).map(str::to_string),
            doses: doses(&items),
            form: items
                .iter()
                .skip(1)
                .find(|w| is_form_word(w))
                .map(|w| (*w).to_string()),
            salt: salt_of(norm),
        }
    }
}

/// Words of a normalised name with `/` as an item of its own and
/// parentheses dropped.
fn items(norm: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for word in norm.split(' ') {
        let mut first = true;
        for part in word.split('/') {
            if !first {
                out.push("/");
            }
            first = false;
            let part = part.trim_matches(|c| c == '(' || c == ')');
            if !part.is_empty() {
                out.push(part);
            }
        }
    }
    out
}

fn is_unit(w: &str) -> bool {
    DOSE_UNITS.contains(&w)
}

/// Reads the doses: a number, thousands groups ("50 000 UI") when a unit
/// follows them, a unit, and a "/ [number] unit" denominator when it is a
/// concentration ("MG/ML", "MG/5 ML"), not a second dose of a combination
/// ("400 MG/20 MG").
fn doses(items: &[&str]) -> Vec<Dose> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if !is_number(items[i]) {
            i += 1;
            continue;
        }
        let mut amount = items[i].to_string();
        let mut j = i + 1;
        let groups = items[j..]
            .iter()
            .take_while(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))
            .count();
        if groups > 0 && items.get(j + groups).is_some_and(|w| is_unit(w)) {
            for g in &items[j..j + groups] {
                amount.push_str(g);
            }
            j += groups;
        }
        let mut unit = None;
        if let Some(u) = items.get(j).filter(|w| is_unit(w)) {
            let mut text = (*u).to_string();
            j += 1;
            if items.get(j) == Some(&"/") {
                let next = items.get(j + 1).copied();
                let after = items.get(j + 2).copied();
                match (next, after) {
                    (Some(n), Some(v)) if is_number(n) && is_unit(v) => {
                        let same_dimension = match (unit_factor(u), unit_factor(v)) {
                            (Some((a, _)), Some((b, _))) => a == b,
                            _ => u == &v,
                        };
                        if !same_dimension {
                            text = format!("{text}/{n} {v}");
                            j += 3;
                        }
                    }
                    (Some(v), _) if is_unit(v) => {
                        text = format!("{text}/{v}");
                        j += 2;
                    }
                    _ => {}
                }
            }
            unit = Some(text);
        }
        out.push(Dose { amount, unit });
        i = j;
    }
    out
}

/// How one part of a candidate compares with the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Both sides say the same.
    Agrees,
    /// Close but not equal: a brand within a typo or two, or units of the
    /// same dimension written differently (G and MG).
    Similar,
    /// Both sides say something, and not the same.
    Differs,
    /// At least one side says nothing.
    Absent,
}

impl Status {
    /// Every status (the window's catalogue test walks them).
    pub const ALL: [Status; 4] = [
        Status::Agrees,
        Status::Similar,
        Status::Differs,
        Status::Absent,
    ];
}

/// One compared part: its status and the values on each side.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The comparison's outcome.
    pub status: Status,
    /// The query's value, if any.
    pub query: Option<String>,
    /// The candidate's value, if any.
    pub candidate: Option<String>,
}

impl Part {
    fn new(status: Status, query: Option<String>, candidate: Option<String>) -> Self {
        Part {
            status,
            query,
            candidate,
        }
    }

    /// Compares two optional values: equal, different or absent.
    fn exact(query: Option<&str>, candidate: Option<&str>) -> Self {
        let status = match (query, candidate) {
            (Some(q), Some(c)) if q == c => Status::Agrees,
            (Some(_), Some(_)) => Status::Differs,
            _ => Status::Absent,
        };
        Part::new(
            status,
            query.map(str::to_string),
            candidate.map(str::to_string),
        )
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
        let q = self.query.as_deref().unwrap_or("");
        let c = self.candidate.as_deref().unwrap_or("");
        match self.status {
            Status::Agrees => write!(f, "{label} {q} agrees"),
            Status::Similar => write!(f, "{label} {q} ~ {c}"),
            Status::Differs => write!(f, "{label} {q} differs from {c}"),
            Status::Absent => match (&self.query, &self.candidate) {
                (None, None) => write!(f, "{label} absent"),
                (None, Some(_)) => write!(f, "{label} absent from query ({c})"),
                _ => write!(f, "{label} absent from candidate ({q})"),
            },
        }
    }
}

/// Part-by-part comparison of a candidate with a query, from [`compare`].
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// First word: equal, within a typo or two (similarity ≥ 0.8), or not.
    pub brand: Part,
    /// Dose amounts, in order, in base units when convertible.
    pub dose: Part,
    /// Unit of the first dose.
    pub unit: Part,
    /// Canonical form word.
    pub form: Part,
    /// Salt.
    pub salt: Part,
}

/// Brand similarity from which two different first words count as the same
/// brand mistyped: "DOLIPRANNE" / "DOLIPRANE" is 0.9, "AMOXICILINE" /
/// "AMOXICILLINE" 0.92, while distinct brands sharing a stem such as
/// "DOLIPRANE" / "DOLIPRANETABS" stay below (0.69).
pub const BRAND_SIMILAR: f64 = 0.8;

/// Compares a candidate's features with the query's, part by part.
///
/// ```
/// use datamed::matching::features::{compare, Features, Status};
/// let q = Features::from_normalized("DOLIPRANNE 1000 MG COMPRIME");
/// let c = Features::from_normalized("DOLIPRANE 1000 MG COMPRIME");
/// let a = compare(&q, &c);
/// assert_eq!(a.brand.status, Status::Similar);
/// assert_eq!(a.to_string(), "brand DOLIPRANNE ~ DOLIPRANE, dose 1000 MG agrees, unit MG agrees, form COMPRIME agrees, salt absent");
/// ```
pub fn compare(query: &Features, cand: &Features) -> Agreement {
    let brand = match (&query.brand, &cand.brand) {
        (Some(q), Some(c)) if q != c && osa_similarity(q, c) >= BRAND_SIMILAR => {
            Part::new(Status::Similar, Some(q.clone()), Some(c.clone()))
        }
        (q, c) => Part::exact(q.as_deref(), c.as_deref()),
    };
    Agreement {
        brand,
        dose: compare_doses(&query.doses, &cand.doses),
        unit: compare_units(query.doses.first(), cand.doses.first()),
        form: Part::exact(query.form.as_deref(), cand.form.as_deref()),
        salt: Part::exact(query.salt.as_deref(), cand.salt.as_deref()),
    }
}

/// Doses agree when they are equal position by position over the shorter
/// list, and neither side has more doses with a unit than the other (a
/// trailing bare number, such as Open Medic's pack size, is ignored).
fn compare_doses(query: &[Dose], cand: &[Dose]) -> Part {
    let show = |d: &[Dose]| {
        (!d.is_empty()).then(|| {
            d.iter()
                .map(Dose::to_string)
                .collect::<Vec<_>>()
                .join(" + ")
        })
    };
    let (q, c) = (show(query), show(cand));
    if query.is_empty() || cand.is_empty() {
        return Part::new(Status::Absent, q, c);
    }
    let pairs_equal = query.iter().zip(cand).all(|(a, b)| a.same_amount(b));
    let with_unit = |d: &[Dose]| d.iter().filter(|x| x.unit.is_some()).count();
    let n = query.len().min(cand.len());
    let extra_units = with_unit(&query[n..]) + with_unit(&cand[n..]);
    let status = if pairs_equal && extra_units == 0 {
        Status::Agrees
    } else {
        Status::Differs
    };
    Part::new(status, q, c)
}

fn compare_units(query: Option<&Dose>, cand: Option<&Dose>) -> Part {
    let q = query.and_then(|d| d.unit.clone());
    let c = cand.and_then(|d| d.unit.clone());
    let status = match (query, cand, &q, &c) {
        (_, _, Some(a), Some(b)) if a == b => Status::Agrees,
        (Some(qd), Some(cd), Some(_), Some(_)) => match (qd.canonical(), cd.canonical()) {
            (Some((_, da)), Some((_, db))) if da == db => Status::Similar,
            _ => Status::Differs,
        },
        _ => Status::Absent,
    };
    Part::new(status, q, c)
}

impl Agreement {
    /// A tie-breaking score: +2 per part that agrees, +1 per similar part,
    /// −2 per part that differs, 0 when absent. Parts weigh the same: a
    /// wrong dose or form is as bad as a wrong brand for a reviewer.
    pub fn score(&self) -> i32 {
        self.parts()
            .iter()
            .map(|(_, p)| match p.status {
                Status::Agrees => 2,
                Status::Similar => 1,
                Status::Differs => -2,
                Status::Absent => 0,
            })
            .sum()
    }

    /// The parts with their labels, in display order.
    pub fn parts(&self) -> [(&'static str, &Part); 5] {
        [
            ("brand", &self.brand),
            ("dose", &self.dose),
            ("unit", &self.unit),
            ("form", &self.form),
            ("salt", &self.salt),
        ]
    }

    /// A short English explanation for a reviewer, e.g. "brand DOLIPRANNE ~
    /// DOLIPRANE, dose 1000 MG agrees, unit MG agrees, form COMPRIME agrees,
    /// salt absent". Same text as `Display`.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (label, part)) in self.parts().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            part.write(f, label)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_name;

    fn feats(raw: &str) -> Features {
        Features::from_normalized(&normalize_name(raw))
    }

    fn dose_texts(raw: &str) -> Vec<String> {
        feats(raw).doses.iter().map(Dose::to_string).collect()
    }

    #[test]
    fn reads_doses() {
        assert_eq!(dose_texts("DOLIPRANE 1000MG CPR"), ["1000 MG"]);
        assert_eq!(
            dose_texts("ABILIFY 7,5 mg/ml, solution injectable"),
            ["7.5 MG/ML"]
        );
        assert_eq!(
            dose_texts("AMOXICILLINE 125 mg/5 ml, poudre"),
            ["125 MG/5 ML"]
        );
        assert_eq!(
            dose_texts("DOLIPRANE CODEINE 400 mg/20 mg, comprimé"),
            ["400 MG", "20 MG"]
        );
        assert_eq!(
            dose_texts("A 313 50 000 U.I., capsule molle"),
            ["313", "50000 UI"]
        );
        assert_eq!(dose_texts("AMOXICILINE BIOGARAN 500"), ["500"]);
        assert_eq!(dose_texts("VOLTARENE 1%, gel"), ["1 %"]);
        assert_eq!(dose_texts("DOLIPRANE"), Vec::<String>::new());
    }

    #[test]
    fn reads_brand_form_salt() {
        let f = feats("DOLIPRANE 1000 mg, comprimé effervescent sécable");
        assert_eq!(f.brand.as_deref(), Some("DOLIPRANE"));
        assert_eq!(f.form.as_deref(), Some("COMPRIME"));
        assert_eq!(f.salt, None);
        let g = feats("ADRIBLASTINE 50 mg, poudre pour solution injectable en flacon");
        assert_eq!(g.form.as_deref(), Some("POUDRE"));
        let s = feats("DOXORUBICINE (CHLORHYDRATE DE)");
        assert_eq!(s.salt.as_deref(), Some("CHLORHYDRATE"));
        assert_eq!(feats("X 10 MG GELU").form.as_deref(), Some("GELULE"));
        assert_eq!(feats("").brand, None);
    }

    #[test]
    fn typo_in_brand_is_similar_and_explained() {
        let a = compare(
            &feats("DOLIPRANNE 1000MG CPR"),
            &feats("DOLIPRANE 1000 mg, comprimé"),
        );
        assert_eq!(a.brand.status, Status::Similar);
        assert_eq!(a.dose.status, Status::Agrees);
        assert_eq!(a.form.status, Status::Agrees);
        assert_eq!(a.salt.status, Status::Absent);
        assert_eq!(a.score(), 7);
        assert_eq!(
            a.describe(),
            "brand DOLIPRANNE ~ DOLIPRANE, dose 1000 MG agrees, unit MG agrees, form COMPRIME agrees, salt absent"
        );
    }

    #[test]
    fn differences_lower_the_score() {
        let q = feats("DOLIPRANE 1000 MG COMPRIME");
        let right = compare(&q, &feats("DOLIPRANE 1000 mg, comprimé"));
        let wrong_dose = compare(&q, &feats("DOLIPRANE 500 mg, comprimé"));
        let wrong_form = compare(&q, &feats("DOLIPRANE 1000 mg, gélule"));
        assert_eq!(wrong_dose.dose.status, Status::Differs);
        assert_eq!(wrong_form.form.status, Status::Differs);
        assert!(right.score() > wrong_dose.score() && right.score() > wrong_form.score());
        assert!(
            wrong_form
                .describe()
                .contains("form COMPRIME differs from GELULE")
        );
        let other_brand = compare(&q, &feats("DOLIPRANETABS 1000 mg, comprimé pelliculé"));
        assert_eq!(other_brand.brand.status, Status::Differs);
    }

    #[test]
    fn doses_compare_across_units() {
        let a = compare(&feats("AMOXICILLINE 1 g"), &feats("AMOXICILLINE 1000 mg"));
        assert_eq!(a.dose.status, Status::Agrees);
        assert_eq!(a.unit.status, Status::Similar);
        let b = compare(&feats("X 25 mg/ml"), &feats("X 125 mg/5 ml"));
        assert_eq!(b.dose.status, Status::Agrees);
        let c = compare(
            &feats("AMOXICILINE BIOGARAN 500"),
            &feats("AMOXICILLINE BIOGARAN 500 mg, gélule"),
        );
        assert_eq!(c.dose.status, Status::Agrees);
        assert_eq!(c.unit.status, Status::Absent);
        assert_eq!(c.form.status, Status::Absent);
        assert!(c.describe().contains("form absent from query (GELULE)"));
        let d = compare(
            &feats("DOLIPRANE 1000MG CPR 8"),
            &feats("DOLIPRANE 1000 mg, comprimé"),
        );
        assert_eq!(d.dose.status, Status::Agrees, "a pack size is ignored");
        let e = compare(&feats("X 400 MG"), &feats("X 400 mg/20 mg"));
        assert_eq!(
            e.dose.status,
            Status::Differs,
            "a combination is not a single dose"
        );
        let f = compare(&feats("X 1 MG/ML"), &feats("X 1 MG"));
        assert_eq!(f.unit.status, Status::Differs);
    }
}
