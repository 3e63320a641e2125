"""CLI commands over the inference engine: index, suggest."""

from __future__ import annotations

import sys
from argparse import Namespace

from ..services import indexing
from ..store import Photo, Profile, Store
from .library_commands import resolve_photo
from .output import EXIT_OK, EXIT_SOME_FAILED, ProgressBar, emit_json, say

def _notice(message: str) -> None:
    print(f"tagassist: {message}", file=sys.stderr)


def open_indexer(store: Store, encoder_name: str | None, device_name: str | None):
    return indexing.open_indexer(store, encoder_name, device_name, on_notice=_notice)


def index_photos(store: Store, indexer, photos: list[Photo] | None = None, *, label: str = "Indexing"):
    bar = ProgressBar(label)
    try:
        for progress in indexing.index(store, indexer, photos):
            bar.update(progress.done, progress.total, progress.path or "")
    finally:
        bar.close()
    return indexer.summary


def cmd_index(args: Namespace, store: Store, profile: Profile) -> int:
    indexer = open_indexer(store, args.encoder, args.device)
    summary = index_photos(store, indexer)
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
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def suggestions_for(store: Store, profile: Profile, photos: list[Photo], k: int, device: str | None = None) -> list[dict]:
    """Suggestions as the JSON the CLI prints; photos not yet indexed are indexed first."""
    from ..engine.suggest import Suggester
    from ..models.scoring import active_model_scorer

    indexer = open_indexer(store, None, device)
    missing = {p.content_hash for p in store.photos_without_embedding(indexer.encoder.id)}
    todo = [p for p in photos if p.content_hash in missing]
    if todo:
        index_photos(store, indexer, todo)
    scorer = active_model_scorer(store, profile, indexer.encoder.id, on_problem=_notice)
    suggester = Suggester(store, profile, indexer.encoder.id, model_scorer=scorer)
    return [
        {"photo": photo.path,
         "suggestions": [{"tag": s.tag, "score": s.score, "reason": s.reason} for s in suggester.suggest(photo, k)]}
        for photo in photos
    ]


def cmd_suggest(args: Namespace, store: Store, profile: Profile) -> int:
    photos = [resolve_photo(store, profile, path) for path in args.photos]
    results = suggestions_for(store, profile, photos, args.k, args.device)
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
