//! The queue's durable form: its event log in a SQLite file (WAL, synchronous=FULL), replayed at start. Every
//! command runs under one lock and its events commit before the caller hears of them, so two counters calling at
//! the same moment never get the same ticket and a restart loses no ticket and repeats no number.
//!
//! Several processes may hold the same file (the screen takes numbers while the kiosk's core service runs the
//! counters' calls): the log is the truth and each store's queue is a cache of it. A command takes SQLite's write
//! lock first (`BEGIN IMMEDIATE`), applies what other processes committed since this store last looked, and only
//! then runs on the queue as it now is; [`QueueStore::read`] and [`QueueStore::poll`] catch up the same way, and
//! listeners hear of every event in commit order, whichever process wrote it. `PRAGMA data_version` tells
//! cheaply whether anyone else wrote, so a poll that finds nothing costs one pragma.
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
    /// The last event (its seq) the queue has applied.
    seen: i64,
    /// `PRAGMA data_version` when this store last caught up: it changes when another connection commits.
    version: i64,
}

impl Inner {
    /// Applies the events other processes committed since this store last looked; returns them. Run inside
    /// the command's write transaction, it sees everything committed before the command.
    fn catch_up(&mut self) -> anyhow::Result<Vec<Event>> {
        let version: i64 =
            self.db.query_row("PRAGMA data_version", [], |row| row.get(0)).context("reading data_version")?;
        if version == self.version {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, rusqlite::Result<String>)> = {
            let mut statement =
                self.db.prepare_cached("SELECT seq, event FROM queue_events WHERE seq > ?1 ORDER BY seq")?;
            let rows = statement.query_map([self.seen], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1))))?;
            rows.collect::<Result<_, _>>().context("reading the queue's new events")?
        };
        let mut events = Vec::with_capacity(rows.len());
        for (seq, text) in rows {
            self.seen = seq;
            match text.ok().and_then(|text| serde_json::from_str::<Event>(&text).ok()) {
                Some(event) => {
                    self.queue.apply(&event);
                    events.push(event);
                }
                // Set aside by the next start (read_events); skipped here, as the replay will skip it.
                None => tracing::error!(seq, "a queue event another process wrote could not be read; skipped"),
            }
        }
        self.version = version;
        Ok(events)
    }

    fn tell(&self, events: &[Event]) {
        if !events.is_empty() {
            for listener in &self.listeners {
                listener(events, &self.queue);
            }
        }
    }

    /// Catches up and tells the listeners; a database that cannot be read leaves the queue as it was.
    fn refresh(&mut self) {
        match self.catch_up() {
            Ok(events) => self.tell(&events),
            Err(error) => tracing::error!(error = %format!("{error:#}"), "could not read the queue's new events"),
        }
    }
}

/// Told of every committed change, in commit order, with the queue as it now is. Runs under the store's lock:
/// it must only hand the news on (to a channel or the UI's event loop), never block.
pub type Listener = Box<dyn Fn(&[Event], &Queue) + Send>;

/// How long a command waits for another process's write to finish (they take milliseconds).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
        db.busy_timeout(BUSY_TIMEOUT).context("setting the queue database's busy timeout")?;
        let events = read_events(&db)?;
        let queue = Queue::replay(setup, today, &events);
        let seen: i64 = db.query_row("SELECT COALESCE(MAX(seq), 0) FROM queue_events", [], |row| row.get(0))?;
        let version: i64 = db.query_row("PRAGMA data_version", [], |row| row.get(0))?;
        Ok(QueueStore { inner: Mutex::new(Inner { db, queue, listeners: Vec::new(), seen, version }) })
    }

    /// Catches up with what other processes committed and tells the listeners. The kiosk calls it a few times
    /// a second ([`QueueStore::watch`]); it costs one pragma when nothing changed.
    pub fn poll(&self) {
        self.lock().refresh();
    }

    /// Polls every `interval` on a thread of its own, for as long as the store lives.
    pub fn watch(self: &std::sync::Arc<Self>, interval: std::time::Duration) -> anyhow::Result<()> {
        let store = std::sync::Arc::downgrade(self);
        std::thread::Builder::new()
            .name("queue-watch".into())
            .spawn(move || loop {
                std::thread::sleep(interval);
                match store.upgrade() {
                    Some(store) => store.poll(),
                    None => return,
                }
            })
            .context("starting the queue's watch thread")?;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs one queue command; its events are committed to disk before they are returned.
    pub fn run(
        &self,
        command: impl FnOnce(&mut Queue) -> Result<Vec<Event>, queue::Error>,
    ) -> anyhow::Result<Result<Vec<Event>, queue::Error>> {
        let mut inner = self.lock();
        // The write lock first: no other process can commit between catching up and this command's events.
        inner.db.execute_batch("BEGIN IMMEDIATE").context("starting a queue transaction")?;
        let committed = (|| {
            let others = inner.catch_up()?;
            // Commands change the in-memory queue as they go; work on a copy so a failed commit changes nothing.
            let mut draft = inner.queue.clone();
            let events = match command(&mut draft) {
                Ok(events) => events,
                Err(refused) => return Ok((others, Err(refused))),
            };
            let mut seen = inner.seen;
            for event in &events {
                inner
                    .db
                    .prepare_cached("INSERT INTO queue_events (event) VALUES (?1)")?
                    .execute(params![serde_json::to_string(event)?])
                    .context("writing a queue event")?;
                seen = inner.db.last_insert_rowid();
            }
            inner.db.execute_batch("COMMIT").context("committing queue events")?;
            inner.seen = seen;
            inner.queue = draft;
            Ok::<_, anyhow::Error>((others, Ok(events)))
        })();
        let (others, events) = match committed {
            Ok(done) => done,
            Err(error) => {
                let _ = inner.db.execute_batch("ROLLBACK");
                return Err(error);
            }
        };
        let events = match events {
            Ok(events) => events,
            Err(refused) => {
                let _ = inner.db.execute_batch("ROLLBACK");
                inner.tell(&others);
                return Ok(Err(refused));
            }
        };
        inner.tell(&others);
        let Inner { queue, listeners, .. } = &mut *inner;
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
        let mut inner = self.lock();
        inner.refresh();
        listener(&[], &inner.queue);
        inner.listeners.push(listener);
    }

    /// Reads the queue as it is now.
    pub fn read<T>(&self, look: impl FnOnce(&Queue) -> T) -> T {
        let mut inner = self.lock();
        inner.refresh();
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

    /// Counters 1-4, each on its own thread and store (`stores[counter % len]`), call "HT" until nobody is
    /// waiting; every ticket id called, sorted.
    fn four_counters_call_until_nobody_waits(stores: &[std::sync::Arc<QueueStore>]) -> Vec<u64> {
        let counters: Vec<_> = (1..=4u16)
            .map(|counter| {
                let store = stores[counter as usize % stores.len()].clone();
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
        all
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
        let all = four_counters_call_until_nobody_waits(&[store]);
        assert_eq!(all, (1..=40).collect::<Vec<u64>>(), "every ticket called exactly once");
    }

    #[test]
    fn two_processes_share_one_queue_each_seeing_the_others_tickets_in_order() {
        // Two stores on one file are what the screen and the core service are: two connections, two caches.
        let path = temp_db("shared");
        let screen = std::sync::Arc::new(QueueStore::open(&path, setup(), DAY).expect("screen"));
        let core = std::sync::Arc::new(QueueStore::open(&path, setup(), DAY).expect("core"));
        let heard = std::sync::Arc::new(Mutex::new(Vec::new()));
        let ear = heard.clone();
        screen.subscribe(Box::new(move |events, _| ear.lock().expect("heard").extend(events.iter().cloned())));
        let first = screen.run(|q| q.issue("HT", Priority::None, DAY, 0)).expect("stored").expect("issued");
        let second = screen.run(|q| q.issue("HT", Priority::None, DAY, 1)).expect("stored").expect("issued");
        assert!(matches!(&second[0], Event::TicketIssued { number: 2, .. }), "{second:?}");
        // The core calls the screen's first ticket: it catches up inside its own write before the command runs.
        let called = core.run(|q| q.call_next(1, &["HT".into()], DAY, 2)).expect("stored").expect("called");
        assert!(matches!(&called[0], Event::TicketCalled { id: 1, counter: 1, .. }), "{called:?}");
        // The core's own next number follows the screen's: never a repeat.
        let third = core.run(|q| q.issue("HT", Priority::None, DAY, 3)).expect("stored").expect("issued");
        assert!(matches!(&third[0], Event::TicketIssued { id: 3, number: 3, .. }), "{third:?}");
        assert_eq!(screen.read(|q| q.ticket(1).map(|t| t.state)), Some(State::Called { counter: 1 }));
        screen.poll();
        let heard = heard.lock().expect("heard").clone();
        assert_eq!(
            heard,
            [first, second, called, third].concat(),
            "the screen heard every event once, in commit order"
        );
        // A refused command in one store still brings it up to date.
        let refused = screen.run(|q| q.call_next(2, &["CT".into()], DAY, 4)).expect("no storage error");
        assert_eq!(refused, Err(queue::Error::NobodyWaiting));
    }

    #[test]
    fn counters_in_two_processes_calling_at_once_never_get_the_same_ticket() {
        let path = temp_db("shared-concurrent");
        let stores: Vec<_> =
            (0..2).map(|_| std::sync::Arc::new(QueueStore::open(&path, setup(), DAY).expect("open"))).collect();
        for at in 0..40 {
            stores[at as usize % 2].run(|q| q.issue("HT", Priority::None, DAY, at)).expect("stored").expect("issued");
        }
        let all = four_counters_call_until_nobody_waits(&stores);
        assert_eq!(all, (1..=40).collect::<Vec<u64>>(), "every ticket called exactly once across both stores");
    }
}
