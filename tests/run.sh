#!/usr/bin/env bash
# Runs every test: the README's test command, and what CI runs.
#
# One release build serves the binaries the end-to-end tests start, the tests themselves, and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

provisioning/install-deps.sh build
cargo build --release --workspace
cargo test --release --workspace
