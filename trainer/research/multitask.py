"""Collaborative multitask learning (the collaborative-signals paper) as a tag model.

The main task predicts the post's tags from the user and the item features; an auxiliary head
reconstructs the item's *collaborative* latent factors (from a matrix factorisation of the
user-item interactions) from the same item features:
    L = L_tags + lambda * || g(z_i) - f_i ||^2
so the item representation is shaped by who interacts with the item, which carries over to
items that have features but no training tags. Factors f_i come from the data set's
interactions (Last.fm listening counts) or, without them, from the user-item matrix of the
training posts. The item features here leave the factors out (they are the target).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..model_api import SideData
from .neural import Batches, ItemEncoder, NeuralTagModel, interaction_factors, mlp, softmax_multilabel_loss


class _Net(nn.Module):
    def __init__(self, model: NeuralTagModel, factors: torch.Tensor, dim: int, hidden: int):
        super().__init__()
        self.register_buffer("factors", factors)
        self.users = nn.Embedding(len(model.user_index) + 1, dim)
        nn.init.normal_(self.users.weight, std=0.05)
        self.items = ItemEncoder(model, dim, use_side=not model.factors_are_side)
        self.tags = mlp([dim + self.items.dim, hidden, len(model.tags)], dropout=0.2)
        self.auxiliary = mlp([self.items.dim, hidden, factors.shape[1]])

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.items(items)
        return self.tags(torch.cat([self.users(users), z], 1)), self.auxiliary(z)


class CollaborativeMultitask(NeuralTagModel):
    name = "multitask"
    uses = ("interactions", "item_features")

    def __init__(self, auxiliary_weight: float = 1.0, factors: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.auxiliary_weight, self.factors = auxiliary_weight, factors

    def _derive(self, train, side: SideData) -> None:
        pairs = side.interactions or [(p.user, p.item, 1.0) for p in train]
        self.factors_are_side = bool(side.interactions) and not side.item_features
        self._factors = interaction_factors(pairs, self.item_index, self.factors, self.seed)
        self._has_factors = self._factors.abs().sum(1) > 0

    def _build(self, side: SideData) -> None:
        torch.manual_seed(self.seed)
        self.net = _Net(self, self._factors, self.dim, self.hidden)

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.net(users, items)[0]

    def _loss(self, batches: Batches, rows: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        items = batches.items[rows]
        logits, reconstructed = self.net(batches.users[rows], items)
        loss = softmax_multilabel_loss(logits, batches.multi_hot(rows, len(self.tags)))
        known = self._has_factors[items]
        if known.any():
            loss = loss + self.auxiliary_weight * F.mse_loss(reconstructed[known], self.net.factors[items][known])
        return loss
