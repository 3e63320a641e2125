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

The modes differ in their ``TrainConfig`` defaults, their fit function, and what their
candidate needs before it can be judged. ``head`` is judged over rolling folds (a model of
the older shoots is fitted by the same recipe for each older fold). ``full`` re-indexes the
library with its fine-tuned encoder first (its embeddings are dropped again if it loses).
``cnn-permlp`` (the paper's CNN, research) is judged as a model alone: its head scores
embeddings the library only has once it is indexed with that encoder (``tagassist index
--encoder cnn-permlp``), so it is registered, not activated.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from tagassist.engine.encoders import FINE_TUNED_PREFIX, LITE0_MEAN, LITE0_STD, Encoder, pretrained_lite0
from tagassist.engine.indexer import Indexer, content_encoder_id
from tagassist.models.bundle import save_bundle
from tagassist.models.scoring import ModelScorer
from tagassist.store import Profile, Store

from .early_stopping import Stopped
from .fitting import (CNN_MEAN, CNN_SIDE, CNN_STD, CROP, Fitted, History, Targets, calibrate, fit_cnn_permlp,
                      fit_full, fit_head, top5_f1)
from .judging import Judgement, judge_candidate, judge_folds
from .photo_batches import centre_crops, load_images
from .validation import MIN_TEST_PHOTOS, ForwardSplit, Verdict, forward_folds


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
        defaults = MODE_DEFAULTS.get(mode)
        if defaults is None:
            raise ValueError(f"unknown training mode {mode!r} (known: {', '.join(MODE_DEFAULTS)})")
        return cls(mode=mode, **{**defaults, **overrides})


MODE_DEFAULTS: dict[str, dict] = {
    "head": {},
    # Minutes a pass on a CPU: few epochs, and one fold (the older fold would fine-tune again).
    "full": {"epochs": 8, "batch_size": 16, "patience": 3, "folds": 1},
    "cnn-permlp": {"epochs": 30, "batch_size": 32, "learning_rate": 2e-3, "patience": 8, "folds": 1},
}


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

    def metrics(self) -> dict:
        """What the model register keeps of it."""
        return {k: v for k, v in asdict(self).items() if k not in ("version", "activated", "stopped", "history")}


# -- load ------------------------------------------------------------------------------
def load_history(store: Store, profile: Profile, config: TrainConfig, encoder_id: str | None,
                 report: Callable[[dict], None]) -> History:
    """Her tagged photos, oldest first: those with an embedding from ``encoder_id`` (head), or
    those whose pixels can be read (full, cnn-permlp)."""
    tags_of = store.tags_by_photo(profile)
    rejected_of = store.tags_by_photo(profile, rejected=True)
    if config.mode == "head":
        photos = store.embedded_tagged_photos(profile, encoder_id)
        vectors = store.embeddings(encoder_id, {p.content_hash for p in photos})
        features = torch.from_numpy(np.stack([vectors[p.content_hash] for p in photos]).astype(np.float32)) \
            if photos else None
        history = History(photos, [tags_of[p.id] for p in photos], [rejected_of.get(p.id, []) for p in photos],
                          features=features)
    else:
        tagged = [p for p, tags in store.list_photos(profile) if tags and p.status in ("ok", "warning")]
        tagged.sort(key=lambda p: (p.taken_at or "", p.id))
        report({"stage": "load", "epoch": 0, "step": 0, "total": len(tagged), "loss": None, "metric": None,
                "eta_s": None})
        images, kept = load_images(tagged, config.keep_side if config.mode == "full" else CNN_SIDE)
        photos = [tagged[i] for i in kept]
        history = History(photos, [tags_of[p.id] for p in photos], [rejected_of.get(p.id, []) for p in photos],
                          images=images)
    if len(history.photos) < 10:
        what = "tagged, indexed" if config.mode == "head" else "readable tagged"
        raise ValueError(f"profile {profile.name!r} has {len(history.photos)} {what} photos; at least 10 are needed"
                         " to train")
    return history


# -- split -----------------------------------------------------------------------------
def split(history: History, config: TrainConfig) -> list[ForwardSplit]:
    """Rolling forward folds of whole shoots, newest first (raises TooLittleHistory)."""
    return forward_folds(history.photos, config.validation_share, config.min_judge_photos, config.folds)


# -- judge -----------------------------------------------------------------------------
def judge(store, profile, history: History, folds: list[ForwardSplit], newest: ModelScorer, encoder_id: str,
          previous_encoder: str | None, fit_older: Callable[[ForwardSplit], ModelScorer], config: TrainConfig,
          report, should_stop) -> Judgement:
    """The candidate on the newest fold's test shoots, and a model of the older shoots, fitted
    by the same recipe, on each older fold's; one decision over all of them."""
    def stage(step: int) -> None:
        report({"stage": "compare", "epoch": 0, "step": step, "total": len(folds) + 1, "loss": None, "metric": None,
                "eta_s": 0})

    stage(0)
    judgements = [judge_candidate(store, profile, history.photos, history.tags, folds[0], newest, encoder_id,
                                  previous_encoder, should_stop, seed=config.seed)]
    for number, older in enumerate(folds[1:], start=1):
        stage(number)
        judgements.append(judge_candidate(store, profile, history.photos, history.tags, older, fit_older(older),
                                          encoder_id, encoder_id, should_stop, seed=config.seed))
    stage(len(folds))
    return judge_folds(judgements, folds[0], seed=config.seed) if len(judgements) > 1 else judgements[0]


def model_alone(history: History, fold: ForwardSplit, fitted: Fitted, features: torch.Tensor, device) -> Judgement:
    """For a candidate the engine cannot use yet (cnn-permlp): the model's own F1@5 on the test
    shoots, never activated."""
    rows = list(fold.test)
    with torch.inference_mode():
        scores = fitted.head(features.to(device), torch.zeros(len(rows), dtype=torch.long, device=device))
    f1 = top5_f1(scores, fitted.vocabulary, [frozenset(history.tags[i]) for i in rows])
    summary = (f"The model alone suggests F1@5 {f1:.3f} on your {fold.test_shoots} newest shoots ({len(rows)} photos)."
               " Index with 'tagassist index --encoder cnn-permlp', then 'tagassist models activate' to use it.")
    return Judgement(0.0, f1, (0.0, 0.0), Verdict(False, 0.0, f1, 0.0), len(rows), False, summary)


# -- publish ---------------------------------------------------------------------------
def publish(store: Store, profile: Profile, fitted: Fitted, result: TrainResult, config: TrainConfig,
            fingerprint: str, models_dir: Path | None) -> None:
    """Save the bundle and register it; active only if the judgement said so."""
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
    directory = (models_dir or Path(store.path).parent / "models") / f"profile-{profile.id}" / result.version
    sha = save_bundle(directory, tensors, bundle)
    if config.mode == "full":  # registered first, then activated: activation switches the library's encoder
        store.add_model(result.version, profile, str(directory), sha, result.metrics(), activate=False)
        if result.activated:
            store.activate_model(profile, result.version)
        else:
            _drop_embeddings(store, result.encoder_id)
    else:
        store.add_model(result.version, profile, str(directory), sha, result.metrics(), activate=result.activated)


# -- the pipeline ------------------------------------------------------------------------
def train(store: Store, profile: Profile, config: TrainConfig | None = None, *, device: torch.device | str = "cpu",
          on_progress: Callable[[dict], None] | None = None, should_stop: Callable[[], bool] = lambda: False,
          models_dir: Path | None = None, encoder_id: str | None = None) -> TrainResult:
    """Retrain one profile's model (``config.mode``), judge it on her newest shoots and publish
    it. ``encoder_id``: the embeddings a head learns from (default: the library's active ones)."""
    config = config or TrainConfig()
    report = on_progress or (lambda event: None)
    started = time.perf_counter()
    device = torch.device(device)
    previous_encoder = store.active_encoder()
    encoder_id = encoder_id or previous_encoder
    if config.mode == "head" and not encoder_id:
        raise ValueError("the library has no embeddings yet: run 'tagassist index' first")
    history = load_history(store, profile, config, encoder_id, report)
    folds = split(history, config)
    version = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    if config.mode == "head":
        def fit(fold: ForwardSplit, warm: bool, progress) -> Fitted:
            return fit_head(store, profile, encoder_id, history, fold, config, device, progress, should_stop,
                            warm=warm, started=started)

        fitted = fit(folds[0], True, report)
        scorer = ModelScorer(fitted.head, fitted.vocabulary, fitted.calibration, device)
        older = lambda fold: _scorer(fit(fold, False, lambda event: None), device)  # noqa: E731
        judged = judge(store, profile, history, folds, scorer, encoder_id, encoder_id, older, config, report,
                       should_stop)
    elif config.mode == "full":
        fitted = fit_full(store, profile, previous_encoder, history, folds[0], config, device, report, should_stop,
                          started=started)
        version = "full-" + version
        encoder_id = FINE_TUNED_PREFIX + version
        scorer = _index_and_calibrate(store, history, folds[0], fitted, encoder_id, device, report, should_stop)
        try:
            judged = judge(store, profile, history, folds[:1], scorer, encoder_id, previous_encoder, None, config,
                           report, should_stop)
        except Stopped:
            _drop_embeddings(store, encoder_id)
            raise
    else:
        fitted = fit_cnn_permlp(store, profile, history, folds[0], config, device, report, should_stop,
                                started=started)
        version, encoder_id, scorer = "cnn-" + version, "cnn-permlp", None
        judged = model_alone(history, folds[0], fitted, _cnn_embeddings(fitted, history, folds[0], device), device)
    fitted.ranker = scorer.ranker if scorer else None  # chosen while judging
    result = TrainResult(
        version, judged.activate, judged.before, judged.after, fitted.best_f1, len(folds[0].train),
        judged.test_photos, time.perf_counter() - started, mode=config.mode, history=fitted.history,
        signal_weight=scorer.signal_weight if scorer else None, learned_ranker=bool(scorer and scorer.ranker),
        test_shoots=folds[0].test_shoots, tune_photos=len(folds[0].tune), accepted_before=judged.accepted[0],
        accepted_after=judged.accepted[1], gain_lower_bound=judged.verdict.lower_bound, encoder_id=encoder_id,
        previous_encoder=previous_encoder, epochs=fitted.epochs, warm_start_from=fitted.warm_start,
        folds=len(folds) if config.mode == "head" else 1, judged_photos=judged.judged_photos,
        self_training=fitted.self_training,
        summary=judged.summary)
    publish(store, profile, fitted, result, config, _fingerprint(history), models_dir)
    return replace(result, seconds=time.perf_counter() - started)


def train_profile(store: Store, profile: Profile, encoder_id: str, *, config: TrainConfig | None = None,
                  **options) -> TrainResult:
    """The head retrain on ``encoder_id``'s embeddings ("Retrain on my tags")."""
    return train(store, profile, config or TrainConfig(), encoder_id=encoder_id, **options)


def _scorer(fitted: Fitted, device) -> ModelScorer:
    return ModelScorer(fitted.head, fitted.vocabulary, fitted.calibration, device)


def _index_and_calibrate(store, history: History, fold: ForwardSplit, fitted: Fitted, encoder_id: str, device,
                         report, should_stop) -> ModelScorer:
    """Re-index the library with the fine-tuned encoder (its own encoder id: the old embeddings
    stay, so a rollback needs no re-indexing), then calibrate the head on its embeddings."""
    inference = pretrained_lite0()
    inference.load_state_dict(fitted.encoder.state_dict())
    inference = inference.fuse_for_inference().to(device)
    indexer = Indexer(store, Encoder(encoder_id, inference, CROP, LITE0_MEAN, LITE0_STD, 1280, True), device)
    for progress in indexer.index():
        if should_stop():
            _drop_embeddings(store, encoder_id)
            raise Stopped()
        report({"stage": "index", "epoch": fitted.epochs, "step": progress.done, "total": progress.total,
                "loss": None, "metric": fitted.best_f1, "eta_s": None})
    tune = list(fold.tune)
    vectors = store.embeddings(encoder_id, {history.photos[i].content_hash for i in tune})
    features = torch.from_numpy(np.stack([vectors[history.photos[i].content_hash] for i in tune]).astype(np.float32))
    fitted.calibration = calibrate(fitted.head, features, Targets.of(history, fold).positives, tune, device)
    return _scorer(fitted, device)


def _cnn_embeddings(fitted: Fitted, history: History, fold: ForwardSplit, device) -> torch.Tensor:
    with torch.inference_mode():
        embeddings, _ = fitted.encoder(centre_crops(history.images, list(fold.test), CNN_SIDE, CNN_MEAN,
                                                    CNN_STD).to(device))
    return embeddings


def _drop_embeddings(store: Store, encoder_id: str) -> None:
    store.drop_embeddings(encoder_id)
    store.drop_embeddings(content_encoder_id(encoder_id))


def _fingerprint(history: History) -> str:
    digest = hashlib.sha256()
    for photo, names in zip(history.photos, history.tags):
        digest.update(f"{photo.content_hash}:{'|'.join(sorted(names))};".encode())
    return digest.hexdigest()[:16]
