//! `kiosk`: the program a kiosk runs. Loads the configuration (refusing to start on any problem), opens the
//! devices, and shows the full-screen UI; or, with `--walkthrough DIR`, draws every screen to PNG files without
//! a display.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use kiosk_app::app::{App, CoreMode, Options};
use kiosk_app::core_service::CoreService;
use kiosk_app::outbox::commands;
use kiosk_app::{logging, ui::headless};
use kiosk_core::config::Config;

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
    /// Where the counter API, the outbox's forwarder and the pager transmitter run: in this process, or in the
    /// kiosk's core service beside it (`kiosk core`; the appliance's kiosk-core.service), so they go on while
    /// the screen restarts.
    #[arg(long, env = "KIOSK_CORE", value_enum, default_value = "in-process")]
    core: CoreMode,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// The kiosk's core service, without a screen: the counter API, the queue, the outbox's forwarder and the
    /// pager transmitter (kiosk-core.service; the screen runs beside it with `--core service`).
    Core,
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
    /// Write a quarantined submission, still sealed to the portal's key, to a file for the portal's operators.
    Export {
        id: String,
        /// The folder to write `<id>.sealed.json` in.
        #[arg(long, default_value = ".")]
        to: std::path::PathBuf,
    },
    /// Save N synthetic dossiers (2 KB form, PAGES pages of PAGE_BYTES) and print each id once saved.
    Enqueue {
        #[arg(long, default_value_t = 1)]
        count: u64,
        #[arg(long, default_value_t = 1)]
        pages: u32,
        #[arg(long, default_value_t = 150_000)]
        page_bytes: usize,
        /// Forward to this portal URL while enqueueing (the crash test's child process).
        #[arg(long, value_parser = kiosk_core::config::check_portal_url)]
        forward_to: Option<String>,
    },
    /// Run only the forwarder until nothing is waiting (the configured portal, or --portal URL).
    Forward {
        /// Checked as the config's portal address is (plain http only to this machine).
        #[arg(long, value_parser = kiosk_core::config::check_portal_url)]
        portal: Option<String>,
    },
}

fn main() -> ExitCode {
    kiosk_app::no_core_dumps();
    kiosk_app::tune_allocator();
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
    let state = args.state_dir.as_path();
    let result = match (args.command, &args.walkthrough) {
        (Some(Command::Outbox(command)), _) => outbox(command, &config, state),
        (Some(Command::Core), _) => CoreService::start(config, state).and_then(CoreService::run),
        (None, Some(dir)) => walkthrough(&config, dir),
        (None, None) => {
            if let Err(error) = kiosk_app::ui::select_platform() {
                eprintln!(
                    "kiosk: choosing the display platform: {error} (on a desktop or under Xvfb set DISPLAY; on a kiosk \
                     SLINT_BACKEND=linuxkms-software with seatd running, as kiosk.service does)"
                );
                return ExitCode::FAILURE;
            }
            let options = Options { windowed: args.windowed, core: args.core, ..Options::new(state) };
            App::start(config, &options).and_then(|app| app.run())
        }
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

fn outbox(command: OutboxCommand, config: &Config, state: &Path) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Show => commands::show(config, state),
        OutboxCommand::Retry { id } => commands::retry(config, state, &id),
        OutboxCommand::Export { id, to } => commands::export(config, state, &id, &to).map(|_| ()),
        OutboxCommand::Enqueue { count, pages, page_bytes, forward_to } => {
            commands::enqueue(config, state, count, pages, page_bytes, forward_to.as_deref())
        }
        OutboxCommand::Forward { portal } => {
            commands::forward(config, state, portal.as_deref().unwrap_or(&config.portal.base_url))
        }
    }
}

fn walkthrough(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let written = headless::walkthrough(config, dir)?;
    println!("Drew {} screens and printed slips into {}:", written.len(), dir.display());
    for path in &written {
        println!("  {}", path.display());
    }
    Ok(())
}
