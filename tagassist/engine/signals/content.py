"""Content words from the encoder's ImageNet predictions: all of them for a new profile, those
in her vocabulary otherwise; each in her words where a keyword of hers (one she used, else one of
her imported keyword lists) ends in it (``dog`` -> her ``Animals|dog``)."""

from __future__ import annotations

from ..content_words import content_encoder_id, content_tag_matrix
from ..history import COLD_START_PHOTOS
from .base import Scene, Scored, Signal, register

_last_leaves: tuple = ((), {})  # (the list, its map): a source hands out the same list until it changes


def _leaves(listed) -> dict[str, str]:
    """{last level, lowercased: the first keyword of ``listed`` that ends in it}."""
    global _last_leaves
    if _last_leaves[0] is not listed:
        _last_leaves = (listed, {t.rsplit("|", 1)[-1].lower(): t for t in reversed(listed)})
    return _last_leaves[1]


@register
class Content(Signal):
    name, weight, position = "content", 0.6, 4

    def score(self, scene: Scene) -> Scored:
        photo, h = scene.photo, scene.history
        if not scene.encoder_id or not photo.content_hash:
            return Scored({})
        vector = scene.store.embeddings(content_encoder_id(scene.encoder_id), [photo.content_hash]).get(
            photo.content_hash)
        if vector is None:
            return Scored({})
        probs = dict(zip(content_tag_matrix()[0], map(float, vector)))
        known = {**_leaves(scene.store.listed_keywords(scene.profile)),  # the first of a list that ends in it,
                 **{t.rsplit("|", 1)[-1].lower(): t for t in h.tags}}  # and one she used before it
        cold = h.n_photos < COLD_START_PHOTOS  # every content word, hers or not
        scored: dict[str, float] = {}
        for word, p in probs.items():
            if p >= 0.05 and (cold or word in known):
                tag = known.get(word, word)
                scored[tag] = max(p, scored.get(tag, 0.0))
        return Scored(scored)

    def reason(self, scene: Scene, i: int, tag: str) -> str:
        return f"the picture looks like: {tag} ({scene.scored(self.name).values.get(tag, 0):.0%})"
