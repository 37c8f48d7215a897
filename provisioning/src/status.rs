//! `kiosk-provision status`: one screen of what the kiosk is doing now, from the `status.json` the running kiosk
//! keeps in its state directory (devices with the cause of any fault, the portal, the outbox's counts and its
//! quarantined items) and the enrolment record. Reads only: safe while the kiosk runs.

use std::process::ExitCode;

use kiosk_app::status_file::{self, Device};

use crate::place::{self, Place};
use crate::steps::{Report, Step};

/// A status older than this means the kiosk is not running (it rewrites the file every 30 s).
const STALE_SECONDS: i64 = 3 * status_file::REFRESH_SECONDS;

pub fn run(place: &Place, json: bool) -> ExitCode {
    status(place).finish(json)
}

pub fn status(place: &Place) -> Report {
    let mut report = Report::new("status");
    report.kiosk_id = place.load().ok().map(|c| c.kiosk.id);
    let now = chrono::Utc::now().timestamp();
    let Some(snapshot) = status_file::read(&place.state_dir) else {
        report.push(Step::fail(
            "kiosk",
            format!("no {} in {}: the kiosk has not run here", status_file::FILE, place.state_dir.display()),
            "start it (systemctl start kiosk) and look at its log (journalctl -u kiosk)",
        ));
        return report;
    };
    report.kiosk_id = Some(snapshot.kiosk_id.clone());
    let age = now - snapshot.at;
    let since = chrono::DateTime::from_timestamp(snapshot.started_at, 0)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    report.push(if age > STALE_SECONDS {
        Step::fail(
            "kiosk",
            format!(
                "not running: its last report is {} min old (version {}, pid {})",
                age / 60,
                snapshot.version,
                snapshot.pid
            ),
            "systemctl status kiosk; journalctl -u kiosk -n 50",
        )
    } else {
        Step::pass(
            "kiosk",
            format!("running since {since} (version {}, pid {}; report {age} s old)", snapshot.version, snapshot.pid),
        )
    });
    for (name, device) in [("printer", &snapshot.printer), ("scanner", &snapshot.scanner), ("pager", &snapshot.pager)] {
        report.push(device_step(name, device.as_ref()));
    }
    if snapshot.device_thread_restarts > 0 {
        report.push(Step::warn(
            "device thread",
            format!("restarted {} times after a fault", snapshot.device_thread_restarts),
            "send `kiosk-provision diagnostics` to the developers",
        ));
    }
    report.push(match snapshot.portal.as_deref() {
        Some("reachable") => Step::pass("portal", "reachable"),
        Some("unreachable") => Step::fail(
            "portal",
            "unreachable: submissions wait in the outbox",
            "check the network; `kiosk-provision self-test` says more",
        ),
        _ => Step::skip("portal", "not checked yet"),
    });
    report.push(match &snapshot.outbox {
        None => Step::skip("outbox", "no count yet (the kiosk reports it once the portal answers)"),
        Some(outbox) => {
            let oldest = outbox.oldest_waiting_seconds.map(|s| format!(", oldest {} min", s / 60)).unwrap_or_default();
            let detail = format!(
                "{} waiting{oldest}, {} quarantined, {} sent, {} taken in by hand{}",
                outbox.waiting,
                outbox.quarantined,
                outbox.acknowledged,
                outbox.taken_by_hand,
                outbox.last_error.as_deref().map(|e| format!("; last error: {e}")).unwrap_or_default()
            );
            let step = if outbox.disk_low {
                Step::fail("outbox", detail, "the disk is nearly full: free space now, new submissions will be refused")
            } else if outbox.quarantined > 0 {
                Step::warn(
                    "outbox",
                    detail,
                    "quarantined items need staff: `kiosk outbox show`, then `kiosk outbox retry ID`",
                )
            } else {
                Step::pass("outbox", detail)
            };
            step.figure("waiting", outbox.waiting).figure("quarantined", outbox.quarantined)
        }
    });
    report.push(match &snapshot.queue {
        None => Step::skip("queue", "no count yet"),
        Some(queue) => Step::pass(
            "queue",
            format!(
                "today {} numbers given: {} waiting, {} at counters, {} done, {} not there when called; {} pagers out",
                queue.issued_today, queue.waiting, queue.at_counters, queue.done, queue.no_show, queue.pagers_out
            ),
        )
        .figure("waiting", queue.waiting)
        .figure("issued_today", queue.issued_today),
    });
    report.push(match place::read_enrolment(place) {
        Some(enrolled) => Step::pass(
            "enrolment",
            format!(
                "enrolled at {} on {} (confirmation {})",
                enrolled.portal,
                chrono::DateTime::from_timestamp(enrolled.at, 0)
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                enrolled.confirmation
            ),
        ),
        None => Step::skip("enrolment", "no record of `kiosk-provision enrol` on this kiosk"),
    });
    report
}

fn device_step(name: &str, device: Option<&Device>) -> Step {
    let Some(device) = device else {
        return Step::skip(name, "not checked yet");
    };
    let cause = device.cause.as_deref().map(|c| format!(": {c}")).unwrap_or_default();
    let detail = format!("{}{}{cause}", device.health, if device.simulated { " (simulated)" } else { "" });
    match device.health.as_str() {
        "absent" => Step::skip(name, "none at this kiosk"),
        "ready" if device.simulated => {
            Step::warn(name, detail, "simulated: name the real device in the config (`kiosk-provision setup`)")
        }
        "ready" => Step::pass(name, detail),
        "paper_low" => Step::warn(name, detail, "put a new paper roll in soon"),
        "checking" => Step::skip(name, "being checked"),
        _ => Step::fail(
            name,
            detail,
            "open the technician screen, or stop the kiosk and run `kiosk-provision self-test`",
        ),
    }
}
