"""The app answers its first suggestions from the state the last build kept, before any build,
and swaps in the current engine built in the background (issue 25, 3)."""

import threading

from tagassist.cli import main
from tagassist.services import jobs
from tagassist.services.suggesting import aggregate, build
from tagassist.store import Store
from tagassist.ui.suggestions import SuggestionService
from tests.conftest import SAMPLE_LIBRARY


def test_first_suggestions_come_from_the_kept_state_and_the_current_one_is_swapped_in(qtbot, tmp_path, monkeypatch):
    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(SAMPLE_LIBRARY)]) == 0
    rome = sorted((SAMPLE_LIBRARY / "2024-05 Rome").glob("*.jpg"))
    with Store(db) as store:
        profile = store.profiles.get()
        build(store, profile)  # kept, then the library moves on: harbour on most of the shoot
        ids = [store.photos.by_path(str(p)).id for p in rome]
        store.tagging.add_tags(profile, ids[:6], ["harbour"], "typed")
        target = ids[7]
    held, built = threading.Event(), []
    real = jobs.engine

    def held_build(*args):
        assert held.wait(60)
        built.append(real(*args))
        return built[-1]

    monkeypatch.setattr(jobs, "engine", held_build)
    service = SuggestionService(str(db), "default")
    answers = []
    service.ready.connect(lambda request, found: answers.append([s.tag for s in found]))
    try:
        service.request([target], 5)
        qtbot.waitUntil(lambda: len(answers) == 1, timeout=30000)
        assert "harbour" not in answers[0] and not built  # from the kept state, before any build
        held.set()
        qtbot.waitUntil(lambda: bool(built) and service.worker.engine.engine is built[0], timeout=60000)
        service.request([target], 5)
        qtbot.waitUntil(lambda: len(answers) == 2, timeout=30000)
        with Store(db) as store:
            fresh = build(store, store.profiles.get(), cached=False)
            expected = aggregate([fresh.suggest(store.photos.get(target), 5)], 1, 5)
        assert answers[1] == [s.tag for s in expected] and "harbour" in answers[1]
    finally:
        held.set()
        service.shutdown()
        service.jobs.wait()
