"""``tagassist export``: the profile's tags back into XMP sidecars (or, on request, JPEGs)."""

from __future__ import annotations

from argparse import Namespace

from ..library.keyword_export import ExportError, plan, write
from ..store import Profile, Store
from .library_commands import resolve_photo
from .output import EXIT_OK, EXIT_SOME_FAILED, UserError, emit_json, say


def cmd_export(args: Namespace, store: Store, profile: Profile) -> int:
    if args.all == bool(args.photos):
        raise UserError("name the photos to export, or give --all")
    if args.all:
        photos = [p for p, tags in store.list_photos(profile) if tags and p.status in ("ok", "warning")]
    else:
        photos = [resolve_photo(store, profile, path, scan_if_new=False) for path in args.photos]
    results, failed = [], 0
    for photo in photos:
        tags = [a.tag for a in store.photo_tags(profile, photo.id)]
        try:
            change = plan(photo.path, tags, embed=args.embed, style=args.style)
            if change.changed and not args.dry_run:
                write(change)
            status = ("would write" if args.dry_run else "written") if change.changed else "unchanged"
            results.append({"photo": photo.path, "file": change.target, "status": status,
                            "added": change.added, "removed": change.removed})
        except ExportError as exc:
            failed += 1
            results.append({"photo": photo.path, "status": "failed", "reason": str(exc)})
    if args.json:
        emit_json(results)
    else:
        for r in results:
            if r["status"] == "failed":
                say(f"failed: {r['photo']}: {r['reason']}")
            elif r["status"] != "unchanged":
                changes = " ".join([f"+{t}" for t in r["added"]] + [f"-{t}" for t in r["removed"]])
                say(f"{r['status']}: {r['file']}  {changes}")
        written = sum(r["status"] in ("written", "would write") for r in results)
        say(f"{written} file(s) {'would change' if args.dry_run else 'written'},"
            f" {sum(r['status'] == 'unchanged' for r in results)} already up to date, {failed} failed")
    return EXIT_SOME_FAILED if failed else EXIT_OK
