"""Naming faces from her own named faces (issue 27): rank the people a face may be, with a
calibrated probability, and group the faces nobody named yet.

Distance: Euclidean between dlib's 128-d embeddings (dlib: the same person below ~0.6).
A person's statistic for a face is the mean of the (up to) ``NEAREST`` smallest distances to
that person's named faces: one lucky look-alike photo does not carry a name, and a person
with 40 named photos is not favoured over one with 3 by the count alone.

Score: P(same person | statistic) = 1 / (1 + exp(-(a + b * statistic))), a 1-D logistic.
The shipped (a, b) were fitted by ``python -m benchmarks.faces --fit`` on 9 people: the 5 of
face_recognition's examples/knn_examples (Adam Geitgey, MIT) and deepface's test people with
fewer than 4 photos (Sefik Serengil, MIT), each of their faces against every person's other
faces, the same statistic; the benchmark evaluates on deepface's other 9 people. Her own
named faces refit it when there are enough of them (``fit_calibration``: leave-one-out over
her faces, both classes at least ``MIN_FIT_PAIRS`` times); otherwise the shipped parameters
stand.

Clusters of unknown faces: dlib's Chinese whispers over the graph of pairs closer than
``CLUSTER_DISTANCE``: it needs no number of clusters (nobody knows how many strangers a
library holds), leaves a face with no close neighbour on its own, runs in dlib's C++ over
the edges, and is the clustering dlib's own face-clustering example uses with this
embedding; a threshold agglomerative clustering (single link) would chain two people
together through one in-between face.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

NEAREST = 3
# logistic (a, b) on the statistic above, dlib embeddings, fitted as the module says (21
# same-person and 168 different-person examples): an even chance at 0.56, dlib's own 0.6 nearly
DLIB_CALIBRATION = (16.56, -29.39)
MIN_FIT_PAIRS = 30
CLUSTER_DISTANCE = 0.5  # dlib's face clustering example uses 0.5 with this embedding


@dataclass(frozen=True)
class PersonMatch:
    keyword: str
    score: float  # calibrated P(this face is that person)
    support: int  # how many of her faces of that person are closer than an even chance


def _sigmoid(x: np.ndarray | float):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def fit_logistic(statistics: Sequence[float], same: Sequence[bool], l2: float = 1e-3) -> tuple[float, float]:
    """(a, b) of P(same) = sigmoid(a + b * statistic), by Newton's method (a small ridge keeps
    separable data finite)."""
    x = np.asarray(statistics, dtype=np.float64)
    y = np.asarray(same, dtype=np.float64)
    if len(x) == 0 or y.min() == y.max():
        raise ValueError("a calibration needs both same-person and different-person examples")
    design = np.stack([np.ones_like(x), x], axis=1)
    w = np.zeros(2)
    for _ in range(100):
        p = _sigmoid(design @ w)
        grad = design.T @ (p - y) + l2 * w
        hess = design.T @ (design * (p * (1 - p))[:, None]) + l2 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def _distances(query: np.ndarray, refs: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        q = query / (np.linalg.norm(query) or 1.0)
        r = refs / np.maximum(np.linalg.norm(refs, axis=1, keepdims=True), 1e-12)
        return 1.0 - r @ q
    return np.linalg.norm(refs - query, axis=1)


def person_statistic(distances: np.ndarray) -> float:
    """The mean of the ``NEAREST`` smallest distances (all of them when fewer)."""
    return float(np.sort(distances)[:NEAREST].mean())


def calibration_examples(named: Mapping[str, Sequence[np.ndarray]], metric: str = "euclidean"
                         ) -> tuple[list[float], list[bool]]:
    """Leave-one-out over named faces: each face's statistic against its own person's other
    faces (same) and against every other person's faces (different). One distance matrix per
    pair of people (1,500 named faces: a tenth of a second)."""
    stats, same = [], []
    people = {k: np.asarray(v, dtype=np.float32).reshape(len(v), -1) for k, v in named.items() if len(v)}
    for keyword, faces in people.items():
        for other, refs in people.items():
            distances = _distance_matrix(faces, refs, metric)
            if other == keyword:
                np.fill_diagonal(distances, np.inf)  # a face is not its own example
            usable = np.isfinite(distances).sum(axis=1)
            nearest = np.sort(distances, axis=1)[:, :NEAREST]
            for row, count in zip(nearest, usable):
                if count:
                    stats.append(float(row[:min(count, NEAREST)].mean()))
                    same.append(other == keyword)
    return stats, same


def _distance_matrix(queries: np.ndarray, refs: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        q = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        r = refs / np.maximum(np.linalg.norm(refs, axis=1, keepdims=True), 1e-12)
        return (1.0 - q @ r.T).astype(np.float64)
    squared = (queries ** 2).sum(1)[:, None] + (refs ** 2).sum(1)[None, :] - 2.0 * queries @ refs.T
    return np.sqrt(np.maximum(squared, 0.0)).astype(np.float64)


def fit_calibration(named: Mapping[str, Sequence[np.ndarray]], metric: str = "euclidean") -> tuple[float, float] | None:
    """(a, b) fitted on her named faces, or None when they are too few to trust (fewer than
    ``MIN_FIT_PAIRS`` same-person or different-person examples)."""
    stats, same = calibration_examples(named, metric)
    positives = sum(same)
    if positives < MIN_FIT_PAIRS or len(same) - positives < MIN_FIT_PAIRS:
        return None
    return fit_logistic(stats, same)


class PersonMatcher:
    """The people a face may be, from her named faces (keyword -> embeddings of its faces)."""

    def __init__(self, named: Mapping[str, Iterable[np.ndarray]], calibration: tuple[float, float] | None = None,
                 metric: str = "euclidean"):
        if metric not in ("euclidean", "cosine"):
            raise ValueError(f"unknown metric {metric!r}")
        self.metric = metric
        self.people: dict[str, np.ndarray] = {}
        for keyword, faces in named.items():
            rows = [np.asarray(f, dtype=np.float32).ravel() for f in faces]
            if rows:
                self.people[keyword] = np.stack(rows)
        self.calibration = calibration or DLIB_CALIBRATION

    @classmethod
    def fitted(cls, named: Mapping[str, Sequence[np.ndarray]], metric: str = "euclidean") -> PersonMatcher:
        """A matcher calibrated on her own named faces where they are enough, else on the
        shipped parameters (``calibration_source`` says which)."""
        fit = fit_calibration(named, metric) if metric == "euclidean" else None
        matcher = cls(named, fit, metric)
        matcher.calibration_source = "her named faces" if fit else "shipped"
        return matcher

    calibration_source = "given"

    def probability(self, statistic: float) -> float:
        a, b = self.calibration
        return float(_sigmoid(a + b * statistic))

    def rank(self, embedding: np.ndarray, top: int = 5) -> list[PersonMatch]:
        """The ``top`` people most likely to be this face, highest score first."""
        query = np.asarray(embedding, dtype=np.float32).ravel()
        a, b = self.calibration
        # the distance at which one named face alone is an even chance: sigmoid(a + b d) = 0.5
        even = -a / b if b else math.inf
        matches = []
        for keyword, refs in self.people.items():
            distances = _distances(query, refs, self.metric)
            matches.append(PersonMatch(keyword, self.probability(person_statistic(distances)),
                                       int((distances < even).sum())))
        matches.sort(key=lambda m: (-m.score, m.keyword))
        return matches[:top]


def cluster_faces(embeddings: Sequence[np.ndarray], threshold: float = CLUSTER_DISTANCE) -> list[int]:
    """A cluster label per face (dlib's Chinese whispers, faces closer than ``threshold``
    linked), relabelled so that 0 is the biggest cluster, then 1, ... (ties: first seen)."""
    if len(embeddings) == 0:
        return []
    from .detector import _dlib

    dlib = _dlib()  # FacesUnavailable without it
    vectors = [dlib.vector(np.asarray(e, dtype=np.float64).ravel().tolist()) for e in embeddings]
    raw = list(dlib.chinese_whispers_clustering(vectors, float(threshold)))
    sizes: dict[int, int] = {}
    first: dict[int, int] = {}
    for i, label in enumerate(raw):
        sizes[label] = sizes.get(label, 0) + 1
        first.setdefault(label, i)
    order = sorted(sizes, key=lambda label: (-sizes[label], first[label]))
    relabel = {label: new for new, label in enumerate(order)}
    return [relabel[label] for label in raw]
