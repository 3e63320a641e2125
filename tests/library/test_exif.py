import io

import pytest

from tagassist.library.exif import read_exif
from tests.conftest import need_shared


def _exif(path):
    with open(path, "rb") as f:
        return read_exif(f)


def test_gps_date_camera_from_a_real_nikon_file():
    exif = _exif(need_shared("photos", "exif-samples", "jpg", "gps", "DSCN0010.jpg"))
    assert exif.taken_at == "2008-10-22T16:28:39"
    assert (exif.camera_make, exif.camera_model) == ("NIKON", "COOLPIX P6000")
    assert exif.gps_lat == pytest.approx(43.4673, abs=1e-3)
    assert exif.gps_lon == pytest.approx(11.8851, abs=1e-3)
    assert exif.focal_length == 24 and exif.iso == 64 and exif.exposure_time == "1/75"


@pytest.mark.parametrize("n", range(1, 9))
def test_all_eight_orientations(n):
    folder = need_shared("photos", "exif-samples", "jpg", "orientation")
    assert _exif(folder / f"landscape_{n}.jpg").orientation == n
    assert _exif(folder / f"portrait_{n}.jpg").orientation == n


def test_lens_model_is_read():
    exif = _exif(need_shared("photos", "exif-samples", "jpg", "Canon_40D.jpg"))
    assert exif.camera_model == "Canon EOS 40D" and exif.f_number == pytest.approx(7.1)


def test_no_exif_at_all():
    assert read_exif(io.BytesIO(b"\xff\xd8\xff\xd9")).taken_at is None
