//! What the kiosk prints: every slip is one [`Slip`] handed to the device thread with one request
//! (`Request::Print`), and its outcome comes back as one event naming the slip's kind and reference. A new
//! slip is a new [`SlipKind`], the builder of its document, and the screen's answer to its outcome.
//! Must not do: print (the device thread does), or hold a resident's data beyond the document itself.

use kiosk_core::config;
use kiosk_drivers::printer::document::Document;

/// Which slip: the screen that asked for it answers its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlipKind {
    /// Staff's test page: every Vietnamese letter and a QR code.
    TestPage,
    /// A resident's queue ticket.
    Ticket,
    /// A procedure's guidance slip.
    Guidance,
    /// A dossier's receipt.
    Receipt,
    /// A dossier's paper for the counter, while the city's system does not answer (the answers and a QR).
    Intake,
    /// A home-visit request's confirmation.
    Visit,
    /// A booked time's slip.
    Booking,
}

/// A document to print, and whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Slip {
    pub kind: SlipKind,
    /// The submission's short reference (receipts and confirmations), so the outcome reaches its screen only.
    pub reference: Option<String>,
    pub document: Document,
}

impl Slip {
    pub fn new(kind: SlipKind, document: Document) -> Slip {
        Slip { kind, reference: None, document }
    }

    /// A submission's slip: its outcome reaches only the screen still showing `reference`.
    pub fn of_submission(kind: SlipKind, reference: String, document: Document) -> Slip {
        Slip { kind, reference: Some(reference), document }
    }

    /// The test page for the configured printer (it names the printer's profile).
    pub fn test_page(printer: &config::Device) -> Slip {
        let name = printer.printer.as_ref().map_or("generic-80", |p| p.base.as_str());
        Slip::new(SlipKind::TestPage, kiosk_drivers::printer::samples::self_test(name))
    }
}
