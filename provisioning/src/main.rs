//! `kiosk-provision`: the technician's tool for setting up and testing a kiosk.
//!
//! `check-config FILE` validates a configuration exactly as the kiosk does at start and prints every problem.
//! The device issues add their self-test commands here. Must not do: change a kiosk's files without being asked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod appliance;
mod detect;
mod diagnostics;
mod enrol;
mod out;
mod place;
mod selftest;
mod setup;
mod status;
mod steps;

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand, ValueEnum};
use kiosk_core::config::{self, Config, Transport};
use kiosk_drivers::pager::serial::{Protocol, SerialTransmitter};
use kiosk_drivers::printer::{decode, device, encode, profile::Profile, profile::Strategy, raster::Typeface, samples};
use kiosk_drivers::printer::{ReceiptPrinter, Status};
use kiosk_drivers::transport::{Endpoint, Flow};

#[derive(Parser)]
#[command(version, about = "Set up and test a Hanoi public-service kiosk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the kiosk's configuration: ward, service point, hours, portal, devices, technician PIN. Asks on a
    /// terminal; with --non-interactive takes flags. Validated before it is written; the old file kept as .bak.
    Setup(Box<setup::Args>),
    /// Make the kiosk's device key and register it with the portal using a one-time enrolment code.
    Enrol {
        #[command(flatten)]
        place: place::Place,
        /// The one-time code the portal's operators issued for this kiosk.
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Set or change the technician PIN that opens the kiosk's technician screen (asked twice on a terminal, or
    /// one line with --pin-stdin); lifts a lockout. The configuration is not touched.
    TechnicianPin {
        #[command(flatten)]
        place: place::Place,
        /// Read the PIN as one line from standard input.
        #[arg(long)]
        pin_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Check everything before leaving: printer (test slip), scanner, pagers, portal, clock, disk, state
    /// directory, screen. Exit status 1 if a check failed. Stop the kiosk first (the devices have one owner).
    SelfTest(selftest::Args),
    /// What the running kiosk is doing now: devices, portal, outbox counts, quarantined items.
    Status {
        #[command(flatten)]
        place: place::Place,
        #[arg(long)]
        json: bool,
    },
    /// Write one archive to send to the developers: versions, config without keys, devices, self-test, status,
    /// the last hours of the log. No personal data, no secret.
    Diagnostics(diagnostics::Args),
    /// List this box's receipt printers, serial ports (pager transmitters), scanners, touch screens and displays,
    /// each with a verdict, a hint and the config line to use.
    Detect(detect::Args),
    /// Read a captured print job (the bytes a printer received) as the printer would print it: its text lines and
    /// QR codes, and the paper drawn to a PNG with --png.
    Decode {
        /// The job's bytes.
        file: PathBuf,
        /// The printer's profile (how its code pages and downloaded characters read).
        #[arg(long, default_value = "generic-80")]
        profile: String,
        /// Draw the paper to this PNG.
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Print the udev rules the kiosk's package installs (/usr/lib/udev/rules.d/60-kiosk.rules): the known
    /// receipt printers and pager transmitters' serial adapters for the kiosk group, with stable names.
    UdevRules,
    /// Check a configuration file as the kiosk would, printing every problem (exit status 2 if any).
    CheckConfig {
        /// The file, usually /etc/kiosk/kiosk.toml.
        #[arg(default_value = config::DEFAULT_PATH)]
        file: PathBuf,
    },
    /// Print a standard document to a printer (or to a file), reporting the printer's status before and after.
    Print {
        /// Which document.
        #[arg(long, value_enum, default_value = "self-test")]
        document: Document,
        /// The printer, written as in the config: serial:/dev/PATH, usb:VID:PID[:SERIAL], tcp:HOST:PORT,
        /// file:/dev/usb/lp0.
        #[arg(long, required_unless_present = "out")]
        to: Option<String>,
        /// Write the job's bytes to this file instead of a printer.
        #[arg(long, conflicts_with = "to")]
        out: Option<PathBuf>,
        /// Also draw the paper, as our decoder reads the job, to this PNG.
        #[arg(long)]
        png: Option<PathBuf>,
        /// Printer profile: epson-tm-t88, epson-tm-t20, generic-80, generic-58.
        #[arg(long, default_value = "generic-80")]
        profile: String,
        /// Vietnamese strategy (default: the profile's): codepage, downloaded, raster.
        #[arg(long)]
        strategy: Option<String>,
        /// Serial speed, for serial: printers.
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// Serial flow control: none, hardware, software.
        #[arg(long, default_value = "none")]
        flow_control: String,
    },
    /// Make one pager vibrate through a transmitter, and report the transmitter's answer.
    Page {
        /// The transmitter: serial:/dev/PATH.
        #[arg(long)]
        to: String,
        #[arg(long, value_enum)]
        protocol: PagerProtocolArg,
        /// The pager's number.
        #[arg(long)]
        pager: u16,
        /// Serial speed: JTECH SmartAlert 1200, J1901 19200, WaveWare 9600 typically.
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// JTECH base station id.
        #[arg(long, default_value_t = 10)]
        base_id: u16,
        /// JTECH separator byte (J1901: 3; see the SmartAlert table).
        #[arg(long, default_value_t = 3)]
        separator: u8,
        /// LRS system id.
        #[arg(long, default_value_t = 1)]
        system_id: u16,
        /// WaveWare cap code of pager 0.
        #[arg(long, default_value_t = 700_000)]
        cap_base: u32,
    },
    /// Manage the counter staff who may sign in to the counter API.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Make the kiosk's HTTPS certificate: a certificate authority limited to the kiosk's names and addresses
    /// (its key is thrown away), and the kiosk's certificate. Counter PCs trust <state dir>/tls/ca.pem once.
    /// Restart the kiosk afterwards.
    Tls {
        #[command(flatten)]
        place: StaffPlace,
        /// A name counter PCs use for the kiosk (repeat for more). Default: localhost and the host name.
        #[arg(long = "name")]
        names: Vec<String>,
        /// An address counter PCs use for the kiosk (repeat for more). Default: every address of this machine.
        #[arg(long = "ip")]
        ips: Vec<std::net::IpAddr>,
    },
    /// List scanners, or scan from one to a PDF (and a preview PNG) through the kiosk's page pipeline, reporting
    /// time and size per page.
    #[command(subcommand)]
    Scan(ScanCommand),
    /// Check a procedure catalogue file, or search it as the kiosk does (before an update reaches kiosks).
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Check every procedure (fields, codes, sources, NFC); exit status 2 on any problem.
    Check {
        #[arg(default_value = "assets/catalogue/procedures.toml")]
        file: PathBuf,
    },
    /// Search the catalogue and print the ranked results with their codes and scores.
    Search {
        /// What a resident would type, e.g. "chung thuc chu ky" or "lương hưu".
        query: String,
        #[arg(long, default_value = "assets/catalogue/procedures.toml")]
        file: PathBuf,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

#[derive(Subcommand)]
enum ScanCommand {
    /// Every scanner SANE finds (USB backends and, with sane-airscan, eSCL network scanners).
    List,
    /// Scan from a named scanner (`sane:DEVICE` as in the config, or `simulated`).
    Document {
        /// The scanner: sane:DEVICE (see `scan list`), or simulated.
        #[arg(long)]
        from: String,
        #[arg(long, value_enum, default_value = "flatbed")]
        source: SourceArg,
        #[arg(long, value_enum, default_value = "grey")]
        mode: ModeArg,
        /// Resolution asked of the scanner (dpi); the finished pages are 200 dpi for text, 300 for cards.
        #[arg(long, default_value_t = 300)]
        resolution: u32,
        #[arg(long, value_enum, default_value = "a4")]
        size: SizeArg,
        /// Finish as an ID card (colour, 300 dpi, cropped to the card) rather than a text page.
        #[arg(long)]
        card: bool,
        /// A further SANE option, NAME=VALUE (repeatable), e.g. --option read-return-value=SANE_STATUS_JAMMED.
        #[arg(long = "option")]
        options: Vec<String>,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// Where to write the first page's preview (PNG).
        #[arg(long)]
        preview: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SourceArg {
    Flatbed,
    Feeder,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Grey,
    Colour,
}

#[derive(Clone, Copy, ValueEnum)]
enum SizeArg {
    A4,
    IdCard,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a member of counter staff. The PIN (6 to 12 digits) is asked twice on a terminal, or read as one line
    /// from standard input.
    Add {
        #[command(flatten)]
        place: StaffPlace,
        /// Login id: 2 to 16 lower-case letters, digits or dashes, e.g. nv01.
        #[arg(long)]
        id: String,
        /// Full name, shown on the counter console.
        #[arg(long)]
        name: String,
    },
    /// Set a new PIN for a member of staff (a forgotten PIN, or after a lockout).
    SetPin {
        #[command(flatten)]
        place: StaffPlace,
        #[arg(long)]
        id: String,
    },
    /// Remove a member of staff.
    Remove {
        #[command(flatten)]
        place: StaffPlace,
        #[arg(long)]
        id: String,
    },
    /// List staff ids and names (never PINs).
    List {
        #[command(flatten)]
        place: StaffPlace,
    },
}

#[derive(clap::Args)]
struct StaffPlace {
    /// The kiosk's state directory (the staff file is staff.toml inside it).
    #[arg(long, env = "STATE_DIRECTORY", default_value = "/var/lib/kiosk")]
    state_dir: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum PagerProtocolArg {
    Jtech,
    Lrs,
    Waveware,
}

#[derive(Clone, Copy, ValueEnum)]
enum Document {
    Ticket,
    Guidance,
    Receipt,
    SelfTest,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Setup(args) => setup::run(*args),
        Command::Enrol { place, code, json } => enrol::run(&place, code.as_deref(), json),
        Command::SelfTest(args) => selftest::run(&args),
        Command::Status { place, json } => status::run(&place, json),
        Command::Diagnostics(args) => diagnostics::run(&args),
        Command::Detect(args) => detect::run(args),
        Command::TechnicianPin { place, pin_stdin, json } => setup::change_technician_pin(&place, pin_stdin, json),
        Command::CheckConfig { file } => check_config(&file),
        Command::Decode { file, profile, png } => match decode_job(&file, &profile, png.as_deref()) {
            Ok(text) => out::emit(&text),
            Err(error) => {
                eprintln!("kiosk-provision: {error:#}");
                ExitCode::FAILURE
            }
        },
        Command::UdevRules => out::emit(&appliance::udev_rules()),
        Command::Catalogue(command) => catalogue(command),
        Command::Scan(command) => match scan(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kiosk-provision: {error:#}");
                ExitCode::FAILURE
            }
        },
        Command::Tls { place, names, ips } => match tls(&place.state_dir, names, ips) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kiosk-provision: {error:#}");
                ExitCode::FAILURE
            }
        },
        Command::Staff(command) => match staff(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kiosk-provision: {error:#}");
                ExitCode::FAILURE
            }
        },
        Command::Page { to, protocol, pager, baud, base_id, separator, system_id, cap_base } => {
            let protocol = match protocol {
                PagerProtocolArg::Jtech => Protocol::Jtech { base_id, separator },
                PagerProtocolArg::Lrs => Protocol::Lrs { system_id },
                PagerProtocolArg::Waveware => Protocol::WaveWare { cap_base },
            };
            match page(&to, protocol, pager, baud) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("kiosk-provision: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Print { document, to, out, png, profile, strategy, baud, flow_control } => {
            match print(
                document,
                to.as_deref(),
                out.as_deref(),
                png.as_deref(),
                &profile,
                strategy.as_deref(),
                baud,
                &flow_control,
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("kiosk-provision: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The kiosk's shipped font, for user-defined characters and raster text.
pub fn typeface() -> Typeface {
    Typeface::from_bytes(
        include_bytes!("../../assets/fonts/BeVietnamPro-Regular.ttf"),
        include_bytes!("../../assets/fonts/BeVietnamPro-Bold.ttf"),
    )
    .expect("the shipped fonts load")
}

/// A shipped printer profile by name, or which ones there are.
fn builtin_profile(name: &str) -> anyhow::Result<Profile> {
    Profile::builtin(name).with_context(|| {
        format!("no printer profile `{name}`; shipped: {}", kiosk_drivers::printer::profile::BUILTIN.join(", "))
    })
}

/// The text lines (and `QR data` lines) of a captured print job, as a printer of `profile_name` prints it.
fn decode_job(file: &Path, profile_name: &str, png: Option<&Path>) -> anyhow::Result<String> {
    let profile = builtin_profile(profile_name)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let face = typeface();
    let paper = decode::paper(&bytes, &profile, &face)
        .map_err(|e| anyhow::anyhow!("{} is not an ESC/POS job this decoder reads: {e}", file.display()))?;
    if let Some(path) = png {
        let picture = decode::render(&paper, &profile, &face);
        let out = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        decode::write_png(&picture, std::io::BufWriter::new(out))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let mut text = String::new();
    for printed in paper {
        match printed {
            decode::Printed::Text { text: line, .. } => text.push_str(&format!("{line}\n")),
            decode::Printed::Qr { data, .. } => text.push_str(&format!("QR {data}\n")),
            decode::Printed::Image(bitmap) => {
                text.push_str(&format!("[picture {}x{} dots]\n", bitmap.width, bitmap.height))
            }
            decode::Printed::Cut => text.push_str("[cut]\n"),
            decode::Printed::Feed(_) => {}
        }
    }
    Ok(text)
}

#[allow(clippy::too_many_arguments)]
fn print(
    document: Document,
    to: Option<&str>,
    out: Option<&Path>,
    png: Option<&Path>,
    profile_name: &str,
    strategy: Option<&str>,
    baud: u32,
    flow_control: &str,
) -> anyhow::Result<()> {
    let mut profile = builtin_profile(profile_name)?;
    if let Some(name) = strategy {
        profile.strategy =
            Strategy::from_name(name).with_context(|| format!("`{name}` is not codepage, downloaded or raster"))?;
    }
    let document = match document {
        Document::Ticket => samples::queue_ticket(),
        Document::Guidance => samples::guidance_slip(),
        Document::Receipt => samples::submission_receipt(),
        Document::SelfTest => samples::self_test(&profile.name),
    };
    let face = typeface();
    let started = std::time::Instant::now();
    let encoded = encode::encode(&document, &profile, &face);
    println!(
        "encoded {} bytes with the {} strategy in {:.2} ms (9600 baud: {:.1} s on the wire)",
        encoded.bytes.len(),
        encoded.strategy.name(),
        started.elapsed().as_secs_f64() * 1000.0,
        encoded.bytes.len() as f64 * 10.0 / 9600.0
    );
    if !encoded.substituted.is_empty() {
        println!("printed as `?`: {:?}", encoded.substituted);
    }
    if let Some(path) = png {
        let paper = decode::paper(&encoded.bytes, &profile, &face).context("decoding our own job")?;
        let picture = decode::render(&paper, &profile, &face);
        let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        decode::write_png(&picture, std::io::BufWriter::new(file))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("paper drawn to {}", path.display());
    }
    if let Some(path) = out {
        std::fs::write(path, &encoded.bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("job written to {}", path.display());
        return Ok(());
    }
    let address = to.expect("clap requires --to without --out");
    let transport = Transport::parse(address).map_err(|e| anyhow::anyhow!("--to {address}: {e}"))?;
    let flow = match flow_control {
        "none" => Flow::None,
        "hardware" => Flow::Hardware,
        "software" => Flow::Software,
        other => bail!("--flow-control {other}: use none, hardware or software"),
    };
    let endpoint = match transport {
        Transport::Serial { path } => Endpoint::Serial { path, baud, flow },
        Transport::Tcp { host, port } => Endpoint::Tcp { host, port },
        Transport::File { path } => Endpoint::File { path },
        Transport::Usb { vendor_id, product_id, serial_number } => {
            Endpoint::Usb { vendor_id, product_id, serial_number }
        }
        other => bail!("--to {other}: a printer is reached by serial:, usb:, tcp: or file:"),
    };
    let hint = match &endpoint {
        Endpoint::Serial { .. } => {
            "check the cable, that the kiosk user is in the dialout group, and the baud rate (printer self-test page)"
        }
        Endpoint::Usb { .. } => {
            "check `lsusb` for the ids, the udev rule giving the kiosk user the device, and the cable"
        }
        Endpoint::Tcp { .. } => "check the printer's IP on its self-test page and that port 9100 is reachable",
        Endpoint::File { .. } => "check that the device file exists and the kiosk user can write it (lp group)",
    };
    let mut printer = device::EscPos::new(endpoint);
    let before = printer.status().with_context(|| format!("asking {address} for its status ({hint})"))?;
    println!("status before: {}", describe(&before));
    let outcome = device::print_checked(&mut printer, &encoded.bytes);
    let after = printer.status().map(|s| describe(&s)).unwrap_or_else(|e| format!("no answer ({e})"));
    println!("status after: {after}");
    match outcome {
        Ok(device::Outcome::Printed) => println!("printed"),
        Ok(device::Outcome::PrintedPaperLow) => println!("printed; the paper roll is nearly used up"),
        Err(error) => {
            use kiosk_drivers::printer::{Error, ErrorKind};
            let hint = match &error {
                Error::Reported(ErrorKind::PaperOut) => "load a new roll of paper and close the cover",
                Error::Reported(ErrorKind::CoverOpen) => "close the printer's cover",
                Error::Reported(ErrorKind::CutterError) => {
                    "open the cover, clear any paper caught in the cutter, close it; switch the printer off and on"
                }
                Error::Reported(ErrorKind::Offline | ErrorKind::Unrecoverable) => {
                    "switch the printer off and on; if its error light stays on, see its manual"
                }
                _ => hint,
            };
            bail!("not printed: {error} ({hint})")
        }
    }
    Ok(())
}

fn page(to: &str, protocol: Protocol, pager: u16, baud: u32) -> anyhow::Result<()> {
    use kiosk_drivers::pager::PagerTransmitter as _;
    let path = match Transport::parse(to).map_err(|e| anyhow::anyhow!("--to {to}: {e}"))? {
        Transport::Serial { path } => path,
        other => bail!("--to {other}: pager transmitters are on serial ports (serial:/dev/PATH)"),
    };
    let hint = "check the cable, that the kiosk user is in the dialout group, the baud rate and the protocol \
                (JTECH SmartAlert 1200 baud, J1901 19200, WaveWare 9600)";
    let mut transmitter = SerialTransmitter::new(protocol, Endpoint::Serial { path, baud, flow: Flow::None });
    transmitter.check().with_context(|| format!("checking the transmitter on {to} ({hint})"))?;
    println!("transmitter on {to}: answering ({protocol:?})");
    let started = std::time::Instant::now();
    transmitter.page(pager).with_context(|| format!("paging pager {pager} ({hint})"))?;
    println!("pager {pager}: accepted by the transmitter in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    Ok(())
}

fn catalogue(command: CatalogueCommand) -> ExitCode {
    let file = match &command {
        CatalogueCommand::Check { file } | CatalogueCommand::Search { file, .. } => file.clone(),
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("kiosk-provision: cannot read {}: {error}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let catalogue = match kiosk_core::catalogue::parse(&text) {
        Ok(catalogue) => catalogue,
        Err(problems) => {
            eprintln!("{}: {} problem(s):", file.display(), problems.len());
            for problem in problems {
                eprintln!("  - {problem}");
            }
            return ExitCode::from(2);
        }
    };
    // Written through `out`: `catalogue search … | head` ends quietly instead of panicking on the closed pipe.
    use std::fmt::Write as _;
    let mut shown = String::new();
    match command {
        CatalogueCommand::Check { .. } => {
            // Verified means read in the law's text or the national procedure database (primary); residents see
            // every other code, fee, time or list of papers marked "not verified".
            let unverified = catalogue
                .procedures
                .iter()
                .filter(|p| {
                    kiosk_core::catalogue::SHOWN_FACTS
                        .iter()
                        .any(|f| p.confidence_of(f) != kiosk_core::catalogue::Confidence::Primary)
                })
                .count();
            let _ = writeln!(
                shown,
                "{}: {} procedures in {} fields, all checks passed; {unverified} with a code, fee, time or papers \
                 not verified against the law's text or the national procedure database",
                file.display(),
                catalogue.procedures.len(),
                catalogue.fields.len()
            );
        }
        CatalogueCommand::Search { query, limit, .. } => {
            let index = kiosk_core::search::Index::build(&catalogue);
            let started = std::time::Instant::now();
            let hits = index.search(&query, limit);
            let took = started.elapsed();
            if hits.is_empty() {
                let _ = writeln!(shown, "nothing found for {query:?}");
            }
            for (rank, hit) in hits.iter().enumerate() {
                let p = &catalogue.procedures[hit.procedure];
                let code = if p.code.is_empty() { "(no code)" } else { p.code.as_str() };
                let _ = writeln!(shown, "{:>2}. {code:<9} {:>7.2}  {}  [{}]", rank + 1, hit.score, p.name_vi, p.id);
            }
            let _ = writeln!(
                shown,
                "({} procedures searched in {:.3} ms)",
                catalogue.procedures.len(),
                took.as_secs_f64() * 1000.0
            );
        }
    }
    out::emit(&shown)
}

fn scan(command: ScanCommand) -> anyhow::Result<()> {
    use kiosk_drivers::scanner::{self, helper, pdf, pipeline};
    let hint = scanner::ErrorKind::Disconnected.hint();
    match command {
        ScanCommand::List => {
            let devices = helper::list(&helper::default_helper(), &[]).with_context(|| hint.to_owned())?;
            if devices.is_empty() {
                println!("no scanner found ({hint})");
            }
            for device in devices {
                println!("sane:{}  {} {} ({})", device.name, device.vendor, device.model, device.kind);
            }
            Ok(())
        }
        ScanCommand::Document { from, source, mode, resolution, size, card, options, out, preview } => {
            let mut device: Box<dyn scanner::Scanner> =
                match Transport::parse(&from).map_err(|e| anyhow::anyhow!("--from {from}: {e}"))? {
                    Transport::Sane { device } => Box::new(scanner::SaneScanner::new(&device)),
                    Transport::Simulated => {
                        // The simulated glass holds a letter, or a card when an ID card's area is asked for.
                        let (simulated, control) = scanner::SimScanner::new();
                        if matches!(size, SizeArg::IdCard) {
                            control.place(scanner::sim::SimDocument::IdCard);
                        }
                        Box::new(simulated)
                    }
                    other => bail!("--from {other}: scanners are sane:DEVICE or simulated"),
                };
            let extra = options
                .iter()
                .map(|o| {
                    o.split_once('=')
                        .map(|(n, v)| (n.to_owned(), v.to_owned()))
                        .ok_or_else(|| anyhow::anyhow!("--option {o}: write NAME=VALUE"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let settings = scanner::Settings {
                source: match source {
                    SourceArg::Flatbed => scanner::Source::Flatbed,
                    SourceArg::Feeder => scanner::Source::Feeder,
                },
                mode: match mode {
                    ModeArg::Grey => scanner::ColourMode::Grey,
                    ModeArg::Colour => scanner::ColourMode::Colour,
                },
                resolution,
                size: match size {
                    SizeArg::A4 => scanner::PageSize::A4,
                    SizeArg::IdCard => scanner::PageSize::IdCard,
                },
                extra,
            };
            let started = std::time::Instant::now();
            let raw =
                device.scan(&settings).map_err(|e| anyhow::anyhow!("{e} [{:?}] ({})", e.kind(), e.kind().hint()))?;
            let scanned = started.elapsed();
            println!("scanned {} page(s) from {from} in {:.0} ms", raw.len(), scanned.as_secs_f64() * 1000.0);
            let finish = if card { pipeline::Options::ID_CARD } else { pipeline::Options::TEXT };
            let finish =
                pipeline::Options { colour: finish.colour || settings.mode == scanner::ColourMode::Colour, ..finish };
            let mut pages = Vec::new();
            for (n, page) in raw.iter().enumerate() {
                let started = std::time::Instant::now();
                let finished = pipeline::finish(page, &finish)?;
                println!(
                    "page {}: {}x{} at {} dpi scanned -> {}x{} at {} dpi {}, {} bytes JPEG, {:.0} ms{}{}",
                    n + 1,
                    page.width,
                    page.height,
                    page.dpi,
                    finished.width,
                    finished.height,
                    finished.dpi,
                    if finished.colour { "colour" } else { "grey" },
                    finished.jpeg.len(),
                    started.elapsed().as_secs_f64() * 1000.0,
                    if finished.skew_degrees != 0.0 {
                        format!(", straightened {:.1}°", finished.skew_degrees)
                    } else {
                        String::new()
                    },
                    if finished.cropped { ", cropped to the document" } else { "" },
                );
                pages.push(finished);
            }
            let document = pdf::assemble(&pages)?;
            std::fs::write(&out, &document).with_context(|| format!("writing {}", out.display()))?;
            println!("{}: {} page(s), {} bytes", out.display(), pages.len(), document.len());
            if let (Some(path), Some(first)) = (preview, pages.first()) {
                std::fs::write(&path, pipeline::encode_png(&first.preview))
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("{}: preview {}x{}", path.display(), first.preview.width, first.preview.height);
            }
            Ok(())
        }
    }
}

fn describe(status: &Status) -> String {
    match status.blocking_problem() {
        Some(kind) => format!("{kind:?}"),
        None if status.paper == kiosk_drivers::printer::Paper::NearEnd => "ready, paper near end".into(),
        None => "ready".into(),
    }
}

fn check_config(file: &Path) -> ExitCode {
    let loaded = std::fs::read(file)
        .map_err(|e| config::Error::unreadable(file, &e))
        .and_then(|bytes| config::parse(file, &bytes));
    match loaded {
        Ok(config) => {
            print!("{}", summary(file, &config));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprint!("{error}");
            eprintln!("The kiosk refuses to start until every problem above is fixed. The documented example is assets/kiosk.example.toml.");
            ExitCode::from(2)
        }
    }
}

/// What a valid file sets up, so the technician can see it is the kiosk they meant.
fn summary(file: &Path, config: &Config) -> String {
    let mut out = format!("{}: valid\n", file.display());
    out += &format!("  kiosk      {} at {}, {}\n", config.kiosk.id, config.kiosk.service_point, config.kiosk.ward);
    out += &format!("  portal     {}\n", config.portal.base_url);
    let languages: Vec<&str> = config.ui.languages.iter().map(|l| l.code()).collect();
    out += &format!("  languages  {} (idle timeout {} s)\n", languages.join(", "), config.ui.idle_timeout_seconds);
    for (role, device) in
        [("printer", &config.devices.printer), ("scanner", &config.devices.scanner), ("pager", &config.devices.pager)]
    {
        let serial = device
            .serial
            .map(|s| format!(" at {} baud, flow control {:?}", s.baud, s.flow_control))
            .unwrap_or_default();
        out += &format!("  {role:<10} {}{serial}\n", device.transport);
    }
    let services: Vec<String> = config.queue.services.iter().map(|s| format!("{} {}", s.code, s.name_vi)).collect();
    out += &format!("  services   {}\n", services.join(", "));
    out
}

/// The staff file in a state directory.
pub const STAFF_FILE: &str = "staff.toml";

fn tls(state_dir: &std::path::Path, names: Vec<String>, ips: Vec<std::net::IpAddr>) -> anyhow::Result<()> {
    use kiosk_app::tls;
    let seen = tls::names_for("0.0.0.0:0".parse().expect("address"));
    let names = tls::Names {
        dns: if names.is_empty() { seen.dns } else { names },
        ips: if ips.is_empty() { seen.ips } else { ips },
    };
    let dir = state_dir.join(tls::DIR);
    let fingerprint = tls::make(&dir, &names)?;
    println!("HTTPS certificate made in {} for:", dir.display());
    for name in &names.dns {
        println!("  https://{name}");
    }
    for ip in &names.ips {
        match ip {
            std::net::IpAddr::V4(v4) => println!("  https://{v4}"),
            std::net::IpAddr::V6(v6) => println!("  https://[{v6}]"),
        }
    }
    println!("Authority to trust on each counter PC: {}", dir.join("ca.pem").display());
    println!("Its SHA-256 fingerprint (compare it on the PC): {fingerprint}");
    println!(
        "Restart the kiosk to serve the new certificate: systemctl restart kiosk-core (the appliance's counter API)"
    );
    Ok(())
}

fn staff(command: StaffCommand) -> anyhow::Result<()> {
    use kiosk_core::staff::Accounts;
    let (place, action) = match &command {
        StaffCommand::Add { place, .. } => (place, "add"),
        StaffCommand::SetPin { place, .. } => (place, "set-pin"),
        StaffCommand::Remove { place, .. } => (place, "remove"),
        StaffCommand::List { place } => (place, "list"),
    };
    let path = place.state_dir.join(STAFF_FILE);
    let mut accounts = match std::fs::read_to_string(&path) {
        Ok(text) => Accounts::parse(&text).with_context(|| format!("reading {}", path.display()))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && action == "add" => Accounts::default(),
        Err(error) => return Err(error).with_context(|| format!("reading {} (add staff first)", path.display())),
    };
    match command {
        StaffCommand::List { .. } => {
            if accounts.staff.is_empty() {
                println!("No staff in {}.", path.display());
            }
            for account in &accounts.staff {
                println!("{}\t{}", account.id, account.name);
            }
            return Ok(());
        }
        StaffCommand::Add { id, name, .. } => {
            let pin = read_new_pin()?;
            accounts.add(&id, &name, &pin, salt()?)?;
            println!("Added {id} ({}).", name.trim());
        }
        StaffCommand::SetPin { id, .. } => {
            if accounts.find(&id).is_none() {
                bail!("no staff member has id `{id}` in {}", path.display());
            }
            let pin = read_new_pin()?;
            accounts.set_pin(&id, &pin, salt()?)?;
            println!("New PIN set for {id}. A running kiosk uses it at the next sign-in.");
        }
        StaffCommand::Remove { id, .. } => {
            accounts.remove(&id)?;
            println!("Removed {id}. Sessions already open end when they expire or the kiosk restarts.");
        }
    }
    write_private(&path, accounts.to_toml().as_bytes())
}

fn salt() -> anyhow::Result<[u8; 16]> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness for the PIN's salt: {e}"))?;
    Ok(salt)
}

/// A new PIN: asked twice without echo on a terminal, or one line from standard input (scripts).
fn read_new_pin() -> anyhow::Result<String> {
    use std::io::IsTerminal as _;
    let pin = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New PIN (6 to 12 digits): ")?;
        let again = rpassword::prompt_password("The same PIN again: ")?;
        if first != again {
            bail!("the two PINs differ; nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading the PIN from standard input")?;
        line.trim().to_owned()
    };
    kiosk_core::staff::check_pin(&pin)?;
    Ok(pin)
}

/// Writes a file readable by its owner alone, atomically (the kiosk's own `keyfile::replace`: temporary file,
/// fsync, rename, fsync the directory).
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    kiosk_app::keyfile::replace(path, bytes, 0o600).with_context(|| format!("replacing {}", path.display()))?;
    // Run as root on a kiosk (sudo kiosk-provision staff add), the file still belongs to the kiosk's user, who
    // owns the state directory: the kiosk must read it.
    place::own_like_dir(dir, path)
        .with_context(|| format!("giving {} to the owner of {}", path.display(), dir.display()))
}
