//! Booking a time as a state machine: the introduction, what it is for (a field of the catalogue, then one of
//! its procedures a few at a time, or "something else"), a day and a slot from the portal's offer, a name and a
//! phone (checked as typed), the check page with a "Change" per answer, and the finished form. When the portal
//! answers that the slot filled up, the wizard shows the next free slots it named (`taken`).
//! Taps go in (`press`, `choose`, `forward`, `back`, `change`); `view` says what to show.
//!
//! Must not do: any I/O, or hold words for the screen. Dropping the wizard is the wipe.

use super::{Cursor, Entry, Keys, Problem, Progress, Then, Typing};
use crate::booking::{self, Answers, BookingForm, Day, Question};
use crate::keyboard::{Capitals, Key, ToneStyle};
use crate::portal::{Slot, SlotOffer};
use crate::validate::{self, Message};
use crate::visit::Need;

/// Procedures listed at once on the "what for" page.
pub const NEEDS_SHOWN: usize = 6;

/// A field of the catalogue with the procedures one can book a time for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub needs: Vec<Need>,
}

/// A page: a question, the check page, or the slots offered instead of one that filled up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Question(Question),
    Check,
    Taken,
}

/// An answer tapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Open a field's procedures, by field id.
    Field(String),
    /// A procedure by catalogue id, or "other".
    Need(String),
    /// A day, YYYY-MM-DD.
    Day(String),
    /// A slot by the portal's id (on the slot page, or one of those offered after "full").
    Slot(String),
}

/// What the screen shows now.
#[derive(Debug)]
pub struct View<'a> {
    /// `None` on the introduction.
    pub page: Option<Page>,
    pub progress: Progress,
    pub text: String,
    pub keys: Keys,
    pub problem: Option<&'a Problem>,
    pub fields: &'a [Field],
    /// The field whose procedures are listed (None: the fields are).
    pub field: Option<&'a Field>,
    /// The procedures shown of that field, and which group of how many.
    pub needs: &'a [Need],
    pub needs_group: (usize, usize),
    /// The offer's days (empty when the kiosk has no offer).
    pub days: Vec<Day<'a>>,
    /// The chosen day's slots.
    pub slots: Vec<&'a Slot>,
    /// After "full": the next free slots the portal named.
    pub alternatives: &'a [Slot],
    pub offer: Option<&'a SlotOffer>,
    pub answers: &'a Answers,
}

/// The finished booking and what its slip says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub form: BookingForm,
    /// The last three digits of the phone number (the slip shows no more).
    pub phone_tail: String,
}

pub struct Wizard {
    style: ToneStyle,
    fields: Vec<Field>,
    offer: Option<SlotOffer>,
    answers: Answers,
    cursor: Cursor<Page>,
    typing: Option<Typing>,
    problem: Option<Problem>,
    field: Option<usize>,
    needs_group: usize,
    alternatives: Vec<Slot>,
}

const PAGES: [Page; 6] = [
    Page::Question(Question::Need),
    Page::Question(Question::Day),
    Page::Question(Question::Slot),
    Page::Question(Question::Name),
    Page::Question(Question::Phone),
    Page::Check,
];

impl Wizard {
    /// A new booking on the introduction; `offer` is the portal's offer the kiosk holds (None: it has none).
    pub fn new(style: ToneStyle, fields: Vec<Field>, offer: Option<SlotOffer>) -> Wizard {
        Wizard {
            style,
            fields,
            offer,
            answers: Answers::default(),
            cursor: Cursor::default(),
            typing: None,
            problem: None,
            field: None,
            needs_group: 0,
            alternatives: Vec::new(),
        }
    }

    /// A booking for a procedure already chosen (from its page in the catalogue): straight to the days.
    pub fn for_need(style: ToneStyle, fields: Vec<Field>, offer: Option<SlotOffer>, need: Need) -> Wizard {
        let mut wizard = Wizard::new(style, fields, offer);
        wizard.answers.need = Some(need);
        wizard.cursor.forward(&PAGES, Page::Question(Question::Day), &Page::Check);
        wizard.advance();
        wizard
    }

    pub fn is_empty(&self) -> bool {
        self.answers == Answers::default() && self.typing.as_ref().is_none_or(Typing::is_empty)
    }

    /// A newer offer from the portal (slots' free places change as others book). A chosen slot no longer
    /// offered, or now full, is forgotten.
    pub fn set_offer(&mut self, offer: Option<SlotOffer>) {
        self.offer = offer;
        if let Some(slot) = &self.answers.slot {
            let still = self.offered(&slot.id).is_some_and(|s| s.free > 0);
            if !still {
                self.answers.slot = None;
            }
        }
    }

    fn offered(&self, id: &str) -> Option<&Slot> {
        self.offer.as_ref()?.slots.iter().find(|s| s.id == id)
    }

    fn missing(&self) -> Page {
        self.answers.first_unanswered().map_or(Page::Check, Page::Question)
    }

    /// "Continue" (or "Start"): the typed answer is checked and kept, then the next question. On the check page:
    /// send.
    pub fn forward(&mut self) -> Then {
        let question = match self.cursor.page() {
            None => {
                self.advance();
                return Then::Show;
            }
            Some(Page::Check) => return Then::Send,
            Some(Page::Taken) => return Then::Show,
            Some(Page::Question(question)) => *question,
        };
        match self.take_answer(question) {
            Ok(()) => self.advance(),
            Err(problem) => self.problem = Some(problem),
        }
        Then::Show
    }

    /// "Back": an open field closes first; then the page before (the introduction before the first).
    pub fn back(&mut self) -> Then {
        if self.on(Question::Need) && self.field.is_some() {
            self.field = None;
            self.needs_group = 0;
            self.problem = None;
            return Then::Show;
        }
        if self.cursor.page() == Some(&Page::Taken) {
            self.cursor.change(Page::Question(Question::Day));
            self.open();
            return Then::Show;
        }
        let missing = self.missing();
        if !self.cursor.back(&PAGES, &missing, &Page::Check) {
            return Then::Leave;
        }
        self.open();
        Then::Show
    }

    /// "Change" on the check page.
    pub fn change(&mut self, question: Question) {
        self.cursor.change(Page::Question(question));
        self.open();
    }

    pub fn press(&mut self, key: Key) {
        let Some(typing) = self.typing.as_mut() else { return };
        if let Some(problem) = Problem::after_key(typing.press(key)) {
            self.problem = problem;
        }
    }

    /// More procedures of the open field ("Next" under the list), wrapping to the first group.
    pub fn more_needs(&mut self) {
        let Some(field) = self.field.and_then(|i| self.fields.get(i)) else { return };
        let groups = field.needs.len().div_ceil(NEEDS_SHOWN).max(1);
        self.needs_group = (self.needs_group + 1) % groups;
    }

    /// An answer tapped: kept, and on to the next page.
    pub fn choose(&mut self, choice: Choice) {
        let page = self.cursor.page().copied();
        match (page, choice) {
            (Some(Page::Question(Question::Need)), Choice::Field(id)) => {
                if let Some(at) = self.fields.iter().position(|f| f.id == id) {
                    self.field = Some(at);
                    self.needs_group = 0;
                    self.problem = None;
                }
            }
            (Some(Page::Question(Question::Need)), Choice::Need(id)) => {
                let need = if id == "other" {
                    Need::Other
                } else {
                    let known = self.fields.iter().flat_map(|f| &f.needs);
                    match known.into_iter().find(|n| matches!(n, Need::Procedure { id: known, .. } if *known == id)) {
                        Some(need) => need.clone(),
                        None => return,
                    }
                };
                self.answers.need = Some(need);
                self.advance();
            }
            (Some(Page::Question(Question::Day)), Choice::Day(date)) => {
                let free = booking::days(self.offer.as_ref().map_or(&EMPTY, |o| o))
                    .iter()
                    .any(|d| d.date == date && d.free > 0);
                if !free {
                    self.problem = Some(Problem::Answer(Message::ChooseOne));
                    return;
                }
                if self.answers.day.as_deref() != Some(date.as_str()) {
                    self.answers.slot = None;
                }
                self.answers.day = Some(date);
                self.advance();
            }
            (Some(Page::Question(Question::Slot)), Choice::Slot(id)) => {
                let day = self.answers.day.clone();
                match self.offered(&id).cloned() {
                    Some(slot) if slot.free > 0 && Some(&slot.date) == day.as_ref() => {
                        self.answers.slot = Some(slot);
                        self.advance();
                    }
                    _ => self.problem = Some(Problem::Answer(Message::ChooseOne)),
                }
            }
            (Some(Page::Taken), Choice::Slot(id)) => {
                if let Some(slot) = self.alternatives.iter().find(|s| s.id == id).cloned() {
                    self.answers.day = Some(slot.date.clone());
                    self.answers.slot = Some(slot);
                    self.alternatives.clear();
                    self.cursor.repair(Page::Check);
                    self.cursor.forward(&PAGES, Page::Check, &Page::Check);
                    self.open();
                }
            }
            _ => {}
        }
    }

    /// The portal said the chosen slot filled up before this booking reached it: forget it, mark it full in the
    /// offer, and show `next_free` (the portal's next free slots) to choose from.
    pub fn taken(&mut self, next_free: Vec<Slot>) {
        if let (Some(taken), Some(offer)) = (self.answers.slot.take(), self.offer.as_mut()) {
            for slot in &mut offer.slots {
                if slot.id == taken.id {
                    slot.free = 0;
                }
                if let Some(fresh) = next_free.iter().find(|s| s.id == slot.id) {
                    slot.free = fresh.free;
                }
            }
        }
        self.alternatives = next_free;
        self.cursor.change(Page::Taken);
        self.open();
    }

    /// The form to send once every question is answered; otherwise the first unanswered question opens (then
    /// straight back to the check page) and `None` is returned.
    pub fn finish(&mut self, language: &str) -> Option<Finished> {
        let Some(form) = self.answers.form(language) else {
            let missing = self.missing();
            self.cursor.repair(missing);
            self.open();
            return None;
        };
        let tail = form.phone.len().saturating_sub(3);
        Some(Finished { phone_tail: form.phone[tail..].to_owned(), form })
    }

    pub fn view(&self) -> View<'_> {
        let page = self.cursor.page().copied();
        let field = if self.on(Question::Need) { self.field.and_then(|i| self.fields.get(i)) } else { None };
        let needs: &[Need] = match field {
            Some(f) => {
                let from = (self.needs_group * NEEDS_SHOWN).min(f.needs.len());
                &f.needs[from..(from + NEEDS_SHOWN).min(f.needs.len())]
            }
            None => &[],
        };
        let groups = field.map_or(1, |f| f.needs.len().div_ceil(NEEDS_SHOWN).max(1));
        let days = self.offer.as_ref().map(booking::days).unwrap_or_default();
        let slots = match &self.answers.day {
            Some(day) => days.iter().find(|d| d.date == day).map(|d| d.slots.clone()).unwrap_or_default(),
            None => Vec::new(),
        };
        View {
            page,
            progress: match page {
                Some(Page::Question(_)) => {
                    let at = self.cursor.progress(&PAGES[..5]);
                    Progress { at: at.at, of: 5 }
                }
                _ => Progress::default(),
            },
            text: self.typing.as_ref().map(Typing::shown).unwrap_or_default(),
            keys: self.typing.as_ref().map_or(Keys::Choice, Typing::keys),
            problem: self.problem.as_ref(),
            fields: &self.fields,
            field,
            needs,
            needs_group: (self.needs_group, groups),
            days,
            slots,
            alternatives: &self.alternatives,
            offer: self.offer.as_ref(),
            answers: &self.answers,
        }
    }

    fn on(&self, question: Question) -> bool {
        self.cursor.page() == Some(&Page::Question(question))
    }

    fn take_answer(&mut self, question: Question) -> Result<(), Problem> {
        let typed = self.typing.as_ref().map(Typing::text).unwrap_or_default();
        let answers = &mut self.answers;
        let checked = match question {
            Question::Name => validate::name(&typed, booking::NAME_MAX).map(|name| answers.name = name),
            Question::Phone => validate::phone(&typed).map(|phone| answers.phone = Some(phone)),
            _ if answers.answered(question) => Ok(()),
            _ => return Err(Problem::Answer(Message::ChooseOne)),
        };
        checked.map_err(|p| Problem::Answer(p.message))
    }

    fn advance(&mut self) {
        let missing = self.missing();
        self.cursor.forward(&PAGES, missing, &Page::Check);
        self.open();
    }

    fn open(&mut self) {
        self.problem = None;
        let style = self.style;
        let answers = &self.answers;
        self.typing = match self.cursor.page() {
            Some(Page::Question(Question::Name)) => Some(Typing::new(style, NAME, &answers.name)),
            Some(Page::Question(Question::Phone)) => {
                Some(Typing::new(style, PHONE, answers.phone.as_ref().map_or("", |p| p.digits())))
            }
            _ => None,
        };
        if self.cursor.page() == Some(&Page::Question(Question::Need)) {
            // Open on the field of the procedure chosen before.
            self.field = match &self.answers.need {
                Some(Need::Procedure { id, .. }) => self
                    .fields
                    .iter()
                    .position(|f| f.needs.iter().any(|n| matches!(n, Need::Procedure { id: i, .. } if i == id))),
                _ => None,
            };
            self.needs_group = 0;
        }
    }
}

static EMPTY: SlotOffer =
    SlotOffer { place_vi: String::new(), place_en: String::new(), address: String::new(), slots: Vec::new() };

const NAME: Entry = Entry::new(Keys::Letters, Capitals::Words, booking::NAME_MAX);
const PHONE: Entry = Entry::new(Keys::NumberPad, Capitals::AsTyped, 13);

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(id: &str, date: &str, start: &str, free: u32) -> Slot {
        Slot { id: id.into(), date: date.into(), start: start.into(), end: "later".into(), free }
    }

    fn offer() -> SlotOffer {
        SlotOffer {
            place_vi: "Điểm".into(),
            place_en: "Point".into(),
            address: "Nhà văn hoá".into(),
            slots: vec![
                slot("d1a", "2026-12-07", "17:30", 0),
                slot("d1b", "2026-12-07", "18:30", 1),
                slot("d2a", "2026-12-08", "17:30", 0),
                slot("d3a", "2026-12-12", "08:00", 3),
                slot("d3b", "2026-12-12", "09:00", 3),
            ],
        }
    }

    fn fields() -> Vec<Field> {
        let need = |i: usize| Need::Procedure {
            id: format!("p{i}"),
            code: format!("1.00{i}"),
            name_vi: format!("Thủ tục {i}"),
            name_en: format!("Procedure {i}"),
        };
        vec![Field {
            id: "ho-tich".into(),
            name_vi: "Hộ tịch".into(),
            name_en: "Civil status".into(),
            needs: (0..8).map(need).collect(),
        }]
    }

    fn typing(w: &mut Wizard, keys: &str) {
        for c in keys.chars() {
            w.press(if c == ' ' { Key::Space } else { Key::Char(c) });
        }
    }

    #[test]
    fn a_booking_is_walked_a_slot_taken_meanwhile_and_another_chosen() {
        let mut w = Wizard::new(ToneStyle::Modern, fields(), Some(offer()));
        assert!(w.is_empty());
        assert_eq!(w.back(), Then::Leave, "Back on the introduction leaves");
        w.forward();
        assert_eq!(w.view().page, Some(Page::Question(Question::Need)));
        assert_eq!(w.view().progress, Progress { at: 1, of: 5 });
        w.choose(Choice::Field("ho-tich".into()));
        assert_eq!((w.view().needs.len(), w.view().needs_group), (6, (0, 2)));
        w.more_needs();
        assert_eq!(w.view().needs.len(), 2, "the rest of the field");
        assert_eq!(w.back(), Then::Show);
        assert!(w.view().field.is_none(), "Back closes the field first");
        w.choose(Choice::Field("ho-tich".into()));
        w.choose(Choice::Need("p7".into()));
        assert_eq!(w.view().page, Some(Page::Question(Question::Day)));
        assert_eq!(w.view().days.len(), 3);
        w.choose(Choice::Day("2026-12-08".into()));
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::ChooseOne)), "a full day is not taken");
        w.choose(Choice::Day("2026-12-07".into()));
        assert_eq!(w.view().slots.len(), 2, "full slots are shown too");
        w.choose(Choice::Slot("d1a".into()));
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::ChooseOne)), "a full slot is not taken");
        w.choose(Choice::Slot("d1b".into()));
        assert_eq!(w.view().page, Some(Page::Question(Question::Name)));
        w.forward();
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::NameEmpty)));
        typing(&mut w, "nguyeenx thij hoaf");
        w.forward();
        assert_eq!(w.view().keys, Keys::NumberPad);
        typing(&mut w, "0912345678");
        w.forward();
        assert_eq!(w.view().page, Some(Page::Check));
        assert_eq!(w.forward(), Then::Send);
        let done = w.finish("vi").expect("complete");
        assert_eq!((done.form.slot_id.as_str(), done.form.person_name.as_str()), ("d1b", "Nguyễn Thị Hòa"));
        assert_eq!((done.form.procedure_code.as_deref(), done.phone_tail.as_str()), (Some("1.007"), "678"));

        // Another kiosk took the last place first.
        w.taken(vec![slot("d3a", "2026-12-12", "08:00", 3)]);
        assert_eq!(w.view().page, Some(Page::Taken));
        assert_eq!(w.view().alternatives.len(), 1);
        assert!(w.view().days.iter().all(|d| d.date != "2026-12-07" || d.free == 0), "the day shows full now");
        assert!(w.finish("vi").is_none(), "no slot any more");
        assert_eq!(w.view().page, Some(Page::Question(Question::Slot)));
        w.taken(vec![slot("d3a", "2026-12-12", "08:00", 3)]);
        w.choose(Choice::Slot("d3a".into()));
        assert_eq!(w.view().page, Some(Page::Check), "the new time, then the check page");
        assert_eq!(w.finish("vi").expect("complete").form.slot_id, "d3a");
    }

    #[test]
    fn a_booking_from_a_procedure_page_starts_at_the_days_and_a_stale_slot_is_forgotten() {
        let need = fields()[0].needs[0].clone();
        let mut w = Wizard::for_need(ToneStyle::Modern, fields(), Some(offer()), need);
        assert_eq!(w.view().page, Some(Page::Question(Question::Day)));
        assert_eq!(w.view().progress, Progress { at: 2, of: 5 });
        w.choose(Choice::Day("2026-12-12".into()));
        w.choose(Choice::Slot("d3b".into()));
        let mut newer = offer();
        newer.slots[4].free = 0;
        w.set_offer(Some(newer));
        assert!(w.view().answers.slot.is_none());
        for _ in 0..3 {
            w.back();
        }
        assert_eq!(w.view().page, Some(Page::Question(Question::Need)));
        assert_eq!(w.view().field.map(|f| f.id.as_str()), Some("ho-tich"), "opens on the chosen procedure's field");
        let mut none = Wizard::new(ToneStyle::Modern, fields(), None);
        none.forward();
        none.choose(Choice::Need("other".into()));
        assert!(none.view().days.is_empty(), "no offer: no days (the screen says booking is not possible now)");
    }
}
