//! `kiosk core`: the half of the kiosk that must go on while the screen restarts (a crash, the watchdog, an
//! upgrade): the counter API and the staff console, the queue, the outbox's forwarder to the portal, and the
//! pager transmitter. On the appliance it is kiosk-core.service; the screen (`kiosk --core service`,
//! kiosk.service) runs beside it. They share the state directory and nothing else:
//! - the queue: one SQLite event log both write (queue_store: a command catches up under the write lock);
//! - the outbox: the screen saves (`Outbox::open_for_saving`), the core owns and forwards; it notices the screen's
//!   saves within a quarter of a second (`PRAGMA data_version`) and wakes its forwarder;
//! - the pager: the core owns the transmitter; the screen asks it over `pager.sock` (devices::pager_socket);
//! - a counter's reprint: left in `print-spool/` for the screen's printer (print_spool);
//! - status.json: written by the screen; the core reads the printer's and scanner's conditions from it for its
//!   heartbeat to the portal.
//!
//! Must not do: name Slint, open the printer or the scanner (the screen's), or write status.json.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use kiosk_core::config::Config;
use sd_notify::NotifyState;

use crate::app::{open_queue, start_counter_api, start_forwarder, Network};
use crate::devices::{self, pager_socket, PagerLine};
use crate::outbox::forwarder::{Conditions, Signal};
use crate::outbox::store::Outbox;
use crate::portal::HttpPortal;
use crate::queue_store::QueueStore;
use crate::{clock, print_spool, status_file};

/// How often the core looks for saves the screen made (one pragma when there are none).
const SAVES_POLL: Duration = Duration::from_millis(250);
/// How often the heartbeat's device conditions are brought up to date.
const CONDITIONS_EVERY: Duration = Duration::from_secs(15);

/// The core service, started: what it owns lives as long as it does.
pub struct CoreService {
    pub queue: Arc<QueueStore>,
    pub outbox: Arc<Outbox>,
    /// Where the counter API listens, when the configuration has one.
    pub counter_api: Option<std::net::SocketAddr>,
    /// The simulated transmitter's handle (the demo and the tests); None for a real one.
    pub pager: Option<kiosk_drivers::pager::SimPagerControl>,
    pub forwarder: Arc<Signal>,
    kiosk_id: String,
    network: Network,
}

impl CoreService {
    /// Opens the queue, the outbox (as its forwarding owner), the pager transmitter and its socket, the counter
    /// API and the forwarder.
    pub fn start(config: Config, state_dir: &Path) -> anyhow::Result<CoreService> {
        crate::ensure_private_dir(state_dir)?;
        let config = Arc::new(config);
        let forwarder = Arc::new(Signal::default());
        let network = Network::start(forwarder.clone())?;
        let handle = network.handle();
        let (pager, pager_control) = devices::pager::open(&config.devices.pager);
        pager_socket::serve(pager.clone(), &state_dir.join(pager_socket::SOCKET))?;
        let queue = open_queue(&config, state_dir)?;
        let counter_key = crate::held::counter_key(state_dir)?;
        let outbox = Arc::new(
            Outbox::open(&state_dir.join("outbox"), config.portal.public_key)
                .context("opening the outbox")?
                .with_counter_key(*counter_key.public_key().as_bytes()),
        );
        let key = crate::portal::device_key(state_dir)?;
        let portal = HttpPortal::new(&config.portal.base_url, &config.kiosk.id, key.clone(), clock::unix_now)?;
        let held = Arc::new(crate::held::Held::new(outbox.clone(), counter_key, forwarder.clone()));
        let spool = state_dir.to_owned();
        let counter_api = start_counter_api(
            &config,
            &handle,
            &queue,
            pager.clone(),
            state_dir,
            held,
            // A simulated pager shows on the screen only when both run in one process (the demo).
            Box::new(|_, _| {}),
            Box::new(move |issued| {
                if let Err(error) = print_spool::put(&spool, &issued) {
                    tracing::error!(error = %format!("{error:#}"), "a counter's reprint could not be left for the screen");
                }
            }),
        )?;
        let conditions = Arc::new(Mutex::new(Conditions::default()));
        follow_the_screen(state_dir.to_owned(), pager, conditions.clone(), outbox.clone(), forwarder.clone())?;
        let enrolment = crate::portal::enrolment(&config.kiosk.id, &key);
        start_forwarder(&handle, &portal, enrolment, &outbox, conditions, &forwarder, |_| {});
        tracing::info!(kiosk = %config.kiosk.id, state_dir = %state_dir.display(), "kiosk core started");
        Ok(CoreService {
            queue,
            outbox,
            counter_api,
            pager: pager_control,
            forwarder,
            kiosk_id: config.kiosk.id.clone(),
            network,
        })
    }

    /// Runs until SIGTERM or SIGINT: tells systemd it is ready and pings its watchdog from the network runtime
    /// (a wedged runtime misses its pings and is restarted).
    pub fn run(self) -> anyhow::Result<()> {
        let handle = self.network.handle();
        let kiosk_id = self.kiosk_id.clone();
        handle.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
            let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
            let systemd = std::env::var_os("NOTIFY_SOCKET").is_some();
            if systemd {
                let status = format!("STATUS=kiosk {kiosk_id}: core serving (counter API, forwarder, pager)");
                if let Err(error) = sd_notify::notify(false, &[NotifyState::Ready, NotifyState::Custom(&status)]) {
                    tracing::warn!(%error, "could not tell systemd the core is ready");
                }
                let mut usec = 0;
                if sd_notify::watchdog_enabled(false, &mut usec) {
                    let every = crate::ui::systemd::ping_interval(Duration::from_micros(usec));
                    tokio::spawn(async move {
                        let mut tick = tokio::time::interval(every);
                        loop {
                            tick.tick().await;
                            let _ = sd_notify::notify(false, &[NotifyState::Watchdog]);
                        }
                    });
                }
            }
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            if systemd {
                let _ = sd_notify::notify(false, &[NotifyState::Stopping]);
            }
            tracing::info!("kiosk core stopping");
            Ok::<_, anyhow::Error>(())
        })?;
        self.forwarder.stop();
        Ok(())
    }
}

/// The core's thread that follows the screen: wakes the forwarder when the screen saved something, and brings
/// the heartbeat's conditions up to date (printer and scanner from the screen's status.json while it is fresh,
/// the pager from the core's own transmitter).
fn follow_the_screen(
    state_dir: PathBuf,
    pager: PagerLine,
    conditions: Arc<Mutex<Conditions>>,
    outbox: Arc<Outbox>,
    forwarder: Arc<Signal>,
) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("core-follow".into())
        .spawn(move || {
            let mut last_conditions = None::<std::time::Instant>;
            while !forwarder.is_stopped() {
                if outbox.saved_elsewhere() {
                    forwarder.wake();
                }
                if last_conditions.is_none_or(|at| at.elapsed() >= CONDITIONS_EVERY) {
                    last_conditions = Some(std::time::Instant::now());
                    let now = conditions_now(&state_dir, &pager, clock::unix_now());
                    *conditions.lock().unwrap_or_else(PoisonError::into_inner) = now;
                }
                std::thread::sleep(SAVES_POLL);
            }
        })
        .context("starting the core's follow thread")?;
    Ok(())
}

/// The heartbeat's device codes: the screen's printer and scanner from its status.json (a status older than
/// three of its refresh periods means the screen is down: "screen_down"), the pager from the core.
fn conditions_now(state_dir: &Path, pager: &PagerLine, now: i64) -> Conditions {
    let pager = pager.check().code();
    match status_file::read(state_dir) {
        Some(status) if now - status.at <= 3 * status_file::REFRESH_SECONDS => Conditions {
            printer: status.printer.map_or_else(|| "checking".into(), |d| d.health),
            scanner: status.scanner.map_or_else(|| "checking".into(), |d| d.health),
            pager,
        },
        _ => Conditions { printer: "screen_down".into(), scanner: "screen_down".into(), pager },
    }
}
