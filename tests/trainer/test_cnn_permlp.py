"""The paper's CNN trained from scratch, then used as the library's encoder and model."""

import json
from datetime import datetime, timedelta

import pytest

from photosim.metadata import Shot, save_jpeg, write_sidecar
from photosim.render import render
from tagassist.cli import main
from tagassist.models.scoring import active_model_scorer
from tagassist.store import Store
from trainer.pipeline import TrainConfig, train

SCENES = {"beach": ["beach", "sea"], "forest": ["forest", "trees"], "night": ["night", "city lights"]}


@pytest.mark.slow
def test_cnn_permlp_learns_scenes_and_serves_as_encoder(tmp_path, capsys):
    library = tmp_path / "photos"
    library.mkdir()
    for i in range(60):  # the scenes interleaved in time, so the held-out photos show all three
        scene = list(SCENES)[i % 3]
        path = library / f"{i:03}.jpg"
        save_jpeg(render(scene, i, (168, 112)), path, Shot(taken_at=datetime(2024, 1, 1) + timedelta(days=i)))
        write_sidecar(path, SCENES[scene])
    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(library)]) == 0
    with Store(db) as store:
        result = train(store, store.profiles.get(), TrainConfig.for_mode("cnn-permlp", epochs=12, patience=12))
        assert result.model_f1_at_5 > 0.5  # both right tags in the top 5 of each photo: 0.571
        assert not result.activated  # its embeddings do not exist yet
    assert main(["--db", str(db), "index", "--encoder", "cnn-permlp", "--json"]) == 0
    assert '"encoder": "cnn-permlp"' in capsys.readouterr().out
    assert main(["--db", str(db), "models", "activate", result.version]) == 0
    capsys.readouterr()
    new = tmp_path / "new night.jpg"  # untagged, outside the library: scanned and indexed on the fly
    save_jpeg(render("night", 999, (168, 112)), new, Shot(taken_at=datetime(2025, 6, 1)))
    assert main(["--db", str(db), "suggest", str(new), "-k", "2", "--json"]) == 0
    suggestions = json.loads(capsys.readouterr().out)[0]["suggestions"]
    assert {s["tag"] for s in suggestions} == {"night", "city lights"}
    with Store(db) as store:  # and the trained head alone ranks them first too
        scorer = active_model_scorer(store, store.profiles.get(), "cnn-permlp")
        photo = store.photos.by_path(new)
        probabilities = scorer(store.embeddings.embeddings("cnn-permlp", [photo.content_hash])[photo.content_hash])
    assert scorer.version == result.version
    assert set(sorted(probabilities, key=probabilities.get)[-2:]) == {"night", "city lights"}
