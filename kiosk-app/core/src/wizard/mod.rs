//! What the two question flows share (the dossier wizard, `wizard::dossier`, and the home-visit request,
//! `wizard::visit`): the answer being typed through `keyboard::Composer` with the keyboard its question needs,
//! the cursor over the pages (the introduction, one page at a time, "Change" from the check page and straight
//! back), the check page's answers a few at a time, and what the resident should put right, as a kind the
//! screen words in their language.
//!
//! Must not do: any I/O, read a clock (today is passed in), or hold words for the screen: a `Problem` names
//! a sentence, the .slint files say it.

pub mod booking;
pub mod dossier;
pub mod visit;

use crate::keyboard::{Capitals, Composer, Key, Pressed, ToneStyle};
use crate::validate::Message;

/// The keyboard a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Letters, tone keys, space (names).
    Letters,
    /// Letters, digits and `, / - .` (addresses, free text).
    LettersAndDigits,
    /// The number pad (phones, dates, numbers).
    NumberPad,
    /// Latin letters typed as they are (no Telex), digits, `@ . _ -` (e-mail addresses).
    Email,
    /// No keyboard: the answer is one of the options, tapped.
    Choice,
}

/// How an answer is typed: its keyboard, capitals, longest length, and whether it is a date (typed as digits,
/// shown and kept as dd/mm/yyyy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub keys: Keys,
    pub capitals: Capitals,
    pub max_chars: usize,
    pub date: bool,
}

impl Entry {
    pub const fn new(keys: Keys, capitals: Capitals, max_chars: usize) -> Entry {
        Entry { keys, capitals, max_chars, date: false }
    }

    /// A date on the number pad: eight digits.
    pub const DATE: Entry = Entry { keys: Keys::NumberPad, capitals: Capitals::AsTyped, max_chars: 8, date: true };
}

/// The answer being typed on a page.
pub struct Typing {
    composer: Composer,
    entry: Entry,
}

impl Typing {
    /// Typing starts from the answer given before (a date's slashes taken out), ready to change.
    pub fn new(style: ToneStyle, entry: Entry, answer: &str) -> Typing {
        let typed = if entry.date { answer.replace('/', "") } else { answer.to_owned() };
        let composer = if entry.keys == Keys::Email {
            Composer::plain(entry.max_chars, &typed)
        } else {
            Composer::with_text(style, entry.capitals, entry.max_chars, &typed)
        };
        Typing { composer, entry }
    }

    /// A key pressed: the number pad takes digits only. Returns what it did.
    pub fn press(&mut self, key: Key) -> Pressed {
        if self.entry.keys == Keys::NumberPad && matches!(key, Key::Char(c) if !c.is_ascii_digit()) {
            return Pressed::Ignored;
        }
        self.composer.press(key)
    }

    /// The text as typed (a date's digits without slashes).
    pub fn text(&self) -> String {
        self.composer.text()
    }

    /// The text as the answer box shows it: a date with its slashes as it grows (0503 -> 05/03).
    pub fn shown(&self) -> String {
        let text = self.composer.text();
        if !self.entry.date {
            return text;
        }
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            if (i == 2 || i == 4) && c.is_ascii_digit() {
                out.push('/');
            }
            out.push(c);
        }
        out
    }

    pub fn keys(&self) -> Keys {
        self.entry.keys
    }

    pub fn is_empty(&self) -> bool {
        self.composer.is_empty()
    }
}

/// What the resident should put right, or know, on this page. The screen words each kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The answer typed or chosen broke a rule (`validate`, `forms`).
    Answer(Message),
    /// A tone key before any letter it could go on.
    LetterBeforeTone,
    /// The answer is as long as it may be.
    AnswerFull,
    /// A paper needs more pages scanned before going on.
    ScanMorePages,
    /// No way of receiving the result chosen.
    ChooseDelivery,
    /// Something required is still missing (on the check page).
    StillMissing,
    /// No Hanoi ward has a name like what is typed.
    NoSuchWard,
    /// The scanner could not scan the paper.
    Scan(ScanFailure),
}

impl Problem {
    /// What to tell the resident after a key press: `Some(None)` clears what was shown, `None` leaves it.
    pub fn after_key(pressed: Pressed) -> Option<Option<Problem>> {
        match pressed {
            Pressed::NoVowel => Some(Some(Problem::LetterBeforeTone)),
            Pressed::Full => Some(Some(Problem::AnswerFull)),
            Pressed::Changed => Some(None),
            Pressed::Ignored => None,
        }
    }
}

/// Why a scan gave no page, as the resident can act on it (the shell maps the scanner's error kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanFailure {
    NothingOnTheGlass,
    LidOpen,
    Jammed,
    Busy,
    NotWorking,
}

/// "Question 3 of 8": the page's place (from 1) among those asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub at: usize,
    pub of: usize,
}

/// What a resident's tap asks the screen to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Show the wizard's view again (a new page, or the same one with a problem).
    Show,
    /// Everything is answered and agreed: hand the submission over.
    Send,
    /// Back from the introduction: leave the wizard.
    Leave,
}

/// Where the resident is among a wizard's pages: the introduction (no page yet) or a page, and whether they
/// came from the check page to change an answer (then the next "Continue" goes straight back to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor<P> {
    at: Option<P>,
    changing: bool,
}

impl<P> Default for Cursor<P> {
    fn default() -> Cursor<P> {
        Cursor { at: None, changing: false }
    }
}

impl<P: Clone + PartialEq> Cursor<P> {
    /// The page shown; `None` on the introduction.
    pub fn page(&self) -> Option<&P> {
        self.at.as_ref()
    }

    pub fn changing(&self) -> bool {
        self.changing
    }

    /// Opens `page` to change its answer from the check page.
    pub fn change(&mut self, page: P) {
        self.at = Some(page);
        self.changing = true;
    }

    /// Shows `page` because something on it is missing (sending found it): after it, back to the check page.
    pub fn repair(&mut self, page: P) {
        self.change(page);
    }

    /// After the page's answer is taken: the next page in `pages` (the first from the introduction); after a
    /// change, `missing` (the first page not done, which is `check` when nothing is).
    pub fn forward(&mut self, pages: &[P], missing: P, check: &P) {
        if self.changing {
            self.changing = missing != *check;
            self.at = Some(missing);
            return;
        }
        let next = match &self.at {
            None => 0,
            Some(page) => pages.iter().position(|p| p == page).map_or(0, |i| i + 1),
        };
        if let Some(page) = pages.get(next) {
            self.at = Some(page.clone());
        }
    }

    /// Back: after a change with nothing missing, to the check page; otherwise the page before (the
    /// introduction before the first). Returns false when already on the introduction.
    pub fn back(&mut self, pages: &[P], missing: &P, check: &P) -> bool {
        let Some(page) = &self.at else { return false };
        if self.changing && missing == check {
            self.changing = false;
            self.at = Some(check.clone());
            return true;
        }
        let before = pages.iter().position(|p| p == page).and_then(|i| i.checked_sub(1));
        self.at = before.map(|i| pages[i].clone());
        if self.at.is_none() {
            self.changing = false;
        }
        true
    }

    /// The page's place among `pages` (0 of n when it is not among them).
    pub fn progress(&self, pages: &[P]) -> Progress {
        let at = self.at.as_ref().and_then(|page| pages.iter().position(|p| p == page)).map_or(0, |i| i + 1);
        Progress { at, of: pages.len() }
    }
}

/// The check page's answers a few at a time (no scrolling on a kiosk), each group in two halves (side by side
/// on a landscape screen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowGroup<R> {
    pub first: Vec<R>,
    pub second: Vec<R>,
    /// Which group (from 0) of how many.
    pub group: usize,
    pub groups: usize,
}

impl<R> RowGroup<R> {
    /// Group `group` (clamped to the last) of `rows`, `per_group` rows each.
    pub fn of(rows: Vec<R>, group: usize, per_group: usize) -> RowGroup<R> {
        let groups = rows.len().div_ceil(per_group.max(1)).max(1);
        let group = group.min(groups - 1);
        let mut first: Vec<R> = rows.into_iter().skip(group * per_group).take(per_group).collect();
        let second = first.split_off(first.len().div_ceil(2));
        RowGroup { first, second, group, groups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_typed_as_digits_and_shown_with_slashes() {
        let mut typing = Typing::new(ToneStyle::Modern, Entry::DATE, "05/03/1948");
        assert_eq!(typing.text(), "05031948");
        assert_eq!(typing.press(Key::Char('1')), Pressed::Full, "eight digits at most");
        typing.press(Key::Clear);
        for c in "0503".chars() {
            typing.press(Key::Char(c));
        }
        assert_eq!(typing.shown(), "05/03");
        assert_eq!(typing.press(Key::Char('a')), Pressed::Ignored, "the number pad takes digits only");
    }

    #[test]
    fn changing_from_the_check_page_goes_straight_back_unless_something_is_missing() {
        let pages = ["a", "b", "c", "check"];
        let mut cursor = Cursor::default();
        assert!(!cursor.back(&pages, &"a", &"check"), "nothing before the introduction");
        cursor.forward(&pages, "a", &"check");
        assert_eq!(cursor.page(), Some(&"a"));
        assert_eq!(cursor.progress(&pages), Progress { at: 1, of: 4 });
        cursor.forward(&pages, "b", &"check");
        cursor.forward(&pages, "c", &"check");
        cursor.forward(&pages, "check", &"check");
        cursor.change("a");
        cursor.forward(&pages, "check", &"check");
        assert_eq!(cursor.page(), Some(&"check"), "straight back");
        assert!(!cursor.changing());
        cursor.change("b");
        cursor.forward(&pages, "c", &"check");
        assert_eq!(cursor.page(), Some(&"c"), "the change made c missing");
        assert!(cursor.changing());
        cursor.back(&pages, &"check", &"check");
        assert_eq!(cursor.page(), Some(&"check"), "Back after a change, with nothing missing");
        cursor.back(&pages, &"check", &"check");
        assert_eq!(cursor.page(), Some(&"c"));
        cursor.back(&pages, &"check", &"check");
        cursor.back(&pages, &"check", &"check");
        assert!(cursor.back(&pages, &"check", &"check"));
        assert_eq!(cursor.page(), None, "back to the introduction");
    }

    #[test]
    fn check_rows_come_a_few_at_a_time_in_two_halves() {
        let group = RowGroup::of((0..13).collect(), 0, 6);
        assert_eq!((group.first, group.second, group.groups), (vec![0, 1, 2], vec![3, 4, 5], 3));
        let last = RowGroup::of((0..13).collect(), 9, 6);
        assert_eq!((last.first, last.second, last.group), (vec![12], vec![], 2));
        let empty = RowGroup::<u8>::of(Vec::new(), 0, 6);
        assert_eq!((empty.groups, empty.group), (1, 0));
    }
}
