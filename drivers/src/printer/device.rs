//! `EscPos`: a real ESC/POS printer over any [`Link`], with real-time status and reconnection; and
//! `SimDevice`, the printer end of a link for tests and the demo: it decodes what it receives with our decoder,
//! answers DLE EOT like a printer, and keeps each finished job.
//! Must not do: send a job to a printer that just said it cannot print it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{decode, status, Error, ReceiptPrinter, Status};
use crate::transport::{self, Endpoint, Link, Reconnecting};

/// How long a printer has to answer one status request before it counts as not responding.
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(500);

/// An ESC/POS printer on a link that is (re)opened on demand: after an unplug the next call finds it again.
pub struct EscPos {
    link: Reconnecting,
    /// The last automatic status back block the printer sent, as it arrived between replies.
    last_automatic: Option<Status>,
    /// Bytes of an automatic status back block still coming in.
    asb_partial: Vec<u8>,
}

/// A link failure as a printer error: a device that has gone is Disconnected.
fn link_error(error: std::io::Error) -> Error {
    if transport::is_disconnect(&error) {
        Error::Disconnected(error)
    } else {
        Error::Io(error)
    }
}

impl EscPos {
    /// A printer at `endpoint`; nothing is opened until it is used.
    pub fn new(endpoint: Endpoint) -> EscPos {
        EscPos { link: Reconnecting::new(endpoint), last_automatic: None, asb_partial: Vec::new() }
    }

    /// A printer on a link that is already open and cannot be reopened (tests, a pseudo-terminal).
    pub fn on_link(link: Box<dyn Link>) -> EscPos {
        EscPos { link: Reconnecting::on_link(link), last_automatic: None, asb_partial: Vec::new() }
    }

    /// Switches automatic status back on (for profiles that have it): the printer then reports every change by
    /// itself, and [`EscPos::last_automatic_status`] has the latest report. Status checks still ask DLE EOT.
    pub fn with_automatic_status_back(mut self, enabled: bool) -> EscPos {
        let greeting: &[u8] = if enabled { &status::ENABLE_ASB } else { &[] };
        // A failed send shows up, and drops the link, at the next exchange.
        let _ = self.link.set_greeting(greeting);
        self
    }

    /// The printer's latest automatic status back report, if it has sent one.
    pub fn last_automatic_status(&self) -> Option<Status> {
        self.last_automatic
    }

    /// Takes one byte that is not a DLE EOT reply: part of an automatic status back block, or noise (XON/XOFF).
    fn unsolicited(&mut self, byte: u8) {
        if self.asb_partial.is_empty() && byte & 0b1001_0011 != 0b0001_0000 {
            return;
        }
        if byte == 0x11 || byte == 0x13 {
            return;
        }
        self.asb_partial.push(byte);
        if self.asb_partial.len() == 4 {
            let block = [self.asb_partial[0], self.asb_partial[1], self.asb_partial[2], self.asb_partial[3]];
            self.asb_partial.clear();
            if let Ok(status) = status::from_asb(block) {
                self.last_automatic = Some(status);
            }
        }
    }

    fn ask(&mut self, n: u8) -> Result<u8, Error> {
        self.link.send(&status::request(n)).map_err(link_error)?;
        let deadline = std::time::Instant::now() + STATUS_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout(STATUS_TIMEOUT));
            }
            let mut byte = [0u8; 1];
            match self.link.receive(&mut byte, left) {
                Ok(0) => return Err(Error::Timeout(STATUS_TIMEOUT)),
                // Bytes that are not a reply are automatic status back blocks or flow control.
                Ok(_) => match status::check_reply(byte[0]) {
                    Ok(reply) if self.asb_partial.is_empty() => return Ok(reply),
                    _ => self.unsolicited(byte[0]),
                },
                Err(e) => return Err(link_error(e)),
            }
        }
    }
}

impl ReceiptPrinter for EscPos {
    fn status(&mut self) -> Result<Status, Error> {
        let mut replies = [0u8; 4];
        for (slot, n) in replies.iter_mut().zip(status::REQUESTS) {
            *slot = match self.ask(n) {
                Ok(reply) => reply,
                // Some USB printers send no DLE EOT replies on bulk IN; the printer class's own port status
                // still tells paper and errors apart.
                Err(Error::Timeout(waited)) => {
                    return match self.link.current().and_then(|link| link.port_status()) {
                        Some(Ok(port)) => Ok(status::from_port_status(port)),
                        Some(Err(e)) => {
                            self.link.note_failure(&e);
                            Err(link_error(e))
                        }
                        None => Err(Error::Timeout(waited)),
                    };
                }
                Err(other) => return Err(other),
            };
        }
        Ok(status::from_replies(replies).expect("each reply was checked"))
    }

    fn print(&mut self, job: &[u8]) -> Result<(), Error> {
        let before = self.status()?;
        if let Some(kind) = before.blocking_problem() {
            return Err(Error::Reported(kind));
        }
        self.link.send(job).map_err(link_error)
    }
}

/// What came of a print job, from the printer's status before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Printed, and the printer is fine afterwards.
    Printed,
    /// Printed, and the roll is nearly used up: staff should change it soon.
    PrintedPaperLow,
}

/// Prints `job` and checks the printer afterwards, so the kiosk says "take your ticket" only when it really came
/// out: paper running out or the cover opening during the job is an error, not a success.
pub fn print_checked(printer: &mut dyn ReceiptPrinter, job: &[u8]) -> Result<Outcome, Error> {
    printer.print(job)?;
    let after = printer.status()?;
    match after.blocking_problem() {
        Some(kind) => Err(Error::Reported(kind)),
        None if after.paper == super::Paper::NearEnd => Ok(Outcome::PrintedPaperLow),
        None => Ok(Outcome::Printed),
    }
}

/// The state of a simulated printer device, shared with whoever drives the test or demo.
#[derive(Debug, Clone)]
pub struct SimDeviceState {
    pub status: Status,
    /// False: the device ignores status requests (a printer that does not answer).
    pub answers: bool,
    /// Finished jobs, each from its first byte to its cut.
    pub jobs: Vec<Vec<u8>>,
    /// Bytes received since the last cut.
    pub pending: Vec<u8>,
    /// Status requests answered.
    pub status_requests: usize,
    /// Set to make the device drop its link once (a cable pulled out); `serve` then returns.
    pub hang_up: bool,
    /// Whether the host switched automatic status back on (GS a n with n != 0).
    pub automatic_status_back: bool,
}

impl Default for SimDeviceState {
    fn default() -> Self {
        SimDeviceState {
            status: Status::READY,
            answers: true,
            jobs: Vec::new(),
            pending: Vec::new(),
            status_requests: 0,
            hang_up: false,
            automatic_status_back: false,
        }
    }
}

/// The 4-byte automatic status back block a printer in `status` sends (the inverse of `status::from_asb`).
fn asb_block(status: &Status) -> Vec<u8> {
    let mut block = vec![0x10u8, 0, 0, 0];
    if !status.online {
        block[0] |= 0x08;
    }
    if status.cover_open {
        block[0] |= 0x20;
    }
    if status.cutter_error {
        block[1] |= 0x08;
    }
    if status.unrecoverable_error {
        block[1] |= 0x20;
    }
    block[2] |= match status.paper {
        super::Paper::Present => 0,
        super::Paper::NearEnd => 0x03,
        super::Paper::Out => 0x0c,
    };
    block
}

/// The printer end of a link: call [`SimDevice::serve`] on its own thread.
#[derive(Debug, Clone, Default)]
pub struct SimDevice {
    pub state: Arc<Mutex<SimDeviceState>>,
}

impl SimDevice {
    fn lock(&self) -> std::sync::MutexGuard<'_, SimDeviceState> {
        crate::lock_sim(&self.state)
    }

    pub fn set_status(&self, status: Status) {
        self.lock().status = status;
    }

    pub fn set_answers(&self, answers: bool) {
        self.lock().answers = answers;
    }

    /// Drops the link once, as if the cable were pulled out.
    pub fn hang_up(&self) {
        self.lock().hang_up = true;
    }

    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.lock().jobs.clone()
    }

    /// Reads from `link` until it closes: answers status requests, collects jobs (a job ends at its cut).
    pub fn serve(&self, mut link: Box<dyn Link>) -> std::io::Result<()> {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if std::mem::take(&mut self.lock().hang_up) {
                return Ok(());
            }
            let n = link.receive(&mut chunk, Duration::from_millis(20))?;
            buffer.extend_from_slice(&chunk[..n]);
            let mut used_total = 0;
            while let Some(parsed) = decode::next_command(&buffer[used_total..]) {
                let (command, used) = match parsed {
                    Ok(found) => found,
                    // A byte no command starts with: keep it in the job, as a printer would print it.
                    Err(()) => (decode::Command::Text(vec![buffer[used_total]]), 1),
                };
                let bytes = buffer[used_total..used_total + used].to_vec();
                used_total += used;
                let reply: Option<Vec<u8>> = {
                    let mut state = self.lock();
                    match command {
                        decode::Command::StatusRequest(n @ 1..=4) if state.answers => {
                            state.status_requests += 1;
                            Some(vec![status::replies_for(&state.status)[n as usize - 1]])
                        }
                        decode::Command::StatusRequest(_) => None,
                        decode::Command::AutomaticStatusBack(n) => {
                            state.automatic_status_back = n != 0;
                            // The printer answers at once with its current state (Epson: "GS a").
                            (n != 0).then(|| asb_block(&state.status))
                        }
                        decode::Command::Cut { .. } => {
                            state.pending.extend_from_slice(&bytes);
                            let job = std::mem::take(&mut state.pending);
                            state.jobs.push(job);
                            None
                        }
                        _ => {
                            state.pending.extend_from_slice(&bytes);
                            None
                        }
                    }
                };
                if let Some(reply) = reply {
                    link.send(&reply)?;
                }
            }
            buffer.drain(..used_total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::encode::encode;
    use crate::printer::profile::Profile;
    use crate::printer::raster::tests::typeface;
    use crate::printer::{samples, ErrorKind, Paper};
    use crate::transport::SerialLink;

    fn ticket() -> Vec<u8> {
        let profile = Profile::builtin("generic-80").expect("shipped");
        encode(&samples::queue_ticket(), &profile, &typeface()).bytes
    }

    /// The driver on one end of a real pseudo-terminal pair, the simulated printer on the other.
    fn pty_printer() -> (EscPos, SimDevice) {
        let (ours, theirs) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
        let device = SimDevice::default();
        let server = device.clone();
        std::thread::spawn(move || server.serve(Box::new(SerialLink::from_port(theirs))));
        (EscPos::on_link(Box::new(SerialLink::from_port(ours))), device)
    }

    #[test]
    fn serial_printing_with_status_before_and_after() {
        let (mut printer, device) = pty_printer();
        let job = ticket();
        assert_eq!(print_checked(&mut printer, &job).expect("prints"), Outcome::Printed);
        assert_eq!(device.jobs(), vec![job.clone()], "the printer received exactly the job, status requests apart");

        device.set_status(Status { paper: Paper::NearEnd, ..Status::READY });
        assert_eq!(print_checked(&mut printer, &job).expect("prints"), Outcome::PrintedPaperLow);

        device.set_status(Status { cover_open: true, ..Status::READY });
        assert_eq!(print_checked(&mut printer, &job).map_err(|e| e.kind()), Err(ErrorKind::CoverOpen));
        assert_eq!(device.jobs().len(), 2, "nothing sent to a printer with its cover open");

        device.set_status(Status { paper: Paper::Out, ..Status::READY });
        let status = printer.status().expect("answers");
        assert_eq!(status.blocking_problem(), Some(ErrorKind::PaperOut));
    }

    #[test]
    fn automatic_status_back_reports_arrive_between_replies() {
        let (ours, theirs) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
        let device = SimDevice::default();
        device.set_status(Status { paper: Paper::NearEnd, ..Status::READY });
        let server = device.clone();
        std::thread::spawn(move || server.serve(Box::new(SerialLink::from_port(theirs))));
        let mut printer = EscPos::on_link(Box::new(SerialLink::from_port(ours))).with_automatic_status_back(true);
        // The ASB block comes in ahead of the DLE EOT replies; the replies are still read correctly.
        let status = printer.status().expect("answers");
        assert_eq!(status.paper, Paper::NearEnd);
        assert_eq!(printer.last_automatic_status().map(|s| s.paper), Some(Paper::NearEnd));
        assert!(device.state.lock().expect("state").automatic_status_back);
    }

    /// A link that swallows everything and answers only the USB printer class's port status.
    struct SilentUsb(u8);

    impl Link for SilentUsb {
        fn send(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
            Ok(())
        }
        fn receive(&mut self, _buf: &mut [u8], _timeout: Duration) -> std::io::Result<usize> {
            Ok(0)
        }
        fn port_status(&mut self) -> Option<std::io::Result<u8>> {
            Some(Ok(self.0))
        }
    }

    #[test]
    fn usb_port_status_stands_in_when_dle_eot_gets_no_reply() {
        // Bits: 3 not-error, 4 selected, 5 paper empty (USB printer class 1.1, GET_PORT_STATUS).
        let mut fine = EscPos::on_link(Box::new(SilentUsb(0b0001_1000)));
        assert_eq!(fine.status().ok(), Some(Status::READY));
        let mut empty = EscPos::on_link(Box::new(SilentUsb(0b0011_0000)));
        assert_eq!(empty.status().map(|s| s.blocking_problem()).ok(), Some(Some(ErrorKind::PaperOut)));
    }

    #[test]
    fn a_printer_that_does_not_answer_is_a_timeout_not_paper_ok() {
        let (mut printer, device) = pty_printer();
        device.set_answers(false);
        assert_eq!(printer.status().map_err(|e| e.kind()), Err(ErrorKind::Timeout));
        assert_eq!(print_checked(&mut printer, &ticket()).map_err(|e| e.kind()), Err(ErrorKind::Timeout));
        assert!(device.jobs().is_empty());
    }

    #[test]
    fn tcp_printer_is_found_again_after_it_drops_the_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
        let port = listener.local_addr().expect("bound").port();
        let device = SimDevice::default();
        let server = device.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(3).flatten() {
                let link = crate::transport::TcpLink::from_stream(stream);
                let _ = server.serve(Box::new(link));
            }
        });
        let mut printer = EscPos::new(Endpoint::Tcp { host: "127.0.0.1".into(), port });
        let job = ticket();
        assert_eq!(print_checked(&mut printer, &job).expect("first ticket"), Outcome::Printed);

        device.hang_up();
        let mut failures = Vec::new();
        let mut printed = false;
        for _ in 0..5 {
            match print_checked(&mut printer, &job) {
                Ok(_) => {
                    printed = true;
                    break;
                }
                Err(e) => failures.push(e.kind()),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(printed, "reconnected and printed; failures on the way: {failures:?}");
        assert!(failures.iter().all(|k| *k == ErrorKind::Disconnected), "{failures:?}");
        assert_eq!(device.jobs(), vec![job.clone(), job]);
    }
}
