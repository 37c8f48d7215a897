//! The queue at a service point, as pure rules: commands in (issue a ticket, call the next one for a counter,
//! recall, serve, finish, no-show, transfer, park and resume, rate, a pager handed back), events out. State is rebuilt by replaying events, so the shell
//! can persist the event log and a restart in the middle of the day loses no ticket and repeats no number.
//!
//! Time is passed in (seconds since the Unix epoch, local day number alongside); nothing here reads a clock.
//! Must not do: I/O, or page a pager itself (it emits `PagerCalled`; the shell drives the transmitter).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use crate::time::Seconds;
/// A local calendar day (days since the Unix epoch in the kiosk's time zone); numbers restart each day.
pub type Day = i32;
pub type TicketId = u64;
pub type PagerId = u16;

/// Why a resident may be served ahead of others (shown on the ticket; verified by staff at the counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    None,
    Elderly,
    Merit,
    Disability,
    Pregnant,
    /// A resident who booked a time for today (seen on arrival at the kiosk).
    Booked,
}

impl Priority {
    pub fn is_priority(self) -> bool {
        self != Priority::None
    }
}

/// How priority tickets go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// A waiting priority ticket is always called first.
    Strict,
    /// Priority first, except that an ordinary ticket that has waited `max_wait` seconds or more is called
    /// before any priority ticket issued after it: nobody waits forever behind a stream of priority tickets.
    Bounded { max_wait: Seconds },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Waiting,
    Called {
        counter: u16,
    },
    Serving {
        counter: u16,
    },
    Done,
    NoShow,
    /// Moved to another service's queue (the new ticket carries on; this one is closed).
    Transferred,
    /// Set aside by the counter that called it (the resident went to fetch a paper); that counter resumes it.
    Parked {
        counter: u16,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub day: Day,
    pub service: String,
    pub number: u32,
    pub priority: Priority,
    pub issued_at: Seconds,
    pub pager: Option<PagerId>,
    pub state: State,
    pub called_at: Option<Seconds>,
    pub serving_since: Option<Seconds>,
    pub finished_at: Option<Seconds>,
    /// The counter that called it last (kept after it is finished, for the day report).
    pub counter: Option<u16>,
    /// How many times it was called again.
    pub recalls: u32,
    /// The resident's satisfaction, 1 (unhappy) to 4 (very happy), given at the counter after being served.
    pub rating: Option<u8>,
}

/// The satisfaction scale: four faces, 1 (unhappy) to 4 (very happy).
pub const RATINGS: std::ops::RangeInclusive<u8> = 1..=4;

impl Ticket {
    /// What is printed and called out: service prefix and number, `HT-007`.
    pub fn label(&self) -> String {
        format!("{}-{:03}", self.service, self.number)
    }
}

/// Facts, in the past tense, in the order they happened. The event log is the queue's durable form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    TicketIssued {
        id: TicketId,
        day: Day,
        service: String,
        number: u32,
        priority: Priority,
        at: Seconds,
        pager: Option<PagerId>,
    },
    TicketCalled {
        id: TicketId,
        counter: u16,
        at: Seconds,
    },
    /// Called again by the same counter (the board announces it again).
    TicketRecalled {
        id: TicketId,
        counter: u16,
        at: Seconds,
    },
    /// The ticket's pager should vibrate (on call and on recall).
    PagerCalled {
        id: TicketId,
        pager: PagerId,
    },
    ServingStarted {
        id: TicketId,
        counter: u16,
        at: Seconds,
    },
    TicketDone {
        id: TicketId,
        at: Seconds,
    },
    TicketNoShow {
        id: TicketId,
        at: Seconds,
    },
    TicketTransferred {
        id: TicketId,
        to: TicketId,
        at: Seconds,
    },
    TicketParked {
        id: TicketId,
        at: Seconds,
    },
    /// The resident rated the service (1 to 4); stored with the ticket, which carries no name.
    TicketRated {
        id: TicketId,
        rating: u8,
    },
    PagerReturned {
        pager: PagerId,
    },
    PagerMarkedMissing {
        pager: PagerId,
    },
    /// A new day began: waiting and called tickets of the old day were closed as no-shows.
    DayClosed {
        day: Day,
        unreturned_pagers: Vec<PagerId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no service with code {0}")]
    UnknownService(String),
    #[error("no ticket {0}")]
    UnknownTicket(TicketId),
    #[error("ticket {id} cannot {action} while {state:?}")]
    WrongState { id: TicketId, action: &'static str, state: State },
    #[error("no ticket is waiting for these services")]
    NobodyWaiting,
    #[error("a rating is 1 to 4, not {0}")]
    BadRating(u8),
    #[error("ticket {0} is already rated")]
    AlreadyRated(TicketId),
    #[error("no pager {0} is out")]
    PagerNotOut(PagerId),
}

/// The queue's configuration: services and their codes, the pager pool, the priority policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub services: Vec<String>,
    pub pagers: Vec<PagerId>,
    pub policy: Policy,
}

/// The whole queue, rebuilt from events.
#[derive(Debug, Clone)]
pub struct Queue {
    setup: Setup,
    day: Day,
    tickets: BTreeMap<TicketId, Ticket>,
    next_number: BTreeMap<(Day, String), u32>,
    pagers_out: BTreeMap<PagerId, TicketId>,
    missing: BTreeSet<PagerId>,
    next_id: TicketId,
    /// The last day closed and the pagers not handed back by then.
    last_close: Option<(Day, Vec<PagerId>)>,
}

impl Queue {
    pub fn new(setup: Setup, day: Day) -> Queue {
        Queue {
            setup,
            day,
            tickets: BTreeMap::new(),
            next_number: BTreeMap::new(),
            pagers_out: BTreeMap::new(),
            missing: BTreeSet::new(),
            next_id: 1,
            last_close: None,
        }
    }

    /// Rebuilds a queue from its event log.
    pub fn replay(setup: Setup, day: Day, events: &[Event]) -> Queue {
        let mut queue = Queue::new(setup, day);
        for event in events {
            queue.apply(event);
        }
        queue
    }

    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets.get(&id)
    }

    /// Tickets waiting for `service`, in the order they will be called.
    pub fn waiting(&self, services: &[String], now: Seconds) -> Vec<&Ticket> {
        let mut waiting: Vec<&Ticket> = self
            .tickets
            .values()
            .filter(|t| t.state == State::Waiting && t.day == self.day && services.contains(&t.service))
            .collect();
        waiting.sort_by_key(|t| self.rank(t, now));
        waiting
    }

    /// Sort key: lower is called sooner.
    fn rank(&self, ticket: &Ticket, now: Seconds) -> (u8, Seconds, TicketId) {
        let overdue = match self.setup.policy {
            Policy::Bounded { max_wait } => !ticket.priority.is_priority() && now - ticket.issued_at >= max_wait,
            Policy::Strict => false,
        };
        // Overdue ordinary tickets and priority tickets share the front class, in issue order; the rest follow.
        let class = if overdue || ticket.priority.is_priority() { 0 } else { 1 };
        (class, ticket.issued_at, ticket.id)
    }

    /// How many are ahead of ticket `id` for its service, and an estimate in seconds with whether it is rough.
    pub fn ahead(&self, id: TicketId, now: Seconds) -> Option<(usize, Estimate)> {
        let ticket = self.tickets.get(&id)?;
        let waiting = self.waiting(std::slice::from_ref(&ticket.service), now);
        let ahead = waiting.iter().position(|t| t.id == id)?;
        Some((ahead, self.estimate(&ticket.service, ahead)))
    }

    /// Wait estimate: people ahead times the median of the last 10 service times of that service (counter call to
    /// done). With fewer than 3 finished tickets today the estimate uses 5 minutes each and is marked rough.
    pub fn estimate(&self, service: &str, ahead: usize) -> Estimate {
        let mut durations: Vec<Seconds> = self
            .tickets
            .values()
            .filter(|t| t.service == service && t.state == State::Done && t.day == self.day)
            .filter_map(|t| Some(t.finished_at? - t.called_at?))
            .collect();
        durations.sort_unstable();
        let recent: Vec<Seconds> = durations.iter().rev().take(10).copied().collect();
        if recent.len() < 3 {
            return Estimate { seconds: ahead as Seconds * 300, rough: true };
        }
        let mut sorted = recent;
        sorted.sort_unstable();
        Estimate { seconds: ahead as Seconds * sorted[sorted.len() / 2], rough: false }
    }

    /// Pagers not yet handed back (their tickets are not finished, or were finished without a return).
    pub fn pagers_out(&self) -> Vec<PagerId> {
        self.pagers_out.keys().copied().collect()
    }

    /// Pagers staff marked missing (never handed out again until the pool is reconfigured).
    pub fn pagers_missing(&self) -> Vec<PagerId> {
        self.missing.iter().copied().collect()
    }

    /// The last day closed and the pagers that were not handed back by its end (to look for, or mark missing).
    pub fn last_close(&self) -> Option<(Day, &[PagerId])> {
        self.last_close.as_ref().map(|(day, pagers)| (*day, pagers.as_slice()))
    }

    /// The ticket a pager is out with, if any.
    pub fn pager_holder(&self, pager: PagerId) -> Option<TicketId> {
        self.pagers_out.get(&pager).copied()
    }

    /// The pager pool as configured.
    pub fn pagers(&self) -> &[PagerId] {
        &self.setup.pagers
    }

    /// The current day (the latest day any event belongs to).
    pub fn day(&self) -> Day {
        self.day
    }

    /// Today's tickets, in issue order.
    pub fn today(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values().filter(move |t| t.day == self.day)
    }

    /// Every ticket the log holds, of every day, in issue order (the day report picks a day).
    pub fn all_tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// Tickets called or being served, the most recently called first: what the "now serving" display shows.
    pub fn now_serving(&self) -> Vec<&Ticket> {
        let mut called: Vec<&Ticket> =
            self.today().filter(|t| matches!(t.state, State::Called { .. } | State::Serving { .. })).collect();
        called.sort_by_key(|t| std::cmp::Reverse((t.called_at, t.id)));
        called
    }

    /// Today's figures per service, in the configured order.
    pub fn figures(&self, now: Seconds) -> Vec<Figures> {
        self.setup
            .services
            .iter()
            .map(|service| {
                let tickets: Vec<&Ticket> = self.today().filter(|t| &t.service == service).collect();
                let count = |wanted: fn(&State) -> bool| tickets.iter().filter(|t| wanted(&t.state)).count();
                let mut waits: Vec<Seconds> = tickets.iter().filter_map(|t| Some(t.called_at? - t.issued_at)).collect();
                let mut services: Vec<Seconds> = tickets
                    .iter()
                    .filter(|t| t.state == State::Done)
                    .filter_map(|t| Some(t.finished_at? - t.called_at?))
                    .collect();
                let longest_waiting =
                    tickets.iter().filter(|t| t.state == State::Waiting).map(|t| now - t.issued_at).max();
                Figures {
                    service: service.clone(),
                    issued: tickets.len(),
                    waiting: count(|s| *s == State::Waiting),
                    called: count(|s| matches!(s, State::Called { .. } | State::Serving { .. })),
                    done: count(|s| *s == State::Done),
                    no_show: count(|s| *s == State::NoShow),
                    transferred: count(|s| *s == State::Transferred),
                    median_wait: median(&mut waits),
                    longest_wait: waits.iter().copied().chain(longest_waiting).max(),
                    median_service: median(&mut services),
                }
            })
            .collect()
    }

    fn free_pager(&self) -> Option<PagerId> {
        self.setup.pagers.iter().copied().find(|p| !self.pagers_out.contains_key(p) && !self.missing.contains(p))
    }

    // ---- commands: check, then return the events; `apply` each event to change state ----

    pub fn issue(&mut self, service: &str, priority: Priority, day: Day, at: Seconds) -> Result<Vec<Event>, Error> {
        if !self.setup.services.iter().any(|s| s == service) {
            return Err(Error::UnknownService(service.to_owned()));
        }
        let mut events = self.roll_over(day);
        let number = self.next_number.get(&(day, service.to_owned())).copied().unwrap_or(0) + 1;
        events.push(Event::TicketIssued {
            id: self.next_id,
            day,
            service: service.to_owned(),
            number,
            priority,
            at,
            pager: self.free_pager(),
        });
        self.apply_all(&events);
        Ok(events)
    }

    /// Calls the next ticket among `services` for `counter`.
    pub fn call_next(&mut self, counter: u16, services: &[String], day: Day, at: Seconds) -> Result<Vec<Event>, Error> {
        let mut events = self.roll_over(day);
        self.apply_all(&events);
        let next = self.waiting(services, at).first().map(|t| (t.id, t.pager)).ok_or(Error::NobodyWaiting)?;
        let called = self.called_events(next.0, next.1, counter, at);
        self.apply_all(&called);
        events.extend(called);
        Ok(events)
    }

    fn called_events(&self, id: TicketId, pager: Option<PagerId>, counter: u16, at: Seconds) -> Vec<Event> {
        let mut events = vec![Event::TicketCalled { id, counter, at }];
        if let Some(pager) = pager {
            events.push(Event::PagerCalled { id, pager });
        }
        events
    }

    /// Calls a called ticket again: announced again and its pager paged again.
    pub fn recall(&mut self, id: TicketId, at: Seconds) -> Result<Vec<Event>, Error> {
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        let State::Called { counter } = ticket.state else {
            return Err(Error::WrongState { id, action: "be recalled", state: ticket.state });
        };
        let mut events = vec![Event::TicketRecalled { id, counter, at }];
        events.extend(ticket.pager.map(|pager| Event::PagerCalled { id, pager }));
        self.apply_all(&events);
        Ok(events)
    }

    /// Sets a called or served ticket aside; only the same counter resumes it.
    pub fn park(&mut self, id: TicketId, at: Seconds) -> Result<Vec<Event>, Error> {
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        if !matches!(ticket.state, State::Called { .. } | State::Serving { .. }) {
            return Err(Error::WrongState { id, action: "be parked", state: ticket.state });
        }
        let events = vec![Event::TicketParked { id, at }];
        self.apply_all(&events);
        Ok(events)
    }

    /// Calls a parked ticket back to its counter (announced and paged like a call).
    pub fn resume(&mut self, id: TicketId, at: Seconds) -> Result<Vec<Event>, Error> {
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        let State::Parked { counter } = ticket.state else {
            return Err(Error::WrongState { id, action: "be resumed", state: ticket.state });
        };
        let events = self.called_events(id, ticket.pager, counter, at);
        self.apply_all(&events);
        Ok(events)
    }

    /// Tickets parked by `counter`, oldest first.
    pub fn parked(&self, counter: u16) -> Vec<&Ticket> {
        self.today().filter(|t| t.state == State::Parked { counter }).collect()
    }

    /// Records the resident's rating (1 to 4) of a finished ticket, once.
    pub fn rate(&mut self, id: TicketId, rating: u8) -> Result<Vec<Event>, Error> {
        if !RATINGS.contains(&rating) {
            return Err(Error::BadRating(rating));
        }
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        if ticket.state != State::Done {
            return Err(Error::WrongState { id, action: "be rated", state: ticket.state });
        }
        if ticket.rating.is_some() {
            return Err(Error::AlreadyRated(id));
        }
        let events = vec![Event::TicketRated { id, rating }];
        self.apply_all(&events);
        Ok(events)
    }

    /// A pager handed back at a counter (after a no-show, or found later).
    pub fn return_pager(&mut self, pager: PagerId) -> Result<Vec<Event>, Error> {
        if !self.pagers_out.contains_key(&pager) {
            return Err(Error::PagerNotOut(pager));
        }
        let events = vec![Event::PagerReturned { pager }];
        self.apply_all(&events);
        Ok(events)
    }

    pub fn start_serving(&mut self, id: TicketId, at: Seconds) -> Result<Vec<Event>, Error> {
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        let State::Called { counter } = ticket.state else {
            return Err(Error::WrongState { id, action: "start being served", state: ticket.state });
        };
        let events = vec![Event::ServingStarted { id, counter, at }];
        self.apply_all(&events);
        Ok(events)
    }

    pub fn done(&mut self, id: TicketId, at: Seconds) -> Result<Vec<Event>, Error> {
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        if !matches!(ticket.state, State::Called { .. } | State::Serving { .. }) {
            return Err(Error::WrongState { id, action: "be finished", state: ticket.state });
        }
        let mut events = vec![Event::TicketDone { id, at }];
        events.extend(ticket.pager.map(|pager| Event::PagerReturned { pager }));
        self.apply_all(&events);
        Ok(events)
    }

    pub fn no_show(&mut self, id: TicketId, at: Seconds) -> Result<Vec<Event>, Error> {
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?;
        if !matches!(ticket.state, State::Called { .. }) {
            return Err(Error::WrongState { id, action: "be marked absent", state: ticket.state });
        }
        // The resident is not there, so neither is the pager: it stays out until someone hands it back.
        let events = vec![Event::TicketNoShow { id, at }];
        self.apply_all(&events);
        Ok(events)
    }

    /// Sends a called or served ticket to another service's queue, keeping its place by issue time and its pager.
    pub fn transfer(&mut self, id: TicketId, to_service: &str, at: Seconds) -> Result<Vec<Event>, Error> {
        if !self.setup.services.iter().any(|s| s == to_service) {
            return Err(Error::UnknownService(to_service.to_owned()));
        }
        let ticket = self.tickets.get(&id).ok_or(Error::UnknownTicket(id))?.clone();
        if !matches!(ticket.state, State::Called { .. } | State::Serving { .. }) {
            return Err(Error::WrongState { id, action: "be transferred", state: ticket.state });
        }
        let number = self.next_number.get(&(ticket.day, to_service.to_owned())).copied().unwrap_or(0) + 1;
        let new_id = self.next_id;
        let events = vec![
            Event::TicketTransferred { id, to: new_id, at },
            Event::TicketIssued {
                id: new_id,
                day: ticket.day,
                service: to_service.to_owned(),
                number,
                priority: ticket.priority,
                at: ticket.issued_at,
                pager: ticket.pager,
            },
        ];
        self.apply_all(&events);
        Ok(events)
    }

    pub fn mark_pager_missing(&mut self, pager: PagerId) -> Vec<Event> {
        let events = vec![Event::PagerMarkedMissing { pager }];
        self.apply_all(&events);
        events
    }

    /// Closes the old day when `day` is a new one: unfinished tickets become no-shows, unreturned pagers are
    /// reported, and numbering restarts.
    fn roll_over(&self, day: Day) -> Vec<Event> {
        if day <= self.day {
            return Vec::new();
        }
        let mut events: Vec<Event> = self
            .tickets
            .values()
            .filter(|t| matches!(t.state, State::Waiting | State::Called { .. } | State::Parked { .. }))
            .map(|t| Event::TicketNoShow { id: t.id, at: t.issued_at })
            .collect();
        events.push(Event::DayClosed { day: self.day, unreturned_pagers: self.pagers_out() });
        events
    }

    fn apply_all(&mut self, events: &[Event]) {
        for event in events {
            self.apply(event);
        }
    }

    /// Changes state by one event (used live and when replaying the log).
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::TicketIssued { id, day, service, number, priority, at, pager } => {
                self.day = self.day.max(*day);
                self.next_number.insert((*day, service.clone()), *number);
                self.next_id = self.next_id.max(id + 1);
                if let Some(pager) = pager {
                    self.pagers_out.insert(*pager, *id);
                }
                self.tickets.insert(
                    *id,
                    Ticket {
                        id: *id,
                        day: *day,
                        service: service.clone(),
                        number: *number,
                        priority: *priority,
                        issued_at: *at,
                        pager: *pager,
                        state: State::Waiting,
                        called_at: None,
                        serving_since: None,
                        finished_at: None,
                        counter: None,
                        recalls: 0,
                        rating: None,
                    },
                );
            }
            Event::TicketCalled { id, counter, at } => self.update(*id, |t| {
                t.state = State::Called { counter: *counter };
                // A resumed ticket keeps its first call time: its wait ended then.
                t.called_at = Some(t.called_at.unwrap_or(*at));
                t.counter = Some(*counter);
            }),
            Event::TicketRecalled { id, .. } => self.update(*id, |t| t.recalls += 1),
            Event::TicketParked { id, .. } => self.update(*id, |t| {
                if let State::Called { counter } | State::Serving { counter } = t.state {
                    t.state = State::Parked { counter };
                }
            }),
            Event::TicketRated { id, rating } => self.update(*id, |t| t.rating = Some(*rating)),
            Event::PagerCalled { .. } => {}
            Event::ServingStarted { id, counter, at } => self.update(*id, |t| {
                t.state = State::Serving { counter: *counter };
                t.serving_since = Some(*at);
            }),
            Event::TicketDone { id, at } => self.update(*id, |t| {
                t.state = State::Done;
                t.finished_at = Some(*at);
            }),
            Event::TicketNoShow { id, at } => self.update(*id, |t| {
                t.state = State::NoShow;
                t.finished_at = Some(*at);
            }),
            Event::TicketTransferred { id, at, .. } => self.update(*id, |t| {
                t.state = State::Transferred;
                t.finished_at = Some(*at);
            }),
            Event::PagerReturned { pager } => {
                self.pagers_out.remove(pager);
            }
            Event::PagerMarkedMissing { pager } => {
                self.missing.insert(*pager);
                self.pagers_out.remove(pager);
            }
            Event::DayClosed { day, unreturned_pagers } => {
                self.day = self.day.max(day + 1);
                self.last_close = Some((*day, unreturned_pagers.clone()));
            }
        }
    }

    fn update(&mut self, id: TicketId, change: impl FnOnce(&mut Ticket)) {
        if let Some(ticket) = self.tickets.get_mut(&id) {
            change(ticket);
        }
    }
}

/// One service's figures for the day. Waits run from issue to call; service times from call to done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub service: String,
    pub issued: usize,
    pub waiting: usize,
    pub called: usize,
    pub done: usize,
    pub no_show: usize,
    pub transferred: usize,
    pub median_wait: Option<Seconds>,
    /// The longest wait of the day so far, counting tickets still waiting.
    pub longest_wait: Option<Seconds>,
    pub median_service: Option<Seconds>,
}

fn median(values: &mut [Seconds]) -> Option<Seconds> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

/// A wait estimate; `rough` when there is too little history (the screen then says "about").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub seconds: Seconds,
    pub rough: bool,
}

#[cfg(test)]
mod tests;
