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
from .indexer import content_encoder_id
from .ranker import SIGNALS, SignalRanker, combine, default_weights

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


def _by_photo(entries: list[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for entry in entries:
        grouped.setdefault(entry[0], []).append(entry)
    return grouped


class ProfileHistory:
    """Everything the signals need from one profile's history, as arrays.

    Built once from the store; after tags change on some photos, ``update`` reads just those
    photos again and recomputes the arrays from what it keeps per photo (vectorised), so a
    keystroke costs milliseconds, not a re-read of a 100,000-photo history and its embeddings.
    A tag whose last photo lost it keeps its column with a count of 0 (never suggested).
    """

    def __init__(self, store: Store, profile: Profile, encoder_id: str | None, exclude_photo_ids=frozenset()):
        self.encoder_id = encoder_id
        self.exclude_photo_ids = frozenset(exclude_photo_ids)  # held-out photos, when validating
        self.tags: list[str] = []
        self.tag_index: dict[str, int] = {}
        self.camera_index: dict[str, int] = {}
        # per photo row, in the order photos first got tags
        self.row_of: dict[int, int] = {}
        self.row_tags: list[np.ndarray] = []
        self.photo_ids_list: list[int] = []
        self.content_hashes: list[str | None] = []
        self.cameras: list[str | None] = []
        self._row_hours: list[float] = []
        self._row_used: list[float] = []  # when the photo's tags were given: taken, else tagged
        self._row_lat: list[float] = []
        self._row_lon: list[float] = []
        self._row_buckets: list[tuple[int, int, int]] = []  # daypart, season, camera
        self._rejections: dict[int, list[tuple]] = {}
        # the embeddings of the rows, in a buffer that grows by doubling
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._vector_row: list[int] = []
        self._positions: dict[str, list[int]] = {}  # content hash -> positions in the buffer
        entries = [r for r in store.history_rows(profile) if r[0] not in self.exclude_photo_ids]
        for tag in sorted({r[7] for r in entries}):  # columns in name order, as every build has them
            self._column(tag)
        self._set_rows(store, _by_photo(entries), set())
        self._set_rejections(store.rejection_rows(profile, with_photo=True))
        self._derive()

    def update(self, store: Store, profile: Profile, photo_ids) -> None:
        """Read these photos' tags and rejections again (after the photographer changed them)."""
        ids = [pid for pid in dict.fromkeys(photo_ids) if pid not in self.exclude_photo_ids]
        if not ids:
            return
        entries = store.history_rows(profile, photo_ids=ids)
        self._set_rows(store, _by_photo(entries), set(ids))
        for pid in ids:
            self._rejections.pop(pid, None)
        self._set_rejections(store.rejection_rows(profile, photo_ids=ids, with_photo=True))
        self._derive()

    # -- per photo ----------------------------------------------------------------------
    def _column(self, tag: str) -> int:
        if tag not in self.tag_index:
            self.tag_index[tag] = len(self.tags)
            self.tags.append(tag)
        return self.tag_index[tag]

    def _set_rows(self, store: Store, by_photo: dict[int, list[tuple]], asked: set[int]) -> None:
        """The rows of these photos' entries; photos asked about without entries lost their tags."""
        new_rows = []
        for pid in asked - set(by_photo):
            if pid in self.row_of:
                self.row_tags[self.row_of[pid]] = _NO_TAGS
        for pid, rows in by_photo.items():
            _, content_hash, taken_at, lat, lon, make, model, _, _ = rows[0]
            columns = np.array(sorted({self._column(r[7]) for r in rows}), dtype=np.int64)
            used = _epoch_hours(taken_at)
            if math.isnan(used):
                used = max((_epoch_hours(r[8][:19]) for r in rows), default=math.nan)
            if pid in self.row_of:
                row = self.row_of[pid]
                self.row_tags[row], self._row_used[row] = columns, used
                continue
            camera = " ".join(filter(None, [make, model])) or None
            if camera and camera not in self.camera_index:
                self.camera_index[camera] = len(self.camera_index)
            self.row_of[pid] = len(self.row_tags)
            new_rows.append(len(self.row_tags))
            self.row_tags.append(columns)
            self.photo_ids_list.append(pid)
            self.content_hashes.append(content_hash)
            self.cameras.append(camera)
            self._row_hours.append(_epoch_hours(taken_at))
            self._row_used.append(used)
            self._row_lat.append(lat if lat is not None else np.nan)
            self._row_lon.append(lon if lon is not None else np.nan)
            self._row_buckets.append((_daypart(taken_at), _season(taken_at),
                                      self.camera_index[camera] if camera else -1))
        self._add_embeddings(store, new_rows)

    def _add_embeddings(self, store: Store, rows: list[int]) -> None:
        if not self.encoder_id or not rows:
            return
        found = store.embeddings(self.encoder_id, {self.content_hashes[r] for r in rows if self.content_hashes[r]})
        rows = [r for r in rows if self.content_hashes[r] in found]
        if not rows:
            return
        matrix = np.stack([found[self.content_hashes[r]] for r in rows]).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-8
        start = len(self._vector_row)
        if start + len(rows) > len(self._vectors) or self._vectors.shape[1] != matrix.shape[1]:
            grown = np.zeros((max(2 * (start + len(rows)), 64), matrix.shape[1]), dtype=np.float32)
            if start:
                grown[:start] = self._vectors[:start]
            self._vectors = grown
        self._vectors[start:start + len(rows)] = matrix
        for position, row in enumerate(rows, start):
            self._vector_row.append(row)
            self._positions.setdefault(self.content_hashes[row], []).append(position)

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
        n, v = len(self.row_tags), len(self.tags)
        lengths = np.fromiter(map(len, self.row_tags), dtype=np.int64, count=n)
        alive = lengths > 0
        self.n_photos = int(alive.sum())
        self.photo_ids = np.array(self.photo_ids_list, dtype=np.int64)
        # A row whose photo lost all its tags is nowhere in time or place, and votes for nothing.
        self.hours = np.where(alive, np.array(self._row_hours, dtype=float), np.nan) if n else np.zeros(0)
        self.lats = np.where(alive, np.array(self._row_lat, dtype=float), np.nan) if n else np.zeros(0)
        self.lons = np.where(alive, np.array(self._row_lon, dtype=float), np.nan) if n else np.zeros(0)
        # Photo x tag incidence in CSR form: tags of photo i are indices[indptr[i]:indptr[i+1]].
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum(lengths)
        self.indices = np.concatenate(self.row_tags) if n else np.zeros(0, dtype=np.int64)
        self.counts = np.bincount(self.indices, minlength=v).astype(np.float64)
        entry_row = np.repeat(np.arange(n), lengths)
        used = np.array(self._row_used, dtype=float)[entry_row] if n else np.zeros(0)
        last_used = np.full(v, -np.inf)
        finite = np.isfinite(used)
        np.maximum.at(last_used, self.indices[finite], used[finite])
        newest = np.nanmax(self.hours) if self.n_photos and not np.all(np.isnan(self.hours)) else 0.0
        age_days = np.where(np.isfinite(last_used), (newest - last_used) / 24.0, 10 * HALF_LIFE_DAYS)
        self.recency = 0.5 ** (np.clip(age_days, 0, None) / HALF_LIFE_DAYS)
        buckets = np.array(self._row_buckets, dtype=np.int64).reshape(n, 3)
        self.daypart = self._habit(buckets[:, 0], alive, entry_row, 4)
        self.season = self._habit(buckets[:, 1], alive, entry_row, 4)
        self.camera = self._habit(buckets[:, 2], alive, entry_row, len(self.camera_index))
        # The inverse index: rows of the photos that carry each tag.
        order = np.argsort(self.indices, kind="stable")
        self.tag_rows = np.split(entry_row[order], np.cumsum(np.bincount(self.indices, minlength=v))[:-1])
        filled = len(self._vector_row)
        live = [p for p, row in enumerate(self._vector_row) if alive[row]]
        if len(live) == filled:
            self.embedded_rows = np.array(self._vector_row, dtype=np.int64)
            self.embeddings = self._vectors[:filled]
            self.embedding_position = self._positions  # content hash -> positions in embeddings
        else:  # a photo without tags is no neighbour
            self.embedded_rows = np.array([self._vector_row[p] for p in live], dtype=np.int64)
            self.embeddings = self._vectors[live]
            self.embedding_position = {}
            for position, row in enumerate(self.embedded_rows):
                self.embedding_position.setdefault(self.content_hashes[row], []).append(position)
        self.__dict__.pop("occasions", None)

    def _habit(self, row_bucket: np.ndarray, alive: np.ndarray, entry_row: np.ndarray,
               n_buckets: int) -> tuple[np.ndarray, np.ndarray]:
        """(per-bucket tag counts B x V, photos per bucket B)."""
        counts = np.zeros((max(n_buckets, 1), len(self.tags)))
        totals = np.zeros(max(n_buckets, 1))
        if len(row_bucket):
            entry_bucket = row_bucket[entry_row]
            valid = entry_bucket >= 0
            np.add.at(counts, (entry_bucket[valid], self.indices[valid]), 1)
            rows = alive & (row_bucket >= 0)
            totals += np.bincount(row_bucket[rows], minlength=len(totals))[:len(totals)]
        return counts, totals

    @functools.cached_property
    def occasions(self) -> np.ndarray:
        """Per tag, on how many occasions it was used (only a trained model needs it)."""
        return np.array([_occasions(self.hours[rows]) for rows in self.tag_rows], dtype=np.float64)

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
        """Sum of ``weights`` of the given photo rows, per tag they carry."""
        votes = np.zeros(len(self.tags))
        for row, weight in zip(rows, weights):
            votes[self.indices[self.indptr[row] : self.indptr[row + 1]]] += weight
        return votes


class Suggester:
    """Suggestions for one profile. ``model_scorer``, when given, maps a photo's embedding to
    a probability per tag (a trained personalized model). ``exclude_photo_ids`` hides photos
    from the history, so held-out photos can be scored honestly."""

    def __init__(
        self,
        store: Store,
        profile: Profile,
        encoder_id: str | None = None,
        model_scorer: Callable[[np.ndarray], dict[str, float]] | None = None,
        exclude_photo_ids=frozenset(),
    ):
        self.store = store
        self.profile = profile
        self.encoder_id = encoder_id
        self.model_scorer = model_scorer
        self.exclude_photo_ids = frozenset(exclude_photo_ids)
        self.refresh()

    def refresh(self, photo_ids=None) -> None:
        """Read the history again: all of it, or only what changed on ``photo_ids``."""
        if photo_ids is not None and getattr(self, "history", None) is not None:
            self.history.update(self.store, self.profile, photo_ids)
            return
        self.history = ProfileHistory(self.store, self.profile, self.encoder_id, self.exclude_photo_ids)
        self._content_tags: tuple[str, ...] | None = None

    # -- the signals, each a vector over the vocabulary (plus the reason's detail) ------
    def _frequency(self, h: ProfileHistory) -> np.ndarray:
        if not h.n_photos:
            return np.zeros(len(h.tags))
        return 0.7 * h.counts / h.counts.max() + 0.3 * h.recency

    def _cooccurrence(self, h: ProfileHistory, present: list[int]) -> tuple[np.ndarray, list]:
        scores = np.zeros(len(h.tags))
        best_partner = [None] * len(h.tags)
        for t0 in present:
            carriers = h.tag_rows[t0]
            if not len(carriers):
                continue
            conditional = h.tag_votes(carriers, np.ones(len(carriers))) / len(carriers)
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
        itself = h.embedding_position.get(photo.content_hash, [])
        similarity[itself] = -np.inf  # never the photo itself (nor its duplicates)
        k = min(NEIGHBOURS, len(rows) - len(itself))
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
        extras = sorted((set(content) | set(model)) - set(h.tag_index))  # e.g. content words
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

        present = [h.tag_index[t] for t in on_photo if t in h.tag_index]
        cooccurrence, partners = self._cooccurrence(h, present)
        visual, visual_n = self._visual(h, photo, vector)
        shoot, shoot_n, by_time = self._shoot(h, photo)
        daypart = self._habit(h.daypart, _daypart(photo.taken_at), h.counts)
        season = self._habit(h.season, _season(photo.taken_at), h.counts)
        camera = _camera(photo)
        by_camera = self._habit(h.camera, h.camera_index.get(camera, -1) if camera else -1, h.counts)
        model_row = from_dict(model)
        if model:
            model_row[:v] *= model_support(h.occasions, shoot)
        rows = {
            "model": model_row,
            "visual": padded(visual),
            "shoot": padded(shoot),
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
        }
        return Signals(vocabulary, np.stack([rows[name] for name in SIGNALS]), excluded, v, details)

    def rank(self, signals: Signals, k: int, *, ranker: SignalRanker | None | bool = True,
             model_weight: float | None = None) -> list[Suggestion]:
        """The top-k of a photo's signals. By default the ranker and model weight come with the
        trained model; validation passes them explicitly to compare alternatives."""
        if ranker is True:
            ranker = getattr(self.model_scorer, "ranker", None)
        if model_weight is None and self.model_scorer is not None:
            model_weight = getattr(self.model_scorer, "signal_weight", None)
        scores = combine(signals.values, ranker or None, model_weight)
        scores[signals.excluded] = -1.0
        order = _top_k(scores, signals.vocabulary, k)
        # The reason names the signal that contributed most under the default weights,
        # preferring any specific one over plain frequency unless frequency gave twice as much.
        explaining = np.asarray(default_weights(model_weight))[:, None] * np.clip(signals.values, 0, 1)
        explaining[SIGNALS.index("frequency")] *= 0.5
        return [
            Suggestion(signals.vocabulary[i], round(float(scores[i]), 4),
                       self._reason(SIGNALS[int(np.argmax(explaining[:, i]))], i, signals.vocabulary[i],
                                    signals.known, signals.details))
            for i in order
        ]

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
