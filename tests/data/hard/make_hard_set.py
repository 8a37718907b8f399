#!/usr/bin/env python3
"""Builds the hard labelled set of drug names (tests/data/hard/) from the real
public data in ../shared/data, deterministically (same data, same bytes).

The synthetic generator (src/sample) writes names the matcher was designed
around. This set is made of what it does not make:

- spécialités of the BDPM of March 2017 withdrawn by June 2022 (their CIS is
  gone), written as published, cut after the dose, or as an Open Medic pack
  label ("AMOXICILLINE ALMUS 1G CPR PELL DISP 14"), labelled with their 2017
  composition — the matcher only has the 2022 referential;
- spécialités renamed between the two snapshots, under their 2017 name
  written the same ways (the exact 2017 name is a CODEX former name: those
  are kept out, only re-written ones remain);
- current spécialités as Open Medic pack labels;
- substance names of both snapshots' compositions, in every written form
  agents use: salt before or after the base, with or without DE/D', in
  parentheses, hydrate words dropped, ACIDE → AC., CHLORHYDRATE → CHLORH.,
  the INN's English spelling, the base alone when it is unambiguous;
- DataMed 2021's real product names (its spécialité → produit →
  substances hierarchy gives the truth through the CIS);
- real DataMed 2021 substance names whose salt reordering is a BDPM name;
- typing noise on a share of all of the above, and entries that name no
  drug ("TRAITEMENT HABITUEL", "INCONNU", "VACCIN", common words…), whose
  truth is empty (must never be linked).

Every label is a set of 5-digit substance codes present among the active
substances (SA) of the 2022 BDPM. Items are split by a hash of their origin
(CIS, product or substance code) into a development part (about 70 %) and a
held-out part (about 30 %) kept for checking, so that variants of one drug
fall on one side.

Output (UTF-8): Cas-Patients.csv and Médicaments.csv, a BNPV extract with one
observation per case of each name (observation counts drawn once per name),
truth-dev.csv and truth-heldout.csv (medicament,type,truth_codes).

Usage: python3 make_hard_set.py [--shared DIR] [--out DIR]
"""

import argparse
import collections
import csv
import hashlib
import json
import os
import random
import re
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20171122


def fold(text):
    """Upper case without accents, œ → OE."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if unicodedata.category(c) != "Mn").upper()


def key(text):
    """A comparison key: folded, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^0-9A-Z%]+", " ", fold(text)).split())


def read_tab(path):
    rows = []
    with open(path, encoding="cp1252", newline="") as f:
        for line in f:
            rows.append(line.rstrip("\r\n").split("\t"))
    return rows


def load_snapshot(dirname):
    cis = {}
    for f in read_tab(os.path.join(dirname, "CIS_bdpm.txt")):
        if len(f) > 2:
            cis[f[0]] = f[1].strip()
    compo = collections.defaultdict(set)
    names = collections.defaultdict(set)
    any_nature = collections.defaultdict(set)
    for f in read_tab(os.path.join(dirname, "CIS_COMPO_bdpm.txt")):
        if len(f) >= 8:
            any_nature[f[2]].add(f[3].strip())
            if f[6] == "SA":
                compo[f[0]].add(f[2])
                names[f[2]].add(f[3].strip())
    return cis, compo, names, any_nature


def stable_hash(text):
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def heldout(origin):
    return stable_hash(origin) % 10 < 3


# ---------------------------------------------------------------------------
# Written forms
# ---------------------------------------------------------------------------

FORM_ABBREVIATIONS = [
    ("comprimé pelliculé sécable", "CPR PELL SEC"),
    ("comprimé pelliculé dispersible", "CPR PELL DISP"),
    ("comprimé pelliculé", "CPR PELL"),
    ("comprimé effervescent sécable", "CPR EFF SEC"),
    ("comprimé effervescent", "CPR EFF"),
    ("comprimé orodispersible", "CPR ORODISP"),
    ("comprimé dispersible", "CPR DISP"),
    ("comprimé à libération prolongée", "CPR LP"),
    ("comprimé à libération modifiée", "CPR LM"),
    ("comprimé gastro-résistant", "CPR GASTRORES"),
    ("comprimé sécable", "CPR SEC"),
    ("comprimé enrobé", "CPR ENR"),
    ("comprimé", "CPR"),
    ("gélule gastro-résistante", "GELU GASTRORES"),
    ("gélule à libération prolongée", "GELU LP"),
    ("gélule", "GELU"),
    ("capsule molle", "CAPS MOLLE"),
    ("poudre pour solution injectable", "PDR SOL INJ"),
    ("poudre pour solution pour perfusion", "PDR SOL PERF"),
    ("poudre pour suspension buvable", "PDR SUSP BUV"),
    ("poudre orale", "PDR ORALE"),
    ("poudre", "PDR"),
    ("solution injectable", "SOL INJ"),
    ("solution buvable", "SOL BUV"),
    ("solution pour perfusion", "SOL PERF"),
    ("solution à diluer pour perfusion", "SOL DIL PERF"),
    ("collyre", "COLLY"),
    ("suspension buvable", "SUSP BUV"),
    ("suspension injectable", "SUSP INJ"),
    ("suppositoire", "SUPPO"),
    ("sirop", "SIROP"),
    ("crème", "CREME"),
    ("pommade", "POMM"),
    ("gel", "GEL"),
    ("granulés", "GRAN"),
    ("pastille", "PAST"),
    ("dispositif transdermique", "DISP TRANSDERM"),
    ("solution pour inhalation", "SOL INHAL"),
    ("suspension pour inhalation", "SUSP INHAL"),
    ("lyophilisat", "LYOPH"),
]

PACKS = ["1", "2", "4", "8", "10", "12", "14", "16", "20", "28", "30", "60", "90", "100"]

UNIT_GLUE = [
    (r"(\d) MG\b", r"\1MG"),
    (r"(\d) G\b", r"\1G"),
    (r"(\d) ML\b", r"\1ML"),
    (r"(\d) UI\b", r"\1UI"),
    (r"(\d) MICROGRAMMES\b", r"\1MICROG"),
    (r"(\d) MICROGRAMME\b", r"\1MICROG"),
    (r"(\d) POUR CENT\b", r"\1%"),
    (r"(\d) %", r"\1%"),
]


def split_form(name):
    """(name up to its dose, form): the BDPM writes "X 10 mg, comprimé"; a
    comma between digits is a decimal comma."""
    m = re.search(r",(?!\d)", name)
    if not m:
        return name.strip(), ""
    return name[:m.start()].strip(), name[m.end():].strip()


def cut_after_dose(name):
    """The name up to its dose: "X 2,5 mg, comprimé" → "X 2,5 mg"."""
    head, form = split_form(name)
    return head if head and form else None


def open_medic(name, rng):
    """An Open Medic style pack label of a BDPM dénomination."""
    head, form = split_form(name)
    text = fold(head)
    text = re.sub(r"\s*/\s*", "/", text)
    for pattern, repl in UNIT_GLUE:
        text = re.sub(pattern, repl, text)
    text = " ".join(text.split())
    form = form.strip().lower()
    abbreviation = ""
    for phrase, abbr in FORM_ABBREVIATIONS:
        if form.startswith(phrase):
            abbreviation = abbr
            break
    out = text
    if abbreviation:
        out += " " + abbreviation
    if rng.random() < 0.8:
        out += " " + rng.choice(PACKS)
    if rng.random() < 0.05 and len(out) > 32:
        # Labels cut at a field width, at a word boundary.
        out = out[:32].rsplit(" ", 1)[0]
    return out


KEYBOARD = {
    "A": "ZQS", "Z": "AES", "E": "ZRD", "R": "ETF", "T": "RYG", "Y": "TUH", "U": "YIJ",
    "I": "UOK", "O": "IPL", "P": "OLM", "Q": "ASW", "S": "QDZ", "D": "SFE", "F": "DGR",
    "G": "FHT", "H": "GJY", "J": "HKU", "K": "JLI", "L": "KMO", "M": "LP", "W": "QX",
    "X": "WCS", "C": "XVD", "V": "CBF", "B": "VNG", "N": "BHJ",
}


def typo(text, rng):
    """One typing slip in a word of five letters or more: a letter dropped,
    doubled, swapped with the next, or replaced by a keyboard neighbour."""
    words = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-zÀ-ÿ]{5,}", text)]
    if not words:
        return None
    # The first word (the brand or substance) is mistyped most often.
    start, end = words[0] if rng.random() < 0.6 else rng.choice(words)
    i = rng.randrange(start + 1, end - 1)
    kind = rng.randrange(4)
    c = text[i]
    if kind == 0:
        out = text[:i] + text[i + 1:]
    elif kind == 1:
        out = text[:i] + c + text[i:]
    elif kind == 2:
        out = text[:i] + text[i + 1] + c + text[i + 2:]
    else:
        near = KEYBOARD.get(fold(c))
        if not near:
            return None
        sub = rng.choice(near)
        out = text[:i] + (sub if c.isupper() else sub.lower()) + text[i + 1:]
    return out if out != text else None


SALT_WORDS = {
    "CHLORHYDRATE", "DICHLORHYDRATE", "BROMHYDRATE", "SULFATE", "PHOSPHATE", "ACETATE",
    "MALEATE", "TARTRATE", "MESILATE", "MESYLATE", "FUMARATE", "SUCCINATE", "CITRATE",
    "BESILATE", "BESYLATE", "NITRATE", "LACTATE", "GLUCONATE", "VALERATE", "PROPIONATE",
    "DIPROPIONATE", "BENZOATE", "HYDROGENOTARTRATE", "HEMIFUMARATE", "DIMALEATE",
    "CHLORURE", "BROMURE", "IODURE", "TOSILATE", "OXALATE", "STEARATE", "PAMOATE",
    "ESILATE", "DISODIQUE", "SODIQUE", "POTASSIQUE", "CALCIQUE", "MAGNESIQUE",
}
HYDRATE_WORDS = {
    "MONOHYDRATE", "MONOHYDRATEE", "DIHYDRATE", "DIHYDRATEE", "TRIHYDRATE", "TRIHYDRATEE",
    "HEMIHYDRATE", "HEMIHYDRATEE", "SESQUIHYDRATE", "SESQUIHYDRATEE", "ANHYDRE",
    "HEPTAHYDRATE", "HEXAHYDRATE", "PENTAHYDRATE", "TETRAHYDRATE", "DECAHYDRATE",
}


def salt_forms(name):
    """Written forms of a folded substance name with a salt: "X (SEL DE)" ↔
    "SEL DE X" ↔ "X SEL" ↔ "SEL X", with hydrate words kept after."""
    n = key(name.replace("'", " "))
    words = n.split()
    m = re.match(r"^(.+?) \((.+?)\)(.*)$", fold(name).replace("'", " "))
    base = salt = None
    tail = ""
    if m:
        inner = key(m.group(2)).split()
        if inner and inner[0] in SALT_WORDS:
            base = key(m.group(1))
            salt = " ".join(w for w in inner if w not in ("DE", "D"))
            tail = key(m.group(3))
    elif len(words) >= 3 and words[0] in SALT_WORDS and words[1] in ("DE", "D"):
        salt = words[0]
        rest = words[2:]
        hyd = [w for w in rest if w in HYDRATE_WORDS]
        base = " ".join(w for w in rest if w not in HYDRATE_WORDS)
        tail = " ".join(hyd)
    if not base or not salt:
        return []
    link = "D'" if base[0] in "AEIOUYH" else "DE "
    t = (" " + tail) if tail else ""
    return [
        f"{salt} {link}{base}{t}".replace("D' ", "D'"),
        f"{base} ({salt} {link.strip()}){t}",
        f"{base} {salt}{t}",
        f"{salt} {base}{t}",
        f"{base} ({salt}){t}",
        f"{base} {salt}",
    ]


def agent_abbreviations(name):
    """ACIDE → AC., CHLORHYDRATE → CHLORH."""
    out = []
    f = fold(name)
    if re.search(r"\bACIDE\b", f):
        out.append(re.sub(r"\bACIDE\b", "AC.", f))
        out.append(re.sub(r"\bACIDE\b", "AC", f))
    if "CHLORHYDRATE" in f:
        out.append(f.replace("CHLORHYDRATE", "CHLORH."))
        out.append(f.replace("CHLORHYDRATE DE ", "CHLORH. ").replace("CHLORHYDRATE D'", "CHLORH. "))
    return out


def english_spelling(name):
    """The INN's English spelling of a French name: -INE → -IN, PH → F, Y → I,
    É → E (applied to the first word)."""
    f = fold(name)
    words = f.split(" ")
    w = words[0]
    changed = w
    if changed.endswith("INE") and len(changed) > 6:
        changed = changed[:-1]
    changed = changed.replace("PH", "F") if "PH" in changed and len(changed) > 6 else changed
    if changed == w and "Y" in w and len(w) > 5:
        changed = w.replace("Y", "I")
    if changed == w:
        return None
    words[0] = changed
    return " ".join(words)


def base_of(name):
    """The base of a salt name, hydrate and salt words removed."""
    f = key(name.replace("'", " "))
    words = [w for w in f.split() if w not in SALT_WORDS and w not in HYDRATE_WORDS and w not in ("DE", "D", "BASE")]
    return " ".join(words)


NON_DRUG = [
    "TRAITEMENT HABITUEL", "Traitement habituel", "TTT HABITUEL", "TRT HABITUEL",
    "INCONNU", "inconnu", "Inconnu", "MEDICAMENT INCONNU", "PRODUIT INCONNU", "NOM INCONNU",
    "VACCIN", "Vaccin", "VACCINS", "VACCINATION", "ANTIBIOTIQUE", "ANTIBIOTIQUES",
    "ANTIBIOTHERAPIE", "NON PRECISE", "NON PRÉCISÉ", "NON RENSEIGNE", "NR", "NC", "ND",
    "?", "??", "-", "XXX", "X", "NEANT", "AUCUN", "RAS", "AUTRES", "AUTRE", "DIVERS",
    "AUTRES MEDICAMENTS", "PLUSIEURS MEDICAMENTS", "POLYMEDICATION", "CHIMIOTHERAPIE",
    "CHIMIO", "ANESTHESIE GENERALE", "ANESTHESIE", "CONTRACEPTIF ORAL", "PILULE",
    "PILULE CONTRACEPTIVE", "ANTALGIQUE", "ANTALGIQUES", "ANTIDOULEUR", "ANTI-INFLAMMATOIRE",
    "AINS", "CORTICOIDES", "CORTICOTHERAPIE", "ANTIDEPRESSEUR", "ANXIOLYTIQUE", "SOMNIFERE",
    "NEUROLEPTIQUE", "BENZODIAZEPINE", "BENZODIAZEPINES", "ANTICOAGULANT", "ANTICOAGULANTS",
    "ANTIHYPERTENSEUR", "ANTIEPILEPTIQUE", "ANTIVIRAL", "IMMUNOSUPPRESSEUR", "HOMEOPATHIE",
    "PHYTOTHERAPIE", "AUTOMEDICATION", "COMPLEMENT ALIMENTAIRE", "PRODUIT DE CONTRASTE",
    "TRAITEMENT EN COURS", "TRAITEMENT NON CONNU", "TRAITEMENT", "MEDICAMENT", "MEDICAMENTS",
    "PLACEBO", "TABAC", "DROGUE", "ALIMENT",
    "REGIME", "MAISON", "SOLEIL", "JARDIN", "CHAT", "ROUGE", "BLANC", "PETIT", "GRAND",
    "MATIN", "SOIR", "JOUR", "TOUS LES JOURS", "1 CP PAR JOUR", "2 FOIS PAR JOUR",
    "1000 MG", "500MG", "10", "CPR", "COMPRIME", "GELULE", "SOLUTION", "SIROP", "MG",
    "VITAMINES", "INSULINE", "ANTIHISTAMINIQUE", "ANTIBIO", "STATINE", "DIURETIQUE",
    "BETABLOQUANT", "IPP", "HYPNOTIQUE", "LAXATIF", "ANTIACIDE", "COLLYRE", "POMMADE",
]


# ---------------------------------------------------------------------------
# The set
# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(HERE, "../../../../shared/data"))
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()
    rng = random.Random(SEED)

    cis17, compo17, names17, nature17 = load_snapshot(os.path.join(args.shared, "bdpm/2017-03"))
    cis22, compo22, names22, nature22 = load_snapshot(os.path.join(args.shared, "bdpm/2022-06"))
    codes22 = set(names22)
    # Compositions of each 2022 spécialité name: a 2017 name that is now
    # another spécialité's name is left out (its label would be ambiguous).
    composition_of_name = collections.defaultdict(set)
    for c, n in cis22.items():
        composition_of_name[key(n)].add(frozenset(compo22.get(c, ())))
    # Codes of each substance name, whatever its nature (SA or FT): a written
    # form that is another code's name is left out.
    codes_of_name = collections.defaultdict(set)
    for nature in (nature17, nature22):
        for code, ns in nature.items():
            for n in ns:
                codes_of_name[key(n)].add(code)

    items = []  # (name, level, truth codes, origin)
    seen = set()

    def add(name, level, truth, origin):
        name = " ".join(name.split())
        if not name or (name, level) in seen:
            return
        if level == "Substance" and codes_of_name.get(key(name), set(truth)) != set(truth):
            return
        if level != "Substance" and composition_of_name.get(key(name), {frozenset(truth)}) != {frozenset(truth)}:
            return
        seen.add((name, level))
        items.append((name, level, sorted(truth), origin))

    def reachable(codes):
        return codes and all(c in codes22 for c in codes)

    def maybe_typo(text):
        return typo(text, rng) if rng.random() < 0.25 else None

    # Withdrawn spécialités: 2017 names, 2017 compositions.
    withdrawn = sorted(c for c in cis17 if c not in cis22 and reachable(compo17.get(c)))
    for c in rng.sample(withdrawn, min(900, len(withdrawn))):
        name, truth = cis17[c], compo17[c]
        origin = "cis:" + c
        choice = rng.random()
        if choice < 0.3:
            add(name, "Spécialité", truth, origin)
        elif choice < 0.55:
            cut = cut_after_dose(name)
            add(fold(cut) if cut else fold(name), "Spécialité", truth, origin)
        else:
            add(open_medic(name, rng), "Spécialité", truth, origin)
        t = maybe_typo(fold(cut_after_dose(name) or name))
        if t:
            add(t, "Spécialité", truth, origin)

    # Renamed spécialités: 2017 names re-written (the exact one is a former name).
    renamed = sorted(c for c in cis17 if c in cis22 and key(cis17[c]) != key(cis22[c])
                     and reachable(compo22.get(c)))
    for c in rng.sample(renamed, min(700, len(renamed))):
        name, truth = cis17[c], compo22[c]
        origin = "cis:" + c
        if rng.random() < 0.5:
            cut = cut_after_dose(name)
            if cut and key(cut) != key(cis22[c]).split(" ")[0]:
                add(fold(cut), "Spécialité", truth, origin)
        else:
            add(open_medic(name, rng), "Spécialité", truth, origin)
        t = maybe_typo(fold(cut_after_dose(name) or name))
        if t:
            add(t, "Spécialité", truth, origin)

    # Current spécialités as Open Medic labels.
    current = sorted(c for c in cis22 if reachable(compo22.get(c)))
    for c in rng.sample(current, 1500):
        name, truth = cis22[c], compo22[c]
        origin = "cis:" + c
        label = open_medic(name, rng)
        add(label, "Spécialité", truth, origin)
        t = maybe_typo(label)
        if t:
            add(t, "Spécialité", truth, origin)

    # Substance names in every written form.
    all_names = collections.defaultdict(set)
    for names in (names17, names22):
        for code, ns in names.items():
            all_names[code].update(ns)
    base_codes = collections.defaultdict(set)
    for code, ns in names22.items():
        for n in ns:
            base_codes[base_of(n)].add(code)
    # Substances weighted by how many spécialités contain them: agents type
    # the common ones; homeopathic stocks are rarely reported.
    uses = collections.Counter(code for comp in compo22.values() for code in comp)
    substance_codes = sorted(c for c in all_names if c in codes22)

    def weight(code):
        homeopathic = any("HOMEOPATHIQUE" in fold(n) for n in all_names[code])
        return (uses[code] + 1) * (0.05 if homeopathic else 1.0)

    chosen = []
    pool = list(substance_codes)
    weights = [weight(c) for c in pool]
    while len(chosen) < 1100 and pool:
        i = rng.choices(range(len(pool)), weights=weights)[0]
        chosen.append(pool.pop(i))
        weights.pop(i)
    for code in chosen:
        origin = "sub:" + code
        for n in sorted(all_names[code]):
            forms = [n, fold(n)]
            forms += salt_forms(n)
            forms += agent_abbreviations(n)
            e = english_spelling(n)
            if e:
                forms.append(e)
            b = base_of(n)
            if b and b != key(n) and base_codes.get(b) == {code} and codes_of_name.get(b, {code}) == {code}:
                forms.append(b)
            picked = rng.sample(forms, min(2, len(forms)))
            for f in picked:
                add(f, "Substance", {code}, origin)
            t = maybe_typo(fold(n))
            if t:
                add(t, "Substance", {code}, origin)

    # DataMed 2021 product names, truth through their CIS.
    with open(os.path.join(args.shared, "datamed/substance_by_specialite.json"), encoding="utf-8") as f:
        hierarchy = json.load(f)
    product_cis = collections.defaultdict(set)
    for entry in hierarchy.values():
        product_cis[fold(entry["produit"])].update(entry["cis"])
    with open(os.path.join(args.shared, "datamed/liste_produits_substances.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    products = sorted({r[0] for r in rows if len(r) == 2 and r[1] == "Produit"})
    # The 2022 spécialités of a product: those whose name starts with it.
    current_names = sorted((key(n), c) for c, n in cis22.items())

    def current_composition(product):
        k = key(product)
        codes = set()
        for n, c in current_names:
            if n == k or n.startswith(k + " "):
                codes |= compo22.get(c, set())
        return codes

    for p in rng.sample(products, 1100):
        codes = set()
        ok = True
        for c in product_cis.get(fold(p), ()):
            comp = compo22.get(c) or compo17.get(c)
            if not comp:
                ok = False
                break
            codes |= comp
        if not ok or not reachable(codes):
            continue
        # DataMed 2021's product and the 2022 spécialités of that name must
        # agree, else the label is a matter of opinion.
        now = current_composition(p)
        if now != codes:
            continue
        origin = "prod:" + fold(p)
        form = rng.random()
        if form < 0.5:
            add(p, "Produit", codes, origin)
        elif form < 0.8:
            add(p.title(), "Produit", codes, origin)
        else:
            add(p.replace("/", " "), "Produit", codes, origin)
        t = maybe_typo(p)
        if t:
            add(t, "Produit", codes, origin)

    # DataMed 2021 substance names whose salt reordering is a BDPM name.
    by_name = collections.defaultdict(set)
    for code, ns in all_names.items():
        for n in ns:
            by_name[key(n)].add(code)
    substances = sorted({r[0] for r in rows if len(r) == 2 and r[1] == "Substance"})
    for s in substances:
        codes = set()
        for candidate in [s] + salt_forms(s):
            codes |= by_name.get(key(candidate), set())
        if len(codes) != 1 or not reachable(codes):
            continue
        origin = "sub:" + next(iter(codes))
        add(s, "Substance", codes, origin)
        t = maybe_typo(s)
        if t:
            add(t, "Substance", codes, origin)

    # Entries naming no drug.
    for n in NON_DRUG:
        add(n, rng.choice(["Spécialité", "Produit", "Substance"]), set(), "none:" + key(n))

    # Observations: skewed counts, more for the entries naming no drug.
    weighted = []
    for name, level, truth, origin in items:
        if not truth:
            n_obs = rng.randint(3, 40)
        else:
            n_obs = min(60, int(rng.paretovariate(1.3)))
        weighted.append((name, level, truth, origin, max(1, n_obs)))

    cases = max(w[4] for w in weighted)
    out = args.out
    with open(os.path.join(out, "Cas-Patients.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS\r\n")
        for i in range(1, cases + 1):
            f.write(f"{9000000 + i};HS2019{i:05d};1;15/03/2019;F;50;;;Médecin;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE\r\n")
    with open(os.path.join(out, "Médicaments.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("AER_ID;CAS;VER;MEDICAMENT;TYPE\r\n")
        for name, level, truth, origin, n_obs in weighted:
            field = '"' + name.replace('"', '""') + '"' if (";" in name or '"' in name) else name
            for i in range(1, n_obs + 1):
                f.write(f"{9000000 + i};HS2019{i:05d};1;{field};{level}\r\n")
    for part, keep in (("dev", False), ("heldout", True)):
        with open(os.path.join(out, f"truth-{part}.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["medicament", "type", "truth_codes"])
            for name, level, truth, origin, n_obs in weighted:
                if heldout(origin) == keep:
                    w.writerow([name, level, "|".join(truth)])
    kinds = collections.Counter(o.split(":")[0] for _, _, _, o, _ in weighted)
    print(f"{len(weighted)} names, {sum(w[4] for w in weighted)} observations, {cases} cases; by origin: {dict(kinds)}")


if __name__ == "__main__":
    main()
