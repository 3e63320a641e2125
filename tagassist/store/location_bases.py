"""The location an export wrote into each of a photo's files (city, state, country and country
code, named from its GPS): the base of the next export's decision, which changes a file's
location only where the file holds none or still holds the one tagassist wrote. A file is named
as the keyword bases name it, by its name in the photo's folder."""

from __future__ import annotations

import json
import os

from .repository import Repository


class LocationBases(Repository):
    def get(self, photo_id: int, file: str) -> tuple[str, ...] | None:
        """What tagassist wrote into the file the last time (None: nothing yet)."""
        value = self.database.scalar("SELECT written FROM location_bases WHERE photo_id = ? AND file = ?",
                                     (photo_id, os.fsencode(file)))
        return None if value is None else tuple(json.loads(value))

    def set(self, photo_id: int, file: str, written: tuple[str, ...] | None) -> None:
        """The file's new base (None: tagassist has written no location there)."""
        with self.transaction() as conn:
            if written is None:
                conn.execute("DELETE FROM location_bases WHERE photo_id = ? AND file = ?",
                             (photo_id, os.fsencode(file)))
            else:
                conn.execute("INSERT OR REPLACE INTO location_bases (photo_id, file, written) VALUES (?, ?, ?)",
                             (photo_id, os.fsencode(file), json.dumps(list(written))))
