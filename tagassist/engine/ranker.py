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

# The signals, in the order of the rows of a signal matrix (see ``suggest.Signals``).
SIGNALS = ("model", "visual", "shoot", "others", "content", "cooccurrence", "frequency", "time", "camera")
DEFAULT_WEIGHTS = {
    "model": 0.9,
    "visual": 0.85,
    "shoot": 0.85,
    "others": 0.7,
    "content": 0.6,
    "cooccurrence": 0.5,
    "frequency": 0.3,
    "time": 0.25,
    "camera": 0.2,
}
# What the learned ranker reads: every signal but the trained model's (whose weight is chosen
# separately, on held-out photos, after the model exists) and the default noisy-OR score, each
# as it is and as log evidence, and the shares of frequency and others (the log_ features are
# the rich ones: trainer.signal_ranker holds them back where data is scarce).
RANKER_FEATURES = (tuple(s for s in SIGNALS if s != "model") + ("noisy_or",)
                   + tuple(f"log_{s}" for s in SIGNALS if s != "model") + ("log_noisy_or",)
                   + ("log_share_frequency", "log_share_others"))
SHARED = ("frequency", "others")  # also read as each tag's share of the signal over the candidates
LOG_FLOOR = 0.01  # log(signal + floor): evidence multiplies, and a missing signal is not -inf


def noisy_or(values: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """values (S, V) in [0, 1], one weight per row -> (V,)."""
    contributions = np.asarray(weights, dtype=float)[:, None] * np.clip(values, 0, 1)
    return 1.0 - np.prod(1.0 - contributions, axis=0)


def default_weights(model_weight: float | None = None) -> list[float]:
    weights = dict(DEFAULT_WEIGHTS)
    if model_weight is not None:
        weights["model"] = model_weight
    return [weights[s] for s in SIGNALS]


def ranker_features(values: np.ndarray) -> np.ndarray:
    """The ranker's inputs for a signal matrix (S, V) in SIGNALS order -> (V, F)."""
    without_model = np.clip(values[1:], 0, 1)
    prior = noisy_or(without_model, default_weights()[1:])
    linear = np.vstack([without_model, prior[None]])
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
    probability is combined with the trained model's by the same noisy-OR."""
    if ranker is None:
        return noisy_or(values, default_weights(model_weight))
    weight = DEFAULT_WEIGHTS["model"] if model_weight is None else model_weight
    return 1.0 - (1.0 - ranker.probabilities(values)) * (1.0 - weight * np.clip(values[0], 0, 1))
