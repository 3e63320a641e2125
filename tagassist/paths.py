"""Where tagassist keeps its files, and how photo paths are stored and shown.

Photo paths are kept as raw file-system bytes in the database because file names need not be
valid UTF-8; in Python they are ``str`` with surrogate escapes (what ``os.fsdecode`` gives).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "tagassist"


def data_dir() -> Path:
    override = os.environ.get("TAGASSIST_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    override = os.environ.get("TAGASSIST_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "library.sqlite"


def demo_db_path() -> Path:
    """The database of ``tagassist demo`` (the sample library's)."""
    return data_dir() / "demo.sqlite"


def thumbnail_dir() -> Path:
    return cache_dir() / "thumbnails"


def resources_dir() -> Path:
    """The repository's resources/ (a source checkout), or the frozen app's bundled copy."""
    override = os.environ.get("TAGASSIST_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) / "resources" if frozen else Path(__file__).resolve().parents[1] / "resources"


def sample_library_dir() -> Path:
    return resources_dir() / "sample-library"


def to_db_path(path: str | os.PathLike) -> bytes:
    """Absolute, normalised path as bytes: the key a photo or folder is stored under."""
    return os.fsencode(os.path.abspath(os.fspath(path)))


def from_db_path(raw: bytes) -> str:
    return os.fsdecode(raw)


def display_path(path: str | os.PathLike) -> str:
    """A printable form of any path; undecodable bytes become U+FFFD."""
    return os.fsencode(os.fspath(path)).decode("utf-8", "replace")


def subtree_range(root: bytes) -> tuple[bytes, bytes]:
    """Bounds (lo, hi) such that lo <= path < hi selects everything below ``root``."""
    prefix = root.rstrip(os.sep.encode()) + os.sep.encode()
    return prefix, prefix[:-1] + bytes([prefix[-1] + 1])
