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

/// A USB receipt printer known by its vendor and product ids, and the shipped profile to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbModel {
    pub vendor_id: u16,
    pub product_id: u16,
    /// What the ids are sold as (`lsusb` names in brackets where they differ).
    pub model: &'static str,
    /// One of [`BUILTIN`].
    pub profile: &'static str,
    /// Whether the ids name one maker's models. The generic ids are a chip maker's reference ids that dozens
    /// of clone makers ship in 58 mm and 80 mm printers alike (and some non-printers), so the paper width must be
    /// checked on the printer.
    pub pinned: bool,
}

/// USB ids of receipt printers, as data. Epson's ids name an interface board more than a model; both Epson
/// profiles are the same printer language, so a misattributed Epson id still gets a working profile.
pub const USB_MODELS: &[UsbModel] = &[
    // Linux drivers/usb/class/usblp.c quirk table ("Seiko Epson Receipt Printer M129C", USBLP_QUIRK_BAD_CLASS:
    // its interface may be vendor-specific); odoo addons/hw_escpos/xmlescpos/supported_devices.py (TM-T70);
    // openbravo webprinter usbprinters/epsontmt88v.js (TM-T88V).
    UsbModel {
        vendor_id: 0x04b8,
        product_id: 0x0202,
        model: "Epson TM-T88 series / TM-T70 (Receipt Printer M129C)",
        profile: "epson-tm-t88",
        pinned: true,
    },
    // odoo addons/hw_escpos/xmlescpos/supported_devices.py ("Epson TM-T20").
    UsbModel { vendor_id: 0x04b8, product_id: 0x0e03, model: "Epson TM-T20", profile: "epson-tm-t20", pinned: true },
    // odoo addons/hw_escpos/xmlescpos/supported_devices.py ("Epson TM-T20II"); some projects list it for a TM-T88V.
    UsbModel { vendor_id: 0x04b8, product_id: 0x0e15, model: "Epson TM-T20II", profile: "epson-tm-t20", pinned: true },
    // python-escpos users' code naming it ("TM-T20III": [0x04b8, 0x0e28]); also seen on a TM-T88VI.
    UsbModel { vendor_id: 0x04b8, product_id: 0x0e28, model: "Epson TM-T20III", profile: "epson-tm-t20", pinned: true },
    // Linux usblp.c quirk table ("Winbond Electronics Corp. Virtual Com Port", USBLP_QUIRK_NO_SET_INTF, 2020);
    // vpatron/usb_receipt_printer ("POS58 USB thermal receipt printer ... made by Zijiang"); python-escpos's
    // ZJ-5870 profile used with it (alifeee/thermal-printer-pi).
    UsbModel {
        vendor_id: 0x0416,
        product_id: 0x5011,
        model: "generic POS-58 class, Winbond chip (Zjiang ZJ-5870 and clones)",
        profile: "generic-58",
        pinned: false,
    },
    // lsusb "STMicroelectronics USB Printer P"; descriptor dumps of an Xprinter XP-T58H; Rongta RP58 lists. The
    // same ids are used by some STM32 boards, so only a printer-class interface makes it a printer.
    UsbModel {
        vendor_id: 0x0483,
        product_id: 0x5743,
        model: "generic printer, STM32 chip (Xprinter XP-58 class, Rongta RP58)",
        profile: "generic-58",
        pinned: false,
    },
    // lsusb "ICS Advent Parallel Adapter"; named for the Xprinter XP-T80A and Cashino KP-300 (80 mm) and the
    // GOOJPRT PT-210 (58 mm) in public setup guides.
    UsbModel {
        vendor_id: 0x0fe6,
        product_id: 0x811e,
        model: "generic printer (Xprinter XP-T80A, Cashino KP-300) [ICS Advent Parallel Adapter]",
        profile: "generic-80",
        pinned: false,
    },
    // lsusb "GDMicroelectronics micro-printer" (manufacturer string GEZHI): EM5820-class 58 mm panel printers.
    UsbModel {
        vendor_id: 0x28e9,
        product_id: 0x0289,
        model: "generic 58 mm panel printer, GD32 chip (EM5820 class) [micro-printer]",
        profile: "generic-58",
        pinned: false,
    },
    // lsusb "NXP Semiconductors USB Printer P": Xprinter XP-365B, 3nStar RPT004, Unyka 80 mm printers in public
    // setup guides.
    UsbModel {
        vendor_id: 0x1fc9,
        product_id: 0x2016,
        model: "generic 80 mm printer, NXP chip (Xprinter XP-365B, 3nStar RPT004) [USB Printer P]",
        profile: "generic-80",
        pinned: false,
    },
];

/// The known model with these USB ids, if any.
pub fn usb_model(vendor_id: u16, product_id: u16) -> Option<&'static UsbModel> {
    USB_MODELS.iter().find(|m| m.vendor_id == vendor_id && m.product_id == product_id)
}

/// The shipped profile to start from for a USB printer with these ids (`None`: an unknown model; generic-80, or
/// generic-58 for 58 mm paper, is the place to start).
pub fn for_usb(vendor_id: u16, product_id: u16) -> Option<&'static str> {
    usb_model(vendor_id, product_id).map(|m| m.profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_usb_model_names_a_shipped_profile_once() {
        for (n, model) in USB_MODELS.iter().enumerate() {
            assert!(Profile::builtin(model.profile).is_some(), "{} names no shipped profile", model.model);
            let later = &USB_MODELS[n + 1..];
            assert!(
                !later.iter().any(|m| (m.vendor_id, m.product_id) == (model.vendor_id, model.product_id)),
                "{:04x}:{:04x} listed twice",
                model.vendor_id,
                model.product_id
            );
        }
    }

    #[test]
    fn usb_ids_find_their_profile() {
        assert_eq!(for_usb(0x04b8, 0x0e15), Some("epson-tm-t20"));
        assert_eq!(for_usb(0x04b8, 0x0202), Some("epson-tm-t88"));
        assert_eq!(for_usb(0x0416, 0x5011), Some("generic-58"));
        assert!(usb_model(0x04b8, 0x0e03).is_some_and(|m| m.pinned));
        assert!(usb_model(0x0fe6, 0x811e).is_some_and(|m| !m.pinned));
        assert_eq!(for_usb(0x1234, 0x5678), None);
    }
}
