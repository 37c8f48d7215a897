//! Benchmark: the outbox. Durable enqueue latency (seal, page files fsynced and renamed, directory fsynced, one
//! SQLite commit with WAL + synchronous=FULL) for a 2 KB form alone and with a 150 KB page; then draining a backlog
//! of 1,000 and of 10,000 queued submissions (2 KB form and one 150 KB page each) with `kiosk outbox forward` to the
//! portal simulator running as its own process on loopback: submissions per second, CPU time per submission and
//! the kiosk process's peak resident memory (VmHWM), which must stay under 64 MB whatever the backlog.
//! `bench-outbox 1000` runs the drain for one backlog size only. Prints a table; asserts nothing about time.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kiosk_app::outbox::commands::{synthetic_form, synthetic_page};
use kiosk_app::outbox::store::{NewSubmission, Outbox};
use kiosk_core::portal::Kind;

const PAGE: usize = 150_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn portal_key() -> [u8; 32] {
    kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config").portal.public_key
}

fn enqueue(outbox: &Outbox, n: u64, pages: &[Vec<u8>]) -> Duration {
    let form = synthetic_form(n);
    let started = Instant::now();
    let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages };
    outbox.enqueue(new, chrono::Utc::now().timestamp()).expect("saved");
    started.elapsed()
}

fn latency(dir: &Path) {
    let outbox = Outbox::open(&dir.join("latency"), portal_key()).expect("outbox");
    for (label, count, page) in [("2 KB form", 500u64, false), ("2 KB form + one 150 KB page", 300, true)] {
        let mut times: Vec<Duration> = (0..count)
            .map(|n| {
                let pages = if page { vec![synthetic_page(n, 0, PAGE)] } else { Vec::new() };
                enqueue(&outbox, n, &pages)
            })
            .collect();
        times.sort();
        println!(
            "  enqueue, {label} ({count} submissions): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().expect("measured"))
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

fn drain(dir: &Path, backlog: u64) {
    let state = dir.join(format!("drain-{backlog}"));
    let outbox = Outbox::open(&state.join("outbox"), portal_key()).expect("outbox");
    let started = Instant::now();
    for n in 0..backlog {
        enqueue(&outbox, n, &[synthetic_page(n, 0, PAGE)]);
    }
    let filled = started.elapsed();
    drop(outbox);

    let port = free_port();
    let mut sim = Command::new(kiosk_tests::binary("portal-sim"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(dir.join(format!("portal-{backlog}.sqlite")))
        .stdout(Stdio::null())
        .spawn()
        .expect("start portal-sim");
    let up = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "portal-sim did not start listening");
    let output = Command::new(kiosk_tests::binary("kiosk"))
        .arg("--config")
        .arg(kiosk_tests::example_config())
        .arg("--state-dir")
        .arg(&state)
        .args(["outbox", "forward", "--portal", &format!("http://127.0.0.1:{port}/kiosk-api")])
        .env_remove("KIOSK_CONFIG")
        .env("KIOSK_LOG", "warn")
        .output()
        .expect("kiosk outbox forward");
    let _ = sim.kill();
    let _ = sim.wait();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "forward failed: {text}{}", String::from_utf8_lossy(&output.stderr));
    // "sent N in S s; quarantined Q; cpu C s; peak rss K KiB"
    let numbers: Vec<f64> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| !t.is_empty() && *t != ".")
        .filter_map(|t| t.parse().ok())
        .collect();
    let [sent, seconds, quarantined, cpu, peak_kib] = numbers[..] else {
        panic!("unexpected output from kiosk outbox forward: {text}")
    };
    assert_eq!((sent, quarantined), (backlog as f64, 0.0), "every submission sent: {text}");
    println!(
        "  drain {backlog:>6} (filled in {:.0} s, {:.0} enqueues/s): {:.0} submissions/s ({seconds:.1} s), \
         CPU {:.2} ms per submission, kiosk peak RSS {:.1} MiB",
        filled.as_secs_f64(),
        backlog as f64 / filled.as_secs_f64(),
        sent / seconds,
        cpu * 1000.0 / sent,
        peak_kib / 1024.0
    );
    let _ = std::fs::remove_dir_all(&state);
    let _ = std::fs::remove_file(dir.join(format!("portal-{backlog}.sqlite")));
}

fn main() {
    // On the build's disk (never a tmpfs, where fsync costs nothing).
    let dir = kiosk_tests::binary("kiosk").with_file_name(format!("bench-outbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    let backlogs: Vec<u64> = match std::env::args().nth(1) {
        Some(n) => vec![n.parse().expect("a backlog size")],
        None => vec![1_000, 10_000],
    };
    println!("Outbox: durable enqueue (sealed, fsynced page file + directory, SQLite WAL + synchronous=FULL):");
    latency(&dir);
    println!("Outbox: draining a backlog to portal-sim on loopback (2 KB form + one 150 KB page each):");
    for backlog in backlogs {
        drain(&dir, backlog);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
