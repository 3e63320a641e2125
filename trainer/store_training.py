"""Training a profile's personalized model from the tagassist store ("Retrain on my tags").

Positives are the profile's imported, typed and accepted tags; its rejections are hard
negatives for their photo. The history is split forward in time into whole shoots
(``trainer.validation``): the model learns from the oldest, early-stops, is calibrated and
gets its weight among the signals on the next ones (tune), and the engine with it is compared
with the engine as it is on the newest shoots, which it never saw (test). A new bundle is
activated only when it is better there by more than the noise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from tagassist.engine.calibration import platt
from tagassist.engine.suggest import Suggester
from tagassist.models.bundle import save_bundle
from tagassist.models.permlp import PerMLP, bpr_loss
from tagassist.models.scoring import ModelScorer, active_model_scorer
from tagassist.store import Photo, Profile, Store

from .early_stopping import EarlyStopping, Stopped
from .metrics import ranking_metrics
from .signal_ranker import fit_signal_ranker
from .validation import MIN_TEST_PHOTOS, ForwardSplit, Verdict, forward_folds, paired_bootstrap


@dataclass
class TrainConfig:
    epochs: int = 80
    batch_size: int = 128
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    negatives: int = 32
    hidden: int = 256
    patience: int = 10
    validation_share: float = 0.1  # of the photos in each of the tune and test blocks, at least
    min_judge_photos: int = MIN_TEST_PHOTOS  # and at least this many
    folds: int = 2  # rolling forward folds that must agree, where the history allows
    self_training: bool = False  # SIMR-style distillation on the untagged photos, kept if it helps
    seed: int = 0


@dataclass
class TrainResult:
    version: str | None
    activated: bool
    before_f1_at_5: float  # on the test shoots: the engine as it was
    after_f1_at_5: float  # and with the new model
    model_f1_at_5: float
    train_photos: int
    validation_photos: int  # the test shoots' photos
    seconds: float
    stopped: bool = False
    history: list[dict] = field(default_factory=list)
    signal_weight: float | None = None  # the new model's weight among the engine's signals
    learned_ranker: bool = False  # whether her own weighing of the signals was kept
    test_shoots: int = 0
    accepted_before: float = 0.0  # share of the 5 shown suggestions she would have accepted
    accepted_after: float = 0.0
    gain_lower_bound: float = 0.0  # of the per-photo F1@5 gain, one-sided 95 %
    summary: str = ""  # the outcome in the photographer's words


def tagged_photos(store: Store, profile: Profile, encoder_id: str) -> tuple[list[Photo], list[list[str]], list[list[str]], dict]:
    """The profile's tagged photos that have an embedding, oldest first, with tags and rejections."""
    tags_of = store.tags_by_photo(profile)
    rejected_of = store.tags_by_photo(profile, rejected=True)
    photos = store.embedded_tagged_photos(profile, encoder_id)
    vectors = store.embeddings(encoder_id, {p.content_hash for p in photos})
    return photos, [tags_of[p.id] for p in photos], [rejected_of.get(p.id, []) for p in photos], vectors


def _padded(lists: list[list[int]], width: int | None = None) -> torch.Tensor:
    width = width or max((len(x) for x in lists), default=1) or 1
    out = torch.full((len(lists), width), -1, dtype=torch.long)
    for i, values in enumerate(lists):
        out[i, : len(values[:width])] = torch.tensor(values[:width], dtype=torch.long)
    return out


def bpr_targets(rows, positives: list[list[int]], hard: list[list[int]] | None, n_tags: int, negatives: int,
                device) -> tuple[torch.Tensor, torch.Tensor]:
    """(positive, negative) tag columns of a batch of photos for the BPR loss. Negatives are
    uniform over the vocabulary (vectorised), minus accidental positives, plus the
    photographer's own rejections for each photo (``hard``) as hard negatives."""
    pos = _padded([positives[i] for i in rows]).to(device)
    sampled = torch.randint(n_tags, (len(rows), negatives), device=device)
    sampled = torch.where((sampled.unsqueeze(2) == pos.unsqueeze(1)).any(2), torch.full_like(sampled, -1), sampled)
    if hard is None:
        return pos, sampled
    return pos, torch.cat([sampled, _padded([hard[i] for i in rows], 4).to(device)], 1)


def f1_at_5(rankings: list[list[str]], truths: list[frozenset[str]]) -> float:
    return ranking_metrics(rankings, truths, [5])[5]["F1"] if truths else 0.0


MODEL_WEIGHTS = (0.9, 0.6, 0.3, 0.0)  # how much a model may count against the other signals
# The engine's suggestions before and after are compared on the newest held-out photos, at
# most this many in each block (each costs the signals of one suggestion; 200 photos tell a
# real gain from noise, and two folds must stay within the retrain's time budget).
COMPARE_PHOTOS = 200


def choose_combination(store, profile, encoder_id, photos, truths, exclude, scorer, rankers,
                       should_stop: Callable[[], bool] = lambda: False) -> float:
    """Sets the scorer's ranker (one of ``rankers``; None is the default noisy-OR) and its
    model's weight among the signals to the pair that serves the held-out photos best, and
    returns the F1@5 it gives. Ties go to the earlier ranker and the larger weight (the learned
    ranker has seen more photos than the held-out ones, the model is newer evidence). A model
    that only hurts ends up at weight 0 and changes nothing."""
    suggester = Suggester(store, profile, encoder_id, model_scorer=scorer, exclude_photo_ids=exclude, calibrate=False)
    signals = [suggester.signals(p, hide_own_tags=True) for p in photos]
    best, choice = -1.0, (None, MODEL_WEIGHTS[0])
    for ranker in rankers:
        for weight in MODEL_WEIGHTS:
            if should_stop():
                raise Stopped()
            rankings = [[s.tag for s in suggester.rank(x, 5, ranker=ranker, model_weight=weight)] for x in signals]
            f1 = f1_at_5(rankings, truths)
            if f1 > best:
                best, choice = f1, (ranker, weight)
    scorer.ranker, scorer.signal_weight = choice
    return best


def _suggestion_rankings(store, profile, encoder_id, photos, exclude, scorer) -> list[list[str]]:
    """The engine's top 5 for each photo with ``scorer`` (None: no model) as configured,
    exactly as ``tagassist suggest`` ranks them, with ``exclude`` out of the history."""
    suggester = Suggester(store, profile, encoder_id, model_scorer=scorer, exclude_photo_ids=exclude, calibrate=False)
    return [[s.tag for s in suggester.suggest(p, 5, hide_own_tags=True)] for p in photos]


def per_photo_f1(rankings: list[list[str]], truths: list[frozenset[str]]) -> list[float]:
    scores = []
    for ranking, truth in zip(rankings, truths):
        hits = len(set(ranking[:5]) & truth)
        scores.append(2 * hits / (5 + len(truth)) if truth else 0.0)  # 2PR/(P+R) with P=hits/5, R=hits/|truth|
    return scores


def accepted_share(rankings: list[list[str]], truths: list[frozenset[str]]) -> float:
    """Of the suggestions shown (the top 5), the share she would have accepted."""
    shown = sum(len(r[:5]) for r in rankings)
    return sum(len(set(r[:5]) & t) for r, t in zip(rankings, truths)) / shown if shown else 0.0


def outcome_summary(activated: bool, test_shoots: int, test_photos: int, before: float, after: float) -> str:
    shoots = f"your {test_shoots} newest shoot{'s' if test_shoots != 1 else ''} ({test_photos} photos)"
    measured = (f"On {shoots}, which it did not learn from, you would have accepted {before:.0%} of the shown"
                f" suggestions before, {after:.0%} with the new model.")
    if activated:
        return f"{measured} The new model is active."
    return f"{measured} That is no clear gain, so your suggestions stay as they were."


@dataclass(frozen=True)
class Judgement:
    before: float  # F1@5 on the test shoots, the engine as it is
    after: float  # and with the candidate
    accepted: tuple[float, float]  # shares of shown suggestions she would have accepted
    verdict: Verdict
    test_photos: int
    activate: bool
    summary: str
    before_scores: tuple[float, ...] = ()  # per test photo: F1@5 of the engine as it is
    after_scores: tuple[float, ...] = ()  # and with the candidate


def judge_candidate(store: Store, profile: Profile, photos: list[Photo], tags: list[list[str]], split: ForwardSplit,
                    scorer: ModelScorer, encoder_id: str, previous_encoder: str | None,
                    should_stop: Callable[[], bool], *, seed: int = 0) -> Judgement:
    """Choose the candidate's place among the signals on the tune shoots (``scorer`` is set to
    it), then compare the engine as it is with the engine with the candidate on the test
    shoots, as ``tagassist suggest`` ranks. Activate only on a gain beyond the noise."""
    compared = slice(-COMPARE_PHOTOS, None)
    truths = [frozenset(t) for t in tags]
    tune_photos, tune_truths = [photos[i] for i in split.tune][compared], [truths[i] for i in split.tune][compared]
    test_photos, test_truths = [photos[i] for i in split.test][compared], [truths[i] for i in split.test][compared]
    unseen_by_tuning = {photos[i].id for i in (*split.tune, *split.test)}  # out of the history while choosing
    unseen_by_test = {photos[i].id for i in split.test}  # the next shoots: everything before is history
    ranker = fit_signal_ranker(store, profile, encoder_id, photos, truths, len(split.train), should_stop)
    choose_combination(store, profile, encoder_id, tune_photos, tune_truths, unseen_by_tuning, scorer,
                       [ranker, None] if ranker else [None], should_stop)
    previous = active_model_scorer(store, profile, previous_encoder) if previous_encoder else None
    before_rankings = _suggestion_rankings(store, profile, previous_encoder or encoder_id, test_photos, unseen_by_test,
                                           previous)
    after_rankings = _suggestion_rankings(store, profile, encoder_id, test_photos, unseen_by_test, scorer)
    before_scores, after_scores = per_photo_f1(before_rankings, test_truths), per_photo_f1(after_rankings, test_truths)
    verdict = paired_bootstrap(before_scores, after_scores, seed=seed)
    accepted = accepted_share(before_rankings, test_truths), accepted_share(after_rankings, test_truths)
    activate = verdict.better and accepted[1] >= accepted[0]
    return Judgement(f1_at_5(before_rankings, test_truths), f1_at_5(after_rankings, test_truths), accepted, verdict,
                     len(test_photos), activate,
                     outcome_summary(activate, split.test_shoots, len(test_photos), *accepted),
                     tuple(before_scores), tuple(after_scores))


def judge_folds(judgements: list[Judgement], split: ForwardSplit, *, seed: int = 0) -> Judgement:
    """One decision over rolling folds (newest first): a gain beyond the noise on their test
    photos pooled, and no fold worse. The numbers shown are the newest fold's."""
    newest = judgements[0]
    pooled = paired_bootstrap([x for j in judgements for x in j.before_scores],
                              [x for j in judgements for x in j.after_scores], seed=seed)
    never_worse = all(sum(j.after_scores) >= sum(j.before_scores) and j.accepted[1] >= j.accepted[0]
                      for j in judgements)
    activate = pooled.better and never_worse
    return replace(newest, verdict=pooled, activate=activate,
                   summary=outcome_summary(activate, split.test_shoots, newest.test_photos, *newest.accepted))


def train_profile(
    store: Store,
    profile: Profile,
    encoder_id: str,
    *,
    config: TrainConfig | None = None,
    device: torch.device | str = "cpu",
    on_progress: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    models_dir: Path | None = None,
) -> TrainResult:
    config = config or TrainConfig()
    started = time.perf_counter()
    report = on_progress or (lambda event: None)

    photos, tags, rejected, vectors = tagged_photos(store, profile, encoder_id)
    if len(photos) < 10:
        raise ValueError(f"profile {profile.name!r} has {len(photos)} tagged, indexed photos; at least 10 are needed to train")
    folds = forward_folds(photos, config.validation_share, config.min_judge_photos, config.folds)  # or TooLittleHistory
    split = folds[0]
    features = torch.from_numpy(np.stack([vectors[p.content_hash] for p in photos]).astype(np.float32))
    fitted = _fit_head(store, profile, encoder_id, features, tags, rejected, split, config, device, report,
                       should_stop, warm=True, started=started, photos=photos)
    model, vocabulary, calibration, best_f1 = fitted.model, fitted.vocabulary, fitted.calibration, fitted.best_f1
    history, epoch, train_list = fitted.history, fitted.epoch, fitted.train_rows

    report({"stage": "compare", "epoch": epoch, "step": 0, "total": len(folds) + 1, "loss": None, "metric": best_f1,
            "eta_s": 0})
    new_scorer = ModelScorer(model, vocabulary, calibration, device)
    judgements = [judge_candidate(store, profile, photos, tags, split, new_scorer, encoder_id, encoder_id,
                                  should_stop, seed=config.seed)]
    for number, older in enumerate(folds[1:], start=1):  # the same recipe, one block back in time
        report({"stage": "compare", "epoch": epoch, "step": number, "total": len(folds) + 1, "loss": None,
                "metric": best_f1, "eta_s": 0})
        past = _fit_head(store, profile, encoder_id, features, tags, rejected, older, config, device,
                         lambda event: None, should_stop, warm=False, started=started, photos=photos)
        judgements.append(judge_candidate(store, profile, photos, tags, older,
                                          ModelScorer(past.model, past.vocabulary, past.calibration, device),
                                          encoder_id, encoder_id, should_stop, seed=config.seed))
    judged = judge_folds(judgements, split, seed=config.seed)
    report({"stage": "compare", "epoch": epoch, "step": len(folds), "total": len(folds) + 1, "loss": None,
            "metric": best_f1, "eta_s": 0})
    before, after, activate, summary = judged.before, judged.after, judged.activate, judged.summary
    accepted, verdict, test_photos = judged.accepted, judged.verdict, judged.test_photos
    val_idx, warm_start, self_training = split.tune, fitted.warm_start, fitted.self_training

    version = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    signal_weight, ranker = new_scorer.signal_weight, new_scorer.ranker
    metrics = {"before_f1_at_5": before, "after_f1_at_5": after, "model_f1_at_5": best_f1, "encoder_id": encoder_id,
               "signal_weight": signal_weight, "learned_ranker": ranker is not None,
               "train_photos": len(train_list), "tune_photos": len(val_idx), "validation_photos": test_photos,
               "test_shoots": split.test_shoots, "accepted_before": accepted[0], "accepted_after": accepted[1],
               "gain_lower_bound": verdict.lower_bound, "folds": len(folds), "warm_start_from": warm_start,
               "self_training": self_training, "summary": summary}
    bundle_config = {
        **model.config(), "encoder_id": encoder_id, "vocabulary": vocabulary, "profile_ids": [profile.id],
        "calibration": calibration, "signal_weight": signal_weight,
        "ranker": ranker.to_json() if ranker else None, "metrics": metrics, "train_config": asdict(config),
        "training_data": _fingerprint(photos, tags), "version": version,
    }
    directory = (models_dir or Path(store.path).parent / "models") / f"profile-{profile.id}" / version
    sha = save_bundle(directory, model.state_dict(), bundle_config)
    store.add_model(version, profile, str(directory), sha, metrics, activate=activate)
    return TrainResult(version, activate, before, after, best_f1, len(train_list), test_photos,
                       time.perf_counter() - started, history=history, signal_weight=signal_weight,
                       learned_ranker=ranker is not None, test_shoots=split.test_shoots,
                       accepted_before=accepted[0], accepted_after=accepted[1],
                       gain_lower_bound=verdict.lower_bound, summary=summary)


@dataclass
class FittedHead:
    model: PerMLP
    vocabulary: list[str]
    calibration: dict
    best_f1: float  # on the tune shoots
    history: list[dict]
    epoch: int
    train_rows: np.ndarray
    warm_start: str | None
    self_training: dict | None


def _fit_head(store, profile, encoder_id, features, tags, rejected, split: ForwardSplit, config: TrainConfig,
              device, report, should_stop, *, warm: bool, started: float, photos) -> FittedHead:
    """The personalized model of the split's train shoots, early-stopped and calibrated on its
    tune shoots. ``warm``: continue from the active model (only for the newest fold: the
    active model has seen the older folds' test shoots)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    train_idx, val_idx = split.train, split.tune
    vocabulary = sorted({t for i in train_idx for t in tags[i]})
    column = {t: c for c, t in enumerate(vocabulary)}
    positives = [[column[t] for t in tags[i] if t in column] for i in range(len(tags))]
    hard = [[column[t] for t in rejected[i] if t in column] for i in range(len(tags))]

    model = PerMLP(features.shape[1], 1, len(vocabulary), config.hidden).to(device)
    train_features = features[list(train_idx)]
    model.feature_mean.copy_(train_features.mean(0))
    model.feature_std.copy_(train_features.std(0).clamp(min=1e-3))
    warm_start = _warm_start(store, profile, encoder_id, model, vocabulary) if warm else None
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    val_truths = [frozenset(tags[i]) for i in val_idx]

    def model_rankings(indices) -> list[list[str]]:
        model.eval()
        with torch.inference_mode():
            scores = model(features[list(indices)].to(device), torch.zeros(len(indices), dtype=torch.long, device=device))
        model.train()
        return [[vocabulary[c] for c in row] for row in scores.topk(min(5, len(vocabulary)), dim=1).indices.tolist()]

    train_list = np.array(list(train_idx))
    steps_per_epoch = math.ceil(len(train_list) / config.batch_size)
    stopping, history, epoch = EarlyStopping([model], config.patience), [], 0
    for epoch in range(1, config.epochs + 1):
        rng.shuffle(train_list)
        losses = []
        for start in range(0, len(train_list), config.batch_size):
            if should_stop():
                raise Stopped()
            batch = train_list[start : start + config.batch_size]
            pos, neg = bpr_targets(batch, positives, hard, len(vocabulary), config.negatives, device)
            users = torch.zeros(len(batch), dtype=torch.long, device=device)
            loss = bpr_loss(model(features[batch].to(device), users), pos, neg)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        val_f1 = f1_at_5(model_rankings(val_idx), val_truths)
        elapsed = time.perf_counter() - started
        event = {"stage": "train", "epoch": epoch, "step": steps_per_epoch, "total": config.epochs,
                 "loss": float(np.mean(losses)), "metric": val_f1,
                 "eta_s": elapsed / epoch * (config.epochs - epoch)}
        history.append(event)
        report(event)
        if stopping.update(val_f1):
            break
    # With no epoch run, the (warm-started) model is kept as it is.
    best_f1 = stopping.best if stopping.restore() else f1_at_5(model_rankings(val_idx), val_truths)
    model.eval()
    self_training = None
    if config.self_training:
        model, best_f1, self_training = _self_train(store, encoder_id, photos, model, best_f1, features, train_list,
                                                    positives, hard, vocabulary, val_idx, val_truths, config,
                                                    device, report, should_stop)
    # Calibrated on the tune shoots: on the training photos an overfit model looks sure.
    val_list = np.array(list(val_idx))
    calibration = _calibrate(model, features[val_list], positives, val_list, device)
    return FittedHead(model, vocabulary, calibration, best_f1, history, epoch, train_list, warm_start, self_training)


def _self_train(store, encoder_id, photos, teacher, teacher_f1, features, train_rows, positives, hard, vocabulary,
                val_idx, val_truths, config, device, report, should_stop):
    """The distilled student when it beats the teacher on the held-out photos."""
    from .self_training import distil

    tagged = {p.content_hash for p in photos}
    hashes, matrix = store.embedding_matrix(encoder_id)
    rows = [i for i, h in enumerate(hashes) if h not in tagged]
    summary = {"unlabelled_photos": len(rows), "teacher_f1_at_5": teacher_f1}
    if not rows:
        return teacher, teacher_f1, {**summary, "kept": False}
    report({"stage": "self-train", "epoch": 0, "step": 0, "total": len(rows), "loss": None, "metric": teacher_f1,
            "eta_s": None})
    unlabelled = torch.from_numpy(matrix[rows].astype(np.float32))

    def positive_batch(batch_rows):
        return bpr_targets(batch_rows, positives, hard, len(vocabulary), config.negatives, device)

    def validate(model) -> float:
        model.eval()
        with torch.inference_mode():
            scores = model(features[list(val_idx)].to(device), torch.zeros(len(val_idx), dtype=torch.long, device=device))
        model.train()
        top = scores.topk(min(5, len(vocabulary)), dim=1).indices.tolist()
        return f1_at_5([[vocabulary[c] for c in row] for row in top], val_truths)

    student, student_f1 = distil(teacher, features, unlabelled, np.array(train_rows), positive_batch, validate,
                                 seed=config.seed, device=device, should_stop=should_stop)
    kept = student_f1 > teacher_f1
    summary.update(student_f1_at_5=student_f1, kept=kept)
    return (student, student_f1, summary) if kept else (teacher, teacher_f1, summary)


@torch.no_grad()
def _warm_start(store: Store, profile: Profile, encoder_id: str, model: PerMLP, vocabulary: list[str]) -> str | None:
    """Continue from the active model: every weight whose shape still fits is copied, and the
    output rows of tags it knew (new tags keep fresh rows). Returns its version, or None."""
    from tagassist.models.bundle import BundleError, load_bundle

    active = next((r for r in store.models(profile) if r["active"]), None)
    if active is None:
        return None
    try:
        tensors, config = load_bundle(active["path"], active["sha256"])
    except BundleError:
        return None
    if config.get("encoder_id") != encoder_id or config.get("feature_dim") != model.feature_dim:
        return None
    state = model.state_dict()
    for name, tensor in tensors.items():
        if name in state and state[name].shape == tensor.shape and not name.startswith(("out.", "feature_")):
            state[name].copy_(tensor)
    old_rows = {tag: row for row, tag in enumerate(config["vocabulary"])}
    for row, tag in enumerate(vocabulary):
        if tag in old_rows and tensors["out.weight"].shape[1] == state["out.weight"].shape[1]:
            state["out.weight"][row] = tensors["out.weight"][old_rows[tag]]
            state["out.bias"][row] = tensors["out.bias"][old_rows[tag]]
    model.load_state_dict(state)
    return active["version"]


def _calibrate(model: PerMLP, features: torch.Tensor, positives: list[list[int]], rows, device) -> dict:
    """Platt scaling: P(she takes the tag) = sigmoid(a * score + b), fitted on the given
    (tune) photos, so the model's scores mix with the engine's other signals on one scale.
    Unweighted: the number shown is the chance she takes the tag (weighting the rare positives
    up, as the first version did, made every model score look like 0.9)."""
    with torch.inference_mode():
        scores = model(features.to(device), torch.zeros(len(features), dtype=torch.long, device=device)).cpu().numpy()
    labels = np.zeros_like(scores)
    for r, i in enumerate(rows):
        labels[r, positives[i]] = 1.0
    # A weak prior keeps a and b finite where the tune photos separate perfectly (or hold no
    # tag of the vocabulary): an infinite slope would make every score 0 or 1.
    a, b = platt(scores, labels, prior=(1.0, 0.0), strength=1.0)
    return {"a": a, "b": b}


def _fingerprint(photos: list[Photo], tags: list[list[str]]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for photo, names in zip(photos, tags):
        digest.update(f"{photo.content_hash}:{'|'.join(sorted(names))};".encode())
    return digest.hexdigest()[:16]
