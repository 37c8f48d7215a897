//! Vietnamese code pages as data: TCVN-3 (Epson splits it into a lower-case and an upper-case table) and
//! Windows-1258, byte by byte, with the inverse for the simulator's decoder.
//!
//! The TCVN-3 tables are the high halves (0x80-0xFF) of "TCVN-3-1" and "TCVN-3-2" in escpos-printer-db
//! (receipt-print-hq, CC BY 4.0) as bundled in python-escpos 3.1, except that U+00D0 (Ð) there is taken as
//! U+0110 (Đ), which is what TCVN-3 byte 0xA7 is. The CP1258 table is Python's `cp1258` codec. CP1258 holds only
//! 30 of the 134 accented Vietnamese letters; the rest are a base letter plus a combining tone mark
//! (shared/reference/escpos.md §2.2). Must not do: I/O.

use unicode_normalization::UnicodeNormalization;

/// TCVN-3-1: high-half bytes and the letters they print.
pub const TCVN3_LOWER: [(char, u8); 67] = [
    ('ă', 0xA8),
    ('â', 0xA9),
    ('ê', 0xAA),
    ('ô', 0xAB),
    ('ơ', 0xAC),
    ('ư', 0xAD),
    ('đ', 0xAE),
    ('à', 0xB5),
    ('ả', 0xB6),
    ('ã', 0xB7),
    ('á', 0xB8),
    ('ạ', 0xB9),
    ('ằ', 0xBB),
    ('ẳ', 0xBC),
    ('ẵ', 0xBD),
    ('ắ', 0xBE),
    ('ặ', 0xC6),
    ('ầ', 0xC7),
    ('ẩ', 0xC8),
    ('ẫ', 0xC9),
    ('ấ', 0xCA),
    ('ậ', 0xCB),
    ('è', 0xCC),
    ('ẻ', 0xCE),
    ('ẽ', 0xCF),
    ('é', 0xD0),
    ('ẹ', 0xD1),
    ('ề', 0xD2),
    ('ể', 0xD3),
    ('ễ', 0xD4),
    ('ế', 0xD5),
    ('ệ', 0xD6),
    ('ì', 0xD7),
    ('ỉ', 0xD8),
    ('ĩ', 0xDC),
    ('í', 0xDD),
    ('ị', 0xDE),
    ('ò', 0xDF),
    ('ỏ', 0xE1),
    ('õ', 0xE2),
    ('ó', 0xE3),
    ('ọ', 0xE4),
    ('ồ', 0xE5),
    ('ổ', 0xE6),
    ('ỗ', 0xE7),
    ('ố', 0xE8),
    ('ộ', 0xE9),
    ('ờ', 0xEA),
    ('ở', 0xEB),
    ('ỡ', 0xEC),
    ('ớ', 0xED),
    ('ợ', 0xEE),
    ('ù', 0xEF),
    ('ủ', 0xF1),
    ('ũ', 0xF2),
    ('ú', 0xF3),
    ('ụ', 0xF4),
    ('ừ', 0xF5),
    ('ử', 0xF6),
    ('ữ', 0xF7),
    ('ứ', 0xF8),
    ('ự', 0xF9),
    ('ỳ', 0xFA),
    ('ỷ', 0xFB),
    ('ỹ', 0xFC),
    ('ý', 0xFD),
    ('ỵ', 0xFE),
];

/// TCVN-3-2: high-half bytes and the letters they print.
pub const TCVN3_UPPER: [(char, u8); 67] = [
    ('Ă', 0xA1),
    ('Â', 0xA2),
    ('Đ', 0xA7),
    ('Ê', 0xAA),
    ('Ô', 0xAB),
    ('Ơ', 0xAC),
    ('Ư', 0xAD),
    ('À', 0xB5),
    ('Ả', 0xB6),
    ('Ã', 0xB7),
    ('Á', 0xB8),
    ('Ạ', 0xB9),
    ('Ằ', 0xBB),
    ('Ẳ', 0xBC),
    ('Ẵ', 0xBD),
    ('Ắ', 0xBE),
    ('Ặ', 0xC6),
    ('Ầ', 0xC7),
    ('Ẩ', 0xC8),
    ('Ẫ', 0xC9),
    ('Ấ', 0xCA),
    ('Ậ', 0xCB),
    ('È', 0xCC),
    ('Ẻ', 0xCE),
    ('Ẽ', 0xCF),
    ('É', 0xD0),
    ('Ẹ', 0xD1),
    ('Ề', 0xD2),
    ('Ể', 0xD3),
    ('Ễ', 0xD4),
    ('Ế', 0xD5),
    ('Ệ', 0xD6),
    ('Ì', 0xD7),
    ('Ỉ', 0xD8),
    ('Ĩ', 0xDC),
    ('Í', 0xDD),
    ('Ị', 0xDE),
    ('Ò', 0xDF),
    ('Ỏ', 0xE1),
    ('Õ', 0xE2),
    ('Ó', 0xE3),
    ('Ọ', 0xE4),
    ('Ồ', 0xE5),
    ('Ổ', 0xE6),
    ('Ỗ', 0xE7),
    ('Ố', 0xE8),
    ('Ộ', 0xE9),
    ('Ờ', 0xEA),
    ('Ở', 0xEB),
    ('Ỡ', 0xEC),
    ('Ớ', 0xED),
    ('Ợ', 0xEE),
    ('Ù', 0xEF),
    ('Ủ', 0xF1),
    ('Ũ', 0xF2),
    ('Ú', 0xF3),
    ('Ụ', 0xF4),
    ('Ừ', 0xF5),
    ('Ử', 0xF6),
    ('Ữ', 0xF7),
    ('Ứ', 0xF8),
    ('Ự', 0xF9),
    ('Ỳ', 0xFA),
    ('Ỷ', 0xFB),
    ('Ỹ', 0xFC),
    ('Ý', 0xFD),
    ('Ỵ', 0xFE),
];

/// Windows-1258: high-half bytes and the characters they print (combining tone marks included).
pub const CP1258: [(char, u8); 119] = [
    ('\u{20AC}', 0x80),
    ('\u{201A}', 0x82),
    ('\u{0192}', 0x83),
    ('\u{201E}', 0x84),
    ('\u{2026}', 0x85),
    ('\u{2020}', 0x86),
    ('\u{2021}', 0x87),
    ('\u{02C6}', 0x88),
    ('\u{2030}', 0x89),
    ('\u{2039}', 0x8B),
    ('\u{0152}', 0x8C),
    ('\u{2018}', 0x91),
    ('\u{2019}', 0x92),
    ('\u{201C}', 0x93),
    ('\u{201D}', 0x94),
    ('\u{2022}', 0x95),
    ('\u{2013}', 0x96),
    ('\u{2014}', 0x97),
    ('\u{02DC}', 0x98),
    ('\u{2122}', 0x99),
    ('\u{203A}', 0x9B),
    ('\u{0153}', 0x9C),
    ('\u{0178}', 0x9F),
    ('\u{00A0}', 0xA0),
    ('\u{00A1}', 0xA1),
    ('\u{00A2}', 0xA2),
    ('\u{00A3}', 0xA3),
    ('\u{00A4}', 0xA4),
    ('\u{00A5}', 0xA5),
    ('\u{00A6}', 0xA6),
    ('\u{00A7}', 0xA7),
    ('\u{00A8}', 0xA8),
    ('\u{00A9}', 0xA9),
    ('\u{00AA}', 0xAA),
    ('\u{00AB}', 0xAB),
    ('\u{00AC}', 0xAC),
    ('\u{00AD}', 0xAD),
    ('\u{00AE}', 0xAE),
    ('\u{00AF}', 0xAF),
    ('\u{00B0}', 0xB0),
    ('\u{00B1}', 0xB1),
    ('\u{00B2}', 0xB2),
    ('\u{00B3}', 0xB3),
    ('\u{00B4}', 0xB4),
    ('\u{00B5}', 0xB5),
    ('\u{00B6}', 0xB6),
    ('\u{00B7}', 0xB7),
    ('\u{00B8}', 0xB8),
    ('\u{00B9}', 0xB9),
    ('\u{00BA}', 0xBA),
    ('\u{00BB}', 0xBB),
    ('\u{00BC}', 0xBC),
    ('\u{00BD}', 0xBD),
    ('\u{00BE}', 0xBE),
    ('\u{00BF}', 0xBF),
    ('\u{00C0}', 0xC0),
    ('\u{00C1}', 0xC1),
    ('\u{00C2}', 0xC2),
    ('\u{0102}', 0xC3),
    ('\u{00C4}', 0xC4),
    ('\u{00C5}', 0xC5),
    ('\u{00C6}', 0xC6),
    ('\u{00C7}', 0xC7),
    ('\u{00C8}', 0xC8),
    ('\u{00C9}', 0xC9),
    ('\u{00CA}', 0xCA),
    ('\u{00CB}', 0xCB),
    ('\u{0300}', 0xCC),
    ('\u{00CD}', 0xCD),
    ('\u{00CE}', 0xCE),
    ('\u{00CF}', 0xCF),
    ('\u{0110}', 0xD0),
    ('\u{00D1}', 0xD1),
    ('\u{0309}', 0xD2),
    ('\u{00D3}', 0xD3),
    ('\u{00D4}', 0xD4),
    ('\u{01A0}', 0xD5),
    ('\u{00D6}', 0xD6),
    ('\u{00D7}', 0xD7),
    ('\u{00D8}', 0xD8),
    ('\u{00D9}', 0xD9),
    ('\u{00DA}', 0xDA),
    ('\u{00DB}', 0xDB),
    ('\u{00DC}', 0xDC),
    ('\u{01AF}', 0xDD),
    ('\u{0303}', 0xDE),
    ('\u{00DF}', 0xDF),
    ('\u{00E0}', 0xE0),
    ('\u{00E1}', 0xE1),
    ('\u{00E2}', 0xE2),
    ('\u{0103}', 0xE3),
    ('\u{00E4}', 0xE4),
    ('\u{00E5}', 0xE5),
    ('\u{00E6}', 0xE6),
    ('\u{00E7}', 0xE7),
    ('\u{00E8}', 0xE8),
    ('\u{00E9}', 0xE9),
    ('\u{00EA}', 0xEA),
    ('\u{00EB}', 0xEB),
    ('\u{0301}', 0xEC),
    ('\u{00ED}', 0xED),
    ('\u{00EE}', 0xEE),
    ('\u{00EF}', 0xEF),
    ('\u{0111}', 0xF0),
    ('\u{00F1}', 0xF1),
    ('\u{0323}', 0xF2),
    ('\u{00F3}', 0xF3),
    ('\u{00F4}', 0xF4),
    ('\u{01A1}', 0xF5),
    ('\u{00F6}', 0xF6),
    ('\u{00F7}', 0xF7),
    ('\u{00F8}', 0xF8),
    ('\u{00F9}', 0xF9),
    ('\u{00FA}', 0xFA),
    ('\u{00FB}', 0xFB),
    ('\u{00FC}', 0xFC),
    ('\u{01B0}', 0xFD),
    ('\u{20AB}', 0xFE),
    ('\u{00FF}', 0xFF),
];

/// A Vietnamese-capable character table a printer may have, selected with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Tcvn3Lower,
    Tcvn3Upper,
    Cp1258,
}

impl Table {
    fn high_half(self) -> &'static [(char, u8)] {
        match self {
            Table::Tcvn3Lower => &TCVN3_LOWER,
            Table::Tcvn3Upper => &TCVN3_UPPER,
            Table::Cp1258 => &CP1258,
        }
    }

    /// The byte that prints `c` in this table on its own (ASCII prints as itself in every table).
    pub fn byte_for(self, c: char) -> Option<u8> {
        if (' '..='~').contains(&c) {
            return Some(c as u8);
        }
        self.high_half().iter().find(|(letter, _)| *letter == c).map(|(_, byte)| *byte)
    }

    /// The character byte `byte` prints in this table.
    pub fn char_for(self, byte: u8) -> Option<char> {
        if (0x20..0x7f).contains(&byte) {
            return Some(byte as char);
        }
        self.high_half().iter().find(|(_, b)| *b == byte).map(|(letter, _)| *letter)
    }
}

/// The five Vietnamese tone marks as combining characters.
const TONES: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

/// Encodes `c` in CP1258: one byte when the table has the letter, or the base letter (keeping its circumflex,
/// breve or horn) followed by the combining tone mark's byte.
pub fn cp1258_bytes(c: char) -> Option<Vec<u8>> {
    if let Some(byte) = Table::Cp1258.byte_for(c) {
        return Some(vec![byte]);
    }
    let decomposed: Vec<char> = c.to_string().nfd().collect();
    let tone = decomposed.iter().copied().find(|m| TONES.contains(m))?;
    let base: String = decomposed.iter().filter(|m| **m != tone).collect::<String>().nfc().collect();
    let mut base_chars = base.chars();
    let (Some(base), None) = (base_chars.next(), base_chars.next()) else {
        return None;
    };
    Some(vec![Table::Cp1258.byte_for(base)?, Table::Cp1258.byte_for(tone)?])
}

/// An ASCII look-alike for typographic punctuation no Vietnamese code page has (guillemets, curly quotes,
/// dashes, the ellipsis), so a slip prints `"Lấy số"` rather than a blank where `«Lấy số»` was written.
pub fn ascii_fallback(c: char) -> Option<&'static str> {
    Some(match c {
        '«' | '»' | '“' | '”' | '„' | '″' => "\"",
        '‘' | '’' | '‚' | '′' => "'",
        '–' | '—' | '‐' | '‑' | '−' => "-",
        '…' => "...",
        '\u{a0}' | '\u{202f}' => " ",
        _ => return None,
    })
}

/// Which TCVN-3 table prints `c` (lower-case letters and ASCII are in the lower table, capitals in the upper).
pub fn tcvn3_table_for(c: char) -> Option<Table> {
    if Table::Tcvn3Lower.byte_for(c).is_some() {
        Some(Table::Tcvn3Lower)
    } else if Table::Tcvn3Upper.byte_for(c).is_some() {
        Some(Table::Tcvn3Upper)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All 134 accented Vietnamese letters (67 lower, 67 upper), and đ Đ among them.
    pub(crate) fn vietnamese_letters() -> Vec<char> {
        let lower = "àảãáạăằẳẵắặâầẩẫấậèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵđ";
        lower.chars().chain(lower.chars().flat_map(char::to_uppercase)).collect()
    }

    #[test]
    fn tcvn3_covers_every_vietnamese_letter_and_decodes_back() {
        let letters = vietnamese_letters();
        assert_eq!(letters.len(), 134);
        for c in letters {
            let table = tcvn3_table_for(c).unwrap_or_else(|| panic!("{c} not in TCVN-3"));
            let byte = table.byte_for(c).expect("in table");
            assert_eq!(table.char_for(byte), Some(c));
        }
    }

    #[test]
    fn cp1258_holds_30_letters_and_decomposes_the_other_104() {
        let letters = vietnamese_letters();
        let single = letters.iter().filter(|c| cp1258_bytes(**c).is_some_and(|b| b.len() == 1)).count();
        let double = letters.iter().filter(|c| cp1258_bytes(**c).is_some_and(|b| b.len() == 2)).count();
        assert_eq!((single, double), (30, 104));
        // Bytes from shared/reference/escpos.md §2.2 (cp1258_demo.py).
        let encode = |s: &str| s.chars().flat_map(|c| cp1258_bytes(c).expect("encodable")).collect::<Vec<u8>>();
        assert_eq!(encode("Đăng ký"), [0xd0, 0xe3, 0x6e, 0x67, 0x20, 0x6b, 0x79, 0xec]);
        assert_eq!(encode("chứng thực"), [0x63, 0x68, 0xfd, 0xec, 0x6e, 0x67, 0x20, 0x74, 0x68, 0xfd, 0xf2, 0x63]);
        assert_eq!(
            encode("Phường Cầu Giấy"),
            [
                0x50, 0x68, 0xfd, 0xf5, 0xcc, 0x6e, 0x67, 0x20, 0x43, 0xe2, 0xcc, 0x75, 0x20, 0x47, 0x69, 0xe2, 0xec,
                0x79
            ]
        );
    }
}
