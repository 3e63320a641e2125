"""CNN-PerMLP's personalized layer and MLP predictor (Nguyen et al., Section 3.2), over item
features z (the visual embeddings of the engine's encoder) and a user index.

    psi_j(u, z) = phi(b_j + w_per_j * z_j + V_j kappa_u)            (eq. 6)
    y(u, z, t)  = w_out_t . phi(W_hidden psi + b_hidden) + b_out_t   (eq. 7)

Changes from the paper, each measured worthwhile or needed here: the output layer stays
linear (a BPR ranking score needs no squashing), and features are standardised with the
training mean and deviation stored in the model, so one learning rate suits any encoder.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class PerMLP(nn.Module):
    architecture = "permlp"

    def __init__(self, feature_dim: int, n_users: int, n_tags: int, hidden: int = 256):
        super().__init__()
        self.feature_dim, self.n_users, self.n_tags, self.hidden = feature_dim, n_users, n_tags, hidden
        self.register_buffer("feature_mean", torch.zeros(feature_dim))
        self.register_buffer("feature_std", torch.ones(feature_dim))
        self.w_per = nn.Parameter(torch.ones(feature_dim))  # eq. 6: element-wise feature weights
        self.b_per = nn.Parameter(torch.zeros(feature_dim))
        self.user = nn.Embedding(n_users, feature_dim)  # eq. 6: V kappa_u for a one-hot kappa_u
        nn.init.normal_(self.user.weight, std=0.01)
        self.hidden_layer = nn.Linear(feature_dim, hidden)  # eq. 7
        self.out = nn.Linear(hidden, n_tags)

    def config(self) -> dict:
        return {"architecture": self.architecture, "feature_dim": self.feature_dim,
                "n_users": self.n_users, "n_tags": self.n_tags, "hidden": self.hidden}

    @classmethod
    def from_config(cls, config: dict) -> PerMLP:
        return cls(config["feature_dim"], config["n_users"], config["n_tags"], config["hidden"])

    def forward(self, features: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        """(batch, feature_dim), (batch,) -> scores for every tag, (batch, n_tags)."""
        return self.out(self.represent(features, users))

    def represent(self, features: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        """The predictor's hidden layer, (batch, hidden): eq. 6, then the first half of eq. 7."""
        z = (features - self.feature_mean) / self.feature_std
        psi = F.relu(self.b_per + self.w_per * z + self.user(users))
        return F.relu(self.hidden_layer(psi))

    def score_tags(self, hidden: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """Scores of chosen tags only, (batch, n): training with sampled negatives needs no
        more than these, which is what makes BPR cheap for a large vocabulary. -1 = padding."""
        tags = tags.clamp(min=0)
        # F.embedding rather than indexing: its backward is a fast dense scatter.
        weights = F.embedding(tags, self.out.weight)
        bias = F.embedding(tags, self.out.bias.unsqueeze(1)).squeeze(2)
        return torch.bmm(weights, hidden.unsqueeze(2)).squeeze(2) + bias


def bpr_loss(scores: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """eq. 8: mean over (post, t+, t-) of -ln sigmoid(y_t+ - y_t-).

    scores (B, T); positives (B, P) and negatives (B, N) index tags, -1 marks padding.
    """
    return bpr_pair_loss(scores.gather(1, positives.clamp(min=0)), scores.gather(1, negatives.clamp(min=0)),
                         positives, negatives)


def bpr_pair_loss(pos: torch.Tensor, neg: torch.Tensor, positives: torch.Tensor,
                  negatives: torch.Tensor) -> torch.Tensor:
    """eq. 8 from the scores of the positives (B, P) and negatives (B, N) alone."""
    pair_ok = (positives >= 0).unsqueeze(2) & (negatives >= 0).unsqueeze(1)
    losses = -F.logsigmoid(pos.unsqueeze(2) - neg.unsqueeze(1))
    return (losses * pair_ok).sum() / pair_ok.sum().clamp(min=1)
