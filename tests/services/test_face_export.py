"""Export writes the faces she named (issue 27, 5): MWG face regions and PersonInImage, three-way,
into the files the keywords go to, through the CLI she types, read back with exiftool: the
regions Lightroom or digiKam wrote stay, a renamed face replaces only ours, undo gives the bytes
back, and a killed export leaves nothing it cannot undo."""

import json
import os
import subprocess
from datetime import datetime

import numpy as np

from photosim.dng import save_dng
from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tagassist.records import FaceBox
from tagassist.services.library import open_library, set_library_option
from tagassist.store.faces import Detected
from tests.conftest import need_tool
from tests.support.kills import export_killed_after_writing

ANNA = FaceBox(0.1, 0.2, 0.25, 0.3)  # on the displayed photo, 96 x 64
# Lightroom's (or digiKam's) region of another face: MWG areas are centred.
OTHER = "{{Area={{X=0.8,Y=0.5,W=0.2,H=0.3,Unit=normalized}},Name={name},Type=Face}}"


def exiftool(*args):
    subprocess.run([need_tool("exiftool"), "-q", "-m", "-overwrite_original", *map(os.fspath, args)], check=True)


def regions(path):
    """(name, (x, y, w, h) of the MWG area, centred) of each region exiftool reads, and PersonInImage."""
    out = subprocess.run([need_tool("exiftool"), "-j", "-struct", "-RegionInfo", "-PersonInImage", os.fspath(path)],
                         capture_output=True, check=True).stdout
    found = json.loads(out)[0]
    listed = found.get("RegionInfo", {}).get("RegionList", [])
    persons = found.get("PersonInImage", [])
    return (sorted((r.get("Name"), tuple(round(float(r["Area"][k]), 4) for k in "XYWH")) for r in listed),
            sorted(persons if isinstance(persons, list) else [persons]))


def make_photo(path, other=None, *, sidecar=True, orientation=1):
    """A JPEG with the keyword 'beach' in a sidecar (or inside), and another tool's named face there."""
    save_jpeg(render("beach", 3, (96, 64)), path, Shot(taken_at=datetime(2024, 7, 1, 10, 0), orientation=orientation))
    tags = ["-XMP-dc:Subject=beach"]
    if other:
        tags += [f"-XMP-mwg-rs:RegionInfo={{AppliedToDimensions={{W=96,H=64,Unit=pixel}},"
                 f"RegionList=[{OTHER.format(name=other)}]}}"]
    if sidecar:
        exiftool("-o", path.with_suffix(".xmp"), *tags, path)
    else:
        exiftool(*tags, path)
    return path


def name_face(cli, photo, keyword, box=ANNA, profile="default"):
    """A face the detector found on the photo, named ``keyword`` by her (as `people name` does)."""
    with open_library(cli.db) as store:
        found = store.photos.by_path(photo)
        faces = store.faces.of_photos(store.profiles.get(profile), [found.id])[found.id]
        face = next((f for f in faces if f.box == box), None)
        if face is None:
            store.faces.put_detected(found.id, found.content_hash, "test",
                                     [*(Detected(f.box, 0.9, np.ones(128, np.float32)) for f in faces),
                                      Detected(box, 0.9, np.ones(128, np.float32))])
            faces = store.faces.of_photos(store.profiles.get(profile), [found.id])[found.id]
            face = next(f for f in faces if f.box == box)
        store.faces.name(store.profiles.get(profile), [face.id], keyword)


ANNA_AREA = (0.225, 0.35, 0.25, 0.3)
OTHER_AREA = (0.8, 0.5, 0.2, 0.3)


def assert_faces(path, ours, others=(), scanned=()):
    """The file's regions are ``ours`` ({name: area}) and the other tools' (``others``, names,
    at OTHER_AREA); PersonInImage names ours, and may name the others too: where the scan named
    a face from another tool's region, that name is hers (``scanned``: regions of hers the file
    may hold for that reason)."""
    found, persons = regions(path)
    found = dict(found)
    assert {n: a for n, a in found.items() if n not in scanned} == {**ours, **{n: OTHER_AREA for n in others}}
    assert all(found[n] == OTHER_AREA for n in scanned if n in found)
    assert set(ours) <= set(persons) <= set(ours) | set(others) | set(scanned)


def test_export_writes_her_named_faces_beside_other_tools_and_undo_gives_the_bytes_back(cli, tmp_path):
    with_sidecar = make_photo(tmp_path / "p1.jpg", "Ben")
    inside = make_photo(tmp_path / "p2.jpg", "Carla", sidecar=False)
    originals = {p: p.read_bytes() for p in (tmp_path / "p1.xmp", inside)}
    assert cli("scan", tmp_path)[0] == 0
    name_face(cli, with_sidecar, "People|Anna")
    name_face(cli, inside, "People|Anna")

    code, out = cli("export", "--all", "--dry-run")
    assert code == 0 and "2 file(s) would change" in out and "+face:Anna" in out, out
    assert {p: p.read_bytes() for p in originals} == originals
    code, out = cli("export", "--all")  # no keyword moved: the faces alone are a change
    assert code == 0 and "2 file(s) written" in out, out
    # Lightroom's and digiKam's regions stay as they wrote them
    assert_faces(tmp_path / "p1.xmp", {"Anna": ANNA_AREA}, ["Ben"])
    assert_faces(inside, {"Anna": ANNA_AREA}, ["Carla"])
    first = {p: p.read_bytes() for p in originals}
    code, out = cli("export", "--all")
    assert code == 0 and "0 file(s) written, 2 already up to date" in out, out

    name_face(cli, with_sidecar, "People|Anne")  # renamed in tagassist: ours alone is replaced
    name_face(cli, inside, "People|Anne")
    code, out = cli("export", "--all")
    assert code == 0 and "2 file(s) written" in out and "+face:Anne" in out and "-face:Anna" in out, out
    assert_faces(tmp_path / "p1.xmp", {"Anne": ANNA_AREA}, ["Ben"])
    assert_faces(inside, {"Anne": ANNA_AREA}, ["Carla"])
    code, out = cli("tags", inside, "--json")
    assert [t["tag"] for t in json.loads(out)["tags"]] == ["beach"]  # the keywords as they were

    assert cli("export", "--undo")[0] == 0
    assert {p: p.read_bytes() for p in originals} == first
    assert cli("export", "--undo")[0] == 0
    assert {p: p.read_bytes() for p in originals} == originals
    code, out = cli("export", "--all")  # undone: tagassist wrote nothing there, so it writes them again
    assert code == 0 and "2 file(s) written" in out, out
    assert_faces(tmp_path / "p1.xmp", {"Anne": ANNA_AREA}, ["Ben"])


def test_embed_writes_the_faces_inside_the_jpeg_too(cli, tmp_path):
    photo = make_photo(tmp_path / "e.jpg", "Ben")
    before = photo.read_bytes()
    cli("scan", tmp_path)
    name_face(cli, photo, "Family|Anna Müller")
    code, out = cli("export", photo, "--embed")
    assert code == 0 and "2 file(s) written" in out, out
    assert_faces(tmp_path / "e.xmp", {"Anna Müller": ANNA_AREA}, ["Ben"])
    assert_faces(photo, {"Anna Müller": ANNA_AREA}, scanned=["Ben"])  # it had no region
    assert cli("export", "--undo")[0] == 0
    assert photo.read_bytes() == before


def test_a_turned_photos_region_is_on_the_stored_image_as_mwg_says(cli, tmp_path):
    """Orientation 6: stored 96 x 64, shown 64 x 96 turned a quarter clockwise; the box she sees
    is written on the stored image, with the stored size as AppliedToDimensions."""
    photo = make_photo(tmp_path / "t.jpg", orientation=6)
    cli("scan", tmp_path)
    name_face(cli, photo, "People|Anna")
    assert cli("export", "--all")[0] == 0
    assert_faces(tmp_path / "t.xmp", {"Anna": (0.35, 0.775, 0.3, 0.25)})
    out = subprocess.run([need_tool("exiftool"), "-j", "-struct", "-RegionInfo", os.fspath(tmp_path / "t.xmp")],
                         capture_output=True, check=True).stdout
    assert json.loads(out)[0]["RegionInfo"]["AppliedToDimensions"] == {"W": 96, "H": 64, "Unit": "pixel"}


def test_a_raw_files_faces_go_to_its_sidecar_and_the_raw_is_never_written(cli, tmp_path):
    raw = tmp_path / "r.dng"
    save_dng(render("beach", 3, (96, 64)), raw, Shot(taken_at=datetime(2024, 7, 1, 10, 0)))
    before = raw.read_bytes()
    cli("scan", tmp_path)
    name_face(cli, raw, "People|Anna")
    code, out = cli("export", "--all", "--embed")
    assert code == 0 and "1 file(s) written" in out, out
    assert_faces(tmp_path / "r.dng.xmp", {"Anna": ANNA_AREA})  # where tagassist writes a DNG's keywords
    assert raw.read_bytes() == before
    assert cli("export", "--undo")[0] == 0
    assert not (tmp_path / "r.dng.xmp").exists()


def test_a_face_removed_in_another_tool_is_not_written_back(cli, tmp_path):
    photo = make_photo(tmp_path / "r.jpg", "Ben")
    cli("scan", tmp_path)
    name_face(cli, photo, "People|Anna")
    cli("export", "--all")
    # Lightroom: Anna's region and name deleted, Ben's kept
    exiftool(f"-XMP-mwg-rs:RegionInfo={{AppliedToDimensions={{W=96,H=64,Unit=pixel}},"
             f"RegionList=[{OTHER.format(name='Ben')}]}}", "-XMP-iptcExt:PersonInImage=", tmp_path / "r.xmp")
    cli("scan", tmp_path)
    for _ in range(2):  # and not at the next export either
        code, out = cli("export", "--all")
        assert code == 0 and "removed in another tool; not written back" in out, out
        assert_faces(tmp_path / "r.xmp", {}, ["Ben"])
        assert regions(tmp_path / "r.xmp")[1] == []


def test_another_photographers_export_keeps_the_faces_this_one_wrote(cli, tmp_path):
    photo = make_photo(tmp_path / "m.jpg")
    cli("scan", tmp_path)
    name_face(cli, photo, "People|Anna")
    cli("export", "--all")
    cli("tag", photo, "--add", "sea", profile="bob")
    assert cli("export", "--all", profile="bob")[0] == 0
    assert_faces(tmp_path / "m.xmp", {"Anna": ANNA_AREA})


def test_a_scan_reading_back_what_the_export_wrote_names_no_face(cli, tmp_path):
    """Her unnaming stands, and another photographer does not adopt her names, though the
    files still hold the region tagassist wrote until the next export."""
    photo = make_photo(tmp_path / "u.jpg")
    cli("scan", tmp_path)
    name_face(cli, photo, "People|Anna")
    cli("export", "--all")
    with open_library(cli.db) as store:
        found = store.photos.by_path(photo)
        [face] = store.faces.of_photos(store.profiles.get("default"), [found.id])[found.id]
        store.faces.unname(store.profiles.get("default"), [face.id])
    os.utime(photo, ns=(os.stat(photo).st_atime_ns, os.stat(photo).st_mtime_ns + 10**9))  # read again
    assert cli("scan", tmp_path)[0] == 0
    assert cli("scan", tmp_path, profile="bob")[0] == 0
    with open_library(cli.db) as store:
        for profile in ("default", "bob"):
            [face] = store.faces.of_photos(store.profiles.get(profile), [found.id])[found.id]
            assert face.region_name == "Anna" and face.name is None, profile
    code, out = cli("export", "--all")
    assert code == 0 and "-face:Anna" in out, out
    assert_faces(tmp_path / "u.xmp", {})


def test_the_library_can_leave_faces_out_of_the_files(cli, tmp_path):
    photo = make_photo(tmp_path / "o.jpg", "Ben")
    sidecar = (tmp_path / "o.xmp").read_bytes()
    cli("scan", tmp_path)
    name_face(cli, photo, "People|Anna")
    with open_library(cli.db) as store:
        set_library_option(store, "write_faces", "off")
    code, out = cli("export", "--all")
    assert code == 0 and "0 file(s) written" in out, out
    assert (tmp_path / "o.xmp").read_bytes() == sidecar


def test_faces_a_killed_export_wrote_are_undone_or_taken_as_ours(cli, tmp_path, monkeypatch):
    photo = make_photo(tmp_path / "k.jpg", "Carla", sidecar=False)
    original = photo.read_bytes()
    cli("scan", tmp_path)
    name_face(cli, photo, "People|Anna")
    export_killed_after_writing(cli, monkeypatch, "--all")
    assert_faces(photo, {"Anna": ANNA_AREA}, ["Carla"])
    name_face(cli, photo, "People|Anne")  # the killed export's faces are tagassist's: renamed, replaced
    code, out = cli("export", "--all")
    assert code == 0 and "1 file(s) written" in out, out
    assert_faces(photo, {"Anne": ANNA_AREA}, ["Carla"])
    for _ in range(2):
        code, out = cli("export", "--undo")
        assert code == 0 and "1 file(s) restored" in out, out
    assert photo.read_bytes() == original
