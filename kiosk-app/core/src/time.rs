//! Time as the core takes it: seconds since the Unix epoch, passed in by the shell (the core reads no clock).

/// Seconds since the Unix epoch (UTC).
pub type Seconds = i64;
