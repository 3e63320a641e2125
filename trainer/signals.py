"""Per-post tag signals from a training history: what the user tends to write, what others
wrote on the item, and what the user wrote on similar items. The hybrid ranker learns how to
weigh them; each is also a classic recommender on its own (MP-u, BLL, MP-i, item-CF).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from .data import Post

FEATURES = (
    "bll",            # the user's tags with ACT-R base-level decay (d = 0.5), normalised
    "bll_fast",       # the same with a faster decay (d = 1.0): what the user writes lately
    "mp_u",           # the user's tag frequencies, normalised
    "mp_i",           # the item's tag frequencies from every user, normalised
    "item_cf",        # the user's own tags on items whose tag profiles resemble this one
    "cooc",           # tags that co-occur with the item's tags anywhere in training
    "log_global",     # log of the tag's global share
    "log_user_count", # how often this user used the tag
    "log_item_count", # how often the tag was given to this item
    "user_posts",     # context: how much history the user has
    "item_posts",     # context: how much others said about the item
    "last_post",      # the tag was in the user's most recent post
)


class TagSignals:
    """Everything the signals need, counted once from the training posts."""

    def __init__(self, train: Sequence[Post]):
        self.global_counts: Counter = Counter()
        self.user_counts: dict[str, Counter] = defaultdict(Counter)
        self.item_counts: dict[str, Counter] = defaultdict(Counter)
        self.user_posts: dict[str, list[Post]] = defaultdict(list)
        self.item_post_count: Counter = Counter()
        for post in train:
            self.global_counts.update(post.tags)
            self.user_counts[post.user].update(post.tags)
            self.item_counts[post.item].update(post.tags)
            self.user_posts[post.user].append(post)
            self.item_post_count[post.item] += 1
        for posts in self.user_posts.values():
            posts.sort(key=lambda p: p.time)
        total = sum(self.global_counts.values()) or 1
        self.global_share = {t: c / total for t, c in self.global_counts.items()}
        self.top_global = [t for t, _ in sorted(self.global_counts.items(), key=lambda x: (-x[1], x[0]))[:10]]
        # Item profiles as L2-normalised tag-count vectors, for item-to-item cosine similarity.
        self.item_profile = {}
        for item, counts in self.item_counts.items():
            norm = math.sqrt(sum(c * c for c in counts.values()))
            self.item_profile[item] = {t: c / norm for t, c in counts.items()}
        # P(t | t') from tag co-occurrence within posts, kept to each tag's 30 strongest partners.
        pair_counts: dict[str, Counter] = defaultdict(Counter)
        for post in train:
            if 1 < len(post.tags) <= 30:
                for a in post.tags:
                    for b in post.tags:
                        if a != b:
                            pair_counts[a][b] += 1
        self.cooccurring = {
            a: {b: c / self.global_counts[a] for b, c in partners.most_common(30)} for a, partners in pair_counts.items()
        }

    def _bll(self, user: str, time: float, decay: float) -> dict[str, float]:
        scores: dict[str, float] = defaultdict(float)
        for post in self.user_posts.get(user, ()):
            weight = (max(time - post.time, 0.0) + 1.0) ** -decay
            for t in post.tags:
                scores[t] += weight
        total = sum(scores.values())
        return {t: s / total for t, s in scores.items()} if total else {}

    def _item_cf(self, user: str, item: str) -> dict[str, float]:
        profile = self.item_profile.get(item)
        if not profile:
            return {}
        scores: dict[str, float] = defaultdict(float)
        for post in self.user_posts.get(user, ()):
            if post.item == item:
                continue
            other = self.item_profile.get(post.item, {})
            small, large = (profile, other) if len(profile) < len(other) else (other, profile)
            similarity = sum(v * large.get(t, 0.0) for t, v in small.items())
            if similarity > 0:
                for t in post.tags:
                    scores[t] += similarity
        total = sum(scores.values())
        return {t: s / total for t, s in scores.items()} if total else {}

    def _cooc(self, item_share: dict[str, float]) -> dict[str, float]:
        scores: dict[str, float] = defaultdict(float)
        for t, share in item_share.items():
            for partner, p in self.cooccurring.get(t, {}).items():
                scores[partner] += share * p
        return scores

    def candidates(self, post: Post, limit: int) -> tuple[list[str], np.ndarray]:
        """The post's candidate tags (strongest prior first, at most ``limit``) and their
        features, (n, len(FEATURES)) float32."""
        user_counts = self.user_counts.get(post.user, Counter())
        item_counts = self.item_counts.get(post.item, Counter())
        user_total = sum(user_counts.values()) or 1
        item_total = sum(item_counts.values()) or 1
        mp_u = {t: c / user_total for t, c in user_counts.items()}
        mp_i = {t: c / item_total for t, c in item_counts.items()}
        bll = self._bll(post.user, post.time, 0.5)
        bll_fast = self._bll(post.user, post.time, 1.0)
        item_cf = self._item_cf(post.user, post.item)
        cooc = self._cooc(mp_i)
        history = self.user_posts.get(post.user, ())
        last_tags = history[-1].tags if history else frozenset()
        prior: dict[str, float] = defaultdict(float)
        for signal, weight in ((bll, 1.0), (mp_i, 1.0), (item_cf, 0.5), (cooc, 0.2)):
            for t, s in signal.items():
                prior[t] += weight * s
        for rank, t in enumerate(self.top_global):
            prior[t] += 1e-3 * (10 - rank) / 10
        chosen = [t for t, _ in sorted(prior.items(), key=lambda x: (-x[1], x[0]))[:limit]]
        user_posts = math.log1p(len(history))
        item_posts = math.log1p(self.item_post_count.get(post.item, 0))
        rows = [
            (bll.get(t, 0.0), bll_fast.get(t, 0.0), mp_u.get(t, 0.0), mp_i.get(t, 0.0), item_cf.get(t, 0.0),
             cooc.get(t, 0.0), math.log(self.global_share.get(t, 1e-7)), math.log1p(user_counts.get(t, 0)),
             math.log1p(item_counts.get(t, 0)), user_posts, item_posts, float(t in last_tags))
            for t in chosen
        ]
        return chosen, np.asarray(rows, dtype=np.float32).reshape(len(chosen), len(FEATURES))
