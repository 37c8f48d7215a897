//! Vietnamese text as the kiosk stores and shows it: always Unicode NFC.
//!
//! The same word typed on an on-screen keyboard (often NFD from a Telex engine), copied from a portal page or
//! written in a config file must compare equal and print the same, so every string entering the kiosk passes
//! through [`nfc`]. Must not do: any I/O, or guess at encodings other than UTF-8.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Returns `text` in Unicode Normalization Form C (precomposed), borrowing nothing.
pub fn nfc(text: &str) -> String {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.to_owned(),
        IsNormalized::No | IsNormalized::Maybe => text.nfc().collect(),
    }
}

/// True when `text` is already in NFC, so callers can assert the invariant cheaply.
pub fn is_nfc(text: &str) -> bool {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => text.nfc().eq(text.chars()),
    }
}

/// Orders two texts as a Vietnamese dictionary does: letter by letter in the Vietnamese alphabet
/// (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: Đ after D, Ơ after Ô), and only where the letters
/// are the same, by tone (none, huyền, hỏi, ngã, sắc, nặng), then by case. Byte order puts "Đ" after "Y" and
/// "Á" before "B" by accident of code points; this does not.
pub fn vietnamese_order(a: &str, b: &str) -> std::cmp::Ordering {
    collation_key(a).cmp(&collation_key(b))
}

/// The key [`vietnamese_order`] compares: letters, then tones, then case.
pub fn collation_key(text: &str) -> (Vec<u32>, Vec<u8>, Vec<bool>) {
    let (mut letters, mut tones, mut upper) = (Vec::new(), Vec::new(), Vec::new());
    for c in text.nfd() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        // A mark changes the letter before it (a variant) or gives it a tone.
        let (variant, tone) = match c {
            '\u{0306}' => (Some(1), None), // breve: ă
            '\u{0302}' => (Some(2), None), // circumflex: â ê ô
            '\u{031B}' => (Some(3), None), // horn: ơ ư
            '\u{0300}' => (None, Some(1)), // huyền
            '\u{0309}' => (None, Some(2)), // hỏi
            '\u{0303}' => (None, Some(3)), // ngã
            '\u{0301}' => (None, Some(4)), // sắc
            '\u{0323}' => (None, Some(5)), // nặng
            _ => (None, None),
        };
        match (variant, tone, letters.last_mut(), tones.last_mut()) {
            (Some(v), _, Some(letter), _) => *letter += v,
            (_, Some(t), _, Some(last)) => *last = t,
            (Some(_), _, None, _) | (_, Some(_), _, None) => {}
            (None, None, _, _) => {
                let weight = match lower {
                    'a'..='z' => 16 + (lower as u32 - 'a' as u32) * 8,
                    'đ' => 16 + ('d' as u32 - 'a' as u32) * 8 + 4,
                    // Spaces and punctuation before letters, so "Hà Đông" comes before "Hai Bà Trưng".
                    ' ' | '-' | '\'' => 1,
                    '0'..='9' => 4 + (lower as u32 - '0' as u32) / 2,
                    other => 0x1_0000 + other as u32,
                };
                letters.push(weight);
                tones.push(0);
                upper.push(c != lower);
            }
        }
    }
    (letters, tones, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_alphabetical_order() {
        let mut names = vec![
            "Yên Hòa",
            "Đống Đa",
            "Dương Nội",
            "Ô Chợ Dừa",
            "Ơ",
            "Ba Đình",
            "Ánh",
            "Anh",
            "Ảnh",
            "Ành",
            "Hai Bà Trưng",
            "Hà Đông",
            "Ạnh",
            "Ãnh",
            "Ăn",
            "Ân",
            "Bạch Mai",
            "Ưng",
            "Uy",
        ];
        names.sort_by(|a, b| vietnamese_order(a, b));
        assert_eq!(
            names,
            [
                "Anh",
                "Ành",
                "Ảnh",
                "Ãnh",
                "Ánh",
                "Ạnh",
                "Ăn",
                "Ân",
                "Ba Đình",
                "Bạch Mai",
                "Dương Nội",
                "Đống Đa",
                "Hà Đông",
                "Hai Bà Trưng",
                "Ô Chợ Dừa",
                "Ơ",
                "Uy",
                "Ưng",
                "Yên Hòa"
            ]
        );
        // The same in NFC and NFD; case after everything else.
        assert_eq!(vietnamese_order("Việt", "Vie\u{0323}\u{0302}t"), std::cmp::Ordering::Equal);
        assert_eq!(vietnamese_order("an", "An"), std::cmp::Ordering::Less);
    }

    #[test]
    fn decomposed_vietnamese_becomes_precomposed() {
        // "Việt" written as e + combining dot below (U+0323) + combining circumflex (U+0302).
        let decomposed = "Vie\u{0323}\u{0302}t";
        assert!(!is_nfc(decomposed));
        let composed = nfc(decomposed);
        assert_eq!(composed, "Việt");
        assert_eq!(composed.chars().count(), 4);
        assert!(is_nfc(&composed));
    }

    #[test]
    fn every_precomposed_letter_is_stable() {
        let letters = "ắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵđĐăâêôơư";
        assert_eq!(nfc(letters), letters);
        assert!(is_nfc(letters));
    }
}
