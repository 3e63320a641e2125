"""Writing keywords into files with exiv2 (the metadata library digiKam and darktable use), so
Lightroom, darktable, digiKam and DAMs read them.

Keywords go into ``dc:subject`` (every level of a hierarchical keyword, flat, as Lightroom
writes them) and ``lr:hierarchicalSubject`` ('Places|Italy|Rome'); a JPEG that already carries
IPTC keywords gets them rewritten too, with a matching IPTC digest, so no reader sees stale
IPTC. Everything else in the file (other namespaces, ratings, develop settings) is kept.

Which keywords to write is decided by three-way sync (``tagassist.services.export``); this
module renders and writes one file safely:

- exiv2 only ever sees bytes in memory: file names need not be UTF-8, and a file's size is
  checked before any parser reads it;
- the previous file is copied into the export journal first, so any export can be undone;
- the write goes to a temporary file that replaces the original (a crash leaves either the
  old or the new file). A symlink is written through to its target; a file with several hard
  links is rewritten in place so every link sees the change; new files get the umask's mode;
- read-only files are refused.
"""

from __future__ import annotations

from ..options import SIDECAR_STYLES

import hashlib
import os
import secrets
import shutil
import struct
from dataclasses import dataclass, field
from pathlib import Path

from ..store.records import HIERARCHY_SEPARATOR
from .exiv2_access import exiv2_session
from .imaging import is_raw_name
from .keywords import MAX_XMP_BYTES

STYLES = tuple(SIDECAR_STYLES)  # how new sidecars are named (tagassist/options.py)
# A JPEG is read whole into memory to be rewritten; beyond this it is refused.
MAX_EMBED_BYTES = 512 * 1024 * 1024
# Temporary files are named ".NAME.tagassist-XXXXXXXX.tmp"; a scan removes stale ones.
TEMP_PATTERN = r"\..+\.tagassist-[0-9a-f]{8}\.tmp"

_XMP_KEYS = ("Xmp.dc.subject", "Xmp.lr.hierarchicalSubject")
_IPTC_KEYWORDS = "Iptc.Application2.Keywords"


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

    @property
    def added(self) -> list[str]:
        return sorted(set(self.after) - set(self.before))

    @property
    def removed(self) -> list[str]:
        return sorted(set(self.before) - set(self.after))

    @property
    def changed(self) -> bool:
        return set(self.before) != set(self.after)


def sidecar_for(photo: str | os.PathLike, style: str = "lightroom") -> Path:
    """The file's existing sidecar, whichever tool named it; else a new one named per style."""
    photo = Path(photo)
    lightroom, per_file = photo.with_suffix(".xmp"), photo.with_name(photo.name + ".xmp")
    preferred = (lightroom, per_file) if style == "lightroom" else (per_file, lightroom)
    for existing in preferred:
        if existing.exists():
            return existing
    return preferred[0]


def export_targets(path: str, companion: str | None, style: str, embed: bool) -> tuple[list[str], list[str]]:
    """(the files an export writes, notes). ``companion``: a RAW's JPEG. A RAW file is never
    written: its keywords go to its sidecar, with ``--embed`` too; a JPEG takes them embedded
    with ``--embed``, else in its sidecar (a pair shares one sidecar in the Lightroom style)."""
    targets, notes = [], []
    for file in (path, companion) if companion else (path,):
        if embed and not is_raw_name(file):
            targets.append(file)
        else:
            if embed:
                notes.append(f"{_name(file)} is a RAW file, which tagassist never writes: its keywords go to"
                             " its sidecar")
            targets.append(os.fspath(sidecar_for(file, style)))
    return list(dict.fromkeys(targets)), notes


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


def render(path: str | os.PathLike, current: bytes | None, keywords: tuple[str, ...]) -> tuple[bytes, list[str]]:
    """The file's new bytes with ``keywords`` as its keywords, and notes for the user."""
    flat = list(dict.fromkeys(level for tag in keywords for level in tag.split(HIERARCHY_SEPARATOR)))
    hierarchical = [tag for tag in keywords if HIERARCHY_SEPARATOR in tag]
    if is_raw_name(path) and not is_sidecar(path):  # the camera's original: never rewritten
        raise ExportError(f"{_name(path)} is a RAW file; tagassist writes its keywords only to sidecars")
    with exiv2_session() as exiv2:  # one thread at a time: libexiv2's XMP toolkit is not reentrant
        try:
            if is_sidecar(path):
                return _render_sidecar(current, flat, hierarchical), []
            if current is None:
                raise ExportError(f"{_name(path)} does not exist")
            return _render_embedded(path, current, flat, hierarchical)
        except exiv2.Exiv2Error as exc:
            raise ExportError(f"{_name(path)}: exiv2 could not write it ({exc})") from exc


def _set_keywords(xmp, flat: list[str], hierarchical: list[str]) -> None:
    import exiv2

    for key in _XMP_KEYS:
        found = xmp.findKey(exiv2.XmpKey(key))
        if found != xmp.end():
            xmp.erase(found)
    for key, values in zip(_XMP_KEYS, (flat, hierarchical)):
        if values:
            bag = exiv2.Value.create(exiv2.TypeId.xmpBag)
            for value in values:
                bag.read(value)
            xmp[key] = bag


_EMPTY_SIDECAR = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                  b'  <rdf:Description rdf:about=""/>\n </rdf:RDF>\n</x:xmpmeta>\n')


def _render_sidecar(current: bytes | None, flat: list[str], hierarchical: list[str]) -> bytes:
    import exiv2

    if current and current.strip(b"\x00 \t\r\n"):
        image = exiv2.ImageFactory.open(current)
        image.readMetadata()
        _set_keywords(image.xmpData(), flat, hierarchical)
        if image.xmpData().empty():
            # The last keyword removed and nothing else in the sidecar: exiv2 would keep the old
            # packet (it writes none for empty data), so the keyword would stay in the file.
            return _EMPTY_SIDECAR
        image.writeMetadata()
        return _image_bytes(image)
    xmp = exiv2.XmpData()
    _set_keywords(xmp, flat, hierarchical)
    flags = exiv2.XmpParser.XmpFormatFlags.omitPacketWrapper | exiv2.XmpParser.XmpFormatFlags.useCompactFormat
    code, packet = exiv2.XmpParser.encode(xmp, flags)
    if code != 0:
        raise ExportError(f"exiv2 could not encode the XMP (code {code})")
    return packet.encode("utf-8")


def _image_bytes(image) -> bytes:
    """What exiv2 wrote into its in-memory file."""
    io = image.io()
    io.open()
    try:
        return bytes(io.mmap())
    finally:
        io.munmap()
        io.close()


def _render_embedded(path, current: bytes, flat: list[str], hierarchical: list[str]) -> tuple[bytes, list[str]]:
    import exiv2

    image = exiv2.ImageFactory.open(current)
    image.readMetadata()
    if image.mimeType() != "image/jpeg":
        raise ExportError(f"{_name(path)}: tagassist embeds keywords in JPEGs only; use a sidecar")
    _set_keywords(image.xmpData(), flat, hierarchical)
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
    data = _image_bytes(image)
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
    digest = hashlib.md5(iptc).digest()  # noqa: S324 - a checksum the format defines, not security
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

def check_writable(target: str | os.PathLike) -> None:
    target = Path(os.path.realpath(target))
    if target.exists() and (not os.access(target, os.W_OK) or target.stat().st_mode & 0o222 == 0):
        # root can write anyway: respect the flag
        raise ExportError(f"{target} is read-only; tagassist does not change read-only files")
    if not os.access(target.parent, os.W_OK):
        raise ExportError(f"{target.parent} is not writable")


def write_file(target: str | os.PathLike, data: bytes, backup_to: str | os.PathLike | None) -> str | None:
    """Replace ``target``'s content with ``data``; the old content is first copied to
    ``backup_to`` (returned; None when the file is new)."""
    real = Path(os.path.realpath(target))  # a symlinked sidecar stays a symlink
    check_writable(real)
    backup = None
    if real.exists() and backup_to is not None:
        backup = os.fspath(backup_to)
        Path(backup).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real, backup)
        _fsync_path(backup)
    try:
        if real.exists() and os.stat(real).st_nlink > 1:
            _rewrite_in_place(real, data)  # os.replace would cut the other links off
        else:
            _replace(real, data)
    except OSError as exc:
        raise ExportError(f"{_name(real)}: cannot write it ({exc.strerror or exc})") from exc
    return backup


def _replace(real: Path, data: bytes) -> None:
    temp = real.with_name(f".{real.name}.tagassist-{secrets.token_hex(4)}.tmp")
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


def _rewrite_in_place(real: Path, data: bytes) -> None:
    with open(real, "r+b") as f:
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())


def _fsync_path(path: str) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def file_sha256(path: str | os.PathLike) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _name(path) -> str:
    from ..paths import display_path

    return display_path(os.path.basename(os.fspath(path)))
