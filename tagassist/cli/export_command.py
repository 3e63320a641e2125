"""``tagassist export``: the profile's keywords back into XMP sidecars (or, on request, JPEGs),
with three-way sync so nothing another tool or profile added is lost; ``--undo`` reverses a run."""

from __future__ import annotations

import shlex
from argparse import Namespace

from ..records import Profile
from ..services.export import ExportReport, export_photos, exportable_photos, undo_export
from ..services.library import Store
from ..services.location_export import describe
from ..services.marks import pick_word
from .output import EXIT_OK, EXIT_SOME_FAILED, UserError, emit_json, say
from .photo_arg import resolve_photo


def cmd_export(args: Namespace, store: Store, profile: Profile) -> int:
    if args.history:
        return _history(args, store)
    if args.undo is not None:
        return _undo(args, store)
    if args.all == bool(args.photos):
        raise UserError("name the photos to export, or give --all")
    if args.all:
        photos = exportable_photos(store, profile, location=args.location or None)
    else:
        photos = [resolve_photo(store, profile, path, scan_if_new=False) for path in args.photos]
    report = export_photos(store, profile, photos, embed=args.embed, style=args.sidecar_style, dry_run=args.dry_run,
                           location=args.location or None)
    if args.json:
        emit_json([r.as_json() for r in report.results])
    else:
        _print(report, args.dry_run, _same_library(args))
    return EXIT_SOME_FAILED if report.count("failed") else EXIT_OK


def _same_library(args: Namespace) -> str:
    """The options that bring the next command to this library and photographer."""
    return "".join(f" --{name} {shlex.quote(value)}" for name, value in (("db", args.db), ("profile", args.profile))
                   if value)


def _print(report: ExportReport, dry_run: bool, options: str = "") -> None:
    for r in report.results:
        if r.status == "failed":
            say(f"failed: {r.failure}")
            continue
        change = r.change
        if r.status != "unchanged":
            rating, label, pick = change.marks or (None, None, None)
            marks = [] if change.marks is None else [f"rating {'none' if rating is None else rating},"
                                                     f" label {label or 'none'}, pick {pick_word(rating, pick)}"]
            place = [] if change.location is None else [f"location {describe(change.location)}"]
            changes = " ".join([f"+{t}" for t in change.added] + [f"-{t}" for t in change.removed] + marks
                               + list(change.faces) + place)
            say(f"{r.status}: {change.target}  {changes}")
        for line in change.conflicts:
            say(f"  conflict: {line}")
        for line in change.notes:
            say(f"  note: {line}")
    written = report.count("would write" if dry_run else "written")
    say(f"{written} file(s) {'would change' if dry_run else 'written'}, {report.count('unchanged')} already up to"
        f" date, {report.count('failed')} failed")
    if report.run_id is not None and written:
        say(f"undo with: tagassist{options} export --undo {report.run_id}")


def _undo(args: Namespace, store: Store) -> int:
    try:
        report = undo_export(store, args.undo or None, force=args.force)
    except LookupError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        emit_json({"run": report.run_id, "restored": report.restored,
                   "skipped": [{"file": p, "reason": why} for p, why in report.skipped]})
    else:
        for path in report.restored:
            say(f"restored: {path}")
        for path, why in report.skipped:
            say(f"skipped: {path}: {why}")
        say(f"export {report.run_id} undone: {len(report.restored)} file(s) restored, {len(report.skipped)} skipped")
    return EXIT_SOME_FAILED if report.skipped else EXIT_OK


def _history(args: Namespace, store: Store) -> int:
    runs = store.exports.runs()
    if args.json:
        emit_json(runs)
        return EXIT_OK
    for run in runs:
        state = f"undone {run['undone_at']}" if run["undone_at"] else "can be undone"
        say(f"{run['id']}\t{run['started_at']}\t{run['profile']}\t{run['files']} file(s)\t{state}")
    if not runs:
        say("no exports yet")
    return EXIT_OK
