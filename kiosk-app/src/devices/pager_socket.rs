//! The pager transmitter across two processes. When the kiosk's core service runs on its own (`kiosk core`,
//! kiosk-core.service), it owns the transmitter, so a counter's call pages at once whether the screen is up or
//! restarting. The screen still checks the transmitter (the technician screen, the heartbeat's codes) and sends
//! the technician's test page: it asks the core over a Unix socket in the state directory (`pager.sock`, 0600
//! inside the 0700 directory: only the kiosk's user reaches it). One JSON line asked, one answered, per
//! connection.
//! Must not do: carry anything but pager numbers and device conditions; block a caller past its wait.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use kiosk_drivers::pager::{ErrorKind, PagerId};
use serde::{Deserialize, Serialize};

use super::pager::{PageOutcome, PagerLine};
use super::{DeviceReport, Fault, Health};

/// The socket's name in the state directory.
pub const SOCKET: &str = "pager.sock";

/// How long a check may take (the transmitter's own check answers within a second or two).
const CHECK_WAIT: Duration = Duration::from_secs(6);

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
enum Request {
    Page { pager: PagerId, wait_ms: u64 },
    Check,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
enum Reply {
    Page { outcome: PageOutcome, cause: Option<String> },
    Check { health: Health, simulated: bool, cause: Option<String> },
}

/// Answers the screen's questions about `line` on `path` (a stale socket file is replaced), on a thread of its
/// own for as long as the process runs.
pub fn serve(line: PagerLine, path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("removing the old {}", path.display())),
    }
    let listener = UnixListener::bind(path).with_context(|| format!("listening on {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("making {} private", path.display()))?;
    std::thread::Builder::new()
        .name("pager-socket".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let line = line.clone();
                // A test page waits up to its own limit: each question on a thread of its own.
                let _ = std::thread::Builder::new().name("pager-ask".into()).spawn(move || answer(&line, stream));
            }
        })
        .context("starting the pager socket's thread")?;
    Ok(())
}

fn answer(line: &PagerLine, stream: UnixStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut text = String::new();
    if reader.read_line(&mut text).is_err() {
        return;
    }
    let reply = match serde_json::from_str::<Request>(&text) {
        Ok(Request::Page { pager, wait_ms }) => {
            let (outcome, fault) = line.page_with_cause(pager, Duration::from_millis(wait_ms.min(30_000)));
            Reply::Page { outcome, cause: fault.map(|f| f.cause) }
        }
        Ok(Request::Check) => {
            let report = line.check();
            Reply::Check { health: report.health, simulated: report.simulated, cause: report.cause }
        }
        Err(error) => {
            tracing::warn!(%error, "the pager socket got a question it does not know");
            return;
        }
    };
    if let Ok(mut text) = serde_json::to_string(&reply) {
        text.push('\n');
        let _ = (&stream).write_all(text.as_bytes());
    }
}

fn ask(socket: &Path, request: &Request, wait: Duration) -> Result<Reply, String> {
    let stream = UnixStream::connect(socket).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(wait)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(Duration::from_secs(2))).map_err(|e| e.to_string())?;
    let mut text = serde_json::to_string(request).map_err(|e| e.to_string())?;
    text.push('\n');
    (&stream).write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer).map_err(|e| e.to_string())?;
    serde_json::from_str(&answer).map_err(|e| format!("an answer it could not read ({e})"))
}

fn unreachable(socket: &Path, error: &str) -> String {
    format!(
        "the kiosk's core service, which drives the pager transmitter, does not answer on {} ({error}): is \
         kiosk-core.service running? (systemctl status kiosk-core)",
        socket.display()
    )
}

/// The screen's test page, through the core service.
pub fn page(socket: &Path, pager: PagerId, wait: Duration) -> (PageOutcome, Option<Fault>) {
    let request = Request::Page { pager, wait_ms: wait.as_millis() as u64 };
    match ask(socket, &request, wait + Duration::from_secs(2)) {
        Ok(Reply::Page { outcome, cause }) => (outcome, cause.map(|cause| Fault { cause })),
        Ok(Reply::Check { .. }) => {
            (PageOutcome::Failed(ErrorKind::Io), Some(Fault { cause: unreachable(socket, "a wrong answer") }))
        }
        Err(error) => {
            (PageOutcome::Failed(ErrorKind::Disconnected), Some(Fault { cause: unreachable(socket, &error) }))
        }
    }
}

/// The transmitter's condition, as the core service sees it.
pub fn check(socket: &Path) -> DeviceReport {
    match ask(socket, &Request::Check, CHECK_WAIT) {
        Ok(Reply::Check { health, simulated, cause }) => DeviceReport { health, simulated, cause },
        Ok(Reply::Page { .. }) => {
            DeviceReport { health: Health::Fault, simulated: false, cause: Some(unreachable(socket, "a wrong answer")) }
        }
        Err(error) => {
            DeviceReport { health: Health::NotResponding, simulated: false, cause: Some(unreachable(socket, &error)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_pages_and_checks_through_the_core_and_is_told_when_the_core_is_away() {
        let dir = std::env::temp_dir().join(format!("kiosk-pager-socket-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let socket = dir.join(SOCKET);
        let config = kiosk_core::config::Device {
            transport: kiosk_core::config::Transport::Simulated,
            serial: None,
            printer: None,
            pager: None,
        };
        let (line, control) = super::super::pager::open(&config);
        let control = control.expect("a simulated transmitter");
        serve(line, &socket).expect("serving");
        let screen = PagerLine::elsewhere(socket.clone());
        assert_eq!(screen.page(7, Duration::from_secs(3)), PageOutcome::Paged { simulated: true });
        assert_eq!(control.paged(), vec![7], "the core's transmitter paged pager 7");
        let report = screen.check();
        assert_eq!((report.health, report.simulated), (Health::Ready, true), "{report:?}");

        std::fs::remove_file(&socket).expect("the core goes away");
        let (outcome, fault) = screen.page_with_cause(7, Duration::from_secs(1));
        assert_eq!(outcome, PageOutcome::Failed(ErrorKind::Disconnected));
        assert!(fault.expect("a cause").cause.contains("kiosk-core.service"), "the technician is told where to look");
        assert_eq!(screen.check().health, Health::NotResponding);
    }
}
