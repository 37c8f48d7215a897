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
//!
//! With a service point's key ([`Outbox::with_counter_key`]), a dossier or home-visit request is also sealed a
//! second time to that key (`counter_form`, page files `N.counter`): the copy the staff console opens when the
//! portal is away and the counter takes it in by hand (seed 004). Staff record the counter's register number;
//! the submission is then `taken_by_hand`: never sent, both copies deleted, and a non-personal marker queued for
//! the portal. Delivery deletes the counter's copy with the portal's.
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
    /// Taken in by hand at the counter (kept as receipts; the portal is told).
    pub taken_by_hand: u64,
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
    pub page_count: u32,
}

/// A submission the kiosk holds with a copy for the counter: waiting for the portal, or refused by it. What the
/// staff console lists; no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub kind: Kind,
    pub procedure_code: Option<String>,
    pub page_count: u32,
    pub created_at: Seconds,
    pub state: State,
    pub attempts: u32,
    /// Why the last try failed (network, portal), when one did.
    pub last_error: Option<String>,
}

/// The counter's sealed copy of a held submission: its form and pages, sealed to the service point's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterCopy {
    pub held: Held,
    pub sealed_form: Vec<u8>,
    pub sealed_pages: Vec<Vec<u8>>,
}

/// What "taken in by hand" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Recorded: the kiosk will not send it, and tells the portal.
    Taken,
    /// Not held any more (or never was): its state now, None when the kiosk has no such submission.
    NotHeld(Option<State>),
}

/// What the counter recorded for a submission taken in by hand, and when the portal took the marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandRecord {
    pub register_number: String,
    pub counter: u16,
    pub taken_at: Seconds,
    pub marker_sent_at: Option<Seconds>,
}

/// A marker for the portal, due now: a submission staff took in by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerDue {
    pub id: String,
    pub attempts: u32,
    pub intake: kiosk_core::portal::HandIntake,
}

pub struct Outbox {
    db: Mutex<Connection>,
    /// `outbox.lock`, locked for as long as this process has the outbox open to forward it: only one process at a
    /// time may (a second would requeue what the first is sending). `None`: opened only to save submissions
    /// ([`Outbox::open_for_saving`], the screen while the core service forwards).
    _lock: Option<std::fs::File>,
    /// `saving.lock`: every save holds it shared from its first page file to its commit; the owner's sweep for
    /// orphaned page files holds it exclusively, so it never takes a save in progress in another process for the
    /// leftovers of a crash.
    saving: PathBuf,
    /// `PRAGMA data_version` when [`Outbox::saved_elsewhere`] last looked.
    version: std::sync::atomic::AtomicI64,
    pages: PathBuf,
    portal_key: PublicKey,
    counter_key: Option<PublicKey>,
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

/// Takes `dir/outbox.lock` for this process, or says who has it.
fn take_lock(dir: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = dir.join("outbox.lock");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "the outbox {} is open in another process: the kiosk is running, or another `kiosk outbox` command is. \
             Stop the kiosk first (systemctl stop kiosk), or run the command again when the other one has finished",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(error)) => Err(error).with_context(|| format!("locking {}", path.display())),
    }
}

/// Columns added after the first release: (name, type). Added to an older outbox at open.
const ADDED_COLUMNS: [(&str, &str); 6] = [
    // The form sealed to the service point's key (the counter's copy), while the submission is held.
    ("counter_form", "BLOB"),
    // Taken in by hand: the counter's register number, the counter, when.
    ("hand_register", "TEXT"),
    ("hand_counter", "INTEGER"),
    ("hand_at", "INTEGER"),
    // When the portal took the marker (NULL: still to send).
    ("marker_sent_at", "INTEGER"),
    // The portal's code when it had already received the submission online before the counter took it in.
    ("marker_duplicate_of", "TEXT"),
];

fn add_columns(db: &Connection) -> anyhow::Result<()> {
    let existing: std::collections::HashSet<String> = {
        let mut statement = db.prepare("SELECT name FROM pragma_table_info('submissions')")?;
        let names = statement.query_map([], |row| row.get::<_, String>(0))?;
        names.collect::<Result<_, _>>()?
    };
    for (name, kind) in ADDED_COLUMNS {
        if !existing.contains(name) {
            db.execute_batch(&format!("ALTER TABLE submissions ADD COLUMN {name} {kind}"))
                .with_context(|| format!("adding the column {name} to the outbox"))?;
        }
    }
    Ok(())
}

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
        let lock = take_lock(dir)?;
        let outbox = Outbox::open_db(dir, portal_key, Some(lock))?;
        let requeued = outbox
            .db()
            .execute("UPDATE submissions SET state = 'queued' WHERE state = 'sending'", [])
            .context("requeueing submissions a stop interrupted")?;
        if requeued > 0 {
            tracing::info!(requeued, "submissions interrupted while sending are queued again");
        }
        Ok(outbox)
    }

    /// Opens the outbox only to save submissions into it, beside the process that forwards them (the kiosk's
    /// core service): no lock of its own, no requeueing, no sweep. Saves are as durable as the owner's.
    pub fn open_for_saving(dir: &Path, portal_key: [u8; 32]) -> anyhow::Result<Outbox> {
        crate::ensure_private_dir(dir)?;
        Outbox::open_db(dir, portal_key, None)
    }

    /// Whether another process saved or changed something since the last call (cheap: one pragma). The core
    /// service's forwarder looks every second, as the screen's saves cannot wake it directly.
    pub fn saved_elsewhere(&self) -> bool {
        let version: i64 = match self.db().query_row("PRAGMA data_version", [], |row| row.get(0)) {
            Ok(version) => version,
            Err(_) => return true, // look at the database: its own error will say what is wrong
        };
        self.version.swap(version, std::sync::atomic::Ordering::Relaxed) != version
    }

    fn open_db(dir: &Path, portal_key: [u8; 32], lock: Option<std::fs::File>) -> anyhow::Result<Outbox> {
        let owner = lock.is_some();
        let pages = dir.join("pages");
        std::fs::create_dir_all(&pages).with_context(|| format!("creating {}", pages.display()))?;
        let path = dir.join("outbox.sqlite");
        let opened = crate::sqlite::open(&path).with_context(|| format!("opening the outbox {}", path.display()))?;
        let db = opened.db;
        db.pragma_update(None, "journal_mode", "WAL").context("switching the outbox to WAL")?;
        db.pragma_update(None, "synchronous", "FULL").context("setting synchronous=FULL")?;
        db.execute_batch(SCHEMA).context("creating the outbox tables")?;
        add_columns(&db)?;
        if let Some(aside) = &opened.set_aside {
            let salvaged = aside.salvage(&db, &["submissions", "status"]);
            tracing::error!(
                copied = salvaged.rows,
                unreadable = salvaged.unreadable,
                "the outbox database was corrupt: it was set aside and the submissions that could be read are queued \
                 again; the pages of the rest are kept beside the set-aside copy"
            );
        }
        db.busy_timeout(std::time::Duration::from_secs(10)).context("setting the outbox's busy timeout")?;
        let version: i64 = db.query_row("PRAGMA data_version", [], |row| row.get(0))?;
        let outbox = Outbox {
            db: Mutex::new(db),
            _lock: lock,
            saving: dir.join("saving.lock"),
            version: std::sync::atomic::AtomicI64::new(version),
            pages,
            portal_key: PublicKey::from(portal_key),
            counter_key: None,
            min_free: MIN_FREE_BYTES,
        };
        if owner {
            outbox.remove_orphans(opened.set_aside.as_ref().and_then(|aside| aside.file.parent()))?;
        }
        Ok(outbox)
    }

    /// `saving.lock`, shared (a save) or exclusive (the sweep); released when the file is dropped.
    fn saving_lock(&self, exclusive: bool) -> anyhow::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&self.saving)
            .with_context(|| format!("opening {}", self.saving.display()))?;
        if exclusive { file.lock() } else { file.lock_shared() }
            .with_context(|| format!("locking {}", self.saving.display()))?;
        Ok(file)
    }

    /// Seals a second copy of each dossier and home-visit request to the service point's public key, for the
    /// counter to open if the portal stays away (bookings need the portal's slot and get none).
    pub fn with_counter_key(mut self, public: [u8; 32]) -> Outbox {
        self.counter_key = Some(PublicKey::from(public));
        self
    }

    /// The free space to keep (tests set it to exercise a full disk).
    pub fn with_min_free(mut self, bytes: u64) -> Outbox {
        self.min_free = bytes;
        self
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Page directories that no stored row names: left by a crash between writing pages and committing. When the
    /// database was just set aside as corrupt, they belong to rows that could not be read: they are moved to
    /// `keep_in` (the set-aside folder) instead of deleted.
    fn remove_orphans(&self, keep_in: Option<&Path>) -> anyhow::Result<()> {
        let _no_save_in_progress = self.saving_lock(true)?;
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
                if let Some(keep_in) = keep_in {
                    let kept = keep_in.join("pages");
                    std::fs::create_dir_all(&kept).with_context(|| format!("creating {}", kept.display()))?;
                    std::fs::rename(&path, kept.join(&name)).with_context(|| format!("moving {}", path.display()))?;
                } else if path.is_dir() {
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
        let counter_key = self.counter_key.as_ref().filter(|_| new.kind != Kind::Booking);
        let (counter_form, counter_pages) = match counter_key {
            Some(key) => {
                let form =
                    key.seal(&mut rng, new.form).map_err(|e| anyhow::anyhow!("sealing the counter's copy: {e}"))?;
                let pages: Vec<Vec<u8>> = new
                    .pages
                    .iter()
                    .map(|page| key.seal(&mut rng, page).map_err(|e| anyhow::anyhow!("sealing a counter page: {e}")))
                    .collect::<Result<_, _>>()?;
                (Some(form), pages)
            }
            None => (None, Vec::new()),
        };
        let needed = sealed_form.len() as u64
            + sealed_pages.iter().chain(&counter_pages).map(|p| p.len() as u64).sum::<u64>()
            + counter_form.as_ref().map_or(0, |f| f.len() as u64);
        let available = fs4::available_space(&self.pages).context("reading the disk's free space")?;
        if available < needed + self.min_free {
            tracing::warn!(available, needed, "outbox refused a submission: the disk is nearly full");
            return Err(EnqueueError::DiskFull { available, needed });
        }
        let id = new_id()?;
        let _saving = self.saving_lock(false)?;
        if !sealed_pages.is_empty() {
            let dir = self.pages.join(&id);
            std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (index, page) in sealed_pages.iter().enumerate() {
                write_durably(&dir, &format!("{index}.sealed"), page)?;
            }
            for (index, page) in counter_pages.iter().enumerate() {
                write_durably(&dir, &format!("{index}.counter"), page)?;
            }
            sync_dir(&dir)?;
            sync_dir(&self.pages)?;
        }
        let db = self.db();
        db.execute(
            "INSERT INTO submissions (id, kind, procedure_code, page_count, created_at, state, next_attempt_at,
             sealed_form, counter_form) VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?5, ?6, ?7)",
            params![
                id,
                kind_name(new.kind),
                new.procedure_code,
                sealed_pages.len() as u32,
                now,
                sealed_form,
                counter_form
            ],
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
        Ok(self.db().query_row(
            "SELECT MIN(next_attempt_at) FROM submissions
                 WHERE state = 'queued' OR (state = 'taken_by_hand' AND marker_sent_at IS NULL)",
            [],
            |row| row.get(0),
        )?)
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
                "UPDATE submissions SET state = 'acknowledged', sealed_form = NULL, counter_form = NULL, dossier_code = ?2,
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
            "UPDATE submissions SET state = 'declined', sealed_form = NULL, counter_form = NULL, acknowledged_at = ?2,
             last_error = ?3,
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

    /// Records `reason` as the outbox's last error, for the status strip and `kiosk outbox show` (a fault that
    /// belongs to no one submission, such as an enrolment the portal refuses).
    pub fn note_error(&self, reason: &str) -> anyhow::Result<()> {
        self.with_error(reason, |_| Ok(0))
    }

    /// Clears the last error if it is still `reason` (the fault it named is over).
    pub fn clear_error(&self, reason: &str) -> anyhow::Result<()> {
        self.db().execute("UPDATE status SET last_error = NULL WHERE last_error = ?1", [reason])?;
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
                Some(State::TakenByHand) => summary.taken_by_hand = count,
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
            "SELECT id, kind, procedure_code, created_at, last_error, page_count FROM submissions
             WHERE state = 'quarantined' ORDER BY created_at",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Quarantined {
                id: row.get(0)?,
                kind: kind_from(&row.get::<_, String>(1)?),
                procedure_code: row.get(2)?,
                created_at: row.get(3)?,
                reason: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                page_count: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes receipts (acknowledged, declined, or taken by hand with the portal told) older than the retention
    /// period.
    pub fn purge_receipts(&self, now: Seconds) -> anyhow::Result<usize> {
        Ok(self.db().execute(
            "DELETE FROM submissions WHERE (state IN ('acknowledged', 'declined') AND acknowledged_at < ?1)
             OR (state = 'taken_by_hand' AND marker_sent_at < ?1)",
            [now - RECEIPT_RETENTION],
        )?)
    }

    /// What the kiosk holds with a copy for the counter (waiting, being sent, or refused by the portal), oldest
    /// first.
    pub fn held(&self) -> anyhow::Result<Vec<Held>> {
        let db = self.db();
        let mut statement =
            db.prepare(&format!("SELECT {HELD_COLUMNS} FROM submissions WHERE {HELD_WHERE} ORDER BY created_at, id"))?;
        let rows = statement.query_map([], held_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The counter's sealed copy of held submission `id` (None: not held, or kept without a copy).
    pub fn counter_copy(&self, id: &str) -> anyhow::Result<Option<CounterCopy>> {
        let row = {
            let db = self.db();
            db.query_row(
                &format!("SELECT {HELD_COLUMNS}, counter_form FROM submissions WHERE id = ?1 AND {HELD_WHERE}"),
                [id],
                |row| Ok((held_row(row)?, row.get::<_, Vec<u8>>(8)?)),
            )
            .optional()?
        };
        let Some((held, sealed_form)) = row else { return Ok(None) };
        let sealed_pages = (0..held.page_count)
            .map(|index| {
                let path = self.pages.join(&held.id).join(format!("{index}.counter"));
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Some(CounterCopy { held, sealed_form, sealed_pages }))
    }

    /// Staff took held submission `id` in by hand and wrote `register_number` in the counter's register: it is
    /// never sent, both sealed copies and its pages are deleted, and a marker for the portal is queued. Refused
    /// (with its state) while it is being sent this moment, and once it was delivered, declined or taken already.
    pub fn take_by_hand(&self, id: &str, register_number: &str, counter: u16, now: Seconds) -> anyhow::Result<Taken> {
        {
            let mut db = self.db();
            let transaction = db.transaction()?;
            let changed = transaction.execute(
                "UPDATE submissions SET state = 'taken_by_hand', sealed_form = NULL, counter_form = NULL,
                 hand_register = ?2, hand_counter = ?3, hand_at = ?4, next_attempt_at = ?4, attempts = 0,
                 last_error = NULL WHERE id = ?1 AND counter_form IS NOT NULL AND state IN ('queued', 'quarantined')",
                params![id, register_number, counter, now],
            )?;
            if changed == 0 {
                let state: Option<String> = transaction
                    .query_row("SELECT state FROM submissions WHERE id = ?1", [id], |row| row.get(0))
                    .optional()?;
                return Ok(Taken::NotHeld(state.as_deref().and_then(State::from_name)));
            }
            transaction.commit()?;
        }
        self.remove_pages(id)?;
        tracing::info!(submission = %id, counter, "submission taken in by hand at the counter; it will not be sent");
        Ok(Taken::Taken)
    }

    /// The next marker due for the portal (a submission taken in by hand), if any.
    pub fn take_marker_due(&self, now: Seconds) -> anyhow::Result<Option<MarkerDue>> {
        let db = self.db();
        let row = db
            .query_row(
                "SELECT id, kind, procedure_code, created_at, hand_register, hand_counter, hand_at, attempts
                 FROM submissions WHERE state = 'taken_by_hand' AND marker_sent_at IS NULL AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, created_at LIMIT 1",
                [now],
                |row| {
                    Ok(MarkerDue {
                        id: row.get(0)?,
                        attempts: row.get(7)?,
                        intake: kiosk_core::portal::HandIntake {
                            kind: kind_from(&row.get::<_, String>(1)?),
                            procedure_code: row.get(2)?,
                            created_at: row.get(3)?,
                            register_number: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                            counter: row.get::<_, Option<u16>>(5)?.unwrap_or_default(),
                            taken_at: row.get::<_, Option<Seconds>>(6)?.unwrap_or_default(),
                        },
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// The portal took the marker; `duplicate_of` is its code when it had received the submission online first.
    pub fn marker_sent(&self, id: &str, duplicate_of: Option<&str>, now: Seconds) -> anyhow::Result<()> {
        self.db().execute(
            "UPDATE submissions SET marker_sent_at = ?2, marker_duplicate_of = ?3, last_error = NULL WHERE id = ?1",
            params![id, now, duplicate_of],
        )?;
        if duplicate_of.is_some() {
            tracing::warn!(submission = %id, "the portal had already received this submission online before the counter took it in by hand");
        }
        Ok(())
    }

    /// The marker did not go: try again at `at` (`None`: the portal refused it for good; not tried again, and
    /// the reason stays for the technician).
    pub fn marker_retry_at(&self, id: &str, reason: &str, at: Option<Seconds>) -> anyhow::Result<()> {
        self.with_error(reason, |db| {
            db.execute(
                "UPDATE submissions SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
                params![id, at.unwrap_or(Seconds::MAX), reason],
            )
        })
    }

    /// The counter's register number and the portal's answer for a submission taken in by hand.
    pub fn hand_record(&self, id: &str) -> anyhow::Result<Option<HandRecord>> {
        Ok(self
            .db()
            .query_row(
                "SELECT hand_register, hand_counter, hand_at, marker_sent_at FROM submissions
                 WHERE id = ?1 AND state = 'taken_by_hand'",
                [id],
                |row| {
                    Ok(HandRecord {
                        register_number: row.get(0)?,
                        counter: row.get(1)?,
                        taken_at: row.get(2)?,
                        marker_sent_at: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}

/// The columns [`held_row`] reads.
const HELD_COLUMNS: &str = "id, kind, procedure_code, page_count, created_at, state, attempts, last_error";
/// What "held" means: a copy for the counter, and not delivered, declined or taken in yet.
const HELD_WHERE: &str = "counter_form IS NOT NULL AND state IN ('queued', 'sending', 'quarantined')";

fn held_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Held> {
    let state: String = row.get(5)?;
    Ok(Held {
        id: row.get(0)?,
        kind: kind_from(&row.get::<_, String>(1)?),
        procedure_code: row.get(2)?,
        page_count: row.get(3)?,
        created_at: row.get(4)?,
        state: State::from_name(&state).unwrap_or(State::Queued),
        attempts: row.get(6)?,
        last_error: row.get(7)?,
    })
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

use crate::sync_dir;

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

    /// An outbox that also seals a copy for the counter, and the service point's secret key that opens it.
    fn held_outbox(name: &str) -> (Outbox, PathBuf, crypto_box::SecretKey) {
        let (outbox, dir) = outbox(name);
        let secret = crypto_box::SecretKey::from([9; 32]);
        (outbox.with_counter_key(*secret.public_key().as_bytes()), dir, secret)
    }

    fn dossier(outbox: &Outbox, pages: &[Vec<u8>], now: Seconds) -> String {
        let form = br#"{"kind":"dossier","answers":{"full_name":"NGUYEN VAN AN"}}"#;
        let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form, pages };
        outbox.enqueue(new, now).expect("saved")
    }

    #[test]
    fn a_corrupt_outbox_is_set_aside_and_every_readable_submission_is_queued_again() {
        let (outbox, dir) = outbox("corrupt");
        let form = vec![b'x'; 1500];
        let ids: Vec<String> = (0..60)
            .map(|n| {
                let pages = [vec![n as u8; 30]];
                let new =
                    NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages: &pages };
                outbox.enqueue(new, 100 + n).expect("saved")
            })
            .collect();
        drop(outbox);
        // A bad sector in the middle of the file.
        let path = dir.join("outbox.sqlite");
        let mut bytes = std::fs::read(&path).expect("db");
        let middle = bytes.len() / 2 / 4096 * 4096;
        bytes[middle..middle + 4096].fill(0);
        bytes[middle] = 0x0d; // a leaf page header that lies about its cells
        bytes[middle + 3] = 0x7f;
        std::fs::write(&path, &bytes).expect("write");

        let outbox = Outbox::open(&dir, [7; 32]).expect("a corrupt outbox does not stop the kiosk");
        let aside = crate::sqlite::set_aside_in(&dir);
        assert_eq!(aside.len(), 1, "the damaged file is kept: {aside:?}");
        let summary = outbox.summary(200).expect("summary");
        assert!(
            summary.queued >= 50 && summary.queued < 60,
            "most rows are copied back, the lost ones not invented: {}",
            summary.queued
        );
        let mut sent = 0;
        while let Some(due) = outbox.take_due(10_000).expect("due") {
            assert!(ids.contains(&due.id));
            sent += 1;
            outbox.retry_at(&due.id, "test", 20_000).expect("park");
        }
        assert_eq!(sent, summary.queued);
        // The pages of the rows that could not be read are kept beside the set-aside copy, not deleted.
        let kept = std::fs::read_dir(aside[0].join("pages")).map(|d| d.count()).unwrap_or(0);
        assert_eq!(kept as u64 + summary.queued, 60);
    }

    #[test]
    fn the_screen_saves_while_the_core_forwards_and_the_sweep_never_takes_a_save_in_progress() {
        let (core, dir) = outbox("shared");
        let screen = Outbox::open_for_saving(&dir, [7; 32]).expect("a second process may save");
        assert!(!core.saved_elsewhere(), "nothing saved yet");
        let pages = [vec![3u8; 50], vec![4u8; 70]];
        let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: b"{}", pages: &pages };
        let id = screen.enqueue(new, 100).expect("saved by the screen");
        assert!(core.saved_elsewhere(), "the core notices the screen's save");
        assert!(!core.saved_elsewhere(), "and only once");
        let due = core.take_due(200).expect("due").expect("the core forwards what the screen saved");
        assert_eq!((due.id.as_str(), due.page_count), (id.as_str(), 2));
        assert_eq!(core.sealed_page(&id, 1).expect("page").len(), screen.sealed_page(&id, 1).expect("page").len());

        // A save in progress in the screen (its page files written, its row not yet committed) while the core
        // starts again: the core's sweep waits for the save instead of deleting its pages as a crash's leftovers.
        let saving = screen.saving_lock(false).expect("a save's shared lock");
        let half = dir.join("pages").join("a-save-in-progress");
        std::fs::create_dir(&half).expect("its page directory");
        std::fs::write(half.join("0.sealed"), b"sealed bytes").expect("its first page");
        drop(core);
        let (opened_tx, opened_rx) = std::sync::mpsc::channel();
        let reopen_dir = dir.clone();
        let reopening = std::thread::spawn(move || {
            let core = Outbox::open(&reopen_dir, [7; 32]).expect("reopen");
            opened_tx.send(()).expect("told");
            core
        });
        assert!(
            opened_rx.recv_timeout(std::time::Duration::from_millis(300)).is_err(),
            "the sweep waits while a save holds its lock"
        );
        assert!(half.join("0.sealed").exists(), "nothing of the save in progress was removed");
        // The save's process dies before its commit: its lock goes with it and the sweep removes the leftovers.
        drop(saving);
        let core = reopening.join().expect("reopened");
        assert!(!half.exists(), "an interrupted save's pages are swept once no save holds the lock");
        assert_eq!(
            core.state(&id).expect("state"),
            Some(State::Queued),
            "the submission taken as sending is queued again"
        );
        assert!(Outbox::open(&dir, [7; 32]).is_err(), "still one forwarding owner at a time");
    }

    #[test]
    fn a_dossier_is_held_with_a_copy_only_the_service_point_opens_and_bookings_get_none() {
        let (outbox, dir, secret) = held_outbox("held-copy");
        let id = dossier(&outbox, &[vec![1; 40], vec![2; 60]], 100);
        booking(&outbox, &[], 110);
        let held = outbox.held().expect("held");
        assert_eq!(held.len(), 1, "a booking needs the portal's slot and is not held: {held:?}");
        assert_eq!((held[0].id.as_str(), held[0].kind, held[0].page_count), (id.as_str(), Kind::Dossier, 2));
        assert_eq!((held[0].state, held[0].attempts, held[0].created_at), (State::Queued, 0, 100));

        let copy = outbox.counter_copy(&id).expect("read").expect("held");
        assert_eq!(
            secret.unseal(&copy.sealed_form).expect("opens"),
            br#"{"kind":"dossier","answers":{"full_name":"NGUYEN VAN AN"}}"#
        );
        let pages: Vec<Vec<u8>> = copy.sealed_pages.iter().map(|p| secret.unseal(p).expect("page opens")).collect();
        assert_eq!(pages, vec![vec![1; 40], vec![2; 60]]);
        let stranger = crypto_box::SecretKey::from([8; 32]);
        assert!(stranger.unseal(&copy.sealed_form).is_err(), "only the service point's key opens it");
        let on_disk = std::fs::read(dir.join("pages").join(&id).join("0.counter")).expect("the copy is a file");
        assert!(!on_disk.windows(40).any(|w| w == [1; 40]), "sealed on disk, never in clear");
    }

    #[test]
    fn a_dossier_taken_by_hand_is_never_sent_loses_both_copies_and_queues_one_marker() {
        let (outbox, dir, _) = held_outbox("taken");
        let id = dossier(&outbox, &[vec![1; 40]], 100);
        // Refused while it is being sent this moment: the portal may be receiving it.
        assert_eq!(outbox.take_due(100).expect("due").map(|d| d.id), Some(id.clone()));
        assert_eq!(outbox.take_by_hand(&id, "125/2026", 2, 150).expect("take"), Taken::NotHeld(Some(State::Sending)));
        outbox.retry_at(&id, "portal away", 160).expect("retry");
        assert_eq!(outbox.held().expect("held")[0].attempts, 1);

        assert_eq!(outbox.take_by_hand(&id, "125/2026", 2, 170).expect("take"), Taken::Taken);
        assert_eq!(outbox.state(&id).expect("state"), Some(State::TakenByHand));
        assert!(!dir.join("pages").join(&id).exists(), "pages and the counter's copies are gone");
        let (form, counter): (Option<Vec<u8>>, Option<Vec<u8>>) = outbox
            .db()
            .query_row("SELECT sealed_form, counter_form FROM submissions WHERE id = ?1", [&id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("row kept");
        assert_eq!((form, counter), (None, None), "both sealed forms are gone");
        assert!(outbox.take_due(10_000).expect("due").is_none(), "never sent");
        assert!(outbox.held().expect("held").is_empty());
        assert_eq!(outbox.counter_copy(&id).expect("read"), None);
        assert_eq!(
            outbox.take_by_hand(&id, "126/2026", 3, 180).expect("again"),
            Taken::NotHeld(Some(State::TakenByHand))
        );
        assert_eq!(outbox.take_by_hand("nothing", "1", 3, 180).expect("unknown"), Taken::NotHeld(None));
        assert_eq!(outbox.summary(200).expect("summary").taken_by_hand, 1);
        assert_eq!(
            outbox.hand_record(&id).expect("record"),
            Some(HandRecord { register_number: "125/2026".into(), counter: 2, taken_at: 170, marker_sent_at: None })
        );

        assert_eq!(outbox.next_due_at().expect("next"), Some(170), "the marker is due at once");
        let marker = outbox.take_marker_due(170).expect("marker").expect("due");
        assert_eq!(
            marker.intake,
            kiosk_core::portal::HandIntake {
                kind: Kind::Dossier,
                procedure_code: Some("1.001193".into()),
                created_at: 100,
                register_number: "125/2026".into(),
                counter: 2,
                taken_at: 170,
            }
        );
        outbox.marker_retry_at(&id, "portal away", Some(400)).expect("retry");
        assert!(outbox.take_marker_due(399).expect("marker").is_none());
        assert_eq!(outbox.take_marker_due(400).expect("marker").map(|m| m.attempts), Some(1));
        outbox.marker_sent(&id, None, 410).expect("sent");
        assert!(outbox.take_marker_due(10_000).expect("marker").is_none(), "one marker, sent once");
        assert_eq!(outbox.next_due_at().expect("next"), None);
        assert_eq!(outbox.purge_receipts(410 + RECEIPT_RETENTION).expect("purge"), 0, "kept for the period");
        assert_eq!(outbox.purge_receipts(411 + RECEIPT_RETENTION).expect("purge"), 1);
    }

    #[test]
    fn a_marker_the_portal_refuses_for_good_is_not_tried_again_nor_purged() {
        let (outbox, _dir, _) = held_outbox("marker-refused");
        let id = dossier(&outbox, &[], 100);
        outbox.quarantine(&id, "422 bad_form").expect("quarantined");
        assert_eq!(outbox.held().expect("held")[0].state, State::Quarantined, "refused ones are held too");
        assert_eq!(outbox.take_by_hand(&id, "7", 1, 200).expect("take"), Taken::Taken);
        outbox.marker_retry_at(&id, "marker refused: 422", None).expect("refused");
        assert!(outbox.take_marker_due(Seconds::MAX - 1).expect("marker").is_none());
        assert_eq!(outbox.purge_receipts(Seconds::MAX / 2).expect("purge"), 0, "kept for the technician");
        assert_eq!(outbox.summary(300).expect("summary").last_error.as_deref(), Some("marker refused: 422"));
    }

    #[test]
    fn delivery_deletes_the_counters_copy_too() {
        let (outbox, dir, _) = held_outbox("delivered");
        let id = dossier(&outbox, &[vec![3; 10]], 100);
        assert!(dir.join("pages").join(&id).join("0.counter").exists());
        outbox.take_due(100).expect("due");
        outbox.acknowledged(&id, "SIM-261206-000001", 120).expect("acknowledged");
        assert_eq!(outbox.counter_copy(&id).expect("read"), None);
        assert!(outbox.held().expect("held").is_empty());
        assert!(!dir.join("pages").join(&id).exists());
        assert_eq!(outbox.take_by_hand(&id, "9", 1, 130).expect("take"), Taken::NotHeld(Some(State::Acknowledged)));
    }

    #[test]
    fn an_outbox_from_before_hand_intake_gains_its_columns_and_keeps_its_submissions() {
        let (outbox, dir) = outbox("migrated");
        let id = booking(&outbox, &[], 100);
        drop(outbox);
        {
            let db = Connection::open(dir.join("outbox.sqlite")).expect("db");
            for (name, _) in ADDED_COLUMNS {
                db.execute_batch(&format!("ALTER TABLE submissions DROP COLUMN {name}")).expect("drop");
            }
        }
        let outbox = Outbox::open(&dir, [7; 32]).expect("reopened").with_counter_key([5; 32]);
        assert_eq!(outbox.state(&id).expect("state"), Some(State::Queued));
        assert!(outbox.held().expect("held").is_empty());
        let again = dossier(&outbox, &[], 200);
        assert_eq!(outbox.held().expect("held").len(), 1, "{again} is held with its copy");
    }

    #[test]
    fn only_one_opening_of_an_outbox_at_a_time() {
        let (outbox, dir) = outbox("locked");
        let id = dossier(&outbox, &[vec![1; 10]], 100);
        outbox.take_due(100).expect("due");
        let second = Outbox::open(&dir, [7; 32]).err().map(|e| format!("{e:#}")).unwrap_or_default();
        assert!(second.contains("open in another process"), "{second}");
        assert_eq!(outbox.state(&id).expect("state"), Some(State::Sending), "the second opening requeued nothing");
        assert!(dir.join("pages").join(&id).exists(), "and deleted no pages");
        drop(outbox);
        let again = Outbox::open(&dir, [7; 32]).expect("free once the first is closed");
        assert_eq!(again.state(&id).expect("state"), Some(State::Queued));
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
