"""'Retrain on my tags' at full depth: the encoder's last blocks fine-tuned on the sample
library's photos, the library re-indexed, the switch of encoder kept only if it did not hurt,
and undone by a rollback."""

import pytest

from tagassist.cli import main
from tagassist.engine.encoders import DEFAULT_ENCODER, FINE_TUNED_PREFIX
from tagassist.services import models
from tagassist.services.indexing import open_indexer
from tagassist.store import Store
from tests.conftest import SAMPLE_LIBRARY
from trainer.control import Stopped
from trainer.pipeline import TrainConfig, train, train_profile

# the sample library's 30 tagged photos in 6 shoots: judged on 5 or more (the guard: test_validation)
SMALL = TrainConfig.for_mode("full", epochs=1, batch_size=8, trainable_blocks=1, min_judge_photos=5)


@pytest.fixture
def indexed(tmp_path, capsys):
    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(SAMPLE_LIBRARY)]) == 0
    assert main(["--db", str(db), "index", "--device", "cpu"]) == 0
    capsys.readouterr()
    return db


def _count(store, encoder_id):
    return store.database.scalar("SELECT COUNT(*) FROM embeddings WHERE encoder_id = ?", (encoder_id,))


@pytest.mark.slow
def test_full_retrain_fine_tunes_reindexes_and_rolls_back(indexed, tmp_path):
    with Store(indexed) as store:
        profile = store.profiles.get()
        head = train_profile(store, profile, DEFAULT_ENCODER, config=TrainConfig(epochs=5, min_judge_photos=5),
                             models_dir=tmp_path / "m")
        events = []
        result = train(store, profile, SMALL, on_progress=events.append, models_dir=tmp_path / "m")
        encoder_id = FINE_TUNED_PREFIX + result.version
        assert result.encoder_id == encoder_id and result.previous_encoder == DEFAULT_ENCODER
        stages = list(dict.fromkeys(e["stage"] for e in events))  # reading reports each photo
        assert stages[:2] == ["load", "train"] and events[-1]["stage"] == "compare"
        assert any(e["stage"] == "index" for e in events)
        if not result.activated:  # worse on the held-out photos: nothing of it stays in use
            assert store.settings.active_encoder() == DEFAULT_ENCODER and _count(store, encoder_id) == 0
            return
        # Kept: every photo has an embedding from the fine-tuned encoder, which the engine loads
        # from the model bundle.
        assert store.settings.active_encoder() == encoder_id and _count(store, encoder_id) == 37
        assert open_indexer(store, None, "cpu").encoder.id == encoder_id
        assert [r["version"] for r in store.models.of(profile) if r["active"]] == [result.version]
        assert models.rollback(store, profile) == head.version
        assert store.settings.active_encoder() == DEFAULT_ENCODER  # the old embeddings were kept


@pytest.mark.slow
def test_a_stopped_full_retrain_leaves_the_library_as_it_was(indexed, tmp_path):
    with Store(indexed) as store:
        profile = store.profiles.get()
        with pytest.raises(Stopped):
            train(store, profile, SMALL, should_stop=lambda: True, models_dir=tmp_path / "m")
        assert store.models.of(profile) == [] and store.settings.active_encoder() == DEFAULT_ENCODER
        # lite0 and its content words
        assert store.database.scalar("SELECT COUNT(DISTINCT encoder_id) FROM embeddings") == 2
