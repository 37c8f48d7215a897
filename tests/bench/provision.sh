#!/usr/bin/env bash
# A technician's install, timed: detect (5 runs), setup, enrol with a one-time code from the portal simulator,
# self-test (3 runs), status. Devices: the SANE `test` backend for the scanner (a real SANE scan), the simulated
# printer and pager (this machine has no USB or serial hardware), the portal simulator on loopback. Prints each
# command's own output (README's "Installing a kiosk" shows it) and the times. Called by tests/bench.sh after its
# build; by itself: `cargo build --release --workspace && tests/bench/provision.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CARGO_TARGET_DIR:-target}/release"
work=$(mktemp -d)
trap 'kill "${sim:-}" "${kiosk:-}" "${xvfb:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# SANE with only its test backend (the stock configuration also searches the network, seconds per listing).
mkdir -p "$work/sane"
echo test >"$work/sane/dll.conf"
export SANE_CONFIG_DIR="$work/sane"
export NO_COLOR=1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/portal-sim" --listen "127.0.0.1:$port" --db "$work/portal.sqlite" --enrolment-codes >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

place=(--config "$work/kiosk.toml" --state-dir "$work/state")
now_ms() { date +%s%3N; }
timed() { # name, runs, command...: prints the command's last output and each run's time
  local name=$1 runs=$2 times=() start end
  shift 2
  for _ in $(seq "$runs"); do
    start=$(now_ms)
    "$@" >"$work/out.txt" 2>&1 || true
    end=$(now_ms)
    times+=("$((end - start))")
  done
  echo "\$ kiosk-provision ${*:2}" | sed "s|$work|/tmp/k|g"
  sed "s|$work|/tmp/k|g" "$work/out.txt"
  sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  echo "-- $name: $runs runs, ms: $sorted(median $(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p") ms)"
  echo
}

timed detect 5 "$bin/kiosk-provision" detect
echo 135790 >"$work/pin"
timed setup 1 "$bin/kiosk-provision" setup --non-interactive "${place[@]}" --kiosk-id HN-BENCH-0001 \
  --ward "hoan kiem" --service-point "Nhà văn hoá tổ dân phố 5" --address "5 Hàng Bạc" \
  --hours "mon-fri 08:00-12:00 13:00-17:00; sat 08:00-12:00" --portal-url "http://127.0.0.1:$port/kiosk-api" \
  --portal-key "Y5BunGrvED2OPbNXws1CdRLMV5vL35D59m/8wIsHc1s=" --printer simulated --scanner sane:test:0 \
  --pager simulated --pin-stdin <"$work/pin"
code=$(python3 - "$port" <<'EOF'
import json, sys, urllib.request
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/admin/enrolment-codes",
    data=json.dumps({"kiosk_id": "HN-BENCH-0001"}).encode(), headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(request))["code"])
EOF
)
timed enrol 1 "$bin/kiosk-provision" enrol "${place[@]}" --code "$code"
timed self-test 3 "$bin/kiosk-provision" self-test "${place[@]}"
# The kiosk itself (on Xvfb where there is one), then what `status` says of it.
if command -v Xvfb >/dev/null; then
  display=":$((200 + $$ % 100))"
  Xvfb "$display" -screen 0 1080x1920x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  sleep 0.5
  DISPLAY="$display" STATE_DIRECTORY="$work/state" "$bin/kiosk" --config "$work/kiosk.toml" --windowed \
    >"$work/kiosk.log" 2>&1 &
  kiosk=$!
  for _ in $(seq 300); do [ -e "$work/state/status.json" ] && break; sleep 0.1; done
  sleep 3
fi
timed status 1 "$bin/kiosk-provision" status "${place[@]}"
