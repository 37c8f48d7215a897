//! `kiosk-provision self-test`: proves a kiosk works before the technician leaves. Each check has a verdict, what
//! was found and a hint: the printer (status, then a test slip with the Vietnamese alphabet in the configured
//! strategy, a QR code and the kiosk's id, then status again), the scanner (one page: size and time), the pager
//! transmitter (a page to one pager; its acknowledgement where the protocol has one), the portal (reachable,
//! this kiosk enrolled, clock skew), disk space, the state directory's permissions, and the screen (a display
//! connected, and the home screen drawn by the kiosk's own UI code). Writes the report as JSON (`self-test.json`
//! in the state directory) and prints a summary slip to staple to the install sheet.
//!
//! The devices are opened as the kiosk opens them, so stop the kiosk first (`systemctl stop kiosk`): a USB or
//! serial device has one owner at a time.
//! Must not do: enrol, create keys or change the configuration.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kiosk_app::devices::{self, Devices, Health, PageOutcome};
use kiosk_app::portal::{HttpPortal, Portal as _};
use kiosk_core::config::{Config, PagerProtocol, Transport};
use kiosk_drivers::printer::document::{Align, Document, Style};

use crate::place::Place;
use crate::steps::{Report, Step, Verdict};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub place: Place,
    #[arg(long)]
    pub json: bool,
    /// Which pager to page (default: the first of [queue] pager_range).
    #[arg(long)]
    pub pager: Option<u16>,
    /// Where to write the JSON report (default: self-test.json in the state directory).
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
    /// Do not print the summary slip.
    #[arg(long)]
    pub no_summary_slip: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let report = self_test(args);
    let path = args.report.clone().unwrap_or_else(|| args.place.state_dir.join("self-test.json"));
    let mut report = report;
    match serde_json::to_vec_pretty(&report)
        .map_err(std::io::Error::other)
        .and_then(|bytes| kiosk_app::keyfile::replace(&path, &bytes, 0o640))
    {
        Ok(()) => {
            report.result.insert("report".into(), path.display().to_string().into());
        }
        Err(error) => {
            report.push(Step::warn(
                "report",
                format!("could not write {}: {error}", path.display()),
                "give --report PATH somewhere writable",
            ));
        }
    }
    report.finish(args.json)
}

pub fn self_test(args: &Args) -> Report {
    let mut report = Report::new("self-test");
    let config = match args.place.load() {
        Ok(config) => config,
        Err(step) => {
            report.push(step);
            return report;
        }
    };
    report.kiosk_id = Some(config.kiosk.id.clone());
    report.push(Step::pass("config", format!("{} valid", args.place.config.display())));

    let mut devices = Devices::open(&config.devices);
    let printer_ok = report.push(Step::timed(|| printer(&config, &mut devices))) != Verdict::Fail;
    report.push(Step::timed(|| scanner(&config, &mut devices)));
    report.push(Step::timed(|| pager(&config, &devices, args.pager)));
    let (portal, clock) = portal(&config, &args.place.state_dir);
    report.push(portal);
    report.push(clock);
    report.push(Step::timed(|| disk(&args.place.state_dir)));
    report.push(state_dir(&args.place.state_dir));
    report.push(Step::timed(|| screen(&config)));

    if printer_ok && !args.no_summary_slip && config.devices.printer.transport != Transport::Absent {
        let slip = summary_slip(&config, &report);
        let printed = devices::print_document(&mut devices, &slip);
        report.push(match printed.outcome {
            Ok(_) => Step::pass("summary slip", "printed: staple it to the install sheet"),
            Err(kind) => Step::warn(
                "summary slip",
                format!("could not print it ({kind:?})"),
                "the JSON report has the same results",
            ),
        });
    }
    report
}

/// What to do about a printer (or scanner) in each condition.
fn device_hint(health: Health, what: &str) -> &'static str {
    match (health, what) {
        (Health::PaperOut, _) => {
            "load a new roll of thermal paper (the printed side towards the cutter), close the cover, run self-test again"
        }
        (Health::PaperLow, _) => "put a new roll in soon, and leave a spare roll at the service point",
        (Health::CoverOpen, _) => "close the cover until it clicks",
        (Health::Offline, _) => "check the paper and the cover, then turn the printer off and on",
        (Health::Disconnected, _) => {
            "check the cable and the power; `kiosk-provision detect` lists what is connected and the transport to \
             write in the config"
        }
        (Health::NotResponding, "printer") => {
            "the printer does not answer: check the cable, the serial speed (baud) and flow control in the config"
        }
        (Health::NotResponding, _) => "the device does not answer: check the cable and turn it off and on",
        (Health::Jammed, _) => "open it, take out the jammed paper, close it",
        (Health::Busy, _) => "another program holds the device: stop the kiosk first (systemctl stop kiosk)",
        (Health::Fault, _) => "turn the device off and on; if the fault stays, note the cause above and call for service",
        (Health::Unsupported, _) => "this version has no driver for that transport: use usb:, serial:, tcp: or file:",
        (Health::Checking | Health::Ready | Health::Absent, _) => "",
    }
}

fn simulated_warning(check: &str, detail: String) -> Step {
    Step::warn(
        check,
        format!("{detail} (SIMULATED: residents get nothing from it)"),
        "name the real device in the config (`kiosk-provision detect`, then `setup`)",
    )
}

fn printer(config: &Config, devices: &mut Devices) -> Step {
    if config.devices.printer.transport == Transport::Absent {
        return Step::skip("printer", "this kiosk has no printer (devices.printer.transport = \"none\")");
    }
    let (before, _, _) = devices.check();
    if !matches!(before.health, Health::Ready | Health::PaperLow) {
        let cause = before.cause.map(|c| format!(": {c}")).unwrap_or_default();
        return Step::fail(
            "printer",
            format!("{}{cause}", before.health.code()),
            device_hint(before.health, "printer"),
        )
        .figure("status", before.health.code());
    }
    let profile = devices.printer_profile().clone();
    let slip = test_slip(config, &profile.name, &format!("{:?}", profile.strategy).to_lowercase());
    let printed = devices::print_document(devices, &slip);
    if let Err(kind) = printed.outcome {
        let cause = printed.fault.map(|f| format!(": {}", f.cause)).unwrap_or_default();
        let health = devices::printer::error_health(kind);
        return Step::fail(
            "printer",
            format!("the test slip did not print ({}){cause}", health.code()),
            device_hint(health, "printer"),
        )
        .figure("status", health.code());
    }
    let (after, _, _) = devices.check();
    let detail = format!(
        "{}; test slip printed ({} profile, {:?} strategy, cutter {:?}); status after: {}",
        config.devices.printer.transport,
        profile.name,
        profile.strategy,
        profile.cutter,
        after.health.code()
    );
    let step = match after.health {
        Health::Ready if before.simulated => simulated_warning("printer", detail),
        Health::Ready => {
            Step::pass("printer", detail).hint("check the slip: every Vietnamese letter clear, the QR scans")
        }
        Health::PaperLow => Step::warn("printer", detail, device_hint(Health::PaperLow, "printer")),
        other => Step::fail("printer", detail, device_hint(other, "printer")),
    };
    step.figure("status", after.health.code())
}

/// The test slip: the whole Vietnamese alphabet with every tone in the configured strategy, bold and large
/// text, a QR code with the kiosk's id, and the kiosk's id and place in words.
fn test_slip(config: &Config, profile: &str, strategy: &str) -> Document {
    const TITLE: Style = Style { scale: 1, bold: true, align: Align::Center };
    const CENTER: Style = Style { scale: 1, bold: false, align: Align::Center };
    let lower = "a à ả ã á ạ ă ằ ẳ ẵ ắ ặ â ầ ẩ ẫ ấ ậ b c d đ e è ẻ ẽ é ẹ ê ề ể ễ ế ệ g h i ì ỉ ĩ í ị k l m n \
                 o ò ỏ õ ó ọ ô ồ ổ ỗ ố ộ ơ ờ ở ỡ ớ ợ p q r s t u ù ủ ũ ú ụ ư ừ ử ữ ứ ự v x y ỳ ỷ ỹ ý ỵ";
    let upper: String = lower.chars().flat_map(char::to_uppercase).collect();
    Document::new()
        .text("KIỂM TRA KI-ỐT · KIOSK SELF-TEST", TITLE)
        .text(config.kiosk.id.clone(), CENTER)
        .text(config.kiosk.ward.clone(), CENTER)
        .rule()
        .line(format!("Máy in / printer: {profile}, {strategy}"))
        .line(lower)
        .line(upper)
        .line("Đăng ký khai sinh, chứng thực chữ ký, ủy quyền nhận lương hưu.")
        .text("Chữ đậm · Bold", Style { scale: 1, bold: true, align: Align::Left })
        .text("Cỡ 2 · Size 2", Style { scale: 2, bold: false, align: Align::Left })
        .qr(format!("KIOSK-SELF-TEST {}", config.kiosk.id), 6)
        .text(chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(), CENTER)
        .cut()
}

/// The slip the technician staples to the install sheet: each check's verdict, the kiosk's id, the time.
fn summary_slip(config: &Config, report: &Report) -> Document {
    const TITLE: Style = Style { scale: 1, bold: true, align: Align::Center };
    const CENTER: Style = Style { scale: 1, bold: false, align: Align::Center };
    let mut slip = Document::new()
        .text("KẾT QUẢ KIỂM TRA · SELF-TEST RESULT", TITLE)
        .text(config.kiosk.id.clone(), CENTER)
        .text(chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(), CENTER)
        .rule();
    for step in &report.steps {
        let mark = match step.verdict {
            Verdict::Pass => "OK ",
            Verdict::Warn => "!! ",
            Verdict::Fail => "XX ",
            Verdict::Skip => "-- ",
        };
        slip = slip.line(format!("{mark}{}", step.check));
    }
    let outcome = match report.outcome {
        Verdict::Fail => "CHƯA ĐẠT · FAILED",
        Verdict::Warn => "ĐẠT, CẦN XEM LẠI · PASSED, SEE NOTES",
        _ => "ĐẠT · PASSED",
    };
    slip.rule()
        .text(outcome, TITLE)
        .line(format!("kiosk-provision {}", env!("CARGO_PKG_VERSION")))
        .line("Kỹ thuật viên / technician:")
        .feed(3)
        .cut()
}

fn scanner(config: &Config, devices: &mut Devices) -> Step {
    if config.devices.scanner.transport == Transport::Absent {
        return Step::skip("scanner", "this kiosk has no scanner");
    }
    let started = Instant::now();
    match devices::scanner::scan_paper(devices, false) {
        Ok(pages) => {
            let Some(page) = pages.first() else {
                return Step::fail("scanner", "the scanner gave no page", "place a paper on the glass and try again");
            };
            let seconds = started.elapsed().as_secs_f64();
            let detail = format!(
                "{}: one page {}×{} px at {} dpi, {} KiB JPEG, in {seconds:.1} s",
                config.devices.scanner.transport,
                page.width,
                page.height,
                page.dpi,
                page.jpeg.len() / 1024
            );
            let step = if config.devices.scanner.transport == Transport::Simulated {
                simulated_warning("scanner", detail)
            } else {
                Step::pass("scanner", detail)
            };
            step.figure("width", page.width).figure("height", page.height).figure("seconds", seconds)
        }
        Err(kind) => {
            let health = devices::scanner::error_health(kind);
            Step::fail("scanner", format!("the test scan failed ({})", health.code()), device_hint(health, "scanner"))
                .figure("status", health.code())
        }
    }
}

fn pager(config: &Config, devices: &Devices, chosen: Option<u16>) -> Step {
    if config.devices.pager.transport == Transport::Absent {
        return Step::skip("pager", "this kiosk has no pager transmitter");
    }
    let Some(pager) = chosen.or_else(|| config.queue.pagers.first().copied()) else {
        return Step::skip("pager", "no pagers in [queue] pager_range; give --pager N to page one");
    };
    let line = devices.pager_line();
    match line.page(pager, devices::PAGE_WAIT) {
        PageOutcome::Paged { simulated } => {
            let detail = match config.devices.pager.pager {
                Some(PagerProtocol::Jtech { .. }) => {
                    format!("pager {pager}: sent (JTECH transmitters send no acknowledgement): check that it vibrates")
                }
                _ => format!("pager {pager}: the transmitter acknowledged the page; check that it vibrates"),
            };
            if simulated {
                simulated_warning("pager", detail)
            } else {
                Step::pass("pager", detail)
            }
        }
        PageOutcome::Failed(kind) => Step::fail(
            "pager",
            format!("pager {pager}: {kind:?}"),
            "check the transmitter's cable and power, the serial speed and the protocol in the config (JTECH \
             SmartAlert 1200 baud, J1901 19200, WaveWare 9600); the kiosk user must be in the dialout group",
        ),
        PageOutcome::Pending => Step::fail(
            "pager",
            format!("pager {pager}: no answer within {} s", devices::PAGE_WAIT.as_secs()),
            "the transmitter is slow or not answering: check its cable and the serial speed",
        ),
        PageOutcome::NoTransmitter => Step::fail(
            "pager",
            "the configured transmitter could not be opened",
            "check the transport in the config against `kiosk-provision detect`",
        ),
    }
}

/// Reachable and enrolled (a signed heartbeat is accepted), and the clock's distance from the portal's.
fn portal(config: &Config, state_dir: &Path) -> (Step, Step) {
    let started = Instant::now();
    let timed = |step: Step| Step { millis: started.elapsed().as_millis() as u64, ..step };
    let key_path = state_dir.join("device.key");
    if !key_path.exists() {
        return (
            Step::fail(
                "portal",
                "this kiosk has no device key: not enrolled",
                "run `kiosk-provision enrol --code CODE`",
            ),
            Step::skip("clock", "not checked (no answer from the portal)"),
        );
    }
    let key = match kiosk_app::portal::device_key(state_dir) {
        Ok(key) => key,
        Err(error) => {
            return (
                Step::fail("portal", format!("{error:#}"), "the device key must be private to the kiosk"),
                Step::skip("clock", "not checked"),
            )
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            return (Step::fail("portal", error.to_string(), "try again"), Step::skip("clock", "not checked"))
        }
    };
    let client = match HttpPortal::new(&config.portal.base_url, &config.kiosk.id, key, kiosk_app::clock::unix_now) {
        Ok(client) => client,
        Err(error) => {
            return (
                Step::fail("portal", format!("{error:#}"), "check portal.base_url"),
                Step::skip("clock", "not checked"),
            )
        }
    };
    let heartbeat = kiosk_core::portal::Heartbeat {
        software: format!("kiosk-provision {} self-test", env!("CARGO_PKG_VERSION")),
        printer: "self_test".into(),
        scanner: "self_test".into(),
        pager: "self_test".into(),
        outbox_waiting: 0,
        outbox_quarantined: 0,
        outbox_oldest_seconds: None,
    };
    let reply = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), client.heartbeat(&heartbeat)).await.unwrap_or_default()
    });
    let url = &config.portal.base_url;
    let portal = match reply.status {
        Some(status) if (200..300).contains(&status) => {
            Step::pass("portal", format!("{url}: reachable; this kiosk is enrolled (a signed request was accepted)"))
        }
        Some(401) => Step::fail(
            "portal",
            format!("{url}: reachable, but refused this kiosk's signature ({})", reply.error_code().unwrap_or("401")),
            "if this kiosk is not enrolled: `kiosk-provision enrol --code CODE`; otherwise check the clock below",
        ),
        Some(status) => Step::fail(
            "portal",
            format!("{url}: answered HTTP {status}"),
            "a proxy or captive portal may be in the way; try again, then call the portal's operators",
        ),
        None => Step::fail(
            "portal",
            format!("{url}: no answer ({})", reply.error.as_deref().unwrap_or("timed out")),
            "check the network cable or Wi-Fi, the service point's firewall, and portal.base_url",
        ),
    };
    let portal_time = reply.date.as_deref().and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok());
    let clock = match portal_time {
        None => Step::skip("clock", "not checked (the portal's answer carried no time)"),
        Some(theirs) => {
            let skew = chrono::Utc::now().timestamp() - theirs.timestamp();
            let detail = format!("{} s {} the portal", skew.abs(), if skew >= 0 { "ahead of" } else { "behind" });
            let hint = "set the time: timedatectl set-ntp true (and check the network reaches an NTP server)";
            let step = if skew.abs() > kiosk_core::portal::CLOCK_SKEW {
                Step::fail("clock", format!("{detail}: the portal refuses requests this far off"), hint)
            } else if skew.abs() > 30 {
                Step::warn("clock", detail, hint)
            } else {
                Step::pass("clock", detail)
            };
            step.figure("skew_seconds", skew)
        }
    };
    (timed(portal), clock)
}

fn disk(state_dir: &Path) -> Step {
    const WARN_BELOW: u64 = 2 << 30;
    const FAIL_BELOW: u64 = 256 << 20;
    match fs4::available_space(state_dir) {
        Ok(free) => {
            let detail = format!("{:.1} GiB free for {}", free as f64 / f64::from(1u32 << 30), state_dir.display());
            let hint = "free space: old logs (journalctl --vacuum-time=14d), or a larger disk";
            let step = if free < FAIL_BELOW {
                Step::fail("disk", detail, hint)
            } else if free < WARN_BELOW {
                Step::warn("disk", detail, hint)
            } else {
                Step::pass("disk", detail)
            };
            step.figure("free_bytes", free)
        }
        Err(error) => Step::fail(
            "disk",
            format!("cannot read free space of {}: {error}", state_dir.display()),
            "the state directory must exist (the package makes it)",
        ),
    }
}

/// The state directory: private to the kiosk's user (mode 700), owned by it, and its keys private.
fn state_dir(state_dir: &Path) -> Step {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let metadata = match std::fs::metadata(state_dir) {
        Ok(metadata) if metadata.is_dir() => metadata,
        Ok(_) => return Step::fail("state dir", format!("{} is not a directory", state_dir.display()), "move it away"),
        Err(error) => {
            return Step::fail(
                "state dir",
                format!("{}: {error}", state_dir.display()),
                "reinstall the package (it makes /var/lib/kiosk), or run setup",
            )
        }
    };
    let mode = metadata.permissions().mode() & 0o777;
    let path = state_dir.display();
    if mode & 0o077 != 0 {
        return Step::fail(
            "state dir",
            format!("{path} has mode {mode:o}: other users can look in"),
            format!("chmod 700 {path}"),
        );
    }
    if let Some(kiosk) = user_id("kiosk") {
        if metadata.uid() != kiosk {
            return Step::fail(
                "state dir",
                format!("{path} is owned by uid {}, not the kiosk user ({kiosk})", metadata.uid()),
                format!("chown -R kiosk:kiosk {path}"),
            );
        }
    }
    for key in ["device.key", "counter.key", kiosk_app::technician::PIN_FILE] {
        let file = state_dir.join(key);
        if let Err(error) = kiosk_app::keyfile::check_private(&file, key) {
            return Step::fail("state dir", format!("{error:#}"), format!("chmod 600 {}", file.display()));
        }
    }
    Step::pass("state dir", format!("{path}: mode {mode:o}, owner uid {}, keys private", metadata.uid()))
}

/// The uid of a system user, from /etc/passwd (no NSS lookup: the kiosk's user is local).
fn user_id(name: &str) -> Option<u32> {
    std::fs::read_to_string("/etc/passwd").ok()?.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next() == Some(name)).then(|| fields.nth(1)?.parse().ok()).flatten()
    })
}

/// A display connected (DRM, as the kiosk's KMS backend drives it) and the home screen drawn by the kiosk's own
/// UI code with the shipped fonts.
fn screen(config: &Config) -> Step {
    let connected = drm_connectors();
    let size = connected.first().and_then(|c| c.mode).unwrap_or((1080, 1920));
    let frame = match kiosk_app::ui::headless::home_frame(config, size) {
        Ok(pixels) => pixels,
        Err(error) => {
            return Step::fail(
                "screen",
                format!("the home screen could not be drawn: {error:#}"),
                "reinstall the package",
            )
        }
    };
    // A drawn screen has ink: text and tiles darker than the page.
    let inked = frame.chunks(3).filter(|p| p.iter().map(|&c| u32::from(c)).sum::<u32>() < 300).count();
    let share = inked as f64 / (frame.len() / 3).max(1) as f64;
    if share < 0.005 {
        return Step::fail("screen", "the home screen drew blank", "reinstall the package (fonts or UI missing)");
    }
    let drawn = format!("home screen drawn at {}×{} ({:.1} % ink)", size.0, size.1, share * 100.0);
    match connected.as_slice() {
        [] => Step::warn(
            "screen",
            format!("{drawn}; no display connected (DRM)"),
            "check the screen's cable and power; without a DRM driver (e.g. in a container) this cannot be seen",
        ),
        connectors => {
            let names: Vec<String> = connectors
                .iter()
                .map(|c| match c.mode {
                    Some((w, h)) => format!("{} {w}×{h}", c.name),
                    None => c.name.clone(),
                })
                .collect();
            Step::pass("screen", format!("{drawn}; connected: {}", names.join(", ")))
        }
    }
}

#[derive(Debug)]
struct Connector {
    name: String,
    mode: Option<(u32, u32)>,
}

/// Connected DRM connectors with their preferred mode, from sysfs (what the KMS backend will find).
fn drm_connectors() -> Vec<Connector> {
    let root = std::env::var_os("KIOSK_SYSFS_ROOT").map(std::path::PathBuf::from).unwrap_or_else(|| "/sys".into());
    let Ok(entries) = std::fs::read_dir(root.join("class/drm")) else { return Vec::new() };
    let mut found: Vec<Connector> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains('-'))
        .filter(|e| std::fs::read_to_string(e.path().join("status")).is_ok_and(|s| s.trim() == "connected"))
        .map(|e| {
            let mode = std::fs::read_to_string(e.path().join("modes")).ok().and_then(|modes| {
                let (w, h) = modes.lines().next()?.split_once('x')?;
                Some((w.parse().ok()?, h.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?))
            });
            Connector { name: e.file_name().to_string_lossy().into_owned(), mode }
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}
