"""Time habits: the tags she uses at this time of day, or in this season."""

from __future__ import annotations

import numpy as np

from ..timeplace import DAYPARTS, SEASONS, daypart, season
from .base import Scene, Scored, Signal, register


@register
class TimeHabit(Signal):
    name, weight, position = "time", 0.25, 7

    def score(self, scene: Scene) -> Scored:
        h, taken_at = scene.history, scene.photo.taken_at
        by_daypart, by_season = h.habit(h.daypart, daypart(taken_at)), h.habit(h.season, season(taken_at))
        return Scored(np.maximum(by_daypart, by_season), (by_daypart, by_season))

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        if i >= scene.known:
            return None
        by_daypart, by_season = scene.scored(self.name).detail
        taken_at = scene.photo.taken_at
        if by_daypart[i] >= by_season[i]:
            return f"you often use it on photos taken {DAYPARTS[daypart(taken_at)]}"
        return f"you often use it on photos taken in {SEASONS[season(taken_at)]}"
