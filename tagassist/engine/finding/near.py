"""The local view of a keyword: how close a photo is to the nearest of her photos with it.
The look model is one linear direction; a keyword with several visual modes ('restaurant': the
room, the plate) has its photos near one of them, not along their mean, and the nearest example
says so (in the benchmark, 1-NN beat the direction).

The examples' unit embeddings are a small matrix (a sample of at most ``EXAMPLES`` of her
photos with it, and those she accepted), so the library's maxima are one (n x k) product, kept
as running maxima: a page of her decisions adds its columns, not a new product."""

from __future__ import annotations

import numpy as np

from .photoset import PhotoSet

EXAMPLES = 200  # her photos with the keyword kept as examples: the maximum is one (n x k) product
NONE = -1.0  # the similarity where there is no example (or no embedding)


class Nearest:
    """Running maxima of the cosine similarity of every photo to a set of example photos: with
    its own similarity (``best``) and without it (``others``: the same but for the examples)."""

    def __init__(self, photos: PhotoSet, rows: np.ndarray):
        self.photos = photos
        self.rows = np.zeros(0, dtype=np.int64)
        self.best = np.full(len(photos), NONE, dtype=np.float32)
        self.others = self.best.copy()
        self.add(rows)

    def add(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[rows >= 0]
        rows = rows[self.photos.has_vector[rows] & ~np.isin(rows, self.rows)]
        if not len(rows):
            return
        self.rows = np.concatenate([self.rows, rows])
        similarity = self.photos.vectors @ self.photos.vectors[rows].T  # the one (n x k) product
        np.maximum(self.best, similarity.max(axis=1), out=self.best)
        # an example's own similarity left out: ``others`` of a new example held the older ones
        similarity[rows, np.arange(len(rows))] = NONE
        np.maximum(self.others, similarity.max(axis=1), out=self.others)
        self.best[~self.photos.has_vector] = self.others[~self.photos.has_vector] = NONE

    def leave_one_out(self, rows: np.ndarray) -> np.ndarray:
        """The maxima of ``rows`` (training photos) with each photo's own similarity left out,
        so that an example scores as a photo the examples never held would."""
        return self.others[np.asarray(rows, dtype=np.int64)].astype(np.float64)
