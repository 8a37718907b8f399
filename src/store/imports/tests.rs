//! Tests of the import writer: batches in whole and in file order, foreign
//! keys back on, the index fallback out of case order, bulk loads in the
//! rollback journal and WAL back after them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::chunks::ROWS_PER_STATEMENT;
use super::*;
use crate::model::Level;

fn foreign_keys(store: &Store) -> i64 {
    store
        .conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap()
}

/// A `Médicaments.csv` batch with the hash `sha`: the fixture of the tests
/// that write rows through the import writer.
pub(crate) fn drugs_batch(sha: &str) -> NewBatch {
    NewBatch {
        kind: Kind::BnpvDrugs,
        file: "Médicaments.csv".into(),
        sheet: None,
        sha256: sha.into(),
        encoding: "UTF-8".into(),
        imported_by: "test".into(),
        cumulative: false,
    }
}

/// Starts an import of one drug row (DOLIPRANE, of case C1), written as
/// the importer writes it; the caller finishes it or drops it. Gives the
/// writer and the name's id.
fn one_drug_row<'s>(store: &'s mut Store, sha: &str) -> (ImportWriter<'s>, i64) {
    let mut w = store
        .begin_import(&drugs_batch(sha), crate::store::imports::Replace::Nothing)
        .unwrap();
    let mut keys = w.take_keys().unwrap();
    let mut rows = RowBatch::default();
    let (case, new) = keys.case_id("1", "C1", "1");
    if new {
        rows.new_case(case, "1", "C1", "1");
    }
    let (name, new) = keys.name_id("DOLIPRANE", Level::Produit);
    if new {
        rows.new_name(name, "DOLIPRANE", Level::Produit, "DOLIPRANE");
    }
    rows.cell(Cell::Int(case));
    rows.text("DOLIPRANE");
    rows.text("Produit");
    rows.int(Some(name));
    rows.flag(false);
    rows.end_row(2);
    keys.count_observation(case, name);
    assert!(w.write_batch(&rows).unwrap().is_none());
    w.return_keys(keys);
    (w, name)
}

#[test]
fn foreign_keys_are_back_on_after_an_import_committed_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
    assert_eq!(foreign_keys(&store), 1);
    let w = store
        .begin_import(&drugs_batch("a"), crate::store::imports::Replace::Nothing)
        .unwrap();
    drop(w);
    assert_eq!(foreign_keys(&store), 1);
    let (w, name) = one_drug_row(&mut store, "a");
    w.finish(RowCounts::default()).unwrap();
    assert_eq!(foreign_keys(&store), 1);
    let n_obs: i64 = store
        .conn
        .query_row("SELECT n_obs FROM drug_name WHERE id = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n_obs, 1);
}

#[test]
fn a_batch_of_many_rows_goes_in_whole_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
    let mut w = store
        .begin_import(&drugs_batch("b"), crate::store::imports::Replace::Nothing)
        .unwrap();
    let mut keys = w.take_keys().unwrap();
    let mut rows = RowBatch::default();
    // Two full statements of rows and a remainder.
    let n = 2 * ROWS_PER_STATEMENT + 5;
    for i in 0..n {
        let (case, new) = keys.case_id(&i.to_string(), "C", "1");
        assert!(new);
        rows.new_case(case, &i.to_string(), "C", "1");
        let (name, new) = keys.name_id("ASPIRINE", Level::Substance);
        if new {
            rows.new_name(name, "ASPIRINE", Level::Substance, "ASPIRINE");
        }
        rows.cell(Cell::Int(case));
        rows.text(" ASPIRINE ");
        rows.cell(Cell::Static("Substance"));
        rows.int(Some(name));
        rows.flag(false);
        rows.end_row(i as u64 + 2);
    }
    rows.issue(Severity::Warning, Some(3), Some("TYPE"), "checked".into());
    assert!(w.write_batch(&rows).unwrap().is_none());
    w.return_keys(keys);
    w.finish(RowCounts::default()).unwrap();
    let lines: Vec<(i64, String)> = store
        .query_rows(
            "SELECT d.line, d.medicament FROM bnpv_drug d JOIN case_key k ON k.id = d.case_id
             WHERE k.cas = 'C' ORDER BY d.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(lines.len(), n);
    assert!(
        lines
            .iter()
            .enumerate()
            .all(|(i, (line, m))| *line == i as i64 + 2 && m == "ASPIRINE")
    );
    let issues: i64 = store
        .conn
        .query_row("SELECT count(*) FROM import_issue", [], |r| r.get(0))
        .unwrap();
    assert_eq!(issues, 1);
}

/// Drug rows of the given cases, one name.
fn drug_rows(keys: &mut KeyCache, cases: &[usize], first_line: u64) -> RowBatch {
    let mut rows = RowBatch::default();
    for (i, c) in cases.iter().enumerate() {
        let (case, new) = keys.case_id(&c.to_string(), "C", "1");
        if new {
            rows.new_case(case, &c.to_string(), "C", "1");
        }
        let (name, new) = keys.name_id("ASPIRINE", Level::Substance);
        if new {
            rows.new_name(name, "ASPIRINE", Level::Substance, "ASPIRINE");
        }
        rows.cell(Cell::Int(case));
        rows.text("ASPIRINE");
        rows.text("Substance");
        rows.int(Some(name));
        rows.flag(false);
        rows.end_row(first_line + i as u64);
    }
    rows
}

#[test]
fn a_bulk_load_out_of_case_order_still_ends_with_every_index() {
    // In case order, then back to earlier cases (their ids are lower).
    for second in [[7, 8, 9], [5, 4, 6]] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let mut w = store
            .begin_import(&drugs_batch("c"), crate::store::imports::Replace::Nothing)
            .unwrap();
        w.defer_indexes().unwrap();
        let mut keys = w.take_keys().unwrap();
        let first = drug_rows(&mut keys, &[4, 5, 5, 6], 2);
        let then = drug_rows(&mut keys, &second, 6);
        assert!(w.write_batch(&first).unwrap().is_none());
        assert!(w.write_batch(&then).unwrap().is_none());
        w.return_keys(keys);
        w.finish(RowCounts::default()).unwrap();
        let indexes: Vec<String> = store
            .query_rows(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bnpv_drug' ORDER BY name",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, ["bnpv_drug_case", "bnpv_drug_name"]);
        assert!(store.integrity_ok().unwrap());
        let by_case: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM bnpv_drug INDEXED BY bnpv_drug_case WHERE case_id > 0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(by_case, 7);
    }
}

#[test]
fn dates_are_written_as_iso() {
    let mut rows = RowBatch::default();
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    for date in [d(2016, 2, 1), d(1850, 12, 31), d(987, 1, 9)] {
        rows.date(date);
        let Some(Cell::Text(a, b)) = rows.cells.last().copied() else {
            panic!("not text");
        };
        assert_eq!(
            &rows.text[a as usize..b as usize],
            date.format("%Y-%m-%d").to_string()
        );
    }
}

fn row_count(store: &Store, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_bulk_load_journals_in_rollback_mode_as_atomically_then_gives_wal_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.sqlite")).unwrap();
    assert_eq!(store.journal_mode().unwrap(), "wal");
    assert!(store.begin_bulk_load().unwrap());
    assert_eq!(store.journal_mode().unwrap(), "delete");
    let synchronous = |store: &Store| -> i64 {
        store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(synchronous(&store), 2, "FULL with a rollback journal");

    // An import stopped half-way leaves nothing, in this mode too.
    drop(one_drug_row(&mut store, "a").0);
    for table in ["import_batch", "case_key", "drug_name", "bnpv_drug"] {
        assert_eq!(row_count(&store, table), 0, "{table}");
    }
    one_drug_row(&mut store, "a")
        .0
        .finish(RowCounts::default())
        .unwrap();

    store.end_bulk_load().unwrap();
    assert_eq!(store.journal_mode().unwrap(), "wal");
    assert_eq!(synchronous(&store), 1, "NORMAL in WAL");
    assert_eq!(row_count(&store, "bnpv_drug"), 1);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn a_bulk_load_keeps_wal_while_another_connection_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    let mut store = Store::open(&path).unwrap();
    let other = Store::open(&path).unwrap();
    assert!(!store.begin_bulk_load().unwrap());
    assert_eq!(store.journal_mode().unwrap(), "wal");
    // Both still work, in WAL.
    other.set_setting("k", "v").unwrap();
    one_drug_row(&mut store, "a")
        .0
        .finish(RowCounts::default())
        .unwrap();
    assert_eq!(other.setting("k").unwrap().as_deref(), Some("v"));
    assert_eq!(row_count(&other, "bnpv_drug"), 1);
    // A connection holds the file once it has read it.
    let reader = store.reader().unwrap();
    assert_eq!(reader.setting("k").unwrap().as_deref(), Some("v"));
    drop(other);
    assert!(!store.begin_bulk_load().unwrap(), "a reader holds it too");
    drop(reader);
    assert!(store.begin_bulk_load().unwrap());
    store.end_bulk_load().unwrap();
}

#[test]
fn a_workspace_opened_during_a_bulk_load_reads_and_wal_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    let mut store = Store::open(&path).unwrap();
    one_drug_row(&mut store, "a")
        .0
        .finish(RowCounts::default())
        .unwrap();
    assert!(store.begin_bulk_load().unwrap());
    // Another import is under way, its transaction open: opening the
    // workspace does not wait for it (it used to wait, then say "busy",
    // as WAL could not be set) and reads what is committed.
    let writer = store
        .begin_import(&drugs_batch("b"), crate::store::imports::Replace::Nothing)
        .unwrap();
    let other = Store::open(&path).unwrap();
    assert_eq!(other.journal_mode().unwrap(), "delete");
    assert_eq!(row_count(&other, "import_batch"), 1);
    // Once that transaction is over, the other connection may set WAL
    // again itself (idle, a connection to a rollback journal holds no
    // lock); the importer's next file then goes in WAL.
    drop(writer);
    assert!(other.try_journal_mode("WAL").unwrap());
    one_drug_row(&mut store, "b")
        .0
        .finish(RowCounts::default())
        .unwrap();
    assert_eq!(row_count(&other, "import_batch"), 2);
    drop(other);
    store.end_bulk_load().unwrap();
    assert_eq!(store.journal_mode().unwrap(), "wal");
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.journal_mode().unwrap(), "wal");
    assert!(again.integrity_ok().unwrap());
}
