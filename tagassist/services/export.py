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

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ..library.imaging import is_raw_name
from ..library.keyword_export import (
    ExportChange,
    ExportError,
    file_sha256,
    is_sidecar,
    read_for_writing,
    render,
    write_file,
)
from ..library.photo_files import is_within, photo_files
from ..library.photo_files import targets as write_targets
from ..library.reader import keywords_by_file, keywords_of_copy, read_photo
from ..library.sync import Conflict, apply, export_keywords, files_now, reconcile
from ..paths import display_path
from ..store import Photo, Profile, Store
from ..store.database import utc_now
from . import face_export, location_export
from .export_journal import forget, journal_write, put_back_times, recover_journal
from .scanning import pairs_raw_jpeg


@dataclass
class PhotoExport:
    """The outcome for one photo; ``status``: would write | written | unchanged | failed."""

    photo: str
    status: str
    change: ExportChange | None = None
    reason: str | None = None

    @property
    def failure(self) -> str:
        """'PHOTO: why' for a failed photo, or only why where the reason names the photo's
        file first already (it names the file it could not write: the photo or a sidecar)."""
        reason = self.reason or "failed"
        named = reason.startswith((self.photo, os.path.basename(self.photo)))
        return reason if named else f"{self.photo}: {reason}"

    def as_json(self) -> dict:
        if self.change is None:
            return {"photo": self.photo, "status": self.status, "reason": self.reason}
        return {"photo": self.photo, "file": self.change.target, "status": self.status,
                "added": self.change.added, "removed": self.change.removed,
                "conflicts": list(self.change.conflicts), "notes": list(self.change.notes),
                **({"faces": list(self.change.faces)} if self.change.faces else {}),
                **({} if self.change.marks is None
                   else {"rating": self.change.marks[0], "label": self.change.marks[1],
                         "pick": self.change.marks[2]}),
                **({} if self.change.location is None
                   else {"location": location_export.as_json(self.change.location)})}


@dataclass
class ExportReport:
    results: list[PhotoExport] = field(default_factory=list)
    run_id: int | None = None  # the journal's run, for undo (None for a dry run or no write)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def exportable_photos(store: Store, profile: Profile, *, location: bool | None = None) -> list[Photo]:
    """What ``export --all`` covers: every readable photo the profile tagged, or rated or
    labelled in tagassist since the last export, or whose faces she named (where the library
    writes faces), or with GPS (where the export writes the location: ``location``, None for
    the library's option)."""
    marked = store.marks.pending()
    if face_export.writes_faces(store):  # and those with faces she named, or faces to take out again
        marked = marked | store.face_bases.photos(profile)
    located = location_export.writes_location(store) if location is None else location
    return [p for p, tags in store.photos.list_photos(profile)
            if (tags or p.id in marked or (located and p.gps_lat is not None)) and p.status in ("ok", "warning")]


def export_photos(store: Store, profile: Profile, photos: Iterable[Photo], *, embed: bool = False,
                  style: str = "auto", dry_run: bool = False, location: bool | None = None) -> ExportReport:
    """Write each photo's keywords into its files: one result per file (a RAW+JPEG pair may
    have two), or one failed result for a photo that could not be exported. ``location``:
    also the place its GPS names (None: as the library's ``write_location`` option says)."""
    report = ExportReport()
    if not dry_run:
        recover_journal(store)
    library = Library(store, location)
    for photo in photos:
        try:
            if dry_run:
                changes, *_ = _plan(store, library, profile, photo, embed=embed, style=style)
                report.results += [PhotoExport(photo.path, "would write" if c.changed else "unchanged", c)
                                   for c in changes]
                continue
            if report.run_id is None:
                report.run_id = store.exports.start_run(profile)
            changes = _export_one(store, library, profile, photo, embed=embed, style=style, run_id=report.run_id)
            report.results += [PhotoExport(photo.path, "written" if c.changed else "unchanged", c) for c in changes]
        except ExportError as exc:
            report.results.append(PhotoExport(photo.path, "failed", reason=str(exc)))
    return report


class Library:
    """Where an export may write: inside the folders the user added, links resolved (a photo
    scanned on its own also lets its own folder be written)."""

    def __init__(self, store: Store, location: bool | None = None):
        self.roots = [os.path.realpath(folder) for folder in store.photos.folders()]
        self.pair_raw = pairs_raw_jpeg(store)
        self.write_faces = face_export.writes_faces(store)  # her named faces go where the keywords go
        self.write_location = location_export.writes_location(store) if location is None else location

    def allowed(self, photo: Photo) -> list[str]:
        if any(is_within(photo.path, root) for root in self.roots):
            return self.roots
        return [os.path.dirname(os.path.abspath(photo.path))]


def _plan(store: Store, library: Library, profile: Profile, photo: Photo, *, embed: bool, style: str):
    """(the change to each target file, the reconciliation plan, the photo's files, the faces
    of each target file whose faces the export decides) from the files as they are now."""
    _check_same_picture(photo)
    files = photo_files(photo.path, photo.companion, library.pair_raw, library.allowed(photo))
    by_file, problems = keywords_by_file(photo.path, files.sidecars, files.companion)
    if problems:  # writing now could drop keywords that could not be read
        raise ExportError(f"{display_path(os.path.basename(photo.path))}: not all of its keywords could be read"
                          f" ({problems[0]}); left unchanged so that none is lost")
    state = store.sync.state(photo.id)
    plan = reconcile(state, files_now(state, _by_name(by_file)), _changed_at(files.all), profile.id)
    result = export_keywords(apply(state, plan, utc_now()), profile.id, {k for tags in by_file.values() for k in tags})
    targets, target_notes = write_targets(files, style, embed, [f for f, keywords in by_file.items() if keywords])
    # Where the files together already say what the history says, no file is created, and only
    # those that hold keywords and disagree are brought in step (each program reads its own).
    marks = store.marks.to_write(photo.id)  # a rating, label or pick set in tagassist goes where the keywords go
    faces = _plan_faces(store, profile, photo, targets) if library.write_faces else {}
    located = location_export.plan(store, photo, targets, files.all) if library.write_location else {}
    if set(result.keywords) == {k for keywords in by_file.values() for k in keywords} and marks is None:
        targets = [t for t in targets if t in files.sidecars or by_file.get(t)
                   or (t in faces and faces[t].plan.changed) or (t in located and located[t].write is not None)]
    kept_for_others = [f"{tag} stays: another profile of this library still has it" for tag in result.kept_for_others]
    changes = []
    for target in targets or [photo.path]:
        face_plan = faces.get(target) if targets else None
        before = tuple(sorted(by_file.get(target, ())))
        after = result.keywords if targets else before
        untouched = [f for f in by_file if f not in targets]
        notes = [f"{tag} stays in {display_path(os.path.basename(f))}, which this export does not write"
                 f"{_how_to_reach(f, embed)}"
                 for tag in result.removed for f in untouched if tag in by_file[f]]
        face_notes = list(face_plan.plan.notes) if face_plan else []
        if target in located and located[target].note:
            face_notes.append(located[target].note)
        place = located[target].write if targets and target in located else None
        changes.append(ExportChange(photo.path, target, before, after, _conflict_lines(plan.conflicts, profile),
                                    tuple(target_notes + notes + kept_for_others + face_notes),
                                    marks if targets else None, face_plan.words if face_plan else (), place))
    return changes, plan, files, faces, located


def _plan_faces(store: Store, profile: Profile, photo: Photo, targets: list[str]) -> dict[str, face_export.FilePlan]:
    """The faces of each file the export may write, where it has any to decide (she named one on
    the photo, or tagassist wrote one there before)."""
    named = face_export.ours(store, profile, photo)
    faces = {}
    for target in targets:
        planned = face_export.plan_file(store, profile, photo, target, read_for_writing(target), named)
        if planned is not None:
            faces[target] = planned
    return faces


def _check_same_picture(photo: Photo) -> None:
    """A photo replaced since the scan (same name, another picture) must not get the old one's
    keywords. Another tool writing keywords or a rating into the file changes its bytes but not
    the picture: its size in pixels, when and with which camera it was taken."""
    try:
        st = os.stat(photo.path)
    except FileNotFoundError:
        raise ExportError(f"{display_path(photo.path)} is not there any more (moved or deleted?)") from None
    if (st.st_size, st.st_mtime_ns) == (photo.size, photo.mtime_ns):
        return
    now = read_photo(photo.path, st.st_size, st.st_mtime_ns)
    if now.content_hash == photo.content_hash:
        return
    if [getattr(now, f) for f in _PICTURE] != [getattr(photo, f) for f in _PICTURE]:
        raise ExportError(f"{display_path(os.path.basename(photo.path))} is another picture since the last scan;"
                          " scan it again before writing its keywords")


_PICTURE = ("width", "height", "taken_at", "camera_make", "camera_model", "status")


def _by_name(by_file: dict[str, list[str]]) -> dict[str, list[str]]:
    return {os.path.basename(path): keywords for path, keywords in by_file.items()}


def _how_to_reach(file: str, embed: bool) -> str:
    if is_sidecar(file):
        return ""
    if is_raw_name(file):
        return " (a RAW file is never written)"
    return ": export with --embed to remove it there too" if not embed else ""


def _export_one(store: Store, library: Library, profile: Profile, photo: Photo, *, embed: bool, style: str,
                run_id: int) -> list[ExportChange]:
    intents = []
    with store.transaction():  # the write lock, held while the files are read, decided and written
        changes, plan, files, faces, located = _plan(store, library, profile, photo, embed=embed, style=style)
        before_export = store.sync.state(photo.id)  # for undo: what tagassist had seen in each file
        store.sync.apply_plan(photo.id, plan)
        written = []
        for change in changes:
            face_plan = faces.get(change.target)
            face_base = face_plan.next_base if face_plan else None
            if change.changed:
                current = read_for_writing(change.target)
                data, notes = render(change.target, current, change.after, tags_list=style == "digikam",
                                     seed=(photo.rating, photo.label, photo.pick), marks=change.marks,
                                     location=change.location)
                if notes:
                    change = replace(change, notes=change.notes + tuple(notes))
                face_record = None
                if face_plan is not None:  # her faces into the same bytes: one write, one undo
                    data, regions = face_export.render(photo, change.target, data, face_plan.base, face_plan.named)
                    face_base = face_export.next_base(face_plan.base, regions, face_plan.named)
                    face_record = (profile.id, face_export.to_json(face_plan.base), face_export.to_json(face_base))
                place_record = None
                if change.location is not None:  # undo puts the location base back with the bytes
                    place_record = (located[change.target].base or (), change.location)
                journal = journal_write(store, run_id, photo.id, change.target, current, data, change.added,
                                        change.removed, _seen_in(before_export, change, current),
                                        None if current is None else change.before, faces=face_record,
                                        location=place_record)
                try:
                    write_file(change.target, data, current, inside=library.allowed(photo))
                except ExportError:
                    forget(journal)  # this file is as it was; files written before stay journalled
                    raise
                intents.append(journal)
                if change.location is not None:
                    location_export.save_base(store, photo.id, change.target, change.location)
            if face_plan is not None and face_base != face_plan.base:
                face_export.save_base(store, profile, photo.id, change.target, face_base)
            written.append(change)
        _refresh_base(store, profile, photo, written, library)
        if any(change.marks is not None for change in written):
            store.marks.written(photo.id)
    for journal in intents:  # committed: the journal in the database is the record now
        forget(journal[:1])
    return written


def _seen_in(state, change: ExportChange, current: bytes | None) -> frozenset[str] | None:
    """What tagassist had seen in the target before the export: its base; for a file it had
    never read, the keywords it held that the photo held too (as ``files_now`` counts them);
    None for a file the export creates."""
    name = os.path.basename(change.target)
    if state.file_bases and name in state.file_bases:
        return state.file_bases[name]
    return None if current is None else frozenset(change.before) & state.base


def _refresh_base(store: Store, profile: Profile, photo: Photo, changes: list[ExportChange],
                  library: Library) -> None:
    """What the files hold now becomes the base; removals that left every file are done."""
    files = photo_files(photo.path, photo.companion, library.pair_raw, library.allowed(photo))
    by_file, _ = keywords_by_file(photo.path, files.sidecars, files.companion)
    now_in_files = {k for keywords in by_file.values() for k in keywords}
    _set_base(store, photo, by_file)
    removed = {tag for change in changes for tag in change.removed}
    store.sync.mark_removals_written(profile, photo.id, [t for t in sorted(removed) if t not in now_in_files])
    if any(change.target == photo.path and change.changed for change in changes):
        # embedded: the file's size, time and content hash changed
        refreshed = read_photo(photo.path, os.path.getsize(photo.path), os.stat(photo.path).st_mtime_ns,
                               files.sidecars, files.companion)
        if photo.content_hash and refreshed.content_hash != photo.content_hash:
            store.embeddings.copy_embeddings(photo.content_hash, refreshed.content_hash)  # same pixels, same vectors
        refreshed.id = photo.id
        refreshed.sidecar_signature = photo.sidecar_signature
        store.photos.save(refreshed)


def _changed_at(paths: Iterable[str]) -> str:
    newest = max((os.stat(p).st_mtime_ns for p in paths if os.path.exists(p)), default=0)
    return datetime.fromtimestamp(newest / 1e9, UTC).isoformat(timespec="microseconds")


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
    changed since that export is left alone unless ``force``: undo never loses later work. A
    file already back as it was counts as restored: after an undo killed half way, run again,
    its history is made sure of; where another tool brought the same bytes back, the history
    is left for the next scan to see that tool's change."""
    recover_journal(store)
    runs = store.exports.runs(include_undone=run_id is not None)
    run = next((r for r in runs if run_id is None or r["id"] == run_id), None)
    if run is None:
        raise LookupError("no export to undo" if run_id is None else f"no export run {run_id}")
    if run["undone_at"]:
        raise LookupError(f"export run {run['id']} was undone already ({run['undone_at']})")
    report = UndoReport(run["id"])
    profile = store.profiles.get(run["profile"]) if run["profile"] else None
    library = Library(store)
    for record in store.exports.files(run["id"]):  # newest first: a file written twice ends as before both
        path = record["path"]
        try:
            original = _read_backup(record["backup"])
        except OSError as exc:
            report.skipped.append((path, f"its copy from before the export cannot be read ({exc.strerror or exc})"))
            continue
        now = file_sha256(path)
        back_already = now == (hashlib.sha256(original).hexdigest() if original is not None else None)
        if not (back_already or force or now == record["written_sha256"]):
            report.skipped.append((path, "changed since that export; left as it is (--force puts it back anyway)"))
            continue
        if back_already and not record["undoing"]:
            report.restored.append(path)
            continue
        photo = store.photos.get(record["photo_id"]) if record["photo_id"] is not None else None
        if not (back_already or force) and photo is not None and _read_since(store, photo, record):
            report.skipped.append((path, "changed since that export and back again; left as it is (--force puts"
                                         " it back anyway)"))
            continue
        saved = store.sync.state(photo.id) if photo is not None else None
        saved_faces = (store.face_bases.get(profile, photo.id, os.path.basename(path))
                       if photo is not None and profile is not None else None)
        saved_location = store.location_bases.get(photo.id, os.path.basename(path)) if photo is not None else None
        if photo is not None and profile is not None:
            # The history first, committed: a process killed before the file is back then sees
            # keywords added in another tool (which change nothing), never removed ones.
            with store.transaction():
                _history_after_undo(store, profile, photo, record)
                store.exports.mark_file_undoing(record["id"])
        try:
            if not back_already:
                _restore(path, original, library.allowed(photo) if photo else library.roots, record["backup"])
        except (OSError, ExportError) as exc:
            if saved is not None:  # the file stayed as the export left it, and so does its base
                with store.transaction():
                    store.sync.set_base_keywords(photo.id, saved.base)
                    store.sync.set_file_base(photo.id, os.path.basename(path), (saved.file_bases or {}).get(
                        os.path.basename(path)))
                    if profile is not None and record["prior_faces"] is not None:
                        face_export.save_base(store, profile, photo.id, path, saved_faces)
                    if record["prior_location"] is not None:
                        location_export.save_base(store, photo.id, path, saved_location)
            report.skipped.append((path, str(exc)))
            continue
        report.restored.append(path)
    store.exports.mark_run_undone(run["id"])
    return report


def _read_since(store: Store, photo: Photo, record: dict) -> bool:
    """Whether a scan read keywords in the file since the export that neither it wrote nor
    the file had before: the file holds the export's bytes again, but another tool changed it
    meanwhile, and putting back the old bytes would hide that change from the next sync."""
    seen = (store.sync.state(photo.id).file_bases or {}).get(os.path.basename(record["path"]))
    return seen is not None and not set(seen) <= set(keywords_of_copy(record["path"], record["path"])) | set(
        record["prior_base"] or ())


def _read_backup(backup: str | None) -> bytes | None:
    if backup is None:
        return None  # the export created the file
    with open(backup, "rb") as f:
        return f.read()


def _restore(path: str, original: bytes | None, inside: list[str], backup: str | None) -> None:
    if original is None:
        if not any(is_within(path, root) for root in inside):
            raise ExportError(f"{display_path(path)} is outside the library's folders; left as it is")
        os.unlink(path)
    else:
        write_file(path, original, read_for_writing(path), inside=inside)
        put_back_times(backup, path)


def _history_after_undo(store: Store, profile: Profile, photo: Photo, record: dict) -> None:
    """The file's base is again what tagassist had seen in it before the export (None: never
    read), so what another tool changed in it before that export is seen again at the next
    sync, and nothing more; the removals the undo brings back are pending again. The photo's
    base stays, for the history did not change: the next export writes your keywords again and
    takes out again what you removed. Written before the file is put back, so that a process
    killed between the two sees keywords added by another tool (which change nothing), never
    removed ones.

    A keyword the put-back copy holds that the photo's base holds too is no news either: the
    export had counted it (imported it, or found it known), and counting it again as another
    tool's addition would undo a removal made in another of the photo's files since."""
    base = record["prior_base"]
    if base is not None and record["backup"] is not None:
        restored = keywords_of_copy(record["path"], record["backup"])
        base = set(base) | (set(restored) & store.sync.state(photo.id).base)
    store.sync.set_file_base(photo.id, os.path.basename(record["path"]), base)
    store.sync.mark_removals_pending(profile, photo.id, record["removed"])
    if record["prior_faces"] is not None:  # the faces tagassist had written there before, back with the bytes
        face_export.save_base(store, profile, photo.id, record["path"], record["prior_faces"])
    if record["prior_location"] is not None:  # and the location it had written there before
        location_export.save_base(store, photo.id, record["path"], record["prior_location"])


def _set_base(store: Store, photo: Photo, by_file: dict[str, list[str]]) -> None:
    store.sync.set_base_keywords(photo.id, {k for keywords in by_file.values() for k in keywords})
    store.sync.set_file_bases(photo.id, _by_name(by_file))
