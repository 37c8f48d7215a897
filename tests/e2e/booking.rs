//! Booking a time through the screen (Slint's testing backend) against the portal simulator on loopback: a slot
//! booked and its slip printed, the slip's QR read back from the printed bytes and shown on arrival (typed the
//! way a QR reader types it) for one priority number, the same code a second time turned away with the number
//! already given; a slot's last place taken by another kiosk a moment before ours, and the next free times
//! offered and booked; a booking made with the portal away, NOT confirmed on its slip, and confirmed later on
//! the status screen by the kiosk's reference.

use kiosk_app::ui::{self, AppWindow};
use kiosk_core::portal::Slot;
use kiosk_tests::portal_sim::{self, Faults, Sim};
use slint::platform::WindowEvent;
use slint::{ComponentHandle, Model as _};

use crate::booking_portal;
use crate::dossier::qr_codes;
use crate::screens::{count, print_finished, slip_text, snapshot, start_kiosk, tap, type_text, Running};
use crate::visit::type_keys;

const WEEKDAYS_VI: [&str; 7] = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"];

/// A slot as the day and slot pages label it: ("Thứ Hai 07/12", "17:30–18:30").
fn labels(slot: &Slot) -> (String, String) {
    let weekday = kiosk_core::booking::weekday(&slot.date).expect("a date") as usize;
    let date = kiosk_core::booking::date_for_reading(&slot.date);
    (format!("{} {}", WEEKDAYS_VI[weekday], &date[..5]), format!("{}–{}", slot.start, slot.end))
}

/// A slot from the simulator's offer two days ahead (never today's, which may pass during the test).
fn slot_ahead(n: usize) -> Slot {
    let today = portal_sim::hanoi_today();
    let (id, date, start, end) = portal_sim::sim_slot_times(today)
        .into_iter()
        .filter(|(_, date, _, _)| *date > (today + chrono::Duration::days(1)).format("%Y-%m-%d").to_string())
        .nth(n)
        .expect("a slot");
    Slot { id, date, start, end, free: 0 }
}

/// From the home screen to the check page for `slot`, "something else", with a name and a phone.
fn book_up_to_check(kiosk: &Running, slot: &Slot) {
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    tap(app, "Đặt lịch hẹn");
    kiosk.settle("the portal's offer", || !k.get_booking_place_vi().is_empty());
    tap(app, "Bắt đầu");
    tap(app, "Việc khác");
    let (day, time) = labels(slot);
    tap(app, &day);
    tap(app, &time);
    type_keys(app, "nguyeenx thij hoaf");
    tap(app, "Tiếp tục");
    type_text(app, "0912345678");
    tap(app, "Tiếp tục");
    assert_eq!(k.get_booking_step(), ui::BookingStep::Check);
}

/// Types `text` as a USB QR reader does (a keyboard to the kiosk), then Enter.
fn qr_reader_types(app: &AppWindow, text: &str) {
    for c in text.chars() {
        app.window().dispatch_event(WindowEvent::KeyPressed { text: c.to_string().into() });
        app.window().dispatch_event(WindowEvent::KeyReleased { text: c.to_string().into() });
    }
    let enter: slint::SharedString = slint::platform::Key::Return.into();
    app.window().dispatch_event(WindowEvent::KeyPressed { text: enter.clone() });
    app.window().dispatch_event(WindowEvent::KeyReleased { text: enter });
}

/// Take a queue number, civil status, "I have a booking", the slip's QR read, and the answer.
fn show_booking_on_arrival(kiosk: &Running, code: &str) {
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    ui::start_over(app);
    tap(app, "Lấy số thứ tự");
    tap(app, "Hộ tịch");
    tap(app, "Tôi đã đặt lịch");
    assert_eq!(k.get_ticket_step(), ui::TicketStep::BookingCode);
    qr_reader_types(app, &code.to_lowercase());
    kiosk.settle("the booking checked", || {
        k.get_arrival_step() != ui::ArrivalStep::Checking && k.get_ticket_step() != ui::TicketStep::Issuing
    });
}

#[test]
fn a_slot_booked_prints_its_code_as_qr_and_on_the_day_the_qr_gives_one_priority_number() {
    let dir = kiosk_tests::scratch_dir("booking-ui");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 31).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("booking-ui-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    let slot = slot_ahead(2);
    book_up_to_check(&kiosk, &slot);
    snapshot(app, "booking-check-vi-1080x1920");
    tap(app, "Đặt giờ này");
    kiosk.settle("the booking confirmed and its slip printed", || print_finished(k.get_booking_sent().print));
    let code = k.get_booking_sent().code.to_string();
    assert!(code.starts_with("LH-"), "confirmed by the portal: {code:?}");
    assert_eq!(count(app, "Đã đặt lịch hẹn thành công"), 1);
    snapshot(app, "booking-booked-vi-1080x1920");

    let held = sim.bookings();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!((held[0].slot_id.as_str(), held[0].booking_code.as_str()), (slot.id.as_str(), code.as_str()));
    assert_eq!(held[0].form.phone, "0912345678");
    assert_eq!(held[0].form.procedure_code, None, "something else");
    assert!(held[0].form.person_name.starts_with("Nguyễn Thị"), "{}", held[0].form.person_name);

    // The slip: the time, the place, the code, and a QR that reads back as the code.
    let job = kiosk.printer().jobs().last().expect("a slip").clone();
    assert_eq!(qr_codes(&job), vec![code.clone()], "the slip's QR is the booking code");
    let text = slip_text(&job);
    let (_, time) = labels(&slot);
    for expected in ["PHIẾU HẸN", code.as_str(), &time.replace('–', " - "), portal_sim::ADDRESS] {
        assert!(text.contains(expected), "{expected:?} on the slip:\n{text}");
    }
    assert!(!text.contains("Nguyễn") && !text.contains("0912345678"), "no name, no whole phone: {text}");

    // The status screen, by the booking code.
    ui::start_over(app);
    tap(app, "Tra cứu tình trạng hồ sơ");
    type_text(app, &code);
    tap(app, "Tra cứu");
    kiosk.settle("the booking's status", || k.get_track_step() != ui::TrackStep::Checking);
    assert_eq!(k.get_track_step(), ui::TrackStep::Current);
    assert!(k.get_track_booking());
    assert_eq!(count(app, "Lịch hẹn của Ông/Bà đã được xác nhận."), 1);
    snapshot(app, "booking-track-vi-1080x1920");

    // On arrival, a day early: no number, and why.
    show_booking_on_arrival(&kiosk, &code);
    assert_eq!(k.get_arrival_step(), ui::ArrivalStep::OtherDay);
    assert_eq!(k.get_ticket_step(), ui::TicketStep::BookingCode);
    snapshot(app, "booking-arrival-other-day-vi-1080x1920");

    // The service point moves it to today: the same QR now gives a priority number, printed.
    let today = portal_sim::sim_slot_times(portal_sim::hanoi_today()).remove(0).0;
    sim.move_booking(&code, &today);
    let printed = kiosk.printer().jobs().len();
    show_booking_on_arrival(&kiosk, &code);
    assert_eq!(k.get_ticket_step(), ui::TicketStep::Issued);
    let label = k.get_ticket().label.to_string();
    assert!(label.starts_with("HT-"), "{label}");
    kiosk.settle("the ticket printed", || kiosk.printer().jobs().len() == printed + 1);
    let ticket = slip_text(kiosk.printer().jobs().last().expect("a ticket"));
    assert!(ticket.contains("Số ưu tiên – có lịch hẹn") && ticket.contains(&label), "{ticket}");
    let waiting: Vec<_> = kiosk.app.queue.read(|q| {
        q.waiting(&["HT".to_owned()], chrono::Utc::now().timestamp()).iter().map(|t| (t.label(), t.priority)).collect()
    });
    assert_eq!(waiting, vec![(label.clone(), kiosk_core::queue::Priority::Booked)], "the counter sees it booked");

    // The same booking again: the number already given, no second one.
    show_booking_on_arrival(&kiosk, &code);
    assert_eq!(k.get_arrival_step(), ui::ArrivalStep::Given);
    assert_eq!(k.get_arrival_given().as_str(), label);
    assert_eq!(count(app, &format!("Lịch hẹn này đã được cấp số: {label}. Mời Ông/Bà chờ đến lượt được gọi.")), 1);
    snapshot(app, "booking-arrival-given-vi-1080x1920");

    // A code no booking has.
    show_booking_on_arrival(&kiosk, "LH-26");
    assert_eq!(k.get_arrival_step(), ui::ArrivalStep::Unknown);

    // From a procedure's page: the booking starts at the day, the procedure chosen.
    ui::start_over(app);
    ui::open(app, ui::Screen::Lookup);
    ui::show_procedure(app, "chung-thuc-chu-ky");
    tap(app, "Đặt lịch hẹn để được hỗ trợ");
    kiosk.settle("the booking's day page", || k.get_booking_question() == 2);
    assert_eq!(k.get_screen(), ui::Screen::Booking);
    assert_eq!(k.get_booking_need_vi().as_str(), "Chứng thực chữ ký trong các giấy tờ, văn bản");
    assert!(k.get_booking_days_first().row_count() > 0);
}

#[test]
fn a_slot_s_last_place_taken_by_another_kiosk_a_moment_before_offers_the_next_free_times() {
    let dir = kiosk_tests::scratch_dir("booking-taken-ui");
    let (sim, running, runtime) = booking_portal::simulator(&dir);
    sim.set_slot_capacity(1);
    let kiosk = start_kiosk("booking-taken-kiosk", 1920, 1080, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    let slot = slot_ahead(4);
    book_up_to_check(&kiosk, &slot);
    // Another kiosk's resident books the same last place, and it reaches the portal first.
    let other = booking_portal::kiosk(&dir, "HN-TEST-0009", &running.base_url(), &runtime);
    booking_portal::save(&other, &booking_portal::form(&slot, "Người khác"));
    let mut forwarder = kiosk_app::outbox::forwarder::Forwarder::new(
        other.outbox.clone(),
        other.new_portal(),
        || chrono::Utc::now().timestamp(),
        kiosk_app::outbox::forwarder::os_random,
    );
    let due = other.outbox.take_due(chrono::Utc::now().timestamp()).expect("read").expect("due");
    runtime.block_on(forwarder.forward(&due)).expect("forwarded");
    assert_eq!(sim.bookings().len(), 1);

    tap(app, "Đặt giờ này");
    kiosk.settle("the portal's answer", || k.get_booking_step() == ui::BookingStep::Taken);
    assert_eq!(count(app, "Giờ này vừa hết chỗ"), 1);
    let alternatives: Vec<_> = k.get_booking_alternatives().iter().collect();
    assert!(!alternatives.is_empty() && alternatives.len() <= 3, "{}", alternatives.len());
    assert!(alternatives.iter().all(|a| a.id.as_str() > slot.id.as_str() && a.free > 0), "later free times only");
    snapshot(app, "booking-taken-vi-1920x1080");
    assert!(kiosk.printer().jobs().is_empty(), "no slip for a booking that was not made");

    // The first free time offered, booked.
    let next = alternatives[0].clone();
    tap(app, &format!("{} {}, {}", WEEKDAYS_VI[next.weekday as usize], next.day_month, next.time));
    assert_eq!(k.get_booking_step(), ui::BookingStep::Check);
    tap(app, "Đặt giờ này");
    kiosk.settle("the booking confirmed and printed", || print_finished(k.get_booking_sent().print));
    let code = k.get_booking_sent().code.to_string();
    assert!(code.starts_with("LH-"), "{code:?}");
    let ours: Vec<_> = sim.bookings().into_iter().filter(|b| b.booking_code == code).collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].slot_id, next.id.as_str());
    assert_eq!(sim.bookings().iter().filter(|b| b.slot_id == slot.id).count(), 1, "never two in a one-place slot");
}

#[test]
fn a_booking_made_with_the_portal_away_is_not_confirmed_until_it_arrives_and_the_status_screen_says_so() {
    let dir = kiosk_tests::scratch_dir("booking-away");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 32).expect("simulator");
    let running = portal_sim::spawn(sim, "127.0.0.1:0".parse().expect("address")).expect("listening");
    let address = running.address;
    let kiosk = start_kiosk("booking-away-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    // The offer is fetched (and kept) while the portal is there; then it goes away.
    tap(app, "Đặt lịch hẹn");
    kiosk.settle("the portal's offer", || !k.get_booking_place_vi().is_empty());
    ui::start_over(app);
    let sim = running.stop();

    let slot = slot_ahead(1);
    book_up_to_check(&kiosk, &slot);
    tap(app, "Đặt giờ này");
    kiosk.settle("the booking saved and its slip printed", || print_finished(k.get_booking_sent().print));
    assert_eq!(k.get_booking_sent().code, "", "not confirmed: the portal is away");
    let reference = k.get_booking_sent().reference.to_string();
    assert_eq!(count(app, "Lịch hẹn đã được lưu nhưng CHƯA được xác nhận"), 1);
    snapshot(app, "booking-saved-away-vi-1080x1920");
    let job = kiosk.printer().jobs().last().expect("a slip").clone();
    assert_eq!(qr_codes(&job), vec![reference.clone()]);
    let text = slip_text(&job);
    assert!(text.contains("CHƯA ĐƯỢC XÁC NHẬN") && text.contains(&reference), "{text}");

    // Checked by its reference while it waits: not confirmed, and the QR on arrival gives no priority.
    ui::start_over(app);
    tap(app, "Tra cứu tình trạng hồ sơ");
    type_text(app, &reference);
    tap(app, "Tra cứu");
    kiosk.settle("the answer", || k.get_track_step() != ui::TrackStep::Checking);
    assert_eq!(k.get_track_step(), ui::TrackStep::Waiting);
    assert!(k.get_track_booking());
    snapshot(app, "booking-track-waiting-vi-1080x1920");
    show_booking_on_arrival(&kiosk, &reference);
    assert_eq!(k.get_arrival_step(), ui::ArrivalStep::NotConfirmed);

    // The portal is back where it was: the forwarder delivers it, and the same reference now shows it booked.
    let _running = portal_sim::spawn(sim.clone(), address).expect("back on the same address");
    // As a technician's "retry now" does: due at once (its backoff may have grown while the portal was away).
    let now = chrono::Utc::now().timestamp();
    let id = kiosk.app.outbox.find_by_reference(&reference).expect("read").expect("in the outbox").id;
    kiosk.app.outbox.retry_at(&id, "the portal is back", now).expect("due now");
    kiosk.app.forwarder.wake();
    kiosk.settle_within("the booking delivered", 120, || sim.bookings().len() == 1);
    ui::start_over(app);
    tap(app, "Tra cứu tình trạng hồ sơ");
    type_text(app, &reference);
    tap(app, "Tra cứu");
    kiosk.settle("the answer", || k.get_track_step() != ui::TrackStep::Checking);
    assert_eq!(k.get_track_step(), ui::TrackStep::Current);
    assert_eq!(k.get_track_booking_state(), 0, "booked");
    assert_eq!(count(app, "Lịch hẹn của Ông/Bà đã được xác nhận."), 1);
    let (_, time) = labels(&slot);
    assert_eq!(k.get_track_booking_time().as_str(), time);
    snapshot(app, "booking-track-confirmed-vi-1080x1920");
}

/// How many statuses the kiosk's cache holds for `code`: the tracking check stores the portal's answer there
/// just before it posts the answer to the screen, so a row appearing says the answer has come back.
fn cached(kiosk: &Running, code: &str) -> i64 {
    let db = rusqlite::Connection::open(kiosk.dir.join("dossier-statuses.sqlite")).expect("the status cache");
    db.query_row("SELECT count(*) FROM statuses WHERE code = ?1", [code], |r| r.get(0)).expect("counted")
}

/// Forgets `code` in the kiosk's status cache, so that the next answer is seen arriving.
fn forget(kiosk: &Running, code: &str) {
    let db = rusqlite::Connection::open(kiosk.dir.join("dossier-statuses.sqlite")).expect("the status cache");
    db.execute("DELETE FROM statuses WHERE code = ?1", [code]).expect("forgotten");
}

/// Runs what the kiosk's threads posted to the screen for `ms` milliseconds.
fn pump_for(kiosk: &Running, ms: u64) {
    let until = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    while std::time::Instant::now() < until {
        kiosk.app.run_posted();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A resident asks for a status or shows a booking, then walks away (start over) before the portal answers:
/// the answer, when it comes, is shown to no one. The next resident's screen stays as it was, no number is
/// issued or printed for the booking, and the booking stays unused, so its resident can check in again.
#[test]
fn a_status_or_booking_answer_that_comes_after_the_resident_left_reaches_no_one() {
    let dir = kiosk_tests::scratch_dir("booking-late-answers");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 37).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("booking-late-answers-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    // A booking for today.
    book_up_to_check(&kiosk, &slot_ahead(1));
    tap(app, "Đặt giờ này");
    kiosk.settle("the booking confirmed", || print_finished(k.get_booking_sent().print));
    let code = k.get_booking_sent().code.to_string();
    assert!(code.starts_with("LH-"), "{code:?}");
    let today = portal_sim::sim_slot_times(portal_sim::hanoi_today()).remove(0).0;
    sim.move_booking(&code, &today);
    // From here the portal answers a second and a half late.
    sim.set_faults(Faults { latency_ms: 1500, ..Faults::default() });

    // The status check: asked, then the resident leaves.
    ui::start_over(app);
    tap(app, "Tra cứu tình trạng hồ sơ");
    type_text(app, &code);
    tap(app, "Tra cứu");
    assert_eq!(k.get_track_step(), ui::TrackStep::Checking);
    assert_eq!(cached(&kiosk, &code), 0);
    ui::start_over(app);
    let (screen, step) = (k.get_screen(), k.get_track_step());
    kiosk.settle("the late status answer", || cached(&kiosk, &code) == 1);
    pump_for(&kiosk, 500);
    assert_eq!((k.get_screen(), k.get_track_step()), (screen, step), "the next resident's screen is unchanged");
    assert_eq!(count(app, "Lịch hẹn của Ông/Bà đã được xác nhận."), 0, "no one else's status on screen");

    // The booking check on arrival: the code read, then the resident leaves.
    forget(&kiosk, &code);
    let printed = kiosk.printer().jobs().len();
    tap(app, "Lấy số thứ tự");
    tap(app, "Hộ tịch");
    tap(app, "Tôi đã đặt lịch");
    qr_reader_types(app, &code.to_lowercase());
    assert_eq!(k.get_arrival_step(), ui::ArrivalStep::Checking);
    ui::start_over(app);
    let (screen, ticket_step) = (k.get_screen(), k.get_ticket_step());
    kiosk.settle("the late booking answer", || cached(&kiosk, &code) == 1);
    pump_for(&kiosk, 500);
    assert_eq!((k.get_screen(), k.get_ticket_step()), (screen, ticket_step), "the next resident's screen is unchanged");
    assert_eq!(kiosk.printer().jobs().len(), printed, "no ticket printed");
    let waiting = kiosk.app.queue.read(|q| q.waiting(&["HT".to_owned()], chrono::Utc::now().timestamp()).len());
    assert_eq!(waiting, 0, "no number issued for a resident who left");

    // The booking is still unused: shown again (the portal prompt again), it gives its one number.
    sim.set_faults(Faults::default());
    show_booking_on_arrival(&kiosk, &code);
    assert_eq!(k.get_ticket_step(), ui::TicketStep::Issued);
    assert!(k.get_ticket().label.starts_with("HT-"));
    kiosk.settle("the ticket printed", || kiosk.printer().jobs().len() == printed + 1);
}
