//! The on-screen keyboard's Telex composer (kiosk-app/core/src/keyboard.rs), fed key sequences made from the
//! fuzzer's bytes: Telex letters, direct Vietnamese letters and tone keys, digits, punctuation, Space, Delete,
//! Clear, and any other character a hardware keyboard or a QR reader might type. After every key: no panic; the text is NFC and within the
//! field's length; a key that reports Ignored, Full or NoVowel left the text as it was, and one that reports
//! Changed changed it; Clear empties the field; Delete takes away one character at most; an answer opened again
//! for a change (`Composer::with_text`) is the same text; and the composer's Debug never shows the text.
#![no_main]

use kiosk_core::keyboard::{Capitals, Composer, Key, Pressed, Tone, ToneStyle};
use libfuzzer_sys::fuzz_target;

/// The input: a byte of options (bit 0 traditional tone placement, bit 1 capitals for names), the field's length
/// (1 to 100), then the keys as text: each character is its key, with a space for Space, BS (0x08) for Delete,
/// CAN (0x18) for Clear and 0x01 to 0x06 for the tone keys (sắc, huyền, hỏi, ngã, nặng, none). So a seed reads as
/// what a resident types: `Nguyeenx Vawn Anh`.
fn key(c: char) -> Key {
    match c {
        ' ' => Key::Space,
        '\u{8}' => Key::Delete,
        '\u{18}' => Key::Clear,
        '\u{1}' => Key::Tone(Tone::Acute),
        '\u{2}' => Key::Tone(Tone::Grave),
        '\u{3}' => Key::Tone(Tone::Hook),
        '\u{4}' => Key::Tone(Tone::Tilde),
        '\u{5}' => Key::Tone(Tone::Dot),
        '\u{6}' => Key::Tone(Tone::None),
        c => Key::Char(c),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let [options, length, keys @ ..] = bytes else { return };
    let style = if options & 1 == 1 { ToneStyle::Traditional } else { ToneStyle::Modern };
    let capitals = if options & 2 == 2 { Capitals::Words } else { Capitals::AsTyped };
    let max_chars = usize::from(length % 101).max(1);
    let mut composer = Composer::new(style, capitals, max_chars);
    for c in String::from_utf8_lossy(keys).chars().take(300) {
        let key = key(c);
        let before = composer.text();
        let pressed = composer.press(key);
        let after = composer.text();
        assert!(kiosk_core::text::is_nfc(&after), "not NFC after {key:?}: {after:?}");
        let length = after.chars().count();
        assert!(length <= max_chars, "{length} characters in a field of {max_chars} after {key:?}");
        match pressed {
            Pressed::Changed => assert_ne!(before, after, "{key:?} said Changed"),
            Pressed::Ignored | Pressed::Full | Pressed::NoVowel => {
                assert_eq!(before, after, "{key:?} said {pressed:?} but changed the text")
            }
        }
        match key {
            Key::Clear => assert!(after.is_empty() && composer.is_empty()),
            Key::Delete => assert!(length + 1 >= before.chars().count(), "Delete: {before:?} -> {after:?}"),
            _ => {}
        }
        assert_eq!(composer.is_empty(), after.is_empty());
        assert_eq!(format!("{composer:?}"), format!("Composer {{ chars: {length}, .. }}"));

        // "Change" from the check page opens the answer again: it must come back as it was.
        let reopened = Composer::with_text(style, capitals, max_chars, &after);
        assert_eq!(reopened.text(), after, "reopened");
    }
});
