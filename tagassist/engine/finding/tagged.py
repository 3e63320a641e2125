"""A profile's tags and rejections laid over a ``PhotoSet``'s rows, read once per profile
through ``HistorySource`` (``tag_rows``, the lean read): the photo x tag incidence (CSR),
when each photo was last tagged and when each tag was first used. A keyword's positives,
its rejections and its co-occurrences are then a few vectorised reads, however many keywords
are looked for.
"""

from __future__ import annotations

import numpy as np

from ...records import HIERARCHY_SEPARATOR, Profile
from ..source import HistorySource
from .photoset import PhotoSet


def _hours(tagged_at) -> np.ndarray:
    """Hours since the epoch of each 'YYYY-MM-DDTHH:MM:SS...' (NaN where missing or not a
    time), parsed by numpy in one go: a history's hundreds of thousands of times, one by one,
    took seconds. Only their order and differences are used (the time zone does not matter)."""
    seconds = np.array([t[:19] if t else "NaT" for t in tagged_at], dtype="U19")
    try:
        parsed = seconds.astype("datetime64[s]")
    except ValueError:  # an odd value somewhere: one at a time, each odd one NaT
        parsed = np.array([_one(t) for t in seconds], dtype="datetime64[s]")
    hours = parsed.astype(np.float64) / 3600.0
    hours[np.isnat(parsed)] = np.nan
    return hours


def _one(text: str) -> np.datetime64:
    try:
        return np.datetime64(text, "s")
    except ValueError:
        return np.datetime64("NaT")


def in_family(tag: str, keyword: str) -> bool:
    """``tag`` is the keyword or under it (``Places|Italy`` is in the family of ``Places``)."""
    return tag == keyword or tag.startswith(keyword + HIERARCHY_SEPARATOR)


class TaggedLibrary:
    """The profile's history over the rows of ``photos`` (photos outside them are left out)."""

    def __init__(self, store: HistorySource, profile: Profile, photos: PhotoSet):
        self.photos = photos
        history = store.tag_rows(profile)
        photo_ids, tags, tagged_at = zip(*history) if history else ((), (), ())
        self.tags: list[str] = sorted(set(tags))
        self.tag_index = {t: i for i, t in enumerate(self.tags)}
        rows = photos.rows_of(photo_ids) if history else np.zeros(0, dtype=np.int64)
        keep = rows >= 0
        entry_rows = rows[keep]
        entry_tags = np.fromiter(map(self.tag_index.__getitem__, tags), dtype=np.int64, count=len(tags))[keep]
        entry_hours = _hours(tagged_at)[keep]
        order = np.lexsort((entry_tags, entry_rows))
        self.entry_rows, self.entry_tags = entry_rows[order], entry_tags[order]
        n = len(photos)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum(np.bincount(self.entry_rows, minlength=n))
        self.tag_counts = np.bincount(self.entry_tags, minlength=len(self.tags)).astype(np.float64)
        self.tagged = np.diff(self.indptr) > 0
        # When she last tagged each photo, and first used each tag: a photo tagged after she
        # started using a keyword, without it, is a photo she chose not to give it.
        self.last_tagged = np.full(n, -np.inf)
        finite = np.isfinite(entry_hours[order])
        np.maximum.at(self.last_tagged, self.entry_rows[finite], entry_hours[order][finite])
        self.first_used = np.full(len(self.tags), np.inf)
        np.minimum.at(self.first_used, self.entry_tags[finite], entry_hours[order][finite])
        self.rejections: list[tuple[int, str]] = []
        rejected = store.rejection_rows(profile, with_photo=True)
        if rejected:
            for row, (_, tag, *_rest) in zip(photos.rows_of([r[0] for r in rejected]), rejected):
                if row >= 0:
                    self.rejections.append((int(row), tag))

    def family(self, keyword: str) -> np.ndarray:
        """Per tag column: whether it is ``keyword`` or under it."""
        return np.array([in_family(t, keyword) for t in self.tags], dtype=bool)

    def rows_with(self, columns: np.ndarray) -> np.ndarray:
        """Per photo row: whether it carries any of the tag columns marked in ``columns``."""
        hit = np.zeros(len(self.photos), dtype=bool)
        if len(self.entry_tags):
            hit[self.entry_rows[columns[self.entry_tags]]] = True
        return hit

    def rejected_rows(self, keyword: str) -> np.ndarray:
        """Rows where she rejected the keyword, or a keyword above it (no 'Places', no 'Places|Italy')."""
        hit = np.zeros(len(self.photos), dtype=bool)
        for row, tag in self.rejections:
            if in_family(keyword, tag):
                hit[row] = True
        return hit

    def row_tags(self, row: int) -> np.ndarray:
        return self.entry_tags[self.indptr[row]:self.indptr[row + 1]]
