//! Benchmark: ticket issue throughput and latency with durable writes (SQLite, WAL, synchronous=FULL, one commit
//! per ticket), and the time from "call next" to the last byte of the pager frame written to a serial line.
//! The serial line is a pseudo-terminal, which does not pace bytes at a baud rate, so the time the frame spends
//! on a real wire at 1200 and 19200 baud (8N1, 10 bits a byte) is added from its length. Prints a table.

use std::time::{Duration, Instant};

use kiosk_app::queue_store::QueueStore;
use kiosk_core::queue::{Event, Policy, Priority, Setup};
use kiosk_drivers::pager::frame::{jtech, Page};
use kiosk_drivers::pager::serial::{Protocol, SerialTransmitter, SimTransmitterDevice};
use kiosk_drivers::pager::PagerTransmitter;
use kiosk_drivers::transport::SerialLink;

const DAY: i32 = 20_415;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let dir = std::env::temp_dir().join(format!("kiosk-bench-queue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let setup = Setup { services: vec!["HT".into(), "CT".into()], pagers: (1..=20).collect(), policy: Policy::Strict };
    let store = QueueStore::open(&dir.join("queue.sqlite"), setup, DAY).expect("open store");

    let n = 1000;
    let mut latencies = Vec::with_capacity(n);
    let started = Instant::now();
    for idx in 0..n {
        let issued = Instant::now();
        let service = if idx % 2 == 0 { "HT" } else { "CT" };
        store.run(|q| q.issue(service, Priority::None, DAY, idx as i64)).expect("stored").expect("issued");
        latencies.push(issued.elapsed());
    }
    let total = started.elapsed();
    latencies.sort();
    println!("Ticket issue with durable writes ({n} tickets, one SQLite commit each, WAL + synchronous=FULL):");
    println!(
        "  {:.0} tickets/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        n as f64 / total.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().expect("measured").as_secs_f64() * 1000.0
    );

    // Call next -> pager frame written, JTECH/HME framing (the J1901 runs at 19200, SmartAlert at 1200).
    let (ours, theirs) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
    let protocol = Protocol::Jtech { base_id: 10, separator: jtech::SEPARATOR_J1901 };
    let device = SimTransmitterDevice::default();
    let server = device.clone();
    std::thread::spawn(move || server.serve(protocol, Box::new(SerialLink::from_port(theirs))));
    let mut transmitter = SerialTransmitter::on_link(protocol, Box::new(SerialLink::from_port(ours)));
    let frame_len = jtech::frame(10, &Page { pager: 1, message: String::new() }, 3).expect("frame").len();
    let mut calls = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let events = store
            .run(|q| q.call_next(1, &["HT".into(), "CT".into()], DAY, 100_000))
            .expect("stored")
            .expect("someone waiting");
        for event in &events {
            if let Event::PagerCalled { pager, .. } = event {
                transmitter.page(*pager).expect("paged");
            }
        }
        calls.push(started.elapsed());
    }
    calls.sort();
    let software = percentile(&calls, 0.5);
    println!(
        "Call next to the pager frame's last byte written ({} calls, JTECH frame of {frame_len} bytes):",
        calls.len()
    );
    println!(
        "  software (SQLite commit + frame + write): p50 {:.2} ms, p99 {:.2} ms",
        software.as_secs_f64() * 1000.0,
        percentile(&calls, 0.99).as_secs_f64() * 1000.0
    );
    for baud in [1200.0, 19200.0] {
        let wire = frame_len as f64 * 10.0 / baud;
        println!(
            "  at {baud:>5} baud: + {:.1} ms on the wire = {:.1} ms",
            wire * 1000.0,
            software.as_secs_f64() * 1000.0 + wire * 1000.0
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
