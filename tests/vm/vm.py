#!/usr/bin/env python3
"""The virtual kiosk: a Debian 12 guest under QEMU/KVM with the kiosk's devices, driven from the host.

Python 3 standard library only. As a library:

    from vm import VM, build_image
    with VM(build_image()) as vm:          # boots a qcow2 overlay on the cached image; removed afterwards
        vm.wait_for_boot()                 # the guest agent answers
        print(vm.run("lsusb"))
        vm.tap(540, 960)                   # a touch on the usb-tablet, in screen pixels
        vm.screendump("screen.png")

From the command line:

    python3 tests/vm/vm.py smoke           the smoke test (exit 0 pass, 1 fail, 77 skipped; see README.md)
    python3 tests/vm/vm.py image [X.deb]   build (or find) the image, print its directory
    python3 tests/vm/vm.py run [X.deb]     boot it and wait (Ctrl-C powers it off); prints the sockets

The devices (tests/vm/README.md says more):
  display  virtio-gpu-pci (guest: virtio_gpu, /dev/dri/card0), WIDTH x HEIGHT, QMP screendump to PNG
  touch    usb-tablet on qemu-xhci (absolute axes 0..32767 over the whole screen)
  pager    usb-serial, QEMU's FTDI FT232 (guest: ftdi_sio, /dev/ttyUSB0); host end: a unix socket (FtdiPort)
  printer  a printer-class USB gadget inside the guest (dummy_hcd + usb_f_printer, gadget-printer.service);
           guest: usblp's /dev/usb/lp0 or libusb on 0416:5011
  agent    virtio-serial port org.qemu.guest_agent.0 (QGA): run commands, read and write files
  control  QMP on a unix socket; no network (-nic none)
"""

import base64
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
# Under TCG: the plain x86-64 CPU (Debian's baseline). "max" boots ~15% slower (udev loads kvm_amd and cpufreq
# modules for its SVM and AMD flags), and "max,-svm" does not boot Debian 12's kernel at all (systemd cannot mount).
TCG_CPU = "qemu64"
TABLET_MAX = 0x7FFF  # QEMU's absolute input range (INPUT_EVENT_ABS_MIN..MAX = 0..32767)


class VMError(Exception):
    pass


def read_conf(path=os.path.join(HERE, "gadget-printer.conf")):
    """The gadget printer's ids and strings (KEY=VALUE lines), the same file the guest reads."""
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


def build_image(extra_debs=(), rebuild=False):
    """Runs image.sh (a cached image comes back at once) and returns the image's directory."""
    cmd = ["bash", os.path.join(HERE, "image.sh")] + (["--rebuild"] if rebuild else []) + list(extra_debs)
    result = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise VMError("image.sh failed with exit code %d" % result.returncode)
    return result.stdout.strip().splitlines()[-1]


def image_info(image_dir):
    info = {}
    try:
        with open(os.path.join(image_dir, "info")) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    info[k] = v
    except FileNotFoundError:
        pass
    return info


# --- QMP ------------------------------------------------------------------------------------------------------


class QMP:
    """QEMU Machine Protocol over a unix socket: capabilities negotiated, commands, events kept in order."""

    def __init__(self, path, timeout=10.0):
        self.sock = _connect_unix(path, timeout)
        self.file = self.sock.makefile("rb")
        self.events = []
        self.lock = threading.Lock()
        try:
            greeting = self._read()
        except socket.timeout:
            raise VMError("QEMU's monitor (QMP) sent no greeting within 30 s")
        if "QMP" not in greeting:
            raise VMError("not a QMP greeting: %r" % greeting)
        self.version = greeting["QMP"]["version"]["qemu"]
        self.execute("qmp_capabilities")

    def _read(self, timeout=30.0):
        self.sock.settimeout(timeout)
        line = self.file.readline()
        if not line:
            raise VMError("QMP connection closed")
        return json.loads(line)

    def execute(self, command, timeout=30.0, **arguments):
        """Runs a command and returns its "return" value; raises VMError on an "error" answer."""
        with self.lock:
            msg = {"execute": command, "id": random.getrandbits(32)}
            if arguments:
                msg["arguments"] = arguments
            deadline = time.monotonic() + timeout
            try:
                self.sock.settimeout(timeout)
                self.sock.sendall(json.dumps(msg).encode() + b"\n")
                while True:
                    reply = self._read(max(0.1, deadline - time.monotonic()))
                    if "event" in reply:
                        self.events.append(reply)
                        continue
                    if reply.get("id") != msg["id"]:
                        continue
                    break
            except socket.timeout:
                raise VMError("QMP %s: no answer within %.0f s" % (command, timeout))
            if "error" in reply:
                raise VMError("QMP %s: %s" % (command, reply["error"].get("desc", reply["error"])))
            return reply.get("return")

    def wait_event(self, name, timeout=10.0, match=None):
        """Waits for (and takes) the first event NAME whose data match() accepts."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                for i, event in enumerate(self.events):
                    if event["event"] == name and (match is None or match(event.get("data", {}))):
                        return self.events.pop(i)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise VMError("no QMP event %s within %.0f s" % (name, timeout))
                try:
                    reply = self._read(min(remaining, 0.5))
                except socket.timeout:
                    continue
                if "event" in reply:
                    self.events.append(reply)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --- the guest agent ------------------------------------------------------------------------------------------


class QGA:
    """The QEMU guest agent over its virtio-serial port: commands, processes, files."""

    def __init__(self, path, timeout=10.0):
        self.path = path
        self.sock = _connect_unix(path, timeout)
        self.buffer = b""
        self.lock = threading.Lock()

    def _read_json(self, deadline):
        while True:
            # guest-sync-delimited answers after a 0xFF byte that resets the stream; drop those bytes.
            self.buffer = self.buffer.replace(b"\xff", b"")
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                line = line.strip()
                if not line:
                    continue
                try:
                    return json.loads(line)
                except ValueError:
                    continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("guest agent did not answer")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise VMError("guest agent socket closed")
            self.buffer += chunk

    def sync(self, timeout=1.0):
        """True once the agent answers a guest-sync-delimited (older answers are skipped)."""
        with self.lock:
            token = random.getrandbits(31)
            request = {"execute": "guest-sync-delimited", "arguments": {"id": token}}
            deadline = time.monotonic() + timeout
            try:
                # Until the agent runs, QEMU reads nothing from this socket and its buffer fills: a write that
                # cannot go now is an unanswered sync, not an error.
                self.sock.settimeout(timeout)
                self.sock.sendall(b"\xff" + json.dumps(request).encode() + b"\n")
                while True:
                    reply = self._read_json(deadline)
                    if reply.get("return") == token:
                        return True
            except socket.timeout:
                return False

    def execute(self, command, timeout=30.0, **arguments):
        """Runs a command and returns its "return" value (answers are matched by id, stale ones skipped)."""
        with self.lock:
            msg = {"execute": command, "id": random.getrandbits(31)}
            if arguments:
                msg["arguments"] = arguments
            deadline = time.monotonic() + timeout
            try:
                self.sock.settimeout(timeout)
                self.sock.sendall(json.dumps(msg).encode() + b"\n")
                if command == "guest-shutdown":  # answers nothing on success
                    return None
                while True:
                    reply = self._read_json(deadline)
                    if reply.get("id") == msg["id"]:
                        break
            except socket.timeout:
                raise VMError("guest agent: no answer to %s within %.0f s" % (command, timeout))
            if "error" in reply:
                raise VMError("QGA %s: %s" % (command, reply["error"].get("desc", reply["error"])))
            return reply.get("return")

    def spawn(self, argv, input_data=None, env=None):
        """Starts a process in the guest (output captured); returns its pid for wait()."""
        args = {"path": argv[0], "arg": list(argv[1:]), "capture-output": True}
        if input_data is not None:
            args["input-data"] = base64.b64encode(input_data).decode()
        if env:
            args["env"] = ["%s=%s" % kv for kv in env.items()]
        return self.execute("guest-exec", **args)["pid"]

    def wait(self, pid, timeout=60.0):
        """(exit code, stdout bytes, stderr bytes) of a spawned process; raises VMError when it outlives timeout."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.execute("guest-exec-status", pid=pid)
            if status.get("exited"):
                out = base64.b64decode(status.get("out-data", ""))
                err = base64.b64decode(status.get("err-data", ""))
                code = status.get("exitcode", 128 + status.get("signal", 0))
                return code, out, err
            if time.monotonic() > deadline:
                raise VMError("guest process %d still running after %.0f s" % (pid, timeout))
            time.sleep(0.05)

    def read_file(self, path):
        handle = self.execute("guest-file-open", path=path, mode="rb")
        data = b""
        try:
            while True:
                chunk = self.execute("guest-file-read", handle=handle, count=1 << 20)
                data += base64.b64decode(chunk.get("buf-b64", ""))
                if chunk.get("eof") or not chunk.get("count"):
                    return data
        finally:
            self.execute("guest-file-close", handle=handle)

    def write_file(self, path, data):
        handle = self.execute("guest-file-open", path=path, mode="wb")
        try:
            for start in range(0, len(data), 1 << 20):
                chunk = base64.b64encode(data[start:start + (1 << 20)]).decode()
                self.execute("guest-file-write", handle=handle, **{"buf-b64": chunk})
        finally:
            self.execute("guest-file-close", handle=handle)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --- the FTDI adapter's host end ------------------------------------------------------------------------------


class FtdiPort:
    """The host end of the guest's /dev/ttyUSB0 (the pager transmitter's line): what the guest writes, collected."""

    def __init__(self, path, timeout=10.0):
        self.sock = _connect_unix(path, timeout)
        self.data = bytearray()
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        self.sock.settimeout(None)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            with self.cond:
                if not chunk:
                    self.closed = True
                    self.cond.notify_all()
                    return
                self.data += chunk
                self.cond.notify_all()

    def wait_for(self, expected, timeout=10.0):
        """Waits until the bytes received so far contain expected; returns everything received."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while expected not in self.data:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    raise VMError("FTDI host end: %r not received (got %r)" % (expected, bytes(self.data[-200:])))
                self.cond.wait(remaining)
            return bytes(self.data)

    def take(self):
        with self.cond:
            data = bytes(self.data)
            self.data.clear()
            return data

    def send(self, data):
        """Bytes for the guest to read from /dev/ttyUSB0 (a transmitter's answer)."""
        self.sock.sendall(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _die_with_parent():
    """In the child before exec: SIGKILL when the harness dies (a crashed or killed test leaves no VM behind)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (ImportError, OSError, AttributeError):
        pass


def _connect_unix(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            # Nothing on these sockets may block for ever: every read and write below sets its own limit, and
            # this one holds until it does.
            s.settimeout(30.0)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise VMError("cannot connect to %s" % path)
            time.sleep(0.02)


# --- qcow2 overlays ------------------------------------------------------------------------------------------


def create_overlay(path, backing, backing_format="raw"):
    """An empty qcow2 (version 3, 64 KiB clusters) whose reads fall through to backing and which takes every write:
    what `qemu-img create -f qcow2 -b BACKING -F raw PATH` makes, written here so the VM stage needs no qemu-img
    (on this project's machines Debian's qemu-system-x86 and the preinstalled backported qemu-utils exclude each
    other). Layout: header, refcount table, refcount block, L1 table, one cluster each."""
    cluster = 1 << 16
    size = os.path.getsize(backing)
    l1_size = -(-size // (cluster * (cluster // 8)))  # one L2 table maps cluster/8 clusters
    name = os.path.abspath(backing).encode()
    fmt = backing_format.encode()
    extensions = struct.pack(">II", 0xE2792ACA, len(fmt)) + fmt.ljust(-(-len(fmt) // 8) * 8, b"\0")
    extensions += struct.pack(">II", 0, 0)
    name_offset = 104 + len(extensions)
    if name_offset + len(name) > cluster:
        raise VMError("backing file path too long: %s" % backing)
    header = struct.pack(">IIQIIQIIQQIIQQQQII", 0x514649FB, 3, name_offset, len(name), 16, size, 0, l1_size,
                         3 * cluster, cluster, 1, 0, 0, 0, 0, 0, 4, 104)
    refcount_table = struct.pack(">Q", 2 * cluster)
    refcount_block = struct.pack(">4H", 1, 1, 1, 1)  # clusters 0-3 are in use once
    with open(path, "wb") as f:
        f.write((header + extensions + name).ljust(cluster, b"\0"))
        f.write(refcount_table.ljust(cluster, b"\0"))
        f.write(refcount_block.ljust(cluster, b"\0"))
        f.write(b"\0" * cluster)  # L1: nothing allocated


# --- PNG ------------------------------------------------------------------------------------------------------


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise VMError("%s is not a PNG" % path)
    return struct.unpack(">II", head[16:24])


def png_pixels(path):
    """(width, height, rows) of an 8-bit RGB or RGBA non-interlaced PNG (what QEMU writes); rows of (r, g, b)."""
    with open(path, "rb") as f:
        data = f.read()
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise VMError("unsupported PNG (depth %d colour %d interlace %d)" % (depth, colour, interlace))
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


# --- the VM ---------------------------------------------------------------------------------------------------


class VM:
    """One boot of the virtual kiosk, on a fresh qcow2 overlay of the image (the image is never written)."""

    def __init__(self, image_dir, workdir=None, width=1080, height=1920, memory_mb=1024, cpus=2, display="virtio",
                 extra_qemu_args=(), append="", accel=None):
        self.image_dir = image_dir
        self.accel = accel or choose_accel()
        self.width, self.height = width, height
        self.memory_mb, self.cpus, self.display = memory_mb, cpus, display
        self.extra_qemu_args = list(extra_qemu_args)
        self.append = append
        self.own_workdir = workdir is None
        # Unix socket paths must stay under 108 bytes: a short directory in /tmp.
        self.workdir = workdir or tempfile.mkdtemp(prefix="kiosk-vm-")
        self.overlay = os.path.join(self.workdir, "disk.qcow2")
        self.qmp_path = os.path.join(self.workdir, "qmp.sock")
        self.qga_path = os.path.join(self.workdir, "qga.sock")
        self.ftdi_path = os.path.join(self.workdir, "ftdi.sock")
        self.console_log = os.path.join(self.workdir, "console.log")
        self.qemu_log = os.path.join(self.workdir, "qemu.log")
        self.proc = None
        self.qmp = self.qga = self.ftdi = None
        self.started_at = None
        self.ftdi_plugged = True

    # The command line is a list of (option, value) pieces so a test can add devices (e.g. a guestfwd to the portal
    # simulator: ("-netdev", "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:8787"),
    # ("-device", "virtio-net-pci,netdev=n0") in place of ("-nic", "none")).
    def qemu_command(self):
        cmdline = open(os.path.join(self.image_dir, "cmdline")).read().strip()
        if self.append:
            cmdline += " " + self.append
        gpu = {
            "virtio": "virtio-gpu-pci,id=gpu0,xres=%d,yres=%d" % (self.width, self.height),
            "bochs": "bochs-display,id=gpu0,xres=%d,yres=%d" % (self.width, self.height),
        }[self.display]
        pieces = [
            ("-name", "kiosk-vm"),
            ("-machine", "q35,accel=%s" % self.accel),
            ("-cpu", "host" if self.accel == "kvm" else TCG_CPU),
            ("-smp", str(self.cpus)),
            ("-m", str(self.memory_mb)),
            ("-nodefaults", None),
            ("-no-user-config", None),
            ("-display", "none"),
            ("-vga", "none"),
            ("-kernel", os.path.join(self.image_dir, "vmlinuz")),
            ("-initrd", os.path.join(self.image_dir, "initrd.img")),
            ("-append", cmdline),
            ("-drive", "file=%s,if=virtio,format=qcow2,cache=unsafe,discard=unmap" % self.overlay),
            ("-device", gpu),
            ("-device", "qemu-xhci,id=xhci"),
            ("-device", "usb-tablet,id=tablet,bus=xhci.0"),
            ("-chardev", "socket,id=ftdi0,path=%s,server=on,wait=off" % self.ftdi_path),
            ("-device", self.ftdi_device()),
            ("-chardev", "socket,id=qga0,path=%s,server=on,wait=off" % self.qga_path),
            ("-device", "virtio-serial-pci,id=vser0"),
            ("-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0"),
            ("-chardev", "socket,id=qmp0,path=%s,server=on,wait=off" % self.qmp_path),
            ("-mon", "chardev=qmp0,mode=control"),
            ("-chardev", "file,id=console0,path=%s" % self.console_log),
            ("-serial", "chardev:console0"),
            ("-nic", "none"),
        ]
        cmd = ["qemu-system-x86_64"]
        for option, value in pieces:
            cmd.append(option)
            if value is not None:
                cmd.append(value)
        return cmd + self.extra_qemu_args

    def ftdi_device(self):
        return "usb-serial,id=ftdi,bus=xhci.0,chardev=ftdi0"

    def start(self):
        if not os.path.exists(self.overlay):  # a power-cycle test boots the same disk again
            create_overlay(self.overlay, os.path.join(self.image_dir, "base.raw"))
        self.started_at = time.monotonic()
        with open(self.qemu_log, "wb") as log:
            self.proc = subprocess.Popen(self.qemu_command(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        try:
            self.qmp = QMP(self.qmp_path)
            self.ftdi = FtdiPort(self.ftdi_path)
            self.qga = QGA(self.qga_path)
        except (VMError, OSError) as e:
            self.kill()
            raise VMError("QEMU did not start (%s): %s" % (e, self.qemu_output()))
        return self

    def qemu_output(self):
        try:
            return open(self.qemu_log, errors="replace").read().strip()
        except FileNotFoundError:
            return ""

    def console(self):
        try:
            return open(self.console_log, errors="replace").read()
        except FileNotFoundError:
            return ""

    def wait_for_boot(self, timeout=60.0):
        """Waits until the guest agent answers; returns seconds since power-on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise VMError("QEMU exited (%s) during boot: %s" % (self.proc.returncode, self.qemu_output()))
            if self.qga.sync(timeout=1.0):
                return time.monotonic() - self.started_at
        raise VMError("the guest agent did not answer within %.0f s; console:\n%s" % (timeout, self.console()[-3000:]))

    # --- in the guest ---

    def exec(self, argv, input_data=None, timeout=60.0):
        """(exit code, stdout, stderr) of argv run in the guest."""
        return self.qga.wait(self.qga.spawn(argv, input_data), timeout)

    def run(self, command, check=True, timeout=60.0, input_data=None):
        """A shell command in the guest; its stdout (text). check: raise VMError on a non-zero exit."""
        code, out, err = self.exec(["/bin/sh", "-c", command], input_data, timeout)
        if check and code != 0:
            raise VMError("guest command %r exited %d: %s%s" % (command, code, out.decode(errors="replace"),
                                                                err.decode(errors="replace")))
        return out.decode(errors="replace")

    def read_file(self, path):
        return self.qga.read_file(path)

    def write_file(self, path, data):
        self.qga.write_file(path, data)

    def wait_until(self, command, timeout=10.0, interval=0.1):
        """Runs a shell command in the guest until it succeeds; returns its output."""
        deadline = time.monotonic() + timeout
        while True:
            code, out, err = self.exec(["/bin/sh", "-c", command])
            if code == 0:
                return out.decode(errors="replace")
            if time.monotonic() > deadline:
                raise VMError("guest: %r still failing after %.0f s: %s" % (command, timeout,
                                                                          (out + err).decode(errors="replace")))
            time.sleep(interval)

    def install_debs(self, paths):
        """Installs .deb files into the running guest with dpkg (offline: their dependencies must be in the image
        already). Quicker than a new image for each build of the kiosk; image.sh EXTRA.deb is the clean way."""
        names = []
        for path in paths:
            name = "/tmp/" + os.path.basename(path)
            with open(path, "rb") as f:
                self.write_file(name, f.read())
            names.append(name)
        # dpkg, not apt: the image keeps no package lists, and apt then refuses local files offline.
        return self.run("dpkg -i " + " ".join("'%s'" % n for n in names), timeout=300)

    # --- display and touch ---

    def screendump(self, path):
        """The screen as a PNG (QMP screendump, format png); returns (width, height)."""
        path = os.path.abspath(path)
        self.qmp.execute("screendump", filename=path, format="png")
        return png_size(path)

    def tablet_value(self, pixel, size):
        """The usb-tablet axis value whose centre the guest's libinput maps to this pixel (value * size / 32768)."""
        return max(0, min(TABLET_MAX, ((2 * pixel + 1) * (TABLET_MAX + 1)) // (2 * size)))

    def touch(self, x, y, down):
        events = [
            {"type": "abs", "data": {"axis": "x", "value": self.tablet_value(x, self.width)}},
            {"type": "abs", "data": {"axis": "y", "value": self.tablet_value(y, self.height)}},
        ]
        if down is not None:
            events.append({"type": "btn", "data": {"down": down, "button": "left"}})
        self.qmp.execute("input-send-event", events=events)

    def tap(self, x, y, hold=0.08):
        """A tap at screen pixel (x, y): move there, press, release."""
        self.touch(x, y, None)
        self.touch(x, y, True)
        time.sleep(hold)
        self.touch(x, y, False)

    def swipe(self, x0, y0, x1, y1, steps=10, duration=0.3):
        self.touch(x0, y0, True)
        for i in range(1, steps + 1):
            time.sleep(duration / steps)
            self.touch(x0 + (x1 - x0) * i // steps, y0 + (y1 - y0) * i // steps, None)
        self.touch(x1, y1, False)

    # --- plugging ---

    def ftdi_unplug(self, timeout=10.0):
        """Pulls the FTDI adapter (the pager transmitter) out: QMP device_del, waits until QEMU has removed it."""
        self.qmp.execute("device_del", id="ftdi")
        self.qmp.wait_event("DEVICE_DELETED", timeout, lambda d: d.get("device") == "ftdi")
        self.ftdi_plugged = False

    def ftdi_plug(self):
        """Plugs the FTDI adapter back in (same chardev, so the same host socket)."""
        self.qmp.execute("device_add", driver="usb-serial", id="ftdi", bus="xhci.0", chardev="ftdi0")
        self.ftdi_plugged = True

    def printer_unplug(self):
        """Unplugs the receipt printer: it is a gadget inside the guest, so this unbinds it from the dummy UDC."""
        self.run("gadget-printer-setup unplug")

    def printer_plug(self):
        self.run("gadget-printer-setup plug")

    def printer_status(self, state):
        """Sets what the printer reports (ok, paper-out, offline, error or a byte); returns the gadget's answer."""
        return self.run("gadget-printer status %s" % state).strip()

    def printer_received(self):
        """Every byte the printer has received since boot (or since printer_clear)."""
        return self.read_file(read_conf()["RECEIVED_FILE"])

    def printer_clear(self):
        self.run(": > %s" % read_conf()["RECEIVED_FILE"])

    def printer_hold(self):
        """The printer stops taking bytes in: the next transfer fills its one buffer and every later one waits
        (NAKed), so a print stays under way until release or an unplug (gadget-printer hold)."""
        return self.run("gadget-printer hold").strip()

    def printer_release(self):
        return self.run("gadget-printer release").strip()

    def printer_held(self):
        """What the gadget says: free, holding, or "holding, a transfer waiting" (a print has reached the full
        printer)."""
        return self.run("gadget-printer held").strip()

    # --- power ---

    def reset(self):
        """The reset button (QMP system_reset)."""
        self.qmp.execute("system_reset")

    def power_off(self):
        """Pulls the plug: QEMU quits at once, the guest gets no warning."""
        if self.proc and self.proc.poll() is None:
            try:
                self.qmp.execute("quit", timeout=5)
            except (VMError, OSError):
                pass
            self._wait_exit(10)

    def shutdown(self, timeout=30.0):
        """A clean power-off from inside (systemctl poweroff through the agent), then a hard one if it hangs.
        Not the agent's guest-shutdown: it runs `shutdown +0`, which asks logind over D-Bus, and the image has
        neither (systemctl talks to systemd directly)."""
        if not self.proc or self.proc.poll() is not None:
            return True
        try:
            self.qga.spawn(["/bin/systemctl", "poweroff"])
        except (VMError, OSError):
            pass
        if self._wait_exit(timeout):
            return True
        self.power_off()
        return False

    def _wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def close(self, keep_workdir=False):
        self.power_off()
        self.kill()
        for conn in (self.qmp, self.qga, self.ftdi):
            if conn:
                conn.close()
        if self.own_workdir and not keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close(keep_workdir=exc[0] is not None)


# --- checks run in the guest ----------------------------------------------------------------------------------

# Reads the tablet's evdev node for a while and prints every (type, code, value); python3-minimal has what it needs.
GUEST_EVDEV_READER = r"""
import os, select, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
open('/run/evdev-reader.ready', 'w').close()
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        data = os.read(fd, 24 * 64)
        for i in range(0, len(data) - 23, 24):
            _, _, t, c, v = struct.unpack('llHHi', data[i:i + 24])
            print(t, c, v)
"""


# --- the smoke test -------------------------------------------------------------------------------------------


class Smoke:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok: %s%s" % (name, (" (%s)" % detail) if detail else ""), flush=True)
        else:
            self.failed += 1
            print("FAIL: %s%s" % (name, (": %s" % detail) if detail else ""), flush=True)
        return ok

    def attempt(self, name, fn):
        """Runs fn(); a VMError or AssertionError is that check's failure, not the end of the run."""
        try:
            detail = fn()
            return self.check(name, True, detail or "")
        except (VMError, AssertionError, OSError) as e:
            return self.check(name, False, str(e))


def choose_accel():
    """KIOSK_VM_ACCEL=kvm|tcg, or: KVM where it can run a stock kernel, else TCG (see README: "KVM here")."""
    wanted = os.environ.get("KIOSK_VM_ACCEL", "auto")
    if wanted in ("kvm", "tcg"):
        return wanted
    return "kvm" if kvm_usable() is None and not kvm_is_pvm() else "tcg"


def kvm_is_pvm():
    """True where /dev/kvm is PVM (kvm_pvm, a paravirtual nested hypervisor): it runs only PVM-aware guest kernels
    at useful speed, and Debian's stock kernel is not one (it stalls in its decompressor)."""
    return os.path.isdir("/sys/module/kvm_pvm")


def kvm_usable():
    if not os.path.exists("/dev/kvm"):
        return "/dev/kvm missing"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm not usable by this user"
    return None


def skip_reason():
    """Why the virtual kiosk cannot run here (no usable /dev/kvm and no KIOSK_VM_ACCEL=tcg, or not root), or None."""
    problem = kvm_usable()
    if problem and os.environ.get("KIOSK_VM_ACCEL") != "tcg":
        return "%s, the virtual kiosk was not run" % problem
    if os.geteuid() != 0:
        return "the virtual kiosk's image is built as root (mmdebstrap --mode=root): run the tests as root"
    return None


def skipped(reason):
    """Says SKIP and returns the exit status for it: 77, or 0 with KIOSK_VM_ALLOW_SKIP=1."""
    print("SKIP: %s" % reason, flush=True)
    return 0 if os.environ.get("KIOSK_VM_ALLOW_SKIP") == "1" else 77


def finish(t, vm, name):
    """Powers the VM off (keeping its directory when a check failed), prints the run's last line, returns its
    exit status."""
    keep = t.failed > 0
    vm.close(keep_workdir=keep)
    if keep:
        print("kept for a look: %s (console.log, qemu.log, *.png)" % vm.workdir)
    print("%s: %d passed, %d failed" % (name, t.passed, t.failed))
    return 0 if t.failed == 0 else 1


def smoke(args):
    reason = skip_reason()
    if reason:
        return skipped(reason)
    if not shutil.which("qemu-system-x86_64"):
        print("FAIL: qemu-system-x86_64 missing (provisioning/install-deps.sh vm)")
        return 1

    conf = read_conf()
    vid, pid = int(conf["VENDOR_ID"], 16), int(conf["PRODUCT_ID"], 16)
    t = Smoke()

    started = time.monotonic()
    try:
        image = build_image(args)
    except VMError as e:
        t.check("the image builds", False, str(e))
        print("vm smoke: %d passed, %d failed" % (t.passed, t.failed))
        return 1
    image_seconds = time.monotonic() - started
    info = image_info(image)
    print("image: %s (kernel %s)" % (image, info.get("kernel")), flush=True)
    print("timing: image.sh took %.1f s this run; the image's own build took %s s" % (
        image_seconds, info.get("build_seconds", "?")), flush=True)

    vm = VM(image)
    # Without KVM (TCG: see README) everything in the guest is several times slower; so are the waits.
    slow = 1 if vm.accel == "kvm" else 4
    if vm.accel == "tcg":
        why = ("KIOSK_VM_ACCEL=tcg" if os.environ.get("KIOSK_VM_ACCEL") == "tcg" else
               "/dev/kvm here is PVM (kvm_pvm), which cannot run Debian's stock kernel at useful speed")
        print("note: running under TCG, not KVM (%s)" % why, flush=True)
    try:
        vm.start()
        boot = vm.wait_for_boot(timeout=slow * 45)
        print("timing: power-on to guest agent answering: %.1f s (%s)" % (boot, vm.accel), flush=True)
        finished = vm.run("systemd-analyze 2>/dev/null | head -1", check=False).strip()
        if finished:
            print("timing: guest: %s" % finished, flush=True)
        version = vm.qmp.version
        t.check("guest agent answers", True, "QEMU %d.%d.%d" % (version["major"], version["minor"], version["micro"]))
        kernel = vm.run("uname -r").strip()
        t.check("guest kernel", kernel == info.get("kernel"), kernel)

        # --- the printer gadget ---
        def gadget_enumerated():
            vm.wait_until("systemctl is-active gadget-printer.service", timeout=slow * 15)
            out = vm.wait_until("lsusb -d %04x:%04x" % (vid, pid), timeout=slow * 10)
            return out.strip()
        t.attempt("lsusb lists the printer gadget %04x:%04x" % (vid, pid), gadget_enumerated)

        def usblp_claims():
            vm.wait_until("test -c /dev/usb/lp0", timeout=slow * 10)
            driver = vm.run("basename $(readlink /sys/class/usbmisc/lp0/device/driver)").strip()
            assert driver == "usblp", "lp0's driver is %s" % driver
            ieee = vm.run("cat /sys/class/usbmisc/lp0/device/ieee1284_id").strip()
            assert ieee == conf["PNP_STRING"], "ieee1284_id %r" % ieee
            return "/dev/usb/lp0 by usblp, ieee1284_id %s" % ieee
        t.attempt("usblp claims the printer as /dev/usb/lp0", usblp_claims)

        def print_hello():
            vm.wait_until("systemctl is-active gadget-printer.service", timeout=slow * 10)
            vm.wait_until("grep -q ok /run/gadget-printer/status", timeout=slow * 10)
            vm.printer_clear()
            vm.run("timeout 10 sh -c 'printf \"hello\\n\" > /dev/usb/lp0'")
            deadline = time.monotonic() + slow * 5
            while vm.printer_received() != b"hello\n":
                assert time.monotonic() < deadline, "the gadget received %r" % vm.printer_received()
                time.sleep(0.1)
            return "the gadget program's file holds b'hello\\n'"
        t.attempt("bytes written to /dev/usb/lp0 reach the gadget program", print_hello)

        def lp_status():
            # LPGETSTATUS (0x060b) asks the printer (GET_PORT_STATUS); usblp hands back the byte (sign-extended).
            return int(vm.run("python3 -c 'import fcntl,struct,os; fd=os.open(\"/dev/usb/lp0\", os.O_RDONLY); "
                              "print(struct.unpack(\"i\", fcntl.ioctl(fd, 0x060b, struct.pack(\"i\", 0)))[0])'")) & 0xFF

        def paper_status():
            seen = []
            for state, byte in (("paper-out", 0x30), ("ok", 0x18)):
                answer = vm.printer_status(state)
                got = lp_status()
                seen.append("%s: gadget %s, LPGETSTATUS 0x%02x" % (state, answer, got))
                assert got == byte, "after %s LPGETSTATUS says 0x%02x, not 0x%02x" % (state, got, byte)
            return "; ".join(seen)
        t.attempt("the paper status set on the gadget is what the host side reads", paper_status)

        def printer_unplug_replug():
            vm.printer_unplug()
            vm.wait_until("! lsusb -d %04x:%04x && ! test -e /dev/usb/lp0" % (vid, pid), timeout=slow * 10)
            vm.printer_plug()
            vm.wait_until("lsusb -d %04x:%04x && test -c /dev/usb/lp0" % (vid, pid), timeout=slow * 10)
            vm.wait_until("grep -q ok /run/gadget-printer/status", timeout=slow * 10)
            vm.printer_clear()
            vm.run("timeout 10 sh -c 'printf again > /dev/usb/lp0'")
            deadline = time.monotonic() + slow * 5
            while vm.printer_received() != b"again":
                assert time.monotonic() < deadline, "after replug the gadget received %r" % vm.printer_received()
                time.sleep(0.1)
            return "gone and back, prints again"
        t.attempt("the printer unplugs and replugs (gadget unbind/bind)", printer_unplug_replug)

        # --- the FTDI adapter ---
        def ftdi_write():
            vm.wait_until("test -c /dev/ttyUSB0", timeout=slow * 10)
            driver = vm.run("basename $(readlink /sys/class/tty/ttyUSB0/device/driver)").strip()
            vm.ftdi.take()
            vm.run("stty -F /dev/ttyUSB0 9600 raw -echo && printf 'PAGE 0042\\r' > /dev/ttyUSB0")
            vm.ftdi.wait_for(b"PAGE 0042\r", timeout=slow * 5)
            return "driver %s, 10 bytes at the host end" % driver
        t.attempt("bytes written to /dev/ttyUSB0 arrive at the host end", ftdi_write)

        def ftdi_unplug_replug():
            vm.ftdi_unplug()
            vm.wait_until("! test -e /dev/ttyUSB0", timeout=slow * 10)
            vm.ftdi_plug()
            vm.wait_until("test -c /dev/ttyUSB0", timeout=slow * 10)
            vm.ftdi.take()
            vm.run("stty -F /dev/ttyUSB0 9600 raw -echo && printf 'AGAIN' > /dev/ttyUSB0")
            vm.ftdi.wait_for(b"AGAIN", timeout=slow * 5)
            return "/dev/ttyUSB0 gone and back, bytes flow again"
        t.attempt("the FTDI adapter unplugs and replugs (device_del/device_add)", ftdi_unplug_replug)

        # --- kiosk-provision detect, in the guest: libusb enumeration of the gadget, sysfs for the rest ---
        provision = os.environ.get("KIOSK_VM_PROVISION") or os.path.join(
            HERE, "..", "..", os.environ.get("CARGO_TARGET_DIR", "target"), "release", "kiosk-provision")

        def detect():
            stripped = os.path.join(vm.workdir, "kiosk-provision")
            shutil.copyfile(provision, stripped)
            if shutil.which("strip"):
                subprocess.run(["strip", stripped], check=True)
            with open(stripped, "rb") as f:
                vm.write_file("/usr/local/bin/kiosk-provision", f.read())
            vm.run("chmod 755 /usr/local/bin/kiosk-provision")
            vm.wait_until("lsusb -d %04x:%04x && test -c /dev/ttyUSB0" % (vid, pid), timeout=slow * 10)
            started = time.monotonic()
            out = vm.run("kiosk-provision detect --json --skip scanners", timeout=slow * 30)
            seconds = time.monotonic() - started
            found = json.loads(out)
            printers = [p for p in found["printers"] if (p["vendor_id"], p["product_id"]) == ("%04x" % vid, "%04x" % pid)]
            assert printers, "no printer %04x:%04x in %s" % (vid, pid, found["printers"] or found["notes"])
            printer = printers[0]
            assert printer["serial_number"] == conf["SERIAL"], printer
            assert any(i["class"] == 7 for i in printer["interfaces"]), printer["interfaces"]
            transport = [line for line in printer["config"] if line.startswith("transport")]
            assert transport and "usb:%04x:%04x" % (vid, pid) in transport[0], printer["config"]
            ftdi = [s for s in found["serial_ports"] if s["name"] == "ttyUSB0"]
            assert ftdi and ftdi[0]["usb"] and ftdi[0]["usb"]["vendor_id"] == "0403", found["serial_ports"]
            displays = [d for d in found["displays"] if d["status"] == "connected"]
            assert displays and "1080x1920" in displays[0]["modes"], found["displays"]
            tablets = [i for i in found["input"] if "Tablet" in (i["name"] or "")]
            assert tablets, found["input"]
            return "in %.1f s under %s: printer %s (%s, profile %s), ttyUSB0 %s:%s, %s %s, %s (%s)" % (
                seconds, vm.accel, printer["summary"].split("  ")[0], transport[0], printer["profile"],
                ftdi[0]["usb"]["vendor_id"], ftdi[0]["usb"]["product_id"], displays[0]["name"],
                displays[0]["preferred_mode"], tablets[0]["name"], tablets[0]["kind"])
        def print_over_libusb():
            vm.wait_until("grep -q ok /run/gadget-printer/status", timeout=slow * 10)
            vm.printer_clear()
            code, out, err = vm.exec(["/usr/local/bin/kiosk-provision", "print", "--document", "self-test", "--to",
                                      "usb:%04x:%04x" % (vid, pid), "--profile", "generic-58"], timeout=slow * 60)
            said = (out + err).decode(errors="replace")
            assert code == 0, "exit %d: %s" % (code, said)
            deadline = time.monotonic() + slow * 5
            # The driver asks for the status (DLE EOT) before the job, which starts with ESC @.
            while b"\x1b@" not in vm.printer_received():
                assert time.monotonic() < deadline, "the gadget received %r" % vm.printer_received()[:40]
                time.sleep(0.1)
            time.sleep(0.5)
            got = len(vm.printer_received())
            vm.printer_status("paper-out")
            code, out, err = vm.exec(["/usr/local/bin/kiosk-provision", "print", "--document", "ticket", "--to",
                                      "usb:%04x:%04x" % (vid, pid), "--profile", "generic-58"], timeout=slow * 60)
            refused = (out + err).decode(errors="replace")
            vm.printer_status("ok")
            assert code != 0 and "load a new roll" in refused, "with paper out: exit %d: %s" % (code, refused)
            # usblp gets the printer back once the job let it go (the kiosk detaches it only while printing).
            vm.wait_until("test -c /dev/usb/lp0", timeout=slow * 10)
            return "self-test slip, %d bytes at the gadget; %s; with paper out: %s" % (
                got, said.strip().splitlines()[-1], refused.strip().splitlines()[-1])

        if os.path.exists(provision):
            t.attempt("kiosk-provision detect finds the gadget printer (libusb), the FTDI port, the display, "
                      "the tablet", detect)
            t.attempt("kiosk-provision prints to the gadget over libusb, and paper out is refused", print_over_libusb)
        else:
            print("skip: kiosk-provision detect (no %s; build it first)" % provision, flush=True)

        # --- display ---
        def display():
            vm.wait_until("test -c /dev/dri/card0 && ls /sys/bus/virtio/drivers/virtio_gpu/ | grep -q virtio",
                          timeout=slow * 10)
            path = os.path.join(vm.workdir, "screen.png")
            w, h = vm.screendump(path)
            assert os.path.getsize(path) > 0, "empty PNG"
            assert (w, h) == (vm.width, vm.height), "screendump is %dx%d, not %dx%d" % (w, h, vm.width, vm.height)
            return "/dev/dri/card0 by virtio_gpu; screendump %dx%d, %d bytes" % (w, h, os.path.getsize(path))
        t.attempt("/dev/dri/card0 and a screendump of the expected size", display)

        def kms_dumb_buffer():
            # What the kiosk does (a DRM dumb buffer on the CRTC), drawn by a probe; the screendump must show it.
            with open(os.path.join(HERE, "kms-probe.py"), "rb") as f:
                vm.write_file("/run/kms-probe.py", f.read())
            pid = vm.qga.spawn(["/usr/bin/python3", "/run/kms-probe.py", "/dev/dri/card0", "20"])
            vm.wait_until("test -e /run/kms-probe.ready", timeout=slow * 10)
            time.sleep(0.3)
            path = os.path.join(vm.workdir, "kms-probe.png")
            vm.screendump(path)
            width, height, rows = png_pixels(path)
            vm.run("kill %d || true" % pid)
            code, out, err = vm.qga.wait(pid, slow * 10)
            # kms-probe.py: red left half, blue right half, a white 100x100 square at (100, 200).
            samples = {"left": rows[height // 2][width // 4], "right": rows[height // 2][3 * width // 4],
                       "square": rows[250][150], "beside square": rows[250][50]}
            red, blue, white = (255, 0, 0), (0, 0, 255), (255, 255, 255)
            expect = {"left": red, "right": blue, "square": white, "beside square": red}
            assert samples == expect, "pixels %s, expected %s; probe said %s" % (samples, expect, (out + err).decode())
            return "probe: %s; pixels as drawn" % out.decode().strip().splitlines()[0]
        t.attempt("a KMS dumb buffer drawn in the guest is what the screendump shows", kms_dumb_buffer)

        # --- touch ---
        def tablet_tap():
            node = vm.run("ls /dev/input/by-id/ | grep -i tablet | grep event").split()[0]
            vm.write_file("/run/evdev-reader.py", GUEST_EVDEV_READER.encode())
            pid = vm.qga.spawn(["/usr/bin/python3", "/run/evdev-reader.py", "/dev/input/by-id/" + node, str(slow * 3)])
            vm.wait_until("test -e /run/evdev-reader.ready", timeout=slow * 5)
            x, y = 270, 1440
            vm.tap(x, y)
            code, out, err = vm.qga.wait(pid, slow * 10)
            events = [tuple(int(v) for v in line.split()) for line in out.decode().splitlines()]
            abs_x = [v for t_, c, v in events if t_ == 3 and c == 0]
            abs_y = [v for t_, c, v in events if t_ == 3 and c == 1]
            buttons = [v for t_, c, v in events if t_ == 1 and c == 0x110]
            assert buttons == [1, 0], "BTN_LEFT values %s (events %s, %s)" % (buttons, events, err.decode())
            assert abs_x and abs_y, "no absolute position"
            px, py = abs_x[-1] * vm.width // (TABLET_MAX + 1), abs_y[-1] * vm.height // (TABLET_MAX + 1)
            assert (px, py) == (x, y), "tap at (%d, %d) maps back to (%d, %d)" % (x, y, px, py)
            return "%s: BTN_LEFT down/up, ABS %d,%d = pixel (%d, %d)" % (node, abs_x[-1], abs_y[-1], px, py)
        t.attempt("a tap reaches the guest's usb-tablet evdev at the right place", tablet_tap)

        # --- power ---
        def power_off():
            stopped = time.monotonic()
            clean = vm.shutdown(timeout=slow * 30)
            assert clean, "systemctl poweroff did not power the guest off within %d s" % (slow * 30)
            return "systemctl poweroff: QEMU exited after %.1f s" % (time.monotonic() - stopped)
        t.attempt("clean power-off", power_off)
    except Exception as e:  # noqa: BLE001 - anything that stops the run is a failure, reported as one
        t.check("the virtual kiosk ran", False, "%s: %s" % (type(e).__name__, e))
    return finish(t, vm, "vm smoke")


def run_interactive(args):
    image = build_image(args)
    vm = VM(image)
    vm.start()
    try:
        print("booting %s in %s" % (image, vm.workdir), flush=True)
        print("guest agent answered after %.1f s" % vm.wait_for_boot(), flush=True)
        print("QMP %s\nQGA %s\nFTDI %s (host end, read by this process)\nconsole %s" % (
            vm.qmp_path, vm.qga_path, vm.ftdi_path, vm.console_log), flush=True)
        print("Ctrl-C powers it off.", flush=True)
        while vm.proc.poll() is None:
            time.sleep(0.5)
            data = vm.ftdi.take()
            if data:
                print("ftdi: %r" % data, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        vm.shutdown(timeout=20)
        vm.close()
    return 0


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 64
    command, args = argv[1], argv[2:]
    if command == "smoke":
        return smoke(args)
    if command == "image":
        print(build_image(args))
        return 0
    if command == "run":
        return run_interactive(args)
    print("unknown command %r; see --help" % command, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
