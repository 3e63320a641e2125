"""Shoots: a photographer's photos cut where she paused or moved. The engine judges its own
confidence on her newest shoots, and the trainer judges a retrain on them, both by this one
definition."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

SHOOT_GAP_HOURS = 3.0  # a pause this long starts a new shoot
SHOOT_DISTANCE_KM = 30.0  # and so does a move this far, where both photos carry GPS


def shoot_ids(photos: Sequence) -> list[int]:
    """A shoot number for each photo (``photos`` oldest first; ``taken_at`` ISO, ``gps_lat``,
    ``gps_lon``). A photo without a date joins the shoot before it."""
    ids, shoot, previous = [], 0, None
    for photo in photos:
        if previous is not None and _new_shoot(previous, photo):
            shoot += 1
        ids.append(shoot)
        if photo.taken_at:
            previous = photo
    return ids


def newest_shoots_start(ids: Sequence[int], wanted: int) -> int:
    """Where the newest whole shoots that hold at least ``wanted`` photos begin (0: all)."""
    start = end = len(ids)
    while start > 0 and end - start < wanted:
        shoot = ids[start - 1]
        while start > 0 and ids[start - 1] == shoot:
            start -= 1
    return start


def _new_shoot(a, b) -> bool:
    if not b.taken_at:
        return False
    try:
        gap = (datetime.fromisoformat(b.taken_at) - datetime.fromisoformat(a.taken_at)).total_seconds() / 3600
    except (TypeError, ValueError):
        return False
    if abs(gap) > SHOOT_GAP_HOURS:
        return True
    if None not in (a.gps_lat, a.gps_lon, b.gps_lat, b.gps_lon):
        return _km(a.gps_lat, a.gps_lon, b.gps_lat, b.gps_lon) > SHOOT_DISTANCE_KM
    return False


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742 * math.asin(min(1.0, math.sqrt(h)))
