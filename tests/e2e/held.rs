//! Held dossiers, end to end: the portal simulator goes away, a resident's dossier and a home-visit request wait
//! in the kiosk's real outbox; a counter signs in to the real console over HTTP, lists them (no personal data),
//! opens the dossier (answers, page), takes it in by hand with the register number; the portal comes back, the
//! home visit is delivered, the dossier never is, and the portal receives the hand-intake marker instead. A
//! resident checking the reference is told the counter has it.

use std::sync::atomic::{AtomicI64, Ordering};

use kiosk_app::outbox::forwarder::{os_random, Forwarder};
use kiosk_app::outbox::resident::{save_form, short_reference};
use kiosk_app::portal::Portal as _;
use kiosk_app::tracking::{self, Answer};
use kiosk_core::outbox::State;
use kiosk_core::portal::Kind;
use kiosk_core::queue::{Day, Seconds};
use kiosk_tests::portal_sim::{self, Faults};
use kiosk_tests::staff_site::{self, value_of, Agent};

const DAY: Day = 20_415;

/// The console's clock (sessions, audit): fixed, the outbox's own times come from the test.
fn console_clock() -> (Day, Seconds) {
    (DAY, chrono::Utc::now().timestamp())
}

static TEST_CLOCK: AtomicI64 = AtomicI64::new(0);
fn test_clock() -> i64 {
    TEST_CLOCK.load(Ordering::SeqCst)
}

fn real_now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[test]
fn a_dossier_held_while_the_portal_is_away_is_taken_in_by_hand_and_the_portal_gets_a_marker_instead() {
    let dir = kiosk_tests::scratch_dir("held-by-hand");
    let crate::outbox::Connected { sim: _, running, state, key: _, portal, runtime } =
        crate::outbox::connected(&dir, Faults::default(), 5);
    let address = running.address;
    let site = staff_site::start(&state, &staff_site::config_with_counters(3), 1, DAY, console_clock);
    let outbox = site.outbox.clone();

    // The portal goes away; a resident finishes a dossier with two pages, another asks for a home visit.
    let sim = running.stop();
    TEST_CLOCK.store(real_now(), Ordering::SeqCst);
    let forms = kiosk_app::dossier::forms();
    let form = forms.iter().find(|f| f.fields.iter().any(|x| !x.options.is_empty())).expect("a form with a choice");
    let catalogue = kiosk_core::catalogue::parse(kiosk_app::lookup::BUNDLED).expect("catalogue");
    let procedure = catalogue.procedures.iter().find(|p| p.id == form.procedure).expect("its procedure");
    let choice = form.fields.iter().find(|f| !f.options.is_empty()).expect("choice");
    let document = &form.documents[0];
    let dossier = serde_json::json!({
        "kind": "dossier", "procedure_id": form.procedure, "procedure_code": procedure.code,
        "answers": { form.fields[0].id.clone(): "NGUYỄN VĂN AN", choice.id.clone(): choice.options[0].id },
        "delivery": "at_the_counter", "delivery_address": null, "papers": [[document.id, 2]],
        "consent_version": "1", "language": "vi",
    });
    let pages = vec![b"\xff\xd8\xff page one".to_vec(), b"\xff\xd8\xff page two".to_vec()];
    let held = save_form(&outbox, Kind::Dossier, Some(&procedure.code), &dossier, &pages, test_clock()).expect("saved");
    let visit = serde_json::json!({
        "kind": "home_visit", "for_relative": false, "person_name": "TRẦN THỊ BÌNH", "requester_name": null,
        "phone": "0912345678", "ward_code": "00001", "ward_name": "Phường Hoàn Kiếm", "street": "5 Lý Thái Tổ",
        "procedure_id": null, "procedure_code": null, "when": "morning", "language": "vi",
    });
    let visit_id = save_form(&outbox, Kind::HomeVisit, None, &visit, &[], test_clock() + 1).expect("saved");
    let mut forwarder = Forwarder::new(outbox.clone(), portal.clone(), test_clock, os_random);
    for _ in 0..3 {
        runtime.block_on(forwarder.drain_due()).expect("outbox");
        TEST_CLOCK.fetch_add(3_600, Ordering::SeqCst);
    }
    assert_eq!(outbox.summary(test_clock()).expect("summary").queued, 2, "both wait for the portal");

    // Not signed in: nothing of it shows.
    let mut stranger = Agent::new(&site.base);
    for path in [format!("/staff/held/{held}"), format!("/staff/held/{held}/pages/0"), "/staff/held".into()] {
        let (status, location, body) = stranger.get(&path);
        assert_eq!((status.as_u16(), location.as_str()), (303, "/staff/sign-in"), "{path}");
        assert!(!body.contains("NGUYỄN"), "{path}");
    }

    // The list: references, what and when; no names, phones or addresses.
    let mut counter = Agent::new(&site.base);
    counter.sign_in(staff_site::PIN);
    let (status, _, list) = counter.get("/staff/held");
    assert_eq!(status.as_u16(), 200);
    let (reference, visit_reference) = (short_reference(&held), short_reference(&visit_id));
    assert!(list.contains(&reference) && list.contains(&visit_reference), "{list}");
    assert!(list.contains("Hồ sơ chờ gửi") && list.contains("Đang chờ: đã thử gửi"), "{list}");
    assert!(list.contains(&procedure.code), "the procedure is named by its code");
    for personal in ["NGUYỄN VĂN AN", "TRẦN THỊ BÌNH", "0912345678", "Lý Thái Tổ"] {
        assert!(!list.contains(personal), "the list shows no personal data: {personal}");
    }

    // Opened: the answers under their labels, the choice in words, the pages as images.
    let (status, _, opened) = counter.get(&format!("/staff/held/{held}"));
    assert_eq!(status.as_u16(), 200);
    assert!(opened.contains("NGUYỄN VĂN AN") && opened.contains(&form.fields[0].label_vi), "{opened}");
    assert!(opened.contains(&choice.options[0].vi), "the choice in words");
    assert!(opened.contains(&document.name_vi) && opened.contains(&format!("/staff/held/{held}/pages/1")));
    let (status, headers, page) = counter.get_bytes(&format!("/staff/held/{held}/pages/1"));
    assert_eq!((status.as_u16(), page.as_slice()), (200, pages[1].as_slice()));
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["cache-control"], "no-store", "a resident's page is never cached by the browser");
    assert_eq!(counter.get_bytes(&format!("/staff/held/{held}/pages/2")).0.as_u16(), 404);
    let (_, _, visit_page) = counter.get(&format!("/staff/held/{visit_id}"));
    assert!(visit_page.contains("TRẦN THỊ BÌNH") && visit_page.contains("Buổi sáng"), "{visit_page}");

    // The resident's paper for the counter (what the kiosk prints when the portal is away): its codes, typed by
    // the counter's scanner, give back the answers and lead to the dossier this kiosk holds.
    let csrf = value_of(&opened, "csrf");
    let paper = |kiosk: &str, id: &str| {
        let intake = kiosk_core::intake::Intake { kiosk: kiosk.into(), id: id.into(), form: dossier.clone() };
        kiosk_core::intake::encode(&intake).join("\r\n")
    };
    let (status, read) =
        counter.post_page("/staff/intake", &[("csrf", &csrf), ("scanned", &paper("HN-TEST-0001", &held))]);
    assert_eq!(status.as_u16(), 200);
    assert!(read.contains("NGUYỄN VĂN AN") && read.contains(&form.fields[0].label_vi), "{read}");
    assert!(read.contains(&choice.options[0].vi) && read.contains(&format!("{}: 2 trang", document.name_vi)), "{read}");
    assert!(
        read.contains(&format!("href=\"/staff/held/{held}\"")) && read.contains("Ki-ốt này đang giữ hồ sơ"),
        "{read}"
    );
    assert_eq!(read.matches("HCC1:").count(), 1, "the box is empty again (only its hint names the prefix)");
    // A paper from another kiosk: where the dossier is kept, and what to write so it is not handled twice.
    let elsewhere = paper("HN-LONGBIEN-0007", "0193a1b2-3c4d-7e8f-9a0b-1c2d3e4f5a6b");
    let (_, read) = counter.post_page("/staff/intake", &[("csrf", &csrf), ("scanned", &elsewhere)]);
    assert!(read.contains("Ki-ốt HN-LONGBIEN-0007 đang giữ hồ sơ này") && read.contains("NGUYỄN VĂN AN"), "{read}");
    // A damaged code is said to be damaged, and what was scanned stays in the box to look at.
    let damaged = elsewhere.replacen(":1/1:", ":1/1:A", 1);
    let (status, read) = counter.post_page("/staff/intake", &[("csrf", &csrf), ("scanned", &damaged)]);
    assert_eq!(status.as_u16(), 200);
    assert!(
        read.contains("Có mã chưa đọc được trọn vẹn") && read.contains(&damaged) && !read.contains("NGUYỄN"),
        "{read}"
    );
    let (_, read) = counter.post_page("/staff/intake", &[("csrf", &csrf), ("scanned", "https://dichvucong.gov.vn")]);
    assert!(read.contains("Đây không phải mã trên phiếu nộp hồ sơ"), "{read}");
    // Not signed in, or a forged form: nothing is read.
    let (status, read) = stranger.post_page("/staff/intake", &[("csrf", &csrf), ("scanned", &elsewhere)]);
    assert_eq!(status.as_u16(), 303);
    assert!(!read.contains("NGUYỄN"));
    let (status, _) = counter.post_page("/staff/intake", &[("csrf", "forged"), ("scanned", &elsewhere)]);
    assert_eq!(status.as_u16(), 303);

    // Taking it in: a forged form and bad register numbers change nothing.
    let take = format!("/staff/held/{held}/taken");
    counter.post(&take, &[("csrf", "forged"), ("register_number", "125/2026")]);
    assert!(counter.message("/staff/counter").starts_with("Trang đã hết hạn"));
    counter.post(&take, &[("csrf", &csrf), ("register_number", "   ")]);
    assert_eq!(counter.message(&format!("/staff/held/{held}")), "Nhập số vào sổ tiếp nhận của hồ sơ này.");
    counter.post(&take, &[("csrf", &csrf), ("register_number", "125<b>")]);
    assert_eq!(counter.message(&format!("/staff/held/{held}")), "Số vào sổ chỉ gồm chữ, số, dấu cách và / - . _");
    assert_eq!(outbox.state(&held).expect("state"), Some(State::Queued));

    let (to, _) = counter.post(&take, &[("csrf", &csrf), ("register_number", "  125/2026 ")]);
    assert_eq!(to, "/staff/held");
    let message = counter.message("/staff/held");
    assert!(message.contains(&reference) && message.contains("số vào sổ 125/2026"), "{message}");
    assert_eq!(outbox.state(&held).expect("state"), Some(State::TakenByHand));
    assert!(!state.join("outbox/pages").join(&held).exists(), "the kiosk's copies are gone");
    let (_, location, _) = counter.get(&format!("/staff/held/{held}"));
    assert_eq!(location, "/staff/held");
    assert!(counter.message("/staff/held").contains("đã được tiếp nhận trực tiếp"));
    counter.post(&take, &[("csrf", &csrf), ("register_number", "126/2026")]);
    assert!(counter.message("/staff/held").contains("đã được tiếp nhận trực tiếp"), "not taken twice");
    let (_, read) = counter.post_page("/staff/intake", &[("csrf", &csrf), ("scanned", &paper("HN-TEST-0001", &held))]);
    assert!(
        read.contains("đã được tiếp nhận trực tiếp") && !read.contains("Ki-ốt này đang giữ"),
        "the paper says so too"
    );

    // Who opened and took what, without what it said.
    let db = rusqlite::Connection::open(state.join("staff.sqlite")).expect("staff database");
    let audit: Vec<String> = db
        .prepare(
            "SELECT staff_id || ' ' || action || ' ' || subject FROM audit WHERE action LIKE 'held-%' ORDER BY seq",
        )
        .expect("query")
        .query_map([], |row| row.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("audit");
    assert_eq!(
        audit,
        [
            format!("nv01 held-opened {reference}"),
            format!("nv01 held-opened {visit_reference}"),
            // Each showing of the page is an opening: the two refused register numbers brought it back.
            format!("nv01 held-opened {reference}"),
            format!("nv01 held-opened {reference}"),
            format!("nv01 held-taken-by-hand {reference} register 125/2026"),
        ]
    );
    let papers_read: i64 = db
        .query_row("SELECT count(*) FROM audit WHERE action = 'counter-paper-read'", [], |row| row.get(0))
        .expect("count");
    assert_eq!(papers_read, 3, "each paper read whole is in the audit log (a damaged one shows nothing)");

    // A resident checking the reference meanwhile is told the counter has it.
    let cache = tracking::Cache::open(&dir.join("statuses.sqlite")).expect("cache");
    let answer = runtime.block_on(tracking::check(&portal, &cache, &outbox, &reference, real_now()));
    assert_eq!(answer, Answer::AtCounter(Kind::Dossier));

    // The portal comes back: the home visit is delivered, the dossier is not; the portal gets the marker.
    let _back = portal_sim::spawn(sim.clone(), address).expect("listening again");
    for _ in 0..5 {
        TEST_CLOCK.fetch_add(3_600, Ordering::SeqCst);
        runtime.block_on(forwarder.drain_due()).expect("outbox");
    }
    let received: Vec<String> = sim.received().into_iter().map(|r| r.id).collect();
    assert_eq!(received, std::slice::from_ref(&visit_id), "the dossier taken by hand is never sent");
    let markers = sim.hand_intakes();
    assert_eq!(markers.len(), 1, "one marker");
    assert_eq!((markers[0].id.as_str(), markers[0].kiosk_id.as_str()), (held.as_str(), "HN-TEST-0001"));
    assert_eq!(
        (markers[0].intake.register_number.as_str(), markers[0].intake.counter, markers[0].intake.kind),
        ("125/2026", 1, Kind::Dossier)
    );
    assert_eq!(markers[0].intake.procedure_code.as_deref(), Some(procedure.code.as_str()));
    assert_eq!(markers[0].already_received, None);
    assert!(outbox.hand_record(&held).expect("record").is_some_and(|r| r.marker_sent_at.is_some()));
    let (_, _, list) = counter.get("/staff/held");
    assert!(list.contains("Không có hồ sơ nào đang chờ"), "the delivered visit is no longer held");
    let summary = outbox.summary(test_clock()).expect("summary");
    assert_eq!((summary.acknowledged, summary.taken_by_hand, summary.waiting()), (1, 1, 0), "{summary:?}");

    // The portal's side of the contract: a submission under an id taken by hand is refused; a marker for a
    // submission it had received says so.
    let submission = kiosk_core::portal::Submission {
        kind: Kind::Dossier,
        procedure_code: Some(procedure.code.clone()),
        page_count: 0,
        created_at: 0,
        sealed_form: String::new(),
    };
    let refused = runtime.block_on(portal.submit(&held, &submission));
    assert_eq!(refused.status, Some(409));
    assert!(String::from_utf8_lossy(&refused.body).contains(kiosk_core::portal::TAKEN_BY_HAND));
    let code = sim.received()[0].dossier_code.clone();
    let intake = kiosk_core::portal::HandIntake { register_number: "127/2026".into(), ..markers[0].intake.clone() };
    let reply = runtime.block_on(portal.taken_by_hand(&visit_id, &intake));
    let receipt: kiosk_core::portal::HandIntakeReceipt = serde_json::from_slice(&reply.body).expect("receipt");
    assert_eq!((reply.status, receipt.already_received), (Some(201), Some(code)));
}
