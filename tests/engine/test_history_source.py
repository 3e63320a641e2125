"""The engine reads a tagging history through ``HistorySource`` only, and both histories it is
run on offer it: the library's store (``store.history``) and the evaluator's folksonomy reader
(issue 22)."""

import ast
import importlib
import inspect

import numpy as np

from tagassist.engine.source import HistorySource
from tagassist.engine.suggest import Suggester
from tagassist.store.history_reads import HistoryReads
from tests.conftest import REPO

READS = sorted(name for name, value in vars(HistorySource).items() if callable(value) and not name.startswith("_"))


def _posts_library():
    for module in ("trainer.research.engine_model", "trainer.engine_model"):  # wherever the split puts it
        try:
            return importlib.import_module(module).PostsLibrary
        except ModuleNotFoundError:
            continue
    raise AssertionError("trainer's PostsLibrary is gone: the folksonomy reader must offer HistorySource")


def _parameters(function) -> list[tuple[str, object, bool]]:
    return [(p.name, p.kind, p.default is not p.empty) for p in inspect.signature(function).parameters.values()][1:]


def test_the_protocol_declares_the_ten_reads():
    assert READS == ["embedding_rows", "embeddings", "history_rows", "listed_keywords", "named_faces", "others_tags",
                     "photo_faces", "photo_rejections", "photo_tags", "rejection_rows", "tag_rows"]


def test_the_store_and_the_folksonomy_reader_offer_every_read_as_declared():
    for source in (HistoryReads, _posts_library()):
        for name in READS:
            assert _parameters(getattr(source, name)) == _parameters(getattr(HistorySource, name)), (source, name)


def test_both_are_history_sources(store):
    assert isinstance(store.history, HistorySource)
    assert isinstance(_posts_library()([], {}), HistorySource)
    assert HistorySource in _posts_library().__mro__  # declared, not only shaped alike
    assert not isinstance(object(), HistorySource)
    assert not isinstance(store.photos, HistorySource)


def test_the_engine_reads_nothing_else_of_its_history():
    """Every ``store.<name>`` / ``self.store.<name>`` / ``scene.store.<name>`` in the engine is
    one of the declared reads (the indexer's store is another thing: it writes embeddings)."""
    used = set()
    for path in (REPO / "tagassist" / "engine").rglob("*.py"):
        if path.name == "indexer.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and (
                    isinstance(node.value, ast.Name) and node.value.id == "store"
                    or isinstance(node.value, ast.Attribute) and node.value.attr == "store"):
                used.add(node.attr)
    assert used == set(READS)


def test_a_history_source_need_not_be_a_store():
    """A minimal source of one tagged photo is suggested from like a library."""
    from tagassist.records import Photo, Profile

    class OnePhoto:
        def history_rows(self, profile, photo_ids=None):
            row = (1, "h1", "2024-05-11T14:00:00", None, None, None, None, "rome", "2024-05-11T15:00:00")
            return [row] if photo_ids is None or 1 in photo_ids else []

        def rejection_rows(self, profile, photo_ids=None, *, with_photo=False):
            return []

        def tag_rows(self, profile):
            return [(1, "rome", "2024-05-11T15:00:00")]

        def embedding_rows(self, encoder_id, content_hashes):
            return [], np.zeros((0, 0), dtype=np.float32)

        def embeddings(self, encoder_id, content_hashes):
            return {}

        def photo_tags(self, profile, photo_id):
            return []

        def photo_rejections(self, profile, photo_id):
            return []

        def others_tags(self, profile, photo_id):
            return {}, 0

        def photo_faces(self, profile, photo_id):
            return []

        def named_faces(self, profile):
            return []

        def listed_keywords(self, profile):
            return []

    assert isinstance(OnePhoto(), HistorySource)
    photo = Photo(path="next.jpg", size=0, mtime_ns=0, content_hash="h2", taken_at="2024-05-11T16:00:00", id=2)
    suggestions = Suggester(OnePhoto(), Profile(1, "me"), calibrate=False).suggest(photo, k=3)
    assert [s.tag for s in suggestions] == ["rome"]
