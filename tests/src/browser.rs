//! A real browser for the end-to-end tests of the web pages the kiosk serves (the staff console, the waiting-room
//! board): Debian's `chromium`, headless, driven over WebDriver by Debian's `chromedriver` through fantoccini, and
//! axe-core's accessibility rules run inside the page. Each [`Browser`] has its own chromedriver on a free
//! loopback port and its own fresh profile, so tests may run in parallel.
//! Must not do: leave chromedriver or Chromium running after a test (dropping a `Browser`, also when a test
//! panics, kills both), or hide a failure (a missing program, a driver that does not start, an axe error are
//! errors that say what to do).

use std::fmt::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// axe-core, vendored unchanged from the npm registry: tests/assets/axe-core/README.md says which version and how
/// to update it.
const AXE_SOURCE: &str = include_str!("../assets/axe-core/axe.min.js");

/// The rule sets [`axe_violations`] runs: WCAG 2.0 and 2.1 at levels A and AA, and axe's best practices.
pub const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/// The browser window's size in CSS pixels (screenshots of the viewport have this size).
pub const WINDOW: (u32, u32) = (1280, 800);

/// How long [`Browser::start`] waits for chromedriver to take sessions.
const DRIVER_START: Duration = Duration::from_secs(20);

/// How often [`wait_for_text`] looks again.
const POLL: Duration = Duration::from_millis(100);

/// Headless Chromium under its own chromedriver. Use `client` (fantoccini's WebDriver client) to navigate, find,
/// click and run scripts; end with [`Browser::close`], or drop it (a panicking test does) to kill both programs.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Driver,
    profile: Profile,
}

impl Browser {
    /// Starts chromedriver on a free loopback port, waits until its `/status` says it takes sessions, and opens a
    /// headless Chromium session: a page of [`WINDOW`], Vietnamese first (`Accept-Language` and
    /// `navigator.language` are "vi"; JavaScript's `Intl` default stays en-US, so pages name their locale), a fresh
    /// profile in a temporary directory. Fails with the fix when chromium or chromedriver is not installed, and
    /// with chromedriver's log when it does not start or cannot open Chromium.
    pub async fn start() -> anyhow::Result<Browser> {
        let chromedriver = on_path("chromedriver")?;
        let chromium = on_path("chromium")?;
        let profile = Profile::new()?;
        let log_path = profile.dir.join("chromedriver.log");
        let log = std::fs::File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        // Chosen here and let go at once: chromedriver binds it a moment later.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            // Chromium's own messages too, so that a Chromium that cannot start says why.
            .arg("--enable-chrome-logs")
            // Chromium's temporary files in the profile too, so that a killed Chromium leaves none behind.
            .env("TMPDIR", profile.dir.join("tmp"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group, which the Chromium it starts joins: Drop kills the whole group.
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", chromedriver.display()))?;
        let mut driver = Driver { child, log: log_path, exited: false };
        driver.wait_ready(port).await?;

        let (width, height) = WINDOW;
        let args = [
            "--headless=new".to_owned(),
            // Chromium's sandbox cannot start as root (CI runs as root) nor in most containers.
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            format!("--window-size={width},{height}"),
            // The interface language; the pref below is what the pages see (headless Linux ignores --lang there).
            "--lang=vi".to_owned(),
            // As the waiting-room TV's browser is set up: announcements play without a touch first.
            "--autoplay-policy=no-user-gesture-required".to_owned(),
            format!("--user-data-dir={}", profile.dir.join("chrome").display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium.to_string_lossy(), "args": args, "prefs": { "intl.accept_languages": "vi" } }),
        );
        // Plain HTTP to chromedriver on loopback: no TLS connector needed (nor its crypto provider).
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| anyhow!("chromedriver could not open {}: {e}\n{}", chromium.display(), driver.log_tail()))?;
        // --window-size counts the window's frame too: add the frame so the page itself gets WINDOW.
        let page = client.execute("return [window.innerWidth, window.innerHeight];", Vec::new());
        let page = page.await.context("measuring the page")?;
        let (Some(page_width), Some(page_height)) = (page[0].as_u64(), page[1].as_u64()) else {
            bail!("the page's size is not two numbers: {page}");
        };
        let (window_width, window_height) = client.get_window_size().await?;
        let outer = |frame: u64, page: u32| u32::try_from(frame + u64::from(page));
        let width = outer(window_width.saturating_sub(page_width), width)?;
        let height = outer(window_height.saturating_sub(page_height), height)?;
        client.set_window_size(width, height).await.context("sizing the window")?;
        Ok(Browser { client, driver, profile })
    }

    /// Ends the session (chromedriver quits Chromium), then stops chromedriver and removes the profile.
    pub async fn close(self) -> anyhow::Result<()> {
        let Browser { client, driver, profile } = self;
        let closed = client.close().await;
        drop(driver);
        drop(profile);
        closed.context("closing the browser session")
    }
}

/// The accessibility violations axe-core finds in the current page for the rule sets [`AXE_TAGS`], each as
/// `{id, impact, help, helpUrl, nodes: [{target, html, failureSummary}]}` (`target` is the list of CSS selectors
/// axe uses to point at the element). Injects axe-core into the page first if it is not there yet.
pub async fn axe_violations(client: &Client) -> anyhow::Result<Vec<Value>> {
    let loaded = client
        .execute("return typeof window.axe === 'object' && typeof window.axe.run === 'function';", Vec::new())
        .await
        .context("asking the page whether axe-core is loaded")?;
    if loaded != json!(true) {
        client.execute(AXE_SOURCE, Vec::new()).await.context("injecting axe-core into the page")?;
    }
    // WebDriver's asynchronous scripts get a callback as their last argument; the value passed to it is returned.
    let script = r#"
        const [tags, done] = arguments;
        axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
            .then(results => done({
                violations: results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
                })),
            }))
            .catch(error => done({ error: String((error && error.stack) || error) }));
    "#;
    let reply = client.execute_async(script, vec![json!(AXE_TAGS)]).await.context("running axe-core")?;
    match reply.get("violations") {
        Some(Value::Array(violations)) => Ok(violations.clone()),
        _ => bail!("axe-core failed: {}", reply.get("error").unwrap_or(&reply)),
    }
}

/// The violations as lines for an assertion message: rule, impact, what to fix, and where.
pub fn describe_violations(violations: &[Value]) -> String {
    if violations.is_empty() {
        return "no accessibility violations".to_owned();
    }
    let mut text = format!("{} accessibility violation(s):\n", violations.len());
    for violation in violations {
        let _ = writeln!(
            text,
            "- {} ({}): {} <{}>",
            violation["id"].as_str().unwrap_or("?"),
            violation["impact"].as_str().unwrap_or("no impact given"),
            violation["help"].as_str().unwrap_or(""),
            violation["helpUrl"].as_str().unwrap_or(""),
        );
        for node in violation["nodes"].as_array().into_iter().flatten() {
            let _ = writeln!(text, "    at {}: {}", node["target"], node["html"].as_str().unwrap_or(""));
        }
    }
    text
}

/// Writes a PNG screenshot of the viewport to `path`, creating its directory.
pub async fn screenshot(client: &Client, path: &Path) -> anyhow::Result<()> {
    let png = client.screenshot().await.context("taking a screenshot")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
}

/// The first element matching the CSS selector `css` whose text as shown (hidden parts left out) contains `text`,
/// as the page is now.
pub async fn find_by_text(client: &Client, css: &str, text: &str) -> anyhow::Result<Option<Element>> {
    let elements = client.find_all(Locator::Css(css)).await.with_context(|| format!("finding `{css}`"))?;
    for element in elements {
        match element.text().await {
            Ok(shown) if shown.contains(text) => return Ok(Some(element)),
            Ok(_) => {}
            // Replaced by the page since it was found (an update from the server): look at the others.
            Err(e) if e.is_stale_element_reference() => {}
            Err(e) => return Err(e).with_context(|| format!("reading the text of `{css}`")),
        }
    }
    Ok(None)
}

/// Waits until an element matching `css` shows `text` (pages update themselves from server-sent events), looking
/// again every 100 ms. Fails after `timeout` with the texts the matching elements show.
pub async fn wait_for_text(client: &Client, css: &str, text: &str, timeout: Duration) -> anyhow::Result<Element> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(element) = find_by_text(client, css, text).await? {
            return Ok(element);
        }
        if Instant::now() >= deadline {
            let mut shown = Vec::new();
            for element in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                shown.push(element.text().await.unwrap_or_else(|e| format!("<{e}>")));
            }
            bail!("no `{css}` showed {text:?} within {timeout:?}; the {} matching show {shown:?}", shown.len());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `name` in a directory of PATH, or an error that says how to install it.
fn on_path(name: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|file| file.is_file()))
        .ok_or_else(|| {
            anyhow!(
                "`{name}` is not installed (not on PATH): the browser tests need Debian's chromium and \
                 chromium-driver; install them with `provisioning/install-deps.sh build`"
            )
        })
}

/// chromedriver, in its own process group with the Chromium it starts.
struct Driver {
    child: Child,
    /// Its standard output and error.
    log: PathBuf,
    /// Whether it exited and was reaped (its process group id may then belong to someone else).
    exited: bool,
}

impl Driver {
    /// Waits until `/status` says chromedriver takes new sessions; fails if it exits or is not ready in time.
    async fn wait_ready(&mut self, port: u16) -> anyhow::Result<()> {
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.exited = true;
                bail!("chromedriver stopped ({status}) before it was ready\n{}", self.log_tail());
            }
            if driver_ready(port) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("chromedriver did not answer on port {port} within {DRIVER_START:?}\n{}", self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The last lines chromedriver wrote, for error messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        format!("chromedriver's output (last lines):\n{}", lines[lines.len().saturating_sub(30)..].join("\n"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Killing chromedriver alone would leave its Chromium running: kill the process group they share.
        if !self.exited {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether chromedriver on `port` answers `/status` with `ready: true`.
fn driver_ready(port: u16) -> bool {
    use std::io::{Read as _, Write as _};
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").is_err() {
        return false;
    }
    // Read until the body is whole JSON: chromedriver keeps the connection open after its reply.
    let mut reply = Vec::new();
    let mut chunk = [0; 4096];
    while let Ok(read @ 1..) = stream.read(&mut chunk) {
        reply.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&reply);
        if let Some(status) = text.split_once("\r\n\r\n").and_then(|(_, body)| serde_json::from_str::<Value>(body).ok())
        {
            return status["value"]["ready"] == json!(true);
        }
    }
    false
}

/// A fresh directory for one browser, removed on drop: Chromium's profile (`chrome/`) and temporary files (`tmp/`),
/// chromedriver's log.
struct Profile {
    dir: PathBuf,
}

impl Profile {
    fn new() -> anyhow::Result<Profile> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kiosk-browser-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["chrome", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(Profile { dir })
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
