//! Document scanners: the `Scanner` role's status and errors, and the simulated scanner.
//!
//! This first version knows whether a scanner is there and ready; acquiring pages (SANE, eSCL) and the page
//! pipeline come with the scanner issue. Must not do: touch SANE from more than one thread.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Disconnected,
    Busy,
    CoverOpen,
    Jammed,
    NoDocument,
    Io,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the scanner is not connected")]
    Disconnected,
    #[error("the scanner reports a problem: {0:?}")]
    Reported(ErrorKind),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Disconnected => ErrorKind::Disconnected,
            Error::Reported(kind) => *kind,
        }
    }
}

/// The role: a device that scans paper documents.
pub trait Scanner: Send {
    /// Checks that the scanner is there and ready to scan.
    fn check(&mut self) -> Result<(), Error>;
}

/// A scanner in memory whose condition tests and the demo can change.
#[derive(Debug, Default)]
pub struct SimScanner {
    shared: Arc<Mutex<Option<ErrorKind>>>,
}

/// The other end of a [`SimScanner`].
#[derive(Debug, Clone)]
pub struct SimScannerControl {
    shared: Arc<Mutex<Option<ErrorKind>>>,
}

impl SimScanner {
    pub fn new() -> (SimScanner, SimScannerControl) {
        let scanner = SimScanner::default();
        let control = SimScannerControl { shared: scanner.shared.clone() };
        (scanner, control)
    }
}

impl SimScannerControl {
    /// Makes the simulated scanner report `problem` (None: ready).
    pub fn set_problem(&self, problem: Option<ErrorKind>) {
        *crate::lock_sim(&self.shared) = problem;
    }
}

impl Scanner for SimScanner {
    fn check(&mut self) -> Result<(), Error> {
        match *crate::lock_sim(&self.shared) {
            None => Ok(()),
            Some(ErrorKind::Disconnected) => Err(Error::Disconnected),
            Some(kind) => Err(Error::Reported(kind)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_scanner_reports_what_it_is_told() {
        let (mut scanner, control) = SimScanner::new();
        assert!(scanner.check().is_ok());
        control.set_problem(Some(ErrorKind::Jammed));
        assert_eq!(scanner.check().map_err(|e| e.kind()), Err(ErrorKind::Jammed));
        control.set_problem(Some(ErrorKind::Disconnected));
        assert_eq!(scanner.check().map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
    }
}
