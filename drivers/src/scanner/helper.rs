//! The SANE driver, in two halves that talk over a pipe.
//!
//! `kiosk-sane-helper` is a small program that owns SANE on its one thread: it reads one [`Request`] (a JSON
//! line) on stdin, answers with [`Reply`] lines on stdout (a page's header line is followed by its raw pixels),
//! and exits. [`SaneScanner`] in the kiosk starts it for each request and reads the answer, with a deadline.
//! Why a process: SANE is process-global and not thread-safe, vendor backends crash, and the test backend can
//! hang for ever in `sane_cancel` after an error (seen here in 4 of 56 runs); a helper that hangs is killed, and
//! the next request starts afresh, which is also how a scanner that was unplugged is found again.
//! Must not do: log pixels, or leave a helper running after its answer.

use std::io::{BufRead as _, Read as _, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::sane::{self, Constraint, DeviceInfo, Sane};
use super::{Capabilities, ColourMode, Error, ErrorKind, RawPage, Resolutions, Scanner, Settings, Source};

/// The helper program's file name.
pub const HELPER: &str = "kiosk-sane-helper";
/// The most pages one feeder scan takes.
pub const MAX_PAGES: usize = 100;
/// The largest page the kiosk takes from the helper, in bytes: an A4 page in colour at 600 dpi (4961 x 7016 x 3,
/// 104 MB) fits. A page header announcing more is refused before anything is read or allocated for it.
pub const MAX_PAGE_BYTES: usize = 128 * 1024 * 1024;
/// The longest reply line the kiosk reads (a device list or a scanner's capabilities are a few KB).
const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// What the kiosk asks the helper.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Request {
    List,
    Describe { device: String },
    Check { device: String },
    Scan { device: String, settings: Settings },
}

/// One line of the helper's answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Reply {
    Devices(Vec<DeviceInfo>),
    Capabilities(Capabilities),
    Ready,
    /// A page header; `width * height * channels` bytes of pixels follow on the next bytes of the stream.
    Page {
        width: usize,
        height: usize,
        channels: usize,
        dpi: u32,
    },
    Done {
        pages: usize,
    },
    /// SANE said no: its status code and words, and whether the device could not be opened at all.
    Failed {
        code: i32,
        message: String,
        not_found: bool,
    },
}

/// The error a failed reply stands for.
pub fn reply_error(code: i32, message: String, not_found: bool) -> Error {
    if not_found {
        return Error::Disconnected(message);
    }
    let kind = sane::Status { code, message: message.clone() }.kind();
    Error::Reported { kind, message }
}

// ---- the helper's side (runs in kiosk-sane-helper) -------------------------------------------------------------

/// The helper program's main: one request from stdin, the answer on stdout. Returns the exit status.
pub fn helper_main() -> i32 {
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return 2;
    }
    let Ok(request) = serde_json::from_str::<Request>(&line) else {
        eprintln!("{HELPER}: not a request: {}", line.trim());
        return 2;
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = serve(&request, &mut out);
    let _ = out.flush();
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("{HELPER}: {error}");
            1
        }
    }
}

fn send(out: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, reply)?;
    out.write_all(b"\n")
}

fn failed(out: &mut impl Write, status: &sane::Status, not_found: bool) -> std::io::Result<()> {
    send(out, &Reply::Failed { code: status.code, message: status.message.clone(), not_found })?;
    out.flush()
}

fn serve(request: &Request, out: &mut impl Write) -> std::io::Result<()> {
    let sane = match Sane::init() {
        Ok(sane) => sane,
        Err(status) => return failed(out, &status, false),
    };
    let device = match request {
        Request::List => {
            return match sane.devices() {
                Ok(devices) => send(out, &Reply::Devices(devices)),
                Err(status) => failed(out, &status, false),
            };
        }
        Request::Describe { device } | Request::Check { device } | Request::Scan { device, .. } => device,
    };
    let handle = match sane.open(device) {
        Ok(handle) => handle,
        Err(status) => return failed(out, &status, true),
    };
    match request {
        Request::List => Ok(()),
        Request::Check { .. } => send(out, &Reply::Ready),
        Request::Describe { .. } => send(out, &Reply::Capabilities(capabilities(&handle.options()))),
        Request::Scan { settings, .. } => scan(&handle, settings, out),
    }
}

fn find<'a>(options: &'a [sane::OptionInfo], name: &str) -> Option<&'a sane::OptionInfo> {
    options.iter().find(|o| o.name == name && o.active && o.settable)
}

fn strings(option: Option<&sane::OptionInfo>) -> Vec<String> {
    match option.map(|o| &o.constraint) {
        Some(Constraint::Strings(list)) => list.clone(),
        _ => Vec::new(),
    }
}

/// A source name as ours: "Flatbed" / "Platen" and "ADF" / "Automatic Document Feeder" / "Feeder".
fn source_of(name: &str) -> Option<Source> {
    let lower = name.to_lowercase();
    if lower.contains("flatbed") || lower.contains("platen") {
        Some(Source::Flatbed)
    } else if lower.contains("adf") || lower.contains("feeder") {
        Some(Source::Feeder)
    } else {
        None
    }
}

fn mode_of(name: &str) -> Option<ColourMode> {
    let lower = name.to_lowercase();
    if lower.contains("gray") || lower.contains("grey") {
        Some(ColourMode::Grey)
    } else if lower.contains("color") || lower.contains("colour") {
        Some(ColourMode::Colour)
    } else {
        None
    }
}

/// What the device offers, from its options (standard SANE option names).
pub fn capabilities(options: &[sane::OptionInfo]) -> Capabilities {
    let mut sources: Vec<Source> = strings(find(options, "source")).iter().filter_map(|s| source_of(s)).collect();
    if sources.is_empty() {
        sources.push(Source::Flatbed);
    }
    sources.dedup();
    let mut modes: Vec<ColourMode> = strings(find(options, "mode")).iter().filter_map(|s| mode_of(s)).collect();
    modes.dedup();
    let resolutions = match find(options, "resolution").map(|o| &o.constraint) {
        Some(Constraint::Range(min, max, _)) => Resolutions::Range(*min as u32, *max as u32),
        Some(Constraint::Words(list)) => Resolutions::List(list.iter().map(|r| *r as u32).collect()),
        _ => Resolutions::List(vec![]),
    };
    let max = |name: &str| match find(options, name).map(|o| &o.constraint) {
        Some(Constraint::Range(_, max, _)) => Some(*max),
        _ => None,
    };
    let max_area = max("br-x").zip(max("br-y"));
    Capabilities { sources, modes, resolutions, max_area }
}

fn scan(device: &sane::Device<'_>, settings: &Settings, out: &mut impl Write) -> std::io::Result<()> {
    let options = device.options();
    let caps = capabilities(&options);
    let set = |name: &str, value: String| -> Result<(), sane::Status> {
        if find(&device.options(), name).is_some() {
            device.set(name, &value)
        } else {
            Ok(())
        }
    };
    let source = strings(find(&options, "source")).into_iter().find(|s| source_of(s) == Some(settings.source));
    let mode = strings(find(&options, "mode")).into_iter().find(|s| mode_of(s) == Some(settings.mode));
    let resolution = caps.resolutions.choose(settings.resolution);
    let (width, height) = settings.size.millimetres();
    let (width, height) = match caps.max_area {
        Some((max_w, max_h)) => (width.min(max_w), height.min(max_h)),
        None => (width, height),
    };
    let mut steps: Vec<(&str, String)> = Vec::new();
    if let Some(source) = source {
        steps.push(("source", source));
    } else if settings.source == Source::Feeder {
        let status = sane::Status { code: 1, message: "this scanner has no document feeder".into() };
        return failed(out, &status, false);
    }
    if let Some(mode) = mode {
        steps.push(("mode", mode));
    }
    steps.push(("depth", "8".into()));
    steps.push(("resolution", resolution.to_string()));
    for (name, value) in [("tl-x", 0.0), ("tl-y", 0.0), ("br-x", width), ("br-y", height)] {
        steps.push((name, format!("{value}")));
    }
    for (name, value) in &settings.extra {
        steps.push((name.as_str(), value.clone()));
    }
    for (name, value) in steps {
        // `depth` may be fixed by the mode; other standard options are best effort, extras must take.
        let required = settings.extra.iter().any(|(n, _)| n == name);
        if let Err(status) = set(name, value) {
            if required {
                return failed(out, &status, false);
            }
        }
    }
    let dpi = device.get_number("resolution").map_or(resolution, |r| r.round() as u32);
    let mut pages = 0;
    loop {
        let parameters = match device.start() {
            Ok(parameters) => parameters,
            Err(status) if status.code == 7 && pages > 0 => break, // the feeder is empty: done
            Err(status) => {
                failed(out, &status, false)?;
                device.cancel();
                return Ok(());
            }
        };
        if !(parameters.format == 0 || parameters.format == 1) || parameters.lines <= 0 {
            let status = sane::Status { code: 1, message: "this scanner's frame format is not supported".into() };
            failed(out, &status, false)?;
            device.cancel();
            return Ok(());
        }
        let data = match device.read_frame(&parameters) {
            Ok(data) => data,
            Err(status) => {
                // Answer first: cancelling after an error is where some backends hang.
                failed(out, &status, false)?;
                device.cancel();
                return Ok(());
            }
        };
        let channels = if parameters.format == 1 { 3 } else { 1 };
        let pixels = to_eight_bit(&data, &parameters, channels);
        send(
            out,
            &Reply::Page { width: parameters.pixels_per_line, height: parameters.lines as usize, channels, dpi },
        )?;
        out.write_all(&pixels)?;
        out.flush()?;
        pages += 1;
        if settings.source == Source::Flatbed || pages >= MAX_PAGES {
            break;
        }
    }
    send(out, &Reply::Done { pages })?;
    out.flush()?;
    device.cancel();
    Ok(())
}

/// SANE's samples as 8 bits: 16-bit samples (host order) keep their high byte; 1-bit (1 = black) become 0/255.
pub fn to_eight_bit(data: &[u8], parameters: &sane::Parameters, channels: usize) -> Vec<u8> {
    let (width, lines) = (parameters.pixels_per_line, parameters.lines.max(0) as usize);
    let samples = width * channels;
    let mut out = Vec::with_capacity(samples * lines);
    for line in data.chunks(parameters.bytes_per_line.max(1)).take(lines) {
        match parameters.depth {
            16 => out.extend(line.chunks_exact(2).take(samples).map(|s| (u16::from_ne_bytes([s[0], s[1]]) >> 8) as u8)),
            // A line shorter than its pixels (a backend's bytes_per_line too small) ends in white, not a panic.
            1 => out.extend((0..samples).map(|i| {
                if line.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0) {
                    0
                } else {
                    255
                }
            })),
            _ => out.extend_from_slice(&line[..samples.min(line.len())]),
        }
    }
    out.resize(samples * lines, 255);
    out
}

// ---- the kiosk's side ------------------------------------------------------------------------------------------

/// Where the helper program is: `KIOSK_SANE_HELPER`, else beside the running program (or one directory up, for
/// test binaries in target/<profile>/deps).
pub fn default_helper() -> PathBuf {
    if let Some(path) = std::env::var_os("KIOSK_SANE_HELPER") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    let beside = dir.join(HELPER);
    if beside.exists() {
        return beside;
    }
    dir.parent().map(|d| d.join(HELPER)).filter(|p| p.exists()).unwrap_or(beside)
}

/// A SANE scanner (USB through its backend, or eSCL through sane-airscan), driven through the helper program.
#[derive(Debug, Clone)]
pub struct SaneScanner {
    pub device: String,
    helper: PathBuf,
    env: Vec<(String, String)>,
    deadline: Duration,
}

impl SaneScanner {
    pub fn new(device: &str) -> SaneScanner {
        SaneScanner {
            device: device.into(),
            helper: default_helper(),
            env: Vec::new(),
            deadline: Duration::from_secs(120),
        }
    }

    pub fn with_helper(mut self, helper: PathBuf) -> SaneScanner {
        self.helper = helper;
        self
    }

    /// An environment variable for the helper (tests point `SANE_CONFIG_DIR` at the test backend).
    pub fn with_env(mut self, key: &str, value: &str) -> SaneScanner {
        self.env.push((key.into(), value.into()));
        self
    }

    /// How long one request may take before the helper is killed.
    pub fn with_deadline(mut self, deadline: Duration) -> SaneScanner {
        self.deadline = deadline;
        self
    }

    fn ask(&self, request: &Request) -> Result<(Vec<Reply>, Vec<RawPage>), Error> {
        ask(&self.helper, &self.env, self.deadline, request)
    }
}

/// Every scanner SANE finds (network scanners included), through the helper.
pub fn list(helper: &Path, env: &[(String, String)]) -> Result<Vec<DeviceInfo>, Error> {
    let (replies, _) = ask(helper, env, Duration::from_secs(60), &Request::List)?;
    for reply in replies {
        match reply {
            Reply::Devices(devices) => return Ok(devices),
            Reply::Failed { code, message, not_found } => return Err(reply_error(code, message, not_found)),
            _ => {}
        }
    }
    Err(Error::Driver("the helper gave no device list".into()))
}

fn ask(
    helper: &Path,
    env: &[(String, String)],
    deadline: Duration,
    request: &Request,
) -> Result<(Vec<Reply>, Vec<RawPage>), Error> {
    let mut command = Command::new(helper);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().map_err(|e| {
        Error::Driver(format!(
            "cannot start {} ({e}); it is built beside the kiosk, or set KIOSK_SANE_HELPER",
            helper.display()
        ))
    })?;
    let line = serde_json::to_string(request).map_err(|e| Error::Driver(e.to_string()))?;
    let child = std::sync::Arc::new(std::sync::Mutex::new(child));
    let (stdin, stdout) = {
        let mut child = child.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (child.stdin.take(), child.stdout.take())
    };
    if let Some(mut stdin) = stdin {
        let _ = writeln!(stdin, "{line}");
    }
    let Some(stdout) = stdout else {
        return Err(Error::Driver("no pipe from the helper".into()));
    };
    // Kill the helper when the deadline passes (a backend hung mid-scan): reading then ends.
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let guarded = child.clone();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(deadline) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
            let _ = guarded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).kill();
        }
    });
    let result = read_answer(std::io::BufReader::new(stdout));
    let _ = done.send(());
    let _ = watchdog.join();
    reap(&mut child.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    result
}

/// The helper has answered; it may still be stuck cancelling. Give it a moment, then kill it.
fn reap(child: &mut Child) {
    for _ in 0..20 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads the helper's answer from its stdout: reply lines, each page header followed by its pixels, up to the
/// last reply. Public for the fuzz target (tests/fuzz), which feeds it any bytes.
pub fn read_answer(mut reader: impl std::io::BufRead) -> Result<(Vec<Reply>, Vec<RawPage>), Error> {
    let mut replies = Vec::new();
    let mut pages = Vec::new();
    loop {
        let mut line = String::new();
        match (&mut reader).take(MAX_LINE_BYTES).read_line(&mut line) {
            Ok(0) => break,
            Ok(n) if n as u64 == MAX_LINE_BYTES && !line.ends_with('\n') => {
                return Err(Error::Driver("the helper said something unexpected: a line of more than 1 MiB".into()))
            }
            Ok(_) => {}
            Err(e) => return Err(Error::Driver(format!("reading the helper's answer: {e}"))),
        }
        let reply: Reply = serde_json::from_str(&line)
            .map_err(|_| Error::Driver(format!("the helper said something unexpected: {}", line.trim())))?;
        match &reply {
            Reply::Page { width, height, channels, dpi } => {
                let size = width
                    .checked_mul(*height)
                    .and_then(|n| n.checked_mul(*channels))
                    .filter(|n| *n <= MAX_PAGE_BYTES)
                    .ok_or_else(|| {
                        Error::Driver(format!("the helper announced a page of {width} x {height} x {channels} bytes"))
                    })?;
                // Read what arrives rather than allocate what the header announces: a header that lies (a helper
                // that crashed mid-page, a backend writing to stdout) costs only the bytes that really came.
                let mut pixels = Vec::new();
                (&mut reader)
                    .take(size as u64)
                    .read_to_end(&mut pixels)
                    .map_err(|e| Error::Driver(format!("a page broke off ({e}); the scanner driver stopped")))?;
                if pixels.len() < size {
                    let got = pixels.len();
                    return Err(Error::Driver(format!(
                        "a page broke off after {got} of {size} bytes; the scanner driver stopped"
                    )));
                }
                pages.push(RawPage { width: *width, height: *height, channels: *channels, dpi: *dpi, pixels });
            }
            Reply::Failed { .. } | Reply::Done { .. } | Reply::Devices(_) | Reply::Capabilities(_) | Reply::Ready => {
                let last = !matches!(reply, Reply::Page { .. });
                replies.push(reply);
                if last {
                    return Ok((replies, pages));
                }
            }
        }
    }
    Err(Error::Driver("the scanner driver stopped before answering (crashed, or killed after the deadline)".into()))
}

impl Scanner for SaneScanner {
    fn check(&mut self) -> Result<(), Error> {
        let (replies, _) = self.ask(&Request::Check { device: self.device.clone() })?;
        match replies.into_iter().last() {
            Some(Reply::Ready) => Ok(()),
            Some(Reply::Failed { code, message, not_found }) => Err(reply_error(code, message, not_found)),
            _ => Err(Error::Driver("no answer to a check".into())),
        }
    }

    fn capabilities(&mut self) -> Result<Capabilities, Error> {
        let (replies, _) = self.ask(&Request::Describe { device: self.device.clone() })?;
        match replies.into_iter().last() {
            Some(Reply::Capabilities(capabilities)) => Ok(capabilities),
            Some(Reply::Failed { code, message, not_found }) => Err(reply_error(code, message, not_found)),
            _ => Err(Error::Driver("no answer to describe".into())),
        }
    }

    fn scan(&mut self, settings: &Settings) -> Result<Vec<RawPage>, Error> {
        let request = Request::Scan { device: self.device.clone(), settings: settings.clone() };
        let (replies, pages) = self.ask(&request)?;
        match replies.into_iter().last() {
            Some(Reply::Done { .. }) if !pages.is_empty() => Ok(pages),
            Some(Reply::Done { .. }) => Err(Error::reported(ErrorKind::NoDocument)),
            Some(Reply::Failed { code, message, not_found }) => Err(reply_error(code, message, not_found)),
            _ => Err(Error::Driver("no answer to a scan".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_are_one_json_line_each() {
        let request = Request::Scan { device: "test:0".into(), settings: Settings::default() };
        let line = serde_json::to_string(&request).expect("json");
        assert!(!line.contains('\n'));
        assert_eq!(serde_json::from_str::<Request>(&line).expect("back"), request);
    }

    #[test]
    fn an_answer_with_pages_is_read_back_whole() {
        let mut stream = Vec::new();
        send(&mut stream, &Reply::Page { width: 3, height: 2, channels: 1, dpi: 75 }).expect("header");
        stream.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        send(&mut stream, &Reply::Done { pages: 1 }).expect("done");
        let (replies, pages) = read_answer(std::io::Cursor::new(stream)).expect("answer");
        assert_eq!(replies, [Reply::Done { pages: 1 }]);
        assert_eq!(pages[0].pixels, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_page_that_breaks_off_is_a_driver_error_not_a_short_image() {
        let mut stream = Vec::new();
        send(&mut stream, &Reply::Page { width: 3, height: 2, channels: 1, dpi: 75 }).expect("header");
        stream.extend_from_slice(&[1, 2]);
        assert!(matches!(read_answer(std::io::Cursor::new(stream)), Err(Error::Driver(_))));
        assert!(matches!(read_answer(std::io::Cursor::new(Vec::new())), Err(Error::Driver(_))));
    }

    /// Found by the scanner_helper fuzz target (tests/fuzz/regressions/scanner_helper): a page header allocated
    /// the pixels it announced before any arrived (12 MB for a 30-byte answer), and one whose sizes multiply past
    /// `usize` overflowed.
    #[test]
    fn a_page_header_is_capped_and_only_what_arrives_is_kept() {
        for (width, height, channels) in [(usize::MAX, 2, 1), (20_000, 20_000, 3)] {
            let mut stream = Vec::new();
            send(&mut stream, &Reply::Page { width, height, channels, dpi: 75 }).expect("header");
            stream.extend_from_slice(&[1, 2, 3]);
            let error = read_answer(std::io::Cursor::new(stream)).expect_err("no such page");
            assert!(error.to_string().contains("announced a page"), "{error}");
        }
        let mut stream = Vec::new();
        send(&mut stream, &Reply::Page { width: 4000, height: 4000, channels: 3, dpi: 300 }).expect("header");
        stream.extend_from_slice(&[1, 2, 3]);
        let error = read_answer(std::io::Cursor::new(stream)).expect_err("cut short");
        assert!(error.to_string().contains("broke off after 3 of 48000000 bytes"), "{error}");
    }

    #[test]
    fn failures_map_to_kinds_the_screen_acts_on() {
        assert_eq!(reply_error(6, "Document feeder jammed".into(), false).kind(), ErrorKind::Jammed);
        assert_eq!(reply_error(7, "out of documents".into(), false).kind(), ErrorKind::NoDocument);
        assert_eq!(reply_error(8, "cover open".into(), false).kind(), ErrorKind::CoverOpen);
        assert_eq!(reply_error(3, "busy".into(), false).kind(), ErrorKind::Busy);
        assert_eq!(reply_error(9, "I/O".into(), false).kind(), ErrorKind::Io);
        assert_eq!(reply_error(4, "Invalid argument".into(), true).kind(), ErrorKind::Disconnected);
    }

    #[test]
    fn sixteen_and_one_bit_samples_become_eight_bit() {
        let p = sane::Parameters { format: 0, bytes_per_line: 4, pixels_per_line: 2, lines: 1, depth: 16 };
        let data = [0x00u8, 0xFF, 0x34, 0x12];
        let expected = [(u16::from_ne_bytes([0x00, 0xFF]) >> 8) as u8, (u16::from_ne_bytes([0x34, 0x12]) >> 8) as u8];
        assert_eq!(to_eight_bit(&data, &p, 1), expected);
        let p = sane::Parameters { format: 0, bytes_per_line: 1, pixels_per_line: 8, lines: 1, depth: 1 };
        assert_eq!(to_eight_bit(&[0b1010_0000], &p, 1), [0, 255, 0, 255, 255, 255, 255, 255]);
    }

    /// Found by the scanner_helper fuzz target (tests/fuzz/regressions/scanner_helper): a 1-bit frame whose
    /// bytes_per_line is too small for its pixels indexed past the line.
    #[test]
    fn one_bit_lines_shorter_than_their_pixels_end_in_white() {
        let p = sane::Parameters { format: 0, bytes_per_line: 1, pixels_per_line: 12, lines: 1, depth: 1 };
        assert_eq!(to_eight_bit(&[0b1010_0000], &p, 1), [0, 255, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    }

    #[test]
    fn source_and_mode_names_of_real_backends_are_understood() {
        assert_eq!(source_of("Automatic Document Feeder"), Some(Source::Feeder));
        assert_eq!(source_of("ADF Duplex"), Some(Source::Feeder));
        assert_eq!(source_of("Flatbed"), Some(Source::Flatbed));
        assert_eq!(source_of("Platen"), Some(Source::Flatbed));
        assert_eq!(mode_of("Gray"), Some(ColourMode::Grey));
        assert_eq!(mode_of("Color"), Some(ColourMode::Colour));
        assert_eq!(mode_of("Lineart"), None);
    }
}
