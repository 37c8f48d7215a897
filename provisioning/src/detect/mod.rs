//! `kiosk-provision detect` (issue 17): what a technician at a new box needs to know about its devices, with a
//! verdict, hints and the configuration lines to use. Must not do: open, claim or write any device (it only reads
//! descriptors, sysfs and SANE's list), or change a file.
//!
//! Sections: USB receipt printers (libusb: ids, printer-class interfaces and endpoints, usblp, the profile from
//! `kiosk_drivers::printer::profile::USB_MODELS`), serial ports (sysfs: the USB adapter behind each, udev's stable
//! /dev/serial/by-id names; built-in UARTs only where one exists), scanners (SANE through the same helper as
//! `scan list`), touch and pointer devices (the capability bitmaps libinput and udev's input_id read; libinput is not
//! linked into the CLI), and displays (DRM connectors). For every device node, whether the user running `detect` may
//! read and write it, and if not, what to change.
//!
//! The work is split as everywhere in this codebase: `sysfs.rs` and `usb.rs` read (the shell), `findings.rs`
//! decides (pure, tested on fake sysfs trees), `text.rs` writes the human text.
//!
//! Exit status: 0 when it ran, whatever it found (a missing printer is a finding, not a failure); 2 when it could
//! not run at all (the sysfs root is not there); 1 when the output could not be written (a closed pipe is not a
//! failure: `detect | head` ends quietly with 0).
//!
//! # JSON (`--json`), format 1
//!
//! One object. Every finding has `verdict` ("ok", "warning", "problem", "unused"), `summary` (one line),
//! `details`, `hints` (sentences), `config` (TOML lines: a table header, then keys) and its facts beside them.
//! `access` is `{path, exists, usable, group, mode}` for the device node (`usable`: read and write for the user
//! running `detect`; `group` a name; `mode` octal text like "0660"). Absent values are `null`.
//!
//! ```text
//! {
//!   "format": 1,
//!   "user": {"uid": 0, "root": true},
//!   "elapsed_ms": 412,
//!   "printers": [{verdict, summary, details, hints, config,
//!                 "bus": 1, "address": 4, "vendor_id": "04b8", "product_id": "0e15",
//!                 "manufacturer", "product", "serial_number",
//!                 "interfaces": [{"number": 0, "class": 7, "protocol": 2, "endpoint_out": "0x01",
//!                                 "endpoint_in": "0x82", "kernel_driver_active": true}],
//!                 "model": "Epson TM-T20II", "profile": "epson-tm-t20", "access"}],
//!   "serial_ports": [{verdict, summary, details, hints, config,
//!                     "name": "ttyUSB0", "path": "/dev/ttyUSB0", "by_id": "/dev/serial/by-id/…", "by_path",
//!                     "driver": "ftdi_sio",
//!                     "usb": {"vendor_id": "0403", "product_id": "6001", "serial_number", "manufacturer",
//!                             "product", "interface": 0},
//!                     "uart_type": null, "console": false, "access"}],
//!   "scanners": [{verdict, summary, details, hints, config,
//!                 "name": "test:0", "vendor": "Noname", "model": "frontend-tester", "kind": "virtual device",
//!                 "access": null}],
//!   "input": [{verdict, summary, details, hints, config,
//!              "event": "event4", "path": "/dev/input/event4", "name": "ILITEK ILITEK-TP",
//!              "kind": "touch-screen" | "absolute-pointer" | "touchpad" | "mouse" | "pen-tablet",
//!              "multitouch": true, "direct": true, "bus": "usb", "vendor_id": "222a", "product_id": "0001",
//!              "access"}],
//!   "displays": [{verdict, summary, details, hints, config,
//!                 "name": "card0-HDMI-A-1", "card": "card0", "driver": "i915", "status": "connected",
//!                 "enabled": "enabled", "modes": ["1920x1080", …], "preferred_mode": "1920x1080", "access"}],
//!   "notes": [{"section": "printers" | "serial" | "scanners" | "input" | "displays",
//!              "verdict", "message": "no USB receipt printer found (3 USB devices seen)", "hints"}]
//! }
//! ```
//!
//! A skipped section (`--skip`) has an empty array and no note.

pub mod findings;
mod sysfs;
mod text;
mod usb;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use findings::{Access, Facts, Scanner, Section};
use sysfs::{Groups, Roots};

/// The `detect` verb's arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write one JSON object instead of text (its fields are documented in provisioning/src/detect/mod.rs).
    #[arg(long)]
    json: bool,
    /// Leave sections out, e.g. `--skip scanners` when network scanner discovery is slow.
    #[arg(long, value_enum, value_delimiter = ',')]
    skip: Vec<Section>,
    /// Read sysfs from this directory instead of /sys (tests build a fake tree).
    #[arg(long, hide = true, default_value = "/sys")]
    sysfs_root: PathBuf,
    /// Read device nodes from this directory instead of /dev (tests).
    #[arg(long, hide = true, default_value = "/dev")]
    dev_root: PathBuf,
}

/// Runs `detect`: reads, judges, prints.
pub fn run(args: Args) -> ExitCode {
    use std::io::IsTerminal as _;
    if !args.sysfs_root.is_dir() {
        eprintln!("kiosk-provision: cannot read {}: not a directory (is sysfs mounted?)", args.sysfs_root.display());
        return ExitCode::from(2);
    }
    let sections: Vec<Section> = Section::ALL.into_iter().filter(|s| !args.skip.contains(s)).collect();
    let report = detect(&Roots { sys: args.sysfs_root, dev: args.dev_root }, &sections);
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&report).expect("the report is plain data");
        json.push('\n');
        json
    } else {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        text::render(&report, &sections, colour)
    };
    crate::out::emit(&text)
}

/// What `detect --json` prints, for the diagnostics archive (`devices.json`). Scanners are listed only when asked:
/// SANE's network discovery can take seconds.
pub fn json_report(with_scanners: bool) -> String {
    let sections: Vec<Section> =
        Section::ALL.into_iter().filter(|s| with_scanners || *s != Section::Scanners).collect();
    let report = detect(&system(), &sections);
    serde_json::to_string_pretty(&report).expect("the report is plain data") + "\n"
}

/// The devices `setup` offers when the technician names none (see [`findings::suggested`]).
pub fn suggested() -> findings::Suggested {
    findings::suggested(&detect(&system(), &Section::ALL))
}

/// This machine's sysfs and device nodes.
fn system() -> Roots {
    Roots { sys: PathBuf::from("/sys"), dev: PathBuf::from("/dev") }
}

/// Reads the sections asked for and judges them, timed.
fn detect(roots: &Roots, sections: &[Section]) -> findings::Report {
    let started = Instant::now();
    let facts = gather(roots, sections);
    findings::report(facts, started.elapsed().as_millis().try_into().unwrap_or(u64::MAX))
}

/// Reads every section asked for. SANE's listing (seconds with network discovery) runs on its own thread while
/// sysfs and libusb are read.
fn gather(roots: &Roots, sections: &[Section]) -> Facts {
    let wanted = |section| sections.contains(&section);
    let groups = Groups::load();
    let scanners = wanted(Section::Scanners).then(|| {
        let roots = roots.clone();
        std::thread::spawn(move || scanners(&roots, &Groups::load()))
    });
    let usb = wanted(Section::Printers).then(|| usb::devices(roots, &groups));
    let serial = wanted(Section::Serial).then(|| sysfs::serial_ports(roots, &groups));
    let input = wanted(Section::Input).then(|| sysfs::input_devices(roots, &groups));
    let displays = wanted(Section::Displays).then(|| sysfs::connectors(roots, &groups));
    let scanners = scanners.map(|thread| thread.join().unwrap_or_else(|_| Err("the SANE listing panicked".into())));
    Facts { user: sysfs::user(), usb, serial, scanners, input, displays }
}

/// SANE's scanners, through the same helper process and listing as `kiosk-provision scan list` (so
/// `SANE_CONFIG_DIR` and `KIOSK_SANE_HELPER` apply the same way).
fn scanners(roots: &Roots, groups: &Groups) -> Result<Vec<Scanner>, String> {
    use kiosk_drivers::scanner::helper;
    let devices = helper::list(&helper::default_helper(), &[]).map_err(|e| e.to_string())?;
    Ok(devices
        .into_iter()
        .map(|device| {
            let access: Option<Access> =
                findings::sane_usb_node(&device.name).map(|node| sysfs::access(roots, groups, &node));
            Scanner { name: device.name, vendor: device.vendor, model: device.model, kind: device.kind, access }
        })
        .collect())
}
