//! Real-time status as data: the `DLE EOT n` requests (3 bytes each, Epson ESC/POS "DLE EOT: transmit real-time
//! status"; not the 4 the `escpos` crate sends) and their one-byte replies, and automatic status back (`GS a`)
//! 4-byte blocks. Bit tables: shared/reference/escpos.md §5. Must not do: I/O, or take a missing reply as "fine".

use super::{Paper, Status};

/// DLE EOT n: 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor.
pub fn request(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// The four requests a full status check sends, in order.
pub const REQUESTS: [u8; 4] = [1, 2, 3, 4];

/// `GS a 0F`: enable automatic status back for drawer, online/offline, errors and the paper sensor.
pub const ENABLE_ASB: [u8; 3] = [0x1d, 0x61, 0x0f];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// A byte that is not a DLE EOT reply (fixed bits `0xx1xx10`): line noise, or another command's answer.
    #[error("byte {0:#04x} is not a real-time status reply")]
    NotStatus(u8),
}

/// Checks one DLE EOT reply's fixed bits.
pub fn check_reply(byte: u8) -> Result<u8, ReplyError> {
    if byte & 0b1001_0011 == 0b0001_0010 {
        Ok(byte)
    } else {
        Err(ReplyError::NotStatus(byte))
    }
}

/// Reads the replies to DLE EOT 1, 2, 3 and 4 (in that order).
pub fn from_replies(replies: [u8; 4]) -> Result<Status, ReplyError> {
    let [printer, offline, error, paper] =
        [check_reply(replies[0])?, check_reply(replies[1])?, check_reply(replies[2])?, check_reply(replies[3])?];
    let paper_out = paper & 0x60 != 0 || offline & 0x20 != 0;
    Ok(Status {
        online: printer & 0x08 == 0,
        cover_open: offline & 0x04 != 0,
        paper: if paper_out {
            Paper::Out
        } else if paper & 0x0c != 0 {
            Paper::NearEnd
        } else {
            Paper::Present
        },
        cutter_error: error & 0x08 != 0,
        unrecoverable_error: error & 0x20 != 0,
    })
}

/// Reads a 4-byte automatic status back block (first byte `0xx1xx00`, the others `0xx0xxxx`).
pub fn from_asb(block: [u8; 4]) -> Result<Status, ReplyError> {
    if block[0] & 0b1001_0011 != 0b0001_0000 {
        return Err(ReplyError::NotStatus(block[0]));
    }
    if let Some(byte) = block[1..].iter().find(|b| *b & 0b1001_0000 != 0) {
        return Err(ReplyError::NotStatus(*byte));
    }
    Ok(Status {
        online: block[0] & 0x08 == 0,
        cover_open: block[0] & 0x20 != 0,
        paper: if block[2] & 0x0c != 0 {
            Paper::Out
        } else if block[2] & 0x03 != 0 {
            Paper::NearEnd
        } else {
            Paper::Present
        },
        cutter_error: block[1] & 0x08 != 0,
        unrecoverable_error: block[1] & 0x20 != 0,
    })
}

/// Reads the USB printer class port status byte (GET_PORT_STATUS: bit 3 not-error, bit 4 selected, bit 5 paper
/// empty; USB Device Class Definition for Printing Devices 1.1, 4.2.1). It knows no cover or cutter.
pub fn from_port_status(port: u8) -> Status {
    let paper_empty = port & 0x20 != 0;
    Status {
        online: port & 0x10 != 0,
        cover_open: false,
        paper: if paper_empty { Paper::Out } else { Paper::Present },
        cutter_error: false,
        // "Not error" cleared with paper present and selected means some other fault.
        unrecoverable_error: port & 0x08 == 0 && !paper_empty && port & 0x10 != 0,
    }
}

/// The replies a printer in `status` gives to DLE EOT 1-4: the simulator's answer, and the inverse of
/// [`from_replies`].
pub fn replies_for(status: &Status) -> [u8; 4] {
    let mut replies = [0x12u8; 4];
    if !status.online {
        replies[0] |= 0x08;
    }
    if status.cover_open {
        replies[1] |= 0x04;
    }
    match status.paper {
        Paper::Present => {}
        Paper::NearEnd => replies[3] |= 0x0c,
        Paper::Out => {
            replies[1] |= 0x20;
            replies[3] |= 0x60;
        }
    }
    if status.cutter_error {
        replies[2] |= 0x08;
    }
    if status.unrecoverable_error {
        replies[2] |= 0x20;
    }
    replies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        // shared/reference/escpos.md §5: 0x12 all clear, 0x1E near end, 0x72 paper out, 0x16 cover open.
        assert_eq!(from_replies([0x12; 4]), Ok(Status::READY));
        assert_eq!(from_replies([0x12, 0x12, 0x12, 0x1e]).map(|s| s.paper), Ok(Paper::NearEnd));
        assert_eq!(from_replies([0x12, 0x12, 0x12, 0x72]).map(|s| s.paper), Ok(Paper::Out));
        assert_eq!(from_replies([0x12, 0x12, 0x12, 0x7e]).map(|s| s.paper), Ok(Paper::Out));
        assert_eq!(from_replies([0x12, 0x16, 0x12, 0x12]).map(|s| s.cover_open), Ok(true));
        assert_eq!(from_replies([0x1a, 0x12, 0x12, 0x12]).map(|s| s.online), Ok(false));
        assert_eq!(request(4), [0x10, 0x04, 0x04]);
    }

    #[test]
    fn every_byte_is_either_a_reply_or_rejected() {
        for byte in 0..=255u8 {
            let fixed_bits_ok = byte & 0x01 == 0 && byte & 0x02 != 0 && byte & 0x10 != 0 && byte & 0x80 == 0;
            assert_eq!(check_reply(byte).is_ok(), fixed_bits_ok, "{byte:#04x}");
            if let Ok(status) = from_replies([byte, 0x12, 0x12, 0x12]) {
                assert_eq!(status.online, byte & 0x08 == 0);
            }
            if let Ok(status) = from_replies([0x12, byte, 0x12, 0x12]) {
                assert_eq!(status.cover_open, byte & 0x04 != 0);
                assert_eq!(status.paper == Paper::Out, byte & 0x20 != 0);
            }
            if let Ok(status) = from_replies([0x12, 0x12, byte, 0x12]) {
                assert_eq!((status.cutter_error, status.unrecoverable_error), (byte & 0x08 != 0, byte & 0x20 != 0));
            }
            if let Ok(status) = from_replies([0x12, 0x12, 0x12, byte]) {
                let expected = if byte & 0x60 != 0 {
                    Paper::Out
                } else if byte & 0x0c != 0 {
                    Paper::NearEnd
                } else {
                    Paper::Present
                };
                assert_eq!(status.paper, expected, "{byte:#04x}");
            }
        }
        // XON/XOFF and a blank read are not status.
        assert!(check_reply(0x11).is_err() && check_reply(0x13).is_err() && check_reply(0x00).is_err());
    }

    #[test]
    fn replies_round_trip_for_every_condition() {
        for online in [true, false] {
            for cover_open in [true, false] {
                for paper in [Paper::Present, Paper::NearEnd, Paper::Out] {
                    for cutter_error in [true, false] {
                        for unrecoverable_error in [true, false] {
                            let status = Status { online, cover_open, paper, cutter_error, unrecoverable_error };
                            assert_eq!(from_replies(replies_for(&status)), Ok(status));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn automatic_status_back_blocks() {
        assert_eq!(from_asb([0x10, 0x00, 0x00, 0x00]), Ok(Status::READY));
        let status = from_asb([0x38, 0x08, 0x0c, 0x00]).expect("valid block");
        assert!(!status.online && status.cover_open && status.cutter_error);
        assert_eq!(status.paper, Paper::Out);
        assert_eq!(from_asb([0x10, 0x00, 0x03, 0x00]).map(|s| s.paper), Ok(Paper::NearEnd));
        assert!(from_asb([0x12, 0, 0, 0]).is_err(), "a DLE EOT reply is not an ASB block");
    }
}
