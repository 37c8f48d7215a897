//! The service point's opening hours on screen: whether queue numbers are given now and, when not, when they
//! are given again (the queue tile on the home screen, the queue screen); and the help lines residents can call.
//! The hours are kept for the screen's own timer, which asks again every second.

use std::cell::RefCell;

use kiosk_core::config::{Config, Language};
use kiosk_core::hours::{Hours, Minute, Numbers, Opening};
use kiosk_core::queue::Day;
use slint::ComponentHandle as _;

use super::{AppWindow, HelpLine, Kiosk};
use crate::words;

thread_local! {
    static HOURS: RefCell<Option<Hours>> = const { RefCell::new(None) };
}

/// Keeps the configuration's opening hours (none: numbers at any hour) and its help lines for the screen.
pub fn install(ui: &AppWindow, config: &Config) {
    HOURS.with(|hours| *hours.borrow_mut() = config.hours.clone());
    let lines: Vec<HelpLine> = config
        .help
        .iter()
        .map(|line| HelpLine {
            name_vi: line.name_vi.as_str().into(),
            name_en: line.name_en.as_str().into(),
            number: line.number.as_str().into(),
        })
        .collect();
    ui.global::<Kiosk>().set_help_lines(super::model(lines));
    let (day, minute) = crate::clock::local_minute();
    show(ui, day, minute);
}

/// Whether a walk-in queue number can be given at (`day`, `minute`) by the hours installed.
fn numbers(day: Day, minute: Minute) -> Numbers {
    HOURS.with(|hours| kiosk_core::hours::numbers_by(hours.borrow().as_ref(), day, minute))
}

/// For the walkthrough: the screens as they are under `hours` at 22:35 on Monday 7 December 2026.
pub fn show_sample_evening(ui: &AppWindow, hours: &Hours) {
    HOURS.with(|installed| *installed.borrow_mut() = Some(hours.clone()));
    let monday = kiosk_core::hours::parse_date("2026-12-07").unwrap_or_default();
    show(ui, monday, 22 * 60 + 35);
}

/// For the walkthrough: numbers at any hour again.
pub fn forget(ui: &AppWindow) {
    HOURS.with(|installed| *installed.borrow_mut() = None);
    ui.global::<Kiosk>().set_numbers_closed(false);
}

/// Shows whether numbers are given at (`day`, `minute`), and when they are given again.
pub fn show(ui: &AppWindow, day: Day, minute: Minute) {
    let kiosk = ui.global::<Kiosk>();
    match numbers(day, minute) {
        Numbers::Given { .. } => {
            if kiosk.get_numbers_closed() {
                kiosk.set_numbers_closed(false);
            }
        }
        Numbers::NotNow { next } => {
            let (vi, en) = (again(Language::Vietnamese, day, next), again(Language::English, day, next));
            if kiosk.get_numbers_again_vi().as_str() != vi {
                kiosk.set_numbers_again_vi(vi.into());
            }
            if kiosk.get_numbers_again_en().as_str() != en {
                kiosk.set_numbers_again_en(en.into());
            }
            if !kiosk.get_numbers_closed() {
                kiosk.set_numbers_closed(true);
            }
        }
    }
}

/// Monday first, as [`kiosk_core::hours::weekday`] counts.
const WEEKDAYS: [kiosk_core::booking::Weekday; 7] = {
    use kiosk_core::booking::Weekday as W;
    [W::Monday, W::Tuesday, W::Wednesday, W::Thursday, W::Friday, W::Saturday, W::Sunday]
};

/// When numbers are given again, said from `today`: "today from 13:00", "tomorrow, Tuesday 08/12, from 08:00".
pub fn again(language: Language, today: Day, next: Option<Opening>) -> String {
    let Some(next) = next else {
        return words::tr(language, "No opening hours are set for the coming days. Please ask the staff.");
    };
    let at = kiosk_core::hours::clock_text(next.at);
    let (_, month, day) = kiosk_core::hours::date_of(next.day);
    let date = format!(
        "{} {day:02}/{month:02}",
        crate::booking::weekday_name(language, WEEKDAYS[kiosk_core::hours::weekday(next.day)])
    );
    if next.day == today {
        words::trf(language, "Queue numbers are given again today from {}.", &[&at])
    } else if next.day == today + 1 {
        words::trf(language, "Queue numbers are given again tomorrow, {}, from {}.", &[&date, &at])
    } else {
        words::trf(language, "Queue numbers are given again on {} from {}.", &[&date, &at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_opening_is_said_from_today() {
        let monday = kiosk_core::hours::parse_date("2026-12-07").expect("date");
        let vi = Language::Vietnamese;
        assert_eq!(
            again(Language::English, monday, Some(Opening { day: monday, at: 13 * 60 })),
            "Queue numbers are given again today from 13:00."
        );
        assert_eq!(
            again(Language::English, monday, Some(Opening { day: monday + 1, at: 8 * 60 })),
            "Queue numbers are given again tomorrow, Tuesday 08/12, from 08:00."
        );
        assert_eq!(
            again(Language::English, monday - 2, Some(Opening { day: monday, at: 8 * 60 })),
            "Queue numbers are given again on Monday 07/12 from 08:00."
        );
        let text = again(vi, monday - 2, Some(Opening { day: monday, at: 8 * 60 }));
        assert!(text.contains("Thứ Hai 07/12") && text.contains("08:00"), "{text}");
        assert!(!again(vi, monday, None).is_empty());
    }
}
