//! `kiosk-sane-helper`: owns SANE for one request from the kiosk (see kiosk_drivers::scanner::helper), so that
//! SANE stays on one thread of its own process and a backend that hangs or crashes takes only this process.
//! It confines itself first (kiosk_drivers::scanner::confine): no file of the kiosk's is within its reach.
//!
//! `kiosk-sane-helper --confinement-check PATH` confines itself, then says whether PATH can still be read
//! (`denied` or `readable`) and how much the kernel enforces: for technicians and the tests.

use kiosk_drivers::scanner::confine::{confine, Confinement};

fn main() {
    let confinement = match confine() {
        Ok(confinement) => confinement,
        Err(error) => {
            eprintln!("kiosk-sane-helper: could not confine itself ({error}); refusing to run SANE unconfined");
            std::process::exit(3);
        }
    };
    if confinement == Confinement::None {
        eprintln!("kiosk-sane-helper: this kernel has no Landlock: running with the kiosk's rights");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, path] = args.as_slice() {
        if flag == "--confinement-check" {
            let verdict = if std::fs::File::open(path).is_ok() { "readable" } else { "denied" };
            println!("{verdict} {confinement:?}");
            std::process::exit(0);
        }
    }
    std::process::exit(kiosk_drivers::scanner::helper::helper_main());
}
