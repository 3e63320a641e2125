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
_LOGIT_LIMIT = float(np.log((1 - 1e-4) / 1e-4))  # scores are read between 1e-4 and 1 - 1e-4


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

    def of_logits(self, logits: np.ndarray) -> np.ndarray:
        """The same map for scores given as their logits (each score above 0): what calling it on
        sigmoid(logits) gives, in a few passes over a large array instead of a dozen."""
        identity = self.a == 1.0 and self.b == 0.0
        z = logits if identity else self.a * np.clip(logits, -_LOGIT_LIMIT, _LOGIT_LIMIT) + self.b
        return 1.0 / (1.0 + np.exp(-z))


def logistic_map(design: np.ndarray, y: np.ndarray, strength, centre=0.0, iterations: int = 100,
                 weights: np.ndarray | None = None, start: np.ndarray | None = None) -> np.ndarray:
    """The weights w of P(y) = sigmoid(design @ w) at the maximum a posteriori under a Gaussian
    prior of ``strength`` (one per weight, or one for all; each above zero) around ``centre``:
    Newton's method with step halving, so it converges even where the classes separate, one of
    them is missing, or columns can hardly be told apart (plain Newton runs off there).
    ``weights``: how many examples each row stands for (default one each); ``start``: where
    Newton starts (default the centre; a previous optimum makes a refit a step or two, and the
    optimum is the same, the loss being convex). The one logistic
    solver of tagassist: Platt scaling here, the trainer's learned signal ranker, the finder's
    per-keyword models (``finding/``)."""
    design = np.asarray(design, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    weights = np.ones_like(y) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    strength = np.broadcast_to(np.asarray(strength, dtype=np.float64), design.shape[1:])
    centre = np.broadcast_to(np.asarray(centre, dtype=np.float64), design.shape[1:])

    def loss(w: np.ndarray) -> float:
        z = design @ w
        return float(np.sum(weights * (np.logaddexp(0.0, z) - y * z)) + 0.5 * np.sum(strength * (w - centre) ** 2))

    w = centre.copy() if start is None else np.asarray(start, dtype=np.float64).copy()
    current = loss(w)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        residual, curvature = weights * (p - y), weights * p * (1 - p)
        gradient = design.T @ residual + strength * (w - centre)
        hessian = (design * curvature[:, None]).T @ design + np.diag(strength)
        step = np.linalg.solve(hessian, gradient)
        size, trial = 1.0, loss(w - step)
        while size > 1e-6 and trial > current:  # never a step that fits worse
            size /= 2
            trial = loss(w - size * step)
        if size <= 1e-6:
            break
        w, current = w - size * step, trial
        if np.abs(size * step).max() < 1e-8:
            break
    return w


def platt(x: np.ndarray, y: np.ndarray, prior: tuple[float, float] = (1.0, 0.0),
          strength: float = PRIOR_STRENGTH) -> tuple[float, float]:
    """P(y) = sigmoid(a * x + b), the maximum a posteriori (a, b) under a Gaussian prior of
    ``strength`` around ``prior`` (``logistic_map``)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    a, b = logistic_map(np.column_stack([x, np.ones_like(x)]), y, strength, prior)
    return float(a), float(b)


def fit_calibration(scores: Sequence[float], hits: Sequence[bool]) -> Calibration:
    """Platt scaling of logit(score), pulled toward the identity map."""
    if not len(scores):
        return Calibration()
    a, b = platt(_logit(np.asarray(scores, dtype=float)), np.asarray(hits, dtype=float))
    return Calibration(max(a, MIN_SLOPE), b, len(scores))
