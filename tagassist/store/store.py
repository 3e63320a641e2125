"""The library store: one SQLite ``Database`` and the repositories over it.

``Store`` is the composition root: it opens the database and builds each repository with
what it needs (the shared tag vocabulary, the aliases, ...), then stands back. Callers reach
the repository of their concern (``store.photos``, ``store.history``, ``store.tagging``, ...);
a write that spans several of them runs in ``store.transaction()``. Every repository method
that writes more than one row runs inside one transaction, so a process killed at any moment
leaves the database as it was before or after the call.
"""

from __future__ import annotations

import os

from ..records import SOURCES, Profile
from .aliases import Aliases
from .changes import Changes
from .database import Database
from .embedding_table import Embeddings
from .export_journal import ExportJournal
from .face_bases import FaceBases
from .faces import Faces
from .history_reads import HistoryReads
from .keyword_edits import KeywordEdits
from .keyword_sync import KeywordSync
from .library_settings import LibrarySettings
from .location_bases import LocationBases
from .marks import PhotoMarks
from .model_registry import ModelRegistry
from .photos import Photos
from .profiles import DEFAULT_PROFILE, Profiles
from .tagging import Tagging
from .tags import TagVocabulary
from .vocabulary import ImportedVocabulary


class Store:
    """An open library. A thread that opens a Store owns it (one SQLite connection); workers
    open their own."""

    def __init__(self, path: str | os.PathLike[str]):
        self.database = Database(path)
        self.path = self.database.path
        db = self.database
        tags = TagVocabulary(db)  # shared: every table that names a keyword goes through it
        self.profiles = Profiles(db)
        self.settings = LibrarySettings(db)
        self.photos = Photos(db)
        self.marks = PhotoMarks(db)  # ratings and labels set in tagassist, until an export writes them
        self.changes = Changes(db)  # what derived state (the engine's cache) is keyed by
        self.embeddings = Embeddings(db)
        self.faces = Faces(db, tags)  # faces on the photos, and her names for them
        self.history = HistoryReads(db, self.embeddings, self.faces)  # the engine's HistorySource
        self.aliases = Aliases(db, tags)
        self.sync = KeywordSync(db, tags, self.aliases)
        self.tagging = Tagging(db, tags, self.aliases, self.sync)
        self.vocabulary = ImportedVocabulary(db, tags, self.aliases)  # her keywords without photos
        self.keywords = KeywordEdits(db, tags, self.aliases, self.tagging, self.vocabulary)
        self.exports = ExportJournal(db)
        self.face_bases = FaceBases(db)  # the faces each export wrote into each file: the next one's base
        self.location_bases = LocationBases(db)  # the location each export wrote into each file: likewise
        self.models = ModelRegistry(db, self.settings)
        self.profiles.get(DEFAULT_PROFILE)  # first run: every library has a default photographer

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        """One transaction for a write that spans repositories (``Database.transaction``)."""
        return self.database.transaction()

    def integrity_problems(self) -> list[str]:
        return self.database.integrity_problems()

    @property
    def schema_version(self) -> int:
        return self.database.schema_version

    # -- summaries ---------------------------------------------------------------------
    def stats(self, profile: Profile) -> dict:
        """What the library holds, as ``tagassist stats`` prints it: counts across every table."""
        db = self.database
        by_status = dict(db.execute("SELECT status, COUNT(*) FROM photos GROUP BY status").fetchall())
        by_source = dict(
            db.execute(
                "SELECT source, COUNT(*) FROM assignments WHERE profile_id = ? GROUP BY source",
                (profile.id,),
            ).fetchall()
        )
        return {
            "database": str(self.path),
            "schema_version": db.schema_version,
            "profile": profile.name,
            "profiles": [p.name for p in self.profiles.all()],
            "folders": len(self.photos.folders()),
            "photos": sum(by_status.values()),
            "photos_by_status": {s: by_status.get(s, 0) for s in ("ok", "warning", "error", "missing")},
            "tagged_photos": db.scalar(
                "SELECT COUNT(DISTINCT photo_id) FROM assignments WHERE profile_id = ?", (profile.id,)
            ),
            "tags_in_vocabulary": db.scalar(
                "SELECT COUNT(DISTINCT tag_id) FROM assignments WHERE profile_id = ?", (profile.id,)
            ),
            "assignments": sum(by_source.values()),
            "assignments_by_source": {s: by_source.get(s, 0) for s in SOURCES},
            "rejections": db.scalar("SELECT COUNT(*) FROM rejections WHERE profile_id = ?", (profile.id,)),
            "embeddings": db.scalar("SELECT COUNT(*) FROM embeddings"),
            "models": db.scalar("SELECT COUNT(*) FROM models"),
        }
