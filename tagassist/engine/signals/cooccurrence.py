"""Co-occurrence with the tags already on the photo (as darktable suggests): hers, and those
the library's other photographers wrote on it, as sure as the others signal is of them."""

from __future__ import annotations

import numpy as np

from .base import Scene, Scored, Signal, register


@register
class Cooccurrence(Signal):
    name, weight, position = "cooccurrence", 0.5, 5

    def score(self, scene: Scene) -> Scored:
        """How often she used each tag together with a tag on the photo (``present``: column ->
        how sure that tag is: 1 for her own, less for what others wrote)."""
        h = scene.history
        present = {h.tag_index[t]: share for t, share in scene.scored("others").values.items() if t in h.tag_index}
        present.update({h.tag_index[t]: 1.0 for t in scene.on_photo if t in h.tag_index})
        scores = np.zeros(len(h.tags))
        best_partner = [None] * len(h.tags)
        for t0, certainty in present.items():
            carriers = h.tag_rows[t0]
            if not len(carriers):
                continue
            conditional = certainty * h.tag_votes(carriers, np.ones(len(carriers))) / len(carriers)
            for t in np.flatnonzero(conditional > scores):
                best_partner[t] = h.tags[t0]
            scores = np.maximum(scores, conditional)
        return Scored(scores, best_partner)

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        partners = scene.scored(self.name).detail
        if i < scene.known and partners[i]:
            return f"often used together with '{partners[i]}'"
        return None
