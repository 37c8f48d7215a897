//! The running kiosk: [`App`] owns the stores (queue, outbox, status cache, catalogue), the devices and their
//! supervised thread, the one network runtime (portal client, forwarder, counter API, catalogue refresh) and the
//! window, and wires the window's callbacks to them. `main` builds it; the end-to-end tests start the same `App`
//! with simulated devices and the portal simulator, so the start-up path they test is the kiosk's own.
//! Must not do: name Slint types (it goes through `ui`), or block the UI thread: disk and network work runs on
//! worker threads or the network runtime, and results come back through [`ui::Handle::post`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use kiosk_core::config::{Config, Language};
use kiosk_core::portal::Fee;
use kiosk_core::queue::State;

use crate::counter_api::{self, CounterApi, CounterSetup};
use crate::devices::{self, monitor, Devices, Simulators, Slip, SlipKind};
use crate::lookup::Lookup;
use crate::outbox::forwarder::{self, Conditions, Signal};
use crate::outbox::resident;
use crate::outbox::store::{EnqueueError, Outbox};
use crate::portal::HttpPortal;
use crate::queue_store::QueueStore;
use crate::{clock, tracking, ui};

/// How the kiosk is started beyond its configuration.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the queue, the outbox, the device key and the caches live (systemd's StateDirectory).
    pub state_dir: PathBuf,
    /// How often the device thread checks the devices and the portal.
    pub check_interval: Duration,
    /// A normal window instead of the whole screen (development on a desktop, tests).
    pub windowed: bool,
    /// Where reading aloud goes: the sound card, or WAV files and a transcript (tests, the benchmark).
    pub speech: crate::speech::Output,
    /// Where the counter API, the outbox's forwarder and the pager transmitter run: in this process, or in the
    /// kiosk's core service (`kiosk core`, kiosk-core.service) so they go on while the screen restarts.
    pub core: CoreMode,
}

/// Where the kiosk's core (counter API, forwarder, pager transmitter) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CoreMode {
    /// All in the screen's process (a desktop, the demo, the tests).
    #[default]
    InProcess,
    /// In the core service beside it (the appliance): the screen shares the queue and the outbox through their
    /// SQLite files and asks the core for pages over `pager.sock`.
    Service,
}

impl Options {
    pub fn new(state_dir: &Path) -> Options {
        Options {
            state_dir: state_dir.to_owned(),
            check_interval: monitor::CHECK_INTERVAL,
            windowed: true,
            speech: crate::speech::Output::Device,
            core: CoreMode::InProcess,
        }
    }
}

/// The kiosk, started: everything it owns lives as long as it does.
pub struct App {
    pub window: ui::AppWindow,
    pub queue: Arc<QueueStore>,
    pub outbox: Arc<Outbox>,
    /// Handles on the simulated devices (the demo and the tests change their condition); empty for real ones.
    pub simulators: Simulators,
    /// Where the counter API listens, when the configuration has one.
    pub counter_api: Option<std::net::SocketAddr>,
    pub monitor: devices::Monitor,
    /// Wakes the outbox's forwarder (something new to send) or stops it.
    pub forwarder: Arc<Signal>,
    screen: ui::Handle,
    /// The kiosk's id, for systemd's status line.
    kiosk_id: String,
    _network: Network,
    _clock: ui::Clock,
    /// Keeps the screen scrolling to all of its content (ui::start_fitting).
    _fitting: ui::Fitting,
}

impl Drop for App {
    fn drop(&mut self) {
        // The device thread and the workers stop posting to a screen that is going away.
        self.screen.close();
        // A shown window keeps its component (and the stores its callbacks hold: the outbox and its lock) alive;
        // hidden, the component goes with the last handle, so a kiosk started again in the same process (tests)
        // can open its outbox.
        ui::hide(&self.window);
    }
}

/// The one network runtime. Dropping it stops the forwarder first (it finishes the submission it is sending),
/// then gives the rest a few seconds: a kiosk that stops never hangs on its network.
pub(crate) struct Network {
    runtime: Option<tokio::runtime::Runtime>,
    forwarder: Arc<Signal>,
}

impl Network {
    pub(crate) fn start(forwarder: Arc<Signal>) -> anyhow::Result<Network> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("network")
            .enable_all()
            .build()
            .context("starting the network runtime")?;
        Ok(Network { runtime: Some(runtime), forwarder })
    }

    pub(crate) fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.as_ref().map(|runtime| runtime.handle().clone()).expect("the runtime lives as long as Network")
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        self.forwarder.stop();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

/// What the callbacks share: cheap to clone, safe to send to worker threads.
#[derive(Clone)]
struct Wiring {
    config: Arc<Config>,
    screen: ui::Handle,
    network: tokio::runtime::Handle,
    portal: HttpPortal,
    monitor: devices::Monitor,
    outbox: Arc<Outbox>,
    forwarder: Arc<Signal>,
    /// Whether the portal answered the device thread's last check.
    reachable: Arc<AtomicBool>,
    /// Reads aloud: the screen (the speaker button) and the counters' calls.
    speaker: crate::speech::Speaker,
    /// The pager transmitter's line (the technician's test page; the counter API has its own handle).
    pager: devices::PagerLine,
    /// The ticket on screen, as it was sent to the printer: what "Print the ticket again" prints after its print
    /// failed and the printer came back.
    last_ticket: Arc<Mutex<Option<kiosk_drivers::printer::document::Document>>>,
}

impl App {
    /// Starts the kiosk: opens the state, the devices and the network, shows the home screen. A platform
    /// (winit, linuxkms, or Slint's testing backend) must be chosen before.
    pub fn start(config: Config, options: &Options) -> anyhow::Result<App> {
        let state_dir = options.state_dir.as_path();
        crate::ensure_private_dir(state_dir)?;
        let config = Arc::new(config);
        let window = ui::build(&config).context(
            "opening the kiosk window (on a desktop or under Xvfb set DISPLAY; on a kiosk SLINT_BACKEND=linuxkms-software with seatd running, as kiosk.service does)",
        )?;
        if !options.windowed {
            ui::fill_screen(&window);
        }
        let speaker = crate::speech::Speaker::start(config.ui.speech, options.speech.clone());
        let (reader, quiet) = (speaker.clone(), speaker.clone());
        ui::read_aloud::install(
            &window,
            config.ui.speech.read_aloud,
            move |words, language| reader.say(words, language),
            move || quiet.stop(),
        );
        ui::draw_input_at_once(&window);
        let forwarder = Arc::new(Signal::default());
        let network = Network::start(forwarder.clone())?;
        let handle = network.handle();
        let in_process = options.core == CoreMode::InProcess;
        let devices = if in_process {
            Devices::open(&config.devices)
        } else {
            Devices::reopen(
                &config.devices,
                devices::PagerLine::elsewhere(state_dir.join(devices::pager_socket::SOCKET)),
            )
        };
        let simulators = devices.simulators.clone();
        let queue = open_queue(&config, state_dir)?;
        let counter_key = crate::held::counter_key(state_dir)?;
        let outbox = Arc::new(
            if in_process {
                Outbox::open(&state_dir.join("outbox"), config.portal.public_key)
            } else {
                Outbox::open_for_saving(&state_dir.join("outbox"), config.portal.public_key)
            }
            .context("opening the outbox")?
            .with_counter_key(*counter_key.public_key().as_bytes()),
        );
        let key = crate::portal::device_key(state_dir)?;
        let portal = HttpPortal::new(&config.portal.base_url, &config.kiosk.id, key.clone(), clock::unix_now)?;
        let screen = ui::Handle::of(&window);
        let conditions = Arc::new(Mutex::new(Conditions::default()));
        let reachable = Arc::new(AtomicBool::new(false));
        let pager = devices.pager_line();
        let status = Arc::new(crate::status_file::StatusFile::new(state_dir, &config.kiosk.id));
        {
            let status = status.clone();
            queue.read(|today| status.queue(today));
            queue.subscribe(Box::new(move |_, today| status.queue(today)));
        }
        let monitor =
            start_monitor(devices, &config, options, &screen, conditions.clone(), reachable.clone(), status.clone())?;
        let wiring = Wiring {
            config: config.clone(),
            screen: screen.clone(),
            network: handle,
            portal,
            monitor: monitor.clone(),
            outbox: outbox.clone(),
            forwarder: forwarder.clone(),
            reachable,
            speaker: speaker.clone(),
            pager: pager.clone(),
            last_ticket: Arc::default(),
        };
        let counter_api = if in_process {
            let held = Arc::new(crate::held::Held::new(outbox.clone(), counter_key, forwarder.clone()));
            let counter_api = wiring.start_counter_api(&queue, pager, state_dir, held)?;
            wiring.start_forwarder(crate::portal::enrolment(&config.kiosk.id, &key), conditions, status);
            counter_api
        } else {
            drop((pager, conditions, counter_key));
            wiring.follow_the_core(state_dir, status)?;
            None
        };
        wiring.watch_queue(&queue);
        wiring.wire_screens(&window, &queue, state_dir)?;
        let clock = ui::start_clock(&window);
        let fitting = ui::start_fitting(&window);
        tracing::info!(kiosk = %config.kiosk.id, state_dir = %state_dir.display(), "kiosk started");
        Ok(App {
            window,
            queue,
            outbox,
            simulators,
            counter_api,
            monitor,
            forwarder,
            screen,
            kiosk_id: config.kiosk.id.clone(),
            _network: network,
            _clock: clock,
            _fitting: fitting,
        })
    }

    /// Shows the window and runs the UI until it is closed.
    pub fn run(&self) -> anyhow::Result<()> {
        tracing::info!("kiosk window shown");
        let _watchdog = ui::systemd::install(&self.kiosk_id);
        let ran = ui::run(&self.window).context("running the kiosk UI");
        ui::systemd::stopping();
        ran
    }

    /// On a platform without an event loop (Slint's single-threaded testing backend): runs the screen changes
    /// the kiosk's threads have made since the last call. Returns how many ran.
    pub fn run_posted(&self) -> usize {
        self.screen.drain(&self.window)
    }
}

/// Opens the queue's database in the state directory.
pub(crate) fn open_queue(config: &Config, state_dir: &Path) -> anyhow::Result<Arc<QueueStore>> {
    let path = state_dir.join("queue.sqlite");
    let store = QueueStore::open(&path, config.queue.setup(), clock::now().0)
        .with_context(|| format!("opening the queue (state directory {}; is it writable?)", state_dir.display()))?;
    let store = Arc::new(store);
    // Another process's changes (a second kiosk process on this state, a technician's tool) reach the
    // listeners (the now-serving banner, the board, the status file) within a third of a second.
    store.watch(Duration::from_millis(300))?;
    Ok(store)
}

/// Starts the supervised device thread; its reports reach the screen, the heartbeat's conditions and the
/// portal-reachable flag the submissions look at.
fn start_monitor(
    devices: Devices,
    config: &Config,
    options: &Options,
    screen: &ui::Handle,
    conditions: Arc<Mutex<Conditions>>,
    reachable: Arc<AtomicBool>,
    status: Arc<crate::status_file::StatusFile>,
) -> anyhow::Result<devices::Monitor> {
    let settings = monitor::Settings {
        devices: config.devices.clone(),
        portal: config.portal.host_port(),
        interval: options.check_interval,
    };
    let screen = screen.clone();
    monitor::spawn(devices, settings, move |event| {
        if let devices::Event::Checked(report) = &event {
            *conditions.lock().unwrap_or_else(PoisonError::into_inner) = report.conditions();
            reachable.store(report.portal == devices::PortalReach::Reachable, Ordering::Relaxed);
            status.devices(report);
        }
        if let devices::Event::Restarted { restarts, .. } = &event {
            status.restarted(*restarts);
        }
        screen.post(move |window| ui::show_device_event(window, event))
    })
    .context("starting the device thread")
}

/// The counter API on the network runtime, when the configuration has one. `on_page` hears of each page (the
/// demo's simulated pager on screen), `on_reprint` prints a ticket again at the kiosk.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start_counter_api(
    config: &Config,
    network: &tokio::runtime::Handle,
    queue: &Arc<QueueStore>,
    pager: devices::PagerLine,
    state_dir: &Path,
    held: Arc<crate::held::Held>,
    on_page: counter_api::PageListener,
    on_reprint: counter_api::ReprintListener,
) -> anyhow::Result<Option<std::net::SocketAddr>> {
    let Some(api) = &config.counter_api else {
        tracing::warn!("no [counter_api] in the configuration: counters cannot call tickets from this kiosk");
        return Ok(None);
    };
    let counter_api = CounterApi::new(CounterSetup {
        store: queue.clone(),
        queue: config.queue.clone(),
        allow: api.allow.clone(),
        staff_file: state_dir.join(crate::STAFF_FILE),
        staff_db: state_dir.join("staff.sqlite"),
        pager,
        announce: crate::board::Announce::from_config(config),
        clock: clock::now,
        held: Some(held),
    })?
    .on_page(on_page)
    .on_reprint(on_reprint);
    let counter_api = if api.https {
        let config = crate::tls::ensure(state_dir, api.listen)
            .context("preparing HTTPS for the staff pages (or set https = false in [counter_api])")?;
        counter_api.with_tls(crate::tls::Tls { config, plain_for_staff: api.plain_http_for_staff })
    } else {
        tracing::warn!("[counter_api] https = false: staff PINs and sessions cross the network in clear");
        counter_api
    };
    counter_api::spawn(Arc::new(counter_api), api.listen, network).map(Some)
}

/// The forwarder drives its future on a thread of the network runtime's blocking pool: its SQLite calls block
/// that thread only. `report` hears each new summary of the outbox.
pub(crate) fn start_forwarder(
    network: &tokio::runtime::Handle,
    portal: &HttpPortal,
    enrolment: kiosk_core::portal::Enrolment,
    outbox: &Arc<Outbox>,
    conditions: Arc<Mutex<Conditions>>,
    signal: &Arc<Signal>,
    report: impl Fn(crate::outbox::store::Summary) + Send + 'static,
) {
    let (portal, outbox, signal, runtime) = (portal.clone(), outbox.clone(), signal.clone(), network.clone());
    network.spawn_blocking(move || {
        runtime.block_on(forwarder::enrol_and_run(portal, enrolment, outbox, conditions, signal, report));
    });
}

impl Wiring {
    /// The forwarder drives its future on a thread of the network runtime's blocking pool: its SQLite calls
    /// block that thread only.
    fn start_forwarder(
        &self,
        enrolment: kiosk_core::portal::Enrolment,
        conditions: Arc<Mutex<Conditions>>,
        status: Arc<crate::status_file::StatusFile>,
    ) {
        let screen = self.screen.clone();
        start_forwarder(
            &self.network,
            &self.portal,
            enrolment,
            &self.outbox,
            conditions,
            &self.forwarder,
            move |summary| {
                status.outbox(&summary);
                screen.post(move |window| ui::show_outbox(window, &summary));
            },
        );
    }

    /// The screen beside the core service: the outbox's counts read from its file (the core's forwarder changes
    /// them) for the screen and status.json, and the counters' reprints taken from the print spool.
    fn follow_the_core(&self, state_dir: &Path, status: Arc<crate::status_file::StatusFile>) -> anyhow::Result<()> {
        let (outbox, screen) = (self.outbox.clone(), self.screen.clone());
        std::thread::Builder::new()
            .name("outbox-watch".into())
            .spawn(move || {
                let mut last = None;
                loop {
                    match outbox.summary(clock::unix_now()) {
                        Ok(summary) if last.as_ref() != Some(&summary) => {
                            last = Some(summary.clone());
                            status.outbox(&summary);
                            if !screen.post(move |window| ui::show_outbox(window, &summary)) {
                                return;
                            }
                        }
                        Ok(_) => {}
                        Err(error) => {
                            tracing::warn!(error = %format!("{error:#}"), "the outbox's counts could not be read")
                        }
                    }
                    std::thread::sleep(Duration::from_secs(2));
                }
            })
            .context("starting the outbox watch")?;
        let (monitor, config, screen) = (self.monitor.clone(), self.config.clone(), self.screen.clone());
        crate::print_spool::watch(
            state_dir,
            Duration::from_secs(1),
            move || screen.is_open(),
            move |issued| {
                // Reprinted in Vietnamese, as in one process: the resident who needs English asks at the kiosk.
                let language = kiosk_core::config::Language::Vietnamese;
                monitor.print(Slip::new(SlipKind::Ticket, crate::tickets::ticket_document(&config, &issued, language)))
            },
        )
    }

    /// Shows the tickets called to counters ("now serving") whenever the queue changes, and says each call
    /// aloud in the kiosk's first language ("Mời số HT-004 đến quầy 2") unless reading aloud is off.
    fn watch_queue(&self, queue: &QueueStore) {
        let screen = self.screen.clone();
        let (speaker, config) = (self.speaker.clone(), self.config.clone());
        let speak = config.ui.speech.read_aloud != kiosk_core::config::ReadAloud::Off;
        queue.subscribe(Box::new(move |events, queue| {
            for event in events {
                let kiosk_core::queue::Event::TicketCalled { id, counter, .. } = event else { continue };
                let Some(ticket) = queue.ticket(*id) else { continue };
                if speak {
                    let language = config.ui.languages[0];
                    let call = crate::words::trf(language, "Number {} to counter {}", &[&ticket.label(), counter]);
                    speaker.say(call, language);
                }
            }
            let called: Vec<(String, u16)> = queue
                .now_serving()
                .into_iter()
                .filter_map(|t| match t.state {
                    State::Called { counter } | State::Serving { counter } => Some((t.label(), counter)),
                    _ => None,
                })
                .collect();
            screen.post(move |window| ui::show_now_serving(window, &called));
        }));
    }

    fn start_counter_api(
        &self,
        queue: &Arc<QueueStore>,
        pager: devices::PagerLine,
        state_dir: &Path,
        held: Arc<crate::held::Held>,
    ) -> anyhow::Result<Option<std::net::SocketAddr>> {
        let screen = self.screen.clone();
        let (monitor, config) = (self.monitor.clone(), self.config.clone());
        let on_page: counter_api::PageListener = Box::new(move |pager, outcome| {
            if let devices::PageOutcome::Paged { simulated: true } = outcome {
                screen.post(move |window| ui::show_vibrating_pager(window, pager));
            }
        });
        let on_reprint: counter_api::ReprintListener = Box::new(move |issued| {
            // Reprinted in Vietnamese: the resident who needs English asks at the kiosk.
            let document = crate::tickets::ticket_document(&config, &issued, kiosk_core::config::Language::Vietnamese);
            monitor.print(Slip::new(SlipKind::Ticket, document));
        });
        start_counter_api(&self.config, &self.network, queue, pager, state_dir, held, on_page, on_reprint)
    }

    /// Every screen's callbacks: the residents' and the technician's.
    fn wire_screens(&self, window: &ui::AppWindow, queue: &Arc<QueueStore>, state_dir: &Path) -> anyhow::Result<()> {
        self.wire_technician(window, state_dir);
        self.wire_tickets(window, queue);
        let statuses = Arc::new(Mutex::new(
            tracking::Cache::open(&state_dir.join("dossier-statuses.sqlite")).context("opening the status cache")?,
        ));
        self.wire_tracking(window, &statuses);
        self.wire_arrivals(window, queue, &statuses, state_dir)?;
        let lookup = self.wire_catalogue(window, state_dir);
        self.wire_visits(window);
        self.wire_bookings(window, state_dir, lookup);
        self.wire_dossiers(window);
        Ok(())
    }

    /// The technician's PIN pad and screen: the PIN checked on a worker thread (Argon2 takes tens of
    /// milliseconds), the test print and test scan on the device thread, the test page on a worker (it waits for
    /// the transmitter's answer).
    fn wire_technician(&self, window: &ui::AppWindow, state_dir: &Path) {
        let (door, check) = (self.clone(), self.clone());
        let (door_dir, check_dir) = (state_dir.to_owned(), state_dir.to_owned());
        ui::technician::on_pin_check(
            window,
            move || {
                let (wiring, dir) = (door.clone(), door_dir.clone());
                door.clone().worker("technician-pin", move || {
                    let answer = crate::technician::door(&dir, clock::unix_now());
                    wiring.screen.post(move |window| ui::technician::show_answer(window, answer));
                });
            },
            move |pin| {
                let (wiring, dir) = (check.clone(), check_dir.clone());
                check.clone().worker("technician-pin", move || {
                    let answer = crate::technician::check(&dir, &pin, clock::unix_now());
                    drop(pin);
                    wiring.screen.post(move |window| ui::technician::show_answer(window, answer));
                });
            },
        );
        let monitor = self.monitor.clone();
        let printer = self.config.devices.printer.clone();
        ui::on_print_test_page(window, move || {
            monitor.print(Slip::test_page(&printer));
        });
        let monitor = self.monitor.clone();
        ui::technician::on_test_scan(window, move || {
            monitor.test_scan();
        });
        let (wiring, pager) = (self.clone(), self.pager.clone());
        ui::technician::on_test_pager(window, move |number| {
            let (screen, pager) = (wiring.screen.clone(), pager.clone());
            wiring.clone().worker("technician-page", move || {
                let (outcome, fault) = pager.page_with_cause(number, devices::PAGE_WAIT);
                tracing::info!(pager = number, ?outcome, "the technician's test page");
                screen.post(move |window| ui::technician::show_test_page(window, number, outcome, fault));
            });
        });
    }

    /// A booking shown on arrival: checked (portal, else the last status known; a kiosk reference in the outbox),
    /// judged for today, and a priority ticket issued for it once, printed like any ticket.
    fn wire_arrivals(
        &self,
        window: &ui::AppWindow,
        queue: &Arc<QueueStore>,
        cache: &Arc<Mutex<tracking::Cache>>,
        state_dir: &Path,
    ) -> anyhow::Result<()> {
        let cache = cache.clone();
        let arrivals = Arc::new(Mutex::new(
            crate::booking::Arrivals::open(&state_dir.join("booking-arrivals.sqlite"))
                .context("opening the record of bookings given a number")?,
        ));
        let (wiring, queue) = (self.clone(), queue.clone());
        ui::on_arrival_check(window, move |code, service, language| {
            let visit = ui::visit();
            let (wiring, queue, cache, arrivals) = (wiring.clone(), queue.clone(), cache.clone(), arrivals.clone());
            wiring.clone().worker("arrival", move || {
                let answer = {
                    let cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
                    let now = clock::unix_now();
                    wiring.network.block_on(tracking::check(&wiring.portal, &cache, &wiring.outbox, &code, now))
                };
                let (today, _) = clock::hanoi_today_and_time();
                let verdict = crate::booking::judge(&answer, &today);
                let crate::booking::Verdict::Welcome { code } = verdict else {
                    wiring.screen.post(move |window| {
                        if ui::same_visit(visit) {
                            ui::show_arrival(window, &verdict);
                        }
                    });
                    return;
                };
                let arrivals = arrivals.lock().unwrap_or_else(PoisonError::into_inner);
                match arrivals.given(&code) {
                    Ok(Some(label)) => {
                        let verdict = crate::booking::Verdict::Given(label);
                        wiring.screen.post(move |window| {
                            if ui::same_visit(visit) {
                                ui::show_arrival(window, &verdict);
                            }
                        });
                        return;
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(error = %format!("{error:#}"), "the arrivals record could not be read")
                    }
                }
                if !ui::same_visit(visit) {
                    // The resident left before the answer came: no number is issued on the next resident's screen;
                    // the booking stays unused and can be checked in again.
                    tracing::info!("a booking check answered after its resident left; no number issued");
                    return;
                }
                wiring.screen.post(move |window| {
                    ui::show_arrival(window, &crate::booking::Verdict::Welcome { code: String::new() })
                });
                let priority = kiosk_core::queue::Priority::Booked;
                match crate::tickets::issue(&queue, &wiring.config, &service, priority, clock::now()) {
                    Ok(issued) => {
                        if let Err(error) = arrivals.record(&code, &today, &issued.label) {
                            tracing::warn!(error = %format!("{error:#}"), "a booking's number could not be recorded");
                        }
                        let document = crate::tickets::ticket_document(&wiring.config, &issued, language);
                        *wiring.last_ticket.lock().unwrap_or_else(PoisonError::into_inner) = Some(document.clone());
                        wiring.screen.post(move |window| ui::show_ticket(window, &issued));
                        wiring.monitor.print(Slip::new(SlipKind::Ticket, document));
                    }
                    Err(error) => {
                        tracing::error!(error = %format!("{error:#}"), "a booking's queue ticket could not be issued");
                        wiring.screen.post(ui::show_ticket_failed);
                    }
                }
            });
        });
        Ok(())
    }

    /// Take a number: issued on a worker thread (it waits for the disk), then printed.
    fn wire_tickets(&self, window: &ui::AppWindow, queue: &Arc<QueueStore>) {
        {
            let (monitor, last) = (self.monitor.clone(), self.last_ticket.clone());
            ui::on_reprint_ticket(window, move || {
                let document = last.lock().unwrap_or_else(PoisonError::into_inner).clone();
                if let Some(document) = document {
                    tracing::info!("the ticket that could not be printed is printed again");
                    monitor.print(Slip::new(SlipKind::Ticket, document));
                }
            });
        }
        let (wiring, queue) = (self.clone(), queue.clone());
        ui::on_take_ticket(window, move |service, priority, language| {
            let (wiring, queue) = (wiring.clone(), queue.clone());
            wiring.clone().worker("take-ticket", move || {
                // Outside opening hours no walk-in number is given (the screen said so; this catches the minute
                // the point closed while the resident was choosing).
                let (day, minute) = clock::local_minute();
                if let kiosk_core::hours::Numbers::NotNow { .. } = wiring.config.numbers(day, minute) {
                    tracing::info!("a queue number was asked for outside opening hours; none given");
                    wiring.screen.post(move |window| ui::show_numbers_closed(window, day, minute));
                    return;
                }
                match crate::tickets::issue(&queue, &wiring.config, &service, priority, clock::now()) {
                    Ok(issued) => {
                        let document = crate::tickets::ticket_document(&wiring.config, &issued, language);
                        *wiring.last_ticket.lock().unwrap_or_else(PoisonError::into_inner) = Some(document.clone());
                        wiring.screen.post(move |window| ui::show_ticket(window, &issued));
                        wiring.monitor.print(Slip::new(SlipKind::Ticket, document));
                    }
                    Err(error) => {
                        tracing::error!(error = %format!("{error:#}"), "a queue ticket could not be issued");
                        wiring.screen.post(ui::show_ticket_failed);
                    }
                }
            });
        });
    }

    /// Checking a dossier's status: the portal asked on the network runtime, the answer (or the last one known)
    /// back on screen.
    fn wire_tracking(&self, window: &ui::AppWindow, cache: &Arc<Mutex<tracking::Cache>>) {
        let cache = cache.clone();
        let wiring = self.clone();
        ui::on_track_check(window, move |code| {
            let visit = ui::visit();
            let (wiring, cache, network) = (wiring.clone(), cache.clone(), wiring.network.clone());
            // The cache is SQLite: the check runs on a blocking-pool thread that drives the request.
            wiring.network.spawn_blocking(move || {
                let cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
                let answer =
                    network.block_on(tracking::check(&wiring.portal, &cache, &wiring.outbox, &code, clock::unix_now()));
                wiring.screen.post(move |window| {
                    if ui::same_visit(visit) {
                        ui::show_track_answer(window, &answer);
                    }
                });
            });
        });
    }

    /// The catalogue: the one last received from the portal, else the bundled one; refreshed at start and every
    /// 6 hours, a newer valid one replacing it on screen and for the guidance slips.
    fn wire_catalogue(&self, window: &ui::AppWindow, state_dir: &Path) -> Arc<RwLock<Arc<Lookup>>> {
        let lookup = Arc::new(Lookup::load(state_dir));
        let shared = Arc::new(RwLock::new(lookup.clone()));
        ui::install_lookup(window, lookup);
        let (portal, dir, screen, fresh) =
            (self.portal.clone(), state_dir.to_owned(), self.screen.clone(), shared.clone());
        let key = self.config.portal.catalogue_key;
        self.network.spawn(async move {
            loop {
                match crate::lookup::refresh(&portal, &dir, key.as_ref()).await {
                    Ok(Some(catalogue)) => {
                        let lookup = Arc::new(Lookup::new(catalogue));
                        *fresh.write().unwrap_or_else(PoisonError::into_inner) = lookup.clone();
                        screen.post(move |window| ui::install_lookup(window, lookup));
                    }
                    Ok(None) => {}
                    Err(error) => tracing::warn!(error = %format!("{error:#}"), "the catalogue could not be refreshed"),
                }
                tokio::time::sleep(Duration::from_secs(6 * 3600)).await;
            }
        });
        let (config, monitor, guidance) = (self.config.clone(), self.monitor.clone(), shared.clone());
        ui::on_print_guidance(window, move |id, language| {
            let lookup = guidance.read().unwrap_or_else(PoisonError::into_inner).clone();
            if let Some(procedure) = lookup.procedure(&id) {
                let document = crate::lookup::guidance_document(&config, procedure, language);
                monitor.print(Slip::new(SlipKind::Guidance, document));
            }
        });
        shared
    }

    /// Booking a time: the portal's offer fetched when the screen opens; "Book this time" saved in the outbox,
    /// then booked, taken by someone else first, or waiting; the slip printed when it is booked or waiting.
    fn wire_bookings(&self, window: &ui::AppWindow, state_dir: &Path, lookup: Arc<RwLock<Arc<Lookup>>>) {
        let (wiring, dir) = (self.clone(), state_dir.to_owned());
        ui::booking::on_booking_refresh(window, move || {
            let (wiring, dir) = (wiring.clone(), dir.clone());
            wiring.network.clone().spawn(async move {
                let (today, time) = clock::hanoi_today_and_time();
                let offer = crate::booking::offer(&wiring.portal, &dir, &today, &time).await;
                wiring.screen.post(move |window| ui::booking::set_offer(window, offer));
            });
        });
        let (wiring, dir) = (self.clone(), state_dir.to_owned());
        ui::booking::on_booking_send(window, move |finished, language| {
            let (wiring, dir, lookup) = (wiring.clone(), dir.clone(), lookup.clone());
            let wait = if wiring.reachable.load(Ordering::Relaxed) { resident::DELIVERY_WAIT } else { Duration::ZERO };
            wiring.clone().worker("booking", move || {
                let ui::booking::Finished { form, phone_tail } = finished;
                let id = match crate::booking::save(&wiring.outbox, &form, clock::unix_now()) {
                    Ok(id) => id,
                    Err(error) => {
                        tracing::error!(error = %format!("{error:#}"), "a booking could not be saved");
                        wiring.screen.post(|window| ui::booking::SENT.failed(window));
                        return;
                    }
                };
                wiring.forwarder.wake();
                let reference = resident::short_reference(&id);
                let outcome = crate::booking::wait_for_outcome(&wiring.outbox, &id, wait);
                let (today, time) = clock::hanoi_today_and_time();
                let offer = wiring.network.block_on(crate::booking::offer(&wiring.portal, &dir, &today, &time));
                let code = match outcome {
                    crate::booking::Outcome::Taken => {
                        let next = offer.as_ref().map(|o| kiosk_core::booking::next_free(o, &form.slot_id, 3));
                        wiring.screen.post(move |window| {
                            ui::booking::taken(window, next.unwrap_or_default(), offer);
                        });
                        return;
                    }
                    crate::booking::Outcome::Booked(code) => Some(code),
                    crate::booking::Outcome::Waiting => None,
                };
                let (shown, confirmed) = (reference.clone(), code.clone());
                wiring.screen.post(move |window| {
                    ui::booking::SENT.saved(window, &shown);
                    match confirmed {
                        Some(code) => ui::booking::SENT.delivered(window, &shown, &code, None),
                        None => ui::booking::SENT.undelivered(window, &shown),
                    }
                });
                let procedure = {
                    let lookup = lookup.read().unwrap_or_else(PoisonError::into_inner).clone();
                    form.procedure_code
                        .as_ref()
                        .and_then(|code| lookup.catalogue.procedures.iter().find(|p| &p.code == code).cloned())
                };
                let place = offer.unwrap_or_else(|| kiosk_core::portal::SlotOffer {
                    place_vi: wiring.config.kiosk.service_point.clone(),
                    place_en: wiring.config.kiosk.service_point.clone(),
                    address: wiring.config.kiosk.address.clone(),
                    slots: Vec::new(),
                });
                let slip = crate::booking::Slip {
                    reference: reference.clone(),
                    code,
                    slot: kiosk_core::portal::Slot {
                        id: form.slot_id.clone(),
                        date: form.date.clone(),
                        start: form.start.clone(),
                        end: form.end.clone(),
                        free: 0,
                    },
                    place_vi: place.place_vi,
                    place_en: place.place_en,
                    address: place.address,
                    need_vi: form.need_vi.clone(),
                    need_en: form.need_en.clone(),
                    bring_vi: procedure.as_ref().map(|p| p.bring_vi.clone()).unwrap_or_default(),
                    bring_en: procedure.as_ref().map(|p| p.bring_en.clone()).unwrap_or_default(),
                    phone_tail,
                };
                let document = crate::booking::slip_document(&wiring.config, &slip, language);
                wiring.monitor.print(Slip::of_submission(SlipKind::Booking, reference, document));
            });
        });
    }

    fn wire_visits(&self, window: &ui::AppWindow) {
        let wiring = self.clone();
        ui::visit::on_visit_send(window, move |request, mut confirmation, language| {
            let config = wiring.config.clone();
            wiring.submit(
                "home-visit",
                &ui::visit::SENT,
                move |outbox, now| crate::visit::save(outbox, &request, now),
                move |_id, reference, code, _fee| {
                    confirmation.reference = reference.clone();
                    confirmation.code = code;
                    let document = crate::visit::confirmation_document(&config, &confirmation, language);
                    Slip::of_submission(SlipKind::Visit, reference, document)
                },
            );
        });
    }

    fn wire_dossiers(&self, window: &ui::AppWindow) {
        let monitor = self.monitor.clone();
        ui::dossier::on_dossier_scan(window, move |card, request| {
            monitor.scan(card, request);
        });
        let monitor = self.monitor.clone();
        ui::dossier::on_dossier_print_intake(window, move |reference, document| {
            monitor.print(Slip::of_submission(SlipKind::Intake, reference, document));
        });
        let wiring = self.clone();
        ui::dossier::on_dossier_send(window, move |finished, language: Language| {
            let config = wiring.config.clone();
            let ui::dossier::Finished { form, pages, mut receipt } = finished;
            // The paper for the counter is made from the answers, so they are kept (in memory only) until the
            // portal has answered: dropped then if it did, or held by the screen until the resident leaves.
            let intake_form = serde_json::to_value(&form).ok();
            let screen = wiring.screen.clone();
            wiring.submit(
                "dossier",
                &ui::dossier::SENT,
                move |outbox, now| {
                    let mut pages = pages;
                    let saved = crate::dossier::save(outbox, &form, &pages, now);
                    // The scanned pages in clear are wiped from memory once sealed (review M8).
                    zeroize::Zeroize::zeroize(&mut pages);
                    saved
                },
                move |id, reference, code, fee| {
                    if let (None, Some(form)) = (&code, intake_form) {
                        let intake =
                            kiosk_core::intake::Intake { kiosk: config.kiosk.id.clone(), id: id.to_owned(), form };
                        let document = crate::dossier::intake_document(&config, &intake, &reference, language);
                        let shown = reference.clone();
                        screen.post(move |window| ui::dossier::offer_intake(window, &shown, document));
                    }
                    receipt.reference = reference.clone();
                    receipt.code = code;
                    receipt.fee = fee;
                    let document = crate::dossier::receipt_document(&config, &receipt, language);
                    Slip::of_submission(SlipKind::Receipt, reference, document)
                },
            );
        });
    }

    /// Runs `work` on a named worker thread (it may wait for the disk); a thread that cannot start is logged.
    fn worker(self, name: &'static str, work: impl FnOnce() + Send + 'static) {
        if let Err(error) = std::thread::Builder::new().name(name.into()).spawn(work) {
            tracing::error!(%error, name, "could not start a worker thread");
        }
    }

    /// What a resident's submission (a dossier, a home-visit request) does after "send", on its own worker
    /// thread: save it in the outbox, wake the forwarder, show "saved" with the short reference, wait a few
    /// seconds for the portal's code (only when the portal answered the last check), show the outcome, then
    /// print the slip.
    fn submit(
        &self,
        what: &'static str,
        screen: &'static ui::sent::Flow,
        save: impl FnOnce(&Outbox, i64) -> Result<String, EnqueueError> + Send + 'static,
        slip: impl FnOnce(&str, String, Option<String>, Option<Fee>) -> Slip + Send + 'static,
    ) {
        let wait = if self.reachable.load(Ordering::Relaxed) { resident::DELIVERY_WAIT } else { Duration::ZERO };
        let wiring = self.clone();
        self.clone().worker(what, move || {
            // `save` owns the form and pages: they are dropped as soon as they are sealed.
            let id = match save(&wiring.outbox, clock::unix_now()) {
                Ok(id) => id,
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), what, "a submission could not be saved");
                    wiring.screen.post(move |window| screen.failed(window));
                    return;
                }
            };
            wiring.forwarder.wake();
            let reference = resident::short_reference(&id);
            let shown = reference.clone();
            wiring.screen.post(move |window| screen.saved(window, &shown));
            let code = resident::wait_for_code(&wiring.outbox, &id, wait);
            // The fee (and the account to pay it into) is the portal's: asked once the dossier has its code.
            let fee = match &code {
                Some(code) if screen.charges_fees => wiring.network.block_on(tracking::fee(&wiring.portal, code)),
                _ => None,
            };
            let (shown, outcome, owed) = (reference.clone(), code.clone(), fee.clone());
            wiring.screen.post(move |window| match outcome {
                Some(code) => screen.delivered(window, &shown, &code, owed.as_ref()),
                None => screen.undelivered(window, &shown),
            });
            wiring.monitor.print(slip(&id, reference, code, fee));
        });
    }
}
