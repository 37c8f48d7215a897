//! The pure encoder: a [`Document`] and a [`Profile`] in, the printer's bytes out. Every job starts with
//! `ESC @` (reset) and `FS .` (leave the Chinese/Kanji double-byte mode many clones start in, so bytes >= 0x80
//! are single characters: shared/reference/escpos.md §2.1). Native QR codes come from the `escpos` crate, which
//! gets them right when told model 2; everything Vietnamese is ours, because that crate has no Vietnamese table.
//! Must not do: I/O, or drop a character silently (what nothing can print becomes a visible `?`, and is counted).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use unicode_normalization::UnicodeNormalization;

use super::codepage::{self, Table};
use super::document::{Align, Block, Document, Style};
use super::profile::{Cutter, Profile, Strategy};
use super::raster::{self, Bitmap, Typeface, LINE_DOTS};

/// A printer job, and what had to be given up to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    /// The strategy used, which may be a fallback from the profile's (e.g. no Vietnamese table: raster).
    pub strategy: Strategy,
    /// Characters printed as `?` (or the font's box) because nothing could print them.
    pub substituted: Vec<char>,
}

/// The character printed in place of one nothing can print.
pub const SUBSTITUTE: u8 = b'?';

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const FS: u8 = 0x1c;
const LF: u8 = 0x0a;
/// Font A cell width in dots.
const CELL_DOTS: u16 = 12;

/// Which strategy can really be used for `document` on `profile`.
pub fn effective_strategy(document: &Document, profile: &Profile) -> Strategy {
    let has_table = profile.tcvn3_pages.is_some() || profile.cp1258_page.is_some();
    let downloaded_fits = profile.user_defined_characters && downloadable(document).len() <= 95;
    match profile.strategy {
        Strategy::CodePage if has_table => Strategy::CodePage,
        Strategy::CodePage | Strategy::Downloaded if downloaded_fits => Strategy::Downloaded,
        _ => Strategy::Raster,
    }
}

/// The non-ASCII characters of a document, in order of first use, that need user-defined glyphs.
fn downloadable(document: &Document) -> Vec<char> {
    let mut seen = Vec::new();
    for c in document.characters() {
        if !(' '..='~').contains(&c) && !c.is_control() && !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen
}

pub fn encode(document: &Document, profile: &Profile, face: &Typeface) -> Encoded {
    let strategy = effective_strategy(document, profile);
    let mut job = Job { out: vec![ESC, b'@', FS, b'.'], profile, face, strategy, ..Job::default_for(profile, face) };
    if strategy == Strategy::Downloaded {
        job.define_characters(document);
    }
    for block in &document.blocks {
        job.block(block);
    }
    job.flush_raster();
    if job.user_defined_on {
        job.out.extend([ESC, b'%', 0]);
    }
    Encoded { bytes: job.out, strategy, substituted: job.substituted }
}

struct Job<'a> {
    out: Vec<u8>,
    profile: &'a Profile,
    face: &'a Typeface,
    strategy: Strategy,
    substituted: Vec<char>,
    /// The `ESC t` page selected now, if any.
    page: Option<u8>,
    /// Downloaded strategy: the code each defined character prints with, and whether ESC % 1 is on.
    codes: BTreeMap<char, u8>,
    user_defined_on: bool,
    /// Raster rows not sent yet: consecutive pictures go out as one GS v 0, saving a header per line.
    pending: Vec<Bitmap>,
}

impl<'a> Job<'a> {
    fn default_for(profile: &'a Profile, face: &'a Typeface) -> Job<'a> {
        Job {
            out: Vec::new(),
            profile,
            face,
            strategy: Strategy::Raster,
            substituted: Vec::new(),
            page: None,
            codes: BTreeMap::new(),
            user_defined_on: false,
            pending: Vec::new(),
        }
    }

    /// `ESC & y c1 c2 [x d1...d(y*x)]...`: define the document's accented letters as 12 x 24 characters on codes
    /// 0x21 onwards (Epson ESC/POS, "ESC &: define user-defined characters"; y = 3 bytes per column).
    fn define_characters(&mut self, document: &Document) {
        let characters: Vec<char> = downloadable(document).into_iter().filter(|c| self.face.has_glyph(*c)).collect();
        if characters.is_empty() {
            return;
        }
        let first = 0x21u8;
        let last = first + characters.len() as u8 - 1;
        self.out.extend([ESC, b'&', 3, first, last]);
        for (offset, c) in characters.iter().enumerate() {
            let cell = self.face.draw_cell(*c);
            self.out.push(CELL_DOTS as u8);
            for x in 0..cell.width {
                for band in 0..3 {
                    let mut byte = 0u8;
                    for bit in 0..8 {
                        if cell.get(x, band * 8 + bit) {
                            byte |= 0x80 >> bit;
                        }
                    }
                    self.out.push(byte);
                }
            }
            self.codes.insert(*c, first + offset as u8);
        }
    }

    /// Queues a picture as wide as the paper below the ones already waiting.
    fn raster(&mut self, bitmap: Bitmap) {
        if self.pending.last().is_some_and(|above| above.width != bitmap.width) {
            self.flush_raster();
        }
        self.pending.push(bitmap);
    }

    fn flush_raster(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pictures = std::mem::take(&mut self.pending);
        let width = pictures[0].width;
        let mut dots = Vec::with_capacity(pictures.iter().map(|p| p.dots.len()).sum());
        for picture in &pictures {
            dots.extend_from_slice(&picture.dots);
        }
        let height = pictures.iter().map(|p| p.height).sum();
        self.out.extend(Bitmap { width, height, dots }.to_gs_v0());
    }

    fn block(&mut self, block: &Block) {
        let rasterised = match block {
            Block::Image(_) => true,
            Block::Text { .. } | Block::Rule => self.strategy == Strategy::Raster,
            Block::Qr { .. } => !self.profile.native_qr,
            Block::Feed(_) | Block::Cut => false,
        };
        if !rasterised {
            self.flush_raster();
        }
        match block {
            Block::Text { text, style } => self.text(text, *style),
            Block::Rule => match self.strategy {
                Strategy::Raster => {
                    let mut rule = Bitmap::new(self.profile.paper_dots as u32, 12);
                    for x in 0..rule.width {
                        for y in 5..7 {
                            rule.set(x as i64, y, true);
                        }
                    }
                    self.raster(rule);
                }
                Strategy::CodePage | Strategy::Downloaded => {
                    self.ascii_mode();
                    let columns = self.profile.paper_dots / CELL_DOTS;
                    self.out.extend(std::iter::repeat_n(b'-', columns as usize));
                    self.out.push(LF);
                }
            },
            Block::Qr { data, module } => self.qr(data, *module),
            Block::Image(bitmap) => self.centred_image(bitmap),
            Block::Feed(lines) => self.out.extend([ESC, b'd', *lines]),
            Block::Cut => match self.profile.cutter {
                // GS V 66 n: feed to the cutting position, then partial cut (function B).
                Cutter::Partial => self.out.extend([GS, b'V', 66, 0]),
                Cutter::Full => self.out.extend([GS, b'V', 65, 0]),
                // No cutter: feed the ticket past the tear bar.
                Cutter::None => self.out.extend([ESC, b'd', 4]),
            },
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        let text: String = text.nfc().collect();
        let scale = style.scale();
        if self.strategy == Strategy::Raster {
            let height = LINE_DOTS * scale as u32;
            let width = self.profile.paper_dots as u32;
            for line in raster::wrap(&text, width, |s| self.face.measure(s, style.bold, height)) {
                for c in line.chars().filter(|c| !self.face.has_glyph(*c)) {
                    self.substituted.push(c);
                }
                let bitmap = self.face.draw_line(&line, style.bold, height, width, style.align);
                self.raster(bitmap);
            }
            return;
        }
        let align = match style.align {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        let size = ((scale - 1) << 4) | (scale - 1);
        self.out.extend([ESC, b'a', align, ESC, b'E', style.bold as u8, GS, b'!', size]);
        let columns = (self.profile.paper_dots / (CELL_DOTS * scale as u16)) as u32;
        for line in raster::wrap(&text, columns, |s| s.chars().count() as u32) {
            for c in line.chars() {
                match self.strategy {
                    Strategy::CodePage => self.codepage_char(c),
                    _ => self.downloaded_char(c),
                }
            }
            self.out.push(LF);
        }
        self.out.extend([ESC, b'a', 0, ESC, b'E', 0, GS, b'!', 0]);
    }

    fn ascii_mode(&mut self) {
        if self.user_defined_on {
            self.out.extend([ESC, b'%', 0]);
            self.user_defined_on = false;
        }
    }

    fn select_page(&mut self, page: u8) {
        if self.page != Some(page) {
            self.out.extend([ESC, b't', page]);
            self.page = Some(page);
        }
    }

    fn substitute(&mut self, c: char) {
        self.substituted.push(c);
        self.out.push(SUBSTITUTE);
    }

    fn codepage_char(&mut self, c: char) {
        if (' '..='~').contains(&c) {
            self.out.push(c as u8);
            return;
        }
        if let (Some((lower, upper)), Some(table)) = (self.profile.tcvn3_pages, codepage::tcvn3_table_for(c)) {
            self.select_page(if table == Table::Tcvn3Lower { lower } else { upper });
            self.out.push(table.byte_for(c).expect("table chosen for c"));
        } else if let (Some(page), Some(bytes)) = (self.profile.cp1258_page, codepage::cp1258_bytes(c)) {
            self.select_page(page);
            self.out.extend(bytes);
        } else if let Some(ascii) = codepage::ascii_fallback(c) {
            self.out.extend(ascii.bytes());
        } else {
            self.substitute(c);
        }
    }

    fn downloaded_char(&mut self, c: char) {
        if (' '..='~').contains(&c) {
            self.ascii_mode();
            self.out.push(c as u8);
        } else if let Some(code) = self.codes.get(&c).copied() {
            if !self.user_defined_on {
                self.out.extend([ESC, b'%', 1]);
                self.user_defined_on = true;
            }
            self.out.push(code);
        } else {
            self.ascii_mode();
            self.substitute(c);
        }
    }

    fn qr(&mut self, data: &str, module: u8) {
        let module = module.clamp(1, 16);
        if self.profile.native_qr {
            if let Some(bytes) = native_qr(data, module) {
                self.ascii_mode();
                self.out.extend([ESC, b'a', 1]);
                self.out.extend(bytes);
                self.out.extend([ESC, b'a', 0]);
                return;
            }
        }
        match raster::qr_bitmap(data, module) {
            Some(bitmap) => self.centred_image(&bitmap),
            // Too much data for any QR version: print it as text so nothing is lost.
            None => {
                self.flush_raster();
                self.text(data, Style::NORMAL);
            }
        }
    }

    fn centred_image(&mut self, bitmap: &Bitmap) {
        let width = (self.profile.paper_dots as u32).max(bitmap.width);
        let mut canvas = Bitmap::new(width, bitmap.height);
        canvas.draw(bitmap, ((width - bitmap.width) / 2) as i64, 0);
        self.raster(canvas);
    }
}

/// In-memory `escpos` driver: the crate writes its commands here instead of to a device.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl escpos::driver::Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// `GS ( k` QR: model 2 (the crate's default is model 1, which phone scanners may not read), module size,
/// error correction M, store, print.
fn native_qr(data: &str, module: u8) -> Option<Vec<u8>> {
    use escpos::utils::{Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};
    let capture = Capture::default();
    let mut printer = escpos::printer::Printer::new(capture.clone(), Protocol::default(), None);
    printer
        .qrcode_option(data, QRCodeOption::new(QRCodeModel::Model2, module, QRCodeCorrectionLevel::M))
        .and_then(|p| p.print())
        .ok()?;
    let bytes = capture.0.borrow().clone();
    Some(bytes)
}
