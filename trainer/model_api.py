"""The one interface every tag model has, and how a model is saved and loaded.

    model = make_model("pitf", seed=0)
    model.fit(train, callback, side)            # callback(dict) per epoch; side: SideData
    model.score(user, item) -> {tag: score}     # every tag the model can suggest
    model.recommend_many(posts, k)              # batched top-k, ties by tag name
    model.save(folder); load_model(folder)

A saved model is a folder: ``model.json`` (name, hyper-parameters, the training posts and side
data it was fitted on, and the sha256 of the weights) and ``weights.safetensors`` (tensors
only: nothing is unpickled on load). Memory-based models (the MP family, the engine's
history) are their training posts, so saving those makes every model restorable exactly:
load() rebuilds the vocabularies and counts from them and then loads the learned weights.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import inspect
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .data import Post

Callback = Callable[[dict], None]


@dataclass
class SideData:
    """What a data set offers besides its posts. ``friends``: the social graph (user -> users);
    ``interactions``: (user, item, weight) collaborative signals such as listening counts;
    ``item_features``: a fixed feature vector per item (e.g. a photo's visual embedding);
    ``negatives``: (user, item) -> tags the user rejected for that item."""

    friends: dict[str, list[str]] = field(default_factory=dict)
    interactions: list[tuple[str, str, float]] = field(default_factory=list)
    item_features: dict[str, np.ndarray] = field(default_factory=dict)
    negatives: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def describe(self) -> list[str]:
        parts = []
        if self.friends:
            parts.append(f"social graph ({sum(map(len, self.friends.values())) // 2:,} links)")
        if self.interactions:
            parts.append(f"interactions ({len(self.interactions):,})")
        if self.item_features:
            dim = len(next(iter(self.item_features.values())))
            parts.append(f"item features ({len(self.item_features):,} x {dim})")
        if self.negatives:
            parts.append(f"rejections ({len(self.negatives):,} posts)")
        return parts


class TagModel:
    """Base class: subclasses implement ``_fit`` and ``score_matrix`` (or ``score``) and list
    their learned tensors in ``_tensors``."""

    name = "model"
    uses: tuple[str, ...] = ()  # which parts of SideData the model reads, for the report

    def __init__(self, seed: int = 0):
        self.seed = seed

    # -- the interface -------------------------------------------------------------------
    def fit(self, train: Sequence[Post], callback: Callback | None = None, side: SideData | None = None):
        torch.manual_seed(self.seed)
        np.random.seed(self.seed)
        self._train, self._side = list(train), side or SideData()
        self._prepare(self._train, self._side)
        self._fit(self._train, self._side, callback or (lambda event: None))
        return self

    def score(self, user: str, item: str, time: float | None = None) -> dict[str, float]:
        row = self.score_matrix([Post(user, item, self._time_for(user, time), frozenset())])[0]
        return dict(zip(self.tags, row.tolist()))

    def recommend(self, user: str, item: str, k: int) -> list[str]:
        return self.recommend_many([Post(user, item, self._time_for(user, None), frozenset())], k)[0]

    def recommend_many(self, posts: Sequence[Post], k: int) -> list[list[str]]:
        rankings = []
        for start in range(0, len(posts), 2048):
            scores = self.score_matrix(posts[start : start + 2048])
            top = torch.as_tensor(scores).topk(min(k + 16, len(self.tags)), dim=1)  # margin: ties sort by name
            for values, indices in zip(top.values.tolist(), top.indices.tolist()):
                ranked = heapq.nsmallest(k, ((-v, self.tags[c]) for v, c in zip(values, indices)))
                rankings.append([t for _, t in ranked])
        return rankings

    def save(self, folder: str | os.PathLike) -> None:
        """Written to a temporary folder beside ``folder`` and renamed into place."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        tensors = {k: v.detach().contiguous().cpu() for k, v in self._tensors().items()}
        save_file(tensors or {"_empty": torch.zeros(0)}, staging / "weights.safetensors")
        side = self._side
        manifest = {
            "model": self.name,
            "params": self.params(),
            "weights_sha256": _sha256(staging / "weights.safetensors"),
            "posts": [[p.user, p.item, p.time, sorted(p.tags)] for p in self._train],
            "side": {"friends": side.friends, "interactions": side.interactions,
                     "item_features": {k: v.tolist() for k, v in side.item_features.items()},
                     "negatives": [[u, i, sorted(t)] for (u, i), t in side.negatives.items()]},
        }
        with gzip.open(staging / "model.json.gz", "wt", encoding="utf-8") as f:
            json.dump(manifest, f)
        if folder.exists():
            old = folder.with_name(folder.name + ".old")
            os.replace(folder, old)
            os.replace(staging, folder)
            _remove_tree(old)
        else:
            os.replace(staging, folder)

    def params(self) -> dict:
        """The constructor's arguments, as they were given."""
        names = []
        for cls in type(self).__mro__:  # a subclass's **kwargs pass on to its parents' parameters
            if "__init__" in vars(cls):
                for p in inspect.signature(cls.__init__).parameters.values():
                    if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name not in names:
                        names.append(p.name)
        return {n: getattr(self, n) for n in names}

    # -- for subclasses ------------------------------------------------------------------
    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        """Vocabularies and counts from the training posts; no learning (load() calls it too)."""
        self.tags = sorted({t for p in train for t in p.tags})
        self.last_time = {}
        for p in train:
            self.last_time[p.user] = max(self.last_time.get(p.user, p.time), p.time)

    def _fit(self, train: Sequence[Post], side: SideData, callback: Callback) -> None:
        pass

    def _tensors(self) -> dict[str, torch.Tensor]:
        return {}

    def _load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        pass

    def score_matrix(self, posts: Sequence[Post]) -> np.ndarray | torch.Tensor:
        raise NotImplementedError

    def _time_for(self, user: str, time: float | None) -> float:
        """A post without a time is taken to be right after the user's latest training post."""
        return time if time is not None else self.last_time.get(user, 0.0)


class ModelFileError(ValueError):
    pass


def load_model(folder: str | os.PathLike) -> TagModel:
    from .registry import make_model

    folder = Path(folder)
    try:
        with gzip.open(folder / "model.json.gz", "rt", encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{folder}: not a saved tag model ({exc})") from exc
    weights = folder / "weights.safetensors"
    if _sha256(weights) != manifest["weights_sha256"]:
        raise ModelFileError(f"{weights}: checksum mismatch; the file is damaged or was changed")
    model = make_model(manifest["model"], **manifest["params"])
    model._train = [Post(u, i, t, frozenset(tags)) for u, i, t, tags in manifest["posts"]]
    s = manifest["side"]
    model._side = SideData(
        friends=s["friends"], interactions=[tuple(x) for x in s["interactions"]],
        item_features={k: np.asarray(v, dtype=np.float32) for k, v in s["item_features"].items()},
        negatives={(u, i): frozenset(t) for u, i, t in s["negatives"]},
    )
    model._prepare(model._train, model._side)
    model._load_tensors(load_file(weights))
    return model


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    path.rmdir()
