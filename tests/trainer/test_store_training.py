"""Training from the store: bundles, activation, rollback, fallback, SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from tagassist.cli import main
from tagassist.engine.bundle import BundleError, load_bundle, save_bundle
from tagassist.models.permlp import PerMLP
from tagassist.models.scoring import active_model_scorer, load_scorer
from tagassist.store import Photo
from tests.conftest import REPO
from trainer.pipeline import TrainConfig, train_profile

ENCODER = "test-encoder"


@pytest.fixture
def library(store):
    """60 photos in 3 visual clusters, each with its own tags, three a day (one shoot a day)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 32))
    profile = store.profiles.get()
    store.settings.set_active_encoder(ENCODER)
    for i in range(60):
        cluster = i % 3
        photo = Photo(path=f"/lib/{i:03}.jpg", size=1, mtime_ns=1, content_hash=f"h{i}",
                      taken_at=f"2024-01-{1 + i // 3:02}T12:00:00")
        store.photos.save(photo)
        vector = (centres[cluster] + 0.3 * rng.normal(size=32)).astype(np.float32)
        store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, vector)])
        store.tagging.add_tags(profile, [photo.id], [f"c{cluster}", ["sea", "forest", "city"][cluster]], "imported")
    return store


def test_bundle_round_trip_gives_identical_scores(tmp_path):
    model = PerMLP(16, 1, 5, hidden=8).eval()
    config = {**model.config(), "vocabulary": list("abcde"), "calibration": {"a": 1.0, "b": 0.0},
              "encoder_id": ENCODER, "version": "v1"}
    sha = save_bundle(tmp_path / "v1", model.state_dict(), config)
    scorer = load_scorer(str(tmp_path / "v1"), sha)
    vector = np.random.default_rng(0).normal(size=16).astype(np.float32)
    with torch.inference_mode():
        expected = torch.sigmoid(model(torch.tensor(vector)[None], torch.zeros(1, dtype=torch.long)))[0]
    assert list(scorer(vector).values()) == pytest.approx(expected.tolist(), abs=1e-7)
    with pytest.raises(BundleError, match="exists"):
        save_bundle(tmp_path / "v1", model.state_dict(), config)


def test_corrupt_or_swapped_bundles_are_refused(tmp_path):
    model = PerMLP(4, 1, 2, hidden=4)
    sha = save_bundle(tmp_path / "b", model.state_dict(), {**model.config()})
    weights = tmp_path / "b" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(BundleError, match="checksum mismatch"):
        load_bundle(tmp_path / "b", sha)


def test_training_writes_a_bundle_records_metrics_and_learns(library, tmp_path):
    profile = library.profiles.get()
    events = []
    result = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=15, patience=15),
                           on_progress=events.append, models_dir=tmp_path)
    assert result.model_f1_at_5 > 0.35  # two right tags in the top 5 of every held-out photo: 0.571
    assert [e["epoch"] for e in events if e["stage"] == "train"] == list(range(1, 16))
    assert set(events[0]) == {"stage", "epoch", "step", "total", "loss", "metric", "eta_s"}
    record = library.models.of(profile)[0]
    assert record["version"] == result.version and record["active"] == result.activated
    # 20 one-day shoots of 3: the newest 4 shoots judge, the 4 before them tune, 36 photos train
    m = record["metrics"]
    assert (m["validation_photos"], m["test_shoots"], m["tune_photos"], m["train_photos"]) == (12, 4, 12, 36)
    assert "your 4 newest shoots (12 photos)" in result.summary
    tensors, config = load_bundle(record["path"], record["sha256"])
    assert config["vocabulary"] == ["c0", "c1", "c2", "city", "forest", "sea"] and config["encoder_id"] == ENCODER


def test_a_corrupt_active_model_falls_back_to_the_previous_one(library, tmp_path):
    profile = library.profiles.get()
    first = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=3), models_dir=tmp_path)
    second = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=3, seed=1), models_dir=tmp_path)
    library.models.activate(profile, second.version)
    newest = library.models.of(profile)[0]
    (tmp_path / f"profile-{profile.id}" / second.version / "config.json").write_text("{}")
    problems = []
    scorer = active_model_scorer(library, profile, ENCODER, on_problem=problems.append)
    assert scorer.version == first.version and newest["version"] == second.version
    assert len(problems) == 1 and "checksum" in problems[0]


def test_models_cli_lists_activates_and_rolls_back(capsys, library, tmp_path):
    profile = library.profiles.get()
    versions = [train_profile(library, profile, ENCODER, config=TrainConfig(epochs=2, seed=s)).version for s in (0, 1)]
    db = str(library.path)
    assert main(["--db", db, "models", "activate", versions[1]]) == 0
    capsys.readouterr()
    assert main(["--db", db, "models", "rollback", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [m["version"] for m in listed if m["active"]] == [versions[0]]
    assert [m["version"] for m in listed][-1] == "0"  # the untrained engine is always listed
    assert main(["--db", db, "models", "rollback"]) == 0  # from the oldest model: version 0
    assert "active model: 0" in capsys.readouterr().out
    assert not [m for m in library.models.of(profile) if m["active"]]
    assert main(["--db", db, "models", "rollback"]) == 1
    assert "nothing earlier" in capsys.readouterr().err
    assert main(["--db", db, "models", "activate", versions[1]]) == 0
    assert main(["--db", db, "models", "activate", "0"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "--json", "models"]) == 0
    assert [m["version"] for m in json.loads(capsys.readouterr().out) if m["active"]] == ["0"]


def test_a_bundle_that_fails_verification_is_never_activated_nor_shown_active(capsys, library, tmp_path):
    profile = library.profiles.get()
    versions = [train_profile(library, profile, ENCODER, config=TrainConfig(epochs=2, seed=s),
                              models_dir=tmp_path).version for s in (0, 1)]
    library.models.activate(profile, versions[1])
    weights = tmp_path / f"profile-{profile.id}" / versions[1] / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"oops")
    db = str(library.path)
    assert main(["--db", db, "--json", "models"]) == 0
    listed = {m["version"]: m for m in json.loads(capsys.readouterr().out)}
    assert not listed[versions[1]]["active"] and "checksum" in listed[versions[1]]["problem"]
    assert listed[versions[0]]["active"]  # what suggestions fall back to, as the list says
    library.models.activate(profile, versions[0])
    assert main(["--db", db, "models", "activate", versions[1]]) == 1
    assert "cannot be activated" in capsys.readouterr().err
    assert [m["version"] for m in library.models.of(profile) if m["active"]] == [versions[0]]


@pytest.mark.slow
def test_sigterm_stops_training_and_keeps_the_previous_model(library):
    profile = library.profiles.get()
    db = str(library.path)
    process = subprocess.Popen(_long_trainer(db), cwd=REPO, stdout=subprocess.PIPE, text=True)
    first_line = process.stdout.readline()
    assert json.loads(first_line)["stage"] == "train"
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    # The trainer's answer is its "stopped" line (the interpreter's exit after it is not timed).
    last = json.loads(first_line)
    for line in process.stdout:
        last = json.loads(line)
        if last["stage"] != "train":
            break
    stopped_after = time.monotonic() - sent
    process.stdout.read()
    code = process.wait(timeout=30)
    assert last["stage"] == "stopped" and stopped_after < 2.0
    assert code == 3
    assert library.models.of(profile) == []


def test_retraining_continues_from_the_active_model_and_grows_its_vocabulary(library, tmp_path):
    profile = library.profiles.get()
    first = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=5), models_dir=tmp_path)
    library.models.activate(profile, first.version)
    old = load_bundle(library.models.of(profile)[0]["path"], library.models.of(profile)[0]["sha256"])[0]
    ids = [p.id for p, _ in library.photos.list_photos(profile)][:20]
    library.tagging.add_tags(profile, ids, ["new-tag"], "typed")
    second = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=0), models_dir=tmp_path)
    record = next(r for r in library.models.of(profile) if r["version"] == second.version)
    assert record["metrics"]["warm_start_from"] == first.version
    tensors, config = load_bundle(record["path"], record["sha256"])
    assert "new-tag" in config["vocabulary"]
    # with no epochs, the known weights are exactly the previous model's
    assert torch.equal(tensors["hidden_layer.weight"], old["hidden_layer.weight"])
    row = config["vocabulary"].index("sea")
    old_row = ["c0", "c1", "c2", "city", "forest", "sea"].index("sea")
    assert torch.equal(tensors["out.weight"][row], old["out.weight"][old_row])


def test_self_training_distils_on_untagged_photos_and_keeps_the_better_model(library, tmp_path):
    rng = np.random.default_rng(1)
    for i in range(30):  # untagged photos of the same three kinds
        photo = Photo(path=f"/lib/untagged-{i:03}.jpg", size=1, mtime_ns=1, content_hash=f"u{i}",
                      taken_at="2024-03-01T12:00:00")
        library.photos.save(photo)
        library.embeddings.put_embeddings(ENCODER, [(photo.content_hash, rng.normal(size=32).astype(np.float32))])
    profile = library.profiles.get()
    result = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=5, self_training=True),
                           models_dir=tmp_path)
    summary = library.models.of(profile)[0]["metrics"]["self_training"]
    assert summary["unlabelled_photos"] == 30
    assert summary["kept"] == (summary["student_f1_at_5"] > summary["teacher_f1_at_5"])
    assert result.model_f1_at_5 == max(summary["student_f1_at_5"], summary["teacher_f1_at_5"])


def _long_trainer(db: str, *extra: str) -> list[str]:
    """The trainer's command line, with a config long enough to be interrupted."""
    return [sys.executable, "-c",
            "import dataclasses, trainer.pipeline as t, runpy, sys\n"
            "@dataclasses.dataclass\n"
            "class Long(t.TrainConfig):\n"
            "    epochs: int = 100000\n"
            "    patience: int = 100000\n"
            "t.TrainConfig = Long\n"
            f"sys.argv = ['trainer', 'train', '--db', {db!r}, '--json-progress', *{list(extra)!r}]\n"
            "runpy.run_module('trainer', run_name='__main__')"]


def _until_not_training(process) -> dict:
    for line in process.stdout:
        event = json.loads(line)
        if event["stage"] != "train":
            return event
    return {}


@pytest.mark.slow
def test_a_cancel_line_on_stdin_stops_training_on_every_os(library):
    process = subprocess.Popen(_long_trainer(str(library.path), "--control-stdin"), cwd=REPO, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert json.loads(process.stdout.readline())["stage"] == "train"
    process.stdin.write("cancel\n")
    process.stdin.flush()
    assert _until_not_training(process)["stage"] == "stopped"
    assert process.wait(timeout=30) == 3
    assert library.models.of(library.profiles.get()) == []


@pytest.mark.slow
def test_the_trainer_stops_when_its_parent_dies(library):
    """A killed parent closes the trainer's stdin: it stops, and activates nothing."""
    process = subprocess.Popen(_long_trainer(str(library.path), "--control-stdin"), cwd=REPO, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert json.loads(process.stdout.readline())["stage"] == "train"
    process.stdin.close()  # what the OS does to the pipe when the parent is killed
    assert _until_not_training(process)["stage"] == "stopped"
    assert process.wait(timeout=30) == 3
    assert library.models.of(library.profiles.get()) == []


def test_a_bundle_that_matches_its_checksum_but_does_not_load_falls_back(library, tmp_path):
    from tagassist.engine.bundle import bundle_sha256

    profile = library.profiles.get()
    result = train_profile(library, profile, ENCODER, config=TrainConfig(epochs=2), models_dir=tmp_path)
    library.models.activate(profile, result.version)
    record = library.models.of(profile)[0]
    weights = tmp_path / f"profile-{profile.id}" / result.version / "model.safetensors"
    weights.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{broken}")  # corrupt, and then re-hashed:
    library.database.execute("UPDATE models SET sha256 = ? WHERE version = ?",
                             (bundle_sha256(weights.parent), record["version"]))
    problems = []
    assert active_model_scorer(library, profile, ENCODER, on_problem=problems.append) is None
    assert problems and "cannot be loaded" in problems[0]


def test_bundle_paths_do_not_depend_on_the_folder_tagassist_ran_in(tmp_path, monkeypatch):
    from tagassist.store import Store

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    with Store("lib.sqlite") as store:  # a relative --db
        store.models.add("v1", store.profiles.get(), str(store.path.parent / "models" / "v1"), "0" * 64, {},
                         activate=True)
        stored = store.database.scalar("SELECT path FROM models")
    assert stored == "models/v1".replace("/", os.sep)  # relative to the database's folder
    monkeypatch.chdir(tmp_path / "b")
    with Store(tmp_path / "a" / "lib.sqlite") as store:
        assert store.models.of(store.profiles.get())[0]["path"] == str(tmp_path / "a" / "models" / "v1")


def test_a_photographer_whose_newest_shoots_are_unlike_her_history_keeps_the_engine(store, tmp_path):
    """Two years of landscapes, then weddings: a model of the landscapes cannot help with the
    weddings, so the retrain is judged on them and the engine stays as it was."""
    rng = np.random.default_rng(1)
    profile = store.profiles.get()
    store.settings.set_active_encoder(ENCODER)
    centres = rng.normal(size=(4, 32))
    for i in range(72):
        new_work = i >= 48  # the last 8 shoots
        cluster = 3 if new_work else i % 3
        photo = Photo(path=f"/lib/{i:03}.jpg", size=1, mtime_ns=1, content_hash=f"h{i}",
                      taken_at=f"2024-{1 + i // 6:02}-01T{10 + i % 3}:00:00")
        store.photos.save(photo)
        vector = (centres[cluster] + 0.3 * rng.normal(size=32)).astype(np.float32)
        store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, vector)])
        tags = ["wedding", ["bride", "rings", "dance"][i % 3]] if new_work else [f"c{cluster}", "landscape"]
        store.tagging.add_tags(profile, [photo.id], tags, "imported")
    result = train_profile(store, profile, ENCODER, config=TrainConfig(epochs=10), models_dir=tmp_path)
    assert not result.activated and "stay as they were" in result.summary
    assert not [m for m in store.models.of(profile) if m["active"]]  # version 0, the untrained engine, in use
    assert active_model_scorer(store, profile, ENCODER) is None


def test_a_library_too_small_to_judge_never_trains_and_says_why(capfd, store):
    profile = store.profiles.get()
    store.settings.set_active_encoder(ENCODER)
    rng = np.random.default_rng(2)
    for i in range(24):  # two shoots
        photo = Photo(path=f"/lib/{i:03}.jpg", size=1, mtime_ns=1, content_hash=f"h{i}",
                      taken_at=f"2024-0{1 + i // 12}-01T12:{i:02}:00")
        store.photos.save(photo)
        store.embeddings.put_embeddings(ENCODER, [(photo.content_hash, rng.normal(size=32).astype(np.float32))])
        store.tagging.add_tags(profile, [photo.id], ["sea"], "imported")
    code = main(["--db", str(store.path), "train"])
    err = capfd.readouterr().err
    assert code == 1 and "24 tagged photos in 2 shoots are not yet enough" in err and "stay as they are" in err
    assert store.models.of(profile) == []
