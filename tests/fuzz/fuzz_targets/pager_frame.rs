//! Pager transmitter frames and replies (drivers/src/pager/frame.rs): every parser takes any bytes without
//! panicking; a frame the encoder makes parses back to the page it was made from (message cut to the protocol's
//! length); a parsed frame framed again parses to the same thing; `find_reply` never claims more bytes than it
//! was given, and ends its claim at the reply's EOT. Must not do: I/O.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use kiosk_drivers::pager::frame::{jtech, lrs, waveware, FrameError, Page};
use libfuzzer_sys::fuzz_target;

/// A page's parts and the protocols' settings, read from the same bytes (so a seed can be a real frame, which
/// every parser then reads whole).
#[derive(Debug, Arbitrary)]
struct Parts {
    pager: u16,
    message: String,
    base_id: u16,
    separator: u8,
    system_id: u16,
    cap_base: u32,
}

fn printable(message: &str) -> bool {
    message.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fn cut(message: &str, max: usize) -> String {
    message[..message.len().min(max)].to_owned()
}

fuzz_target!(|received: &[u8]| {
    // Any bytes: no panic, and what parses frames again to something that parses the same.
    if let Some((base, page)) = jtech::parse(received) {
        if base < 1000 {
            if let Ok(again) = jtech::frame(base, &page, jtech::SEPARATOR_J1901) {
                let expected = Page { pager: page.pager, message: cut(&page.message, 120) };
                assert_eq!(jtech::parse(&again), Some((base, expected)));
            }
        }
    }
    if let Some((system, page)) = lrs::parse(received) {
        if let Ok(again) = lrs::frame(system, &page) {
            let expected = Page { pager: page.pager, message: cut(&page.message, 120) };
            assert_eq!(lrs::parse(&again), Some((system, expected)));
        }
    }
    if let Some((cap, text)) = waveware::parse(received) {
        if let Ok(again) = waveware::frame(cap, &Page { pager: 0, message: text.clone() }) {
            assert_eq!(waveware::parse(&again), Some((cap, cut(&text, 80))));
        }
    }
    if let Some((reply, used)) = waveware::find_reply(received) {
        assert!(used > 0 && used <= received.len(), "claimed {used} of {} bytes", received.len());
        assert_eq!(received[used - 1], waveware::EOT);
        if let waveware::Reply::Nak { code } = &reply {
            assert_eq!(code.trim(), code);
        }
    }

    // Pages from their parts: frame -> parse round trips, and a refusal names the right reason.
    let Ok(Parts { pager, message, base_id, separator, system_id, cap_base }) =
        Parts::arbitrary_take_rest(Unstructured::new(received))
    else {
        return;
    };
    let page = Page { pager, message: message.clone() };
    match jtech::frame(base_id, &page, separator) {
        Ok(frame) => {
            let expected = Page { pager, message: cut(&message, 120) };
            assert_eq!(jtech::parse(&frame), Some((base_id % 1000, expected)));
        }
        Err(FrameError::PagerOutOfRange(n)) => assert!(n == pager && pager > 9999),
        Err(FrameError::Message) => assert!(!printable(&message)),
    }
    match lrs::frame(system_id, &page) {
        Ok(frame) => {
            let expected = Page { pager, message: cut(&message, 120) };
            assert_eq!(lrs::parse(&frame), Some((system_id, expected)));
        }
        Err(FrameError::PagerOutOfRange(n)) => assert!(n == pager && pager > 4095),
        Err(FrameError::Message) => assert!(!printable(&message) || message.contains(',')),
    }
    let cap = waveware::cap_code(cap_base, pager);
    match waveware::frame(cap, &page) {
        Ok(frame) => {
            assert_eq!(waveware::parse(&frame), Some((cap, cut(&message, 80))));
            // The transmitter echoes the command, then answers: the answer is found after the echo, whole.
            let mut stream = frame.clone();
            stream.extend_from_slice(b"\x01\x06v9,03,1,0,01\x04");
            assert_eq!(waveware::find_reply(&stream), Some((waveware::Reply::Ack { queued: Some(3) }, stream.len())));
            // A frame alone is no reply.
            assert_eq!(waveware::find_reply(&frame), None);
        }
        Err(FrameError::PagerOutOfRange(_)) => assert!(cap > 9_999_999),
        Err(FrameError::Message) => assert!(!printable(&message)),
    }
});
