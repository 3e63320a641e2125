"""Pictures for the screen: the thumbnail cache and the full-size view, as files and pixels
(Qt-free: the app makes its images from them)."""

from __future__ import annotations

from pathlib import Path

from ..library import ImageProblem, ThumbnailCache, decode_rgb
from ..paths import thumbnail_dir

__all__ = ["ThumbnailCache", "full_size", "thumbnail", "thumbnail_cache"]


def thumbnail_cache(folder: str = "") -> ThumbnailCache:
    """The cache in ``folder`` (the settings' thumbnail folder; empty: the user cache folder)."""
    return ThumbnailCache(folder or thumbnail_dir())


def thumbnail(cache: ThumbnailCache, path: str, content_hash: str, orientation: int | None) -> Path | None:
    """The photo's cached thumbnail, made now if missing; None when it has no picture to show."""
    try:
        return cache.get(path, content_hash, orientation)
    except (ImageProblem, OSError):
        return None


def full_size(path: str, orientation: int | None, longest: int = 2400) -> tuple[bytes, int, int]:
    """The photo decoded upright, at most ``longest`` pixels on a side: (RGB bytes, width, height)."""
    image = decode_rgb(path, orientation, longest)
    return image.tobytes(), image.width, image.height
