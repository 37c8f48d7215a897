//! The day report as a supervisor reads it: figures per service, counter and hour, the CSV a spreadsheet opens,
//! and the chart a screen reader describes.

use super::*;
use crate::queue::{Priority, TicketId};

const DAY: Day = 20_415; // 2025-11-23
const MIN: Seconds = 60;

/// An instant of `DAY` on the wall clock (the tests' time zone is UTC).
fn at(hour: Seconds, minute: Seconds) -> Seconds {
    Seconds::from(DAY) * 86_400 + hour * 3_600 + minute * MIN
}

fn local_hour(at: Seconds) -> u8 {
    (at.rem_euclid(86_400) / 3_600) as u8
}

fn ticket(id: TicketId, service: &str, issued_at: Seconds) -> Ticket {
    Ticket {
        id,
        day: DAY,
        service: service.into(),
        number: id as u32,
        priority: Priority::None,
        issued_at,
        pager: None,
        state: State::Waiting,
        called_at: None,
        serving_since: None,
        finished_at: None,
        counter: None,
        recalls: 0,
        rating: None,
    }
}

/// What happened to a ticket, told in order: `ticket(..).called(1, t).done(t2).rated(4)`.
trait Story {
    fn called(self, counter: u16, at: Seconds) -> Self;
    fn done(self, at: Seconds) -> Self;
    fn no_show(self, at: Seconds) -> Self;
    fn transferred(self, at: Seconds) -> Self;
    fn rated(self, rating: u8) -> Self;
}

impl Story for Ticket {
    fn called(mut self, counter: u16, at: Seconds) -> Ticket {
        self.state = State::Called { counter };
        self.called_at = Some(self.called_at.unwrap_or(at));
        self.counter = Some(counter);
        self
    }
    fn done(mut self, at: Seconds) -> Ticket {
        self.state = State::Done;
        self.finished_at = Some(at);
        self
    }
    fn no_show(mut self, at: Seconds) -> Ticket {
        self.state = State::NoShow;
        self.finished_at = Some(at);
        self
    }
    fn transferred(mut self, at: Seconds) -> Ticket {
        self.state = State::Transferred;
        self.finished_at = Some(at);
        self
    }
    fn rated(mut self, rating: u8) -> Ticket {
        self.rating = Some(rating);
        self
    }
}

fn report(tickets: &[Ticket], services: &[&str], counters: &[u16]) -> DayReport {
    let tickets: Vec<&Ticket> = tickets.iter().collect();
    let services: Vec<String> = services.iter().map(|s| s.to_string()).collect();
    day_report(DAY, &tickets, &services, counters, local_hour)
}

/// Ten tickets waiting 1..=10 minutes and served 2..=20 minutes.
fn ten_tickets() -> Vec<Ticket> {
    (1..=10)
        .map(|i| {
            let issued = at(8, 0) + i;
            let called = issued + i * MIN;
            ticket(i as TicketId, "HT", issued).called(1, called).done(called + 2 * i * MIN)
        })
        .collect()
}

#[test]
fn median_and_p90_are_nearest_rank() {
    let report = report(&ten_tickets(), &["HT"], &[1]);

    let row = &report.services[0];
    assert_eq!((row.wait_median, row.wait_p90), (Some(5 * MIN), Some(9 * MIN)));
    assert_eq!((row.serve_median, row.serve_p90), (Some(10 * MIN), Some(18 * MIN)));
    assert_eq!(report.total.wait_median, Some(5 * MIN));
}

#[test]
fn nearest_rank_is_always_one_of_the_values() {
    assert_eq!(nearest_rank(&[], 50), None);
    assert_eq!(nearest_rank(&[7], 50), Some(7));
    assert_eq!(nearest_rank(&[7], 90), Some(7));
    assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
    // No averaging of the two middle values.
    assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
    // ceil(0.9 × 11) = 10.
    let eleven: Vec<Seconds> = (1..=11).collect();
    assert_eq!(nearest_rank(&eleven, 90), Some(10));
    assert_eq!(nearest_rank(&eleven, 100), Some(11));
}

#[test]
fn nothing_to_measure_gives_no_percentiles() {
    let report = report(&[ticket(1, "HT", at(8, 0))], &["HT", "CT"], &[1]);

    let waiting = &report.services[0];
    assert_eq!((waiting.issued, waiting.waiting_now), (1, 1));
    assert_eq!(
        (waiting.wait_median, waiting.wait_p90, waiting.serve_median, waiting.serve_p90),
        (None, None, None, None)
    );
    assert_eq!(report.services[1].issued, 0);
    assert_eq!(report.services[1].rating_average(), None);
}

#[test]
fn ratings_are_counted_per_service_and_per_counter() {
    let tickets = [
        ticket(1, "HT", at(8, 0)).called(1, at(8, 5)).done(at(8, 10)).rated(4),
        ticket(2, "HT", at(8, 1)).called(1, at(8, 10)).done(at(8, 15)).rated(4),
        ticket(3, "HT", at(8, 2)).called(2, at(8, 11)).done(at(8, 20)).rated(3),
        ticket(4, "CT", at(8, 3)).called(2, at(8, 20)).done(at(8, 30)).rated(1),
        // Out of the scale: not counted anywhere.
        ticket(5, "CT", at(8, 4)).called(2, at(8, 30)).done(at(8, 40)).rated(9),
    ];
    let report = report(&tickets, &["HT", "CT"], &[1, 2]);

    assert_eq!(report.total.ratings, [1, 0, 1, 2]);
    assert_eq!(report.services[0].ratings, [0, 0, 1, 2]);
    assert_eq!(report.services[1].ratings, [1, 0, 0, 0]);
    assert_eq!(report.counters[0].ratings, [0, 0, 0, 2]);
    assert_eq!(report.counters[1].ratings, [1, 0, 1, 0]);
    assert_eq!(report.total.rating_average(), Some(3.0));
    assert_eq!(report.counters[1].rating_average(), Some(2.0));
}

#[test]
fn counter_rows_count_the_tickets_each_counter_called_in_the_order_given() {
    let tickets = [
        ticket(1, "HT", at(8, 0)).called(1, at(8, 10)).done(at(8, 20)),
        ticket(2, "HT", at(8, 1)).called(1, at(8, 20)).no_show(at(8, 25)),
        ticket(3, "CT", at(8, 2)).called(3, at(8, 5)).transferred(at(8, 6)),
        ticket(4, "HT", at(8, 3)),
    ];
    let report = report(&tickets, &["HT", "CT"], &[3, 1, 7]);

    let keys: Vec<&str> = report.counters.iter().map(|row| row.key.as_str()).collect();
    assert_eq!(keys, ["3", "1", "7"]);
    let counter_1 = &report.counters[1];
    assert_eq!((counter_1.issued, counter_1.served, counter_1.no_show, counter_1.transferred), (2, 1, 1, 0));
    assert_eq!((counter_1.wait_median, counter_1.serve_median), (Some(10 * MIN), Some(10 * MIN)));
    let counter_3 = &report.counters[0];
    assert_eq!((counter_3.issued, counter_3.transferred, counter_3.wait_median), (1, 1, Some(3 * MIN)));
    let idle = &report.counters[2];
    assert_eq!((idle.issued, idle.served, idle.wait_median), (0, 0, None));
    // The ticket nobody called is the day's and its service's, no counter's.
    assert_eq!((report.total.issued, report.total.waiting_now), (4, 1));
    assert_eq!(report.counters.iter().map(|row| row.issued).sum::<usize>(), 3);
}

#[test]
fn a_transferred_ticket_counts_in_its_first_service_and_its_new_ticket_in_the_next() {
    let tickets = [
        ticket(1, "HT", at(8, 0)).called(1, at(8, 10)).transferred(at(8, 12)),
        ticket(2, "CT", at(8, 12)).called(2, at(8, 32)).done(at(8, 40)),
    ];
    let report = report(&tickets, &["HT", "CT"], &[1, 2]);

    let (first, next) = (&report.services[0], &report.services[1]);
    assert_eq!((first.issued, first.transferred, first.served, first.wait_median), (1, 1, 0, Some(10 * MIN)));
    assert_eq!((next.issued, next.transferred, next.served, next.wait_median), (1, 0, 1, Some(20 * MIN)));
    assert_eq!(first.serve_median, None);
    assert_eq!((report.total.issued, report.total.transferred, report.total.served), (2, 1, 1));
}

#[test]
fn only_the_days_tickets_count_and_total_includes_unlisted_services() {
    let mut yesterday = ticket(1, "HT", at(8, 0) - 86_400).called(1, at(8, 5) - 86_400).done(at(8, 9) - 86_400);
    yesterday.day = DAY - 1;
    let tickets = [yesterday, ticket(2, "HT", at(9, 0)), ticket(3, "XX", at(9, 1))];
    let report = report(&tickets, &["HT"], &[1]);

    assert_eq!(report.day, DAY);
    assert_eq!(report.total.issued, 2);
    assert_eq!((report.services[0].issued, report.services[0].served), (1, 0));
    assert_eq!(report.counters[0].issued, 0);
    assert_eq!(report.hours.iter().map(|hour| hour.hour).collect::<Vec<_>>(), [9]);
}

#[test]
fn hours_run_from_the_first_to_the_last_busy_one_with_quiet_hours_as_zeros() {
    let tickets = [
        ticket(1, "HT", at(8, 10)).called(1, at(8, 20)).done(at(8, 40)),
        ticket(2, "HT", at(8, 30)).called(1, at(11, 5)).done(at(11, 15)),
        ticket(3, "HT", at(11, 0)).called(2, at(11, 30)).no_show(at(12, 0)),
    ];
    let report = report(&tickets, &["HT"], &[1, 2]);

    let hour = |hour: u8, issued: usize, called: usize, served: usize, no_show: usize, wait_median: Option<Seconds>| {
        Hour { hour, issued, called, served, no_show, wait_median }
    };
    assert_eq!(
        report.hours,
        [
            hour(8, 2, 1, 1, 0, Some(10 * MIN)),
            hour(9, 0, 0, 0, 0, None),
            hour(10, 0, 0, 0, 0, None),
            // Waits of 155 and 30 minutes: the nearest-rank median is the lower.
            hour(11, 1, 2, 1, 0, Some(30 * MIN)),
            hour(12, 0, 0, 0, 1, None),
        ]
    );
}

#[test]
fn a_day_without_tickets_has_no_hours() {
    let report = report(&[], &["HT"], &[1]);

    assert!(report.hours.is_empty());
    assert_eq!(report.total.issued, 0);
}

fn lines(text: &str) -> Vec<&str> {
    text.trim_start_matches('\u{feff}').split_terminator("\r\n").collect()
}

#[test]
fn csv_is_one_table_with_a_scope_column() {
    let tickets = [ticket(1, "HT", at(8, 0)).called(1, at(8, 10)).done(at(8, 30)).rated(4), ticket(2, "HT", at(10, 0))];
    let text = csv(&report(&tickets, &["HT"], &[1]), &CsvHeaders::english());

    assert_eq!(
        lines(&text),
        [
            "scope,key,issued,served,no_show,transferred,waiting_now,wait_median_s,wait_p90_s,serve_median_s,\
             serve_p90_s,rating_1,rating_2,rating_3,rating_4",
            "total,,2,1,0,0,1,600,600,1200,1200,0,0,0,1",
            "service,HT,2,1,0,0,1,600,600,1200,1200,0,0,0,1",
            "counter,1,1,1,0,0,0,600,600,1200,1200,0,0,0,1",
            "hour,8,1,1,0,,,600,,,,,,,",
            "hour,9,0,0,0,,,,,,,,,,",
            "hour,10,1,0,0,,,,,,,,,,",
        ]
    );
}

#[test]
fn csv_starts_with_a_bom_and_ends_every_line_with_crlf() {
    let text = csv(&report(&ten_tickets(), &["HT"], &[1]), &CsvHeaders::english());

    assert!(text.starts_with('\u{feff}'));
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    assert_eq!(text.matches("\r\n").count(), 1 + 1 + 1 + 1 + 1);
}

#[test]
fn csv_quotes_fields_with_commas_quotes_and_line_breaks() {
    let tickets = [ticket(1, "H\"T,1", at(8, 0))];
    let mut headers = CsvHeaders::english();
    headers.issued = "Đã cấp".into();
    headers.scope_service = "dịch vụ\nthủ tục".into();
    let text = csv(&report(&tickets, &["H\"T,1"], &[]), &headers);

    assert!(text.contains(",Đã cấp,"));
    assert!(text.contains("\r\n\"dịch vụ\nthủ tục\",\"H\"\"T,1\",1,0,0,0,1,,,,,0,0,0,0\r\n"), "{text}");
}

fn labels() -> ChartLabels {
    ChartLabels {
        title: "Tickets per hour".into(),
        issued: "Issued".into(),
        served: "Served".into(),
        hour_suffix: "h".into(),
        empty: "No tickets yet today".into(),
    }
}

/// Every element opened is closed, in order (enough to catch a broken tag; not a full XML parser).
fn is_balanced(svg: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    for tag in svg.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or("")) {
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name) {
                return false;
            }
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().unwrap_or(""));
        }
    }
    open.is_empty()
}

#[test]
fn chart_draws_two_bars_per_hour_and_a_legend() {
    let tickets = [
        ticket(1, "HT", at(8, 10)).called(1, at(8, 20)).done(at(8, 40)),
        ticket(2, "HT", at(10, 0)).called(1, at(10, 5)).done(at(10, 10)),
    ];
    let report = report(&tickets, &["HT"], &[1]);
    let svg = hour_chart_svg(&report, &labels());

    assert!(is_balanced(&svg), "{svg}");
    assert_eq!(svg.matches("<rect").count(), 2 * 3 + 2);
    for hour_label in [">8h<", ">9h<", ">10h<", ">Issued<", ">Served<"] {
        assert!(svg.contains(hour_label), "{hour_label} missing");
    }
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"aria-labelledby="hour-chart-title hour-chart-desc""#));
    assert!(svg.contains(r#"<title id="hour-chart-title">Tickets per hour</title>"#));
    assert!(svg.contains(concat!(
        r#"<desc id="hour-chart-desc">Issued 2, Served 2. "#,
        "8h: Issued 1, Served 1; 9h: Issued 0, Served 0; 10h: Issued 1, Served 1.</desc>"
    )));
    assert!(svg.contains(r#"width="640" height="320" viewBox="0 0 640 320""#));
    assert!(svg.contains(r#"font-family="sans-serif""#));
}

#[test]
fn chart_y_axis_has_a_few_integer_ticks_and_the_tallest_bar_reaches_the_top_one() {
    let tickets: Vec<Ticket> = (1..=7).map(|i| ticket(i, "HT", at(9, i as Seconds))).collect();
    let svg = hour_chart_svg(&report(&tickets, &["HT"], &[]), &labels());

    let tick_labels: Vec<&str> = svg
        .lines()
        .filter(|line| line.contains(r#"text-anchor="end""#))
        .filter_map(|line| line.split('>').nth(1)?.split('<').next())
        .collect();
    assert_eq!(tick_labels, ["0", "2", "4", "6", "8"]);
    assert_eq!(svg.matches(&format!(r#"stroke="{GRID_COLOR}""#)).count(), 5);
    // 7 of 8: seven eighths of the 200 px plot.
    assert!(svg.contains(r##"height="175.0" fill="#1f4e9c""##), "{svg}");
}

#[test]
fn y_steps_are_one_two_five_times_a_power_of_ten() {
    let steps: Vec<usize> = [0, 1, 5, 6, 10, 11, 26, 250, 251].into_iter().map(y_step).collect();
    assert_eq!(steps, [1, 1, 1, 2, 2, 5, 10, 50, 100]);
}

#[test]
fn chart_escapes_label_text() {
    let mut labels = labels();
    labels.title = "Lượt <số> & \"giờ\"".into();
    labels.issued = "Cấp<".into();
    let svg = hour_chart_svg(&report(&ten_tickets(), &["HT"], &[1]), &labels);

    assert!(svg.contains("Lượt &lt;số&gt; &amp; &quot;giờ&quot;"));
    assert!(!svg.contains("<số>"));
    assert!(svg.contains("Cấp&lt;"));
    assert!(is_balanced(&svg), "{svg}");
}

#[test]
fn chart_of_an_empty_day_says_so() {
    let svg = hour_chart_svg(&report(&[], &["HT"], &[1]), &labels());

    assert!(is_balanced(&svg), "{svg}");
    assert_eq!(svg.matches("<rect").count(), 0);
    assert!(svg.contains(">No tickets yet today</text>"));
    assert!(svg.contains(r#"<desc id="hour-chart-desc">No tickets yet today</desc>"#));
    assert!(svg.contains(r#"role="img""#));
}

/// WCAG 2.1 contrast ratio against white.
fn contrast_on_white(color: &str) -> f64 {
    let channel = |idx: usize| {
        let value = f64::from(u8::from_str_radix(&color[idx..idx + 2], 16).unwrap_or(0)) / 255.0;
        if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    1.05 / (luminance + 0.05)
}

#[test]
fn chart_colours_are_readable_on_white() {
    assert!(contrast_on_white(TEXT_COLOR) >= 4.5);
    // Bars are also named in the legend text, so they need 3:1 (non-text contrast).
    assert!(contrast_on_white(ISSUED_COLOR) >= 3.0);
    assert!(contrast_on_white(SERVED_COLOR) >= 3.0);
}
