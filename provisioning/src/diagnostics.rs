//! `kiosk-provision diagnostics`: one .tar.gz a technician can send to the developers: versions, the
//! configuration with its keys removed, the devices found, the last self-test, the kiosk's status and counts,
//! and the last hours of the kiosk's log. It must hold no personal data and no secret: only named files go in
//! (never the outbox, the keys, the staff or PIN files, the TLS keys), the log's lines are scrubbed of anything
//! that looks like an ID or phone number or an e-mail address, and the finished archive is searched for the
//! kiosk's own keys before it is kept.
//! Must not do: read the outbox's sealed forms or the counter's copies.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::place::Place;
use crate::steps::{Report, Step};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub place: Place,
    #[arg(long)]
    pub json: bool,
    /// Where to write the archive (default: kiosk-diagnostics-<kiosk>-<time>.tar.gz here).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Hours of the kiosk's log to include.
    #[arg(long, default_value_t = 6)]
    pub hours: u32,
    /// Take the log from this file instead of the journal (a kiosk not run by systemd).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Also list SANE scanners in devices.json (seconds when SANE searches the network).
    #[arg(long)]
    pub scanners: bool,
}

pub fn run(args: &Args) -> ExitCode {
    diagnostics(args).finish(args.json)
}

pub fn diagnostics(args: &Args) -> Report {
    let mut report = Report::new("diagnostics");
    let config_text = std::fs::read_to_string(&args.place.config).ok();
    let kiosk_id = args.place.load().ok().map(|c| c.kiosk.id);
    report.kiosk_id = kiosk_id.clone();
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "kiosk-diagnostics-{}-{}.tar.gz",
            kiosk_id.as_deref().unwrap_or("unknown"),
            chrono::Local::now().format("%Y%m%d-%H%M")
        ))
    });

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    files.push(("versions.txt".into(), versions().into_bytes()));
    match &config_text {
        Some(text) => files.push(("kiosk.toml".into(), redact_config(text).into_bytes())),
        None => {
            report.push(Step::warn(
                "config",
                format!("{} could not be read", args.place.config.display()),
                "give --config",
            ));
        }
    }
    files.push(("devices.json".into(), crate::detect::json_report(args.scanners).into_bytes()));
    for name in ["self-test.json", kiosk_app::status_file::FILE, crate::place::ENROLMENT_RECORD] {
        if let Ok(bytes) = std::fs::read(args.place.state_dir.join(name)) {
            files.push((name.into(), bytes));
        }
    }
    let status = crate::status::status(&args.place);
    files.push(("status-now.txt".into(), status.text(false).into_bytes()));
    let (log, source) = match &args.log {
        Some(path) => (std::fs::read_to_string(path).unwrap_or_default(), path.display().to_string()),
        None => (journal(args.hours), format!("journalctl -u kiosk -u kiosk-core --since -{}h", args.hours)),
    };
    let (log, scrubbed) = scrub_log(&log);
    let lines = log.lines().count();
    files.push(("kiosk.log".into(), log.into_bytes()));
    report.push(Step::pass(
        "log",
        format!("{lines} lines from {source}; {scrubbed} look-alikes of an ID, phone number or e-mail removed"),
    ));
    let manifest: String = files.iter().map(|(name, bytes)| format!("{name}\t{} bytes\n", bytes.len())).collect();
    files.push(("MANIFEST.txt".into(), manifest.into_bytes()));

    // No secret of this kiosk's may be in it, in any form we keep them.
    let secrets = secrets(&args.place.state_dir);
    if let Some((name, _)) = files.iter().find(|(_, bytes)| secrets.iter().any(|s| contains(bytes, s))) {
        report.push(Step::fail(
            "secrets",
            format!("{name} would hold one of the kiosk's keys; no archive was written"),
            "report this to the developers",
        ));
        return report;
    }
    report.push(Step::pass("secrets", format!("none of the kiosk's {} keys is in it", secrets.len() / 2)));

    match write_archive(&out, &files) {
        Ok(size) => {
            report
                .push(Step::pass("archive", format!("{} ({} files, {} KiB)", out.display(), files.len(), size / 1024)));
            report.result.insert("archive".into(), out.display().to_string().into());
        }
        Err(error) => {
            report.push(Step::fail("archive", format!("cannot write {}: {error}", out.display()), "give --out PATH"));
        }
    }
    report
}

fn versions() -> String {
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_owned())))
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/version").unwrap_or_default();
    let package = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "kiosk"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_else(|| "not installed as a package".into());
    format!(
        "kiosk-provision {}\nkiosk package: {package}\nos: {os}\nkernel: {}\n",
        env!("CARGO_PKG_VERSION"),
        kernel.trim()
    )
}

/// The configuration with every key's value removed (public keys too: they identify the portal's setup).
fn redact_config(text: &str) -> String {
    text.lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or_default().trim().to_ascii_lowercase();
            if !line.trim_start().starts_with('#')
                && line.contains('=')
                && ["key", "pin", "secret", "token", "password"].iter().any(|w| key.contains(w))
            {
                format!("{} = \"<removed>\"\n", line.split('=').next().unwrap_or_default().trim_end())
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

fn journal(hours: u32) -> String {
    std::process::Command::new("journalctl")
        .args([
            "-u",
            "kiosk.service",
            "-u",
            "kiosk-core.service",
            "--since",
            &format!("-{hours}h"),
            "-o",
            "short-iso",
            "--no-pager",
            "-q",
        ])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_else(|| "(no journal on this machine)\n".into())
}

/// Removes from each log line anything shaped like personal data, whatever logged it: runs of 9 or more digits
/// (ID card numbers have 12, phone numbers 10; spaces and dots between digits count), and e-mail addresses.
/// Returns the text and how many were removed. The kiosk logs none (ARCHITECTURE's invariants); this is the
/// second lock.
pub fn scrub_log(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut removed = 0;
    for line in text.lines() {
        let mut kept = String::with_capacity(line.len());
        for word in line.split_inclusive(' ') {
            let bare = word.trim_end();
            if bare.contains('@') && bare.contains('.') && bare.len() > 4 {
                kept.push_str("<e-mail removed>");
                kept.push_str(&word[bare.len()..]);
                removed += 1;
            } else {
                kept.push_str(word);
            }
        }
        let (line, count) = scrub_digits(&kept);
        removed += count;
        out.push_str(&line);
        out.push('\n');
    }
    (out, removed)
}

fn scrub_digits(line: &str) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut removed = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // A run of digits with single spaces, dots or dashes between them.
            let mut j = i;
            let mut digits = 0;
            let mut end = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                } else if !(matches!(chars[j], ' ' | '.' | '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit)) {
                    break;
                }
                j += 1;
            }
            if digits >= 9 {
                out.push_str("<number removed>");
                removed += 1;
            } else {
                out.extend(&chars[i..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    (out, removed)
}

/// The kiosk's secrets as they lie in its files, each as text and as raw bytes.
fn secrets(state_dir: &Path) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let mut found = Vec::new();
    for name in ["device.key", "counter.key"] {
        if let Ok(text) = std::fs::read_to_string(state_dir.join(name)) {
            let text = text.trim().to_owned();
            if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(&text) {
                found.push(raw);
            }
            found.push(text.into_bytes());
        }
    }
    if let Ok(text) = std::fs::read_to_string(state_dir.join(kiosk_app::technician::PIN_FILE)) {
        found.push(text.trim().as_bytes().to_vec());
        found.push(text.trim().as_bytes().to_vec());
    }
    found.retain(|s| s.len() >= 16);
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Writes the files into a gzip'd tar (mode 600: it is for the technician to send, not for every user), whole or
/// not at all. Returns its size.
fn write_archive(out: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<u64> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    {
        let mut tar = tar::Builder::new(&mut gz);
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        for (name, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o600);
            header.set_mtime(now);
            header.set_cksum();
            tar.append_data(&mut header, format!("kiosk-diagnostics/{name}"), bytes.as_slice())?;
        }
        tar.finish()?;
    }
    let bytes = gz.finish()?;
    kiosk_app::keyfile::replace(out, &bytes, 0o600)?;
    Ok(bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_phones_and_addresses_are_scrubbed_from_the_log() {
        let (text, removed) = scrub_log(
            "2026-12-07 dossier saved id=001085012345 phone 0912 345 678 by nam.hv@gmail.com\n\
             printed 3 pages in 1.25 s, outbox 1024 bytes\n",
        );
        assert_eq!(removed, 3, "{text}");
        assert!(!text.contains("001085012345") && !text.contains("0912") && !text.contains("gmail"), "{text}");
        assert!(text.contains("printed 3 pages in 1.25 s, outbox 1024 bytes"), "ordinary figures stay: {text}");
        assert!(text.starts_with("2026-12-07"), "dates stay: {text}");
    }

    #[test]
    fn key_values_leave_the_config() {
        let text =
            redact_config("[portal]\n# the key the portal issued\npublic_key = \"Y5Bu\"\nbase_url = \"https://x\"\n");
        assert!(text.contains("public_key = \"<removed>\"") && !text.contains("Y5Bu"), "{text}");
        assert!(text.contains("base_url = \"https://x\"") && text.contains("# the key the portal issued"), "{text}");
    }
}
