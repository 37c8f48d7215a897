//! The inverse of the encoder: ESC/POS bytes back into commands (for readable snapshots), into the paper a
//! printer would produce (text with the code pages above, downloaded characters, raster images, native QR),
//! and into a PNG of that paper. The simulated printer, the tests and the technician's tool all use it.
//! Must not do: I/O, or guess: a byte sequence it does not know is an error naming the offset.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use super::codepage::Table;
use super::document::{Align, Style};
use super::profile::Profile;
use super::raster::{self, Bitmap, Typeface, LINE_DOTS};

/// One ESC/POS command or run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Init,
    CancelKanji,
    CodeTable(u8),
    Align(u8),
    Bold(u8),
    Size(u8),
    UserDefined(u8),
    Define { first: u8, glyphs: Vec<Bitmap> },
    Raster(Bitmap),
    QrModel(u8),
    QrModule(u8),
    QrCorrection(u8),
    QrStore(Vec<u8>),
    QrPrint,
    Feed(u8),
    Cut { mode: u8, feed: Option<u8> },
    StatusRequest(u8),
    AutomaticStatusBack(u8),
    Text(Vec<u8>),
    LineFeed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("unknown or cut-short command at byte {offset}: {bytes:02x?}")]
    Unknown { offset: usize, bytes: Vec<u8> },
}

/// Splits a job into commands.
pub fn commands(bytes: &[u8]) -> Result<Vec<Command>, Error> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        match next_command(&bytes[pos..]) {
            Some(Ok((command, used))) => {
                out.push(command);
                pos += used;
            }
            Some(Err(())) | None => {
                return Err(Error::Unknown { offset: pos, bytes: bytes[pos..].iter().take(8).copied().collect() })
            }
        }
    }
    Ok(out)
}

/// Reads the command at the start of `rest`: `None` when `rest` is the beginning of a command that needs more
/// bytes (a printer receiving a stream waits for them), `Some(Err(()))` for bytes no command starts with.
pub fn next_command(rest: &[u8]) -> Option<Result<(Command, usize), ()>> {
    let command = match rest {
        [] => return None,
        [0x1b, b'@', ..] => (Command::Init, 2),
        [0x1c, b'.', ..] => (Command::CancelKanji, 2),
        [0x1b, b't', n, ..] => (Command::CodeTable(*n), 3),
        [0x1b, b'a', n, ..] => (Command::Align(*n), 3),
        [0x1b, b'E', n, ..] => (Command::Bold(*n), 3),
        [0x1d, b'!', n, ..] => (Command::Size(*n), 3),
        [0x1b, b'%', n, ..] => (Command::UserDefined(*n), 3),
        [0x1b, b'd', n, ..] => (Command::Feed(*n), 3),
        [0x1d, b'a', n, ..] => (Command::AutomaticStatusBack(*n), 3),
        [0x10, 0x04, n, ..] => (Command::StatusRequest(*n), 3),
        [0x1d, b'V', mode @ (65 | 66), n, ..] => (Command::Cut { mode: *mode, feed: Some(*n) }, 4),
        [0x1d, b'V', mode @ (0 | 1 | 48 | 49), ..] => (Command::Cut { mode: *mode, feed: None }, 3),
        [0x1b, b'&', y, first, last, ..] => {
            let (glyphs, used) = define(&rest[5..], *y, *first, *last)?;
            (Command::Define { first: *first, glyphs }, 5 + used)
        }
        [0x1d, b'v', b'0', _m, ..] => {
            let (bitmap, used) = Bitmap::from_gs_v0(&rest[4..])?;
            (Command::Raster(bitmap), 4 + used)
        }
        [0x1d, b'(', b'k', pl, ph, ..] => {
            let length = u16::from_le_bytes([*pl, *ph]) as usize;
            let params = rest.get(5..5 + length)?;
            let command = match params {
                [49, 65, n, ..] => Command::QrModel(*n),
                [49, 67, n] => Command::QrModule(*n),
                [49, 69, n] => Command::QrCorrection(*n),
                [49, 80, _, data @ ..] => Command::QrStore(data.to_vec()),
                [49, 81, ..] => Command::QrPrint,
                _ => return Some(Err(())),
            };
            (command, 5 + length)
        }
        [0x0a, ..] => (Command::LineFeed, 1),
        [b, ..] if *b >= 0x20 => {
            let run = rest.iter().take_while(|b| **b >= 0x20).count();
            (Command::Text(rest[..run].to_vec()), run)
        }
        // The start of a command whose fixed part has not all arrived yet.
        [0x1b | 0x1c | 0x1d | 0x10] | [0x1b | 0x1d, _] | [0x1d, b'V' | b'v' | b'(', ..] if rest.len() < 8 => {
            return None
        }
        [0x1b, b'&', ..] if rest.len() < 5 => return None,
        _ => return Some(Err(())),
    };
    Some(Ok(command))
}

fn define(data: &[u8], y: u8, first: u8, last: u8) -> Option<(Vec<Bitmap>, usize)> {
    let mut pos = 0;
    let mut glyphs = Vec::new();
    for _ in first..=last {
        let x = *data.get(pos)? as u32;
        pos += 1;
        let mut glyph = Bitmap::new(x, y as u32 * 8);
        for column in 0..x {
            for band in 0..y as u32 {
                let byte = *data.get(pos)?;
                pos += 1;
                for bit in 0..8 {
                    glyph.set(column as i64, (band * 8 + bit) as i64, byte & (0x80 >> bit) != 0);
                }
            }
        }
        glyphs.push(glyph);
    }
    Some((glyphs, pos))
}

/// The commands of a job as one readable line: `ESC @ FS . ESC a 1 "SO 042" LF GS V 66 0`.
pub fn describe(bytes: &[u8]) -> Result<String, Error> {
    let parts: Vec<String> = commands(bytes)?
        .iter()
        .map(|command| match command {
            Command::Init => "ESC @".into(),
            Command::CancelKanji => "FS .".into(),
            Command::CodeTable(n) => format!("ESC t {n}"),
            Command::Align(n) => format!("ESC a {n}"),
            Command::Bold(n) => format!("ESC E {n}"),
            Command::Size(n) => format!("GS ! {n}"),
            Command::UserDefined(n) => format!("ESC % {n}"),
            Command::Define { first, glyphs } => format!(
                "ESC & 3 {first} {} <{} glyphs 12x24 #{:08x}>",
                *first as usize + glyphs.len() - 1,
                glyphs.len(),
                fingerprint(glyphs.iter().flat_map(|g| g.dots.iter()))
            ),
            Command::Raster(bitmap) => {
                format!("GS v 0 <{}x{} #{:08x}>", bitmap.width, bitmap.height, fingerprint(bitmap.dots.iter()))
            }
            // 49, 50, 51: model 1, model 2, micro QR; a byte below 49 is shown as it is, not as a model.
            Command::QrModel(n) => match n.checked_sub(48) {
                Some(model) => format!("QR model {model}"),
                None => format!("QR model byte {n}"),
            },
            Command::QrModule(n) => format!("QR module {n}"),
            Command::QrCorrection(n) => {
                format!("QR ecc {}", ['L', 'M', 'Q', 'H'][(*n as usize).saturating_sub(48).min(3)])
            }
            Command::QrStore(data) => format!("QR store {:?}", String::from_utf8_lossy(data)),
            Command::QrPrint => "QR print".into(),
            Command::Feed(n) => format!("ESC d {n}"),
            Command::Cut { mode, feed: Some(n) } => format!("GS V {mode} {n}"),
            Command::Cut { mode, feed: None } => format!("GS V {mode}"),
            Command::StatusRequest(n) => format!("DLE EOT {n}"),
            Command::AutomaticStatusBack(n) => format!("GS a {n}"),
            Command::Text(bytes) => format!(
                "{:?}",
                bytes
                    .iter()
                    .map(|b| if b.is_ascii() { (*b as char).to_string() } else { format!("\\x{b:02x}") })
                    .collect::<String>()
            )
            .replace("\\\\x", "\\x"),
            Command::LineFeed => "LF".into(),
        })
        .collect();
    Ok(parts.join(" "))
}

/// FNV-1a over the dots, so a readable snapshot still pins every dot of a picture.
fn fingerprint<'a>(dots: impl Iterator<Item = &'a bool>) -> u32 {
    dots.fold(0x811c_9dc5u32, |hash, dot| (hash ^ *dot as u32).wrapping_mul(0x0100_0193))
}

/// What comes out of the printer.
#[derive(Debug, Clone, PartialEq)]
pub enum Printed {
    Text { text: String, style: Style },
    Image(Bitmap),
    Qr { data: String, module: u8 },
    Feed(u8),
    Cut,
}

/// Plays a job through a printer of `profile`, returning the paper. Downloaded characters are recognised by
/// comparing their glyphs with the ones `face` draws (the encoder's font); an unknown glyph reads as U+FFFD.
pub fn paper(bytes: &[u8], profile: &Profile, face: &Typeface) -> Result<Vec<Printed>, Error> {
    let mut out = Vec::new();
    let mut style = Style::NORMAL;
    let mut table: Option<Table> = None;
    let mut user_defined = false;
    let mut glyphs: BTreeMap<u8, char> = BTreeMap::new();
    let mut line: Vec<char> = Vec::new();
    let (mut qr_data, mut qr_module) = (Vec::new(), 3u8);
    let known: Vec<(char, Bitmap)> = recognisable().map(|c| (c, face.draw_cell(c))).collect();
    for command in commands(bytes)? {
        match command {
            Command::Init => {
                style = Style::NORMAL;
                table = None;
                user_defined = false;
            }
            Command::CodeTable(n) => table = table_for_page(profile, n),
            Command::Align(n) => {
                style.align = match n {
                    1 | 49 => Align::Center,
                    2 | 50 => Align::Right,
                    _ => Align::Left,
                }
            }
            Command::Bold(n) => style.bold = n & 1 == 1,
            Command::Size(n) => style.scale = (n & 0x0f) + 1,
            Command::UserDefined(n) => user_defined = n & 1 == 1,
            Command::Define { first, glyphs: defined } => {
                for (offset, glyph) in defined.iter().enumerate() {
                    let c = known.iter().find(|(_, cell)| cell == glyph).map_or('\u{FFFD}', |(c, _)| *c);
                    glyphs.insert(first + offset as u8, c);
                }
            }
            Command::Text(bytes) => {
                for byte in bytes {
                    let c = match (user_defined, glyphs.get(&byte)) {
                        (true, Some(c)) => *c,
                        _ if byte < 0x80 => byte as char,
                        _ => table.and_then(|t| t.char_for(byte)).unwrap_or('\u{FFFD}'),
                    };
                    line.push(c);
                }
            }
            Command::LineFeed => {
                out.push(Printed::Text { text: line.drain(..).collect::<String>().nfc().collect(), style });
            }
            // A picture sent in bands lands on the paper as one: each band directly under the one before.
            Command::Raster(bitmap) => match out.last_mut() {
                Some(Printed::Image(above)) if above.width == bitmap.width => {
                    above.dots.extend_from_slice(&bitmap.dots);
                    above.height += bitmap.height;
                }
                _ => out.push(Printed::Image(bitmap)),
            },
            Command::QrModule(n) => qr_module = n,
            Command::QrStore(data) => qr_data = data,
            Command::QrPrint => out.push(Printed::Qr {
                data: String::from_utf8_lossy(&std::mem::take(&mut qr_data)).into_owned(),
                module: qr_module,
            }),
            Command::Feed(n) => out.push(Printed::Feed(n)),
            Command::Cut { .. } => out.push(Printed::Cut),
            Command::CancelKanji
            | Command::QrModel(_)
            | Command::QrCorrection(_)
            | Command::StatusRequest(_)
            | Command::AutomaticStatusBack(_) => {}
        }
    }
    if !line.is_empty() {
        out.push(Printed::Text { text: line.into_iter().collect::<String>().nfc().collect(), style });
    }
    Ok(out)
}

/// The characters the decoder can recognise from a downloaded glyph: Vietnamese letters and common signs.
fn recognisable() -> impl Iterator<Item = char> {
    let lower = "àảãáạăằẳẵắặâầẩẫấậèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵđ";
    let upper: String = lower.chars().flat_map(char::to_uppercase).collect();
    lower.chars().chain(upper.chars().collect::<Vec<_>>()).chain("–—·•…“”‘’«»„‚€₫°×÷".chars())
}

fn table_for_page(profile: &Profile, page: u8) -> Option<Table> {
    match profile.tcvn3_pages {
        Some((lower, _)) if lower == page => return Some(Table::Tcvn3Lower),
        Some((_, upper)) if upper == page => return Some(Table::Tcvn3Upper),
        _ => {}
    }
    (profile.cp1258_page == Some(page)).then_some(Table::Cp1258)
}

/// Draws the paper as a picture `profile.paper_dots` wide, with a margin, as the demo shows it to the resident.
pub fn render(printed: &[Printed], profile: &Profile, face: &Typeface) -> Bitmap {
    let width = profile.paper_dots as u32;
    let mut pieces: Vec<Bitmap> = Vec::new();
    for item in printed {
        match item {
            Printed::Text { text, style } => {
                pieces.push(face.draw_line(text, style.bold, LINE_DOTS * style.scale() as u32, width, style.align));
            }
            Printed::Image(bitmap) => pieces.push(bitmap.clone()),
            Printed::Qr { data, module } => {
                if let Some(qr) = raster::qr_bitmap(data, *module) {
                    let mut row = Bitmap::new(width.max(qr.width), qr.height);
                    row.draw(&qr, ((row.width - qr.width) / 2) as i64, 0);
                    pieces.push(row);
                }
            }
            Printed::Feed(n) => pieces.push(Bitmap::new(width, LINE_DOTS * *n as u32)),
            Printed::Cut => {
                let mut cut = Bitmap::new(width, 16);
                for x in (0..width).filter(|x| x % 8 < 4) {
                    cut.set(x as i64, 8, true);
                }
                pieces.push(cut);
            }
        }
    }
    let margin = 16;
    let height = pieces.iter().map(|p| p.height).sum::<u32>() + 2 * margin;
    let mut paper = Bitmap::new(width + 2 * margin, height);
    let mut y = margin as i64;
    for piece in pieces {
        paper.draw(&piece, margin as i64, y);
        y += piece.height as i64;
    }
    paper
}

/// Writes a picture as an 8-bit greyscale PNG (black dots on white paper).
pub fn write_png(bitmap: &Bitmap, out: impl std::io::Write) -> Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(out, bitmap.width, bitmap.height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let pixels: Vec<u8> = bitmap.dots.iter().map(|black| if *black { 0 } else { 255 }).collect();
    writer.write_image_data(&pixels)?;
    writer.finish()
}
