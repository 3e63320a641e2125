"""Her vocabulary without photos (schema 12): an imported keyword list's keywords, categories and
synonyms, added whole or not at all, never changing a photo."""

import pytest

from tagassist.records import Photo
from tagassist.store.vocabulary import ListedKeyword


def lines(store):
    return [(e.name, e.category, e.synonyms) for e in store.vocabulary.entries(store.profiles.get())]


def test_a_list_is_added_in_its_order_with_categories_and_synonyms_as_aliases(store):
    profile = store.profiles.get()
    result = store.vocabulary.import_list(profile, [
        ListedKeyword("Places", True), ListedKeyword("Places|Italy"),
        ListedKeyword("Places|Italy|Rome", synonyms=("Roma", "Rom")), ListedKeyword("Places|Texas|Paris"),
        ListedKeyword("Places|France|Paris", synonyms=("Roma",))], "lightroom")
    assert result.added == ["Places", "Places|Italy", "Places|Italy|Rome", "Places|Texas|Paris", "Places|France|Paris"]
    assert result.aliases == [("Roma", "Places|Italy|Rome"), ("Rom", "Places|Italy|Rome")]
    assert result.skipped_aliases == [("Roma", "Places|France|Paris", "already another name of Places|Italy|Rome")]
    assert lines(store)[0] == ("Places", True, ())
    assert lines(store)[-1] == ("Places|France|Paris", False, ("Roma",))  # kept for the export all the same
    assert store.vocabulary.names(profile, categories=False)[0] == "Places|Italy"
    assert store.aliases.canonical_names(profile, ["roma"]) == ["Places|Italy|Rome"]
    assert store.history.vocabulary(profile) == []  # no photo carries any of them


def test_a_second_import_adds_only_what_is_new(store):
    profile = store.profiles.get()
    photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1))
    store.tagging.add_tags(profile, [photo_id], ["dog"], "typed")
    first = [ListedKeyword("dog", synonyms=("hound",)), ListedKeyword("cat")]
    result = store.vocabulary.import_list(profile, first, "lightroom")
    assert result.added == ["cat"] and result.known == ["dog"] and result.aliases == [("hound", "dog")]
    counter = store.changes.counter()
    again = store.vocabulary.import_list(profile, first, "lightroom")
    assert (again.added, again.known, again.aliases) == ([], ["dog", "cat"], [])
    assert store.changes.counter() == counter  # nothing the suggestions read has changed
    more = store.vocabulary.import_list(profile, [ListedKeyword("cat", synonyms=("kitty",))], "digikam")
    assert more.aliases == [("kitty", "cat")]
    assert lines(store) == [("dog", False, ("hound",)), ("cat", False, ("kitty",))]


def test_a_synonym_that_is_a_keyword_of_its_own_merges_no_photos(store):
    profile = store.profiles.get()
    photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1))
    store.tagging.add_tags(profile, [photo_id], ["auto"], "typed")
    result = store.vocabulary.import_list(profile, [ListedKeyword("car", synonyms=("Auto",))], "lightroom")
    assert result.skipped_aliases == [("Auto", "car", "a keyword of its own")]
    assert [a.tag for a in store.history.photo_tags(profile, photo_id)] == ["auto"]


def test_an_import_that_fails_halfway_leaves_nothing(store, monkeypatch):
    profile = store.profiles.get()

    def killed(*args):
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(store.aliases, "give", killed)
    with pytest.raises(RuntimeError):
        store.vocabulary.import_list(profile, [ListedKeyword("a"), ListedKeyword("b", synonyms=("c",))], "lightroom")
    assert lines(store) == [] and store.aliases.of(profile) == {}
    assert store.database.scalar("SELECT COUNT(*) FROM tags") == 0


def test_keyword_edits_rename_merge_and_delete_listed_keywords_and_undo_them(store):
    profile = store.profiles.get()
    photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1))
    store.tagging.add_tags(profile, [photo_id], ["Places|Italy|Rome"], "typed")
    store.vocabulary.import_list(profile, [ListedKeyword("Places", True), ListedKeyword("Places|Italy"),
                                           ListedKeyword("Places|Italy|Milan", synonyms=("Milano",)),
                                           ListedKeyword("Places|Italy_x")], "lightroom")
    before = lines(store)
    store.keywords.rename(profile, "Places|Italy", "Places|Europe|Italy")  # the list moves with her photos
    assert store.vocabulary.names(profile) == ["Places", "Places|Europe|Italy", "Places|Europe|Italy|Milan",
                                               "Places|Italy_x"]
    assert [a.tag for a in store.history.photo_tags(profile, photo_id)] == ["Places|Europe|Italy|Rome"]
    store.keywords.undo_edit(profile)
    assert lines(store) == before
    store.keywords.merge(profile, ["Places|Italy|Milan"], "Places|Italy_x")  # into a listed one: synonyms join
    assert lines(store)[-1] == ("Places|Italy_x", False, ("Milano",)) and len(lines(store)) == 3
    store.keywords.undo_edit(profile)
    assert lines(store) == before
    result = store.keywords.delete(profile, "Places|Italy")
    assert result["keywords"] == ["Places|Italy", "Places|Italy|Milan", "Places|Italy|Rome"] and result["photos"] == 1
    assert store.vocabulary.names(profile) == ["Places", "Places|Italy_x"]
    store.keywords.undo_edit(profile)
    assert lines(store) == before
    store.keywords.add_aliases(profile, ["Mailand"], "Places|Italy|Milan")  # an alias of a keyword without photos
    assert store.aliases.canonical_names(profile, ["mailand"]) == ["Places|Italy|Milan"]
