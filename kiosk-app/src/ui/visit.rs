//! The home-visit screen: shows kiosk-core's home-visit wizard (`wizard::visit`) in the `Kiosk` global and hands
//! the UI's taps to it. The wizard (answers, the text being typed) is held by the window, in `Kiosk.visit-held`,
//! and dropped whole on start over. Saving happens elsewhere: [`on_visit_send`] hands the finished request over,
//! and the shell answers through [`SENT`] (saved, then delivered or not, then printed; or failed).
//!
//! Must not do: decide (question order and checks are kiosk-core's) or word anything (the .slint files do).

use kiosk_core::config::Language;
use kiosk_core::keyboard::Key;
use kiosk_core::visit::{Answers, Need, Question, VisitRequest, When};
use kiosk_core::wards::Wards;
use kiosk_core::wizard::visit::{Choice, Page, Wizard};
use kiosk_core::wizard::{Keys, Then};
use slint::{ComponentHandle, Model as _};

use super::dossier::{problem_shown, Held};
use super::sent::Flow;
use super::{current_language, model, AnswerKeys, AppWindow, Kiosk, NeedChoice, VisitStep, VisitWhen, WardRow};

pub use kiosk_core::visit::phone_for_reading;

/// The home-visit screen's state: what a new request starts from, and the request being answered.
#[derive(Default)]
struct State {
    /// The kiosk's own ward (offered first), by GSO code.
    own_ward: Option<String>,
    /// The catalogue's procedures the mobile team does at home.
    needs: Vec<Need>,
    wizard: Option<Wizard>,
}

fn held(ui: &AppWindow) -> Held<State> {
    let kiosk = ui.global::<Kiosk>();
    Held::of(kiosk.get_visit_held(), |model| kiosk.set_visit_held(model))
}

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
    let held = held(ui);
    held.borrow_mut().own_ward = kiosk_core::visit::ward_named(kiosk_ward);
    on!(ui, held;
        on_visit_continue() => forward(&ui, held);
        on_visit_back() => back(&ui, held);
        on_visit_go(step) => {
            if let Some(question) = question_of(step) {
                tap(&ui, held, |w| w.change(question));
            }
        };
        on_visit_key(key) => {
            if let Some(key) = Key::from_name(&key) {
                tap(&ui, held, |w| w.press(key));
            }
        };
        on_visit_choose_for_relative(relative) => {
            tap(&ui, held, |w| w.choose(if relative { Choice::Relative } else { Choice::Me }))
        };
        on_visit_choose_ward(code) => tap(&ui, held, |w| w.choose(Choice::Ward(code.into())));
        on_visit_choose_need(id) => tap(&ui, held, |w| w.choose(Choice::Need(id.into())));
        on_visit_choose_when(when) => {
            let when = match when {
                VisitWhen::AnyTime => When::AnyTime,
                VisitWhen::Morning => When::Morning,
                VisitWhen::Afternoon => When::Afternoon,
                VisitWhen::Unanswered => return,
            };
            tap(&ui, held, |w| w.choose(Choice::When(when)));
        };
    );
}

/// The catalogue's procedures the mobile team does at home, in reading order of `language`, for the "what needs
/// doing" page.
pub(super) fn set_needs(ui: &AppWindow, lookup: &crate::lookup::Lookup, language: Language) {
    let mut procedures: Vec<&kiosk_core::catalogue::Procedure> =
        lookup.catalogue.procedures.iter().filter(|p| p.home_visit).collect();
    kiosk_core::catalogue::sort_for_reading(&mut procedures, language, |p| p);
    let needs: Vec<Need> = procedures
        .into_iter()
        .map(|p| Need::Procedure {
            id: p.id.clone(),
            code: p.code.clone(),
            name_vi: p.name_vi.clone(),
            name_en: p.name_en.clone(),
        })
        .collect();
    let choices: Vec<NeedChoice> = needs
        .iter()
        .filter_map(|need| match need {
            Need::Procedure { id, code, name_vi, name_en } => Some(NeedChoice {
                id: id.as_str().into(),
                code: code.as_str().into(),
                name_vi: name_vi.as_str().into(),
                name_en: name_en.as_str().into(),
            }),
            Need::Other => None,
        })
        .collect();
    held(ui).borrow_mut().needs = needs;
    ui.global::<Kiosk>().set_visit_needs(model(choices));
}

/// Forgets every answer and shows the introduction (opening the screen, start over, idle timeout).
pub fn reset(ui: &AppWindow) {
    held(ui).borrow_mut().wizard = None;
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_step(VisitStep::Intro);
    kiosk.set_visit_question(0);
    kiosk.set_visit_text("".into());
    kiosk.set_visit_wards(model(Vec::new()));
    SENT.clear(ui);
    kiosk.set_visit_signature(false);
    kiosk.set_visit_problem(problem_shown(None));
    show_answers(&kiosk, &Answers::default());
}

/// A tap for the request being answered (a new one from the introduction), then its view on screen; what the
/// tap answered.
fn tap<R>(ui: &AppWindow, held: &Held<State>, tap: impl FnOnce(&mut Wizard) -> R) -> R {
    let mut state = held.borrow_mut();
    let State { own_ward, needs, wizard } = &mut *state;
    let wizard = wizard.get_or_insert_with(|| Wizard::new(super::tone_style(), own_ward.clone(), needs.clone()));
    let answer = tap(wizard);
    show(ui, wizard);
    answer
}

fn forward(ui: &AppWindow, held: &Held<State>) {
    if tap(ui, held, Wizard::forward) == Then::Send {
        ui.global::<Kiosk>().invoke_visit_send();
    }
}

fn back(ui: &AppWindow, held: &Held<State>) {
    let kiosk = ui.global::<Kiosk>();
    if kiosk.get_visit_step() == VisitStep::Intro {
        return kiosk.invoke_open(super::Screen::Home);
    }
    tap(ui, held, Wizard::back);
}

/// Shows the wizard's view: the page, progress, what is typed, what to put right, the wards found, the answers.
fn show(ui: &AppWindow, wizard: &Wizard) {
    let view = wizard.view();
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_visit_question(view.progress.at as i32);
    kiosk.set_visit_questions(view.progress.of as i32);
    kiosk.set_visit_text(view.text.as_str().into());
    kiosk.set_visit_keys(match view.keys {
        Keys::Letters | Keys::Choice => AnswerKeys::Letters,
        Keys::LettersAndDigits => AnswerKeys::LettersAndDigits,
        Keys::Email => AnswerKeys::Email,
        Keys::NumberPad => AnswerKeys::NumberPad,
    });
    kiosk.set_visit_problem(problem_shown(view.problem));
    let wards = view.wards.iter().map(|w| WardRow { code: w.code.as_str().into(), name: w.full_name.as_str().into() });
    kiosk.set_visit_wards(model(wards.collect()));
    show_answers(&kiosk, view.answers);
    kiosk.set_visit_step(match view.page {
        None => VisitStep::Intro,
        Some(Page::Question(question)) => step_of(question),
        Some(Page::Check) => VisitStep::Check,
    });
}

/// The answers so far, as the check page shows them.
fn show_answers(kiosk: &Kiosk<'_>, answers: &Answers) {
    kiosk.set_visit_answered(answers.for_relative.is_some());
    kiosk.set_visit_for_relative(answers.for_relative == Some(true));
    kiosk.set_visit_name(answers.name.as_str().into());
    kiosk.set_visit_requester(answers.requester.as_str().into());
    kiosk.set_visit_phone(answers.phone.as_ref().map(|p| phone_for_reading(p.digits())).unwrap_or_default().into());
    let ward = answers.ward.as_deref().and_then(|code| Wards::hanoi().by_code(code));
    kiosk.set_visit_ward(ward.map(|w| w.full_name.as_str()).unwrap_or_default().into());
    kiosk.set_visit_ward_code(answers.ward.as_deref().unwrap_or_default().into());
    kiosk.set_visit_street(answers.street.as_str().into());
    // "Something else" is worded by the screen.
    let (id, vi, en) = match &answers.need {
        Some(Need::Procedure { id, name_vi, name_en, .. }) => (id.as_str(), name_vi.as_str(), name_en.as_str()),
        Some(Need::Other) => ("other", "", ""),
        None => ("", "", ""),
    };
    kiosk.set_visit_need_id(id.into());
    kiosk.set_visit_need_vi(vi.into());
    kiosk.set_visit_need_en(en.into());
    kiosk.set_visit_when(match answers.when {
        None => VisitWhen::Unanswered,
        Some(When::AnyTime) => VisitWhen::AnyTime,
        Some(When::Morning) => VisitWhen::Morning,
        Some(When::Afternoon) => VisitWhen::Afternoon,
    });
}

/// What "Send the request" does: `send` gets the finished request and the slip's details, and must save it off
/// the UI thread, answering through [`SENT`].
pub fn on_visit_send(ui: &AppWindow, send: impl Fn(VisitRequest, crate::visit::Confirmation, Language) + 'static) {
    let wire = |kiosk: &Kiosk, handler| kiosk.on_visit_send(handler);
    super::on_unless_busy(
        ui,
        wire,
        |kiosk| kiosk.get_visit_step() == VisitStep::Sending,
        move |ui, kiosk| {
            let language = current_language(ui).unwrap_or(Language::Vietnamese);
            // Something unanswered: the wizard opens its question (then straight back to the check page).
            let Some(done) = tap(ui, &held(ui), |w| w.finish(language.code())) else { return };
            let confirmation = crate::visit::Confirmation {
                reference: String::new(),
                code: None,
                ward: done.request.ward_name.clone(),
                need_vi: done.need_vi,
                need_en: done.need_en,
                when: done.request.when,
                phone_tail: done.phone_tail,
                signature: done.signature,
            };
            kiosk.set_visit_signature(done.signature);
            kiosk.set_visit_step(VisitStep::Sending);
            kiosk.set_visit_question(0);
            send(done.request, confirmation, language);
        },
    );
}

/// The request's page after saving.
pub const SENT: Flow = Flow {
    get: |kiosk| kiosk.get_visit_sent(),
    set: |kiosk, sent| kiosk.set_visit_sent(sent),
    on_saved_page: |kiosk| kiosk.get_visit_step() == VisitStep::Saved,
    show_saved: |ui| ui.global::<Kiosk>().set_visit_step(VisitStep::Saved),
    show_failed: |ui| ui.global::<Kiosk>().set_visit_step(VisitStep::Failed),
    charges_fees: false,
};

/// True when the window holds no answer (for tests of the wipe).
pub fn is_empty(ui: &AppWindow) -> bool {
    held(ui).borrow_mut().wizard.as_ref().is_none_or(Wizard::is_empty)
}

/// Goes through every home-visit page with sample answers (for the walkthrough's pictures), calling `save`
/// with a name for each page. The saved pages show a sample reference and code, not a real request.
pub fn walk(ui: &AppWindow, save: &mut dyn FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let kiosk = ui.global::<Kiosk>();
    let typing = |keys: &str| super::type_keys(keys, |key| kiosk.invoke_visit_key(key));
    kiosk.invoke_open(super::Screen::Visit);
    save("visit-intro")?;
    kiosk.invoke_visit_continue();
    save("visit-for-whom")?;
    kiosk.invoke_visit_choose_for_relative(true);
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
    kiosk.invoke_visit_choose_ward("00167".into());
    typing("soos 5 ngox 12 traanf thais toong");
    save("visit-street")?;
    kiosk.invoke_visit_continue();
    save("visit-need")?;
    let first_need = kiosk.get_visit_needs().row_data(0).map(|n| n.id.to_string()).unwrap_or_else(|| "other".into());
    kiosk.invoke_visit_choose_need(first_need.into());
    save("visit-when")?;
    kiosk.invoke_visit_choose_when(VisitWhen::Morning);
    save("visit-check")?;
    kiosk.set_visit_signature(true);
    SENT.saved(ui, "3FA2-91C0");
    SENT.undelivered(ui, "3FA2-91C0");
    SENT.printed(ui, "3FA2-91C0", true);
    save("visit-saved-away")?;
    SENT.delivered(ui, "3FA2-91C0", "SIM-261129-000001", None);
    SENT.printed(ui, "3FA2-91C0", true);
    save("visit-saved")?;
    super::start_over(ui);
    Ok(())
}
