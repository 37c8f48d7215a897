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
