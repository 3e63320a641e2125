"""The hybrid ranker: a small network that learns, per candidate tag, how to weigh the classic
signals (BLL recency, MP-u, MP-i, item-CF, co-occurrence) given how much the user and the
item have to say. Stacked generalisation: the signals are counted on the training data minus
its most recent posts per user, the ranker learns on those held-out posts, and at the end the
signals are recounted on all training data. Nothing is tuned by hand per data set: epochs are
chosen by early stopping on a slice of the held-out posts.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import Post, chronological_split
from .early_stopping import EarlyStopping
from .model_api import Callback, SideData, TagModel
from .signals import FEATURES, TagSignals


class _Scorer(nn.Module):
    def __init__(self, n_features: int, hidden: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))
        self.net = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net((features - self.mean) / self.std).squeeze(-1)


def _pad(signals: TagSignals, posts: Sequence[Post], limit: int):
    """Candidates per post, and (posts, limit, features) features with a validity mask."""
    features = np.zeros((len(posts), limit, len(FEATURES)), dtype=np.float32)
    valid = np.zeros((len(posts), limit), dtype=bool)
    names = []
    for row, post in enumerate(posts):
        tags, x = signals.candidates(post, limit)
        features[row, : len(tags)] = x
        valid[row, : len(tags)] = True
        names.append(tags)
    return names, torch.from_numpy(features), torch.from_numpy(valid)


class HybridRanker(TagModel):
    name = "hybrid"

    def __init__(self, candidates: int = 100, hidden: int = 32, epochs: int = 200, learning_rate: float = 3e-3,
                 patience: int = 15, seed: int = 0):
        super().__init__(seed)
        self.candidates, self.hidden, self.epochs = candidates, hidden, epochs
        self.learning_rate, self.patience = learning_rate, patience

    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        super()._prepare(train, side)
        self.signals = TagSignals(train)
        self.scorer = _Scorer(len(FEATURES), self.hidden)

    def _tensors(self) -> dict[str, torch.Tensor]:
        return dict(self.scorer.state_dict())

    def _load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        self.scorer.load_state_dict(tensors)

    def _fit(self, train: Sequence[Post], side: SideData, callback: Callback) -> None:
        fit_part, held_out = chronological_split(train)
        names, x, valid = _pad(TagSignals(fit_part), held_out, self.candidates)
        labels = torch.tensor([[t in post.tags for t in tags] + [False] * (self.candidates - len(tags))
                               for tags, post in zip(names, held_out)])
        truth_sizes = torch.tensor([len(p.tags) for p in held_out], dtype=torch.float32)
        flat = x[valid]
        self.scorer.mean.copy_(flat.mean(0))
        std = flat.std(0)
        # A feature that never varied while learning carries nothing: muted, not magnified.
        self.scorer.std.copy_(torch.where(std > 1e-4, std, torch.full_like(std, 1e6)))
        # 80 % of the held-out posts teach the ranker, 20 % decide when to stop.
        order = torch.randperm(len(held_out), generator=torch.Generator().manual_seed(self.seed))
        cut = int(0.8 * len(order))
        learn, check = order[:cut], order[cut:]
        learn = learn[labels[learn].any(1)]  # a post with no candidate in its truth teaches nothing
        optimiser = torch.optim.Adam(self.scorer.parameters(), lr=self.learning_rate)
        stopper = EarlyStopping([self.scorer], self.patience)
        for epoch in range(self.epochs):
            self.scorer.train()
            for batch in learn[torch.randperm(len(learn))].split(1024):
                logits = self.scorer(x[batch]).masked_fill(~valid[batch], -1e9)
                target = labels[batch].float()
                loss = -(F.log_softmax(logits, 1) * target).sum(1).div(target.sum(1)).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            metric = self._f1_at_5(x[check], valid[check], labels[check], truth_sizes[check])
            # "ranker": its epochs run over the held-out posts, not the training posts.
            callback({"stage": "ranker", "epoch": epoch + 1, "total": self.epochs, "loss": float(loss.detach()),
                      "metric": metric})
            if stopper.update(metric):
                break
        stopper.restore()
        self.validation_f1_at_5 = stopper.best

    @torch.no_grad()
    def _f1_at_5(self, x, valid, labels, truth_sizes) -> float:
        self.scorer.eval()
        top = self.scorer(x).masked_fill(~valid, -1e9).topk(5, dim=1).indices
        hits = labels.gather(1, top).float().sum(1)
        p, r = float((hits / 5).mean()), float((hits / truth_sizes).mean())
        return 2 * p * r / (p + r) if p + r else 0.0

    @torch.no_grad()
    def _candidate_scores(self, posts: Sequence[Post]) -> list[list[tuple[str, float]]]:
        self.scorer.eval()
        names, x, valid = _pad(self.signals, posts, self.candidates)
        scores = self.scorer(x).tolist()
        return [list(zip(tags, row)) for tags, row in zip(names, scores)]

    def score(self, user: str, item: str, time: float | None = None) -> dict[str, float]:
        """Only the candidates have scores: the rest of the vocabulary is not worth ranking."""
        return dict(self._candidate_scores([Post(user, item, self._time_for(user, time), frozenset())])[0])

    def recommend_many(self, posts: Sequence[Post], k: int) -> list[list[str]]:
        rankings = []
        for start in range(0, len(posts), 2048):
            for pairs in self._candidate_scores(posts[start : start + 2048]):
                rankings.append([t for _, t in heapq.nsmallest(k, ((-s, t) for t, s in pairs))])
        return rankings
