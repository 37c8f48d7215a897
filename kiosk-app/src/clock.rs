//! The kiosk's clock, in the terms the queue rules use: seconds since the Unix epoch and the local day number.
//! Set the kiosk's time zone (Asia/Ho_Chi_Minh) in the system; queue numbers restart at local midnight.

use chrono::{Datelike as _, Local};
use kiosk_core::queue::{Day, Seconds};

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Now, in seconds since the Unix epoch (what the outbox, the portal client and the status cache take).
pub fn unix_now() -> Seconds {
    chrono::Utc::now().timestamp()
}

/// The calendar date of a local day number (`2026-12-05`), for reports.
pub fn day_text(day: Day) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(day + UNIX_EPOCH_DAYS_FROM_CE)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// A local day number as Vietnam writes dates, `23/11/2025` (what staff read; `day_text` is for machines).
pub fn day_written(day: Day) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(day + UNIX_EPOCH_DAYS_FROM_CE)
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// Now as the opening hours take it: the local day number and the minute of the local day.
pub fn local_minute() -> (Day, kiosk_core::hours::Minute) {
    use chrono::Timelike as _;
    let now = Local::now();
    (now.date_naive().num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE, (now.hour() * 60 + now.minute()) as u16)
}

/// Now: the local day number and seconds since the epoch.
pub fn now() -> (Day, Seconds) {
    let now = Local::now();
    (now.date_naive().num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE, now.timestamp())
}

/// Today's local date, for the rules that take one (no future birth dates, expected result dates).
pub fn today() -> kiosk_core::validate::Date {
    let today = Local::now().date_naive();
    kiosk_core::validate::Date { year: today.year() as u16, month: today.month() as u8, day: today.day() as u8 }
}

/// A moment as local wall-clock time, `2026-11-23T09:41:07+07:00`.
pub fn local_rfc3339(at: Seconds) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|utc| utc.with_timezone(&Local).to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default()
}

/// A moment's local wall-clock time, `09:41`.
pub fn local_hh_mm(at: Seconds) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|utc| utc.with_timezone(&Local).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// A moment as staff read it, local time then the date as Vietnam writes it: `09:41 23/11/2025`.
pub fn local_written(at: Seconds) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|utc| utc.with_timezone(&Local).format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// A moment's local hour, 0 to 23 (the day report's rows).
pub fn local_hour(at: Seconds) -> u8 {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|utc| chrono::Timelike::hour(&utc.with_timezone(&Local)) as u8)
        .unwrap_or(0)
}

/// The local day number of a date `YYYY-MM-DD` (the day report's choice).
pub fn day_of(text: &str) -> Option<Day> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)
}

/// Today (YYYY-MM-DD) and the time (HH:MM) in Hanoi (UTC+7 all year: Vietnam keeps no summer time), as the
/// portal's booking slots are given, whatever time zone the box is set to.
pub fn hanoi_today_and_time() -> (String, String) {
    let hanoi = chrono::Utc::now() + chrono::Duration::hours(7);
    (hanoi.format("%Y-%m-%d").to_string(), hanoi.format("%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_epoch_is_day_zero() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("date");
        assert_eq!(chrono::Datelike::num_days_from_ce(&epoch) - super::UNIX_EPOCH_DAYS_FROM_CE, 0);
        let (day, seconds) = super::now();
        assert!((day as i64 - seconds / 86_400).abs() <= 1, "local day within a day of UTC's");
        assert_eq!(super::day_text(0), "1970-01-01");
        assert_eq!(super::day_text(20_427), "2025-12-05");
        assert_eq!(super::day_written(20_427), "05/12/2025");
        assert_eq!(super::day_of("2025-12-05"), Some(20_427));
        assert_eq!(super::day_of("05/12/2025"), None);
    }
}
