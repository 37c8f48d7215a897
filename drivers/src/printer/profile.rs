//! Printer profiles: what a model really has (paper width, Vietnamese code pages, native QR, cutter) and which
//! Vietnamese strategy to use on it. Must not do: guess code page numbers; a number is listed only where a
//! manufacturer's table documents it (shared/reference/escpos.md §2.1).

/// How Vietnamese text reaches the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The printer's own Vietnamese table: TCVN-3 if it has one, else CP1258 with decomposed tones.
    CodePage,
    /// The accented letters a document uses are defined as user-defined characters (ESC &) from our font.
    Downloaded,
    /// Every text line drawn with our font and sent as a raster image (GS v 0): works everywhere, costs bytes.
    Raster,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::CodePage, Strategy::Downloaded, Strategy::Raster];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::CodePage => "codepage",
            Strategy::Downloaded => "downloaded",
            Strategy::Raster => "raster",
        }
    }

    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cutter {
    None,
    Full,
    Partial,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// Printable width in dots: 384 for 58 mm paper, 576 for 80 mm (203 dpi).
    pub paper_dots: u16,
    pub strategy: Strategy,
    /// `ESC t` numbers of the TCVN-3 lower- and upper-case tables, if the printer has them.
    pub tcvn3_pages: Option<(u8, u8)>,
    /// `ESC t` number of Windows-1258, if the printer has it.
    pub cp1258_page: Option<u8>,
    /// Whether the printer draws QR codes itself (GS ( k).
    pub native_qr: bool,
    pub cutter: Cutter,
    /// Whether ESC & / ESC % user-defined characters work (12 x 24 font A cells).
    pub user_defined_characters: bool,
    /// Whether the printer supports automatic status back (GS a).
    pub automatic_status_back: bool,
}

/// The shipped profiles' names, for the technician's tool and the config.
pub const BUILTIN: [&str; 4] = ["epson-tm-t88", "epson-tm-t20", "generic-80", "generic-58"];

impl Profile {
    /// A shipped profile by name.
    pub fn builtin(name: &str) -> Option<Profile> {
        let epson = |name: &str| Profile {
            name: name.to_owned(),
            paper_dots: 576,
            strategy: Strategy::CodePage,
            // Epson's code table list: page 30/31 TCVN-3 lower/upper, page 52 WPC1258.
            tcvn3_pages: Some((30, 31)),
            cp1258_page: Some(52),
            native_qr: true,
            cutter: Cutter::Partial,
            user_defined_characters: true,
            automatic_status_back: true,
        };
        match name {
            "epson-tm-t88" | "epson-tm-t20" => Some(epson(name)),
            // Clones disagree on Vietnamese page numbers, so none is assumed: downloaded characters instead.
            "generic-80" => Some(Profile {
                name: name.to_owned(),
                paper_dots: 576,
                strategy: Strategy::Downloaded,
                tcvn3_pages: None,
                cp1258_page: None,
                native_qr: true,
                cutter: Cutter::Partial,
                user_defined_characters: true,
                automatic_status_back: false,
            }),
            "generic-58" => Some(Profile {
                name: name.to_owned(),
                paper_dots: 384,
                strategy: Strategy::Downloaded,
                tcvn3_pages: None,
                cp1258_page: None,
                native_qr: false,
                cutter: Cutter::None,
                user_defined_characters: true,
                automatic_status_back: false,
            }),
            _ => None,
        }
    }
}
