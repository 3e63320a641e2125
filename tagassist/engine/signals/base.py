"""What a signal declares, the register every signal enters once, and the scene it scores."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...records import Photo, Profile
from ..history import ProfileHistory
from ..source import HistorySource


@dataclass(frozen=True)
class Scored:
    """One signal's scores for one photo, each in [0, 1]: an array over her tags (the
    history's columns), or {tag: score} for any tags (those not hers become candidates); and
    whatever its reason quotes."""

    values: np.ndarray | dict[str, float]
    detail: Any = None


class Signal:
    """One suggestion signal. A subclass in a module of this package, decorated with
    ``@register``, is all a new signal takes: the matrix of signals, the default noisy-OR, the
    learned ranker's features, the trainer's replay and the reasons all read the register."""

    name: str
    weight: float  # its weight in the default noisy-OR
    # Its row in every signal matrix: rows in this order. The noisy-OR multiplies in this
    # order and rankers saved by the research evaluator keep it, so a new signal takes a new,
    # larger position and the others keep theirs.
    position: int
    ranked = True  # a feature of the learned ranker (the trained model's weight is chosen apart)
    shared = False  # the ranker also reads each tag's share of this signal over the candidates
    explains = 1.0  # how much it counts when the reason is chosen (plain frequency: half)
    fallback = False  # its reason stands in when the signal that counted most has none to give

    def score(self, scene: Scene) -> Scored:
        raise NotImplementedError

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        """Why ``tag`` (column ``i`` of the vocabulary) is suggested, when this signal counted
        most; None: nothing specific to say (then the fallback signal's reason)."""
        return None


_REGISTERED: dict[str, Signal] = {}


def register(cls: type[Signal]) -> type[Signal]:
    """Class decorator: enters one instance of the signal in the register."""
    signal = cls()
    known = _REGISTERED.get(signal.name)
    if known is not None and type(known).__qualname__ != cls.__qualname__:
        raise ValueError(f"two signals are named {signal.name!r}")
    _REGISTERED[signal.name] = signal
    return cls


def signal_named(name: str) -> Signal:
    return _REGISTERED[name]


def registered() -> tuple[Signal, ...]:
    """Every registered signal, in row order."""
    signals = sorted(_REGISTERED.values(), key=lambda s: s.position)
    positions = [s.position for s in signals]
    if len(set(positions)) != len(positions):
        raise ValueError(f"two signals share a position: {positions}")
    return tuple(signals)


def counted(n: int, noun: str) -> str:
    """'1 photo', '3 photos'."""
    return f"{n} {noun}{'s' * (n != 1)}"


class Scene:
    """One photo as the signals see it: the profile's history, what the store knows of the
    photo, and each signal's scores, computed once on first use (a signal may read another's:
    the trained model reads the shoot's). ``matrix`` lays them out over the vocabulary: her
    tags, then the candidates the signals add, in name order."""

    def __init__(self, store: HistorySource, profile: Profile, history: ProfileHistory, photo: Photo, *,
                 encoder_id: str | None = None,
                 model_scorer: Callable[[np.ndarray], dict[str, float]] | None = None,
                 hide_own_tags: bool = False):
        self.store, self.profile, self.history, self.photo = store, profile, history, photo
        self.encoder_id, self.model_scorer = encoder_id, model_scorer
        self.known = len(history.tags)  # the first columns of the vocabulary are her tags
        self.vocabulary: list[str] = history.tags
        self._own_tags = bool(photo.id) and not hide_own_tags  # what she wrote on it counts
        self._scored: dict[str, Scored] = {}
        self._extra_index: dict[str, int] = {}

    @functools.cached_property
    def on_photo(self) -> set[str]:
        return {a.tag for a in self.store.photo_tags(self.profile, self.photo.id)} if self._own_tags else set()

    @functools.cached_property
    def rejected(self) -> set[str]:
        return {r.tag for r in self.store.photo_rejections(self.profile, self.photo.id)} if self._own_tags else set()

    @functools.cached_property
    def vector(self) -> np.ndarray | None:
        """The photo's embedding by the library's encoder, if it has one."""
        if not self.encoder_id or not self.photo.content_hash:
            return None
        return self.store.embeddings(self.encoder_id, [self.photo.content_hash]).get(self.photo.content_hash)

    @functools.cached_property
    def others(self) -> tuple[dict[str, int], int]:
        """The library's other profiles on this photo: {tag: how many of them wrote it}, and
        how many of them tagged it at all."""
        return self.store.others_tags(self.profile, self.photo.id) if self.photo.id is not None else ({}, 0)

    def scored(self, name: str) -> Scored:
        if name not in self._scored:
            self._scored[name] = signal_named(name).score(self)
        return self._scored[name]

    def column(self, tag: str) -> int | None:
        return self.history.tag_index.get(tag, self._extra_index.get(tag))

    def matrix(self, signals: Sequence[Signal]) -> np.ndarray:
        """(len(signals), len(vocabulary)): each signal's scores, one row each in this order."""
        scored = [self.scored(signal.name) for signal in signals]
        h = self.history
        extras = sorted(set().union(*(r.values for r in scored if isinstance(r.values, dict))) - set(h.tag_index))
        if extras:
            self.vocabulary = h.tags + extras
            self._extra_index = {t: self.known + i for i, t in enumerate(extras)}
        return np.stack([self._row(r.values, len(extras)) for r in scored])

    def _row(self, values: np.ndarray | dict[str, float], extra: int) -> np.ndarray:
        if isinstance(values, dict):
            row = np.zeros(len(self.vocabulary))
            for tag, value in values.items():
                row[self.column(tag)] = value
            return row
        return np.concatenate([values, np.zeros(extra)]) if extra else values
