"""The engine's state kept between processes (issue 25, 2): suggestions from the kept state are
exactly a fresh build's, and a kept state that is damaged or from another change counter is
built again, never used."""

import numpy as np
import pytest

from photosim.library import prepare_library, tag_history
from tagassist.engine.suggest import Suggester
from tagassist.services import engine_cache
from tagassist.services.suggesting import build
from tagassist.store import Store


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A simulated photographer's 90 photos, rendered, scanned and indexed, and tagged:
    enough history for the calibration's replay of her newest shoots."""
    root = tmp_path_factory.mktemp("kept")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TAGASSIST_DATA_DIR", str(root / "data"))
        env.setenv("TAGASSIST_CACHE_DIR", str(root / "cache"))
        db, truth, name = prepare_library(root, 1, 90, seed=5)
    with Store(db) as store:
        tag_history(store, store.profiles.get(name), truth)
    return db, name


@pytest.fixture
def builds(monkeypatch):
    """How many times the history was read from the store and calibrated."""
    count = []
    refresh = Suggester.refresh

    def counted(self, photo_ids=None):
        if photo_ids is None:
            count.append(1)
        return refresh(self, photo_ids)

    monkeypatch.setattr(Suggester, "refresh", counted)
    return count


def everything(engine, store, profile) -> dict:
    return {photo.id: engine.suggest(photo, 5) for photo, _ in store.photos.list_photos(profile)}


def test_suggestions_from_the_kept_state_are_a_fresh_builds(library, builds):
    db, name = library
    with Store(db) as store:
        profile = store.profiles.get(name)
        fresh = build(store, profile, cached=False)
        assert fresh.calibration.suggestions > 0  # her newest shoots were replayed
        build(store, profile)  # builds, and keeps the state
        assert len(builds) == 2
        kept = build(store, profile)
        assert len(builds) == 2  # nothing read again: the kept state
        assert (kept.calibration.a, kept.calibration.b) == (fresh.calibration.a, fresh.calibration.b)
        assert everything(kept, store, profile) == everything(fresh, store, profile)


def test_a_damaged_state_is_built_again(library, builds):
    db, name = library
    with Store(db) as store:
        profile = store.profiles.get(name)
        fresh = everything(build(store, profile, cached=False), store, profile)
        path = engine_cache.cache_file(store, profile, store.settings.active_encoder())
        build(store, profile)
        whole = path.read_bytes()
        for damaged in (whole[: len(whole) // 2],  # cut short
                        whole[:len(whole) // 2] + bytes([whole[len(whole) // 2] ^ 0xFF]) + whole[len(whole) // 2 + 1:],
                        b"not a cache at all"):
            path.write_bytes(damaged)
            before = len(builds)
            assert everything(build(store, profile), store, profile) == fresh
            assert len(builds) == before + 1
        with np.load(path) as arrays:  # kept again, whole: arrays that do not fit together
            parts = dict(arrays)
        parts["row_lengths"] = parts["row_lengths"][:-1]
        np.savez(path, **parts)
        before = len(builds)
        assert everything(build(store, profile), store, profile) == fresh
        assert len(builds) == before + 1


def test_a_state_from_another_change_counter_is_built_again(library, builds, tmp_path):
    import shutil

    db = tmp_path / "lib.sqlite"
    shutil.copy(library[0], db)
    with Store(db) as store:
        profile = store.profiles.get(library[1])
        photos = [photo for photo, _ in store.photos.list_photos(profile)]
        old = build(store, profile)
        counter = store.changes.counter()
        store.tagging.add_tags(profile, [p.id for p in photos[:30]], ["harbour lights"], "typed")
        assert store.changes.counter() > counter
        before = len(builds)
        now = build(store, profile)
        assert len(builds) == before + 1
        fresh = build(store, profile, cached=False)
        assert everything(now, store, profile) == everything(fresh, store, profile)
        assert everything(old, store, profile) != everything(fresh, store, profile)  # stale would be wrong
