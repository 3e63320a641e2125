"""Writing a profile's keywords back into files, with exiv2 (the metadata library digiKam and
darktable use), so Lightroom, darktable, digiKam and DAMs read them.

Keywords go into ``dc:subject`` (every level of a hierarchical keyword, flat, as Lightroom
writes them) and ``lr:hierarchicalSubject`` ('Places|Italy|Rome'). Everything else in the
file (other namespaces, ratings, develop settings) is left to exiv2, which keeps its values.

Safety: the write goes to a temporary copy that is renamed over the original (a crash leaves
either the old or the new file); the previous file is kept as ``<name>.tagassist.bak``;
read-only files are refused; a dry run reports what would change and writes nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..store.records import HIERARCHY_SEPARATOR
from .keywords import KeywordError, parse_xmp_keywords

BACKUP_SUFFIX = ".tagassist.bak"
STYLES = ("lightroom", "digikam")  # photo.xmp, photo.jpg.xmp


class ExportError(Exception):
    """The file cannot be written; the message is one line for the user."""


@dataclass(frozen=True)
class ExportChange:
    photo: str
    target: str  # the file that is (or would be) written
    before: tuple[str, ...]
    after: tuple[str, ...]

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
    """The photo's existing sidecar, whichever tool named it; else a new one named per style."""
    photo = Path(photo)
    lightroom, digikam = photo.with_suffix(".xmp"), photo.with_name(photo.name + ".xmp")
    for existing in ((digikam, lightroom) if style == "digikam" else (lightroom, digikam)):
        if existing.exists():
            return existing
    return digikam if style == "digikam" else lightroom


def _current_keywords(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    import exiv2

    try:
        image = exiv2.ImageFactory.open(str(path))
        image.readMetadata()
        packet = image.xmpPacket() if path.suffix.lower() != ".xmp" else path.read_bytes()
    except (exiv2.Exiv2Error, OSError) as exc:
        raise ExportError(f"{path.name}: cannot read its metadata ({exc})") from exc
    try:
        return tuple(parse_xmp_keywords(packet)) if packet else ()
    except KeywordError as exc:
        raise ExportError(f"{path.name}: {exc}") from exc


def plan(photo: str, tags: list[str], *, embed: bool = False, style: str = "lightroom") -> ExportChange:
    target = Path(photo) if embed else sidecar_for(photo, style)
    return ExportChange(photo, str(target), _current_keywords(target), tuple(sorted(tags)))


def _check_writable(target: Path) -> None:
    if target.exists() and not os.access(target, os.W_OK):
        raise ExportError(f"{target} is read-only; tagassist does not change read-only files")
    if not os.access(target.parent, os.W_OK):
        raise ExportError(f"{target.parent} is not writable")
    if target.exists() and target.stat().st_mode & 0o222 == 0:  # root can write anyway: respect the flag
        raise ExportError(f"{target} is read-only; tagassist does not change read-only files")


def write(change: ExportChange) -> None:
    """Write ``change.after`` as the file's keywords, atomically, keeping a backup."""
    import exiv2

    target = Path(change.target)
    _check_writable(target)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if target.exists():
            shutil.copy2(target, temp)
            image = exiv2.ImageFactory.open(temp)
            image.readMetadata()
        else:
            image = exiv2.ImageFactory.create(exiv2.ImageType.xmp, temp)
        xmp = image.xmpData()
        for key in ("Xmp.dc.subject", "Xmp.lr.hierarchicalSubject"):
            found = xmp.findKey(exiv2.XmpKey(key))
            if found != xmp.end():
                xmp.erase(found)
        flat = list(dict.fromkeys(level for tag in change.after for level in tag.split(HIERARCHY_SEPARATOR)))
        hierarchical = [tag for tag in change.after if HIERARCHY_SEPARATOR in tag]
        for key, values in (("Xmp.dc.subject", flat), ("Xmp.lr.hierarchicalSubject", hierarchical)):
            if values:
                bag = exiv2.Value.create(exiv2.TypeId.xmpBag)
                for value in values:
                    bag.read(value)
                xmp[key] = bag
        image.writeMetadata()  # exiv2 rewrites metadata segments; JPEG image data is copied as is
        with open(temp, "rb") as f:
            os.fsync(f.fileno())
        if target.exists():
            shutil.copy2(target, str(target) + BACKUP_SUFFIX)
        os.replace(temp, target)
    except exiv2.Exiv2Error as exc:
        raise ExportError(f"{target.name}: exiv2 could not write it ({exc})") from exc
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
