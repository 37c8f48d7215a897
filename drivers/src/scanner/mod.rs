//! Document scanners: the `Scanner` role, its settings and errors, the SANE driver (through a helper process, so
//! SANE stays on one thread of its own process and a backend that hangs or crashes cannot take the kiosk with
//! it), the page pipeline that turns raw scans into small legible JPEG pages and one PDF per document, and the
//! simulated scanner, which "scans" a realistic document with text.
//!
//! Must not do: touch SANE from the kiosk's own process, or keep a resident's pages anywhere but in the values
//! returned (the caller decides where they go: the outbox seals them).

pub mod confine;
pub mod helper;
pub mod pdf;
pub mod pipeline;
pub mod sane;
pub mod sim;

use std::sync::{Arc, Mutex};

pub use helper::SaneScanner;
pub use sim::{SimScanner, SimScannerControl};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// The scanner is not there (unplugged, switched off, not found on the network).
    Disconnected,
    /// Another scan is running, or the scanner is warming up.
    Busy,
    CoverOpen,
    /// Paper jammed in the feeder.
    Jammed,
    /// No paper in the feeder.
    NoDocument,
    /// Anything else the scanner or its driver reports; the message says what.
    Io,
}

impl ErrorKind {
    /// What a technician should look at first (English; the resident's screen has its own words).
    pub fn hint(self) -> &'static str {
        match self {
            ErrorKind::Disconnected => {
                "check the cable and power, that the kiosk user may use the scanner (scanner group or udev rule), \
                 and `scanimage -L`"
            }
            ErrorKind::Busy => "wait for the other scan to finish, or switch the scanner off and on",
            ErrorKind::CoverOpen => "close the scanner's cover",
            ErrorKind::Jammed => "open the feeder and clear the paper path",
            ErrorKind::NoDocument => "put the document in the feeder, face as the feeder shows",
            ErrorKind::Io => "see the message; switch the scanner off and on; `scanimage -d DEVICE -T` tests it",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the scanner is not connected{}", if .0.is_empty() { String::new() } else { format!(" ({})", .0) })]
    Disconnected(String),
    /// What the scanner said, in SANE's words (for the technician), with the kind the UI acts on.
    #[error("the scanner reports: {message}")]
    Reported { kind: ErrorKind, message: String },
    /// The helper process could not run or broke off (a missing library, a crashed backend).
    #[error("the scanner driver failed: {0}")]
    Driver(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Disconnected(_) => ErrorKind::Disconnected,
            Error::Reported { kind, .. } => *kind,
            Error::Driver(_) => ErrorKind::Io,
        }
    }

    pub fn reported(kind: ErrorKind) -> Error {
        let message = match kind {
            ErrorKind::Disconnected => return Error::Disconnected(String::new()),
            ErrorKind::Busy => "device busy",
            ErrorKind::CoverOpen => "scanner cover is open",
            ErrorKind::Jammed => "document feeder jammed",
            ErrorKind::NoDocument => "document feeder out of documents",
            ErrorKind::Io => "error during device I/O",
        };
        Error::Reported { kind, message: message.into() }
    }
}

/// Where the paper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// On the glass: one page a scan.
    Flatbed,
    /// In the automatic document feeder: every page in it, one scan.
    Feeder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ColourMode {
    Grey,
    Colour,
}

/// The area scanned, from the glass's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PageSize {
    /// 210 x 297 mm.
    A4,
    /// A citizen ID card (ISO/IEC 7810 ID-1, 85.6 x 54 mm) placed in the corner, with room around it.
    IdCard,
    /// Width and height in millimetres.
    Custom(f64, f64),
}

impl PageSize {
    pub fn millimetres(self) -> (f64, f64) {
        match self {
            PageSize::A4 => (210.0, 297.0),
            PageSize::IdCard => (100.0, 70.0),
            PageSize::Custom(width, height) => (width, height),
        }
    }
}

/// What to scan and how.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    pub source: Source,
    pub mode: ColourMode,
    /// Dots per inch asked for; the nearest the scanner offers (not below, where it can) is used.
    pub resolution: u32,
    pub size: PageSize,
    /// Further options by their SANE names, for technicians and tests (e.g. `read-return-value`).
    pub extra: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { source: Source::Flatbed, mode: ColourMode::Grey, resolution: 300, size: PageSize::A4, extra: vec![] }
    }
}

/// What a scanner offers, read from its own options.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Capabilities {
    pub sources: Vec<Source>,
    pub modes: Vec<ColourMode>,
    /// The resolutions offered: a range (min, max) or a list.
    pub resolutions: Resolutions,
    /// The largest area, in millimetres, when the scanner says.
    pub max_area: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Resolutions {
    Range(u32, u32),
    List(Vec<u32>),
}

impl Resolutions {
    /// The resolution to ask for: the smallest offered at or above `wanted`, else the largest.
    pub fn choose(&self, wanted: u32) -> u32 {
        match self {
            Resolutions::Range(min, max) => wanted.clamp(*min, *max),
            Resolutions::List(list) => list
                .iter()
                .copied()
                .filter(|r| *r >= wanted)
                .min()
                .or_else(|| list.iter().copied().max())
                .unwrap_or(wanted),
        }
    }
}

/// A page as the scanner delivered it: 8 bits a sample, grey (1 channel) or RGB (3).
#[derive(Clone, PartialEq, Eq)]
pub struct RawPage {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub dpi: u32,
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for RawPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the pixels: they may be a resident's ID card.
        write!(f, "RawPage({}x{}x{} at {} dpi)", self.width, self.height, self.channels, self.dpi)
    }
}

/// The role: a device that scans paper documents.
pub trait Scanner: Send {
    /// Checks that the scanner is there and ready to scan.
    fn check(&mut self) -> Result<(), Error>;
    /// What the scanner offers.
    fn capabilities(&mut self) -> Result<Capabilities, Error>;
    /// Scans: one page from the glass, or every page in the feeder (at least one, else `NoDocument`).
    fn scan(&mut self, settings: &Settings) -> Result<Vec<RawPage>, Error>;
}

pub(crate) fn shared<T: Default>() -> Arc<Mutex<T>> {
    Arc::new(Mutex::new(T::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_resolution_offered_is_chosen() {
        assert_eq!(Resolutions::Range(75, 1200).choose(300), 300);
        assert_eq!(Resolutions::Range(75, 200).choose(300), 200);
        assert_eq!(Resolutions::List(vec![75, 150, 600]).choose(300), 600);
        assert_eq!(Resolutions::List(vec![75, 150]).choose(300), 150);
    }

    #[test]
    fn errors_keep_their_kind_and_words() {
        let jam = Error::reported(ErrorKind::Jammed);
        assert_eq!(jam.kind(), ErrorKind::Jammed);
        assert!(jam.to_string().contains("jammed"));
        assert_eq!(Error::Disconnected("gone".into()).kind(), ErrorKind::Disconnected);
        assert_eq!(Error::Driver("crashed".into()).kind(), ErrorKind::Io);
    }
}
