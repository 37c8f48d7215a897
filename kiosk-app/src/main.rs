//! `kiosk`: the program a kiosk runs. Loads the configuration (refusing to start on any problem), opens the
//! devices, and shows the full-screen UI; or, with `--walkthrough DIR`, draws every screen to PNG files without
//! a display.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use kiosk_app::counter_api::{self, CounterApi};
use kiosk_app::queue_store::QueueStore;
use kiosk_app::ui::{self, headless};
use kiosk_app::{devices, logging};
use kiosk_core::queue::State;
use slint::ComponentHandle;
use std::sync::Arc;

#[derive(Parser)]
#[command(version, about = "Hanoi public-service kiosk")]
struct Args {
    /// The configuration file.
    #[arg(long, env = "KIOSK_CONFIG", default_value = kiosk_core::config::DEFAULT_PATH)]
    config: PathBuf,
    /// Show the kiosk in a normal window instead of full screen (development on a desktop).
    #[arg(long)]
    windowed: bool,
    /// Draw every screen in every language and both screen shapes to PNG files in DIR, then exit.
    /// Needs no display.
    #[arg(long, value_name = "DIR")]
    walkthrough: Option<PathBuf>,
    /// Where the kiosk keeps its queue database and staff accounts (systemd's StateDirectory sets it).
    #[arg(long, env = "STATE_DIRECTORY", default_value = "/var/lib/kiosk")]
    state_dir: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// The outbox: what waits to be sent to the portal, for staff, technicians and benchmarks.
    #[command(subcommand)]
    Outbox(OutboxCommand),
}

#[derive(clap::Subcommand)]
enum OutboxCommand {
    /// Counts by state, the oldest waiting, the last error, and quarantined submissions with their reasons.
    Show,
    /// Send a quarantined submission again (after fixing what the portal refused).
    Retry { id: String },
    /// Save N synthetic dossiers (2 KB form, PAGES pages of PAGE_BYTES) and print each id once saved.
    Enqueue {
        #[arg(long, default_value_t = 1)]
        count: u64,
        #[arg(long, default_value_t = 1)]
        pages: u32,
        #[arg(long, default_value_t = 150_000)]
        page_bytes: usize,
        /// Forward to this portal URL while enqueueing (the crash test's child process).
        #[arg(long)]
        forward_to: Option<String>,
    },
    /// Run only the forwarder until nothing is waiting (the configured portal, or --portal URL).
    Forward {
        #[arg(long)]
        portal: Option<String>,
    },
}

fn main() -> ExitCode {
    logging::init();
    let args = Args::parse();
    let config = match kiosk_app::load_config(&args.config) {
        Ok(config) => config,
        Err(error) => {
            eprint!("{error}");
            eprintln!(
                "The kiosk does not start with a broken configuration. Check it with: kiosk-provision check-config {}",
                args.config.display()
            );
            tracing::error!(file = %args.config.display(), problems = error.problems.len(), "configuration rejected");
            return ExitCode::from(2);
        }
    };
    tracing::info!(kiosk = %config.kiosk.id, file = %args.config.display(), "configuration loaded");

    use kiosk_app::outbox::commands;
    let state = args.state_dir.as_path();
    let result = match (&args.command, &args.walkthrough) {
        (Some(Command::Outbox(command)), _) => match command {
            OutboxCommand::Show => commands::show(&config, state),
            OutboxCommand::Retry { id } => commands::retry(&config, state, id),
            OutboxCommand::Enqueue { count, pages, page_bytes, forward_to } => {
                commands::enqueue(&config, state, *count, *pages, *page_bytes, forward_to.as_deref())
            }
            OutboxCommand::Forward { portal } => {
                commands::forward(&config, state, portal.as_deref().unwrap_or(&config.portal.base_url))
            }
        },
        (None, Some(dir)) => walkthrough(&config, dir),
        (None, None) => run(&config, args.windowed, state),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kiosk: {error:#}");
            tracing::error!(error = %format!("{error:#}"), "kiosk stopped");
            ExitCode::FAILURE
        }
    }
}

fn walkthrough(config: &kiosk_core::config::Config, dir: &std::path::Path) -> anyhow::Result<()> {
    let written = headless::walkthrough(config, dir)?;
    println!("Drew {} screens and printed slips into {}:", written.len(), dir.display());
    for path in &written {
        println!("  {}", path.display());
    }
    Ok(())
}

fn run(config: &kiosk_core::config::Config, windowed: bool, state_dir: &std::path::Path) -> anyhow::Result<()> {
    let app = ui::build(config).context(
        "opening the kiosk window (on a desktop or under Xvfb set DISPLAY; on a kiosk build with --features kms)",
    )?;
    if !windowed {
        app.window().set_fullscreen(true);
    }
    let _clock = ui::start_clock(&app);

    let devices = devices::Devices::open(&config.devices);
    let store = open_queue(config, state_dir)?;
    let outbox = Arc::new(kiosk_app::outbox::commands::open(config, state_dir)?);
    let weak = app.as_weak();
    let conditions = Arc::new(std::sync::Mutex::new(kiosk_app::outbox::forwarder::Conditions::default()));
    let (outbox_signal, _forwarder) = kiosk_app::outbox::commands::spawn_forwarder_reporting(
        config,
        state_dir,
        &config.portal.base_url,
        outbox.clone(),
        conditions.clone(),
        move |summary| {
            let _ = weak.upgrade_in_event_loop(move |app| ui::show_outbox(&app, &summary));
        },
    )?;
    let weak = app.as_weak();
    store.subscribe(Box::new(move |_, queue| {
        let called: Vec<(String, u16)> = queue
            .now_serving()
            .into_iter()
            .filter_map(|t| match t.state {
                State::Called { counter } | State::Serving { counter } => Some((t.label(), counter)),
                _ => None,
            })
            .collect();
        let _ = weak.upgrade_in_event_loop(move |app| ui::show_now_serving(&app, &called));
    }));
    if let Some(api) = &config.counter_api {
        let weak = app.as_weak();
        let counter_api = CounterApi::new(
            store.clone(),
            config.queue.clone(),
            api.allow.clone(),
            state_dir.join(kiosk_app::STAFF_FILE),
            devices.pager_line(),
            kiosk_app::clock::now,
        )
        .on_page(Box::new(move |pager, outcome| {
            if let devices::PageOutcome::Paged { simulated: true } = outcome {
                let _ = weak.upgrade_in_event_loop(move |app| ui::show_vibrating_pager(&app, pager));
            }
        }));
        counter_api::spawn(Arc::new(counter_api), api.listen)?;
    } else {
        tracing::warn!("no [counter_api] in the configuration: counters cannot call tickets from this kiosk");
    }
    let (requests, requested) = std::sync::mpsc::channel();
    let print_requests = requests.clone();
    ui::on_print_test_page(&app, move || {
        // The device thread is gone only when the kiosk is stopping.
        let _ = print_requests.send(devices::Request::PrintTestPage);
    });
    // Checking a dossier's status: the portal is asked on a worker thread, the answer comes back to the screen.
    let tracking = Arc::new(std::sync::Mutex::new(
        kiosk_app::tracking::Cache::open(&state_dir.join("dossier-statuses.sqlite"))
            .context("opening the status cache")?,
    ));
    let device_key = kiosk_app::outbox::portal::device_key(state_dir)?;
    let track_key = device_key.clone();
    let (track_url, track_kiosk) = (config.portal.base_url.clone(), config.kiosk.id.clone());
    let weak = app.as_weak();
    ui::on_track_check(&app, move |code| {
        let (cache, key, url, kiosk, weak) =
            (tracking.clone(), track_key.clone(), track_url.clone(), track_kiosk.clone(), weak.clone());
        let spawned = std::thread::Builder::new().name("track-dossier".into()).spawn(move || {
            let answer = (|| -> anyhow::Result<kiosk_app::tracking::Answer> {
                let portal =
                    kiosk_app::outbox::portal::HttpPortal::new(&url, &kiosk, key, kiosk_app::outbox::commands::now)?;
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                let cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(runtime.block_on(kiosk_app::tracking::check(
                    &portal,
                    &cache,
                    &code,
                    kiosk_app::outbox::commands::now(),
                )))
            })()
            .unwrap_or_else(|error| {
                tracing::error!(error = %format!("{error:#}"), "checking a dossier failed");
                kiosk_app::tracking::Answer::Unreachable
            });
            let _ = weak.upgrade_in_event_loop(move |app| ui::show_track_answer(&app, &answer));
        });
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start checking a dossier");
        }
    });
    // The catalogue: the one last received from the portal, else the bundled one; refreshed from the portal at
    // start and every 6 hours (If-None-Match), a newer valid one replacing it on screen.
    // One catalogue and index, shared by the screen and the guidance slips.
    let lookup = Arc::new(kiosk_app::lookup::Lookup::load(state_dir));
    let shared_lookup = Arc::new(std::sync::RwLock::new(lookup.clone()));
    ui::install_lookup(&app, lookup);
    {
        let (key, url, kiosk_id) = (device_key, config.portal.base_url.clone(), config.kiosk.id.clone());
        let (dir, shared, weak) = (state_dir.to_path_buf(), shared_lookup.clone(), app.as_weak());
        std::thread::Builder::new().name("catalogue-refresh".into()).spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            let Ok(portal) =
                kiosk_app::outbox::portal::HttpPortal::new(&url, &kiosk_id, key, kiosk_app::outbox::commands::now)
            else {
                return;
            };
            loop {
                match runtime.block_on(kiosk_app::lookup::refresh(&portal, &dir)) {
                    Ok(Some(catalogue)) => {
                        let fresh = Arc::new(kiosk_app::lookup::Lookup::new(catalogue));
                        *shared.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.clone();
                        let _ = weak.upgrade_in_event_loop(move |app| ui::install_lookup(&app, fresh));
                    }
                    Ok(None) => {}
                    Err(error) => tracing::warn!(error = %format!("{error:#}"), "the catalogue could not be refreshed"),
                }
                std::thread::sleep(std::time::Duration::from_secs(6 * 3600));
            }
        })?;
    }
    let (guidance_requests, guidance_config) = (requests.clone(), config.clone());
    let guidance_lookup = shared_lookup;
    ui::on_print_guidance(&app, move |id, language| {
        let lookup = guidance_lookup.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some(procedure) = lookup.procedure(&id) {
            let document = kiosk_app::lookup::guidance_document(&guidance_config, procedure, language);
            // The device thread is gone only when the kiosk is stopping.
            let _ = guidance_requests.send(devices::Request::PrintGuidance(document));
        }
    });
    // A home-visit request and a dossier: saved in the outbox on a worker thread, then the slip printed (below).
    let portal_reachable = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let submitting = Submitting {
        outbox: outbox.clone(),
        signal: outbox_signal.clone(),
        reachable: portal_reachable.clone(),
        weak: app.as_weak(),
    };
    let (visit_submitting, visit_requests, visit_config) =
        (submitting.clone(), requests.clone(), Arc::new(config.clone()));
    ui::visit::on_visit_send(&app, move |request, mut confirmation, language| {
        let (requests, config) = (visit_requests.clone(), visit_config.clone());
        visit_submitting.spawn(
            "home-visit",
            Screens {
                saved: ui::visit::show_visit_saved,
                delivered: ui::visit::show_visit_delivered,
                undelivered: ui::visit::show_visit_undelivered,
                failed: ui::visit::show_visit_failed,
            },
            move |outbox, now| kiosk_app::visit::save(outbox, &request, now),
            move |reference, code| {
                confirmation.reference = reference.clone();
                confirmation.code = code;
                let document = kiosk_app::visit::confirmation_document(&config, &confirmation, language);
                let _ = requests.send(devices::Request::PrintVisit { reference, document });
            },
        );
    });
    // The dossier wizard: papers scanned on the device thread.
    let scan_requests = requests.clone();
    ui::dossier::on_dossier_scan(&app, move |card| {
        let _ = scan_requests.send(devices::Request::ScanPaper { card });
    });
    let (dossier_requests, dossier_config) = (requests.clone(), Arc::new(config.clone()));
    ui::dossier::on_dossier_send(&app, move |finished, language| {
        let (requests, config) = (dossier_requests.clone(), dossier_config.clone());
        let ui::dossier::Finished { form, pages, mut receipt } = finished;
        submitting.spawn(
            "dossier",
            Screens {
                saved: ui::dossier::show_dossier_saved,
                delivered: ui::dossier::show_dossier_delivered,
                undelivered: ui::dossier::show_dossier_undelivered,
                failed: ui::dossier::show_dossier_failed,
            },
            move |outbox, now| kiosk_app::dossier::save(outbox, &form, &pages, now),
            move |reference, code| {
                receipt.reference = reference.clone();
                receipt.code = code;
                let document = kiosk_app::dossier::receipt_document(&config, &receipt, language);
                let _ = requests.send(devices::Request::PrintReceipt { reference, document });
            },
        );
    });
    let weak = app.as_weak();
    let (ticket_store, ticket_config) = (store.clone(), Arc::new(config.clone()));
    ui::on_take_ticket(&app, move |service, priority, language| {
        let (store, config, weak, requests) =
            (ticket_store.clone(), ticket_config.clone(), weak.clone(), requests.clone());
        let failed = weak.clone();
        // Issuing waits for the disk: never on the UI thread.
        let spawned = std::thread::Builder::new().name("take-ticket".into()).spawn(move || {
            match kiosk_app::tickets::issue(&store, &config, &service, priority, kiosk_app::clock::now()) {
                Ok(issued) => {
                    let document = kiosk_app::tickets::ticket_document(&config, &issued, language);
                    let _ = weak.upgrade_in_event_loop(move |app| ui::show_ticket(&app, &issued));
                    let _ = requests.send(devices::Request::PrintTicket(document));
                }
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), "a queue ticket could not be issued");
                    let _ = weak.upgrade_in_event_loop(|app| ui::show_ticket_failed(&app));
                }
            }
        });
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start issuing a ticket");
            let _ = failed.upgrade_in_event_loop(|app| ui::show_ticket_failed(&app));
        }
    });
    let weak = app.as_weak();
    devices::spawn_monitor(
        devices,
        config.devices.clone(),
        config.portal.host_port(),
        devices::CHECK_INTERVAL,
        requested,
        move |event| {
            if let devices::Event::Checked(report) = &event {
                *conditions.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = report.conditions();
                portal_reachable
                    .store(report.portal == devices::PortalReach::Reachable, std::sync::atomic::Ordering::Relaxed);
            }
            weak.upgrade_in_event_loop(move |app| match event {
                devices::Event::Checked(report) => ui::apply_report(&app, &report),
                devices::Event::Printed(printed) => ui::show_printed(&app, &printed),
                devices::Event::TicketPrinted(printed) => ui::show_ticket_printed(&app, &printed),
                devices::Event::GuidancePrinted(printed) => ui::show_guidance_printed(&app, &printed),
                devices::Event::Scanned(scanned) => ui::dossier::show_scanned(&app, scanned),
                devices::Event::ReceiptPrinted { reference, printed } => {
                    ui::dossier::show_receipt_printed(&app, &reference, &printed)
                }
                devices::Event::VisitPrinted { reference, printed } => {
                    ui::visit::show_visit_printed(&app, &reference, &printed)
                }
            })
            .is_ok()
        },
    )
    .context("starting the device monitor thread")?;

    tracing::info!(windowed, state_dir = %state_dir.display(), "kiosk window shown");
    app.run().context("running the kiosk UI")
}

/// What a resident's submission (a dossier, a home-visit request) does after "send", on its own worker thread:
/// save it in the outbox, wake the forwarder, show "saved" with the short reference, wait a few seconds for the
/// portal's code (only when the portal answered the last check), show the outcome, then print the slip.
#[derive(Clone)]
struct Submitting {
    outbox: Arc<kiosk_app::outbox::store::Outbox>,
    signal: Arc<kiosk_app::outbox::forwarder::Signal>,
    reachable: Arc<std::sync::atomic::AtomicBool>,
    weak: slint::Weak<ui::AppWindow>,
}

/// The screen's answers to each step of a submission.
struct Screens {
    saved: fn(&ui::AppWindow, &str),
    delivered: fn(&ui::AppWindow, &str, &str),
    undelivered: fn(&ui::AppWindow, &str),
    failed: fn(&ui::AppWindow),
}

impl Submitting {
    fn spawn(
        &self,
        what: &'static str,
        screens: Screens,
        save: impl FnOnce(&kiosk_app::outbox::store::Outbox, i64) -> Result<String, kiosk_app::outbox::store::EnqueueError>
            + Send
            + 'static,
        print: impl FnOnce(String, Option<String>) + Send + 'static,
    ) {
        use kiosk_app::outbox::resident;
        let (outbox, signal, weak) = (self.outbox.clone(), self.signal.clone(), self.weak.clone());
        let wait = if self.reachable.load(std::sync::atomic::Ordering::Relaxed) {
            resident::DELIVERY_WAIT
        } else {
            std::time::Duration::ZERO
        };
        let spawned = std::thread::Builder::new().name(what.into()).spawn(move || {
            // `save` owns the form and pages: they are dropped as soon as they are sealed.
            let id = match save(&outbox, kiosk_app::outbox::commands::now()) {
                Ok(id) => id,
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), what, "a submission could not be saved");
                    let _ = weak.upgrade_in_event_loop(move |app| (screens.failed)(&app));
                    return;
                }
            };
            signal.wake();
            let reference = resident::short_reference(&id);
            let shown = reference.clone();
            let _ = weak.upgrade_in_event_loop(move |app| (screens.saved)(&app, &shown));
            let code = resident::wait_for_code(&outbox, &id, wait);
            let (shown, outcome) = (reference.clone(), code.clone());
            let _ = weak.upgrade_in_event_loop(move |app| match outcome {
                Some(code) => (screens.delivered)(&app, &shown, &code),
                None => (screens.undelivered)(&app, &shown),
            });
            print(reference, code);
        });
        if let Err(error) = spawned {
            tracing::error!(%error, what, "could not start saving a submission");
        }
    }
}

/// Opens the queue's database in the state directory (creating both, readable by the kiosk's user alone).
fn open_queue(config: &kiosk_core::config::Config, state_dir: &std::path::Path) -> anyhow::Result<Arc<QueueStore>> {
    kiosk_app::ensure_private_dir(state_dir)?;
    let path = state_dir.join("queue.sqlite");
    let store = QueueStore::open(&path, config.queue.setup(), kiosk_app::clock::now().0)
        .with_context(|| format!("opening the queue (state directory {}; is it writable?)", state_dir.display()))?;
    Ok(Arc::new(store))
}
