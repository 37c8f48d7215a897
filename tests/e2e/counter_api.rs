//! The counter API over loopback: a real HTTP server on a real port, a real SQLite file, real staff accounts
//! with Argon2id hashes, and pagers either simulated in-process or a transmitter on a real pseudo-terminal.

use std::net::SocketAddr;
use std::sync::Arc;

use kiosk_app::counter_api::{self, CounterApi, CounterSetup};
use kiosk_app::devices::Devices;
use kiosk_app::queue_store::QueueStore;
use kiosk_core::config::Config;
use kiosk_core::queue::{Day, Priority, Seconds};
use kiosk_core::staff::Accounts;
use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PIN: &str = "246813";

/// A fixed clock: 2025-11-23 09:00 in Hanoi (day 20415 since the epoch; the timestamp is 02:00 UTC).
fn clock() -> (Day, Seconds) {
    (20_415, 1_763_863_200)
}

fn config(pager: &str) -> Config {
    let text = std::fs::read_to_string(kiosk_tests::example_config()).expect("example config");
    let text = text.replacen("[devices.pager]\ntransport = \"simulated\"", &format!("[devices.pager]\n{pager}"), 1);
    kiosk_core::config::parse(std::path::Path::new("kiosk.toml"), text.as_bytes()).expect("valid config")
}

struct Kiosk {
    base: String,
    store: Arc<QueueStore>,
    devices: Devices,
    client: Client,
    /// What the API told the kiosk about each page (the screen shows a simulated pager vibrating).
    pages: Arc<std::sync::Mutex<Vec<(u16, kiosk_app::devices::PageOutcome)>>>,
    api: Arc<CounterApi>,
    _network: tokio::runtime::Runtime,
}

/// Starts the counter API on a free loopback port, with staff `nv01` and `nv02` (PIN 246813).
fn start(test: &str, config: &Config) -> Kiosk {
    let dir = kiosk_tests::scratch_dir(test);
    let mut accounts = Accounts::default();
    accounts.add("nv01", "Nguyễn Thị Hoa", PIN, [1; 16]).expect("add");
    accounts.add("nv02", "Trần Văn Bình", PIN, [2; 16]).expect("add");
    std::fs::write(dir.join("staff.toml"), accounts.to_toml()).expect("staff file");
    let store = Arc::new(QueueStore::open(&dir.join("queue.sqlite"), config.queue.setup(), clock().0).expect("store"));
    let devices = Devices::open(&config.devices);
    let api = CounterApi::new(CounterSetup {
        store: store.clone(),
        queue: config.queue.clone(),
        allow: Vec::new(),
        staff_file: dir.join("staff.toml"),
        staff_db: dir.join("staff.sqlite"),
        pager: devices.pager_line(),
        announce: kiosk_app::board::Announce::from_config(config),
        clock,
        held: None,
    })
    .expect("staff database");
    let pages = Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = pages.clone();
    let api = api.on_page(Box::new(move |pager, outcome| heard.lock().expect("pages").push((pager, outcome))));
    // The kiosk's one network runtime, as `App` has it.
    let network = tokio::runtime::Runtime::new().expect("runtime");
    let api = Arc::new(api);
    let address =
        counter_api::spawn(api.clone(), "127.0.0.1:0".parse().expect("address"), network.handle()).expect("listening");
    Kiosk {
        base: format!("http://{address}/counter/v1"),
        store,
        devices,
        client: Client::new(),
        pages,
        api,
        _network: network,
    }
}

impl Kiosk {
    fn issue(&self, service: &str, priority: Priority) -> u64 {
        let (day, now) = clock();
        let events = self.store.run(|q| q.issue(service, priority, day, now)).expect("stored").expect("issued");
        match events.last() {
            Some(kiosk_core::queue::Event::TicketIssued { id, .. }) => *id,
            other => panic!("{other:?}"),
        }
    }

    fn sign_in(&self, staff: &str, pin: &str, counter: u16) -> Response {
        self.client
            .post(format!("{}/sessions", self.base))
            .json(&json!({ "staff_id": staff, "pin": pin, "counter": counter }))
            .send()
            .expect("request")
    }

    fn token(&self, staff: &str, counter: u16) -> String {
        let response = self.sign_in(staff, PIN, counter);
        assert_eq!(response.status(), StatusCode::CREATED);
        body(response)["token"].as_str().expect("token").to_owned()
    }

    fn post(&self, token: &str, path: &str, payload: Option<Value>) -> Response {
        let request = self.client.post(format!("{}{path}", self.base)).bearer_auth(token);
        let request = match payload {
            Some(payload) => request.json(&payload),
            None => request,
        };
        request.send().expect("request")
    }

    fn get(&self, token: &str, path: &str) -> Value {
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().expect("request");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        body(response)
    }
}

fn body(response: Response) -> Value {
    response.json().expect("JSON body")
}

fn error_of(response: Response) -> (StatusCode, String, Value) {
    let status = response.status();
    let body = body(response);
    let code = body["error"].as_str().unwrap_or_default().to_owned();
    assert!(body["message_vi"].as_str().is_some_and(|m| !m.is_empty()), "a Vietnamese message: {body}");
    assert!(body["message_en"].as_str().is_some_and(|m| !m.is_empty()), "an English message: {body}");
    (status, code, body)
}

#[test]
fn wrong_pins_lock_the_account_and_a_session_is_needed() {
    let kiosk = start("counter-api-pins", &config("transport = \"simulated\""));
    let (status, code, body) = error_of(kiosk.sign_in("nv01", "135790", 1));
    assert_eq!(
        (status, code.as_str(), body["attempts_left"].as_u64()),
        (StatusCode::UNAUTHORIZED, "wrong_pin", Some(4))
    );
    let (_, code, _) = error_of(kiosk.sign_in("nobody", PIN, 1));
    assert_eq!(code, "wrong_pin", "an unknown id is answered like a wrong PIN");
    for _ in 0..3 {
        kiosk.sign_in("nv01", "135790", 1);
    }
    let locked = kiosk.sign_in("nv01", "135790", 1);
    assert!(locked.headers().get("retry-after").is_some(), "Retry-After on a lock");
    let (status, code, body) = error_of(locked);
    assert_eq!((status, code.as_str()), (StatusCode::LOCKED, "locked"));
    assert_eq!(body["retry_after_seconds"], json!(15 * 60));
    let (status, ..) = error_of(kiosk.sign_in("nv01", PIN, 1));
    assert_eq!(status, StatusCode::LOCKED, "the right PIN does not open a locked account");
    assert_eq!(kiosk.sign_in("nv02", PIN, 1).status(), StatusCode::CREATED, "other staff can still sign in");

    let (status, code, _) = error_of(kiosk.sign_in("nv02", PIN, 9));
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "unknown_counter"));
    let (status, code, _) = error_of(kiosk.client.post(format!("{}/call-next", kiosk.base)).send().expect("request"));
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "sign_in_needed"));
    let (status, code, _) = error_of(kiosk.post("made-up", "/call-next", None));
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "session_expired"));

    let token = kiosk.token("nv02", 2);
    assert_eq!(kiosk.get(&token, "/sessions/current")["services"], json!(["CTR", "DD"]));
    let signed_out = kiosk.client.delete(format!("{}/sessions/current", kiosk.base)).bearer_auth(&token).send();
    assert_eq!(signed_out.expect("request").status(), StatusCode::NO_CONTENT);
    assert_eq!(kiosk.post(&token, "/call-next", None).status(), StatusCode::UNAUTHORIZED, "signed out");
    let (status, code, _) = error_of(kiosk.client.get(format!("{}/nothing-here", kiosk.base)).send().expect("request"));
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (status, code, _) = error_of(kiosk.client.delete(format!("{}/call-next", kiosk.base)).send().expect("request"));
    assert_eq!((status, code.as_str()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "the same shape");
}

#[test]
fn hundreds_of_wrong_pins_at_once_get_five_checks_and_never_more_than_two_argon2_runs_at_a_time() {
    let kiosk = start("counter-api-flood", &config("transport = \"simulated\""));
    let statuses: Vec<(StatusCode, String)> = std::thread::scope(|scope| {
        let (client, base) = (&kiosk.client, kiosk.base.as_str());
        let attempts: Vec<_> = (0..200)
            .map(|n| {
                scope.spawn(move || {
                    // Half guess nv01's PIN, half invent staff ids.
                    let staff = if n % 2 == 0 { "nv01".to_owned() } else { format!("made-up-{n}") };
                    let response = client
                        .post(format!("{base}/sessions"))
                        .json(&json!({ "staff_id": staff, "pin": "135790", "counter": 1 }))
                        .send();
                    match response {
                        Ok(response) => {
                            let (status, code, _) = error_of(response);
                            (status, code)
                        }
                        // More connections than the kiosk serves at once: closed before anything is read.
                        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "closed".to_owned()),
                    }
                })
            })
            .collect();
        attempts.into_iter().map(|a| a.join().expect("attempt")).collect()
    });
    let wrong = statuses.iter().filter(|(_, code)| code == "wrong_pin").count();
    let locked = statuses.iter().filter(|(status, _)| *status == StatusCode::LOCKED).count();
    let busy = statuses.iter().filter(|(_, code)| code == "busy" || code == "closed").count();
    assert_eq!(wrong + locked + busy, 200, "{statuses:?}");
    // The computer may make ten wrong attempts in all: every other one is refused before any PIN is checked.
    assert!(wrong <= 10, "only ten wrong PINs were checked at most, not {wrong}");
    assert!(locked >= 190 - busy, "the rest were locked out: {locked} locked, {busy} busy");
    assert!(
        kiosk.api.pin_checks_at_most() <= kiosk_app::counter_api::PIN_CHECKS_AT_ONCE,
        "at most two Argon2 checks (19 MiB each) ran at once, not {}",
        kiosk.api.pin_checks_at_most()
    );
    let (status, ..) = error_of(kiosk.sign_in("nv02", PIN, 1));
    assert_eq!(status, StatusCode::LOCKED, "this computer stays locked, even with a right PIN");
}

#[test]
fn silent_and_slow_clients_are_cut_off_and_cannot_hold_every_connection() {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    let kiosk = start("counter-api-slow", &config("transport = \"simulated\""));
    let address: std::net::SocketAddr =
        kiosk.base["http://".len()..kiosk.base.find("/counter").expect("path")].parse().expect("address");
    let cap = kiosk_app::counter_api::MAX_CONNECTIONS;
    // Open whether the kiosk still holds it: a read that times out means open, 0 bytes or an error means closed.
    let open = |stream: &TcpStream| {
        stream.set_read_timeout(Some(Duration::from_millis(50))).expect("timeout");
        let mut byte = [0u8; 1];
        let mut reader = stream;
        matches!(reader.read(&mut byte), Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut))
    };
    let started = Instant::now();
    let silent: Vec<TcpStream> = (0..cap + 30).map(|_| TcpStream::connect(address).expect("connect")).collect();
    // A slow client sends its head a byte at a time.
    let mut slow = TcpStream::connect(address).expect("connect");
    std::thread::sleep(Duration::from_millis(500));
    let held = silent.iter().filter(|s| open(s)).count();
    assert!(held <= cap, "the kiosk holds at most {cap} connections, not {held}");
    assert!(held >= cap - 5, "and serves up to its cap: {held}");

    // Meanwhile the kiosk's files still open: the outbox saves a submission.
    let outbox = kiosk_app::outbox::store::Outbox::open(&kiosk_tests::scratch_dir("counter-api-slow-outbox"), [7; 32])
        .expect("the outbox opens while clients hold connections");
    let new = kiosk_app::outbox::store::NewSubmission {
        kind: kiosk_core::portal::Kind::Dossier,
        procedure_code: None,
        form: b"{}",
        pages: &[vec![1; 1000]],
    };
    outbox.enqueue(new, 0).expect("saved");
    // And the scanner: its helper process starts (a process, pipes, SANE's files) and brings a page back.
    let sane = kiosk_tests::sane_test_config(&kiosk_tests::scratch_dir("counter-api-slow-sane").join("sane.d"), 1);
    let mut scanner = kiosk_drivers::scanner::helper::SaneScanner::new("test:0")
        .with_helper(kiosk_tests::binary("kiosk-sane-helper"))
        .with_env("SANE_CONFIG_DIR", &sane.display().to_string())
        .with_deadline(Duration::from_secs(30));
    let settings = kiosk_drivers::scanner::Settings::default();
    let pages = kiosk_drivers::scanner::Scanner::scan(&mut scanner, &settings)
        .expect("the scanner works while clients hold connections");
    assert_eq!(pages.len(), 1);

    // The head timeout cuts every silent one off, and the slow one in the middle of its head.
    let mut sent = 0;
    while started.elapsed() < kiosk_app::counter_api::HEAD_TIMEOUT + Duration::from_secs(3) {
        if slow.write_all(&[b"GET /counter/v1/queue HTTP/1.1\r\nHost: k\r\n"[sent % 40]]).is_err() {
            break;
        }
        sent += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        started.elapsed() < kiosk_app::counter_api::HEAD_TIMEOUT + Duration::from_secs(3),
        "the slow head was cut off ({sent} bytes)"
    );
    let settle = (started + kiosk_app::counter_api::HEAD_TIMEOUT + Duration::from_secs(2))
        .saturating_duration_since(Instant::now());
    std::thread::sleep(settle);
    let still: Vec<usize> = silent.iter().enumerate().filter(|(_, s)| open(s)).map(|(i, _)| i).collect();
    assert!(still.is_empty(), "every silent connection was closed, not {still:?}");
    // And the counters are served again.
    let (status, code, _) = error_of(kiosk.client.get(format!("{}/queue", kiosk.base)).send().expect("request"));
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "sign_in_needed"));
    let big = "x".repeat(kiosk_app::counter_api::MAX_BODY_BYTES + 1);
    let response = kiosk
        .client
        .post(format!("{}/sessions", kiosk.base))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "a body is read only up to its bound");
}

#[test]
fn a_ticket_from_call_to_done_pages_its_pager_and_shows_in_the_figures() {
    let kiosk = start("counter-api-flow", &config("transport = \"simulated\""));
    let pagers = kiosk.devices.simulators.pager.clone().expect("simulated pager");
    let first = kiosk.issue("HT", Priority::None);
    let elderly = kiosk.issue("HT", Priority::Elderly);
    let third = kiosk.issue("HT", Priority::None);
    let token = kiosk.token("nv01", 1);

    let called = body(kiosk.post(&token, "/call-next", None));
    assert_eq!(called["ticket"]["id"], json!(elderly), "priority first: {called}");
    assert_eq!(called["ticket"]["label"], json!("HT-002"));
    assert_eq!(called["ticket"]["priority"], json!("elderly"));
    assert_eq!((called["ticket"]["state"].as_str(), called["ticket"]["counter"].as_u64()), (Some("called"), Some(1)));
    assert_eq!(called["page"]["pager"], json!(2));
    assert_eq!(called["page"]["outcome"], json!("simulated"));
    assert_eq!(pagers.paged(), vec![2]);

    assert_eq!(
        body(kiosk.post(&token, &format!("/tickets/{elderly}/recall"), None))["page"]["outcome"],
        json!("simulated")
    );
    assert_eq!(pagers.paged(), vec![2, 2], "a recall pages again");
    let simulated = kiosk_app::devices::PageOutcome::Paged { simulated: true };
    assert_eq!(*kiosk.pages.lock().expect("pages"), [(2, simulated), (2, simulated)], "the kiosk hears of each page");
    let other = kiosk.token("nv02", 3);
    let (status, code, body_) = error_of(kiosk.post(&other, &format!("/tickets/{elderly}/done"), None));
    assert_eq!((status, code.as_str(), body_["counter"].as_u64()), (StatusCode::FORBIDDEN, "other_counter", Some(1)));

    assert_eq!(
        body(kiosk.post(&token, &format!("/tickets/{elderly}/serve"), None))["ticket"]["state"],
        json!("serving")
    );
    let done = body(kiosk.post(&token, &format!("/tickets/{elderly}/done"), None));
    assert_eq!((done["ticket"]["state"].as_str(), done["pager_returned"].as_u64()), (Some("done"), Some(2)));
    let (status, code, _) = error_of(kiosk.post(&token, &format!("/tickets/{elderly}/done"), None));
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "wrong_state"));

    assert_eq!(body(kiosk.post(&token, "/call-next", None))["ticket"]["id"], json!(first));
    let absent = body(kiosk.post(&token, &format!("/tickets/{first}/no-show"), None));
    assert_eq!(absent["ticket"]["state"], json!("no_show"));
    assert_eq!(body(kiosk.post(&token, "/call-next", None))["ticket"]["id"], json!(third));
    let moved = body(kiosk.post(&token, &format!("/tickets/{third}/transfer"), Some(json!({ "service": "CT" }))));
    assert_eq!(moved["from"]["state"], json!("transferred"));
    assert_eq!((moved["ticket"]["label"].as_str(), moved["ticket"]["pager"].as_u64()), (Some("CT-001"), Some(3)));
    let (status, code, _) =
        error_of(kiosk.post(&token, &format!("/tickets/{third}/transfer"), Some(json!({ "service": "XX" }))));
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "unknown_service"));
    let (status, code, _) = error_of(kiosk.post(&token, "/tickets/999/recall", None));
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "unknown_ticket"));

    let overview = kiosk.get(&token, "/queue");
    let ct = overview["services"].as_array().expect("services").iter().find(|s| s["service"] == "CT").cloned();
    assert_eq!(ct.expect("CT")["waiting"][0]["label"], json!("CT-001"), "{overview}");
    assert_eq!(overview["counters"][0]["next"], json!("CT-001"), "counter 1 also calls CT: {overview}");

    let (status, code, _) = error_of(kiosk.post(&other, "/call-next", None));
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "nobody_waiting"), "counter 3 handles BHX, NCC, HT");
    assert_eq!(body(kiosk.post(&token, "/call-next", None))["ticket"]["label"], json!("CT-001"));

    let figures = kiosk.get(&token, "/figures/today");
    let ht = &figures["services"][0];
    assert_eq!((ht["service"].as_str(), ht["issued"].as_u64()), (Some("HT"), Some(3)), "{figures}");
    assert_eq!((ht["done"].as_u64(), ht["no_show"].as_u64(), ht["transferred"].as_u64()), (Some(1), Some(1), Some(1)));
    assert_eq!(figures["day"], json!("2025-11-23"));

    let missing = body(kiosk.post(&token, "/pagers/5/missing", None));
    assert_eq!(missing["state"], json!("missing"));
    let pool = kiosk.get(&token, "/pagers");
    let states: Vec<(u64, String)> = pool["pagers"]
        .as_array()
        .expect("pagers")
        .iter()
        .take(5)
        .map(|p| (p["pager"].as_u64().unwrap_or(0), p["state"].as_str().unwrap_or("").to_owned()))
        .collect();
    // Pager 1 went with the absent resident: out until someone hands it back; pager 2 came back when served.
    let expected = [(1, "out"), (2, "free"), (3, "out"), (4, "free"), (5, "missing")];
    assert_eq!(states, expected.map(|(p, s)| (p, s.to_owned())), "{pool}");
    // The absent resident's pager comes back; twice is refused.
    assert_eq!(body(kiosk.post(&token, "/pagers/1/returned", None))["state"], json!("free"));
    let (status, code, _) = error_of(kiosk.post(&token, "/pagers/1/returned", None));
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "pager_not_out"));
    // A rating of the served ticket, once, 1 to 4.
    let rated = body(kiosk.post(&token, &format!("/tickets/{elderly}/rating"), Some(json!({ "rating": 3 }))));
    assert_eq!(rated["rating"], json!(3));
    let (status, code, _) =
        error_of(kiosk.post(&token, &format!("/tickets/{elderly}/rating"), Some(json!({ "rating": 4 }))));
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "already_rated"));
    let (status, code, _) =
        error_of(kiosk.post(&token, &format!("/tickets/{first}/rating"), Some(json!({ "rating": 9 }))));
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "bad_rating"));
    let (status, code, _) = error_of(kiosk.post(&token, "/pagers/77/missing", None));
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "unknown_pager"));

    let spec = kiosk.client.get(format!("{}/openapi.yaml", kiosk.base)).send().expect("request");
    assert_eq!(spec.status(), StatusCode::OK);
    assert!(spec.text().expect("text").starts_with("openapi: 3"));
}

#[test]
fn two_counters_calling_at_the_same_moment_never_get_the_same_ticket() {
    let kiosk = start("counter-api-race", &config("transport = \"simulated\""));
    for _ in 0..30 {
        kiosk.issue("HT", Priority::None);
    }
    // Counters 1 and 3 both call HT, each round at the same moment (a barrier lines the calls up).
    let together = std::sync::Arc::new(std::sync::Barrier::new(2));
    let callers: Vec<_> = [("nv01", 1), ("nv02", 3)]
        .into_iter()
        .map(|(staff, counter)| {
            let token = kiosk.token(staff, counter);
            let base = kiosk.base.clone();
            let together = together.clone();
            std::thread::spawn(move || {
                let client = Client::new();
                let post =
                    |path: &str| client.post(format!("{base}{path}")).bearer_auth(&token).send().expect("request");
                let mut called = Vec::new();
                loop {
                    together.wait();
                    let response = post("/call-next");
                    if response.status() != StatusCode::OK {
                        assert_eq!(error_of(response).1, "nobody_waiting");
                        return called;
                    }
                    let id = body(response)["ticket"]["id"].as_u64().expect("id");
                    // Finish it so its pager returns; the next call is a fresh request.
                    assert_eq!(post(&format!("/tickets/{id}/done")).status(), StatusCode::OK);
                    called.push(id);
                }
            })
        })
        .collect();
    let per_counter: Vec<Vec<u64>> = callers.into_iter().map(|c| c.join().expect("caller")).collect();
    assert!(per_counter.iter().all(|c| !c.is_empty()), "both counters called: {per_counter:?}");
    let mut all: Vec<u64> = per_counter.concat();
    all.sort_unstable();
    assert_eq!(all, (1..=30).collect::<Vec<u64>>(), "each ticket called exactly once");
}

#[test]
fn a_computer_outside_the_allowed_networks_is_refused() {
    use axum::extract::connect_info::MockConnectInfo;
    let config = config("transport = \"simulated\"");
    let dir = kiosk_tests::scratch_dir("counter-api-network");
    let store = Arc::new(QueueStore::open(&dir.join("queue.sqlite"), config.queue.setup(), clock().0).expect("store"));
    let devices = Devices::open(&config.devices);
    let allow = vec![kiosk_core::config::Network::parse("192.168.10.0/24").expect("network")];
    let api = Arc::new(
        CounterApi::new(CounterSetup {
            store,
            queue: config.queue.clone(),
            allow,
            staff_file: dir.join("staff.toml"),
            staff_db: dir.join("staff.sqlite"),
            pager: devices.pager_line(),
            announce: kiosk_app::board::Announce::from_config(&config),
            clock,
            held: None,
        })
        .expect("staff database"),
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let serve_from = |peer: SocketAddr| {
        let router = counter_api::router(api.clone()).layer(MockConnectInfo(peer));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let address = listener.local_addr().expect("address");
        runtime.spawn(async move { axum::serve(listener, router).await });
        format!("http://{address}/counter/v1/openapi.yaml")
    };
    let outsider = serve_from("10.1.2.3:50000".parse().expect("address"));
    let (status, code, _) = error_of(Client::new().get(outsider).send().expect("request"));
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "network_not_allowed"));
    let counter_pc = serve_from("192.168.10.41:50000".parse().expect("address"));
    assert_eq!(Client::new().get(counter_pc).send().expect("request").status(), StatusCode::OK);
    let (status, code, _) = error_of(kiosk_sign_in_without_staff_file(&serve_from("127.0.0.1:1".parse().expect("a"))));
    assert_eq!((status, code.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "no_staff_accounts"));
}

fn kiosk_sign_in_without_staff_file(openapi_url: &str) -> Response {
    let sessions = openapi_url.replace("/openapi.yaml", "/sessions");
    Client::new().post(sessions).json(&json!({ "staff_id": "nv01", "pin": PIN, "counter": 1 })).send().expect("request")
}

/// `port` with its descriptor closed on exec. `TTYPort::pair` opens the master without O_CLOEXEC, so a process the
/// kiosk starts meanwhile (the board's espeak-ng for the call's announcement) would hold the transmitter's end
/// open after the test "unplugs" it, and the next page would seem to go through.
#[allow(unsafe_code)] // one FromRawFd; the block says why it is sound
fn close_on_exec(port: serialport::TTYPort) -> serialport::TTYPort {
    use std::os::fd::{AsRawFd as _, BorrowedFd, FromRawFd as _, IntoRawFd as _};
    // SAFETY: the descriptor is open for as long as `port`, which outlives the borrow.
    let borrowed = unsafe { BorrowedFd::borrow_raw(port.as_raw_fd()) };
    let fd = borrowed.try_clone_to_owned().expect("dup with FD_CLOEXEC"); // F_DUPFD_CLOEXEC
    drop(port);
    // SAFETY: `fd` is an open descriptor of the pseudo-terminal's master that nothing else owns.
    unsafe { serialport::TTYPort::from_raw_fd(fd.into_raw_fd()) }
}

/// Calling a ticket pages a real JTECH transmitter on a pseudo-terminal; unplugged, the call still succeeds and
/// says the pager failed.
#[test]
fn calling_pages_a_transmitter_on_a_serial_port() {
    use kiosk_drivers::pager::serial::{Protocol, SimTransmitterDevice};
    use serialport::SerialPort as _;
    let (master, slave) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
    let master = close_on_exec(master);
    let path = slave.name().expect("pty path");
    let transmitter = SimTransmitterDevice::default();
    let server = transmitter.clone();
    let serving = std::thread::spawn(move || {
        server.serve(
            Protocol::Jtech { base_id: 10, separator: 3 },
            Box::new(kiosk_drivers::transport::SerialLink::from_port(master)),
        )
    });
    let pager =
        format!("transport = \"serial:{path}\"\nbaud = 1200\nprotocol = \"jtech\"\nbase_id = 10\nseparator = 3");
    let kiosk = start("counter-api-serial", &config(&pager));
    kiosk.issue("DD", Priority::None);
    kiosk.issue("DD", Priority::None);
    let token = kiosk.token("nv01", 2);
    let called = body(kiosk.post(&token, "/call-next", None));
    assert_eq!(
        (called["page"]["pager"].as_u64(), called["page"]["outcome"].as_str()),
        (Some(1), Some("paged")),
        "{called}"
    );
    // JTECH has no acknowledgement: "paged" means the frame was written; the transmitter reads it a moment later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while transmitter.paged().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(transmitter.paged(), vec![1]);

    transmitter.state.lock().expect("transmitter state").hang_up = true;
    serving.join().expect("transmitter thread").expect("served cleanly");
    drop(slave);
    let called = body(kiosk.post(&token, "/call-next", None));
    assert_eq!(called["ticket"]["label"], json!("DD-002"), "the ticket is called even when the pager cannot be");
    assert_eq!(called["page"]["outcome"], json!("failed"), "{called}");
}
