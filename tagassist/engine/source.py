"""What the engine reads of a tagging history: ``HistorySource``.

The suggester, the history and the signals read a profile's tags, rejections and embeddings
through these reads and nothing else, so anything that offers them can be suggested
from: the library's store (its history repository, ``store.history``) and the research
evaluator's folksonomy reader (the trainer's ``PostsLibrary``, which subclasses this protocol)
both do. The engine never imports the store, and the store, beside it in the house, never
imports the engine: the store offers it by shape, which ``tests/engine/test_history_source.py``
checks read by read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..records import Assignment, Profile, Rejection


@runtime_checkable
class HistorySource(Protocol):
    """A library's tagging history as the engine reads it (structural: nothing subclasses it)."""

    def history_rows(self, profile: Profile, photo_ids: Sequence[int] | None = None) -> list[tuple]:
        """(photo id, content hash, taken at, lat, lon, camera make, camera model, tag, tagged at)
        for every tag the profile gave (or gave these photos), by photo then tag."""
        ...

    def tag_rows(self, profile: Profile) -> list[tuple]:
        """(photo id, tag, tagged at) for every tag the profile gave, in no order: the lean read of
        a whole history, for finding the rest of a keyword's photos."""
        ...

    def rejection_rows(self, profile: Profile, photo_ids: Sequence[int] | None = None, *,
                       with_photo: bool = False) -> list[tuple]:
        """([photo id,] tag, taken at, lat, lon) for every rejection of the profile (or of these photos)."""
        ...

    def embedding_rows(self, encoder_id: str, content_hashes: Sequence[str]) -> tuple[list[int], np.ndarray]:
        """(the positions in ``content_hashes`` that have a vector, their vectors as one matrix)."""
        ...

    def embeddings(self, encoder_id: str, content_hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """{content hash: vector} for those of ``content_hashes`` that have one."""
        ...

    def photo_tags(self, profile: Profile, photo_id: int) -> Sequence[Assignment]:
        """The profile's tags on one photo (the engine reads each one's ``tag``)."""
        ...

    def photo_rejections(self, profile: Profile, photo_id: int) -> Sequence[Rejection]:
        """The profile's rejections on one photo (the engine reads each one's ``tag``)."""
        ...

    def others_tags(self, profile: Profile, photo_id: int) -> tuple[dict[str, int], int]:
        """The other profiles' tags on one photo: {tag: how many of them}, and how many tagged it."""
        ...

    def photo_faces(self, profile: Profile, photo_id: int) -> list[tuple]:
        """The faces on one photo: (face id, embedding or None, her name for it or None, the
        names she rejected for it as a frozenset)."""
        ...

    def named_faces(self, profile: Profile) -> list[tuple[str, int, np.ndarray]]:
        """Every face she named that has an embedding: (keyword, photo id, embedding)."""
        ...

    def listed_keywords(self, profile: Profile) -> Sequence[str]:
        """Her keywords that no photo may carry yet: those of the keyword lists she imported (not
        their categories), in list order."""
        ...
