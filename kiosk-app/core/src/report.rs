//! A day's report for the service point, built from the queue's tickets: figures per service, per counter and per
//! hour, exported as one CSV table for a spreadsheet and drawn as an SVG bar chart for the staff page.
//!
//! Must not do: I/O, read a clock or a time zone (the caller passes `local_hour`), translate (the caller passes
//! already-translated headers and labels), or change a ticket. Everything here is a function of its arguments.

use crate::queue::{self, Day, Seconds, State, Ticket};

/// A day's figures: the whole day, each service, each counter, and each hour from the first to the last busy one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayReport {
    pub day: Day,
    /// All of the day's tickets, whatever their service (`key` is empty).
    pub total: Row,
    /// One row per service, in the order given to [`day_report`] (`key` is the service code).
    pub services: Vec<Row>,
    /// One row per counter, in the order given to [`day_report`] (`key` is the counter number as text).
    ///
    /// A counter issues no ticket, so a counter row's `issued` counts the tickets that counter called (the
    /// tickets whose `counter` is this one, the last counter to call them); the other figures are over the same
    /// tickets.
    pub counters: Vec<Row>,
    /// From the first to the last hour with any activity, with no gap: a quiet hour inside is a row of zeros.
    pub hours: Vec<Hour>,
}

/// The figures over one set of tickets (the day, one service or one counter).
///
/// Durations are in seconds. Percentiles use the nearest-rank method: the p-th percentile of n sorted values is
/// the value at rank ceil(p/100 × n), counting from 1, so it is always one of the values; the median is the 50th
/// percentile. They are `None` when there are no values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The service code, the counter number as text, or empty for the day's total.
    pub key: String,
    /// Tickets issued (for a counter row: tickets that counter called).
    pub issued: usize,
    /// Tickets served to the end (`Done`).
    pub served: usize,
    pub no_show: usize,
    /// Tickets moved to another service (the new ticket is counted as a ticket of that service).
    pub transferred: usize,
    /// Tickets still waiting to be called when the report was built.
    pub waiting_now: usize,
    /// Waiting time (first call minus issue) of every ticket that was called, whatever happened next.
    pub wait_median: Option<Seconds>,
    pub wait_p90: Option<Seconds>,
    /// Serving time (finish minus first call) of the tickets served to the end.
    pub serve_median: Option<Seconds>,
    pub serve_p90: Option<Seconds>,
    /// How many residents gave 1, 2, 3 and 4 (index 0 counts the 1s).
    pub ratings: [usize; 4],
}

impl Row {
    /// The mean rating on the 1 to 4 scale, or `None` when nobody rated.
    pub fn rating_average(&self) -> Option<f64> {
        let n_ratings: usize = self.ratings.iter().sum();
        if n_ratings == 0 {
            return None;
        }
        let sum: usize = self.ratings.iter().zip(1..).map(|(count, value)| count * value).sum();
        Some(sum as f64 / n_ratings as f64)
    }
}

/// One local hour of the day: what happened in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hour {
    /// The local hour, 0 to 23.
    pub hour: u8,
    /// Tickets issued in this hour.
    pub issued: usize,
    /// Tickets called for the first time in this hour.
    pub called: usize,
    /// Tickets finished (`Done`) in this hour.
    pub served: usize,
    /// Tickets closed as no-shows in this hour.
    pub no_show: usize,
    /// Median wait (nearest rank) of the tickets first called in this hour.
    pub wait_median: Option<Seconds>,
}

/// Builds the report of `day` from `tickets` (tickets of other days are ignored).
///
/// `local_hour` turns an instant into the hour of the day on the kiosk's wall clock (0 to 23); the core knows no
/// time zone.
pub fn day_report(
    day: Day,
    tickets: &[&Ticket],
    services: &[String],
    counters: &[u16],
    local_hour: impl Fn(Seconds) -> u8,
) -> DayReport {
    let of_day: Vec<&Ticket> = tickets.iter().copied().filter(|ticket| ticket.day == day).collect();
    let select = |wanted: &dyn Fn(&Ticket) -> bool| -> Vec<&Ticket> {
        of_day.iter().copied().filter(|ticket| wanted(ticket)).collect()
    };
    DayReport {
        day,
        total: row(String::new(), &of_day),
        services: services
            .iter()
            .map(|service| row(service.clone(), &select(&|ticket| &ticket.service == service)))
            .collect(),
        counters: counters
            .iter()
            .map(|&counter| row(counter.to_string(), &select(&|ticket| ticket.counter == Some(counter))))
            .collect(),
        hours: hours(&of_day, &local_hour),
    }
}

/// The names of the CSV columns and of the scopes, already translated by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeaders {
    pub scope: String,
    pub key: String,
    pub issued: String,
    pub served: String,
    pub no_show: String,
    pub transferred: String,
    pub waiting_now: String,
    pub wait_median_s: String,
    pub wait_p90_s: String,
    pub serve_median_s: String,
    pub serve_p90_s: String,
    /// The headers of the counts of 1, 2, 3 and 4.
    pub ratings: [String; 4],
    /// The values of the scope column.
    pub scope_total: String,
    pub scope_service: String,
    pub scope_counter: String,
    pub scope_hour: String,
}

impl CsvHeaders {
    /// Plain English names (`issued`, `wait_median_s`, `rating_1`, ...; scopes `total`, `service`, ...).
    pub fn english() -> CsvHeaders {
        CsvHeaders {
            scope: "scope".into(),
            key: "key".into(),
            issued: "issued".into(),
            served: "served".into(),
            no_show: "no_show".into(),
            transferred: "transferred".into(),
            waiting_now: "waiting_now".into(),
            wait_median_s: "wait_median_s".into(),
            wait_p90_s: "wait_p90_s".into(),
            serve_median_s: "serve_median_s".into(),
            serve_p90_s: "serve_p90_s".into(),
            ratings: ["rating_1".into(), "rating_2".into(), "rating_3".into(), "rating_4".into()],
            scope_total: "total".into(),
            scope_service: "service".into(),
            scope_counter: "counter".into(),
            scope_hour: "hour".into(),
        }
    }
}

/// The report as one CSV table (RFC 4180: CRLF line ends, quoted fields where needed), so a spreadsheet can
/// filter and sort it: the first column says which table a row belongs to (total, service, counter, hour), the
/// second is its key (service code, counter number, hour), then the figures. Durations are whole seconds; a
/// figure that does not exist is an empty cell. Hour rows fill issued, served, no-show and the median wait.
///
/// The text starts with a UTF-8 byte order mark: without it Excel reads a CSV file in the Windows ANSI code page
/// and shows Vietnamese headers and service names as mojibake.
pub fn csv(report: &DayReport, headers: &CsvHeaders) -> String {
    let mut text = String::from(BYTE_ORDER_MARK);
    push_record(&mut text, &header_record(headers));
    push_record(&mut text, &row_record(&headers.scope_total, &report.total));
    for service in &report.services {
        push_record(&mut text, &row_record(&headers.scope_service, service));
    }
    for counter in &report.counters {
        push_record(&mut text, &row_record(&headers.scope_counter, counter));
    }
    for hour in &report.hours {
        push_record(&mut text, &hour_record(&headers.scope_hour, hour));
    }
    text
}

/// The texts of the hour chart, already translated by the caller.
///
/// The screen-reader description is put together from these labels ("Issued 42, Served 40. 8h: Issued 5, ...")
/// rather than from a template: label then number reads correctly in Vietnamese and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartLabels {
    /// The chart's title, shown above it and given to screen readers.
    pub title: String,
    /// The legend of the issued bars.
    pub issued: String,
    /// The legend of the served bars.
    pub served: String,
    /// Put after an hour number on the x axis: "h" gives "8h".
    pub hour_suffix: String,
    /// Shown instead of bars when the day has no activity.
    pub empty: String,
}

/// The hour report as a bar chart in SVG, drawn on the server (no script): per hour, a bar of tickets issued and
/// one of tickets served, an integer y axis with gridlines, hour labels and a legend.
///
/// It is an image for assistive technology (`role="img"`), named by its `<title>` and described by a `<desc>`
/// that says the numbers in words. The ids of both are fixed, so a page shows one such chart. Text colours have a
/// contrast of at least 4.5:1 on white and bar colours at least 3:1 (WCAG 2.1, 1.4.3 and 1.4.11).
pub fn hour_chart_svg(report: &DayReport, labels: &ChartLabels) -> String {
    let mut elements = vec![
        svg_open_tag(),
        format!(r#"<title id="{TITLE_ID}">{}</title>"#, escape(&labels.title)),
        format!(r#"<desc id="{DESC_ID}">{}</desc>"#, escape(&description(report, labels))),
        format!(
            r#"<text x="{PLOT_LEFT}" y="24" font-size="16" font-weight="bold" fill="{TEXT_COLOR}">{}</text>"#,
            escape(&labels.title)
        ),
    ];
    if report.hours.is_empty() {
        elements.push(format!(
            r#"<text x="{}" y="{}" font-size="16" text-anchor="middle" fill="{TEXT_COLOR}">{}</text>"#,
            WIDTH / 2,
            (PLOT_TOP + PLOT_BOTTOM) / 2,
            escape(&labels.empty)
        ));
    } else {
        elements.extend(chart_elements(&report.hours, labels));
    }
    elements.push("</svg>".into());
    elements.join("\n")
}

/// The value at `percent` (0 to 100) of sorted `values`, by nearest rank: rank ceil(percent/100 × n), from 1.
fn nearest_rank(sorted: &[Seconds], percent: usize) -> Option<Seconds> {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn row(key: String, tickets: &[&Ticket]) -> Row {
    let count = |wanted: fn(&State) -> bool| tickets.iter().filter(|ticket| wanted(&ticket.state)).count();
    let waits = sorted(tickets.iter().filter_map(|ticket| wait(ticket)));
    let serves = sorted(tickets.iter().filter_map(|ticket| serve(ticket)));
    Row {
        key,
        issued: tickets.len(),
        served: count(|state| *state == State::Done),
        no_show: count(|state| *state == State::NoShow),
        transferred: count(|state| *state == State::Transferred),
        waiting_now: count(|state| *state == State::Waiting),
        wait_median: nearest_rank(&waits, 50),
        wait_p90: nearest_rank(&waits, 90),
        serve_median: nearest_rank(&serves, 50),
        serve_p90: nearest_rank(&serves, 90),
        ratings: ratings(tickets),
    }
}

/// From issue to first call, for a ticket that was called. A clock stepped back (a time sync) gives zero, not a
/// negative wait.
fn wait(ticket: &Ticket) -> Option<Seconds> {
    Some((ticket.called_at? - ticket.issued_at).max(0))
}

/// From first call to finish, for a ticket served to the end.
fn serve(ticket: &Ticket) -> Option<Seconds> {
    if ticket.state != State::Done {
        return None;
    }
    Some((ticket.finished_at? - ticket.called_at?).max(0))
}

fn sorted(values: impl Iterator<Item = Seconds>) -> Vec<Seconds> {
    let mut values: Vec<Seconds> = values.collect();
    values.sort_unstable();
    values
}

fn ratings(tickets: &[&Ticket]) -> [usize; 4] {
    let mut counts = [0; 4];
    let valid = tickets.iter().filter_map(|ticket| ticket.rating).filter(|rating| queue::RATINGS.contains(rating));
    for rating in valid {
        counts[usize::from(rating - 1)] += 1;
    }
    counts
}

fn hours(tickets: &[&Ticket], local_hour: &dyn Fn(Seconds) -> u8) -> Vec<Hour> {
    let busy_hours = tickets.iter().flat_map(|ticket| activity_times(ticket)).map(local_hour);
    let (first, last) = busy_hours.fold((u8::MAX, u8::MIN), |(first, last), hour| (first.min(hour), last.max(hour)));
    if first > last {
        return Vec::new();
    }
    (first..=last).map(|hour| hour_row(hour, tickets, local_hour)).collect()
}

/// The instants at which a ticket shows in the hour table: issued, first called, served or no-show.
fn activity_times(ticket: &Ticket) -> impl Iterator<Item = Seconds> {
    let closed_at = ticket.finished_at.filter(|_| matches!(ticket.state, State::Done | State::NoShow));
    [Some(ticket.issued_at), ticket.called_at, closed_at].into_iter().flatten()
}

fn hour_row(hour: u8, tickets: &[&Ticket], local_hour: &dyn Fn(Seconds) -> u8) -> Hour {
    let in_hour = |at: Option<Seconds>| at.is_some_and(|at| local_hour(at) == hour);
    let closed_in_hour =
        |state: State| tickets.iter().filter(|ticket| ticket.state == state && in_hour(ticket.finished_at)).count();
    let called: Vec<&&Ticket> = tickets.iter().filter(|ticket| in_hour(ticket.called_at)).collect();
    Hour {
        hour,
        issued: tickets.iter().filter(|ticket| in_hour(Some(ticket.issued_at))).count(),
        called: called.len(),
        served: closed_in_hour(State::Done),
        no_show: closed_in_hour(State::NoShow),
        wait_median: nearest_rank(&sorted(called.iter().filter_map(|ticket| wait(ticket))), 50),
    }
}

/// Makes Excel read the file as UTF-8 (see [`csv`]).
const BYTE_ORDER_MARK: char = '\u{feff}';

fn header_record(headers: &CsvHeaders) -> Vec<String> {
    let named = [
        &headers.scope,
        &headers.key,
        &headers.issued,
        &headers.served,
        &headers.no_show,
        &headers.transferred,
        &headers.waiting_now,
        &headers.wait_median_s,
        &headers.wait_p90_s,
        &headers.serve_median_s,
        &headers.serve_p90_s,
    ];
    named.into_iter().chain(&headers.ratings).cloned().collect()
}

fn row_record(scope: &str, row: &Row) -> Vec<String> {
    let counts = [row.issued, row.served, row.no_show, row.transferred, row.waiting_now];
    let durations = [row.wait_median, row.wait_p90, row.serve_median, row.serve_p90];
    [scope.to_string(), row.key.clone()]
        .into_iter()
        .chain(counts.iter().map(usize::to_string))
        .chain(durations.iter().map(|duration| optional_cell(*duration)))
        .chain(row.ratings.iter().map(usize::to_string))
        .collect()
}

/// Hour rows leave empty what an hour does not have (transferred, waiting now, percentiles, ratings).
fn hour_record(scope: &str, hour: &Hour) -> Vec<String> {
    let mut record = vec![
        scope.to_string(),
        hour.hour.to_string(),
        hour.issued.to_string(),
        hour.served.to_string(),
        hour.no_show.to_string(),
        String::new(),
        String::new(),
        optional_cell(hour.wait_median),
    ];
    record.resize(N_CSV_COLUMNS, String::new());
    record
}

/// scope, key, 5 counts, 4 durations, 4 rating counts.
const N_CSV_COLUMNS: usize = 15;

fn optional_cell(value: Option<Seconds>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

fn push_record(text: &mut String, fields: &[String]) {
    let quoted: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
    text.push_str(&quoted.join(","));
    text.push_str("\r\n");
}

/// RFC 4180, 2.6 and 2.7: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

const WIDTH: u32 = 640;
const HEIGHT: u32 = 320;
const PLOT_LEFT: u32 = 48;
const PLOT_RIGHT: u32 = 624;
const PLOT_TOP: u32 = 48;
const PLOT_BOTTOM: u32 = 248;
const TITLE_ID: &str = "hour-chart-title";
const DESC_ID: &str = "hour-chart-desc";
/// 12.6:1 on white.
const TEXT_COLOR: &str = "#333333";
/// 8.0:1 on white.
const ISSUED_COLOR: &str = "#1f4e9c";
/// 5.0:1 on white.
const SERVED_COLOR: &str = "#b3541e";
/// Gridlines only guide the eye, so they are light on purpose (the tick labels carry the values).
const GRID_COLOR: &str = "#d9d9d9";
/// At most this many steps up the y axis, so tick labels stay readable.
const MAX_Y_STEPS: usize = 5;

fn svg_open_tag() -> String {
    let attributes = [
        r#"xmlns="http://www.w3.org/2000/svg""#.to_string(),
        format!(r#"width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}""#),
        format!(r#"role="img" aria-labelledby="{TITLE_ID} {DESC_ID}""#),
        r##"font-family="sans-serif" style="background:#ffffff""##.to_string(),
    ];
    format!("<svg {}>", attributes.join(" "))
}

fn chart_elements(hours: &[Hour], labels: &ChartLabels) -> Vec<String> {
    let highest = hours.iter().map(|hour| hour.issued.max(hour.served)).max().unwrap_or(0);
    let step = y_step(highest);
    let top = step * highest.div_ceil(step).max(1);
    let mut elements = y_axis(step, top);
    let slot_width = f64::from(PLOT_RIGHT - PLOT_LEFT) / hours.len() as f64;
    for (idx, hour) in hours.iter().enumerate() {
        elements.extend(hour_bars(hour, f64::from(PLOT_LEFT) + slot_width * idx as f64, slot_width, top, labels));
    }
    elements.push(format!(
        r#"<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="{TEXT_COLOR}"/>"#
    ));
    elements.extend(legend(labels));
    elements
}

/// The smallest of 1, 2, 5, 10, 20, 50, ... that reaches `highest` in at most [`MAX_Y_STEPS`] steps.
fn y_step(highest: usize) -> usize {
    let mut magnitude: usize = 1;
    loop {
        for multiple in [1, 2, 5] {
            let step = multiple * magnitude;
            if highest.div_ceil(step) <= MAX_Y_STEPS {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

fn y_axis(step: usize, top: usize) -> Vec<String> {
    (0..=top)
        .step_by(step)
        .flat_map(|value| {
            let y = bar_top(value, top);
            [
                format!(r#"<line x1="{PLOT_LEFT}" y1="{y:.1}" x2="{PLOT_RIGHT}" y2="{y:.1}" stroke="{GRID_COLOR}"/>"#),
                format!(
                    r#"<text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="{TEXT_COLOR}">{value}</text>"#,
                    PLOT_LEFT - 6,
                    y + 4.0
                ),
            ]
        })
        .collect()
}

/// The y coordinate of the top of a bar of `value` on an axis going up to `top`.
fn bar_top(value: usize, top: usize) -> f64 {
    let plot_height = f64::from(PLOT_BOTTOM - PLOT_TOP);
    f64::from(PLOT_BOTTOM) - plot_height * value as f64 / top as f64
}

/// The two bars of an hour side by side in the middle of its slot, and the hour label under them.
fn hour_bars(hour: &Hour, slot_left: f64, slot_width: f64, top: usize, labels: &ChartLabels) -> [String; 3] {
    let bar_width = slot_width * 0.35;
    let issued_left = slot_left + slot_width * 0.15;
    let hour_label = format!("{}{}", hour.hour, labels.hour_suffix);
    [
        bar(issued_left, bar_width, hour.issued, top, ISSUED_COLOR, &format!("{hour_label}: {}", labels.issued)),
        bar(
            issued_left + bar_width,
            bar_width,
            hour.served,
            top,
            SERVED_COLOR,
            &format!("{hour_label}: {}", labels.served),
        ),
        format!(
            r#"<text x="{:.1}" y="{}" font-size="12" text-anchor="middle" fill="{TEXT_COLOR}">{}</text>"#,
            slot_left + slot_width / 2.0,
            PLOT_BOTTOM + 18,
            escape(&hour_label)
        ),
    ]
}

/// A bar with a tooltip ("9h: Issued 12").
fn bar(left: f64, width: f64, value: usize, top: usize, color: &str, name: &str) -> String {
    let y = bar_top(value, top);
    let height = f64::from(PLOT_BOTTOM) - y;
    let tooltip = format!("<title>{} {value}</title>", escape(name));
    format!(r#"<rect x="{left:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" fill="{color}">{tooltip}</rect>"#)
}

fn legend(labels: &ChartLabels) -> Vec<String> {
    // Text width is not known without the font; 7 px a character at 12 px leaves room for most labels.
    let served_left = PLOT_LEFT + 18 + 7 * labels.issued.chars().count() as u32 + 24;
    [(PLOT_LEFT, ISSUED_COLOR, &labels.issued), (served_left, SERVED_COLOR, &labels.served)]
        .into_iter()
        .flat_map(|(left, color, label)| {
            [
                format!(r#"<rect x="{left}" y="284" width="12" height="12" fill="{color}"/>"#),
                format!(
                    r#"<text x="{}" y="295" font-size="12" fill="{TEXT_COLOR}">{}</text>"#,
                    left + 18,
                    escape(label)
                ),
            ]
        })
        .collect()
}

/// The numbers in words for screen readers: the day's totals, then each hour.
fn description(report: &DayReport, labels: &ChartLabels) -> String {
    if report.hours.is_empty() {
        return labels.empty.clone();
    }
    let totals = format!("{} {}, {} {}.", labels.issued, report.total.issued, labels.served, report.total.served);
    let hours: Vec<String> = report
        .hours
        .iter()
        .map(|hour| {
            format!(
                "{}{}: {} {}, {} {}",
                hour.hour, labels.hour_suffix, labels.issued, hour.issued, labels.served, hour.served
            )
        })
        .collect();
    format!("{totals} {}.", hours.join("; "))
}

/// XML character data and attribute values: the five predefined entities.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests;
