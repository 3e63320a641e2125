"""Keyword write-back, checked against exiftool (the reference reader)."""

import json
import os
import stat
import subprocess

import pytest

from tagassist.cli import main
from tests.conftest import need_tool


def exiftool_json(path, *tags):
    out = subprocess.run([need_tool("exiftool"), "-j", "-struct", *tags, str(path)], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)[0]


def as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.fixture
def library(tmp_path, sample_copy, capsys):
    db = tmp_path / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(sample_copy)]) == 0
    capsys.readouterr()
    return db, sample_copy


def run(capsys, db, *args):
    code = main(["--db", str(db), *map(str, args)])
    return code, capsys.readouterr()


def test_export_writes_what_exiftool_reads_back(capsys, library):
    db, lib = library
    photo = lib / "2025-01 Alps" / "DSCF1403.jpg"  # untagged, no sidecar yet
    run(capsys, db, "tag", photo, "--add", "Places|Germany|Zugspitze", "snow", "Gipfelkreuz")
    code, _ = run(capsys, db, "export", photo)  # where Lightroom reads a JPEG's keywords: inside it
    assert code == 0 and not (lib / "2025-01 Alps" / "DSCF1403.xmp").exists()
    data = exiftool_json(photo, "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject")
    assert sorted(as_list(data["Subject"])) == ["Germany", "Gipfelkreuz", "Places", "Zugspitze", "snow"]
    assert sorted(as_list(data["HierarchicalSubject"])) == ["Gipfelkreuz", "Places|Germany|Zugspitze", "snow"]
    # and a library that starts from these files imports the same keywords
    fresh = db.parent / "fresh.sqlite"
    assert run(capsys, fresh, "scan", lib)[0] == 0
    _, out = run(capsys, fresh, "tags", photo, "--json")
    assert sorted(t["tag"] for t in json.loads(out.out)["tags"]) == ["Gipfelkreuz", "Places|Germany|Zugspitze", "snow"]


def test_unrelated_xmp_written_by_exiftool_survives_an_export(capsys, library):
    db, lib = library
    photo = lib / "2024-05 Rome" / "DSCF1003.jpg"
    sidecar = lib / "2024-05 Rome" / "DSCF1003.xmp"
    subprocess.run([need_tool("exiftool"), "-q", "-overwrite_original", "-XMP-xmp:Rating=5", "-XMP-xmp:Label=Red",
                    "-XMP-crs:Exposure2012=+0.35", "-XMP-crs:Temperature=5400", "-XMP-dc:Title=Piazza",
                    "-XMP-photoshop:City=Roma", str(sidecar)], check=True)
    unrelated = ["-XMP-xmp:Rating", "-XMP-xmp:Label", "-XMP-crs:Exposure2012", "-XMP-crs:Temperature",
                 "-XMP-dc:Title", "-XMP-photoshop:City"]
    before = exiftool_json(sidecar, *unrelated)
    run(capsys, db, "scan", lib)
    run(capsys, db, "tag", photo, "--add", "fountain", "--remove", "street")
    assert run(capsys, db, "export", photo)[0] == 0
    assert exiftool_json(sidecar, *unrelated) == before
    subjects = as_list(exiftool_json(sidecar, "-XMP-dc:Subject")["Subject"])
    assert "fountain" in subjects and "street" not in subjects
    assert not list(sidecar.parent.glob("*.bak")) and not list(sidecar.parent.glob(".*.tmp"))  # nothing beside it


def test_existing_digikam_sidecar_is_updated_not_duplicated(capsys, library):
    db, lib = library
    photo = lib / "2024-08 Home" / "IMG1200.jpg"
    run(capsys, db, "tag", photo, "--add", "sofa")
    run(capsys, db, "export", photo)
    assert not (lib / "2024-08 Home" / "IMG1200.xmp").exists()
    assert "sofa" in as_list(exiftool_json(lib / "2024-08 Home" / "IMG1200.jpg.xmp", "-XMP-dc:Subject")["Subject"])


def test_dry_run_and_read_only_files_change_nothing(capsys, library):
    db, lib = library
    photo = lib / "2024-05 Rome" / "DSCF1000.jpg"
    sidecar = lib / "2024-05 Rome" / "DSCF1000.xmp"
    original = sidecar.read_bytes()
    run(capsys, db, "tag", photo, "--add", "Colosseum")
    code, out = run(capsys, db, "export", photo, "--dry-run")
    assert code == 0 and "would write" in out.out and "+Colosseum" in out.out
    assert sidecar.read_bytes() == original
    os.chmod(sidecar, stat.S_IRUSR | stat.S_IRGRP)
    try:
        code, out = run(capsys, db, "export", photo)
    finally:
        os.chmod(sidecar, stat.S_IRUSR | stat.S_IWUSR)
    assert code == 2 and "read-only" in out.out
    assert sidecar.read_bytes() == original
    photo_bytes = photo.read_bytes()
    os.chmod(photo, stat.S_IRUSR | stat.S_IRGRP)
    try:
        code, out = run(capsys, db, "export", photo, "--embed")
    finally:
        os.chmod(photo, stat.S_IRUSR | stat.S_IWUSR)
    failed = next(line for line in out.out.splitlines() if line.startswith("failed: "))
    assert code == 2 and failed.count("DSCF1000.jpg") == 1, failed  # not 'PHOTO: PHOTO is read-only'
    assert photo.read_bytes() == photo_bytes


def test_embedding_never_reencodes_the_image(capsys, library):
    db, lib = library
    photo = lib / "2024-10 Black Forest" / "DSCF1306.jpg"
    before = photo.read_bytes()
    scan_data = before[before.index(b"\xff\xda"):]  # from start-of-scan to the end: the image itself
    run(capsys, db, "tag", photo, "--add", "mushrooms")
    assert run(capsys, db, "export", photo, "--embed")[0] == 0
    after = photo.read_bytes()
    assert after[after.index(b"\xff\xda"):] == scan_data
    assert "mushrooms" in as_list(exiftool_json(photo, "-XMP-dc:Subject")["Subject"])
    assert run(capsys, db, "export", "--undo")[0] == 0
    assert photo.read_bytes() == before  # the journal kept the original, byte for byte
