//! The dossier wizard as a state machine: a procedure's form (assets/forms, `forms::Form`) asked one page at a
//! time in the order of `dossier::pages`, each answer checked as it is given, papers scanned, how the result
//! comes back, the check page with a "Change" per answer, consent, and the finished dossier. Taps go in
//! (`press`, `choose`, `forward`, `back`, `change`, `scanned`, ...); `view` says what to show.
//!
//! Scanned pages are the shell's own type `S` (the JPEG and its thumbnail): the wizard only keeps them in order
//! per paper, counts them and hands them back, so this crate needs no scanner and no picture type.
//!
//! Must not do: any I/O, read a clock (`today` is passed in), or hold words for the screen. Dropping the
//! wizard is the wipe: answers and pages live nowhere else.

use std::collections::BTreeMap;

use super::{Cursor, Entry, Keys, Problem, Progress, RowGroup, ScanFailure, Then, Typing};
use crate::catalogue::Procedure;
use crate::dossier::{self, Choices, Delivery, DossierForm, Page};
use crate::forms::{Answers, Document, Field, Form, Kind};
use crate::keyboard::{Capitals, Key, ToneStyle};
use crate::validate::{Date, Message};

/// Answers shown at once on the check page.
pub const ROWS_PER_GROUP: usize = 6;
/// Page previews shown at once on a paper's page (the latest ones).
pub const PREVIEWS_SHOWN: usize = 3;
/// The longest delivery address.
const ADDRESS_MAX: usize = 100;

/// The kind of page on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The procedure's introduction (fee, time, the official form).
    Intro,
    /// One of the form's questions.
    Question,
    /// A paper to scan.
    Paper,
    /// At the counter or by post.
    Delivery,
    /// The address for the post.
    DeliveryAddress,
    Check,
    Consent,
}

/// One answer on the check page, and the page (its number in the wizard's order) that changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    pub page: usize,
    pub answer: RowAnswer<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAnswer<'a> {
    /// A question's answer as shown (a choice's words in both languages; typed answers are the same in both).
    Answer {
        field: &'a Field,
        vi: String,
        en: String,
    },
    /// An optional question left empty.
    LeftEmpty {
        field: &'a Field,
    },
    /// A paper and how many pages were scanned.
    Paper {
        paper: &'a Document,
        pages: usize,
    },
    Delivery(Delivery),
    DeliveryAddress(&'a str),
}

/// What the screen shows now.
#[derive(Debug)]
pub struct View<'a, S> {
    pub step: Step,
    /// "Step 3 of 19" (0 of 0 on the introduction).
    pub progress: Progress,
    /// The question on a question page.
    pub field: Option<&'a Field>,
    /// The paper on a paper page.
    pub paper: Option<&'a Document>,
    pub keys: Keys,
    /// The answer being typed, as the answer box shows it.
    pub text: String,
    /// The option chosen on a choice question.
    pub selected: Option<&'a str>,
    pub delivery: Option<Delivery>,
    pub problem: Option<&'a Problem>,
    /// Pages scanned of the paper on screen, the latest few of them, and the number (from 0) of the first.
    pub scanned: usize,
    pub previews: &'a [S],
    pub preview_first: usize,
    pub scanning: bool,
    /// The check page's answers, a group at a time.
    pub rows: Option<RowGroup<Row<'a>>>,
}

/// The dossier to hand over once consent is given: the form the portal receives, every scanned page in the
/// order of `form.papers`, and the expected result date.
#[derive(Debug)]
pub struct Finished<S> {
    pub form: DossierForm,
    pub pages: Vec<S>,
    pub result_date: Date,
}

/// A dossier being filled in.
pub struct Wizard<S> {
    form: Form,
    procedure: Procedure,
    style: ToneStyle,
    answers: Answers,
    choices: Choices,
    /// Scanned pages per paper id.
    scans: BTreeMap<String, Vec<S>>,
    cursor: Cursor<Page>,
    typing: Option<Typing>,
    problem: Option<Problem>,
    /// Answers dropped because an earlier answer they are checked against changed (an end date past the new
    /// start's limit): the page opens again with the old answer and what is wrong with it now.
    stale: BTreeMap<String, (String, Message)>,
    scanning: bool,
    row_group: usize,
}

impl<S> Wizard<S> {
    /// A new dossier for `procedure` with its `form`, on the introduction.
    pub fn new(form: Form, procedure: Procedure, style: ToneStyle) -> Wizard<S> {
        Wizard {
            form,
            procedure,
            style,
            answers: Answers::new(),
            choices: Choices::default(),
            scans: BTreeMap::new(),
            cursor: Cursor::default(),
            typing: None,
            problem: None,
            stale: BTreeMap::new(),
            scanning: false,
            row_group: 0,
        }
    }

    pub fn procedure(&self) -> &Procedure {
        &self.procedure
    }

    pub fn form(&self) -> &Form {
        &self.form
    }

    fn pages(&self) -> Vec<Page> {
        dossier::pages(&self.form, &self.answers, &self.choices)
    }

    fn missing(&self) -> Page {
        dossier::first_missing(&self.form, &self.answers, &self.choices)
    }

    /// "Continue" (or "Start", or "I agree"): the page's answer is checked and kept, then the next page (or,
    /// after a change, straight back to the check page unless something is now missing). On the consent page it
    /// gives consent and asks to send. Nothing moves while a scan is under way.
    pub fn forward(&mut self, today: Date) -> Then {
        if self.scanning {
            return Then::Show;
        }
        match self.cursor.page() {
            None => {
                self.advance();
                return Then::Show;
            }
            Some(Page::Consent) => {
                self.choices.consent = true;
                return Then::Send;
            }
            Some(_) => {}
        }
        match self.take_answer(today) {
            Ok(()) => self.advance(),
            Err(problem) => self.problem = Some(problem),
        }
        Then::Show
    }

    /// "Back": the page before (the introduction before the first; back to the check page after a change).
    /// On the introduction: leave the wizard.
    pub fn back(&mut self) -> Then {
        if self.scanning {
            return Then::Show;
        }
        let (pages, missing) = (self.pages(), self.missing());
        if !self.cursor.back(&pages, &missing, &Page::Check) {
            return Then::Leave;
        }
        self.open();
        Then::Show
    }

    /// "Change" on the check page's row for page `index`.
    pub fn change(&mut self, index: usize) {
        if let Some(page) = self.pages().get(index).cloned() {
            self.cursor.change(page);
            self.open();
        }
    }

    /// A key on the page's keyboard.
    pub fn press(&mut self, key: Key) {
        let Some(typing) = self.typing.as_mut() else { return };
        if let Some(problem) = Problem::after_key(typing.press(key)) {
            self.problem = problem;
        }
    }

    /// An option tapped on a choice question: kept, and on to the next page.
    pub fn choose(&mut self, option: &str) {
        let Some(Page::Question(id)) = self.cursor.page() else { return };
        let Some(field) = self.form.field(id) else { return };
        if field.kind == Kind::Choice && field.options.iter().any(|o| o.id == option) {
            self.answers.insert(id.clone(), option.to_owned());
            self.advance();
        }
    }

    /// A way of receiving the result tapped on the delivery page: kept, and on to the next page.
    pub fn choose_delivery(&mut self, delivery: Delivery) {
        if self.cursor.page() == Some(&Page::Delivery) {
            self.choices.delivery = Some(delivery);
            self.advance();
        }
    }

    /// "Scan" on a paper page with room for more pages: returns whether the paper is an ID card (scanned in
    /// colour and cropped), and waits for [`Wizard::scanned`] or [`Wizard::scan_failed`].
    pub fn scan(&mut self) -> Option<bool> {
        if self.scanning {
            return None;
        }
        let paper = self.paper()?;
        if self.pages_here() >= paper.max_pages as usize {
            return None;
        }
        let card = paper.card;
        self.scanning = true;
        self.problem = None;
        Some(card)
    }

    /// The scanner's pages for the paper on screen (more than it allows are dropped).
    pub fn scanned(&mut self, pages: Vec<S>) {
        self.scanning = false;
        let Some(Page::Paper(id)) = self.cursor.page().cloned() else { return };
        let max = self.paper().map_or(1, |d| d.max_pages) as usize;
        let kept = self.scans.entry(id.clone()).or_default();
        kept.extend(pages);
        kept.truncate(max);
        let n = kept.len() as u32;
        self.choices.pages.insert(id, n);
    }

    /// The scanner could not scan: the resident is told what to do; the pages so far stay.
    pub fn scan_failed(&mut self, failure: ScanFailure) {
        self.scanning = false;
        self.problem = Some(Problem::Scan(failure));
    }

    /// "Scan the last page again" drops the last page first.
    pub fn drop_last_page(&mut self) {
        if self.scanning {
            return;
        }
        let Some(Page::Paper(id)) = self.cursor.page().cloned() else { return };
        if let Some(pages) = self.scans.get_mut(&id) {
            pages.pop();
            self.choices.pages.insert(id, pages.len() as u32);
        }
    }

    /// "Earlier answers" (-1) and "More answers" (+1) on the check page.
    pub fn turn_rows(&mut self, by: isize) {
        let groups = self.rows().len().div_ceil(ROWS_PER_GROUP).max(1);
        self.row_group = self.row_group.saturating_add_signed(by).min(groups - 1);
    }

    /// The dossier to send, once everything is done and consent given; otherwise the page where something is
    /// missing is opened (then straight back to the check page) and `None` returned.
    pub fn finish(&mut self, language: &str, today: Date) -> Option<Finished<S>>
    where
        S: Clone,
    {
        let code = self.procedure.code.clone();
        let Some(form) = dossier::finish(&self.form, &code, &self.answers, &self.choices, language) else {
            // Only consent missing: the resident is on the way to it already.
            let missing = self.missing();
            if missing != Page::Check {
                self.cursor.repair(missing);
                self.open();
            }
            return None;
        };
        let pages = form.papers.iter().flat_map(|(id, _)| self.scans.get(id).into_iter().flatten().cloned()).collect();
        let result_date = dossier::result_date(today, self.form.result_working_days);
        Some(Finished { form, pages, result_date })
    }

    /// What to show now.
    pub fn view(&self) -> View<'_, S> {
        let page = self.cursor.page();
        let field = match page {
            Some(Page::Question(id)) => self.form.field(id),
            _ => None,
        };
        let paper = self.paper();
        let scans: &[S] = match page {
            Some(Page::Paper(id)) => self.scans.get(id).map_or(&[], Vec::as_slice),
            _ => &[],
        };
        let preview_first = scans.len().saturating_sub(PREVIEWS_SHOWN);
        View {
            step: match page {
                None => Step::Intro,
                Some(Page::Question(_)) => Step::Question,
                Some(Page::Paper(_)) => Step::Paper,
                Some(Page::Delivery) => Step::Delivery,
                Some(Page::DeliveryAddress) => Step::DeliveryAddress,
                Some(Page::Check) => Step::Check,
                Some(Page::Consent) => Step::Consent,
            },
            progress: if page.is_some() { self.cursor.progress(&self.pages()) } else { Progress::default() },
            field,
            paper,
            keys: self.typing.as_ref().map_or(Keys::Choice, Typing::keys),
            text: self.typing.as_ref().map(Typing::shown).unwrap_or_default(),
            selected: field.and_then(|f| self.answers.get(&f.id)).map(String::as_str),
            delivery: self.choices.delivery,
            problem: self.problem.as_ref(),
            scanned: scans.len(),
            previews: &scans[preview_first..],
            preview_first,
            scanning: self.scanning,
            rows: (page == Some(&Page::Check)).then(|| RowGroup::of(self.rows(), self.row_group, ROWS_PER_GROUP)),
        }
    }

    fn paper(&self) -> Option<&Document> {
        let Some(Page::Paper(id)) = self.cursor.page() else { return None };
        self.form.documents.iter().find(|d| &d.id == id)
    }

    /// Pages scanned of the paper on screen.
    fn pages_here(&self) -> usize {
        match self.cursor.page() {
            Some(Page::Paper(id)) => self.scans.get(id).map_or(0, Vec::len),
            _ => 0,
        }
    }

    /// Checks and keeps the answer on the page shown.
    fn take_answer(&mut self, today: Date) -> Result<(), Problem> {
        let typed = self.typing.as_ref().map(Typing::text).unwrap_or_default();
        match self.cursor.page().cloned() {
            Some(Page::Question(id)) => {
                let Some(field) = self.form.field(&id) else { return Ok(()) };
                if field.kind == Kind::Choice {
                    return if self.answers.contains_key(&id) {
                        Ok(())
                    } else {
                        Err(Problem::Answer(Message::ChooseOne))
                    };
                }
                let answer = self.form.check_answer(field, &typed, &self.answers, today);
                match answer.map_err(|p| Problem::Answer(p.message))? {
                    answer if answer.is_empty() => self.answers.remove(&id),
                    answer => self.answers.insert(id.clone(), answer),
                };
                self.stale.remove(&id);
                self.recheck_dependents(&id, today);
                Ok(())
            }
            Some(Page::Paper(_)) => {
                let need = self.paper().map_or(1, |d| d.min_pages) as usize;
                if self.pages_here() >= need {
                    Ok(())
                } else {
                    Err(Problem::ScanMorePages)
                }
            }
            Some(Page::Delivery) => self.choices.delivery.map(|_| ()).ok_or(Problem::ChooseDelivery),
            Some(Page::DeliveryAddress) => {
                let address = crate::visit::street(&typed).map_err(|p| Problem::Answer(p.message))?;
                self.choices.delivery_address = address;
                Ok(())
            }
            Some(Page::Check) if self.missing() != Page::Check => Err(Problem::StillMissing),
            Some(Page::Check | Page::Consent) | None => Ok(()),
        }
    }

    /// Answers checked against `id`'s (an end date against its start) that no longer pass are taken out, so the
    /// wizard asks them again; their page shows the old answer and why.
    fn recheck_dependents(&mut self, id: &str, today: Date) {
        let dependents: Vec<String> = self.form.dependents(id).iter().map(|f| f.id.clone()).collect();
        for dependent in dependents {
            let (Some(field), Some(old)) = (self.form.field(&dependent), self.answers.get(&dependent)) else {
                continue;
            };
            if let Err(problem) = self.form.check_answer(field, old, &self.answers, today) {
                let old = self.answers.remove(&dependent).unwrap_or_default();
                self.stale.insert(dependent, (old, problem.message));
            }
        }
    }

    /// After a page is done: answers a changed choice no longer asks for are dropped, then the next page.
    fn advance(&mut self) {
        self.form.keep_asked(&mut self.answers);
        let (pages, missing) = (self.pages(), self.missing());
        self.cursor.forward(&pages, missing, &Page::Check);
        self.open();
    }

    /// Prepares the page the cursor is on: its typing starts from the answer given before; no problem yet.
    fn open(&mut self) {
        self.problem = None;
        if let Some(Page::Question(id)) = self.cursor.page() {
            if let (None, Some((_, message))) = (self.answers.get(id), self.stale.get(id)) {
                self.problem = Some(Problem::Answer(message.clone()));
            }
        }
        self.typing = match self.cursor.page() {
            Some(Page::Question(id)) => self.form.field(id).and_then(|field| {
                let entry = entry(field)?;
                let stale = self.stale.get(id).map(|(old, _)| old.as_str());
                let answer = self.answers.get(id).map(String::as_str).or(stale).unwrap_or("");
                Some(Typing::new(self.style, entry, answer))
            }),
            Some(Page::DeliveryAddress) => Some(Typing::new(
                self.style,
                Entry::new(Keys::LettersAndDigits, Capitals::AsTyped, ADDRESS_MAX),
                &self.choices.delivery_address,
            )),
            _ => None,
        };
    }

    /// Every answer and paper of the check page, in page order.
    fn rows(&self) -> Vec<Row<'_>> {
        let pages = self.pages();
        let row = |(index, page): (usize, &Page)| {
            let answer = match page {
                Page::Question(id) => {
                    let field = self.form.field(id)?;
                    match self.answers.get(id).map(String::as_str).unwrap_or("") {
                        "" => RowAnswer::LeftEmpty { field },
                        answer => RowAnswer::Answer {
                            field,
                            vi: self.form.shown(field, answer, false),
                            en: self.form.shown(field, answer, true),
                        },
                    }
                }
                Page::Paper(id) => RowAnswer::Paper {
                    paper: self.form.documents.iter().find(|d| &d.id == id)?,
                    pages: self.scans.get(id).map_or(0, Vec::len),
                },
                Page::Delivery => RowAnswer::Delivery(self.choices.delivery.unwrap_or(Delivery::AtTheCounter)),
                Page::DeliveryAddress => RowAnswer::DeliveryAddress(&self.choices.delivery_address),
                Page::Check | Page::Consent => return None,
            };
            Some(Row { page: index, answer })
        };
        pages.iter().enumerate().filter_map(row).collect()
    }
}

/// How a question's answer is typed (`None` for a choice: tapped).
fn entry(field: &Field) -> Option<Entry> {
    Some(match field.kind {
        Kind::Name => Entry::new(Keys::Letters, Capitals::Words, field.max.unwrap_or(60)),
        Kind::Text => Entry::new(Keys::LettersAndDigits, Capitals::AsTyped, field.max.unwrap_or(100)),
        Kind::BirthDate | Kind::Date => Entry::DATE,
        Kind::Phone => Entry::new(Keys::NumberPad, Capitals::AsTyped, 13),
        Kind::Email => Entry::new(Keys::Email, Capitals::AsTyped, 254),
        Kind::PersonalNumber => Entry::new(Keys::NumberPad, Capitals::AsTyped, 12),
        Kind::Number => Entry::new(Keys::NumberPad, Capitals::AsTyped, field.max.unwrap_or(100)),
        Kind::Choice => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::ProblemKind;

    const TODAY: Date = Date { year: 2026, month: 11, day: 27 };

    /// A scanned page as the tests keep it: which scan it was.
    type Scan = u32;

    fn wizard(procedure: &str) -> Wizard<Scan> {
        let catalogue =
            crate::catalogue::parse(include_str!("../../../../assets/catalogue/procedures.toml")).expect("valid");
        let procedure = catalogue.procedures.into_iter().find(|p| p.id == procedure).expect("in the catalogue");
        let text = match procedure.id.as_str() {
            "uy-quyen-nhan-luong-huu" => include_str!("../../../../assets/forms/uy-quyen-nhan-luong-huu.toml"),
            "dang-ky-khai-sinh" => include_str!("../../../../assets/forms/dang-ky-khai-sinh.toml"),
            _ => include_str!("../../../../assets/forms/dang-ky-tam-tru.toml"),
        };
        Wizard::new(crate::forms::parse(text).expect("valid"), procedure, ToneStyle::Modern)
    }

    /// Types `keys` (Telex; ' ' is Space) and continues.
    fn answer(w: &mut Wizard<Scan>, keys: &str) {
        typing(w, keys);
        assert_eq!(w.forward(TODAY), Then::Show);
        assert_eq!(w.view().problem, None, "after {keys:?}");
    }

    fn typing(w: &mut Wizard<Scan>, keys: &str) {
        for c in keys.chars() {
            w.press(if c == ' ' { Key::Space } else { Key::Char(c) });
        }
    }

    fn question(w: &Wizard<Scan>) -> &str {
        w.view().field.map_or("", |f| f.id.as_str())
    }

    fn scan(w: &mut Wizard<Scan>, n: u32) {
        for i in 0..n {
            assert!(w.scan().is_some());
            w.scanned(vec![i]);
        }
    }

    /// A temporary-residence dossier (a new household, alone, an adult, the owner's signed agreement) answered up
    /// to its first paper, the rental agreement.
    fn to_the_rental_agreement(w: &mut Wizard<Scan>, address: &str) {
        w.forward(TODAY);
        for keys in ["hoangf vawn nam", "02091990"] {
            answer(w, keys);
        }
        w.choose("male");
        answer(w, "001090123456");
        answer(w, "0862000111");
        // The e-mail address (optional) typed as it is: no Telex on the e-mail keyboard.
        assert_eq!(question(w), "email");
        assert_eq!(w.view().keys, Keys::Email);
        answer(w, "hoang.nam.ss@gmail.com");
        assert_eq!(question(w), "household");
        w.choose("new");
        answer(w, address);
        answer(w, "31122027");
        w.choose("no");
        answer(w, "ngoo thij mai");
        answer(w, "");
        w.choose("agreement");
        assert_eq!(question(w), "minor");
        w.choose("no");
        assert_eq!(w.view().step, Step::Paper);
    }

    #[test]
    fn a_whole_pension_authorisation_is_walked_checked_and_finished() {
        let mut w = wizard("uy-quyen-nhan-luong-huu");
        assert_eq!(w.view().step, Step::Intro);
        assert_eq!(w.view().progress, Progress::default());
        w.forward(TODAY);
        assert_eq!((w.view().step, question(&w)), (Step::Question, "principal_name"));
        assert_eq!(w.view().keys, Keys::Letters);
        typing(&mut w, "nguyeenx thij hoaf");
        assert_eq!(w.view().text, "Nguyễn Thị Hòa", "capitals by themselves");
        w.forward(TODAY);
        assert_eq!(w.view().progress, Progress { at: 2, of: 21 }, "16 questions, 2 papers, delivery, check, consent");
        assert_eq!(w.view().keys, Keys::NumberPad);
        typing(&mut w, "0503");
        assert_eq!(w.view().text, "05/03", "a date shown with its slashes as it grows");
        answer(&mut w, "1948");
        assert_eq!(w.view().keys, Keys::Choice);
        w.choose("female");
        // A number whose century digit says "man": put right.
        typing(&mut w, "001048012345");
        w.forward(TODAY);
        let problem = w.view().problem.cloned();
        assert_eq!(problem, Some(Problem::Answer(Message::SexMismatch)));
        assert_eq!(question(&w), "principal_number", "not moved on");
        w.press(Key::Clear);
        assert_eq!(w.view().problem, None, "typing clears the problem");
        answer(&mut w, "001148012345");
        assert_eq!(question(&w), "principal_insurance_number");
        answer(&mut w, "");
        w.choose("pension");
        answer(&mut w, "0912345678");
        answer(&mut w, "soos 5 ngox 12 traanf thais toong");
        answer(&mut w, "traanf vawn minh");
        answer(&mut w, "20101975");
        answer(&mut w, "001075012345");
        answer(&mut w, "0987654321");
        answer(&mut w, "soos 7 phoos huees");
        assert_eq!(question(&w), "authority");
        w.choose("collect");
        // The authority starts today at the earliest.
        typing(&mut w, "26112026");
        w.forward(TODAY);
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::DateInThePast)));
        w.press(Key::Clear);
        answer(&mut w, "27112026");
        // More than 12 months after the start: refused, saying the limit and the latest end date.
        typing(&mut w, "28112027");
        w.forward(TODAY);
        let too_long = Message::DateTooFarAfter { months: 12, start: "27/11/2026".into(), latest: "27/11/2027".into() };
        assert_eq!(w.view().problem, Some(&Problem::Answer(too_long)));
        assert_eq!(question(&w), "valid_until", "not moved on");
        w.press(Key::Clear);
        answer(&mut w, "27112027");

        assert_eq!(w.view().step, Step::Paper);
        assert_eq!(w.view().paper.map(|p| (p.id.as_str(), p.card)), Some(("principal_card", true)));
        w.forward(TODAY);
        assert_eq!(w.view().problem, Some(&Problem::ScanMorePages));
        scan(&mut w, 2);
        assert_eq!(w.scan(), None, "two pages at most");
        assert_eq!(w.view().scanned, 2);
        w.forward(TODAY);
        scan(&mut w, 2);
        w.forward(TODAY);
        assert_eq!(w.view().step, Step::Delivery);
        w.choose_delivery(Delivery::AtTheCounter);

        let view = w.view();
        assert_eq!(view.step, Step::Check);
        let rows = view.rows.expect("rows");
        assert_eq!((rows.groups, rows.first.len(), rows.second.len()), (4, 3, 3), "19 rows, 6 at a time");
        assert_eq!(
            rows.first[1].answer,
            RowAnswer::Answer {
                field: w.form().field("principal_birth_date").expect("field"),
                vi: "05/03/1948".into(),
                en: "05/03/1948".into()
            }
        );
        w.turn_rows(5);
        let rows = w.view().rows.expect("rows");
        assert_eq!(rows.group, 3, "the last group");
        assert_eq!(rows.first.last().map(|r| &r.answer), Some(&RowAnswer::Delivery(Delivery::AtTheCounter)));
        assert!(w.finish("vi", TODAY).is_none(), "not before consent");
        assert_eq!(w.view().step, Step::Check, "nothing missing: the check page stays");

        // The start moved after the end from the check page: the end date is asked again, shown with why.
        let start = w
            .rows()
            .iter()
            .find(|r| matches!(r.answer, RowAnswer::Answer { field, .. } if field.id == "valid_from"))
            .map(|r| r.page)
            .expect("a start row");
        w.change(start);
        w.press(Key::Clear);
        typing(&mut w, "01122027");
        w.forward(TODAY);
        assert_eq!(question(&w), "valid_until", "the end no longer fits: asked again");
        assert_eq!(w.view().text, "27/11/2027", "the old answer is there to change");
        let before = Message::DateBeforeStart { start: "01/12/2027".into() };
        assert_eq!(w.view().problem, Some(&Problem::Answer(before)));
        w.press(Key::Clear);
        answer(&mut w, "30112028");
        assert_eq!(w.view().step, Step::Check, "straight back");
        w.change(start);
        w.press(Key::Clear);
        typing(&mut w, "27112026");
        w.forward(TODAY);
        assert_eq!(question(&w), "valid_until", "now more than 12 months after the start: asked again");
        let too_long = Message::DateTooFarAfter { months: 12, start: "27/11/2026".into(), latest: "27/11/2027".into() };
        assert_eq!(w.view().problem, Some(&Problem::Answer(too_long)));
        w.press(Key::Clear);
        answer(&mut w, "27112027");
        assert_eq!(w.view().step, Step::Check);
        w.forward(TODAY);
        assert_eq!(w.view().step, Step::Consent);
        assert_eq!(w.forward(TODAY), Then::Send);
        let done = w.finish("vi", TODAY).expect("complete");
        assert_eq!(done.form.answers.get("principal_name").map(String::as_str), Some("Nguyễn Thị Hòa"));
        assert!(!done.form.answers.contains_key("principal_insurance_number"), "left empty");
        assert_eq!(done.form.papers, vec![("principal_card".into(), 2), ("agent_card".into(), 2)]);
        assert_eq!(done.pages, vec![0, 1, 0, 1]);
        assert_eq!(done.result_date, dossier::result_date(TODAY, w.form().result_working_days));
    }

    #[test]
    fn a_conditional_question_appears_and_its_answer_goes_when_the_choice_changes() {
        let mut w = wizard("dang-ky-khai-sinh");
        w.forward(TODAY);
        answer(&mut w, "ddawngj thij lan");
        answer(&mut w, "001190123456");
        answer(&mut w, "0912000111");
        assert_eq!(question(&w), "relationship");
        let before = w.view().progress.of;
        w.choose("other");
        assert_eq!(question(&w), "relationship_other", "asked only for another relative");
        assert_eq!(w.view().progress.of, before + 1);
        answer(&mut w, "coo ruootj");
        // Back twice, choose "mother": the answer no longer asked for is dropped.
        w.back();
        w.back();
        assert_eq!(question(&w), "relationship");
        assert_eq!(w.view().selected, Some("other"));
        w.choose("mother");
        assert_eq!(question(&w), "child_name");
        assert_eq!(w.view().progress.of, before);
        w.back();
        w.choose("other");
        assert_eq!(w.view().text, "", "the dropped answer is gone");
    }

    #[test]
    fn changing_from_the_check_page_comes_straight_back_and_back_returns_too() {
        let mut w = wizard("dang-ky-tam-tru");
        to_the_rental_agreement(&mut w, "phongf 302 soos 15 ngox 80 chuaf lang");
        scan(&mut w, 2);
        // "Scan the last page again": the last page replaced, not added.
        w.drop_last_page();
        scan(&mut w, 1);
        assert_eq!(w.view().scanned, 2);
        assert_eq!(w.view().previews, &[0, 0]);
        w.forward(TODAY);
        scan(&mut w, 2);
        w.forward(TODAY);
        w.choose_delivery(Delivery::ByPost);
        assert_eq!(w.view().step, Step::DeliveryAddress);
        w.forward(TODAY);
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::StreetEmpty)));
        answer(&mut w, "soos 9 ngox 4 kim max");
        assert_eq!(w.view().step, Step::Check);

        let phone_row =
            w.rows().iter().position(|r| matches!(r.answer, RowAnswer::Answer { field, .. } if field.id == "phone"));
        let page = w.rows()[phone_row.expect("a phone row")].page;
        w.change(page);
        assert_eq!(w.view().text, "0862000111", "the answer is there to change");
        w.press(Key::Delete);
        answer(&mut w, "9");
        assert_eq!(w.view().step, Step::Check, "straight back");
        w.change(page);
        assert_eq!(w.back(), Then::Show);
        assert_eq!(w.view().step, Step::Check, "Back after Change returns to the check page");
        // Changing the delivery to the counter: the address page goes, straight back.
        let delivery = w.rows().iter().find(|r| matches!(r.answer, RowAnswer::Delivery(_))).map(|r| r.page);
        w.change(delivery.expect("a delivery row"));
        w.choose_delivery(Delivery::AtTheCounter);
        assert_eq!(w.view().step, Step::Check);
        w.forward(TODAY);
        w.forward(TODAY);
        let done = w.finish("en", TODAY).expect("complete");
        assert_eq!(done.form.answers.get("phone").map(String::as_str), Some("0862000119"));
        assert_eq!(done.form.delivery_address, None);
        assert_eq!(done.pages.len(), 4);
    }

    #[test]
    fn nothing_moves_while_scanning_and_a_failed_scan_says_what_to_do() {
        let mut w = wizard("dang-ky-tam-tru");
        to_the_rental_agreement(&mut w, "phongf 302");
        assert_eq!(w.scan(), Some(false), "a page, not a card");
        assert!(w.view().scanning);
        assert_eq!(w.scan(), None, "one scan at a time");
        assert_eq!(w.back(), Then::Show);
        assert_eq!(w.forward(TODAY), Then::Show);
        assert_eq!(w.view().step, Step::Paper, "the pages being scanned belong to this paper");
        w.scan_failed(ScanFailure::LidOpen);
        assert_eq!(w.view().problem, Some(&Problem::Scan(ScanFailure::LidOpen)));
        assert!(!w.view().scanning);
        assert_eq!(w.scan(), Some(false), "scan again");
        assert_eq!(w.view().problem, None);
    }

    #[test]
    fn validation_problems_are_kinds_and_back_from_the_introduction_leaves() {
        let mut w = wizard("dang-ky-tam-tru");
        assert_eq!(w.back(), Then::Leave);
        w.forward(TODAY);
        w.forward(TODAY);
        assert_eq!(w.view().problem, Some(&Problem::Answer(Message::AnswerNeeded)));
        answer(&mut w, "hoangf vawn nam");
        typing(&mut w, "31022000");
        w.forward(TODAY);
        assert_eq!(
            w.view().problem,
            Some(&Problem::Answer(Message::NoSuchDay { day: 31, month: 2, year: 2000 })),
            "a date that does not exist"
        );
        let kind = crate::forms::parse(include_str!("../../../../assets/forms/dang-ky-tam-tru.toml"))
            .map(|f| f.check_answer(f.field("name").expect("field"), "A", &Answers::new(), TODAY).map_err(|p| p.kind));
        assert_eq!(kind, Ok(Err(ProblemKind::TooShort)));
        w.back();
        w.back();
        assert_eq!(w.view().step, Step::Intro);
        assert_eq!(w.back(), Then::Leave);
    }
}
