//! Checking what a resident types, as they go, with a message that says how to put it right (a `Message` the
//! screen words in the resident's language): phone numbers, names, dates, and the 12-digit personal identification number.
//!
//! Facts, from shared/reference/domain.md:
//! - Mobile numbers are 10 digits, 0 + 9 (+84 drops the 0). The 11-digit numbers were converted in
//!   2018–2019 (QĐ 798/QĐ-BTTTT), keeping the last 7 digits; a resident may still know the old one, so it is
//!   recognised and the new one suggested. Hanoi landlines are 024 + 8 digits.
//! - The personal number is PPP C YY NNNNNN: the province code where the birth was registered (63 codes of
//!   TT 07/2016/TT-BCA, kept for ever), a digit for century and sex, the last two digits of the birth year,
//!   then six digits. There is no check digit, so shape, province, century and year are all one can check.
//!   The tables are in assets/wards/cccd_province_codes.toml with their source.
//!
//! Must not do: any I/O, or words: a `Problem` names its message, the screen words it (the old-number message
//! carries the new number); logs take its `kind`.

use std::sync::OnceLock;

/// Something to put right: which rule was broken (for logs and tests) and what to tell the resident, as a
/// message the screen words in the resident's language (kiosk-app/ui/problem.slint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: Message,
}

impl Problem {
    fn new(kind: ProblemKind, message: Message) -> Problem {
        Problem { kind, message }
    }
}

/// What to tell the resident, one variant per sentence on screen; the English sentence is quoted on each (the
/// Vietnamese is in assets/lang). Fields are the sentence's arguments (the new number of an old one, a limit,
/// the day that does not exist), never the answer typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// "Please type a phone number the team can call."
    PhoneEmpty,
    /// "A phone number has digits only."
    PhoneNotDigits,
    /// "A phone number starts with 0, for example 0912 345 678 or 024 3825 1234."
    PhoneNoLeadingZero,
    /// "A Hanoi landline is 024 and 8 more digits. Check for a missing digit."
    LandlineTooShort,
    /// "A Hanoi landline is 024 and 8 more digits. This one is longer."
    LandlineTooLong,
    /// "This is an old 11-digit number; it changed to 10 digits. The new number is {0}."
    OldMobileNumber { new: String },
    /// "A mobile number has 10 digits. Check for a missing digit."
    MobileTooShort,
    /// "A mobile number has 10 digits. This one is longer."
    MobileTooLong,
    /// "This does not look like a Vietnamese mobile or a Hanoi landline. Check the first 3 digits."
    PhoneUnknownPrefix,
    /// "Please type the full name."
    NameEmpty,
    /// "A name has no digits. Please delete them."
    NameHasDigits,
    /// "A name has letters (with their marks) and spaces only."
    NameNotLetters,
    /// "Please type the whole name, for example: Nguyễn Thị Hoa."
    NameTooShort,
    /// "The name is longer than {0} characters."
    NameTooLong { max: usize },
    /// "A date of birth cannot be after today. Check the year."
    BirthDateInTheFuture,
    /// "The year of birth must be 1900 or later. Check the year."
    BirthYearTooEarly,
    /// "Please type the day, month and year, for example 05/03/1948."
    DateEmpty,
    /// "Please type it as day/month/year, for example 05/03/1948."
    DateNotDayMonthYear,
    /// "Please type the year with 4 digits, for example 1948."
    YearNotFourDigits,
    /// "The month must be 1 to 12. Type the day first, then the month."
    MonthOutOfRange,
    /// "There is no day {0} in month {1} of {2}."
    NoSuchDay { day: u16, month: u8, year: u16 },
    /// "Please type the personal identification number (12 digits, on the ID card)."
    NumberEmpty,
    /// "The identification number has digits only."
    NumberNotDigits,
    /// "This is an old 9-digit ID number. Please type the 12-digit number on the ID card."
    OldIdNumber,
    /// "The number has 12 digits. Check for a missing digit."
    NumberTooShort,
    /// "The number has 12 digits. This one is longer."
    NumberTooLong,
    /// "The first 3 digits are not a province code. Please compare with the ID card."
    UnknownProvince,
    /// "The 4th digit does not match the year of birth. Check the number or the year."
    CenturyMismatch,
    /// "The 5th and 6th digits are the last two of the year of birth, and they do not match. Please check."
    YearMismatch,
    /// "The 4th digit does not match the sex chosen. Please check."
    SexMismatch,
    /// "Please type the house number, lane and street, or the village."
    StreetEmpty,
    /// "That is too short for the team to find you. Please add the street or village."
    StreetTooShort,
    /// "The address is too long. Please shorten it."
    StreetTooLong,
    /// "An address has letters, digits, spaces and , . / - only."
    StreetCharacters,
    /// "The answer is too short. Please say a little more."
    AnswerTooShort,
    /// "This question needs an answer."
    AnswerNeeded,
    /// "Digits only, at most {0}."
    DigitsOnly { max: usize },
    /// "Please choose one answer."
    ChooseOne,
    /// "This date has already passed. Please type today's date or a later one."
    DateInThePast,
    /// "This date is before the start date, {0}. Please type {0} or a later date."
    DateBeforeStart { start: String },
    /// "That is more than {0} months after the start date ({1}). The limit is {0} months: please type {2} or an
    /// earlier date."
    DateTooFarAfter { months: u32, start: String, latest: String },
    /// "An e-mail address looks like name@gmail.com: one @, a name before it, and after it a domain with a dot."
    EmailNotAddress,
}

impl Message {
    /// The sentence's arguments, in the order of its `{0}`, `{1}`, ... .
    pub fn args(&self) -> Vec<String> {
        match self {
            Message::OldMobileNumber { new } => vec![new.to_string()],
            Message::NameTooLong { max } => vec![max.to_string()],
            Message::NoSuchDay { day, month, year } => vec![day.to_string(), month.to_string(), year.to_string()],
            Message::DigitsOnly { max } => vec![max.to_string()],
            Message::DateBeforeStart { start } => vec![start.clone()],
            Message::DateTooFarAfter { months, start, latest } => {
                vec![months.to_string(), start.clone(), latest.clone()]
            }
            _ => Vec::new(),
        }
    }
}

/// Which rule an answer broke (for tests and for logs: never the answer itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Empty,
    TooShort,
    TooLong,
    NotDigits,
    UnknownPrefix,
    OldNumber,
    NotLetters,
    NotADate,
    InTheFuture,
    TooOld,
    UnknownProvince,
    CenturyMismatch,
    YearMismatch,
    SexMismatch,
    /// A date before the earliest one allowed (today, or the start date it follows).
    TooEarly,
    /// A date after the latest one allowed (a limit in months from the start date).
    TooLate,
    /// Not shaped as an e-mail address.
    NotAnAddress,
}

/// A phone number a person can be called on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phone {
    /// 10 digits, starting 0.
    Mobile(String),
    /// 024 + 8 digits.
    HanoiLandline(String),
}

impl Phone {
    pub fn digits(&self) -> &str {
        match self {
            Phone::Mobile(d) | Phone::HanoiLandline(d) => d,
        }
    }
}

/// Mobile prefixes in use (the three digits after which seven more follow): the converted ranges and the
/// older 09x ranges, Viettel 086, VinaPhone 088, MobiFone 089, Vietnamobile 052, and the MVNO prefixes 087
/// (iTel) and 055 (Wintel) that sources disagree on but residents carry.
const MOBILE_PREFIXES: &[&str] = &[
    "032", "033", "034", "035", "036", "037", "038", "039", // Viettel (from 0162–0169)
    "052", "055", "056", "058", "059", // Vietnamobile, Wintel, Gmobile
    "070", "076", "077", "078", "079", // MobiFone (from 0120–0128)
    "081", "082", "083", "084", "085", // VinaPhone (from 0123–0129)
    "086", "087", "088", "089", // Viettel, iTel, VinaPhone, MobiFone
    "090", "091", "092", "093", "094", "096", "097", "098", "099",
];

/// The 2018–2019 conversion of 11-digit numbers: old four-digit prefix to new three-digit one.
const CONVERTED: &[(&str, &str)] = &[
    ("0120", "070"),
    ("0121", "079"),
    ("0122", "077"),
    ("0126", "076"),
    ("0128", "078"),
    ("0123", "083"),
    ("0124", "084"),
    ("0125", "085"),
    ("0127", "081"),
    ("0129", "082"),
    ("0162", "032"),
    ("0163", "033"),
    ("0164", "034"),
    ("0165", "035"),
    ("0166", "036"),
    ("0167", "037"),
    ("0168", "038"),
    ("0169", "039"),
    ("0186", "056"),
    ("0188", "058"),
    ("0199", "059"),
];

/// Checks an e-mail address as typed on the e-mail keyboard (CT01 item 6): one `@`, a local part of letters,
/// digits and `. _ - +`, a domain of labels (letters, digits, `-`) with at least one dot, 254 characters at
/// most (RFC 5321). Kept in lower case. Not a full RFC 5322 parser: an address a counter would write by hand.
pub fn email(typed: &str) -> Result<String, Problem> {
    let address = typed.trim().to_ascii_lowercase();
    let bad = || Problem::new(ProblemKind::NotAnAddress, Message::EmailNotAddress);
    let (local, domain) = address.split_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok && address.len() <= 254 {
        Ok(address)
    } else {
        Err(bad())
    }
}

/// Checks a phone number as typed (spaces, dots and dashes allowed; +84 accepted for 0).
pub fn phone(typed: &str) -> Result<Phone, Problem> {
    let compact: String = typed.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    if compact.is_empty() {
        return Err(Problem::new(ProblemKind::Empty, Message::PhoneEmpty));
    }
    let digits = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new(ProblemKind::NotDigits, Message::PhoneNotDigits));
    }
    if !digits.starts_with('0') {
        return Err(Problem::new(ProblemKind::UnknownPrefix, Message::PhoneNoLeadingZero));
    }
    if digits.starts_with("024") {
        return match digits.len() {
            11 => Ok(Phone::HanoiLandline(digits)),
            n if n < 11 => Err(Problem::new(ProblemKind::TooShort, Message::LandlineTooShort)),
            _ => Err(Problem::new(ProblemKind::TooLong, Message::LandlineTooLong)),
        };
    }
    if digits.len() == 11 {
        if let Some((old, new)) = CONVERTED.iter().find(|(old, _)| digits.starts_with(old)) {
            let converted = format!("{new}{}", &digits[old.len()..]);
            return Err(Problem::new(ProblemKind::OldNumber, Message::OldMobileNumber { new: converted }));
        }
    }
    match digits.len() {
        n if n < 10 => Err(Problem::new(ProblemKind::TooShort, Message::MobileTooShort)),
        n if n > 10 => Err(Problem::new(ProblemKind::TooLong, Message::MobileTooLong)),
        _ if MOBILE_PREFIXES.contains(&&digits[..3]) => Ok(Phone::Mobile(digits)),
        _ => Err(Problem::new(ProblemKind::UnknownPrefix, Message::PhoneUnknownPrefix)),
    }
}

/// Checks a person's name: letters (with Vietnamese marks) and single spaces, 2 to `max` characters.
/// Returns the name tidied (NFC, spaces trimmed).
pub fn name(typed: &str, max: usize) -> Result<String, Problem> {
    let name = crate::text::nfc(typed.split_whitespace().collect::<Vec<_>>().join(" ").as_str());
    if name.is_empty() {
        return Err(Problem::new(ProblemKind::Empty, Message::NameEmpty));
    }
    if name.chars().any(|c| c.is_ascii_digit()) {
        return Err(Problem::new(ProblemKind::NotLetters, Message::NameHasDigits));
    }
    if !name.chars().all(|c| c == ' ' || is_vietnamese_letter(c)) {
        return Err(Problem::new(ProblemKind::NotLetters, Message::NameNotLetters));
    }
    let length = name.chars().count();
    if length < 2 {
        return Err(Problem::new(ProblemKind::TooShort, Message::NameTooShort));
    }
    if length > max {
        return Err(Problem::new(ProblemKind::TooLong, Message::NameTooLong { max }));
    }
    Ok(name)
}

/// A Latin letter, plain or with Vietnamese marks (đ included); not digits, symbols or other scripts.
fn is_vietnamese_letter(c: char) -> bool {
    use unicode_normalization::UnicodeNormalization;
    if c.is_ascii_alphabetic() || matches!(c, 'đ' | 'Đ') {
        return true;
    }
    let mut parts = std::iter::once(c).nfd();
    let base = parts.next();
    base.is_some_and(|b| b.is_ascii_alphabetic())
        && parts.all(|m| {
            matches!(
                m,
                '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}' | '\u{0302}' | '\u{0306}' | '\u{031B}'
            )
        })
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl Date {
    /// The same day `months` calendar months later; when that month is shorter, its last day (29/02/2028 plus
    /// 12 months is 28/02/2029). A limit "at most N months from" a date ends on this day (Bộ luật Dân sự 2015,
    /// Điều 147–148: the first day is not counted, and a period in months ends on the corresponding day of the
    /// last month, or on that month's last day when it has no such day).
    pub fn add_months(self, months: u32) -> Date {
        let index = u32::from(self.year) * 12 + u32::from(self.month) - 1 + months;
        let (year, month) = ((index / 12) as u16, (index % 12 + 1) as u8);
        Date { year, month, day: self.day.min(days_in_month(year, month)) }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Checks a date of birth typed as day/month/year ("5/3/1948", "05/03/1948", "05031948"), against today.
pub fn birth_date(typed: &str, today: Date) -> Result<Date, Problem> {
    let date = parse_date(typed)?;
    if date > today {
        return Err(Problem::new(ProblemKind::InTheFuture, Message::BirthDateInTheFuture));
    }
    if date.year < 1900 {
        return Err(Problem::new(ProblemKind::TooOld, Message::BirthYearTooEarly));
    }
    Ok(date)
}

/// Reads day/month/year; a clear message for each way it can be wrong.
pub fn parse_date(typed: &str) -> Result<Date, Problem> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Problem::new(ProblemKind::Empty, Message::DateEmpty));
    }
    let bad = || Problem::new(ProblemKind::NotADate, Message::DateNotDayMonthYear);
    let parts: Vec<&str> = if typed.contains(['/', '-', '.']) {
        typed.split(['/', '-', '.']).collect()
    } else if typed.len() == 8 && typed.chars().all(|c| c.is_ascii_digit()) {
        vec![&typed[..2], &typed[2..4], &typed[4..]]
    } else {
        return Err(bad());
    };
    let [day, month, year] = parts.as_slice() else { return Err(bad()) };
    let number = |s: &str| -> Option<u16> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let (Some(day), Some(month), Some(year)) = (number(day), number(month), number(year)) else {
        return Err(bad());
    };
    if year < 1000 {
        return Err(Problem::new(ProblemKind::NotADate, Message::YearNotFourDigits));
    }
    if !(1..=12).contains(&month) {
        return Err(Problem::new(ProblemKind::NotADate, Message::MonthOutOfRange));
    }
    let month = month as u8;
    if day == 0 || day > u16::from(days_in_month(year, month)) {
        return Err(Problem::new(ProblemKind::NotADate, Message::NoSuchDay { day, month, year }));
    }
    Ok(Date { year, month, day: day as u8 })
}

/// Sex as the personal number encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

/// What a valid personal number says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalNumber {
    pub digits: String,
    /// The province where the birth was registered (pre-2025 name).
    pub province: String,
    pub sex: Sex,
    pub birth_year: u16,
}

#[derive(serde::Deserialize)]
struct Tables {
    province: Vec<ProvinceRow>,
    century: Vec<CenturyRow>,
}

#[derive(serde::Deserialize)]
struct ProvinceRow {
    code: String,
    name: String,
}

#[derive(serde::Deserialize)]
struct CenturyRow {
    digit: u8,
    sex: Sex,
    first_year: u16,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        toml::from_str(include_str!("../../../assets/wards/cccd_province_codes.toml"))
            .expect("the shipped ID-number tables parse (checked by a unit test)")
    })
}

/// Checks a 12-digit personal identification number; with a known date of birth and sex, also that the number
/// agrees with them.
pub fn personal_number(typed: &str, born: Option<Date>, sex: Option<Sex>) -> Result<PersonalNumber, Problem> {
    let digits: String = typed.chars().filter(|c| *c != ' ').collect();
    if digits.is_empty() {
        return Err(Problem::new(ProblemKind::Empty, Message::NumberEmpty));
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new(ProblemKind::NotDigits, Message::NumberNotDigits));
    }
    if digits.len() == 9 {
        return Err(Problem::new(ProblemKind::TooShort, Message::OldIdNumber));
    }
    if digits.len() != 12 {
        return Err(if digits.len() < 12 {
            Problem::new(ProblemKind::TooShort, Message::NumberTooShort)
        } else {
            Problem::new(ProblemKind::TooLong, Message::NumberTooLong)
        });
    }
    let tables = tables();
    let Some(province) = tables.province.iter().find(|p| p.code == digits[..3]) else {
        return Err(Problem::new(ProblemKind::UnknownProvince, Message::UnknownProvince));
    };
    let digit = digits.as_bytes()[3] - b'0';
    let century = tables.century.iter().find(|c| c.digit == digit).expect("the table covers 0 to 9");
    let birth_year = century.first_year + u16::from((digits.as_bytes()[4] - b'0') * 10 + (digits.as_bytes()[5] - b'0'));
    if let Some(born) = born {
        if born.year / 100 != century.first_year / 100 {
            return Err(Problem::new(ProblemKind::CenturyMismatch, Message::CenturyMismatch));
        }
        if born.year != birth_year {
            return Err(Problem::new(ProblemKind::YearMismatch, Message::YearMismatch));
        }
    }
    if sex.is_some_and(|s| s != century.sex) {
        return Err(Problem::new(ProblemKind::SexMismatch, Message::SexMismatch));
    }
    Ok(PersonalNumber { digits, province: province.name.clone(), sex: century.sex, birth_year })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date { year: 2026, month: 11, day: 29 };

    #[test]
    fn phones() {
        for (typed, ok) in [
            ("0912345678", "0912345678"),
            ("0912 345 678", "0912345678"),
            ("091.234.5678", "0912345678"),
            ("+84912345678", "0912345678"),
            ("0387654321", "0387654321"),
            ("0862000111", "0862000111"),
            ("0521234567", "0521234567"),
            ("0701234567", "0701234567"),
        ] {
            assert_eq!(phone(typed), Ok(Phone::Mobile(ok.into())), "{typed}");
        }
        assert_eq!(phone("024 3825 1234"), Ok(Phone::HanoiLandline("02438251234".into())));
        for (typed, kind) in [
            ("", ProblemKind::Empty),
            ("09123", ProblemKind::TooShort),
            ("09123456789", ProblemKind::TooLong),
            ("0912abc678", ProblemKind::NotDigits),
            ("912345678", ProblemKind::UnknownPrefix),
            ("0112345678", ProblemKind::UnknownPrefix),
            ("0952345678", ProblemKind::UnknownPrefix),
            ("0243825123", ProblemKind::TooShort),
            ("024382512345", ProblemKind::TooLong),
            ("01681234567", ProblemKind::OldNumber),
        ] {
            assert_eq!(phone(typed).map_err(|p| p.kind), Err(kind), "{typed}");
        }
        let old = phone("01681234567").expect_err("old");
        assert_eq!(old.message, Message::OldMobileNumber { new: "0381234567".into() }, "the new number is suggested");
    }

    #[test]
    fn names() {
        assert_eq!(name("  Nguyễn   Thị  Hòa ", 60), Ok("Nguyễn Thị Hòa".into()));
        assert_eq!(name("Đặng Văn Ưng", 60), Ok("Đặng Văn Ưng".into()));
        assert_eq!(name("Hoàng A Tủa", 60), Ok("Hoàng A Tủa".into()));
        // Decomposed input is stored composed.
        assert_eq!(name("Vie\u{0323}\u{0302}t Anh", 60), Ok("Việt Anh".into()));
        for (typed, kind) in [
            ("", ProblemKind::Empty),
            ("   ", ProblemKind::Empty),
            ("Nguyen Van 2", ProblemKind::NotLetters),
            ("Lê-Thị", ProblemKind::NotLetters),
            ("Иван", ProblemKind::NotLetters),
            ("A", ProblemKind::TooShort),
        ] {
            assert_eq!(name(typed, 60).map_err(|p| p.kind), Err(kind), "{typed}");
        }
        assert_eq!(name(&"a".repeat(61), 60).map_err(|p| p.kind), Err(ProblemKind::TooLong));
    }

    #[test]
    fn dates_of_birth() {
        let d = |day, month, year| Date { year, month, day };
        assert_eq!(birth_date("05/03/1948", TODAY), Ok(d(5, 3, 1948)));
        assert_eq!(birth_date("5/3/1948", TODAY), Ok(d(5, 3, 1948)));
        assert_eq!(birth_date("05031948", TODAY), Ok(d(5, 3, 1948)));
        assert_eq!(birth_date("29/02/2024", TODAY), Ok(d(29, 2, 2024)));
        assert_eq!(birth_date("29/11/2026", TODAY), Ok(d(29, 11, 2026)), "born today");
        for (typed, kind) in [
            ("", ProblemKind::Empty),
            ("30/11/2026", ProblemKind::InTheFuture),
            ("01/01/2030", ProblemKind::InTheFuture),
            ("29/02/2023", ProblemKind::NotADate),
            ("31/04/1950", ProblemKind::NotADate),
            ("12/13/1950", ProblemKind::NotADate),
            ("00/01/1950", ProblemKind::NotADate),
            ("5/3/48", ProblemKind::NotADate),
            ("hôm qua", ProblemKind::NotADate),
            ("1/1/1899", ProblemKind::TooOld),
        ] {
            assert_eq!(birth_date(typed, TODAY).map_err(|p| p.kind), Err(kind), "{typed}");
        }
    }

    #[test]
    fn email_addresses_are_shaped_as_a_counter_writes_them() {
        for good in ["nguyenvana@gmail.com", "Hoa.Tran_85@yahoo.com.vn", "a+b@ubnd-hoankiem.hanoi.gov.vn"] {
            assert!(email(good).is_ok(), "{good}");
        }
        assert_eq!(email(" Ten@Gmail.COM ").as_deref(), Ok("ten@gmail.com"));
        for bad in [
            "",
            "gmail.com",
            "a@b",
            "a@@b.com",
            "@gmail.com",
            "a.@gmail.com",
            "a..b@gmail.com",
            "a@-x.com",
            "a@x.c",
            "a@x.c0m",
            "nguyễn@gmail.com",
            "a b@gmail.com",
        ] {
            assert_eq!(email(bad).map_err(|p| p.message), Err(Message::EmailNotAddress), "{bad:?}");
        }
    }

    #[test]
    fn months_are_added_on_the_calendar() {
        let d = |day, month, year| Date { year, month, day };
        assert_eq!(d(7, 12, 2026).add_months(12), d(7, 12, 2027));
        assert_eq!(d(15, 3, 2026).add_months(10), d(15, 1, 2027), "across the new year");
        assert_eq!(d(31, 1, 2027).add_months(1), d(28, 2, 2027), "no 31 February: the month's last day");
        assert_eq!(d(29, 2, 2028).add_months(12), d(28, 2, 2029));
        assert_eq!(d(31, 12, 2026).add_months(0), d(31, 12, 2026));
        let late = Message::DateTooFarAfter { months: 12, start: "07/12/2026".into(), latest: "07/12/2027".into() };
        assert_eq!(late.args(), ["12", "07/12/2026", "07/12/2027"]);
    }

    #[test]
    fn personal_numbers() {
        let born = |year| Some(Date { year, month: 1, day: 1 });
        // 001 Hà Nội, 0 = man born in the 1900s, 48 = 1948.
        let man = personal_number("001048123456", born(1948), Some(Sex::Male)).expect("valid");
        assert_eq!((man.province.as_str(), man.sex, man.birth_year), ("Hà Nội", Sex::Male, 1948));
        // 079 Hồ Chí Minh, 3 = woman born in the 2000s, 05 = 2005.
        let woman = personal_number("079 305 000 001", born(2005), Some(Sex::Female)).expect("valid");
        assert_eq!((woman.sex, woman.birth_year), (Sex::Female, 2005));
        assert_eq!(personal_number("001148000001", None, None).map(|n| n.sex), Ok(Sex::Female));
        for (typed, year, sex, kind) in [
            ("", None, None, ProblemKind::Empty),
            ("00104812345", None, None, ProblemKind::TooShort),
            ("0010481234567", None, None, ProblemKind::TooLong),
            ("012345678", None, None, ProblemKind::TooShort),
            ("00104812345a", None, None, ProblemKind::NotDigits),
            ("003048123456", None, None, ProblemKind::UnknownProvince), // no province 003
            ("099048123456", None, None, ProblemKind::UnknownProvince),
            ("001248123456", born(1948), None, ProblemKind::CenturyMismatch),
            ("001049123456", born(1948), None, ProblemKind::YearMismatch),
            ("001048123456", born(1948), Some(Sex::Female), ProblemKind::SexMismatch),
        ] {
            assert_eq!(personal_number(typed, year, sex).map_err(|p| p.kind), Err(kind), "{typed}");
        }
    }

    #[test]
    fn the_shipped_tables_are_whole() {
        let tables = tables();
        assert_eq!(tables.province.len(), 63);
        assert_eq!(tables.century.len(), 10);
        assert!(tables.province.iter().any(|p| p.code == "001" && p.name == "Hà Nội"));
        assert!(tables.province.iter().all(|p| p.code.len() == 3 && crate::text::is_nfc(&p.name)));
    }

    #[test]
    fn problems_never_repeat_what_was_typed() {
        for typed in ["0952345678", "01681234567x", "12/13/1950"] {
            let problem = phone(typed).err().or_else(|| parse_date(typed).err()).expect("a problem");
            assert!(!problem.message.args().iter().any(|a| a.contains(typed)), "{typed}");
        }
    }
}
