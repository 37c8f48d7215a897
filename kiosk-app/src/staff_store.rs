//! What counter staff leave on the kiosk: their sessions (the counter API's tokens and the console's cookies),
//! the wrong-PIN lockout and the audit log of their actions, in one SQLite file (WAL, synchronous=FULL), so a
//! restart neither signs everyone out nor forgets a lockout.
//!
//! A session is stored by the SHA-256 of its token (a copy of the file does not sign anyone in), with a mark of
//! the PIN hash it was opened with: when the technician removes the staff member or resets the PIN, the mark no
//! longer matches and the session ends at its next request.
//! Must not do: keep a token or a PIN in clear, decide PIN rules (kiosk-core's `staff` does), or hold residents'
//! data (the audit names tickets, never people).

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use kiosk_core::queue::Seconds;
use kiosk_core::staff::{Account, Lockout};
use rusqlite::{params, Connection, OptionalExtension as _};
use sha2::{Digest as _, Sha256};

/// How a session was opened: an API token (`Authorization: Bearer`) or the console's cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Console,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Api => "api",
            Kind::Console => "console",
        }
    }
}

/// A signed-in staff member at a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub staff_id: String,
    pub staff_name: String,
    pub counter: u16,
    /// The services this counter calls in this session (the console lets staff choose among the counter's).
    pub services: Vec<String>,
    /// The console's form token: every state-changing request carries it.
    pub csrf: String,
    pub expires_at: Seconds,
    pub last_seen: Seconds,
}

/// Why a stored session no longer signs anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// No such session (never, or signed out).
    Unknown,
    Expired,
    /// No request for longer than the idle limit.
    Idle,
    /// The staff member was removed from the staff file.
    Removed,
    /// The PIN was reset since the session began.
    PinReset,
}

/// Decides whether a stored session still stands, given the account as the staff file has it now.
pub fn verdict(
    session: &Session,
    pin_mark: &str,
    account: Option<&Account>,
    now: Seconds,
    idle_limit: Option<Seconds>,
) -> Result<(), Ended> {
    let Some(account) = account else { return Err(Ended::Removed) };
    if mark(&account.pin_hash) != pin_mark {
        return Err(Ended::PinReset);
    }
    if now >= session.expires_at {
        return Err(Ended::Expired);
    }
    if idle_limit.is_some_and(|limit| now - session.last_seen > limit) {
        return Err(Ended::Idle);
    }
    Ok(())
}

/// A short, one-way mark of a PIN hash (to notice a reset without storing the hash again).
fn mark(pin_hash: &str) -> String {
    hex(&Sha256::digest(pin_hash.as_bytes())[..12])
}

fn token_key(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub at: Seconds,
    pub staff_id: String,
    pub counter: u16,
    pub action: String,
    /// The ticket's label (`HT-023`), a pager (`pager 4`), or empty.
    pub subject: String,
}

pub struct StaffStore {
    db: Mutex<Connection>,
}

impl StaffStore {
    pub fn open(path: &Path) -> anyhow::Result<StaffStore> {
        let opened =
            crate::sqlite::open(path).with_context(|| format!("opening the staff database {}", path.display()))?;
        let db = opened.db;
        db.pragma_update(None, "journal_mode", "WAL").context("switching the staff database to WAL")?;
        db.pragma_update(None, "synchronous", "FULL").context("setting synchronous=FULL")?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS sessions (
                token_key TEXT PRIMARY KEY, kind TEXT NOT NULL, staff_id TEXT NOT NULL, staff_name TEXT NOT NULL,
                counter INTEGER NOT NULL, services TEXT NOT NULL, csrf TEXT NOT NULL, pin_mark TEXT NOT NULL,
                created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS lockout (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS audit (
                seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, staff_id TEXT NOT NULL, counter INTEGER NOT NULL,
                action TEXT NOT NULL, subject TEXT NOT NULL);",
        )
        .context("creating the staff tables")?;
        if let Some(aside) = &opened.set_aside {
            let salvaged = aside.salvage(&db, &["lockout", "audit", "sessions"]);
            tracing::error!(
                copied = salvaged.rows,
                unreadable = salvaged.unreadable,
                "the staff database was corrupt: it was set aside; the audit log and lockouts that could be read are kept"
            );
        }
        Ok(StaffStore { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a new session for `token`, opened with `account`'s current PIN.
    pub fn open_session(&self, token: &str, kind: Kind, session: &Session, account: &Account) -> anyhow::Result<()> {
        self.db().execute(
            "INSERT INTO sessions (token_key, kind, staff_id, staff_name, counter, services, csrf, pin_mark,
                                   created_at, last_seen, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            params![
                token_key(token),
                kind.name(),
                session.staff_id,
                session.staff_name,
                session.counter,
                session.services.join(","),
                session.csrf,
                mark(&account.pin_hash),
                session.last_seen,
                session.expires_at
            ],
        )?;
        Ok(())
    }

    /// The session behind `token`, checked against the staff file's `accounts`; a live one is marked seen at `now`,
    /// an ended one is deleted.
    pub fn session(
        &self,
        token: &str,
        kind: Kind,
        accounts: &kiosk_core::staff::Accounts,
        now: Seconds,
        idle_limit: Option<Seconds>,
    ) -> anyhow::Result<Result<Session, Ended>> {
        let db = self.db();
        let key = token_key(token);
        let row = db
            .query_row(
                "SELECT staff_id, staff_name, counter, services, csrf, pin_mark, last_seen, expires_at
                 FROM sessions WHERE token_key = ?1 AND kind = ?2",
                params![key, kind.name()],
                |row| {
                    let services: String = row.get(3)?;
                    Ok((
                        Session {
                            staff_id: row.get(0)?,
                            staff_name: row.get(1)?,
                            counter: row.get(2)?,
                            services: services.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                            csrf: row.get(4)?,
                            last_seen: row.get(6)?,
                            expires_at: row.get(7)?,
                        },
                        row.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((mut session, pin_mark)) = row else { return Ok(Err(Ended::Unknown)) };
        if let Err(ended) = verdict(&session, &pin_mark, accounts.find(&session.staff_id), now, idle_limit) {
            db.execute("DELETE FROM sessions WHERE token_key = ?1", params![key])?;
            return Ok(Err(ended));
        }
        db.execute("UPDATE sessions SET last_seen = ?2 WHERE token_key = ?1", params![key, now])?;
        session.last_seen = now;
        Ok(Ok(session))
    }

    /// Changes the services a console session calls.
    pub fn set_services(&self, token: &str, services: &[String]) -> anyhow::Result<()> {
        self.db().execute(
            "UPDATE sessions SET services = ?2 WHERE token_key = ?1",
            params![token_key(token), services.join(",")],
        )?;
        Ok(())
    }

    pub fn close_session(&self, token: &str) -> anyhow::Result<()> {
        self.db().execute("DELETE FROM sessions WHERE token_key = ?1", params![token_key(token)])?;
        Ok(())
    }

    /// The staff signed in at each counter now (for the console's header and the counters' list).
    pub fn signed_in(&self, now: Seconds) -> anyhow::Result<Vec<(u16, String)>> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT DISTINCT counter, staff_name FROM sessions WHERE expires_at > ?1 ORDER BY counter, staff_name",
        )?;
        let rows = statement.query_map(params![now], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The lockout as last saved (an empty one the first time, or if the saved one does not read).
    pub fn lockout(&self) -> Lockout {
        let saved: Option<String> = self
            .db()
            .query_row("SELECT state FROM lockout WHERE id = 1", [], |row| row.get(0))
            .optional()
            .ok()
            .flatten();
        saved.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }

    pub fn save_lockout(&self, lockout: &Lockout) -> anyhow::Result<()> {
        let text = serde_json::to_string(lockout)?;
        self.db().execute(
            "INSERT INTO lockout (id, state) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET state = excluded.state",
            params![text],
        )?;
        Ok(())
    }

    pub fn audit(&self, entry: &Audit) -> anyhow::Result<()> {
        self.db().execute(
            "INSERT INTO audit (at, staff_id, counter, action, subject) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![entry.at, entry.staff_id, entry.counter, entry.action, entry.subject],
        )?;
        Ok(())
    }

    /// The audit log from `since`, oldest first.
    pub fn audit_since(&self, since: Seconds) -> anyhow::Result<Vec<Audit>> {
        let db = self.db();
        let mut statement =
            db.prepare("SELECT at, staff_id, counter, action, subject FROM audit WHERE at >= ?1 ORDER BY seq")?;
        let rows = statement.query_map(params![since], |row| {
            Ok(Audit {
                at: row.get(0)?,
                staff_id: row.get(1)?,
                counter: row.get(2)?,
                action: row.get(3)?,
                subject: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(pin_hash: &str) -> Account {
        Account { id: "nv01".into(), name: "Nguyễn Văn A".into(), pin_hash: pin_hash.into() }
    }

    fn session(now: Seconds) -> Session {
        Session {
            staff_id: "nv01".into(),
            staff_name: "Nguyễn Văn A".into(),
            counter: 2,
            services: vec!["HT".into()],
            csrf: "c".into(),
            expires_at: now + 100,
            last_seen: now,
        }
    }

    #[test]
    fn a_session_ends_when_expired_idle_removed_or_its_pin_reset() {
        let s = session(1000);
        let pin = mark("hash-1");
        assert_eq!(verdict(&s, &pin, Some(&account("hash-1")), 1010, Some(60)), Ok(()));
        assert_eq!(verdict(&s, &pin, Some(&account("hash-1")), 1061, Some(60)), Err(Ended::Idle));
        assert_eq!(verdict(&s, &pin, Some(&account("hash-1")), 1061, None), Ok(()));
        assert_eq!(verdict(&s, &pin, Some(&account("hash-1")), 1100, None), Err(Ended::Expired));
        assert_eq!(verdict(&s, &pin, Some(&account("hash-2")), 1010, None), Err(Ended::PinReset));
        assert_eq!(verdict(&s, &pin, None, 1010, None), Err(Ended::Removed));
    }
}
