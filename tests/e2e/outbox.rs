//! The outbox against the portal simulator on loopback: a real SQLite file, real page files, real HTTP with every
//! fault injected; privacy of what stays on disk; a full disk; cleanup after a crash.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use kiosk_app::outbox::forwarder::{os_random, Forwarder};
use kiosk_app::outbox::store::{EnqueueError, NewSubmission, Outbox};
use kiosk_app::portal::{device_key, HttpPortal, Portal as _};
use kiosk_core::outbox::State;
use kiosk_core::portal::Kind;
use kiosk_tests::portal_sim::{self, Faults, Sim};

/// The portal simulator's development public key (its secret is tests/portal-sim/dev-secret.key).
fn portal_key() -> [u8; 32] {
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config");
    config.portal.public_key
}

fn real_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A form as the dossier wizard will produce it: personal data in clear, before sealing.
fn form(n: usize, id_number: &str, name: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "procedure": "1.001193",
        "applicant": { "name": name, "id_number": id_number, "phone": "0912345678" },
        "note": format!("submission {n}"),
    }))
    .expect("json")
}

fn page(n: usize, index: usize, size: usize) -> Vec<u8> {
    (0..size).map(|i| ((i * 31 + n * 7 + index * 13) % 251) as u8).collect()
}

/// Enrols the kiosk, retrying through injected faults.
fn enrol(portal: &HttpPortal, key: &ed25519_dalek::SigningKey, runtime: &tokio::runtime::Runtime) {
    let enrolment = kiosk_app::portal::enrolment("HN-TEST-0001", key);
    for _ in 0..100 {
        if matches!(runtime.block_on(portal.enrol(&enrolment)).status, Some(200 | 201)) {
            return;
        }
    }
    panic!("could not enrol through the faults");
}

/// A portal simulator on a free loopback port, and a kiosk (state directory `dir/kiosk`) enrolled with it.
pub(crate) struct Connected {
    pub(crate) sim: Arc<Sim>,
    pub(crate) running: portal_sim::Running,
    pub(crate) state: std::path::PathBuf,
    pub(crate) key: ed25519_dalek::SigningKey,
    pub(crate) portal: HttpPortal,
    pub(crate) runtime: tokio::runtime::Runtime,
}

pub(crate) fn connected(dir: &std::path::Path, faults: Faults, seed: u64) -> Connected {
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, faults, seed).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let state = dir.join("kiosk");
    kiosk_app::ensure_private_dir(&state).expect("state dir");
    let key = device_key(&state).expect("device key");
    let portal = HttpPortal::new(&running.base_url(), "HN-TEST-0001", key.clone(), real_now).expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    enrol(&portal, &key, &runtime);
    Connected { sim, running, state, key, portal, runtime }
}

/// The test's clock for scheduling retries: jumps ahead between rounds so backoffs of minutes pass at once.
/// (Signatures use the real clock: the portal refuses stale ones.)
static TEST_CLOCK: AtomicI64 = AtomicI64::new(0);
fn test_clock() -> i64 {
    TEST_CLOCK.load(Ordering::SeqCst)
}

#[test]
fn every_saved_submission_arrives_exactly_once_byte_identical_through_every_fault() {
    let dir = kiosk_tests::scratch_dir("outbox-faults");
    let faults = Faults {
        error_rate: 0.15,
        rate_limit_rate: 0.1,
        reset_rate: 0.15,
        html_rate: 0.1,
        too_large_rate: 0.03,
        latency_ms: 0,
    };
    let Connected { sim, running: _running, state, key: _, portal, runtime } = connected(&dir, faults.clone(), 42);
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));

    TEST_CLOCK.store(real_now(), Ordering::SeqCst);
    let mut sent = Vec::new();
    for n in 0..40 {
        let pages: Vec<Vec<u8>> = (0..n % 3).map(|index| page(n, index, 2_000 + 3_000 * index)).collect();
        let form = form(n, &format!("0010890{n:05}"), "Nguyễn Văn Thử");
        let kind = if n % 10 == 9 { Kind::HomeVisit } else { Kind::Dossier };
        let new = NewSubmission { kind, procedure_code: Some("1.001193"), form: &form, pages: &pages };
        let id = outbox.enqueue(new, test_clock()).expect("saved");
        sent.push((id, form, pages));
    }

    let mut forwarder = Forwarder::new(outbox.clone(), portal, test_clock, os_random);
    let mut released = 0;
    for round in 0..60 {
        runtime.block_on(forwarder.drain_due()).expect("outbox readable");
        let summary = outbox.summary(test_clock()).expect("summary");
        if summary.acknowledged == sent.len() as u64 {
            break;
        }
        if round == 20 {
            // Staff look at the quarantined ones once the portal's size limit is fixed, and send them again.
            sim.set_faults(Faults { too_large_rate: 0.0, ..faults.clone() });
        }
        if round >= 20 {
            for quarantined in outbox.quarantined().expect("list") {
                assert_eq!(quarantined.reason, "413 from the portal");
                assert!(outbox.release(&quarantined.id, test_clock()).expect("released"));
                released += 1;
            }
        }
        TEST_CLOCK.fetch_add(1_000, Ordering::SeqCst);
    }

    let received = sim.received();
    assert_eq!(received.len(), sent.len(), "each saved submission arrived once");
    for (id, form, pages) in &sent {
        let arrived: Vec<_> = received.iter().filter(|r| &r.id == id).collect();
        assert_eq!(arrived.len(), 1, "{id} arrived exactly once");
        assert_eq!(&arrived[0].form, form, "{id}: the form is byte-identical");
        assert_eq!(&arrived[0].pages, pages, "{id}: the pages are byte-identical");
        assert_eq!(outbox.state(id).expect("state"), Some(State::Acknowledged));
        assert_eq!(outbox.dossier_code(id).expect("code").as_deref(), Some(arrived[0].dossier_code.as_str()));
    }
    let leftover: Vec<_> = std::fs::read_dir(state.join("outbox/pages")).expect("pages dir").collect();
    assert!(leftover.is_empty(), "no page file left after acknowledgement: {leftover:?}");
    let db = rusqlite::Connection::open(state.join("outbox/outbox.sqlite")).expect("open");
    let sealed: i64 =
        db.query_row("SELECT COUNT(*) FROM submissions WHERE sealed_form IS NOT NULL", [], |r| r.get(0)).expect("n");
    assert_eq!(sealed, 0, "only receipts remain");
    let retries: i64 = db.query_row("SELECT SUM(attempts) FROM submissions", [], |r| r.get(0)).expect("sum");
    assert!(retries >= 20 && released >= 1, "the faults were really met: {retries} retries, {released} released");
}

#[test]
fn a_resident_s_id_number_and_name_never_reach_the_disk_or_the_log_in_clear() {
    use std::io::Write as _;
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Captured::default();
    let writer = log.clone();
    let subscriber =
        tracing_subscriber::fmt().with_writer(move || writer.clone()).with_max_level(tracing::Level::TRACE).finish();

    let dir = kiosk_tests::scratch_dir("outbox-privacy");
    let id_number = "001089012345";
    let name = "Nguyễn Văn Thử";
    // The outbox stays open while its files are read: closing it would fold the WAL back into the database.
    let _outbox = tracing::subscriber::with_default(subscriber, || {
        // Other tests' threads may have cached "nobody listens" for the outbox's log lines before this
        // subscriber existed: ask every call site again.
        tracing::callsite::rebuild_interest_cache();
        let outbox = Outbox::open(&dir, portal_key()).expect("outbox");
        let pages = vec![format!("scan of the ID card {id_number} {name}").into_bytes()];
        let form = form(1, id_number, name);
        let id = outbox
            .enqueue(
                NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages: &pages },
                0,
            )
            .expect("saved");
        assert_eq!(outbox.state(&id).expect("state"), Some(State::Queued));
        tracing::info!(submission = %id, "enqueued in the privacy test");
        outbox
    });
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("outbox.sqlite-wal")), "the WAL is checked too: {files:?}");
    assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "sealed")), "a page file: {files:?}");
    let log = log.0.lock().expect("log").clone();
    assert!(String::from_utf8_lossy(&log).contains("submission saved in the outbox"), "the log was captured");
    let mut places: Vec<(String, Vec<u8>)> =
        files.iter().map(|f| (f.display().to_string(), std::fs::read(f).expect("read"))).collect();
    places.push(("the log".into(), log));
    for (place, bytes) in places {
        for secret in [id_number.as_bytes(), name.as_bytes(), "Nguyen".as_bytes()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "{} found in {place}",
                String::from_utf8_lossy(secret)
            );
        }
    }
    let _ = std::io::stdout().flush();
}

#[test]
fn a_nearly_full_disk_refuses_new_submissions_and_harms_nothing_stored() {
    let dir = kiosk_tests::scratch_dir("outbox-full");
    let outbox = Outbox::open(&dir, portal_key()).expect("outbox");
    let pages = vec![vec![7u8; 10_000]];
    let form = form(1, "001089012345", "Trần Thị B");
    let new = NewSubmission { kind: Kind::Dossier, procedure_code: None, form: &form, pages: &pages };
    let kept = outbox.enqueue(new, 0).expect("room for one");
    let outbox = outbox.with_min_free(u64::MAX / 2);
    match outbox.enqueue(new, 1) {
        Err(EnqueueError::DiskFull { needed, .. }) => assert!(needed > 10_000, "{needed}"),
        other => panic!("expected a full disk, got {other:?}"),
    }
    let summary = outbox.summary(2).expect("summary");
    assert_eq!(summary.queued, 1, "only the first is stored");
    assert_eq!(outbox.sealed_page(&kept, 0).expect("page").len(), 10_000 + 48, "sealed box overhead is 48 bytes");
    assert_eq!(std::fs::read_dir(dir.join("pages")).expect("pages").count(), 1, "no half-written second submission");
}

#[test]
fn after_a_crash_orphan_pages_go_and_interrupted_sends_are_queued_again() {
    let dir = kiosk_tests::scratch_dir("outbox-restart");
    let outbox = Outbox::open(&dir, portal_key()).expect("outbox");
    let form = form(1, "001089012345", "Lê Văn C");
    let pages = vec![vec![1u8; 100]];
    let id = outbox
        .enqueue(NewSubmission { kind: Kind::Dossier, procedure_code: None, form: &form, pages: &pages }, 0)
        .expect("saved");
    assert_eq!(outbox.take_due(0).expect("due").map(|d| d.id), Some(id.clone()));
    assert_eq!(outbox.state(&id).expect("state"), Some(State::Sending));
    drop(outbox);
    // A crash between writing the pages of another submission and committing its row.
    std::fs::create_dir(dir.join("pages/0123456789abcdef0123456789abcdef")).expect("orphan dir");
    std::fs::write(dir.join("pages/0123456789abcdef0123456789abcdef/0.sealed.tmp"), b"half").expect("orphan");

    let outbox = Outbox::open(&dir, portal_key()).expect("reopen");
    assert_eq!(outbox.state(&id).expect("state"), Some(State::Queued), "sending again after the restart");
    let names: Vec<String> = std::fs::read_dir(dir.join("pages"))
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [id], "the orphan is gone, the stored submission's pages stay");
}

/// A tiny seeded generator for the crash test's kill times (the same run every time).
struct Dice(u64);
impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killed_at_random_points_every_submission_reported_saved_is_delivered_exactly_once() {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};
    const PAGE_BYTES: usize = 30_000;

    let dir = kiosk_tests::scratch_dir("outbox-crash");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 7).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let state = dir.join("kiosk");
    let config = kiosk_tests::example_config();
    let kiosk = |args: &[&str]| {
        let mut command = Command::new(kiosk_tests::binary("kiosk"));
        command
            .arg("--config")
            .arg(&config)
            .arg("--state-dir")
            .arg(&state)
            .args(args)
            .env_remove("KIOSK_CONFIG")
            .env("KIOSK_LOG", "warn");
        command
    };

    let mut dice = Dice(0x5eed_cafe);
    let mut saved: Vec<String> = Vec::new();
    let mut killed = 0;
    for _round in 0..16 {
        let mut child = kiosk(&["outbox", "enqueue", "--count", "25", "--page-bytes", &PAGE_BYTES.to_string()])
            .arg("--forward-to")
            .arg(running.base_url())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the kiosk");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|line| line.strip_prefix("saved ").map(str::to_owned))
                .collect::<Vec<_>>()
        });
        // Anywhere from opening the outbox to the middle of forwarding.
        std::thread::sleep(std::time::Duration::from_millis(5 + dice.below(400)));
        if child.try_wait().expect("child state").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
        saved.extend(reader.join().expect("reader"));
    }
    assert!(killed >= 8, "most rounds were killed mid-way ({killed} of 16)");
    assert!(saved.len() >= 50, "enough was saved before the kills to mean something: {}", saved.len());

    let forwarded = kiosk(&["outbox", "forward", "--portal", &running.base_url()]).output().expect("forward");
    assert!(forwarded.status.success(), "{}", String::from_utf8_lossy(&forwarded.stderr));

    let received = sim.received();
    let mut ids: Vec<&str> = received.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), received.len(), "no submission arrived twice");
    for id in &saved {
        let arrived: Vec<_> = received.iter().filter(|r| &r.id == id).collect();
        assert_eq!(arrived.len(), 1, "{id} was reported saved and arrived exactly once");
        let form: serde_json::Value = serde_json::from_slice(&arrived[0].form).expect("the form arrived whole");
        let n = form["n"].as_u64().expect("synthetic form number");
        assert_eq!(arrived[0].form, kiosk_app::outbox::commands::synthetic_form(n), "{id}: form byte-identical");
        assert_eq!(
            arrived[0].pages,
            [kiosk_app::outbox::commands::synthetic_page(n, 0, PAGE_BYTES)],
            "{id}: page byte-identical"
        );
    }
    // Some were committed but killed before "saved" was printed: they are delivered too, and nothing else is.
    let outbox = Outbox::open(&state.join("outbox"), portal_key()).expect("outbox");
    let summary = outbox.summary(real_now()).expect("summary");
    assert_eq!(summary.waiting() + summary.quarantined, 0, "{summary:?}");
    assert_eq!(summary.acknowledged, received.len() as u64, "every stored submission arrived, nothing more");
    let leftover: Vec<_> = std::fs::read_dir(state.join("outbox/pages")).expect("pages").collect();
    assert!(leftover.is_empty(), "no orphan page file: {leftover:?}");
}

#[test]
fn when_the_portal_goes_away_entirely_the_queue_waits_and_drains_when_it_returns() {
    let dir = kiosk_tests::scratch_dir("outbox-away");
    let Connected { sim: _, running, state, key: _, portal, runtime } = connected(&dir, Faults::default(), 3);
    let address = running.address;
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));

    let sim = running.stop(); // gone: connections refused
    TEST_CLOCK.store(real_now(), Ordering::SeqCst);
    let mut forwarder = Forwarder::new(outbox.clone(), portal, test_clock, os_random);
    let forms: Vec<Vec<u8>> = (0..5).map(|n| form(n, "001089012345", "Phạm Thị D")).collect();
    for form in &forms {
        let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form, pages: &[] };
        outbox.enqueue(new, test_clock()).expect("saved while the portal is away");
    }
    for _ in 0..10 {
        runtime.block_on(forwarder.drain_due()).expect("outbox");
        TEST_CLOCK.fetch_add(30, Ordering::SeqCst);
    }
    let summary = outbox.summary(test_clock()).expect("summary");
    assert_eq!(summary.queued, 5, "all still queued, none lost or quarantined: {summary:?}");
    assert!(summary.last_error.as_deref().is_some_and(|e| e.contains("could not connect")), "{summary:?}");

    // Back on the same address.
    let _back = portal_sim::spawn(sim.clone(), address).expect("listening again");
    for _ in 0..20 {
        TEST_CLOCK.fetch_add(1_000, Ordering::SeqCst);
        runtime.block_on(forwarder.drain_due()).expect("outbox");
        if outbox.summary(test_clock()).expect("summary").acknowledged == 5 {
            break;
        }
    }
    let received = sim.received();
    assert_eq!(received.len(), 5);
    for form in &forms {
        assert_eq!(received.iter().filter(|r| &r.form == form).count(), 1);
    }
}

#[test]
fn the_simulator_goes_away_on_request_and_comes_back_on_its_own() {
    let dir = kiosk_tests::scratch_dir("outbox-away-admin");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 3).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let admin = format!("http://{}/admin/away", running.address);
    let client = reqwest::blocking::Client::new();
    let answer = client.post(&admin).json(&serde_json::json!({ "seconds": 1 })).send().expect("admin answers");
    assert_eq!(answer.status().as_u16(), 202);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(std::net::TcpStream::connect(running.address).is_err(), "refused while away");
    let back = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::net::TcpStream::connect(running.address).is_ok()
    });
    assert!(back, "listening again after a second");
}

#[test]
fn heartbeat_dossier_status_and_catalogue_speak_the_portal_contract() {
    use kiosk_app::outbox::forwarder::Conditions;
    let dir = kiosk_tests::scratch_dir("outbox-contract");
    let Connected { sim, running, state, key, portal, runtime } = connected(&dir, Faults::default(), 5);
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));

    // A home-visit request goes through the same outbox as a dossier.
    let form = form(1, "001089012345", "Đỗ Văn E");
    let new = NewSubmission { kind: Kind::HomeVisit, procedure_code: Some("1.001193"), form: &form, pages: &[] };
    let id = outbox.enqueue(new, real_now()).expect("saved");
    let conditions = Arc::new(std::sync::Mutex::new(Conditions {
        printer: "paper_out".into(),
        scanner: "ready (simulated)".into(),
        pager: "absent".into(),
    }));
    let mut forwarder = Forwarder::new(outbox.clone(), portal, real_now, os_random).with_conditions(conditions);
    let before = outbox.summary(real_now()).expect("summary");
    runtime.block_on(forwarder.housekeeping(&before));
    runtime.block_on(forwarder.drain_due()).expect("sent");
    let heartbeats = sim.heartbeats();
    assert_eq!(heartbeats.len(), 1, "one heartbeat, then not again for five minutes");
    let (kiosk, heartbeat) = &heartbeats[0];
    assert_eq!(kiosk, "HN-TEST-0001");
    assert_eq!((heartbeat.printer.as_str(), heartbeat.outbox_waiting), ("paper_out", 1));
    runtime.block_on(forwarder.housekeeping(&before));
    assert_eq!(sim.heartbeats().len(), 1, "not due again yet");

    let code = outbox.dossier_code(&id).expect("code").expect("acknowledged");
    let portal = HttpPortal::new(&running.base_url(), "HN-TEST-0001", key.clone(), real_now).expect("client");
    let reply = runtime.block_on(portal.dossier_status(&code));
    assert_eq!(reply.status, Some(200));
    let status: kiosk_core::portal::DossierStatus = serde_json::from_slice(&reply.body).expect("status");
    assert_eq!(
        (status.dossier_code.as_str(), status.kind, status.state.as_str()),
        (code.as_str(), Kind::HomeVisit, "received")
    );
    assert_eq!(runtime.block_on(portal.dossier_status("SIM-000000-999999")).status, Some(404));
    let stranger =
        HttpPortal::new(&running.base_url(), "HN-TEST-0001", ed25519_dalek::SigningKey::from_bytes(&[9; 32]), real_now)
            .expect("client");
    assert_eq!(runtime.block_on(stranger.dossier_status(&code)).status, Some(401), "another key cannot ask");

    let first = runtime.block_on(portal.catalogue(None));
    assert_eq!(first.status, Some(200));
    let etag = first.etag.expect("an ETag");
    assert_eq!(runtime.block_on(portal.catalogue(Some(&etag))).status, Some(304), "unchanged: not sent again");
}

#[test]
fn the_portal_contract_document_names_every_path_the_kiosk_and_the_simulator_use() {
    let document =
        std::fs::read_to_string(kiosk_tests::workspace_root().join("docs/api/portal-api.yaml")).expect("doc");
    assert!(document.starts_with("openapi: 3."), "an OpenAPI 3 document");
    let paths = [
        kiosk_core::portal::ENROL_PATH.to_owned(),
        kiosk_core::portal::HEARTBEAT_PATH.to_owned(),
        kiosk_core::portal::page_path("{id}", 0).replace("/0", "/{index}"),
        kiosk_core::portal::submission_path("{id}"),
        kiosk_core::portal::dossier_path("{code}"),
        kiosk_core::portal::CATALOGUE_PATH.to_owned(),
        kiosk_core::portal::SLOTS_PATH.to_owned(),
    ];
    for path in paths {
        assert!(document.contains(&format!("\n  {path}:\n")), "{path} is documented");
    }
    use kiosk_core::portal::{CODE_EXPIRED, CODE_OTHER_KIOSK, CODE_REQUIRED, CODE_UNKNOWN, CODE_USED};
    for code in [CODE_REQUIRED, CODE_UNKNOWN, CODE_USED, CODE_EXPIRED, CODE_OTHER_KIOSK] {
        assert!(document.contains(code), "the enrolment refusal {code} is documented");
    }
    for status in ["\"201\"", "\"202\"", "\"409\"", "\"413\"", "\"429\"", "\"304\""] {
        assert!(document.contains(status), "{status} is documented");
    }
    for code in [kiosk_core::portal::SLOT_FULL, "unknown_slot", "SlotOffer", "BookingForm", "booking:"] {
        assert!(document.contains(code), "{code} is documented");
    }
}

#[test]
fn a_newer_catalogue_from_the_portal_replaces_the_bundled_one_and_a_broken_one_never_does() {
    let dir = kiosk_tests::scratch_dir("catalogue-refresh");
    let Connected { sim, running: _running, state, key: _, portal, runtime } = connected(&dir, Faults::default(), 4);
    use kiosk_app::lookup::{refresh, Lookup};

    let first = runtime
        .block_on(refresh(&portal, &state, Some(&catalogue_key())))
        .expect("refresh")
        .expect("a catalogue the first time");
    assert_eq!(first.procedures.len(), Lookup::bundled().catalogue.procedures.len());
    assert!(
        runtime.block_on(refresh(&portal, &state, Some(&catalogue_key()))).expect("refresh").is_none(),
        "unchanged: 304, nothing sent"
    );

    // The city changes a fee: the kiosk takes the new catalogue and keeps it across a restart.
    let bundled = kiosk_app::lookup::BUNDLED;
    let changed = bundled.replacen("10.000 đồng mỗi trường hợp", "12.000 đồng mỗi trường hợp", 1);
    assert_ne!(changed, bundled);
    sim.set_catalogue(&changed);
    let newer = runtime
        .block_on(refresh(&portal, &state, Some(&catalogue_key())))
        .expect("refresh")
        .expect("the newer catalogue");
    let fee = |lookup: &Lookup| lookup.procedure("chung-thuc-chu-ky").expect("procedure").fee_vi.clone();
    assert!(fee(&Lookup::new(newer)).starts_with("12.000"));
    assert!(fee(&Lookup::load(&state)).starts_with("12.000"), "kept in the state directory");

    // A catalogue that fails the checks (here: an unknown schema) is refused; the kiosk keeps the last good one.
    sim.set_catalogue(&changed.replacen("schema = 1", "schema = 2", 1));
    assert!(runtime.block_on(refresh(&portal, &state, Some(&catalogue_key()))).expect("refresh").is_none());
    assert!(fee(&Lookup::load(&state)).starts_with("12.000"));

    // A catalogue with a forged fee, unsigned or signed with another key, is refused (review M7).
    let forged = bundled.replacen("10.000 đồng mỗi trường hợp", "500.000 đồng mỗi trường hợp", 1);
    sim.set_catalogue(&forged);
    for signing in [portal_sim::CatalogueSigning::None, portal_sim::CatalogueSigning::Other] {
        sim.set_catalogue_signing(signing);
        assert!(runtime.block_on(refresh(&portal, &state, Some(&catalogue_key()))).expect("refresh").is_none());
        assert!(fee(&Lookup::load(&state)).starts_with("12.000"), "{signing:?}: the forged fee never lands");
    }
    // Without a key in the config the kiosk takes no update at all.
    sim.set_catalogue_signing(portal_sim::CatalogueSigning::Dev);
    assert!(runtime.block_on(refresh(&portal, &state, None)).expect("refresh").is_none());
    assert!(fee(&Lookup::load(&state)).starts_with("12.000"));
    // Signed by the city's key, it is taken.
    let taken = runtime.block_on(refresh(&portal, &state, Some(&catalogue_key()))).expect("refresh");
    assert!(fee(&Lookup::new(taken.expect("signed"))).starts_with("500.000"));
}

/// The city's catalogue key as the example config names it (the simulator's development key).
fn catalogue_key() -> [u8; 32] {
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config");
    config.portal.catalogue_key.expect("the example config names the simulator's catalogue key")
}

#[test]
fn a_submission_whose_sealed_page_cannot_be_read_is_set_aside_and_the_rest_go_on() {
    let dir = kiosk_tests::scratch_dir("outbox-unreadable");
    let Connected { sim, running: _running, state, key: _, portal, runtime } = connected(&dir, Faults::default(), 9);
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));
    TEST_CLOCK.store(real_now(), Ordering::SeqCst);
    let pages = vec![page(1, 0, 3_000)];
    let forms: Vec<Vec<u8>> = (0..2).map(|n| form(n, "001089012345", "Lê Văn E")).collect();
    let ids: Vec<String> = forms
        .iter()
        .map(|form| {
            let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form, pages: &pages };
            outbox.enqueue(new, test_clock()).expect("saved")
        })
        .collect();
    // The disk loses the first one's page (a damaged sector, a technician's mistake).
    std::fs::remove_file(state.join("outbox/pages").join(&ids[0]).join("0.sealed")).expect("page file");
    let mut forwarder = Forwarder::new(outbox.clone(), portal, test_clock, os_random);
    runtime.block_on(forwarder.drain_due()).expect("the pass goes on past the unreadable one");
    assert_eq!(outbox.state(&ids[0]).expect("state"), Some(State::Quarantined), "set aside, not stuck sending");
    let reason = outbox.quarantined().expect("list").into_iter().find(|q| q.id == ids[0]).expect("listed").reason;
    assert!(reason.contains("sealed page 0 could not be read"), "{reason}");
    assert_eq!(outbox.state(&ids[1]).expect("state"), Some(State::Acknowledged), "the next one is delivered");
    assert_eq!(sim.received().len(), 1);
}

#[test]
fn an_answer_larger_than_the_bound_is_not_read_to_its_end() {
    let dir = kiosk_tests::scratch_dir("outbox-huge-answer");
    let Connected { sim, running: _running, state: _, key: _, portal, runtime } = connected(&dir, Faults::default(), 4);
    sim.set_catalogue(&"# padding\n".repeat((kiosk_app::portal::MAX_REPLY_BYTES / 10) + 10));
    let reply = runtime.block_on(portal.catalogue(None));
    assert_eq!(reply.status, None, "no answer is taken from it");
    assert!(reply.error.as_deref().is_some_and(|e| e.contains("larger than 16 MiB")), "{:?}", reply.error);
    assert!(reply.body.is_empty());
}

#[test]
fn a_replaced_device_key_asks_for_re_enrolment_once_and_enrols_when_the_portal_releases_the_id() {
    use kiosk_app::outbox::forwarder::{enrol_and_run, Conditions, Signal, KEY_MISMATCH};
    let dir = kiosk_tests::scratch_dir("outbox-key-replaced");
    let Connected { sim, running, state, key: old, portal: _, runtime: _ } = connected(&dir, Faults::default(), 5);
    // A crash and a new disk: the device key is made afresh, and the portal knows the kiosk by the old one.
    std::fs::remove_file(state.join("device.key")).expect("old key");
    let key = device_key(&state).expect("new key");
    assert_ne!(key.to_bytes(), old.to_bytes());
    let portal = HttpPortal::new(&running.base_url(), "HN-TEST-0001", key.clone(), real_now).expect("client");
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));
    let form = form(1, "001089012345", "Trần Thị F");
    let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages: &[] };
    let id = outbox.enqueue(new, real_now()).expect("saved");

    let signal = Arc::new(Signal::default());
    let reports = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let forwarder = {
        let (outbox, signal, reports) = (outbox.clone(), signal.clone(), reports.clone());
        let enrolment = kiosk_app::portal::enrolment("HN-TEST-0001", &key);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            let conditions = Arc::new(std::sync::Mutex::new(Conditions::default()));
            runtime.block_on(enrol_and_run(portal, enrolment, outbox, conditions, signal, move |_| {
                reports.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }));
        })
    };
    let before = sim.enrolments_seen();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while outbox.summary(real_now()).expect("summary").last_error.as_deref() != Some(KEY_MISMATCH) {
        assert!(std::time::Instant::now() < deadline, "the technician is never told to re-enrol");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(reports.load(std::sync::atomic::Ordering::SeqCst), 1, "the screen is told at once");
    // It does not hammer the portal: the pauses double (1, 2, 4 s ...) towards a quarter of an hour.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let tries = sim.enrolments_seen() - before;
    assert!((1..=4).contains(&tries), "{tries} enrolment tries in 4 s");
    assert_eq!(reports.load(std::sync::atomic::Ordering::SeqCst), 1, "said once, not on every try");
    assert_eq!(outbox.state(&id).expect("state"), Some(State::Queued), "the dossier waits safely");

    // The portal's operators release the id; the next try (woken here instead of waiting minutes) enrols.
    sim.release_kiosk("HN-TEST-0001");
    signal.wake();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while outbox.state(&id).expect("state") != Some(State::Acknowledged) {
        assert!(std::time::Instant::now() < deadline, "the dossier is not delivered after re-enrolment");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(outbox.summary(real_now()).expect("summary").last_error, None, "the notice goes once enrolled");
    signal.stop();
    forwarder.join().expect("forwarder");
    assert_eq!(sim.received().len(), 1);
}

#[test]
fn a_signed_request_captured_and_sent_again_is_refused() {
    use ed25519_dalek::Signer as _;
    use kiosk_core::portal;
    let dir = kiosk_tests::scratch_dir("outbox-replay");
    let Connected { sim, running, state: _, key, portal: _, runtime: _ } = connected(&dir, Faults::default(), 3);
    let body = serde_json::to_vec(&portal::Heartbeat {
        software: "test".into(),
        printer: "ready".into(),
        scanner: "ready".into(),
        pager: "ready".into(),
        outbox_waiting: 0,
        outbox_quarantined: 0,
        outbox_oldest_seconds: None,
    })
    .expect("json");
    let time = real_now();
    let nonce = "0123456789abcdef0123456789abcdef";
    let signature = key.sign(portal::signing_text("POST", portal::HEARTBEAT_PATH, time, nonce, &body).as_bytes());
    let send = |nonce: &str| {
        reqwest::blocking::Client::new()
            .post(format!("{}{}", running.base_url(), portal::HEARTBEAT_PATH))
            .header("content-type", "application/json")
            .header(portal::HEADER_KIOSK, "HN-TEST-0001")
            .header(portal::HEADER_TIME, time.to_string())
            .header(portal::HEADER_NONCE, nonce)
            .header(portal::HEADER_SIGNATURE, base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()))
            .body(body.clone())
            .send()
            .expect("answered")
    };
    assert!(send(nonce).status().is_success(), "the request as the kiosk sent it");
    let replayed = send(nonce);
    assert_eq!(replayed.status(), reqwest::StatusCode::UNAUTHORIZED);
    assert!(replayed.text().expect("body").contains("replayed"));
    // Another nonce under the same signature does not verify: the nonce is signed.
    assert_eq!(send("fedcba9876543210fedcba9876543210").status(), reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(sim.heartbeats().len(), 1, "the heartbeat was taken once");
}

#[test]
fn a_quarantined_submission_is_exported_still_sealed_for_the_portal_s_operators() {
    use base64::Engine as _;
    let dir = kiosk_tests::scratch_dir("outbox-export");
    let state = dir.join("kiosk");
    kiosk_app::ensure_private_dir(&state).expect("state dir");
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("config");
    let form = form(1, "001089012345", "Phạm Thị G");
    let pages = vec![page(1, 0, 2_000), page(1, 1, 3_000)];
    let id = {
        let outbox = kiosk_app::outbox::commands::open(&config, &state).expect("outbox");
        let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages: &pages };
        let id = outbox.enqueue(new, real_now()).expect("saved");
        outbox.quarantine(&id, "422 unknown procedure").expect("quarantined");
        id
    };
    let out = dir.join("export");
    let path = kiosk_app::outbox::commands::export(&config, &state, &id, &out).expect("exported");
    let text = std::fs::read_to_string(&path).expect("file");
    assert!(!text.contains("Phạm Thị G") && !text.contains("001089012345"), "nothing in clear");
    let body: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["reason"], "422 unknown procedure");
    assert_eq!(body["procedure_code"], "1.001193");
    // The portal's key opens it: the operators get exactly what the resident sent.
    let secret = base64::engine::general_purpose::STANDARD.decode(portal_sim::DEV_SECRET.trim()).expect("b64");
    let secret = crypto_box::SecretKey::from_slice(&secret).expect("key");
    let open = |b64: &serde_json::Value| {
        let sealed = base64::engine::general_purpose::STANDARD.decode(b64.as_str().expect("text")).expect("b64");
        secret.unseal(&sealed).expect("opens with the portal's key")
    };
    assert_eq!(open(&body["sealed_form"]), form);
    let exported: Vec<Vec<u8>> = body["sealed_pages"].as_array().expect("pages").iter().map(open).collect();
    assert_eq!(exported, pages);
    // Only quarantined submissions are exported.
    let other = {
        let outbox = kiosk_app::outbox::commands::open(&config, &state).expect("outbox");
        let new = NewSubmission { kind: Kind::Dossier, procedure_code: None, form: &form, pages: &[] };
        outbox.enqueue(new, real_now()).expect("saved")
    };
    let refused = kiosk_app::outbox::commands::export(&config, &state, &other, &out).expect_err("not quarantined");
    assert!(format!("{refused:#}").contains("not a quarantined submission"));
}

/// A portal that enrols only with the operators' one-time code: a new kiosk's forwarder tells the technician
/// once ("not enrolled"), its dossier waits, and once the technician enrols this same key with a code (what
/// `kiosk-provision enrol --code` sends), the next try goes through and the dossier is delivered.
#[test]
fn a_kiosk_the_portal_does_not_know_waits_for_the_technician_s_code_then_sends() {
    use kiosk_app::outbox::forwarder::{enrol_and_run, Conditions, Signal, NOT_ENROLLED};
    let dir = kiosk_tests::scratch_dir("outbox-enrolment-code");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 3).expect("simulator");
    sim.require_enrolment_codes(true);
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let state = dir.join("kiosk");
    kiosk_app::ensure_private_dir(&state).expect("state dir");
    let key = device_key(&state).expect("device key");
    let portal = HttpPortal::new(&running.base_url(), "HN-TEST-0001", key.clone(), real_now).expect("client");
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));
    let form = form(1, "001089012345", "Lê Văn G");
    let id = outbox
        .enqueue(
            NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages: &[] },
            real_now(),
        )
        .expect("saved");
    let signal = Arc::new(Signal::default());
    let forwarder = {
        let (outbox, signal, portal) = (outbox.clone(), signal.clone(), portal.clone());
        let enrolment = kiosk_app::portal::enrolment("HN-TEST-0001", &key);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            let conditions = Arc::new(std::sync::Mutex::new(Conditions::default()));
            runtime.block_on(enrol_and_run(portal, enrolment, outbox, conditions, signal, |_| {}));
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while outbox.summary(real_now()).expect("summary").last_error.as_deref() != Some(NOT_ENROLLED) {
        assert!(std::time::Instant::now() < deadline, "the technician is never told to enrol");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(outbox.state(&id).expect("state"), Some(State::Queued), "the dossier waits safely");

    let mut enrolment = kiosk_app::portal::enrolment("HN-TEST-0001", &key);
    enrolment.enrolment_code = Some(sim.issue_enrolment_code(Some("HN-TEST-0001"), 600));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    assert_eq!(runtime.block_on(portal.enrol(&enrolment)).status, Some(201), "the technician's enrolment");
    signal.wake();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while outbox.state(&id).expect("state") != Some(State::Acknowledged) {
        assert!(std::time::Instant::now() < deadline, "the dossier is not delivered after enrolment");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(outbox.summary(real_now()).expect("summary").last_error, None, "the notice goes once enrolled");
    signal.stop();
    forwarder.join().expect("forwarder");
}
