//! Residents' personal data, marked in the type system so it cannot reach a log line by accident.
//!
//! Wrap every value a resident gives (name, ID number, phone, address, scanned pages) in [`Personal`]. Its
//! `Debug` and `Display` print a fixed marker instead of the value, so `tracing::info!(?dossier)` is safe; the
//! value is reached only through [`Personal::expose`], which is easy to search for in review.
//! Must not do: implement `Serialize` or any other path that would copy the value out silently.

use std::fmt;

/// A value that belongs to a resident. Printing it prints [`Personal::MARKER`], never the value.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    /// What `Debug` and `Display` print in place of the value.
    pub const MARKER: &'static str = "‹personal data›";

    pub fn new(value: T) -> Self {
        Personal(value)
    }

    /// The value itself, for the code that really needs it (the form, the sealed payload). Never for logs.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MARKER)
    }
}

impl<T> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MARKER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)] // the fields are read through Debug only
    struct Visit {
        ward: &'static str,
        phone: Personal<String>,
    }

    #[test]
    fn debug_and_display_never_show_the_value() {
        let visit = Visit { ward: "Hoàn Kiếm", phone: Personal::new("0912345678".to_owned()) };
        let logged = format!("{visit:?} {}", visit.phone);
        assert!(!logged.contains("0912345678"), "{logged}");
        assert!(logged.contains(Personal::<String>::MARKER));
        assert!(logged.contains("Hoàn Kiếm"));
        assert_eq!(visit.phone.expose(), "0912345678");
    }
}
