"""The fit stage of a retrain, one small function per mode, all through one epoch loop.

    fit_head        the personalized head (PerMLP) on the library's embeddings
    fit_full        the last blocks of the visual encoder with the head, on her photos
    fit_cnn_permlp  the CNN-PerMLP paper's small CNN from scratch, with the head

Each learns from the train shoots by BPR with her rejections as hard negatives, early-stops on
F1@5 of the model alone on the tune shoots (``run_epochs``), and is calibrated there
(``calibrate``): on the training photos an overfit model looks sure.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from tagassist.engine.bundle import BundleError, load_bundle
from tagassist.engine.calibration import platt
from tagassist.engine.encoders import LITE0_MEAN, LITE0_STD, pretrained_lite0
from tagassist.engine.encoders.cnn_permlp import SmallCNN
from tagassist.engine.ranker import SignalRanker
from tagassist.models.permlp import PerMLP, bpr_loss
from tagassist.store import Photo, Profile, Store

from .control import checkpoint
from .early_stopping import EarlyStopping
from .judging import f1_at_5
from .photo_batches import centre_crops, random_crops
from .validation import ForwardSplit

CROP = 224  # the fine-tuned encoder's input
CNN_SIDE = 112  # cnn-permlp keeps photos at this short side; its patches are 96 px
CNN_MEAN, CNN_STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


@dataclass
class History:
    """Her tagged photos, oldest first, with what each mode learns from: the library's
    embeddings (``features``) or the photos' pixels (``images``)."""

    photos: list[Photo]
    tags: list[list[str]]
    rejected: list[list[str]]
    features: torch.Tensor | None = None
    images: list[torch.Tensor] | None = None


@dataclass
class Targets:
    """Her tags as the columns of the train shoots' vocabulary."""

    vocabulary: list[str]
    positives: list[list[int]]
    hard: list[list[int]]  # her rejections: hard negatives

    @classmethod
    def of(cls, history: History, split: ForwardSplit) -> Targets:
        vocabulary = sorted({t for i in split.train for t in history.tags[i]})
        column = {t: c for c, t in enumerate(vocabulary)}
        return cls(vocabulary, [[column[t] for t in ts if t in column] for ts in history.tags],
                   [[column[t] for t in ts if t in column] for ts in history.rejected])


@dataclass
class Fitted:
    """A trained head (and, for full and cnn-permlp, the encoder it reads), calibrated."""

    head: PerMLP
    vocabulary: list[str]
    calibration: dict
    best_f1: float  # of the model alone, on the tune shoots
    epochs: int
    history: list[dict]
    encoder: torch.nn.Module | None = None
    warm_start: str | None = None
    extras: dict = field(default_factory=dict)  # what the bundle also records
    ranker: SignalRanker | None = None  # her weighing of the signals, chosen when it is judged
    self_training: dict | None = None  # what distilling on her untagged photos did, where asked


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


def _one_user(n: int, device) -> torch.Tensor:
    return torch.zeros(n, dtype=torch.long, device=device)  # the head's user index: one profile


def top5_f1(scores: torch.Tensor, vocabulary: list[str], truths: list[frozenset[str]]) -> float:
    top = scores.topk(min(5, len(vocabulary)), dim=1).indices.tolist()
    return f1_at_5([[vocabulary[c] for c in row] for row in top], truths)


def run_epochs(modules: Sequence[torch.nn.Module], rows: np.ndarray, batch_size: int, epochs: int, patience: int,
               train_step: Callable[[np.ndarray], float], validate: Callable[[], float], rng: np.random.Generator,
               report: Callable[[dict], None], should_stop: Callable[[], bool],
               started: float) -> tuple[float, int, list]:
    """Shuffled batches of ``rows`` for up to ``epochs``, stopping when F1@5 on the tune shoots
    (``validate``) has not improved for ``patience`` epochs; the best weights are restored.
    The model as it starts (a warm start) is the first bar to beat. Returns (best F1@5, epochs
    run, the progress events)."""
    stopping, history, epoch = EarlyStopping(modules, patience), [], 0
    stopping.update(validate())
    first_epoch = time.perf_counter()  # the pace is measured from here: loading and setting up are done
    rows = rows.copy()
    steps = math.ceil(len(rows) / batch_size)
    for epoch in range(1, epochs + 1):
        rng.shuffle(rows)
        losses = []
        for start in range(0, len(rows), batch_size):
            checkpoint(should_stop)
            losses.append(train_step(rows[start : start + batch_size]))
        metric = validate()
        stop = stopping.update(metric)
        # The time left at the measured pace, up to where early stopping ends it unless a better
        # epoch comes (which puts the end further again), never the epoch cap: that said "about
        # 3 min left" to a retrain that ended 12 s later.
        left = 0 if stop else min(epochs - epoch, stopping.epochs_left)
        event = {"stage": "train", "epoch": epoch, "step": steps, "total": epochs, "loss": float(np.mean(losses)),
                 "metric": metric, "eta_s": (time.perf_counter() - first_epoch) / epoch * left}
        history.append(event)
        report(event)
        if stop:
            break
    stopping.restore()
    for module in modules:
        module.eval()
    return stopping.best, epoch, history


def calibrate(head: PerMLP, features: torch.Tensor, positives: list[list[int]], rows, device) -> dict:
    """Platt scaling: P(she takes the tag) = sigmoid(a * score + b), fitted on the given
    (tune) photos, so the model's scores mix with the engine's other signals on one scale.
    Unweighted: the number shown is the chance she takes the tag (weighting the rare positives
    up, as the first version did, made every model score look like 0.9)."""
    with torch.inference_mode():
        scores = head(features.to(device), _one_user(len(features), device)).float().cpu().numpy()
    labels = np.zeros_like(scores)
    for r, i in enumerate(rows):
        labels[r, positives[i]] = 1.0
    # A weak prior keeps a and b finite where the tune photos separate perfectly (or hold no
    # tag of the vocabulary): an infinite slope made every score 0 or 1, or NaN.
    a, b = platt(scores, labels, prior=(1.0, 0.0), strength=1.0)
    return {"a": a, "b": b}


@torch.no_grad()
def warm_start(store: Store, profile: Profile, encoder_id: str, head: PerMLP, vocabulary: list[str]) -> str | None:
    """Continue from the active model: every weight whose shape still fits is copied, and the
    output rows of tags it knew (new tags keep fresh rows). Returns its version, or None."""
    active = next((r for r in store.models.of(profile) if r["active"]), None)
    if active is None:
        return None
    try:
        tensors, config = load_bundle(active["path"], active["sha256"])
    except BundleError:
        return None
    if config.get("encoder_id") != encoder_id or config.get("feature_dim") != head.feature_dim:
        return None
    prefix = "head." if any(k.startswith("head.") for k in tensors) else ""
    tensors = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
    state = head.state_dict()
    for name, tensor in tensors.items():
        if name in state and state[name].shape == tensor.shape and not name.startswith(("out.", "feature_")):
            state[name].copy_(tensor)
    old_rows = {tag: row for row, tag in enumerate(config["vocabulary"])}
    for row, tag in enumerate(vocabulary):
        if tag in old_rows and tensors["out.weight"].shape[1] == state["out.weight"].shape[1]:
            state["out.weight"][row] = tensors["out.weight"][old_rows[tag]]
            state["out.bias"][row] = tensors["out.bias"][old_rows[tag]]
    head.load_state_dict(state)
    return active["version"]


def fit_head(store: Store, profile: Profile, encoder_id: str, history: History, split: ForwardSplit, config,
             device, report, should_stop, *, warm: bool, started: float) -> Fitted:
    """The head on the library's embeddings. ``warm``: continue from the active model (only
    for the newest fold: the active model has seen the older folds' test shoots)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    targets = Targets.of(history, split)
    features = history.features
    train_rows, tune_rows = np.array(list(split.train)), np.array(list(split.tune))
    head = PerMLP(features.shape[1], 1, len(targets.vocabulary), config.hidden).to(device)
    head.feature_mean.copy_(features[train_rows].mean(0))
    head.feature_std.copy_(features[train_rows].std(0).clamp(min=1e-3))
    started_from = warm_start(store, profile, encoder_id, head, targets.vocabulary) if warm else None
    optimiser = torch.optim.AdamW(head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    tune_truths = [frozenset(history.tags[i]) for i in tune_rows]

    def validate(model: PerMLP = head) -> float:
        model.eval()
        with torch.inference_mode():
            scores = model(features[tune_rows].to(device), _one_user(len(tune_rows), device))
        model.train()
        return top5_f1(scores, targets.vocabulary, tune_truths)

    def step(rows: np.ndarray) -> float:
        pos, neg = bpr_targets(rows, targets.positives, targets.hard, len(targets.vocabulary), config.negatives, device)
        loss = bpr_loss(head(features[rows].to(device), _one_user(len(rows), device)), pos, neg)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss.item()

    head.train()
    best, epochs, events = run_epochs([head], train_rows, config.batch_size, config.epochs, config.patience, step,
                                      validate, rng, report, should_stop, started)
    distilled = None
    if config.self_training:
        head, best, distilled = _self_train(store, encoder_id, history, head, best, train_rows, targets, validate,
                                            config, device, report, should_stop)
    calibration = calibrate(head, features[tune_rows], targets.positives, tune_rows, device)
    return Fitted(head, targets.vocabulary, calibration, best, epochs, events, warm_start=started_from,
                  self_training=distilled)


def _self_train(store, encoder_id, history: History, teacher, teacher_f1, train_rows, targets: Targets, validate,
                config, device, report, should_stop):
    """The distilled student when it beats the teacher on the tune shoots."""
    from .self_training import distil

    tagged = {p.content_hash for p in history.photos}
    hashes, matrix = store.embeddings.embedding_matrix(encoder_id)
    rows = [i for i, h in enumerate(hashes) if h not in tagged]
    summary = {"unlabelled_photos": len(rows), "teacher_f1_at_5": teacher_f1}
    if not rows:
        return teacher, teacher_f1, {**summary, "kept": False}
    report({"stage": "self-train", "epoch": 0, "step": 0, "total": len(rows), "loss": None, "metric": teacher_f1,
            "eta_s": None})
    unlabelled = torch.from_numpy(matrix[rows].astype(np.float32))

    def positive_batch(batch_rows):
        return bpr_targets(batch_rows, targets.positives, targets.hard, len(targets.vocabulary), config.negatives,
                           device)

    student, student_f1 = distil(teacher, history.features, unlabelled, np.array(train_rows), positive_batch,
                                 validate, seed=config.seed, device=device, should_stop=should_stop)
    kept = student_f1 > teacher_f1
    summary.update(student_f1_at_5=student_f1, kept=kept)
    return (student, student_f1, summary) if kept else (teacher, teacher_f1, summary)


def fit_full(store: Store, profile: Profile, previous_encoder: str | None, history: History, split: ForwardSplit,
             config, device, report, should_stop, *, started: float) -> Fitted:
    """The last ``config.trainable_blocks`` MBConv blocks of EfficientNet-Lite0 (and its head
    convolution) with the head, on random 224 px crops, flips and a little brightness change
    of her photos. The encoder's learning rate is low (it starts from ImageNet and must not
    forget it); its BatchNorms keep their statistics. Mixed precision on a GPU. Calibrated
    once the library is indexed with it (``calibrate`` on its embeddings)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    device = torch.device(device)
    targets = Targets.of(history, split)
    images = history.images
    train_rows, tune_rows = np.array(list(split.train)), np.array(list(split.tune))
    tune_truths = [frozenset(history.tags[i]) for i in tune_rows]

    def centre(rows) -> torch.Tensor:
        return centre_crops(images, rows, CROP, LITE0_MEAN, LITE0_STD)

    encoder = pretrained_lite0().to(device).eval()  # eval: the BatchNorms keep ImageNet's statistics
    for parameter in encoder.parameters():
        parameter.requires_grad_(False)
    tuned = [*encoder._blocks[-config.trainable_blocks:], encoder._conv_head, encoder._bn1]
    for module in tuned:
        for parameter in module.parameters():
            parameter.requires_grad_(True)
    head = PerMLP(encoder.embedding_dim, 1, len(targets.vocabulary)).to(device)
    with torch.no_grad():
        start_features = torch.cat([encoder.features(centre(rows).to(device))
                                    for rows in np.array_split(train_rows, max(1, len(train_rows) // 32))])
    head.feature_mean.copy_(start_features.mean(0))
    head.feature_std.copy_(start_features.std(0).clamp(min=1e-3))
    started_from = warm_start(store, profile, previous_encoder or "", head, targets.vocabulary)
    optimiser = torch.optim.AdamW([
        {"params": [p for m in tuned for p in m.parameters()], "lr": config.encoder_learning_rate},
        {"params": head.parameters(), "lr": config.learning_rate},
    ], weight_decay=config.weight_decay)
    amp = device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=amp)

    def validate() -> float:
        head.eval()
        with torch.inference_mode():
            scores = head(encoder.features(centre(tune_rows).to(device)), _one_user(len(tune_rows), device))
        head.train()
        return top5_f1(scores, targets.vocabulary, tune_truths)

    def step(rows: np.ndarray) -> float:
        pos, neg = bpr_targets(rows, targets.positives, targets.hard, len(targets.vocabulary), config.negatives, device)
        crops = random_crops(images, rows, rng, CROP, LITE0_MEAN, LITE0_STD, augment=True)
        with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
            loss = bpr_loss(head(encoder.features(crops.to(device)), _one_user(len(rows), device)), pos, neg)
        optimiser.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimiser)
        scaler.update()
        return loss.item()

    head.train()
    best, epochs, events = run_epochs([encoder, head], train_rows, config.batch_size, config.epochs, config.patience,
                                      step, validate, rng, report, should_stop, started)
    encoder.eval()  # run_epochs leaves every module in eval mode; the encoder never left it
    return Fitted(head, targets.vocabulary, {}, best, epochs, events, encoder=encoder, warm_start=started_from)


def fit_cnn_permlp(store: Store, profile: Profile, history: History, split: ForwardSplit, config, device, report,
                   should_stop, *, started: float) -> Fitted:
    """CNN-PerMLP end to end (Nguyen et al., Section 3): the small CNN trained from scratch
    together with the personalized layer and predictor, by BPR (eq. 8) on one random patch of
    each photo per step (Algorithm 1); at evaluation the scores of 3 patches are averaged."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    targets = Targets.of(history, split)
    images = history.images
    train_rows, tune_rows = np.array(list(split.train)), np.array(list(split.tune))
    tune_truths = [frozenset(history.tags[i]) for i in tune_rows]
    cnn = SmallCNN().to(device)
    head = PerMLP(cnn.embedding_dim, 1, len(targets.vocabulary), hidden=128).to(device)
    optimiser = torch.optim.AdamW([*cnn.parameters(), *head.parameters()], lr=config.learning_rate,
                                  weight_decay=config.weight_decay)

    def tune_embeddings() -> torch.Tensor:
        embeddings, _ = cnn(centre_crops(images, tune_rows, CNN_SIDE, CNN_MEAN, CNN_STD).to(device))
        return embeddings

    def validate() -> float:
        cnn.eval()
        head.eval()
        with torch.inference_mode():
            scores = head(tune_embeddings(), _one_user(len(tune_rows), device))
        cnn.train()
        head.train()
        return top5_f1(scores, targets.vocabulary, tune_truths)

    def step(rows: np.ndarray) -> float:
        pos, neg = bpr_targets(rows, targets.positives, targets.hard, len(targets.vocabulary), config.negatives, device)
        embeddings = cnn.features(random_crops(images, rows, rng, cnn.patch_size, CNN_MEAN, CNN_STD).to(device))
        loss = bpr_loss(head(embeddings, _one_user(len(rows), device)), pos, neg)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss.item()

    cnn.train()
    head.train()
    best, epochs, events = run_epochs([cnn, head], train_rows, config.batch_size, config.epochs, config.patience,
                                      step, validate, rng, report, should_stop, started)
    with torch.no_grad():
        calibration = calibrate(head, tune_embeddings(), targets.positives, tune_rows, device)
    return Fitted(head, targets.vocabulary, calibration, best, epochs, events, encoder=cnn,
                  extras={"image_side": CNN_SIDE, "mean": CNN_MEAN, "std": CNN_STD})
