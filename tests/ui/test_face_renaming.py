"""Naming a face anew in the app takes its old name off the photo, and undo puts both back
(found by a tester: every name a face was ever given stayed on its photo)."""

import numpy as np

from tagassist.records import FaceBox
from tagassist.services import faces
from tagassist.store import Photo
from tagassist.store.faces import Detected
from tagassist.ui.face_naming import FaceNaming


def test_a_renamed_face_leaves_one_name_on_its_photo_and_undo_restores_it(store, qtbot):
    profile = store.profiles.get()
    photo = Photo(path="/lib/a.jpg", size=1, mtime_ns=1, content_hash="h1")
    store.photos.save(photo)
    vector = np.random.default_rng(0).normal(size=128).astype(np.float32)
    store.faces.put_detected(photo.id, "h1", "dlib-hog", [Detected(FaceBox(0.1, 0.1, 0.2, 0.2), 0.9, vector)])
    [face] = store.faces.of_photos(profile, [photo.id])[photo.id]

    def keywords():
        return {a.tag for a in store.history.photo_tags(profile, photo.id)}

    FaceNaming(store, profile, face, "People|Carl", lambda: None).redo()
    face = store.faces.face(profile, face.id)
    rename = FaceNaming(store, profile, face, "People|Emil", lambda: None)
    rename.redo()
    assert keywords() == {"People|Emil"} and store.faces.face(profile, face.id).name == "People|Emil"
    rename.undo()
    assert keywords() == {"People|Carl"} and store.faces.face(profile, face.id).name == "People|Carl"
    assert faces.replaced_name(store, profile, store.faces.face(profile, face.id), "People|Carl") is None
