//! The on-screen keyboard's text: Vietnamese letters typed with Telex, with direct letter keys (ă â đ ê ô ơ ư)
//! and direct tone keys for people who do not know Telex, composed as they type and kept in NFC.
//!
//! Telex itself is the `bamboo-core` engine (a port of the engine behind ibus-bamboo): `aa` → â, `aw` → ă,
//! `dd` → đ, `ow` → ơ, `uw`/`uow…` → ư/ươ, tones `s f r x j` anywhere after the vowels, `z` removes the tone,
//! a repeated key undoes its own change (`ass` → `as`). This module adds what a kiosk field needs around it:
//! words committed at a space or a digit so the engine only ever holds the word being typed, Delete that can
//! walk back into the previous word and still take a tone, tone keys that do nothing (and say so) when there
//! is no vowel to mark, capitals at the start of each word for names, and a length limit.
//!
//! Must not do: keep anything once [`Composer::clear`] is called or the composer is dropped (the kiosk wipes
//! a resident's input by dropping it), or log what is typed.

use bamboo_core::{Config, Engine, InputMethod, Mode};

/// Where the tone mark goes on "oa", "oe", "uy": `Modern` writes hòa, khỏe, thủy (as Hanoi's ward names are
/// written, e.g. "Yên Hòa"); `Traditional` writes hoà, khoẻ, thuỷ. Both fold to the same text for search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToneStyle {
    #[default]
    Modern,
    Traditional,
}

/// Whether the first letter of each word is made a capital (names) or left as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capitals {
    Words,
    AsTyped,
}

/// The five tones and "no tone", as the direct tone keys offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// sắc: á
    Acute,
    /// huyền: à
    Grave,
    /// hỏi: ả
    Hook,
    /// ngã: ã
    Tilde,
    /// nặng: ạ
    Dot,
    /// no tone: a
    None,
}

impl Tone {
    /// The Telex key that gives this tone.
    fn telex(self) -> char {
        match self {
            Tone::Acute => 's',
            Tone::Grave => 'f',
            Tone::Hook => 'r',
            Tone::Tilde => 'x',
            Tone::Dot => 'j',
            Tone::None => 'z',
        }
    }
}

/// One key on the on-screen keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A letter (Telex letters included), a digit or a punctuation mark the field allows.
    Char(char),
    Tone(Tone),
    Space,
    Delete,
    Clear,
}

impl Key {
    /// A key by the name the on-screen keyboards report: one character, "space", "delete", "clear", or
    /// "tone-s|f|r|x|j|z" (the tone keys, named after their Telex letters).
    pub fn from_name(name: &str) -> Option<Key> {
        Some(match name {
            "space" => Key::Space,
            "delete" => Key::Delete,
            "clear" => Key::Clear,
            "tone-s" => Key::Tone(Tone::Acute),
            "tone-f" => Key::Tone(Tone::Grave),
            "tone-r" => Key::Tone(Tone::Hook),
            "tone-x" => Key::Tone(Tone::Tilde),
            "tone-j" => Key::Tone(Tone::Dot),
            "tone-z" => Key::Tone(Tone::None),
            other => {
                let mut chars = other.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Key::Char(c),
                    _ => return None,
                }
            }
        })
    }
}

/// What a key press did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pressed {
    Changed,
    /// Nothing changed: the field is full.
    Full,
    /// A tone key with no vowel before it in the word being typed (the screen says "type the letter first").
    NoVowel,
    /// A key that does nothing here (a second space, Delete on an empty field, a character the field refuses).
    Ignored,
}

/// The text of one field as it is being typed.
pub struct Composer {
    /// Everything before the word being typed (words, spaces, digits, punctuation), already NFC.
    done: String,
    /// The word being typed, in the Telex engine.
    engine: Engine,
    style: ToneStyle,
    capitals: Capitals,
    max_chars: usize,
    /// Keys typed as they are, without Telex (e-mail addresses): `ss` stays `ss`, tone keys do nothing.
    plain: bool,
}

impl std::fmt::Debug for Composer {
    // Never the text: it is a resident's.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Composer").field("chars", &self.text().chars().count()).finish_non_exhaustive()
    }
}

fn engine(style: ToneStyle) -> Engine {
    let config = Config::builder()
        .tone_style(match style {
            ToneStyle::Modern => bamboo_core::ToneStyle::Modern,
            ToneStyle::Traditional => bamboo_core::ToneStyle::Traditional,
        })
        .build();
    Engine::with_config(InputMethod::telex(), config)
}

impl Composer {
    pub fn new(style: ToneStyle, capitals: Capitals, max_chars: usize) -> Composer {
        Composer { done: String::new(), engine: engine(style), style, capitals, max_chars, plain: false }
    }

    /// A composer that types keys as they are, in lower case, without Telex and without spaces (an e-mail
    /// address), holding `text` already.
    pub fn plain(max_chars: usize, text: &str) -> Composer {
        let mut composer = Composer::new(ToneStyle::Modern, Capitals::AsTyped, max_chars);
        composer.plain = true;
        composer.done = text.chars().filter(char::is_ascii_graphic).take(max_chars).collect();
        composer
    }

    /// A composer holding `text` already (a "Change" link back to an answer): the last word can still take
    /// a tone or lose a letter.
    pub fn with_text(style: ToneStyle, capitals: Capitals, max_chars: usize, text: &str) -> Composer {
        let mut composer = Composer::new(style, capitals, max_chars);
        composer.done = crate::text::nfc(text).chars().take(max_chars).collect();
        composer.reopen_last_word();
        composer
    }

    /// The text as it stands, in NFC.
    pub fn text(&self) -> String {
        let mut text = self.done.clone();
        text.push_str(&self.engine.output());
        crate::text::nfc(&text)
    }

    pub fn is_empty(&self) -> bool {
        self.done.is_empty() && self.engine.output().is_empty()
    }

    /// Forgets everything typed.
    pub fn clear(&mut self) {
        self.done.clear();
        self.engine = engine(self.style);
    }

    pub fn press(&mut self, key: Key) -> Pressed {
        if self.plain {
            return self.press_plain(key);
        }
        match key {
            Key::Clear => {
                if self.is_empty() {
                    return Pressed::Ignored;
                }
                self.clear();
                Pressed::Changed
            }
            Key::Delete => self.delete(),
            Key::Space => {
                let text = self.text();
                if text.is_empty() || text.ends_with(' ') {
                    return Pressed::Ignored;
                }
                self.commit_with(' ')
            }
            Key::Tone(tone) => self.tone(tone),
            Key::Char(c) if c.is_alphabetic() => self.letter(c),
            Key::Char(c) if c.is_control() || c.is_whitespace() => Pressed::Ignored,
            Key::Char(c) => self.commit_with(c),
        }
    }

    fn press_plain(&mut self, key: Key) -> Pressed {
        match key {
            Key::Clear if !self.done.is_empty() => {
                self.done.clear();
                Pressed::Changed
            }
            Key::Delete if self.done.pop().is_some() => Pressed::Changed,
            Key::Char(c) if c.is_ascii_graphic() => {
                if self.done.chars().count() >= self.max_chars {
                    return Pressed::Full;
                }
                self.done.push(c.to_ascii_lowercase());
                Pressed::Changed
            }
            _ => Pressed::Ignored,
        }
    }

    fn at_word_start(&self) -> bool {
        self.engine.output().is_empty() && !self.done.chars().next_back().is_some_and(char::is_alphabetic)
    }

    fn letter(&mut self, c: char) -> Pressed {
        let before = self.text();
        let c = if self.capitals == Capitals::Words && self.at_word_start() {
            c.to_uppercase().next().unwrap_or(c)
        } else {
            c
        };
        if c.is_ascii() {
            self.engine.process_key(c, Mode::Vietnamese);
        } else {
            // A direct Vietnamese letter (ă, â, đ, ê, ô, ơ, ư): the engine rebuilds the word with it, so a
            // tone typed afterwards still lands on the right vowel.
            let mut word = self.engine.output().into_owned();
            word.push(c);
            self.engine.rebuild_from_text(&word);
        }
        self.settle(&before)
    }

    /// Undoes the last change when it made the text longer than allowed.
    fn settle(&mut self, before: &str) -> Pressed {
        let after = self.text();
        if after.chars().count() > self.max_chars {
            *self = Composer::with_text(self.style, self.capitals, self.max_chars, before);
            return Pressed::Full;
        }
        if after == before {
            Pressed::Ignored
        } else {
            Pressed::Changed
        }
    }

    fn tone(&mut self, tone: Tone) -> Pressed {
        let before = self.engine.output().into_owned();
        if before.is_empty() {
            return Pressed::NoVowel;
        }
        let key = tone.telex();
        self.engine.process_key(key, Mode::Vietnamese);
        let after = self.engine.output().into_owned();
        // A tone key must mark a vowel, never type its Telex letter, nor (pressed twice) undo itself into one.
        if after == before || after.chars().count() > before.chars().count() {
            self.engine.undo_last_key();
            if self.engine.output() != before {
                self.engine.rebuild_from_text(&before);
            }
            return if tone == Tone::None { Pressed::Ignored } else { Pressed::NoVowel };
        }
        Pressed::Changed
    }

    fn commit_with(&mut self, c: char) -> Pressed {
        // In NFC one key can be two characters (U+0344 is U+0308 U+0301) or none more (a mark joining the letter
        // before it), so the limit is checked on the text as it will be.
        let mut done = self.text();
        done.push(c);
        let done = crate::text::nfc(&done);
        if done.chars().count() > self.max_chars {
            return Pressed::Full;
        }
        self.done = done;
        self.engine = engine(self.style);
        Pressed::Changed
    }

    fn delete(&mut self) -> Pressed {
        if !self.engine.output().is_empty() {
            self.engine.remove_last_output_char();
            return Pressed::Changed;
        }
        if self.done.pop().is_none() {
            return Pressed::Ignored;
        }
        self.reopen_last_word();
        Pressed::Changed
    }

    /// Moves the letters at the end of `done` back into the engine, so Delete then a tone key still works on
    /// the word before a space that was deleted. The engine spells again what it takes for a Vietnamese word (a
    /// tone mark moves to the vowel it belongs on), so a word it would spell differently stays as it is: reopening
    /// never changes the text.
    fn reopen_last_word(&mut self) {
        let start = self.done.char_indices().rev().take_while(|(_, c)| c.is_alphabetic()).last().map(|(i, _)| i);
        if let Some(start) = start {
            let mut reopened = engine(self.style);
            reopened.rebuild_from_text(&self.done[start..]);
            if crate::text::nfc(&reopened.output()) == self.done[start..] {
                self.done.truncate(start);
                self.engine = reopened;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(style: ToneStyle, keys: &str) -> String {
        let mut composer = Composer::new(style, Capitals::AsTyped, 80);
        for c in keys.chars() {
            composer.press(match c {
                ' ' => Key::Space,
                '<' => Key::Delete,
                c => Key::Char(c),
            });
        }
        composer.text()
    }

    /// Telex as a resident types it on the kiosk's keys (each character one key; '<' is Delete).
    #[test]
    fn an_email_address_is_typed_as_it_is() {
        let mut plain = Composer::plain(20, "");
        for c in "NguyenVanAss@gmail.com".chars().take(20) {
            plain.press(Key::Char(c));
        }
        assert_eq!(plain.text(), "nguyenvanass@gmail.c", "no Telex, lower case, at most 20");
        assert_eq!(plain.press(Key::Char('o')), Pressed::Full);
        assert_eq!(plain.press(Key::Tone(Tone::Acute)), Pressed::Ignored);
        assert_eq!(plain.press(Key::Space), Pressed::Ignored);
        assert_eq!(plain.press(Key::Delete), Pressed::Changed);
        assert_eq!(plain.text(), "nguyenvanass@gmail.");
        assert_eq!(Composer::plain(30, "a@b.vn").text(), "a@b.vn");
        assert_eq!(plain.press(Key::Clear), Pressed::Changed);
        assert!(plain.is_empty());
    }

    #[test]
    fn telex_table() {
        let table = [
            // Letters
            ("aa", "â"),
            ("aw", "ă"),
            ("ee", "ê"),
            ("oo", "ô"),
            ("ow", "ơ"),
            ("uw", "ư"),
            ("dd", "đ"),
            ("DD", "Đ"),
            ("Dd", "Đ"),
            // Tones, right after the vowel or at the end of the word
            ("as", "á"),
            ("af", "à"),
            ("ar", "ả"),
            ("ax", "ã"),
            ("aj", "ạ"),
            ("tieengs", "tiếng"),
            ("tieesng", "tiếng"),
            ("vieetj", "việt"),
            ("nguyeenx", "nguyễn"),
            ("Nguyeenx", "Nguyễn"),
            ("NGUYEENX", "NGUYỄN"),
            ("Ddoongf", "Đồng"),
            ("chuwsng thuwcj chuwx kys", "chứng thực chữ ký"),
            // ươ: uow, and the w on either letter, as soon as the rest of the word shows it is ươ
            ("uowng", "ương"),
            ("truowngf", "trường"),
            ("nguoiwf", "người"),
            ("nguwowif", "người"),
            ("huowng", "hương"),
            ("ruowuj", "rượu"),
            ("tuowi", "tươi"),
            // ...while uơ stays where the word is one (thuở, huơ tay)
            ("thuowr", "thuở"),
            // z removes the tone; a repeated key undoes its own change and types the letter
            ("asz", "a"),
            ("hoafz", "hoa"),
            ("ass", "as"),
            ("aaa", "aa"),
            ("aww", "aw"),
            ("ddd", "dd"),
            ("oww", "ow"),
            // The last tone key wins
            ("hoasf", "hòa"),
            // Words that are not Vietnamese pass through as typed
            ("ttieengs", "ttieengs"),
            ("Hanoi", "Hanoi"),
            // Digits and punctuation end a word; Delete walks back into it
            ("ngox 5", "ngõ 5"),
            ("so61 12", "so61 12"),
            ("12/3", "12/3"),
            ("tieengs<", "tiến"),
            ("ba <s", "bá"),
            ("hoa <s", "hóa"),
            ("abc<<<<", ""),
        ];
        for (keys, expected) in table {
            let text = typed(ToneStyle::Modern, keys);
            assert_eq!(text, expected, "keys {keys:?}");
            assert!(crate::text::is_nfc(&text), "{keys:?} gives NFC");
        }
    }

    #[test]
    fn tone_placement_follows_the_configured_style() {
        for (keys, modern, traditional) in [
            ("hoaf", "hòa", "hoà"),
            ("khoer", "khỏe", "khoẻ"),
            ("thuyr", "thủy", "thuỷ"),
            ("hoafn", "hoàn", "hoàn"),
            ("quyeenf", "quyền", "quyền"),
            ("thuyeets", "thuyết", "thuyết"),
        ] {
            assert_eq!(typed(ToneStyle::Modern, keys), modern, "{keys}");
            assert_eq!(typed(ToneStyle::Traditional, keys), traditional, "{keys}");
            assert_eq!(crate::search::fold(modern), crate::search::fold(traditional), "both styles search alike");
        }
    }

    #[test]
    fn direct_letter_and_tone_keys_need_no_telex() {
        let mut composer = Composer::new(ToneStyle::Modern, Capitals::Words, 80);
        for key in [
            Key::Char('t'),
            Key::Char('r'),
            Key::Char('ư'),
            Key::Char('ơ'),
            Key::Char('n'),
            Key::Char('g'),
            Key::Tone(Tone::Grave),
            Key::Space,
            Key::Char('v'),
            Key::Char('ă'),
            Key::Char('n'),
            Key::Space,
            Key::Char('đ'),
            Key::Char('ô'),
            Key::Tone(Tone::Dot),
            Key::Char('c'),
        ] {
            composer.press(key);
        }
        assert_eq!(composer.text(), "Trường Văn Độc");
        // Changing the tone, then taking it off.
        assert_eq!(composer.press(Key::Tone(Tone::Acute)), Pressed::Changed);
        assert_eq!(composer.text(), "Trường Văn Đốc");
        assert_eq!(composer.press(Key::Tone(Tone::None)), Pressed::Changed);
        assert_eq!(composer.text(), "Trường Văn Đôc");
    }

    #[test]
    fn a_tone_key_without_a_vowel_changes_nothing_and_says_so() {
        let mut composer = Composer::new(ToneStyle::Modern, Capitals::AsTyped, 80);
        assert_eq!(composer.press(Key::Tone(Tone::Acute)), Pressed::NoVowel);
        composer.press(Key::Char('b'));
        assert_eq!(composer.press(Key::Tone(Tone::Acute)), Pressed::NoVowel);
        assert_eq!(composer.text(), "b");
        composer.press(Key::Char('a'));
        assert_eq!(composer.press(Key::Tone(Tone::Acute)), Pressed::Changed);
        // The same tone again keeps it (a tone key never undoes itself into a letter).
        assert_eq!(composer.press(Key::Tone(Tone::Acute)), Pressed::NoVowel);
        assert_eq!(composer.text(), "bá");
        assert_eq!(composer.press(Key::Space), Pressed::Changed);
        assert_eq!(composer.press(Key::Tone(Tone::Hook)), Pressed::NoVowel, "after a space");
        assert_eq!(composer.text(), "bá ");
    }

    #[test]
    fn keys_by_name() {
        assert_eq!(Key::from_name("ư"), Some(Key::Char('ư')));
        assert_eq!(Key::from_name("tone-j"), Some(Key::Tone(Tone::Dot)));
        assert_eq!(Key::from_name("space"), Some(Key::Space));
        assert_eq!(Key::from_name("bogus"), None);
        assert_eq!(Key::from_name(""), None);
    }

    #[test]
    fn names_get_capitals_and_no_double_spaces() {
        let mut composer = Composer::new(ToneStyle::Modern, Capitals::Words, 80);
        for c in "nguyeenx  thij   hoaf".chars() {
            composer.press(if c == ' ' { Key::Space } else { Key::Char(c) });
        }
        assert_eq!(composer.text(), "Nguyễn Thị Hòa");
        assert_eq!(composer.press(Key::Space), Pressed::Changed);
        assert_eq!(composer.press(Key::Space), Pressed::Ignored);
    }

    #[test]
    fn the_limit_holds_and_clear_forgets() {
        let mut composer = Composer::new(ToneStyle::Modern, Capitals::AsTyped, 5);
        for c in "hello".chars() {
            assert_eq!(composer.press(Key::Char(c)), Pressed::Changed);
        }
        assert_eq!(composer.press(Key::Char('x')), Pressed::Full);
        assert_eq!(composer.press(Key::Char('1')), Pressed::Full);
        assert_eq!(composer.text(), "hello");
        // A Telex change that does not lengthen the text still works at the limit.
        let mut at_limit = Composer::with_text(ToneStyle::Modern, Capitals::AsTyped, 4, "hoa");
        assert_eq!(at_limit.press(Key::Char('f')), Pressed::Changed);
        assert_eq!(at_limit.text(), "hòa");
        assert_eq!(composer.press(Key::Clear), Pressed::Changed);
        assert!(composer.is_empty());
        assert_eq!(composer.press(Key::Delete), Pressed::Ignored);
        assert!(!format!("{composer:?}").contains("hello"));
    }

    #[test]
    fn an_answer_reopened_for_change_can_be_edited_at_its_end() {
        let mut composer = Composer::with_text(ToneStyle::Modern, Capitals::Words, 80, "Nguyễn Văn An");
        composer.press(Key::Char('h'));
        assert_eq!(composer.text(), "Nguyễn Văn Anh");
        composer.press(Key::Delete);
        composer.press(Key::Delete);
        assert_eq!(composer.text(), "Nguyễn Văn A");
        // Telex still applies to the reopened word: a second a makes â.
        composer.press(Key::Char('a'));
        composer.press(Key::Char('n'));
        composer.press(Key::Tone(Tone::Dot));
        assert_eq!(composer.text(), "Nguyễn Văn Ận");
        // Deleting the space walks back into the previous word, which still takes a tone.
        for _ in 0..3 {
            composer.press(Key::Delete);
        }
        assert_eq!(composer.text(), "Nguyễn Văn");
        composer.press(Key::Tone(Tone::Acute));
        assert_eq!(composer.text(), "Nguyễn Vắn");
    }

    /// Found by the keyboard fuzz target (tests/fuzz/regressions/keyboard): Telex can leave a word the engine
    /// would spell otherwise ("viẹte": typed, then letters added after the tone); opening the answer again for a
    /// change moved its tone ("vietẹ"), and so did Delete after the word and a field full.
    #[test]
    fn a_word_the_engine_would_spell_otherwise_reopens_unchanged() {
        let reopened = Composer::with_text(ToneStyle::Modern, Capitals::AsTyped, 80, "tiếng viẹte");
        assert_eq!(reopened.text(), "tiếng viẹte");
        let mut composer = Composer::with_text(ToneStyle::Modern, Capitals::AsTyped, 80, "viẹte ");
        assert_eq!(composer.press(Key::Delete), Pressed::Changed);
        assert_eq!(composer.text(), "viẹte");
        assert_eq!(composer.press(Key::Delete), Pressed::Changed);
        assert_eq!(composer.text(), "viẹt");
    }

    /// Found by the keyboard fuzz target (tests/fuzz/regressions/keyboard): a key whose character is two in NFC
    /// (U+0344) went past the field's limit, and was kept in `done` not in NFC.
    #[test]
    fn a_key_that_is_two_characters_in_nfc_respects_the_limit() {
        let mut composer = Composer::new(ToneStyle::Modern, Capitals::AsTyped, 2);
        composer.press(Key::Char('b'));
        assert_eq!(composer.press(Key::Char('\u{344}')), Pressed::Full);
        assert_eq!(composer.text(), "b");
        let mut roomy = Composer::new(ToneStyle::Modern, Capitals::AsTyped, 10);
        roomy.press(Key::Char('b'));
        assert_eq!(roomy.press(Key::Char('\u{344}')), Pressed::Changed);
        assert_eq!(roomy.text(), "b\u{308}\u{301}");
        assert!(crate::text::is_nfc(&roomy.done));
    }
}
