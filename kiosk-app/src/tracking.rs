//! Checking a dossier's status: ask the portal (signed, like every kiosk request), keep what it said in a small
//! SQLite cache, and when the portal cannot be reached, answer with the last status known and when it was known.
//! A kiosk reference ("3FA2-91C0", printed when the portal had not answered yet) is looked up in this kiosk's
//! outbox first: still waiting, turned down (a booking's time filled up), or delivered (then the portal's code
//! is asked as above).
//! Must not do: run on the UI thread (it waits for the network), or put anything but a valid code in a URL.

use std::path::Path;

use anyhow::Context as _;
use kiosk_core::portal::{DossierStatus, Fee, Kind};
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::outbox::store::Outbox;
use crate::portal::Portal;
use kiosk_core::outbox::State;

/// What the resident is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The portal answered now.
    Current(DossierStatus),
    /// The portal could not be reached; this is what it said at `known_at` (Unix seconds).
    LastKnown { status: DossierStatus, known_at: i64 },
    /// The portal does not know this code.
    Unknown,
    /// The portal could not be reached and this kiosk has never seen the code.
    Unreachable,
    /// Not a code that can be on a receipt.
    Invalid,
    /// A kiosk reference: kept on this kiosk, not with the portal yet (it is sent by itself when it can be).
    Waiting(Kind),
    /// A kiosk reference the portal turned down for good (a booking whose time filled up first).
    Declined(Kind),
    /// A kiosk reference the portal refused as it stood: staff have it (the outbox's quarantine).
    WithStaff(Kind),
    /// A kiosk reference the counter staff took in by hand while the portal could not be reached: its progress
    /// is followed at the counter, not on the portal.
    AtCounter(Kind),
}

/// Whether `code` can be checked at all: a portal's code or a kiosk reference (anything else is not asked).
pub fn checkable(code: &str) -> bool {
    kiosk_core::portal::valid_dossier_code(code) || is_reference(code)
}

/// Whether `code` is a kiosk reference (two groups of four hexadecimal digits), not a portal's code.
pub fn is_reference(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 9 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_hexdigit())
}

/// The cache of statuses this kiosk has seen (no personal data: codes, states and times).
pub struct Cache {
    db: Connection,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tracking::Cache")
    }
}

impl Cache {
    pub fn open(path: &Path) -> anyhow::Result<Cache> {
        let opened = crate::sqlite::open(path).with_context(|| format!("opening {}", path.display()))?;
        let db = opened.db;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS statuses (code TEXT PRIMARY KEY, body TEXT NOT NULL, known_at INTEGER NOT NULL)",
        )?;
        if let Some(aside) = &opened.set_aside {
            aside.salvage(&db, &["statuses"]);
        }
        Ok(Cache { db })
    }

    fn remember(&self, status: &DossierStatus, now: i64) -> anyhow::Result<()> {
        self.db.execute(
            "INSERT OR REPLACE INTO statuses (code, body, known_at) VALUES (?1, ?2, ?3)",
            params![status.dossier_code, serde_json::to_string(status)?, now],
        )?;
        Ok(())
    }

    fn recall(&self, code: &str) -> anyhow::Result<Option<(DossierStatus, i64)>> {
        let row: Option<(String, i64)> = self
            .db
            .query_row("SELECT body, known_at FROM statuses WHERE code = ?1", [code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(body, at)| serde_json::from_str(&body).ok().map(|status| (status, at))))
    }
}

/// Asks the portal about `code` and answers, falling back on the cache when the portal cannot be reached; a
/// kiosk reference is looked up in `outbox` first.
pub async fn check(portal: &impl Portal, cache: &Cache, outbox: &Outbox, code: &str, now: i64) -> Answer {
    let mut code = code.trim().to_uppercase();
    if is_reference(&code) {
        let found = match outbox.find_by_reference(&code) {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "a kiosk reference could not be looked up");
                return Answer::Unknown;
            }
        };
        let Some(found) = found else { return Answer::Unknown };
        match (found.state, found.dossier_code) {
            (State::Acknowledged, Some(portal_code)) => code = portal_code,
            (State::Declined, _) => return Answer::Declined(found.kind),
            (State::Quarantined, _) => return Answer::WithStaff(found.kind),
            (State::TakenByHand, _) => return Answer::AtCounter(found.kind),
            _ => return Answer::Waiting(found.kind),
        }
    }
    if !kiosk_core::portal::valid_dossier_code(&code) {
        return Answer::Invalid;
    }
    let reply = portal.dossier_status(&code).await;
    match reply.status {
        Some(200) => match serde_json::from_slice::<DossierStatus>(&reply.body) {
            Ok(status) => {
                if let Err(error) = cache.remember(&status, now) {
                    tracing::warn!(error = %format!("{error:#}"), "a dossier status could not be cached");
                }
                Answer::Current(status)
            }
            Err(_) => fallback(cache, &code),
        },
        Some(404) => Answer::Unknown,
        _ => {
            tracing::info!(status = ?reply.status, error = ?reply.error, "dossier status: portal not reachable");
            fallback(cache, &code)
        }
    }
}

/// The fee the portal reports for dossier `code` now (None: no fee reported, or no answer). The kiosk asks it
/// right after a dossier is delivered, for the screen and the receipt.
pub async fn fee(portal: &impl Portal, code: &str) -> Option<Fee> {
    let reply = portal.dossier_status(code).await;
    if reply.status != Some(200) {
        tracing::info!(status = ?reply.status, error = ?reply.error, "a new dossier's fee: no answer from the portal");
        return None;
    }
    serde_json::from_slice::<DossierStatus>(&reply.body).ok()?.fee
}

fn fallback(cache: &Cache, code: &str) -> Answer {
    match cache.recall(code) {
        Ok(Some((status, known_at))) => Answer::LastKnown { status, known_at },
        _ => Answer::Unreachable,
    }
}

/// A status name as the screen's enum index: received 0, in_progress 1, needs_more 2, result_ready 3, returned 4,
/// rejected 5, anything else 6 (shown as "see the counter").
pub fn state_index(state: &str) -> i32 {
    match state {
        "received" => 0,
        "in_progress" => 1,
        "needs_more" => 2,
        "result_ready" => 3,
        "returned" => 4,
        "rejected" => 5,
        _ => 6,
    }
}

/// Whether the dossier is a home-visit request (the screen words it so).
pub fn is_home_visit(status: &DossierStatus) -> bool {
    status.kind == Kind::HomeVisit
}

/// A booking's state as the screen's index: booked 0, attended 1, cancelled 2, anything else 3 (see the counter).
pub fn booking_state_index(state: &str) -> i32 {
    match state {
        "booked" => 0,
        "attended" => 1,
        "cancelled" => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_are_told_from_portal_codes() {
        assert!(super::is_reference("3FA2-91C0"));
        assert!(super::is_reference("ABCD-EF01"));
        assert!(!super::is_reference("3FA2-91C"));
        assert!(!super::is_reference("3FA291C0"));
        assert!(!super::is_reference("SIM-261129-000001"));
        assert!(!super::is_reference("3FG2-91C0"));
    }
}
