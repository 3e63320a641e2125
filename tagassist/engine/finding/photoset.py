"""The photos a keyword is looked for in, as arrays: ids, when and where each was taken, and
the active encoder's embeddings as one float32 matrix (unit rows, zeros where a photo has none).

The service reads them from the store once per library and hands them in; re-ranking after a
decision is then one matrix-vector product over this matrix, nothing else of its size.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..timeplace import epoch_hours


@dataclass(frozen=True, eq=False)
class PhotoSet:
    ids: np.ndarray  # int64, ascending
    hours: np.ndarray  # float64 hours since the epoch, NaN where undated
    lats: np.ndarray  # float64, NaN without GPS
    lons: np.ndarray
    vectors: np.ndarray  # float32 (len(ids), dim): unit rows, zeros where a photo has no embedding
    has_vector: np.ndarray  # bool

    @classmethod
    def build(cls, ids: Sequence[int], taken_at: Sequence[str | None], lats: Sequence[float | None],
              lons: Sequence[float | None], vector_rows: Sequence[int], matrix: np.ndarray) -> PhotoSet:
        """From per-photo columns and ``matrix``, the embeddings of the photos at ``vector_rows``
        (positions in ``ids``), as the store's ``embedding_rows`` returns them."""
        ids = np.asarray(ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        n = len(ids)
        vector_rows = np.asarray(vector_rows, dtype=np.int64)
        dim = matrix.shape[1] if matrix.ndim == 2 else 0
        has_vector = np.zeros(n, dtype=bool)
        has_vector[vector_rows] = True
        if len(vector_rows) == n and np.array_equal(vector_rows, order):  # every photo, in id order: no copy
            vectors, order = np.asarray(matrix, dtype=np.float32), np.arange(n)
            has_vector = has_vector[vector_rows]
        else:
            vectors = np.zeros((n, dim), dtype=np.float32)
            if len(vector_rows):
                vectors[vector_rows] = matrix
            vectors = vectors[order]
            has_vector = has_vector[order]
        vectors /= np.sqrt(np.einsum("ij,ij->i", vectors, vectors))[:, None] + 1e-8
        as_float = lambda values: np.array([np.nan if v is None else v for v in values], dtype=np.float64)  # noqa: E731
        hours = np.array([epoch_hours(t) for t in taken_at], dtype=np.float64)
        return cls(ids[order], hours[order], as_float(lats)[order], as_float(lons)[order],
                   np.ascontiguousarray(vectors), has_vector)

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, photo_ids) -> np.ndarray:
        """The row of each photo id, -1 for ids not in the set."""
        photo_ids = np.asarray(photo_ids, dtype=np.int64)
        rows = np.searchsorted(self.ids, photo_ids)
        rows = np.minimum(rows, max(len(self.ids) - 1, 0))
        found = (len(self.ids) > 0) & (self.ids[rows] == photo_ids) if len(self.ids) else np.zeros(len(rows), bool)
        return np.where(found, rows, -1)

    @functools.cached_property
    def mean(self) -> np.ndarray:
        """The library's mean embedding: what a photo looks like when it looks like nothing."""
        count = int(self.has_vector.sum())
        total = self.vectors.sum(axis=0, dtype=np.float64)  # rows without a vector are zeros
        return (total / max(count, 1)).astype(np.float32)

    @functools.cached_property
    def spread(self) -> float:
        """How far the library's embeddings lie from their mean, typically (for scale)."""
        if not self.has_vector.any():
            return 1.0
        rows = np.flatnonzero(self.has_vector)
        sample = self.vectors[rows[:: max(1, len(rows) // 2000)]] - self.mean
        return float(np.sqrt(np.einsum("ij,ij->i", sample, sample).mean())) or 1.0
