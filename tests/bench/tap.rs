//! Benchmark: time from a tap to the next screen's frame, and the kiosk's peak memory after going through every
//! flow (look up, take a number with its printed ticket, check a dossier, ask for a home visit typed on the
//! on-screen keyboard, saved and its confirmation printed, and a dossier with three scanned pages, saved and its
//! receipt printed). The real kiosk (as it ships, the `appliance` build from tests/bench.sh, else release; software renderer)
//! runs in a window on Xvfb; taps are real X pointer events from `xdotool`; the frame counts as shown when the
//! part of the screen the tap changes differs from before, read back over the X protocol every 2 ms (so the
//! figure includes up to ~2 ms of polling).
//!
//! Where to tap is found, not hard-coded: the same UI is first built in this process under Slint's testing
//! backend at the same size, taken through the same flow by accessible label, and each element's centre (and
//! the band of the screen to watch) recorded. Keystrokes watch the answer box, so "key" rows are the time from
//! a key press to the composed text on screen. Portrait 1080x1920. Prints a table; asserts nothing.
//! `--positions` prints only where each step taps (JSON lines) and exits.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use i_slint_backend_testing::ElementHandle;
use kiosk_app::ui::{self, AppWindow};
use slint::platform::PointerEventButton;
use slint::ComponentHandle;
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};

const DISPLAY: &str = ":96";
const RUNS: usize = 5;
const SIZE: (u32, u32) = (1080, 1920);

/// One tap of the flow: what it is called in the table, the accessible label to tap, and the label of the
/// element whose area changes (None: the top of the page, under the header).
struct Step {
    name: &'static str,
    tap: &'static str,
    watch: Option<&'static str>,
    /// Time the kiosk needs after the frame before the next tap (a scan finishing on the device thread).
    settle_ms: u64,
}

const fn step(name: &'static str, tap: &'static str) -> Step {
    Step { name, tap, watch: None, settle_ms: 150 }
}

const fn key(name: &'static str, tap: &'static str, watch: &'static str) -> Step {
    Step { name, tap, watch: Some(watch), settle_ms: 150 }
}

/// A scan: the frame timed is "scanning…"; the pages then come from the device thread.
const fn scan(tap: &'static str) -> Step {
    Step { name: "scan -> 'scanning' shown", tap, watch: None, settle_ms: 2_000 }
}

const NAME_BOX: &str = "Họ tên của Ông/Bà là gì?";
const PHONE_BOX: &str = "Tổ xung kích gọi số điện thoại nào?";
const WARD_BOX: &str = "Phường, xã";

const FLOW: &[Step] = &[
    step("home -> look up a procedure", "Tra cứu thủ tục"),
    key("key 'k' -> results", "k", "Tìm thủ tục"),
    key("key 'h' -> results", "h", "Tìm thủ tục"),
    step("back to the start", "Về trang đầu"),
    step("home -> take a number", "Lấy số thứ tự"),
    step("service -> priority", "Hộ tịch"),
    step("priority -> ticket issued", "Không thuộc nhóm nào"),
    step("ticket -> home", "Xong"),
    step("home -> check a dossier", "Tra cứu tình trạng hồ sơ"),
    step("back to the start", "Về trang đầu"),
    step("home -> ask for a home visit", "Đề nghị hỗ trợ tại nhà"),
    step("start -> first question", "Bắt đầu"),
    step("answer -> next question", "Chính tôi"),
    key("key 'n' -> text", "n", NAME_BOX),
    key("key 'g' -> text", "g", NAME_BOX),
    key("key 'u' -> text", "u", NAME_BOX),
    key("key 'y' -> text", "y", NAME_BOX),
    key("key 'e' -> text", "e", NAME_BOX),
    key("Telex 'e' -> ê", "e", NAME_BOX),
    key("key 'n' -> text", "n", NAME_BOX),
    key("Telex 'x' -> ễ", "x", NAME_BOX),
    key("tone key sắc -> ế", "Dấu sắc", NAME_BOX),
    step("continue -> next question", "Tiếp tục"),
    key("digit -> text", "0", PHONE_BOX),
    key("digit -> text", "9", PHONE_BOX),
    key("digit -> text", "1", PHONE_BOX),
    key("digit -> text", "2", PHONE_BOX),
    key("digit -> text", "3", PHONE_BOX),
    key("digit -> text", "4", PHONE_BOX),
    key("digit -> text", "5", PHONE_BOX),
    key("digit -> text", "6", PHONE_BOX),
    key("digit -> text", "7", PHONE_BOX),
    key("digit -> text", "8", PHONE_BOX),
    step("continue -> next question", "Tiếp tục"),
    key("key 'c' -> wards found", "c", WARD_BOX),
    key("key 'a' -> wards found", "a", WARD_BOX),
    key("key 'u' -> wards found", "u", WARD_BOX),
    step("ward chosen -> next question", "Phường Cầu Giấy"),
    key("key 's' -> text", "s", "Số nhà và đường phố là gì?"),
    key("Telex 'o' -> text", "o", "Số nhà và đường phố là gì?"),
    key("digit -> text", "5", "Số nhà và đường phố là gì?"),
    step("continue -> next question", "Tiếp tục"),
    step("answer -> next question", "Việc khác"),
    step("answer -> check page", "Buổi sáng"),
    step("send -> saved in the outbox", "Gửi đề nghị"),
    step("saved -> home", "Xong"),
    // A dossier: signature certification, three scanned pages (the paper, the ID card's two sides).
    step("home -> submit a dossier", "Nộp hồ sơ"),
    step("procedure chosen -> what it needs", "Chứng thực chữ ký trong các giấy tờ, văn bản"),
    step("start -> first question", "Bắt đầu"),
    key("key 'n' -> text", "n", SIGNER_BOX),
    key("key 'a' -> text", "a", SIGNER_BOX),
    key("key 'm' -> text", "m", SIGNER_BOX),
    step("continue -> next question", "Tiếp tục"),
    key("digit -> text", "0", NUMBER_BOX),
    key("digit -> text", "0", NUMBER_BOX),
    key("digit -> text", "1", NUMBER_BOX),
    key("digit -> text", "0", NUMBER_BOX),
    key("digit -> text", "9", NUMBER_BOX),
    key("digit -> text", "0", NUMBER_BOX),
    key("digit -> text", "1", NUMBER_BOX),
    key("digit -> text", "2", NUMBER_BOX),
    key("digit -> text", "3", NUMBER_BOX),
    key("digit -> text", "4", NUMBER_BOX),
    key("digit -> text", "5", NUMBER_BOX),
    key("digit -> text", "6", NUMBER_BOX),
    step("continue -> next question", "Tiếp tục"),
    key("digit -> text", "0", DOSSIER_PHONE_BOX),
    key("digit -> text", "9", DOSSIER_PHONE_BOX),
    key("digit -> text", "1", DOSSIER_PHONE_BOX),
    key("digit -> text", "2", DOSSIER_PHONE_BOX),
    key("digit -> text", "3", DOSSIER_PHONE_BOX),
    key("digit -> text", "4", DOSSIER_PHONE_BOX),
    key("digit -> text", "5", DOSSIER_PHONE_BOX),
    key("digit -> text", "6", DOSSIER_PHONE_BOX),
    key("digit -> text", "7", DOSSIER_PHONE_BOX),
    key("digit -> text", "8", DOSSIER_PHONE_BOX),
    step("continue -> next question", "Tiếp tục"),
    key("key 'g' -> text", "g", PAPER_BOX),
    key("key 'i' -> text", "i", PAPER_BOX),
    key("key 'a' -> text", "a", PAPER_BOX),
    key("Telex 'a' -> â", "a", PAPER_BOX),
    key("key 'y' -> text", "y", PAPER_BOX),
    step("continue -> paper to scan", "Tiếp tục"),
    scan("Quét"),
    step("continue -> paper to scan", "Tiếp tục"),
    scan("Quét"),
    scan("Quét trang tiếp theo"),
    step("continue -> next question", "Tiếp tục"),
    step("delivery chosen -> check page", "Nhận trực tiếp tại quầy của cơ quan giải quyết"),
    step("check -> consent", "Tiếp tục: đồng ý xử lý dữ liệu"),
    step("consent -> saved in the outbox", "Tôi đồng ý – Gửi hồ sơ"),
    step("saved -> home", "Xong"),
];

const SIGNER_BOX: &str = "Họ tên người ký?";
const NUMBER_BOX: &str = "Số định danh cá nhân của người ký?";
const DOSSIER_PHONE_BOX: &str = "Số điện thoại để cán bộ liên hệ?";
const PAPER_BOX: &str = "Giấy tờ cần chứng thực chữ ký là giấy gì?";

/// Where a step taps (x, y), and the band of the screen (y, height) it watches.
type Tap = ((u32, u32), (i16, u16));

/// A tap outside the flow (`--positions` only): its name, the label tapped, and where (x, y).
type Extra = (String, &'static str, (u32, u32));

/// An element's box on screen: x, y, width, height.
type Bounds = (f32, f32, f32, f32);

/// Where each step taps, and the band it watches, found in the UI built in this process.
fn positions() -> anyhow::Result<(Vec<Tap>, Vec<Extra>)> {
    kiosk_tests::testing_platform()?;
    let config = kiosk_app::load_config(&kiosk_tests::example_config_always_open())?;
    let app = ui::build(&config)?;
    app.window().set_size(slint::PhysicalSize::new(SIZE.0, SIZE.1));
    app.show()?;
    // As the kiosk does on its worker threads, at once: a ticket issued into a throwaway queue, a request saved
    // (the portal is away in this benchmark, so the kiosk shows "kept safely, will be sent" at once).
    let scratch = std::env::temp_dir().join(format!("kiosk-bench-tap-queue-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let store = kiosk_app::queue_store::QueueStore::open(
        &scratch.join("queue.sqlite"),
        config.queue.setup(),
        kiosk_app::clock::now().0,
    )?;
    // One resident already waiting, as in the kiosk's queue below, so the ticket page shows the wait line.
    kiosk_app::tickets::issue(&store, &config, "HT", kiosk_core::queue::Priority::None, kiosk_app::clock::now())?;
    let (weak, issuing) = (app.as_weak(), config.clone());
    ui::on_take_ticket(&app, move |service, priority, _| {
        let issued = kiosk_app::tickets::issue(&store, &issuing, &service, priority, kiosk_app::clock::now());
        if let (Some(app), Ok(issued)) = (weak.upgrade(), issued) {
            ui::show_ticket(&app, &issued);
        }
    });
    // Scanning with the simulated scanner, and a dossier saved (the portal is away here too).
    let devices = std::rc::Rc::new(std::cell::RefCell::new(kiosk_app::devices::Devices::open(&config.devices)));
    let weak = app.as_weak();
    ui::dossier::on_dossier_scan(&app, move |card, request| {
        let scanned = kiosk_app::devices::scanner::scan_paper(&mut devices.borrow_mut(), card);
        if let Some(app) = weak.upgrade() {
            ui::dossier::show_scanned(&app, request, scanned);
        }
    });
    let weak = app.as_weak();
    ui::dossier::on_dossier_send(&app, move |_, _| {
        if let Some(app) = weak.upgrade() {
            ui::dossier::SENT.saved(&app, "0000-0000");
            ui::dossier::SENT.undelivered(&app, "0000-0000");
        }
    });
    let weak = app.as_weak();
    ui::visit::on_visit_send(&app, move |_, _, _| {
        if let Some(app) = weak.upgrade() {
            ui::visit::SENT.saved(&app, "0000-0000");
            ui::visit::SENT.undelivered(&app, "0000-0000");
        }
    });
    // The element to tap (a button), or to watch (preferring an answer box over a heading with the same name).
    let centre = |app: &AppWindow, label: &str| -> anyhow::Result<Bounds> {
        let all: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(app, label).collect();
        let input =
            all.iter().find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::TextInput));
        let found = input.or(all.first()).cloned();
        let element = found.with_context(|| format!("no element labelled {label:?}"))?;
        let (p, s) = (element.absolute_position(), element.size());
        Ok((p.x, p.y, s.width, s.height))
    };
    let mut out = Vec::new();
    for step in FLOW {
        let (x, y, w, h) = centre(&app, step.tap)?;
        let band = match step.watch {
            Some(label) => {
                let (_, wy, _, wh) = centre(&app, label)?;
                (wy as i16, wh as u16)
            }
            // The content area under the header (taller since the text-size button): where "scanning…" shows.
            None => (300, 900),
        };
        out.push((((x + w / 2.0) as u32, (y + h / 2.0) as u32), band));
        if std::env::var_os("KIOSK_BENCH_TAP_DEBUG").is_some() {
            eprintln!("{:<40} {:?} at ({x:.0},{y:.0}) size {w:.0}x{h:.0}", step.name, step.tap);
        }
        let element = ElementHandle::find_by_accessible_label(&app, step.tap).next().expect("found above");
        element.mock_single_click(PointerEventButton::Left);
    }
    let extra = after_a_call_positions(&app, &config, &scratch, &centre);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok((out, extra?))
}

/// For the virtual kiosk's unplugging test (`--positions` only): the same taps once a number has been called
/// (the banner above the page moves the choices down), and where "Print the ticket again" is once the ticket's
/// print failed and the printer came back, for the resident's own ticket with nobody ahead.
fn after_a_call_positions(
    app: &AppWindow,
    config: &kiosk_core::config::Config,
    scratch: &std::path::Path,
    centre: &dyn Fn(&AppWindow, &str) -> anyhow::Result<Bounds>,
) -> anyhow::Result<Vec<Extra>> {
    let kiosk = app.global::<ui::Kiosk>();
    let mut out = Vec::new();
    // The header's "start again" (home from any page, wherever the page's own buttons are).
    let (x, y, w, h) = centre(app, "Làm lại")?;
    out.push(("start over".to_owned(), "Làm lại", ((x + w / 2.0) as u32, (y + h / 2.0) as u32)));
    // As in the virtual kiosk by then: the first number has been called to counter 1 (the banner above the page).
    ui::show_now_serving(app, &[("HT-001".to_owned(), 1)]);
    let health = |state| ui::DeviceHealth { state, simulated: false, cause: Default::default() };
    for label in ["Lấy số thứ tự", "Hộ tịch", "Không thuộc nhóm nào"] {
        let (x, y, w, h) = centre(app, label)?;
        out.push((format!("after a call: {label}"), label, ((x + w / 2.0) as u32, (y + h / 2.0) as u32)));
        let element = ElementHandle::find_by_accessible_label(app, label).next().expect("found above");
        element.mock_single_click(PointerEventButton::Left);
    }
    let fresh = kiosk_app::queue_store::QueueStore::open(
        &scratch.join("fresh.sqlite"),
        config.queue.setup(),
        kiosk_app::clock::now().0,
    )?;
    let issued =
        kiosk_app::tickets::issue(&fresh, config, "HT", kiosk_core::queue::Priority::None, kiosk_app::clock::now())?;
    ui::show_ticket(app, &issued);
    kiosk.set_ticket_print_problem(ui::DeviceState::Disconnected);
    kiosk.set_ticket_print(ui::PrintState::Failed);
    kiosk.set_printer(health(ui::DeviceState::Ready));
    kiosk.set_printer_notice(ui::PrinterNotice::None);
    let label = "In lại phiếu";
    let (x, y, w, h) = centre(app, label)?;
    out.push(("reprint".to_owned(), label, ((x + w / 2.0) as u32, (y + h / 2.0) as u32)));
    Ok(out)
}

fn band(x: &impl x11rb::connection::Connection, root: u32, (y, height): (i16, u16)) -> anyhow::Result<Vec<u8>> {
    Ok(x.get_image(ImageFormat::Z_PIXMAP, root, 0, y, SIZE.0 as u16, height, !0)?.reply()?.data)
}

/// Waits (up to 15 s) until the content area, below the header and above the status strip, is the same in two
/// looks 300 ms apart.
fn settle(x: &impl x11rb::connection::Connection, root: u32) -> anyhow::Result<()> {
    let content = (300, 1300);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = band(x, root, content)?;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(300));
        let now = band(x, root, content)?;
        if now == last {
            return Ok(());
        }
        last = now;
    }
    Ok(())
}

/// The whole Xvfb screen as a PNG (its pixels are BGRX).
fn save_screen(x: &impl x11rb::connection::Connection, root: u32, path: &std::path::Path) -> anyhow::Result<()> {
    let data = x.get_image(ImageFormat::Z_PIXMAP, root, 0, 0, SIZE.0 as u16, SIZE.1 as u16, !0)?.reply()?.data;
    let rgb: Vec<u8> = data.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0]]).collect();
    let mut encoder = png::Encoder::new(std::fs::File::create(path)?, SIZE.0, SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.write_header()?.write_image_data(&rgb)?;
    Ok(())
}

fn xdotool(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", DISPLAY)
        .status()
        .context("running xdotool (apt-get install xdotool)")?;
    if !status.success() {
        bail!("xdotool failed");
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let (taps, extra) = positions().context("finding where to tap")?;
    // `bench-tap --positions`: where each step of the flow taps, one JSON object per line, for other drivers
    // of the real screen (the virtual kiosk's taps through QEMU's tablet, tests/vm/appliance.py).
    if std::env::args().any(|arg| arg == "--positions") {
        let mut text = String::new();
        for (step, ((x, y), _)) in FLOW.iter().zip(&taps) {
            let line = serde_json::json!({ "step": step.name, "label": step.tap, "x": x, "y": y });
            text.push_str(&format!("{line}\n"));
        }
        for (step, label, (x, y)) in &extra {
            let line = serde_json::json!({ "step": step, "label": label, "x": x, "y": y });
            text.push_str(&format!("{line}\n"));
        }
        print!("{text}");
        return Ok(());
    }
    // The kiosk as it ships (tests/bench.sh builds the `appliance` profile), else the release build beside this.
    let kiosk = std::env::var_os("KIOSK_BENCH_KIOSK").map_or_else(|| kiosk_tests::binary("kiosk"), PathBuf::from);
    println!("Measuring {}", kiosk.display());
    let config = kiosk_tests::example_config_always_open();
    let state = std::env::temp_dir().join(format!("kiosk-bench-tap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    // One resident already waiting (as in the layout measured above): every run's ticket page then looks alike.
    {
        let config = kiosk_app::load_config(&config)?;
        kiosk_app::ensure_private_dir(&state)?;
        let store = kiosk_app::queue_store::QueueStore::open(
            &state.join("queue.sqlite"),
            config.queue.setup(),
            kiosk_app::clock::now().0,
        )?;
        kiosk_app::tickets::issue(&store, &config, "HT", kiosk_core::queue::Priority::None, kiosk_app::clock::now())?;
    }
    let mut xvfb = Command::new("Xvfb")
        .args([DISPLAY, "-screen", "0", "1080x1920x24", "-nolisten", "tcp", "-noreset"])
        .stderr(Stdio::null())
        .spawn()
        .context("starting Xvfb (apt-get install xvfb)")?;
    std::thread::sleep(Duration::from_millis(800));
    let mut child = Command::new(&kiosk)
        .arg("--config")
        .arg(&config)
        .arg("--state-dir")
        .arg(&state)
        .arg("--windowed")
        .env("DISPLAY", DISPLAY)
        .env("KIOSK_LOG", "error")
        .stderr(Stdio::null())
        .spawn()
        .context("starting the kiosk")?;
    std::thread::sleep(Duration::from_secs(3)); // the first frame and the first device check
                                                // A kiosk that did not start (another one holding the counter API's port, say) must not let the figures be
                                                // taken from whatever else is on the screen.
    let result = match (child.try_wait(), xvfb.try_wait()) {
        (Ok(None), Ok(None)) => run(child.id(), &taps),
        (kiosk, _) => Err(anyhow::anyhow!(
            "the kiosk or Xvfb stopped before the first tap (kiosk: {kiosk:?}); is another kiosk or Xvfb {DISPLAY} running?"
        )),
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let _ = std::fs::remove_dir_all(&state);
    result
}

fn run(pid: u32, taps: &[Tap]) -> anyhow::Result<()> {
    let (x, screen) = x11rb::connect(Some(DISPLAY)).context("connecting to Xvfb")?;
    let root = x.setup().roots[screen].root;
    let mut times: Vec<Vec<Duration>> = FLOW.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for (n, (step, ((tx, ty), watch))) in FLOW.iter().zip(taps).enumerate() {
            // The pointer moves first (not timed); the press and release are timed, without xdotool's default
            // delay after a click (about 100 ms here).
            xdotool(&["mousemove", &tx.to_string(), &ty.to_string()])?;
            let before = band(&x, root, *watch)?;
            let started = Instant::now();
            xdotool(&["click", "--delay", "0", "1"])?;
            let changed = loop {
                if started.elapsed() > Duration::from_secs(5) {
                    break None;
                }
                let now = band(&x, root, *watch)?;
                let differing = now.chunks_exact(4).zip(before.chunks_exact(4)).filter(|(a, b)| a != b).count();
                if differing > 50 {
                    break Some(started.elapsed());
                }
                std::thread::sleep(Duration::from_millis(2));
            };
            let Some(took) = changed else {
                // A picture of the screen for the technician.
                let picture = std::env::temp_dir().join("bench-tap-failure.png");
                if let Err(error) = save_screen(&x, root, &picture) {
                    eprintln!("could not save the screen: {error:#}");
                }
                bail!(
                    "{}: the screen did not change within 5 s (tap at {tx},{ty}; screen in {})",
                    step.name,
                    picture.display()
                );
            };
            times[n].push(took);
            if std::env::var_os("KIOSK_BENCH_TAP_DEBUG").is_some() {
                save_screen(&x, root, &std::env::temp_dir().join(format!("bench-tap-{n:03}.png")))?;
            }
            std::thread::sleep(Duration::from_millis(step.settle_ms)); // let the frame settle before the next tap
            if step.settle_ms >= 1_000 {
                // Work that finishes on another thread (a scan) may take longer on a loaded machine: wait until the
                // screen's content area has stopped changing, so the next tap meets the screen it was planned for.
                settle(&x, root)?;
            }
        }
        // Let the ticket and the confirmation finish printing.
        std::thread::sleep(Duration::from_secs(1));
    }
    // xdotool's own start-up is inside each figure: time it alone to show it apart.
    let mut xdotool = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        Command::new("xdotool").arg("getmouselocation").env("DISPLAY", DISPLAY).stdout(Stdio::null()).status()?;
        xdotool.push(started.elapsed());
    }
    xdotool.sort();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .unwrap_or(0.0);
    println!(
        "Tap to the next frame, kiosk on Xvfb 1080x1920, {RUNS} runs of the whole flow (median, max; includes starting xdotool, median {:.1} ms):",
        xdotool[RUNS / 2].as_secs_f64() * 1000.0
    );
    // Steps with the same name are pooled (e.g. every digit typed).
    let mut names: Vec<&str> = Vec::new();
    for step in FLOW {
        if !names.contains(&step.name) {
            names.push(step.name);
        }
    }
    for name in names {
        let mut runs: Vec<Duration> =
            FLOW.iter().zip(&times).filter(|(s, _)| s.name == name).flat_map(|(_, t)| t.iter().copied()).collect();
        runs.sort();
        println!(
            "  {:<34} {:>6.1} ms  (max {:.1}, n={})",
            name,
            runs[runs.len() / 2].as_secs_f64() * 1000.0,
            runs[runs.len() - 1].as_secs_f64() * 1000.0,
            runs.len()
        );
    }
    let mut all: Vec<Duration> = times.iter().flatten().copied().collect();
    all.sort();
    println!(
        "  {:<34} {:>6.1} ms  (p99 {:.1}, max {:.1}, n={})",
        "every tap",
        all[all.len() / 2].as_secs_f64() * 1000.0,
        all[(all.len() * 99 / 100).min(all.len() - 1)].as_secs_f64() * 1000.0,
        all[all.len() - 1].as_secs_f64() * 1000.0,
        all.len()
    );
    println!("Kiosk peak RSS after {} taps through every flow: {:.1} MiB", RUNS * FLOW.len(), peak / 1024.0);
    // What the memory is now, by kind: the heap and stacks, the program's own pages, the window's shared buffer.
    let now: Vec<String> = status
        .lines()
        .filter(|l| ["VmRSS:", "RssAnon:", "RssFile:", "RssShmem:"].iter().any(|k| l.starts_with(k)))
        .map(|l| {
            let mut words = l.split_whitespace();
            let (name, kib) = (words.next().unwrap_or(""), words.next().and_then(|k| k.parse::<f64>().ok()));
            format!("{} {:.1} MiB", name.trim_end_matches(':'), kib.unwrap_or(0.0) / 1024.0)
        })
        .collect();
    println!("  after the flows: {}", now.join(", "));
    Ok(())
}
