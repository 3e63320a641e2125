"""The store is a composition root over one Database (issue 22): callers reach a repository by
its concern, every repository shares the one connection (so one transaction covers writes
through several of them), and ``Store`` itself offers nothing but opening, closing and
transactions: no facade of the repositories' methods grows back on it."""

import pytest

from tagassist.records import Photo
from tagassist.store import Store
from tagassist.store.repository import Repository
from tests.conftest import REPO

ROOT = {"close", "transaction", "integrity_problems", "schema_version", "stats"}
REPOSITORIES = {"profiles", "settings", "photos", "embeddings", "history", "tagging", "sync", "aliases", "keywords",
                "exports", "models", "vocabulary"}


def test_the_store_offers_only_its_root_and_its_repositories(store):
    assert {name for name in vars(Store) if not name.startswith("_")} == ROOT
    assert Store.__mro__ == (Store, object)  # no mixins, no handing on of old names
    for name in REPOSITORIES:
        repository = getattr(store, name)
        assert isinstance(repository, Repository), name
        assert repository.database is store.database, name


def test_a_write_through_several_repositories_in_one_transaction_is_undone_as_one(store):
    profile = store.profiles.get()
    with pytest.raises(RuntimeError), store.transaction():
        photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1))
        store.tagging.add_tags(profile, [photo_id], ["rome"], "typed")
        store.sync.set_base_keywords(photo_id, ["rome"])
        store.settings.set("note", "kept only if all of it is")
        raise RuntimeError("killed halfway")
    assert store.photos.by_path("/lib/a.jpg") is None
    assert store.history.vocabulary(profile) == []
    assert store.settings.get("note") is None
    assert store.database.scalar("SELECT COUNT(*) FROM tags") == 0


def test_repositories_share_the_tag_vocabulary(store):
    """A keyword given in tagging, read from the files by sync and renamed by the keyword
    manager is one tag row, whichever repository wrote it first."""
    profile = store.profiles.get()
    photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1))
    store.sync.set_base_keywords(photo_id, ["Places|Rome"])
    store.tagging.add_tags(profile, [photo_id], ["Places|Rome"], "typed")
    store.keywords.rename(profile, "Places|Rome", "Places|Roma")
    assert store.database.scalar("SELECT COUNT(*) FROM tags WHERE name = 'Places|Rome'") == 1
    assert [a.tag for a in store.history.photo_tags(profile, photo_id)] == ["Places|Roma"]
    assert store.sync.file_keywords(photo_id) == ["Places|Rome"]  # the files still hold the old name


def test_every_store_module_is_short():
    long = {path.name: n for path in (REPO / "tagassist" / "store").glob("*.py")
            if (n := len(path.read_text().splitlines())) > 450}
    assert long == {}
