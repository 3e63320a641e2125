"""A photo's rating and colour label as set in tagassist (xmp:Rating, xmp:Label), and which of
them the next export still has to write into the photo's files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .database import Database

Marks = tuple[int | None, str | None]  # (rating -1..5 or None, colour label or None)


class PhotoMarks:
    def __init__(self, database: Database):
        self.database = database

    def transaction(self):
        return self.database.transaction()

    def get(self, photo_ids: Iterable[int]) -> dict[int, Marks]:
        ids = list(photo_ids)
        rows = self.database.execute(
            f"SELECT id, rating, label FROM photos WHERE id IN ({', '.join('?' * len(ids))})", ids)
        return {photo_id: (rating, label) for photo_id, rating, label in rows}

    def set(self, marks: Mapping[int, Marks]) -> None:
        """Each photo's rating and label, to be written at the next export."""
        with self.transaction() as conn:
            conn.executemany("UPDATE photos SET rating = ?, label = ?, marks_pending = 1 WHERE id = ?",
                             [(rating, label, photo_id) for photo_id, (rating, label) in marks.items()])

    def pending(self) -> set[int]:
        """The photos whose rating or label the files do not hold yet."""
        return {row[0] for row in self.database.execute("SELECT id FROM photos WHERE marks_pending = 1")}

    def to_write(self, photo_id: int) -> Marks | None:
        """The photo's rating and label where the next export has to write them, else None."""
        row = self.database.execute(
            "SELECT rating, label FROM photos WHERE id = ? AND marks_pending = 1", (photo_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def written(self, photo_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE photos SET marks_pending = 0 WHERE id = ?", (photo_id,))
