"""Large PNGs decoded a strip of rows at a time, each strip reduced as soon as it is decoded.

PNG has no reduced decode (what a JPEG's draft is), and Pillow fills the whole image before
``reduce`` can run: 960 MB for a 240-megapixel panorama. Here the IDAT stream is inflated one
strip at a time and Pillow's own PNG decoder unfilters each strip, handed the strip's rows behind
the row above it (stored unfiltered, so the filters that look one row up see what a whole decode
sees). The strip is then reduced by the same whole factor and pasted into the small result, so
the pixels are those of a whole decode and ``reduce``, with a few megabytes of full-size pixels
held at a time.

Non-interlaced PNGs of up to 8 bits per sample (what panoramas are saved as); others decode
whole (``imaging.decode_rgb``).
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

# Full-size pixels per strip: each copy a strip passes through is about 8 MB in RGB.
STRIP_PIXELS = 2_000_000
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by PNG colour type
# Pillow modes that keep each pixel's bytes as they are, by bytes per pixel: the unfiltered rows.
_VERBATIM = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
_READ = 1 << 20


@dataclass(frozen=True)
class _Layout:
    width: int
    height: int
    depth: int
    colour: int
    interlaced: bool
    idat: list[tuple[int, int]] = field(repr=False)  # (offset, length) of each IDAT chunk's data

    @property
    def row_bytes(self) -> int:
        return (self.width * self.depth * _CHANNELS[self.colour] + 7) // 8

    @property
    def pixel_bytes(self) -> int:
        """The distance PNG's filters look back (a whole byte below 8 bits per pixel)."""
        return max(1, self.depth * _CHANNELS[self.colour] // 8)


def _layout(path: str | os.PathLike) -> _Layout | None:
    """The header and where the IDAT chunks lie, read chunk header by chunk header."""
    header, idat = None, []
    with open(path, "rb") as f:
        if f.read(8) != _SIGNATURE:
            return None
        while True:
            head = f.read(8)
            if len(head) < 8:
                break
            length, kind = struct.unpack(">I4s", head)
            if kind == b"IHDR":
                header = f.read(13)
                f.seek(length - 13 + 4, os.SEEK_CUR)
            elif kind == b"IDAT":
                idat.append((f.tell(), length))
                f.seek(length + 4, os.SEEK_CUR)
            elif kind == b"IEND":
                break
            else:
                f.seek(length + 4, os.SEEK_CUR)
    if header is None or len(header) < 13 or not idat:
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if colour not in _CHANNELS:
        return None
    return _Layout(width, height, depth, colour, interlace != 0, idat)


def suits(image: Image.Image, path: str | os.PathLike) -> bool:
    """Whether ``image`` (opened, not loaded) is a PNG that decodes in strips here, and is large
    enough for that to matter."""
    if image.format != "PNG" or image.size[0] * image.size[1] <= 2 * STRIP_PIXELS or len(image.tile) != 1:
        return False
    layout = _layout(path)
    return layout is not None and not layout.interlaced and layout.depth <= 8 and layout.width == image.size[0]


def strip_rows(width: int, factor: int) -> int:
    """Rows per strip: a whole number of ``factor``-row blocks, so strips reduce as the whole does."""
    return factor * max(1, STRIP_PIXELS // max(1, width * factor))


def decode_reduced(image: Image.Image, path: str | os.PathLike, factor: int,
                   finish: Callable[[Image.Image], Image.Image]) -> Image.Image:
    """``image`` (a PNG that ``suits``) decoded strip by strip; ``finish`` turns each strip into
    its reduced RGB (``reduce(factor)`` and the conversions of a whole decode). Raises OSError,
    zlib.error or ValueError for data that cannot be decoded; a stream that ends early leaves
    the rest black, as Pillow does with truncated images."""
    layout = _layout(path)
    rawmode = image.tile[0].args if isinstance(image.tile[0].args, str) else image.tile[0].args[0]
    width, height, row = layout.width, layout.height, layout.row_bytes
    rows = strip_rows(width, factor)
    above = bytes(row)  # PNG's row above the first is zeros
    result = None
    with open(path, "rb") as f:
        inflate = _Inflater(f, layout.idat)
        for top in range(0, height, rows):
            count = min(rows, height - top)
            filtered = inflate.read(count * (row + 1))
            filtered += bytes(count * (row + 1) - len(filtered))
            strip, above = _unfiltered_strip(image, layout, rawmode, above, filtered, count)
            part = finish(strip)
            if result is None:
                result = Image.new(part.mode, (math.ceil(width / factor), math.ceil(height / factor)))
            result.paste(part, (0, top // factor))
    return result


def _unfiltered_strip(image, layout: _Layout, rawmode: str, above: bytes, filtered: bytes, count: int):
    """(the strip in the image's mode, its last row's unfiltered bytes): Pillow's decoder
    unfilters the strip behind ``above``, written with filter type 0 ('None')."""
    verbatim = _VERBATIM[layout.pixel_bytes]
    row = layout.row_bytes
    stream = zlib.compress(b"\x00" + above + filtered, 0)  # stored, not compressed: a copy
    del filtered
    raw = Image.frombytes(verbatim, (row // layout.pixel_bytes, count + 1), stream, "zip", verbatim)
    del stream
    if rawmode == verbatim == image.mode:  # 8-bit L, LA, RGB, RGBA: the pixels as they are
        strip = raw.crop((0, 1, layout.width, count + 1))
        last = raw.crop((0, count, layout.width, count + 1)).tobytes("raw", verbatim)
    else:
        data = raw.tobytes("raw", verbatim)
        strip = Image.frombytes(image.mode, (layout.width, count), data[row:], "raw", rawmode)
        last = data[-row:]
    if image.mode == "P" and image.palette is not None:
        strip.putpalette(image.palette)
    strip.info = dict(image.info)  # transparency, for the conversion to RGB
    return strip, last


class _Inflater:
    """The IDAT chunks' zlib stream, inflated no further than asked."""

    def __init__(self, f, chunks: list[tuple[int, int]]):
        self._f, self._chunks = f, list(chunks)
        self._left = 0  # bytes left in the current chunk
        self._inflate = zlib.decompressobj()
        self._input = b""

    def read(self, size: int) -> bytes:
        """Up to ``size`` inflated bytes; fewer only where the stream ends."""
        out = []
        while size > 0 and not self._inflate.eof:
            fed = self._input or self._next_input()
            piece = self._inflate.decompress(fed, size)  # b"" still gives out what zlib holds
            self._input = self._inflate.unconsumed_tail
            if not piece and not fed:
                break
            out.append(piece)
            size -= len(piece)
        return b"".join(out)

    def _next_input(self) -> bytes:
        while self._left == 0:
            if not self._chunks:
                return b""
            offset, self._left = self._chunks.pop(0)
            self._f.seek(offset)
        data = self._f.read(min(_READ, self._left))
        self._left = 0 if not data else self._left - len(data)
        return data
