//! The forwarder: drains the outbox to the portal whenever it can, pages first, then the form; judges each answer
//! with kiosk-core's rules (acknowledge, retry later with backoff, quarantine, or declined: a booking whose slot
//! filled up) and keeps a circuit breaker for the portal's host. Runs on a thread of its own (the kiosk's network
//! runtime's blocking pool), so SQLite's blocking calls stall nothing else.
//! Must not do: re-serialise or re-seal anything (the stored bytes are sent), or send one submission twice at once.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use kiosk_core::outbox::{self, Breaker, Verdict};
use kiosk_core::portal::{Heartbeat, Receipt, Submission, HEARTBEAT_INTERVAL};

use super::store::{Due, MarkerDue, Outbox, Summary};
use crate::portal::Portal;

/// How the forwarder is woken early (a new submission) and told to stop.
#[derive(Default)]
pub struct Signal {
    notify: tokio::sync::Notify,
    stop: std::sync::atomic::AtomicBool,
}

impl Signal {
    /// A new submission is waiting.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    pub fn stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.notify.notify_one();
    }

    pub fn is_stopped(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// What happened to one submission on one pass. `Declined`: the portal said no for good (a booking's slot filled
/// up first); only a receipt remains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Acknowledged { dossier_code: String },
    RetryAt { at: i64, reason: String },
    Quarantined { reason: String },
    Declined { reason: String },
}

/// The devices' conditions as the heartbeat reports them (the status strip's codes), kept current by the
/// device monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditions {
    pub printer: String,
    pub scanner: String,
    pub pager: String,
}

impl Default for Conditions {
    fn default() -> Conditions {
        Conditions { printer: "checking".into(), scanner: "checking".into(), pager: "checking".into() }
    }
}

/// How often receipts past their retention are purged.
const PURGE_INTERVAL: i64 = 3_600;

pub struct Forwarder<P: Portal> {
    pub outbox: Arc<Outbox>,
    pub portal: P,
    pub clock: fn() -> i64,
    /// Uniform in [0, 1), for the backoff's jitter.
    pub random: fn() -> f64,
    breaker: Breaker,
    conditions: Arc<std::sync::Mutex<Conditions>>,
    next_heartbeat: i64,
    next_purge: i64,
}

/// A random fraction from the OS.
pub fn os_random() -> f64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes); // on failure 0.0: the minimum wait, still correct
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

impl<P: Portal> Forwarder<P> {
    pub fn new(outbox: Arc<Outbox>, portal: P, clock: fn() -> i64, random: fn() -> f64) -> Forwarder<P> {
        Forwarder {
            outbox,
            portal,
            clock,
            random,
            breaker: Breaker::default(),
            conditions: Arc::default(),
            next_heartbeat: 0,
            next_purge: 0,
        }
    }

    /// Reports these device conditions in the heartbeat (without it: "checking").
    pub fn with_conditions(mut self, conditions: Arc<std::sync::Mutex<Conditions>>) -> Forwarder<P> {
        self.conditions = conditions;
        self
    }

    /// The heartbeat when it is due (every [`HEARTBEAT_INTERVAL`] while the portal's host is not known to be
    /// down; it is the breaker's probe as well), and the hourly purge of receipts past their retention.
    pub async fn housekeeping(&mut self, summary: &Summary) {
        let now = (self.clock)();
        if now >= self.next_purge {
            self.next_purge = now + PURGE_INTERVAL;
            match self.outbox.purge_receipts(now) {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "receipts past their retention deleted"),
                Err(error) => tracing::error!(error = %format!("{error:#}"), "receipts could not be purged"),
            }
        }
        if now < self.next_heartbeat || !self.breaker.allows(now) {
            return;
        }
        let conditions = self.conditions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let heartbeat = Heartbeat {
            software: concat!("hanoi-kiosk/", env!("CARGO_PKG_VERSION")).into(),
            printer: conditions.printer,
            scanner: conditions.scanner,
            pager: conditions.pager,
            outbox_waiting: summary.waiting(),
            outbox_quarantined: summary.quarantined,
            outbox_oldest_seconds: summary.oldest_waiting,
        };
        let reply = self.portal.heartbeat(&heartbeat).await;
        match reply.status {
            Some(200..=299) => {
                self.breaker.succeeded();
                self.next_heartbeat = now + HEARTBEAT_INTERVAL;
            }
            status => {
                if status.is_none() || status.is_some_and(|s| s >= 500) {
                    self.breaker.failed(now);
                }
                tracing::info!(?status, error = ?reply.error, host = self.portal.host(), "heartbeat not taken");
                self.next_heartbeat = now + 60;
            }
        }
    }

    /// Sends everything due now, one submission at a time, then the markers of submissions the counter took in
    /// by hand; returns how many were handled.
    pub async fn drain_due(&mut self) -> anyhow::Result<usize> {
        let mut handled = 0;
        loop {
            let now = (self.clock)();
            if !self.breaker.allows(now) {
                return Ok(handled);
            }
            if let Some(due) = self.outbox.take_due(now)? {
                self.forward(&due).await?;
            } else if let Some(marker) = self.outbox.take_marker_due(now)? {
                self.forward_marker(&marker).await?;
            } else {
                return Ok(handled);
            }
            handled += 1;
        }
    }

    /// Tells the portal that the counter took a submission in by hand. A permanent refusal is not tried again
    /// (the reason stays as the outbox's last error, for the technician); anything else is retried with backoff.
    pub async fn forward_marker(&mut self, marker: &MarkerDue) -> anyhow::Result<Outcome> {
        let reply = self.portal.taken_by_hand(&marker.id, &marker.intake).await;
        let now = (self.clock)();
        match outbox::classify(reply.answer()) {
            Verdict::Accepted => {
                self.breaker.succeeded();
                let receipt: kiosk_core::portal::HandIntakeReceipt =
                    serde_json::from_slice(&reply.body).unwrap_or_default();
                self.outbox.marker_sent(&marker.id, receipt.already_received.as_deref(), now)?;
                tracing::info!(submission = %marker.id, "the portal knows the counter took this submission in by hand");
                Ok(Outcome::Acknowledged { dossier_code: receipt.already_received.unwrap_or_default() })
            }
            Verdict::Retry { reason, after } => {
                let reason = reply.error.unwrap_or(reason);
                self.breaker.failed(now);
                let at = outbox::next_attempt(now, marker.attempts, (self.random)(), after);
                self.outbox.marker_retry_at(&marker.id, &reason, Some(at))?;
                Ok(Outcome::RetryAt { at, reason })
            }
            Verdict::Quarantine { reason } | Verdict::Declined { reason } => {
                self.breaker.succeeded();
                let reason = format!("marker for a dossier taken by hand refused: {reason}");
                self.outbox.marker_retry_at(&marker.id, &reason, None)?;
                tracing::error!(submission = %marker.id, %reason, "the portal refused the hand-intake marker");
                Ok(Outcome::Quarantined { reason })
            }
        }
    }

    /// Sends one submission: the pages not yet acknowledged, then the form.
    pub async fn forward(&mut self, due: &Due) -> anyhow::Result<Outcome> {
        for index in due.pages_sent..due.page_count {
            let page = match self.outbox.sealed_page(&due.id, index) {
                Ok(page) => page,
                Err(error) => return self.unreadable(due, &format!("its sealed page {index}"), &error),
            };
            let reply = self.portal.upload_page(&due.id, index, page).await;
            match outbox::classify(reply.answer()) {
                Verdict::Accepted => self.outbox.page_sent(&due.id, index)?,
                verdict => return self.settle(due, verdict, reply.error),
            }
        }
        let sealed = match self.outbox.sealed_form(&due.id) {
            Ok(sealed) => sealed,
            Err(error) => return self.unreadable(due, "its sealed form", &error),
        };
        let submission = Submission {
            kind: due.kind,
            procedure_code: due.procedure_code.clone(),
            page_count: due.page_count,
            created_at: due.created_at,
            sealed_form: base64::engine::general_purpose::STANDARD.encode(sealed),
        };
        let reply = self.portal.submit(&due.id, &submission).await;
        let verdict = outbox::classify(reply.answer());
        if verdict == Verdict::Accepted {
            match serde_json::from_slice::<Receipt>(&reply.body) {
                Ok(receipt) => {
                    self.breaker.succeeded();
                    self.outbox.acknowledged(&due.id, &receipt.dossier_code, (self.clock)())?;
                    return Ok(Outcome::Acknowledged { dossier_code: receipt.dossier_code });
                }
                Err(_) => {
                    let verdict = Verdict::Retry { reason: "acknowledged without a dossier code".into(), after: None };
                    return self.settle(due, verdict, None);
                }
            }
        }
        self.settle(due, verdict, reply.error)
    }

    /// Part of a submission cannot be read from the disk (a damaged or missing file): it is set aside in
    /// quarantine with the cause, for the technician, instead of being tried for ever; the rest keep going.
    fn unreadable(&mut self, due: &Due, what: &str, error: &anyhow::Error) -> anyhow::Result<Outcome> {
        let reason = format!("{what} could not be read from the kiosk's disk: {error:#}");
        tracing::error!(submission = %due.id, %reason, "a submission cannot be read; set aside for the technician");
        self.outbox.quarantine(&due.id, &reason)?;
        Ok(Outcome::Quarantined { reason })
    }

    fn settle(&mut self, due: &Due, verdict: Verdict, network: Option<String>) -> anyhow::Result<Outcome> {
        let now = (self.clock)();
        match verdict {
            Verdict::Accepted => unreachable!("acceptances are handled by the caller"),
            Verdict::Retry { reason, after } => {
                let reason = network.unwrap_or(reason);
                self.breaker.failed(now);
                let at = outbox::next_attempt(now, due.attempts, (self.random)(), after);
                self.outbox.retry_at(&due.id, &reason, at)?;
                tracing::info!(submission = %due.id, %reason, retry_in = at - now, host = self.portal.host(), "portal did not take the submission; will retry");
                Ok(Outcome::RetryAt { at, reason })
            }
            Verdict::Quarantine { reason } => {
                self.breaker.succeeded(); // the host answered: it is up
                self.outbox.quarantine(&due.id, &reason)?;
                Ok(Outcome::Quarantined { reason })
            }
            Verdict::Declined { reason } => {
                self.breaker.succeeded(); // the host answered: it is up
                self.outbox.decline(&due.id, &reason, now)?;
                Ok(Outcome::Declined { reason })
            }
        }
    }

    /// Runs until `signal.stop()`: drains what is due, then sleeps until the next due time, the breaker's probe
    /// or a wake-up, whichever is first. `report` gets the outbox's counts after each pass (the status strip).
    pub async fn run(mut self, signal: Arc<Signal>, report: impl Fn(Summary)) {
        while !signal.is_stopped() {
            if let Err(error) = self.drain_due().await {
                tracing::error!(error = %format!("{error:#}"), "the outbox could not be read or written");
            }
            let now = (self.clock)();
            if let Ok(summary) = self.outbox.summary(now) {
                self.housekeeping(&summary).await;
                report(summary);
            }
            let next = self.outbox.next_due_at().ok().flatten();
            let wake_at = match (next, self.breaker.open_until()) {
                (Some(due), Some(open)) => Some(due.max(open)),
                (Some(due), None) => Some(due),
                (None, _) => None,
            };
            let sleep =
                wake_at.map_or(Duration::from_secs(60), |at| Duration::from_secs((at - now).clamp(0, 60) as u64));
            let sleep = sleep.max(Duration::from_millis(50));
            tokio::select! {
                () = signal.notify.notified() => {}
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

/// The forwarder's whole life: enrol the kiosk until the portal accepts it, then forward until `signal.stop()`.
pub async fn enrol_and_run<P: Portal>(
    portal: P,
    enrolment: kiosk_core::portal::Enrolment,
    outbox: Arc<Outbox>,
    conditions: Arc<std::sync::Mutex<Conditions>>,
    signal: Arc<Signal>,
    report: impl Fn(Summary),
) {
    let refused = |why: &str| {
        if let Err(error) = outbox.note_error(why) {
            tracing::warn!(error = %format!("{error:#}"), "the enrolment refusal could not be recorded");
        }
        if let Ok(summary) = outbox.summary(crate::clock::unix_now()) {
            report(summary);
        }
    };
    if !enrol_until_accepted(&portal, &enrolment, &signal, refused).await {
        return;
    }
    for why in [KEY_MISMATCH, NOT_ENROLLED] {
        if let Err(error) = outbox.clear_error(why) {
            tracing::warn!(error = %format!("{error:#}"), "the old enrolment refusal could not be cleared");
        }
    }
    Forwarder::new(outbox, portal, crate::clock::unix_now, os_random)
        .with_conditions(conditions)
        .run(signal, report)
        .await;
}

/// What the status strip and `kiosk outbox show` say while the portal refuses this kiosk's key (review M6).
pub const KEY_MISMATCH: &str =
    "re-enrolment needed: the portal knows this kiosk id with another device key (device.key \
     was replaced, e.g. after a crash or a new disk). Restore the original device.key from the backup, or enrol \
     this key with a one-time code from the portal's operators (`kiosk-provision enrol --code CODE`); the kiosk \
     then goes on by itself. Submissions wait safely meanwhile.";

/// What the status strip and `kiosk outbox show` say while the portal wants an enrolment code for this kiosk.
pub const NOT_ENROLLED: &str =
    "not enrolled: the portal needs this kiosk enrolled with a one-time code from its operators. Run \
     `kiosk-provision enrol --code CODE` on this kiosk; it goes on by itself within a minute. Submissions wait \
     safely meanwhile.";

/// The longest pause between enrolment tries while the portal refuses this kiosk's key: a refusal needs a person,
/// so the kiosk asks again every quarter of an hour rather than every minute.
pub const KEY_MISMATCH_MAX_WAIT: u64 = 15 * 60;

/// Enrols the kiosk (first start, or after the portal forgot it), trying again with a growing pause until the
/// portal accepts it; false once `signal` says stop (which also cuts a pause short). A portal that knows this
/// kiosk with another key is not an error to retry every minute: `refused` runs once when that starts (the
/// forwarder records [`KEY_MISMATCH`] for the technician), the log says it once, and the pauses grow to
/// [`KEY_MISMATCH_MAX_WAIT`].
pub async fn enrol_until_accepted(
    portal: &impl Portal,
    enrolment: &kiosk_core::portal::Enrolment,
    signal: &Signal,
    refused: impl Fn(&str),
) -> bool {
    use kiosk_core::portal::{enrolment_verdict, EnrolmentVerdict};
    let mut wait = 1;
    let mut mismatch = false;
    while !signal.is_stopped() {
        let reply = portal.enrol(enrolment).await;
        let longest = match enrolment_verdict(reply.status, reply.error_code()) {
            EnrolmentVerdict::Enrolled | EnrolmentVerdict::AlreadyEnrolled => {
                if mismatch {
                    tracing::info!("the portal accepts this kiosk's key again");
                }
                return true;
            }
            EnrolmentVerdict::KeyMismatch => {
                if !mismatch {
                    tracing::error!(kiosk = %enrolment.kiosk_id, "{KEY_MISMATCH}");
                    refused(KEY_MISMATCH);
                }
                mismatch = true;
                KEY_MISMATCH_MAX_WAIT
            }
            // The portal wants the technician's one-time code: `kiosk-provision enrol` sends it (with this same
            // device key), and the next try here is accepted. Asked every minute, so the kiosk goes on soon after.
            EnrolmentVerdict::Code(_) => {
                if !mismatch {
                    tracing::error!(kiosk = %enrolment.kiosk_id, "{NOT_ENROLLED}");
                    refused(NOT_ENROLLED);
                }
                mismatch = true;
                60
            }
            EnrolmentVerdict::NotYet => {
                tracing::info!(status = ?reply.status, error = ?reply.error, "enrolment not done yet; retrying");
                60
            }
        };
        tokio::select! {
            () = signal.notify.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(wait)) => {}
        }
        wait = (wait * 2).min(longest);
    }
    false
}
