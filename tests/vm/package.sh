#!/usr/bin/env bash
# Builds the appliance's Debian packages with cargo-deb from the workspace's release build (no second build):
#   kiosk_VERSION_amd64.deb              the kiosk, kiosk-provision, the scanner helper, the systemd unit, udev
#                                        rules, the kiosk user, /etc/kiosk/kiosk.toml (conffile)
#   kiosk-portal-sim_VERSION_amd64.deb   the portal simulator as a service (a development tool)
#
#   tests/vm/package.sh OUTDIR [DEB_VERSION]
#
# DEB_VERSION (default: the workspace's version) lets a test make "the previous build" to upgrade from. Prints
# the two files' paths. Installs cargo-deb (pinned) when it is missing. Needs `cargo build --release --workspace`
# first (tests/run.sh does it).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/package.sh OUTDIR [DEB_VERSION]}
version=${2:-}
cargo_deb_version=3.8.0

if ! cargo deb --version 2>/dev/null | grep -q "$cargo_deb_version"; then
  echo "package.sh: installing cargo-deb $cargo_deb_version (once)" >&2
  CARGO_TARGET_DIR="${HOME}/.cache/kiosk-cargo-deb-build" cargo install --locked --quiet cargo-deb --version "$cargo_deb_version" >&2
fi
target=${CARGO_TARGET_DIR:-target}
for binary in kiosk kiosk-provision kiosk-sane-helper portal-sim; do
  [ -x "$target/release/$binary" ] || { echo "package.sh: $target/release/$binary missing: cargo build --release --workspace" >&2; exit 66; }
done
mkdir -p "$out"
args=(--no-build --no-strip --fast --output "$out")
[ -n "$version" ] && args+=(--deb-version "$version")
cargo deb -p kiosk-app "${args[@]}" >&2
cargo deb -p kiosk-tests "${args[@]}" >&2
ls -1t "$out"/kiosk_*.deb | head -1
ls -1t "$out"/kiosk-portal-sim_*.deb | head -1
