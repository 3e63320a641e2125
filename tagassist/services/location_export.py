"""The photo's place in words, written by the export where the library's ``write_location``
option (or ``export --location``) asks for it: the city, state, country and ISO country code
that Lightroom Classic's map module writes (``photoshop:City/State/Country``,
``Iptc4xmpCore:CountryCode``), named offline from the photo's GPS (GeoNames,
``tagassist.engine.geocode``).

A file's location is tagassist's to change only while it holds none, or still holds what
tagassist wrote there the last time (its *base*, ``store.location_bases``, saved in the
export's transaction and journalled with the write so that undo puts it back with the bytes).
A location another tool or the photographer wrote is kept whole, in whichever of the photo's
files it is: tagassist fills no field beside it. A photo without GPS gets no location.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from ..engine.geocode import gazetteer
from ..library.imaging import is_raw_name
from ..library.keyword_export import ExportError, is_sidecar, read_for_writing
from ..library.location_fields import EMPTY, FileLocation, Location, LocationError, clean, read_location
from ..options import OPTIONS
from ..paths import display_path
from ..records import Photo
from ..store import Store

SETTING = "write_location"


@dataclass(frozen=True)
class FilePlan:
    """One target file's location as an export decides it: the base it started from and what
    to write (None: the file keeps its own)."""

    base: Location | None
    write: Location | None
    note: str | None = None  # why a place the GPS names is not written


def writes_location(store: Store) -> bool:
    """Whether the library's exports write the location (its ``write_location`` option)."""
    return store.settings.get(SETTING, OPTIONS[SETTING].default) == "on"


def named(photo: Photo) -> Location | None:
    """The photo's place as GeoNames names it from its GPS; None without GPS, or where no
    populated place is near."""
    if photo.gps_lat is None or photo.gps_lon is None:
        return None
    places = gazetteer()
    place = places.nearest(photo.gps_lat, photo.gps_lon) if places is not None else None
    if place is None:
        return None
    return clean(place.city, place.state, place.country, place.country_code)


def describe(location: Location) -> str:
    """'Lisbon, Lisbon, Portugal (PT)': a location in the words of the export's report."""
    city, state, country, code = location
    return ", ".join(part for part in (city, state, country) if part) + (f" ({code})" if code else "")


def as_json(location: Location) -> dict:
    return dict(zip(("city", "state", "country", "country_code"), location, strict=True))


def plan(store: Store, photo: Photo, targets: Sequence[str], others: Sequence[str]) -> dict[str, FilePlan]:
    """The location of each target file: what to write where the file holds none or tagassist's
    own; nothing at all where the photo has no GPS, or where any of its files (``targets`` and
    ``others``, its files the export does not write) names a place another tool wrote."""
    place = named(photo)
    if place is None:
        return {}
    plans = {}
    for path in [*targets, *(o for o in others if o not in targets)]:
        try:
            current = _read(path)
        except ExportError as exc:
            if path in targets:
                raise
            # a file it does not write, unreadable: its keywords still go; no place beside a place unseen
            return {targets[0]: FilePlan(None, None, f"location not written: {exc}")} if targets else {}
        base = _base(store, photo, path)
        if not current.empty and (current.elsewhere or current.fields != base):
            # another tool's place: kept, and none written beside it
            if current.fields == place or not targets:
                return {}
            theirs = describe(current.fields) if current.fields != EMPTY else "a place in IPTC fields"
            return {targets[0]: FilePlan(None, None, f"location kept: {display_path(os.path.basename(path))} names"
                                                     f" {theirs}, written by another tool (GPS: {describe(place)})")}
        if current.empty and base is not None and base != EMPTY:
            # the place tagassist wrote was taken out by another tool: it stays out
            return {targets[0]: FilePlan(None, None, f"location not written: the place tagassist wrote in"
                                                     f" {display_path(os.path.basename(path))} was taken out"
                                                     " by another tool")} if targets else {}
        if path in targets:
            plans[path] = FilePlan(base, None if current.fields == place else place)
    return plans


def _base(store: Store, photo: Photo, path: str) -> Location | None:
    value = store.location_bases.get(photo.id, os.path.basename(path)) if photo.id is not None else None
    return None if value is None else tuple(value)  # type: ignore[return-value]


def _read(path: str) -> FileLocation:
    if is_raw_name(path) and not is_sidecar(path):  # the camera's original: never written, not read whole
        return FileLocation(EMPTY)
    try:
        return read_location(path, read_for_writing(path))
    except LocationError as exc:
        raise ExportError(f"{display_path(os.path.basename(path))}: {exc}; left unchanged") from exc


def adopt_written(store: Store, photo_id: int, path: str, written: Sequence[str]) -> None:
    """A file an export killed before it committed wrote: where it holds the place that export
    wrote (another tool may have changed the file since, its GPS say, and not its place), the
    place is tagassist's, so the next export keeps it up to date."""
    try:
        held = _read(path)
    except ExportError:
        return  # unreadable now: the next export says so
    if not held.elsewhere and held.fields == tuple(written):
        save_base(store, photo_id, path, written)


def save_base(store: Store, photo_id: int, path: str, written: Sequence[str] | None) -> None:
    """The file's base after a write (or put back by undo): () and None alike mean none."""
    store.location_bases.set(photo_id, os.path.basename(path), tuple(written) if written else None)
