//! Benchmark: bytes on the wire and encode time per Vietnamese strategy for the standard queue ticket and the
//! 20-line submission receipt, the time to send each at 9600, 19200 and 115200 baud (8N1: 10 bits a byte),
//! beside python-escpos 3.1 encoding the same slip (text with its magic encode, and as one bitmap).
//! Prints a table; asserts nothing. Run with `bash tests/bench.sh`.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Instant;

use kiosk_drivers::printer::decode;
use kiosk_drivers::printer::document::{Align, Block, Document};
use kiosk_drivers::printer::encode::encode;
use kiosk_drivers::printer::profile::{Profile, Strategy};
use kiosk_drivers::printer::raster::{self, Typeface, LINE_DOTS};
use kiosk_drivers::printer::samples;
use kiosk_tests::workspace_root;

fn typeface() -> Typeface {
    let dir = workspace_root().join("assets/fonts");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("shipped font");
    Typeface::from_bytes(&read("BeVietnamPro-Regular.ttf"), &read("BeVietnamPro-Bold.ttf")).expect("fonts load")
}

fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The slip as python-escpos gets it: text wrapped exactly as our raster strategy wraps it.
fn slip_json(document: &Document, face: &Typeface) -> String {
    let mut blocks = Vec::new();
    for block in &document.blocks {
        match block {
            Block::Text { text, style } => {
                let height = LINE_DOTS * style.scale() as u32;
                for line in raster::wrap(text, 576, |s| face.measure(s, style.bold, height)) {
                    let align = match style.align {
                        Align::Left => "left",
                        Align::Center => "center",
                        Align::Right => "right",
                    };
                    blocks.push(format!(
                        "{{\"kind\":\"text\",\"text\":{},\"scale\":{},\"bold\":{},\"align\":\"{align}\"}}",
                        json_string(&line),
                        style.scale(),
                        style.bold
                    ));
                }
            }
            Block::Rule => blocks.push("{\"kind\":\"rule\"}".into()),
            Block::Qr { data, module } => {
                blocks.push(format!("{{\"kind\":\"qr\",\"data\":{},\"module\":{module}}}", json_string(data)))
            }
            Block::Image(_) | Block::Feed(_) | Block::Cut => {}
        }
    }
    let font_dir = workspace_root().join("assets/fonts");
    format!("{{\"font_dir\":{},\"blocks\":[{}]}}", json_string(&font_dir.to_string_lossy()), blocks.join(","))
}

/// python-escpos's figures for the slip, if a Python with python-escpos 3.1 is named in KIOSK_BENCH_PYTHON.
fn python_escpos(document: &Document, face: &Typeface) -> Option<Vec<(String, f64)>> {
    let python = std::env::var("KIOSK_BENCH_PYTHON").ok()?;
    let script = workspace_root().join("tests/bench/python_escpos_ticket.py");
    let mut child = Command::new(python).arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    child.stdin.take()?.write_all(slip_json(document, face).as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        eprintln!("python-escpos script failed");
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter_map(|(name, value)| Some((name.to_owned(), value.parse().ok()?)))
            .collect(),
    )
}

fn wire(bytes: f64) -> String {
    [9600.0, 19200.0, 115200.0].map(|baud| format!("{:>7.2}", bytes * 10.0 / baud)).join(" ")
}

fn main() {
    let face = typeface();
    println!(
        "{:<10} {:<34} {:>8} {:>11}   {:>7} {:>7} {:>7}",
        "slip", "encoder", "bytes", "encode ms", "9600 s", "19200 s", "115200 s"
    );
    for (slip, document) in [("ticket", samples::queue_ticket()), ("receipt", samples::submission_receipt())] {
        let mut raster_picture_bytes = 0;
        for (label, profile_name, strategy) in [
            ("ours: code page (Epson TCVN-3)", "epson-tm-t88", Strategy::CodePage),
            ("ours: downloaded chars (generic)", "generic-80", Strategy::Downloaded),
            ("ours: raster (generic)", "generic-80", Strategy::Raster),
        ] {
            let profile = Profile { strategy, ..Profile::builtin(profile_name).expect("shipped") };
            let encoded = encode(&document, &profile, &face);
            let runs: Vec<f64> = (0..200)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(encode(&document, &profile, &face));
                    started.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            println!(
                "{slip:<10} {label:<34} {:>8} {:>11.3}   {}",
                encoded.bytes.len(),
                median_ms(runs),
                wire(encoded.bytes.len() as f64)
            );
            if strategy == Strategy::Raster {
                let picture_bytes: usize = decode::commands(&encoded.bytes)
                    .expect("our own bytes decode")
                    .iter()
                    .map(|c| match c {
                        decode::Command::Raster(b) => 8 + (b.width as usize / 8) * b.height as usize,
                        _ => 0,
                    })
                    .sum();
                raster_picture_bytes = picture_bytes;
            }
        }
        match python_escpos(&document, &face) {
            Some(figures) => {
                let get = |name: &str| figures.iter().find(|(n, _)| n == name).map_or(f64::NAN, |(_, v)| *v);
                for (variant, label) in
                    [("text", "python-escpos 3.1: magic encode"), ("bitmap", "python-escpos 3.1: bitmap")]
                {
                    let bytes = get(&format!("{variant}_bytes"));
                    println!(
                        "{slip:<10} {label:<34} {bytes:>8} {:>11.3}   {}",
                        get(&format!("{variant}_ms")),
                        wire(bytes)
                    );
                }
                println!(
                    "{slip:<10} the text as a picture (GS v 0): ours {raster_picture_bytes} bytes, python-escpos {} bytes",
                    get("bitmap_picture_bytes")
                );
            }
            None => println!("{slip:<10} python-escpos: not run (set KIOSK_BENCH_PYTHON; tests/bench.sh does)"),
        }
    }
    println!("All slips with a native QR code (GS ( k) where the profile has one; 576-dot (80 mm) paper.");
}
