//! The technician's PIN on the kiosk's own screen: the lockout after wrong PINs. Five wrong PINs in a row lock
//! the PIN pad for five minutes; each lock after that (with no right PIN between) lasts twice as long as the one
//! before, up to a day. The PIN itself is hashed and checked with [`crate::staff::hash_pin`] and
//! [`crate::staff::verify_pin`] (Argon2id), as the counter staff's PINs are.
//!
//! Pure: the shell keeps the [`Lockout`] in a small file (so a restart does not reset it) and passes `now` in.
//! Must not do: keep a PIN, or let attempts made while a check is running slip past the count (each attempt is
//! counted before its PIN is checked, as the counter API's sign-in does).

use argon2::password_hash::PasswordHash;
use serde::{Deserialize, Serialize};

pub use crate::time::Seconds;

/// Wrong PINs in a row before the pad locks.
pub const MAX_FAILURES: u32 = 5;
/// How long the first lock lasts; each later one is twice the one before.
pub const FIRST_LOCK: Seconds = 5 * 60;
/// The longest a lock lasts, however many came before.
pub const LONGEST_LOCK: Seconds = 24 * 60 * 60;

/// Wrong PINs counted, and the locks they led to, since the last right PIN.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// Wrong PINs (attempts counted) since the last lock ended or the last right PIN.
    failures: u32,
    /// Locks since the last right PIN: the next lock lasts [`lock_length`] of one more.
    locks: u32,
    /// Locked until this time, while a lock lasts (a lock that has ended stays here until the next attempt).
    locked_until: Option<Seconds>,
}

// The same answers as a counter staff member's sign-in: an attempt is counted before its PIN is checked.
pub use crate::staff::{Gate, Refusal};

/// How long the `n`th lock since the last right PIN lasts (n from 1): 5 minutes, 10, 20, ... at most a day.
pub fn lock_length(n: u32) -> Seconds {
    let doublings = n.saturating_sub(1).min(20);
    (FIRST_LOCK << doublings).min(LONGEST_LOCK)
}

/// Whole minutes left until `until` (a part of a minute counts as one), for the screen.
pub fn minutes_left(until: Seconds, now: Seconds) -> u32 {
    let seconds = (until - now).max(0);
    u32::try_from((seconds + 59) / 60).unwrap_or(u32::MAX)
}

/// Whether `text` (the PIN file's line) is an Argon2 hash the kiosk can check a PIN against: a damaged file is
/// told apart from a wrong PIN.
pub fn readable_hash(text: &str) -> bool {
    PasswordHash::new(text.trim()).is_ok_and(|hash| {
        hash.algorithm.as_str() == "argon2id"
            && hash.salt.is_some()
            && hash.hash.is_some()
            && argon2::Params::try_from(&hash).is_ok()
    })
}

impl Lockout {
    /// Locked until when, now (None: the pad is open). A lock never lasts longer from `now` than its own length:
    /// a clock set back does not stretch it.
    pub fn gate(&self, now: Seconds) -> Option<Seconds> {
        let until = self.locked_until.filter(|until| *until > now)?;
        Some(until.min(now + lock_length(self.locks)))
    }

    /// Counts an attempt before its PIN is checked; refused while locked. The attempt that reaches
    /// [`MAX_FAILURES`] locks the pad for the attempts after it, and is itself still checked.
    pub fn attempt(&mut self, now: Seconds) -> Gate {
        if let Some(until) = self.gate(now) {
            return Gate::Locked { until };
        }
        if self.locked_until.take().is_some() {
            // The lock has ended: a fresh count, but the lock is remembered for the next one's length.
            self.failures = 0;
        }
        self.failures = (self.failures + 1).min(MAX_FAILURES);
        if self.failures >= MAX_FAILURES {
            self.locks = self.locks.saturating_add(1);
            self.locked_until = Some(now + lock_length(self.locks));
        }
        Gate::Open { attempts_left: MAX_FAILURES - self.failures }
    }

    /// The attempt's PIN was wrong (it was counted already): what the technician is told.
    pub fn failed(&self, now: Seconds) -> Refusal {
        match self.gate(now) {
            Some(until) => Refusal::NowLocked { until },
            None => Refusal::WrongPin { attempts_left: MAX_FAILURES - self.failures.min(MAX_FAILURES) },
        }
    }

    /// The attempt's PIN was right: everything counted is forgotten, locks included.
    pub fn succeeded(&mut self) {
        *self = Lockout::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One wrong PIN, as the shell runs it: counted first, then refused.
    fn wrong(lockout: &mut Lockout, now: Seconds) -> Refusal {
        match lockout.attempt(now) {
            Gate::Locked { until } => Refusal::NowLocked { until },
            Gate::Open { .. } => lockout.failed(now),
        }
    }

    #[test]
    fn five_wrong_pins_lock_the_pad_for_five_minutes() {
        let mut lockout = Lockout::default();
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(lockout.gate(1_000), None);
            assert_eq!(wrong(&mut lockout, 1_000), Refusal::WrongPin { attempts_left: left });
        }
        assert_eq!(wrong(&mut lockout, 1_000), Refusal::NowLocked { until: 1_000 + 300 });
        assert_eq!(lockout.attempt(1_200), Gate::Locked { until: 1_300 }, "no PIN is checked while locked");
        assert_eq!(lockout.failed(1_200), Refusal::NowLocked { until: 1_300 });
        assert_eq!(minutes_left(1_300, 1_200), 2, "a part of a minute counts as a minute");
        assert_eq!(lockout.gate(1_300), None, "the lock ends");
        assert_eq!(
            wrong(&mut lockout, 1_300),
            Refusal::WrongPin { attempts_left: MAX_FAILURES - 1 },
            "a fresh count after the lock"
        );
    }

    #[test]
    fn each_lock_after_the_first_is_twice_as_long_up_to_a_day() {
        let mut lockout = Lockout::default();
        let mut now = 0;
        for expected in [300, 600, 1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 76_800, LONGEST_LOCK, LONGEST_LOCK] {
            for _ in 0..MAX_FAILURES - 1 {
                assert!(matches!(wrong(&mut lockout, now), Refusal::WrongPin { .. }));
            }
            assert_eq!(wrong(&mut lockout, now), Refusal::NowLocked { until: now + expected }, "lock of {expected} s");
            now += expected;
        }
        assert_eq!(lock_length(u32::MAX), LONGEST_LOCK);
    }

    #[test]
    fn a_right_pin_forgets_the_count_and_the_locks() {
        let mut lockout = Lockout::default();
        for _ in 0..MAX_FAILURES {
            wrong(&mut lockout, 0);
        }
        // The lock ends; two more wrong, then the right one.
        wrong(&mut lockout, 300);
        wrong(&mut lockout, 300);
        assert!(matches!(lockout.attempt(300), Gate::Open { attempts_left: 2 }));
        lockout.succeeded();
        assert_eq!(lockout, Lockout::default());
        for _ in 0..MAX_FAILURES - 1 {
            wrong(&mut lockout, 400);
        }
        assert_eq!(wrong(&mut lockout, 400), Refusal::NowLocked { until: 700 }, "five minutes again, not ten");
    }

    #[test]
    fn the_fifth_attempt_is_still_checked_and_a_right_pin_then_opens() {
        let mut lockout = Lockout::default();
        for _ in 0..MAX_FAILURES - 1 {
            wrong(&mut lockout, 0);
        }
        assert_eq!(lockout.attempt(0), Gate::Open { attempts_left: 0 });
        lockout.succeeded();
        assert_eq!(lockout.gate(0), None);
    }

    #[test]
    fn attempts_at_the_same_moment_are_counted_before_any_pin_is_checked() {
        let mut lockout = Lockout::default();
        let gates: Vec<Gate> = (0..50).map(|_| lockout.attempt(10)).collect();
        let open = gates.iter().filter(|g| matches!(g, Gate::Open { .. })).count();
        assert_eq!(open, MAX_FAILURES as usize);
        assert_eq!(gates[49], Gate::Locked { until: 10 + FIRST_LOCK });
    }

    #[test]
    fn a_clock_set_back_does_not_stretch_a_lock() {
        let mut lockout = Lockout::default();
        for _ in 0..MAX_FAILURES {
            wrong(&mut lockout, 1_000_000);
        }
        // The clock goes back a day: the lock still ends at most five minutes from now.
        assert_eq!(lockout.gate(913_600), Some(913_600 + FIRST_LOCK));
    }

    #[test]
    fn the_saved_lockout_reads_back_the_same() {
        let mut lockout = Lockout::default();
        for _ in 0..MAX_FAILURES + 2 {
            lockout.attempt(42);
        }
        let saved = serde_json::to_string(&lockout).expect("saved");
        let read: Lockout = serde_json::from_str(&saved).expect("read back");
        assert_eq!(read, lockout);
        assert_eq!(read.gate(43), Some(42 + FIRST_LOCK));
    }

    #[test]
    fn only_an_argon2id_hash_is_readable() {
        let hash = crate::staff::hash_pin("246813", [3; 16]).expect("hashed");
        assert!(readable_hash(&hash));
        assert!(readable_hash(&format!("{hash}\n")), "the file's line ending is no damage");
        assert!(!readable_hash("246813"));
        assert!(!readable_hash(""));
        assert!(!readable_hash("$argon2id$v=19$m=19456"));
    }
}
