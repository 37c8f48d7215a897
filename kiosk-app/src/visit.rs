//! A home-visit request, once the resident has answered every question: saved in the outbox (sealed, like a
//! dossier) and a printed confirmation saying what happens next.
//! Must not do: name Slint types, log the answers, or print more personal data than the resident needs on a
//! paper they may lose (the slip names the ward, not the street, and only the end of the phone number).

use kiosk_core::config::{Config, Language};
use kiosk_core::portal::Kind;
use kiosk_core::visit::{VisitRequest, When};
use kiosk_drivers::printer::document::Document;

use crate::outbox::resident::save_form;
use crate::outbox::store::{EnqueueError, Outbox};
use crate::words;

/// Seals and stores the request; when this returns the request will reach the portal.
pub fn save(outbox: &Outbox, request: &VisitRequest, now: i64) -> Result<String, EnqueueError> {
    save_form(outbox, Kind::HomeVisit, request.procedure_code.as_deref(), request, &[], now)
}

/// What the confirmation slip says.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub reference: String,
    /// The portal's code, when it acknowledged before printing.
    pub code: Option<String>,
    pub ward: String,
    pub need_vi: String,
    pub need_en: String,
    pub when: When,
    /// The last 3 digits of the phone number the team will call.
    pub phone_tail: String,
    /// The visit certifies a signature: sign in front of the team, not before.
    pub signature: bool,
}

pub fn confirmation_document(config: &Config, c: &Confirmation, language: Language) -> Document {
    let when = match c.when {
        When::AnyTime => words::tr(language, "Any time"),
        When::Morning => words::tr(language, "In the morning"),
        When::Afternoon => words::tr(language, "In the afternoon"),
    };
    let mut doc = Document::new()
        .text(words::tr(language, "HOME VISIT REQUEST"), crate::printing::TITLE)
        .text(words::tr(language, "Ward mobile public-service team"), crate::printing::TITLE)
        .rule();
    doc = match &c.code {
        Some(code) => {
            doc.line(words::tr(language, "Request code:")).text(code.clone(), crate::printing::BIG).qr(code.clone(), 6)
        }
        None => {
            let kept_safely = words::tr(
                language,
                "The request is kept safely on the kiosk and will be sent by itself when the connection is back.",
            );
            doc.line(words::tr(language, "Kiosk reference:"))
                .text(c.reference.clone(), crate::printing::BIG)
                .line(kept_safely)
        }
    };
    doc = doc
        .rule()
        .line(words::trf(language, "Ward: {}", &[&c.ward]))
        .line(words::trf(language, "What needs doing: {}", &[&words::either(language, &c.need_vi, &c.need_en)]))
        .line(words::trf(language, "Best time: {}", &[&when]))
        .rule()
        .text(words::tr(language, "What happens next:"), crate::printing::HEADING)
        .line(words::trf(
            language,
            "The ward's team will phone to agree a day and time, on the number ending …{}.",
            &[&c.phone_tail],
        ));
    if c.signature {
        doc = doc.line(words::tr(
            language,
            "Signature certification: do NOT sign the paper beforehand. You sign in front of the officer when they come. Have your ID card ready.",
        ));
    }
    let source = if c.signature {
        words::tr(
            language,
            "Source: Hanoi plan 63/KH-UBND of 13/02/2026; certification outside the office for the frail: procedure 2.000884, national public-service portal.",
        )
    } else {
        words::tr(language, "Source: Hanoi plan 63/KH-UBND of 13/02/2026.")
    };
    crate::printing::help_lines(doc.rule().line(source), config, language)
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED)
        .cut()
}
