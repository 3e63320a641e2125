"""Scanning folders into the library, as the CLI and the app both run it, and finding a photo
of the library by its path (a file not yet in it is scanned first)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..library import Scanner, ScanSummary
from ..store import Photo, Profile, Store

__all__ = ["ScanSummary", "photo_at", "scan"]


def scan(store: Store, profile: Profile, roots: list[str], *, import_keywords: bool = True) -> Iterator:
    """Yields the scanner's progress; returns its summary, a ``ScanSummary`` (``yield from``
    hands it over). Keywords found in the files are imported into ``profile``'s history."""
    scanner = Scanner(store, profile, import_keywords=import_keywords)
    yield from scanner.scan(roots)
    return scanner.summary


def photo_at(store: Store, profile: Profile, path: str, *, scan_if_new: bool = True) -> Photo | None:
    """The library's photo at ``path``; a file not yet in the library is scanned first (unless
    ``scan_if_new`` is false). None: no photo there."""
    photo = store.photo_by_path(path)
    if photo is None and scan_if_new and os.path.isfile(path):
        Scanner(store, profile).run([path])
        photo = store.photo_by_path(path)
    return photo
