"""Ranking a profile's vocabulary for one photo.

Each signal scores every tag of the vocabulary in [0, 1] as one numpy vector (``signals``);
``rank`` combines them (``ranker.py``: a weighted noisy-OR, so any strong signal alone can
carry a tag and agreeing signals reinforce each other, or the photographer's learned ranker)
and the signal contributing most to a tag gives its one-line reason. Signals that work
before any training:

- frequency: the profile's own tag counts, with recency;
- co-occurrence with tags already on the photo (as darktable suggests);
- visual neighbours: k-NN over embeddings of the profile's tagged photos;
- the shoot: tagged photos taken close in time and place;
- others: what the library's other photographers (profiles) tagged this very photo;
- habits by time of day, season and camera;
- content words from ImageNet predictions (all of them for a new profile; those in the
  vocabulary otherwise).

A trained personalized model, when the profile has one, is one more signal, and brings the
ranker learned with it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..store import Photo, Profile, Store
from .calibration import Calibration, fit_calibration
from .indexer import content_encoder_id
from .ranker import SIGNALS, SignalRanker, combine, default_weights
from .shoots import newest_shoots_start, shoot_ids

NEIGHBOURS = 15
# Full visual confidence needs the weight of about three strong neighbours (cosine 0.8):
# a photo unlike anything tagged gets weak votes, not confident ones.
VISUAL_EVIDENCE = 3 * 0.8**3
SHOOT_HOURS = 6.0
SHOOT_KM = 1.0
COLD_START_PHOTOS = 20  # below this many tagged photos, generic content words are offered
HALF_LIFE_DAYS = 180.0
REJECTIONS_TO_MUTE = 3  # rejected this often in one shoot (and more than used): not suggested there again
SEASONS = ("winter", "spring", "summer", "autumn")
DAYPARTS = ("at night", "in the morning", "in the afternoon", "in the evening")


@dataclass(frozen=True)
class Signals:
    """Every signal's score for every candidate tag of one photo."""

    vocabulary: list[str]  # the profile's tags, then extra candidates (content words, ...)
    values: np.ndarray  # (len(SIGNALS), len(vocabulary)), each in [0, 1]
    excluded: list[int]  # columns never suggested: on the photo, rejected there, muted
    known: int  # how many columns are the profile's own tags
    details: dict  # what the reasons quote


@dataclass(frozen=True)
class Suggestion:
    tag: str
    score: float
    reason: str


def _epoch_hours(taken_at: str | None) -> float:
    if not taken_at:
        return math.nan
    try:
        return datetime.fromisoformat(taken_at).timestamp() / 3600.0
    except ValueError:
        return math.nan


# Hour of day -> part of day as photographers speak of it: night 21-5, morning 5-11,
# afternoon 11-17, evening 17-21 (indices into DAYPARTS).
_DAYPART_OF_HOUR = [0] * 5 + [1] * 6 + [2] * 6 + [3] * 4 + [0] * 3


def _daypart(taken_at: str | None) -> int:
    if not taken_at or len(taken_at) < 13 or not taken_at[11:13].isdigit():
        return -1
    return _DAYPART_OF_HOUR[int(taken_at[11:13]) % 24]


def _season(taken_at: str | None) -> int:
    return -1 if not taken_at else int(taken_at[5:7]) % 12 // 3


def _camera(photo: Photo) -> str | None:
    return " ".join(filter(None, [photo.camera_make, photo.camera_model])) or None


def _haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat, lon, lats, lons))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _in_context(photo: Photo, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Which of the given photos (their hours, latitudes, longitudes) belong to ``photo``'s
    shoot: close in time, or, when it has no date, in place."""
    near = np.zeros(len(hours), dtype=bool)
    when = _epoch_hours(photo.taken_at)
    if not math.isnan(when):
        near |= np.nan_to_num(np.abs(hours - when), nan=np.inf) < SHOOT_HOURS
    elif photo.gps_lat is not None and photo.gps_lon is not None:
        near |= np.nan_to_num(_haversine_km(photo.gps_lat, photo.gps_lon, lats, lons), nan=np.inf) < SHOOT_KM
    return near


def _top_k(scores: np.ndarray, names: Sequence[str], k: int) -> list[int]:
    """Indices of the k best positive scores, ties by name: deterministic, and without sorting
    the whole vocabulary (argpartition first; every tie at the boundary is kept for the sort)."""
    scores = np.round(scores, 12)
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        kth = -np.partition(-scores[candidates], k - 1)[k - 1]
        candidates = candidates[scores[candidates] >= kth]
    return sorted(candidates.tolist(), key=lambda i: (-scores[i], names[i]))[:k]


OCCASION_GAP_HOURS = 48.0  # uses of a tag this far apart are separate occasions (trips, events)
PLACE_KM = 50.0  # a tag whose geotagged uses all lie this close to their centre names a place


def _occasions(hours: np.ndarray) -> float:
    """On how many separate occasions a tag was used: its photos' times in runs with less than
    OCCASION_GAP_HOURS between them; undated photos count as one more, and a tag used only on
    undated photos as any number (nothing says it belongs to one occasion)."""
    dated = np.sort(hours[~np.isnan(hours)])
    if not len(dated):
        return math.inf
    return 1 + int(np.count_nonzero(np.diff(dated) > OCCASION_GAP_HOURS)) + int(len(dated) < len(hours))


def model_support(occasions: np.ndarray, shoot: np.ndarray) -> np.ndarray:
    """How much the trained model may count for each tag: a visual model can recognise what
    recurs (a forest, a dog, architecture), not which trip or event a photo belongs to. A tag
    of one occasion (Rome2023, a place visited once) gets the model's support only where the
    photo's own shoot has it; from three occasions on, fully."""
    support = np.clip((occasions - 1.0) / 2.0, 0.0, 1.0)
    return np.where(shoot > 0, 1.0, support)


_NO_TAGS = np.zeros(0, dtype=np.int64)


def _used_hours(rows: list[tuple]) -> float:
    """When a photo's tags were given, for recency: when it was taken, else when it was tagged."""
    used = _epoch_hours(rows[0][2])
    return max((_epoch_hours(r[8][:19]) for r in rows), default=math.nan) if math.isnan(used) else used


def _by_photo(entries: list[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for entry in entries:
        grouped.setdefault(entry[0], []).append(entry)
    return grouped


class _Buffer:
    """A numpy array that grows by doubling (appending 1 row to 100,000 copies nothing)."""

    def __init__(self, dtype, width: int | None = None):
        self.dtype, self.width, self.n = dtype, width, 0
        self.data = np.zeros((16,) if width is None else (16, width), dtype=dtype)

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        if self.width is not None and self.data.shape[1] != values.shape[1]:  # the first rows
            self.data = np.empty((len(values) + 64, values.shape[1]), dtype=self.dtype)
            self.width = values.shape[1]
        need = self.n + len(values)
        if need > len(self.data):
            grown = np.empty((max(2 * need, 16),) + self.data.shape[1:], dtype=self.dtype)
            grown[:self.n] = self.data[:self.n]
            self.data = grown
        self.data[self.n:need] = values
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self.data[:self.n]


class ProfileHistory:
    """Everything the signals need from one profile's history, as arrays.

    Built once from the store; after tags change on some photos, ``update`` reads just those
    photos again and adjusts the counts, habits and indexes of the tags that changed, so a
    keystroke costs milliseconds, not a re-read of a 100,000-photo history and its embeddings.
    A tag whose last photo lost it keeps its column with a count of 0 (never suggested); a
    photo that lost all its tags keeps its row, and is nowhere in time or place.
    """

    def __init__(self, store: Store, profile: Profile, encoder_id: str | None, exclude_photo_ids=frozenset(),
                 rows: list[tuple] | None = None):
        self.encoder_id = encoder_id
        self.exclude_photo_ids = frozenset(exclude_photo_ids)  # held-out photos, when validating
        self.tags: list[str] = []
        self.tag_index: dict[str, int] = {}
        self.camera_index: dict[str, int] = {}
        self.row_of: dict[int, int] = {}  # photo id -> row
        self.row_tags: list[np.ndarray] = []  # per row: its tag columns, sorted
        self.content_hashes: list[str | None] = []
        self.cameras: list[str | None] = []
        self._ids, self._hours = _Buffer(np.int64), _Buffer(np.float64)
        self._lats, self._lons = _Buffer(np.float64), _Buffer(np.float64)
        self._used = _Buffer(np.float64)  # when the photo's tags were given: taken, else tagged
        self._buckets = _Buffer(np.int64, 3)  # daypart, season, camera
        self._alive = _Buffer(bool)
        self._vectors = _Buffer(np.float32, 0)
        self._vector_row = _Buffer(np.int64)
        self._positions: dict[str, list[int]] = {}  # content hash -> positions in the vectors
        self._rejections: dict[int, list[tuple]] = {}
        rows = store.history_rows(profile) if rows is None else rows  # rows: already read by the caller
        entries = [r for r in rows if r[0] not in self.exclude_photo_ids]
        for tag in sorted({r[7] for r in entries}):  # columns in name order, as every build has them
            self._column(tag)
        self._add_rows(store, _by_photo(entries))
        self._set_rejections(store.rejection_rows(profile, with_photo=True))
        self._derive()

    def update(self, store: Store, profile: Profile, photo_ids) -> None:
        """Read these photos' tags and rejections again (after the photographer changed them)."""
        ids = [pid for pid in dict.fromkeys(photo_ids) if pid not in self.exclude_photo_ids]
        if not ids:
            return
        by_photo = _by_photo(store.history_rows(profile, photo_ids=ids))
        known = {pid: rows for pid, rows in by_photo.items() if pid in self.row_of}
        changes = []  # (row, columns before, columns now)
        for pid in ids:
            if pid in self.row_of and pid not in by_photo:
                changes.append((self.row_of[pid], self.row_tags[self.row_of[pid]], _NO_TAGS))
        for pid, rows in known.items():
            row = self.row_of[pid]
            columns = np.array(sorted({self._column(r[7]) for r in rows}), dtype=np.int64)
            changes.append((row, self.row_tags[row], columns))
            self._used.data[row] = _used_hours(rows)
        first_new = len(self.row_tags)
        self._add_rows(store, {pid: rows for pid, rows in by_photo.items() if pid not in self.row_of})
        changes += [(row, _NO_TAGS, self.row_tags[row]) for row in range(first_new, len(self.row_tags))]
        for pid in ids:
            self._rejections.pop(pid, None)
        self._set_rejections(store.rejection_rows(profile, photo_ids=ids, with_photo=True))
        self._apply(changes)

    # -- rows ---------------------------------------------------------------------------
    def _column(self, tag: str) -> int:
        if tag not in self.tag_index:
            self.tag_index[tag] = len(self.tags)
            self.tags.append(tag)
        return self.tag_index[tag]

    def _add_rows(self, store: Store, by_photo: dict[int, list[tuple]]) -> None:
        first = len(self.row_tags)
        hours, lats, lons, used, buckets = [], [], [], [], []
        for pid, rows in by_photo.items():
            _, content_hash, taken_at, lat, lon, make, model, _, _ = rows[0]
            camera = " ".join(filter(None, [make, model])) or None
            if camera and camera not in self.camera_index:
                self.camera_index[camera] = len(self.camera_index)
            self.row_of[pid] = len(self.row_tags)
            self.row_tags.append(np.array(sorted({self._column(r[7]) for r in rows}), dtype=np.int64))
            self.content_hashes.append(content_hash)
            self.cameras.append(camera)
            hours.append(_epoch_hours(taken_at))
            lats.append(lat if lat is not None else np.nan)
            lons.append(lon if lon is not None else np.nan)
            used.append(_used_hours(rows))
            buckets.append((_daypart(taken_at), _season(taken_at), self.camera_index[camera] if camera else -1))
        if not hours:
            return
        self._ids.extend(list(by_photo))
        self._hours.extend(hours)
        self._lats.extend(lats)
        self._lons.extend(lons)
        self._used.extend(used)
        self._buckets.extend(np.array(buckets, dtype=np.int64).reshape(-1, 3))
        self._alive.extend(np.ones(len(hours), dtype=bool))
        if self.encoder_id:
            rows = list(range(first, len(self.row_tags)))
            found, matrix = store.embedding_rows(self.encoder_id, [self.content_hashes[r] for r in rows])
            if found:
                start = self._vectors.n
                self._vectors.extend(matrix)
                block = self._vectors.data[start:self._vectors.n]  # unit length, in place
                block /= np.sqrt(np.einsum("ij,ij->i", block, block))[:, None] + 1e-8
                self._vector_row.extend([rows[i] for i in found])
                for position, i in enumerate(found, start):
                    self._positions.setdefault(self.content_hashes[rows[i]], []).append(position)

    def _set_rejections(self, rows: list[tuple]) -> None:
        for pid, tag, taken_at, lat, lon in rows:
            if pid not in self.exclude_photo_ids:
                self._rejections.setdefault(pid, []).append((tag, taken_at, lat, lon))
        every = [entry for entries in self._rejections.values() for entry in entries]
        self.rejected_tags = [r[0] for r in every]
        self.rejected_hours = np.array([_epoch_hours(r[1]) for r in every])
        self.rejected_lats = np.array([r[2] if r[2] is not None else np.nan for r in every], dtype=float)
        self.rejected_lons = np.array([r[3] if r[3] is not None else np.nan for r in every], dtype=float)

    # -- the arrays the signals read ----------------------------------------------------
    def _derive(self) -> None:
        """Every array from the rows, vectorised (a build)."""
        n, v = len(self.row_tags), len(self.tags)
        lengths = np.fromiter(map(len, self.row_tags), dtype=np.int64, count=n)
        indices = np.concatenate(self.row_tags) if n else np.zeros(0, dtype=np.int64)
        entry_row = np.repeat(np.arange(n), lengths)
        self.counts = np.bincount(indices, minlength=v).astype(np.float64)
        used = self._used.view[entry_row]
        self._last_used = np.full(v, -np.inf)
        finite = np.isfinite(used)
        np.maximum.at(self._last_used, indices[finite], used[finite])
        buckets = self._buckets.view
        self._habit_counts = []
        for k, n_buckets in enumerate((4, 4, max(len(self.camera_index), 1))):
            counts = np.zeros((n_buckets, v))
            entry_bucket = buckets[entry_row, k] if n else np.zeros(0, dtype=np.int64)
            valid = entry_bucket >= 0
            counts += np.bincount(entry_bucket[valid] * v + indices[valid], minlength=n_buckets * v).reshape(n_buckets, v)
            rows = self._alive.view & (buckets[:, k] >= 0) if n else np.zeros(0, dtype=bool)
            totals = np.bincount(buckets[rows, k], minlength=n_buckets)[:n_buckets].astype(np.float64)
            self._habit_counts.append((counts, totals))
        order = np.argsort(indices, kind="stable")
        self.tag_rows = np.split(entry_row[order], np.cumsum(np.bincount(indices, minlength=v))[:-1])
        self._build_csr()
        self._publish()

    def _apply(self, changes: list[tuple[int, np.ndarray, np.ndarray]]) -> None:
        """Adjust counts, habits, last use and the inverse index for the rows that changed."""
        v = len(self.tags)
        grow = v - len(self.counts)
        if grow:  # new tags: new columns everywhere
            self.counts = np.concatenate([self.counts, np.zeros(grow)])
            self._last_used = np.concatenate([self._last_used, np.full(grow, -np.inf)])
            self._habit_counts = [(np.hstack([c, np.zeros((len(c), grow))]), t) for c, t in self._habit_counts]
            self.tag_rows += [np.zeros(0, dtype=np.int64) for _ in range(grow)]
        if len(self.camera_index) > len(self._habit_counts[2][0]):  # a new camera: a new bucket
            counts, totals = self._habit_counts[2]
            extra = len(self.camera_index) - len(counts)
            self._habit_counts[2] = (np.vstack([counts, np.zeros((extra, v))]), np.concatenate([totals, np.zeros(extra)]))
        recheck: set[int] = set()
        for row, before, now in changes:
            self._mark_stale(row)
            removed, added = np.setdiff1d(before, now), np.setdiff1d(now, before)
            was, alive = len(before) > 0, len(now) > 0
            self.row_tags[row] = now
            self._alive.data[row] = alive
            self.counts[removed] -= 1
            self.counts[added] += 1
            for k, (counts, totals) in enumerate(self._habit_counts):
                bucket = self._buckets.data[row, k]
                if bucket >= 0:
                    counts[bucket, removed] -= 1
                    counts[bucket, added] += 1
                    totals[bucket] += int(alive) - int(was)
            for t in removed:
                self.tag_rows[t] = self.tag_rows[t][self.tag_rows[t] != row]
            for t in added:
                self.tag_rows[t] = np.union1d(self.tag_rows[t], [row])
            recheck.update(now.tolist())
            recheck.update(removed.tolist())
        if self._stale_count > 5000:  # many photos retagged since the last build: build it again
            self._build_csr()
        used = self._used.view
        for t in recheck:  # a tag's last use, from the photos that carry it now
            when = used[self.tag_rows[t]]
            when = when[np.isfinite(when)]
            self._last_used[t] = when.max() if len(when) else -np.inf
        self._publish()

    def _publish(self) -> None:
        """The derived views the signals read."""
        alive = self._alive.view
        self.n_photos = int(alive.sum())
        self.photo_ids = self._ids.view
        self.hours = np.where(alive, self._hours.view, np.nan)
        self.lats = np.where(alive, self._lats.view, np.nan)
        self.lons = np.where(alive, self._lons.view, np.nan)
        newest = np.nanmax(self.hours) if self.n_photos and not np.all(np.isnan(self.hours)) else 0.0
        age_days = np.where(np.isfinite(self._last_used), (newest - self._last_used) / 24.0, 10 * HALF_LIFE_DAYS)
        self.recency = 0.5 ** (np.clip(age_days, 0, None) / HALF_LIFE_DAYS)
        self.daypart, self.season, self.camera = self._habit_counts
        self.embedded_rows = self._vector_row.view
        self.embeddings = self._vectors.view
        self.embedding_alive = alive[self.embedded_rows] if len(self.embedded_rows) else np.zeros(0, dtype=bool)
        self.embedding_position = self._positions
        self.__dict__.pop("occasions", None)
        self.__dict__.pop("places", None)

    def _build_csr(self) -> None:
        """Photo x tag incidence: tags of row i are indices[indptr[i]:indptr[i+1]]. Rows that
        change later are marked stale and read from ``row_tags`` until the next build."""
        lengths = np.fromiter(map(len, self.row_tags), dtype=np.int64, count=len(self.row_tags))
        self._indptr = np.zeros(len(self.row_tags) + 1, dtype=np.int64)
        self._indptr[1:] = np.cumsum(lengths)
        self._indices = np.concatenate(self.row_tags) if self.row_tags else np.zeros(0, dtype=np.int64)
        self._stale = np.zeros(len(self.row_tags), dtype=bool)
        self._stale_count = 0

    def _mark_stale(self, row: int) -> None:
        if row < len(self._stale) and not self._stale[row]:
            self._stale[row] = True
            self._stale_count += 1

    @functools.cached_property
    def occasions(self) -> np.ndarray:
        """Per tag, on how many occasions it was used (only a trained model needs it)."""
        return np.array([_occasions(self.hours[rows]) for rows in self.tag_rows], dtype=np.float64)

    @functools.cached_property
    def places(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per tag: whether it names a place (its geotagged uses, two or more, all lie within
        PLACE_KM of their centre), and that centre (only a trained model needs it)."""
        v = len(self.tags)
        is_place, lat, lon = np.zeros(v, dtype=bool), np.full(v, np.nan), np.full(v, np.nan)
        for t, rows in enumerate(self.tag_rows):
            lats, lons = self.lats[rows], self.lons[rows]
            known = np.isfinite(lats) & np.isfinite(lons)
            if known.sum() < 2:
                continue
            lat[t], lon[t] = lats[known].mean(), lons[known].mean()
            is_place[t] = _haversine_km(lat[t], lon[t], lats[known], lons[known]).max() <= PLACE_KM
        return is_place, lat, lon

    def place_support(self, photo: Photo) -> np.ndarray:
        """1 per tag, but 0 for a place tag on a photo taken far from that place: no look of a
        photo makes it the Black Forest when its GPS says Portugal."""
        support = np.ones(len(self.tags))
        if photo.gps_lat is None or photo.gps_lon is None:
            return support
        is_place, lat, lon = self.places
        far = np.nan_to_num(_haversine_km(photo.gps_lat, photo.gps_lon, lat, lon), nan=0.0) > 2 * PLACE_KM
        support[is_place & far] = 0.0
        return support

    def muted_in_context(self, photo: Photo) -> set[str]:
        """Tags rejected at least REJECTIONS_TO_MUTE times on photos of this photo's shoot
        (close in time, or in place when there are no dates), and more often rejected there
        than used: a tag she takes on every other photo of a shoot (a favourite, a word for
        half the scenes) is a coin flip to her, not a tag she does not want."""
        if not self.rejected_tags:
            return set()
        near = _in_context(photo, self.rejected_hours, self.rejected_lats, self.rejected_lons)
        counts: dict[str, int] = {}
        for tag in np.array(self.rejected_tags, dtype=object)[near]:
            counts[tag] = counts.get(tag, 0) + 1
        muted = {tag for tag, n in counts.items() if n >= REJECTIONS_TO_MUTE}
        if muted and self.n_photos:
            used_near = _in_context(photo, self.hours, self.lats, self.lons)
            muted = {tag for tag in muted
                     if tag not in self.tag_index or counts[tag] > used_near[self.tag_rows[self.tag_index[tag]]].sum()}
        return muted

    def tag_votes(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` of the given photo rows, per tag they carry: vectorised over the
        incidence built last (the carriers of a common tag can be half the library), row by row
        for the few photos retagged or added since."""
        rows = np.asarray(rows, dtype=np.int64)
        weights = np.asarray(weights, dtype=float)
        votes = np.zeros(len(self.tags))
        if not len(rows):
            return votes
        built = rows < len(self._stale)
        built[built] &= ~self._stale[rows[built]]
        if built.any():
            fresh, fresh_weights = rows[built], weights[built]
            starts, lengths = self._indptr[fresh], self._indptr[fresh + 1] - self._indptr[fresh]
            total = int(lengths.sum())
            if total:
                offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
                counted = np.bincount(self._indices[offsets], weights=np.repeat(fresh_weights, lengths))
                votes[:len(counted)] += counted
        for row, weight in zip(rows[~built], weights[~built]):
            votes[self.row_tags[row]] += weight
        return votes


# The engine's confidence is judged on her newest whole shoots holding at least this many
# photos, each as if it were her next (at most CALIBRATION_MAX of them are scored).
CALIBRATION_PHOTOS = 30
CALIBRATION_MAX = 120
CALIBRATION_SHOWN = 5  # suggestions per replayed photo: as many as are shown by default


class Suggester:
    """Suggestions for one profile. ``model_scorer``, when given, maps a photo's embedding to
    a probability per tag (a trained personalized model). ``exclude_photo_ids`` hides photos
    from the history, so held-out photos can be scored honestly. ``calibrate``: whether the
    scores shown are calibrated on her newest shoots (``calibration.py``); the order of the
    suggestions is the same either way, so validation, which only ranks, skips it."""

    def __init__(
        self,
        store: Store,
        profile: Profile,
        encoder_id: str | None = None,
        model_scorer: Callable[[np.ndarray], dict[str, float]] | None = None,
        exclude_photo_ids=frozenset(),
        *,
        calibrate: bool = True,
    ):
        self.store = store
        self.profile = profile
        self.encoder_id = encoder_id
        self.model_scorer = model_scorer
        self.exclude_photo_ids = frozenset(exclude_photo_ids)
        self.calibrate = calibrate
        self.refresh()

    def refresh(self, photo_ids=None) -> None:
        """Read the history again: all of it (and calibrate again), or only what changed on
        ``photo_ids``."""
        if photo_ids is not None and getattr(self, "history", None) is not None:
            self.history.update(self.store, self.profile, photo_ids)
            return
        self._content_tags: tuple[str, ...] | None = None
        self.calibration = Calibration()
        rows = self.store.history_rows(self.profile)
        newest = self._newest_shoots(rows) if self.calibrate else []
        held_out = {p.id for shoot in newest for p, _ in shoot}
        self.history = ProfileHistory(self.store, self.profile, self.encoder_id, self.exclude_photo_ids | held_out,
                                      rows=rows)
        if newest:
            self.calibration = self._replay(newest)

    def _newest_shoots(self, rows: list[tuple]) -> list[list[tuple[Photo, frozenset[str]]]]:
        """Her newest whole shoots (their photos and tags), oldest first, to replay; none while
        the history before them is too small to suggest from."""
        by_photo = _by_photo([r for r in rows if r[0] not in self.exclude_photo_ids])
        photos = sorted((Photo(path="", size=0, mtime_ns=0, id=pid, content_hash=r[0][1], taken_at=r[0][2],
                               gps_lat=r[0][3], gps_lon=r[0][4], camera_make=r[0][5], camera_model=r[0][6])
                         for pid, r in by_photo.items()), key=lambda p: (p.taken_at or "", p.id))
        ids = shoot_ids(photos)
        start = newest_shoots_start(ids, CALIBRATION_PHOTOS)
        if start < COLD_START_PHOTOS:
            return []
        shoots: dict[int, list] = {}
        for photo, shoot in zip(photos[start:], ids[start:]):
            shoots.setdefault(shoot, []).append((photo, frozenset(r[7] for r in by_photo[photo.id])))
        return list(shoots.values())

    def _replay(self, shoots: list[list[tuple[Photo, frozenset[str]]]]) -> Calibration:
        """Her chance of accepting a suggestion, by score: each of her newest shoots is
        suggested for as her next one (the history holds only the shoots before it), then goes
        back into the history. At most CALIBRATION_MAX photos are scored, spread evenly."""
        total = sum(map(len, shoots))
        every = max(1, math.ceil(total / CALIBRATION_MAX))
        scores, hits, seen = [], [], 0
        for shoot in shoots:
            for photo, truth in shoot:
                seen += 1
                if seen % every:
                    continue
                signals = self.signals(photo, hide_own_tags=True)
                combined = self._combined(signals)
                for i in _top_k(combined, signals.vocabulary, CALIBRATION_SHOWN):
                    scores.append(combined[i])
                    hits.append(signals.vocabulary[i] in truth)
            back = {p.id for p, _ in shoot}
            self.history.exclude_photo_ids -= back
            self.history.update(self.store, self.profile, back)
        return fit_calibration(scores, hits)

    # -- the signals, each a vector over the vocabulary (plus the reason's detail) ------
    def _frequency(self, h: ProfileHistory) -> np.ndarray:
        if not h.n_photos:
            return np.zeros(len(h.tags))
        return 0.7 * h.counts / h.counts.max() + 0.3 * h.recency

    def _cooccurrence(self, h: ProfileHistory, present: dict[int, float]) -> tuple[np.ndarray, list]:
        """How often she used each tag together with a tag on the photo (``present``: column ->
        how sure that tag is: 1 for her own, less for what others wrote)."""
        scores = np.zeros(len(h.tags))
        best_partner = [None] * len(h.tags)
        for t0, certainty in present.items():
            carriers = h.tag_rows[t0]
            if not len(carriers):
                continue
            conditional = certainty * h.tag_votes(carriers, np.ones(len(carriers))) / len(carriers)
            for t in np.flatnonzero(conditional > scores):
                best_partner[t] = h.tags[t0]
            scores = np.maximum(scores, conditional)
        return scores, best_partner

    def _embedding(self, photo: Photo) -> np.ndarray | None:
        if not self.encoder_id or not photo.content_hash:
            return None
        return self.store.embeddings(self.encoder_id, [photo.content_hash]).get(photo.content_hash)

    def _visual(self, h: ProfileHistory, photo: Photo, vector: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Weighted votes of the nearest tagged photos, and how many neighbours carry each tag."""
        zero = np.zeros(len(h.tags))
        if not len(h.embedded_rows) or vector is None:
            return zero, zero
        vector = vector / (np.linalg.norm(vector) + 1e-8)
        similarity = h.embeddings @ vector
        rows = h.embedded_rows
        similarity[h.embedding_position.get(photo.content_hash, [])] = -np.inf  # never the photo itself
        similarity[~h.embedding_alive] = -np.inf  # nor a photo that has no tags any more
        k = min(NEIGHBOURS, int(np.isfinite(similarity).sum()))
        if k == 0:
            return zero, zero
        nearest = np.argpartition(-similarity, k - 1)[:k]
        weights = np.clip(similarity[nearest], 0, None) ** 3  # sharpen: the closest count most
        if weights.sum() <= 0:
            return zero, zero
        votes = h.tag_votes(rows[nearest], weights) / max(weights.sum(), VISUAL_EVIDENCE)
        return votes, h.tag_votes(rows[nearest], np.ones(k))

    def _shoot(self, h: ProfileHistory, photo: Photo) -> tuple[np.ndarray, np.ndarray, bool]:
        """Votes of tagged photos from the same shoot (close in time, and place when known)."""
        zero = np.zeros(len(h.tags))
        if not h.n_photos:
            return zero, zero, False
        hours = _epoch_hours(photo.taken_at)
        weights = np.zeros(h.n_photos)
        by_time = not math.isnan(hours)
        if by_time:
            gap = np.abs(h.hours - hours)
            weights = np.where(gap < SHOOT_HOURS, np.exp(-gap / (SHOOT_HOURS / 3)), 0.0)
            weights = np.nan_to_num(weights)
        if photo.gps_lat is not None and photo.gps_lon is not None:
            distance = _haversine_km(photo.gps_lat, photo.gps_lon, h.lats, h.lons)
            near = np.nan_to_num(np.where(distance < SHOOT_KM, np.exp(-distance / (SHOOT_KM / 2)), 0.0))
            known = np.isfinite(distance)
            # Same place: counts on its own, and confirms (or, far away, discounts) the time.
            weights = np.where(known, np.maximum(weights * (0.5 + 0.5 * near), 0.7 * near), weights)
        rows = np.flatnonzero(weights > 0.05)
        if not len(rows):
            return zero, zero, by_time
        votes = h.tag_votes(rows, weights[rows]) / max(weights[rows].sum(), 1.0)
        return votes, h.tag_votes(rows, np.ones(len(rows))), by_time

    @staticmethod
    def _habit(habit: tuple[np.ndarray, np.ndarray], bucket: int, counts: np.ndarray) -> np.ndarray:
        per_bucket, totals = habit
        if bucket < 0 or bucket >= len(totals) or totals[bucket] < 3:
            return np.zeros(per_bucket.shape[1])
        share = per_bucket[bucket] / totals[bucket]
        return np.where(counts >= 3, share, 0.0)  # a habit needs a few uses to be one

    def _content(self, h: ProfileHistory, photo: Photo) -> dict[str, float]:
        if not self.encoder_id or not photo.content_hash:
            return {}
        vector = self.store.embeddings(content_encoder_id(self.encoder_id), [photo.content_hash]).get(photo.content_hash)
        if vector is None:
            return {}
        if self._content_tags is None:
            from .content_words import content_tag_matrix

            self._content_tags = content_tag_matrix()[0]
        probs = dict(zip(self._content_tags, map(float, vector)))
        if h.n_photos < COLD_START_PHOTOS:
            return {t: p for t, p in probs.items() if p >= 0.05}
        known = {t.rsplit("|", 1)[-1].lower(): t for t in h.tags}
        return {known[t]: p for t, p in probs.items() if t in known and p >= 0.05}

    # -- ranking -----------------------------------------------------------------------
    def _model(self, h: ProfileHistory, vector: np.ndarray | None) -> dict[str, float]:
        """The trained model's probabilities, for tags of this profile's vocabulary."""
        if not self.model_scorer or vector is None:
            return {}
        return {t: p for t, p in self.model_scorer(vector).items() if t in h.tag_index}

    def signals(self, photo: Photo, *, hide_own_tags: bool = False) -> Signals:
        """Every signal for every candidate tag of ``photo``. ``hide_own_tags`` scores a tagged
        photo as if it were untagged (for validation)."""
        h = self.history
        known = photo.id and not hide_own_tags
        on_photo = {a.tag for a in self.store.photo_tags(self.profile, photo.id)} if known else set()
        rejected = {r.tag for r in self.store.photo_rejections(self.profile, photo.id)} if known else set()
        vector = self._embedding(photo)
        content = self._content(h, photo)
        model = self._model(h, vector)
        others, taggers = self.store.others_tags(self.profile, photo.id) if photo.id is not None else ({}, 0)
        extras = sorted((set(content) | set(model) | set(others)) - set(h.tag_index))  # e.g. content words
        vocabulary = h.tags + extras if extras else h.tags
        v, extra = len(h.tags), len(extras)
        extra_index = {t: v + i for i, t in enumerate(extras)}

        def column(tag: str) -> int | None:
            return h.tag_index.get(tag, extra_index.get(tag))

        def padded(vector: np.ndarray) -> np.ndarray:
            return np.concatenate([vector, np.zeros(extra)]) if extra else vector

        def from_dict(values: dict[str, float]) -> np.ndarray:
            vector = np.zeros(len(vocabulary))
            for tag, value in values.items():
                vector[column(tag)] = value
            return vector

        others_share = {t: n / (taggers + 1) for t, n in others.items()}
        present = {h.tag_index[t]: share for t, share in others_share.items() if t in h.tag_index}
        present.update({h.tag_index[t]: 1.0 for t in on_photo if t in h.tag_index})
        cooccurrence, partners = self._cooccurrence(h, present)
        visual, visual_n = self._visual(h, photo, vector)
        shoot, shoot_n, by_time = self._shoot(h, photo)
        daypart = self._habit(h.daypart, _daypart(photo.taken_at), h.counts)
        season = self._habit(h.season, _season(photo.taken_at), h.counts)
        camera = _camera(photo)
        by_camera = self._habit(h.camera, h.camera_index.get(camera, -1) if camera else -1, h.counts)
        model_row = np.nan_to_num(from_dict(model), nan=0.0, posinf=1.0, neginf=0.0)  # a broken model adds nothing
        if model:
            model_row[:v] *= model_support(h.occasions, shoot) * h.place_support(photo)
        rows = {
            "model": model_row,
            "visual": padded(visual),
            "shoot": padded(shoot),
            # One other photographer's word is a hint; several agreeing on it, near certainty.
            "others": from_dict(others_share),
            "content": from_dict(content),
            "cooccurrence": padded(cooccurrence),
            "frequency": padded(self._frequency(h)),
            "time": padded(np.maximum(daypart, season)),
            "camera": padded(by_camera),
        }
        muted = h.muted_in_context(photo)
        excluded = [c for c in map(column, on_photo | rejected | muted) if c is not None]
        excluded += np.flatnonzero(h.counts == 0).tolist()  # no photo has it any more
        details = {
            "visual_n": visual_n, "shoot_n": shoot_n, "by_time": by_time, "partners": partners,
            "daypart": daypart, "season": season, "photo": photo, "camera": camera, "content": content,
            "others": others,
        }
        return Signals(vocabulary, np.stack([rows[name] for name in SIGNALS]), excluded, v, details)

    def rank(self, signals: Signals, k: int, *, ranker: SignalRanker | None | bool = True,
             model_weight: float | None = None) -> list[Suggestion]:
        """The top-k of a photo's signals. By default the ranker and model weight come with the
        trained model; validation passes them explicitly to compare alternatives."""
        scores = self._combined(signals, ranker, model_weight)
        order = _top_k(scores, signals.vocabulary, k)
        shown = self.calibration(scores[order]) if order else []
        if model_weight is None and self.model_scorer is not None:
            model_weight = getattr(self.model_scorer, "signal_weight", None)
        # The reason names the signal that contributed most under the default weights,
        # preferring any specific one over plain frequency unless frequency gave twice as much.
        explaining = np.asarray(default_weights(model_weight))[:, None] * np.clip(signals.values, 0, 1)
        explaining[SIGNALS.index("frequency")] *= 0.5
        return [
            Suggestion(signals.vocabulary[i], round(float(score), 4),
                       self._reason(SIGNALS[int(np.argmax(explaining[:, i]))], i, signals.vocabulary[i],
                                    signals.known, signals.details))
            for i, score in zip(order, shown)
        ]

    def _combined(self, signals: Signals, ranker: SignalRanker | None | bool = True,
                  model_weight: float | None = None) -> np.ndarray:
        """One raw score per candidate (-1 for those never suggested), ranked as shown."""
        if ranker is True:
            ranker = getattr(self.model_scorer, "ranker", None)
        if model_weight is None and self.model_scorer is not None:
            model_weight = getattr(self.model_scorer, "signal_weight", None)
        scores = combine(signals.values, ranker or None, model_weight)
        scores[signals.excluded] = -1.0
        return scores

    def suggest(self, photo: Photo, k: int = 10, *, hide_own_tags: bool = False) -> list[Suggestion]:
        """Top-k suggestions. ``hide_own_tags`` scores a tagged photo as if it were untagged
        (for validation)."""
        return self.rank(self.signals(photo, hide_own_tags=hide_own_tags), k)

    def _reason(self, signal: str, i: int, tag: str, v: int, d: dict) -> str:
        h = self.history
        if signal == "model":
            return "your trained model ranks it high for this photo"
        if signal == "visual" and i < v:
            n = int(d["visual_n"][i])
            return f"you used it on {n} similar photo{'s' * (n != 1)}"
        if signal == "shoot" and i < v:
            n = int(d["shoot_n"][i])
            where = "the same day as" if d["by_time"] else "within 1 km of"
            return f"taken {where} {n} photo{'s' * (n != 1)} tagged '{tag}'"
        if signal == "others":
            n = d["others"].get(tag, 0)
            return f"{n} other photographer{'s' * (n != 1)} of this library tagged it so"
        if signal == "content":
            return f"the picture looks like: {tag} ({d['content'].get(tag, 0):.0%})"
        if signal == "cooccurrence" and i < v and d["partners"][i]:
            return f"often used together with '{d['partners'][i]}'"
        if signal == "time" and i < v:
            photo = d["photo"]
            if d["daypart"][i] >= d["season"][i]:
                return f"you often use it on photos taken {DAYPARTS[_daypart(photo.taken_at)]}"
            return f"you often use it on photos taken in {SEASONS[_season(photo.taken_at)]}"
        if signal == "camera" and i < v:
            return f"you often use it on photos from your {d['camera']}"
        n = int(h.counts[i]) if i < v else 0
        return f"one of your frequent tags ({n} photo{'s' * (n != 1)})"
