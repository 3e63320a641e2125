"""The arrays a profile's history is kept in: rows appended one photo at a time without
copying the rest (``GrowingArray``), and each row's tag columns as an incidence that edits
change in place (``RowTags``), which a kept state (``history_state``) restores without a
Python loop over 100,000 rows."""

from __future__ import annotations

import numpy as np


def group_by_photo(entries: list[tuple]) -> dict[int, list[tuple]]:
    """History rows (photo id first) by photo, in their order."""
    grouped: dict[int, list[tuple]] = {}
    for entry in entries:
        grouped.setdefault(entry[0], []).append(entry)
    return grouped


class GrowingArray:
    """A numpy array that grows by doubling (appending 1 row to 100,000 copies nothing)."""

    def __init__(self, dtype, width: int | None = None):
        self.dtype, self.width, self.n = dtype, width, 0
        self.data = np.zeros((16,) if width is None else (16, width), dtype=dtype)

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        if self.width is not None and self.data.shape[1] != values.shape[1]:  # the first rows
            self.data = np.empty((len(values) + 64, values.shape[1]), dtype=self.dtype)
            self.width = values.shape[1]
        need = self.n + len(values)
        if need > len(self.data):
            grown = np.empty((max(2 * need, 16),) + self.data.shape[1:], dtype=self.dtype)
            grown[:self.n] = self.data[:self.n]
            self.data = grown
        self.data[self.n:need] = values
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self.data[:self.n]


class RowTags:
    """Each row's tag columns, sorted: an incidence (``indptr``, ``indices``: row i's columns
    are ``indices[indptr[i]:indptr[i + 1]]``) with the rows changed since on top of it, and the
    rows appended after it (a list of small arrays, one a photo, was slow to restore)."""

    def __init__(self, indptr: np.ndarray | None = None, indices: np.ndarray | None = None):
        self._indptr = np.zeros(1, dtype=np.int64) if indptr is None else indptr
        self._indices = np.zeros(0, dtype=np.int64) if indices is None else indices
        self._base = len(self._indptr) - 1
        self._changed: dict[int, np.ndarray] = {}
        self._added: list[np.ndarray] = []

    def __len__(self) -> int:
        return self._base + len(self._added)

    def __getitem__(self, row: int) -> np.ndarray:
        row = int(row)
        if row < 0:
            row += len(self)
        if row >= self._base:
            return self._added[row - self._base]
        found = self._changed.get(row)
        return self._indices[self._indptr[row]:self._indptr[row + 1]] if found is None else found

    def __setitem__(self, row: int, columns: np.ndarray) -> None:
        row = int(row)
        if row >= self._base:
            self._added[row - self._base] = columns
        else:
            self._changed[row] = columns

    def __iter__(self):
        return (self[row] for row in range(len(self)))

    def append(self, columns: np.ndarray) -> None:
        self._added.append(columns)

    def lengths(self) -> np.ndarray:
        lengths = np.diff(self._indptr)
        if self._changed:
            lengths = lengths.copy()
            for row, columns in self._changed.items():
                lengths[row] = len(columns)
        if self._added:
            lengths = np.concatenate([lengths, np.fromiter(map(len, self._added), dtype=np.int64,
                                                           count=len(self._added))])
        return lengths

    def concatenated(self) -> np.ndarray:
        """Every row's columns, one row after another."""
        if self._changed:
            return np.concatenate(list(self)) if len(self) else np.zeros(0, dtype=np.int64)
        return np.concatenate([self._indices, *self._added]) if self._added else self._indices
