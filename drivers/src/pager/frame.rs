//! Pager transmitter protocols as data: each frame a pure function from a page to bytes, each reply a pure parse.
//! Sources (shared/reference/devices.md §1.1-1.2): JTECH SmartAlert 8214/8205 Programming Guide 320124E pp. 8-10
//! and the JTECH/HME J1901 data sheet pp. 11-12 (`FF FF FF` framing); LRS T74C232/T74USB advanced RS-232
//! commands (`PAGE,...`); WaveWare SPS-5 v9 / InterPage Z-500 manual pp. 41-45 (SOH ... EOT, ACK/NAK).
//! Must not do: I/O.

/// What a frame asks: make pager `pager` vibrate, with an optional short message for pagers with a display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub pager: u16,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("pager number {0} does not fit the protocol's pager field")]
    PagerOutOfRange(u16),
    #[error("the message has a character the transmitter cannot send (printable ASCII only)")]
    Message,
}

fn ascii_message(message: &str, max: usize) -> Result<&[u8], FrameError> {
    if message.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Ok(&message.as_bytes()[..message.len().min(max)])
    } else {
        Err(FrameError::Message)
    }
}

/// JTECH / HME (J1901 module at 19200 baud; SmartAlert 8214/8205 at 1200 baud with the same framing).
pub mod jtech {
    use super::{ascii_message, FrameError, Page};

    /// Function byte: 01/02 numeric (normal/priority), 03/04 alpha (normal/priority).
    pub const NUMERIC: u8 = 0x01;
    pub const ALPHA: u8 = 0x03;
    /// The separator of the J1901 examples (512 baud non-inverted numeric in the SmartAlert table).
    pub const SEPARATOR_J1901: u8 = 0x03;

    /// `FF FF FF` + function + base id (3 ASCII digits) + pager (4 ASCII digits) + separator + message + `0D`.
    pub fn frame(base_id: u16, page: &Page, separator: u8) -> Result<Vec<u8>, FrameError> {
        if page.pager > 9999 {
            return Err(FrameError::PagerOutOfRange(page.pager));
        }
        let message = ascii_message(&page.message, 120)?;
        let function = if message.is_empty() { NUMERIC } else { ALPHA };
        let mut out = vec![0xff, 0xff, 0xff, function];
        out.extend(format!("{:03}{:04}", base_id % 1000, page.pager).bytes());
        out.push(separator);
        out.extend_from_slice(message);
        out.push(0x0d);
        Ok(out)
    }

    /// Reads a frame back: (base id, page).
    pub fn parse(frame: &[u8]) -> Option<(u16, Page)> {
        let body = frame.strip_prefix(&[0xff, 0xff, 0xff])?.strip_suffix(&[0x0d])?;
        let (function, rest) = body.split_first()?;
        // Base id and pager are 7 ASCII digits (anything else is not a frame, and would not slice as text).
        if !(1..=4).contains(function) || rest.len() < 8 || !rest[..7].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let digits = std::str::from_utf8(&rest[..7]).ok()?;
        let base_id = digits[..3].parse().ok()?;
        let pager = digits[3..].parse().ok()?;
        let message = String::from_utf8(rest[8..].to_vec()).ok()?;
        Some((base_id, Page { pager, message }))
    }
}

/// LRS T74C232 / T74USB: ASCII command lines.
pub mod lrs {
    use super::{ascii_message, FrameError, Page};

    /// `PAGE,<pager>,<system id>,<message>` ended with CR (the manual shows commands as typed at a terminal).
    pub fn frame(system_id: u16, page: &Page) -> Result<Vec<u8>, FrameError> {
        if page.pager > 4095 {
            return Err(FrameError::PagerOutOfRange(page.pager));
        }
        let message = ascii_message(&page.message, 120)?;
        if message.contains(&b',') {
            return Err(FrameError::Message);
        }
        let mut out = format!("PAGE,{},{},", page.pager, system_id).into_bytes();
        out.extend_from_slice(message);
        out.push(b'\r');
        Ok(out)
    }

    /// The status command, used to check that the transmitter is there.
    pub const STATUS: &[u8] = b"STAT\r";

    pub fn parse(line: &[u8]) -> Option<(u16, Page)> {
        let text = std::str::from_utf8(line.strip_suffix(b"\r")?).ok()?;
        let mut fields = text.strip_prefix("PAGE,")?.splitn(3, ',');
        let pager = fields.next()?.parse().ok()?;
        let system_id = fields.next()?.parse().ok()?;
        Some((system_id, Page { pager, message: fields.next().unwrap_or_default().to_owned() }))
    }
}

/// WaveWare SPS-5 v9 / InterPage Z-500: `<SOH>T,B,CCCCCCC<STX>message<ETX><EOT>`, answered with ACK or NAK.
pub mod waveware {
    use super::{ascii_message, FrameError, Page};

    pub const SOH: u8 = 0x01;
    pub const STX: u8 = 0x02;
    pub const ETX: u8 = 0x03;
    pub const EOT: u8 = 0x04;
    pub const ACK: u8 = 0x06;
    pub const NAK: u8 = 0x15;

    /// The cap code the kiosk's pager numbers map to: pagers are numbered from `base`, 8 apart (POCSAG cap codes
    /// are spaced by 8). One past the largest `u32` stays there, so [`frame`] refuses it as out of range.
    pub fn cap_code(base: u32, pager: u16) -> u32 {
        base.saturating_add(8 * u32::from(pager))
    }

    /// T = `3` (three beeps; `A` when there is a message: alpha), B = `1` (1200 bps), then the cap code.
    pub fn frame(cap_code: u32, page: &Page) -> Result<Vec<u8>, FrameError> {
        if cap_code > 9_999_999 {
            return Err(FrameError::PagerOutOfRange(page.pager));
        }
        let message = ascii_message(&page.message, 80)?;
        let kind = if message.is_empty() { b'3' } else { b'A' };
        let mut out = vec![SOH, kind, b',', b'1', b','];
        out.extend(cap_code.to_string().bytes());
        if !message.is_empty() {
            out.push(STX);
            out.extend_from_slice(message);
            out.push(ETX);
        }
        out.push(EOT);
        Ok(out)
    }

    pub fn parse(frame: &[u8]) -> Option<(u32, String)> {
        let body = frame.strip_prefix(&[SOH])?.strip_suffix(&[EOT])?;
        let (head, message) = match body.iter().position(|b| *b == STX) {
            Some(at) => (&body[..at], body[at + 1..].strip_suffix(&[ETX])?),
            None => (body, &[][..]),
        };
        let head = std::str::from_utf8(head).ok()?;
        let cap_code = head.rsplit(',').next()?.parse().ok()?;
        Some((cap_code, String::from_utf8(message.to_vec()).ok()?))
    }

    /// The transmitter's answer to a page.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Reply {
        /// Accepted; the transmitter's queue length.
        Ack { queued: Option<u32> },
        /// Refused, with the transmitter's error code.
        Nak { code: String },
    }

    /// Finds a complete reply (`SOH ACK ... EOT` or `SOH NAK ... EOT`) in what has arrived, skipping the echo of
    /// the command that comes first. Returns the reply and how many bytes it ended at.
    pub fn find_reply(received: &[u8]) -> Option<(Reply, usize)> {
        let mut from = 0;
        while let Some(start) = received[from..].iter().position(|b| *b == SOH).map(|p| p + from) {
            let end = received[start..].iter().position(|b| *b == EOT).map(|p| p + start)?;
            match received.get(start + 1) {
                Some(&ACK) => {
                    let fields = String::from_utf8_lossy(&received[start + 2..end]).into_owned();
                    let queued = fields.split(',').nth(1).and_then(|q| q.trim().parse().ok());
                    return Some((Reply::Ack { queued }, end + 1));
                }
                Some(&NAK) => {
                    let code = String::from_utf8_lossy(&received[start + 2..end]).trim().to_owned();
                    return Some((Reply::Nak { code }, end + 1));
                }
                _ => from = end + 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(pager: u16, message: &str) -> Page {
        Page { pager, message: message.into() }
    }

    #[test]
    fn jtech_frames_match_the_j1901_data_sheet() {
        // J1901 data sheet: base 010, pager 0001, numeric.
        assert_eq!(
            jtech::frame(10, &page(1, ""), jtech::SEPARATOR_J1901),
            Ok(vec![0xff, 0xff, 0xff, 0x01, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x31, 0x03, 0x0d])
        );
        // J1901 data sheet: pager 0004, alpha "ABCDEFG".
        assert_eq!(
            jtech::frame(10, &page(4, "ABCDEFG"), jtech::SEPARATOR_J1901),
            Ok(vec![
                0xff, 0xff, 0xff, 0x03, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x34, 0x03, 0x41, 0x42, 0x43, 0x44, 0x45,
                0x46, 0x47, 0x0d
            ])
        );
        // SmartAlert guide sample: function 3, cap code 2049999, separator 0A, message.
        let sample = jtech::frame(204, &page(9999, "THIS"), 0x0a).expect("frame");
        assert_eq!(&sample[..12], &[0xff, 0xff, 0xff, 0x03, 0x32, 0x30, 0x34, 0x39, 0x39, 0x39, 0x39, 0x0a]);
        assert_eq!(jtech::parse(&sample), Some((204, page(9999, "THIS"))));
        assert_eq!(jtech::frame(10, &page(10000, ""), 3), Err(FrameError::PagerOutOfRange(10000)));
    }

    #[test]
    fn lrs_lines_match_the_manual() {
        assert_eq!(lrs::frame(4, &page(105, "Hello world!")), Ok(b"PAGE,105,4,Hello world!\r".to_vec()));
        assert_eq!(lrs::parse(b"PAGE,105,4,Hello world!\r"), Some((4, page(105, "Hello world!"))));
        assert_eq!(lrs::frame(4, &page(1, "a,b")), Err(FrameError::Message));
        assert_eq!(lrs::frame(4, &page(1, "Lượt")), Err(FrameError::Message));
    }

    #[test]
    fn waveware_frames_and_replies_match_the_manual() {
        // Manual example: <SOH>3,1,145678<EOT>.
        assert_eq!(waveware::frame(145678, &page(0, "")), Ok(b"\x013,1,145678\x04".to_vec()));
        let alpha = waveware::frame(waveware::cap_code(700000, 17), &page(17, "CT-042")).expect("frame");
        assert_eq!(alpha, b"\x01A,1,700136\x02CT-042\x03\x04".to_vec());
        assert_eq!(waveware::parse(&alpha), Some((700136, "CT-042".to_owned())));

        // The echo of the command comes first, then the reply.
        let mut received = b"\x013,1,145678\x04".to_vec();
        received.extend_from_slice(b"\x01\x06v9,02,1,0,01\x04");
        assert_eq!(waveware::find_reply(&received), Some((waveware::Reply::Ack { queued: Some(2) }, received.len())));
        assert_eq!(waveware::find_reply(b"\x01\x1507\x04"), Some((waveware::Reply::Nak { code: "07".into() }, 5)));
        assert_eq!(waveware::find_reply(b"\x01\x06v9,0"), None, "incomplete");
    }

    /// Found by the pager_frame fuzz target (tests/fuzz/regressions/pager_frame): a base near the top of `u32`
    /// overflowed in `cap_code` instead of giving a cap code `frame` refuses.
    #[test]
    fn cap_codes_past_the_protocol_range_are_refused_not_overflowed() {
        let cap = waveware::cap_code(u32::MAX - 3, 17);
        assert_eq!(cap, u32::MAX);
        assert_eq!(waveware::frame(cap, &page(17, "")), Err(FrameError::PagerOutOfRange(17)));
        assert_eq!(waveware::cap_code(9_900_000, u16::MAX), 9_900_000 + 8 * 65_535);
    }

    /// Found by the pager_frame fuzz target (tests/fuzz/regressions/pager_frame): a multi-byte character among the
    /// seven digits of a JTECH frame panicked when the digits were sliced.
    #[test]
    fn jtech_frames_without_seven_digits_are_not_frames() {
        assert_eq!(jtech::parse(b"\xff\xff\xff\x0301\xd8\xb5001\x03\x0d"), None);
        assert_eq!(jtech::parse(b"\xff\xff\xff\x03+100001\x03\x0d"), None);
        assert_eq!(jtech::parse(b"\xff\xff\xff\x030100001\x03\x0d"), Some((10, page(1, ""))));
    }
}
