//! What a counter's scanner types into the console's "Read a counter paper" box (kiosk-app/core/src/intake.rs):
//! any text, read as the codes of a paper. Properties: no panic, whatever is typed (a code made to inflate
//! without end included); whatever reads back whole encodes again to codes that read back to the same
//! dossier; and the codes of the dossier the input names, however split, read back in any order. Must not do:
//! I/O.
#![no_main]

use kiosk_core::intake::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(intake) = decode(&text) else { return };
    let codes = encode(&intake);
    assert!(codes.iter().all(|c| c.starts_with("HCC1:")));
    let mut reversed = codes.clone();
    reversed.reverse();
    assert_eq!(decode(&reversed.join("\n")).as_ref(), Ok(&intake));
});
