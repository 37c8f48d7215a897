//! Does every text on screen fit? Walks the drawn item tree and, for every visible text, asks Slint's own text
//! layout how much room the text needs at its width and compares it with the room it was given: a text
//! cut at the bottom or the side, shortened with "…", outside a box drawn around it, outside the window, or
//! overlapping another text is a fault. Used at the largest text size on every screen (issue 21).
//!
//! The testing backend's element handles give positions but not the tree nor a text's needed size, so this
//! reads Slint's item tree (i-slint-core, pinned to the same version as slint) directly.

use i_slint_core::item_rendering::RenderText;
use i_slint_core::item_tree::ItemRc;
use i_slint_core::items::{
    BasicBorderRectangle, BorderRectangle, Clip, ComplexText, Flickable, Opacity, Rectangle, SimpleText, TextOverflow,
    TextWrap,
};
use i_slint_core::layout::Orientation;
use i_slint_core::window::WindowInner;
use slint::ComponentHandle;

use super::AppWindow;

/// What is wrong with a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub text: String,
    pub problem: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "«{}»: {}", short(&self.text), self.problem)
    }
}

fn short(text: &str) -> String {
    let line = text.replace('\n', " ");
    if line.chars().count() > 40 {
        format!("{}…", line.chars().take(39).collect::<String>())
    } else {
        line
    }
}

type Rect = [f32; 4]; // x, y, width, height in window coordinates

/// Slack for rounding: layouts round to whole pixels.
const SLACK: f32 = 1.5;

fn inside(inner: Rect, outer: Rect) -> bool {
    inner[0] >= outer[0] - SLACK
        && inner[1] >= outer[1] - SLACK
        && inner[0] + inner[2] <= outer[0] + outer[2] + SLACK
        && inner[1] + inner[3] <= outer[1] + outer[3] + SLACK
}

fn overlap(a: Rect, b: Rect) -> bool {
    let w = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
    let h = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
    w > SLACK && h > SLACK
}

struct Drawn {
    text: String,
    rect: Rect,
    /// Which of the window's top-level parts it is in (overlays such as the idle prompt cover the rest).
    layer: usize,
}

fn window_rect(item: &ItemRc) -> Rect {
    // map_to_window maps a point of the item's parent: the item's own origin is its geometry's.
    let geometry = item.geometry();
    let origin = item.map_to_window(geometry.origin);
    let size = geometry.size;
    [origin.x, origin.y, size.width, size.height]
}

/// Every text that does not fit on the drawn screen. `window` is the window's size.
pub fn faults(ui: &AppWindow, window: (u32, u32)) -> Vec<Fault> {
    let inner = WindowInner::from_pub(ui.window());
    let adapter = inner.window_adapter();
    let root = ItemRc::new_root(inner.component());
    let screen = [0.0, 0.0, window.0 as f32, window.1 as f32];
    let mut found = Vec::new();
    let mut drawn = Vec::new();

    // The window's top-level parts; a part as big as the window (an overlay) hides those before it.
    let mut parts = Vec::new();
    let mut child = root.first_child();
    while let Some(item) = child {
        child = item.next_sibling();
        parts.push(item);
    }
    let covering = parts.iter().rposition(|part| {
        let r = window_rect(part);
        r[2] >= screen[2] - SLACK && r[3] >= screen[3] - SLACK && part.first_child().is_some()
    });
    for (layer, part) in parts.iter().enumerate() {
        if covering.is_some_and(|c| layer < c) {
            continue;
        }
        let mut ancestors = Vec::new();
        let mut walk = Walk { layer, screen, clip: screen, scrolled: false };
        visit(part, &mut walk, &mut ancestors, &adapter, &mut found, &mut drawn);
    }
    for (i, a) in drawn.iter().enumerate() {
        for b in &drawn[i + 1..] {
            if a.layer == b.layer && overlap(a.rect, b.rect) {
                found.push(Fault { text: a.text.clone(), problem: format!("overlaps «{}»", short(&b.text)) });
            }
        }
    }
    found
}

/// Where the walk is: the window's part, the window, what is seen of a scrolling area, inside one or not.
#[derive(Clone, Copy)]
struct Walk {
    layer: usize,
    screen: Rect,
    clip: Rect,
    scrolled: bool,
}

fn intersection(a: Rect, b: Rect) -> Rect {
    let (x0, y0) = (a[0].max(b[0]), a[1].max(b[1]));
    let (x1, y1) = ((a[0] + a[2]).min(b[0] + b[2]), (a[1] + a[3]).min(b[1] + b[3]));
    [x0, y0, (x1 - x0).max(0.0), (y1 - y0).max(0.0)]
}

fn visit(
    item: &ItemRc,
    walk: &mut Walk,
    ancestors: &mut Vec<(Rect, String)>,
    adapter: &std::rc::Rc<dyn i_slint_core::window::WindowAdapter>,
    found: &mut Vec<Fault>,
    drawn: &mut Vec<Drawn>,
) {
    let rect = window_rect(item);
    // Hidden: `visible: false` (Slint lowers it to a clipping wrapper named "…-visibility"), opacity 0, or no
    // size. What a scrolling area has scrolled out of sight is still checked.
    let clip = item.downcast::<Clip>();
    let clips = clip.as_ref().is_some_and(|c| c.as_pin_ref().clip());
    let visibility = clip.is_some()
        && item
            .element_type_names_and_ids(0)
            .is_none_or(|names| names.is_empty() || names.iter().any(|(_, id)| id.ends_with("-visibility")));
    let hides = visibility && clips;
    let transparent = item.downcast::<Opacity>().is_some_and(|o| o.as_pin_ref().opacity() <= 0.0);
    if hides || transparent {
        return;
    }
    let text = if let Some(t) = item.downcast::<ComplexText>() {
        let t = t.as_pin_ref();
        Some((t.text().to_string(), t.wrap(), t.overflow()))
    } else if let Some(t) = item.downcast::<SimpleText>() {
        let t = t.as_pin_ref();
        Some((t.text().to_string(), t.wrap(), t.overflow()))
    } else {
        None
    };
    if let Some((text, wrap, overflow)) = text {
        if !text.trim().is_empty() {
            let place = Place { rect, screen: walk.screen, ancestors, scrolled: walk.scrolled };
            check_text(item, &text, wrap, overflow, &place, adapter, found);
            // What can overlap is what is seen: the part of the text inside its scrolling area.
            drawn.push(Drawn { text, rect: intersection(rect, walk.clip), layer: walk.layer });
        }
        return;
    }
    // Inside a scrolling area, content may lie beyond the area's edge (the resident scrolls to it): what is
    // inside is checked against the parents within the area only.
    // (The kiosk clips only to scroll: a Clip is a scrolling area too.)
    let mut child = item.first_child();
    if item.downcast::<Flickable>().is_some() || (clips && !visibility) {
        let mut inner = Vec::new();
        let mut within = Walk { clip: intersection(walk.clip, rect), scrolled: true, ..*walk };
        while let Some(c) = child {
            child = c.next_sibling();
            visit(&c, &mut within, &mut inner, adapter, found, drawn);
        }
        return;
    }
    // A shown `visible` wrapper has no size of its own (for repeated elements): not a parent to fit in.
    // The parents a text must stay inside are the boxes drawn on screen (a button's frame, a card): layouts and
    // wrappers are not drawn, and Slint clips only scrolling areas, so a text past an undrawn box's edge is seen
    // only if it overlaps another text (checked below) or leaves the window.
    let boxed = item.downcast::<Rectangle>().is_some()
        || item.downcast::<BorderRectangle>().is_some()
        || item.downcast::<BasicBorderRectangle>().is_some();
    let structural = visibility || !boxed || rect[2] <= 0.0 || rect[3] <= 0.0;
    if !structural {
        let name = item
            .element_type_names_and_ids(0)
            .and_then(|names| names.first().map(|(kind, id)| format!("{kind} {id}")))
            .unwrap_or_default();
        ancestors.push((rect, name));
    }
    while let Some(c) = child {
        child = c.next_sibling();
        visit(&c, walk, ancestors, adapter, found, drawn);
    }
    if !structural {
        ancestors.pop();
    }
}

/// Where a text was drawn: its rectangle, the window's, its parents' (within a scrolling area, if in one).
struct Place<'a> {
    rect: Rect,
    screen: Rect,
    ancestors: &'a [(Rect, String)],
    scrolled: bool,
}

fn check_text(
    item: &ItemRc,
    text: &str,
    wrap: TextWrap,
    overflow: TextOverflow,
    place: &Place,
    adapter: &std::rc::Rc<dyn i_slint_core::window::WindowAdapter>,
    found: &mut Vec<Fault>,
) {
    let rect = place.rect;
    let mut fault = |problem: String| found.push(Fault { text: text.to_owned(), problem });
    let pinned = item.borrow();
    let across = pinned.as_ref().layout_info(Orientation::Horizontal, -1.0, adapter, item);
    let down = pinned.as_ref().layout_info(Orientation::Vertical, rect[2], adapter, item);
    // Wrapping text needs its longest word; a single line needs all of it.
    let needed_width = match (wrap, overflow) {
        (TextWrap::NoWrap, TextOverflow::Elide) => across.preferred,
        _ => across.min,
    };
    if needed_width > rect[2] + SLACK {
        let how = if overflow == TextOverflow::Elide { "shortened with …" } else { "cut at the side" };
        fault(format!("{how}: needs {needed_width:.0} px across, has {:.0}", rect[2]));
    }
    if down.min > rect[3] + SLACK {
        fault(format!("cut at the bottom: needs {:.0} px down, has {:.0}", down.min, rect[3]));
    }
    if !place.scrolled && !inside(rect, place.screen) {
        fault(format!("outside the window at ({:.0}, {:.0}) {:.0}×{:.0}", rect[0], rect[1], rect[2], rect[3]));
    } else if let Some((parent, name)) = place.ancestors.iter().rev().find(|(parent, _)| !inside(rect, *parent)) {
        fault(format!(
            "sticks out of its parent ({name}, {:.0}×{:.0}) at ({:.0}, {:.0}) {:.0}×{:.0}",
            parent[2], parent[3], rect[0], rect[1], rect[2], rect[3]
        ));
    }
}

/// The bottom of the lowest text in the screen's scrolling area, measured from the top of its content, and the
/// height the content has; None when there is no scrolling area.
pub fn content_extent(ui: &AppWindow) -> Option<(f32, f32)> {
    let inner = WindowInner::from_pub(ui.window());
    let root = ItemRc::new_root(inner.component());
    let flickable = find(&root, &|item| item.downcast::<Flickable>().is_some())?;
    let content = flickable.first_child()?;
    let content_rect = window_rect(&content);
    let top = content_rect[1];
    let mut lowest: Option<f32> = None;
    let mut stack = vec![content];
    while let Some(item) = stack.pop() {
        let clip = item.downcast::<Clip>();
        if clip.as_ref().is_some_and(|c| c.as_pin_ref().clip()) {
            continue;
        }
        if item.downcast::<ComplexText>().is_some() || item.downcast::<SimpleText>().is_some() {
            let r = window_rect(&item);
            lowest = Some(lowest.unwrap_or(0.0).max(r[1] + r[3] - top));
        }
        let mut child = item.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            stack.push(c);
        }
    }
    lowest.map(|bottom| (bottom, content_rect[3]))
}

fn find(item: &ItemRc, matches: &dyn Fn(&ItemRc) -> bool) -> Option<ItemRc> {
    if matches(item) {
        return Some(item.clone());
    }
    let mut child = item.first_child();
    while let Some(c) = child {
        if let Some(found) = find(&c, matches) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}
