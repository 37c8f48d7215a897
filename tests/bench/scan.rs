//! Benchmark: an A4 page at 300 dpi grey from the scanner to a finished JPEG page, milliseconds and bytes, beside
//! the plain baseline of `scanimage` piped into `img2pdf` on the same page.
//!
//! Two pages: SANE's `test` backend through our helper process (a real libsane scan, its "Grid" picture, which
//! is no text), and the simulated scanner's letter page (text, about half the page, 11 pt, scanner noise, 1.3°
//! askew), which is what the 200 KB target is about. Prints medians of 10 runs; asserts nothing about time.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kiosk_drivers::scanner::{pdf, pipeline, RawPage, SaneScanner, Scanner as _, Settings, SimScanner};

fn median(mut values: Vec<Duration>) -> f64 {
    values.sort();
    values[values.len() / 2].as_secs_f64() * 1000.0
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a shell pipeline 10 times: median milliseconds and the size of the file it wrote.
fn baseline(script: &str, out: &std::path::Path, env: &[(&str, &str)]) -> Option<(f64, u64)> {
    let mut times = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let status =
            Command::new("sh").args(["-c", script]).envs(env.iter().copied()).stderr(Stdio::null()).status().ok()?;
        if !status.success() {
            return None;
        }
        times.push(started.elapsed());
    }
    Some((median(times), std::fs::metadata(out).ok()?.len()))
}

fn pnm(page: &RawPage) -> Vec<u8> {
    let mut bytes = format!("P5\n{} {}\n255\n", page.width, page.height).into_bytes();
    bytes.extend_from_slice(&page.pixels);
    bytes
}

fn main() {
    let dir = kiosk_tests::binary("kiosk").with_file_name(format!("bench-scan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = kiosk_tests::sane_test_config(&dir.join("sane.d"), 1);
    let config_text = config.display().to_string();
    let settings = Settings::default(); // flatbed, grey, 300 dpi, A4

    println!("Scanning an A4 page at 300 dpi grey to a finished page (median of 10):");
    // SANE test backend, through the helper process.
    let mut scanner = SaneScanner::new("test:0")
        .with_helper(kiosk_tests::binary("kiosk-sane-helper"))
        .with_env("SANE_CONFIG_DIR", &config_text);
    let (mut scans, mut finishes, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut bytes = 0;
    for _ in 0..10 {
        let started = Instant::now();
        let raw = scanner.scan(&settings).expect("SANE test backend scan").remove(0);
        let scanned = started.elapsed();
        let page = pipeline::finish(&raw, &pipeline::Options::TEXT).expect("pipeline");
        let document = pdf::assemble(std::slice::from_ref(&page)).expect("pdf");
        totals.push(started.elapsed());
        finishes.push(started.elapsed() - scanned);
        scans.push(scanned);
        bytes = page.jpeg.len();
        drop(document);
    }
    println!(
        "  ours, SANE test backend (Grid picture): scan + transfer {:.0} ms, pipeline + PDF {:.0} ms, total {:.0} ms; \
         page {} bytes",
        median(scans),
        median(finishes),
        median(totals),
        bytes
    );

    // The simulated letter: a text page.
    let (mut simulated, _) = SimScanner::new();
    let raw = simulated.scan(&settings).expect("simulated scan").remove(0);
    let mut times = Vec::new();
    let mut page = None;
    for _ in 0..10 {
        let started = Instant::now();
        let finished = pipeline::finish(&raw, &pipeline::Options::TEXT).expect("pipeline");
        times.push(started.elapsed());
        page = Some(finished);
    }
    let page = page.expect("finished");
    let document = pdf::assemble(std::slice::from_ref(&page)).expect("pdf");
    println!(
        "  ours, text page (simulated letter): pipeline {:.0} ms; JPEG {} bytes ({}x{} at {} dpi, straightened {:.1}°), \
         PDF {} bytes",
        median(times),
        page.jpeg.len(),
        page.width,
        page.height,
        page.dpi,
        page.skew_degrees,
        document.len()
    );
    let jpeg_path = dir.join("text-page.jpg");
    std::fs::write(&jpeg_path, &page.jpeg).expect("write the page");
    println!("  (look at it: {})", jpeg_path.display());

    // Baselines.
    if !(have("scanimage") && have("img2pdf")) {
        println!("  baseline skipped: install sane-utils and img2pdf (provisioning/install-deps.sh bench)");
        return;
    }
    let out = dir.join("baseline.pdf");
    let scan = format!(
        "scanimage -d test:0 --mode Gray --resolution 300 -x 210 -y 297 --format=pnm | img2pdf -o {}",
        out.display()
    );
    if let Some((ms, size)) = baseline(&scan, &out, &[("SANE_CONFIG_DIR", &config_text)]) {
        println!("  baseline, scanimage | img2pdf (same Grid page, lossless): {ms:.0} ms, PDF {size} bytes");
    }
    let scan_jpeg = format!(
        "scanimage -d test:0 --mode Gray --resolution 300 -x 210 -y 297 --format=jpeg | img2pdf -o {}",
        out.display()
    );
    if let Some((ms, size)) = baseline(&scan_jpeg, &out, &[("SANE_CONFIG_DIR", &config_text)]) {
        println!("  baseline, scanimage --format=jpeg | img2pdf (same Grid page): {ms:.0} ms, PDF {size} bytes");
    }
    let text = dir.join("text-page.pnm");
    std::fs::write(&text, pnm(&raw)).expect("write the raw text page");
    let convert = format!("img2pdf {} -o {}", text.display(), out.display());
    if let Some((ms, size)) = baseline(&convert, &out, &[]) {
        println!("  baseline, img2pdf of the raw text page (300 dpi, lossless): {ms:.0} ms, PDF {size} bytes");
    }
}
