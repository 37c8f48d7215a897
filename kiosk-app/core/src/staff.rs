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

/// Wrong-PIN counting and lockout, per staff id and per client computer.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Lockout {
    by_staff: BTreeMap<String, Failures>,
    by_client: BTreeMap<String, Failures>,
}

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
struct Failures {
    count: u32,
    locked_until: Option<Seconds>,
}

/// What a sign-in attempt may do, decided before the PIN is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Locked; try again at this time.
    Locked {
        until: Seconds,
    },
}

/// The outcome of a wrong PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    WrongPin { attempts_left: u32 },
    NowLocked { until: Seconds },
}

impl Lockout {
    pub fn gate(&self, staff: &str, client: &str, now: Seconds) -> Gate {
        let until = [self.by_staff.get(staff), self.by_client.get(client)]
            .into_iter()
            .flatten()
            .filter_map(|f| f.locked_until)
            .filter(|until| *until > now)
            .max();
        match until {
            Some(until) => Gate::Locked { until },
            None => Gate::Open,
        }
    }

    /// Records a wrong staff id or PIN.
    pub fn failed(&mut self, staff: &str, client: &str, now: Seconds) -> Refusal {
        let staff_locked = bump(self.by_staff.entry(staff.to_owned()).or_default(), MAX_FAILURES, now);
        let client_locked = bump(self.by_client.entry(client.to_owned()).or_default(), MAX_FAILURES_PER_CLIENT, now);
        match (staff_locked, client_locked) {
            (Some(until), _) | (None, Some(until)) => Refusal::NowLocked { until },
            (None, None) => {
                let staff_left = MAX_FAILURES - self.by_staff.get(staff).map_or(0, |f| f.count);
                let client_left = MAX_FAILURES_PER_CLIENT - self.by_client.get(client).map_or(0, |f| f.count);
                Refusal::WrongPin { attempts_left: staff_left.min(client_left) }
            }
        }
    }

    /// A correct sign-in clears that account's count (the client's count too).
    pub fn succeeded(&mut self, staff: &str, client: &str) {
        self.by_staff.remove(staff);
        self.by_client.remove(client);
    }
}

fn bump(failures: &mut Failures, max: u32, now: Seconds) -> Option<Seconds> {
    if failures.locked_until.is_some_and(|until| until <= now) {
        *failures = Failures::default();
    }
    failures.count += 1;
    if failures.count >= max {
        let until = now + LOCKOUT_SECONDS;
        failures.locked_until = Some(until);
        failures.count = max;
        Some(until)
    } else {
        None
    }
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

    #[test]
    fn five_wrong_pins_lock_the_account_for_fifteen_minutes() {
        let mut lockout = Lockout::default();
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(lockout.gate("nv01", "10.0.0.5", 100), Gate::Open);
            assert_eq!(lockout.failed("nv01", "10.0.0.5", 100), Refusal::WrongPin { attempts_left: left });
        }
        assert_eq!(lockout.failed("nv01", "10.0.0.5", 100), Refusal::NowLocked { until: 100 + LOCKOUT_SECONDS });
        assert_eq!(lockout.gate("nv01", "10.0.0.6", 200), Gate::Locked { until: 100 + LOCKOUT_SECONDS });
        assert_eq!(lockout.gate("nv02", "10.0.0.6", 200), Gate::Open, "other staff are not locked");
        assert_eq!(lockout.gate("nv01", "10.0.0.6", 100 + LOCKOUT_SECONDS), Gate::Open, "the lock expires");
        assert_eq!(
            lockout.failed("nv01", "10.0.0.6", 100 + LOCKOUT_SECONDS),
            Refusal::WrongPin { attempts_left: MAX_FAILURES - 1 },
            "a fresh count after the lock"
        );
    }

    #[test]
    fn guessing_across_many_ids_locks_the_computer() {
        let mut lockout = Lockout::default();
        for n in 0..MAX_FAILURES_PER_CLIENT - 1 {
            assert!(matches!(lockout.failed(&format!("id{n}"), "10.0.0.9", 0), Refusal::WrongPin { .. }));
        }
        assert_eq!(lockout.failed("id99", "10.0.0.9", 0), Refusal::NowLocked { until: LOCKOUT_SECONDS });
        assert_eq!(lockout.gate("nv01", "10.0.0.9", 1), Gate::Locked { until: LOCKOUT_SECONDS });
        assert_eq!(lockout.gate("nv01", "10.0.0.8", 1), Gate::Open);
    }

    #[test]
    fn a_correct_pin_clears_the_count() {
        let mut lockout = Lockout::default();
        lockout.failed("nv01", "c", 0);
        lockout.failed("nv01", "c", 0);
        lockout.succeeded("nv01", "c");
        assert_eq!(lockout.failed("nv01", "c", 0), Refusal::WrongPin { attempts_left: MAX_FAILURES - 1 });
    }
}
