"""What a keyword looks like to her: a regularised logistic model on the active encoder's
embeddings, fitted in milliseconds with the one logistic solver (``calibration.logistic_map``).

Its prior is the prototype: the direction from the library's mean photo to the mean of her
photos with the keyword. From one example the model is that prototype; with more examples and
her decisions against it, the data move it where they say. It is fitted in a small basis
(the prototype of her photos with the keyword, the one of the photos against it, and the main
directions of the training photos found by a randomized range finder) where the Gaussian prior
is exact, so a fit is a few Newton steps on ~40 columns. The basis is chosen once per keyword
(``Basis``) and kept across her decisions; once the library's coordinates in it are computed
(``Basis.project_library``, one product right after the first page), scoring the library after
a decision is one float32 matrix-vector product over 40 columns instead of the embeddings' 1280.
"""

from __future__ import annotations

import numpy as np

from ..calibration import logistic_map
from .photoset import PhotoSet

BASIS = 40  # random directions of the training photos kept besides the prototypes
PROTOTYPE_WEIGHT = 6.0  # the prior's slope along the prototype direction, in logit per spread
PRIOR_STRENGTH = 2.0  # how many examples' worth of belief the prototype prior holds, per column
BIAS_STRENGTH = 1e-3  # the intercept is the data's


def unit(v: np.ndarray) -> np.ndarray | None:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 1e-9 else None


def orthonormal(columns: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the span of ``columns`` (dim x k, k small), through their k x k
    Gram matrix: a tall QR calls threaded LAPACK, which on a busy machine takes 30 times as long."""
    if not columns.shape[1]:
        return columns
    values, vectors = np.linalg.eigh(columns.T @ columns)
    kept = values > values.max() * 1e-10
    return columns @ (vectors[:, kept] / np.sqrt(values[kept]))


def random_span(centred: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(dim, <= BASIS) directions where the training photos vary most (one power iteration of a
    randomized range finder: three thin products, never a full SVD)."""
    k = min(BASIS, len(centred), centred.shape[1])
    if k == 0:
        return np.zeros((centred.shape[1], 0))
    span = centred.T @ rng.standard_normal((len(centred), k))
    return centred.T @ (centred @ span)


def centred(photos: PhotoSet, rows: np.ndarray) -> np.ndarray:
    """The embeddings of ``rows`` less the library's mean, in spreads (float64; zeros without one)."""
    out = (photos.vectors[rows].astype(np.float64) - photos.mean) / photos.spread
    out[~photos.has_vector[rows]] = 0.0
    return out


class Basis:
    """The directions one keyword's model lives in, fixed for its review, and the library's
    coordinates in them: c(x) = ((x - mean) / spread) . q, zeros for a photo without an embedding."""

    def __init__(self, photos: PhotoSet, sample: np.ndarray, positive: np.ndarray, rng: np.random.Generator):
        """``sample``: training rows; ``positive``: which of them are hers."""
        self.photos = photos
        vectors = centred(photos, sample)
        has = photos.has_vector[sample]
        prototypes = [unit(vectors[mask & has].mean(axis=0)) if (mask & has).any() else None
                      for mask in (positive, ~positive)]
        columns = [p for p in prototypes if p is not None] + [random_span(vectors, rng)]
        self.q = orthonormal(np.column_stack(columns))
        self._scaled = (self.q / photos.spread).astype(np.float32)  # (dim, k)
        self._offset = photos.mean @ self._scaled  # what the library's mean photo has, per column
        self.library: np.ndarray | None = None  # (n, k) float32 once projected

    @property
    def size(self) -> int:
        return self.q.shape[1]

    def project_library(self) -> None:
        """Every photo's coordinates: one (n x dim) by (dim x k) product, once per keyword."""
        if self.library is None:
            library = self.photos.vectors @ self._scaled
            library -= self._offset
            library[~self.photos.has_vector] = 0.0
            self.library = library

    def coordinates(self, rows: np.ndarray) -> np.ndarray:
        if self.library is not None:
            return self.library[rows].astype(np.float64)
        out = (self.photos.vectors[rows] @ self._scaled - self._offset).astype(np.float64)
        out[~self.photos.has_vector[rows]] = 0.0
        return out

    def logits(self, w: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Every photo's logit under weights ``w`` (k coordinates, then the bias) into the float32
        buffer ``out``; a photo without an embedding scores as the library's mean photo."""
        weights, bias = w[:-1].astype(np.float32), np.float32(w[-1])
        if self.library is not None:
            np.matmul(self.library, weights, out=out)
        else:  # before the projection: the same through the embeddings
            np.matmul(self.photos.vectors, self._scaled @ weights, out=out)
            out -= self._offset @ weights
            out[~self.photos.has_vector] = 0.0
        out += bias
        return out

    def fold_sums(self, rows: np.ndarray, folds: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Per fold (< ``count``): the sum of these photos' centred embeddings, and how many have one."""
        has = self.photos.has_vector[rows]
        vectors, folds = centred(self.photos, rows[has]), folds[has]
        sums = np.zeros((count, vectors.shape[1]))
        np.add.at(sums, folds, vectors)
        return sums, np.bincount(folds, minlength=count).astype(np.float64)

    def prototypes(self, sums: np.ndarray, counts: np.ndarray) -> dict:
        """The unit direction to the mean of her photos, in the basis's coordinates, from their
        per-fold sums (``fold_sums``): of all of them (key None) and of all but fold k (key k);
        None where no photo is left."""
        total, n = sums.sum(axis=0), counts.sum()
        out = {}
        for key in (None, *range(len(counts))):
            left_sum, left_n = (total, n) if key is None else (total - sums[key], n - counts[key])
            direction = unit(left_sum / left_n) if left_n else None
            out[key] = None if direction is None else self.q.T @ direction
        return out


def fit(coordinates: np.ndarray, y: np.ndarray, weights: np.ndarray, prototype: np.ndarray | None,
        start: np.ndarray | None = None) -> np.ndarray:
    """The weights (k coordinates, then the bias) for training photos at ``coordinates`` (labels
    ``y``, each standing for ``weights`` photos); ``start``: the previous fit's, a warm start."""
    design = np.column_stack([coordinates, np.ones(len(coordinates))])
    centre = np.zeros(design.shape[1])
    if prototype is not None:
        centre[:-1] = PROTOTYPE_WEIGHT * prototype
    total, hers = float(weights.sum()), float(weights[y == 1].sum())
    centre[-1] = np.log(max(hers, 0.5) / max(total - hers, 1.0))  # her share of these photos
    strength = np.full(design.shape[1], PRIOR_STRENGTH)
    strength[-1] = BIAS_STRENGTH
    return logistic_map(design, y, strength, centre, iterations=50, weights=weights, start=start)
