"""The library's change counter (schema 10): triggers move it on with every change to what the
suggestions read, so a reader can tell in one query whether anything it derived is stale."""

from __future__ import annotations

from .database import Database


class Changes:
    def __init__(self, database: Database):
        self.database = database

    def counter(self) -> int:
        """Moves on with every change to tags, rejections, photos' time, place, camera or
        content, embeddings and keyword names (never back: a cache keyed by it is never wrong)."""
        return int(self.database.scalar("SELECT n FROM change_counter WHERE id = 1"))
