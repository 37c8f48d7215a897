//! The kiosk's devices: opened from the configuration (one file per device: `printer`, `scanner`, `pager`), what
//! the kiosk prints (`slips`), and the supervised device thread that checks them and the portal's reachability,
//! prints and scans (`monitor`).
//! Must not do: name Slint types (the bridge turns a [`Report`] into what the screen shows), or run a device call
//! on the UI thread.

pub mod monitor;
pub mod pager;
pub mod pager_socket;
pub mod printer;
pub mod scanner;
pub mod slips;

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use kiosk_core::config::{self, Transport};
use kiosk_drivers::pager::SimPagerControl;
use kiosk_drivers::printer::profile::Profile;
use kiosk_drivers::printer::{ReceiptPrinter, SimPrinterControl};
use kiosk_drivers::scanner::{Scanner, SimScannerControl};
use kiosk_drivers::transport::{Endpoint, Flow};

pub use monitor::{Event, Monitor, Request, CHECK_INTERVAL};
pub use pager::{PageOutcome, PagerLine, PAGE_WAIT};
pub use printer::{print_document, printer_profile, Paper2d, Printed};
pub use slips::{Slip, SlipKind};

/// A device's condition, as staff need to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// A device error as the technician needs it: the whole chain of causes in one line (never personal data: device
/// errors carry paths, errno values and protocol bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub cause: String,
}

impl Fault {
    pub fn of(error: &(dyn std::error::Error + 'static)) -> Fault {
        let mut cause = error.to_string();
        let mut source = error.source();
        while let Some(inner) = source {
            let text = inner.to_string();
            if !cause.ends_with(&text) {
                cause.push_str(": ");
                cause.push_str(&text);
            }
            source = inner.source();
        }
        Fault { cause }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceReport {
    pub health: Health,
    pub simulated: bool,
    /// Why the device is not ready, as its driver said it (for the technician).
    pub cause: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalReach {
    Checking,
    Reachable,
    Unreachable,
}

/// One round of checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub printer: DeviceReport,
    pub scanner: DeviceReport,
    pub pager: DeviceReport,
    pub portal: PortalReach,
}

impl Health {
    /// Whether the device cannot serve a resident now (out of paper, open, jammed, gone, broken, or not at this
    /// kiosk): the screens say so before the resident starts. Checking, busy and paper running low still serve.
    pub fn out_of_service(self) -> bool {
        !matches!(self, Health::Checking | Health::Ready | Health::PaperLow | Health::Busy)
    }

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
    const CHECKING: DeviceReport = DeviceReport { health: Health::Checking, simulated: false, cause: None };

    /// The heartbeat's code: "ready", "paper_out (simulated)", ...
    pub(crate) fn code(&self) -> String {
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
        printer: DeviceReport::CHECKING,
        scanner: DeviceReport::CHECKING,
        pager: DeviceReport::CHECKING,
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
    /// The configured printer's profile, worked out once.
    profile: Profile,
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
    /// Opens every configured device; the pager transmitter gets its own thread.
    pub fn open(config: &config::Devices) -> Devices {
        let (pager, control) = pager::open(&config.pager);
        let mut devices = Devices::reopen(config, pager);
        devices.simulators.pager = control;
        devices
    }

    /// Opens the printer and the scanner again beside an already running pager line (after the device thread
    /// was restarted).
    pub fn reopen(config: &config::Devices, pager: PagerLine) -> Devices {
        let mut simulators = Simulators::default();
        let printer = printer::open(&config.printer, &mut simulators);
        let scanner = scanner::open(&config.scanner, &mut simulators);
        Devices { printer, scanner, pager, profile: printer::profile_of(&config.printer), simulators }
    }

    /// The pager transmitter's line, for whoever calls tickets (it has its own thread).
    pub fn pager_line(&self) -> PagerLine {
        self.pager.clone()
    }

    /// The configured printer's profile (what its jobs are encoded for).
    pub fn printer_profile(&self) -> &Profile {
        &self.profile
    }

    /// Asks every device for its condition. Blocking: call it from the device thread, never the UI thread.
    pub fn check(&mut self) -> (DeviceReport, DeviceReport, DeviceReport) {
        (
            check_slot(&mut self.printer, |printer| printer::health(printer.status())),
            check_slot(&mut self.scanner, |scanner| scanner::health(scanner.check())),
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

fn check_slot<T: ?Sized>(slot: &mut Slot<T>, check: impl FnOnce(&mut T) -> (Health, Option<Fault>)) -> DeviceReport {
    let (simulated, device) = match slot {
        Slot::Absent => return DeviceReport { health: Health::Absent, simulated: false, cause: None },
        Slot::Unsupported => return DeviceReport { health: Health::Unsupported, simulated: false, cause: None },
        Slot::Simulated(device) => (true, device),
        Slot::Real(device) => (false, device),
    };
    let (health, fault) = check(device);
    DeviceReport { health, simulated, cause: fault.map(|f| f.cause) }
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

/// Whether a TCP connection to the portal's host and port can be opened within `timeout`.
pub fn portal_reachable(host: &str, port: u16, timeout: Duration) -> bool {
    let Ok(addresses) = (host, port).to_socket_addrs() else {
        return false;
    };
    addresses.into_iter().any(|address| TcpStream::connect_timeout(&address, timeout).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::printer::{self, device::Outcome, Paper};

    fn devices_config(printer: &str) -> config::Devices {
        let device = |transport: &str| config::Device {
            transport: Transport::parse(transport).expect("valid"),
            serial: None,
            printer: None,
            pager: None,
        };
        config::Devices { printer: device(printer), scanner: device("simulated"), pager: device("none") }
    }

    fn ready(simulated: bool) -> DeviceReport {
        DeviceReport { health: Health::Ready, simulated, cause: None }
    }

    #[test]
    fn simulated_devices_report_their_condition() {
        let mut devices = Devices::open(&devices_config("simulated"));
        let (printer, scanner, pager) = devices.check();
        assert_eq!(printer, ready(true));
        assert_eq!(scanner, ready(true));
        assert_eq!(pager, DeviceReport { health: Health::Absent, simulated: false, cause: None });

        let control = devices.simulators.printer.clone().expect("simulated printer");
        control.set_status(printer::Status { paper: Paper::NearEnd, ..printer::Status::READY });
        assert_eq!(devices.check().0.health, Health::PaperLow);
        control.set_status(printer::Status { cover_open: true, ..printer::Status::READY });
        assert_eq!(devices.check().0.health, Health::CoverOpen);
        control.set_connected(false);
        let disconnected = devices.check().0;
        assert_eq!(disconnected.health, Health::Disconnected);
        assert!(disconnected.cause.is_some_and(|cause| !cause.is_empty()), "the driver's cause is kept");
    }

    #[test]
    fn a_real_printer_that_is_not_there_is_shown_as_not_connected_with_the_cause() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("bound").port();
        drop(listener);
        let mut devices = Devices::open(&devices_config(&format!("tcp:127.0.0.1:{port}")));
        let report = devices.check().0;
        assert_eq!((report.health, report.simulated), (Health::Disconnected, false));
        let cause = report.cause.expect("a cause");
        assert!(cause.contains(&port.to_string()) || cause.to_lowercase().contains("refused"), "{cause}");
    }

    #[test]
    fn the_test_page_prints_on_the_simulated_printer_and_comes_back_as_paper() {
        let config = devices_config("simulated");
        let mut devices = Devices::open(&config);
        let printed = print_document(&mut devices, &Slip::test_page(&config.printer).document);
        assert_eq!(printed.outcome, Ok(Outcome::Printed));
        let paper = printed.paper.expect("drawn");
        assert_eq!(paper.width, 576 + 32);
        assert!(paper.grey.iter().filter(|g| **g == 0).count() > 5000, "the test page has ink");

        let control = devices.simulators.printer.clone().expect("simulated");
        control.set_status(printer::Status { paper: Paper::Out, ..printer::Status::READY });
        let failed = print_document(&mut devices, &Slip::test_page(&config.printer).document);
        assert_eq!(failed.outcome, Err(printer::ErrorKind::PaperOut));
        assert!(failed.paper.is_none());
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
