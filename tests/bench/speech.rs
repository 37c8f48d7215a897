//! Reading aloud: from a tap on the speaker button to the first audio sample ready, on the kiosk's own screens.
//! Each run gathers the screen's words from the element tree (as the button does), prepares them for speech
//! (kiosk-core's `speech`) and starts espeak-ng with the kiosk's settings; the clock stops when espeak-ng's
//! first sample after the WAV header arrives. Figures printed, never asserted. Also espeak-ng's peak memory
//! (a process of its own: the kiosk's memory does not grow with speech on).

use std::io::Read as _;
use std::time::{Duration, Instant};

use kiosk_app::ui;
use slint::ComponentHandle;

const RUNS: usize = 30;

fn main() -> anyhow::Result<()> {
    kiosk_tests::testing_platform()?;
    let config = kiosk_app::load_config(&kiosk_tests::example_config())?;
    let app = ui::build(&config)?;
    app.window().set_size(slint::PhysicalSize::new(1080, 1920));
    app.show()?;
    let settings = config.ui.speech;
    println!("espeak-ng at {} words a minute, amplitude {}; {RUNS} taps a screen", settings.rate, settings.volume);
    println!("{:<28} {:>6} {:>10} {:>10} {:>10}", "screen", "words", "p50 ms", "p99 ms", "max ms");
    let mut all = Vec::new();
    for (name, screen, language) in [
        ("home (vi)", ui::Screen::Home, kiosk_core::config::Language::Vietnamese),
        ("take a number (vi)", ui::Screen::Queue, kiosk_core::config::Language::Vietnamese),
        ("check a status (vi)", ui::Screen::Track, kiosk_core::config::Language::Vietnamese),
        ("home (en)", ui::Screen::Home, kiosk_core::config::Language::English),
    ] {
        ui::select_language(&app, language);
        ui::open(&app, screen);
        let mut times = Vec::with_capacity(RUNS);
        let mut words = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            let text = ui::read_aloud::screen_words(&app);
            let spoken = kiosk_core::speech::prepare(&text, language);
            words = spoken.split_whitespace().count();
            let mut child = std::process::Command::new("espeak-ng")
                .args(kiosk_app::speech::espeak_args(&settings, language, &spoken))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()?;
            let mut out = child.stdout.take().expect("piped");
            let mut got = 0usize;
            let mut buffer = [0u8; 4096];
            // The 44-byte WAV header, then the first 16-bit sample.
            while got < 46 {
                let n = out.read(&mut buffer)?;
                anyhow::ensure!(n > 0, "espeak-ng ended before any audio");
                got += n;
            }
            times.push(start.elapsed());
            let _ = child.kill();
            let _ = child.wait();
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{name:<28} {words:>6} {:>10.1} {:>10.1} {:>10.1}",
            ms(p(0.5)),
            ms(p(0.99)),
            ms(times[times.len() - 1])
        );
        all.extend(times);
    }
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "all taps: p50 {:.1} ms, p99 {:.1} ms (target 300 ms on 2 cores)",
        ms(all[all.len() / 2]),
        ms(all[((all.len() - 1) as f64 * 0.99).round() as usize])
    );
    // espeak-ng's own peak memory, reading the longest screen to the end.
    ui::select_language(&app, kiosk_core::config::Language::Vietnamese);
    ui::open(&app, ui::Screen::Home);
    let spoken =
        kiosk_core::speech::prepare(&ui::read_aloud::screen_words(&app), kiosk_core::config::Language::Vietnamese);
    let mut child = std::process::Command::new("espeak-ng")
        .args(kiosk_app::speech::espeak_args(&settings, kiosk_core::config::Language::Vietnamese, &spoken))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut out = child.stdout.take().expect("piped");
    let (mut peak_kib, mut buffer, mut audio) = (0u64, [0u8; 16384], 0usize);
    loop {
        // Read while it is alive: it blocks on a full pipe, so its high-water mark is there to read.
        if let Some(kib) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        let n = out.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        audio += n;
    }
    child.wait()?;
    println!(
        "espeak-ng reading the home screen: {:.1} s of audio, peak resident memory {:.1} MiB (its own process; the \
         kiosk's memory does not grow with speech on)",
        (audio.saturating_sub(44)) as f64 / 2.0 / 22_050.0,
        peak_kib as f64 / 1024.0
    );
    Ok(())
}
