"""What every repository of the store shares: the one ``Database`` it reads and writes.

The store is split by concern (photos, history, sync, ...) but not by connection: every
repository holds the same ``Database``, so a caller's ``store.transaction()`` covers writes
made through several of them, and a repository's own multi-step write is one transaction
(a savepoint when the caller already holds one).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from .database import Database


class Repository:
    """A group of tables' reads and writes over the store's shared ``Database``."""

    def __init__(self, database: Database):
        self.database = database

    def transaction(self) -> AbstractContextManager:
        """The shared database's transaction (``Database.transaction``): BEGIN IMMEDIATE, or a
        savepoint inside the caller's."""
        return self.database.transaction()
