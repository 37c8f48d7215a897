//! The portal's answers as the kiosk reads them (kiosk-app/core/src/portal.rs, outbox.rs, fee.rs, booking.rs):
//! an HTTP answer given as one header line, `STATUS CONTENT-TYPE RETRY-AFTER` (`-` for none), then the body.
//! The body is read as every JSON reply the kiosk takes from the portal (a dossier's status, a slot offer, a full
//! slot, a receipt, a hand intake's receipt, an error's code), and each reply that parses is used the way the
//! kiosk uses it. Properties: no panic; each reply that parses serialises and parses back to itself; the
//! outbox's verdict acknowledges only 201/202 with JSON and never waits longer than the longest Retry-After; what
//! is due on a fee adds up, and the VietQR code for it reads back with that amount into that bank; a day's free
//! places are the sum of its slots'; next free slots are free and at most as many as asked; a dossier code that
//! passes the check makes a path of exactly its three segments. Must not do: I/O.
#![no_main]

use kiosk_core::booking;
use kiosk_core::fee::{self, Due};
use kiosk_core::outbox::{self, Answer, Verdict};
use kiosk_core::portal::{self, DossierStatus, HandIntakeReceipt, Receipt, SlotFull, SlotOffer};
use kiosk_core::vietqr;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The `error` member of an API error body, read as kiosk-app's `portal::Reply::error_code` reads it (that crate
/// is the shell and not a dependency here).
fn error_code(status: Option<u16>, body: &[u8]) -> Option<&str> {
    #[derive(serde::Deserialize)]
    struct ApiError<'a> {
        error: &'a str,
    }
    if status.is_none_or(|s| s < 400) {
        return None;
    }
    serde_json::from_slice::<ApiError<'_>>(body).ok().map(|e| e.error)
}

/// Parses `body` as `T`; if it is one, checks it serialises and parses back to the same value.
fn reply<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(body).ok()?;
    let text = serde_json::to_vec(&value).expect("a reply serialises");
    let again: T = serde_json::from_slice(&text).expect("a serialised reply parses");
    assert_eq!(again, value);
    Some(value)
}

fn check_fee(code: &str, fee: &portal::Fee) {
    match fee::due(fee) {
        Due::Free => assert!(fee.amount_vnd == 0 && fee.paid_vnd == 0),
        Due::Paid { amount } => assert!(amount == fee.amount_vnd && fee.paid_vnd == amount),
        Due::Owed { amount, paid, remaining } => assert!(paid < amount && paid + remaining == amount && remaining > 0),
        Due::Overpaid { amount, extra } => assert!(amount + extra == fee.paid_vnd && extra > 0),
    }
    for amount in [fee.amount_vnd, fee.paid_vnd] {
        assert_eq!(fee::dong(amount).replace('.', ""), amount.to_string());
    }
    if let Ok(payload) = fee::payment_code(code, fee) {
        let Due::Owed { remaining, .. } = fee::due(fee) else { panic!("a payment code for nothing owed") };
        let pay_to = fee.pay_to.as_ref().expect("a payment code names an account");
        let transfer = vietqr::parse(&payload).expect("our own VietQR payload reads back");
        assert_eq!(transfer.amount, Some(remaining));
        assert_eq!(transfer.bin, pay_to.bank_bin);
        assert_eq!(transfer.beneficiary, vietqr::Beneficiary::Account(pay_to.account.clone()));
    }
}

fn check_offer(offer: &SlotOffer, today: &str, time: &str) {
    let days = booking::days(offer);
    assert_eq!(days.iter().map(|d| d.slots.len()).sum::<usize>(), offer.slots.len());
    for day in &days {
        let free: u64 = day.slots.iter().map(|s| u64::from(s.free)).sum();
        assert_eq!(u64::from(day.free), free.min(u64::from(u32::MAX)), "a day's free places");
        assert!(day.slots.iter().all(|s| s.date == day.date));
        let _ = booking::date_for_reading(day.date);
    }
    let upcoming = booking::upcoming(offer.clone(), today, time);
    assert!(upcoming.slots.iter().all(|s| offer.slots.contains(s)));
    for slot in offer.slots.iter().take(4) {
        let next = booking::next_free(offer, &slot.id, 3);
        assert!(next.len() <= 3 && next.iter().all(|s| s.free > 0));
    }
}

fuzz_target!(|bytes: &[u8]| {
    let (head, body) = match bytes.iter().position(|b| *b == b'\n') {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut fields = head.split(' ');
    let mut field = || fields.next().filter(|f| *f != "-" && !f.is_empty());
    let status = field().and_then(|s| s.parse::<u16>().ok());
    let content_type = field();
    let retry_after = field();

    let answer = Answer { status, content_type, retry_after, error_code: error_code(status, body) };
    match outbox::classify(answer) {
        Verdict::Accepted => {
            assert!(matches!(status, Some(201 | 202)));
            assert!(content_type.is_some_and(|t| t.contains("application/json")));
        }
        Verdict::Retry { after, .. } => assert!(after.is_none_or(|a| (0..=outbox::MAX_RETRY_AFTER).contains(&a))),
        Verdict::Declined { .. } => assert_eq!(status, Some(409)),
        Verdict::Quarantine { .. } => assert!(status.is_some_and(|s| (400..500).contains(&s))),
    }
    if let Some(value) = retry_after {
        let after = outbox::parse_retry_after(value);
        assert!(after.is_none_or(|a| (0..=outbox::MAX_RETRY_AFTER).contains(&a)));
        // Now as a clock gives it (before 2100), any attempt count, any random draw in [0, 1).
        let now = i64::from(u32::from_le_bytes([body.first().copied().unwrap_or(0), 0, 0, 0x7f]));
        let attempts = u32::from(body.get(1).copied().unwrap_or(0));
        let random = f64::from(body.get(2).copied().unwrap_or(0)) / 256.0;
        let next = outbox::next_attempt(now, attempts, random, after);
        assert!(next > now && next >= now + after.unwrap_or(0));
        assert!(next <= now + outbox::BACKOFF_CAP.max(after.unwrap_or(0)).max(1));
    }

    let today = "2026-12-05";
    if let Some(status) = reply::<DossierStatus>(body) {
        if let Some(fee) = &status.fee {
            check_fee(&status.dossier_code, fee);
        }
        if let Some(booked) = &status.booking {
            let _ = booking::arrival(&status.state, booked, today);
            let _ = booking::weekday(&booked.date);
            let _ = booking::date_for_reading(&booked.date);
        }
        if portal::valid_dossier_code(&status.dossier_code) {
            let code = status.dossier_code.as_str();
            let path = portal::dossier_path(code);
            assert_eq!(path.split('/').collect::<Vec<_>>(), ["", "v1", "dossiers", code]);
            assert!(code != "." && code != "..");
        }
    }
    if let Some(offer) = reply::<SlotOffer>(body) {
        check_offer(&offer, today, "18:30");
    }
    if let Some(full) = reply::<SlotFull>(body) {
        let offer = SlotOffer {
            place_vi: String::new(),
            place_en: String::new(),
            address: String::new(),
            slots: full.next_free,
        };
        check_offer(&offer, today, "18:30");
    }
    let _ = reply::<Receipt>(body);
    let _ = reply::<HandIntakeReceipt>(body);
});
