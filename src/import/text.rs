//! Reading text extracts whatever their encoding: this module owns encoding
//! detection (UTF-8 with or without BOM, Windows-1252, refusing UTF-16 and
//! binary files with a clear message) and separator detection (`;`, tab, `,`).
//!
//! The encoding is decided per file on evidence: a file that is UTF-8 but
//! for a few invalid bytes (a line pasted from elsewhere) stays UTF-8, each
//! line with an invalid byte reported, rather than turning every accent of
//! the file into mojibake ("MÃ©decin") as a Windows-1252 reading would.

use std::path::Path;

use crate::error::{Error, Place, Result};

/// A file decoded to UTF-8 text.
#[derive(Debug)]
pub struct DecodedText {
    /// The text, without BOM.
    pub text: String,
    /// The encoding that was detected: `UTF-8`, `UTF-8 (BOM)` or `windows-1252`.
    pub encoding: &'static str,
    /// For a UTF-8 file with a few invalid bytes: the lines that hold them
    /// (1-based), each invalid sequence read as U+FFFD.
    pub invalid_lines: Vec<u64>,
}

/// Decodes raw bytes: a UTF-8 BOM or valid UTF-8 means UTF-8; so does text
/// whose valid UTF-8 sequences (accented letters) outnumber its invalid
/// ones, with the lines of the invalid ones reported; otherwise the bytes
/// are Windows-1252, the encoding of the official BDPM and of Excel's CSV on
/// French Windows. UTF-16 and binary content are refused.
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
                invalid_lines: Vec::new(),
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
            invalid_lines: Vec::new(),
        }),
        Err(e) => {
            // No accented letter in UTF-8 before the first invalid byte:
            // Windows-1252 at once (the agency's files, accents in the
            // first lines). Otherwise count both kinds over the file.
            if has_multibyte(&bytes[..e.valid_up_to()])
                && let Some(decoded) = mostly_utf8(bytes)
            {
                return Ok(decoded);
            }
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok(DecodedText {
                text: text.into_owned(),
                encoding: "windows-1252",
                invalid_lines: Vec::new(),
            })
        }
    }
}

/// Whether valid UTF-8 `bytes` hold a character beyond ASCII.
fn has_multibyte(bytes: &[u8]) -> bool {
    !bytes.is_ascii()
}

/// Reads `bytes`, not valid UTF-8, as UTF-8 with each invalid sequence
/// replaced, when the valid multi-byte characters outnumber the invalid
/// sequences; `None` when they do not (the file is not UTF-8).
fn mostly_utf8(bytes: &[u8]) -> Option<DecodedText> {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut invalid_lines: Vec<u64> = Vec::new();
    let mut line = 1u64;
    let (mut valid_chars, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        text.push_str(valid);
        line += valid.bytes().filter(|&b| b == b'\n').count() as u64;
        valid_chars += valid.chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
            text.push(char::REPLACEMENT_CHARACTER);
            if invalid_lines.last() != Some(&line) {
                invalid_lines.push(line);
            }
        }
    }
    (valid_chars > invalid).then_some(DecodedText {
        text,
        encoding: "UTF-8",
        invalid_lines,
    })
}

/// Reads and decodes a file.
pub fn decode_file(path: &Path) -> Result<DecodedText> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(&bytes, &Place::file(path))
}

/// A text file read, decoded and hashed in one pass.
#[derive(Debug)]
pub struct TextFile {
    /// The decoded text, as [`decode`] gives it.
    pub decoded: DecodedText,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Size of the file.
    pub size_bytes: u64,
}

/// Bytes read at a time by [`read_text_file`].
const CHUNK_BYTES: usize = 1 << 20;

/// Reads, decodes and hashes a text file, with the same outcome as
/// [`decode`] on its bytes, without holding them all: the file is read a
/// chunk at a time, each chunk decoded into the text and hashed by another
/// thread meanwhile. Fresh memory costs a page fault per 4 KiB on first
/// touch; a whole-file buffer besides the text doubled that cost, and
/// hashing then decoding one after the other doubled the time before the
/// first row (the critical path of an import's first file).
///
/// The encoding is guessed optimistically as UTF-8; the first byte that is
/// not UTF-8 starts the reading again as Windows-1252 (in the agency's
/// extracts it comes in the first lines) when no accented letter in UTF-8
/// came before it. Files [`decode`] refuses (UTF-16, NUL bytes, a broken
/// UTF-8 file with a BOM) and files it must weigh (UTF-8 letters, then an
/// invalid byte) are read whole again, so that its outcome, message and
/// line included, is the one given.
pub fn read_text_file(path: &Path) -> Result<TextFile> {
    read_text_file_in_chunks(path, CHUNK_BYTES)
}

fn read_text_file_in_chunks(path: &Path, chunk_bytes: usize) -> Result<TextFile> {
    let io = |e| Error::io(path, e);
    let streamed = match stream_decode(path, Guess::Utf8, chunk_bytes).map_err(io)? {
        Streamed::NotUtf8 => stream_decode(path, Guess::Windows1252, chunk_bytes).map_err(io)?,
        other => other,
    };
    match streamed {
        Streamed::Text(file) => Ok(file),
        Streamed::NotUtf8 | Streamed::Refused => {
            let bytes = std::fs::read(path).map_err(io)?;
            let decoded = decode(&bytes, &Place::file(path))?;
            Ok(TextFile {
                decoded,
                sha256: crate::files::sha256_hex(&bytes),
                size_bytes: bytes.len() as u64,
            })
        }
    }
}

/// The encoding a streamed reading assumes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Guess {
    /// UTF-8 (or UTF-8 with a BOM, when the file starts with one).
    Utf8,
    /// Windows-1252: every byte is a character.
    Windows1252,
}

/// How a streamed reading ended.
enum Streamed {
    Text(TextFile),
    /// A byte that is not UTF-8 (read again as Windows-1252).
    NotUtf8,
    /// What [`decode`] refuses or must weigh: read whole again.
    Refused,
}

/// Decodes `bytes` onto `text`; `true` when they are not UTF-8 (for the
/// UTF-8 guess; every byte is a Windows-1252 character).
fn decode_chunk(
    decoder: &mut encoding_rs::Decoder,
    guess: Guess,
    mut bytes: &[u8],
    text: &mut String,
    last: bool,
) -> bool {
    loop {
        text.reserve(
            decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(bytes.len() * 3),
        );
        let (done, read) = match guess {
            Guess::Utf8 => {
                let (result, read) =
                    decoder.decode_to_string_without_replacement(bytes, text, last);
                match result {
                    encoding_rs::DecoderResult::Malformed(..) => return true,
                    encoding_rs::DecoderResult::InputEmpty => (true, read),
                    encoding_rs::DecoderResult::OutputFull => (false, read),
                }
            }
            Guess::Windows1252 => {
                let (result, read, _) = decoder.decode_to_string(bytes, text, last);
                (result == encoding_rs::CoderResult::InputEmpty, read)
            }
        };
        if done {
            return false;
        }
        bytes = &bytes[read..];
    }
}

fn stream_decode(path: &Path, guess: Guess, chunk_bytes: usize) -> std::io::Result<Streamed> {
    use sha2::Digest as _;
    use std::io::Read as _;
    use std::sync::mpsc;

    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    std::thread::scope(|scope| {
        // Chunks go to the hashing thread in order and come back to be
        // filled again: a few MB in all, touched again and again.
        let (to_hash, chunks) = mpsc::sync_channel::<Vec<u8>>(4);
        let (back, free) = mpsc::channel::<Vec<u8>>();
        let hashing = std::thread::Builder::new()
            .name("import-hash".into())
            .spawn_scoped(scope, move || {
                let mut hasher = sha2::Sha256::new();
                for chunk in chunks {
                    hasher.update(&chunk);
                    let _ = back.send(chunk);
                }
                hasher.finalize()
            })?;
        let mut text = String::with_capacity(match guess {
            Guess::Utf8 => size as usize,
            // Accented letters take two bytes in UTF-8.
            Guess::Windows1252 => size as usize + size as usize / 16,
        });
        let mut decoder = match guess {
            Guess::Utf8 => encoding_rs::UTF_8.new_decoder_without_bom_handling(),
            Guess::Windows1252 => encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
        };
        // A UTF-8 BOM makes the reading strict: no fallback to
        // Windows-1252, and NUL bytes accepted, as in decode().
        let mut bom = false;
        let mut first = true;
        let mut read_bytes = 0u64;
        let outcome = loop {
            let mut chunk = free.try_recv().unwrap_or_default();
            // At least what telling a BOM takes.
            chunk.resize(chunk_bytes.max(3), 0);
            let mut filled = 0;
            while filled < chunk.len() {
                match file.read(&mut chunk[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            chunk.truncate(filled);
            read_bytes += filled as u64;
            let last = filled == 0;
            let mut bytes: &[u8] = &chunk;
            if first {
                first = false;
                if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                    break Streamed::Refused;
                }
                if guess == Guess::Utf8 && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    bom = true;
                    bytes = &bytes[3..];
                }
            }
            // decode() accepts NUL bytes after a UTF-8 BOM only.
            if !bom && bytes.contains(&0) {
                break Streamed::Refused;
            }
            let malformed = decode_chunk(&mut decoder, guess, bytes, &mut text, last);
            if malformed {
                // UTF-8 letters before the invalid byte: evidence to weigh.
                break if bom || has_multibyte(text.as_bytes()) {
                    Streamed::Refused
                } else {
                    Streamed::NotUtf8
                };
            }
            if to_hash.send(chunk).is_err() || last {
                break Streamed::Text(TextFile {
                    decoded: DecodedText {
                        text: std::mem::take(&mut text),
                        encoding: match (guess, bom) {
                            (Guess::Utf8, true) => "UTF-8 (BOM)",
                            (Guess::Utf8, false) => "UTF-8",
                            (Guess::Windows1252, _) => "windows-1252",
                        },
                        invalid_lines: Vec::new(),
                    },
                    sha256: String::new(),
                    size_bytes: read_bytes,
                });
            }
        };
        drop(to_hash);
        let digest = hashing
            .join()
            .map_err(|_| std::io::Error::other("the hashing thread stopped"))?;
        Ok(match outcome {
            Streamed::Text(mut file) => {
                file.sha256 = crate::files::hex(&digest);
                Streamed::Text(file)
            }
            other => other,
        })
    })
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
    fn a_utf8_file_with_a_few_invalid_bytes_stays_utf8() {
        let place = Place::default();
        let mut bytes = b"TYP_NOTIF\n".to_vec();
        for _ in 0..5 {
            bytes.extend_from_slice("Médecin spécialiste\n".as_bytes());
        }
        bytes.extend_from_slice(b"M\xE9decin\n");
        bytes.extend_from_slice("Médecin\n".as_bytes());
        let d = decode(&bytes, &place).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.invalid_lines, vec![7]);
        assert!(d.text.contains("Médecin spécialiste"), "{}", d.text);
        assert!(!d.text.contains("Ã"), "{}", d.text);
        assert!(d.text.contains("M\u{FFFD}decin"), "{}", d.text);
        // Windows-1252 throughout, or invalid bytes as many as letters:
        // Windows-1252.
        let cp = decode(b"A\n\xC9t\xE9\n\xE9t\xE9\n", &place).unwrap();
        assert_eq!(cp.encoding, "windows-1252");
        assert!(cp.invalid_lines.is_empty());
        let mixed = [&b"\xE9\xE9\n"[..], "é\n".as_bytes(), b"\xE9\n"].concat();
        assert_eq!(decode(&mixed, &place).unwrap().encoding, "windows-1252");
    }

    #[test]
    fn utf16_and_binary_are_refused() {
        let place = Place::default();
        assert!(decode(b"\xFF\xFEA\0", &place).is_err());
        assert!(decode(b"abc\n\0def", &place).is_err());
    }

    /// What the whole-file path gives: the reference for the streamed one.
    fn whole(path: &Path) -> Result<TextFile> {
        let bytes = std::fs::read(path).unwrap();
        decode(&bytes, &Place::file(path)).map(|decoded| TextFile {
            decoded,
            sha256: crate::files::sha256_hex(&bytes),
            size_bytes: bytes.len() as u64,
        })
    }

    #[test]
    fn streamed_reading_gives_what_the_whole_file_gives() {
        let dir = tempfile::tempdir().unwrap();
        let long_ascii = "AER_ID;CAS;MEDICAMENT\r\n".repeat(40);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("ascii", long_ascii.clone().into_bytes()),
            (
                "utf8",
                format!("{long_ascii}Médicaments;é;ü€\r\n").into_bytes(),
            ),
            (
                "bom",
                [&b"\xEF\xBB\xBF"[..], "A;Bé\r\n".as_bytes()].concat(),
            ),
            ("bom and nul", b"\xEF\xBB\xBFA;B\0\r\n".to_vec()),
            // Not UTF-8 only far into the file, after UTF-8-looking text.
            (
                "cp1252 late",
                [long_ascii.as_bytes(), "é".as_bytes(), b"M\xE9dicaments\r\n"].concat(),
            ),
            ("cp1252", b"M\xE9dicaments;\x80\r\n".to_vec()),
            // A lead byte at the very end: not UTF-8, so Windows-1252.
            ("cut at the end", [long_ascii.as_bytes(), b"\xC3"].concat()),
            ("bom then broken", b"\xEF\xBB\xBFA;\xE9\r\n".to_vec()),
            ("utf16", b"\xFF\xFEA\0;\0".to_vec()),
            // UTF-8 with one invalid byte, the letters before and after it.
            (
                "mostly utf8",
                [
                    long_ascii.as_bytes(),
                    "Médecin spécialiste\r\n".as_bytes(),
                    b"M\xE9decin\r\n",
                    "Médecin spécialiste\r\n".as_bytes(),
                ]
                .concat(),
            ),
            // The invalid byte in the first chunk, letters only after it.
            (
                "invalid first",
                [b"M\xE9decin\r\n", "Médecin spécialiste é\r\n".as_bytes()].concat(),
            ),
            ("nul", [long_ascii.as_bytes(), b"a\0b\r\n"].concat()),
        ];
        for (label, bytes) in cases {
            let path = dir.path().join(format!("{label}.csv"));
            std::fs::write(&path, &bytes).unwrap();
            let expected = whole(&path);
            // Tiny chunks: characters and the BOM cut across chunks.
            for chunk_bytes in [1, 2, 3, 4, 7, 64, CHUNK_BYTES] {
                let got = read_text_file_in_chunks(&path, chunk_bytes);
                match (&expected, &got) {
                    (Ok(e), Ok(g)) => {
                        assert_eq!(e.decoded.text, g.decoded.text, "{label} {chunk_bytes}");
                        assert_eq!(e.decoded.encoding, g.decoded.encoding, "{label}");
                        assert_eq!(e.decoded.invalid_lines, g.decoded.invalid_lines, "{label}");
                        assert_eq!(e.sha256, g.sha256, "{label} {chunk_bytes}");
                        assert_eq!(e.size_bytes, g.size_bytes, "{label}");
                    }
                    (Err(e), Err(g)) => assert_eq!(e.to_string(), g.to_string(), "{label}"),
                    _ => panic!("{label} {chunk_bytes}: {expected:?} but {got:?}"),
                }
            }
        }
    }

    #[test]
    fn separator_is_detected_outside_quotes() {
        assert_eq!(detect_separator("A;B;C\n"), b';');
        assert_eq!(detect_separator("A\tB\tC"), b'\t');
        assert_eq!(detect_separator("\"a;b;c\",x,y,z"), b',');
        assert_eq!(detect_separator("ONE"), b';');
    }
}
