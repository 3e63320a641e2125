"""The tag vocabulary: every keyword name the library knows, by id.

Tags are shared by every profile and every table that names a keyword (assignments,
rejections, removals, the files' base, aliases), so the repositories that write those rows
receive this one instead of each looking names up in its own way.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..records import normalise_tag
from .repository import Repository


class TagVocabulary(Repository):
    def ids(self, names: Iterable[str]) -> list[int]:
        """Ids of the named tags (normalised, each once, empty names skipped), creating
        missing ones. Call inside a transaction: the tag rows belong to the caller's write."""
        conn = self.database.conn
        ids = []
        for name in dict.fromkeys(normalise_tag(n) for n in names):
            if not name:
                continue
            conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
            ids.append(conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0])
        return ids

    def existing_ids(self, names: Iterable[str]) -> list[int]:
        """Ids of those of the named tags that exist; creates none (a removal of a keyword
        nobody ever used must not add it to the vocabulary)."""
        ids = []
        for name in names:
            row = self.database.execute("SELECT id FROM tags WHERE name = ?", (normalise_tag(name),)).fetchone()
            if row:
                ids.append(row[0])
        return ids
