"""Keyword aliases: other names of a profile's keyword ('auto' for 'car'). A tag typed or
imported under an alias becomes the keyword, so one place decides what a name stands for.

Folding moves every photo from one keyword to another (``move_keyword``); the keyword
manager's rename and merge move keywords the same way, so it lives here, below both.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..records import Profile, normalise_tag
from .database import Database, utc_now
from .repository import Repository
from .tags import TagVocabulary


class Aliases(Repository):
    def __init__(self, database: Database, tags: TagVocabulary):
        super().__init__(database)
        self._tags = tags

    def of(self, profile: Profile) -> dict[str, str]:
        """alias -> the keyword it stands for."""
        return {alias: name for alias, name in self.database.execute(
            "SELECT k.alias, t.name FROM keyword_aliases k JOIN tags t ON t.id = k.tag_id WHERE k.profile_id = ?"
            " ORDER BY k.alias", (profile.id,))}

    def canonical_names(self, profile: Profile, names: Iterable[str]) -> list[str]:
        """Each name, or the keyword it is an alias of (aliases match regardless of ASCII case)."""
        out = []
        for name in names:
            row = self.database.execute(
                "SELECT t.name FROM keyword_aliases k JOIN tags t ON t.id = k.tag_id"
                " WHERE k.profile_id = ? AND k.alias = ? COLLATE NOCASE", (profile.id, normalise_tag(name))).fetchone()
            out.append(row[0] if row else name)
        return out

    def fold(self, profile: Profile) -> int:
        """Merge keywords that arrived under an alias (imported from files) into their keyword.
        Returns the photos changed."""
        changed = 0
        with self.transaction():
            for alias, keyword in self.of(profile).items():
                for source in self.case_variants(profile, alias):
                    if source != keyword:
                        changed += self.move_keyword(profile, source, keyword, utc_now())
        return changed

    # -- helpers (inside the caller's transaction) -----------------------------------------
    def give(self, profile: Profile, alias: str, keyword: str) -> None:
        """``alias`` becomes another name of ``keyword``, merging nothing (an imported keyword
        list's synonym, for a name that stands for nothing yet)."""
        self.database.conn.execute("INSERT INTO keyword_aliases (profile_id, alias, tag_id) VALUES (?, ?, ?)",
                                   (profile.id, alias, *self._tags.ids([keyword])))

    def case_variants(self, profile: Profile, name: str) -> list[str]:
        """The profile's keywords (assigned or rejected) spelt as ``name`` in any ASCII case."""
        return [r[0] for r in self.database.execute(
            "SELECT DISTINCT t.name FROM tags t WHERE t.name = ? COLLATE NOCASE AND ("
            " EXISTS (SELECT 1 FROM assignments a WHERE a.tag_id = t.id AND a.profile_id = ?)"
            " OR EXISTS (SELECT 1 FROM rejections r WHERE r.tag_id = t.id AND r.profile_id = ?))",
            (name, profile.id, profile.id))]

    def move_keyword(self, profile: Profile, source: str, target: str, now: str) -> int:
        """Every photo of the profile with ``source`` gets ``target`` instead (its source, time
        and score kept); the removal of ``source`` is remembered for the files. Rejections move
        too, unless the photo carries ``target``. Returns the photos moved."""
        conn = self.database.conn
        source_id, target_id = self._tags.ids([source, target])
        key = {"p": profile.id, "s": source_id, "t": target_id, "now": now}
        moving = "SELECT photo_id FROM assignments WHERE profile_id = :p AND tag_id = :s"
        conn.execute("INSERT OR IGNORE INTO assignments (profile_id, photo_id, tag_id, source, created_at,"
                     " model_version, score) SELECT profile_id, photo_id, :t, source, created_at, model_version, score"
                     " FROM assignments WHERE profile_id = :p AND tag_id = :s", key)
        for table in ("tag_removals", "rejections"):  # assigned now: neither removed nor rejected
            conn.execute(f"DELETE FROM {table} WHERE profile_id = :p AND tag_id = :t AND photo_id IN ({moving})", key)
        conn.execute("INSERT OR REPLACE INTO tag_removals (profile_id, photo_id, tag_id, removed_at, origin, pending)"
                     f" SELECT :p, photo_id, :s, :now, 'tagassist', 1 FROM ({moving})", key)
        moved = conn.execute("DELETE FROM assignments WHERE profile_id = :p AND tag_id = :s", key).rowcount
        conn.execute("INSERT OR IGNORE INTO rejections (profile_id, photo_id, tag_id, created_at, model_version, score)"
                     " SELECT profile_id, photo_id, :t, created_at, model_version, score FROM rejections"
                     " WHERE profile_id = :p AND tag_id = :s AND photo_id NOT IN"
                     " (SELECT photo_id FROM assignments WHERE profile_id = :p AND tag_id = :t)", key)
        conn.execute("DELETE FROM rejections WHERE profile_id = :p AND tag_id = :s", key)
        return moved
