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
        let db = Connection::open(path).with_context(|| format!("opening the queue database {}", path.display()))?;
        db.pragma_update(None, "journal_mode", "WAL").context("switching the queue database to WAL")?;
        db.pragma_update(None, "synchronous", "FULL").context("setting synchronous=FULL")?;
        db.execute_batch("CREATE TABLE IF NOT EXISTS queue_events (seq INTEGER PRIMARY KEY, event TEXT NOT NULL)")
            .context("creating the queue table")?;
        let events = {
            let mut statement = db.prepare("SELECT event FROM queue_events ORDER BY seq")?;
            let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
            let mut events = Vec::new();
            for row in rows {
                let text = row?;
                events.push(serde_json::from_str::<Event>(&text).context("reading a queue event")?);
            }
            events
        };
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
