"""CNN-PerMLP (Nguyen et al.) as a tag model over item features.

    psi_j(u, z) = phi(b_j + w_per_j * z_j + V_j kappa_u)            (eq. 6, personalized layer)
    y(u, z, t)  = w_out_t . phi(W_hidden psi + b_hidden) + b_out_t   (eq. 7, MLP predictor)
    loss        = - sum ln sigmoid(y(u, z, t+) - y(u, z, t-))        (eq. 8, BPR)

over (post, positive tag, N sampled negatives), with the user's rejected tags for that item
added as hard negatives. The layers are tagassist's own PerMLP (the engine scores photos with
the same module). On photos z is the visual embedding; on a folksonomy z is the item features
of trainer.neural (item id, the item's tag profile, side features).
"""

from __future__ import annotations

import torch
from torch import nn

from tagassist.models.permlp import PerMLP, bpr_pair_loss

from .model_api import SideData
from .neural import Batches, ItemEncoder, NeuralTagModel


class _Net(nn.Module):
    def __init__(self, items: ItemEncoder, n_users: int, n_tags: int, hidden: int):
        super().__init__()
        self.items = items
        self.permlp = PerMLP(items.dim, n_users, n_tags, hidden)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.permlp(self.items(items), users)

    def represent(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.permlp.represent(self.items(items), users)


class CNNPerMLP(NeuralTagModel):
    name = "cnn-permlp"
    uses = ("item_features", "negatives")

    def _build(self, side: SideData) -> None:
        torch.manual_seed(self.seed)
        self.net = _Net(ItemEncoder(self, self.dim), len(self.user_index) + 1, len(self.tags), self.hidden)

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.net(users, items)

    def _loss(self, batches: Batches, rows: torch.Tensor) -> torch.Tensor:
        return sampled_bpr(self.net.permlp, self.net.represent(batches.users[rows], batches.items[rows]),
                           batches.positives[rows], self._sample_negatives(batches, rows))


def sampled_bpr(permlp: PerMLP, hidden: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """eq. 8 scoring only the post's positives and its sampled negatives."""
    return bpr_pair_loss(permlp.score_tags(hidden, positives), permlp.score_tags(hidden, negatives), positives, negatives)
