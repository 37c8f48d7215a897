//! The kiosk's configuration: one TOML file, parsed and validated exactly the same way by the kiosk at start and
//! by `kiosk-provision check-config`.
//!
//! Parsing never stops at the first problem: every section is read on its own and every value is checked, so a
//! technician sees the whole list at once, each problem naming the key, what was found and what is allowed.
//! Unknown keys are problems too (a misspelt key silently ignored is a kiosk misconfigured in the field).
//! All text is normalised to NFC. Must not do: read files, look at the clock, or touch devices; the caller reads
//! the bytes and passes them in.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::text::nfc;

/// Where a kiosk looks for its configuration when none is named.
pub const DEFAULT_PATH: &str = "/etc/kiosk/kiosk.toml";

/// A validated configuration. Every field has passed the checks in [`parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub kiosk: Identity,
    pub portal: Portal,
    pub ui: Ui,
    pub devices: Devices,
    pub queue: Queue,
    /// The counter staff's HTTP API; `None` when the section is absent (then no counter can call tickets).
    pub counter_api: Option<CounterApi>,
    /// When queue numbers are given; `None` when the section is absent (then at any hour).
    pub hours: Option<crate::hours::Hours>,
    /// Phone lines residents can call for help (the help screen and the slips); empty when none is configured.
    pub help: Vec<HelpLine>,
}

impl Config {
    /// Whether a walk-in queue number can be given on local `day` at `minute` (always, without opening hours).
    pub fn numbers(&self, day: crate::queue::Day, minute: crate::hours::Minute) -> crate::hours::Numbers {
        crate::hours::numbers_by(self.hours.as_ref(), day, minute)
    }
}

/// A phone line residents can call: the city's support line or the ward's own number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    pub name_vi: String,
    pub name_en: String,
    /// As dialled: digits, with spaces or dots between groups allowed.
    pub number: String,
}

/// Where the counter API listens and who may reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterApi {
    /// The kiosk's address on the service point's network (or loopback for the demo), e.g. `192.168.10.20:8790`.
    pub listen: std::net::SocketAddr,
    /// Networks the counters' computers are on. Requests from anywhere else are refused; loopback is always allowed.
    pub allow: Vec<Network>,
    /// How the waiting-room board says ticket numbers.
    pub announce_numbers: NumberReading,
    /// The board announces each call in English too, after the Vietnamese.
    pub announce_english: bool,
    /// Serve HTTPS (certificate in `<state dir>/tls`, made on first start or by `kiosk-provision tls`). Default on.
    pub https: bool,
    /// With HTTPS on, plain HTTP still serves the staff pages and the API (not only the waiting-room board).
    /// Default off: PINs and session cookies never cross the network in clear.
    pub plain_http_for_staff: bool,
}

/// How a called number is spoken: `HT-023` as "hai mươi ba" (whole) or "không hai ba" (digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberReading {
    Whole,
    Digits,
}

/// An IP network such as `192.168.10.0/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    pub address: std::net::IpAddr,
    pub prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Result<Network, String> {
        let (address, prefix) =
            text.split_once('/').ok_or_else(|| format!("`{text}` is not a network such as 192.168.10.0/24"))?;
        let address: std::net::IpAddr = address.parse().map_err(|_| format!("`{address}` is not an IP address"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("`/{prefix}` is not a prefix length 0 to {max}"))?;
        Ok(Network { address, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        fn masked(bits: u128, width: u32, prefix: u8) -> u128 {
            if prefix == 0 {
                0
            } else {
                bits >> (width - u32::from(prefix))
            }
        }
        let ip = match ip {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.address, ip) {
            (std::net::IpAddr::V4(net), std::net::IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), 32, self.prefix)
                    == masked(u128::from(u32::from(ip)), 32, self.prefix)
            }
            (std::net::IpAddr::V6(net), std::net::IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix) == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// Who and where this kiosk is. Shown on screen and printed on tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: String,
    pub ward: String,
    pub service_point: String,
    pub address: String,
}

/// The city portal this kiosk forwards submissions to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portal {
    /// Base URL without a trailing slash, e.g. `https://portal.example.vn/kiosk-api`.
    pub base_url: String,
    /// The portal's X25519 public key (32 bytes); submissions are sealed to it before they touch the disk.
    pub public_key: [u8; 32],
    /// The Ed25519 public key the city signs procedure catalogues with. A catalogue from the portal is taken only
    /// when its signature verifies with this key; without a key the kiosk keeps the catalogue it was installed with.
    pub catalogue_key: Option<[u8; 32]>,
}

impl Portal {
    /// The host and port the base URL names, for a reachability check.
    pub fn host_port(&self) -> (String, u16) {
        let url = parse_url(&self.base_url).expect("validated in parse");
        (url.host, url.port)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ui {
    /// The languages offered, in the order of the switch; the first is shown to each new resident.
    pub languages: Vec<Language>,
    /// Seconds without a touch before the kiosk offers more time and then returns home.
    pub idle_timeout_seconds: u32,
    /// Seconds the "Do you need more time?" prompt counts down before everything is wiped.
    pub idle_prompt_seconds: u32,
    /// Where the on-screen keyboard puts a tone on "oa", "oe", "uy" (hòa or hoà).
    pub tone_style: crate::keyboard::ToneStyle,
    /// Reading the screen aloud.
    pub speech: Speech,
}

/// Reading aloud (espeak-ng): whether the speaker button is there and whether each screen is read as it opens;
/// how fast and how loud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Speech {
    pub read_aloud: ReadAloud,
    /// Words a minute (espeak-ng's -s).
    pub rate: u32,
    /// espeak-ng's amplitude, 0 to 200 (100 is its normal).
    pub volume: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAloud {
    /// No speaker button.
    Off,
    /// The speaker button on every screen; nothing is read until it is tapped.
    Button,
    /// The button, and each screen read as it opens.
    Always,
}

impl Default for Speech {
    fn default() -> Speech {
        Speech { read_aloud: ReadAloud::Button, rate: 140, volume: 100 }
    }
}

/// Seconds the idle prompt may count down: long enough to read it aloud and answer, short enough that a kiosk
/// left alone is cleared soon.
pub const IDLE_PROMPT_RANGE: std::ops::RangeInclusive<u32> = 10..=120;

/// Words a minute the voice may be set to (slower suits elderly listeners; espeak-ng's normal is 175).
pub const SPEECH_RATE_RANGE: std::ops::RangeInclusive<u32> = 80..=300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Vietnamese,
    English,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Vietnamese, Language::English];

    /// The BCP 47 code, as used in config files and for the translation bundle.
    pub fn code(self) -> &'static str {
        match self {
            Language::Vietnamese => "vi",
            Language::English => "en",
        }
    }

    /// The language's name in itself, as the language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Vietnamese => "Tiếng Việt",
            Language::English => "English",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|language| language.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devices {
    pub printer: Device,
    pub scanner: Device,
    pub pager: Device,
}

/// One attached device: how to reach it, and the serial line settings when it is on a serial port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub transport: Transport,
    pub serial: Option<SerialSettings>,
    /// The printer's profile (only the printer has one).
    pub printer: Option<PrinterProfile>,
    /// The pager transmitter's protocol (only a pager transmitter on a serial port has one).
    pub pager: Option<PagerProtocol>,
}

/// The serial protocol of a pager transmitter, with its addressing (shared/reference/devices.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerProtocol {
    /// JTECH/HME: base station id (0-999) and the separator byte (J1901: 3).
    Jtech { base_id: u16, separator: u8 },
    /// LRS T74: the pagers' system id.
    Lrs { system_id: u16 },
    /// WaveWare / InterPage: the cap code of pager 0 (pager n is cap_base + 8n).
    WaveWare { cap_base: u32 },
}

/// Which shipped printer profile a kiosk's printer uses, and any field of it the config overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterProfile {
    /// One of [`PRINTER_PROFILES`].
    pub base: String,
    pub strategy: Option<PrintStrategy>,
    pub paper_dots: Option<u16>,
    pub tcvn3_pages: Option<(u8, u8)>,
    pub cp1258_page: Option<u8>,
    pub native_qr: Option<bool>,
    pub cutter: Option<Cutter>,
}

/// The shipped printer profiles (kiosk-drivers `printer::profile::BUILTIN`; a test keeps the two lists equal).
pub const PRINTER_PROFILES: [&str; 4] = ["epson-tm-t88", "epson-tm-t20", "generic-80", "generic-58"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrintStrategy {
    Codepage,
    Downloaded,
    Raster,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cutter {
    None,
    Full,
    Partial,
}

/// How the kiosk reaches a device. Written in the config as a short string; see [`Transport::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// No such device at this kiosk; the screens that need it say so and offer what to do instead.
    Absent,
    /// A simulator in the kiosk process (the demo, tests, and a kiosk waiting for its hardware).
    Simulated,
    /// `serial:/dev/ttyUSB0`
    Serial { path: PathBuf },
    /// `usb:04b8:0e15` or `usb:04b8:0e15:SERIALNUMBER`
    Usb { vendor_id: u16, product_id: u16, serial_number: Option<String> },
    /// `tcp:192.168.1.50:9100`
    Tcp { host: String, port: u16 },
    /// `file:/dev/usb/lp0`, a device file the kernel driver provides.
    File { path: PathBuf },
    /// `sane:test:0`, a SANE device name (scanners only).
    Sane { device: String },
}

/// The forms a transport string can take, shown in every error about one.
pub const TRANSPORT_FORMS: &str =
    "none, simulated, serial:/dev/PATH, usb:VID:PID[:SERIAL] (hex ids), tcp:HOST:PORT, file:/dev/PATH, sane:DEVICE";

impl Transport {
    /// Parses a transport string such as `serial:/dev/kiosk-pager`. The error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Transport, String> {
        let (scheme, rest) = match text.split_once(':') {
            Some((scheme, rest)) => (scheme, Some(rest)),
            None => (text, None),
        };
        match (scheme, rest) {
            ("none", None) => Ok(Transport::Absent),
            ("simulated", None) => Ok(Transport::Simulated),
            ("serial", Some(path)) => Ok(Transport::Serial { path: device_path(path)? }),
            ("file", Some(path)) => Ok(Transport::File { path: device_path(path)? }),
            ("usb", Some(ids)) => parse_usb(ids),
            ("tcp", Some(address)) => parse_tcp(address),
            ("sane", Some(device)) if !device.is_empty() => Ok(Transport::Sane { device: device.to_owned() }),
            ("sane", Some(_)) => Err("a SANE device name is needed after `sane:` (see `scanimage -L`)".into()),
            ("none" | "simulated", Some(_)) => Err(format!("`{scheme}` takes nothing after it")),
            _ => Err(format!("`{text}` is not a device address")),
        }
    }

    fn scheme(&self) -> &'static str {
        match self {
            Transport::Absent => "none",
            Transport::Simulated => "simulated",
            Transport::Serial { .. } => "serial",
            Transport::Usb { .. } => "usb",
            Transport::Tcp { .. } => "tcp",
            Transport::File { .. } => "file",
            Transport::Sane { .. } => "sane",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Absent | Transport::Simulated => f.write_str(self.scheme()),
            Transport::Serial { path } => write!(f, "serial:{}", path.display()),
            Transport::File { path } => write!(f, "file:{}", path.display()),
            Transport::Usb { vendor_id, product_id, serial_number: None } => {
                write!(f, "usb:{vendor_id:04x}:{product_id:04x}")
            }
            Transport::Usb { vendor_id, product_id, serial_number: Some(serial) } => {
                write!(f, "usb:{vendor_id:04x}:{product_id:04x}:{serial}")
            }
            Transport::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Transport::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            Transport::Sane { device } => write!(f, "sane:{device}"),
        }
    }
}

fn device_path(path: &str) -> Result<PathBuf, String> {
    if path.starts_with('/') && path.len() > 1 && !path.ends_with('/') {
        Ok(PathBuf::from(path))
    } else {
        Err(format!("`{path}` is not an absolute device path such as /dev/ttyUSB0"))
    }
}

fn parse_usb(ids: &str) -> Result<Transport, String> {
    let mut parts = ids.splitn(3, ':');
    let vendor = parts.next().unwrap_or_default();
    let product = parts.next().ok_or_else(|| "a USB address needs VID:PID, e.g. usb:04b8:0e15".to_owned())?;
    let serial_number = parts.next().map(str::to_owned);
    let hex_id = |name: &str, digits: &str| {
        if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_hexdigit()) {
            u16::from_str_radix(digits, 16).map_err(|e| e.to_string())
        } else {
            Err(format!("USB {name} `{digits}` must be 4 hex digits, e.g. usb:04b8:0e15"))
        }
    };
    if serial_number.as_deref() == Some("") {
        return Err("the USB serial number after VID:PID is empty".into());
    }
    Ok(Transport::Usb {
        vendor_id: hex_id("vendor id", vendor)?,
        product_id: hex_id("product id", product)?,
        serial_number,
    })
}

/// A DNS host name: dot-separated labels of letters, digits and `-`, none empty or starting or ending with `-`.
fn is_host_name(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn parse_tcp(address: &str) -> Result<Transport, String> {
    let (host, port, bracketed) = if let Some(bracketed) = address.strip_prefix('[') {
        let (host, rest) = bracketed.split_once(']').ok_or("an IPv6 host must be closed with `]`")?;
        (host, rest.strip_prefix(':').ok_or("a port is needed after the host, e.g. tcp:10.0.0.5:9100")?, true)
    } else {
        let (host, port) = address.rsplit_once(':').ok_or("a port is needed after the host, e.g. tcp:10.0.0.5:9100")?;
        (host, port, false)
    };
    // An IPv6 address in brackets; otherwise an IPv4 address or a host name (a bare `:` or `[` is neither).
    let valid = if bracketed {
        host.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        host.parse::<std::net::Ipv4Addr>().is_ok() || is_host_name(host)
    };
    if !valid {
        return Err(format!(
            "`{host}` is not a host name or address (an IPv6 address goes in brackets: tcp:[fd00::5]:9100)"
        ));
    }
    match port.parse::<u16>() {
        Ok(port) if port > 0 => Ok(Transport::Tcp { host: host.to_owned(), port }),
        _ => Err(format!("port `{port}` must be a number from 1 to 65535")),
    }
}

/// Serial line settings, allowed only with a `serial:` transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialSettings {
    pub baud: u32,
    pub flow_control: FlowControl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowControl {
    None,
    Hardware,
    Software,
}

/// The baud rates a kiosk device may use: what receipt printers and pager transmitters document.
pub const BAUD_RATES: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub services: Vec<Service>,
    /// The pager ids in the pool (printed on the pagers' cases).
    pub pagers: Vec<u16>,
    pub priority: crate::queue::Policy,
    /// The counters that call tickets, each with the services it handles.
    pub counters: Vec<Counter>,
}

/// A counter (quầy) at the service point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// The number shown above the counter and said in "mời số ... đến quầy 2".
    pub number: u16,
    /// Service codes this counter calls tickets for, e.g. `["HT", "CT"]`.
    pub services: Vec<String>,
    /// The name on the board and in the announcement, e.g. "Quầy 2 – Tư pháp"; "Quầy 2" when not set.
    pub name_vi: String,
    pub name_en: String,
}

impl Queue {
    pub fn counter(&self, number: u16) -> Option<&Counter> {
        self.counters.iter().find(|c| c.number == number)
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }

    /// What the queue rules need from the configuration.
    pub fn setup(&self) -> crate::queue::Setup {
        crate::queue::Setup {
            services: self.services.iter().map(|s| s.code.clone()).collect(),
            pagers: self.pagers.clone(),
            policy: self.priority,
        }
    }
}

/// A service residents take queue tickets for (Hộ tịch, Chứng thực, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Ticket prefix: one to three capital letters, e.g. `HT` prints tickets `HT-042`.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// One thing wrong with a configuration: the key it is about and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path such as `devices.printer.transport`; empty for the file as a whole.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "key `{}`: {}", self.key, self.message)
        }
    }
}

/// Why a configuration file could not be used: the file, and every problem in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
}

impl Error {
    /// A file that could not be read at all (missing, permissions, a directory).
    pub fn unreadable(file: &Path, reason: &std::io::Error) -> Error {
        let hint = match reason.kind() {
            std::io::ErrorKind::NotFound => " (copy assets/kiosk.example.toml there and edit it)",
            std::io::ErrorKind::PermissionDenied => " (the kiosk user must be able to read it)",
            _ => "",
        };
        Error {
            file: file.to_owned(),
            problems: vec![Problem { key: String::new(), message: format!("cannot read the file: {reason}{hint}") }],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "{}: {n} problem{}", self.file.display(), if n == 1 { "" } else { "s" })?;
        for problem in &self.problems {
            writeln!(f, "  {}: {problem}", self.file.display())?;
        }
        Ok(())
    }
}

/// Parses and validates a configuration file's bytes. `file` only names the file in the error.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Config, Error> {
    parse_problems(bytes).map_err(|problems| Error { file: file.to_owned(), problems })
}

const SECTIONS: [&str; 8] = ["kiosk", "portal", "ui", "devices", "queue", "counter_api", "hours", "help"];

fn parse_problems(bytes: &[u8]) -> Result<Config, Vec<Problem>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Problem { key: String::new(), message: format!("the file is not UTF-8 text ({e}); save it as UTF-8") }]
    })?;
    let mut table: toml::Table = toml::from_str(text).map_err(|e| {
        vec![Problem { key: String::new(), message: format!("not valid TOML: {}", e.to_string().trim_end()) }]
    })?;

    let mut problems = Vec::new();
    for key in table.keys().filter(|key| !SECTIONS.contains(&key.as_str())) {
        problems.push(Problem {
            key: key.clone(),
            message: format!("unknown section; the sections are: {}", SECTIONS.join(", ")),
        });
    }
    let kiosk =
        section::<raw::Kiosk>(&mut table, "kiosk", &mut problems).and_then(|raw| check_identity(raw, &mut problems));
    let portal =
        section::<raw::Portal>(&mut table, "portal", &mut problems).and_then(|raw| check_portal(raw, &mut problems));
    let ui = section::<raw::Ui>(&mut table, "ui", &mut problems).and_then(|raw| check_ui(raw, &mut problems));
    let devices =
        section::<raw::Devices>(&mut table, "devices", &mut problems).and_then(|raw| check_devices(raw, &mut problems));
    let queue =
        section::<raw::Queue>(&mut table, "queue", &mut problems).and_then(|raw| check_queue(raw, &mut problems));
    let counter_api = if table.contains_key("counter_api") {
        section::<raw::CounterApi>(&mut table, "counter_api", &mut problems)
            .and_then(|raw| check_counter_api(raw, queue.as_ref(), &mut problems))
            .map(Some)
    } else {
        Some(None)
    };

    let hours = if table.contains_key("hours") {
        section::<raw::Hours>(&mut table, "hours", &mut problems)
            .and_then(|raw| check_hours(raw, &mut problems))
            .map(Some)
    } else {
        Some(None)
    };
    let help = if table.contains_key("help") {
        section::<raw::Help>(&mut table, "help", &mut problems).and_then(|raw| check_help(raw, &mut problems))
    } else {
        Some(Vec::new())
    };

    match (kiosk, portal, ui, devices, queue, counter_api, hours, help) {
        (
            Some(kiosk),
            Some(portal),
            Some(ui),
            Some(devices),
            Some(queue),
            Some(counter_api),
            Some(hours),
            Some(help),
        ) if problems.is_empty() => Ok(Config { kiosk, portal, ui, devices, queue, counter_api, hours, help }),
        _ => Err(problems),
    }
}

/// Deserialises one top-level section on its own, so a problem in one does not hide those in the others.
fn section<T: DeserializeOwned>(table: &mut toml::Table, name: &str, problems: &mut Vec<Problem>) -> Option<T> {
    let Some(value) = table.remove(name) else {
        problems
            .push(Problem { key: name.to_owned(), message: "missing section; see assets/kiosk.example.toml".into() });
        return None;
    };
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            let path = error.path().to_string();
            let key = if path == "." { name.to_owned() } else { format!("{name}.{path}") };
            problems.push(Problem { key, message: describe_serde_error(&error.into_inner().to_string()) });
            None
        }
    }
}

/// Turns serde's wording into a technician's: the same facts, with the allowed keys listed.
fn describe_serde_error(message: &str) -> String {
    // toml appends its own "in `key`" line; the key is already named by the caller.
    let message = message.lines().next().unwrap_or_default().trim_end();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once("`, expected ") {
            return format!("unknown key `{field}`; allowed keys: {}", expected.trim_start_matches("one of "));
        }
    }
    if let Some(field) = message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
        return format!("missing key `{field}`; see assets/kiosk.example.toml");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let rest =
            rest.replace("expected i64", "expected a whole number").replace("expected u32", "expected a whole number");
        return format!("wrong type: {rest}");
    }
    message.to_owned()
}

/// The file's shape, as serde reads it. Checks of values come after, in the `check_*` functions.
mod raw {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Hours {
        #[serde(default)]
        pub monday: Vec<String>,
        #[serde(default)]
        pub tuesday: Vec<String>,
        #[serde(default)]
        pub wednesday: Vec<String>,
        #[serde(default)]
        pub thursday: Vec<String>,
        #[serde(default)]
        pub friday: Vec<String>,
        #[serde(default)]
        pub saturday: Vec<String>,
        #[serde(default)]
        pub sunday: Vec<String>,
        pub last_ticket_minutes: Option<i64>,
        #[serde(default)]
        pub closed: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Help {
        #[serde(default)]
        pub lines: Vec<HelpLine>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct HelpLine {
        pub name_vi: String,
        pub name_en: String,
        pub number: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Kiosk {
        pub id: String,
        pub ward: String,
        pub service_point: String,
        pub address: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Portal {
        pub base_url: String,
        pub public_key: String,
        pub catalogue_key: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Ui {
        pub languages: Vec<String>,
        pub idle_timeout_seconds: i64,
        #[serde(default)]
        pub tone_style: Option<String>,
        #[serde(default)]
        pub idle_prompt_seconds: Option<i64>,
        #[serde(default)]
        pub read_aloud: Option<String>,
        #[serde(default)]
        pub speech_rate: Option<i64>,
        #[serde(default)]
        pub speech_volume: Option<i64>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Devices {
        pub printer: Printer,
        pub scanner: Device,
        pub pager: Pager,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Device {
        pub transport: String,
        pub baud: Option<i64>,
        pub flow_control: Option<super::FlowControl>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Pager {
        pub transport: String,
        pub baud: Option<i64>,
        pub flow_control: Option<super::FlowControl>,
        pub protocol: Option<String>,
        pub base_id: Option<i64>,
        pub separator: Option<i64>,
        pub system_id: Option<i64>,
        pub cap_base: Option<i64>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Printer {
        pub transport: String,
        pub baud: Option<i64>,
        pub flow_control: Option<super::FlowControl>,
        pub profile: Option<String>,
        pub strategy: Option<super::PrintStrategy>,
        pub paper_dots: Option<i64>,
        pub tcvn3_pages: Option<Vec<i64>>,
        pub cp1258_page: Option<i64>,
        pub native_qr: Option<bool>,
        pub cutter: Option<super::Cutter>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Queue {
        pub services: Vec<Service>,
        pub pager_range: Option<Vec<i64>>,
        pub priority: Option<String>,
        pub max_priority_wait_minutes: Option<i64>,
        #[serde(default)]
        pub counters: Vec<Counter>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Counter {
        pub number: i64,
        pub services: Vec<String>,
        pub name_vi: Option<String>,
        pub name_en: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CounterApi {
        pub listen: String,
        #[serde(default)]
        pub allow: Vec<String>,
        pub announce_numbers: Option<String>,
        pub announce_english: Option<bool>,
        pub https: Option<bool>,
        pub plain_http_for_staff: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Service {
        pub code: String,
        pub name_vi: String,
        pub name_en: String,
    }
}

fn problem(problems: &mut Vec<Problem>, key: &str, message: impl Into<String>) {
    problems.push(Problem { key: key.to_owned(), message: message.into() });
}

fn required_text(value: &str, key: &str, problems: &mut Vec<Problem>) -> String {
    let value = nfc(value.trim());
    if value.is_empty() {
        problem(problems, key, "must not be empty");
    }
    value
}

fn check_identity(raw: raw::Kiosk, problems: &mut Vec<Problem>) -> Option<Identity> {
    let before = problems.len();
    let id = raw.id.trim().to_owned();
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        problem(problems, "kiosk.id", format!("`{id}` must be 1 to 32 letters, digits or dashes, e.g. HN-HK-0001"));
    }
    let identity = Identity {
        id,
        ward: required_text(&raw.ward, "kiosk.ward", problems),
        service_point: required_text(&raw.service_point, "kiosk.service_point", problems),
        address: required_text(&raw.address, "kiosk.address", problems),
    };
    (problems.len() == before).then_some(identity)
}

struct Url {
    host: String,
    port: u16,
}

/// Reads the parts of an http(s) URL the kiosk needs. Plain `http` is allowed only to this machine (the portal
/// simulator), because residents' data must never cross a network unencrypted.
/// Checks a portal address given outside the config (a command line) with the config's own rules: http or
/// https, a host, a valid port, plain http only to a loopback address. Returns it without a trailing `/`.
pub fn check_portal_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    parse_url(url)?;
    Ok(url.to_owned())
}

fn parse_url(url: &str) -> Result<Url, String> {
    let (scheme, rest) =
        url.split_once("://").ok_or_else(|| format!("`{url}` is not a URL such as https://host/path"))?;
    let default_port = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return Err(format!("`{scheme}` is not allowed; use https (or http to 127.0.0.1 for the simulator)")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("credentials in the URL are not allowed".into());
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, rest) = bracketed.split_once(']').ok_or("an IPv6 host must be closed with `]`")?;
        (host.to_owned(), rest.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let port = match port {
        None => default_port,
        Some(port) => {
            port.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("port `{port}` is not 1 to 65535"))?
        }
    };
    // An address, not a prefix: `127.attacker.example` is a name anyone can register.
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if scheme == "http" && !loopback {
        return Err(format!("plain http to `{host}` would send residents' data unencrypted; use https"));
    }
    Ok(Url { host, port })
}

fn check_portal(raw: raw::Portal, problems: &mut Vec<Problem>) -> Option<Portal> {
    let before = problems.len();
    let base_url = raw.base_url.trim().trim_end_matches('/').to_owned();
    if let Err(message) = parse_url(&base_url) {
        problem(problems, "portal.base_url", message);
    }
    let mut public_key = [0u8; 32];
    match base64::engine::general_purpose::STANDARD.decode(raw.public_key.trim()) {
        Ok(bytes) if bytes.len() == 32 => public_key.copy_from_slice(&bytes),
        Ok(bytes) => problem(
            problems,
            "portal.public_key",
            format!("must be a 32-byte X25519 key in base64 (44 characters); this one is {} bytes", bytes.len()),
        ),
        Err(e) => {
            problem(problems, "portal.public_key", format!("is not base64 ({e}); paste the key the portal issued"))
        }
    }
    let catalogue_key = raw.catalogue_key.as_deref().and_then(|key| {
        match base64::engine::general_purpose::STANDARD.decode(key.trim()) {
            Ok(bytes) => match <[u8; 32]>::try_from(bytes.as_slice()) {
                Ok(key) => Some(key),
                Err(_) => {
                    let message = format!(
                        "must be a 32-byte Ed25519 key in base64 (44 characters); this one is {} bytes",
                        bytes.len()
                    );
                    problem(problems, "portal.catalogue_key", message);
                    None
                }
            },
            Err(e) => {
                problem(problems, "portal.catalogue_key", format!("is not base64 ({e}); paste the city's key"));
                None
            }
        }
    });
    (problems.len() == before).then_some(Portal { base_url, public_key, catalogue_key })
}

/// Shortest and longest idle timeouts: shorter rushes a slow reader, longer leaves a resident's data on screen.
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 30..=600;

fn check_ui(raw: raw::Ui, problems: &mut Vec<Problem>) -> Option<Ui> {
    let before = problems.len();
    let allowed = Language::ALL.map(Language::code).join(", ");
    let mut languages = Vec::new();
    let mut seen = BTreeSet::new();
    for (idx, code) in raw.languages.iter().enumerate() {
        let key = format!("ui.languages[{idx}]");
        match Language::from_code(code.trim()) {
            Some(language) if seen.insert(language) => languages.push(language),
            Some(_) => problem(problems, &key, format!("`{code}` is listed twice")),
            None => problem(problems, &key, format!("`{code}` is not offered; allowed: {allowed}")),
        }
    }
    if raw.languages.is_empty() {
        problem(problems, "ui.languages", format!("at least one language is needed; allowed: {allowed}"));
    }
    let idle_timeout_seconds = match u32::try_from(raw.idle_timeout_seconds) {
        Ok(seconds) if IDLE_TIMEOUT_RANGE.contains(&seconds) => seconds,
        _ => {
            problem(
                problems,
                "ui.idle_timeout_seconds",
                format!(
                    "{} is out of range; allowed: {} to {} seconds",
                    raw.idle_timeout_seconds,
                    IDLE_TIMEOUT_RANGE.start(),
                    IDLE_TIMEOUT_RANGE.end()
                ),
            );
            0
        }
    };
    let tone_style = match raw.tone_style.as_deref().map(str::trim) {
        None | Some("modern") => crate::keyboard::ToneStyle::Modern,
        Some("traditional") => crate::keyboard::ToneStyle::Traditional,
        Some(other) => {
            problem(
                problems,
                "ui.tone_style",
                format!("`{other}` is not a tone style; allowed: modern (hòa, thủy), traditional (hoà, thuỷ)"),
            );
            crate::keyboard::ToneStyle::Modern
        }
    };
    let idle_prompt_seconds = match raw.idle_prompt_seconds.map(u32::try_from) {
        None => 30,
        Some(Ok(seconds)) if IDLE_PROMPT_RANGE.contains(&seconds) => seconds,
        Some(_) => {
            problem(
                problems,
                "ui.idle_prompt_seconds",
                format!(
                    "{} is out of range; allowed: {} to {} seconds (time to read the prompt and answer it)",
                    raw.idle_prompt_seconds.unwrap_or_default(),
                    IDLE_PROMPT_RANGE.start(),
                    IDLE_PROMPT_RANGE.end()
                ),
            );
            30
        }
    };
    let mut speech = Speech::default();
    match raw.read_aloud.as_deref().map(str::trim) {
        None | Some("button") => {}
        Some("off") => speech.read_aloud = ReadAloud::Off,
        Some("always") => speech.read_aloud = ReadAloud::Always,
        Some(other) => problem(
            problems,
            "ui.read_aloud",
            format!(
                "`{other}` is not a choice; allowed: off, button (read when tapped), always (each screen as it opens)"
            ),
        ),
    }
    if let Some(rate) = raw.speech_rate {
        match u32::try_from(rate) {
            Ok(rate) if SPEECH_RATE_RANGE.contains(&rate) => speech.rate = rate,
            _ => problem(
                problems,
                "ui.speech_rate",
                format!(
                    "{rate} is out of range; allowed: {} to {} words a minute",
                    SPEECH_RATE_RANGE.start(),
                    SPEECH_RATE_RANGE.end()
                ),
            ),
        }
    }
    if let Some(volume) = raw.speech_volume {
        match u32::try_from(volume) {
            Ok(volume) if volume <= 200 => speech.volume = volume,
            _ => problem(problems, "ui.speech_volume", format!("{volume} is out of range; allowed: 0 to 200")),
        }
    }
    (problems.len() == before).then_some(Ui {
        languages,
        idle_timeout_seconds,
        idle_prompt_seconds,
        tone_style,
        speech,
    })
}

#[derive(Clone, Copy)]
enum Role {
    Printer,
    Scanner,
    Pager,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Printer => "printer",
            Role::Scanner => "scanner",
            Role::Pager => "pager",
        }
    }

    /// Which transports each kind of device can really be reached through.
    fn allows(self, transport: &Transport) -> bool {
        matches!(
            (self, transport),
            (_, Transport::Absent | Transport::Simulated)
                | (
                    Role::Printer,
                    Transport::Serial { .. } | Transport::Usb { .. } | Transport::Tcp { .. } | Transport::File { .. }
                )
                | (Role::Scanner, Transport::Sane { .. })
                | (Role::Pager, Transport::Serial { .. })
        )
    }

    fn allowed_forms(self) -> &'static str {
        match self {
            Role::Printer => "none, simulated, serial:/dev/PATH, usb:VID:PID[:SERIAL], tcp:HOST:PORT, file:/dev/PATH",
            Role::Scanner => "none, simulated, sane:DEVICE",
            Role::Pager => "none, simulated, serial:/dev/PATH",
        }
    }
}

fn check_devices(raw: raw::Devices, problems: &mut Vec<Problem>) -> Option<Devices> {
    let printer = check_printer(raw.printer, problems);
    let scanner = check_device(raw.scanner, Role::Scanner, problems);
    let pager = check_pager(raw.pager, problems);
    Some(Devices { printer: printer?, scanner: scanner?, pager: pager? })
}

fn check_device(raw: raw::Device, role: Role, problems: &mut Vec<Problem>) -> Option<Device> {
    let before = problems.len();
    let key = format!("devices.{}", role.name());
    let transport = match Transport::parse(raw.transport.trim()) {
        Ok(transport) if role.allows(&transport) => Some(transport),
        Ok(transport) => {
            problem(
                problems,
                &format!("{key}.transport"),
                format!(
                    "a {} cannot be reached by `{}`; allowed: {}",
                    role.name(),
                    transport.scheme(),
                    role.allowed_forms()
                ),
            );
            None
        }
        Err(message) => {
            problem(problems, &format!("{key}.transport"), format!("{message}; allowed: {}", role.allowed_forms()));
            None
        }
    };
    let is_serial = matches!(transport, Some(Transport::Serial { .. }));
    if !is_serial {
        for (name, given) in [("baud", raw.baud.is_some()), ("flow_control", raw.flow_control.is_some())] {
            if given && transport.is_some() {
                problem(problems, &format!("{key}.{name}"), "applies only to a serial: transport; remove it");
            }
        }
    }
    let serial = if is_serial {
        let baud = raw.baud.unwrap_or(9600);
        let baud = match u32::try_from(baud) {
            Ok(baud) if BAUD_RATES.contains(&baud) => baud,
            _ => {
                let allowed = BAUD_RATES.map(|b| b.to_string()).join(", ");
                problem(
                    problems,
                    &format!("{key}.baud"),
                    format!("{baud} is not a supported rate; allowed: {allowed}"),
                );
                0
            }
        };
        Some(SerialSettings { baud, flow_control: raw.flow_control.unwrap_or(FlowControl::None) })
    } else {
        None
    };
    (problems.len() == before).then(|| Device {
        transport: transport.expect("no problem means parsed"),
        serial,
        printer: None,
        pager: None,
    })
}

fn check_pager(raw: raw::Pager, problems: &mut Vec<Problem>) -> Option<Device> {
    let before = problems.len();
    // Judged from the transport string itself, so a bad baud rate does not also make the protocol look misplaced.
    let serial = matches!(Transport::parse(raw.transport.trim()), Ok(Transport::Serial { .. }));
    let device = check_device(
        raw::Device { transport: raw.transport, baud: raw.baud, flow_control: raw.flow_control },
        Role::Pager,
        problems,
    );
    let key = |name: &str| format!("devices.pager.{name}");
    let number = |value: Option<i64>,
                  name: &str,
                  range: std::ops::RangeInclusive<i64>,
                  default: i64,
                  problems: &mut Vec<Problem>| {
        let value = value.unwrap_or(default);
        if !range.contains(&value) {
            problem(
                problems,
                &key(name),
                format!("{value} is out of range; allowed: {} to {}", range.start(), range.end()),
            );
        }
        value
    };
    let given: Vec<&str> = [
        ("base_id", raw.base_id.is_some()),
        ("separator", raw.separator.is_some()),
        ("system_id", raw.system_id.is_some()),
        ("cap_base", raw.cap_base.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    let protocol = match (serial, raw.protocol.as_deref()) {
        (false, None) => {
            for name in &given {
                problem(problems, &key(name), "applies only to a pager transmitter on a serial: transport; remove it");
            }
            None
        }
        (false, Some(_)) => {
            problem(problems, &key("protocol"), "applies only to a serial: transport; remove it");
            None
        }
        (true, None) => {
            problem(
                problems,
                &key("protocol"),
                "a serial pager transmitter needs its protocol: jtech, lrs or waveware",
            );
            None
        }
        (true, Some(name)) => {
            let allowed: &[&str] = match name {
                "jtech" => &["base_id", "separator"],
                "lrs" => &["system_id"],
                "waveware" => &["cap_base"],
                _ => &[],
            };
            for name in given.iter().filter(|n| !allowed.contains(n)) {
                problem(
                    problems,
                    &key(name),
                    format!(
                        "does not apply to the `{}` protocol; remove it",
                        raw.protocol.as_deref().unwrap_or_default()
                    ),
                );
            }
            match name {
                "jtech" => Some(PagerProtocol::Jtech {
                    base_id: number(raw.base_id, "base_id", 0..=999, 10, problems) as u16,
                    separator: number(raw.separator, "separator", 2..=15, 3, problems) as u8,
                }),
                "lrs" => Some(PagerProtocol::Lrs {
                    system_id: number(raw.system_id, "system_id", 1..=200, 1, problems) as u16,
                }),
                "waveware" => Some(PagerProtocol::WaveWare {
                    cap_base: number(raw.cap_base, "cap_base", 0..=9_900_000, 700_000, problems) as u32,
                }),
                other => {
                    problem(
                        problems,
                        &key("protocol"),
                        format!("`{other}` is not a supported protocol; allowed: jtech, lrs, waveware"),
                    );
                    None
                }
            }
        }
    };
    let device = device?;
    (problems.len() == before).then_some(Device { pager: protocol, ..device })
}

fn check_printer(raw: raw::Printer, problems: &mut Vec<Problem>) -> Option<Device> {
    let before = problems.len();
    let device = check_device(
        raw::Device { transport: raw.transport, baud: raw.baud, flow_control: raw.flow_control },
        Role::Printer,
        problems,
    );
    let base = raw.profile.unwrap_or_else(|| "generic-80".to_owned());
    if !PRINTER_PROFILES.contains(&base.as_str()) {
        problem(
            problems,
            "devices.printer.profile",
            format!("`{base}` is not a shipped profile; allowed: {}", PRINTER_PROFILES.join(", ")),
        );
    }
    let byte = |value: i64, key: &str, problems: &mut Vec<Problem>| match u8::try_from(value) {
        Ok(page) => page,
        Err(_) => {
            problem(problems, key, format!("{value} is not a code page number (0 to 255)"));
            0
        }
    };
    let paper_dots = raw.paper_dots.map(|dots| match u16::try_from(dots) {
        Ok(dots) if (128..=832).contains(&dots) && dots % 8 == 0 => dots,
        _ => {
            problem(
                problems,
                "devices.printer.paper_dots",
                format!("{dots} is not a paper width in dots: a multiple of 8 from 128 to 832 (384 for 58 mm, 576 for 80 mm)"),
            );
            0
        }
    });
    let tcvn3_pages = raw.tcvn3_pages.map(|pages| match pages.as_slice() {
        [lower, upper] => (
            byte(*lower, "devices.printer.tcvn3_pages", problems),
            byte(*upper, "devices.printer.tcvn3_pages", problems),
        ),
        _ => {
            problem(
                problems,
                "devices.printer.tcvn3_pages",
                "give two page numbers, lower then upper case, e.g. [30, 31]",
            );
            (0, 0)
        }
    });
    let cp1258_page = raw.cp1258_page.map(|page| byte(page, "devices.printer.cp1258_page", problems));
    let profile = PrinterProfile {
        base,
        strategy: raw.strategy,
        paper_dots,
        tcvn3_pages,
        cp1258_page,
        native_qr: raw.native_qr,
        cutter: raw.cutter,
    };
    let device = device?;
    (problems.len() == before).then_some(Device { printer: Some(profile), ..device })
}

fn check_queue(raw: raw::Queue, problems: &mut Vec<Problem>) -> Option<Queue> {
    let before = problems.len();
    if raw.services.is_empty() {
        problem(problems, "queue.services", "at least one service is needed for queue tickets");
    }
    let mut codes = BTreeSet::new();
    let mut services = Vec::new();
    for (idx, service) in raw.services.into_iter().enumerate() {
        let key = format!("queue.services[{idx}]");
        let code = service.code.trim().to_owned();
        if code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            problem(problems, &format!("{key}.code"), format!("`{code}` must be 1 to 3 capital letters A-Z, e.g. HT"));
        } else if !codes.insert(code.clone()) {
            problem(
                problems,
                &format!("{key}.code"),
                format!("`{code}` is used by another service; codes must differ"),
            );
        }
        services.push(Service {
            code,
            name_vi: required_text(&service.name_vi, &format!("{key}.name_vi"), problems),
            name_en: required_text(&service.name_en, &format!("{key}.name_en"), problems),
        });
    }
    let pagers = match raw.pager_range.as_deref() {
        None => Vec::new(),
        Some([first, last]) if 0 <= *first && first <= last && *last <= 9999 => {
            (*first as u16..=*last as u16).collect()
        }
        Some(_) => {
            problem(problems, "queue.pager_range", "give the first and last pager number, e.g. [1, 20] (0 to 9999)");
            Vec::new()
        }
    };
    let wait = raw.max_priority_wait_minutes;
    let priority = match (raw.priority.as_deref().unwrap_or("bounded"), wait) {
        ("strict", None) => crate::queue::Policy::Strict,
        ("strict", Some(_)) => {
            problem(problems, "queue.max_priority_wait_minutes", "applies only to priority = \"bounded\"; remove it");
            crate::queue::Policy::Strict
        }
        ("bounded", minutes) => {
            let minutes = minutes.unwrap_or(20);
            if !(5..=240).contains(&minutes) {
                problem(
                    problems,
                    "queue.max_priority_wait_minutes",
                    format!("{minutes} is out of range; allowed: 5 to 240"),
                );
            }
            crate::queue::Policy::Bounded { max_wait: minutes * 60 }
        }
        (other, _) => {
            problem(problems, "queue.priority", format!("`{other}` is not a policy; allowed: strict, bounded"));
            crate::queue::Policy::Strict
        }
    };
    let mut counters: Vec<Counter> = Vec::new();
    for (idx, counter) in raw.counters.into_iter().enumerate() {
        let key = format!("queue.counters[{idx}]");
        if !(1..=99).contains(&counter.number) {
            problem(
                problems,
                &format!("{key}.number"),
                format!("{} is out of range; allowed: 1 to 99", counter.number),
            );
        } else if counters.iter().any(|c| i64::from(c.number) == counter.number) {
            problem(problems, &format!("{key}.number"), format!("counter {} is listed twice", counter.number));
        }
        if counter.services.is_empty() {
            problem(problems, &format!("{key}.services"), "name at least one service code this counter calls");
        }
        for code in &counter.services {
            if !codes.contains(code) {
                let known: Vec<&str> = codes.iter().map(String::as_str).collect();
                problem(
                    problems,
                    &format!("{key}.services"),
                    format!("`{code}` is not one of the services above; allowed: {}", known.join(", ")),
                );
            }
        }
        let number = counter.number.clamp(0, 99) as u16;
        let name = |given: Option<String>, word: &str| {
            given.map(|n| crate::text::nfc(n.trim())).filter(|n| !n.is_empty()).unwrap_or(format!("{word} {number}"))
        };
        counters.push(Counter {
            number,
            services: counter.services,
            name_vi: name(counter.name_vi, "Quầy"),
            name_en: name(counter.name_en, "Counter"),
        });
    }
    (problems.len() == before).then_some(Queue { services, pagers, priority, counters })
}

const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn check_hours(raw: raw::Hours, problems: &mut Vec<Problem>) -> Option<crate::hours::Hours> {
    let before = problems.len();
    let days = [raw.monday, raw.tuesday, raw.wednesday, raw.thursday, raw.friday, raw.saturday, raw.sunday];
    let mut week: [Vec<crate::hours::Period>; 7] = Default::default();
    for (idx, periods) in days.into_iter().enumerate() {
        for (n, text) in periods.iter().enumerate() {
            let key = format!("hours.{}[{n}]", WEEKDAYS[idx]);
            match crate::hours::parse_period(text) {
                Ok(period) if week[idx].last().is_some_and(|p| p.closes > period.opens) => problem(
                    problems,
                    &key,
                    format!("`{text}` starts before the period before it ends; list a day's periods in time order"),
                ),
                Ok(period) => week[idx].push(period),
                Err(message) => problem(problems, &key, message),
            }
        }
    }
    if week.iter().all(Vec::is_empty) {
        problem(
            problems,
            "hours",
            "no day has opening hours; give at least one, e.g. monday = [\"08:00-12:00\", \"13:00-17:00\"]",
        );
    }
    let last_ticket_minutes = raw.last_ticket_minutes.unwrap_or(0);
    if !(0..=120).contains(&last_ticket_minutes) {
        problem(
            problems,
            "hours.last_ticket_minutes",
            format!("{last_ticket_minutes} is out of range; allowed: 0 to 120"),
        );
    }
    let mut closed = BTreeSet::new();
    for (n, text) in raw.closed.iter().enumerate() {
        match crate::hours::parse_date(text.trim()) {
            Ok(day) => {
                closed.insert(day);
            }
            Err(message) => problem(problems, &format!("hours.closed[{n}]"), message),
        }
    }
    (problems.len() == before).then(|| crate::hours::Hours {
        week,
        last_ticket_minutes: last_ticket_minutes.clamp(0, 120) as u16,
        closed,
    })
}

fn check_help(raw: raw::Help, problems: &mut Vec<Problem>) -> Option<Vec<HelpLine>> {
    let before = problems.len();
    let mut lines = Vec::new();
    for (n, line) in raw.lines.into_iter().enumerate() {
        let key = format!("help.lines[{n}]");
        let number = line.number.trim().to_owned();
        let digits = number.chars().filter(char::is_ascii_digit).count();
        if !number.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '.')
            || !(3..=15).contains(&digits)
            || !number.starts_with(|c: char| c.is_ascii_digit())
        {
            problem(
                problems,
                &format!("{key}.number"),
                format!("`{number}` is not a phone number: 3 to 15 digits, spaces or dots between groups, e.g. 1022 or 024 3825 3536"),
            );
        }
        lines.push(HelpLine {
            name_vi: required_text(&line.name_vi, &format!("{key}.name_vi"), problems),
            name_en: required_text(&line.name_en, &format!("{key}.name_en"), problems),
            number,
        });
    }
    (problems.len() == before).then_some(lines)
}

fn check_counter_api(raw: raw::CounterApi, queue: Option<&Queue>, problems: &mut Vec<Problem>) -> Option<CounterApi> {
    let before = problems.len();
    let listen = match raw.listen.trim().parse::<std::net::SocketAddr>() {
        Ok(listen) if listen.port() != 0 => Some(listen),
        _ => {
            problem(
                problems,
                "counter_api.listen",
                format!("`{}` is not an address and port such as 192.168.10.20:8790 or 127.0.0.1:8790", raw.listen),
            );
            None
        }
    };
    let mut allow = Vec::new();
    for (idx, network) in raw.allow.iter().enumerate() {
        match Network::parse(network.trim()) {
            Ok(network) => allow.push(network),
            Err(message) => problem(problems, &format!("counter_api.allow[{idx}]"), message),
        }
    }
    if queue.is_some_and(|q| q.counters.is_empty()) {
        problem(
            problems,
            "queue.counters",
            "the counter API needs at least one [[queue.counters]] entry (number and the services it calls)",
        );
    }
    let announce_numbers = match raw.announce_numbers.as_deref().map(str::trim) {
        None | Some("whole") => NumberReading::Whole,
        Some("digits") => NumberReading::Digits,
        Some(other) => {
            problem(
                problems,
                "counter_api.announce_numbers",
                format!("`{other}` is not a way to read numbers; allowed: whole (\"hai mươi ba\"), digits (\"không hai ba\")"),
            );
            NumberReading::Whole
        }
    };
    let listen = listen?;
    let announce_english = raw.announce_english.unwrap_or(false);
    let https = raw.https.unwrap_or(true);
    let plain_http_for_staff = raw.plain_http_for_staff.unwrap_or(false);
    (problems.len() == before).then_some(CounterApi {
        listen,
        allow,
        announce_numbers,
        announce_english,
        https,
        plain_http_for_staff,
    })
}

#[cfg(test)]
mod tests;
