//! `kiosk-provision setup`: writes the kiosk's configuration from the technician's answers (on a terminal) or
//! flags (`--non-interactive`): the ward chosen from Hanoi's 126 by typing without accents, the service point,
//! opening hours, the portal, the devices (what `detect` found, unless named), and the technician's PIN.
//! Starts from the configuration already there (so a technician's other edits stay) or the bundled example
//! without its demo notes; validates the result exactly as the kiosk will before anything is written; writes it
//! atomically and keeps the previous file as `kiosk.toml.bak`.
//! Must not do: leave a half-written or unvalidated configuration, or print the PIN.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use kiosk_core::wards::Wards;
use toml_edit::{value, Array, DocumentMut, Item, Table};

use crate::place::Place;
use crate::steps::{Report, Step, Verdict};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub place: Place,
    /// Take every answer from the flags; anything not given keeps the value in the current configuration.
    #[arg(long)]
    pub non_interactive: bool,
    #[arg(long)]
    pub json: bool,
    /// The id the portal knows this kiosk by (letters, digits, dashes; e.g. HN-HOANKIEM-0003).
    #[arg(long)]
    pub kiosk_id: Option<String>,
    /// The ward or commune, typed with or without accents ("hoan kiem", "xa soc son"); must name one of the 126.
    #[arg(long)]
    pub ward: Option<String>,
    /// The service point's name as residents know it.
    #[arg(long)]
    pub service_point: Option<String>,
    /// The service point's address.
    #[arg(long)]
    pub address: Option<String>,
    /// Opening hours, e.g. "mon-fri 08:00-12:00 13:00-17:00; sat 08:00-12:00" (a day left out is closed).
    #[arg(long)]
    pub hours: Option<String>,
    /// The portal's kiosk API, e.g. https://dichvucong.hanoi.gov.vn/kiosk-api.
    #[arg(long)]
    pub portal_url: Option<String>,
    /// The portal's X25519 public key (base64, 32 bytes), as the portal issued it.
    #[arg(long)]
    pub portal_key: Option<String>,
    /// The key the city signs catalogues with (base64, 32 bytes).
    #[arg(long)]
    pub catalogue_key: Option<String>,
    /// The receipt printer: usb:VID:PID, serial:/dev/..., tcp:HOST:PORT, file:..., simulated or none.
    #[arg(long)]
    pub printer: Option<String>,
    /// The printer's profile: epson-tm-t88, epson-tm-t20, generic-80, generic-58.
    #[arg(long)]
    pub printer_profile: Option<String>,
    /// The scanner: sane:DEVICE, simulated or none.
    #[arg(long)]
    pub scanner: Option<String>,
    /// The pager transmitter: serial:/dev/..., simulated or none.
    #[arg(long)]
    pub pager: Option<String>,
    /// The transmitter's protocol: jtech, lrs or waveware.
    #[arg(long)]
    pub pager_protocol: Option<String>,
    /// The transmitter's serial speed.
    #[arg(long)]
    pub pager_baud: Option<u32>,
    /// Read the technician's PIN (6 to 12 digits) as one line from standard input.
    #[arg(long)]
    pub pin_stdin: bool,
    /// Do not look for devices: keep the configuration's devices where no flag names one.
    #[arg(long)]
    pub no_detect: bool,
}

/// The bundled example, the starting point on a new box.
const EXAMPLE: &str = include_str!("../../assets/kiosk.example.toml");

pub fn run(mut args: Args) -> ExitCode {
    let interactive = !args.non_interactive && std::io::stdin().is_terminal();
    if !args.non_interactive && !interactive {
        eprintln!("kiosk-provision setup: standard input is not a terminal; answer with flags and --non-interactive");
        return ExitCode::from(2);
    }
    let report = setup(&mut args, interactive);
    report.finish(args.json)
}

pub fn setup(args: &mut Args, interactive: bool) -> Report {
    let mut report = Report::new("setup");
    let (start, from_example) = match std::fs::read_to_string(&args.place.config) {
        Ok(text) => (text, false),
        Err(_) => (without_demo_notes(EXAMPLE), true),
    };
    let mut document = match start.parse::<DocumentMut>() {
        Ok(document) => document,
        Err(error) => {
            report.push(Step::fail(
                "config",
                format!("{} is not TOML: {}", args.place.config.display(), error.to_string().trim()),
                "fix the file by hand or move it away; setup then starts from the bundled example",
            ));
            return report;
        }
    };
    report.push(Step::pass(
        "start",
        if from_example {
            "no configuration yet: starting from the bundled example".to_owned()
        } else {
            format!("starting from {} (other settings kept)", args.place.config.display())
        },
    ));

    // Devices no flag names: on a new box, or when asked on a terminal, what `detect` finds.
    let unnamed = args.printer.is_none() || args.scanner.is_none() || args.pager.is_none();
    let found = (!args.no_detect && unnamed && (from_example || interactive)).then(crate::detect::suggested);
    if interactive {
        // On a terminal the devices found are each question's default (Enter takes it).
        ask_all(args, &document, from_example, found.as_ref());
    }
    if let Some(found) = &found {
        offer_detected(args, found, &mut report);
    }

    // The ward: one of the 126, chosen by what was typed.
    let ward = match args.ward.as_deref() {
        Some(typed) => match choose_ward(typed) {
            Ok(full_name) => Some(full_name),
            Err(step) => {
                report.push(step);
                return report;
            }
        },
        None => None,
    };
    if let Some(ward) = &ward {
        report.push(Step::pass("ward", ward.clone()));
    } else if from_example {
        report.push(Step::fail(
            "ward",
            "no ward given",
            "name the ward or commune with --ward (without accents is fine, e.g. --ward \"hoan kiem\")",
        ));
        return report;
    }

    // On a new box the example's values are a demo's: each must be given.
    if from_example {
        let needed = [
            (args.kiosk_id.is_none(), "--kiosk-id", "the id the portal's operators gave this kiosk"),
            (args.service_point.is_none(), "--service-point", "the service point's name as residents know it"),
            (args.address.is_none(), "--address", "the service point's address"),
            (args.portal_url.is_none(), "--portal-url", "the portal's kiosk API address"),
            (args.portal_key.is_none(), "--portal-key", "the public key the portal issued"),
        ];
        let missing: Vec<_> = needed.iter().filter(|(missing, _, _)| *missing).collect();
        for (_, flag, what) in &missing {
            report.push(Step::fail("config", format!("{flag} is needed on a new kiosk"), format!("give {what}")));
        }
        if !missing.is_empty() {
            report.push(Step::fail("written", "nothing was written", "fix the values above and run setup again"));
            return report;
        }
    }

    let mut set = |section: &str, key: &str, text: Option<&str>| {
        if let Some(text) = text {
            document[section][key] = value(text);
        }
    };
    set("kiosk", "id", args.kiosk_id.as_deref());
    set("kiosk", "ward", ward.as_deref());
    set("kiosk", "service_point", args.service_point.as_deref());
    set("kiosk", "address", args.address.as_deref());
    set("portal", "base_url", args.portal_url.as_deref());
    set("portal", "public_key", args.portal_key.as_deref());
    set("portal", "catalogue_key", args.catalogue_key.as_deref());
    set_device(&mut document, "printer", args.printer.as_deref());
    if let Some(profile) = &args.printer_profile {
        document["devices"]["printer"]["profile"] = value(profile.as_str());
    }
    set_device(&mut document, "scanner", args.scanner.as_deref());
    set_device(&mut document, "pager", args.pager.as_deref());
    if let Some(protocol) = &args.pager_protocol {
        document["devices"]["pager"]["protocol"] = value(protocol.as_str());
    }
    if let Some(baud) = args.pager_baud {
        document["devices"]["pager"]["baud"] = value(i64::from(baud));
    }
    if let Some(hours) = &args.hours {
        match parse_hours(hours) {
            Ok(days) => set_hours(&mut document, &days),
            Err(problem) => {
                report.push(Step::fail(
                    "hours",
                    problem,
                    "write days and periods like \"mon-fri 08:00-12:00 13:00-17:00; sat 08:00-12:00\"",
                ));
                return report;
            }
        }
    }

    // Validated exactly as the kiosk reads it, before anything touches the disk.
    let text = document.to_string();
    let config = match kiosk_core::config::parse(&args.place.config, text.as_bytes()) {
        Ok(config) => config,
        Err(error) => {
            for problem in &error.problems {
                report.push(Step::fail(
                    "config",
                    format!("{}: {}", problem.key, problem.message),
                    match flag_for(&problem.key) {
                        Some(flag) => format!("give a correct value with {flag}"),
                        None => format!("edit {} in {}", problem.key, args.place.config.display()),
                    },
                ));
            }
            report.push(Step::fail("written", "nothing was written", "fix the values above and run setup again"));
            return report;
        }
    };
    report.kiosk_id = Some(config.kiosk.id.clone());
    if let Some(step) = simulator_key_outside_loopback(&config) {
        report.push(step);
        report.push(Step::fail("written", "nothing was written", "fix the values above and run setup again"));
        return report;
    }
    report.push(Step::pass(
        "config",
        format!(
            "valid: kiosk {}, {}, printer {}, scanner {}, pagers {}",
            config.kiosk.id,
            config.kiosk.ward,
            config.devices.printer.transport,
            config.devices.scanner.transport,
            config.devices.pager.transport
        ),
    ));

    // The previous file kept, then the new one in place: a power cut leaves one whole file or the other.
    if let Some(dir) = args.place.config.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(error) = std::fs::create_dir_all(dir) {
            report.push(Step::fail("written", format!("cannot make {}: {error}", dir.display()), "run as root"));
            return report;
        }
    }
    if !from_example {
        let backup = backup_path(&args.place.config);
        let kept = std::fs::read(&args.place.config).and_then(|old| kiosk_app::keyfile::replace(&backup, &old, 0o644));
        match kept {
            Ok(()) => report.push(Step::pass("backup", format!("previous file kept as {}", backup.display()))),
            Err(error) => {
                report.push(Step::fail(
                    "backup",
                    format!("cannot keep the previous file as {}: {error}", backup.display()),
                    "nothing was changed; check the directory's permissions",
                ));
                return report;
            }
        };
    }
    match kiosk_app::keyfile::replace(&args.place.config, text.as_bytes(), 0o644) {
        Ok(()) => report.push(Step::pass("written", args.place.config.display().to_string())),
        Err(error) => {
            report.push(Step::fail(
                "written",
                format!("cannot write {}: {error}", args.place.config.display()),
                "run as root; the previous file is unchanged",
            ));
            return report;
        }
    };

    report.push(technician_pin(&args.place, args.pin_stdin, interactive));
    report.result.insert("config".into(), args.place.config.display().to_string().into());
    report
}

/// The example without the lines that say it is a demo (they would be wrong in a real kiosk's file).
fn without_demo_notes(example: &str) -> String {
    example
        .lines()
        .filter(|line| {
            let lower = line.to_lowercase();
            !(line.trim_start().starts_with('#')
                && (lower.contains("demo") || lower.contains("development key") || lower.contains("simulator")))
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

fn backup_path(config: &Path) -> std::path::PathBuf {
    let mut name = config.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    config.with_file_name(name)
}

fn set_device(document: &mut DocumentMut, role: &str, transport: Option<&str>) {
    if let Some(transport) = transport {
        if !document["devices"][role].is_table() {
            document["devices"][role] = Item::Table(Table::new());
        }
        document["devices"][role]["transport"] = value(transport);
    }
}

/// The ward the technician meant, by its full name, or why it could not be chosen (none or several match).
pub fn choose_ward(typed: &str) -> Result<String, Step> {
    let hits = Wards::hanoi().search(typed);
    let folded = kiosk_core::search::fold(typed);
    // A name typed in full picks it even when it also begins another ("Đông Anh" and "Đông Anh Đông"...).
    if let Some(exact) = hits.iter().find(|w| {
        kiosk_core::search::fold(&w.name) == folded.trim() || kiosk_core::search::fold(&w.full_name) == folded.trim()
    }) {
        return Ok(exact.full_name.clone());
    }
    match hits.as_slice() {
        [one] => Ok(one.full_name.clone()),
        [] => Err(Step::fail(
            "ward",
            format!("no ward or commune of Hanoi matches \"{typed}\""),
            "type the name without accents, e.g. \"hoan kiem\", \"cau giay\", \"xa soc son\" (126 since 2025-07-01)",
        )),
        many => {
            let names: Vec<&str> = many.iter().take(8).map(|w| w.full_name.as_str()).collect();
            Err(Step::fail(
                "ward",
                format!("\"{typed}\" matches {} wards: {}", many.len(), names.join(", ")),
                "type more of the name",
            ))
        }
    }
}

/// The flag that sets a configuration key, for the hint under a problem.
fn flag_for(key: &str) -> Option<&'static str> {
    Some(match key {
        k if k.starts_with("kiosk.id") => "--kiosk-id",
        k if k.starts_with("kiosk.ward") => "--ward",
        k if k.starts_with("kiosk.service_point") => "--service-point",
        k if k.starts_with("kiosk.address") => "--address",
        k if k.starts_with("portal.base_url") => "--portal-url",
        k if k.starts_with("portal.public_key") => "--portal-key",
        k if k.starts_with("portal.catalogue_key") => "--catalogue-key",
        k if k.starts_with("devices.printer.profile") => "--printer-profile",
        k if k.starts_with("devices.printer") => "--printer",
        k if k.starts_with("devices.scanner") => "--scanner",
        k if k.starts_with("devices.pager.protocol") => "--pager-protocol",
        k if k.starts_with("devices.pager.baud") => "--pager-baud",
        k if k.starts_with("devices.pager") => "--pager",
        k if k.starts_with("hours") => "--hours",
        _ => return None,
    })
}

/// The bundled simulator's development key on a kiosk that talks to a real portal would seal residents' forms
/// to a key whose secret half is in this repository.
fn simulator_key_outside_loopback(config: &kiosk_core::config::Config) -> Option<Step> {
    use base64::Engine as _;
    let dev = base64::engine::general_purpose::STANDARD.decode("Y5BunGrvED2OPbNXws1CdRLMV5vL35D59m/8wIsHc1s=").ok()?;
    let loopback = config.portal.base_url.starts_with("http://127.")
        || config.portal.base_url.starts_with("http://localhost")
        || config.portal.base_url.starts_with("http://[::1]");
    (config.portal.public_key.as_slice() == dev.as_slice() && !loopback).then(|| {
        Step::fail(
            "portal key",
            "portal.public_key is the portal simulator's development key, but the portal is not the simulator",
            "give the key the city's portal issued with --portal-key",
        )
    })
}

const DAYS: [(&str, &str); 7] = [
    ("mon", "monday"),
    ("tue", "tuesday"),
    ("wed", "wednesday"),
    ("thu", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
];

/// "mon-fri 08:00-12:00 13:00-17:00; sat 08:00-12:00" → each open day's periods (checked again, with the
/// kiosk's own rules, when the whole file is validated).
pub fn parse_hours(text: &str) -> Result<Vec<(&'static str, Vec<String>)>, String> {
    let day_index = |name: &str| {
        let name = name.trim().to_ascii_lowercase();
        DAYS.iter().position(|(short, long)| name == *short || name == *long)
    };
    let mut days: Vec<(&'static str, Vec<String>)> = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let which = words.next().unwrap_or_default();
        let (first, last) = match which.split_once('-') {
            Some((a, b)) => (day_index(a), day_index(b)),
            None => (day_index(which), day_index(which)),
        };
        let (Some(first), Some(last)) = (first, last) else {
            return Err(format!("\"{which}\" is not a day or a range of days (mon, tue, ..., sun; mon-fri)"));
        };
        if last < first {
            return Err(format!("\"{which}\": the range must run forward (mon-fri, not fri-mon)"));
        }
        let periods: Vec<String> = words.map(str::to_owned).collect();
        if periods.is_empty() {
            return Err(format!("\"{part}\": no opening periods (HH:MM-HH:MM)"));
        }
        for (_, long) in &DAYS[first..=last] {
            if days.iter().any(|(day, _)| day == long) {
                return Err(format!("{long} is given twice"));
            }
            days.push((long, periods.clone()));
        }
    }
    if days.is_empty() {
        return Err("no days given".to_owned());
    }
    Ok(days)
}

fn set_hours(document: &mut DocumentMut, days: &[(&'static str, Vec<String>)]) {
    if !document["hours"].is_table() {
        let mut table = Table::new();
        table["last_ticket_minutes"] = value(30);
        table["closed"] = value(Array::new());
        document["hours"] = Item::Table(table);
    }
    let Some(hours) = document["hours"].as_table_mut() else { return };
    for (_, long) in DAYS {
        hours.remove(long);
    }
    for (day, periods) in days {
        let array: Array = periods.iter().map(String::as_str).collect();
        hours.insert(day, value(array));
    }
    hours.sort_values_by(|a, _, b, _| {
        let rank = |key: &str| DAYS.iter().position(|(_, long)| *long == key).unwrap_or(DAYS.len());
        rank(a.get()).cmp(&rank(b.get()))
    });
}

/// `kiosk-provision technician-pin`: sets or changes the technician's PIN alone (a forgotten PIN, a new
/// technician), without touching the configuration. A lockout in force is lifted with it.
pub fn change_technician_pin(place: &Place, pin_stdin: bool, json: bool) -> ExitCode {
    let mut report = Report::new("technician-pin");
    let interactive = std::io::stdin().is_terminal();
    if !pin_stdin && !interactive {
        report.push(Step::fail("technician PIN", "no terminal to ask on", "send the PIN as one line with --pin-stdin"));
        return report.finish(json);
    }
    let step = technician_pin(place, pin_stdin, interactive);
    if step.verdict == Verdict::Pass {
        let _ = std::fs::remove_file(place.state_dir.join(kiosk_app::technician::LOCKOUT_FILE));
    }
    report.push(step);
    report.finish(json)
}

/// Sets the technician's PIN: asked twice on a terminal, or one line from standard input with `--pin-stdin`.
fn technician_pin(place: &Place, pin_stdin: bool, interactive: bool) -> Step {
    let state = &place.state_dir;
    let pin = if pin_stdin {
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            return Step::fail("technician PIN", "could not read the PIN from standard input", "send one line");
        }
        Some(zeroize::Zeroizing::new(line.trim().to_owned()))
    } else if interactive {
        let first = rpassword::prompt_password("Technician PIN (6 to 12 digits; Enter keeps the current one): ")
            .unwrap_or_default();
        if first.is_empty() {
            None
        } else {
            let again = rpassword::prompt_password("The same PIN again: ").unwrap_or_default();
            if again != first {
                return Step::fail("technician PIN", "the two PINs differ; the PIN was not changed", "run setup again");
            }
            Some(zeroize::Zeroizing::new(first))
        }
    } else {
        None
    };
    match pin {
        Some(pin) => {
            if let Err(error) = crate::place::make_state_dir(state) {
                return Step::fail(
                    "technician PIN",
                    format!("cannot make {}: {error}", state.display()),
                    "run as root",
                );
            }
            match kiosk_app::technician::set_pin(state, &pin) {
                Ok(()) => {
                    let _ = crate::place::own_like_state_dir(place, &state.join(kiosk_app::technician::PIN_FILE));
                    Step::pass("technician PIN", "set (kept as an Argon2id hash)")
                }
                Err(error) => Step::fail("technician PIN", format!("{error:#}"), "choose 6 to 12 digits"),
            }
        }
        None if kiosk_app::technician::is_set(state) => Step::pass("technician PIN", "kept the PIN already set"),
        None => Step::new("technician PIN", Verdict::Warn, "no technician PIN: the technician screen cannot be opened")
            .hint("run setup again with --pin-stdin (or on a terminal) to set one"),
    }
}

/// On a terminal: asks for each value not given as a flag, showing the current one (Enter keeps it).
/// Fills the device flags not given from `detect`, and says what it took and what it did not find.
fn offer_detected(args: &mut Args, found: &crate::detect::findings::Suggested, report: &mut Report) {
    if let Some((transport, profile)) = &found.printer {
        if args.printer.is_none() || args.printer.as_ref() == Some(transport) {
            args.printer = Some(transport.clone());
            args.printer_profile.get_or_insert_with(|| profile.clone());
        }
    }
    if args.scanner.is_none() {
        args.scanner.clone_from(&found.scanner);
    }
    if args.pager.is_none() {
        args.pager.clone_from(&found.pager);
    }
    let missing: Vec<&str> = [("receipt printer", &args.printer), ("scanner", &args.scanner), ("pager", &args.pager)]
        .into_iter()
        .filter(|(_, given)| given.is_none())
        .map(|(role, _)| role)
        .collect();
    if !found.said.is_empty() {
        report.push(Step::pass("detected", found.said.join("; ")));
    }
    if !missing.is_empty() {
        report.push(Step::warn(
            "detected",
            format!("no {} found: the configuration's own kept", missing.join(", no ")),
            "connect it and run `kiosk-provision detect`, or name it with --printer, --scanner or --pager",
        ));
    }
}

fn ask_all(
    args: &mut Args,
    document: &DocumentMut,
    from_example: bool,
    found: Option<&crate::detect::findings::Suggested>,
) {
    // On a new box the example's values are a demo's (its id, address, the simulator's key): never offered.
    let current =
        |section: &str, key: &str| document[section][key].as_str().filter(|_| !from_example).map(str::to_owned);
    let device = |role: &str| document["devices"][role]["transport"].as_str().map(str::to_owned);
    ask(&mut args.kiosk_id, "Kiosk id (from the portal's operators)", current("kiosk", "id"));
    while args.ward.is_none() {
        let mut typed = None;
        ask(&mut typed, "Ward or commune (type without accents, e.g. hoan kiem)", current("kiosk", "ward"));
        let Some(typed) = typed else { break };
        match choose_ward(&typed) {
            Ok(_) => args.ward = Some(typed),
            Err(step) => {
                eprintln!("  {} {}", step.detail, step.hint.unwrap_or_default());
            }
        }
    }
    ask(&mut args.service_point, "Service point's name", current("kiosk", "service_point"));
    ask(&mut args.address, "Service point's address", current("kiosk", "address"));
    ask(&mut args.hours, "Opening hours (e.g. mon-fri 08:00-12:00 13:00-17:00; sat 08:00-12:00)", None);
    ask(&mut args.portal_url, "Portal address", current("portal", "base_url"));
    ask(&mut args.portal_key, "Portal's public key (base64)", current("portal", "public_key"));
    let found = found.cloned().unwrap_or_default();
    let printer = found.printer.as_ref().map(|(transport, _)| transport.clone());
    for (answer, question, detected, role) in [
        (&mut args.printer, "Receipt printer (see `kiosk-provision detect`)", printer, "printer"),
        (&mut args.scanner, "Scanner", found.scanner.clone(), "scanner"),
        (&mut args.pager, "Pager transmitter", found.pager.clone(), "pager"),
    ] {
        let given = answer.is_some();
        ask(answer, question, detected.clone().or_else(|| device(role)));
        if !given && answer.is_none() {
            *answer = detected;
        }
    }
}

fn ask(answer: &mut Option<String>, question: &str, current: Option<String>) {
    if answer.is_some() {
        return;
    }
    let shown = current.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
    eprint!("{question}{shown}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_ok() {
        let line = line.trim();
        if !line.is_empty() {
            *answer = Some(line.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_as_days_and_periods() {
        let days = parse_hours("mon-fri 08:00-12:00 13:00-17:00; sat 08:00-12:00").expect("parsed");
        assert_eq!(days.len(), 6);
        assert_eq!(days[0], ("monday", vec!["08:00-12:00".to_owned(), "13:00-17:00".to_owned()]));
        assert_eq!(days[5], ("saturday", vec!["08:00-12:00".to_owned()]));
        assert!(parse_hours("fri-mon 08:00-12:00").expect_err("refused").contains("forward"));
        assert!(parse_hours("mon 08:00-12:00; mon 13:00-17:00").expect_err("refused").contains("twice"));
        assert!(parse_hours("someday 08:00-12:00").expect_err("refused").contains("not a day"));
        assert!(parse_hours("sat").expect_err("refused").contains("no opening periods"));
    }

    #[test]
    fn a_ward_is_chosen_by_typing_without_accents() {
        assert_eq!(choose_ward("hoan kiem").expect("one"), "Phường Hoàn Kiếm");
        assert_eq!(choose_ward("Phường Cầu Giấy").expect("one"), "Phường Cầu Giấy");
        let none = choose_ward("atlantis").expect_err("none");
        assert!(none.detail.contains("no ward"), "{}", none.detail);
        let many = choose_ward("dong").expect_err("several");
        assert!(many.detail.contains("matches") && many.hint.as_deref() == Some("type more of the name"));
    }

    #[test]
    fn the_example_loses_its_demo_notes_and_still_validates() {
        let text = without_demo_notes(EXAMPLE);
        assert!(text.lines().filter(|l| l.starts_with('#')).all(|l| !l.to_lowercase().contains("demo")), "{text}");
        assert!(kiosk_core::config::parse(Path::new("x.toml"), text.as_bytes()).is_ok());
    }
}
