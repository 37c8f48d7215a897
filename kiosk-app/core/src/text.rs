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

#[cfg(test)]
mod tests {
    use super::*;

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
