"""Ranking a profile's vocabulary for one photo.

Each signal (``signals/``, one module each, registered once) scores every tag of the
vocabulary in [0, 1] as one numpy vector (``Suggester.signals``); ``rank`` combines them
(``ranker.py``: a weighted noisy-OR, so any strong signal alone can carry a tag and agreeing
signals reinforce each other, or the photographer's learned ranker) and the signal
contributing most to a tag gives its one-line reason. The history the signals read is
``history.ProfileHistory``, kept up to date in place as she tags. The scores shown are
calibrated on her newest shoots (``calibration.py``).

A trained personalized model, when the profile has one, is one more signal, and brings the
ranker learned with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Photo, Profile
from .calibration import Calibration, fit_calibration
from .history import COLD_START_PHOTOS, ProfileHistory
from .history_arrays import group_by_photo
from .ranker import SignalRanker, combine, default_weights
from .shoots import newest_shoots_start, shoot_ids
from .signals import FALLBACK, REGISTRY, Scene, Signal
from .signals.person import unseen_people
from .signals.place import far_places
from .source import HistorySource

__all__ = ["ProfileHistory", "Signals", "Suggester", "Suggestion"]

# How much each signal counts when the reason is chosen, beside its weight (rows as SIGNALS).
_EXPLAINS = np.array([s.explains for s in REGISTRY])[:, None]


@dataclass(frozen=True)
class Signals:
    """Every signal's score for every candidate tag of one photo."""

    vocabulary: list[str]  # the profile's tags, then extra candidates (content words, ...)
    values: np.ndarray  # (len(SIGNALS), len(vocabulary)), each in [0, 1]
    excluded: list[int]  # columns never suggested: on the photo, rejected there, muted
    known: int  # how many columns are the profile's own tags
    scene: Scene  # what the reasons quote


@dataclass(frozen=True)
class Suggestion:
    tag: str
    score: float
    reason: str


def _top_k(scores: np.ndarray, names: Sequence[str], k: int) -> list[int]:
    """Indices of the k best positive scores, ties by name: deterministic, and without sorting
    the whole vocabulary (argpartition first; every tie at the boundary is kept for the sort)."""
    scores = np.round(scores, 12)
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        kth = -np.partition(-scores[candidates], k - 1)[k - 1]
        candidates = candidates[scores[candidates] >= kth]
    return sorted(candidates.tolist(), key=lambda i: (-scores[i], names[i]))[:k]


# The engine's confidence is judged on her newest whole shoots holding at least this many
# photos, each as if it were her next (at most CALIBRATION_MAX of them are scored).
CALIBRATION_PHOTOS = 30
CALIBRATION_MAX = 120
CALIBRATION_SHOWN = 5  # suggestions per replayed photo: as many as are shown by default


class Suggester:
    """Suggestions for one profile, read from ``store``: any ``HistorySource`` (the library's
    store, the evaluator's folksonomy). ``model_scorer``, when given, maps a photo's embedding
    to a probability per tag (a trained personalized model). ``exclude_photo_ids`` hides photos
    from the history, so held-out photos can be scored honestly. ``calibrate``: whether the
    scores shown are calibrated on her newest shoots (``calibration.py``); the order of the
    suggestions is the same either way, so validation, which only ranks, skips it."""

    def __init__(
        self,
        store: HistorySource,
        profile: Profile,
        encoder_id: str | None = None,
        model_scorer: Callable[[np.ndarray], dict[str, float]] | None = None,
        exclude_photo_ids=frozenset(),
        *,
        calibrate: bool = True,
    ):
        self.store = store
        self.profile = profile
        self.encoder_id = encoder_id
        self.model_scorer = model_scorer
        self.exclude_photo_ids = frozenset(exclude_photo_ids)
        self.calibrate = calibrate
        self.refresh()

    @classmethod
    def restored(cls, store: HistorySource, profile: Profile, encoder_id: str | None, model_scorer,
                 history: ProfileHistory, calibration: Calibration) -> Suggester:
        """A suggester on a history and calibration built before (``history_state``: a cache),
        as the build that made them left them."""
        engine = cls.__new__(cls)
        engine.store, engine.profile, engine.encoder_id = store, profile, encoder_id
        engine.model_scorer, engine.calibrate = model_scorer, True
        engine.exclude_photo_ids = history.exclude_photo_ids
        engine.history, engine.calibration = history, calibration
        return engine

    def refresh(self, photo_ids=None) -> None:
        """Read the history again: all of it (and calibrate again), or only what changed on
        ``photo_ids``."""
        if photo_ids is not None and getattr(self, "history", None) is not None:
            self.history.update(self.store, self.profile, photo_ids)
            return
        self.calibration = Calibration()
        rows = self.store.history_rows(self.profile)
        newest = self._newest_shoots(rows) if self.calibrate else []
        held_out = {p.id for shoot in newest for p, _ in shoot}
        self.history = ProfileHistory(self.store, self.profile, self.encoder_id, self.exclude_photo_ids | held_out,
                                      rows=rows)
        if newest:
            self.calibration = self._replay(newest)

    def _newest_shoots(self, rows: list[tuple]) -> list[list[tuple[Photo, frozenset[str]]]]:
        """Her newest whole shoots (their photos and tags), oldest first, to replay; none while
        the history before them is too small to suggest from."""
        grouped = group_by_photo([r for r in rows if r[0] not in self.exclude_photo_ids])
        photos = sorted((Photo(path="", size=0, mtime_ns=0, id=pid, content_hash=r[0][1], taken_at=r[0][2],
                               gps_lat=r[0][3], gps_lon=r[0][4], camera_make=r[0][5], camera_model=r[0][6])
                         for pid, r in grouped.items()), key=lambda p: (p.taken_at or "", p.id))
        ids = shoot_ids(photos)
        start = newest_shoots_start(ids, CALIBRATION_PHOTOS)
        if start < COLD_START_PHOTOS:
            return []
        shoots: dict[int, list] = {}
        for photo, shoot in zip(photos[start:], ids[start:]):
            shoots.setdefault(shoot, []).append((photo, frozenset(r[7] for r in grouped[photo.id])))
        return list(shoots.values())

    def _replay(self, shoots: list[list[tuple[Photo, frozenset[str]]]]) -> Calibration:
        """Her chance of accepting a suggestion, by score: each of her newest shoots is
        suggested for as her next one (the history holds only the shoots before it), then goes
        back into the history. At most CALIBRATION_MAX photos are scored, spread evenly."""
        total = sum(map(len, shoots))
        every = max(1, math.ceil(total / CALIBRATION_MAX))
        scores, hits, seen = [], [], 0
        for shoot in shoots:
            for photo, truth in shoot:
                seen += 1
                if seen % every:
                    continue
                signals = self.signals(photo, hide_own_tags=True)
                combined = self._combined(signals)
                for i in _top_k(combined, signals.vocabulary, CALIBRATION_SHOWN):
                    scores.append(combined[i])
                    hits.append(signals.vocabulary[i] in truth)
            back = {p.id for p, _ in shoot}
            self.history.exclude_photo_ids -= back
            self.history.update(self.store, self.profile, back)
        return fit_calibration(scores, hits)

    def signals(self, photo: Photo, *, hide_own_tags: bool = False) -> Signals:
        """Every signal for every candidate tag of ``photo``. ``hide_own_tags`` scores a tagged
        photo as if it were untagged (for validation)."""
        h = self.history
        scene = Scene(self.store, self.profile, h, photo, encoder_id=self.encoder_id, model_scorer=self.model_scorer,
                      hide_own_tags=hide_own_tags)
        values = scene.matrix(REGISTRY)
        muted = h.muted_in_context(photo)
        excluded = [c for c in map(scene.column, scene.on_photo | scene.rejected | muted) if c is not None]
        excluded += np.flatnonzero(h.counts == 0).tolist()  # no photo has it any more
        excluded += far_places(h, photo)  # a place keyword obeys the GPS
        excluded += unseen_people(scene)  # and a person keyword the faces
        return Signals(scene.vocabulary, values, excluded, scene.known, scene)

    def rank(self, signals: Signals, k: int, *, ranker: SignalRanker | None | bool = True,
             model_weight: float | None = None) -> list[Suggestion]:
        """The top-k of a photo's signals. By default the ranker and model weight come with the
        trained model; validation passes them explicitly to compare alternatives."""
        scores = self._combined(signals, ranker, model_weight)
        order = _top_k(scores, signals.vocabulary, k)
        shown = self.calibration(scores[order]) if order else []
        # The reason names the signal that contributed most under the default weights,
        # preferring any specific one over plain frequency unless frequency gave twice as much.
        weights = np.asarray(default_weights(self._model_weight(model_weight)))[:, None]
        explaining = weights * np.clip(signals.values, 0, 1) * _EXPLAINS
        return [
            Suggestion(signals.vocabulary[i], round(float(score), 4),
                       self._reason(REGISTRY[int(np.argmax(explaining[:, i]))], signals, i))
            for i, score in zip(order, shown)
        ]

    def _combined(self, signals: Signals, ranker: SignalRanker | None | bool = True,
                  model_weight: float | None = None) -> np.ndarray:
        """One raw score per candidate (-1 for those never suggested), ranked as shown."""
        if ranker is True:
            ranker = getattr(self.model_scorer, "ranker", None)
        scores = combine(signals.values, ranker or None, self._model_weight(model_weight))
        scores[signals.excluded] = -1.0
        return scores

    def _model_weight(self, model_weight: float | None) -> float | None:
        """The trained model's weight: as given, else as chosen when it was trained."""
        if model_weight is None and self.model_scorer is not None:
            return getattr(self.model_scorer, "signal_weight", None)
        return model_weight

    def suggest(self, photo: Photo, k: int = 10, *, hide_own_tags: bool = False) -> list[Suggestion]:
        """Top-k suggestions. ``hide_own_tags`` scores a tagged photo as if it were untagged
        (for validation)."""
        return self.rank(self.signals(photo, hide_own_tags=hide_own_tags), k)

    @staticmethod
    def _reason(signal: Signal, signals: Signals, i: int) -> str:
        tag = signals.vocabulary[i]
        return signal.reason(signals.scene, i, tag) or FALLBACK.reason(signals.scene, i, tag)
