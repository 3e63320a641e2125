"""Scanning folders into the library, as the CLI and the app both run it, and finding a photo
of the library by its path (a file not yet in it is scanned first).

``Scanner.scan`` is a generator that yields ``ScanProgress`` between batches; stopping the
iteration cancels the scan cleanly. Each batch is one transaction, so a process killed at any
moment leaves a consistent database and the next scan picks up where it stopped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from ..library.imaging import is_image_name
from ..library.scanner import FoundFile, ScanProgress, ScanSummary, files_state, found_now, is_gone, read_found, walk
from ..library.sync import SyncPlan, files_now, reconcile
from ..paths import to_db_path
from ..store import Photo, Profile, Store
from .export_journal import recover_journal
from .faces import record_regions

__all__ = ["RAW_JPEG_SETTING", "ScanProgress", "ScanSummary", "Scanner", "is_photo_file", "pairs_raw_jpeg", "photo_at",
           "scan", "sync_keywords"]

BATCH_SIZE = 64
# Library-wide, so the app and the CLI scan alike: "pair" (a RAW and the JPEG shot with it are
# one photo, the default) or "separate" (two photos, as Lightroom allows).
RAW_JPEG_SETTING = "raw_jpeg"


def pairs_raw_jpeg(store: Store) -> bool:
    return store.settings.get(RAW_JPEG_SETTING, "pair") != "separate"


def is_photo_file(path: str) -> bool:
    """A file that is there and has a photo's name (a format a scan reads)."""
    return is_image_name(path) and os.path.isfile(path)


def scan(store: Store, profile: Profile, roots: list[str], *, import_keywords: bool = True) -> Iterator:
    """Yields the scanner's progress; returns its summary, a ``ScanSummary`` (``yield from``
    hands it over). Keywords found in the files are imported into ``profile``'s history."""
    scanner = Scanner(store, profile, import_keywords=import_keywords)
    yield from scanner.scan(roots)
    return scanner.summary


def photo_at(store: Store, profile: Profile, path: str, *, scan_if_new: bool = True) -> Photo | None:
    """The library's photo at ``path``; a file not yet in the library is scanned first (unless
    ``scan_if_new`` is false). None: no photo there."""
    photo = store.photos.by_path(path)
    if photo is None and scan_if_new and os.path.isfile(path):
        Scanner(store, profile).run([path])
        photo = store.photos.by_path(path)
    return photo


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

    def run(self, roots: Iterable[str | os.PathLike],
            on_progress: Callable[[ScanProgress], None] | None = None) -> ScanSummary:
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
                self.store.photos.add_folder(root)

        index: dict[bytes, tuple] = {}
        for root in roots:
            index.update(self.store.photos.scan_index(root if os.path.isdir(root) else os.path.dirname(root)))

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
                    photos = list(pool.map(lambda item: read_found(item[0]), batch))
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

        gone = [v[0] for raw, v in index.items() if v[0] not in seen and v[4] != "missing" and is_gone(raw)]
        summary.missing = self.store.photos.mark_missing(gone)
        summary.seconds = time.perf_counter() - started

    def _save(self, photo: Photo, found: FoundFile, known: tuple | None, seen: set[int]) -> None:
        summary = self.summary
        shot_with = self._companion_photo(found)
        if known:
            photo.id = known[0]
            summary.updated += 1
            if shot_with is not None and shot_with.id != photo.id:  # scanned on its own before: one history now
                self.store.photos.absorb(photo.id, shot_with.id)
        elif shot_with is not None:
            # The JPEG was a photo of its own (scanned before its RAW, or before tagassist
            # read RAW files): it becomes the pair, history and all.
            photo.id = shot_with.id
            summary.updated += 1
            if shot_with.content_hash and photo.content_hash:
                self.store.embeddings.copy_embeddings(shot_with.content_hash, photo.content_hash)  # same pixels
        else:
            moved_from = self._moved_from(photo, seen)
            if moved_from is not None:
                photo.id = moved_from
                summary.moved += 1
            else:
                summary.added += 1
        self.store.photos.save(photo)
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
            if photo.keywords_complete:  # the faces other tools named in its files (none: removed there)
                record_regions(self.store, self.profile if self.import_keywords else None, photo)

    def _as_now(self, found: FoundFile, as_read: tuple, photo: Photo, layouts: dict) -> tuple[FoundFile, Photo]:
        """The photo as its files are now, under the write lock. The files were read before
        the lock was taken; an export may have written them since, and applying that stale
        read would take its keywords for removals made in another tool."""
        folder = os.path.dirname(found.path)
        if folder not in layouts:
            try:
                layouts[folder] = found_now(folder, self.pair_raw_jpeg,
                                            [os.path.realpath(root) for root in self.summary.roots])
            except OSError:
                layouts[folder] = {}
        now = layouts[folder].get(found.path)
        if now is None or files_state(now) == as_read:
            return found, photo
        return now, read_found(now)[1]

    def _companion_photo(self, found: FoundFile) -> Photo | None:
        """The photo stored for a pair's JPEG under its own path, if any."""
        if found.companion is None:
            return None
        photo = self.store.photos.by_path(found.companion)  # also finds the pair by its JPEG: not that
        return photo if photo is not None and to_db_path(photo.path) == to_db_path(found.companion) else None

    def _moved_from(self, photo: Photo, seen: set[int]) -> int | None:
        """Id of a known photo with the same content whose file is gone: a move or rename."""
        if not photo.content_hash:
            return None
        for candidate in self.store.photos.with_hash(photo.content_hash):
            if candidate.id not in seen and (candidate.status == "missing" or is_gone(to_db_path(candidate.path))):
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
        state = store.sync.state(photo_id)
        if complete:
            now = files_now(state, by_name)
        else:
            now = state.base.union(*map(set, by_name.values()))
        plan = reconcile(state, now, changed_at, importing.id if importing else None)
        store.sync.apply_plan(photo_id, plan)
        if complete:
            store.sync.set_file_bases(photo_id, by_name)
    return plan
