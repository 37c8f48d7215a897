//! The document scanner as the kiosk uses it: opened from the configuration (SANE through its helper process, or
//! the simulator), its condition for staff, and one paper scanned and finished for a dossier.
//! Must not do: run on the UI thread (a scan takes seconds), or write a resident's page to disk.

use kiosk_core::config::{self, Transport};
use kiosk_drivers::scanner::{self, SaneScanner, Scanner, SimScanner};

use super::{open_slot, Fault, Health, Simulators, Slot};

/// Opens the configured scanner: SANE (USB backends, and eSCL network scanners via sane-airscan), the
/// simulator, or none.
pub(super) fn open(config: &config::Device, simulators: &mut Simulators) -> Slot<dyn Scanner> {
    match &config.transport {
        Transport::Sane { device } => Slot::Real(Box::new(SaneScanner::new(device)) as Box<dyn Scanner>),
        other => open_slot("scanner", other, &mut simulators.scanner, || {
            let (scanner, control) = SimScanner::new();
            (Box::new(scanner) as Box<dyn Scanner>, control)
        }),
    }
}

/// The scanner's condition from its check.
pub(super) fn health(check: Result<(), scanner::Error>) -> (Health, Option<Fault>) {
    use scanner::ErrorKind as K;
    let error = match check {
        Ok(()) => return (Health::Ready, None),
        Err(error) => error,
    };
    let health = match error.kind() {
        K::Disconnected => Health::Disconnected,
        K::Busy => Health::Busy,
        K::CoverOpen => Health::CoverOpen,
        K::Jammed => Health::Jammed,
        // No paper in the feeder is the normal state of an idle scanner.
        K::NoDocument => return (Health::Ready, None),
        K::Io => Health::Fault,
    };
    (health, Some(Fault::of(&error)))
}

/// A paper that could not be scanned: what the resident is told (the kind), and the cause for the log.
pub type Scanned = Result<Vec<scanner::pipeline::Page>, scanner::ErrorKind>;

/// Scans one paper from the glass for a dossier and finishes its pages (a card in colour, cropped; a page in
/// grey at 200 dpi, straightened). The simulated scanner is given the kind of paper asked for, as a resident
/// would place it. Blocking: call it from the device thread.
pub fn scan_paper(devices: &mut super::Devices, card: bool) -> Scanned {
    use scanner::pipeline::{finish_owned, Options};
    if let Some(control) = &devices.simulators.scanner {
        control.place(if card { scanner::sim::SimDocument::IdCard } else { scanner::sim::SimDocument::Letter });
    }
    let settings = scanner::Settings {
        mode: if card { scanner::ColourMode::Colour } else { scanner::ColourMode::Grey },
        resolution: if card { 300 } else { 200 },
        // A card lies in the glass's corner: scanning only that area (with room around it) keeps a colour
        // scan at 300 dpi to 2.8 MB instead of 26 MB for the whole glass.
        size: if card { scanner::PageSize::IdCard } else { scanner::PageSize::A4 },
        ..scanner::Settings::default()
    };
    let raw = match &mut devices.scanner {
        Slot::Simulated(scanner) | Slot::Real(scanner) => scanner.scan(&settings).map_err(|error| {
            tracing::warn!(cause = %Fault::of(&error).cause, "a scan failed");
            error.kind()
        })?,
        Slot::Absent | Slot::Unsupported => return Err(scanner::ErrorKind::Disconnected),
    };
    let options = if card { Options::ID_CARD } else { Options::TEXT };
    // The glass holds one paper: the first page is it.
    let first = raw.into_iter().next().ok_or(scanner::ErrorKind::NoDocument)?;
    let page = finish_owned(first, &options).map_err(|error| {
        tracing::error!(cause = %Fault::of(&error).cause, "a scanned page could not be finished");
        scanner::ErrorKind::Io
    })?;
    tracing::info!(bytes = page.jpeg.len(), card, "a page was scanned for a dossier");
    Ok(vec![page])
}
