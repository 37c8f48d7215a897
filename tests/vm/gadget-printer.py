#!/usr/bin/python3
"""The virtual kiosk's USB receipt printer, part 2: the printer's side of the printer-class gadget.

Test image only (tests/vm/image.sh installs it as /usr/local/sbin/gadget-printer). It runs in the guest as
gadget-printer.service, reads /dev/g_printer0 (what the guest's USB host side, usblp or libusb, sends to the printer)
and appends every byte to RECEIVED_FILE, and sets the port status byte the printer answers GET_PORT_STATUS with
(GADGET_SET_PRINTER_STATUS). Standard library only.

    gadget-printer serve             the service
    gadget-printer status [STATE]    set the paper status (ok, paper-out, offline, error or a byte such as 0x18)
                                     through the service and print what the gadget now reports; no STATE: print it
    gadget-printer received          print how many bytes the printer has received
    gadget-printer hold              stop taking bytes in, as a printer whose buffer is full: the first transfer
                                     the host sends fills the gadget's one buffer (q_len=1) and every later one
                                     waits (the host's bulk write is NAKed), so a print stays half-done until
                                     "release" or an unplug; prints "holding" or "holding, a transfer waiting"
    gadget-printer release           take bytes in again (what was held is received then)
    gadget-printer held              print "free", "holding" or "holding, a transfer waiting"

Status bits (USB printer class 1.1, GET_PORT_STATUS): 0x08 not-error, 0x10 selected, 0x20 paper empty.
"""

import errno
import fcntl
import os
import select
import signal
import sys
import time

CONF = "/etc/kiosk-vm/gadget-printer.conf"
DEVICE = "/dev/g_printer0"
RUN_DIR = "/run/gadget-printer"
CONTROL = RUN_DIR + "/control"  # FIFO: "status 0x30\n"
STATE = RUN_DIR + "/status"  # what the gadget reports now, written by the service: "0x18 ok\n"
HOLD = RUN_DIR + "/hold"  # "free", "holding" or "holding, a transfer waiting", written by the service

# include/uapi/linux/usb/g_printer.h; the argument is the status byte itself (drivers/usb/gadget/function/f_printer.c)
GADGET_GET_PRINTER_STATUS = 0x80016721  # _IOR('g', 0x21, unsigned char)
GADGET_SET_PRINTER_STATUS = 0xC0016722  # _IOWR('g', 0x22, unsigned char)

NOT_ERROR, SELECTED, PAPER_EMPTY = 0x08, 0x10, 0x20
STATES = {
    "ok": NOT_ERROR | SELECTED,
    "paper-out": SELECTED | PAPER_EMPTY,
    "offline": NOT_ERROR,
    "error": SELECTED,
}


def read_conf(path=CONF):
    conf = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            conf[key.strip()] = value
    return conf


def parse_state(text):
    text = text.strip().lower()
    if text in STATES:
        return STATES[text]
    value = int(text, 0)
    if not 0 <= value <= 0xFF:
        raise ValueError("status byte out of range: %s" % text)
    return value


def describe(status):
    for name, value in STATES.items():
        if value == status:
            return name
    return "custom"


def log(message):
    print(message, flush=True)


def set_status(fd, status):
    # f_printer takes the byte as the ioctl's argument itself (not a pointer to it) and returns the status it
    # reports as the ioctl's result.
    fcntl.ioctl(fd, GADGET_SET_PRINTER_STATUS, status)
    return fcntl.ioctl(fd, GADGET_GET_PRINTER_STATUS, 0) & 0xFF


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, path)


def write_state(status):
    write_file(STATE, "0x%02x %s" % (status, describe(status)))


def append_received(path, data):
    # Opened for each chunk so a test may truncate the file between prints.
    with open(path, "ab") as f:
        f.write(data)


def serve():
    conf = read_conf()
    received = conf.get("RECEIVED_FILE", "/var/lib/gadget-printer/received.bin")
    os.makedirs(os.path.dirname(received), exist_ok=True)
    if not os.path.exists(received):
        open(received, "wb").close()
    os.makedirs(RUN_DIR, exist_ok=True)
    if not os.path.exists(CONTROL):
        os.mkfifo(CONTROL, 0o600)
    # Read-write so the FIFO never reads as closed when a writer goes away.
    control = os.open(CONTROL, os.O_RDWR | os.O_NONBLOCK)
    wanted = STATES["ok"]
    write_state(0)  # nothing open yet: not selected
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    pending = b""
    total = 0
    # Holding: the printer takes no bytes in (see "hold" in the usage above). Kept across unplugs: the test
    # releases it.
    hold = {"on": False, "said": None}

    def say_hold(fd):
        waiting = False
        if hold["on"] and fd is not None:
            # Readable = a transfer has completed into the gadget's buffer and is not read: the host's next one waits.
            waiting = bool(select.select([fd], [], [], 0)[0])
        text = "free" if not hold["on"] else "holding, a transfer waiting" if waiting else "holding"
        if text != hold["said"]:
            write_file(HOLD, text)
            hold["said"] = text
            log("hold: %s" % text)

    def on_control(fd):
        def remember(status):
            nonlocal wanted
            wanted = status

        def holding(on):
            hold["on"] = on

        return handle_control(control, pending, fd, remember, holding)

    say_hold(None)
    while True:
        # The device node exists only while the gadget is bound to the UDC ("plugged in").
        if not os.path.exists(DEVICE):
            write_state(0)
            time.sleep(0.1)
            r, _, _ = select.select([control], [], [], 0)
            if r:
                pending = on_control(None)
            say_hold(None)
            continue
        try:
            fd = os.open(DEVICE, os.O_RDWR)
        except OSError as e:
            log("cannot open %s: %s" % (DEVICE, e))
            time.sleep(0.2)
            continue
        log("opened %s" % DEVICE)
        try:
            write_state(set_status(fd, wanted))
            while True:
                say_hold(fd)
                if hold["on"]:
                    # Not reading: watch the control FIFO and whether the printer is still plugged in.
                    r, _, _ = select.select([control], [], [], 0.1)
                    if control in r:
                        pending = on_control(fd)
                    if not os.path.exists(DEVICE):
                        raise OSError(errno.ENODEV, "unbound while holding")
                    continue
                r, _, _ = select.select([fd, control], [], [])
                if control in r:
                    pending = on_control(fd)
                if fd in r and not hold["on"]:
                    data = os.read(fd, 65536)
                    if data:
                        append_received(received, data)
                        total += len(data)
                        log("received %d bytes (%d in all)" % (len(data), total))
        except OSError as e:
            if e.errno not in (errno.ENODEV, errno.EIO, errno.ESHUTDOWN, errno.EPIPE, errno.ENXIO):
                raise
            log("%s went away (%s): unplugged" % (DEVICE, e.strerror))
        finally:
            os.close(fd)
            write_state(0)
        time.sleep(0.1)


def handle_control(control, pending, fd, remember, holding):
    try:
        pending += os.read(control, 4096)
    except BlockingIOError:
        return pending
    while b"\n" in pending:
        line, pending = pending.split(b"\n", 1)
        words = line.decode("ascii", "replace").split()
        if len(words) == 2 and words[0] == "status":
            try:
                status = parse_state(words[1])
            except ValueError as e:
                log("bad control line %r: %s" % (line, e))
                continue
            remember(status)
            if fd is not None:
                status = set_status(fd, status)
                write_state(status)
            log("status now 0x%02x (%s)" % (status, describe(status)))
        elif words in (["hold"], ["release"]):
            holding(words[0] == "hold")
        elif words:
            log("bad control line %r" % line)
    return pending


def read_run_file(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return "unknown (the service is not running)"


def read_state():
    return read_run_file(STATE)


def tell_service(line):
    """Writes one control line to the service's FIFO."""
    fd = os.open(CONTROL, os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def wait_for_service(path, done, failure):
    """Up to 5 s for the file the service writes at `path` to satisfy `done`; prints it (or `failure` and it)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = read_run_file(path)
        if done(text):
            print(text)
            return 0
        time.sleep(0.05)
    print("%s: %s" % (failure, read_run_file(path)), file=sys.stderr)
    return 1


def mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def status_command(args):
    if not args:
        print(read_state())
        return 0
    wanted = parse_state(args[0])
    before = mtime(STATE)
    tell_service(b"status 0x%02x\n" % wanted)
    return wait_for_service(STATE, lambda state: mtime(STATE) not in (None, before) and
                            state.startswith("0x%02x" % wanted), "gadget status did not become 0x%02x" % wanted)


def hold_command(on):
    tell_service(b"hold\n" if on else b"release\n")
    return wait_for_service(HOLD, lambda state: state.startswith("holding") == on,
                            "the gadget did not %s" % ("hold" if on else "release"))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 64
    command, args = argv[1], argv[2:]
    if command == "serve":
        serve()
        return 0
    if command == "status":
        return status_command(args)
    if command in ("hold", "release"):
        return hold_command(command == "hold")
    if command == "held":
        print(read_run_file(HOLD))
        return 0
    if command == "received":
        path = read_conf().get("RECEIVED_FILE", "/var/lib/gadget-printer/received.bin")
        print(os.path.getsize(path) if os.path.exists(path) else 0)
        return 0
    print("unknown command %r; see --help" % command, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
