//! Bookings between the kiosk's outbox and the portal simulator on loopback, without the screen: two kiosks
//! asking for a slot's last place at the same moment (one gets it, the other's booking is declined, not
//! quarantined, and leaves only a receipt); a booking sent twice under its idempotency key keeps its one code;
//! the slot offer's free places going down and up again; a booking code's status carrying when and where.

use std::sync::{Arc, Barrier};

use kiosk_app::outbox::forwarder::{os_random, Forwarder, Outcome};
use kiosk_app::outbox::resident::{save_form, short_reference};
use kiosk_app::outbox::store::Outbox;
use kiosk_app::portal::{device_key, enrolment, HttpPortal, Portal as _};
use kiosk_core::booking::BookingForm;
use kiosk_core::outbox::State;
use kiosk_core::portal::{self, Kind, Slot, SlotFull, SlotOffer, Submission};
use kiosk_tests::portal_sim::{self, Faults, Sim};

fn real_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The portal simulator's development public key (its secret is tests/portal-sim/dev-secret.key).
fn portal_key() -> [u8; 32] {
    kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config").portal.public_key
}

/// One kiosk: its own state directory, device key (enrolled under `kiosk_id`), outbox and portal client.
pub(crate) struct Kiosk {
    state: std::path::PathBuf,
    pub(crate) outbox: Arc<Outbox>,
    portal: HttpPortal,
    url: String,
    kiosk_id: String,
    key: ed25519_dalek::SigningKey,
}

impl Kiosk {
    /// A client of its own, for another runtime (a pooled connection belongs to the runtime that opened it).
    pub(crate) fn new_portal(&self) -> HttpPortal {
        HttpPortal::new(&self.url, &self.kiosk_id, self.key.clone(), real_now).expect("client")
    }
}

pub(crate) fn kiosk(dir: &std::path::Path, kiosk_id: &str, url: &str, runtime: &tokio::runtime::Runtime) -> Kiosk {
    let state = dir.join(kiosk_id);
    kiosk_app::ensure_private_dir(&state).expect("state dir");
    let key = device_key(&state).expect("device key");
    let portal = HttpPortal::new(url, kiosk_id, key.clone(), real_now).expect("client");
    assert_eq!(runtime.block_on(portal.enrol(&enrolment(kiosk_id, &key))).status, Some(201), "{kiosk_id} enrolled");
    let outbox = Arc::new(Outbox::open(&state.join("outbox"), portal_key()).expect("outbox"));
    Kiosk { state, outbox, portal, url: url.to_owned(), kiosk_id: kiosk_id.to_owned(), key }
}

pub(crate) fn simulator(dir: &std::path::Path) -> (Arc<Sim>, portal_sim::Running, tokio::runtime::Runtime) {
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 11).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    (sim, running, runtime)
}

fn offer(kiosk: &Kiosk, runtime: &tokio::runtime::Runtime) -> SlotOffer {
    let reply = runtime.block_on(kiosk.portal.slots());
    assert_eq!(reply.status, Some(200), "{:?}", reply.error);
    serde_json::from_slice(&reply.body).expect("a slot offer")
}

/// Slots from tomorrow on (today's could leave the offer if Hanoi's midnight passed during the test).
pub(crate) fn later_slots(offer: &SlotOffer) -> Vec<Slot> {
    offer.slots.iter().skip(3).take(offer.slots.len() - 6).cloned().collect()
}

pub(crate) fn form(slot: &Slot, person_name: &str) -> BookingForm {
    BookingForm {
        kind: "booking".into(),
        slot_id: slot.id.clone(),
        date: slot.date.clone(),
        start: slot.start.clone(),
        end: slot.end.clone(),
        procedure_code: Some("1.001193".into()),
        need_vi: "Đăng ký khai sinh".into(),
        need_en: "Birth registration".into(),
        person_name: person_name.into(),
        phone: "0912345678".into(),
        language: "vi".into(),
    }
}

/// Saves a booking in the kiosk's outbox as the booking screen does.
pub(crate) fn save(kiosk: &Kiosk, form: &BookingForm) -> String {
    save_form(&kiosk.outbox, Kind::Booking, form.procedure_code.as_deref(), form, &[], real_now()).expect("saved")
}

/// The submission the forwarder would send for outbox entry `id`, built from the stored sealed bytes.
fn submission(kiosk: &Kiosk, id: &str, procedure_code: Option<&str>) -> Submission {
    use base64::Engine as _;
    Submission {
        kind: Kind::Booking,
        procedure_code: procedure_code.map(str::to_owned),
        page_count: 0,
        created_at: real_now(),
        sealed_form: base64::engine::general_purpose::STANDARD.encode(kiosk.outbox.sealed_form(id).expect("sealed")),
    }
}

#[test]
fn two_kiosks_asking_for_a_slot_s_last_place_at_once_get_one_booking_and_one_decline() {
    let dir = kiosk_tests::scratch_dir("booking-race");
    let (sim, running, runtime) = simulator(&dir);
    sim.set_slot_capacity(1);
    let kiosks = [
        kiosk(&dir, "HN-TEST-0001", &running.base_url(), &runtime),
        kiosk(&dir, "HN-TEST-0002", &running.base_url(), &runtime),
    ];
    // Both kiosks' residents choose the same four slots, one booking each, in the same order.
    let slots: Vec<Slot> = later_slots(&offer(&kiosks[0], &runtime)).into_iter().step_by(4).take(4).collect();
    let ids: Vec<Vec<String>> = kiosks
        .iter()
        .enumerate()
        .map(|(k, kiosk)| slots.iter().map(|slot| save(kiosk, &form(slot, &format!("Người thử {k}")))).collect())
        .collect();

    // Two forwarders, one per kiosk, let go at the same moment.
    let start = Arc::new(Barrier::new(2));
    let outcomes: Vec<std::collections::HashMap<String, Outcome>> = std::thread::scope(|scope| {
        let running: Vec<_> = kiosks
            .iter()
            .zip(&ids)
            .map(|(kiosk, ids)| {
                let start = start.clone();
                scope.spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
                    let mut forwarder = Forwarder::new(kiosk.outbox.clone(), kiosk.new_portal(), real_now, os_random);
                    let due: Vec<_> = ids.iter().map(|_| kiosk.outbox.take_due(real_now()).expect("due")).collect();
                    start.wait();
                    due.into_iter()
                        .map(|due| {
                            let due = due.expect("due");
                            (due.id.clone(), runtime.block_on(forwarder.forward(&due)).expect("forwarded"))
                        })
                        .collect()
                })
            })
            .collect();
        running.into_iter().map(|thread| thread.join().expect("forwarder thread")).collect()
    });

    let held = sim.bookings();
    assert_eq!(held.len(), slots.len(), "one booking per slot, never two: {held:?}");
    for (n, slot) in slots.iter().enumerate() {
        let pair = [&outcomes[0][&ids[0][n]], &outcomes[1][&ids[1][n]]];
        let booked: Vec<&String> = pair
            .iter()
            .filter_map(|o| match o {
                Outcome::Acknowledged { dossier_code } => Some(dossier_code),
                _ => None,
            })
            .collect();
        assert_eq!(booked.len(), 1, "slot {}: exactly one kiosk got it: {pair:?}", slot.id);
        let code = booked[0];
        assert!(code.starts_with("LH-") && portal::valid_dossier_code(code), "{code}");
        let (winner, loser) = if matches!(pair[0], Outcome::Acknowledged { .. }) { (0, 1) } else { (1, 0) };
        assert_eq!(pair[loser], &Outcome::Declined { reason: "409 slot_full: the slot is full".into() });

        let at_portal: Vec<_> = held.iter().filter(|b| b.slot_id == slot.id).collect();
        assert_eq!(at_portal.len(), 1, "{}", slot.id);
        assert_eq!((&at_portal[0].booking_code, at_portal[0].state.as_str()), (code, "booked"));
        assert_eq!(at_portal[0].form, form(slot, &format!("Người thử {winner}")), "the winner's form, whole");
        assert_eq!(at_portal[0].kiosk_id, format!("HN-TEST-000{}", winner + 1));

        let (won, lost) = (&ids[winner][n], &ids[loser][n]);
        let (winner, loser) = (&kiosks[winner], &kiosks[loser]);
        assert_eq!(winner.outbox.state(won).expect("state"), Some(State::Acknowledged));
        assert_eq!(loser.outbox.state(lost).expect("state"), Some(State::Declined), "declined, not quarantined");
        let receipt = loser.outbox.find_by_reference(&short_reference(lost)).expect("read").expect("a receipt");
        assert_eq!((receipt.kind, receipt.state, receipt.dossier_code), (Kind::Booking, State::Declined, None));
        // Nothing of the loser's booking is left on its disk but the receipt.
        let db = rusqlite::Connection::open(loser.state.join("outbox/outbox.sqlite")).expect("open");
        let sealed: Option<Vec<u8>> = db
            .query_row("SELECT sealed_form FROM submissions WHERE id = ?1", [lost], |r| r.get(0))
            .expect("the receipt row");
        assert_eq!(sealed, None, "the declined booking's sealed form is deleted");
        assert!(!loser.state.join("outbox/pages").join(lost).exists());
    }
    for kiosk in &kiosks {
        let summary = kiosk.outbox.summary(real_now()).expect("summary");
        assert_eq!((summary.waiting(), summary.quarantined), (0, 0), "{summary:?}");
        assert_eq!(summary.acknowledged + summary.declined, slots.len() as u64, "{summary:?}");
        assert!(kiosk.outbox.take_due(real_now() + 100_000).expect("due").is_none(), "a decline is never retried");
    }
    let declined: u64 = kiosks.iter().map(|k| k.outbox.summary(real_now()).expect("summary").declined).sum();
    assert_eq!(declined, slots.len() as u64, "one decline per slot");
}

#[test]
fn a_booking_sent_twice_keeps_its_one_code_and_a_full_slot_names_the_next_free_ones() {
    let dir = kiosk_tests::scratch_dir("booking-idempotent");
    let (sim, running, runtime) = simulator(&dir);
    let kiosk = kiosk(&dir, "HN-TEST-0001", &running.base_url(), &runtime);
    let slots = later_slots(&offer(&kiosk, &runtime));
    let chosen = &slots[0];
    let id = save(&kiosk, &form(chosen, "Trần Thị Thử"));
    let sent = submission(&kiosk, &id, Some("1.001193"));

    // The answer is lost on the way (the kiosk sends again): the portal answers with the same code.
    let codes: Vec<String> = (0..2)
        .map(|_| {
            let reply = runtime.block_on(kiosk.portal.submit(&id, &sent));
            assert_eq!(reply.status, Some(201), "{}", String::from_utf8_lossy(&reply.body));
            serde_json::from_slice::<portal::Receipt>(&reply.body).expect("a receipt").dossier_code
        })
        .collect();
    assert_eq!(codes[0], codes[1], "the same booking, the same code");
    assert!(codes[0].starts_with("LH-") && portal::valid_dossier_code(&codes[0]), "{}", codes[0]);
    assert_eq!(sim.bookings().len(), 1, "one place taken");
    let taken = offer(&kiosk, &runtime).slots.into_iter().find(|s| s.id == chosen.id).expect("still offered");
    assert_eq!(taken.free, portal_sim::SLOT_CAPACITY - 1);

    // The forwarder meets the same answer again: the outbox takes the code.
    let mut forwarder = Forwarder::new(kiosk.outbox.clone(), kiosk.portal.clone(), real_now, os_random);
    assert_eq!(runtime.block_on(forwarder.drain_due()).expect("forwarded"), 1);
    assert_eq!(kiosk.outbox.dossier_code(&id).expect("code").as_deref(), Some(codes[0].as_str()));

    // Another payload under the same key is not taken for it.
    let other = save(&kiosk, &form(chosen, "Lê Văn Khác"));
    let different = submission(&kiosk, &other, Some("1.001193"));
    let reply = runtime.block_on(kiosk.portal.submit(&id, &different));
    assert_eq!((reply.status, reply.error_code()), (Some(409), Some("different_payload")));

    // A slot the portal never offered.
    let nowhere = Slot { id: "2001-01-01T03:00".into(), ..chosen.clone() };
    let lost = save(&kiosk, &form(&nowhere, "Phạm Văn Lạc"));
    let reply = runtime.block_on(kiosk.portal.submit(&lost, &submission(&kiosk, &lost, None)));
    assert_eq!((reply.status, reply.error_code()), (Some(422), Some("unknown_slot")));

    // The slot fills up (the counter takes the other places): the answer names the next free slots.
    sim.set_slot_capacity(1);
    let reply = runtime.block_on(kiosk.portal.submit(&other, &different));
    assert_eq!(reply.status, Some(409));
    let full: SlotFull = serde_json::from_slice(&reply.body).expect("a slot_full body");
    assert_eq!(full.error, portal::SLOT_FULL);
    let next: Vec<(&str, u32)> = full.next_free.iter().map(|s| (s.id.as_str(), s.free)).collect();
    let expected: Vec<(&str, u32)> = slots[1..4].iter().map(|s| (s.id.as_str(), 1)).collect();
    assert_eq!(next, expected, "the three slots after it, each with its place free");
    assert_eq!(sim.bookings().len(), 1);
}

#[test]
fn the_offer_s_free_places_go_down_with_bookings_and_a_booking_s_status_says_when_and_where() {
    let dir = kiosk_tests::scratch_dir("booking-offer");
    let (sim, running, runtime) = simulator(&dir);
    let kiosk = kiosk(&dir, "HN-TEST-0001", &running.base_url(), &runtime);

    let first = offer(&kiosk, &runtime);
    assert_eq!((first.place_vi.as_str(), first.address.as_str()), (portal_sim::PLACE_VI, portal_sim::ADDRESS));
    assert_eq!(first.slots.len(), 14 * 3, "today and the 13 days after, three slots each");
    assert!(first.slots.windows(2).all(|w| (&w[0].date, &w[0].start) < (&w[1].date, &w[1].start)), "in time order");
    assert!(first.slots.iter().all(|s| s.free == portal_sim::SLOT_CAPACITY));
    for slot in &first.slots {
        let weekend = matches!(
            kiosk_core::booking::weekday(&slot.date),
            Some(kiosk_core::booking::Weekday::Saturday | kiosk_core::booking::Weekday::Sunday)
        );
        let starts: &[&str] = if weekend { &["08:00", "09:00", "10:00"] } else { &["17:30", "18:30", "19:30"] };
        assert!(starts.contains(&slot.start.as_str()), "{slot:?}");
        assert_eq!(slot.id, format!("{}T{}", slot.date, slot.start));
    }
    let chosen = later_slots(&first)[4].clone();

    let mut forwarder = Forwarder::new(kiosk.outbox.clone(), kiosk.portal.clone(), real_now, os_random);
    let mut codes = Vec::new();
    for booked in 1..=portal_sim::SLOT_CAPACITY {
        save(&kiosk, &form(&chosen, &format!("Người thử {booked}")));
        assert_eq!(runtime.block_on(forwarder.drain_due()).expect("forwarded"), 1);
        let now = offer(&kiosk, &runtime);
        for slot in &now.slots {
            let expected = if slot.id == chosen.id { portal_sim::SLOT_CAPACITY - booked } else { slot.free };
            assert_eq!(slot.free, expected, "{slot:?}");
        }
        assert!(now.slots.iter().filter(|s| s.id != chosen.id).all(|s| s.free == portal_sim::SLOT_CAPACITY));
        codes.push(sim.bookings().last().expect("held").booking_code.clone());
    }
    // A cancelled booking gives its place back.
    sim.set_booking_state(&codes[0], "cancelled");
    let after = offer(&kiosk, &runtime).slots.into_iter().find(|s| s.id == chosen.id).expect("offered");
    assert_eq!(after.free, 1);

    // The status of a booking code says it is a booking, its state, and when and where.
    let reply = runtime.block_on(kiosk.portal.dossier_status(&codes[1]));
    assert_eq!(reply.status, Some(200));
    let status: portal::DossierStatus = serde_json::from_slice(&reply.body).expect("a status");
    assert_eq!(
        (status.dossier_code.as_str(), status.kind, status.state.as_str()),
        (codes[1].as_str(), Kind::Booking, "booked")
    );
    assert_eq!(status.fee, None);
    assert_eq!(
        status.booking,
        Some(portal::Booked {
            date: chosen.date.clone(),
            start: chosen.start.clone(),
            end: chosen.end.clone(),
            place_vi: portal_sim::PLACE_VI.into(),
            place_en: portal_sim::PLACE_EN.into(),
            address: portal_sim::ADDRESS.into(),
            procedure_code: Some("1.001193".into()),
        })
    );
    sim.set_booking_state(&codes[1], "attended");
    let reply = runtime.block_on(kiosk.portal.dossier_status(&codes[1]));
    let status: portal::DossierStatus = serde_json::from_slice(&reply.body).expect("a status");
    assert_eq!(status.state, "attended");
    let reply = runtime.block_on(kiosk.portal.dossier_status(&codes[0]));
    let status: portal::DossierStatus = serde_json::from_slice(&reply.body).expect("a status");
    assert_eq!(status.state, "cancelled");

    // A dossier's status has no booking (and keeps its shape).
    let dossier = kiosk_app::outbox::store::NewSubmission {
        kind: Kind::Dossier,
        procedure_code: Some("1.001193"),
        form: br#"{"synthetic": true}"#,
        pages: &[],
    };
    let id = kiosk.outbox.enqueue(dossier, real_now()).expect("saved");
    assert_eq!(runtime.block_on(forwarder.drain_due()).expect("forwarded"), 1);
    let code = kiosk.outbox.dossier_code(&id).expect("code").expect("acknowledged");
    assert!(code.starts_with("SIM-"), "{code}");
    let reply = runtime.block_on(kiosk.portal.dossier_status(&code));
    assert!(!String::from_utf8_lossy(&reply.body).contains("booking"), "no booking member for a dossier");

    // The offer is only for enrolled kiosks.
    let stranger =
        HttpPortal::new(&running.base_url(), "HN-TEST-0001", ed25519_dalek::SigningKey::from_bytes(&[9; 32]), real_now)
            .expect("client");
    assert_eq!(runtime.block_on(stranger.slots()).status, Some(401));
}

#[test]
fn the_simulator_offers_weekday_evenings_and_weekend_mornings_from_today() {
    // 2026-12-04 is a Friday.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
    let slots = portal_sim::sim_slot_times(today);
    assert_eq!(slots.len(), 42);
    let first: Vec<_> =
        slots.iter().take(4).map(|(id, d, s, e)| (id.as_str(), d.as_str(), s.as_str(), e.as_str())).collect();
    assert_eq!(
        first,
        [
            ("2026-12-04T17:30", "2026-12-04", "17:30", "18:30"),
            ("2026-12-04T18:30", "2026-12-04", "18:30", "19:30"),
            ("2026-12-04T19:30", "2026-12-04", "19:30", "20:30"),
            ("2026-12-05T08:00", "2026-12-05", "08:00", "09:00"),
        ]
    );
    assert_eq!(slots.last().map(|s| s.0.as_str()), Some("2026-12-17T19:30"), "13 days after today");
}
