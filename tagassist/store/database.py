"""Opening the SQLite database: pragmas, migrations, transactions."""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from .schema import LATEST_VERSION, MIGRATIONS


def _unique(keys: list[str]) -> list[str]:
    """Column names made unique: a second 'id' is 'id_2', skipping a name another column has
    (sqlite-utils' ``dedupe_keys``, so rows read as they did through it)."""
    taken = set(keys)
    if len(taken) == len(keys):
        return keys
    seen: set[str] = set()
    unique = []
    for key in keys:
        name, n = key, 2
        while name in seen or (name != key and name in taken):
            name, n = f"{key}_{n}", n + 1
        seen.add(name)
        unique.append(name)
    return unique


class StoreError(Exception):
    """The database cannot be used (newer schema, not a tagassist database, ...)."""


def utc_now() -> str:
    # Microseconds: three-way keyword sync decides "which change is newer" between tagassist's
    # history and a file's modification time, and edits seconds apart must not tie.
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Database:
    """A SQLite database with tagassist's pragmas and migrations applied; ``db``, the same
    connection as a sqlite-utils database, is there for what only sqlite-utils does (imported
    at its first use: its import and its plugins' are a third of a second, which a
    ``tagassist suggest`` would pay for nothing)."""

    def __init__(self, path: str | os.PathLike[str]):
        # Absolute: model bundles and export backups live beside it, whatever folder
        # tagassist is run from later.
        self.path = Path(path) if str(path) == ":memory:" else Path(os.path.abspath(path))
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # A thread that opens a Database owns it; workers open their own.
        conn = sqlite3.connect(str(path), timeout=30.0)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL keeps this crash-safe
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA recursive_triggers = ON")  # sqlite-utils set it; the triggers were written under it
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path} is not a usable SQLite database: {exc}") from exc
        # Statements outside transaction() autocommit; nothing is left open by accident.
        conn.isolation_level = None
        self.conn = conn
        self._migrate()

    # -- transactions ------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit; nested blocks become savepoints.

        The outermost block takes the write lock up front (``BEGIN IMMEDIATE``): a deferred
        BEGIN that reads before it writes cannot wait for another writer (SQLite answers
        "database is locked" at once instead of applying the busy timeout), so the app and any
        number of CLI processes could not share one library.
        """
        if self.conn.in_transaction:
            with self._savepoint():
                yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A nested block inside ours (as sqlite-utils' ``atomic`` nests one)."""
        name = f"tagassist_{secrets.token_hex(8)}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            # An error such as a RAISE(ROLLBACK) trigger can destroy the whole transaction,
            # savepoints included: then there is nothing left to undo.
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {name}")

    @functools.cached_property
    def db(self):
        """The connection as a ``sqlite_utils.Database``."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def execute(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params: tuple | list | dict = ()) -> Iterator[dict]:
        """A query's rows as dicts (column name -> value), streamed. A column name that comes
        twice gets a suffix the second time ('id', 'id_2'), as sqlite-utils names them."""
        cursor = self.conn.execute(sql, params)
        if cursor.description is None:
            raise ValueError("rows() is for statements that return rows")
        keys = _unique([d[0] for d in cursor.description])
        return (dict(zip(keys, row)) for row in cursor)

    def query(self, sql: str, params: tuple | list | dict = ()) -> list[dict]:
        return list(self.rows(sql, params))

    def scalar(self, sql: str, params: tuple | list | dict = ()):
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.conn.close()

    # -- migrations --------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        if self.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") is None:
            return 0
        return self.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")

    def _migrate(self) -> None:
        try:
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable SQLite database: {exc}") from exc
        self._check_version(self.schema_version)
        if self.schema_version == LATEST_VERSION:
            return
        # Under the write lock, read the version again: two processes opening a new library at
        # once must not both apply the same migration.
        with self.transaction() as conn:
            current = self.schema_version
            self._check_version(current)
            for version in range(current + 1, LATEST_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, utc_now()),
                )

    def _check_version(self, current: int) -> None:
        if current > LATEST_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer tagassist (schema {current},"
                f" this version knows {LATEST_VERSION}); upgrade tagassist to open it"
            )

    # -- health ------------------------------------------------------------------------
    def integrity_problems(self) -> list[str]:
        """Empty when SQLite's integrity and foreign-key checks pass."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} points at a missing {parent} row")
        return problems
