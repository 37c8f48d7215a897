//! The booking screen: shows kiosk-core's booking wizard (`wizard::booking`) in the `Kiosk` global and hands the
//! UI's taps to it. The wizard is held by the window, in `Kiosk.booking-held`, and dropped whole on start over.
//! The portal's offer comes from the shell ([`set_offer`]); "Book this time" hands the finished form over
//! ([`on_booking_send`]) and the shell answers through [`SENT`], or [`taken`] when the slot filled up first.
//!
//! Must not do: decide (pages and checks are kiosk-core's) or word anything (booking.slint does).

use kiosk_core::booking::{self, Question};
use kiosk_core::config::Language;
use kiosk_core::keyboard::Key;
use kiosk_core::portal::{Slot, SlotOffer};
use kiosk_core::visit::{phone_for_reading, Need};
pub use kiosk_core::wizard::booking::Finished;
use kiosk_core::wizard::booking::{Choice, Field, Page, Wizard};
use kiosk_core::wizard::{Keys, Then};
use slint::{ComponentHandle, Model as _};

use super::dossier::{problem_shown, Held};
use super::sent::Flow;
use super::{current_language, model, AnswerKeys, AppWindow, BookingDay, BookingSlot, BookingStep, FieldChoice, Kiosk};

#[derive(Default)]
struct State {
    fields: Vec<Field>,
    offer: Option<SlotOffer>,
    wizard: Option<Wizard>,
    /// A procedure chosen on its page before the offer came: the wizard starts with it when the offer does.
    pending: Option<Need>,
}

fn held(ui: &AppWindow) -> Held<State> {
    let kiosk = ui.global::<Kiosk>();
    Held::of(kiosk.get_booking_held(), |model| kiosk.set_booking_held(model))
}

fn step_of(page: Option<Page>) -> BookingStep {
    match page {
        None => BookingStep::Intro,
        Some(Page::Question(Question::Need)) => BookingStep::Need,
        Some(Page::Question(Question::Day)) => BookingStep::Day,
        Some(Page::Question(Question::Slot)) => BookingStep::Slot,
        Some(Page::Question(Question::Name)) => BookingStep::Name,
        Some(Page::Question(Question::Phone)) => BookingStep::Phone,
        Some(Page::Check) => BookingStep::Check,
        Some(Page::Taken) => BookingStep::Taken,
    }
}

fn question_of(step: BookingStep) -> Option<Question> {
    Some(match step {
        BookingStep::Need => Question::Need,
        BookingStep::Day => Question::Day,
        BookingStep::Slot => Question::Slot,
        BookingStep::Name => Question::Name,
        BookingStep::Phone => Question::Phone,
        _ => return None,
    })
}

/// Called once when the window is built.
pub(super) fn install(ui: &AppWindow) {
    let held = held(ui);
    on!(ui, held;
        on_booking_continue() => forward(&ui, held);
        on_booking_back() => back(&ui, held);
        on_booking_go(step) => {
            if let Some(question) = question_of(step) {
                tap(&ui, held, |w| w.change(question));
            }
        };
        on_booking_key(key) => {
            if let Some(key) = Key::from_name(&key) {
                tap(&ui, held, |w| w.press(key));
            }
        };
        on_booking_choose_field(id) => tap(&ui, held, |w| w.choose(Choice::Field(id.into())));
        on_booking_choose_need(id) => tap(&ui, held, |w| w.choose(Choice::Need(id.into())));
        on_booking_more_needs() => tap(&ui, held, Wizard::more_needs);
        on_booking_choose_day(date) => tap(&ui, held, |w| w.choose(Choice::Day(date.into())));
        on_booking_choose_slot(id) => tap(&ui, held, |w| w.choose(Choice::Slot(id.into())));
        on_book_for(id) => book_for(&ui, held, &id);
    );
}

/// The catalogue's fields and their procedures in reading order of `language`, for the "what for" page.
pub(super) fn set_fields(ui: &AppWindow, lookup: &crate::lookup::Lookup, language: Language) {
    let catalogue = &lookup.catalogue;
    let fields: Vec<Field> = catalogue
        .fields
        .iter()
        .map(|f| Field {
            id: f.id.clone(),
            name_vi: f.name_vi.clone(),
            name_en: f.name_en.clone(),
            needs: {
                let mut procedures: Vec<&kiosk_core::catalogue::Procedure> =
                    catalogue.procedures.iter().filter(|p| p.field == f.id).collect();
                kiosk_core::catalogue::sort_for_reading(&mut procedures, language, |p| p);
                procedures
            }
            .into_iter()
            .map(|p| Need::Procedure {
                id: p.id.clone(),
                code: p.code.clone(),
                name_vi: p.name_vi.clone(),
                name_en: p.name_en.clone(),
            })
            .collect(),
        })
        .filter(|f| !f.needs.is_empty())
        .collect();
    let choices = fields
        .iter()
        .map(|f| FieldChoice {
            id: f.id.as_str().into(),
            name_vi: f.name_vi.as_str().into(),
            name_en: f.name_en.as_str().into(),
        })
        .collect();
    ui.global::<Kiosk>().set_booking_fields(model(choices));
    held(ui).borrow_mut().fields = fields;
}

/// The portal's offer (fresh, or the last one the kiosk kept; None: none at all), for the day and time pages.
pub fn set_offer(ui: &AppWindow, offer: Option<SlotOffer>) {
    let kiosk = ui.global::<Kiosk>();
    if let Some(offer) = &offer {
        kiosk.set_booking_place_vi(offer.place_vi.as_str().into());
        kiosk.set_booking_place_en(offer.place_en.as_str().into());
        kiosk.set_booking_address(offer.address.as_str().into());
    }
    let held = held(ui);
    let mut state = held.borrow_mut();
    state.offer = offer.clone();
    if let (Some(need), true, None) = (state.pending.take(), offer.is_some(), &state.wizard) {
        let wizard = Wizard::for_need(super::tone_style(), state.fields.clone(), offer, need);
        show(ui, &wizard);
        state.wizard = Some(wizard);
        return;
    }
    if let Some(wizard) = state.wizard.as_mut() {
        wizard.set_offer(offer);
        show(ui, wizard);
    } else if offer.is_some() && kiosk.get_booking_step() == BookingStep::Unavailable {
        kiosk.set_booking_step(BookingStep::Intro);
    }
}

/// Forgets every answer and shows the introduction.
pub fn reset(ui: &AppWindow) {
    let held = held(ui);
    let mut state = held.borrow_mut();
    state.wizard = None;
    state.pending = None;
    drop(state);
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_booking_step(BookingStep::Intro);
    kiosk.set_booking_question(0);
    kiosk.set_booking_text("".into());
    kiosk.set_booking_problem(problem_shown(None));
    kiosk.set_booking_field_id("".into());
    kiosk.set_booking_needs(model(Vec::new()));
    kiosk.set_booking_days_first(model(Vec::new()));
    kiosk.set_booking_days_second(model(Vec::new()));
    kiosk.set_booking_slots(model(Vec::new()));
    kiosk.set_booking_alternatives(model(Vec::new()));
    kiosk.set_booking_need_id("".into());
    kiosk.set_booking_need_vi("".into());
    kiosk.set_booking_need_en("".into());
    kiosk.set_booking_day(BookingDay::default());
    kiosk.set_booking_slot(BookingSlot::default());
    kiosk.set_booking_name("".into());
    kiosk.set_booking_phone("".into());
    SENT.clear(ui);
}

fn tap<R>(ui: &AppWindow, held: &Held<State>, tap: impl FnOnce(&mut Wizard) -> R) -> R {
    let mut state = held.borrow_mut();
    let State { fields, offer, wizard, .. } = &mut *state;
    let wizard = wizard.get_or_insert_with(|| Wizard::new(super::tone_style(), fields.clone(), offer.clone()));
    let answer = tap(wizard);
    show(ui, wizard);
    answer
}

fn forward(ui: &AppWindow, held: &Held<State>) {
    let kiosk = ui.global::<Kiosk>();
    let no_offer = held.borrow_mut().offer.is_none();
    if kiosk.get_booking_step() == BookingStep::Intro && no_offer {
        // Times are the portal's: with none known, nothing can be booked here now.
        kiosk.set_booking_step(BookingStep::Unavailable);
        return;
    }
    if tap(ui, held, Wizard::forward) == Then::Send {
        kiosk.invoke_booking_send();
    }
}

fn back(ui: &AppWindow, held: &Held<State>) {
    let kiosk = ui.global::<Kiosk>();
    if matches!(kiosk.get_booking_step(), BookingStep::Intro | BookingStep::Unavailable) {
        return kiosk.invoke_open(super::Screen::Home);
    }
    if tap(ui, held, Wizard::back) == Then::Leave {
        kiosk.set_booking_step(BookingStep::Intro);
    }
}

/// From a procedure's page: the booking screen, with that procedure chosen.
fn book_for(ui: &AppWindow, held: &Held<State>, id: &str) {
    ui.global::<Kiosk>().invoke_open(super::Screen::Booking);
    let mut state = held.borrow_mut();
    let need =
        state.fields.iter().flat_map(|f| &f.needs).find(|n| matches!(n, Need::Procedure { id: i, .. } if i == id));
    let Some(need) = need.cloned() else { return };
    if state.offer.is_none() {
        // The offer is being fetched (opening the screen asked for it): the procedure is chosen when it comes.
        state.pending = Some(need);
        return;
    }
    let wizard = Wizard::for_need(super::tone_style(), state.fields.clone(), state.offer.clone(), need);
    show(ui, &wizard);
    state.wizard = Some(wizard);
}

fn day_of(day: &booking::Day<'_>) -> BookingDay {
    BookingDay {
        date: day.date.into(),
        weekday: weekday_index(day.weekday),
        day_month: day_month(day.date).into(),
        free: day.free.min(i32::MAX as u32) as i32,
    }
}

pub(super) fn weekday_index(weekday: Option<booking::Weekday>) -> i32 {
    use booking::Weekday as W;
    match weekday {
        Some(W::Monday) => 0,
        Some(W::Tuesday) => 1,
        Some(W::Wednesday) => 2,
        Some(W::Thursday) => 3,
        Some(W::Friday) => 4,
        Some(W::Saturday) => 5,
        Some(W::Sunday) => 6,
        None => -1,
    }
}

/// "07/12" of 2026-12-07.
fn day_month(date: &str) -> String {
    let full = booking::date_for_reading(date);
    full.get(..5).map_or(full.clone(), str::to_owned)
}

pub(super) fn slot_of(slot: &Slot) -> BookingSlot {
    BookingSlot {
        id: slot.id.as_str().into(),
        weekday: weekday_index(booking::weekday(&slot.date)),
        day_month: day_month(&slot.date).into(),
        time: format!("{}–{}", slot.start, slot.end).into(),
        free: slot.free.min(i32::MAX as u32) as i32,
    }
}

fn show(ui: &AppWindow, wizard: &Wizard) {
    let view = wizard.view();
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_booking_question(view.progress.at as i32);
    kiosk.set_booking_questions(view.progress.of as i32);
    kiosk.set_booking_text(view.text.as_str().into());
    kiosk.set_booking_keys(match view.keys {
        Keys::NumberPad => AnswerKeys::NumberPad,
        _ => AnswerKeys::Letters,
    });
    kiosk.set_booking_problem(problem_shown(view.problem));
    let (field_id, field_vi, field_en) =
        view.field.map_or(("", "", ""), |f| (f.id.as_str(), f.name_vi.as_str(), f.name_en.as_str()));
    kiosk.set_booking_field_id(field_id.into());
    kiosk.set_booking_field_vi(field_vi.into());
    kiosk.set_booking_field_en(field_en.into());
    let needs = view.needs.iter().filter_map(|need| match need {
        Need::Procedure { id, code, name_vi, name_en } => Some(super::NeedChoice {
            id: id.as_str().into(),
            code: code.as_str().into(),
            name_vi: name_vi.as_str().into(),
            name_en: name_en.as_str().into(),
        }),
        Need::Other => None,
    });
    kiosk.set_booking_needs(model(needs.collect()));
    kiosk.set_booking_needs_group(view.needs_group.0 as i32);
    kiosk.set_booking_needs_groups(view.needs_group.1 as i32);
    let days: Vec<BookingDay> = view.days.iter().map(day_of).collect();
    let half = days.len().div_ceil(2);
    kiosk.set_booking_days_second(model(days[half..].to_vec()));
    kiosk.set_booking_days_first(model(days[..half].to_vec()));
    kiosk.set_booking_slots(model(view.slots.iter().map(|s| slot_of(s)).collect()));
    kiosk.set_booking_alternatives(model(view.alternatives.iter().map(slot_of).collect()));
    let answers = view.answers;
    let (id, vi, en) = match &answers.need {
        Some(Need::Procedure { id, name_vi, name_en, .. }) => (id.as_str(), name_vi.as_str(), name_en.as_str()),
        Some(Need::Other) => ("other", "", ""),
        None => ("", "", ""),
    };
    kiosk.set_booking_need_id(id.into());
    kiosk.set_booking_need_vi(vi.into());
    kiosk.set_booking_need_en(en.into());
    // The day and time chosen (kept on the "taken" page, to say which time was taken).
    if let Some(day) = answers.day.as_deref() {
        let shown = view.days.iter().find(|d| d.date == day).map(day_of).unwrap_or_else(|| BookingDay {
            date: day.into(),
            weekday: weekday_index(booking::weekday(day)),
            day_month: day_month(day).into(),
            free: 0,
        });
        kiosk.set_booking_day(shown);
    }
    if let Some(slot) = &answers.slot {
        kiosk.set_booking_slot(slot_of(slot));
    } else if view.page != Some(Page::Taken) {
        kiosk.set_booking_slot(BookingSlot::default());
    }
    kiosk.set_booking_name(answers.name.as_str().into());
    kiosk.set_booking_phone(answers.phone.as_ref().map(|p| phone_for_reading(p.digits())).unwrap_or_default().into());
    kiosk.set_booking_step(step_of(view.page));
}

/// What opening the screen does: `refresh` must fetch the portal's offer off the UI thread and answer with
/// [`set_offer`].
pub fn on_booking_refresh(ui: &AppWindow, refresh: impl Fn() + 'static) {
    ui.global::<Kiosk>().on_booking_refresh(refresh);
}

/// What "Book this time" does: `send` gets the finished booking and must save it off the UI thread, answering
/// through [`SENT`] (or [`taken`]).
pub fn on_booking_send(ui: &AppWindow, send: impl Fn(Finished, Language) + 'static) {
    let wire = |kiosk: &Kiosk, handler| kiosk.on_booking_send(handler);
    super::on_unless_busy(
        ui,
        wire,
        |kiosk| kiosk.get_booking_step() == BookingStep::Sending,
        move |ui, kiosk| {
            let language = current_language(ui).unwrap_or(Language::Vietnamese);
            let Some(done) = tap(ui, &held(ui), |w| w.finish(language.code())) else { return };
            kiosk.set_booking_step(BookingStep::Sending);
            kiosk.set_booking_question(0);
            send(done, language);
        },
    );
}

/// The portal said the slot filled up before this booking reached it (nothing was booked): the next free
/// slots to choose from, and `offer`, the portal's offer as it is now (None: it could not be fetched).
pub fn taken(ui: &AppWindow, next_free: Vec<Slot>, offer: Option<SlotOffer>) {
    let held = held(ui);
    let mut state = held.borrow_mut();
    if offer.is_some() {
        state.offer = offer.clone();
    }
    let Some(wizard) = state.wizard.as_mut() else { return };
    wizard.taken(next_free);
    if offer.is_some() {
        wizard.set_offer(offer);
    }
    show(ui, wizard);
}

/// The booking's page after saving.
pub const SENT: Flow = Flow {
    get: |kiosk| kiosk.get_booking_sent(),
    set: |kiosk, sent| kiosk.set_booking_sent(sent),
    on_saved_page: |kiosk| kiosk.get_booking_step() == BookingStep::Saved,
    show_saved: |ui| ui.global::<Kiosk>().set_booking_step(BookingStep::Saved),
    show_failed: |ui| ui.global::<Kiosk>().set_booking_step(BookingStep::Failed),
    charges_fees: false,
};

/// True when the window holds no answer (for tests of the wipe).
pub fn is_empty(ui: &AppWindow) -> bool {
    held(ui).borrow_mut().wizard.as_ref().is_none_or(Wizard::is_empty)
}

/// Goes through every booking page with sample answers and a sample offer (for the walkthrough's pictures),
/// calling `save` with a name for each page. The saved pages show a sample code, not a real booking.
pub fn walk(ui: &AppWindow, save: &mut dyn FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let kiosk = ui.global::<Kiosk>();
    kiosk.invoke_open(super::Screen::Booking);
    set_offer(ui, None);
    kiosk.invoke_booking_continue();
    save("booking-unavailable")?;
    kiosk.invoke_open(super::Screen::Booking);
    let slot = |id: &str, date: &str, start: &str, end: &str, free| Slot {
        id: id.into(),
        date: date.into(),
        start: start.into(),
        end: end.into(),
        free,
    };
    set_offer(
        ui,
        Some(SlotOffer {
            place_vi: "Điểm phục vụ hành chính công (ví dụ)".into(),
            place_en: "Public service point (example)".into(),
            address: "Nhà văn hóa tổ dân phố (ví dụ)".into(),
            slots: vec![
                slot("a", "2026-12-07", "17:30", "18:30", 0),
                slot("b", "2026-12-07", "18:30", "19:30", 2),
                slot("c", "2026-12-07", "19:30", "20:30", 3),
                slot("d", "2026-12-08", "17:30", "18:30", 0),
                slot("e", "2026-12-12", "08:00", "09:00", 3),
                slot("f", "2026-12-13", "09:00", "10:00", 3),
            ],
        }),
    );
    save("booking-intro")?;
    kiosk.invoke_booking_continue();
    save("booking-need")?;
    let field = kiosk.get_booking_fields().row_data(0).map(|f| f.id.to_string()).unwrap_or_default();
    kiosk.invoke_booking_choose_field(field.into());
    save("booking-need-field")?;
    let need = kiosk.get_booking_needs().row_data(0).map(|n| n.id.to_string()).unwrap_or_else(|| "other".into());
    kiosk.invoke_booking_choose_need(need.into());
    save("booking-day")?;
    kiosk.invoke_booking_choose_day("2026-12-07".into());
    save("booking-slot")?;
    kiosk.invoke_booking_choose_slot("b".into());
    super::type_keys("nguyeenx thij hoaf", |key| kiosk.invoke_booking_key(key));
    save("booking-name")?;
    kiosk.invoke_booking_continue();
    super::type_keys("0912345678", |key| kiosk.invoke_booking_key(key));
    kiosk.invoke_booking_continue();
    save("booking-check")?;
    taken(ui, vec![slot("c", "2026-12-07", "19:30", "20:30", 3), slot("e", "2026-12-12", "08:00", "09:00", 3)], None);
    save("booking-taken")?;
    kiosk.invoke_booking_choose_slot("c".into());
    kiosk.set_booking_step(BookingStep::Sending);
    SENT.saved(ui, "3FA2-91C0");
    SENT.undelivered(ui, "3FA2-91C0");
    SENT.printed(ui, "3FA2-91C0", true);
    save("booking-saved-away")?;
    kiosk.set_booking_step(BookingStep::Sending);
    SENT.saved(ui, "3FA2-91C0");
    SENT.delivered(ui, "3FA2-91C0", "LH-261207-000001", None);
    SENT.printed(ui, "3FA2-91C0", true);
    save("booking-saved")?;
    super::start_over(ui);
    Ok(())
}
