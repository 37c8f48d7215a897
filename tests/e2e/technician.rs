//! The technician's screen, off the residents' screens: the hidden corner (a 5-second press, with the testing
//! backend's mock time), the PIN pad (no PIN set, wrong PINs, the lockout kept across a restart, the right PIN),
//! the technician screen with the devices and its tests (print, scan, page) through the real kiosk and its
//! simulated devices, its own quiet time; and what residents see instead: no status strip, no test print, a calm
//! notice when the printer or the scanner is out.

use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use kiosk_app::ui::{self, AppWindow};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::ComponentHandle;

use crate::screens::{count, snapshot, start, start_kiosk, start_kiosk_in, tap, wait_seconds, Running, NO_PORTAL};

const PIN: &str = "246813";
const PAD: &str = "Mã PIN kỹ thuật viên";
const NOT_SET: &str = "Ki-ốt này chưa có mã PIN kỹ thuật viên. Hãy đặt mã bằng lệnh kiosk-provision setup tại dòng lệnh của ki-ốt, rồi nhấn giữ góc màn hình một lần nữa.";
const HOME: &str = "Xin chào! Ông/Bà cần làm gì hôm nay?";

/// Advances the testing backend's clock by `millis`, a tenth of a second at a time (timers fire on the way).
fn advance(millis: u64) {
    for _ in 0..millis / 100 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(100));
    }
}

fn pointer(app: &AppWindow, (x, y): (f32, f32), pressed: bool) {
    let position = slint::LogicalPosition::new(x, y);
    app.window().dispatch_event(WindowEvent::PointerMoved { position });
    let event = if pressed {
        WindowEvent::PointerPressed { position, button: PointerEventButton::Left }
    } else {
        WindowEvent::PointerReleased { position, button: PointerEventButton::Left }
    };
    app.window().dispatch_event(event);
}

/// A finger held on `at` for `millis`, then lifted.
fn hold(app: &AppWindow, at: (f32, f32), millis: u64) {
    pointer(app, at, true);
    advance(millis);
    pointer(app, at, false);
}

/// The screen's top-left corner, inside the hidden 100 x 100 area.
const CORNER: (f32, f32) = (40.0, 40.0);

fn pad_shown(app: &AppWindow) -> bool {
    app.global::<ui::Kiosk>().get_pin_shown()
}

fn pin_state(app: &AppWindow) -> ui::PinState {
    app.global::<ui::Kiosk>().get_pin_state()
}

/// Holds the corner for 5 seconds and waits for the pad's opening answer from the shell.
fn open_pad(kiosk: &Running) {
    let app = kiosk.window();
    hold(app, CORNER, 5_100);
    assert!(pad_shown(app), "the PIN pad opens after 5 s");
    kiosk.settle("the pad's opening check", || pin_state(app) != ui::PinState::Checking);
}

/// Types `pin` on the pad's keys and presses OK; waits for the answer.
fn enter_pin(kiosk: &Running, pin: &str) {
    let app = kiosk.window();
    for digit in pin.chars() {
        tap(app, &digit.to_string());
    }
    assert_eq!(app.global::<ui::Kiosk>().get_pin_length(), pin.len() as i32);
    assert_eq!(count(app, &format!("Mã PIN: đã nhập {} chữ số", pin.len())), 1, "the pad shows how many, not which");
    tap(app, "Xác nhận");
    kiosk.settle("the PIN's check", || {
        pin_state(app) != ui::PinState::Checking || !pad_shown(app) || on_technician_screen(app)
    });
}

fn on_technician_screen(app: &AppWindow) -> bool {
    app.global::<ui::Kiosk>().get_screen() == ui::Screen::Technician
}

/// A kiosk with the technician PIN set, on the technician screen.
fn open_technician_screen(test: &str) -> Running {
    let kiosk = start_kiosk(test, 1080, 1920, NO_PORTAL);
    kiosk_app::technician::set_pin(&kiosk.dir, PIN).expect("PIN set");
    open_pad(&kiosk);
    enter_pin(&kiosk, PIN);
    assert!(on_technician_screen(kiosk.window()), "the right PIN opens the technician screen");
    kiosk
}

#[test]
fn a_press_shorter_than_five_seconds_opens_nothing_and_five_seconds_open_the_pin_pad() {
    let app = start(1080, 1920);
    hold(&app, CORNER, 4_800);
    assert!(!pad_shown(&app), "4.8 s opens nothing");
    assert_eq!(count(&app, PAD), 0);
    // Two presses of 3 s: the time counts from each press, so together they open nothing.
    hold(&app, CORNER, 3_000);
    hold(&app, CORNER, 3_000);
    assert!(!pad_shown(&app), "the press must still be held at 5 s");
    // The header's own buttons work as before, and a long press on one of them opens nothing.
    tap(&app, "English");
    assert_eq!(ui::current_language(&app), Some(kiosk_core::config::Language::English));
    let english = ElementHandle::find_by_accessible_label(&app, "Tiếng Việt").next().expect("the language switch");
    let (position, size) = (english.absolute_position(), english.size());
    hold(&app, (position.x + size.width / 2.0, position.y + size.height / 2.0), 6_000);
    assert!(!pad_shown(&app), "a long press on a header button is not the corner");
    assert_eq!(ui::current_language(&app), Some(kiosk_core::config::Language::Vietnamese), "the button still works");
    // Elsewhere on the screen, 6 s is nothing either.
    hold(&app, (540.0, 1000.0), 6_000);
    assert!(!pad_shown(&app));
    app.global::<ui::Kiosk>().invoke_start_over();

    hold(&app, CORNER, 5_100);
    assert!(pad_shown(&app), "5 s on the corner opens the PIN pad");
    assert_eq!(count(&app, PAD), 1);
    // The corner is nothing to assistive technology or the speaker: the screen reads as it did.
    assert!(!ui::read_aloud::screen_words(&app).contains("PIN"), "the pad is not read aloud with the screen");
    tap(&app, "Hủy");
    assert!(!pad_shown(&app));
    assert_eq!(count(&app, HOME), 1, "Cancel goes back to the screen under the pad");
}

#[test]
fn with_no_pin_set_the_pad_says_how_to_set_one_and_never_opens_the_screen() {
    let kiosk = start_kiosk("technician-no-pin", 1080, 1920, NO_PORTAL);
    let app = kiosk.window();
    assert!(!kiosk_app::technician::is_set(&kiosk.dir));
    open_pad(&kiosk);
    assert_eq!(pin_state(app), ui::PinState::NotSet);
    assert_eq!(count(app, NOT_SET), 1, "the pad says so, and how to set one");
    assert_eq!(count(app, "Xác nhận"), 0, "no keys: nothing to check");
    app.global::<ui::Kiosk>().invoke_pin_ok();
    app.global::<ui::Kiosk>().invoke_open(ui::Screen::Technician);
    assert!(!on_technician_screen(app), "the technician screen never opens without a PIN");
    snapshot(app, "technician-pin-not-set-vi-1080x1920");
    tap(app, "Hủy");
    assert_eq!(count(app, HOME), 1);
}

#[test]
fn wrong_pins_are_refused_and_five_lock_the_pad_even_after_the_kiosk_restarts() {
    let kiosk = start_kiosk("technician-lockout", 1080, 1920, NO_PORTAL);
    let dir = kiosk.dir.clone();
    kiosk_app::technician::set_pin(&dir, PIN).expect("PIN set");
    let app = kiosk.window();
    open_pad(&kiosk);
    assert_eq!(pin_state(app), ui::PinState::Entry);
    for left in (1..=4).rev() {
        enter_pin(&kiosk, "135790");
        assert_eq!(pin_state(app), ui::PinState::Wrong);
        assert_eq!(count(app, &format!("Sai mã PIN. Số lần thử còn lại trước khi bàn phím bị khóa: {left}.")), 1);
        assert!(!on_technician_screen(app));
    }
    snapshot(app, "technician-pin-wrong-vi-1080x1920");
    enter_pin(&kiosk, "135790");
    assert_eq!(pin_state(app), ui::PinState::Locked);
    assert_eq!(count(app, "Nhập sai mã PIN quá nhiều lần. Bàn phím đang bị khóa: thử lại sau 5 phút."), 1);
    assert_eq!(count(app, "Xác nhận"), 0, "no PIN is taken while locked");
    tap(app, "Hủy");
    // Locked even for the right PIN, and after the kiosk restarts.
    assert_eq!(
        kiosk_app::technician::check(&dir, PIN, chrono::Utc::now().timestamp()),
        kiosk_app::technician::Answer::Locked { minutes_left: 5 }
    );
    drop(kiosk);
    // As systemd starts the kiosk again only once the old process is gone: wait for the old one's threads to let
    // the outbox go (its forwarder may be inside a connection attempt when the kiosk stops).
    let lock = dir.join("outbox").join("outbox.lock");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::File::open(&lock).expect("the outbox's lock file").try_lock().is_err() {
        assert!(std::time::Instant::now() < deadline, "the stopped kiosk let its outbox go");
        std::thread::sleep(Duration::from_millis(50));
    }
    let kiosk = start_kiosk_in(dir, 1080, 1920, NO_PORTAL, None, |_| {});
    let app = kiosk.window();
    open_pad(&kiosk);
    assert_eq!(pin_state(app), ui::PinState::Locked, "still locked after a restart");
    let minutes = app.global::<ui::Kiosk>().get_pin_minutes_left();
    assert!((4..=5).contains(&minutes), "{minutes} minutes left");
    assert_eq!(
        count(app, &format!("Nhập sai mã PIN quá nhiều lần. Bàn phím đang bị khóa: thử lại sau {minutes} phút.")),
        1
    );
    assert!(!on_technician_screen(app));
}

#[test]
fn the_right_pin_opens_the_technician_screen_with_the_devices_and_its_tests() {
    let kiosk = open_technician_screen("technician-screen");
    let app = kiosk.window();
    let state = app.global::<ui::Kiosk>();
    assert_eq!(count(app, "Kỹ thuật viên"), 1);
    assert!(!pad_shown(app), "the pad closes");
    kiosk.settle("the first device check", || count(app, "Máy in: sẵn sàng (mô phỏng)") == 1);
    assert_eq!(count(app, "Máy quét: sẵn sàng (mô phỏng)"), 1);
    assert_eq!(count(app, "Thẻ rung: sẵn sàng (mô phỏng)"), 1);
    assert_eq!(count(app, "Hệ thống dịch vụ công: mất kết nối"), 1, "the portal is away");
    assert_eq!(count(app, "Ki-ốt: HN-DEMO-0001"), 1);
    assert_eq!(count(app, &format!("Phiên bản: {}", env!("CARGO_PKG_VERSION"))), 1);
    // The outbox's counts, as the forwarder reports them after each pass (with the portal away, as it is here,
    // the kiosk is not enrolled yet and no pass runs: they are shown from the store).
    crate::screens::enqueue_synthetic_dossier(&kiosk, "1.001193");
    let mut summary = kiosk.app.outbox.summary(chrono::Utc::now().timestamp() + 600).expect("the outbox's counts");
    ui::show_outbox(app, &summary);
    assert_eq!(count(app, "Hồ sơ chờ gửi: 1"), 1);
    assert_eq!(count(app, "Hồ sơ chờ lâu nhất: 10 phút"), 1);
    assert_eq!(count(app, "Hồ sơ bị từ chối, cần cán bộ xử lý: 0"), 1);
    (summary.quarantined, summary.disk_low) = (2, true);
    summary.last_error = Some("connection refused".into());
    ui::show_outbox(app, &summary);
    assert_eq!(count(app, "Hồ sơ bị từ chối, cần cán bộ xử lý: 2"), 1);
    assert_eq!(count(app, "Ổ đĩa sắp đầy: ki-ốt không nhận thêm hồ sơ mới."), 1);
    assert_eq!(count(app, "Lỗi gửi gần nhất: connection refused"), 1);

    // Test print: the page through the device thread to the simulated printer, and what it received.
    let printer = kiosk.printer();
    tap(app, "In thử");
    kiosk.settle("the test page", || count(app, "Phiếu máy in vừa in ra") == 1);
    assert_eq!(count(app, "Phiếu đã in"), 1);
    assert_eq!(printer.jobs().len(), 1, "one job reached the printer");
    snapshot(app, "technician-test-print-vi-1080x1920");
    tap(app, "Đóng");
    assert_eq!(count(app, "Phiếu máy in vừa in ra"), 0);

    // Test scan: one page through the device thread, its preview, size and time.
    tap(app, "Quét thử");
    kiosk.settle("the test scan", || state.get_scan_test() != ui::TestState::Running);
    assert_eq!(state.get_scan_test(), ui::TestState::Done);
    assert_eq!(count(app, "Trang vừa quét"), 1, "the preview");
    let (width, height) = (state.get_scan_test_width(), state.get_scan_test_height());
    assert!(width > 1500 && height > 2200, "an A4 page at 200 dpi: {width} x {height}");
    assert_eq!(count(app, &format!("Đã quét: {width} × {height} điểm ảnh, 200 dpi")), 1);
    assert_eq!(count(app, &format!("Thời gian: {} ms", state.get_scan_test_ms())), 1);

    // Test pager: the first of the range, then the next; the simulated transmitter's answer.
    let pagers = kiosk.app.simulators.pager.clone().expect("the example simulates the pagers");
    assert_eq!(state.get_pager_test_number(), 1, "the first of [queue] pager_range");
    tap(app, "Số thẻ trước");
    assert_eq!(state.get_pager_test_number(), 1, "not below the range");
    tap(app, "Rung thử");
    kiosk.settle("the test page", || state.get_pager_test() != ui::TestState::Running);
    assert_eq!(count(app, "Thẻ rung số 1: máy phát mô phỏng đã nhận lệnh rung."), 1);
    tap(app, "Số thẻ sau");
    tap(app, "Rung thử");
    kiosk.settle("the second test page", || count(app, "Thẻ rung số 2: máy phát mô phỏng đã nhận lệnh rung.") == 1);
    assert_eq!(pagers.paged(), [1, 2], "the transmitter paged what was chosen");
    snapshot(app, "technician-vi-1080x1920");

    // Faults: the transmitter unplugged, the scanner's lid open, the printer out of paper; each with its cause.
    pagers.set_connected(false);
    tap(app, "Rung thử");
    kiosk.settle("the failed test page", || state.get_pager_test() == ui::TestState::Failed);
    assert_eq!(count(app, "Thẻ rung số 2: chưa rung được (chưa kết nối)."), 1);
    assert!(state.get_pager_test_cause().contains("not connected"), "{}", state.get_pager_test_cause());
    let scanner = kiosk.app.simulators.scanner.clone().expect("the example simulates the scanner");
    scanner.set_problem(Some(kiosk_drivers::scanner::ErrorKind::CoverOpen));
    tap(app, "Quét thử");
    kiosk.settle("the failed test scan", || state.get_scan_test() == ui::TestState::Failed);
    assert_eq!(count(app, "Không quét được: nắp đang mở"), 1);
    // Under the test's result, and in the devices card as soon as the device thread has looked again.
    assert!(count(app, "the scanner reports: scanner cover is open") >= 1, "the driver's cause");
    assert!(state.get_scan_test_cause().contains("cover is open"), "{}", state.get_scan_test_cause());
    printer.set_status(kiosk_drivers::printer::Status {
        paper: kiosk_drivers::printer::Paper::Out,
        ..kiosk_drivers::printer::Status::READY
    });
    kiosk.settle("the printer's fault", || count(app, "Máy in: hết giấy (mô phỏng)") == 1);
    kiosk.settle("the scanner's fault", || count(app, "Máy quét: nắp đang mở (mô phỏng)") == 1);
    tap(app, "In thử");
    kiosk.settle("the failed print", || count(app, "Không in được: hết giấy") == 1);
    assert_eq!(count(app, "Cán bộ: kiểm tra cuộn giấy và nắp máy in rồi thử lại."), 1);
    assert_eq!(printer.jobs().len(), 1, "nothing sent to a printer without paper");
    tap(app, "Đóng");
    // A device thread that panicked and started again, with the panic's message.
    ui::show_device_event(app, kiosk_app::devices::Event::Restarted { restarts: 2, cause: "driver fell over".into() });
    assert_eq!(count(app, "Kiểm tra thiết bị đã khởi động lại 2 lần; lần cuối: driver fell over"), 1);
    snapshot(app, "technician-fault-vi-1080x1920");
    tap(app, "English");
    assert_eq!(count(app, "Printer: out of paper (simulated)"), 1);
    assert_eq!(count(app, "Technician"), 1);
    snapshot(app, "technician-fault-en-1080x1920");

    // Leave: home, and the PIN is needed again.
    tap(app, "Leave");
    assert_eq!(state.get_screen(), ui::Screen::Home);
    state.invoke_open(ui::Screen::Technician);
    assert_eq!(state.get_screen(), ui::Screen::Home, "no way back without the PIN");
    open_pad(&kiosk);
    assert_eq!(pin_state(app), ui::PinState::Entry, "the PIN is asked again");
}

#[test]
fn the_technician_screen_goes_home_after_a_quiet_minute_without_the_residents_prompt() {
    let kiosk = open_technician_screen("technician-idle");
    let app = kiosk.window();
    let state = app.global::<ui::Kiosk>();
    wait_seconds(50);
    tap(app, "Số thẻ sau");
    wait_seconds(59);
    assert!(on_technician_screen(app), "a touch gives the full minute again");
    assert_eq!(state.get_idle_left(), 0, "the residents' prompt never shows on the technician screen");
    wait_seconds(2);
    assert_eq!(state.get_screen(), ui::Screen::Home, "back to the start after 60 s without a touch");
    assert_eq!(count(app, HOME), 1);
    // The residents' quiet time (90 s) would have asked first; the home screen never asks.
    wait_seconds(120);
    assert_eq!(state.get_idle_left(), 0);
    // The PIN is needed again.
    open_pad(&kiosk);
    assert_eq!(pin_state(app), ui::PinState::Entry);
    assert!(!on_technician_screen(app));
    // The pad left open closes by itself too.
    wait_seconds(61);
    assert!(!pad_shown(app), "an untouched pad closes after a minute");
}

#[test]
fn residents_see_no_status_strip_nor_test_print_and_a_calm_notice_when_a_device_is_out() {
    let kiosk = start_kiosk("technician-residents", 1080, 1920, NO_PORTAL);
    let app = kiosk.window();
    let state = app.global::<ui::Kiosk>();
    kiosk.settle("the first device check", || state.get_printer().state == ui::DeviceState::Ready);
    let strip = ["Máy in: ", "Máy quét: ", "Thẻ rung: ", "Hệ thống dịch vụ công: ", "Hồ sơ chờ gửi", "HN-DEMO-0001"];
    let resident_screens = [("home", None), ("queue", Some("Lấy số thứ tự")), ("dossier", Some("Nộp hồ sơ"))];
    for (screen, tile) in resident_screens {
        if let Some(tile) = tile {
            tap(app, tile);
        }
        assert_eq!(count(app, "In thử"), 0, "{screen}: no test print for residents");
        let labels: Vec<String> = ui::unfolded(app, || {
            i_slint_backend_testing::ElementQuery::from_root(app)
                .find_all()
                .into_iter()
                .filter_map(|element| element.accessible_label().map(|label| label.to_string()))
                .collect()
        });
        assert!(labels.len() > 5, "{screen}: the screen's elements are found");
        for shown in &labels {
            assert!(!strip.iter().any(|s| shown.contains(s)), "{screen}: the status strip's {shown:?}");
        }
        if tile.is_some() {
            tap(app, "Làm lại");
        }
    }

    // The printer runs out of paper: before taking a number residents are told, calmly, in Vietnamese first.
    let notice = "Máy in đã hết giấy: số thứ tự sẽ hiện trên màn hình, xin Ông/Bà ghi nhớ số.";
    kiosk.printer().set_status(kiosk_drivers::printer::Status {
        paper: kiosk_drivers::printer::Paper::Out,
        ..kiosk_drivers::printer::Status::READY
    });
    kiosk.settle("the printer's fault", || state.get_printer_notice() == ui::PrinterNotice::NoPaper);
    let tile = ElementHandle::find_by_accessible_label(app, "Lấy số thứ tự").next().expect("the queue tile");
    assert_eq!(tile.accessible_description().as_deref(), Some(notice), "the home tile says it");
    tap(app, "Lấy số thứ tự");
    assert_eq!(count(app, notice), 1, "the queue screen says it before a number is taken");
    let shot = app.window().take_snapshot().expect("snapshot");
    let alarm = shot.as_bytes().chunks_exact(4).filter(|p| p[..3] == [0xb3, 0x13, 0x1b]).count();
    assert_eq!(alarm, 0, "no alarm red for residents");
    snapshot(app, "queue-printer-out-vi-1080x1920");
    tap(app, "Hộ tịch");
    assert_eq!(count(app, notice), 1, "and again beside the priority question");
    tap(app, "English");
    assert_eq!(count(app, "The printer has no paper: your number will show on screen, please note it."), 1);
    tap(app, "Start again");

    // A printer that is not there at all: the other words.
    kiosk
        .printer()
        .set_status(kiosk_drivers::printer::Status { online: false, ..kiosk_drivers::printer::Status::READY });
    kiosk.settle("the printer offline", || state.get_printer_notice() == ui::PrinterNotice::NotWorking);
    tap(app, "Lấy số thứ tự");
    assert_eq!(count(app, "Máy in tạm thời không in được: số thứ tự sẽ hiện trên màn hình, xin Ông/Bà ghi nhớ số."), 1);
    tap(app, "Làm lại");

    // The scanner's lid is open: the dossier tile and screen say papers cannot be scanned now.
    let scanner = kiosk.app.simulators.scanner.clone().expect("the example simulates the scanner");
    scanner.set_problem(Some(kiosk_drivers::scanner::ErrorKind::CoverOpen));
    kiosk.settle("the scanner's fault", || state.get_scanner_out());
    let tile = ElementHandle::find_by_accessible_label(app, "Nộp hồ sơ").next().expect("the dossier tile");
    assert_eq!(
        tile.accessible_description().as_deref(),
        Some("Máy quét tạm thời không hoạt động: chưa quét được giấy tờ tại đây.")
    );
    tap(app, "Nộp hồ sơ");
    let words = "Máy quét tạm thời không hoạt động nên chưa quét được giấy tờ tại đây. Mời Ông/Bà đến hỏi cán bộ tại quầy tiếp nhận, hoặc quay lại sau.";
    assert_eq!(count(app, words), 1, "before a procedure is chosen");
    snapshot(app, "dossier-scanner-out-vi-1080x1920");
    // Back: the notices go when the devices are back.
    scanner.set_problem(None);
    kiosk.printer().set_status(kiosk_drivers::printer::Status::READY);
    kiosk.settle("the devices back", || {
        state.get_printer_notice() == ui::PrinterNotice::None && !state.get_scanner_out()
    });
    assert_eq!(count(app, words), 0);
}
