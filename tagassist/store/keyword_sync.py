"""The store's side of three-way keyword sync: the base (what the photo's files hold, as last
read or written) and each profile's removals still to be written to the files.

The decisions are made in ``tagassist.library.sync`` (pure functions); this repository reads
the state they need and applies their plans, each plan in one transaction. A keyword the
files hold under an alias becomes the keyword, so it receives the aliases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..records import Profile, Removal, SyncState, normalise_tag
from .aliases import Aliases
from .database import Database, utc_now
from .repository import Repository
from .tags import TagVocabulary


class KeywordSync(Repository):
    def __init__(self, database: Database, tags: TagVocabulary, aliases: Aliases):
        super().__init__(database)
        self._tags, self._aliases = tags, aliases

    # -- the base and each profile's side --------------------------------------------------
    def state(self, photo_id: int) -> SyncState:
        db = self.database
        base = frozenset(r[0] for r in db.execute(
            "SELECT t.name FROM file_keywords k JOIN tags t ON t.id = k.tag_id WHERE k.photo_id = ?", (photo_id,)))
        assigned: dict[int, dict[str, str]] = {}
        for pid, name, at, source in db.execute(
                "SELECT a.profile_id, t.name, a.created_at, a.source FROM assignments a"
                " JOIN tags t ON t.id = a.tag_id WHERE a.photo_id = ?", (photo_id,)):
            assigned.setdefault(pid, {})[name] = None if source == "imported" else at
        removed: dict[int, dict] = {}
        for pid, name, at, pending in db.execute(
                "SELECT r.profile_id, t.name, r.removed_at, r.pending FROM tag_removals r"
                " JOIN tags t ON t.id = r.tag_id WHERE r.photo_id = ?", (photo_id,)):
            removed.setdefault(pid, {})[name] = Removal(at, bool(pending))
        rejected: dict[int, dict[str, str]] = {}
        for pid, name, at in db.execute(
                "SELECT r.profile_id, t.name, r.created_at FROM rejections r JOIN tags t ON t.id = r.tag_id"
                " WHERE r.photo_id = ?", (photo_id,)):
            rejected.setdefault(pid, {})[name] = at
        (bases,) = db.execute("SELECT file_bases FROM photos WHERE id = ?", (photo_id,)).fetchone() or (None,)
        file_bases = None if bases is None else {name: frozenset(tags) for name, tags in json.loads(bases).items()}
        return SyncState(base, assigned, removed, rejected, file_bases)

    def apply_plan(self, photo_id: int, plan) -> None:
        """Apply a ``SyncPlan``: imports, removals by another tool, and the new base."""
        now = utc_now()
        with self.transaction() as conn:
            for pid, tag in plan.imports:
                (tag_id,) = self._tags.ids([tag])
                conn.execute(
                    "INSERT OR IGNORE INTO assignments (profile_id, photo_id, tag_id, source, created_at)"
                    " VALUES (?, ?, ?, 'imported', ?)", (pid, photo_id, tag_id, now))
                conn.execute("DELETE FROM rejections WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
                             (pid, photo_id, tag_id))
                conn.execute("DELETE FROM tag_removals WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
                             (pid, photo_id, tag_id))
            for pid, tag in plan.dropped:
                (tag_id,) = self._tags.ids([tag])
                conn.execute("DELETE FROM assignments WHERE profile_id = ? AND photo_id = ? AND tag_id = ?",
                             (pid, photo_id, tag_id))
                conn.execute(
                    "INSERT OR REPLACE INTO tag_removals (profile_id, photo_id, tag_id, removed_at, origin, pending)"
                    " VALUES (?, ?, ?, ?, 'file', 0)", (pid, photo_id, tag_id, now))
            for pid, tag in plan.superseded:
                conn.execute(
                    "UPDATE tag_removals SET pending = 0 WHERE profile_id = ? AND photo_id = ?"
                    " AND tag_id = (SELECT id FROM tags WHERE name = ?)", (pid, photo_id, tag))
            self.set_base_keywords(photo_id, plan.base)
            for pid in {pid for pid, _ in plan.imports}:  # imported under an alias: becomes the keyword
                aliases = {alias.lower() for alias in self._aliases.of(Profile(pid, ""))}
                if aliases and any(tag.lower() in aliases for p, tag in plan.imports if p == pid):
                    self._aliases.fold(Profile(pid, ""))

    def set_base_keywords(self, photo_id: int, names: Iterable[str]) -> None:
        """What the photo's files hold, as just read or written."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM file_keywords WHERE photo_id = ?", (photo_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO file_keywords (photo_id, tag_id) VALUES (?, ?)",
                [(photo_id, tag_id) for tag_id in self._tags.ids(names)],
            )

    def set_file_bases(self, photo_id: int, by_file: dict[str, Iterable[str]]) -> None:
        """What each of the photo's files (by name in its folder) holds, as just read or written."""
        value = json.dumps({name: sorted(set(tags)) for name, tags in by_file.items()}, sort_keys=True)
        with self.transaction() as conn:
            conn.execute("UPDATE photos SET file_bases = ? WHERE id = ?", (value, photo_id))

    def set_file_base(self, photo_id: int, name: str, tags: Iterable[str] | None) -> None:
        """What one of the photo's files holds, as tagassist just learnt (None: never read);
        the others' are kept."""
        with self.transaction() as conn:
            (value,) = conn.execute("SELECT file_bases FROM photos WHERE id = ?", (photo_id,)).fetchone()
            bases = json.loads(value) if value else {}
            if tags is None:
                bases.pop(name, None)
            else:
                bases[name] = sorted(set(tags))
            conn.execute("UPDATE photos SET file_bases = ? WHERE id = ?", (json.dumps(bases, sort_keys=True), photo_id))

    def file_keywords(self, photo_id: int) -> list[str]:
        """The base: the keywords the photo's files hold, sorted."""
        cursor = self.database.execute(
            "SELECT t.name FROM file_keywords k JOIN tags t ON t.id = k.tag_id"
            " WHERE k.photo_id = ? ORDER BY t.name",
            (photo_id,),
        )
        return [r[0] for r in cursor]

    def in_base(self, photo_id: int, tag_ids: Iterable[int]) -> list[int]:
        """Those of the tags that the photo's files hold (as last read or written)."""
        return [t for t in tag_ids if self.database.execute(
            "SELECT 1 FROM file_keywords WHERE photo_id = ? AND tag_id = ?", (photo_id, t)).fetchone()]

    # -- removals ------------------------------------------------------------------------------
    def record_removals(self, profile: Profile, photo_id: int, tag_ids: Sequence[int], now: str) -> None:
        """Remember a removal made in tagassist, so the next export removes it from the files.
        Inside the caller's transaction."""
        self.database.conn.executemany(
            "INSERT OR REPLACE INTO tag_removals (profile_id, photo_id, tag_id, removed_at, origin, pending)"
            " VALUES (?, ?, ?, ?, 'tagassist', 1)",
            [(profile.id, photo_id, tag_id, now) for tag_id in tag_ids],
        )

    def mark_removals_written(self, profile: Profile, photo_id: int, names: Iterable[str]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE tag_removals SET pending = 0 WHERE profile_id = ? AND photo_id = ?"
                " AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [(profile.id, photo_id, normalise_tag(n)) for n in names],
            )

    def mark_removals_pending(self, profile: Profile, photo_id: int, names: Iterable[str]) -> None:
        """An undone export: its removals are to be written again by the next export."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE tag_removals SET pending = 1 WHERE profile_id = ? AND photo_id = ? AND origin = 'tagassist'"
                " AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [(profile.id, photo_id, normalise_tag(n)) for n in names],
            )

    def removal_history(self, profile: Profile, photo_id: int) -> list[dict]:
        """Keywords removed from this photo: by the photographer in tagassist, or in another tool."""
        return self.database.query(
            "SELECT t.name AS tag, r.removed_at AS time, r.origin, r.pending FROM tag_removals r"
            " JOIN tags t ON t.id = r.tag_id WHERE r.profile_id = ? AND r.photo_id = ? ORDER BY t.name",
            (profile.id, photo_id),
        )
