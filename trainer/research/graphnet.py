"""GraphNet (the social-network paper) as a tag model: a user is represented by their place
in the social graph, learned without tags, and the prediction concatenates it with the item.

  1. User embeddings from the graph: DeepWalk-style truncated random walks from every user,
     then skip-gram with negative sampling over (user, user within the window) pairs, written
     in torch and vectorised over all walkers (node2vec with p = q = 1).
  2. GraphNet branch: a fully connected layer with ReLU and dropout over the user embedding;
     the item branch gives the item features z_i; the two are concatenated and a final layer
     scores every tag, trained with the sigmoid cross-entropy of the paper's loss:
        L = - sum_j [ y_j log sigma(s_j) + (1 - y_j) log(1 - sigma(s_j)) ]
Users outside the graph (or with no friends) get a zero graph embedding. On Last.fm the graph
is user_friends.dat; in the tagassist store it links profiles that share photos.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..model_api import SideData
from .neural import Batches, ItemEncoder, NeuralTagModel, mlp


def deepwalk(friends: dict[str, list[str]], users: dict[str, int], dim: int, *, walks: int = 10, length: int = 20,
             window: int = 5, negatives: int = 5, epochs: int = 3, seed: int = 0) -> torch.Tensor:
    """(len(users) + 1, dim) embeddings; row ``users[u]`` is u's, row 0 and isolated users are zero."""
    table = torch.zeros(len(users) + 1, dim)
    nodes = sorted({u for u in friends} | {v for vs in friends.values() for v in vs})
    if len(nodes) < 2:
        return table
    node_id = {u: n for n, u in enumerate(nodes)}
    neighbours = [sorted({node_id[v] for v in friends.get(u, ()) if v != u}) for u in nodes]
    degree = torch.tensor([len(n) for n in neighbours])
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), degree.cumsum(0)])
    flat = torch.tensor([v for n in neighbours for v in n], dtype=torch.long)
    generator = torch.Generator().manual_seed(seed)
    # Walks: every node starts `walks` walkers; each step picks a uniform neighbour.
    current = torch.arange(len(nodes)).repeat(walks)
    current = current[degree[current] > 0]
    path = [current]
    for _ in range(length - 1):
        pick = (torch.rand(len(current), generator=generator) * degree[current]).long()
        current = flat[offsets[current] + pick]
        path.append(current)
    path = torch.stack(path, 1)  # (walkers, length)
    # Skip-gram pairs within the window.
    centres, contexts = [], []
    for shift in range(1, window + 1):
        centres += [path[:, :-shift].reshape(-1), path[:, shift:].reshape(-1)]
        contexts += [path[:, shift:].reshape(-1), path[:, :-shift].reshape(-1)]
    centres, contexts = torch.cat(centres), torch.cat(contexts)
    torch.manual_seed(seed)
    inner = nn.Embedding(len(nodes), dim)
    outer = nn.Embedding(len(nodes), dim)
    nn.init.uniform_(inner.weight, -0.5 / dim, 0.5 / dim)
    nn.init.zeros_(outer.weight)
    optimiser = torch.optim.Adam(list(inner.parameters()) + list(outer.parameters()), lr=0.01)
    # Negatives from the unigram distribution to the 3/4 power, as word2vec does.
    noise = (degree.float() ** 0.75)
    batch_size = max(64, min(8192, len(centres) // 200))  # enough steps for a small graph too
    for _ in range(epochs):
        order = torch.randperm(len(centres), generator=generator)
        for batch in order.split(batch_size):
            c, o = inner(centres[batch]), outer(contexts[batch])
            negative = outer(torch.multinomial(noise, len(batch) * negatives, replacement=True, generator=generator)
                             .view(len(batch), negatives))
            loss = -(F.logsigmoid((c * o).sum(1)).mean()
                     + F.logsigmoid(-(negative * c.unsqueeze(1)).sum(2)).sum(1).mean())
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    vectors = inner.weight.detach()
    vectors = vectors / vectors.norm(dim=1, keepdim=True).clamp(min=1e-8)
    for user, row in users.items():
        if user in node_id and degree[node_id[user]] > 0:
            table[row] = vectors[node_id[user]]
    return table


class _Net(nn.Module):
    def __init__(self, model: NeuralTagModel, graph: torch.Tensor, dim: int, hidden: int):
        super().__init__()
        self.register_buffer("graph", graph)
        self.user_branch = nn.Sequential(nn.Linear(graph.shape[1], hidden), nn.ReLU(), nn.Dropout(0.3))
        self.items = ItemEncoder(model, dim)
        self.out = mlp([hidden + self.items.dim, hidden, len(model.tags)], dropout=0.3)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.out(torch.cat([self.user_branch(self.graph[users]), self.items(items)], 1))


class GraphNet(NeuralTagModel):
    name = "graphnet"
    uses = ("friends", "item_features")
    default_learning_rate = 2e-2  # per-tag sigmoid gradients are small: a softmax's rate learns too slowly

    def _derive(self, train, side: SideData) -> None:
        self._graph = deepwalk(side.friends, self.user_index, self.dim, seed=self.seed)

    def _build(self, side: SideData) -> None:
        torch.manual_seed(self.seed)
        self.net = _Net(self, self._graph, self.dim, self.hidden)

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.net(users, items)

    def _loss(self, batches: Batches, rows: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        logits = self.net(batches.users[rows], batches.items[rows])
        return F.binary_cross_entropy_with_logits(logits, batches.multi_hot(rows, len(self.tags)))
