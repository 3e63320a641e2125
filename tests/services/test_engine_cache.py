"""The engine's state kept between processes (issue 25, 2): suggestions from the kept state are
exactly a fresh build's, and a kept state that is damaged or from another change counter is
built again, never used."""

from dataclasses import replace

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


def _last_data_byte(path, member: str) -> int:
    """Where the last byte of a member's data lies in a zip written in one go (no data
    descriptors): just before the next member's header, or the central directory."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        starts = sorted(i.header_offset for i in archive.infolist()) + [archive.start_dir]
        here = archive.getinfo(member).header_offset
    return starts[starts.index(here) + 1] - 1


def _mapped(array) -> bool:
    while array is not None and not isinstance(array, np.memmap):
        array = array.base
    return array is not None


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
        damages = [whole[: len(whole) // 2], b"not a cache at all"]  # cut short; another file
        for member in ("tags", "content_hashes", "vector_sum", "derived_counts", "calibration"):
            at = _last_data_byte(path, f"{member}.npy")  # a flipped bit in what the state holds
            damages.append(whole[:at] + bytes([whole[at] ^ 0x10]) + whole[at + 1:])
        for damaged in damages:
            path.write_bytes(damaged)
            before = len(builds)
            assert everything(build(store, profile), store, profile) == fresh
            assert len(builds) == before + 1
        vectors = engine_cache.vectors_file(path)
        whole = vectors.read_bytes()
        middle = len(whole) // 2
        kept = np.load(vectors)
        swapped = kept.copy()
        swapped[[0, 1]] = swapped[[1, 0]]  # the same vectors on other rows: another writer's file
        np.save(vectors.with_name("swapped.npy"), swapped)
        swapped = vectors.with_name("swapped.npy").read_bytes()
        for damaged in (whole[:middle],  # the vectors: cut short, a flipped bit, two rows swapped, none
                        whole[:middle] + bytes([whole[middle] ^ 0x01]) + whole[middle + 1:], swapped, None):
            if damaged is None:
                vectors.unlink()
            else:
                vectors.write_bytes(damaged)
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


def test_a_kept_state_is_a_build_s_arrays_and_updates_as_one(library, builds, tmp_path):
    """What a restore takes from the file instead of deriving (counts, habits, the tags' rows,
    the places) and makes only when asked (rows by photo, hashes, cameras) is a build's; its
    vectors are mapped, not copied, and aligned (else each product copies them); and tags
    changed afterwards update it exactly as they update a build (the app's path)."""
    import shutil

    db = tmp_path / "lib.sqlite"
    shutil.copy(library[0], db)
    with Store(db) as store:
        profile = store.profiles.get(library[1])
        build(store, profile)
        kept, fresh = build(store, profile), build(store, profile, cached=False)
        assert len(builds) == 2  # the first build kept it; the second read it
        h, f = kept.history, fresh.history
        for name, values in f.derived().items():
            assert np.array_equal(h.derived()[name], values, equal_nan=True), name
        assert (h.row_of, h.content_hashes, h.cameras) == (f.row_of, f.content_hashes, f.cameras)
        assert all(h.positions_of(c) == f.positions_of(c) for c in f.content_hashes)
        assert _mapped(h.embeddings) and h.embeddings.flags.aligned
        assert not _mapped(f.embeddings)

        tagged = [photo for photo, _ in store.photos.list_photos(profile) if photo.id in f.row_of]
        copy = store.photos.save(replace(tagged[3], id=None, path=tagged[3].path + "-copy.jpg"))  # its vector too
        store.tagging.add_tags(profile, [copy, tagged[0].id], ["harbour lights"], "typed")  # a new row, a new tag
        store.tagging.remove_tags(profile, [tagged[1].id], [t for t in f.tags if f.counts[f.tag_index[t]]])  # all
        store.tagging.reject_tags(profile, [tagged[2].id], [f.tags[0]])
        changed = [copy, tagged[0].id, tagged[1].id, tagged[2].id]
        kept.refresh(changed)
        fresh.refresh(changed)
        assert everything(kept, store, profile) == everything(fresh, store, profile)
        rebuilt = build(store, profile, cached=False)
        rebuilt.calibration = kept.calibration  # which a rebuild fits again on the shoots as they are now
        assert everything(kept, store, profile) == everything(rebuilt, store, profile)
        twins = tagged[3].content_hash
        assert kept.history.positions_of(twins) == fresh.history.positions_of(twins) and len(set(
            kept.history.positions_of(twins))) == 2  # the one kept, the one added since


def test_a_tag_command_keeps_the_state_current_for_the_next_suggest(library, builds, tmp_path, capsys):
    """``tagassist tag`` updates the kept state for the photos it changed (its write lock held,
    nothing else moved the change counter): the next process suggests from it without building
    again, exactly as an engine updated in place after the same edit (the app's)."""
    import shutil

    from tagassist.cli import main
    from tagassist.services.suggesting import keep_after_edit

    db = tmp_path / "lib.sqlite"
    shutil.copy(library[0], db)
    with Store(db) as store:
        profile = store.profiles.get(library[1])
        photos = [photo for photo, _ in store.photos.list_photos(profile)]
        live = build(store, profile)  # builds and keeps the state
        assert len(builds) == 1
    assert main(["--db", str(db), "--profile", library[1], "tag", photos[0].path, photos[1].path,
                 "--add", "harbour lights", "--reject", live.history.tags[0]]) == 0
    with Store(db) as store:
        profile = store.profiles.get(library[1])
        kept = build(store, profile)
        assert len(builds) == 1  # read, not built
        live.store = store.history
        live.refresh([photos[0].id, photos[1].id])
        assert everything(kept, store, profile) == everything(live, store, profile)
        assert "harbour lights" in kept.history.tags

        with store.transaction():  # another process's edit first: the kept state is not current before this one
            store.tagging.add_tags(profile, [photos[2].id], ["ferry"], "typed")
        with store.transaction():
            before = store.changes.counter()
            store.tagging.add_tags(profile, [photos[3].id], ["ferry"], "typed")
            after = store.changes.counter()
        assert not keep_after_edit(store, profile, [photos[3].id], before, after)
        build(store, profile)
        assert len(builds) == 2  # built again, not trusted


def test_a_state_updated_by_many_edits_is_built_again_to_calibrate(library, builds, tmp_path, monkeypatch):
    import shutil

    from tagassist.services.suggesting import keep_after_edit

    monkeypatch.setattr(engine_cache, "MOST_UPDATED", 3)  # at most max(3, 90 photos // 50) updated
    db = tmp_path / "lib.sqlite"
    shutil.copy(library[0], db)
    with Store(db) as store:
        profile = store.profiles.get(library[1])
        photos = [photo for photo, _ in store.photos.list_photos(profile)]
        build(store, profile)
        kept = []
        for photo in photos[:5]:
            with store.transaction():
                before = store.changes.counter()
                store.tagging.add_tags(profile, [photo.id], ["ferry"], "typed")
                after = store.changes.counter()
            kept.append(keep_after_edit(store, profile, [photo.id], before, after))
        assert kept == [True, True, True, False, False]
        build(store, profile)
        assert len(builds) == 2  # the fourth edit left it to be built, calibrated again


def test_a_state_from_a_database_made_again_at_the_same_path_is_built_again(library, builds, tmp_path):
    """A library deleted and made again where it was starts its change counter over: the kept
    state of the old one, at the same counter, names another database (schema 17's identity)."""
    import shutil

    db = tmp_path / "lib.sqlite"
    shutil.copy(library[0], db)
    with Store(db) as store:
        profile = store.profiles.get(library[1])
        photos = [photo for photo, _ in store.photos.list_photos(profile)]
        build(store, profile)  # kept, at this counter
        counter = store.changes.counter()
        # Another database at this path, with other tags, whose counter came to the same number.
        store.tagging.add_tags(profile, [p.id for p in photos[:30]], ["harbour lights"], "typed")
        with store.transaction() as conn:
            conn.execute("UPDATE settings SET value = 'another' WHERE key = 'library_id'")
        with store.transaction() as conn:
            conn.execute("UPDATE change_counter SET n = ? WHERE id = 1", (counter,))
        assert store.changes.counter() == counter
        before = len(builds)
        now = build(store, profile)
        assert len(builds) == before + 1
        assert everything(now, store, profile) == everything(build(store, profile, cached=False), store, profile)


def test_every_new_library_has_an_identity_of_its_own(tmp_path):
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        assert a.settings.library_id() and b.settings.library_id()
        assert a.settings.library_id() != b.settings.library_id()
