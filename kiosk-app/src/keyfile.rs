//! 32-byte secrets kept in the state directory as base64 text (mode 600): the device key the kiosk signs with
//! and the service point's key the counter's copies are sealed to. Created on first start, crash-safe: written to
//! a temporary file, synced, renamed over, the directory synced; a power cut leaves either no key or a whole one.
//!
//! Must not do: log a key, or replace a key that exists (what was sealed or enrolled with it would be lost).

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;

/// The key in `path`, or a new random one written there. `what` names it in errors and the log.
pub fn load_or_create(path: &Path, what: &str) -> anyhow::Result<[u8; 32]> {
    check_private(path, what)?;
    match std::fs::read_to_string(path) {
        Ok(text) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .with_context(|| {
                format!("{} ({what}) is not a 32-byte key in base64; restore it from the backup", path.display())
            }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for the {what}: {e}"))?;
            write_new(path, &base64::engine::general_purpose::STANDARD.encode(key))
                .with_context(|| format!("creating {} ({what})", path.display()))?;
            tracing::info!(file = %path.display(), "created the {what}");
            Ok(key)
        }
        Err(error) => Err(error).with_context(|| format!("reading {} ({what})", path.display())),
    }
}

/// Refuses a secret file (if it exists) that users other than the kiosk's may read or write.
pub fn check_private(path: &Path, what: &str) -> anyhow::Result<()> {
    if let Ok(metadata) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "{} ({what}) can be read by other users (mode {mode:o}). Make it private, then start again: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
    Ok(())
}

/// Replaces `path` with `bytes` so that a power cut leaves the old file or the new one, never half of either:
/// a temporary file beside it (mode `mode`), synced, renamed over, the directory synced. For files that are
/// meant to change (the configuration, the enrolment record, the technician's PIN), unlike the keys above.
pub fn replace(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.new"));
    let written = (|| {
        let mut file =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&temporary)?;
        // An old temporary file keeps its mode through `mode()`: set it again.
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.new"));
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    // A key that appeared meanwhile (another process) wins: never replace one.
    std::fs::hard_link(&temporary, path)?;
    std::fs::remove_file(&temporary)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kiosk-keyfile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("ok");
        dir
    }

    #[test]
    fn a_key_is_created_once_private_and_read_back() {
        let dir = scratch("create");
        let path = dir.join("counter.key");
        let first = super::load_or_create(&path, "test key").expect("ok");
        assert_eq!(std::fs::metadata(&path).expect("ok").permissions().mode() & 0o777, 0o600);
        assert_eq!(super::load_or_create(&path, "test key").expect("ok"), first);
        assert_eq!(std::fs::read_dir(&dir).expect("ok").count(), 1, "no temporary file is left");
    }

    #[test]
    fn a_damaged_key_is_an_error_and_stays() {
        let dir = scratch("damaged");
        let path = dir.join("device.key");
        std::fs::write(&path, "not base64").expect("ok");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("ok");
        let error = format!("{:#}", super::load_or_create(&path, "device key").expect_err("refused"));
        assert!(error.contains("not a 32-byte key"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).expect("ok"), "not base64");
    }

    #[test]
    fn a_key_other_users_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("open");
        let path = dir.join("device.key");
        super::load_or_create(&path, "device key").expect("made");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = format!("{:#}", super::load_or_create(&path, "device key").expect_err("refused"));
        assert!(error.contains("chmod 600"), "{error}");
    }

    #[test]
    fn a_replaced_file_is_whole_with_its_mode_and_no_temporary_file() {
        let dir = scratch("replace");
        let path = dir.join("kiosk.toml");
        std::fs::write(dir.join(".kiosk.toml.new"), "half of an earlier try").expect("ok");
        super::replace(&path, b"first", 0o644).expect("written");
        super::replace(&path, b"second", 0o600).expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).expect("ok"), "second");
        assert_eq!(std::fs::metadata(&path).expect("ok").permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(&dir).expect("ok").count(), 1, "no temporary file is left");
    }

    #[test]
    fn a_left_over_temporary_file_does_not_stop_a_key_being_made() {
        let dir = scratch("left-over");
        std::fs::write(dir.join(".device.key.new"), "half").expect("ok");
        let key = super::load_or_create(&dir.join("device.key"), "device key").expect("ok");
        assert_ne!(key, [0u8; 32]);
    }
}
