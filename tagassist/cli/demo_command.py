"""``tagassist demo``: the sample library in the desktop app where there is a display; else
(or with ``--headless``) scanned and indexed into its own database, with the suggestions for
its untagged photos printed. Either way it says which it did and where the database is."""

from __future__ import annotations

import shutil
from argparse import Namespace
from pathlib import Path

from ..paths import data_dir, display_path, sample_library_dir
from ..runtime import display_available
from ..services.identity import photographer
from ..services.library import open_library
from .engine_commands import index_photos, open_indexer, suggestions_for
from .library_commands import run_scan
from .output import EXIT_OK, UserError, emit_json, say


def _own_copy(shipped: Path) -> Path:
    """The sample library copied into the user's data folder once: the demo tags and writes
    keywords into that copy, never into the files tagassist was installed with."""
    copy = data_dir() / "sample-library"
    if not copy.is_dir():
        partial = copy.with_name(copy.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(shipped, partial)
        partial.rename(copy)  # a copy cut short is never taken for the library
    return copy


def cmd_demo(args: Namespace) -> int:
    """The desktop app on the sample library where there is a display, else the headless demo."""
    shipped = sample_library_dir()
    if not shipped.is_dir():
        raise UserError(f"the sample library is missing: {display_path(shipped)}")
    library = _own_copy(shipped)
    db_path = args.db or data_dir() / "demo.sqlite"
    if not args.headless and not args.json:
        if display_available():
            from ..ui.app import run

            say(f"Opening the desktop app on the sample library (database: {display_path(db_path)})")
            return run(str(db_path), args.profile, [str(library)])
        say("No display found: the demo runs in the terminal ('tagassist demo' in a desktop session opens"
            " the app)")
    with open_library(db_path) as store:
        profile = store.profiles.get(photographer(args.profile))
        summary = run_scan(store, profile, [str(library)])
        index_photos(store, open_indexer(store, None, None))  # the whole library, as a first run would
        vocabulary = store.history.vocabulary(profile)
        untagged = [photo for photo, _ in store.photos.list_photos(profile, untagged=True)]
        suggestions = suggestions_for(store, profile, untagged, k=5)
        if args.json:
            emit_json({
                "library": str(library),
                "photos": summary.found,
                "vocabulary": [{"tag": t, "photos": n} for t, n in vocabulary],
                "suggestions": suggestions,
            })
            return EXIT_OK
        say(f"Sample library: {library} (a copy of the one tagassist came with)")
        say(f"Database: {display_path(db_path)} (your own library's is not touched)")
        say(f"{summary.found} photos, {len(vocabulary)} keywords in this photographer's history.")
        say("Most used: " + ", ".join(f"{t} ({n})" for t, n in vocabulary[:12]))
        say(f"{len(untagged)} photos have no keywords yet; what tagassist suggests for them:")
        for photo, result in zip(untagged, suggestions):
            say()
            say(f"{result['photo']}  ({photo.taken_at}, {photo.camera or 'unknown camera'})")
            for rank, s in enumerate(result["suggestions"], 1):
                say(f"  {rank}. {s['tag']:<28} {s['score']:.2f}  {s['reason']}")
    return EXIT_OK
