import os
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from tagassist.store import Photo, Store, StoreError, UnknownProfile
from tagassist.store.schema import LATEST_VERSION


def _photo(path, **kw):
    return Photo(path=str(path), size=kw.pop("size", 10), mtime_ns=kw.pop("mtime_ns", 1), **kw)


def test_fresh_database_is_migrated_with_wal_and_foreign_keys(store):
    assert store.database.schema_version == LATEST_VERSION
    assert store.database.scalar("PRAGMA journal_mode") == "wal"
    assert store.database.scalar("PRAGMA foreign_keys") == 1
    assert {"profiles", "photos", "tags", "assignments", "rejections", "embeddings", "models"} <= set(
        store.database.db.table_names()
    )


def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "db.sqlite"
    Store(path).close()
    with Store(path) as s:
        assert s.database.scalar("SELECT COUNT(*) FROM schema_migrations") == LATEST_VERSION


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "db.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (?, 'later')", (LATEST_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer tagassist"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just words " * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(path)


def test_default_profile_is_created_and_unknown_profiles_are_refused_when_reading(store):
    assert store.profiles.get().name == "default"
    with pytest.raises(UnknownProfile, match="known: default"):
        store.profiles.get("maya", create=False)
    assert store.profiles.get("maya").name == "maya"


def test_photo_round_trip_keeps_every_field_and_non_utf8_paths(store, tmp_path):
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.jpg")  # Latin-1 byte, not UTF-8
    photo = _photo(odd, content_hash="abc", width=4000, height=3000, taken_at="2024-05-11T09:30:00",
                   camera_make="FUJIFILM", camera_model="X-T4", lens="XF23", focal_length=23.0,
                   exposure_time="1/250", f_number=5.6, iso=200, gps_lat=41.9, gps_lon=12.5,
                   orientation=6, status="warning", error="odd", keywords=["b", "a|x"])
    photo_id = store.photos.save(photo)
    loaded = store.photos.by_path(odd)
    assert loaded.id == photo_id and loaded.path == odd
    for name in Photo.column_names():
        assert getattr(loaded, name) == getattr(photo, name), name
    store.sync.set_base_keywords(photo_id, photo.keywords)
    assert store.sync.file_keywords(photo_id) == ["a|x", "b"]


def test_add_remove_reject_semantics(store):
    profile = store.profiles.get()
    pid = store.photos.save(_photo("/x/1.jpg"))
    assert store.tagging.add_tags(profile, [pid], ["dog", " Places | Italy |Rome "], "typed") == 2
    assert [a.tag for a in store.history.photo_tags(profile, pid)] == ["Places|Italy|Rome", "dog"]
    assert store.tagging.add_tags(profile, [pid], ["dog"], "accepted") == 0  # already there: kept as typed
    assert store.tagging.reject_tags(profile, [pid], ["dog"], model_version="v1", score=0.7) == 1
    assert [a.tag for a in store.history.photo_tags(profile, pid)] == ["Places|Italy|Rome"]
    rejection = store.history.photo_rejections(profile, pid)[0]
    assert (rejection.tag, rejection.model_version, rejection.score) == ("dog", "v1", 0.7)
    store.tagging.add_tags(profile, [pid], ["dog"], "typed")  # changing one's mind clears the rejection
    assert store.history.photo_rejections(profile, pid) == []
    assert store.tagging.remove_tags(profile, [pid], ["dog", "never-existed"]) == 1


def test_profiles_keep_separate_histories(store):
    a, b = store.profiles.get("a"), store.profiles.get("b")
    pid = store.photos.save(_photo("/x/1.jpg"))
    store.tagging.add_tags(a, [pid], ["sunset"], "typed")
    assert store.history.photo_tags(b, pid) == []
    assert store.history.vocabulary(a) == [("sunset", 1)]


def test_imported_keywords_respect_rejections(store):
    profile = store.profiles.get()
    pid = store.photos.save(_photo("/x/1.jpg"))
    store.sync.set_base_keywords(pid, ["beach", "sea"])
    store.tagging.reject_tags(profile, [pid], ["sea"])
    assert store.tagging.import_file_keywords(profile, [pid]) == 1
    assert [(a.tag, a.source) for a in store.history.photo_tags(profile, pid)] == [("beach", "imported")]


def test_a_failed_transaction_leaves_nothing_behind(store):
    profile = store.profiles.get()
    pid = store.photos.save(_photo("/x/1.jpg"))
    with pytest.raises(RuntimeError), store.transaction():
        store.tagging.add_tags(profile, [pid], ["one"], "typed")
        store.photos.save(_photo("/x/2.jpg"))
        raise RuntimeError("boom")
    assert store.history.photo_tags(profile, pid) == []
    assert store.photos.by_path("/x/2.jpg") is None


def test_list_photos_filters(store):
    profile = store.profiles.get()
    tagged = store.photos.save(_photo("/lib/a.jpg"))
    store.photos.save(_photo("/lib/b.jpg"))
    store.photos.save(_photo("/lib/c.jpg", status="error", error="bad"))
    store.tagging.add_tags(profile, [tagged], ["Places|Italy|Rome"], "typed")
    paths = lambda rows: [p.path for p, _ in rows]  # noqa: E731
    assert paths(store.photos.list_photos(profile, untagged=True)) == ["/lib/b.jpg"]
    assert paths(store.photos.list_photos(profile, tag="Places|Italy")) == ["/lib/a.jpg"]  # children match
    assert paths(store.photos.list_photos(profile, tag="Places|It")) == []
    assert paths(store.photos.list_photos(profile, problems=True)) == ["/lib/c.jpg"]
    assert store.photos.list_photos(profile)[0][1] == ["Places|Italy|Rome"]


def test_embeddings_round_trip_per_encoder(store):
    vector = np.arange(8, dtype=np.float32)
    store.embeddings.put_embeddings("enc-a", [("h1", vector)])
    assert np.array_equal(store.embeddings.embeddings("enc-a", ["h1", "h2"])["h1"], vector)
    assert store.embeddings.embeddings("enc-b", ["h1"]) == {}


def test_deleting_a_profile_cascades_to_its_history(store):
    profile = store.profiles.get("gone")
    pid = store.photos.save(_photo("/x/1.jpg"))
    store.tagging.add_tags(profile, [pid], ["t"], "typed")
    with store.transaction() as conn:
        conn.execute("DELETE FROM profiles WHERE id = ?", (profile.id,))
    assert store.database.scalar("SELECT COUNT(*) FROM assignments") == 0
    assert store.database.integrity_problems() == []


def test_date_filter_and_months(store):
    profile = store.profiles.get()
    for i, taken in enumerate(["2024-05-11T09:00:00", "2024-05-12T10:00:00", "2023-12-31T23:00:00", None]):
        store.photos.save(_photo(f"/lib/{i}.jpg", taken_at=taken))
    assert store.photos.months() == [("2024-05", 2), ("2023-12", 1)]
    assert [p.path for p, _ in store.photos.list_photos(profile, date="2024-05")] == ["/lib/0.jpg", "/lib/1.jpg"]
    assert [r.path for r in store.photos.grid_rows(profile, date="2023")] == ["/lib/2.jpg"]


def test_settings_round_trip_and_bad_values(tmp_path):
    from tagassist.settings import Settings

    settings = Settings(suggestion_count=5, confidence_threshold=0.3)
    settings.save()
    assert Settings.load() == settings
    Settings.path().write_text('{"suggestion_count": "many", "unknown": 1}')
    assert Settings.load().suggestion_count == 9
    Settings.path().write_text("not json")
    assert Settings.load() == Settings()


def test_a_transaction_that_reads_first_waits_for_another_writer_instead_of_failing(tmp_path):
    """A deferred BEGIN that reads, then writes after another connection committed, fails at
    once with 'database is locked' (the busy timeout never applies); BEGIN IMMEDIATE waits."""
    import threading
    import time

    from tagassist.store import Store

    path = tmp_path / "shared.sqlite"
    with Store(path) as setup:
        photo = setup.photos.save(_photo("/x/1.jpg"))
    first_has_read, errors = threading.Event(), []

    def reader_then_writer():
        with Store(path) as store:
            profile = store.profiles.get()
            try:
                with store.transaction():
                    store.history.photo_tags(profile, photo)  # a read opens the snapshot...
                    first_has_read.set()
                    time.sleep(0.3)
                    store.tagging.add_tags(profile, [photo], ["mine"], "typed")  # ...then a write
            except Exception as exc:  # noqa: BLE001 - the failure is the point
                errors.append(exc)

    thread = threading.Thread(target=reader_then_writer)
    thread.start()
    first_has_read.wait(5)
    with Store(path) as other:
        other.tagging.add_tags(other.profiles.get(), [photo], ["theirs"], "typed")
    thread.join()
    assert errors == []
    with Store(path) as store:
        assert [a.tag for a in store.history.photo_tags(store.profiles.get(), photo)] == ["mine", "theirs"]


def test_a_nested_transaction_that_fails_undoes_only_its_own_writes(store):
    with store.transaction() as conn:
        conn.execute("INSERT INTO profiles (name, created_at) VALUES ('outer', 'now')")
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.execute("INSERT INTO profiles (name, created_at) VALUES ('inner', 'now')")
            raise RuntimeError("boom")
    names = {r["name"] for r in store.database.query("SELECT name FROM profiles")}
    assert "outer" in names and "inner" not in names


def test_rows_read_as_dicts_with_a_repeated_column_named_apart_as_sqlite_utils_did(store):
    rows = store.database.query("SELECT 1 AS id, 2 AS id, 3 AS id_2, 4 AS id")
    assert rows == [{"id": 1, "id_3": 2, "id_2": 3, "id_4": 4}]
    assert store.database.scalar("PRAGMA recursive_triggers") == 1  # as sqlite-utils set it for the triggers


def test_opening_a_library_imports_no_sqlite_utils(tmp_path):
    """Its import and its plugins' were a third of a second of every ``tagassist suggest``
    (issue 25); the store speaks sqlite3 itself and loads sqlite-utils only where asked."""
    Store(tmp_path / "db.sqlite").close()
    code = ("import sys; from tagassist.store import Store; s = Store(sys.argv[1]); s.photos.by_path('/x.jpg');"
            " assert 'sqlite_utils' not in sys.modules, 'imported'; s.close()")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "db.sqlite")], check=True)
