//! The browser harness itself (`kiosk_tests::browser`): real headless Chromium through chromedriver, on pages an
//! axum router serves on loopback. axe-core finds the two faults planted in a bad page (an image without a text
//! alternative, a field without a label) and nothing in the same page done right; on a board like the
//! waiting-room one, the harness finds by CSS and by text, clicks, waits for the update, checks the page's own
//! Vietnamese font loaded, and takes a screenshot.

use std::time::Duration;

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use fantoccini::Locator;
use kiosk_tests::browser::{self, Browser};
use serde_json::json;

const BAD: &str = r#"<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>Tra cứu hồ sơ</title></head>
<body>
<main>
  <h1>Tra cứu hồ sơ</h1>
  <img src="/logo.svg" width="64" height="64">
  <p>Nhập mã hồ sơ:</p>
  <input type="text" name="ma-ho-so">
</main>
</body>
</html>"#;

const GOOD: &str = r#"<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>Tra cứu hồ sơ</title></head>
<body>
<main>
  <h1>Tra cứu hồ sơ</h1>
  <img src="/logo.svg" width="64" height="64" alt="Biểu trưng UBND phường">
  <label for="ma">Nhập mã hồ sơ:</label>
  <input type="text" name="ma-ho-so" id="ma">
</main>
</body>
</html>"#;

/// A waiting-room board: the button asks the server for the next number and shows it a moment later, as a page
/// updated by server-sent events would.
const BOARD: &str = r#"<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Bảng gọi số</title>
<style>
  @font-face { font-family: "Be Vietnam Pro"; src: url("/fonts/BeVietnamPro-Regular.ttf") format("truetype"); }
  body { font-family: "Be Vietnam Pro", sans-serif; font-size: 32px; margin: 40px; }
  button { font: inherit; padding: 12px 24px; }
</style>
</head>
<body>
<main>
  <h1>Bảng gọi số – Phường Ba Đình</h1>
  <p id="now">Mời số <strong id="ticket">A012</strong> đến quầy 3</p>
  <button type="button">Gọi số tiếp theo</button>
</main>
<script>
  document.querySelector('button').addEventListener('click', async () => {
    const next = await (await fetch('/next', { method: 'POST' })).json();
    setTimeout(() => { document.getElementById('ticket').textContent = next.ticket; }, 300);
  });
</script>
</body>
</html>"#;

const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#c8102e"/></svg>"##;

const FONT: &[u8] = include_bytes!("../../assets/fonts/BeVietnamPro-Regular.ttf");

/// Serves the pages on a free loopback port; returns the base URL.
async fn serve() -> String {
    let app = Router::new()
        .route("/bad", get(|| async { Html(BAD) }))
        .route("/good", get(|| async { Html(GOOD) }))
        .route("/board", get(|| async { Html(BOARD) }))
        .route("/next", post(|| async { Json(json!({ "ticket": "A013" })) }))
        .route("/logo.svg", get(|| async { ([(header::CONTENT_TYPE, "image/svg+xml")], LOGO).into_response() }))
        .route(
            "/fonts/BeVietnamPro-Regular.ttf",
            get(|| async { ([(header::CONTENT_TYPE, "font/ttf")], FONT).into_response() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve the pages") });
    format!("http://{address}")
}

#[tokio::test]
async fn axe_finds_the_planted_faults_and_nothing_on_the_page_done_right() {
    let base = serve().await;
    let browser = Browser::start().await.expect("start the browser");

    browser.client.goto(&format!("{base}/bad")).await.expect("open the bad page");
    let violations = browser::axe_violations(&browser.client).await.expect("run axe-core");
    let report = browser::describe_violations(&violations);
    let mut found: Vec<(&str, String)> = violations
        .iter()
        .flat_map(|v| {
            let id = v["id"].as_str().unwrap_or("?");
            v["nodes"].as_array().into_iter().flatten().map(move |node| (id, node["target"].to_string()))
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [("image-alt", r#"["img"]"#.to_owned()), ("label", r#"["input"]"#.to_owned())],
        "the image without alt and the field without a label, and nothing else:\n{report}"
    );
    assert!(report.contains("image-alt (critical)") && report.contains("label (critical)"), "{report}");

    browser.client.goto(&format!("{base}/good")).await.expect("open the good page");
    let violations = browser::axe_violations(&browser.client).await.expect("run axe-core");
    assert!(violations.is_empty(), "{}", browser::describe_violations(&violations));

    browser.close().await.expect("close the browser");
}

#[tokio::test]
async fn finds_clicks_waits_for_an_update_and_takes_a_screenshot() {
    let base = serve().await;
    let browser = Browser::start().await.expect("start the browser");
    let client = &browser.client;
    client.goto(&format!("{base}/board")).await.expect("open the board");

    assert_eq!(client.title().await.expect("title"), "Bảng gọi số");
    let heading = client.find(Locator::Css("h1")).await.expect("the heading").text().await.expect("its text");
    assert_eq!(heading, "Bảng gọi số – Phường Ba Đình");
    let language = client.execute("return navigator.language;", Vec::new()).await.expect("navigator.language");
    assert_eq!(language, json!("vi"), "the browser runs in Vietnamese");

    let button = browser::find_by_text(client, "button", "Gọi số tiếp theo").await.expect("find").expect("the button");
    assert!(browser::find_by_text(client, "button", "Không có nút này").await.expect("find").is_none());
    button.click().await.expect("click");
    let now = browser::wait_for_text(client, "#now", "A013", Duration::from_secs(10)).await.expect("the next number");
    assert_eq!(now.text().await.expect("text"), "Mời số A013 đến quầy 3");
    let missing = browser::wait_for_text(client, "#now", "B999", Duration::from_millis(300)).await;
    let message = missing.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains(r#"["Mời số A013 đến quầy 3"]"#), "a timeout says what is shown: {message}");

    let font_loaded = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               document.fonts.ready.then(() => done([...document.fonts].some(
                   f => f.family.replace(/"/g, '') === 'Be Vietnam Pro' && f.status === 'loaded')));"#,
            Vec::new(),
        )
        .await
        .expect("ask for the page's fonts");
    assert_eq!(font_loaded, json!(true), "the page's Be Vietnam Pro (@font-face) loaded");
    let violations = browser::axe_violations(client).await.expect("run axe-core");
    assert!(violations.is_empty(), "{}", browser::describe_violations(&violations));

    let path = kiosk_tests::scratch_dir("browser-harness").join("board.png");
    browser::screenshot(client, &path).await.expect("screenshot");
    let png = std::fs::read(&path).expect("read the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let size = |at: usize| png.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    assert_eq!((size(16), size(20)), (Some(browser::WINDOW.0), Some(browser::WINDOW.1)), "the window's size");

    browser.close().await.expect("close the browser");
}
