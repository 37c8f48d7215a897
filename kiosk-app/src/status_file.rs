//! `status.json` in the state directory: what the running kiosk is doing now (its devices with the driver's
//! cause of a fault, the portal, the outbox's counts), for `kiosk-provision status` and `diagnostics`. Written
//! when something changes and at least every half minute, so its age says whether the kiosk is alive.
//! Replaced by rename (a reader never sees half a file) but not synced: it describes the moment, and a power cut
//! loses nothing that matters. Must not do: hold personal data (device causes and counts only).

use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::devices::{DeviceReport, PortalReach, Report};
use crate::outbox::store::Summary;

/// The file's name in the state directory.
pub const FILE: &str = "status.json";

/// Seconds after which an unchanged status is written again (its `at` is the kiosk's heartbeat to readers).
pub const REFRESH_SECONDS: i64 = 30;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When this was written (Unix seconds).
    pub at: i64,
    pub kiosk_id: String,
    pub version: String,
    pub pid: u32,
    /// When this kiosk process started (Unix seconds).
    pub started_at: i64,
    pub printer: Option<Device>,
    pub scanner: Option<Device>,
    pub pager: Option<Device>,
    /// reachable, unreachable or checking.
    pub portal: Option<String>,
    pub outbox: Option<Outbox>,
    /// Today's queue (counts only: no ticket, no resident).
    #[serde(default)]
    pub queue: Option<QueueCounts>,
    /// How often the device thread was restarted after a panic.
    pub device_thread_restarts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The heartbeat's code: ready, paper_out, disconnected, ...
    pub health: String,
    pub simulated: bool,
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    pub waiting: u64,
    pub quarantined: u64,
    pub acknowledged: u64,
    pub taken_by_hand: u64,
    pub oldest_waiting_seconds: Option<i64>,
    pub last_error: Option<String>,
    pub disk_low: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub issued_today: u64,
    /// Waiting to be called (parked ones included: their counter resumes them).
    pub waiting: u64,
    /// Called or being served at a counter.
    pub at_counters: u64,
    pub done: u64,
    pub no_show: u64,
    /// Pagers handed out and not yet given back.
    pub pagers_out: u64,
}

impl From<&kiosk_core::queue::Queue> for QueueCounts {
    fn from(queue: &kiosk_core::queue::Queue) -> QueueCounts {
        use kiosk_core::queue::State;
        let mut counts = QueueCounts::default();
        for ticket in queue.today() {
            counts.issued_today += 1;
            match ticket.state {
                State::Waiting | State::Parked { .. } => counts.waiting += 1,
                State::Called { .. } | State::Serving { .. } => counts.at_counters += 1,
                State::Done => counts.done += 1,
                State::NoShow => counts.no_show += 1,
                State::Transferred => {}
            }
        }
        counts.pagers_out = queue.pagers_out().len() as u64;
        counts
    }
}

impl From<&DeviceReport> for Device {
    fn from(report: &DeviceReport) -> Device {
        Device { health: report.health.code().to_owned(), simulated: report.simulated, cause: report.cause.clone() }
    }
}

impl From<&Summary> for Outbox {
    fn from(summary: &Summary) -> Outbox {
        Outbox {
            waiting: summary.queued + summary.sending,
            quarantined: summary.quarantined,
            acknowledged: summary.acknowledged,
            taken_by_hand: summary.taken_by_hand,
            oldest_waiting_seconds: summary.oldest_waiting,
            last_error: summary.last_error.clone(),
            disk_low: summary.disk_low,
        }
    }
}

/// The kiosk's side: keeps the snapshot and writes it.
pub struct StatusFile {
    path: PathBuf,
    state: Mutex<(Snapshot, i64)>,
}

impl StatusFile {
    pub fn new(state_dir: &std::path::Path, kiosk_id: &str) -> StatusFile {
        let now = crate::clock::unix_now();
        let snapshot = Snapshot {
            kiosk_id: kiosk_id.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            pid: std::process::id(),
            started_at: now,
            ..Snapshot::default()
        };
        StatusFile { path: state_dir.join(FILE), state: Mutex::new((snapshot, i64::MIN)) }
    }

    pub fn devices(&self, report: &Report) {
        self.change(|s| {
            s.printer = Some((&report.printer).into());
            s.scanner = Some((&report.scanner).into());
            s.pager = Some((&report.pager).into());
            s.portal = Some(
                match report.portal {
                    PortalReach::Reachable => "reachable",
                    PortalReach::Unreachable => "unreachable",
                    PortalReach::Checking => "checking",
                }
                .to_owned(),
            );
        });
    }

    pub fn outbox(&self, summary: &Summary) {
        self.change(|s| s.outbox = Some(summary.into()));
    }

    pub fn queue(&self, queue: &kiosk_core::queue::Queue) {
        let counts = QueueCounts::from(queue);
        self.change(|s| s.queue = Some(counts));
    }

    pub fn restarted(&self, restarts: u32) {
        self.change(|s| s.device_thread_restarts = restarts);
    }

    fn change(&self, edit: impl FnOnce(&mut Snapshot)) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (snapshot, written) = &mut *state;
        let before = snapshot.clone();
        edit(snapshot);
        let now = crate::clock::unix_now();
        if *snapshot == before && now - *written < REFRESH_SECONDS {
            return;
        }
        snapshot.at = now;
        *written = now;
        let Ok(bytes) = serde_json::to_vec_pretty(&*snapshot) else { return };
        let temporary = self.path.with_extension("json.new");
        let written = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, &self.path));
        if let Err(error) = written {
            tracing::debug!(%error, "status.json could not be written");
        }
    }
}

/// The technician's side: the last snapshot the kiosk wrote, if any.
pub fn read(state_dir: &std::path::Path) -> Option<Snapshot> {
    serde_json::from_slice(&std::fs::read(state_dir.join(FILE)).ok()?).ok()
}
