"""``tagassist demo``: the sample library, scanned into its own database, shown headless."""

from __future__ import annotations

from argparse import Namespace

from ..paths import data_dir, display_path, sample_library_dir
from ..store import Store
from .library_commands import run_scan
from .output import EXIT_OK, UserError, emit_json, say


def cmd_demo(args: Namespace) -> int:
    library = sample_library_dir()
    if not library.is_dir():
        raise UserError(f"the sample library is missing: {display_path(library)}")
    with Store(args.db or data_dir() / "demo.sqlite") as store:
        profile = store.profile(args.profile)
        summary = run_scan(store, profile, [str(library)])
        vocabulary = store.vocabulary(profile)
        untagged = store.list_photos(profile, untagged=True)
        if args.json:
            emit_json({
                "library": str(library),
                "photos": summary.found,
                "vocabulary": [{"tag": t, "photos": n} for t, n in vocabulary],
                "untagged": [p.path for p, _ in untagged],
            })
            return EXIT_OK
        say(f"Sample library: {library}")
        say(f"{summary.found} photos, {len(vocabulary)} keywords in this photographer's history.")
        say("Most used: " + ", ".join(f"{t} ({n})" for t, n in vocabulary[:12]))
        say(f"{len(untagged)} photos have no keywords yet:")
        for photo, _ in untagged:
            say(f"  {photo.path}  ({photo.taken_at}, {photo.camera_make} {photo.camera_model})")
    return EXIT_OK
