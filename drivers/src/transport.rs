//! Byte links to devices: a serial port, a TCP socket (printers on port 9100), a device file (`/dev/usb/lp0`)
//! and the USB printer class through libusb. A link only moves bytes; protocols are encoded elsewhere.
//! Must not do: retry, parse, or hide a disconnect (callers reopen the link, which is how an unplugged device
//! is found again without a restart).

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where a device is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Serial { path: PathBuf, baud: u32, flow: Flow },
    Tcp { host: String, port: u16 },
    File { path: PathBuf },
    Usb { vendor_id: u16, product_id: u16, serial_number: Option<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    None,
    Hardware,
    Software,
}

/// A two-way byte link to a device.
pub trait Link: Send {
    /// Sends every byte, or fails.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what has arrived, waiting at most `timeout` for the first byte. `Ok(0)`: nothing came in time.
    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// The link's own idea of the printer's state, where the link has one (USB printer class GET_PORT_STATUS).
    fn port_status(&mut self) -> Option<io::Result<u8>> {
        None
    }
    /// Whether the device is still there, for links that can tell without a round trip (a serial adapter that
    /// was pulled out: its node is gone and its tty hung up). Default: yes.
    fn alive(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Opens a link to `endpoint`.
pub fn open(endpoint: &Endpoint) -> io::Result<Box<dyn Link>> {
    match endpoint {
        Endpoint::Serial { path, baud, flow } => Ok(Box::new(SerialLink::open(path, *baud, *flow)?)),
        Endpoint::Tcp { host, port } => Ok(Box::new(TcpLink::connect(host, *port)?)),
        Endpoint::File { path } => Ok(Box::new(FileLink::open(path)?)),
        Endpoint::Usb { vendor_id, product_id, serial_number } => {
            Ok(Box::new(UsbLink::open(*vendor_id, *product_id, serial_number.as_deref())?))
        }
    }
}

/// Whether an error means the device has gone (unplugged, powered off, connection closed) rather than a
/// single failed exchange.
pub fn is_disconnect(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        error.kind(),
        NotConnected | BrokenPipe | ConnectionReset | ConnectionAborted | ConnectionRefused | NotFound | UnexpectedEof
    ) || error.raw_os_error() == Some(libc::EIO)
        || error.raw_os_error() == Some(libc::ENODEV)
        || error.raw_os_error() == Some(libc::ENXIO)
}

/// A link that opens itself on first use and again after the device has gone, so an unplugged device is found
/// again without a restart. `greeting` is sent each time it opens (e.g. "enable automatic status back").
pub struct Reconnecting {
    endpoint: Option<Endpoint>,
    link: Option<Box<dyn Link>>,
    greeting: Vec<u8>,
}

impl Reconnecting {
    pub fn new(endpoint: Endpoint) -> Reconnecting {
        Reconnecting { endpoint: Some(endpoint), link: None, greeting: Vec::new() }
    }

    /// A link already open that cannot be reopened (one end of a pseudo-terminal pair in tests).
    pub fn on_link(link: Box<dyn Link>) -> Reconnecting {
        Reconnecting { endpoint: None, link: Some(link), greeting: Vec::new() }
    }

    /// Bytes to send whenever the link opens; sent now too if it is open already.
    pub fn set_greeting(&mut self, greeting: &[u8]) -> io::Result<()> {
        self.greeting = greeting.to_vec();
        match self.link.as_mut() {
            Some(link) if !greeting.is_empty() => link.send(greeting),
            _ => Ok(()),
        }
    }

    /// The open link, opening it if needed.
    pub fn get(&mut self) -> io::Result<&mut Box<dyn Link>> {
        if self.link.is_none() {
            let endpoint =
                self.endpoint.as_ref().ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "link closed"))?;
            let mut link = open(endpoint)?;
            if !self.greeting.is_empty() {
                link.send(&self.greeting)?;
            }
            self.link = Some(link);
        }
        Ok(self.link.as_mut().expect("opened above"))
    }

    /// Opens the link if needed and checks that its device is still there; a link whose device has gone is
    /// dropped, so it is opened again once the device is back (a transmitter's adapter pulled out and plugged in).
    pub fn check(&mut self) -> io::Result<()> {
        let result = self.get().and_then(|link| link.alive());
        if result.is_err() {
            self.link = None;
        }
        result
    }

    /// The link if it is open now, without opening it.
    pub fn current(&mut self) -> Option<&mut Box<dyn Link>> {
        self.link.as_mut()
    }

    /// Takes note of a failure: when it means the device has gone, the link is dropped so the next use reopens
    /// it. Returns whether it was a disconnect.
    pub fn note_failure(&mut self, error: &io::Error) -> bool {
        let gone = is_disconnect(error);
        if gone {
            self.link = None;
        }
        gone
    }

    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = self.get().and_then(|link| link.send(bytes));
        if let Err(error) = &result {
            self.note_failure(error);
        }
        result
    }

    pub fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let result = self.get().and_then(|link| link.receive(buf, timeout));
        if let Err(error) = &result {
            self.note_failure(error);
        }
        result
    }
}

/// A serial port (USB-serial adapters included), raw 8N1.
pub struct SerialLink {
    port: serialport::TTYPort,
    /// The device node it was opened from (none for a pseudo-terminal handed over by a test).
    path: Option<std::path::PathBuf>,
}

impl SerialLink {
    pub fn open(path: &std::path::Path, baud: u32, flow: Flow) -> io::Result<SerialLink> {
        let flow = match flow {
            Flow::None => serialport::FlowControl::None,
            Flow::Hardware => serialport::FlowControl::Hardware,
            Flow::Software => serialport::FlowControl::Software,
        };
        let port = serialport::new(path.to_string_lossy(), baud)
            .flow_control(flow)
            .timeout(Duration::from_millis(200))
            .open_native()
            .map_err(io::Error::from)?;
        Ok(SerialLink { port, path: Some(path.to_path_buf()) })
    }

    /// Wraps an already open port (one end of a pseudo-terminal pair in tests).
    pub fn from_port(port: serialport::TTYPort) -> SerialLink {
        SerialLink { port, path: None }
    }
}

impl Link for SerialLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()
    }

    /// A USB serial adapter pulled out takes its node away (udev) and hangs its tty up, after which every
    /// ioctl on it fails (EIO): either means the transmitter is gone.
    fn alive(&mut self) -> io::Result<()> {
        use serialport::SerialPort as _;
        if let Some(path) = self.path.as_ref().filter(|path| !path.exists()) {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("{} is gone", path.display())));
        }
        self.port
            .bytes_to_read()
            .map(|_| ())
            .map_err(|e| io::Error::new(io::ErrorKind::NotConnected, format!("the serial port stopped answering: {e}")))
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        use serialport::SerialPort as _;
        self.port.set_timeout(timeout.max(Duration::from_millis(1))).map_err(io::Error::from)?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(e),
        }
    }
}

/// A network printer's raw port (9100).
pub struct TcpLink {
    stream: TcpStream,
}

impl TcpLink {
    pub fn connect(host: &str, port: u16) -> io::Result<TcpLink> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"));
        for address in (host, port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&address, Duration::from_secs(3)) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
                    return Ok(TcpLink { stream });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl TcpLink {
    /// Wraps an accepted connection (the device side in tests).
    pub fn from_stream(stream: TcpStream) -> TcpLink {
        TcpLink { stream }
    }
}

impl Link for TcpLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match self.stream.read(buf) {
            Ok(0) => Err(io::Error::new(io::ErrorKind::ConnectionReset, "the printer closed the connection")),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(e),
        }
    }
}

/// A device file from the kernel's printer driver. Opened non-blocking so a printer that never answers a
/// status request costs a timeout, not a hung kiosk.
pub struct FileLink {
    file: std::fs::File,
}

impl FileLink {
    pub fn open(path: &std::path::Path) -> io::Result<FileLink> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new().read(true).write(true).custom_flags(libc::O_NONBLOCK).open(path)?;
        Ok(FileLink { file })
    }
}

impl Link for FileLink {
    fn send(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !bytes.is_empty() {
            match self.file.write(bytes) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "the device accepted nothing")),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.file.read(buf) {
                Ok(n) if n > 0 => return Ok(n),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Ok(0);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// USB printer class (interface class 7) through libusb: the kernel's usblp driver is detached so the kiosk
/// owns the interface, and both bulk endpoints are used (status replies come back on bulk IN).
pub struct UsbLink {
    handle: rusb::DeviceHandle<rusb::GlobalContext>,
    interface: u8,
    endpoint_out: u8,
    endpoint_in: Option<u8>,
}

fn usb_error(error: rusb::Error) -> io::Error {
    let kind = match error {
        rusb::Error::NoDevice | rusb::Error::NotFound => io::ErrorKind::NotConnected,
        rusb::Error::Timeout => io::ErrorKind::TimedOut,
        rusb::Error::Pipe => io::ErrorKind::BrokenPipe,
        rusb::Error::Access => io::ErrorKind::PermissionDenied,
        rusb::Error::Busy => io::ErrorKind::ResourceBusy,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

impl UsbLink {
    pub fn open(vendor_id: u16, product_id: u16, serial_number: Option<&str>) -> io::Result<UsbLink> {
        let devices = rusb::devices().map_err(usb_error)?;
        for device in devices.iter() {
            let Ok(descriptor) = device.device_descriptor() else { continue };
            if descriptor.vendor_id() != vendor_id || descriptor.product_id() != product_id {
                continue;
            }
            let handle = device.open().map_err(usb_error)?;
            if let Some(wanted) = serial_number {
                let found = handle.read_serial_number_string_ascii(&descriptor).unwrap_or_default();
                if found != wanted {
                    continue;
                }
            }
            let config = device.active_config_descriptor().map_err(usb_error)?;
            for interface in config.interfaces() {
                for setting in interface.descriptors().filter(|s| s.class_code() == 7) {
                    let endpoints: Vec<_> = setting.endpoint_descriptors().collect();
                    let bulk = |direction| {
                        endpoints
                            .iter()
                            .find(|e| e.transfer_type() == rusb::TransferType::Bulk && e.direction() == direction)
                            .map(|e| e.address())
                    };
                    let Some(endpoint_out) = bulk(rusb::Direction::Out) else { continue };
                    let number = setting.interface_number();
                    if handle.kernel_driver_active(number).unwrap_or(false) {
                        handle.detach_kernel_driver(number).map_err(usb_error)?;
                    }
                    handle.claim_interface(number).map_err(usb_error)?;
                    return Ok(UsbLink {
                        handle,
                        interface: number,
                        endpoint_out,
                        endpoint_in: bulk(rusb::Direction::In),
                    });
                }
            }
            return Err(io::Error::new(io::ErrorKind::Unsupported, "the device has no USB printer-class interface"));
        }
        Err(io::Error::new(
            io::ErrorKind::NotConnected,
            format!("no USB device {vendor_id:04x}:{product_id:04x} (check the cable and `lsusb`)"),
        ))
    }

    /// After a transfer's I/O error: whether the device has gone. The host notices a port's disconnect a moment
    /// after the transfers on it fail, so this asks the printer's status for up to two seconds: an answer means
    /// it is there, "no device" that it has gone; other errors (the port going down) ask again.
    fn went_away(&self) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while std::time::Instant::now() < deadline {
            match self.get_port_status() {
                Ok(_) => return false,
                Err(error) if error.kind() == io::ErrorKind::NotConnected => return true,
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        false
    }

    /// USB printer class GET_PORT_STATUS (class request 1): bit 3 not-error, bit 4 selected, bit 5 paper empty.
    pub fn get_port_status(&self) -> io::Result<u8> {
        let mut status = [0u8; 1];
        self.handle
            .read_control(0xa1, 1, 0, (self.interface as u16) << 8, &mut status, Duration::from_secs(1))
            .map_err(usb_error)?;
        Ok(status[0])
    }
}

impl Link for UsbLink {
    fn send(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        // A bulk write may take only part of the data; loop until every byte is in.
        while !bytes.is_empty() {
            let written = match self.handle.write_bulk(self.endpoint_out, bytes, Duration::from_secs(10)) {
                Ok(written) => written,
                // A cable pulled out while a transfer waits on the printer ends it as an I/O error, not "no
                // device"; class requests after it tell whether the printer is still there.
                Err(rusb::Error::Io) if self.went_away() => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotConnected,
                        "the printer went away during the job (a USB I/O error, then no device)",
                    ));
                }
                Err(other) => return Err(usb_error(other)),
            };
            bytes = &bytes[written..];
        }
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let Some(endpoint) = self.endpoint_in else {
            return Ok(0);
        };
        match self.handle.read_bulk(endpoint, buf, timeout.max(Duration::from_millis(1))) {
            Ok(n) => Ok(n),
            Err(rusb::Error::Timeout) => Ok(0),
            Err(e) => Err(usb_error(e)),
        }
    }

    fn port_status(&mut self) -> Option<io::Result<u8>> {
        Some(self.get_port_status())
    }
}

impl Drop for UsbLink {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.interface);
        let _ = self.handle.attach_kernel_driver(self.interface);
    }
}
