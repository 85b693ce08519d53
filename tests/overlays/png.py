"""A tiny PNG reader for screenshots (8-bit RGB or RGBA, not interlaced): enough to check that
the empty parts of the overlay are truly transparent, without an imaging dependency."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


@dataclass
class Image:
    width: int
    height: int
    channels: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> tuple[int, int, int, int]:
        row = self.rows[y]
        i = x * self.channels
        r, g, b = row[i], row[i + 1], row[i + 2]
        a = row[i + 3] if self.channels == 4 else 255
        return r, g, b, a

    def max_alpha(self, box: tuple[int, int, int, int] | None = None) -> int:
        """The most opaque pixel in a box (x0, y0, x1, y1), or in the whole image."""
        if self.channels == 3:
            return 255
        x0, y0, x1, y1 = box or (0, 0, self.width, self.height)
        return max(max(self.rows[y][x0 * 4 + 3 : x1 * 4 : 4], default=0) for y in range(y0, y1))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _chunks(data: bytes) -> tuple[int, int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 4 if color == 6 else 3
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    return width, height, channels, zlib.decompress(idat)


def is_blank(data: bytes) -> bool:
    """True when every pixel is fully transparent black (how Chromium writes 'nothing').

    Fast on a whole 1920×1080 page: every PNG filter turns all-zero rows into all-zero bytes,
    so the rows can be checked without undoing the filters."""
    width, _height, channels, raw = _chunks(data)
    assert channels == 4, "a screenshot without alpha can't be transparent"
    stride = width * channels + 1
    return not any(raw[y + 1 : y + stride].strip(b"\0") for y in range(0, len(raw), stride))


def decode(data: bytes) -> Image:
    """Full decode: meant for small clipped screenshots (pure Python, ~1 s per megapixel)."""
    width, height, channels, raw = _chunks(data)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = prev[i]
            corner = prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return Image(width, height, channels, rows)
