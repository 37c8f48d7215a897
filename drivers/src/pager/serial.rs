//! Pager transmitters on a serial link (or any [`Link`]): JTECH/HME, LRS and WaveWare, with timeouts, NAK retries
//! and reconnection; and `SimTransmitterDevice`, the transmitter end of a link for tests and the demo.
//! Must not do: page twice for one request except to retry a page the transmitter refused (NAK).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::frame::{self, jtech, lrs, waveware, Page};
use super::{Error, PagerId, PagerTransmitter};
use crate::transport::{self, Endpoint, Link, Reconnecting};

/// Which protocol the transmitter speaks, with its addressing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// JTECH/HME: base station id; separator byte from the SmartAlert table (J1901: 0x03).
    Jtech { base_id: u16, separator: u8 },
    /// LRS: the system id the pagers are programmed with.
    Lrs { system_id: u16 },
    /// WaveWare / InterPage: cap code of pager 0; pager n is `cap_base + 8 n`.
    WaveWare { cap_base: u32 },
}

/// How long a transmitter has to answer.
pub const REPLY_TIMEOUT: Duration = Duration::from_millis(800);
/// How many times a page the transmitter refused (NAK) is sent again.
pub const NAK_RETRIES: usize = 2;

pub struct SerialTransmitter {
    protocol: Protocol,
    link: Reconnecting,
}

/// A link failure as a pager error: a transmitter that has gone is Disconnected.
fn link_error(error: std::io::Error) -> Error {
    if transport::is_disconnect(&error) {
        Error::Disconnected(error)
    } else {
        Error::Io(error)
    }
}

impl SerialTransmitter {
    pub fn new(protocol: Protocol, endpoint: Endpoint) -> SerialTransmitter {
        SerialTransmitter { protocol, link: Reconnecting::new(endpoint) }
    }

    /// A transmitter on a link already open (a pseudo-terminal in tests).
    pub fn on_link(protocol: Protocol, link: Box<dyn Link>) -> SerialTransmitter {
        SerialTransmitter { protocol, link: Reconnecting::on_link(link) }
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.link.send(bytes).map_err(link_error)
    }

    /// Drops what arrived since the last answer was read: the late reply to a page that timed out would otherwise
    /// be taken for the answer to the next frame (review Low: a stale WaveWare ACK).
    fn discard_pending(&mut self) -> Result<(), Error> {
        let mut chunk = [0u8; 256];
        for _ in 0..64 {
            if self.link.receive(&mut chunk, Duration::from_millis(1)).map_err(link_error)? == 0 {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Collects what arrives until `done` finds an answer in it, or the timeout passes.
    fn await_reply<T>(&mut self, done: impl Fn(&[u8]) -> Option<T>) -> Result<T, Error> {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let mut received = Vec::new();
        let mut chunk = [0u8; 256];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout(REPLY_TIMEOUT));
            }
            match self.link.receive(&mut chunk, left) {
                Ok(0) => {}
                Ok(n) => {
                    received.extend_from_slice(&chunk[..n]);
                    if let Some(answer) = done(&received) {
                        return Ok(answer);
                    }
                }
                Err(e) => return Err(link_error(e)),
            }
        }
    }
}

fn frame_error(pager: PagerId, error: frame::FrameError) -> Error {
    match error {
        frame::FrameError::PagerOutOfRange(_) | frame::FrameError::Message => Error::Rejected(pager),
    }
}

impl PagerTransmitter for SerialTransmitter {
    fn check(&mut self) -> Result<(), Error> {
        match self.protocol {
            // LRS answers STAT; JTECH and WaveWare document no status command, so an open link whose adapter is still
            // there is all we know.
            Protocol::Lrs { .. } => {
                self.send(lrs::STATUS)?;
                self.await_reply(|received| (!received.is_empty()).then_some(()))
            }
            Protocol::Jtech { .. } | Protocol::WaveWare { .. } => self.link.check().map_err(link_error),
        }
    }

    fn page(&mut self, pager: PagerId) -> Result<(), Error> {
        let page = Page { pager, message: String::new() };
        match self.protocol {
            Protocol::Jtech { base_id, separator } => {
                let bytes = jtech::frame(base_id, &page, separator).map_err(|e| frame_error(pager, e))?;
                self.send(&bytes)
            }
            Protocol::Lrs { system_id } => {
                let bytes = lrs::frame(system_id, &page).map_err(|e| frame_error(pager, e))?;
                self.send(&bytes)
            }
            Protocol::WaveWare { cap_base } => {
                let bytes =
                    waveware::frame(waveware::cap_code(cap_base, pager), &page).map_err(|e| frame_error(pager, e))?;
                // A refused page (NAK) is sent again; after the last refusal the caller gets Rejected.
                for _attempt in 0..=NAK_RETRIES {
                    self.discard_pending()?;
                    self.send(&bytes)?;
                    let reply = self.await_reply(|received| waveware::find_reply(received).map(|(reply, _)| reply))?;
                    if let waveware::Reply::Ack { .. } = reply {
                        return Ok(());
                    }
                }
                Err(Error::Rejected(pager))
            }
        }
    }
}

/// The state of a simulated transmitter, shared with the test or demo driving it.
#[derive(Debug, Clone, Default)]
pub struct SimTransmitterState {
    /// Pagers paged, oldest first (each accepted page once).
    pub paged: Vec<PagerId>,
    /// Refuse (NAK) this many of the coming WaveWare pages.
    pub refuse_next: usize,
    /// Say nothing at all (a transmitter switched off at the wall, cable still in).
    pub silent: bool,
    /// Drop the link once (the USB-serial adapter pulled out).
    pub hang_up: bool,
    /// Answer the next WaveWare page this late (a transmitter busy sending to a pager far away).
    pub late_by: Option<Duration>,
}

/// The transmitter end of a link.
#[derive(Debug, Clone, Default)]
pub struct SimTransmitterDevice {
    pub state: Arc<Mutex<SimTransmitterState>>,
}

impl SimTransmitterDevice {
    fn lock(&self) -> std::sync::MutexGuard<'_, SimTransmitterState> {
        crate::lock_sim(&self.state)
    }

    pub fn paged(&self) -> Vec<PagerId> {
        self.lock().paged.clone()
    }

    /// Reads frames of `protocol` until the link closes or is hung up, answering as the real transmitter does.
    pub fn serve(&self, protocol: Protocol, mut link: Box<dyn Link>) -> std::io::Result<()> {
        let mut buffer: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 256];
        loop {
            if std::mem::take(&mut self.lock().hang_up) {
                return Ok(());
            }
            let n = link.receive(&mut chunk, Duration::from_millis(20))?;
            buffer.extend_from_slice(&chunk[..n]);
            let terminator = match protocol {
                Protocol::Jtech { .. } | Protocol::Lrs { .. } => 0x0d,
                Protocol::WaveWare { .. } => waveware::EOT,
            };
            while let Some(end) = buffer.iter().position(|b| *b == terminator) {
                let frame: Vec<u8> = buffer.drain(..=end).collect();
                if self.lock().silent {
                    continue;
                }
                let reply = match protocol {
                    Protocol::Jtech { base_id, .. } => {
                        if let Some((base, page)) = jtech::parse(&frame) {
                            if base == base_id {
                                self.lock().paged.push(page.pager);
                            }
                        }
                        None
                    }
                    Protocol::Lrs { system_id } => {
                        if frame == lrs::STATUS {
                            Some(format!("RestID {system_id}\r\n").into_bytes())
                        } else {
                            if let Some((system, page)) = lrs::parse(&frame) {
                                if system == system_id {
                                    self.lock().paged.push(page.pager);
                                }
                            }
                            None
                        }
                    }
                    Protocol::WaveWare { cap_base } => {
                        // The transmitter echoes the command, then answers.
                        let mut reply = frame.clone();
                        let mut state = self.lock();
                        match waveware::parse(&frame) {
                            Some(_) if state.refuse_next > 0 => {
                                state.refuse_next -= 1;
                                reply.extend_from_slice(&[waveware::SOH, waveware::NAK, b'0', b'7', waveware::EOT]);
                            }
                            Some((cap, _)) if cap >= cap_base && (cap - cap_base) % 8 == 0 => {
                                state.paged.push(((cap - cap_base) / 8) as PagerId);
                                let queued = state.paged.len();
                                reply.extend(format!("\x01\x06v9,{queued:02},1,0,01\x04").into_bytes());
                            }
                            _ => reply.extend_from_slice(&[waveware::SOH, waveware::NAK, b'0', b'1', waveware::EOT]),
                        }
                        Some(reply)
                    }
                };
                if let Some(reply) = reply {
                    if let Some(late) = self.lock().late_by.take() {
                        std::thread::sleep(late);
                    }
                    link.send(&reply)?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pager::ErrorKind;
    use crate::transport::SerialLink;

    type Served = std::thread::JoinHandle<std::io::Result<()>>;

    fn pair_served(protocol: Protocol) -> (SerialTransmitter, SimTransmitterDevice, Served) {
        let (ours, theirs) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
        let device = SimTransmitterDevice::default();
        let server = device.clone();
        let served = std::thread::spawn(move || server.serve(protocol, Box::new(SerialLink::from_port(theirs))));
        (SerialTransmitter::on_link(protocol, Box::new(SerialLink::from_port(ours))), device, served)
    }

    fn pair(protocol: Protocol) -> (SerialTransmitter, SimTransmitterDevice) {
        let (transmitter, device, _served) = pair_served(protocol);
        (transmitter, device)
    }

    const PROTOCOLS: [Protocol; 3] = [
        Protocol::Jtech { base_id: 10, separator: jtech::SEPARATOR_J1901 },
        Protocol::Lrs { system_id: 4 },
        Protocol::WaveWare { cap_base: 700000 },
    ];

    /// Waits for the device thread to have taken `n` pages (JTECH and LRS send no reply to wait for).
    fn wait_for(device: &SimTransmitterDevice, n: usize) -> Vec<PagerId> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while device.paged().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        device.paged()
    }

    #[test]
    fn every_protocol_pages_over_a_pseudo_terminal() {
        for protocol in PROTOCOLS {
            let (mut transmitter, device) = pair(protocol);
            transmitter.check().unwrap_or_else(|e| panic!("{protocol:?}: {e}"));
            transmitter.page(17).expect("paged");
            transmitter.page(3).expect("paged");
            assert_eq!(wait_for(&device, 2), vec![17, 3], "{protocol:?}");
        }
    }

    #[test]
    fn waveware_retries_a_refused_page_and_reports_one_refused_every_time() {
        let (mut transmitter, device) = pair(Protocol::WaveWare { cap_base: 700000 });
        device.lock().refuse_next = 2;
        transmitter.page(5).expect("accepted on the third try");
        assert_eq!(device.paged(), vec![5]);
        device.lock().refuse_next = 3;
        assert_eq!(transmitter.page(6).map_err(|e| e.kind()), Err(ErrorKind::Rejected));
        assert_eq!(device.paged(), vec![5]);
    }

    #[test]
    fn a_silent_transmitter_is_a_timeout() {
        for protocol in [Protocol::Lrs { system_id: 4 }, Protocol::WaveWare { cap_base: 700000 }] {
            let (mut transmitter, device) = pair(protocol);
            device.lock().silent = true;
            let result = match protocol {
                Protocol::Lrs { .. } => transmitter.check(),
                _ => transmitter.page(1),
            };
            assert_eq!(result.map_err(|e| e.kind()), Err(ErrorKind::Timeout), "{protocol:?}");
        }
    }

    #[test]
    fn a_late_answer_to_one_page_is_not_taken_for_the_next_page_s() {
        let (mut transmitter, device) = pair(Protocol::WaveWare { cap_base: 700000 });
        device.lock().late_by = Some(REPLY_TIMEOUT + Duration::from_millis(300));
        assert_eq!(transmitter.page(1).map_err(|e| e.kind()), Err(ErrorKind::Timeout));
        // The late ACK for pager 1 arrives while nothing waits for it; then the transmitter goes quiet.
        std::thread::sleep(Duration::from_millis(600));
        device.lock().silent = true;
        assert_eq!(
            transmitter.page(2).map_err(|e| e.kind()),
            Err(ErrorKind::Timeout),
            "pager 2 was never answered: the old ACK must not count for it"
        );
    }

    #[test]
    fn a_transmitter_that_disappears_is_disconnected() {
        let (mut transmitter, device, served) = pair_served(Protocol::WaveWare { cap_base: 700000 });
        transmitter.page(1).expect("paged");
        device.lock().hang_up = true;
        // The device end closes its side of the pseudo-terminal when it stops serving.
        served.join().expect("device thread").expect("served cleanly");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut kinds = Vec::new();
        while Instant::now() < deadline {
            match transmitter.page(2) {
                Err(e) if e.kind() == ErrorKind::Disconnected => {
                    kinds.push(e.kind());
                    break;
                }
                Err(e) => kinds.push(e.kind()),
                Ok(()) => panic!("paged with nobody at the other end"),
            }
        }
        assert_eq!(kinds.last(), Some(&ErrorKind::Disconnected), "{kinds:?}");
    }

    #[test]
    fn a_transmitter_on_a_serial_path_is_found_again_after_it_comes_back() {
        // The kiosk names its transmitter by a stable path (a udev symlink such as /dev/kiosk-pager). Here the
        // symlink first points nowhere, then at a pseudo-terminal with a transmitter behind it; the same
        // transmitter object finds it without being recreated.
        use serialport::SerialPort as _;
        let dir = std::env::temp_dir().join(format!("kiosk-pager-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let link_path = dir.join("kiosk-pager");
        let protocol = Protocol::WaveWare { cap_base: 700000 };
        let mut transmitter = SerialTransmitter::new(
            protocol,
            Endpoint::Serial { path: link_path.clone(), baud: 9600, flow: transport::Flow::None },
        );
        assert_eq!(transmitter.page(1).map_err(|e| e.kind()), Err(ErrorKind::Disconnected));

        let (master, slave) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
        std::os::unix::fs::symlink(slave.name().expect("pty path"), &link_path).expect("symlink");
        let device = SimTransmitterDevice::default();
        let server = device.clone();
        std::thread::spawn(move || server.serve(protocol, Box::new(SerialLink::from_port(master))));
        transmitter.page(9).expect("found again");
        assert_eq!(device.paged(), vec![9]);
        // This handle kept the pseudo-terminal's slave side alive until the transmitter had opened it.
        drop(slave);
    }

    #[test]
    fn a_check_notices_the_adapter_pulled_out_and_finds_it_plugged_back() {
        // WaveWare has no status command: the check is the link. An adapter pulled out takes its udev node away;
        // the check must say so (not "ready" on the stale handle) and find the new node once it is back.
        use serialport::SerialPort as _;
        let dir = std::env::temp_dir().join(format!("kiosk-pager-unplug-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let link_path = dir.join("kiosk-pager");
        let (_master, slave) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
        std::os::unix::fs::symlink(slave.name().expect("pty path"), &link_path).expect("symlink");
        let mut transmitter = SerialTransmitter::new(
            Protocol::WaveWare { cap_base: 700000 },
            Endpoint::Serial { path: link_path.clone(), baud: 9600, flow: transport::Flow::None },
        );
        transmitter.check().expect("plugged in");
        std::fs::remove_file(&link_path).expect("pulled out");
        assert_eq!(transmitter.check().map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
        assert_eq!(transmitter.check().map_err(|e| e.kind()), Err(ErrorKind::Disconnected), "still out");
        let (_master2, slave2) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
        std::os::unix::fs::symlink(slave2.name().expect("pty path"), &link_path).expect("symlink");
        transmitter.check().expect("plugged back: found without a restart");
        drop((slave, slave2));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
