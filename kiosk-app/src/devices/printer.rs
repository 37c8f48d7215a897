//! The receipt printer as the kiosk uses it: opened from the configuration, its profile (a shipped one with the
//! configured fields overridden), its condition for staff, and a document printed and drawn back as paper.
//! Must not do: run on the UI thread (every call here waits for the printer).

use kiosk_core::config;
use kiosk_drivers::printer::device::{print_checked, EscPos, Outcome};
use kiosk_drivers::printer::document::Document;
use kiosk_drivers::printer::profile::{self, Profile, Strategy};
use kiosk_drivers::printer::{self, Paper, ReceiptPrinter, SimPrinter};

use super::{endpoint, open_slot, Fault, Health, Simulators, Slot};

/// Opens the configured printer: a real ESC/POS one, the simulator, or none.
pub(super) fn open(config: &config::Device, simulators: &mut Simulators) -> Slot<dyn ReceiptPrinter> {
    match endpoint(config) {
        Some(endpoint) => {
            let asb = profile_of(config).automatic_status_back;
            Slot::Real(Box::new(EscPos::new(endpoint).with_automatic_status_back(asb)) as Box<dyn ReceiptPrinter>)
        }
        None => open_slot("printer", &config.transport, &mut simulators.printer, || {
            let (printer, control) = SimPrinter::new();
            (Box::new(printer) as Box<dyn ReceiptPrinter>, control)
        }),
    }
}

/// The profile of the configured printer (generic-80 when the configuration names none).
pub fn profile_of(config: &config::Device) -> Profile {
    match &config.printer {
        Some(configured) => printer_profile(configured),
        None => Profile::builtin(FALLBACK).expect("generic-80 is shipped"),
    }
}

/// The profile used when none is configured or a name is unknown.
const FALLBACK: &str = "generic-80";

/// The printer profile the configuration asks for: a shipped one with the configured fields overridden.
pub fn printer_profile(config: &config::PrinterProfile) -> Profile {
    // Config validation allows only shipped names; the fallback is for a profile removed in a later version.
    let mut profile =
        Profile::builtin(&config.base).unwrap_or_else(|| Profile::builtin(FALLBACK).expect("generic-80 is shipped"));
    if let Some(strategy) = config.strategy {
        profile.strategy = match strategy {
            config::PrintStrategy::Codepage => Strategy::CodePage,
            config::PrintStrategy::Downloaded => Strategy::Downloaded,
            config::PrintStrategy::Raster => Strategy::Raster,
        };
    }
    if let Some(dots) = config.paper_dots {
        profile.paper_dots = dots;
    }
    if config.tcvn3_pages.is_some() {
        profile.tcvn3_pages = config.tcvn3_pages;
    }
    if config.cp1258_page.is_some() {
        profile.cp1258_page = config.cp1258_page;
    }
    if let Some(native_qr) = config.native_qr {
        profile.native_qr = native_qr;
    }
    if let Some(cutter) = config.cutter {
        profile.cutter = match cutter {
            config::Cutter::None => profile::Cutter::None,
            config::Cutter::Full => profile::Cutter::Full,
            config::Cutter::Partial => profile::Cutter::Partial,
        };
    }
    profile
}

/// The printer's condition from its status answer (or why there was none).
pub(super) fn health(status: Result<printer::Status, printer::Error>) -> (Health, Option<Fault>) {
    match status {
        Ok(status) => match status.blocking_problem() {
            None if status.paper == Paper::NearEnd => (Health::PaperLow, None),
            None => (Health::Ready, None),
            Some(kind) => (error_health(kind), None),
        },
        Err(error) => (error_health(error.kind()), Some(Fault::of(&error))),
    }
}

/// What a printer error means for staff.
pub fn error_health(kind: printer::ErrorKind) -> Health {
    use printer::ErrorKind as K;
    match kind {
        K::Disconnected => Health::Disconnected,
        K::Timeout => Health::NotResponding,
        K::Offline => Health::Offline,
        K::CoverOpen => Health::CoverOpen,
        K::PaperOut => Health::PaperOut,
        K::CutterError | K::Unrecoverable | K::Io => Health::Fault,
    }
}

/// How a print went, and the paper as the printer received it.
#[derive(Debug, Clone)]
pub struct Printed {
    pub outcome: Result<Outcome, printer::ErrorKind>,
    /// What went wrong, with its cause, for the log and the technician (never personal data).
    pub fault: Option<Fault>,
    pub paper: Option<Paper2d>,
}

/// A picture of printed paper, one grey byte a dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper2d {
    pub width: u32,
    pub height: u32,
    pub grey: Vec<u8>,
}

/// Prints a document on the kiosk's printer and draws what the printer received. Blocking.
pub fn print_document(devices: &mut super::Devices, document: &Document) -> Printed {
    let face = crate::printing::typeface();
    let job = kiosk_drivers::printer::encode::encode(document, &devices.profile, face).bytes;
    let (outcome, fault) = match devices.print(&job) {
        Ok(outcome) => (Ok(outcome), None),
        Err(error) => {
            let fault = Fault::of(&error);
            tracing::warn!(cause = %fault.cause, bytes = job.len(), "a print failed");
            (Err(error.kind()), Some(fault))
        }
    };
    tracing::info!(outcome = ?outcome, bytes = job.len(), "printed");
    let received = match &devices.simulators.printer {
        Some(simulated) if outcome.is_ok() => simulated.jobs().last().cloned(),
        None if outcome.is_ok() => Some(job),
        _ => None,
    };
    let paper = received.and_then(|bytes| draw(&bytes, &devices.profile));
    Printed { outcome, fault, paper }
}

impl super::Devices {
    /// Sends an encoded job and checks the printer afterwards. Blocking: call it from the device thread.
    pub fn print(&mut self, job: &[u8]) -> Result<Outcome, printer::Error> {
        match &mut self.printer {
            Slot::Simulated(printer) | Slot::Real(printer) => print_checked(printer.as_mut(), job),
            Slot::Absent | Slot::Unsupported => Err(printer::Error::Disconnected(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "this kiosk has no printer",
            ))),
        }
    }
}

fn draw(job: &[u8], profile: &Profile) -> Option<Paper2d> {
    let face = crate::printing::typeface();
    let printed = kiosk_drivers::printer::decode::paper(job, profile, face).ok()?;
    let picture = kiosk_drivers::printer::decode::render(&printed, profile, face);
    let grey = picture.dots.iter().map(|black| if *black { 0 } else { 255 }).collect();
    Some(Paper2d { width: picture.width, height: picture.height, grey })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_offers_exactly_the_shipped_printer_profiles() {
        assert_eq!(config::PRINTER_PROFILES, profile::BUILTIN);
        for name in profile::BUILTIN {
            assert!(Profile::builtin(name).is_some(), "{name}");
        }
    }

    #[test]
    fn configured_overrides_change_the_shipped_profile() {
        let configured = config::PrinterProfile {
            base: "epson-tm-t88".into(),
            strategy: Some(config::PrintStrategy::Downloaded),
            paper_dots: Some(384),
            tcvn3_pages: None,
            cp1258_page: Some(94),
            native_qr: Some(false),
            cutter: Some(config::Cutter::None),
        };
        let profile = printer_profile(&configured);
        assert_eq!(profile.strategy, Strategy::Downloaded);
        assert_eq!((profile.paper_dots, profile.cp1258_page, profile.native_qr), (384, Some(94), false));
        assert_eq!(profile.tcvn3_pages, Some((30, 31)), "not overridden: the Epson tables stay");
        assert_eq!(profile.cutter, profile::Cutter::None);
    }
}
