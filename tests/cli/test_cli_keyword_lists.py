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


def test_import_says_what_it_added_and_a_second_run_adds_nothing(cli, tmp_path):
    kw = tmp_path / "Keywords.txt"
    kw.write_text("[Places]\n\tItaly\n\t\tRome\n\t\t\t{Roma}\nZoë\n", encoding="utf-8")
    code, out = cli("keywords", "import", kw)
    assert code == 0
    assert "  new: Places|Italy|Rome\n" in out and "  new alias: Roma -> Places|Italy|Rome\n" in out
    assert "4 keywords read from" in out and "4 new keywords, 0 known already, 1 new alias" in out
    code, out = cli("keywords", "import", kw)
    assert code == 0 and "0 new keywords, 4 known already, 0 new aliases" in out
    assert "  known already, skipped: Zoë\n" in out
    code, out = cli("keywords", "list")
    assert "Places\tcategory (imported list)\n" in out
    assert "Places|Italy|Rome\tno photos yet (imported list)\talso: Roma\n" in out
    out_file = tmp_path / "out.txt"
    assert cli("keywords", "export", out_file)[0] == 0
    assert out_file.read_text(encoding="utf-8") == kw.read_text(encoding="utf-8")


def test_import_reads_digikam_paths_and_exports_them(cli, tmp_path):
    tags = tmp_path / "tags.txt"
    tags.write_text("People/Anna\nPeople/Bob\n")
    code, out = cli("keywords", "import", tags, "--json")
    assert code == 0
    said = json.loads(out)
    assert said["format"] == "digikam" and said["added"] == ["People", "People|Anna", "People|Bob"]
    out_file = tmp_path / "out.txt"
    code, out = cli("keywords", "export", out_file, "--format", "digikam")
    assert code == 0 and "3 keywords written to" in out
    assert out_file.read_text() == "People\nPeople/Anna\nPeople/Bob\n"


def test_import_of_a_bad_file_is_one_line_exit_1_and_adds_nothing(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("dog\ncat\n\t\t\tdeep\n")
    code, out = cli("keywords", "import", bad, "--format", "lightroom")
    assert code == 1
    assert out.strip().count("\n") == 0 and "line 3: 'deep' is 3 levels under the one before" in out
    assert "dog" not in cli("keywords", "list")[1]
    code, out = cli("keywords", "import", tmp_path / "missing.txt")
    assert code == 1 and "cannot read" in out


def test_find_says_an_imported_keyword_needs_one_photo_first(cli, tmp_path):
    kw = tmp_path / "Keywords.txt"
    kw.write_text("Animals\n\tQuokka\n")
    assert cli("keywords", "import", kw)[0] == 0
    code, out = cli("find", "Animals|Quokka")
    assert code == 1
    assert out.strip() == ("tagassist: 'Animals|Quokka' is in your imported keyword list, but no photo carries it"
                           " yet: tag at least one photo with it first")
