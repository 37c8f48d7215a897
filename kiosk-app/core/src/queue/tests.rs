//! Queue rules as event traces: priority, the starvation bound, transfer, no-show, day rollover, restart.

use super::*;

const DAY: Day = 20_415; // 2025-11-23
const MIN: Seconds = 60;

fn setup(policy: Policy) -> Setup {
    Setup { services: vec!["HT".into(), "CT".into()], pagers: vec![1, 2, 3], policy }
}

fn services(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The events as short lines, so a trace reads like the story it tells.
fn trace(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|event| match event {
            Event::TicketIssued { id, service, number, priority, pager, .. } => {
                format!("issued #{id} {service}-{number:03} {priority:?} pager {pager:?}")
            }
            Event::TicketCalled { id, counter, .. } => format!("called #{id} to counter {counter}"),
            Event::PagerCalled { id, pager } => format!("page pager {pager} for #{id}"),
            Event::ServingStarted { id, .. } => format!("serving #{id}"),
            Event::TicketDone { id, .. } => format!("done #{id}"),
            Event::TicketNoShow { id, .. } => format!("no-show #{id}"),
            Event::TicketTransferred { id, to, .. } => format!("transferred #{id} as #{to}"),
            Event::TicketRecalled { id, counter, .. } => format!("recalled #{id} to counter {counter}"),
            Event::TicketParked { id, .. } => format!("parked #{id}"),
            Event::TicketRated { id, rating } => format!("#{id} rated {rating}"),
            Event::PagerReturned { pager } => format!("pager {pager} returned"),
            Event::PagerMarkedMissing { pager } => format!("pager {pager} missing"),
            Event::DayClosed { day, unreturned_pagers } => {
                format!("day {day} closed, pagers out {unreturned_pagers:?}")
            }
        })
        .collect()
}

#[test]
fn numbers_per_service_and_pagers_from_the_pool() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    let mut log = Vec::new();
    log.extend(queue.issue("HT", Priority::None, DAY, 0).expect("issued"));
    log.extend(queue.issue("CT", Priority::None, DAY, 10).expect("issued"));
    log.extend(queue.issue("HT", Priority::Elderly, DAY, 20).expect("issued"));
    log.extend(queue.issue("HT", Priority::None, DAY, 30).expect("issued"));
    assert_eq!(
        trace(&log),
        [
            "issued #1 HT-001 None pager Some(1)",
            "issued #2 CT-001 None pager Some(2)",
            "issued #3 HT-002 Elderly pager Some(3)",
            "issued #4 HT-003 None pager None",
        ]
    );
    assert_eq!(queue.ticket(3).map(Ticket::label), Some("HT-002".into()));
    assert_eq!(queue.issue("XX", Priority::None, DAY, 40), Err(Error::UnknownService("XX".into())));
}

#[test]
fn strict_priority_goes_first_and_calling_pages_the_pager() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.issue("HT", Priority::Merit, DAY, 5 * MIN).expect("issued");
    let calls = queue.call_next(1, &services(&["HT"]), DAY, 6 * MIN).expect("called");
    assert_eq!(trace(&calls), ["called #2 to counter 1", "page pager 2 for #2"]);
    let calls = queue.call_next(2, &services(&["HT"]), DAY, 7 * MIN).expect("called");
    assert_eq!(trace(&calls), ["called #1 to counter 2", "page pager 1 for #1"]);
    assert_eq!(queue.call_next(1, &services(&["HT"]), DAY, 8 * MIN), Err(Error::NobodyWaiting));
}

#[test]
fn bounded_priority_lets_an_ordinary_ticket_through_after_the_bound() {
    let mut queue = Queue::new(setup(Policy::Bounded { max_wait: 10 * MIN }), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("ordinary #1");
    queue.issue("HT", Priority::Disability, DAY, 2 * MIN).expect("priority #2");
    queue.issue("HT", Priority::Pregnant, DAY, 12 * MIN).expect("priority #3");
    // Before the bound, priority first.
    let first = queue.call_next(1, &services(&["HT"]), DAY, 3 * MIN).expect("called");
    assert_eq!(trace(&first)[0], "called #2 to counter 1");
    // #1 has now waited 13 minutes: it goes before #3, issued after it.
    let second = queue.call_next(1, &services(&["HT"]), DAY, 13 * MIN).expect("called");
    assert_eq!(trace(&second)[0], "called #1 to counter 1");
}

#[test]
fn a_counter_calls_only_among_its_services_and_two_counters_never_get_the_same_ticket() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.issue("CT", Priority::None, DAY, 1).expect("issued");
    queue.issue("HT", Priority::None, DAY, 2).expect("issued");
    let a = queue.call_next(1, &services(&["CT"]), DAY, 10).expect("called");
    let b = queue.call_next(2, &services(&["HT", "CT"]), DAY, 10).expect("called");
    let c = queue.call_next(3, &services(&["HT", "CT"]), DAY, 10).expect("called");
    assert_eq!(
        trace(&[a[0].clone(), b[0].clone(), c[0].clone()]),
        ["called #2 to counter 1", "called #1 to counter 2", "called #3 to counter 3"]
    );
}

#[test]
fn serve_finish_no_show_and_recall_keep_the_pager_pool_right() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.issue("HT", Priority::None, DAY, 1).expect("issued");
    queue.call_next(1, &services(&["HT"]), DAY, 10).expect("called");
    assert_eq!(trace(&queue.recall(1, 15).expect("recall")), ["recalled #1 to counter 1", "page pager 1 for #1"]);
    assert_eq!(queue.ticket(1).map(|t| t.recalls), Some(1));
    queue.start_serving(1, 20).expect("serving");
    assert!(matches!(queue.recall(1, 25), Err(Error::WrongState { .. })));
    assert_eq!(trace(&queue.done(1, 300).expect("done")), ["done #1", "pager 1 returned"]);
    queue.call_next(1, &services(&["HT"]), DAY, 310).expect("called");
    // An absent resident still has the pager: it stays out until someone hands it back.
    assert_eq!(trace(&queue.no_show(2, 400).expect("no-show")), ["no-show #2"]);
    assert_eq!(queue.pagers_out(), vec![2]);
    assert_eq!(trace(&queue.return_pager(2).expect("handed back")), ["pager 2 returned"]);
    assert_eq!(queue.return_pager(2), Err(Error::PagerNotOut(2)));
    assert_eq!(queue.pagers_out(), Vec::<PagerId>::new());
    assert!(matches!(queue.done(2, 500), Err(Error::WrongState { .. })));
    assert_eq!(queue.done(99, 500), Err(Error::UnknownTicket(99)));
    // A returned pager goes to the next resident; a missing one never does.
    queue.mark_pager_missing(1);
    let issued = queue.issue("HT", Priority::None, DAY, 600).expect("issued");
    assert_eq!(trace(&issued), ["issued #3 HT-003 None pager Some(2)"]);
}

#[test]
fn transfer_keeps_the_pager_and_the_place_by_issue_time() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.issue("CT", Priority::None, DAY, 5).expect("issued");
    queue.call_next(1, &services(&["HT"]), DAY, 10).expect("called");
    let moved = queue.transfer(1, "CT", 20).expect("transferred");
    assert_eq!(trace(&moved), ["transferred #1 as #3", "issued #3 CT-002 None pager Some(1)"]);
    // Issued at 0, #3 is ahead of #2 (issued at 5) in the CT queue.
    let next = queue.call_next(2, &services(&["CT"]), DAY, 30).expect("called");
    assert_eq!(trace(&next), ["called #3 to counter 2", "page pager 1 for #3"]);
}

#[test]
fn a_new_day_closes_the_old_one_and_numbers_restart() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.issue("HT", Priority::None, DAY, 1).expect("issued");
    queue.call_next(1, &services(&["HT"]), DAY, 10).expect("called");
    let next_day = queue.issue("HT", Priority::None, DAY + 1, 86_400).expect("issued");
    assert_eq!(
        trace(&next_day),
        [
            "no-show #1",
            "no-show #2",
            &format!("day {DAY} closed, pagers out [1, 2]"),
            "issued #3 HT-001 None pager Some(3)",
        ]
    );
}

#[test]
fn replaying_the_log_after_a_restart_loses_nothing_and_repeats_no_number() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    let mut log = Vec::new();
    log.extend(queue.issue("HT", Priority::None, DAY, 0).expect("issued"));
    log.extend(queue.issue("HT", Priority::Elderly, DAY, 1).expect("issued"));
    log.extend(queue.call_next(1, &services(&["HT"]), DAY, 2).expect("called"));
    let mut restarted = Queue::replay(setup(Policy::Strict), DAY, &log);
    assert_eq!(restarted.ticket(2), queue.ticket(2));
    assert_eq!(restarted.ticket(1).map(|t| t.state), Some(State::Waiting));
    let issued = restarted.issue("HT", Priority::None, DAY, 3).expect("issued");
    assert_eq!(trace(&issued), ["issued #3 HT-003 None pager Some(3)"]);
}

#[test]
fn people_ahead_and_the_estimate_say_when_they_are_rough() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    for at in 0..6 {
        queue.issue("HT", Priority::None, DAY, at).expect("issued");
    }
    assert_eq!(queue.ahead(4, 10), Some((3, Estimate { seconds: 900, rough: true })));
    // Three finished tickets taking 4, 6 and 8 minutes: the median, 6 minutes, per person ahead.
    for (id, minutes) in [(1, 4), (2, 6), (3, 8)] {
        queue.call_next(1, &services(&["HT"]), DAY, 100).expect("called");
        queue.done(id, 100 + minutes * MIN).expect("done");
    }
    assert_eq!(queue.ahead(6, 2000), Some((2, Estimate { seconds: 2 * 6 * MIN, rough: false })));
}

#[test]
fn todays_figures_and_the_now_serving_list() {
    let mut q = Queue::new(setup(Policy::Strict), DAY);
    for at in [0, MIN, 2 * MIN] {
        q.issue("HT", Priority::None, DAY, at).expect("issued");
    }
    q.issue("CT", Priority::None, DAY, 3 * MIN).expect("issued");
    q.call_next(1, &services(&["HT"]), DAY, 10 * MIN).expect("called #1");
    q.done(1, 14 * MIN).expect("done");
    q.call_next(1, &services(&["HT"]), DAY, 15 * MIN).expect("called #2");
    q.no_show(2, 16 * MIN).expect("absent");
    q.call_next(2, &services(&["HT"]), DAY, 17 * MIN).expect("called #3");
    q.call_next(1, &services(&["CT"]), DAY, 18 * MIN).expect("called #4");

    let now_serving: Vec<String> = q.now_serving().iter().map(|t| t.label()).collect();
    assert_eq!(now_serving, ["CT-001", "HT-003"], "most recent call first; finished tickets leave the list");

    let figures = q.figures(20 * MIN);
    let ht = &figures[0];
    assert_eq!((ht.service.as_str(), ht.issued, ht.waiting, ht.called, ht.done, ht.no_show), ("HT", 3, 0, 1, 1, 1));
    assert_eq!(ht.median_wait, Some(14 * MIN), "waits 10, 14, 15 minutes");
    assert_eq!(ht.longest_wait, Some(15 * MIN));
    assert_eq!(ht.median_service, Some(4 * MIN));
    q.issue("HT", Priority::None, DAY, 19 * MIN).expect("issued");
    assert_eq!(q.figures(40 * MIN)[0].longest_wait, Some(21 * MIN), "a ticket still waiting counts");
    assert_eq!(q.figures(40 * MIN)[1].median_service, None, "no CT ticket finished yet");

    assert_eq!(q.last_close(), None);
    q.issue("HT", Priority::None, DAY + 1, 0).expect("next day");
    // Pager 2 left with its absent resident and was never handed back.
    assert_eq!(q.last_close(), Some((DAY, &[1, 2, 3][..])), "pagers still out at the day's end are reported");
}

#[test]
fn park_resume_and_rate() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.issue("HT", Priority::None, DAY, 5).expect("issued");
    queue.call_next(2, &services(&["HT"]), DAY, 100).expect("called");
    assert_eq!(trace(&queue.park(1, 150).expect("parked")), ["parked #1"]);
    assert_eq!(queue.ticket(1).map(|t| t.state), Some(State::Parked { counter: 2 }));
    assert_eq!(queue.parked(2).len(), 1);
    assert!(queue.parked(1).is_empty());
    // A parked ticket is not called by "call next" and cannot be finished or marked absent until resumed.
    let next = queue.call_next(2, &services(&["HT"]), DAY, 160).expect("called");
    assert_eq!(trace(&next)[0], "called #2 to counter 2");
    assert!(matches!(queue.no_show(1, 170), Err(Error::WrongState { .. })));
    assert_eq!(trace(&queue.resume(1, 400).expect("resumed")), ["called #1 to counter 2", "page pager 1 for #1"]);
    // Its wait ended at the first call.
    assert_eq!(queue.ticket(1).and_then(|t| t.called_at), Some(100));
    assert!(matches!(queue.resume(1, 410), Err(Error::WrongState { .. })));
    assert!(matches!(queue.rate(1, 4), Err(Error::WrongState { .. })));
    queue.done(1, 500).expect("done");
    assert_eq!(queue.rate(1, 5), Err(Error::BadRating(5)));
    assert_eq!(queue.rate(1, 0), Err(Error::BadRating(0)));
    assert_eq!(trace(&queue.rate(1, 4).expect("rated")), ["#1 rated 4"]);
    assert_eq!(queue.rate(1, 3), Err(Error::AlreadyRated(1)));
    assert_eq!(queue.ticket(1).map(|t| (t.rating, t.counter)), Some((Some(4), Some(2))));
}

#[test]
fn a_parked_ticket_closes_with_the_day() {
    let mut queue = Queue::new(setup(Policy::Strict), DAY);
    queue.issue("HT", Priority::None, DAY, 0).expect("issued");
    queue.call_next(1, &services(&["HT"]), DAY, 10).expect("called");
    queue.park(1, 20).expect("parked");
    let next_day = queue.issue("HT", Priority::None, DAY + 1, 86_400).expect("issued");
    assert_eq!(trace(&next_day)[0], "no-show #1");
}
