"""A trained model as a suggestion signal: calibrated probabilities per vocabulary tag.

A model loaded from its bundle scores in numpy (``permlp_arrays``), so suggesting with it
imports no torch; the trainer hands in the torch model it is judging."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from ..engine.bundle import BundleError, load_bundle
from ..engine.ranker import SignalRanker
from ..store import Profile, Store
from .permlp_arrays import PerMLPArrays

log = logging.getLogger(__name__)
# architecture -> the prefix of its PerMLP's tensors in the bundle
ARCHITECTURES = {"permlp": "", "cnn-permlp": "head."}


class ModelScorer:
    """Maps a photo's embedding to {tag: probability} for the model's vocabulary. ``model``: a
    loaded bundle's ``PerMLPArrays``, or a ``permlp.PerMLP`` (torch) being trained."""

    def __init__(self, model, vocabulary: list[str], calibration: dict, device="cpu",
                 version: str | None = None, encoder_id: str | None = None, signal_weight: float | None = None,
                 ranker: SignalRanker | None = None):
        self.model = model if isinstance(model, PerMLPArrays) else model.eval().to(device)
        # How much the suggestions trust this model against the other signals: chosen when it
        # was trained, on the held-out photos (None: the engine's default weight).
        self.signal_weight = signal_weight
        self.ranker = ranker  # the photographer's own weighing of the signals, learned with the model
        self.encoder_id = encoder_id
        self.vocabulary = vocabulary
        self.a, self.b = calibration["a"], calibration["b"]
        self.device = device
        self.version = version

    def __call__(self, vector: np.ndarray) -> dict[str, float]:
        if isinstance(self.model, PerMLPArrays):
            scores = self.model.scores(vector)
            logits = np.clip(np.float32(self.a) * scores + np.float32(self.b), -80, 80)  # exp stays finite
            probabilities = 1.0 / (1.0 + np.exp(-logits))
            return dict(zip(self.vocabulary, probabilities.tolist()))
        import torch  # the trainer's model: torch is loaded already

        with torch.inference_mode():
            features = torch.tensor(vector, dtype=torch.float32, device=self.device)[None]
            scores = self.model(features, torch.zeros(1, dtype=torch.long, device=self.device))[0]
            probabilities = torch.sigmoid(self.a * scores + self.b).cpu().numpy()
        return dict(zip(self.vocabulary, probabilities.tolist()))


def load_scorer(path: str, sha256: str, device="cpu") -> ModelScorer:
    """The bundle's model, verified, scoring in numpy (``device`` is kept for the callers)."""
    tensors, config = load_bundle(path, sha256, arrays=True)
    if config.get("architecture") not in ARCHITECTURES:
        raise BundleError(f"model bundle has unknown architecture {config.get('architecture')!r}")
    prefix = ARCHITECTURES[config["architecture"]]
    try:
        model = PerMLPArrays(config, {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)})
        return ModelScorer(model, config["vocabulary"], config["calibration"], device,
                           config.get("version"), config.get("encoder_id"), config.get("signal_weight"),
                           SignalRanker.from_json(config.get("ranker")))
    except Exception as exc:  # a bundle that verifies but does not load is refused, not a crash
        raise BundleError(f"model bundle {config.get('version')} does not load ({type(exc).__name__})") from exc


def active_model_scorer(
    store: Store,
    profile: Profile,
    encoder_id: str,
    *,
    device="cpu",
    on_problem: Callable[[str], None] | None = None,
) -> ModelScorer | None:
    """The profile's active model. If it is corrupt, or was trained on another encoder's
    embeddings, the most recent earlier model that loads, said in one line. None when the
    profile has no active model."""
    notify = on_problem or log.warning
    records = store.models.of(profile)  # newest first
    active = next((i for i, r in enumerate(records) if r["active"]), None)
    if active is None:
        return None
    for record in records[active:]:
        try:
            scorer = load_scorer(record["path"], record["sha256"], device)
        except BundleError as exc:
            notify(f"{exc}; trying the previous model")
            continue
        if scorer.encoder_id != encoder_id:
            notify(f"model {record['version']} was trained on {scorer.encoder_id} embeddings, not {encoder_id}")
            continue
        return scorer
    return None
