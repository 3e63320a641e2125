"""The export journal on disk: every write is recorded before it happens.

A write is journalled in two places: a copy of the file it replaces (none for a new file)
and an *intent* (what will be written, for which photo, in which export run), each synced to
disk before the write, and then a row in the database, committed with the rest of the
export's transaction. A process killed after the write but before the commit leaves the
intent behind; ``recover_journal`` (run before any scan, export or undo) enters it, so every
written file can be undone, and makes what the written file holds part of the base, so that
the next sync takes the write for neither another tool's addition nor its removal.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Sequence

from ..library.keyword_export import file_sha256
from ..library.reader import keywords_of_copy
from ..store import Store


def journal_write(store: Store, run_id: int, photo_id: int, target: str, current: bytes | None, data: bytes,
                  added: Sequence[str], removed: Sequence[str]) -> tuple[str, ...]:
    """Record that ``data`` is about to replace ``current`` in ``target``: (the intent, the
    copy), to be ``forget``-ten once the database has the row (the copy stays: undo reads it)."""
    folder = os.path.join(store.export_backup_dir(), f"run-{run_id}")
    os.makedirs(folder, exist_ok=True)
    name = f"{photo_id}-{os.urandom(4).hex()}"
    backup = None
    if current is not None:
        backup = os.path.join(folder, name + ".bak")
        _write_synced(backup, current)
    record = {"run": run_id, "photo": photo_id, "path": os.fsencode(target).hex(), "backup": backup,
              "written_sha256": hashlib.sha256(data).hexdigest(), "added": list(added), "removed": list(removed)}
    intent = os.path.join(folder, name + ".intent")
    _write_synced(intent, json.dumps(record).encode())
    store.record_exported_file(run_id, photo_id, target, backup, record["written_sha256"], added, removed)
    return (intent, backup) if backup else (intent,)


def forget(paths: Sequence[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def recover_journal(store: Store) -> int:
    """Enter the writes of an export killed before it committed; returns how many."""
    entered = 0
    pattern = os.path.join(glob.escape(os.fspath(store.export_backup_dir())), "run-*", "*.intent")
    for intent in sorted(glob.glob(pattern)):
        try:
            with open(intent, "rb") as f:
                record = json.loads(f.read())
            path = os.fsdecode(bytes.fromhex(record["path"]))
        except (OSError, ValueError, KeyError):
            forget([intent])  # cut short by the kill: its file was never written
            continue
        with store.transaction():
            if not store.has_exported_file(record["run"], path, record["written_sha256"]):
                store.record_exported_file(record["run"], record["photo"], path, record["backup"],
                                           record["written_sha256"], record["added"], record["removed"])
                entered += 1
                if file_sha256(path) == record["written_sha256"] and store.photo(record["photo"]) is not None:
                    # tagassist wrote it: its keywords are the base, not another tool's edit
                    shift_file_base(store, record["photo"], os.path.basename(path), keywords_of_copy(path, path))
        forget([intent])
    return entered


def shift_file_base(store: Store, photo_id: int, name: str, now: list[str]) -> None:
    """tagassist changed the file ``name`` of the photo to hold ``now``: that becomes its base,
    and the photo's base follows the change (a keyword leaves it only where no other file's
    base holds it). The photo's other files keep their bases: what another tool did to them
    is still to be seen by the next sync."""
    state = store.sync_state(photo_id)
    bases = state.file_bases or {}
    before, now_set = bases.get(name, frozenset()), set(now)
    elsewhere = set().union(*(tags for other, tags in bases.items() if other != name))
    store.set_base_keywords(photo_id, (state.base - ((before - now_set) - elsewhere)) | (now_set - before))
    store.set_file_base(photo_id, name, now_set)


def _write_synced(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
