//! `kiosk`: the program a kiosk runs. Loads the configuration (refusing to start on any problem), opens the
//! devices, and shows the full-screen UI; or, with `--walkthrough DIR`, draws every screen to PNG files without
//! a display.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use kiosk_app::ui::{self, headless};
use kiosk_app::{devices, logging};
use slint::ComponentHandle;

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

    let result = match &args.walkthrough {
        Some(dir) => walkthrough(&config, dir),
        None => run(&config, args.windowed),
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

fn run(config: &kiosk_core::config::Config, windowed: bool) -> anyhow::Result<()> {
    let app = ui::build(config).context(
        "opening the kiosk window (on a desktop or under Xvfb set DISPLAY; on a kiosk build with --features kms)",
    )?;
    if !windowed {
        app.window().set_fullscreen(true);
    }
    let _clock = ui::start_clock(&app);

    let weak = app.as_weak();
    let devices = devices::Devices::open(&config.devices);
    let (requests, requested) = std::sync::mpsc::channel();
    ui::on_print_test_page(&app, move || {
        // The device thread is gone only when the kiosk is stopping.
        let _ = requests.send(devices::Request::PrintTestPage);
    });
    devices::spawn_monitor(
        devices,
        config.devices.clone(),
        config.portal.host_port(),
        devices::CHECK_INTERVAL,
        requested,
        move |event| {
            weak.upgrade_in_event_loop(move |app| match event {
                devices::Event::Checked(report) => ui::apply_report(&app, &report),
                devices::Event::Printed(printed) => ui::show_printed(&app, &printed),
            })
            .is_ok()
        },
    )
    .context("starting the device monitor thread")?;

    tracing::info!(windowed, "kiosk window shown");
    app.run().context("running the kiosk UI")
}
