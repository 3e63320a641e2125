"""The library's own settings (a key-value table in its database): what belongs to the library
and travels with it, such as the encoder its embeddings come from, rather than to the user."""

from __future__ import annotations

from .repository import Repository

ACTIVE_ENCODER = "active_encoder"  # the keys; read and written only through the methods below
LIBRARY_ID = "library_id"  # drawn when the database is made (schema 17)


class LibrarySettings(Repository):
    def get(self, key: str, default: str | None = None) -> str | None:
        value = self.database.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else value

    def set(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def active_encoder(self) -> str | None:
        """The encoder whose embeddings the library's suggestions use (set by the index)."""
        return self.get(ACTIVE_ENCODER)

    def set_active_encoder(self, encoder_id: str) -> None:
        self.set(ACTIVE_ENCODER, encoder_id)

    def library_id(self) -> str | None:
        """This database's identity: another database at the same path has another."""
        return self.get(LIBRARY_ID)
