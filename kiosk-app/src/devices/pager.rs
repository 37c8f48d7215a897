//! The pager transmitter: opened from the configuration and owned by its own thread (`pager`), so a call is
//! paged at once, never behind a slow printer check. The counter API and the device monitor hold handles.
//! Must not do: block a caller longer than it asked to wait.

use std::time::Duration;

use kiosk_core::config;
use kiosk_drivers::pager::serial::{Protocol, SerialTransmitter};
use kiosk_drivers::pager::{self, PagerTransmitter, SimPager, SimPagerControl};

use super::{endpoint, open_slot, DeviceReport, Health, Slot};

/// Opens the configured transmitter on its own thread; the simulator's handle when it is simulated.
pub fn open(config: &config::Device) -> (PagerLine, Option<SimPagerControl>) {
    let mut control = None;
    let slot = match (endpoint(config), config.pager) {
        (Some(endpoint), Some(protocol)) => {
            Slot::Real(Box::new(SerialTransmitter::new(pager_protocol(protocol), endpoint)) as Box<dyn PagerTransmitter>)
        }
        _ => open_slot("pager", &config.transport, &mut control, || {
            let (pager, control) = SimPager::new();
            (Box::new(pager) as Box<dyn PagerTransmitter>, control)
        }),
    };
    (PagerLine::spawn(slot), control)
}

/// The driver's protocol for a configured pager transmitter.
pub fn pager_protocol(protocol: config::PagerProtocol) -> Protocol {
    match protocol {
        config::PagerProtocol::Jtech { base_id, separator } => Protocol::Jtech { base_id, separator },
        config::PagerProtocol::Lrs { system_id } => Protocol::Lrs { system_id },
        config::PagerProtocol::WaveWare { cap_base } => Protocol::WaveWare { cap_base },
    }
}

fn pager_health(check: Result<(), pager::Error>) -> Health {
    match check {
        Ok(()) => Health::Ready,
        Err(error) => {
            tracing::debug!(cause = %super::Fault::of(&error).cause, "the pager transmitter's check failed");
            error_health(error.kind())
        }
    }
}

/// The condition a transmitter's error shows.
pub fn error_health(kind: pager::ErrorKind) -> Health {
    use pager::ErrorKind as K;
    match kind {
        K::Disconnected => Health::Disconnected,
        K::Timeout => Health::NotResponding,
        K::Rejected | K::Io => Health::Fault,
    }
}

/// The pager transmitter, owned by its own thread so a call is paged at once, never behind a slow printer check.
/// Cloning gives another handle on the same transmitter.
#[derive(Clone)]
pub struct PagerLine {
    kind: SlotKind,
    jobs: Option<std::sync::mpsc::Sender<PagerJob>>,
    /// [`SlotKind::Elsewhere`]: the core service's socket (super::pager_socket).
    socket: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    Absent,
    Unsupported,
    Simulated,
    Real,
    /// Owned by the kiosk's core service in another process, asked over its socket.
    Elsewhere,
}

enum PagerJob {
    Page { pager: pager::PagerId, reply: std::sync::mpsc::Sender<Result<(), (pager::ErrorKind, super::Fault)>> },
    Check { reply: std::sync::mpsc::Sender<Health> },
}

/// What became of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
            Slot::Absent => return PagerLine { kind: SlotKind::Absent, jobs: None, socket: None },
            Slot::Unsupported => return PagerLine { kind: SlotKind::Unsupported, jobs: None, socket: None },
            Slot::Simulated(transmitter) => (SlotKind::Simulated, transmitter),
            Slot::Real(transmitter) => (SlotKind::Real, transmitter),
        };
        let (jobs, queue) = std::sync::mpsc::channel::<PagerJob>();
        let spawned = std::thread::Builder::new().name("pager".into()).spawn(move || {
            for job in queue {
                match job {
                    PagerJob::Page { pager, reply } => {
                        let result = transmitter.page(pager).map_err(|e| {
                            let fault = super::Fault::of(&e);
                            tracing::warn!(pager, cause = %fault.cause, "page failed");
                            (e.kind(), fault)
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
            Ok(_) => PagerLine { kind, jobs: Some(jobs), socket: None },
            Err(error) => {
                tracing::error!(%error, "could not start the pager thread; pagers are unavailable");
                PagerLine { kind: SlotKind::Unsupported, jobs: None, socket: None }
            }
        }
    }

    /// The transmitter the kiosk's core service owns, asked over its socket (the screen's handle when the core
    /// runs as its own service).
    pub fn elsewhere(socket: std::path::PathBuf) -> PagerLine {
        PagerLine { kind: SlotKind::Elsewhere, jobs: None, socket: Some(socket) }
    }

    /// Pages one pager and waits up to `wait` for the transmitter's answer.
    pub fn page(&self, pager: pager::PagerId, wait: Duration) -> PageOutcome {
        self.page_with_cause(pager, wait).0
    }

    /// [`Self::page`], with the driver's cause of a failure (for the technician's test page).
    pub fn page_with_cause(&self, pager: pager::PagerId, wait: Duration) -> (PageOutcome, Option<super::Fault>) {
        if let Some(socket) = &self.socket {
            return super::pager_socket::page(socket, pager, wait);
        }
        let Some(jobs) = &self.jobs else {
            return (PageOutcome::NoTransmitter, None);
        };
        let (reply, answer) = std::sync::mpsc::channel();
        if jobs.send(PagerJob::Page { pager, reply }).is_err() {
            let gone = super::Fault { cause: "the pager thread has stopped".into() };
            return (PageOutcome::Failed(pager::ErrorKind::Io), Some(gone));
        }
        match answer.recv_timeout(wait) {
            Ok(Ok(())) => (PageOutcome::Paged { simulated: self.kind == SlotKind::Simulated }, None),
            Ok(Err((kind, fault))) => (PageOutcome::Failed(kind), Some(fault)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => (PageOutcome::Pending, None),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                let gone = super::Fault { cause: "the pager thread stopped before it answered".into() };
                (PageOutcome::Failed(pager::ErrorKind::Io), Some(gone))
            }
        }
    }

    /// The transmitter's condition for the technician screen and the heartbeat.
    pub fn check(&self) -> DeviceReport {
        if let Some(socket) = &self.socket {
            return super::pager_socket::check(socket);
        }
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
        DeviceReport { health, simulated, cause: None }
    }
}
