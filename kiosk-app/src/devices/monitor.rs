//! The device thread (`device-monitor`): checks the printer, the scanner, the pager transmitter and the portal's
//! reachability every few seconds, prints slips and scans papers as asked, and reports each as an [`Event`].
//! It is supervised: a panic is logged, reported (the technician screen shows it), and the thread goes on
//! with the devices opened again.
//! Must not do: name Slint types, or let a hung device stop the screen (everything here is off the UI thread).

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::Duration;

use kiosk_core::config;

use super::scanner::{Scanned, TestScan};
use super::slips::{Slip, SlipKind};
use super::{portal_reachable, Devices, PortalReach, Printed, Report};

/// How often the monitor checks devices and the portal.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(10);

/// What the device thread is asked to do besides its checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Print(Slip),
    /// Scan one paper for the dossier being filled in (`card`: an ID card); `request` comes back with the pages.
    Scan {
        card: bool,
        request: u64,
    },
    /// The technician's test scan: one page from the glass, timed, with the driver's cause if it fails.
    TestScan,
}

/// What the device thread tells the screen.
#[derive(Debug, Clone)]
pub enum Event {
    Checked(Report),
    /// A slip's print finished: how it went, and the paper as the printer received it.
    Printed {
        kind: SlipKind,
        reference: Option<String>,
        printed: Printed,
    },
    /// A paper was scanned for a dossier (its finished pages), or why not, for scan request `request` (the screen
    /// takes only the answer to the request it is waiting for: a late answer never lands in another dossier).
    Scanned {
        request: u64,
        scanned: Scanned,
    },
    /// The technician's test scan finished (or failed).
    TestScanned(TestScan),
    /// The device thread panicked and was started again (`restarts` so far), with the panic's message.
    Restarted {
        restarts: u32,
        cause: String,
    },
}

/// The handle the rest of the kiosk asks the device thread with. Cloning gives another handle.
#[derive(Debug, Clone)]
pub struct Monitor {
    requests: mpsc::Sender<Request>,
}

impl Monitor {
    /// Hands a slip to the printer. False only when the device thread is gone (the kiosk is stopping).
    pub fn print(&self, slip: Slip) -> bool {
        self.requests.send(Request::Print(slip)).is_ok()
    }

    /// Asks for one paper to be scanned; the pages come back as [`Event::Scanned`] with `request`.
    pub fn scan(&self, card: bool, request: u64) -> bool {
        self.requests.send(Request::Scan { card, request }).is_ok()
    }

    /// Asks for the technician's test scan; it comes back as [`Event::TestScanned`].
    pub fn test_scan(&self) -> bool {
        self.requests.send(Request::TestScan).is_ok()
    }
}

/// Where the monitor checks the portal, and how often it checks.
#[derive(Debug, Clone)]
pub struct Settings {
    pub devices: config::Devices,
    pub portal: (String, u16),
    pub interval: Duration,
}

/// Starts the supervised device thread with `devices`; `deliver` gets every event and returns false once nobody
/// listens (the screen has gone), which ends the thread.
pub fn spawn(
    devices: Devices,
    settings: Settings,
    deliver: impl Fn(Event) -> bool + Send + 'static,
) -> std::io::Result<Monitor> {
    let (requests, requested) = mpsc::channel();
    let pager = devices.pager_line();
    std::thread::Builder::new().name("device-monitor".into()).spawn(move || {
        let mut first = Some(devices);
        supervise(
            || {
                let mut devices = first.take().unwrap_or_else(|| Devices::reopen(&settings.devices, pager.clone()));
                serve(&mut devices, &settings, &requested, &deliver);
            },
            |restarts, cause| deliver(Event::Restarted { restarts, cause }),
            Duration::from_secs(1),
        );
    })?;
    Ok(Monitor { requests })
}

/// Runs `body` until it returns; each time it panics, tells `restarted` (how many restarts so far, the panic's
/// message), waits `pause` times the restarts (at most 30 of them) and runs it again. Stops when `restarted`
/// returns false.
pub fn supervise(mut body: impl FnMut(), mut restarted: impl FnMut(u32, String) -> bool, pause: Duration) {
    let mut restarts = 0u32;
    loop {
        match std::panic::catch_unwind(AssertUnwindSafe(&mut body)) {
            Ok(()) => return,
            Err(panic) => {
                restarts += 1;
                let cause = panic_message(panic.as_ref());
                tracing::error!(restarts, %cause, "the device thread panicked; starting it again");
                if !restarted(restarts, cause) {
                    return;
                }
                std::thread::sleep(pause * restarts.min(30));
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(text), _) => (*text).to_owned(),
        (None, Some(text)) => text.clone(),
        (None, None) => "a panic without a message".to_owned(),
    }
}

/// One device thread's life: a round of checks, then whatever is asked until the next round is due.
fn serve(
    devices: &mut Devices,
    settings: &Settings,
    requested: &mpsc::Receiver<Request>,
    deliver: &impl Fn(Event) -> bool,
) {
    loop {
        let report = check(devices, &settings.portal);
        tracing::debug!(?report, "device check");
        if !deliver(Event::Checked(report)) {
            return;
        }
        let event = match requested.recv_timeout(settings.interval) {
            Ok(Request::Print(slip)) => Event::Printed {
                kind: slip.kind,
                printed: super::printer::print_document(devices, &slip.document),
                reference: slip.reference,
            },
            Ok(Request::Scan { card, request }) => {
                Event::Scanned { request, scanned: super::scanner::scan_paper(devices, card) }
            }
            Ok(Request::TestScan) => Event::TestScanned(super::scanner::test_scan(devices)),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            // Nobody can ask any more; keep checking for the technician screen and the heartbeat.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(settings.interval);
                continue;
            }
        };
        if !deliver(event) {
            return;
        }
    }
}

fn check(devices: &mut Devices, portal: &(String, u16)) -> Report {
    let (printer, scanner, pager) = devices.check();
    let portal = if portal_reachable(&portal.0, portal.1, Duration::from_secs(3)) {
        PortalReach::Reachable
    } else {
        PortalReach::Unreachable
    };
    Report { printer, scanner, pager, portal }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_panicking_body_is_reported_and_run_again_until_it_finishes() {
        let runs = Cell::new(0);
        let mut reported = Vec::new();
        supervise(
            || {
                runs.set(runs.get() + 1);
                if runs.get() <= 2 {
                    panic!("printer driver fell over #{}", runs.get());
                }
            },
            |restarts, cause| {
                reported.push((restarts, cause));
                true
            },
            Duration::ZERO,
        );
        assert_eq!(runs.get(), 3);
        assert_eq!(
            reported,
            vec![(1, "printer driver fell over #1".to_owned()), (2, "printer driver fell over #2".to_owned())]
        );
    }

    #[test]
    fn nobody_listening_ends_the_supervision() {
        let runs = Cell::new(0);
        supervise(
            || {
                runs.set(runs.get() + 1);
                panic!("again")
            },
            |_, _| false,
            Duration::ZERO,
        );
        assert_eq!(runs.get(), 1);
    }
}
