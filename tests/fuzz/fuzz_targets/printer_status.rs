//! ESC/POS status decoding (drivers/src/printer/status.rs): a reply byte is accepted exactly when its fixed bits
//! say it is one; four replies decode when all four are replies, and what they decode to is given back by
//! `replies_for` (and decodes the same again); every status the simulator can be in round-trips through
//! `replies_for` -> `from_replies`; automatic status back and the USB port status byte decode without panicking
//! and agree with their bit tables. Must not do: I/O.
#![no_main]

use arbitrary::Arbitrary;
use kiosk_drivers::printer::status::{check_reply, from_asb, from_port_status, from_replies, replies_for};
use kiosk_drivers::printer::{Paper, Status};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    replies: [u8; 4],
    asb: [u8; 4],
    port: u8,
    online: bool,
    cover_open: bool,
    paper: u8,
    cutter_error: bool,
    unrecoverable_error: bool,
}

fuzz_target!(|input: Input| {
    for byte in input.replies {
        // shared/reference/escpos.md §5: a DLE EOT reply is 0xx1xx10.
        let fixed = byte & 0x01 == 0 && byte & 0x02 != 0 && byte & 0x10 != 0 && byte & 0x80 == 0;
        assert_eq!(check_reply(byte).is_ok(), fixed, "{byte:#04x}");
    }
    match from_replies(input.replies) {
        Ok(status) => {
            assert!(input.replies.iter().all(|b| check_reply(*b).is_ok()));
            let again = replies_for(&status);
            assert_eq!(from_replies(again), Ok(status), "{:02x?} -> {status:?} -> {again:02x?}", input.replies);
        }
        Err(_) => assert!(input.replies.iter().any(|b| check_reply(*b).is_err())),
    }

    let paper = match input.paper % 3 {
        0 => Paper::Present,
        1 => Paper::NearEnd,
        _ => Paper::Out,
    };
    let status = Status {
        online: input.online,
        cover_open: input.cover_open,
        paper,
        cutter_error: input.cutter_error,
        unrecoverable_error: input.unrecoverable_error,
    };
    let replies = replies_for(&status);
    assert!(replies.iter().all(|b| check_reply(*b).is_ok()), "{replies:02x?}");
    assert_eq!(from_replies(replies), Ok(status));

    if let Ok(status) = from_asb(input.asb) {
        assert_eq!(input.asb[0] & 0b1001_0011, 0b0001_0000);
        assert!(input.asb[1..].iter().all(|b| b & 0b1001_0000 == 0));
        assert_eq!(status.online, input.asb[0] & 0x08 == 0);
        assert_eq!(status.cover_open, input.asb[0] & 0x20 != 0);
    }

    let port = from_port_status(input.port);
    assert_eq!(port.online, input.port & 0x10 != 0);
    assert_eq!(port.paper == Paper::Out, input.port & 0x20 != 0);
    assert!(!port.cover_open && !port.cutter_error);
    // A fault the port reports is never shown as "ready".
    if input.port & 0x08 == 0 {
        assert!(port.blocking_problem().is_some(), "port {:#04x}", input.port);
    }
    if port.blocking_problem().is_none() {
        assert!(port.online && port.paper != Paper::Out && !port.unrecoverable_error);
    }
});
