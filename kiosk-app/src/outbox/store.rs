//! The outbox's durable form: one SQLite file (WAL, synchronous=FULL) and one directory of sealed page files.
//!
//! A submission is frozen at enqueue: its form and pages are sealed to the portal's public key (libsodium sealed
//! box) and the bytes sent later are exactly the bytes stored. Page files are written under a temporary name,
//! fsynced, renamed and their directory fsynced before the row naming them commits; the commit is the moment a
//! submission exists, and only then is anyone told "saved". At start, page directories no row names (a crash
//! between the files and the commit) are removed, and submissions a crash left "sending" are queued again.
//! After the portal acknowledges, the sealed form and the pages are deleted; a non-personal receipt row remains
//! until the retention period ends. A booking the portal declines (its slot filled up) ends the same way: form
//! and pages deleted, a receipt in state declined.
//! Must not do: keep anything personal in clear, in the database, the files or the logs.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use crypto_box::PublicKey;
use kiosk_core::outbox::{Seconds, State};
use kiosk_core::portal::Kind;
use rusqlite::{params, Connection, OptionalExtension as _};

/// Free space the outbox always leaves on the disk: below it new submissions are refused before SQLite could fail.
pub const MIN_FREE_BYTES: u64 = 64 * 1024 * 1024;
/// How long a receipt row stays after the portal acknowledged or declined (then it is purged).
pub const RECEIPT_RETENTION: Seconds = 90 * 24 * 3600;

/// What the resident finished at the kiosk, before sealing.
#[derive(Debug, Clone, Copy)]
pub struct NewSubmission<'a> {
    pub kind: Kind,
    pub procedure_code: Option<&'a str>,
    /// The form as the portal reads it (JSON), personal data included: sealed before it touches the disk.
    pub form: &'a [u8],
    /// Scanned pages (compressed images), each sealed on its own.
    pub pages: &'a [Vec<u8>],
}

#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// Too little disk left: refuse before SQLite can fail, harming nothing already stored.
    #[error("only {available} bytes free on the kiosk's disk; {needed} are needed")]
    DiskFull { available: u64, needed: u64 },
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// A submission the forwarder should send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub id: String,
    pub kind: Kind,
    pub procedure_code: Option<String>,
    pub page_count: u32,
    pub pages_sent: u32,
    pub attempts: u32,
    pub created_at: Seconds,
}

/// Counts for the status strip and for staff. No personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub queued: u64,
    pub sending: u64,
    pub quarantined: u64,
    pub acknowledged: u64,
    /// Declined by the portal (a booking whose slot filled up): receipts, not waiting.
    pub declined: u64,
    /// Age of the oldest submission not yet acknowledged.
    pub oldest_waiting: Option<Seconds>,
    /// The latest error (retry or refusal), until the portal next acknowledges a submission.
    pub last_error: Option<String>,
    /// Less than twice the reserve is free: new submissions will soon be refused (staff should act).
    pub disk_low: bool,
}

impl Summary {
    pub fn waiting(&self) -> u64 {
        self.queued + self.sending
    }
}

/// A submission found by the short reference a resident reads out (no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: String,
    pub kind: Kind,
    pub state: State,
    /// The portal's code, once it acknowledged.
    pub dossier_code: Option<String>,
    pub created_at: Seconds,
}

/// A quarantined submission, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub id: String,
    pub kind: Kind,
    pub procedure_code: Option<String>,
    pub created_at: Seconds,
    pub reason: String,
}

pub struct Outbox {
    db: Mutex<Connection>,
    pages: PathBuf,
    portal_key: PublicKey,
    min_free: u64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    procedure_code TEXT,
    page_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    pages_sent INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sealed_form BLOB,
    dossier_code TEXT,
    -- When the portal settled it: acknowledged or declined (the receipt's retention counts from here).
    acknowledged_at INTEGER
);
CREATE INDEX IF NOT EXISTS submissions_due ON submissions (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS submissions_age ON submissions (state, created_at);
-- The latest transient or permanent error, until the portal next acknowledges something (one row).
CREATE TABLE IF NOT EXISTS status (one INTEGER PRIMARY KEY CHECK (one = 1), last_error TEXT);
INSERT OR IGNORE INTO status (one, last_error) VALUES (1, NULL);
";

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Dossier => "dossier",
        Kind::HomeVisit => "home_visit",
        Kind::Booking => "booking",
    }
}

fn kind_from(name: &str) -> Kind {
    match name {
        "home_visit" => Kind::HomeVisit,
        "booking" => Kind::Booking,
        _ => Kind::Dossier,
    }
}

impl Outbox {
    /// Opens (or creates) the outbox in `dir`: `outbox.sqlite` and `pages/`. Cleans up after a crash.
    pub fn open(dir: &Path, portal_key: [u8; 32]) -> anyhow::Result<Outbox> {
        crate::ensure_private_dir(dir)?;
        let pages = dir.join("pages");
        std::fs::create_dir_all(&pages).with_context(|| format!("creating {}", pages.display()))?;
        let path = dir.join("outbox.sqlite");
        let db = Connection::open(&path).with_context(|| format!("opening the outbox {}", path.display()))?;
        db.pragma_update(None, "journal_mode", "WAL").context("switching the outbox to WAL")?;
        db.pragma_update(None, "synchronous", "FULL").context("setting synchronous=FULL")?;
        db.execute_batch(SCHEMA).context("creating the outbox tables")?;
        let requeued = db
            .execute("UPDATE submissions SET state = 'queued' WHERE state = 'sending'", [])
            .context("requeueing submissions a stop interrupted")?;
        if requeued > 0 {
            tracing::info!(requeued, "submissions interrupted while sending are queued again");
        }
        let outbox =
            Outbox { db: Mutex::new(db), pages, portal_key: PublicKey::from(portal_key), min_free: MIN_FREE_BYTES };
        outbox.remove_orphans()?;
        Ok(outbox)
    }

    /// The free space to keep (tests set it to exercise a full disk).
    pub fn with_min_free(mut self, bytes: u64) -> Outbox {
        self.min_free = bytes;
        self
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Page directories that no stored row names: left by a crash between writing pages and committing.
    fn remove_orphans(&self) -> anyhow::Result<()> {
        let known: std::collections::HashSet<String> = {
            let db = self.db();
            let mut statement = db.prepare("SELECT id FROM submissions WHERE sealed_form IS NOT NULL")?;
            let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.pages)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !known.contains(&name) {
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
                removed += 1;
            }
        }
        if removed > 0 {
            sync_dir(&self.pages)?;
            tracing::info!(removed, "removed page files no submission names (an interrupted enqueue)");
        }
        Ok(())
    }

    /// Seals and stores a submission; when this returns Ok the submission is on disk and will be delivered.
    pub fn enqueue(&self, new: NewSubmission<'_>, now: Seconds) -> Result<String, EnqueueError> {
        let mut rng = rand_core::OsRng;
        let sealed_form = self.portal_key.seal(&mut rng, new.form).map_err(|e| anyhow::anyhow!("sealing: {e}"))?;
        let sealed_pages: Vec<Vec<u8>> = new
            .pages
            .iter()
            .map(|page| self.portal_key.seal(&mut rng, page).map_err(|e| anyhow::anyhow!("sealing a page: {e}")))
            .collect::<Result<_, _>>()?;
        let needed = sealed_form.len() as u64 + sealed_pages.iter().map(|p| p.len() as u64).sum::<u64>();
        let available = fs4::available_space(&self.pages).context("reading the disk's free space")?;
        if available < needed + self.min_free {
            tracing::warn!(available, needed, "outbox refused a submission: the disk is nearly full");
            return Err(EnqueueError::DiskFull { available, needed });
        }
        let id = new_id()?;
        if !sealed_pages.is_empty() {
            let dir = self.pages.join(&id);
            std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (index, page) in sealed_pages.iter().enumerate() {
                write_durably(&dir, &format!("{index}.sealed"), page)?;
            }
            sync_dir(&dir)?;
            sync_dir(&self.pages)?;
        }
        let db = self.db();
        db.execute(
            "INSERT INTO submissions (id, kind, procedure_code, page_count, created_at, state, next_attempt_at, sealed_form)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?5, ?6)",
            params![id, kind_name(new.kind), new.procedure_code, sealed_pages.len() as u32, now, sealed_form],
        )
        .context("storing the submission")?;
        tracing::info!(submission = %id, pages = sealed_pages.len(), "submission saved in the outbox");
        Ok(id)
    }

    /// The next submission due at `now` (oldest first), marked as sending.
    pub fn take_due(&self, now: Seconds) -> anyhow::Result<Option<Due>> {
        let db = self.db();
        let due = db
            .query_row(
                "SELECT id, kind, procedure_code, page_count, pages_sent, attempts, created_at FROM submissions
                 WHERE state = 'queued' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, created_at LIMIT 1",
                [now],
                |row| {
                    Ok(Due {
                        id: row.get(0)?,
                        kind: kind_from(&row.get::<_, String>(1)?),
                        procedure_code: row.get(2)?,
                        page_count: row.get(3)?,
                        pages_sent: row.get(4)?,
                        attempts: row.get(5)?,
                        created_at: row.get(6)?,
                    })
                },
            )
            .optional()?;
        if let Some(due) = &due {
            db.execute("UPDATE submissions SET state = 'sending' WHERE id = ?1", [&due.id])?;
        }
        Ok(due)
    }

    /// When the next queued submission falls due, if any.
    pub fn next_due_at(&self) -> anyhow::Result<Option<Seconds>> {
        Ok(self
            .db()
            .query_row("SELECT MIN(next_attempt_at) FROM submissions WHERE state = 'queued'", [], |row| row.get(0))?)
    }

    pub fn sealed_form(&self, id: &str) -> anyhow::Result<Vec<u8>> {
        self.db()
            .query_row("SELECT sealed_form FROM submissions WHERE id = ?1", [id], |row| row.get(0))
            .with_context(|| format!("reading submission {id}"))
    }

    pub fn sealed_page(&self, id: &str, index: u32) -> anyhow::Result<Vec<u8>> {
        let path = self.pages.join(id).join(format!("{index}.sealed"));
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    }

    /// The portal has page `index`: a retry resumes after it.
    pub fn page_sent(&self, id: &str, index: u32) -> anyhow::Result<()> {
        self.db()
            .execute("UPDATE submissions SET pages_sent = MAX(pages_sent, ?2) WHERE id = ?1", params![id, index + 1])?;
        Ok(())
    }

    /// The portal acknowledged: keep the receipt, delete the sealed form and pages.
    pub fn acknowledged(&self, id: &str, dossier_code: &str, now: Seconds) -> anyhow::Result<()> {
        {
            let mut db = self.db();
            let transaction = db.transaction()?;
            transaction.execute(
                "UPDATE submissions SET state = 'acknowledged', sealed_form = NULL, dossier_code = ?2,
                 acknowledged_at = ?3, last_error = NULL WHERE id = ?1",
                params![id, dossier_code, now],
            )?;
            transaction.execute("UPDATE status SET last_error = NULL", [])?;
            transaction.commit()?;
        }
        self.remove_pages(id)?;
        tracing::info!(submission = %id, "submission acknowledged by the portal");
        Ok(())
    }

    /// The portal declined it for good (a booking whose slot filled up): nothing to send again and nothing for
    /// staff. As after an acknowledgement, the sealed form and pages are deleted and a receipt row remains, in
    /// state declined with the (non-personal) reason, until the retention period ends. Not the outbox's last
    /// error: the portal answered, and nothing on the kiosk is wrong.
    pub fn decline(&self, id: &str, reason: &str, now: Seconds) -> anyhow::Result<()> {
        self.db().execute(
            "UPDATE submissions SET state = 'declined', sealed_form = NULL, acknowledged_at = ?2, last_error = ?3,
             attempts = attempts + 1 WHERE id = ?1",
            params![id, now, reason],
        )?;
        self.remove_pages(id)?;
        tracing::info!(submission = %id, %reason, "submission declined by the portal");
        Ok(())
    }

    /// Deletes a settled submission's sealed pages (after its row no longer names them).
    fn remove_pages(&self, id: &str) -> anyhow::Result<()> {
        let dir = self.pages.join(id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
            sync_dir(&self.pages)?;
        }
        Ok(())
    }

    /// A transient failure: try again at `at`.
    pub fn retry_at(&self, id: &str, reason: &str, at: Seconds) -> anyhow::Result<()> {
        self.with_error(reason, |db| {
            db.execute(
                "UPDATE submissions SET state = 'queued', attempts = attempts + 1, next_attempt_at = ?2,
                 last_error = ?3 WHERE id = ?1",
                params![id, at, reason],
            )
        })
    }

    /// Runs `change` and records `reason` as the outbox's last error, in one transaction.
    fn with_error(
        &self,
        reason: &str,
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> anyhow::Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        change(&transaction)?;
        transaction.execute("UPDATE status SET last_error = ?1", [reason])?;
        transaction.commit()?;
        Ok(())
    }

    /// A permanent refusal: keep it, sealed, for staff.
    pub fn quarantine(&self, id: &str, reason: &str) -> anyhow::Result<()> {
        self.with_error(reason, |db| {
            db.execute(
                "UPDATE submissions SET state = 'quarantined', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, reason],
            )
        })?;
        tracing::warn!(submission = %id, %reason, "submission quarantined: the portal refused it");
        Ok(())
    }

    /// Staff asked to send a quarantined submission again.
    pub fn release(&self, id: &str, now: Seconds) -> anyhow::Result<bool> {
        let changed = self.db().execute(
            "UPDATE submissions SET state = 'queued', next_attempt_at = ?2 WHERE id = ?1 AND state = 'quarantined'",
            params![id, now],
        )?;
        Ok(changed == 1)
    }

    pub fn state(&self, id: &str) -> anyhow::Result<Option<State>> {
        let name: Option<String> =
            self.db().query_row("SELECT state FROM submissions WHERE id = ?1", [id], |row| row.get(0)).optional()?;
        Ok(name.as_deref().and_then(State::from_name))
    }

    /// The portal's dossier code for an acknowledged submission.
    pub fn dossier_code(&self, id: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .db()
            .query_row("SELECT dossier_code FROM submissions WHERE id = ?1", [id], |row| row.get(0))
            .optional()?
            .flatten())
    }

    pub fn summary(&self, now: Seconds) -> anyhow::Result<Summary> {
        let db = self.db();
        let mut summary = Summary::default();
        let mut statement = db.prepare("SELECT state, COUNT(*), MIN(created_at) FROM submissions GROUP BY state")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?, row.get::<_, Option<i64>>(2)?))
        })?;
        for row in rows {
            let (state, count, oldest) = row?;
            match State::from_name(&state) {
                Some(State::Queued) => summary.queued = count,
                Some(State::Sending) => summary.sending = count,
                Some(State::Quarantined) => summary.quarantined = count,
                Some(State::Acknowledged) => summary.acknowledged = count,
                Some(State::Declined) => summary.declined = count,
                None => {}
            }
            if matches!(State::from_name(&state), Some(State::Queued | State::Sending)) {
                let age = oldest.map(|o| now - o);
                summary.oldest_waiting = summary.oldest_waiting.max(age);
            }
        }
        summary.disk_low =
            fs4::available_space(&self.pages).map(|available| available < 2 * self.min_free).unwrap_or(false);
        summary.last_error = db.query_row("SELECT last_error FROM status", [], |row| row.get(0)).optional()?.flatten();
        Ok(summary)
    }

    /// The submission a resident's short reference ("3FA2-91C0", see `resident::short_reference`) names: the
    /// first 8 hex digits of its id, in any case, dashes and spaces ignored. None when no submission, or more
    /// than one, starts so (a reference that is not 8 hex digits names none).
    pub fn find_by_reference(&self, reference: &str) -> anyhow::Result<Option<Found>> {
        let prefix: String =
            reference.chars().filter(|c| *c != '-' && !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if prefix.len() != 8 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let db = self.db();
        // Ids are lower-case hex: every id starting with the prefix sorts between it and the prefix + "g" (the
        // primary key's index answers this).
        let mut statement = db.prepare(
            "SELECT id, kind, state, dossier_code, created_at FROM submissions WHERE id >= ?1 AND id < ?1 || 'g'
             LIMIT 2",
        )?;
        let rows = statement.query_map([&prefix], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Seconds>(4)?,
            ))
        })?;
        let mut rows: Vec<_> = rows.collect::<Result<_, _>>()?;
        if rows.len() != 1 {
            return Ok(None);
        }
        let (id, kind, state, dossier_code, created_at) = rows.remove(0);
        let state = State::from_name(&state).with_context(|| format!("submission {id} is in an unknown state"))?;
        Ok(Some(Found { id, kind: kind_from(&kind), state, dossier_code, created_at }))
    }

    pub fn quarantined(&self) -> anyhow::Result<Vec<Quarantined>> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT id, kind, procedure_code, created_at, last_error FROM submissions WHERE state = 'quarantined'
             ORDER BY created_at",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Quarantined {
                id: row.get(0)?,
                kind: kind_from(&row.get::<_, String>(1)?),
                procedure_code: row.get(2)?,
                created_at: row.get(3)?,
                reason: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes receipts (acknowledged or declined) older than the retention period.
    pub fn purge_receipts(&self, now: Seconds) -> anyhow::Result<usize> {
        Ok(self.db().execute(
            "DELETE FROM submissions WHERE state IN ('acknowledged', 'declined') AND acknowledged_at < ?1",
            [now - RECEIPT_RETENTION],
        )?)
    }
}

/// A fresh idempotency key: 16 random bytes in hex.
fn new_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a submission id: {e}"))?;
    Ok(kiosk_core::portal::hex(&bytes))
}

/// Writes a file under a temporary name, fsyncs it and renames it into place (the caller fsyncs the directory).
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let temporary = dir.join(format!("{name}.tmp"));
    let mut file = std::fs::File::create(&temporary).with_context(|| format!("writing {}", temporary.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, dir.join(name)).with_context(|| format!("renaming {}", temporary.display()))?;
    Ok(())
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing the directory {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outbox in a fresh directory, sealing to a key nobody holds (these tests never open what they seal).
    fn outbox(name: &str) -> (Outbox, PathBuf) {
        let dir = std::env::temp_dir().join(format!("kiosk-outbox-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        (Outbox::open(&dir, [7; 32]).expect("outbox"), dir)
    }

    fn booking(outbox: &Outbox, pages: &[Vec<u8>], now: Seconds) -> String {
        let form = br#"{"kind":"booking","person_name":"Nguyen Thi Hoa"}"#;
        let new = NewSubmission { kind: Kind::Booking, procedure_code: Some("1.001193"), form, pages };
        outbox.enqueue(new, now).expect("saved")
    }

    #[test]
    fn a_declined_booking_keeps_only_a_receipt_waits_for_nothing_and_is_purged_like_one() {
        let (outbox, dir) = outbox("declined");
        let id = booking(&outbox, &[vec![1; 50]], 100);
        let other = booking(&outbox, &[], 100);
        assert_eq!(outbox.take_due(100).expect("due").map(|d| (d.id, d.kind)), Some((id.clone(), Kind::Booking)));
        assert!(dir.join("pages").join(&id).exists());

        outbox.decline(&id, "409 slot_full: the slot is full", 200).expect("declined");
        assert_eq!(outbox.state(&id).expect("state"), Some(State::Declined));
        assert_eq!(outbox.dossier_code(&id).expect("code"), None);
        let sealed: Option<Vec<u8>> = outbox
            .db()
            .query_row("SELECT sealed_form FROM submissions WHERE id = ?1", [&id], |r| r.get(0))
            .expect("row kept");
        assert_eq!(sealed, None, "the sealed form is gone");
        assert!(!dir.join("pages").join(&id).exists(), "its pages are gone");
        assert!(outbox.take_due(10_000).expect("due").is_some_and(|d| d.id == other), "never sent again");
        assert!(outbox.take_due(10_000).expect("due").is_none());
        assert!(outbox.quarantined().expect("list").is_empty(), "nothing for staff");

        let summary = outbox.summary(300).expect("summary");
        assert_eq!((summary.declined, summary.waiting(), summary.quarantined), (1, 1, 0), "{summary:?}");
        assert_eq!(summary.last_error, None, "a full slot is not the kiosk's error");

        outbox.acknowledged(&other, "LH-261207-000001", 200).expect("acknowledged");
        assert_eq!(outbox.purge_receipts(200 + RECEIPT_RETENTION).expect("purge"), 0, "kept for the period");
        assert_eq!(outbox.purge_receipts(201 + RECEIPT_RETENTION).expect("purge"), 2, "then both receipts go");
        assert_eq!(outbox.state(&id).expect("state"), None);
    }

    #[test]
    fn a_short_reference_finds_exactly_one_submission_in_any_case() {
        let (outbox, _dir) = outbox("reference");
        let id = booking(&outbox, &[], 100);
        let reference = super::super::resident::short_reference(&id);
        let found = outbox.find_by_reference(&reference).expect("read").expect("found");
        assert_eq!(
            found,
            Found { id: id.clone(), kind: Kind::Booking, state: State::Queued, dossier_code: None, created_at: 100 }
        );
        for typed in [reference.to_lowercase(), reference.replace('-', ""), format!(" {} ", &id[..8])] {
            assert_eq!(outbox.find_by_reference(&typed).expect("read").map(|f| f.id), Some(id.clone()), "{typed}");
        }
        for wrong in ["", "3FA2", "ZZZZ-ZZZZ", &id[..9], "'; DROP--"] {
            assert_eq!(outbox.find_by_reference(wrong).expect("read"), None, "{wrong}");
        }
        outbox.acknowledged(&id, "LH-261207-000001", 150).expect("acknowledged");
        let found = outbox.find_by_reference(&reference).expect("read").expect("found");
        assert_eq!((found.state, found.dossier_code.as_deref()), (State::Acknowledged, Some("LH-261207-000001")));

        // Two ids that share their first 8 digits: the reference names neither.
        let twin = format!("{}{}", &id[..8], "0".repeat(24));
        let twin = if twin == id { format!("{}{}", &id[..8], "1".repeat(24)) } else { twin };
        outbox
            .db()
            .execute(
                "INSERT INTO submissions (id, kind, page_count, created_at, state, next_attempt_at)
                 VALUES (?1, 'dossier', 0, 0, 'queued', 0)",
                [&twin],
            )
            .expect("twin");
        assert_eq!(outbox.find_by_reference(&reference).expect("read"), None, "ambiguous");
    }
}
