"""'Retrain on my tags' at full depth: the last blocks of the visual encoder are fine-tuned on
the photographer's own photos together with the personalized head (PerMLP, BPR with her
rejections as hard negatives), then the library is re-indexed with the fine-tuned encoder.

Augmentation: random crops of 224 px from each photo kept at 256 px, horizontal flips and a
little brightness change. The encoder's learning rate is low (it starts from ImageNet and
must not forget it); the BatchNorms keep their statistics. Mixed precision on a GPU.
The new encoder and model are kept only if the engine's suggestions on the newest shoots,
which they never saw, are better by more than the noise (``trainer.validation``); otherwise
their embeddings are dropped and the library stays as it was. A fine-tuned encoder serves the whole library: other profiles'
models, trained on the previous encoder, stop applying until they are retrained.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from tagassist.engine.encoders import FINE_TUNED_PREFIX, LITE0_MEAN, LITE0_STD, pretrained_lite0
from tagassist.engine.indexer import Indexer, content_encoder_id
from tagassist.models.bundle import save_bundle
from tagassist.models.permlp import PerMLP, bpr_loss
from tagassist.models.scoring import ModelScorer
from tagassist.store import Profile, Store

from .early_stopping import EarlyStopping
from .photo_batches import centre_crops, load_images, random_crops
from .store_training import Stopped, _calibrate, _warm_start, bpr_targets, f1_at_5, judge_candidate
from .validation import MIN_TEST_PHOTOS, forward_split

CROP = 224


@dataclass
class FullConfig:
    epochs: int = 8
    batch_size: int = 16
    encoder_learning_rate: float = 1e-4
    head_learning_rate: float = 3e-3
    trainable_blocks: int = 2  # MBConv blocks from the end, plus the head convolution
    negatives: int = 32
    patience: int = 3
    validation_share: float = 0.1  # of the photos in each of the tune and test blocks, at least
    min_judge_photos: int = MIN_TEST_PHOTOS  # and at least this many
    keep_side: int = 256
    seed: int = 0


def _augmented(images, rows, rng: np.random.Generator) -> torch.Tensor:
    return random_crops(images, rows, rng, CROP, LITE0_MEAN, LITE0_STD, augment=True)


def _centre(images, rows) -> torch.Tensor:
    return centre_crops(images, rows, CROP, LITE0_MEAN, LITE0_STD)


def train_full(
    store: Store,
    profile: Profile,
    *,
    config: FullConfig | None = None,
    device: torch.device | str = "cpu",
    on_progress: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    models_dir: Path | None = None,
) -> dict:
    config = config or FullConfig()
    report = on_progress or (lambda event: None)
    device = torch.device(device)
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    previous_encoder = store.active_encoder()

    tagged = [p for p, tags in store.list_photos(profile) if tags and p.status in ("ok", "warning")]
    tagged.sort(key=lambda p: (p.taken_at or "", p.id))
    report({"stage": "load", "epoch": 0, "step": 0, "total": len(tagged), "loss": None, "metric": None, "eta_s": None})
    images, kept = load_images(tagged, config.keep_side)
    photos = [tagged[i] for i in kept]
    if len(photos) < 10:
        raise ValueError(f"profile {profile.name!r} has {len(photos)} readable tagged photos; at least 10 are needed")
    tags = [[a.tag for a in store.photo_tags(profile, p.id)] for p in photos]
    rejected = [[r.tag for r in store.photo_rejections(profile, p.id)] for p in photos]
    split = forward_split(photos, config.validation_share, config.min_judge_photos)  # whole shoots
    # early stopping and calibration on the tune shoots; the newest (test) shoots only judge
    train_rows, val_rows = np.array(list(split.train)), np.array(list(split.tune))
    vocabulary = sorted({t for i in train_rows for t in tags[i]})
    column = {t: c for c, t in enumerate(vocabulary)}
    positives = [[column[t] for t in ts if t in column] for ts in tags]
    hard = [[column[t] for t in ts if t in column] for ts in rejected]
    truths = [frozenset(tags[i]) for i in val_rows]

    encoder = pretrained_lite0().to(device).eval()  # eval: the BatchNorms keep ImageNet's statistics
    for parameter in encoder.parameters():
        parameter.requires_grad_(False)
    tuned = [*encoder._blocks[-config.trainable_blocks:], encoder._conv_head, encoder._bn1]
    for module in tuned:
        for parameter in module.parameters():
            parameter.requires_grad_(True)
    head = PerMLP(encoder.embedding_dim, 1, len(vocabulary)).to(device)
    with torch.no_grad():
        start_features = torch.cat([encoder.features(_centre(images, rows).to(device))
                                    for rows in np.array_split(train_rows, max(1, len(train_rows) // 32))])
    head.feature_mean.copy_(start_features.mean(0))
    head.feature_std.copy_(start_features.std(0).clamp(min=1e-3))
    warm_start = _warm_start(store, profile, previous_encoder or "", head, vocabulary)
    optimiser = torch.optim.AdamW([
        {"params": [p for m in tuned for p in m.parameters()], "lr": config.encoder_learning_rate},
        {"params": head.parameters(), "lr": config.head_learning_rate},
    ], weight_decay=1e-4)
    amp = device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    users = lambda n: torch.zeros(n, dtype=torch.long, device=device)  # noqa: E731 (one profile)

    def validate() -> float:
        head.eval()
        with torch.inference_mode():
            scores = head(encoder.features(_centre(images, val_rows).to(device)), users(len(val_rows)))
        head.train()
        top = scores.topk(min(5, len(vocabulary)), dim=1).indices.tolist()
        return f1_at_5([[vocabulary[c] for c in row] for row in top], truths)

    stopping, epoch = EarlyStopping([encoder, head], config.patience), 0
    stopping.update(validate())  # the warm start is the bar to beat
    steps = math.ceil(len(train_rows) / config.batch_size)
    for epoch in range(1, config.epochs + 1):
        rng.shuffle(train_rows)
        losses = []
        for start in range(0, len(train_rows), config.batch_size):
            if should_stop():
                raise Stopped()
            rows = train_rows[start : start + config.batch_size]
            pos, neg = bpr_targets(rows, positives, hard, len(vocabulary), config.negatives, device)
            with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
                loss = bpr_loss(head(encoder.features(_augmented(images, rows, rng).to(device)), users(len(rows))), pos, neg)
            optimiser.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(optimiser)
            scaler.update()
            losses.append(loss.item())
        metric = validate()
        elapsed = time.perf_counter() - started
        report({"stage": "train", "epoch": epoch, "step": steps, "total": config.epochs,
                "loss": float(np.mean(losses)), "metric": metric, "eta_s": elapsed / epoch * (config.epochs - epoch)})
        if stopping.update(metric):
            break
    stopping.restore()
    best = stopping.best

    # Re-index the library with the fine-tuned encoder (its own encoder id: the old
    # embeddings stay, so a rollback needs no re-indexing).
    version = "full-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    encoder_id = FINE_TUNED_PREFIX + version
    from tagassist.engine.encoders import Encoder

    inference = pretrained_lite0()
    inference.load_state_dict(encoder.state_dict())
    inference = inference.fuse_for_inference().to(device)
    indexer = Indexer(store, Encoder(encoder_id, inference, CROP, LITE0_MEAN, LITE0_STD, 1280, True), device)
    for progress in indexer.index():
        if should_stop():
            _drop(store, encoder_id)
            raise Stopped()
        report({"stage": "index", "epoch": epoch, "step": progress.done, "total": progress.total,
                "loss": None, "metric": best, "eta_s": None})

    report({"stage": "compare", "epoch": epoch, "step": 0, "total": 2, "loss": None, "metric": best, "eta_s": 0})
    vectors = store.embeddings(encoder_id, {photos[i].content_hash for i in val_rows})
    val_features = torch.from_numpy(np.stack([vectors[photos[i].content_hash] for i in val_rows]).astype(np.float32))
    head.eval()
    calibration = _calibrate(head, val_features, positives, val_rows, device)
    scorer = ModelScorer(head, vocabulary, calibration, device)
    try:
        judged = judge_candidate(store, profile, photos, tags, split, scorer, encoder_id, previous_encoder,
                                 should_stop, seed=config.seed)
    except Stopped:
        _drop(store, encoder_id)
        raise

    signal_weight, ranker = scorer.signal_weight, scorer.ranker
    metrics = {"before_f1_at_5": judged.before, "after_f1_at_5": judged.after, "model_f1_at_5": best, "mode": "full",
               "signal_weight": signal_weight, "learned_ranker": ranker is not None,
               "encoder_id": encoder_id, "previous_encoder": previous_encoder, "train_photos": len(train_rows),
               "tune_photos": len(val_rows), "validation_photos": judged.test_photos, "test_shoots": split.test_shoots,
               "accepted_before": judged.accepted[0], "accepted_after": judged.accepted[1],
               "gain_lower_bound": judged.verdict.lower_bound, "summary": judged.summary,
               "epochs": epoch, "warm_start_from": warm_start, "seconds": time.perf_counter() - started}
    tensors = {**{f"encoder.{k}": v for k, v in encoder.state_dict().items()},
               **{f"head.{k}": v for k, v in head.state_dict().items()}}
    bundle_config = {**head.config(), "architecture": "cnn-permlp", "encoder_id": encoder_id,
                     "vocabulary": vocabulary, "profile_ids": [profile.id], "calibration": calibration,
                     "signal_weight": signal_weight, "ranker": ranker.to_json() if ranker else None,
                     "metrics": metrics, "train_config": asdict(config),
                     "version": version}
    directory = (models_dir or Path(store.path).parent / "models") / f"profile-{profile.id}" / version
    sha = save_bundle(directory, tensors, bundle_config)
    activated = judged.activate
    store.add_model(version, profile, str(directory), sha, metrics, activate=False)
    if activated:
        store.activate_model(profile, version)  # switches the library to the fine-tuned encoder
    else:
        _drop(store, encoder_id)
    return {"version": version, "activated": activated, **metrics}


def _drop(store: Store, encoder_id: str) -> None:
    store.drop_embeddings(encoder_id)
    store.drop_embeddings(content_encoder_id(encoder_id))
