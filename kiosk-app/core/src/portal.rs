//! The portal contract as the kiosk uses it (docs/api/portal-api.yaml), as data: paths, the request signature's
//! canonical text, and the JSON bodies. The kiosk's client and the portal simulator both build on this, so they
//! cannot drift apart.
//!
//! Signing: every request carries `X-Kiosk-Id`, `X-Kiosk-Time` (Unix seconds), `X-Kiosk-Nonce` (fresh per
//! request) and `X-Kiosk-Signature`, the base64 Ed25519 signature of [`signing_text`]: method, path, time, nonce
//! and the SHA-256 of the body, one per line. The nonce lets the portal refuse a replayed request.
//! Must not do: hold residents' data in clear (payloads and pages are sealed before they reach these types).

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

pub const HEADER_KIOSK: &str = "x-kiosk-id";
pub const HEADER_TIME: &str = "x-kiosk-time";
pub const HEADER_SIGNATURE: &str = "x-kiosk-signature";
pub const HEADER_NONCE: &str = "x-kiosk-nonce";
/// `GET /v1/catalogue`'s answer carries the base64 Ed25519 signature of its body by the city's catalogue key.
pub const HEADER_CATALOGUE_SIGNATURE: &str = "x-catalogue-signature";

/// How far the kiosk's clock and the portal's may differ before a signature is refused (replay window).
pub const CLOCK_SKEW: i64 = 300;

/// The text a request's signature covers.
pub fn signing_text(method: &str, path: &str, time: i64, nonce: &str, body: &[u8]) -> String {
    format!("{}\n{path}\n{time}\n{nonce}\n{}", method.to_ascii_uppercase(), hex(&Sha256::digest(body)))
}

/// Whether a nonce has the contract's form: 32 lower-case hex digits.
pub fn valid_nonce(nonce: &str) -> bool {
    nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of some bytes, in hex (payload fingerprints in receipts and the simulator).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `PUT {base}/v1/submissions/{id}/pages/{index}`: one sealed page (application/octet-stream).
pub fn page_path(id: &str, index: u32) -> String {
    format!("/v1/submissions/{id}/pages/{index}")
}

/// `PUT {base}/v1/submissions/{id}`: the sealed form, after all its pages ([`Submission`] as JSON).
pub fn submission_path(id: &str) -> String {
    format!("/v1/submissions/{id}")
}

/// `POST {base}/v1/submissions/{id}/taken-by-hand`: the counter took this submission in by hand while the portal
/// was away ([`HandIntake`]); the kiosk will never send it, and the portal must not expect it.
pub fn hand_intake_path(id: &str) -> String {
    format!("/v1/submissions/{id}/taken-by-hand")
}

/// The marker a kiosk sends when staff took one of its held submissions in by hand (seed 004: when the portal or
/// VNeID is down, counters take dossiers manually). It carries no personal data: the id the portal would have
/// received it under, what it was, and where the counter recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandIntake {
    pub kind: Kind,
    pub procedure_code: Option<String>,
    /// When the resident finished it at the kiosk (Unix seconds).
    pub created_at: i64,
    /// The number the counter wrote in its register (sổ tiếp nhận) for it.
    pub register_number: String,
    /// The counter that took it in.
    pub counter: u16,
    /// When staff recorded it (Unix seconds).
    pub taken_at: i64,
}

/// The portal's answer to a [`HandIntake`]: `already_received` carries the dossier code when the portal had in
/// fact received the submission online before the counter took it in (an acknowledgement lost on the way), so
/// the service point can merge the two.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandIntakeReceipt {
    #[serde(default)]
    pub already_received: Option<String>,
}

/// The `error` a portal answers (409) to a submission that a counter already took in by hand.
pub const TAKEN_BY_HAND: &str = "taken_by_hand";

/// `POST {base}/v1/kiosks`: enrol this kiosk's public key ([`Enrolment`]).
pub const ENROL_PATH: &str = "/v1/kiosks";
/// `POST {base}/v1/heartbeat`: the kiosk's condition ([`Heartbeat`]).
pub const HEARTBEAT_PATH: &str = "/v1/heartbeat";

/// `GET {base}/v1/dossiers/{code}`: a dossier's status by the code on the resident's receipt.
pub fn dossier_path(code: &str) -> String {
    format!("/v1/dossiers/{code}")
}

/// Whether `code` can be a dossier code as printed on a receipt: 4 to 40 capital letters, digits, dashes or dots
/// (anything else is a typing mistake, and never goes into a URL).
pub fn valid_dossier_code(code: &str) -> bool {
    (4..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && code.bytes().any(|b| b.is_ascii_digit())
}

/// `GET {base}/v1/catalogue`, with If-None-Match.
pub const CATALOGUE_PATH: &str = "/v1/catalogue";

/// `GET {base}/v1/slots`: the times this kiosk's service point offers for help by appointment ([`SlotOffer`]).
pub const SLOTS_PATH: &str = "/v1/slots";

/// A time the service point offers: weekday evenings and weekends, as the city's plan for community service
/// points says (seed 002). Times are Hanoi's (UTC+7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The portal's id for it (opaque to the kiosk).
    pub id: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// HH:MM.
    pub start: String,
    /// HH:MM.
    pub end: String,
    /// Places still free.
    pub free: u32,
}

/// The answer to `GET /v1/slots`: where, and the slots of the coming days (full ones included, `free` 0), in
/// time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotOffer {
    pub place_vi: String,
    pub place_en: String,
    pub address: String,
    pub slots: Vec<Slot>,
}

/// The body of a 409 answer to a booking whose slot filled up (another kiosk or the counter took the last
/// place): `error` is `slot_full`, and the next slots with a place free, in time order (at most three).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotFull {
    pub error: String,
    pub next_free: Vec<Slot>,
}

/// The `error` of a [`SlotFull`] answer.
pub const SLOT_FULL: &str = "slot_full";

/// A booking as the portal's status answer describes it (`DossierStatus.booking`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booked {
    /// YYYY-MM-DD.
    pub date: String,
    /// HH:MM.
    pub start: String,
    /// HH:MM.
    pub end: String,
    pub place_vi: String,
    pub place_en: String,
    pub address: String,
    /// The national procedure code it is for (None: "something else").
    #[serde(default)]
    pub procedure_code: Option<String>,
}

/// What a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A dossier for a procedure, with scanned pages.
    Dossier,
    /// A request for the ward's mobile support team to come to the resident's home.
    HomeVisit,
    /// A time booked at the service point (the form is a [`crate::booking::BookingForm`]).
    Booking,
}

/// The body of `PUT /v1/submissions/{id}`. Only non-personal metadata is in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub kind: Kind,
    /// The national procedure code (e.g. 1.001193), for dossiers.
    pub procedure_code: Option<String>,
    pub page_count: u32,
    /// When the resident finished at the kiosk (Unix seconds).
    pub created_at: i64,
    /// The form, sealed to the portal's key (libsodium sealed box), in base64.
    pub sealed_form: String,
}

/// The portal's acknowledgement of a submission (201, or 202 when accepted for later processing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The dossier code printed on the resident's receipt.
    pub dossier_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub kiosk_id: String,
    /// The kiosk's Ed25519 public key, base64.
    pub public_key: String,
    /// The one-time enrolment code the portal's operators issued for this kiosk (`kiosk-provision enrol --code`).
    /// The kiosk's own start sends none: a portal that already knows this kiosk with this key accepts it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment_code: Option<String>,
}

/// The portal's answer to an accepted enrolment (200 when it already knew this kiosk with this key, 201 new).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentReceipt {
    pub kiosk_id: String,
    /// [`confirmation_code`] of the key the portal now holds: the technician reads it to the portal's operator.
    pub confirmation: String,
}

/// The short code both sides show for a device key, so a technician and the portal's operator can check over the
/// phone that the portal holds the key this kiosk made: six digits of SHA-256 of the key's 32 bytes ("482-913").
/// Not a secret (it is derived from the public key); a different key gives another code 999,999 times in a million.
pub fn confirmation_code(public_key: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(public_key);
    let number = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
    format!("{:03}-{:03}", number / 1000, number % 1000)
}

/// The `error` codes of a refused enrolment (403), each with its own message for the technician.
pub const CODE_REQUIRED: &str = "enrolment_code_required";
pub const CODE_UNKNOWN: &str = "enrolment_code_unknown";
pub const CODE_USED: &str = "enrolment_code_used";
pub const CODE_EXPIRED: &str = "enrolment_code_expired";
pub const CODE_OTHER_KIOSK: &str = "enrolment_code_other_kiosk";

/// Why the portal refused an enrolment code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    /// The portal requires a code and none was sent (the kiosk is not enrolled yet).
    Required,
    /// No such code: mistyped, or from another portal.
    Unknown,
    /// The code was already used (codes are good once).
    Used,
    /// The code's time ran out.
    Expired,
    /// The code was issued for another kiosk id.
    OtherKiosk,
}

/// What the portal's answer to an enrolment means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolmentVerdict {
    /// The portal now knows this kiosk with this key (a new enrolment, or a new key with a code).
    Enrolled,
    /// The portal already knew this kiosk with this key: nothing changed.
    AlreadyEnrolled,
    /// The portal knows this kiosk id with another key: a technician must re-enrol it with a code.
    KeyMismatch,
    /// The portal refused the enrolment code (or needs one).
    Code(CodeProblem),
    /// No answer, or one that settles nothing yet: try again later.
    NotYet,
}

/// Judges the answer to `POST /v1/kiosks` from its HTTP status (None: no answer came) and its error code.
pub fn enrolment_verdict(status: Option<u16>, error: Option<&str>) -> EnrolmentVerdict {
    match (status, error) {
        (Some(200), _) => EnrolmentVerdict::AlreadyEnrolled,
        (Some(201 | 202), _) => EnrolmentVerdict::Enrolled,
        (Some(409), _) => EnrolmentVerdict::KeyMismatch,
        (Some(403), Some(CODE_REQUIRED)) => EnrolmentVerdict::Code(CodeProblem::Required),
        (Some(403), Some(CODE_UNKNOWN)) => EnrolmentVerdict::Code(CodeProblem::Unknown),
        (Some(403), Some(CODE_USED)) => EnrolmentVerdict::Code(CodeProblem::Used),
        (Some(403), Some(CODE_EXPIRED)) => EnrolmentVerdict::Code(CodeProblem::Expired),
        (Some(403), Some(CODE_OTHER_KIOSK)) => EnrolmentVerdict::Code(CodeProblem::OtherKiosk),
        _ => EnrolmentVerdict::NotYet,
    }
}

/// Whether `code` can be an enrolment code as typed by a technician: 6 to 32 letters, digits or dashes (a typo
/// with other characters is refused before it reaches the portal). Case and dashes are the portal's to judge.
pub fn valid_enrolment_code(code: &str) -> bool {
    (6..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The body of `POST /v1/heartbeat`: the kiosk's condition, every few minutes, so the city sees a kiosk whose
/// printer is out of paper or whose outbox is backing up. Device conditions are the status strip's codes
/// (`ready`, `paper_out`, `disconnected`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub software: String,
    pub printer: String,
    pub scanner: String,
    pub pager: String,
    pub outbox_waiting: u64,
    pub outbox_quarantined: u64,
    /// Age of the oldest submission still waiting, in seconds.
    pub outbox_oldest_seconds: Option<i64>,
}

/// How often a kiosk sends its heartbeat.
pub const HEARTBEAT_INTERVAL: i64 = 300;

/// The answer to `GET /v1/dossiers/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierStatus {
    pub dossier_code: String,
    pub kind: Kind,
    /// received, in_progress, needs_more, result_ready, returned, rejected.
    pub state: String,
    /// When the portal received it (Unix seconds).
    pub received_at: i64,
    /// When the state last changed (Unix seconds).
    pub updated_at: i64,
    /// The dossier's fee, once the portal has set it (absent for a free procedure, a home visit, or a portal
    /// that does not report fees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
    /// For a booking (`kind` booking, `state` "booked", "attended" or "cancelled"): when and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<Booked>,
}

/// A dossier's fee as the portal knows it: what is charged, what the payment platform has received for it, and
/// the account the portal names for this procedure and ward. The kiosk never takes money itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// What the procedure costs for this dossier, in đồng (VND has no minor unit).
    pub amount_vnd: u64,
    /// What has been received for it so far, in đồng.
    #[serde(default)]
    pub paid_vnd: u64,
    /// Where to transfer it; absent when the portal names no account (then no payment code is ever shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_to: Option<PayTo>,
}

/// A collection account, as the portal names it for a procedure and ward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayTo {
    /// The bank's 6-digit NAPAS BIN (970415 VietinBank, ...).
    pub bank_bin: String,
    /// The bank's short name, as residents know it ("VietinBank").
    pub bank_name: String,
    pub account: String,
    /// The account holder, as the banking app will show it before the payer confirms.
    pub account_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_text_covers_method_path_time_nonce_and_body() {
        let nonce = "0123456789abcdef0123456789abcdef";
        let text = signing_text("put", "/v1/submissions/abc", 1_763_863_200, nonce, b"{}");
        assert_eq!(
            text,
            "PUT\n/v1/submissions/abc\n1763863200\n0123456789abcdef0123456789abcdef\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_ne!(text, signing_text("PUT", "/v1/submissions/abc", 1_763_863_200, nonce, b"{ }"));
        assert_ne!(text, signing_text("PUT", "/v1/submissions/abc", 1_763_863_200, &nonce.replace('0', "1"), b"{}"));
        assert!(valid_nonce(nonce));
        assert!(!valid_nonce("0123456789ABCDEF0123456789abcdef") && !valid_nonce("abc") && !valid_nonce(""));
    }

    #[test]
    fn every_enrolment_answer_has_its_own_verdict() {
        use CodeProblem::*;
        assert_eq!(enrolment_verdict(Some(201), None), EnrolmentVerdict::Enrolled);
        assert_eq!(enrolment_verdict(Some(200), None), EnrolmentVerdict::AlreadyEnrolled);
        assert_eq!(enrolment_verdict(Some(409), Some("other_key")), EnrolmentVerdict::KeyMismatch);
        for (code, problem) in [
            (CODE_REQUIRED, Required),
            (CODE_UNKNOWN, Unknown),
            (CODE_USED, Used),
            (CODE_EXPIRED, Expired),
            (CODE_OTHER_KIOSK, OtherKiosk),
        ] {
            assert_eq!(enrolment_verdict(Some(403), Some(code)), EnrolmentVerdict::Code(problem));
        }
        // A 403 without one of our codes (a proxy's page) and no answer at all settle nothing.
        assert_eq!(enrolment_verdict(Some(403), None), EnrolmentVerdict::NotYet);
        assert_eq!(enrolment_verdict(Some(503), None), EnrolmentVerdict::NotYet);
        assert_eq!(enrolment_verdict(None, None), EnrolmentVerdict::NotYet);
    }

    #[test]
    fn the_confirmation_code_is_six_digits_of_the_key() {
        let code = confirmation_code(&[7u8; 32]);
        assert_eq!(code.len(), 7);
        assert!(code.chars().enumerate().all(|(i, c)| if i == 3 { c == '-' } else { c.is_ascii_digit() }));
        assert_eq!(code, confirmation_code(&[7u8; 32]), "the same key, the same code");
        assert_ne!(code, confirmation_code(&[8u8; 32]));
        // An enrolment without a code serialises as before (a portal that knows no codes reads it unchanged).
        let plain = Enrolment { kiosk_id: "HN-1".into(), public_key: "k".into(), enrolment_code: None };
        assert_eq!(serde_json::to_string(&plain).unwrap_or_default(), r#"{"kiosk_id":"HN-1","public_key":"k"}"#);
        assert!(valid_enrolment_code("7KQ2-M9XD") && valid_enrolment_code("123456"));
        assert!(
            !valid_enrolment_code("12345") && !valid_enrolment_code("7KQ2 M9XD") && !valid_enrolment_code("mã-số-1")
        );
    }

    #[test]
    fn dossier_codes_are_checked_before_they_reach_a_url() {
        assert!(valid_dossier_code("SIM-261129-000001"));
        assert!(valid_dossier_code("H26.107-260123-0001"));
        for bad in ["", "ABC", "sim-261129-1", "SIM/../1", "SIM 1234", "ABCDEFG"] {
            assert!(!valid_dossier_code(bad), "{bad}");
        }
    }

    #[test]
    fn submissions_round_trip_as_json() {
        let submission = Submission {
            kind: Kind::HomeVisit,
            procedure_code: None,
            page_count: 0,
            created_at: 5,
            sealed_form: "AAAA".into(),
        };
        let text = serde_json::to_string(&submission).expect("json");
        assert!(text.contains("\"kind\":\"home_visit\""), "{text}");
        assert_eq!(serde_json::from_str::<Submission>(&text).expect("back"), submission);
    }
}
