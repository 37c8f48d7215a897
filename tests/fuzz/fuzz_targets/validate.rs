//! What residents type, checked (kiosk-app/core/src/validate.rs): phone numbers, names, dates and the 12-digit
//! personal number, on any text. Properties: no panic; what a check accepts is tidy (digits only, NFC, single
//! spaces, a real date) and is accepted again as itself, so a stored answer survives "Change"; an old 11-digit
//! mobile number's suggested new number is itself a valid mobile number; a date of birth is never in the future
//! nor before 1900; a personal number agrees with the birth year and sex it encodes. Must not do: I/O.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use kiosk_core::validate::{self, Date, Message, Phone, ProblemKind, Sex};
use libfuzzer_sys::fuzz_target;

/// The input: what the resident typed, up to the first newline (all of it when there is none); the bytes after
/// the newline choose a name's length limit, today's date and the date of birth and sex given before a personal
/// number (the limit 100, 29/11/2026 and none when there are no such bytes).
#[derive(Debug, Arbitrary)]
struct Context {
    max: u8,
    today: (u16, u8, u8),
    born: Option<(u16, u8, u8)>,
    female: Option<bool>,
}

fn date((year, month, day): (u16, u8, u8)) -> Date {
    Date { year, month, day }
}

fuzz_target!(|bytes: &[u8]| {
    let at = bytes.iter().position(|b| *b == b'\n');
    let typed = String::from_utf8_lossy(&bytes[..at.unwrap_or(bytes.len())]);
    let typed = typed.as_ref();
    let input = at
        .and_then(|at| Context::arbitrary_take_rest(Unstructured::new(&bytes[at + 1..])).ok())
        .unwrap_or(Context { max: 100, today: (2026, 11, 29), born: None, female: None });

    match validate::phone(typed) {
        Ok(phone) => {
            let digits = phone.digits();
            assert!(digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
            match &phone {
                Phone::Mobile(d) => assert_eq!(d.len(), 10),
                Phone::HanoiLandline(d) => assert!(d.len() == 11 && d.starts_with("024")),
            }
            assert_eq!(validate::phone(digits), Ok(phone.clone()), "accepted again as itself");
        }
        Err(problem) => {
            if let Message::OldMobileNumber { new } = &problem.message {
                assert_eq!(problem.kind, ProblemKind::OldNumber);
                assert_eq!(validate::phone(new), Ok(Phone::Mobile(new.clone())), "the suggested number is valid");
            }
        }
    }

    let max = usize::from(input.max).max(2);
    if let Ok(name) = validate::name(typed, max) {
        assert!(kiosk_core::text::is_nfc(&name));
        assert!((2..=max).contains(&name.chars().count()));
        assert!(!name.starts_with(' ') && !name.ends_with(' ') && !name.contains("  "), "{name:?}");
        assert_eq!(validate::name(&name, max), Ok(name.clone()), "accepted again as itself");
    }

    if let Ok(parsed) = validate::parse_date(typed) {
        assert!((1..=12).contains(&parsed.month) && (1..=31).contains(&parsed.day) && parsed.year >= 1000);
        assert_eq!(validate::parse_date(&parsed.to_string()), Ok(parsed), "{parsed}");
    }
    let today = date(input.today);
    if let Ok(born) = validate::birth_date(typed, today) {
        assert!(born <= today && born.year >= 1900);
    }

    let sex = input.female.map(|female| if female { Sex::Female } else { Sex::Male });
    if let Ok(number) = validate::personal_number(typed, input.born.map(date), sex) {
        assert!(number.digits.len() == 12 && number.digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(sex.is_none_or(|s| s == number.sex));
        if let Some(born) = input.born {
            assert_eq!(born.0, number.birth_year);
        }
        let born = Date { year: number.birth_year, month: 1, day: 1 };
        let again = validate::personal_number(&number.digits, Some(born), Some(number.sex));
        assert_eq!(again, Ok(number), "accepted again with the year and sex it encodes");
    }
});
