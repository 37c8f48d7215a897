#!/usr/bin/env bash
# Installs the Debian packages the kiosk needs to build, test and run, if any are missing. Idempotent: it asks
# apt only when something is absent. Used by provisioning/run-kiosk.sh, tests/run.sh and a kiosk's setup.
#
#   provisioning/install-deps.sh build    what `cargo build` and the tests need (Slint's font stack, libusb,
#                                         libsane with its `test` backend, sane-airscan for eSCL scanners,
#                                         espeak-ng for reading aloud and sox to measure what it says, headless
#                                         Chromium and its WebDriver server chromedriver for the browser tests
#                                         of the web pages, openssl to read the certificates the kiosk makes)
#   provisioning/install-deps.sh run      build + a virtual display for showing the kiosk where there is none,
#                                         and aplay (alsa-utils) to play what is read aloud
#   provisioning/install-deps.sh bench    run + scanimage and img2pdf for the scanning baseline and xdotool for
#                                         bench-tap's taps (the first-frame benchmark's Chromium comes with build)
#   provisioning/install-deps.sh kms      the same as build (the one build carries the DRM/KMS backend: libinput,
#                                         libudev, libxkbcommon and libseat are in the build group)
#   provisioning/install-deps.sh vm       build + the virtual kiosk (tests/vm/): QEMU for x86-64, mmdebstrap and
#                                         mke2fs to make its Debian image, python3 for its harness (no qemu-utils:
#                                         tests/vm writes its own qcow2 overlays, see tests/vm/README.md)
set -euo pipefail

build=(pkg-config libfontconfig-dev libusb-1.0-0-dev libinput-dev libudev-dev libxkbcommon-dev libseat-dev libsane-dev sane-airscan espeak-ng sox chromium chromium-driver openssl)
run=("${build[@]}" xvfb x11-apps xauth alsa-utils)
bench=("${run[@]}" sane-utils img2pdf xdotool)
kms=("${build[@]}")
vm=("${build[@]}" qemu-system-x86 mmdebstrap e2fsprogs python3 dpkg-dev)

case "${1:-build}" in
  build) wanted=("${build[@]}") ;;
  run) wanted=("${run[@]}") ;;
  bench) wanted=("${bench[@]}") ;;
  kms) wanted=("${kms[@]}") ;;
  vm) wanted=("${vm[@]}") ;;
  *) echo "usage: $0 build|run|bench|kms|vm" >&2; exit 64 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing system packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
