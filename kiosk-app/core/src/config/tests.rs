//! Every kind of bad configuration gets its own precise message; the shipped example is valid.

use super::*;

const EXAMPLE: &str = include_str!("../../../../assets/kiosk.example.toml");

fn problems_of(text: &str) -> Vec<String> {
    match parse(Path::new("kiosk.toml"), text.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(error) => error.problems.iter().map(ToString::to_string).collect(),
    }
}

/// The example with one line replaced (the line must exist, so a test cannot silently test nothing).
fn example_with(old: &str, new: &str) -> String {
    assert!(EXAMPLE.contains(old), "the example has no line {old:?}");
    EXAMPLE.replacen(old, new, 1)
}

fn assert_single_problem(text: &str, expected: &str) {
    let problems = problems_of(text);
    assert_eq!(problems, vec![expected.to_owned()], "problems were {problems:#?}");
}

#[test]
fn the_shipped_example_is_valid() {
    let config = parse(Path::new("kiosk.example.toml"), EXAMPLE.as_bytes()).expect("example is valid");
    assert_eq!(config.kiosk.id, "HN-DEMO-0001");
    assert_eq!(config.kiosk.ward, "Phường Hoàn Kiếm");
    assert_eq!(config.ui.languages, vec![Language::Vietnamese, Language::English]);
    assert_eq!(config.ui.idle_timeout_seconds, 90);
    assert_eq!(config.devices.printer.transport, Transport::Simulated);
    assert_eq!(config.queue.services.len(), 6);
    assert_eq!(config.queue.services[0].name_vi, "Hộ tịch");
    assert_eq!(config.portal.host_port(), ("127.0.0.1".to_owned(), 8787));
}

#[test]
fn missing_key_is_named_with_its_section() {
    assert_single_problem(
        &example_with("ward = \"Phường Hoàn Kiếm\"\n", ""),
        "key `kiosk`: missing key `ward`; see assets/kiosk.example.toml",
    );
}

#[test]
fn missing_section_is_named() {
    let text = example_with("[ui]\n", "[ux]\n");
    let problems = problems_of(&text);
    assert!(
        problems.contains(
            &"key `ux`: unknown section; the sections are: kiosk, portal, ui, devices, queue, counter_api, hours, help"
                .to_owned()
        ),
        "{problems:#?}"
    );
    assert!(problems.contains(&"key `ui`: missing section; see assets/kiosk.example.toml".to_owned()), "{problems:#?}");
}

#[test]
fn wrong_type_names_the_key_and_the_types() {
    assert_single_problem(
        &example_with("idle_timeout_seconds = 90", "idle_timeout_seconds = \"90\""),
        "key `ui.idle_timeout_seconds`: wrong type: string \"90\", expected a whole number",
    );
}

#[test]
fn unknown_key_lists_the_allowed_ones() {
    assert_single_problem(
        &example_with(
            "[devices.printer]\ntransport = \"simulated\"",
            "[devices.printer]\ntransport = \"simulated\"\nbaudrate = 9600",
        ),
        "key `devices.printer.baudrate`: unknown key `baudrate`; allowed keys: `transport`, `baud`, `flow_control`, `profile`, `strategy`, `paper_dots`, `tcvn3_pages`, `cp1258_page`, `native_qr`, `cutter`",
    );
}

#[test]
fn bad_device_strings_say_what_is_wrong_and_what_is_allowed() {
    let printer_forms =
        "allowed: none, simulated, serial:/dev/PATH, usb:VID:PID[:SERIAL], tcp:HOST:PORT, file:/dev/PATH";
    let cases = [
        ("seriall:/dev/ttyUSB0", format!("`seriall:/dev/ttyUSB0` is not a device address; {printer_forms}")),
        ("serial:ttyUSB0", format!("`ttyUSB0` is not an absolute device path such as /dev/ttyUSB0; {printer_forms}")),
        ("usb:4b8:0e15", format!("USB vendor id `4b8` must be 4 hex digits, e.g. usb:04b8:0e15; {printer_forms}")),
        ("usb:04b8", format!("a USB address needs VID:PID, e.g. usb:04b8:0e15; {printer_forms}")),
        ("tcp:10.0.0.5", format!("a port is needed after the host, e.g. tcp:10.0.0.5:9100; {printer_forms}")),
        ("tcp:10.0.0.5:99999", format!("port `99999` must be a number from 1 to 65535; {printer_forms}")),
        ("sane:test:0", "a printer cannot be reached by `sane`; ".to_owned() + printer_forms),
    ];
    for (transport, message) in cases {
        let text = example_with(
            "[devices.printer]\ntransport = \"simulated\"",
            &format!("[devices.printer]\ntransport = \"{transport}\""),
        );
        assert_single_problem(&text, &format!("key `devices.printer.transport`: {message}"));
    }
    let pager = example_with(
        "[devices.pager]\ntransport = \"simulated\"",
        "[devices.pager]\ntransport = \"tcp:10.0.0.9:4000\"",
    );
    assert_single_problem(
        &pager,
        "key `devices.pager.transport`: a pager cannot be reached by `tcp`; allowed: none, simulated, serial:/dev/PATH",
    );
}

#[test]
fn good_device_strings_parse_and_print_back() {
    for text in [
        "none",
        "simulated",
        "serial:/dev/kiosk-pager",
        "usb:04b8:0e15",
        "usb:0416:5011:A1B2",
        "tcp:printer.local:9100",
        "tcp:[fe80::1]:9100",
        "file:/dev/usb/lp0",
        "sane:test:0",
    ] {
        let transport = Transport::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(transport.to_string(), text);
    }
    assert_eq!(
        Transport::parse("usb:04B8:0E15"),
        Ok(Transport::Usb { vendor_id: 0x04b8, product_id: 0x0e15, serial_number: None })
    );
}

#[test]
fn a_tcp_host_is_an_address_or_a_host_name_and_prints_back_as_it_parsed() {
    // Found by the config fuzz target (tests/fuzz/regressions/config): an unbracketed host with `:` and `[`
    // was taken, then printed in brackets and read back as another host.
    for text in ["tcp:0fe[:8:1]:9100", "tcp:a:b:9100", "tcp:[printer.local]:9100", "tcp:-x.local:9100", "tcp:a..b:9100"]
    {
        assert!(Transport::parse(text).is_err(), "{text}");
    }
    for text in ["tcp:10.0.0.5:9100", "tcp:[fd00::5]:9100", "tcp:may-in-01.ward.local:9100"] {
        let transport = Transport::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(Transport::parse(&transport.to_string()), Ok(transport));
    }
}

#[test]
fn serial_settings_only_on_serial_and_only_real_rates() {
    let serial = example_with(
        "[devices.pager]\ntransport = \"simulated\"",
        "[devices.pager]\ntransport = \"serial:/dev/kiosk-pager\"\nbaud = 19200\nflow_control = \"hardware\"\nprotocol = \"jtech\"",
    );
    let config = parse(Path::new("k.toml"), serial.as_bytes()).expect("valid");
    assert_eq!(config.devices.pager.serial, Some(SerialSettings { baud: 19200, flow_control: FlowControl::Hardware }));

    let odd_rate = example_with(
        "[devices.pager]\ntransport = \"simulated\"",
        "[devices.pager]\ntransport = \"serial:/dev/kiosk-pager\"\nbaud = 14400\nprotocol = \"lrs\"",
    );
    assert_single_problem(
        &odd_rate,
        "key `devices.pager.baud`: 14400 is not a supported rate; allowed: 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200",
    );
    let baud_on_tcp = example_with(
        "[devices.printer]\ntransport = \"simulated\"",
        "[devices.printer]\ntransport = \"tcp:10.0.0.5:9100\"\nbaud = 9600",
    );
    assert_single_problem(&baud_on_tcp, "key `devices.printer.baud`: applies only to a serial: transport; remove it");
    let bad_flow = example_with(
        "[devices.pager]\ntransport = \"simulated\"",
        "[devices.pager]\ntransport = \"serial:/dev/x\"\nflow_control = \"rts\"\nprotocol = \"lrs\"",
    );
    assert_single_problem(
        &bad_flow,
        "key `devices.pager.flow_control`: unknown variant `rts`, expected one of `none`, `hardware`, `software`",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = example_with("id = \"HN-DEMO-0001\"", "id = \"HN DEMO 0001\"")
        .replacen("languages = [\"vi\", \"en\"]", "languages = [\"vi\", \"fr\", \"vi\"]", 1)
        .replacen("idle_timeout_seconds = 90", "idle_timeout_seconds = 5", 1)
        .replacen("code = \"CT\"", "code = \"HT\"", 1)
        .replacen("base_url = \"http://127.0.0.1:8787/kiosk-api\"", "base_url = \"http://portal.hanoi.example/api\"", 1)
        .replacen("public_key = \"Y5BunGrvED2OPbNXws1CdRLMV5vL35D59m/8wIsHc1s=\"", "public_key = \"AAAA\"", 1);
    assert_eq!(
        problems_of(&text),
        vec![
            "key `kiosk.id`: `HN DEMO 0001` must be 1 to 32 letters, digits or dashes, e.g. HN-HK-0001",
            "key `portal.base_url`: plain http to `portal.hanoi.example` would send residents' data unencrypted; use https",
            "key `portal.public_key`: must be a 32-byte X25519 key in base64 (44 characters); this one is 3 bytes",
            "key `ui.languages[1]`: `fr` is not offered; allowed: vi, en",
            "key `ui.languages[2]`: `vi` is listed twice",
            "key `ui.idle_timeout_seconds`: 5 is out of range; allowed: 30 to 600 seconds",
            "key `queue.services[1].code`: `HT` is used by another service; codes must differ",
            "key `queue.counters[0].services`: `CT` is not one of the services above; allowed: BHX, CTR, DD, HT, NCC",
        ]
    );
}

#[test]
fn syntax_errors_and_other_encodings_are_explained() {
    let problems = problems_of("[kiosk\nid = 1");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("not valid TOML: "), "{problems:?}");
    assert!(problems[0].contains("line 1"), "{problems:?}");

    let latin1 = b"[kiosk]\nward = \"Ph\xf9\xf4ng\"\n";
    let error = parse(Path::new("/etc/kiosk/kiosk.toml"), latin1).expect_err("not UTF-8");
    assert_eq!(error.problems.len(), 1);
    assert!(error.problems[0].message.starts_with("the file is not UTF-8 text"), "{error}");
}

#[test]
fn unreadable_file_names_the_file_and_a_hint() {
    let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
    let report = Error::unreadable(Path::new("/etc/kiosk/kiosk.toml"), &missing).to_string();
    assert_eq!(
        report,
        "/etc/kiosk/kiosk.toml: 1 problem\n  /etc/kiosk/kiosk.toml: cannot read the file: entity not found \
         (copy assets/kiosk.example.toml there and edit it)\n"
    );
}

#[test]
fn text_is_stored_as_nfc() {
    let decomposed_ward = "Phu\u{031B}o\u{031B}\u{0300}ng Hoa\u{0300}n Kie\u{0302}\u{0301}m";
    let text = example_with("ward = \"Phường Hoàn Kiếm\"", &format!("ward = \"{decomposed_ward}\""));
    let config = parse(Path::new("k.toml"), text.as_bytes()).expect("valid");
    assert_eq!(config.kiosk.ward, "Phường Hoàn Kiếm");
    assert!(crate::text::is_nfc(&config.kiosk.ward));
}

#[test]
fn https_portals_and_loopback_http_are_accepted() {
    for (url, host, port) in [
        ("https://dichvucong.hanoi.gov.vn/kiosk-api/", "dichvucong.hanoi.gov.vn", 443),
        ("https://10.1.2.3:8443", "10.1.2.3", 8443),
        ("http://localhost:8787", "localhost", 8787),
        ("http://[::1]:8787/api", "::1", 8787),
    ] {
        let text = example_with("base_url = \"http://127.0.0.1:8787/kiosk-api\"", &format!("base_url = \"{url}\""));
        let config = parse(Path::new("k.toml"), text.as_bytes()).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(config.portal.host_port(), (host.to_owned(), port));
        assert!(!config.portal.base_url.ends_with('/'));
    }
}

#[test]
fn plain_http_is_only_for_a_loopback_address_not_a_name_that_looks_like_one() {
    for url in ["http://127.attacker.example/api", "http://127.0.0.1.nip.io:8787", "http://[::2]:8787"] {
        let text = example_with("base_url = \"http://127.0.0.1:8787/kiosk-api\"", &format!("base_url = \"{url}\""));
        let problems = problems_of(&text);
        assert!(problems.iter().any(|p| p.contains("would send residents' data unencrypted")), "{url}: {problems:?}");
    }
    let text = example_with("base_url = \"http://127.0.0.1:8787/kiosk-api\"", "base_url = \"http://127.0.0.2:8787\"");
    assert!(problems_of(&text).is_empty(), "127.0.0.2 is loopback");
}

#[test]
fn a_portal_address_given_on_a_command_line_meets_the_config_s_rules() {
    use crate::config::check_portal_url;
    assert_eq!(check_portal_url("http://127.0.0.1:8787/kiosk-api/").as_deref(), Ok("http://127.0.0.1:8787/kiosk-api"));
    assert_eq!(
        check_portal_url("https://portal.hanoi.gov.vn/kiosk").as_deref(),
        Ok("https://portal.hanoi.gov.vn/kiosk")
    );
    for url in
        ["http://127.attacker.example/api", "http://portal.hanoi.gov.vn", "ftp://x", "https://:80", "https://a:0"]
    {
        assert!(check_portal_url(url).is_err(), "{url}");
    }
}

#[test]
fn printer_profile_and_overrides() {
    let text = example_with(
        "[devices.printer]\ntransport = \"simulated\"",
        "[devices.printer]\ntransport = \"usb:0416:5011\"\nprofile = \"generic-58\"\nstrategy = \"raster\"\ntcvn3_pages = [27, 28]\ncutter = \"full\"",
    );
    let config = parse(Path::new("k.toml"), text.as_bytes()).expect("valid");
    let profile = config.devices.printer.printer.expect("printer profile");
    assert_eq!(profile.base, "generic-58");
    assert_eq!(profile.strategy, Some(PrintStrategy::Raster));
    assert_eq!(profile.tcvn3_pages, Some((27, 28)));
    assert_eq!(profile.cutter, Some(Cutter::Full));
    assert_eq!(profile.paper_dots, None);

    let default = parse(Path::new("k.toml"), EXAMPLE.as_bytes()).expect("valid");
    assert_eq!(default.devices.printer.printer.map(|p| p.base), Some("generic-80".to_owned()));
    assert_eq!(default.devices.pager.printer, None);

    let bad = example_with(
        "[devices.printer]\ntransport = \"simulated\"",
        "[devices.printer]\ntransport = \"simulated\"\nprofile = \"xprinter\"\npaper_dots = 500\ntcvn3_pages = [30]",
    );
    assert_eq!(
        problems_of(&bad),
        vec![
            "key `devices.printer.profile`: `xprinter` is not a shipped profile; allowed: epson-tm-t88, epson-tm-t20, generic-80, generic-58",
            "key `devices.printer.paper_dots`: 500 is not a paper width in dots: a multiple of 8 from 128 to 832 (384 for 58 mm, 576 for 80 mm)",
            "key `devices.printer.tcvn3_pages`: give two page numbers, lower then upper case, e.g. [30, 31]",
        ]
    );
}

#[test]
fn pager_protocols_and_their_keys() {
    let with =
        |lines: &str| example_with("[devices.pager]\ntransport = \"simulated\"", &format!("[devices.pager]\n{lines}"));
    let config = parse(
        Path::new("k.toml"),
        with("transport = \"serial:/dev/kiosk-pager\"\nprotocol = \"waveware\"\ncap_base = 1000000").as_bytes(),
    )
    .expect("valid");
    assert_eq!(config.devices.pager.pager, Some(PagerProtocol::WaveWare { cap_base: 1_000_000 }));
    let jtech = parse(
        Path::new("k.toml"),
        with("transport = \"serial:/dev/kiosk-pager\"\nbaud = 19200\nprotocol = \"jtech\"").as_bytes(),
    )
    .expect("valid");
    assert_eq!(jtech.devices.pager.pager, Some(PagerProtocol::Jtech { base_id: 10, separator: 3 }));
    assert_eq!(
        problems_of(&with("transport = \"serial:/dev/kiosk-pager\"")),
        ["key `devices.pager.protocol`: a serial pager transmitter needs its protocol: jtech, lrs or waveware"]
    );
    assert_eq!(
        problems_of(&with("transport = \"serial:/dev/kiosk-pager\"\nprotocol = \"lrs\"\ncap_base = 5")),
        ["key `devices.pager.cap_base`: does not apply to the `lrs` protocol; remove it"]
    );
    assert_eq!(
        problems_of(&with("transport = \"serial:/dev/kiosk-pager\"\nprotocol = \"pocsag\"")),
        ["key `devices.pager.protocol`: `pocsag` is not a supported protocol; allowed: jtech, lrs, waveware"]
    );
    assert_eq!(
        problems_of(&with("transport = \"simulated\"\nsystem_id = 4")),
        ["key `devices.pager.system_id`: applies only to a pager transmitter on a serial: transport; remove it"]
    );
}

#[test]
fn queue_pagers_and_priority_policy() {
    let config = parse(Path::new("k.toml"), EXAMPLE.as_bytes()).expect("valid");
    assert_eq!(config.queue.pagers, (1..=20).collect::<Vec<u16>>());
    assert_eq!(config.queue.priority, crate::queue::Policy::Bounded { max_wait: 20 * 60 });
    assert_eq!(config.queue.setup().services[0], "HT");
    let strict = example_with("priority = \"bounded\"", "priority = \"strict\"").replacen(
        "max_priority_wait_minutes = 20\n",
        "",
        1,
    );
    assert_eq!(
        parse(Path::new("k.toml"), strict.as_bytes()).expect("valid").queue.priority,
        crate::queue::Policy::Strict
    );
    assert_eq!(
        problems_of(&example_with("pager_range = [1, 20]", "pager_range = [20, 1]")),
        ["key `queue.pager_range`: give the first and last pager number, e.g. [1, 20] (0 to 9999)"]
    );
    assert_eq!(
        problems_of(&example_with("priority = \"bounded\"", "priority = \"fifo\"")),
        ["key `queue.priority`: `fifo` is not a policy; allowed: strict, bounded"]
    );
}

#[test]
fn counters_and_the_counter_api() {
    let config = parse(Path::new("k.toml"), EXAMPLE.as_bytes()).expect("valid");
    assert_eq!(config.queue.counter(2).map(|c| c.services.clone()), Some(vec!["CTR".to_owned(), "DD".to_owned()]));
    let api = config.counter_api.expect("the example has the API");
    assert_eq!(api.listen, "127.0.0.1:8790".parse().expect("address"));
    assert!(api.allow.is_empty());

    let without_api = EXAMPLE.split("\n[counter_api]").next().expect("text").to_owned();
    assert_eq!(parse(Path::new("k.toml"), without_api.as_bytes()).expect("valid").counter_api, None);

    assert_eq!(
        problems_of(&example_with("services = [\"CTR\", \"DD\"]", "services = [\"CTR\", \"XX\"]")),
        ["key `queue.counters[1].services`: `XX` is not one of the services above; allowed: BHX, CT, CTR, DD, HT, NCC"]
    );
    assert_eq!(
        problems_of(&example_with("number = 2", "number = 1")),
        ["key `queue.counters[1].number`: counter 1 is listed twice"]
    );
    assert_eq!(
        problems_of(&example_with("listen = \"127.0.0.1:8790\"", "listen = \"localhost\"")),
        ["key `counter_api.listen`: `localhost` is not an address and port such as 192.168.10.20:8790 or 127.0.0.1:8790"]
    );
    assert_eq!(
        problems_of(&example_with("allow = []", "allow = [\"192.168.1.0/33\", \"10.0.0.0/8\"]")),
        ["key `counter_api.allow[0]`: `/33` is not a prefix length 0 to 32"]
    );
    let no_counters: String =
        EXAMPLE
            .split("\n[[queue.counters]]")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    part.split_once("\n\n").map(|x| x.1).unwrap_or_default().to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n\n");
    assert_eq!(
        problems_of(&no_counters),
        ["key `queue.counters`: the counter API needs at least one [[queue.counters]] entry (number and the services it calls)"]
    );
}

#[test]
fn networks_contain_their_addresses() {
    let lan = Network::parse("192.168.10.0/24").expect("valid");
    assert!(lan.contains("192.168.10.77".parse().expect("ip")));
    assert!(!lan.contains("192.168.11.1".parse().expect("ip")));
    assert!(lan.contains("::ffff:192.168.10.5".parse().expect("mapped ip")), "IPv4 through an IPv6 socket");
    assert!(Network::parse("0.0.0.0/0").expect("all").contains("8.8.8.8".parse().expect("ip")));
    assert!(Network::parse("fd00::/8").expect("v6").contains("fd12::1".parse().expect("ip")));
    assert!(!Network::parse("fd00::/8").expect("v6").contains("10.0.0.1".parse().expect("ip")));
    assert_eq!(lan.to_string(), "192.168.10.0/24");
    assert!(Network::parse("192.168.10.0").is_err());
}

#[test]
fn opening_hours_and_help_lines_are_read_and_checked() {
    let config = parse(Path::new("k.toml"), EXAMPLE.as_bytes()).expect("the example is valid");
    let hours = config.hours.as_ref().expect("the example has opening hours");
    assert_eq!(hours.week[0].len(), 2);
    assert!(hours.week[6].is_empty(), "closed on Sunday");
    assert_eq!(hours.last_ticket_minutes, 30);
    assert!(hours.closed.contains(&crate::hours::parse_date("2027-01-01").expect("date")));
    assert_eq!(config.help[0].number, "1022");

    let bad = example_with(
        "monday = [\"08:00-12:00\", \"13:00-17:00\"]",
        "monday = [\"13:00-17:00\", \"08:00-12:00\", \"8h-9h\"]",
    )
    .replace("last_ticket_minutes = 30", "last_ticket_minutes = 500")
    .replace("closed = [\"2027-01-01\"", "closed = [\"2027-02-30\"")
    .replace("number = \"1022\"", "number = \"call us\"");
    let problems = problems_of(&bad);
    for key in
        ["hours.monday[1]", "hours.monday[2]", "hours.last_ticket_minutes", "hours.closed[0]", "help.lines[0].number"]
    {
        assert!(problems.iter().any(|p| p.starts_with(&format!("key `{key}`"))), "{key}: {problems:#?}");
    }
    // Without the sections: numbers at any hour, no help lines.
    let start = EXAMPLE.find("\n[hours]").expect("hours");
    let without = parse(Path::new("k.toml"), &EXAMPLE.as_bytes()[..start]).expect("valid without them");
    assert_eq!((without.hours, without.help.len()), (None, 0));
    assert_eq!(
        without_numbers(&config),
        crate::hours::Numbers::NotNow {
            next: Some(crate::hours::Opening { day: crate::hours::parse_date("2026-12-08").expect("d"), at: 8 * 60 })
        }
    );
}

/// The example's answer on Monday 2026-12-07 at 22:35.
fn without_numbers(config: &Config) -> crate::hours::Numbers {
    config.numbers(crate::hours::parse_date("2026-12-07").expect("date"), 22 * 60 + 35)
}
