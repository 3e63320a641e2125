"""PITF: pairwise interaction tensor factorisation (Rendle & Schmidt-Thieme, WSDM 2010).

    y(u, i, t) = <U_u, T^U_t> + <I_i, T^I_t>                     (eq. 5 of the paper)

trained with BPR on (post, positive tag, sampled negative tag) quadruples. Sampling and the
updates are vectorised over a batch of posts; there is no Python loop per example.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..data import Post
from ..model_api import Callback, SideData, TagModel


class PITF(TagModel):
    name = "pitf"
    tag_bias = False

    def __init__(self, factors: int = 64, epochs: int = 30, learning_rate: float = 0.05,
                 regularisation: float = 5e-5, negatives: int = 10, batch_size: int = 4096, seed: int = 0):
        super().__init__(seed)
        self.factors, self.epochs, self.learning_rate = factors, epochs, learning_rate
        self.regularisation, self.negatives, self.batch_size = regularisation, negatives, batch_size

    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        super()._prepare(train, side)
        self.users = {u: i for i, u in enumerate(sorted({p.user for p in train}))}
        self.items = {it: i for i, it in enumerate(sorted({p.item for p in train}))}

    def _tensors(self) -> dict[str, torch.Tensor]:
        return {"U": self.U, "I": self.I, "TU": self.TU, "TI": self.TI, "bias": self.bias}

    def _load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        for name, value in tensors.items():
            setattr(self, name, torch.nn.Parameter(value))

    def _fit(self, train: Sequence[Post], side: SideData, callback: Callback) -> None:
        rng = np.random.default_rng(self.seed)
        tag_index = {t: i for i, t in enumerate(self.tags)}
        triples = np.array([(self.users[p.user], self.items[p.item], tag_index[t]) for p in train for t in p.tags])
        k, n_tags = self.factors, len(self.tags)

        def table(n: int) -> torch.nn.Parameter:
            return torch.nn.Parameter(torch.randn(n, k) * 0.01)

        self.U, self.I = table(len(self.users)), table(len(self.items))
        self.TU, self.TI = table(n_tags), table(n_tags)
        self.bias = torch.nn.Parameter(torch.zeros(n_tags))  # only FM uses it (see below)
        parameters = [self.U, self.I, self.TU, self.TI] + ([self.bias] if self.tag_bias else [])
        optimiser = torch.optim.Adagrad(parameters, lr=self.learning_rate)
        triples_t = torch.from_numpy(triples)
        for epoch in range(self.epochs):
            order = torch.from_numpy(rng.permutation(len(triples)))
            for start in range(0, len(order), self.batch_size):
                batch = triples_t[order[start : start + self.batch_size]]
                u, i, pos = batch[:, 0], batch[:, 1], batch[:, 2]
                neg = torch.randint(n_tags, (len(batch), self.negatives))
                score_pos = (self.U[u] * self.TU[pos]).sum(1) + (self.I[i] * self.TI[pos]).sum(1)
                score_neg = ((self.U[u].unsqueeze(1) * self.TU[neg]).sum(2)
                             + (self.I[i].unsqueeze(1) * self.TI[neg]).sum(2))
                if self.tag_bias:
                    score_pos, score_neg = score_pos + self.bias[pos], score_neg + self.bias[neg]
                # A sampled "negative" that is in fact a tag of the post is not a negative.
                valid = (neg != pos.unsqueeze(1)).float()
                loss = -(F.logsigmoid(score_pos.unsqueeze(1) - score_neg) * valid).sum() / valid.sum()
                squares = (self.U[u].pow(2).sum() + self.I[i].pow(2).sum()
                           + self.TU[pos].pow(2).sum() + self.TI[pos].pow(2).sum())
                loss = loss + self.regularisation * squares / len(batch)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            callback({"stage": "train", "epoch": epoch + 1, "total": self.epochs, "loss": float(loss.detach())})

    @torch.no_grad()
    def score_matrix(self, posts: Sequence[Post]) -> torch.Tensor:
        """Scores of every tag for each post; unknown users or items contribute nothing."""
        scores = torch.zeros(len(posts), len(self.tags))
        if self.tag_bias:
            scores += self.bias
        u = [self.users.get(p.user) for p in posts]
        i = [self.items.get(p.item) for p in posts]
        known_u = [r for r, x in enumerate(u) if x is not None]
        known_i = [r for r, x in enumerate(i) if x is not None]
        if known_u:
            scores[known_u] += self.U[[u[r] for r in known_u]] @ self.TU.T
        if known_i:
            scores[known_i] += self.I[[i[r] for r in known_i]] @ self.TI.T
        return scores


class FM(PITF):
    """A factorisation machine over one-hot (user, item, tag) trained with BPR (Rendle 2010).

    y = w_0 + w_u + w_i + w_t + <v_u, v_i> + <v_u, v_t> + <v_i, v_t>. In a BPR difference
    between two tags of the same post, w_0, w_u, w_i and <v_u, v_i> cancel, so what is learned
    is PITF plus the tag's own weight w_t; that is exactly what this class trains."""

    name = "fm"
    tag_bias = True
