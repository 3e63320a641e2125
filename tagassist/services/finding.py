"""Finding the rest (issue 24): which photos of her library should carry a keyword too, for the
CLI's ``tagassist find`` and the app's review of a keyword.

- ``library_photos``: the library's photos and their embeddings by the active encoder, read
  once (the app keeps it for the library and hands it to every review).
- ``KeywordReview``: one keyword's candidates, best first, each with a calibrated score and a
  reason; ``accept`` and ``reject`` store a decision exactly as an accepted or rejected
  suggestion is stored (so both ways to tag learn from it) and re-rank at once; ``rerank``
  only re-ranks, for a caller that stored the decision itself (the app's undoable commands).
- ``find``: the CLI's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engine.finding import KeywordFinder, NoExamples, PhotoSet, TaggedLibrary
from ..records import GridRow
from ..store import Profile, Store, check_tag, normalise_tag
from . import faces, tagging


@dataclass(frozen=True)
class Found:
    photo_id: int
    path: str
    score: float  # the chance that the photo is hers for the keyword
    reason: str

    def as_json(self) -> dict:
        return {"photo_id": self.photo_id, "path": self.path, "score": self.score, "reason": self.reason}


def library_photos(store: Store, encoder_id: str | None = None) -> PhotoSet:
    """Every photo of the library with pixels, with its embedding by ``encoder_id`` (default:
    the library's active encoder) where it has one."""
    rows = store.photos.readable_rows()
    ids = list(rows)
    encoder_id = encoder_id or store.settings.active_encoder()
    hashes = [rows[i]["content_hash"] for i in ids]
    found, matrix = store.embeddings.embedding_rows(encoder_id, hashes) if encoder_id and ids else ([], None)
    return PhotoSet.build(ids, [rows[i]["taken_at"] for i in ids], [rows[i]["gps_lat"] for i in ids],
                          [rows[i]["gps_lon"] for i in ids], found, matrix if found else np.zeros((0, 0)))


def resolve_keyword(store: Store, profile: Profile, name: str) -> str:
    """The keyword ``name`` stands for: itself, or the keyword it is an alias of (in any ASCII
    case, as the keyword manager's aliases match)."""
    check_tag(name)
    name = normalise_tag(name)
    aliases = {alias.lower(): keyword for alias, keyword in store.aliases.of(profile).items()}
    return aliases.get(name.lower(), name)


class KeywordReview:
    """One keyword's candidates for one photographer, re-ranked after each decision.

    ``photos``: the library as ``library_photos`` read it (read here when not given);
    ``folder``: only photos under it are candidates (all of them still teach). Raises
    ValueError ("tag at least one photo with 'X' first") for a keyword no photo carries."""

    def __init__(self, store: Store, profile: Profile, keyword: str, *, photos: PhotoSet | None = None,
                 folder: str | None = None):
        self.store, self.profile = store, profile
        self.keyword = resolve_keyword(store, profile, keyword)
        self.photos = photos if photos is not None else library_photos(store)
        within = None
        if folder is not None:
            within = np.zeros(len(self.photos), dtype=bool)
            rows = self.photos.rows_of([r.id for r in store.photos.grid_rows(profile, folder=folder)])
            within[rows[rows >= 0]] = True
        try:
            evidence = faces.person_evidence(store, profile, self.keyword, self.photos.ids.tolist())
            self.finder = KeywordFinder(TaggedLibrary(store.history, profile, self.photos), self.keyword, within,
                                        faces=evidence)
        except NoExamples as exc:
            if self.keyword in store.vocabulary.names(profile):  # from her imported keyword list
                raise ValueError(f"'{self.keyword}' is in your imported keyword list, but no photo carries it yet:"
                                 " tag at least one photo with it first") from None
            raise ValueError(str(exc)) from None
        self._scores: dict[int, float] = {}

    @property
    def unindexed(self) -> int:
        """Photos without an embedding: only their shoot, place and keywords speak for them."""
        return int((~self.photos.has_vector).sum())

    def candidates(self, limit: int | None = 50) -> list[Found]:
        """The best ``limit`` candidates still undecided, best first."""
        found = self.finder.candidates(limit)
        self._scores.update((c.photo_id, c.score) for c in found)
        paths = {pid: self.store.photos.get(pid).path for pid in (c.photo_id for c in found)}
        return [Found(c.photo_id, paths[c.photo_id], c.score, c.reason) for c in found]

    def ready(self) -> None:
        """Make the re-ranks after a decision fast (the library projected onto the keyword's
        basis, ~0.5 s on 100,000 photos): call it once the first page is shown."""
        self.finder.ready()

    def grid_rows(self, found: Sequence[Found]) -> list[GridRow]:
        """What a thumbnail grid shows of these candidates, in their order."""
        ids = [f.photo_id for f in found]
        counts = self.store.history.tag_counts(self.profile, ids)
        rows = []
        for photo in map(self.store.photos.get, ids):
            rows.append(GridRow(photo.id, photo.path, photo.content_hash, photo.orientation, photo.status,
                                photo.error, counts.get(photo.id, 0), photo.pixels_path))
        return rows

    def accept(self, photo_ids: Sequence[int]) -> tagging.TagCounts:
        """She gives the keyword to these photos: stored as accepted suggestions, then re-ranked."""
        counts = self._store(photo_ids, add=[self.keyword])
        self.rerank(accepted=photo_ids)
        return counts

    def reject(self, photo_ids: Sequence[int]) -> tagging.TagCounts:
        """The keyword is wrong for these photos: stored as rejected suggestions, then re-ranked."""
        counts = self._store(photo_ids, reject=[self.keyword])
        self.rerank(rejected=photo_ids)
        return counts

    def _store(self, photo_ids: Sequence[int], **change) -> tagging.TagCounts:
        ids = list(photo_ids)
        scores = [self._scores[i] for i in ids if i in self._scores]
        # one score per change, as a batch of suggestions
        score = round(sum(scores) / len(scores), 4) if scores else None
        return tagging.change_tags(self.store, self.profile, ids, source="accepted", score=score, **change)

    def rerank(self, accepted: Sequence[int] = (), rejected: Sequence[int] = ()) -> None:
        """Decisions stored by the caller: they teach the ranking, which is redone (milliseconds)."""
        self.finder.decide(accepted=accepted, rejected=rejected)

    def undo(self, photo_ids: Sequence[int]) -> None:
        """The caller undid its decisions on these photos: they are candidates again as before."""
        self.finder.undo(photo_ids)

    @property
    def tagged(self) -> int:
        """Photos given the keyword in this review."""
        return self.finder.accepted_count

    @property
    def rejected(self) -> int:
        return self.finder.rejected_count

    def expected_remaining(self) -> float:
        """About how many of the candidates left are hers (the sum of their scores)."""
        return self.finder.expected_remaining()


def find(store: Store, profile: Profile, keyword: str, *, limit: int | None = 50,
         folder: str | None = None) -> tuple[KeywordReview, list[Found]]:
    """The CLI's question: the review and its best ``limit`` candidates."""
    review = KeywordReview(store, profile, keyword, folder=folder)
    return review, review.candidates(limit)
