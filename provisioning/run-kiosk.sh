#!/usr/bin/env bash
# Builds and starts the kiosk with simulated hardware and the example configuration: the README's run command.
#
# With a display (DISPLAY or WAYLAND_DISPLAY set) the kiosk opens in a window (KIOSK_FULLSCREEN=1 for full
# screen). Without one (a server, CI), it draws every screen with the software renderer into out/walkthrough/
# and says where the pictures are. Extra arguments go to the kiosk, e.g. --config my.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

provisioning/install-deps.sh build
# One build for everything (the same cargo call as the tests), so nothing is compiled twice.
cargo build --release --workspace
kiosk="${CARGO_TARGET_DIR:-target}/release/kiosk"

config=(--config "${KIOSK_CONFIG:-assets/kiosk.example.toml}")

# The demo keeps its queue and staff accounts in out/demo-state (a real kiosk: /var/lib/kiosk).
export STATE_DIRECTORY="${STATE_DIRECTORY:-$PWD/out/demo-state}"
provision="${CARGO_TARGET_DIR:-target}/release/kiosk-provision"
if [ ! -e "$STATE_DIRECTORY/staff.toml" ]; then
  mkdir -p -m 700 "$STATE_DIRECTORY"
  echo 246813 | "$provision" staff add --id demo --name "Cán bộ trình diễn (demo)" >/dev/null
fi
if [ ! -e "$STATE_DIRECTORY/technician-pin" ]; then
  echo 135790 | "$provision" technician-pin --pin-stdin >/dev/null
fi
echo "Demo counter staff: id demo, PIN 246813 (counter API on http://127.0.0.1:8790/counter/v1; see README)."
echo "Demo technician screen: hold the screen's top-left corner for 5 seconds, PIN 135790."
# The portal simulator beside the kiosk (the example config's portal is http://127.0.0.1:8787/kiosk-api), unless
# something already listens there. It keeps what it receives in out/portal-sim.sqlite.
if ! (exec 3<>/dev/tcp/127.0.0.1/8787) 2>/dev/null; then
  "${CARGO_TARGET_DIR:-target}/release/portal-sim" --listen 127.0.0.1:8787 --db out/portal-sim.sqlite &
  sim=$!
  trap 'kill "$sim" 2>/dev/null || true' EXIT
fi

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  window=(--windowed)
  [ "${KIOSK_FULLSCREEN:-0}" = "1" ] && window=()
  "$kiosk" "${config[@]}" "${window[@]}" "$@"
  exit
fi

out=out/walkthrough
echo "No display here: drawing the kiosk's screens instead (a desktop, or 'xvfb-run', shows the live window)."
"$kiosk" "${config[@]}" --walkthrough "$out" "$@"
echo "Open the pictures in $out/ — home-vi-1080x1920.png is what a resident sees first."
