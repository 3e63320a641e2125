"""A photo's rating, colour label and pick flag as set in tagassist (xmp:Rating, xmp:Label,
digiKam:PickLabel), and which of them the next export still has to write into the photo's files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .database import Database

# (rating -1..5 or None, colour label or None, pick flag 0..3 as digiKam numbers it, or None)
Marks = tuple[int | None, str | None, int | None]


class PhotoMarks:
    def __init__(self, database: Database):
        self.database = database

    def transaction(self):
        return self.database.transaction()

    def get(self, photo_ids: Iterable[int]) -> dict[int, Marks]:
        ids = list(photo_ids)
        rows = self.database.execute(
            f"SELECT id, rating, label, pick FROM photos WHERE id IN ({', '.join('?' * len(ids))})", ids)
        return {photo_id: (rating, label, pick) for photo_id, rating, label, pick in rows}

    def set(self, marks: Mapping[int, Marks]) -> None:
        """Each photo's rating, label and pick flag, to be written at the next export."""
        with self.transaction() as conn:
            conn.executemany("UPDATE photos SET rating = ?, label = ?, pick = ?, marks_pending = 1 WHERE id = ?",
                             [(rating, label, pick, photo_id) for photo_id, (rating, label, pick) in marks.items()])

    def pending(self) -> set[int]:
        """The photos whose rating, label or pick flag the files do not hold yet."""
        return {row[0] for row in self.database.execute("SELECT id FROM photos WHERE marks_pending = 1")}

    def to_write(self, photo_id: int) -> Marks | None:
        """The photo's rating, label and pick flag where the next export has to write them, else None."""
        row = self.database.execute(
            "SELECT rating, label, pick FROM photos WHERE id = ? AND marks_pending = 1", (photo_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def written(self, photo_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE photos SET marks_pending = 0 WHERE id = ?", (photo_id,))
