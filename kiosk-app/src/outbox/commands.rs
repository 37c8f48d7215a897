//! `kiosk outbox ...`: the outbox for staff, technicians and benchmarks. Shows counts (declined bookings among
//! them) and quarantined submissions (never personal data), releases a quarantined one, enqueues synthetic
//! dossiers, runs only the forwarder.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use kiosk_core::config::Config;
use kiosk_core::portal::Kind;

use super::store::{NewSubmission, Outbox};
use crate::clock::unix_now as now;
use crate::portal::{device_key, HttpPortal};

/// The outbox in a state directory.
pub fn open(config: &Config, state_dir: &Path) -> anyhow::Result<Outbox> {
    Outbox::open(&state_dir.join("outbox"), config.portal.public_key)
}

/// Counts by state, the oldest waiting age, the last error, and each quarantined submission with its reason.
pub fn show(config: &Config, state_dir: &Path) -> anyhow::Result<()> {
    let outbox = open(config, state_dir)?;
    let summary = outbox.summary(now())?;
    println!(
        "queued {}  sending {}  quarantined {}  acknowledged (receipts) {}  declined (receipts) {}  taken by hand \
         (receipts) {}",
        summary.queued,
        summary.sending,
        summary.quarantined,
        summary.acknowledged,
        summary.declined,
        summary.taken_by_hand
    );
    if let Some(age) = summary.oldest_waiting {
        println!("oldest waiting: {} min", age / 60);
    }
    if let Some(error) = summary.last_error {
        println!("last error: {error}");
    }
    for q in outbox.quarantined()? {
        let kind = match q.kind {
            Kind::Dossier => "dossier",
            Kind::HomeVisit => "home visit",
            Kind::Booking => "booking",
        };
        println!(
            "quarantined {}  {kind} {}  since {}  reason: {}  (send again: kiosk outbox retry {}; for the portal's \
             operators: kiosk outbox export {})",
            q.id,
            q.procedure_code.as_deref().unwrap_or(""),
            crate::clock::local_rfc3339(q.created_at),
            q.reason,
            q.id,
            q.id
        );
    }
    for dir in [state_dir.join("outbox"), state_dir.to_path_buf()] {
        for aside in crate::sqlite::set_aside_in(&dir) {
            println!(
                "set aside as corrupt: {}  (the rows that could be read were copied back; keep it for the support team)",
                aside.display()
            );
        }
    }
    Ok(())
}

/// Sends a quarantined submission again.
pub fn retry(config: &Config, state_dir: &Path, id: &str) -> anyhow::Result<()> {
    let outbox = open(config, state_dir)?;
    if outbox.release(id, now())? {
        println!("{id} is queued again; a running kiosk sends it within a minute.");
        Ok(())
    } else {
        anyhow::bail!("{id} is not a quarantined submission (see: kiosk outbox show)")
    }
}

/// Writes quarantined submission `id`, still sealed to the portal's key, to `<dir>/<id>.sealed.json` (mode 600):
/// its metadata, the reason it was set aside, and its sealed form and pages in base64, for the portal's operators
/// to take in by hand when it cannot be sent. Nobody but the portal can open it; the kiosk keeps its own copy.
/// Returns the file's path.
pub fn export(config: &Config, state_dir: &Path, id: &str, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    use base64::Engine as _;
    let outbox = open(config, state_dir)?;
    let quarantined = outbox
        .quarantined()?
        .into_iter()
        .find(|q| q.id == id)
        .with_context(|| format!("{id} is not a quarantined submission (see: kiosk outbox show)"))?;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let form = outbox.sealed_form(id).with_context(|| format!("{id}: its sealed form cannot be read"))?;
    let pages: Vec<String> = (0..quarantined.page_count)
        .map(|index| {
            outbox
                .sealed_page(id, index)
                .map(|page| b64(&page))
                .with_context(|| format!("{id}: its sealed page {index} cannot be read"))
        })
        .collect::<anyhow::Result<_>>()?;
    let body = serde_json::json!({
        "id": id,
        "kind": match quarantined.kind {
            Kind::Dossier => "dossier",
            Kind::HomeVisit => "home_visit",
            Kind::Booking => "booking",
        },
        "procedure_code": quarantined.procedure_code,
        "created_at": crate::clock::local_rfc3339(quarantined.created_at),
        "kiosk_id": config.kiosk.id,
        "reason": quarantined.reason,
        "sealed_to": b64(&config.portal.public_key),
        "sealed_form": b64(&form),
        "sealed_pages": pages,
    });
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{id}.sealed.json"));
    crate::write_atomically(&path, serde_json::to_string_pretty(&body)?.as_bytes(), 0o600)?;
    println!("{id} written to {} (sealed to the portal's key; the kiosk keeps its copy)", path.display());
    Ok(path)
}

/// Enqueues `count` synthetic dossiers (a 2 KB form, `pages` pages of `page_bytes` each), printing each id once it
/// is saved. The forms are marked synthetic and carry no real person's data.
pub fn enqueue(
    config: &Config,
    state_dir: &Path,
    count: u64,
    pages: u32,
    page_bytes: usize,
    forward: Option<&str>,
) -> anyhow::Result<()> {
    let outbox = Arc::new(open(config, state_dir)?);
    // Forwarding beside enqueueing (the crash test kills this process at random points in both).
    let forwarder = match forward {
        Some(url) => Some(spawn_forwarder(config, state_dir, url, outbox.clone())?),
        None => None,
    };
    let mut out = std::io::stdout().lock();
    for n in 0..count {
        let form = synthetic_form(n);
        let page: Vec<Vec<u8>> = (0..pages).map(|p| synthetic_page(n, p, page_bytes)).collect();
        let new = NewSubmission { kind: Kind::Dossier, procedure_code: Some("1.001193"), form: &form, pages: &page };
        let id = outbox.enqueue(new, now())?;
        writeln!(out, "saved {id}")?;
        out.flush()?;
        if let Some((signal, _)) = &forwarder {
            signal.wake();
        }
    }
    if let Some((signal, thread)) = forwarder {
        // Let it finish what is due, then stop.
        while outbox.summary(now())?.waiting() > 0 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        signal.stop();
        let _ = thread.join();
    }
    Ok(())
}

/// A synthetic 2 KB form (JSON), different for each n.
pub fn synthetic_form(n: u64) -> Vec<u8> {
    let filler = "x".repeat(1_800);
    serde_json::to_vec(&serde_json::json!({ "synthetic": true, "n": n, "procedure": "1.001193", "filler": filler }))
        .unwrap_or_default()
}

/// A synthetic page of `size` bytes (noise-like, so it does not compress away).
pub fn synthetic_page(n: u64, page: u32, size: usize) -> Vec<u8> {
    let mut state = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ u64::from(page) ^ 0x5555;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// Runs only the forwarder against `url` until nothing is waiting (quarantined ones stay for staff).
pub fn forward(config: &Config, state_dir: &Path, url: &str) -> anyhow::Result<()> {
    let outbox = Arc::new(open(config, state_dir)?);
    let started = std::time::Instant::now();
    let before = outbox.summary(now())?;
    let (signal, thread) = spawn_forwarder(config, state_dir, url, outbox.clone())?;
    loop {
        let summary = outbox.summary(now())?;
        if summary.waiting() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    signal.stop();
    let _ = thread.join();
    let after = outbox.summary(now())?;
    let (cpu, peak) = resource_use();
    println!(
        "sent {} in {:.1} s; quarantined {}; cpu {:.2} s; peak rss {} KiB",
        after.acknowledged.saturating_sub(before.acknowledged),
        started.elapsed().as_secs_f64(),
        after.quarantined,
        cpu,
        peak
    );
    Ok(())
}

/// This process's CPU time so far (user + system, every thread, in seconds) and its peak resident memory (KiB),
/// from /proc; zeros where /proc cannot be read.
pub fn resource_use() -> (f64, u64) {
    // Fields 14 and 15 of /proc/self/stat, after the command name in parentheses; in USER_HZ ticks (100 a second
    // on Linux, fixed by its ABI).
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) as f64 / 100.0)
        })
        .unwrap_or(0.0);
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0);
    (cpu, peak)
}

/// Starts the forwarder on its own thread and runtime, enrolling the kiosk first. Returns its signal and thread.
pub fn spawn_forwarder(
    config: &Config,
    state_dir: &Path,
    url: &str,
    outbox: Arc<Outbox>,
) -> anyhow::Result<(Arc<super::forwarder::Signal>, std::thread::JoinHandle<()>)> {
    spawn_forwarder_reporting(config, state_dir, url, outbox, Arc::default(), |_| {})
}

/// As [`spawn_forwarder`], telling `report` the outbox's counts after each pass and sending `conditions` in the
/// heartbeat. The forwarder gets a runtime of its own here: this is the command line, not the kiosk (the kiosk runs
/// it on its one network runtime, see `app`).
pub fn spawn_forwarder_reporting(
    config: &Config,
    state_dir: &Path,
    url: &str,
    outbox: Arc<Outbox>,
    conditions: Arc<std::sync::Mutex<super::forwarder::Conditions>>,
    report: impl Fn(super::store::Summary) + Send + 'static,
) -> anyhow::Result<(Arc<super::forwarder::Signal>, std::thread::JoinHandle<()>)> {
    let key = device_key(state_dir)?;
    let enrolment = crate::portal::enrolment(&config.kiosk.id, &key);
    let portal = HttpPortal::new(url, &config.kiosk.id, key, now)?;
    let signal = Arc::new(super::forwarder::Signal::default());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("forwarder runtime")?;
    let stop = signal.clone();
    let thread = std::thread::Builder::new().name("outbox-forwarder".into()).spawn(move || {
        runtime.block_on(super::forwarder::enrol_and_run(portal, enrolment, outbox, conditions, stop, report));
    })?;
    Ok((signal, thread))
}
