//! kiosk-app: the kiosk's imperative shell. [`app::App`] reads nothing itself: given the configuration it opens the
//! devices, the stores and the network, serves the counter API, forwards the outbox and runs the Slint UI.
//!
//! Invariants: only [`ui`] (the bridge, and its headless renderer) names Slint types; the UI thread never blocks (devices and the network are polled on
//! their own threads and results come back through the event loop); residents' data never reaches a log line.

pub mod app;
pub mod board;
pub mod booking;
pub mod clock;
pub mod console;
pub mod core_service;
pub mod counter_api;
pub mod devices;
pub mod dossier;
pub mod held;
pub mod keyfile;
pub mod logging;
pub mod lookup;
pub mod outbox;
pub mod portal;
pub mod print_spool;
pub mod printing;
pub mod queue_store;
pub mod speech;
pub mod sqlite;
pub mod staff_store;
pub mod status_file;
pub mod technician;
pub mod tickets;
pub mod tls;
pub mod tracking;
pub mod ui;
pub mod visit;
pub mod words;

use std::path::Path;

use kiosk_core::config::{self, Config};

/// Reads and validates the configuration file, exactly as `kiosk-provision check-config` does.
pub fn load_config(path: &Path) -> Result<Config, config::Error> {
    let bytes = std::fs::read(path).map_err(|e| config::Error::unreadable(path, &e))?;
    config::parse(path, &bytes)
}

/// Tunes glibc's allocator for a long-running kiosk, before any thread starts:
/// - at most two heap arenas: glibc gives each busy thread an arena of its own (up to 8 per core) and each keeps
///   what was freed in it; with a UI thread, a device thread, two network workers and their blocking pool that
///   retained the scan pipeline's buffers several times over;
/// - a fixed threshold above which a block is its own mapping, given back to the system when freed. glibc raises
///   the threshold to the size of each large block freed, so after the first scan the next scan's page buffers
///   (about 4 MB each) came from the heap and stayed there.
///
/// bench-tap's peak through every flow, default allocator settings: 62 MiB; see the closing figures in README.
#[allow(unsafe_code)] // two libc calls; the block says why they are sound
pub fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters; called from `main` before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// No core dumps of this process (a dump would hold residents' answers, scanned pages and the keys in clear), and
/// no other process of the same user may attach to it (`PR_SET_DUMPABLE` 0 also stops ptrace and
/// /proc/PID/mem). Called first thing in `main`; failure is logged, not fatal (systemd's `LimitCORE=0` is the
/// second line).
#[allow(unsafe_code)] // two libc calls; the block says why they are sound
pub fn no_core_dumps() {
    let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: setrlimit reads the struct passed by reference; prctl with PR_SET_DUMPABLE takes plain integers.
    let (limit, dumpable) =
        unsafe { (libc::setrlimit(libc::RLIMIT_CORE, &none), libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0)) };
    if limit != 0 || dumpable != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "core dumps could not be turned off");
    }
}

/// Gives the pages the allocator holds free back to the system: called when the home screen returns, so what a
/// finished screen used (a dossier's pages, the search's results, the slip's picture) does not stay resident
/// between residents. glibc only returns the free top of a heap by itself; the free pages inside it stay.
#[allow(unsafe_code)] // one libc call; the block says why it is sound
pub fn give_back_free_memory() {
    // SAFETY: malloc_trim only releases free pages of glibc's heaps; it takes the allocator's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The staff accounts file inside the state directory (managed by `kiosk-provision staff`).
pub const STAFF_FILE: &str = "staff.toml";

/// Creates the state directory if needed, readable and writable by the kiosk's user alone.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating the state directory {}", dir.display()))?;
    }
    let mode = std::fs::metadata(dir).with_context(|| format!("reading {}", dir.display()))?.permissions().mode();
    if mode & 0o077 != 0 {
        anyhow::bail!(
            "{} is open to other users (mode {:o}); it holds residents' sealed dossiers and the kiosk's keys. \
             Make it private, then start again: chmod 700 {}",
            dir.display(),
            mode & 0o777,
            dir.display()
        );
    }
    Ok(())
}

/// Writes `bytes` to `path` as a whole: a temporary file beside it (mode `mode`), fsynced, renamed over `path`,
/// then the directory fsynced. A crash or power cut leaves the old file or the new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.new"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&temporary)
        .with_context(|| format!("writing {}", temporary.display()))?;
    file.write_all(bytes).with_context(|| format!("writing {}", temporary.display()))?;
    file.sync_all().with_context(|| format!("syncing {}", temporary.display()))?;
    drop(file);
    std::fs::rename(&temporary, path).with_context(|| format!("renaming {} into place", temporary.display()))?;
    sync_dir(dir)
}

/// Syncs a directory, so a file created, renamed or removed in it survives a power cut.
pub fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing the directory {}", dir.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    #[allow(unsafe_code)] // reading back what no_core_dumps set
    fn core_dumps_are_off_and_the_process_cannot_be_attached_to() {
        super::no_core_dumps();
        let mut limit = libc::rlimit { rlim_cur: 1, rlim_max: 1 };
        // SAFETY: getrlimit writes into the struct passed; prctl(PR_GET_DUMPABLE) takes no pointers.
        let (read, dumpable) =
            unsafe { (libc::getrlimit(libc::RLIMIT_CORE, &mut limit), libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0)) };
        assert_eq!((read, limit.rlim_cur, limit.rlim_max), (0, 0, 0));
        assert_eq!(dumpable, 0);
    }
}
