//! Reading text extracts whatever their encoding: this module owns encoding
//! detection (UTF-8 with or without BOM, Windows-1252, refusing UTF-16 and
//! binary files with a clear message) and separator detection (`;`, tab, `,`).

use std::path::Path;

use crate::error::{Error, Place, Result};

/// A file decoded to UTF-8 text.
#[derive(Debug)]
pub struct DecodedText {
    /// The text, without BOM.
    pub text: String,
    /// The encoding that was detected: `UTF-8`, `UTF-8 (BOM)` or `windows-1252`.
    pub encoding: &'static str,
}

/// Decodes raw bytes: a UTF-8 BOM or valid UTF-8 means UTF-8; otherwise the
/// bytes are Windows-1252, the encoding of the official BDPM and of Excel's
/// CSV on French Windows. UTF-16 and binary content are refused.
pub fn decode(bytes: &[u8], place: &Place) -> Result<DecodedText> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::data(
            place.at_line(1),
            "the file is UTF-16 (Excel \"Unicode text\"); save it as CSV UTF-8 or CSV (Windows-1252)",
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok(DecodedText {
                text: text.to_string(),
                encoding: "UTF-8 (BOM)",
            }),
            Err(e) => {
                let line = line_of_offset(rest, e.valid_up_to());
                Err(Error::data(
                    place.at_line(line),
                    "the file starts with a UTF-8 byte-order mark but is not valid UTF-8 here; save it again in one encoding",
                ))
            }
        };
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::data(
            place.at_line(line_of_offset(bytes, offset)),
            "the file contains NUL bytes: it is binary or UTF-16, not a text extract",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(DecodedText {
            text: text.to_string(),
            encoding: "UTF-8",
        }),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok(DecodedText {
                text: text.into_owned(),
                encoding: "windows-1252",
            })
        }
    }
}

/// Reads and decodes a file.
pub fn decode_file(path: &Path) -> Result<DecodedText> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(&bytes, &Place::file(path))
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Guesses the field separator from the first line: the most frequent of
/// `;`, tab and `,` outside double quotes; `;` when none appears.
pub fn detect_separator(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for c in first.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => counts[0] += 1,
            '\t' if !in_quotes => counts[1] += 1,
            ',' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [b';', b'\t', b','];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    if counts[best] == 0 { b';' } else { seps[best] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_cp1252_are_detected() {
        let place = Place::default();
        let bom = decode(b"\xEF\xBB\xBFA;B\r\n", &place).unwrap();
        assert_eq!(bom.encoding, "UTF-8 (BOM)");
        assert_eq!(bom.text, "A;B\r\n");
        let cp = decode(b"M\xE9dicaments", &place).unwrap();
        assert_eq!(cp.encoding, "windows-1252");
        assert_eq!(cp.text, "Médicaments");
        let utf = decode("Médicaments".as_bytes(), &place).unwrap();
        assert_eq!(utf.encoding, "UTF-8");
    }

    #[test]
    fn utf16_and_binary_are_refused() {
        let place = Place::default();
        assert!(decode(b"\xFF\xFEA\0", &place).is_err());
        assert!(decode(b"abc\n\0def", &place).is_err());
    }

    #[test]
    fn separator_is_detected_outside_quotes() {
        assert_eq!(detect_separator("A;B;C\n"), b';');
        assert_eq!(detect_separator("A\tB\tC"), b'\t');
        assert_eq!(detect_separator("\"a;b;c\",x,y,z"), b',');
        assert_eq!(detect_separator("ONE"), b';');
    }
}
