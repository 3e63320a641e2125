"""Visual neighbours: the weighted votes of her tagged photos that look most like this one."""

from __future__ import annotations

import weakref

import numpy as np

from ..history import ProfileHistory
from .base import Scene, Scored, Signal, counted, register

NEIGHBOURS = 15
# Full visual confidence needs the weight of about three strong neighbours (cosine 0.8):
# a photo unlike anything tagged gets weak votes, not confident ones.
VISUAL_EVIDENCE = 3 * 0.8**3


_SIMILARITIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
KEPT_SIMILARITIES = 8  # photos whose likeness to the history is kept: the ones she is tagging now


def _similarity(h: ProfileHistory, content_hash: str | None, vector: np.ndarray) -> np.ndarray:
    """Cosine similarity of the photo to every embedded photo of the history (a copy: the
    caller masks it). One product over the whole history (~27 ms at 100,000 photos), kept for
    the few photos asked about last: accepting a suggestion asks about the same photo again,
    and a history's vectors only ever grow (rows are appended, none is rewritten)."""
    key = (content_hash, len(h.embeddings), h.embeddings.__array_interface__["data"][0])
    kept = _SIMILARITIES.setdefault(h, {})
    if content_hash is None or key not in kept:
        unit = vector / (np.linalg.norm(vector) + 1e-8)
        similarity = h.embeddings @ unit
        if content_hash is None:
            return similarity
        kept[key] = similarity
        while len(kept) > KEPT_SIMILARITIES:
            kept.pop(next(iter(kept)))
    return kept[key].copy()


def neighbour_votes(h: ProfileHistory, content_hash: str | None, vector: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Weighted votes of the nearest tagged photos, and how many neighbours carry each tag."""
    zero = np.zeros(len(h.tags))
    if not len(h.embedded_rows) or vector is None:
        return zero, zero
    similarity = _similarity(h, content_hash, vector)
    rows = h.embedded_rows
    similarity[h.positions_of(content_hash)] = -np.inf  # never the photo itself
    similarity[~h.embedding_alive] = -np.inf  # nor a photo that has no tags any more
    k = min(NEIGHBOURS, int(np.isfinite(similarity).sum()))
    if k == 0:
        return zero, zero
    nearest = np.argpartition(-similarity, k - 1)[:k]
    weights = np.clip(similarity[nearest], 0, None) ** 3  # sharpen: the closest count most
    if weights.sum() <= 0:
        return zero, zero
    votes = h.tag_votes(rows[nearest], weights) / max(weights.sum(), VISUAL_EVIDENCE)
    return votes, h.tag_votes(rows[nearest], np.ones(k))


@register
class Visual(Signal):
    name, weight, position = "visual", 0.85, 1

    def score(self, scene: Scene) -> Scored:
        return Scored(*neighbour_votes(scene.history, scene.photo.content_hash, scene.vector))

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        if i >= scene.known:
            return None
        return f"you used it on {counted(int(scene.scored(self.name).detail[i]), 'similar photo')}"
