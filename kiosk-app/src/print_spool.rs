//! Tickets a counter asks to reprint while the kiosk's core service runs apart from the screen: the core owns
//! the staff console but not the printer, so it leaves each ticket (its number, service, pager and wait: no
//! resident) in `print-spool/` in the state directory, written under a temporary name and renamed; the screen
//! prints what it finds, oldest first, and deletes each file only once its device thread has taken the print (a
//! screen stopping between reading and handing over leaves the file for the next). A reprint asked while the
//! screen restarts is printed when it is back.
//! Must not do: hold personal data; lose a reprint to a half-written file (the rename is the moment it exists).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

use crate::tickets::Issued;

/// The spool's folder in the state directory.
pub const DIR: &str = "print-spool";

fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join(DIR)
}

/// Leaves a ticket for the screen to print.
pub fn put(state_dir: &Path, issued: &Issued) -> anyhow::Result<()> {
    let dir = dir(state_dir);
    crate::ensure_private_dir(&dir)?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let name = format!("{nanos:024}-{}.json", std::process::id());
    let temporary = dir.join(format!(".{name}.tmp"));
    std::fs::write(&temporary, serde_json::to_vec(issued)?)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, dir.join(&name)).with_context(|| format!("placing {name} in {}", dir.display()))?;
    Ok(())
}

/// Every ticket waiting, oldest first, with its file (for [`done`] once printed). A file that does not read as a
/// ticket is moved aside as `*.unreadable` and logged, never printed half.
pub fn waiting(state_dir: &Path) -> Vec<(PathBuf, Issued)> {
    let dir = dir(state_dir);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut names: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.')))
        .collect();
    names.sort();
    let mut found = Vec::new();
    for path in names {
        match std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice::<Issued>(&bytes).ok()) {
            Some(issued) => found.push((path, issued)),
            None => {
                tracing::error!(file = %path.display(), "a reprint in the print spool could not be read; set aside");
                let _ = std::fs::rename(&path, path.with_extension("unreadable"));
            }
        }
    }
    found
}

/// Removes a printed ticket's file from the spool.
pub fn done(path: &Path) {
    if let Err(error) = std::fs::remove_file(path) {
        tracing::error!(file = %path.display(), %error, "a printed reprint could not be removed from the spool");
    }
}

/// Prints what the spool holds every `interval`, on a thread of its own, for as long as `open` says the screen
/// is there (a screen going away leaves the spool to the next one). `print` says whether the printer's thread
/// took the ticket; one it did not take stays in the spool.
pub fn watch(
    state_dir: &Path,
    interval: Duration,
    open: impl Fn() -> bool + Send + 'static,
    print: impl Fn(Issued) -> bool + Send + 'static,
) -> anyhow::Result<()> {
    let state_dir = state_dir.to_owned();
    std::thread::Builder::new()
        .name("print-spool".into())
        .spawn(move || {
            while open() {
                for (path, issued) in waiting(&state_dir) {
                    let label = issued.label.clone();
                    if !open() || !print(issued) {
                        break;
                    }
                    tracing::info!(ticket = %label, "a counter's reprint is printed");
                    done(&path);
                }
                std::thread::sleep(interval);
            }
        })
        .context("starting the print spool's thread")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(label: &str) -> Issued {
        Issued {
            label: label.into(),
            service_code: "HT".into(),
            service_vi: "Hộ tịch".into(),
            service_en: "Civil status".into(),
            pager: Some(4),
            priority: kiosk_core::queue::Priority::None,
            ahead: 2,
            wait_minutes: 10,
            rough: false,
            issued_at: 1_700_000_000,
        }
    }

    #[test]
    fn reprints_come_out_oldest_first_stay_until_printed_and_a_broken_file_is_set_aside() {
        let state = std::env::temp_dir().join(format!("kiosk-spool-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(&state).expect("state");
        put(&state, &ticket("HT-001")).expect("put");
        put(&state, &ticket("HT-002")).expect("put");
        std::fs::write(dir(&state).join("0-broken.json"), b"{\"label\":").expect("a torn file");
        std::fs::write(dir(&state).join(".1-still-writing.json.tmp"), b"{").expect("a file being written");
        let found = waiting(&state);
        let labels: Vec<&str> = found.iter().map(|(_, t)| t.label.as_str()).collect();
        assert_eq!(labels, ["HT-001", "HT-002"]);
        assert!(dir(&state).join("0-broken.unreadable").exists(), "kept aside for a look, not printed");
        assert_eq!(waiting(&state).len(), 2, "a ticket not yet printed stays until it is");
        done(&found[0].0);
        let left: Vec<String> = waiting(&state).into_iter().map(|(_, t)| t.label).collect();
        assert_eq!(left, ["HT-002"], "each printed once");
    }
}
