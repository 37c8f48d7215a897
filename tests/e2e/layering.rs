//! The architecture's invariants, checked from the Cargo.toml files and sources: a crate that gains a
//! dependency its layer must not have fails here, before review.

use kiosk_tests::workspace_root;

fn dependencies(manifest: &str) -> Vec<String> {
    let path = workspace_root().join(manifest);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table: toml::Table = toml::from_str(&text).expect("valid Cargo.toml");
    ["dependencies", "build-dependencies"]
        .iter()
        .filter_map(|section| table.get(*section).and_then(|v| v.as_table()))
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

#[test]
fn kiosk_core_stays_pure() {
    let allowed = [
        "serde",
        "toml",
        "serde_path_to_error",
        "unicode-normalization",
        "thiserror",
        "base64",
        "argon2",
        "sha2",
        "bamboo-core",
        "crc",
        "serde_json",
        "data-encoding",
        "miniz_oxide",
    ];
    for dependency in dependencies("kiosk-app/core/Cargo.toml") {
        assert!(
            allowed.contains(&dependency.as_str()),
            "kiosk-core gained `{dependency}`: the core does no I/O and knows no UI, device or database; \
             if it is pure data handling, add it to this list with a reason in ARCHITECTURE.md"
        );
    }
}

#[test]
fn drivers_know_nothing_of_kiosks_ui_storage_or_network_clients() {
    let forbidden = ["kiosk-core", "kiosk-app", "slint", "rusqlite", "reqwest", "axum", "tokio"];
    for dependency in dependencies("drivers/Cargo.toml") {
        assert!(!forbidden.contains(&dependency.as_str()), "kiosk-drivers must not depend on `{dependency}`");
    }
}

#[test]
fn only_the_app_knows_slint_and_the_technician_tool_stays_small() {
    for manifest in ["kiosk-app/core/Cargo.toml", "drivers/Cargo.toml", "provisioning/Cargo.toml"] {
        for dependency in dependencies(manifest) {
            assert!(
                !dependency.starts_with("slint") && !dependency.starts_with("i-slint"),
                "{manifest} depends on `{dependency}`"
            );
        }
    }
}

#[test]
fn only_the_ui_bridge_names_slint() {
    let src = workspace_root().join("kiosk-app/src");
    let mut offenders = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).expect("under src");
                let in_bridge = relative.starts_with("ui");
                let names_slint = std::fs::read_to_string(&path).expect("read").contains("slint::");
                // main.rs starts the event loop through the bridge's types and may name ComponentHandle.
                if names_slint && !in_bridge && relative != std::path::Path::new("main.rs") {
                    offenders.push(relative.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "only kiosk-app/src/ui names Slint types; also found in {offenders:?}");
}
