"""Her vocabulary without photos: the keywords of a list she imported from the program she keeps
it in (Lightroom Classic's keyword list, digiKam's tags), each with its category flag (a parent
that only holds others), its synonyms as the list gave them, and its place in the list.

An import adds what is new and touches nothing else: a keyword already listed or already in her
history is counted as known (its new synonyms are added), a synonym becomes an alias where it
names nothing yet, and no photo changes. One transaction: a list is imported whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..records import Profile, check_tag, normalise_tag
from .aliases import Aliases
from .database import Database, utc_now
from .repository import Repository
from .tags import TagVocabulary


@dataclass(frozen=True)
class ListedKeyword:
    """One keyword of an imported list: its path, whether it is a category, its synonyms."""

    name: str
    category: bool = False
    synonyms: tuple[str, ...] = ()


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)  # keywords new to her vocabulary
    known: list[str] = field(default_factory=list)  # listed already, or in her history
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (synonym, keyword): new aliases
    skipped_aliases: list[tuple[str, str, str]] = field(default_factory=list)  # (synonym, keyword, why)


class ImportedVocabulary(Repository):
    def __init__(self, database: Database, tags: TagVocabulary, aliases: Aliases):
        super().__init__(database)
        self._tags, self._aliases = tags, aliases

    # -- reading ------------------------------------------------------------------------
    def entries(self, profile: Profile) -> list[ListedKeyword]:
        """The profile's imported keywords in list order."""
        return [ListedKeyword(name, bool(category), tuple(json.loads(synonyms)))
                for name, category, synonyms in self.database.execute(
                    "SELECT t.name, v.category, v.synonyms FROM vocabulary_keywords v JOIN tags t ON t.id = v.tag_id"
                    " WHERE v.profile_id = ? ORDER BY v.position", (profile.id,))]

    def names(self, profile: Profile, *, categories: bool = True) -> list[str]:
        """The imported keywords' paths in list order; without ``categories``, only the keywords
        a photo can be given (a category only holds others)."""
        return [entry.name for entry in self.entries(profile) if categories or not entry.category]

    # -- writing ------------------------------------------------------------------------
    def import_list(self, profile: Profile, keywords: Sequence[ListedKeyword], source: str) -> ImportResult:
        """Add the list's keywords (paths, parents before children) to the profile's vocabulary,
        their synonyms as aliases where an alias can be given; all of it or nothing."""
        result = ImportResult()
        with self.transaction() as conn:
            listed = {entry.name: (entry.category, list(entry.synonyms)) for entry in self.entries(profile)}
            used = set(self._used_names(profile))
            position = conn.execute("SELECT COALESCE(MAX(position), -1) FROM vocabulary_keywords"
                                    " WHERE profile_id = ?", (profile.id,)).fetchone()[0]
            now, changed, seen = utc_now(), {}, set()
            for keyword in keywords:
                name = normalise_tag(keyword.name)
                if name in listed:
                    synonyms = listed[name][1]
                    new = [s for s in keyword.synonyms if s not in synonyms]
                    if new:
                        changed[name] = synonyms + new
                        listed[name] = (listed[name][0], synonyms + new)
                    if name not in seen:
                        result.known.append(name)
                else:
                    position += 1
                    conn.execute("INSERT INTO vocabulary_keywords (profile_id, tag_id, category, synonyms, position,"
                                 " source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (profile.id, *self._tags.ids([name]), int(keyword.category),
                                  json.dumps(list(keyword.synonyms), ensure_ascii=False), position, source, now))
                    listed[name] = (keyword.category, list(keyword.synonyms))
                    (result.known if name in used else result.added).append(name)
                seen.add(name)
            for name, synonyms in changed.items():
                conn.execute("UPDATE vocabulary_keywords SET synonyms = ? WHERE profile_id = ? AND tag_id = ?",
                             (json.dumps(synonyms, ensure_ascii=False), profile.id, *self._tags.ids([name])))
            self._alias_synonyms(profile, keywords, used | set(listed), result)
        return result

    # -- the keyword manager's edits (inside the caller's transaction) ----------------------
    def move(self, profile: Profile, source: str, target: str) -> None:
        """A rename of a listed keyword: ``source``'s row becomes ``target``'s (into a listed
        ``target`` it merges, its synonyms added)."""
        conn = self.database.conn
        if normalise_tag(source) == normalise_tag(target):
            return
        source_id, target_id = self._tags.ids([source, target])
        row = conn.execute("SELECT synonyms FROM vocabulary_keywords WHERE profile_id = ? AND tag_id = ?",
                           (profile.id, source_id)).fetchone()
        if row is None:
            return
        into = conn.execute("SELECT synonyms FROM vocabulary_keywords WHERE profile_id = ? AND tag_id = ?",
                            (profile.id, target_id)).fetchone()
        if into is None:
            conn.execute("UPDATE vocabulary_keywords SET tag_id = ? WHERE profile_id = ? AND tag_id = ?",
                         (target_id, profile.id, source_id))
            return
        synonyms = json.loads(into[0])
        synonyms += [s for s in json.loads(row[0]) if s not in synonyms]
        conn.execute("UPDATE vocabulary_keywords SET synonyms = ? WHERE profile_id = ? AND tag_id = ?",
                     (json.dumps(synonyms, ensure_ascii=False), profile.id, target_id))
        conn.execute("DELETE FROM vocabulary_keywords WHERE profile_id = ? AND tag_id = ?", (profile.id, source_id))

    def snapshot(self, profile: Profile, names: Iterable[str]) -> list[list]:
        """The rows of the named keywords, as ``restore`` puts them back (a keyword edit's journal)."""
        ids = self._tags.existing_ids(names)
        if not ids:
            return []
        return [list(row) for row in self.database.execute(
            f"SELECT t.name, v.category, v.synonyms, v.position, v.source, v.added_at FROM vocabulary_keywords v"
            f" JOIN tags t ON t.id = v.tag_id WHERE v.profile_id = ? AND v.tag_id IN ({','.join('?' * len(ids))})",
            (profile.id, *ids))]

    def restore(self, profile: Profile, names: Iterable[str], rows: list[list]) -> None:
        """The named keywords' rows as ``snapshot`` gave them (an undo)."""
        conn = self.database.conn
        for tag_id in self._tags.existing_ids(names):
            conn.execute("DELETE FROM vocabulary_keywords WHERE profile_id = ? AND tag_id = ?", (profile.id, tag_id))
        for name, category, synonyms, position, source, added_at in rows:
            conn.execute("INSERT INTO vocabulary_keywords (profile_id, tag_id, category, synonyms, position, source,"
                         " added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (profile.id, *self._tags.ids([name]), category, synonyms, position, source, added_at))

    # -- helpers (inside the caller's transaction) -----------------------------------------
    def _used_names(self, profile: Profile) -> list[str]:
        return [r[0] for r in self.database.execute(
            "SELECT t.name FROM tags t WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.tag_id = t.id"
            " AND a.profile_id = ?) OR EXISTS (SELECT 1 FROM rejections r WHERE r.tag_id = t.id AND r.profile_id = ?)",
            (profile.id, profile.id))]

    def _alias_synonyms(self, profile: Profile, keywords: Sequence[ListedKeyword], names: set[str],
                        result: ImportResult) -> None:
        """Each synonym becomes an alias of its keyword, unless it already stands for a keyword
        (an alias of another, or a keyword of its own: the import merges no photos)."""
        aliases = {alias.lower(): keyword for alias, keyword in self._aliases.of(profile).items()}
        keywords_lower = {name.lower() for name in names}
        for keyword in keywords:
            name = normalise_tag(keyword.name)
            for synonym in keyword.synonyms:
                alias = normalise_tag(synonym)
                try:
                    check_tag(synonym)
                except ValueError as exc:
                    result.skipped_aliases.append((synonym, name, str(exc)))
                    continue
                if aliases.get(alias.lower()) == name:
                    continue  # given already
                if alias.lower() in aliases:
                    result.skipped_aliases.append((synonym, name, f"already another name of {aliases[alias.lower()]}"))
                elif alias.lower() in keywords_lower:
                    result.skipped_aliases.append((synonym, name, "a keyword of its own"))
                else:
                    self._aliases.give(profile, alias, name)
                    aliases[alias.lower()] = name
                    result.aliases.append((alias, name))
