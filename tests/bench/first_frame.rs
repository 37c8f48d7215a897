//! Benchmark: time from process start to the first complete frame of the home screen, and memory, for the
//! kiosk (Slint, software renderer, release build) beside the same screen as an HTML page in Chromium's kiosk
//! mode. Both draw into the same Xvfb screen; the frame counts as shown once the header's red and the
//! headline's dark text are both on the screen, read back over the X protocol every few milliseconds. Prints a table; asserts nothing.
//!
//! Run it with `bash tests/bench.sh` (installs Xvfb and Chromium if missing, then builds and runs this).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use kiosk_tests::workspace_root;
use x11rb::connection::Connection as _;

const DISPLAY: &str = ":97";
const WIDTH: u32 = 1080;
const HEIGHT: u32 = 1920;
const RUNS: usize = 5;
/// The header's red (#a3161a) and the headline's ink (#14171c), in both the Slint theme and the HTML page.
const BRAND: [u8; 3] = [0xa3, 0x16, 0x1a];
const INK: [u8; 3] = [0x14, 0x17, 0x1c];

struct Measurement {
    first_frame: Duration,
    /// Largest resident set over the process tree's life: VmHWM summed over its processes.
    peak_rss_kib: u64,
    /// Proportional set size summed over the tree 2 s after the first frame (shared pages counted once).
    pss_kib: u64,
    processes: usize,
}

fn main() -> anyhow::Result<()> {
    let root = workspace_root();
    // The kiosk as it ships when tests/bench.sh built it (the `appliance` profile), else the release build.
    let kiosk = match std::env::var_os("KIOSK_BENCH_KIOSK") {
        Some(path) => PathBuf::from(path),
        None => sibling_binary("kiosk")?,
    };
    println!("Measuring {}", kiosk.display());
    let mut xvfb = Command::new("Xvfb")
        .args([DISPLAY, "-screen", "0", &format!("{WIDTH}x{HEIGHT}x24"), "-nolisten", "tcp", "-noreset"])
        .stderr(Stdio::null())
        .spawn()
        .context("starting Xvfb (apt-get install xvfb)")?;
    std::thread::sleep(Duration::from_millis(800));

    let config = root.join("assets/kiosk.example.toml");
    let page = root.join("tests/bench/home.html");
    let profile = std::env::temp_dir().join("kiosk-bench-chromium-profile");
    let mut results = Vec::new();
    let slint = measure("Slint kiosk (software renderer)", || {
        Command::new(&kiosk)
            .arg("--config")
            .arg(&config)
            .arg("--state-dir")
            .arg(std::env::temp_dir().join("kiosk-bench-first-frame-state"))
            // A window the size of the Xvfb screen: winit's full-screen request on Xvfb gets an 800x600 "monitor".
            .arg("--windowed")
            .env("DISPLAY", DISPLAY)
            .env("KIOSK_LOG", "error")
            .stderr(Stdio::null())
            .spawn()
    });
    results.push(("kiosk (Slint 1.18, software)", slint));
    let chromium = measure("Chromium --kiosk", || {
        let _ = std::fs::remove_dir_all(&profile);
        Command::new("chromium")
            .args([
                "--kiosk",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-features=Translate,MediaRouter",
                &format!("--window-size={WIDTH},{HEIGHT}"),
                &format!("--user-data-dir={}", profile.display()),
                &format!("file://{}", page.display()),
            ])
            .env("DISPLAY", DISPLAY)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    });
    results.push(("Chromium 'kiosk mode' (same page)", chromium));
    let _ = xvfb.kill();
    let _ = xvfb.wait();

    println!();
    println!("First frame and memory, {WIDTH}x{HEIGHT} home screen on Xvfb, {RUNS} runs each (median, min-max)");
    println!("{:<36} {:>22} {:>22} {:>20} {:>6}", "program", "first frame ms", "peak RSS MiB", "PSS MiB @+2s", "procs");
    for (name, runs) in &results {
        match runs {
            Ok(runs) => {
                let ms: Vec<f64> = runs.iter().map(|m| m.first_frame.as_secs_f64() * 1000.0).collect();
                let rss: Vec<f64> = runs.iter().map(|m| m.peak_rss_kib as f64 / 1024.0).collect();
                let pss: Vec<f64> = runs.iter().map(|m| m.pss_kib as f64 / 1024.0).collect();
                println!(
                    "{:<36} {:>22} {:>22} {:>20} {:>6}",
                    name,
                    spread(&ms, 0),
                    spread(&rss, 1),
                    spread(&pss, 1),
                    runs.last().map_or(0, |m| m.processes)
                );
            }
            Err(error) => println!("{name:<36} failed: {error:#}"),
        }
    }
    let size = std::fs::metadata(&kiosk).map(|m| m.len()).unwrap_or(0);
    println!("kiosk binary: {} ({:.1} MiB, stripped release build)", kiosk.display(), size as f64 / 1048576.0);
    Ok(())
}

fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.parent().context("exe dir")?.join(name);
    if path.exists() {
        Ok(path)
    } else {
        bail!("{} not found: run cargo build --release --workspace", path.display())
    }
}

fn spread(values: &[f64], decimals: usize) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    format!(
        "{median:.decimals$} ({:.decimals$}-{:.decimals$})",
        sorted[0],
        sorted[sorted.len() - 1],
        decimals = decimals
    )
}

fn measure(name: &str, spawn: impl Fn() -> std::io::Result<Child>) -> anyhow::Result<Vec<Measurement>> {
    let (x, screen) = x11rb::connect(Some(DISPLAY)).context("connecting to Xvfb")?;
    let root = x.setup().roots[screen].root;
    let mut runs = Vec::new();
    for run in 0..RUNS {
        wait_for_blank_screen(&x, root)?;
        let started = Instant::now();
        let mut child = spawn().with_context(|| format!("starting {name}"))?;
        let shown = loop {
            if started.elapsed() > Duration::from_secs(30) {
                break None;
            }
            if frame_is_complete(&x, root)? {
                break Some(started.elapsed());
            }
        };
        std::thread::sleep(Duration::from_secs(2));
        let tree = process_tree(child.id());
        let peak_rss_kib = tree.iter().map(|pid| status_field(*pid, "VmHWM:")).sum();
        let pss_kib = tree.iter().map(|pid| pss(*pid)).sum();
        for pid in tree.iter().rev() {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        }
        let _ = child.kill();
        let _ = child.wait();
        let first_frame = shown.with_context(|| format!("{name}: no complete frame within 30 s"))?;
        eprintln!("{name} run {}: {:.0} ms", run + 1, first_frame.as_secs_f64() * 1000.0);
        runs.push(Measurement { first_frame, peak_rss_kib, pss_kib, processes: tree.len() });
    }
    Ok(runs)
}

fn wait_for_blank_screen(x: &impl x11rb::connection::Connection, root: u32) -> anyhow::Result<()> {
    for _ in 0..100 {
        if !frame_is_complete(x, root)? {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the screen still shows the previous program")
}

/// The part of the screen that holds the header and the headline: read back a few hundred times per run, so it
/// is kept small (a full-screen xwd takes ~90 ms here; this takes a few).
const PROBE_HEIGHT: u16 = 400;

/// Reads the top of the screen over the X protocol and looks for the header's red and the headline's ink.
fn frame_is_complete(x: &impl x11rb::connection::Connection, root: u32) -> anyhow::Result<bool> {
    use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
    let image = x.get_image(ImageFormat::Z_PIXMAP, root, 0, 0, WIDTH as u16, PROBE_HEIGHT, !0)?.reply()?;
    let (mut brand, mut ink) = (0usize, 0usize);
    // Xvfb's 24-bit visual stores a pixel as 4 bytes, least significant first: B G R X.
    for pixel in image.data.chunks_exact(4) {
        let rgb = [pixel[2], pixel[1], pixel[0]];
        if rgb == BRAND {
            brand += 1;
        } else if rgb == INK {
            ink += 1;
        }
    }
    // The header is ~1080 x 150 px of red; the headline's glyphs give thousands of solid ink pixels.
    Ok(brand > (WIDTH as usize * 100) && ink > 1500)
}

fn process_tree(root: u32) -> Vec<u32> {
    let mut tree = vec![root];
    let mut idx = 0;
    while idx < tree.len() {
        let parent = tree[idx];
        let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children")).unwrap_or_default();
        tree.extend(children.split_whitespace().filter_map(|pid| pid.parse::<u32>().ok()));
        idx += 1;
    }
    tree
}

fn status_field(pid: u32, name: &str) -> u64 {
    read_kib(format!("/proc/{pid}/status"), name)
}

fn pss(pid: u32) -> u64 {
    read_kib(format!("/proc/{pid}/smaps_rollup"), "Pss:")
}

fn read_kib(path: impl AsRef<Path>, name: &str) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with(name))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}
