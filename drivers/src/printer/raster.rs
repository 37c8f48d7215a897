//! One-bit pictures for the printer: text drawn with the kiosk's font, QR codes, and the GS v 0 raster format
//! both ways. Text is normalised to NFC before drawing (the rasteriser does no mark positioning, so decomposed
//! tone marks would land in the wrong place: shared/reference/escpos.md §2.4). Must not do: I/O.

use fontdue::{Font, FontSettings};

/// The most rows one GS v 0 command carries (about 13 cm of paper at 203 dpi); see [`Bitmap::to_gs_v0`].
pub const RASTER_BAND_ROWS: u32 = 1024;

/// A black-and-white picture, row by row; `true` is a black dot.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub dots: Vec<bool>,
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitmap({}x{}, {} black)", self.width, self.height, self.dots.iter().filter(|d| **d).count())
    }
}

impl Bitmap {
    pub fn new(width: u32, height: u32) -> Bitmap {
        Bitmap { width, height, dots: vec![false; (width * height) as usize] }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.dots[(y * self.width + x) as usize]
    }

    pub fn set(&mut self, x: i64, y: i64, black: bool) {
        if x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height {
            self.dots[(y as u32 * self.width + x as u32) as usize] = black;
        }
    }

    /// Copies `other`'s black dots onto this picture with its top-left corner at (x, y).
    pub fn draw(&mut self, other: &Bitmap, x: i64, y: i64) {
        for oy in 0..other.height {
            for ox in 0..other.width {
                if other.get(ox, oy) {
                    self.set(x + ox as i64, y + oy as i64, true);
                }
            }
        }
    }

    /// `GS v 0 m xL xH yL yH d...` (Epson ESC/POS, "GS v 0: print raster bit image"), m = 0 (normal size).
    /// A picture taller than [`RASTER_BAND_ROWS`] is sent as several commands, one band under the other: the
    /// height field is 16 bits and printers take a band at a time into their receive buffer, so a long slip in
    /// the raster strategy is never cut short or wrapped round. The width comes from the paper (a `u16` of
    /// dots), so its byte count always fits.
    pub fn to_gs_v0(&self) -> Vec<u8> {
        let bytes_per_row = self.width.div_ceil(8);
        let header = u16::try_from(bytes_per_row).unwrap_or(u16::MAX).to_le_bytes();
        let mut out = Vec::with_capacity(
            (bytes_per_row * self.height) as usize + 8 * (self.height.div_ceil(RASTER_BAND_ROWS) as usize).max(1),
        );
        let rows: Vec<&[bool]> = self.dots.chunks(self.width.max(1) as usize).collect();
        for band in rows.chunks(RASTER_BAND_ROWS as usize) {
            out.extend_from_slice(&[0x1d, 0x76, 0x30, 0x00, header[0], header[1]]);
            out.extend_from_slice(&(band.len() as u16).to_le_bytes());
            for row in band {
                for eight in row.chunks(8) {
                    out.push(
                        eight.iter().enumerate().fold(0u8, |byte, (bit, black)| byte | ((*black as u8) << (7 - bit))),
                    );
                }
            }
        }
        out
    }

    /// Reads the data part of GS v 0 (after `m`): the inverse of [`Bitmap::to_gs_v0`]. Returns the picture and
    /// how many bytes it took, or None when the data is cut short.
    pub fn from_gs_v0(params: &[u8]) -> Option<(Bitmap, usize)> {
        let bytes_per_row = u16::from_le_bytes([*params.first()?, *params.get(1)?]) as u32;
        let height = u16::from_le_bytes([*params.get(2)?, *params.get(3)?]) as u32;
        let data = params.get(4..4 + (bytes_per_row * height) as usize)?;
        let mut bitmap = Bitmap::new(bytes_per_row * 8, height);
        for y in 0..height {
            for x in 0..bytes_per_row * 8 {
                let byte = data[(y * bytes_per_row + x / 8) as usize];
                bitmap.set(x as i64, y as i64, byte & (0x80 >> (x % 8)) != 0);
            }
        }
        Some((bitmap, 4 + data.len()))
    }

    /// The picture magnified `factor` times in both directions.
    pub fn scaled(&self, factor: u32) -> Bitmap {
        let mut out = Bitmap::new(self.width * factor, self.height * factor);
        for y in 0..out.height {
            for x in 0..out.width {
                if self.get(x / factor, y / factor) {
                    out.set(x as i64, y as i64, true);
                }
            }
        }
        out
    }
}

/// The fonts text is drawn with: a regular and a bold face (the kiosk ships Be Vietnam Pro).
pub struct Typeface {
    regular: Font,
    bold: Font,
}

impl std::fmt::Debug for Typeface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Typeface")
    }
}

/// Height in dots of one line of normal-size text, as the printer's font A (12 x 24).
pub const LINE_DOTS: u32 = 24;

impl Typeface {
    /// The shipped typeface (Be Vietnam Pro, assets/fonts), parsed once for the whole process: the printer's
    /// raster text, the decoder's paper pictures and the simulated scanner's pages share it (fontdue keeps every
    /// glyph's outline, about 1.3 MB a face).
    pub fn shipped() -> &'static Typeface {
        static FACE: std::sync::OnceLock<Typeface> = std::sync::OnceLock::new();
        FACE.get_or_init(|| {
            Typeface::from_bytes(
                include_bytes!("../../../assets/fonts/BeVietnamPro-Regular.ttf"),
                include_bytes!("../../../assets/fonts/BeVietnamPro-Bold.ttf"),
            )
            .unwrap_or_else(|error| panic!("the shipped fonts are built into the binary and load: {error}"))
        })
    }

    /// The regular face.
    pub(crate) fn regular(&self) -> &Font {
        &self.regular
    }

    pub fn from_bytes(regular: &[u8], bold: &[u8]) -> Result<Typeface, &'static str> {
        Ok(Typeface {
            regular: Font::from_bytes(regular, FontSettings::default())?,
            bold: Font::from_bytes(bold, FontSettings::default())?,
        })
    }

    fn font(&self, bold: bool) -> &Font {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Whether the font has a glyph for `c` (else it is drawn as a box, the font's "missing" glyph).
    pub fn has_glyph(&self, c: char) -> bool {
        c.is_whitespace() || self.regular.lookup_glyph_index(c) != 0
    }

    /// The ink extent (top above the baseline, bottom below it) of the tallest Vietnamese capitals with stacked
    /// marks and the deepest descenders, at `px`. The font's own ascent is lower than a capital with a circumflex
    /// and a tone mark, which would lose the tone mark at the top of a 24-dot line.
    fn extent(&self, bold: bool, px: f32) -> (f32, f32) {
        let font = self.font(bold);
        let top = "ẤẦẪỖỄỮẲÁ"
            .chars()
            .map(|c| font.metrics(c, px))
            .map(|m| m.ymin as f32 + m.height as f32)
            .fold(0.0, f32::max);
        let bottom = "gjpqyỵỹ".chars().map(|c| font.metrics(c, px).ymin as f32).fold(0.0, f32::min);
        (top, bottom)
    }

    /// The pixel size at which that extent fills `height` dots.
    fn px_for_height(&self, bold: bool, height: u32) -> f32 {
        let probe = 200.0;
        let (top, bottom) = self.extent(bold, probe);
        height as f32 * probe / (top - bottom).max(1.0)
    }

    fn ascent(&self, bold: bool, px: f32) -> f32 {
        self.extent(bold, px).0
    }

    /// Width in dots of `text` drawn `height` dots tall.
    pub fn measure(&self, text: &str, bold: bool, height: u32) -> u32 {
        let px = self.px_for_height(bold, height);
        let font = self.font(bold);
        text.chars().map(|c| font.metrics(c, px).advance_width).sum::<f32>().ceil() as u32
    }

    /// Draws one line of text, `height` dots tall, into a picture `width` dots wide.
    pub fn draw_line(&self, text: &str, bold: bool, height: u32, width: u32, align: super::document::Align) -> Bitmap {
        let px = self.px_for_height(bold, height);
        let font = self.font(bold);
        let baseline = self.ascent(bold, px);
        let text_width = self.measure(text, bold, height);
        let mut x = match align {
            super::document::Align::Left => 0.0,
            super::document::Align::Center => (width.saturating_sub(text_width) / 2) as f32,
            super::document::Align::Right => width.saturating_sub(text_width) as f32,
        };
        let mut bitmap = Bitmap::new(width, height);
        for c in text.chars() {
            let (metrics, coverage) = font.rasterize(c, px);
            let left = (x + metrics.xmin as f32).round() as i64;
            let top = (baseline - metrics.height as f32 - metrics.ymin as f32).round() as i64;
            for gy in 0..metrics.height {
                for gx in 0..metrics.width {
                    if coverage[gy * metrics.width + gx] >= 110 {
                        bitmap.set(left + gx as i64, top + gy as i64, true);
                    }
                }
            }
            x += metrics.advance_width;
        }
        bitmap
    }

    /// Draws `c` into a 12 x 24 font-A cell, centred, for a user-defined character.
    pub fn draw_cell(&self, c: char) -> Bitmap {
        let mut cell = Bitmap::new(12, LINE_DOTS);
        let glyph = self.draw_line(&c.to_string(), false, LINE_DOTS, 24, super::document::Align::Left);
        // Find the glyph's ink columns and centre them in the cell.
        let columns: Vec<u32> = (0..glyph.width).filter(|x| (0..glyph.height).any(|y| glyph.get(*x, y))).collect();
        let (first, last) = (columns.first().copied().unwrap_or(0), columns.last().copied().unwrap_or(0));
        let ink = last - first + 1;
        let offset = (12i64 - ink as i64) / 2 - first as i64;
        cell.draw(&glyph, offset, 0);
        cell
    }
}

/// Splits `text` into lines no wider than `max` by `measure`, at spaces; a word wider than a line is split.
pub fn wrap(text: &str, max: u32, measure: impl Fn(&str) -> u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if measure(&candidate) <= max {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word longer than the line is broken by characters.
        for c in word.chars() {
            let candidate = format!("{current}{c}");
            if measure(&candidate) > max && !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                current.push(c);
            } else {
                current = candidate;
            }
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// A QR code (model 2, error correction M) as a picture, `module` dots per module, with a 4-module quiet zone.
pub fn qr_bitmap(data: &str, module: u8) -> Option<Bitmap> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let size = code.width() as u32;
    let colors = code.to_colors();
    let quiet = 4;
    let mut bitmap = Bitmap::new(size + 2 * quiet, size + 2 * quiet);
    for (idx, color) in colors.iter().enumerate() {
        let (x, y) = (idx as u32 % size, idx as u32 / size);
        bitmap.set((x + quiet) as i64, (y + quiet) as i64, *color == qrcode::Color::Dark);
    }
    Some(bitmap.scaled(module.max(1) as u32))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn typeface() -> Typeface {
        Typeface::from_bytes(
            include_bytes!("../../../assets/fonts/BeVietnamPro-Regular.ttf"),
            include_bytes!("../../../assets/fonts/BeVietnamPro-Bold.ttf"),
        )
        .expect("shipped fonts load")
    }

    #[test]
    fn gs_v0_round_trip() {
        let mut bitmap = Bitmap::new(20, 3);
        bitmap.set(0, 0, true);
        bitmap.set(19, 2, true);
        bitmap.set(9, 1, true);
        let bytes = bitmap.to_gs_v0();
        assert_eq!(&bytes[..8], &[0x1d, 0x76, 0x30, 0, 3, 0, 3, 0]);
        let (back, used) = Bitmap::from_gs_v0(&bytes[4..]).expect("whole");
        assert_eq!(used, bytes.len() - 4);
        assert_eq!(back.width, 24);
        for (x, y) in [(0, 0), (19, 2), (9, 1)] {
            assert!(back.get(x, y));
        }
        assert_eq!(back.dots.iter().filter(|d| **d).count(), 3);
    }

    #[test]
    fn a_picture_taller_than_a_band_goes_as_several_commands_and_reads_back_whole() {
        // Taller than the 16-bit height field too: 70,000 rows would have been sent as 4,464 (70,000 mod 65,536).
        let (width, height) = (16, 70_000);
        let mut bitmap = Bitmap::new(width, height);
        for y in (0..height).step_by(997) {
            bitmap.set(i64::from(y % width), i64::from(y), true);
        }
        bitmap.set(15, i64::from(height - 1), true);
        let bytes = bitmap.to_gs_v0();
        let mut rest = &bytes[..];
        let mut back = Bitmap::new(width, 0);
        let mut commands = 0;
        while !rest.is_empty() {
            assert_eq!(&rest[..4], &[0x1d, 0x76, 0x30, 0], "a GS v 0 command");
            let (band, used) = Bitmap::from_gs_v0(&rest[4..]).expect("a whole band");
            assert!(band.height <= RASTER_BAND_ROWS && band.height > 0);
            back.dots.extend_from_slice(&band.dots);
            back.height += band.height;
            rest = &rest[4 + used..];
            commands += 1;
        }
        assert_eq!(commands, height.div_ceil(RASTER_BAND_ROWS));
        assert_eq!(back, bitmap);
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        let lines = wrap("Chứng thực chữ ký trên giấy ủy quyền", 12, |s| s.chars().count() as u32);
        assert_eq!(lines, ["Chứng thực", "chữ ký trên", "giấy ủy", "quyền"]);
    }

    #[test]
    fn text_draws_ink_and_cells_hold_their_letter() {
        let face = typeface();
        let line = face.draw_line("Đăng ký", true, 48, 576, super::super::document::Align::Center);
        assert!(line.dots.iter().filter(|d| **d).count() > 300);
        let cell = face.draw_cell('Ấ');
        assert!(cell.dots.iter().filter(|d| **d).count() > 20);
        assert!(!face.has_glyph('\u{1F600}'));
        assert!(face.has_glyph('ự'));
    }
}
