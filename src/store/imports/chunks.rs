//! Many-row INSERT statements for the import writer, with a row-by-row
//! retry that finds the row at fault.

use rusqlite::Connection;

/// Rows per INSERT statement when writing a batch. One statement per row
/// reopens the table's cursor and walks down from the root page every time;
/// one statement for many rows keeps the cursor on the last leaf, where the
/// next row goes.
pub(super) const ROWS_PER_STATEMENT: usize = 64;

/// Inserts `rows` rows of `per_row` parameters each: `head` followed by
/// `tuple` (the parameters of one row) repeated, [`ROWS_PER_STATEMENT`] rows
/// to a statement. `bind` binds row `row` from parameter index `at` on. On
/// error, the rows of the failed statement are tried one by one (a failed
/// statement leaves nothing behind), to return the row at fault.
pub(super) fn insert_chunked<B>(
    conn: &Connection,
    head: &str,
    tuple: &str,
    per_row: usize,
    rows: usize,
    mut bind: B,
) -> std::result::Result<(), (usize, rusqlite::Error)>
where
    B: FnMut(&mut rusqlite::Statement<'_>, usize, usize) -> rusqlite::Result<()>,
{
    let statement = |n: usize| {
        let mut sql = String::with_capacity(head.len() + n * (tuple.len() + 2));
        sql.push_str(head);
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(tuple);
        }
        sql
    };
    let chunks = rows / ROWS_PER_STATEMENT;
    if chunks > 0 {
        let mut stmt = conn
            .prepare_cached(&statement(ROWS_PER_STATEMENT))
            .map_err(|e| (0, e))?;
        for chunk in 0..chunks {
            let first = chunk * ROWS_PER_STATEMENT;
            let result = (0..ROWS_PER_STATEMENT)
                .try_for_each(|k| bind(&mut stmt, 1 + k * per_row, first + k))
                .and_then(|()| stmt.raw_execute());
            if let Err(e) = result {
                drop(stmt);
                let single = conn.prepare_cached(&statement(1)).map_err(|e| (first, e))?;
                one_by_one(single, &mut bind, first, first + ROWS_PER_STATEMENT)?;
                // Every row went in alone: the statement failed as a whole
                // only (too large, say).
                return Err((first, e));
            }
        }
    }
    let first = chunks * ROWS_PER_STATEMENT;
    if first < rows {
        let single = conn.prepare_cached(&statement(1)).map_err(|e| (first, e))?;
        one_by_one(single, &mut bind, first, rows)?;
    }
    Ok(())
}

/// Inserts rows `from..to` with a one-row statement.
fn one_by_one<B>(
    mut stmt: rusqlite::CachedStatement<'_>,
    bind: &mut B,
    from: usize,
    to: usize,
) -> std::result::Result<(), (usize, rusqlite::Error)>
where
    B: FnMut(&mut rusqlite::Statement<'_>, usize, usize) -> rusqlite::Result<()>,
{
    for row in from..to {
        bind(&mut stmt, 1, row)
            .and_then(|()| stmt.raw_execute())
            .map_err(|e| (row, e))?;
    }
    Ok(())
}
