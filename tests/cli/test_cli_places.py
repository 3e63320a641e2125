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
