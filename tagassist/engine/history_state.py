"""A profile's history and calibration as plain arrays, and back: what a cache of the engine's
state holds (``services/engine_cache.py`` keeps it in a file), so that a process suggests
without reading 100,000 photos' rows and vectors from SQLite and replaying her newest shoots.

The rows are kept (each photo's tags, time, place, camera, vector) and what a build derives
from them (counts, habits, the inverse index, the places: ``ProfileHistory.derived``), so a
restore runs no loop over the rows: at 100,000 photos the derivation alone was 0.4 s of every
cold ``tagassist suggest``. Everything is checked to fit together (lengths, ranges), and the
vectors, which the cache may hand in memory-mapped rather than read (and so unchecked by the
zip's CRC), against a checksum kept with them. Numbers and strings only: no pickle, nothing
that runs code when read."""

from __future__ import annotations

import numpy as np

from .calibration import Calibration
from .history import ProfileHistory
from .history_arrays import GrowingArray, RowTags

FORMAT = 4  # 2: what a build derives is kept too, and the vectors' checksum; 3: a sum of 64-bit words, hashes as
# UTF-8; 4: the checksum weighs each row by its place


def _strings(values) -> np.ndarray:
    return np.array(["" if v is None else v for v in values], dtype=np.str_)


def vector_checksum(vectors: np.ndarray) -> np.ndarray:
    """Sums of the vectors' 32-bit words (wrapping), over all the rows and weighted by each
    row's place, and their size in bytes: a flipped bit, a zeroed page or a cut changes them, and
    so do the same vectors on other rows (a state written beside another writer's vectors file,
    its rows in another order) at a third of the cost of a CRC."""
    rows = np.ascontiguousarray(vectors, dtype=np.float32)
    words = rows.reshape(len(rows), rows.size // max(len(rows), 1)).view(np.uint32)
    per_row = np.add.reduce(words, axis=1, dtype=np.uint64)
    place = np.arange(1, len(per_row) + 1, dtype=np.uint64)
    return np.array([np.add.reduce(per_row, dtype=np.uint64), np.add.reduce(per_row * place, dtype=np.uint64),
                     rows.nbytes], dtype=np.uint64)


def history_arrays(h: ProfileHistory, calibration: Calibration) -> dict[str, np.ndarray]:
    """Everything ``restore`` needs, as arrays of numbers and unicode."""
    rejected = [(pid, *entry) for pid, entries in h._rejections.items() for entry in entries]
    return {
        "format": np.array([FORMAT]),
        "exclude": np.array(sorted(h.exclude_photo_ids), dtype=np.int64),
        "tags": _strings(h.tags),
        "cameras": _strings(h.camera_index),  # in index order: dicts keep it
        "row_lengths": h.row_tags.lengths(),
        "row_columns": h.row_tags.concatenated(),
        "content_hashes": np.array([(c or "").encode() for c in h.content_hashes], dtype=np.bytes_),  # UTF-8
        "has_hash": np.array([c is not None for c in h.content_hashes], dtype=bool),
        "ids": h._ids.view, "hours": h._hours.view, "lats": h._lats.view, "lons": h._lons.view,
        "used": h._used.view, "buckets": h._buckets.view.reshape(-1, 3), "alive": h._alive.view,
        "vectors": h._vectors.view, "vector_row": h._vector_row.view, "vector_sum": vector_checksum(h._vectors.view),
        "rejected_ids": np.array([r[0] for r in rejected], dtype=np.int64),
        "rejected_tags": _strings(r[1] for r in rejected),
        "rejected_at": _strings(r[2] for r in rejected),
        "rejected_lats": np.array([np.nan if r[3] is None else r[3] for r in rejected], dtype=np.float64),
        "rejected_lons": np.array([np.nan if r[4] is None else r[4] for r in rejected], dtype=np.float64),
        "calibration": np.array([calibration.a, calibration.b, calibration.suggestions], dtype=np.float64),
        **{f"derived_{name}": values for name, values in h.derived().items()},
    }


def _buffer(values: np.ndarray, dtype, width: int | None = None) -> GrowingArray:
    """A buffer holding ``values`` itself: no second copy of 100,000 vectors."""
    buffer = GrowingArray(dtype, width)
    values = np.ascontiguousarray(values, dtype=dtype)
    if len(values):
        buffer.data, buffer.n = values, len(values)
        buffer.width = None if width is None else values.shape[1]
    return buffer


def restore(arrays, encoder_id: str | None) -> tuple[ProfileHistory, Calibration]:
    """The history and calibration ``history_arrays`` kept; raises ValueError (or KeyError)
    on arrays that do not fit together, so a damaged cache is rebuilt, never used. The
    history's dicts of rows (``row_of``, ``content_hashes``, ``cameras``) are made at their
    first use, which a suggestion never makes."""
    if int(arrays["format"][0]) != FORMAT:
        raise ValueError("another format")
    h = ProfileHistory.__new__(ProfileHistory)
    h.encoder_id = encoder_id
    h.exclude_photo_ids = frozenset(arrays["exclude"].tolist())
    h.tags = arrays["tags"].tolist()
    h.tag_index = {t: i for i, t in enumerate(h.tags)}
    h.camera_index = {c: i for i, c in enumerate(arrays["cameras"].tolist())}
    lengths, columns = arrays["row_lengths"].astype(np.int64), arrays["row_columns"].astype(np.int64)
    n, v = len(lengths), len(h.tags)
    if int(lengths.sum()) != len(columns) or (len(lengths) and lengths.min() < 0) \
            or (len(columns) and (columns.min() < 0 or columns.max() >= v)):
        raise ValueError("rows do not fit the vocabulary")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    h.row_tags = RowTags(indptr, columns)
    hashes, has_hash = arrays["content_hashes"], arrays["has_hash"].astype(bool)
    h._ids, h._hours = _buffer(arrays["ids"], np.int64), _buffer(arrays["hours"], np.float64)
    h._lats, h._lons = _buffer(arrays["lats"], np.float64), _buffer(arrays["lons"], np.float64)
    h._used, h._alive = _buffer(arrays["used"], np.float64), _buffer(arrays["alive"], bool)
    h._buckets = _buffer(arrays["buckets"].reshape(-1, 3), np.int64, 3)
    vectors = arrays["vectors"]
    if not np.array_equal(vector_checksum(vectors), arrays["vector_sum"]):
        raise ValueError("the vectors are not the ones kept")
    h._vectors, h._vector_row = _buffer(vectors, np.float32, 0), _buffer(arrays["vector_row"], np.int64)
    sizes = {len(hashes), len(has_hash), h._ids.n, h._hours.n, h._lats.n, h._lons.n, h._used.n, h._alive.n,
             h._buckets.n}
    if sizes != {n} or h._vectors.n != h._vector_row.n or (h._vector_row.n and h._vector_row.view.max() >= n):
        raise ValueError("arrays of different lengths")
    if n and (h._buckets.view[:, 2].max() >= len(h.camera_index) or h._buckets.view.min() < -1):
        raise ValueError("a camera that is not kept")
    h._kept_hashes = (hashes, has_hash, h._vectors.n)
    h._positions = {}  # the vectors added after this: ``positions_of`` finds the kept ones
    h._rejections = {}
    for pid, tag, at, lat, lon in zip(arrays["rejected_ids"].tolist(), arrays["rejected_tags"].tolist(),
                                      arrays["rejected_at"].tolist(), arrays["rejected_lats"].tolist(),
                                      arrays["rejected_lons"].tolist()):
        h._rejections.setdefault(pid, []).append((tag, at or None, None if np.isnan(lat) else lat,
                                                  None if np.isnan(lon) else lon))
    h._set_rejections([])
    derived = {name: arrays[f"derived_{name}"] for name in _DERIVED}
    _check_derived(derived, n, v, len(columns), max(len(h.camera_index), 1))
    h._adopt_derived(derived)
    a, b, count = arrays["calibration"].tolist()
    return h, Calibration(a, b, int(count))


_DERIVED = ("counts", "last_used", "tag_rows", "tag_row_lengths", "is_place", "place_lats", "place_lons",
            "daypart_counts", "daypart_totals", "season_counts", "season_totals", "camera_counts", "camera_totals")


def _check_derived(derived: dict[str, np.ndarray], n: int, v: int, entries: int, cameras: int) -> None:
    """ValueError unless the derived arrays have the shapes the rows give them."""
    shapes = {"counts": (v,), "last_used": (v,), "tag_rows": (entries,), "tag_row_lengths": (v,), "is_place": (v,),
              "place_lats": (v,), "place_lons": (v,), "daypart_counts": (4, v), "daypart_totals": (4,),
              "season_counts": (4, v), "season_totals": (4,), "camera_counts": (cameras, v),
              "camera_totals": (cameras,)}
    for name, shape in shapes.items():
        if derived[name].shape != shape:
            raise ValueError(f"{name} does not fit the rows")
    rows, lengths = derived["tag_rows"], derived["tag_row_lengths"]
    if int(lengths.sum()) != entries or (entries and (rows.min() < 0 or rows.max() >= n)) \
            or not np.array_equal(lengths, derived["counts"]):
        raise ValueError("the tags' rows do not fit the rows")
