"""Writing keywords into files with exiv2 (the metadata library digiKam and darktable use), so
Lightroom, darktable, digiKam and DAMs read them.

Keywords go into ``dc:subject`` (every level of a hierarchical keyword, flat, as Lightroom
writes them) and ``lr:hierarchicalSubject`` (every keyword, 'Places|Italy|Rome' and a flat
'Italy' alike, so that a keyword of its own is told from a level of another); digiKam's
``digiKam:TagsList`` ('Places/Italy/Rome') where digiKam is the target or the file has one,
and the other tag lists digiKam keeps in step where present. A JPEG that already carries IPTC
keywords gets them rewritten too, with a matching IPTC digest, so no reader sees stale IPTC.
Everything else in the file (other namespaces, ratings, develop settings) is kept.

Which files, and which keywords, are decided elsewhere (``tagassist.library.photo_files`` and
three-way sync in ``tagassist.services.export``); this module renders and writes one file:

- exiv2 only ever sees bytes in memory: file names need not be UTF-8, and a file's size is
  checked before any parser reads it (and a sidecar's size after rendering: scan reads none
  larger than ``MAX_XMP_BYTES``);
- nothing is written outside the folders the caller allows, links resolved;
- the write goes to a complete temporary file that replaces the original (a crash leaves
  either the old or the new file). A symlink is written through to its target. A file with
  several hard links is rewritten in place so every link sees the change, after a check that
  the disk has room, and put back as it was if the write fails anyway;
- read-only files and folders are refused, also for root.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..records import HIERARCHY_SEPARATOR
from .exiv2_access import exiv2_session
from .imaging import is_raw_name
from .keywords import MAX_XMP_BYTES
from .location_fields import Location, set_location
from .photo_files import is_within

# A JPEG is read whole into memory to be rewritten; beyond this it is refused.
MAX_EMBED_BYTES = 512 * 1024 * 1024
# Temporary files are named ".tagassist-XXXXXXXX.tmp" (any name fits beside it); a scan removes
# stale ones, and those of earlier versions (".NAME.tagassist-XXXXXXXX.tmp").
TEMP_PATTERN = r"\.(.+\.)?tagassist-[0-9a-f]{8}\.tmp"
# Room left free on a disk beyond the bytes a rewrite in place needs.
FREE_SPACE_MARGIN = 1024 * 1024

# digiKam's tag paths ('/'), written where digiKam is the target or the file has them already;
# the others digiKam also keeps are rewritten only where present.
_DIGIKAM_TAGS = "Xmp.digiKam.TagsList"
_PATH_LISTS = {"Xmp.MicrosoftPhoto.LastKeywordXMP": "/", "Xmp.mediapro.CatalogSets": "|"}
_IPTC_KEYWORDS = "Iptc.Application2.Keywords"
# digiKam's pick flag (0 none, 1 rejected, 2 pending, 3 accepted): the one XMP field a pick has.
_PICK_LABEL = "Xmp.digiKam.PickLabel"
Marks = tuple[int | None, str | None, int | None]  # xmp:Rating, xmp:Label, digiKam:PickLabel


class ExportError(Exception):
    """The file cannot be written; the message is one line for the user."""


@dataclass(frozen=True)
class ExportChange:
    photo: str
    target: str  # the file that is (or would be) written
    before: tuple[str, ...]  # the target's keywords now
    after: tuple[str, ...]  # the target's keywords after the export
    conflicts: tuple[str, ...] = ()  # one line each: a keyword both sides changed, and who won
    notes: tuple[str, ...] = field(default=())  # anything else the user should know
    marks: Marks | None = None  # a rating, label and pick flag set in tagassist, to write
    faces: tuple[str, ...] = ()  # what it changes in the file's face regions, a word each ('+face:Anna')
    location: Location | None = None  # the city, state, country and country code to write (None: kept)

    @property
    def added(self) -> list[str]:
        return sorted(set(self.after) - set(self.before))

    @property
    def removed(self) -> list[str]:
        return sorted(set(self.before) - set(self.after))

    @property
    def changed(self) -> bool:
        return (set(self.before) != set(self.after) or self.marks is not None or bool(self.faces)
                or self.location is not None)


def is_sidecar(path: str | os.PathLike) -> bool:
    return os.fspath(path).lower().endswith(".xmp")


def read_for_writing(path: str | os.PathLike) -> bytes | None:
    """The file's bytes (None if it does not exist), refused before parsing when too large."""
    limit = MAX_XMP_BYTES if is_sidecar(path) else MAX_EMBED_BYTES
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise ExportError(f"{_name(path)} is {size / 2**20:.0f} MiB, larger than tagassist rewrites"
                                  f" ({limit // 2**20} MiB); left unchanged")
            return f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ExportError(f"{_name(path)}: cannot read it ({exc.strerror or exc})") from exc


def render(path: str | os.PathLike, current: bytes | None, keywords: tuple[str, ...], *, tags_list: bool = False,
           seed: Marks = (None, None, None),
           marks: Marks | None = None,
           location: Location | None = None) -> tuple[bytes, list[str]]:
    """The file's new bytes with ``keywords`` as its keywords, and notes for the user.
    ``tags_list``: write digiKam's tag paths even where the file has none; ``seed``: the
    rating, label and pick flag a new sidecar starts with (the photo's, so none is hidden by
    it); ``marks``: the rating, label and pick flag set in tagassist, written into the file
    (None: the file's own are kept); ``location``: the city, state, country and country code to write (None:
    the file's own are kept)."""
    if is_raw_name(path) and not is_sidecar(path):  # the camera's original: never rewritten
        raise ExportError(f"{_name(path)} is a RAW file; tagassist writes its keywords only to sidecars")
    with exiv2_session() as exiv2:  # one thread at a time: libexiv2's XMP toolkit is not reentrant
        try:
            if is_sidecar(path):
                data = _render_sidecar(current, list(keywords), tags_list, marks or seed, marks, location)
                if len(data) > MAX_XMP_BYTES:
                    raise ExportError(f"{_name(path)} would be larger than tagassist reads"
                                      f" ({MAX_XMP_BYTES // 2**20} MiB); left unchanged")
                return data, []
            if current is None:
                raise ExportError(f"{_name(path)} does not exist")
            return _render_embedded(path, current, list(keywords), tags_list, marks, location)
        except exiv2.Exiv2Error as exc:
            raise ExportError(f"{_name(path)}: exiv2 could not write it ({exc})") from exc


def _set_keywords(xmp, keywords: list[str], tags_list: bool) -> None:
    import exiv2

    flat = list(dict.fromkeys(level for tag in keywords for level in tag.split(HIERARCHY_SEPARATOR)))
    # With any hierarchy, every keyword is listed: a flat 'Italy' of its own is then not taken
    # for a level of 'Places|Italy|Rome' when read back.
    hierarchical = keywords if any(HIERARCHY_SEPARATOR in tag for tag in keywords) else []
    lists = {"Xmp.dc.subject": flat, "Xmp.lr.hierarchicalSubject": hierarchical}
    if tags_list or xmp.findKey(exiv2.XmpKey(_DIGIKAM_TAGS)) != xmp.end():
        lists[_DIGIKAM_TAGS] = [tag.replace(HIERARCHY_SEPARATOR, "/") for tag in keywords]
    for key, separator in _PATH_LISTS.items():
        if xmp.findKey(exiv2.XmpKey(key)) != xmp.end():
            lists[key] = [tag.replace(HIERARCHY_SEPARATOR, separator) for tag in keywords]
    for key, values in lists.items():
        found = xmp.findKey(exiv2.XmpKey(key))
        if found != xmp.end():
            xmp.erase(found)
        if values:
            bag = exiv2.Value.create(exiv2.TypeId.xmpBag)
            for value in values:
                bag.read(value)
            xmp[key] = bag


_EMPTY_SIDECAR = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                  b'  <rdf:Description rdf:about=""/>\n </rdf:RDF>\n</x:xmpmeta>\n')


def _set_marks(xmp, marks: Marks | None) -> None:
    """xmp:Rating, xmp:Label and digiKam:PickLabel as set in tagassist; none of them: taken out
    of the file (a pick label: 0 takes it out, None, never read, leaves the file's). A reject
    (xmp:Rating -1) is digiKam's rejected pick label too."""
    import exiv2

    if marks is None:
        return
    rating, label, pick = marks
    pick = 1 if rating == -1 else pick if pick in (0, 1, 2, 3) else None
    for key, value in zip(("Xmp.xmp.Rating", "Xmp.xmp.Label", _PICK_LABEL), (rating, label, pick), strict=True):
        if key == _PICK_LABEL and value is None:
            continue  # never read (a library not scanned since picks were): the file's own stays
        if key == _PICK_LABEL and value == 0:
            value = None  # unflagged: taken out
        found = xmp.findKey(exiv2.XmpKey(key))
        if found != xmp.end():
            xmp.erase(found)
        if value is not None and value != "":
            xmp[key] = str(value)


def _render_sidecar(current: bytes | None, keywords: list[str], tags_list: bool,
                    seed: Marks, marks: Marks | None,
                    location: Location | None = None) -> bytes:
    import exiv2

    if current and current.strip(b"\x00 \t\r\n"):
        image = exiv2.ImageFactory.open(current)
        image.readMetadata()
        _set_keywords(image.xmpData(), keywords, tags_list)
        _set_marks(image.xmpData(), marks)
        set_location(image.xmpData(), location)
        if image.xmpData().empty():
            # The last keyword removed and nothing else in the sidecar: exiv2 would keep the old
            # packet (it writes none for empty data), so the keyword would stay in the file.
            return _EMPTY_SIDECAR
        image.writeMetadata()
        return image_bytes(image)
    xmp = exiv2.XmpData()
    _set_marks(xmp, seed)
    _set_keywords(xmp, keywords, tags_list)
    set_location(xmp, location)
    flags = exiv2.XmpParser.XmpFormatFlags.omitPacketWrapper | exiv2.XmpParser.XmpFormatFlags.useCompactFormat
    code, packet = exiv2.XmpParser.encode(xmp, flags)
    if code != 0:
        raise ExportError(f"exiv2 could not encode the XMP (code {code})")
    return packet.encode("utf-8")


def image_bytes(image) -> bytes:
    """What exiv2 wrote into its in-memory file."""
    io = image.io()
    io.open()
    try:
        return bytes(io.mmap())
    finally:
        io.munmap()
        io.close()


def _render_embedded(path, current: bytes, keywords: list[str], tags_list: bool,
                     marks: Marks | None = None,
                     location: Location | None = None) -> tuple[bytes, list[str]]:
    import exiv2

    image = exiv2.ImageFactory.open(current)
    image.readMetadata()
    if image.mimeType() != "image/jpeg":
        raise ExportError(f"{_name(path)}: tagassist embeds keywords in JPEGs only; use a sidecar")
    _set_keywords(image.xmpData(), keywords, tags_list)
    _set_marks(image.xmpData(), marks)
    set_location(image.xmpData(), location)
    flat = list(dict.fromkeys(level for tag in keywords for level in tag.split(HIERARCHY_SEPARATOR)))
    notes = []
    iptc = image.iptcData()
    had_iptc_keywords = iptc.findKey(exiv2.IptcKey(_IPTC_KEYWORDS)) != iptc.end()
    if had_iptc_keywords:  # rewrite them, or Lightroom and exiftool would read the old ones
        while (found := iptc.findKey(exiv2.IptcKey(_IPTC_KEYWORDS))) != iptc.end():
            iptc.erase(found)
        for keyword in flat:
            value = exiv2.Value.create(exiv2.TypeId.string)
            value.read(keyword)
            iptc.add(exiv2.IptcKey(_IPTC_KEYWORDS), value)
        if any(not k.isascii() for k in flat):
            iptc["Iptc.Envelope.CharacterSet"] = "\x1b%G"  # UTF-8
    image.writeMetadata()  # exiv2 rewrites metadata segments; the image data is copied as is
    data = image_bytes(image)
    if had_iptc_keywords:
        fixed = update_iptc_digest(data)
        if fixed is None:
            notes.append("IPTC keywords were rewritten, but the IPTC digest could not be updated")
        else:
            data = fixed
    return data, notes


# -- the IPTC digest --------------------------------------------------------------------------
# Photoshop's image resource 0x0425 holds the MD5 of the IPTC block (resource 0x0404). Readers
# that follow the Metadata Working Group compare it: a stale digest makes them prefer the old
# IPTC values over the XMP, so removed keywords would come back.

def update_iptc_digest(jpeg: bytes) -> bytes | None:
    """The JPEG with its IPTC digest matching its IPTC block; None if the layout is unusual."""
    position, found = 2, None
    while position + 4 <= len(jpeg) and jpeg[position] == 0xFF:
        marker = jpeg[position + 1]
        if marker in (0xDA, 0xD9):  # start of scan: no more metadata segments
            break
        (length,) = struct.unpack(">H", jpeg[position + 2:position + 4])
        payload = jpeg[position + 4:position + 2 + length]
        if marker == 0xED and payload.startswith(b"Photoshop 3.0\x00"):
            if found is not None:
                return None  # IPTC split over several segments: leave it to a full editor
            found = (position, length, payload)
        position += 2 + length
    if found is None:
        return jpeg
    position, length, payload = found
    resources = _parse_resources(payload[14:])
    if resources is None:
        return None
    iptc = next((data for rid, name, data in resources if rid == 0x0404), None)
    if iptc is None:
        return jpeg
    digest = hashlib.md5(iptc, usedforsecurity=False).digest()  # a checksum the format defines
    resources = [r for r in resources if r[0] != 0x0425] + [(0x0425, b"", digest)]
    body = b"Photoshop 3.0\x00" + b"".join(_resource_bytes(*r) for r in resources)
    if len(body) + 2 > 0xFFFF:
        return None
    segment = b"\xff\xed" + struct.pack(">H", len(body) + 2) + body
    return jpeg[:position] + segment + jpeg[position + 2 + length:]


def _parse_resources(data: bytes) -> list[tuple[int, bytes, bytes]] | None:
    resources, i = [], 0
    while i + 12 <= len(data):
        if data[i:i + 4] != b"8BIM":
            return None
        (rid,) = struct.unpack(">H", data[i + 4:i + 6])
        name_length = data[i + 6]
        name_end = i + 7 + name_length + ((name_length + 1) % 2)  # padded to an even length
        name = data[i + 7:i + 7 + name_length]
        if name_end + 4 > len(data):
            return None
        (size,) = struct.unpack(">I", data[name_end:name_end + 4])
        start = name_end + 4
        if start + size > len(data):
            return None
        resources.append((rid, name, data[start:start + size]))
        i = start + size + (size % 2)
    return resources


def _resource_bytes(rid: int, name: bytes, data: bytes) -> bytes:
    pascal = bytes([len(name)]) + name
    pascal += b"\x00" * (len(pascal) % 2)
    return b"8BIM" + struct.pack(">H", rid) + pascal + struct.pack(">I", len(data)) + data + b"\x00" * (len(data) % 2)


# -- writing ------------------------------------------------------------------------------------

def check_writable(target: str | os.PathLike, inside: Sequence[str] | None = None) -> Path:
    """``target`` with its links resolved, if tagassist may write it: inside one of the folders
    ``inside`` (resolved already; None: anywhere), and neither it nor its folder read-only
    (root could write anyway: the flag is respected)."""
    real = Path(os.path.realpath(target))
    if inside is not None and not any(is_within(os.fspath(real), root) for root in inside):
        raise ExportError(f"{_name(target)} leads outside the library's folders (to {_shown(real)}); not written")
    if real.exists() and (not os.access(real, os.W_OK) or real.stat().st_mode & 0o222 == 0):
        raise ExportError(f"{_shown(real)} is read-only; tagassist does not change read-only files")
    if not os.access(real.parent, os.W_OK) or real.parent.stat().st_mode & 0o222 == 0:
        raise ExportError(f"{_shown(real.parent)} is not writable")
    return real


def write_file(target: str | os.PathLike, data: bytes, current: bytes | None,
               inside: Sequence[str] | None = None) -> None:
    """Replace ``target``'s content (``current``, as read before; None for a new file) with
    ``data``. Copies for undo are the caller's, made before."""
    real = check_writable(target, inside)  # a symlinked sidecar stays a symlink
    try:
        if current is not None and os.stat(real).st_nlink > 1:
            _rewrite_in_place(real, data, current)  # os.replace would cut the other links off
        else:
            _replace(real, data)
    except OSError as exc:
        raise ExportError(f"{_name(real)}: cannot write it ({exc.strerror or exc}); left as it was") from exc


def _replace(real: Path, data: bytes) -> None:
    temp = real.with_name(f".tagassist-{secrets.token_hex(4)}.tmp")
    # 0o666 through the umask: a new sidecar gets the mode any other new file would
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if real.exists():
            shutil.copymode(real, temp)
        os.replace(temp, real)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _rewrite_in_place(real: Path, data: bytes, current: bytes) -> None:
    """Every link keeps seeing one file. The disk must have room for the growth first; a
    write that fails anyway (the disk filled meanwhile) is undone with the old bytes, which
    fit in the blocks the file had."""
    growth = len(data) - len(current)
    if growth > 0:
        stats = os.statvfs(real.parent)
        if stats.f_bavail * stats.f_frsize < growth + FREE_SPACE_MARGIN:
            raise OSError(errno.ENOSPC, "not enough free space on the disk")
    with open(real, "r+b") as f:
        try:
            f.write(data)
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
        except OSError:
            f.seek(0)
            f.write(current)
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
            raise


def file_sha256(path: str | os.PathLike) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _name(path) -> str:
    return _shown(os.path.basename(os.fspath(path)))


def _shown(path) -> str:
    from ..paths import display_path

    return display_path(os.fspath(path))
