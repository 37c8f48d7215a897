#!/usr/bin/env bash
# Runs every test: the README's test command, and what CI runs.
#
# One release build serves the binaries the end-to-end tests start, the tests themselves, and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

provisioning/install-deps.sh build
cargo build --release --workspace

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --release --workspace 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over every test binary.
# The virtual kiosk (tests/vm/): a Debian 12 guest with a USB printer gadget on dummy_hcd, QEMU's FTDI serial
# adapter, a KMS display and a touch tablet; `kiosk-provision detect` runs inside it. Without /dev/kvm it says so
# and is skipped (exit 77), never reported as passed.
provisioning/install-deps.sh vm
vm=0
python3 tests/vm/vm.py smoke || vm=$?
case "$vm" in
  0) ;;
  77) echo "virtual kiosk: SKIPPED (see the line above)" ;;
  *) status=1 ;;
esac
# The appliance (tests/vm/appliance.py): the kiosk's .deb (cargo-deb, from this build) installed by apt in the
# guest, booted by systemd onto the KMS screen, tapped, printed from, unplugged, killed, hung, power-cut, upgraded,
# removed and purged.
appliance=0
python3 tests/vm/appliance.py || appliance=$?
case "$appliance" in
  0) ;;
  77) echo "virtual kiosk appliance: SKIPPED (see the line above)" ;;
  *) status=1 ;;
esac
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
