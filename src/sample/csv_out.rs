//! Writing text files the way the real extracts are written: this module
//! owns R `write.csv2`-style fields (quoted only when needed), Windows-1252
//! encoding and buffered output files that name themselves in errors.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Appends a field to a `;`-separated line, quoted (with doubled quotes)
/// only when it holds a separator, a quote or a line break.
pub(crate) fn push_field(line: &mut String, field: &str) {
    if field.contains([';', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// Windows-1252 bytes of a text; a character cp1252 lacks becomes '?',
/// as R does when writing a latin-1 file (never an HTML entity).
pub(crate) fn encode_cp1252(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1252.encode(text);
    if !had_errors {
        return bytes.into_owned();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buffer));
        if bad {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// A buffered output file that names itself in errors.
pub(crate) struct OutFile {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl OutFile {
    /// Creates (or truncates) the file.
    pub(crate) fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(OutFile {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, file),
        })
    }

    /// Writes raw bytes.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.writer
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Writes a line of text encoded in cp1252 (the caller adds the CRLF).
    pub(crate) fn write_cp1252(&mut self, text: &str) -> Result<()> {
        let bytes = encode_cp1252(text);
        self.write(&bytes)
    }

    /// Flushes and closes; returns the path.
    pub(crate) fn finish(mut self) -> Result<PathBuf> {
        self.writer.flush().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        push_field(&mut line, "DOLIPRANE 1000 mg, comprimé");
        line.push(';');
        push_field(&mut line, "A;B \"C\"");
        assert_eq!(line, "DOLIPRANE 1000 mg, comprimé;\"A;B \"\"C\"\"\"");
    }

    #[test]
    fn cp1252_encoding_replaces_what_it_lacks() {
        assert_eq!(encode_cp1252("Spécialité"), b"Sp\xe9cialit\xe9");
        assert_eq!(encode_cp1252("µ œ"), b"\xb5 \x9c");
        assert_eq!(encode_cp1252("α ≥"), b"? ?");
    }
}
