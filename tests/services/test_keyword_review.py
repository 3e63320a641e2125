"""The review of a keyword's candidates as the app drives it: a decision is stored exactly as
an accepted or rejected suggestion, and the candidates left are ranked again at once."""

import pytest

from tagassist.services.finding import KeywordReview
from tagassist.store import Photo


@pytest.fixture
def shoot(store):
    """Three photos tagged 'Shrek' and four more from that shoot, one from another day."""
    profile = store.profiles.get()
    ids = []
    for n, when in enumerate(["10:00", "10:05", "10:10", "10:20", "10:25", "10:30", "10:35"]):
        photo = Photo(path=f"/lib/{n}.jpg", size=1, mtime_ns=1, content_hash=f"h{n}", taken_at=f"2024-05-01T{when}:00")
        ids.append(store.photos.save(photo))
    ids.append(store.photos.save(Photo(path="/lib/x.jpg", size=1, mtime_ns=1, content_hash="hx",
                                      taken_at="2024-09-01T10:00:00")))
    store.tagging.add_tags(profile, ids[:3], ["Shrek"], "typed")
    return profile, ids


def test_accept_and_reject_are_stored_as_suggestions_are_and_rerank(store, shoot):
    profile, ids = shoot
    store.keywords.add_aliases(profile, ["Shreky"], "Shrek")
    review = KeywordReview(store, profile, "shreky")
    first = [f.photo_id for f in review.candidates()]
    assert review.keyword == "Shrek" and set(first[:4]) == set(ids[3:7]) and first[-1] == ids[7]
    review.accept(first[:2])
    review.reject(first[2:3])
    tags = {a.tag: a.source for a in store.history.photo_tags(profile, first[0])}
    assert tags == {"Shrek": "accepted"}
    assert [r.tag for r in store.history.photo_rejections(profile, first[2])] == ["Shrek"]
    left = [f.photo_id for f in review.candidates()]
    assert left == [first[3], ids[7]]
    assert (review.tagged, review.rejected) == (2, 1)
    assert 0 < review.expected_remaining() < 2


def test_a_keyword_nobody_gave_is_a_clear_error(store, shoot):
    profile, _ = shoot
    with pytest.raises(ValueError, match="^tag at least one photo with 'Fiona' first$"):
        KeywordReview(store, profile, "Fiona")
