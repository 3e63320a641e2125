"""When and where a photo was taken, as the history and the signals read it: hours since the
epoch, part of day, season, camera, distance, and the photos of the same shoot."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from ..records import Photo

SHOOT_HOURS = 6.0
SHOOT_KM = 1.0
SEASONS = ("winter", "spring", "summer", "autumn")
DAYPARTS = ("at night", "in the morning", "in the afternoon", "in the evening")
# Hour of day -> part of day as photographers speak of it: night 21-5, morning 5-11,
# afternoon 11-17, evening 17-21 (indices into DAYPARTS).
_DAYPART_OF_HOUR = [0] * 5 + [1] * 6 + [2] * 6 + [3] * 4 + [0] * 3


def epoch_hours(taken_at: str | None) -> float:
    if not taken_at:
        return math.nan
    try:
        return datetime.fromisoformat(taken_at).timestamp() / 3600.0
    except ValueError:
        return math.nan


def daypart(taken_at: str | None) -> int:
    if not taken_at or len(taken_at) < 13 or not taken_at[11:13].isdigit():
        return -1
    return _DAYPART_OF_HOUR[int(taken_at[11:13]) % 24]


def season(taken_at: str | None) -> int:
    return -1 if not taken_at else int(taken_at[5:7]) % 12 // 3


def camera_name(make: str | None, model: str | None) -> str | None:
    return " ".join(filter(None, [make, model])) or None


def camera_of(photo: Photo) -> str | None:
    return camera_name(photo.camera_make, photo.camera_model)


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat, lon, lats, lons))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def in_context(photo: Photo, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Which of the given photos (their hours, latitudes, longitudes) belong to ``photo``'s
    shoot: close in time, or, when it has no date, in place."""
    near = np.zeros(len(hours), dtype=bool)
    when = epoch_hours(photo.taken_at)
    if not math.isnan(when):
        near |= np.nan_to_num(np.abs(hours - when), nan=np.inf) < SHOOT_HOURS
    elif photo.gps_lat is not None and photo.gps_lon is not None:
        near |= np.nan_to_num(haversine_km(photo.gps_lat, photo.gps_lon, lats, lons), nan=np.inf) < SHOOT_KM
    return near
