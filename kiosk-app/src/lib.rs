//! kiosk-app: the kiosk's imperative shell. [`app::App`] reads nothing itself: given the configuration it opens the
//! devices, the stores and the network, serves the counter API, forwards the outbox and runs the Slint UI.
//!
//! Invariants: only [`ui`] (the bridge, and its headless renderer) names Slint types; the UI thread never blocks (devices and the network are polled on
//! their own threads and results come back through the event loop); residents' data never reaches a log line.

pub mod app;
pub mod clock;
pub mod counter_api;
pub mod devices;
pub mod dossier;
pub mod logging;
pub mod lookup;
pub mod outbox;
pub mod portal;
pub mod printing;
pub mod queue_store;
pub mod tickets;
pub mod tracking;
pub mod ui;
pub mod visit;

use std::path::Path;

use kiosk_core::config::{self, Config};

/// Reads and validates the configuration file, exactly as `kiosk-provision check-config` does.
pub fn load_config(path: &Path) -> Result<Config, config::Error> {
    let bytes = std::fs::read(path).map_err(|e| config::Error::unreadable(path, &e))?;
    config::parse(path, &bytes)
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
        tracing::warn!(dir = %dir.display(), mode = format!("{:o}", mode & 0o777), "the state directory is readable by other users; chmod 700 it");
    }
    Ok(())
}
