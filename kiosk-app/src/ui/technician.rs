//! The technician's part of the screen: the PIN pad that the header's hidden corner opens (a 5-second press,
//! technician.slint), the digits typed kept here, the check handed to the shell (`crate::technician`, off the UI
//! thread), and the technician screen (`Screen::Technician`): opened only by a right PIN, left by "Leave", by going
//! home, or by itself after [`IDLE_SECONDS`] without a touch; the results of its tests (print, scan, page).
//!
//! Must not do: check a PIN on this thread, show or log a PIN (the pad shows how many digits), or open the
//! technician screen without a right PIN (`Kiosk.open` refuses it).

use std::cell::{Cell, RefCell};

use slint::ComponentHandle;
use zeroize::Zeroizing;

use super::{AppWindow, Kiosk, PageAnswer, PinState, Screen, TestState};
use crate::devices::{Fault, PageOutcome};
use crate::technician::Answer;

/// Seconds without a touch before the technician screen goes back to the start (and the PIN pad closes).
pub const IDLE_SECONDS: u32 = 60;

/// The longest PIN the pad takes (kiosk-core's PIN rules allow 6 to 12 digits).
const MAX_DIGITS: usize = 12;

thread_local! {
    /// The digits typed on the pad; wiped on every answer, on Cancel and when the pad closes.
    static PIN: RefCell<Zeroizing<String>> = RefCell::new(Zeroizing::new(String::new()));
    /// Whether a right PIN opened the technician screen and it has not been left since.
    static SESSION: Cell<bool> = const { Cell::new(false) };
    /// A PIN is being checked (its answer not back yet).
    static CHECKING: Cell<bool> = const { Cell::new(false) };
}

/// Wires the PIN pad and the technician screen's own controls; `pagers` is the configured pager range (the test
/// page goes to its first pager unless − / + choose another).
pub fn install(ui: &AppWindow, pagers: &[u16]) {
    // A new window starts with no session, no check under way and nothing typed.
    SESSION.set(false);
    CHECKING.set(false);
    PIN.with(|pin| pin.borrow_mut().clear());
    let kiosk = ui.global::<Kiosk>();
    let first = pagers.first().copied().map_or(0, i32::from);
    let last = pagers.last().copied().map_or(0, i32::from);
    kiosk.set_pager_test_first(first);
    kiosk.set_pager_test_last(last);
    kiosk.set_pager_test_number(first);
    // Without the shell's checks (a window with no kiosk behind it, the walkthrough) no PIN is set.
    let weak = ui.as_weak();
    kiosk.on_technician_door(move || {
        if let Some(ui) = weak.upgrade() {
            if open_pad(&ui) {
                ui.global::<Kiosk>().set_pin_state(PinState::NotSet);
            }
        }
    });
    let weak = ui.as_weak();
    kiosk.on_pin_key(move |key| {
        if let Some(ui) = weak.upgrade() {
            type_key(&ui, &key);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_pin_ok(move || {
        if let Some(ui) = weak.upgrade() {
            submit(&ui, &|_| false);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_pin_cancel(move || {
        if let Some(ui) = weak.upgrade() {
            close_pad(&ui);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_technician_leave(move || {
        if let Some(ui) = weak.upgrade() {
            tracing::info!("the technician left the technician screen");
            super::start_over(&ui);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_pager_test_step(move |step| {
        if let Some(ui) = weak.upgrade() {
            let kiosk = ui.global::<Kiosk>();
            let number =
                (kiosk.get_pager_test_number() + step).clamp(kiosk.get_pager_test_first(), kiosk.get_pager_test_last());
            kiosk.set_pager_test_number(number);
        }
    });
}

/// What the pad asks the shell: `door` as it opens (answered with [`show_answer`]: ready, locked or no PIN set),
/// `check` with the PIN typed when OK is pressed (answered with [`show_answer`]). Both must hand their work to
/// another thread.
pub fn on_pin_check(ui: &AppWindow, door: impl Fn() + 'static, check: impl Fn(Zeroizing<String>) + 'static) {
    // Held by the window's callbacks, so they go with the window (and what they hold with them).
    let kiosk = ui.global::<Kiosk>();
    let weak = ui.as_weak();
    kiosk.on_technician_door(move || {
        if let Some(ui) = weak.upgrade() {
            if open_pad(&ui) {
                door();
            }
        }
    });
    let weak = ui.as_weak();
    kiosk.on_pin_ok(move || {
        if let Some(ui) = weak.upgrade() {
            submit(&ui, &|pin| {
                check(pin);
                true
            });
        }
    });
}

/// What "Test scan" does: `scan` asks the device thread (the answer comes as an `Event::TestScanned`).
pub fn on_test_scan(ui: &AppWindow, scan: impl Fn() + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_technician_test_scan(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if !in_session(&ui) || kiosk.get_scan_test() == TestState::Running {
            return;
        }
        kiosk.set_scan_test(TestState::Running);
        scan();
    });
}

/// What "Test pager" does: `page` gets the pager chosen and must page it off the UI thread, answering with
/// [`show_test_page`].
pub fn on_test_pager(ui: &AppWindow, page: impl Fn(u16) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_technician_test_pager(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if !in_session(&ui) || kiosk.get_pager_test() == TestState::Running {
            return;
        }
        let Ok(pager) = u16::try_from(kiosk.get_pager_test_number()) else { return };
        kiosk.set_pager_test(TestState::Running);
        page(pager);
    });
}

/// Whether the technician screen is open after a right PIN.
pub fn in_session(ui: &AppWindow) -> bool {
    SESSION.with(Cell::get) && ui.global::<Kiosk>().get_screen() == Screen::Technician
}

/// The pad opens over the current screen, checking until the shell's answer (not a second time, and not over the
/// technician screen itself). Whether it opened.
fn open_pad(ui: &AppWindow) -> bool {
    let kiosk = ui.global::<Kiosk>();
    if kiosk.get_pin_shown() || kiosk.get_screen() == Screen::Technician {
        return false;
    }
    tracing::info!("the technician's corner was held: PIN pad opened");
    wipe_pin(ui);
    kiosk.set_idle_left(0);
    kiosk.set_pin_state(PinState::Checking);
    kiosk.set_pin_shown(true);
    true
}

fn type_key(ui: &AppWindow, key: &str) {
    let kiosk = ui.global::<Kiosk>();
    let state = kiosk.get_pin_state();
    let takes = matches!(state, PinState::Entry | PinState::Wrong) || (state == PinState::Checking && !CHECKING.get());
    if !kiosk.get_pin_shown() || !takes || CHECKING.get() {
        return;
    }
    PIN.with(|pin| {
        let mut pin = pin.borrow_mut();
        match key {
            "delete" => {
                pin.pop();
            }
            digit if digit.len() == 1 && digit.bytes().all(|b| b.is_ascii_digit()) && pin.len() < MAX_DIGITS => {
                pin.push_str(digit);
            }
            _ => {}
        }
        kiosk.set_pin_length(pin.len() as i32);
    });
    if state == PinState::Wrong {
        kiosk.set_pin_state(PinState::Entry);
    }
}

/// OK: the PIN typed goes to the shell's `check` (one at a time); false from `check`: there is no shell to ask.
fn submit(ui: &AppWindow, check: &dyn Fn(Zeroizing<String>) -> bool) {
    let kiosk = ui.global::<Kiosk>();
    if !kiosk.get_pin_shown() || CHECKING.get() || !matches!(kiosk.get_pin_state(), PinState::Entry | PinState::Wrong) {
        return;
    }
    let pin = PIN.with(|pin| pin.borrow().clone());
    if pin.is_empty() {
        return;
    }
    CHECKING.set(true);
    kiosk.set_pin_state(PinState::Checking);
    if !check(pin) {
        CHECKING.set(false);
        kiosk.set_pin_state(PinState::NotSet);
        wipe_pin(ui);
    }
}

/// The shell's answer: as the pad opened, or to a PIN. A right PIN opens the technician screen (what a resident
/// had entered is wiped first, as "start over" does); an answer for a pad that has been closed is dropped.
pub fn show_answer(ui: &AppWindow, answer: Answer) {
    let kiosk = ui.global::<Kiosk>();
    let was_checking = CHECKING.replace(false);
    if !kiosk.get_pin_shown() {
        wipe_pin(ui);
        return;
    }
    match answer {
        Answer::Ready => {
            // The pad's opening check; digits typed meanwhile stay.
            if kiosk.get_pin_state() == PinState::Checking && !was_checking {
                kiosk.set_pin_state(PinState::Entry);
            }
            return;
        }
        Answer::Right => {
            super::start_over(ui);
            SESSION.set(true);
            reset_tests(ui);
            kiosk.set_screen(Screen::Technician);
        }
        Answer::Wrong { attempts_left } => {
            kiosk.set_pin_attempts_left(attempts_left as i32);
            kiosk.set_pin_state(PinState::Wrong);
        }
        Answer::Locked { minutes_left } => {
            kiosk.set_pin_minutes_left(minutes_left.min(i32::MAX as u32) as i32);
            kiosk.set_pin_state(PinState::Locked);
        }
        Answer::NotSet => kiosk.set_pin_state(PinState::NotSet),
        Answer::Unusable => kiosk.set_pin_state(PinState::Unusable),
    }
    wipe_pin(ui);
}

/// Closes the pad and forgets what was typed (Cancel, the quiet time).
pub fn close_pad(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_pin_shown(false);
    kiosk.set_pin_state(PinState::Checking);
    wipe_pin(ui);
}

/// The technician session ends (the home screen returned): the PIN is asked again, the pad is closed, the
/// tests' results (a scanned page's preview) are dropped.
pub fn end(ui: &AppWindow) {
    if SESSION.replace(false) {
        tracing::info!("the technician session ended");
    }
    close_pad(ui);
    reset_tests(ui);
}

fn wipe_pin(ui: &AppWindow) {
    PIN.with(|pin| pin.borrow_mut().clear());
    ui.global::<Kiosk>().set_pin_length(0);
}

fn reset_tests(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_scan_test(TestState::Idle);
    kiosk.set_scan_test_preview(slint::Image::default());
    kiosk.set_scan_test_cause("".into());
    kiosk.set_pager_test(TestState::Idle);
    kiosk.set_pager_test_cause("".into());
    kiosk.set_pager_test_number(kiosk.get_pager_test_first());
    kiosk.set_print_state(super::PrintState::Idle);
    kiosk.set_printed_visible(false);
}

/// The technician's test scan came back: the page's preview, size, resolution and the time it took, or the
/// scanner's condition and the driver's cause. Dropped when the technician screen has been left.
pub fn show_test_scan(ui: &AppWindow, test: crate::devices::scanner::TestScan) {
    if !in_session(ui) {
        return;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_scan_test_ms(test.elapsed.as_millis().min(i32::MAX as u128) as i32);
    match test.outcome {
        Ok(page) => {
            kiosk.set_scan_test_preview(super::dossier::image(&page.preview));
            kiosk.set_scan_test_width(page.width.min(i32::MAX as usize) as i32);
            kiosk.set_scan_test_height(page.height.min(i32::MAX as usize) as i32);
            kiosk.set_scan_test_dpi(page.dpi.min(i32::MAX as u32) as i32);
            kiosk.set_scan_test(TestState::Done);
        }
        Err((health, fault)) => {
            kiosk.set_scan_test_problem(super::device_state(health));
            kiosk.set_scan_test_cause(short(&fault.cause).into());
            kiosk.set_scan_test(TestState::Failed);
        }
    }
}

/// The transmitter's answer to the technician's test page for `pager`.
pub fn show_test_page(ui: &AppWindow, pager: u16, outcome: PageOutcome, fault: Option<Fault>) {
    if !in_session(ui) {
        return;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_pager_test_paged(i32::from(pager));
    kiosk.set_pager_test_cause(fault.map(|f| short(&f.cause)).unwrap_or_default().into());
    let (answer, state) = match outcome {
        PageOutcome::Paged { simulated: false } => (PageAnswer::Paged, TestState::Done),
        PageOutcome::Paged { simulated: true } => (PageAnswer::PagedSimulated, TestState::Done),
        PageOutcome::Pending => (PageAnswer::Pending, TestState::Done),
        PageOutcome::NoTransmitter => (PageAnswer::NoTransmitter, TestState::Failed),
        PageOutcome::Failed(kind) => {
            kiosk.set_pager_test_problem(super::device_state(crate::devices::pager::error_health(kind)));
            (PageAnswer::Failed, TestState::Failed)
        }
    };
    kiosk.set_pager_test_answer(answer);
    kiosk.set_pager_test(state);
}

/// A driver's cause, short enough for the screen.
fn short(cause: &str) -> String {
    if cause.chars().count() > 200 {
        format!("{}…", cause.chars().take(199).collect::<String>())
    } else {
        cause.to_owned()
    }
}

/// The PIN pad and the technician screen for the walkthrough, with the walkthrough's own devices: the pad with
/// four digits typed, then locked; the screen after a test scan and a test page; the same with the printer out of
/// paper, the scanner's lid open and the pager transmitter unplugged (the simulators put back after). The pad
/// is drawn over the home screen; the technician screen is opened as a right PIN opens it.
pub fn walk(
    ui: &AppWindow,
    devices: &mut crate::devices::Devices,
    portal: crate::devices::PortalReach,
    save: &mut dyn FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let kiosk = ui.global::<Kiosk>();
    super::go_home(ui);
    kiosk.invoke_technician_door();
    // As the pad is when a PIN is set and it is not locked.
    kiosk.set_pin_state(PinState::Entry);
    for digit in ["2", "4", "6", "8"] {
        kiosk.invoke_pin_key(digit.into());
    }
    save("technician-pin")?;
    show_answer(ui, Answer::Locked { minutes_left: 5 });
    save("technician-pin-locked")?;
    let language = super::current_language(ui);
    show_answer(ui, Answer::Right);
    if let Some(language) = language {
        super::select_language(ui, language);
    }
    let round = |devices: &mut crate::devices::Devices| {
        let (printer, scanner, pager) = devices.check();
        super::apply_report(ui, &crate::devices::Report { printer, scanner, pager, portal });
        kiosk.set_scan_test(TestState::Running);
        show_test_scan(ui, crate::devices::scanner::test_scan(devices));
        let number = u16::try_from(kiosk.get_pager_test_number()).unwrap_or(0);
        let (outcome, fault) = devices.pager_line().page_with_cause(number, crate::devices::PAGE_WAIT);
        show_test_page(ui, number, outcome, fault);
    };
    round(devices);
    save("technician")?;
    let simulators = devices.simulators.clone();
    if let Some(printer) = &simulators.printer {
        printer.set_status(kiosk_drivers::printer::Status {
            paper: kiosk_drivers::printer::Paper::Out,
            ..kiosk_drivers::printer::Status::READY
        });
    }
    if let Some(scanner) = &simulators.scanner {
        scanner.set_problem(Some(kiosk_drivers::scanner::ErrorKind::CoverOpen));
    }
    if let Some(pager) = &simulators.pager {
        pager.set_connected(false);
    }
    round(devices);
    save("technician-fault")?;
    // The residents' calm notices for the same faults, before they start.
    end(ui);
    super::go_home(ui);
    save("home-devices-out")?;
    super::open(ui, Screen::Queue);
    save("queue-printer-out")?;
    super::open(ui, Screen::Submit);
    kiosk.invoke_dossier_start("dang-ky-tam-tru".into());
    save("dossier-scanner-out")?;
    super::start_over(ui);
    if let Some(language) = language {
        super::select_language(ui, language);
    }
    if let Some(printer) = &simulators.printer {
        printer.set_status(kiosk_drivers::printer::Status::READY);
    }
    if let Some(scanner) = &simulators.scanner {
        scanner.set_problem(None);
    }
    if let Some(pager) = &simulators.pager {
        pager.set_connected(true);
    }
    let (printer, scanner, pager) = devices.check();
    super::apply_report(ui, &crate::devices::Report { printer, scanner, pager, portal });
    Ok(())
}
