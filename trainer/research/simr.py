"""SIMR-style self-training with knowledge distillation (the hashtag-prediction paper) as a
tag model.

  1. A teacher (CNN-PerMLP) is trained on the tagged posts.
  2. It labels posts nobody tagged: (user, item) pairs the data set knows of but that have no
     tags (Last.fm: artists the user listened to; the tagassist store: untagged photos; else
     sampled user-item pairs).
  3. A student, the same model with an extra bottleneck block on the item features
     (z' = z + W_up relu(W_down z)), learns from the true tags (BPR, eq. 8 of CNN-PerMLP) and
     from the teacher's soft targets at temperature T on the unlabelled posts:
        L = L_BPR + alpha * T^2 * KL( softmax(t / T) || softmax(s / T) )
The teacher picks the number of epochs on held-out training posts; the student trains as long.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tagassist.models.permlp import PerMLP

from ..model_api import Callback, SideData
from .neural import Batches, ItemEncoder, NeuralTagModel
from .permlp_model import CNNPerMLP, sampled_bpr


class _Student(nn.Module):
    def __init__(self, items: ItemEncoder, n_users: int, n_tags: int, hidden: int):
        super().__init__()
        self.items = items
        width = items.dim
        narrow = max(width // 4, 8)
        self.bottleneck = nn.Sequential(nn.Linear(width, narrow), nn.ReLU(), nn.Linear(narrow, width))
        nn.init.zeros_(self.bottleneck[2].weight)  # starts as the identity: the teacher's shape
        nn.init.zeros_(self.bottleneck[2].bias)
        self.permlp = PerMLP(width, n_users, n_tags, hidden)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.permlp.out(self.represent(users, items))

    def represent(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        z = self.items(items)
        return self.permlp.represent(z + self.bottleneck(z), users)


class SIMR(NeuralTagModel):
    name = "simr"
    uses = ("interactions", "item_features", "negatives")
    pairwise = True

    def __init__(self, temperature: float = 2.0, distillation_weight: float = 1.0, unlabelled: int = 50_000, **kwargs):
        super().__init__(**kwargs)
        self.temperature, self.distillation_weight, self.unlabelled = temperature, distillation_weight, unlabelled

    def _build(self, side: SideData) -> None:
        torch.manual_seed(self.seed)
        self.net = _Student(ItemEncoder(self, self.dim), len(self.user_index) + 1, len(self.tags), self.hidden)

    def _teacher_params(self) -> dict:
        keep = ("dim", "hidden", "learning_rate", "weight_decay", "batch_size", "negatives", "device", "seed")
        return {k: getattr(self, k) for k in keep}

    default_learning_rate = 1e-2

    def _fit(self, train, side: SideData, callback: Callback) -> None:
        """The teacher chooses its epochs on held-out posts (CNNPerMLP.fit does) and is trained
        on all posts; the student then trains as long on the same posts, with its soft targets."""
        self._teacher = CNNPerMLP(**self._teacher_params(), epochs=self.epochs)
        self._teacher.fit(train, lambda e: callback({**e, "stage": "teacher-" + e["stage"]}), side)
        self.chosen_epochs = self._teacher.chosen_epochs
        self._train_loop(train, side, self.chosen_epochs, callback, None)

    def _before_training(self, posts, side: SideData, callback: Callback) -> None:
        pairs = self._unlabelled_pairs(posts, side)
        # Teacher and student share users, items and tags (same posts, same side data).
        self._pseudo_users = torch.tensor([self.user_index.get(u, 0) for u, _ in pairs])
        self._pseudo_items = torch.tensor([self.item_index.get(i, 0) for _, i in pairs])
        self._pseudo_generator = torch.Generator().manual_seed(self.seed + 1)

    def _unlabelled_pairs(self, posts, side: SideData) -> list[tuple[str, str]]:
        tagged = {(p.user, p.item) for p in posts}
        users = {p.user for p in posts}
        known_items = {p.item for p in posts} | set(side.item_features)
        pairs = sorted({(u, i) for u, i, _ in side.interactions if u in users and i in known_items} - tagged)
        generator = torch.Generator().manual_seed(self.seed)
        if not pairs:  # no interactions: sample user-item pairs of the training data
            user_list, item_list = sorted(users), sorted(known_items)
            n = min(self.unlabelled, len(posts))
            us = torch.randint(len(user_list), (n,), generator=generator).tolist()
            its = torch.randint(len(item_list), (n,), generator=generator).tolist()
            pairs = sorted({(user_list[u], item_list[i]) for u, i in zip(us, its)} - tagged)
        if len(pairs) > self.unlabelled:
            keep = torch.randperm(len(pairs), generator=generator)[: self.unlabelled].tolist()
            pairs = [pairs[k] for k in sorted(keep)]
        return pairs

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.net(users, items)

    def _loss(self, batches: Batches, rows: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        loss = sampled_bpr(self.net.permlp, self.net.represent(batches.users[rows], batches.items[rows]),
                           positives, batches, rows, self.negatives)
        if len(self._pseudo_users):
            # A quarter as many unlabelled posts as labelled ones per step: distillation scores
            # the whole vocabulary twice (teacher and student), BPR only a few tags.
            pick = torch.randint(len(self._pseudo_users), (max(16, len(rows) // 4),), generator=self._pseudo_generator)
            users, items = self._pseudo_users[pick], self._pseudo_items[pick]
            with torch.no_grad():
                target = F.softmax(self._teacher.net(users, items) / self.temperature, 1)
            student = F.log_softmax(self.net(users, items) / self.temperature, 1)
            distillation = F.kl_div(student, target, reduction="batchmean") * self.temperature ** 2
            loss = loss + self.distillation_weight * distillation
        return loss
