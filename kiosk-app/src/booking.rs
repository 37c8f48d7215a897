//! A booked time: the portal's offer fetched (and the last one kept on disk, so a booking can still be made while
//! the portal is away: it waits in the outbox, not confirmed), the booking sealed into the outbox like a home
//! visit, what came of it, and the slip with its code and QR.
//! Must not do: name Slint types, log the answers, or print more personal data than the resident needs on a paper
//! they may lose (the slip has no name, and only the end of the phone number).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use kiosk_core::booking::{self, BookingForm};
use kiosk_core::config::{Config, Language};
use kiosk_core::outbox::State;
use kiosk_core::portal::{Kind, Slot, SlotOffer};
use kiosk_drivers::printer::document::Document;

use crate::outbox::resident::save_form;
use crate::outbox::store::{EnqueueError, Outbox};
use crate::portal::Portal;
use crate::words;

/// Seals and stores the booking; when this returns it will reach the portal.
pub fn save(outbox: &Outbox, form: &BookingForm, now: i64) -> Result<String, EnqueueError> {
    save_form(outbox, Kind::Booking, form.procedure_code.as_deref(), form, &[], now)
}

/// Where the last offer is kept.
fn offer_path(state_dir: &Path) -> PathBuf {
    state_dir.join("slots.json")
}

/// Asks the portal for its offer; keeps it on disk when it came. On no answer, the offer kept from before (its
/// past slots dropped); None when there is none.
pub async fn offer(portal: &impl Portal, state_dir: &Path, today: &str, time: &str) -> Option<SlotOffer> {
    let reply = portal.slots().await;
    let fresh = match reply.status {
        Some(200) => serde_json::from_slice::<SlotOffer>(&reply.body).ok(),
        _ => None,
    };
    let offer = match fresh {
        Some(offer) => {
            if let Err(error) = keep(&offer_path(state_dir), &reply.body) {
                tracing::warn!(error = %format!("{error:#}"), "the slots offered could not be kept");
            }
            offer
        }
        None => {
            tracing::info!(status = ?reply.status, error = ?reply.error, "slots: no answer from the portal; using the last offer kept");
            let kept = std::fs::read(offer_path(state_dir)).ok()?;
            serde_json::from_slice::<SlotOffer>(&kept).ok()?
        }
    };
    let offer = booking::upcoming(offer, today, time);
    (!offer.slots.is_empty()).then_some(offer)
}

/// Writes `bytes` whole, then renames it into place (a crash leaves the old offer or the new one).
fn keep(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::write_atomically(path, bytes, 0o600)
}

/// What came of a booking after "Book this time".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The portal kept the place: its booking code.
    Booked(String),
    /// The slot filled up before the booking reached the portal: nothing was booked.
    Taken,
    /// No answer yet: it waits in the outbox, not confirmed.
    Waiting,
}

/// Waits (polling the outbox) for the portal's answer to booking `id`, for at most `within`.
pub fn wait_for_outcome(outbox: &Outbox, id: &str, within: std::time::Duration) -> Outcome {
    let until = std::time::Instant::now() + within;
    loop {
        if let Ok(Some(code)) = outbox.dossier_code(id) {
            return Outcome::Booked(code);
        }
        if let Ok(Some(State::Declined)) = outbox.state(id) {
            return Outcome::Taken;
        }
        if std::time::Instant::now() >= until {
            return Outcome::Waiting;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// What the slip says.
#[derive(Debug, Clone)]
pub struct Slip {
    pub reference: String,
    /// The portal's booking code, when it confirmed before printing.
    pub code: Option<String>,
    pub slot: Slot,
    pub place_vi: String,
    pub place_en: String,
    pub address: String,
    pub need_vi: String,
    pub need_en: String,
    /// What to bring, from the catalogue (empty for "something else").
    pub bring_vi: Vec<String>,
    pub bring_en: Vec<String>,
    pub phone_tail: String,
}

pub fn slip_document(config: &Config, s: &Slip, language: Language) -> Document {
    let weekday = booking::weekday(&s.slot.date).map(|d| weekday_name(language, d)).unwrap_or_default();
    let when = format!("{weekday} {}", booking::date_for_reading(&s.slot.date)).trim().to_owned();
    let mut doc = Document::new()
        .text(words::tr(language, "BOOKING SLIP"), crate::printing::TITLE)
        .text(words::either(language, &s.place_vi, &s.place_en), crate::printing::TITLE)
        .rule()
        .text(when, crate::printing::BIG)
        .text(format!("{} - {}", s.slot.start, s.slot.end), crate::printing::BIG)
        .line(words::trf(language, "Place: {}", &[&words::either(language, &s.place_vi, &s.place_en)]))
        .line(words::trf(language, "Address: {}", &[&s.address]))
        .line(words::trf(language, "Help with: {}", &[&words::either(language, &s.need_vi, &s.need_en)]))
        .rule();
    doc = match &s.code {
        Some(code) => doc
            .line(words::tr(language, "Booking code:"))
            .text(code.clone(), crate::printing::BIG)
            .qr(booking::qr_payload(code), 6)
            .line(words::tr(
                language,
                "On the day, at the kiosk: Take a queue number, then I have a booking, and show this code. You get a priority number.",
            )),
        None => doc
            .text(words::tr(language, "NOT CONFIRMED YET"), crate::printing::HEADING)
            .line(words::tr(language, "Kiosk reference:"))
            .text(s.reference.clone(), crate::printing::BIG)
            .qr(booking::qr_payload(&s.reference), 6)
            .line(words::tr(
                language,
                "The city's system could not be reached. The booking is kept safely on the kiosk and will be sent by itself when the connection is back. Until then the place is not yours: check it on the kiosk (Check a dossier's status) with the reference above.",
            )),
    };
    let bring = match language {
        Language::English => &s.bring_en,
        Language::Vietnamese => &s.bring_vi,
    };
    if !bring.is_empty() {
        doc = doc.rule().text(words::tr(language, "What to bring:"), crate::printing::HEADING);
        for item in bring {
            doc = doc.line(format!("- {item}"));
        }
    }
    let doc = doc.rule()
        .line(words::trf(
            language,
            "Please come a few minutes early. If you cannot come, tell the service point; it may call the number ending …{}.",
            &[&s.phone_tail],
        ))
        .line(words::tr(language, "Source: Hanoi People's Committee approval of 24/09/2025 of the community public-service point model."));
    crate::printing::help_lines(doc, config, language)
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED)
        .cut()
}

pub(crate) fn weekday_name(language: Language, day: booking::Weekday) -> String {
    use booking::Weekday as W;
    match day {
        W::Monday => words::tr(language, "Monday"),
        W::Tuesday => words::tr(language, "Tuesday"),
        W::Wednesday => words::tr(language, "Wednesday"),
        W::Thursday => words::tr(language, "Thursday"),
        W::Friday => words::tr(language, "Friday"),
        W::Saturday => words::tr(language, "Saturday"),
        W::Sunday => words::tr(language, "Sunday"),
    }
}

/// What the kiosk does with a booking code shown on arrival (Take a queue number, then "I booked a time for
/// today").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Today's booking, confirmed by the portal: a priority ticket is issued for the portal's code (once).
    Welcome {
        code: String,
    },
    /// For another day (YYYY-MM-DD).
    OtherDay {
        date: String,
    },
    Attended,
    Cancelled,
    /// A number was already given for it today: its label.
    Given(String),
    /// Neither the portal nor this kiosk knows the code.
    Unknown,
    /// The portal could not be reached and no status was known.
    Unreachable,
    /// A code, but of a dossier or a home-visit request.
    NotBooking,
    /// A kiosk reference still waiting in the outbox (or with staff): not confirmed, so no priority.
    NotConfirmed,
    /// A kiosk reference whose time filled up first: nothing was booked.
    Taken,
    Invalid,
}

/// Judges what checking a code found, on `today` (YYYY-MM-DD, Hanoi). The last status known is trusted when the
/// portal cannot be reached: a booking seen confirmed stays confirmed unless the counter changes it.
pub fn judge(answer: &crate::tracking::Answer, today: &str) -> Verdict {
    use crate::tracking::Answer;
    let status = match answer {
        Answer::Current(status) | Answer::LastKnown { status, .. } => status,
        Answer::Unknown => return Verdict::Unknown,
        Answer::Unreachable => return Verdict::Unreachable,
        Answer::Invalid => return Verdict::Invalid,
        Answer::Waiting(_) | Answer::WithStaff(_) | Answer::AtCounter(_) => return Verdict::NotConfirmed,
        Answer::Declined(_) => return Verdict::Taken,
    };
    let Some(booked) = &status.booking else { return Verdict::NotBooking };
    match booking::arrival(&status.state, booked, today) {
        booking::Arrival::Welcome => Verdict::Welcome { code: status.dossier_code.clone() },
        booking::Arrival::OtherDay { date } => Verdict::OtherDay { date },
        booking::Arrival::Attended => Verdict::Attended,
        booking::Arrival::Cancelled => Verdict::Cancelled,
        booking::Arrival::NotValid => Verdict::Unknown,
    }
}

/// The bookings this kiosk has given a number for (booking code, day, ticket label): one number per booking.
pub struct Arrivals {
    db: rusqlite::Connection,
}

impl std::fmt::Debug for Arrivals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("booking::Arrivals")
    }
}

impl Arrivals {
    pub fn open(path: &std::path::Path) -> anyhow::Result<Arrivals> {
        let opened = crate::sqlite::open(path).with_context(|| format!("opening {}", path.display()))?;
        let db = opened.db;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS arrivals (code TEXT PRIMARY KEY, day TEXT NOT NULL, label TEXT NOT NULL)",
        )?;
        if let Some(aside) = &opened.set_aside {
            aside.salvage(&db, &["arrivals"]);
        }
        Ok(Arrivals { db })
    }

    /// The label of the number already given for `code`, if any.
    pub fn given(&self, code: &str) -> anyhow::Result<Option<String>> {
        use rusqlite::OptionalExtension as _;
        Ok(self.db.query_row("SELECT label FROM arrivals WHERE code = ?1", [code], |r| r.get(0)).optional()?)
    }

    pub fn record(&self, code: &str, day: &str, label: &str) -> anyhow::Result<()> {
        self.db.execute("INSERT OR IGNORE INTO arrivals (code, day, label) VALUES (?1, ?2, ?3)", [code, day, label])?;
        Ok(())
    }
}

#[cfg(test)]
mod arrival_tests {
    use super::*;
    use crate::tracking::Answer;
    use kiosk_core::portal::{Booked, DossierStatus, Kind};

    fn status(kind: Kind, state: &str, date: &str) -> DossierStatus {
        DossierStatus {
            dossier_code: "LH-261207-000001".into(),
            kind,
            state: state.into(),
            received_at: 0,
            updated_at: 0,
            fee: None,
            booking: (kind == Kind::Booking).then(|| Booked {
                date: date.into(),
                start: "17:30".into(),
                end: "18:30".into(),
                place_vi: "P".into(),
                place_en: "P".into(),
                address: "A".into(),
                procedure_code: None,
            }),
        }
    }

    #[test]
    fn only_a_confirmed_booking_for_today_gets_a_number() {
        let today = "2026-12-07";
        let welcome = Verdict::Welcome { code: "LH-261207-000001".into() };
        assert_eq!(judge(&Answer::Current(status(Kind::Booking, "booked", today)), today), welcome);
        let last = Answer::LastKnown { status: status(Kind::Booking, "booked", today), known_at: 1 };
        assert_eq!(judge(&last, today), welcome);
        assert_eq!(
            judge(&Answer::Current(status(Kind::Booking, "booked", "2026-12-08")), today),
            Verdict::OtherDay { date: "2026-12-08".into() }
        );
        assert_eq!(judge(&Answer::Current(status(Kind::Booking, "attended", today)), today), Verdict::Attended);
        assert_eq!(judge(&Answer::Current(status(Kind::Booking, "cancelled", today)), today), Verdict::Cancelled);
        assert_eq!(judge(&Answer::Current(status(Kind::Dossier, "received", today)), today), Verdict::NotBooking);
        assert_eq!(judge(&Answer::Waiting(Kind::Booking), today), Verdict::NotConfirmed);
        assert_eq!(judge(&Answer::Declined(Kind::Booking), today), Verdict::Taken);
        assert_eq!(judge(&Answer::Unreachable, today), Verdict::Unreachable);
    }

    #[test]
    fn a_booking_is_given_one_number() {
        let dir = std::env::temp_dir().join(format!("kiosk-arrivals-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let arrivals = Arrivals::open(&dir.join("a.sqlite")).expect("open");
        assert_eq!(arrivals.given("LH-1").expect("read"), None);
        arrivals.record("LH-1", "2026-12-07", "HT-004").expect("record");
        arrivals.record("LH-1", "2026-12-07", "HT-009").expect("a second record changes nothing");
        assert_eq!(arrivals.given("LH-1").expect("read").as_deref(), Some("HT-004"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
