"""Scanning folders into the library, as the CLI and the app both run it."""

from __future__ import annotations

from collections.abc import Iterator

from ..library import Scanner
from ..store import Profile, Store


def scan(store: Store, profile: Profile, roots: list[str], *, import_keywords: bool = True) -> Iterator:
    """Yields the scanner's progress; returns its summary (``yield from`` hands it over)."""
    scanner = Scanner(store, profile, import_keywords=import_keywords)
    yield from scanner.scan(roots)
    return scanner.summary
