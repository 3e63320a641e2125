"""The library store: profiles, photos, tags, tagging history, embeddings, models.

Every public method that writes more than one row runs inside one transaction, so a process
killed at any moment leaves the database as it was before or after the call.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence


from ..paths import from_db_path, subtree_range, to_db_path
from .database import Database, utc_now
from .embedding_table import EmbeddingTable
from .history_reads import HistoryReads
from .keyword_edits import KeywordEdits
from .keyword_sync import KeywordSyncTables
from .changes import Changes
from .marks import PhotoMarks
from .model_registry import ModelRegistry
from ..records import SOURCES, Assignment, GridRow, Photo, Profile, Rejection, normalise_tag

DEFAULT_PROFILE = "default"
ACTIVE_ENCODER = "active_encoder"  # the settings key; read and written only through the methods below
_PHOTO_COLUMNS = Photo.column_names()


class UnknownProfile(LookupError):
    pass


class Store(KeywordSyncTables, KeywordEdits, HistoryReads, EmbeddingTable, ModelRegistry):
    def __init__(self, path: str | os.PathLike[str]):
        self.database = Database(path)
        self.path = self.database.path
        self.marks = PhotoMarks(self.database)
        self.changes = Changes(self.database)  # what derived state (the engine's cache) is keyed by
        self.profile(DEFAULT_PROFILE)  # first run: every library has a default photographer

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        return self.database.transaction()

    def integrity_problems(self) -> list[str]:
        return self.database.integrity_problems()

    @property
    def schema_version(self) -> int:
        return self.database.schema_version

    # -- profiles ----------------------------------------------------------------------
    def profile(self, name: str | None = None, *, create: bool = True) -> Profile:
        """The named profile (default: 'default'); created on first use unless create=False."""
        name = (name or DEFAULT_PROFILE).strip()
        if not name:
            raise ValueError("a profile name cannot be empty")
        row = self.database.execute("SELECT id, name FROM profiles WHERE name = ?", (name,)).fetchone()
        if row:
            return Profile(*row)
        if not create:
            known = ", ".join(p.name for p in self.profiles()) or "none yet"
            raise UnknownProfile(f"no profile named {name!r} (known: {known})")
        with self.transaction() as conn:  # OR IGNORE: another process may create it at the same moment
            conn.execute("INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)", (name, utc_now()))
            row = conn.execute("SELECT id, name FROM profiles WHERE name = ?", (name,)).fetchone()
        return Profile(*row)

    def profiles(self) -> list[Profile]:
        return [Profile(*r) for r in self.database.execute("SELECT id, name FROM profiles ORDER BY id")]

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
    def _photo_from_row(self, row: dict) -> Photo:
        values = {name: row[name] for name in _PHOTO_COLUMNS}
        companion = from_db_path(row["companion"]) if row["companion"] is not None else None
        return Photo(path=from_db_path(row["path"]), id=row["id"], companion=companion, **values)

    def photo_by_path(self, path: str | os.PathLike) -> Photo | None:
        """The photo stored under ``path``, or the RAW+JPEG pair whose JPEG it is."""
        raw = to_db_path(path)
        rows = self.database.query("SELECT * FROM photos WHERE path = ?", (raw,)) or self.database.query(
            "SELECT * FROM photos WHERE companion = ?", (raw,))
        return self._photo_from_row(rows[0]) if rows else None

    def photo(self, photo_id: int) -> Photo | None:
        rows = self.database.query("SELECT * FROM photos WHERE id = ?", (photo_id,))
        return self._photo_from_row(rows[0]) if rows else None

    def photos_with_hash(self, content_hash: str) -> list[Photo]:
        rows = self.database.query("SELECT * FROM photos WHERE content_hash = ?", (content_hash,))
        return [self._photo_from_row(r) for r in rows]

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

    def save_photo(self, photo: Photo) -> int:
        """Insert or update one photo's metadata (by id, else by path). The keywords its files
        hold reach the history through three-way sync (``apply_sync_plan``), not from here."""
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

    def file_keywords(self, photo_id: int) -> list[str]:
        cursor = self.database.execute(
            "SELECT t.name FROM file_keywords k JOIN tags t ON t.id = k.tag_id"
            " WHERE k.photo_id = ? ORDER BY t.name",
            (photo_id,),
        )
        return [r[0] for r in cursor]

    def set_photo_status(self, photo_id: int, status: str, reason: str | None) -> None:
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

    def photo_folders(self) -> list[tuple[str, int]]:
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

    def _photo_filter(self, profile: Profile, *, untagged=False, tag=None, problems=False, folder=None, date=None,
                      search=None, rating=None, label=None):
        """SQL conditions (on photos as p) and their parameters for the library's views.
        ``rating``: at least that many stars (-1: the photos marked rejected)."""
        where: list[str] = ["1 = 1"]
        params: list = []
        if rating is not None:
            where.append("p.rating = -1" if rating < 0 else "p.rating >= ?")
            params += [] if rating < 0 else [rating]
        if label is not None:
            where.append("p.label = ?")
            params.append(label)
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
        limit: int | None = None,
    ) -> list[tuple[Photo, list[str]]]:
        """Photos with the tags this profile gave each, in path order."""
        where, params = self._photo_filter(profile, untagged=untagged, tag=tag, problems=problems, folder=folder,
                                           date=date, search=search, rating=rating, label=label)
        sql = (
            "SELECT p.*, (SELECT json_group_array(t.name) FROM assignments a"
            " JOIN tags t ON t.id = a.tag_id WHERE a.photo_id = p.id AND a.profile_id = ?) AS tag_names"
            f" FROM photos p WHERE {where} ORDER BY p.path"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            (self._photo_from_row(r), sorted(json.loads(r["tag_names"])))
            for r in self.database.db.query(sql, [profile.id, *params])  # streamed, not a list of dicts first
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

    # -- tags and history --------------------------------------------------------------
    def _tag_ids(self, names: Iterable[str]) -> list[int]:
        """Ids of the named tags, creating missing ones. Call inside a transaction."""
        conn = self.database.conn
        ids = []
        for name in dict.fromkeys(normalise_tag(n) for n in names):
            if not name:
                continue
            conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
            ids.append(conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0])
        return ids

    def add_tags(
        self,
        profile: Profile,
        photo_ids: Sequence[int],
        names: Iterable[str],
        source: str,
        *,
        model_version: str | None = None,
        score: float | None = None,
    ) -> int:
        """Assign tags to photos; an assigned tag is no longer rejected. Returns rows added."""
        if source not in SOURCES:
            raise ValueError(f"unknown tag source {source!r}")
        now = utc_now()
        added = 0
        with self.transaction() as conn:
            tag_ids = self._tag_ids(self.canonical_names(profile, names))  # typed 'auto' is 'car', its alias
            for photo_id in photo_ids:
                for tag_id in tag_ids:
                    inserted = conn.execute(
                        "INSERT OR IGNORE INTO assignments"
                        " (profile_id, photo_id, tag_id, source, created_at, model_version, score)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (profile.id, photo_id, tag_id, source, now, model_version, score),
                    ).rowcount
                    if not inserted:  # tagged again: a newer statement than a removal in another tool since
                        conn.execute("UPDATE assignments SET created_at = ?, source = ? WHERE profile_id = ?"
                                     " AND photo_id = ? AND tag_id = ?", (now, source, profile.id, photo_id, tag_id))
                    added += inserted
                    for table in ("rejections", "tag_removals"):
                        conn.execute(
                            f"DELETE FROM {table} WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
                            (profile.id, photo_id, tag_id),
                        )
        return added

    def remove_tags(self, profile: Profile, photo_ids: Sequence[int], names: Iterable[str]) -> int:
        """Unassign tags; each removal is remembered so the next export removes it from the files."""
        removed, now = 0, utc_now()
        with self.transaction() as conn:
            tag_ids = self._existing_tag_ids(names)
            for photo_id in photo_ids:
                gone = [t for t in tag_ids if conn.execute(
                    "DELETE FROM assignments WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
                    (profile.id, photo_id, t)).rowcount]
                self._record_removals(profile, photo_id, gone + self._in_base(photo_id, set(tag_ids) - set(gone)), now)
                removed += len(gone)
        return removed

    def _in_base(self, photo_id: int, tag_ids: Iterable[int]) -> list[int]:
        """Those of the tags that the photo's files hold (as last read or written)."""
        return [t for t in tag_ids if self.database.execute(
            "SELECT 1 FROM file_keywords WHERE photo_id = ? AND tag_id = ?", (photo_id, t)).fetchone()]

    def reject_tags(
        self,
        profile: Profile,
        photo_ids: Sequence[int],
        names: Iterable[str],
        *,
        model_version: str | None = None,
        score: float | None = None,
    ) -> int:
        """Record that these tags are wrong for these photos (and unassign them)."""
        now = utc_now()
        rejected = 0
        with self.transaction() as conn:
            tag_ids = self._tag_ids(names)
            for photo_id in photo_ids:
                # A rejected tag that was assigned, or that the files hold, is a removal too.
                unassigned = [t for t in tag_ids if conn.execute(
                    "DELETE FROM assignments WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
                    (profile.id, photo_id, t)).rowcount]
                self._record_removals(profile, photo_id,
                                      unassigned + self._in_base(photo_id, set(tag_ids) - set(unassigned)), now)
                for tag_id in tag_ids:
                    rejected += conn.execute(
                        "INSERT OR REPLACE INTO rejections"
                        " (profile_id, photo_id, tag_id, created_at, model_version, score)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (profile.id, photo_id, tag_id, now, model_version, score),
                    ).rowcount
        return rejected

    def _existing_tag_ids(self, names: Iterable[str]) -> list[int]:
        ids = []
        for name in names:
            row = self.database.execute(
                "SELECT id FROM tags WHERE name = ?", (normalise_tag(name),)
            ).fetchone()
            if row:
                ids.append(row[0])
        return ids

    def tag_state(self, profile: Profile, photo_ids: Sequence[int], names: Iterable[str]) -> list[tuple]:
        """A snapshot of these (photo, tag) pairs, for exact undo: each entry is (photo_id, tag,
        assignment row or None, rejection row or None, removal row or None, whether the
        photo's files held the tag)."""
        state = []
        for name in dict.fromkeys(map(normalise_tag, names)):
            for photo_id in photo_ids:
                assigned = self.database.execute(
                    "SELECT a.source, a.created_at, a.model_version, a.score FROM assignments a"
                    " JOIN tags t ON t.id = a.tag_id WHERE a.profile_id = ? AND a.photo_id = ? AND t.name = ?",
                    (profile.id, photo_id, name),
                ).fetchone()
                rejected = self.database.execute(
                    "SELECT r.created_at, r.model_version, r.score FROM rejections r"
                    " JOIN tags t ON t.id = r.tag_id WHERE r.profile_id = ? AND r.photo_id = ? AND t.name = ?",
                    (profile.id, photo_id, name),
                ).fetchone()
                removal = self.database.execute(
                    "SELECT r.removed_at, r.origin, r.pending FROM tag_removals r"
                    " JOIN tags t ON t.id = r.tag_id WHERE r.profile_id = ? AND r.photo_id = ? AND t.name = ?",
                    (profile.id, photo_id, name),
                ).fetchone()
                in_base = self.database.execute(
                    "SELECT 1 FROM file_keywords k JOIN tags t ON t.id = k.tag_id WHERE k.photo_id = ? AND t.name = ?",
                    (photo_id, name)).fetchone() is not None
                state.append((photo_id, name, assigned, rejected, removal, in_base))
        return state

    def restore_tag_state(self, profile: Profile, state: list[tuple]) -> None:
        """Put the pairs back as ``tag_state`` saw them. A tag given since and already written
        into the photo's files is also removed from them at the next export: without that, the
        files would keep it and the next scan would bring it back."""
        with self.transaction() as conn:
            for photo_id, name, assigned, rejected, removal, was_in_base in state:
                (tag_id,) = self._tag_ids([name])
                key = (profile.id, photo_id, tag_id)
                for table in ("assignments", "rejections", "tag_removals"):
                    conn.execute(f"DELETE FROM {table} WHERE profile_id = ? AND photo_id = ? AND tag_id = ?", key)
                if not assigned and not removal and not was_in_base and self._in_base(photo_id, [tag_id]):
                    removal = (utc_now(), "tagassist", 1)
                if removal:
                    conn.execute("INSERT INTO tag_removals (profile_id, photo_id, tag_id, removed_at, origin, pending)"
                                 " VALUES (?, ?, ?, ?, ?, ?)", (*key, *removal))
                if assigned:
                    conn.execute(
                        "INSERT INTO assignments (profile_id, photo_id, tag_id, source, created_at, model_version, score)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)", (*key, *assigned))
                if rejected:
                    conn.execute(
                        "INSERT INTO rejections (profile_id, photo_id, tag_id, created_at, model_version, score)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (*key, *rejected))

    def import_file_keywords(self, profile: Profile, photo_ids: Sequence[int] | None = None) -> int:
        """Make the keywords files hold part of this profile's history (source 'imported').

        Tags the profile rejected or removed on a photo stay out. Returns assignments added.
        """
        sql = (
            "INSERT OR IGNORE INTO assignments (profile_id, photo_id, tag_id, source, created_at)"
            " SELECT ?, k.photo_id, k.tag_id, 'imported', ? FROM file_keywords k"
            " WHERE NOT EXISTS (SELECT 1 FROM rejections r WHERE r.profile_id = ?"
            " AND r.photo_id = k.photo_id AND r.tag_id = k.tag_id)"
            " AND NOT EXISTS (SELECT 1 FROM tag_removals r WHERE r.profile_id = ?"
            " AND r.photo_id = k.photo_id AND r.tag_id = k.tag_id)"
        )
        params: list = [profile.id, utc_now(), profile.id, profile.id]
        with self.transaction() as conn:
            if photo_ids is None:
                added = conn.execute(sql, params).rowcount
            else:
                added = sum(conn.execute(sql + " AND k.photo_id = ?", [*params, photo_id]).rowcount
                            for photo_id in photo_ids)
            self.fold_aliases(profile)  # a keyword the files hold under an alias becomes the keyword
            return added

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

    def photo_rejections(self, profile: Profile, photo_id: int) -> list[Rejection]:
        cursor = self.database.execute(
            "SELECT t.name, r.created_at, r.model_version, r.score"
            " FROM rejections r JOIN tags t ON t.id = r.tag_id"
            " WHERE r.profile_id = ? AND r.photo_id = ? ORDER BY t.name",
            (profile.id, photo_id),
        )
        return [Rejection(*r) for r in cursor]

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

    # -- settings ----------------------------------------------------------------------
    def active_encoder(self) -> str | None:
        """The encoder whose embeddings the library's suggestions use (set by the index)."""
        return self.setting(ACTIVE_ENCODER)

    def set_active_encoder(self, encoder_id: str) -> None:
        self.set_setting(ACTIVE_ENCODER, encoder_id)

    def setting(self, key: str, default: str | None = None) -> str | None:
        value = self.database.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else value

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def absorb_photo(self, keep_id: int, absorbed_id: int) -> None:
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

    # -- summaries ---------------------------------------------------------------------
    def stats(self, profile: Profile) -> dict:
        db = self.database
        by_status = dict(db.execute("SELECT status, COUNT(*) FROM photos GROUP BY status").fetchall())
        by_source = dict(
            db.execute(
                "SELECT source, COUNT(*) FROM assignments WHERE profile_id = ? GROUP BY source",
                (profile.id,),
            ).fetchall()
        )
        return {
            "database": str(self.path),
            "schema_version": db.schema_version,
            "profile": profile.name,
            "profiles": [p.name for p in self.profiles()],
            "folders": len(self.folders()),
            "photos": sum(by_status.values()),
            "photos_by_status": {s: by_status.get(s, 0) for s in ("ok", "warning", "error", "missing")},
            "tagged_photos": db.scalar(
                "SELECT COUNT(DISTINCT photo_id) FROM assignments WHERE profile_id = ?", (profile.id,)
            ),
            "tags_in_vocabulary": db.scalar(
                "SELECT COUNT(DISTINCT tag_id) FROM assignments WHERE profile_id = ?", (profile.id,)
            ),
            "assignments": sum(by_source.values()),
            "assignments_by_source": {s: by_source.get(s, 0) for s in SOURCES},
            "rejections": db.scalar("SELECT COUNT(*) FROM rejections WHERE profile_id = ?", (profile.id,)),
            "embeddings": db.scalar("SELECT COUNT(*) FROM embeddings"),
            "models": db.scalar("SELECT COUNT(*) FROM models"),
        }
