"""CLI commands over the inference engine: index, suggest, find."""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..records import Photo, Profile
from ..services import indexing, suggesting
from ..services.library import Store, set_library_option
from .output import EXIT_OK, EXIT_SOME_FAILED, ProgressBar, emit_json, say
from .photo_arg import resolve_photo


def _notice(message: str) -> None:
    print(f"tagassist: {message}", file=sys.stderr)


@contextmanager
def _bar(label: str) -> Iterator[Callable[[object], None]]:
    """What to call with each indexing progress: a progress bar on a terminal."""
    bar = ProgressBar(label)
    try:
        yield lambda progress: bar.update(progress.done, progress.total, progress.path or "")
    finally:
        bar.close()


def open_indexer(store: Store, encoder_name: str | None, device_name: str | None):
    return indexing.open_indexer(store, encoder_name, device_name, on_notice=_notice)


def index_photos(store: Store, indexer, photos: list[Photo] | None = None, *, label: str = "Indexing"):
    with _bar(label) as show:
        for progress in indexing.index(store, indexer, photos):
            show(progress)
    return indexer.summary


def find_faces(store: Store, profile: Profile, photos: list[Photo] | None = None) -> tuple[int, int, str | None]:
    """The faces pass (after indexing; for ``photos``, else the library's): (faces found, photos
    looked at, why none were looked for or None)."""
    from ..services import faces  # the face detector's code: only for index, not suggest

    why = None if faces.faces_on(store) else "faces are off for this library (tagassist index --faces on)"
    why = why or faces.faces_unavailable()
    found = looked = 0
    if why is None:
        with _bar("Looking for faces") as show:
            for progress in faces.find_faces(store, profile, photos):
                show(progress)
                found, looked = progress.found, progress.done
    return found, looked, why


def cmd_index(args: Namespace, store: Store, profile: Profile) -> int:
    if args.faces:
        set_library_option(store, "faces", args.faces)
    indexer = open_indexer(store, args.encoder, args.device)
    summary = index_photos(store, indexer)
    found, looked, no_faces = find_faces(store, profile)
    if args.json:
        emit_json({
            "encoder": summary.encoder_id,
            "device": str(indexer.device),
            "indexed": summary.indexed,
            "failed": [{"path": p, "reason": r} for p, r in summary.failed],
        })
    else:
        for path, reason in summary.failed:
            say(f"error: {path}: {reason}")
        say(f"{summary.indexed} photos indexed with {summary.encoder_id} on {indexer.device};"
            f" {len(summary.failed)} failed")
        if no_faces is not None:
            say(no_faces)
        elif looked:
            say(f"{found} faces found on {looked} photos")
        else:
            say(f"no photos left to look at for faces ({store.faces.count()} faces in the library)")
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def suggestions_for(store: Store, profile: Profile, photos: list[Photo], k: int,
                    device: str | None = None) -> list[dict]:
    """Suggestions as the JSON the CLI prints; photos not yet indexed are indexed first."""
    with _bar("Indexing") as show:
        ranked = suggesting.suggest_photos(store, profile, photos, k, device=device, on_notice=_notice,
                                           on_progress=show)
    return [
        {"photo": photo.path, "suggestions": [{"tag": s.tag, "score": s.score, "reason": s.reason} for s in found]}
        for photo, found in zip(photos, ranked)
    ]


def cmd_suggest(args: Namespace, store: Store, profile: Profile) -> int:
    photos = [resolve_photo(store, profile, path) for path in args.photos]
    results = suggestions_for(store, profile, photos, args.suggestion_count, args.device)
    if args.json:
        emit_json(results)
        return EXIT_OK
    for result in results:
        say(result["photo"])
        for rank, s in enumerate(result["suggestions"], 1):
            say(f"  {rank:>2}. {s['tag']:<30} {s['score']:.2f}  {s['reason']}")
        if not result["suggestions"]:
            say("  (no suggestions yet: tag a few photos first)")
    return EXIT_OK


def cmd_find(args: Namespace, store: Store, profile: Profile) -> int:
    """Photos that should carry a keyword too, best first; accepting and rejecting them is
    ``tag --add`` and ``tag --reject``."""
    from ..services import finding

    review, found = finding.find(store, profile, args.keyword, limit=args.limit,
                                 folder=args.folder and os.path.abspath(args.folder))
    if args.json:
        emit_json([f.as_json() for f in found])
        return EXIT_OK
    if review.unindexed:
        _notice(f"{review.unindexed} photos are not indexed: only their shoot, place and keywords count"
                " (run 'tagassist index')")
    for f in found:
        say(f"{f.score:.2f}  {f.path}  {f.reason}")
    if not found:
        say(f"no more photos for '{review.keyword}': every photo carries it or was rejected for it")
    else:
        say(f"about {review.expected_remaining():.0f} more expected among the candidates; accept with"
            f" 'tagassist tag PHOTO --add \"{review.keyword}\"', reject with --reject")
    return EXIT_OK
