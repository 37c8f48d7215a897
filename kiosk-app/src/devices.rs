//! The devices this kiosk has, opened from its configuration, and the monitor thread that checks them and the
//! portal's reachability for the status strip.
//!
//! Every check runs on the monitor's own thread: a printer that does not answer must never freeze the screen.
//! Must not do: name Slint types (the caller turns a [`Report`] into what the screen shows).

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use kiosk_core::config::{self, Transport};
use kiosk_drivers::pager::serial::{Protocol, SerialTransmitter};
use kiosk_drivers::pager::{self, PagerTransmitter, SimPager, SimPagerControl};
use kiosk_drivers::printer::device::{print_checked, EscPos, Outcome};
use kiosk_drivers::printer::profile::{self, Profile, Strategy};
use kiosk_drivers::printer::{self, Paper, ReceiptPrinter, SimPrinter, SimPrinterControl};
use kiosk_drivers::scanner::{self, SaneScanner, Scanner, SimScanner, SimScannerControl};
use kiosk_drivers::transport::{Endpoint, Flow};

/// A device's condition, as staff need to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Checking,
    Ready,
    PaperLow,
    PaperOut,
    CoverOpen,
    Offline,
    Disconnected,
    NotResponding,
    Jammed,
    Busy,
    Fault,
    /// The configuration names a transport whose driver this version does not have yet.
    Unsupported,
    /// The configuration says this kiosk has no such device.
    Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceReport {
    pub health: Health,
    pub simulated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalReach {
    Checking,
    Reachable,
    Unreachable,
}

/// One round of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub printer: DeviceReport,
    pub scanner: DeviceReport,
    pub pager: DeviceReport,
    pub portal: PortalReach,
}

impl Health {
    /// A stable code for the portal's heartbeat and the logs.
    pub fn code(self) -> &'static str {
        match self {
            Health::Checking => "checking",
            Health::Ready => "ready",
            Health::PaperLow => "paper_low",
            Health::PaperOut => "paper_out",
            Health::CoverOpen => "cover_open",
            Health::Offline => "offline",
            Health::Disconnected => "disconnected",
            Health::NotResponding => "not_responding",
            Health::Jammed => "jammed",
            Health::Busy => "busy",
            Health::Fault => "fault",
            Health::Unsupported => "unsupported",
            Health::Absent => "absent",
        }
    }
}

impl DeviceReport {
    fn code(self) -> String {
        if self.simulated {
            format!("{} (simulated)", self.health.code())
        } else {
            self.health.code().to_owned()
        }
    }
}

impl Report {
    /// The devices' conditions for the portal's heartbeat.
    pub fn conditions(&self) -> crate::outbox::forwarder::Conditions {
        crate::outbox::forwarder::Conditions {
            printer: self.printer.code(),
            scanner: self.scanner.code(),
            pager: self.pager.code(),
        }
    }

    /// Before the first check has finished.
    pub const CHECKING: Report = Report {
        printer: DeviceReport { health: Health::Checking, simulated: false },
        scanner: DeviceReport { health: Health::Checking, simulated: false },
        pager: DeviceReport { health: Health::Checking, simulated: false },
        portal: PortalReach::Checking,
    };
}

/// How a configured device is reached in this process.
enum Slot<T: ?Sized> {
    Absent,
    Unsupported,
    Simulated(Box<T>),
    /// A real device through its driver.
    Real(Box<T>),
}

/// The kiosk's devices, opened from the configuration.
pub struct Devices {
    printer: Slot<dyn ReceiptPrinter>,
    scanner: Slot<dyn Scanner>,
    pager: PagerLine,
    /// Handles on the simulators, for the demo and tests to change their condition.
    pub simulators: Simulators,
}

#[derive(Debug, Clone, Default)]
pub struct Simulators {
    pub printer: Option<SimPrinterControl>,
    pub scanner: Option<SimScannerControl>,
    pub pager: Option<SimPagerControl>,
}

impl Devices {
    pub fn open(config: &config::Devices) -> Devices {
        let mut simulators = Simulators::default();
        let printer = match endpoint(&config.printer) {
            Some(endpoint) => {
                let asb = config.printer.printer.as_ref().is_some_and(|p| printer_profile(p).automatic_status_back);
                Slot::Real(Box::new(EscPos::new(endpoint).with_automatic_status_back(asb)) as Box<dyn ReceiptPrinter>)
            }
            None => open_slot("printer", &config.printer.transport, &mut simulators.printer, || {
                let (printer, control) = SimPrinter::new();
                (Box::new(printer) as Box<dyn ReceiptPrinter>, control)
            }),
        };
        let scanner = match &config.scanner.transport {
            // SANE through its helper process (USB backends, and eSCL network scanners via sane-airscan).
            Transport::Sane { device } => Slot::Real(Box::new(SaneScanner::new(device)) as Box<dyn Scanner>),
            other => open_slot("scanner", other, &mut simulators.scanner, || {
                let (scanner, control) = SimScanner::new();
                (Box::new(scanner) as Box<dyn Scanner>, control)
            }),
        };
        let pager = PagerLine::spawn(match (endpoint(&config.pager), config.pager.pager) {
            (Some(endpoint), Some(protocol)) => Slot::Real(Box::new(SerialTransmitter::new(
                pager_protocol(protocol),
                endpoint,
            )) as Box<dyn PagerTransmitter>),
            _ => open_slot("pager", &config.pager.transport, &mut simulators.pager, || {
                let (pager, control) = SimPager::new();
                (Box::new(pager) as Box<dyn PagerTransmitter>, control)
            }),
        });
        Devices { printer, scanner, pager, simulators }
    }

    /// The pager transmitter's line, for whoever calls tickets (it has its own thread).
    pub fn pager_line(&self) -> PagerLine {
        self.pager.clone()
    }

    /// Prints a job and checks the printer afterwards. Blocking: call it from a device thread.
    pub fn print(&mut self, job: &[u8]) -> Result<Outcome, printer::Error> {
        match &mut self.printer {
            Slot::Simulated(printer) | Slot::Real(printer) => print_checked(printer.as_mut(), job),
            Slot::Absent | Slot::Unsupported => Err(printer::Error::Disconnected(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "this kiosk has no printer",
            ))),
        }
    }

    /// Scans one paper from the glass for a dossier and finishes its pages (a card in colour, cropped; a page in
    /// grey at 200 dpi, straightened). The simulated scanner is given the kind of paper asked for, as a resident
    /// would place it. Blocking: call it from the device thread.
    pub fn scan_paper(&mut self, card: bool) -> Result<Vec<scanner::pipeline::Page>, scanner::ErrorKind> {
        use scanner::pipeline::{finish, Options};
        if let Some(control) = &self.simulators.scanner {
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
        let raw = match &mut self.scanner {
            Slot::Simulated(scanner) | Slot::Real(scanner) => scanner.scan(&settings).map_err(|e| e.kind())?,
            Slot::Absent | Slot::Unsupported => return Err(scanner::ErrorKind::Disconnected),
        };
        let options = if card { Options::ID_CARD } else { Options::TEXT };
        // The glass holds one paper: the first page is it.
        let first = raw.first().ok_or(scanner::ErrorKind::NoDocument)?;
        let page = finish(first, &options).map_err(|error| {
            tracing::error!(%error, "a scanned page could not be finished");
            scanner::ErrorKind::Io
        })?;
        tracing::info!(bytes = page.jpeg.len(), card, "a page was scanned for a dossier");
        Ok(vec![page])
    }

    /// Asks every device for its condition. Blocking: call it from the monitor thread, never the UI thread.
    pub fn check(&mut self) -> (DeviceReport, DeviceReport, DeviceReport) {
        (
            check_slot(&mut self.printer, |printer| printer_health(printer.status())),
            check_slot(&mut self.scanner, |scanner| scanner_health(scanner.check())),
            self.pager.check(),
        )
    }
}

/// Opens one configured device: a simulator (keeping its control handle), nothing, or a transport this
/// version has no driver for (logged for the technician, shown as such on screen).
fn open_slot<T: ?Sized, C>(
    role: &str,
    transport: &Transport,
    control: &mut Option<C>,
    simulate: impl FnOnce() -> (Box<T>, C),
) -> Slot<T> {
    match transport {
        Transport::Absent => Slot::Absent,
        Transport::Simulated => {
            let (device, handle) = simulate();
            *control = Some(handle);
            Slot::Simulated(device)
        }
        other => {
            tracing::warn!(device = role, transport = %other, "no driver for this transport in this version; the device is shown as unavailable");
            Slot::Unsupported
        }
    }
}

fn check_slot<T: ?Sized>(slot: &mut Slot<T>, check: impl FnOnce(&mut T) -> Health) -> DeviceReport {
    match slot {
        Slot::Absent => DeviceReport { health: Health::Absent, simulated: false },
        Slot::Unsupported => DeviceReport { health: Health::Unsupported, simulated: false },
        Slot::Simulated(device) => DeviceReport { health: check(device), simulated: true },
        Slot::Real(device) => DeviceReport { health: check(device), simulated: false },
    }
}

/// Where a configured device is, for the transports that have a driver; None for none/simulated/SANE.
pub fn endpoint(device: &config::Device) -> Option<Endpoint> {
    let serial =
        device.serial.unwrap_or(config::SerialSettings { baud: 9600, flow_control: config::FlowControl::None });
    match &device.transport {
        Transport::Serial { path } => Some(Endpoint::Serial {
            path: path.clone(),
            baud: serial.baud,
            flow: match serial.flow_control {
                config::FlowControl::None => Flow::None,
                config::FlowControl::Hardware => Flow::Hardware,
                config::FlowControl::Software => Flow::Software,
            },
        }),
        Transport::Tcp { host, port } => Some(Endpoint::Tcp { host: host.clone(), port: *port }),
        Transport::File { path } => Some(Endpoint::File { path: path.clone() }),
        Transport::Usb { vendor_id, product_id, serial_number } => {
            Some(Endpoint::Usb { vendor_id: *vendor_id, product_id: *product_id, serial_number: serial_number.clone() })
        }
        Transport::Absent | Transport::Simulated | Transport::Sane { .. } => None,
    }
}

/// The driver's protocol for a configured pager transmitter.
pub fn pager_protocol(protocol: config::PagerProtocol) -> Protocol {
    match protocol {
        config::PagerProtocol::Jtech { base_id, separator } => Protocol::Jtech { base_id, separator },
        config::PagerProtocol::Lrs { system_id } => Protocol::Lrs { system_id },
        config::PagerProtocol::WaveWare { cap_base } => Protocol::WaveWare { cap_base },
    }
}

/// The printer profile the configuration asks for: a shipped one with the configured fields overridden.
pub fn printer_profile(config: &config::PrinterProfile) -> Profile {
    let mut profile = Profile::builtin(&config.base).unwrap_or_else(|| {
        Profile::builtin("generic-80").expect("generic-80 is shipped") // config validation allows only shipped names
    });
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

fn printer_health(status: Result<printer::Status, printer::Error>) -> Health {
    let kind = match status {
        Ok(status) => match status.blocking_problem() {
            None if status.paper == Paper::NearEnd => return Health::PaperLow,
            None => return Health::Ready,
            Some(kind) => kind,
        },
        Err(error) => error.kind(),
    };
    printer_error_health(kind)
}

/// What a printer error means for staff.
pub fn printer_error_health(kind: printer::ErrorKind) -> Health {
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

fn scanner_health(check: Result<(), scanner::Error>) -> Health {
    use scanner::ErrorKind as K;
    match check.map_err(|e| e.kind()) {
        Ok(()) => Health::Ready,
        Err(K::Disconnected) => Health::Disconnected,
        Err(K::Busy) => Health::Busy,
        Err(K::CoverOpen) => Health::CoverOpen,
        Err(K::Jammed) => Health::Jammed,
        // No paper in the feeder is the normal state of an idle scanner.
        Err(K::NoDocument) => Health::Ready,
        Err(K::Io) => Health::Fault,
    }
}

fn pager_health(check: Result<(), pager::Error>) -> Health {
    use pager::ErrorKind as K;
    match check.map_err(|e| e.kind()) {
        Ok(()) => Health::Ready,
        Err(K::Disconnected) => Health::Disconnected,
        Err(K::Timeout) => Health::NotResponding,
        Err(K::Rejected | K::Io) => Health::Fault,
    }
}

/// The pager transmitter, owned by its own thread so a call is paged at once, never behind a slow printer check.
/// Cloning gives another handle on the same transmitter.
#[derive(Clone)]
pub struct PagerLine {
    kind: SlotKind,
    jobs: Option<std::sync::mpsc::Sender<PagerJob>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    Absent,
    Unsupported,
    Simulated,
    Real,
}

enum PagerJob {
    Page { pager: pager::PagerId, reply: std::sync::mpsc::Sender<Result<(), pager::ErrorKind>> },
    Check { reply: std::sync::mpsc::Sender<Health> },
}

/// What became of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOutcome {
    /// The transmitter took the page (a simulated one records it).
    Paged { simulated: bool },
    /// The transmitter refused or did not answer; the ticket is still called, staff call it out by voice.
    Failed(pager::ErrorKind),
    /// No transmitter at this kiosk, or none this version can drive.
    NoTransmitter,
    /// Still in progress after the wait; it goes on in the background.
    Pending,
}

/// How long a caller waits for a page's outcome (JTECH at 1200 baud with a reply timeout fits well inside).
pub const PAGE_WAIT: Duration = Duration::from_secs(3);

impl PagerLine {
    fn spawn(slot: Slot<dyn PagerTransmitter>) -> PagerLine {
        let (kind, mut transmitter) = match slot {
            Slot::Absent => return PagerLine { kind: SlotKind::Absent, jobs: None },
            Slot::Unsupported => return PagerLine { kind: SlotKind::Unsupported, jobs: None },
            Slot::Simulated(transmitter) => (SlotKind::Simulated, transmitter),
            Slot::Real(transmitter) => (SlotKind::Real, transmitter),
        };
        let (jobs, queue) = std::sync::mpsc::channel::<PagerJob>();
        let spawned = std::thread::Builder::new().name("pager".into()).spawn(move || {
            for job in queue {
                match job {
                    PagerJob::Page { pager, reply } => {
                        let result = transmitter.page(pager).map_err(|e| {
                            tracing::warn!(pager, error = %e, "page failed");
                            e.kind()
                        });
                        let _ = reply.send(result); // the caller may have stopped waiting
                    }
                    PagerJob::Check { reply } => {
                        let _ = reply.send(pager_health(transmitter.check()));
                    }
                }
            }
        });
        match spawned {
            Ok(_) => PagerLine { kind, jobs: Some(jobs) },
            Err(error) => {
                tracing::error!(%error, "could not start the pager thread; pagers are unavailable");
                PagerLine { kind: SlotKind::Unsupported, jobs: None }
            }
        }
    }

    /// Pages one pager and waits up to `wait` for the transmitter's answer.
    pub fn page(&self, pager: pager::PagerId, wait: Duration) -> PageOutcome {
        let Some(jobs) = &self.jobs else {
            return PageOutcome::NoTransmitter;
        };
        let (reply, answer) = std::sync::mpsc::channel();
        if jobs.send(PagerJob::Page { pager, reply }).is_err() {
            return PageOutcome::Failed(pager::ErrorKind::Io);
        }
        match answer.recv_timeout(wait) {
            Ok(Ok(())) => PageOutcome::Paged { simulated: self.kind == SlotKind::Simulated },
            Ok(Err(kind)) => PageOutcome::Failed(kind),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => PageOutcome::Pending,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => PageOutcome::Failed(pager::ErrorKind::Io),
        }
    }

    /// The transmitter's condition for the status strip.
    pub fn check(&self) -> DeviceReport {
        let simulated = self.kind == SlotKind::Simulated;
        let health = match (&self.jobs, self.kind) {
            (_, SlotKind::Absent) => Health::Absent,
            (_, SlotKind::Unsupported) | (None, _) => Health::Unsupported,
            (Some(jobs), _) => {
                let (reply, answer) = std::sync::mpsc::channel();
                match jobs.send(PagerJob::Check { reply }) {
                    Ok(()) => answer.recv_timeout(Duration::from_secs(5)).unwrap_or(Health::Busy),
                    Err(_) => Health::Fault,
                }
            }
        };
        DeviceReport { health, simulated }
    }
}

/// Whether a TCP connection to the portal's host and port can be opened within `timeout`.
pub fn portal_reachable(host: &str, port: u16, timeout: Duration) -> bool {
    let Ok(addresses) = (host, port).to_socket_addrs() else {
        return false;
    };
    addresses.into_iter().any(|address| TcpStream::connect_timeout(&address, timeout).is_ok())
}

/// How often the monitor checks devices and the portal.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(10);

/// What the device thread is asked to do besides its checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Staff asked for a test page (every Vietnamese letter and a QR code).
    PrintTestPage,
    /// A resident's queue ticket.
    PrintTicket(kiosk_drivers::printer::document::Document),
    /// A procedure's guidance slip.
    PrintGuidance(kiosk_drivers::printer::document::Document),
    /// Scan one paper for the dossier being filled in (`card`: an ID card).
    ScanPaper { card: bool },
    /// A dossier's receipt (`reference`: the dossier's, so the outcome reaches its screen only).
    PrintReceipt { reference: String, document: kiosk_drivers::printer::document::Document },
    /// A home-visit request's confirmation (`reference`: the request's, so the outcome reaches its screen only).
    PrintVisit { reference: String, document: kiosk_drivers::printer::document::Document },
}

/// What the device thread tells the UI.
#[derive(Debug, Clone)]
pub enum Event {
    Checked(Report),
    /// A print finished: how it went, and the paper as the printer received it (8-bit grey, one byte a dot).
    Printed(Printed),
    /// A queue ticket's print finished.
    TicketPrinted(Printed),
    /// A guidance slip's print finished.
    GuidancePrinted(Printed),
    /// A paper was scanned for a dossier (its finished pages), or why not.
    Scanned(Result<Vec<kiosk_drivers::scanner::pipeline::Page>, kiosk_drivers::scanner::ErrorKind>),
    /// A dossier receipt's print finished.
    ReceiptPrinted {
        reference: String,
        printed: Printed,
    },
    /// A home-visit confirmation's print finished.
    VisitPrinted {
        reference: String,
        printed: Printed,
    },
}

#[derive(Debug, Clone)]
pub struct Printed {
    pub outcome: Result<Outcome, printer::ErrorKind>,
    pub paper: Option<Paper2d>,
}

/// A picture of printed paper, one grey byte a dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper2d {
    pub width: u32,
    pub height: u32,
    pub grey: Vec<u8>,
}

/// Prints the test page on the configured printer and draws what the printer received. Blocking.
pub fn print_test_page(devices: &mut Devices, config: &config::Devices) -> Printed {
    let name = config.printer.printer.as_ref().map(|p| p.base.clone()).unwrap_or_else(|| "generic-80".into());
    print_document(devices, config, &kiosk_drivers::printer::samples::self_test(&name))
}

/// Prints a document on the configured printer and draws what the printer received. Blocking.
pub fn print_document(
    devices: &mut Devices,
    config: &config::Devices,
    document: &kiosk_drivers::printer::document::Document,
) -> Printed {
    let face = crate::printing::typeface();
    let profile = config
        .printer
        .printer
        .as_ref()
        .map(printer_profile)
        .unwrap_or_else(|| Profile::builtin("generic-80").expect("shipped profile"));
    let job = kiosk_drivers::printer::encode::encode(document, &profile, &face).bytes;
    let outcome = devices.print(&job).map_err(|e| e.kind());
    tracing::info!(outcome = ?outcome, bytes = job.len(), "printed");
    let received = match &devices.simulators.printer {
        Some(simulated) if outcome.is_ok() => simulated.jobs().last().cloned(),
        None if outcome.is_ok() => Some(job),
        _ => None,
    };
    let paper = received.and_then(|bytes| {
        let printed = kiosk_drivers::printer::decode::paper(&bytes, &profile, &face).ok()?;
        let picture = kiosk_drivers::printer::decode::render(&printed, &profile, &face);
        let grey = picture.dots.iter().map(|black| if *black { 0 } else { 255 }).collect();
        Some(Paper2d { width: picture.width, height: picture.height, grey })
    });
    Printed { outcome, paper }
}

/// Starts the device thread. It checks everything at once and then every `interval`, handles requests as they
/// come, and hands each event to `deliver`; it stops when `deliver` returns false (the UI has gone).
pub fn spawn_monitor(
    mut devices: Devices,
    config: config::Devices,
    portal: (String, u16),
    interval: Duration,
    requests: std::sync::mpsc::Receiver<Request>,
    deliver: impl Fn(Event) -> bool + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("device-monitor".into()).spawn(move || loop {
        let (printer, scanner, pager) = devices.check();
        let portal = if portal_reachable(&portal.0, portal.1, Duration::from_secs(3)) {
            PortalReach::Reachable
        } else {
            PortalReach::Unreachable
        };
        let report = Report { printer, scanner, pager, portal };
        tracing::debug!(?report, "device check");
        if !deliver(Event::Checked(report)) {
            break;
        }
        match requests.recv_timeout(interval) {
            Ok(Request::PrintTestPage) => {
                if !deliver(Event::Printed(print_test_page(&mut devices, &config))) {
                    break;
                }
            }
            Ok(Request::PrintTicket(document)) => {
                if !deliver(Event::TicketPrinted(print_document(&mut devices, &config, &document))) {
                    break;
                }
            }
            Ok(Request::PrintGuidance(document)) => {
                if !deliver(Event::GuidancePrinted(print_document(&mut devices, &config, &document))) {
                    break;
                }
            }
            Ok(Request::ScanPaper { card }) => {
                if !deliver(Event::Scanned(devices.scan_paper(card))) {
                    break;
                }
            }
            Ok(Request::PrintReceipt { reference, document }) => {
                let printed = print_document(&mut devices, &config, &document);
                if !deliver(Event::ReceiptPrinted { reference, printed }) {
                    break;
                }
            }
            Ok(Request::PrintVisit { reference, document }) => {
                let printed = print_document(&mut devices, &config, &document);
                if !deliver(Event::VisitPrinted { reference, printed }) {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            // Nobody can ask any more; keep checking for the status strip.
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => std::thread::sleep(interval),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn devices_config(printer: &str) -> config::Devices {
        let device = |transport: &str| config::Device {
            transport: Transport::parse(transport).expect("valid"),
            serial: None,
            printer: None,
            pager: None,
        };
        config::Devices { printer: device(printer), scanner: device("simulated"), pager: device("none") }
    }

    #[test]
    fn simulated_devices_report_their_condition() {
        let mut devices = Devices::open(&devices_config("simulated"));
        let (printer, scanner, pager) = devices.check();
        assert_eq!(printer, DeviceReport { health: Health::Ready, simulated: true });
        assert_eq!(scanner, DeviceReport { health: Health::Ready, simulated: true });
        assert_eq!(pager, DeviceReport { health: Health::Absent, simulated: false });

        let control = devices.simulators.printer.clone().expect("simulated printer");
        control.set_status(printer::Status { paper: Paper::NearEnd, ..printer::Status::READY });
        assert_eq!(devices.check().0.health, Health::PaperLow);
        control.set_status(printer::Status { cover_open: true, ..printer::Status::READY });
        assert_eq!(devices.check().0.health, Health::CoverOpen);
        control.set_connected(false);
        assert_eq!(devices.check().0.health, Health::Disconnected);
    }

    #[test]
    fn a_real_printer_that_is_not_there_is_shown_as_not_connected() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("bound").port();
        drop(listener);
        let mut devices = Devices::open(&devices_config(&format!("tcp:127.0.0.1:{port}")));
        assert_eq!(devices.check().0, DeviceReport { health: Health::Disconnected, simulated: false });
    }

    #[test]
    fn the_test_page_prints_on_the_simulated_printer_and_comes_back_as_paper() {
        let config = devices_config("simulated");
        let mut devices = Devices::open(&config);
        let printed = print_test_page(&mut devices, &config);
        assert_eq!(printed.outcome, Ok(Outcome::Printed));
        let paper = printed.paper.expect("drawn");
        assert_eq!(paper.width, 576 + 32);
        assert!(paper.grey.iter().filter(|g| **g == 0).count() > 5000, "the test page has ink");

        let control = devices.simulators.printer.clone().expect("simulated");
        control.set_status(printer::Status { paper: Paper::Out, ..printer::Status::READY });
        let failed = print_test_page(&mut devices, &config);
        assert_eq!(failed.outcome, Err(printer::ErrorKind::PaperOut));
        assert!(failed.paper.is_none());
    }

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

    #[test]
    fn portal_reachability_is_a_real_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("bound").port();
        assert!(portal_reachable("127.0.0.1", port, Duration::from_secs(1)));
        drop(listener);
        assert!(!portal_reachable("127.0.0.1", port, Duration::from_secs(1)));
    }
}
