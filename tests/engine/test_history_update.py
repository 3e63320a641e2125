"""The suggestion engine's history updated in place after tag changes gives exactly what a
history built from scratch gives: the same suggestions, scores and reasons for every photo."""

import random

import pytest

from tagassist.engine.suggest import Suggester
from tagassist.store import Store


def everything(suggester, photos):
    return {p.id: suggester.suggest(p, 9) for p in photos}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_updated_history_equals_a_rebuilt_one(indexed_sample, tmp_path, seed):
    import shutil

    db = tmp_path / "lib.sqlite"
    shutil.copy(indexed_sample, db)
    with Store(db) as store:
        profile, encoder = store.profiles.get(), store.settings.active_encoder()
        photos = [p for p, _ in store.photos.list_photos(profile)]
        live = Suggester(store.history, profile, encoder)
        rng = random.Random(seed)
        vocabulary = [t for t, _ in store.history.vocabulary(profile)]
        for _ in range(6):  # rounds of edits as a photographer makes them, each followed by an update
            changed = rng.sample(photos, 4)
            ids = [p.id for p in changed]
            store.tagging.add_tags(profile, ids[:1], [rng.choice(vocabulary), f"new tag {rng.randint(0, 3)}"], "typed")
            tags = [a.tag for a in store.history.photo_tags(profile, ids[1])]
            store.tagging.remove_tags(profile, ids[1:2], tags)  # every tag off one photo
            store.tagging.reject_tags(profile, ids[2:3], [rng.choice(vocabulary)])
            store.tagging.remove_tags(profile, ids[3:], [rng.choice(vocabulary)])
            live.refresh(ids)
            fresh = Suggester(store.history, profile, encoder)
            assert everything(live, photos) == everything(fresh, photos)


def test_a_photo_asked_about_again_sees_the_photos_embedded_since(store):
    """The likeness of a photo to the history is kept between questions (accepting a suggestion
    asks about the same photo again): photos tagged since, with their vectors, still count."""
    import numpy as np

    from tagassist.store import Photo

    profile, encoder = store.profiles.get(), "test-encoder"
    rng = np.random.default_rng(0)
    look = rng.normal(size=16).astype(np.float32)

    def photo(n, vector, tags):
        p = Photo(path=f"/lib/{n}.jpg", size=1, mtime_ns=1, content_hash=f"h{n}",
                  taken_at=f"2024-0{1 + n % 9}-01T10:00:00")
        store.photos.save(p)
        store.embeddings.put_embeddings(encoder, [(p.content_hash, vector)])
        if tags:
            store.tagging.add_tags(profile, [p.id], tags, "typed")
        return p

    for n in range(6):
        photo(n, rng.normal(size=16).astype(np.float32), ["street"])
    asked = photo(10, look, [])
    live = Suggester(store.history, profile, encoder, calibrate=False)
    assert "owl" not in {s.tag for s in live.suggest(asked, 5)}
    twins = [photo(20 + n, look + 0.01 * rng.normal(size=16).astype(np.float32), ["owl"]) for n in range(3)]
    live.refresh([p.id for p in twins])
    assert "owl" in {s.tag for s in live.suggest(asked, 5)}
