//! Helpers for the end-to-end tests and benchmarks: where the workspace, its binaries and its assets are.
//! Must not do: hide a failure (a helper that cannot find what it needs panics with the fix).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace").to_owned()
}

/// The shipped example configuration.
pub fn example_config() -> PathBuf {
    workspace_root().join("assets/kiosk.example.toml")
}

/// A workspace binary built beside the running test or benchmark (target/<profile>/NAME).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/e2e-HASH (a test) or target/<profile>/bench-NAME (a benchmark) -> target/<profile>/NAME
    let mut profile_dir = exe.parent().expect("executables live in a directory");
    if profile_dir.ends_with("deps") {
        profile_dir = profile_dir.parent().expect("deps is inside target/<profile>");
    }
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the binaries first with `cargo build --release --workspace` (tests/run.sh does)",
        path.display()
    );
    path
}

/// Runs a workspace binary to completion with the given arguments.
pub fn run(name: &str, args: &[&str]) -> Output {
    Command::new(binary(name))
        .args(args)
        .env_remove("KIOSK_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("running {name}: {e}"))
}

/// A fresh directory for one test's files, under the target directory.
/// The example configuration without its opening hours (numbers at any hour), written beside the scratch
/// directories: for the benchmarks, which take numbers whatever the hour they run at.
pub fn example_config_always_open() -> PathBuf {
    let text = std::fs::read_to_string(example_config()).expect("example config");
    let start = text.find("\n[hours]").expect("the example has opening hours");
    let end = text[start + 1..].find("\n[").map_or(text.len(), |at| start + 1 + at);
    let path = std::env::temp_dir().join(format!("kiosk-always-open-{}.toml", std::process::id()));
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).expect("config written");
    path
}

pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiosk-e2e-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Private, as the kiosk's state directory must be (the kiosk refuses one open to other users).
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(&dir)
        .expect("create scratch dir");
    dir
}

/// Decodes an 8-bit RGB or RGBA PNG into (width, height, channels, pixels).
pub fn read_png(path: &Path) -> (u32, u32, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).expect("open png")));
    let mut reader = decoder.read_info().expect("png header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size known")];
    let info = reader.next_frame(&mut pixels).expect("png frame");
    pixels.truncate(info.buffer_size());
    (info.width, info.height, info.color_type.samples(), pixels)
}

/// How much of a picture differs from its most common colour, and how many distinct colours it has: a blank
/// or single-colour frame scores near zero on both.
pub fn picture_variety(channels: usize, pixels: &[u8]) -> (f64, usize) {
    use std::collections::HashMap;
    let mut counts: HashMap<&[u8], usize> = HashMap::new();
    for pixel in pixels.chunks_exact(channels) {
        *counts.entry(&pixel[..channels.min(3)]).or_default() += 1;
    }
    let total = pixels.len() / channels;
    let most_common = counts.values().copied().max().unwrap_or(0);
    (1.0 - most_common as f64 / total.max(1) as f64, counts.len())
}
pub mod browser;
pub mod escl_sim;
pub mod portal_sim;
pub mod staff_site;

/// A SANE configuration directory in `dir` that loads only the `test` backend (two virtual scanners, `test:0` and
/// `test:1`), with room for A4 (its stock configuration stops at 200 mm) and a grid picture. `devices` sets how
/// many virtual scanners exist (0 makes them "unplugged"). Returns the directory for `SANE_CONFIG_DIR`.
pub fn sane_test_config(dir: &Path, devices: u32) -> PathBuf {
    std::fs::create_dir_all(dir).expect("SANE config dir");
    std::fs::write(dir.join("dll.conf"), "test\n").expect("dll.conf");
    let conf = format!(
        "number_of_devices {devices}\nmode Gray\ndepth 8\nhand-scanner false\nthree-pass false\n\
         three-pass-order RGB\nresolution_min 1.0\nresolution_max 1200.0\nresolution_quant 1.0\nresolution 50.0\n\
         test-picture \"Grid\"\ninvert-endianess false\nread-limit false\nread-limit-size 1\nread-delay false\n\
         read-delay-duration 1000\nread-status-code \"Default\"\nfuzzy-parameters false\nppl-loss 0\n\
         non-blocking false\nselect-fd false\nenable-test-options false\ngeometry_min 0.0\ngeometry_max 300.0\n\
         geometry_quant 1.0\ntl_x 0.0\ntl_y 0.0\nbr_x 210.0\nbr_y 297.0\n"
    );
    std::fs::write(dir.join("test.conf"), conf).expect("test.conf");
    dir.to_owned()
}

/// The kiosk's device key (created in `dir`) enrolled as HN-TEST-0001 at the portal (or simulator) at `url`,
/// and a runtime to speak to it: what the resident-screen tests share before they submit anything.
pub fn enrolled_kiosk(dir: &Path, url: &str) -> (ed25519_dalek::SigningKey, tokio::runtime::Runtime) {
    use kiosk_app::portal::Portal as _;
    let key = kiosk_app::portal::device_key(dir).expect("device key");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let portal =
        kiosk_app::portal::HttpPortal::new(url, "HN-TEST-0001", key.clone(), || chrono::Utc::now().timestamp())
            .expect("client");
    let enrolment = kiosk_app::portal::enrolment("HN-TEST-0001", &key);
    let status = runtime.block_on(portal.enrol(&enrolment)).status;
    assert!(matches!(status, Some(200 | 201)), "enrolled: {status:?}");
    (key, runtime)
}

/// Slint's testing backend for this thread, as the benchmarks drive the UI: mock time, the software renderer,
/// no event loop.
pub fn testing_platform() -> anyhow::Result<()> {
    slint::platform::set_platform(Box::new(i_slint_backend_testing::TestingBackend::new(
        i_slint_backend_testing::TestingBackendOptions {
            mock_time: true,
            threading: false,
            renderer_name: Some("software".into()),
        },
    )))
    .map_err(|e| anyhow::anyhow!("{e}"))
}
