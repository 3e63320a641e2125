"""Bulk reads of a tagging history, in the shapes the engine and the trainer build their arrays
from: one query each, streamed, never one query per photo."""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Photo, Profile


class HistoryReads:
    """Mixed into Store: needs ``self.database`` and ``self._photo_from_row``."""

    def history_rows(self, profile: Profile, photo_ids: Sequence[int] | None = None) -> list[tuple]:
        """(photo id, content hash, taken at, lat, lon, camera make, camera model, tag, tagged at)
        for every assignment of the profile (or of these photos), by photo then tag."""
        return self._in_chunks(
            "SELECT p.id, p.content_hash, p.taken_at, p.gps_lat, p.gps_lon, p.camera_make, p.camera_model,"
            " t.name, a.created_at FROM assignments a JOIN photos p ON p.id = a.photo_id"
            " JOIN tags t ON t.id = a.tag_id WHERE a.profile_id = ?{} ORDER BY p.id, t.name",
            "a.photo_id", profile, photo_ids)

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

    def readable_photo_rows(self) -> dict[int, dict]:
        """id -> content hash, taken at, focal length and position of every photo with pixels."""
        return {r["id"]: r for r in self.database.query(
            "SELECT id, content_hash, taken_at, focal_length, gps_lat, gps_lon FROM photos"
            " WHERE status IN ('ok', 'warning')")}

    def every_profiles_tags(self, *, rejected: bool = False) -> list[tuple[str, int, str]]:
        """(profile name, photo id, tag) for every profile's assignments, or its rejections."""
        table = "rejections" if rejected else "assignments"
        return self.database.execute(
            f"SELECT pr.name, x.photo_id, t.name FROM {table} x JOIN tags t ON t.id = x.tag_id"
            " JOIN profiles pr ON pr.id = x.profile_id").fetchall()

    def embedded_tagged_photos(self, profile: Profile, encoder_id: str) -> list[Photo]:
        """The profile's tagged photos with pixels and an embedding from ``encoder_id``, oldest first."""
        rows = self.database.query(
            "SELECT p.* FROM photos p WHERE p.status IN ('ok', 'warning')"
            " AND EXISTS (SELECT 1 FROM assignments a WHERE a.photo_id = p.id AND a.profile_id = ?)"
            " AND EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = p.content_hash AND e.encoder_id = ?)",
            (profile.id, encoder_id),
        )
        photos = [self._photo_from_row(r) for r in rows]
        photos.sort(key=lambda p: (p.taken_at or "", p.id))
        return photos

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
