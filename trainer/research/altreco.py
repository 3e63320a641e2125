"""ALTReco (adversarial learning for personalized tag recommendation) as a tag model.

Three parts trained jointly, as the paper describes them:
  - user preference, learned without supervision: an autoencoder of the user's tag-frequency
    vector; its code c_u is the user's preference and the decoder must reconstruct the
    frequencies (cross-entropy against them);
  - a predictor over [c_u, z_i] (item features) giving a distribution over tags, trained on
    the post's tags (multi-label softmax);
  - a discriminator D(tag vector, c_u) that tells user-generated tag sets from predicted ones;
    the predictor is also trained to fool it, which pushes its outputs toward distributions
    that look like what users actually write (few, co-occurring tags):
        L_G = L_tags + lambda_rec L_rec - lambda_adv log D(G(u, i), c_u)
        L_D = - log D(y_real, c_u) - log(1 - D(G(u, i), c_u))
The discriminator takes the top of the tag vector through a learned tag embedding, so it
scales with the vocabulary.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..model_api import Callback, SideData
from .neural import Batches, ItemEncoder, NeuralTagModel, mlp, softmax_multilabel_loss


class _UserAutoencoder(nn.Module):
    def __init__(self, n_tags: int, code: int):
        super().__init__()
        self.embed = nn.Embedding(n_tags + 1, code, padding_idx=n_tags)  # encoder of the sparse vector
        self.decode = nn.Linear(code, n_tags)

    def encode(self, index: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        index = torch.where(index < 0, torch.full_like(index, self.embed.padding_idx), index)
        return torch.tanh((self.embed(index) * weight.unsqueeze(2)).sum(1))


class _Generator(nn.Module):
    def __init__(self, model: NeuralTagModel, dim: int, hidden: int):
        super().__init__()
        n_tags = len(model.tags)
        self.register_buffer("user_index", model.user_profile_index)
        self.register_buffer("user_weight", model.user_profile_weight)
        self.users = _UserAutoencoder(n_tags, dim)
        self.items = ItemEncoder(model, dim)
        self.predict = mlp([dim + self.items.dim, hidden, n_tags], dropout=0.2)

    def code(self, users: torch.Tensor) -> torch.Tensor:
        return self.users.encode(self.user_index[users], self.user_weight[users])

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        code = self.code(users)
        return self.predict(torch.cat([code, self.items(items)], 1)), code


class _Discriminator(nn.Module):
    def __init__(self, n_tags: int, dim: int, hidden: int):
        super().__init__()
        self.tags = nn.Linear(n_tags, dim, bias=False)  # a tag vector through a tag embedding
        self.judge = mlp([2 * dim, hidden, 1])

    def forward(self, tag_vector: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        return self.judge(torch.cat([self.tags(tag_vector), code], 1)).squeeze(1)


class ALTReco(NeuralTagModel):
    name = "altreco"
    uses = ("item_features",)

    def __init__(self, adversarial_weight: float = 0.05, reconstruction_weight: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.adversarial_weight, self.reconstruction_weight = adversarial_weight, reconstruction_weight

    def _build(self, side: SideData) -> None:
        torch.manual_seed(self.seed)
        self.net = _Generator(self, self.dim, self.hidden)
        self.discriminator = _Discriminator(len(self.tags), self.dim, 64)

    def _modules(self) -> dict[str, nn.Module]:
        return {"net": self.net, "discriminator": self.discriminator}

    def _before_training(self, posts, side: SideData, callback: Callback) -> None:
        # The discriminator has its own optimiser: it plays against the rest.
        self.d_optimiser = torch.optim.Adam(self.discriminator.parameters(), lr=self.learning_rate)

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.net(users, items)[0]

    def _user_frequencies(self, users: torch.Tensor) -> torch.Tensor:
        target = torch.zeros(len(users), len(self.tags) + 1)
        index = self.net.user_index[users] % (len(self.tags) + 1)
        target.scatter_add_(1, index, self.net.user_weight[users])
        return target[:, : len(self.tags)]

    def _loss(self, batches: Batches, rows: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        users, items = batches.users[rows], batches.items[rows]
        logits, code = self.net(users, items)
        real = batches.multi_hot(rows, len(self.tags))
        loss = softmax_multilabel_loss(logits, real)
        reconstruction = -(F.log_softmax(self.net.users.decode(code), 1) * self._user_frequencies(users)).sum(1).mean()
        fake = F.softmax(logits, 1)
        fooled = F.binary_cross_entropy_with_logits(self.discriminator(fake, code), torch.ones(len(rows)))
        self._pending = (real / real.sum(1, keepdim=True).clamp(min=1), fake.detach(), code.detach())
        return loss + self.reconstruction_weight * reconstruction + self.adversarial_weight * fooled

    def _after_step(self, batches: Batches, rows: torch.Tensor) -> None:
        real, fake, code = self._pending
        d_loss = (F.binary_cross_entropy_with_logits(self.discriminator(real, code), torch.ones(len(rows)))
                  + F.binary_cross_entropy_with_logits(self.discriminator(fake, code), torch.zeros(len(rows))))
        self.d_optimiser.zero_grad()
        d_loss.backward()
        self.d_optimiser.step()
