"""Reads of the profiles' tagging histories: what the engine suggests from (this is the
library's ``HistorySource``), what the trainer builds its arrays from, and what the app shows
of a photo or a selection. Bulk reads are one query each, streamed, never one per photo.

The engine's protocol also asks for the photos' embeddings; those are the embeddings
repository's, and this one passes the two reads on to it, so the suggester is handed one
object: ``store.history``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..records import Assignment, Profile, Rejection
from .database import Database
from .embedding_table import Embeddings
from .faces import Faces
from .repository import Repository


class HistoryReads(Repository):
    def __init__(self, database: Database, embeddings: Embeddings, faces: Faces):
        super().__init__(database)
        self._embeddings, self._faces = embeddings, faces
        self._listed: tuple = (None, None, [])  # (profile id, change counter, her listed keywords)

    # -- what the engine reads (HistorySource) -------------------------------------------------
    def history_rows(self, profile: Profile, photo_ids: Sequence[int] | None = None) -> list[tuple]:
        """(photo id, content hash, taken at, lat, lon, camera make, camera model, tag, tagged at)
        for every assignment of the profile (or of these photos), by photo then tag."""
        return self._in_chunks(
            "SELECT p.id, p.content_hash, p.taken_at, p.gps_lat, p.gps_lon, p.camera_make, p.camera_model,"
            " t.name, a.created_at FROM assignments a JOIN photos p ON p.id = a.photo_id"
            " JOIN tags t ON t.id = a.tag_id WHERE a.profile_id = ?{} ORDER BY p.id, t.name",
            "a.photo_id", profile, photo_ids)

    def tag_rows(self, profile: Profile) -> list[tuple]:
        """(photo id, tag, tagged at) for every assignment of the profile, in no order (no photo
        columns, no sort: a 100,000-photo history's history_rows took seconds)."""
        return self.database.execute(
            "SELECT a.photo_id, t.name, a.created_at FROM assignments a JOIN tags t ON t.id = a.tag_id"
            " WHERE a.profile_id = ?", (profile.id,)).fetchall()

    def rejection_rows(self, profile: Profile, photo_ids: Sequence[int] | None = None, *,
                       with_photo: bool = False) -> list[tuple]:
        """([photo id,] tag, taken at, lat, lon) for every rejection of the profile (or of these photos)."""
        rows = self._in_chunks(
            "SELECT r.photo_id, t.name, p.taken_at, p.gps_lat, p.gps_lon FROM rejections r"
            " JOIN tags t ON t.id = r.tag_id JOIN photos p ON p.id = r.photo_id WHERE r.profile_id = ?{}",
            "r.photo_id", profile, photo_ids)
        return rows if with_photo else [row[1:] for row in rows]

    def _in_chunks(self, sql: str, column: str, profile: Profile, photo_ids: Sequence[int] | None) -> list[tuple]:
        if photo_ids is None:
            return self.database.execute(sql.format(""), (profile.id,)).fetchall()
        ids, rows = list(photo_ids), []
        for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
            chunk = ids[start:start + 500]
            rows += self.database.execute(sql.format(f" AND {column} IN ({', '.join('?' * len(chunk))})"),
                                          (profile.id, *chunk)).fetchall()
        return rows

    def embedding_rows(self, encoder_id: str, content_hashes: Sequence[str]) -> tuple[list[int], np.ndarray]:
        """(positions in ``content_hashes`` that have a vector, their vectors): the embeddings'."""
        return self._embeddings.embedding_rows(encoder_id, content_hashes)

    def embeddings(self, encoder_id: str, content_hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """{content hash: vector} for those of ``content_hashes`` that have one: the embeddings'."""
        return self._embeddings.embeddings(encoder_id, content_hashes)

    def photo_tags(self, profile: Profile, photo_id: int) -> list[Assignment]:
        cursor = self.database.execute(
            "SELECT t.name, a.source, a.created_at, a.model_version, a.score"
            " FROM assignments a JOIN tags t ON t.id = a.tag_id"
            " WHERE a.profile_id = ? AND a.photo_id = ? ORDER BY t.name",
            (profile.id, photo_id),
        )
        return [Assignment(*r) for r in cursor]

    def others_tags(self, profile: Profile, photo_id: int) -> tuple[dict[str, int], int]:
        """What the library's other profiles tagged this photo: {tag: how many of them}, and how
        many other profiles tagged it at all."""
        counts = dict(self.database.execute(
            "SELECT t.name, COUNT(*) FROM assignments a JOIN tags t ON t.id = a.tag_id"
            " WHERE a.photo_id = ? AND a.profile_id != ? GROUP BY t.name", (photo_id, profile.id)).fetchall())
        taggers = self.database.execute(
            "SELECT COUNT(DISTINCT profile_id) FROM assignments WHERE photo_id = ? AND profile_id != ?",
            (photo_id, profile.id)).fetchone()[0]
        return counts, taggers

    def photo_faces(self, profile: Profile, photo_id: int) -> list[tuple]:
        return [(f.id, f.embedding, f.name, f.rejected) for f in self._faces.of_photos(profile, [photo_id])[photo_id]]

    def named_faces(self, profile: Profile) -> list[tuple[str, int, np.ndarray]]:
        return [(tag, photo_id, vector) for tag, _, photo_id, vector in self._faces.named(profile)]

    def listed_keywords(self, profile: Profile) -> list[str]:
        """Her imported keyword lists' keywords, categories left out (read again only after a change:
        the engine asks for every photo it suggests for)."""
        counter = self.database.scalar("SELECT n FROM change_counter WHERE id = 1")
        if self._listed[:2] != (profile.id, counter):
            self._listed = (profile.id, counter, [r[0] for r in self.database.execute(
                "SELECT t.name FROM vocabulary_keywords v JOIN tags t ON t.id = v.tag_id"
                " WHERE v.profile_id = ? AND v.category = 0 ORDER BY v.position", (profile.id,))])
        return self._listed[2]

    def photo_rejections(self, profile: Profile, photo_id: int) -> list[Rejection]:
        cursor = self.database.execute(
            "SELECT t.name, r.created_at, r.model_version, r.score"
            " FROM rejections r JOIN tags t ON t.id = r.tag_id"
            " WHERE r.profile_id = ? AND r.photo_id = ? ORDER BY t.name",
            (profile.id, photo_id),
        )
        return [Rejection(*r) for r in cursor]

    # -- whole histories: training, the vocabulary, the keyword tree ----------------------------
    def every_profiles_tags(self, *, rejected: bool = False) -> list[tuple[str, int, str]]:
        """(profile name, photo id, tag) for every profile's assignments, or its rejections."""
        table = "rejections" if rejected else "assignments"
        return self.database.execute(
            f"SELECT pr.name, x.photo_id, t.name FROM {table} x JOIN tags t ON t.id = x.tag_id"
            " JOIN profiles pr ON pr.id = x.profile_id").fetchall()

    def tags_by_photo(self, profile: Profile, *, rejected: bool = False) -> dict[int, list[str]]:
        """Every photo's tag names for the profile (its rejections with ``rejected``), sorted,
        in one query: what training reads for thousands of photos at once."""
        table = "rejections" if rejected else "assignments"
        out: dict[int, list[str]] = {}
        for photo_id, name in self.database.execute(
            f"SELECT x.photo_id, t.name FROM {table} x JOIN tags t ON t.id = x.tag_id"
            " WHERE x.profile_id = ? ORDER BY x.photo_id, t.name",
            (profile.id,),
        ):
            out.setdefault(photo_id, []).append(name)
        return out

    def vocabulary(self, profile: Profile) -> list[tuple[str, int]]:
        """The profile's tags with how many photos carry each, most used first."""
        cursor = self.database.execute(
            "SELECT t.name, COUNT(*) AS n FROM assignments a JOIN tags t ON t.id = a.tag_id"
            " WHERE a.profile_id = ? GROUP BY t.id ORDER BY n DESC, t.name",
            (profile.id,),
        )
        return [(r[0], r[1]) for r in cursor]

    def keyword_counts(self, profile: Profile) -> dict[str, int]:
        """Photos under each keyword of the profile, a parent counting the photos of all its
        children once each (Places: every photo with any place), for the keyword tree."""
        photos: dict[str, set[int]] = {}
        for photo_id, name in self.database.execute(
                "SELECT a.photo_id, t.name FROM assignments a JOIN tags t ON t.id = a.tag_id WHERE a.profile_id = ?",
                (profile.id,)):
            levels = name.split("|")
            for depth in range(1, len(levels) + 1):
                photos.setdefault("|".join(levels[:depth]), set()).add(photo_id)
        return {name: len(ids) for name, ids in photos.items()}

    # -- a selection in the app ----------------------------------------------------------------
    def selection_tags(self, profile: Profile, photo_ids: Sequence[int]) -> tuple[dict, dict]:
        """({tag: (source, on how many of the photos)}, {tag: rejected on how many}) for a
        selection, in two queries however many photos are selected."""
        tags: dict[str, tuple[str, int]] = {}
        for _, name, source in self._in_chunks(
                "SELECT a.photo_id, t.name, a.source FROM assignments a JOIN tags t ON t.id = a.tag_id"
                " WHERE a.profile_id = ?{}", "a.photo_id", profile, photo_ids):
            first_source, count = tags.get(name, (source, 0))
            tags[name] = (first_source, count + 1)
        rejected: dict[str, int] = {}
        for _, name, *_ in self.rejection_rows(profile, photo_ids, with_photo=True):
            rejected[name] = rejected.get(name, 0) + 1
        return tags, rejected

    def tag_counts(self, profile: Profile, photo_ids: Sequence[int]) -> dict[int, int]:
        """How many tags the profile gave each of these photos (0 included)."""
        counts = dict.fromkeys(photo_ids, 0)
        for photo_id, _ in self._in_chunks(
                "SELECT a.photo_id, a.tag_id FROM assignments a WHERE a.profile_id = ?{}", "a.photo_id", profile,
                photo_ids):
            counts[photo_id] += 1
        return counts
