//! Case versions: which version of each case counts. A case is its CAS,
//! VER orders its versions ([`compare_versions`]), and only the latest
//! counts — in the drug names' observation counts, the indicators, the
//! review queue's impact and the exports — unless a cumulative extract left
//! the case out (retired). Earlier versions stay stored, for provenance.
//!
//! `case_current` holds, per case, the id of the version that counts and
//! what retired it. Imports keep it up to date as they go (see
//! [`super::imports::KeyCache`]); [`rebuild`] recomputes it whole from the
//! case keys, with every drug name's counts, when a batch is taken out and
//! when an older workspace gains the table.

use rusqlite::{Connection, params};
use rustc_hash::FxHashMap;

use crate::model::compare_versions;

/// Recomputes `case_current` from `case_key` (retirements kept for the
/// cases whose retiring batch is still there) and every drug name's
/// observation counts from the rows that count.
pub(crate) fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    let mut retired: FxHashMap<String, i64> = FxHashMap::default();
    {
        let mut stmt = conn.prepare(
            "SELECT k.cas, c.retired_by FROM case_current c JOIN case_key k ON k.id = c.case_id
             WHERE c.retired_by IN (SELECT id FROM import_batch)",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            retired.insert(r.get(0)?, r.get(1)?);
        }
    }
    let mut latest: FxHashMap<String, (i64, String)> = FxHashMap::default();
    {
        let mut stmt = conn.prepare("SELECT cas, ver, id FROM case_key ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (cas, ver, id): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            match latest.get_mut(&cas) {
                Some(best) if compare_versions(&ver, &best.1).is_gt() => *best = (id, ver),
                Some(_) => {}
                None => {
                    latest.insert(cas, (id, ver));
                }
            }
        }
    }
    let mut current: Vec<(i64, Option<i64>)> = latest
        .iter()
        .map(|(cas, (id, _))| (*id, retired.get(cas).copied()))
        .collect();
    current.sort_unstable();
    conn.execute("DELETE FROM case_current", [])?;
    {
        let mut insert =
            conn.prepare("INSERT INTO case_current (case_id, retired_by) VALUES (?1, ?2)")?;
        for (id, by) in current {
            insert.execute(params![id, by])?;
        }
    }
    recount_names(conn)
}

/// Recomputes every drug name's observations and cases from the rows that
/// count: not an ORDEI duplicate, of a case version that counts.
fn recount_names(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "UPDATE drug_name SET n_obs = 0, n_cases = 0;
         UPDATE drug_name SET n_obs = t.n_obs, n_cases = t.n_cases
         FROM (SELECT d.name_id, count(*) AS n_obs, count(DISTINCT d.case_id) AS n_cases
               FROM bnpv_drug d
               JOIN case_current c ON c.case_id = d.case_id AND c.retired_by IS NULL
               WHERE d.duplicate = 0 AND d.name_id IS NOT NULL
               GROUP BY d.name_id) t
         WHERE drug_name.id = t.name_id;",
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use crate::import::fixtures::import_text;
    use crate::store::Store;

    const CASES_HEADER: &str = "AER_ID;CAS;VER;NOTIF;SEXE;AGE;U_AGE;DATE_NAISS;TYP_NOTIF;TYP_EFFET;GRAVE;DECES;PRO_V;HOSPI;INCAP;ANO_C;AUTRE;PAYS_SURVENUE;PAYS_CAS";

    /// A case row: (AER_ID, CAS, VER), notified in 2017, a woman of 30.
    fn case_row(aer: &str, cas: &str, ver: &str) -> String {
        format!(
            "{aer};{cas};{ver};10/03/2017;F;30;;;Pharmacien;Effet indésirable;NON;NON;NON;NON;NON;NON;NON;FRANCE;FRANCE\n"
        )
    }

    fn cases(rows: &[(&str, &str, &str)]) -> String {
        let mut text = format!("{CASES_HEADER}\n");
        for (aer, cas, ver) in rows {
            text.push_str(&case_row(aer, cas, ver));
        }
        text
    }

    fn drugs(rows: &[(&str, &str, &str, &str)]) -> String {
        let mut text = String::from("AER_ID;CAS;VER;MEDICAMENT;TYPE\n");
        for (aer, cas, ver, name) in rows {
            text.push_str(&format!("{aer};{cas};{ver};{name};Produit\n"));
        }
        text
    }

    /// (name, observations) of every name that has some, by name.
    fn counts(store: &Store) -> Vec<(String, i64)> {
        let mut names: Vec<(String, i64)> = store
            .drug_names()
            .unwrap()
            .into_iter()
            .map(|n| {
                assert_eq!(n.n_obs, n.n_cases, "{}", n.name);
                (n.name, n.n_obs)
            })
            .collect();
        names.sort();
        names
    }

    /// The (CAS, VER) of the cleaned cases the indicators read, sorted.
    fn counted_cases(store: &Store) -> Vec<(String, String)> {
        let mut ids = Vec::new();
        store
            .for_each_cleaned_case(|c| ids.push(c.case_id))
            .unwrap();
        let mut keys: Vec<(String, String)> = ids
            .into_iter()
            .map(|id| {
                store
                    .query_rows("SELECT cas, ver FROM case_key WHERE id = ?1", [id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap()
                    .remove(0)
            })
            .collect();
        keys.sort();
        keys
    }

    fn pair(cas: &str, ver: &str) -> (String, String) {
        (cas.to_string(), ver.to_string())
    }

    #[test]
    fn several_versions_in_one_extract_count_once_in_the_latest() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        // C1 in versions 9 and 10 (10 is later: numbers), in file order
        // 10 then 9; C2 once.
        import_text(
            &mut store,
            "Cas-Patients.csv",
            &cases(&[("A3", "C1", "10"), ("A1", "C1", "9"), ("A2", "C2", "1")]),
        );
        import_text(
            &mut store,
            "Médicaments.csv",
            &drugs(&[
                ("A1", "C1", "9", "DOLIPRANE"),
                ("A1", "C1", "9", "ASPIRINE"),
                ("A3", "C1", "10", "DOLIPRANE"),
                ("A2", "C2", "1", "DOLIPRANE"),
            ]),
        );
        assert_eq!(counts(&store), [("DOLIPRANE".to_string(), 2)]);
        assert_eq!(counted_cases(&store), [pair("C1", "10"), pair("C2", "1")]);
    }

    #[test]
    fn a_newer_version_in_a_later_extract_takes_the_place_of_the_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        import_text(
            &mut store,
            "Cas-Patients.csv",
            &cases(&[("A1", "C1", "1"), ("A2", "C2", "1")]),
        );
        import_text(
            &mut store,
            "Médicaments.csv",
            &drugs(&[
                ("A1", "C1", "1", "DOLIPRANE"),
                ("A2", "C2", "1", "DOLIPRANE"),
            ]),
        );
        assert_eq!(counts(&store), [("DOLIPRANE".to_string(), 2)]);
        // The follow-up of C1 (another AER_ID): its drug is now ASPIRINE.
        // The case file first: C1 then counts in a version without drugs.
        let report = import_text(
            &mut store,
            "Cas-Patients_2.csv",
            &cases(&[("B1", "C1", "2")]),
        );
        assert_eq!((report.changes.added, report.changes.updated), (0, 1));
        assert_eq!(report.changes.absent, 1, "C2 is not in that file");
        assert_eq!(counts(&store), [("DOLIPRANE".to_string(), 1)]);
        import_text(
            &mut store,
            "Médicaments_2.csv",
            &drugs(&[("B1", "C1", "2", "ASPIRINE")]),
        );
        assert_eq!(
            counts(&store),
            [("ASPIRINE".to_string(), 1), ("DOLIPRANE".to_string(), 1)]
        );
        assert_eq!(counted_cases(&store), [pair("C1", "2"), pair("C2", "1")]);
        // The earlier version stays stored.
        assert_eq!(store.counts().unwrap().rows_per_kind[0].1, 3);
    }
}
