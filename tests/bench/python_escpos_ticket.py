"""The same slip as the kiosk's benchmark, encoded by python-escpos 3.1 (the usual Python choice), both ways it
offers for Vietnamese: text with its "magic encode" (TCVN-3 / CP852 page switching on the default profile) and
the whole text as one bitmap (GS v 0) with the same font and line heights as the kiosk's raster strategy.
Reads the slip's lines as JSON on stdin; prints `name value` lines. Run by tests/bench/print.rs."""
import json
import sys
import time

from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

slip = json.load(sys.stdin)
font_dir = slip["font_dir"]
WIDTH = 576


def text_variant():
    p = Dummy()
    for block in slip["blocks"]:
        if block["kind"] == "text":
            s = block["scale"]
            p.set(align=block["align"], bold=block["bold"], custom_size=s > 1, width=s, height=s) if s > 1 else \
                p.set(align=block["align"], bold=block["bold"], normal_textsize=True)
            p.text(block["text"] + "\n")
        elif block["kind"] == "rule":
            p.set(align="left", normal_textsize=True)
            p.text("-" * 48 + "\n")
        elif block["kind"] == "qr":
            p.qr(block["data"], size=block["module"], native=True, center=False)
    p.cut()
    return p.output


def bitmap_variant():
    p = Dummy()
    rows = []
    for block in slip["blocks"]:
        if block["kind"] == "text":
            height = 24 * block["scale"]
            face = ImageFont.truetype(f"{font_dir}/BeVietnamPro-{'Bold' if block['bold'] else 'Regular'}.ttf", int(height * 0.72))
            line = Image.new("1", (WIDTH, height), 1)
            draw = ImageDraw.Draw(line)
            width = draw.textlength(block["text"], font=face)
            x = {"left": 0, "center": (WIDTH - width) / 2, "right": WIDTH - width}[block["align"]]
            draw.text((x, 0), block["text"], font=face, fill=0)
            rows.append(line)
        elif block["kind"] == "rule":
            line = Image.new("1", (WIDTH, 12), 1)
            ImageDraw.Draw(line).rectangle([0, 5, WIDTH, 6], fill=0)
            rows.append(line)
        elif block["kind"] == "qr":
            if rows:
                picture = Image.new("1", (WIDTH, sum(r.height for r in rows)), 1)
                y = 0
                for r in rows:
                    picture.paste(r, (0, y))
                    y += r.height
                before = len(p.output)
                p.image(picture)
                print(f"bitmap_picture_bytes {len(p.output) - before}")
                rows = []
            p.qr(block["data"], size=block["module"], native=True, center=False)
    p.cut()
    return p.output


for name, make in [("text", text_variant), ("bitmap", bitmap_variant)]:
    output = make()
    if name == "bitmap":
        sys.stdout.flush()
    runs = []
    for _ in range(30):
        start = time.perf_counter()
        make()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    print(f"{name}_bytes {len(output)}")
    print(f"{name}_ms {runs[len(runs) // 2]:.3f}")
