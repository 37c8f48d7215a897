//! The pure core of `detect`: facts read from sysfs, libusb and SANE in, findings out (a verdict, what it is, hints
//! a technician can act on, the configuration lines to use). Must not do: read a file, a device or the clock; the
//! shell (`sysfs.rs`, `usb.rs`, `mod.rs`) reads, this decides.

use kiosk_drivers::printer::profile;
use serde::Serialize;

/// How an item stands for a kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Usable as it is (✓).
    Ok,
    /// Usable after the hint is followed, or worth a look (!).
    Warning,
    /// Not usable by the kiosk as it is (✗).
    Problem,
    /// Present and not in use, nothing to do (-): a disconnected display connector beside a connected one.
    Unused,
}

/// The report's sections, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Printers,
    Serial,
    Scanners,
    Input,
    Displays,
}

impl Section {
    pub const ALL: [Section; 5] =
        [Section::Printers, Section::Serial, Section::Scanners, Section::Input, Section::Displays];

    pub fn title(self) -> &'static str {
        match self {
            Section::Printers => "Receipt printers",
            Section::Serial => "Serial ports",
            Section::Scanners => "Scanners",
            Section::Input => "Touch and pointer",
            Section::Displays => "Displays",
        }
    }
}

/// One thing found, with its facts flattened into the same JSON object.
#[derive(Debug, Serialize)]
pub struct Finding<T> {
    pub verdict: Verdict,
    /// One line: what it is.
    pub summary: String,
    #[serde(flatten)]
    pub facts: T,
    /// Further lines of what was found.
    pub details: Vec<String>,
    /// What to do, one sentence each.
    pub hints: Vec<String>,
    /// The kiosk configuration lines to use (a TOML table header, then its keys).
    pub config: Vec<String>,
}

/// Something about a section as a whole: nothing found, or it could not be read.
#[derive(Debug, Serialize)]
pub struct Note {
    pub section: Section,
    pub verdict: Verdict,
    pub message: String,
    pub hints: Vec<String>,
}

/// Who runs `detect`: access is judged for this user.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct User {
    pub uid: u32,
    pub root: bool,
}

/// A device node and whether the user running `detect` may read and write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    /// As the kiosk names it, e.g. /dev/ttyUSB0.
    pub path: String,
    pub exists: bool,
    /// Read and write allowed for this user (the kernel's own check, ACLs included).
    pub usable: bool,
    /// The node's group, by name where /etc/group has it.
    pub group: Option<String>,
    /// Permission bits, e.g. "0660".
    pub mode: Option<String>,
}

// ---- the facts the shell reads -----------------------------------------------------------------------------------

/// A USB device as libusb describes it (every device; the core picks the printers).
#[derive(Debug, Clone)]
pub struct UsbDevice {
    pub bus: u8,
    pub address: u8,
    pub vendor_id: u16,
    pub product_id: u16,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial_number: Option<String>,
    /// Why the device could not be opened (strings and driver state are then unknown).
    pub open_error: Option<String>,
    pub interfaces: Vec<UsbInterface>,
    pub access: Access,
}

/// One interface setting of a USB device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbInterface {
    pub number: u8,
    pub alt: u8,
    pub class: u8,
    pub subclass: u8,
    pub protocol: u8,
    pub endpoint_out: Option<u8>,
    pub endpoint_in: Option<u8>,
    /// Whether a kernel driver (usblp, for the printer class) holds the interface; `None` when unknown.
    pub kernel_driver_active: Option<bool>,
}

/// USB interface class 7: printers (usblp binds 7/1/1-3; 7/1/4 is IPP over USB).
pub const CLASS_PRINTER: u8 = 7;
const PROTOCOL_IPP_USB: u8 = 4;

/// Whether a USB device may be a receipt printer: a printer-class interface, or ids of a known printer (some
/// Epson boards have a vendor-specific interface instead). The shell opens only these.
pub fn could_be_printer(vendor_id: u16, product_id: u16, interfaces: &[UsbInterface]) -> bool {
    interfaces.iter().any(|i| i.class == CLASS_PRINTER) || profile::usb_model(vendor_id, product_id).is_some()
}

/// A serial port as sysfs describes it.
#[derive(Debug, Clone, Serialize)]
pub struct SerialPort {
    /// The kernel's name: ttyUSB0, ttyACM0, ttyS0.
    pub name: String,
    /// The device node, /dev/NAME.
    pub path: String,
    /// The stable name udev made in /dev/serial/by-id (the adapter's ids and serial number), if any.
    pub by_id: Option<String>,
    /// The stable name udev made in /dev/serial/by-path (the USB port it is plugged into), if any.
    pub by_path: Option<String>,
    /// The kernel driver: ftdi_sio, cp210x, ch341, pl2303, cdc_acm; serial (8250) for built-in ports.
    pub driver: Option<String>,
    /// The USB device behind the port.
    pub usb: Option<UsbSerial>,
    /// A built-in UART's 8250 type (/sys/class/tty/ttyS*/type; 0 means no UART, such ports are skipped).
    pub uart_type: Option<u32>,
    /// Whether the kernel writes its console to this port (/sys/class/tty/console/active).
    pub console: bool,
    pub access: Access,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsbSerial {
    pub vendor_id: String,
    pub product_id: String,
    pub serial_number: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub interface: Option<u8>,
}

/// A scanner SANE lists.
#[derive(Debug, Clone, Serialize)]
pub struct Scanner {
    pub name: String,
    pub vendor: String,
    pub model: String,
    pub kind: String,
    /// The USB device node, for names of the form BACKEND:libusb:BUS:DEVICE.
    pub access: Option<Access>,
}

/// An input event device as sysfs describes it; the bitmaps are the kernel's text (hex words, most significant
/// first).
#[derive(Debug, Clone, Default)]
pub struct InputDevice {
    /// event3
    pub event: String,
    pub name: String,
    pub bustype: u16,
    pub vendor_id: u16,
    pub product_id: u16,
    pub key: String,
    pub abs: String,
    pub rel: String,
    pub properties: String,
    pub access: Option<Access>,
}

/// A DRM connector as sysfs describes it.
#[derive(Debug, Clone, Serialize)]
pub struct Connector {
    /// card0-HDMI-A-1
    pub name: String,
    pub card: String,
    /// The card's kernel driver: i915, amdgpu, virtio_gpu, vc4.
    pub driver: Option<String>,
    /// connected, disconnected or unknown.
    pub status: String,
    /// enabled or disabled (whether a CRTC drives it now).
    pub enabled: Option<String>,
    /// The modes the screen offers; the first is its preferred one.
    pub modes: Vec<String>,
    pub access: Access,
}

/// Everything the shell read. `None`: the section was skipped; `Err`: it could not be read (why).
#[derive(Debug)]
pub struct Facts {
    pub user: User,
    pub usb: Option<Result<Vec<UsbDevice>, String>>,
    pub serial: Option<Result<Vec<SerialPort>, String>>,
    pub scanners: Option<Result<Vec<Scanner>, String>>,
    pub input: Option<Result<Vec<InputDevice>, String>>,
    pub displays: Option<Result<Vec<Connector>, String>>,
}

// ---- the report ---------------------------------------------------------------------------------------------------

/// What `detect` prints (text) or writes (`--json`). Field names are stable; see the module documentation of
/// `detect` for the JSON shape.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The JSON shape's version: 1.
    pub format: u32,
    pub user: User,
    pub elapsed_ms: u64,
    pub printers: Vec<Finding<Printer>>,
    pub serial_ports: Vec<Finding<SerialPort>>,
    pub scanners: Vec<Finding<Scanner>>,
    pub input: Vec<Finding<Pointer>>,
    pub displays: Vec<Finding<Display>>,
    pub notes: Vec<Note>,
}

/// The devices `setup` offers from what `detect` found: for each role, the first finding that can be used as it is
/// (verdict ok or warning), as its configuration values, and one line to say what it is.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Suggested {
    pub printer: Option<(String, String)>,
    pub scanner: Option<String>,
    pub pager: Option<String>,
    pub said: Vec<String>,
}

/// The value of `key = "value"` in a finding's configuration lines.
fn config_value(config: &[String], key: &str) -> Option<String> {
    config.iter().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        if k.trim() != key {
            return None;
        }
        let v = v.trim();
        let v = v.strip_prefix('"')?;
        Some(v[..v.find('"')?].to_owned())
    })
}

fn usable_verdict(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Ok | Verdict::Warning)
}

/// What `setup` takes from a `detect` report when the technician names no device. A serial port counts as the
/// pager transmitter only when it is a USB adapter (built-in UARTs are on every PC board).
pub fn suggested(report: &Report) -> Suggested {
    let mut out = Suggested::default();
    if let Some(found) = report.printers.iter().find(|f| usable_verdict(f.verdict)) {
        if let (Some(transport), Some(profile)) =
            (config_value(&found.config, "transport"), config_value(&found.config, "profile"))
        {
            out.said.push(format!("printer {transport} ({profile}): {}", found.summary));
            out.printer = Some((transport, profile));
        }
    }
    if let Some(found) = report.scanners.iter().find(|f| usable_verdict(f.verdict)) {
        out.scanner = config_value(&found.config, "transport");
        out.said.extend(out.scanner.as_ref().map(|t| format!("scanner {t}")));
    }
    if let Some(found) = report.serial_ports.iter().find(|f| usable_verdict(f.verdict) && f.facts.usb.is_some()) {
        out.pager = config_value(&found.config, "transport");
        out.said.extend(out.pager.as_ref().map(|t| format!("pager transmitter {t}")));
    }
    out
}

/// A USB receipt printer's facts.
#[derive(Debug, Serialize)]
pub struct Printer {
    pub bus: u8,
    pub address: u8,
    pub vendor_id: String,
    pub product_id: String,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial_number: Option<String>,
    /// Its printer-class interfaces (or, for a known printer without one, its vendor-specific ones).
    pub interfaces: Vec<PrinterInterface>,
    /// The known model these ids are sold as, if any.
    pub model: Option<String>,
    /// The shipped profile to start from.
    pub profile: String,
    pub access: Access,
}

#[derive(Debug, Serialize)]
pub struct PrinterInterface {
    pub number: u8,
    pub class: u8,
    /// 1 unidirectional, 2 bidirectional, 3 IEEE 1284.4, 4 IPP over USB.
    pub protocol: u8,
    /// Bulk endpoint addresses, "0x01".
    pub endpoint_out: Option<String>,
    pub endpoint_in: Option<String>,
    /// Whether the kernel's usblp driver holds it (`null`: the device could not be opened to ask).
    pub kernel_driver_active: Option<bool>,
}

/// A touch or pointer device's facts.
#[derive(Debug, Serialize)]
pub struct Pointer {
    pub event: String,
    pub path: String,
    pub name: String,
    pub kind: PointerKind,
    /// ABS_MT_POSITION_X: several fingers at once.
    pub multitouch: bool,
    /// INPUT_PROP_DIRECT: touches land where they are on the screen (a touch screen, not a touchpad).
    pub direct: bool,
    pub bus: String,
    pub vendor_id: String,
    pub product_id: String,
    pub access: Option<Access>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PointerKind {
    TouchScreen,
    /// Absolute coordinates with mouse buttons: QEMU's usb-tablet, or a touch screen in mouse emulation.
    AbsolutePointer,
    Touchpad,
    Mouse,
    PenTablet,
}

/// A display connector's facts.
#[derive(Debug, Serialize)]
pub struct Display {
    #[serde(flatten)]
    pub connector: Connector,
    pub preferred_mode: Option<String>,
}

/// The findings from the facts. `elapsed_ms` is how long reading took (the shell measures it).
pub fn report(facts: Facts, elapsed_ms: u64) -> Report {
    let user = facts.user;
    let mut notes = Vec::new();
    let mut note = |section, verdict, message: String, hints: Vec<String>| {
        notes.push(Note { section, verdict, message, hints });
    };
    let printers = match facts.usb {
        None => Vec::new(),
        Some(Err(error)) => {
            note(
                Section::Printers,
                Verdict::Problem,
                format!("USB devices could not be listed: {error}"),
                vec!["this machine may have no USB (a virtual machine or container without /dev/bus/usb)".into()],
            );
            Vec::new()
        }
        Some(Ok(devices)) => {
            let printers = printers(&devices, user);
            if printers.is_empty() {
                note(
                    Section::Printers,
                    Verdict::Problem,
                    format!("no USB receipt printer found ({} USB devices seen)", devices.len()),
                    vec!["check the printer's USB cable and power, then `lsusb`; a serial printer is listed under \
                         Serial ports; a network printer is not detected (transport = \"tcp:HOST:9100\")"
                        .into()],
                );
            }
            printers
        }
    };
    let serial_ports = match facts.serial {
        None => Vec::new(),
        Some(Err(error)) => {
            note(Section::Serial, Verdict::Problem, format!("serial ports could not be read: {error}"), vec![]);
            Vec::new()
        }
        Some(Ok(ports)) => {
            if ports.is_empty() {
                note(
                    Section::Serial,
                    Verdict::Problem,
                    "no serial port found".into(),
                    vec!["a pager transmitter needs a serial port: plug in its USB serial adapter".into()],
                );
            }
            ports.into_iter().map(|port| serial_port(port, user)).collect()
        }
    };
    let scanners = match facts.scanners {
        None => Vec::new(),
        Some(Err(error)) => {
            note(
                Section::Scanners,
                Verdict::Problem,
                format!("SANE could not list scanners: {error}"),
                vec![kiosk_drivers::scanner::ErrorKind::Disconnected.hint().into()],
            );
            Vec::new()
        }
        Some(Ok(found)) => {
            if found.is_empty() {
                note(
                    Section::Scanners,
                    Verdict::Problem,
                    "no scanner found".into(),
                    vec![kiosk_drivers::scanner::ErrorKind::Disconnected.hint().into()],
                );
            }
            found.into_iter().map(|scanner| scanner_finding(scanner, user)).collect()
        }
    };
    let input = match facts.input {
        None => Vec::new(),
        Some(Err(error)) => {
            note(Section::Input, Verdict::Problem, format!("input devices could not be read: {error}"), vec![]);
            Vec::new()
        }
        Some(Ok(devices)) => {
            let found: Vec<_> = devices.into_iter().filter_map(|device| pointer(device, user)).collect();
            if !found.iter().any(|f| matches!(f.facts.kind, PointerKind::TouchScreen | PointerKind::AbsolutePointer)) {
                note(
                    Section::Input,
                    Verdict::Problem,
                    "no touch screen found".into(),
                    vec![
                        "check the touch controller's USB cable; `libinput list-devices` lists the same devices".into()
                    ],
                );
            }
            found
        }
    };
    let displays = match facts.displays {
        None => Vec::new(),
        Some(Err(error)) => {
            note(
                Section::Displays,
                Verdict::Problem,
                format!("no DRM display device: {error}"),
                vec!["no graphics driver is loaded (or this machine has no display); the kiosk on KMS needs one".into()],
            );
            Vec::new()
        }
        Some(Ok(connectors)) => {
            let any_connected = connectors.iter().any(|c| c.status == "connected");
            if !any_connected {
                note(
                    Section::Displays,
                    Verdict::Problem,
                    format!("no display connected ({} connectors)", connectors.len()),
                    vec!["check the screen's video cable and power".into()],
                );
            }
            connectors.into_iter().map(|c| display(c, any_connected, user)).collect()
        }
    };
    Report { format: 1, user, elapsed_ms, printers, serial_ports, scanners, input, displays, notes }
}

// ---- access ---------------------------------------------------------------------------------------------------

/// What to do when the user running `detect` cannot use a device node (`None` when it can). `usual_group` is the
/// group such nodes normally have (lp, dialout, input, video), named when the node has no group of its own.
pub fn access_hint(access: &Access, user: User, usual_group: &str) -> Option<String> {
    if !access.exists {
        return Some(format!(
            "{} does not exist: udev has not made it (a container without /dev, or udev not running)",
            access.path
        ));
    }
    if access.usable {
        return None;
    }
    let more = if user.root { "" } else { "; run as root to see more" };
    let group_may =
        access.mode.as_deref().and_then(|m| u32::from_str_radix(m, 8).ok()).is_some_and(|m| m & 0o060 == 0o060);
    Some(match access.group.as_deref() {
        Some(group) if group != "root" && group_may => format!(
            "{} belongs to group {group}: add the kiosk user to {group} (`usermod -aG {group} kiosk`), or a udev \
             rule giving the kiosk group access (the kiosk package installs one){more}",
            access.path
        ),
        _ => format!(
            "only root may use {} (usually group {usual_group}): add a udev rule giving the kiosk group access (the \
             kiosk package installs one){more}",
            access.path
        ),
    })
}

fn apply_access(
    access: Option<&Access>,
    user: User,
    usual_group: &str,
    verdict: &mut Verdict,
    hints: &mut Vec<String>,
) {
    if let Some(hint) = access.and_then(|a| access_hint(a, user, usual_group)) {
        *verdict = worst(*verdict, Verdict::Warning);
        hints.push(hint);
    }
}

fn worst(a: Verdict, b: Verdict) -> Verdict {
    let rank = |v| match v {
        Verdict::Unused => 0,
        Verdict::Ok => 1,
        Verdict::Warning => 2,
        Verdict::Problem => 3,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

// ---- printers -------------------------------------------------------------------------------------------------

/// The profile to try for a printer whose ids we do not know.
pub const UNKNOWN_MODEL_HINT: &str = "unknown model: try profile generic-80 (or generic-58 for 58 mm paper)";

fn printers(devices: &[UsbDevice], user: User) -> Vec<Finding<Printer>> {
    devices
        .iter()
        .filter(|d| could_be_printer(d.vendor_id, d.product_id, &d.interfaces))
        .map(|device| {
            // Two printers with the same ids need the serial number in the address to tell them apart.
            let twins =
                devices.iter().filter(|d| (d.vendor_id, d.product_id) == (device.vendor_id, device.product_id)).count();
            printer(device, twins > 1, user)
        })
        .collect()
}

fn printer(device: &UsbDevice, has_twin: bool, user: User) -> Finding<Printer> {
    let ids = format!("{:04x}:{:04x}", device.vendor_id, device.product_id);
    let known = profile::usb_model(device.vendor_id, device.product_id);
    let class_interfaces: Vec<&UsbInterface> =
        device.interfaces.iter().filter(|i| i.class == CLASS_PRINTER && i.alt == 0).collect();
    let shown: Vec<&UsbInterface> = if class_interfaces.is_empty() {
        device.interfaces.iter().filter(|i| i.alt == 0).collect()
    } else {
        class_interfaces.clone()
    };
    let mut verdict = Verdict::Ok;
    let mut details = Vec::new();
    let mut hints = Vec::new();
    for interface in &shown {
        let direction = match (interface.class, interface.protocol) {
            (CLASS_PRINTER, 1) => "unidirectional",
            (CLASS_PRINTER, 2) => "bidirectional",
            (CLASS_PRINTER, 3) => "IEEE 1284.4",
            (CLASS_PRINTER, PROTOCOL_IPP_USB) => "IPP over USB",
            (CLASS_PRINTER, _) => "printer class",
            _ => "vendor-specific",
        };
        let endpoints = match (interface.endpoint_out, interface.endpoint_in) {
            (Some(out), Some(into)) => format!("bulk OUT 0x{out:02x}, IN 0x{into:02x}"),
            (Some(out), None) => format!("bulk OUT 0x{out:02x}, no IN (no status replies)"),
            (None, _) => "no bulk OUT endpoint".into(),
        };
        let driver = match interface.kernel_driver_active {
            Some(true) => "; the kernel's usblp driver holds it (the kiosk detaches it when it opens the printer)",
            Some(false) => "; no kernel driver holds it",
            None => "",
        };
        details.push(format!(
            "interface {} ({direction}, class {}): {endpoints}{driver}",
            interface.number, interface.class
        ));
    }
    if class_interfaces.is_empty() {
        verdict = Verdict::Problem;
        hints.push(
            "no printer-class interface (class 7): the kiosk's usb: transport cannot open it. Set the printer's USB \
             interface to \"printer class\" (Epson: the TM utility or memory switches), or use the kernel's usblp \
             device: transport = \"file:/dev/usb/lp0\""
                .into(),
        );
    } else if class_interfaces.iter().all(|i| i.protocol == PROTOCOL_IPP_USB) {
        verdict = Verdict::Warning;
        hints.push("IPP over USB only: an office printer or scanner (ipp-usb serves it), not a receipt printer".into());
    } else if class_interfaces.iter().all(|i| i.endpoint_out.is_none()) {
        verdict = Verdict::Problem;
        hints.push("no bulk OUT endpoint: nothing can be sent to it".into());
    }
    let (model, profile_name) = match known {
        Some(model) => {
            if !model.pinned {
                verdict = worst(verdict, Verdict::Warning);
                hints.push(format!(
                    "these ids are a chip maker's, used in 58 mm and 80 mm printers alike: check the paper width \
                     ({} here; generic-80 for 80 mm paper, generic-58 for 58 mm)",
                    model.profile
                ));
            }
            (Some(model.model.to_owned()), model.profile.to_owned())
        }
        None => {
            verdict = worst(verdict, Verdict::Warning);
            hints.push(UNKNOWN_MODEL_HINT.into());
            (None, "generic-80".to_owned())
        }
    };
    if let Some(error) = &device.open_error {
        details.push(format!("could not open it to read its names and driver state: {error}"));
    }
    apply_access(Some(&device.access), user, "lp", &mut verdict, &mut hints);
    let name =
        [device.manufacturer.as_deref(), device.product.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let summary = format!(
        "{}  usb {:03}/{:03}  {ids}{}{}",
        model.as_deref().unwrap_or("unknown model"),
        device.bus,
        device.address,
        if name.is_empty() { String::new() } else { format!("  {name}") },
        device.serial_number.as_deref().map(|s| format!(" (serial {s})")).unwrap_or_default(),
    );
    let transport = match (&device.serial_number, has_twin) {
        (Some(serial), true) => format!("usb:{ids}:{serial}"),
        (None, true) => {
            hints.push(format!(
                "another printer has the same ids {ids} and this one has no serial number: the kiosk takes the first"
            ));
            format!("usb:{ids}")
        }
        _ => format!("usb:{ids}"),
    };
    let config = vec![
        "[devices.printer]".into(),
        format!("transport = \"{transport}\""),
        format!("profile = \"{profile_name}\""),
    ];
    let facts = Printer {
        bus: device.bus,
        address: device.address,
        vendor_id: format!("{:04x}", device.vendor_id),
        product_id: format!("{:04x}", device.product_id),
        manufacturer: device.manufacturer.clone(),
        product: device.product.clone(),
        serial_number: device.serial_number.clone(),
        interfaces: shown
            .iter()
            .map(|i| PrinterInterface {
                number: i.number,
                class: i.class,
                protocol: i.protocol,
                endpoint_out: i.endpoint_out.map(|e| format!("0x{e:02x}")),
                endpoint_in: i.endpoint_in.map(|e| format!("0x{e:02x}")),
                kernel_driver_active: i.kernel_driver_active,
            })
            .collect(),
        model,
        profile: profile_name,
        access: device.access.clone(),
    };
    Finding { verdict, summary, facts, details, hints, config }
}

// ---- serial ports -----------------------------------------------------------------------------------------------

/// The USB serial chip family a kernel driver serves.
pub fn adapter(driver: &str) -> Option<&'static str> {
    Some(match driver {
        "ftdi_sio" => "FTDI",
        "pl2303" => "Prolific PL2303",
        "ch341" | "ch341-uart" => "WCH CH340/CH341",
        "cp210x" => "Silicon Labs CP210x",
        "cdc_acm" => "USB CDC ACM",
        _ => return None,
    })
}

/// The 8250 driver's UART types (linux/serial_core.h PORT_*), for the ones a PC or board has.
fn uart_name(kind: u32) -> String {
    match kind {
        1 => "8250".into(),
        2 => "16450".into(),
        3 => "16550".into(),
        4 => "16550A".into(),
        8 => "16750".into(),
        14 => "NS16550A".into(),
        other => format!("type {other}"),
    }
}

const PAGER_PROTOCOLS: &str =
    "set protocol = \"jtech\", \"lrs\" or \"waveware\" as its manual says (baud: JTECH SmartAlert 1200, J1901 19200, \
     WaveWare usually 9600)";

fn serial_port(port: SerialPort, user: User) -> Finding<SerialPort> {
    let mut verdict = Verdict::Ok;
    let mut details = Vec::new();
    let mut hints = Vec::new();
    let driver = port.driver.as_deref().unwrap_or("");
    let summary = match (&port.usb, port.uart_type) {
        (Some(usb), _) => {
            let name = [usb.manufacturer.as_deref(), usb.product.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "{}  {}:{}{}{}{}",
                port.path,
                usb.vendor_id,
                usb.product_id,
                if name.is_empty() { String::new() } else { format!("  {name}") },
                usb.serial_number.as_deref().map(|s| format!(" (serial {s})")).unwrap_or_default(),
                if driver.is_empty() { String::new() } else { format!(", driver {driver}") },
            )
        }
        (None, Some(kind)) => format!("{}  built-in UART ({})", port.path, uart_name(kind)),
        (None, None) => {
            format!("{}{}", port.path, if driver.is_empty() { String::new() } else { format!(", driver {driver}") })
        }
    };
    match (adapter(driver), &port.usb) {
        (Some("USB CDC ACM"), _) => details.push(format!(
            "a USB CDC serial device: LRS's T74USB transmitter shows up like this; if this is the pager \
             transmitter, {PAGER_PROTOCOLS}"
        )),
        (Some(family), _) => {
            details.push(format!("USB serial adapter ({family}); if this is the pager transmitter, {PAGER_PROTOCOLS}"))
        }
        (None, Some(_)) => {
            details.push(format!("USB serial device; if this is the pager transmitter, {PAGER_PROTOCOLS}"))
        }
        (None, None) => {
            details.push(format!("a built-in RS-232 port; if the pager transmitter is cabled here, {PAGER_PROTOCOLS}"))
        }
    }
    if port.console {
        verdict = Verdict::Warning;
        hints.push(format!(
            "the kernel writes its console to {} (console= on the kernel command line): a transmitter here would \
             receive boot messages; use another port or remove console={} from the boot loader",
            port.path, port.name
        ));
    }
    let stable = port.by_id.clone().or_else(|| port.by_path.clone());
    if port.usb.is_some() {
        match (&port.by_id, &port.by_path) {
            (Some(_), _) if port.usb.as_ref().is_some_and(|u| u.serial_number.is_none()) => hints.push(
                "the adapter has no serial number: two identical adapters would share its by-id name; pin it to its \
                 USB port with /dev/serial/by-path instead"
                    .into(),
            ),
            (Some(_), _) => {}
            (None, Some(_)) => details.push("no /dev/serial/by-id name; the by-path name follows the USB port".into()),
            (None, None) => {
                verdict = worst(verdict, Verdict::Warning);
                hints.push(format!(
                    "{} may change after a replug and udev made no /dev/serial/by-id or by-path name (is udev \
                     running?): pin the port with a udev rule (SYMLINK+=\"kiosk-pager\")",
                    port.path
                ));
            }
        }
    }
    apply_access(Some(&port.access), user, "dialout", &mut verdict, &mut hints);
    let config = vec![
        "[devices.pager]".into(),
        format!("transport = \"serial:{}\"", stable.as_deref().unwrap_or(&port.path)),
        "protocol = \"jtech\"  # or \"lrs\", \"waveware\"".into(),
    ];
    Finding { verdict, summary, facts: port, details, hints, config }
}

// ---- scanners ---------------------------------------------------------------------------------------------------

fn scanner_finding(scanner: Scanner, user: User) -> Finding<Scanner> {
    let mut verdict = Verdict::Ok;
    let mut hints = Vec::new();
    apply_access(scanner.access.as_ref(), user, "scanner", &mut verdict, &mut hints);
    let mut details = Vec::new();
    if scanner.name.starts_with("airscan:") || scanner.name.starts_with("escl:") {
        details.push("an eSCL scanner (network, or USB through ipp-usb), reached through sane-airscan".into());
    }
    Finding {
        verdict,
        summary: format!("sane:{}  {} {} ({})", scanner.name, scanner.vendor, scanner.model, scanner.kind),
        config: vec!["[devices.scanner]".into(), format!("transport = \"sane:{}\"", scanner.name)],
        facts: scanner,
        details,
        hints,
    }
}

/// The USB device node of a SANE device named BACKEND:libusb:BUS:DEVICE (`None` for other names).
pub fn sane_usb_node(name: &str) -> Option<String> {
    let (_, rest) = name.split_once("libusb:")?;
    let mut parts = rest.split(':');
    let bus: u16 = parts.next()?.parse().ok()?;
    let device: u16 = parts.next()?.get(..3)?.parse().ok()?;
    Some(format!("/dev/bus/usb/{bus:03}/{device:03}"))
}

// ---- touch and pointer devices --------------------------------------------------------------------------------
// libinput classifies devices from the same udev/sysfs facts (udev's input_id builtin reads these bitmaps); we read
// them here rather than link libinput into the CLI.

const ABS_X: u32 = 0x00;
const ABS_Y: u32 = 0x01;
const ABS_MT_POSITION_X: u32 = 0x35;
const REL_X: u32 = 0x00;
const REL_Y: u32 = 0x01;
const BTN_LEFT: u32 = 0x110;
const BTN_TOOL_PEN: u32 = 0x140;
const BTN_TOOL_FINGER: u32 = 0x145;
const BTN_TOUCH: u32 = 0x14a;
const BTN_STYLUS: u32 = 0x14b;
const INPUT_PROP_DIRECT: u32 = 0x01;

/// Whether `bit` is set in a sysfs bitmap: hex words of `word_bits` bits, most significant word first, as
/// /sys/class/input/*/capabilities/* and properties print them.
pub fn bit_set(bitmap: &str, bit: u32, word_bits: u32) -> bool {
    let word = (bit / word_bits) as usize;
    bitmap
        .split_whitespace()
        .rev()
        .nth(word)
        .and_then(|w| u64::from_str_radix(w, 16).ok())
        .is_some_and(|w| w >> (bit % word_bits) & 1 == 1)
}

/// The kernel's word size for the bitmaps (`unsigned long`).
const WORD_BITS: u32 = usize::BITS;

/// What kind of pointer a device is, as udev's input_id and libinput tell them apart (`None`: not a pointer, e.g.
/// a keyboard or a power button).
pub fn pointer_kind(device: &InputDevice) -> Option<PointerKind> {
    let key = |bit| bit_set(&device.key, bit, WORD_BITS);
    let abs = |bit| bit_set(&device.abs, bit, WORD_BITS);
    let rel = |bit| bit_set(&device.rel, bit, WORD_BITS);
    let direct = bit_set(&device.properties, INPUT_PROP_DIRECT, WORD_BITS);
    let absolute = (abs(ABS_X) && abs(ABS_Y)) || abs(ABS_MT_POSITION_X);
    if absolute {
        if key(BTN_TOOL_PEN) || key(BTN_STYLUS) {
            return Some(PointerKind::PenTablet);
        }
        if direct {
            return Some(PointerKind::TouchScreen);
        }
        if key(BTN_TOOL_FINGER) {
            return Some(PointerKind::Touchpad);
        }
        if key(BTN_LEFT) {
            return Some(PointerKind::AbsolutePointer);
        }
        if key(BTN_TOUCH) {
            // A single-touch screen that does not declare INPUT_PROP_DIRECT: udev still calls it a touch screen.
            return Some(PointerKind::TouchScreen);
        }
        return None;
    }
    (rel(REL_X) && rel(REL_Y) && key(BTN_LEFT)).then_some(PointerKind::Mouse)
}

fn bus_name(bustype: u16) -> String {
    match bustype {
        0x03 => "usb".into(),
        0x05 => "bluetooth".into(),
        0x06 => "virtual".into(),
        0x11 => "i8042".into(),
        0x18 => "i2c".into(),
        0x19 => "host".into(),
        other => format!("0x{other:02x}"),
    }
}

fn pointer(device: InputDevice, user: User) -> Option<Finding<Pointer>> {
    let kind = pointer_kind(&device)?;
    let multitouch = bit_set(&device.abs, ABS_MT_POSITION_X, WORD_BITS);
    let direct = bit_set(&device.properties, INPUT_PROP_DIRECT, WORD_BITS);
    let mut verdict = Verdict::Ok;
    let mut hints = Vec::new();
    let what = match kind {
        PointerKind::TouchScreen if multitouch => "touch screen, multitouch",
        PointerKind::TouchScreen => "touch screen, single touch",
        PointerKind::AbsolutePointer => {
            "absolute pointer (QEMU's usb-tablet, or a touch screen in mouse emulation): taps arrive as clicks"
        }
        PointerKind::Touchpad => {
            verdict = Verdict::Warning;
            hints.push(
                "libinput takes it as a touchpad (relative motion): if this is the kiosk's screen, its controller \
                 does not declare INPUT_PROP_DIRECT; set ID_INPUT_TOUCHSCREEN=1 for it in a udev hwdb entry"
                    .into(),
            );
            "touchpad"
        }
        PointerKind::Mouse => "mouse",
        PointerKind::PenTablet => "pen tablet",
    };
    apply_access(device.access.as_ref(), user, "input", &mut verdict, &mut hints);
    let path = format!("/dev/input/{}", device.event);
    let facts = Pointer {
        event: device.event.clone(),
        path: path.clone(),
        name: device.name.clone(),
        kind,
        multitouch,
        direct,
        bus: bus_name(device.bustype),
        vendor_id: format!("{:04x}", device.vendor_id),
        product_id: format!("{:04x}", device.product_id),
        access: device.access,
    };
    Some(Finding {
        verdict,
        summary: format!("{path}  {}: {what}", device.name),
        facts,
        details: Vec::new(),
        hints,
        config: Vec::new(),
    })
}

// ---- displays ---------------------------------------------------------------------------------------------------

fn display(connector: Connector, any_connected: bool, user: User) -> Finding<Display> {
    let preferred_mode = connector.modes.first().cloned();
    let driver = connector.driver.as_deref().map(|d| format!(", driver {d}")).unwrap_or_default();
    let mut hints = Vec::new();
    let (mut verdict, state) = match (connector.status.as_str(), &preferred_mode) {
        ("connected", Some(mode)) => (Verdict::Ok, format!("connected, preferred mode {mode}")),
        ("connected", None) => {
            hints.push(
                "the screen gives no modes (its EDID could not be read): check the cable; a mode can be forced \
                 with video=CONNECTOR:WIDTHxHEIGHT on the kernel command line"
                    .into(),
            );
            (Verdict::Warning, "connected, no modes".into())
        }
        ("disconnected", _) if any_connected => (Verdict::Unused, "disconnected".into()),
        ("disconnected", _) => (Verdict::Problem, "disconnected".into()),
        (other, _) => (Verdict::Warning, format!("status {other}")),
    };
    let enabled = connector.enabled.as_deref().map(|e| format!(", {e}")).unwrap_or_default();
    if verdict != Verdict::Unused {
        apply_access(Some(&connector.access), user, "video", &mut verdict, &mut hints);
    }
    Finding {
        verdict,
        summary: format!("{}  {state}{enabled}{driver}", connector.name),
        details: if connector.modes.len() > 1 {
            vec![format!("{} modes offered", connector.modes.len())]
        } else {
            Vec::new()
        },
        facts: Display { connector, preferred_mode },
        hints,
        config: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: User = User { uid: 0, root: true };
    const TECHNICIAN: User = User { uid: 1000, root: false };

    fn usable(path: &str) -> Access {
        Access { path: path.into(), exists: true, usable: true, group: Some("lp".into()), mode: Some("0664".into()) }
    }

    fn printer_interface(protocol: u8, usblp: Option<bool>) -> UsbInterface {
        UsbInterface {
            number: 0,
            alt: 0,
            class: CLASS_PRINTER,
            subclass: 1,
            protocol,
            endpoint_out: Some(0x01),
            endpoint_in: (protocol == 2).then_some(0x82),
            kernel_driver_active: usblp,
        }
    }

    fn usb(vendor_id: u16, product_id: u16, interfaces: Vec<UsbInterface>) -> UsbDevice {
        UsbDevice {
            bus: 1,
            address: 4,
            vendor_id,
            product_id,
            manufacturer: Some("EPSON".into()),
            product: Some("TM-T20II".into()),
            serial_number: Some("X3ZH012345".into()),
            open_error: None,
            interfaces,
            access: usable("/dev/bus/usb/001/004"),
        }
    }

    fn facts_with_usb(devices: Vec<UsbDevice>, user: User) -> Facts {
        Facts { user, usb: Some(Ok(devices)), serial: None, scanners: None, input: None, displays: None }
    }

    #[test]
    fn an_epson_on_the_printer_class_gets_its_profile_and_config_line() {
        let report = facts_with_usb(vec![usb(0x04b8, 0x0e15, vec![printer_interface(2, Some(true))])], ROOT);
        let report = report_of(report);
        let printer = &report.printers[0];
        assert_eq!(printer.verdict, Verdict::Ok, "{:?}", printer.hints);
        assert_eq!(printer.facts.model.as_deref(), Some("Epson TM-T20II"));
        assert_eq!(printer.facts.profile, "epson-tm-t20");
        assert_eq!(
            printer.config,
            ["[devices.printer]", "transport = \"usb:04b8:0e15\"", "profile = \"epson-tm-t20\""]
        );
        assert_eq!(printer.facts.interfaces[0].endpoint_out.as_deref(), Some("0x01"));
        assert_eq!(printer.facts.interfaces[0].endpoint_in.as_deref(), Some("0x82"));
        assert!(printer.details[0].contains("bidirectional"), "{:?}", printer.details);
        assert!(printer.details[0].contains("usblp driver holds it"), "{:?}", printer.details);
        assert!(printer.summary.starts_with("Epson TM-T20II  usb 001/004  04b8:0e15  EPSON TM-T20II"));
    }

    #[test]
    fn setup_is_offered_the_first_usable_printer_and_nothing_that_is_not_there() {
        let report = report_of(facts_with_usb(vec![usb(0x04b8, 0x0e15, vec![printer_interface(2, Some(true))])], ROOT));
        let offered = suggested(&report);
        assert_eq!(offered.printer, Some(("usb:04b8:0e15".to_owned(), "epson-tm-t20".to_owned())));
        assert_eq!(offered.scanner, None);
        assert_eq!(offered.pager, None);
        assert!(
            offered.said[0].starts_with("printer usb:04b8:0e15 (epson-tm-t20): Epson TM-T20II"),
            "{:?}",
            offered.said
        );
        assert_eq!(suggested(&report_of(facts_with_usb(vec![], ROOT))), Suggested::default());
    }

    #[test]
    fn an_unknown_printer_is_told_to_try_the_generic_profiles() {
        let report = report_of(facts_with_usb(vec![usb(0x1234, 0x5678, vec![printer_interface(1, None)])], ROOT));
        let printer = &report.printers[0];
        assert_eq!(printer.verdict, Verdict::Warning);
        assert!(printer.hints.iter().any(|h| h == UNKNOWN_MODEL_HINT));
        assert_eq!(printer.facts.profile, "generic-80");
        assert!(printer.details[0].contains("no IN (no status replies)"));
    }

    #[test]
    fn a_generic_chip_id_asks_for_the_paper_width() {
        let report = report_of(facts_with_usb(vec![usb(0x0416, 0x5011, vec![printer_interface(2, None)])], ROOT));
        let printer = &report.printers[0];
        assert_eq!(printer.verdict, Verdict::Warning);
        assert_eq!(printer.facts.profile, "generic-58");
        assert!(printer.hints[0].contains("check the paper width"), "{:?}", printer.hints);
    }

    #[test]
    fn a_known_printer_without_the_printer_class_cannot_use_the_usb_transport() {
        let vendor = UsbInterface { class: 0xff, subclass: 0, protocol: 0, ..printer_interface(2, None) };
        let report = report_of(facts_with_usb(vec![usb(0x04b8, 0x0202, vec![vendor])], ROOT));
        let printer = &report.printers[0];
        assert_eq!(printer.verdict, Verdict::Problem);
        assert!(printer.hints[0].contains("no printer-class interface"), "{:?}", printer.hints);
        assert_eq!(printer.facts.interfaces[0].class, 0xff);
    }

    #[test]
    fn other_usb_devices_are_not_printers_and_none_found_is_a_note() {
        let keyboard = UsbInterface { class: 3, ..printer_interface(1, None) };
        let report = report_of(facts_with_usb(vec![usb(0x046d, 0xc31c, vec![keyboard])], ROOT));
        assert!(report.printers.is_empty());
        let note = report.notes.iter().find(|n| n.section == Section::Printers).expect("a note");
        assert_eq!(note.message, "no USB receipt printer found (1 USB devices seen)");
    }

    #[test]
    fn two_identical_printers_are_told_apart_by_serial_number() {
        let mut second = usb(0x04b8, 0x0e15, vec![printer_interface(2, None)]);
        second.serial_number = Some("SECOND".into());
        second.address = 5;
        let report =
            report_of(facts_with_usb(vec![usb(0x04b8, 0x0e15, vec![printer_interface(2, None)]), second], ROOT));
        assert_eq!(report.printers[0].config[1], "transport = \"usb:04b8:0e15:X3ZH012345\"");
        assert_eq!(report.printers[1].config[1], "transport = \"usb:04b8:0e15:SECOND\"");
    }

    #[test]
    fn a_node_without_access_names_its_group_or_a_udev_rule() {
        let serial = Access {
            path: "/dev/ttyUSB0".into(),
            exists: true,
            usable: false,
            group: Some("dialout".into()),
            mode: Some("0660".into()),
        };
        let hint = access_hint(&serial, TECHNICIAN, "dialout").expect("a hint");
        assert!(hint.starts_with("/dev/ttyUSB0 belongs to group dialout: add the kiosk user to dialout"), "{hint}");
        assert!(hint.contains("a udev rule giving the kiosk group access (the kiosk package installs one)"));
        assert!(hint.ends_with("; run as root to see more"));

        let root_only = Access { group: Some("root".into()), mode: Some("0600".into()), ..serial.clone() };
        let hint = access_hint(&root_only, TECHNICIAN, "dialout").expect("a hint");
        assert!(hint.starts_with("only root may use /dev/ttyUSB0 (usually group dialout): add a udev rule"), "{hint}");

        let missing = Access { exists: false, group: None, mode: None, ..serial.clone() };
        assert!(access_hint(&missing, ROOT, "dialout").expect("a hint").contains("does not exist"));
        assert_eq!(access_hint(&Access { usable: true, ..serial }, TECHNICIAN, "dialout"), None);
    }

    #[test]
    fn a_printer_the_technician_cannot_open_is_a_warning_with_the_hint() {
        let mut device = usb(0x04b8, 0x0e15, vec![printer_interface(2, None)]);
        device.access = Access { usable: false, mode: Some("0664".into()), ..usable("/dev/bus/usb/001/004") };
        device.open_error = Some("Access denied (insufficient permissions)".into());
        device.manufacturer = None;
        device.product = None;
        device.serial_number = None;
        let report = report_of(facts_with_usb(vec![device], TECHNICIAN));
        let printer = &report.printers[0];
        assert_eq!(printer.verdict, Verdict::Warning);
        assert!(
            printer.hints.iter().any(|h| h.starts_with("/dev/bus/usb/001/004 belongs to group lp: add the kiosk user")),
            "{:?}",
            printer.hints
        );
        assert!(printer.details.iter().any(|d| d.contains("Access denied")));
    }

    #[test]
    fn bitmaps_are_read_word_by_word_from_the_right() {
        assert!(bit_set("3", 0, 64) && bit_set("3", 1, 64) && !bit_set("3", 2, 64));
        assert!(bit_set("260800000000003", 0x35, 64));
        assert!(bit_set("400 0 0 0 0 0", 0x14a, 64));
        assert!(!bit_set("400 0 0 0 0 0", 0x14a, 32), "on a 32-bit kernel the same bit sits elsewhere");
        assert!(bit_set("400 0 0 0 0 0 0 0 0 0 0", 0x14a, 32));
        assert!(!bit_set("", 1, 64) && !bit_set("zz", 1, 64));
    }

    #[test]
    fn a_touchpad_is_not_a_touch_screen() {
        let touchpad = InputDevice {
            event: "event5".into(),
            name: "SynPS/2 Synaptics TouchPad".into(),
            abs: "260800011000003".into(),
            key: "e520 10000 0 0 0 0".into(), // BTN_LEFT, BTN_TOOL_FINGER, BTN_TOUCH
            properties: "5".into(),           // INPUT_PROP_POINTER, INPUT_PROP_BUTTONPAD
            ..InputDevice::default()
        };
        assert_eq!(pointer_kind(&touchpad), Some(PointerKind::Touchpad));
        let direct = InputDevice { properties: "2".into(), ..touchpad };
        assert_eq!(pointer_kind(&direct), Some(PointerKind::TouchScreen));
    }

    #[test]
    fn sane_usb_names_lead_to_their_device_node() {
        assert_eq!(sane_usb_node("epson2:libusb:001:004").as_deref(), Some("/dev/bus/usb/001/004"));
        assert_eq!(sane_usb_node("test:0"), None);
        assert_eq!(sane_usb_node("airscan:e0:Kiosk"), None);
    }

    fn report_of(facts: Facts) -> Report {
        report(facts, 0)
    }
}
