//! The staff console and the waiting-room board: the kiosk's real HTTP server on loopback, its real SQLite files,
//! real staff accounts, and Debian's Chromium driven over WebDriver (tests/src/browser.rs), with axe-core checking
//! every staff page. The board's announcement is made by the real espeak-ng and played by the browser.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use fantoccini::{Client, Locator};
use kiosk_core::queue::{Day, Priority, Seconds};
use kiosk_core::staff::Accounts;
use kiosk_tests::browser::{axe_violations, describe_violations, screenshot, wait_for_text, Browser};
use kiosk_tests::staff_site::{self, value_of, Agent, StaffSite, PIN};
const DAY: Day = 20_415;
const WAIT: Duration = Duration::from_secs(15);

fn start(dir: &std::path::Path, clock: fn() -> (Day, Seconds)) -> StaffSite {
    staff_site::start(dir, &staff_site::config_with_counters(3), 1, DAY, clock)
}

static BROWSER_NOW: AtomicI64 = AtomicI64::new(1_763_863_200);
fn browser_clock() -> (Day, Seconds) {
    (DAY, BROWSER_NOW.fetch_add(7, Ordering::Relaxed))
}

async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Clicks what `css` finds and waits for the next page (every button here submits a form or follows a link).
async fn click(client: &Client, css: &str) {
    client.execute("window.__before = true;", Vec::new()).await.expect("mark the page");
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.expect("click");
    until(client, "return !window.__before && document.readyState === 'complete'", &format!("the page after {css}"))
        .await;
}

async fn flash(client: &Client) -> String {
    wait_for_text(client, ".flash", "", WAIT).await.expect("a message").text().await.unwrap_or_default()
}

async fn accessible(client: &Client, page: &str) {
    let violations = axe_violations(client).await.expect("axe ran");
    assert!(violations.is_empty(), "{page}: {}", describe_violations(&violations));
}

/// Waits until `script` (returning a value) returns something other than null/false/"".
async fn until(client: &Client, script: &str, what: &str) -> serde_json::Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let value = client.execute(script, Vec::new()).await.expect("script");
        if !(value.is_null() || value == false || value == "") {
            return value;
        }
        if std::time::Instant::now() >= deadline {
            let data = client.execute("return JSON.stringify(document.body.dataset)", Vec::new()).await;
            panic!("timed out waiting for {what}; the page's data: {data:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn shots() -> std::path::PathBuf {
    let dir = kiosk_tests::workspace_root().join("docs/screenshots/staff");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir
}

#[test]
fn a_counter_works_its_tickets_in_the_browser_and_the_board_shows_and_says_each_call() {
    let dir = kiosk_tests::scratch_dir("console-browser");
    let mut site = start(&dir, browser_clock);
    let t0 = 1_763_863_000;
    site.issue("HT", Priority::None, t0);
    site.issue("HT", Priority::Elderly, t0 + 60);
    site.issue("HT", Priority::None, t0 + 120);
    site.issue("HT", Priority::None, t0 + 180);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let browser = Browser::start().await.expect("browser");
        let c = &browser.client;
        let base = site.base.clone();

        // The board, in its own window.
        c.goto(&format!("{base}/board")).await.expect("board");
        until(c, "return document.body.dataset.connected === 'true'", "the board to connect").await;
        assert_eq!(text_of(c, "#waiting li[data-service=HT] .n").await, "4");
        let board = c.window().await.expect("window");

        // The console, in another.
        let console = c.new_window(true).await.expect("new window");
        c.switch_to_window(console.handle.clone()).await.expect("switch");
        c.goto(&format!("{base}/staff")).await.expect("console");
        assert!(c.current_url().await.expect("url").as_str().ends_with("/staff/sign-in"), "signed out → sign-in page");
        accessible(c, "sign-in").await;
        screenshot(c, &shots().join("sign-in.png")).await.expect("screenshot");
        c.find(Locator::Css("#staff_id")).await.expect("id").send_keys("nv01").await.expect("type");
        c.find(Locator::Css("#pin")).await.expect("pin").send_keys("111111").await.expect("type");
        click(c, ".sign-in button").await;
        assert!(flash(c).await.contains("Sai mã cán bộ hoặc mã PIN"), "a wrong PIN is refused in Vietnamese");
        c.find(Locator::Css("#staff_id")).await.expect("id").send_keys("nv01").await.expect("type");
        c.find(Locator::Css("#pin")).await.expect("pin").send_keys(PIN).await.expect("type");
        click(c, ".sign-in button").await;
        wait_for_text(c, "h1", "Số thứ tự", WAIT).await.expect("the counter page");
        assert!(text_of(c, ".who").await.contains("Nguyễn Thị Hoa"));
        accessible(c, "counter page, nothing called").await;

        // Call next: the elderly resident first; the board shows the call and announces it.
        click(c, "#call-next").await;
        assert_eq!(flash(c).await, "Đã gọi số HT-002 đến quầy 1.");
        assert_eq!(text_of(c, "#current-number").await, "HT-002");
        accessible(c, "counter page, a ticket called").await;
        screenshot(c, &shots().join("counter.png")).await.expect("screenshot");
        c.switch_to_window(board.clone()).await.expect("switch");
        wait_for_text(c, "#current li .label", "HT-002", WAIT).await.expect("the call on the board");
        assert_eq!(text_of(c, "#waiting li[data-service=HT] .n").await, "3");
        let spoken = until(c, "return document.body.dataset.spoken", "the announcement to be played").await;
        assert_eq!(spoken, "1");
        assert_eq!(text_of(c, "#recent li").await.lines().next().unwrap_or(""), "HT-002 → Quầy 1");
        screenshot(c, &shots().join("board.png")).await.expect("screenshot");

        // Recall: announced again.
        c.switch_to_window(console.handle.clone()).await.expect("switch");
        click(c, "button[data-action=recall]").await;
        assert_eq!(flash(c).await, "Đã gọi nhắc lại số HT-002.");
        // A stale page (its form sent again after the recall) changes nothing.
        let stale = c
            .execute_async(
                "const done = arguments[0]; const f = document.querySelector('form.call');
                 const body = new URLSearchParams({ csrf: f.csrf.value, current: '' });
                 fetch('/staff/call-next', { method: 'POST', body, redirect: 'manual' }).then(r => done(r.type));",
                Vec::new(),
            )
            .await
            .expect("stale call");
        assert_eq!(stale, "opaqueredirect", "answered by a redirect back to the page");
        c.refresh().await.expect("reload");
        assert!(flash(c).await.starts_with("Trang chưa được cập nhật"), "a stale 'call next' calls nobody");
        assert_eq!(text_of(c, "#current-number").await, "HT-002");
        c.switch_to_window(board.clone()).await.expect("switch");
        until(c, "return document.body.dataset.spoken === '2'", "the recall to be announced").await;

        // Served, then the resident's rating on the counter-facing page.
        c.switch_to_window(console.handle.clone()).await.expect("switch");
        click(c, "button[data-action=done]").await;
        assert_eq!(flash(c).await, "Đã phục vụ xong số HT-002. Hãy nhận lại thẻ rung số 2.");
        accessible(c, "rating page").await;
        screenshot(c, &shots().join("rating.png")).await.expect("screenshot");
        click(c, "button[data-rating='4']").await;
        assert_eq!(flash(c).await, "Cảm ơn Ông/Bà! Đánh giá đã được ghi nhận.");
        assert_eq!(site.store.read(|q| q.ticket(2).and_then(|t| t.rating)), Some(4));

        // Transfer, absent, park and call back, reprint.
        click(c, "#call-next").await;
        assert_eq!(flash(c).await, "Đã gọi số HT-001 đến quầy 1.");
        assert_eq!(text_of(c, "#current-number").await, "HT-001");
        c.find(Locator::Css("#transfer-to")).await.expect("select").select_by_value("CT").await.expect("choose");
        click(c, "form.transfer button").await;
        assert_eq!(flash(c).await, "Đã chuyển số HT-001; số mới là CT-001.");
        click(c, "#call-next").await;
        assert_eq!(text_of(c, "#current-number").await, "CT-001", "the transferred ticket keeps its place");
        click(c, "button[data-action=park]").await;
        assert!(flash(c).await.starts_with("Đã tạm gác số CT-001"));
        click(c, "#call-next").await;
        assert_eq!(text_of(c, "#current-number").await, "HT-003");
        click(c, "button[data-action=no-show]").await;
        assert_eq!(
            flash(c).await,
            "Đã ghi số HT-003 vắng mặt. Thẻ rung số 3 chưa được trả: hãy ghi nhận khi người dân trả lại."
        );
        click(c, "ul.parked button[data-action=resume]").await;
        assert_eq!(flash(c).await, "Đã gọi số CT-001 vào lại quầy.");
        click(c, "button[data-action=reprint]").await;
        assert_eq!(flash(c).await, "Đã gửi số CT-001 đến máy in của ki-ốt.");
        assert_eq!(*site.reprinted.lock().expect("reprints"), ["CT-001"]);

        // Search.
        c.find(Locator::Css("#q")).await.expect("search").send_keys("HT-00").await.expect("type");
        click(c, "form[role=search] button").await;
        let found = text_of(c, "#search-results tbody").await;
        assert!(found.contains("HT-001") && found.contains("HT-004"), "{found}");
        accessible(c, "counter page with search results").await;

        // The pager of the absent resident, handed back on the pagers page.
        click(c, "nav a[href='/staff/pagers']").await;
        wait_for_text(c, "#pagers-out", "HT-003", WAIT).await.expect("pager 3 listed as out");
        accessible(c, "pagers page").await;
        click(c, "#pagers-out form:has(input[name=pager][value='3']) button").await;
        assert_eq!(flash(c).await, "Đã nhận lại thẻ rung số 3; có thể phát lại.");

        // The day report, its chart and CSV.
        click(c, "nav a[href='/staff/report']").await;
        wait_for_text(c, "#report-services", "Hộ tịch", WAIT).await.expect("a row per service");
        let total = text_of(c, "#report-total tbody").await;
        assert!(total.starts_with("Tất cả 5 1 1 1"), "issued 5 (a transfer is a new ticket), served 1, absent 1, transferred 1: {total}");
        assert!(c.find(Locator::Css("figure.chart svg[role=img]")).await.is_ok(), "the chart");
        accessible(c, "day report").await;
        screenshot(c, &shots().join("report.png")).await.expect("screenshot");
        let csv = c
            .execute_async(
                "const done = arguments[0]; fetch(document.querySelector('a[download]').href).then(r => r.text()).then(done);",
                Vec::new(),
            )
            .await
            .expect("csv");
        let csv = csv.as_str().unwrap_or("");
        // (The browser's text decoder drops the byte-order mark; the HTTP test sees it.)
        assert!(csv.starts_with("scope,key,issued"), "{csv}");
        assert!(csv.contains("\r\ntotal,,5,1,1,1,"), "{csv}");

        // English, from the same catalogue.
        click(c, "a.lang").await;
        wait_for_text(c, "h1", "Day report", WAIT).await.expect("English");
        accessible(c, "day report in English").await;

        // A resident's paper for the counter, its code typed by the counter's scanner (a keyboard: the code,
        // then Enter, which in the box starts a new line), read back to the answers.
        let intake = kiosk_core::intake::Intake {
            kiosk: "HN-LONGBIEN-0007".into(),
            id: "0193a1b2-3c4d-7e8f-9a0b-1c2d3e4f5a6b".into(),
            form: serde_json::json!({
                "kind": "dossier", "procedure_id": "dang-ky-tam-tru", "procedure_code": "1.004194",
                "answers": { "name": "Hoàng Văn Nam", "phone": "0862000111", "sex": "male" },
                "delivery": "at_the_counter", "delivery_address": null, "papers": [["id_card", 2]],
                "consent_version": "1", "language": "vi",
            }),
        };
        click(c, "nav a[href='/staff/held']").await;
        click(c, "#read-paper").await;
        accessible(c, "read a counter paper").await;
        let scanner = c.find(Locator::Css("#scanned")).await.expect("the box");
        for code in kiosk_core::intake::encode(&intake) {
            scanner.send_keys(&format!("{code}\n")).await.expect("scanned");
        }
        click(c, "#scanned ~ button").await;
        let answers = text_of(c, "#paper-answers").await;
        assert!(answers.contains("Hoàng Văn Nam") && answers.contains("0862000111") && answers.contains("Male"), "{answers}");
        let kept = text_of(c, "#paper-where").await;
        assert!(kept.contains("Kiosk HN-LONGBIEN-0007 keeps this dossier"), "{kept}");
        accessible(c, "a counter paper read").await;
        screenshot(c, &shots().join("counter-paper-read.png")).await.expect("screenshot");

        click(c, "nav a[href='/staff/counter']").await;
        // The kiosk goes away: the board says so.
        c.switch_to_window(board.clone()).await.expect("switch");
        if let Some(network) = site.network.take() {
            network.shutdown_background();
        }
        wait_for_text(c, "#offline", "mất kết nối", WAIT).await.expect("the board shows the lost connection");
        screenshot(c, &shots().join("board-offline.png")).await.expect("screenshot");
        // The console open at a counter says so too.
        c.switch_to_window(console.handle.clone()).await.expect("switch");
        wait_for_text(c, "#offline", "The connection to the kiosk is lost", WAIT).await.expect("the console shows the lost connection");
        screenshot(c, &shots().join("counter-offline.png")).await.expect("screenshot");
        browser.close().await.expect("close");
    });
}

// ---- sessions, tokens and refusals, over plain HTTP ----

static HTTP_NOW: AtomicI64 = AtomicI64::new(1_763_863_200);
fn http_clock() -> (Day, Seconds) {
    (DAY, HTTP_NOW.load(Ordering::Relaxed))
}

#[test]
fn console_sessions_survive_a_restart_end_on_pin_reset_or_idleness_and_forms_need_their_token() {
    let dir = kiosk_tests::scratch_dir("console-sessions");
    let site = start(&dir, http_clock);
    site.issue("HT", Priority::None, 1_763_863_000);
    site.issue("HT", Priority::None, 1_763_863_100);
    let mut agent = Agent::new(&site.base);

    // Signing in without the sign-in page's own token (another site's form) is refused.
    let (to, _) = agent.post("/staff/sign-in", &[("staff_id", "nv01"), ("pin", PIN), ("counter", "1")]);
    assert_eq!(to, "/staff/sign-in");
    assert_eq!(agent.message("/staff/sign-in"), "Trang đăng nhập đã hết hạn. Vui lòng đăng nhập lại.");
    let (to, cookies) = agent.sign_in(PIN);
    assert_eq!(to, "/staff/counter", "{}", agent.message("/staff/sign-in"));
    let session = cookies.iter().find(|c| c.starts_with("staff_session=")).expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    let (status, _, page) = agent.get("/staff/counter");
    assert_eq!(status, reqwest::StatusCode::OK);
    let csrf = value_of(&page, "csrf");

    // A form without the session's token changes nothing.
    let (to, _) = agent.post("/staff/call-next", &[("csrf", "forged"), ("current", "")]);
    assert_eq!(to, "/staff/counter");
    assert!(agent.message("/staff/counter").starts_with("Trang đã hết hạn"));
    assert_eq!(site.store.read(|q| q.now_serving().len()), 0, "nobody was called");
    // A double click: the second "call next" still says nothing was current, and calls nobody else.
    agent.post("/staff/call-next", &[("csrf", &csrf), ("current", "")]);
    agent.post("/staff/call-next", &[("csrf", &csrf), ("current", "")]);
    assert!(agent.message("/staff/counter").starts_with("Trang chưa được cập nhật"));
    assert_eq!(site.store.read(|q| q.now_serving().len()), 1, "one call for two clicks");
    // An unknown ticket, and another counter's action on it, are refused with a message.
    agent.post("/staff/tickets/999/done", &[("csrf", &csrf)]);
    assert_eq!(agent.message("/staff/counter"), "Không tìm thấy số thứ tự (mã 999).");
    // Done twice: the second is refused, nothing done twice.
    agent.post("/staff/tickets/1/done", &[("csrf", &csrf)]);
    agent.post("/staff/tickets/1/done", &[("csrf", &csrf)]);
    assert!(agent.message("/staff/counter").contains("đã được xử lý trước đó"));
    let db = rusqlite::Connection::open(dir.join("staff.sqlite")).expect("staff database");
    let mut statement = db.prepare("SELECT staff_id, action, subject FROM audit ORDER BY seq").expect("query");
    let audit: Vec<String> = statement
        .query_map([], |row| {
            Ok(format!("{} {} {}", row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("audit");
    assert_eq!(audit, ["nv01 sign-in ", "nv01 call HT-001", "nv01 done HT-001"], "who did what to which ticket");
    drop(statement);
    drop(db);

    // The day report as CSV: a byte-order mark first, so a spreadsheet reads the Vietnamese right.
    let (status, _, csv) = agent.get("/staff/report.csv");
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(csv.starts_with("\u{feff}scope,key,issued,served,no_show"), "{csv}");
    assert!(csv.contains("\r\ntotal,,2,1,0,0,1,"), "{csv}");

    // The kiosk restarts: the session and the lockout count are still there.
    drop(site);
    let site = start(&dir, http_clock);
    agent.base = site.base.clone();
    assert_eq!(agent.get("/staff/counter").0, reqwest::StatusCode::OK, "still signed in after a restart");

    // Idle for more than 30 minutes: signed out.
    HTTP_NOW.fetch_add(31 * 60, Ordering::Relaxed);
    let (status, location, _) = agent.get("/staff/counter");
    assert_eq!((status, location.as_str()), (reqwest::StatusCode::SEE_OTHER, "/staff/sign-in"));
    assert!(agent.message("/staff/sign-in").starts_with("Phiên làm việc đã hết hạn"));

    // Signed in again; the technician resets the PIN: the session ends at its next request.
    agent.sign_in(PIN);
    assert_eq!(agent.get("/staff/counter").0, reqwest::StatusCode::OK);
    let mut accounts =
        Accounts::parse(&std::fs::read_to_string(dir.join("staff.toml")).expect("staff")).expect("parse");
    accounts.set_pin("nv01", "975310", [9; 16]).expect("reset");
    std::fs::write(dir.join("staff.toml"), accounts.to_toml()).expect("write");
    assert_eq!(agent.get("/staff/counter").0, reqwest::StatusCode::SEE_OTHER);
    assert_eq!(agent.message("/staff/sign-in"), "Mã PIN đã được đặt lại; hãy đăng nhập lại bằng mã PIN mới.");

    // Wrong PINs lock the account, and the lock outlives a restart.
    for _ in 0..5 {
        agent.sign_in("000000");
    }
    drop(site);
    let site = start(&dir, http_clock);
    agent.base = site.base.clone();
    agent.sign_in("975310");
    assert!(agent.message("/staff/sign-in").starts_with("Nhập sai quá nhiều lần"), "still locked after a restart");
}

/// A scanned-looking page: white paper with dark lines of "text", as a real JPEG.
fn page_jpeg(seed: usize) -> Vec<u8> {
    let (width, height) = (420, 594);
    let mut pixels = vec![245u8; width * height];
    for line in 0..24 {
        let y = 60 + line * 20;
        let length = 200 + (line * 37 + seed * 53) % 160;
        for row in y..y + 8 {
            for x in 40..40 + length {
                pixels[row * width + x] = 40;
            }
        }
    }
    let image = kiosk_drivers::scanner::pipeline::Image { width, height, channels: 1, pixels };
    kiosk_drivers::scanner::pipeline::encode_jpeg(&image, 100, 80).expect("jpeg")
}

#[test]
fn held_dossiers_are_listed_opened_and_taken_in_by_hand_in_the_browser() {
    let dir = kiosk_tests::scratch_dir("console-held-browser");
    let site = start(&dir, browser_clock);
    let forms = kiosk_app::dossier::forms();
    let form = forms.iter().find(|f| f.documents.iter().any(|d| d.max_pages >= 2)).unwrap_or(&forms[0]);
    let document = form.documents.iter().find(|d| d.max_pages >= 2).unwrap_or(&form.documents[0]);
    // Answers as the wizard stores them, one of each kind the form asks.
    let answers: serde_json::Map<String, serde_json::Value> = form
        .fields
        .iter()
        .map(|f| {
            use kiosk_core::forms::Kind;
            let value = match f.kind {
                Kind::Name => "NGUYỄN VĂN AN".to_owned(),
                Kind::BirthDate => "12/03/1950".to_owned(),
                Kind::Date => "31/12/2027".to_owned(),
                Kind::Phone => "0912345678".to_owned(),
                Kind::Email => "nguyenvanan@gmail.com".to_owned(),
                Kind::PersonalNumber => "001050012345".to_owned(),
                Kind::Number => "0123456789".to_owned(),
                Kind::Text => "Con trai".to_owned(),
                Kind::Choice => f.options[0].id.clone(),
            };
            (f.id.clone(), value.into())
        })
        .collect();
    let catalogue = kiosk_core::catalogue::parse(kiosk_app::lookup::BUNDLED).expect("catalogue");
    let code = catalogue.procedures.iter().find(|p| p.id == form.procedure).expect("its procedure").code.clone();
    let json = serde_json::json!({
        "kind": "dossier", "procedure_id": form.procedure, "procedure_code": code, "answers": answers,
        "delivery": "by_post", "delivery_address": "12 Hàng Bạc, Phường Hoàn Kiếm", "papers": [[document.id, 2]],
        "consent_version": "1", "language": "vi",
    });
    let pages = vec![page_jpeg(1), page_jpeg(2)];
    let kind = kiosk_core::portal::Kind::Dossier;
    let id = kiosk_app::outbox::resident::save_form(&site.outbox, kind, Some(&code), &json, &pages, 1_763_862_000)
        .expect("saved");
    let reference = kiosk_app::outbox::resident::short_reference(&id);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let browser = Browser::start().await.expect("browser");
        let c = &browser.client;
        c.goto(&format!("{}/staff/sign-in", site.base)).await.expect("console");
        c.find(Locator::Css("#staff_id")).await.expect("id").send_keys("nv01").await.expect("type");
        c.find(Locator::Css("#pin")).await.expect("pin").send_keys(PIN).await.expect("type");
        click(c, ".sign-in button").await;

        click(c, "nav a[href='/staff/held']").await;
        wait_for_text(c, "h1", "Hồ sơ chờ gửi", WAIT).await.expect("the held page");
        assert!(text_of(c, "#held-list").await.contains(&reference));
        accessible(c, "held dossiers").await;
        screenshot(c, &shots().join("held.png")).await.expect("screenshot");

        click(c, &format!("a[href='/staff/held/{id}']")).await;
        assert!(text_of(c, "#held-answers").await.contains("NGUYỄN VĂN AN"));
        let loaded = until(
            c,
            "const imgs = [...document.querySelectorAll('.held-pages img')];
             return imgs.length === 2 && imgs.every(i => i.complete && i.naturalWidth === 420) ? imgs.length : null;",
            "both pages to show",
        )
        .await;
        assert_eq!(loaded, 2);
        accessible(c, "a held dossier opened").await;
        screenshot(c, &shots().join("held-dossier.png")).await.expect("screenshot");

        c.find(Locator::Css("#register_number")).await.expect("field").send_keys("125/2026").await.expect("type");
        click(c, "form[action$='/taken'] button").await;
        let message = flash(c).await;
        assert!(message.contains("số vào sổ 125/2026"), "{message}");
        assert!(text_of(c, "#held-none").await.starts_with("Không có hồ sơ nào đang chờ"));
        accessible(c, "held dossiers, after taking one in").await;

        // In English too.
        click(c, "a.lang").await;
        wait_for_text(c, "h1", "Held dossiers", WAIT).await.expect("English");
        accessible(c, "held dossiers in English").await;
        browser.close().await.expect("close");
    });
    assert_eq!(site.outbox.state(&id).expect("state"), Some(kiosk_core::outbox::State::TakenByHand));
}
