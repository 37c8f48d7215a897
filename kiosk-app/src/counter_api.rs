//! The counter API: counter staff sign in with their id and PIN and call tickets from their computers on the
//! service point's network. Documented in docs/api/counter-api.yaml (served at `/counter/v1/openapi.yaml`).
//!
//! Every request is checked against the allowed networks first (loopback always passes); everything else needs a
//! session token from `POST /counter/v1/sessions`. Queue commands go through the [`QueueStore`], whose lock makes
//! two counters calling at the same moment get different tickets. Calling or recalling a ticket pages its pager
//! through the [`PagerLine`] and reports what the transmitter said.
//! Must not do: decide queue rules (kiosk-core does), log PINs or tokens, or serve the resident screens.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use kiosk_core::config::{self, Network};
use kiosk_core::queue::{self, Day, Event, Priority, Queue, Seconds, State as TicketState, Ticket, TicketId};
use kiosk_core::staff::{self, Accounts, Gate, Lockout, Refusal};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::devices::{PageOutcome, PagerLine, PAGE_WAIT};
use crate::queue_store::QueueStore;
use crate::staff_store::{self, Ended, Kind, Session, StaffStore};

/// The OpenAPI document, served as it is in the repository.
pub const OPENAPI: &str = include_str!("../../docs/api/counter-api.yaml");

/// How long a session lasts: a working day; staff sign in again the next morning.
pub const SESSION_SECONDS: Seconds = 12 * 3600;
/// An API token unused this long ends (the counter's program signs in again): a token left on a PC that was
/// walked away from is not good all day.
pub const API_IDLE_SECONDS: Seconds = 60 * 60;

/// What the API is given: the queue and its rules, the networks allowed to reach it, the staff file and the staff
/// database (sessions, lockout, audit), the pager transmitter, how the board announces, and the clock.
pub struct CounterSetup {
    pub store: Arc<QueueStore>,
    pub queue: config::Queue,
    pub allow: Vec<Network>,
    pub staff_file: PathBuf,
    pub staff_db: PathBuf,
    pub pager: PagerLine,
    pub announce: crate::board::Announce,
    pub clock: fn() -> (Day, Seconds),
    /// What the kiosk holds while the portal is away, for the console's held-dossiers pages (None: pages say
    /// this service has none).
    pub held: Option<Arc<crate::held::Held>>,
}

/// Everything the API and the staff pages need, shared by their handlers: the setup, the staff store and the
/// sign-in lockout (saved in it), the board's calls, and what the kiosk is told.
pub struct CounterApi {
    pub(crate) setup: CounterSetup,
    pub(crate) staff: StaffStore,
    lockout: Mutex<Lockout>,
    /// Argon2 checks allowed to run at once, and how many run (and ran at most).
    pin_checks: Arc<tokio::sync::Semaphore>,
    checking: Arc<AtomicUsize>,
    checking_most: Arc<AtomicUsize>,
    pub(crate) board: Arc<crate::board::Board>,
    on_page: Option<PageListener>,
    pub(crate) on_reprint: Option<ReprintListener>,
    /// HTTPS, when the kiosk serves it (then plain HTTP is for the board only, unless allowed for staff).
    tls: Option<crate::tls::Tls>,
}

/// Told of each page's outcome (the kiosk shows a simulated pager vibrating).
pub type PageListener = Box<dyn Fn(u16, PageOutcome) + Send + Sync>;

/// Prints a ticket again at the kiosk's printer.
pub type ReprintListener = Box<dyn Fn(crate::tickets::Issued) + Send + Sync>;

impl CounterApi {
    /// Opens the staff database and starts following the queue for the board. Fails when the database cannot be
    /// opened (the cause says which file).
    pub fn new(setup: CounterSetup) -> anyhow::Result<CounterApi> {
        let staff = StaffStore::open(&setup.staff_db)?;
        let lockout = Mutex::new(staff.lockout());
        let board = crate::board::Board::follow(&setup.store, &setup.queue, setup.announce);
        Ok(CounterApi {
            setup,
            staff,
            lockout,
            pin_checks: Arc::new(tokio::sync::Semaphore::new(PIN_CHECKS_AT_ONCE)),
            checking: Arc::default(),
            checking_most: Arc::default(),
            board,
            on_page: None,
            on_reprint: None,
            tls: None,
        })
    }

    /// Serves HTTPS as well, on the same port: a connection that opens with a TLS handshake gets TLS.
    pub fn with_tls(mut self, tls: crate::tls::Tls) -> CounterApi {
        self.tls = Some(tls);
        self
    }

    pub fn on_page(mut self, listener: PageListener) -> CounterApi {
        self.on_page = Some(listener);
        self
    }

    pub fn on_reprint(mut self, listener: ReprintListener) -> CounterApi {
        self.on_reprint = Some(listener);
        self
    }

    pub fn now(&self) -> (Day, Seconds) {
        (self.setup.clock)()
    }
}

/// The routes, ready to serve with `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn router(api: Arc<CounterApi>) -> Router {
    let pages = crate::console::routes().merge(crate::board::routes());
    let v1 = Router::new()
        .route("/openapi.yaml", get(openapi))
        .route("/sessions", post(sign_in))
        .route("/sessions/current", get(whoami).delete(sign_out))
        .route("/call-next", post(call_next))
        .route("/tickets/{id}/transfer", post(transfer))
        .route("/tickets/{id}/rating", post(rate))
        .route("/tickets/{id}/{action}", post(ticket_action))
        .route("/queue", get(overview))
        .route("/figures/today", get(figures))
        .route("/pagers", get(pagers))
        .route("/pagers/{pager}/missing", post(pager_missing))
        .route("/pagers/{pager}/returned", post(pager_returned));
    Router::new()
        .nest("/counter/v1", v1)
        .merge(pages)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(api.clone(), https_for_staff))
        .layer(axum::middleware::from_fn_with_state(api.clone(), only_allowed_networks))
        .with_state(api)
}

/// How a request reached the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Https,
    Plain,
}

/// What plain HTTP may still serve when the kiosk serves HTTPS: the waiting-room board (numbers and counters,
/// no personal data; TVs do not trust certificates) and public static files.
fn plain_is_enough(path: &str) -> bool {
    path == "/board" || path.starts_with("/board/") || path.starts_with("/static/")
}

/// With HTTPS on, plain HTTP requests for the staff pages are sent to HTTPS (a page) or refused (the API), so
/// a PIN or a session cookie never crosses the network in clear (review M1).
async fn https_for_staff(
    State(api): State<Arc<CounterApi>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let plain = request.extensions().get::<Transport>() != Some(&Transport::Https);
    let refused =
        plain && api.tls.as_ref().is_some_and(|tls| !tls.plain_for_staff) && !plain_is_enough(request.uri().path());
    if !refused {
        let https = !plain;
        let mut response = next.run(request).await;
        if https {
            // Cookies set over HTTPS never travel over plain HTTP.
            let all: Vec<HeaderValue> = response.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
            response.headers_mut().remove(header::SET_COOKIE);
            for value in all {
                let secure = value.to_str().map(|text| format!("{text}; Secure")).ok();
                let value = secure.and_then(|text| HeaderValue::from_str(&text).ok()).unwrap_or(value);
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        return response;
    }
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned();
    let page = request.method() == axum::http::Method::GET && !request.uri().path().starts_with("/counter/");
    if page && !host.is_empty() && !host.contains(['/', '\\', '@']) {
        return axum::response::Redirect::permanent(&format!("https://{host}{target}")).into_response();
    }
    ApiError::new(
        StatusCode::FORBIDDEN,
        "https_required",
        "Hãy dùng https:// để kết nối với ki-ốt; kết nối không mã hóa chỉ dành cho bảng gọi số.",
        "Use https:// to reach the kiosk; plain http is only for the waiting-room board.",
    )
    .into_response()
}

/// Connections served at once, at most (the board and open consoles hold one each for their live updates); more
/// are closed at once, so slow or hostile clients cannot take every file descriptor the outbox and the scanner
/// need.
pub const MAX_CONNECTIONS: usize = 128;
/// A request's head must arrive within this, or the connection is closed (a client that sends nothing, or a byte
/// at a time, holds a connection no longer).
pub const HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// A request's body may pause this long between pieces at most.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The largest request body read (sign-in, forms and commands are a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Serves the API on `listener` until the process ends: each connection from an allowed network (checked before
/// anything is read from it) is served by hyper with [`HEAD_TIMEOUT`] and [`BODY_TIMEOUT`], up to
/// [`MAX_CONNECTIONS`] at once.
pub async fn serve(listener: tokio::net::TcpListener, api: Arc<CounterApi>) -> std::io::Result<()> {
    let app = router(api.clone()).layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES));
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of descriptors (EMFILE) or a connection reset before it was accepted: wait, go on.
                tracing::warn!(%error, "the counter API could not accept a connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        if !allowed(&api, peer.ip()) {
            tracing::warn!(client = %peer.ip(), "counter API connection from outside the allowed networks closed");
            continue;
        }
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(client = %peer.ip(), "counter API connection closed: {MAX_CONNECTIONS} already open");
            continue;
        };
        let app = app.clone();
        let tls = api.tls.as_ref().map(|tls| tokio_rustls::TlsAcceptor::from(tls.config.clone()));
        tokio::spawn(async move {
            // hyper's head timeout runs from the first byte; a client that sends nothing is closed here.
            let mut first = [0u8; 1];
            if !matches!(tokio::time::timeout(HEAD_TIMEOUT, stream.peek(&mut first)).await, Ok(Ok(1..))) {
                drop(slot);
                return;
            }
            // A TLS connection opens with a handshake record (0x16); anything else is plain HTTP.
            match tls.filter(|_| first[0] == 0x16) {
                Some(acceptor) => match tokio::time::timeout(HEAD_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => serve_connection(stream, peer, Transport::Https, app).await,
                    Ok(Err(error)) => tracing::debug!(%error, client = %peer.ip(), "a TLS handshake failed"),
                    Err(_) => tracing::debug!(client = %peer.ip(), "a TLS handshake took too long"),
                },
                None => serve_connection(stream, peer, Transport::Plain, app).await,
            }
            drop(slot);
        });
    }
}

/// Serves one connection (plain or TLS) with the head and body timeouts.
async fn serve_connection<S>(stream: S, peer: SocketAddr, transport: Transport, app: Router)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service as _;
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let mut request = request.map(|body| tower_http::timeout::TimeoutBody::new(BODY_TIMEOUT, body));
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        request.extensions_mut().insert(transport);
        app.clone().call(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(error) = connection.await {
        tracing::debug!(%error, "a counter API connection ended with an error");
    }
}

/// Whether `ip` may use the counter API and the staff pages: loopback, or one of the allowed networks.
fn allowed(api: &CounterApi, ip: std::net::IpAddr) -> bool {
    let loopback = ip.is_loopback()
        || matches!(ip, std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
    loopback || api.setup.allow.iter().any(|network| network.contains(ip))
}

/// Starts serving the API on `network` (the kiosk's one network runtime); returns the address it listens on.
pub fn spawn(api: Arc<CounterApi>, listen: SocketAddr, network: &tokio::runtime::Handle) -> anyhow::Result<SocketAddr> {
    use anyhow::Context as _;
    let listener = std::net::TcpListener::bind(listen)
        .with_context(|| format!("listening for the counter API on {listen} (is another kiosk process running?)"))?;
    listener.set_nonblocking(true).context("making the counter API's socket non-blocking")?;
    let address = listener.local_addr()?;
    api.board.set_runtime(network.clone());
    let _entered = network.enter();
    let listener = tokio::net::TcpListener::from_std(listener).context("handing the counter API's socket to tokio")?;
    network.spawn(async move {
        if let Err(error) = serve(listener, api).await {
            tracing::error!(%error, "the counter API stopped");
        }
    });
    tracing::info!(%address, "counter API listening");
    Ok(address)
}

// ---- errors ----

/// An error as counter staff see it: a code for programs, a sentence in Vietnamese and English.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) vi: String,
    pub(crate) en: String,
    retry_after: Option<Seconds>,
    detail: serde_json::Value,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError { status, code, vi: vi.into(), en: en.into(), retry_after: None, detail: serde_json::Value::Null }
    }

    fn detail(mut self, detail: serde_json::Value) -> ApiError {
        self.detail = detail;
        self
    }

    pub(crate) fn storage(error: anyhow::Error) -> ApiError {
        tracing::error!(error = %format!("{error:#}"), "queue storage failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage_failed",
            "Không lưu được dữ liệu hàng đợi; thao tác chưa được thực hiện. Thử lại; nếu vẫn lỗi, báo kỹ thuật viên.",
            "The queue could not be saved; nothing was changed. Try again; if it keeps failing, call the technician.",
        )
    }

    pub(crate) fn queue(error: queue::Error) -> ApiError {
        match error {
            queue::Error::UnknownService(code) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "unknown_service",
                format!("Không có lĩnh vực mã {code} tại điểm phục vụ này."),
                format!("There is no service with code {code} at this service point."),
            ),
            queue::Error::UnknownTicket(id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_ticket",
                format!("Không tìm thấy số thứ tự (mã {id})."),
                format!("There is no ticket {id}."),
            ),
            queue::Error::WrongState { id, action, state } => ApiError::new(
                StatusCode::CONFLICT,
                "wrong_state",
                format!(
                    "Số thứ tự (mã {id}) đang ở trạng thái \u{201c}{}\u{201d}, không thể thực hiện thao tác này.",
                    state_vi(state)
                ),
                format!("Ticket {id} cannot {action} while it is {}.", state_name(state)),
            )
            .detail(json!({ "state": state_name(state) })),
            queue::Error::NobodyWaiting => ApiError::new(
                StatusCode::CONFLICT,
                "nobody_waiting",
                "Không còn ai chờ ở các lĩnh vực của quầy này.",
                "Nobody is waiting for this counter's services.",
            ),
            queue::Error::BadRating(rating) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_rating",
                format!("Mức đánh giá phải từ 1 đến 4 (đã nhận: {rating})."),
                format!("A rating is 1 to 4, not {rating}."),
            ),
            queue::Error::AlreadyRated(id) => ApiError::new(
                StatusCode::CONFLICT,
                "already_rated",
                format!("Số thứ tự (mã {id}) đã được đánh giá; mỗi số chỉ đánh giá một lần."),
                format!("Ticket {id} is already rated; a ticket is rated once."),
            ),
            queue::Error::PagerNotOut(pager) => ApiError::new(
                StatusCode::CONFLICT,
                "pager_not_out",
                format!("Thẻ rung số {pager} hiện không ở chỗ người dân (đã trả lại hoặc chưa phát ra)."),
                format!("Pager {pager} is not out (already handed back, or never handed out)."),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.code, "message_vi": self.vi, "message_en": self.en });
        if let (Some(map), serde_json::Value::Object(detail)) = (body.as_object_mut(), self.detail) {
            map.extend(detail);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không có địa chỉ này trong API quầy; xem /counter/v1/openapi.yaml.",
        "No such path in the counter API; see /counter/v1/openapi.yaml.",
    )
}

/// A path that exists asked with another method: the same JSON error shape as every other refusal.
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Địa chỉ này không nhận cách gọi đó; xem /counter/v1/openapi.yaml.",
        "This path does not take that method; see /counter/v1/openapi.yaml.",
    )
}

// ---- who may ask ----

async fn only_allowed_networks(
    State(api): State<Arc<CounterApi>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ip = peer.ip();
    if allowed(&api, ip) {
        next.run(request).await
    } else {
        tracing::warn!(client = %ip, "counter API request from outside the allowed networks refused");
        ApiError::new(
            StatusCode::FORBIDDEN,
            "network_not_allowed",
            "Máy này không thuộc mạng của các quầy nên không được dùng API quầy.",
            "This computer is not on the counters' network and may not use the counter API.",
        )
        .into_response()
    }
}

/// A signed-in counter, from the `Authorization: Bearer` header.
pub(crate) struct Signed(pub(crate) Session);

impl FromRequestParts<Arc<CounterApi>> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Arc<CounterApi>) -> Result<Signed, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "sign_in_needed",
                "Cần đăng nhập bằng mã cán bộ và mã PIN.",
                "Sign in with your staff id and PIN first.",
            ));
        };
        api.find_session(token, Kind::Api, Some(API_IDLE_SECONDS)).map(Signed)
    }
}

impl CounterApi {
    /// The live session behind `token`, or why there is none, as staff are told it.
    pub(crate) fn find_session(&self, token: &str, kind: Kind, idle: Option<Seconds>) -> ApiResult<Session> {
        let accounts = read_accounts(&self.setup.staff_file)?;
        let now = self.now().1;
        match self.staff.session(token, kind, &accounts, now, idle) {
            Ok(Ok(session)) => Ok(session),
            Ok(Err(ended)) => Err(session_ended(ended)),
            Err(error) => Err(ApiError::storage(error)),
        }
    }

    /// Checks a staff id and PIN from `client` (see [`client_key`]). The attempt is counted towards the lockout
    /// before the PIN is checked (saved, so a restart does not reset it), so attempts sent at once cannot all
    /// pass; at most [`PIN_CHECKS_AT_ONCE`] Argon2 checks run at a time (each takes about 19 MiB), the rest wait
    /// up to [`PIN_CHECK_WAIT`] and are then told to try again. Takes as long for an unknown id as for a wrong PIN.
    pub(crate) async fn check_pin(&self, staff_id: &str, pin: &str, client: &str) -> ApiResult<staff::Account> {
        let now = self.now().1;
        let gate = {
            let mut lockout = lock(&self.lockout);
            let gate = lockout.attempt(staff_id, client, now);
            if matches!(gate, Gate::Open { .. }) {
                self.save_lockout(&lockout);
            }
            gate
        };
        if let Gate::Locked { until } = gate {
            return Err(locked(until, now));
        }
        let accounts = read_accounts(&self.setup.staff_file)?;
        let account = accounts.find(staff_id).cloned();
        let hash = account.as_ref().map(|a| a.pin_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
        let pin = zeroize::Zeroizing::new(pin.to_owned());
        let Ok(Ok(permit)) = tokio::time::timeout(PIN_CHECK_WAIT, self.pin_checks.clone().acquire_owned()).await else {
            tracing::warn!(client = %client, "counter sign-in turned away: too many PIN checks at once");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Ki-ốt đang kiểm tra nhiều lượt đăng nhập; vui lòng thử lại sau ít giây.",
                "The kiosk is checking many sign-ins; please try again in a few seconds.",
            ));
        };
        let (checking, most) = (self.checking.clone(), self.checking_most.clone());
        let matches = tokio::task::spawn_blocking(move || {
            most.fetch_max(checking.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            let matches = staff::verify_pin(&hash, &pin);
            checking.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            matches
        })
        .await
        .unwrap_or(false);
        match account {
            Some(account) if matches => {
                let mut lockout = lock(&self.lockout);
                lockout.succeeded(&account.id, client);
                self.save_lockout(&lockout);
                Ok(account)
            }
            _ => {
                let refusal = lock(&self.lockout).failed(staff_id, client, now);
                tracing::warn!(client = %client, "counter sign-in refused: wrong staff id or PIN");
                Err(match refusal {
                    Refusal::NowLocked { until } => locked(until, now),
                    Refusal::WrongPin { attempts_left } => ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "wrong_pin",
                        format!("Sai mã cán bộ hoặc mã PIN. Còn {attempts_left} lần thử trước khi bị khóa 15 phút."),
                        format!("Wrong staff id or PIN. {attempts_left} attempts left before a 15-minute lock."),
                    )
                    .detail(json!({ "attempts_left": attempts_left })),
                })
            }
        }
    }

    /// The most PIN checks that ran at the same moment since the start (never above [`PIN_CHECKS_AT_ONCE`]).
    pub fn pin_checks_at_most(&self) -> usize {
        self.checking_most.load(Ordering::SeqCst)
    }

    fn save_lockout(&self, lockout: &Lockout) {
        if let Err(error) = self.staff.save_lockout(lockout) {
            tracing::error!(error = %format!("{error:#}"), "the sign-in lockout could not be saved");
        }
    }

    /// Opens a session for `account` at `counter` calling `services`; returns its token.
    pub(crate) fn open_session(
        &self,
        account: &staff::Account,
        counter: u16,
        services: Vec<String>,
        kind: Kind,
    ) -> ApiResult<(String, Session)> {
        let token = new_token().map_err(|e| ApiError::storage(anyhow::anyhow!("no randomness for a token: {e}")))?;
        let csrf = new_token().map_err(|e| ApiError::storage(anyhow::anyhow!("no randomness for a token: {e}")))?;
        let now = self.now().1;
        let session = Session {
            staff_id: account.id.clone(),
            staff_name: account.name.clone(),
            counter,
            services,
            csrf,
            expires_at: now + SESSION_SECONDS,
            last_seen: now,
        };
        self.staff.open_session(&token, kind, &session, account).map_err(ApiError::storage)?;
        tracing::info!(staff = %account.id, counter, "counter signed in");
        Ok((token, session))
    }

    /// Notes an action in the audit log (who, when, which ticket or pager).
    pub(crate) fn audit(&self, session: &Session, action: &str, subject: &str) {
        let entry = staff_store::Audit {
            at: self.now().1,
            staff_id: session.staff_id.clone(),
            counter: session.counter,
            action: action.to_owned(),
            subject: subject.to_owned(),
        };
        if let Err(error) = self.staff.audit(&entry) {
            tracing::error!(error = %format!("{error:#}"), action, "an action could not be written to the audit log");
        }
    }
}

fn session_ended(ended: Ended) -> ApiError {
    let (code, vi, en) = match ended {
        Ended::Unknown | Ended::Expired | Ended::Idle => (
            "session_expired",
            "Phiên làm việc đã hết hạn hoặc đã đăng xuất; hãy đăng nhập lại.",
            "The session has ended or was signed out; sign in again.",
        ),
        Ended::Removed => (
            "staff_removed",
            "Tài khoản cán bộ này đã bị gỡ khỏi ki-ốt; phiên làm việc đã kết thúc.",
            "This staff account was removed from the kiosk; the session has ended.",
        ),
        Ended::PinReset => (
            "pin_reset",
            "Mã PIN đã được đặt lại; hãy đăng nhập lại bằng mã PIN mới.",
            "The PIN was reset; sign in again with the new PIN.",
        ),
    };
    ApiError::new(StatusCode::UNAUTHORIZED, code, vi, en)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

// ---- sessions ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    staff_id: String,
    /// Wiped from memory when dropped.
    pin: zeroize::Zeroizing<String>,
    counter: u16,
}

async fn sign_in(
    State(api): State<Arc<CounterApi>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let Json(request) = body.map_err(bad_body)?;
    let client = client_key(peer.ip());
    let Some(counter) = api.setup.queue.counter(request.counter).cloned() else {
        let numbers: Vec<String> = api.setup.queue.counters.iter().map(|c| c.number.to_string()).collect();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unknown_counter",
            format!("Không có quầy số {}. Các quầy: {}.", request.counter, numbers.join(", ")),
            format!("There is no counter {}. Counters: {}.", request.counter, numbers.join(", ")),
        ));
    };
    let account = api.check_pin(&request.staff_id, &request.pin, &client).await?;
    let (token, session) = api.open_session(&account, counter.number, counter.services.clone(), Kind::Api)?;
    api.audit(&session, "sign-in", "");
    let mut body = session_json(&session, &counter);
    body["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(body)))
}

/// Argon2 PIN checks run at the same time, at most: each takes about 19 MiB and a core for tens of milliseconds.
pub const PIN_CHECKS_AT_ONCE: usize = 2;
/// How long a sign-in waits for a PIN check to be free before it is told to try again.
pub const PIN_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Who a sign-in comes from, for the lockout: an IPv4 address, or an IPv6 client's /64 network (one home or
/// office gets a whole /64 and could otherwise take a fresh address for every guess).
pub fn client_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    staff::hash_pin("864209", [0x5a; 16]).unwrap_or_default() // a valid PIN: hashing cannot fail
});

fn locked(until: Seconds, now: Seconds) -> ApiError {
    let minutes = ((until - now) + 59) / 60;
    let mut error = ApiError::new(
        StatusCode::LOCKED,
        "locked",
        format!("Nhập sai quá nhiều lần; tạm khóa {minutes} phút. Nếu quên PIN, nhờ kỹ thuật viên đặt lại."),
        format!("Too many wrong attempts; locked for {minutes} minutes. If the PIN is forgotten, ask the technician to reset it."),
    )
    .detail(json!({ "retry_after_seconds": until - now }));
    error.retry_after = Some(until - now);
    error
}

pub(crate) fn read_accounts(path: &std::path::Path) -> ApiResult<Accounts> {
    let unavailable = |cause: String| {
        tracing::error!(file = %path.display(), %cause, "staff accounts unavailable; add staff with `kiosk-provision staff add`");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_staff_accounts",
            "Ki-ốt chưa có tài khoản cán bộ nào dùng được; kỹ thuật viên cần thêm bằng kiosk-provision staff add.",
            "The kiosk has no usable staff accounts; the technician adds them with kiosk-provision staff add.",
        )
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Accounts::parse(&text).map_err(|e| unavailable(e.to_string())),
        Err(error) => Err(unavailable(error.to_string())),
    }
}

fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn session_json(session: &Session, counter: &config::Counter) -> serde_json::Value {
    json!({
        "staff_id": session.staff_id,
        "staff_name": session.staff_name,
        "counter": counter.number,
        "services": counter.services,
        "expires_at": crate::clock::local_rfc3339(session.expires_at),
    })
}

async fn whoami(State(api): State<Arc<CounterApi>>, Signed(session): Signed) -> ApiResult<Json<serde_json::Value>> {
    let counter = api.setup.queue.counter(session.counter).cloned().unwrap_or_else(|| config::Counter {
        number: session.counter,
        services: Vec::new(),
        name_vi: String::new(),
        name_en: String::new(),
    });
    Ok(Json(session_json(&session, &counter)))
}

async fn sign_out(State(api): State<Arc<CounterApi>>, parts: axum::http::HeaderMap) -> StatusCode {
    if let Some(token) =
        parts.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        if let Err(error) = api.staff.close_session(token.trim()) {
            tracing::error!(error = %format!("{error:#}"), "a session could not be closed");
        }
    }
    StatusCode::NO_CONTENT
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/yaml; charset=utf-8")], OPENAPI)
}

// ---- tickets ----

#[derive(Serialize)]
pub(crate) struct TicketView {
    pub(crate) id: TicketId,
    pub(crate) label: String,
    pub(crate) service: String,
    pub(crate) service_name_vi: String,
    pub(crate) service_name_en: String,
    pub(crate) number: u32,
    pub(crate) priority: &'static str,
    pub(crate) state: &'static str,
    pub(crate) counter: Option<u16>,
    pub(crate) pager: Option<u16>,
    pub(crate) issued_at: String,
    pub(crate) called_at: Option<String>,
    pub(crate) waited_seconds: Seconds,
}

impl CounterApi {
    pub(crate) fn view(&self, ticket: &Ticket, now: Seconds) -> TicketView {
        let service = self.setup.queue.service(&ticket.service);
        let counter = match ticket.state {
            TicketState::Called { counter } | TicketState::Serving { counter } => Some(counter),
            _ => None,
        };
        TicketView {
            id: ticket.id,
            label: ticket.label(),
            service: ticket.service.clone(),
            service_name_vi: service.map(|s| s.name_vi.clone()).unwrap_or_default(),
            service_name_en: service.map(|s| s.name_en.clone()).unwrap_or_default(),
            number: ticket.number,
            priority: priority_name(ticket.priority),
            state: state_name(ticket.state),
            counter,
            pager: ticket.pager,
            issued_at: crate::clock::local_rfc3339(ticket.issued_at),
            called_at: ticket.called_at.map(crate::clock::local_rfc3339),
            waited_seconds: ticket.called_at.unwrap_or(now) - ticket.issued_at,
        }
    }

    /// Runs a queue command on a blocking thread (SQLite commits and waits for the disk).
    pub(crate) async fn run(
        self: &Arc<Self>,
        command: impl FnOnce(&mut Queue, Day, Seconds) -> Result<Vec<Event>, queue::Error> + Send + 'static,
    ) -> ApiResult<(Vec<Event>, Seconds)> {
        let api = self.clone();
        let (day, now) = (self.setup.clock)();
        let result = tokio::task::spawn_blocking(move || api.setup.store.run(|q| command(q, day, now)))
            .await
            .map_err(|e| ApiError::storage(anyhow::anyhow!("queue task failed: {e}")))?;
        match result {
            Ok(Ok(events)) => Ok((events, now)),
            Ok(Err(refused)) => Err(ApiError::queue(refused)),
            Err(error) => Err(ApiError::storage(error)),
        }
    }

    /// Pages the pagers the events ask for and reports the first outcome.
    pub(crate) async fn page(self: &Arc<Self>, events: &[Event]) -> serde_json::Value {
        let Some(pager) = events.iter().find_map(|e| match e {
            Event::PagerCalled { pager, .. } => Some(*pager),
            _ => None,
        }) else {
            return json!(null);
        };
        let line = self.setup.pager.clone();
        let outcome =
            tokio::task::spawn_blocking(move || line.page(pager, PAGE_WAIT)).await.unwrap_or(PageOutcome::Pending);
        if let Some(listener) = &self.on_page {
            listener(pager, outcome);
        }
        let (name, vi, en) = match outcome {
            PageOutcome::Paged { simulated: false } => ("paged", "Thẻ rung đang rung.", "The pager is vibrating."),
            PageOutcome::Paged { simulated: true } => (
                "simulated",
                "Thẻ rung mô phỏng đã nhận lệnh (ki-ốt trình diễn).",
                "The simulated pager was paged (demo kiosk).",
            ),
            PageOutcome::Failed(_) => (
                "failed",
                "Máy phát thẻ rung không nhận lệnh; hãy gọi số bằng loa và báo kỹ thuật viên.",
                "The pager transmitter did not take the page; call the number aloud and tell the technician.",
            ),
            PageOutcome::NoTransmitter => (
                "no_transmitter",
                "Ki-ốt này không có máy phát thẻ rung; hãy gọi số bằng loa.",
                "This kiosk has no pager transmitter; call the number aloud.",
            ),
            PageOutcome::Pending => (
                "pending",
                "Máy phát thẻ rung đang trả lời chậm; lệnh vẫn đang được gửi.",
                "The pager transmitter is slow to answer; the page is still being sent.",
            ),
        };
        let problem = match outcome {
            PageOutcome::Failed(kind) => json!(format!("{kind:?}").to_lowercase()),
            _ => json!(null),
        };
        json!({ "pager": pager, "outcome": name, "problem": problem, "message_vi": vi, "message_en": en })
    }

    /// The ticket, after checking it is this counter's to act on.
    pub(crate) fn own_ticket(&self, id: TicketId, counter: u16) -> ApiResult<()> {
        let state = self.setup.store.read(|q| q.ticket(id).map(|t| t.state));
        match state {
            None => Err(ApiError::queue(queue::Error::UnknownTicket(id))),
            Some(TicketState::Called { counter: c } | TicketState::Serving { counter: c }) if c != counter => {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "other_counter",
                    format!("Số này do quầy {c} gọi; chỉ quầy {c} mới thao tác được."),
                    format!("Counter {c} called this ticket; only counter {c} can act on it."),
                )
                .detail(json!({ "counter": c })))
            }
            Some(_) => Ok(()),
        }
    }

    /// A ticket's label for the audit log and messages (`HT-023`), or its id when unknown.
    pub(crate) fn label(&self, id: TicketId) -> String {
        self.setup.store.read(|q| q.ticket(id).map(Ticket::label)).unwrap_or_else(|| format!("#{id}"))
    }

    fn ticket_json(&self, id: TicketId, now: Seconds) -> serde_json::Value {
        self.setup.store.read(|q| q.ticket(id).map(|t| json!(self.view(t, now)))).unwrap_or(json!(null))
    }
}

fn first_called(events: &[Event]) -> Option<TicketId> {
    events.iter().find_map(|e| match e {
        Event::TicketCalled { id, .. } => Some(*id),
        _ => None,
    })
}

async fn call_next(State(api): State<Arc<CounterApi>>, Signed(session): Signed) -> ApiResult<Json<serde_json::Value>> {
    let services = api.setup.queue.counter(session.counter).map(|c| c.services.clone()).unwrap_or_default();
    let counter = session.counter;
    let (events, now) = api.run(move |q, day, now| q.call_next(counter, &services, day, now)).await?;
    let id = first_called(&events).ok_or_else(|| ApiError::storage(anyhow::anyhow!("call_next returned no call")))?;
    tracing::info!(ticket = id, counter, "ticket called");
    api.audit(&session, "call", &api.label(id));
    let page = api.page(&events).await;
    Ok(Json(json!({ "ticket": api.ticket_json(id, now), "page": page })))
}

/// A queue command on one ticket, as the route names it.
pub(crate) type TicketCommand = Box<dyn FnOnce(&mut Queue, Day, Seconds) -> Result<Vec<Event>, queue::Error> + Send>;

/// What a counter does to one of its own tickets: `recall` (paged again), `serve`, `done` or `no-show` (the
/// last two say which pager came back).
async fn ticket_action(
    State(api): State<Arc<CounterApi>>,
    Signed(session): Signed,
    Path((id, action)): Path<(TicketId, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let command: TicketCommand = match action.as_str() {
        "recall" => Box::new(move |q, _, now| q.recall(id, now)),
        "serve" => Box::new(move |q, _, now| q.start_serving(id, now)),
        "done" => Box::new(move |q, _, now| q.done(id, now)),
        "no-show" => Box::new(move |q, _, now| q.no_show(id, now)),
        "park" => Box::new(move |q, _, now| q.park(id, now)),
        "resume" => Box::new(move |q, _, now| q.resume(id, now)),
        _ => return Err(not_found().await),
    };
    api.own_ticket(id, session.counter)?;
    let (events, now) = api.run(command).await?;
    api.audit(&session, &action, &api.label(id));
    let mut body = json!({ "ticket": api.ticket_json(id, now) });
    match action.as_str() {
        "recall" | "resume" => body["page"] = api.page(&events).await,
        "done" | "no-show" => body["pager_returned"] = json!(returned(&events)),
        _ => {}
    }
    Ok(Json(body))
}

fn returned(events: &[Event]) -> Option<u16> {
    events.iter().find_map(|e| match e {
        Event::PagerReturned { pager } => Some(*pager),
        _ => None,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Transfer {
    service: String,
}

async fn transfer(
    State(api): State<Arc<CounterApi>>,
    Signed(session): Signed,
    Path(id): Path<TicketId>,
    body: Result<Json<Transfer>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(Transfer { service }) = body.map_err(bad_body)?;
    api.own_ticket(id, session.counter)?;
    let (events, now) = api.run(move |q, _, now| q.transfer(id, &service, now)).await?;
    api.audit(&session, "transfer", &api.label(id));
    let new_id = events.iter().find_map(|e| match e {
        Event::TicketTransferred { to, .. } => Some(*to),
        _ => None,
    });
    Ok(Json(json!({
        "from": api.ticket_json(id, now),
        "ticket": new_id.map(|n| api.ticket_json(n, now)).unwrap_or(json!(null)),
    })))
}

fn bad_body(rejection: axum::extract::rejection::JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("Yêu cầu quá lớn (tối đa {MAX_BODY_BYTES} byte)."),
            format!("The request is too large (at most {MAX_BODY_BYTES} bytes)."),
        );
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "Yêu cầu không đúng định dạng; xem tài liệu API.",
        format!("The request body is not what this endpoint takes: {}", rejection.body_text()),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rating {
    rating: u8,
}

/// The resident's satisfaction (1 to 4) with a ticket this counter served, once.
async fn rate(
    State(api): State<Arc<CounterApi>>,
    Signed(session): Signed,
    Path(id): Path<TicketId>,
    body: Result<Json<Rating>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(Rating { rating }) = body.map_err(bad_body)?;
    api.own_ticket(id, session.counter)?;
    let (_, now) = api.run(move |q, _, _| q.rate(id, rating)).await?;
    api.audit(&session, "rating", &api.label(id));
    Ok(Json(json!({ "ticket": api.ticket_json(id, now), "rating": rating })))
}

// ---- overview, figures, pagers ----

async fn overview(State(api): State<Arc<CounterApi>>, Signed(_): Signed) -> Json<serde_json::Value> {
    let (_, now) = (api.setup.clock)();
    let body = api.setup.store.read(|q| {
        let services: Vec<serde_json::Value> = api
            .setup.queue
            .services
            .iter()
            .map(|service| {
                let waiting: Vec<TicketView> = q
                    .waiting(std::slice::from_ref(&service.code), now)
                    .into_iter()
                    .map(|t| api.view(t, now))
                    .collect();
                json!({ "service": service.code, "name_vi": service.name_vi, "name_en": service.name_en,
                        "waiting": waiting })
            })
            .collect();
        let counters: Vec<serde_json::Value> = api
            .setup.queue
            .counters
            .iter()
            .map(|counter| {
                let current: Vec<TicketView> = q
                    .now_serving()
                    .into_iter()
                    .filter(|t| matches!(t.state, TicketState::Called { counter: c } | TicketState::Serving { counter: c } if c == counter.number))
                    .map(|t| api.view(t, now))
                    .collect();
                let next = q.waiting(&counter.services, now).first().map(|t| t.label());
                json!({ "counter": counter.number, "services": counter.services, "current": current, "next": next })
            })
            .collect();
        json!({ "now": crate::clock::local_rfc3339(now), "services": services, "counters": counters })
    });
    Json(body)
}

async fn figures(State(api): State<Arc<CounterApi>>, Signed(_): Signed) -> Json<serde_json::Value> {
    let (_, now) = (api.setup.clock)();
    let body = api.setup.store.read(|q| {
        let services: Vec<serde_json::Value> = q
            .figures(now)
            .into_iter()
            .map(|f| {
                json!({
                    "service": f.service, "issued": f.issued, "waiting": f.waiting, "called": f.called,
                    "done": f.done, "no_show": f.no_show, "transferred": f.transferred,
                    "median_wait_seconds": f.median_wait, "longest_wait_seconds": f.longest_wait,
                    "median_service_seconds": f.median_service,
                })
            })
            .collect();
        json!({ "day": crate::clock::day_text(q.day()), "services": services,
                "pagers_out": q.pagers_out(), "pagers_missing": q.pagers_missing() })
    });
    Json(body)
}

async fn pagers(State(api): State<Arc<CounterApi>>, Signed(_): Signed) -> Json<serde_json::Value> {
    let body = api.setup.store.read(|q| {
        let missing = q.pagers_missing();
        let pagers: Vec<serde_json::Value> = q
            .pagers()
            .iter()
            .map(|pager| {
                let holder = q.pager_holder(*pager).and_then(|id| q.ticket(id)).map(|t| t.label());
                let state = if missing.contains(pager) {
                    "missing"
                } else if holder.is_some() {
                    "out"
                } else {
                    "free"
                };
                json!({ "pager": pager, "state": state, "ticket": holder })
            })
            .collect();
        let unreturned =
            q.last_close().map(|(day, pagers)| json!({ "day": crate::clock::day_text(day), "pagers": pagers }));
        json!({ "pagers": pagers, "unreturned_at_last_day_close": unreturned })
    });
    Json(body)
}

async fn pager_missing(
    State(api): State<Arc<CounterApi>>,
    Signed(session): Signed,
    Path(pager): Path<u16>,
) -> ApiResult<Json<serde_json::Value>> {
    if !api.setup.store.read(|q| q.pagers().contains(&pager)) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_pager",
            format!("Thẻ rung số {pager} không thuộc bộ thẻ của điểm này."),
            format!("Pager {pager} is not in this service point's pool."),
        ));
    }
    api.run(move |q, _, _| Ok(q.mark_pager_missing(pager))).await?;
    api.audit(&session, "pager-missing", &format!("pager {pager}"));
    tracing::info!(pager, staff = %session.staff_id, "pager marked missing");
    Ok(Json(json!({ "pager": pager, "state": "missing" })))
}

/// A pager handed back at a counter (after a no-show, or found later): free to hand out again.
async fn pager_returned(
    State(api): State<Arc<CounterApi>>,
    Signed(session): Signed,
    Path(pager): Path<u16>,
) -> ApiResult<Json<serde_json::Value>> {
    api.run(move |q, _, _| q.return_pager(pager)).await?;
    api.audit(&session, "pager-returned", &format!("pager {pager}"));
    Ok(Json(json!({ "pager": pager, "state": "free" })))
}

// ---- names ----

pub fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::None => "none",
        Priority::Elderly => "elderly",
        Priority::Merit => "merit",
        Priority::Disability => "disability",
        Priority::Pregnant => "pregnant",
        Priority::Booked => "booked",
    }
}

pub fn state_name(state: TicketState) -> &'static str {
    state_words(state).0
}

fn state_vi(state: TicketState) -> &'static str {
    state_words(state).1
}

/// A ticket's state: its code in the API, and in Vietnamese for staff.
fn state_words(state: TicketState) -> (&'static str, &'static str) {
    match state {
        TicketState::Waiting => ("waiting", "đang chờ"),
        TicketState::Called { .. } => ("called", "đã gọi"),
        TicketState::Serving { .. } => ("serving", "đang phục vụ"),
        TicketState::Done => ("done", "đã xong"),
        TicketState::NoShow => ("no_show", "vắng mặt"),
        TicketState::Transferred => ("transferred", "đã chuyển"),
        TicketState::Parked { .. } => ("parked", "tạm gác"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_ipv4_by_address() {
        let key = |text: &str| super::client_key(text.parse().expect("address"));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff:1:2:3"), "one /64, one client");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("10.0.0.5"), "10.0.0.5");
        assert_eq!(key("::ffff:10.0.0.5"), "10.0.0.5", "an IPv4 client seen through IPv6 is the same client");
        assert_ne!(key("10.0.0.5"), key("10.0.0.6"));
    }
}
