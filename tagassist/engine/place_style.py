"""How she writes places, learned from her own place keywords, and where a photo is.

Her place keywords are the tags whose geotagged uses lie in one place (``ProfileHistory.places``)
and that name it: one of their levels is the GeoNames name of the city there (``Lisbon``,
``Places|Portugal|Lisbon``, ``Rome, Italy``, ``Europe|Italy|Rome``). The commonest shape among
them is her style: which levels are the city, the first-level area and the country, which are
words of her own (``Places``), and the separator. Every tag of that shape is a place keyword
of hers too, also where GeoNames spells it otherwise (her ``Roma``, her ``Italien``): her
spelling of each country is read off them, and whether she folds names to ASCII. A new place
is then written her way: ``Places|Spain|Sevilla`` for a photographer of ``Places|Italien|Rom``
writes ``Places|Spanien|...`` once she has written Spain so.
"""

from __future__ import annotations

import difflib
import functools
import math
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..records import Photo
from .geocode import Gazetteer, Place, ascii_fold, reach_km
from .history import ProfileHistory
from .timeplace import SHOOT_HOURS, epoch_hours, haversine_km

CITY, STATE, COUNTRY = "{city}", "{state}", "{country}"
FAR_KM = 100.0  # a place keyword is never suggested this far from every photo she gave it
SHOOT_SPREAD_KM = 5.0  # the shoot's photos lie this close together for the photo to take their place


@functools.lru_cache(maxsize=65536)  # her tags and GeoNames' names, compared after every change
def _norm(text: str | None) -> str:
    return ascii_fold(text or "").casefold().strip()


def _split(tag: str) -> tuple[tuple[str, ...], str]:
    if "|" in tag:
        return tuple(tag.split("|")), "|"
    if ", " in tag:
        return tuple(tag.split(", ")), ", "
    return (tag,), ""


def _slots(parts: tuple[str, ...], place: Place) -> tuple[str, ...] | None:
    """The shape of a tag that names ``place``: each level a slot or a word of her own; None
    when no level is the city's name."""
    # The city last: where the area has its name (Lisbon, Vienna), the level is the city.
    names = {_norm(place.state): STATE, _norm(place.country): COUNTRY, _norm(place.city): CITY}
    names.pop("", None)
    shape = tuple(names.get(_norm(part), part) for part in parts)
    return shape if shape.count(CITY) == 1 else None


def _fits(parts: tuple[str, ...], shape: tuple[str, ...]) -> bool:
    """Whether a tag has her style's shape: the same levels, her own words where it has them,
    and no digits where names go (``Lisboa2023`` is a trip, not a place)."""
    if len(parts) != len(shape):
        return False
    for part, slot in zip(parts, shape):
        if slot in (CITY, STATE, COUNTRY):
            if not part or any(c.isdigit() for c in part):
                return False
        elif part != slot:
            return False
    return True


@dataclass(frozen=True)
class PlaceStyle:
    shape: tuple[str, ...]  # slots and her own words, level by level
    separator: str  # "|", ", " or "" (one level)
    countries: dict[str, str]  # country code -> her spelling
    ascii: bool  # she folds names to ASCII
    columns: np.ndarray  # her place keywords (history columns)
    places: dict[int, Place]  # column -> the GeoNames place at its centre
    rates: dict[int, float]  # column -> the share of her photos there that carry it
    new_place_rate: float  # how often she names a place new to her: the median of ``rates`` away from home
    home: int  # the place keyword of where she takes most photos

    def compose(self, place: Place) -> str | None:
        """``place`` written her way; None where her style needs a level GeoNames lacks."""
        values = {CITY: place.city, STATE: place.state, COUNTRY: self.countries.get(place.country_code, place.country)}
        parts = []
        for slot in self.shape:
            value = values.get(slot, slot)
            if not value:
                return None
            parts.append(ascii_fold(value) if self.ascii and slot in values else value)
        return self.separator.join(parts)


def places_of_tags(h: ProfileHistory, gazetteer: Gazetteer,
                   known: dict[tuple[float, float], Place | None] | None = None) -> dict[int, Place]:
    """The GeoNames place at the centre of each tag whose geotagged uses lie in one place.
    ``known``: the places of centres geocoded before, kept up to date (a cache)."""
    is_place, lat, lon = h.places
    known = {} if known is None else known
    named: dict[int, Place] = {}
    for t in np.flatnonzero(is_place):
        centre = (round(float(lat[t]), 4), round(float(lon[t]), 4))  # ~10 m: a tag's centre moves little
        if centre not in known:
            known[centre] = gazetteer.nearest(*centre)
        if known[centre] is not None:
            named[int(t)] = known[centre]
    return named


def naming_tags(h: ProfileHistory, named: dict[int, Place]) -> set[int]:
    """Her tags with a level that is the name of the place of their uses: its city, area or country."""
    return {t for t, place in named.items()
            if {_norm(p) for p in _split(h.tags[t])[0]} & ({_norm(place.city), _norm(place.state), _norm(place.country)}
                                                            - {""})}


def learn_style(h: ProfileHistory, named: dict[int, Place]) -> PlaceStyle | None:
    """Her style, from the place keywords she gave geotagged photos (``places_of_tags``); None
    when she has none."""
    shapes: Counter = Counter()
    for t, place in named.items():
        parts, separator = _split(h.tags[t])
        shape = _slots(parts, place)
        if shape is not None:
            shapes[shape, separator] += int(h.counts[t])
    if not shapes:
        return None
    (shape, separator), _ = shapes.most_common(1)[0]
    columns, countries, folded, written = [], {}, False, False
    for t, place in named.items():
        parts, sep = _split(h.tags[t])
        if sep != separator or not _fits(parts, shape):
            continue
        if len(shape) == 1 and _slots(parts, place) is None:
            continue  # one level: only a name GeoNames gives that place ('dog' is not a place)
        columns.append(t)
        for part, slot in zip(parts, shape):
            if slot == COUNTRY:
                countries.setdefault(place.country_code, part)
            name = {CITY: place.city, STATE: place.state, COUNTRY: place.country}.get(slot)
            if name and part != name and part == ascii_fold(name):
                folded = True
            written |= slot in (CITY, STATE, COUNTRY) and not part.isascii()
    there = {t: _rate_there(h, t, named[t]) for t in columns}
    rates = {t: rate for t, (rate, _) in there.items()}
    # Home is where she takes most photos: there her other signals know her habit, and people
    # name it least. A new place is a trip: how often she names the places she travelled to.
    home = max(columns, key=lambda t: there[t][1])
    away = [rate for t, rate in rates.items() if t != home] or [rates[home]]
    return PlaceStyle(shape, separator, countries, folded and not written, np.array(columns, dtype=np.int64),
                      {t: named[t] for t in columns}, rates, float(np.median(away)), home)


def _rate_there(h: ProfileHistory, t: int, place: Place) -> tuple[float, int]:
    """Of her photos taken within the place's reach, the share that carry tag ``t``, and how
    many they are."""
    km = np.nan_to_num(haversine_km(place.lat, place.lon, h.lats, h.lons), nan=np.inf)
    there = km <= 2 * reach_km(place.population)
    if not there.any():
        return 1.0, 0
    return float(np.isin(np.flatnonzero(there), h.tag_rows[t]).mean()), int(there.sum())


@dataclass(frozen=True)
class _Learned:
    """What is read off her history once per change of it: her style, and for the GPS rule
    the candidates' geotagged uses laid end to end (one vectorised minimum per photo)."""

    version: tuple  # the history's (place_version, n_photos) it was learned at: learned again when either moves
    style: PlaceStyle | None
    candidates: np.ndarray  # columns: the tags that name a place (``naming_tags``, her place keywords)
    lats: np.ndarray  # their geotagged uses, candidate after candidate
    lons: np.ndarray
    starts: np.ndarray  # where each candidate's uses start in lats/lons
    named: dict  # centre -> GeoNames place, kept across learnings
    centres: tuple[np.ndarray, np.ndarray]  # each candidate's uses' centre ...
    spread: np.ndarray  # ... and how far its farthest use lies from it (km)


_LEARNED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _learned(h: ProfileHistory, gazetteer: Gazetteer | None) -> _Learned:
    version = (h.place_version, h.n_photos)  # her place keywords, and the photos their shares are of
    kept = _LEARNED.get(h)
    if kept is not None and kept.version == version:
        return kept
    known = kept.named if kept is not None else {}
    named = places_of_tags(h, gazetteer, known) if gazetteer is not None else {}
    style = learn_style(h, named)
    # Only keywords that name a place obey the GPS: a favourite ('35mm') or a trip's name used
    # in one city so far may well come along to the next one.
    candidates = naming_tags(h, named) | (set(style.columns.tolist()) if style else set())
    columns = np.array(sorted(candidates), dtype=np.int64)
    lengths = np.array([len(h.tag_rows[t]) for t in columns], dtype=np.int64)
    rows = np.concatenate([h.tag_rows[t] for t in columns]) if len(columns) else np.zeros(0, dtype=np.int64)
    owner = np.repeat(columns, lengths)
    located = np.isfinite(h.lats[rows]) & np.isfinite(h.lons[rows])
    rows, owner = rows[located], owner[located]  # grouped by candidate, in column order
    columns, starts = np.unique(owner, return_index=True)
    lats, lons = h.lats[rows], h.lons[rows]
    counts = np.diff(np.append(starts, len(rows)))
    centre_lat = np.add.reduceat(lats, starts) / counts if len(starts) else np.zeros(0)
    centre_lon = np.add.reduceat(lons, starts) / counts if len(starts) else np.zeros(0)
    spread = (np.maximum.reduceat(haversine_km(np.repeat(centre_lat, counts), np.repeat(centre_lon, counts),
                                               lats, lons), starts) if len(starts) else np.zeros(0))
    kept = _Learned(version, style, columns, lats, lons, starts.astype(np.int64), known, (centre_lat, centre_lon),
                    spread)
    _LEARNED[h] = kept
    return kept


def style_of(h: ProfileHistory, gazetteer: Gazetteer) -> PlaceStyle | None:
    """Her style, learned again only when her place keywords or her photos changed."""
    return _learned(h, gazetteer).style


def keyword_named(h: ProfileHistory, style: PlaceStyle, city: str, country: str = "") -> int | None:
    """Her place keyword for a city named in words (a photo's location field): the one whose
    city, in her spelling or GeoNames', is that name or close to it ('Lisboa' is her 'Lisbon'),
    in that country where one is named; the closest, then her most used."""
    best: tuple[float, int, int] | None = None
    for t, place in style.places.items():
        parts = _split(h.tags[t])[0]
        hers = [p for p, slot in zip(parts, style.shape) if slot == CITY]
        close = max(_likeness(city, name) for name in [place.city, *hers])
        countries = [place.country, place.country_code, style.countries.get(place.country_code)]
        if close and (not _norm(country) or max(_likeness(country, name, 0.7) for name in countries)):
            key = (close, int(h.counts[t]), t)
            best = key if best is None or key > best else best
    return None if best is None else best[2]


def _likeness(a: str | None, b: str | None, least: float = 0.8) -> float:
    """1 for one name (accents and case aside), the likeness of two spellings of it
    ('Lisboa', 'Lisbon'), 0 below ``least`` or for names that start apart."""
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = difflib.SequenceMatcher(None, a, b).ratio() if a[0] == b[0] and min(len(a), len(b)) >= 4 else 0.0
    return ratio if ratio >= least else 0.0


def position(h: ProfileHistory, photo: Photo) -> tuple[float, float, bool] | None:
    """Where the photo was taken: its GPS, else the GPS of her photos of its shoot (the same
    day, within SHOOT_HOURS, lying together); (lat, lon, from the shoot) or None."""
    if photo.gps_lat is not None and photo.gps_lon is not None:
        return photo.gps_lat, photo.gps_lon, False
    when = epoch_hours(photo.taken_at)
    if math.isnan(when) or not h.n_photos:
        return None
    close = np.nan_to_num(np.abs(h.hours - when), nan=np.inf) < SHOOT_HOURS
    day = datetime.fromtimestamp(when * 3600).date()  # the photo's own calendar day, as it was read
    rows = [r for r in np.flatnonzero(close & np.isfinite(h.lats) & np.isfinite(h.lons))
            if datetime.fromtimestamp(h.hours[r] * 3600).date() == day]
    if not rows:
        return None
    lat, lon = float(np.median(h.lats[rows])), float(np.median(h.lons[rows]))
    if haversine_km(lat, lon, h.lats[rows], h.lons[rows]).max() > SHOOT_SPREAD_KM:
        return None  # a shoot on the move: no one place for it
    return lat, lon, True


def far_place_columns(h: ProfileHistory, gazetteer: Gazetteer | None, lat: float, lon: float,
                      place: Place | None) -> np.ndarray:
    """Her place keywords (every tag of hers that names the place of its uses) whose every
    geotagged use is FAR_KM or more from here: never suggested for this photo, whatever speaks for them. A
    keyword with a level that names this photo's country (``Places|Italy``) is not far in Italy."""
    learned = _learned(h, gazetteer)
    if not len(learned.candidates):
        return learned.candidates
    # Each candidate's uses lie within its spread of their centre: the centre alone settles
    # most (100,000 distances a photo were 3 ms); the uses are measured for the rest only.
    centre_km = haversine_km(lat, lon, *learned.centres)
    surely_far = centre_km - learned.spread >= FAR_KM
    unsure = np.flatnonzero(~surely_far & (centre_km + learned.spread >= FAR_KM))
    if len(unsure):
        ends = np.append(learned.starts[1:], len(learned.lats))
        for i in unsure:
            uses = slice(learned.starts[i], ends[i])
            surely_far[i] = haversine_km(lat, lon, learned.lats[uses], learned.lons[uses]).min() >= FAR_KM
    far = learned.candidates[surely_far]
    style = learned.style
    if place is None or not len(far):
        return far
    country = {_norm(place.country), _norm(style.countries.get(place.country_code) if style else None)} - {""}
    return np.array([t for t in far.tolist() if not any(_norm(part) in country for part in _split(h.tags[t])[0])],
                    dtype=np.int64)
