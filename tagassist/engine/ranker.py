"""Combining the suggestion signals into one score per tag.

Untrained, the engine uses a weighted noisy-OR, score = 1 - prod(1 - w_s * s_s), with
weights that suit most people. "Retrain on my tags" also learns a ``SignalRanker``: a logistic
regression over the same signals (and the noisy-OR itself), fitted on this photographer's own
history, because people differ in what predicts their tags: one always writes the trip's name,
another tags what is in the picture, a third adds a favourite tag to everything. Its output
is a probability that the photographer wants the tag, so the engine can also tell how sure
it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .signals import REGISTRY

# The signals, in the order of the rows of a signal matrix (see ``suggest.Signals``), each
# declared once in its module of ``signals/``.
SIGNALS = tuple(s.name for s in REGISTRY)
DEFAULT_WEIGHTS = {s.name: s.weight for s in REGISTRY}
MODEL = "model"  # the signal whose weight a trained model brings with it (chosen when it was trained)
# What the learned ranker reads: every signal but the trained model's (whose weight is chosen
# separately, on held-out photos, after the model exists) and the default noisy-OR score, each
# as it is and as log evidence, and the shares of frequency and others (the log_ features are
# the rich ones: trainer.signal_ranker holds them back where data is scarce).
RANKED = tuple(s.name for s in REGISTRY if s.ranked)
SHARED = tuple(sorted(s.name for s in REGISTRY if s.shared))  # also read as each tag's share over the candidates
RANKER_FEATURES = (RANKED + ("noisy_or",) + tuple(f"log_{s}" for s in RANKED) + ("log_noisy_or",)
                   + tuple(f"log_share_{s}" for s in SHARED))
_RANKED_ROWS = [SIGNALS.index(s) for s in RANKED]
_UNRANKED_ROWS = [i for i in range(len(SIGNALS)) if i not in _RANKED_ROWS]  # combined with the ranker's by noisy-OR
LOG_FLOOR = 0.01  # log(signal + floor): evidence multiplies, and a missing signal is not -inf


def noisy_or(values: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """values (S, V) in [0, 1], one weight per row -> (V,)."""
    contributions = np.asarray(weights, dtype=float)[:, None] * np.clip(values, 0, 1)
    return 1.0 - np.prod(1.0 - contributions, axis=0)


def default_weights(model_weight: float | None = None) -> list[float]:
    weights = dict(DEFAULT_WEIGHTS)
    if model_weight is not None:
        weights[MODEL] = model_weight
    return [weights[s] for s in SIGNALS]


def ranker_features(values: np.ndarray) -> np.ndarray:
    """The ranker's inputs for a signal matrix (S, V) in SIGNALS order -> (V, F)."""
    ranked = np.clip(values[_RANKED_ROWS], 0, 1)
    prior = noisy_or(ranked, [DEFAULT_WEIGHTS[s] for s in RANKED])
    linear = np.vstack([ranked, prior[None]])
    # A tag's share, not only its level: her favourite among 500 tags is less sure than among 5.
    shares = [values[SIGNALS.index(s)] / max(values[SIGNALS.index(s)].sum(), 1e-9) for s in SHARED]
    return np.vstack([linear, np.log(linear + LOG_FLOOR), np.log(np.clip(shares, 0, 1) + 1e-4)]).T


@dataclass(frozen=True)
class SignalRanker:
    """P(the photographer wants this tag) = sigmoid(bias + coefficients . features)."""

    coefficients: tuple[float, ...]
    bias: float
    photos: int = 0  # how many of her photos it was fitted on

    def probabilities(self, values: np.ndarray) -> np.ndarray:
        logits = ranker_features(values) @ np.asarray(self.coefficients) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))

    def to_json(self) -> dict:
        return {"features": list(RANKER_FEATURES), "coefficients": list(self.coefficients), "bias": self.bias,
                "photos": self.photos}

    @classmethod
    def from_json(cls, data: dict | None) -> SignalRanker | None:
        """None for a missing ranker, or one that reads a feature this version does not know. A
        ranker saved before a signal was added reads it with a coefficient of 0, which is
        exactly how it ranked (the noisy-OR feature is unchanged wherever the new signal is 0)."""
        if not data:
            return None
        saved = dict(zip(data.get("features", ()), data.get("coefficients", ())))
        if not saved or not set(saved) <= set(RANKER_FEATURES):
            return None
        return cls(tuple(float(saved.get(f, 0.0)) for f in RANKER_FEATURES), float(data["bias"]),
                   int(data.get("photos", 0)))


def combine(values: np.ndarray, ranker: SignalRanker | None = None, model_weight: float | None = None) -> np.ndarray:
    """One score per tag from a signal matrix (S, V) in SIGNALS order. With a ranker, its
    probability is combined with the trained model's (every signal it does not read) by the
    same noisy-OR."""
    weights = default_weights(model_weight)
    if ranker is None:
        return noisy_or(values, weights)
    unranked = np.asarray([weights[i] for i in _UNRANKED_ROWS])[:, None] * np.clip(values[_UNRANKED_ROWS], 0, 1)
    return 1.0 - (1.0 - ranker.probabilities(values)) * np.prod(1.0 - unranked, axis=0)
