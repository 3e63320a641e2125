"""The CLI as a user runs it: commands, JSON shapes, exit statuses, messages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tagassist.cli import main
from tests.conftest import REPO, SAMPLE_LIBRARY, need_shared


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return tmp_path / "lib.sqlite"


def test_scan_then_query_the_sample_library(capsys, db):
    code, out, _ = run(capsys, "--db", db, "scan", SAMPLE_LIBRARY)
    assert code == 0 and "37 photos" in out and "103 keywords imported" in out
    code, out, _ = run(capsys, "--db", db, "photos", "--untagged", "--json")
    untagged = json.loads(out)
    assert code == 0 and len(untagged) == 7
    assert set(untagged[0]) >= {"path", "status", "reason", "taken_at", "camera", "tags"}
    code, out, _ = run(capsys, "--db", db, "--json", "photos", "--tag", "Places|Italy")
    assert [Path(p["path"]).parent.name for p in json.loads(out)] == ["2024-05 Rome"] * 7
    photo = SAMPLE_LIBRARY / "2024-05 Rome" / "DSCF1000.jpg"
    code, out, _ = run(capsys, "--db", db, "tags", photo, "--json")
    data = json.loads(out)
    assert data["photo"] == str(photo)
    assert {t["tag"]: t["source"] for t in data["tags"]}["Roma2024"] == "imported"


def test_tag_add_remove_reject_round_trip(capsys, db):
    run(capsys, "--db", db, "scan", SAMPLE_LIBRARY)
    photos = sorted((SAMPLE_LIBRARY / "2025-01 Alps").glob("*.jpg"))[:2]
    code, out, _ = run(capsys, "--db", db, "tag", *photos, "--add", "winter", "ski", "--reject", "snow", "--json")
    assert code == 0
    assert json.loads(out) == {"photos": [str(p) for p in photos], "added": 4, "removed": 0, "rejected": 2}
    code, out, _ = run(capsys, "--db", db, "tags", photos[0])
    assert "ski\ttyped" in out and "winter\ttyped" in out and "snow\trejected" in out
    assert "snow\timported" not in out
    code, out, _ = run(capsys, "--db", db, "tag", photos[0], "--remove", "ski")
    assert code == 0 and "1 removed" in out


def test_tag_on_a_photo_outside_the_library_scans_it_first(capsys, db, tmp_path):
    photo = tmp_path / "new.jpg"
    photo.write_bytes((SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg").read_bytes())
    code, _, _ = run(capsys, "--db", db, "tag", photo, "--add", "Pixel")
    assert code == 0
    _, out, _ = run(capsys, "--db", db, "tags", photo, "--json")
    assert [t["tag"] for t in json.loads(out)["tags"]] == ["Pixel"]


def test_profiles_are_separate_and_unknown_ones_are_an_error(capsys, db):
    run(capsys, "--db", db, "--profile", "maya", "scan", SAMPLE_LIBRARY)
    code, out, _ = run(capsys, "--db", db, "--profile", "maya", "stats", "--json")
    assert json.loads(out)["assignments_by_source"]["imported"] == 103
    code, _, err = run(capsys, "--db", db, "--profile", "nobody", "stats")
    assert code == 1 and err.strip() == "tagassist: no profile named 'nobody' (known: default, maya)"


def test_user_errors_exit_1_with_one_line(capsys, db, tmp_path):
    code, _, err = run(capsys, "--db", db, "scan", tmp_path / "nowhere")
    assert code == 1 and err.count("\n") == 1 and "no such file or folder" in err
    code, _, err = run(capsys, "--db", db, "tag", SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg")
    assert code == 1 and "nothing to do" in err
    code, _, err = run(capsys, "--db", db, "tags", tmp_path / "unknown.jpg")
    assert code == 1 and "not a photo in the library" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), "no-such-command"])
    assert exit_info.value.code == 1


def test_failed_files_give_exit_2_and_their_reasons(capsys, db, tmp_path):
    (tmp_path / "ok.jpg").write_bytes((SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg").read_bytes())
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    code, out, _ = run(capsys, "--db", db, "scan", tmp_path)
    assert code == 2 and f"error: {tmp_path / 'broken.jpg'}: not a readable image" in out
    code, out, _ = run(capsys, "--db", db, "photos", "--problems")
    assert "broken.jpg" in out and "ok.jpg" not in out


def test_doctor_reports_integrity_and_vanished_files(capsys, db, tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes((SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg").read_bytes())
    run(capsys, "--db", db, "scan", tmp_path)
    code, out, _ = run(capsys, "--db", db, "doctor", "--json")
    assert code == 0 and json.loads(out)["integrity"] == "ok"
    photo.unlink()
    code, out, _ = run(capsys, "--db", db, "doctor", "--json")
    assert code == 2 and json.loads(out)["photos_missing_since_last_scan"] == [str(photo)]


def test_every_file_of_the_shared_photos_is_accounted_for(capsys, db):
    root = need_shared("photos")
    code, out, _ = run(capsys, "--db", db, "scan", root, "--json")
    summary = json.loads(out)
    on_disk = [f for _, _, files in os.walk(root) for f in files if not f.lower().endswith(".xmp")]
    assert summary["found"] + summary["other_files"] == len(on_disk)
    _, out, _ = run(capsys, "--db", db, "photos", "--json")
    photos = json.loads(out)
    assert len(photos) == summary["found"]
    for photo in photos:
        assert photo["status"] == "ok" or photo["reason"], photo
        if photo["status"] == "ok":
            assert photo["width"] and photo["height"]
    assert code in (0, 2) and (code == 2) == bool(summary["failed"])


def test_installed_entry_point_runs(tmp_path):
    (tmp_path / "empty").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "tagassist", "--db", str(tmp_path / "x.sqlite"), "scan", str(tmp_path / "empty"),
         "--json"], capture_output=True, text=True, cwd=REPO, check=True,
    )
    assert json.loads(result.stdout)["found"] == 0


@pytest.mark.slow
def test_self_test_checks_the_installation_end_to_end_and_leaves_no_trace(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TAGASSIST_DATA_DIR", str(tmp_path / "user-data"))
    code, out, _ = run(capsys, "self-test", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"]
    assert [s["step"] for s in report["steps"]] == ["encoder", "scan", "index", "suggest", "retrain"]
    assert all(s["ok"] for s in report["steps"])
    assert not (tmp_path / "user-data").exists()  # the user's data directory was never touched
    assert os.environ["TAGASSIST_DATA_DIR"] == str(tmp_path / "user-data")


def test_self_test_reports_a_broken_installation(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TAGASSIST_RESOURCES", str(tmp_path / "nothing-here"))
    code, out, _ = run(capsys, "self-test")
    assert code == 1
    assert "FAIL scan" in out and "sample library is missing" in out and "self-test FAILED" in out


# The library database on a disk that fills up: SQLite may grow it to its current size only.
FULL_DISK = """
import sqlite3, sys
from tagassist.cli import main

connect = sqlite3.connect

def on_a_full_disk(*args, **kwargs):
    conn = connect(*args, **kwargs)
    conn.execute("PRAGMA max_page_count = " + str(conn.execute("PRAGMA page_count").fetchone()[0]))
    return conn

sqlite3.connect = on_a_full_disk
sys.exit(main(sys.argv[1:]))
"""


def test_a_full_disk_under_the_database_is_one_line_and_exit_1(capsys, db):
    run(capsys, "--db", db, "tag", SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg", "--add", "first")
    done = subprocess.run([sys.executable, "-c", FULL_DISK, "--db", str(db), "scan", str(SAMPLE_LIBRARY)],
                          cwd=REPO, capture_output=True, text=True)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "database or disk is full" in done.stderr, done.stderr
    assert done.stderr.startswith("tagassist: ") and str(db) in done.stderr


@pytest.mark.parametrize("command, said", [
    (["tag", "PHOTO", "--add", b"ctl\x01x"], "control character"),
    (["tag", "PHOTO", "--reject", b"tab\tthere"], "control character"),
    (["tag", "PHOTO", "--remove", b"two\nlines"], "control character"),
    (["tag", "PHOTO", "--add", b"del\x7f"], "control character"),
    (["tag", "PHOTO", "--add", "c1\x85".encode()], "control character"),
    (["tag", "PHOTO", "--add", b"caf\xff"], "not valid UTF-8"),
    (["tag", "PHOTO", "--add", b"|"], "empty"),
    (["tag", "PHOTO", "--add", b" | "], "empty"),
    (["tag", "PHOTO", "--add", b"a||b"], "empty level"),
    (["keywords", "rename", "first", b"fir\x01st"], "control character"),
    (["keywords", "merge", "first", "--into", b"Places||Rome"], "empty level"),
    (["keywords", "alias", b"\xfffirst", "--into", "first"], "not valid UTF-8"),
])
def test_a_keyword_that_cannot_be_one_is_refused_in_one_line(capsys, db, command, said):
    """Control characters do not survive XMP and IPTC (the next scan would bring back another
    keyword); a name that is not UTF-8 or has an empty level is no keyword either."""
    photo = SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg"
    run(capsys, "--db", db, "tag", photo, "--add", "first")
    before = run(capsys, "--db", db, "tags", photo, "--json")[1]
    argv = [os.fsencode(photo) if arg == "PHOTO" else arg for arg in command]
    done = subprocess.run([sys.executable, "-m", "tagassist", "--db", str(db), *argv], cwd=REPO, capture_output=True)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1 and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("tagassist: ") and said in err, err
    assert run(capsys, "--db", db, "tags", photo, "--json")[1] == before


def test_each_option_has_one_default_for_the_cli_the_app_and_the_trainer(monkeypatch):
    """Issue 22: --device was cpu for 'train' and auto in the app; -k was 10, the app's count 9.
    Both read tagassist/options.py now, and the environment where it names a variable."""
    from tagassist.cli import build_parser
    from tagassist.services.training import train_command
    from tagassist.settings import Settings

    monkeypatch.delenv("TAGASSIST_DEVICE", raising=False)
    parser, app = build_parser(), Settings()
    assert parser.parse_args(["suggest", "x.jpg"]).suggestion_count == app.suggestion_count == 9
    for command in (["train"], ["index"], ["suggest", "x.jpg"]):
        assert parser.parse_args(command).device == app.device == "auto"
    assert parser.parse_args(["export", "--all"]).sidecar_style == app.sidecar_style
    assert parser.parse_args(["scan", "x"]).raw_jpeg is None  # not given: the library keeps its own
    command = train_command("lib.sqlite", "maya")
    assert command[command.index("--device") + 1] == "auto" and command[command.index("--mode") + 1] == "head"
    monkeypatch.setenv("TAGASSIST_DEVICE", "cpu")
    assert build_parser().parse_args(["train"]).device == Settings().device == "cpu"


def test_the_library_remembers_its_raw_jpeg_option(capsys, db, tmp_path):
    from tagassist.services.library import library_options, open_library

    run(capsys, "--db", db, "scan", tmp_path, "--raw-jpeg", "separate")
    run(capsys, "--db", db, "scan", tmp_path)
    with open_library(db) as store:
        assert library_options(store) == {"encoder": "efficientnet-lite0", "raw_jpeg": "separate", "faces": "on",
                                          "write_faces": "on", "write_location": "off"}
    with pytest.raises(SystemExit) as refused:
        main(["--db", str(db), "scan", str(tmp_path), "--raw-jpeg", "both"])
    assert refused.value.code == 1 and "invalid choice: 'both'" in capsys.readouterr().err


def test_tag_sets_a_rating_and_a_label_that_export_writes_into_the_files(capsys, tmp_path, sample_copy):
    db = tmp_path / "lib.sqlite"
    photo = sample_copy / "2024-08 Home" / "IMG1206.jpg"
    assert run(capsys, "--db", db, "scan", sample_copy)[0] == 0
    code, out, _ = run(capsys, "--db", db, "tag", photo, "--rating", "3", "--label", "green")
    assert code == 0 and "rating 3; label Green" in out
    assert run(capsys, "--db", db, "tag", photo, "--label", "mauve")[0] == 1  # said, nothing changed
    code, out, _ = run(capsys, "--db", db, "export", "--all", "--dry-run")
    assert code == 0 and f"would write: {photo}  rating 3, label Green" in out
    code, out, _ = run(capsys, "--db", db, "export", "--all", "--json")  # an untagged photo: its marks still go
    assert code == 0 and [(r["rating"], r["label"]) for r in json.loads(out) if "rating" in r] == [(3, "Green")]
    fresh = tmp_path / "fresh.sqlite"  # another program reading the files
    assert run(capsys, "--db", fresh, "scan", sample_copy)[0] == 0
    code, out, _ = run(capsys, "--db", fresh, "photos", "--label", "Green", "--rating", "3", "--json")
    assert [p["path"] for p in json.loads(out)] == [str(photo)]
