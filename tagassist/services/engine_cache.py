"""The engine's state kept between processes, so that ``tagassist suggest`` and the app's start
need not read a 100,000-photo history and its vectors from SQLite and replay her newest shoots
(seconds) before the first suggestion.

One file per library, profile and encoder in the user's cache folder: an uncompressed .npz
(numbers and unicode only, read with ``allow_pickle=False``) of ``engine.history_state``'s
arrays and a key. A file, not tables in the library: the state is derived, as large as the
vectors themselves, and written without the library's write lock, which the app and every CLI
process share; deleting it loses nothing. Its vectors (512 MB at 100,000 photos) are a .npy of
their own beside it, mapped into memory, not read into a copy (a second of a cold ``tagassist
suggest``); ``history_state`` checks them against the checksum kept with the arrays. The key is
the store's change counter (schema 10, kept by triggers, read before the history is) with the
profile, the encoder and the active model's version: a file whose key is not the one now is
stale and is rebuilt, never used. A damaged file (zip CRCs, arrays that do not fit together) is
rebuilt the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..engine import history_state
from ..paths import cache_dir
from ..store import Profile, Store

log = logging.getLogger(__name__)


def cache_file(store: Store, profile: Profile, encoder_id: str | None) -> Path | None:
    """Where this profile's state is kept (None for a database in memory)."""
    if str(store.path) == ":memory:":
        return None
    name = hashlib.sha256(f"{store.path}\0{profile.id}\0{encoder_id}".encode()).hexdigest()[:32]
    return cache_dir() / "engine" / f"{name}.npz"


def key_of(store: Store, profile: Profile, encoder_id: str | None, scorer) -> dict:
    """What the state was built from. The counter is read first: a change made while the
    history is read then makes the key older than the state, which costs a rebuild, never a
    wrong suggestion. The library's identity tells a database made again at the same path,
    whose counter starts over, from the one the state came from."""
    return {"format": history_state.FORMAT, "counter": store.changes.counter(), "database": str(store.path),
            "library": store.settings.library_id(), "profile": profile.id, "encoder": encoder_id,
            "model": getattr(scorer, "version", None)}


# Windows cannot replace a file that a process has mapped: the next build could not keep its
# state while the app holds the last one. There the vectors are read.
MAP_VECTORS = os.name != "nt"


def vectors_file(path: Path) -> Path:
    """Where the vectors of the state kept at ``path`` are: a .npy of their own beside it, its
    data aligned as ``np.save`` aligns it (a mapped array must be, or every product copies it)."""
    return path.with_name(f"{path.stem}.vectors.npy")


class _Kept:
    """A kept state's arrays as ``history_state.restore`` reads them: each from the .npz when
    asked for, the vectors from their own file, mapped (``MAP_VECTORS``, copy on write)."""

    def __init__(self, arrays, path: Path):
        self.arrays, self.path = arrays, path

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "vectors":
            return np.load(vectors_file(self.path), mmap_mode="c" if MAP_VECTORS else None, allow_pickle=False)
        return self.arrays[name]


def load(path: Path | None, key: dict, encoder_id: str | None, *, stale: bool = False):
    """(history, calibration) kept under ``key``, or None: missing, stale or damaged.
    ``stale``: also one kept at an older change counter (the app shows it while the current
    state is built in the background), as ((history, calibration), whether it is current)."""
    if path is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as arrays:
            kept = json.loads(arrays["key"].tobytes().decode())
            current = kept == key
            if not current and not (stale and {**kept, "counter": key["counter"]} == key):
                return None  # another change counter, model or format: rebuilt
            restored = history_state.restore(_Kept(arrays, path), encoder_id)
            return (restored, current) if stale else restored
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        log.info("engine cache %s is damaged (%s); building it again", path, exc)
        return None


def save(path: Path | None, key: dict, history, calibration, *, updated: int = 0, vectors: bool = True) -> None:
    """Write the state atomically: the vectors' file, then the arrays and key (each a temporary
    file renamed over the old one). A reader between the two renames finds vectors that are not
    the ones its arrays' checksum names, and builds again. ``updated``: how many photos were
    updated in it since it was built (``kept_after_edit``); ``vectors``: False where the file
    beside it already holds them (none were added)."""
    if path is None:
        return
    arrays = history_state.history_arrays(history, calibration)
    arrays["updated"] = np.array([updated], dtype=np.int64)
    matrix = arrays.pop("vectors")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if vectors:
            _replace(vectors_file(path), lambda f: np.save(f, matrix, allow_pickle=False))
        _replace(path, lambda f: np.savez(f, key=np.frombuffer(json.dumps(key).encode(), dtype=np.uint8), **arrays))
    except OSError as exc:  # a full or read-only cache folder: the next process builds again
        log.warning("cannot keep the engine's state in %s: %s", path, exc)


def _replace(path: Path, write) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".engine-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def kept_suggester(store: Store, profile: Profile, encoder_id: str | None, scorer):
    """(the Suggester on the kept state, whether that is current), even when the library
    changed since it was kept; None without a kept state (or with a damaged one)."""
    from ..engine.suggest import Suggester

    path, key = cache_file(store, profile, encoder_id), key_of(store, profile, encoder_id, scorer)
    found = load(path, key, encoder_id, stale=True)
    if found is None:
        return None
    (history, calibration), current = found
    return Suggester.restored(store.history, profile, encoder_id, scorer, history, calibration), current


def cached_suggester(store: Store, profile: Profile, encoder_id: str | None, scorer):
    """The profile's Suggester from its kept state where that is current, else built (and
    kept for the next process)."""
    from ..engine.suggest import Suggester

    path, key = cache_file(store, profile, encoder_id), key_of(store, profile, encoder_id, scorer)
    restored = load(path, key, encoder_id)
    if restored is not None:
        return Suggester.restored(store.history, profile, encoder_id, scorer, *restored)
    engine = Suggester(store.history, profile, encoder_id, model_scorer=scorer)
    save(path, key, engine.history, engine.calibration)
    return engine


# A kept state brought up to date after edits keeps the calibration its build fitted on her
# newest shoots; once this many photos (or a fiftieth of the history) were updated in it, the
# next process builds it again instead, and calibrates on her shoots as they are then.
MOST_UPDATED = 200


def kept_after_edit(store: Store, profile: Profile, encoder_id: str | None, scorer, photo_ids,
                    before: int, after: int) -> bool:
    """After one write transaction that changed what the suggestions read of these photos only,
    the change counter going from ``before`` to ``after`` inside it (its write lock held: no
    other process wrote in between): the kept state, where it was current at ``before``, is
    updated for these photos as the app's engine is (``ProfileHistory.update``) and kept at
    ``after``, so the next process need not build it (seconds at 100,000 photos); its vectors'
    file is written again only when photos brought new vectors. True when it was kept; else
    the next process builds it, as without this. Rows read after the commit that another
    process changed since only make the state newer than its key: a rebuild, never a wrong
    suggestion."""
    path = cache_file(store, profile, encoder_id)
    ids = list(dict.fromkeys(photo_ids))
    if path is None or before == after or not ids:
        return False
    key = key_of(store, profile, encoder_id, scorer)
    found = load(path, {**key, "counter": before}, encoder_id)
    if found is None:
        return False
    history, calibration = found
    try:
        with np.load(path, allow_pickle=False) as arrays:  # a state kept before it was counted: 0
            updated = (int(arrays["updated"][0]) if "updated" in arrays.files else 0) + len(ids)
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):
        return False
    if updated > max(MOST_UPDATED, len(history.row_tags) // 50):
        return False
    vectors = history._vectors.n
    history.update(store.history, profile, ids)
    save(path, {**key, "counter": after}, history, calibration, updated=updated,
         vectors=history._vectors.n != vectors)
    return True
