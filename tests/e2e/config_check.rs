//! The configuration as a technician meets it: `kiosk-provision check-config` and the kiosk refusing to start,
//! both run as real processes on real files.

use kiosk_tests::{example_config, picture_variety, read_png, run, scratch_dir};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_config_accepts_the_example_and_summarises_it() {
    let path = example_config();
    let output = run("kiosk-provision", &["check-config", path.to_str().expect("utf-8 path")]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    assert!(stdout.contains(": valid"), "{stdout}");
    assert!(stdout.contains("HN-DEMO-0001"), "{stdout}");
    assert!(stdout.contains("HT Hộ tịch"), "{stdout}");
}

#[test]
fn check_config_prints_every_problem_with_file_and_key() {
    let dir = scratch_dir("check-config");
    let path = dir.join("kiosk.toml");
    let example = std::fs::read_to_string(example_config()).expect("example");
    let broken = example
        .replacen("transport = \"simulated\"", "transport = \"serial:ttyUSB0\"", 1)
        .replacen("idle_timeout_seconds = 90", "idle_timeout_seconds = \"ninety\"", 1)
        .replacen("[kiosk]", "[kiosk]\ncolour = \"red\"", 1);
    std::fs::write(&path, broken).expect("write config");
    let output = run("kiosk-provision", &["check-config", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    let file = path.display().to_string();
    assert!(stderr.contains(&format!("{file}: 3 problems")), "{stderr}");
    assert!(stderr.contains("key `kiosk.colour`: unknown key `colour`"), "{stderr}");
    assert!(
        stderr.contains("key `ui.idle_timeout_seconds`: wrong type: string \"ninety\", expected a whole number"),
        "{stderr}"
    );
    assert!(stderr.contains("key `devices.printer.transport`: `ttyUSB0` is not an absolute device path"), "{stderr}");

    let missing = dir.join("absent.toml");
    let output = run("kiosk-provision", &["check-config", missing.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("cannot read the file"), "{}", text(&output.stderr));
}

#[test]
fn kiosk_refuses_to_start_on_a_broken_config() {
    let dir = scratch_dir("refuse");
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, "[kiosk]\nid = \"X\"\n").expect("write");
    let output = run("kiosk", &["--config", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("key `portal`: missing section"), "{stderr}");
    assert!(stderr.contains("kiosk-provision check-config"), "{stderr}");
}

/// What the run command does on a machine with no display: the real binary draws every screen to PNG.
#[test]
fn walkthrough_draws_every_screen_without_a_display() {
    let dir = scratch_dir("walkthrough");
    let config = example_config();
    let output =
        run("kiosk", &["--config", config.to_str().expect("utf-8"), "--walkthrough", dir.to_str().expect("utf-8")]);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    // (home, 3 task screens, 2 more lookup views, 3 more queue steps, 12 home-visit pages, 12 dossier pages,
    // 11 booking pages, home with "now serving", home and queue outside opening hours, the calm notices of a
    // device out on home, queue and dossier, the technician's PIN pad (open, locked) and screen (working, faults))
    // x 2 languages x 2 shapes, 6 printed slips, and what the
    // speaker button reads on each (read-aloud.md), and the measured targets and contrast (measures.md).
    let mut pictures: Vec<_> = std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").path()).collect();
    pictures.sort();
    // (And fit.md, whether every text fits at every text size, and large/: every screen at 200 % in high
    // contrast.)
    assert_eq!(pictures.len(), 230, "{pictures:?}");
    for picture in &pictures {
        let name = picture.file_name().expect("name").to_string_lossy().into_owned();
        if name == "fit.md" {
            check_fit(&std::fs::read_to_string(picture).expect("the fit report"));
            continue;
        }
        if name == "large" {
            check_large(picture);
            continue;
        }
        if name == "measures.md" {
            check_measures(&std::fs::read_to_string(picture).expect("the measures"));
            continue;
        }
        if name == "read-aloud.md" {
            let text = std::fs::read_to_string(picture).expect("the transcript");
            assert!(text.contains("## home (vi)") && text.contains("Xin chào! Ông Bà cần làm gì hôm nay?"), "{text}");
            check_spoken(&text, &dir);
            continue;
        }
        let (width, height, channels, pixels) = read_png(picture);
        if name.starts_with("printed-") {
            assert_eq!(width, 576 + 32, "{name}: 80 mm paper and its margins");
            let (changed, _) = picture_variety(channels, &pixels);
            assert!(changed > 0.03, "{name}: the slip is blank");
            continue;
        }
        assert!((width, height) == (1080, 1920) || (width, height) == (1920, 1080));
        let (changed, colours) = picture_variety(channels, &pixels);
        // The header alone is 11 % (landscape) to 15 % (portrait) of the picture; a page's own content adds more.
        // Under the technician's PIN pad only the pad is drawn (a dialog of about a tenth of the picture).
        let header = if name.starts_with("technician-pin") {
            0.03
        } else if width > height {
            0.11
        } else {
            0.15
        };
        assert!(
            changed > header + 0.02 && colours > 50,
            "{}: looks blank ({changed:.2}, {colours} colours)",
            picture.display()
        );
    }
    assert!(text(&output.stdout).contains("Drew 449 screens and printed slips"), "{}", text(&output.stdout));
}

/// Every screen, in both languages and both shapes, at 150 % and 200 % text (and 100 %): every text fits (not
/// cut, not shortened, inside its parent and the window or its scrolling area, overlapping no other text).
fn check_fit(report: &str) {
    let rows: Vec<&str> = report.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| screen")).collect();
    assert_eq!(rows.len(), 220, "a row per screen, language and shape");
    let misfits: Vec<&&str> = rows.iter().filter(|row| !row.ends_with("| fits |")).collect();
    assert!(
        misfits.is_empty(),
        "texts that do not fit:\n{}",
        misfits.iter().map(|r| r.replace("<br>", "\n    ")).collect::<Vec<_>>().join("\n")
    );
}

/// The 200 % renders in high contrast: one per screen, language and shape, mostly black (the theme's page).
fn check_large(dir: &std::path::Path) {
    let renders: Vec<_> = std::fs::read_dir(dir).expect("large/").map(|e| e.expect("entry").path()).collect();
    assert_eq!(renders.len(), 220);
    for render in renders {
        let (width, height, channels, pixels) = read_png(&render);
        assert!((width, height) == (1080, 1920) || (width, height) == (1920, 1080));
        let step = channels;
        let black = pixels.chunks_exact(step).filter(|p| p[0] < 20 && p[1] < 20 && p[2] < 20).count();
        assert!(black * 2 > pixels.len() / step, "{}: not the high-contrast theme", render.display());
        let (changed, _) = picture_variety(channels, &pixels);
        // A blank render is all black (0); the sparsest real one, the locked PIN pad in landscape, is about 2 %.
        assert!(changed > 0.012, "{}: looks blank ({changed:.3})", render.display());
    }
}

/// Every screen's spoken text: a Vietnamese screen says no English sentence of the UI's, and each is
/// synthesised by espeak-ng in its language and is speech, not silence.
fn check_spoken(transcript: &str, dir: &std::path::Path) {
    let english = crate::read_aloud::english_texts();
    let sections: Vec<(&str, &str)> = transcript
        .split("\n## ")
        .skip(1)
        .filter_map(|section| {
            let (head, body) = section.split_once('\n')?;
            // Under the technician's PIN pad the residents' screen is hidden and the speaker button with it:
            // nothing is read there, by design (technician.rs checks the pad is not read aloud).
            if head.contains("technician-pin") {
                return None;
            }
            let language = if head.ends_with("(vi)") { "vi" } else { "en" };
            Some((language, body.trim()))
        })
        .collect();
    assert!(sections.len() >= 80, "a section per screen and language: {}", sections.len());
    for (n, (language, said)) in sections.iter().enumerate() {
        assert!(!said.is_empty(), "section {n} says nothing");
        if *language == "vi" {
            for text in &english {
                assert!(!said.contains(text.as_str()), "English {text:?} read on a Vietnamese screen: {said}");
            }
        }
        let wav = dir.join(format!("spoken-{n:03}.wav"));
        let status = std::process::Command::new("espeak-ng")
            .args(["-v", language, "-w"])
            .arg(&wav)
            .arg(said)
            .status()
            .expect("espeak-ng (Debian package espeak-ng)");
        assert!(status.success());
        let (seconds, rms) = crate::read_aloud::measure(&wav);
        assert!(rms > 0.02 && seconds > 1.0, "section {n}: {seconds} s at RMS {rms}: {said}");
        let _ = std::fs::remove_file(&wav);
    }
}

/// Every screen's smallest touch target is at least 44 px on its shorter side (at 1080 px wide); in the
/// high-contrast theme every text and caption measures at least 7:1 against its background, in the normal one
/// at least 4.5:1.
fn check_measures(report: &str) {
    let number = |cell: &str| -> Option<f64> {
        let head = cell.trim().split([' ', '×']).next()?;
        head.parse().ok()
    };
    let rows: Vec<Vec<&str>> = report
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| screen"))
        .map(|l| l.trim_matches('|').split(" | ").collect())
        .collect();
    assert!(rows.len() >= 170, "a row per screen and shape: {}", rows.len());
    for row in &rows {
        let target = row[3].trim();
        let (w, h) = target.split_once('×').map(|(w, rest)| (w, rest.split(' ').next().unwrap_or(""))).expect(target);
        let side = w.parse::<f64>().expect(w).min(h.parse::<f64>().expect(h));
        assert!(side >= 44.0, "{}: smallest target {target}", row.join(" | "));
        if let Some(normal) = number(row[4]) {
            assert!(normal >= 4.5, "{}: contrast {normal}", row.join(" | "));
        }
        if let Some(high) = number(row[5]) {
            assert!(high >= 7.0, "{}: high-contrast {high}", row.join(" | "));
        }
    }
}

/// The technician's print command against a printer on a loopback TCP port (the simulated printer device).
#[test]
fn provision_print_reaches_a_network_printer_and_reports_its_status() {
    use kiosk_drivers::printer::device::SimDevice;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
    let port = listener.local_addr().expect("bound").port();
    let device = SimDevice::default();
    let server = device.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(2).flatten() {
            let _ = server.serve(Box::new(kiosk_drivers::transport::TcpLink::from_stream(stream)));
        }
    });
    let to = format!("tcp:127.0.0.1:{port}");
    let output = run("kiosk-provision", &["print", "--document", "ticket", "--to", &to, "--profile", "epson-tm-t88"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("status before: ready") && stdout.contains("status after: ready"), "{stdout}");
    assert!(stdout.contains("codepage strategy"), "{stdout}");
    assert_eq!(device.jobs().len(), 1);
}

/// The technician's page command against a WaveWare transmitter simulated on a real pseudo-terminal.
#[test]
fn provision_page_reaches_a_serial_transmitter() {
    use kiosk_drivers::pager::serial::{Protocol, SimTransmitterDevice};
    use serialport::SerialPort as _;
    let (master, slave) = serialport::TTYPort::pair().expect("pseudo-terminal pair");
    let path = slave.name().expect("pty path");
    let device = SimTransmitterDevice::default();
    let server = device.clone();
    std::thread::spawn(move || {
        server.serve(
            Protocol::WaveWare { cap_base: 700000 },
            Box::new(kiosk_drivers::transport::SerialLink::from_port(master)),
        )
    });
    let to = format!("serial:{path}");
    let output = run("kiosk-provision", &["page", "--to", &to, "--protocol", "waveware", "--pager", "7"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("pager 7: accepted"), "{stdout}");
    assert_eq!(device.paged(), vec![7]);
    drop(slave);
}

/// The technician manages counter staff: PINs go in on standard input and only their hashes reach the file,
/// which only the kiosk's user can read.
#[test]
fn provision_staff_keeps_hashes_only_in_a_private_file() {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = scratch_dir("staff");
    let state = dir.to_str().expect("utf-8");
    let staff = |args: &[&str], pin: &str| {
        let mut child = std::process::Command::new(kiosk_tests::binary("kiosk-provision"))
            .arg("staff")
            .args(args)
            .args(["--state-dir", state])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kiosk-provision");
        // Commands that ask for no PIN exit without reading it.
        let _ = child.stdin.take().expect("stdin").write_all(format!("{pin}\n").as_bytes());
        child.wait_with_output().expect("finished")
    };
    let added = staff(&["add", "--id", "nv01", "--name", "Nguyễn Thị Hoa"], "246813");
    assert!(added.status.success(), "{}", text(&added.stderr));
    let weak = staff(&["add", "--id", "nv02", "--name", "Trần Văn Bình"], "123456");
    assert!(!weak.status.success());
    assert!(text(&weak.stderr).contains("too easy to guess"), "{}", text(&weak.stderr));
    let twice = staff(&["add", "--id", "nv01", "--name", "Someone"], "246813");
    assert!(text(&twice.stderr).contains("already a staff member with id `nv01`"), "{}", text(&twice.stderr));

    let file = dir.join("staff.toml");
    let contents = std::fs::read_to_string(&file).expect("staff file");
    assert!(contents.contains("$argon2id$") && !contents.contains("246813"), "{contents}");
    assert_eq!(std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o600);

    let list = staff(&["list"], "");
    assert_eq!(text(&list.stdout), "nv01\tNguyễn Thị Hoa\n");
    assert!(staff(&["set-pin", "--id", "nv01"], "135790").status.success());
    let accounts = kiosk_core::staff::Accounts::parse(&std::fs::read_to_string(&file).expect("file")).expect("valid");
    assert!(kiosk_core::staff::verify_pin(&accounts.staff[0].pin_hash, "135790"));
    assert!(staff(&["remove", "--id", "nv01"], "").status.success());
    assert_eq!(text(&staff(&["list"], "").stdout), format!("No staff in {}.\n", file.display()));
}
