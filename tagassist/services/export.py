"""Writing a profile's keywords back into the photos' files, and undoing it.

One export of one photo, under the store's write lock (so no other tagassist process changes
that photo's history meanwhile):

1. read what the photo's files hold now, and reconcile that with the history (three-way, as a
   rescan would: what another tool added arrives, what it removed leaves);
2. compute the keywords to write: the files' keywords plus this profile's changes
   (``tagassist.library.sync.export_keywords``);
3. copy the file into the export journal, write it, record the write, and make what the files
   hold now the new base.

A dry run does steps 1 and 2 without writing anything, so it shows exactly what the real run
would change. ``undo`` puts back the files of an export run from the journal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..library.imaging import is_raw_name
from ..library.keyword_export import (ExportChange, ExportError, export_targets, file_sha256, is_sidecar,
                                      read_for_writing, render, write_file)
from ..library.reader import keywords_by_file, read_photo
from ..library.scanner import find_sidecars
from ..library.sync import Conflict, apply, export_keywords, reconcile
from ..paths import display_path
from ..store import Photo, Profile, Store
from ..store.database import utc_now


@dataclass
class PhotoExport:
    """The outcome for one photo; ``status``: would write | written | unchanged | failed."""

    photo: str
    status: str
    change: ExportChange | None = None
    reason: str | None = None

    def as_json(self) -> dict:
        if self.change is None:
            return {"photo": self.photo, "status": self.status, "reason": self.reason}
        return {"photo": self.photo, "file": self.change.target, "status": self.status,
                "added": self.change.added, "removed": self.change.removed,
                "conflicts": list(self.change.conflicts), "notes": list(self.change.notes)}


@dataclass
class ExportReport:
    results: list[PhotoExport] = field(default_factory=list)
    run_id: int | None = None  # the journal's run, for undo (None for a dry run or no write)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def exportable_photos(store: Store, profile: Profile) -> list[Photo]:
    """What ``export --all`` covers: every readable photo the profile tagged."""
    return [p for p, tags in store.list_photos(profile) if tags and p.status in ("ok", "warning")]


def export_photos(store: Store, profile: Profile, photos: Iterable[Photo], *, embed: bool = False,
                  style: str = "lightroom", dry_run: bool = False) -> ExportReport:
    """Write each photo's keywords into its files: one result per file (a RAW+JPEG pair may
    have two), or one failed result for a photo that could not be exported."""
    report = ExportReport()
    for photo in photos:
        try:
            if dry_run:
                changes, _ = _plan(store, profile, photo, embed=embed, style=style)
                report.results += [PhotoExport(photo.path, "would write" if c.changed else "unchanged", c)
                                   for c in changes]
                continue
            if report.run_id is None:
                report.run_id = store.start_export_run(profile)
            changes = _export_one(store, profile, photo, embed=embed, style=style, run_id=report.run_id)
            report.results += [PhotoExport(photo.path, "written" if c.changed else "unchanged", c) for c in changes]
        except ExportError as exc:
            report.results.append(PhotoExport(photo.path, "failed", reason=str(exc)))
    return report


def _plan(store: Store, profile: Profile, photo: Photo, *, embed: bool, style: str):
    """(the change to each target file, the reconciliation plan) from the files as they are now."""
    if not os.path.exists(photo.path):
        raise ExportError(f"{display_path(photo.path)} is not there any more (moved or deleted?)")
    sidecars = find_sidecars(photo.path, photo.companion)
    by_file, problems = keywords_by_file(photo.path, sidecars, photo.companion)
    if problems:  # writing now could drop keywords that could not be read
        raise ExportError(f"{display_path(os.path.basename(photo.path))}: not all of its keywords could be read"
                          f" ({problems[0]}); left unchanged so that none is lost")
    targets, target_notes = export_targets(photo.path, photo.companion, style, embed)
    in_files = list(dict.fromkeys(k for keywords in by_file.values() for k in keywords))
    state = store.sync_state(photo.id)
    plan = reconcile(state, in_files, _changed_at([photo.path, *filter(None, [photo.companion]), *sidecars]),
                     profile.id)
    result = export_keywords(apply(state, plan, utc_now()), profile.id)
    kept_for_others = [f"{tag} stays: another profile of this library still has it" for tag in result.kept_for_others]
    changes = []
    for target in targets:
        before = tuple(sorted(by_file.get(target, ())))
        untouched = [f for f in by_file if f not in targets]
        notes = [f"{tag} stays in {display_path(os.path.basename(f))}, which this export does not write"
                 f"{_how_to_reach(f, embed)}"
                 for tag in result.removed for f in untouched if tag in by_file[f]]
        changes.append(ExportChange(photo.path, target, before, result.keywords,
                                    _conflict_lines(plan.conflicts, profile),
                                    tuple(target_notes + notes + kept_for_others)))
    return changes, plan


def _how_to_reach(file: str, embed: bool) -> str:
    if is_sidecar(file):
        return ""
    if is_raw_name(file):
        return " (a RAW file is never written)"
    return ": export with --embed to remove it there too" if not embed else ""


def _export_one(store: Store, profile: Profile, photo: Photo, *, embed: bool, style: str,
                run_id: int) -> list[ExportChange]:
    with store.transaction():  # the write lock, held while the files are read, decided and written
        changes, plan = _plan(store, profile, photo, embed=embed, style=style)
        store.apply_sync_plan(photo.id, plan)
        written = []
        for change in changes:
            if change.changed:
                current = read_for_writing(change.target)
                data, notes = render(change.target, current, change.after)
                if notes:
                    change = ExportChange(change.photo, change.target, change.before, change.after, change.conflicts,
                                          change.notes + tuple(notes))
                backup = os.path.join(store.export_backup_dir(), f"run-{run_id}",
                                      f"{photo.id}-{os.urandom(4).hex()}.bak")
                kept = write_file(change.target, data, backup)
                store.record_exported_file(run_id, photo.id, change.target, kept, file_sha256(change.target) or "",
                                           change.added, change.removed)
            written.append(change)
        _refresh_base(store, profile, photo, written)
    return written


def _refresh_base(store: Store, profile: Profile, photo: Photo, changes: list[ExportChange]) -> None:
    """What the files hold now becomes the base; removals that left every file are done."""
    sidecars = find_sidecars(photo.path, photo.companion)
    by_file, _ = keywords_by_file(photo.path, sidecars, photo.companion)
    now_in_files = {k for keywords in by_file.values() for k in keywords}
    store.set_base_keywords(photo.id, now_in_files)
    removed = {tag for change in changes for tag in change.removed}
    store.mark_removals_written(profile, photo.id, [t for t in sorted(removed) if t not in now_in_files])
    if any(change.target == photo.path and change.changed for change in changes):
        # embedded: the file's size, time and content hash changed
        refreshed = read_photo(photo.path, os.path.getsize(photo.path), os.stat(photo.path).st_mtime_ns, sidecars,
                               photo.companion)
        if photo.content_hash and refreshed.content_hash != photo.content_hash:
            store.copy_embeddings(photo.content_hash, refreshed.content_hash)  # same pixels, same vectors
        refreshed.id = photo.id
        refreshed.sidecar_signature = photo.sidecar_signature
        store.save_photo(refreshed)


def _changed_at(paths: Iterable[str]) -> str:
    newest = max((os.stat(p).st_mtime_ns for p in paths if os.path.exists(p)), default=0)
    return datetime.fromtimestamp(newest / 1e9, timezone.utc).isoformat(timespec="microseconds")


def _conflict_lines(conflicts: Iterable[Conflict], profile: Profile) -> tuple[str, ...]:
    return tuple(f"{c.tag}: {c.reason}" for c in conflicts if c.profile_id == profile.id)


# -- undo ---------------------------------------------------------------------------------------

@dataclass
class UndoReport:
    run_id: int
    restored: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # path, why


def undo_export(store: Store, run_id: int | None = None, *, force: bool = False) -> UndoReport:
    """Put back what an export run replaced (default: the latest run not undone yet). A file
    changed since that export is left alone unless ``force``: undo never loses later work."""
    runs = store.export_runs(include_undone=run_id is not None)
    run = next((r for r in runs if run_id is None or r["id"] == run_id), None)
    if run is None:
        raise LookupError("no export to undo" if run_id is None else f"no export run {run_id}")
    if run["undone_at"]:
        raise LookupError(f"export run {run['id']} was undone already ({run['undone_at']})")
    report = UndoReport(run["id"])
    profile = store.profile(run["profile"]) if run["profile"] else None
    for record in store.exported_files(run["id"]):  # newest first: a file written twice ends as before both
        path = record["path"]
        if not force and file_sha256(path) != record["written_sha256"]:
            report.skipped.append((path, "changed since that export; left as it is (--force puts it back anyway)"))
            continue
        try:
            if record["backup"] is None:
                os.unlink(path)
            else:
                with open(record["backup"], "rb") as f:
                    write_file(path, f.read(), None)
        except (OSError, ExportError) as exc:
            report.skipped.append((path, str(exc)))
            continue
        report.restored.append(path)
        if record["photo_id"] is not None and profile is not None:
            _after_undo(store, profile, record)
    store.mark_export_undone(run["id"])
    return report


def _after_undo(store: Store, profile: Profile, record: dict) -> None:
    """The restored files are the base again, and the removals they undid are pending again."""
    photo = store.photo(record["photo_id"])
    if photo is None:
        return
    by_file, _ = keywords_by_file(photo.path, find_sidecars(photo.path, photo.companion), photo.companion)
    with store.transaction():
        store.set_base_keywords(photo.id, {k for keywords in by_file.values() for k in keywords})
        store.mark_removals_pending(profile, photo.id, record["removed"])
