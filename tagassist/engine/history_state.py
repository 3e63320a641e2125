"""A profile's history and calibration as plain arrays, and back: what a cache of the engine's
state holds (``services/engine_cache.py`` keeps it in a file), so that a process suggests
without reading 100,000 photos' rows and vectors from SQLite and replaying her newest shoots.

Only the rows are kept (each photo's tags, time, place, camera, vector); the counts, habits
and indexes are derived from them again (``ProfileHistory._derive``: vectorised, tens of
milliseconds), so a state can only be as consistent as a build. Numbers and strings only: no
pickle, nothing that runs code when read."""

from __future__ import annotations

import numpy as np

from .calibration import Calibration
from .history import ProfileHistory, _Buffer

FORMAT = 1


def _strings(values) -> np.ndarray:
    return np.array(["" if v is None else v for v in values], dtype=np.str_)


def history_arrays(h: ProfileHistory, calibration: Calibration) -> dict[str, np.ndarray]:
    """Everything ``restore`` needs, as arrays of numbers and unicode."""
    lengths = np.fromiter(map(len, h.row_tags), dtype=np.int64, count=len(h.row_tags))
    rejected = [(pid, *entry) for pid, entries in h._rejections.items() for entry in entries]
    return {
        "format": np.array([FORMAT]),
        "exclude": np.array(sorted(h.exclude_photo_ids), dtype=np.int64),
        "tags": _strings(h.tags),
        "cameras": _strings(h.camera_index),  # in index order: dicts keep it
        "row_lengths": lengths,
        "row_columns": np.concatenate(h.row_tags) if h.row_tags else np.zeros(0, dtype=np.int64),
        "content_hashes": _strings(h.content_hashes),
        "has_hash": np.array([c is not None for c in h.content_hashes], dtype=bool),
        "ids": h._ids.view, "hours": h._hours.view, "lats": h._lats.view, "lons": h._lons.view,
        "used": h._used.view, "buckets": h._buckets.view.reshape(-1, 3), "alive": h._alive.view,
        "vectors": h._vectors.view, "vector_row": h._vector_row.view,
        "rejected_ids": np.array([r[0] for r in rejected], dtype=np.int64),
        "rejected_tags": _strings(r[1] for r in rejected),
        "rejected_at": _strings(r[2] for r in rejected),
        "rejected_lats": np.array([np.nan if r[3] is None else r[3] for r in rejected], dtype=np.float64),
        "rejected_lons": np.array([np.nan if r[4] is None else r[4] for r in rejected], dtype=np.float64),
        "calibration": np.array([calibration.a, calibration.b, calibration.suggestions], dtype=np.float64),
    }


def _buffer(values: np.ndarray, dtype, width: int | None = None) -> _Buffer:
    """A buffer holding ``values`` itself: no second copy of 100,000 vectors."""
    buffer = _Buffer(dtype, width)
    values = np.ascontiguousarray(values, dtype=dtype)
    if len(values):
        buffer.data, buffer.n = values, len(values)
        buffer.width = None if width is None else values.shape[1]
    return buffer


def restore(arrays, encoder_id: str | None) -> tuple[ProfileHistory, Calibration]:
    """The history and calibration ``history_arrays`` kept; raises ValueError (or KeyError)
    on arrays that do not fit together, so a damaged cache is rebuilt, never used."""
    if int(arrays["format"][0]) != FORMAT:
        raise ValueError("another format")
    h = ProfileHistory.__new__(ProfileHistory)
    h.encoder_id = encoder_id
    h.exclude_photo_ids = frozenset(arrays["exclude"].tolist())
    h.tags = arrays["tags"].tolist()
    h.tag_index = {t: i for i, t in enumerate(h.tags)}
    h.camera_index = {c: i for i, c in enumerate(arrays["cameras"].tolist())}
    lengths, columns = arrays["row_lengths"], arrays["row_columns"]
    n = len(lengths)
    if int(lengths.sum()) != len(columns) or (len(columns) and (columns.min() < 0 or columns.max() >= len(h.tags))):
        raise ValueError("rows do not fit the vocabulary")
    h.row_tags = np.split(columns.astype(np.int64), np.cumsum(lengths)[:-1]) if n else []
    hashes, has_hash = arrays["content_hashes"].tolist(), arrays["has_hash"]
    h.content_hashes = [c if has else None for c, has in zip(hashes, has_hash)]
    ids = arrays["ids"]
    h._ids, h._hours = _buffer(ids, np.int64), _buffer(arrays["hours"], np.float64)
    h._lats, h._lons = _buffer(arrays["lats"], np.float64), _buffer(arrays["lons"], np.float64)
    h._used, h._alive = _buffer(arrays["used"], np.float64), _buffer(arrays["alive"], bool)
    h._buckets = _buffer(arrays["buckets"].reshape(-1, 3), np.int64, 3)
    h._vectors, h._vector_row = _buffer(arrays["vectors"], np.float32, 0), _buffer(arrays["vector_row"], np.int64)
    sizes = {len(h.content_hashes), h._ids.n, h._hours.n, h._lats.n, h._lons.n, h._used.n, h._alive.n, h._buckets.n}
    if sizes != {n} or h._vectors.n != h._vector_row.n or (h._vector_row.n and h._vector_row.view.max() >= n):
        raise ValueError("arrays of different lengths")
    names = {i: c for c, i in h.camera_index.items()}
    h.cameras = [names.get(int(b)) for b in h._buckets.view[:, 2]] if n else []
    h.row_of = {int(pid): row for row, pid in enumerate(ids.tolist())}
    h._positions = {}
    for position, row in enumerate(h._vector_row.view.tolist()):
        h._positions.setdefault(h.content_hashes[row], []).append(position)
    h._rejections = {}
    for pid, tag, at, lat, lon in zip(arrays["rejected_ids"].tolist(), arrays["rejected_tags"].tolist(),
                                      arrays["rejected_at"].tolist(), arrays["rejected_lats"].tolist(),
                                      arrays["rejected_lons"].tolist()):
        h._rejections.setdefault(pid, []).append((tag, at or None, None if np.isnan(lat) else lat,
                                                  None if np.isnan(lon) else lon))
    h._set_rejections([])
    h._derive()
    a, b, count = arrays["calibration"].tolist()
    return h, Calibration(a, b, int(count))
