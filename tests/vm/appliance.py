#!/usr/bin/env python3
"""The virtual kiosk with the kiosk's Debian package installed: issue 16's behaviour tests.

    python3 tests/vm/appliance.py [--shots DIR]
    python3 tests/vm/appliance.py --bench [BOOTS]     power-on -> first frame and the kiosk's memory, BOOTS boots (3)
    python3 tests/vm/appliance.py --old OLD_DIR --new NEW_DIR --positions TAPS.jsonl --home HOME.png [--shots DIR]

Without --old/--new/--positions/--home it makes them from the workspace's release build (tests/run.sh builds
it): tests/vm/package.sh twice (this build, and the same as version 0.1.0~previous-1), `bench-tap --positions`,
and `kiosk --walkthrough` for the home screen.

OLD_DIR and NEW_DIR each hold a kiosk_*.deb and a kiosk-portal-sim_*.deb (tests/vm/package.sh; OLD is "the
previous build", a lower version). TAPS.jsonl is `bench-tap --positions` (where the flow's buttons are, found by
accessible label in the same UI built headless). HOME.png is the headless render of the home screen
(`kiosk --walkthrough`, home-vi-1080x1920.png) that the KMS screen must match. --shots keeps the VM's own
screendumps there (docs/screenshots/vm-*.png).

The image is Debian 12 with the previous build installed by apt (its dependencies from Debian). Then, in one
boot and a second after a power cut:
  1. power on -> the kiosk's home screen on the KMS display (the unit is `active` only after the kiosk told
     systemd its first frame was drawn), matching the headless render; times, memory, systemd-analyze security;
  technician: `kiosk-provision setup` names the gadget printer (usb:0416:5011) and the FTDI transmitter
     (/dev/kiosk/pager from the package's udev rules), a staff account; the kiosk restarted;
  2. taps on the usb-tablet take a number -> the ticket printed through the gadget over libusb, decoded; the
     counter API calls it -> the pager frame on the FTDI adapter's host end;
  3. the printer and the adapter pulled out -> the kiosk stays up and says which is missing; back in -> it
     recovers without a restart;
  4. kill -9 -> systemd restarts it, the queue intact; SIGSTOP -> the watchdog restarts it; a power cut during a
     burst of submissions -> after boot every acknowledged one is in the outbox once, and reaches the portal once;
  5. upgrade to the new build (the technician's config kept, the service restarted), remove (state kept), purge
     (state gone).
Exit 0 all passed, 1 one failed, 77 skipped (no KVM or not root; see vm.py). Last line: `vm appliance: N passed,
N failed`.
"""

import base64
import calendar
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm as V  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREVIOUS = "0.1.0~previous-1"

PIN = "246813"
STAFF = "nv01"
WARD = "hoan kiem"
SETUP = [
    "/usr/bin/kiosk-provision", "setup", "--non-interactive", "--no-detect", "--pin-stdin",
    "--ward", WARD,
    "--hours", "mon-sun 00:00-23:59",
    "--printer", "usb:0416:5011", "--printer-profile", "generic-58",
    "--pager", "serial:/dev/kiosk/pager", "--pager-protocol", "waveware", "--pager-baud", "9600",
    "--scanner", "none",
]

# Signs in at counter 1 over the counter API (HTTPS on loopback, the kiosk's own certificate) and calls the next
# ticket; prints the reply. Runs in the guest with its python3.
CALL_NEXT = r"""
import json, ssl, sys, urllib.request
ctx = ssl._create_unverified_context()
base = "https://127.0.0.1:8790/counter/v1"
def post(path, body=None, token=None):
    request = urllib.request.Request(base + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, context=ctx, timeout=30) as reply:
        return json.load(reply)
session = post("/sessions", {"staff_id": sys.argv[1], "pin": sys.argv[2], "counter": 1})
print(json.dumps(post("/call-next", token=session["token"])))
"""

# Every submission id in the kiosk's outbox and in the portal simulator's database (python3's sqlite3, read-only).
IDS = r"""
import json, sqlite3, sys
def ids(path, table):
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        return [row[0] for row in db.execute("SELECT id FROM %s" % table)]
    except sqlite3.Error as error:
        return {"error": str(error)}
print(json.dumps({"outbox": ids("/var/lib/kiosk/outbox/outbox.sqlite", "submissions"),
                  "portal": ids("/var/lib/kiosk-portal-sim/portal.sqlite", "submissions")}))
"""


def debs(directory):
    kiosk = sorted(glob.glob(os.path.join(directory, "kiosk_*.deb")))
    sim = sorted(glob.glob(os.path.join(directory, "kiosk-portal-sim_*.deb")))
    if not kiosk or not sim:
        raise V.VMError("%s has no kiosk_*.deb and kiosk-portal-sim_*.deb (tests/vm/package.sh)" % directory)
    return kiosk[-1], sim[-1]


def deb_version(path):
    return subprocess.run(["dpkg-deb", "-f", path, "Version"], capture_output=True, text=True, check=True).stdout.strip()


def differing_share(a_path, b_path, threshold=48):
    """Share of pixels whose colour differs by more than threshold in a channel (sampled every 2nd pixel)."""
    wa, ha, a = V.png_pixels(a_path)
    wb, hb, b = V.png_pixels(b_path)
    if (wa, ha) != (wb, hb):
        return 1.0
    differ = total = 0
    for y in range(0, ha, 2):
        ra, rb = a[y], b[y]
        for x in range(0, wa, 2):
            pa, pb = ra[x], rb[x]
            total += 1
            if max(abs(pa[0] - pb[0]), abs(pa[1] - pb[1]), abs(pa[2] - pb[2])) > threshold:
                differ += 1
    return differ / total


def screen_now(machine, name):
    """The screen's pixels as raw RGB bytes (QMP screendump in PPM, quick to read back, unlike PNG here)."""
    path = os.path.join(machine.workdir, name + ".ppm")
    machine.qmp.execute("screendump", filename=os.path.abspath(path))
    with open(path, "rb") as f:
        data = f.read()
    # "P6\n1080 1920\n255\n" then the pixels
    fields, at = [], 0
    while len(fields) < 4:
        end = data.index(b"\n", at)
        fields.extend(data[at:end].split())
        at = end + 1
    return data[at:]


def changed_share(a, b, stride=101):
    """Share of sampled pixels (every stride-th) that differ by more than 48 in a channel."""
    count = differ = 0
    for i in range(0, min(len(a), len(b)) - 2, 3 * stride):
        count += 1
        if abs(a[i] - b[i]) > 48 or abs(a[i + 1] - b[i + 1]) > 48 or abs(a[i + 2] - b[i + 2]) > 48:
            differ += 1
    return differ / max(count, 1)


def tap_and_wait(machine, taps, label, timeout, source):
    """Taps the element labelled `label` and waits until the screen shows the change (under TCG the software
    renderer takes seconds for a full frame); returns the seconds it took."""
    if label not in taps:
        raise V.VMError("no position for %r in %s" % (label, source))
    x, y = taps[label]
    before = screen_now(machine, "before")
    started = time.monotonic()
    machine.tap(x, y)
    while True:
        time.sleep(0.5)
        if changed_share(screen_now(machine, "after"), before) > 0.02:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise V.VMError("a tap on %r at (%d, %d) changed nothing on the screen within %.0f s" % (
                label, x, y, timeout))


def unique_colours(path, step=8):
    _, height, rows = V.png_pixels(path)
    return len({rows[y][x] for y in range(0, height, step) for x in range(0, len(rows[0]), step)})


class Kiosk:
    """The kiosk service in the guest, seen through systemctl."""

    def __init__(self, vm, slow, unit="kiosk"):
        self.vm, self.slow, self.unit = vm, slow, unit

    def show(self, *props):
        out = self.vm.run("systemctl show %s -p %s" % (self.unit, ",".join(props)))
        return dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)

    def pid(self):
        return int(self.show("MainPID")["MainPID"])

    def wait_active(self, timeout, other_than=None):
        """Waits until the unit is active (the kiosk said READY after its first frame) with a main PID other than
        other_than; returns (seconds waited, pid)."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            state = self.show("ActiveState", "SubState", "MainPID", "NRestarts", "Result")
            pid = int(state.get("MainPID", "0"))
            if state.get("ActiveState") == "active" and pid and pid != other_than:
                return time.monotonic() - started, pid
            if time.monotonic() > deadline:
                journal = self.vm.run("journalctl -u %s -n 40 --no-pager -o cat" % self.unit, check=False)
                raise V.VMError("%s not active after %.0f s: %s\n%s" % (self.unit, timeout, state, journal))
            time.sleep(0.5)

    def status(self):
        code, out, err = self.vm.exec(["/usr/bin/kiosk-provision", "status", "--json"], timeout=self.slow * 30)
        try:
            return json.loads(out.decode())
        except ValueError:
            raise V.VMError("kiosk-provision status --json: exit %d: %s %s" % (code, out.decode(), err.decode()))


def release_binary(name):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", name)


def quietly(argv, stdout=None):
    """Runs argv; its messages are shown only when it fails."""
    env = dict(os.environ, KIOSK_LOG="error")
    done = subprocess.run(argv, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if done.returncode != 0:
        said = ((done.stdout or b"") + done.stderr).decode(errors="replace")
        raise V.VMError("%s exited %d: %s" % (" ".join(argv), done.returncode, said[-2000:]))


def prepare(args, into):
    """Makes the packages (the kiosk from the build KIOSK_DEB_PROFILE names, release by default: package.sh), the
    tap positions and the headless home screen from the release build."""
    started = time.monotonic()
    package = os.path.join(ROOT, "tests", "vm", "package.sh")
    for name, version in (("--new", None), ("--old", PREVIOUS)):
        out = os.path.join(into, name.strip("-"))
        quietly([package, out] + ([version] if version else []))
        args[name] = out
    taps = os.path.join(into, "taps.jsonl")
    with open(taps, "wb") as f:
        quietly([release_binary("bench-tap"), "--positions"], stdout=f)
    args["--positions"] = taps
    walk = os.path.join(into, "walkthrough")
    quietly([release_binary("kiosk"), "--config", os.path.join(ROOT, "assets", "kiosk.example.toml"),
             "--walkthrough", walk])
    args["--home"] = os.path.join(walk, "home-vi-1080x1920.png")
    if not os.path.exists(args["--home"]):
        raise V.VMError("the walkthrough drew no home-vi-1080x1920.png in %s" % walk)
    print("prepared the packages (the kiosk from the %s build), the taps and the headless home screen in %.0f s" % (
        os.environ.get("KIOSK_DEB_PROFILE", "release"), time.monotonic() - started),
          flush=True)


def rtc_base(offset_seconds=0):
    """A weekday 10:00 in Hanoi (03:00 UTC) of this week, so the demo configuration's opening hours are open and
    every run sees the same screens; plus offset_seconds (a second boot continues the first one's time)."""
    now = time.gmtime()
    day = calendar.timegm((now.tm_year, now.tm_mon, now.tm_mday, 3, 0, 0))
    weekday = time.gmtime(day).tm_wday  # Monday 0
    if weekday > 4:
        day -= (weekday - 4) * 86400
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(day + offset_seconds))


def step_detail(report, name):
    for step in report.get("steps", []):
        if step.get("check") == name:
            return step
    return {}


def bench(image, boots):
    """Boots the image `boots` times: power-on to the kiosk's first frame (its unit active: READY is sent after
    the first frame), systemd-analyze's boot time, and the kiosk's memory once it has settled. Prints figures."""
    rows = []
    for n in range(boots):
        machine = V.VM(image, extra_qemu_args=["-rtc", "base=%s" % rtc_base()])
        slow = 1 if machine.accel == "kvm" else 4
        kiosk = Kiosk(machine, slow)
        try:
            machine.start()
            agent = machine.wait_for_boot(timeout=slow * 45)
            kiosk.wait_active(timeout=slow * 60)
            first_frame = time.monotonic() - machine.started_at
            shown = kiosk.show("ActiveEnterTimestampMonotonic", "ExecMainStartTimestampMonotonic")
            start_to_ready = (int(shown["ActiveEnterTimestampMonotonic"]) -
                              int(shown["ExecMainStartTimestampMonotonic"])) / 1e6
            boot = machine.run("systemd-analyze 2>/dev/null | head -1", check=False).strip()
            time.sleep(10)
            pid = kiosk.pid()
            rss = int(machine.run("grep VmRSS /proc/%d/status" % pid).split()[1])
            pss = int(machine.run("grep '^Pss:' /proc/%d/smaps_rollup" % pid).split()[1])
            rows.append((first_frame, agent, start_to_ready, rss, pss))
            print("boot %d (%s): power-on -> first frame %.1f s (agent %.1f s; kiosk start -> ready %.1f s); "
                  "kiosk VmRSS %.1f MiB, PSS %.1f MiB; %s" % (n + 1, machine.accel, first_frame, agent, start_to_ready,
                                                             rss / 1024, pss / 1024, boot), flush=True)
        finally:
            machine.close()
    if rows:
        median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
        print("median of %d boots: power-on -> first frame %.1f s, kiosk start -> ready %.1f s, VmRSS %.1f MiB, "
              "PSS %.1f MiB" % (len(rows), median([r[0] for r in rows]), median([r[2] for r in rows]),
                               median([r[3] for r in rows]) / 1024, median([r[4] for r in rows]) / 1024))
    return 0


def main(argv):
    args = {"--shots": None}
    if argv[:1] == ["--bench"]:
        boots = int(argv[1]) if len(argv) > 1 else 3
        reason = V.skip_reason()
        if reason:
            return V.skipped(reason)
        scratch = tempfile.mkdtemp(prefix="kiosk-appliance-bench-")
        try:
            prepare(args, scratch)
            new_kiosk, new_sim = debs(args["--new"])
            return bench(V.build_image([new_kiosk, new_sim]), boots)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    it = iter(argv)
    for arg in it:
        if arg in ("--old", "--new", "--positions", "--home", "--shots"):
            args[arg] = next(it)
        elif arg in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            print("unknown argument %r; see --help" % arg, file=sys.stderr)
            return 64
    given = [n for n in ("--old", "--new", "--positions", "--home") if n in args]
    if given and len(given) != 4:
        print("give all of --old, --new, --positions and --home, or none; see --help", file=sys.stderr)
        return 64
    reason = V.skip_reason()
    if reason:
        return V.skipped(reason)

    scratch = None
    if not given:
        scratch = tempfile.mkdtemp(prefix="kiosk-appliance-")
        try:
            prepare(args, scratch)
        except (subprocess.CalledProcessError, OSError, V.VMError) as e:
            print("FAIL: preparing the packages and the reference screens: %s" % e, flush=True)
            print("vm appliance: 0 passed, 1 failed")
            return 1
    old_kiosk, old_sim = debs(args["--old"])
    new_kiosk, new_sim = debs(args["--new"])
    taps, steps = {}, {}
    with open(args["--positions"]) as f:
        for line in f:
            if line.strip():
                step = json.loads(line)
                taps.setdefault(step["label"], (step["x"], step["y"]))
                steps[step["step"]] = (step["x"], step["y"])
    shots = args["--shots"]
    if shots:
        os.makedirs(shots, exist_ok=True)

    t = V.Smoke()
    started = time.monotonic()
    try:
        image = V.build_image([old_kiosk, old_sim])
    except V.VMError as e:
        t.check("the image builds with the kiosk's package installed by apt", False, str(e))
        print("vm appliance: %d passed, %d failed" % (t.passed, t.failed))
        return 1
    info = V.image_info(image)
    print("image: %s, the previous build %s installed (image.sh %.1f s this run; its build %s s)" % (
        image, deb_version(old_kiosk), time.monotonic() - started, info.get("build_seconds", "?")), flush=True)

    first_rtc = rtc_base()
    # A USB keyboard beside the touch screen: what a barcode reader or a passer-by's keyboard is to the guest.
    keyboard = ["-device", "usb-kbd,id=kbd,bus=xhci.0"]
    machine = V.VM(image, extra_qemu_args=["-rtc", "base=%s" % first_rtc] + keyboard)
    slow = 1 if machine.accel == "kvm" else 4
    if machine.accel == "tcg":
        print("note: running under TCG, not KVM (see vm.py smoke's note)", flush=True)
    kiosk = Kiosk(machine, slow)
    core = Kiosk(machine, slow, "kiosk-core")
    conf = V.read_conf()
    facts = {}
    try:
        machine.start()
        boot = machine.wait_for_boot(timeout=slow * 45)

        # --- 1. power on -> the home screen ---
        def boots_to_the_home_screen():
            waited, pid = kiosk.wait_active(timeout=slow * 60)
            first_frame = time.monotonic() - machine.started_at
            facts["pid"] = pid
            shown = kiosk.show("ActiveEnterTimestampMonotonic", "ExecMainStartTimestampMonotonic")
            in_guest = int(shown["ActiveEnterTimestampMonotonic"]) / 1e6
            start_to_ready = in_guest - int(shown["ExecMainStartTimestampMonotonic"]) / 1e6
            analyze = machine.run("systemd-analyze 2>/dev/null | head -1", check=False).strip()
            time.sleep(2 * slow)  # the clock's first tick and the device check's first report
            path = os.path.join(machine.workdir, "home.png")
            machine.screendump(path)
            if shots:
                shutil.copy(path, os.path.join(shots, "vm-home-vi-1080x1920.png"))
            share = differing_share(path, args["--home"])
            colours = unique_colours(path)
            assert colours > 8, "the screen has %d colours: nothing drawn" % colours
            assert share < 0.04, "%.1f%% of the KMS screen differs from the headless home screen (%s)" % (
                share * 100, path)
            print("timing: power-on to the guest agent %.1f s; to the kiosk's first frame (unit active) %.1f s "
                  "(guest clock: %.1f s after the kernel started, %.1f s after the kiosk started); %s" % (
                      boot, first_frame, in_guest, start_to_ready, analyze), flush=True)
            facts["first_frame"] = first_frame
            return "power-on -> first frame %.1f s (%s); %.2f%% of pixels differ from the headless render" % (
                first_frame, machine.accel, share * 100)
        if not t.attempt("power on -> the home screen on the KMS display (as the headless render)",
                         boots_to_the_home_screen):
            raise V.VMError("the kiosk did not come up; the rest needs it")

        def memory_and_security():
            core.wait_active(timeout=slow * 30)
            rss = machine.run("grep VmRSS /proc/%d/status" % kiosk.pid()).split()[1]
            core_rss = machine.run("grep VmRSS /proc/%d/status" % core.pid()).split()[1]
            current = int(kiosk.show("MemoryCurrent")["MemoryCurrent"])
            score = machine.run("systemd-analyze security kiosk.service --no-pager 2>&1 | tail -1", check=False)
            core_score = machine.run("systemd-analyze security kiosk-core.service --no-pager 2>&1 | tail -1",
                                     check=False)
            print("memory: kiosk (screen) VmRSS %s kB, the unit's cgroup %.1f MiB (MemoryMax=768M); kiosk-core "
                  "VmRSS %s kB" % (rss, current / 1048576, core_rss), flush=True)
            print("security: kiosk.service %s; kiosk-core.service %s" % (score.strip(), core_score.strip()),
                  flush=True)
            assert "Overall exposure level" in score and "Overall exposure level" in core_score, (score, core_score)
            return "screen VmRSS %s kB, core VmRSS %s kB; kiosk.service %s; kiosk-core.service %s" % (
                rss, core_rss, score.strip().replace("→ ", ""), core_score.strip().replace("→ ", ""))
        t.attempt("the kiosk's memory and systemd-analyze security", memory_and_security)

        def user_and_paths():
            ids = machine.run("id kiosk").strip()
            for group in ("video", "dialout", "lp"):
                assert "(%s)" % group in ids, ids
            mode = machine.run("stat -c '%a %U %G' /var/lib/kiosk").strip()
            assert mode == "700 kiosk kiosk", mode
            conffiles = machine.run("cat /var/lib/dpkg/info/kiosk.conffiles").split()
            assert "/etc/kiosk/kiosk.toml" in conffiles, conffiles
            tty1 = machine.run("systemctl is-enabled kiosk; systemctl show -p ExecMainStatus kiosk", check=False)
            return "%s; /var/lib/kiosk %s; conffiles %s; %s" % (ids, mode, conffiles, " ".join(tty1.split()))
        t.attempt("the package made the kiosk user, its state directory and the conffile", user_and_paths)

        # --- the technician sets the box up ---
        def technician_setup():
            machine.wait_until("test -e /dev/kiosk/pager", timeout=slow * 10)
            pager = machine.run("stat -L -c '%G %a' /dev/kiosk/pager; readlink -f /dev/kiosk/pager").split()
            assert pager[0] == "kiosk", "the transmitter's adapter is not the kiosk group's: %s" % pager
            printer = machine.run("stat -L -c '%G %a' /dev/kiosk/printer; readlink -f /dev/kiosk/printer",
                                  check=False).split()
            assert printer and printer[0] == "kiosk", "the printer's USB node: %s" % printer
            lp = machine.run("ls /dev/usb/lp* 2>/dev/null || echo none").strip()
            code, out, err = machine.exec(SETUP, input_data=(PIN + "\n").encode(), timeout=slow * 60)
            assert code == 0, "setup: exit %d: %s%s" % (code, out.decode(), err.decode())
            code, out, err = machine.exec(["/usr/bin/kiosk-provision", "staff", "add", "--id", STAFF, "--name",
                                           "Cán bộ thử"], input_data=(PIN + "\n").encode(), timeout=slow * 60)
            assert code == 0, "staff add: exit %d: %s%s" % (code, out.decode(), err.decode())
            old, old_core = kiosk.pid(), core.pid()
            machine.run("systemctl restart kiosk-core kiosk")
            core.wait_active(timeout=slow * 60, other_than=old_core)
            _, facts["pid"] = kiosk.wait_active(timeout=slow * 60, other_than=old)
            return "/dev/kiosk/pager -> %s (%s); /dev/kiosk/printer -> %s (%s); usblp nodes: %s; setup and staff " \
                   "add as root, the core and the screen restarted" % (pager[2], pager[0], printer[2], printer[0], lp)
        if not t.attempt("udev names the devices for the kiosk group; setup writes the box's config", technician_setup):
            raise V.VMError("the technician's setup failed; the device tests need it")

        # --- 2. a tap-through: a ticket printed over libusb, the pager paged over the FTDI adapter ---
        def take_a_number():
            machine.wait_until("grep -q ok /run/gadget-printer/status", timeout=slow * 10)
            machine.printer_clear()
            machine.ftdi.take()
            frames = []
            for label in ("Lấy số thứ tự", "Hộ tịch", "Không thuộc nhóm nào"):
                frames.append(tap_and_wait(machine, taps, label, slow * 20, args["--positions"]))
            facts["tap_frames"] = frames
            path = os.path.join(machine.workdir, "ticket.png")
            # The whole job: bytes that stop growing for a while after the job's ESC @.
            deadline = time.monotonic() + slow * 30
            seen, still_since = b"", time.monotonic()
            while True:
                data = machine.printer_received()
                if data != seen:
                    seen, still_since = data, time.monotonic()
                elif b"\x1b@" in data and time.monotonic() - still_since > slow * 1.5:
                    break
                if time.monotonic() > deadline:
                    raise V.VMError("no whole ticket at the printer after %d s (%d bytes: %r...)" % (
                        slow * 30, len(data), data[:60]))
                time.sleep(0.3)
            machine.screendump(path)
            if shots:
                shutil.copy(path, os.path.join(shots, "vm-ticket-vi-1080x1920.png"))
            tap_and_wait(machine, steps, "start over", slow * 20, args["--positions"])  # the header's "Làm lại"
            job = os.path.join(machine.workdir, "ticket.bin")
            with open(job, "wb") as f:
                f.write(machine.printer_received())
            decoded = subprocess.run([release_binary("kiosk-provision"), "decode", job, "--profile", "generic-58", "--png",
                                      os.path.join(machine.workdir, "ticket-paper.png")],
                                     capture_output=True, text=True)
            assert decoded.returncode == 0, decoded.stderr
            text = decoded.stdout
            number = [line.strip() for line in text.splitlines() if line.strip().startswith("HT-")]
            assert number, "no HT- number on the ticket:\n%s" % text
            assert "Hộ tịch" in text and "Thẻ rung số" in text, "the service and the pager on the ticket:\n%s" % text
            facts["ticket"] = number[0]
            # The counter calls it; the kiosk pages the ticket's pager through the WaveWare transmitter, whose part
            # the host end plays: the frame arrives, the transmitter answers ACK (SOH ACK ,queued EOT).
            call = machine.qga.spawn(["/usr/bin/python3", "-c", CALL_NEXT, STAFF, PIN])
            frame = machine.ftdi.wait_for(b"\x04", timeout=slow * 15)
            machine.ftdi.send(b"\x01\x06v9,0\x04")
            code, out, err = machine.qga.wait(call, slow * 30)
            assert code == 0, "call-next: %s%s" % (out.decode(), err.decode())
            called = json.loads(out.decode())
            assert frame.startswith(b"\x013,1,"), "not a WaveWare page frame: %r" % frame
            return "3 taps (tap to the next screen drawn: %s s); ticket %s printed (%d bytes over libusb, decoded: %s); " \
                   "counter 1 called %s, the FTDI end got %r" % (
                ", ".join("%.1f" % f for f in frames), number[0], os.path.getsize(job), " | ".join(l for l in text.splitlines() if l.strip())[:160],
                json.dumps(called)[:120], frame[:60])
        t.attempt("taps take a number: the ticket printed through the USB gadget, the pager paged over FTDI",
                  take_a_number)

        # --- 3. devices pulled out and plugged back ---
        def wait_for_status(want_pass, timeout):
            deadline = time.monotonic() + timeout
            while True:
                report = kiosk.status()
                printer, pager = step_detail(report, "printer"), step_detail(report, "pager")
                if all((d.get("verdict") == "pass") == want_pass for d in (printer, pager)):
                    return printer, pager
                if time.monotonic() > deadline:
                    raise V.VMError("after %d s, status says printer %s / pager %s" % (timeout, printer, pager))
                time.sleep(1)

        def unplug_and_replug():
            try:
                return pull_out_mid_job_and_back()
            finally:
                # Whatever failed, the devices go back in for the checks after this one.
                machine.printer_release()
                machine.printer_plug()
                if not machine.ftdi_plugged:
                    machine.ftdi_plug()

        def pull_out_mid_job_and_back():
            pid = kiosk.pid()
            # A resident takes a number; the printer is holding its bytes (a full buffer: the kiosk's bulk
            # transfers wait, NAKed), so the print is under way when both cables come out: mid-job.
            machine.printer_clear()
            # The printer is still in and well; the banner of the number called above moves the choices down.
            frames = [tap_and_wait(machine, steps, "after a call: " + label, slow * 20, args["--positions"])
                      for label in ("Lấy số thứ tự", "Hộ tịch")]
            since = int(machine.run("date +%s").strip())
            machine.printer_hold()
            frames.append(tap_and_wait(machine, steps, "after a call: Không thuộc nhóm nào", slow * 20,
                                       args["--positions"]))
            deadline = time.monotonic() + slow * 20
            while machine.printer_held() != "holding, a transfer waiting":
                if time.monotonic() > deadline:
                    raise V.VMError("the print never reached the printer: %s" % machine.printer_held())
                time.sleep(0.5)
            # The first transfer (a status request) sits in the printer's buffer; the kiosk's next one, its status
            # request or the ticket's bytes, is waiting on the cable (the kiosk gives a bulk write 10 s).
            time.sleep(slow * 0.75)
            machine.printer_unplug()
            machine.ftdi_unplug()
            machine.printer_release()
            printer, pager = wait_for_status(False, slow * 40)
            missing = "printer: %s; pager: %s" % (printer.get("detail"), pager.get("detail"))
            assert kiosk.pid() == pid, "the kiosk restarted when the devices went"
            assert b"\x1b@" not in machine.printer_received(), "the ticket came out before the cable was pulled"
            failed = machine.run("journalctl -u kiosk --no-pager -o cat --since @%d | grep 'a print failed' | tail -1"
                                 % since, check=False).strip()
            assert failed, "the kiosk logged no failed print"
            assert "imed out" not in failed and "Timeout" not in failed, \
                "the print ran out of time before the cable was pulled: %s" % failed
            # Said as the printer gone (the resident reads "máy in: chưa kết nối"), not as a printer fault.
            assert any(words in failed for words in ("went away", "No such device", "not connected")), \
                "the cut print is not put down to the printer gone: %s" % failed
            time.sleep(slow * 3)  # the print's failure reaches the screen
            path = os.path.join(machine.workdir, "printer-out.png")
            machine.screendump(path)
            if shots:
                shutil.copy(path, os.path.join(shots, "vm-ticket-printer-out-vi-1080x1920.png"))
            machine.printer_clear()
            machine.printer_plug()
            machine.ftdi_plug()
            wait_for_status(True, slow * 60)
            assert kiosk.pid() == pid, "the kiosk restarted to find the devices again"
            # The screen now offers the same ticket again.
            time.sleep(slow * 1)
            if shots:
                machine.screendump(os.path.join(shots, "vm-ticket-reprint-vi-1080x1920.png"))
            tap_and_wait(machine, steps, "reprint", slow * 20, args["--positions"])
            job = os.path.join(machine.workdir, "reprint.bin")
            deadline = time.monotonic() + slow * 30
            while b"\x1b@" not in machine.printer_received() or len(machine.printer_received()) < 200:
                if time.monotonic() > deadline:
                    raise V.VMError("no reprint at the printer (%r)" % machine.printer_received()[:60])
                time.sleep(0.5)
            time.sleep(slow * 1.5)
            with open(job, "wb") as f:
                f.write(machine.printer_received())
            decoded = subprocess.run([release_binary("kiosk-provision"), "decode", job, "--profile", "generic-58"],
                                     capture_output=True, text=True)
            number = [line.strip() for line in decoded.stdout.splitlines() if line.strip().startswith("HT-")]
            assert decoded.returncode == 0 and number, "the reprint: %s %s" % (decoded.stdout, decoded.stderr)
            assert number[0] != facts.get("ticket"), "the reprint is the new ticket, not the first one"
            return "pulled out while the ticket was printing (taps %s s; the kiosk's log: %s); out: %s; back without " \
                   "a restart (pid %d), the reprint offered and printed: %s" % (
                       ", ".join("%.1f" % f for f in frames), failed[-160:], missing, pid, number[0])
        t.attempt("printer and adapter pulled out mid-job: the kiosk stays up and names them, the ticket whose print "
                  "was cut is offered again once they are back, without a restart", unplug_and_replug)

        # --- 4. a keyboard, crashes, a hang, a power cut ---
        def keyboard_cannot_stop_it():
            # A keyboard (or a barcode reader that types like one) plugged into the kiosk: Ctrl+Alt+Delete 8 times
            # fast (systemd's burst rule forces a reboot at 7), Ctrl+Alt+Backspace (Slint quits its event loop on
            # both), Alt+SysRq+B (the kernel's immediate reboot). The box and the kiosk must not notice.
            boot_id = machine.run("cat /proc/sys/kernel/random/boot_id").strip()
            pid, restarts = kiosk.pid(), int(kiosk.show("NRestarts")["NRestarts"])
            since = machine.run("date +%s").strip()
            chord = lambda *keys: machine.qmp.execute(  # noqa: E731
                "send-key", keys=[{"type": "qcode", "data": k} for k in keys], **{"hold-time": 50})
            for _ in range(8):
                chord("ctrl", "alt", "delete")
            chord("ctrl", "alt", "backspace")
            chord("alt", "sysrq", "b")
            time.sleep(3 * slow)
            assert machine.qmp.execute("query-status")["status"] == "running", "the VM stopped"
            assert machine.run("cat /proc/sys/kernel/random/boot_id").strip() == boot_id, "the box rebooted"
            now_pid, now_restarts = kiosk.pid(), int(kiosk.show("NRestarts")["NRestarts"])
            assert (now_pid, now_restarts) == (pid, restarts), "the kiosk stopped: pid %d -> %d, restarts %d -> %d" % (
                pid, now_pid, restarts, now_restarts)
            ignored = machine.run("journalctl -u kiosk --no-pager -o cat --since @%s | grep -c 'key chord' || true"
                                  % since).strip()
            # The chords reached the kiosk and were dropped there: a keyboard that never arrived proves nothing.
            assert int(ignored or 0) >= 9, "the kiosk logged %s ignored chords, not the 9 pressed" % ignored
            sysrq = machine.run("cat /proc/sys/kernel/sysrq").strip()  # the image has no procps
            masked = machine.run("systemctl is-enabled ctrl-alt-del.target", check=False).strip()
            assert (sysrq, masked) == ("0", "masked"), (sysrq, masked)
            journald = machine.run("systemd-analyze cat-config systemd/journald.conf | grep -E '^SystemMaxUse'",
                                   check=False).strip()
            assert journald == "SystemMaxUse=64M", journald
            return "Ctrl+Alt+Delete x8, Ctrl+Alt+Backspace, Alt+SysRq+B: same boot, same kiosk (pid %d); %s chords " \
                   "dropped by the kiosk; kernel.sysrq=0, ctrl-alt-del.target %s, journald %s" % (
                       pid, ignored, masked, journald)
        t.attempt("a keyboard plugged in cannot stop the kiosk or reboot the box", keyboard_cannot_stop_it)

        def killed_and_restarted():
            before = kiosk.status()
            restarts = int(kiosk.show("NRestarts")["NRestarts"])
            pid, core_pid = kiosk.pid(), core.pid()
            machine.run("kill -9 %d" % pid)
            waited, new = kiosk.wait_active(timeout=slow * 60, other_than=pid)
            after = kiosk.status()
            now_restarts = int(kiosk.show("NRestarts")["NRestarts"])
            assert now_restarts == restarts + 1, (restarts, now_restarts)
            queue_before, queue_after = step_detail(before, "queue"), step_detail(after, "queue")
            assert queue_before.get("detail") == queue_after.get("detail"), (queue_before, queue_after)
            assert core.pid() == core_pid, "the core restarted with the screen"
            return "kill -9 -> active again in %.1f s (pid %d -> %d); the core untouched (pid %d); queue: %s" % (
                waited, pid, new, core_pid, queue_after.get("detail"))
        t.attempt("kill -9: systemd restarts the kiosk, the queue intact", killed_and_restarted)

        def hung_and_restarted():
            pid, core_pid = kiosk.pid(), core.pid()
            watchdog = kiosk.show("WatchdogUSec")["WatchdogUSec"]
            stopped = time.monotonic()
            machine.run("kill -STOP %d" % pid)
            # While the screen hangs, a counter calls the next number: the core answers and pages (the host end
            # plays the WaveWare transmitter and ACKs the frame).
            machine.ftdi.take()
            call = machine.qga.spawn(["/usr/bin/python3", "-c", CALL_NEXT, STAFF, PIN])
            paged, status = b"", {}
            deadline = time.monotonic() + slow * 30
            while time.monotonic() < deadline:
                # An exited process's status is given once (the agent then forgets it): kept from this loop.
                status = machine.qga.execute("guest-exec-status", pid=call)
                if b"\x04" in machine.ftdi.data and not paged:
                    paged = machine.ftdi.take()
                    machine.ftdi.send(b"\x01\x06v9,0\x04")
                if status.get("exited"):
                    break
                time.sleep(0.2)
            assert status.get("exited"), "call-next did not finish within %d s while the screen hung" % (slow * 30)
            code = status.get("exitcode", 128 + status.get("signal", 0))
            out = base64.b64decode(status.get("out-data", ""))
            err = base64.b64decode(status.get("err-data", ""))
            assert code == 0, "call-next while the screen hangs: %s%s" % (out.decode(), err.decode())
            called = json.loads(out.decode())["ticket"]
            assert called and called.get("label", "").startswith("HT-"), called
            if called.get("pager"):
                assert paged.startswith(b"\x013,1,"), "no WaveWare page for pager %s: %r" % (called["pager"], paged)
            during = time.monotonic() - stopped
            still = kiosk.show("MainPID")["MainPID"]
            assert int(still) == pid, "the screen was already restarted: the call did not happen during the hang"
            waited, new = kiosk.wait_active(timeout=slow * 90, other_than=pid)
            result = machine.run("journalctl -u kiosk --no-pager -o cat | grep -i watchdog | tail -2", check=False)
            assert "watchdog" in result.lower(), result
            assert core.pid() == core_pid, "the core restarted with the screen"
            return "SIGSTOP -> restarted by the watchdog (WatchdogSec=%s) after %.1f s: %s; meanwhile (%.1f s in) " \
                   "counter 1 called %s%s through the core (pid %d, untouched)" % (
                       watchdog, time.monotonic() - stopped, " / ".join(result.strip().splitlines()), during,
                       called["label"], " and paged pager %s over FTDI" % called["pager"] if called.get("pager") else "",
                       core_pid)
        t.attempt("SIGSTOP: the watchdog restarts the hung screen; counters call and page through the core "
                  "meanwhile", hung_and_restarted)

        def power_cut_in_a_burst():
            machine.run("systemctl stop kiosk kiosk-core kiosk-portal-sim")
            # The ids go to the serial console as each submission is saved (acknowledged): the host's copy of the
            # console outlives the guest.
            burst = ("runuser -u kiosk -- /usr/bin/kiosk --config /etc/kiosk/kiosk.toml --state-dir /var/lib/kiosk "
                     "outbox enqueue --count 400 --pages 1 --page-bytes 30000 | sed -u 's/^/ACK /' > /dev/ttyS0")
            machine.qga.spawn(["/bin/sh", "-c", burst])
            deadline = time.monotonic() + slow * 60
            while machine.console().count("ACK saved") < 20:
                if time.monotonic() > deadline:
                    raise V.VMError("the burst did not start: %s" % machine.console()[-500:])
                time.sleep(0.2)
            machine.power_off()
            acked = [line.split()[-1] for line in machine.console().splitlines() if line.startswith("ACK saved ")]
            return acked
        acked = None
        try:
            acked = power_cut_in_a_burst()
            t.check("a burst of submissions, the plug pulled mid-way", True, "%d acknowledged before the cut" % len(acked))
        except (V.VMError, AssertionError, OSError) as e:
            t.check("a burst of submissions, the plug pulled mid-way", False, str(e))

        # The same disk boots again.
        workdir = machine.workdir
        machine.close(keep_workdir=True)
        elapsed = int(time.monotonic() - machine.started_at) + 60
        machine = V.VM(image, workdir=workdir, extra_qemu_args=["-rtc", "base=%s" % rtc_base(elapsed)])
        kiosk = Kiosk(machine, slow)
        core = Kiosk(machine, slow, "kiosk-core")
        if os.path.exists(machine.console_log):
            os.remove(machine.console_log)
        machine.start()
        machine.wait_for_boot(timeout=slow * 45)

        def outbox_after_the_cut():
            assert acked, "no acknowledged submissions to look for"
            kiosk.wait_active(timeout=slow * 60)
            deadline = time.monotonic() + slow * 120
            while True:
                _, out, _ = machine.exec(["/usr/bin/python3", "-c", IDS])
                found = json.loads(out.decode())
                outbox, portal = found["outbox"], found["portal"]
                assert isinstance(outbox, list), outbox
                missing = [i for i in acked if i not in outbox]
                assert not missing, "%d acknowledged submissions lost, e.g. %s" % (len(missing), missing[:3])
                assert len(outbox) in (len(acked), len(acked) + 1), (len(outbox), len(acked))
                if isinstance(portal, list) and set(outbox) <= set(portal):
                    break
                if time.monotonic() > deadline:
                    raise V.VMError("after %d s the portal has %s of %d" % (
                        slow * 120, len(portal) if isinstance(portal, list) else portal, len(outbox)))
                time.sleep(2)
            assert len(portal) == len(set(portal)), "the portal has a submission twice"
            return "%d acknowledged, %d in the outbox after boot (all acknowledged among them), all %d at the " \
                   "portal once" % (len(acked), len(outbox), len(portal))
        t.attempt("after the power cut: every acknowledged submission in the outbox once, then at the portal once",
                  outbox_after_the_cut)

        # --- 5. upgrade, remove, purge ---
        def upgrade():
            pid, core_pid = kiosk.pid(), core.pid()
            before = kiosk.status()
            machine.install_debs([new_kiosk, new_sim])
            version = machine.run("dpkg-query -W -f '${Version}' kiosk").strip()
            assert version == deb_version(new_kiosk), version
            config = machine.run("cat /etc/kiosk/kiosk.toml")
            assert "usb:0416:5011" in config and "/dev/kiosk/pager" in config, "the technician's config was replaced"
            waited, new = kiosk.wait_active(timeout=slow * 60, other_than=pid)
            _, new_core = core.wait_active(timeout=slow * 60, other_than=core_pid)
            after = kiosk.status()
            assert step_detail(before, "queue").get("detail") == step_detail(after, "queue").get("detail")
            return "%s -> %s; the technician's kiosk.toml kept; both restarted (screen pid %d -> %d, core %d -> %d); " \
                   "queue %s" % (deb_version(old_kiosk), version, pid, new, core_pid, new_core,
                                 step_detail(after, "queue").get("detail"))
        t.attempt("upgrade from the previous build keeps the config and the state, restarts the kiosk", upgrade)

        def remove_and_purge():
            machine.run("apt-get remove -y -qq kiosk >/dev/null 2>&1", timeout=slow * 60)
            state = machine.run("ls /var/lib/kiosk | sort | tr '\\n' ' '")
            assert "queue.sqlite" in state and "outbox" in state, state
            config = machine.run("test -f /etc/kiosk/kiosk.toml && echo kept", check=False).strip()
            assert config == "kept", "remove deleted the config"
            active = machine.run("systemctl is-active kiosk kiosk-core", check=False).split()
            assert "active" not in active, active
            machine.run("apt-get purge -y -qq kiosk >/dev/null 2>&1", timeout=slow * 60)
            gone = machine.run("test -e /var/lib/kiosk || test -e /etc/kiosk || echo gone", check=False).strip()
            assert gone == "gone", machine.run("ls -la /var/lib/kiosk /etc/kiosk", check=False)
            return "remove kept /var/lib/kiosk (%s) and /etc/kiosk/kiosk.toml; purge deleted both" % state.strip()
        t.attempt("apt-get remove keeps the state and config, purge deletes them", remove_and_purge)
    except Exception as e:  # noqa: BLE001 - anything that stops the run is a failure, reported as one
        where = "; ".join("%s:%d %s" % (os.path.basename(f.filename), f.lineno, f.name)
                          for f in traceback.extract_tb(e.__traceback__)[-4:])
        t.check("the virtual kiosk ran", False, "%s: %s (at %s)" % (type(e).__name__, e, where))
        print("console (last lines):\n%s" % machine.console()[-2000:], flush=True)
    status = V.finish(t, machine, "vm appliance")
    if scratch and status == 0:
        shutil.rmtree(scratch, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
