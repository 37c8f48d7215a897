//! The home-visit request as a state machine: the introduction, one question per page in the order of
//! `visit::Answers::questions` (who is asking only for someone else), each typed answer checked as it is
//! given, the ward found as it is typed, the check page with a "Change" per answer, and the finished request.
//! Taps go in (`press`, `choose`, `forward`, `back`, `change`); `view` says what to show.
//!
//! Must not do: any I/O, or hold words for the screen. Dropping the wizard is the wipe.

use super::{Cursor, Entry, Keys, Problem, Progress, Then, Typing};
use crate::keyboard::{Capitals, Key, ToneStyle};
use crate::validate::{self, Message};
use crate::visit::{self, Answers, Need, Question, VisitRequest, When};
use crate::wards::{Ward, Wards};

/// Wards listed at once on the ward page.
pub const WARDS_SHOWN: usize = 4;

/// A page of the request: a question, or the check page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Question(Question),
    Check,
}

/// An answer tapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The visit is for the resident at the kiosk.
    Me,
    /// For someone else (a parent, a relative, a neighbour).
    Relative,
    /// A ward, by its GSO code.
    Ward(String),
    /// A home-visit procedure by its catalogue id, or "other".
    Need(String),
    When(When),
}

/// What the screen shows now.
#[derive(Debug)]
pub struct View<'a> {
    /// `None` on the introduction.
    pub page: Option<Page>,
    /// "Question 2 of 8" (0 of 0 on the introduction and the check page).
    pub progress: Progress,
    /// The answer (or the ward's name) being typed.
    pub text: String,
    pub keys: Keys,
    pub problem: Option<&'a Problem>,
    /// On the ward page: the wards matching what is typed (the kiosk's own first when nothing is).
    pub wards: Vec<&'static Ward>,
    pub answers: &'a Answers,
}

/// The request to hand over, with what its confirmation slip says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub request: VisitRequest,
    /// What needs doing, in both languages, for the slip.
    pub need_vi: String,
    pub need_en: String,
    /// The team brings the paper to be signed in front of them: tell the resident not to sign before.
    pub signature: bool,
    /// The phone number's last three digits (the slip shows no more).
    pub phone_tail: String,
}

/// A home-visit request being answered.
pub struct Wizard {
    style: ToneStyle,
    /// The kiosk's own ward (offered first), by GSO code.
    own_ward: Option<String>,
    /// The catalogue's procedures the team does at home.
    needs: Vec<Need>,
    answers: Answers,
    cursor: Cursor<Page>,
    typing: Option<Typing>,
    problem: Option<Problem>,
}

impl Wizard {
    /// A new request, on the introduction.
    pub fn new(style: ToneStyle, own_ward: Option<String>, needs: Vec<Need>) -> Wizard {
        Wizard {
            style,
            own_ward,
            needs,
            answers: Answers::default(),
            cursor: Cursor::default(),
            typing: None,
            problem: None,
        }
    }

    /// True when nothing is answered or typed.
    pub fn is_empty(&self) -> bool {
        self.answers == Answers::default() && self.typing.as_ref().is_none_or(Typing::is_empty)
    }

    fn pages(&self) -> Vec<Page> {
        let mut pages: Vec<Page> = self.answers.questions().into_iter().map(Page::Question).collect();
        pages.push(Page::Check);
        pages
    }

    fn missing(&self) -> Page {
        self.answers.first_unanswered().map_or(Page::Check, Page::Question)
    }

    /// "Continue" (or "Start"): the typed answer is checked and kept, then the next question (or, after a
    /// change, straight back to the check page unless a new question appeared). On the check page: send.
    pub fn forward(&mut self) -> Then {
        let question = match self.cursor.page() {
            None => {
                self.advance();
                return Then::Show;
            }
            Some(Page::Check) => return Then::Send,
            Some(Page::Question(question)) => *question,
        };
        match self.take_answer(question) {
            Ok(()) => self.advance(),
            Err(problem) => self.problem = Some(problem),
        }
        Then::Show
    }

    /// "Back": the question before (the introduction before the first; back to the check page after a change).
    /// On the introduction: leave.
    pub fn back(&mut self) -> Then {
        let (pages, missing) = (self.pages(), self.missing());
        if !self.cursor.back(&pages, &missing, &Page::Check) {
            return Then::Leave;
        }
        self.open();
        Then::Show
    }

    /// "Change" on the check page.
    pub fn change(&mut self, question: Question) {
        if self.answers.questions().contains(&question) {
            self.cursor.change(Page::Question(question));
            self.open();
        }
    }

    /// A key on the page's keyboard (the ward page's keyboard searches).
    pub fn press(&mut self, key: Key) {
        let Some(typing) = self.typing.as_mut() else { return };
        let pressed = typing.press(key);
        if let Some(problem) = Problem::after_key(pressed) {
            self.problem = problem;
        }
        if self.problem.is_none() && self.on(Question::Ward) && self.wards().is_empty() {
            self.problem = Some(Problem::NoSuchWard);
        }
    }

    /// An answer tapped on a choice page (or a ward in the list): kept, and on to the next page.
    pub fn choose(&mut self, choice: Choice) {
        let Some(Page::Question(question)) = self.cursor.page().copied() else { return };
        let answers = &mut self.answers;
        match (question, choice) {
            (Question::ForWhom, Choice::Me) => {
                answers.for_relative = Some(false);
                answers.requester.clear();
            }
            (Question::ForWhom, Choice::Relative) => answers.for_relative = Some(true),
            (Question::Ward, Choice::Ward(code)) if Wards::hanoi().by_code(&code).is_some() => {
                answers.ward = Some(code)
            }
            (Question::Need, Choice::Need(id)) => {
                let need = match id.as_str() {
                    "other" => Need::Other,
                    id => {
                        match self.needs.iter().find(|n| matches!(n, Need::Procedure { id: known, .. } if known == id))
                        {
                            Some(need) => need.clone(),
                            None => return,
                        }
                    }
                };
                answers.need = Some(need);
            }
            (Question::When, Choice::When(when)) => answers.when = Some(when),
            _ => return,
        }
        self.advance();
    }

    /// The request to send, once every question is answered; otherwise the first unanswered question is opened
    /// (then straight back to the check page) and `None` returned.
    pub fn finish(&mut self, language: &str) -> Option<Finished> {
        let Some(request) = self.answers.request(language) else {
            let missing = self.missing();
            self.cursor.repair(missing);
            self.open();
            return None;
        };
        let need = self.answers.need.as_ref()?;
        let (need_vi, need_en) = need.names();
        let tail = request.phone.len().saturating_sub(3);
        Some(Finished {
            need_vi: need_vi.to_owned(),
            need_en: need_en.to_owned(),
            signature: need.signed_in_front_of_the_team(),
            phone_tail: request.phone[tail..].to_owned(),
            request,
        })
    }

    /// What to show now.
    pub fn view(&self) -> View<'_> {
        let page = self.cursor.page().copied();
        View {
            page,
            progress: match page {
                Some(Page::Question(question)) => {
                    let (at, of) = self.answers.progress(question);
                    Progress { at, of }
                }
                _ => Progress::default(),
            },
            text: self.typing.as_ref().map(Typing::shown).unwrap_or_default(),
            keys: self.typing.as_ref().map_or(Keys::Choice, Typing::keys),
            problem: self.problem.as_ref(),
            wards: if self.on(Question::Ward) { self.wards() } else { Vec::new() },
            answers: &self.answers,
        }
    }

    fn on(&self, question: Question) -> bool {
        self.cursor.page() == Some(&Page::Question(question))
    }

    /// The wards matching what is typed; with nothing typed, the kiosk's own ward first.
    fn wards(&self) -> Vec<&'static Ward> {
        let wards = Wards::hanoi();
        let typed = self.typing.as_ref().map(Typing::text).unwrap_or_default();
        let mut found = wards.search(&typed);
        if typed.trim().is_empty() {
            if let Some(own) = self.own_ward.as_deref().and_then(|code| wards.by_code(code)) {
                found.retain(|w| w.code != own.code);
                found.insert(0, own);
            }
        }
        found.truncate(WARDS_SHOWN);
        found
    }

    /// Checks and keeps a typed answer; a choice page needs its answer tapped.
    fn take_answer(&mut self, question: Question) -> Result<(), Problem> {
        let typed = self.typing.as_ref().map(Typing::text).unwrap_or_default();
        let answers = &mut self.answers;
        let checked = match question {
            Question::Name => validate::name(&typed, visit::NAME_MAX).map(|name| answers.name = name),
            Question::Requester => validate::name(&typed, visit::NAME_MAX).map(|name| answers.requester = name),
            Question::Phone => validate::phone(&typed).map(|phone| answers.phone = Some(phone)),
            Question::Street => visit::street(&typed).map(|street| answers.street = street),
            _ if answers.answered(question) => Ok(()),
            _ => return Err(Problem::Answer(Message::ChooseOne)),
        };
        checked.map_err(|p| Problem::Answer(p.message))
    }

    fn advance(&mut self) {
        let (pages, missing) = (self.pages(), self.missing());
        self.cursor.forward(&pages, missing, &Page::Check);
        self.open();
    }

    /// Prepares the page the cursor is on: its typing starts from the answer given before; no problem yet.
    fn open(&mut self) {
        self.problem = None;
        let style = self.style;
        let answers = &self.answers;
        let typing = |entry, text: &str| Some(Typing::new(style, entry, text));
        self.typing = match self.cursor.page() {
            Some(Page::Question(Question::Name)) => typing(NAME, &answers.name),
            Some(Page::Question(Question::Requester)) => typing(NAME, &answers.requester),
            Some(Page::Question(Question::Phone)) => typing(PHONE, answers.phone.as_ref().map_or("", |p| p.digits())),
            Some(Page::Question(Question::Street)) => typing(STREET, &answers.street),
            Some(Page::Question(Question::Ward)) => typing(WARD_SEARCH, ""),
            _ => None,
        };
    }
}

const NAME: Entry = Entry::new(Keys::Letters, Capitals::Words, visit::NAME_MAX);
const PHONE: Entry = Entry::new(Keys::NumberPad, Capitals::AsTyped, 13);
const STREET: Entry = Entry::new(Keys::LettersAndDigits, Capitals::AsTyped, visit::STREET_MAX);
const WARD_SEARCH: Entry = Entry::new(Keys::Letters, Capitals::AsTyped, 40);

#[cfg(test)]
mod tests {
    use super::*;

    fn pension() -> Need {
        Need::Procedure {
            id: "uy-quyen-nhan-luong-huu".into(),
            code: "2.000884".into(),
            name_vi: "Ủy quyền nhận lương hưu".into(),
            name_en: "Pension authorisation".into(),
        }
    }

    fn wizard() -> Wizard {
        Wizard::new(ToneStyle::Modern, visit::ward_named("Phường Hoàn Kiếm"), vec![pension()])
    }

    fn typing(w: &mut Wizard, keys: &str) {
        for c in keys.chars() {
            w.press(if c == ' ' { Key::Space } else { Key::Char(c) });
        }
    }

    fn answer(w: &mut Wizard, keys: &str) {
        typing(w, keys);
        assert_eq!(w.forward(), Then::Show);
        assert_eq!(w.view().problem, None, "after {keys:?}");
    }

    fn question(w: &Wizard) -> Option<Question> {
        match w.view().page {
            Some(Page::Question(q)) => Some(q),
            _ => None,
        }
    }

    #[test]
    fn a_whole_request_for_someone_else_is_walked_changed_and_finished() {
        let mut w = wizard();
        assert!(w.is_empty());
        assert_eq!(w.view().page, None, "the introduction");
        w.forward();
        assert_eq!(question(&w), Some(Question::ForWhom));
        assert_eq!(w.view().progress, Progress { at: 1, of: 7 });
        w.choose(Choice::Relative);
        assert_eq!(w.view().progress, Progress { at: 2, of: 8 }, "asking for someone else adds a question");
        w.forward();
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::NameEmpty)));
        answer(&mut w, "nguyeenx thij hoaf");
        assert_eq!(question(&w), Some(Question::Requester));
        typing(&mut w, "tr");
        w.press(Key::Tone(crate::keyboard::Tone::Grave));
        assert_eq!(w.view().problem, Some(&Problem::LetterBeforeTone));
        w.press(Key::Clear);
        answer(&mut w, "traanf vawn minh");
        assert_eq!(w.view().keys, Keys::NumberPad);
        typing(&mut w, "01681234567");
        w.forward();
        assert_eq!(
            w.view().problem,
            Some(&Problem::Answer(Message::OldMobileNumber { new: "0381234567".into() })),
            "an old number: the new one suggested"
        );
        w.press(Key::Clear);
        answer(&mut w, "0912345678");
        assert_eq!(question(&w), Some(Question::Ward));
        assert_eq!(w.view().wards[0].full_name, "Phường Hoàn Kiếm", "the kiosk's own ward first");
        typing(&mut w, "cau giay");
        assert_eq!(w.view().wards[0].full_name, "Phường Cầu Giấy");
        w.forward();
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::ChooseOne)), "a ward is tapped");
        w.choose(Choice::Ward("00167".into()));
        answer(&mut w, "soos 5 ngox 12 traanf thais toong");
        w.choose(Choice::Need("nobody".into()));
        assert_eq!(question(&w), Some(Question::Need), "an unknown need is not taken");
        w.choose(Choice::Need("uy-quyen-nhan-luong-huu".into()));
        w.choose(Choice::When(When::Morning));
        assert_eq!(w.view().page, Some(Page::Check));
        assert_eq!(w.view().progress, Progress::default());

        w.change(Question::Phone);
        assert_eq!(w.view().text, "0912345678", "the answer is there to change");
        w.press(Key::Delete);
        answer(&mut w, "9");
        assert_eq!(w.view().page, Some(Page::Check), "straight back");
        assert_eq!(w.back(), Then::Show);
        assert_eq!(question(&w), Some(Question::When), "Back from the check page: the last question");
        w.forward();
        assert_eq!(w.view().problem, None, "already answered");
        assert_eq!(w.view().page, Some(Page::Check));
        assert_eq!(w.forward(), Then::Send);
        let done = w.finish("vi").expect("complete");
        assert_eq!(done.request.phone, "0912345679");
        assert_eq!(done.request.requester_name.as_deref(), Some("Trần Văn Minh"));
        assert_eq!(done.request.ward_name, "Phường Cầu Giấy");
        assert_eq!((done.signature, done.phone_tail.as_str()), (true, "679"));
        assert_eq!(done.need_vi, "Ủy quyền nhận lương hưu");
    }

    #[test]
    fn changing_for_whom_asks_the_new_question_then_returns() {
        let mut w = wizard();
        w.forward();
        w.choose(Choice::Me);
        answer(&mut w, "ddawngj vawn uwng");
        answer(&mut w, "02438251234");
        typing(&mut w, "ha dong");
        w.choose(Choice::Ward(w.view().wards[0].code.clone()));
        answer(&mut w, "thoon ddoaif");
        w.choose(Choice::Need("other".into()));
        w.choose(Choice::When(When::AnyTime));
        assert_eq!(w.view().page, Some(Page::Check));
        w.change(Question::ForWhom);
        w.choose(Choice::Relative);
        assert_eq!(question(&w), Some(Question::Requester), "the new question, unanswered");
        assert!(w.finish("en").is_none(), "not complete");
        assert_eq!(question(&w), Some(Question::Requester));
        answer(&mut w, "lee vawn hai");
        assert_eq!(w.view().page, Some(Page::Check));
        let done = w.finish("en").expect("complete");
        assert_eq!((done.need_en.as_str(), done.signature), ("Something else", false));
        assert_eq!(done.request.when, When::AnyTime);
    }

    #[test]
    fn a_ward_name_nothing_matches_says_so_and_back_leaves_from_the_introduction() {
        let mut w = wizard();
        assert_eq!(w.back(), Then::Leave);
        w.forward();
        w.choose(Choice::Me);
        answer(&mut w, "an");
        answer(&mut w, "0912345678");
        typing(&mut w, "zzzz");
        assert_eq!(w.view().problem, Some(&Problem::NoSuchWard));
        assert!(w.view().wards.is_empty());
        assert!(!w.is_empty());
        for _ in 0..4 {
            assert_eq!(w.back(), Then::Show);
        }
        assert_eq!(w.view().page, None);
        assert_eq!(w.back(), Then::Leave);
    }
}
