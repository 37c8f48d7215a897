//! The technician's way into the kiosk's own screen: the PIN in `<state dir>/technician-pin` (one line, an
//! Argon2id PHC string made by `kiosk_core::staff::hash_pin`; `kiosk-provision setup` writes it with
//! [`set_pin`]), checked against what is typed on the PIN pad, and the lockout after wrong PINs
//! (kiosk-core's `technician::Lockout`) kept in `<state dir>/technician-lockout.json`, so a restart does not
//! reset it.
//!
//! Must not do: keep or log a PIN, or run on the UI thread (a check takes tens of milliseconds of Argon2 on
//! purpose; the UI hands it to a worker).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use kiosk_core::technician::{self as rules, Gate, Lockout, Refusal};

/// The PIN file's name in the state directory.
pub const PIN_FILE: &str = "technician-pin";
/// The lockout's file in the state directory.
pub const LOCKOUT_FILE: &str = "technician-lockout.json";

/// What the PIN pad says: on opening ([`door`]) or after a PIN was checked ([`check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The pad takes a PIN.
    Ready,
    /// The PIN was right: the technician screen opens.
    Right,
    /// The PIN was wrong; this many more before the pad locks.
    Wrong { attempts_left: u32 },
    /// Too many wrong PINs: no PIN is checked for this many more minutes.
    Locked { minutes_left: u32 },
    /// No technician PIN is set on this kiosk (`kiosk-provision setup` sets one).
    NotSet,
    /// The PIN file is there but cannot be used (damaged, unreadable, or open to other users; the log says which).
    Unusable,
}

/// Sets the technician PIN: 6 to 12 digits, not one digit repeated nor a run (kiosk-core's `staff::check_pin`),
/// hashed with Argon2id and written to `<state_dir>/technician-pin` crash-safe (a temporary file, synced,
/// renamed over the old one, the directory synced), mode 600. Replaces a PIN set before.
pub fn set_pin(state_dir: &Path, pin: &str) -> anyhow::Result<()> {
    kiosk_core::staff::check_pin(pin).map_err(|error| anyhow::anyhow!("the technician PIN was not set: {error}"))?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness for the PIN's salt: {e}"))?;
    let hash = kiosk_core::staff::hash_pin(pin, salt).context("hashing the technician PIN")?;
    let path = state_dir.join(PIN_FILE);
    crate::keyfile::replace(&path, format!("{hash}\n").as_bytes(), 0o600)
        .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(file = %path.display(), "the technician PIN was set");
    Ok(())
}

/// Whether a technician PIN is set (the file exists; whether it is usable is told when a PIN is checked).
pub fn is_set(state_dir: &Path) -> bool {
    state_dir.join(PIN_FILE).is_file()
}

/// What the pad says as it opens: whether a PIN is set and whether the pad is locked. Reads two small files:
/// call it off the UI thread.
pub fn door(state_dir: &Path, now: i64) -> Answer {
    if !is_set(state_dir) {
        return Answer::NotSet;
    }
    match load_lockout(state_dir).gate(now) {
        Some(until) => Answer::Locked { minutes_left: rules::minutes_left(until, now) },
        None => Answer::Ready,
    }
}

/// Checks a PIN typed on the pad: counted in the lockout (and saved) before it is checked, so stopping the kiosk
/// mid-check gives no attempt back. Blocking (Argon2, the disk): call it off the UI thread.
pub fn check(state_dir: &Path, pin: &str, now: i64) -> Answer {
    // One check at a time in this process: the count read, changed and saved is never raced.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let hash = match read_hash(state_dir) {
        Ok(Some(hash)) => hash,
        Ok(None) => return Answer::NotSet,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "the technician PIN cannot be checked");
            return Answer::Unusable;
        }
    };
    let mut lockout = load_lockout(state_dir);
    if let Gate::Locked { until } = lockout.attempt(now) {
        return Answer::Locked { minutes_left: rules::minutes_left(until, now) };
    }
    if let Err(error) = save_lockout(state_dir, &lockout) {
        // Without a saved count a restart would give the attempts back: no PIN is checked then.
        tracing::error!(error = %format!("{error:#}"), "the technician lockout could not be saved; PIN not checked");
        return Answer::Unusable;
    }
    if kiosk_core::staff::verify_pin(&hash, pin) {
        lockout.succeeded();
        if let Err(error) = save_lockout(state_dir, &lockout) {
            tracing::warn!(error = %format!("{error:#}"), "the technician lockout could not be cleared");
        }
        tracing::info!("the technician PIN was entered: technician screen opened");
        return Answer::Right;
    }
    match lockout.failed(now) {
        Refusal::WrongPin { attempts_left } => {
            tracing::warn!(attempts_left, "a wrong technician PIN was entered");
            Answer::Wrong { attempts_left }
        }
        Refusal::NowLocked { until } => {
            tracing::warn!(until, "too many wrong technician PINs: the PIN pad is locked");
            Answer::Locked { minutes_left: rules::minutes_left(until, now) }
        }
    }
}

/// The PIN file's hash; None when no PIN is set. An error for a file that others may read, that cannot be
/// read, or that holds no Argon2id hash.
fn read_hash(state_dir: &Path) -> anyhow::Result<Option<String>> {
    let path = state_dir.join(PIN_FILE);
    crate::keyfile::check_private(&path, "technician PIN")?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    let hash = text.trim();
    anyhow::ensure!(
        rules::readable_hash(hash),
        "{} holds no Argon2id PIN hash; set the PIN again with `kiosk-provision setup`",
        path.display()
    );
    Ok(Some(hash.to_owned()))
}

fn lockout_path(state_dir: &Path) -> PathBuf {
    state_dir.join(LOCKOUT_FILE)
}

/// The saved lockout; a missing file is none, a damaged one is logged and read as none.
fn load_lockout(state_dir: &Path) -> Lockout {
    let path = lockout_path(state_dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            tracing::warn!(file = %path.display(), %error, "the technician lockout file is damaged; starting afresh");
            Lockout::default()
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Lockout::default(),
        Err(error) => {
            tracing::warn!(file = %path.display(), %error, "the technician lockout file cannot be read");
            Lockout::default()
        }
    }
}

fn save_lockout(state_dir: &Path, lockout: &Lockout) -> anyhow::Result<()> {
    let path = lockout_path(state_dir);
    let text = serde_json::to_string(lockout).context("writing the lockout as JSON")?;
    crate::keyfile::replace(&path, text.as_bytes(), 0o600).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kiosk-technician-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("ok");
        dir
    }

    #[test]
    fn a_pin_is_set_private_as_a_hash_and_checked() {
        let dir = scratch("set");
        assert!(!is_set(&dir));
        assert_eq!(door(&dir, 0), Answer::NotSet);
        assert_eq!(check(&dir, "246813", 0), Answer::NotSet);
        set_pin(&dir, "246813").expect("set");
        assert!(is_set(&dir));
        let path = dir.join(PIN_FILE);
        assert_eq!(std::fs::metadata(&path).expect("ok").permissions().mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(&path).expect("ok");
        assert!(text.starts_with("$argon2id$") && text.ends_with('\n') && text.lines().count() == 1, "{text}");
        assert!(!text.contains("246813"));
        assert_eq!(door(&dir, 0), Answer::Ready);
        assert_eq!(check(&dir, "246813", 0), Answer::Right);
        assert_eq!(check(&dir, "246814", 0), Answer::Wrong { attempts_left: 4 });
        // Set again: the new PIN replaces the old one, and no temporary file is left.
        set_pin(&dir, "135790").expect("set again");
        assert_eq!(check(&dir, "135790", 0), Answer::Right);
        assert_eq!(check(&dir, "246813", 0), Answer::Wrong { attempts_left: 4 }, "the right PIN cleared the count");
        let names: Vec<_> = std::fs::read_dir(&dir).expect("ok").map(|e| e.expect("ok").file_name()).collect();
        assert_eq!(names.len(), 2, "the PIN and the lockout, nothing else: {names:?}");
    }

    #[test]
    fn a_pin_that_is_not_6_to_12_digits_is_refused_with_why() {
        let dir = scratch("refused");
        for (pin, why) in [
            ("12345", "6 to 12 digits"),
            ("1234567890123", "6 to 12 digits"),
            ("24681a", "6 to 12 digits"),
            ("111111", "too easy"),
        ] {
            let error = format!("{:#}", set_pin(&dir, pin).expect_err("refused"));
            assert!(error.contains(why), "{pin}: {error}");
        }
        assert!(!is_set(&dir), "nothing written");
    }

    #[test]
    fn five_wrong_pins_lock_the_pad_and_the_lock_is_kept_on_disk() {
        let dir = scratch("lock");
        set_pin(&dir, "246813").expect("set");
        for left in (1..5).rev() {
            assert_eq!(check(&dir, "000000", 100), Answer::Wrong { attempts_left: left });
        }
        assert_eq!(check(&dir, "000000", 100), Answer::Locked { minutes_left: 5 });
        assert_eq!(check(&dir, "246813", 160), Answer::Locked { minutes_left: 4 }, "not even the right PIN");
        assert_eq!(door(&dir, 160), Answer::Locked { minutes_left: 4 });
        assert_eq!(door(&dir, 400), Answer::Ready, "the lock ends");
        assert_eq!(check(&dir, "246813", 400), Answer::Right);
    }

    #[test]
    fn a_damaged_or_open_pin_file_is_unusable_and_counts_nothing() {
        let dir = scratch("damaged");
        let path = dir.join(PIN_FILE);
        std::fs::write(&path, "246813\n").expect("ok");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("ok");
        assert_eq!(check(&dir, "246813", 0), Answer::Unusable);
        set_pin(&dir, "246813").expect("set");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("ok");
        assert_eq!(check(&dir, "246813", 0), Answer::Unusable);
        assert!(!dir.join(LOCKOUT_FILE).exists(), "nothing counted");
    }
}
