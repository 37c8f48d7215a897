#!/usr/bin/python3
"""Draws a known picture on a DRM card the way Slint's linuxkms backend with the software renderer does: a dumb
buffer, mapped, filled, put on the CRTC of the first connected connector in its preferred mode. Runs in the
virtual kiosk's guest (vm.py uploads it), python3-minimal only, so the smoke test can tell that what a KMS client
draws is what QMP's screendump shows, before the kiosk itself is in the image.

    python3 kms-probe.py /dev/dri/card0 SECONDS

The picture: red left half, blue right half, a white 100x100 square with its corner at (100, 200). Prints the mode,
touches /run/kms-probe.ready once it is on screen, keeps it there SECONDS (the buffer goes when the program ends).
"""

import array
import fcntl
import mmap
import os
import struct
import sys
import time


def iowr(nr, size):
    return (3 << 30) | (size << 16) | (ord("d") << 8) | nr


CARD_RES = "QQQQ8I"  # drm_mode_card_res
CONNECTOR = "QQQQ12I"  # drm_mode_get_connector
MODEINFO = "I10H3I32s"  # drm_mode_modeinfo, 68 bytes
ENCODER = "5I"  # drm_mode_get_encoder
CREATE_DUMB = "6IQ"
MAP_DUMB = "IIQ"
FB_CMD = "7I"
CRTC = "QI6I"  # drm_mode_crtc without its modeinfo

VERSION = "iii4xQQQQQQ"  # drm_version: numbers, then (length, pointer) for name, date, description
VERSION_IOCTL = iowr(0x00, struct.calcsize(VERSION))
GETRESOURCES = iowr(0xA0, struct.calcsize(CARD_RES))
SETCRTC = iowr(0xA2, struct.calcsize(CRTC) + struct.calcsize(MODEINFO))
GETENCODER = iowr(0xA6, struct.calcsize(ENCODER))
GETCONNECTOR = iowr(0xA7, struct.calcsize(CONNECTOR))
ADDFB = iowr(0xAE, struct.calcsize(FB_CMD))
CREATE_DUMB_IOCTL = iowr(0xB2, struct.calcsize(CREATE_DUMB))
MAP_DUMB_IOCTL = iowr(0xB3, struct.calcsize(MAP_DUMB))


def ioctl(fd, request, fmt, *values):
    buf = bytearray(struct.pack(fmt, *values))
    fcntl.ioctl(fd, request, buf, True)
    return struct.unpack(fmt, buf)


def ids(n):
    a = array.array("I", [0] * max(n, 1))
    return a, a.buffer_info()[0]


def main():
    card, seconds = sys.argv[1], float(sys.argv[2])
    fd = os.open(card, os.O_RDWR | os.O_CLOEXEC)
    name_buf = array.array("B", bytes(64))
    version = ioctl(fd, VERSION_IOCTL, VERSION, 0, 0, 0, 64, name_buf.buffer_info()[0], 0, 0, 0, 0)
    driver = name_buf.tobytes()[:version[3]].decode()
    res = ioctl(fd, GETRESOURCES, CARD_RES, *([0] * 12))
    n_crtcs, n_connectors = res[5], res[6]
    crtcs, crtcs_ptr = ids(n_crtcs)
    connectors, connectors_ptr = ids(n_connectors)
    ioctl(fd, GETRESOURCES, CARD_RES, 0, crtcs_ptr, connectors_ptr, 0, 0, n_crtcs, n_connectors, 0, 0, 0, 0, 0)

    for connector_id in connectors[:n_connectors]:
        c = ioctl(fd, GETCONNECTOR, CONNECTOR, *([0] * 8), connector_id, *([0] * 7))
        n_modes, n_encoders, connection = c[4], c[6], c[11]
        if connection != 1 or n_modes == 0:  # DRM_MODE_CONNECTED
            continue
        modes = bytearray(struct.calcsize(MODEINFO) * n_modes)
        modes_arr = array.array("B", modes)
        encoders, encoders_ptr = ids(n_encoders)
        c = ioctl(fd, GETCONNECTOR, CONNECTOR, encoders_ptr, modes_arr.buffer_info()[0], 0, 0, n_modes, 0,
                  n_encoders, 0, connector_id, 0, 0, 0, 0, 0, 0, 0)
        encoder_id = c[7]
        break
    else:
        sys.exit("no connected connector on %s" % card)

    size = struct.calcsize(MODEINFO)
    mode_list = [modes_arr[i * size:(i + 1) * size].tobytes() for i in range(n_modes)]
    preferred = [m for m in mode_list if struct.unpack(MODEINFO, m)[13] & (1 << 3)]  # DRM_MODE_TYPE_PREFERRED
    mode = (preferred or mode_list)[0]
    fields = struct.unpack(MODEINFO, mode)
    width, height, name = fields[1], fields[6], fields[14].rstrip(b"\0").decode()

    crtc_id = 0
    if encoder_id:
        crtc_id = ioctl(fd, GETENCODER, ENCODER, encoder_id, 0, 0, 0, 0)[2]
    if not crtc_id:
        possible = ioctl(fd, GETENCODER, ENCODER, encoders[0], 0, 0, 0, 0)[3]
        crtc_id = next(crtcs[i] for i in range(n_crtcs) if possible & (1 << i))

    _, _, _, _, handle, pitch, length = ioctl(fd, CREATE_DUMB_IOCTL, CREATE_DUMB, height, width, 32, 0, 0, 0, 0)
    offset = ioctl(fd, MAP_DUMB_IOCTL, MAP_DUMB, handle, 0, 0)[2]
    fb_id = ioctl(fd, ADDFB, FB_CMD, 0, width, height, pitch, 32, 24, handle)[0]

    # XRGB8888, little-endian: B, G, R, X.
    red, blue, white = b"\x00\x00\xff\x00", b"\xff\x00\x00\x00", b"\xff\xff\xff\x00"
    half = width // 2
    row = (red * half + blue * (width - half)).ljust(pitch, b"\0")
    square_row = (red * 100 + white * 100 + red * (half - 200) + blue * (width - half)).ljust(pitch, b"\0")
    fb = mmap.mmap(fd, length, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=offset)
    for y in range(height):
        fb[y * pitch:(y + 1) * pitch] = square_row if 200 <= y < 300 else row

    connector_arr, connector_ptr = ids(1)
    connector_arr[0] = connector_id
    buf = bytearray(struct.pack(CRTC, connector_ptr, 1, crtc_id, fb_id, 0, 0, 0, 1) + mode)
    fcntl.ioctl(fd, SETCRTC, buf, True)
    print("driver %s, mode %s (%dx%d) on crtc %d, connector %d, fb %d, pitch %d" % (
        driver, name, width, height, crtc_id, connector_id, fb_id, pitch), flush=True)
    open("/run/kms-probe.ready", "w").close()
    time.sleep(seconds)
    os.unlink("/run/kms-probe.ready")


if __name__ == "__main__":
    main()
