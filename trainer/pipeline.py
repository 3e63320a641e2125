"""One training pipeline for "Retrain on my tags", whatever is retrained:

    result = train(store, profile, TrainConfig.for_mode("head"), device="cpu", on_progress=print)

Every mode runs the same stages, each a small function:

    load_history   her tagged photos, oldest first, with tags and rejections, and what the mode
                   learns from: the library's embeddings (head) or the photos' pixels
    split          forward in time into whole shoots: train, tune, test (``validation.py``);
                   with too little history, nothing is trained and she is told why
    fit            the mode's own learning (``fitting.py``): fit_head, fit_full, fit_cnn_permlp
    judge          the engine as it is against the engine with the candidate on the test shoots
                   it never saw, as ``tagassist suggest`` ranks (``judging.py``); over rolling
                   folds where the config asks for them and the history allows
    publish        the bundle saved and registered; active only when the judgement says so

The modes differ in their ``TrainConfig`` defaults, what they learn from, their fit function,
what their candidate needs before it can be judged, and how it is registered: each is a
strategy object (``modes.py``) that the stages ask, so this file never asks which mode runs.
Stopping follows the trainer's one cancel protocol (``control.py``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import torch

from tagassist.engine.bundle import save_bundle
from tagassist.store import Profile, Store

from .fitting import History
from .modes import Candidate, Run, mode_of
from .validation import MIN_TEST_PHOTOS, ForwardSplit, forward_folds


@dataclass
class TrainConfig:
    """Every knob of a retrain; ``for_mode`` gives each mode its defaults."""

    mode: str = "head"  # head | full | cnn-permlp
    epochs: int = 80
    batch_size: int = 128
    learning_rate: float = 3e-3  # the head's
    weight_decay: float = 1e-4
    negatives: int = 32
    hidden: int = 256
    patience: int = 10
    validation_share: float = 0.1  # of the photos in each of the tune and test blocks, at least
    min_judge_photos: int = MIN_TEST_PHOTOS  # and at least this many
    folds: int = 2  # rolling forward folds that must agree, where the history allows
    self_training: bool = False  # head: SIMR-style distillation on the untagged photos, kept if it helps
    encoder_learning_rate: float = 1e-4  # full: the fine-tuned encoder blocks'
    trainable_blocks: int = 2  # full: MBConv blocks from the end, plus the head convolution
    keep_side: int = 256  # full: photos are kept at this short side in memory
    seed: int = 0

    @classmethod
    def for_mode(cls, mode: str, **overrides) -> TrainConfig:
        return cls(mode=mode, **{**mode_of(mode).defaults, **overrides})


@dataclass
class TrainResult:
    version: str | None
    activated: bool
    before_f1_at_5: float  # on the test shoots: the engine as it was
    after_f1_at_5: float  # and with the new model
    model_f1_at_5: float  # the model alone, on the tune shoots
    train_photos: int
    validation_photos: int  # the test shoots' photos
    seconds: float
    mode: str = "head"
    stopped: bool = False
    history: list[dict] = field(default_factory=list)
    signal_weight: float | None = None  # the new model's weight among the engine's signals
    learned_ranker: bool = False  # whether her own weighing of the signals was kept
    test_shoots: int = 0
    tune_photos: int = 0
    accepted_before: float = 0.0  # share of the 5 shown suggestions she would have accepted
    accepted_after: float = 0.0
    gain_lower_bound: float = 0.0  # of the per-photo F1@5 gain, one-sided 95 %
    encoder_id: str | None = None  # the embeddings the model scores
    previous_encoder: str | None = None
    epochs: int = 0
    warm_start_from: str | None = None
    folds: int = 1  # rolling forward folds that judged it
    judged_photos: int = 0  # the test photos of every fold together: what the decision rests on
    self_training: dict | None = None  # head with self_training: what distillation did
    summary: str = ""  # the outcome in the photographer's words
    training_data: str = ""  # what it learned from and how (_fingerprint): the same again has nothing new

    def metrics(self) -> dict:
        """What the model register keeps of it."""
        return {k: v for k, v in asdict(self).items() if k not in ("version", "activated", "stopped", "history")}


# -- load ------------------------------------------------------------------------------
def load_history(run: Run) -> History:
    """Her tagged photos, oldest first, with what the mode learns from: the embeddings of
    ``run.encoder_id`` (head) or the photos' pixels (full, cnn-permlp)."""
    mode = mode_of(run.config.mode)
    history = mode.load(run)
    if len(history.photos) < 10:
        raise ValueError(f"profile {run.profile.name!r} has {len(history.photos)} {mode.learns_from} photos; at least"
                         " 10 are needed to train")
    return history


# -- split -----------------------------------------------------------------------------
def split(history: History, config: TrainConfig) -> list[ForwardSplit]:
    """Rolling forward folds of whole shoots, newest first (raises TooLittleHistory)."""
    return forward_folds(history.photos, config.validation_share, config.min_judge_photos, config.folds)


# -- publish ---------------------------------------------------------------------------
def publish(run: Run, candidate: Candidate, result: TrainResult, fingerprint: str, models_dir: Path | None) -> None:
    """Save the bundle and register it (as its mode does); active only if the judgement said so."""
    fitted, config, profile = candidate.fitted, run.config, run.profile
    tensors = dict(fitted.head.state_dict())
    bundle = {**fitted.head.config(), **fitted.extras}
    if fitted.encoder is not None:  # the encoder travels with its head
        tensors = {**{f"encoder.{k}": v for k, v in fitted.encoder.state_dict().items()},
                   **{f"head.{k}": v for k, v in fitted.head.state_dict().items()}}
        bundle["architecture"] = "cnn-permlp"  # a bundle of encoder.* and head.*, as scoring loads it
    bundle.update(encoder_id=result.encoder_id, vocabulary=fitted.vocabulary, profile_ids=[profile.id],
                  calibration=fitted.calibration, signal_weight=result.signal_weight,
                  ranker=fitted.ranker.to_json() if fitted.ranker else None,
                  metrics=result.metrics(), train_config=asdict(config), training_data=fingerprint,
                  version=result.version)
    directory = (models_dir or Path(run.store.path).parent / "models") / f"profile-{profile.id}" / result.version
    sha = save_bundle(directory, tensors, bundle)
    mode_of(config.mode).register(run, candidate, str(directory), sha, result.metrics(), result.activated)


# -- the pipeline ------------------------------------------------------------------------
def train(store: Store, profile: Profile, config: TrainConfig | None = None, *, device: torch.device | str = "cpu",
          on_progress: Callable[[dict], None] | None = None, should_stop: Callable[[], bool] = lambda: False,
          models_dir: Path | None = None, encoder_id: str | None = None) -> TrainResult:
    """Retrain one profile's model (``config.mode``), judge it on her newest shoots and publish
    it. ``encoder_id``: the embeddings a head learns from (default: the library's active ones)."""
    config = config or TrainConfig()
    mode = mode_of(config.mode)
    started = time.perf_counter()
    previous_encoder = store.settings.active_encoder()
    run = Run(store, profile, config, torch.device(device), on_progress or (lambda event: None), should_stop,
              started, previous_encoder, encoder_id or previous_encoder)
    mode.check(run)
    history = load_history(run)
    fingerprint = _fingerprint(history, config, run.encoder_id)
    _something_new(store, profile, fingerprint)
    folds = split(history, config)
    candidate = mode.fit_and_judge(run, history, folds, datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f"))
    fitted, judged, scorer = candidate.fitted, candidate.judged, candidate.scorer
    fitted.ranker = scorer.ranker if scorer else None  # chosen while judging
    result = TrainResult(
        candidate.version, judged.activate, judged.before, judged.after, fitted.best_f1, len(folds[0].train),
        judged.test_photos, time.perf_counter() - started, mode=config.mode, history=fitted.history,
        signal_weight=scorer.signal_weight if scorer else None, learned_ranker=bool(scorer and scorer.ranker),
        test_shoots=folds[0].test_shoots, tune_photos=len(folds[0].tune), accepted_before=judged.accepted[0],
        accepted_after=judged.accepted[1], gain_lower_bound=judged.verdict.lower_bound,
        encoder_id=candidate.encoder_id, previous_encoder=previous_encoder, epochs=fitted.epochs,
        warm_start_from=fitted.warm_start, folds=candidate.folds, judged_photos=judged.judged_photos,
        self_training=fitted.self_training, summary=judged.summary, training_data=fingerprint)
    publish(run, candidate, result, fingerprint, models_dir)
    return replace(result, seconds=time.perf_counter() - started)


def train_profile(store: Store, profile: Profile, encoder_id: str, *, config: TrainConfig | None = None,
                  **options) -> TrainResult:
    """The head retrain on ``encoder_id``'s embeddings ("Retrain on my tags")."""
    return train(store, profile, config or TrainConfig(), encoder_id=encoder_id, **options)


class NothingNewToLearn(ValueError):
    """Her tags, rejections and photos are what the latest model learned from, the same way:
    training again would add a second identical version."""

    def __init__(self, version: str, active: bool):
        super().__init__(f"Nothing new to learn since version {version}: your tags are the same as when it was"
                         " trained" + ("" if active else " (Tools > Models, or 'tagassist models activate"
                                                          f" {version}', activates it)"))
        self.version, self.active = version, active


def _something_new(store: Store, profile: Profile, fingerprint: str) -> None:
    """Raises NothingNewToLearn where the profile's latest model learned from exactly this."""
    latest = next(iter(store.models.of(profile)), None)
    if latest is not None and latest["metrics"].get("training_data") == fingerprint:
        raise NothingNewToLearn(latest["version"], latest["active"])


def _fingerprint(history: History, config: TrainConfig, encoder_id: str | None) -> str:
    """The photos, their tags and rejections, the mode's settings and the embeddings learned from."""
    digest = hashlib.sha256(f"{encoder_id}:{sorted(asdict(config).items())};".encode())
    for photo, names, rejected in zip(history.photos, history.tags, history.rejected):
        digest.update(f"{photo.content_hash}:{'|'.join(sorted(names))}:{'|'.join(sorted(rejected))};".encode())
    return digest.hexdigest()[:16]
