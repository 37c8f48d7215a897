//! Receipt printers: the `ReceiptPrinter` role, its status and errors, and the simulated printer.
//!
//! A job is a complete byte stream (ESC/POS); encoding documents into bytes is pure and lives beside the
//! encoder, not here. The real transports (serial, USB printer class, TCP 9100, device file) implement the same
//! trait. Must not do: retry a job by itself (a second ticket is worse than an error the app can explain).

pub mod codepage;
pub mod decode;
pub mod device;
pub mod document;
pub mod encode;
pub mod profile;
pub mod raster;
pub mod samples;
pub mod status;

#[cfg(test)]
mod encode_tests;

use std::sync::{Arc, Mutex};

/// What the printer says about itself, from its real-time status bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub online: bool,
    pub cover_open: bool,
    pub paper: Paper,
    pub cutter_error: bool,
    pub unrecoverable_error: bool,
}

impl Status {
    /// A printer that is online, closed, with paper and no error.
    pub const READY: Status = Status {
        online: true,
        cover_open: false,
        paper: Paper::Present,
        cutter_error: false,
        unrecoverable_error: false,
    };

    /// The condition that stops printing now, if any, most urgent first.
    pub fn blocking_problem(&self) -> Option<ErrorKind> {
        if self.unrecoverable_error {
            Some(ErrorKind::Unrecoverable)
        } else if self.cover_open {
            Some(ErrorKind::CoverOpen)
        } else if self.paper == Paper::Out {
            Some(ErrorKind::PaperOut)
        } else if self.cutter_error {
            Some(ErrorKind::CutterError)
        } else if !self.online {
            Some(ErrorKind::Offline)
        } else {
            None
        }
    }
}

/// The paper roll as the printer's sensors see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Present,
    /// The near-end sensor has tripped: a few tickets are left; staff should change the roll soon.
    NearEnd,
    Out,
}

/// What went wrong, in terms the application can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The printer is not there (unplugged, powered off, wrong address).
    Disconnected,
    /// The printer did not answer in time: never taken as "all is well".
    Timeout,
    Offline,
    CoverOpen,
    PaperOut,
    CutterError,
    Unrecoverable,
    /// Any other failure of the transport.
    Io,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the printer reports a problem: {0:?}")]
    Reported(ErrorKind),
    #[error("the printer did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("the printer is not connected")]
    Disconnected(#[source] std::io::Error),
    #[error("writing to the printer failed")]
    Io(#[source] std::io::Error),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Reported(kind) => *kind,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Disconnected(_) => ErrorKind::Disconnected,
            Error::Io(_) => ErrorKind::Io,
        }
    }
}

/// The role: something that prints complete jobs and can say whether it is able to.
pub trait ReceiptPrinter: Send {
    /// Asks the printer for its real-time status.
    fn status(&mut self) -> Result<Status, Error>;
    /// Sends one complete job and returns once every byte has been accepted by the printer.
    fn print(&mut self, job: &[u8]) -> Result<(), Error>;
}

/// A printer that lives in memory: it keeps every job it accepted, and its condition can be changed from
/// outside (the demo's technician panel, tests) through a [`SimPrinterControl`].
#[derive(Debug, Default)]
pub struct SimPrinter {
    shared: Arc<Mutex<SimState>>,
}

#[derive(Debug)]
struct SimState {
    status: Status,
    connected: bool,
    jobs: Vec<Vec<u8>>,
}

impl Default for SimState {
    fn default() -> Self {
        SimState { status: Status::READY, connected: true, jobs: Vec::new() }
    }
}

/// The other end of a [`SimPrinter`]: change its condition, read what it printed.
#[derive(Debug, Clone)]
pub struct SimPrinterControl {
    shared: Arc<Mutex<SimState>>,
}

impl SimPrinter {
    pub fn new() -> (SimPrinter, SimPrinterControl) {
        let printer = SimPrinter::default();
        let control = SimPrinterControl { shared: printer.shared.clone() };
        (printer, control)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SimState> {
        crate::lock_sim(&self.shared)
    }
}

impl SimPrinterControl {
    fn state(&self) -> std::sync::MutexGuard<'_, SimState> {
        crate::lock_sim(&self.shared)
    }

    pub fn set_status(&self, status: Status) {
        self.state().status = status;
    }

    /// Unplugs (false) or plugs back in (true) the simulated printer.
    pub fn set_connected(&self, connected: bool) {
        self.state().connected = connected;
    }

    /// Every job printed so far, oldest first.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.state().jobs.clone()
    }
}

impl ReceiptPrinter for SimPrinter {
    fn status(&mut self) -> Result<Status, Error> {
        let state = self.state();
        if !state.connected {
            return Err(Error::Disconnected(std::io::ErrorKind::NotConnected.into()));
        }
        Ok(state.status)
    }

    fn print(&mut self, job: &[u8]) -> Result<(), Error> {
        let mut state = self.state();
        if !state.connected {
            return Err(Error::Disconnected(std::io::ErrorKind::NotConnected.into()));
        }
        if let Some(kind) = state.status.blocking_problem() {
            return Err(Error::Reported(kind));
        }
        state.jobs.push(job.to_vec());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_printer_prints_only_when_it_can() {
        let (mut printer, control) = SimPrinter::new();
        assert_eq!(printer.status().ok(), Some(Status::READY));
        printer.print(b"\x1b@ticket").expect("ready printer prints");

        control.set_status(Status { paper: Paper::Out, ..Status::READY });
        let error = printer.print(b"\x1b@second").expect_err("no paper");
        assert_eq!(error.kind(), ErrorKind::PaperOut);

        control.set_status(Status { paper: Paper::NearEnd, ..Status::READY });
        printer.print(b"\x1b@third").expect("near end still prints");

        control.set_connected(false);
        assert_eq!(printer.status().map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
        assert_eq!(control.jobs(), vec![b"\x1b@ticket".to_vec(), b"\x1b@third".to_vec()]);
    }

    #[test]
    fn most_urgent_problem_wins() {
        let status = Status { cover_open: true, paper: Paper::Out, online: false, ..Status::READY };
        assert_eq!(status.blocking_problem(), Some(ErrorKind::CoverOpen));
        assert_eq!(Status { paper: Paper::NearEnd, ..Status::READY }.blocking_problem(), None);
    }
}
