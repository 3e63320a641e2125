"""The shoot: the votes of her tagged photos taken close in time, and in place when known."""

from __future__ import annotations

import math

import numpy as np

from ...records import Photo
from ..history import ProfileHistory
from ..timeplace import SHOOT_HOURS, SHOOT_KM, epoch_hours, haversine_km
from .base import Scene, Scored, Signal, counted, register


def shoot_votes(h: ProfileHistory, photo: Photo) -> tuple[np.ndarray, np.ndarray, bool]:
    """Votes of tagged photos from the same shoot (close in time, and place when known), how
    many of them carry each tag, and whether the photo's time was known."""
    zero = np.zeros(len(h.tags))
    if not h.n_photos:
        return zero, zero, False
    hours = epoch_hours(photo.taken_at)
    weights = np.zeros(h.n_photos)
    by_time = not math.isnan(hours)
    if by_time:
        gap = np.abs(h.hours - hours)
        weights = np.where(gap < SHOOT_HOURS, np.exp(-gap / (SHOOT_HOURS / 3)), 0.0)
        weights = np.nan_to_num(weights)
    if photo.gps_lat is not None and photo.gps_lon is not None:
        distance = haversine_km(photo.gps_lat, photo.gps_lon, h.lats, h.lons)
        near = np.nan_to_num(np.where(distance < SHOOT_KM, np.exp(-distance / (SHOOT_KM / 2)), 0.0))
        known = np.isfinite(distance)
        # Same place: counts on its own, and confirms (or, far away, discounts) the time.
        weights = np.where(known, np.maximum(weights * (0.5 + 0.5 * near), 0.7 * near), weights)
    rows = np.flatnonzero(weights > 0.05)
    if not len(rows):
        return zero, zero, by_time
    votes = h.tag_votes(rows, weights[rows]) / max(weights[rows].sum(), 1.0)
    return votes, h.tag_votes(rows, np.ones(len(rows))), by_time


@register
class Shoot(Signal):
    name, weight, position = "shoot", 0.85, 2

    def score(self, scene: Scene) -> Scored:
        votes, carriers, by_time = shoot_votes(scene.history, scene.photo)
        return Scored(votes, (carriers, by_time))

    def reason(self, scene: Scene, i: int, tag: str) -> str | None:
        if i >= scene.known:
            return None
        carriers, by_time = scene.scored(self.name).detail
        where = "the same day as" if by_time else "within 1 km of"
        return f"taken {where} {counted(int(carriers[i]), 'photo')} tagged '{tag}'"
