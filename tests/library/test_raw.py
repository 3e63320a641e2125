"""Camera RAW libraries through the CLI a photographer uses: the real camera files in
../shared/photos/raw-samples (metadata intact, pixel data stripped), DNG files these tests
write with real sensor data and real previews, RAW+JPEG pairs, and sidecars named as
Lightroom, darktable and digiKam name them (checked with exiftool)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from photosim.dng import save_dng
from photosim.metadata import Shot, save_jpeg, write_sidecar, xmp_packet
from photosim.render import render
from tagassist.library import ThumbnailCache
from tagassist.library.raw import NO_PREVIEW_NOTE
from tagassist.store import Store
from tests.conftest import REPO, need_shared
from tests.library.test_keyword_sync import exif_keywords, exiftool


def photos(cli):
    code, out = cli("--json", "photos")
    assert code == 0, out
    return {os.path.basename(p["path"]): p for p in json.loads(out)}


def shot(**changes):
    return Shot(taken_at=datetime(2024, 7, 1, 10, 0), make="Canon", model="Canon EOS R5", **changes)


def make_dng(path, scene="beach", seed=1, size=(600, 400), **options):
    save_dng(render(scene, seed, size), path, options.pop("shot", shot()), **options)
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_raw_sample_is_listed_with_its_camera_and_date(cli, tmp_path):
    samples = need_shared("photos", "raw-samples")
    # The samples' README says what each file is: the table is the expectation, not this test.
    table = re.findall(r"^\| (\S+\.\w+) \| (.+?) \| (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \|",
                       (samples / "README.md").read_text(), re.M)
    assert len(table) == 11
    library = tmp_path / "raw"
    shutil.copytree(samples, library)
    code, out = cli("scan", library)
    assert code == 0, out  # a RAW without pixels is a note, not a failure
    listed = photos(cli)
    for name, camera, taken in table:
        photo = listed[name]
        assert photo["taken_at"] == taken.replace(" ", "T"), name
        assert photo["camera"] == camera, name
        assert photo["format"] == name.rsplit(".", 1)[1].upper()
    # stripped of pixel data, all but the RAF (whose 9 KB thumbnail survives) say so in words
    noted = {n for n, p in listed.items() if p["reason"] == NO_PREVIEW_NOTE}
    assert noted == {n for n, *_ in table} - {"FujiFilm.raf"}
    assert listed["FujiFilm.raf"]["status"] == "ok"
    code, out = cli("photos")
    assert "Canon EOS 350D DIGITAL" in out and "2005-08-03 18:59:18" in out


def test_a_raw_without_pixels_is_taggable_and_exported_to_its_sidecar(cli, tmp_path):
    samples = need_shared("photos", "raw-samples")
    nef = tmp_path / "Nikon.nef"
    shutil.copy(samples / "Nikon.nef", nef)
    before = sha256(nef)
    cli("scan", tmp_path)
    assert cli("index")[0] == 0  # nothing to index there, and no error for it
    assert photos(cli)["Nikon.nef"]["status"] == "warning"
    assert cli("tag", nef, "--add", "Places|Italy|Rome", "--add", "street")[0] == 0
    code, out = cli("suggest", nef, "--json")
    assert code == 0, out  # from history and context alone
    assert cli("export", nef)[0] == 0
    assert exif_keywords(tmp_path / "Nikon.xmp", "-XMP-lr:HierarchicalSubject") == ["Places|Italy|Rome", "street"]
    assert sha256(nef) == before


@pytest.mark.slow
def test_a_dng_with_a_preview_goes_through_thumbnails_index_and_suggest(cli, tmp_path):
    library = tmp_path / "shoot"
    library.mkdir()
    scenes = ["beach", "forest"] * 18 + ["beach"]  # 36 tagged in 12 shoots (enough to train), one new
    for i, scene in enumerate(scenes):
        taken = Shot(taken_at=datetime(2024, 7, 1 + i // 3, 10 + i % 3), make="Canon", model="Canon EOS R5",
                     orientation=6)
        dng = make_dng(library / f"IMG_{i:04}.DNG", scene, i, (240, 160),
                       xmp=xmp_packet([scene]) if i < 36 else None, shot=taken)
    hashes = {p: sha256(p) for p in library.iterdir()}
    code, out = cli("scan", library)
    assert code == 0, out
    listed = photos(cli)
    assert listed["IMG_0000.DNG"]["tags"] == ["beach"]  # embedded XMP of the RAW, imported
    with Store(cli.db) as store:
        photo = store.photos.by_path(dng)
        assert photo.preview == "embedded"
        thumb = Image.open(ThumbnailCache(tmp_path / "thumbs").get(photo.pixels_path, photo.content_hash,
                                                                    photo.orientation))
        assert thumb.height > thumb.width  # orientation 6 applied, as for a JPEG
    assert cli("index")[0] == 0
    code, out = cli("suggest", dng, "--json")
    assert code == 0, out
    assert "beach" in [s["tag"] for s in json.loads(out)[0]["suggestions"]]
    assert cli("tag", dng, "--add", "sea")[0] == 0
    assert cli("export", dng, "--embed")[0] == 0
    code, out = cli("train")
    assert code == 0, out
    assert {p: sha256(p) for p in hashes} == hashes  # scan, index, suggest, tag, export, train: RAW untouched
    # --embed: a RAW's keywords go to its sidecar, named as darktable and digiKam read it (Lightroom reads a
    # DNG's keywords only inside the file, which tagassist never writes)
    assert exif_keywords(library / "IMG_0036.DNG.xmp") == ["sea"] and not (library / "IMG_0036.xmp").exists()


def test_a_dng_without_a_preview_is_decoded_with_libraw(cli, tmp_path):
    dng = make_dng(tmp_path / "IMG_0001.dng", "forest", 3, preview=False)
    cli("scan", tmp_path)
    with Store(cli.db) as store:
        photo = store.photos.by_path(dng)
        assert photo.preview == "libraw" and photo.status == "ok"
        thumb = Image.open(ThumbnailCache(tmp_path / "thumbs").get(photo.path, photo.content_hash, photo.orientation))
        original = render("forest", 3, (600, 400)).resize(thumb.size)
        # demosaiced sensor data looks like the scene that was recorded (LibRaw brightens it)
        seen, recorded = (np.asarray(i.convert("L"), dtype=float).ravel() for i in (thumb, original))
        assert np.corrcoef(seen, recorded)[0, 1] > 0.9
    assert cli("index")[0] == 0
    assert photos(cli)["IMG_0001.dng"]["status"] == "ok"


def make_pair(folder, stem="IMG_0001", jpeg_keywords=(), raw_suffix=".CR2"):
    """A camera's RAW+JPEG: here a DNG named as the camera's RAW would be, and its JPEG."""
    raw = make_dng(folder / f"{stem}{raw_suffix}", "beach", 5)
    jpeg = folder / f"{stem}.JPG"
    save_jpeg(render("beach", 5, (600, 400)), jpeg, shot())
    if jpeg_keywords:
        exiftool(*[f"-XMP-dc:Subject+={k}" for k in jpeg_keywords], jpeg)
    return raw, jpeg


def test_a_raw_jpeg_pair_is_one_photo_with_one_history(cli, tmp_path):
    raw, jpeg = make_pair(tmp_path, jpeg_keywords=["beach"], raw_suffix=".dng")
    write_sidecar(raw, ["holiday"], digikam_style=True)  # IMG_0001.dng.xmp, as darktable names it
    code, out = cli("scan", tmp_path, "--json")
    assert json.loads(out)["found"] == 1
    listed = photos(cli)
    assert list(listed) == ["IMG_0001.dng"]
    assert listed["IMG_0001.dng"]["companion"] == str(jpeg)
    assert listed["IMG_0001.dng"]["tags"] == ["beach", "holiday"]  # the JPEG's and the RAW sidecar's
    assert cli("tag", jpeg, "--add", "sea")[0] == 0  # the JPEG's name finds the pair
    assert photos(cli)["IMG_0001.dng"]["tags"] == ["beach", "holiday", "sea"]
    assert cli("index")[0] == 0
    with Store(cli.db) as store:
        photo = store.photos.by_path(raw)
        assert photo.pixels_path == str(jpeg)
        assert (store.embeddings.embeddings("efficientnet-lite0", [photo.content_hash])
                or store.embeddings.photos_without_embedding("efficientnet-lite0") == [])


def test_a_jpeg_tagged_before_its_raw_was_read_keeps_its_history(cli, tmp_path):
    raw, jpeg = make_pair(tmp_path)
    hidden = raw.rename(tmp_path / "later.tmp")  # a library scanned before tagassist read RAW files
    cli("scan", tmp_path)
    cli("tag", jpeg, "--add", "dog", "--reject", "cat")
    hidden.rename(raw)
    cli("scan", tmp_path)
    listed = photos(cli)
    assert list(listed) == ["IMG_0001.CR2"] and listed["IMG_0001.CR2"]["tags"] == ["dog"]
    code, out = cli("tags", raw, "--json")
    assert [r["tag"] for r in json.loads(out)["rejected"]] == ["cat"]


def test_separate_makes_a_raw_and_its_jpeg_two_photos(cli, tmp_path):
    make_pair(tmp_path)
    code, out = cli("scan", tmp_path, "--raw-jpeg", "separate", "--json")
    assert json.loads(out)["found"] == 2
    assert sorted(photos(cli)) == ["IMG_0001.CR2", "IMG_0001.JPG"]
    code, out = cli("scan", tmp_path, "--json")  # remembered for the library
    assert json.loads(out)["found"] == 2


@pytest.mark.parametrize("style, written", [
    ("lightroom", ["IMG_0001.xmp"]),
    ("darktable", ["IMG_0001.CR2.xmp", "IMG_0001.JPG.xmp"]),
    ("digikam", ["IMG_0001.CR2.xmp", "IMG_0001.JPG.xmp"]),
])
def test_export_names_sidecars_of_a_pair_as_the_style_expects(cli, tmp_path, style, written):
    raw, jpeg = make_pair(tmp_path)
    before = {raw: sha256(raw), jpeg: sha256(jpeg)}
    cli("scan", tmp_path)
    cli("tag", raw, "--add", "Places|Italy|Rome", "--add", "sea")
    code, out = cli("export", raw, "--style", style, "--json")
    assert code == 0, out
    assert sorted(os.path.basename(r["file"]) for r in json.loads(out)) == written
    assert sorted(p.name for p in tmp_path.glob("*.xmp")) == written
    for name in written:  # as the other tools read them
        assert exif_keywords(tmp_path / name) == ["Italy", "Places", "Rome", "sea"]
        assert exif_keywords(tmp_path / name, "-XMP-lr:HierarchicalSubject") == ["Places|Italy|Rome", "sea"]
    assert {p: sha256(p) for p in before} == before  # without --embed, no photo is written
    cli("scan", tmp_path)
    assert photos(cli)["IMG_0001.CR2"]["tags"] == ["Places|Italy|Rome", "sea"]


def test_an_existing_darktable_sidecar_is_read_and_updated_where_it_is(cli, tmp_path):
    raw = make_dng(tmp_path / "IMG_0002.NEF")
    exiftool("-o", tmp_path / "IMG_0002.NEF.xmp", "-XMP-dc:Subject=street", "-XMP-xmp:Rating=4",
             tmp_path / "IMG_0002.NEF")
    cli("scan", tmp_path)
    assert photos(cli)["IMG_0002.NEF"]["tags"] == ["street"]
    cli("tag", raw, "--add", "night")
    assert cli("export", raw)[0] == 0  # lightroom style, but the sidecar exists already
    assert sorted(p.name for p in tmp_path.glob("*.xmp")) == ["IMG_0002.NEF.xmp"]
    assert exif_keywords(tmp_path / "IMG_0002.NEF.xmp") == ["night", "street"]
    assert exif_keywords(tmp_path / "IMG_0002.NEF.xmp", "-XMP-xmp:Rating") == [4]


def test_embedding_into_a_pair_writes_the_jpeg_and_the_sidecars_of_the_style(cli, tmp_path):
    raw, jpeg = make_pair(tmp_path)
    raw_bytes = sha256(raw)
    cli("scan", tmp_path)
    cli("tag", raw, "--add", "sea")
    code, out = cli("export", raw, "--embed", "--style", "darktable", "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert sorted(os.path.basename(r["file"]) for r in rows) == ["IMG_0001.CR2.xmp", "IMG_0001.JPG", "IMG_0001.JPG.xmp"]
    assert any("never writes" in note for r in rows for note in r["notes"])
    assert exif_keywords(jpeg) == ["sea"] and exif_keywords(tmp_path / "IMG_0001.CR2.xmp") == ["sea"]
    assert sha256(raw) == raw_bytes
    with Image.open(BytesIO(jpeg.read_bytes())) as image:
        image.load()  # still a JPEG that decodes


def test_a_pair_whose_jpeg_is_broken_takes_pixels_from_its_raw_and_stays_taggable(cli, tmp_path):
    raw, jpeg = make_pair(tmp_path)
    cli("scan", tmp_path)
    jpeg.write_bytes(jpeg.read_bytes()[:300])  # the JPEG cut short after the scan
    assert cli("index")[0] == 0
    photo = photos(cli)["IMG_0001.CR2"]
    assert photo["status"] in ("ok", "warning")  # not an error: the RAW's own preview stood in
    assert cli("tag", raw, "--add", "sea")[0] == 0
    code, out = cli("export", raw)  # the JPEG's own keywords cannot be read: nothing is written
    assert code == 2 and "not all of its keywords could be read" in out and not list(tmp_path.glob("*.xmp"))


STRESS = """
import sys, threading
from pathlib import Path
from tagassist.library import raw
from tagassist.library.keyword_export import render
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix.lower() != ".md")
def work(n):  # every thread starts at once, on a fresh process: where the races were
    for f in files[n:] + files[:n]:
        try:
            raw.read_metadata(f)
        except raw.ImageProblem:
            pass
    raw.open_pixels(files[n], 256) if files[n].suffix == ".dng" else None
    render(str(files[n]) + ".xmp", None, ("sea", "Places|Italy|Rome"))
threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print("ok")
"""


def test_reading_raw_files_from_many_threads_at_once_does_not_crash(tmp_path):
    # libexiv2 initialises its XMP toolkit and maker-note parsers on first use and its XMP
    # toolkit is not reentrant: parallel scan workers crashed the process (a segfault, about
    # one scan in three on a Nikon file) before every use of exiv2 took one lock.
    library = tmp_path / "raw"
    shutil.copytree(need_shared("photos", "raw-samples"), library)
    for i in range(4):
        make_dng(library / f"{i}.dng", "beach", i, (240, 160), xmp=xmp_packet(["beach", "Places|Italy|Rome"]))
    for _ in range(8):
        done = subprocess.run([sys.executable, "-c", STRESS, str(library)], capture_output=True, text=True, cwd=REPO)
        assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr[-2000:])
