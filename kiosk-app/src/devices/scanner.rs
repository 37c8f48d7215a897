//! The document scanner as the kiosk uses it: opened from the configuration (SANE through its helper process, or
//! the simulator), its condition for staff, one paper scanned and finished for a dossier, and the technician's
//! test scan.
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
    let error = match check {
        Ok(()) => return (Health::Ready, None),
        Err(error) => error,
    };
    // No paper in the feeder is the normal state of an idle scanner.
    if error.kind() == scanner::ErrorKind::NoDocument {
        return (Health::Ready, None);
    }
    (error_health(error.kind()), Some(Fault::of(&error)))
}

/// The condition a scanner error shows (a scan that found nothing to scan is a fault here: the glass always
/// gives a picture).
pub fn error_health(kind: scanner::ErrorKind) -> Health {
    use scanner::ErrorKind as K;
    match kind {
        K::Disconnected => Health::Disconnected,
        K::Busy => Health::Busy,
        K::CoverOpen => Health::CoverOpen,
        K::Jammed => Health::Jammed,
        K::NoDocument | K::Io => Health::Fault,
    }
}

/// The technician's test scan: the page finished as a dossier's is, or why not; and how long it took from the
/// request to the finished page (what a resident waits).
#[derive(Debug, Clone)]
pub struct TestScan {
    pub elapsed: std::time::Duration,
    pub outcome: Result<scanner::pipeline::Page, (Health, Fault)>,
}

/// Scans one A4 page from the glass as a dossier's paper is scanned (grey, 200 dpi, straightened), timed; a
/// failure keeps the driver's whole cause for the technician. Blocking: call it from the device thread.
pub fn test_scan(devices: &mut super::Devices) -> TestScan {
    use scanner::pipeline::{finish_owned, Options};
    let started = std::time::Instant::now();
    if let Some(control) = &devices.simulators.scanner {
        control.place(scanner::sim::SimDocument::Letter);
    }
    let settings = scanner::Settings {
        mode: scanner::ColourMode::Grey,
        resolution: 200,
        size: scanner::PageSize::A4,
        ..scanner::Settings::default()
    };
    let scanned = match &mut devices.scanner {
        Slot::Simulated(scanner) | Slot::Real(scanner) => scanner.scan(&settings),
        Slot::Absent => Err(scanner::Error::Disconnected("no scanner is configured at this kiosk".into())),
        Slot::Unsupported => {
            Err(scanner::Error::Driver("this version has no driver for the configured scanner".into()))
        }
    };
    let outcome = scanned
        .and_then(|raw| raw.into_iter().next().ok_or_else(|| scanner::Error::reported(scanner::ErrorKind::NoDocument)))
        .map_err(|error| (error_health(error.kind()), Fault::of(&error)))
        .and_then(|raw| finish_owned(raw, &Options::TEXT).map_err(|error| (Health::Fault, Fault::of(&error))));
    match &outcome {
        Ok(page) => tracing::info!(width = page.width, height = page.height, "the technician's test scan worked"),
        Err((_, fault)) => tracing::warn!(cause = %fault.cause, "the technician's test scan failed"),
    }
    TestScan { elapsed: started.elapsed(), outcome }
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
