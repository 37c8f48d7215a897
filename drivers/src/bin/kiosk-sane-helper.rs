//! `kiosk-sane-helper`: owns SANE for one request from the kiosk (see kiosk_drivers::scanner::helper), so that
//! SANE stays on one thread of its own process and a backend that hangs or crashes takes only this process.

fn main() {
    std::process::exit(kiosk_drivers::scanner::helper::helper_main());
}
