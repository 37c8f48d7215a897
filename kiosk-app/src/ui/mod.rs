//! The UI bridge: the only module that names Slint types. It fills the `Kiosk` global from the configuration
//! and from device reports, and answers the UI's callbacks (language switch, navigation).
//!
//! Must not do: block. Everything here runs on the UI thread; slow work happens elsewhere and comes back
//! through `upgrade_in_event_loop`.

use std::rc::Rc;

use chrono::{Datelike, NaiveDateTime, Timelike};
use kiosk_core::config::{Config, Language};
use slint::{ComponentHandle, ModelRc, VecModel};

use crate::devices::{DeviceReport, Health, PortalReach, Printed, Report};

pub mod headless;

/// The Rust code Slint generates from ui/*.slint. It is not ours to lint.
#[allow(clippy::all, clippy::unwrap_used)]
mod generated {
    slint::include_modules!();
}
pub use generated::*;

/// Builds the kiosk window from the configuration, showing the home screen in the first configured language.
/// A platform (winit, linuxkms, the headless one or Slint's testing backend) must be chosen before.
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
    let services: Vec<ServiceChoice> = config
        .queue
        .services
        .iter()
        .map(|s| ServiceChoice {
            code: s.code.as_str().into(),
            name_vi: s.name_vi.as_str().into(),
            name_en: s.name_en.as_str().into(),
        })
        .collect();
    let half = services.len().div_ceil(2);
    kiosk.set_services_first_half(model(services[..half].to_vec()));
    kiosk.set_services_second_half(model(services[half..].to_vec()));
    kiosk.set_services(model(services));
    apply_report(&ui, &Report::CHECKING);
    set_clock(&ui, chrono::Local::now().naive_local());

    let weak = ui.as_weak();
    kiosk.on_select_language(move |code| {
        if let (Some(ui), Some(language)) = (weak.upgrade(), Language::from_code(&code)) {
            select_language(&ui, language);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_open(move |screen| {
        if let Some(ui) = weak.upgrade() {
            tracing::info!(?screen, "screen opened");
            let kiosk = ui.global::<Kiosk>();
            if screen == Screen::Queue {
                kiosk.set_ticket_step(TicketStep::ChooseService);
                kiosk.set_ticket_print(PrintState::Idle);
            }
            kiosk.set_screen(screen);
        }
    });
    select_language(&ui, config.ui.languages[0]);
    Ok(ui)
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
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
    tracing::info!(language = language.code(), "language selected");
}

/// The language on screen now.
pub fn current_language(ui: &AppWindow) -> Option<Language> {
    Language::from_code(&ui.global::<Kiosk>().get_language())
}

/// Returns to the home screen, as "start over" and the idle timeout do.
pub fn go_home(ui: &AppWindow) {
    ui.global::<Kiosk>().set_screen(Screen::Home);
}

/// What the test-print button does: `request` hands the job to the device thread (it must not block).
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
            kiosk.set_print_problem(
                device_health(DeviceReport { health: crate::devices::printer_error_health(*kind), simulated: false })
                    .state,
            );
            kiosk.set_print_state(PrintState::Failed);
        }
    }
    kiosk.set_printed_visible(kiosk.get_print_state() != PrintState::Idle);
}

/// Shows a round of device and portal checks in the status strip.
pub fn apply_report(ui: &AppWindow, report: &Report) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_printer(device_health(report.printer));
    kiosk.set_scanner(device_health(report.scanner));
    kiosk.set_pager(device_health(report.pager));
    kiosk.set_portal(match report.portal {
        PortalReach::Checking => PortalState::Checking,
        PortalReach::Reachable => PortalState::Reachable,
        PortalReach::Unreachable => PortalState::Unreachable,
    });
}

fn device_health(report: DeviceReport) -> DeviceHealth {
    let state = match report.health {
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
    };
    DeviceHealth { state, simulated: report.simulated }
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

/// Keeps the header's clock current. The timer lives as long as the returned value.
pub fn start_clock(ui: &AppWindow) -> slint::Timer {
    let timer = slint::Timer::default();
    let weak = ui.as_weak();
    timer.start(slint::TimerMode::Repeated, std::time::Duration::from_secs(1), move || {
        if let Some(ui) = weak.upgrade() {
            set_clock(&ui, chrono::Local::now().naive_local());
        }
    });
    timer
}

/// The screens a resident can reach from the home screen, for walkthroughs and tests.
pub const TASK_SCREENS: [Screen; 5] = [Screen::Lookup, Screen::Queue, Screen::Submit, Screen::Track, Screen::Visit];

/// A short file-name-safe name for a screen.
pub fn screen_slug(screen: Screen) -> &'static str {
    match screen {
        Screen::Home => "home",
        Screen::Lookup => "lookup",
        Screen::Queue => "queue",
        Screen::Submit => "submit",
        Screen::Track => "track",
        Screen::Visit => "visit",
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
            1 => Priority::Elderly,
            2 => Priority::Merit,
            3 => Priority::Disability,
            4 => Priority::Pregnant,
            _ => Priority::None,
        };
        kiosk.set_ticket_step(TicketStep::Issuing);
        kiosk.set_ticket_print(PrintState::Idle);
        take(code.to_string(), priority, current_language(&ui).unwrap_or(Language::Vietnamese));
    });
}

/// Shows the number just issued; printing starts.
pub fn show_ticket(ui: &AppWindow, issued: &crate::tickets::Issued) {
    let kiosk = ui.global::<Kiosk>();
    let language = current_language(ui).unwrap_or(Language::Vietnamese);
    kiosk.set_ticket(IssuedTicket {
        label: issued.label.as_str().into(),
        service_name: issued.service_name(language).into(),
        pager: issued.pager.map_or(0, i32::from),
        ahead: issued.ahead as i32,
        wait_minutes: issued.wait_minutes as i32,
        rough: issued.rough,
    });
    kiosk.set_ticket_step(TicketStep::Issued);
    kiosk.set_ticket_print(PrintState::Printing);
}

/// The ticket could not be issued: the resident is sent to a person.
pub fn show_ticket_failed(ui: &AppWindow) {
    ui.global::<Kiosk>().set_ticket_step(TicketStep::Failed);
}

/// The ticket's print finished (or failed: the number stays valid and on screen).
pub fn show_ticket_printed(ui: &AppWindow, printed: &Printed) {
    ui.global::<Kiosk>().set_ticket_print(if printed.outcome.is_ok() {
        PrintState::Printed
    } else {
        PrintState::Failed
    });
}

/// Moves the queue screen to a step (the walkthrough draws each one).
pub fn show_ticket_step(ui: &AppWindow, step: TicketStep) {
    ui.global::<Kiosk>().set_ticket_step(step);
}

/// Shows the outbox's counts in the status strip.
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
