//! The technician's day, end to end with real parts: a fresh state directory → `kiosk-provision setup
//! --non-interactive` → `enrol` with a one-time code from the portal simulator → `self-test` against a printer
//! and a pager transmitter on pseudo-terminals and SANE's `test` scanner, passing; then the printer's paper runs
//! out and the self-test fails with the right hint. Each refusal on the way has its own message.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Stdio};

use kiosk_drivers::pager::serial::{Protocol, SimTransmitterDevice};
use kiosk_drivers::printer::device::SimDevice;
use kiosk_drivers::printer::{Paper, Status};
use kiosk_tests::portal_sim::{self, Faults, Sim};
use serialport::SerialPort as _;
use slint::ComponentHandle as _;

const PORTAL_KEY: &str = "Y5BunGrvED2OPbNXws1CdRLMV5vL35D59m/8wIsHc1s=";

fn provision(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(kiosk_tests::binary("kiosk-provision"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("KIOSK_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiosk-provision runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    let output = child.wait_with_output().expect("finished");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn step<'a>(report: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    report["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["check"] == check))
        .unwrap_or_else(|| panic!("no {check} step in {report}"))
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn a_blank_box_is_set_up_enrolled_and_self_tested_and_paper_out_fails_with_the_hint() {
    let dir = kiosk_tests::scratch_dir("provision");
    let config = dir.join("etc/kiosk.toml");
    let state = dir.join("state");
    let (config_s, state_s) = (config.to_str().expect("utf-8"), state.to_str().expect("utf-8"));
    let sane = kiosk_tests::sane_test_config(&dir.join("sane.d"), 1);
    let sane_s = sane.to_str().expect("utf-8");
    let env = [("SANE_CONFIG_DIR", sane_s)];

    // The portal, as the city runs it: a kiosk enrols only with a one-time code.
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 7).expect("sim");
    sim.require_enrolment_codes(true);
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("addr")).expect("portal");
    let portal_url = running.base_url();

    // A receipt printer and a pager transmitter on pseudo-terminals (real serial ports to the kiosk's drivers).
    let (printer_master, printer_slave) = serialport::TTYPort::pair().expect("pty");
    let printer_path = printer_slave.name().expect("pty path");
    let printer = SimDevice::default();
    let serving = printer.clone();
    std::thread::spawn(move || {
        let _ = serving.serve(Box::new(kiosk_drivers::transport::SerialLink::from_port(printer_master)));
    });
    let (pager_master, pager_slave) = serialport::TTYPort::pair().expect("pty");
    let pager_path = pager_slave.name().expect("pty path");
    let transmitter = SimTransmitterDevice::default();
    let serving = transmitter.clone();
    std::thread::spawn(move || {
        let _ = serving.serve(
            Protocol::WaveWare { cap_base: 700000 },
            Box::new(kiosk_drivers::transport::SerialLink::from_port(pager_master)),
        );
    });
    let printer_transport = format!("serial:{printer_path}");
    let pager_transport = format!("serial:{pager_path}");
    let mut setup_args = vec![
        "setup",
        "--non-interactive",
        "--json",
        "--config",
        config_s,
        "--state-dir",
        state_s,
        "--kiosk-id",
        "HN-TEST-PROV-1",
        "--service-point",
        "Nhà văn hoá tổ dân phố 5",
        "--address",
        "5 Hàng Bạc",
        "--hours",
        "mon-sat 07:00-19:00",
        "--portal-url",
        &portal_url,
        "--portal-key",
        PORTAL_KEY,
        "--printer",
        &printer_transport,
        "--printer-profile",
        "epson-tm-t88",
        "--scanner",
        "sane:test:0",
        "--pager",
        &pager_transport,
        "--pager-protocol",
        "waveware",
        "--pin-stdin",
    ];

    // Setup refuses a ward that is not one of the 126, and a wrong value, writing nothing.
    let mut wrong_ward = setup_args.clone();
    wrong_ward.extend(["--ward", "atlantis"]);
    let (code, out, err) = provision(&wrong_ward, &env, "246810\n");
    assert_eq!(code, 1, "{wrong_ward:?}\n{out}{err}");
    assert!(step(&json(&out), "ward")["detail"].as_str().is_some_and(|d| d.contains("no ward")), "{out}");
    assert!(!config.exists(), "nothing written");
    let mut wrong_printer = setup_args.clone();
    let at = wrong_printer.iter().position(|a| *a == "--printer").expect("flag") + 1;
    wrong_printer[at] = "usb:zz";
    wrong_printer.extend(["--ward", "hoan kiem"]);
    let (code, out, err) = provision(&wrong_printer, &env, "246810\n");
    assert_eq!(code, 1, "{out}{err}");
    let report = json(&out);
    let problem = report["steps"].as_array().and_then(|s| s.iter().find(|s| s["check"] == "config")).expect("problem");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("devices.printer")), "{out}");
    assert_eq!(problem["hint"], "give a correct value with --printer", "{out}");
    assert!(!config.exists(), "nothing written");

    // Setup, for real.
    setup_args.extend(["--ward", "hoan kiem"]);
    let (code, out, err) = provision(&setup_args, &env, "246810\n");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(step(&json(&out), "ward")["detail"], "Phường Hoàn Kiếm");
    let written = std::fs::read_to_string(&config).expect("config written");
    assert!(written.contains("ward = \"Phường Hoàn Kiếm\"") && written.contains(&printer_transport), "{written}");
    assert!(!written.to_lowercase().contains("# demo"), "the demo notes are gone: {written}");
    let check = kiosk_tests::run("kiosk-provision", &["check-config", config_s]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let pin = state.join(kiosk_app::technician::PIN_FILE);
    assert_eq!(std::fs::metadata(&pin).expect("PIN file").permissions().mode() & 0o777, 0o600);
    assert!(!std::fs::read_to_string(&pin).expect("PIN").contains("246810"), "only the hash is kept");
    // Run again with a new service point name: the previous file is kept as the backup.
    let mut again = setup_args.clone();
    again.retain(|a| *a != "--pin-stdin");
    let at = again.iter().position(|a| *a == "--service-point").expect("flag") + 1;
    again[at] = "Nhà văn hoá tổ dân phố 6";
    let (code, out, _) = provision(&again, &env, "");
    assert_eq!(code, 0, "{out}");
    assert!(std::fs::read_to_string(dir.join("etc/kiosk.toml.bak")).expect("backup").contains("phố 5"));
    assert!(std::fs::read_to_string(&config).expect("config").contains("phố 6"));

    // Enrol: without a code, with a wrong one, with one for another kiosk, then the right one.
    let place = ["--config", config_s, "--state-dir", state_s, "--json"];
    let enrol = |code: Option<&str>| {
        let mut args = vec!["enrol"];
        args.extend(place);
        if let Some(code) = code {
            args.extend(["--code", code]);
        }
        let (status, out, err) = provision(&args, &env, "");
        (status, json(&format!("{out}{err}")))
    };
    let (status, report) = enrol(None);
    assert_eq!(status, 1);
    assert!(
        step(&report, "portal")["detail"].as_str().is_some_and(|d| d.contains("only with a one-time code")),
        "{report}"
    );
    let (_, report) = enrol(Some("WXYZ-2345"));
    assert!(
        step(&report, "portal")["detail"].as_str().is_some_and(|d| d.contains("does not know this code")),
        "{report}"
    );
    let other = sim.issue_enrolment_code(Some("HN-OTHER-9"), 3600);
    let (_, report) = enrol(Some(&other));
    assert!(step(&report, "portal")["detail"].as_str().is_some_and(|d| d.contains("another kiosk id")), "{report}");
    let expired = sim.issue_enrolment_code(Some("HN-TEST-PROV-1"), -1);
    let (_, report) = enrol(Some(&expired));
    assert!(step(&report, "portal")["detail"].as_str().is_some_and(|d| d.contains("expired")), "{report}");
    let code = sim.issue_enrolment_code(Some("HN-TEST-PROV-1"), 3600);
    let (status, report) = enrol(Some(&code.to_lowercase()));
    assert_eq!(status, 0, "{report}");
    let confirmation = report["result"]["confirmation"].as_str().expect("confirmation").to_owned();
    let key = sim.enrolled_key("HN-TEST-PROV-1").expect("the portal holds the key");
    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD.decode(key).expect("base64");
    assert_eq!(confirmation, kiosk_core::portal::confirmation_code(&key), "both sides show the same code");
    let (status, report) = enrol(None);
    assert_eq!(status, 0);
    assert!(step(&report, "portal")["detail"].as_str().is_some_and(|d| d.contains("already enrolled")), "{report}");
    // The same code a second time, from another kiosk: used.
    let other_state = dir.join("other-state");
    let other_place = other_state.to_str().expect("utf-8");
    let (_, out, _) =
        provision(&["enrol", "--config", config_s, "--state-dir", other_place, "--json", "--code", &code], &env, "");
    assert!(out.contains("already used") || out.contains("another device key"), "{out}");

    // Self-test: every check passes with real devices.
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let report_path = dir.join("self-test.json");
    let self_test = |label: &str| {
        let (status, out, err) = provision(
            &[
                "self-test",
                "--config",
                config_s,
                "--state-dir",
                state_s,
                "--json",
                "--report",
                report_path.to_str().expect("utf-8"),
            ],
            &env,
            "",
        );
        let report = json(&out);
        let kept = json(&std::fs::read_to_string(&report_path).expect("report file"));
        assert_eq!((&kept["steps"], &kept["outcome"]), (&report["steps"], &report["outcome"]), "{label}: {err}");
        (status, report)
    };
    let (status, report) = self_test("ready");
    for check in ["printer", "scanner", "pager", "portal", "clock", "disk", "state dir"] {
        assert_eq!(step(&report, check)["verdict"], "pass", "{check}: {report:#}");
    }
    assert_eq!(status, 0, "{report:#}");
    assert!(step(&report, "pager")["detail"].as_str().is_some_and(|d| d.contains("pager 1")), "{report}");
    assert_eq!(transmitter.paged(), vec![1], "the first pager of the range was paged");
    assert!(step(&report, "scanner")["figures"]["width"].as_u64().is_some_and(|w| w > 1000), "{report}");
    // The test slip and the summary slip reached the printer; the test slip's text and QR name this kiosk.
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), 2, "test slip and summary slip");
    let profile = kiosk_drivers::printer::profile::Profile::builtin("epson-tm-t88").expect("profile");
    let face = kiosk_app::printing::typeface();
    let slip_text = |job: &[u8]| -> String {
        kiosk_drivers::printer::decode::paper(job, &profile, face)
            .expect("the slip decodes")
            .into_iter()
            .filter_map(|printed| match printed {
                kiosk_drivers::printer::decode::Printed::Text { text, .. } => Some(text + "\n"),
                kiosk_drivers::printer::decode::Printed::Qr { data, .. } => Some(format!("QR {data}\n")),
                _ => None,
            })
            .collect()
    };
    let text = slip_text(&jobs[0]);
    assert!(text.contains("HN-TEST-PROV-1") && text.contains("ỵ") && text.contains("Ỵ"), "{text}");
    assert!(text.contains("QR KIOSK-SELF-TEST HN-TEST-PROV-1"), "{text}");
    let summary = slip_text(&jobs[1]);
    assert!(summary.contains("ĐẠT") && summary.contains("OK printer"), "{summary}");

    // The paper runs out: the self-test fails, and says what to do.
    printer.set_status(Status { paper: Paper::Out, ..Status::READY });
    let (status, report) = self_test("paper out");
    assert_eq!(status, 1);
    let printer_step = step(&report, "printer");
    assert_eq!(printer_step["verdict"], "fail");
    assert_eq!(printer_step["figures"]["status"], "paper_out");
    assert!(printer_step["hint"].as_str().is_some_and(|h| h.contains("load a new roll")), "{report}");
    assert_eq!(printer.jobs().len(), 2, "nothing printed on an empty printer");
    drop((printer_slave, pager_slave, running));
}

#[test]
fn enrolling_against_a_portal_that_does_not_answer_says_so() {
    let dir = kiosk_tests::scratch_dir("provision-away");
    let config = dir.join("kiosk.toml");
    let example = std::fs::read_to_string(kiosk_tests::example_config()).expect("example");
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    std::fs::write(&config, example.replace("127.0.0.1:8787", &format!("127.0.0.1:{port}"))).expect("config");
    let (status, out, _) = provision(
        &[
            "enrol",
            "--config",
            config.to_str().expect("utf-8"),
            "--state-dir",
            dir.to_str().expect("utf-8"),
            "--code",
            "7KQ2-M9XD",
        ],
        &[],
        "",
    );
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("✗ portal") && out.contains("did not answer") && out.contains("check the network"), "{out}");
    assert!(!out.contains('\x1b'), "no colour into a pipe: {out}");
}

/// Every form a name or number may take in a file: as typed (NFC), decomposed (NFD), without accents, in upper
/// and lower case, UTF-16 both ways, base64, percent- and JSON-escaped, digits grouped with spaces or dots.
fn encodings(secret: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    use unicode_normalization::UnicodeNormalization as _;
    let nfc: String = secret.nfc().collect();
    let nfd: String = secret.nfd().collect();
    let folded: String =
        nfd.chars().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).collect::<String>().replace(['đ', 'Đ'], "d");
    let mut forms = vec![
        ("nfc".to_owned(), nfc.clone().into_bytes()),
        ("nfd".to_owned(), nfd.into_bytes()),
        ("folded".to_owned(), folded.clone().into_bytes()),
        ("lower".to_owned(), nfc.to_lowercase().into_bytes()),
        ("upper".to_owned(), nfc.to_uppercase().into_bytes()),
        ("folded lower".to_owned(), folded.to_lowercase().into_bytes()),
        ("utf-16le".to_owned(), nfc.encode_utf16().flat_map(u16::to_le_bytes).collect()),
        ("utf-16be".to_owned(), nfc.encode_utf16().flat_map(u16::to_be_bytes).collect()),
        ("base64".to_owned(), base64::engine::general_purpose::STANDARD.encode(&nfc).into_bytes()),
        (
            "percent".to_owned(),
            nfc.bytes()
                .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect::<String>()
                .into_bytes(),
        ),
        (
            "json escape".to_owned(),
            nfc.chars()
                .map(|c| if c.is_ascii() { c.to_string() } else { format!("\\u{:04x}", u32::from(c)) })
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    if secret.chars().all(|c| c.is_ascii_digit()) {
        let groups: Vec<String> =
            secret.as_bytes().chunks(3).map(|g| String::from_utf8_lossy(g).into_owned()).collect();
        forms.push(("digits spaced".to_owned(), groups.join(" ").into_bytes()));
        forms.push(("digits dotted".to_owned(), groups.join(".").into_bytes()));
    }
    forms
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A resident's dossier goes through the kiosk (name, ID number, phone, e-mail typed on screen, papers scanned,
/// sent to the portal) with the kiosk's whole log captured; the technician's diagnostics archive then holds none
/// of them in any common encoding, nor the kiosk's keys, while it does hold the log and the status.
#[test]
fn the_diagnostics_archive_holds_no_personal_data_and_no_secret() {
    use crate::screens::{print_finished, start_kiosk, tap};
    use std::io::Read as _;
    let dir = kiosk_tests::scratch_dir("diagnostics");
    let log_path = dir.join("kiosk.log");
    let file = std::sync::Arc::new(std::sync::Mutex::new(std::fs::File::create(&log_path).expect("log file")));
    // Everything every thread of this process logs from now on (the kiosk's threads too), as the journal would.
    let writer = file.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || LogFile(writer.clone()))
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber in the e2e tests");
    tracing::callsite::rebuild_interest_cache();

    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 5).expect("sim");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("addr")).expect("portal");
    let kiosk = start_kiosk("diagnostics-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<kiosk_app::ui::Kiosk>();
    crate::dossier::to_the_rental_agreement(app);
    crate::dossier::scan(&kiosk, 2);
    tap(app, "Continue");
    crate::dossier::scan(&kiosk, 2);
    tap(app, "Continue");
    tap(app, "At the office's one-stop counter");
    tap(app, "Continue to consent");
    tap(app, "I agree: send my dossier");
    kiosk.settle("the dossier sent and its receipt printed", || print_finished(k.get_dossier_sent().print));
    assert_eq!(sim.received().len(), 1, "the dossier reached the portal");
    let form: serde_json::Value = serde_json::from_slice(&sim.received()[0].form).expect("JSON");
    let secrets = ["Hoàng Văn Nam", "001090123456", "0862000111", "nam.hvss@gmail.com", "Ngô Thị Mai"];
    for secret in secrets {
        assert!(form.to_string().contains(secret), "{secret} went through the kiosk: {form}");
    }
    // Wait for the status file (the device thread's next round, the forwarder's count).
    kiosk
        .settle("status.json written", || kiosk_app::status_file::read(&kiosk.dir).is_some_and(|s| s.outbox.is_some()));
    // A line some careless code might log, to prove the archive's scrubber is a second lock.
    writeln!(file.lock().expect("log"), "2026-12-07T08:00:00 WARN careless: id 001090123456 phone 0862000111")
        .expect("log");

    let config = dir.join("kiosk.toml");
    let example = std::fs::read_to_string(kiosk_tests::example_config()).expect("example");
    std::fs::write(&config, example).expect("config");
    let archive = dir.join("diag.tar.gz");
    let (status, out, err) = provision(
        &[
            "diagnostics",
            "--json",
            "--config",
            config.to_str().expect("utf-8"),
            "--state-dir",
            kiosk.dir.to_str().expect("utf-8"),
            "--log",
            log_path.to_str().expect("utf-8"),
            "--out",
            archive.to_str().expect("utf-8"),
        ],
        &[],
        "",
    );
    assert_eq!(status, 0, "{out}{err}");

    // What `status` says of this running kiosk: read from its status.json, counts only.
    let (code, out, err) = provision(
        &[
            "status",
            "--json",
            "--config",
            config.to_str().expect("utf-8"),
            "--state-dir",
            kiosk.dir.to_str().expect("utf-8"),
        ],
        &[],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    let now = json(&out);
    assert_eq!(step(&now, "kiosk")["verdict"], "pass", "{now}");
    assert_eq!(step(&now, "scanner")["verdict"], "warn", "the example's scanner is simulated: {now}");
    assert_eq!(step(&now, "portal")["verdict"], "pass", "{now}");
    assert_eq!(step(&now, "outbox")["figures"]["quarantined"], 0, "{now}");
    assert_eq!(step(&now, "queue")["figures"]["issued_today"], 0, "no queue number was taken: {now}");
    for secret in secrets {
        assert!(!out.contains(secret), "{secret} in the status: {out}");
    }

    let compressed = std::fs::read(&archive).expect("archive");
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_slice()).read_to_end(&mut tar).expect("gzip");
    let mut files = std::collections::BTreeMap::new();
    for entry in tar::Archive::new(tar.as_slice()).entries().expect("tar") {
        let mut entry = entry.expect("entry");
        let name = entry.path().expect("path").display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        files.insert(name, bytes);
    }
    for expected in ["kiosk.log", "kiosk.toml", "status.json", "versions.txt", "MANIFEST.txt", "devices.json"] {
        assert!(files.contains_key(&format!("kiosk-diagnostics/{expected}")), "{expected} in {:?}", files.keys());
    }
    let log = String::from_utf8_lossy(&files["kiosk-diagnostics/kiosk.log"]).into_owned();
    assert!(log.lines().count() > 20 && log.contains("kiosk started"), "the kiosk's log is in it: {log}");
    assert!(log.contains("<number removed>"), "the careless line was scrubbed");
    let status_json = String::from_utf8_lossy(&files["kiosk-diagnostics/status.json"]).into_owned();
    assert!(status_json.contains("\"acknowledged\": 1"), "{status_json}");
    // Nothing personal, in any encoding, in any file, in the tar or in the compressed archive.
    for secret in secrets {
        for (how, needle) in encodings(secret) {
            for (name, bytes) in files.iter().map(|(n, b)| (n.as_str(), b)).chain([("tar", &tar), ("gz", &compressed)])
            {
                assert!(!contains(bytes, &needle), "{secret} ({how}) is in {name}");
            }
        }
    }
    // Nor the kiosk's keys.
    for key in ["device.key", "counter.key"] {
        let text = std::fs::read_to_string(kiosk.dir.join(key)).expect("key");
        for (how, needle) in encodings(text.trim()) {
            assert!(!contains(&tar, &needle), "{key} ({how}) is in the archive");
        }
    }
    drop(running);
}

struct LogFile(std::sync::Arc<std::sync::Mutex<std::fs::File>>);

impl std::io::Write for LogFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).flush()
    }
}

/// `setup` on a terminal (a real pseudo-terminal through util-linux's `script`): each question answered as a
/// technician would, the ward typed without accents, Enter for the devices, the PIN twice. On a new
/// box the demo example's values are never offered as answers.
#[test]
fn setup_on_a_terminal_asks_each_question_and_offers_no_demo_values_on_a_new_box() {
    let dir = kiosk_tests::scratch_dir("provision-terminal");
    let config = dir.join("kiosk.toml");
    let state = dir.join("state");
    let sane = kiosk_tests::sane_test_config(&dir.join("sane.d"), 1);
    let command = format!(
        "{} setup --config {} --state-dir {}",
        kiosk_tests::binary("kiosk-provision").display(),
        config.display(),
        state.display()
    );
    let answers = format!(
        "HN-TERM-0001\nhoan kiem\nNhà văn hoá tổ dân phố 7\n7 Hàng Bạc\nmon-fri 08:00-12:00 13:00-17:00\n\
         http://127.0.0.1:9/kiosk-api\n{PORTAL_KEY}\n\n\n\n135790\n135790\n"
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("SANE_CONFIG_DIR", &sane)
        .env("NO_COLOR", "1")
        .env_remove("KIOSK_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    child.stdin.take().expect("stdin").write_all(answers.as_bytes()).expect("answers typed");
    let output = child.wait_with_output().expect("finished");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}");
    for question in
        ["Kiosk id (from the portal's operators): ", "Ward or commune", "Technician PIN", "The same PIN again"]
    {
        assert!(said.contains(question), "asked {question:?}: {said}");
    }
    for demo in ["HN-DEMO-0001", "trình diễn", "127.0.0.1:8787"] {
        assert!(!said.contains(demo), "the demo's {demo:?} is not offered on a new box: {said}");
    }
    assert!(said.contains("setup: passed"), "{said}");
    let written = std::fs::read_to_string(&config).expect("config written");
    let checked = kiosk_core::config::parse(&config, written.as_bytes()).expect("a valid config");
    assert_eq!(checked.kiosk.id, "HN-TERM-0001");
    assert_eq!(checked.kiosk.ward, "Phường Hoàn Kiếm");
    assert_eq!(checked.kiosk.address, "7 Hàng Bạc");
    assert!(written.contains("http://127.0.0.1:9/kiosk-api"));
    assert_eq!(
        kiosk_app::technician::check(&state, "135790", chrono::Utc::now().timestamp()),
        kiosk_app::technician::Answer::Right
    );
}
