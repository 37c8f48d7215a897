//! The counter API with the staff console and the waiting-room board, served on a free loopback port from real
//! SQLite files in a scratch directory, with staff accounts `nv01`…`nvNN` (PIN 246813): what the console's e2e
//! tests and its benchmark drive. The kiosk's outbox is there too (sealed to the portal simulator's development
//! key, with the service point's key in the directory) for the held-dossiers pages.

use std::sync::{Arc, Mutex};

use kiosk_app::counter_api::{self, CounterApi, CounterSetup};
use kiosk_app::devices::Devices;
use kiosk_app::held::Held;
use kiosk_app::outbox::forwarder::Signal;
use kiosk_app::outbox::store::Outbox;
use kiosk_app::queue_store::QueueStore;
use kiosk_core::config::Config;
use kiosk_core::queue::{Day, Priority, Seconds};
use kiosk_core::staff::Accounts;

pub const PIN: &str = "246813";

pub struct StaffSite {
    /// `http://127.0.0.1:port`
    pub base: String,
    pub store: Arc<QueueStore>,
    /// The labels of tickets the console asked to reprint.
    pub reprinted: Arc<Mutex<Vec<String>>>,
    /// The kiosk's network runtime; shut it down to take the site away.
    pub network: Option<tokio::runtime::Runtime>,
    /// The kiosk's outbox (`dir/outbox`): what residents finished, the console's held dossiers.
    pub outbox: Arc<Outbox>,
    /// Woken when staff take a dossier in by hand (the forwarder's signal).
    pub forwarder: Arc<Signal>,
    day: Day,
}

/// Serves `config`'s queue from `dir` (kept across calls: a second `start` on the same directory is a restart).
/// Staff `nv01` to `nv{staff:02}` are written to staff.toml the first time.
pub fn start(dir: &std::path::Path, config: &Config, staff: u16, day: Day, clock: fn() -> (Day, Seconds)) -> StaffSite {
    if !dir.join("staff.toml").exists() {
        let mut accounts = Accounts::default();
        for n in 1..=staff {
            accounts.add(&format!("nv{n:02}"), &format!("Cán bộ {n}"), PIN, [n as u8; 16]).expect("add");
        }
        // The first is named as a person, as the console shows it.
        accounts.staff[0].name = "Nguyễn Thị Hoa".into();
        std::fs::write(dir.join("staff.toml"), accounts.to_toml()).expect("staff file");
    }
    let reprinted = Arc::new(Mutex::new(Vec::new()));
    let heard = reprinted.clone();
    let counter_key = kiosk_app::held::counter_key(dir).expect("service point's key");
    let outbox = Arc::new(
        Outbox::open(&dir.join("outbox"), config.portal.public_key)
            .expect("outbox")
            .with_counter_key(*counter_key.public_key().as_bytes()),
    );
    let forwarder = Arc::new(Signal::default());
    let held = Arc::new(Held::new(outbox.clone(), counter_key, forwarder.clone()));
    let setup = counter_setup(dir, config, day, clock, Some(held));
    let store = setup.store.clone();
    let api = CounterApi::new(setup)
        .expect("staff database")
        .on_reprint(Box::new(move |issued| heard.lock().expect("reprints").push(issued.label)));
    let (address, network) = serve(api);
    StaffSite { base: format!("http://{address}"), store, reprinted, network: Some(network), outbox, forwarder, day }
}

/// The counter API's setup as the kiosk makes it: `dir`'s queue (opened for `day`), staff file and staff database,
/// the configured pager line and announcements, every network allowed. One fixture for the staff site, the TLS
/// tests and the queue benchmark.
pub fn counter_setup(
    dir: &std::path::Path,
    config: &Config,
    day: Day,
    clock: fn() -> (Day, Seconds),
    held: Option<Arc<Held>>,
) -> CounterSetup {
    let store = Arc::new(QueueStore::open(&dir.join("queue.sqlite"), config.queue.setup(), day).expect("store"));
    CounterSetup {
        store,
        queue: config.queue.clone(),
        allow: Vec::new(),
        staff_file: dir.join("staff.toml"),
        staff_db: dir.join("staff.sqlite"),
        pager: Devices::open(&config.devices).pager_line(),
        announce: kiosk_app::board::Announce::from_config(config),
        clock,
        held,
    }
}

/// Serves `api` on a loopback port, on a runtime of its own (dropping the runtime takes the site away).
pub fn serve(api: CounterApi) -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let network = tokio::runtime::Runtime::new().expect("runtime");
    let address = counter_api::spawn(Arc::new(api), "127.0.0.1:0".parse().expect("address"), network.handle())
        .expect("listening");
    (address, network)
}

impl StaffSite {
    /// Issues a ticket as the kiosk does; returns its label.
    pub fn issue(&self, service: &str, priority: Priority, at: Seconds) -> String {
        let events = self.store.run(|q| q.issue(service, priority, self.day, at)).expect("stored").expect("issued");
        let id = events
            .iter()
            .rev()
            .find_map(|e| match e {
                kiosk_core::queue::Event::TicketIssued { id, .. } => Some(*id),
                _ => None,
            })
            .expect("a ticket");
        self.store.read(|q| q.ticket(id).map(|t| t.label())).expect("label")
    }
}

/// The example configuration with `counters` counters (1 to 3 as the example has them, the rest calling HT).
pub fn config_with_counters(counters: u16) -> Config {
    let mut text = std::fs::read_to_string(crate::example_config()).expect("example config");
    let extra: String =
        (4..=counters).map(|n| format!("\n[[queue.counters]]\nnumber = {n}\nservices = [\"HT\"]\n")).collect();
    let at = text.find("\n[counter_api]").unwrap_or(text.len());
    text.insert_str(at, &extra);
    kiosk_core::config::parse(std::path::Path::new("kiosk.toml"), text.as_bytes()).expect("valid config")
}

/// A browser-like client by hand: cookies kept from `Set-Cookie`, no redirects followed.
pub struct Agent {
    pub base: String,
    client: reqwest::blocking::Client,
    cookies: std::collections::BTreeMap<String, String>,
}

impl Agent {
    pub fn new(base: &str) -> Agent {
        let client =
            reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Agent { base: base.to_owned(), client, cookies: Default::default() }
    }

    fn keep(&mut self, response: &reqwest::blocking::Response) -> Vec<String> {
        let mut set = Vec::new();
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = value.to_str().expect("cookie").to_owned();
            let (pair, _) = text.split_once(';').unwrap_or((&text, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            set.push(text);
        }
        set
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn get(&mut self, path: &str) -> (reqwest::StatusCode, String, String) {
        let response =
            self.client.get(format!("{}{path}", self.base)).header("cookie", self.cookie_header()).send().expect("GET");
        self.keep(&response);
        let status = response.status();
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        (status, location, response.text().expect("body"))
    }

    /// A GET's status, headers and body as bytes (a page image).
    pub fn get_bytes(&mut self, path: &str) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let response =
            self.client.get(format!("{}{path}", self.base)).header("cookie", self.cookie_header()).send().expect("GET");
        self.keep(&response);
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().expect("body").to_vec())
    }

    /// A form POSTed with the agent's cookies; the cookies it sets kept.
    fn send_form(&mut self, path: &str, form: &[(&str, &str)]) -> (reqwest::blocking::Response, Vec<String>) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .expect("POST");
        let set = self.keep(&response);
        (response, set)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (String, Vec<String>) {
        let (response, set) = self.send_form(path, form);
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER, "every form is answered by a redirect");
        (response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(), set)
    }

    /// A POST answered with a page rather than a redirect (one that shows what was sent, which must never go in a
    /// URL or be kept for a redirect): its status and body.
    pub fn post_page(&mut self, path: &str, form: &[(&str, &str)]) -> (reqwest::StatusCode, String) {
        let (response, _) = self.send_form(path, form);
        let status = response.status();
        (status, response.text().expect("body"))
    }

    /// The message the next page shows (and clears).
    pub fn message(&mut self, path: &str) -> String {
        let (_, _, page) = self.get(path);
        let start = page.find("class=\"flash").map(|at| at + page[at..].find('>').unwrap_or(0) + 1);
        start.map(|at| page[at..at + page[at..].find('<').unwrap_or(0)].to_owned()).unwrap_or_default()
    }

    pub fn sign_in(&mut self, pin: &str) -> (String, Vec<String>) {
        let (_, _, page) = self.get("/staff/sign-in");
        let token = value_of(&page, "form");
        self.post("/staff/sign-in", &[("staff_id", "nv01"), ("pin", pin), ("counter", "1"), ("form", &token)])
    }
}

/// The value of the hidden input `name` in `page`.
pub fn value_of(page: &str, name: &str) -> String {
    let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').expect("end")].to_owned()
}
