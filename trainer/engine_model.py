"""The shipped engine as a model of the evaluator: ``engine``.

What users get is ``tagassist.engine.suggest.Suggester``: its signals, the default noisy-OR or
a learned ``SignalRanker``, and a trained model when there is one. This model runs that very
code on any tagging history, so ``python -m trainer.evaluate --models mp-ui,engine`` measures
what ``tagassist suggest`` does, not a copy of it.

A folksonomy is read as a shared photo library (``PostsLibrary``): each item is a photo, each
user a profile of the library, and each post that profile's tags on the photo, "taken" at the
post's time. The item's features are its pixels' embedding: the data set's own item features
where it has them (a tagassist store: the visual embeddings), otherwise the factors of the
item's tag profile in the training posts (a truncated SVD), so the visual-neighbour signal is
"her own tags on items others describe alike". Other users' tags on the item are the engine's
``others`` signal, as other profiles' tags on a photo are in a shared library.

The ranker is learned the way "Retrain on my tags" learns it (``trainer.signal_ranker``:
replayed forward through each user's history), pooled over the users, since a folksonomy's
users have a few dozen posts each where a photographer has thousands of photos.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import torch

from tagassist.engine.ranker import SignalRanker
from tagassist.engine.source import HistorySource
from tagassist.engine.suggest import Suggester
from tagassist.store import Photo, Profile

from .data import Post
from .model_api import Callback, SideData, TagModel
from .signal_ranker import ranker_from_examples, replay_examples

ITEMS = "items"  # the "encoder" whose embeddings are the items' features
_EPOCH = datetime(1970, 1, 1)


def _iso(days: float) -> str:
    return (_EPOCH + timedelta(days=days)).isoformat(timespec="seconds")


def tag_profile_factors(train: Sequence[Post], rank: int = 64, seed: int = 0) -> dict[str, np.ndarray]:
    """Each item's tag profile in the training posts (log counts over tags, idf-weighted) as
    ``rank`` factors of a truncated SVD, unit length: items described alike lie close."""
    items = sorted({p.item for p in train})
    tags = sorted({t for p in train for t in p.tags})
    if not items or not tags:
        return {}
    item_row, tag_column = {i: n for n, i in enumerate(items)}, {t: n for n, t in enumerate(tags)}
    counts: Counter = Counter((item_row[p.item], tag_column[t]) for p in train for t in p.tags)
    items_with = Counter(c for _, c in counts)
    idf = {c: math.log(len(items) / n) + 1.0 for c, n in items_with.items()}
    (rows, cols), values = zip(*counts), [math.log1p(n) * idf[c] for (_, c), n in counts.items()]
    matrix = torch.sparse_coo_tensor(torch.tensor([rows, cols]), torch.tensor(values, dtype=torch.float32),
                                     (len(items), len(tags)), check_invariants=True).coalesce()
    q = max(1, min(rank, min(matrix.shape) - 1))
    torch.manual_seed(seed)
    u, s, _ = torch.svd_lowrank(matrix, q=q, niter=4)
    factors = (u * s).numpy()
    factors /= np.linalg.norm(factors, axis=1, keepdims=True) + 1e-8
    return {item: factors[n].astype(np.float32) for n, item in enumerate(items)}


class PostsLibrary(HistorySource):
    """A tagging history as the engine reads a library (its ``HistorySource``, as the store's
    ``store.history`` is): items are photos, users profiles. Only what ``Suggester`` reads is offered."""

    def __init__(self, posts: Sequence[Post], item_features: dict[str, np.ndarray],
                 negatives: dict[tuple[str, str], frozenset[str]] | None = None):
        self.item_id: dict[str, int] = {}  # item -> photo id
        self.item_of: dict[int, str] = {}
        for item in sorted({p.item for p in posts} | set(item_features)):
            self._id(item)
        self.profiles: dict[str, Profile] = {}
        self._posts: dict[int, list[Post]] = defaultdict(list)  # profile id -> posts
        self._by_item: dict[str, dict[int, frozenset[str]]] = defaultdict(dict)  # item -> profile id -> tags
        for post in posts:
            profile = self.profile(post.user)
            self._posts[profile.id].append(post)
            self._by_item[post.item][profile.id] = post.tags
        self.features = item_features
        self._when = {(profile_id, post.item): _iso(post.time)
                      for profile_id, posts in self._posts.items() for post in posts}
        # Her rejections on the items of her training posts (those on a test item are part of
        # what is being predicted, as she rejected them while tagging it).
        self._rejected: dict[int, list[tuple[str, str]]] = defaultdict(list)  # profile id -> (item, tag)
        for (user, item), tags in (negatives or {}).items():
            if (self.profile(user).id, item) in self._when:
                self._rejected[self.profile(user).id] += [(item, tag) for tag in sorted(tags)]

    def profile(self, user: str) -> Profile:
        if user not in self.profiles:
            self.profiles[user] = Profile(len(self.profiles) + 1, user)
        return self.profiles[user]

    def _id(self, item: str) -> int:
        if item not in self.item_id:
            self.item_id[item] = len(self.item_id)
            self.item_of[self.item_id[item]] = item
        return self.item_id[item]

    def photo(self, post: Post) -> Photo:
        """The item of a post as a photo, taken at the post's time."""
        return Photo(path=post.item, size=0, mtime_ns=0, content_hash=post.item, taken_at=_iso(post.time),
                     id=self._id(post.item))

    def photos(self, user: str) -> tuple[list[Photo], list[frozenset[str]]]:
        """The user's tagged items, oldest first, with her tags on each."""
        posts = sorted(self._posts.get(self.profile(user).id, ()), key=lambda p: (p.time, p.item))
        return [self.photo(p) for p in posts], [p.tags for p in posts]

    # -- HistorySource: what the engine reads -------------------------------------------------
    def history_rows(self, profile: Profile, photo_ids: Sequence[int] | None = None) -> list[tuple]:
        wanted = None if photo_ids is None else set(photo_ids)
        rows = []
        for post in self._posts.get(profile.id, ()):
            pid = self.item_id[post.item]
            if wanted is None or pid in wanted:
                when = _iso(post.time)
                rows += [(pid, post.item, when, None, None, None, None, tag, when) for tag in post.tags]
        rows.sort(key=lambda r: (r[0], r[7]))
        return rows

    def tag_rows(self, profile: Profile) -> list[tuple]:
        return [(r[0], r[7], r[8]) for r in self.history_rows(profile)]

    def rejection_rows(self, profile: Profile, photo_ids=None, *, with_photo: bool = False) -> list[tuple]:
        wanted = None if photo_ids is None else set(photo_ids)
        rows = []
        for item, tag in self._rejected.get(profile.id, ()):
            pid = self._id(item)
            if wanted is None or pid in wanted:
                rows.append((pid, tag, self._when.get((profile.id, item)), None, None))
        return rows if with_photo else [row[1:] for row in rows]

    def embedding_rows(self, encoder_id: str, content_hashes: Sequence[str]) -> tuple[list[int], np.ndarray]:
        found = [n for n, h in enumerate(content_hashes) if encoder_id == ITEMS and h in self.features]
        if not found:
            return [], np.zeros((0, 0), dtype=np.float32)
        return found, np.stack([self.features[content_hashes[n]] for n in found])

    def embeddings(self, encoder_id: str, content_hashes) -> dict[str, np.ndarray]:
        if encoder_id != ITEMS:
            return {}
        return {h: self.features[h] for h in content_hashes if h in self.features}

    def photo_tags(self, profile: Profile, photo_id: int) -> list:
        return []  # the post being suggested for is never in her history

    def photo_rejections(self, profile: Profile, photo_id: int) -> list:
        return []

    def photo_faces(self, profile: Profile, photo_id: int) -> list[tuple]:
        return []  # folksonomy posts have no pixels

    def named_faces(self, profile: Profile) -> list[tuple[str, int, np.ndarray]]:
        return []

    def listed_keywords(self, profile: Profile) -> list[str]:
        return []  # a folksonomy has no imported keyword lists

    def others_tags(self, profile: Profile, photo_id: int) -> tuple[dict[str, int], int]:
        item = self.item_of.get(photo_id)
        taggers = {pid: tags for pid, tags in self._by_item.get(item, {}).items() if pid != profile.id}
        return dict(Counter(t for tags in taggers.values() for t in tags)), len(taggers)


class EngineModel(TagModel):
    name = "engine"
    uses = ("item_features", "negatives")

    def __init__(self, learned_ranker: bool = True, ranker_users: int = 4000, factors: int = 128, seed: int = 0):
        super().__init__(seed)
        self.learned_ranker, self.ranker_users, self.factors = learned_ranker, ranker_users, factors

    def _prepare(self, train: Sequence[Post], side: SideData) -> None:
        super()._prepare(train, side)
        features = side.item_features or tag_profile_factors(train, self.factors, self.seed)
        self.library = PostsLibrary(train, features, side.negatives)
        self.ranker: SignalRanker | None = None
        self._suggesters: dict[str, Suggester] = {}

    def _fit(self, train: Sequence[Post], side: SideData, callback: Callback) -> None:
        if not self.learned_ranker:
            return
        users = sorted(self.library.profiles)
        rng = np.random.default_rng(self.seed)
        if len(users) > self.ranker_users:  # a cap for very large data sets
            users = sorted(rng.choice(users, self.ranker_users, replace=False).tolist())
        features, labels = [], []
        for n, user in enumerate(users, 1):
            photos, truths = self.library.photos(user)
            if len(photos) >= 4:  # a replay needs a history before its first cut
                x, y, _ = replay_examples(self.library, self.library.profile(user), ITEMS, photos, truths,
                                          len(photos))
                features.append(x)
                labels.append(y)
            if n % 100 == 0 or n == len(users):
                callback({"stage": "ranker", "epoch": n, "total": len(users), "loss": None, "metric": None})
        if features:
            self.ranker = ranker_from_examples(np.vstack(features), np.concatenate(labels), len(features))

    def _tensors(self) -> dict[str, torch.Tensor]:
        if self.ranker is None:
            return {}
        return {"ranker": torch.tensor([*self.ranker.coefficients, self.ranker.bias], dtype=torch.float64)}

    def _load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        if "ranker" in tensors:
            *coefficients, bias = tensors["ranker"].tolist()
            self.ranker = SignalRanker(tuple(coefficients), bias)

    def _suggester(self, user: str) -> Suggester:
        if user not in self._suggesters:
            # Uncalibrated: calibration maps scores, never the order, and only the order is scored here.
            self._suggesters[user] = Suggester(self.library, self.library.profile(user), ITEMS, calibrate=False)
        return self._suggesters[user]

    def _ranked(self, post: Post, k: int | None) -> list[tuple[str, float]]:
        """The engine's suggestions for the post, exactly as ``tagassist suggest`` ranks them
        (with ``k`` None, every candidate), then, where they are fewer, the most used tags of
        the training posts, as the protocol fills every ranking (scored below zero, in order)."""
        suggester = self._suggester(post.user)
        signals = suggester.signals(self.library.photo(post))
        limit = len(signals.vocabulary) if k is None else k
        ranked = [(s.tag, s.score) for s in suggester.rank(signals, limit, ranker=self.ranker or None)]
        shown = {t for t, _ in ranked}
        filler = [t for t in self._popular() if t not in shown][:max(0, (k or 10) - len(ranked))]
        return ranked + [(t, -(n + 1) * 1e-6) for n, t in enumerate(filler)]

    def _popular(self) -> list[str]:
        if not hasattr(self, "_popular_tags"):
            counts = Counter(t for p in self._train for t in p.tags)
            self._popular_tags = [t for t, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:10]]
        return self._popular_tags

    def score(self, user: str, item: str, time: float | None = None) -> dict[str, float]:
        """Only the engine's candidates have scores (as in the app), and the protocol's filler."""
        return dict(self._ranked(Post(user, item, self._time_for(user, time), frozenset()), None))

    def recommend_many(self, posts: Sequence[Post], k: int) -> list[list[str]]:
        return [[t for t, _ in self._ranked(post, k)] for post in posts]
