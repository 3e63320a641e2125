"""CNN-PerMLP end to end (Nguyen et al., Section 3): the small CNN trained from scratch
together with the personalized layer and predictor, by BPR (eq. 8) on one random patch of
each photo per step (Algorithm 1); at evaluation the scores of 3 patches are averaged.

The bundle holds both parts (``encoder.*`` and ``head.*``). Indexing with ``--encoder
cnn-permlp`` loads the CNN from the newest such bundle; the head then scores photos as the
profile's model, like any other.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from tagassist.engine.encoders.cnn_permlp import SmallCNN
from tagassist.models.bundle import save_bundle
from tagassist.models.permlp import PerMLP, bpr_loss
from tagassist.store import Profile, Store

from .early_stopping import EarlyStopping
from .photo_batches import centre_crops, load_images, random_crops
from .store_training import Stopped, _calibrate, bpr_targets, f1_at_5

IMAGE_SIDE = 112  # photos are kept at this short side in memory; patches are 96 px
MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


@dataclass
class CnnConfig:
    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 2e-3
    negatives: int = 32
    patience: int = 8
    validation_share: float = 0.1
    seed: int = 0


def train_cnn_permlp(
    store: Store,
    profile: Profile,
    *,
    config: CnnConfig | None = None,
    device: torch.device | str = "cpu",
    on_progress: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    models_dir: Path | None = None,
) -> dict:
    config = config or CnnConfig()
    report = on_progress or (lambda event: None)
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)

    tagged = [p for p, tags in store.list_photos(profile) if tags and p.status in ("ok", "warning")]
    tagged.sort(key=lambda p: (p.taken_at or "", p.id))
    images, kept = load_images(tagged, IMAGE_SIDE)
    photos = [tagged[i] for i in kept]
    if len(photos) < 10:
        raise ValueError(f"profile {profile.name!r} has {len(photos)} readable tagged photos; at least 10 are needed")
    tags = [[a.tag for a in store.photo_tags(profile, p.id)] for p in photos]
    n_val = max(1, math.floor(config.validation_share * len(photos) + 0.5))
    train_rows = np.arange(len(photos) - n_val)
    val_rows = np.arange(len(photos) - n_val, len(photos))
    vocabulary = sorted({t for i in train_rows for t in tags[i]})
    column = {t: c for c, t in enumerate(vocabulary)}
    positives = [[column[t] for t in ts if t in column] for ts in tags]
    truths = [frozenset(tags[i]) for i in val_rows]

    cnn = SmallCNN().to(device)
    head = PerMLP(cnn.embedding_dim, 1, len(vocabulary), hidden=128).to(device)
    optimiser = torch.optim.AdamW([*cnn.parameters(), *head.parameters()], lr=config.learning_rate, weight_decay=1e-4)

    def validate() -> float:
        cnn.eval()
        head.eval()
        with torch.inference_mode():
            embeddings, _ = cnn(centre_crops(images, val_rows, IMAGE_SIDE, MEAN, STD).to(device))
            scores = head(embeddings, torch.zeros(len(val_rows), dtype=torch.long, device=device))
        cnn.train()
        head.train()
        top = scores.topk(min(5, len(vocabulary)), dim=1).indices.tolist()
        return f1_at_5([[vocabulary[c] for c in row] for row in top], truths)

    stopping, epoch = EarlyStopping([cnn, head], config.patience), 0
    for epoch in range(1, config.epochs + 1):
        rng.shuffle(train_rows)
        losses = []
        for start in range(0, len(train_rows), config.batch_size):
            if should_stop():
                raise Stopped()
            rows = train_rows[start : start + config.batch_size]
            pos, neg = bpr_targets(rows, positives, None, len(vocabulary), config.negatives, device)
            embeddings = cnn.features(random_crops(images, rows, rng, cnn.patch_size, MEAN, STD).to(device))
            loss = bpr_loss(head(embeddings, torch.zeros(len(rows), dtype=torch.long, device=device)), pos, neg)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        metric = validate()
        elapsed = time.perf_counter() - started
        report({"stage": "train", "epoch": epoch, "step": math.ceil(len(train_rows) / config.batch_size),
                "total": config.epochs, "loss": float(np.mean(losses)), "metric": metric,
                "eta_s": elapsed / epoch * (config.epochs - epoch)})
        if stopping.update(metric):
            break
    stopping.restore()
    best = stopping.best

    version = "cnn-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    cnn.eval()
    head.eval()
    with torch.no_grad():
        val_embeddings, _ = cnn(centre_crops(images, val_rows, IMAGE_SIDE, MEAN, STD).to(device))
    calibration = _calibrate(head, val_embeddings, positives, val_rows, device)
    metrics = {"model_f1_at_5": best, "encoder_id": "cnn-permlp", "train_photos": len(train_rows), "validation_photos": len(val_rows),
               "epochs": epoch, "seconds": time.perf_counter() - started}
    tensors = {**{f"encoder.{k}": v for k, v in cnn.state_dict().items()},
               **{f"head.{k}": v for k, v in head.state_dict().items()}}
    bundle_config = {**head.config(), "architecture": "cnn-permlp", "encoder_id": "cnn-permlp",
                     "vocabulary": vocabulary, "profile_ids": [profile.id], "calibration": calibration,
                     "metrics": metrics, "version": version, "image_side": IMAGE_SIDE, "mean": MEAN, "std": STD,
                     }
    directory = (models_dir or Path(store.path).parent / "models") / f"profile-{profile.id}" / version
    sha = save_bundle(directory, tensors, bundle_config)
    # Registered, not activated: its head scores cnn-permlp embeddings, which exist only once
    # the library is indexed with this encoder ('tagassist index --encoder cnn-permlp').
    store.add_model(version, profile, str(directory), sha, metrics, activate=False)
    return {"version": version, **metrics}
