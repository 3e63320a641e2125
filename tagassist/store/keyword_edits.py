"""The store's side of the keyword manager: rename, merge, delete and aliases, each journalled.

A keyword edit changes a profile's history as if the photographer had retagged every photo by
hand: the new name is assigned (keeping when and how the old one was given, so the history
and training data keep their time line) and the old name's removal is remembered, so the next
export replaces it in the files; keywords other tools wrote are never touched otherwise. The
exact earlier state of every (photo, keyword) pair is journalled, so any edit can be undone.

It receives what it builds on: the tag vocabulary, the aliases (which also move a keyword's
photos to another, as folding an alias does), the tagging repository, whose snapshot and
restore of (photo, keyword) pairs the journal keeps and undo puts back, and her imported
keyword lists, whose keywords (with no photos yet, or with some) are edited and undone alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..records import HIERARCHY_SEPARATOR, Profile, normalise_tag
from .aliases import Aliases
from .database import Database, utc_now
from .repository import Repository
from .tagging import Tagging
from .tags import TagVocabulary
from .vocabulary import ImportedVocabulary


class KeywordEdits(Repository):
    def __init__(self, database: Database, tags: TagVocabulary, aliases: Aliases, tagging: Tagging,
                 vocabulary: ImportedVocabulary):
        super().__init__(database)
        self._tags, self._aliases, self._tagging, self._vocabulary = tags, aliases, tagging, vocabulary

    # -- reading ------------------------------------------------------------------------
    def subtree(self, profile: Profile, name: str) -> list[str]:
        """The keyword and every keyword under it that the profile uses (assigned or rejected) or
        imported (a keyword list's)."""
        name = normalise_tag(name)
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return [r[0] for r in self.database.execute(
            "SELECT DISTINCT t.name FROM tags t WHERE (t.name = ? OR t.name LIKE ? ESCAPE '\\') AND ("
            " EXISTS (SELECT 1 FROM assignments a WHERE a.tag_id = t.id AND a.profile_id = ?)"
            " OR EXISTS (SELECT 1 FROM rejections r WHERE r.tag_id = t.id AND r.profile_id = ?)"
            " OR EXISTS (SELECT 1 FROM vocabulary_keywords v WHERE v.tag_id = t.id AND v.profile_id = ?))"
            " ORDER BY t.name", (name, escaped + HIERARCHY_SEPARATOR + "%", profile.id, profile.id, profile.id))]

    def edits(self, profile: Profile) -> list[dict]:
        return [{"edit": r["id"], "action": r["action"], **json.loads(r["detail"]), "at": r["created_at"],
                 "undone": r["undone_at"] is not None}
                for r in self.database.query("SELECT * FROM keyword_edits WHERE profile_id = ? ORDER BY id",
                                             (profile.id,))]

    # -- editing ------------------------------------------------------------------------
    def rename(self, profile: Profile, old: str, new: str) -> dict:
        """``old`` and every keyword under it take the new name (Places|Italy -> Europe|Italy
        moves Places|Italy|Rome too); a name that exists already is merged into."""
        return self._rename_keywords(profile, "rename", [old], new)[0]

    def merge(self, profile: Profile, sources: list[str], into: str) -> list[dict]:
        """Each of ``sources`` (with the keywords under it) merged into ``into``: one edit, so
        one undo puts them all back. A result for each source."""
        return self._rename_keywords(profile, "merge", sources, into)

    def _rename_keywords(self, profile: Profile, action: str, olds: list[str], new: str) -> list[dict]:
        olds, new = list(dict.fromkeys(map(normalise_tag, olds))), normalise_tag(new)
        if not all(olds) or not new:
            raise ValueError("a keyword name cannot be empty")
        for old in olds:
            if new.startswith(old + HIERARCHY_SEPARATOR):
                raise ValueError(f"{old!r} cannot move under itself ({new!r})")
            for other in olds:
                if old.startswith(other + HIERARCHY_SEPARATOR):
                    raise ValueError(f"{old!r} is under {other!r}, which takes it along: give {other!r} alone")
        mappings = {}
        for old in olds:
            names = self.subtree(profile, old)
            if not names:
                raise LookupError(f"no keyword {old!r} in this photographer's history")
            mappings[old] = {name: new + name[len(old):] for name in names} if old != new else {}
        everything = {source: target for mapping in mappings.values() for source, target in mapping.items()}
        if not everything:
            return [{"action": action, "from": old, "to": new, "photos": 0, "keywords": [], "edit": None}
                    for old in olds]
        results = []
        with self.transaction():
            edit = self._journal(profile, action, {"from": olds[0] if action == "rename" else olds, "to": new,
                                                   "keywords": sorted(everything.items())},
                                 self._photos_with(profile, everything), [*everything, *everything.values()])
            for old, mapping in mappings.items():
                photo_ids = self._photos_with(profile, mapping)
                for source, target in mapping.items():
                    self._aliases.move_keyword(profile, source, target, utc_now())
                    self._vocabulary.move(profile, source, target)
                    self.database.conn.execute(
                        "UPDATE keyword_aliases SET tag_id = ? WHERE profile_id = ? AND tag_id = ?",
                        (*self._tags.ids([target]), profile.id, *self._tags.ids([source])))
                results.append({"action": action, "from": old, "to": new, "photos": len(photo_ids),
                                "keywords": [[s, t] for s, t in sorted(mapping.items())], "edit": edit})
        return results

    def delete(self, profile: Profile, name: str) -> dict:
        """Remove the keyword and those under it from every photo of the profile (the next
        export removes them from the files); its rejections stay."""
        name = normalise_tag(name)
        names = self.subtree(profile, name)
        if not names:
            raise LookupError(f"no keyword {name!r} in this photographer's history")
        with self.transaction() as conn:
            photo_ids = self._photos_with(profile, names)
            edit = self._journal(profile, "delete", {"keyword": name, "keywords": names}, photo_ids, names)
            now = utc_now()
            for tag_id in self._tags.ids(names):
                conn.execute(
                    "INSERT OR REPLACE INTO tag_removals (profile_id, photo_id, tag_id, removed_at, origin, pending)"
                    " SELECT profile_id, photo_id, tag_id, ?, 'tagassist', 1 FROM assignments"
                    " WHERE profile_id = ? AND tag_id = ?", (now, profile.id, tag_id))
                conn.execute("DELETE FROM assignments WHERE profile_id = ? AND tag_id = ?", (profile.id, tag_id))
                conn.execute("DELETE FROM keyword_aliases WHERE profile_id = ? AND tag_id = ?", (profile.id, tag_id))
                conn.execute("DELETE FROM vocabulary_keywords WHERE profile_id = ? AND tag_id = ?",
                             (profile.id, tag_id))
        return {"action": "delete", "keyword": name, "keywords": names, "photos": len(photo_ids), "edit": edit}

    def add_aliases(self, profile: Profile, aliases: list[str], keyword: str) -> list[dict]:
        """Each alias becomes another name of ``keyword``: photos tagged with it are merged into
        the keyword now, and when it is typed or imported later it becomes the keyword. One
        edit, so one undo takes them all back. A result for each alias."""
        aliases, keyword = list(dict.fromkeys(map(normalise_tag, aliases))), normalise_tag(keyword)
        if not all(aliases) or not keyword:
            raise ValueError("a keyword name cannot be empty")
        if keyword in aliases:
            raise ValueError(f"{keyword!r} cannot be an alias of itself")
        if not self.subtree(profile, keyword):  # as merge refuses a name she does not use (a typo, most likely)
            raise LookupError(f"no keyword {keyword!r} in this photographer's history (an alias leads to a keyword"
                              " in use; 'keywords rename' gives a keyword a new name)")
        results = []
        with self.transaction() as conn:
            sources = {alias: [n for n in self._aliases.case_variants(profile, alias) if n != keyword]
                       for alias in aliases}
            merged = [name for names in sources.values() for name in names]
            edit = self._journal(profile, "alias", {"aliases": aliases, "keyword": keyword},
                                 self._photos_with(profile, merged), [*merged, keyword])
            for alias, names in sources.items():
                photo_ids = self._photos_with(profile, names)
                for source in names:
                    self._aliases.move_keyword(profile, source, keyword, utc_now())
                conn.execute("INSERT OR REPLACE INTO keyword_aliases (profile_id, alias, tag_id) VALUES (?, ?, ?)",
                             (profile.id, alias, *self._tags.ids([keyword])))
                results.append({"action": "alias", "alias": alias, "keyword": keyword, "photos": len(photo_ids),
                                "edit": edit})
        return results

    def undo_edit(self, profile: Profile, edit: int | None = None) -> dict:
        """Put back what the latest keyword edit (or edit number ``edit``, if it is the latest
        not undone) changed: the exact earlier state of its photos' keywords, and the aliases."""
        rows = self.database.query("SELECT * FROM keyword_edits WHERE profile_id = ? AND undone_at IS NULL"
                                   " ORDER BY id DESC LIMIT 1", (profile.id,))
        if not rows:
            raise LookupError("no keyword edit to undo")
        row = rows[0]
        if edit is not None and edit != row["id"]:
            raise LookupError(f"edit {edit} is not the latest one; undo {row['id']} first")
        before = json.loads(row["before"])
        with self.transaction() as conn:
            self._tagging.restore_tag_state(profile, [tuple(entry) for entry in before["pairs"]])
            conn.execute("DELETE FROM keyword_aliases WHERE profile_id = ?", (profile.id,))
            for alias, name in before["aliases"].items():
                conn.execute("INSERT INTO keyword_aliases (profile_id, alias, tag_id) VALUES (?, ?, ?)",
                             (profile.id, alias, *self._tags.ids([name])))
            self._vocabulary.restore(profile, before.get("names", []), before.get("listed", []))
            conn.execute("UPDATE keyword_edits SET undone_at = ? WHERE id = ?", (utc_now(), row["id"]))
        return {"action": "undo", "edit": row["id"], "undid": row["action"], **json.loads(row["detail"])}

    # -- helpers (inside the caller's transaction) -----------------------------------------
    def _photos_with(self, profile: Profile, names: Iterable[str]) -> list[int]:
        ids = self._tags.existing_ids(names)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return [r[0] for r in self.database.execute(
            f"SELECT photo_id FROM assignments WHERE profile_id = ? AND tag_id IN ({marks}) UNION"
            f" SELECT photo_id FROM rejections WHERE profile_id = ? AND tag_id IN ({marks})",
            (profile.id, *ids, profile.id, *ids))]

    def _journal(self, profile: Profile, action: str, detail: dict, photo_ids: list[int], names: list[str]) -> int:
        before = {"pairs": [list(entry) for entry in self._tagging.tag_state(profile, photo_ids, names)],
                  "aliases": self._aliases.of(profile),
                  "names": list(names), "listed": self._vocabulary.snapshot(profile, names)}
        return self.database.conn.execute(
            "INSERT INTO keyword_edits (profile_id, action, detail, before, created_at) VALUES (?, ?, ?, ?, ?)",
            (profile.id, action, json.dumps(detail), json.dumps(before), utc_now())).lastrowid
