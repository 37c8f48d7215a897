//! The kiosk in two processes, as the appliance runs it: `kiosk core` as a real child process (the counter API
//! and staff console on loopback, the outbox's forwarder, the simulated pager transmitter) and the screen (`App`
//! with `CoreMode::Service` under Slint's testing backend) on one state directory, the portal simulator on
//! loopback. The screen takes numbers and saves a dossier; the core calls them, pages, and forwards; then the
//! screen goes away (as when it crashes or its watchdog restarts it) and counters go on calling, the forwarder
//! goes on sending, and a counter's reprint waits for the screen to come back.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiosk_app::app::{App, CoreMode, Options};
use kiosk_app::devices::{pager_socket, PageOutcome, PagerLine};
use kiosk_app::outbox::store::{NewSubmission, Outbox};
use kiosk_app::ui;
use kiosk_core::portal::Kind;
use kiosk_core::queue::Priority;
use kiosk_core::staff::Accounts;
use kiosk_tests::portal_sim::{self, Faults, Sim};
use kiosk_tests::staff_site::{value_of, Agent, PIN};
use serde_json::{json, Value};
use slint::ComponentHandle as _;

use crate::screens::{slip_text, tap};

/// Kills the core when the test ends, however it ends.
struct Core(Child);

impl Drop for Core {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

fn wait_for(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The example configuration with the portal, the counter API on `port` over plain HTTP (loopback), all hours.
fn config_text(portal: &str, port: u16) -> String {
    let text = std::fs::read_to_string(kiosk_tests::example_config()).expect("example config");
    let text = text.replacen("base_url = \"http://127.0.0.1:8787/kiosk-api\"", &format!("base_url = \"{portal}\""), 1);
    let text = text.replacen("listen = \"127.0.0.1:8790\"", &format!("listen = \"127.0.0.1:{port}\""), 1);
    let text = text.replacen("\nhttps = true\n", "\nhttps = false\n", 1);
    assert!(
        text.contains(portal) && text.contains(&format!("127.0.0.1:{port}")) && text.contains("\nhttps = false\n"),
        "the example's lines moved"
    );
    text
}

fn screen(config: &kiosk_core::config::Config, state: &std::path::Path) -> App {
    let mut config = config.clone();
    config.hours = None;
    let options =
        Options { check_interval: Duration::from_millis(200), core: CoreMode::Service, ..Options::new(state) };
    let app = App::start(config, &options).expect("the screen starts beside the core");
    app.window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    app.window.show().expect("shows");
    app
}

fn settle(app: &App, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        app.run_posted();
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn counters_and_forwarding_go_on_while_the_screen_is_away_and_a_reprint_waits_for_it() {
    crate::screens::platform();
    let dir = kiosk_tests::scratch_dir("core-apart");
    let state = dir.join("state");
    std::fs::create_dir_all(&state).expect("state dir");
    // Private, as systemd's StateDirectory makes it (the kiosk refuses a state directory others can read).
    std::fs::set_permissions(&state, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod 700");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 41).expect("simulator");
    let portal = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let port = free_port();
    let config_path = dir.join("kiosk.toml");
    std::fs::write(&config_path, config_text(&format!("http://{}/kiosk-api", portal.address), port)).expect("config");
    let config = kiosk_app::load_config(&config_path).expect("the test's config is valid");
    let mut accounts = Accounts::default();
    accounts.add("nv01", "Nguyễn Thị Hoa", PIN, [1; 16]).expect("add");
    std::fs::write(state.join(kiosk_app::STAFF_FILE), accounts.to_toml()).expect("staff file");

    // The core, as kiosk-core.service starts it.
    let core = Core(
        Command::new(kiosk_tests::binary("kiosk"))
            .args([
                "--config",
                config_path.to_str().expect("utf-8"),
                "--state-dir",
                state.to_str().expect("utf-8"),
                "core",
            ])
            .env("KIOSK_LOG", "warn")
            .stdin(Stdio::null())
            .spawn()
            .expect("kiosk core starts"),
    );
    let api = format!("http://127.0.0.1:{port}/counter/v1");
    let client = reqwest::blocking::Client::new();
    let sign_in =
        || client.post(format!("{api}/sessions")).json(&json!({ "staff_id": "nv01", "pin": PIN, "counter": 1 })).send();
    wait_for("the core's counter API answers", Duration::from_secs(30), || sign_in().is_ok_and(|r| r.status() == 201));
    let token = sign_in().expect("sign in").json::<Value>().expect("json")["token"].as_str().expect("token").to_owned();
    let call_next = || -> Value {
        let reply = client.post(format!("{api}/call-next")).bearer_auth(&token).send().expect("call next");
        assert_eq!(reply.status(), 200, "call-next");
        reply.json().expect("json")
    };

    // The screen beside it: a number taken by tapping, a second one as the screen's worker takes it.
    let app = screen(&config, &state);
    let k = app.window.global::<ui::Kiosk>();
    tap(&app.window, "Lấy số thứ tự");
    tap(&app.window, "Hộ tịch");
    tap(&app.window, "Không thuộc nhóm nào");
    settle(&app, "the ticket on screen", || !k.get_ticket().label.is_empty());
    let first = k.get_ticket().label.to_string();
    let second = kiosk_app::tickets::issue(&app.queue, &config, "HT", Priority::None, kiosk_app::clock::now())
        .expect("a second number")
        .label;

    // The core calls the screen's first number (its queue caught up under its write lock) and pages nothing:
    // the ticket has no pager. The screen's banner shows the call the other process made.
    let called = call_next();
    assert_eq!(called["ticket"]["label"], json!(first), "{called}");
    settle(&app, "the screen shows the core's call", || {
        use slint::Model as _;
        k.get_now_serving().iter().any(|called| called.label == first.as_str())
    });

    // The technician's test page from the screen reaches the core's transmitter over pager.sock.
    let line = PagerLine::elsewhere(state.join(pager_socket::SOCKET));
    assert_eq!(line.page(5, Duration::from_secs(3)), PageOutcome::Paged { simulated: true });

    // A dossier saved by the screen is forwarded by the core.
    let form = br#"{"kind":"dossier","answers":{"full_name":"NGUYEN VAN AN"}}"#;
    let pages = [vec![9u8; 2000]];
    let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form, pages: &pages };
    let saved = app.outbox.enqueue(new, kiosk_app::clock::unix_now()).expect("saved by the screen");
    wait_for("the portal has the screen's dossier", Duration::from_secs(30), || {
        sim.received().iter().any(|r| r.id == saved)
    });

    // The screen goes away. Counters go on calling; what the screen saved just before it went is sent.
    drop(app);
    let called = call_next();
    assert_eq!(called["ticket"]["label"], json!(second), "the core calls on without the screen: {called}");
    let last = Outbox::open_for_saving(&state.join("outbox"), config.portal.public_key)
        .expect("open to save")
        .enqueue(
            NewSubmission { kind: Kind::Dossier, procedure_code: None, form, pages: &[] },
            kiosk_app::clock::unix_now(),
        )
        .expect("saved");
    wait_for("the portal has the dossier saved as the screen went", Duration::from_secs(30), || {
        sim.received().iter().any(|r| r.id == last)
    });
    assert_eq!(sim.received().iter().filter(|r| r.id == saved || r.id == last).count(), 2, "each once");

    // A counter reprints the second number from the staff console while the screen is away: it waits in the
    // spool, and the screen prints it when it is back.
    let mut staff = Agent::new(&format!("http://127.0.0.1:{port}"));
    let (to, _) = staff.sign_in(PIN);
    assert_eq!(to, "/staff/counter");
    let (_, _, page) = staff.get("/staff/counter");
    let csrf = value_of(&page, "csrf");
    let id = called["ticket"]["id"].as_u64().expect("an id");
    staff.post(&format!("/staff/tickets/{id}/reprint"), &[("csrf", &csrf)]);
    assert!(staff.message("/staff/counter").contains(&second), "the console says it was sent to the printer");
    let spool = state.join(kiosk_app::print_spool::DIR);
    assert_eq!(std::fs::read_dir(&spool).expect("spool").count(), 1, "the reprint waits for the screen");

    let app = screen(&config, &state);
    let printer = app.simulators.printer.clone().expect("the example simulates the printer");
    settle(&app, "the waiting reprint printed", || !printer.jobs().is_empty());
    let text = slip_text(printer.jobs().last().expect("a job"));
    assert!(text.contains(&second), "the reprint is the second number: {text}");
    assert_eq!(std::fs::read_dir(&spool).expect("spool").count(), 0, "printed once, taken from the spool");
    drop(core);
}
