"""Several tagassist processes on one library at once: no 'database is locked', no lost write."""

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from photosim.metadata import Shot, save_jpeg
from photosim.render import render

TAG_LOOP = r"""
import sys
from tagassist.store import Store
db, prefix, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
acknowledged = []
with Store(db) as store:
    profile = store.profiles.get(prefix)
    ids = [p.id for p, _ in store.photos.list_photos(profile)]
    for i in range(rounds):
        photo = ids[i % len(ids)]
        store.tagging.add_tags(profile, [photo], [f"{prefix}-{i}"], "typed")
        if i % 3 == 0:
            store.tagging.remove_tags(profile, [photo], [f"{prefix}-{i}"])
            store.tagging.reject_tags(profile, [photo], [f"{prefix}-{i}"])
        else:
            acknowledged.append((photo, f"{prefix}-{i}"))
print(repr(acknowledged))
"""


def _cli(db, *args):
    return [sys.executable, "-m", "tagassist.cli", "--db", str(db), *map(str, args)]


@pytest.mark.slow
def test_two_scans_two_tag_loops_and_an_export_at_once(tmp_path):
    library = tmp_path / "photos"
    library.mkdir()
    for i in range(40):
        save_jpeg(render("forest", i, (64, 48)), library / f"{i:03d}.jpg", Shot(taken_at=datetime(2024, 1, 1, 9, i)))
    db = tmp_path / "lib.sqlite"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    assert subprocess.run(_cli(db, "scan", library), env=env, capture_output=True).returncode == 0
    subprocess.run(_cli(db, "tag", library / "000.jpg", "--add", "seed"), env=env, check=True, capture_output=True)
    for i in range(160):  # new files for the concurrent scans to find
        save_jpeg(render("beach", i, (64, 48)), library / f"new-{i:03d}.jpg",
                  Shot(taken_at=datetime(2024, 2, 1, 9 + i // 60, i % 60)))

    processes = [
        subprocess.Popen(_cli(db, "scan", library), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen(_cli(db, "scan", library), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen([sys.executable, "-c", TAG_LOOP, str(db), "ana", "600"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen([sys.executable, "-c", TAG_LOOP, str(db), "bob", "600"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen(_cli(db, "export", "--all"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err.decode()
        assert b"locked" not in err
    from tagassist.store import Store

    with Store(db) as store:
        for (out, _), name in zip(outputs[2:4], ("ana", "bob")):
            profile = store.profiles.get(name)
            acknowledged = eval(out.decode())
            tags = store.history.tags_by_photo(profile)
            assert all(tag in tags.get(photo, []) for photo, tag in acknowledged)
            assert len(acknowledged) == 400
        assert len(store.photos.list_photos(store.profiles.get())) == 200
        assert store.database.integrity_problems() == []
    assert json.loads(subprocess.run(_cli(db, "tags", library / "000.jpg", "--json"), env=env,
                                     capture_output=True, check=True).stdout)["tags"][0]["tag"] == "seed"
