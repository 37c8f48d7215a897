//! The durable outbox: every submission is sealed and stored before the resident is told "saved", then forwarded
//! to the portal whenever it can be, exactly once, and deleted from the kiosk once the portal acknowledges it.
//! See `store` (SQLite and page files), `forwarder` (through `crate::portal`),
//! and `resident` (what a resident's submission does between "send" and its printed slip).

pub mod commands;
pub mod forwarder;
pub mod resident;
pub mod store;
