"""Keywords written by exiftool, the reference implementation, are imported as written."""

import subprocess
from datetime import datetime

from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tagassist.services.scanning import Scanner
from tests.conftest import need_tool


def _exiftool(*args):
    subprocess.run([need_tool("exiftool"), "-q", "-overwrite_original", *map(str, args)], check=True)


def _photo(path):
    save_jpeg(render("beach", 3, (120, 80)), path, Shot(taken_at=datetime(2024, 7, 1, 10, 0)))
    return path


def _imported(store, path):
    Scanner(store, store.profiles.get()).run([path.parent])
    return [a.tag for a in store.history.photo_tags(store.profiles.get(), store.photos.by_path(path).id)]


def test_sidecar_written_by_exiftool(store, tmp_path):
    photo = _photo(tmp_path / "a.jpg")
    sidecar = tmp_path / "a.xmp"
    _exiftool("-o", sidecar, "-XMP-dc:Subject=beach", "-XMP-dc:Subject=Portugal", "-XMP-dc:Subject=Places",
              "-XMP-lr:HierarchicalSubject=Places|Portugal", photo)
    assert sidecar.exists()
    assert _imported(store, photo) == ["Places|Portugal", "beach"]


def test_embedded_xmp_written_by_exiftool(store, tmp_path):
    photo = _photo(tmp_path / "b.jpg")
    _exiftool("-XMP-dc:Subject=café", "-XMP-dc:Subject=sea", photo)
    assert _imported(store, photo) == ["café", "sea"]


def test_iptc_keywords_written_by_exiftool(store, tmp_path):
    photo = _photo(tmp_path / "c.jpg")
    _exiftool("-charset", "iptc=UTF8", "-IPTC:CodedCharacterSet=UTF8", "-IPTC:Keywords=Köln", "-IPTC:Keywords=dom",
              photo)
    assert _imported(store, photo) == ["Köln", "dom"]


def test_digikam_tags_written_by_exiftool(store, tmp_path):
    photo = _photo(tmp_path / "d.jpg")
    _exiftool("-XMP-digiKam:TagsList=People/Family/Anna", "-XMP-dc:Subject=Anna", photo)
    assert _imported(store, photo) == ["People|Family|Anna"]
