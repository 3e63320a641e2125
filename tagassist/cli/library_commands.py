"""CLI commands over the library: scan, photos, tags, tag, stats, doctor."""

from __future__ import annotations

import os
from argparse import Namespace

from ..paths import display_path
from ..records import Photo, Profile
from ..services import marks, scanning, tagging
from ..services.library import Store, set_library_option
from ..services.scanning import ScanSummary
from .output import EXIT_OK, EXIT_SOME_FAILED, ProgressBar, UserError, emit_json, say
from .photo_arg import resolve_photo


def run_scan(store: Store, profile: Profile, roots: list[str], *, import_keywords: bool = True) -> ScanSummary:
    bar = ProgressBar("Scanning")
    progress_and_summary = scanning.scan(store, profile, roots, import_keywords=import_keywords)
    try:
        while True:
            progress = next(progress_and_summary)
            bar.update(progress.done, progress.total, progress.path or "")
    except StopIteration as done:
        return done.value
    finally:
        bar.close()


def cmd_scan(args: Namespace, store: Store, profile: Profile) -> int:
    for root in args.dirs:
        if not os.path.exists(root):
            raise UserError(f"no such file or folder: {display_path(root)}")
    if args.raw_jpeg:
        set_library_option(store, "raw_jpeg", args.raw_jpeg)
    summary = run_scan(store, profile, args.dirs, import_keywords=not args.no_import)
    if args.json:
        data = {k: v for k, v in vars(summary).items() if k not in ("problems", "unreadable")}
        data["problems"] = [{"path": p, "status": s, "reason": r} for p, s, r in summary.problems]
        data["unreadable"] = [{"path": p, "reason": r} for p, r in summary.unreadable]
        data["refused"] = [{"path": p, "reason": r} for p, r in summary.refused]
        data["ambiguous_sidecars"] = [{"path": p, "photos": photos} for p, photos in summary.ambiguous_sidecars]
        data["failed"] = summary.failed
        data["conflicts"] = [{"path": p, "tag": t, "kept": w} for p, t, w in summary.conflicts]
        emit_json(data)
    else:
        _print_scan_summary(summary)
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _print_scan_summary(summary: ScanSummary) -> None:
    for path, status, reason in summary.problems:
        say(f"{status}: {path}: {reason}")
    for path, reason in summary.unreadable:
        say(f"unreadable: {path}: {reason}")
    for path, reason in summary.refused:
        say(f"not scanned: {path}: {reason}")
    for path in summary.orphaned_sidecars:
        say(f"sidecar without its photo: {path}: no photo here has its name (renamed or deleted without it?);"
            " not read, never written")
    for path, photos in summary.ambiguous_sidecars:
        say(f"sidecar of several photos: {path}: it could belong to {' or '.join(photos)}; read for none of them,"
            " never written (their keywords go to sidecars named after each file)")
    for path, tag, winner in summary.conflicts:
        side = "tagassist's change (newer)" if winner == "tagassist" else "the file's change (newer)"
        say(f"conflict: {path}: {tag}: changed in tagassist and in another tool; kept {side}")
    say(
        f"{summary.found} photos in {summary.seconds:.1f} s: {summary.added} new,"
        f" {summary.updated} changed, {summary.moved} moved, {summary.unchanged} unchanged,"
        f" {summary.missing} missing; {summary.imported_tags} keywords imported,"
        f" {summary.removed_elsewhere} removed in other tools;"
        f" {summary.failed} failed, {len(summary.problems) - summary.failed + len(summary.unreadable)}"
        f" with warnings; {summary.other_files} other files skipped"
    )


def photo_json(photo: Photo, tags: list[str] | None = None) -> dict:
    data = {
        "path": photo.path,
        "status": photo.status,
        "reason": photo.error,
        "taken_at": photo.taken_at,
        "camera": photo.camera,
        "width": photo.width,
        "height": photo.height,
        "format": photo.format,
    }
    if photo.companion:  # a RAW+JPEG pair
        data["companion"] = photo.companion
    if photo.rating is not None:
        data["rating"] = photo.rating
    if photo.label:
        data["label"] = photo.label
    if photo.pick == marks.PICKED:
        data["picked"] = True
    if tags is not None:
        data["tags"] = tags
    return data


def cmd_photos(args: Namespace, store: Store, profile: Profile) -> int:
    rows = store.photos.list_photos(profile, untagged=args.untagged, tag=args.tag, problems=args.problems,
                             search=args.search, rating=args.rating, label=args.label, pick=args.pick)
    if args.json:
        emit_json([photo_json(photo, tags) for photo, tags in rows])
        return EXIT_OK
    for photo, tags in rows:  # a RAW+JPEG pair by its JPEG, as the app shows it (--json: path is the RAW)
        line = f"{photo.pixels_path}\t{len(tags)} tags"
        if photo.taken_at or photo.camera:
            line += f"\t{(photo.taken_at or '').replace('T', ' ')}\t{photo.camera or ''}"
        if photo.status != "ok":
            line += f"\t{photo.status}: {photo.error or ''}"
        if photo.companion:
            line += f"\twith its RAW {os.path.basename(photo.path)}"
        say(line)
    return EXIT_OK


def cmd_tags(args: Namespace, store: Store, profile: Profile) -> int:
    photo = resolve_photo(store, profile, args.photo, scan_if_new=False)
    tags = store.history.photo_tags(profile, photo.id)
    rejected = store.history.photo_rejections(profile, photo.id)
    removals = store.sync.removal_history(profile, photo.id)
    if args.json:
        emit_json(
            {
                "photo": photo.path,
                "tags": [
                    {"tag": a.tag, "source": a.source, "time": a.created_at, "model_version": a.model_version,
                     "score": a.score}
                    for a in tags
                ],
                "rejected": [{"tag": r.tag, "time": r.created_at, "model_version": r.model_version} for r in rejected],
                "removed": [{"tag": r["tag"], "time": r["time"],
                             "by": "another tool" if r["origin"] == "file" else "you, in tagassist",
                             "still_in_files": bool(r["pending"])} for r in removals],
            }
        )
        return EXIT_OK
    for a in tags:
        say(f"{a.tag}\t{a.source}")
    for r in rejected:
        say(f"{r.tag}\trejected")
    for r in removals:
        say(f"{r['tag']}\tremoved {'in another tool' if r['origin'] == 'file' else 'in tagassist'}")
    return EXIT_OK


def _photos_among_the_tags(args: Namespace) -> None:
    """``tag --add street a.jpg`` gives argparse a.jpg as a tag: a photo file there is a photo."""
    for option in ("add", "remove", "reject"):
        names = getattr(args, option)
        args.photos += [name for name in names if scanning.is_photo_file(name)]
        setattr(args, option, [name for name in names if not scanning.is_photo_file(name)])


def cmd_tag(args: Namespace, store: Store, profile: Profile) -> int:
    _photos_among_the_tags(args)
    if not args.photos:
        raise UserError("name the photos to tag: tagassist tag PHOTO... --add TAG (no argument is a photo file)")
    pick = marks.PICKED if args.pick else marks.NO_PICK if args.unflag else marks.KEEP
    if not (args.add or args.remove or args.reject or args.rating is not None or args.label is not None
            or pick is not marks.KEEP):
        raise UserError("nothing to do: give --add, --remove, --reject, --rating, --label, --pick or --unflag")
    if pick is not marks.KEEP and args.rating is not None:
        raise UserError("give --rating or --pick/--unflag, not both (a rating of -1 is the reject flag)")
    label = marks.KEEP if args.label is None else marks.label_named(args.label)  # checked before any change
    photos = [resolve_photo(store, profile, path) for path in args.photos]
    ids = [p.id for p in photos]
    with store.transaction():
        before = store.changes.counter()  # the write lock is held: what moves it here is this command
        counts = tagging.change_tags(store, profile, ids, add=args.add, remove=args.remove, reject=args.reject)
        if args.rating is not None or label is not marks.KEEP or pick is not marks.KEEP:
            marks.set_marks(store, ids, rating=marks.KEEP if args.rating is None else args.rating, label=label,
                            pick=pick, toggle=False)
        after = store.changes.counter()
    from ..services import suggesting  # the engine's modules: loaded by the tag command only

    suggesting.keep_after_edit(store, profile, ids, before, after)  # the next suggest need not build its engine
    added, removed, rejected = counts.added, counts.removed, counts.rejected
    if args.json:
        emit_json({"photos": [p.path for p in photos], "added": added, "removed": removed, "rejected": rejected,
                   **({"rating": args.rating} if args.rating is not None else {}),
                   **({"label": label} if label is not marks.KEEP else {}),
                   **({"pick": "picked" if pick == marks.PICKED else "none"} if pick is not marks.KEEP else {})})
    else:
        marked = "".join([f"; rating {args.rating}" if args.rating is not None else "",
                          f"; label {label or 'none'}" if label is not marks.KEEP else "",
                          f"; {'picked' if pick == marks.PICKED else 'unflagged'}" if pick is not marks.KEEP else ""])
        say(f"{len(photos)} photo(s): {added} tag(s) added, {removed} removed, {rejected} rejected{marked}"
            + (" (written into the files at the next export)" if marked else ""))
    return EXIT_OK


def cmd_stats(args: Namespace, store: Store, profile: Profile) -> int:
    stats = store.stats(profile)
    if args.json:
        emit_json(stats)
        return EXIT_OK
    width = max(map(len, stats))
    for key, value in stats.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(value)
        say(f"{key.replace('_', ' '):<{width}}  {value}")
    return EXIT_OK


def cmd_doctor(args: Namespace, store: Store, profile: Profile) -> int:
    problems = store.integrity_problems()
    vanished = [
        photo.path
        for photo, _ in store.photos.list_photos(profile)
        if photo.status != "missing" and not os.path.exists(photo.path)
    ]
    report = {
        "database": str(store.path),
        "schema_version": store.schema_version,
        "integrity": problems or "ok",
        "photos_missing_since_last_scan": vanished,
    }
    if args.json:
        emit_json(report)
    else:
        say(f"database      {store.path} (schema {report['schema_version']})")
        say(f"integrity     {'ok' if not problems else '; '.join(problems)}")
        say(f"files         {len(vanished)} photo(s) gone since the last scan")
        for path in vanished[:20]:
            say(f"  gone: {path}")
        if vanished:
            say("  run 'tagassist scan' on their folders to mark them missing (their tags are kept)")
    return EXIT_SOME_FAILED if problems or vanished else EXIT_OK
