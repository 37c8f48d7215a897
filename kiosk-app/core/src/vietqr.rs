//! VietQR, the NAPAS 247 bank-transfer QR: the payload text a banking app reads, built from a [`Transfer`] and
//! parsed back into one. Must not do: any I/O, clock or drawing; turning the text into modules is the printer's
//! (native QR command) or the screen's business.
//!
//! Source: NAPAS, *"Tài liệu quy định về định dạng mã VietQR trong dịch vụ chuyển nhanh NAPAS247"*, Phiên bản 1.0,
//! Hà Nội, tháng 09 năm 2021 (the EMVCo merchant-presented QR format, as NAPAS profiles it), as summarised in
//! shared/reference/next-features.md §1:
//! - §5.1: every data object is `ID` (2 digits) `LEN` (2 digits, 01–99) `VALUE`; `00` first, `63` last, the rest in
//!   any order.
//! - Bảng 1: the root objects (00 format `01`, 01 point of initiation `11`/`12`, 38 NAPAS, 53 currency `704`,
//!   54 amount, 58 country `VN`, 62 additional data, 63 CRC).
//! - §5.2.3.2, Bảng 4: the NAPAS template in 38 (00 GUID `A000000727`, 01 beneficiary organisation = 00 bank BIN
//!   and 01 account or card number, 02 service code `QRIBFTTA` to an account, `QRIBFTTC` to a card).
//! - Bảng 2/8: the additional data in 62 (01 bill number, 08 purpose of transaction, each at most 25).
//! - §5.2.15: the CRC, ISO/IEC 13239 polynomial 1021 from FFFF (CRC-16/CCITT-FALSE, catalogued as
//!   CRC-16/IBM-3740), over everything up to and including `6304`, written as 4 upper-case hex digits.
//! - §6.1.1–6.1.4: the worked examples, kept as tests below (two carry errata, corrected there).
//!
//! Text: the note and bill number are `ANS`, the EMV common character set (printable ASCII), so Vietnamese is
//! folded to ASCII before building: marks dropped, đ/Đ as d/D ("Nộp phí" → "Nop phi"). That, and trimming the
//! spaces around the text, is all that is changed: a text still too long, or holding a character with no ASCII
//! form, is refused with an error, never cut, because the note carries the dossier code the transfer is matched by.
//!
//! Lengths count characters. What [`build`] makes is ASCII, where characters and bytes agree; [`parse`] also reads
//! payloads from generators that leave diacritics in (npm `vietnam-qr-pay` counts "Lệ phí hộ tịch" as 14), and
//! the CRC always covers the UTF-8 bytes. Counting characters also means the parser never splits one.

use std::fmt;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A transfer through NAPAS 247, as the payer's banking app will prefill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The beneficiary bank's 6-digit BIN (38-01-00), e.g. 970415 VietinBank, 970436 Vietcombank (State Bank
    /// letter 1589/NHNN-TT lists them).
    pub bin: String,
    /// Where the money goes (38-01-01), which also picks the service code (38-02).
    pub beneficiary: Beneficiary,
    /// Whole đồng (54): VND has no minor unit, so there are no decimals. `None` lets the payer type the amount.
    pub amount: Option<u64>,
    /// Static for a code many pay with, dynamic for one payment (a fee for one dossier).
    pub initiation: Initiation,
    /// The bill number (62-01), ASCII-folded, at most 25 characters.
    pub bill_number: Option<String>,
    /// The transfer note, "purpose of transaction" (62-08), which the payer's bank carries into the transfer's
    /// content: the dossier code goes here. ASCII-folded, at most 25 characters.
    pub note: Option<String>,
}

/// The beneficiary of a transfer: an account or a card at the bank named by the BIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Beneficiary {
    /// An account number: 1 to 19 ASCII letters or digits (service `QRIBFTTA`).
    Account(String),
    /// A card number: 1 to 19 digits (service `QRIBFTTC`).
    Card(String),
}

/// Point of initiation (01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiation {
    /// `11`: the same code serves many payments (a sign at the counter).
    Static,
    /// `12`: the code is for one payment, and the app may refuse to pay it twice.
    Dynamic,
}

/// A text field of the additional data template (62), for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// 62-01.
    BillNumber,
    /// 62-08, the purpose of transaction.
    Note,
}

impl fmt::Display for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextField::BillNumber => "the bill number (62-01)",
            TextField::Note => "the note (62-08)",
        })
    }
}

/// Why a transfer could not be built, or a payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    // What `build` refuses: the transfer given to it.
    #[error("the bank BIN is 6 digits (e.g. 970415), not {0:?}")]
    BadBin(String),
    #[error("an account number is 1 to 19 letters or digits, not {0:?}")]
    BadAccount(String),
    #[error("a card number is 1 to 19 digits, not {0:?}")]
    BadCard(String),
    #[error("an amount, when given, is at least 1 đồng")]
    ZeroAmount,
    #[error("{0} đồng needs more than the 13 characters the amount (54) may have")]
    AmountTooLarge(u64),
    #[error("{field} is empty once folded and trimmed; leave it out instead")]
    TextEmpty { field: TextField },
    #[error("{field} has {character:?}, which has no ASCII form; a VietQR text is printable ASCII")]
    TextNotAllowed { field: TextField, character: char },
    #[error("{field} is {length} characters once folded to ASCII; at most {max} fit, and it is never cut")]
    TextTooLong { field: TextField, length: usize, max: usize },
    #[error("data object {object} would hold {length} characters; one holds 1 to 99")]
    ObjectLength { object: &'static str, length: usize },

    // What `parse` refuses, first the structure (§5.1, §5.2.15).
    #[error("at character {position}, {found:?} is not a two-digit data object ID")]
    BadId { position: usize, found: String },
    #[error("at character {position}, data object {object} has the length {found:?}; a length is 01 to 99")]
    BadLength { object: String, position: usize, found: String },
    #[error("data object {object} announces {declared} characters, but only {available} follow")]
    Truncated { object: String, declared: usize, available: usize },
    #[error("data object {object} appears twice")]
    DuplicateObject { object: String },
    #[error("a VietQR payload starts with data object 00, the payload format indicator")]
    FormatIndicatorNotFirst,
    #[error("a VietQR payload ends with data object 63, the CRC")]
    CrcNotLast,
    #[error("the CRC (63) is 4 hex digits, not {0:?}")]
    BadCrc(String),
    #[error("the CRC does not match: the payload says {found:04X}, its content gives {computed:04X}")]
    CrcMismatch { found: u16, computed: u16 },
    // Then the content.
    #[error("the mandatory data object {0} is missing")]
    MissingObject(&'static str),
    #[error("data object {object} cannot hold {value:?}")]
    BadObject { object: &'static str, value: String },
    #[error("the amount {0:?} has đồng fractions; VND has no minor unit")]
    FractionalAmount(String),
    // Then what is well formed but not a NAPAS 247 transfer in đồng.
    #[error("payload format {0:?} is not the version 01 this reader knows")]
    UnsupportedFormat(String),
    #[error("the merchant account (38) is for {0:?}, not NAPAS (A000000727)")]
    WrongGuid(String),
    #[error("service {0:?} is not a NAPAS 247 transfer to an account (QRIBFTTA) or a card (QRIBFTTC)")]
    UnsupportedService(String),
    #[error("currency {0:?} is not the đồng (704)")]
    UnsupportedCurrency(String),
    #[error("country {0:?} is not Việt Nam (VN)")]
    UnsupportedCountry(String),
}

/// What the caller can do about an [`Error`], without knowing the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The transfer given to [`build`] cannot be encoded: a configuration or programming mistake.
    Input,
    /// Not a well-formed VietQR payload: a damaged scan, or a faulty generator. Scanning again may help.
    Malformed,
    /// Well formed, but not a NAPAS 247 transfer in đồng (another scheme, currency, country or version).
    Unsupported,
}

impl Error {
    /// Whether to fix the input, scan again, or tell the payer this code is not one the kiosk can read.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::BadBin(_)
            | Error::BadAccount(_)
            | Error::BadCard(_)
            | Error::ZeroAmount
            | Error::AmountTooLarge(_)
            | Error::TextEmpty { .. }
            | Error::TextNotAllowed { .. }
            | Error::TextTooLong { .. }
            | Error::ObjectLength { .. } => ErrorKind::Input,
            Error::BadId { .. }
            | Error::BadLength { .. }
            | Error::Truncated { .. }
            | Error::DuplicateObject { .. }
            | Error::FormatIndicatorNotFirst
            | Error::CrcNotLast
            | Error::BadCrc(_)
            | Error::CrcMismatch { .. }
            | Error::MissingObject(_)
            | Error::BadObject { .. }
            | Error::FractionalAmount(_) => ErrorKind::Malformed,
            Error::UnsupportedFormat(_)
            | Error::WrongGuid(_)
            | Error::UnsupportedService(_)
            | Error::UnsupportedCurrency(_)
            | Error::UnsupportedCountry(_) => ErrorKind::Unsupported,
        }
    }
}

/// The payload text of `transfer`: root objects in the order of the spec's examples (00, 01, 38, 53, 54, 58, 62),
/// then the CRC.
pub fn build(transfer: &Transfer) -> Result<String, Error> {
    if !is_bin(&transfer.bin) {
        return Err(Error::BadBin(transfer.bin.clone()));
    }
    let (number, service) = match &transfer.beneficiary {
        Beneficiary::Account(number) if is_account(number) => (number, SERVICE_ACCOUNT),
        Beneficiary::Account(number) => return Err(Error::BadAccount(number.clone())),
        Beneficiary::Card(number) if is_card(number) => (number, SERVICE_CARD),
        Beneficiary::Card(number) => return Err(Error::BadCard(number.clone())),
    };

    let mut organisation = String::new();
    push(&mut organisation, "38-01-00", &transfer.bin)?;
    push(&mut organisation, "38-01-01", number)?;
    let mut napas = String::new();
    push(&mut napas, "38-00", NAPAS_GUID)?;
    push(&mut napas, "38-01", &organisation)?;
    push(&mut napas, "38-02", service)?;

    let mut additional = String::new();
    if let Some(bill_number) = &transfer.bill_number {
        push(&mut additional, "62-01", &ans_text(TextField::BillNumber, bill_number)?)?;
    }
    if let Some(note) = &transfer.note {
        push(&mut additional, "62-08", &ans_text(TextField::Note, note)?)?;
    }

    let mut payload = String::with_capacity(160);
    push(&mut payload, "00", FORMAT_VERSION)?;
    push(&mut payload, "01", transfer.initiation.code())?;
    push(&mut payload, "38", &napas)?;
    push(&mut payload, "53", CURRENCY_VND)?;
    if let Some(amount) = transfer.amount {
        push(&mut payload, "54", &amount_text(amount)?)?;
    }
    push(&mut payload, "58", COUNTRY_VN)?;
    if !additional.is_empty() {
        push(&mut payload, "62", &additional)?;
    }
    // §5.2.15: the CRC covers its own ID and length.
    payload.push_str("6304");
    let crc = CRC.checksum(payload.as_bytes());
    payload.push_str(&format!("{crc:04X}"));
    Ok(payload)
}

/// Reads a payload: its structure (§5.1), its CRC (§5.2.15), then the NAPAS template, amount, currency, country
/// and the 62 texts. Objects it does not use (52 category, 59 name, other 62 sub-objects, ...) are skipped; the
/// texts are returned as they are, diacritics included, since the payer's bank, not the kiosk, judges them.
/// Never panics, whatever the input.
pub fn parse(payload: &str) -> Result<Transfer, Error> {
    let root = objects(payload, 0, "")?;
    let format = match root.first() {
        Some(first) if first.id == 0 => first.value,
        _ => return Err(Error::FormatIndicatorNotFirst),
    };
    let crc_value = match root.last() {
        Some(last) if last.id == 63 => last.value,
        _ => return Err(Error::CrcNotLast),
    };
    let found = parse_crc(crc_value)?;
    let covered = payload.strip_suffix(crc_value).ok_or(Error::CrcNotLast)?;
    let computed = CRC.checksum(covered.as_bytes());
    if found != computed {
        return Err(Error::CrcMismatch { found, computed });
    }
    if format != FORMAT_VERSION {
        return Err(Error::UnsupportedFormat(format.to_owned()));
    }

    let initiation = match required(&root, 1, "01")?.value {
        "11" => Initiation::Static,
        "12" => Initiation::Dynamic,
        other => return Err(Error::BadObject { object: "01", value: other.to_owned() }),
    };

    let napas_object = required(&root, 38, "38")?;
    let napas = objects(napas_object.value, napas_object.position, "38")?;
    let guid = required(&napas, 0, "38-00")?.value;
    if !guid.eq_ignore_ascii_case(NAPAS_GUID) {
        return Err(Error::WrongGuid(guid.to_owned()));
    }
    let organisation_object = required(&napas, 1, "38-01")?;
    let organisation = objects(organisation_object.value, organisation_object.position, "38-01")?;
    let bin = required(&organisation, 0, "38-01-00")?.value;
    if !is_bin(bin) {
        return Err(Error::BadObject { object: "38-01-00", value: bin.to_owned() });
    }
    let number = required(&organisation, 1, "38-01-01")?.value;
    let beneficiary = match required(&napas, 2, "38-02")?.value {
        SERVICE_ACCOUNT if is_account(number) => Beneficiary::Account(number.to_owned()),
        SERVICE_CARD if is_card(number) => Beneficiary::Card(number.to_owned()),
        SERVICE_ACCOUNT | SERVICE_CARD => {
            return Err(Error::BadObject { object: "38-01-01", value: number.to_owned() })
        }
        other => return Err(Error::UnsupportedService(other.to_owned())),
    };

    let currency = required(&root, 53, "53")?.value;
    if currency != CURRENCY_VND {
        return Err(Error::UnsupportedCurrency(currency.to_owned()));
    }
    let amount = match find(&root, 54) {
        Some(object) => Some(parse_amount(object.value)?),
        None => None,
    };
    let country = required(&root, 58, "58")?.value;
    if country != COUNTRY_VN {
        return Err(Error::UnsupportedCountry(country.to_owned()));
    }

    let (bill_number, note) = match find(&root, 62) {
        Some(object) => {
            let additional = objects(object.value, object.position, "62")?;
            (find(&additional, 1).map(|o| o.value.to_owned()), find(&additional, 8).map(|o| o.value.to_owned()))
        }
        None => (None, None),
    };

    Ok(Transfer { bin: bin.to_owned(), beneficiary, amount, initiation, bill_number, note })
}

/// `text` with Vietnamese (and other Latin) marks removed and đ/Đ as d/D, the rest unchanged: "Nộp phí hồ sơ" →
/// "Nop phi ho so". Decomposes first (NFD), so precomposed and Telex-typed text fold alike.
pub fn ascii_fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfd() {
        match c {
            // Đ/đ carry a stroke, not a combining mark, so NFD leaves them whole.
            'đ' => folded.push('d'),
            'Đ' => folded.push('D'),
            c if is_combining_mark(c) => {}
            c => folded.push(c),
        }
    }
    folded
}

/// The most characters a 62 text may have (Bảng 2/8).
pub const TEXT_MAX: usize = 25;

/// 00, payload format indicator (Bảng 1).
const FORMAT_VERSION: &str = "01";
/// 38-00, the NAPAS application identifier (Bảng 4).
const NAPAS_GUID: &str = "A000000727";
/// 38-02, NAPAS 247 transfer to an account (Bảng 4).
const SERVICE_ACCOUNT: &str = "QRIBFTTA";
/// 38-02, NAPAS 247 transfer to a card (Bảng 4).
const SERVICE_CARD: &str = "QRIBFTTC";
/// 53, ISO 4217 numeric code of the đồng.
const CURRENCY_VND: &str = "704";
/// 58, ISO 3166-1 alpha-2.
const COUNTRY_VN: &str = "VN";
/// 54 is at most 13 characters (Bảng 1).
const AMOUNT_MAX_CHARS: usize = 13;
/// 38-01-01, merchant or consumer ID, at most 19 characters (Bảng 4).
const NUMBER_MAX_CHARS: usize = 19;

/// CRC-16/CCITT-FALSE (§5.2.15): polynomial 1021, initial FFFF, no reflection, no final XOR.
const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);

impl Initiation {
    fn code(self) -> &'static str {
        match self {
            Initiation::Static => "11",
            Initiation::Dynamic => "12",
        }
    }
}

fn is_bin(bin: &str) -> bool {
    bin.len() == 6 && bin.bytes().all(|b| b.is_ascii_digit())
}

fn is_account(number: &str) -> bool {
    (1..=NUMBER_MAX_CHARS).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_card(number: &str) -> bool {
    (1..=NUMBER_MAX_CHARS).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit())
}

/// Appends one data object. Every value `build` writes is bounded well below 99 (38 reaches 63 with a 19-character
/// number), so the error marks a broken invariant rather than a transfer a caller could fix.
fn push(out: &mut String, object: &'static str, value: &str) -> Result<(), Error> {
    let length = value.chars().count();
    if !(1..=99).contains(&length) {
        return Err(Error::ObjectLength { object, length });
    }
    // The ID is the object path's last two digits ("38-01-00" is ID 00 inside 38-01).
    let id = object.rsplit('-').next().unwrap_or(object);
    out.push_str(id);
    out.push_str(&format!("{length:02}"));
    out.push_str(value);
    Ok(())
}

/// A 62 text as it goes in: trimmed, ASCII-folded, then checked, never cut.
fn ans_text(field: TextField, text: &str) -> Result<String, Error> {
    let folded = ascii_fold(text.trim());
    let folded = folded.trim();
    if folded.is_empty() {
        return Err(Error::TextEmpty { field });
    }
    // The EMV common character set: space to tilde.
    if let Some(character) = folded.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(Error::TextNotAllowed { field, character });
    }
    if folded.len() > TEXT_MAX {
        return Err(Error::TextTooLong { field, length: folded.len(), max: TEXT_MAX });
    }
    Ok(folded.to_owned())
}

fn amount_text(amount: u64) -> Result<String, Error> {
    // EMVCo: an amount, when present, is not zero.
    if amount == 0 {
        return Err(Error::ZeroAmount);
    }
    let text = amount.to_string();
    if text.len() > AMOUNT_MAX_CHARS {
        return Err(Error::AmountTooLarge(amount));
    }
    Ok(text)
}

/// Digits with at most one `.` (Bảng 1); a fraction is accepted only when it is all zeros ("180000.00"), as the
/// đồng has none.
fn parse_amount(value: &str) -> Result<u64, Error> {
    let bad = || Error::BadObject { object: "54", value: value.to_owned() };
    let (whole, fraction) = match value.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (value, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || value.len() > AMOUNT_MAX_CHARS || !all_digits(whole) || !all_digits(fraction) {
        return Err(bad());
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err(Error::FractionalAmount(value.to_owned()));
    }
    match whole.parse::<u64>() {
        Ok(0) | Err(_) => Err(bad()),
        Ok(amount) => Ok(amount),
    }
}

/// The CRC value: 4 hex digits (upper case as §5.2.15 writes them; lower case is read too).
fn parse_crc(value: &str) -> Result<u16, Error> {
    if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::BadCrc(value.to_owned()));
    }
    u16::from_str_radix(value, 16).map_err(|_| Error::BadCrc(value.to_owned()))
}

/// One data object as read: its ID, its value, and where the value starts (in characters from the payload's
/// start, for errors).
#[derive(Debug, Clone, Copy)]
struct Object<'a> {
    id: u8,
    value: &'a str,
    position: usize,
}

/// Splits `text` (a payload, or a template's value starting at character `position`) into its data objects.
/// `parent` names the template in errors ("" for the root).
fn objects<'a>(text: &'a str, mut position: usize, parent: &str) -> Result<Vec<Object<'a>>, Error> {
    let mut objects = Vec::new();
    let mut seen = [false; 100];
    let mut rest = text;
    while !rest.is_empty() {
        let (id_text, after_id) = take_chars(rest, 2).unwrap_or((rest, ""));
        let id = two_digits(id_text).ok_or_else(|| Error::BadId { position, found: id_text.to_owned() })?;
        let object = if parent.is_empty() { format!("{id:02}") } else { format!("{parent}-{id:02}") };
        let (length_text, after_length) = take_chars(after_id, 2).unwrap_or((after_id, ""));
        let length = match two_digits(length_text) {
            Some(length) if length > 0 => usize::from(length),
            _ => return Err(Error::BadLength { object, position: position + 2, found: length_text.to_owned() }),
        };
        let Some((value, after_value)) = take_chars(after_length, length) else {
            let available = after_length.chars().count();
            return Err(Error::Truncated { object, declared: length, available });
        };
        if std::mem::replace(&mut seen[usize::from(id)], true) {
            return Err(Error::DuplicateObject { object });
        }
        objects.push(Object { id, value, position: position + 4 });
        position += 4 + length;
        rest = after_value;
    }
    Ok(objects)
}

/// The first `n` characters of `text` and the rest, or `None` when it is shorter. Splits only between characters.
fn take_chars(text: &str, n: usize) -> Option<(&str, &str)> {
    let mut end = 0;
    let mut chars = text.chars();
    for _ in 0..n {
        end += chars.next()?.len_utf8();
    }
    Some(text.split_at(end))
}

/// `00`–`99` as a number; anything else (one character, a sign, a non-ASCII digit) is `None`.
fn two_digits(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [tens @ b'0'..=b'9', units @ b'0'..=b'9'] => Some((tens - b'0') * 10 + (units - b'0')),
        _ => None,
    }
}

fn find<'a>(objects: &[Object<'a>], id: u8) -> Option<Object<'a>> {
    objects.iter().find(|object| object.id == id).copied()
}

fn required<'a>(objects: &[Object<'a>], id: u8, name: &'static str) -> Result<Object<'a>, Error> {
    find(objects, id).ok_or(Error::MissingObject(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(bin: &str, number: &str) -> Transfer {
        Transfer {
            bin: bin.to_owned(),
            beneficiary: Beneficiary::Account(number.to_owned()),
            amount: None,
            initiation: Initiation::Static,
            bill_number: None,
            note: None,
        }
    }

    fn card(bin: &str, number: &str) -> Transfer {
        Transfer { beneficiary: Beneficiary::Card(number.to_owned()), ..account(bin, number) }
    }

    fn dynamic(transfer: Transfer, amount: u64, bill_number: Option<&str>, note: Option<&str>) -> Transfer {
        Transfer {
            amount: Some(amount),
            initiation: Initiation::Dynamic,
            bill_number: bill_number.map(str::to_owned),
            note: note.map(str::to_owned),
            ..transfer
        }
    }

    /// A vector reproduced byte for byte, read back, and its CRC matching the one printed.
    fn check_vector(transfer: &Transfer, payload: &str) {
        assert_eq!(build(transfer).as_deref(), Ok(payload));
        assert_eq!(parse(payload).as_ref(), Ok(transfer));
        let (covered, printed) = payload.split_at(payload.len() - 4);
        assert_eq!(format!("{:04X}", CRC.checksum(covered.as_bytes())), printed);
    }

    /// `body` (everything before the CRC object) closed with a correct CRC, to reach the checks after it.
    fn with_crc(body: &str) -> String {
        let covered = format!("{body}6304");
        format!("{covered}{:04X}", CRC.checksum(covered.as_bytes()))
    }

    const HEAD: &str = "000201010212";
    const NAPAS_38: &str = "38570010A00000072701270006970403011300110123456780208QRIBFTTA";

    #[test]
    fn crc_is_ccitt_false() {
        // The catalogue's check value for CRC-16/IBM-3740 (= CCITT-FALSE).
        assert_eq!(CRC.checksum(b"123456789"), 0x29B1);
    }

    #[test]
    fn spec_6_1_1_static_to_an_account_as_corrected() {
        // Erratum (next-features.md §1.2): the printed §6.1.1 payload has `0112` for the 13-digit account (the
        // spec's own table shows `0113`); with `0113` the CRC is 9E6F, which npm vietnam-qr-pay also gives.
        check_vector(
            &account("970403", "0011012345678"),
            "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN63049E6F",
        );
    }

    #[test]
    fn spec_6_1_1_as_printed_has_a_right_crc_and_a_broken_template() {
        let printed = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5";
        let (covered, _) = printed.split_at(printed.len() - 4);
        assert_eq!(CRC.checksum(covered.as_bytes()), 0xF4E5);
        // 38-01-01 takes 12 of the 13 digits, and the stray `8` cannot be an ID: a right CRC is not a right payload.
        assert_eq!(parse(printed), Err(Error::BadId { position: 60, found: "8".to_owned() }));
    }

    #[test]
    fn spec_6_1_2_static_to_a_card() {
        check_vector(
            &card("970403", "9704031101234567"),
            "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52",
        );
    }

    #[test]
    fn spec_6_1_3_dynamic_to_an_account() {
        check_vector(
            &dynamic(account("970403", "0011012345678"), 180_000, Some("NPS6869"), Some("thanh toan don hang")),
            "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN\
             62340107NPS68690819thanh toan don hang63042E2E",
        );
    }

    #[test]
    fn spec_6_1_4_dynamic_to_a_card_as_corrected() {
        // Erratum (next-features.md §1.2): §6.1.4's header line prints the static card payload of §6.1.2 with
        // the CRC A203; A203 belongs to the string in its CRC step table, the dynamic one tested here.
        check_vector(
            &dynamic(card("970403", "9704031101234567"), 180_000, Some("NPS6869"), Some("thanh toan don hang")),
            "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN\
             62340107NPS68690819thanh toan don hang6304A203",
        );
        let header_line =
            "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN6304A203";
        assert_eq!(parse(header_line), Err(Error::CrcMismatch { found: 0xA203, computed: 0x4F52 }));
    }

    #[test]
    fn spec_example_of_the_napas_template() {
        // §5.2.3.2's example of a 38 object.
        let payload = build(&account("970468", "0011009950446")).expect("a valid transfer");
        assert!(payload.contains("38570010A00000072701270006970468011300110099504460208QRIBFTTA"), "{payload}");
    }

    #[test]
    fn generators_readme_vectors() {
        // subiz/vietqr README: VietinBank, 120000 đồng, a note only.
        check_vector(
            &dynamic(account("970415", "0011001932418"), 120_000, None, Some("ung ho lu lut")),
            "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN\
             62170813ung ho lu lut6304C15C",
        );
        // subiz/vietqr README: a static TPBank code.
        check_vector(
            &account("970423", "0099999999"),
            "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
        );
        // duyquoc1508/napas-qr README: ACB, 10000 đồng.
        check_vector(
            &dynamic(account("970416", "224528479"), 10_000, Some("NPS6869"), Some("TRANSFER TO SOMEONE")),
            "00020101021238530010A0000007270123000697041601092245284790208QRIBFTTA53037045405100005802VN\
             62340107NPS68690819TRANSFER TO SOMEONE6304AC13",
        );
    }

    #[test]
    fn vietnamese_is_folded_to_ascii() {
        assert_eq!(ascii_fold("Nộp phí hồ sơ 000.00.01.H26-261205-0001"), "Nop phi ho so 000.00.01.H26-261205-0001");
        assert_eq!(ascii_fold("Đặng Thị Đào, phường Điện Biên"), "Dang Thi Dao, phuong Dien Bien");
        for (letters, plain) in [
            ("ắằẳẵặấầẩẫậăâáàảãạ", "a"),
            ("éèẻẽẹếềểễệê", "e"),
            ("íìỉĩị", "i"),
            ("óòỏõọốồổỗộớờởỡợôơ", "o"),
            ("úùủũụứừửữựư", "u"),
            ("ýỳỷỹỵ", "y"),
            ("ẮẰẲẴẶẤẦẨẪẬĂÂÁÀẢÃẠ", "A"),
            ("ỨỪỬỮỰƯ", "U"),
        ] {
            assert_eq!(ascii_fold(letters), plain.repeat(letters.chars().count()), "{letters}");
        }
        // Decomposed input (a Telex engine's) folds the same.
        assert_eq!(ascii_fold("Vie\u{0323}\u{0302}t"), "Viet");
    }

    #[test]
    fn a_dossier_fee_carries_the_dossier_code_in_the_note() {
        let code = "000.00.01.H26-261205-0001";
        assert_eq!(code.len(), TEXT_MAX, "a dossier code fills the note on its own");
        let fee = dynamic(account("970415", "113000012345"), 50_000, None, Some(code));
        let payload = build(&fee).expect("a valid fee");
        assert!(payload.contains("62290825000.00.01.H26-261205-0001"), "{payload}");
        assert_eq!(parse(&payload), Ok(fee.clone()));

        // A Vietnamese note is folded (and trimmed) on the way in, so it reads back folded.
        let with_words = Transfer { note: Some("  Phí hồ sơ H26-261205-0001 ".to_owned()), ..fee.clone() };
        let payload = build(&with_words).expect("25 characters once folded");
        assert!(payload.contains("0825Phi ho so H26-261205-0001"), "{payload}");
        assert_eq!(parse(&payload).map(|t| t.note), Ok(Some("Phi ho so H26-261205-0001".to_owned())));

        // Words and the whole code do not fit: refused, never cut.
        let too_long = Transfer { note: Some(format!("Nộp phí hồ sơ {code}")), ..fee };
        assert_eq!(build(&too_long), Err(Error::TextTooLong { field: TextField::Note, length: 39, max: 25 }));
    }

    #[test]
    fn build_refuses_what_cannot_be_encoded() {
        let good = dynamic(account("970415", "0011001932418"), 1, Some("B1"), Some("N1"));
        let refused = |transfer: Transfer| build(&transfer).expect_err("refused");
        for bin in ["97041", "9704150", "97041a", "", "９７０４１５"] {
            assert_eq!(refused(Transfer { bin: bin.to_owned(), ..good.clone() }), Error::BadBin(bin.to_owned()));
        }
        for number in ["", "00110019324180000000", "0011 0019", "TK-01", "ĐT01"] {
            let transfer = Transfer { beneficiary: Beneficiary::Account(number.to_owned()), ..good.clone() };
            assert_eq!(refused(transfer), Error::BadAccount(number.to_owned()));
        }
        for number in ["", "97040311012345670000", "970403110123456X"] {
            let transfer = Transfer { beneficiary: Beneficiary::Card(number.to_owned()), ..good.clone() };
            assert_eq!(refused(transfer), Error::BadCard(number.to_owned()));
        }
        assert_eq!(refused(Transfer { amount: Some(0), ..good.clone() }), Error::ZeroAmount);
        assert_eq!(
            refused(Transfer { amount: Some(10_000_000_000_000), ..good.clone() }),
            Error::AmountTooLarge(10_000_000_000_000)
        );
        assert!(build(&Transfer { amount: Some(9_999_999_999_999), ..good.clone() }).is_ok());
        assert_eq!(
            refused(Transfer { note: Some(" \u{0301} ".to_owned()), ..good.clone() }),
            Error::TextEmpty { field: TextField::Note }
        );
        assert_eq!(
            refused(Transfer { bill_number: Some("Phí 50€".to_owned()), ..good.clone() }),
            Error::TextNotAllowed { field: TextField::BillNumber, character: '€' }
        );
        assert_eq!(
            refused(Transfer { note: Some("dòng 1\ndòng 2".to_owned()), ..good.clone() }),
            Error::TextNotAllowed { field: TextField::Note, character: '\n' }
        );
        assert_eq!(
            refused(Transfer { bill_number: Some("B".repeat(26)), ..good.clone() }),
            Error::TextTooLong { field: TextField::BillNumber, length: 26, max: 25 }
        );
        assert_eq!(refused(Transfer { note: Some("N".repeat(26)), ..good }).kind(), ErrorKind::Input);

        // Unreachable from `build` (every value is bounded), so checked on the writer itself.
        let mut out = String::new();
        assert_eq!(push(&mut out, "62", &"x".repeat(100)), Err(Error::ObjectLength { object: "62", length: 100 }));
        assert_eq!(push(&mut out, "62-08", ""), Err(Error::ObjectLength { object: "62-08", length: 0 }));
        assert_eq!(push(&mut out, "38-01-00", "970415"), Ok(()));
        assert_eq!(out, "0006970415");
    }

    #[test]
    fn parse_refuses_a_broken_structure() {
        assert_eq!(parse(""), Err(Error::FormatIndicatorNotFirst));
        assert_eq!(parse("0"), Err(Error::BadId { position: 0, found: "0".to_owned() }));
        assert_eq!(parse("0x0201"), Err(Error::BadId { position: 0, found: "0x".to_owned() }));
        assert_eq!(parse("é0"), Err(Error::BadId { position: 0, found: "é0".to_owned() }));
        assert_eq!(parse("000201é"), Err(Error::BadId { position: 6, found: "é".to_owned() }));
        assert_eq!(parse("0002010101"), Err(Error::Truncated { object: "01".to_owned(), declared: 1, available: 0 }));
        assert_eq!(
            parse("00020101"),
            Err(Error::BadLength { object: "01".to_owned(), position: 8, found: String::new() })
        );
        assert_eq!(
            parse("000201010"),
            Err(Error::BadLength { object: "01".to_owned(), position: 8, found: "0".to_owned() })
        );
        assert_eq!(
            parse("0002010100"),
            Err(Error::BadLength { object: "01".to_owned(), position: 8, found: "00".to_owned() })
        );
        assert_eq!(
            parse("00020101+1"),
            Err(Error::BadLength { object: "01".to_owned(), position: 8, found: "+1".to_owned() })
        );
        // Lengths count characters, not bytes: two full-width digits are 6 bytes but 2 characters.
        assert_eq!(
            parse("0002010103１２"),
            Err(Error::Truncated { object: "01".to_owned(), declared: 3, available: 2 })
        );
        assert_eq!(parse("000201010211010212"), Err(Error::DuplicateObject { object: "01".to_owned() }));
        assert_eq!(
            parse(&with_crc(&format!("{HEAD}38100001A0001B"))),
            Err(Error::DuplicateObject { object: "38-00".to_owned() })
        );
        assert_eq!(
            parse(&with_crc(&format!("{HEAD}3806010503"))),
            Err(Error::Truncated { object: "38-01".to_owned(), declared: 5, available: 2 })
        );
        assert_eq!(parse(&with_crc("010212000201")), Err(Error::FormatIndicatorNotFirst));
        assert_eq!(parse("00020163040000010212"), Err(Error::CrcNotLast));
        assert_eq!(parse(&format!("{HEAD}5303704")), Err(Error::CrcNotLast));
        assert_eq!(parse(&format!("{HEAD}6303ABC")), Err(Error::BadCrc("ABC".to_owned())));
        assert_eq!(parse(&format!("{HEAD}6304+ABC")), Err(Error::BadCrc("+ABC".to_owned())));
        assert_eq!(parse(&format!("{HEAD}6304GHIJ")), Err(Error::BadCrc("GHIJ".to_owned())));
        let spec = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN\
                    62340107NPS68690819thanh toan don hang63042E2E";
        let one_more_dong = spec.replace("180000", "180001");
        assert!(matches!(parse(&one_more_dong), Err(Error::CrcMismatch { found: 0x2E2E, .. })));
        assert_eq!(parse(&spec.replace("2E2E", "2e2e")).map(|t| t.amount), Ok(Some(180_000)));
        assert_eq!(parse("0002016304ABCD").map_err(|e| e.kind()), Err(ErrorKind::Malformed));
    }

    #[test]
    fn parse_refuses_what_is_not_a_napas_transfer() {
        let ok = |body: &str| parse(&with_crc(body));
        let tail = "53037045802VN";
        // Every mandatory object, missing.
        assert_eq!(ok(&format!("000201{NAPAS_38}{tail}")), Err(Error::MissingObject("01")));
        assert_eq!(ok(&format!("{HEAD}{tail}")), Err(Error::MissingObject("38")));
        assert_eq!(ok(&format!("{HEAD}{NAPAS_38}5802VN")), Err(Error::MissingObject("53")));
        assert_eq!(ok(&format!("{HEAD}{NAPAS_38}5303704")), Err(Error::MissingObject("58")));
        let template = |inner: &str| format!("{HEAD}38{:02}{inner}{tail}", inner.len());
        assert_eq!(
            ok(&template(concat!("0127", "0006970403", "0113", "0011012345678", "0208QRIBFTTA"))),
            Err(Error::MissingObject("38-00"))
        );
        assert_eq!(ok(&template("0010A0000007270208QRIBFTTA")), Err(Error::MissingObject("38-01")));
        assert_eq!(
            ok(&template(concat!("0010A000000727", "0110", "0006970403", "0208QRIBFTTA"))),
            Err(Error::MissingObject("38-01-01"))
        );
        assert_eq!(
            ok(&template("0010A0000007270117011300110123456780208QRIBFTTA")),
            Err(Error::MissingObject("38-01-00"))
        );
        assert_eq!(ok(&template("0010A0000007270127000697040301130011012345678")), Err(Error::MissingObject("38-02")));

        // Values the fields cannot hold.
        assert_eq!(
            ok(&format!("000201010213{NAPAS_38}{tail}")),
            Err(Error::BadObject { object: "01", value: "13".to_owned() })
        );
        assert_eq!(
            ok(&template("0010A0000007270126000597040011300110123456780208QRIBFTTA")),
            Err(Error::BadObject { object: "38-01-00", value: "97040".to_owned() })
        );
        assert_eq!(
            ok(&template(concat!("0010A000000727", "0127", "0006970403", "0113", "001-012345678", "0208QRIBFTTA"))),
            Err(Error::BadObject { object: "38-01-01", value: "001-012345678".to_owned() })
        );
        // Letters are fine in an account number, not in a card number.
        assert_eq!(
            ok(&template(concat!("0010A000000727", "0127", "0006970403", "0113", "00110123456AB", "0208QRIBFTTC"))),
            Err(Error::BadObject { object: "38-01-01", value: "00110123456AB".to_owned() })
        );
        for (amount, error) in [
            ("12a", Error::BadObject { object: "54", value: "12a".to_owned() }),
            ("0", Error::BadObject { object: "54", value: "0".to_owned() }),
            ("000.00", Error::BadObject { object: "54", value: "000.00".to_owned() }),
            (".5", Error::BadObject { object: "54", value: ".5".to_owned() }),
            ("1.2.3", Error::BadObject { object: "54", value: "1.2.3".to_owned() }),
            ("50 000", Error::BadObject { object: "54", value: "50 000".to_owned() }),
            ("12345678901234", Error::BadObject { object: "54", value: "12345678901234".to_owned() }),
            ("1000.50", Error::FractionalAmount("1000.50".to_owned())),
        ] {
            let body = format!("{HEAD}{NAPAS_38}530370454{:02}{amount}5802VN", amount.len());
            assert_eq!(ok(&body), Err(error), "{amount}");
        }
        for (amount, read) in [("180000.00", 180_000), ("50000.", 50_000), ("0050000", 50_000)] {
            let body = format!("{HEAD}{NAPAS_38}530370454{:02}{amount}5802VN", amount.len());
            assert_eq!(ok(&body).map(|t| t.amount), Ok(Some(read)), "{amount}");
        }

        // Well formed, but another scheme, version, currency or country.
        assert_eq!(ok(&format!("000202010212{NAPAS_38}{tail}")), Err(Error::UnsupportedFormat("02".to_owned())));
        let other_guid = NAPAS_38.replace("A000000727", "A000000677");
        assert_eq!(ok(&format!("{HEAD}{other_guid}{tail}")), Err(Error::WrongGuid("A000000677".to_owned())));
        let push_service = NAPAS_38.replace("QRIBFTTA", "QRPUSHXX");
        assert_eq!(ok(&format!("{HEAD}{push_service}{tail}")), Err(Error::UnsupportedService("QRPUSHXX".to_owned())));
        assert_eq!(ok(&format!("{HEAD}{NAPAS_38}53038405802VN")), Err(Error::UnsupportedCurrency("840".to_owned())));
        assert_eq!(ok(&format!("{HEAD}{NAPAS_38}53037045802TH")), Err(Error::UnsupportedCountry("TH".to_owned())));
        assert_eq!(Error::WrongGuid(String::new()).kind(), ErrorKind::Unsupported);
    }

    #[test]
    fn parse_reads_what_other_generators_add() {
        // npm vietnam-qr-pay leaves diacritics in and counts characters: "Lệ phí hộ tịch" is 14.
        let body = format!("{HEAD}{NAPAS_38}53037045405500005802VN62180814Lệ phí hộ tịch");
        let transfer = parse(&with_crc(&body)).expect("read as characters");
        assert_eq!(transfer.note.as_deref(), Some("Lệ phí hộ tịch"));
        assert_eq!(transfer.amount, Some(50_000));
        // Objects this module does not use (52 category, 59 name, 62-05 reference) are skipped.
        let body = format!("{HEAD}{NAPAS_38}5204482953037045802VN5907UBND PX62090505REF01");
        assert_eq!(
            parse(&with_crc(&body)),
            Ok(Transfer { initiation: Initiation::Dynamic, ..account("970403", "0011012345678") })
        );
    }

    /// A small deterministic generator (xorshift64*), so the property loops need no extra crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn string(&mut self, alphabet: &[char], min: usize, max: usize) -> String {
            let length = min + self.below(max - min + 1);
            (0..length).map(|_| alphabet[self.below(alphabet.len())]).collect()
        }
    }

    const DIGITS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    const WORDS: &[&str] =
        &["Nộp", "phí", "hồ", "sơ", "Đăng", "ký", "khai", "sinh", "lệ", "H26-261205-0001", "đ", "(BS)", "#12"];

    fn generated(rng: &mut Rng) -> Transfer {
        let alphanumeric: Vec<char> = ('0'..='9').chain('A'..='Z').chain('a'..='z').collect();
        let ans: Vec<char> = (' '..='~').collect();
        let beneficiary = if rng.below(2) == 0 {
            Beneficiary::Account(rng.string(&alphanumeric, 1, 19))
        } else {
            Beneficiary::Card(rng.string(DIGITS, 1, 19))
        };
        let amount = match rng.below(3) {
            0 => None,
            _ => {
                let n_digits = 1 + rng.below(13) as u32;
                Some(1 + rng.next() % (10u64.pow(n_digits) - 1))
            }
        };
        let note = match rng.below(3) {
            0 => None,
            1 => Some(rng.string(&ans, 1, 25)).filter(|t| !t.trim().is_empty()),
            _ => {
                let mut note = String::new();
                for _ in 0..1 + rng.below(4) {
                    let word = WORDS[rng.below(WORDS.len())];
                    if ascii_fold(&note).len() + 1 + word.chars().count() <= TEXT_MAX {
                        note = if note.is_empty() { word.to_owned() } else { format!("{note} {word}") };
                    }
                }
                Some(note).filter(|n| !n.is_empty())
            }
        };
        Transfer {
            bin: format!("970{}", rng.string(DIGITS, 3, 3)),
            beneficiary,
            amount,
            initiation: if rng.below(2) == 0 { Initiation::Static } else { Initiation::Dynamic },
            bill_number: Some(rng.string(&alphanumeric, 1, 25)).filter(|_| rng.below(2) == 0),
            note,
        }
    }

    #[test]
    fn generated_transfers_round_trip_and_any_damage_is_caught() {
        let mut rng = Rng(0x5EED_2026_1122);
        for n_transfer in 0..3000 {
            let transfer = generated(&mut rng);
            let payload = build(&transfer).unwrap_or_else(|e| panic!("{transfer:?}: {e}"));
            assert!(payload.is_ascii() && payload.starts_with("000201") && payload.len() <= 200, "{payload}");
            let expected = Transfer {
                note: transfer.note.as_deref().map(|n| ascii_fold(n).trim().to_owned()),
                bill_number: transfer.bill_number.clone(),
                ..transfer.clone()
            };
            assert_eq!(parse(&payload), Ok(expected), "{payload}");
            assert_eq!(build(&parse(&payload).expect("just read")).as_deref(), Ok(payload.as_str()));

            if n_transfer % 10 == 0 {
                // Every cut short payload is refused.
                for end in 0..payload.len() {
                    assert!(parse(&payload[..end]).is_err(), "{}", &payload[..end]);
                }
                // Every one-character change is refused: the CRC catches any burst of up to 16 bits. (No lower-case
                // hex digit is put in, which the CRC reader would take for its upper-case twin.)
                for position in 0..payload.len() {
                    let replacement = ['0', '9', 'Z', ' ', '.'][rng.below(5)];
                    let mut damaged: String = payload[..position].to_owned();
                    damaged.push(replacement);
                    damaged.push_str(&payload[position + 1..]);
                    if damaged != payload {
                        assert!(parse(&damaged).is_err(), "{damaged}");
                    }
                }
            }
        }
    }

    #[test]
    fn parse_never_panics_on_garbage() {
        let alphabet: Vec<char> = "0123456789000000636304ABCDEFVNQRIBFTTA .é中🙂\u{0301}".chars().collect();
        let spec = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN\
                    62340107NPS68690819thanh toan don hang63042E2E";
        let mut rng = Rng(42);
        for _ in 0..20_000 {
            let garbage = rng.string(&alphabet, 0, 60);
            let _ = parse(&garbage);
            // Splices of a real payload reach deeper into the reader.
            let cut = rng.below(spec.len());
            let _ = parse(&format!("{}{garbage}", &spec[..cut]));
            let _ = parse(&with_crc(&format!("{}{garbage}", &spec[..cut])));
        }
    }
}
