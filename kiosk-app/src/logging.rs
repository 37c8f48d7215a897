//! Logging with `tracing`: readable lines on a terminal; plain lines without timestamps or colours when systemd
//! collects them (journald adds its own time), detected through `JOURNAL_STREAM`.
//!
//! Must not do: log a resident's personal data. Values that belong to a resident are wrapped in
//! `kiosk_core::privacy::Personal`, whose Debug and Display print a marker instead.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The environment variable that sets the log filter, e.g. `KIOSK_LOG=debug` or `KIOSK_LOG=kiosk_app=trace`.
pub const FILTER_VAR: &str = "KIOSK_LOG";

pub fn init() {
    let filter = EnvFilter::try_from_env(FILTER_VAR).unwrap_or_else(|_| EnvFilter::new("info"));
    let under_systemd = std::env::var_os("JOURNAL_STREAM").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .with_ansi(!under_systemd && std::io::stderr().is_terminal());
    // A second init (tests calling into the binary's code) keeps the first subscriber; that is fine.
    let _ = if under_systemd { builder.without_time().try_init() } else { builder.try_init() };
}
