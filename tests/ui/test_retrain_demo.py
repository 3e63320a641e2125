"""The app on the retrain demo's library (issue 23, 7): where the sample library says its tags
are not yet enough, 'Retrain on my tags' on the simulated photographer's 300 photos trains,
is judged, is kept, says what it measured, and rolls back."""

import shutil

import pytest

from tagassist.cli import main
from tagassist.paths import data_dir
from tagassist.services import retrain_demo
from tests.ui.conftest import open_app

pytestmark = pytest.mark.slow  # the trainer's process; 300 photos written, indexed and retrained on


def test_on_the_sample_library_too_little_history_says_where_a_retrain_can_be_seen(qtbot, indexed_sample,
                                                                                     monkeypatch):
    """README's first command opens the app on the sample library, where 'Retrain on my tags'
    finds too little history: it says so, and where a retrain can be seen."""
    from tagassist.paths import demo_db_path

    db = demo_db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(indexed_sample, db)
    window, controller, dialogs = open_app(qtbot, db, monkeypatch)
    try:
        window.retrain_action.trigger()
        qtbot.waitUntil(lambda: controller.training.trainer is None, timeout=120000)
        assert "tagged photos in 6 shoots are not yet enough" in dialogs[-1]
        assert dialogs[-1].endswith("\n\n" + retrain_demo.SAMPLE_TOO_SMALL)
        assert "'tagassist demo --retrain'" in retrain_demo.SAMPLE_TOO_SMALL
    finally:
        controller.shutdown()


def test_retrain_on_my_tags_in_the_app_on_the_demo_library_is_kept_and_rolls_back(qtbot, tmp_path, monkeypatch):
    from tagassist.store import Store

    history = retrain_demo.demo_history(data_dir() / "retrain-demo")
    db = tmp_path / "demo.sqlite"
    assert main(["--db", str(db), "scan", str(history.folder)]) == 0  # as the app's own scan imports her keywords
    assert main(["--db", str(db), "index", "--device", "cpu"]) == 0
    window, controller, dialogs = open_app(qtbot, db, monkeypatch)
    qtbot.waitUntil(lambda: len(controller.model.photos) == history.photos, timeout=20000)
    try:
        window.retrain_action.trigger()
        qtbot.waitUntil(lambda: controller.training.trainer is None, timeout=240000)
        store = Store(db)
        profile = store.profiles.get()
        (model,) = store.models.of(profile)
        metrics = model["metrics"]
        assert model["active"] and window.activity.text() == "Retrained: the new model is active", dialogs
        assert dialogs[-1] == metrics["summary"]  # what it measured, as the register keeps it
        assert (f"you would have accepted {metrics['accepted_before']:.0%} of the shown suggestions before,"
                f" {metrics['accepted_after']:.0%} with the new model. The new model is active.") in dialogs[-1]
        assert metrics["accepted_after"] > metrics["accepted_before"]
        window.models_action.trigger()
        controller.training.models_dialog.rollback_requested.emit()
        assert window.activity.text() == "Model version 0 is active (the untrained engine)"
        assert not store.models.of(profile)[0]["active"]
    finally:
        controller.shutdown()
