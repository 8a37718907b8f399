//! Character folding: upper case with every Latin accent and ligature folded
//! to ASCII letters (É → E, Œ → OE, ß → SS, µ → MICRO), the first step of
//! [`super::normalize_name`] and of every accent-insensitive comparison.

/// Base letters of U+00C0..=U+024F, one byte per code point; `.` means "not a
/// plain accented letter" (symbols such as × ÷, or multi-letter foldings
/// handled in [`fold_multi`]). Generated from the Unicode decompositions.
const FOLD_00C0: &[u8] = b"AAAAAA.CEEEEIIIIDNOOOOO.OUUUUY..AAAAAA.CEEEEIIIIDNOOOOO.OUUUUY.YAAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII..JJKKKLLLLLL..LLNNNNNNN..OOOOOO..RRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZSBB.....CCDDDD....FFG..IIKKL..N..OO..PP......TTTUU.VYYZZ.Z....................AAIIOOUUUUUUUUUU.AAAA....GGKKOOOO..J...GG..NNAA....AAAAEEEEIIIIOOOORRRRUUUUSSTT..HH.D....AAEEOOOOOOOOYYLNTJ..ACCLT....B..EEJJ..RRYY";

/// Base letters of U+1E00..=U+1EFF (Latin Extended Additional), same scheme.
const FOLD_1E00: &[u8] = b"AABBBBBBCCDDDDDDDDDDEEEEEEEEEEFFGGHHHHHHHHHHIIIIKKKKKKLLLLLLLLMMMMMMNNNNNNNNOOOOOOOOPPPPRRRRRRRRSSSSSSSSSSTTTTTTTTUUUUUUUUUUVVVVWWWWWWWWWWXXXXYYZZZZZZHTWY.S....AAAAAAAAAAAAAAAAAAAAAAAAEEEEEEEEEEEEEEEEIIIIOOOOOOOOOOOOOOOOOOOOOOOOUUUUUUUUUUUUUUYYYYYYYY......";

/// Latin letters that fold to two letters (ligatures, ß, thorn) or that
/// Unicode does not decompose (Ø, Ł, Đ…).
fn fold_multi(c: char) -> Option<&'static str> {
    Some(match c {
        'Æ' | 'æ' => "AE",
        'Œ' | 'œ' => "OE",
        'ß' | 'ẞ' => "SS",
        'Þ' | 'þ' => "TH",
        'Ĳ' | 'ĳ' => "IJ",
        'Ŋ' | 'ŋ' => "NG",
        'Ǆ' | 'ǅ' | 'ǆ' | 'Ǳ' | 'ǲ' | 'ǳ' => "DZ",
        'Ǉ' | 'ǈ' | 'ǉ' => "LJ",
        'Ǌ' | 'ǋ' | 'ǌ' => "NJ",
        'Ø' | 'ø' => "O",
        'Đ' | 'đ' | 'Ð' | 'ð' => "D",
        'Ł' | 'ł' => "L",
        'Ħ' | 'ħ' => "H",
        'Ŧ' | 'ŧ' => "T",
        'ı' => "I",
        'ĸ' => "K",
        'ŉ' => "N",
        'ſ' => "S",
        // The micro sign and the Greek small mu both mean "micro" in a dose.
        'µ' | 'μ' => "MICRO",
        // Superscripts and vulgar fractions ("cellules/cm²", "½ comprimé").
        '¹' => "1",
        '²' => "2",
        '³' => "3",
        'ª' => "A",
        'º' => "O",
        '¼' => "1/4",
        '½' => "1/2",
        '¾' => "3/4",
        // Typographic ligatures typed from PDFs.
        'ﬀ' => "FF",
        'ﬁ' => "FI",
        'ﬂ' => "FL",
        'ﬃ' => "FFI",
        'ﬄ' => "FFL",
        _ => return None,
    })
}

/// Upper-case ASCII base letter of an accented Latin letter, if `c` is one.
fn fold_single(c: char) -> Option<char> {
    let cp = c as u32;
    let (table, start) = match cp {
        0x00C0..=0x024F => (FOLD_00C0, 0x00C0),
        0x1E00..=0x1EFF => (FOLD_1E00, 0x1E00),
        _ => return None,
    };
    let index = usize::try_from(cp - start).ok()?;
    match table.get(index) {
        Some(&b) if b != b'.' => Some(char::from(b)),
        _ => None,
    }
}

/// Combining diacritical marks: text typed or pasted in decomposed form
/// (`E` + U+0301) carries its accents this way; they are dropped.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Pushes the folded, upper-case form of `c` onto `out`.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else if is_combining_mark(c) {
        // A decomposed accent (E + U+0301): the base letter was pushed already.
    } else if let Some(s) = fold_multi(c) {
        out.push_str(s);
    } else if let Some(b) = fold_single(c) {
        out.push(b);
    } else {
        // Other scripts: plain upper case, folding again whatever the upper
        // case produced (it may decompose into a base letter and a mark).
        for u in c.to_uppercase() {
            if is_combining_mark(u) {
                continue;
            }
            if let Some(s) = fold_multi(u) {
                out.push_str(s);
            } else if let Some(b) = fold_single(u) {
                out.push(b);
            } else {
                out.push(u);
            }
        }
    }
}

/// Upper-cases `text` and folds every Latin accent and ligature (É → E,
/// Œ → OE, ß → SS, µ → MICRO). Nothing else changes: punctuation and spaces
/// are kept. Used by [`normalize_name`] and available to callers that need
/// accent-insensitive comparison without the rest of the normalisation.
pub fn fold_upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_upper_into(text, &mut out);
    out
}

/// [`fold_upper`] into a reused buffer (cleared first), for comparisons
/// made once per imported row.
pub fn fold_upper_into(text: &str, out: &mut String) {
    out.clear();
    for c in text.chars() {
        push_folded(c, out);
    }
}

/// A key for names people write in headers, sheet names and labels:
/// accents folded, lower case, letters and digits only
/// ("Date de naissance" → "datedenaissance", "Œdème" → "oedeme").
pub fn fold_name(text: &str) -> String {
    fold_upper(text)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
