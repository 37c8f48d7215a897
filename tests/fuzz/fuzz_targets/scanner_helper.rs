//! The scanner helper's wire protocol (drivers/src/scanner/helper.rs): what the kiosk reads from
//! kiosk-sane-helper's stdout, JSON reply lines with each page header followed by its raw pixels. On any bytes:
//! no panic (a cut-short or garbled answer is an error); every page returned has exactly the pixels its header
//! announced; and reading never allocates more than the stream really brought (at most 64 KiB + 4 x its
//! length for any one allocation), whatever a header announces, so a lying or broken helper cannot make the
//! kiosk allocate beyond the page cap. An input starting with 0xFF (never the start of a JSON line) is instead a
//! SANE frame for `to_eight_bit`, the helper's own sample conversion: any parameters, data as long as
//! `sane::Device::read_frame` guarantees, and the output is always `width x channels x lines` samples.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kiosk_drivers::scanner::helper::{read_answer, to_eight_bit};
use kiosk_drivers::scanner::sane::Parameters;
use libfuzzer_sys::fuzz_target;

/// Records the largest single allocation, so the property is about memory, not only about panics.
struct Measured;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only the size is recorded.
unsafe impl GlobalAlloc for Measured {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Measured = Measured;

fn frame(bytes: &[u8]) {
    let number =
        |at: usize| u16::from_le_bytes([bytes.get(at).copied().unwrap_or(0), bytes.get(at + 1).copied().unwrap_or(0)]);
    let colour = bytes.get(1).is_some_and(|b| b & 1 == 1);
    let depth = match bytes.get(2).copied().unwrap_or(0) % 4 {
        0 => 1,
        1 => 8,
        2 => 16,
        _ => i32::from(bytes.get(3).copied().unwrap_or(0) as i8),
    };
    let parameters = Parameters {
        format: i32::from(colour),
        bytes_per_line: usize::from(number(4) % 4097),
        pixels_per_line: usize::from(number(6) % 2049),
        lines: i32::from(bytes.get(8).copied().unwrap_or(0) as i8),
        depth,
    };
    let channels = if colour { 3 } else { 1 };
    let lines = parameters.lines.max(0) as usize;
    // `read_frame` returns at least bytes_per_line x lines bytes; the rest of the input, repeated, fills them.
    let fill = if bytes.len() > 9 { &bytes[9..] } else { &[0u8][..] };
    let data: Vec<u8> = fill.iter().copied().cycle().take(parameters.bytes_per_line * lines).collect();
    let out = to_eight_bit(&data, &parameters, channels);
    assert_eq!(out.len(), parameters.pixels_per_line * channels * lines);
}

fuzz_target!(|bytes: &[u8]| {
    if bytes.first() == Some(&0xff) {
        return frame(bytes);
    }
    LARGEST.store(0, Ordering::Relaxed);
    let answer = read_answer(std::io::Cursor::new(bytes));
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(largest <= 64 * 1024 + 4 * bytes.len(), "allocated {largest} bytes reading {} bytes", bytes.len());
    if let Ok((_replies, pages)) = answer {
        for page in pages {
            assert_eq!(page.pixels.len(), page.width * page.height * page.channels);
        }
    }
});
