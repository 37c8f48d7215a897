//! The staff console: web pages for the counters' computers, served with the counter API. Staff sign in with
//! their id and PIN at a counter, then work from one page: the current ticket (call next, recall, serving, served,
//! absent, transfer, park and resume, reprint), the waiting list per service, a ticket search, pagers handed back;
//! after "served" a counter-facing page of four faces takes the resident's rating. A day report (tables, a chart
//! drawn here as SVG, CSV) and the pagers' page complete it. Vietnamese or English, from the kiosk's catalogue.
//!
//! Plain HTML forms, each answered by a redirect (a reload never repeats an action); a little script keeps the
//! waiting list live through server-sent events. The session is an HttpOnly, SameSite=Strict cookie kept in the
//! staff store (it survives a restart and ends when idle, when the PIN is reset or the staff member removed);
//! every form carries the session's CSRF token, and what the page showed (the current ticket, how often it was
//! recalled), so a double click or a stale page is refused with a message rather than done twice.
//! Must not do: decide queue rules (kiosk-core), log PINs, tokens or anything a resident wrote, or show residents'
//! data (tickets carry none).

use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine as _;
use kiosk_core::config::Language;
use kiosk_core::queue::{Day, Event, Priority, Seconds, State as TicketState, Ticket, TicketId};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

mod held;

use crate::counter_api::{ApiError, CounterApi};
use crate::staff_store::{Kind, Session};
use crate::words;

/// A console left alone this long signs out (a counter's computer is shared and sometimes left unattended).
pub const IDLE_SECONDS: Seconds = 30 * 60;

const SESSION_COOKIE: &str = "staff_session";
const FORM_COOKIE: &str = "staff_form";
const FLASH_COOKIE: &str = "staff_flash";
const LANG_COOKIE: &str = "staff_lang";

pub fn routes() -> Router<Arc<CounterApi>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/staff") }))
        .route("/staff", get(|| async { Redirect::to("/staff/counter") }))
        .route("/staff/sign-in", get(sign_in_page).post(sign_in))
        .route("/staff/sign-out", post(sign_out))
        .route("/staff/language/{code}", get(language))
        .route("/staff/counter", get(counter_page))
        .route("/staff/counter/waiting", get(waiting_fragment))
        .route("/staff/counter/services", post(choose_services))
        .route("/staff/call-next", post(call_next))
        .route("/staff/tickets/{id}/{action}", post(ticket_action))
        .route("/staff/rate/{id}", get(rate_page).post(rate))
        .route("/staff/pagers", get(pagers_page))
        .route("/staff/pagers/returned", post(pager_returned))
        .route("/staff/report", get(report_page))
        .route("/staff/report.csv", get(report_csv))
        .route("/staff/events", get(events))
        .route("/staff/held", get(held::list_page))
        .route("/staff/held/{id}", get(held::open_page))
        .route("/staff/held/{id}/pages/{index}", get(held::page_image))
        .route("/staff/held/{id}/taken", post(held::taken))
        .route("/staff/intake", get(held::intake_page).post(held::read_intake))
}

/// The few files the pages load, shipped in the repository (assets/web, and the kiosk's own font).
pub fn static_routes() -> Router<Arc<CounterApi>> {
    fn file(body: &'static [u8], kind: &'static str) -> Response {
        ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "max-age=86400")], body).into_response()
    }
    Router::new()
        .route("/static/staff.css", get(|| async { file(include_bytes!("../../../assets/web/staff.css"), "text/css") }))
        .route(
            "/static/console.js",
            get(|| async { file(include_bytes!("../../../assets/web/console.js"), "text/javascript") }),
        )
        .route("/static/board.css", get(|| async { file(include_bytes!("../../../assets/web/board.css"), "text/css") }))
        .route(
            "/static/board.js",
            get(|| async { file(include_bytes!("../../../assets/web/board.js"), "text/javascript") }),
        )
        .route(
            "/static/BeVietnamPro-Regular.ttf",
            get(|| async { file(include_bytes!("../../../assets/fonts/BeVietnamPro-Regular.ttf"), "font/ttf") }),
        )
        .route(
            "/static/BeVietnamPro-Bold.ttf",
            get(|| async { file(include_bytes!("../../../assets/fonts/BeVietnamPro-Bold.ttf"), "font/ttf") }),
        )
}

// ---- cookies, language, messages ----

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn set_cookie(name: &str, value: &str, max_age: i64) -> (header::HeaderName, HeaderValue) {
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}");
    (header::SET_COOKIE, HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("")))
}

fn language_of(headers: &HeaderMap) -> Language {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Language::English,
        _ => Language::Vietnamese,
    }
}

/// A message for the next page (after a redirect): "ok" or "error", and the text in the staff's language.
fn flash(ok: bool, text: &str) -> (header::HeaderName, HeaderValue) {
    let value =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}{text}", if ok { '+' } else { '-' }));
    set_cookie(FLASH_COOKIE, &value, 60)
}

fn take_flash(headers: &HeaderMap) -> Option<(bool, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cookie(headers, FLASH_COOKIE)?).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (mark, rest) = text.split_at_checked(1)?;
    Some((mark == "+", rest.to_owned()))
}

fn error_text(error: &ApiError, language: Language) -> String {
    match language {
        Language::Vietnamese => error.vi.clone(),
        Language::English => error.en.clone(),
    }
}

/// Back to `to` with a message.
fn back(to: &str, ok: bool, text: &str) -> Response {
    ([flash(ok, text)], Redirect::to(to)).into_response()
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

// ---- the signed-in staff member ----

/// The console's session from its cookie, or the redirect to sign in (with why).
fn signed(api: &CounterApi, headers: &HeaderMap) -> Result<(String, Session), Box<Response>> {
    let language = language_of(headers);
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Err(Box::new(Redirect::to("/staff/sign-in").into_response()));
    };
    match api.find_session(token, Kind::Console, Some(IDLE_SECONDS)) {
        Ok(session) => Ok((token.to_owned(), session)),
        Err(error) => Err(Box::new(
            (
                AppendHeaders([flash(false, &error_text(&error, language)), set_cookie(SESSION_COOKIE, "", 0)]),
                Redirect::to("/staff/sign-in"),
            )
                .into_response(),
        )),
    }
}

/// The message the last action left for the next page: whether it went well, and its text.
type Flash = Option<(bool, String)>;

/// A signed-in page's session, the staff's language and the message left for it by the last action.
fn signed_page(api: &CounterApi, headers: &HeaderMap) -> Result<(Language, Session, Flash), Box<Response>> {
    let (_, session) = signed(api, headers)?;
    Ok((language_of(headers), session, take_flash(headers)))
}

/// Checks a form's CSRF token against the session's.
fn checked(session: &Session, csrf: &str, language: Language) -> Result<(), Box<Response>> {
    if !csrf.is_empty() && constant_time_eq(csrf.as_bytes(), session.csrf.as_bytes()) {
        return Ok(());
    }
    tracing::warn!(staff = %session.staff_id, "a console form without the session's token was refused");
    Err(Box::new(back(
        "/staff/counter",
        false,
        &words::tr(language, "The form was out of date and nothing was done. Please try again on this page."),
    )))
}

/// A form that carries the session's CSRF token.
trait Tokened {
    fn csrf(&self) -> &str;
}

/// The signed-in session, the staff's language and a state-changing form that reads and carries the session's
/// token; otherwise the page to go back to (sign-in, or the counter page with a message).
fn signed_form<T: Tokened>(
    api: &CounterApi,
    headers: &HeaderMap,
    form: Result<Form<T>, axum::extract::rejection::FormRejection>,
) -> Result<(Language, Session, T), Box<Response>> {
    let language = language_of(headers);
    let (_, session) = signed(api, headers)?;
    let Ok(Form(form)) = form else {
        return Err(Box::new(back(
            "/staff/counter",
            false,
            &words::tr(language, "The form was out of date and nothing was done. Please try again on this page."),
        )));
    };
    checked(&session, form.csrf(), language)?;
    Ok((language, session, form))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---- page frame ----

fn frame(
    language: Language,
    title: &str,
    session: Option<&Session>,
    flash: Option<(bool, String)>,
    body: Markup,
) -> Markup {
    let other = match language {
        Language::Vietnamese => ("en", "English"),
        Language::English => ("vi", "Tiếng Việt"),
    };
    html! {
        (DOCTYPE)
        html lang=(language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (words::tr(language, "Counter console")) }
                link rel="stylesheet" href="/static/staff.css";
                script src="/static/console.js" defer {}
            }
            body {
                header.top {
                    p.brand { (words::tr(language, "Counter console")) }
                    @if let Some(session) = session {
                        p.who {
                            (session.staff_name) " · "
                            strong { (words::trf(language, "Counter {}", &[&session.counter])) }
                        }
                        nav aria-label=(words::tr(language, "Console pages")) {
                            a href="/staff/counter" { (words::tr(language, "Tickets")) }
                            a href="/staff/pagers" { (words::tr(language, "Pagers")) }
                            a href="/staff/report" { (words::tr(language, "Day report")) }
                            a href="/staff/held" { (words::tr(language, "Held dossiers")) }
                        }
                    }
                    a.lang href={ "/staff/language/" (other.0) } lang=(other.0) { (other.1) }
                    @if let Some(session) = session {
                        form method="post" action="/staff/sign-out" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button.quiet type="submit" { (words::tr(language, "Sign out")) }
                        }
                    }
                }
                p #offline.offline role="alert" hidden {
                    (words::tr(language, "The connection to the kiosk is lost: the list is not up to date and buttons may not work. Check the network; the page reconnects by itself."))
                }
                main #main {
                    h1 { (title) }
                    @if let Some((ok, text)) = flash {
                        p.flash.ok[ok].error[!ok] role=(if ok { "status" } else { "alert" }) { (text) }
                    }
                    (body)
                }
            }
        }
    }
}

/// A page, clearing the message it shows.
fn page_response(markup: Markup, had_flash: bool) -> Response {
    let mut response = markup.into_response();
    if had_flash {
        let (name, value) = set_cookie(FLASH_COOKIE, "", 0);
        response.headers_mut().append(name, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---- sign in and out ----

async fn sign_in_page(State(api): State<Arc<CounterApi>>, headers: HeaderMap) -> Response {
    let language = language_of(&headers);
    let message = take_flash(&headers);
    let had = message.is_some();
    let form_token = random_token();
    let counters = &api.setup.queue.counters;
    let body = html! {
        form.card.sign-in method="post" action="/staff/sign-in" {
            input type="hidden" name="form" value=(form_token);
            label for="staff_id" { (words::tr(language, "Staff id")) }
            input #staff_id name="staff_id" type="text" autocomplete="username" required autofocus
                autocapitalize="none" spellcheck="false";
            label for="pin" { (words::tr(language, "PIN")) }
            input #pin name="pin" type="password" inputmode="numeric" autocomplete="current-password" required;
            label for="counter" { (words::tr(language, "Counter")) }
            select #counter name="counter" required {
                @for counter in counters {
                    option value=(counter.number) { (counter_name(counter, language)) " (" (counter.services.join(", ")) ")" }
                }
            }
            button.primary type="submit" { (words::tr(language, "Sign in")) }
        }
        p.hint { (words::tr(language, "Five wrong PINs lock the account for 15 minutes. A forgotten PIN is reset by the technician.")) }
    };
    let mut response = page_response(frame(language, &words::tr(language, "Sign in"), None, message, body), had);
    let (name, value) = set_cookie(FORM_COOKIE, &form_token, 3600);
    response.headers_mut().append(name, value);
    response
}

fn counter_name(counter: &kiosk_core::config::Counter, language: Language) -> &str {
    match language {
        Language::Vietnamese => &counter.name_vi,
        Language::English => &counter.name_en,
    }
}

#[derive(Deserialize)]
struct SignInForm {
    staff_id: String,
    /// Wiped from memory when dropped.
    pin: zeroize::Zeroizing<String>,
    counter: u16,
    #[serde(default)]
    form: String,
}

async fn sign_in(
    State(api): State<Arc<CounterApi>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let language = language_of(&headers);
    let Ok(Form(form)) = form else {
        return back("/staff/sign-in", false, &words::tr(language, "Fill in your staff id, PIN and counter."));
    };
    // The sign-in form's own token (there is no session yet): a page of this kiosk, not another site, sent it.
    let expected = cookie(&headers, FORM_COOKIE).unwrap_or("");
    if form.form.is_empty() || !constant_time_eq(form.form.as_bytes(), expected.as_bytes()) {
        return back(
            "/staff/sign-in",
            false,
            &words::tr(language, "The sign-in page was out of date. Please sign in again."),
        );
    }
    let Some(counter) = api.setup.queue.counter(form.counter).cloned() else {
        return back("/staff/sign-in", false, &words::tr(language, "Choose one of this service point's counters."));
    };
    let account = match api.check_pin(form.staff_id.trim(), &form.pin, &crate::counter_api::client_key(peer.ip())).await
    {
        Ok(account) => account,
        Err(error) => return back("/staff/sign-in", false, &error_text(&error, language)),
    };
    match api.open_session(&account, counter.number, counter.services.clone(), Kind::Console) {
        Ok((token, session)) => {
            api.audit(&session, "sign-in", "");
            let cookie = set_cookie(SESSION_COOKIE, &token, crate::counter_api::SESSION_SECONDS);
            (AppendHeaders([cookie, set_cookie(FORM_COOKIE, "", 0)]), Redirect::to("/staff/counter")).into_response()
        }
        Err(error) => back("/staff/sign-in", false, &error_text(&error, language)),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(State(api): State<Arc<CounterApi>>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    let language = language_of(&headers);
    let (token, session) = match signed(&api, &headers) {
        Ok(signed) => signed,
        Err(redirect) => return *redirect,
    };
    if let Err(refused) = checked(&session, &form.csrf, language) {
        return *refused;
    }
    if let Err(error) = api.staff.close_session(&token) {
        tracing::error!(error = %format!("{error:#}"), "a console session could not be closed");
    }
    api.audit(&session, "sign-out", "");
    (
        AppendHeaders([flash(true, &words::tr(language, "Signed out.")), set_cookie(SESSION_COOKIE, "", 0)]),
        Redirect::to("/staff/sign-in"),
    )
        .into_response()
}

async fn language(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let code = if code == "en" { "en" } else { "vi" };
    // Back to the page the link was on (this kiosk's pages only).
    let to = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("/staff").map(|at| r[at..].to_owned()))
        .unwrap_or_else(|| "/staff/counter".into());
    ([set_cookie(LANG_COOKIE, code, 365 * 86_400)], Redirect::to(&to)).into_response()
}

// ---- the counter page ----

#[derive(Deserialize, Default)]
struct CounterQuery {
    #[serde(default)]
    q: String,
}

fn minutes(seconds: Seconds, language: Language) -> String {
    let minutes = seconds.max(0) / 60;
    words::trf(language, "{} min", &[&minutes])
}

fn priority_text(priority: Priority, language: Language) -> String {
    match priority {
        Priority::None => String::new(),
        Priority::Elderly => words::tr(language, "Elderly"),
        Priority::Merit => words::tr(language, "Person with merit"),
        Priority::Disability => words::tr(language, "Disability"),
        Priority::Pregnant => words::tr(language, "Pregnant"),
        Priority::Booked => words::tr(language, "Booked time"),
    }
}

fn state_text(state: TicketState, language: Language) -> String {
    match state {
        TicketState::Waiting => words::tr(language, "waiting"),
        TicketState::Called { counter } => words::trf(language, "called to counter {}", &[&counter]),
        TicketState::Serving { counter } => words::trf(language, "being served at counter {}", &[&counter]),
        TicketState::Done => words::tr(language, "served"),
        TicketState::NoShow => words::tr(language, "absent"),
        TicketState::Transferred => words::tr(language, "transferred"),
        TicketState::Parked { counter } => words::trf(language, "parked at counter {}", &[&counter]),
    }
}

fn service_name(api: &CounterApi, code: &str, language: Language) -> String {
    api.setup
        .queue
        .service(code)
        .map(|s| crate::words::either(language, &s.name_vi, &s.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

async fn counter_page(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Query(query): Query<CounterQuery>,
) -> Response {
    let (language, session, message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let now = api.now().1;
    let counter = session.counter;
    let (current, parked, search) = api.setup.store.read(|q| {
        let current = q
            .now_serving()
            .into_iter()
            .find(|t| matches!(t.state, TicketState::Called { counter: c } | TicketState::Serving { counter: c } if c == counter))
            .cloned();
        let parked: Vec<Ticket> = q.parked(counter).into_iter().cloned().collect();
        let wanted = query.q.trim().to_uppercase();
        let search: Vec<Ticket> = if wanted.is_empty() {
            Vec::new()
        } else {
            q.today()
                .filter(|t| t.label().contains(&wanted) || t.number.to_string() == wanted.trim_start_matches('0'))
                .take(20)
                .cloned()
                .collect()
        };
        (current, parked, search)
    });
    let csrf = &session.csrf;
    let body = html! {
        div.work {
            section.card.current aria-labelledby="current-title" {
                h2 #current-title { (words::tr(language, "Current ticket")) }
                @match &current {
                    Some(ticket) => {
                        p.number #current-number { (ticket.label()) }
                        dl.facts {
                            dt { (words::tr(language, "Service")) } dd { (service_name(&api, &ticket.service, language)) }
                            @if ticket.priority.is_priority() {
                                dt { (words::tr(language, "Priority")) } dd.priority { (priority_text(ticket.priority, language)) }
                            }
                            dt { (words::tr(language, "Waited")) } dd { (minutes(ticket.called_at.unwrap_or(now) - ticket.issued_at, language)) }
                            dt { (words::tr(language, "State")) } dd #current-state { (state_text(ticket.state, language)) }
                            @if let Some(pager) = ticket.pager {
                                dt { (words::tr(language, "Pager")) } dd { (pager) }
                            }
                        }
                        div.actions {
                            @if matches!(ticket.state, TicketState::Called { .. }) {
                                (action_button(ticket, "recall", &words::tr(language, "Recall"), csrf, ""))
                                (action_button(ticket, "serve", &words::tr(language, "Start serving"), csrf, ""))
                                (action_button(ticket, "no-show", &words::tr(language, "Absent"), csrf, "warn"))
                            }
                            (action_button(ticket, "done", &words::tr(language, "Finished"), csrf, "primary"))
                            (action_button(ticket, "park", &words::tr(language, "Park"), csrf, ""))
                            (action_button(ticket, "reprint", &words::tr(language, "Reprint ticket"), csrf, "quiet"))
                        }
                        form.transfer method="post" action={ "/staff/tickets/" (ticket.id) "/transfer" } {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="seen" value=(ticket.recalls);
                            label for="transfer-to" { (words::tr(language, "Transfer to")) }
                            select #transfer-to name="service" {
                                @for service in &api.setup.queue.services {
                                    @if service.code != ticket.service {
                                        option value=(service.code) { (crate::words::either(language, &service.name_vi, &service.name_en)) " (" (service.code) ")" }
                                    }
                                }
                            }
                            button type="submit" { (words::tr(language, "Transfer")) }
                        }
                    }
                    None => {
                        p.none { (words::tr(language, "No ticket called at this counter.")) }
                    }
                }
                form.call method="post" action="/staff/call-next" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="current" value=(current.as_ref().map(|t| t.id.to_string()).unwrap_or_default());
                    button.primary.big #call-next type="submit" { (words::tr(language, "Call next")) }
                }
                @if !parked.is_empty() {
                    h3 { (words::tr(language, "Parked")) }
                    ul.parked {
                        @for ticket in &parked {
                            li {
                                span.label { (ticket.label()) }
                                (action_button(ticket, "resume", &words::tr(language, "Call back"), csrf, ""))
                            }
                        }
                    }
                }
            }
            section.card #waiting-panel aria-labelledby="waiting-title" data-live="/staff/counter/waiting" {
                (waiting_markup(&api, &session, language, now))
            }
        }
        div.tools {
            section.card aria-labelledby="search-title" {
                h2 #search-title { (words::tr(language, "Find a ticket")) }
                form method="get" action="/staff/counter" role="search" {
                    label for="q" { (words::tr(language, "Ticket number")) }
                    input #q name="q" type="search" value=(query.q) placeholder="HT-023";
                    button type="submit" { (words::tr(language, "Find")) }
                }
                @if !query.q.trim().is_empty() {
                    @if search.is_empty() {
                        p #search-none { (words::trf(language, "No ticket {} today.", &[&query.q.trim()])) }
                    } @else {
                        table #search-results {
                            caption { (words::tr(language, "Tickets found today")) }
                            thead { tr { th scope="col" { (words::tr(language, "Ticket")) } th scope="col" { (words::tr(language, "State")) } th scope="col" { (words::tr(language, "Taken at")) } th scope="col" { span.visually-hidden { (words::tr(language, "Actions")) } } } }
                            tbody {
                                @for ticket in &search {
                                    tr {
                                        th scope="row" { (ticket.label()) }
                                        td { (state_text(ticket.state, language)) }
                                        td { (crate::clock::local_hh_mm(ticket.issued_at)) }
                                        td { @if matches!(ticket.state, TicketState::Waiting | TicketState::Called { .. } | TicketState::Serving { .. } | TicketState::Parked { .. }) {
                                            (action_button(ticket, "reprint", &words::tr(language, "Reprint ticket"), csrf, "quiet"))
                                        } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="pager-title" {
                h2 #pager-title { (words::tr(language, "Pager handed back")) }
                form method="post" action="/staff/pagers/returned" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="pager" { (words::tr(language, "Pager number")) }
                    input #pager name="pager" type="number" min="1" max="999" inputmode="numeric" required;
                    button type="submit" { (words::tr(language, "Record")) }
                }
            }
        }
    };
    page_response(frame(language, &words::tr(language, "Tickets"), Some(&session), message, body), had)
}

fn action_button(ticket: &Ticket, action: &str, label: &str, csrf: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action={ "/staff/tickets/" (ticket.id) "/" (action) } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="seen" value=(ticket.recalls);
            button class=(class) type="submit" data-action=(action) { (label) }
        }
    }
}

fn waiting_markup(api: &CounterApi, session: &Session, language: Language, now: Seconds) -> Markup {
    let counter = api.setup.queue.counter(session.counter).cloned();
    let services = counter.map(|c| c.services).unwrap_or_default();
    let lists: Vec<(String, Vec<Ticket>)> = api.setup.store.read(|q| {
        services
            .iter()
            .map(|s| (s.clone(), q.waiting(std::slice::from_ref(s), now).into_iter().cloned().collect()))
            .collect()
    });
    html! {
        h2 #waiting-title { (words::tr(language, "Waiting")) }
        form.services method="post" action="/staff/counter/services" {
            input type="hidden" name="csrf" value=(session.csrf);
            fieldset {
                legend { (words::tr(language, "This counter calls")) }
                @for code in &services {
                    label.check {
                        input type="checkbox" name="service" value=(code) checked[session.services.contains(code)];
                        (service_name(api, code, language)) " (" (code) ")"
                    }
                }
            }
            button.quiet type="submit" { (words::tr(language, "Save")) }
        }
        @for (code, waiting) in &lists {
            div.service {
                h3 {
                    (service_name(api, code, language))
                    " " span.count data-service=(code) { (words::trf(language, "{} waiting", &[&waiting.len()])) }
                }
                @if let Some(first) = waiting.first() {
                    p.longest { (words::trf(language, "Longest wait: {}", &[&minutes(now - waiting.iter().map(|t| t.issued_at).min().unwrap_or(first.issued_at), language)])) }
                    ol.queue {
                        @for ticket in waiting.iter().take(8) {
                            li {
                                span.label { (ticket.label()) }
                                @if ticket.priority.is_priority() { " " span.priority { (priority_text(ticket.priority, language)) } }
                                " " span.waited { (minutes(now - ticket.issued_at, language)) }
                            }
                        }
                    }
                    @if waiting.len() > 8 { p.more { (words::trf(language, "and {} more", &[&(waiting.len() - 8)])) } }
                }
            }
        }
    }
}

async fn waiting_fragment(State(api): State<Arc<CounterApi>>, headers: HeaderMap) -> Response {
    let language = language_of(&headers);
    match signed(&api, &headers) {
        Ok((_, session)) => waiting_markup(&api, &session, language, api.now().1).into_response(),
        Err(_) => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// `application/x-www-form-urlencoded` with a repeated `service` field (axum's Form takes one value per key).
async fn choose_services(State(api): State<Arc<CounterApi>>, headers: HeaderMap, body: String) -> Response {
    let language = language_of(&headers);
    let (token, session) = match signed(&api, &headers) {
        Ok(signed) => signed,
        Err(redirect) => return *redirect,
    };
    let pairs: Vec<(String, String)> = form_pairs(&body);
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    if let Err(refused) = checked(&session, csrf, language) {
        return *refused;
    }
    let allowed = api.setup.queue.counter(session.counter).map(|c| c.services.clone()).unwrap_or_default();
    let chosen: Vec<String> =
        allowed.iter().filter(|code| pairs.iter().any(|(k, v)| k == "service" && v == *code)).cloned().collect();
    if chosen.is_empty() {
        return back(
            "/staff/counter",
            false,
            &words::tr(language, "Choose at least one service for this counter to call."),
        );
    }
    if let Err(error) = api.staff.set_services(&token, &chosen) {
        return back("/staff/counter", false, &error_text(&ApiError::storage(error), language));
    }
    api.audit(&session, "services", &chosen.join(","));
    back("/staff/counter", true, &words::trf(language, "This counter now calls: {}.", &[&chosen.join(", ")]))
}

fn form_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---- actions ----

#[derive(Deserialize)]
struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
}

async fn call_next(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    form: Result<Form<CallForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (language, session, form) = match signed_form(&api, &headers, form) {
        Ok(signed) => signed,
        Err(refused) => return *refused,
    };
    let counter = session.counter;
    let shown: Option<TicketId> = form.current.parse().ok();
    let services = session.services.clone();
    // The page showed `shown` as this counter's ticket; if that is no longer so (a second click, another tab),
    // the page was stale: say what is current instead of calling another resident.
    let result = api
        .run(move |q, day, now| {
            let current = q
                .now_serving()
                .into_iter()
                .find(|t| matches!(t.state, TicketState::Called { counter: c } | TicketState::Serving { counter: c } if c == counter))
                .map(|t| t.id);
            if current != shown {
                return Ok(Vec::new());
            }
            q.call_next(counter, &services, day, now)
        })
        .await;
    match result {
        Ok((events, _)) => {
            let Some(id) = events.iter().find_map(|e| match e {
                Event::TicketCalled { id, .. } => Some(*id),
                _ => None,
            }) else {
                return back("/staff/counter", false, &words::tr(language, "This page was out of date: the counter's ticket had already changed. Nothing was called; here is the current state."));
            };
            let label = api.label(id);
            api.audit(&session, "call", &label);
            let paged = api.page(&events).await;
            let mut text = words::trf(language, "{} called to counter {}.", &[&label, &counter]);
            if paged["outcome"] == "failed" || paged["outcome"] == "no_transmitter" {
                text.push(' ');
                text.push_str(
                    paged[match language {
                        Language::Vietnamese => "message_vi",
                        Language::English => "message_en",
                    }]
                    .as_str()
                    .unwrap_or(""),
                );
            }
            back("/staff/counter", true, &text)
        }
        Err(error) => back("/staff/counter", false, &error_text(&error, language)),
    }
}

#[derive(Deserialize)]
struct TicketForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    seen: Option<u32>,
    #[serde(default)]
    service: Option<String>,
}

async fn ticket_action(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Path((id, action)): Path<(TicketId, String)>,
    form: Result<Form<TicketForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (language, session, form) = match signed_form(&api, &headers, form) {
        Ok(signed) => signed,
        Err(refused) => return *refused,
    };
    if action == "reprint" {
        return reprint(&api, &session, id, language);
    }
    if let Err(error) = api.own_ticket(id, session.counter) {
        return back("/staff/counter", false, &error_text(&error, language));
    }
    let seen = form.seen;
    let service = form.service.clone().unwrap_or_default();
    let command: crate::counter_api::TicketCommand = match action.as_str() {
        // A recall the page did not know of (a double click) is not repeated.
        "recall" => Box::new(move |q, _, now| match q.ticket(id) {
            Some(t) if seen.is_some_and(|seen| seen != t.recalls) => Ok(Vec::new()),
            _ => q.recall(id, now),
        }),
        "serve" => Box::new(move |q, _, now| q.start_serving(id, now)),
        "done" => Box::new(move |q, _, now| q.done(id, now)),
        "no-show" => Box::new(move |q, _, now| q.no_show(id, now)),
        "park" => Box::new(move |q, _, now| q.park(id, now)),
        "resume" => Box::new(move |q, _, now| q.resume(id, now)),
        "transfer" => Box::new(move |q, _, now| q.transfer(id, &service, now)),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let label = api.label(id);
    let (events, _) = match api.run(command).await {
        Ok(done) => done,
        Err(error) => return back("/staff/counter", false, &already(&error, &label, language)),
    };
    if events.is_empty() {
        return back(
            "/staff/counter",
            false,
            &words::trf(language, "{} was already recalled; this page was out of date.", &[&label]),
        );
    }
    api.audit(&session, &action, &label);
    let text = match action.as_str() {
        "recall" => {
            api.page(&events).await;
            words::trf(language, "{} called again.", &[&label])
        }
        "serve" => words::trf(language, "Serving {}.", &[&label]),
        "done" => {
            let pager = events.iter().find_map(|e| match e {
                Event::PagerReturned { pager } => Some(*pager),
                _ => None,
            });
            let mut text = words::trf(language, "{} served.", &[&label]);
            if let Some(pager) = pager {
                text.push(' ');
                text.push_str(&words::trf(language, "Take pager {} back.", &[&pager]));
            }
            return back(&format!("/staff/rate/{id}"), true, &text);
        }
        "no-show" => {
            let pager = api.setup.store.read(|q| q.ticket(id).and_then(|t| t.pager));
            let mut text = words::trf(language, "{} marked absent.", &[&label]);
            if let Some(pager) = pager {
                text.push(' ');
                text.push_str(&words::trf(
                    language,
                    "Pager {} is still out: record it when it is handed back.",
                    &[&pager],
                ));
            }
            text
        }
        "park" => words::trf(language, "{} parked; call it back from the list when the resident returns.", &[&label]),
        "resume" => {
            api.page(&events).await;
            words::trf(language, "{} called back.", &[&label])
        }
        _ => {
            let new = events.iter().find_map(|e| match e {
                Event::TicketTransferred { to, .. } => Some(*to),
                _ => None,
            });
            words::trf(
                language,
                "{} transferred; its new number is {}.",
                &[&label, &new.map(|n| api.label(n)).unwrap_or_default()],
            )
        }
    };
    back("/staff/counter", true, &text)
}

/// A refusal worded for staff: "already served" rather than a state code when the ticket moved on.
fn already(error: &ApiError, label: &str, language: Language) -> String {
    if error.code == "wrong_state" {
        return words::trf(
            language,
            "{} has already moved on (another click, or another counter); nothing was changed.",
            &[&label],
        );
    }
    error_text(error, language)
}

fn reprint(api: &CounterApi, session: &Session, id: TicketId, language: Language) -> Response {
    let now = api.now().1;
    let issued = api.setup.store.read(|q| {
        let ticket = q.ticket(id)?;
        let names = api.setup.queue.service(&ticket.service)?;
        let (ahead, estimate) = q.ahead(id, now).unwrap_or((0, q.estimate(&ticket.service, 0)));
        Some(crate::tickets::Issued {
            label: ticket.label(),
            service_code: ticket.service.clone(),
            service_vi: names.name_vi.clone(),
            service_en: names.name_en.clone(),
            pager: ticket.pager,
            priority: ticket.priority,
            ahead,
            wait_minutes: (estimate.seconds + 59) / 60,
            rough: estimate.rough,
            issued_at: ticket.issued_at,
        })
    });
    let Some(issued) = issued else {
        return back("/staff/counter", false, &words::trf(language, "There is no ticket {}.", &[&id]));
    };
    let label = issued.label.clone();
    match &api.on_reprint {
        Some(print) => {
            print(issued);
            api.audit(session, "reprint", &label);
            back("/staff/counter", true, &words::trf(language, "{} sent to the kiosk's printer.", &[&label]))
        }
        None => back("/staff/counter", false, &words::tr(language, "This kiosk has no printer to reprint on.")),
    }
}

#[derive(Deserialize)]
struct PagerForm {
    #[serde(default)]
    csrf: String,
    pager: Option<u16>,
}

async fn pager_returned(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    form: Result<Form<PagerForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let language = language_of(&headers);
    let (_, session) = match signed(&api, &headers) {
        Ok(signed) => signed,
        Err(redirect) => return *redirect,
    };
    let back_to = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|r| r.contains("/staff/pagers"))
        .map_or("/staff/counter", |_| "/staff/pagers");
    let Ok(Form(form)) = form else {
        return back(back_to, false, &words::tr(language, "Type the number printed on the pager."));
    };
    if let Err(refused) = checked(&session, &form.csrf, language) {
        return *refused;
    }
    let Some(pager) = form.pager else {
        return back(back_to, false, &words::tr(language, "Type the number printed on the pager."));
    };
    match api.run(move |q, _, _| q.return_pager(pager)).await {
        Ok(_) => {
            api.audit(&session, "pager-returned", &format!("pager {pager}"));
            back(back_to, true, &words::trf(language, "Pager {} is back and can be handed out again.", &[&pager]))
        }
        Err(error) => back(back_to, false, &error_text(&error, language)),
    }
}

// ---- rating ----

/// The four faces' words, 1 (unhappy) to 4 (very happy).
fn face_words(rating: u8, language: Language) -> String {
    match rating {
        1 => words::tr(language, "Not satisfied"),
        2 => words::tr(language, "Somewhat satisfied"),
        3 => words::tr(language, "Satisfied"),
        _ => words::tr(language, "Very satisfied"),
    }
}

/// A face drawn in SVG (a counter's computer may have no emoji font): the mouth curves from a frown to a smile.
fn face(rating: u8) -> Markup {
    let (colour, mouth) = match rating {
        1 => ("#b3261e", "M30 70 Q50 52 70 70"),
        2 => ("#8a5a00", "M30 66 Q50 60 70 66"),
        3 => ("#2e6b30", "M30 62 Q50 74 70 62"),
        _ => ("#1b5e20", "M28 58 Q50 86 72 58"),
    };
    html! {
        svg.face viewBox="0 0 100 100" width="120" height="120" aria-hidden="true" focusable="false" {
            circle cx="50" cy="50" r="44" fill="#fff" stroke=(colour) stroke-width="6" {}
            circle cx="36" cy="40" r="6" fill=(colour) {}
            circle cx="64" cy="40" r="6" fill=(colour) {}
            path d=(mouth) fill="none" stroke=(colour) stroke-width="6" stroke-linecap="round" {}
        }
    }
}

async fn rate_page(State(api): State<Arc<CounterApi>>, headers: HeaderMap, Path(id): Path<TicketId>) -> Response {
    let (language, session, message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let ticket = api.setup.store.read(|q| q.ticket(id).cloned());
    let Some(ticket) = ticket.filter(|t| t.state == TicketState::Done && t.rating.is_none()) else {
        return back(
            "/staff/counter",
            false,
            &words::tr(language, "This ticket cannot be rated (not served, or rated already)."),
        );
    };
    let body = html! {
        section.rating aria-labelledby="rate-question" {
            p.big #rate-question { (words::tr(language, "How satisfied are you with the service today?")) }
            p.hint { (words::tr(language, "Touch one face. Your answer is kept with the ticket number only, never with your name.")) }
            div.faces {
                @for rating in kiosk_core::queue::RATINGS {
                    form method="post" action={ "/staff/rate/" (ticket.id) } {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="rating" value=(rating);
                        button.face-button type="submit" data-rating=(rating) {
                            (face(rating))
                            span { (face_words(rating, language)) }
                        }
                    }
                }
            }
            form method="post" action={ "/staff/rate/" (ticket.id) } {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="rating" value="0";
                button.quiet type="submit" { (words::tr(language, "Skip")) }
            }
        }
    };
    page_response(
        frame(language, &words::trf(language, "Ticket {}", &[&ticket.label()]), Some(&session), message, body),
        had,
    )
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    csrf: String,
    rating: u8,
}

async fn rate(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Path(id): Path<TicketId>,
    form: Result<Form<RateForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (language, session, form) = match signed_form(&api, &headers, form) {
        Ok(signed) => signed,
        Err(refused) => return *refused,
    };
    if form.rating == 0 {
        return back("/staff/counter", true, &words::tr(language, "No rating given."));
    }
    let rating = form.rating;
    match api.run(move |q, _, _| q.rate(id, rating)).await {
        Ok(_) => {
            api.audit(&session, "rating", &api.label(id));
            back("/staff/counter", true, &words::tr(language, "Thank you: the rating is saved."))
        }
        Err(error) if error.code == "already_rated" => {
            back("/staff/counter", true, &words::tr(language, "Thank you: the rating is saved."))
        }
        Err(error) => back("/staff/counter", false, &error_text(&error, language)),
    }
}

// ---- pagers ----

async fn pagers_page(State(api): State<Arc<CounterApi>>, headers: HeaderMap) -> Response {
    let (language, session, message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let (rows, last_close) = api.setup.store.read(|q| {
        let missing = q.pagers_missing();
        let rows: Vec<(u16, Option<Ticket>, bool)> = q
            .pagers()
            .iter()
            .map(|p| (*p, q.pager_holder(*p).and_then(|id| q.ticket(id)).cloned(), missing.contains(p)))
            .collect();
        (rows, q.last_close().map(|(day, pagers)| (day, pagers.to_vec())))
    });
    let out: Vec<_> = rows.iter().filter(|(_, holder, _)| holder.is_some()).collect();
    let body = html! {
        section.card aria-labelledby="out-title" {
            h2 #out-title { (words::tr(language, "Pagers not handed back")) }
            @if out.is_empty() {
                p { (words::tr(language, "Every pager is back.")) }
            } @else {
                table #pagers-out {
                    thead { tr { th scope="col" { (words::tr(language, "Pager")) } th scope="col" { (words::tr(language, "Ticket")) } th scope="col" { (words::tr(language, "State")) } th scope="col" { span.visually-hidden { (words::tr(language, "Actions")) } } } }
                    tbody {
                        @for (pager, holder, _) in &out {
                            @if let Some(ticket) = holder {
                                tr {
                                    th scope="row" { (pager) }
                                    td { (ticket.label()) }
                                    td { (state_text(ticket.state, language)) }
                                    td {
                                        form.inline method="post" action="/staff/pagers/returned" {
                                            input type="hidden" name="csrf" value=(session.csrf);
                                            input type="hidden" name="pager" value=(pager);
                                            button type="submit" { (words::trf(language, "Pager {} handed back", &[pager])) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some((day, pagers)) = &last_close {
                @if !pagers.is_empty() {
                    p.warn-text { (words::trf(language, "Not handed back when {} closed: {}.", &[&crate::clock::day_written(*day), &pagers.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")])) }
                }
            }
        }
        section.card aria-labelledby="all-title" {
            h2 #all-title { (words::tr(language, "All pagers")) }
            ul.pager-grid {
                @for (pager, holder, missing) in &rows {
                    li.missing[*missing].out[holder.is_some()] {
                        strong { (pager) } " "
                        @if *missing { (words::tr(language, "missing")) }
                        @else if let Some(ticket) = holder { (ticket.label()) }
                        @else { (words::tr(language, "free")) }
                    }
                }
            }
        }
    };
    page_response(frame(language, &words::tr(language, "Pagers"), Some(&session), message, body), had)
}

// ---- the day report ----

#[derive(Deserialize, Default)]
struct ReportQuery {
    #[serde(default)]
    day: String,
}

fn report_for(api: &CounterApi, query: &ReportQuery) -> (Day, kiosk_core::report::DayReport) {
    let today = api.now().0;
    let day = crate::clock::day_of(&query.day).unwrap_or(today);
    let services: Vec<String> = api.setup.queue.services.iter().map(|s| s.code.clone()).collect();
    let counters: Vec<u16> = api.setup.queue.counters.iter().map(|c| c.number).collect();
    let report = api.setup.store.read(|q| {
        let tickets: Vec<&Ticket> = q.all_tickets().filter(|t| t.day == day).collect();
        kiosk_core::report::day_report(day, &tickets, &services, &counters, crate::clock::local_hour)
    });
    (day, report)
}

fn duration(seconds: Option<Seconds>, language: Language) -> String {
    match seconds {
        Some(s) => {
            let (m, s) = (s / 60, s % 60);
            words::trf(language, "{} min {} s", &[&m, &s])
        }
        None => "–".into(),
    }
}

fn report_rows(
    rows: &[kiosk_core::report::Row],
    first: &str,
    name: impl Fn(&str) -> String,
    language: Language,
    id: &str,
) -> Markup {
    html! {
        table id=(id) {
            thead {
                tr {
                    th scope="col" { (first) }
                    th scope="col" { (words::tr(language, "Issued")) }
                    th scope="col" { (words::tr(language, "Served")) }
                    th scope="col" { (words::tr(language, "Absent")) }
                    th scope="col" { (words::tr(language, "Transferred")) }
                    th scope="col" { (words::tr(language, "Wait, median")) }
                    th scope="col" { (words::tr(language, "Wait, 90th percentile")) }
                    th scope="col" { (words::tr(language, "Service, median")) }
                    th scope="col" { (words::tr(language, "Service, 90th percentile")) }
                    th scope="col" { (words::tr(language, "Ratings (1–4)")) }
                }
            }
            tbody {
                @for row in rows {
                    tr {
                        th scope="row" { (name(&row.key)) }
                        td { (row.issued) }
                        td { (row.served) }
                        td { (row.no_show) }
                        td { (row.transferred) }
                        td { (duration(row.wait_median, language)) }
                        td { (duration(row.wait_p90, language)) }
                        td { (duration(row.serve_median, language)) }
                        td { (duration(row.serve_p90, language)) }
                        td {
                            @match row.rating_average() {
                                Some(average) => { (format!("{average:.1}")) " (" (row.ratings.iter().sum::<usize>()) ")" }
                                None => { "–" }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn report_page(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Response {
    let (language, session, message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let (day, report) = report_for(&api, &query);
    let day_text = crate::clock::day_text(day);
    let labels = kiosk_core::report::ChartLabels {
        title: words::trf(language, "Tickets per hour, {}", &[&crate::clock::day_written(day)]),
        issued: words::tr(language, "Issued"),
        served: words::tr(language, "Served"),
        hour_suffix: "h".into(),
        empty: words::tr(language, "No tickets this day."),
    };
    let chart = kiosk_core::report::hour_chart_svg(&report, &labels);
    let body = html! {
        form.day method="get" action="/staff/report" {
            label for="day" { (words::tr(language, "Day")) }
            input #day type="date" name="day" value=(day_text);
            button type="submit" { (words::tr(language, "Show")) }
            a.button href={ "/staff/report.csv?day=" (day_text) } download { (words::tr(language, "Download CSV")) }
        }
        section.card aria-labelledby="total-title" {
            h2 #total-title { (words::tr(language, "The day")) }
            (report_rows(std::slice::from_ref(&report.total), &words::tr(language, "All services"), |_| words::tr(language, "All"), language, "report-total"))
        }
        section.card aria-labelledby="services-title" {
            h2 #services-title { (words::tr(language, "Per service")) }
            (report_rows(&report.services, &words::tr(language, "Service"), |code| service_name(&api, code, language), language, "report-services"))
        }
        section.card aria-labelledby="counters-title" {
            h2 #counters-title { (words::tr(language, "Per counter")) }
            (report_rows(&report.counters, &words::tr(language, "Counter"), |n| words::trf(language, "Counter {}", &[&n]), language, "report-counters"))
        }
        section.card aria-labelledby="hours-title" {
            h2 #hours-title { (words::tr(language, "Per hour")) }
            figure.chart { (PreEscaped(chart)) }
            table #report-hours {
                thead { tr {
                    th scope="col" { (words::tr(language, "Hour")) }
                    th scope="col" { (words::tr(language, "Issued")) }
                    th scope="col" { (words::tr(language, "Called")) }
                    th scope="col" { (words::tr(language, "Served")) }
                    th scope="col" { (words::tr(language, "Absent")) }
                    th scope="col" { (words::tr(language, "Wait, median")) }
                } }
                tbody {
                    @for hour in &report.hours {
                        tr {
                            th scope="row" { (format!("{:02}:00", hour.hour)) }
                            td { (hour.issued) } td { (hour.called) } td { (hour.served) } td { (hour.no_show) }
                            td { (duration(hour.wait_median, language)) }
                        }
                    }
                }
            }
        }
        p.hint { (words::tr(language, "Waits run from the ticket's issue to its first call; service from the call to \"served\". Percentiles by nearest rank.")) }
    };
    page_response(frame(language, &words::tr(language, "Day report"), Some(&session), message, body), had)
}

async fn report_csv(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Response {
    if let Err(redirect) = signed(&api, &headers) {
        return *redirect;
    }
    let (day, report) = report_for(&api, &query);
    let csv = kiosk_core::report::csv(&report, &kiosk_core::report::CsvHeaders::english());
    let disposition = format!("attachment; filename=\"day-report-{}.csv\"", crate::clock::day_text(day));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        csv,
    )
        .into_response()
}

// ---- live updates ----

/// A "changed" event whenever the queue changes (the board's state is rebuilt on every commit): the page then
/// fetches its waiting list again.
async fn events(State(api): State<Arc<CounterApi>>, headers: HeaderMap) -> Response {
    if signed(&api, &headers).is_err() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let receiver = api.board.watch();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.changed().await.ok()?;
        receiver.borrow_and_update();
        Some((
            Ok::<_, std::convert::Infallible>(axum::response::sse::Event::default().event("changed").data("1")),
            receiver,
        ))
    });
    axum::response::sse::Sse::new(stream)
        .keep_alive(axum::response::sse::KeepAlive::new().interval(std::time::Duration::from_secs(15)))
        .into_response()
}

impl Tokened for CallForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl Tokened for TicketForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl Tokened for RateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
