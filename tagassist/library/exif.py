"""EXIF fields a photographer cares about, read with exifread and validated.

Cameras write odd values (zero dates, NUL-padded strings, zero denominators, out-of-range
GPS); each field is parsed on its own so one bad field never hides the others.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from fractions import Fraction
from typing import BinaryIO

import exifread

from ..records import ExifSummary

# exifread logs every odd tag it meets at WARNING; a library scan would drown in them.
logging.getLogger("exifread").setLevel(logging.ERROR)

_DATE_RE = re.compile(r"(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


def read_exif(stream: BinaryIO) -> ExifSummary:
    """Parse EXIF from an open file; raises only what exifread itself cannot survive."""
    return summarize(exifread.process_file(stream, details=False, extract_thumbnail=False))


def summarize(tags: Mapping[str, object]) -> ExifSummary:
    """The fields we keep, from tags named and shaped as exifread gives them ("EXIF FNumber",
    with ``.values``); the RAW reader presents exiv2's tags the same way."""
    summary = ExifSummary(
        taken_at=_date(tags.get("EXIF DateTimeOriginal")) or _date(tags.get("Image DateTime")),
        camera_make=_text(tags.get("Image Make")),
        camera_model=_text(tags.get("Image Model")),
        lens=_text(tags.get("EXIF LensModel")),
        focal_length=_number(tags.get("EXIF FocalLength")),
        exposure_time=_text(tags.get("EXIF ExposureTime")),
        f_number=_number(tags.get("EXIF FNumber")),
        orientation=_orientation(tags.get("Image Orientation")),
    )
    iso = _number(tags.get("EXIF ISOSpeedRatings"))
    summary.iso = int(iso) if iso and iso > 0 else None
    summary.gps_lat = _coordinate(tags.get("GPS GPSLatitude"), tags.get("GPS GPSLatitudeRef"), 90)
    summary.gps_lon = _coordinate(tags.get("GPS GPSLongitude"), tags.get("GPS GPSLongitudeRef"), 180)
    if summary.gps_lat is None or summary.gps_lon is None:
        summary.gps_lat = summary.gps_lon = None
    return summary


def _text(tag) -> str | None:
    if tag is None:
        return None
    try:
        value = str(tag.values if isinstance(tag.values, str) else tag).replace("\x00", "").strip()
    except Exception:  # noqa: BLE001 - any undecodable value is simply absent
        return None
    return value or None


def _first(tag):
    values = getattr(tag, "values", None)
    if isinstance(values, (list, tuple)):
        return values[0] if values else None
    return values


def _to_float(value) -> float | None:
    try:
        number = float(Fraction(str(value))) if not isinstance(value, (int, float)) else float(value)
    except (ValueError, ZeroDivisionError, TypeError):
        return None
    return number if math.isfinite(number) else None


def _number(tag) -> float | None:
    return None if tag is None else _to_float(_first(tag))


def _date(tag) -> str | None:
    text = _text(tag)
    match = _DATE_RE.match(text or "")
    if not match:
        return None
    try:
        return datetime(*map(int, match.groups())).isoformat()
    except ValueError:  # 0000:00:00 00:00:00 and friends
        return None


def _orientation(tag) -> int | None:
    value = _first(tag) if tag is not None else None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _coordinate(tag, ref_tag, limit: float) -> float | None:
    values = getattr(tag, "values", None)
    if not isinstance(values, (list, tuple)) or not values:
        return None
    parts = [_to_float(v) for v in values[:3]]
    if any(p is None for p in parts):
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts))
    ref = (_text(ref_tag) or "").upper()[:1]
    if ref in ("S", "W"):
        degrees = -degrees
    return round(degrees, 7) if abs(degrees) <= limit else None
