"""The photographer's edits to her history: tags given, taken off and rejected, and the exact
snapshot and restore of (photo, tag) pairs that every undo is built on.

A removal is remembered for the files (the sync repository's removals) and a tag given under
an alias becomes its keyword, so it receives both; each call is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..records import SOURCES, Profile, normalise_tag
from .aliases import Aliases
from .database import Database, utc_now
from .keyword_sync import KeywordSync
from .repository import Repository
from .tags import TagVocabulary


class Tagging(Repository):
    def __init__(self, database: Database, tags: TagVocabulary, aliases: Aliases, sync: KeywordSync):
        super().__init__(database)
        self._tags, self._aliases, self._sync = tags, aliases, sync

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
            tag_ids = self._tags.ids(self._aliases.canonical_names(profile, names))  # typed 'auto' is 'car', its alias
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
            tag_ids = self._tags.existing_ids(names)
            for photo_id in photo_ids:
                removed += len(self._unassign(conn, profile, photo_id, tag_ids, now))
        return removed

    def _unassign(self, conn, profile: Profile, photo_id: int, tag_ids: Sequence[int], now: str) -> list[int]:
        """Take the tags off the photo; each one it had, or its files hold, is a removal the next
        export writes. Returns the tags it had."""
        gone = [t for t in tag_ids if conn.execute(
            "DELETE FROM assignments WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
            (profile.id, photo_id, t)).rowcount]
        in_files = self._sync.in_base(photo_id, set(tag_ids) - set(gone))
        self._sync.record_removals(profile, photo_id, gone + in_files, now)
        return gone

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
            tag_ids = self._tags.ids(names)
            for photo_id in photo_ids:
                self._unassign(conn, profile, photo_id, tag_ids, now)  # a rejected tag is removed too
                for tag_id in tag_ids:
                    rejected += conn.execute(
                        "INSERT OR REPLACE INTO rejections"
                        " (profile_id, photo_id, tag_id, created_at, model_version, score)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (profile.id, photo_id, tag_id, now, model_version, score),
                    ).rowcount
        return rejected

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
                (tag_id,) = self._tags.ids([name])
                key = (profile.id, photo_id, tag_id)
                for table in ("assignments", "rejections", "tag_removals"):
                    conn.execute(f"DELETE FROM {table} WHERE profile_id = ? AND photo_id = ? AND tag_id = ?", key)
                if not assigned and not removal and not was_in_base and self._sync.in_base(photo_id, [tag_id]):
                    removal = (utc_now(), "tagassist", 1)
                if removal:
                    conn.execute("INSERT INTO tag_removals (profile_id, photo_id, tag_id, removed_at, origin, pending)"
                                 " VALUES (?, ?, ?, ?, ?, ?)", (*key, *removal))
                if assigned:
                    conn.execute(
                        "INSERT INTO assignments (profile_id, photo_id, tag_id, source, created_at, model_version,"
                        " score) VALUES (?, ?, ?, ?, ?, ?, ?)", (*key, *assigned))
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
            self._aliases.fold(profile)  # a keyword the files hold under an alias becomes the keyword
            return added
