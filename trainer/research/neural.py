"""What the papers' neural models share: indices of users, items and tags; item features a
folksonomy can offer; user and item tag profiles as bags; vectorised batches; and a training
loop that picks its number of epochs on a validation split cut from the training data.

Item features z_i on a folksonomy (no pixels) are, concatenated:
  - a learned item-id embedding (zero for an item never seen in training),
  - the item's tag profile (other users' training tags on it) through a learned tag embedding,
  - ``side.item_features`` when the data set has them (visual embeddings in the tagassist
    store; listening-based factors on Last.fm), through a linear projection.
On photos, z_i is the visual embedding: the same code path with the last part only.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..data import Post, chronological_split
from ..metrics import ranking_metrics
from ..model_api import Callback, SideData, TagModel

PROFILE_TAGS = 48  # a profile bag keeps its strongest tags: enough, and it keeps batches dense


def _profile_table(counts: dict[int, Counter], rows: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, width) tag indices (padding = -1 -> mapped to an all-zero row) and weights that
    sum to 1 per row: each row's ``width`` most frequent tags."""
    index = torch.full((rows, width), -1, dtype=torch.long)
    weight = torch.zeros(rows, width)
    for row, counter in counts.items():
        top = counter.most_common(width)
        total = sum(c for _, c in top)
        index[row, : len(top)] = torch.tensor([t for t, _ in top])
        weight[row, : len(top)] = torch.tensor([c / total for _, c in top])
    return index, weight


def interaction_factors(pairs: Sequence[tuple[str, str, float]], items: dict[str, int], rank: int,
                        seed: int) -> torch.Tensor:
    """Latent item factors from a user-item interaction matrix (log-scaled weights), by a
    truncated SVD: row ``items[i]`` holds item i's factors; unseen items stay zero."""
    users = {u: n for n, u in enumerate(sorted({u for u, _, _ in pairs}))}
    known = [(users[u], items[i], math.log1p(w)) for u, i, w in pairs if i in items]
    factors = torch.zeros(len(items) + 1, rank)
    if not known:
        return factors
    rows, cols, values = (torch.tensor(x) for x in zip(*known))
    matrix = torch.sparse_coo_tensor(torch.stack([cols, rows]), values.float(), (len(items) + 1, len(users)),
                                     check_invariants=False).coalesce()
    torch.manual_seed(seed)
    q = min(rank, min(matrix.shape) - 1)
    u, s, _ = torch.svd_lowrank(matrix, q=q, niter=4)
    factors[:, :q] = u * s.sqrt()
    return factors / factors.norm(dim=1).mean().clamp(min=1e-8)  # a scale that suits any data set


class Batches:
    """Training posts as tensors: user, item (0 = unknown), positive and negative tag lists."""

    def __init__(self, model: NeuralTagModel, posts: Sequence[Post], negatives: dict[tuple[str, str], frozenset[str]]):
        self.users = torch.tensor([model.user_index.get(p.user, 0) for p in posts])
        self.items = torch.tensor([model.item_index.get(p.item, 0) for p in posts])
        width = max((len(p.tags) for p in posts), default=1)
        self.positives = torch.full((len(posts), width), -1, dtype=torch.long)
        for row, p in enumerate(posts):
            known = [model.tag_index[t] for t in p.tags if t in model.tag_index]
            self.positives[row, : len(known)] = torch.tensor(known, dtype=torch.long)
        hard = [[model.tag_index[t] for t in negatives.get((p.user, p.item), ()) if t in model.tag_index]
                for p in posts]
        self.hard_negatives = torch.full((len(posts), max(map(len, hard), default=0) or 1), -1, dtype=torch.long)
        for row, tags in enumerate(hard):
            if tags:
                self.hard_negatives[row, : len(tags)] = torch.tensor(tags)

    def __len__(self) -> int:
        return len(self.users)

    def multi_hot(self, rows: torch.Tensor, n_tags: int) -> torch.Tensor:
        target = torch.zeros(len(rows), n_tags + 1)
        target.scatter_(1, self.positives[rows] % (n_tags + 1), 1.0)  # -1 lands in the spare column
        return target[:, :n_tags]


class ItemEncoder(nn.Module):
    """z_i = [id embedding | tag-profile embedding | projected side features]."""

    def __init__(self, model: NeuralTagModel, dim: int, use_id: bool = True, use_profile: bool = True,
                 use_side: bool = True):
        super().__init__()
        self.use_id, self.use_profile = use_id, use_profile
        self.use_side = use_side and model.side_features.shape[1] > 0
        self.register_buffer("profile_index", model.item_profile_index)
        self.register_buffer("profile_weight", model.item_profile_weight)
        self.register_buffer("seen", model.item_seen)
        self.register_buffer("side", model.side_features)
        parts = 0
        if use_id:
            self.ids = nn.Embedding(len(model.item_seen), dim)
            nn.init.normal_(self.ids.weight, std=0.05)
            parts += 1
        if use_profile:
            self.tags = nn.Embedding(len(model.tags) + 1, dim, padding_idx=len(model.tags))
            nn.init.normal_(self.tags.weight, std=0.05)
            parts += 1
        if self.use_side:
            self.side_proj = nn.Linear(self.side.shape[1], dim)
            parts += 1
        self.dim = dim * parts

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        parts = []
        if self.use_id:
            parts.append(self.ids(items) * self.seen[items].unsqueeze(1))
        if self.use_profile:
            index = self.profile_index[items]
            index = torch.where(index < 0, torch.full_like(index, self.tags.padding_idx), index)
            parts.append((self.tags(index) * self.profile_weight[items].unsqueeze(2)).sum(1))
        if self.use_side:
            parts.append(self.side_proj(self.side[items]))
        return torch.cat(parts, 1)


class NeuralTagModel(TagModel):
    """Shared set-up and training loop. Subclasses build ``self.net`` in ``_build`` and define
    ``_loss(batch rows)`` and ``_logits(users, items)``."""

    max_epochs = 12  # with patience 2: within 10 minutes per model on Last.fm on 2 CPU cores
    patience = 2
    pairwise = False  # True: BPR over (post, positive tag) pairs

    default_learning_rate = 5e-3

    def __init__(self, dim: int = 64, hidden: int = 256, learning_rate: float | None = None, weight_decay: float = 0.0,
                 batch_size: int = 1024, negatives: int = 512, epochs: int | None = None, device: str = "cpu",
                 seed: int = 0):
        super().__init__(seed)
        learning_rate = learning_rate or self.default_learning_rate
        self.dim, self.hidden, self.learning_rate, self.weight_decay = dim, hidden, learning_rate, weight_decay
        self.batch_size, self.negatives, self.epochs, self.device = batch_size, negatives, epochs, device

    # -- indices and profiles ------------------------------------------------------------
    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        super()._prepare(train, side)
        self.tag_index = {t: n for n, t in enumerate(self.tags)}
        self.user_index = {u: n + 1 for n, u in enumerate(sorted({p.user for p in train}))}  # 0 = unknown
        seen_items = {p.item for p in train}
        all_items = sorted(seen_items | set(side.item_features))
        self.item_index = {i: n + 1 for n, i in enumerate(all_items)}
        self.item_seen = torch.zeros(len(all_items) + 1)
        for item in seen_items:
            self.item_seen[self.item_index[item]] = 1.0
        item_counts: dict[int, Counter] = defaultdict(Counter)
        user_counts: dict[int, Counter] = defaultdict(Counter)
        for p in train:
            tags = [self.tag_index[t] for t in p.tags]
            item_counts[self.item_index[p.item]].update(tags)
            user_counts[self.user_index[p.user]].update(tags)
        self.item_profile_index, self.item_profile_weight = _profile_table(item_counts, len(all_items) + 1,
                                                                           PROFILE_TAGS)
        self.user_profile_index, self.user_profile_weight = _profile_table(user_counts, len(self.user_index) + 1,
                                                                           PROFILE_TAGS)
        self.user_tag_counts = user_counts
        self.side_features = self._side_features(side)
        self._derive(train, side)
        self._build(side)

    def _side_features(self, side: SideData) -> torch.Tensor:
        """Fixed item features: the data set's own (visual embeddings), else factors of its
        interaction matrix (listening counts), else none."""
        if side.item_features:
            dim = len(next(iter(side.item_features.values())))
            table = torch.zeros(len(self.item_index) + 1, dim)
            for item, vector in side.item_features.items():
                table[self.item_index[item]] = torch.as_tensor(vector, dtype=torch.float32)
            std = table[1:].std(0).clamp(min=1e-6)
            return (table - table[1:].mean(0)) / std
        if side.interactions:
            return interaction_factors(side.interactions, self.item_index, rank=32, seed=self.seed)
        return torch.zeros(len(self.item_index) + 1, 0)

    def _derive(self, train: Sequence[Post], side: SideData) -> None:
        """Anything computed once per vocabulary, before the network is built."""

    def _build(self, side: SideData) -> None:
        raise NotImplementedError

    def _modules(self) -> dict[str, nn.Module]:
        return {"net": self.net}

    def _tensors(self) -> dict[str, torch.Tensor]:
        return {f"{name}.{k}": v for name, module in self._modules().items() for k, v in module.state_dict().items()}

    def _load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        for name, module in self._modules().items():
            module.load_state_dict({k[len(name) + 1:]: v for k, v in tensors.items() if k.startswith(name + ".")})

    # -- training ------------------------------------------------------------------------
    def _fit(self, train: Sequence[Post], side: SideData, callback: Callback) -> None:
        """Epochs are chosen on the most recent training posts of each user (early stopping
        on their F1@5); then the model is trained afresh on all training posts that long."""
        epochs = self.epochs
        if epochs is None:
            fit_part, held_out = chronological_split(train)
            if held_out:
                self._prepare(fit_part, side)
                epochs = self._train_loop(fit_part, side, self.max_epochs, callback, held_out)
                self._prepare(train, side)
            else:
                epochs = self.max_epochs
        self.chosen_epochs = epochs
        self._train_loop(train, side, epochs, callback, None)

    def _train_loop(self, posts: Sequence[Post], side: SideData, epochs: int, callback: Callback,
                    held_out: Sequence[Post] | None) -> int:
        torch.manual_seed(self.seed)
        self._reset_parameters()
        self._to(self.device)
        batches = Batches(self, posts, side.negatives)
        if held_out and len(held_out) > 4000:  # choosing epochs needs a sample, not every post
            keep = torch.randperm(len(held_out), generator=torch.Generator().manual_seed(self.seed))[:4000]
            held_out = [held_out[i] for i in sorted(keep.tolist())]
        self._before_training(posts, side, callback)
        optimiser = torch.optim.Adam(self._main_parameters(), lr=self.learning_rate, weight_decay=self.weight_decay,
                                     fused=True)  # one kernel over all parameters: a third of the step time on CPU
        generator = torch.Generator().manual_seed(self.seed)
        best, best_epoch = -1.0, epochs
        # Pairwise (BPR) models step over (post, positive tag) pairs, as eq. 8 samples them;
        # the others over posts, all of a post's tags at once.
        if self.pairwise:
            pair_rows, pair_columns = (batches.positives >= 0).nonzero(as_tuple=True)
            pair_tags = batches.positives[pair_rows, pair_columns]
        examples = len(pair_rows) if self.pairwise else len(batches)
        for epoch in range(epochs):
            self._train_mode(True)
            total = 0.0
            order = torch.randperm(examples, generator=generator)
            for chunk in order.split(self.batch_size):
                if self.pairwise:
                    rows, positives = pair_rows[chunk], pair_tags[chunk].unsqueeze(1)
                else:
                    rows, positives = chunk, batches.positives[chunk]
                loss = self._loss(batches, rows, positives)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                self._after_step(batches, rows)
                total += float(loss.detach()) * len(rows)
            event = {"stage": "select-epochs" if held_out else "train", "epoch": epoch + 1, "total": epochs,
                     "loss": total / examples}
            if held_out:
                metric = ranking_metrics(self.recommend_many(held_out, 5), [p.tags for p in held_out], [5])[5]["F1"]
                event["metric"] = metric
                if metric > best:
                    best, best_epoch = metric, epoch + 1
                elif epoch + 1 - best_epoch >= self.patience:
                    callback(event)
                    break
            callback(event)
        self._train_mode(False)
        return best_epoch

    def _main_parameters(self) -> list[nn.Parameter]:
        """What the main loss trains (an adversary keeps its own optimiser)."""
        return list(self.net.parameters())

    def _reset_parameters(self) -> None:
        """Fresh weights (same seed, same start) for the second, full training run."""
        self._build(self._side)

    def _to(self, device: str) -> None:
        for module in self._modules().values():
            module.to(device)

    def _train_mode(self, on: bool) -> None:
        for module in self._modules().values():
            module.train(on)

    def _before_training(self, posts: Sequence[Post], side: SideData, callback: Callback) -> None:
        pass

    def _after_step(self, batches: Batches, rows: torch.Tensor) -> None:
        pass

    # -- scoring -------------------------------------------------------------------------
    @torch.no_grad()
    def score_matrix(self, posts: Sequence[Post]) -> torch.Tensor:
        self._train_mode(False)
        users = torch.tensor([self.user_index.get(p.user, 0) for p in posts], device=self.device)
        items = torch.tensor([self.item_index.get(p.item, 0) for p in posts], device=self.device)
        return self._logits(users, items).float().cpu()

    def _logits(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _loss(self, batches: Batches, rows: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        """The loss of a batch: ``rows`` index posts, ``positives`` (len(rows), P) their
        positive tags for this step (-1 = padding)."""
        raise NotImplementedError


def softmax_multilabel_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against the post's tags as a uniform distribution (multi-label softmax)."""
    target = target / target.sum(1, keepdim=True).clamp(min=1)
    return -(F.log_softmax(logits, 1) * target).sum(1).mean()


def mlp(sizes: Sequence[int], dropout: float = 0.0) -> nn.Sequential:
    layers: list[nn.Module] = []
    for n, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if n < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


