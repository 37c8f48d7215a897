//! Benchmark: the staff console and the waiting-room board in a real browser (Chromium over WebDriver), and the
//! console's server with ten counters calling at once.
//!
//! 1. "Call next" clicked in the console → the call on the board (the board's own clock, in another window of the
//!    same browser, so both times come from one machine clock), and → the announcement's first sound playing
//!    (chime and espeak-ng's speech made on the kiosk, fetched and started by the board). Each call waits for the
//!    previous announcement to finish, as a real board plays them one at a time.
//! 2. Ten counters each signed in to the console and pressing "call next" at the same moment, round after round
//!    (plain HTTP, as the browsers would send it): latency per call and that no ticket is called twice.
//!
//! Prints p50/p99; asserts nothing about time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use kiosk_core::queue::{Day, Priority, Seconds};
use kiosk_tests::browser::Browser;
use kiosk_tests::staff_site::{self, PIN};

const DAY: Day = 20_415;
static NOW: AtomicI64 = AtomicI64::new(1_763_863_200);
fn clock() -> (Day, Seconds) {
    (DAY, NOW.fetch_add(1, Ordering::Relaxed))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(name: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    println!(
        "  {name}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)",
        percentile(&values, 0.5),
        percentile(&values, 0.99),
        values.last().copied().unwrap_or(0.0),
        values.len()
    );
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiosk-bench-console-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn main() {
    browser_calls(20);
    ten_counters(20);
}

fn browser_calls(calls: usize) {
    let dir = scratch("browser");
    let site = staff_site::start(&dir, &staff_site::config_with_counters(3), 1, DAY, clock);
    for n in 0..calls {
        site.issue("HT", Priority::None, 1_763_863_000 + n as i64);
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (shown, sounded) = runtime.block_on(async {
        let browser = Browser::start().await.expect("browser");
        let c = &browser.client;
        c.goto(&format!("{}/board", site.base)).await.expect("board");
        // The board notes when each label first appears in the large type, on its own clock.
        c.execute(
            "window.__shown = {}; new MutationObserver(() => {
                 document.querySelectorAll('#current li .label').forEach(e => {
                     if (!(e.textContent in window.__shown)) window.__shown[e.textContent] = Date.now();
                 });
             }).observe(document.getElementById('current'), { childList: true, subtree: true });
             window.__sounded = {};
             new MutationObserver(() => {
                 const label = document.body.dataset.playing;
                 if (label && !(label in window.__sounded)) window.__sounded[label] = Date.now();
             }).observe(document.body, { attributes: true, attributeFilter: ['data-playing'] });",
            Vec::new(),
        )
        .await
        .expect("observer");
        let board = c.window().await.expect("board window");
        let console = c.new_window(true).await.expect("console window").handle;
        c.switch_to_window(console.clone()).await.expect("switch");
        c.goto(&format!("{}/staff/sign-in", site.base)).await.expect("sign-in");
        c.find(Locator::Css("#staff_id")).await.expect("id").send_keys("nv01").await.expect("type");
        c.find(Locator::Css("#pin")).await.expect("pin").send_keys(PIN).await.expect("type");
        c.find(Locator::Css(".sign-in button")).await.expect("button").click().await.expect("sign in");
        let (mut shown, mut sounded) = (Vec::new(), Vec::new());
        for n in 1..=calls {
            let label = format!("HT-{n:03}");
            c.switch_to_window(console.clone()).await.expect("switch");
            if n > 1 {
                // Served, and past the rating page, so the counter is free to call again.
                c.wait().for_element(Locator::Css("button[data-action=done]")).await.expect("done").click().await.expect("done");
                c.wait().for_element(Locator::Css(".faces")).await.expect("the rating page");
                c.goto(&format!("{}/staff/counter", site.base)).await.expect("counter page");
            }
            c.wait().for_element(Locator::Css("#call-next")).await.expect("the counter page");
            let clicked = c
                .execute("const t = Date.now(); document.getElementById('call-next').click(); return t;", Vec::new())
                .await
                .unwrap_or_else(|e| panic!("call {n}: {e}"))
                .as_f64()
                .expect("time");
            c.switch_to_window(board.clone()).await.expect("switch");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let times = c
                    .execute(
                        "return [window.__shown[arguments[0]] || null, window.__sounded[arguments[0]] || null, document.body.dataset.spoken || '0'];",
                        vec![serde_json::json!(label)],
                    )
                    .await
                    .expect("times");
                let spoken: usize = times[2].as_str().unwrap_or("0").parse().unwrap_or(0);
                if let (Some(seen), Some(sound)) = (times[0].as_f64(), times[1].as_f64()) {
                    if spoken >= n {
                        shown.push(seen - clicked);
                        sounded.push(sound - clicked);
                        break;
                    }
                }
                assert!(Instant::now() < deadline, "{label} was not shown and announced within 30 s: {times}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        browser.close().await.expect("close");
        (shown, sounded)
    });
    println!("Console \"call next\" click in Chromium, over the kiosk's HTTP server (SQLite commit, redirect, page):");
    summary("→ the call in large type on the board (server-sent event)", shown);
    summary("→ the announcement playing on the board (chime + espeak-ng, fetched as one WAV)", sounded);
}

/// A console session by hand (cookies, the forms' tokens), for the concurrency figure.
struct Counter {
    client: reqwest::blocking::Client,
    base: String,
    cookie: String,
    csrf: String,
}

fn cookie_of(response: &reqwest::blocking::Response, name: &str) -> Option<String> {
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let pair = v.split(';').next()?;
        let (key, value) = pair.split_once('=')?;
        (key == name && !value.is_empty()).then(|| format!("{key}={value}"))
    })
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).map(|at| at + marker.len()).expect("hidden input");
    page[at..at + page[at..].find('"').expect("end")].to_owned()
}

impl Counter {
    fn sign_in(base: &str, staff: u16) -> Counter {
        let client =
            reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let page = client.get(format!("{base}/staff/sign-in")).send().expect("sign-in page");
        let form_cookie = cookie_of(&page, "staff_form").expect("form cookie");
        let form = hidden(&page.text().expect("page"), "form");
        let signed = client
            .post(format!("{base}/staff/sign-in"))
            .header("cookie", &form_cookie)
            .form(&[
                ("staff_id", format!("nv{staff:02}")),
                ("pin", PIN.into()),
                ("counter", staff.to_string()),
                ("form", form),
            ])
            .send()
            .expect("sign in");
        let cookie = cookie_of(&signed, "staff_session").expect("session cookie");
        let page = client.get(format!("{base}/staff/counter")).header("cookie", &cookie).send().expect("page");
        let csrf = hidden(&page.text().expect("page"), "csrf");
        Counter { client, base: base.to_owned(), cookie, csrf }
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .expect("post");
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    }
}

fn ten_counters(rounds: usize) {
    let counters = 10u16;
    let dir = scratch("ten");
    let site = staff_site::start(&dir, &staff_site::config_with_counters(counters), counters, DAY, clock);
    // Counter 2 calls residence (CTR) tickets, as the example configures it; the others call HT.
    for n in 0..(rounds * counters as usize) {
        let service = if n < rounds { "CTR" } else { "HT" };
        site.issue(service, Priority::None, 1_763_863_000 + n as i64);
    }
    let sessions: Vec<Counter> = (1..=counters).map(|n| Counter::sign_in(&site.base, n)).collect();
    let barrier = Arc::new(Barrier::new(counters as usize));
    let store = site.store.clone();
    let latencies: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = sessions
            .iter()
            .enumerate()
            .map(|(i, counter)| {
                let (barrier, store) = (barrier.clone(), store.clone());
                scope.spawn(move || {
                    let number = i as u16 + 1;
                    let mut times = Vec::new();
                    for _ in 0..rounds {
                        // What this counter's page shows as current (its previous call, now to be finished first).
                        let current = store
                            .read(|q| q.now_serving().into_iter().find(|t| t.counter == Some(number)).map(|t| t.id));
                        if let Some(id) = current {
                            counter.post(&format!("/staff/tickets/{id}/done"), &[("csrf", &counter.csrf)]);
                        }
                        barrier.wait();
                        let started = Instant::now();
                        counter.post("/staff/call-next", &[("csrf", &counter.csrf), ("current", "")]);
                        times.push(started.elapsed().as_secs_f64() * 1000.0);
                    }
                    times
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("counter thread")).collect()
    });
    let called: Vec<_> = site.store.read(|q| q.today().filter(|t| t.called_at.is_some()).map(|t| t.id).collect());
    // Two counters given the same ticket would leave fewer tickets called than presses.
    assert_eq!(called.len(), rounds * counters as usize, "every press called its own resident");
    println!(
        "Ten counters pressing \"call next\" in the console at the same moment, {rounds} rounds (HTTP form posts, \
         one SQLite commit each): {} calls, none twice:",
        called.len()
    );
    summary("press → answered (redirect back to the page)", latencies);
}
