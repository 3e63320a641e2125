"""Everything one photo file says about itself, read without ever raising for bad input.

A problem that leaves the photo usable (odd EXIF, hostile XMP, a truncated tail) gives status
'warning'; one that makes it unreadable gives 'error'. Either way the reason is one line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Sequence

from PIL import IptcImagePlugin

from ..paths import display_path
from ..records import HIERARCHY_SEPARATOR, ExifSummary, Photo
from . import raw
from .exif import read_exif
from .face_regions import FaceRegion, FaceRegionError, read_faces
from .imaging import ImageProblem, is_raw_name, open_image
from .keywords import MAX_KEYWORDS_PER_FILE, MAX_XMP_BYTES, KeywordError, parse_iptc_keywords, parse_xmp

# The face-region schemas' names: a packet without them holds none (most: no second parse).
REGION_MARKERS = (b"metadataworkinggroup.com/schemas/regions", b"ns.microsoft.com/photo/1.2")
HASH_CHUNK = 64 * 1024
EXIF_FIELDS = tuple(f.name for f in dataclasses.fields(ExifSummary))
# exifread and Pillow report failures through many exception types; none may stop a scan.
_ANY_PARSE_ERROR = Exception


def content_hash(head: bytes, tail: bytes, size: int) -> str:
    """Hash of size, first and last 64 KiB: what digiKam's uniqueHash does, so a 12 MP file is
    identified after reading 128 KiB instead of all of it. Edits that keep both the size and
    both ends of a file byte-identical do not happen in practice."""
    digest = hashlib.blake2b(size.to_bytes(8, "little"), digest_size=16)
    digest.update(head)
    digest.update(tail)
    return digest.hexdigest()


def _read_ends(path: str, size: int) -> tuple[bytes, bytes]:
    with open(path, "rb") as f:
        head = f.read(HASH_CHUNK)
        if size <= 2 * HASH_CHUNK:
            return head + f.read(), b""
        f.seek(-HASH_CHUNK, os.SEEK_END)
        return head, f.read(HASH_CHUNK)


def _truncation(fmt: str, head: bytes, tail: bytes) -> str | None:
    end = (tail or head)[-HASH_CHUNK:]
    if fmt in ("JPEG", "MPO") and b"\xff\xd9" not in end:
        return "JPEG data looks truncated (no end-of-image marker)"
    if fmt == "PNG" and b"IEND" not in end:
        return "PNG data looks truncated (no IEND chunk)"
    return None


def _embedded_xmp(image) -> bytes | str | None:
    info = image.info
    packet = info.get("xmp") or info.get("XML:com.adobe.xmp")
    if packet is None and image.format == "TIFF":
        packet = image.tag_v2.get(700)
    return packet


def read_photo(path: str, size: int, mtime_ns: int, sidecars: Sequence[str] = (),
               companion: str | None = None) -> Photo:
    """``companion``: for a camera RAW, the JPEG shot with it, which gives it pixels."""
    photo = Photo(path=path, size=size, mtime_ns=mtime_ns, companion=companion)
    warnings: list[str] = []
    if size == 0:
        return _failed(photo, "empty file (0 bytes)")
    try:
        head, tail = _read_ends(path, size)
    except OSError as exc:
        return _failed(photo, f"cannot read file: {exc.strerror or exc}")
    photo.content_hash = content_hash(head, tail, size)

    seen: list = []  # every XMP packet read, embedded first: a sidecar's rating and label win
    by_file = photo.keywords_by_file
    if is_raw_name(path):
        by_file[path] = _read_raw(photo, warnings, seen)
    else:
        by_file[path] = _read_image(photo, head, tail, warnings, seen)
    if companion is not None:
        by_file[companion] = read_embedded_keywords(companion, warnings, seen)

    keyword_warnings: list[str] = []
    for sidecar in sidecars:
        by_file[sidecar] = read_sidecar_keywords([sidecar], keyword_warnings, seen)
    for fields in seen:
        photo.rating = fields.rating if fields.rating is not None else photo.rating
        photo.label = fields.label or photo.label
        photo.pick = fields.pick if fields.pick is not None else photo.pick
        photo.location = fields.location or photo.location  # a sidecar's, read last, wins
    photo.face_regions = _face_regions(photo, seen, warnings)
    located = [fields.gps for fields in seen if fields.gps]
    if photo.gps_lat is None and located:  # geotagged afterwards (a map module): the sidecar's, last read
        photo.gps_lat, photo.gps_lon = located[-1]
    for file, keywords in by_file.items():
        by_file[file] = cap_keywords(keywords, keyword_warnings)
    photo.keywords = cap_keywords([k for keywords in by_file.values() for k in keywords], keyword_warnings)
    photo.keywords_complete = not keyword_warnings and not embedded_problems(warnings)
    warnings += keyword_warnings
    if photo.status == "ok" and warnings:
        photo.status = "warning"
    if warnings and photo.status != "error":
        photo.error = "; ".join(warnings)
    if photo.error:  # OS messages quote file names, which need not be UTF-8: the store takes text
        photo.error = display_path(photo.error)
    return photo


def _face_regions(photo: Photo, seen: list, warnings: list[str]) -> list[FaceRegion]:
    """The named faces another tool drew on the photo, turned upright: the last file's that
    has any (a sidecar, read after the embedded XMP, wins)."""
    found: list[FaceRegion] = []
    stored = (photo.width, photo.height) if photo.width and photo.height else None
    for fields in seen:
        if fields.regions is None:
            continue
        try:
            regions = [r for r in read_faces(fields.regions, photo.orientation, stored) if r.box is not None]
        except FaceRegionError as exc:
            warnings.append(f"face regions not read: {exc}")
            continue
        found = regions or found
    return found


def _read_image(photo: Photo, head: bytes, tail: bytes, warnings: list[str], seen: list) -> list[str]:
    """Format, size, EXIF and embedded keywords of a JPEG, PNG, TIFF, HEIC... file."""
    keywords: list[str] = []
    try:
        with open_image(photo.path) as image:
            photo.format = "JPEG" if image.format == "MPO" else image.format
            photo.width, photo.height = image.size
            truncated = _truncation(image.format, head, tail)
            if truncated:
                warnings.append(truncated)
            keywords += _embedded_keywords(image, warnings, seen)
    except ImageProblem as exc:
        photo.status, photo.error = "error", str(exc)
    try:
        with open(photo.path, "rb") as stream:
            exif = read_exif(stream)
        _set_exif(photo, exif)
    except _ANY_PARSE_ERROR as exc:
        warnings.append(f"EXIF unreadable ({type(exc).__name__}: {str(exc)[:80]})")
    return keywords


def _read_raw(photo: Photo, warnings: list[str], seen: list) -> list[str]:
    """A camera RAW: metadata through exiv2; pixels from its JPEG companion, its embedded
    preview or LibRaw, or none (then it is listed and taggable, with a note)."""
    photo.format = os.path.splitext(photo.path)[1].lstrip(".").upper()
    try:
        meta = raw.read_metadata(photo.path)
    except ImageProblem as exc:
        photo.status, photo.error = "error", str(exc)
        return []
    _set_exif(photo, meta.exif)
    photo.width, photo.height = meta.width, meta.height
    if (photo.width is None or photo.height is None) and meta.preview_sizes:
        photo.width, photo.height = meta.preview_sizes[0]  # the sensor's size unknown: its shape
    if photo.companion is None:
        photo.preview = raw.pixel_source(photo.path, meta)
        if photo.preview == "none":
            warnings.append(raw.NO_PREVIEW_NOTE)
    if (photo.width is None or photo.height is None) and photo.companion is not None:
        try:
            with open_image(photo.companion) as image:
                photo.width, photo.height = image.size
        except ImageProblem:
            pass
    return _raw_keywords(meta, warnings, seen)


def _raw_keywords(meta, warnings: list[str], seen: list | None = None) -> list[str]:
    keywords: list[str] = []
    if meta.xmp:
        try:
            keywords += _parsed(meta.xmp, seen)
        except KeywordError as exc:
            warnings.append(f"embedded {exc}")
    levels = {level for k in keywords if HIERARCHY_SEPARATOR in k for level in k.split(HIERARCHY_SEPARATOR)}
    return keywords + [k for k in meta.iptc_keywords if k not in levels]


def _set_exif(photo: Photo, exif: ExifSummary) -> None:
    for name in EXIF_FIELDS:
        setattr(photo, name, getattr(exif, name))


def _parsed(packet, seen: list | None) -> list[str]:
    """The packet's keywords; its rating and label are collected into ``seen``."""
    fields = parse_xmp(packet)
    if seen is not None:
        raw = packet.encode("utf-8") if isinstance(packet, str) else packet
        if any(marker in raw for marker in REGION_MARKERS):
            fields = dataclasses.replace(fields, regions=raw)
        seen.append(fields)
    return fields.keywords


def read_sidecar_keywords(sidecars: Sequence[str], warnings: list[str], seen: list | None = None) -> list[str]:
    """Keywords of XMP sidecars; a sidecar's size is checked before any parser sees it."""
    keywords: list[str] = []
    for sidecar in sidecars:
        try:
            with open(sidecar, "rb") as f:
                if os.fstat(f.fileno()).st_size > MAX_XMP_BYTES:
                    raise KeywordError(f"XMP sidecar too large (over {MAX_XMP_BYTES // 2**20} MiB), not read")
                keywords += _parsed(f.read(MAX_XMP_BYTES + 1), seen)
        except (KeywordError, OSError) as exc:
            warnings.append(f"sidecar {display_path(os.path.basename(sidecar))}: {exc}")
    return keywords


def read_embedded_keywords(path: str, warnings: list[str], seen: list | None = None) -> list[str]:
    """Keywords of the photo's embedded XMP and IPTC (nothing for a file Pillow cannot open)."""
    if is_raw_name(path):
        try:
            return _raw_keywords(raw.read_metadata(path), warnings, seen)
        except ImageProblem as exc:
            warnings.append(f"embedded keywords unreadable ({exc})")
            return []
    try:
        with open_image(path) as image:
            return _embedded_keywords(image, warnings, seen)
    except ImageProblem as exc:
        warnings.append(f"embedded keywords unreadable ({exc})")
        return []


def _embedded_keywords(image, warnings: list[str], seen: list | None = None) -> list[str]:
    keywords: list[str] = []
    try:
        packet = _embedded_xmp(image)
        if packet:
            keywords += _parsed(packet, seen)
    except KeywordError as exc:
        warnings.append(f"embedded {exc}")
    try:
        iptc = parse_iptc_keywords(IptcImagePlugin.getiptcinfo(image))
    except _ANY_PARSE_ERROR as exc:
        warnings.append(f"IPTC unreadable ({type(exc).__name__})")
        iptc = []
    # IPTC keywords are flat: the levels of a hierarchical XMP keyword are not keywords of their own
    levels = {level for k in keywords if HIERARCHY_SEPARATOR in k for level in k.split(HIERARCHY_SEPARATOR)}
    return keywords + [k for k in iptc if k not in levels]


def keywords_by_file(path: str, sidecars: Sequence[str],
                     companion: str | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """({file: its keywords}, problems) for the photo itself, its RAW's JPEG companion and
    each of its sidecars."""
    warnings: list[str] = []
    found = {path: cap_keywords(read_embedded_keywords(path, warnings), warnings)}
    if companion is not None:
        found[companion] = cap_keywords(read_embedded_keywords(companion, warnings), warnings)
    for sidecar in sidecars:
        found[sidecar] = cap_keywords(read_sidecar_keywords([sidecar], warnings), warnings)
    return found, warnings


def keywords_of_copy(path: str, copy: str) -> list[str]:
    """The keywords of ``copy``, a backup of ``path`` (a sidecar, or a file with embedded ones)."""
    warnings: list[str] = []
    if path.lower().endswith(".xmp"):
        return read_sidecar_keywords([copy], warnings)
    return read_embedded_keywords(copy, warnings)


def embedded_problems(warnings: list[str]) -> bool:
    return any(w.startswith(("embedded ", "IPTC unreadable")) for w in warnings)


def cap_keywords(keywords: list[str], warnings: list[str]) -> list[str]:
    """At most MAX_KEYWORDS_PER_FILE distinct keywords: a file with hundreds of thousands is junk
    or an attack, and would make every suggestion slow."""
    unique = list(dict.fromkeys(keywords))
    if len(unique) > MAX_KEYWORDS_PER_FILE:
        warnings.append(f"{len(unique)} keywords in its files; only the first {MAX_KEYWORDS_PER_FILE} were read")
        unique = unique[:MAX_KEYWORDS_PER_FILE]
    return unique


def _failed(photo: Photo, reason: str) -> Photo:
    photo.status, photo.error = "error", display_path(reason)
    return photo
