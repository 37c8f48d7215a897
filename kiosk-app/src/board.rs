//! The waiting-room board: a page for a TV's browser that shows the current calls in large type, the last calls
//! and how many wait per service, kept live by server-sent events, and announces each call (a chime, then the
//! number and the counter in Vietnamese, and in English when the kiosk is set so), one announcement at a time.
//!
//! The board follows the queue store: every committed call or recall becomes a [`Call`] with a sequence number,
//! and the page announces the calls newer than the last one it heard, in order. Each announcement is one WAV made
//! on the kiosk by espeak-ng (a process of its own, run on the blocking pool) behind the chime; it is started as
//! soon as the call commits, so it is ready when the board asks.
//! Must not do: block the queue store's lock (its listener only builds the state and hands it on), or log what
//! is announced beyond the ticket label.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kiosk_core::config::{self, Language, NumberReading, Speech};
use kiosk_core::queue::{Event, Queue, State as TicketState};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;
use tokio::sync::{watch, OnceCell};

use crate::counter_api::CounterApi;
use crate::queue_store::QueueStore;

/// How calls are announced (from `[counter_api]`, and the speech settings of `[ui]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Announce {
    pub numbers: NumberReading,
    pub english: bool,
    pub rate: u32,
    pub volume: u32,
}

impl Announce {
    pub fn from_config(config: &config::Config) -> Announce {
        let (numbers, english) = config
            .counter_api
            .as_ref()
            .map(|api| (api.announce_numbers, api.announce_english))
            .unwrap_or((NumberReading::Whole, false));
        Announce { numbers, english, rate: config.ui.speech.rate, volume: config.ui.speech.volume }
    }
}

/// One call or recall, as the board shows and says it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Call {
    /// Increases with every call; the page announces those above the last it heard.
    pub seq: u64,
    pub label: String,
    pub counter: u16,
    pub counter_vi: String,
    pub counter_en: String,
    pub recall: bool,
    /// Local time of the call, `HH:MM`.
    pub time: String,
    /// What is said, in Vietnamese and (when set) English.
    pub said_vi: String,
    pub said_en: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Waiting {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub count: usize,
}

/// Everything the board page shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct BoardState {
    /// The latest call per counter still being served, most recent first (the large type).
    pub current: Vec<Call>,
    /// The last calls, most recent first.
    pub recent: Vec<Call>,
    pub waiting: Vec<Waiting>,
}

/// How many calls the board lists, and how many are kept for announcements asked late.
const RECENT: usize = 5;
const KEPT: usize = 40;

type Wav = Result<Arc<Vec<u8>>, String>;

pub struct Board {
    names: config::Queue,
    announce: Announce,
    calls: Mutex<VecDeque<Call>>,
    state: watch::Sender<Arc<BoardState>>,
    sounds: Mutex<HashMap<u64, Arc<OnceCell<Wav>>>>,
    runtime: Mutex<Option<tokio::runtime::Handle>>,
}

impl Board {
    /// A board following `store` from now on, starting from today's calls as the queue has them.
    pub fn follow(store: &QueueStore, names: &config::Queue, announce: Announce) -> Arc<Board> {
        let board = Arc::new(Board {
            names: names.clone(),
            announce,
            calls: Mutex::new(VecDeque::new()),
            state: watch::Sender::new(Arc::new(BoardState::default())),
            sounds: Mutex::new(HashMap::new()),
            runtime: Mutex::new(None),
        });
        store.read(|queue| {
            let mut called: Vec<_> = queue.today().filter(|t| t.called_at.is_some()).collect();
            called.sort_by_key(|t| (t.called_at, t.id));
            let mut calls = lock(&board.calls);
            for ticket in called.iter().rev().take(RECENT).rev() {
                if let (Some(at), Some(counter)) = (ticket.called_at, ticket.counter) {
                    // Seconds times a thousand: below any sequence number a later call gets.
                    calls.push_back(board.call(at as u64 * 1000, &ticket.label(), counter, false, at));
                }
            }
            drop(calls);
            board.publish(queue);
        });
        let follower = board.clone();
        store.subscribe(Box::new(move |events, queue| follower.update(events, queue)));
        board
    }

    fn call(&self, seq: u64, label: &str, counter: u16, recall: bool, at: i64) -> Call {
        let (counter_vi, counter_en) = match self.names.counter(counter) {
            Some(c) => (c.name_vi.clone(), c.name_en.clone()),
            None => (format!("Quầy {counter}"), format!("Counter {counter}")),
        };
        let numbers = self.announce.numbers;
        Call {
            seq,
            label: label.to_owned(),
            counter,
            said_vi: kiosk_core::speech::call_announcement(label, &counter_vi, numbers, Language::Vietnamese),
            said_en: self
                .announce
                .english
                .then(|| kiosk_core::speech::call_announcement(label, &counter_en, numbers, Language::English)),
            counter_vi,
            counter_en,
            recall,
            time: crate::clock::local_hh_mm(at),
        }
    }

    /// Runs under the queue store's lock: note the calls, rebuild the state, hand it on, start the speech.
    fn update(&self, events: &[Event], queue: &Queue) {
        let mut fresh = Vec::new();
        {
            let mut calls = lock(&self.calls);
            for event in events {
                let (id, counter, at, recall) = match event {
                    Event::TicketCalled { id, counter, at } => (*id, *counter, *at, false),
                    Event::TicketRecalled { id, counter, at } => (*id, *counter, *at, true),
                    _ => continue,
                };
                let Some(ticket) = queue.ticket(id) else { continue };
                let last = calls.back().map_or(0, |c| c.seq);
                let call = self.call((at as u64 * 1000).max(last + 1), &ticket.label(), counter, recall, at);
                fresh.push(call.clone());
                calls.push_back(call);
                while calls.len() > KEPT {
                    calls.pop_front();
                }
            }
        }
        self.publish(queue);
        for call in fresh {
            tracing::info!(ticket = %call.label, counter = call.counter, recall = call.recall, "call on the board");
            self.prepare_sound(call.seq);
        }
    }

    fn publish(&self, queue: &Queue) {
        let calls = lock(&self.calls);
        let serving: Vec<(String, u16)> = queue
            .now_serving()
            .iter()
            .filter_map(|t| match t.state {
                TicketState::Called { counter } | TicketState::Serving { counter } => Some((t.label(), counter)),
                _ => None,
            })
            .collect();
        let mut current: Vec<Call> = Vec::new();
        for call in calls.iter().rev() {
            let still = serving.iter().any(|(label, counter)| *label == call.label && *counter == call.counter);
            if still && !current.iter().any(|c| c.counter == call.counter) {
                current.push(call.clone());
            }
        }
        let recent = calls.iter().rev().take(RECENT).cloned().collect();
        let waiting = self
            .names
            .services
            .iter()
            .map(|s| Waiting {
                code: s.code.clone(),
                name_vi: s.name_vi.clone(),
                name_en: s.name_en.clone(),
                // The time only orders the waiting tickets; a count does not need it.
                count: queue.waiting(std::slice::from_ref(&s.code), 0).len(),
            })
            .collect();
        self.state.send_replace(Arc::new(BoardState { current, recent, waiting }));
    }

    /// The state now, and a receiver told of every change.
    pub fn watch(&self) -> watch::Receiver<Arc<BoardState>> {
        self.state.subscribe()
    }

    /// Where announcements are made ahead of time (the network runtime, once it serves the board).
    pub fn set_runtime(&self, runtime: tokio::runtime::Handle) {
        *lock(&self.runtime) = Some(runtime);
    }

    fn cell(&self, seq: u64) -> Arc<OnceCell<Wav>> {
        let mut sounds = lock(&self.sounds);
        let kept: Vec<u64> = lock(&self.calls).iter().map(|c| c.seq).collect();
        sounds.retain(|seq, _| kept.contains(seq));
        sounds.entry(seq).or_default().clone()
    }

    fn prepare_sound(&self, seq: u64) {
        let Some(runtime) = lock(&self.runtime).clone() else { return };
        let Some(call) = lock(&self.calls).iter().find(|c| c.seq == seq).cloned() else { return };
        let (cell, announce) = (self.cell(seq), self.announce);
        runtime.spawn(async move {
            cell.get_or_init(|| make_sound(call, announce)).await;
        });
    }

    /// The announcement of call `seq` as one WAV (made now if it was not made ahead), or `None` for a call the
    /// board no longer keeps.
    pub async fn sound(&self, seq: u64) -> Option<Wav> {
        let call = lock(&self.calls).iter().find(|c| c.seq == seq).cloned()?;
        let announce = self.announce;
        Some(self.cell(seq).get_or_init(|| make_sound(call, announce)).await.clone())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Chime, the Vietnamese, and after a pause the English: espeak-ng on the blocking pool.
async fn make_sound(call: Call, announce: Announce) -> Wav {
    let started = std::time::Instant::now();
    let made = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let settings = Speech { read_aloud: config::ReadAloud::Off, rate: announce.rate, volume: announce.volume };
        let vi = crate::speech::synthesize(&settings, Language::Vietnamese, &call.said_vi)?;
        let vi = kiosk_core::wav::read(&vi).ok_or_else(|| anyhow::anyhow!("espeak-ng's audio is not a WAV"))?;
        let mut samples = kiosk_core::wav::chime(vi.rate);
        samples.extend(kiosk_core::wav::silence(vi.rate, 0.25));
        samples.extend(vi.samples);
        if let Some(english) = &call.said_en {
            let en = crate::speech::synthesize(&settings, Language::English, english)?;
            if let Some(en) = kiosk_core::wav::read(&en).filter(|en| en.rate == vi.rate) {
                samples.extend(kiosk_core::wav::silence(vi.rate, 0.5));
                samples.extend(en.samples);
            }
        }
        Ok(kiosk_core::wav::write(&kiosk_core::wav::Pcm { rate: vi.rate, samples }))
    })
    .await;
    match made {
        Ok(Ok(bytes)) => {
            tracing::debug!(ms = started.elapsed().as_millis() as u64, "announcement ready");
            Ok(Arc::new(bytes))
        }
        Ok(Err(error)) => {
            tracing::error!(error = %format!("{error:#}"), "an announcement could not be made; the board shows the call without sound");
            Err(format!("{error:#}"))
        }
        Err(error) => Err(error.to_string()),
    }
}

// ---- pages ----

pub fn routes() -> Router<Arc<CounterApi>> {
    Router::new()
        .route("/board", get(page))
        .route("/board/state", get(state))
        .route("/board/events", get(events))
        .route("/board/announcement/{seq}", get(announcement))
        .merge(crate::console::static_routes())
}

async fn page(State(api): State<Arc<CounterApi>>) -> Markup {
    let english = api.board.announce.english;
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Bảng gọi số – Waiting-room board" }
                link rel="stylesheet" href="/static/board.css";
                script src="/static/board.js" defer {}
            }
            body data-english=(english) {
                main {
                    section.now aria-labelledby="now-title" {
                        h1 #now-title { "Mời số" @if english { span.en lang="en" { " · Now calling" } } }
                        ol #current aria-live="assertive" {}
                    }
                    div.side {
                        section aria-labelledby="recent-title" {
                            h2 #recent-title { "Vừa gọi" @if english { span.en lang="en" { " · Recent calls" } } }
                            ol #recent {}
                        }
                        section aria-labelledby="waiting-title" {
                            h2 #waiting-title { "Đang chờ" @if english { span.en lang="en" { " · Waiting" } } }
                            ul #waiting {}
                        }
                    }
                }
                div #offline role="alert" hidden {
                    "Bảng tạm mất kết nối, số hiển thị có thể chưa cập nhật – đang kết nối lại…"
                    @if english { br; span lang="en" { "The board lost its connection; the numbers may be out of date – reconnecting…" } }
                }
                button #sound type="button" hidden {
                    "Bấm để bật âm thanh"
                    @if english { br; span lang="en" { "Tap to turn the sound on" } }
                }
                noscript { "Bảng gọi số cần JavaScript." }
                (PreEscaped(""))
            }
        }
    }
}

async fn state(State(api): State<Arc<CounterApi>>) -> Json<BoardState> {
    Json(api.board.watch().borrow().as_ref().clone())
}

/// The board's state as server-sent events: the state now, then every change (a comment every 15 s keeps
/// proxies and the TV's browser from closing a quiet connection; the browser reconnects by itself).
async fn events(
    State(api): State<Arc<CounterApi>>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, std::convert::Infallible>>> {
    let mut receiver = api.board.watch();
    receiver.mark_changed();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.changed().await.ok()?;
        let state = receiver.borrow_and_update().clone();
        let event = SseEvent::default().event("board").json_data(state.as_ref()).unwrap_or_default();
        Some((Ok(event), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
}

async fn announcement(State(api): State<Arc<CounterApi>>, Path(seq): Path<String>) -> Response {
    let Some(seq) = seq.strip_suffix(".wav").and_then(|s| s.parse::<u64>().ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match api.board.sound(seq).await {
        Some(Ok(wav)) => {
            ([(header::CONTENT_TYPE, "audio/wav"), (header::CACHE_CONTROL, "max-age=3600")], wav.as_ref().clone())
                .into_response()
        }
        Some(Err(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "the announcement could not be made (espeak-ng)").into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
