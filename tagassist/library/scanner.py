"""Recursive, incremental library scan.

``Scanner.scan`` is a generator that yields :class:`ScanProgress` between batches; stopping
the iteration cancels the scan cleanly. Each batch is one transaction, so a process killed
at any moment leaves a consistent database and the next scan picks up where it stopped.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..paths import display_path, to_db_path
from ..store import Photo, Profile, Store
from .imaging import is_camera_jpeg_name, is_image_name, is_jpeg_name, is_raw_name
from .keyword_export import TEMP_PATTERN
from .reader import read_photo
from .sync import SyncPlan, reconcile

BATCH_SIZE = 64
# Library-wide, so the app and the CLI scan alike: "pair" (a RAW and the JPEG shot with it are
# one photo, the default) or "separate" (two photos, as Lightroom allows).
RAW_JPEG_SETTING = "raw_jpeg"


def pairs_raw_jpeg(store: Store) -> bool:
    return store.setting(RAW_JPEG_SETTING, "pair") != "separate"
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
        return datetime.fromtimestamp(newest / 1e9, timezone.utc).isoformat(timespec="microseconds")


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
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        """Files or folders that could not be read at all."""
        return sum(1 for _, status, _ in self.problems if status == "error") + len(self.unreadable)


def walk(roots: Iterable[str], summary: ScanSummary, *, pair_raw: bool = True) -> Iterator[FoundFile]:
    """Photo files below the roots, in a stable order; follows symlinks but never loops. With
    ``pair_raw`` a RAW file and the JPEG shot with it are one photo (the RAW, with the JPEG as
    its companion), as Lightroom and digiKam group them."""
    visited: set[tuple[int, int]] = set()
    for root in roots:
        if os.path.isfile(root):
            found = _found_file(root, pair_raw)
            if found:
                yield found
            continue
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
            lower_names = {e.name.lower(): e.path for e in entries}
            companions = _companions([e.name for e in entries]) if pair_raw else {}
            paired = {c.lower() for c in companions.values()}
            subfolders = []
            for entry in entries:
                try:
                    if entry.is_dir():
                        if not entry.name.startswith(".") and entry.name.lower() not in _SKIPPED_DIRS:
                            subfolders.append(entry.path)
                    elif entry.name.lower() in paired and entry.is_file():
                        continue  # part of a RAW+JPEG pair: it comes with its RAW
                    elif entry.is_file() and is_image_name(entry.name):
                        st = entry.stat()
                        companion = companions.get(entry.name)
                        yield FoundFile(entry.path, st.st_size, st.st_mtime_ns,
                                        _sidecars(entry.name, lower_names, companion),
                                        os.path.join(folder, companion) if companion else None)
                    elif _remove_if_stale_temp(entry):
                        summary.stale_temp_files += 1
                    elif not entry.name.lower().endswith(".xmp"):
                        summary.other_files += 1
                except OSError as exc:
                    summary.unreadable.append((entry.path, exc.strerror or str(exc)))
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


def _sidecars(name: str, lower_names: dict[str, str], companion: str | None = None) -> tuple[str, ...]:
    """XMP sidecars as Lightroom and Capture One (IMG.xmp) and darktable and digiKam
    (IMG.CR2.xmp, IMG.JPG.xmp) name them; a RAW+JPEG pair has the sidecars of both files."""
    stem = os.path.splitext(name)[0].lower()
    candidates = [f"{stem}.xmp", f"{name.lower()}.xmp"]
    if companion is not None:
        candidates.append(f"{companion.lower()}.xmp")
    return tuple(lower_names[c] for c in dict.fromkeys(candidates) if c in lower_names)


def _companions(names: Iterable[str]) -> dict[str, str]:
    """{RAW name: name of the JPEG (or HEIF) with the same stem} among one folder's files."""
    by_stem: dict[str, list[str]] = {}
    for name in names:
        if is_image_name(name):
            by_stem.setdefault(os.path.splitext(name)[0].lower(), []).append(name)
    pairs = {}
    for group in by_stem.values():
        raws = [n for n in group if is_raw_name(n)]
        shots = sorted((n for n in group if is_camera_jpeg_name(n)), key=lambda n: (not is_jpeg_name(n), n))
        if len(raws) == 1 and shots:
            pairs[raws[0]] = shots[0]
    return pairs


def _found_file(path: str, pair_raw: bool = True) -> FoundFile | None:
    if not is_image_name(path):
        return None
    folder, name = os.path.split(path)
    with os.scandir(folder or ".") as it:
        names = [e.name for e in it]
    companions = _companions(names) if pair_raw else {}
    if name in companions.values():  # the JPEG of a pair: the photo is its RAW
        name = next(r for r, c in companions.items() if c == name)
        path = os.path.join(folder, name)
    st = os.stat(path)
    companion = companions.get(name)
    return FoundFile(path, st.st_size, st.st_mtime_ns, find_sidecars(path, companion),
                     os.path.join(folder, companion) if companion else None)


def find_sidecars(path: str, companion: str | None = None) -> tuple[str, ...]:
    """The photo's XMP sidecars as they are on disk now (``companion``: a RAW's JPEG)."""
    with os.scandir(os.path.dirname(path) or ".") as it:
        lower_names = {e.name.lower(): e.path for e in it}
    return _sidecars(os.path.basename(path), lower_names,
                     os.path.basename(companion) if companion else None)


class Scanner:
    def __init__(
        self,
        store: Store,
        profile: Profile,
        *,
        import_keywords: bool = True,
        workers: int | None = None,
        pair_raw_jpeg: bool | None = None,
    ):
        self.store = store
        self.profile = profile
        self.import_keywords = import_keywords
        self.pair_raw_jpeg = pairs_raw_jpeg(store) if pair_raw_jpeg is None else pair_raw_jpeg
        self.workers = workers or min(4, (os.cpu_count() or 1) + 1)
        self.summary = ScanSummary(roots=[])

    def run(self, roots: Iterable[str | os.PathLike], on_progress: Callable[[ScanProgress], None] | None = None) -> ScanSummary:
        for progress in self.scan(roots):
            if on_progress:
                on_progress(progress)
        return self.summary

    def scan(self, roots: Iterable[str | os.PathLike]) -> Iterator[ScanProgress]:
        started = time.perf_counter()
        roots = [os.path.abspath(os.fspath(r)) for r in roots]
        self.summary = summary = ScanSummary(roots=roots)
        for root in roots:
            if os.path.isdir(root):
                self.store.add_folder(root)

        index: dict[bytes, tuple] = {}
        for root in roots:
            index.update(self.store.scan_index(root if os.path.isdir(root) else os.path.dirname(root)))

        to_read: list[tuple[FoundFile, tuple | None]] = []
        seen: set[int] = set()
        for found in walk(roots, summary, pair_raw=self.pair_raw_jpeg):
            summary.found += 1
            known = index.get(to_db_path(found.path))
            # A photo that could not be read is read again: a permission or a disk may be fixed
            # without touching the file's size or time.
            if known and known[1:4] == (found.size, found.mtime_ns, found.sidecar_signature) and known[4] not in (
                    "missing", "error"):
                summary.unchanged += 1
                seen.add(known[0])
            else:
                to_read.append((found, known))
            if summary.found % 1000 == 0:
                yield ScanProgress("walk", summary.found, 0, found.path)

        total = len(to_read)
        done = 0
        yield ScanProgress("read", 0, total)
        try:
            with ThreadPoolExecutor(self.workers) as pool:
                for start in range(0, total, BATCH_SIZE):
                    batch = to_read[start : start + BATCH_SIZE]
                    photos = list(pool.map(lambda item: read_photo(item[0].path, item[0].size, item[0].mtime_ns, item[0].sidecars,
                                                                     item[0].companion), batch))
                    with self.store.transaction():
                        for (found, known), photo in zip(batch, photos):
                            photo.sidecar_signature = found.sidecar_signature
                            self._save(photo, found, known, seen)
                    done += len(batch)
                    yield ScanProgress("read", done, total, batch[-1][0].path)
        except GeneratorExit:
            summary.cancelled = True
            summary.seconds = time.perf_counter() - started
            raise

        gone = [v[0] for raw, v in index.items() if v[0] not in seen and v[4] != "missing" and _is_gone(raw)]
        summary.missing = self.store.mark_missing(gone)
        summary.seconds = time.perf_counter() - started

    def _save(self, photo: Photo, found: FoundFile, known: tuple | None, seen: set[int]) -> None:
        summary = self.summary
        shot_with = self._companion_photo(found)
        if known:
            photo.id = known[0]
            summary.updated += 1
            if shot_with is not None and shot_with.id != photo.id:  # scanned on its own before: one history now
                self.store.absorb_photo(photo.id, shot_with.id)
        elif shot_with is not None:
            # The JPEG was a photo of its own (scanned before its RAW, or before tagassist
            # read RAW files): it becomes the pair, history and all.
            photo.id = shot_with.id
            summary.updated += 1
            if shot_with.content_hash and photo.content_hash:
                self.store.copy_embeddings(shot_with.content_hash, photo.content_hash)  # same pixels
        else:
            moved_from = self._moved_from(photo, seen)
            if moved_from is not None:
                photo.id = moved_from
                summary.moved += 1
            else:
                summary.added += 1
        self.store.save_photo(photo)
        seen.add(photo.id)
        if photo.status != "ok":
            summary.problems.append((photo.path, photo.status, photo.error or ""))
        # An unreadable file says nothing about its keywords; one whose keywords could not all
        # be read (a broken sidecar, too many keywords) can add keywords but not remove any.
        if photo.status != "error":
            keywords = photo.keywords if photo.keywords_complete else [*photo.keywords,
                                                                       *self.store.file_keywords(photo.id)]
            plan = sync_keywords(self.store, photo.id, keywords, found.keywords_changed_at,
                                 self.profile if self.import_keywords else None)
            summary.imported_tags += len(plan.imports)
            summary.removed_elsewhere += len(plan.dropped)
            summary.conflicts += [(photo.path, c.tag, c.winner) for c in plan.conflicts]

    def _companion_photo(self, found: FoundFile) -> Photo | None:
        """The photo stored for a pair's JPEG under its own path, if any."""
        if found.companion is None:
            return None
        photo = self.store.photo_by_path(found.companion)  # also finds the pair by its JPEG: not that
        return photo if photo is not None and to_db_path(photo.path) == to_db_path(found.companion) else None

    def _moved_from(self, photo: Photo, seen: set[int]) -> int | None:
        """Id of a known photo with the same content whose file is gone: a move or rename."""
        if not photo.content_hash:
            return None
        for candidate in self.store.photos_with_hash(photo.content_hash):
            if candidate.id not in seen and (candidate.status == "missing" or _is_gone(to_db_path(candidate.path))):
                return candidate.id
        return None


def sync_keywords(store: Store, photo_id: int, keywords: list[str], changed_at: str,
                  importing: Profile | None) -> SyncPlan:
    """Bring the history up to date with what the photo's files hold now (three-way, against
    the base), in one transaction that holds the write lock while it decides."""
    with store.transaction():
        plan = reconcile(store.sync_state(photo_id), keywords, changed_at, importing.id if importing else None)
        store.apply_sync_plan(photo_id, plan)
    return plan


def _is_gone(raw_path: bytes) -> bool:
    """True only when the file is certainly not there (an unreadable folder is not 'gone')."""
    try:
        os.stat(raw_path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False
