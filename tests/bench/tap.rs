//! Benchmark: time from a tap to the next screen's frame, and the kiosk's peak memory after going through the
//! flows. The real kiosk (release build, software renderer) runs in a window on Xvfb; taps are real X pointer
//! events from `xdotool`; the frame counts as shown when the part of the screen that the tap changes differs from
//! before, read back over the X protocol every 2 ms (so the figure includes up to ~2 ms of polling). Portrait
//! 1080x1920; the tap positions are those of the example configuration's screens. Prints a table; asserts nothing.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};

const DISPLAY: &str = ":96";
const RUNS: usize = 10;

/// A tap and the band of the screen (y from, height) it changes.
struct Step {
    name: &'static str,
    x: u32,
    y: u32,
    band: (i16, u16),
}

const STEPS: &[Step] = &[
    Step { name: "home -> look up a procedure", x: 540, y: 500, band: (260, 300) },
    Step { name: "key 'k' -> results", x: 96, y: 1316, band: (260, 300) },
    Step { name: "key 'h' -> results", x: 856, y: 1220, band: (260, 300) },
    Step { name: "back to the start", x: 160, y: 1714, band: (260, 300) },
    Step { name: "home -> take a number", x: 540, y: 762, band: (260, 300) },
    Step { name: "back to the start", x: 168, y: 1225, band: (260, 300) },
    Step { name: "home -> check a dossier", x: 540, y: 1300, band: (260, 300) },
    Step { name: "back to the start", x: 378, y: 1050, band: (260, 300) },
];

fn band(x: &impl x11rb::connection::Connection, root: u32, (y, height): (i16, u16)) -> anyhow::Result<Vec<u8>> {
    Ok(x.get_image(ImageFormat::Z_PIXMAP, root, 0, y, 1080, height, !0)?.reply()?.data)
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
    let kiosk = kiosk_tests::binary("kiosk");
    let config = kiosk_tests::example_config();
    let state = std::env::temp_dir().join(format!("kiosk-bench-tap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
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
    let result = run(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let _ = std::fs::remove_dir_all(&state);
    result
}

fn run(pid: u32) -> anyhow::Result<()> {
    let (x, screen) = x11rb::connect(Some(DISPLAY)).context("connecting to Xvfb")?;
    let root = x.setup().roots[screen].root;
    std::thread::sleep(Duration::from_secs(3)); // the first frame and the first device check
    let mut times: Vec<Vec<Duration>> = STEPS.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for (n, step) in STEPS.iter().enumerate() {
            // The pointer moves first (not timed); the press and release are timed, without xdotool's default
            // delay after a click (about 100 ms here).
            xdotool(&["mousemove", &step.x.to_string(), &step.y.to_string()])?;
            let before = band(&x, root, step.band)?;
            let started = Instant::now();
            xdotool(&["click", "--delay", "0", "1"])?;
            let changed = loop {
                if started.elapsed() > Duration::from_secs(5) {
                    break None;
                }
                let now = band(&x, root, step.band)?;
                let differing = now.chunks_exact(4).zip(before.chunks_exact(4)).filter(|(a, b)| a != b).count();
                if differing > 2_000 {
                    break Some(started.elapsed());
                }
                std::thread::sleep(Duration::from_millis(2));
            };
            let took = changed.with_context(|| format!("{}: the screen did not change within 5 s", step.name))?;
            times[n].push(took);
            std::thread::sleep(Duration::from_millis(150)); // let the frame settle before the next tap
        }
    }
    // xdotool's own start-up is inside each figure: time it alone to show it apart.
    let mut xdotool = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        Command::new("xdotool").arg("getmouselocation").env("DISPLAY", DISPLAY).stdout(Stdio::null()).status()?;
        xdotool.push(started.elapsed());
    }
    xdotool.sort();
    let peak = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .unwrap_or(0.0);
    println!("Tap to the next frame, kiosk on Xvfb 1080x1920, {RUNS} runs each (median, max; includes starting xdotool, median {:.1} ms):", xdotool[RUNS / 2].as_secs_f64() * 1000.0);
    for (step, runs) in STEPS.iter().zip(times.iter_mut()) {
        runs.sort();
        println!(
            "  {:<32} {:>6.1} ms  (max {:.1})",
            step.name,
            runs[runs.len() / 2].as_secs_f64() * 1000.0,
            runs[runs.len() - 1].as_secs_f64() * 1000.0
        );
    }
    println!("Kiosk peak RSS after {} taps through the flows: {:.1} MiB", RUNS * STEPS.len(), peak / 1024.0);
    Ok(())
}
