"""What a keyword looks like to her: a regularised logistic model on the active encoder's
embeddings, fitted in milliseconds with the one logistic solver (``calibration.logistic_map``).

Its prior is the prototype: the direction from the library's mean photo to the mean of her
photos with the keyword. From one example the model is that prototype; with more examples and
her decisions against it, the data move it where they say. It is fitted in a small basis
(that direction, the one of her rejections, and the main directions of the training photos
found by a randomized range finder) where the Gaussian prior is exact, so a fit is a few
Newton steps on ~50 columns, and scoring the library is one matrix-vector product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..calibration import logistic_map
from .photoset import PhotoSet

BASIS = 40  # random directions of the training photos kept besides the prototypes
PROTOTYPE_WEIGHT = 6.0  # the prior's slope along the prototype direction, in logit per spread
PRIOR_STRENGTH = 2.0  # how many examples' worth of belief the prototype prior holds, per column
BIAS_STRENGTH = 1e-3  # the intercept is the data's


@dataclass(frozen=True)
class VisualModel:
    """logit P(hers) = (x - mean) . direction / spread + bias, for a unit embedding x."""

    direction: np.ndarray  # float32 (dim,)
    bias: float
    offset: float  # mean . direction / spread: what a photo at the library's mean scores, less the bias

    def logits(self, photos: PhotoSet, rows: np.ndarray | None = None) -> np.ndarray:
        """For every photo (or ``rows``): one matrix-vector product; a photo without an embedding
        scores as the library's mean photo."""
        vectors = photos.vectors if rows is None else photos.vectors[rows]
        has = photos.has_vector if rows is None else photos.has_vector[rows]
        z = (vectors @ self.direction) - self.offset + self.bias
        return np.where(has, z, self.bias)


def _unit(v: np.ndarray) -> np.ndarray | None:
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


def random_basis(centred: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(dim, <= BASIS) orthonormal directions where the training photos vary most (one power
    iteration of a randomized range finder: three thin products, never a full SVD)."""
    k = min(BASIS, len(centred), centred.shape[1])
    if k == 0:
        return np.zeros((centred.shape[1], 0))
    span = centred.T @ rng.standard_normal((len(centred), k))
    span = centred.T @ (centred @ span)
    return orthonormal(span)


def fit(photos: PhotoSet, rows: np.ndarray, y: np.ndarray, weights: np.ndarray, basis: np.ndarray
        ) -> VisualModel:
    """The model for training photos ``rows`` (labels ``y``, each standing for ``weights``
    photos), in ``basis`` plus the prototype directions of these very examples."""
    spread = photos.spread
    centred = (photos.vectors[rows].astype(np.float64) - photos.mean) / spread
    centred[~photos.has_vector[rows]] = 0.0
    positive, negative = (y == 1) & photos.has_vector[rows], (y == 0) & photos.has_vector[rows]
    prototype = _unit(centred[positive].mean(axis=0)) if positive.any() else None
    directions = [d for d in (prototype, _unit(centred[negative].mean(axis=0)) if negative.any() else None)
                  if d is not None]
    columns = directions + ([basis] if basis.shape[1] else [])
    q = orthonormal(np.column_stack(columns)) if columns else np.zeros((centred.shape[1], 0))
    design = np.column_stack([centred @ q, np.ones(len(rows))])
    centre = np.zeros(design.shape[1])
    if prototype is not None:
        centre[:-1] = PROTOTYPE_WEIGHT * (q.T @ prototype)
    total, hers = float(weights.sum()), float(weights[y == 1].sum())
    centre[-1] = np.log(max(hers, 0.5) / max(total - hers, 1.0))  # her share of these photos
    strength = np.full(design.shape[1], PRIOR_STRENGTH)
    strength[-1] = BIAS_STRENGTH
    w = logistic_map(design, y, strength, centre, iterations=50, weights=weights)
    direction = (q @ w[:-1]) / spread
    return VisualModel(direction.astype(np.float32), float(w[-1]), float(photos.mean @ direction))
