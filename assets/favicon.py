#!/usr/bin/env python3
"""Write Remun's favicon.svg and favicon.ico (standard library only).

A white letter "R" on a rounded #1d70b8 square (5.2:1 contrast). The letter is
drawn from simple shapes rather than a font, so the SVG and the rasterised ICO
look the same everywhere. Usage: python3 assets/favicon.py OUTPUT_DIR
"""

import math
import struct
import sys
import zlib
from pathlib import Path

BLUE = (0x1D, 0x70, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)

# Geometry on a 48 x 48 grid.
SIZE = 48
RADIUS = 8  # corner radius of the background square
STEM = (13, 10, 19, 38)  # x0, y0, x1, y1
BOWL_X = 25  # x where the straight parts of the bowl meet the arc
BOWL_CY = 19  # centre of the bowl's arc
BOWL_R_OUT, BOWL_R_IN = 9, 3
LEG = [(22, 27), (28.5, 27), (35, 38), (28.5, 38)]  # convex, clockwise

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">
  <rect width="{SIZE}" height="{SIZE}" rx="{RADIUS}" fill="#1d70b8"/>
  <g fill="#ffffff">
    <rect x="{STEM[0]}" y="{STEM[1]}" width="{STEM[2] - STEM[0]}" height="{STEM[3] - STEM[1]}"/>
    <path d="M{STEM[2]} {BOWL_CY - BOWL_R_OUT}H{BOWL_X}A{BOWL_R_OUT} {BOWL_R_OUT} 0 0 1 {BOWL_X} {BOWL_CY + BOWL_R_OUT}H{STEM[2]}V{BOWL_CY + BOWL_R_IN}H{BOWL_X}A{BOWL_R_IN} {BOWL_R_IN} 0 0 0 {BOWL_X} {BOWL_CY - BOWL_R_IN}H{STEM[2]}Z"/>
    <path d="M{'L'.join(f'{x} {y}' for x, y in LEG)}Z"/>
  </g>
</svg>
"""


def in_background(x, y):
    if not (0 <= x <= SIZE and 0 <= y <= SIZE):
        return False
    cx = min(max(x, RADIUS), SIZE - RADIUS)
    cy = min(max(y, RADIUS), SIZE - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS**2


def in_leg(x, y):
    for (x0, y0), (x1, y1) in zip(LEG, LEG[1:] + LEG[:1]):
        if (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) < 0:
            return False
    return True


def in_letter(x, y):
    x0, y0, x1, y1 = STEM
    if x0 <= x <= x1 and y0 <= y <= y1:
        return True
    top, bottom = BOWL_CY - BOWL_R_OUT, BOWL_CY + BOWL_R_OUT
    if x1 <= x <= BOWL_X and (top <= y <= BOWL_CY - BOWL_R_IN or BOWL_CY + BOWL_R_IN <= y <= bottom):
        return True
    if x >= BOWL_X and BOWL_R_IN <= math.hypot(x - BOWL_X, y - BOWL_CY) <= BOWL_R_OUT:
        return True
    return in_leg(x, y)


def rgba_rows(px, samples=4):
    """Rasterise at px x px with samples x samples supersampling per pixel."""
    scale = SIZE / px
    rows = []
    for j in range(px):
        row = bytearray()
        for i in range(px):
            bg = fg = 0
            for sj in range(samples):
                for si in range(samples):
                    x = (i + (si + 0.5) / samples) * scale
                    y = (j + (sj + 0.5) / samples) * scale
                    if in_background(x, y):
                        bg += 1
                        fg += in_letter(x, y)
            n = samples * samples
            if bg == 0:
                row += bytes(4)
                continue
            t = fg / bg  # share of the covered area that is letter
            rgb = (round(b + (w - b) * t) for b, w in zip(BLUE, WHITE))
            row += bytes((*rgb, round(255 * bg / n)))
        rows.append(bytes(row))
    return rows


def png(px):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rgba_rows(px))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", px, px, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes=(16, 32, 48)):
    images = [png(px) for px in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for px, data in zip(sizes, images):
        entries += struct.pack("<BBBBHHII", px % 256, px % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    (out / "favicon.svg").write_text(SVG, encoding="utf-8")
    (out / "favicon.ico").write_bytes(ico())


if __name__ == "__main__":
    main()
