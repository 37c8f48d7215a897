//! `kiosk-provision`: the technician's tool for setting up and testing a kiosk.
//!
//! `check-config FILE` validates a configuration exactly as the kiosk does at start and prints every problem.
//! The device issues add their self-test commands here. Must not do: change a kiosk's files without being asked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kiosk_core::config::{self, Config};

#[derive(Parser)]
#[command(version, about = "Set up and test a Hanoi public-service kiosk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a configuration file as the kiosk would, printing every problem (exit status 2 if any).
    CheckConfig {
        /// The file, usually /etc/kiosk/kiosk.toml.
        #[arg(default_value = config::DEFAULT_PATH)]
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::CheckConfig { file } => check_config(&file),
    }
}

fn check_config(file: &Path) -> ExitCode {
    let loaded = std::fs::read(file)
        .map_err(|e| config::Error::unreadable(file, &e))
        .and_then(|bytes| config::parse(file, &bytes));
    match loaded {
        Ok(config) => {
            print!("{}", summary(file, &config));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprint!("{error}");
            eprintln!("The kiosk refuses to start until every problem above is fixed. The documented example is assets/kiosk.example.toml.");
            ExitCode::from(2)
        }
    }
}

/// What a valid file sets up, so the technician can see it is the kiosk they meant.
fn summary(file: &Path, config: &Config) -> String {
    let mut out = format!("{}: valid\n", file.display());
    out += &format!("  kiosk      {} at {}, {}\n", config.kiosk.id, config.kiosk.service_point, config.kiosk.ward);
    out += &format!("  portal     {}\n", config.portal.base_url);
    let languages: Vec<&str> = config.ui.languages.iter().map(|l| l.code()).collect();
    out += &format!("  languages  {} (idle timeout {} s)\n", languages.join(", "), config.ui.idle_timeout_seconds);
    for (role, device) in
        [("printer", &config.devices.printer), ("scanner", &config.devices.scanner), ("pager", &config.devices.pager)]
    {
        let serial = device
            .serial
            .map(|s| format!(" at {} baud, flow control {:?}", s.baud, s.flow_control))
            .unwrap_or_default();
        out += &format!("  {role:<10} {}{serial}\n", device.transport);
    }
    let services: Vec<String> = config.queue.services.iter().map(|s| format!("{} {}", s.code, s.name_vi)).collect();
    out += &format!("  services   {}\n", services.join(", "));
    out
}
