"""Others: what the library's other photographers (its other profiles) tagged this very photo."""

from __future__ import annotations

from .base import Scene, Scored, Signal, counted, register


@register
class Others(Signal):
    name, weight, position = "others", 0.7, 3
    shared = True

    def score(self, scene: Scene) -> Scored:
        others, taggers = scene.others
        # One other photographer's word is a hint; several agreeing on it, near certainty.
        return Scored({t: n / (taggers + 1) for t, n in others.items()})

    def reason(self, scene: Scene, i: int, tag: str) -> str:
        return f"{counted(scene.others[0].get(tag, 0), 'other photographer')} of this library tagged it so"
