"""Faces on the photos, and her names for them.

A face is a box (``FaceBox``: normalized, from the top-left, in the photo as displayed) found by
the detector with its embedding, or read from a region another tool wrote into the photo's files
with the name that tool gave it. A region and the detector's face for it are one row: whichever
comes second fills in the other's half. Names are her keywords, per photographer; a name she
rejected for a face is kept as such, so it is never offered for that face again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..records import FaceBox, Profile
from .database import Database, utc_now
from .repository import Repository
from .tags import TagVocabulary

SAME_FACE_IOU = 0.3  # a region another tool drew and the detector's box of the same face overlap at least this much


@dataclass(frozen=True)
class StoredFace:
    id: int
    photo_id: int
    box: FaceBox
    quality: float | None
    embedding: np.ndarray | None = field(compare=False)
    region_name: str | None  # the name another tool wrote on this region
    name: str | None = None  # her keyword for this face
    rejected: frozenset[str] = frozenset()  # keywords she said this face is not


@dataclass(frozen=True)
class Detected:
    """One face as the detector gives it to the store."""

    box: FaceBox
    quality: float
    embedding: np.ndarray


@dataclass(frozen=True)
class Region:
    """One named face region read from a photo's files."""

    box: FaceBox
    name: str | None
    source: str  # 'mwg' or 'mp'


def _blob(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()


def _vector(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float32)


def _chunks(ids: Sequence[int], size: int = 500):
    for start in range(0, len(ids), size):  # SQLite's limit on bound parameters
        yield ids[start:start + size]


class Faces(Repository):
    def __init__(self, database: Database, tags: TagVocabulary):
        super().__init__(database)
        self._tags = tags

    # -- the detector's work --------------------------------------------------------------
    def scanned(self, detector: str | None, photo_ids: Iterable[int]) -> set[int]:
        """Of these photos, those the detector (None: any) has already looked at (found faces or not)."""
        ids, seen = list(photo_ids), set()
        for chunk in _chunks(ids):
            seen.update(row[0] for row in self.database.execute(
                f"SELECT photo_id FROM face_scans WHERE (? IS NULL OR detector = ?)"
                f" AND photo_id IN ({', '.join('?' * len(chunk))})", (detector, detector, *chunk)))
        return seen

    def put_detected(self, photo_id: int, content_hash: str | None, detector: str,
                     found: Sequence[Detected]) -> None:
        """What the detector found on a photo. A face that overlaps a row already there (a
        region from the files, or a face an earlier detector found) fills in that row, so its
        name stays; faces of an earlier detector that match nothing now, and have no name and
        no region, go."""
        with self.transaction() as conn:
            rows = conn.execute("SELECT id, x, y, w, h, region_source,"
                                " EXISTS (SELECT 1 FROM face_names n WHERE n.face_id = faces.id)"
                                " FROM faces WHERE photo_id = ?", (photo_id,)).fetchall()
            free = {row[0]: (FaceBox(*row[1:5]), row[5] is not None or bool(row[6])) for row in rows}
            for face in sorted(found, key=lambda f: -f.quality):
                match = max(free, key=lambda i: free[i][0].iou(face.box), default=None)
                if match is not None and free[match][0].iou(face.box) >= SAME_FACE_IOU:
                    del free[match]
                    conn.execute("UPDATE faces SET quality = ?, embedding = ?, detector = ? WHERE id = ?",
                                 (face.quality, _blob(face.embedding), detector, match))
                    if conn.execute("SELECT region_source FROM faces WHERE id = ?", (match,)).fetchone()[0] is None:
                        b = face.box
                        conn.execute("UPDATE faces SET x = ?, y = ?, w = ?, h = ? WHERE id = ?",
                                     (b.x, b.y, b.w, b.h, match))
                else:
                    b = face.box
                    conn.execute("INSERT INTO faces (photo_id, x, y, w, h, quality, embedding, detector)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 (photo_id, b.x, b.y, b.w, b.h, face.quality, _blob(face.embedding), detector))
            stale = [i for i, (_, kept) in free.items() if not kept]
            conn.executemany("DELETE FROM faces WHERE id = ?", [(i,) for i in stale])
            conn.execute("INSERT OR REPLACE INTO face_scans (photo_id, detector, content_hash, found, scanned_at)"
                         " VALUES (?, ?, ?, ?, ?)", (photo_id, detector, content_hash, len(found), utc_now()))

    def put_regions(self, photo_id: int, regions: Sequence[Region]) -> None:
        """The named face regions the photo's files hold now (a scan read them). A region that
        overlaps a face already there names that row; regions gone from the files lose their
        row unless the detector found that face too."""
        with self.transaction() as conn:
            rows = conn.execute("SELECT id, x, y, w, h, embedding IS NOT NULL FROM faces WHERE photo_id = ?",
                                (photo_id,)).fetchall()
            free = {row[0]: (FaceBox(*row[1:5]), bool(row[5])) for row in rows}
            for region in regions:
                match = max(free, key=lambda i: free[i][0].iou(region.box), default=None)
                if match is not None and free[match][0].iou(region.box) >= SAME_FACE_IOU:
                    del free[match]
                    conn.execute("UPDATE faces SET region_name = ?, region_source = ? WHERE id = ?",
                                 (region.name, region.source, match))
                else:
                    b = region.box
                    conn.execute("INSERT INTO faces (photo_id, x, y, w, h, region_name, region_source)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (photo_id, b.x, b.y, b.w, b.h, region.name, region.source))
            for face_id, (_, detected) in free.items():
                if detected:
                    conn.execute("UPDATE faces SET region_name = NULL, region_source = NULL WHERE id = ?"
                                 " AND region_source IS NOT NULL", (face_id,))
                else:
                    conn.execute("DELETE FROM faces WHERE id = ? AND region_source IS NOT NULL"
                                 " AND NOT EXISTS (SELECT 1 FROM face_names n WHERE n.face_id = faces.id)",
                                 (face_id,))

    # -- reading -------------------------------------------------------------------------
    def of_photos(self, profile: Profile, photo_ids: Iterable[int]) -> dict[int, list[StoredFace]]:
        """Each photo's faces, left to right, with her name and rejections for each."""
        ids = list(dict.fromkeys(photo_ids))
        found: dict[int, list[StoredFace]] = {i: [] for i in ids}
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            decided: dict[int, tuple[str | None, set[str]]] = {}
            for face_id, tag, state in self.database.execute(
                    "SELECT n.face_id, t.name, n.state FROM face_names n JOIN tags t ON t.id = n.tag_id"
                    f" JOIN faces f ON f.id = n.face_id WHERE n.profile_id = ? AND f.photo_id IN ({marks})",
                    (profile.id, *chunk)):
                name, rejected = decided.setdefault(face_id, (None, set()))
                if state == "named":
                    decided[face_id] = (tag, rejected)
                else:
                    rejected.add(tag)
            for row in self.database.execute(
                    "SELECT id, photo_id, x, y, w, h, quality, embedding, region_name FROM faces"
                    f" WHERE photo_id IN ({marks}) ORDER BY photo_id, x", chunk):
                name, rejected = decided.get(row[0], (None, set()))
                found[row[1]].append(StoredFace(row[0], row[1], FaceBox(*row[2:6]), row[6], _vector(row[7]), row[8],
                                                name, frozenset(rejected)))
        return found

    def face(self, profile: Profile, face_id: int) -> StoredFace | None:
        photo_id = self.database.scalar("SELECT photo_id FROM faces WHERE id = ?", (face_id,))
        if photo_id is None:
            return None
        return next(f for f in self.of_photos(profile, [photo_id])[photo_id] if f.id == face_id)

    def named(self, profile: Profile) -> list[tuple[str, int, int, np.ndarray]]:
        """Her named faces that have an embedding: (keyword, face id, photo id, embedding)."""
        return [(tag, face_id, photo_id, _vector(blob)) for tag, face_id, photo_id, blob in self.database.execute(
            "SELECT t.name, f.id, f.photo_id, f.embedding FROM face_names n JOIN faces f ON f.id = n.face_id"
            " JOIN tags t ON t.id = n.tag_id WHERE n.profile_id = ? AND n.state = 'named'"
            " AND f.embedding IS NOT NULL ORDER BY f.id", (profile.id,))]

    def unnamed(self, profile: Profile) -> list[StoredFace]:
        """Faces with an embedding that she has not named, best quality first."""
        ids = [row[0] for row in self.database.execute(
            "SELECT DISTINCT photo_id FROM faces f WHERE embedding IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM face_names n WHERE n.face_id = f.id AND n.profile_id = ? AND n.state = 'named')",
            (profile.id,))]
        faces = [f for photo in self.of_photos(profile, ids).values() for f in photo
                 if f.name is None and f.embedding is not None]
        return sorted(faces, key=lambda f: (-(f.quality or 0.0), f.id))

    def people(self, profile: Profile) -> list[tuple[str, int, int]]:
        """Her people: (keyword, faces named so, photos), most faces first."""
        return [tuple(row) for row in self.database.execute(
            "SELECT t.name, COUNT(*), COUNT(DISTINCT f.photo_id) FROM face_names n JOIN faces f ON f.id = n.face_id"
            " JOIN tags t ON t.id = n.tag_id WHERE n.profile_id = ? AND n.state = 'named'"
            " GROUP BY t.name ORDER BY COUNT(*) DESC, t.name", (profile.id,))]

    def count(self) -> int:
        return self.database.scalar("SELECT COUNT(*) FROM faces")

    def exist(self) -> bool:
        """Whether the library holds any face (asked on every tag change: no count needed)."""
        return bool(self.database.scalar("SELECT EXISTS (SELECT 1 FROM faces)"))

    # -- her decisions -------------------------------------------------------------------
    def name(self, profile: Profile, face_ids: Iterable[int], tag: str, source: str = "typed") -> None:
        """These faces are ``tag``: any other name she gave them is replaced, a rejection of
        ``tag`` on them is taken back."""
        [tag_id] = self._tags.ids([tag])
        with self.transaction() as conn:
            for face_id in face_ids:
                conn.execute("DELETE FROM face_names WHERE face_id = ? AND profile_id = ?"
                             " AND (state = 'named' OR tag_id = ?)", (face_id, profile.id, tag_id))
                conn.execute("INSERT INTO face_names (face_id, profile_id, tag_id, state, source, decided_at)"
                             " VALUES (?, ?, ?, 'named', ?, ?)", (face_id, profile.id, tag_id, source, utc_now()))

    def reject(self, profile: Profile, face_ids: Iterable[int], tag: str) -> None:
        """These faces are not ``tag``: never to be offered for them again (a name it had is taken off)."""
        [tag_id] = self._tags.ids([tag])
        with self.transaction() as conn:
            for face_id in face_ids:
                conn.execute("DELETE FROM face_names WHERE face_id = ? AND profile_id = ? AND tag_id = ?",
                             (face_id, profile.id, tag_id))
                conn.execute("INSERT INTO face_names (face_id, profile_id, tag_id, state, source, decided_at)"
                             " VALUES (?, ?, ?, 'rejected', 'typed', ?)", (face_id, profile.id, tag_id, utc_now()))

    def unname(self, profile: Profile, face_ids: Iterable[int]) -> None:
        with self.transaction() as conn:
            conn.executemany("DELETE FROM face_names WHERE face_id = ? AND profile_id = ? AND state = 'named'",
                             [(face_id, profile.id) for face_id in face_ids])

    def rename_person(self, profile: Profile, old: str, new: str) -> int:
        """Every face she named ``old`` is ``new`` (people merge): how many."""
        faces = [row[0] for row in self.database.execute(
            "SELECT n.face_id FROM face_names n JOIN tags t ON t.id = n.tag_id"
            " WHERE n.profile_id = ? AND t.name = ? AND n.state = 'named'", (profile.id, old))]
        self.name(profile, faces, new, "merged")
        return len(faces)

    def forget(self, profile: Profile, tag: str) -> int:
        """Forget a person: the embeddings of every face she named ``tag`` are deleted (the
        detector does not look at those photos again) and the names go; how many faces."""
        faces = [row[0] for row in self.database.execute(
            "SELECT n.face_id FROM face_names n JOIN tags t ON t.id = n.tag_id"
            " WHERE n.profile_id = ? AND t.name = ? AND n.state = 'named'", (profile.id, tag))]
        with self.transaction() as conn:
            conn.executemany("UPDATE faces SET embedding = NULL, quality = NULL WHERE id = ?", [(i,) for i in faces])
            conn.executemany("DELETE FROM face_names WHERE face_id = ?", [(i,) for i in faces])
        return len(faces)
