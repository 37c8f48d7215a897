//! The UI bridge: the only module that names Slint types. It fills the `Kiosk` global from the configuration
//! and from device reports, and answers the UI's callbacks (language switch, navigation).
//!
//! Must not do: block. Everything here runs on the UI thread; slow work happens elsewhere and comes back
//! through `upgrade_in_event_loop`.

use std::rc::Rc;

use chrono::{Datelike, NaiveDateTime, Timelike};
use kiosk_core::config::{Config, Language};
use slint::{ComponentHandle, Model as _, ModelRc, VecModel};

use crate::devices::{DeviceReport, Health, PortalReach, Printed, Report, SlipKind};

/// Wires `Kiosk` callbacks of a screen that holds its state in a `Held`: each handler gets the window (while it
/// exists) as `ui` and the screen's state as `held`, then the callback's arguments.
/// `on!(ui, held; on_dossier_key(key) => type_key(&ui, &held, &key); ...)`.
macro_rules! on {
    ($ui:ident, $held:ident; $($setter:ident($($arg:ident),*) => $body:expr;)*) => {{
        let kiosk = $ui.global::<Kiosk>();
        $({
            let (weak, state) = ($ui.as_weak(), $held.clone());
            kiosk.$setter(move |$($arg),*| {
                if let Some($ui) = weak.upgrade() {
                    let $held = &state;
                    $body;
                }
            });
        })*
    }};
}

pub mod booking;
pub mod dossier;
pub mod fee;
pub mod headless;
pub mod hours;
pub mod layout_check;
pub mod measure;
pub mod read_aloud;
pub mod sent;
pub mod systemd;
pub mod technician;
pub mod visit;

/// The Rust code Slint generates from ui/*.slint. It is not ours to lint.
#[allow(clippy::all, clippy::unwrap_used)]
mod generated {
    slint::include_modules!();
}
pub use generated::*;

/// Lets the screen scroll to all of its content: measures where the lowest text of the drawn screen ends and
/// gives that to the scrolling area (Slint's own estimate is short for wrapped text in conditional blocks at
/// large text sizes). Run after each frame's layout: a timer in the kiosk, after each render in the walkthrough.
/// Returns whether the height changed (so the screen is drawn again).
pub fn fit_screen(ui: &AppWindow) -> bool {
    let kiosk = ui.global::<Kiosk>();
    let Some((bottom, height)) = layout_check::content_extent(ui) else { return false };
    // Only ever more room, and only when a text ends below the content: content that fits (a stretching page
    // fills whatever it is given) is left alone, so this never feeds on itself. A new screen, step or text
    // size starts again from nothing (app.slint).
    if bottom > height + 1.0 {
        kiosk.set_screen_extent(bottom + 40.0);
        true
    } else {
        false
    }
}

/// Runs `f` with the whole screen laid out unscrolled (Kiosk.unfold), so every element of the screen is found,
/// even those scrolled out of view; the screen is as it was after.
pub fn unfolded<R>(ui: &AppWindow, f: impl FnOnce() -> R) -> R {
    let kiosk = ui.global::<Kiosk>();
    let before = kiosk.get_unfold();
    // The content's measured height first (as the kiosk's timer would have), so unfolding shows all of it.
    for _ in 0..3 {
        if !fit_screen(ui) {
            break;
        }
    }
    kiosk.set_unfold(true);
    let result = f();
    kiosk.set_unfold(before);
    result
}

/// Keeps the screen scrolling to all of its content (start_fitting).
pub struct Fitting(#[allow(dead_code)] slint::Timer);

/// Keeps the screen's scrolling height right as screens and text sizes change (fit_screen four times a second,
/// a walk over the drawn items). Keep the timer for as long as the window.
pub fn start_fitting(ui: &AppWindow) -> Fitting {
    let timer = slint::Timer::default();
    let weak = ui.as_weak();
    timer.start(slint::TimerMode::Repeated, std::time::Duration::from_millis(250), move || {
        if let Some(ui) = weak.upgrade() {
            fit_screen(&ui);
        }
    });
    Fitting(timer)
}

/// The text sizes the header's button steps through, in percent of the normal size (Kiosk.text-size 0, 1, 2).
pub const TEXT_SIZES: [u32; 3] = [100, 150, 200];

/// Types `keys` on a screen's keyboard with `press` (a space as "space"), for the walkthrough's sample answers.
pub(crate) fn type_keys(keys: &str, press: impl Fn(slint::SharedString)) {
    for c in keys.chars() {
        press(if c == ' ' { "space".into() } else { c.to_string().into() });
    }
}

/// A change to the screen made on another thread, run later on the UI thread.
type Change = Box<dyn FnOnce(&AppWindow) + Send>;

/// A handle on the window that other threads change the screen through: each change runs on the UI thread.
#[derive(Clone)]
pub struct Handle {
    window: slint::Weak<AppWindow>,
    /// Changes waiting for [`Handle::drain`], on a platform without an event loop to post to (Slint's
    /// single-threaded testing backend, where the test is the event loop).
    waiting: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<Change>>>,
    /// Set when the kiosk stops: nothing more is posted, and the threads that post learn to stop.
    closed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Handle {
    pub fn of(ui: &AppWindow) -> Handle {
        Handle { window: ui.as_weak(), waiting: Default::default(), closed: Default::default() }
    }

    /// The kiosk is stopping: later posts are refused (and their senders stop).
    pub fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// False once the kiosk is stopping.
    pub fn is_open(&self) -> bool {
        !self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs `change` on the UI thread; false once the window (or its event loop) is gone.
    pub fn post(&self, change: impl FnOnce(&AppWindow) + Send + 'static) -> bool {
        if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        let change: Change = Box::new(change);
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(change)));
        let posted = slot.clone();
        let sent = self.window.upgrade_in_event_loop(move |ui| {
            if let Some(change) = posted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                change(&ui);
            }
        });
        match sent {
            Ok(()) => true,
            Err(slint::EventLoopError::NoEventLoopProvider) => {
                let change = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
                let mut waiting = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                waiting.extend(change);
                true
            }
            Err(_) => false,
        }
    }

    /// Runs the changes waiting on a platform without an event loop (see `waiting`), in order; how many ran.
    pub fn drain(&self, ui: &AppWindow) -> usize {
        let mut ran = 0;
        loop {
            let next = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop_front();
            let Some(change) = next else { return ran };
            change(ui);
            ran += 1;
        }
    }
}

/// Shows the window and runs the UI until it is closed.
pub fn run(ui: &AppWindow) -> Result<(), slint::PlatformError> {
    ui.run()
}

/// Asks for the whole screen. Call it right after [`build`], before anything posts to the event loop: under winit
/// a later request finds no monitor yet and leaves the window at its minimum size.
pub fn fill_screen(ui: &AppWindow) {
    ui.window().set_fullscreen(true);
}

/// Draws the frame that answers a tap or a key at once. Slint's winit backend paces every redraw on X11 with a
/// timer of one refresh interval that starts at the request, so even the first frame after an idle screen waited
/// ~16.7 ms before it was drawn (strace: the release event, a 14–16 ms timer, then the render). Asking winit for a
/// redraw when an input event arrives makes that frame come right after Slint has handled the event; animations
/// keep Slint's pacing. A no-op outside winit (linuxkms draws on its own page-flip loop; the testing backend).
#[cfg(feature = "winit")]
pub fn draw_input_at_once(ui: &AppWindow) {
    use slint::winit_030::{winit::event::WindowEvent, EventResult, WinitWindowAccessor as _};
    ui.window().on_winit_window_event(|window, event| {
        if matches!(
            event,
            WindowEvent::MouseInput { .. }
                | WindowEvent::Touch(_)
                | WindowEvent::KeyboardInput { .. }
                | WindowEvent::MouseWheel { .. }
                | WindowEvent::Ime(_)
        ) {
            window.with_winit_window(|winit| winit.request_redraw());
        }
        EventResult::Propagate
    });
}

#[cfg(not(feature = "winit"))]
pub fn draw_input_at_once(_: &AppWindow) {}

/// What the device thread reports, on screen: the devices' conditions (the technician screen, residents'
/// notices), a slip's print on the screen that asked for it, a scanned paper, the technician's test scan, a
/// restarted device thread.
pub fn show_device_event(ui: &AppWindow, event: crate::devices::Event) {
    use crate::devices::Event;
    match event {
        Event::Checked(report) => apply_report(ui, &report),
        Event::Printed { kind, reference, printed } => {
            let reference = reference.unwrap_or_default();
            match kind {
                SlipKind::TestPage => show_printed(ui, &printed),
                SlipKind::Ticket => show_ticket_printed(ui, &printed),
                SlipKind::Guidance => show_guidance_printed(ui, &printed),
                SlipKind::Receipt => dossier::SENT.printed(ui, &reference, printed.outcome.is_ok()),
                SlipKind::Intake => dossier::show_intake_printed(ui, &reference, printed.outcome.is_ok()),
                SlipKind::Visit => visit::SENT.printed(ui, &reference, printed.outcome.is_ok()),
                SlipKind::Booking => booking::SENT.printed(ui, &reference, printed.outcome.is_ok()),
            }
        }
        Event::Scanned { request, scanned } => dossier::show_scanned(ui, request, scanned),
        Event::TestScanned(test) => technician::show_test_scan(ui, test),
        Event::Restarted { restarts, cause } => {
            let kiosk = ui.global::<Kiosk>();
            kiosk.set_monitor_restarts(restarts.min(i32::MAX as u32) as i32);
            kiosk.set_monitor_last_panic(cause.chars().take(80).collect::<String>().into());
        }
    }
}

/// Builds the kiosk window from the configuration, showing the home screen in the first configured language.
/// A platform (winit, linuxkms, the headless one or Slint's testing backend) must be chosen before.
/// Chooses Slint's platform for the real kiosk (SLINT_BACKEND decides which, as before): on linuxkms the kiosk
/// sees each libinput key event first and drops Ctrl+Alt+Delete and Ctrl+Alt+Backspace, which would otherwise
/// quit the event loop (kiosk_core::chords). Call once, before the window is built; not for the walkthrough or
/// the tests, which choose their own.
pub fn select_platform() -> Result<(), slint::PlatformError> {
    let selector = slint::BackendSelector::new();
    #[cfg(feature = "kms")]
    let selector = {
        use input::event::keyboard::{KeyState, KeyboardEventTrait as _};
        let guard = std::cell::RefCell::new(kiosk_core::chords::ChordGuard::default());
        selector.with_libinput_event_hook(move |event| {
            let input::Event::Keyboard(key) = event else { return false };
            let pressed = key.key_state() == KeyState::Pressed;
            let dropped = guard.borrow_mut().drop_key(key.key(), pressed);
            if dropped && pressed {
                tracing::warn!(
                    "a key chord that would stop the kiosk (Ctrl+Alt+Delete or Ctrl+Alt+Backspace) was ignored"
                );
            }
            dropped
        })
    };
    selector.select()
}

pub fn build(config: &Config) -> Result<AppWindow, slint::PlatformError> {
    let ui = AppWindow::new()?;
    let kiosk = ui.global::<Kiosk>();
    let choices: Vec<LanguageChoice> = config
        .ui
        .languages
        .iter()
        .map(|language| LanguageChoice { code: language.code().into(), name: language.native_name().into() })
        .collect();
    kiosk.set_languages(ModelRc::from(Rc::new(VecModel::from(choices))));
    kiosk.set_kiosk_id(config.kiosk.id.as_str().into());
    kiosk.set_service_point(config.kiosk.service_point.as_str().into());
    kiosk.set_ward(config.kiosk.ward.as_str().into());
    kiosk.set_version(env!("CARGO_PKG_VERSION").into());
    let services =
        named(config.queue.services.iter().map(|s| (&s.code, &s.name_vi, &s.name_en)), |code, name_vi, name_en| {
            ServiceChoice { code, name_vi, name_en }
        });
    let half = services.len().div_ceil(2);
    kiosk.set_services_first_half(model(services[..half].to_vec()));
    kiosk.set_services_second_half(model(services[half..].to_vec()));
    kiosk.set_services(model(services));
    apply_report(&ui, &Report::CHECKING);
    set_clock(&ui, chrono::Local::now().naive_local());
    hours::install(&ui, config);
    technician::install(&ui, &config.queue.pagers);

    let weak = ui.as_weak();
    kiosk.on_select_language(move |code| {
        if let (Some(ui), Some(language)) = (weak.upgrade(), Language::from_code(&code)) {
            select_language(&ui, language);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_open(move |screen| {
        if let Some(ui) = weak.upgrade() {
            // Only a right PIN opens the technician screen; any other screen ends its session.
            if screen == Screen::Technician {
                return;
            }
            technician::end(&ui);
            tracing::info!(?screen, "screen opened");
            read_aloud::opened(&ui);
            let kiosk = ui.global::<Kiosk>();
            if screen == Screen::Queue {
                kiosk.set_ticket_step(TicketStep::ChooseService);
                kiosk.set_ticket_print(PrintState::Idle);
                kiosk.set_arrival_code("".into());
                kiosk.set_arrival_step(ArrivalStep::Typing);
            }
            if screen == Screen::Lookup {
                lookup_reset(&ui);
            }
            if screen == Screen::Track {
                track_reset(&ui);
            }
            if screen == Screen::Visit {
                visit::reset(&ui);
            }
            if screen == Screen::Booking {
                booking::reset(&ui);
                kiosk.invoke_booking_refresh();
            }
            if screen == Screen::Submit {
                dossier::reset(&ui);
            }
            kiosk.set_screen(screen);
            if screen == Screen::Home {
                give_back_after_frame();
            }
        }
    });
    // The dossier wizard reads its forms first: the lookup's procedures are matched against them.
    TONE_STYLE.with(|style| style.set(config.ui.tone_style));
    dossier::install(&ui);
    install_lookup(&ui, std::sync::Arc::new(crate::lookup::Lookup::bundled()));
    install_idle(&ui, config.ui.idle_timeout_seconds, config.ui.idle_prompt_seconds);
    visit::install(&ui, &config.kiosk.ward);
    booking::install(&ui);
    install_track_keys(&ui);
    install_arrival_keys(&ui);
    select_language(&ui, config.ui.languages[0]);
    Ok(ui)
}

thread_local! {
    /// Where the on-screen keyboards put a tone (from the configuration), for every screen that types.
    static TONE_STYLE: std::cell::Cell<kiosk_core::keyboard::ToneStyle> =
        const { std::cell::Cell::new(kiosk_core::keyboard::ToneStyle::Modern) };
}

/// The configured tone style of the on-screen keyboards.
fn tone_style() -> kiosk_core::keyboard::ToneStyle {
    TONE_STYLE.with(std::cell::Cell::get)
}

thread_local! {
    /// Seconds since the last tap away from the home screen, and the timer that counts them.
    static IDLE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static IDLE_TIMER: std::cell::RefCell<Option<slint::Timer>> = const { std::cell::RefCell::new(None) };
}

/// Every tap resets the quiet time; after `timeout` seconds of quiet away from the home screen the prompt counts
/// down `ui.idle_prompt_seconds`; then (or on "Start over") everything entered is wiped and the home screen returns.
fn install_idle(ui: &AppWindow, timeout: u32, prompt: u32) {
    let kiosk = ui.global::<Kiosk>();
    let weak = ui.as_weak();
    kiosk.on_activity(move || {
        IDLE.with(|idle| idle.set(0));
        read_aloud::quiet();
        if let Some(ui) = weak.upgrade() {
            ui.global::<Kiosk>().set_idle_left(0);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_start_over(move || {
        if let Some(ui) = weak.upgrade() {
            start_over(&ui);
        }
    });
    let weak = ui.as_weak();
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, std::time::Duration::from_secs(1), move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        let left = kiosk.get_idle_left();
        if left > 0 {
            if left == 1 {
                tracing::info!("nobody answered the idle prompt: starting over");
                start_over(&ui);
            } else {
                kiosk.set_idle_left(left - 1);
            }
            return;
        }
        // The technician screen and the PIN pad have their own quiet time, and never the residents' prompt.
        if kiosk.get_screen() == Screen::Technician || kiosk.get_pin_shown() {
            let quiet = IDLE.with(|idle| {
                idle.set(idle.get() + 1);
                idle.get()
            });
            if quiet >= technician::IDLE_SECONDS {
                IDLE.with(|idle| idle.set(0));
                if kiosk.get_screen() == Screen::Technician {
                    tracing::info!("the technician screen was left untouched: back to the start");
                    start_over(&ui);
                } else {
                    technician::close_pad(&ui);
                }
            }
            return;
        }
        if kiosk.get_screen() == Screen::Home && !kiosk.get_printed_visible() {
            IDLE.with(|idle| idle.set(0));
            return;
        }
        let quiet = IDLE.with(|idle| {
            idle.set(idle.get() + 1);
            idle.get()
        });
        if quiet >= timeout {
            kiosk.set_idle_left(prompt as i32);
        }
    });
    IDLE_TIMER.with(|slot| *slot.borrow_mut() = Some(timer));
}

/// Wipes everything a resident entered on any screen and shows the home screen in the first language.
/// Counts the residents' visits: "start over" and the idle reset begin a new one. A request's answer that comes
/// back (a status check, a booking check) is shown only in the visit that asked (review Low: a late answer must
/// not appear on the next resident's screen).
static VISIT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The current visit, to keep with a request.
pub fn visit() -> u64 {
    VISIT.load(std::sync::atomic::Ordering::SeqCst)
}

/// Whether `visit` is still the one on screen.
pub fn same_visit(visit: u64) -> bool {
    self::visit() == visit
}

pub fn start_over(ui: &AppWindow) {
    VISIT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    technician::end(ui);
    let kiosk = ui.global::<Kiosk>();
    lookup_reset(ui);
    track_reset(ui);
    visit::reset(ui);
    booking::reset(ui);
    dossier::reset(ui);
    kiosk.set_procedure(ProcedureView::default());
    kiosk.set_ticket_step(TicketStep::ChooseService);
    kiosk.set_ticket_service("".into());
    kiosk.set_arrival_code("".into());
    kiosk.set_arrival_step(ArrivalStep::Typing);
    kiosk.set_arrival_given("".into());
    kiosk.set_ticket(IssuedTicket::default());
    kiosk.set_ticket_print(PrintState::Idle);
    kiosk.set_printed_visible(false);
    kiosk.set_idle_left(0);
    kiosk.set_text_size(0);
    kiosk.set_high_contrast(false);
    IDLE.with(|idle| idle.set(0));
    kiosk.set_screen(Screen::Home);
    give_back_after_frame();
    if let Some(first) = kiosk.get_languages().row_data(0) {
        if let Some(language) = Language::from_code(&first.code) {
            select_language(ui, language);
        }
    }
    tracing::info!("started over: everything entered was cleared");
}

/// What the lookup screen keeps between keys: the query typed, the field browsed, and the page of results.
#[derive(Default)]
struct LookupState {
    query: String,
    field: String,
    offset: usize,
}

thread_local! {
    static LOOKUP: std::cell::RefCell<LookupState> = std::cell::RefCell::new(LookupState::default());
}

/// Results shown at once (the rest behind "More…"): four, so the keyboard and "Back to the start" stay in view
/// on a portrait screen without scrolling.
const PAGE: usize = 4;

fn lookup_reset(ui: &AppWindow) {
    LOOKUP.with(|state| *state.borrow_mut() = LookupState::default());
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_lookup_step(LookupStep::Search);
    kiosk.set_lookup_query("".into());
    kiosk.set_lookup_field("".into());
    kiosk.set_lookup_results(model(Vec::new()));
    kiosk.set_lookup_more(false);
    kiosk.set_guidance_print(PrintState::Idle);
}

fn show_results(ui: &AppWindow, lookup: &crate::lookup::Lookup) {
    let kiosk = ui.global::<Kiosk>();
    LOOKUP.with(|state| {
        let state = state.borrow();
        let matches: Vec<usize> = if !state.query.trim().is_empty() {
            lookup.index.search(&state.query, 60).into_iter().map(|hit| hit.procedure).collect()
        } else if !state.field.is_empty() {
            // A field's procedures in dictionary order of the language on screen (Vietnamese: Đ after D).
            let procedures = &lookup.catalogue.procedures;
            let mut listed: Vec<usize> =
                (0..procedures.len()).filter(|&n| procedures[n].field == state.field).collect();
            let language = current_language(ui).unwrap_or(Language::Vietnamese);
            kiosk_core::catalogue::sort_for_reading(&mut listed, language, |&n| &procedures[n]);
            listed
        } else {
            Vec::new()
        };
        let rows: Vec<ProcedureRow> = matches
            .iter()
            .skip(state.offset)
            .take(PAGE)
            .map(|&n| {
                let p = &lookup.catalogue.procedures[n];
                ProcedureRow {
                    id: p.id.as_str().into(),
                    code: p.code.as_str().into(),
                    name_vi: p.name_vi.as_str().into(),
                    name_en: p.name_en.as_str().into(),
                }
            })
            .collect();
        kiosk.set_lookup_more(matches.len() > PAGE);
        kiosk.set_lookup_query(state.query.as_str().into());
        kiosk.set_lookup_field(state.field.as_str().into());
        kiosk.set_lookup_results(model(rows));
    });
}

fn strings(items: &[String]) -> ModelRc<slint::SharedString> {
    model(items.iter().map(|s| s.as_str().into()).collect())
}

thread_local! {
    /// The catalogue behind the lists a resident scrolls, sorted again when the language changes.
    static LISTS: std::cell::RefCell<Option<std::sync::Arc<crate::lookup::Lookup>>> = const { std::cell::RefCell::new(None) };
}

/// The home-visit and booking lists of procedures, in dictionary order of `language`.
fn sort_lists(ui: &AppWindow, language: Language) {
    if let Some(lookup) = LISTS.with(|lists| lists.borrow().clone()) {
        visit::set_needs(ui, &lookup, language);
        booking::set_fields(ui, &lookup, language);
    }
}

/// Fills the lookup screen's fields and answers its keys, field choices and procedure taps.
pub fn install_lookup(ui: &AppWindow, lookup: std::sync::Arc<crate::lookup::Lookup>) {
    let kiosk = ui.global::<Kiosk>();
    let fields =
        named(lookup.catalogue.fields.iter().map(|f| (&f.id, &f.name_vi, &f.name_en)), |id, name_vi, name_en| {
            FieldChoice { id, name_vi, name_en }
        });
    kiosk.set_fields(model(fields));
    LISTS.with(|lists| *lists.borrow_mut() = Some(lookup.clone()));
    sort_lists(ui, current_language(ui).unwrap_or(Language::Vietnamese));
    dossier::set_procedures(ui, &lookup);
    let (weak, keys) = (ui.as_weak(), lookup.clone());
    kiosk.on_lookup_key(move |key| {
        let Some(ui) = weak.upgrade() else { return };
        LOOKUP.with(|state| {
            let mut state = state.borrow_mut();
            match key.as_str() {
                "space" => state.query.push(' '),
                "delete" => {
                    state.query.pop();
                }
                "clear" => state.query.clear(),
                "more" => state.offset += PAGE,
                key if key.chars().count() == 1 && state.query.chars().count() < 60 => state.query.push_str(key),
                _ => {}
            }
            if key.as_str() != "more" {
                state.offset = 0;
                state.field.clear();
            }
        });
        let total = LOOKUP.with(|state| state.borrow().offset);
        show_results(&ui, &keys);
        // "More…" past the end starts again at the top.
        if total > 0 && ui.global::<Kiosk>().get_lookup_results().row_count() == 0 {
            LOOKUP.with(|state| state.borrow_mut().offset = 0);
            show_results(&ui, &keys);
        }
    });
    let (weak, browse) = (ui.as_weak(), lookup.clone());
    kiosk.on_lookup_browse(move |field| {
        let Some(ui) = weak.upgrade() else { return };
        LOOKUP.with(|state| {
            let mut state = state.borrow_mut();
            state.query.clear();
            state.field = field.to_string();
            state.offset = 0;
        });
        show_results(&ui, &browse);
    });
    let (weak, open) = (ui.as_weak(), lookup);
    kiosk.on_open_procedure(move |id| {
        let Some(ui) = weak.upgrade() else { return };
        let Some(p) = open.procedure(&id) else { return };
        let kiosk = ui.global::<Kiosk>();
        kiosk.set_procedure(procedure_view(p));
        kiosk.set_guidance_print(PrintState::Idle);
        kiosk.set_lookup_step(LookupStep::Procedure);
        tracing::info!(procedure = %p.id, "procedure page opened");
    });
}

/// A procedure's page: its facts in both languages, with whether each was verified (read in the law's text or the
/// national procedure database), and the laws and national record cited for them (never the research notes).
fn procedure_view(p: &kiosk_core::catalogue::Procedure) -> ProcedureView {
    ProcedureView {
        id: p.id.as_str().into(),
        code: p.code.as_str().into(),
        code_checked: crate::lookup::checked(p, "code"),
        name_vi: p.name_vi.as_str().into(),
        name_en: p.name_en.as_str().into(),
        summary_vi: p.summary_vi.as_str().into(),
        summary_en: p.summary_en.as_str().into(),
        handled_by_vi: p.handled_by_vi.as_str().into(),
        handled_by_en: p.handled_by_en.as_str().into(),
        bring_vi: strings(&p.bring_vi),
        bring_en: strings(&p.bring_en),
        bring_checked: crate::lookup::checked(p, "bring"),
        steps_vi: strings(&p.steps_vi),
        steps_en: strings(&p.steps_en),
        fee_vi: p.fee_vi.as_str().into(),
        fee_en: p.fee_en.as_str().into(),
        fee_checked: crate::lookup::checked(p, "fee"),
        time_vi: p.time_vi.as_str().into(),
        time_en: p.time_en.as_str().into(),
        time_checked: crate::lookup::checked(p, "time"),
        legal_basis: p.legal_basis.join("; ").into(),
        sources: crate::lookup::sources_line(p, kiosk_core::config::Language::Vietnamese).into(),
        sources_en: crate::lookup::sources_line(p, kiosk_core::config::Language::English).into(),
        service: p.service.as_str().into(),
        kiosk_submission: p.kiosk_submission,
        home_visit: p.home_visit,
    }
}

/// Types `text` on the lookup screen's keys, as a resident would (the walkthrough and tests).
pub fn lookup_type(ui: &AppWindow, text: &str) {
    let kiosk = ui.global::<Kiosk>();
    for c in text.chars() {
        kiosk.invoke_lookup_key(if c == ' ' { "space".into() } else { c.to_string().into() });
    }
}

/// Opens a procedure's page on the lookup screen.
pub fn show_procedure(ui: &AppWindow, id: &str) {
    ui.global::<Kiosk>().invoke_open_procedure(id.into());
}

fn track_reset(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_track_code("".into());
    kiosk.set_track_step(TrackStep::Typing);
    kiosk.set_track_received("".into());
    kiosk.set_track_known_at("".into());
    kiosk.set_track_fee(FeeView::default());
    kiosk.set_track_booking(false);
}

fn install_track_keys(ui: &AppWindow) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_track_key(move |key| {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        let mut code = kiosk.get_track_code().to_string();
        match key.as_str() {
            "delete" => {
                code.pop();
            }
            "clear" => code.clear(),
            key if key.len() == 1 && code.len() < 40 => code.push_str(key),
            _ => {}
        }
        kiosk.set_track_code(code.into());
        kiosk.set_track_step(TrackStep::Typing);
    });
}

/// The booking code's keys on arrival: the on-screen keys ("delete", "clear", a letter) and what a QR reader
/// types as a keyboard (lower case letters made upper; anything but letters, digits, - and . ignored).
fn install_arrival_keys(ui: &AppWindow) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_arrival_key(move |key| {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_arrival_step() == ArrivalStep::Checking {
            return;
        }
        let mut code = kiosk.get_arrival_code().to_string();
        match key.as_str() {
            "delete" => {
                code.pop();
            }
            "clear" => code.clear(),
            key => {
                let typed: String = key
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                if code.len() + typed.len() <= 40 {
                    code.push_str(&typed);
                }
            }
        }
        kiosk.set_arrival_code(code.into());
        kiosk.set_arrival_step(ArrivalStep::Typing);
    });
}

/// What "Get my priority number" (or a QR reader's Enter) does: `check` gets the code, the service chosen and
/// the language, and answers off the UI thread with [`show_arrival`] (or issues the ticket, then
/// [`show_ticket`]).
pub fn on_arrival_check(ui: &AppWindow, check: impl Fn(String, String, Language) + 'static) {
    let wire = |kiosk: &Kiosk, handler| kiosk.on_arrival_check(handler);
    on_unless_busy(
        ui,
        wire,
        |kiosk| kiosk.get_arrival_step() == ArrivalStep::Checking || kiosk.get_ticket_step() == TicketStep::Issuing,
        move |ui, kiosk| {
            let code = kiosk.get_arrival_code().to_string();
            if !crate::tracking::checkable(&code) {
                kiosk.set_arrival_step(ArrivalStep::Invalid);
                return;
            }
            kiosk.set_arrival_step(ArrivalStep::Checking);
            let language = current_language(ui).unwrap_or(Language::Vietnamese);
            check(code, kiosk.get_ticket_service().to_string(), language);
        },
    );
}

/// Shows `code` as typed and what checking it found (the walkthrough draws it).
pub fn show_arrival_code(ui: &AppWindow, code: &str, verdict: &crate::booking::Verdict) {
    ui.global::<Kiosk>().set_arrival_code(code.into());
    show_arrival(ui, verdict);
}

/// Shows why no number was given for a booking code (a welcome goes on to issuing the ticket instead).
pub fn show_arrival(ui: &AppWindow, verdict: &crate::booking::Verdict) {
    use crate::booking::Verdict;
    let kiosk = ui.global::<Kiosk>();
    let step = match verdict {
        Verdict::Welcome { .. } => {
            kiosk.set_ticket_step(TicketStep::Issuing);
            ArrivalStep::Typing
        }
        Verdict::OtherDay { date } => {
            kiosk.set_arrival_date(kiosk_core::booking::date_for_reading(date).into());
            kiosk.set_arrival_weekday(booking::weekday_index(kiosk_core::booking::weekday(date)));
            ArrivalStep::OtherDay
        }
        Verdict::Attended => ArrivalStep::Attended,
        Verdict::Cancelled => ArrivalStep::Cancelled,
        Verdict::Given(label) => {
            kiosk.set_arrival_given(label.as_str().into());
            ArrivalStep::Given
        }
        Verdict::Unknown => ArrivalStep::Unknown,
        Verdict::Unreachable => ArrivalStep::Unreachable,
        Verdict::NotBooking => ArrivalStep::NotBooking,
        Verdict::NotConfirmed => ArrivalStep::NotConfirmed,
        Verdict::Taken => ArrivalStep::Taken,
        Verdict::Invalid => ArrivalStep::Invalid,
    };
    kiosk.set_arrival_step(step);
}

/// Wires a `Kiosk` callback with `wire` (`|kiosk, handler| kiosk.on_dossier_send(handler)`) to `handler`, which
/// gets the window while it exists; a second tap while `busy` (the first still under way) does nothing.
pub(crate) fn on_unless_busy(
    ui: &AppWindow,
    wire: impl FnOnce(&Kiosk, Box<dyn FnMut()>),
    busy: fn(&Kiosk) -> bool,
    handler: impl Fn(&AppWindow, &Kiosk) + 'static,
) {
    let weak = ui.as_weak();
    wire(
        &ui.global::<Kiosk>(),
        Box::new(move || {
            let Some(ui) = weak.upgrade() else { return };
            let kiosk = ui.global::<Kiosk>();
            if !busy(&kiosk) {
                handler(&ui, &kiosk);
            }
        }),
    );
}

/// What "Check" does: `check` gets the code typed and must answer off the UI thread with [`show_track_answer`].
pub fn on_track_check(ui: &AppWindow, check: impl Fn(String) + 'static) {
    let wire = |kiosk: &Kiosk, handler| kiosk.on_track_check(handler);
    on_unless_busy(
        ui,
        wire,
        |kiosk| kiosk.get_track_step() == TrackStep::Checking,
        move |_, kiosk| {
            let code = kiosk.get_track_code().to_string();
            if !crate::tracking::checkable(&code) {
                kiosk.set_track_step(TrackStep::Invalid);
                return;
            }
            kiosk.set_track_step(TrackStep::Checking);
            check(code);
        },
    );
}

fn local_date(unix: i64, with_time: bool) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local).format(if with_time { "%H:%M %d/%m/%Y" } else { "%d/%m/%Y" }).to_string()
        })
        .unwrap_or_default()
}

/// Shows the portal's answer (or the last one known) about a dossier code.
pub fn show_track_answer(ui: &AppWindow, answer: &crate::tracking::Answer) {
    use crate::tracking::Answer;
    let kiosk = ui.global::<Kiosk>();
    let status = match answer {
        Answer::Current(status) => {
            kiosk.set_track_step(TrackStep::Current);
            status
        }
        Answer::LastKnown { status, known_at } => {
            kiosk.set_track_step(TrackStep::LastKnown);
            kiosk.set_track_known_at(local_date(*known_at, true).into());
            status
        }
        Answer::Unknown => return kiosk.set_track_step(TrackStep::Unknown),
        Answer::Unreachable => return kiosk.set_track_step(TrackStep::Unreachable),
        Answer::Invalid => return kiosk.set_track_step(TrackStep::Invalid),
        Answer::Waiting(kind) | Answer::Declined(kind) | Answer::WithStaff(kind) | Answer::AtCounter(kind) => {
            kiosk.set_track_home_visit(*kind == kiosk_core::portal::Kind::HomeVisit);
            kiosk.set_track_booking(*kind == kiosk_core::portal::Kind::Booking);
            kiosk.set_track_fee(FeeView::default());
            let step = match answer {
                Answer::Waiting(_) => TrackStep::Waiting,
                Answer::Declined(_) => TrackStep::Declined,
                Answer::AtCounter(_) => TrackStep::AtCounter,
                _ => TrackStep::WithStaff,
            };
            return kiosk.set_track_step(step);
        }
    };
    let current = matches!(answer, Answer::Current(_));
    kiosk.set_track_fee(fee::view(&status.dossier_code, status.fee.as_ref(), current));
    kiosk.set_track_state(crate::tracking::state_index(&status.state));
    kiosk.set_track_home_visit(crate::tracking::is_home_visit(status));
    kiosk.set_track_found_code(status.dossier_code.as_str().into());
    kiosk.set_track_booking(status.booking.is_some());
    kiosk.set_track_received(local_date(status.received_at, false).into());
    if let Some(booked) = &status.booking {
        kiosk.set_track_booking_state(crate::tracking::booking_state_index(&status.state));
        kiosk.set_track_booking_date(kiosk_core::booking::date_for_reading(&booked.date).into());
        kiosk.set_track_booking_weekday(booking::weekday_index(kiosk_core::booking::weekday(&booked.date)));
        kiosk.set_track_booking_time(format!("{}–{}", booked.start, booked.end).into());
        kiosk.set_track_booking_place(
            match current_language(ui).unwrap_or(Language::Vietnamese) {
                Language::English => format!("{}, {}", booked.place_en, booked.address),
                Language::Vietnamese => format!("{}, {}", booked.place_vi, booked.address),
            }
            .into(),
        );
    }
}

/// What "Print this" does: `request` gets the procedure's id and the language on screen, and hands the guidance
/// slip to the device thread (it must not block).
pub fn on_print_guidance(ui: &AppWindow, request: impl Fn(String, Language) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_print_guidance(move |id| {
        if let Some(ui) = weak.upgrade() {
            let kiosk = ui.global::<Kiosk>();
            if kiosk.get_guidance_print() == PrintState::Printing {
                return;
            }
            kiosk.set_guidance_print(PrintState::Printing);
            request(id.to_string(), current_language(&ui).unwrap_or(Language::Vietnamese));
        }
    });
}

/// The outcome of a guidance slip's print.
pub fn show_guidance_printed(ui: &AppWindow, printed: &Printed) {
    let state = if printed.outcome.is_ok() { PrintState::Printed } else { PrintState::Failed };
    ui.global::<Kiosk>().set_guidance_print(state);
}

/// Rows for a list of things with an id and a name in each language.
fn named<'a, T>(
    items: impl Iterator<Item = (&'a String, &'a String, &'a String)>,
    row: impl Fn(slint::SharedString, slint::SharedString, slint::SharedString) -> T,
) -> Vec<T> {
    items.map(|(id, vi, en)| row(id.as_str().into(), vi.as_str().into(), en.as_str().into())).collect()
}

pub(crate) fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

/// Shows every text in `language`. The UI's source strings are English; Vietnamese comes from the bundled
/// translation in assets/lang.
pub fn select_language(ui: &AppWindow, language: Language) {
    if let Err(error) = slint::select_bundled_translation(language.code()) {
        // Cannot happen with the bundle built in; if it does, the screen stays readable in its current language.
        tracing::error!(%error, language = language.code(), "language not available");
        return;
    }
    ui.global::<Kiosk>().set_language(language.code().into());
    sort_lists(ui, language);
    tracing::info!(language = language.code(), "language selected");
}

/// The language on screen now.
pub fn current_language(ui: &AppWindow) -> Option<Language> {
    Language::from_code(&ui.global::<Kiosk>().get_language())
}

/// Returns to the home screen, as "start over" and the idle timeout do (a technician session ends).
pub fn go_home(ui: &AppWindow) {
    technician::end(ui);
    ui.global::<Kiosk>().set_screen(Screen::Home);
    give_back_after_frame();
}

/// Once the home screen is drawn, what the finished screen used goes back to the system (not before: the tap's
/// frame comes first).
fn give_back_after_frame() {
    slint::Timer::single_shot(std::time::Duration::from_millis(100), crate::give_back_free_memory);
}

/// What the technician's test-print button does: `request` hands the job to the device thread (it must not
/// block).
pub fn on_print_test_page(ui: &AppWindow, request: impl Fn() + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_print_test_page(move || {
        if let Some(ui) = weak.upgrade() {
            let kiosk = ui.global::<Kiosk>();
            if kiosk.get_print_state() == PrintState::Printing {
                return;
            }
            kiosk.set_print_state(PrintState::Printing);
            request();
        }
    });
}

/// Shows the outcome of a print: the paper the printer received, or why nothing came out.
pub fn show_printed(ui: &AppWindow, printed: &Printed) {
    let kiosk = ui.global::<Kiosk>();
    match (&printed.outcome, &printed.paper) {
        (Ok(_), Some(paper)) => {
            let mut buffer = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(paper.width, paper.height);
            for (pixel, grey) in buffer.make_mut_slice().iter_mut().zip(&paper.grey) {
                *pixel = slint::Rgb8Pixel { r: *grey, g: *grey, b: *grey };
            }
            kiosk.set_printed_paper(slint::Image::from_rgb8(buffer));
            kiosk.set_print_state(PrintState::Printed);
        }
        (Ok(_), None) => kiosk.set_print_state(PrintState::Idle),
        (Err(kind), _) => {
            kiosk.set_print_problem(problem_state(*kind));
            kiosk.set_print_state(PrintState::Failed);
        }
    }
    kiosk.set_printed_visible(kiosk.get_print_state() != PrintState::Idle);
}

/// Shows a round of device and portal checks: on the technician screen, and as residents' notices when the
/// printer or the scanner cannot serve them.
pub fn apply_report(ui: &AppWindow, report: &Report) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_printer(device_health(&report.printer));
    kiosk.set_scanner(device_health(&report.scanner));
    kiosk.set_pager(device_health(&report.pager));
    kiosk.set_printer_notice(match report.printer.health {
        Health::PaperOut => PrinterNotice::NoPaper,
        health if health.out_of_service() => PrinterNotice::NotWorking,
        _ => PrinterNotice::None,
    });
    kiosk.set_scanner_out(report.scanner.health.out_of_service());
    kiosk.set_portal(match report.portal {
        PortalReach::Checking => PortalState::Checking,
        PortalReach::Reachable => PortalState::Reachable,
        PortalReach::Unreachable => PortalState::Unreachable,
    });
}

/// What the screen says of a failed print.
fn problem_state(kind: kiosk_drivers::printer::ErrorKind) -> DeviceState {
    device_state(crate::devices::printer::error_health(kind))
}

fn device_health(report: &DeviceReport) -> DeviceHealth {
    DeviceHealth {
        state: device_state(report.health),
        simulated: report.simulated,
        cause: report.cause.as_deref().unwrap_or("").chars().take(200).collect::<String>().into(),
    }
}

fn device_state(health: Health) -> DeviceState {
    match health {
        Health::Checking => DeviceState::Checking,
        Health::Ready => DeviceState::Ready,
        Health::PaperLow => DeviceState::PaperLow,
        Health::PaperOut => DeviceState::PaperOut,
        Health::CoverOpen => DeviceState::CoverOpen,
        Health::Offline => DeviceState::Offline,
        Health::Disconnected => DeviceState::Disconnected,
        Health::NotResponding => DeviceState::NotResponding,
        Health::Jammed => DeviceState::Jammed,
        Health::Busy => DeviceState::Busy,
        Health::Fault => DeviceState::Fault,
        Health::Unsupported => DeviceState::Unsupported,
        Health::Absent => DeviceState::Absent,
    }
}

/// Sets the header's clock.
pub fn set_clock(ui: &AppWindow, now: NaiveDateTime) {
    ui.global::<Kiosk>().set_now(ClockTime {
        hour: now.hour() as i32,
        minute: now.minute() as i32,
        day: now.day() as i32,
        month: now.month() as i32,
        year: now.year(),
        weekday: now.weekday().num_days_from_monday() as i32,
    });
}

/// The header clock's timer: the clock stops when it is dropped.
pub type Clock = slint::Timer;

/// Keeps the header's clock current. The timer lives as long as the returned value.
pub fn start_clock(ui: &AppWindow) -> Clock {
    let timer = slint::Timer::default();
    let weak = ui.as_weak();
    timer.start(slint::TimerMode::Repeated, std::time::Duration::from_secs(1), move || {
        if let Some(ui) = weak.upgrade() {
            set_clock(&ui, chrono::Local::now().naive_local());
            let (day, minute) = crate::clock::local_minute();
            hours::show(&ui, day, minute);
        }
    });
    timer
}

/// The screens a resident can reach from the home screen, for walkthroughs and tests.
pub const TASK_SCREENS: [Screen; 6] =
    [Screen::Lookup, Screen::Queue, Screen::Submit, Screen::Track, Screen::Booking, Screen::Visit];

/// A short file-name-safe name for a screen.
pub fn screen_slug(screen: Screen) -> &'static str {
    match screen {
        Screen::Home => "home",
        Screen::Lookup => "lookup",
        Screen::Queue => "queue",
        Screen::Submit => "submit",
        Screen::Track => "track",
        Screen::Visit => "visit",
        Screen::Booking => "booking",
        Screen::Technician => "technician",
    }
}

/// Shows `screen`, exactly as a tap on its tile does.
pub fn open(ui: &AppWindow, screen: Screen) {
    ui.global::<Kiosk>().invoke_open(screen);
}

/// Shows the tickets most recently called to counters (label and counter), most recent first.
pub fn show_now_serving(ui: &AppWindow, called: &[(String, u16)]) {
    let rows: Vec<CalledTicket> = called
        .iter()
        .map(|(label, counter)| CalledTicket { label: label.as_str().into(), counter: i32::from(*counter) })
        .collect();
    ui.global::<Kiosk>().set_now_serving(ModelRc::from(Rc::new(VecModel::from(rows))));
}

/// How long the demo shows a simulated pager vibrating.
pub const VIBRATION_SHOWN: std::time::Duration = std::time::Duration::from_secs(8);

/// Shows that the simulated transmitter is making `pager` vibrate, for a few seconds (demo kiosks only).
pub fn show_vibrating_pager(ui: &AppWindow, pager: u16) {
    let pager = i32::from(pager);
    ui.global::<Kiosk>().set_vibrating_pager(pager);
    let weak = ui.as_weak();
    slint::Timer::single_shot(VIBRATION_SHOWN, move || {
        if let Some(ui) = weak.upgrade() {
            // A later page keeps its own few seconds.
            if ui.global::<Kiosk>().get_vibrating_pager() == pager {
                ui.global::<Kiosk>().set_vibrating_pager(0);
            }
        }
    });
}

/// What "take a number" does: `take` gets the service code and priority, and must hand the work to another
/// thread (issuing commits to disk). The screen shows "getting your number" until [`show_ticket`] or
/// [`show_ticket_failed`].
pub fn on_take_ticket(ui: &AppWindow, take: impl Fn(String, kiosk_core::queue::Priority, Language) + 'static) {
    use kiosk_core::queue::Priority;
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_take_ticket(move |code, priority| {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_ticket_step() == TicketStep::Issuing {
            return; // a second tap while the first is being issued
        }
        let priority = match priority {
            generated::Priority::None => Priority::None,
            generated::Priority::Elderly => Priority::Elderly,
            generated::Priority::Merit => Priority::Merit,
            generated::Priority::Disability => Priority::Disability,
            generated::Priority::Pregnant => Priority::Pregnant,
            // Only the arrival check issues these (on_arrival_check), never a tap.
            generated::Priority::Booked => return,
        };
        kiosk.set_ticket_step(TicketStep::Issuing);
        kiosk.set_ticket_print(PrintState::Idle);
        take(code.to_string(), priority, current_language(&ui).unwrap_or(Language::Vietnamese));
    });
}

/// "Print the ticket again" (offered once the printer works again after the ticket's print failed): printing
/// starts again on screen and `reprint` sends the same ticket to the printer.
pub fn on_reprint_ticket(ui: &AppWindow, reprint: impl Fn() + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_reprint_ticket(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_ticket_print() != PrintState::Failed {
            return; // a second tap while it is already printing
        }
        kiosk.set_ticket_print(PrintState::Printing);
        reprint();
    });
}

/// Shows the number just issued; printing starts.
pub fn show_ticket(ui: &AppWindow, issued: &crate::tickets::Issued) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_ticket(IssuedTicket {
        label: issued.label.as_str().into(),
        // Both languages: the resident may switch after taking the number.
        service_name_vi: issued.service_name(Language::Vietnamese).into(),
        service_name_en: issued.service_name(Language::English).into(),
        pager: issued.pager.map_or(0, i32::from),
        ahead: issued.ahead as i32,
        wait_minutes: issued.wait_minutes as i32,
        rough: issued.rough,
    });
    kiosk.set_ticket_step(TicketStep::Issued);
    kiosk.set_ticket_print(PrintState::Printing);
}

/// A number was asked for just as the service point closed: the queue screen says when numbers are given again.
pub fn show_numbers_closed(ui: &AppWindow, day: kiosk_core::queue::Day, minute: kiosk_core::hours::Minute) {
    hours::show(ui, day, minute);
    ui.global::<Kiosk>().set_ticket_step(TicketStep::ChooseService);
}

/// The ticket could not be issued: the resident is sent to a person.
pub fn show_ticket_failed(ui: &AppWindow) {
    ui.global::<Kiosk>().set_ticket_step(TicketStep::Failed);
}

/// The ticket's print finished (or failed: the number stays valid and on screen).
pub fn show_ticket_printed(ui: &AppWindow, printed: &Printed) {
    let kiosk = ui.global::<Kiosk>();
    match printed.outcome {
        Ok(_) => kiosk.set_ticket_print(PrintState::Printed),
        Err(kind) => {
            kiosk.set_ticket_print_problem(problem_state(kind));
            kiosk.set_ticket_print(PrintState::Failed);
        }
    }
}

/// Moves the queue screen to a step (the walkthrough draws each one).
pub fn show_ticket_step(ui: &AppWindow, step: TicketStep) {
    ui.global::<Kiosk>().set_ticket_step(step);
}

/// Shows the outbox's counts on the technician screen.
pub fn show_outbox(ui: &AppWindow, summary: &crate::outbox::store::Summary) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_outbox_installed(true);
    kiosk.set_outbox_waiting(summary.waiting().min(i32::MAX as u64) as i32);
    kiosk.set_outbox_oldest_minutes(summary.oldest_waiting.map_or(0, |s| (s / 60).clamp(0, i32::MAX as i64) as i32));
    kiosk.set_outbox_quarantined(summary.quarantined.min(i32::MAX as u64) as i32);
    kiosk.set_outbox_disk_low(summary.disk_low);
    // For staff and the technician: the cause as the network or portal gave it (never personal data), shortened.
    let error: String = summary.last_error.as_deref().unwrap_or("").chars().take(60).collect();
    kiosk.set_outbox_last_error(error.into());
}

/// Hides the kiosk's window: a shown window keeps its component alive (and with it every store its callbacks
/// hold), so a stopped kiosk lets go of them only once hidden.
pub fn hide(window: &AppWindow) {
    let _ = window.hide();
}
