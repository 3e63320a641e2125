"""index and suggest through the CLI, on the sample library and on new files, offline."""

import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from tagassist.cli import main
from tests.conftest import REPO, SAMPLE_LIBRARY, need_shared


def run_json(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def indexed_db(tmp_path, indexed_sample):
    db = tmp_path / "lib.sqlite"
    shutil.copy(indexed_sample, db)
    return db


@pytest.mark.slow
def test_index_json_says_the_encoder_the_device_and_what_it_indexed(capsys, tmp_path):
    db = tmp_path / "lib.sqlite"
    main(["--db", str(db), "scan", str(SAMPLE_LIBRARY)])
    capsys.readouterr()
    report = run_json(capsys, "--db", db, "index", "--device", "cpu", "--json")
    assert report == {"encoder": "efficientnet-lite0", "device": "cpu", "indexed": 37, "failed": []}


def test_suggest_json_shape_and_personal_tags(capsys, indexed_db):
    rome = SAMPLE_LIBRARY / "2024-05 Rome" / "DSCF1007.jpg"
    dog = SAMPLE_LIBRARY / "2024-08 Home" / "IMG1206.jpg"
    results = run_json(capsys, "--db", indexed_db, "suggest", rome, dog, "-k", "5", "--json")
    assert [r["photo"] for r in results] == [str(rome), str(dog)]
    for result in results:
        assert len(result["suggestions"]) == 5
        for s in result["suggestions"]:
            assert set(s) == {"tag", "score", "reason"} and 0 <= s["score"] <= 1 and s["reason"]
        scores = [s["score"] for s in result["suggestions"]]
        assert scores == sorted(scores, reverse=True)
    assert {s["tag"] for s in results[0]["suggestions"][:2]} == {"Places|Italy|Rome", "Roma2024"}
    assert {"Pixel", "dog"} <= {s["tag"] for s in results[1]["suggestions"][:3]}


def test_a_rejected_suggestion_is_gone_from_the_next_ranking(capsys, indexed_db):
    photo = SAMPLE_LIBRARY / "2024-07 Algarve" / "DSCF1105.jpg"
    before = run_json(capsys, "--db", indexed_db, "suggest", photo, "--json")[0]["suggestions"]
    run_json(capsys, "--db", indexed_db, "tag", photo, "--reject", before[0]["tag"], "--json")
    after = run_json(capsys, "--db", indexed_db, "suggest", photo, "--json")[0]["suggestions"]
    assert before[0]["tag"] not in [s["tag"] for s in after]


def test_a_photo_outside_the_library_is_scanned_and_indexed_on_the_fly(capsys, indexed_db):
    pets = need_shared("photos", "coral", "pets.jpg")
    result = run_json(capsys, "--db", indexed_db, "suggest", pets, "--json")[0]
    top = result["suggestions"][0]
    assert top["tag"] == "dog" and top["reason"].startswith("the picture looks like: dog")


@pytest.mark.slow
def test_demo_prints_suggestions_for_the_untagged_sample_photos(capsys, tmp_path):
    data = run_json(capsys, "--db", tmp_path / "demo.sqlite", "demo", "--json")
    assert data["photos"] == 37 and len(data["suggestions"]) == 7
    assert all(len(r["suggestions"]) == 5 for r in data["suggestions"])


def test_unknown_device_is_a_user_error(capsys, indexed_db):
    assert main(["--db", str(indexed_db), "index", "--device", "tpu"]) == 1
    assert "unknown device" in capsys.readouterr().err


@pytest.mark.slow
def test_eval_scores_models_on_this_librarys_own_history(capsys, indexed_db, tmp_path):
    """tagassist eval: the evaluator over the library (posts = tagged photos, item features =
    visual embedding + EXIF context), with the JSON report the trainer writes."""
    main(["--db", str(indexed_db), "tag", str(SAMPLE_LIBRARY / "2024-05 Rome" / "DSCF1000.jpg"), "--reject", "food"])
    capsys.readouterr()
    code = main(["--db", str(indexed_db), "--json", "eval", "--models", "mp-u,cnn-permlp", "--k", "1,5"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["dataset"] == f"store:{indexed_db}"
    assert report["posts"] == 30 and report["test"] >= 1 and report["train"] + report["test"] == 30
    assert any(part.startswith("item features (37 x 1286)") for part in report["side_data"])  # 1280 + 6 EXIF
    assert any(part.startswith("rejections (1 posts)") for part in report["side_data"])
    for name in ("mp-u", "cnn-permlp"):
        metrics = report["models"][name]["metrics"]["5"]
        assert 0.0 <= metrics["F1"] <= 1.0 and report["models"][name]["peak_rss_mb"] > 0
    assert "item feature vectors" in report["models"]["cnn-permlp"]["features"]


def test_eval_refuses_an_unknown_model(capfd, tmp_path):
    photo = SAMPLE_LIBRARY / "2024-05 Rome" / "DSCF1000.jpg"
    main(["--db", str(tmp_path / "x.sqlite"), "tag", str(photo), "--add", "x"])
    code = main(["--db", str(tmp_path / "x.sqlite"), "eval", "--models", "nonsense"])
    assert code == 1 and "unknown model(s) nonsense" in capfd.readouterr().err


@pytest.mark.slow
def test_demo_says_when_it_runs_in_the_terminal_and_where_its_database_is(capsys, tmp_path, monkeypatch):
    import tagassist.cli.demo_command

    monkeypatch.setattr(tagassist.cli.demo_command, "display_available", lambda: False)
    assert main(["--db", str(tmp_path / "demo.sqlite"), "demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No display found: the demo runs in the terminal")
    assert f"Database: {tmp_path / 'demo.sqlite'}" in out
    assert out.rstrip().endswith("To see a retrain help: 'tagassist demo --retrain' (a simulated photographer's 300"
                                 " photos, written once; about a minute on two cores)")  # issue 23, 7


def test_gui_opens_the_photographer_the_settings_remember_unless_told(tmp_path, monkeypatch):
    import tagassist.ui.app

    opened = []
    monkeypatch.setattr(tagassist.ui.app, "run", lambda db, profile, folders: opened.append(profile) or 0)
    assert main(["--db", str(tmp_path / "lib.sqlite"), "gui"]) == 0
    assert main(["--db", str(tmp_path / "lib.sqlite"), "--profile", "bob", "gui"]) == 0
    assert opened == [None, "bob"]  # None: the app takes the first run's name from its settings


def test_tagassist_alone_opens_the_app_where_there_is_a_display(tmp_path, monkeypatch, capsys):
    import tagassist.runtime
    import tagassist.ui.app

    opened = []
    monkeypatch.setattr(tagassist.ui.app, "run", lambda db, profile, folders: opened.append((db, folders)) or 0)
    monkeypatch.setattr(tagassist.runtime, "display_available", lambda: True)
    assert main(["--db", str(tmp_path / "lib.sqlite")]) == 0
    assert opened == [(str(tmp_path / "lib.sqlite"), [])]
    monkeypatch.setattr(tagassist.runtime, "display_available", lambda: False)
    assert main(["--db", str(tmp_path / "lib.sqlite")]) == 1
    assert "no display here" in capsys.readouterr().err and len(opened) == 1


class _WritesAFile:
    """Unpickled unsafely, it writes ``marker``: what a crafted weight file can do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('code ran')",)


@pytest.mark.slow
def test_a_crafted_torchvision_weight_file_runs_no_code_and_the_default_encoder_is_used(tmp_path):
    pytest.importorskip("torchvision")
    marker = tmp_path / "pwned"
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / "resnet50-11ad3fa6.pth").write_bytes(pickle.dumps(_WritesAFile(marker)))
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg", library)
    db = tmp_path / "lib.sqlite"
    tagassist = [sys.executable, "-m", "tagassist", "--db", str(db)]
    subprocess.run([*tagassist, "scan", str(library)], cwd=REPO, check=True, capture_output=True)
    env = {**os.environ, "TORCH_HOME": str(tmp_path / "torch")}
    done = subprocess.run([*tagassist, "index", "--encoder", "resnet50", "--device", "cpu", "--json"], cwd=REPO,
                          env=env, capture_output=True, text=True)
    assert not marker.exists()
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["encoder"] == "efficientnet-lite0" and json.loads(done.stdout)["indexed"] == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tagassist: resnet50:") and "checksum" in lines[0], lines
