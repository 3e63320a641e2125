"""The store's embeddings: one vector per photo content and encoder (keyed by content, not by
photo: a moved or duplicated file keeps its vectors). The names of its reads and writes are
the engine's: the indexer writes through them (``EmbeddingStore``) and the history passes its
reads on to the suggester (``HistorySource``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..records import Photo
from .database import utc_now
from .photos import photo_from_row
from .repository import Repository


class Embeddings(Repository):
    def put_embeddings(self, encoder_id: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        now = utc_now()
        rows = []
        for content_hash, vector in items:
            vector = np.ascontiguousarray(vector, dtype=np.float32)
            rows.append((content_hash, encoder_id, vector.shape[0], vector.tobytes(), now))
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (content_hash, encoder_id, dim, vector, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def photos_without_embedding(self, encoder_id: str) -> list[Photo]:
        """Readable photos whose content has no vector from this encoder yet."""
        rows = self.database.query(
            "SELECT * FROM photos p WHERE p.status IN ('ok', 'warning') AND p.content_hash IS NOT NULL"
            " AND p.preview IS NOT 'none'"
            " AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = p.content_hash"
            " AND e.encoder_id = ?) ORDER BY p.path",
            (encoder_id,),
        )
        unique = {r["content_hash"]: photo_from_row(r) for r in rows}  # duplicates share one
        return list(unique.values())

    def embedding_matrix(self, encoder_id: str) -> tuple[list[str], np.ndarray]:
        """Every vector of an encoder: (content hashes, an n x dim float32 matrix)."""
        hashes, vectors = [], []
        for content_hash, blob in self.database.execute(
            "SELECT content_hash, vector FROM embeddings WHERE encoder_id = ?", (encoder_id,)
        ):
            hashes.append(content_hash)
            vectors.append(np.frombuffer(blob, dtype=np.float32))
        matrix = np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        return hashes, matrix

    def embedding_rows(self, encoder_id: str, content_hashes: Sequence[str]) -> tuple[list[int], np.ndarray]:
        """(positions in ``content_hashes`` that have a vector, their vectors as one float32
        matrix), read straight into the matrix: no array per photo for 100,000 photos."""
        position: dict[str, list[int]] = {}
        for i, h in enumerate(content_hashes):
            if h:
                position.setdefault(h, []).append(i)  # duplicates share the vector
        found: list[int] = []
        blobs: list[bytes] = []
        hashes = list(position)
        for start in range(0, len(hashes), 500):  # SQLite's limit on bound parameters
            chunk = hashes[start:start + 500]
            for content_hash, blob in self.database.execute(
                f"SELECT content_hash, vector FROM embeddings WHERE encoder_id = ?"
                f" AND content_hash IN ({', '.join('?' * len(chunk))})", (encoder_id, *chunk)):
                found += position[content_hash]
                blobs += [blob] * len(position[content_hash])
        if not blobs:
            return [], np.zeros((0, 0), dtype=np.float32)
        matrix = np.empty((len(blobs), len(blobs[0]) // 4), dtype=np.float32)
        for row, blob in enumerate(blobs):
            matrix[row] = np.frombuffer(blob, dtype=np.float32)
        return found, matrix

    def embeddings(self, encoder_id: str, content_hashes: Iterable[str]) -> dict[str, np.ndarray]:
        found = {}
        hashes = list(dict.fromkeys(content_hashes))
        for start in range(0, len(hashes), 500):  # SQLite's limit on bound parameters
            chunk = hashes[start:start + 500]
            for content_hash, blob in self.database.execute(
                f"SELECT content_hash, vector FROM embeddings WHERE encoder_id = ?"
                f" AND content_hash IN ({', '.join('?' * len(chunk))})",
                (encoder_id, *chunk),
            ):
                found[content_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def copy_embeddings(self, from_hash: str, to_hash: str) -> None:
        """A file rewritten with the same pixels (keywords embedded) keeps its vectors."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO embeddings (content_hash, encoder_id, dim, vector, created_at)"
                " SELECT ?, encoder_id, dim, vector, created_at FROM embeddings WHERE content_hash = ?",
                (to_hash, from_hash),
            )

    def drop_embeddings(self, encoder_id: str) -> int:
        """Forget every embedding of one encoder (e.g. a fine-tuned encoder that was not kept)."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM embeddings WHERE encoder_id = ?", (encoder_id,)).rowcount

    def has_embeddings(self, encoder_id: str) -> bool:
        return self.database.execute("SELECT 1 FROM embeddings WHERE encoder_id = ? LIMIT 1",
                                     (encoder_id,)).fetchone() is not None
