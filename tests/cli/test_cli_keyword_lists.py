"""'tagassist keywords export FILE --format lightroom': her vocabulary as Lightroom's keyword list."""

import json
from datetime import datetime

from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tagassist.cli import main
from tagassist.library.keyword_lists import parse_lightroom, walk


def test_export_writes_every_level_once_with_her_aliases_as_synonyms(capsys, tmp_path):
    library, db, out = tmp_path / "photos", tmp_path / "lib.sqlite", tmp_path / "keywords.txt"
    library.mkdir()
    photos = []
    for i in range(3):
        photos.append(library / f"IMG_{i}.jpg")
        save_jpeg(render("city", seed=i, size=(64, 48)), photos[-1], Shot(taken_at=datetime(2024, 5, 1, 10 + i)))
    db_args = ["--db", str(db)]
    assert main([*db_args, "scan", str(library)]) == 0
    assert main([*db_args, "tag", str(photos[0]), "--add", "Places|Italy|Rome", "--add", "Zoë"]) == 0
    assert main([*db_args, "tag", str(photos[1]), "--add", "Places|Texas|Paris", "--add", "dog"]) == 0
    assert main([*db_args, "tag", str(photos[2]), "--add", "Places|France|Paris"]) == 0
    assert main([*db_args, "keywords", "alias", "Roma", "Rom", "--into", "Places|Italy|Rome"]) == 0
    capsys.readouterr()
    assert main([*db_args, "keywords", "export", str(out), "--format", "lightroom", "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said == {"file": str(out), "format": "lightroom", "keywords": 9, "synonyms": 2}
    text = out.read_text(encoding="utf-8")
    assert text == ("dog\nPlaces\n\tFrance\n\t\tParis\n\tItaly\n\t\tRome\n\t\t\t{Rom}\n\t\t\t{Roma}\n"
                    "\tTexas\n\t\tParis\nZoë\n")
    paths = {path: keyword.synonyms for path, keyword in walk(parse_lightroom(text))}
    assert paths["Places|Italy|Rome"] == ["Rom", "Roma"] and "Places|Texas|Paris" in paths


def test_export_to_a_folder_that_is_not_there_says_so(capsys, tmp_path):
    code = main(["--db", str(tmp_path / "lib.sqlite"), "scan", str(tmp_path)])
    assert code == 0
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "lib.sqlite"), "keywords", "export", str(tmp_path / "no" / "k.txt")]) == 1
    assert "cannot write" in capsys.readouterr().err
