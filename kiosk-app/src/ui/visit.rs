//! The home-visit pages: the answers kept on the UI thread (dropped on start over), the page order from
//! kiosk-core::visit, the keyboard composing through kiosk-core::keyboard, and validation from kiosk-core.
//! Saving happens elsewhere: [`on_visit_send`] hands the finished request over, and the shell answers with
//! [`show_visit_saved`], [`show_visit_delivered`], [`show_visit_undelivered`] or [`show_visit_failed`].

use std::cell::RefCell;

use kiosk_core::config::Language;
use kiosk_core::keyboard::{Capitals, Composer, Key, Pressed};
use kiosk_core::validate::{self, Problem};
use kiosk_core::visit::{self, Answers, Need, Question, VisitRequest, When};
use kiosk_core::wards::Wards;
use slint::{ComponentHandle, Model as _};

use super::{current_language, model, AppWindow, Kiosk, NeedChoice, PrintState, VisitStep, WardRow};

/// What the visit pages keep between taps. Dropped whole on start over.
#[derive(Default)]
struct VisitState {
    answers: Answers,
    /// The page's typing (an answer, or the ward search).
    composer: Option<Composer>,
    /// Came from the check page: after this answer, back to it.
    changing: bool,
}

thread_local! {
    static VISIT: RefCell<VisitState> = RefCell::new(VisitState::default());
    /// The kiosk's own ward (offered first), fixed when the window is built.
    static OWN_WARD: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Wards listed at once on the ward page.
const WARDS_SHOWN: usize = 4;

fn step_of(question: Question) -> VisitStep {
    match question {
        Question::ForWhom => VisitStep::ForWhom,
        Question::Name => VisitStep::Name,
        Question::Requester => VisitStep::Requester,
        Question::Phone => VisitStep::Phone,
        Question::Ward => VisitStep::Ward,
        Question::Street => VisitStep::Street,
        Question::Need => VisitStep::Need,
        Question::When => VisitStep::When,
    }
}

fn question_of(step: VisitStep) -> Option<Question> {
    Some(match step {
        VisitStep::ForWhom => Question::ForWhom,
        VisitStep::Name => Question::Name,
        VisitStep::Requester => Question::Requester,
        VisitStep::Phone => Question::Phone,
        VisitStep::Ward => Question::Ward,
        VisitStep::Street => Question::Street,
        VisitStep::Need => Question::Need,
        VisitStep::When => Question::When,
        _ => return None,
    })
}

/// Called once when the window is built.
pub(super) fn install(ui: &AppWindow, kiosk_ward: &str) {
    let home = kiosk_core::search::fold(kiosk_ward);
    let own =
        Wards::hanoi().ward.iter().find(|w| kiosk_core::search::fold(&w.full_name) == home).map(|w| w.code.clone());
    OWN_WARD.with(|w| *w.borrow_mut() = own);
    let kiosk = ui.global::<Kiosk>();
    let weak = ui.as_weak();
    kiosk.on_visit_continue(move || {
        if let Some(ui) = weak.upgrade() {
            next(&ui);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_visit_back(move || {
        if let Some(ui) = weak.upgrade() {
            back(&ui);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_visit_go(move |step| {
        if let Some(ui) = weak.upgrade() {
            if let Some(question) = question_of(step) {
                VISIT.with(|v| v.borrow_mut().changing = true);
                go(&ui, Some(question));
            }
        }
    });
    let weak = ui.as_weak();
    kiosk.on_visit_key(move |key| {
        if let Some(ui) = weak.upgrade() {
            type_key(&ui, &key);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_visit_choose(move |value| {
        if let Some(ui) = weak.upgrade() {
            choose(&ui, &value);
        }
    });
}

/// The catalogue's procedures the mobile team does at home, for the "what needs doing" page.
pub(super) fn set_needs(ui: &AppWindow, lookup: &crate::lookup::Lookup) {
    let needs: Vec<NeedChoice> = lookup
        .catalogue
        .procedures
        .iter()
        .filter(|p| p.home_visit)
        .map(|p| NeedChoice {
            id: p.id.as_str().into(),
            code: p.code.as_str().into(),
            name_vi: p.name_vi.as_str().into(),
            name_en: p.name_en.as_str().into(),
        })
        .collect();
    ui.global::<Kiosk>().set_visit_needs(model(needs));
}

/// Forgets every answer and shows the introduction (opening the screen, start over, idle timeout).
pub fn reset(ui: &AppWindow) {
    VISIT.with(|v| *v.borrow_mut() = VisitState::default());
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_step(VisitStep::Intro);
    kiosk.set_visit_question(0);
    kiosk.set_visit_text("".into());
    kiosk.set_visit_wards(model(Vec::new()));
    kiosk.set_visit_reference("".into());
    kiosk.set_visit_code("".into());
    kiosk.set_visit_waiting(false);
    kiosk.set_visit_signature(false);
    kiosk.set_visit_print(PrintState::Idle);
    set_problem(ui, None);
    show_answers(ui, &Answers::default());
}

fn set_problem(ui: &AppWindow, problem: Option<&Problem>) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_problem_vi(problem.map_or("", |p| p.vi.as_str()).into());
    kiosk.set_visit_problem_en(problem.map_or("", |p| p.en.as_str()).into());
}

fn hint(vi: &str, en: &str) -> Problem {
    Problem { kind: validate::ProblemKind::Empty, vi: vi.into(), en: en.into() }
}

/// Groups a phone number's digits for reading: 0912 345 678, 024 3825 1234.
pub fn phone_for_reading(digits: &str) -> String {
    let cut: &[usize] = if digits.starts_with("02") { &[3, 7] } else { &[4, 7] };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if cut.contains(&i) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn show_answers(ui: &AppWindow, answers: &Answers) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_answered(answers.for_relative.is_some());
    kiosk.set_visit_for_relative(answers.for_relative == Some(true));
    kiosk.set_visit_name(answers.name.as_str().into());
    kiosk.set_visit_requester(answers.requester.as_str().into());
    kiosk.set_visit_phone(answers.phone.as_ref().map(|p| phone_for_reading(p.digits())).unwrap_or_default().into());
    let ward = answers.ward.as_deref().and_then(|code| Wards::hanoi().by_code(code));
    kiosk.set_visit_ward(ward.map(|w| w.full_name.as_str()).unwrap_or_default().into());
    kiosk.set_visit_ward_code(answers.ward.as_deref().unwrap_or_default().into());
    kiosk.set_visit_street(answers.street.as_str().into());
    let (id, vi, en) = match &answers.need {
        Some(Need::Procedure { id, name_vi, name_en, .. }) => (id.as_str(), name_vi.as_str(), name_en.as_str()),
        Some(Need::Other) => {
            ("other", "Việc khác (tổ hỗ trợ sẽ hỏi qua điện thoại)", "Something else (the team will ask)")
        }
        None => ("", "", ""),
    };
    kiosk.set_visit_need_id(id.into());
    kiosk.set_visit_need_vi(vi.into());
    kiosk.set_visit_need_en(en.into());
    kiosk.set_visit_when(match answers.when {
        None => -1,
        Some(When::AnyTime) => 0,
        Some(When::Morning) => 1,
        Some(When::Afternoon) => 2,
    });
}

/// Shows `question`'s page (None: the check page), with its answer so far ready to change.
fn go(ui: &AppWindow, question: Option<Question>) {
    let kiosk = ui.global::<Kiosk>();
    set_problem(ui, None);
    let style = super::tone_style();
    VISIT.with(|v| {
        let mut v = v.borrow_mut();
        let (position, total) = question.map_or((0, 0), |q| v.answers.progress(q));
        kiosk.set_visit_question(position as i32);
        kiosk.set_visit_questions(total as i32);
        let composer = match question {
            Some(Question::Name) => Some(Composer::with_text(style, Capitals::Words, visit::NAME_MAX, &v.answers.name)),
            Some(Question::Requester) => {
                Some(Composer::with_text(style, Capitals::Words, visit::NAME_MAX, &v.answers.requester))
            }
            Some(Question::Phone) => Some(Composer::with_text(
                style,
                Capitals::AsTyped,
                13,
                v.answers.phone.as_ref().map_or("", |p| p.digits()),
            )),
            Some(Question::Street) => {
                Some(Composer::with_text(style, Capitals::AsTyped, visit::STREET_MAX, &v.answers.street))
            }
            Some(Question::Ward) => Some(Composer::new(style, Capitals::AsTyped, 40)),
            _ => None,
        };
        kiosk.set_visit_text(composer.as_ref().map(Composer::text).unwrap_or_default().into());
        v.composer = composer;
    });
    if question == Some(Question::Ward) {
        show_wards(ui, "");
    }
    kiosk.set_visit_step(question.map_or(VisitStep::Check, step_of));
}

/// The wards matching `typed` (with nothing typed: the kiosk's own ward first, then the list).
fn show_wards(ui: &AppWindow, typed: &str) {
    let wards = Wards::hanoi();
    let mut found = wards.search(typed);
    if typed.trim().is_empty() {
        if let Some(own) = OWN_WARD.with(|w| w.borrow().clone()).and_then(|code| wards.by_code(&code)) {
            found.retain(|w| w.code != own.code);
            found.insert(0, own);
        }
    }
    let rows: Vec<WardRow> = found
        .into_iter()
        .take(WARDS_SHOWN)
        .map(|w| WardRow { code: w.code.as_str().into(), name: w.full_name.as_str().into() })
        .collect();
    if rows.is_empty() {
        set_problem(
            ui,
            Some(&hint(
                "Không có phường, xã nào của Hà Nội có tên này. Hãy xoá bớt chữ và thử lại.",
                "No ward or commune in Hanoi has this name. Delete a few letters and try again.",
            )),
        );
    }
    ui.global::<Kiosk>().set_visit_wards(model(rows));
}

fn current_question(ui: &AppWindow) -> Option<Question> {
    question_of(ui.global::<Kiosk>().get_visit_step())
}

/// After answering `question`: the next question, or the check page (straight back to it after a change,
/// unless the change made a new question appear).
fn advance(ui: &AppWindow, question: Question) {
    let target = VISIT.with(|v| {
        let v = v.borrow();
        if v.changing {
            v.answers.first_unanswered()
        } else {
            v.answers.after(question)
        }
    });
    VISIT.with(|v| v.borrow_mut().changing &= target.is_some());
    let answers = VISIT.with(|v| v.borrow().answers.clone());
    show_answers(ui, &answers);
    go(ui, target);
}

fn next(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    match kiosk.get_visit_step() {
        VisitStep::Intro => go(ui, Some(Question::ForWhom)),
        VisitStep::Check => kiosk.invoke_visit_send(),
        step => {
            let Some(question) = question_of(step) else { return };
            let typed = VISIT.with(|v| v.borrow().composer.as_ref().map(Composer::text).unwrap_or_default());
            let checked: Result<(), Problem> = VISIT.with(|v| {
                let mut v = v.borrow_mut();
                let answers = &mut v.answers;
                match question {
                    Question::Name => validate::name(&typed, visit::NAME_MAX).map(|name| answers.name = name),
                    Question::Requester => validate::name(&typed, visit::NAME_MAX).map(|name| answers.requester = name),
                    Question::Phone => validate::phone(&typed).map(|phone| answers.phone = Some(phone)),
                    Question::Street => visit::street(&typed).map(|street| answers.street = street),
                    // Choices are answered by tapping one.
                    _ if answers.answered(question) => Ok(()),
                    _ => Err(hint("Hãy chọn một câu trả lời.", "Please choose one answer.")),
                }
            });
            match checked {
                Ok(()) => advance(ui, question),
                Err(problem) => {
                    tracing::info!(?question, problem = ?problem.kind, "an answer needs putting right");
                    set_problem(ui, Some(&problem));
                }
            }
        }
    }
}

fn back(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    match kiosk.get_visit_step() {
        VisitStep::Intro => kiosk.invoke_open(super::Screen::Home),
        VisitStep::Check => go(ui, Some(Question::When)),
        step => {
            let Some(question) = question_of(step) else { return };
            let (changing, before) = VISIT.with(|v| {
                let v = v.borrow();
                (v.changing && v.answers.first_unanswered().is_none(), v.answers.before(question))
            });
            if changing {
                VISIT.with(|v| v.borrow_mut().changing = false);
                go(ui, None);
            } else if let Some(before) = before {
                go(ui, Some(before));
            } else {
                set_problem(ui, None);
                kiosk.set_visit_question(0);
                kiosk.set_visit_step(VisitStep::Intro);
            }
        }
    }
}

fn type_key(ui: &AppWindow, key: &str) {
    let Some(question) = current_question(ui) else { return };
    let Some(key) = Key::from_name(key) else { return };
    if question == Question::Phone && matches!(key, Key::Char(c) if !c.is_ascii_digit()) {
        return;
    }
    let (pressed, text) = VISIT
        .with(|v| {
            let mut v = v.borrow_mut();
            let composer = v.composer.as_mut()?;
            let pressed = composer.press(key);
            Some((pressed, composer.text()))
        })
        .unwrap_or((Pressed::Ignored, String::new()));
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_text(text.as_str().into());
    match pressed {
        Pressed::NoVowel | Pressed::Full => {
            let (vi, en) = pressed.hint().unwrap_or_default();
            set_problem(ui, Some(&hint(vi, en)));
        }
        Pressed::Changed => {
            set_problem(ui, None);
            if question == Question::Ward {
                show_wards(ui, &text);
            }
        }
        Pressed::Ignored => {}
    }
}

fn choose(ui: &AppWindow, value: &str) {
    let Some(question) = current_question(ui) else { return };
    let kiosk = ui.global::<Kiosk>();
    let need = |id: &str| -> Option<Need> {
        if id == "other" {
            return Some(Need::Other);
        }
        let needs = kiosk.get_visit_needs();
        let row = needs.iter().find(|n| n.id == id)?;
        Some(Need::Procedure {
            id: row.id.to_string(),
            code: row.code.to_string(),
            name_vi: row.name_vi.to_string(),
            name_en: row.name_en.to_string(),
        })
    };
    let chosen = VISIT.with(|v| {
        let mut v = v.borrow_mut();
        let answers = &mut v.answers;
        match (question, value) {
            (Question::ForWhom, "me") => {
                answers.for_relative = Some(false);
                answers.requester.clear();
            }
            (Question::ForWhom, "relative") => answers.for_relative = Some(true),
            (Question::Ward, code) if Wards::hanoi().by_code(code).is_some() => answers.ward = Some(code.to_owned()),
            (Question::Need, id) => match need(id) {
                Some(need) => answers.need = Some(need),
                None => return false,
            },
            (Question::When, "0") => answers.when = Some(When::AnyTime),
            (Question::When, "1") => answers.when = Some(When::Morning),
            (Question::When, "2") => answers.when = Some(When::Afternoon),
            _ => return false,
        }
        true
    });
    if chosen {
        advance(ui, question);
    }
}

/// What "Send the request" does: `send` gets the finished request and the slip's details, and must save it off
/// the UI thread, answering with [`show_visit_saved`] (then delivered or not) or [`show_visit_failed`].
pub fn on_visit_send(ui: &AppWindow, send: impl Fn(VisitRequest, crate::visit::Confirmation, Language) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_visit_send(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_visit_step() == VisitStep::Sending {
            return;
        }
        let language = current_language(&ui).unwrap_or(Language::Vietnamese);
        let answers = VISIT.with(|v| v.borrow().answers.clone());
        let Some(request) = answers.request(language.code()) else {
            go(&ui, answers.first_unanswered());
            return;
        };
        let (need_vi, need_en, signature) = match &answers.need {
            Some(Need::Procedure { code, name_vi, name_en, .. }) => {
                (name_vi.clone(), name_en.clone(), code == "2.000884")
            }
            _ => ("Việc khác".to_owned(), "Something else".to_owned(), false),
        };
        let confirmation = crate::visit::Confirmation {
            reference: String::new(),
            code: None,
            ward: request.ward_name.clone(),
            need_vi,
            need_en,
            when: request.when,
            phone_tail: request.phone.chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect(),
            signature,
        };
        kiosk.set_visit_signature(signature);
        kiosk.set_visit_step(VisitStep::Sending);
        kiosk.set_visit_question(0);
        send(request, confirmation, language);
    });
}

/// The request is in the outbox (`reference` is its short id); the kiosk now tries to deliver it.
pub fn show_visit_saved(ui: &AppWindow, reference: &str) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_reference(reference.into());
    kiosk.set_visit_code("".into());
    kiosk.set_visit_waiting(true);
    kiosk.set_visit_step(VisitStep::Saved);
}

/// True when the screen still shows the request `reference` (the resident may have left and another begun).
fn showing(ui: &AppWindow, reference: &str) -> bool {
    let kiosk = ui.global::<Kiosk>();
    kiosk.get_visit_step() == VisitStep::Saved && kiosk.get_visit_reference() == reference
}

/// The portal acknowledged the request `reference` with `code`.
pub fn show_visit_delivered(ui: &AppWindow, reference: &str, code: &str) {
    if !showing(ui, reference) {
        return;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_code(code.into());
    kiosk.set_visit_waiting(false);
    kiosk.set_visit_print(PrintState::Printing);
}

/// The portal could not be reached in time: the request `reference` waits in the outbox.
pub fn show_visit_undelivered(ui: &AppWindow, reference: &str) {
    if !showing(ui, reference) {
        return;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_waiting(false);
    kiosk.set_visit_print(PrintState::Printing);
}

/// Saving failed (the disk is full or broken): nothing was sent; the answers stay for another try.
pub fn show_visit_failed(ui: &AppWindow) {
    ui.global::<Kiosk>().set_visit_step(VisitStep::Failed);
}

/// The confirmation slip's print finished (or failed: the code stays on screen).
pub fn show_visit_printed(ui: &AppWindow, reference: &str, printed: &crate::devices::Printed) {
    if !showing(ui, reference) {
        return;
    }
    ui.global::<Kiosk>().set_visit_print(if printed.outcome.is_ok() {
        PrintState::Printed
    } else {
        PrintState::Failed
    });
}

/// True when no answer is held (for tests of the wipe).
pub fn is_empty() -> bool {
    VISIT.with(|v| {
        let v = v.borrow();
        v.answers == Answers::default() && v.composer.as_ref().is_none_or(Composer::is_empty)
    })
}

/// Goes through every home-visit page with sample answers (for the walkthrough's pictures), calling `save`
/// with a name for each page. The saved pages show a sample reference and code, not a real request.
pub fn walk(ui: &AppWindow, save: &mut dyn FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let kiosk = ui.global::<Kiosk>();
    let typing = |keys: &str| {
        for c in keys.chars() {
            kiosk.invoke_visit_key(if c == ' ' { "space".into() } else { c.to_string().into() });
        }
    };
    kiosk.invoke_open(super::Screen::Visit);
    save("visit-intro")?;
    kiosk.invoke_visit_continue();
    save("visit-for-whom")?;
    kiosk.invoke_visit_choose("relative".into());
    typing("nguyeenx thij hoaf");
    save("visit-name")?;
    kiosk.invoke_visit_continue();
    typing("traanf vawn minh");
    kiosk.invoke_visit_continue();
    typing("0168123456");
    kiosk.invoke_visit_continue();
    save("visit-phone-problem")?;
    kiosk.invoke_visit_key("clear".into());
    typing("0912345678");
    kiosk.invoke_visit_continue();
    typing("cau giay");
    save("visit-ward")?;
    kiosk.invoke_visit_choose("00167".into());
    typing("soos 5 ngox 12 traanf thais toong");
    save("visit-street")?;
    kiosk.invoke_visit_continue();
    save("visit-need")?;
    let first_need = kiosk.get_visit_needs().row_data(0).map(|n| n.id.to_string()).unwrap_or_else(|| "other".into());
    kiosk.invoke_visit_choose(first_need.into());
    save("visit-when")?;
    kiosk.invoke_visit_choose("1".into());
    save("visit-check")?;
    kiosk.set_visit_signature(true);
    show_visit_saved(ui, "3FA2-91C0");
    show_visit_undelivered(ui, "3FA2-91C0");
    kiosk.set_visit_print(PrintState::Printed);
    save("visit-saved-away")?;
    show_visit_delivered(ui, "3FA2-91C0", "SIM-261129-000001");
    kiosk.set_visit_print(PrintState::Printed);
    save("visit-saved")?;
    super::start_over(ui);
    Ok(())
}
