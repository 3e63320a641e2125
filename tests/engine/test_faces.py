"""Faces found and described (issue 27): detection on real photos, orientation, the models'
checksums, and faces off with a reason where dlib is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO, need_shared


def need_faces() -> None:
    """Skipped where dlib or its models are not installed (they are optional); CI has them."""
    from tagassist.engine.faces import faces_unavailable_reason

    reason = faces_unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI installs dlib-bin and face-recognition-models")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def models():
    need_faces()
    from tagassist.engine.faces import FaceModels

    return FaceModels().load()


def coral(name: str) -> Image.Image:
    return Image.open(need_shared("photos", "coral", name)).convert("RGB")


def centre(box) -> tuple[float, float]:
    return box.x + box.w / 2, box.y + box.h / 2


def test_the_package_imports_neither_dlib_nor_torch_nor_qt():
    code = ("import sys, tagassist.engine.faces\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dlib', 'torch', 'PySide6'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_faces_are_off_with_a_one_line_reason_where_the_models_are_missing(tmp_path):
    from tagassist.engine.faces import FaceModels, FacesUnavailable, faces_unavailable_reason

    reason = faces_unavailable_reason(tmp_path)
    assert reason and reason.startswith("faces are off") and "\n" not in reason
    with pytest.raises(FacesUnavailable, match="faces are off"):
        FaceModels(tmp_path).verified_path("shape_predictor_5_face_landmarks.dat")


def _dlib_import_fails(monkeypatch, error: ImportError) -> None:
    import builtins

    real = builtins.__import__

    def importing(name, *args, **kwargs):
        if name == "dlib":
            raise error
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)


def test_faces_are_off_where_dlib_is_missing(monkeypatch):
    from tagassist.engine.faces import faces_unavailable_reason

    _dlib_import_fails(monkeypatch, ModuleNotFoundError("No module named 'dlib'", name="dlib"))
    assert faces_unavailable_reason() == "faces are off: dlib is not installed (pip install dlib-bin)"


def test_faces_are_off_where_dlib_does_not_load(monkeypatch):
    from tagassist.engine.faces import faces_unavailable_reason

    _dlib_import_fails(monkeypatch, ImportError("libopenblas.so.0: cannot open shared object file"))
    assert faces_unavailable_reason() == ("faces are off: dlib cannot be imported"
                                          " (libopenblas.so.0: cannot open shared object file)")


def test_finding_faces_without_dlib_says_why(monkeypatch):
    from tagassist.engine.faces import FaceModels, FacesUnavailable, detect_faces

    monkeypatch.setitem(sys.modules, "dlib", None)  # import dlib now fails
    with pytest.raises(FacesUnavailable, match="faces are off: dlib cannot be imported"):
        detect_faces(Image.new("RGB", (64, 64)), FaceModels())


def test_grace_hopper_one_face_where_she_is(models):
    from tagassist.engine.faces import detect_faces

    faces = detect_faces(coral("grace_hopper.bmp"), models)
    assert len(faces) == 1
    face = faces[0]
    cx, cy = centre(face.box)
    # her face is in the upper middle of the portrait (512 x 600): x 180-370, y 140-330 px
    assert 0.35 < cx < 0.72 and 0.23 < cy < 0.55, face.box
    assert 0.25 < face.box.w < 0.5
    assert face.embedding.dtype == np.float32 and face.embedding.shape == (128,)
    assert 0.5 < face.quality <= 1.0


def test_faces_in_a_photo_of_people_and_none_in_one_of_pets(models):
    from tagassist.engine.faces import detect_faces

    faces = detect_faces(coral("face.jpg"), models)
    assert len(faces) >= 2
    assert [f.quality for f in faces] == sorted((f.quality for f in faces), reverse=True)
    assert all(f.box.x >= 0 and f.box.x + f.box.w <= 1 and f.box.y >= 0 and f.box.y + f.box.h <= 1 for f in faces)
    # the two in front are large and sharp, the two at the edges small
    assert faces[1].quality > 0.5 and faces[-1].quality < faces[1].quality
    assert detect_faces(coral("pets.jpg"), models) == []


def test_the_hog_detector_reads_the_grey_image(models):
    """One channel's features instead of the strongest of three: a quarter less time, the same
    faces (detector.py)."""
    from tagassist.engine.faces import FaceModels, detect_faces

    class Spy:
        def __init__(self, real):
            self.real, self.shapes = real, []

        def run(self, pixels, upsample, threshold):
            self.shapes.append(pixels.shape)
            return self.real.run(pixels, upsample, threshold)

    spy = Spy(models.detector)

    class Spying(FaceModels):
        detector = property(lambda self: spy)

    spying = Spying(models.folder)
    spying._loaded = dict(models._loaded)  # the landmarks and embedding already loaded
    grace = coral("grace_hopper.bmp")  # 512 x 600: the working image as it is
    faces = detect_faces(grace, spying)
    assert spy.shapes == [(600, 512)]
    assert [f.box for f in faces] == [f.box for f in detect_faces(grace, models)] and len(faces) == 1


def test_a_small_face_is_found_on_the_working_image(models):
    """A face of ~45 px once the photo is shrunk to the working size (a 3000 px photo, shrunk
    to WORKING_SIDE) is still found."""
    from tagassist.engine.faces import detect_faces
    from tagassist.engine.faces.detector import WORKING_SIDE

    side = round(45 * 3000 / WORKING_SIDE)  # the crop is her face, 45 px once shrunk
    portrait = coral("grace_hopper.bmp").crop((150, 120, 400, 370)).resize((side, side))
    big = Image.new("RGB", (3000, 2000), (110, 120, 100))
    big.paste(portrait, (2100, 700))
    faces = detect_faces(big, models)
    assert len(faces) == 1
    assert faces[0].box.w * WORKING_SIDE < 60
    cx, cy = centre(faces[0].box)
    assert abs(cx - (2100 + side / 2) / 3000) < 0.02 and abs(cy - (700 + side / 2) / 2000) < 0.03


def test_a_blurred_or_smaller_face_has_a_lower_quality(models):
    from PIL import ImageFilter

    from tagassist.engine.faces import detect_faces

    grace = coral("grace_hopper.bmp")
    sharp = detect_faces(grace, models)[0]
    blurred = detect_faces(grace.filter(ImageFilter.GaussianBlur(3)), models)
    small = detect_faces(grace.resize((171, 200)), models)  # her face about 60 px
    assert blurred and blurred[0].quality < 0.6 * sharp.quality
    assert small and small[0].quality < 0.9 * sharp.quality


def test_boxes_are_in_the_displayed_orientation(models, tmp_path):
    """A photo stored sideways with EXIF orientation 6, decoded as the library decodes it:
    the boxes are where the faces are on the upright photo."""
    from tagassist.engine.faces import detect_faces
    from tagassist.library.exif import read_exif
    from tagassist.library.imaging import decode_rgb

    upright = coral("face.jpg")
    path = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    upright.transpose(Image.Transpose.ROTATE_90).save(path, "JPEG", quality=95, exif=exif)
    with open(path, "rb") as f:
        orientation = read_exif(f).orientation
    assert orientation == 6
    shown = decode_rgb(path, orientation, 1024)
    assert shown.size == upright.size
    expected = sorted(centre(f.box) for f in detect_faces(upright, models)[:2])
    got = sorted(centre(f.box) for f in detect_faces(shown, models)[:2])
    assert len(got) == 2
    for (ex, ey), (gx, gy) in zip(expected, got):
        assert abs(ex - gx) < 0.03 and abs(ey - gy) < 0.03
    # the stored pixels as they are (no orientation applied) put no face there
    stored = Image.open(path).convert("RGB")
    sideways = [centre(f.box) for f in detect_faces(stored, models)]
    assert not any(abs(sx - ex) < 0.05 and abs(sy - ey) < 0.05 for sx, sy in sideways for ex, ey in expected)


def test_a_tampered_model_file_is_refused(models, tmp_path):
    from tagassist.engine.faces import FaceModels, FacesUnavailable
    from tagassist.engine.faces.detector import EMBEDDING_FILE, LANDMARKS_FILE, models_folder

    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(models_folder() / LANDMARKS_FILE, folder / LANDMARKS_FILE)
    shutil.copy(models_folder() / EMBEDDING_FILE, folder / EMBEDDING_FILE)
    copy = FaceModels(folder)
    assert copy.landmarks is not None  # the untouched copy loads
    data = bytearray((folder / EMBEDDING_FILE).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / EMBEDDING_FILE).write_bytes(bytes(data))
    with pytest.raises(FacesUnavailable, match="does not match its checksum"):
        _ = FaceModels(folder).embedder


def test_the_68_point_model_is_never_loaded(models):
    from tagassist.engine.faces import FacesUnavailable

    with pytest.raises(FacesUnavailable, match="not a model tagassist loads"):
        models.verified_path("shape_predictor_68_face_landmarks.dat")
