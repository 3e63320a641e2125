"""Faces in the store: a region another tool drew and the detector's face for it are one row,
names are per photographer, and forgetting a person deletes their embeddings."""

import numpy as np

from tagassist.records import FaceBox
from tagassist.store import Photo
from tagassist.store.faces import Detected, Region

DETECTOR = "dlib-test"


def _photo(store, n=1):
    photo = Photo(path=f"/lib/{n}.jpg", size=1, mtime_ns=1, content_hash=f"h{n}")
    store.photos.save(photo)
    return photo


def _vector(seed):
    return np.random.default_rng(seed).normal(size=128).astype(np.float32)


def test_a_region_from_the_files_and_the_detected_face_are_one_face(store):
    profile, photo = store.profiles.get(), _photo(store)
    store.faces.put_regions(photo.id, [Region(FaceBox(0.30, 0.20, 0.12, 0.20), "Marie Curie", "mwg")])
    store.faces.put_detected(photo.id, "h1", DETECTOR, [
        Detected(FaceBox(0.31, 0.22, 0.11, 0.18), 0.9, _vector(1)),  # the same face, a slightly other box
        Detected(FaceBox(0.64, 0.12, 0.10, 0.24), 0.8, _vector(2)),
    ])
    faces = store.faces.of_photos(profile, [photo.id])[photo.id]
    assert [f.region_name for f in faces] == ["Marie Curie", None]
    assert faces[0].box == FaceBox(0.30, 0.20, 0.12, 0.20)  # the box she (or her other tool) drew stays
    assert np.array_equal(faces[0].embedding, _vector(1))
    assert store.faces.scanned(DETECTOR, [photo.id, 999]) == {photo.id}
    store.faces.put_regions(photo.id, [])  # the region was removed in the other tool
    faces = store.faces.of_photos(profile, [photo.id])[photo.id]
    assert len(faces) == 2 and faces[0].region_name is None  # the face itself is still there


def test_names_are_hers_rejections_stay_and_forgetting_deletes_embeddings(store):
    anna, ben = store.profiles.get(), store.profiles.get("Ben")
    photo = _photo(store)
    store.faces.put_detected(photo.id, "h1", DETECTOR, [Detected(FaceBox(0.1, 0.1, 0.2, 0.2), 0.9, _vector(1))])
    [face] = store.faces.of_photos(anna, [photo.id])[photo.id]
    before = store.changes.counter()
    store.faces.reject(anna, [face.id], "People|Carla")
    store.faces.name(anna, [face.id], "People|Anna")
    assert store.faces.face(anna, face.id).name == "People|Anna"
    assert store.faces.face(anna, face.id).rejected == {"People|Carla"}
    assert store.faces.face(ben, face.id).name is None  # another photographer's names are his own
    assert store.changes.counter() != before  # the engine's cache knows the faces changed
    store.faces.name(anna, [face.id], "People|Anne")  # one name per face: the new one replaces it
    assert store.faces.people(anna) == [("People|Anne", 1, 1)]
    assert store.faces.rename_person(anna, "People|Anne", "People|Anna") == 1
    assert [(tag, face_id) for tag, face_id, _, _ in store.faces.named(anna)] == [("People|Anna", face.id)]
    assert store.faces.forget(anna, "People|Anna") == 1
    forgotten = store.faces.face(anna, face.id)
    assert forgotten.embedding is None and forgotten.name is None
    assert store.faces.named(anna) == [] and store.faces.unnamed(anna) == []
