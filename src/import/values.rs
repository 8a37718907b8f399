//! Parsing the values extracts hold: French dates (DD/MM/YYYY), ISO dates
//! from spreadsheets, Excel serial dates, decimal commas, and fixed-width
//! codes that Excel turned into numbers. Pure functions, tested here.

use chrono::{Datelike, NaiveDate};

/// Latest year accepted in a date: a date after it is impossible
/// (the BDPM holds a presentation declared on 29/11/2924).
pub fn latest_plausible_year() -> i32 {
    chrono::Utc::now().year() + 1
}

/// Earliest year accepted in a date.
pub const EARLIEST_PLAUSIBLE_YEAR: i32 = 1850;

/// Why a date could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a date in any accepted form.
    Unreadable,
    /// A real calendar date, but out of the plausible range.
    Implausible(NaiveDate),
}

/// Parses DD/MM/YYYY (also D/M/YYYY), YYYY-MM-DD (with an optional time, as
/// spreadsheets give), or an Excel serial day number. Empty gives `Ok(None)`.
pub fn parse_date(raw: &str) -> Result<Option<NaiveDate>, DateProblem> {
    parse_date_until(raw, latest_plausible_year())
}

/// [`parse_date`] with the latest plausible year given, for loops over
/// millions of rows that should not read the clock for each.
pub fn parse_date_until(raw: &str, latest_year: i32) -> Result<Option<NaiveDate>, DateProblem> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let date = if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or(DateProblem::Unreadable)?;
        let y = y.split_whitespace().next().unwrap_or("");
        let (d, m, y) = (
            d.parse::<u32>().map_err(|_| DateProblem::Unreadable)?,
            m.parse::<u32>().map_err(|_| DateProblem::Unreadable)?,
            y.parse::<i32>().map_err(|_| DateProblem::Unreadable)?,
        );
        NaiveDate::from_ymd_opt(y, m, d).ok_or(DateProblem::Unreadable)?
    } else if s.len() >= 10 && s.as_bytes()[4] == b'-' {
        NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").map_err(|_| DateProblem::Unreadable)?
    } else if let Ok(serial) = s.parse::<f64>() {
        excel_serial_date(serial).ok_or(DateProblem::Unreadable)?
    } else {
        return Err(DateProblem::Unreadable);
    };
    if date.year() < EARLIEST_PLAUSIBLE_YEAR || date.year() > latest_year {
        return Err(DateProblem::Implausible(date));
    }
    Ok(Some(date))
}

/// The date of an Excel serial day number (1900 system, 1 = 1900-01-01,
/// with Excel's phantom 29/02/1900 accounted for).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 60 { days + 1 } else { days };
    epoch.checked_add_signed(chrono::Duration::days(days))
}

/// Parses a decimal number written with a comma or a point.
pub fn parse_decimal(raw: &str) -> Option<f64> {
    let t = raw.trim();
    // Most values are plain whole numbers (ages): read without copying.
    if !t.is_empty() && t.len() <= 15 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u64>().ok().map(|n| n as f64);
    }
    let s = t.replace(['\u{a0}', ' '], "");
    if s.is_empty() {
        return None;
    }
    s.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

/// Restores a fixed-width numeric code that Excel turned into a number
/// (02202 → 2202 → "02202"); a code with a decimal part ("2202.0") is
/// accepted when the part is zero. Returns `None` when the value is not a
/// code of at most `width` digits.
pub fn restore_code(raw: &str, width: usize) -> Option<String> {
    let s = raw.trim();
    let s = s
        .strip_suffix(".0")
        .or_else(|| s.strip_suffix(",0"))
        .unwrap_or(s);
    if s.is_empty() || s.len() > width || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{s:0>width$}"))
}

/// Upper case with accents folded and spaces trimmed, for comparing
/// flag values such as `OUI`, countries or units.
pub fn fold_upper(raw: &str) -> String {
    crate::normalize::fold_upper(raw.trim())
}

/// [`fold_upper`] into a reused buffer, for per-row comparisons.
pub fn fold_upper_into(raw: &str, out: &mut String) {
    crate::normalize::fold_upper_into(raw.trim(), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn french_iso_and_serial_dates() {
        assert_eq!(parse_date("12/03/1998"), Ok(Some(d(1998, 3, 12))));
        assert_eq!(parse_date("1/2/2010"), Ok(Some(d(2010, 2, 1))));
        assert_eq!(parse_date("2010-02-01T00:00:00"), Ok(Some(d(2010, 2, 1))));
        assert_eq!(parse_date("36526"), Ok(Some(d(2000, 1, 1))));
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("31/02/2010"), Err(DateProblem::Unreadable));
        assert_eq!(parse_date("hier"), Err(DateProblem::Unreadable));
        assert_eq!(
            parse_date("29/11/2924"),
            Err(DateProblem::Implausible(d(2924, 11, 29)))
        );
    }

    #[test]
    fn codes_get_their_width_back() {
        assert_eq!(restore_code("2202", 5).as_deref(), Some("02202"));
        assert_eq!(restore_code("02202", 5).as_deref(), Some("02202"));
        assert_eq!(restore_code("2202.0", 5).as_deref(), Some("02202"));
        assert_eq!(restore_code("64661854", 8).as_deref(), Some("64661854"));
        assert_eq!(restore_code("123456", 5), None);
        assert_eq!(restore_code("22A2", 5), None);
    }

    #[test]
    fn folding_into_a_buffer_is_fold_upper() {
        let mut buf = String::new();
        for raw in [" oui ", "Féminin", "straße", "", "ÉTATS-UNIS", "ǆ"] {
            fold_upper_into(raw, &mut buf);
            assert_eq!(buf, fold_upper(raw), "{raw}");
        }
    }

    #[test]
    fn decimals_with_comma() {
        assert_eq!(parse_decimal("2,5"), Some(2.5));
        assert_eq!(parse_decimal(" 30.36 "), Some(30.36));
        assert_eq!(parse_decimal("1 234,5"), Some(1234.5));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("062"), Some(62.0));
        assert_eq!(parse_decimal("-3"), Some(-3.0));
        assert_eq!(parse_decimal(""), None);
    }
}
