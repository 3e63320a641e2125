"""The library's photos and folders: what a scan records of each file, and the views the app
and the CLI list them by (a folder, a month, a keyword, a search, a rating)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable

from ..paths import from_db_path, subtree_range, to_db_path
from ..records import GridRow, Photo, Profile
from .database import utc_now
from .repository import Repository

_PHOTO_COLUMNS = Photo.column_names()


def photo_from_row(row: dict) -> Photo:
    """A ``Photo`` of a ``SELECT * FROM photos`` row (paths decoded from the stored bytes);
    shared with the repositories whose reads return photos."""
    values = {name: row[name] for name in _PHOTO_COLUMNS}
    companion = from_db_path(row["companion"]) if row["companion"] is not None else None
    return Photo(path=from_db_path(row["path"]), id=row["id"], companion=companion, **values)


class Photos(Repository):
    # -- library folders ---------------------------------------------------------------
    def add_folder(self, path: str | os.PathLike) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO folders (path, added_at) VALUES (?, ?)",
                (to_db_path(path), utc_now()),
            )

    def folders(self) -> list[str]:
        return [from_db_path(r[0]) for r in self.database.execute("SELECT path FROM folders ORDER BY path")]

    # -- photos ------------------------------------------------------------------------
    def by_path(self, path: str | os.PathLike) -> Photo | None:
        """The photo stored under ``path``, or the RAW+JPEG pair whose JPEG it is."""
        raw = to_db_path(path)
        rows = self.database.query("SELECT * FROM photos WHERE path = ?", (raw,)) or self.database.query(
            "SELECT * FROM photos WHERE companion = ?", (raw,))
        return photo_from_row(rows[0]) if rows else None

    def get(self, photo_id: int) -> Photo | None:
        rows = self.database.query("SELECT * FROM photos WHERE id = ?", (photo_id,))
        return photo_from_row(rows[0]) if rows else None

    def with_hash(self, content_hash: str) -> list[Photo]:
        rows = self.database.query("SELECT * FROM photos WHERE content_hash = ?", (content_hash,))
        return [photo_from_row(r) for r in rows]

    def scan_index(self, root: str | os.PathLike) -> dict[bytes, tuple[int, int, int, str | None, str]]:
        """What a rescan needs to skip unchanged files under ``root``, in one query.

        Maps raw path -> (id, size, mtime_ns, sidecar_signature, status).
        """
        lo, hi = subtree_range(to_db_path(root))
        cursor = self.database.execute(
            "SELECT path, id, size, mtime_ns, sidecar_signature, status FROM photos"
            " WHERE path >= ? AND path < ?",
            (lo, hi),
        )
        return {row[0]: row[1:] for row in cursor}

    def save(self, photo: Photo) -> int:
        """Insert or update one photo's metadata (by id, else by path). The keywords its files
        hold reach the history through three-way sync (``KeywordSync.apply_plan``), not from here."""
        now = utc_now()
        raw = to_db_path(photo.path)
        values = {name: getattr(photo, name) for name in _PHOTO_COLUMNS}
        values["companion"] = to_db_path(photo.companion) if photo.companion else None
        with self.transaction() as conn:
            if photo.id is None:
                row = conn.execute("SELECT id FROM photos WHERE path = ?", (raw,)).fetchone()
                photo.id = row[0] if row else None
            if photo.id is None:
                columns = ["path", "folder", "added_at", "scanned_at", *values]
                cursor = conn.execute(
                    f"INSERT INTO photos ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' * len(columns))})",
                    (raw, os.path.dirname(raw), now, now, *values.values()),
                )
                photo.id = cursor.lastrowid
            else:
                assignments = ", ".join(f"{name} = ?" for name in values)
                conn.execute(
                    f"UPDATE photos SET path = ?, folder = ?, scanned_at = ?, {assignments} WHERE id = ?",
                    (raw, os.path.dirname(raw), now, *values.values(), photo.id),
                )
        return photo.id

    def set_status(self, photo_id: int, status: str, reason: str | None) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE photos SET status = ?, error = ? WHERE id = ?", (status, reason, photo_id))

    def mark_without_pixels(self, photo_id: int, note: str) -> None:
        """A RAW whose pixels turned out unreadable stays listed and taggable, with a note."""
        with self.transaction() as conn:
            conn.execute("UPDATE photos SET preview = 'none', status = 'warning', error = ? WHERE id = ?",
                         (note, photo_id))

    def mark_missing(self, photo_ids: Iterable[int]) -> int:
        ids = [(i,) for i in photo_ids]
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE photos SET status = 'missing', error = 'file not found at last scan'"
                " WHERE id = ?",
                ids,
            )
        return len(ids)

    def folder_counts(self) -> list[tuple[str, int]]:
        """Every folder that holds photos (subfolders included), with how many, in path order."""
        return [(from_db_path(folder), n) for folder, n in self.database.execute(
            "SELECT folder, COUNT(*) FROM photos GROUP BY folder ORDER BY folder")]

    def ratings_and_labels(self) -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
        """([(stars, photos with at least that many)], [(colour label, photos)]) of the library."""
        by_rating = dict(self.database.execute(
            "SELECT rating, COUNT(*) FROM photos WHERE rating IS NOT NULL GROUP BY rating").fetchall())
        at_least = [(stars, sum(n for r, n in by_rating.items() if r >= stars)) for stars in range(5, 0, -1)]
        labels = self.database.execute(
            "SELECT label, COUNT(*) FROM photos WHERE label IS NOT NULL GROUP BY label ORDER BY label").fetchall()
        rejected = [(-1, by_rating[-1])] if by_rating.get(-1) else []
        return [(s, n) for s, n in at_least if n] + rejected, [(label, n) for label, n in labels]

    def picked_count(self) -> int:
        """How many photos carry the pick flag (digiKam's accepted pick label)."""
        return self.database.scalar("SELECT COUNT(*) FROM photos WHERE pick = 3")

    def _photo_filter(self, profile: Profile, *, untagged=False, tag=None, problems=False, folder=None, date=None,
                      search=None, rating=None, label=None, pick=False):
        """SQL conditions (on photos as p) and their parameters for the library's views.
        ``rating``: at least that many stars (-1: the photos marked rejected); ``label`` in any
        case (Lightroom writes Red, a user types red); ``pick``: only the picked photos."""
        where: list[str] = ["1 = 1"]
        params: list = []
        if rating is not None:
            where.append("p.rating = -1" if rating < 0 else "p.rating >= ?")
            params += [] if rating < 0 else [rating]
        if label is not None:
            where.append("p.label = ? COLLATE NOCASE")
            params.append(label)
        if pick:
            where.append("p.pick = 3")
        for word in (search or "").split():  # every word must match a keyword, the file name, the date or camera
            like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(
                "(CAST(p.path AS TEXT) LIKE ? ESCAPE '\\' OR p.taken_at LIKE ? ESCAPE '\\'"
                " OR p.camera_make LIKE ? ESCAPE '\\' OR p.camera_model LIKE ? ESCAPE '\\' OR p.lens LIKE ? ESCAPE '\\'"
                " OR p.id IN (SELECT a.photo_id FROM assignments a JOIN tags t ON t.id = a.tag_id"
                " WHERE a.profile_id = ? AND t.name LIKE ? ESCAPE '\\'))")
            params += [like] * 5 + [profile.id, like]
        if untagged:
            where.append(
                "p.status IN ('ok', 'warning') AND NOT EXISTS (SELECT 1 FROM assignments a"
                " WHERE a.photo_id = p.id AND a.profile_id = ?)"
            )
            params.append(profile.id)
        if problems:
            where.append("p.status != 'ok'")
        if tag is not None:
            where.append(
                "p.id IN (SELECT a.photo_id FROM assignments a JOIN tags t ON t.id = a.tag_id"
                " WHERE a.profile_id = ? AND (t.name = ? OR t.name LIKE ? ESCAPE '\\'))"
            )
            escaped = tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [profile.id, tag, escaped + "|%"]  # a parent keyword matches its children
        if folder is not None:
            lo, hi = subtree_range(to_db_path(folder))
            where.append("p.path >= ? AND p.path < ?")
            params += [lo, hi]
        if date is not None:  # '2024' or '2024-05': a prefix of the ISO date taken
            where.append("substr(p.taken_at, 1, ?) = ?")
            params += [len(date), date]
        return " AND ".join(where), params

    def months(self) -> list[tuple[str, int]]:
        """('2024-05', number of photos) for every month photos were taken, newest first."""
        cursor = self.database.execute(
            "SELECT substr(taken_at, 1, 7) AS month, COUNT(*) FROM photos WHERE taken_at IS NOT NULL"
            " GROUP BY month ORDER BY month DESC"
        )
        return [(m, n) for m, n in cursor]

    def list_photos(
        self,
        profile: Profile,
        *,
        untagged: bool = False,
        tag: str | None = None,
        problems: bool = False,
        folder: str | None = None,
        date: str | None = None,
        search: str | None = None,
        rating: int | None = None,
        label: str | None = None,
        pick: bool = False,
        limit: int | None = None,
    ) -> list[tuple[Photo, list[str]]]:
        """Photos with the tags this profile gave each, in path order."""
        where, params = self._photo_filter(profile, untagged=untagged, tag=tag, problems=problems, folder=folder,
                                           date=date, search=search, rating=rating, label=label, pick=pick)
        sql = (
            "SELECT p.*, (SELECT json_group_array(t.name) FROM assignments a"
            " JOIN tags t ON t.id = a.tag_id WHERE a.photo_id = p.id AND a.profile_id = ?) AS tag_names"
            f" FROM photos p WHERE {where} ORDER BY p.path"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            (photo_from_row(r), sorted(json.loads(r["tag_names"])))
            for r in self.database.rows(sql, [profile.id, *params])  # streamed, not a list of dicts first
        ]

    def grid_rows(self, profile: Profile, **view) -> list[GridRow]:
        """What a thumbnail grid shows of each photo (in path order): a lean row, not a Photo,
        so a 100,000-photo library loads in a fraction of the time and memory."""
        where, params = self._photo_filter(profile, **view)
        cursor = self.database.execute(
            "SELECT p.id, p.path, p.content_hash, p.orientation, p.status, p.error,"
            " (SELECT COUNT(*) FROM assignments a WHERE a.photo_id = p.id AND a.profile_id = ?), p.companion"
            f" FROM photos p WHERE {where} ORDER BY p.path",
            [profile.id, *params],
        )
        return [GridRow(i, from_db_path(path), h, o, st, e, n, from_db_path(companion or path))
                for i, path, h, o, st, e, n, companion in cursor]

    # -- a RAW and its JPEG become one photo ------------------------------------------------
    def absorb(self, keep_id: int, absorbed_id: int) -> None:
        """Make two photos one (a RAW and its JPEG, scanned apart before): every profile's
        tags, rejections and removals of ``absorbed_id`` join ``keep_id``, which then stands
        for both files. Where both hold a tag, the earlier one is kept."""
        with self.transaction() as conn:
            for table in ("assignments", "rejections", "tag_removals", "file_keywords"):
                columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in ("id", "photo_id")]
                listed = ", ".join(columns)
                conn.execute(f"INSERT OR IGNORE INTO {table} (photo_id, {listed})"
                             f" SELECT ?, {listed} FROM {table} WHERE photo_id = ?", (keep_id, absorbed_id))
            # A tag given to either file is no longer waiting to be removed from the pair.
            conn.execute("DELETE FROM tag_removals WHERE photo_id = ? AND EXISTS (SELECT 1 FROM assignments a"
                         " WHERE a.photo_id = tag_removals.photo_id AND a.profile_id = tag_removals.profile_id"
                         " AND a.tag_id = tag_removals.tag_id)", (keep_id,))
            conn.execute("UPDATE export_files SET photo_id = ? WHERE photo_id = ?", (keep_id, absorbed_id))
            bases = {}
            for (value,) in conn.execute("SELECT file_bases FROM photos WHERE id IN (?, ?) AND file_bases IS NOT NULL"
                                         " ORDER BY id = ?", (keep_id, absorbed_id, keep_id)):
                bases.update(json.loads(value))  # the kept photo's last, so it wins
            conn.execute("UPDATE photos SET file_bases = ? WHERE id = ?",
                         (json.dumps(bases, sort_keys=True) if bases else None, keep_id))
            conn.execute("DELETE FROM photos WHERE id = ?", (absorbed_id,))

    # -- what training reads of the photos ------------------------------------------------
    def readable_rows(self) -> dict[int, dict]:
        """id -> content hash, taken at, focal length and position of every photo with pixels."""
        return {r["id"]: r for r in self.database.query(
            "SELECT id, content_hash, taken_at, focal_length, gps_lat, gps_lon FROM photos"
            " WHERE status IN ('ok', 'warning')")}

    def tagged_with_embedding(self, profile: Profile, encoder_id: str) -> list[Photo]:
        """The profile's tagged photos with pixels and an embedding from ``encoder_id``, oldest first."""
        rows = self.database.query(
            "SELECT p.* FROM photos p WHERE p.status IN ('ok', 'warning')"
            " AND EXISTS (SELECT 1 FROM assignments a WHERE a.photo_id = p.id AND a.profile_id = ?)"
            " AND EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = p.content_hash AND e.encoder_id = ?)",
            (profile.id, encoder_id),
        )
        photos = [photo_from_row(r) for r in rows]
        photos.sort(key=lambda p: (p.taken_at or "", p.id))
        return photos
