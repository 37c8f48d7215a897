//! The SANE driver against SANE's own `test` backend (libsane, through the `kiosk-sane-helper` process), and the
//! page pipeline on what it returns. SANE is process-global; every SANE call here happens in a helper process
//! of its own, and the steps run one after another in a single test.

use std::time::Duration;

use kiosk_drivers::scanner::helper::{self, SaneScanner};
use kiosk_drivers::scanner::{pdf, pipeline, ColourMode, ErrorKind, PageSize, Resolutions, Scanner, Settings, Source};

fn scanner(config: &std::path::Path, device: &str) -> SaneScanner {
    SaneScanner::new(device)
        .with_helper(kiosk_tests::binary("kiosk-sane-helper"))
        .with_env("SANE_CONFIG_DIR", &config.display().to_string())
        .with_deadline(Duration::from_secs(30))
}

#[test]
fn sane_test_backend_lists_scans_flatbed_and_feeder_and_reports_each_error_as_its_kind() {
    let dir = kiosk_tests::scratch_dir("sane");
    let config = kiosk_tests::sane_test_config(&dir.join("sane.d"), 2);
    let env = [("SANE_CONFIG_DIR".to_owned(), config.display().to_string())];

    // Listing.
    let devices = helper::list(&kiosk_tests::binary("kiosk-sane-helper"), &env).expect("list");
    let names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["test:0", "test:1"], "{devices:?}");
    assert_eq!(devices[0].model, "frontend-tester");

    // What the device offers, read from its options.
    let mut test0 = scanner(&config, "test:0");
    let caps = test0.capabilities().expect("capabilities");
    assert_eq!(caps.sources, [Source::Flatbed, Source::Feeder]);
    assert_eq!(caps.modes, [ColourMode::Grey, ColourMode::Colour]);
    assert_eq!(caps.resolutions, Resolutions::Range(1, 1200));
    assert_eq!(caps.max_area, Some((300.0, 300.0)));
    test0.check().expect("ready");

    // An A4 page at 300 dpi, grey, from the glass: the resolution really set (a FIXED option), the area A4.
    let pages = test0.scan(&Settings::default()).expect("flatbed scan");
    assert_eq!(pages.len(), 1, "one page from the glass");
    assert_eq!((pages[0].width, pages[0].height, pages[0].channels, pages[0].dpi), (2480, 3507, 1, 300));
    let finished = pipeline::finish(&pages[0], &pipeline::Options::TEXT).expect("pipeline");
    assert_eq!((finished.width, finished.height, finished.dpi), (1653, 2338, 200));
    let document = pdf::assemble(&[finished]).expect("pdf");
    let read = pdf::read_back(&document).expect("a valid PDF");
    assert_eq!(read.len(), 1);
    assert!((read[0].width_pt - 595.1).abs() < 1.0 && (read[0].height_pt - 841.7).abs() < 1.0, "{read:?}");

    // Colour.
    let colour = Settings { mode: ColourMode::Colour, resolution: 100, ..Settings::default() };
    let pages = test0.scan(&colour).expect("colour scan");
    assert_eq!((pages[0].channels, pages[0].width), (3, 826));

    // The feeder: every page in it (the test backend's holds 10), then it is empty.
    let feeder = Settings { source: Source::Feeder, resolution: 50, size: PageSize::A4, ..Settings::default() };
    let pages = test0.scan(&feeder).expect("feeder scan");
    assert_eq!(pages.len(), 10, "the whole feeder in one scan");
    assert!(pages.iter().all(|p| (p.width, p.height) == (413, 584)));

    // Each injected error reaches the kiosk as its kind, with SANE's words for the technician.
    for (status, kind, words) in [
        ("SANE_STATUS_JAMMED", ErrorKind::Jammed, "jammed"),
        ("SANE_STATUS_NO_DOCS", ErrorKind::NoDocument, "out of documents"),
        ("SANE_STATUS_COVER_OPEN", ErrorKind::CoverOpen, "cover is open"),
        ("SANE_STATUS_DEVICE_BUSY", ErrorKind::Busy, "busy"),
        ("SANE_STATUS_IO_ERROR", ErrorKind::Io, "I/O"),
        // An empty page "successfully" read is an error too, never a blank attachment.
        ("SANE_STATUS_EOF", ErrorKind::Io, "ended early"),
    ] {
        let settings = Settings {
            resolution: 50,
            extra: vec![("read-return-value".into(), status.into())],
            ..Settings::default()
        };
        let error = test0.scan(&settings).expect_err(status);
        assert_eq!(error.kind(), kind, "{status}: {error}");
        assert!(error.to_string().contains(words), "{status}: {error}");
    }

    // A scanner that is not there, then unplugged, then back: found again without restarting anything.
    assert_eq!(scanner(&config, "test:7").check().map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
    let mut test1 = scanner(&config, "test:1");
    test1.check().expect("test:1 is there");
    kiosk_tests::sane_test_config(&config, 1);
    assert_eq!(test1.scan(&Settings::default()).map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
    kiosk_tests::sane_test_config(&config, 2);
    assert_eq!(test1.scan(&Settings { resolution: 50, ..Settings::default() }).expect("back").len(), 1);

    // No helper program: a clear driver error, not a crash.
    let mut missing = SaneScanner::new("test:0").with_helper(dir.join("no-such-helper"));
    let error = missing.check().expect_err("no helper");
    assert_eq!(error.kind(), ErrorKind::Io);
    assert!(error.to_string().contains("KIOSK_SANE_HELPER"), "{error}");
}

#[test]
fn an_escl_network_scanner_is_listed_and_scanned_through_sane_airscan() {
    let escl = kiosk_tests::escl_sim::spawn().expect("eSCL stand-in");
    let dir = kiosk_tests::scratch_dir("sane-airscan");
    let config = dir.join("sane.d");
    std::fs::create_dir_all(&config).expect("dir");
    std::fs::write(config.join("dll.conf"), "airscan\n").expect("dll.conf");
    std::fs::write(
        config.join("airscan.conf"),
        format!("[devices]\n\"Kiosk Test\" = {}\n\n[options]\ndiscovery = disable\n", escl.url()),
    )
    .expect("airscan.conf");
    let env = [("SANE_CONFIG_DIR".to_owned(), config.display().to_string())];

    // Listed: `sane_get_devices` is asked for network devices too (sane-scan asked for local ones only).
    let devices = helper::list(&kiosk_tests::binary("kiosk-sane-helper"), &env).expect("list");
    let name = devices
        .iter()
        .map(|d| d.name.clone())
        .find(|n| n.starts_with("airscan:") && n.ends_with("Kiosk Test"))
        .unwrap_or_else(|| panic!("the eSCL scanner is listed: {devices:?}"));

    let mut network = scanner(&config, &name);
    let caps = network.capabilities().expect("capabilities");
    assert_eq!(caps.sources, [Source::Flatbed]);
    assert!(caps.modes.contains(&ColourMode::Grey) && caps.modes.contains(&ColourMode::Colour), "{caps:?}");
    assert_eq!(caps.resolutions, Resolutions::List(vec![75, 150, 300]));

    let settings = Settings { resolution: 150, ..Settings::default() };
    let page = network.scan(&settings).expect("scan over eSCL").remove(0);
    assert_eq!((page.channels, page.dpi), (1, 150));
    let dark = page.pixels.iter().filter(|&&v| v < 100).count();
    assert!(dark > 1_000, "the scanner's lines came through: {dark} dark pixels");
    let log = escl.escl.log.lock().expect("log").join("\n");
    assert!(log.contains("Grayscale8") && log.contains("<scan:XResolution>150"), "{log}");

    let colour = network.scan(&Settings { mode: ColourMode::Colour, ..settings }).expect("colour scan").remove(0);
    assert_eq!(colour.channels, 3);
    let finished = pipeline::finish(&colour, &pipeline::Options::ID_CARD).expect("pipeline");
    assert!(finished.colour);
}

#[test]
fn the_scanner_helper_cannot_read_the_kiosk_s_files() {
    let state = kiosk_tests::scratch_dir("helper-confined");
    let key = state.join("device.key");
    std::fs::write(&key, "a secret the helper must never read").expect("key");
    let check = |path: &std::path::Path| {
        let output = std::process::Command::new(kiosk_tests::binary("kiosk-sane-helper"))
            .arg("--confinement-check")
            .arg(path)
            .output()
            .expect("helper runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    let verdict = check(&key);
    if verdict.ends_with("None") {
        panic!("this kernel has no Landlock: the confinement cannot be tested here ({verdict})");
    }
    assert!(verdict.starts_with("denied"), "the kiosk's device key is out of the helper's reach: {verdict}");
    assert!(check(std::path::Path::new("/etc/sane.d/dll.conf")).starts_with("readable"), "SANE's own configuration");
}
