"""Finding the photos below the folders a user adds, each with the files that carry its
keywords, and reading them; what a scan found and did. Applying that to the library is the
scanning service's (``tagassist.services.scanning``)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ..paths import display_path
from ..records import Photo
from .imaging import is_image_name
from .keyword_export import TEMP_PATTERN
from .photo_files import (
    assign_sidecars,
    group_photos,
    is_sidecar_name,
    is_within,
    leads_outside,
    list_folder,
    photo_files,
)
from .reader import read_photo

# Folders that hold a tool's caches, not photos (macOS, Synology, digiKam, ...).
_SKIPPED_DIRS = {"@eadir", "__macosx", ".thumbnails", ".trash", "$recycle.bin"}
# A temporary file of an export killed mid-write is removed once it is this old (a younger one
# may belong to an export running right now in another process).
STALE_TEMP_SECONDS = 3600


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int
    sidecars: tuple[str, ...] = ()
    companion: str | None = None  # a RAW's JPEG, shot with it

    @property
    def other_files(self) -> tuple[str, ...]:
        """The photo's files besides itself, whose changes a rescan must notice."""
        return (*self.sidecars, self.companion) if self.companion else self.sidecars

    @property
    def sidecar_signature(self) -> str | None:
        if not self.other_files:
            return None
        parts = []
        for sidecar in self.other_files:
            name = display_path(os.path.basename(sidecar))  # stored as text: any file name must fit
            try:
                st = os.stat(sidecar)
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:?")
        return ";".join(parts)

    @property
    def keywords_changed_at(self) -> str:
        """When the files that hold its keywords last changed (UTC, ISO 8601)."""
        newest = self.mtime_ns
        for sidecar in self.other_files:
            try:
                newest = max(newest, os.stat(sidecar).st_mtime_ns)
            except OSError:
                pass
        return datetime.fromtimestamp(newest / 1e9, UTC).isoformat(timespec="microseconds")


@dataclass
class ScanProgress:
    phase: str  # "walk" while looking for files, "read" while reading them
    done: int
    total: int
    path: str | None = None


@dataclass
class ScanSummary:
    roots: list[str]
    found: int = 0
    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    missing: int = 0
    other_files: int = 0  # files that are neither photos nor XMP sidecars
    imported_tags: int = 0
    removed_elsewhere: int = 0  # keywords another tool removed, now out of the history too
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)  # path, tag, what was kept
    stale_temp_files: int = 0  # left by an export that was killed, removed
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # path, status, reason
    refused: list[tuple[str, str]] = field(default_factory=list)  # path, why it was not followed
    orphaned_sidecars: list[str] = field(default_factory=list)  # sidecars whose photo is gone
    ambiguous_sidecars: list[tuple[str, list[str]]] = field(default_factory=list)  # IMG.xmp, photos it could be
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        """Files or folders that could not be read at all."""
        return sum(1 for _, status, _ in self.problems if status == "error") + len(self.unreadable)


def walk(roots: Iterable[str], summary: ScanSummary, *, pair_raw: bool = True) -> Iterator[FoundFile]:
    """Photo files below the roots, in a stable order, each with the files that carry its
    keywords (``photo_files``). Follows symlinks, but never out of the root it was reached
    from, and never in a loop. With ``pair_raw`` a RAW file and the JPEG shot with it are one
    photo (the RAW, with the JPEG as its companion), as Lightroom and digiKam group them."""
    visited: set[tuple[int, int]] = set()
    for root in roots:
        if os.path.isfile(root):
            found = _found_file(root, pair_raw)
            if found:
                yield found
            continue
        inside = os.path.realpath(root)
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                st = os.stat(folder)
                if (st.st_dev, st.st_ino) in visited:
                    continue  # symlink loop or a folder reached twice
                visited.add((st.st_dev, st.st_ino))
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                summary.unreadable.append((folder, exc.strerror or str(exc)))
                continue
            files, subfolders = {}, []
            for entry in entries:
                try:
                    if entry.is_symlink() and not is_within(entry.path, inside):
                        summary.refused.append((entry.path, "a link to a place outside the scanned folders; not"
                                                             " followed"))
                    elif entry.is_dir():
                        if not entry.name.startswith(".") and entry.name.lower() not in _SKIPPED_DIRS:
                            subfolders.append(entry.path)
                    elif entry.is_file():
                        files[entry.name] = entry
                except OSError as exc:
                    summary.unreadable.append((entry.path, exc.strerror or str(exc)))
            in_photos = set()
            # the lambda is used up within this iteration, so the loop's later `files` never reach it
            for found in _found_in(folder, files, pair_raw, lambda name: files[name].stat(), summary):  # noqa: B023
                in_photos.update(os.path.basename(f) for f in (found.path, found.companion) if f)
                yield found
            for name, entry in files.items():
                if name in in_photos or is_sidecar_name(name):
                    continue
                if _remove_if_stale_temp(entry):
                    summary.stale_temp_files += 1
                else:
                    summary.other_files += 1
            stack.extend(reversed(subfolders))


def _remove_if_stale_temp(entry: os.DirEntry) -> bool:
    if not re.fullmatch(TEMP_PATTERN, entry.name):
        return False
    try:
        if time.time() - entry.stat().st_mtime < STALE_TEMP_SECONDS:
            return False
        os.unlink(entry.path)
    except OSError:
        return False
    return True


def files_state(found: FoundFile) -> tuple:
    """What tells whether a photo's files changed: their names, sizes and times."""
    return found.path, found.size, found.mtime_ns, found.sidecars, found.companion, found.sidecar_signature


def read_found(found: FoundFile) -> tuple[tuple, Photo]:
    """(the state of its files just before they were read, what they say)."""
    try:
        st = os.stat(found.path)
        found = replace(found, size=st.st_size, mtime_ns=st.st_mtime_ns)
    except OSError:
        pass  # read_photo says why
    return files_state(found), read_photo(found.path, found.size, found.mtime_ns, found.sidecars, found.companion)


def _found_in(folder: str, names: Iterable[str], pair_raw: bool, stat: Callable[[str], os.stat_result],
              summary: ScanSummary | None = None) -> Iterator[FoundFile]:
    """The photos among a folder's files (``names``), each with its sidecars and companion."""
    layout = assign_sidecars(names, group_photos(names, pair_raw))
    for photo in layout.photos:
        path = os.path.join(folder, photo.name)
        try:
            st = stat(photo.name)
        except OSError as exc:
            if summary is not None:
                summary.unreadable.append((path, exc.strerror or str(exc)))
            continue
        yield FoundFile(path, st.st_size, st.st_mtime_ns,
                        tuple(os.path.join(folder, s) for s in layout.sidecars.get(photo.name, ())),
                        os.path.join(folder, photo.companion) if photo.companion else None)
    if summary is not None:
        summary.orphaned_sidecars += [os.path.join(folder, s) for s in layout.orphaned]
        summary.ambiguous_sidecars += [(os.path.join(folder, s), list(photos))
                                       for s, photos in layout.ambiguous.items()]


def found_now(folder: str, pair_raw: bool, inside: list[str]) -> dict[str, FoundFile]:
    """The folder's photos as they are now, by path (links out of ``inside`` left out)."""
    names = [n for n in list_folder(folder) if os.path.isfile(os.path.join(folder, n))
             and not leads_outside(os.path.join(folder, n), inside)]
    return {f.path: f for f in _found_in(folder, names, pair_raw, lambda name: os.stat(os.path.join(folder, name)))}


def _found_file(path: str, pair_raw: bool = True) -> FoundFile | None:
    if not is_image_name(path):
        return None
    folder, name = os.path.split(path)
    layout = group_photos(list_folder(folder), pair_raw)
    photo = next((p for p in layout if name in p.files), None)
    if photo is None:
        return None
    path = os.path.join(folder, photo.name)  # the JPEG of a pair: the photo is its RAW
    files = photo_files(path, os.path.join(folder, photo.companion) if photo.companion else None, pair_raw)
    st = os.stat(path)
    return FoundFile(path, st.st_size, st.st_mtime_ns, files.sidecars, files.companion)


def is_gone(raw_path: bytes) -> bool:
    """True only when the file is certainly not there (an unreadable folder is not 'gone')."""
    try:
        os.stat(raw_path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False
