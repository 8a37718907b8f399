//! Recognising a file: its kind from its name (the agency's table and file
//! names, whatever the copy suffix or the accents' encoding) or, failing
//! that, from its header row; and opening it as a [`Table`] of that kind.
//! Names are compared through [`fold_name`].

use std::collections::HashSet;
use std::path::Path;

use super::ImportOptions;
use super::kinds::kind_spec;
use super::table::{Table, TextOptions};
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::normalize::fold_name;

/// Recognises a kind from a file name (extension and copy suffixes ignored).
pub fn kind_from_file_name(path: &Path) -> Option<Kind> {
    let stem = path.file_stem()?.to_str()?;
    let name = fold_name(stem);
    let prefixes: [(&str, Kind); 17] = [
        ("caspatients", Kind::BnpvCases),
        ("medicaments", Kind::BnpvDrugs),
        ("madicaments", Kind::BnpvDrugs), // "MÃ©dicaments": UTF-8 name read as Latin-1
        ("effets", Kind::BnpvEffects),
        ("dbovuclassesatc", Kind::CodexVuAtc),
        ("dbovu", Kind::CodexVu),
        ("hdhproduithisto", Kind::CodexProduitHisto),
        ("dboproduit", Kind::CodexProduit),
        ("dbopresentations", Kind::CodexPresentations),
        ("dbocomposants", Kind::CodexComposants),
        ("dbonomssubstance", Kind::CodexNomsSubstance),
        ("dbohistonomsvu", Kind::CodexHistoNomsVu),
        ("ciscipbdpm", Kind::BdpmCip),
        ("ciscompobdpm", Kind::BdpmCompo),
        ("cisgenerbdpm", Kind::BdpmGener),
        ("cisbdpm", Kind::BdpmCis),
        ("mdicaments", Kind::BnpvDrugs),
    ];
    if let Some((_, kind)) = prefixes.iter().find(|(p, _)| name.starts_with(p)) {
        return Some(*kind);
    }
    if name.starts_with("nb") && name.contains("cip13agesexe") {
        return Some(Kind::OpenMedic);
    }
    None
}

/// Recognises a kind from a header row: the one kind whose required columns
/// are all present.
pub fn kind_from_headers(headers: &[String]) -> Option<Kind> {
    let found: HashSet<String> = headers.iter().map(|h| fold_name(h)).collect();
    let mut matches = Kind::ALL.into_iter().filter(|kind| {
        let spec = kind_spec(*kind);
        spec.text.has_header
            && spec
                .columns
                .iter()
                .filter(|c| c.required)
                .all(|c| found.contains(&fold_name(c.name)))
    });
    let first = matches.next()?;
    // Several kinds share key columns (the three BNPV files): the one with
    // the most required columns present is the most specific.
    let best = std::iter::once(first).chain(matches).max_by_key(|kind| {
        kind_spec(*kind)
            .columns
            .iter()
            .filter(|c| found.contains(&fold_name(c.name)))
            .count()
    })?;
    Some(best)
}

/// Reads a file and recognises its kind.
pub(super) fn open_file(path: &Path, options: &ImportOptions) -> Result<(Kind, Table)> {
    let by_name = options.kind.or_else(|| kind_from_file_name(path));
    let sheet_hint = by_name.map(Kind::file_label);
    let (kind, table) = match by_name {
        Some(kind) => (kind, Table::open(path, kind_spec(kind).text, sheet_hint)?),
        None => {
            let probe = TextOptions {
                has_header: true,
                separator: None,
                quoting: true,
            };
            let table = Table::open(path, probe, None)?;
            let kind = kind_from_headers(&table.headers).ok_or_else(|| {
                Error::data(
                    table.place.at_line(1),
                    format!(
                        "the kind of file is not recognised from its name or its columns ({}); name it as the agency does (e.g. Cas-Patients.csv, dbo_VU.xlsx, CIS_bdpm.txt) or give --kind",
                        table.headers.join(", ")
                    ),
                )
            })?;
            (kind, table)
        }
    };
    Ok((kind, table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_agency_file_names() {
        let k = |n: &str| kind_from_file_name(Path::new(n));
        assert_eq!(k("Cas-Patients.csv"), Some(Kind::BnpvCases));
        assert_eq!(k("Médicaments.csv"), Some(Kind::BnpvDrugs));
        assert_eq!(k("MÃ©dicaments.csv"), Some(Kind::BnpvDrugs));
        assert_eq!(k("Medicaments_2018.csv"), Some(Kind::BnpvDrugs));
        assert_eq!(k("Effets.csv"), Some(Kind::BnpvEffects));
        assert_eq!(k("dbo_VU.xlsx"), Some(Kind::CodexVu));
        assert_eq!(k("dbo_VUClassesATC.xlsx"), Some(Kind::CodexVuAtc));
        assert_eq!(k("dbo_Produit.csv"), Some(Kind::CodexProduit));
        assert_eq!(k("HDH_Produit-Histo.xlsx"), Some(Kind::CodexProduitHisto));
        assert_eq!(
            k("dbo_NomsSubstance (2).xlsx"),
            Some(Kind::CodexNomsSubstance)
        );
        assert_eq!(k("CIS_bdpm.txt"), Some(Kind::BdpmCis));
        assert_eq!(k("CIS_CIP_bdpm.txt"), Some(Kind::BdpmCip));
        assert_eq!(k("CIS_COMPO_bdpm.txt"), Some(Kind::BdpmCompo));
        assert_eq!(k("CIS_GENER_bdpm.txt"), Some(Kind::BdpmGener));
        assert_eq!(k("NB_2019_cip13_age_sexe.CSV"), Some(Kind::OpenMedic));
        assert_eq!(k("truth.csv"), None);
        assert_eq!(k("README.md"), None);
    }

    #[test]
    fn kinds_from_headers() {
        let h = |cols: &[&str]| {
            kind_from_headers(&cols.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            h(&["AER_ID", "CAS", "VER", "MEDICAMENT", "TYPE"]),
            Some(Kind::BnpvDrugs)
        );
        assert_eq!(
            h(&["codeNomSubstance", "codeSubstance", "nomSubstance"]),
            Some(Kind::CodexNomsSubstance)
        );
        assert_eq!(h(&["x", "y"]), None);
    }
}
