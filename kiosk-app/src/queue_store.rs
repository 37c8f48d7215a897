//! The queue's durable form: its event log in a SQLite file (WAL, synchronous=FULL), replayed at start. Every
//! command runs under one lock and its events commit before the caller hears of them, so two counters calling at
//! the same moment never get the same ticket and a restart loses no ticket and repeats no number.
//! Must not do: hold residents' personal data (tickets carry none) or decide queue rules (kiosk-core does).

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use kiosk_core::queue::{self, Day, Event, Queue, Setup};
use rusqlite::{params, Connection};

pub struct QueueStore {
    inner: Mutex<Inner>,
}

struct Inner {
    db: Connection,
    queue: Queue,
    listeners: Vec<Listener>,
}

/// Told of every committed change, in commit order, with the queue as it now is. Runs under the store's lock:
/// it must only hand the news on (to a channel or the UI's event loop), never block.
pub type Listener = Box<dyn Fn(&[Event], &Queue) + Send>;

impl QueueStore {
    /// Opens (or creates) the store at `path` and replays its log.
    pub fn open(path: &Path, setup: Setup, today: Day) -> anyhow::Result<QueueStore> {
        let opened =
            crate::sqlite::open(path).with_context(|| format!("opening the queue database {}", path.display()))?;
        let db = opened.db;
        db.pragma_update(None, "journal_mode", "WAL").context("switching the queue database to WAL")?;
        db.pragma_update(None, "synchronous", "FULL").context("setting synchronous=FULL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS queue_events (seq INTEGER PRIMARY KEY, event TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS queue_events_set_aside (seq INTEGER PRIMARY KEY, event TEXT NOT NULL);",
        )
        .context("creating the queue table")?;
        if let Some(aside) = &opened.set_aside {
            let salvaged = aside.salvage(&db, &["queue_events", "queue_events_set_aside"]);
            tracing::error!(
                copied = salvaged.rows,
                unreadable = salvaged.unreadable,
                "the queue database was corrupt: it was set aside and the queue rebuilt from the events that could be read"
            );
        }
        let events = read_events(&db)?;
        let queue = Queue::replay(setup, today, &events);
        Ok(QueueStore { inner: Mutex::new(Inner { db, queue, listeners: Vec::new() }) })
    }

    /// Runs one queue command; its events are committed to disk before they are returned.
    pub fn run(
        &self,
        command: impl FnOnce(&mut Queue) -> Result<Vec<Event>, queue::Error>,
    ) -> anyhow::Result<Result<Vec<Event>, queue::Error>> {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Inner { db, queue, listeners } = &mut *inner;
        // Commands change the in-memory queue as they go; work on a copy so a failed commit changes nothing.
        let mut draft = queue.clone();
        let events = match command(&mut draft) {
            Ok(events) => events,
            Err(refused) => return Ok(Err(refused)),
        };
        let transaction = db.transaction().context("starting a queue transaction")?;
        for event in &events {
            transaction
                .execute("INSERT INTO queue_events (event) VALUES (?1)", params![serde_json::to_string(event)?])
                .context("writing a queue event")?;
        }
        transaction.commit().context("committing queue events")?;
        *queue = draft;
        for event in &events {
            if let Event::DayClosed { day, unreturned_pagers } = event {
                if !unreturned_pagers.is_empty() {
                    tracing::warn!(day, pagers = ?unreturned_pagers, "pagers not handed back by the end of the day");
                }
            }
        }
        if !events.is_empty() {
            for listener in listeners.iter() {
                listener(&events, queue);
            }
        }
        Ok(Ok(events))
    }

    /// Adds a listener for committed changes; it is first called at once with no events and the current queue.
    pub fn subscribe(&self, listener: Listener) {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        listener(&[], &inner.queue);
        inner.listeners.push(listener);
    }

    /// Reads the queue as it is now.
    pub fn read<T>(&self, look: impl FnOnce(&Queue) -> T) -> T {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        look(&inner.queue)
    }
}

/// The database's events in order. A row that does not read as an event (a damaged or foreign row) is moved to
/// `queue_events_set_aside` and counted in the log, and the queue is rebuilt from the rest (review M5).
fn read_events(db: &Connection) -> anyhow::Result<Vec<Event>> {
    let rows: Vec<(i64, rusqlite::Result<String>)> = {
        let mut statement = db.prepare("SELECT seq, event FROM queue_events ORDER BY seq")?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1))))?;
        rows.collect::<Result<_, _>>().context("reading the queue's events")?
    };
    let mut events = Vec::with_capacity(rows.len());
    let mut bad = Vec::new();
    for (seq, text) in rows {
        match text.ok().and_then(|text| serde_json::from_str::<Event>(&text).ok()) {
            Some(event) => events.push(event),
            None => bad.push(seq),
        }
    }
    if !bad.is_empty() {
        for seq in &bad {
            db.execute(
                "INSERT OR REPLACE INTO queue_events_set_aside (seq, event)
                 SELECT seq, CAST(event AS TEXT) FROM queue_events WHERE seq = ?1",
                params![seq],
            )
            .context("setting aside an unreadable queue event")?;
            db.execute("DELETE FROM queue_events WHERE seq = ?1", params![seq])
                .context("setting aside an unreadable queue event")?;
        }
        tracing::error!(
            set_aside = bad.len(),
            "queue events that could not be read were set aside (table queue_events_set_aside); the queue is \
             rebuilt from the rest"
        );
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::queue::{Policy, Priority, State};

    const DAY: Day = 20_415;

    fn setup() -> Setup {
        Setup { services: vec!["HT".into(), "CT".into()], pagers: vec![1, 2, 3], policy: Policy::Strict }
    }

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kiosk-queue-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("queue.sqlite")
    }

    #[test]
    fn an_unreadable_event_is_set_aside_and_the_queue_starts_from_the_rest() {
        let path = temp_db("bad-row");
        {
            let store = QueueStore::open(&path, setup(), DAY).expect("open");
            store.run(|q| q.issue("HT", Priority::None, DAY, 0)).expect("stored").expect("issued");
            store.run(|q| q.issue("HT", Priority::None, DAY, 1)).expect("stored").expect("issued");
        }
        let db = Connection::open(&path).expect("db");
        db.execute("INSERT INTO queue_events (event) VALUES ('{\"kind\":\"Truncat')", []).expect("bad row");
        db.execute("INSERT INTO queue_events (event) VALUES (x'fffe00')", []).expect("a blob, not text");
        drop(db);
        let store = QueueStore::open(&path, setup(), DAY).expect("a bad row does not stop the kiosk");
        let issued = store.run(|q| q.issue("HT", Priority::None, DAY, 2)).expect("stored").expect("issued");
        assert!(
            matches!(&issued[0], Event::TicketIssued { number: 3, .. }),
            "the two good tickets are kept: {issued:?}"
        );
        let db = Connection::open(&path).expect("db");
        let kept: i64 = db.query_row("SELECT count(*) FROM queue_events_set_aside", [], |r| r.get(0)).expect("n");
        assert_eq!(kept, 2, "both bad rows are kept aside, not deleted");
    }

    #[test]
    fn a_corrupt_queue_file_is_set_aside_and_the_kiosk_starts() {
        let path = temp_db("corrupt-file");
        std::fs::write(&path, vec![0x5a; 8192]).expect("garbage");
        let store = QueueStore::open(&path, setup(), DAY).expect("starts with a fresh queue");
        store.run(|q| q.issue("HT", Priority::None, DAY, 0)).expect("stored").expect("issued");
        assert_eq!(crate::sqlite::set_aside_in(path.parent().expect("dir")).len(), 1);
    }

    #[test]
    fn a_restart_keeps_every_ticket_and_continues_the_numbering() {
        let path = temp_db("restart");
        {
            let store = QueueStore::open(&path, setup(), DAY).expect("open");
            store.run(|q| q.issue("HT", Priority::None, DAY, 0)).expect("stored").expect("issued");
            store.run(|q| q.issue("HT", Priority::Elderly, DAY, 1)).expect("stored").expect("issued");
            store.run(|q| q.call_next(1, &["HT".into()], DAY, 2)).expect("stored").expect("called");
        }
        let store = QueueStore::open(&path, setup(), DAY).expect("reopen");
        assert_eq!(store.read(|q| q.ticket(2).map(|t| t.state)), Some(Some(State::Called { counter: 1 })).flatten());
        let issued = store.run(|q| q.issue("HT", Priority::None, DAY, 3)).expect("stored").expect("issued");
        assert!(matches!(&issued[0], Event::TicketIssued { number: 3, .. }), "{issued:?}");
    }

    #[test]
    fn a_refused_command_writes_nothing() {
        let path = temp_db("refused");
        let store = QueueStore::open(&path, setup(), DAY).expect("open");
        let refused = store.run(|q| q.call_next(1, &["HT".into()], DAY, 0)).expect("no storage error");
        assert_eq!(refused, Err(queue::Error::NobodyWaiting));
        drop(store);
        let store = QueueStore::open(&path, setup(), DAY).expect("reopen");
        let issued = store.run(|q| q.issue("HT", Priority::None, DAY, 1)).expect("stored").expect("issued");
        assert!(matches!(&issued[0], Event::TicketIssued { id: 1, number: 1, .. }), "{issued:?}");
    }

    #[test]
    fn counters_calling_at_the_same_moment_never_get_the_same_ticket() {
        let path = temp_db("concurrent");
        let store = std::sync::Arc::new(QueueStore::open(&path, setup(), DAY).expect("open"));
        for at in 0..40 {
            store.run(|q| q.issue("HT", Priority::None, DAY, at)).expect("stored").expect("issued");
        }
        let counters: Vec<_> = (1..=4u16)
            .map(|counter| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut called = Vec::new();
                    while let Ok(Ok(events)) = store.run(|q| q.call_next(counter, &["HT".into()], DAY, 100)) {
                        if let Some(Event::TicketCalled { id, .. }) = events.first() {
                            called.push(*id);
                        }
                    }
                    called
                })
            })
            .collect();
        let mut all: Vec<u64> = counters.into_iter().flat_map(|c| c.join().expect("counter thread")).collect();
        all.sort_unstable();
        assert_eq!(all, (1..=40).collect::<Vec<u64>>(), "every ticket called exactly once");
    }
}
