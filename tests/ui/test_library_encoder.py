"""The visual encoder belongs to the library, not to the app's settings (issue 22)."""

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.conftest import SAMPLE_LIBRARY


def _drop(window, folder) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(folder))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


@pytest.mark.slow
def test_adding_a_folder_after_a_deep_retrain_keeps_the_tuned_encoder_and_its_model(qtbot, app, tmp_path):
    """After ``train --mode full`` the library suggests with the tuned encoder and the model
    trained on its embeddings. The app indexed a new folder with its own encoder setting
    (efficientnet-lite0), and the index made that the library's encoder: the tuned model was
    then skipped, as trained on other embeddings."""
    import shutil

    from tagassist.models.scoring import active_model_scorer
    from trainer.pipeline import TrainConfig, train

    window, controller, store = app
    profile = store.profiles.get()
    config = TrainConfig.for_mode("full", epochs=1, batch_size=8, trainable_blocks=1, min_judge_photos=5)
    result = train(store, profile, config, models_dir=tmp_path / "models")
    tuned = result.encoder_id
    assert tuned.startswith("efficientnet-lite0-ft-")
    if not result.activated:  # one epoch on 18 photos rarely helps: kept as if it had
        store.models.activate(profile, result.version)
        store.settings.set_active_encoder(tuned)

    folder = tmp_path / "new shoot"
    folder.mkdir()
    shutil.copy(SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg", folder / "copy.jpg")
    _drop(window, folder)
    qtbot.waitUntil(lambda: len(controller.model.photos) == 38, timeout=20000)
    qtbot.waitUntil(lambda: controller.current_job is None, timeout=120000)  # the scan, then the index

    assert store.settings.active_encoder() == tuned
    assert store.embeddings.photos_without_embedding(tuned) == []  # the new photo too, with the tuned encoder
    scorer = active_model_scorer(store, profile, store.settings.active_encoder())
    assert scorer is not None and scorer.version == result.version
