//! kiosk-app: the kiosk's imperative shell. It reads the configuration, opens the devices, runs the Slint UI
//! and (with later issues) the outbox, the portal client and the counter API.
//!
//! Invariants: only [`ui`] (the bridge, and its headless renderer) names Slint types; the UI thread never blocks (devices and the network are polled on
//! their own threads and results come back through the event loop); residents' data never reaches a log line.

pub mod devices;
pub mod logging;
pub mod printing;
pub mod queue_store;
pub mod ui;

use std::path::Path;

use kiosk_core::config::{self, Config};

/// Reads and validates the configuration file, exactly as `kiosk-provision check-config` does.
pub fn load_config(path: &Path) -> Result<Config, config::Error> {
    let bytes = std::fs::read(path).map_err(|e| config::Error::unreadable(path, &e))?;
    config::parse(path, &bytes)
}
