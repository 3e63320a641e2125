"""One profile's tagging history as the arrays the signals read.

Built once from the store; after tags change on some photos, ``ProfileHistory.update`` reads
just those photos again and adjusts the counts, habits and indexes of the tags that changed.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..records import Photo, Profile
from .history_arrays import GrowingArray, RowTags, group_by_photo
from .source import HistorySource
from .timeplace import camera_name, daypart, epoch_hours, haversine_km, in_context, season

COLD_START_PHOTOS = 20  # below this many tagged photos, generic content words are offered
HALF_LIFE_DAYS = 180.0
REJECTIONS_TO_MUTE = 3  # rejected this often in one shoot (and more than used): not suggested there again
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


_NO_TAGS = np.zeros(0, dtype=np.int64)


def _used_hours(rows: list[tuple]) -> float:
    """When a photo's tags were given, for recency: when it was taken, else when it was tagged."""
    used = epoch_hours(rows[0][2])
    return max((epoch_hours(r[8][:19]) for r in rows), default=math.nan) if math.isnan(used) else used


class ProfileHistory:
    """Everything the signals need from one profile's history, as arrays.

    Built once from the store; after tags change on some photos, ``update`` reads just those
    photos again and adjusts the counts, habits and indexes of the tags that changed, so a
    keystroke costs milliseconds, not a re-read of a 100,000-photo history and its embeddings.
    A tag whose last photo lost it keeps its column with a count of 0 (never suggested); a
    photo that lost all its tags keeps its row, and is nowhere in time or place.
    """

    def __init__(self, store: HistorySource, profile: Profile, encoder_id: str | None,
                 exclude_photo_ids=frozenset(), rows: list[tuple] | None = None):
        self.encoder_id = encoder_id
        self.exclude_photo_ids = frozenset(exclude_photo_ids)  # held-out photos, when validating
        self.tags: list[str] = []
        self.tag_index: dict[str, int] = {}
        self.camera_index: dict[str, int] = {}
        self.row_of: dict[int, int] = {}  # photo id -> row
        self.row_tags = RowTags()  # per row: its tag columns, sorted
        self.content_hashes: list[str | None] = []
        self.cameras: list[str | None] = []
        self._ids, self._hours = GrowingArray(np.int64), GrowingArray(np.float64)
        self._lats, self._lons = GrowingArray(np.float64), GrowingArray(np.float64)
        self._used = GrowingArray(np.float64)  # when the photo's tags were given: taken, else tagged
        self._buckets = GrowingArray(np.int64, 3)  # daypart, season, camera
        self._alive = GrowingArray(bool)
        self._vectors = GrowingArray(np.float32, 0)
        self._vector_row = GrowingArray(np.int64)
        self._positions: dict[str, list[int]] = {}  # content hash -> positions in the vectors
        self._kept_hashes: tuple[np.ndarray, np.ndarray, int] | None = None  # a restored state's: ``positions_of``
        self._rejections: dict[int, list[tuple]] = {}
        rows = store.history_rows(profile) if rows is None else rows  # rows: already read by the caller
        entries = [r for r in rows if r[0] not in self.exclude_photo_ids]
        for tag in sorted({r[7] for r in entries}):  # columns in name order, as every build has them
            self._column(tag)
        self._add_rows(store, group_by_photo(entries))
        self._set_rejections(store.rejection_rows(profile, with_photo=True))
        self._derive()

    def update(self, store: HistorySource, profile: Profile, photo_ids) -> None:
        """Read these photos' tags and rejections again (after the photographer changed them)."""
        ids = [pid for pid in dict.fromkeys(photo_ids) if pid not in self.exclude_photo_ids]
        if not ids:
            return
        by_photo = group_by_photo(store.history_rows(profile, photo_ids=ids))
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

    def _add_rows(self, store: HistorySource, by_photo: dict[int, list[tuple]]) -> None:
        first = len(self.row_tags)
        hours, lats, lons, used, buckets = [], [], [], [], []
        for pid, rows in by_photo.items():
            _, content_hash, taken_at, lat, lon, make, model, _, _ = rows[0]
            camera = camera_name(make, model)
            if camera and camera not in self.camera_index:
                self.camera_index[camera] = len(self.camera_index)
            self.row_of[pid] = len(self.row_tags)
            self.row_tags.append(np.array(sorted({self._column(r[7]) for r in rows}), dtype=np.int64))
            self.content_hashes.append(content_hash)
            self.cameras.append(camera)
            hours.append(epoch_hours(taken_at))
            lats.append(lat if lat is not None else np.nan)
            lons.append(lon if lon is not None else np.nan)
            used.append(_used_hours(rows))
            buckets.append((daypart(taken_at), season(taken_at), self.camera_index[camera] if camera else -1))
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
        self.rejected_hours = np.array([epoch_hours(r[1]) for r in every])
        self.rejected_lats = np.array([r[2] if r[2] is not None else np.nan for r in every], dtype=float)
        self.rejected_lons = np.array([r[3] if r[3] is not None else np.nan for r in every], dtype=float)

    # -- the arrays the signals read ----------------------------------------------------
    def _derive(self) -> None:
        """Every array from the rows, vectorised (a build)."""
        self._count_rows()
        self._build_csr()
        self._publish()
        self.places = self._tag_places(np.arange(len(self.tags)))
        self.place_version = 0

    def _count_rows(self) -> None:
        """The counts, last uses, habits and inverse index of the rows (what ``derived`` holds)."""
        n, v = len(self.row_tags), len(self.tags)
        lengths = self.row_tags.lengths()
        indices = self.row_tags.concatenated()
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
            counts += np.bincount(entry_bucket[valid] * v + indices[valid],
                                  minlength=n_buckets * v).reshape(n_buckets, v)
            rows = self._alive.view & (buckets[:, k] >= 0) if n else np.zeros(0, dtype=bool)
            totals = np.bincount(buckets[rows, k], minlength=n_buckets)[:n_buckets].astype(np.float64)
            self._habit_counts.append((counts, totals))
        order = np.argsort(indices, kind="stable")
        self.tag_rows = np.split(entry_row[order], np.cumsum(np.bincount(indices, minlength=v))[:-1]) if v else []

    def derived(self) -> dict[str, np.ndarray]:
        """What ``_count_rows`` and the places computed from the rows, as arrays (a kept state
        holds them: ``history_state``), current after any ``update``."""
        lengths = np.fromiter(map(len, self.tag_rows), dtype=np.int64, count=len(self.tag_rows))
        is_place, lat, lon = self.places
        arrays = {"counts": self.counts, "last_used": self._last_used,
                  "tag_rows": np.concatenate(self.tag_rows) if self.tag_rows else np.zeros(0, dtype=np.int64),
                  "tag_row_lengths": lengths, "is_place": is_place, "place_lats": lat, "place_lons": lon}
        for name, (counts, totals) in zip(("daypart", "season", "camera"), self._habit_counts):
            arrays[f"{name}_counts"], arrays[f"{name}_totals"] = counts, totals
        return arrays

    def _adopt_derived(self, arrays) -> None:
        """``derived``'s arrays as they were kept (``history_state.restore``, which checks that
        they fit the rows); then the views the signals read, as a build leaves them."""
        v = len(self.tags)
        lengths, rows = arrays["tag_row_lengths"], arrays["tag_rows"]
        self.counts, self._last_used = arrays["counts"], arrays["last_used"]
        self._habit_counts = [(arrays[f"{name}_counts"], arrays[f"{name}_totals"])
                              for name in ("daypart", "season", "camera")]
        self.tag_rows = np.split(rows, np.cumsum(lengths)[:-1]) if v else []
        self.places = (arrays["is_place"], arrays["place_lats"], arrays["place_lons"])
        self.place_version = 0
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
            self._habit_counts[2] = (np.vstack([counts, np.zeros((extra, v))]),
                                     np.concatenate([totals, np.zeros(extra)]))
        recheck: set[int] = set()
        touched: set[int] = set()  # tags whose uses changed: their place is computed again
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
            touched.update(added.tolist())
            touched.update(removed.tolist())
        if self._stale_count > 5000:  # many photos retagged since the last build: build it again
            self._build_csr()
        used = self._used.view
        for t in recheck:  # a tag's last use, from the photos that carry it now
            when = used[self.tag_rows[t]]
            when = when[np.isfinite(when)]
            self._last_used[t] = when.max() if len(when) else -np.inf
        self._publish()
        self._update_places(np.array(sorted(touched), dtype=np.int64))

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
        self.__dict__.pop("occasions", None)
        self.revision = getattr(self, "revision", 0) + 1  # what is learned from the history is learned again

    # A restored state (``history_state.restore``) makes these three at their first use, from
    # its arrays: a suggestion asks for none of them, and each is a loop over every row.
    @functools.cached_property
    def row_of(self) -> dict[int, int]:
        return {pid: row for row, pid in enumerate(self._ids.view.tolist())}

    @functools.cached_property
    def content_hashes(self) -> list[str | None]:
        hashes, has_hash, _ = self._kept_hashes  # UTF-8: half the bytes of numpy's unicode
        return [c.decode() if has else None for c, has in zip(hashes.tolist(), has_hash.tolist())]

    @functools.cached_property
    def cameras(self) -> list[str | None]:
        names = {i: c for c, i in self.camera_index.items()}
        return [names.get(b) for b in self._buckets.view[:, 2].tolist()]

    def positions_of(self, content_hash: str | None) -> list[int]:
        """Where the vectors of photos with this content hash are (the photo itself, and its
        copies): in order. A restored state looks its rows up in its kept hashes (one vectorised
        comparison), not in a dict of 100,000 it would have to build first."""
        positions = list(self._positions.get(content_hash, ()))
        if self._kept_hashes is not None and content_hash is not None:
            hashes, has_hash, kept = self._kept_hashes
            rows = np.flatnonzero((hashes == content_hash.encode()) & has_hash)
            if len(rows):
                found = np.flatnonzero(np.isin(self._vector_row.view[:kept], rows)).tolist()
                positions = sorted(found + positions)
        return positions

    def _build_csr(self) -> None:
        """Photo x tag incidence: tags of row i are indices[indptr[i]:indptr[i+1]]. Rows that
        change later are marked stale and read from ``row_tags`` until the next build."""
        lengths = self.row_tags.lengths()
        self._indptr = np.zeros(len(self.row_tags) + 1, dtype=np.int64)
        self._indptr[1:] = np.cumsum(lengths)
        self._indices = self.row_tags.concatenated()
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

    def _tag_places(self, tags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For these tags: whether each names a place (its geotagged uses, two or more, all lie
        within PLACE_KM of their centre), and that centre. Vectorised over their (photo, tag)
        pairs."""
        v = len(tags)
        is_place, lat, lon = np.zeros(v, dtype=bool), np.full(v, np.nan), np.full(v, np.nan)
        lengths = np.fromiter((len(self.tag_rows[t]) for t in tags), dtype=np.int64, count=v)
        if not v or not lengths.sum():
            return is_place, lat, lon
        rows = np.concatenate([self.tag_rows[t] for t in tags])
        owner = np.repeat(np.arange(v), lengths)
        lats, lons = self.lats[rows], self.lons[rows]
        known = np.isfinite(lats) & np.isfinite(lons)
        rows, owner, lats, lons = rows[known], owner[known], lats[known], lons[known]
        counts = np.bincount(owner, minlength=v)
        located = counts >= 2
        with np.errstate(invalid="ignore", divide="ignore"):
            lat = np.where(located, np.bincount(owner, lats, minlength=v) / counts, np.nan)
            lon = np.where(located, np.bincount(owner, lons, minlength=v) / counts, np.nan)
        spread = np.zeros(v)
        centred = located[owner]  # a tag with one geotagged use has no centre to be near
        np.maximum.at(spread, owner[centred], haversine_km(lat[owner[centred]], lon[owner[centred]],
                                                          lats[centred], lons[centred]))
        is_place = located & (spread <= PLACE_KM)
        return is_place, lat, lon

    def _update_places(self, touched: np.ndarray) -> None:
        """``places`` for the tags whose uses changed (the rest cannot have moved: a photo's GPS
        never changes, and a photo that comes or goes brings or takes its tags). A change to
        a place keyword, or one that makes or unmakes one, moves ``place_version`` on: what the
        place signals learned from the places is learned again."""
        is_place, lat, lon = self.places
        grow = len(self.tags) - len(is_place)
        if grow:
            is_place = np.concatenate([is_place, np.zeros(grow, dtype=bool)])
            lat, lon = (np.concatenate([a, np.full(grow, np.nan)]) for a in (lat, lon))
            self.places = is_place, lat, lon
        if not len(touched):
            return
        was = is_place[touched].copy()
        is_place[touched], lat[touched], lon[touched] = self._tag_places(touched)
        if (was | is_place[touched]).any():
            self.place_version += 1

    # ``places``: per tag, (names a place, centre latitude, centre longitude), kept by
    # ``_derive`` and ``_update_places``; the place signal reads it after every change.

    def place_support(self, photo: Photo) -> np.ndarray:
        """1 per tag, but 0 for a place tag on a photo taken far from that place: no look of a
        photo makes it the Black Forest when its GPS says Portugal."""
        support = np.ones(len(self.tags))
        if photo.gps_lat is None or photo.gps_lon is None:
            return support
        is_place, lat, lon = self.places
        far = np.nan_to_num(haversine_km(photo.gps_lat, photo.gps_lon, lat, lon), nan=0.0) > 2 * PLACE_KM
        support[is_place & far] = 0.0
        return support

    def muted_in_context(self, photo: Photo) -> set[str]:
        """Tags rejected at least REJECTIONS_TO_MUTE times on photos of this photo's shoot
        (close in time, or in place when there are no dates), and more often rejected there
        than used: a tag she takes on every other photo of a shoot (a favourite, a word for
        half the scenes) is a coin flip to her, not a tag she does not want."""
        if not self.rejected_tags:
            return set()
        near = in_context(photo, self.rejected_hours, self.rejected_lats, self.rejected_lons)
        counts: dict[str, int] = {}
        for tag in np.array(self.rejected_tags, dtype=object)[near]:
            counts[tag] = counts.get(tag, 0) + 1
        muted = {tag for tag, n in counts.items() if n >= REJECTIONS_TO_MUTE}
        if muted and self.n_photos:
            used_near = in_context(photo, self.hours, self.lats, self.lons)
            muted = {tag for tag in muted
                     if tag not in self.tag_index or counts[tag] > used_near[self.tag_rows[self.tag_index[tag]]].sum()}
        return muted

    def habit(self, habit: tuple[np.ndarray, np.ndarray], bucket: int) -> np.ndarray:
        """Per tag, its share of her photos in ``bucket`` of a habit (``daypart``, ``season``
        or ``camera``); nothing where the bucket holds under 3 photos or the tag under 3 uses."""
        per_bucket, totals = habit
        if bucket < 0 or bucket >= len(totals) or totals[bucket] < 3:
            return np.zeros(per_bucket.shape[1])
        share = per_bucket[bucket] / totals[bucket]
        return np.where(self.counts >= 3, share, 0.0)  # a habit needs a few uses to be one

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
