"""The change counter (schema 10) moves on with every change the engine's kept state depends
on, and stays put for what it does not read, so a cache keyed by it is never used stale."""

import numpy as np

from tagassist.store import Photo


def test_the_counter_moves_on_with_every_change_the_suggestions_read(store):
    profile = store.profiles.get()
    seen = [store.changes.counter()]

    def moved() -> bool:
        seen.append(store.changes.counter())
        return seen[-1] > seen[-2]

    photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1, content_hash="a",
                                       taken_at="2024-05-01T10:00:00"))
    assert moved()
    store.tagging.add_tags(profile, [photo_id], ["beach"], "typed")
    assert moved()
    store.tagging.reject_tags(profile, [photo_id], ["sea"])
    assert moved()
    store.tagging.remove_tags(profile, [photo_id], ["beach"])
    assert moved()
    store.embeddings.put_embeddings("enc", [("a", np.ones(4, dtype=np.float32))])
    assert moved()
    store.tagging.add_tags(profile, [photo_id], ["Places|Rome"], "typed")
    assert moved()
    store.keywords.rename(profile, "Places|Rome", "Places|Italy|Rome")
    assert moved()
    photo = store.photos.get(photo_id)
    photo.taken_at = "2024-05-02T10:00:00"  # a rescan read another date
    store.photos.save(photo)
    assert moved()
    photo.location = "Lisboa||Portugal"  # schema 11: the place signal reads it for a photo without GPS
    store.photos.save(photo)
    assert moved()
    store.settings.set("theme", "dark")  # not read by the engine
    assert not moved()
    store.photos.save(photo)  # read again, the same
    assert not moved()
