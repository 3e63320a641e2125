"""The faces an export wrote into each of a photo's files: the base of the next export's
three-way merge of face regions (``tagassist.library.face_regions``), per photographer, so that
one photographer's export never takes out a region another one wrote.

The store keeps each base as the plain value the caller gives (JSON: the services turn it into
``WrittenFaces`` and back); a file is named as the keyword bases name it, by its name in the
photo's folder.
"""

from __future__ import annotations

import json
import os

from ..records import Profile
from .repository import Repository


class FaceBases(Repository):
    def get(self, profile: Profile, photo_id: int, file: str) -> dict | None:
        """What tagassist wrote into the file for ``profile`` the last time (None: nothing yet)."""
        value = self.database.scalar(
            "SELECT written FROM face_bases WHERE profile_id = ? AND photo_id = ? AND file = ?",
            (profile.id, photo_id, os.fsencode(file)))
        return None if value is None else json.loads(value)

    def set(self, profile: Profile, photo_id: int, file: str, written: dict | None) -> None:
        """The file's new base (None: tagassist has written no face there)."""
        with self.transaction() as conn:
            if written is None:
                conn.execute("DELETE FROM face_bases WHERE profile_id = ? AND photo_id = ? AND file = ?",
                             (profile.id, photo_id, os.fsencode(file)))
            else:
                conn.execute("INSERT OR REPLACE INTO face_bases (profile_id, photo_id, file, written)"
                             " VALUES (?, ?, ?, ?)",
                             (profile.id, photo_id, os.fsencode(file), json.dumps(written, sort_keys=True)))

    def of_photo(self, photo_id: int) -> list[dict]:
        """What tagassist wrote into each of the photo's files, for every photographer."""
        return [json.loads(row[0]) for row in self.database.execute(
            "SELECT written FROM face_bases WHERE photo_id = ? ORDER BY profile_id, file", (photo_id,))]

    def photos(self, profile: Profile) -> set[int]:
        """The photos whose files an export may have faces to write into for ``profile``: those
        with a face she named, and those tagassist wrote faces into before (a face she has since
        unnamed is taken out of the files)."""
        return {row[0] for row in self.database.execute(
            "SELECT f.photo_id FROM face_names n JOIN faces f ON f.id = n.face_id"
            " WHERE n.profile_id = ? AND n.state = 'named'"
            " UNION SELECT photo_id FROM face_bases WHERE profile_id = ?", (profile.id, profile.id))}
