//! The outbox's rules, as pure functions: what a portal's answer means for a submission, when to try again
//! (capped exponential backoff with full jitter, honouring Retry-After), and the circuit breaker per portal host.
//!
//! Lessons behind them are in shared/reference/outbox.md: only 201/202 acknowledge (a captive portal's 200 HTML
//! page is not an acknowledgement); a permanent refusal is quarantined for staff, never retried in a loop. A
//! booking whose slot filled up is declined: the portal's answer is final and no staff can change it.
//! Must not do: I/O, read a clock or draw random numbers (time and a random fraction are passed in).

pub use crate::time::Seconds;

/// Where a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Stored and waiting to be sent (also after a transient failure, with a next attempt time).
    Queued,
    /// Being sent now (at start, a submission left in this state by a crash goes back to Queued).
    Sending,
    /// The portal acknowledged it; only a non-personal receipt remains.
    Acknowledged,
    /// The portal refused it permanently; kept, sealed, for staff to look at and retry.
    Quarantined,
    /// The portal answered that it cannot be done (a booking's slot filled up): not retried, not for staff;
    /// only a non-personal receipt remains, as after an acknowledgement.
    Declined,
    /// Staff at the counter took it in by hand while the portal was away (seed 004) and recorded the register
    /// number: never sent; both sealed copies are deleted, and a non-personal marker tells the portal.
    TakenByHand,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Sending => "sending",
            State::Acknowledged => "acknowledged",
            State::Quarantined => "quarantined",
            State::Declined => "declined",
            State::TakenByHand => "taken_by_hand",
        }
    }

    pub const ALL: [State; 6] =
        [State::Queued, State::Sending, State::Acknowledged, State::Quarantined, State::Declined, State::TakenByHand];

    /// Whether staff may still take it in by hand: it is waiting for the portal (not being sent this moment) or
    /// the portal refused it.
    pub fn may_take_by_hand(self) -> bool {
        matches!(self, State::Queued | State::Quarantined)
    }

    pub fn from_name(name: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The counter's register number (số tiếp nhận) for a submission taken in by hand, as staff typed it: trimmed,
/// 1 to 30 characters of letters, digits, spaces and `/ - . _`. It is printed on the counter's own receipt and
/// goes to the portal, so nothing else (no names) fits in it.
pub fn register_number(typed: &str) -> Result<String, RegisterNumberError> {
    let number = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if number.is_empty() {
        return Err(RegisterNumberError::Empty);
    }
    if number.chars().count() > 30 {
        return Err(RegisterNumberError::TooLong);
    }
    if !number.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '/' | '-' | '.' | '_')) {
        return Err(RegisterNumberError::Characters);
    }
    Ok(number)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegisterNumberError {
    #[error("type the number the counter's register gives this dossier")]
    Empty,
    #[error("a register number has at most 30 characters")]
    TooLong,
    #[error("a register number has only letters, digits, spaces and / - . _")]
    Characters,
}

/// What a portal's answer to one request means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 201 or 202 with the body the API documents.
    Accepted,
    /// Try again later: the network, the portal's load or its health. `after` is the portal's Retry-After.
    Retry { reason: String, after: Option<Seconds> },
    /// The portal will never take this as it is: keep it for staff with the reason.
    Quarantine { reason: String },
    /// The portal understood and said no for good, in a way the API names (409 `slot_full`: the booking's slot
    /// filled up first). Nothing to retry and nothing for staff: the resident chooses again.
    Declined { reason: String },
}

/// An HTTP answer as the outbox sees it: no status means the request never got one (connection refused or reset,
/// timeout, DNS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer<'a> {
    pub status: Option<u16>,
    /// The Content-Type header, to tell the API's JSON from an HTML page in the way.
    pub content_type: Option<&'a str>,
    /// The Retry-After header as sent.
    pub retry_after: Option<&'a str>,
    /// The `error` member of the API's JSON error body (`slot_full`, `missing_pages`, ...), when it had one.
    pub error_code: Option<&'a str>,
}

/// Judges one answer.
pub fn classify(answer: Answer<'_>) -> Verdict {
    let retry_after = answer.retry_after.and_then(parse_retry_after);
    let json = answer.content_type.is_some_and(|t| t.trim_start().starts_with("application/json"));
    match answer.status {
        None => Verdict::Retry { reason: "no answer (network)".into(), after: None },
        Some(201 | 202) if json => Verdict::Accepted,
        Some(status @ (201 | 202)) => {
            Verdict::Retry { reason: format!("{status} without the API's JSON (a proxy in the way?)"), after: None }
        }
        // A captive portal or a misrouted proxy answers 200 with an HTML page: not an acknowledgement.
        Some(status @ (100..=299)) => {
            Verdict::Retry { reason: format!("{status} is not an acknowledgement (captive portal?)"), after: None }
        }
        Some(status @ (300..=399)) => Verdict::Retry { reason: format!("{status} redirect"), after: retry_after },
        Some(status @ (408 | 425 | 429)) => {
            Verdict::Retry { reason: format!("{status} from the portal"), after: retry_after }
        }
        // Our signature or enrolment was refused: the dossier is fine; staff must fix the kiosk's key, then it goes.
        Some(status @ (401 | 403)) => Verdict::Retry {
            reason: format!("{status}: the portal refused this kiosk's signature"),
            after: retry_after,
        },
        // Another kiosk or the counter took the slot's last place first: final, and nobody's mistake.
        Some(409) if json && answer.error_code == Some(crate::portal::SLOT_FULL) => {
            Verdict::Declined { reason: format!("409 {}: the slot is full", crate::portal::SLOT_FULL) }
        }
        Some(status @ (400..=499)) => Verdict::Quarantine { reason: format!("{status} from the portal") },
        Some(status) => Verdict::Retry { reason: format!("{status} from the portal"), after: retry_after },
    }
}

/// Retry-After as delta-seconds (what the portal sends). An HTTP-date is not understood here and falls back to the
/// backoff, which is never shorter than a second.
pub fn parse_retry_after(value: &str) -> Option<Seconds> {
    value.trim().parse::<u32>().ok().map(|s| Seconds::from(s).min(MAX_RETRY_AFTER))
}

/// The longest wait the portal may ask for: longer would leave a resident's dossier waiting for a day.
pub const MAX_RETRY_AFTER: Seconds = 6 * 3600;
/// The first retry waits up to this long.
pub const BACKOFF_BASE: Seconds = 2;
/// No retry waits longer than this (before jitter).
pub const BACKOFF_CAP: Seconds = 15 * 60;

/// When to try again after `attempts` failures: full jitter over an exponential window (AWS's "full jitter"),
/// at least one second, and never before the portal's Retry-After. `random` is uniform in [0, 1).
pub fn next_attempt(now: Seconds, attempts: u32, random: f64, retry_after: Option<Seconds>) -> Seconds {
    let window = BACKOFF_BASE.saturating_mul(1_i64 << attempts.min(20)).min(BACKOFF_CAP);
    let jittered = ((window as f64) * random.clamp(0.0, 1.0)).floor() as Seconds;
    now + jittered.max(1).max(retry_after.unwrap_or(0))
}

/// A circuit breaker for one portal host: after `THRESHOLD` transient failures in a row it opens and the forwarder
/// stops sending for `OPEN_FOR` seconds (doubling while the host stays down, up to `OPEN_MAX`); then one request is
/// let through to probe it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Breaker {
    failures: u32,
    open_until: Option<Seconds>,
    openings: u32,
}

impl Breaker {
    pub const THRESHOLD: u32 = 5;
    pub const OPEN_FOR: Seconds = 30;
    pub const OPEN_MAX: Seconds = 10 * 60;

    /// Whether a request may go now.
    pub fn allows(&self, now: Seconds) -> bool {
        self.open_until.is_none_or(|until| now >= until)
    }

    /// When the breaker lets the next probe through, if it is open.
    pub fn open_until(&self) -> Option<Seconds> {
        self.open_until
    }

    pub fn succeeded(&mut self) {
        *self = Breaker::default();
    }

    /// A transient failure (network, 5xx, 429 ...). Quarantines do not count: the host answered.
    pub fn failed(&mut self, now: Seconds) {
        self.failures += 1;
        if self.failures >= Self::THRESHOLD {
            let open_for = Self::OPEN_FOR.saturating_mul(1 << self.openings.min(10)).min(Self::OPEN_MAX);
            self.open_until = Some(now + open_for);
            self.openings += 1;
            // The probe after the pause gets one chance before the breaker opens again.
            self.failures = Self::THRESHOLD - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: Option<u16>, content_type: Option<&'static str>) -> Answer<'static> {
        Answer { status, content_type, retry_after: None, error_code: None }
    }

    #[test]
    fn only_201_and_202_with_json_acknowledge() {
        let json = Some("application/json; charset=utf-8");
        assert_eq!(classify(answer(Some(201), json)), Verdict::Accepted);
        assert_eq!(classify(answer(Some(202), json)), Verdict::Accepted);
        assert!(matches!(classify(answer(Some(200), Some("text/html"))), Verdict::Retry { .. }), "captive portal");
        assert!(matches!(classify(answer(Some(200), json)), Verdict::Retry { .. }));
        assert!(matches!(classify(answer(Some(201), Some("text/html"))), Verdict::Retry { .. }));
        assert!(matches!(classify(answer(None, None)), Verdict::Retry { .. }));
    }

    #[test]
    fn permanent_refusals_are_quarantined_and_the_rest_retried() {
        for status in [400, 409, 413, 422, 404] {
            assert!(matches!(classify(answer(Some(status), None)), Verdict::Quarantine { .. }), "{status}");
        }
        for status in [408, 429, 500, 502, 503, 504, 401, 403] {
            assert!(matches!(classify(answer(Some(status), None)), Verdict::Retry { .. }), "{status}");
        }
        let busy = Answer { status: Some(429), content_type: None, retry_after: Some("120"), error_code: None };
        assert_eq!(classify(busy), Verdict::Retry { reason: "429 from the portal".into(), after: Some(120) });
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("999999"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn a_full_slot_is_declined_and_only_a_json_409_that_says_so_is() {
        let json = Some("application/json");
        let full = |status, content_type, error_code| Answer { status, content_type, retry_after: None, error_code };
        assert_eq!(
            classify(full(Some(409), json, Some("slot_full"))),
            Verdict::Declined { reason: "409 slot_full: the slot is full".into() }
        );
        // Any other conflict is still a permanent refusal for staff (a different payload under the same key).
        assert!(matches!(classify(full(Some(409), json, Some("different_payload"))), Verdict::Quarantine { .. }));
        assert!(matches!(classify(full(Some(409), json, None)), Verdict::Quarantine { .. }));
        // The code only counts in the API's JSON, and only on a 409.
        assert!(matches!(classify(full(Some(409), Some("text/html"), Some("slot_full"))), Verdict::Quarantine { .. }));
        assert!(matches!(classify(full(Some(422), json, Some("slot_full"))), Verdict::Quarantine { .. }));
        assert!(matches!(classify(full(Some(503), json, Some("slot_full"))), Verdict::Retry { .. }));
        assert_eq!(classify(full(Some(201), json, Some("slot_full"))), Verdict::Accepted);
    }

    #[test]
    fn backoff_grows_is_capped_jittered_and_honours_retry_after() {
        assert_eq!(next_attempt(1000, 0, 0.0, None), 1001, "at least a second");
        assert_eq!(next_attempt(1000, 0, 0.99, None), 1001);
        assert_eq!(next_attempt(1000, 3, 0.5, None), 1008, "half of a 16 s window");
        assert_eq!(next_attempt(1000, 30, 0.999, None), 1000 + BACKOFF_CAP - 1, "capped");
        assert_eq!(next_attempt(1000, 1, 0.5, Some(300)), 1300, "never before Retry-After");
        let spread: std::collections::BTreeSet<Seconds> =
            (0..10).map(|i| next_attempt(0, 8, f64::from(i) / 10.0, None)).collect();
        assert_eq!(spread.len(), 10, "full jitter spreads kiosks that failed together");
    }

    #[test]
    fn the_breaker_opens_after_five_failures_and_probes_with_growing_pauses() {
        let mut breaker = Breaker::default();
        for _ in 0..4 {
            breaker.failed(100);
            assert!(breaker.allows(100));
        }
        breaker.failed(100);
        assert!(!breaker.allows(129));
        assert!(breaker.allows(130), "a probe after 30 s");
        breaker.failed(130);
        assert_eq!(breaker.open_until(), Some(190), "the failed probe opens it for twice as long");
        breaker.succeeded();
        assert!(breaker.allows(131));
        assert_eq!(breaker, Breaker::default());
    }

    #[test]
    fn register_numbers_are_trimmed_and_only_what_a_register_writes() {
        assert_eq!(register_number("  125/2026/TP-HT "), Ok("125/2026/TP-HT".into()));
        assert_eq!(register_number("Sổ 3   số 17"), Ok("Sổ 3 số 17".into()));
        assert_eq!(register_number("   "), Err(RegisterNumberError::Empty));
        assert_eq!(register_number(&"1".repeat(31)), Err(RegisterNumberError::TooLong));
        assert_eq!(register_number(&"đ".repeat(30)).map(|n| n.chars().count()), Ok(30));
        for bad in ["12<script>", "12;DROP", "a\u{0}b", "12\n34\u{7}"] {
            assert!(register_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn state_names_round_trip() {
        for state in State::ALL {
            assert_eq!(State::from_name(state.name()), Some(state));
        }
        assert_eq!(State::Declined.name(), "declined");
        assert_eq!(State::from_name("lost"), None);
        assert_eq!(State::from_name("taken_by_hand"), Some(State::TakenByHand));
        let takeable: Vec<State> = State::ALL.into_iter().filter(|s| s.may_take_by_hand()).collect();
        assert_eq!(takeable, [State::Queued, State::Quarantined], "never while sending, never once settled");
    }
}
