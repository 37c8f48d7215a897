//! kiosk-core: the pure domain logic of the Hanoi public-service kiosk.
//!
//! Everything here is a function of its arguments: no files, no network, no clock (time is passed in), no UI.
//! The shell (`kiosk-app`) and the technician's tool (`kiosk-provision`) do the I/O and call into this crate,
//! so both judge a configuration, a ticket or a form in exactly the same way.

pub mod booking;
pub mod catalogue;
pub mod chords;
pub mod config;
pub mod dossier;
pub mod fee;
pub mod forms;
pub mod hours;
pub mod intake;
pub mod keyboard;
pub mod outbox;
pub mod portal;
pub mod privacy;
pub mod queue;
pub mod report;
pub mod search;
pub mod speech;
pub mod staff;
pub mod technician;
pub mod text;
pub mod time;
pub mod validate;
pub mod vietqr;
pub mod visit;
pub mod wards;
pub mod wav;
pub mod wizard;
