"""Thumbnail cache: 256 px JPEGs keyed by content hash in the user cache directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .imaging import decode_rgb

THUMBNAIL_SIZE = 256


class ThumbnailCache:
    def __init__(self, directory: str | os.PathLike, size: int = THUMBNAIL_SIZE):
        self.directory = Path(directory)
        self.size = size

    def path_for(self, content_hash: str) -> Path:
        # Two-level fan-out keeps directories small for 100k+ photos.
        return self.directory / content_hash[:2] / f"{content_hash}-{self.size}.jpg"

    def get(self, photo_path: str | os.PathLike, content_hash: str, orientation: int | None) -> Path:
        """Path of the cached thumbnail, made now if missing. Raises ImageProblem."""
        target = self.path_for(content_hash)
        if target.exists():
            return target
        image = decode_rgb(photo_path, orientation, self.size)
        target.parent.mkdir(parents=True, exist_ok=True)
        # temp file + rename: a reader never sees half a thumbnail, even after a crash.
        fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                image.save(out, "JPEG", quality=85)
            os.replace(temp, target)
        except BaseException:
            os.unlink(temp)
            raise
        return target

    def prune(self, max_bytes: int) -> int:
        """Delete the least recently used thumbnails beyond ``max_bytes``; returns how many."""
        files = []
        for path in self.directory.glob("*/*.jpg"):
            try:
                st = path.stat()
            except OSError:
                continue
            files.append((st.st_atime, st.st_size, path))
        total = sum(size for _, size, _ in files)
        removed = 0
        for _, size, path in sorted(files):
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed
