//! The dossier screen: shows kiosk-core's dossier wizard (`wizard::dossier`) in the `Kiosk` global and hands the
//! UI's taps to it. The wizard (form, answers, scanned pages, choices) is held by the window, in
//! `Kiosk.dossier-held`, and dropped whole when the resident leaves or once the dossier is saved. Scanned pages
//! exist only in memory until the dossier is sent (then sealed in the outbox): the compressed JPEG, and a
//! thumbnail the size it is shown. Scanning, saving and printing happen elsewhere: the shell answers with
//! [`show_scanned`] and through [`SENT`] (saved, then delivered or not, then printed; or failed).
//!
//! Must not do: decide (page order and checks are kiosk-core's) or word anything (the .slint files do).

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_core::catalogue::Procedure;
use kiosk_core::config::Language;
use kiosk_core::dossier::{Delivery, DossierForm};
use kiosk_core::forms::Form;
use kiosk_core::keyboard::Key;
use kiosk_core::validate::Message;
use kiosk_core::wizard::dossier::{self as wizard, Row, RowAnswer, Step, View, Wizard};
use kiosk_core::wizard::{Keys, ScanFailure, Then};
use kiosk_drivers::printer::document::Document;
use kiosk_drivers::scanner::pipeline;
use slint::{ComponentHandle, Model, ModelRc};

use super::sent::Flow;
use super::{
    current_language, model, AnswerKeys, AppWindow, DossierChoice, DossierDelivery, DossierRow, DossierRowKind,
    DossierStep, Kiosk, PrintState, Problem, ProblemShown, ProcedureRow,
};

/// Thumbnails fit in this many pixels: the size a page is shown at (`Previews` in dossier.slint).
const THUMBNAIL: (usize, usize) = (300, 420);

/// A scanned page as the screen keeps it: the compressed JPEG that is sent, and a thumbnail the size it is
/// shown (the pipeline's larger preview is not kept).
#[derive(Clone)]
pub struct Scan {
    jpeg: Vec<u8>,
    thumbnail: slint::Image,
}

impl From<pipeline::Page> for Scan {
    fn from(page: pipeline::Page) -> Scan {
        let preview = &page.preview;
        let fit =
            (THUMBNAIL.0 as f64 / preview.width.max(1) as f64).min(THUMBNAIL.1 as f64 / preview.height.max(1) as f64);
        let thumbnail = if fit < 1.0 { image(&pipeline::resample(preview, fit)) } else { image(preview) };
        Scan { jpeg: page.jpeg, thumbnail }
    }
}

pub(super) fn image(picture: &pipeline::Image) -> slint::Image {
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(picture.width as u32, picture.height as u32);
    for (i, pixel) in buffer.make_mut_slice().iter_mut().enumerate() {
        let at = i * picture.channels;
        *pixel = match picture.pixels.get(at..at + 3) {
            Some(&[r, g, b]) if picture.channels == 3 => slint::Rgb8Pixel { r, g, b },
            _ => {
                let grey = picture.pixels.get(at).copied().unwrap_or(255);
                slint::Rgb8Pixel { r: grey, g: grey, b: grey }
            }
        };
    }
    slint::Image::from_rgb8(buffer)
}

/// A screen's state, held by the window in a `Kiosk` property (`dossier-held`, `visit-held`) so that the
/// shell's calls, which carry only the window, reach it: a Slint property holds any Rust model, and
/// `Model::as_any` gives it back. It has no rows; Slint never reads it.
pub(super) struct Held<T>(Rc<RefCell<T>>);

impl<T> Clone for Held<T> {
    fn clone(&self) -> Held<T> {
        Held(self.0.clone())
    }
}

impl<T: Default> Default for Held<T> {
    fn default() -> Held<T> {
        Held(Rc::new(RefCell::new(T::default())))
    }
}

impl<T: 'static> Model for Held<T> {
    type Data = i32;
    fn row_count(&self) -> usize {
        0
    }
    fn row_data(&self, _row: usize) -> Option<i32> {
        None
    }
    fn model_tracker(&self) -> &dyn slint::ModelTracker {
        &()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl<T: Default + 'static> Held<T> {
    /// The state in `property`, or a fresh one for `store` to put there (the first time it is needed).
    pub(super) fn of(property: ModelRc<i32>, store: impl FnOnce(ModelRc<i32>)) -> Held<T> {
        if let Some(held) = property.as_any().downcast_ref::<Held<T>>() {
            return held.clone();
        }
        let held = Held::default();
        store(held.model());
        held
    }

    pub(super) fn borrow_mut(&self) -> std::cell::RefMut<'_, T> {
        self.0.borrow_mut()
    }

    pub(super) fn model(&self) -> ModelRc<i32> {
        ModelRc::new(self.clone())
    }
}

/// The dossier screen's state: the forms and procedures on offer, and the dossier being filled in.
#[derive(Default)]
struct State {
    forms: Vec<Form>,
    procedures: Vec<Procedure>,
    wizard: Option<Wizard<Scan>>,
    /// The scan request the screen waits for (None: none). Answers to any other are dropped.
    awaiting_scan: Option<u64>,
    /// The paper for the counter offered on the saved page, with the reference it is for: it holds the answers,
    /// so it goes when the resident leaves.
    intake: Option<(String, Document)>,
}

/// Scan requests are numbered across the kiosk's life, so no two dossiers ever share one.
static NEXT_SCAN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn held(ui: &AppWindow) -> Held<State> {
    let kiosk = ui.global::<Kiosk>();
    Held::of(kiosk.get_dossier_held(), |model| kiosk.set_dossier_held(model))
}

pub(super) fn install(ui: &AppWindow) {
    let held = held(ui);
    held.borrow_mut().forms = crate::dossier::forms();
    on!(ui, held;
        on_dossier_start(id) => start(&ui, held, &id);
        on_dossier_continue() => forward(&ui, held);
        on_dossier_back() => back(&ui, held);
        on_dossier_go(page) => tap(&ui, held, |w| w.change(usize::try_from(page).unwrap_or(usize::MAX)));
        on_dossier_key(key) => type_key(&ui, held, &key);
        on_dossier_choose(id) => tap(&ui, held, |w| w.choose(&id));
        on_dossier_choose_delivery(chosen) => {
            if let Some(delivery) = delivery_of(chosen) {
                tap(&ui, held, |w| w.choose_delivery(delivery));
            }
        };
        on_dossier_drop_page() => tap(&ui, held, Wizard::drop_last_page);
        on_dossier_rows_turn(by) => tap(&ui, held, |w| w.turn_rows(by as isize));
    );
}

/// The catalogue's procedures that have a form, for the "which procedure" page.
pub(super) fn set_procedures(ui: &AppWindow, lookup: &crate::lookup::Lookup) {
    let held = held(ui);
    let mut state = held.borrow_mut();
    let procedures: Vec<Procedure> = lookup
        .catalogue
        .procedures
        .iter()
        .filter(|p| p.kiosk_submission && state.forms.iter().any(|f| f.procedure == p.id))
        .cloned()
        .collect();
    let rows: Vec<ProcedureRow> = procedures
        .iter()
        .map(|p| ProcedureRow {
            id: p.id.as_str().into(),
            code: p.code.as_str().into(),
            name_vi: p.name_vi.as_str().into(),
            name_en: p.name_en.as_str().into(),
        })
        .collect();
    state.procedures = procedures;
    ui.global::<Kiosk>().set_dossier_procedures(model(rows));
}

/// Forgets the dossier (answers, scanned pages, choices) and shows the list of procedures.
pub fn reset(ui: &AppWindow) {
    {
        let held = held(ui);
        let mut state = held.borrow_mut();
        state.wizard = None;
        state.awaiting_scan = None;
        state.intake = None;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_step(DossierStep::Choose);
    for set in [
        Kiosk::set_dossier_name_vi,
        Kiosk::set_dossier_name_en,
        Kiosk::set_dossier_code,
        Kiosk::set_dossier_text,
        Kiosk::set_dossier_selected,
        Kiosk::set_dossier_question_vi,
        Kiosk::set_dossier_question_en,
        Kiosk::set_dossier_section_vi,
        Kiosk::set_dossier_section_en,
        Kiosk::set_dossier_help_vi,
        Kiosk::set_dossier_help_en,
        Kiosk::set_dossier_result_date,
    ] {
        set(&kiosk, "".into());
    }
    kiosk.set_dossier_problem(ProblemShown::default());
    kiosk.set_dossier_delivery(DossierDelivery::Unchosen);
    kiosk.set_dossier_page(0);
    kiosk.set_dossier_pages(0);
    kiosk.set_dossier_options(model(Vec::new()));
    kiosk.set_dossier_previews(model(Vec::new()));
    kiosk.set_dossier_rows(model(Vec::new()));
    kiosk.set_dossier_rows_second(model(Vec::new()));
    kiosk.set_dossier_scanned(0);
    kiosk.set_dossier_scanning(false);
    kiosk.set_dossier_intake_offered(false);
    kiosk.set_dossier_intake_print(PrintState::Idle);
    SENT.clear(ui);
}

fn start(ui: &AppWindow, held: &Held<State>, id: &str) {
    let wizard = {
        let state = held.borrow_mut();
        let form = state.forms.iter().find(|f| f.procedure == id).cloned();
        let procedure = state.procedures.iter().find(|p| p.id == id).cloned();
        let (Some(form), Some(procedure)) = (form, procedure) else { return };
        Wizard::new(form, procedure, super::tone_style())
    };
    reset(ui);
    let (kiosk, procedure) = (ui.global::<Kiosk>(), wizard.procedure());
    kiosk.set_dossier_name_vi(procedure.name_vi.as_str().into());
    kiosk.set_dossier_name_en(procedure.name_en.as_str().into());
    kiosk.set_dossier_code(procedure.code.as_str().into());
    kiosk.set_dossier_fee_vi(procedure.fee_vi.as_str().into());
    kiosk.set_dossier_fee_en(procedure.fee_en.as_str().into());
    kiosk.set_dossier_time_vi(procedure.time_vi.as_str().into());
    kiosk.set_dossier_time_en(procedure.time_en.as_str().into());
    kiosk.set_dossier_handled_by_vi(procedure.handled_by_vi.as_str().into());
    kiosk.set_dossier_handled_by_en(procedure.handled_by_en.as_str().into());
    kiosk.set_dossier_official_form(wizard.form().official_form.as_str().into());
    tracing::info!(procedure = %procedure.id, "dossier started");
    show(ui, &wizard);
    held.borrow_mut().wizard = Some(wizard);
}

/// A tap for the open wizard (if any), then its view on screen; what the tap answered (None: no wizard open).
fn tap<R>(ui: &AppWindow, held: &Held<State>, tap: impl FnOnce(&mut Wizard<Scan>) -> R) -> Option<R> {
    let mut state = held.borrow_mut();
    let wizard = state.wizard.as_mut()?;
    let answer = tap(wizard);
    show(ui, wizard);
    Some(answer)
}

fn forward(ui: &AppWindow, held: &Held<State>) {
    if tap(ui, held, |w| w.forward(crate::clock::today())) == Some(Then::Send) {
        ui.global::<Kiosk>().invoke_dossier_send();
    }
}

fn back(ui: &AppWindow, held: &Held<State>) {
    let kiosk = ui.global::<Kiosk>();
    if kiosk.get_dossier_step() == DossierStep::Choose {
        return kiosk.invoke_open(super::Screen::Home);
    }
    if tap(ui, held, Wizard::back) == Some(Then::Leave) {
        reset(ui);
    }
}

/// A key: only the answer box and the problem change, so only they are set.
fn type_key(ui: &AppWindow, held: &Held<State>, name: &str) {
    // One key, or an ending the e-mail keyboard types at once ("@gmail.com", ".vn").
    let keys: Vec<Key> = match Key::from_name(name) {
        Some(key) => vec![key],
        None if name.chars().all(|c| c.is_ascii_graphic()) => name.chars().map(Key::Char).collect(),
        None => return,
    };
    let mut state = held.borrow_mut();
    let Some(wizard) = state.wizard.as_mut() else { return };
    for key in keys {
        wizard.press(key);
    }
    let view = wizard.view();
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_text(view.text.as_str().into());
    kiosk.set_dossier_problem(problem_shown(view.problem));
}

/// Shows the wizard's view.
fn show(ui: &AppWindow, wizard: &Wizard<Scan>) {
    let view = wizard.view();
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_page(view.progress.at as i32);
    kiosk.set_dossier_pages(view.progress.of as i32);
    show_question(&kiosk, &view);
    kiosk.set_dossier_keys(keys(view.keys));
    kiosk.set_dossier_text(view.text.as_str().into());
    kiosk.set_dossier_problem(problem_shown(view.problem));
    kiosk.set_dossier_delivery(match view.delivery {
        None => DossierDelivery::Unchosen,
        Some(Delivery::AtTheCounter) => DossierDelivery::AtTheCounter,
        Some(Delivery::ByPost) => DossierDelivery::ByPost,
    });
    kiosk.set_dossier_scanned(view.scanned as i32);
    kiosk.set_dossier_scanning(view.scanning);
    kiosk.set_dossier_preview_first(view.preview_first as i32);
    kiosk.set_dossier_previews(model(view.previews.iter().map(|scan| scan.thumbnail.clone()).collect()));
    let rows = view.rows.map(|group| {
        kiosk.set_dossier_row_group(group.group as i32);
        kiosk.set_dossier_row_groups(group.groups as i32);
        (group.first.iter().map(row).collect(), group.second.iter().map(row).collect())
    });
    let (first, second) = rows.unwrap_or_default();
    kiosk.set_dossier_rows(model(first));
    kiosk.set_dossier_rows_second(model(second));
    kiosk.set_dossier_step(match view.step {
        Step::Intro => DossierStep::Intro,
        Step::Question => DossierStep::Question,
        Step::Paper => DossierStep::Paper,
        Step::Delivery => DossierStep::Delivery,
        Step::DeliveryAddress => DossierStep::DeliveryAddress,
        Step::Check => DossierStep::Check,
        Step::Consent => DossierStep::Consent,
    });
}

/// The page's question (or paper) from the form: section, question, help, options.
fn show_question(kiosk: &Kiosk<'_>, view: &View<'_, Scan>) {
    let texts: [&str; 6] = match (view.field, view.paper) {
        (Some(f), _) => [&f.section_vi, &f.section_en, &f.question_vi, &f.question_en, &f.help_vi, &f.help_en],
        (None, Some(p)) => ["", "", &p.name_vi, &p.name_en, &p.how_vi, &p.how_en],
        (None, None) => [""; 6],
    };
    let [section_vi, section_en, question_vi, question_en, help_vi, help_en] = texts;
    kiosk.set_dossier_section_vi(section_vi.into());
    kiosk.set_dossier_section_en(section_en.into());
    kiosk.set_dossier_question_vi(question_vi.into());
    kiosk.set_dossier_question_en(question_en.into());
    kiosk.set_dossier_help_vi(help_vi.into());
    kiosk.set_dossier_help_en(help_en.into());
    kiosk.set_dossier_optional(view.field.is_some_and(|f| !f.required));
    let options = view.field.map(|f| f.options.as_slice()).unwrap_or_default();
    let options = options.iter().map(|o| DossierChoice {
        id: o.id.as_str().into(),
        vi: o.vi.as_str().into(),
        en: o.en.as_str().into(),
    });
    kiosk.set_dossier_options(model(options.collect()));
    kiosk.set_dossier_selected(view.selected.unwrap_or("").into());
    if let Some(paper) = view.paper {
        kiosk.set_dossier_min_pages(paper.min_pages as i32);
        kiosk.set_dossier_max_pages(paper.max_pages as i32);
    }
}

/// One line of the check page.
fn row(row: &Row<'_>) -> DossierRow {
    let mut shown = DossierRow { page: row.page as i32, ..DossierRow::default() };
    let (kind, label, value) = match &row.answer {
        RowAnswer::Answer { field, vi, en } => (DossierRowKind::Answer, Some(field), Some((vi.as_str(), en.as_str()))),
        RowAnswer::LeftEmpty { field } => (DossierRowKind::LeftEmpty, Some(field), None),
        RowAnswer::Paper { paper, pages } => {
            shown.label_vi = paper.name_vi.as_str().into();
            shown.label_en = paper.name_en.as_str().into();
            shown.pages = *pages as i32;
            (DossierRowKind::Paper, None, None)
        }
        RowAnswer::Delivery(delivery) => {
            shown.delivery = delivery_shown(*delivery);
            (DossierRowKind::Delivery, None, None)
        }
        RowAnswer::DeliveryAddress(address) => (DossierRowKind::DeliveryAddress, None, Some((*address, *address))),
    };
    shown.kind = kind;
    if let Some(field) = label {
        shown.label_vi = field.label_vi.as_str().into();
        shown.label_en = field.label_en.as_str().into();
    }
    if let Some((vi, en)) = value {
        shown.value_vi = vi.into();
        shown.value_en = en.into();
    }
    shown
}

fn delivery_shown(delivery: Delivery) -> DossierDelivery {
    match delivery {
        Delivery::AtTheCounter => DossierDelivery::AtTheCounter,
        Delivery::ByPost => DossierDelivery::ByPost,
    }
}

fn delivery_of(chosen: DossierDelivery) -> Option<Delivery> {
    match chosen {
        DossierDelivery::AtTheCounter => Some(Delivery::AtTheCounter),
        DossierDelivery::ByPost => Some(Delivery::ByPost),
        DossierDelivery::Unchosen => None,
    }
}

fn keys(keys: Keys) -> AnswerKeys {
    match keys {
        Keys::Letters => AnswerKeys::Letters,
        Keys::LettersAndDigits => AnswerKeys::LettersAndDigits,
        Keys::Email => AnswerKeys::Email,
        Keys::NumberPad => AnswerKeys::NumberPad,
        Keys::Choice => AnswerKeys::Choice,
    }
}

/// A wizard's problem as the screen words it (problem.slint): its kind and arguments. Shared with the
/// home-visit screen.
pub(super) fn problem_shown(problem: Option<&kiosk_core::wizard::Problem>) -> ProblemShown {
    use kiosk_core::wizard::Problem as W;
    let kind = match problem {
        None => return ProblemShown::default(),
        Some(W::Answer(message)) => {
            let args: Vec<slint::SharedString> = message.args().into_iter().map(Into::into).collect();
            return ProblemShown { kind: message_kind(message), args: model(args) };
        }
        Some(W::LetterBeforeTone) => Problem::LetterBeforeTone,
        Some(W::AnswerFull) => Problem::AnswerFull,
        Some(W::ScanMorePages) => Problem::ScanMorePages,
        Some(W::ChooseDelivery) => Problem::ChooseDelivery,
        Some(W::StillMissing) => Problem::StillMissing,
        Some(W::NoSuchWard) => Problem::NoSuchWard,
        Some(W::Scan(ScanFailure::NothingOnTheGlass)) => Problem::ScanNothingOnTheGlass,
        Some(W::Scan(ScanFailure::LidOpen)) => Problem::ScanLidOpen,
        Some(W::Scan(ScanFailure::Jammed)) => Problem::ScanJammed,
        Some(W::Scan(ScanFailure::Busy)) => Problem::ScanBusy,
        Some(W::Scan(ScanFailure::NotWorking)) => Problem::ScanNotWorking,
    };
    ProblemShown { kind, args: model(Vec::new()) }
}

/// The same names on both sides: one Slint `Problem` per validation message.
fn message_kind(message: &Message) -> Problem {
    use Message as M;
    use Problem as P;
    match message {
        M::PhoneEmpty => P::PhoneEmpty,
        M::PhoneNotDigits => P::PhoneNotDigits,
        M::PhoneNoLeadingZero => P::PhoneNoLeadingZero,
        M::LandlineTooShort => P::LandlineTooShort,
        M::LandlineTooLong => P::LandlineTooLong,
        M::OldMobileNumber { .. } => P::OldMobileNumber,
        M::MobileTooShort => P::MobileTooShort,
        M::MobileTooLong => P::MobileTooLong,
        M::PhoneUnknownPrefix => P::PhoneUnknownPrefix,
        M::NameEmpty => P::NameEmpty,
        M::NameHasDigits => P::NameHasDigits,
        M::NameNotLetters => P::NameNotLetters,
        M::NameTooShort => P::NameTooShort,
        M::NameTooLong { .. } => P::NameTooLong,
        M::BirthDateInTheFuture => P::BirthDateInTheFuture,
        M::BirthYearTooEarly => P::BirthYearTooEarly,
        M::DateEmpty => P::DateEmpty,
        M::DateNotDayMonthYear => P::DateNotDayMonthYear,
        M::YearNotFourDigits => P::YearNotFourDigits,
        M::MonthOutOfRange => P::MonthOutOfRange,
        M::NoSuchDay { .. } => P::NoSuchDay,
        M::NumberEmpty => P::NumberEmpty,
        M::NumberNotDigits => P::NumberNotDigits,
        M::OldIdNumber => P::OldIdNumber,
        M::NumberTooShort => P::NumberTooShort,
        M::NumberTooLong => P::NumberTooLong,
        M::UnknownProvince => P::UnknownProvince,
        M::CenturyMismatch => P::CenturyMismatch,
        M::YearMismatch => P::YearMismatch,
        M::SexMismatch => P::SexMismatch,
        M::StreetEmpty => P::StreetEmpty,
        M::StreetTooShort => P::StreetTooShort,
        M::StreetTooLong => P::StreetTooLong,
        M::StreetCharacters => P::StreetCharacters,
        M::AnswerTooShort => P::AnswerTooShort,
        M::AnswerNeeded => P::AnswerNeeded,
        M::DigitsOnly { .. } => P::DigitsOnly,
        M::ChooseOne => P::ChooseOne,
        M::DateInThePast => P::DateInThePast,
        M::DateBeforeStart { .. } => P::DateBeforeStart,
        M::DateTooFarAfter { .. } => P::DateTooFarAfter,
        M::EmailNotAddress => P::EmailNotAddress,
    }
}

/// What "Scan" does: `scan` gets whether the paper is an ID card and must scan off the UI thread, answering with
/// [`show_scanned`].
pub fn on_dossier_scan(ui: &AppWindow, scan: impl Fn(bool, u64) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_dossier_scan(move || {
        let Some(ui) = weak.upgrade() else { return };
        let held = held(&ui);
        let mut card = None;
        tap(&ui, &held, |w| card = w.scan());
        if let Some(card) = card {
            let request = NEXT_SCAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            held.borrow_mut().awaiting_scan = Some(request);
            scan(card, request);
        }
    });
}

/// The scanner's answer for the paper on screen.
pub fn show_scanned(
    ui: &AppWindow,
    request: u64,
    scanned: Result<Vec<pipeline::Page>, kiosk_drivers::scanner::ErrorKind>,
) {
    use kiosk_drivers::scanner::ErrorKind as E;
    let held = held(ui);
    if held.borrow_mut().awaiting_scan != Some(request) {
        // A scan asked for before "start over" (or the idle reset) answers late: its pages belong to nobody now.
        tracing::info!(request, "a scan answered after its dossier was closed; its pages are dropped");
        return;
    }
    held.borrow_mut().awaiting_scan = None;
    tap(ui, &held, |w| match scanned {
        Ok(pages) => w.scanned(pages.into_iter().map(Scan::from).collect()),
        Err(kind) => {
            tracing::warn!(?kind, "a dossier scan failed");
            w.scan_failed(match kind {
                E::NoDocument => ScanFailure::NothingOnTheGlass,
                E::CoverOpen => ScanFailure::LidOpen,
                E::Jammed => ScanFailure::Jammed,
                E::Busy => ScanFailure::Busy,
                E::Disconnected | E::Io => ScanFailure::NotWorking,
            });
        }
    });
}

/// What the receipt and the portal need, once consent is given.
pub struct Finished {
    pub form: DossierForm,
    /// Every scanned page's JPEG, in the order of `form.papers`.
    pub pages: Vec<Vec<u8>>,
    pub receipt: crate::dossier::Receipt,
}

impl Finished {
    fn new(procedure: &Procedure, done: wizard::Finished<Scan>) -> Finished {
        let receipt = crate::dossier::Receipt {
            reference: String::new(),
            code: None,
            procedure_vi: procedure.name_vi.clone(),
            procedure_en: procedure.name_en.clone(),
            procedure_code: procedure.code.clone(),
            fee_vi: procedure.fee_vi.clone(),
            fee_en: procedure.fee_en.clone(),
            handled_by_vi: procedure.handled_by_vi.clone(),
            handled_by_en: procedure.handled_by_en.clone(),
            result_date: done.result_date.to_string(),
            delivery: done.form.delivery,
            fee: None,
        };
        Finished { form: done.form, pages: done.pages.into_iter().map(|scan| scan.jpeg).collect(), receipt }
    }
}

/// What "I agree: send" does: `send` gets the finished dossier and must save it off the UI thread, answering
/// through [`SENT`].
pub fn on_dossier_send(ui: &AppWindow, send: impl Fn(Finished, Language) + 'static) {
    let wire = |kiosk: &Kiosk, handler| kiosk.on_dossier_send(handler);
    super::on_unless_busy(
        ui,
        wire,
        |kiosk| kiosk.get_dossier_step() == DossierStep::Sending,
        move |ui, kiosk| {
            let language = current_language(ui).unwrap_or(Language::Vietnamese);
            // Something missing: the wizard opens its page (then straight back to the check page).
            let finished = tap(ui, &held(ui), |w| {
                w.finish(language.code(), crate::clock::today()).map(|done| Finished::new(w.procedure(), done))
            });
            let Some(Some(finished)) = finished else { return };
            kiosk.set_dossier_result_date(finished.receipt.result_date.as_str().into());
            kiosk.set_dossier_delivery(delivery_shown(finished.form.delivery));
            kiosk.set_dossier_pages(0);
            kiosk.set_dossier_step(DossierStep::Sending);
            send(finished, language);
        },
    );
}

/// The dossier's page after saving.
pub const SENT: Flow = Flow {
    get: |kiosk| kiosk.get_dossier_sent(),
    set: |kiosk, sent| kiosk.set_dossier_sent(sent),
    on_saved_page: |kiosk| kiosk.get_dossier_step() == DossierStep::Saved,
    show_saved,
    show_failed: |ui| ui.global::<Kiosk>().set_dossier_step(DossierStep::Failed),
    charges_fees: true,
};

/// The answers, pages and thumbnails are dropped from the screen: from here on they exist sealed in the outbox
/// and, when the portal does not answer in time, in the paper for the counter the saved page offers until the
/// resident leaves ([`offer_intake`]).
fn show_saved(ui: &AppWindow) {
    held(ui).borrow_mut().wizard = None;
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_rows(model(Vec::new()));
    kiosk.set_dossier_rows_second(model(Vec::new()));
    kiosk.set_dossier_text("".into());
    kiosk.set_dossier_previews(model(Vec::new()));
    kiosk.set_dossier_step(DossierStep::Saved);
}

/// Offers the paper for the counter (the portal did not answer in time), while the saved page still shows
/// `reference`: the resident may have left already, and then the paper is dropped unprinted.
pub fn offer_intake(ui: &AppWindow, reference: &str, document: Document) {
    let kiosk = ui.global::<Kiosk>();
    if kiosk.get_dossier_step() != DossierStep::Saved || kiosk.get_dossier_sent().reference != reference {
        return;
    }
    held(ui).borrow_mut().intake = Some((reference.to_owned(), document));
    kiosk.set_dossier_intake_print(PrintState::Idle);
    kiosk.set_dossier_intake_offered(true);
}

/// What "Print a paper for the counter" does: `print` gets the paper (with its reference) to print on the device
/// thread, which answers through [`show_intake_printed`]. A tap while it prints is ignored.
pub fn on_dossier_print_intake(ui: &AppWindow, print: impl Fn(String, Document) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_dossier_print_intake(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_dossier_intake_print() == PrintState::Printing {
            return;
        }
        let Some((reference, document)) = held(&ui).borrow_mut().intake.clone() else { return };
        kiosk.set_dossier_intake_print(PrintState::Printing);
        print(reference, document);
    });
}

/// The paper for the counter came out (`done`) or the printer failed, for the resident still on `reference`.
pub fn show_intake_printed(ui: &AppWindow, reference: &str, done: bool) {
    let offered = held(ui).borrow_mut().intake.as_ref().is_some_and(|(shown, _)| shown == reference);
    if offered {
        ui.global::<Kiosk>().set_dossier_intake_print(if done { PrintState::Printed } else { PrintState::Failed });
    }
}

/// True when the window holds no dossier (for tests of the wipe).
pub fn is_empty(ui: &AppWindow) -> bool {
    held(ui).borrow_mut().wizard.is_none()
}

/// Goes through a temporary-residence dossier with sample answers (for the walkthrough's pictures), scanning
/// with `scan`, calling `save` with a name for each page. The saved page shows a sample reference and code.
pub fn walk(
    ui: &AppWindow,
    scan: &mut dyn FnMut(bool) -> Result<Vec<pipeline::Page>, kiosk_drivers::scanner::ErrorKind>,
    save: &mut dyn FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let kiosk = ui.global::<Kiosk>();
    let typing = |keys: &str| super::type_keys(keys, |key| kiosk.invoke_dossier_key(key));
    kiosk.invoke_open(super::Screen::Submit);
    save("dossier-choose")?;
    kiosk.invoke_dossier_start("dang-ky-tam-tru".into());
    save("dossier-intro")?;
    kiosk.invoke_dossier_continue();
    typing("hoangf vawn nam");
    save("dossier-name")?;
    kiosk.invoke_dossier_continue();
    typing("0209199");
    save("dossier-date")?;
    typing("0");
    kiosk.invoke_dossier_continue();
    save("dossier-choice")?;
    kiosk.invoke_dossier_choose("male".into());
    typing("001190123456");
    kiosk.invoke_dossier_continue();
    save("dossier-number-problem")?;
    kiosk.invoke_dossier_key("clear".into());
    for answer in ["001090123456", "0862000111"] {
        typing(answer);
        kiosk.invoke_dossier_continue();
    }
    // Item 6 on the e-mail keyboard, its ending from the "@gmail.com" key.
    typing("nam.hv");
    kiosk.invoke_dossier_key("@gmail.com".into());
    save("dossier-email")?;
    kiosk.invoke_dossier_continue();
    kiosk.invoke_dossier_choose("new".into());
    for answer in ["phongf 302 soos 15 ngox 80 chuaf lang", "31122027"] {
        typing(answer);
        kiosk.invoke_dossier_continue();
    }
    kiosk.invoke_dossier_choose("no".into());
    // The owner, whose number the resident does not know (left empty), signed the rental agreement.
    for answer in ["ngoo thij mai", ""] {
        typing(answer);
        kiosk.invoke_dossier_continue();
    }
    kiosk.invoke_dossier_choose("agreement".into());
    kiosk.invoke_dossier_choose("no".into());
    for card in [false, true, true] {
        if card && kiosk.get_dossier_scanned() >= kiosk.get_dossier_min_pages() {
            kiosk.invoke_dossier_continue();
        }
        // As "Scan" does: the screen waits for this request's answer.
        let request = NEXT_SCAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        held(ui).borrow_mut().awaiting_scan = Some(request);
        show_scanned(ui, request, scan(card));
        if !card {
            save("dossier-scan")?;
        }
    }
    save("dossier-scan-card")?;
    kiosk.invoke_dossier_continue();
    save("dossier-delivery")?;
    kiosk.invoke_dossier_choose_delivery(DossierDelivery::AtTheCounter);
    save("dossier-check")?;
    kiosk.invoke_dossier_continue();
    save("dossier-consent")?;
    // Saving needs the outbox: the picture shows the saved page with a sample reference and code.
    kiosk.set_dossier_result_date(kiosk_core::dossier::result_date(crate::clock::today(), 3).to_string().into());
    SENT.saved(ui, "3FA2-91C0");
    // The city's system away: kept, and the paper for the counter offered (its print is the walkthrough's
    // slip-counter-paper).
    SENT.undelivered(ui, "3FA2-91C0");
    SENT.printed(ui, "3FA2-91C0", true);
    kiosk.set_dossier_intake_offered(true);
    save("dossier-saved-away")?;
    kiosk.set_dossier_intake_offered(false);
    SENT.delivered(ui, "3FA2-91C0", "SIM-261129-000002", Some(&super::headless::sample_fee()));
    SENT.printed(ui, "3FA2-91C0", true);
    save("dossier-saved")?;
    super::start_over(ui);
    Ok(())
}
