//! Benchmark: ticket issue throughput and latency with durable writes (SQLite, WAL, synchronous=FULL, one commit
//! per ticket), and the time from "call next" on the counter API to the last byte of the pager frame arriving at a
//! transmitter on a serial line.
//! The serial line is a pseudo-terminal, which does not pace bytes at a baud rate, so the time the frame spends
//! on a real wire at 1200 and 19200 baud (8N1, 10 bits a byte) is added from its length. Prints a table.

use std::time::{Duration, Instant};

use kiosk_app::counter_api::CounterApi;
use kiosk_app::queue_store::QueueStore;
use kiosk_core::queue::{Policy, Priority, Setup};
use kiosk_drivers::pager::frame::{jtech, Page};
use kiosk_drivers::pager::serial::{Protocol, SimTransmitterDevice};
use kiosk_drivers::transport::SerialLink;
use kiosk_tests::staff_site;

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

    // "Call next" on the counter API -> the pager frame's last byte at the transmitter, JTECH/HME framing (the J1901
    // runs at 19200 baud, SmartAlert at 1200), over HTTP on loopback, the queue's SQLite commit, the pager thread
    // and a real pseudo-terminal with the simulated transmitter parsing frames at the far end.
    let (theirs, ours) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
    let path = serialport::SerialPort::name(&ours).expect("pty path");
    let protocol = Protocol::Jtech { base_id: 10, separator: jtech::SEPARATOR_J1901 };
    let device = SimTransmitterDevice::default();
    let server = device.clone();
    std::thread::spawn(move || server.serve(protocol, Box::new(SerialLink::from_port(theirs))));
    let text = std::fs::read_to_string(kiosk_tests::example_config()).expect("example config");
    let pager =
        format!("transport = \"serial:{path}\"\nbaud = 19200\nprotocol = \"jtech\"\nbase_id = 10\nseparator = 3");
    let text = text.replacen("[devices.pager]\ntransport = \"simulated\"", &format!("[devices.pager]\n{pager}"), 1);
    let config = kiosk_core::config::parse(std::path::Path::new("bench.toml"), text.as_bytes()).expect("config");
    let mut accounts = kiosk_core::staff::Accounts::default();
    accounts.add("bench", "Benchmark", "246813", [3; 16]).expect("account");
    let api_dir = dir.join("counter-api");
    std::fs::create_dir_all(&api_dir).expect("api dir");
    std::fs::write(api_dir.join("staff.toml"), accounts.to_toml()).expect("staff file");
    let setup = staff_site::counter_setup(&api_dir, &config, DAY, || (DAY, 100_000), None);
    let api_store = setup.store.clone();
    let api = CounterApi::new(setup).expect("staff database");
    let (address, _network) = staff_site::serve(api);
    let base = format!("http://{address}/counter/v1");
    let client = reqwest::blocking::Client::new();
    let session: serde_json::Value = client
        .post(format!("{base}/sessions"))
        .json(&serde_json::json!({ "staff_id": "bench", "pin": "246813", "counter": 1 }))
        .send()
        .and_then(|r| r.json())
        .expect("signed in");
    let token = session["token"].as_str().expect("token").to_owned();
    let frame_len = jtech::frame(10, &Page { pager: 1, message: String::new() }, 3).expect("frame").len();
    let (mut to_frame, mut to_reply) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        api_store.run(|q| q.issue("HT", Priority::None, DAY, 100_000)).expect("stored").expect("issued");
        let before = device.paged().len();
        let started = Instant::now();
        let reply: serde_json::Value =
            client.post(format!("{base}/call-next")).bearer_auth(&token).send().and_then(|r| r.json()).expect("called");
        to_reply.push(started.elapsed());
        // The reply waits for the transmitter; the frame is normally in before it.
        while device.paged().len() == before {
            assert!(started.elapsed() < Duration::from_secs(5), "the transmitter never got the page: {reply}");
            std::thread::sleep(Duration::from_micros(20));
        }
        to_frame.push(started.elapsed());
        let id = reply["ticket"]["id"].as_u64().expect("ticket id");
        client.post(format!("{base}/tickets/{id}/done")).bearer_auth(&token).send().expect("done");
    }
    to_frame.sort();
    to_reply.sort();
    let software = percentile(&to_frame, 0.5);
    println!(
        "Counter API call-next to the pager frame's last byte at the transmitter ({} calls, JTECH frame of {frame_len} bytes):",
        to_frame.len()
    );
    println!(
        "  software (HTTP + SQLite commit + pager thread + pseudo-terminal): p50 {:.2} ms, p99 {:.2} ms; HTTP reply p50 {:.2} ms",
        software.as_secs_f64() * 1000.0,
        percentile(&to_frame, 0.99).as_secs_f64() * 1000.0,
        percentile(&to_reply, 0.5).as_secs_f64() * 1000.0,
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
