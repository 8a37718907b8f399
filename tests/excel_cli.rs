//! Runs the real `datamed export transcoding|candidates|audit|queue` on the
//! bundled sample, reviewed a little: each table written as an Excel
//! workbook, as CSV in Excel's dialect and in the RFC one says the same
//! thing cell by cell, formulas stay inert in every format, and a CSV never
//! goes into a `.xlsx` name.

// A failing test should stop at the failing call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use common::*;

/// A cell as the CSV would print it, for comparison: text as is, numbers
/// with the decimals the CSV has.
fn xlsx_rows(path: &Path) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto(path).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    // calamine starts the range at the first non-empty cell: the header
    // fills the first row from A1, so rows and columns line up.
    assert_eq!(range.start(), Some((0, 0)));
    let width = range.width();
    range
        .rows()
        .map(|r| {
            let mut row = r.to_vec();
            row.resize(width, Data::Empty);
            row
        })
        .collect()
}

/// The records of a CSV file read with `delimiter`.
fn csv_records(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Whether an xlsx cell and a CSV cell (Excel dialect) say the same.
fn same(x: &Data, c: &str) -> bool {
    match x {
        Data::Empty => c.is_empty(),
        Data::String(s) => s == c,
        Data::Float(f) => c
            .replace(',', ".")
            .parse::<f64>()
            .is_ok_and(|v| (v - f).abs() < 1e-9),
        Data::Int(i) => c.parse::<i64>() == Ok(*i),
        _ => false,
    }
}

#[test]
fn each_table_says_the_same_in_xlsx_and_in_both_csv_dialects() {
    let (dir, w) = matched_sample_copy();
    // A few review steps, one with a comment a spreadsheet would run.
    let tsv = datamed_ok(&["review", "queue", "-w", s(&w), "--tsv", "--limit", "3"]);
    let names: Vec<(String, String)> = tsv
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[1].to_string(), cols[8].to_string())
        })
        .collect();
    assert_eq!(names.len(), 3, "{tsv}");
    let formula = "=HYPERLINK(\"http://x\";\"clic\")";
    for ((level, name), (action, extra)) in names.iter().zip([
        ("approve", vec!["--rank", "1", "--comment", formula]),
        ("reject", vec![]),
        ("defer", vec!["--comment", "à revoir; dose?"]),
    ]) {
        let mut args = vec![
            "review",
            action,
            "-w",
            s(&w),
            "--name",
            name,
            "--level",
            level,
        ];
        args.extend(extra);
        datamed_ok(&args);
    }
    datamed_ok(&["review", "undo", "-w", s(&w)]);

    for kind in ["transcoding", "candidates", "audit", "queue"] {
        let xlsx = dir.path().join(format!("{kind}.xlsx"));
        let excel = dir.path().join(format!("{kind}.csv"));
        let rfc = dir.path().join(format!("{kind}-rfc.csv"));
        let said = datamed_ok(&["export", kind, "-w", s(&w), "--out", s(&xlsx)]);
        assert!(said.contains("Excel workbook"), "{said}");
        datamed_ok(&["export", kind, "-w", s(&w), "--out", s(&excel)]);
        datamed_ok(&[
            "export",
            kind,
            "-w",
            s(&w),
            "--out",
            s(&rfc),
            "--csv-dialect",
            "rfc",
        ]);
        assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "{kind}");

        // Excel's dialect: BOM, `;`, CRLF, decimal comma.
        let bytes = std::fs::read(&excel).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        let body = text.strip_prefix('\u{feff}').expect("a BOM");
        assert!(!body.starts_with('\u{feff}'));
        assert_eq!(
            body.matches('\n').count(),
            body.matches("\r\n").count(),
            "{kind}: every line ends in CRLF"
        );
        assert!(body.starts_with(&format!(
            "{};",
            if kind == "audit" {
                "entry"
            } else {
                "medicament"
            }
        )));
        let excel_rows = csv_records(body.as_bytes(), b';');
        // RFC: no BOM, `,`, LF only, decimal point.
        let rfc_bytes = std::fs::read(&rfc).unwrap();
        assert!(!rfc_bytes.starts_with("\u{feff}".as_bytes()));
        assert!(!rfc_bytes.contains(&b'\r'), "{kind}");
        let rfc_rows = csv_records(&rfc_bytes, b',');

        let xlsx_rows = xlsx_rows(&xlsx);
        assert!(xlsx_rows.len() > 1, "{kind}: {} rows", xlsx_rows.len());
        assert_eq!(xlsx_rows.len(), excel_rows.len(), "{kind}");
        assert_eq!(rfc_rows.len(), excel_rows.len(), "{kind}");
        let mut decimals = 0;
        for (i, ((x, e), r)) in xlsx_rows.iter().zip(&excel_rows).zip(&rfc_rows).enumerate() {
            assert_eq!(x.len(), e.len(), "{kind} row {i}: {x:?} / {e:?}");
            for ((xc, ec), rc) in x.iter().zip(e).zip(r) {
                assert!(same(xc, ec), "{kind} row {i}: xlsx {xc:?} ≠ csv {ec:?}");
                if matches!(xc, Data::Float(_)) {
                    // A number: decimal comma in Excel's dialect, point in
                    // RFC.
                    assert!(!ec.contains('.'), "{kind}: {ec}");
                    assert_eq!(rc, &ec.replace(',', "."), "{kind} row {i}");
                    decimals += usize::from(ec.contains(','));
                } else {
                    assert_eq!(rc, ec, "{kind} row {i}");
                }
            }
        }
        if kind != "audit" {
            assert!(decimals > 0, "{kind} has scores");
        }
        // No cell of any format starts as a formula.
        for row in &excel_rows {
            for c in row {
                assert!(
                    !c.starts_with(['=', '+', '-', '@']),
                    "{kind}: {c} would run"
                );
            }
        }
        if kind == "audit" {
            // approve, reject, defer, and the undo of the deferral.
            let actions: Vec<&str> = excel_rows[1..].iter().map(|r| r[4].as_str()).collect();
            assert_eq!(actions, ["approve", "reject", "defer", "undo"]);
            assert_eq!(excel_rows[1][16], format!("'{formula}"));
            assert_eq!(xlsx_rows[1][16], Data::String(format!("'{formula}")));
            assert_eq!(excel_rows[3][16], "à revoir; dose?");
        }
        if kind == "queue" {
            let states: Vec<&str> = excel_rows[1..].iter().map(|r| r[7].as_str()).collect();
            // The deferral was undone: nothing deferred, the rejected and
            // approved names left the queue.
            assert!(!states.contains(&"deferred"), "{states:?}");
            assert!(
                !excel_rows
                    .iter()
                    .any(|r| r[0] == names[0].1 || r[0] == names[1].1),
                "decided names left the queue"
            );
        }
    }
}

#[test]
fn a_csv_never_goes_into_an_xlsx_name() {
    let (dir, w) = matched_sample_copy();
    let out = dir.path().join("table.xlsx");
    for extra in [
        &["--format", "csv"][..],
        &["--csv-dialect", "rfc"][..],
        &["--format", "ods"][..],
    ] {
        let mut args = vec!["export", "transcoding", "-w", s(&w), "--out", s(&out)];
        args.extend(extra);
        let run = datamed(&args);
        assert_eq!(run.status.code(), Some(2), "{extra:?}");
        assert!(!out.exists(), "{extra:?}");
    }
    let err = String::from_utf8_lossy(
        &datamed(&[
            "export",
            "transcoding",
            "-w",
            s(&w),
            "--out",
            s(&out),
            "--format",
            "csv",
        ])
        .stderr,
    )
    .to_string();
    assert!(err.contains("contradicts"), "{err}");
    // --format xlsx names any file a workbook.
    let other = dir.path().join("table.dat");
    datamed_ok(&[
        "export",
        "queue",
        "-w",
        s(&w),
        "--out",
        s(&other),
        "--format",
        "xlsx",
    ]);
    assert!(std::fs::read(&other).unwrap().starts_with(b"PK"));
    // Nothing left beside.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with("w.sqlite"))
        .collect();
    left.sort();
    assert_eq!(left, ["table.dat"]);
}
