//! The page pipeline: a raw scan in, a small legible JPEG page and a screen preview out. Pure functions of their
//! inputs; run it off the UI thread (a 300 dpi A4 page takes tens of milliseconds).
//!
//! Steps: (1) an analysis copy at about 50 dpi; (2) the skew angle, by projection profiles of the dark pixels
//! over -5..+5 degrees (the angle whose rows line up best); (3) optionally, the document's bounds (an ID card on
//! the glass); (4) down to the target resolution by area averaging (200 dpi keeps text legible); (5) the rotation
//! undone, bilinear; (6) levels: the paper's white to 255 and the ink's black to 0, which removes the scanner's
//! background noise (most of a JPEG's bytes on a text page) and raises contrast; (7) JPEG, with the resolution
//! in its header; a preview that fits the screen.

use super::RawPage;

/// How a page is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Keep colour (an ID card, a photo); otherwise grey.
    pub colour: bool,
    /// The resolution of the finished page; 200 dpi for text.
    pub dpi: u32,
    /// JPEG quality, 1..=100.
    pub quality: u8,
    /// Straighten a page placed askew.
    pub deskew: bool,
    /// Crop to the document (a card or a small paper on the glass).
    pub crop: bool,
    /// The preview fits in this many pixels.
    pub preview: (usize, usize),
}

impl Options {
    /// A text page: grey, 200 dpi, straightened.
    pub const TEXT: Options =
        Options { colour: false, dpi: 200, quality: 60, deskew: true, crop: false, preview: (600, 850) };
    /// An ID card: colour, 300 dpi (small print and the photo), straightened and cropped to the card.
    pub const ID_CARD: Options =
        Options { colour: true, dpi: 300, quality: 75, deskew: true, crop: true, preview: (600, 850) };
}

/// An 8-bit image, grey or RGB.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Image({}x{}x{})", self.width, self.height, self.channels)
    }
}

/// A finished page.
#[derive(Clone, PartialEq)]
pub struct Page {
    pub jpeg: Vec<u8>,
    pub width: usize,
    pub height: usize,
    pub dpi: u32,
    pub colour: bool,
    /// The angle the page was turned back by, in degrees (0 when straight or not deskewed).
    pub skew_degrees: f64,
    pub cropped: bool,
    pub preview: Image,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Page({}x{} at {} dpi, {} bytes, skew {:.2})", self.width, self.height, self.dpi, self.jpeg.len(), self.skew_degrees)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the page is empty or its size does not match its pixels")]
    BadPage,
    #[error("the page is too large for JPEG ({0} x {1} pixels)")]
    TooLarge(usize, usize),
    #[error("JPEG encoding failed: {0}")]
    Jpeg(String),
}

/// Finishes one raw page.
pub fn finish(raw: &RawPage, options: &Options) -> Result<Page, Error> {
    if raw.width == 0
        || raw.height == 0
        || !(raw.channels == 1 || raw.channels == 3)
        || raw.pixels.len() != raw.width * raw.height * raw.channels
    {
        return Err(Error::BadPage);
    }
    let source = Image { width: raw.width, height: raw.height, channels: raw.channels, pixels: raw.pixels.clone() };
    let working = if options.colour || raw.channels == 1 { source } else { to_grey(&source) };

    // (1) analysis copy, about 50 dpi, grey.
    let step = (raw.dpi / 50).max(1) as usize;
    let analysis = shrink(&to_grey_ref(&working), step);
    let (white, black) = levels(&analysis);
    // In colour (a card, a photo) only the paper is whitened: stretching to the darkest colour would spoil it.
    let black = if image_is_colour(&working) { 0 } else { black };
    let ink = black as i32 + (white as i32 - black as i32) / 2;

    // (2) skew.
    let skew = if options.deskew { skew_angle(&analysis, ink as u8) } else { 0.0 };

    // (4) target resolution.
    let scale = f64::from(options.dpi.min(raw.dpi)) / f64::from(raw.dpi);
    let mut image = resample(&working, scale);
    let dpi = if scale < 1.0 { options.dpi } else { raw.dpi };

    // (5) straighten.
    if skew.abs() >= 0.3 {
        image = rotate(&image, skew, 255);
    }

    // (3) crop, on the straightened page.
    let mut cropped = false;
    if options.crop {
        let grey = to_grey_ref(&image);
        if let Some((x0, y0, x1, y1)) = content_bounds(&grey, white) {
            let pad = (dpi as usize * 2 / 25).max(1); // 2 mm
            let (x0, y0) = (x0.saturating_sub(pad), y0.saturating_sub(pad));
            let (x1, y1) = ((x1 + pad).min(image.width), (y1 + pad).min(image.height));
            if (x1 - x0) * (y1 - y0) < image.width * image.height * 9 / 10 {
                image = crop(&image, x0, y0, x1, y1);
                cropped = true;
            }
        }
    }

    // (6) levels.
    apply_levels(&mut image, white, black);

    // (7) JPEG and preview.
    let jpeg = encode_jpeg(&image, dpi, options.quality)?;
    let fit = (options.preview.0 as f64 / image.width as f64).min(options.preview.1 as f64 / image.height as f64);
    let preview = if fit < 1.0 { resample(&image, fit) } else { image.clone() };
    Ok(Page {
        jpeg,
        width: image.width,
        height: image.height,
        dpi,
        colour: image.channels == 3,
        skew_degrees: if skew.abs() >= 0.3 { skew } else { 0.0 },
        cropped,
        preview,
    })
}

fn image_is_colour(image: &Image) -> bool {
    image.channels == 3
}

fn to_grey(image: &Image) -> Image {
    if image.channels == 1 {
        return image.clone();
    }
    let pixels = image
        .pixels
        .chunks_exact(3)
        .map(|p| ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8) as u8)
        .collect();
    Image { width: image.width, height: image.height, channels: 1, pixels }
}

fn to_grey_ref(image: &Image) -> std::borrow::Cow<'_, Image> {
    if image.channels == 1 {
        std::borrow::Cow::Borrowed(image)
    } else {
        std::borrow::Cow::Owned(to_grey(image))
    }
}

/// Averages `step` x `step` blocks (grey).
fn shrink(image: &Image, step: usize) -> Image {
    let (width, height) = (image.width / step, image.height / step);
    let mut pixels = vec![0u8; width * height];
    let area = (step * step) as u32;
    for y in 0..height {
        for x in 0..width {
            let mut sum = 0u32;
            for dy in 0..step {
                let row = (y * step + dy) * image.width + x * step;
                sum += image.pixels[row..row + step].iter().map(|&v| u32::from(v)).sum::<u32>();
            }
            pixels[y * width + x] = (sum / area) as u8;
        }
    }
    Image { width, height, channels: 1, pixels }
}

/// The paper's white and the ink's black: the brightest common grey (the histogram's peak in the upper half,
/// the paper) and the 0.5th percentile.
pub fn levels(grey: &Image) -> (u8, u8) {
    let mut histogram = [0usize; 256];
    for &v in &grey.pixels {
        histogram[usize::from(v)] += 1;
    }
    let white = (128..256).max_by_key(|&v| histogram[v]).unwrap_or(255) as u8;
    let total = grey.pixels.len().max(1);
    let mut seen = 0;
    let mut black = 0u8;
    for (value, count) in histogram.iter().enumerate() {
        seen += count;
        if seen * 200 >= total {
            black = value as u8;
            break;
        }
    }
    (white, black.min(white.saturating_sub(64)))
}

/// The angle (degrees, counter-clockwise positive in image coordinates with y down) whose horizontal projection
/// of the dark pixels is sharpest: text lines then run along rows.
pub fn skew_angle(grey: &Image, ink: u8) -> f64 {
    let points: Vec<(f64, f64)> = (0..grey.height)
        .flat_map(|y| (0..grey.width).map(move |x| (x, y)))
        .filter(|&(x, y)| grey.pixels[y * grey.width + x] < ink)
        .map(|(x, y)| (x as f64, y as f64))
        .collect();
    if points.len() < 50 {
        return 0.0;
    }
    let score = |degrees: f64| {
        let t = degrees.to_radians().tan();
        let offset = grey.width as f64 * 0.1 + 2.0;
        let mut bins = vec![0u32; grey.height + 2 * (offset as usize) + grey.width / 5 + 4];
        for &(x, y) in &points {
            let row = (y + x * t + offset).round();
            if row >= 0.0 && (row as usize) < bins.len() {
                bins[row as usize] += 1;
            }
        }
        bins.iter().map(|&b| f64::from(b) * f64::from(b)).sum::<f64>()
    };
    let coarse = (-25..=25).map(|i| f64::from(i) * 0.2).max_by(|a, b| score(*a).total_cmp(&score(*b))).unwrap_or(0.0);
    (-8..=8).map(|i| coarse + f64::from(i) * 0.025).max_by(|a, b| score(*a).total_cmp(&score(*b))).unwrap_or(coarse)
}

/// Resamples by area averaging (down) or bilinear (up / unchanged).
pub fn resample(image: &Image, scale: f64) -> Image {
    let width = ((image.width as f64 * scale).round() as usize).max(1);
    let height = ((image.height as f64 * scale).round() as usize).max(1);
    if width == image.width && height == image.height {
        return image.clone();
    }
    let channels = image.channels;
    // Separable box filter with fractional edges: columns first, then rows.
    let horizontal = box_axis(&image.pixels, image.width, image.height, channels, width, true);
    let pixels = box_axis(&horizontal, width, image.height, channels, height, false);
    Image { width, height, channels, pixels }
}

/// One axis of area-average resampling: `from` samples along the axis become `to`.
fn box_axis(pixels: &[u8], width: usize, height: usize, channels: usize, to: usize, along_x: bool) -> Vec<u8> {
    let from = if along_x { width } else { height };
    let ratio = from as f64 / to as f64;
    // Precompute, for each output sample, the source span and edge weights (fixed point, 1/256).
    let spans: Vec<(usize, usize, u32, u32)> = (0..to)
        .map(|i| {
            let start = i as f64 * ratio;
            let end = ((i + 1) as f64 * ratio).min(from as f64);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).clamp(first + 1, from);
            let w_first = ((1.0 - (start - first as f64)) * 256.0) as u32;
            let w_last = ((end - (last - 1) as f64) * 256.0) as u32;
            (first, last, w_first.max(1), w_last.max(1))
        })
        .collect();
    let (out_w, out_h) = if along_x { (to, height) } else { (width, to) };
    let mut out = vec![0u8; out_w * out_h * channels];
    let lines = if along_x { height } else { width };
    for line in 0..lines {
        for (i, &(first, last, w_first, w_last)) in spans.iter().enumerate() {
            for c in 0..channels {
                let mut sum = 0u32;
                let mut weight = 0u32;
                for s in first..last {
                    let w = if s == first {
                        w_first
                    } else if s == last - 1 {
                        w_last
                    } else {
                        256
                    };
                    let index = if along_x { (line * width + s) * channels + c } else { (s * width + line) * channels + c };
                    sum += u32::from(pixels[index]) * w;
                    weight += w;
                }
                let target = if along_x { (line * out_w + i) * channels + c } else { (i * out_w + line) * channels + c };
                out[target] = ((sum + weight / 2) / weight.max(1)) as u8;
            }
        }
    }
    out
}

/// Rotates about the centre by `degrees` (same convention as [`skew_angle`]), bilinear, filling with `fill`.
pub fn rotate(image: &Image, degrees: f64, fill: u8) -> Image {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (image.width as f64 / 2.0, image.height as f64 / 2.0);
    let channels = image.channels;
    let mut pixels = vec![fill; image.pixels.len()];
    let (w, h) = (image.width as i64, image.height as i64);
    for y in 0..image.height {
        let dy = y as f64 - cy;
        for x in 0..image.width {
            let dx = x as f64 - cx;
            // Inverse mapping: where this output pixel comes from.
            let sx = cos * dx + sin * dy + cx;
            let sy = -sin * dx + cos * dy + cy;
            let (x0, y0) = (sx.floor() as i64, sy.floor() as i64);
            if x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h {
                continue;
            }
            let (fx, fy) = (sx - x0 as f64, sy - y0 as f64);
            let base = (y0 as usize * image.width + x0 as usize) * channels;
            let below = base + image.width * channels;
            for c in 0..channels {
                let a = f64::from(image.pixels[base + c]);
                let b = f64::from(image.pixels[base + channels + c]);
                let d = f64::from(image.pixels[below + c]);
                let e = f64::from(image.pixels[below + channels + c]);
                let top = a + (b - a) * fx;
                let bottom = d + (e - d) * fx;
                pixels[(y * image.width + x) * channels + c] = (top + (bottom - top) * fy).round() as u8;
            }
        }
    }
    Image { width: image.width, height: image.height, channels, pixels }
}

/// The bounds (x0, y0, x1, y1; end exclusive) of what is not the glass's white: rows and columns where more than
/// 2% of the pixels are clearly darker than the paper.
fn content_bounds(grey: &Image, white: u8) -> Option<(usize, usize, usize, usize)> {
    let threshold = white.saturating_sub(40);
    let dark = |x: usize, y: usize| grey.pixels[y * grey.width + x] < threshold;
    let rows: Vec<usize> = (0..grey.height)
        .filter(|&y| (0..grey.width).filter(|&x| dark(x, y)).count() * 50 > grey.width)
        .collect();
    let columns: Vec<usize> = (0..grey.width)
        .filter(|&x| (0..grey.height).filter(|&y| dark(x, y)).count() * 50 > grey.height)
        .collect();
    Some((*columns.first()?, *rows.first()?, columns.last()? + 1, rows.last()? + 1))
}

fn crop(image: &Image, x0: usize, y0: usize, x1: usize, y1: usize) -> Image {
    let channels = image.channels;
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0) * channels);
    for y in y0..y1 {
        let row = y * image.width;
        pixels.extend_from_slice(&image.pixels[(row + x0) * channels..(row + x1) * channels]);
    }
    Image { width: x1 - x0, height: y1 - y0, channels, pixels }
}

/// Maps `black`..`white - 8` to 0..255 (clamped): paper becomes pure white, ink black.
fn apply_levels(image: &mut Image, white: u8, black: u8) {
    let top = i32::from(white.saturating_sub(8)).max(i32::from(black) + 32);
    let bottom = i32::from(black);
    let table: Vec<u8> =
        (0..256).map(|v| (((v - bottom) * 255) / (top - bottom)).clamp(0, 255) as u8).collect();
    for value in &mut image.pixels {
        *value = table[usize::from(*value)];
    }
}

/// JPEG with the resolution in its JFIF header.
pub fn encode_jpeg(image: &Image, dpi: u32, quality: u8) -> Result<Vec<u8>, Error> {
    let (Ok(width), Ok(height)) = (u16::try_from(image.width), u16::try_from(image.height)) else {
        return Err(Error::TooLarge(image.width, image.height));
    };
    let mut out = Vec::with_capacity(image.pixels.len() / 10);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    encoder.set_density(jpeg_encoder::PixelDensity::dpi(u16::try_from(dpi).unwrap_or(300)));
    let colour = if image.channels == 3 { jpeg_encoder::ColorType::Rgb } else { jpeg_encoder::ColorType::Luma };
    encoder.encode(&image.pixels, width, height, colour).map_err(|e| Error::Jpeg(e.to_string()))?;
    Ok(out)
}

/// A PNG of an image (the preview, for files and the technician's tool).
pub fn encode_png(image: &Image) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, image.width as u32, image.height as u32);
        encoder.set_color(if image.channels == 3 { png::ColorType::Rgb } else { png::ColorType::Grayscale });
        encoder.set_depth(png::BitDepth::Eight);
        // Writing to a Vec cannot fail but for a size mismatch, which `finish` has ruled out.
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&image.pixels);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white page with dark horizontal bars (text lines), turned by `degrees`.
    fn lined_page(width: usize, height: usize, degrees: f64) -> Image {
        let mut pixels = vec![235u8; width * height];
        for y in (height / 10..height * 9 / 10).step_by(height / 30) {
            for dy in 0..(height / 120).max(2) {
                for x in width / 10..width * 9 / 10 {
                    if (x / 7) % 5 != 0 {
                        pixels[(y + dy) * width + x] = 30;
                    }
                }
            }
        }
        rotate(&Image { width, height, channels: 1, pixels }, degrees, 235)
    }

    #[test]
    fn a_page_turned_two_degrees_is_measured_within_a_quarter_degree() {
        for degrees in [-2.0, 1.5, 0.0, 3.2] {
            let page = lined_page(420, 594, degrees);
            let (white, black) = levels(&page);
            let found = skew_angle(&page, ((u32::from(white) + u32::from(black)) / 2) as u8);
            // The page was turned by `degrees`; straightening needs the opposite.
            assert!((found + degrees).abs() < 0.25, "turned {degrees}, measured {found}");
        }
    }

    #[test]
    fn area_averaging_keeps_the_mean_and_the_size() {
        let image = Image { width: 300, height: 200, channels: 1, pixels: (0..60_000).map(|i| (i % 256) as u8).collect() };
        let small = resample(&image, 2.0 / 3.0);
        assert_eq!((small.width, small.height), (200, 133));
        let mean = |i: &Image| i.pixels.iter().map(|&v| f64::from(v)).sum::<f64>() / i.pixels.len() as f64;
        assert!((mean(&image) - mean(&small)).abs() < 2.0);
    }

    #[test]
    fn a_text_page_becomes_a_grey_200_dpi_jpeg_with_white_paper() {
        let page = lined_page(2480 / 4, 3508 / 4, 1.0);
        let raw = RawPage { width: page.width, height: page.height, channels: 1, dpi: 75, pixels: page.pixels };
        let finished = finish(&raw, &Options { dpi: 200, ..Options::TEXT }).expect("finished");
        assert_eq!(finished.dpi, 75, "never upsampled");
        assert!(!finished.colour);
        assert!((finished.skew_degrees + 1.0).abs() < 0.3, "{}", finished.skew_degrees);
        assert_eq!(&finished.jpeg[..2], &[0xFF, 0xD8]);
        let corner = finished.preview.pixels[finished.preview.width * 5 + 5];
        assert!(corner >= 250, "paper made white: {corner}");
    }

    #[test]
    fn a_card_on_the_glass_is_cropped_to_the_card() {
        let (width, height) = (600, 420);
        let mut pixels = vec![250u8; width * height * 3];
        for y in 100..262 {
            for x in 150..407 {
                let i = (y * width + x) * 3;
                pixels[i..i + 3].copy_from_slice(&[60, 120, 190]);
            }
        }
        let raw = RawPage { width, height, channels: 3, dpi: 150, pixels };
        let finished = finish(&raw, &Options { dpi: 150, deskew: false, ..Options::ID_CARD }).expect("finished");
        assert!(finished.cropped && finished.colour);
        assert!((257..=257 + 26).contains(&finished.width), "{}", finished.width);
        assert!((162..=162 + 26).contains(&finished.height), "{}", finished.height);
    }

    #[test]
    fn a_page_whose_pixels_do_not_match_its_size_is_refused() {
        let raw = RawPage { width: 10, height: 10, channels: 1, dpi: 300, pixels: vec![0; 99] };
        assert!(matches!(finish(&raw, &Options::TEXT), Err(Error::BadPage)));
    }
}
