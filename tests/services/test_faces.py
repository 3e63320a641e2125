"""The faces pass (services.faces.find_faces): two processes store the faces one at a time
stores, in the photos' order, from photos as the library decodes them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.conftest import need_shared
from tests.engine.test_faces import need_faces


def _pass(library, tmp_path, name, monkeypatch, workers: int, processes_from: int):
    from tagassist.engine.faces import pool
    from tagassist.services import faces
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    monkeypatch.setattr(pool, "WORKERS", workers)
    monkeypatch.setattr(pool, "PROCESSES_FROM", processes_from)
    with Store(tmp_path / f"{name}.sqlite") as store:
        profile = store.profiles.get()
        Scanner(store, profile).run([str(library)])
        progress = list(faces.find_faces(store, profile))
        stored = {photo.path.rsplit("/", 1)[-1]: [(f.box, f.embedding) for f in
                                                   store.faces.of_photos(profile, [photo.id])[photo.id]]
                  for photo, _ in store.photos.list_photos(profile)}
        again = list(faces.find_faces(store, profile))  # every photo looked at already
    return [p.path.rsplit("/", 1)[-1] for p in progress], stored, again


@pytest.mark.slow
def test_two_processes_store_the_faces_one_at_a_time_stores(tmp_path, monkeypatch):
    need_faces()
    coral = need_shared("photos", "coral")
    library = tmp_path / "library"
    library.mkdir()
    for name in ("face.jpg", "grace_hopper.bmp", "pets.jpg"):
        Image.open(coral / name).convert("RGB").save(library / f"{name.split('.')[0]}.jpg", quality=92)
    order_one, one, _ = _pass(library, tmp_path, "one", monkeypatch, workers=1, processes_from=1)
    order_two, two, again = _pass(library, tmp_path, "two", monkeypatch, workers=2, processes_from=1)
    assert order_two == order_one and len(order_one) == 3 and again == []
    assert len(one["face.jpg"]) >= 2 and len(one["grace_hopper.jpg"]) == 1 and one["pets.jpg"] == []
    for photo, faces in one.items():
        assert [box for box, _ in two[photo]] == [box for box, _ in faces]
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(two[photo], faces))
