//! Opening the kiosk's SQLite files so that one corrupt file never stops the kiosk (review M5).
//!
//! A file SQLite calls corrupt (it is not a database, or `PRAGMA quick_check` finds damage) is moved, with its
//! `-wal` and `-shm`, into `set-aside/<unix time>-<name>/` beside it, and a fresh file takes its place. The
//! store then copies every row that can still be read out of the set-aside copy ([`SetAside::salvage`]); rows
//! that cannot be read are counted, never guessed. The set-aside copy stays for a technician (`kiosk outbox
//! show` lists it) and the log says what happened, with no row's contents.
//!
//! Any other failure (permissions, a full disk, a locked file) is an error as before: moving a healthy file
//! aside because the disk is full would lose more than it saves.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rusqlite::{Connection, ErrorCode};

/// The folder, beside a database, that holds the databases set aside.
pub const SET_ASIDE_DIR: &str = "set-aside";

/// A database opened, and whether the file that was there had to be set aside first.
#[derive(Debug)]
pub struct Opened {
    pub db: Connection,
    pub set_aside: Option<SetAside>,
}

/// A corrupt database moved out of the way.
#[derive(Debug, Clone)]
pub struct SetAside {
    /// The damaged file in its new place.
    pub file: PathBuf,
    /// What SQLite said was wrong (no row contents: SQLite's messages name pages and tables).
    pub cause: String,
}

/// What [`SetAside::salvage`] could copy into the fresh database.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Salvaged {
    pub rows: usize,
    /// Rows SQLite knew were there but could not read.
    pub unreadable: usize,
}

enum Fault {
    Corrupt(String),
    Other(anyhow::Error),
}

fn classify(error: rusqlite::Error, path: &Path) -> Fault {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Fault::Corrupt(error.to_string()),
        _ => Fault::Other(anyhow::Error::new(error).context(format!("opening {}", path.display()))),
    }
}

fn checked(path: &Path) -> Result<Connection, Fault> {
    let db = Connection::open(path).map_err(|e| classify(e, path))?;
    // The first statement is where SQLite reads the header: a file that is not a database fails here.
    let verdict: String = db.query_row("PRAGMA quick_check(1)", [], |row| row.get(0)).map_err(|e| classify(e, path))?;
    if verdict != "ok" {
        return Err(Fault::Corrupt(verdict));
    }
    Ok(db)
}

/// Opens (or creates) the database at `path`; a corrupt one is set aside and a fresh one opened in its place.
pub fn open(path: &Path) -> anyhow::Result<Opened> {
    match checked(path) {
        Ok(db) => Ok(Opened { db, set_aside: None }),
        Err(Fault::Other(error)) => Err(error),
        Err(Fault::Corrupt(cause)) => {
            let file = move_aside(path)?;
            tracing::error!(
                database = %path.display(),
                set_aside = %file.display(),
                cause = %cause.chars().take(200).collect::<String>(),
                "a corrupt database was set aside; the kiosk goes on with a fresh one and copies back what can be read"
            );
            let db = Connection::open(path).with_context(|| format!("opening a fresh {}", path.display()))?;
            Ok(Opened { db, set_aside: Some(SetAside { file, cause }) })
        }
    }
}

/// Moves `path` and its journal files into a new folder under `set-aside/`; returns the database's new path.
fn move_aside(path: &Path) -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt as _;
    let parent = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().context("a database path without a file name")?.to_string_lossy().into_owned();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let root = parent.join(SET_ASIDE_DIR);
    let mut dir = root.join(format!("{now}-{name}"));
    let mut n = 1;
    while dir.exists() {
        n += 1;
        dir = root.join(format!("{now}-{name}-{n}"));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    for suffix in ["", "-wal", "-shm"] {
        let from = parent.join(format!("{name}{suffix}"));
        if from.exists() {
            let to = dir.join(format!("{name}{suffix}"));
            std::fs::rename(&from, &to).with_context(|| format!("moving {} to {}", from.display(), to.display()))?;
        }
    }
    crate::sync_dir(&dir)?;
    crate::sync_dir(&root)?;
    crate::sync_dir(parent)?;
    Ok(dir.join(name))
}

impl SetAside {
    /// Copies each row of `tables` that can still be read from the set-aside file into `db` (whose tables the
    /// store has just created), by the columns both have. Rows are read one rowid at a time, so one damaged page
    /// costs the rows on it, not the table.
    pub fn salvage(&self, db: &Connection, tables: &[&str]) -> Salvaged {
        let mut total = Salvaged::default();
        if let Err(error) = db.execute("ATTACH DATABASE ?1 AS aside", [self.file.to_string_lossy()]) {
            tracing::error!(error = %error, "the set-aside database could not be opened to copy rows back");
            return total;
        }
        for table in tables {
            let salvaged = salvage_table(db, table);
            tracing::warn!(table, rows = salvaged.rows, unreadable = salvaged.unreadable, "rows copied back");
            total.rows += salvaged.rows;
            total.unreadable += salvaged.unreadable;
        }
        if let Err(error) = db.execute_batch("DETACH DATABASE aside") {
            tracing::warn!(error = %error, "the set-aside database could not be detached");
        }
        total
    }
}

fn columns(db: &Connection, schema: &str, table: &str) -> Vec<String> {
    let Ok(mut statement) = db.prepare(&format!("PRAGMA {schema}.table_info(\"{table}\")")) else { return Vec::new() };
    let Ok(rows) = statement.query_map([], |row| row.get::<_, String>(1)) else { return Vec::new() };
    rows.map_while(Result::ok).collect()
}

/// Rowids worth trying: every one a scan reaches, and, if the largest is known and reasonable, every one up to it
/// (a scan stops at the first damaged page; lookups by rowid can reach past it).
fn candidate_rowids(db: &Connection, table: &str) -> Vec<i64> {
    let mut ids = std::collections::BTreeSet::new();
    if let Ok(mut statement) = db.prepare(&format!("SELECT rowid FROM aside.\"{table}\"")) {
        if let Ok(rows) = statement.query_map([], |row| row.get::<_, i64>(0)) {
            ids.extend(rows.map_while(Result::ok));
        }
    }
    let max: Option<i64> =
        db.query_row(&format!("SELECT max(rowid) FROM aside.\"{table}\""), [], |r| r.get(0)).ok().flatten();
    let highest = max.into_iter().chain(ids.iter().next_back().copied()).max();
    if let Some(highest) = highest.filter(|h| (1..=1_000_000).contains(h)) {
        ids.extend(1..=highest);
    }
    ids.into_iter().collect()
}

fn salvage_table(db: &Connection, table: &str) -> Salvaged {
    let mut salvaged = Salvaged::default();
    let fresh = columns(db, "main", table);
    let old = columns(db, "aside", table);
    let common: Vec<String> = old.into_iter().filter(|c| fresh.contains(c)).map(|c| format!("\"{c}\"")).collect();
    if common.is_empty() {
        return salvaged;
    }
    let list = common.join(", ");
    let sql = format!(
        "INSERT OR IGNORE INTO main.\"{table}\" ({list}) SELECT {list} FROM aside.\"{table}\" WHERE rowid = ?1"
    );
    let Ok(mut insert) = db.prepare(&sql) else { return salvaged };
    for rowid in candidate_rowids(db, table) {
        match insert.execute([rowid]) {
            Ok(n) => salvaged.rows += n,
            Err(_) => salvaged.unreadable += 1,
        }
    }
    salvaged
}

/// The databases set aside beside `dir` so far, oldest first, as paths to show a technician.
pub fn set_aside_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(SET_ASIDE_DIR)) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kiosk-sqlite-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).expect("test setup");
        dir
    }

    fn rand_suffix() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed)
    }

    const TABLE: &str = "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)";

    fn filled(path: &Path, rows: usize) {
        let db = Connection::open(path).expect("test setup");
        db.pragma_update(None, "page_size", 1024).expect("test setup");
        db.execute_batch(TABLE).expect("test setup");
        for n in 0..rows {
            db.execute("INSERT INTO events (body) VALUES (?1)", [format!("event {n} {}", "x".repeat(200))])
                .expect("test setup");
        }
    }

    #[test]
    fn a_healthy_database_is_opened_as_it_is() {
        let dir = scratch();
        let path = dir.join("q.sqlite");
        filled(&path, 10);
        let opened = open(&path).expect("test setup");
        assert!(opened.set_aside.is_none());
        let n: i64 = opened.db.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("test setup");
        assert_eq!(n, 10);
        assert!(set_aside_in(&dir).is_empty());
    }

    #[test]
    fn a_file_that_is_not_a_database_is_set_aside_and_a_fresh_one_opened() {
        let dir = scratch();
        let path = dir.join("q.sqlite");
        std::fs::write(&path, b"this is not a database, it is what a bad sector left".repeat(100)).expect("test setup");
        let opened = open(&path).expect("test setup");
        let aside = opened.set_aside.as_ref().expect("set aside");
        assert!(aside.file.exists(), "the damaged file is kept for a technician");
        assert_eq!(set_aside_in(&dir).len(), 1);
        opened.db.execute_batch(TABLE).expect("test setup");
        assert_eq!(aside.salvage(&opened.db, &["events"]), Salvaged::default());
        let n: i64 = opened.db.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("test setup");
        assert_eq!(n, 0);
    }

    #[test]
    fn rows_on_undamaged_pages_are_copied_back_from_a_damaged_table() {
        let dir = scratch();
        let path = dir.join("q.sqlite");
        filled(&path, 200);
        // Damage one leaf page in the middle of the table (page size 1024; page 1 is the header).
        let mut bytes = std::fs::read(&path).expect("test setup");
        let pages = bytes.len() / 1024;
        assert!(pages > 20, "{pages} pages");
        let victim = pages / 2;
        bytes[victim * 1024..victim * 1024 + 1024].fill(0xA5);
        std::fs::write(&path, &bytes).expect("test setup");

        let opened = open(&path).expect("test setup");
        let aside = opened.set_aside.as_ref().expect("quick_check finds the damage");
        opened.db.execute_batch(TABLE).expect("test setup");
        let salvaged = aside.salvage(&opened.db, &["events"]);
        let n: i64 = opened.db.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("test setup");
        assert_eq!(n as usize, salvaged.rows);
        assert!(salvaged.rows >= 180, "most rows survive one bad page: {salvaged:?}");
        assert!(salvaged.rows < 200, "the damaged page's rows are not invented: {salvaged:?}");
        // What was copied is what was written.
        let body: String =
            opened.db.query_row("SELECT body FROM events WHERE seq = 1", [], |r| r.get(0)).expect("test setup");
        assert!(body.starts_with("event 0 "));
    }

    #[test]
    fn a_database_that_cannot_be_opened_for_another_reason_is_an_error_and_is_left_alone() {
        let dir = scratch();
        let path = dir.join("missing-folder").join("q.sqlite");
        assert!(open(&path).is_err());
        assert!(set_aside_in(&dir).is_empty());
    }
}
