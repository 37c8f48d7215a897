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
#
# KIOSK_DEB_PROFILE=appliance packages the kiosk from the build that ships instead (Cargo.toml's `appliance`
# profile: whole-program optimised for size, less resident memory; slow to build, so the tests package `release`):
#   cargo build --profile appliance -p kiosk-app -p kiosk-provision -p kiosk-drivers --bins
# The portal simulator (a development tool) is always packaged from the release build.
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
profile=${KIOSK_DEB_PROFILE:-release}
for binary in kiosk kiosk-provision kiosk-sane-helper; do
  [ -x "$target/$profile/$binary" ] || {
    echo "package.sh: $target/$profile/$binary missing: cargo build --profile $profile -p kiosk-app -p kiosk-provision -p kiosk-drivers --bins" >&2
    exit 66
  }
done
[ -x "$target/release/portal-sim" ] || { echo "package.sh: $target/release/portal-sim missing: cargo build --release --workspace" >&2; exit 66; }
mkdir -p "$out"
args=(--no-build --no-strip --fast --output "$out")
[ -n "$version" ] && args+=(--deb-version "$version")
# cargo-deb reads the assets' target/release/ as the chosen profile's folder.
cargo deb -p kiosk-app --profile "$profile" "${args[@]}" >&2
cargo deb -p kiosk-tests --profile release "${args[@]}" >&2
ls -1t "$out"/kiosk_*.deb | head -1
ls -1t "$out"/kiosk-portal-sim_*.deb | head -1
