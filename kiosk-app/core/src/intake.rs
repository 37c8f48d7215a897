//! The code on the "take it to the counter today" paper (seed 004: when the city's system is down the counter
//! takes dossiers in by hand): a dossier's form, with the kiosk that kept it and its outbox id, packed into one or
//! more QR codes that the counter's scanner types into the staff console.
//!
//! Each part reads `HCC1:<TAG>:<i>/<n>:<DATA>`. Every character is in QR's alphanumeric set, so the codes stay
//! small, and a keyboard-wedge scanner types them as plain ASCII whatever the console's keyboard layout (it could
//! not type Vietnamese letters). The DATA of parts 1..n joined is the base32 (RFC 4648, no padding) of the
//! raw-deflated JSON `{"kiosk", "id", "form"}`; TAG is the CRC-32 of those compressed bytes, in hex, so parts
//! of two papers are never joined and a mistyped code is caught.
//!
//! Must not do: any I/O. The payload is personal data: callers neither log it nor keep it.

use data_encoding::BASE32_NOPAD;

/// What the paper's code holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    /// The kiosk that keeps the dossier (its configured id).
    pub kiosk: String,
    /// The dossier's outbox id on that kiosk (its short reference is printed beside the code).
    pub id: String,
    /// The dossier's form, as sealed in the outbox.
    pub form: serde_json::Value,
}

/// Base32 characters per code: a part then fits a QR version 19 (93 modules) at error correction M, which at
/// 3 dots a module with its quiet zone is 303 dots wide, inside the 384 dots of 58 mm paper.
pub const PART_CHARS: usize = 800;

const PREFIX: &str = "HCC1:";

/// The most a payload may inflate to (a form is a few kilobytes; this refuses a code made to exhaust memory).
const MAX_JSON: usize = 256 * 1024;

const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// Why scanned text does not give back a dossier: each is shown to staff with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("nothing was scanned")]
    Empty,
    #[error("this is not the code of a kiosk's paper for the counter")]
    NotOurs,
    #[error("codes from two different papers were scanned together")]
    Mixed,
    #[error("{have} of the paper's {of} codes were scanned")]
    Missing { have: usize, of: usize },
    #[error("the code was damaged or mistyped")]
    Damaged,
}

/// The codes to print for `intake`, in order (one for most forms).
pub fn encode(intake: &Intake) -> Vec<String> {
    let json = serde_json::json!({ "kiosk": intake.kiosk, "id": intake.id, "form": intake.form }).to_string();
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    let tag = format!("{:08X}", CRC.checksum(&packed));
    let text = BASE32_NOPAD.encode(&packed);
    let chunks: Vec<&str> =
        text.as_bytes().chunks(PART_CHARS).map(|chunk| std::str::from_utf8(chunk).unwrap_or_default()).collect();
    let of = chunks.len();
    chunks.iter().enumerate().map(|(n, data)| format!("{PREFIX}{tag}:{}/{of}:{data}", n + 1)).collect()
}

/// One scanned part.
struct Part<'a> {
    tag: &'a str,
    index: usize,
    of: usize,
    data: &'a str,
}

fn part(token: &str) -> Option<Part<'_>> {
    let rest = token.strip_prefix(PREFIX)?;
    let mut fields = rest.splitn(3, ':');
    let (tag, count, data) = (fields.next()?, fields.next()?, fields.next()?);
    let (index, of) = count.split_once('/')?;
    let (index, of): (usize, usize) = (index.parse().ok()?, of.parse().ok()?);
    let fits = tag.len() == 8 && (1..=of).contains(&index) && of <= 64;
    fits.then_some(Part { tag, index, of, data })
}

/// The dossier in what the counter's scanner typed: every part of one paper, in any order, separated by line
/// breaks or spaces (a part scanned twice counts once). Letters may come in either case.
pub fn decode(scanned: &str) -> Result<Intake, Problem> {
    let upper = scanned.to_ascii_uppercase();
    let tokens: Vec<&str> = upper.split_whitespace().collect();
    if tokens.is_empty() {
        return Err(Problem::Empty);
    }
    let parts: Vec<Part<'_>> = tokens.iter().map(|t| part(t)).collect::<Option<_>>().ok_or(Problem::NotOurs)?;
    let first = &parts[0];
    if parts.iter().any(|p| p.tag != first.tag || p.of != first.of) {
        return Err(Problem::Mixed);
    }
    let mut data: Vec<Option<&str>> = vec![None; first.of];
    for p in &parts {
        match data[p.index - 1] {
            Some(seen) if seen != p.data => return Err(Problem::Damaged),
            _ => data[p.index - 1] = Some(p.data),
        }
    }
    let have = data.iter().flatten().count();
    if have < first.of {
        return Err(Problem::Missing { have, of: first.of });
    }
    let text: String = data.into_iter().flatten().collect();
    let packed = BASE32_NOPAD.decode(text.as_bytes()).map_err(|_| Problem::Damaged)?;
    if format!("{:08X}", CRC.checksum(&packed)) != first.tag {
        return Err(Problem::Damaged);
    }
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON).map_err(|_| Problem::Damaged)?;
    let value: serde_json::Value = serde_json::from_slice(&json).map_err(|_| Problem::Damaged)?;
    let text = |key: &str| value.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
    match (text("kiosk"), text("id"), value.get("form")) {
        (Some(kiosk), Some(id), Some(form)) if form.is_object() => Ok(Intake { kiosk, id, form: form.clone() }),
        _ => Err(Problem::Damaged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(answers: usize) -> Intake {
        let answers: serde_json::Map<String, serde_json::Value> = (0..answers)
            .map(|n| (format!("field_{n}"), serde_json::Value::from(format!("Nguyễn Thị Ánh {n}, số {}", n * 7919))))
            .collect();
        Intake {
            kiosk: "HN-HOANKIEM-01".into(),
            id: "0193a1b2-3c4d-7e8f-9a0b-1c2d3e4f5a6b".into(),
            form: serde_json::json!({ "kind": "dossier", "procedure_code": "1.004194", "answers": answers }),
        }
    }

    #[test]
    fn a_form_comes_back_whole_from_its_codes_in_any_order() {
        let small = sample(10);
        let codes = encode(&small);
        assert_eq!(codes.len(), 1);
        assert!(codes[0].starts_with("HCC1:") && codes[0].contains(":1/1:"));
        let alphanumeric = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase() || " $%*+-./:".contains(c);
        assert!(codes[0].chars().all(alphanumeric), "QR alphanumeric mode, typed as ASCII");
        assert_eq!(decode(&codes[0]), Ok(small.clone()));
        assert_eq!(decode(&format!("\n  {}\r\n", codes[0].to_lowercase())), Ok(small), "caps lock, line breaks");

        let big = sample(400);
        let codes = encode(&big);
        assert!(codes.len() > 2, "{} codes", codes.len());
        let mut shuffled = codes.clone();
        shuffled.reverse();
        shuffled.push(codes[1].clone());
        assert_eq!(decode(&shuffled.join("\n")), Ok(big.clone()), "any order, a code scanned twice");
        assert_eq!(decode(&codes[1..].join(" ")), Err(Problem::Missing { have: codes.len() - 1, of: codes.len() }));
    }

    #[test]
    fn wrong_mixed_and_damaged_codes_are_told_apart() {
        let one = encode(&sample(3)).remove(0);
        let other = encode(&sample(4)).remove(0);
        assert_eq!(decode("   "), Err(Problem::Empty));
        assert_eq!(decode("https://dichvucong.gov.vn"), Err(Problem::NotOurs));
        assert_eq!(decode(&format!("{one}\n{other}")), Err(Problem::Mixed));
        // One character changed, one dropped: the checksum or the base32 catches it.
        let at = one.len() - 10;
        let changed = format!("{}{}{}", &one[..at], if &one[at..=at] == "A" { "B" } else { "A" }, &one[at + 1..]);
        assert_eq!(decode(&changed), Err(Problem::Damaged));
        assert_eq!(decode(&format!("{}{}", &one[..at], &one[at + 1..])), Err(Problem::Damaged));
        assert_eq!(decode("HCC1:0000:1/1:AAAA"), Err(Problem::NotOurs), "a tag is 8 hex digits");
        assert_eq!(decode("HCC1:00000000:2/1:AAAA"), Err(Problem::NotOurs), "part 2 of 1");
    }

    #[test]
    fn a_code_made_to_inflate_without_end_is_refused() {
        let packed = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 * MAX_JSON], 9);
        let code = format!("{PREFIX}{:08X}:1/1:{}", CRC.checksum(&packed), BASE32_NOPAD.encode(&packed));
        assert_eq!(decode(&code), Err(Problem::Damaged));
    }
}
