"""Places from the GPS in EXIF through the CLI: scan, tag a few photos, suggest for new ones."""

import json
from datetime import datetime

import pytest

from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tagassist.cli import main

LISBON, ROME, SEVILLE, MISSOURI = (38.7223, -9.1393), (41.8986, 12.4769), (37.3891, -5.9845), (38.6270, -90.1994)


def run_json(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _photo(folder, name, when, gps):
    folder.mkdir(parents=True, exist_ok=True)
    save_jpeg(render("city", seed=len(name) * 7 + when.day, size=(96, 64)), folder / name, Shot(taken_at=when, gps=gps))
    return folder / name


@pytest.mark.slow
def test_a_new_city_named_her_way_and_far_places_left_out(capsys, tmp_path):
    library, db = tmp_path / "photos", tmp_path / "lib.sqlite"
    trips = {"Places|Portugal|Lisbon": (LISBON, 1), "Places|Italy|Rome": (ROME, 2)}
    tagged = {}
    for tag, (where, month) in trips.items():
        tagged[tag] = [_photo(library / tag.split("|")[-1], f"IMG_{month}{i}.jpg", datetime(2024, month, 10, 10 + i),
                              (where[0] + 0.001 * i, where[1])) for i in range(3)]
    seville = _photo(library / "Seville", "IMG_60.jpg", datetime(2024, 6, 1, 12), SEVILLE)
    missouri = _photo(library / "Missouri", "IMG_70.jpg", datetime(2024, 7, 1, 12), MISSOURI)
    assert main(["--db", str(db), "scan", str(library)]) == 0
    for tag, paths in tagged.items():
        assert main(["--db", str(db), "tag", *map(str, paths), "--add", tag]) == 0
    capsys.readouterr()
    results = run_json(capsys, "--db", db, "suggest", seville, missouri, "-k", "20", "--json")
    in_seville = {s["tag"]: s for s in results[0]["suggestions"]}
    assert in_seville["Places|Spain|Sevilla"]["reason"] == "GPS is 1 km from Sevilla, Spain (GeoNames)"
    in_missouri = {s["tag"] for s in results[1]["suggestions"]}
    assert "Places|United States|St. Louis" in in_missouri
    assert not in_missouri & set(trips)  # 1,000s of km from every photo she gave them


@pytest.mark.slow
def test_a_photo_without_gps_placed_by_the_city_its_sidecar_names(capsys, tmp_path):
    from tests.library.test_xmp_location import LIGHTROOM_LOCATION

    library, db = tmp_path / "photos", tmp_path / "lib.sqlite"
    lisbon = [_photo(library / "Lisbon", f"IMG_1{i}.jpg", datetime(2024, 1, 10, 10 + i),
                     (LISBON[0] + 0.001 * i, LISBON[1])) for i in range(3)]
    rome = [_photo(library / "Rome", f"IMG_2{i}.jpg", datetime(2024, 2, 10, 10 + i), (ROME[0] + 0.001 * i, ROME[1]))
            for i in range(3)]
    later = _photo(library / "Later", "IMG_30.jpg", datetime(2024, 6, 1, 12), None)
    (library / "Later" / "IMG_30.xmp").write_text(LIGHTROOM_LOCATION, encoding="utf-8")  # photoshop:City="Lisboa"
    assert main(["--db", str(db), "scan", str(library)]) == 0
    assert main(["--db", str(db), "tag", *map(str, lisbon), "--add", "Places|Portugal|Lisbon"]) == 0
    assert main(["--db", str(db), "tag", *map(str, rome), "--add", "Places|Italy|Rome"]) == 0
    capsys.readouterr()
    results = run_json(capsys, "--db", db, "suggest", later, "-k", "20", "--json")
    found = {s["tag"]: s for s in results[0]["suggestions"]}
    assert found["Places|Portugal|Lisbon"]["reason"] == "its location field says Lisboa, Portugal"
    assert "Places|Italy|Rome" not in found  # the location field puts it 1,800 km from every use
