import io
import os
import struct
import sys
import zlib
from datetime import datetime

import pytest
from PIL import Image

from photosim.metadata import Shot, save_jpeg, write_sidecar, xmp_packet
from photosim.render import render
from tagassist.library import ThumbnailCache
from tagassist.library import scanner as scanner_module
from tagassist.services import scanning
from tagassist.services.scanning import Scanner
from tests.conftest import SAMPLE_LIBRARY, need_shared


def _jpeg(path, scene="beach", seed=0, keywords=None, size=(96, 64)):
    save_jpeg(render(scene, seed, size), path, Shot(taken_at=datetime(2024, 5, 1, 12, 0)))
    if keywords:
        write_sidecar(path, keywords)
    return path


def _scan(store, *roots, profile=None):
    return Scanner(store, profile or store.profiles.get()).run(roots)


def _status(store, path):
    photo = store.photos.by_path(path)
    return photo.status, photo.error


def test_sample_library_scan_imports_its_history(store):
    summary = _scan(store, SAMPLE_LIBRARY)
    assert summary.found == summary.added == 37
    assert summary.failed == 0 and summary.problems == []
    profile = store.profiles.get()
    rome = store.photos.by_path(SAMPLE_LIBRARY / "2024-05 Rome" / "DSCF1000.jpg")
    assert [a.tag for a in store.history.photo_tags(profile, rome.id)] == ["Places|Italy|Rome", "Roma2024",
                                                                           "architecture", "street"]
    assert rome.camera_model == "X-T4" and rome.gps_lat == pytest.approx(41.8964, abs=1e-4)
    dog = store.photos.by_path(SAMPLE_LIBRARY / "2024-08 Home" / "IMG1200.jpg")  # digiKam-style sidecar
    assert {a.tag for a in store.history.photo_tags(profile, dog.id)} == {"Pixel", "dog", "home"}
    assert len(store.photos.list_photos(profile, untagged=True)) == 7


def test_unchanged_rescan_reads_nothing(store, sample_copy):
    _scan(store, sample_copy)
    again = _scan(store, sample_copy)
    assert (again.unchanged, again.added, again.updated, again.imported_tags) == (37, 0, 0, 0)


def test_changed_file_is_reread_and_keeps_its_history(store, tmp_path):
    path = _jpeg(tmp_path / "a.jpg")
    _scan(store, tmp_path)
    profile = store.profiles.get()
    photo = store.photos.by_path(path)
    store.tagging.add_tags(profile, [photo.id], ["mine"], "typed")
    _jpeg(path, scene="forest")  # edited in place: new pixels, new hash
    os.utime(path, ns=(10**18, 10**18))
    summary = _scan(store, tmp_path)
    assert summary.updated == 1
    changed = store.photos.by_path(path)
    assert changed.id == photo.id and changed.content_hash != photo.content_hash
    assert [a.tag for a in store.history.photo_tags(profile, photo.id)] == ["mine"]


def test_moved_and_renamed_files_keep_their_history(store, tmp_path):
    (tmp_path / "a").mkdir()
    old = _jpeg(tmp_path / "a" / "one.jpg")
    _scan(store, tmp_path)
    profile = store.profiles.get()
    photo_id = store.photos.by_path(old).id
    store.tagging.add_tags(profile, [photo_id], ["kept"], "typed")
    (tmp_path / "b").mkdir()
    new = tmp_path / "b" / "renamed.jpg"
    os.rename(old, new)
    summary = _scan(store, tmp_path)
    assert (summary.moved, summary.added, summary.missing) == (1, 0, 0)
    assert store.photos.by_path(new).id == photo_id and store.photos.by_path(old) is None
    assert [a.tag for a in store.history.photo_tags(profile, photo_id)] == ["kept"]


def test_a_copy_is_a_new_photo_not_a_move(store, tmp_path):
    original = _jpeg(tmp_path / "one.jpg")
    _scan(store, tmp_path)
    (tmp_path / "copy.jpg").write_bytes(original.read_bytes())
    summary = _scan(store, tmp_path)
    assert (summary.added, summary.moved) == (1, 0)


def test_deleted_file_is_marked_missing_with_history_kept_and_comes_back(store, tmp_path):
    path = _jpeg(tmp_path / "a.jpg", keywords=["sea"])
    _scan(store, tmp_path)
    data = path.read_bytes()
    path.unlink()
    assert _scan(store, tmp_path).missing == 1
    photo = store.photos.by_path(path)
    assert photo.status == "missing"
    assert [a.tag for a in store.history.photo_tags(store.profiles.get(), photo.id)] == ["sea"]
    path.write_bytes(data)
    _scan(store, tmp_path)
    assert store.photos.by_path(path).status == "ok"


def test_edited_sidecar_is_imported_again(store, tmp_path):
    path = _jpeg(tmp_path / "a.jpg", keywords=["sea"])
    _scan(store, tmp_path)
    sidecar = write_sidecar(path, ["sea", "sunset"])
    os.utime(sidecar, ns=(10**18, 10**18))
    summary = _scan(store, tmp_path)
    assert summary.updated == 1 and summary.imported_tags == 1


def test_embedded_xmp_is_imported(store, tmp_path):
    path = tmp_path / "embedded.jpg"
    render("city", 1, (64, 64)).save(path, "JPEG", xmp=xmp_packet(["Places|Italy|Rome", "night"]).encode())
    _scan(store, tmp_path)
    assert store.sync.file_keywords(store.photos.by_path(path).id) == ["Places|Italy|Rome", "night"]


def _png_with_size(width, height):
    """A tiny PNG whose header claims width x height (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's own, about the files we broke on purpose
def test_bad_files_never_stop_a_scan_and_each_gets_a_reason(store, tmp_path):
    good = _jpeg(tmp_path / "good.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    whole = _jpeg(tmp_path / "whole.jpg", size=(480, 320)).read_bytes()
    (tmp_path / "whole.jpg").unlink()
    (tmp_path / "truncated.jpg").write_bytes(whole[: len(whole) * 2 // 3])  # cut inside the scan data
    (tmp_path / "garbage.jpg").write_bytes(os.urandom(5000))
    (tmp_path / "text.png").write_text("hello, I am not a picture")
    buffer = io.BytesIO()
    render("food", 2, (64, 64)).save(buffer, "PNG")
    (tmp_path / "mislabelled.jpg").write_bytes(buffer.getvalue())
    (tmp_path / "bomb.png").write_bytes(_png_with_size(40_000, 40_000))
    (tmp_path / "big.png").write_bytes(_png_with_size(20_000, 15_000))
    hostile = _jpeg(tmp_path / "hostile.jpg")
    (tmp_path / "hostile.xmp").write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    exif_broken = bytearray(good.read_bytes())
    offset = exif_broken.find(b"Exif\x00\x00") + 6 + 4  # first IFD offset of the TIFF header
    exif_broken[offset : offset + 4] = b"\xff\xff\xff\x7f"
    (tmp_path / "broken_exif.jpg").write_bytes(bytes(exif_broken))

    summary = _scan(store, tmp_path)
    assert summary.found == 10
    assert _status(store, good) == ("ok", None)
    assert _status(store, tmp_path / "empty.jpg") == ("error", "empty file (0 bytes)")
    assert _status(store, tmp_path / "truncated.jpg") == ("warning",
                                                          "JPEG data looks truncated (no end-of-image marker)")
    for name in ("garbage.jpg", "text.png"):
        status, reason = _status(store, tmp_path / name)
        assert status == "error" and "not a readable image" in reason
    assert _status(store, tmp_path / "mislabelled.jpg") == ("ok", None)
    assert store.photos.by_path(tmp_path / "mislabelled.jpg").format == "PNG"
    for name in ("bomb.png", "big.png"):
        status, reason = _status(store, tmp_path / name)
        assert status == "error" and "too large" in reason
    status, reason = _status(store, hostile)
    assert status == "warning" and "sidecar hostile.xmp" in reason and "unsafe XML" in reason
    assert _status(store, tmp_path / "broken_exif.jpg")[0] in ("ok", "warning")
    assert summary.failed == 5  # empty, garbage, text, bomb, big
    for _, _, reason in summary.problems:
        assert reason and "\n" not in reason


def test_unreadable_folders_are_reported_and_their_photos_not_marked_missing(store, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    photo = _jpeg(locked / "a.jpg")
    _scan(store, tmp_path)
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(scanner_module.os, "scandir", scandir)
    monkeypatch.setattr(scanning, "is_gone", lambda raw: False)  # stat also fails in a locked folder
    summary = _scan(store, tmp_path)
    assert summary.unreadable == [(str(locked), "Permission denied")]
    assert summary.failed == 1 and summary.missing == 0
    assert store.photos.by_path(photo).status == "ok"


def test_symlink_loops_are_walked_once(store, tmp_path):
    (tmp_path / "a").mkdir()
    _jpeg(tmp_path / "a" / "x.jpg")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    assert _scan(store, tmp_path).found == 1


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a POSIX matter")
def test_non_utf8_file_names(store, tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9-\xff.jpg"
    with open(raw, "wb") as f:
        f.write(_jpeg(tmp_path / "src.jpg").read_bytes())
    summary = _scan(store, tmp_path)
    assert summary.added == 2
    photo = store.photos.by_path(os.fsdecode(raw))
    assert photo is not None and photo.status == "ok"
    assert os.fsencode(photo.path) == raw


def test_cancel_leaves_a_consistent_library_that_a_rescan_finishes(store, tmp_path, monkeypatch):
    monkeypatch.setattr(scanning, "BATCH_SIZE", 4)
    for i in range(20):
        _jpeg(tmp_path / f"{i:02}.jpg", seed=i)
    scanner = Scanner(store, store.profiles.get())
    scan = scanner.scan([tmp_path])
    for progress in scan:
        if progress.phase == "read" and progress.done >= 8:
            break
    scan.close()
    assert scanner.summary.cancelled
    assert store.database.scalar("SELECT COUNT(*) FROM photos") == 8
    assert store.database.integrity_problems() == []
    summary = _scan(store, tmp_path)
    assert (summary.unchanged, summary.added) == (8, 12)


def test_thumbnails_are_upright_for_all_eight_orientations(store, tmp_path):
    folder = need_shared("photos", "exif-samples", "jpg", "orientation")
    _scan(store, folder)
    cache = ThumbnailCache(tmp_path / "thumbs")
    for n in range(1, 9):
        for kind in ("landscape", "portrait"):
            photo = store.photos.by_path(folder / f"{kind}_{n}.jpg")
            with Image.open(cache.get(photo.path, photo.content_hash, photo.orientation)) as thumb:
                assert max(thumb.size) == 256
                assert (thumb.width > thumb.height) == (kind == "landscape"), (kind, n)


def test_thumbnail_cache_prunes_least_recently_used(store, tmp_path):
    (tmp_path / "photos").mkdir()
    for i in range(4):
        _jpeg(tmp_path / "photos" / f"{i}.jpg", seed=i, size=(400, 300))
    _scan(store, tmp_path / "photos")
    cache = ThumbnailCache(tmp_path / "thumbs")
    paths = [cache.get(p.path, p.content_hash, p.orientation)
             for p, _ in store.photos.list_photos(store.profiles.get())]
    for age, path in enumerate(paths):
        os.utime(path, (1000 + age, 1000 + age))  # the first is the least recently used
    keep = sum(p.stat().st_size for p in paths[2:])
    assert cache.prune(keep) == 2
    assert [p.exists() for p in paths] == [False, False, True, True]


def test_decoding_a_large_png_for_the_encoder_reduces_it_like_a_jpeg_draft(tmp_path):
    from tagassist.library.imaging import decode_rgb

    path = tmp_path / "pano.png"
    Image.new("RGB", (6000, 2000), (90, 140, 200)).save(path)
    image = decode_rgb(path, 1, 448, shrink=False)
    # at least what the encoder asked for, never the 12 MP original handed on to it
    assert 448 <= max(image.size) < 2 * 448
    assert image.mode == "RGB" and image.getpixel((10, 10)) == (90, 140, 200)
    for mode in ("P", "1", "I;16", "RGBA"):
        Image.new(mode, (3000, 1000)).save(tmp_path / f"{mode.replace(';', '')}.png")
        assert decode_rgb(tmp_path / f"{mode.replace(';', '')}.png", 1, 300, shrink=False).mode == "RGB"


def test_the_pixel_budget_lets_a_panorama_decode_alone():
    import threading

    from tagassist.library.decoding import PixelBudget
    from tests.support.concurrency import PeakLoad

    budget = PixelBudget(100)
    load = PeakLoad()

    def decode(pixels):
        with budget.hold(pixels), load.holding(pixels):
            pass

    threads = [threading.Thread(target=decode, args=(p,)) for p in (60, 60, 500, 30, 30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 60 + 60 never together, and a panorama (over the whole budget) only alone
    assert load.most <= 100 or load.most == 500
