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
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from ..paths import display_path, to_db_path
from ..store import Photo, Profile, Store
from .export_journal import recover_journal
from .imaging import is_image_name
from .keyword_export import TEMP_PATTERN
from .photo_files import assign_sidecars, group_photos, is_sidecar_name, is_within, leads_outside, list_folder, photo_files
from .reader import read_photo
from .sync import SyncPlan, files_now, reconcile

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
            for found in _found_in(folder, files, pair_raw, lambda name: files[name].stat(), summary):
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


def _files_state(found: FoundFile) -> tuple:
    """What tells whether a photo's files changed: their names, sizes and times."""
    return found.path, found.size, found.mtime_ns, found.sidecars, found.companion, found.sidecar_signature


def _read(found: FoundFile) -> tuple[tuple, Photo]:
    """(the state of its files just before they were read, what they say)."""
    try:
        st = os.stat(found.path)
        found = replace(found, size=st.st_size, mtime_ns=st.st_mtime_ns)
    except OSError:
        pass  # read_photo says why
    return _files_state(found), read_photo(found.path, found.size, found.mtime_ns, found.sidecars, found.companion)


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
        summary.ambiguous_sidecars += [(os.path.join(folder, s), list(photos)) for s, photos in layout.ambiguous.items()]


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
        recover_journal(self.store)  # an export killed half way: its writes are tagassist's, not another tool's
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
                    photos = list(pool.map(lambda item: _read(item[0]), batch))
                    with self.store.transaction():
                        layouts: dict[str, dict[str, FoundFile]] = {}
                        for (found, known), (as_read, photo) in zip(batch, photos):
                            found, photo = self._as_now(found, as_read, photo, layouts)
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
            plan = sync_keywords(self.store, photo.id, photo.keywords_by_file, found.keywords_changed_at,
                                 self.profile if self.import_keywords else None, complete=photo.keywords_complete)
            summary.imported_tags += len(plan.imports)
            summary.removed_elsewhere += len(plan.dropped)
            summary.conflicts += [(photo.path, c.tag, c.winner) for c in plan.conflicts]

    def _as_now(self, found: FoundFile, as_read: tuple, photo: Photo, layouts: dict) -> tuple[FoundFile, Photo]:
        """The photo as its files are now, under the write lock. The files were read before
        the lock was taken; an export may have written them since, and applying that stale
        read would take its keywords for removals made in another tool."""
        folder = os.path.dirname(found.path)
        if folder not in layouts:
            try:
                inside = [os.path.realpath(root) for root in self.summary.roots]
                names = [n for n in list_folder(folder) if os.path.isfile(os.path.join(folder, n))
                         and not leads_outside(os.path.join(folder, n), inside)]
                now = _found_in(folder, names, self.pair_raw_jpeg, lambda name: os.stat(os.path.join(folder, name)))
                layouts[folder] = {f.path: f for f in now}
            except OSError:
                layouts[folder] = {}
        now = layouts[folder].get(found.path)
        if now is None or _files_state(now) == as_read:
            return found, photo
        return now, _read(now)[1]

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


def sync_keywords(store: Store, photo_id: int, by_file: dict[str, list[str]], changed_at: str,
                  importing: Profile | None, *, complete: bool = True) -> SyncPlan:
    """Bring the history up to date with what the photo's files (``by_file``: path -> its
    keywords) hold now: three-way, against the base, in one transaction that holds the write
    lock while it decides. Files not all read (``complete`` False) can add keywords, not
    remove any."""
    by_name = {os.path.basename(path): keywords for path, keywords in by_file.items()}
    with store.transaction():
        state = store.sync_state(photo_id)
        if complete:
            now = files_now(state, by_name)
        else:
            now = state.base.union(*map(set, by_name.values()))
        plan = reconcile(state, now, changed_at, importing.id if importing else None)
        store.apply_sync_plan(photo_id, plan)
        if complete:
            store.set_file_bases(photo_id, by_name)
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
