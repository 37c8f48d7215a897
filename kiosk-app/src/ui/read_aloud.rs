//! The speaker button: what the current screen says, gathered from the accessibility tree the screen already
//! has for assistive technology (the same labels the tests tap by), in the order the screen lays it out: texts,
//! buttons with their second line, and each answer box with what has been typed. The header (with its hidden
//! technician's corner), the overlays (the PIN pad) and the on-screen keys are left out. Spoken by the shell's speaker (`crate::speech`), off this thread.
//!
//! Walking the tree uses i-slint-backend-testing's element search (the crate Slint's own tests use), which needs
//! the .slint files compiled with debug info (build.rs turns it on).

use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::ControlFlow;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use kiosk_core::config::{Language, ReadAloud};
use slint::ComponentHandle;

use super::{current_language, AppWindow, Kiosk};

thread_local! {
    /// Ends what is being read (any tap calls it, through `Kiosk.activity`).
    static QUIET: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
    /// Each screen read as it opens (`ui.read_aloud = "always"`).
    static ON_OPEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The component names of on-screen keys, which are not read out.
const KEYS: [&str; 3] = ["TypeKey", "CodeKey", "Key"];

/// What the screen says now, as one text (sentences ended with a full stop where the screen had none).
pub fn screen_words(ui: &AppWindow) -> String {
    // All of the screen, also what is scrolled out of view.
    super::unfolded(ui, || words_of(ui))
}

fn words_of(ui: &AppWindow) -> String {
    let Some(screen) =
        ElementQuery::from_root(ui).match_predicate(|e| e.accessible_id().as_deref() == Some("screen")).find_first()
    else {
        return String::new();
    };
    type Rect = (i64, i64, i64, i64);
    let mut found: Vec<(Rect, AccessibleRole, Said)> = Vec::new();
    let mut keys: HashSet<Rect> = HashSet::new();
    screen.visit_descendants(|element| {
        let (position, size) = (element.absolute_position(), element.size());
        let rect = (position.x as i64, position.y as i64, size.width as i64, size.height as i64);
        if size.width < 1.0 || size.height < 1.0 || element.computed_opacity() <= 0.0 {
            return ControlFlow::<()>::Continue(());
        }
        if element.type_name().is_some_and(|name| KEYS.contains(&name.as_str())) {
            keys.insert(rect);
        }
        if let Some(said) = spoken(&element) {
            found.push((rect, element.accessible_role().unwrap_or(AccessibleRole::None), said));
        }
        ControlFlow::Continue(())
    });
    let mut seen = HashSet::new();
    let mut sentences: Vec<String> = Vec::new();
    for (rect, role, said) in found {
        if keys.contains(&rect) || !seen.insert((rect, role as i32, said.clone())) {
            continue;
        }
        let sentence = match said {
            Said::Plain(text) => text,
            // An answer box named by the question just read: only what has been typed.
            Said::Answer { label, value } if sentences.contains(&label) => value,
            Said::Answer { label, value } if value.is_empty() => label,
            Said::Answer { label, value } => format!("{label} {value}"),
        };
        if !sentence.is_empty() && sentences.last() != Some(&sentence) {
            sentences.push(sentence);
        }
    }
    sentences
        .into_iter()
        .map(|s| if s.ends_with(['.', '?', '!', ':', ',', '…']) { s } else { format!("{s}.") })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Said {
    Plain(String),
    /// An answer box: its name, and what has been typed in it.
    Answer {
        label: String,
        value: String,
    },
}

/// What one element says: a text, a button (with its second line), an answer box with its answer.
fn spoken(element: &ElementHandle) -> Option<Said> {
    let label = element.accessible_label().map(|l| l.trim().to_owned()).unwrap_or_default();
    let said = match element.accessible_role()? {
        AccessibleRole::Text => Said::Plain(label),
        AccessibleRole::Button | AccessibleRole::Checkbox | AccessibleRole::Switch => {
            match element.accessible_description().map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()) {
                Some(detail) if !label.is_empty() => Said::Plain(format!("{label}, {detail}")),
                _ => Said::Plain(label),
            }
        }
        AccessibleRole::TextInput => {
            let value = element.accessible_value().map(|v| v.trim().to_owned()).unwrap_or_default();
            Said::Answer { label, value }
        }
        _ => return None,
    };
    match &said {
        Said::Plain(text) if text.is_empty() => None,
        Said::Answer { label, value } if label.is_empty() && value.is_empty() => None,
        _ => Some(said),
    }
}

/// The speaker button reads the screen with `say` (text, language; it must hand the work off this thread);
/// any tap calls `quiet`.
pub fn install(ui: &AppWindow, mode: ReadAloud, say: impl Fn(String, Language) + 'static, quiet: impl Fn() + 'static) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_read_aloud_shown(mode != ReadAloud::Off);
    ON_OPEN.with(|on| on.set(mode == ReadAloud::Always));
    QUIET.with(|q| *q.borrow_mut() = Some(Box::new(quiet)));
    let weak = ui.as_weak();
    kiosk.on_read_aloud(move || {
        let Some(ui) = weak.upgrade() else { return };
        let words = screen_words(&ui);
        say(words, current_language(&ui).unwrap_or(Language::Vietnamese));
    });
}

/// A tap anywhere: stop reading.
pub(super) fn quiet() {
    QUIET.with(|q| {
        if let Some(quiet) = &*q.borrow() {
            quiet();
        }
    });
}

/// A screen opened: read it when the ward asked for every screen to be read (after it is laid out).
pub(super) fn opened(ui: &AppWindow) {
    if !ON_OPEN.with(|on| on.get()) {
        return;
    }
    let weak = ui.as_weak();
    slint::Timer::single_shot(std::time::Duration::from_millis(100), move || {
        if let Some(ui) = weak.upgrade() {
            ui.global::<Kiosk>().invoke_read_aloud();
        }
    });
}
