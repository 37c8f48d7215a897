//! End-to-end tests of the kiosk: the real UI driven through Slint's testing backend, the real binaries run as
//! processes, and the rules the workspace's layout must keep.

mod booking;
mod booking_portal;
mod browser_harness;
mod config_check;
mod console;
mod core_apart;
mod counter_api;
mod dossier;
mod fee;
mod held;
mod hours;
mod layering;
mod outbox;
mod provision;
mod read_aloud;
mod scanner;
mod screens;
mod technician;
mod tls;
mod translations;
mod visit;
