//! The ESC/POS byte decoder (drivers/src/printer/decode.rs) on any bytes: `commands`, `next_command` and
//! `describe` never panic; `describe` reads exactly what `commands` reads; a byte stream read command by command
//! with `next_command` gives the same commands as `commands`; and a job cut at a command boundary reads as the
//! commands before the cut. Must not do: I/O.
#![no_main]

use kiosk_drivers::printer::decode::{commands, describe, next_command};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let read = commands(bytes);
    let described = describe(bytes);
    assert_eq!(read.is_ok(), described.is_ok(), "describe and commands disagree");

    // The same stream, command by command, as the simulated printer reads it.
    let mut pos = 0;
    let mut boundaries = Vec::new();
    let mut one_by_one = Vec::new();
    while pos < bytes.len() {
        match next_command(&bytes[pos..]) {
            Some(Ok((command, used))) => {
                assert!(used > 0 && pos + used <= bytes.len(), "command of {used} bytes at {pos}");
                one_by_one.push(command);
                pos += used;
                boundaries.push(pos);
            }
            Some(Err(())) | None => break,
        }
    }
    match &read {
        Ok(all) => assert_eq!(all, &one_by_one),
        Err(_) => assert!(pos < bytes.len()),
    }

    if let (Ok(all), Some(&middle)) = (&read, boundaries.get(boundaries.len() / 2)) {
        let count = boundaries.iter().position(|b| *b == middle).expect("a boundary") + 1;
        assert_eq!(commands(&bytes[..middle]).as_ref().map(Vec::as_slice), Ok(&all[..count]));
    }
});
