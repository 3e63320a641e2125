"""Frequency: her own tag counts, with recency."""

from __future__ import annotations

import numpy as np

from .base import Scene, Scored, Signal, counted, register


@register
class Frequency(Signal):
    name, weight, position = "frequency", 0.3, 6
    shared = True
    explains = 0.5  # any specific signal gives the reason, unless frequency gave twice as much
    fallback = True

    def score(self, scene: Scene) -> Scored:
        h = scene.history
        if not h.n_photos:
            return Scored(np.zeros(len(h.tags)))
        return Scored(0.7 * h.counts / h.counts.max() + 0.3 * h.recency)

    def reason(self, scene: Scene, i: int, tag: str) -> str:
        n = int(scene.history.counts[i]) if i < scene.known else 0
        return f"one of your frequent tags ({counted(n, 'photo')})"
