//! The shell of `detect` that reads sysfs and /dev: serial ports with their USB identity, input devices, DRM
//! connectors, and whether this user may use each device node. Must not do: open a device (opening a serial port
//! raises DTR, which resets some transmitters' microcontrollers), or judge what it read (`findings.rs` does).
//!
//! Both roots are configurable (`--sysfs-root`, `--dev-root`, hidden) so tests read a fake tree built in a
//! temporary directory; paths shown to the technician are always the real ones (/dev/ttyUSB0).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::findings::{Access, Connector, InputDevice, SerialPort, UsbSerial, User};

/// Where sysfs and /dev are read from.
#[derive(Debug, Clone)]
pub struct Roots {
    pub sys: PathBuf,
    pub dev: PathBuf,
}

impl Roots {
    /// Where a node the kiosk calls `/dev/…` is under the dev root.
    fn dev_path(&self, logical: &str) -> PathBuf {
        self.dev.join(logical.trim_start_matches("/dev/"))
    }
}

/// Group names by id, from /etc/group (the real one, also under fake roots: it names the groups of this system).
#[derive(Debug, Default)]
pub struct Groups(HashMap<u32, String>);

impl Groups {
    pub fn load() -> Groups {
        Groups::parse(&fs::read_to_string("/etc/group").unwrap_or_default())
    }

    fn parse(text: &str) -> Groups {
        let mut names = HashMap::new();
        for line in text.lines() {
            let mut fields = line.split(':');
            if let (Some(name), Some(_), Some(gid)) = (fields.next(), fields.next(), fields.next()) {
                if let Ok(gid) = gid.parse() {
                    names.entry(gid).or_insert_with(|| name.to_owned());
                }
            }
        }
        Groups(names)
    }

    fn name(&self, gid: u32) -> String {
        self.0.get(&gid).cloned().unwrap_or_else(|| gid.to_string())
    }
}

/// The user running `detect`.
#[allow(unsafe_code)] // one libc call; the block says why it is sound
pub fn user() -> User {
    // SAFETY: getuid takes no arguments, touches no memory of ours and cannot fail (POSIX).
    let uid = unsafe { libc::getuid() };
    User { uid, root: uid == 0 }
}

/// A device node's access for this user: the kernel's own check (access(2): mode bits, ACLs such as udev's
/// uaccess, root), plus the group and mode a hint can name.
pub fn access(roots: &Roots, groups: &Groups, logical: &str) -> Access {
    use std::os::unix::fs::MetadataExt as _;
    let real = roots.dev_path(logical);
    match fs::metadata(&real) {
        Ok(meta) => Access {
            path: logical.to_owned(),
            exists: true,
            usable: can_read_write(&real),
            group: Some(groups.name(meta.gid())),
            mode: Some(format!("{:04o}", meta.mode() & 0o7777)),
        },
        Err(_) => Access { path: logical.to_owned(), exists: false, usable: false, group: None, mode: None },
    }
}

#[allow(unsafe_code)] // one libc call; the block says why it is sound
fn can_read_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt as _;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call; access(2) only reads it and keeps
    // no pointer to it.
    unsafe { libc::access(c_path.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

/// A sysfs attribute, trimmed; `None` when missing or empty.
fn attribute(dir: &Path, name: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join(name)).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The name of the driver bound to a sysfs device (the last part of its `driver` link).
fn driver(dir: &Path) -> Option<String> {
    let target = fs::read_link(dir.join("driver")).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

fn entries(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let read = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut entries: Vec<(String, PathBuf)> =
        read.flatten().map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())).collect();
    entries.sort_by_key(|entry| natural_key(&entry.0));
    Ok(entries)
}

/// Sorts ttyS2 before ttyS10.
fn natural_key(name: &str) -> (String, u64) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    (stem.to_owned(), number.parse().unwrap_or(0))
}

/// Every serial port with a device behind it: USB ones (ttyUSB, ttyACM) and built-in UARTs that really exist
/// (the 8250 driver registers ttyS0-31 whether or not a UART is there; those have type 0).
pub fn serial_ports(roots: &Roots, groups: &Groups) -> Result<Vec<SerialPort>, String> {
    let class = roots.sys.join("class/tty");
    let sys_root = fs::canonicalize(&roots.sys).unwrap_or_else(|_| roots.sys.clone());
    let console: Vec<String> = attribute(&class.join("console"), "active")
        .map(|a| a.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let by_id = links(&roots.dev.join("serial/by-id"), "/dev/serial/by-id");
    let by_path = links(&roots.dev.join("serial/by-path"), "/dev/serial/by-path");
    let mut ports = Vec::new();
    for (name, entry) in entries(&class)? {
        let Ok(device) = fs::canonicalize(entry.join("device")) else { continue };
        let uart_type = attribute(&entry, "type").and_then(|t| t.parse::<u32>().ok());
        if name.starts_with("ttyS") && uart_type.unwrap_or(0) == 0 {
            continue;
        }
        let mut interface = None;
        let mut usb = None;
        for dir in device.ancestors() {
            if !dir.starts_with(&sys_root) {
                break;
            }
            if interface.is_none() && dir.join("bInterfaceNumber").is_file() {
                interface = Some(dir.to_path_buf());
            }
            if dir.join("idVendor").is_file() {
                usb = Some(dir.to_path_buf());
                break;
            }
        }
        let driver = interface.as_deref().and_then(driver).or_else(|| driver(&device));
        let usb = usb.map(|dir| UsbSerial {
            vendor_id: attribute(&dir, "idVendor").unwrap_or_default(),
            product_id: attribute(&dir, "idProduct").unwrap_or_default(),
            serial_number: attribute(&dir, "serial"),
            manufacturer: attribute(&dir, "manufacturer"),
            product: attribute(&dir, "product"),
            interface: interface
                .as_deref()
                .and_then(|i| attribute(i, "bInterfaceNumber"))
                .and_then(|n| u8::from_str_radix(&n, 16).ok()),
        });
        let path = format!("/dev/{name}");
        ports.push(SerialPort {
            by_id: by_id.get(&name).cloned(),
            by_path: by_path.get(&name).cloned(),
            driver,
            usb,
            uart_type: if name.starts_with("ttyS") { uart_type } else { None },
            console: console.contains(&name),
            access: access(roots, groups, &path),
            path,
            name,
        });
    }
    Ok(ports)
}

/// udev's stable links in a directory: the node each points at (its name) → the link's path as shown. The
/// first link in name order wins.
fn links(dir: &Path, shown: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    for (link, path) in entries(dir).unwrap_or_default() {
        let Ok(target) = fs::read_link(&path) else { continue };
        if let Some(node) = target.file_name() {
            found.entry(node.to_string_lossy().into_owned()).or_insert_with(|| format!("{shown}/{link}"));
        }
    }
    found
}

/// Every input event device with its capability bitmaps (the core decides which are pointers).
pub fn input_devices(roots: &Roots, groups: &Groups) -> Result<Vec<InputDevice>, String> {
    let mut devices = Vec::new();
    for (event, entry) in entries(&roots.sys.join("class/input"))? {
        if !event.starts_with("event") {
            continue;
        }
        let Ok(device) = fs::canonicalize(entry.join("device")) else { continue };
        let hex = |name: &str| attribute(&device, name).and_then(|v| u16::from_str_radix(&v, 16).ok()).unwrap_or(0);
        devices.push(InputDevice {
            name: attribute(&device, "name").unwrap_or_default(),
            bustype: hex("id/bustype"),
            vendor_id: hex("id/vendor"),
            product_id: hex("id/product"),
            key: attribute(&device, "capabilities/key").unwrap_or_default(),
            abs: attribute(&device, "capabilities/abs").unwrap_or_default(),
            rel: attribute(&device, "capabilities/rel").unwrap_or_default(),
            properties: attribute(&device, "properties").unwrap_or_default(),
            access: Some(access(roots, groups, &format!("/dev/input/{event}"))),
            event,
        });
    }
    Ok(devices)
}

/// Every DRM connector (card0-HDMI-A-1) with its status and modes.
pub fn connectors(roots: &Roots, groups: &Groups) -> Result<Vec<Connector>, String> {
    let class = roots.sys.join("class/drm");
    let mut connectors = Vec::new();
    for (name, entry) in entries(&class)? {
        let Some((card, _)) = name.split_once('-') else { continue };
        if !card.starts_with("card") || !card[4..].chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let modes = fs::read_to_string(entry.join("modes"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        connectors.push(Connector {
            card: card.to_owned(),
            driver: driver(&class.join(card).join("device")),
            status: attribute(&entry, "status").unwrap_or_else(|| "unknown".into()),
            enabled: attribute(&entry, "enabled"),
            modes,
            access: access(roots, groups, &format!("/dev/dri/{card}")),
            name,
        });
    }
    Ok(connectors)
}

#[cfg(test)]
pub mod tests {
    //! Fake sysfs and /dev trees, laid out as the kernel and udev lay them out (class links into /sys/devices,
    //! `device` and `driver` links), built in a temporary directory.

    use super::*;
    use crate::detect::findings::{self, Facts, PointerKind, Verdict};
    use std::os::unix::fs::symlink;

    /// A temporary directory holding `sys/` and `dev/`, removed when dropped.
    pub struct Tree {
        pub root: PathBuf,
    }

    impl Tree {
        pub fn new(name: &str) -> Tree {
            // Tests run in parallel, several on the same layout: each tree gets its own directory.
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let root = std::env::temp_dir().join(format!("kiosk-detect-{name}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&root);
            fs::create_dir_all(root.join("sys/class")).expect("fake sys");
            fs::create_dir_all(root.join("dev")).expect("fake dev");
            Tree { root }
        }

        pub fn roots(&self) -> Roots {
            Roots { sys: self.root.join("sys"), dev: self.root.join("dev") }
        }

        /// Writes `text` to sys/PATH (directories made).
        pub fn write(&self, path: &str, text: &str) {
            let path = self.root.join("sys").join(path);
            fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
            fs::write(path, format!("{text}\n")).expect("attribute");
        }

        /// A symbolic link at sys/LINK pointing at sys/TARGET (written relative, as sysfs does).
        pub fn link(&self, link: &str, target: &str) {
            let link = self.root.join("sys").join(link);
            fs::create_dir_all(link.parent().expect("a parent")).expect("dirs");
            fs::create_dir_all(self.root.join("sys").join(target)).expect("target");
            let depth = link.strip_prefix(self.root.join("sys")).expect("inside").components().count() - 1;
            symlink(format!("{}{target}", "../".repeat(depth)), link).expect("link");
        }

        /// A device node dev/NAME (a plain file stands in).
        pub fn node(&self, name: &str) {
            let path = self.root.join("dev").join(name);
            fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
            fs::write(path, "").expect("node");
        }

        /// A udev link dev/DIR/NAME -> ../../NODE.
        pub fn dev_link(&self, link: &str, node: &str) {
            let path = self.root.join("dev").join(link);
            fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
            symlink(format!("../../{node}"), path).expect("dev link");
        }

        /// A USB serial adapter at bus 1 port `port`, its tty `name`, the interface's driver `driver`.
        pub fn usb_serial(&self, port: &str, name: &str, driver: &str, ids: (&str, &str), serial: Option<&str>) {
            let device = format!("devices/pci0000:00/0000:00:14.0/usb1/1-{port}");
            let interface = format!("{device}/1-{port}:1.0");
            self.write(&format!("{device}/idVendor"), ids.0);
            self.write(&format!("{device}/idProduct"), ids.1);
            if let Some(serial) = serial {
                self.write(&format!("{device}/serial"), serial);
            }
            self.write(&format!("{device}/manufacturer"), if driver == "ftdi_sio" { "FTDI" } else { "QinHeng" });
            self.write(
                &format!("{device}/product"),
                if driver == "ftdi_sio" { "FT232R USB UART" } else { "USB Serial" },
            );
            self.write(&format!("{interface}/bInterfaceNumber"), "00");
            self.link(&format!("{interface}/driver"), &format!("bus/usb/drivers/{driver}"));
            self.link(&format!("{interface}/{name}/driver"), &format!("bus/usb-serial/drivers/{driver}-uart"));
            self.link(&format!("{interface}/{name}/tty/{name}/device"), &format!("{interface}/{name}"));
            self.link(&format!("class/tty/{name}"), &format!("{interface}/{name}/tty/{name}"));
            self.node(name);
        }

        /// An input device `eventN` with its capability bitmaps.
        pub fn input(&self, event: &str, input: &str, name: &str, caps: [(&str, &str); 4], ids: [&str; 3]) {
            let dir = format!(
                "devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/0003:{}:{}.0001/input/{input}",
                ids[1], ids[2]
            );
            self.write(&format!("{dir}/name"), name);
            for (file, bits) in caps {
                self.write(&format!("{dir}/{file}"), bits);
            }
            self.write(&format!("{dir}/id/bustype"), ids[0]);
            self.write(&format!("{dir}/id/vendor"), ids[1]);
            self.write(&format!("{dir}/id/product"), ids[2]);
            self.link(&format!("{dir}/{event}/device"), &dir);
            self.link(&format!("class/input/{event}"), &format!("{dir}/{event}"));
            self.node(&format!("input/{event}"));
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.root);
        }
    }

    const ROOT: User = User { uid: 0, root: true };

    fn facts(tree: &Tree) -> Facts {
        let roots = tree.roots();
        let groups = Groups::default();
        Facts {
            user: ROOT,
            usb: None,
            scanners: None,
            serial: Some(serial_ports(&roots, &groups)),
            input: Some(input_devices(&roots, &groups)),
            displays: Some(connectors(&roots, &groups)),
        }
    }

    /// A box with an FTDI adapter (by-id link), a CH341 without serial number, a real 16550A carrying the kernel
    /// console, and the phantom ttyS ports the 8250 driver registers.
    fn serial_box() -> Tree {
        let tree = Tree::new("serial");
        tree.usb_serial("2", "ttyUSB0", "ftdi_sio", ("0403", "6001"), Some("A10K1ABC"));
        tree.dev_link("serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1ABC-if00-port0", "ttyUSB0");
        tree.dev_link("serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0", "ttyUSB0");
        tree.usb_serial("3", "ttyUSB1", "ch341", ("1a86", "7523"), None);
        tree.write("devices/pnp0/00:00/00:00:0/00:00:0.0/tty/ttyS0/type", "4");
        tree.link("devices/pnp0/00:00/00:00:0/00:00:0.0/driver", "bus/pnp/drivers/serial");
        tree.link("devices/pnp0/00:00/00:00:0/00:00:0.0/tty/ttyS0/device", "devices/pnp0/00:00/00:00:0/00:00:0.0");
        tree.link("class/tty/ttyS0", "devices/pnp0/00:00/00:00:0/00:00:0.0/tty/ttyS0");
        tree.node("ttyS0");
        for n in 1..32 {
            let dir = format!("devices/platform/serial8250/tty/ttyS{n}");
            tree.write(&format!("{dir}/type"), "0");
            tree.link(&format!("{dir}/device"), "devices/platform/serial8250");
            tree.link(&format!("class/tty/ttyS{n}"), &dir);
        }
        // Virtual consoles have no device behind them.
        tree.write("devices/virtual/tty/tty1/dev", "4:1");
        tree.link("class/tty/tty1", "devices/virtual/tty/tty1");
        tree.write("devices/virtual/tty/console/active", "ttyS0");
        tree.link("class/tty/console", "devices/virtual/tty/console");
        tree
    }

    #[test]
    fn an_ftdi_adapter_is_found_with_its_by_id_name() {
        let tree = serial_box();
        let report = findings::report(facts(&tree), 0);
        let ftdi = report.serial_ports.iter().find(|p| p.facts.name == "ttyUSB0").expect("ttyUSB0 found");
        let usb = ftdi.facts.usb.as_ref().expect("its USB identity");
        assert_eq!((usb.vendor_id.as_str(), usb.product_id.as_str()), ("0403", "6001"));
        assert_eq!(usb.serial_number.as_deref(), Some("A10K1ABC"));
        assert_eq!(usb.manufacturer.as_deref(), Some("FTDI"));
        assert_eq!(usb.interface, Some(0));
        assert_eq!(ftdi.facts.driver.as_deref(), Some("ftdi_sio"));
        assert_eq!(ftdi.verdict, Verdict::Ok, "{:?}", ftdi.hints);
        assert!(
            ftdi.details[0].starts_with("USB serial adapter (FTDI); if this is the pager transmitter, set protocol")
        );
        assert_eq!(
            ftdi.config[1],
            "transport = \"serial:/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1ABC-if00-port0\""
        );
        assert_eq!(ftdi.config[0], "[devices.pager]");
        assert!(ftdi.facts.access.usable, "the fake node is usable by root");
    }

    #[test]
    fn a_ch341_without_serial_number_or_udev_links_is_pinned_by_a_hint() {
        let tree = serial_box();
        let report = findings::report(facts(&tree), 0);
        let ch341 = report.serial_ports.iter().find(|p| p.facts.name == "ttyUSB1").expect("ttyUSB1 found");
        assert_eq!(ch341.facts.driver.as_deref(), Some("ch341"));
        assert!(ch341.details[0].contains("(WCH CH340/CH341)"));
        assert_eq!(ch341.facts.usb.as_ref().and_then(|u| u.serial_number.clone()), None);
        assert_eq!(ch341.verdict, Verdict::Warning);
        assert!(ch341.hints.iter().any(|h| h.contains("may change after a replug")), "{:?}", ch341.hints);
        assert_eq!(ch341.config[1], "transport = \"serial:/dev/ttyUSB1\"");
    }

    #[test]
    fn phantom_ttys_ports_are_skipped_and_the_real_uart_is_kept() {
        let tree = serial_box();
        let report = findings::report(facts(&tree), 0);
        let names: Vec<&str> = report.serial_ports.iter().map(|p| p.facts.name.as_str()).collect();
        assert_eq!(names, ["ttyS0", "ttyUSB0", "ttyUSB1"]);
        let uart = &report.serial_ports[0];
        assert_eq!(uart.facts.uart_type, Some(4));
        assert!(uart.summary.contains("built-in UART (16550A)"), "{}", uart.summary);
        assert!(uart.facts.console);
        assert_eq!(uart.verdict, Verdict::Warning, "the kernel console is on it");
        assert_eq!(uart.facts.driver.as_deref(), Some("serial"));
    }

    /// Bitmaps as a 64-bit kernel prints them.
    const TOUCH_ABS: &str = "260800000000003"; // ABS_X, ABS_Y, ABS_MT_SLOT, ABS_MT_POSITION_X/Y, ABS_MT_TRACKING_ID
    const TOUCH_KEY: &str = "400 0 0 0 0 0"; // BTN_TOUCH (0x14a)
    const TABLET_KEY: &str = "70000 0 0 0 0"; // BTN_LEFT, BTN_RIGHT, BTN_MIDDLE

    fn input_box() -> Tree {
        let tree = Tree::new("input");
        tree.input(
            "event4",
            "input6",
            "ILITEK ILITEK-TP",
            [
                ("capabilities/abs", TOUCH_ABS),
                ("capabilities/key", TOUCH_KEY),
                ("capabilities/rel", "0"),
                ("properties", "2"),
            ],
            ["0003", "222a", "0001"],
        );
        tree.input(
            "event2",
            "input4",
            "QEMU QEMU USB Tablet",
            [
                ("capabilities/abs", "3"),
                ("capabilities/key", TABLET_KEY),
                ("capabilities/rel", "100"),
                ("properties", "0"),
            ],
            ["0003", "0627", "0001"],
        );
        tree.input(
            "event0",
            "input0",
            "Power Button",
            [
                ("capabilities/abs", "0"),
                ("capabilities/key", "10000000000000 0"),
                ("capabilities/rel", "0"),
                ("properties", "0"),
            ],
            ["0019", "0000", "0001"],
        );
        tree
    }

    #[test]
    fn a_touch_screen_declaring_input_prop_direct_is_a_multitouch_screen() {
        let tree = input_box();
        let report = findings::report(facts(&tree), 0);
        let touch = report.input.iter().find(|p| p.facts.event == "event4").expect("the touch screen");
        assert_eq!(touch.facts.kind, PointerKind::TouchScreen);
        assert!(touch.facts.multitouch && touch.facts.direct);
        assert_eq!(touch.facts.bus, "usb");
        assert_eq!((touch.facts.vendor_id.as_str(), touch.facts.product_id.as_str()), ("222a", "0001"));
        assert_eq!(touch.verdict, Verdict::Ok);
        assert!(touch.summary.contains("touch screen, multitouch"), "{}", touch.summary);
        assert_eq!(touch.facts.path, "/dev/input/event4");
    }

    #[test]
    fn qemu_s_usb_tablet_is_an_absolute_pointer_and_buttons_are_not_pointers() {
        let tree = input_box();
        let report = findings::report(facts(&tree), 0);
        let events: Vec<&str> = report.input.iter().map(|p| p.facts.event.as_str()).collect();
        assert_eq!(events, ["event2", "event4"], "the power button is no pointer");
        let tablet = &report.input[0];
        assert_eq!(tablet.facts.kind, PointerKind::AbsolutePointer);
        assert!(!tablet.facts.multitouch && !tablet.facts.direct);
        assert!(!report.notes.iter().any(|n| n.section == findings::Section::Input), "a touch screen is there");
    }

    #[test]
    fn a_connected_virtio_connector_shows_its_preferred_mode() {
        let tree = Tree::new("drm");
        let card = "devices/pci0000:00/0000:00:02.0/virtio0/drm/card0";
        tree.link("devices/pci0000:00/0000:00:02.0/virtio0/driver", "bus/virtio/drivers/virtio_gpu");
        tree.link(&format!("{card}/device"), "devices/pci0000:00/0000:00:02.0/virtio0");
        tree.link("class/drm/card0", card);
        tree.write(&format!("{card}/card0-Virtual-1/status"), "connected");
        tree.write(&format!("{card}/card0-Virtual-1/enabled"), "enabled");
        tree.write(&format!("{card}/card0-Virtual-1/modes"), "1280x800\n1920x1080\n1024x768");
        tree.link("class/drm/card0-Virtual-1", &format!("{card}/card0-Virtual-1"));
        tree.write(&format!("{card}/card0-Virtual-2/status"), "disconnected");
        tree.write(&format!("{card}/card0-Virtual-2/modes"), "");
        tree.link("class/drm/card0-Virtual-2", &format!("{card}/card0-Virtual-2"));
        tree.write("devices/virtual/drm/version/dev", "x");
        tree.link("class/drm/version", "devices/virtual/drm/version");
        tree.node("dri/card0");
        let report = findings::report(facts(&tree), 0);
        assert_eq!(report.displays.len(), 2);
        let screen = &report.displays[0];
        assert_eq!(screen.verdict, Verdict::Ok);
        assert_eq!(screen.facts.preferred_mode.as_deref(), Some("1280x800"));
        assert_eq!(screen.facts.connector.driver.as_deref(), Some("virtio_gpu"));
        assert_eq!(screen.facts.connector.access.path, "/dev/dri/card0");
        assert_eq!(screen.summary, "card0-Virtual-1  connected, preferred mode 1280x800, enabled, driver virtio_gpu");
        assert_eq!(report.displays[1].verdict, Verdict::Unused, "a spare connector beside a connected one");
        assert!(!report.notes.iter().any(|n| n.section == findings::Section::Displays));
    }

    #[test]
    fn a_missing_class_directory_is_a_note_not_a_failure() {
        let tree = Tree::new("empty");
        let report = findings::report(facts(&tree), 0);
        let displays = report.notes.iter().find(|n| n.section == findings::Section::Displays).expect("a note");
        assert_eq!(displays.verdict, Verdict::Problem);
        assert!(displays.message.starts_with("no DRM display device"), "{}", displays.message);
    }

    #[test]
    fn group_names_come_from_etc_group() {
        let groups = Groups::parse("root:x:0:\ndialout:x:20:alice\nlp:x:7:\n");
        assert_eq!(groups.name(20), "dialout");
        assert_eq!(groups.name(4242), "4242");
    }
}
