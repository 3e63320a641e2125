"""The export journal on disk: every write is recorded before it happens.

A write is journalled in two places: a copy of the file it replaces (none for a new file)
and an *intent* (what will be written, for which photo, in which export run), each synced to
disk before the write, and then a row in the database, committed with the rest of the
export's transaction. A process killed after the write but before the commit leaves the
intent behind; ``recover_journal`` (run before any scan, export or undo) enters it, so every
written file can be undone, and gives a written file tagassist had never read a base, so that
it brings back no keyword removed elsewhere.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Iterable, Sequence

from ..library.keyword_export import file_sha256
from ..library.reader import keywords_of_copy
from ..records import Profile
from ..store import Store
from . import location_export
from .face_export import save_base


def journal_write(store: Store, run_id: int, photo_id: int, target: str, current: bytes | None, data: bytes,
                  added: Sequence[str], removed: Sequence[str], prior_base: Iterable[str] | None,
                  read_now: Iterable[str] | None, *, faces: tuple[int, dict, dict] | None = None,
                  location: tuple[Sequence[str], Sequence[str]] | None = None) -> tuple[str, ...]:
    """Record that ``data`` is about to replace ``current`` in ``target``: (the intent, the
    copy), to be ``forget``-ten once the database has the row (the copy stays: undo reads it).

    Undo gives the file back the base it had before the export. That is what the export read
    in it (``read_now``) when the export committed: its decisions about what it read are in
    the history, so another tool's change it read is not seen a second time. The row in the
    database, committed with those decisions, keeps that. The intent is entered only when the
    export was killed before committing them, so it keeps the base from before (``prior_base``)
    and the next sync sees those changes again.

    ``faces``: (the profile, the file's face base before the write, the one after), where the
    write holds her faces: undo puts the one before back, and an entered intent whose file holds
    the write takes the one after (``store.face_bases``). ``location``: likewise, (the file's
    location base before the write, () for none; the location written) (``store.location_bases``)."""
    folder = os.path.join(store.exports.backup_dir(), f"run-{run_id}")
    os.makedirs(folder, exist_ok=True)
    name = f"{photo_id}-{os.urandom(4).hex()}"
    backup = None
    if current is not None:
        backup = os.path.join(folder, name + ".bak")
        _write_synced(backup, current)
        _keep_times(target, backup)  # undo puts the time back with the bytes
    record = {"run": run_id, "photo": photo_id, "path": os.fsencode(target).hex(), "backup": backup,
              "written_sha256": hashlib.sha256(data).hexdigest(), "added": list(added), "removed": list(removed),
              "prior_base": None if prior_base is None else sorted(prior_base)}
    if faces is not None:
        record["profile"], record["prior_faces"], record["faces"] = faces
    if location is not None:
        record["prior_location"], record["location"] = list(location[0]), list(location[1])
    intent = os.path.join(folder, name + ".intent")
    _write_synced(intent, json.dumps(record).encode())
    store.exports.record_file(run_id, photo_id, target, backup, record["written_sha256"], added, removed,
                               read_now, record.get("prior_faces"), record.get("prior_location"))
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
    pattern = os.path.join(glob.escape(os.fspath(store.exports.backup_dir())), "run-*", "*.intent")
    for intent in sorted(glob.glob(pattern)):
        try:
            with open(intent, "rb") as f:
                record = json.loads(f.read())
            path = os.fsdecode(bytes.fromhex(record["path"]))
        except (OSError, ValueError, KeyError):
            forget([intent])  # cut short by the kill: its file was never written
            continue
        with store.transaction():
            if not store.exports.has_file(record["run"], path, record["written_sha256"]):
                store.exports.record_file(record["run"], record["photo"], path, record["backup"],
                                           record["written_sha256"], record["added"], record["removed"],
                                           record.get("prior_base"), record.get("prior_faces"),
                                           record.get("prior_location"))
                entered += 1
                if store.photos.get(record["photo"]) is not None:
                    if record.get("location") is not None:  # the place it wrote, where the file still holds it
                        location_export.adopt_written(store, record["photo"], path, record["location"])
                    if file_sha256(path) == record["written_sha256"]:
                        _first_seen(store, record["photo"], path, record["added"])
                        _faces_written(store, record, path)
                    else:
                        _changed_since(store, record, path, intent)
        forget([intent])
    return entered


def _first_seen(store: Store, photo_id: int, path: str, added: Sequence[str]) -> None:
    """A file the killed export wrote. One tagassist had read keeps its base, with the
    photo's keywords in tagassist that the write added to it: the next sync sees another tool's
    changes from before the write again (the export's decisions about them were rolled back
    with its transaction, so they are made again), but not tagassist's own additions, which
    would count as another tool's, dated by the write, and outvote a removal made since in
    another of the photo's files. One tagassist had never read (the export created it, or another tool did since the
    last scan) gets the keywords it holds that the photo held already: it brings back no
    keyword that another of the photo's files has lost, and its others arrive as additions."""
    state = store.sync.state(photo_id)
    name = os.path.basename(path)
    if state.file_bases is None:
        return
    if name in state.file_bases:
        ours = {tag for tags in state.assigned.values() for tag in tags}  # a keyword it copied in from
        # another file, whose import went with the transaction, stays another tool's addition
        store.sync.set_file_base(photo_id, name, state.file_bases[name] | (set(added) & ours))
    else:
        store.sync.set_file_base(photo_id, name, set(keywords_of_copy(path, path)) & state.base)


def _faces_written(store: Store, record: dict, path: str) -> None:
    """A file the killed export wrote holds her faces as it wrote them: that is their base now
    (its decision to write them was rolled back, the faces she named were not)."""
    if record.get("faces") is not None:
        save_base(store, Profile(record["profile"], ""), record["photo"], path, record["faces"])


def _changed_since(store: Store, record: dict, path: str, intent: str) -> None:
    """The file no longer holds what the killed export meant to write, and was changed after
    the export decided to: that write happened and another tool changed the file since, or the
    write never happened and another tool changed the file anyway. A keyword the export took
    out that the file holds is read as put back by that tool (the other reading keeps it out),
    so the next sync imports it: at worst a removal comes back, never a keyword is lost."""
    try:
        changed_after = os.stat(path).st_mtime_ns >= os.stat(intent).st_mtime_ns
    except FileNotFoundError:
        return
    back = set(record["removed"]) & set(keywords_of_copy(path, path)) if changed_after else set()
    if not back:
        return
    state, name = store.sync.state(record["photo"]), os.path.basename(path)
    store.sync.set_base_keywords(record["photo"], state.base - back)
    if state.file_bases is not None and name in state.file_bases:
        store.sync.set_file_base(record["photo"], name, state.file_bases[name] - back)


def put_back_times(backup: str, path: str) -> None:
    """Give the file ``path``, just put back from ``backup``, the time it had before the export.
    The next sync dates another tool's changes by the files' times: with the undo's time, a
    change made before a tag in tagassist would count as the newer one and outvote it."""
    _keep_times(backup, path)


def _keep_times(source: str, target: str) -> None:
    st = os.stat(source)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


def _write_synced(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
