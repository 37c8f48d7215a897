#!/usr/bin/env bash
# Benchmarks with printed figures (never asserted in tests): printing (bytes, encode time, serial time) beside
# python-escpos 3.1; the queue (durable ticket issue, call next to pager frame); the outbox (durable enqueue,
# draining 1,000 and 10,000 submissions: rate, CPU, peak memory); scanning (an A4 page to a finished JPEG
# page beside scanimage | img2pdf); first frame and memory of the kiosk beside
# Chromium's kiosk mode showing the same screen; reading aloud (tap on the speaker to the first audio sample); the technician's detect and self-test; the
# appliance's power-on to first frame and memory in the virtual kiosk. Installs Xvfb, Chromium and python-escpos (in a virtual environment) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
provisioning/install-deps.sh bench
cargo build --release --workspace
target_dir="${CARGO_TARGET_DIR:-target}"
# python-escpos 3.1 in its own virtual environment, for the printing comparison.
venv="${HOME}/.cache/kiosk-bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import escpos" 2>/dev/null || "$venv/bin/pip" install -q "python-escpos==3.1"
echo "== Printing: bytes, encode time, time on a serial line =="
KIOSK_BENCH_PYTHON="$venv/bin/python" "$target_dir/release/bench-print"
echo
echo "== Queue: durable ticket issue, call next to pager =="
"$target_dir/release/bench-queue"
echo
echo "== Outbox: durable enqueue, draining 1,000 and 10,000 submissions to the portal simulator =="
"$target_dir/release/bench-outbox"
echo
echo "== Scanning: an A4 page at 300 dpi grey to a finished page, beside scanimage | img2pdf =="
"$target_dir/release/bench-scan"
echo
echo "== Search: latency per keystroke, the shipped catalogue and one the size of Hanoi's (2,089) =="
"$target_dir/release/bench-search"
echo
echo "== Reading aloud: tap on the speaker to the first audio sample (espeak-ng) =="
"$target_dir/release/bench-speech"
echo
echo "== Staff console and waiting-room board: call next → board, → announcement; ten counters at once =="
"$target_dir/release/bench-console"
echo
echo "== Installing a kiosk: detect, setup, enrol, self-test, status (the technician's commands, timed) =="
tests/bench/provision.sh
echo
echo "== Tap to the next frame, and peak memory through the flows (the kiosk as it ships: appliance profile) =="
cargo build --profile appliance -p kiosk-app --bin kiosk
export KIOSK_BENCH_KIOSK="$target_dir/appliance/kiosk"
"$target_dir/release/bench-tap"
echo
echo "== First frame and memory (appliance profile) =="
"$target_dir/release/bench-first-frame"
echo
echo "== The appliance: power-on to the kiosk's first frame on the KMS screen, its memory (virtual kiosk, tests/vm) =="
provisioning/install-deps.sh vm
python3 tests/vm/appliance.py --bench 3 || echo "(virtual kiosk skipped or failed: see above)"
