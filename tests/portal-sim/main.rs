//! `portal-sim`: the portal simulator as a program, for the demo (the README's run command starts it beside the
//! kiosk) and for trying faults by hand. Change faults while it runs with
//! `curl -X POST http://127.0.0.1:8787/admin/faults -H 'content-type: application/json' -d '{"error_rate":0.3}'`.
//! Make it go away entirely for a minute (connections refused, then it listens again) with
//! `curl -X POST http://127.0.0.1:8787/admin/away -H 'content-type: application/json' -d '{"seconds":60}'`.
//! Issue a one-time enrolment code (with `--enrolment-codes`, the only way a new kiosk enrols) with
//! `curl -X POST http://127.0.0.1:8787/admin/enrolment-codes -H 'content-type: application/json' -d '{}'`.

use std::path::PathBuf;

use clap::Parser;
use kiosk_tests::portal_sim::{self, Faults, Sim};

#[derive(Parser)]
#[command(about = "A stand-in for the city portal's kiosk API, with fault injection")]
struct Args {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: std::net::SocketAddr,
    /// Where the simulator keeps what it receives.
    #[arg(long, default_value = "out/portal-sim.sqlite")]
    db: PathBuf,
    /// Share of requests answered 503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share answered 429 with Retry-After: 1.
    #[arg(long, default_value_t = 0.0)]
    rate_limit_rate: f64,
    /// Share whose answer breaks off midway (after the request was stored).
    #[arg(long, default_value_t = 0.0)]
    reset_rate: f64,
    /// Share answered 200 with an HTML page (a captive portal).
    #[arg(long, default_value_t = 0.0)]
    html_rate: f64,
    /// Share answered 413.
    #[arg(long, default_value_t = 0.0)]
    too_large_rate: f64,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Seed for the fault dice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Every dossier's fee is paid in full this many seconds after its code is issued (0: only payments posted
    /// to /admin/payments count).
    #[arg(long, default_value_t = 120)]
    pay_after: u64,
    /// Places in each slot offered for bookings (`GET /kiosk-api/v1/slots`).
    #[arg(long, default_value_t = portal_sim::SLOT_CAPACITY)]
    slot_capacity: u32,
    /// A kiosk the portal does not know enrols only with a one-time code, as on the city's portal. Issue one with
    /// `curl -X POST http://127.0.0.1:8787/admin/enrolment-codes -H 'content-type: application/json'
    /// -d '{"kiosk_id":"HN-DEMO-0001"}'`, then `kiosk-provision enrol --code CODE`. Off: kiosks enrol by themselves.
    #[arg(long)]
    enrolment_codes: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(dir) = args.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let faults = Faults {
        error_rate: args.error_rate,
        rate_limit_rate: args.rate_limit_rate,
        reset_rate: args.reset_rate,
        html_rate: args.html_rate,
        too_large_rate: args.too_large_rate,
        latency_ms: args.latency_ms,
    };
    let sim = Sim::open(&args.db, portal_sim::DEV_SECRET, faults, args.seed)?;
    sim.set_pay_after((args.pay_after > 0).then_some(args.pay_after));
    sim.set_slot_capacity(args.slot_capacity);
    sim.require_enrolment_codes(args.enrolment_codes);
    let running = portal_sim::spawn(sim, args.listen)?;
    println!("portal simulator on {} (data in {})", running.base_url(), args.db.display());
    loop {
        std::thread::park();
    }
}
