"""Finding the rest of a keyword's photos (issue 24): each kind of evidence, the candidates it
leaves out, and what a decision does to the ranking, on small libraries built in the test."""

import numpy as np
import pytest

from tagassist.engine.finding import KeywordFinder, NoExamples, PhotoSet, TaggedLibrary
from tagassist.store import Photo

ENCODER = "test-encoder"
CAT, DOG = np.eye(8)[0], np.eye(8)[1]


class Library:
    def __init__(self, store):
        self.store, self.profile, self.photos = store, store.profiles.get(), []

    def photo(self, tags=(), *, vector=None, taken_at=None, gps=None, reject=()):
        n = len(self.photos) + 1
        photo = Photo(path=f"/lib/{n:04}.jpg", size=1, mtime_ns=1, content_hash=f"h{n}", taken_at=taken_at,
                      gps_lat=gps[0] if gps else None, gps_lon=gps[1] if gps else None)
        self.store.photos.save(photo)
        if tags:
            self.store.tagging.add_tags(self.profile, [photo.id], list(tags), "typed")
        if reject:
            self.store.tagging.reject_tags(self.profile, [photo.id], list(reject))
        if vector is not None:
            noise = np.random.default_rng(n).normal(scale=0.15, size=8)
            self.store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, (vector + noise).astype(np.float32))])
        self.photos.append(photo)
        return photo.id

    def finder(self, keyword):
        hashes = [p.content_hash for p in self.photos]
        found, matrix = self.store.embeddings.embedding_rows(ENCODER, hashes)
        photos = PhotoSet.build([p.id for p in self.photos], [p.taken_at for p in self.photos],
                                [p.gps_lat for p in self.photos], [p.gps_lon for p in self.photos], found,
                                matrix if found else np.zeros((0, 8)))
        return KeywordFinder(TaggedLibrary(self.store.history, self.profile, photos), keyword)


@pytest.fixture
def library(store):
    return Library(store)


def test_photos_that_look_like_hers_come_first_and_hers_are_left_out(library):
    for _ in range(3):
        library.photo(["Pets|Shrek"], vector=CAT)
    library.photo(["street"], vector=DOG)
    cats = [library.photo(vector=CAT) for _ in range(4)]
    dogs = [library.photo(vector=DOG) for _ in range(6)]
    rejected = library.photo(vector=CAT, reject=["Pets"])  # rejecting the parent rejects its children
    found = library.finder("Pets").candidates(limit=None)
    assert {c.photo_id for c in found[:4]} == set(cats)
    assert {c.photo_id for c in found} == set(cats) | set(dogs) | {4}
    assert rejected not in {c.photo_id for c in found}
    assert found[0].reason == "looks like 3 photos you tagged 'Pets'"
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_a_photo_without_embedding_is_found_by_its_shoot(library):
    for minute in range(3):
        library.photo(["Shrek"], taken_at=f"2024-05-01T10:0{minute}:00")
    same_shoot = library.photo(taken_at="2024-05-01T11:30:00")
    other_day = library.photo(taken_at="2024-06-20T11:30:00")
    found = library.finder("Shrek").candidates()
    assert [c.photo_id for c in found] == [same_shoot, other_day]
    assert found[0].reason == "same shoot as 3 photos tagged 'Shrek'"
    assert found[0].score > found[1].score


def test_a_keyword_she_gives_with_another_is_found_through_it(library):
    for _ in range(4):
        library.photo(["wedding", "Anna"])
    with_wedding = [library.photo(["wedding"]), library.photo(["wedding", "dinner"])]
    street = library.photo(["street"])
    found = library.finder("Anna").candidates()
    assert {c.photo_id for c in found[:2]} == set(with_wedding) and found[2].photo_id == street
    assert found[0].reason == "often tagged together with 'wedding'"
    assert found[1].score > found[2].score


def test_each_decision_reranks_and_undo_puts_it_back(library):
    library.photo(["Shrek"], vector=CAT)
    grey = [library.photo(vector=CAT + 0.6 * DOG) for _ in range(3)]
    tabby = [library.photo(vector=CAT - 0.6 * DOG) for _ in range(3)]
    finder = library.finder("Shrek")
    first, _ = finder.ranked()
    assert set(first[:6]) == set(grey) | set(tabby)
    finder.decide(accepted=[tabby[0]], rejected=[grey[0]])
    ids, scores = finder.ranked()
    assert tabby[0] not in ids and grey[0] not in ids
    assert set(ids[:2]) == set(tabby[1:])  # her decisions say: the tabby, not the grey one
    assert (finder.accepted_count, finder.rejected_count) == (1, 1)
    finder.undo([tabby[0], grey[0]])
    again, _ = finder.ranked()
    assert list(again) == list(first) and (finder.accepted_count, finder.rejected_count) == (0, 0)


def test_a_keyword_no_photo_carries_cannot_be_looked_for(library):
    library.photo(["cat"], vector=CAT)
    with pytest.raises(NoExamples, match="tag at least one photo with 'Shrek' first"):
        library.finder("Shrek")


def test_shoot_and_place_tallies_kept_up_to_date_equal_a_fresh_count():
    """A decision changes the counts of its neighbours only: what the finder keeps after a few
    decisions and undos equals counting again from scratch (issue 24's re-rank speed)."""
    from tagassist.engine.finding.context import Context, Tally

    rng = np.random.default_rng(3)
    n = 400
    hours = np.where(rng.uniform(size=n) < 0.1, np.nan, np.sort(rng.uniform(0, 200, n)))
    gps = rng.uniform(size=n) < 0.7
    lats = np.where(gps, 46.0 + rng.normal(scale=0.02, size=n), np.nan)
    lons = np.where(gps, 7.0 + rng.normal(scale=0.02, size=n), np.nan)
    photos = PhotoSet(np.arange(1, n + 1), hours, lats, lons, np.zeros((n, 2), np.float32), np.zeros(n, bool))
    context = Context(photos)
    mask = rng.uniform(size=n) < 0.2
    tally = Tally(context, mask)
    for _ in range(5):
        rows = rng.choice(n, 7, replace=False)
        mask[rows] = rng.uniform(size=7) < 0.5
        tally.set(mask, rows)
    fresh = Tally(context, mask)
    assert tally.shoot.sum() > 0 and tally.place.sum() > 0
    np.testing.assert_array_equal(tally.shoot, fresh.shoot)
    np.testing.assert_array_equal(tally.place, fresh.place)


def test_a_calibration_maps_logits_as_it_maps_their_scores():
    from tagassist.engine.calibration import Calibration

    logits = np.linspace(-40, 40, 801)
    for calibration in (Calibration(), Calibration(0.7, -0.4), Calibration(1.8, 1.1)):
        np.testing.assert_allclose(calibration.of_logits(logits), calibration(1 / (1 + np.exp(-logits))),
                                   rtol=1e-9, atol=1e-12)


def test_a_keyword_with_two_looks_finds_both_before_what_lies_between(library):
    """'restaurant' is the room or the plate: the mean of her photos is neither, and looks like
    her unrelated photos of something in between; the nearest of her photos tells them apart."""
    middle = np.eye(8)[2]
    room, plate = (CAT + 0.6 * middle) / np.sqrt(1.36), (-CAT + 0.6 * middle) / np.sqrt(1.36)
    for look in (room, plate):
        for _ in range(6):
            library.photo(["restaurant"], vector=look)
    rooms = [library.photo(vector=room) for _ in range(3)]
    plates = [library.photo(vector=plate) for _ in range(3)]
    between = [library.photo(vector=middle) for _ in range(6)]
    others = [library.photo(vector=DOG) for _ in range(6)]
    found = [c.photo_id for c in library.finder("restaurant").candidates(limit=None)]
    assert set(found[:6]) == set(rooms) | set(plates)
    assert set(found[6:]) == set(between) | set(others)


def test_the_tagged_library_reads_the_times_and_columns_the_history_holds():
    """TaggedLibrary's vectorised read (tag_rows): columns sorted by name, each photo's last and
    each tag's first tagging time, and times it cannot read left out rather than failing."""
    from tagassist.records import Profile

    class Rows:
        def tag_rows(self, profile):
            return [(2, "sea", "2024-05-11T15:00:00+00:00"), (1, "Rome", "2024-05-10T10:00:00.123456"),
                    (2, "Rome", None), (1, "sea", "not a time"), (3, "dog", "2024-05-12 09:30:00")]

        def rejection_rows(self, profile, photo_ids=None, *, with_photo=False):
            return [(3, "sea", None, None, None)]

    photos = PhotoSet.build([1, 2, 3], [None] * 3, [None] * 3, [None] * 3, [], np.zeros((0, 0)))
    tagged = TaggedLibrary(Rows(), Profile(1, "me"), photos)
    assert tagged.tags == ["Rome", "dog", "sea"]
    assert [tagged.tags[c] for c in tagged.row_tags(0)] == ["Rome", "sea"]
    assert [tagged.tags[c] for c in tagged.row_tags(1)] == ["Rome", "sea"]
    hour = np.datetime64("2024-05-10T10:00:00", "s").astype(np.float64) / 3600
    assert tagged.last_tagged[0] == hour  # 'not a time' is left out, not a failure
    assert tagged.first_used[tagged.tag_index["sea"]] == hour + 29  # the 11th, 15:00
    assert tagged.first_used[tagged.tag_index["dog"]] == hour + 47.5
    assert tagged.rejections == [(2, "sea")]
