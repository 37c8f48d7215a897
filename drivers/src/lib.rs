//! kiosk-drivers: the devices attached to a kiosk (receipt printer, document scanner, pager transmitter),
//! each behind a trait that names its role, with a simulator beside every real implementation.
//!
//! Must not do: know anything about kiosks, residents, tickets as a business object, or configuration files.
//! A driver is given bytes to send or options to use, and answers with values and typed errors whose `kind()`
//! the application can act on without knowing the transport.

pub mod pager;
pub mod printer;
pub mod scanner;
pub mod transport;

/// Locks a simulator's shared state. A poisoned lock only means a test thread panicked while holding it; the
/// state itself is still whole, so every simulator carries on with it.
pub(crate) fn lock_sim<T>(shared: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
