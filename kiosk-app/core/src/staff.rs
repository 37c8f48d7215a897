//! Counter staff accounts and the rules for signing in: PIN rules, PIN hashing (Argon2id, PHC strings), the
//! accounts file's format, and lockout after repeated wrong PINs.
//!
//! Pure: the caller reads and writes the file, supplies random salt bytes and the current time.
//! Must not do: keep a PIN anywhere (only its hash), or say which part of a sign-in was wrong beyond what staff
//! need ("wrong staff id or PIN", attempts left, locked until).

use std::collections::BTreeMap;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

pub use crate::time::Seconds;

/// Wrong PINs in a row before an account is locked.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_SECONDS: Seconds = 15 * 60;
/// Wrong sign-ins from one computer (any staff id) before that computer is locked out too: guessing across
/// many ids is stopped as well as guessing one id's PIN.
pub const MAX_FAILURES_PER_CLIENT: u32 = 10;

/// One member of staff who may call tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Short login id, e.g. `nv01`: lower-case letters, digits, dashes.
    pub id: String,
    /// Full name, shown on the counter console.
    pub name: String,
    /// Argon2id hash of the PIN as a PHC string.
    pub pin_hash: String,
}

/// The accounts file (`staff.toml` in the kiosk's state directory).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    #[serde(default)]
    pub staff: Vec<Account>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the staff file is not valid: {0}")]
    File(String),
    #[error("`{0}` is not a staff id: use 2 to 16 lower-case letters, digits or dashes, e.g. nv01")]
    BadId(String),
    #[error("a name is needed")]
    NoName,
    #[error("there is already a staff member with id `{0}`")]
    Duplicate(String),
    #[error("no staff member has id `{0}`")]
    Unknown(String),
    #[error("the PIN must be 6 to 12 digits")]
    PinFormat,
    #[error("the PIN is too easy to guess (all one digit, or a run such as 123456); choose another")]
    PinTooEasy,
    #[error("hashing the PIN failed: {0}")]
    Hash(String),
}

impl Accounts {
    pub fn parse(text: &str) -> Result<Accounts, Error> {
        let accounts: Accounts = toml::from_str(text).map_err(|e| Error::File(e.to_string().trim_end().to_owned()))?;
        for account in &accounts.staff {
            check_id(&account.id)?;
            PasswordHash::new(&account.pin_hash)
                .map_err(|e| Error::File(format!("staff `{}` has an unreadable pin_hash ({e})", account.id)))?;
        }
        Ok(accounts)
    }

    pub fn to_toml(&self) -> String {
        let header =
            "# Counter staff who may call tickets. Managed with `kiosk-provision staff`; PINs are stored only as\n\
                      # Argon2id hashes. Keep this file readable by the kiosk's user alone.\n\n";
        format!("{header}{}", toml::to_string(self).unwrap_or_default())
    }

    pub fn find(&self, id: &str) -> Option<&Account> {
        self.staff.iter().find(|a| a.id == id)
    }

    /// Adds a member of staff; `salt` must be 16 fresh random bytes.
    pub fn add(&mut self, id: &str, name: &str, pin: &str, salt: [u8; 16]) -> Result<(), Error> {
        check_id(id)?;
        let name = crate::text::nfc(name.trim());
        if name.is_empty() {
            return Err(Error::NoName);
        }
        if self.find(id).is_some() {
            return Err(Error::Duplicate(id.to_owned()));
        }
        let pin_hash = hash_pin(pin, salt)?;
        self.staff.push(Account { id: id.to_owned(), name, pin_hash });
        Ok(())
    }

    pub fn set_pin(&mut self, id: &str, pin: &str, salt: [u8; 16]) -> Result<(), Error> {
        let pin_hash = hash_pin(pin, salt)?;
        let account = self.staff.iter_mut().find(|a| a.id == id).ok_or_else(|| Error::Unknown(id.to_owned()))?;
        account.pin_hash = pin_hash;
        Ok(())
    }

    pub fn remove(&mut self, id: &str) -> Result<(), Error> {
        let before = self.staff.len();
        self.staff.retain(|a| a.id != id);
        if self.staff.len() == before {
            return Err(Error::Unknown(id.to_owned()));
        }
        Ok(())
    }
}

fn check_id(id: &str) -> Result<(), Error> {
    let ok =
        (2..=16).contains(&id.len()) && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::BadId(id.to_owned()))
    }
}

/// Checks a new PIN: 6 to 12 digits, not one digit repeated, not a run up or down.
pub fn check_pin(pin: &str) -> Result<(), Error> {
    if !(6..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::PinFormat);
    }
    let digits: Vec<i16> = pin.bytes().map(|b| i16::from(b - b'0')).collect();
    let steps: Vec<i16> = digits.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.iter().all(|s| *s == steps[0]) && matches!(steps[0], -1..=1) {
        return Err(Error::PinTooEasy);
    }
    Ok(())
}

/// Hashes a PIN with Argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's recommendation).
pub fn hash_pin(pin: &str, salt: [u8; 16]) -> Result<String, Error> {
    check_pin(pin)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Hash(e.to_string()))
}

/// Whether `pin` matches the stored hash. Takes tens of milliseconds on purpose.
pub fn verify_pin(pin_hash: &str, pin: &str) -> bool {
    PasswordHash::new(pin_hash).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

/// Wrong-PIN counting and lockout, per staff id and per client computer. Each attempt is counted *before* its
/// PIN is checked ([`Lockout::attempt`]), so attempts made at the same moment cannot all slip past the count; a
/// correct PIN then takes back its own attempt ([`Lockout::succeeded`]): the account's count is cleared, the
/// client's loses only that one attempt (a success from a computer does not wipe the failures it made). Entries
/// expire a lockout period after their last attempt and there are never more than [`MAX_ENTRIES`] of each, so
/// made-up staff ids and many clients cannot grow it without bound.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Lockout {
    by_staff: BTreeMap<String, Failures>,
    by_client: BTreeMap<String, Failures>,
}

/// The most staff ids and the most clients the lockout remembers at once (the oldest are forgotten first).
pub const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
struct Failures {
    count: u32,
    locked_until: Option<Seconds>,
    /// When the last attempt was counted (an unlocked count is forgotten a lockout period after it).
    #[serde(default)]
    last: Seconds,
}

/// What a sign-in attempt may do, decided (and counted) before the PIN is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Go on and check the PIN; this attempt is already counted. `attempts_left` after it, if it is wrong.
    Open { attempts_left: u32 },
    /// Locked; try again at this time.
    Locked { until: Seconds },
}

/// The outcome of a wrong PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    WrongPin { attempts_left: u32 },
    NowLocked { until: Seconds },
}

impl Lockout {
    /// Whether `staff` may try from `client` now, without counting anything (for pages that only ask).
    pub fn gate(&self, staff: &str, client: &str, now: Seconds) -> Option<Seconds> {
        [self.by_staff.get(staff), self.by_client.get(client)]
            .into_iter()
            .flatten()
            .filter_map(|f| f.locked_until)
            .filter(|until| *until > now)
            .max()
    }

    /// Counts an attempt by `staff` from `client` before its PIN is checked; refused when either is locked. The
    /// attempt that reaches the limit locks both for later attempts, and is itself still checked.
    pub fn attempt(&mut self, staff: &str, client: &str, now: Seconds) -> Gate {
        self.prune(now);
        if let Some(until) = self.gate(staff, client, now) {
            return Gate::Locked { until };
        }
        let staff_count = bump(self.by_staff.entry(staff.to_owned()).or_default(), MAX_FAILURES, now);
        let client_count = bump(self.by_client.entry(client.to_owned()).or_default(), MAX_FAILURES_PER_CLIENT, now);
        Gate::Open { attempts_left: (MAX_FAILURES - staff_count).min(MAX_FAILURES_PER_CLIENT - client_count) }
    }

    /// The attempt's PIN was wrong: what the person is told (it was counted already).
    pub fn failed(&self, staff: &str, client: &str, now: Seconds) -> Refusal {
        match self.gate(staff, client, now) {
            Some(until) => Refusal::NowLocked { until },
            None => {
                let count = |map: &BTreeMap<String, Failures>, key: &str| map.get(key).map_or(0, |f| f.count);
                let left = (MAX_FAILURES - count(&self.by_staff, staff))
                    .min(MAX_FAILURES_PER_CLIENT - count(&self.by_client, client));
                Refusal::WrongPin { attempts_left: left }
            }
        }
    }

    /// The attempt's PIN was right: the account's count is cleared; the client's loses this attempt only.
    pub fn succeeded(&mut self, staff: &str, client: &str) {
        self.by_staff.remove(staff);
        if let Some(failures) = self.by_client.get_mut(client) {
            failures.count = failures.count.saturating_sub(1);
            if failures.count < MAX_FAILURES_PER_CLIENT {
                failures.locked_until = None;
            }
            if failures.count == 0 {
                self.by_client.remove(client);
            }
        }
    }

    /// How many staff ids and clients are remembered (bounded by [`MAX_ENTRIES`] each).
    pub fn len(&self) -> (usize, usize) {
        (self.by_staff.len(), self.by_client.len())
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_staff.is_empty() && self.by_client.is_empty()
    }

    /// Forgets what has expired, and the oldest entries beyond [`MAX_ENTRIES`].
    fn prune(&mut self, now: Seconds) {
        for map in [&mut self.by_staff, &mut self.by_client] {
            map.retain(|_, f| f.locked_until.map_or(f.last + LOCKOUT_SECONDS > now, |until| until > now));
            if map.len() >= MAX_ENTRIES {
                // Unlocked counts go first, oldest first: a flood of made-up ids does not free a locked account.
                let mut ages: Vec<(bool, Seconds, String)> =
                    map.iter().map(|(k, f)| (f.locked_until.is_some(), f.last, k.clone())).collect();
                ages.sort_unstable();
                for (_, _, key) in ages.into_iter().take(map.len() + 1 - MAX_ENTRIES) {
                    map.remove(&key);
                }
            }
        }
    }
}

/// Counts one attempt; locks at `max`. Returns the count after it.
fn bump(failures: &mut Failures, max: u32, now: Seconds) -> u32 {
    if failures.locked_until.is_some_and(|until| until <= now) {
        *failures = Failures::default();
    }
    failures.count = (failures.count + 1).min(max);
    failures.last = now;
    if failures.count >= max {
        failures.locked_until = Some(now + LOCKOUT_SECONDS);
    }
    failures.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_must_be_six_to_twelve_digits_and_not_obvious() {
        assert_eq!(check_pin("2468"), Err(Error::PinFormat));
        assert_eq!(check_pin("24681a"), Err(Error::PinFormat));
        assert_eq!(check_pin("1234567890123"), Err(Error::PinFormat));
        assert_eq!(check_pin("111111"), Err(Error::PinTooEasy));
        assert_eq!(check_pin("123456"), Err(Error::PinTooEasy));
        assert_eq!(check_pin("987654"), Err(Error::PinTooEasy));
        assert_eq!(check_pin("246813"), Ok(()));
        assert_eq!(check_pin("135790"), Ok(()));
    }

    #[test]
    fn the_file_keeps_only_hashes_and_they_verify() {
        let mut accounts = Accounts::default();
        accounts.add("nv01", "Nguyễn Thị Hoa", "246813", [7; 16]).expect("added");
        assert_eq!(accounts.add("nv01", "Another", "246813", [8; 16]), Err(Error::Duplicate("nv01".into())));
        assert_eq!(accounts.add("NV 2", "Another", "246813", [8; 16]), Err(Error::BadId("NV 2".into())));
        let text = accounts.to_toml();
        assert!(!text.contains("246813"), "{text}");
        assert!(text.contains("$argon2id$"), "{text}");
        let read = Accounts::parse(&text).expect("round trip");
        let hash = &read.find("nv01").expect("there").pin_hash;
        assert!(verify_pin(hash, "246813"));
        assert!(!verify_pin(hash, "246814"));
        assert!(!verify_pin("not a hash", "246813"));

        let mut read = read;
        read.set_pin("nv01", "135790", [9; 16]).expect("changed");
        assert!(verify_pin(&read.staff[0].pin_hash, "135790"));
        read.remove("nv01").expect("removed");
        assert_eq!(read.remove("nv01"), Err(Error::Unknown("nv01".into())));
        assert!(matches!(
            Accounts::parse("[[staff]]\nid = \"nv01\"\nname = \"A\"\npin_hash = \"x\""),
            Err(Error::File(_))
        ));
    }

    /// One sign-in with a wrong PIN, as the shell runs it: counted first, then refused.
    fn wrong(lockout: &mut Lockout, staff: &str, client: &str, now: Seconds) -> Refusal {
        match lockout.attempt(staff, client, now) {
            Gate::Locked { until } => Refusal::NowLocked { until },
            Gate::Open { .. } => lockout.failed(staff, client, now),
        }
    }

    #[test]
    fn five_wrong_pins_lock_the_account_for_fifteen_minutes() {
        let mut lockout = Lockout::default();
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(lockout.gate("nv01", "10.0.0.5", 100), None);
            assert_eq!(wrong(&mut lockout, "nv01", "10.0.0.5", 100), Refusal::WrongPin { attempts_left: left });
        }
        assert_eq!(wrong(&mut lockout, "nv01", "10.0.0.5", 100), Refusal::NowLocked { until: 100 + LOCKOUT_SECONDS });
        assert_eq!(lockout.attempt("nv01", "10.0.0.6", 200), Gate::Locked { until: 100 + LOCKOUT_SECONDS });
        assert!(matches!(lockout.attempt("nv02", "10.0.0.6", 200), Gate::Open { .. }), "other staff are not locked");
        assert_eq!(lockout.gate("nv01", "10.0.0.6", 100 + LOCKOUT_SECONDS), None, "the lock expires");
        assert_eq!(
            wrong(&mut lockout, "nv01", "10.0.0.6", 100 + LOCKOUT_SECONDS),
            Refusal::WrongPin { attempts_left: MAX_FAILURES - 1 },
            "a fresh count after the lock"
        );
    }

    #[test]
    fn attempts_at_the_same_moment_are_counted_before_any_pin_is_checked() {
        let mut lockout = Lockout::default();
        // A hundred attempts arrive before the first PIN check finishes: only five may go on to be checked.
        let gates: Vec<Gate> = (0..100).map(|_| lockout.attempt("nv01", "10.0.0.5", 100)).collect();
        let open = gates.iter().filter(|g| matches!(g, Gate::Open { .. })).count();
        assert_eq!(open, MAX_FAILURES as usize);
        assert_eq!(gates[0], Gate::Open { attempts_left: MAX_FAILURES - 1 });
        assert_eq!(gates[99], Gate::Locked { until: 100 + LOCKOUT_SECONDS });
    }

    #[test]
    fn guessing_across_many_ids_locks_the_computer() {
        let mut lockout = Lockout::default();
        for n in 0..MAX_FAILURES_PER_CLIENT - 1 {
            assert!(matches!(wrong(&mut lockout, &format!("id{n}"), "10.0.0.9", 0), Refusal::WrongPin { .. }));
        }
        assert_eq!(wrong(&mut lockout, "id99", "10.0.0.9", 0), Refusal::NowLocked { until: LOCKOUT_SECONDS });
        assert_eq!(lockout.attempt("nv01", "10.0.0.9", 1), Gate::Locked { until: LOCKOUT_SECONDS });
        assert!(matches!(lockout.attempt("nv01", "10.0.0.8", 1), Gate::Open { .. }));
    }

    #[test]
    fn a_correct_pin_clears_the_account_but_not_the_computers_failures() {
        let mut lockout = Lockout::default();
        wrong(&mut lockout, "nv01", "c", 0);
        wrong(&mut lockout, "nv01", "c", 0);
        assert!(matches!(lockout.attempt("nv01", "c", 0), Gate::Open { .. }));
        lockout.succeeded("nv01", "c");
        assert_eq!(wrong(&mut lockout, "nv01", "c", 0), Refusal::WrongPin { attempts_left: MAX_FAILURES - 1 });
        // The computer keeps its three wrong attempts: a success in between does not buy it more guesses.
        for n in 0..MAX_FAILURES_PER_CLIENT - 4 {
            assert!(matches!(wrong(&mut lockout, &format!("x{n}"), "c", 0), Refusal::WrongPin { .. }), "{n}");
        }
        assert_eq!(wrong(&mut lockout, "x9", "c", 0), Refusal::NowLocked { until: LOCKOUT_SECONDS });
    }

    #[test]
    fn made_up_ids_and_many_clients_do_not_grow_it_without_bound_and_old_counts_expire() {
        let mut lockout = Lockout::default();
        for n in 0..(MAX_ENTRIES * 3) {
            wrong(&mut lockout, &format!("made-up-{n}"), &format!("client-{n}"), n as Seconds);
        }
        let (staff, clients) = lockout.len();
        assert!(staff <= MAX_ENTRIES && clients <= MAX_ENTRIES, "{staff} {clients}");
        wrong(&mut lockout, "nv01", "c", 100_000);
        lockout.attempt("nv02", "d", 100_000 + LOCKOUT_SECONDS + 1);
        assert_eq!(lockout.len(), (1, 1), "everything older than a lockout period is forgotten");
        let saved = serde_json::to_string(&lockout).expect("saved");
        let read: Lockout = serde_json::from_str(&saved).expect("read back");
        assert_eq!(read.len(), (1, 1));
        let before: Lockout =
            serde_json::from_str(r#"{"by_staff":{"nv01":{"count":2,"locked_until":null}},"by_client":{}}"#)
                .expect("a lockout saved before `last` existed still reads");
        assert_eq!(before.len(), (1, 0));
    }
}
