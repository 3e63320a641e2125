"""CNN-PerMLP (Nguyen et al.) as a tag model over item features.

    psi_j(u, z) = phi(b_j + w_per_j * z_j + V_j kappa_u)            (eq. 6, personalized layer)
    y(u, z, t)  = w_out_t . phi(W_hidden psi + b_hidden) + b_out_t   (eq. 7, MLP predictor)
    loss        = - sum ln sigmoid(y(u, z, t+) - y(u, z, t-))        (eq. 8, BPR)

over (post, positive tag, N sampled negatives), with the user's rejected tags for that item
added as hard negatives. The layers are tagassist's own PerMLP (the engine scores photos with
the same module). On photos z is the visual embedding; on a folksonomy z is the item features
of trainer.research.neural (item id, the item's tag profile, side features).
"""

from __future__ import annotations

import torch
from torch import nn

from tagassist.models.permlp import PerMLP, bpr_pair_loss

from ..model_api import SideData
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
    pairwise = True
    default_learning_rate = 1e-2  # BPR's gradients are smaller than a softmax's

    def _build(self, side: SideData) -> None:
        torch.manual_seed(self.seed)
        self.net = _Net(ItemEncoder(self, self.dim), len(self.user_index) + 1, len(self.tags), self.hidden)

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.net(users, items)

    def _loss(self, batches: Batches, rows: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        return sampled_bpr(self.net.permlp, self.net.represent(batches.users[rows], batches.items[rows]),
                           positives, batches, rows, self.negatives)


def sampled_bpr(permlp: PerMLP, hidden: torch.Tensor, positives: torch.Tensor, batches: Batches,
                rows: torch.Tensor, n_negatives: int) -> torch.Tensor:
    """eq. 8 over the step's positives, N negatives sampled once for the whole batch (one
    matrix product scores them for every post; a sample that is one of the post's own tags
    is masked), and each post's rejected tags as hard negatives."""
    shared = torch.randint(permlp.n_tags, (n_negatives,))
    negative_scores = hidden @ permlp.out.weight[shared].T + permlp.out.bias[shared]
    clash = (batches.positives[rows].unsqueeze(2) == shared.view(1, 1, -1)).any(1)
    negative_ids = shared.expand(len(rows), -1).masked_fill(clash, -1)
    hard = batches.hard_negatives[rows]
    return bpr_pair_loss(permlp.score_tags(hidden, positives),
                         torch.cat([negative_scores, permlp.score_tags(hidden, hard)], 1),
                         positives, torch.cat([negative_ids, hard], 1))
