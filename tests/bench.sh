#!/usr/bin/env bash
# Benchmarks with printed figures (never asserted in tests): first frame and memory of the kiosk beside
# Chromium's kiosk mode showing the same screen. Installs Xvfb, xwd and Chromium if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
provisioning/install-deps.sh bench
cargo build --release --workspace
target_dir="${CARGO_TARGET_DIR:-target}"
"$target_dir/release/bench-first-frame"
