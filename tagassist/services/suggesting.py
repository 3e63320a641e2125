"""The suggestion engine, assembled here once for every caller: ``tagassist suggest``, the
demo, the self-test and the app all get it from ``build``, so each suggests with the library's
encoder and the photographer's active model (or the untrained engine) in the same way.

- ``build``: one profile's engine over an open store.
- ``suggest_photos``: suggestions for some photos, indexing first those without an embedding
  (the CLI's suggest, the demo, the self-test).
- ``LiveSuggester``: the app's engine, kept between requests; a tag change updates it in place,
  and the active model is loaded again only when it or the encoder changed. It suggests for a
  selection of photos at once (``aggregate``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..store import Photo, Profile, Store
from . import engine_cache, indexing

log = logging.getLogger(__name__)

ACTIVE_MODEL = "active"  # build(model_scorer=...): the profile's active model, if it has one


def build(store: Store, profile: Profile, encoder_id: str | None = None, *, model_scorer=ACTIVE_MODEL,
          on_problem: Callable[[str], None] | None = None, exclude_photo_ids=frozenset(), calibrate: bool = True,
          cached: bool | None = None):
    """The engine (an ``engine.suggest.Suggester``) for ``profile``. ``encoder_id``: whose
    embeddings the visual signals read (default: the library's). ``model_scorer``: the
    profile's active model (default), None for the untrained engine, or any scorer (a
    candidate being judged). ``on_problem`` hears why an active model was skipped.
    ``cached``: from the state the last build kept, where it is current (``engine_cache``);
    by default for the active model's engine, the one every process builds alike."""
    from ..engine.suggest import Suggester

    encoder_id = encoder_id or store.settings.active_encoder()
    if cached is None:
        cached = model_scorer is ACTIVE_MODEL
    if model_scorer is ACTIVE_MODEL:
        model_scorer = active_scorer(store, profile, encoder_id, on_problem)
    if cached and calibrate and not exclude_photo_ids:
        return engine_cache.cached_suggester(store, profile, encoder_id, model_scorer)
    return Suggester(store.history, profile, encoder_id, model_scorer=model_scorer, exclude_photo_ids=exclude_photo_ids,
                     calibrate=calibrate)


def keep_after_edit(store: Store, profile: Profile, photo_ids: list[int], before: int, after: int) -> bool:
    """Tags of ``photo_ids`` changed in one transaction, in which the change counter went from
    ``before`` to ``after``: the engine's kept state follows (``engine_cache.kept_after_edit``),
    so that the next ``tagassist suggest`` reads it instead of building it again."""
    encoder_id = store.settings.active_encoder()
    path = engine_cache.cache_file(store, profile, encoder_id)
    if before == after or path is None or not path.is_file():  # nothing to follow: no model loaded for it
        return False
    return engine_cache.kept_after_edit(store, profile, encoder_id, active_scorer(store, profile, encoder_id),
                                        photo_ids, before, after)


def active_scorer(store: Store, profile: Profile, encoder_id: str | None,
                  on_problem: Callable[[str], None] | None = None):
    """The profile's active model trained on ``encoder_id``'s embeddings, or None."""
    from ..models.scoring import active_model_scorer

    return active_model_scorer(store, profile, encoder_id, on_problem=on_problem) if encoder_id else None


def suggest_photos(store: Store, profile: Profile, photos: list[Photo], k: int, *, device: str | None = None,
                   on_notice: Callable[[str], None] = log.warning,
                   on_progress: Callable[[object], None] = lambda progress: None) -> list[list]:
    """The ``k`` best suggestions for each photo (``engine.suggest.Suggestion``: tag, score,
    reason), with the library's encoder; photos not yet indexed are indexed first
    (``on_progress`` hears how far). The encoder is built only then: suggesting from stored
    vectors imports no torch."""
    encoder_id = store.settings.active_encoder()
    if indexing.lacking_embedding(store, encoder_id, photos):
        indexer = indexing.open_indexer(store, None, device, on_notice)
        todo = indexing.unindexed(store, indexer, photos)
        if todo:
            for progress in indexing.index(store, indexer, todo):
                on_progress(progress)
        encoder_id = indexer.encoder.id
    engine = build(store, profile, encoder_id, on_problem=on_notice)
    return [engine.suggest(photo, k) for photo in photos]


@dataclass(frozen=True)
class GroupSuggestion:
    tag: str
    score: float  # mean over the selected photos
    reason: str  # the reason on the photo where the tag scored best
    applies_to: int  # how many of the selected photos rank it in their top k


def aggregate(per_photo: Iterable[list], n_photos: int, k: int) -> list[GroupSuggestion]:
    """Combine per-photo suggestions over a selection, best first (ties by tag)."""
    totals: dict[str, list] = {}
    for suggestions in per_photo:
        for s in suggestions:
            entry = totals.setdefault(s.tag, [0.0, 0, s.score, s.reason])
            entry[0] += s.score
            entry[1] += 1
            if s.score > entry[2]:
                entry[2], entry[3] = s.score, s.reason
    groups = [GroupSuggestion(t, round(total / max(n_photos, 1), 4), reason, count)
              for t, (total, count, _, reason) in totals.items()]
    return sorted(groups, key=lambda g: (-g.score, g.tag))[:k]


class LiveSuggester:
    """One profile's engine for the app, on a connection of its own (opened by the thread
    that uses it: a SQLite connection belongs to one thread)."""

    def __init__(self, db_path: str, profile_name: str):
        self.db_path, self.profile_name = db_path, profile_name
        self.store: Store | None = None
        self.engine = None
        self._scorer_key: tuple | None = None
        self._scorer = None
        self._changed_since: set[int] | None = None  # photos retagged while a current engine is built

    def open(self) -> bool:
        """The engine on the state the last build kept, current or not, so that the first
        suggestions need no build; True when it is stale: then a current one is built in the
        background (``jobs.engine``) and swapped in (``adopt``). Without one: built here."""
        if self.store is None:
            self.store = Store(self.db_path)
        profile = self.store.profiles.get(self.profile_name)
        encoder_id = self.store.settings.active_encoder()
        kept = engine_cache.kept_suggester(self.store, profile, encoder_id, self._cached_scorer(profile, encoder_id))
        if kept is None:
            self.rebuild()
            return False
        self.engine, current = kept
        self._changed_since = None if current else set()
        return not current

    def adopt(self, engine) -> None:
        """Swap in an engine built on another connection: it reads through this one from now
        on, and the photos retagged since it was started are read again."""
        engine.store = self.store.history
        changed, self._changed_since = self._changed_since or set(), None
        self.engine = engine
        if changed:
            engine.refresh(sorted(changed))

    def rebuild(self) -> None:
        """Everything read again: a new model, a new index, another photographer's import."""
        if self.store is None:
            self.store = Store(self.db_path)
        profile = self.store.profiles.get(self.profile_name)
        encoder_id = self.store.settings.active_encoder()
        self.engine = build(self.store, profile, encoder_id, model_scorer=self._cached_scorer(profile, encoder_id),
                            cached=True)

    def _cached_scorer(self, profile: Profile, encoder_id: str | None):
        """The active model's scorer, loaded (and its file verified) only when the active model
        or the encoder changed, not on every rebuild."""
        active = next(((m["version"], m["sha256"]) for m in self.store.models.of(profile) if m["active"]), None)
        key = (active, encoder_id)
        if self._scorer_key != key:
            self._scorer_key = key
            self._scorer = active_scorer(self.store, profile, encoder_id) if active else None
        return self._scorer

    def update(self, photo_ids: list[int]) -> None:
        """Tags changed on these photos: the history is updated in place."""
        if self._changed_since is not None:
            self._changed_since.update(photo_ids)
        if self.engine is None:
            self.rebuild()
        else:
            self.engine.refresh(photo_ids)

    def suggest(self, photo_ids: list[int], k: int) -> list[GroupSuggestion]:
        if self.engine is None:
            self.rebuild()
        per_photo = [self.engine.suggest(self.store.photos.get(pid), k) for pid in photo_ids]
        return aggregate(per_photo, len(photo_ids), k)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
