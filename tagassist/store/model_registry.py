"""The store's register of trained models: bundles on disk, their checksums and metrics, and
which one is active for each profile. Activating a model trained on another encoder's
embeddings makes that encoder the library's again, so the registry receives the library's
settings."""

from __future__ import annotations

import json
import os

from ..records import Profile
from .database import Database, utc_now
from .library_settings import LibrarySettings
from .repository import Repository


class ModelRegistry(Repository):
    def __init__(self, database: Database, settings: LibrarySettings):
        super().__init__(database)
        self._settings = settings

    def add(self, version: str, profile: Profile, path: str, sha256: str, metrics: dict, *, activate: bool) -> None:
        with self.transaction() as conn:
            if activate:
                conn.execute("UPDATE models SET active = 0 WHERE profile_id = ?", (profile.id,))
            conn.execute(
                "INSERT INTO models (version, profile_id, path, sha256, metrics, created_at, active)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (version, profile.id, self._stored_bundle_path(path), sha256, json.dumps(metrics), utc_now(),
                 int(activate)),
            )

    def _stored_bundle_path(self, path: str | os.PathLike) -> str:
        """Relative to the database's folder when inside it (the library can move with its
        models), else absolute: never relative to wherever tagassist happened to run."""
        absolute = os.path.abspath(path)
        home = os.path.dirname(os.path.abspath(self.database.path))
        try:
            inside = os.path.commonpath([absolute, home]) == home
        except ValueError:  # another drive on Windows
            inside = False
        return os.path.relpath(absolute, home) if inside else absolute

    def _bundle_path(self, stored: str) -> str:
        """A stored bundle path made absolute: relative ones are relative to the database's
        folder. (Libraries from before this rule may hold a path relative to the folder
        tagassist ran in; that is tried when the first does not exist.)"""
        if os.path.isabs(stored):
            return stored
        candidate = os.path.join(os.path.dirname(os.path.abspath(self.database.path)), stored)
        if not os.path.exists(candidate) and os.path.exists(stored):
            return os.path.abspath(stored)
        return candidate

    def of(self, profile: Profile) -> list[dict]:
        """The profile's models, newest first, metrics decoded."""
        rows = self.database.query(
            "SELECT id, version, path, sha256, metrics, created_at, active FROM models"
            " WHERE profile_id = ? ORDER BY id DESC",
            (profile.id,),
        )
        for row in rows:
            row["metrics"], row["active"] = json.loads(row["metrics"]), bool(row["active"])
            row["path"] = self._bundle_path(row["path"])
        return rows

    def active_version(self, profile: Profile) -> str | None:
        return self.database.scalar("SELECT version FROM models WHERE profile_id = ? AND active = 1", (profile.id,))

    def bundle(self, *, version: str | None = None, version_prefix: str | None = None) -> tuple[str, str] | None:
        """(absolute path, sha256) of the model of this version, or the newest whose version
        starts with the prefix, of any profile."""
        if version is not None:
            row = self.database.execute("SELECT path, sha256 FROM models WHERE version = ?", (version,)).fetchone()
        else:
            row = self.database.execute(
                "SELECT path, sha256 FROM models WHERE substr(version, 1, ?) = ? ORDER BY id DESC LIMIT 1",
                (len(version_prefix), version_prefix)).fetchone()
        return (self._bundle_path(row[0]), row[1]) if row else None

    def activate(self, profile: Profile, version: str) -> None:
        with self.transaction() as conn:
            found = conn.execute(
                "SELECT 1 FROM models WHERE profile_id = ? AND version = ?", (profile.id, version)
            ).fetchone()
            if not found:
                raise LookupError(f"profile {profile.name!r} has no model {version!r}")
            conn.execute("UPDATE models SET active = (version = ?) WHERE profile_id = ?", (version, profile.id))
            # A model trained on another encoder's embeddings (a 'full' retrain) brings that
            # encoder back with it, when its embeddings are still there.
            metrics = json.loads(conn.execute("SELECT metrics FROM models WHERE profile_id = ? AND version = ?",
                                              (profile.id, version)).fetchone()[0])
            encoder = metrics.get("encoder_id")
            if encoder and conn.execute("SELECT 1 FROM embeddings WHERE encoder_id = ? LIMIT 1", (encoder,)).fetchone():
                self._settings.set_active_encoder(encoder)

    def deactivate(self, profile: Profile) -> None:
        """No trained model: suggestions come from the untrained engine (version 0)."""
        with self.transaction() as conn:
            conn.execute("UPDATE models SET active = 0 WHERE profile_id = ?", (profile.id,))
