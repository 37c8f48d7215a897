//! The kiosk under systemd (the appliance's `kiosk.service`, `Type=notify` with `WatchdogSec=`): tells systemd
//! the kiosk is ready once the UI loop has drawn its first frame, and pings the watchdog from the UI loop, so a
//! hung screen (a stuck callback, a stopped process) misses its pings and systemd kills and restarts it.
//!
//! Outside systemd (`NOTIFY_SOCKET` unset: a desktop, the tests) every call here does nothing.

use std::time::Duration;

use sd_notify::NotifyState;

/// How often the UI loop pings the watchdog: half of `WatchdogSec=` (systemd's own advice), at least every
/// second.
pub fn ping_interval(watchdog: Duration) -> Duration {
    (watchdog / 2).max(Duration::from_secs(1)).min(watchdog)
}

/// Runs on the UI thread just before its event loop starts. Queues "ready" behind the first frame (a callback
/// posted now runs in the loop's second turn, after the first turn has drawn the screen) and starts the
/// watchdog's timer on the UI loop. Returns the timer, which must live as long as the loop.
pub fn install(kiosk_id: &str) -> Option<slint::Timer> {
    std::env::var_os("NOTIFY_SOCKET")?;
    let status = format!("STATUS=kiosk {kiosk_id}: screen drawn, serving");
    let posted = slint::invoke_from_event_loop(move || {
        // The second turn: the first frame was drawn in the first.
        let _ = slint::invoke_from_event_loop(move || {
            let ready = [NotifyState::Ready, NotifyState::Custom(&status)];
            match sd_notify::notify(false, &ready) {
                Ok(()) => tracing::info!("told systemd the kiosk is ready (first frame drawn)"),
                Err(error) => tracing::warn!(%error, "could not tell systemd the kiosk is ready"),
            }
        });
    });
    if let Err(error) = posted {
        tracing::warn!(%error, "could not queue the ready notice for systemd");
    }
    let mut usec = 0;
    if !sd_notify::watchdog_enabled(false, &mut usec) {
        return None;
    }
    let every = ping_interval(Duration::from_micros(usec));
    tracing::info!(watchdog_ms = usec / 1000, ping_ms = every.as_millis() as u64, "systemd watchdog on");
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, every, || {
        if let Err(error) = sd_notify::notify(false, &[NotifyState::Watchdog]) {
            tracing::warn!(%error, "could not ping systemd's watchdog");
        }
    });
    Some(timer)
}

/// Tells systemd the kiosk is stopping on purpose (the window was closed), so a stop is not taken for a crash.
pub fn stopping() {
    if std::env::var_os("NOTIFY_SOCKET").is_some() {
        let _ = sd_notify::notify(false, &[NotifyState::Stopping]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_twice_per_watchdog_period_and_never_less_often_than_it() {
        assert_eq!(ping_interval(Duration::from_secs(30)), Duration::from_secs(15));
        assert_eq!(ping_interval(Duration::from_secs(3)), Duration::from_millis(1500));
        assert_eq!(ping_interval(Duration::from_millis(1500)), Duration::from_secs(1));
        assert_eq!(ping_interval(Duration::from_millis(600)), Duration::from_millis(600));
    }
}
