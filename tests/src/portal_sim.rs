//! The portal simulator: a real HTTP server (axum) that speaks the kiosk API of docs/api/portal-api.yaml, keeps
//! what it receives in its own SQLite file, verifies every request's Ed25519 signature, opens the sealed forms
//! and pages with its secret key, and refuses a second, different payload under an idempotency key already used.
//! Faults are injected from its flags or `POST /admin/faults`: errors, 429 with Retry-After, latency, a connection
//! reset in the middle of the answer (after the submission was stored), a 200 HTML page, 413, and going away
//! entirely for a while (`POST /admin/away`: the listener closes, connections are refused, then it comes back).
//! Bookings: it offers times at one service point (`GET /v1/slots`: weekday evenings and weekend mornings, today
//! and the 13 days after, in Hanoi time), a few places each ([`Sim::set_slot_capacity`]); a booking submission
//! takes a place or is answered 409 `slot_full` with the next free slots, counted and stored under the one
//! database lock, so two kiosks can never both get the last place.
//! Used by the tests, the benchmark and the README's run command (`portal-sim`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine as _;
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use kiosk_core::booking::BookingForm;
use kiosk_core::portal::{self, DossierStatus, Enrolment, Heartbeat, Submission};
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The development secret key (its public half is in assets/kiosk.example.toml). Never for a real portal.
pub const DEV_SECRET: &str = include_str!("../portal-sim/dev-secret.key");

/// Faults to inject, each a probability per request (0 to 1), plus a fixed latency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// 503 Service Unavailable.
    pub error_rate: f64,
    /// 429 Too Many Requests with `Retry-After: 1`.
    pub rate_limit_rate: f64,
    /// The answer breaks off after its first bytes; the request was processed (the nastiest case).
    pub reset_rate: f64,
    /// 200 with an HTML page, as a captive portal would answer.
    pub html_rate: f64,
    /// 413 Payload Too Large (a permanent refusal: the submission is quarantined).
    pub too_large_rate: f64,
    /// Delay before every answer, in milliseconds.
    pub latency_ms: u64,
}

/// A submission a kiosk said its counter took in by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandIntakeSeen {
    pub id: String,
    pub kiosk_id: String,
    pub intake: portal::HandIntake,
    /// The dossier code when the simulator had received the submission online first.
    pub already_received: Option<String>,
}

/// What the simulator holds, for tests to compare with what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub id: String,
    pub kind: String,
    pub procedure_code: Option<String>,
    pub form: Vec<u8>,
    pub pages: Vec<Vec<u8>>,
    pub dossier_code: String,
}

pub struct Sim {
    db: Mutex<Connection>,
    secret: crypto_box::SecretKey,
    faults: Mutex<Faults>,
    random: Mutex<u64>,
    /// A request to go away for this many seconds, and the wake-up for the listener's loop.
    away: Mutex<u64>,
    away_notify: tokio::sync::Notify,
    /// The procedure catalogue served at /v1/catalogue (TOML, schema of assets/catalogue/README.md).
    catalogue: Mutex<String>,
    /// Pay every dossier's fee in full this many seconds after its code was issued (the README's demo).
    pay_after: Mutex<Option<u64>>,
    /// Places in each slot offered for bookings.
    slot_capacity: Mutex<u32>,
    /// Enrolment requests seen (a kiosk refused should not hammer the portal).
    enrolments: std::sync::atomic::AtomicU64,
    /// Nonces seen per kiosk with their request's time, for refusing replays.
    nonces: Mutex<std::collections::HashMap<(String, String), i64>>,
    /// How the catalogue is signed.
    catalogue_signing: Mutex<CatalogueSigning>,
    /// Whether a kiosk the portal does not know needs a one-time enrolment code (a real portal's way); off, any
    /// kiosk enrols by itself on first start (the demo).
    codes_required: std::sync::atomic::AtomicBool,
}

/// A booking the simulator holds, for tests to compare with what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimBooking {
    pub slot_id: String,
    pub booking_code: String,
    /// booked, attended or cancelled.
    pub state: String,
    pub kiosk_id: String,
    /// The form as the kiosk sealed it, opened.
    pub form: BookingForm,
}

/// Places in each slot unless a test sets another number.
pub const SLOT_CAPACITY: u32 = 3;

/// The simulated service point, as the slot offer and a booking's status name it.
pub const PLACE_VI: &str = "Điểm phục vụ hành chính công (mô phỏng)";
pub const PLACE_EN: &str = "Public service point (simulated)";
pub const ADDRESS: &str = "Nhà văn hoá tổ dân phố (mô phỏng)";

/// The times the simulated service point offers on `date`: weekday evenings 17:30 to 20:30, weekend mornings 08:00
/// to 11:00, an hour each (start, end).
fn times_on(date: chrono::NaiveDate) -> [(&'static str, &'static str); 3] {
    use chrono::Datelike as _;
    match date.weekday() {
        chrono::Weekday::Sat | chrono::Weekday::Sun => [("08:00", "09:00"), ("09:00", "10:00"), ("10:00", "11:00")],
        _ => [("17:30", "18:30"), ("18:30", "19:30"), ("19:30", "20:30")],
    }
}

/// The slots the simulator offers from `today` (Hanoi's date): today and the 13 days after, in time order, as
/// (id, date, start, end); the id is "{date}T{start}".
pub fn sim_slot_times(today: chrono::NaiveDate) -> Vec<(String, String, String, String)> {
    today
        .iter_days()
        .take(14)
        .flat_map(|date| {
            let day = date.format("%Y-%m-%d").to_string();
            times_on(date).map(|(start, end)| (format!("{day}T{start}"), day.clone(), start.to_owned(), end.to_owned()))
        })
        .collect()
}

/// Today's date in Hanoi (UTC+7, no daylight saving).
pub fn hanoi_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The date, start and end of the slot with `id`, on any day (a booking's status is asked after its day too).
fn slot_by_id(id: &str) -> Option<(String, String, String)> {
    let (day, start) = id.split_once('T')?;
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let (_, end) = times_on(date).into_iter().find(|(s, _)| *s == start)?;
    Some((day.to_owned(), start.to_owned(), end.to_owned()))
}

/// Places taken in each slot (cancelled bookings free theirs).
fn taken(db: &Connection) -> std::collections::HashMap<String, u32> {
    let Ok(mut statement) =
        db.prepare("SELECT slot_id, COUNT(*) FROM bookings WHERE state != 'cancelled' GROUP BY slot_id")
    else {
        return Default::default();
    };
    statement
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))
        .and_then(|rows| rows.collect())
        .unwrap_or_default()
}

/// The slots offered today, with the places still free given the bookings in `db` and `capacity` places each.
fn offered(db: &Connection, capacity: u32) -> Vec<portal::Slot> {
    let taken = taken(db);
    sim_slot_times(hanoi_today())
        .into_iter()
        .map(|(id, date, start, end)| {
            let free = capacity.saturating_sub(taken.get(&id).copied().unwrap_or(0));
            portal::Slot { id, date, start, end, free }
        })
        .collect()
}

/// The simulator's collection account. BIN 970499 is outside the BINs the State Bank has issued (970400-970470,
/// letter 1589/NHNN-TT), so a real banking app that scans a simulator's code finds no bank and moves no money.
pub fn sim_account() -> portal::PayTo {
    portal::PayTo {
        bank_bin: "970499".into(),
        bank_name: "Ngân hàng mô phỏng".into(),
        account: "0001234567".into(),
        account_name: "PORTAL SIM - KHONG CO THAT".into(),
    }
}

/// The fee the simulator charges for a dossier of procedure `code` submitted online, in đồng, from the facts in
/// assets/catalogue/procedures.toml (a real portal computes it from the dossier).
pub fn sim_fee(code: Option<&str>) -> u64 {
    match code {
        Some("2.000884") => 10_000, // chứng thực chữ ký: 10.000 đồng mỗi trường hợp
        Some("1.004194") => 7_000,  // đăng ký tạm trú, trực tuyến
        Some("1.004222") => 10_000, // đăng ký thường trú, trực tuyến
        _ => 0,                     // đăng ký khai sinh đúng hạn: miễn lệ phí
    }
}

impl Sim {
    pub fn open(db_path: &Path, secret_base64: &str, faults: Faults, seed: u64) -> anyhow::Result<Arc<Sim>> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(secret_base64.trim())?;
        let secret = crypto_box::SecretKey::from_slice(&bytes).map_err(|_| anyhow::anyhow!("secret key: 32 bytes"))?;
        let db = Connection::open(db_path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS kiosks (kiosk_id TEXT PRIMARY KEY, public_key TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS pages (id TEXT, idx INTEGER, sealed_sha TEXT, plain BLOB, PRIMARY KEY (id, idx));
             CREATE TABLE IF NOT EXISTS submissions (id TEXT PRIMARY KEY, kind TEXT, procedure_code TEXT,
                 page_count INTEGER, sealed_sha TEXT, form BLOB, dossier_code TEXT, kiosk_id TEXT, received_at INTEGER);
             CREATE TABLE IF NOT EXISTS heartbeats (kiosk_id TEXT, at INTEGER, body TEXT);
             CREATE TABLE IF NOT EXISTS payments (dossier_code TEXT, amount_vnd INTEGER, at INTEGER);
             CREATE TABLE IF NOT EXISTS bookings (id TEXT PRIMARY KEY, slot_id TEXT NOT NULL,
                 booking_code TEXT NOT NULL UNIQUE, kiosk_id TEXT, procedure_code TEXT, state TEXT NOT NULL,
                 form BLOB, at INTEGER);
             CREATE TABLE IF NOT EXISTS hand_intakes (id TEXT PRIMARY KEY, kiosk_id TEXT, body TEXT NOT NULL,
                 already_received TEXT, at INTEGER);
             CREATE TABLE IF NOT EXISTS enrolment_codes (code TEXT PRIMARY KEY, kiosk_id TEXT,
                 expires_at INTEGER NOT NULL, used_at INTEGER);",
        )?;
        Ok(Arc::new(Sim {
            db: Mutex::new(db),
            secret,
            faults: Mutex::new(faults),
            random: Mutex::new(seed.max(1)),
            away: Mutex::new(0),
            away_notify: tokio::sync::Notify::new(),
            catalogue: Mutex::new(include_str!("../../assets/catalogue/procedures.toml").to_owned()),
            pay_after: Mutex::new(None),
            slot_capacity: Mutex::new(SLOT_CAPACITY),
            enrolments: std::sync::atomic::AtomicU64::new(0),
            nonces: Mutex::new(std::collections::HashMap::new()),
            catalogue_signing: Mutex::new(CatalogueSigning::Dev),
            codes_required: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// Serves another catalogue from now on (a test's "the city updated the catalogue").
    pub fn set_catalogue(&self, text: &str) {
        *self.catalogue.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = text.to_owned();
    }

    /// A payment of `amount_vnd` for dossier `code` arrives from the payment platform (any amount: a resident may
    /// transfer too little or too much).
    pub fn pay(&self, code: &str, amount_vnd: u64) {
        let _ = self.db().execute(
            "INSERT INTO payments (dossier_code, amount_vnd, at) VALUES (?1, ?2, ?3)",
            params![code, amount_vnd as i64, chrono::Utc::now().timestamp()],
        );
    }

    /// Every fee paid in full `seconds` after its dossier's code was issued (None: only [`Sim::pay`] pays).
    pub fn set_pay_after(&self, seconds: Option<u64>) {
        *self.pay_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = seconds;
    }

    /// The fee of a dossier the simulator holds: its amount (0 for a free procedure), what was paid, the account.
    fn fee(&self, code: &str, procedure: Option<&str>, received_at: i64) -> Option<portal::Fee> {
        let amount_vnd = sim_fee(procedure);
        let paid: i64 = self
            .db()
            .query_row("SELECT COALESCE(SUM(amount_vnd), 0) FROM payments WHERE dossier_code = ?1", [code], |r| {
                r.get(0)
            })
            .unwrap_or_default();
        let pay_after = *self.pay_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let auto_paid = pay_after.is_some_and(|after| chrono::Utc::now().timestamp() - received_at >= after as i64);
        let paid_vnd = if auto_paid { amount_vnd } else { paid.max(0) as u64 };
        Some(portal::Fee { amount_vnd, paid_vnd, pay_to: Some(sim_account()) })
    }

    /// Places in each slot from now on (bookings already made stay, even beyond it).
    pub fn set_slot_capacity(&self, places: u32) {
        *self.slot_capacity.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = places;
    }

    fn slot_capacity(&self) -> u32 {
        *self.slot_capacity.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every booking held, oldest first, with its opened form.
    pub fn bookings(&self) -> Vec<SimBooking> {
        let db = self.db();
        let Ok(mut statement) =
            db.prepare("SELECT slot_id, booking_code, state, kiosk_id, form FROM bookings ORDER BY at, rowid")
        else {
            return Vec::new();
        };
        type Row = (String, String, String, String, Vec<u8>);
        let rows: Vec<Row> = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .and_then(|rows| rows.collect())
            .unwrap_or_default();
        rows.into_iter()
            .filter_map(|(slot_id, booking_code, state, kiosk_id, form)| {
                let form = serde_json::from_slice(&form).ok()?;
                Some(SimBooking { slot_id, booking_code, state, kiosk_id, form })
            })
            .collect()
    }

    /// The service point changes a booking's state: "attended" (a ticket was given for it), "cancelled" (its
    /// place is free again) or "booked".
    pub fn set_booking_state(&self, code: &str, state: &str) {
        let _ = self.db().execute(
            "UPDATE bookings SET state = ?2, at = ?3 WHERE booking_code = ?1",
            params![code, state, chrono::Utc::now().timestamp()],
        );
    }

    /// The service point moves a booking to another of its slots (`slot_id` as the offer names it).
    pub fn move_booking(&self, code: &str, slot_id: &str) {
        let _ = self.db().execute(
            "UPDATE bookings SET slot_id = ?2, at = ?3 WHERE booking_code = ?1",
            params![code, slot_id, chrono::Utc::now().timestamp()],
        );
    }

    /// Closes the listener for `seconds` (connections refused), then listens again on the same address.
    /// Signs the catalogue it serves this way from now on.
    pub fn set_catalogue_signing(&self, signing: CatalogueSigning) {
        *self.catalogue_signing.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = signing;
    }

    /// The portal's operators release a kiosk id: its next enrolment is accepted with whatever key it brings.
    pub fn release_kiosk(&self, kiosk_id: &str) {
        self.db().execute("DELETE FROM kiosks WHERE kiosk_id = ?1", [kiosk_id]).expect("release");
    }

    /// From now on a kiosk the portal does not know enrols only with a one-time code (or, off, by itself).
    pub fn require_enrolment_codes(&self, required: bool) {
        self.codes_required.store(required, std::sync::atomic::Ordering::Relaxed);
    }

    /// The portal's operators issue a one-time enrolment code, good for `valid_for` seconds, for kiosk id
    /// `kiosk_id` (or for whichever kiosk uses it first). Codes look like "7KQ2-M9XD" (no 0/O, 1/I).
    pub fn issue_enrolment_code(&self, kiosk_id: Option<&str>, valid_for: i64) -> String {
        const LETTERS: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).expect("randomness for an enrolment code");
        let mut code = String::new();
        for (i, byte) in random.iter().enumerate() {
            if i == 4 {
                code.push('-');
            }
            code.push(char::from(LETTERS[usize::from(*byte) % LETTERS.len()]));
        }
        let expires_at = chrono::Utc::now().timestamp() + valid_for;
        self.db()
            .execute(
                "INSERT INTO enrolment_codes (code, kiosk_id, expires_at) VALUES (?1, ?2, ?3)",
                params![code, kiosk_id, expires_at],
            )
            .expect("issue an enrolment code");
        code
    }

    /// The Ed25519 key (base64) the portal holds for `kiosk_id`.
    pub fn enrolled_key(&self, kiosk_id: &str) -> Option<String> {
        self.db()
            .query_row("SELECT public_key FROM kiosks WHERE kiosk_id = ?1", [kiosk_id], |r| r.get(0))
            .optional()
            .ok()
            .flatten()
    }

    /// How many enrolment requests reached the simulator.
    pub fn enrolments_seen(&self) -> u64 {
        self.enrolments.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn go_away(&self, seconds: u64) {
        *self.away.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = seconds;
        self.away_notify.notify_one();
    }

    /// Every heartbeat received, oldest first: (kiosk id, heartbeat).
    pub fn heartbeats(&self) -> Vec<(String, Heartbeat)> {
        let db = self.db();
        let Ok(mut statement) = db.prepare("SELECT kiosk_id, body FROM heartbeats ORDER BY rowid") else {
            return Vec::new();
        };
        statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(kiosk, body)| Some((kiosk, serde_json::from_str(&body).ok()?)))
            .collect()
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = faults;
    }

    /// A uniform number in [0, 1) from a seeded xorshift, so a test's faults repeat.
    fn roll(&self) -> f64 {
        let mut state = self.random.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Every hand-intake marker received, in arrival order.
    pub fn hand_intakes(&self) -> Vec<HandIntakeSeen> {
        let db = self.db();
        let Ok(mut statement) =
            db.prepare("SELECT id, kiosk_id, body, already_received FROM hand_intakes ORDER BY at, id")
        else {
            return Vec::new();
        };
        let rows: Vec<(String, String, String, Option<String>)> = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect())
            .unwrap_or_default();
        rows.into_iter()
            .filter_map(|(id, kiosk_id, body, already_received)| {
                let intake: portal::HandIntake = serde_json::from_str(&body).ok()?;
                Some(HandIntakeSeen { id, kiosk_id, intake, already_received })
            })
            .collect()
    }

    /// Every submission received, with its opened form and pages.
    pub fn received(&self) -> Vec<Received> {
        let db = self.db();
        let mut statement = match db.prepare(
            "SELECT id, kind, procedure_code, page_count, form, dossier_code FROM submissions ORDER BY received_at",
        ) {
            Ok(statement) => statement,
            Err(_) => return Vec::new(),
        };
        type Row = (String, String, Option<String>, u32, Vec<u8>, String);
        let rows: Vec<Row> = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .and_then(|rows| rows.collect())
            .unwrap_or_default();
        rows.into_iter()
            .map(|(id, kind, procedure_code, page_count, form, dossier_code)| {
                let pages = (0..page_count)
                    .map(|idx| {
                        db.query_row("SELECT plain FROM pages WHERE id = ?1 AND idx = ?2", params![id, idx], |r| {
                            r.get(0)
                        })
                        .unwrap_or_default()
                    })
                    .collect();
                Received { id, kind, procedure_code, form, pages, dossier_code }
            })
            .collect()
    }
}

/// A running simulator: its address, and a way to stop it ("the portal goes away entirely").
pub struct Running {
    pub address: SocketAddr,
    pub sim: Arc<Sim>,
    stop: Arc<Stop>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct Stop {
    stopped: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Running {
    /// The base URL the kiosk's config names.
    pub fn base_url(&self) -> String {
        format!("http://{}/kiosk-api", self.address)
    }

    /// Stops listening: connections are refused from now on.
    pub fn stop(mut self) -> Arc<Sim> {
        self.shutdown();
        self.sim.clone()
    }

    fn shutdown(&mut self) {
        self.stop.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
        self.stop.notify.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the simulator on `address` (port 0 for any free port) on its own thread.
pub fn spawn(sim: Arc<Sim>, address: SocketAddr) -> anyhow::Result<Running> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(address))?;
    let address = listener.local_addr()?;
    let stop = Arc::new(Stop::default());
    let app = router(sim.clone());
    let (serving, stopping) = (sim.clone(), stop.clone());
    let thread = std::thread::Builder::new().name("portal-sim".into()).spawn(move || {
        runtime.block_on(serve_until_stopped(serving, app, listener, stopping));
        runtime.shutdown_timeout(Duration::from_secs(1));
    })?;
    Ok(Running { address, sim, stop, thread: Some(thread) })
}

/// Serves until stopped; when asked to go away, closes the listener, waits, and listens again.
async fn serve_until_stopped(sim: Arc<Sim>, app: Router, listener: tokio::net::TcpListener, stop: Arc<Stop>) {
    let address = listener.local_addr().ok();
    let mut listener = Some(listener);
    while !stop.stopped.load(std::sync::atomic::Ordering::SeqCst) {
        let current = match listener.take() {
            Some(listener) => listener,
            None => {
                let Some(address) = address else { return };
                match tokio::net::TcpListener::bind(address).await {
                    Ok(listener) => listener,
                    Err(_) => {
                        // The port is still in TIME_WAIT or taken: try again shortly.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                }
            }
        };
        let (why, reason) = tokio::sync::oneshot::channel::<Option<u64>>();
        let (watched, stopper) = (sim.clone(), stop.clone());
        let shutdown = async move {
            let away = tokio::select! {
                () = stopper.notify.notified() => None,
                () = watched.away_notify.notified() => {
                    Some(*watched.away.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
                }
            };
            let _ = why.send(away);
        };
        let _ = axum::serve(current, app.clone()).with_graceful_shutdown(shutdown).await;
        if let Ok(Some(seconds)) = reason.await {
            tokio::select! {
                () = stop.notify.notified() => return,
                () = tokio::time::sleep(Duration::from_secs(seconds)) => {}
            }
        } else {
            return;
        }
    }
}

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/kiosk-api/v1/kiosks", post(enrol))
        .route("/kiosk-api/v1/heartbeat", post(heartbeat))
        .route("/kiosk-api/v1/submissions/{id}/pages/{index}", put(page))
        .route("/kiosk-api/v1/submissions/{id}", put(submit))
        .route("/kiosk-api/v1/submissions/{id}/taken-by-hand", post(taken_by_hand))
        .route("/kiosk-api/v1/dossiers/{code}", get(dossier))
        .route("/kiosk-api/v1/catalogue", get(catalogue))
        .route("/kiosk-api/v1/slots", get(slots))
        .route("/admin/faults", post(set_faults))
        .route("/admin/away", post(go_away))
        .route("/admin/enrolment-codes", post(issue_code))
        .route("/admin/payments", post(pay))
        .route("/admin/bookings", post(change_booking))
        .with_state(sim)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

/// Applies the injected faults before the request is processed; `Err` is the faulty answer.
async fn before(sim: &Sim) -> Result<(), Response> {
    let faults = sim.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if sim.roll() < faults.error_rate {
        return Err(error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "simulated outage"));
    }
    if sim.roll() < faults.rate_limit_rate {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "simulated rate limit");
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return Err(response);
    }
    if sim.roll() < faults.html_rate {
        return Err((StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], "<html><body>Wi-Fi login</body></html>")
            .into_response());
    }
    if sim.roll() < faults.too_large_rate {
        return Err(error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "simulated size limit"));
    }
    Ok(())
}

/// After processing: maybe break the answer off in the middle.
fn after(sim: &Sim, response: Response) -> Response {
    let reset = sim.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner).reset_rate;
    if sim.roll() >= reset {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(Bytes::from_static(b"{\"dossier_co")), Err(std::io::Error::other("simulated connection reset"))];
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}

/// Checks the request's signature against the kiosk's enrolled key (or `key` when enrolling).
#[allow(clippy::result_large_err)] // the refusal is the handler's answer, returned as is
fn verify(
    sim: &Sim,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&str>,
) -> Result<String, Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let refused = |why: &str| error(StatusCode::UNAUTHORIZED, "bad_signature", why);
    let kiosk = header(portal::HEADER_KIOSK).ok_or_else(|| refused("no kiosk id"))?;
    let time: i64 = header(portal::HEADER_TIME).and_then(|t| t.parse().ok()).ok_or_else(|| refused("no time"))?;
    let now = chrono::Utc::now().timestamp();
    if (now - time).abs() > portal::CLOCK_SKEW {
        return Err(refused("the request's time is too far from the portal's clock"));
    }
    let key = match key {
        Some(key) => key.to_owned(),
        None => sim
            .db()
            .query_row("SELECT public_key FROM kiosks WHERE kiosk_id = ?1", [&kiosk], |r| r.get::<_, String>(0))
            .optional()
            .ok()
            .flatten()
            .ok_or_else(|| refused("this kiosk is not enrolled"))?,
    };
    let key: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| refused("the enrolled key is not 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| refused("the enrolled key is not an Ed25519 key"))?;
    let signature: [u8; 64] = header(portal::HEADER_SIGNATURE)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| refused("no signature"))?;
    let nonce = header(portal::HEADER_NONCE).filter(|n| portal::valid_nonce(n)).ok_or_else(|| refused("no nonce"))?;
    let text = portal::signing_text(method.as_str(), path, time, &nonce, body);
    key.verify(text.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| refused("the signature does not match"))?;
    // A nonce is good once per kiosk within the time window: a captured request cannot be sent again.
    let mut seen = sim.nonces.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    seen.retain(|_, at| (now - *at).abs() <= 2 * portal::CLOCK_SKEW);
    if seen.insert((kiosk.clone(), nonce), now).is_some() {
        return Err(refused("this request was already received (a replayed nonce)"));
    }
    Ok(kiosk)
}

/// A signed request past the injected faults: the kiosk that sent it, or the answer to give instead.
async fn admitted(
    sim: &Sim,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, Response> {
    before(sim).await?;
    verify(sim, method, path, headers, body, None)
}

async fn enrol(State(sim): State<Arc<Sim>>, method: Method, headers: HeaderMap, body: Bytes) -> Response {
    sim.enrolments.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Err(faulty) = before(&sim).await {
        return faulty;
    }
    let Ok(enrolment) = serde_json::from_slice::<Enrolment>(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request", "not an enrolment");
    };
    if let Err(refused) = verify(&sim, &method, portal::ENROL_PATH, &headers, &body, Some(&enrolment.public_key)) {
        return refused;
    }
    let db = sim.db();
    let known: Option<String> = db
        .query_row("SELECT public_key FROM kiosks WHERE kiosk_id = ?1", [&enrolment.kiosk_id], |r| r.get(0))
        .optional()
        .unwrap_or_default();
    let receipt = |status: StatusCode| {
        let key = base64::engine::general_purpose::STANDARD.decode(&enrolment.public_key).unwrap_or_default();
        let receipt = portal::EnrolmentReceipt {
            kiosk_id: enrolment.kiosk_id.clone(),
            confirmation: portal::confirmation_code(&key),
        };
        (status, Json(receipt)).into_response()
    };
    // The same kiosk with the same key: already enrolled, whatever code came (a code is not spent on it).
    if known.as_deref() == Some(enrolment.public_key.as_str()) {
        return receipt(StatusCode::OK);
    }
    let now = chrono::Utc::now().timestamp();
    match &enrolment.enrolment_code {
        Some(code) => {
            // Codes are compared as the operators print them: capitals, dashes where they are.
            let code = code.trim().to_ascii_uppercase();
            let row: Option<(Option<String>, i64, Option<i64>)> = db
                .query_row("SELECT kiosk_id, expires_at, used_at FROM enrolment_codes WHERE code = ?1", [&code], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
                .unwrap_or_default();
            let refused = |what: &str, why: &str| error(StatusCode::FORBIDDEN, what, why);
            match row {
                None => refused(portal::CODE_UNKNOWN, "no such enrolment code"),
                Some((_, _, Some(_))) => refused(portal::CODE_USED, "this enrolment code was already used"),
                Some((_, expires_at, None)) if expires_at <= now => {
                    refused(portal::CODE_EXPIRED, "this enrolment code has expired")
                }
                Some((Some(for_kiosk), _, None)) if for_kiosk != enrolment.kiosk_id => {
                    refused(portal::CODE_OTHER_KIOSK, "this enrolment code was issued for another kiosk id")
                }
                Some(_) => {
                    // One code, one enrolment: spent and the key stored together (a new key replaces the old).
                    let _ = db.execute("UPDATE enrolment_codes SET used_at = ?1 WHERE code = ?2", params![now, code]);
                    let _ = db.execute(
                        "INSERT OR REPLACE INTO kiosks (kiosk_id, public_key) VALUES (?1, ?2)",
                        params![enrolment.kiosk_id, enrolment.public_key],
                    );
                    receipt(StatusCode::CREATED)
                }
            }
        }
        None if known.is_some() => {
            error(StatusCode::CONFLICT, "other_key", "this kiosk id is enrolled with another key")
        }
        None if sim.codes_required.load(std::sync::atomic::Ordering::Relaxed) => error(
            StatusCode::FORBIDDEN,
            portal::CODE_REQUIRED,
            "this portal enrols a kiosk only with a one-time code from its operators",
        ),
        None => {
            let _ = db.execute(
                "INSERT OR IGNORE INTO kiosks (kiosk_id, public_key) VALUES (?1, ?2)",
                params![enrolment.kiosk_id, enrolment.public_key],
            );
            receipt(StatusCode::CREATED)
        }
    }
}

async fn heartbeat(State(sim): State<Arc<Sim>>, method: Method, headers: HeaderMap, body: Bytes) -> Response {
    let kiosk = match admitted(&sim, &method, portal::HEARTBEAT_PATH, &headers, &body).await {
        Ok(kiosk) => kiosk,
        Err(refused) => return refused,
    };
    if serde_json::from_slice::<Heartbeat>(&body).is_err() {
        return error(StatusCode::BAD_REQUEST, "bad_request", "not a heartbeat");
    }
    let _ = sim.db().execute(
        "INSERT INTO heartbeats (kiosk_id, at, body) VALUES (?1, ?2, ?3)",
        params![kiosk, chrono::Utc::now().timestamp(), String::from_utf8_lossy(&body)],
    );
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
}

async fn page(
    State(sim): State<Arc<Sim>>,
    UrlPath((id, index)): UrlPath<(String, u32)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = admitted(&sim, &method, &portal::page_path(&id, index), &headers, &body).await {
        return refused;
    }
    let Ok(plain) = sim.secret.unseal(&body) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "cannot_open", "the page is not sealed to this portal's key");
    };
    let sha = portal::sha256_hex(&body);
    let response = {
        let db = sim.db();
        let existing: Option<String> = db
            .query_row("SELECT sealed_sha FROM pages WHERE id = ?1 AND idx = ?2", params![id, index], |r| r.get(0))
            .optional()
            .unwrap_or_default();
        match existing {
            Some(known) if known != sha => {
                error(StatusCode::CONFLICT, "different_page", "another page was stored under this key and index")
            }
            Some(_) => (StatusCode::CREATED, Json(json!({ "page": index, "again": true }))).into_response(),
            None => {
                let _ = db.execute(
                    "INSERT INTO pages (id, idx, sealed_sha, plain) VALUES (?1, ?2, ?3, ?4)",
                    params![id, index, sha, plain],
                );
                (StatusCode::CREATED, Json(json!({ "page": index }))).into_response()
            }
        }
    };
    after(&sim, response)
}

/// A kiosk's counter took a held submission in by hand: stored once (a repeat answers the same), with the dossier
/// code when the submission had in fact arrived online first.
async fn taken_by_hand(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kiosk = match admitted(&sim, &method, &portal::hand_intake_path(&id), &headers, &body).await {
        Ok(kiosk) => kiosk,
        Err(refused) => return refused,
    };
    let Ok(intake) = serde_json::from_slice::<portal::HandIntake>(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request", "not a hand intake");
    };
    if intake.register_number.trim().is_empty() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "bad_intake", "the counter's register number is missing");
    }
    let response = {
        let db = sim.db();
        let already: Option<String> = db
            .query_row("SELECT dossier_code FROM submissions WHERE id = ?1", [&id], |r| r.get(0))
            .optional()
            .unwrap_or_default();
        let _ = db.execute(
            "INSERT OR IGNORE INTO hand_intakes (id, kiosk_id, body, already_received, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, kiosk, String::from_utf8_lossy(&body), already, chrono::Utc::now().timestamp()],
        );
        let receipt = portal::HandIntakeReceipt { already_received: already };
        (StatusCode::CREATED, Json(receipt)).into_response()
    };
    after(&sim, response)
}

async fn submit(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kiosk = match admitted(&sim, &method, &portal::submission_path(&id), &headers, &body).await {
        Ok(kiosk) => kiosk,
        Err(refused) => return refused,
    };
    let Ok(submission) = serde_json::from_slice::<Submission>(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request", "not a submission");
    };
    let by_hand: bool = sim
        .db()
        .query_row("SELECT COUNT(*) FROM hand_intakes WHERE id = ?1", [&id], |r| r.get::<_, i64>(0))
        .is_ok_and(|n| n > 0);
    if by_hand {
        return error(
            StatusCode::CONFLICT,
            portal::TAKEN_BY_HAND,
            "the counter took this submission in by hand; it is not to be sent",
        );
    }
    let Some(form) = base64::engine::general_purpose::STANDARD
        .decode(&submission.sealed_form)
        .ok()
        .and_then(|sealed| sim.secret.unseal(&sealed).ok())
    else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "cannot_open", "the form is not sealed to this portal's key");
    };
    let sha = portal::sha256_hex(submission.sealed_form.as_bytes());
    let booking = match submission.kind {
        portal::Kind::Booking => match serde_json::from_slice::<BookingForm>(&form) {
            Ok(booking) => Some(booking),
            Err(_) => return error(StatusCode::UNPROCESSABLE_ENTITY, "bad_form", "the form is not a booking"),
        },
        portal::Kind::Dossier | portal::Kind::HomeVisit => None,
    };
    let response = {
        // One lock over the check for a known id, the count of places and the insert: two kiosks asking for a
        // slot's last place at the same moment are served one after the other.
        let db = sim.db();
        let existing: Option<(String, String)> = db
            .query_row("SELECT sealed_sha, dossier_code FROM submissions WHERE id = ?1", [&id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .unwrap_or_default();
        match existing {
            Some((known, _)) if known != sha => error(
                StatusCode::CONFLICT,
                "different_payload",
                "another submission was stored under this idempotency key",
            ),
            Some((_, code)) => (StatusCode::CREATED, Json(json!({ "dossier_code": code }))).into_response(),
            None => {
                let pages: u32 =
                    db.query_row("SELECT COUNT(*) FROM pages WHERE id = ?1", [&id], |r| r.get(0)).unwrap_or_default();
                if pages < submission.page_count {
                    return error(StatusCode::UNPROCESSABLE_ENTITY, "missing_pages", "send every page first");
                }
                let code = match &booking {
                    Some(booking) => match book(&db, sim.slot_capacity(), &id, &kiosk, booking, &form) {
                        Ok(code) => code,
                        Err(refused) => return after(&sim, refused),
                    },
                    None => {
                        let count: i64 =
                            db.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0)).unwrap_or_default();
                        let today = chrono::Utc::now().format("%y%m%d");
                        format!("SIM-{today}-{:06}", count + 1)
                    }
                };
                let kind = match submission.kind {
                    portal::Kind::Dossier => "dossier",
                    portal::Kind::HomeVisit => "home_visit",
                    portal::Kind::Booking => "booking",
                };
                let _ = db.execute(
                    "INSERT INTO submissions (id, kind, procedure_code, page_count, sealed_sha, form, dossier_code,
                     kiosk_id, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id,
                        kind,
                        submission.procedure_code,
                        submission.page_count,
                        sha,
                        form,
                        code,
                        kiosk,
                        chrono::Utc::now().timestamp_micros()
                    ],
                );
                (StatusCode::CREATED, Json(json!({ "dossier_code": code }))).into_response()
            }
        }
    };
    after(&sim, response)
}

/// Takes a place in the booking's slot for submission `id` (the caller holds the database's lock and records the
/// submission after): its booking code, or the refusal to answer (422 unknown_slot, 409 slot_full).
#[allow(clippy::result_large_err)] // the refusal is the handler's answer, returned as is
fn book(
    db: &Connection,
    capacity: u32,
    id: &str,
    kiosk: &str,
    booking: &BookingForm,
    form: &[u8],
) -> Result<String, Response> {
    let offer = offered(db, capacity);
    let Some(position) = offer.iter().position(|slot| slot.id == booking.slot_id) else {
        return Err(error(StatusCode::UNPROCESSABLE_ENTITY, "unknown_slot", "no slot offered has this id"));
    };
    if offer[position].free == 0 {
        let next_free = offer[position + 1..].iter().filter(|slot| slot.free > 0).take(3).cloned().collect();
        let full = portal::SlotFull { error: portal::SLOT_FULL.into(), next_free };
        return Err((StatusCode::CONFLICT, Json(full)).into_response());
    }
    let count: i64 = db.query_row("SELECT COUNT(*) FROM bookings", [], |r| r.get(0)).unwrap_or_default();
    let code = format!("LH-{}-{:06}", hanoi_today().format("%y%m%d"), count + 1);
    db.execute(
        "INSERT INTO bookings (id, slot_id, booking_code, kiosk_id, procedure_code, state, form, at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'booked', ?6, ?7)",
        params![id, booking.slot_id, code, kiosk, booking.procedure_code, form, chrono::Utc::now().timestamp()],
    )
    .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, "storage", &e.to_string()))?;
    Ok(code)
}

/// `GET /v1/slots`: the simulated service point's slots, with the places still free.
async fn slots(State(sim): State<Arc<Sim>>, method: Method, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(faulty) = before(&sim).await {
        return faulty;
    }
    if let Err(refused) = verify(&sim, &method, portal::SLOTS_PATH, &headers, &body, None) {
        return refused;
    }
    let slots = offered(&sim.db(), sim.slot_capacity());
    Json(portal::SlotOffer { place_vi: PLACE_VI.into(), place_en: PLACE_EN.into(), address: ADDRESS.into(), slots })
        .into_response()
}

async fn dossier(
    State(sim): State<Arc<Sim>>,
    UrlPath(code): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(faulty) = before(&sim).await {
        return faulty;
    }
    if let Err(refused) = verify(&sim, &method, &portal::dossier_path(&code), &headers, &body, None) {
        return refused;
    }
    let found: Option<(String, Option<String>, i64)> = sim
        .db()
        .query_row("SELECT kind, procedure_code, received_at FROM submissions WHERE dossier_code = ?1", [&code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
        .unwrap_or_default();
    match found {
        Some((kind, _, received)) if kind == "booking" => {
            let booked: Option<(String, String, Option<String>, i64)> = sim
                .db()
                .query_row(
                    "SELECT slot_id, state, procedure_code, at FROM bookings WHERE booking_code = ?1",
                    [&code],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .unwrap_or_default();
            let Some((slot_id, state, procedure_code, at)) = booked else {
                return error(StatusCode::NOT_FOUND, "unknown_dossier", "no dossier has this code");
            };
            let (date, start, end) = slot_by_id(&slot_id).unwrap_or_default();
            Json(DossierStatus {
                dossier_code: code,
                kind: portal::Kind::Booking,
                state,
                received_at: received / 1_000_000,
                updated_at: at,
                fee: None,
                booking: Some(portal::Booked {
                    date,
                    start,
                    end,
                    place_vi: PLACE_VI.into(),
                    place_en: PLACE_EN.into(),
                    address: ADDRESS.into(),
                    procedure_code,
                }),
            })
            .into_response()
        }
        Some((kind, procedure, received)) => {
            let kind = if kind == "home_visit" { portal::Kind::HomeVisit } else { portal::Kind::Dossier };
            // The simulator does not process dossiers: what it has is received, and that is all it says.
            let received_at = received / 1_000_000;
            let fee = match kind {
                portal::Kind::Dossier => sim.fee(&code, procedure.as_deref(), received_at),
                portal::Kind::HomeVisit | portal::Kind::Booking => None,
            };
            Json(DossierStatus {
                dossier_code: code,
                kind,
                state: "received".into(),
                received_at,
                updated_at: received_at,
                fee,
                booking: None,
            })
            .into_response()
        }
        None => error(StatusCode::NOT_FOUND, "unknown_dossier", "no dossier has this code"),
    }
}

async fn catalogue(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    // The simulator serves the catalogue the repository ships (or one a test set), tagged by its content.
    let text = sim.catalogue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let etag = format!("\"{}\"", &portal::sha256_hex(text.as_bytes())[..16]);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let signature = match *sim.catalogue_signing.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
        CatalogueSigning::Dev => Some(sign_catalogue(&DEV_CATALOGUE_SEED, text.as_bytes())),
        CatalogueSigning::Other => Some(sign_catalogue(&[7; 32], text.as_bytes())),
        CatalogueSigning::None => None,
    };
    let mut response =
        ([(header::ETAG, etag.as_str()), (header::CONTENT_TYPE, "application/toml")], text).into_response();
    if let Some(signature) = signature.and_then(|s| axum::http::HeaderValue::from_str(&s).ok()) {
        response.headers_mut().insert(portal::HEADER_CATALOGUE_SIGNATURE, signature);
    }
    response
}

/// The seed of the simulator's development catalogue key; its public half is `catalogue_key` in
/// assets/kiosk.example.toml.
pub const DEV_CATALOGUE_SEED: [u8; 32] = *b"portal-sim catalogue signing 01!";

/// How the simulator signs the catalogue it serves (tests change it to see the kiosk refuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueSigning {
    /// With the development key, as the city would with its own.
    Dev,
    /// With some other key (an attacker's, or a key the kiosk was not given).
    Other,
    /// Not at all.
    None,
}

/// The base64 Ed25519 signature of a catalogue by `seed`'s key.
pub fn sign_catalogue(seed: &[u8; 32], body: &[u8]) -> String {
    use ed25519_dalek::Signer as _;
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    base64::engine::general_purpose::STANDARD.encode(key.sign(body).to_bytes())
}

#[derive(Deserialize)]
struct Away {
    seconds: u64,
}

async fn go_away(State(sim): State<Arc<Sim>>, Json(away): Json<Away>) -> Response {
    sim.go_away(away.seconds);
    (StatusCode::ACCEPTED, Json(json!({ "away_for_seconds": away.seconds }))).into_response()
}

#[derive(Deserialize)]
struct CodeRequest {
    kiosk_id: Option<String>,
    /// How long the code is good for (default one day).
    valid_for_seconds: Option<i64>,
}

/// The portal's operators issue a one-time enrolment code (tests, and a technician trying the simulator by hand:
/// `curl -d '{"kiosk_id":"HN-DEMO-0001"}' -H 'content-type: application/json' http://127.0.0.1:8787/admin/enrolment-codes`).
async fn issue_code(State(sim): State<Arc<Sim>>, Json(request): Json<CodeRequest>) -> Response {
    let valid_for = request.valid_for_seconds.unwrap_or(24 * 3600);
    let code = sim.issue_enrolment_code(request.kiosk_id.as_deref(), valid_for);
    let expires_at = chrono::Utc::now().timestamp() + valid_for;
    (StatusCode::CREATED, Json(json!({ "code": code, "kiosk_id": request.kiosk_id, "expires_at": expires_at })))
        .into_response()
}

#[derive(Deserialize)]
struct Payment {
    dossier_code: String,
    amount_vnd: u64,
}

/// A payment arriving from the payment platform (tests, and a person trying the simulator by hand).
async fn pay(State(sim): State<Arc<Sim>>, Json(payment): Json<Payment>) -> Response {
    sim.pay(&payment.dossier_code, payment.amount_vnd);
    (StatusCode::ACCEPTED, Json(json!({ "dossier_code": payment.dossier_code, "amount_vnd": payment.amount_vnd })))
        .into_response()
}

#[derive(Deserialize)]
struct BookingChange {
    booking_code: String,
    /// "booked", "attended" or "cancelled".
    #[serde(default)]
    state: Option<String>,
    /// Another slot, as the offer names it ("2026-12-07T17:30").
    #[serde(default)]
    slot_id: Option<String>,
}

/// The service point changes a booking (tests, and a person trying arrival at the kiosk by hand).
async fn change_booking(State(sim): State<Arc<Sim>>, Json(change): Json<BookingChange>) -> Response {
    if let Some(state) = &change.state {
        if !["booked", "attended", "cancelled"].contains(&state.as_str()) {
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": "unknown_state" }))).into_response();
        }
        sim.set_booking_state(&change.booking_code, state);
    }
    if let Some(slot_id) = &change.slot_id {
        if slot_by_id(slot_id).is_none() {
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": "unknown_slot" }))).into_response();
        }
        sim.move_booking(&change.booking_code, slot_id);
    }
    (StatusCode::ACCEPTED, Json(json!({ "booking_code": change.booking_code }))).into_response()
}

async fn set_faults(State(sim): State<Arc<Sim>>, Json(faults): Json<Faults>) -> Response {
    sim.set_faults(faults.clone());
    Json(faults).into_response()
}
