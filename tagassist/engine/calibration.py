"""The number beside a suggestion: the chance that she accepts it.

The engine's combined score ranks well but is no probability: it is a noisy-OR of signals
that were never fitted to her, or a ranker fitted on other photos. So after each full read of
her history the engine replays her newest shoots as if they were her next one (taken out of
the history, suggested for, then put back: ``Suggester``), and fits Platt scaling of
logit(score) on the suggestions it would have shown there, hit or miss. The map is monotone,
so the order of the suggestions never changes; with little history it stays near the
identity, which a prior pulls it toward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PRIOR_STRENGTH = 5.0  # how many suggestions' worth of belief the identity map starts with
MIN_SLOPE = 0.05  # a higher score never means a lower chance


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Calibration:
    """P(she accepts) = sigmoid(a * logit(score) + b); the identity map by default."""

    a: float = 1.0
    b: float = 0.0
    suggestions: int = 0  # how many replayed suggestions it was fitted on

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=float)
        if self.a == 1.0 and self.b == 0.0:
            return scores
        calibrated = 1.0 / (1.0 + np.exp(-(self.a * _logit(scores) + self.b)))
        return np.where(scores > 0, calibrated, scores)  # "no evidence" stays no evidence


def fit_calibration(scores: Sequence[float], hits: Sequence[bool]) -> Calibration:
    """Platt scaling by Newton's method, with a Gaussian prior on (a, b) around (1, 0)."""
    x, y = _logit(np.asarray(scores, dtype=float)), np.asarray(hits, dtype=float)
    if not len(x):
        return Calibration()
    design = np.column_stack([x, np.ones_like(x)])
    prior = np.array([1.0, 0.0])
    w = prior.copy()
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + PRIOR_STRENGTH * (w - prior)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + PRIOR_STRENGTH * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return Calibration(max(float(w[0]), MIN_SLOPE), float(w[1]), len(x))
