//! The real kiosk UI under Slint's testing backend with the software renderer: tiles and the language switch
//! found by accessible label and tapped, and the home screen drawn to PNG in both languages and shapes.
//!
//! Each test sets up its own Slint platform on its own thread (Slint's platform is per thread).

use i_slint_backend_testing::{ElementHandle, TestingBackend, TestingBackendOptions};
use kiosk_app::app::{App, Options};
use kiosk_app::ui::{self, AppWindow};
use kiosk_tests::{picture_variety, workspace_root};
use slint::platform::PointerEventButton;
use slint::ComponentHandle;

/// Slint's testing backend for this test's thread: mock time, the software renderer, no event loop (the test runs
/// what the kiosk's threads post, in [`Running::settle`]).
pub(crate) fn platform() {
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: false,
        renderer_name: Some("software".into()),
    })))
    .expect("first Slint platform on this test thread");
}

/// The window alone (no devices, stores or network): for tests of what the screens show.
pub(crate) fn start(width: u32, height: u32) -> AppWindow {
    platform();
    let mut config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config is valid");
    // The screens as they are while the service point is open, whatever the hour the tests run at.
    config.hours = None;
    let app = ui::build(&config).expect("kiosk UI builds");
    app.window().set_size(slint::PhysicalSize::new(width, height));
    app.show().expect("kiosk UI shows");
    app
}

/// The whole kiosk, started as `kiosk` starts it ([`App::start`]) from the example configuration: simulated
/// devices, a fresh state directory, the portal at `portal`, the counter API on a free loopback port.
pub(crate) struct Running {
    pub(crate) app: App,
    /// The kiosk's state directory.
    pub(crate) dir: std::path::PathBuf,
}

impl Running {
    pub(crate) fn window(&self) -> &AppWindow {
        &self.app.window
    }

    pub(crate) fn printer(&self) -> kiosk_drivers::printer::SimPrinterControl {
        self.app.simulators.printer.clone().expect("the example configuration simulates the printer")
    }

    /// Lets the kiosk's threads finish: runs what they posted to the screen until `done` holds (30 s at most).
    pub(crate) fn settle(&self, what: &str, done: impl Fn() -> bool) {
        self.settle_within(what, 30, done);
    }

    /// [`Self::settle`] with a longer wait: for the outbox's forwarder after the portal was away (its backoff and
    /// circuit breaker may hold the next try for a while).
    pub(crate) fn settle_within(&self, what: &str, seconds: u64, done: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            self.app.run_posted();
            if done() {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// A portal address where nothing listens (the portal is away).
pub(crate) const NO_PORTAL: &str = "http://127.0.0.1:9/kiosk-api";

pub(crate) fn start_kiosk(test: &str, width: u32, height: u32, portal: &str) -> Running {
    start_kiosk_speaking(test, width, height, portal, None)
}

/// [`start_kiosk`], with speech piped into `player` (program and arguments) instead of captured.
pub(crate) fn start_kiosk_speaking(
    test: &str,
    width: u32,
    height: u32,
    portal: &str,
    player: Option<Vec<String>>,
) -> Running {
    start_kiosk_with(test, width, height, portal, player, |_| {})
}

/// [`start_kiosk_speaking`] with the example configuration changed by `adjust` first. The example's opening
/// hours are taken out before (tests take numbers at any hour); a test of the hours puts its own back.
pub(crate) fn start_kiosk_with(
    test: &str,
    width: u32,
    height: u32,
    portal: &str,
    player: Option<Vec<String>>,
    adjust: impl FnOnce(&mut kiosk_core::config::Config),
) -> Running {
    platform();
    start_kiosk_in(kiosk_tests::scratch_dir(test), width, height, portal, player, adjust)
}

/// [`start_kiosk_with`] on this thread's Slint platform (set up already) and with `dir` as the state directory
/// as it is: for a kiosk started again over what an earlier one left.
pub(crate) fn start_kiosk_in(
    dir: std::path::PathBuf,
    width: u32,
    height: u32,
    portal: &str,
    player: Option<Vec<String>>,
    adjust: impl FnOnce(&mut kiosk_core::config::Config),
) -> Running {
    let mut config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config is valid");
    config.hours = None;
    adjust(&mut config);
    config.portal.base_url = portal.to_owned();
    if let Some(api) = config.counter_api.as_mut() {
        api.listen = "127.0.0.1:0".parse().expect("address");
    }
    // What the speaker button says is written as WAV files and a transcript beside the state, never played.
    let options = Options {
        check_interval: std::time::Duration::from_millis(200),
        speech: match player {
            Some(command) => kiosk_app::speech::Output::Player(command),
            None => kiosk_app::speech::Output::Capture(dir.join("speech")),
        },
        ..Options::new(&dir)
    };
    let app = App::start(config, &options).expect("the kiosk starts");
    app.window.window().set_size(slint::PhysicalSize::new(width, height));
    app.window.show().expect("kiosk UI shows");
    Running { app, dir }
}

/// How many elements have this label on the screen, also scrolled out of view.
pub(crate) fn count(app: &AppWindow, label: &str) -> usize {
    ui::unfolded(app, || ElementHandle::find_by_accessible_label(app, label).count())
}

/// Taps the one element with this label: a click where it is drawn, or, when the screen has it scrolled out of
/// view (large text), its default action, as a resident would after scrolling to it.
pub(crate) fn tap(app: &AppWindow, label: &str) {
    // In view (the scroll buttons are only there while the screen is folded), or anywhere on the screen.
    let mut found: Vec<_> = ElementHandle::find_by_accessible_label(app, label).collect();
    if found.is_empty() {
        found = ui::unfolded(app, || ElementHandle::find_by_accessible_label(app, label).collect());
    }
    assert_eq!(found.len(), 1, "expected one element labelled {label:?}, found {}", found.len());
    press(app, &found[0]);
}

/// A tap on an element: a click where it is drawn, or its default action when it is scrolled out of view.
fn press(app: &AppWindow, element: &ElementHandle) {
    let (position, size) = (element.absolute_position(), element.size());
    // What of the screen is in view: above the scroll buttons (their height, when they are there).
    let area = ElementHandle::find_by_element_id(app, "AppWindow::area").next().expect("the screen area");
    let in_view = area.absolute_position().y + area.size().height - 116.0;
    let inside_area = position.y + size.height > area.absolute_position().y;
    if !inside_area || position.y + size.height <= in_view {
        element.mock_single_click(PointerEventButton::Left);
    } else {
        app.global::<ui::Kiosk>().invoke_activity();
        element.invoke_accessible_default_action();
    }
}

const TILES_VI: [&str; 6] = [
    "Tra cứu thủ tục",
    "Lấy số thứ tự",
    "Nộp hồ sơ",
    "Tra cứu tình trạng hồ sơ",
    "Đặt lịch hẹn",
    "Đề nghị hỗ trợ tại nhà",
];
const TILES_EN: [&str; 6] = [
    "Look up a procedure",
    "Take a queue number",
    "Submit a dossier",
    "Check a dossier's status",
    "Book a time",
    "Ask for a home visit",
];

#[test]
fn home_shows_the_six_tasks_and_the_language_switch_changes_every_text() {
    let app = start(1080, 1920);
    // A new resident sees Vietnamese first.
    for tile in TILES_VI {
        assert_eq!(count(&app, tile), 1, "tile {tile:?} in Vietnamese");
    }
    assert_eq!(count(&app, "Xin chào! Ông/Bà cần làm gì hôm nay?"), 1);
    assert_eq!(count(&app, "Look up a procedure"), 0);

    tap(&app, "English");
    for tile in TILES_EN {
        assert_eq!(count(&app, tile), 1, "tile {tile:?} in English");
    }
    assert_eq!(count(&app, "Hello! What do you need to do today?"), 1);
    for tile in TILES_VI {
        assert_eq!(count(&app, tile), 0, "no Vietnamese tile {tile:?} left in English");
    }
    assert_eq!(ui::current_language(&app), Some(kiosk_core::config::Language::English));

    tap(&app, "Tiếng Việt");
    for tile in TILES_VI {
        assert_eq!(count(&app, tile), 1, "tile {tile:?} back in Vietnamese");
    }
    assert_eq!(count(&app, "Hello! What do you need to do today?"), 0);
}

/// Every tile leads to its task: the heading or first question names it, and the home screen is gone.
#[test]
fn every_tile_leads_to_its_task_and_back() {
    let app = start(1080, 1920);
    for (tile, first) in [
        ("Tra cứu thủ tục", "Tìm thủ tục"),
        ("Lấy số thứ tự", "Ông/Bà cần làm thủ tục thuộc lĩnh vực nào?"),
        ("Nộp hồ sơ", "Ông/Bà nộp hồ sơ cho thủ tục nào?"),
        ("Tra cứu tình trạng hồ sơ", "Mã hồ sơ"),
        ("Đặt lịch hẹn", "Bắt đầu"),
        ("Đề nghị hỗ trợ tại nhà", "Bắt đầu"),
    ] {
        tap(&app, tile);
        assert_eq!(count(&app, "Xin chào! Ông/Bà cần làm gì hôm nay?"), 0, "{tile}");
        assert!(count(&app, first) >= 1, "{tile}: {first}");
        tap(&app, "Làm lại");
        assert_eq!(count(&app, "Xin chào! Ông/Bà cần làm gì hôm nay?"), 1, "back home from {tile:?}");
    }
}

/// Draws the home screen in both languages at both kiosk sizes, checks each picture has content, and keeps
/// them in target/ for people to look at (the README's pictures are copies of these).
#[test]
fn home_screen_renders_in_both_languages_and_both_shapes() {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screens");
    std::fs::create_dir_all(&out).expect("screens dir");
    let app = start(1080, 1920);
    for (width, height) in ui::headless::SIZES {
        app.window().set_size(slint::PhysicalSize::new(width, height));
        for language in ["vi", "en"] {
            tap(&app, if language == "vi" { "Tiếng Việt" } else { "English" });
            let snapshot = app.window().take_snapshot().expect("software renderer snapshot");
            assert_eq!((snapshot.width(), snapshot.height()), (width, height));
            let (changed, colours) = picture_variety(4, snapshot.as_bytes());
            assert!(
                changed > 0.2,
                "{language} {width}x{height}: only {changed:.2} of the picture differs from the background"
            );
            assert!(colours > 50, "{language} {width}x{height}: only {colours} colours, text is missing");
            let path = out.join(format!("home-{language}-{width}x{height}.png"));
            ui::headless::write_png(&path, width, height, 4, snapshot.as_bytes()).expect("write png");
        }
    }
    assert!(workspace_root().join("docs/screenshots").is_dir(), "README pictures are kept in docs/screenshots");
}

/// Take a number: service, priority, then the number with the pager and the wait, issued into a real SQLite
/// queue; in English as well; and the "now serving" bar when counters call.
#[test]
fn taking_a_number_shows_the_ticket_pager_and_wait() {
    let kiosk = start_kiosk("screens-take-a-number", 1080, 1920, NO_PORTAL);
    let app = kiosk.window();

    tap(app, "Lấy số thứ tự");
    assert_eq!(count(app, "Ông/Bà cần làm thủ tục thuộc lĩnh vực nào?"), 1);
    tap(app, "Hộ tịch");
    tap(app, "Quay lại");
    tap(app, "Hộ tịch");
    tap(app, "Không thuộc nhóm nào");
    kiosk.settle("the first number", || count(app, "Số thứ tự của Ông/Bà là HT-001") == 1);
    let snapshot = app.window().take_snapshot().expect("snapshot");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screens");
    std::fs::create_dir_all(&out).expect("screens dir");
    ui::headless::write_png(&out.join("queue-ticket-vi-1080x1920.png"), 1080, 1920, 4, snapshot.as_bytes())
        .expect("png");
    kiosk.settle("the first ticket printed", || kiosk.printer().jobs().len() == 1);
    tap(app, "Xong");
    assert_eq!(count(app, "Xin chào! Ông/Bà cần làm gì hôm nay?"), 1);

    tap(app, "English");
    tap(app, "Take a queue number");
    tap(app, "Civil status");
    tap(app, "Elderly person");
    kiosk.settle("the second number", || count(app, "Your number is HT-002") == 1);
    kiosk.settle("the second ticket printed", || kiosk.printer().jobs().len() == 2);
    let taken: Vec<(String, kiosk_core::queue::Priority)> =
        kiosk.app.queue.read(|q| q.today().map(|t| (t.label(), t.priority)).collect());
    assert_eq!(
        taken,
        [
            ("HT-001".to_owned(), kiosk_core::queue::Priority::None),
            ("HT-002".to_owned(), kiosk_core::queue::Priority::Elderly)
        ],
        "both tickets are in the queue's database with the priority chosen"
    );
    let jobs = kiosk.printer().jobs();
    assert!(slip_text(&jobs[0]).contains("Hộ tịch"), "the first ticket printed in Vietnamese");
    assert!(slip_text(&jobs[1]).contains("Civil status"), "the second in English, the language on screen");

    ui::show_now_serving(app, &[("HT-002".to_owned(), 3), ("CT-001".to_owned(), 1)]);
    assert_eq!(count(app, "Number HT-002 to counter 3"), 1);
    tap(app, "Tiếng Việt");
    assert_eq!(count(app, "Mời số CT-001 đến quầy 1"), 1);
    assert_eq!(count(app, "Civil status"), 0, "the ticket's service follows the language switch");
    assert_eq!(count(app, "Hộ tịch"), 1);
    ui::show_vibrating_pager(app, 5);
    assert_eq!(count(app, "Thẻ rung số 5 đang rung (máy phát mô phỏng)"), 1);
    let snapshot = app.window().take_snapshot().expect("snapshot");
    ui::headless::write_png(&out.join("now-serving-vi-1080x1920.png"), 1080, 1920, 4, snapshot.as_bytes())
        .expect("png");
}

/// Whether a slip's print has finished, printed or failed (not waiting, not under way).
/// Saves a synthetic dossier of procedure `procedure_code` (no pages) in the kiosk's outbox and wakes its
/// forwarder; its id, for waiting on the portal's code.
pub(crate) fn enqueue_synthetic_dossier(kiosk: &Running, procedure_code: &'static str) -> String {
    let form = br#"{"synthetic": true}"#.to_vec();
    let new = kiosk_app::outbox::store::NewSubmission {
        kind: kiosk_core::portal::Kind::Dossier,
        procedure_code: Some(procedure_code),
        form: &form,
        pages: &[],
    };
    let id = kiosk.app.outbox.enqueue(new, chrono::Utc::now().timestamp()).expect("saved");
    kiosk.app.forwarder.wake();
    id
}

pub(crate) fn print_finished(state: ui::PrintState) -> bool {
    !matches!(state, ui::PrintState::Idle | ui::PrintState::Printing)
}

/// The text on a printed job, line by line, as decoded from the bytes the printer received.
pub(crate) fn slip_text(job: &[u8]) -> String {
    kiosk_drivers::printer::decode::paper(job, &kiosk_config_profile(), kiosk_app::printing::typeface())
        .expect("the slip decodes")
        .into_iter()
        .filter_map(|printed| match printed {
            kiosk_drivers::printer::decode::Printed::Text { text, .. } => Some(text + "\n"),
            _ => None,
        })
        .collect()
}

pub(crate) fn snapshot(app: &AppWindow, name: &str) {
    let size = app.window().size();
    let shot = app.window().take_snapshot().expect("snapshot");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screens");
    std::fs::create_dir_all(&out).expect("screens dir");
    let (changed, colours) = picture_variety(4, shot.as_bytes());
    assert!(changed > 0.1 && colours > 50, "{name}: the picture has content ({changed:.2}, {colours} colours)");
    ui::headless::write_png(&out.join(format!("{name}.png")), size.width, size.height, 4, shot.as_bytes())
        .expect("png");
}

/// The printer profile of the example configuration (the simulated printer's).
pub(crate) fn kiosk_config_profile() -> kiosk_drivers::printer::profile::Profile {
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("valid");
    kiosk_app::devices::printer::profile_of(&config.devices.printer)
}

fn ui_ticket_service(app: &AppWindow) -> String {
    app.global::<ui::Kiosk>().get_ticket_service().to_string()
}

pub(crate) fn type_text(app: &AppWindow, text: &str) {
    let english = ui::current_language(app) == Some(kiosk_core::config::Language::English);
    for c in text.chars() {
        let label = match (c, english) {
            (' ', true) => "Space".to_owned(),
            (' ', false) => "Dấu cách".to_owned(),
            _ => c.to_string(),
        };
        let keys: Vec<_> = ui::unfolded(app, || ElementHandle::find_by_accessible_label(app, &label).collect());
        assert!(!keys.is_empty(), "a key {label:?}");
        press(app, &keys[0]);
    }
}

/// Look up a procedure: typed without accents on the screen's keys, found, opened, printed as a guidance slip
/// through the simulated printer (decoded back), and on to taking a number for its service; browsing by field.
#[test]
fn looking_up_a_procedure_by_typing_or_browsing_and_printing_its_guide() {
    let kiosk = start_kiosk("screens-lookup", 1080, 1920, NO_PORTAL);
    let (app, printer) = (kiosk.window(), kiosk.printer());

    tap(app, "Tra cứu thủ tục");
    assert_eq!(count(app, "Hoặc chọn lĩnh vực:"), 1, "fields to browse before anything is typed");
    snapshot(app, "lookup-fields-vi-1080x1920");
    type_text(app, "chung thuc chu ky");
    let first = "Chứng thực chữ ký trong các giấy tờ, văn bản";
    assert!(count(app, first) >= 1, "found without accents");
    snapshot(app, "lookup-results-vi-1080x1920");
    tap(app, first);
    assert_eq!(count(app, "Cần mang theo"), 1);
    assert_eq!(count(app, "Phí, lệ phí"), 1);
    snapshot(app, "lookup-procedure-vi-1080x1920");
    tap(app, "In phiếu hướng dẫn");
    kiosk.settle("the guidance slip", || count(app, "Mời Ông/Bà lấy phiếu hướng dẫn ở khe dưới màn hình.") == 1);
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), 1, "one guidance slip printed");
    let text = slip_text(&jobs[0]);
    assert!(text.contains("HƯỚNG DẪN THỦ TỤC") && text.contains("2.000884"), "{text}");
    assert!(text.contains("Phí, lệ phí: 10.000"), "{text}");
    // The sources residents take away are laws and the national procedure record, never the research notes; a
    // fee read only on another province's page is marked as not verified.
    assert!(text.contains("226/2016/TT-BTC") && text.contains("xác minh"), "{text}");
    for note in [".md", "gov.vn", "phỏng đoán", "kho mã", "chưa mở được", "[G]"] {
        assert!(!text.contains(note), "{note:?} on the slip: {text}");
    }

    // On to a queue number for this procedure's service: the priority question comes next.
    tap(app, "Lấy số");
    assert_eq!(
        count(app, "Ông/Bà có thuộc một trong các nhóm dưới đây không? Các nhóm này được ưu tiên gọi trước."),
        1
    );
    assert_eq!(ui_ticket_service(app), "CT", "the procedure's service");
    tap(app, "Quay lại");
    tap(app, "Về trang đầu");

    // Browsing a field, in English, in landscape.
    app.window().set_size(slint::PhysicalSize::new(1920, 1080));
    tap(app, "English");
    tap(app, "Look up a procedure");
    tap(app, "Residence");
    assert_eq!(count(app, "Registering your permanent address"), 1, "the field's procedures, first page");
    assert_eq!(count(app, "More…"), 1, "eight procedures: the rest behind More…");
    snapshot(app, "lookup-field-en-1920x1080");
    type_text(app, "luong huu");
    assert_eq!(count(app, "Letting someone collect your pension (form 13-HSB)"), 1, "everyday words, no accents");
    snapshot(app, "lookup-results-en-1920x1080");
    tap(app, "Letting someone collect your pension (form 13-HSB)");
    assert_eq!(count(app, "What to bring"), 1);
    snapshot(app, "lookup-procedure-en-1920x1080");
}

pub(crate) fn wait_seconds(seconds: u64) {
    for _ in 0..seconds {
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
    }
}

/// After the configured quiet time (90 s in the example) a large "more time?" prompt counts down 30 s; a tap
/// keeps everything; silence wipes what was entered and returns home; "Start over" does the same at once.
#[test]
fn a_quiet_kiosk_asks_for_more_time_then_wipes_everything_and_goes_home() {
    let app = start(1080, 1920);
    let kiosk = app.global::<ui::Kiosk>();
    let prompt = "Ông/Bà có cần thêm thời gian không?";
    tap(&app, "Tra cứu thủ tục");
    type_text(&app, "khai");
    tap(&app, "Đăng ký khai sinh");
    assert_eq!(kiosk.get_procedure().id, "dang-ky-khai-sinh");
    wait_seconds(89);
    assert_eq!(count(&app, prompt), 0, "not before the quiet time");
    wait_seconds(2);
    assert_eq!(count(&app, prompt), 1, "the prompt after 90 s of quiet");
    assert!(kiosk.get_idle_left() >= 20, "at least 20 s to answer: {}", kiosk.get_idle_left());
    snapshot(&app, "idle-prompt-vi-1080x1920");
    tap(&app, "Tôi cần thêm thời gian");
    assert_eq!(count(&app, prompt), 0);
    assert_eq!(kiosk.get_lookup_query(), "khai", "nothing lost when the resident answers");

    wait_seconds(90 + 30 + 1); // the example config: 90 s quiet, a 30 s prompt
    assert_eq!(kiosk.get_screen(), ui::Screen::Home, "home after the countdown");
    assert_eq!(count(&app, prompt), 0);
    assert_eq!(kiosk.get_lookup_query(), "", "what was typed is wiped");
    assert_eq!(kiosk.get_procedure().id, "", "the procedure shown is wiped");

    wait_seconds(300);
    assert_eq!(count(&app, prompt), 0, "the home screen never asks");

    tap(&app, "English");
    tap(&app, "Take a queue number");
    tap(&app, "Civil status");
    wait_seconds(91);
    tap(&app, "Start over");
    assert_eq!(kiosk.get_screen(), ui::Screen::Home);
    assert_eq!(kiosk.get_ticket_service(), "", "the service chosen is wiped");
    assert_eq!(count(&app, "Xin chào! Ông/Bà cần làm gì hôm nay?"), 1, "back to the first language");
}

/// Text size (normal, large, extra large) and high contrast are on every screen, change what is drawn, and go
/// back to normal for the next resident.
#[test]
fn text_size_and_high_contrast_are_on_every_screen_and_reset_for_the_next_resident() {
    let app = start(1080, 1920);
    let kiosk = app.global::<ui::Kiosk>();
    let normal = app.window().take_snapshot().expect("snapshot").as_bytes().to_vec();
    tap(&app, "Cỡ chữ");
    assert_eq!(kiosk.get_text_size(), 1);
    let large = app.window().take_snapshot().expect("snapshot").as_bytes().to_vec();
    assert!(normal != large, "larger text is drawn");
    tap(&app, "Cỡ chữ");
    assert_eq!(kiosk.get_text_size(), 2);
    snapshot(&app, "home-extra-large-vi-1080x1920");
    tap(&app, "Tương phản");
    assert!(kiosk.get_high_contrast());
    let shot = app.window().take_snapshot().expect("snapshot");
    let dark = shot.as_bytes().chunks_exact(4).filter(|p| p[0] < 30 && p[1] < 30 && p[2] < 30).count();
    assert!(dark * 2 > shot.as_bytes().len() / 4, "high contrast is mostly black: {dark}");
    snapshot(&app, "home-high-contrast-vi-1080x1920");
    // The aids are in the header of every screen.
    for screen in ["Tra cứu thủ tục", "Lấy số thứ tự", "Nộp hồ sơ"] {
        tap(&app, screen);
        assert_eq!(count(&app, "Cỡ chữ") + count(&app, "Tương phản"), 2, "{screen}");
        tap(&app, "Về trang đầu");
    }
    tap(&app, "Tra cứu thủ tục");
    type_text(&app, "khai");
    tap(&app, "Đăng ký khai sinh");
    snapshot(&app, "lookup-procedure-extra-large-high-contrast-vi-1080x1920");
    // Too long for the screen at this size: the "more" button moves the text, no swipe needed.
    let before = app.window().take_snapshot().expect("snapshot").as_bytes().to_vec();
    tap(&app, "▼ Xem tiếp");
    let after = app.window().take_snapshot().expect("snapshot").as_bytes().to_vec();
    assert!(before != after, "the long part scrolled");
    snapshot(&app, "lookup-procedure-extra-large-scrolled-vi-1080x1920");
    kiosk.invoke_start_over();
    assert_eq!((kiosk.get_text_size(), kiosk.get_high_contrast()), (0, false), "the next resident starts at normal");
}

/// Check a dossier's status: a real dossier sent through the outbox to the portal simulator, its code typed on the
/// screen's keys, the status from the portal; with the portal gone, the last status known and when; an unknown
/// code; an incomplete one.
#[test]
fn checking_a_dossier_shows_the_portal_status_or_the_last_one_known() {
    use kiosk_tests::portal_sim::{self, Faults, Sim};

    let dir = kiosk_tests::scratch_dir("screens-track-portal");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 9).expect("simulator");
    let running = portal_sim::spawn(sim, "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("screens-track", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    // A dossier the kiosk's own forwarder delivers, for a real code.
    let id = enqueue_synthetic_dossier(&kiosk, "1.001193");
    let outbox = kiosk.app.outbox.clone();
    kiosk.settle("the forwarder to deliver it", || outbox.dossier_code(&id).expect("outbox readable").is_some());
    let code = outbox.dossier_code(&id).expect("code").expect("acknowledged");
    let kiosk_ui = app.global::<ui::Kiosk>();

    tap(app, "Tra cứu tình trạng hồ sơ");
    tap(app, "Tra cứu");
    assert_eq!(kiosk_ui.get_track_step(), ui::TrackStep::Invalid, "nothing typed yet");
    type_text(app, &code);
    assert_eq!(kiosk_ui.get_track_code(), code.as_str());
    tap(app, "Tra cứu");
    kiosk.settle("the portal's answer", || kiosk_ui.get_track_step() != ui::TrackStep::Checking);
    assert_eq!(count(app, "Đã tiếp nhận: hồ sơ đang ở cơ quan giải quyết."), 1);
    snapshot(app, "track-current-vi-1080x1920");

    // The portal goes away: the last status known, and when.
    drop(running);
    tap(app, "Tra cứu");
    kiosk.settle("the answer with the portal away", || kiosk_ui.get_track_step() != ui::TrackStep::Checking);
    assert_eq!(kiosk_ui.get_track_step(), ui::TrackStep::LastKnown);
    assert_eq!(count(app, "Đã tiếp nhận: hồ sơ đang ở cơ quan giải quyết."), 1);
    assert!(!kiosk_ui.get_track_known_at().is_empty());
    snapshot(app, "track-last-known-vi-1080x1920");

    // A code the kiosk has never seen, with the portal away. (The keys give way to a status; this brings them back.)
    tap(app, "Tra cứu mã khác");
    type_text(app, "SIM-000000-999999");
    tap(app, "Tra cứu");
    kiosk.settle("the answer for an unknown code", || kiosk_ui.get_track_step() != ui::TrackStep::Checking);
    assert_eq!(kiosk_ui.get_track_step(), ui::TrackStep::Unreachable);
}

/// A number taken on the screen is printed by the simulated printer (decoded: the number, the service, the
/// pager); with the printer out of paper the screen says so in plain words, keeps the number big, and once the
/// device thread has seen the fault the next resident is told before taking a number.
#[test]
fn the_ticket_prints_and_a_printer_fault_is_said_plainly_with_the_number_kept() {
    let kiosk = start_kiosk("screens-ticket-print", 1080, 1920, NO_PORTAL);
    let (app, printer) = (kiosk.window(), kiosk.printer());

    tap(app, "Lấy số thứ tự");
    tap(app, "Hộ tịch");
    tap(app, "Không thuộc nhóm nào");
    kiosk.settle("the ticket printed", || count(app, "Mời Ông/Bà lấy phiếu số thứ tự ở khe dưới màn hình.") == 1);
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), 1);
    let text = slip_text(&jobs[0]);
    assert!(text.contains("HT-001") && text.contains("Hộ tịch"), "{text}");
    assert!(text.contains("Thẻ rung số 1"), "the pager on the paper: {text}");
    tap(app, "Xong");

    // Out of paper: the number stays on screen, big, and the reason is said.
    printer.set_status(kiosk_drivers::printer::Status {
        paper: kiosk_drivers::printer::Paper::Out,
        ..kiosk_drivers::printer::Status::READY
    });
    tap(app, "Lấy số thứ tự");
    tap(app, "Hộ tịch");
    tap(app, "Không thuộc nhóm nào");
    let fault = "Không in được phiếu (máy in: hết giấy). Số thứ tự ở trên vẫn có giá trị: xin Ông/Bà ghi nhớ số hoặc chụp ảnh lại. Cán bộ đã được báo lỗi máy in.";
    kiosk.settle("the failed print", || count(app, fault) == 1);
    assert_eq!(count(app, "Số thứ tự của Ông/Bà là HT-002"), 1);
    snapshot(app, "queue-ticket-printer-out-of-paper-vi-1080x1920");
    // The device thread's next check sees it: the next resident is told before taking a number.
    kiosk
        .settle("the next device check", || app.global::<ui::Kiosk>().get_printer().state == ui::DeviceState::PaperOut);
    tap(app, "Xong");
    tap(app, "Lấy số thứ tự");
    assert_eq!(count(app, "Máy in đã hết giấy: số thứ tự sẽ hiện trên màn hình, xin Ông/Bà ghi nhớ số."), 1);
}

/// A ticket that could not be printed (out of paper) is offered again once the printer works: no button while
/// the printer cannot print, then "In lại phiếu", and the same ticket comes out.
#[test]
fn a_ticket_that_could_not_be_printed_is_offered_again_once_the_printer_is_back() {
    let kiosk = start_kiosk("screens-ticket-reprint", 1080, 1920, NO_PORTAL);
    let (app, printer) = (kiosk.window(), kiosk.printer());
    let kiosk_ui = app.global::<ui::Kiosk>();
    printer.set_status(kiosk_drivers::printer::Status {
        paper: kiosk_drivers::printer::Paper::Out,
        ..kiosk_drivers::printer::Status::READY
    });
    kiosk.settle("the device check sees no paper", || kiosk_ui.get_printer().state == ui::DeviceState::PaperOut);
    tap(app, "Lấy số thứ tự");
    tap(app, "Hộ tịch");
    tap(app, "Không thuộc nhóm nào");
    kiosk.settle("the failed print", || kiosk_ui.get_ticket_print() == ui::PrintState::Failed);
    assert_eq!(count(app, "In lại phiếu"), 0, "nothing to offer while the printer has no paper");
    let before = printer.jobs().len();

    printer.set_status(kiosk_drivers::printer::Status::READY);
    kiosk.settle("the printer ready again", || kiosk_ui.get_printer().state == ui::DeviceState::Ready);
    assert_eq!(count(app, "In lại phiếu"), 1, "offered once the paper is back");
    tap(app, "In lại phiếu");
    kiosk.settle("the ticket printed", || count(app, "Mời Ông/Bà lấy phiếu số thứ tự ở khe dưới màn hình.") == 1);
    assert_eq!(count(app, "In lại phiếu"), 0);
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), before + 1, "one job: the reprint");
    let text = slip_text(jobs.last().expect("the reprint"));
    assert!(text.contains("HT-001") && text.contains("Thẻ rung số 1"), "the same ticket: {text}");
}

/// A kiosk that cannot start (here: another process holds the counter API's port) says why at once and leaves
/// nothing running behind it: its network runtime and forwarder stop with it.
#[test]
fn a_kiosk_that_cannot_start_says_why_and_stops_cleanly() {
    platform();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config is valid");
    config.portal.base_url = NO_PORTAL.to_owned();
    config.counter_api.as_mut().expect("the example has a counter API").listen = taken.local_addr().expect("address");
    let dir = kiosk_tests::scratch_dir("start-refused");
    let started = std::time::Instant::now();
    let error = App::start(config, &Options::new(&dir)).err().expect("the port is taken");
    assert!(format!("{error:#}").contains("listening for the counter API"), "{error:#}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "it stops without waiting for its network");
}

/// Every procedure's guidance slip, in both languages, encoded for the example's printer and read back from the
/// bytes: it cites its sources (laws, decisions, the national database), never the project's research notes;
/// the ward's social-protection counter is never called social insurance; a fact not verified says so.
#[test]
fn every_guidance_slip_cites_the_law_and_never_the_research_notes() {
    use kiosk_core::config::Language;
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config");
    let profile = kiosk_config_profile();
    let lookup = kiosk_app::lookup::Lookup::bundled();
    let mut slips = 0;
    for procedure in &lookup.catalogue.procedures {
        for language in [Language::Vietnamese, Language::English] {
            let document = kiosk_app::lookup::guidance_document(&config, procedure, language);
            let job = kiosk_drivers::printer::encode::encode(&document, &profile, kiosk_app::printing::typeface());
            let text = slip_text(&job.bytes);
            let flat = text.replace('\n', " ");
            let id = &procedure.id;
            for note in [".md", "[G]", "phỏng đoán", "kho mã", "chưa mở được", "domain", "gov.vn", "http", "mục 1."]
            {
                assert!(!flat.contains(note), "{id} ({language:?}) prints the research note {note:?}:\n{text}");
            }
            let sources = if language == Language::Vietnamese { "Nguồn:" } else { "Sources:" };
            let cited = flat.split(sources).nth(1).map(str::trim).unwrap_or_default();
            assert!(cited.len() > 10, "{id} ({language:?}) cites no source:\n{text}");
            assert!(!flat.contains("Quầy Bảo hiểm xã hội"), "{id}: the counter is Bảo trợ xã hội:\n{text}");
            let unverified = if language == Language::Vietnamese { "chưa xác minh" } else { "not verified" };
            if !kiosk_app::lookup::checked(procedure, "fee") {
                assert!(flat.contains(unverified), "{id} ({language:?}): an unverified fee says so:\n{text}");
            }
            slips += 1;
        }
    }
    assert_eq!(slips, lookup.catalogue.procedures.len() * 2);
    assert!(slips >= 80, "the whole catalogue: {slips}");
}
