"""The training modes as strategy objects: what each learns from, how its candidate is fitted
and judged, and how it is registered. ``pipeline.train`` runs the same stages for all of them
and asks the mode (``MODES[config.mode]``) at each step where they differ:

    head        the personalized head on the library's embeddings; judged over rolling folds
                (a model of the older shoots is fitted by the same recipe for each older fold)
    full        also the visual encoder's last blocks, on the photos; the library is re-indexed
                with it before it is judged, and its embeddings are dropped again if it loses
    cnn-permlp  the paper's small CNN from scratch (research): judged as a model alone, since
                the library only has its embeddings once indexed with it; registered, never
                activated

A new mode is a subclass with its ``defaults`` and ``fit_and_judge``, added to ``MODES``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from tagassist.engine.encoders import FINE_TUNED_PREFIX, LITE0_MEAN, LITE0_STD, Encoder, pretrained_lite0
from tagassist.engine.indexer import content_encoder_id
from tagassist.models.scoring import ModelScorer
from tagassist.services.indexing import library_indexer
from tagassist.store import Profile, Store

from .control import Stopped, checkpoint
from .fitting import (
    CNN_MEAN,
    CNN_SIDE,
    CNN_STD,
    CROP,
    Fitted,
    History,
    Targets,
    calibrate,
    fit_cnn_permlp,
    fit_full,
    fit_head,
    top5_f1,
)
from .judging import Judgement, judge
from .photo_batches import centre_crops, load_images
from .validation import ForwardSplit, Verdict


@dataclass
class Run:
    """One retrain as it goes: where, for whom, how, and what it reports and obeys."""

    store: Store
    profile: Profile
    config: object  # pipeline.TrainConfig
    device: torch.device
    report: Callable[[dict], None]
    should_stop: Callable[[], bool]
    started: float
    previous_encoder: str | None  # the library's active embeddings before this retrain
    encoder_id: str | None  # the embeddings a head learns from


@dataclass
class Candidate:
    """A fitted model, judged: what the mode hands back to be published."""

    fitted: Fitted
    judged: Judgement
    scorer: ModelScorer | None  # as chosen while judging; None where the engine cannot use it yet
    version: str
    encoder_id: str  # the embeddings the model scores
    folds: int  # rolling forward folds that judged it


class Mode:
    """What every mode shares: learning from the photos' pixels, registered as judged."""

    name = ""
    defaults: dict = {}  # TrainConfig fields that differ from its defaults
    self_trains = False  # whether --self-train applies
    learns_from = "readable tagged"  # as the photographer is told when there are too few
    model_note = ""  # what the outcome says of the model besides its version

    def check(self, run: Run) -> None:
        """Refuses, before any work, a retrain that cannot start."""

    def load(self, run: Run) -> History:
        """Her tagged photos that can be read, oldest first, at the mode's short side."""
        store, profile = run.store, run.profile
        tagged = [p for p, tags in store.photos.list_photos(profile) if tags and p.status in ("ok", "warning")]
        tagged.sort(key=lambda p: (p.taken_at or "", p.id))
        started = time.perf_counter()

        def loaded(done: int) -> None:  # the time left from the pace so far
            run.report({"stage": "load", "epoch": 0, "step": done, "total": len(tagged), "loss": None, "metric": None,
                        "eta_s": (time.perf_counter() - started) / done * (len(tagged) - done)})

        run.report({"stage": "load", "epoch": 0, "step": 0, "total": len(tagged), "loss": None, "metric": None,
                    "eta_s": None})
        images, kept = load_images(tagged, self.image_side(run.config), run.should_stop, loaded)
        photos = [tagged[i] for i in kept]
        return _history(store, profile, photos, images=images)

    def image_side(self, config) -> int:
        return CNN_SIDE

    def fit_and_judge(self, run: Run, history: History, folds: list[ForwardSplit], version: str) -> Candidate:
        raise NotImplementedError

    def register(self, run: Run, candidate: Candidate, directory: str, sha: str, metrics: dict,
                 activate: bool) -> None:
        run.store.models.add(candidate.version, run.profile, directory, sha, metrics, activate=activate)

    def outcome(self, result) -> str:
        """The retrain's outcome (a pipeline.TrainResult) as ``python -m trainer train`` says it."""
        state = "activated" if result.activated else "kept inactive (no clear gain)"
        return (f"{result.summary}\nmodel {result.version}{self.model_note} {state}: F1@5 on the newest shoots"
                f" {result.before_f1_at_5:.3f} -> {result.after_f1_at_5:.3f} ({result.train_photos} photos learned"
                f" from, {result.seconds:.1f} s)")


class HeadMode(Mode):
    name = "head"
    defaults: dict = {}
    self_trains = True
    learns_from = "tagged, indexed"

    def check(self, run: Run) -> None:
        if not run.encoder_id:
            raise ValueError("the library has no embeddings yet: run 'tagassist index' first")

    def load(self, run: Run) -> History:
        """Her tagged photos with an embedding from the encoder the head learns from."""
        photos = run.store.photos.tagged_with_embedding(run.profile, run.encoder_id)
        vectors = run.store.embeddings.embeddings(run.encoder_id, {p.content_hash for p in photos})
        features = torch.from_numpy(np.stack([vectors[p.content_hash] for p in photos]).astype(np.float32)) \
            if photos else None
        return _history(run.store, run.profile, photos, features=features)

    def fit_and_judge(self, run: Run, history: History, folds: list[ForwardSplit], version: str) -> Candidate:
        def fit(fold: ForwardSplit, warm: bool, progress) -> Fitted:
            return fit_head(run.store, run.profile, run.encoder_id, history, fold, run.config, run.device, progress,
                            run.should_stop, warm=warm, started=run.started)

        fitted = fit(folds[0], True, run.report)
        scorer = scorer_of(fitted, run.device)
        judged = judge(run.store, run.profile, history.photos, history.tags, folds, scorer, run.encoder_id,
                       run.encoder_id, lambda fold: scorer_of(fit(fold, False, lambda event: None), run.device),
                       run.report, run.should_stop, seed=run.config.seed)
        return Candidate(fitted, judged, scorer, version, run.encoder_id, len(folds))


class FullMode(Mode):
    name = "full"
    # Minutes a pass on a CPU: few epochs, and one fold (the older fold would fine-tune again).
    defaults = {"epochs": 8, "batch_size": 16, "patience": 3, "folds": 1}
    model_note = " with a fine-tuned encoder"

    def image_side(self, config) -> int:
        return config.keep_side

    def fit_and_judge(self, run: Run, history: History, folds: list[ForwardSplit], version: str) -> Candidate:
        fitted = fit_full(run.store, run.profile, run.previous_encoder, history, folds[0], run.config, run.device,
                          run.report, run.should_stop, started=run.started)
        version = "full-" + version
        encoder_id = FINE_TUNED_PREFIX + version
        try:
            scorer = self._index_and_calibrate(run, history, folds[0], fitted, encoder_id)
            judged = judge(run.store, run.profile, history.photos, history.tags, folds[:1], scorer, encoder_id,
                           run.previous_encoder, None, run.report, run.should_stop, seed=run.config.seed)
        except Stopped:
            drop_embeddings(run.store, encoder_id)
            raise
        return Candidate(fitted, judged, scorer, version, encoder_id, 1)

    def register(self, run: Run, candidate: Candidate, directory: str, sha: str, metrics: dict,
                 activate: bool) -> None:
        """Registered first, then activated: activation switches the library's encoder."""
        run.store.models.add(candidate.version, run.profile, directory, sha, metrics, activate=False)
        if activate:
            run.store.models.activate(run.profile, candidate.version)
        else:
            drop_embeddings(run.store, candidate.encoder_id)

    @staticmethod
    def _index_and_calibrate(run: Run, history: History, fold: ForwardSplit, fitted: Fitted,
                             encoder_id: str) -> ModelScorer:
        """Re-index the library with the fine-tuned encoder (its own encoder id: the old
        embeddings stay, so a rollback needs no re-indexing), then calibrate the head on its
        embeddings."""
        inference = pretrained_lite0()
        inference.load_state_dict(fitted.encoder.state_dict())
        inference = inference.fuse_for_inference().to(run.device)
        encoder = Encoder(encoder_id, inference, CROP, LITE0_MEAN, LITE0_STD, 1280, True)
        for progress in library_indexer(run.store, encoder, run.device).index():
            checkpoint(run.should_stop)
            run.report({"stage": "index", "epoch": fitted.epochs, "step": progress.done, "total": progress.total,
                        "loss": None, "metric": fitted.best_f1, "eta_s": None})
        tune = list(fold.tune)
        vectors = run.store.embeddings.embeddings(encoder_id, {history.photos[i].content_hash for i in tune})
        features = torch.from_numpy(np.stack([vectors[history.photos[i].content_hash] for i in tune])
                                    .astype(np.float32))
        fitted.calibration = calibrate(fitted.head, features, Targets.of(history, fold).positives, tune, run.device)
        return scorer_of(fitted, run.device)


class CnnPermlpMode(Mode):
    name = "cnn-permlp"
    defaults = {"epochs": 30, "batch_size": 32, "learning_rate": 2e-3, "patience": 8, "folds": 1}

    def fit_and_judge(self, run: Run, history: History, folds: list[ForwardSplit], version: str) -> Candidate:
        fitted = fit_cnn_permlp(run.store, run.profile, history, folds[0], run.config, run.device, run.report,
                                run.should_stop, started=run.started)
        with torch.inference_mode():
            embeddings, _ = fitted.encoder(centre_crops(history.images, list(folds[0].test), CNN_SIDE, CNN_MEAN,
                                                        CNN_STD).to(run.device))
        judged = self._model_alone(history, folds[0], fitted, embeddings, run.device)
        return Candidate(fitted, judged, None, "cnn-" + version, "cnn-permlp", 1)

    def outcome(self, result) -> str:
        return f"cnn-permlp model {result.version}: {result.summary}"

    @staticmethod
    def _model_alone(history: History, fold: ForwardSplit, fitted: Fitted, features: torch.Tensor,
                     device) -> Judgement:
        """The model's own F1@5 on the test shoots: the engine cannot use it yet, so it is never
        activated."""
        rows = list(fold.test)
        with torch.inference_mode():
            scores = fitted.head(features.to(device), torch.zeros(len(rows), dtype=torch.long, device=device))
        f1 = top5_f1(scores, fitted.vocabulary, [frozenset(history.tags[i]) for i in rows])
        summary = (f"The model alone suggests F1@5 {f1:.3f} on your {fold.test_shoots} newest shoots ({len(rows)}"
                   " photos). Index with 'tagassist index --encoder cnn-permlp', then 'tagassist models activate'"
                   " to use it.")
        return Judgement(0.0, f1, (0.0, 0.0), Verdict(False, 0.0, f1, 0.0), len(rows), False, summary)


MODES: dict[str, Mode] = {mode.name: mode for mode in (HeadMode(), FullMode(), CnnPermlpMode())}


def mode_of(name: str) -> Mode:
    if name not in MODES:
        raise ValueError(f"unknown training mode {name!r} (known: {', '.join(MODES)})")
    return MODES[name]


def scorer_of(fitted: Fitted, device) -> ModelScorer:
    return ModelScorer(fitted.head, fitted.vocabulary, fitted.calibration, device)


def drop_embeddings(store: Store, encoder_id: str) -> None:
    store.embeddings.drop_embeddings(encoder_id)
    store.embeddings.drop_embeddings(content_encoder_id(encoder_id))


def _history(store: Store, profile: Profile, photos, **learned_from) -> History:
    tags_of = store.history.tags_by_photo(profile)
    rejected_of = store.history.tags_by_photo(profile, rejected=True)
    return History(photos, [tags_of[p.id] for p in photos], [rejected_of.get(p.id, []) for p in photos],
                   **learned_from)
