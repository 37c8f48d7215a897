//! The outbox against the portal simulator on loopback: a real SQLite file, real page files, real HTTP with every
//! fault injected; privacy of what stays on disk; a full disk; cleanup after a crash.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use kiosk_app::outbox::forwarder::{os_random, Forwarder};
use kiosk_app::outbox::portal::{device_key, HttpPortal, Portal as _};
use kiosk_app::outbox::store::{EnqueueError, NewSubmission, Outbox};
use kiosk_core::outbox::State;
use kiosk_core::portal::{Enrolment, Kind};
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
    let enrolment = Enrolment {
        kiosk_id: "HN-TEST-0001".into(),
        public_key: base64::engine::general_purpose::STANDARD.encode(key.verifying_key().to_bytes()),
    };
    for _ in 0..100 {
        if runtime.block_on(portal.enrol(&enrolment)).status == Some(201) {
            return;
        }
    }
    panic!("could not enrol through the faults");
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
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, faults.clone(), 42).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let state = dir.join("kiosk");
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));
    let key = device_key(&state).expect("device key");
    let portal = HttpPortal::new(&running.base_url(), "HN-TEST-0001", key.clone(), real_now).expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    enrol(&portal, &key, &runtime);

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
