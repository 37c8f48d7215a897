//! `kiosk-provision detect` as a technician runs it: the real binary, SANE's `test` backend through the scanner
//! helper (built beside the binary by `cargo build --release --workspace`), and a reader that has gone away.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiosk-provision"));
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    command
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("detect-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A SANE configuration loading only the `test` backend (test:0 and test:1), with no network discovery.
fn sane_test_config() -> PathBuf {
    let dir = scratch("sane");
    std::fs::write(dir.join("dll.conf"), "test\n").expect("dll.conf");
    let helper = Path::new(env!("CARGO_BIN_EXE_kiosk-provision")).with_file_name("kiosk-sane-helper");
    assert!(
        helper.exists(),
        "{} is missing: build the binaries first with `cargo build --release --workspace`",
        helper.display()
    );
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn detect_json_parses_and_lists_the_sane_test_scanner() {
    let config = sane_test_config();
    let output = binary().args(["detect", "--json"]).env("SANE_CONFIG_DIR", &config).output().expect("detect runs");
    assert!(output.status.success(), "exit {:?}: {}", output.status, stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(report["format"], 1);
    for section in ["printers", "serial_ports", "scanners", "input", "displays", "notes"] {
        assert!(report[section].is_array(), "{section} is an array");
    }
    let scanners = report["scanners"].as_array().expect("scanners");
    let test0 = scanners.iter().find(|s| s["name"] == "test:0").unwrap_or_else(|| panic!("test:0 in {scanners:?}"));
    assert_eq!(test0["verdict"], "ok");
    assert_eq!(test0["config"][1], "transport = \"sane:test:0\"");
    assert!(report["elapsed_ms"].is_u64());
}

#[test]
fn detect_text_has_every_section() {
    let output = binary().args(["detect", "--skip", "scanners"]).output().expect("detect runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    for title in ["Receipt printers", "Serial ports", "Touch and pointer", "Displays"] {
        assert!(text.contains(&format!("\n{title}\n")), "{title} in:\n{text}");
    }
    assert!(!text.contains("\nScanners\n"), "skipped");
    assert!(!text.contains("\x1b["), "no colour when stdout is not a terminal");
}

#[test]
fn detect_into_a_closed_pipe_ends_quietly() {
    // `kiosk-provision detect | head -c 10`, with the reader gone before the first byte is written.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = binary()
        .args(["detect", "--skip", "scanners"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("detect runs");
    assert!(output.status.success(), "exit {:?}: {}", output.status, stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn catalogue_search_into_a_closed_pipe_ends_quietly() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = binary()
        .args(["catalogue", "search", "chung thuc"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("catalogue search runs");
    assert!(output.status.success(), "exit {:?}: {}", output.status, stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn detect_reads_a_given_sysfs_root_and_fails_only_without_one() {
    let empty = scratch("empty-sys");
    let output = binary()
        .args(["detect", "--json", "--skip", "printers,scanners", "--sysfs-root"])
        .arg(&empty)
        .arg("--dev-root")
        .arg(&empty)
        .output()
        .expect("detect runs");
    assert!(output.status.success(), "nothing found is still a run: {}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let sections: Vec<&str> =
        report["notes"].as_array().expect("notes").iter().filter_map(|n| n["section"].as_str()).collect();
    assert_eq!(sections, ["serial", "input", "displays"]);

    let output = binary().args(["detect", "--sysfs-root", "/no/such/sys"]).output().expect("detect runs");
    assert_eq!(output.status.code(), Some(2), "could not run at all");
    assert!(stderr(&output).contains("/no/such/sys"));
}
