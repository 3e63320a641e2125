"""Camera RAW files: metadata through exiv2, pixels from the largest embedded preview.

A RAW file is never written and never demosaiced on the common path: cameras embed a JPEG
preview (often full size) that is what Lightroom and darktable show first, too. Only a RAW
without a usable preview is decoded with LibRaw (rawpy), at half size. Where neither works the
photo is still listed and taggable; its suggestions come from history and context.

exiv2 sees the file through a read-only memory map, never by name (names need not be UTF-8),
and reads only the parts its parser touches. Two formats get a small reader of their own
because exiv2 cannot parse them (Sigma X3F) or gives up on CR3 files whose image data is
missing: both keep standard TIFF/EXIF blocks or a short property list that is easy to read.
"""

from __future__ import annotations

import io
import mmap
import os
import struct
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

from PIL import Image

from ..records import ExifSummary
from .decoding import DECODE_BUDGET, ImageProblem, checked_image
from .exif import summarize
from .exiv2_access import exiv2_session

NO_PREVIEW_NOTE = "no preview in this RAW; suggestions from your history and context only"
# A preview smaller than this on its long side is a placeholder, not a picture of the photo.
MIN_PREVIEW_SIDE = 128


@dataclass
class RawMetadata:
    exif: ExifSummary
    width: int | None = None
    height: int | None = None
    xmp: bytes | None = None  # the embedded XMP packet, if any
    iptc_keywords: list[str] = field(default_factory=list)
    preview_sizes: list[tuple[int, int]] = field(default_factory=list)  # usable embedded previews


@contextmanager
def _mapped(path: str | os.PathLike):
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise ImageProblem("empty file (0 bytes)")
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        yield data
    finally:
        try:
            data.close()
        except BufferError:  # exiv2 objects still refer to it: it closes when they are freed
            pass


def read_metadata(path: str | os.PathLike) -> RawMetadata:
    """What the RAW file says about itself. Raises ImageProblem when nothing can read it."""
    with exiv2_session() as exiv2, _mapped(path) as data:
        try:
            image = exiv2.ImageFactory.open(data)
            image.readMetadata()
        except exiv2.Exiv2Error as exc:
            fallback = _fallback_metadata(data)
            if fallback is None:
                raise ImageProblem(f"not a RAW file tagassist can read ({exc})") from exc
            return fallback
        try:
            tags = _exif_tags(exiv2, image.exifData())
            width, height = image.pixelWidth(), image.pixelHeight()
            if min(width, height) < MIN_PREVIEW_SIDE:  # a placeholder IFD (as in IIQ), not the photo
                width = height = None
            meta = RawMetadata(summarize(tags), width, height)
            packet = image.xmpPacket()
            meta.xmp = packet.encode() if isinstance(packet, str) and packet else None
            iptc = image.iptcData()
            meta.iptc_keywords = [d.toString() for d in iptc if d.key() == "Iptc.Application2.Keywords"]
            meta.preview_sizes = [(p.width_, p.height_) for p in _usable_previews(exiv2, image)]
            return meta
        finally:
            del image  # before the map it reads from is closed


# -- EXIF from exiv2, in the names exifread uses, so one summary validates both ----------------

_GROUP_NAMES = {"Image": "Image", "Photo": "EXIF", "GPSInfo": "GPS"}


class _Tag:
    """One EXIF value as exifread presents it: ``values`` and a printable form."""

    def __init__(self, values):
        self.values = values

    def __str__(self) -> str:
        if isinstance(self.values, str):
            return self.values
        return str(self.values[0]) if len(self.values) == 1 else str(list(self.values))


def _value(exiv2, datum):
    kind = datum.typeId()
    if kind in (exiv2.TypeId.asciiString, exiv2.TypeId.string, exiv2.TypeId.comment):
        return datum.toString()
    count = datum.count()
    if kind in (exiv2.TypeId.unsignedRational, exiv2.TypeId.signedRational):
        values = []
        for i in range(count):
            numerator, denominator = datum.toRational(i)
            values.append(Fraction(numerator, denominator) if denominator else float("nan"))
        return values
    if kind in (exiv2.TypeId.unsignedByte, exiv2.TypeId.undefined) and count > 16:
        return None  # binary blobs (maker notes, thumbnails) say nothing a photographer reads
    return [datum.toInt64(i) for i in range(count)]


def _exif_tags(exiv2, exif, rename: Callable[[str], str] = lambda name: name) -> dict[str, _Tag]:
    tags: dict[str, _Tag] = {}
    for datum in exif:
        group = _GROUP_NAMES.get(datum.groupName())
        if group is None:
            continue
        name = rename(f"{group} {datum.tagName()}")
        if name in tags:
            continue
        try:
            value = _value(exiv2, datum)
        except Exception:  # noqa: BLE001 - one odd value must not hide the others
            continue
        if value is not None:
            tags[name] = _Tag(value)
    if "EXIF DateTimeOriginal" not in tags and "Image DateTimeOriginal" in tags:
        tags["EXIF DateTimeOriginal"] = tags["Image DateTimeOriginal"]  # TIFF/EP keeps it in IFD0
    return tags


# -- previews ------------------------------------------------------------------------------------

def _usable_previews(exiv2, image) -> list:
    """Embedded previews big enough to stand for the photo, largest first."""
    manager = exiv2.PreviewManager(image)
    found = [p for p in manager.getPreviewProperties()
             if max(p.width_, p.height_) >= MIN_PREVIEW_SIDE and _plausible_size(p)]
    return sorted(found, key=lambda p: p.width_ * p.height_, reverse=True)


def _plausible_size(preview) -> bool:
    """Whether the preview's data can be in the file: no JPEG of a photo takes under 0.08 bits
    a pixel, and TIFF previews are uncompressed (8 bits a sample). Stripped files fail this."""
    pixels = preview.width_ * preview.height_
    return preview.size_ >= (pixels if preview.mimeType_ == "image/tiff" else pixels / 100)


def open_pixels(path: str | os.PathLike, min_side: int | None = None) -> Image.Image:
    """The photo's pixels from an embedded preview that decodes (opened lazily, as a JPEG file
    is, so it can decode at a reduced size), else from LibRaw at half size. Raises ImageProblem
    with NO_PREVIEW_NOTE when neither works.

    The preview is the smallest one with ``min_side`` pixels on its long side, else the
    largest: a thumbnail or the encoder's 224 px come from a camera's 1620 px preview ten
    times faster than from its 24 MP one, and look the same."""
    preview = _preview(path, min_side)
    if preview is not None:
        return preview
    return decode_with_libraw(path)


def _preview(path, min_side: int | None = None) -> Image.Image | None:
    """The embedded preview, opened lazily: its bytes are copied out under the exiv2 lock and
    decoded later, outside it."""
    with exiv2_session() as exiv2:
        try:
            return _preview_locked(exiv2, path, min_side)
        except (exiv2.Exiv2Error, OSError, ImageProblem):
            return None


def _preview_locked(exiv2, path, min_side: int | None) -> Image.Image | None:
    with _mapped(path) as data:
        image = exiv2.ImageFactory.open(data)
        image.readMetadata()
        try:
            manager = exiv2.PreviewManager(image)
            largest_first = _usable_previews(exiv2, image)
            big_enough = [p for p in reversed(largest_first) if max(p.width_, p.height_) >= (min_side or 0)]
            for properties in (big_enough if min_side else []) + largest_first:
                blob = bytes(manager.getPreviewImage(properties).copy().data())
                try:
                    candidate = Image.open(io.BytesIO(blob))
                    if candidate.format == "JPEG":
                        _check_jpeg(blob)  # decoded later, at the size the caller needs
                    elif all(low == high for low, high in _extrema(candidate)):
                        # exiv2 pads strips missing from the file with zeros: one flat colour
                        # is no picture of anything
                        continue
                    return checked_image(Image.open(io.BytesIO(blob)))
                except Exception:  # noqa: BLE001 - a broken preview: try the next one
                    continue
        finally:
            del image
    return None


def _extrema(image: Image.Image) -> list[tuple[int, int]]:
    extrema = image.getextrema()  # decodes the whole preview: TIFF previews are small
    return list(extrema) if isinstance(extrema[0], tuple) else [extrema]


def _check_jpeg(blob: bytes) -> None:
    """A JPEG preview cut short (as in stripped sample files) ends without its EOI marker."""
    if not blob.startswith(b"\xff\xd8") or b"\xff\xd9" not in blob[-64:]:
        raise ValueError("truncated JPEG preview")


def decode_with_libraw(path: str | os.PathLike) -> Image.Image:
    """Demosaic at half size (no interpolation: four sensor pixels make one), camera white
    balance, no rotation (the caller applies EXIF orientation, as for every photo)."""
    try:
        import rawpy
    except ImportError as exc:
        raise ImageProblem(NO_PREVIEW_NOTE) from exc
    try:
        with open(path, "rb") as f:  # a file object: LibRaw never sees the name
            raw = rawpy.imread(f)
            size = os.fstat(f.fileno()).st_size
        with raw:
            sizes = raw.sizes
            # Sensor data takes several bits per pixel even losslessly compressed; a file far
            # smaller has none (LibRaw would "decode" it to noise).
            if size * 8 < sizes.raw_width * sizes.raw_height:
                raise ImageProblem(NO_PREVIEW_NOTE)
            with DECODE_BUDGET.hold(sizes.raw_width * sizes.raw_height):
                rgb = raw.postprocess(half_size=True, use_camera_wb=True, user_flip=0, output_bps=8)
    except Exception as exc:  # LibRaw reports bad data through many types
        raise ImageProblem(NO_PREVIEW_NOTE) from exc
    return checked_image(Image.fromarray(rgb))


def pixel_source(path: str | os.PathLike, meta: RawMetadata) -> str:
    """Where thumbnails and the encoder get this RAW's pixels, decided once, at scan:
    'embedded' (a preview), 'libraw' (a half-size decode) or 'none'. A preview is trusted on
    its size here (decoding a 24 MP preview per file would halve the scan's speed); one that
    fails to decode later makes the indexer mark the photo 'none'."""
    if meta.preview_sizes:
        return "embedded"
    if meta.width and meta.height and os.path.getsize(path) * 8 < meta.width * meta.height:
        return "none"  # no sensor data in the file (see decode_with_libraw)
    try:
        decode_with_libraw(path)
    except ImageProblem:
        return "none"
    return "libraw"


# -- formats exiv2 does not read -------------------------------------------------------------

def _fallback_metadata(data: mmap.mmap) -> RawMetadata | None:
    if data[:4] == b"FOVb":
        return _x3f_metadata(data)
    if data[4:12] == b"ftypcrx ":
        return _cr3_metadata(data)
    return None


_CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_CR3_GPS = {"Image 0x0001": "GPS GPSLatitudeRef", "Image 0x0002": "GPS GPSLatitude",
            "Image 0x0003": "GPS GPSLongitudeRef", "Image 0x0004": "GPS GPSLongitude"}
# CR3 keeps IFD0 (CMT1), the EXIF IFD (CMT2) and GPS (CMT4) as TIFF blocks, each with its tags
# in an IFD0: exiv2 names the EXIF ones as Image tags and the GPS ones by number.
_CR3_BLOCKS: dict[bytes, Callable[[str], str]] = {
    b"CMT1": lambda name: name,
    b"CMT2": lambda name: name.replace("Image ", "EXIF ", 1),
    b"CMT4": lambda name: _CR3_GPS.get(name, ""),
}


def _boxes(data, start: int, end: int):
    """(type, payload start, payload end) of the ISO base media boxes in data[start:end]."""
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start:start + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[start + 8:start + 16])[0], 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            return
        yield kind, start + header, start + size
        start += size


def _cr3_metadata(data) -> RawMetadata | None:
    with exiv2_session() as exiv2:  # re-entered from read_metadata: the lock is an RLock
        return _cr3_locked(exiv2, data)


def _cr3_locked(exiv2, data) -> RawMetadata | None:
    tags: dict[str, _Tag] = {}
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for inner, s, e in _boxes(data, start, end):
            if inner != b"uuid" or data[s:s + 16] != _CANON_UUID:
                continue
            for block, bs, be in _boxes(data, s + 16, e):
                if block in _CR3_BLOCKS:
                    try:
                        tiff = exiv2.ImageFactory.open(bytes(data[bs:be]))
                        tiff.readMetadata()
                    except exiv2.Exiv2Error:
                        continue
                    for name, tag in _exif_tags(exiv2, tiff.exifData(), _CR3_BLOCKS[block]).items():
                        tags.setdefault(name, tag)
    if not tags:
        return None
    return RawMetadata(summarize(tags))


def _x3f_metadata(data) -> RawMetadata | None:
    """Sigma X3F: a header, and a directory (its offset in the file's last 4 bytes) whose PROP
    section lists UTF-16 name/value pairs such as CAMMANUF, CAMMODEL and TIME."""
    try:
        width, height, rotation = struct.unpack("<III", data[28:40])
        (directory,) = struct.unpack("<I", data[-4:])
        if data[directory:directory + 4] != b"SECd":
            return None
        (count,) = struct.unpack("<I", data[directory + 8:directory + 12])
        properties: dict[str, str] = {}
        for i in range(min(count, 64)):
            offset, length, kind = struct.unpack("<II4s", data[directory + 12 + 12 * i:directory + 24 + 12 * i])
            if kind == b"PROP":
                properties.update(_x3f_properties(data[offset:offset + length]))
    except struct.error:
        return None
    exif = ExifSummary(camera_make=properties.get("CAMMANUF") or None,
                       camera_model=properties.get("CAMMODEL") or None,
                       lens=properties.get("LENSMODEL") or None,
                       exposure_time=properties.get("SH_DESC") or None,
                       orientation={0: 1, 90: 6, 180: 3, 270: 8}.get(rotation))
    try:  # the camera's clock as seconds since 1970, in its own local time
        exif.taken_at = datetime.fromtimestamp(int(properties["TIME"]), UTC).replace(tzinfo=None).isoformat()
    except (KeyError, ValueError, OverflowError, OSError):
        pass
    try:
        exif.f_number = float(properties["AP_DESC"])
    except (KeyError, ValueError):
        pass
    try:
        exif.iso = int(float(properties["ISO"]))
    except (KeyError, ValueError):
        pass
    return RawMetadata(exif, width or None, height or None)


def _x3f_properties(section: bytes) -> dict[str, str]:
    if section[:4] != b"SECp" or len(section) < 24:
        return {}
    count, text_format = struct.unpack("<II", section[8:16])
    if text_format != 0:  # 0: UTF-16LE, the only format Sigma wrote
        return {}
    text_start = 24 + 8 * count
    text = section[text_start:]

    def string_at(chars: int) -> str:
        end = chars * 2
        while end + 1 < len(text) and text[end:end + 2] != b"\0\0":
            end += 2
        return text[chars * 2:end].decode("utf-16-le", "replace")

    properties = {}
    for i in range(count):
        name, value = struct.unpack("<II", section[24 + 8 * i:32 + 8 * i])
        properties[string_at(name)] = string_at(value)
    return properties
