//! The simulated scanner: "scans" a realistic document, not a blank page: an authorisation letter in Vietnamese
//! (clearly marked as a simulated sample, with no real person's data) on slightly grey paper with scanner noise,
//! placed a little askew; or a citizen-ID-sized card in colour. The feeder holds a few pages and runs out.
//! Tests and the demo change its condition and what lies on it through [`SimScannerControl`].

use std::sync::{Arc, Mutex};

use super::pipeline::{rotate_in_place, to_grey, Image};
use super::{Capabilities, ColourMode, Error, ErrorKind, RawPage, Resolutions, Scanner, Settings, Source};

/// What lies on the simulated glass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SimDocument {
    /// An A4 letter with text.
    #[default]
    Letter,
    /// An ID-1 card (85.6 x 54 mm) in the glass's corner.
    IdCard,
}

#[derive(Debug)]
struct State {
    problem: Option<ErrorKind>,
    on_glass: SimDocument,
    in_feeder: u32,
    /// Degrees the document lies askew.
    skew: f64,
}

impl Default for State {
    fn default() -> State {
        State { problem: None, on_glass: SimDocument::Letter, in_feeder: 3, skew: 1.3 }
    }
}

/// A scanner in memory whose condition tests and the demo can change.
#[derive(Debug, Default)]
pub struct SimScanner {
    shared: Arc<Mutex<State>>,
}

/// The other end of a [`SimScanner`].
#[derive(Debug, Clone)]
pub struct SimScannerControl {
    shared: Arc<Mutex<State>>,
}

impl SimScanner {
    pub fn new() -> (SimScanner, SimScannerControl) {
        let scanner = SimScanner { shared: super::shared() };
        let control = SimScannerControl { shared: scanner.shared.clone() };
        (scanner, control)
    }
}

impl SimScannerControl {
    /// Makes the simulated scanner report `problem` (None: ready).
    pub fn set_problem(&self, problem: Option<ErrorKind>) {
        crate::lock_sim(&self.shared).problem = problem;
    }

    /// Puts a document on the glass.
    pub fn place(&self, document: SimDocument) {
        crate::lock_sim(&self.shared).on_glass = document;
    }

    /// Loads `pages` pages into the feeder.
    pub fn load_feeder(&self, pages: u32) {
        crate::lock_sim(&self.shared).in_feeder = pages;
    }

    /// How askew documents lie, in degrees.
    pub fn set_skew(&self, degrees: f64) {
        crate::lock_sim(&self.shared).skew = degrees;
    }
}

impl Scanner for SimScanner {
    fn check(&mut self) -> Result<(), Error> {
        match crate::lock_sim(&self.shared).problem {
            None | Some(ErrorKind::NoDocument) => Ok(()),
            Some(kind) => Err(Error::reported(kind)),
        }
    }

    fn capabilities(&mut self) -> Result<Capabilities, Error> {
        self.check()?;
        Ok(Capabilities {
            sources: vec![Source::Flatbed, Source::Feeder],
            modes: vec![ColourMode::Grey, ColourMode::Colour],
            resolutions: Resolutions::List(vec![75, 100, 150, 200, 300, 600]),
            max_area: Some((216.0, 356.0)),
        })
    }

    fn scan(&mut self, settings: &Settings) -> Result<Vec<RawPage>, Error> {
        let (document, pages, skew) = {
            let mut state = crate::lock_sim(&self.shared);
            if let Some(kind) = state.problem {
                return Err(Error::reported(kind));
            }
            match settings.source {
                Source::Flatbed => (state.on_glass, 1, state.skew),
                Source::Feeder => {
                    let pages = std::mem::take(&mut state.in_feeder);
                    if pages == 0 {
                        return Err(Error::reported(ErrorKind::NoDocument));
                    }
                    (SimDocument::Letter, pages, state.skew)
                }
            }
        };
        let dpi = Resolutions::List(vec![75, 100, 150, 200, 300, 600]).choose(settings.resolution);
        let (width_mm, height_mm) = settings.size.millimetres();
        let colour = settings.mode == ColourMode::Colour;
        Ok((0..pages)
            .map(|page| {
                let image = match document {
                    SimDocument::Letter => letter(width_mm, height_mm, dpi, page + 1, pages, skew, colour),
                    SimDocument::IdCard => card(width_mm, height_mm, dpi, skew + 0.7, colour),
                };
                RawPage {
                    width: image.width,
                    height: image.height,
                    channels: image.channels,
                    dpi,
                    pixels: image.pixels,
                }
            })
            .collect())
    }
}

fn font() -> &'static fontdue::Font {
    crate::printer::raster::Typeface::shipped().regular()
}

fn mm(value: f64, dpi: u32) -> usize {
    (value * f64::from(dpi) / 25.4).round().max(0.0) as usize
}

/// Grey canvas helpers (colour is added at the end for the letter; the card is drawn in RGB).
struct Canvas {
    width: usize,
    height: usize,
    channels: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize, channels: usize, fill: [u8; 3]) -> Canvas {
        let mut pixels = Vec::with_capacity(width * height * channels);
        for _ in 0..width * height {
            pixels.extend_from_slice(&fill[..channels]);
        }
        Canvas { width, height, channels, pixels }
    }

    fn rect(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, colour: [u8; 3]) {
        for y in y0.min(self.height)..y1.min(self.height) {
            for x in x0.min(self.width)..x1.min(self.width) {
                let i = (y * self.width + x) * self.channels;
                self.pixels[i..i + self.channels].copy_from_slice(&colour[..self.channels]);
            }
        }
    }

    /// Draws text with its top-left at (x, y), `size` pixels tall, anti-aliased.
    fn text(&mut self, x: usize, y: usize, size: f32, text: &str, ink: [u8; 3]) {
        let font = font();
        let baseline = y as f32 + size * 0.8;
        let mut pen = x as f32;
        for c in text.chars() {
            let (metrics, coverage) = font.rasterize(c, size);
            let left = (pen + metrics.xmin as f32).round() as i64;
            let top = (baseline - metrics.height as f32 - metrics.ymin as f32).round() as i64;
            for gy in 0..metrics.height {
                for gx in 0..metrics.width {
                    let (px, py) = (left + gx as i64, top + gy as i64);
                    if px < 0 || py < 0 || px as usize >= self.width || py as usize >= self.height {
                        continue;
                    }
                    let alpha = u32::from(coverage[gy * metrics.width + gx]);
                    let i = (py as usize * self.width + px as usize) * self.channels;
                    for (sample, &colour) in self.pixels[i..i + self.channels].iter_mut().zip(&ink) {
                        *sample = ((u32::from(*sample) * (255 - alpha) + u32::from(colour) * alpha) / 255) as u8;
                    }
                }
            }
            pen += metrics.advance_width;
        }
    }

    /// Scanner noise: a small deterministic jitter on every sample.
    fn noise(&mut self, amplitude: i32, seed: u64) {
        let mut state = seed | 1;
        for value in &mut self.pixels {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let jitter = (state % (2 * amplitude as u64 + 1)) as i32 - amplitude;
            *value = (i32::from(*value) + jitter).clamp(0, 255) as u8;
        }
    }

    fn into_image(self) -> Image {
        Image { width: self.width, height: self.height, channels: self.channels, pixels: self.pixels }
    }
}

const LETTER: &[&str] = &[
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập – Tự do – Hạnh phúc",
    "",
    "GIẤY ỦY QUYỀN (MẪU MÔ PHỎNG)",
    "",
    "Tài liệu này do máy quét mô phỏng của ki-ốt tạo ra để trình diễn và kiểm thử.",
    "Mọi tên, số giấy tờ và địa chỉ dưới đây đều là giả định, không phải của người thật.",
    "",
    "Người ủy quyền: NGUYỄN VĂN MẪU, sinh năm 1948.",
    "Số định danh cá nhân: 000000000000 (số giả định).",
    "Địa chỉ: số 1 phố Mô Phỏng, phường Hoàn Kiếm, thành phố Hà Nội.",
    "",
    "Người được ủy quyền: TRẦN THỊ THỬ, sinh năm 1975.",
    "Quan hệ với người ủy quyền: con gái.",
    "",
    "Nội dung ủy quyền: nhận lương hưu và trợ cấp bảo hiểm xã hội hằng tháng",
    "thay cho người ủy quyền tại điểm chi trả của Bưu điện phường.",
    "Thời hạn ủy quyền: mười hai tháng kể từ ngày ký.",
    "",
    "Hai bên cam kết chịu trách nhiệm trước pháp luật về nội dung ủy quyền này.",
    "",
    "Hà Nội, ngày 29 tháng 11 năm 2026",
    "NGƯỜI ỦY QUYỀN                                   NGƯỜI ĐƯỢC ỦY QUYỀN",
    "(ký, ghi rõ họ tên)                                   (ký, ghi rõ họ tên)",
];

/// A letter page: grey paper, text at about 11 pt, page number, turned by `skew` degrees.
fn letter(width_mm: f64, height_mm: f64, dpi: u32, page: u32, pages: u32, skew: f64, colour: bool) -> Image {
    let channels = if colour { 3 } else { 1 };
    let mut canvas = Canvas::new(mm(width_mm, dpi), mm(height_mm, dpi), channels, [238, 236, 230]);
    let size = (f64::from(dpi) * 11.0 / 72.0 * 1.1) as f32; // 11 pt text
    let mut y = mm(25.0, dpi);
    for (n, line) in LETTER.iter().enumerate() {
        let bold = n == 0 || n == 3;
        let this_size = if bold { size * 1.15 } else { size };
        canvas.text(mm(22.0, dpi), y, this_size, line, [28, 30, 45]);
        y += (this_size * 1.6) as usize;
    }
    canvas.text(mm(100.0, dpi), mm(height_mm - 18.0, dpi), size * 0.9, &format!("Trang {page}/{pages}"), [60, 60, 60]);
    canvas.noise(6, u64::from(page) * 7919 + u64::from(dpi));
    let mut page = canvas.into_image();
    rotate_in_place(&mut page, skew, 250);
    page
}

/// An ID-sized card in colour in the glass's corner, on the white lid.
fn card(width_mm: f64, height_mm: f64, dpi: u32, skew: f64, colour: bool) -> Image {
    let mut canvas = Canvas::new(mm(width_mm, dpi), mm(height_mm, dpi), 3, [250, 250, 250]);
    let (x0, y0) = (mm(6.0, dpi), mm(6.0, dpi));
    let (x1, y1) = (x0 + mm(85.6, dpi), y0 + mm(54.0, dpi));
    canvas.rect(x0, y0, x1, y1, [196, 222, 214]);
    canvas.rect(x0, y0, x1, y0 + mm(9.0, dpi), [176, 40, 40]);
    canvas.rect(x0 + mm(4.0, dpi), y0 + mm(14.0, dpi), x0 + mm(24.0, dpi), y0 + mm(40.0, dpi), [120, 130, 150]);
    let size = (f64::from(dpi) * 7.0 / 72.0 * 1.1) as f32;
    canvas.text(x0 + mm(20.0, dpi), y0 + mm(1.5, dpi), size, "THẺ MẪU MÔ PHỎNG", [255, 240, 200]);
    let lines = [
        "Họ và tên: NGUYỄN VĂN MẪU",
        "Ngày sinh: 01/01/1948",
        "Số: 000000000000 (giả định)",
        "Không phải giấy tờ thật",
    ];
    for (n, line) in lines.iter().enumerate() {
        canvas.text(x0 + mm(27.0, dpi), y0 + mm(15.0 + 6.5 * n as f64, dpi), size, line, [20, 30, 40]);
    }
    canvas.noise(5, u64::from(dpi) * 31);
    let mut turned = canvas.into_image();
    rotate_in_place(&mut turned, skew, 250);
    if colour {
        turned
    } else {
        to_grey(&turned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::PageSize;

    #[test]
    fn simulated_scanner_reports_what_it_is_told() {
        let (mut scanner, control) = SimScanner::new();
        assert!(scanner.check().is_ok());
        control.set_problem(Some(ErrorKind::Jammed));
        assert_eq!(scanner.check().map_err(|e| e.kind()), Err(ErrorKind::Jammed));
        assert_eq!(scanner.scan(&Settings::default()).map_err(|e| e.kind()), Err(ErrorKind::Jammed));
        control.set_problem(Some(ErrorKind::Disconnected));
        assert_eq!(scanner.check().map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
    }

    #[test]
    fn the_feeder_gives_its_pages_then_runs_out() {
        let (mut scanner, control) = SimScanner::new();
        control.load_feeder(2);
        let settings = Settings { source: Source::Feeder, resolution: 75, ..Settings::default() };
        let pages = scanner.scan(&settings).expect("two pages");
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[0].width, pages[0].height, pages[0].channels), (620, 877, 1));
        assert_eq!(scanner.scan(&settings).map_err(|e| e.kind()), Err(ErrorKind::NoDocument));
    }

    #[test]
    fn a_simulated_page_has_text_on_it() {
        let (mut scanner, _) = SimScanner::new();
        let page = scanner.scan(&Settings { resolution: 100, ..Settings::default() }).expect("page").remove(0);
        let dark = page.pixels.iter().filter(|&&v| v < 100).count();
        let share = dark as f64 / page.pixels.len() as f64;
        assert!((0.002..0.2).contains(&share), "ink covers {share:.4} of the page");
    }

    #[test]
    fn a_card_comes_in_colour_in_the_corner() {
        let (mut scanner, control) = SimScanner::new();
        control.place(SimDocument::IdCard);
        let settings =
            Settings { mode: ColourMode::Colour, resolution: 150, size: PageSize::IdCard, ..Settings::default() };
        let page = scanner.scan(&settings).expect("card").remove(0);
        assert_eq!(page.channels, 3);
        assert_eq!((page.width, page.height), (591, 413));
    }
}
