//! Measures of a drawn screen, for the walkthrough's report: the smallest touch target (from the element
//! geometry of the accessibility tree: every button, answer box and switch), and the lowest contrast between a
//! text and what is behind it, measured from the rendered pixels (not from the theme's colours).

use i_slint_backend_testing::{AccessibleRole, ElementQuery};

use super::AppWindow;

/// A touch target: its label and size in logical pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub label: String,
    pub width: f32,
    pub height: f32,
}

/// A text's measured contrast (WCAG 2 ratio, 1 to 21).
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    pub label: String,
    pub ratio: f64,
}

type Rect = (f32, f32, f32, f32);

fn elements(ui: &AppWindow) -> Vec<(AccessibleRole, String, Rect)> {
    let mut found = Vec::new();
    ElementQuery::from_root(ui).match_predicate(|_| true).find_all().into_iter().for_each(|element| {
        let Some(role) = element.accessible_role() else { return };
        let (p, s) = (element.absolute_position(), element.size());
        if s.width < 1.0 || s.height < 1.0 || element.computed_opacity() <= 0.0 {
            return;
        }
        let label = element.accessible_label().map(|l| l.to_string()).unwrap_or_default();
        found.push((role, label, (p.x, p.y, s.width, s.height)));
    });
    found
}

/// The smallest touch target on screen (by its shorter side), within the window.
pub fn smallest_target(ui: &AppWindow, window: (u32, u32)) -> Option<Target> {
    elements(ui)
        .into_iter()
        .filter(|(role, _, _)| {
            matches!(
                role,
                AccessibleRole::Button | AccessibleRole::TextInput | AccessibleRole::Checkbox | AccessibleRole::Switch
            )
        })
        .filter(|(_, _, (x, y, _, _))| *x >= 0.0 && *y >= 0.0 && *x < window.0 as f32 && *y < window.1 as f32)
        .map(|(_, label, (_, _, width, height))| Target { label, width, height })
        .min_by(|a, b| a.width.min(a.height).total_cmp(&b.width.min(b.height)))
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

pub fn ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The contrast of the text drawn in `rect` of an RGB picture: the commonest colour there is the background;
/// the ink is the colour furthest from it in contrast among those drawn in at least a few pixels (a glyph's
/// solid strokes, not its smoothed edges). None for a rect with one colour only (an empty text).
pub fn contrast_in(pixels: &[u8], width: u32, height: u32, (x, y, w, h): Rect) -> Option<f64> {
    let (x0, y0) = (x.max(0.0) as u32, y.max(0.0) as u32);
    let (x1, y1) = (((x + w) as u32).min(width), ((y + h) as u32).min(height));
    let mut counts: std::collections::HashMap<[u8; 3], u32> = std::collections::HashMap::new();
    for row in y0..y1 {
        for col in x0..x1 {
            let i = ((row * width + col) * 3) as usize;
            *counts.entry([pixels[i], pixels[i + 1], pixels[i + 2]]).or_default() += 1;
        }
    }
    let (&background, _) = counts.iter().max_by_key(|(_, n)| **n)?;
    counts
        .iter()
        .filter(|(colour, n)| **n >= 4 && **colour != background)
        .map(|(colour, _)| ratio(*colour, background))
        .max_by(f64::total_cmp)
}

/// The text (or button, with its caption) on screen with the lowest measured contrast.
pub fn lowest_contrast(ui: &AppWindow, pixels: &[u8], window: (u32, u32)) -> Option<Contrast> {
    elements(ui)
        .into_iter()
        .filter(|(role, label, _)| {
            matches!(role, AccessibleRole::Text | AccessibleRole::Button) && !label.trim().is_empty()
        })
        .filter(|(_, _, (x, y, _, _))| *x >= 0.0 && *y >= 0.0 && *x < window.0 as f32 && *y < window.1 as f32)
        .filter_map(|(_, label, rect)| Some(Contrast { label, ratio: contrast_in(pixels, window.0, window.1, rect)? }))
        .min_by(|a, b| a.ratio.total_cmp(&b.ratio))
}

#[cfg(test)]
mod tests {
    #[test]
    fn contrast_ratios_are_wcag_s() {
        assert!((super::ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((super::ratio([255, 255, 0], [0, 0, 0]) - 19.56).abs() < 0.01);
        assert!((super::ratio([0x14, 0x17, 0x1c], [0xf3, 0xf5, 0xf8]) - 16.45).abs() < 0.05);
    }
}
