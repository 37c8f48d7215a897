#!/usr/bin/env bash
# The virtual kiosk's disk image: a minimal Debian 12 (bookworm, amd64) made with mmdebstrap from Debian packages
# only, with the kernel and initrd beside it for QEMU's -kernel/-initrd, and the USB receipt printer gadget
# (gadget-printer*) installed as a service. Test image only: root has no password and a serial console.
#
#   tests/vm/image.sh [--rebuild] [EXTRA.deb ...]
#
# Prints the image's directory (and nothing else) on standard output:
#   base.raw      the root file system (ext4, no partition table: root=/dev/vda; a sparse file); never written by
#                 a test, which boots a qcow2 overlay on it (vm.py makes one per boot)
#   vmlinuz, initrd.img, cmdline   what QEMU boots (cmdline: the kernel command line the image expects)
#   info          kernel version, packages, build time
# The image is cached in ${XDG_CACHE_HOME:-$HOME/.cache}/kiosk-vm/ under a key made of this script, the gadget
# files, the package list and the EXTRA.deb files' contents, so a second run with the same inputs only prints the
# path. EXTRA.deb (the kiosk's package, later) are installed in the image by apt (`apt-get install ./x.deb`, so
# their dependencies come from Debian too). Downloaded packages are kept in the cache's apt-archives/, so a rebuild
# (a new EXTRA.deb) downloads nothing but the package lists.
#
# Needs root (mmdebstrap --mode=root: see tests/vm/README.md), mmdebstrap and e2fsprogs
# (provisioning/install-deps.sh vm).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"

suite=bookworm
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
image_size=4G # sparse: only what is written takes room

# What the guest has. No Recommends (mmdebstrap's default for --variant=apt).
packages=(
  # boot and the test's way in
  linux-image-amd64 systemd-sysv udev kmod initramfs-tools qemu-guest-agent
  # the gadget program, the smoke test's probes (python3-minimal lacks mmap) and looking at USB
  python3 usbutils
  # what the kiosk links against with Slint's linuxkms backend (DRM dumb buffers, libinput, xkbcommon, libseat
  # for the seat; seatd so it can run unprivileged), SANE and libusb for the scanner and printer, fontconfig
  libinput10 libudev1 libxkbcommon0 libseat1 seatd libsane1 libusb-1.0-0 libfontconfig1 fonts-dejavu-core
  # a kiosk in Hanoi keeps Hanoi's time (the queue's day and opening hours are local)
  tzdata
)

# Files dpkg need not unpack (path-exclude globs, quoted so the shell leaves them alone): documentation, and the
# kernel modules of hardware a QEMU kiosk never has (GPUs other than virtio/bochs, network cards, HBAs, media, radio).
dpkg_excludes=(
  '/usr/share/doc/*' '/usr/share/man/*' '/usr/share/info/*' '/usr/share/lintian/*'
  '/lib/modules/*/kernel/drivers/gpu/drm/amd/*' '/lib/modules/*/kernel/drivers/gpu/drm/i915/*'
  '/lib/modules/*/kernel/drivers/gpu/drm/nouveau/*' '/lib/modules/*/kernel/drivers/gpu/drm/radeon/*'
  '/lib/modules/*/kernel/drivers/net/wireless/*' '/lib/modules/*/kernel/drivers/net/ethernet/*'
  '/lib/modules/*/kernel/drivers/media/*' '/lib/modules/*/kernel/drivers/infiniband/*'
  '/lib/modules/*/kernel/drivers/scsi/*/*' '/lib/modules/*/kernel/drivers/isdn/*'
  '/lib/modules/*/kernel/drivers/bluetooth/*' '/lib/modules/*/kernel/net/mac80211/*'
  '/lib/modules/*/kernel/net/wireless/*' '/lib/modules/*/kernel/fs/xfs/*' '/lib/modules/*/kernel/fs/btrfs/*'
  '/lib/modules/*/kernel/fs/ocfs2/*' '/lib/modules/*/kernel/fs/gfs2/*' '/lib/modules/*/kernel/fs/smb/*'
  '/lib/modules/*/kernel/fs/nfs/*' '/lib/modules/*/kernel/lib/test_*'
)

# The kernel command line: root on the virtio disk, console on the first serial port (QEMU logs it to a file), the
# VT console quiet and without a cursor (the kiosk owns the screen).
cmdline="root=/dev/vda rw rootfstype=ext4 console=ttyS0,115200 quiet loglevel=4 fsck.mode=skip consoleblank=0"
cmdline+=" vt.global_cursor_default=0 net.ifnames=0 systemd.show_status=error"

gadget_files=(gadget-printer.conf gadget-printer-setup.sh gadget-printer.py gadget-printer.service)

# --- hooks: mmdebstrap runs these through this script with the chroot directory ($1) ---------------------------

if [ "${1:-}" = "--hook" ]; then
  hook=$2 root=$3
  case "$hook" in
    essential)
      # Before the kernel's package runs update-initramfs: a small initrd with just what finds the root disk.
      mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
      printf 'MODULES=list\nCOMPRESS=gzip\n' > "$root/etc/initramfs-tools/conf.d/kiosk-vm.conf"
      printf 'virtio_pci\nvirtio_blk\next4\n' > "$root/usr/share/initramfs-tools/modules.d/kiosk-vm"
      ;;
    *) echo "unknown hook $hook" >&2; exit 64 ;;
  esac
  exit 0
fi

# --- arguments ------------------------------------------------------------------------------------------------

rebuild=0
extra_debs=()
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,20p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "image.sh: unknown option $arg" >&2; exit 64 ;;
    *)
      [ -f "$arg" ] || { echo "image.sh: no such .deb: $arg" >&2; exit 66; }
      extra_debs+=("$(realpath "$arg")")
      ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "image.sh: needs root (mmdebstrap --mode=root, chroot); run it with sudo" >&2
  exit 77
fi
for tool in mmdebstrap mke2fs; do
  command -v "$tool" >/dev/null || { echo "image.sh: $tool missing: provisioning/install-deps.sh vm" >&2; exit 69; }
done

cache=${XDG_CACHE_HOME:-$HOME/.cache}/kiosk-vm
mkdir -p "$cache/apt-archives"

# --- the cache key --------------------------------------------------------------------------------------------

key=$(
  {
    echo "suite=$suite mirror=$mirror security=$security size=$image_size"
    printf 'package %s\n' "${packages[@]}"
    cat "$self"
    for f in "${gadget_files[@]}"; do echo "== $f"; cat "$here/$f"; done
    for deb in ${extra_debs[@]+"${extra_debs[@]}"}; do echo "deb $(sha256sum < "$deb")"; done
  } | sha256sum | cut -c1-16
)
out="$cache/image-$key"

exec 9>"$cache/lock"
flock 9 # one build at a time; a second caller waits and then finds the image

if [ "$rebuild" = 1 ]; then rm -rf "$out"; fi
if [ -f "$out/info" ]; then
  touch "$out" # most recently used: kept by the pruning below
  echo "$out"
  exit 0
fi

# --- the build ------------------------------------------------------------------------------------------------

start=$(date +%s)
work=$(mktemp -d "$cache/build.XXXXXX")
# The file tree is made in memory where there is room (dpkg's many small synced writes are what makes a build
# slow on disk) and only the finished ext4 file goes to the cache. KIOSK_VM_BUILD_TMP picks another place.
tmp_parent=${KIOSK_VM_BUILD_TMP:-/dev/shm}
if [ -d "$tmp_parent" ] && [ -w "$tmp_parent" ] &&
   [ "$(df -Pk "$tmp_parent" | awk 'NR == 2 { print $4 }')" -gt $((3 * 1024 * 1024)) ]; then
  scratch=$(mktemp -d "$tmp_parent/kiosk-vm-build.XXXXXX")
else
  scratch="$work"
fi
cleanup() {
  # A failed mmdebstrap can leave mounts in its tree (the .deb files' bind mounts): undo those, deepest first,
  # and remove nothing that still has one.
  for dir in "$scratch" "$work"; do
    awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mnt; do
      umount "$mnt" || umount -l "$mnt" || true
    done
    if grep -q " $dir/" /proc/mounts; then
      echo "image.sh: $dir still has mounts; not removed" >&2
    else
      rm -rf "$dir"
    fi
  done
}
# mmdebstrap's and the customisation's output go to a log, shown when something fails.
log="$cache/build.log"
: > "$log"
on_exit() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    echo "image.sh: failed (exit $status); the whole log: $log" >&2
  fi
  cleanup
}
trap on_exit EXIT
rootfs="$scratch/rootfs"
echo "image.sh: building $out (Debian $suite, about a minute; log in $cache/build.log)" >&2

args=(
  --mode=root --variant=apt --format=directory
  --include="$(IFS=,; echo "${packages[*]}")"
  --aptopt='Acquire::Retries "3"'
  --skip=essential/unlink
  --setup-hook='mkdir -p "$1/var/cache/apt/archives"'
  --setup-hook="sync-in $cache/apt-archives /var/cache/apt/archives/"
  --essential-hook="'$self' --hook essential \"\$1\""
  --customize-hook="sync-out /var/cache/apt/archives $cache/apt-archives"
)
for pattern in "${dpkg_excludes[@]}"; do args+=(--dpkgopt="path-exclude=$pattern"); done
args+=(--dpkgopt='path-include=/usr/share/doc/*/copyright')
if [ ${#extra_debs[@]} -gt 0 ]; then
  # apt installs them with the rest (dependencies from Debian); the hook makes their paths visible in the chroot.
  for deb in "${extra_debs[@]}"; do args+=(--include="$deb"); done
  args+=(--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount)
fi

mmdebstrap "${args[@]}" "$suite" "$rootfs" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main" >> "$log" 2>&1
downloaded=$(date +%s)

# Customisation (root mode: the directory is ours, chroot works).
in_root() { chroot "$rootfs" "$@"; }
echo kiosk-vm > "$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tkiosk-vm\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$rootfs/etc/hosts"
echo '/dev/vda / ext4 rw,noatime,errors=remount-ro 0 1' > "$rootfs/etc/fstab"
ln -sf /usr/share/zoneinfo/Asia/Ho_Chi_Minh "$rootfs/etc/localtime"
echo Asia/Ho_Chi_Minh > "$rootfs/etc/timezone"
in_root passwd -d root >/dev/null
# The gadget printer.
install -D -m 0644 "$here/gadget-printer.conf" "$rootfs/etc/kiosk-vm/gadget-printer.conf"
install -D -m 0755 "$here/gadget-printer-setup.sh" "$rootfs/usr/local/sbin/gadget-printer-setup"
install -D -m 0755 "$here/gadget-printer.py" "$rootfs/usr/local/sbin/gadget-printer"
install -D -m 0644 "$here/gadget-printer.service" "$rootfs/etc/systemd/system/gadget-printer.service"
in_root systemctl enable gadget-printer.service >> "$log" 2>&1
# Its modules load early, beside udev's coldplug, not in the service's start.
printf 'dummy_hcd\nlibcomposite\nusb_f_printer\nusblp\n' > "$rootfs/etc/modules-load.d/kiosk-vm-gadget.conf"
echo 'options dummy_hcd num=1' > "$rootfs/etc/modprobe.d/kiosk-vm-gadget.conf"
# A fast, quiet boot: no getty on the screen (the kiosk draws there), no periodic jobs a test would race with.
in_root systemctl mask getty@tty1.service autovt@.service getty-static.service apt-daily.timer \
  apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service \
  modprobe@dm_mod.service modprobe@loop.service modprobe@fuse.service modprobe@efi_pstore.service \
  systemd-binfmt.service proc-sys-fs-binfmt_misc.automount >> "$log" 2>&1
# Journal kept in memory only: power-off tests must not find old boots' logs, and nothing waits on disk flushes.
mkdir -p "$rootfs/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' > "$rootfs/etc/systemd/journald.conf.d/kiosk-vm.conf"
echo "$cmdline" > "$work/cmdline"

kver=$(ls "$rootfs/lib/modules")
cp "$rootfs/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$rootfs/boot/initrd.img-$kver" "$work/initrd.img"
used_mb=$(du -sm "$rootfs" | cut -f1)
in_root dpkg-query -W -f='${Package} ${Version}\n' > "$work/packages"

# ext4 straight from the directory (no loop mount). Kept raw: a sparse file takes no more room than a qcow2
# would, and overlays need no qemu-img (vm.py writes them).
mke2fs -q -t ext4 -L kiosk-root -d "$rootfs" -E root_owner=0:0 "$work/base.raw" "$image_size"
rm -rf "$rootfs"

end=$(date +%s)
{
  echo "kernel=$kver"
  echo "suite=$suite"
  echo "rootfs_mb=$used_mb"
  echo "image_bytes=$(du -B1 "$work/base.raw" | cut -f1)"
  echo "extra_debs=${extra_debs[*]+${extra_debs[*]}}"
  echo "build_seconds=$((end - start))"
  echo "mmdebstrap_seconds=$((downloaded - start))"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$work/info"
[ "$scratch" = "$work" ] || rm -rf "$scratch"
trap - EXIT
mv "$work" "$out"
echo "image.sh: built in $((end - start)) s ($used_mb MB of files, kernel $kver)" >&2

# Keep the three most recently used images; older ones only take room.
ls -1dt "$cache"/image-* 2>/dev/null | tail -n +4 | while read -r old; do rm -rf "$old"; done
echo "$out"
