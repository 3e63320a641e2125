"""The tagassist store as a tagging history: each profile is a user, each photo an item.

Positives are the profile's imported, typed and accepted tags on a photo; its rejected tags
are that post's hard negatives. An item's features are its visual embedding (the library's
active encoder) followed by a few EXIF context values; photos of the library that a profile
has not tagged are its interactions (what SIMR labels with its teacher); profiles that tagged
the same photos are linked in the social graph.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from itertools import combinations
from pathlib import Path

import numpy as np

from .data import Post
from .model_api import SideData

DEFAULT_ENCODER = "efficientnet-lite0"


def _days(taken_at: str | None, fallback: float) -> float:
    if taken_at:
        try:
            return datetime.fromisoformat(taken_at).timestamp() / 86400.0
        except ValueError:
            pass
    return fallback


def _exif_context(row: dict) -> list[float]:
    """Time of day (on a circle), focal length, position: what a shoot looks like besides pixels."""
    hour = None
    if row["taken_at"]:
        try:
            moment = datetime.fromisoformat(row["taken_at"])
            hour = moment.hour + moment.minute / 60
        except ValueError:
            pass
    angle = 2 * math.pi * (hour or 0) / 24
    has_gps = row["gps_lat"] is not None and row["gps_lon"] is not None
    return [
        math.sin(angle) if hour is not None else 0.0, math.cos(angle) if hour is not None else 0.0,
        math.log(row["focal_length"]) if row["focal_length"] and row["focal_length"] > 0 else 0.0,
        (row["gps_lat"] or 0.0) / 90 if has_gps else 0.0, (row["gps_lon"] or 0.0) / 180 if has_gps else 0.0,
        float(has_gps),
    ]


def load_store(db_path: str | Path) -> tuple[list[Post], SideData]:
    from tagassist.store import Store

    with Store(db_path) as store:
        encoder = store.settings.active_encoder() or DEFAULT_ENCODER
        photos = store.photos.readable_rows()
        tags: dict[tuple[str, str], set[str]] = defaultdict(set)
        for profile, photo_id, name in store.history.every_profiles_tags():
            if photo_id in photos:
                tags[(profile, str(photo_id))].add(name)
        negatives: dict[tuple[str, str], set[str]] = defaultdict(set)
        for profile, photo_id, name in store.history.every_profiles_tags(rejected=True):
            if photo_id in photos:
                negatives[(profile, str(photo_id))].add(name)
        hashes = {r["content_hash"] for r in photos.values() if r["content_hash"]}
        vectors = store.embeddings.embeddings(encoder, hashes)
    posts = [Post(user, item, _days(photos[int(item)]["taken_at"], float(item)), frozenset(t))
             for (user, item), t in sorted(tags.items())]
    features = {}
    for photo_id, row in photos.items():
        vector = vectors.get(row["content_hash"])
        if vector is not None:
            features[str(photo_id)] = np.concatenate([vector.astype(np.float32),
                                                      np.asarray(_exif_context(row), np.float32)])
    tagged_by: dict[str, set[str]] = defaultdict(set)
    for user, item in tags:
        tagged_by[item].add(user)
    friends: dict[str, set[str]] = defaultdict(set)
    for users in tagged_by.values():
        for a, b in combinations(sorted(users), 2):
            friends[a].add(b)
            friends[b].add(a)
    # The library is shared: each profile's untagged photos are all photos it has not tagged.
    interactions = [(u, i, 1.0) for u in sorted({p.user for p in posts}) for i in sorted(features)
                    if (u, i) not in tags]
    side = SideData(friends={u: sorted(v) for u, v in friends.items()}, interactions=interactions,
                    item_features=features, negatives={k: frozenset(v) for k, v in negatives.items()})
    return posts, side
