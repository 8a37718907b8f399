//! Import batches and the rows they bring. An import is one transaction
//! (`BEGIN IMMEDIATE`, so a second writer waits or is told the workspace is
//! busy): the [`ImportWriter`] inserts rows, records issues by line, and
//! either commits the whole file or, dropped on error or cancel, rolls all of
//! it back. Referential kinds (CODEX, BDPM) supersede the previous import of
//! the same kind; the same file (same sha256) is refused unless replaced.

use std::collections::HashMap;
use std::path::PathBuf;

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Store, sql_error};
use crate::error::{Error, Place, Result};
use crate::model::{Kind, Level, Value};

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// The table a kind's rows go to, and its columns after `batch_id, line`,
/// in the order importers build their rows.
pub fn table_columns(kind: Kind) -> (&'static str, &'static [&'static str]) {
    match kind {
        Kind::BnpvCases => (
            "bnpv_case",
            &[
                "case_id",
                "notif",
                "sexe",
                "age",
                "u_age",
                "date_naiss",
                "typ_notif",
                "typ_effet",
                "grave",
                "deces",
                "pro_v",
                "hospi",
                "incap",
                "ano_c",
                "autre",
                "pays_survenue",
                "pays_cas",
                "notif_date",
                "year",
                "sex",
                "age_years",
                "age_class",
                "notifier",
                "serious",
                "death",
                "life_threatening",
                "hospitalisation",
                "disability",
                "congenital",
                "other_criterion",
                "in_france",
            ],
        ),
        Kind::BnpvDrugs => (
            "bnpv_drug",
            &["case_id", "medicament", "type", "name_id", "duplicate"],
        ),
        Kind::BnpvEffects => (
            "bnpv_effect",
            &[
                "case_id",
                "date_deb",
                "effet_soc",
                "effet_hlt",
                "onset_date",
                "soc",
            ],
        ),
        Kind::CodexVu => (
            "codex_vu",
            &["code_vu", "code_cis", "code_produit", "nom_vu"],
        ),
        Kind::CodexProduit => ("codex_produit", &["code_produit", "nom_produit"]),
        Kind::CodexProduitHisto => (
            "codex_produit_histo",
            &[
                "anc_code_produit",
                "anc_nom_produit",
                "code_produit",
                "nom_produit",
            ],
        ),
        Kind::CodexPresentations => (
            "codex_presentation",
            &[
                "code_vu",
                "num_presentation",
                "nom_presentation",
                "code_cip13",
                "code_cip",
            ],
        ),
        Kind::CodexComposants => (
            "codex_composant",
            &[
                "code_vu",
                "code_substance",
                "code_nom_substance",
                "code_nature",
            ],
        ),
        Kind::CodexNomsSubstance => (
            "codex_nom_substance",
            &["code_nom_substance", "code_substance", "nom_substance"],
        ),
        Kind::CodexHistoNomsVu => (
            "codex_histo_nom_vu",
            &["code_vu", "nom_ancien_vu", "date_creation", "code_produit"],
        ),
        Kind::CodexVuAtc => ("codex_vu_atc", &["code_vu", "code_atc"]),
        Kind::BdpmCis => (
            "bdpm_cis",
            &[
                "cis",
                "denomination",
                "forme",
                "voies",
                "statut_amm",
                "type_procedure",
                "etat_commercialisation",
                "date_amm_raw",
                "date_amm",
                "statut_bdm",
                "num_autorisation_eu",
                "titulaires",
                "surveillance_renforcee",
            ],
        ),
        Kind::BdpmCip => (
            "bdpm_cip",
            &[
                "cis",
                "cip7",
                "libelle",
                "statut",
                "etat_commercialisation",
                "date_declaration_raw",
                "date_declaration",
                "cip13",
                "agrement_collectivites",
                "taux_remboursement",
                "prix",
                "prix_raw",
                "extra",
            ],
        ),
        Kind::BdpmCompo => (
            "bdpm_compo",
            &[
                "cis",
                "element",
                "code_substance",
                "denomination",
                "dosage",
                "reference_dosage",
                "nature",
                "num_liaison",
            ],
        ),
        Kind::BdpmGener => ("bdpm_gener", &["group_id", "libelle", "cis", "type", "tri"]),
        Kind::OpenMedic => (
            "openmedic",
            &[
                "year",
                "cip13",
                "l_cip13",
                "age_class",
                "sex",
                "nbc",
                "rem",
                "bse",
                "boites",
            ],
        ),
    }
}

/// What identifies a file being imported.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// The kind of file.
    pub kind: Kind,
    /// The file path as given.
    pub file: PathBuf,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// The detected encoding.
    pub encoding: String,
    /// Who imports (OS user).
    pub imported_by: String,
}

/// How serious an import issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The row was kept out (malformed).
    Rejected,
    /// The row was left out by an agency rule (e.g. "INCONNU (LIBRA)").
    Dropped,
    /// The row was kept; a value could not be used as is.
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Rejected => "rejected",
            Severity::Dropped => "dropped",
            Severity::Warning => "warning",
        }
    }
}

/// Row counts of a finished import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    /// Data rows read from the file.
    pub read: u64,
    /// Rows stored.
    pub kept: u64,
    /// Rows kept out as malformed.
    pub rejected: u64,
    /// Rows dropped by a rule.
    pub dropped: u64,
    /// Warnings recorded.
    pub warnings: u64,
}

impl Store {
    /// Starts importing a file: one write transaction for the whole file.
    /// Refuses a file already imported (same kind and sha256) unless
    /// `replace`, which removes that batch's rows inside the same
    /// transaction.
    pub fn begin_import(&mut self, batch: &NewBatch, replace: bool) -> Result<ImportWriter<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error(&path, e))?;
        let previous: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, imported_at, imported_by FROM import_batch WHERE kind = ?1 AND sha256 = ?2",
                params![batch.kind.as_str(), batch.sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| sql_error(&path, e))?;
        if let Some((id, at, by)) = previous {
            if !replace {
                return Err(Error::data(
                    Place::file(&batch.file),
                    format!(
                        "this file was already imported as batch {id} on {at} by {by} (same SHA-256); use --replace to import it again in place of that batch"
                    ),
                ));
            }
            delete_batch(&tx, id).map_err(|e| sql_error(&path, e))?;
        }
        if batch.kind.is_referential() {
            // A referential describes the present: the new file replaces the
            // rows of the previous one, whose batch stays for the record.
            let (table, _) = table_columns(batch.kind);
            let superseded: Vec<i64> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT id FROM import_batch WHERE kind = ?1 AND superseded_at IS NULL",
                    )
                    .map_err(|e| sql_error(&path, e))?;
                stmt.query_map([batch.kind.as_str()], |r| r.get(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
                    .map_err(|e| sql_error(&path, e))?
            };
            for id in superseded {
                tx.execute(&format!("DELETE FROM {table} WHERE batch_id = ?1"), [id])
                    .and_then(|_| {
                        tx.execute(
                            "UPDATE import_batch SET superseded_at = ?2 WHERE id = ?1",
                            params![id, now_iso()],
                        )
                    })
                    .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.execute(
            "INSERT INTO import_batch (kind, file_name, sheet, sha256, encoding, imported_at, imported_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                batch.kind.as_str(),
                batch.file.display().to_string(),
                batch.sheet,
                batch.sha256,
                batch.encoding,
                now_iso(),
                batch.imported_by
            ],
        )
        .map_err(|e| sql_error(&path, e))?;
        let batch_id = tx.last_insert_rowid();
        let (table, columns) = table_columns(batch.kind);
        let placeholders = vec!["?"; columns.len() + 2].join(", ");
        let insert_sql = format!(
            "INSERT INTO {table} (batch_id, line, {}) VALUES ({placeholders})",
            columns.join(", ")
        );
        Ok(ImportWriter {
            tx,
            path,
            kind: batch.kind,
            batch_id,
            insert_sql,
            params: Vec::with_capacity(columns.len() + 2),
            case_ids: None,
            name_ids: None,
            key: String::new(),
            name_counts: HashMap::new(),
            deferred_indexes: Vec::new(),
        })
    }

    /// The column mapping remembered for a kind: (expected, found) pairs.
    pub fn column_mapping(&self, kind: Kind) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT expected, found FROM column_mapping WHERE kind = ?1 ORDER BY expected")
            .map_err(|e| self.err(e))?;
        stmt.query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// Remembers (expected, found) column pairs for the next file of `kind`.
    pub fn save_column_mapping(&mut self, kind: Kind, pairs: &[(String, String)]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        for (expected, found) in pairs {
            tx.execute(
                "INSERT INTO column_mapping (kind, expected, found) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, expected) DO UPDATE SET found = excluded.found",
                params![kind.as_str(), expected, found],
            )
            .map_err(|e| sql_error(&path, e))?;
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }
}

/// Removes a batch and everything it brought.
fn delete_batch(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    let kind: String = tx.query_row("SELECT kind FROM import_batch WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    if let Some(kind) = Kind::parse(&kind) {
        let (table, _) = table_columns(kind);
        tx.execute(&format!("DELETE FROM {table} WHERE batch_id = ?1"), [id])?;
        if kind == Kind::BnpvDrugs {
            refresh_name_counts(tx)?;
        }
    }
    tx.execute("DELETE FROM import_issue WHERE batch_id = ?1", [id])?;
    tx.execute("DELETE FROM import_batch WHERE id = ?1", [id])?;
    Ok(())
}

/// Recomputes how many observations and cases each drug name has (ORDEI's
/// duplicates left out).
fn refresh_name_counts(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "UPDATE drug_name SET
            n_obs = (SELECT count(*) FROM bnpv_drug d WHERE d.name_id = drug_name.id AND d.duplicate = 0),
            n_cases = (SELECT count(DISTINCT d.case_id) FROM bnpv_drug d WHERE d.name_id = drug_name.id)",
    )
}

/// Current UTC time as ISO 8601.
pub(crate) fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Writes one file's rows inside one transaction. Dropping it without
/// [`ImportWriter::finish`] rolls everything back.
pub struct ImportWriter<'c> {
    tx: Transaction<'c>,
    path: PathBuf,
    kind: Kind,
    batch_id: i64,
    insert_sql: String,
    params: Vec<Value>,
    /// Case ids by "AER_ID\u{1f}CAS\u{1f}VER", loaded on first use.
    case_ids: Option<HashMap<String, i64>>,
    /// Drug name ids by "level\u{1f}name", loaded on first use.
    name_ids: Option<HashMap<String, i64>>,
    /// Reused buffer for the keys above.
    key: String,
    /// Observations per drug name brought by this file (duplicates left
    /// out), added to the names' counts on commit.
    name_counts: HashMap<i64, i64>,
    /// Indexes dropped for a bulk load, rebuilt before commit.
    deferred_indexes: Vec<String>,
}

impl ImportWriter<'_> {
    fn err(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.path, e)
    }

    /// The batch id being written.
    pub fn batch_id(&self) -> i64 {
        self.batch_id
    }

    /// Inserts one row (values in the order of [`table_columns`]).
    pub fn insert(&mut self, line: u64, values: Vec<Value>) -> Result<()> {
        self.params.clear();
        self.params.push(Value::Int(self.batch_id));
        self.params.push(Value::Int(line as i64));
        self.params.extend(values);
        let mut stmt = self
            .tx
            .prepare_cached(&self.insert_sql)
            .map_err(|e| sql_error(&self.path, e))?;
        stmt.execute(rusqlite::params_from_iter(self.params.iter()))
            .map_err(|e| sql_error(&self.path, e))?;
        Ok(())
    }

    /// Inserts a BNPV case row; when the case version is already stored,
    /// returns where (file and line) instead of failing, so the importer can
    /// name both places.
    pub fn insert_case(&mut self, line: u64, values: Vec<Value>) -> Result<Option<String>> {
        let case_id = match values.first() {
            Some(Value::Int(id)) => *id,
            _ => {
                return Err(Error::Usage(
                    "insert_case: the first value must be the case id".into(),
                ));
            }
        };
        match self.insert(line, values) {
            Ok(()) => Ok(None),
            // The primary key refused a second row for the case version:
            // find the first one to name it.
            Err(Error::Sqlite {
                source: rusqlite::Error::SqliteFailure(f, _),
                ..
            }) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                let existing: Option<(String, i64)> = self
                    .tx
                    .query_row(
                        "SELECT b.file_name, c.line FROM bnpv_case c JOIN import_batch b ON b.id = c.batch_id WHERE c.case_id = ?1",
                        [case_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(|e| self.err(e))?;
                Ok(Some(existing.map_or_else(
                    || "an earlier row".to_string(),
                    |(file, at)| format!("{file}, line {at}"),
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// Records an issue found at `line` (and `column`).
    pub fn issue(
        &mut self,
        severity: Severity,
        line: Option<u64>,
        column: Option<&str>,
        message: &str,
    ) -> Result<()> {
        let batch_id = self.batch_id;
        self.tx
            .prepare_cached(
                "INSERT INTO import_issue (batch_id, severity, line, column_name, message) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    batch_id,
                    severity.as_str(),
                    line.map(|l| l as i64),
                    column,
                    message
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The id of a case version, created on first sight.
    pub fn case_id(&mut self, aer_id: &str, cas: &str, ver: &str) -> Result<i64> {
        if self.case_ids.is_none() {
            let map = self
                .tx
                .prepare("SELECT aer_id || char(31) || cas || char(31) || ver, id FROM case_key")
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                        .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
                })
                .map_err(|e| self.err(e))?;
            self.case_ids = Some(map);
        }
        self.key.clear();
        for (i, part) in [aer_id, cas, ver].iter().enumerate() {
            if i > 0 {
                self.key.push('\u{1f}');
            }
            self.key.push_str(part);
        }
        if let Some(id) = self
            .case_ids
            .as_ref()
            .and_then(|m| m.get(self.key.as_str()))
        {
            return Ok(*id);
        }
        self.tx
            .prepare_cached("INSERT INTO case_key (aer_id, cas, ver) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute([aer_id, cas, ver]))
            .map_err(|e| self.err(e))?;
        let id = self.tx.last_insert_rowid();
        if let Some(m) = self.case_ids.as_mut() {
            m.insert(self.key.clone(), id);
        }
        Ok(id)
    }

    /// The id of a distinct drug name at a level, created on first sight;
    /// `normalize` is called only for a new name.
    pub fn drug_name_id(
        &mut self,
        name: &str,
        level: Level,
        normalize: impl FnOnce(&str) -> String,
    ) -> Result<i64> {
        if self.name_ids.is_none() {
            let map = self
                .tx
                .prepare("SELECT level || char(31) || name, id FROM drug_name")
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                        .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
                })
                .map_err(|e| self.err(e))?;
            self.name_ids = Some(map);
        }
        self.key.clear();
        self.key.push_str(level.as_str());
        self.key.push('\u{1f}');
        self.key.push_str(name);
        if let Some(id) = self
            .name_ids
            .as_ref()
            .and_then(|m| m.get(self.key.as_str()))
        {
            return Ok(*id);
        }
        let normalized = normalize(name);
        self.tx
            .prepare_cached("INSERT INTO drug_name (name, level, normalized) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute([name, level.as_str(), normalized.as_str()]))
            .map_err(|e| self.err(e))?;
        let id = self.tx.last_insert_rowid();
        if let Some(m) = self.name_ids.as_mut() {
            m.insert(self.key.clone(), id);
        }
        Ok(id)
    }

    /// For a large file: drops the indexes of the kind's table now and
    /// rebuilds them before commit — one sort instead of a million random
    /// B-tree insertions. Inside the transaction, so a failed import leaves
    /// them as they were.
    pub fn defer_indexes(&mut self) -> Result<()> {
        let (table, _) = table_columns(self.kind);
        let indexes: Vec<(String, String)> = self
            .tx
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")
            .and_then(|mut s| {
                s.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
                    .and_then(|rows| rows.collect())
            })
            .map_err(|e| self.err(e))?;
        for (name, sql) in indexes {
            self.tx
                .execute_batch(&format!("DROP INDEX \"{name}\""))
                .map_err(|e| self.err(e))?;
            self.deferred_indexes.push(sql);
        }
        Ok(())
    }

    /// Counts one observation of a drug name (not an ORDEI duplicate).
    pub fn count_observation(&mut self, name_id: i64) {
        *self.name_counts.entry(name_id).or_default() += 1;
    }

    /// Records the counts and commits the whole file.
    pub fn finish(self, counts: RowCounts) -> Result<i64> {
        for sql in &self.deferred_indexes {
            self.tx.execute_batch(sql).map_err(|e| self.err(e))?;
        }
        if self.kind == Kind::BnpvDrugs {
            // Within a file the only repeats of a (case, name) pair are
            // ORDEI's duplicates, left out: a name's observations are its
            // cases too. Names of several files add up.
            let mut stmt = self
                .tx
                .prepare(
                    "UPDATE drug_name SET n_obs = n_obs + ?2, n_cases = n_cases + ?2 WHERE id = ?1",
                )
                .map_err(|e| self.err(e))?;
            for (id, n) in &self.name_counts {
                stmt.execute(params![id, n]).map_err(|e| self.err(e))?;
            }
        }
        self.tx
            .execute(
                "UPDATE import_batch SET rows_read = ?2, rows_kept = ?3, rows_rejected = ?4, warnings = ?5 WHERE id = ?1",
                params![
                    self.batch_id,
                    counts.read as i64,
                    counts.kept as i64,
                    counts.rejected as i64,
                    (counts.warnings + counts.dropped) as i64
                ],
            )
            .map_err(|e| self.err(e))?;
        let id = self.batch_id;
        let path = self.path.clone();
        self.tx.commit().map_err(|e| sql_error(&path, e))?;
        Ok(id)
    }
}
