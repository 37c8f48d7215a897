#!/bin/sh
# The virtual kiosk's USB receipt printer, part 1: a printer-class USB gadget (usb_f_printer through configfs and
# libcomposite) on the kernel's dummy_hcd, so the guest's own USB host side (usblp, libusb) sees a real printer.
# Test image only (tests/vm/image.sh installs it as /usr/local/sbin/gadget-printer-setup).
#
#   gadget-printer-setup up        load dummy_hcd + libcomposite, create the gadget, bind it (plug it in)
#   gadget-printer-setup unplug    unbind it from the dummy UDC: the host side sees the printer unplugged
#   gadget-printer-setup plug      bind it again: the host side sees it plugged in
#   gadget-printer-setup down      unbind and remove the gadget
#   gadget-printer-setup state     print "plugged" or "unplugged"
set -eu
. /etc/kiosk-vm/gadget-printer.conf

cfg=/sys/kernel/config
g="$cfg/usb_gadget/$GADGET_NAME"

udc_name() {
  # dummy_hcd num=1 makes one UDC, dummy_udc.0.
  for udc in /sys/class/udc/*; do
    [ -e "$udc" ] && { basename "$udc"; return 0; }
  done
  echo "gadget-printer-setup: no USB device controller (is dummy_hcd loaded?)" >&2
  return 1
}

up() {
  # dummy_hcd: one emulated controller pair, a UDC for the gadget and a host controller (its own USB bus). The
  # image loads these early (modules-load.d, "options dummy_hcd num=1" in modprobe.d); this is for a bare system.
  [ -d /sys/module/dummy_hcd ] || modprobe dummy_hcd num=1
  modprobe libcomposite
  modprobe usb_f_printer
  mountpoint -q "$cfg" || mount -t configfs none "$cfg"
  if [ ! -d "$g" ]; then
    mkdir "$g"
    echo "$VENDOR_ID" > "$g/idVendor"
    echo "$PRODUCT_ID" > "$g/idProduct"
    echo "$BCD_DEVICE" > "$g/bcdDevice"
    echo 0x0200 > "$g/bcdUSB"
    mkdir "$g/strings/0x409"
    echo "$MANUFACTURER" > "$g/strings/0x409/manufacturer"
    echo "$PRODUCT" > "$g/strings/0x409/product"
    echo "$SERIAL" > "$g/strings/0x409/serialnumber"
    mkdir "$g/functions/printer.usb0"
    # Linux 6.1's f_printer answers GET_DEVICE_ID with a length field of strlen(pnp_string) and sends that many
    # bytes in all, the 2-byte length included, so the string's last two characters never leave: two newlines
    # there make the answer exactly PNP_STRING with a length that counts its header, as IEEE 1284 wants.
    printf '%s\n\n' "$PNP_STRING" > "$g/functions/printer.usb0/pnp_string"
    # One receive buffer (8 KiB; a ticket is about 2 KiB): a host transfer that arrives while the gadget program
    # holds (`gadget-printer hold`) has nowhere to go and is NAKed, as with a printer whose own buffer is full, so
    # the virtual kiosk can pull the cable while a print is under way.
    echo 1 > "$g/functions/printer.usb0/q_len"
    mkdir "$g/configs/c.1"
    mkdir "$g/configs/c.1/strings/0x409"
    echo "printer" > "$g/configs/c.1/strings/0x409/configuration"
    echo 100 > "$g/configs/c.1/MaxPower"
    ln -s "$g/functions/printer.usb0" "$g/configs/c.1/"
  fi
  plug
}

plug() {
  [ -n "$(cat "$g/UDC" 2>/dev/null)" ] && return 0
  udc_name > "$g/UDC"
}

unplug() {
  [ -z "$(cat "$g/UDC" 2>/dev/null)" ] && return 0
  echo "" > "$g/UDC"
}

down() {
  [ -d "$g" ] || return 0
  unplug
  rm -f "$g/configs/c.1/printer.usb0"
  rmdir "$g/configs/c.1/strings/0x409" "$g/configs/c.1" "$g/functions/printer.usb0" "$g/strings/0x409" "$g"
}

case "${1:-}" in
  up) up ;;
  plug) plug ;;
  unplug) unplug ;;
  down) down ;;
  state) if [ -n "$(cat "$g/UDC" 2>/dev/null)" ]; then echo plugged; else echo unplugged; fi ;;
  *) echo "usage: $0 up|plug|unplug|down|state" >&2; exit 64 ;;
esac
