"""The command line's rough edges a newcomer hit (issue 23, 9), each as she typed it."""

import hashlib
import json
import os
import shlex
from datetime import datetime

import pytest

from photosim.dng import save_dng
from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tagassist.cli import main
from tagassist.paths import data_dir
from tests.conftest import SAMPLE_LIBRARY


def tags_of(cli, photo):
    code, out = cli("tags", photo, "--json")
    assert code == 0, out
    return {t["tag"]: t["source"] for t in json.loads(out)["tags"]}


def test_tag_takes_the_photo_after_the_tags(cli, sample_copy):
    photo = sample_copy / "2024-08 Home" / "IMG1206.jpg"
    assert cli("scan", sample_copy)[0] == 0
    code, out = cli("tag", "--add", "street", "night", photo)  # argparse took the file for a third tag
    assert code == 0 and "2 tag(s) added" in out, out
    assert tags_of(cli, photo) == {"street": "typed", "night": "typed"}
    code, out = cli("tag", "--reject", "dog", photo, "--add", "garden")
    assert code == 0 and "1 tag(s) added, 0 removed, 1 rejected" in out
    code, out = cli("tag", "--add", "street", "nosuchphoto.jpg")  # no photo file among them: said which is which
    assert code == 1 and "name the photos to tag: tagassist tag PHOTO... --add TAG" in out and "Traceback" not in out
    assert "street" not in str(tags_of(cli, sample_copy / "2024-08 Home" / "IMG1205.jpg"))


def test_a_label_is_found_in_any_case(cli, sample_copy):
    photo = sample_copy / "2024-08 Home" / "IMG1206.jpg"
    assert cli("scan", sample_copy)[0] == 0
    assert cli("tag", photo, "--label", "Red")[0] == 0
    for typed in ("red", "RED", "Red"):
        code, out = cli("photos", "--label", typed, "--json")
        assert code == 0 and [p["path"] for p in json.loads(out)] == [str(photo)], typed


def test_a_mistyped_db_is_refused_by_reading_commands_and_a_new_one_is_said(capsys, tmp_path):
    typo = tmp_path / "libary.sqlite"
    for command in (["stats"], ["photos"], ["tags", "x.jpg"], ["models"], ["export", "--history"], ["eval"]):
        code = main(["--db", str(typo), *command])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1, (command, err)
        assert f"no library database at {typo}" in err and f"'tagassist --db {typo} scan FOLDER' starts one" in err
        assert not typo.exists()
    photo = SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg"
    assert main(["--db", str(typo), "tag", str(photo), "--add", "first"]) == 0
    assert f"tagassist: a new library database: {typo}" in capsys.readouterr().err
    assert main(["--db", str(typo), "tag", str(photo), "--add", "second"]) == 0
    assert "new library database" not in capsys.readouterr().err
    assert main(["--db", str(typo), "stats"]) == 0


def test_merge_and_alias_both_refuse_a_keyword_nobody_uses(cli, sample_copy):
    assert cli("scan", sample_copy)[0] == 0
    code, out = cli("keywords", "merge", "forrest", "--into", "forest")
    assert code == 1 and "no keyword 'forrest' in this photographer's history" in out
    code, out = cli("keywords", "alias", "woods", "--into", "forrest")  # it was accepted, aliasing into nothing
    assert code == 1 and "no keyword 'forrest' in this photographer's history" in out
    code, out = cli("keywords", "history", "--json")
    assert json.loads(out) == []
    code, out = cli("keywords", "alias", "woods", "Wald", "--into", "forest")  # names for later: fine
    assert code == 0 and "Wald is now another name of forest" in out
    code, out = cli("keywords", "alias", "Wald", "--into", "Places|Germany")  # a level above keywords is in use
    assert code == 0, out


def test_the_export_undo_hint_names_the_library_and_the_photographer(capsys, tmp_path, sample_copy, monkeypatch):
    db = tmp_path / "maya's library.sqlite"
    photo = sample_copy / "2024-08 Home" / "IMG1206.jpg"
    before = photo.read_bytes()
    assert main(["--db", str(db), "--profile", "maya", "scan", str(sample_copy)]) == 0
    assert main(["--db", str(db), "--profile", "maya", "tag", str(photo), "--add", "dog"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "--profile", "maya", "export", str(photo)]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert hint.startswith("undo with: tagassist --db ") and " --profile maya export --undo 1" in hint, hint
    monkeypatch.chdir(tmp_path / "..")  # run as printed, from elsewhere, where the settings name nobody
    assert main(shlex.split(hint.removeprefix("undo with: tagassist "))) == 0
    assert "1 file(s) restored" in capsys.readouterr().out
    assert photo.read_bytes() == before


def test_photos_lists_a_raw_jpeg_pair_by_its_jpeg(cli, tmp_path):
    shot = Shot(taken_at=datetime(2024, 7, 1, 10, 0), make="Canon", model="Canon EOS R5")
    raw, jpeg = tmp_path / "IMG_0001.CR2", tmp_path / "IMG_0001.JPG"
    save_dng(render("beach", 5, (600, 400)), raw, shot)
    save_jpeg(render("beach", 5, (600, 400)), jpeg, shot)
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("photos")
    assert code == 0 and out.splitlines()[0].startswith(f"{jpeg}\t0 tags\t2024-07-01 10:00:00")
    assert out.splitlines()[0].endswith("\twith its RAW IMG_0001.CR2") and len(out.splitlines()) == 1
    code, out = cli("photos", "--json")  # the JSON keeps its shape: the stored path and the companion
    assert [(p["path"], p["companion"]) for p in json.loads(out)] == [(str(raw), str(jpeg))]


@pytest.mark.slow  # the evaluator's own process: about 7 s
def test_eval_without_tagged_photos_says_what_it_needs(capfd, tmp_path):
    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(SAMPLE_LIBRARY / "2024-08 Home"), "--no-import"]) == 0
    capfd.readouterr()
    code = main(["--db", str(db), "eval", "--models", "mp-u"])
    err = capfd.readouterr().err
    assert code == 1 and "Traceback" not in err and "ZeroDivisionError" not in err
    assert "nothing to score" in err and "at least 5 tagged photos" in err, err


@pytest.mark.slow
def test_the_demo_writes_keywords_into_a_copy_of_the_sample_library(capsys, tmp_path):
    def digest(folder):
        return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())).digest()

    shipped = digest(SAMPLE_LIBRARY)
    db = tmp_path / "demo.sqlite"
    assert main(["--db", str(db), "demo", "--json"]) == 0
    copy = data_dir() / "sample-library"
    assert json.loads(capsys.readouterr().out)["library"] == str(copy)
    photo = copy / "2024-08 Home" / "IMG1206.jpg"
    assert main(["--db", str(db), "tag", str(photo), "--add", "dog"]) == 0
    assert main(["--db", str(db), "export", "--all"]) == 0
    assert "written" in capsys.readouterr().out
    assert digest(SAMPLE_LIBRARY) == shipped
    assert os.path.getmtime(photo) > os.path.getmtime(SAMPLE_LIBRARY / "2024-08 Home" / "IMG1206.jpg")
