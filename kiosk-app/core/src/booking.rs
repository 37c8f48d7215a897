//! Booking a time at the service point: what it is for, a day and a slot from those the portal offers (weekday
//! evenings and weekends, seed 002), who is coming and a phone for the portal's reminder; the form the portal
//! receives; the days of an offer as the screen lists them; and the code on the slip that gets a priority ticket
//! on arrival.
//!
//! Must not do: any I/O or read a clock (today is passed in), or keep answers anywhere but the `Answers` value
//! the screen owns (dropping it is the wipe).

use crate::portal::{Booked, Slot, SlotOffer};
use crate::validate::Phone;
use crate::visit::Need;

/// The questions, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Need,
    Day,
    Slot,
    Name,
    Phone,
}

impl Question {
    pub const ALL: [Question; 5] = [Question::Need, Question::Day, Question::Slot, Question::Name, Question::Phone];
}

/// Everything answered so far. `Default` is nothing answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub need: Option<Need>,
    /// YYYY-MM-DD.
    pub day: Option<String>,
    pub slot: Option<Slot>,
    pub name: String,
    pub phone: Option<Phone>,
}

/// Longest name accepted (as on an ID card).
pub const NAME_MAX: usize = 60;

impl Answers {
    pub fn answered(&self, question: Question) -> bool {
        match question {
            Question::Need => self.need.is_some(),
            Question::Day => self.day.is_some(),
            Question::Slot => self.slot.is_some(),
            Question::Name => !self.name.is_empty(),
            Question::Phone => self.phone.is_some(),
        }
    }

    pub fn first_unanswered(&self) -> Option<Question> {
        Question::ALL.into_iter().find(|q| !self.answered(*q))
    }

    /// The form to send, once every question is answered.
    pub fn form(&self, language: &str) -> Option<BookingForm> {
        let slot = self.slot.as_ref()?;
        let (need_vi, need_en) = self.need.as_ref()?.names();
        Some(BookingForm {
            kind: "booking".into(),
            slot_id: slot.id.clone(),
            date: slot.date.clone(),
            start: slot.start.clone(),
            end: slot.end.clone(),
            procedure_code: match self.need.as_ref()? {
                Need::Procedure { code, .. } => Some(code.clone()),
                Need::Other => None,
            },
            need_vi: need_vi.to_owned(),
            need_en: need_en.to_owned(),
            person_name: (!self.name.is_empty()).then(|| self.name.clone())?,
            phone: self.phone.as_ref()?.digits().to_owned(),
            language: language.to_owned(),
        })
    }
}

/// The form the portal receives (JSON), sealed in the outbox like a dossier's. The portal keeps the place
/// (`slot_id`) if one is still free, and reminds the resident on `phone` (its job, not the kiosk's).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BookingForm {
    /// Always "booking".
    pub kind: String,
    pub slot_id: String,
    /// The slot as the resident chose it (YYYY-MM-DD, HH:MM, HH:MM), for the portal's staff to read.
    pub date: String,
    pub start: String,
    pub end: String,
    /// The national procedure code it is for; None for "something else".
    pub procedure_code: Option<String>,
    pub need_vi: String,
    pub need_en: String,
    pub person_name: String,
    pub phone: String,
    /// The language the resident used (the reminder comes in it).
    pub language: String,
}

/// A day of an offer, as the day page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day<'a> {
    /// YYYY-MM-DD.
    pub date: &'a str,
    pub weekday: Option<Weekday>,
    /// Places free over the day's slots (0: the day is full).
    pub free: u32,
    pub slots: Vec<&'a Slot>,
}

/// The days of an offer in order, each with its slots (full ones included, so a resident sees the time exists
/// but is taken).
pub fn days(offer: &SlotOffer) -> Vec<Day<'_>> {
    let mut days: Vec<Day<'_>> = Vec::new();
    for slot in &offer.slots {
        match days.last_mut() {
            Some(day) if day.date == slot.date => {
                // The portal's numbers are not ours to trust: a day of huge counts stays "many", not a wrap to few.
                day.free = day.free.saturating_add(slot.free);
                day.slots.push(slot);
            }
            _ => days.push(Day { date: &slot.date, weekday: weekday(&slot.date), free: slot.free, slots: vec![slot] }),
        }
    }
    days
}

/// The offer without the slots that have begun by `today` (YYYY-MM-DD) at `time` (HH:MM), Hanoi time: a kept
/// offer grows stale while the portal is away.
pub fn upcoming(mut offer: SlotOffer, today: &str, time: &str) -> SlotOffer {
    offer.slots.retain(|s| s.date.as_str() > today || (s.date == today && s.start.as_str() > time));
    offer
}

/// The first `count` slots after slot `taken` (in the offer's order) with a place free.
pub fn next_free(offer: &SlotOffer, taken: &str, count: usize) -> Vec<Slot> {
    let from = offer.slots.iter().position(|s| s.id == taken).map_or(0, |i| i + 1);
    offer.slots[from..].iter().filter(|s| s.free > 0).take(count).cloned().collect()
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// The weekday of a YYYY-MM-DD date (None when it is not one).
pub fn weekday(date: &str) -> Option<Weekday> {
    let (y, m, d) = ymd(date)?;
    let days = crate::time::days_from_civil(y, m, d);
    const FROM_THURSDAY: [Weekday; 7] = [
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
    ];
    Some(FROM_THURSDAY[days.rem_euclid(7) as usize])
}

fn ymd(date: &str) -> Option<(i64, i64, i64)> {
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    // YYYY: a year of four digits at most, so the day count in `weekday` cannot overflow.
    let fits = (0..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
    (parts.next().is_none() && fits).then_some((y, m, d))
}

/// A YYYY-MM-DD date as residents write it: 07/12/2026.
pub fn date_for_reading(date: &str) -> String {
    match ymd(date) {
        Some((y, m, d)) => format!("{d:02}/{m:02}/{y:04}"),
        None => date.to_owned(),
    }
}

/// What the slip's QR code holds for booking `code`: the code itself, so any reader (or a person) reads the
/// same thing the slip prints.
pub fn qr_payload(code: &str) -> String {
    code.to_owned()
}

/// What the kiosk does with a booking code shown on arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// Today's booking: issue a priority ticket for it.
    Welcome,
    /// The booking is for another day (YYYY-MM-DD).
    OtherDay { date: String },
    /// The counter has already seen the resident for it.
    Attended,
    /// The booking was cancelled.
    Cancelled,
    /// A state the kiosk does not know: the resident is sent to the counter.
    NotValid,
}

/// Judges a booking shown on arrival on `today` (YYYY-MM-DD, Hanoi time): a booking is honoured all day on its
/// day (a resident who is late or early still gets their priority; the counter sees the time).
pub fn arrival(state: &str, booked: &Booked, today: &str) -> Arrival {
    match state {
        "booked" => {}
        "attended" => return Arrival::Attended,
        "cancelled" => return Arrival::Cancelled,
        _ => return Arrival::NotValid,
    }
    if booked.date != today {
        return Arrival::OtherDay { date: booked.date.clone() };
    }
    Arrival::Welcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(id: &str, date: &str, start: &str, free: u32) -> Slot {
        Slot { id: id.into(), date: date.into(), start: start.into(), end: "20:30".into(), free }
    }

    #[test]
    fn past_slots_go_and_the_next_free_ones_follow_the_taken_one() {
        let offer = SlotOffer {
            place_vi: "P".into(),
            place_en: "P".into(),
            address: "A".into(),
            slots: vec![
                slot("a", "2026-12-05", "17:30", 1),
                slot("b", "2026-12-05", "18:30", 0),
                slot("c", "2026-12-05", "19:30", 2),
                slot("d", "2026-12-06", "08:00", 1),
            ],
        };
        let ids = |o: &SlotOffer| o.slots.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&upcoming(offer.clone(), "2026-12-05", "18:30")), ["c", "d"], "18:30 has begun");
        assert_eq!(ids(&upcoming(offer.clone(), "2026-12-04", "23:00")).len(), 4);
        let next: Vec<String> = next_free(&offer, "a", 3).into_iter().map(|s| s.id).collect();
        assert_eq!(next, ["c", "d"], "full ones skipped");
        assert!(next_free(&offer, "d", 3).is_empty());
    }

    #[test]
    fn weekdays_and_dates() {
        assert_eq!(weekday("2026-12-05"), Some(Weekday::Saturday));
        assert_eq!(weekday("2026-12-07"), Some(Weekday::Monday));
        assert_eq!(weekday("2024-02-29"), Some(Weekday::Thursday));
        assert_eq!(weekday("1970-01-01"), Some(Weekday::Thursday));
        assert_eq!(weekday("2000-03-01"), Some(Weekday::Wednesday));
        assert_eq!(weekday("2026-13-01"), None);
        assert_eq!(weekday("07/12/2026"), None);
        assert_eq!(date_for_reading("2026-12-07"), "07/12/2026");
        assert_eq!(date_for_reading("soon"), "soon");
    }

    /// Found by the portal_reply fuzz target (tests/fuzz/regressions/portal_reply): a slot's date from the portal
    /// with a year past four digits overflowed the day count.
    #[test]
    fn a_date_whose_year_is_not_four_digits_has_no_weekday() {
        for date in
            ["8152392880409804795-12-05", "9223372036854775807-01-01", "-9223372036854775808-01-01", "10000-01-01"]
        {
            assert_eq!(weekday(date), None, "{date}");
            assert_eq!(date_for_reading(date), date);
        }
        assert_eq!(weekday("9999-12-31"), Some(Weekday::Friday));
    }

    #[test]
    fn free_places_added_over_a_day_never_wrap() {
        let offer = SlotOffer {
            place_vi: "P".into(),
            place_en: "P".into(),
            address: "A".into(),
            slots: vec![slot("a", "2026-12-07", "17:30", u32::MAX), slot("b", "2026-12-07", "18:30", 2)],
        };
        assert_eq!(days(&offer)[0].free, u32::MAX, "a wrap would have said 1 place");
    }

    #[test]
    fn an_offer_is_listed_by_day_with_its_free_places() {
        let offer = SlotOffer {
            place_vi: "P".into(),
            place_en: "P".into(),
            address: "A".into(),
            slots: vec![
                slot("a", "2026-12-07", "17:30", 0),
                slot("b", "2026-12-07", "18:30", 2),
                slot("c", "2026-12-08", "17:30", 0),
            ],
        };
        let days = days(&offer);
        assert_eq!(days.len(), 2);
        assert_eq!((days[0].date, days[0].free, days[0].slots.len()), ("2026-12-07", 2, 2));
        assert_eq!((days[1].weekday, days[1].free), (Some(Weekday::Tuesday), 0));
    }

    #[test]
    fn a_form_needs_every_answer_and_arrival_is_honoured_on_the_day() {
        let mut answers = Answers { need: Some(Need::Other), ..Answers::default() };
        assert_eq!(answers.first_unanswered(), Some(Question::Day));
        assert!(answers.form("vi").is_none());
        answers.day = Some("2026-12-07".into());
        answers.slot = Some(slot("b", "2026-12-07", "18:30", 2));
        answers.name = "Nguyễn Thị Hòa".into();
        answers.phone = Some(crate::validate::phone("0912345678").expect("valid"));
        let form = answers.form("vi").expect("complete");
        assert_eq!((form.slot_id.as_str(), form.need_vi.as_str(), form.procedure_code), ("b", "Việc khác", None));
        let booked = Booked {
            date: "2026-12-07".into(),
            start: "18:30".into(),
            end: "19:30".into(),
            place_vi: String::new(),
            place_en: String::new(),
            address: String::new(),
            procedure_code: None,
        };
        assert_eq!(arrival("booked", &booked, "2026-12-07"), Arrival::Welcome);
        assert_eq!(arrival("booked", &booked, "2026-12-06"), Arrival::OtherDay { date: "2026-12-07".into() });
        assert_eq!(arrival("attended", &booked, "2026-12-07"), Arrival::Attended);
        assert_eq!(arrival("cancelled", &booked, "2026-12-07"), Arrival::Cancelled);
        assert_eq!(arrival("moved", &booked, "2026-12-07"), Arrival::NotValid);
    }
}
