//! The printer document encoder (drivers/src/printer/encode.rs) on documents made from the fuzzer's bytes (text
//! in any script, rules, QR codes, pictures, feeds and cuts) for any profile the configuration can describe.
//! Properties: no panic; the job is no longer than the bound below, block by block; the decoder
//! (`decode::commands`) reads every job the encoder makes; a character is only ever printed as `?` when the
//! strategy really has no way to print it. Must not do: I/O.
//!
//! The bound, for paper `W` dots wide (at most 832): 7 bytes of framing, 3,520 for downloaded glyphs (95 at most,
//! 37 bytes each), and per block 8 bytes of raster header plus: a text of `n` characters (after NFC) at scale `s`,
//! `20 + 8n` bytes in a code page or downloaded characters, `(n + 1) * ceil(W / 8) * 24 * s` drawn as raster;
//! a rule `ceil(W / 8) * 12`; a QR code `|data| + 40` when the printer draws it, else at most a version-40 code
//! drawn 16 dots a module (`ceil(max(W, 2960) / 8) * 2960` = 1.1 MB), or its data as text when too long for QR;
//! a picture `ceil(max(W, w) / 8) * h`; a feed or a cut 4. So the job grows at most linearly with the document:
//! about 7 KB per character of raster text at scale 4 on 80 mm paper, 8 bytes per character otherwise.
//!
//! The input is a slip written one block a line, so the seeds are the kiosk's real slips, readable:
//!
//! ```text
//! profile generic-80 strategy=raster dots=384 qr=0 cutter=none udc=1 tcvn3=30,31 cp1258=52
//! text 4 bc CT-042          (scale, then b for bold and l/c/r for alignment, then the words)
//! rule
//! qr 6 https://dichvucong.gov.vn/tra-cuu?ma=MAU-CT-042
//! image 96 48 f00f          (width, height, the dots' bit pattern in hex, repeated)
//! feed 3
//! cut
//! ```
//!
//! Any other line is a paragraph in the normal style; numbers out of range wrap into it.
#![no_main]

use kiosk_drivers::printer::codepage;
use kiosk_drivers::printer::decode;
use kiosk_drivers::printer::document::{Align, Block, Document, Style};
use kiosk_drivers::printer::encode::{encode, SUBSTITUTE};
use kiosk_drivers::printer::profile::{Cutter, Profile, Strategy, BUILTIN};
use kiosk_drivers::printer::raster::{Bitmap, Typeface};
use libfuzzer_sys::fuzz_target;

/// A number from the slip's text, wrapped into `0..modulus` (0 when it is not a number).
fn number(text: Option<&str>, modulus: u32) -> u32 {
    text.and_then(|t| t.parse::<u32>().ok()).unwrap_or(0) % modulus
}

/// A profile as the configuration can set one: a shipped one with any of its fields changed (paper a multiple
/// of 8 dots from 128 to 832, config.rs `paper_dots`).
fn profile(line: &str) -> Profile {
    let mut words = line.split(' ').skip(1);
    let name = words.next().unwrap_or_default();
    let mut profile = Profile::builtin(name).unwrap_or_else(|| {
        let index = name.bytes().map(usize::from).sum::<usize>() % BUILTIN.len();
        Profile::builtin(BUILTIN[index]).expect("a shipped profile")
    });
    for word in words {
        let (key, value) = word.split_once('=').unwrap_or((word, ""));
        let flag = value != "0";
        match key {
            "strategy" => profile.strategy = Strategy::from_name(value).unwrap_or(Strategy::Raster),
            "dots" => {
                let dots = number(Some(value), 1 << 16) as u16;
                let valid = (128..=832).contains(&dots) && dots % 8 == 0;
                profile.paper_dots = if valid { dots } else { 128 + 8 * (dots % 89) };
            }
            "qr" => profile.native_qr = flag,
            "udc" => profile.user_defined_characters = flag,
            "cutter" => {
                profile.cutter = match value {
                    "none" => Cutter::None,
                    "full" => Cutter::Full,
                    _ => Cutter::Partial,
                }
            }
            "tcvn3" => {
                let (lower, upper) = value.split_once(',').unwrap_or((value, value));
                profile.tcvn3_pages = Some((number(Some(lower), 256) as u8, number(Some(upper), 256) as u8));
            }
            "cp1258" => profile.cp1258_page = Some(number(Some(value), 256) as u8),
            "notables" => (profile.tcvn3_pages, profile.cp1258_page) = (None, None),
            _ => {}
        }
    }
    profile
}

fn block(line: &str) -> Block {
    let mut words = line.splitn(3, ' ');
    let command = words.next().unwrap_or_default();
    let (first, rest) = (words.next(), words.next());
    match command {
        "text" => {
            let flags = rest.and_then(|r| r.split_once(' ')).map_or(rest.unwrap_or_default(), |(f, _)| f);
            let text = rest.and_then(|r| r.split_once(' ')).map_or("", |(_, t)| t);
            let align = if flags.contains('c') {
                Align::Center
            } else if flags.contains('r') {
                Align::Right
            } else {
                Align::Left
            };
            let style = Style { scale: number(first, 256) as u8, bold: flags.contains('b'), align };
            Block::Text { text: text.to_owned(), style }
        }
        "rule" => Block::Rule,
        "qr" => Block::Qr { data: rest.unwrap_or_default().to_owned(), module: number(first, 256) as u8 },
        // Logo-sized pictures: up to 1024 x 4096 dots, black where the pattern's bits say.
        "image" => {
            let mut more = rest.unwrap_or_default().splitn(2, ' ');
            let (width, height) = (number(first, 1025), number(more.next(), 4097));
            let pattern: Vec<u8> = more
                .next()
                .unwrap_or_default()
                .as_bytes()
                .chunks(2)
                .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
                .collect();
            let mut bitmap = Bitmap::new(width, height);
            if !pattern.is_empty() {
                for (i, dot) in bitmap.dots.iter_mut().enumerate() {
                    *dot = pattern[(i / 8) % pattern.len()] & (0x80 >> (i % 8)) != 0;
                }
            }
            Block::Image(bitmap)
        }
        "feed" => Block::Feed(number(first, 256) as u8),
        "cut" => Block::Cut,
        _ => Block::Text { text: line.to_owned(), style: Style::NORMAL },
    }
}

fn nfc_chars(text: &str) -> usize {
    kiosk_core::text::nfc(text).chars().count()
}

fn bound(document: &Document, profile: &Profile, strategy: Strategy) -> usize {
    let row = |width: usize| width.div_ceil(8);
    let paper = profile.paper_dots as usize;
    let text = |n: usize, scale: usize| match strategy {
        Strategy::Raster => (n + 1) * row(paper) * 24 * scale,
        Strategy::CodePage | Strategy::Downloaded => 20 + 8 * n,
    };
    let blocks: usize = document
        .blocks
        .iter()
        .map(|block| {
            8 + match block {
                Block::Text { text: words, style } => text(nfc_chars(words), style.scale() as usize),
                Block::Rule => row(paper) * 12,
                Block::Qr { data, .. } if profile.native_qr => (data.len() + 40).max(text(nfc_chars(data), 1)),
                Block::Qr { data, .. } => (row(paper.max(2960)) * 2960).max(text(nfc_chars(data), 1)),
                // GS v 0 goes in bands of at most RASTER_BAND_ROWS rows, each with its own 8-byte command.
                Block::Image(bitmap) => {
                    let height = bitmap.height as usize;
                    row(paper.max(bitmap.width as usize)) * height
                        + 8 * height.div_ceil(kiosk_drivers::printer::raster::RASTER_BAND_ROWS as usize)
                }
                Block::Feed(_) | Block::Cut => 4,
            }
        })
        .sum();
    7 + 95 * 37 + blocks
}

/// Whether a code-page printer of `profile` has some way to print `c`.
fn code_page_prints(profile: &Profile, c: char) -> bool {
    (' '..='~').contains(&c)
        || (profile.tcvn3_pages.is_some() && codepage::tcvn3_table_for(c).is_some())
        || (profile.cp1258_page.is_some() && codepage::cp1258_bytes(c).is_some())
}

fuzz_target!(|bytes: &[u8]| {
    let slip = String::from_utf8_lossy(bytes);
    let mut profile = Profile::builtin("generic-80").expect("a shipped profile");
    let mut document = Document::new();
    // A long slip is a few dozen blocks; 256 leaves room for pictures tall enough to pass 65,535 raster rows.
    for line in slip.lines().take(256) {
        if line.starts_with("profile") {
            profile = self::profile(line);
        } else {
            document.blocks.push(block(line));
        }
    }

    let face = Typeface::shipped();
    let encoded = encode(&document, &profile, face);
    let limit = bound(&document, &profile, encoded.strategy);
    assert!(encoded.bytes.len() <= limit, "{} bytes, bound {limit}", encoded.bytes.len());
    if let Err(error) = decode::commands(&encoded.bytes) {
        panic!("the decoder refuses the encoder's job ({:?}, {}): {error}", encoded.strategy, profile.name);
    }
    for c in &encoded.substituted {
        let printable = match encoded.strategy {
            Strategy::CodePage => code_page_prints(&profile, *c),
            Strategy::Downloaded => (' '..='~').contains(c) || (!c.is_control() && face.has_glyph(*c)),
            Strategy::Raster => face.has_glyph(*c),
        };
        assert!(!printable, "{c:?} ({:04X}) printed as '?' by {:?}", *c as u32, encoded.strategy);
    }
    if encoded.strategy != Strategy::Raster {
        let marks = encoded.bytes.iter().filter(|b| **b == SUBSTITUTE).count();
        assert!(marks >= encoded.substituted.len(), "every substitute is on the paper");
    }
});
