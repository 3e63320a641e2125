"""Writing real DNG files: Bayer sensor data that LibRaw demosaics, and a JPEG preview that
exiv2 finds, laid out as cameras and Adobe's converter write them.

    IFD0      the preview (NewSubFileType 1): a JPEG, via JPEGInterchangeFormat, plus the
              camera's make, model, orientation and the DNG colour tags
    SubIFD    the raw image (NewSubFileType 0): 16-bit RGGB colour filter array samples
    Exif IFD  date taken, exposure, lens

``sensor="sparse"`` leaves the sensor samples as a hole in the file (zeros that take no disk):
a benchmark of 24 MP files then costs only their previews, and still has their real size.
"""

from __future__ import annotations

import io
import os
import struct
from fractions import Fraction

import numpy as np
from PIL import Image

from .metadata import Shot

BYTE, ASCII, SHORT, LONG, RATIONAL, SRATIONAL = 1, 2, 3, 4, 5, 10
_SIZES = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, SRATIONAL: 8}


class _TiffWriter:
    """Little-endian TIFF assembled front to back: blobs first, then the IFDs that point at them.
    ``hole`` bytes right after the header are left out of the buffer (a sparse region)."""

    def __init__(self):
        self.out = bytearray(b"II*\x00\x00\x00\x00\x00")
        self.hole = 0

    def offset(self) -> int:
        return len(self.out) + self.hole

    def blob(self, data: bytes) -> int:
        if self.offset() % 2:
            self.out += b"\x00"
        offset = self.offset()
        self.out += data
        return offset

    def ifd(self, entries: dict[int, tuple[int, list]], next_ifd: int = 0) -> int:
        packed = []
        for tag in sorted(entries):
            kind, values = entries[tag]
            data = _pack(kind, values)
            count = len(data) if kind in (ASCII, BYTE) else len(values)
            field = data.ljust(4, b"\x00") if len(data) <= 4 else struct.pack("<I", self.blob(data))
            packed.append(struct.pack("<HHI", tag, kind, count) + field)
        return self.blob(struct.pack("<H", len(packed)) + b"".join(packed) + struct.pack("<I", next_ifd))

    def write(self, path: str | os.PathLike, first_ifd: int) -> None:
        self.out[4:8] = struct.pack("<I", first_ifd)
        with open(path, "wb") as f:
            f.write(self.out[:8])
            f.seek(8 + self.hole)  # the hole reads as zeros and takes no disk
            f.write(self.out[8:])


def _pack(kind: int, values) -> bytes:
    if kind == ASCII:
        return values.encode() + b"\x00"
    if kind == BYTE:
        return bytes(values)
    if kind == SHORT:
        return struct.pack(f"<{len(values)}H", *values)
    if kind == LONG:
        return struct.pack(f"<{len(values)}I", *values)
    fractions = [Fraction(v).limit_denominator(100_000) for v in values]
    code = "i" if kind == SRATIONAL else "I"
    return b"".join(struct.pack(f"<{code}{code}", f.numerator, f.denominator) for f in fractions)


def mosaic(image: Image.Image) -> np.ndarray:
    """RGGB Bayer samples (16-bit, linear light) of an sRGB image, as a sensor records it."""
    rgb = (np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0) ** 2.2 * 65535
    height, width = rgb.shape[:2]
    cfa = np.empty((height, width), dtype=np.uint16)
    cfa[0::2, 0::2] = rgb[0::2, 0::2, 0]
    cfa[0::2, 1::2] = rgb[0::2, 1::2, 1]
    cfa[1::2, 0::2] = rgb[1::2, 0::2, 1]
    cfa[1::2, 1::2] = rgb[1::2, 1::2, 2]
    return cfa


def save_dng(image: Image.Image, path: str | os.PathLike, shot: Shot, *, preview_side: int | None = None,
             preview: bool = True, sensor: str = "mosaic", xmp: str | None = None,
             preview_jpeg: bytes | None = None, medium_jpeg: bytes | None = None) -> None:
    """Write ``image`` as a DNG: sensor data of its full size and, unless ``preview`` is False,
    a JPEG preview (``preview_side`` pixels on the long side; full size by default), or the
    ready-made ``preview_jpeg`` of ``image``. ``medium_jpeg``: a second, smaller preview in a
    SubIFD, as Adobe's converter and CR3 and ARW files carry one."""
    width, height = image.size
    width, height = width - width % 2, height - height % 2  # whole 2x2 filter cells
    image = image.crop((0, 0, width, height))
    tiff = _TiffWriter()
    stamp = shot.taken_at.strftime("%Y:%m:%d %H:%M:%S")

    strip_bytes = width * height * 2
    if sensor == "mosaic":
        strip = tiff.blob(mosaic(image).astype("<u2").tobytes())
    else:
        strip, tiff.hole = 8, strip_bytes
    raw_ifd = tiff.ifd({
        254: (LONG, [0]), 256: (LONG, [width]), 257: (LONG, [height]), 258: (SHORT, [16]),
        259: (SHORT, [1]), 262: (SHORT, [32803]), 273: (LONG, [strip]), 277: (SHORT, [1]),
        278: (LONG, [height]), 279: (LONG, [strip_bytes]), 284: (SHORT, [1]),
        33421: (SHORT, [2, 2]), 33422: (BYTE, [0, 1, 1, 2]), 50714: (LONG, [0]), 50717: (LONG, [65535]),
    })
    exif_entries = {
        33434: (RATIONAL, [shot.exposure]), 33437: (RATIONAL, [shot.f_number]), 34855: (SHORT, [shot.iso]),
        36867: (ASCII, stamp), 37386: (RATIONAL, [shot.focal_length]),
    }
    if shot.lens:
        exif_entries[42036] = (ASCII, shot.lens)
    exif_ifd = tiff.ifd(exif_entries)

    sub_ifds = [raw_ifd]
    if medium_jpeg is not None:
        medium_width, medium_height = Image.open(io.BytesIO(medium_jpeg)).size
        medium = tiff.blob(medium_jpeg)
        sub_ifds.append(tiff.ifd({
            254: (LONG, [1]), 256: (LONG, [medium_width]), 257: (LONG, [medium_height]),
            258: (SHORT, [8, 8, 8]), 259: (SHORT, [6]), 262: (SHORT, [6]), 277: (SHORT, [3]),
            513: (LONG, [medium]), 514: (LONG, [len(medium_jpeg)]),
        }))
    entries = {
        254: (LONG, [1]), 271: (ASCII, shot.make), 272: (ASCII, shot.model), 274: (SHORT, [shot.orientation]),
        306: (ASCII, stamp), 330: (LONG, sub_ifds), 34665: (LONG, [exif_ifd]),
        50706: (BYTE, [1, 4, 0, 0]), 50707: (BYTE, [1, 1, 0, 0]), 50708: (ASCII, f"{shot.make} {shot.model}"),
        # XYZ to camera: the "sensor" records linear sRGB, so this is the XYZ to sRGB matrix
        50721: (SRATIONAL, [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570]),
        50728: (RATIONAL, [1, 1, 1]), 50778: (SHORT, [21]),
    }
    if xmp is not None:
        entries[700] = (BYTE, list(xmp.encode()))
    if preview:
        if preview_jpeg is None:
            scaled = image.copy()
            if preview_side:
                scaled.thumbnail((preview_side, preview_side))
            buffer = io.BytesIO()
            scaled.save(buffer, "JPEG", quality=85)
            preview_jpeg = buffer.getvalue()
        preview_width, preview_height = Image.open(io.BytesIO(preview_jpeg)).size
        jpeg = tiff.blob(preview_jpeg)
        entries.update({256: (LONG, [preview_width]), 257: (LONG, [preview_height]), 258: (SHORT, [8, 8, 8]),
                        259: (SHORT, [6]), 262: (SHORT, [6]), 277: (SHORT, [3]),
                        513: (LONG, [jpeg]), 514: (LONG, [len(preview_jpeg)])})
    else:
        entries.update({256: (LONG, [1]), 257: (LONG, [1]), 258: (SHORT, [8]), 259: (SHORT, [1]),
                        262: (SHORT, [1]), 277: (SHORT, [1])})
    tiff.write(path, tiff.ifd(entries))
    stamp_seconds = shot.taken_at.timestamp()
    os.utime(path, (stamp_seconds, stamp_seconds))
