//! The service point's opening hours: queue numbers for the counters are given only while it is open, and stop
//! a set time before each closing so the last resident is still served. Outside them the kiosk says when numbers
//! are given again; everything that needs no counter (lookup, dossiers, status, home visits) stays open.
//! Must not do: read the clock (the day and the minute are arguments) or know which weekday "today" is by any
//! other means than the day number.

use std::collections::BTreeSet;

use crate::queue::Day;

/// Minutes since local midnight, 0 to 1439.
pub type Minute = u16;

/// One opening period of a day, `opens` to `closes` (minutes since midnight, `opens < closes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub opens: Minute,
    pub closes: Minute,
}

/// When the service point is open, as the configuration gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hours {
    /// Monday first; each day's periods in time order, not overlapping. An empty day is closed.
    pub week: [Vec<Period>; 7],
    /// Numbers stop this many minutes before each closing.
    pub last_ticket_minutes: u16,
    /// Public holidays and other days the point is closed.
    pub closed: BTreeSet<Day>,
}

/// Whether a queue number can be given now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// Open: the last number of this period is given before `until`.
    Given { until: Minute },
    /// Closed now; numbers are given again at `next` (None: no opening within a year, e.g. every day closed).
    NotNow { next: Option<Opening> },
}

/// A moment numbers are given again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub day: Day,
    pub at: Minute,
}

impl Hours {
    /// Whether a number can be given on `day` at `minute`.
    pub fn numbers(&self, day: Day, minute: Minute) -> Numbers {
        match self.periods(day).find(|p| p.opens <= minute && minute < self.last_number(*p)) {
            Some(p) => Numbers::Given { until: self.last_number(p) },
            None => Numbers::NotNow { next: self.next_opening(day, minute) },
        }
    }

    /// The periods of `day` in which numbers are given (none on a closed day).
    fn periods(&self, day: Day) -> impl Iterator<Item = Period> + '_ {
        let open = !self.closed.contains(&day);
        self.week[weekday(day)].iter().copied().filter(move |p| open && self.last_number(*p) > p.opens)
    }

    /// The minute numbers stop in period `p`.
    fn last_number(&self, p: Period) -> Minute {
        p.closes.saturating_sub(self.last_ticket_minutes)
    }

    /// The first moment after (`day`, `minute`) that numbers are given, looking a year ahead.
    fn next_opening(&self, day: Day, minute: Minute) -> Option<Opening> {
        if let Some(p) = self.periods(day).find(|p| p.opens > minute) {
            return Some(Opening { day, at: p.opens });
        }
        (1..=366).map(|ahead| day + ahead).find_map(|d| self.periods(d).next().map(|p| Opening { day: d, at: p.opens }))
    }
}

/// Whether a walk-in number can be given at (`day`, `minute`) under `hours` (None: no hours set, numbers at any
/// hour).
pub fn numbers_by(hours: Option<&Hours>, day: Day, minute: Minute) -> Numbers {
    hours.map_or(Numbers::Given { until: 24 * 60 }, |h| h.numbers(day, minute))
}

/// The weekday of a day number, Monday 0 to Sunday 6.
pub fn weekday(day: Day) -> usize {
    usize::from(crate::time::weekday_of_days(i64::from(day)))
}

/// The calendar date of a day number: (year, month, day).
pub fn date_of(day: Day) -> (i64, u32, u32) {
    crate::time::civil_from_days(i64::from(day))
}

/// The day number of a calendar date written `YYYY-MM-DD`, or what is wrong with it.
pub fn parse_date(text: &str) -> Result<Day, String> {
    let bad = || format!("`{text}` is not a date written YYYY-MM-DD, e.g. 2027-01-01");
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<i64>().map_err(|_| bad());
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let days = crate::time::days_from_civil(y, m, d);
    // Round trip: 2027-02-30 and month 13 are refused rather than moved to another day.
    let day = Day::try_from(days).map_err(|_| bad())?;
    if !(1..=12).contains(&m) || date_of(day) != (y, m as u32, d as u32) {
        return Err(bad());
    }
    Ok(day)
}

/// A time of day written `HH:MM`, as minutes since midnight.
pub fn parse_minute(text: &str) -> Result<Minute, String> {
    let bad = || format!("`{text}` is not a time written HH:MM (00:00 to 23:59)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// An opening period written `HH:MM-HH:MM`.
pub fn parse_period(text: &str) -> Result<Period, String> {
    let (opens, closes) = text
        .split_once('-')
        .ok_or_else(|| format!("`{text}` is not a period written HH:MM-HH:MM, e.g. 08:00-12:00"))?;
    let period = Period { opens: parse_minute(opens.trim())?, closes: parse_minute(closes.trim())? };
    if period.opens >= period.closes {
        return Err(format!("`{text}` closes before it opens"));
    }
    Ok(period)
}

/// `HH:MM` for a minute of the day.
pub fn clock_text(minute: Minute) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        parse_date(text).expect("a date")
    }

    /// Monday to Friday 08:00-12:00 and 13:00-17:00, Saturday morning, numbers stop 30 minutes before closing,
    /// New Year's Day closed.
    fn hours() -> Hours {
        let weekday = vec![parse_period("08:00-12:00").expect("p"), parse_period("13:00-17:00").expect("p")];
        let saturday = vec![parse_period("08:00-12:00").expect("p")];
        Hours {
            week: [weekday.clone(), weekday.clone(), weekday.clone(), weekday.clone(), weekday, saturday, vec![]],
            last_ticket_minutes: 30,
            closed: [day("2027-01-01")].into_iter().collect(),
        }
    }

    #[test]
    fn dates_and_weekdays() {
        assert_eq!(day("1970-01-01"), 0);
        assert_eq!(weekday(0), 3, "a Thursday");
        assert_eq!(weekday(day("2026-12-07")), 0, "a Monday");
        assert_eq!(date_of(day("2028-02-29")), (2028, 2, 29));
        for bad in ["2027-02-29", "2027-13-01", "2027-1-01", "27-01-01", "2027/01/01", "2027-00-10"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert!(parse_period("12:00-08:00").is_err());
        assert!(parse_period("24:00-25:00").is_err());
        assert_eq!(parse_period(" 07:30 - 11:30"), Ok(Period { opens: 450, closes: 690 }), "spaces around are fine");
    }

    #[test]
    fn a_number_at_22_35_is_refused_with_the_next_opening() {
        let monday = day("2026-12-07");
        assert_eq!(
            hours().numbers(monday, parse_minute("22:35").expect("t")),
            Numbers::NotNow { next: Some(Opening { day: monday + 1, at: 8 * 60 }) }
        );
    }

    #[test]
    fn numbers_follow_the_periods_and_stop_before_closing() {
        let h = hours();
        let monday = day("2026-12-07");
        let at = |t: &str| parse_minute(t).expect("t");
        assert_eq!(
            h.numbers(monday, at("07:59")),
            Numbers::NotNow { next: Some(Opening { day: monday, at: at("08:00") }) }
        );
        assert_eq!(h.numbers(monday, at("08:00")), Numbers::Given { until: at("11:30") });
        assert_eq!(h.numbers(monday, at("11:29")), Numbers::Given { until: at("11:30") });
        assert_eq!(
            h.numbers(monday, at("11:30")),
            Numbers::NotNow { next: Some(Opening { day: monday, at: at("13:00") }) }
        );
        assert_eq!(
            h.numbers(monday, at("12:30")),
            Numbers::NotNow { next: Some(Opening { day: monday, at: at("13:00") }) }
        );
        assert_eq!(h.numbers(monday, at("16:29")), Numbers::Given { until: at("16:30") });
        // Saturday afternoon and Sunday: the next is Monday morning.
        let saturday = monday + 5;
        assert_eq!(h.numbers(saturday, at("10:00")), Numbers::Given { until: at("11:30") });
        assert_eq!(
            h.numbers(saturday, at("13:00")),
            Numbers::NotNow { next: Some(Opening { day: monday + 7, at: at("08:00") }) }
        );
    }

    #[test]
    fn a_holiday_is_closed_all_day_and_skipped() {
        let h = hours();
        let new_year = day("2027-01-01"); // a Friday
        assert_eq!(weekday(new_year), 4);
        assert_eq!(
            h.numbers(new_year, 9 * 60),
            Numbers::NotNow { next: Some(Opening { day: new_year + 1, at: 8 * 60 }) }
        );
        assert_eq!(
            h.numbers(new_year - 1, 17 * 60),
            Numbers::NotNow { next: Some(Opening { day: new_year + 1, at: 8 * 60 }) }
        );
    }

    #[test]
    fn a_week_with_no_opening_has_no_next_time() {
        let h = Hours { last_ticket_minutes: 0, ..Hours::default() };
        assert_eq!(h.numbers(100, 600), Numbers::NotNow { next: None });
        // A cut-off longer than a period leaves that period without numbers.
        let mut short = hours();
        short.last_ticket_minutes = 300;
        assert_eq!(short.numbers(day("2026-12-07"), 9 * 60), Numbers::NotNow { next: None });
    }
}
