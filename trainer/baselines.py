"""Most-popular baselines of BASELINES.md: MP, MP-u, MP-i and MP-ui.

Every ranking adds 0.001 x the global frequency share of the 10 most frequent tags, so it is
never empty; ties are broken by tag (as a string) ascending.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Sequence

from .data import Post
from .model_api import SideData, TagModel


def _shares(counter: Counter) -> dict[str, float]:
    total = sum(counter.values())
    return {t: c / total for t, c in counter.items()} if total else {}


class MostPopular(TagModel):
    """variant: 'mp' (global), 'mp-u' (user), 'mp-i' (item) or 'mp-ui' (0.5 user + 0.5 item)."""

    VARIANTS = ("mp", "mp-u", "mp-i", "mp-ui")

    def __init__(self, variant: str, seed: int = 0):
        if variant not in self.VARIANTS:
            raise ValueError(f"unknown baseline {variant!r}")
        super().__init__(seed)
        self.variant = variant
        self.name = variant

    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        super()._prepare(train, side)
        global_counts: Counter = Counter()
        user_counts: dict[str, Counter] = defaultdict(Counter)
        item_counts: dict[str, Counter] = defaultdict(Counter)
        for post in train:
            global_counts.update(post.tags)
            user_counts[post.user].update(post.tags)
            item_counts[post.item].update(post.tags)
        self.global_share = _shares(global_counts)
        top10 = sorted(global_counts, key=lambda t: (-global_counts[t], t))[:10]
        self.filler = {t: 0.001 * self.global_share[t] for t in top10}
        self.user_share = {u: _shares(c) for u, c in user_counts.items()}
        self.item_share = {i: _shares(c) for i, c in item_counts.items()}
        self._global_ranking: list[str] | None = None

    def score(self, user: str, item: str, time: float | None = None) -> dict[str, float]:
        if self.variant == "mp":
            scores = dict(self.global_share)
        elif self.variant == "mp-u":
            scores = dict(self.user_share.get(user, {}))
        elif self.variant == "mp-i":
            scores = dict(self.item_share.get(item, {}))
        else:
            scores = {t: 0.5 * s for t, s in self.user_share.get(user, {}).items()}
            for t, s in self.item_share.get(item, {}).items():
                scores[t] = scores.get(t, 0.0) + 0.5 * s
        for t, s in self.filler.items():
            scores[t] = scores.get(t, 0.0) + s
        return scores

    def recommend_many(self, posts: Sequence[Post], k: int) -> list[list[str]]:
        return [self.recommend(p.user, p.item, k) for p in posts]

    def recommend(self, user: str, item: str, k: int) -> list[str]:
        if self.variant == "mp":  # the same ranking for every post: computed once
            if self._global_ranking is None or len(self._global_ranking) < k:
                scores = self.score(user, item)
                self._global_ranking = [t for _, t in heapq.nsmallest(k, ((-s, t) for t, s in scores.items()))]
            return self._global_ranking[:k]
        scores = self.score(user, item)
        return [t for _, t in heapq.nsmallest(k, ((-s, t) for t, s in scores.items()))]


class RecencyMostPopular(MostPopular):
    """MP-u with the base-level learning decay of ACT-R (Kowald et al.'s BLL): a tag used at
    times t_j scores sum_j (t - t_j + 1) ** -d at the post's time t (in days), normalised over
    the user's tags. 'bll-u' alone; 'bll-ui' mixes it half and half with MP-i."""

    VARIANTS = ("bll-u", "bll-ui")

    def __init__(self, variant: str, decay: float = 0.5, seed: int = 0):
        if variant not in self.VARIANTS:
            raise ValueError(f"unknown baseline {variant!r}")
        TagModel.__init__(self, seed)
        self.variant, self.decay, self.name = variant, decay, variant

    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        super()._prepare(train, side)
        self.uses: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for post in train:
            self.uses[post.user] += [(post.time, t) for t in post.tags]

    def score(self, user: str, item: str, time: float | None = None) -> dict[str, float]:
        return self._scores(Post(user, item, self._time_for(user, time), frozenset()))

    def recommend(self, user: str, item: str, k: int) -> list[str]:
        return self.recommend_many([Post(user, item, self._time_for(user, None), frozenset())], k)[0]

    def _bll(self, user: str, time: float) -> dict[str, float]:
        scores: dict[str, float] = defaultdict(float)
        for used_at, tag in self.uses.get(user, []):
            scores[tag] += (max(time - used_at, 0.0) + 1.0) ** -self.decay
        total = sum(scores.values())
        return {t: s / total for t, s in scores.items()} if total else {}

    def _scores(self, post: Post) -> dict[str, float]:
        scores = {t: (1.0 if self.variant == "bll-u" else 0.5) * s for t, s in self._bll(post.user, post.time).items()}
        if self.variant == "bll-ui":
            for t, s in self.item_share.get(post.item, {}).items():
                scores[t] = scores.get(t, 0.0) + 0.5 * s
        for t, s in self.filler.items():
            scores[t] = scores.get(t, 0.0) + s
        return scores

    def recommend_many(self, posts: Sequence[Post], k: int) -> list[list[str]]:
        return [[t for _, t in heapq.nsmallest(k, ((-s, t) for t, s in self._scores(post).items()))] for post in posts]
