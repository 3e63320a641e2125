"""Never lose a keyword, round two: the layouts real libraries have.

Each test is one way keywords were lost or files damaged in a library tagassist did not make
(issue 21), through the CLI a photographer uses, with exiftool as the other tool and as the
reference reader. RAW files are ExifTool's own test images in ../shared/photos/raw-samples.
"""

import errno
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tagassist.library import keyword_export
from tagassist.services import export as export_service
from tests.library.test_keyword_sync import exif_keywords, exiftool, history, make_photo
from tests.support.kills import Killed, export_killed_after_writing

RAW_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "photos" / "raw-samples"


def raw_sample(name, to):
    source = RAW_SAMPLES / name
    if not source.exists():
        pytest.skip(f"{source} is not here")
    shutil.copyfile(source, to)
    return to


def xmp(path, *keywords, tag="XMP-dc:Subject"):
    """A sidecar another tool wrote."""
    exiftool("-o", path, *[f"-{tag}={k}" for k in keywords], make_photo(path.with_name("_src.jpg")))
    os.unlink(path.with_name("_src.jpg"))
    return path


def test_names_that_differ_only_in_case_keep_their_own_keywords(cli, tmp_path):
    upper = make_photo(tmp_path / "IMG_0001.JPG")
    lower = make_photo(tmp_path / "img_0001.jpg")
    xmp(tmp_path / "IMG_0001.xmp", "fromUpperSidecar")
    xmp(tmp_path / "img_0001.xmp", "fromLowerSidecar")
    cli("scan", tmp_path)
    assert history(cli, upper) == ["fromUpperSidecar"]
    assert history(cli, lower) == ["fromLowerSidecar"]
    cli("tag", upper, "--add", "upperOnly")
    assert cli("export", "--all")[0] == 0
    assert exif_keywords(tmp_path / "img_0001.xmp") == ["fromLowerSidecar"]
    assert exif_keywords(tmp_path / "IMG_0001.xmp") == ["fromUpperSidecar", "upperOnly"]


def test_a_sidecar_named_in_another_case_is_still_its_photos_when_no_other_photo_fits(cli, tmp_path):
    photo = make_photo(tmp_path / "DSC_0007.JPG")  # a library copied from Windows
    xmp(tmp_path / "dsc_0007.XMP", "copied")
    cli("scan", tmp_path)
    assert history(cli, photo) == ["copied"]


def test_photos_with_one_stem_do_not_share_a_sidecar(cli, tmp_path):
    jpeg = make_photo(tmp_path / "IMG_5.jpg")
    png = tmp_path / "IMG_5.png"
    from PIL import Image

    Image.new("RGB", (64, 48), "red").save(png)
    cli("scan", tmp_path)
    cli("tag", jpeg, "--add", "forJpg")
    cli("tag", png, "--add", "forPng")
    for style in ("auto", "lightroom", "darktable"):
        assert cli("export", "--all", "--style", style)[0] == 0
        cli("scan", tmp_path)
        assert history(cli, png) == ["forPng"] and history(cli, jpeg) == ["forJpg"]
    assert not (tmp_path / "IMG_5.xmp").exists()
    cli("tag", png, "--remove", "forPng")
    cli("export", "--all")
    cli("scan", tmp_path)
    assert history(cli, jpeg) == ["forJpg"] and exif_keywords(jpeg) == ["forJpg"]


def test_canon_raws_with_one_stem_keep_apart(cli, tmp_path):
    cr2 = raw_sample("CanonRaw.cr2", tmp_path / "CanonRaw.cr2")
    cr3 = raw_sample("CanonRaw.cr3", tmp_path / "CanonRaw.cr3")
    crw = raw_sample("CanonRaw.crw", tmp_path / "CanonRaw.crw")
    cli("scan", tmp_path)
    cli("tag", cr2, cr3, "--add", "canon")
    assert cli("export", "--all")[0] == 0
    assert not (tmp_path / "CanonRaw.xmp").exists()  # Lightroom's name would be read for all three
    cli("scan", tmp_path)
    assert history(cli, crw) == []
    cli("tag", cr2, "--remove", "canon")
    cli("export", "--all")
    cli("scan", tmp_path)
    assert history(cli, cr3) == ["canon"] and history(cli, cr2) == []


def test_an_existing_lightroom_sidecar_of_two_raws_is_read_by_neither_and_reported(cli, tmp_path):
    raw_sample("CanonRaw.cr2", tmp_path / "x.cr2")
    raw_sample("CanonRaw.cr3", tmp_path / "x.cr3")
    xmp(tmp_path / "x.xmp", "whose")
    code, out = cli("scan", tmp_path)
    assert "x.xmp" in out and "x.cr2" in out and "x.cr3" in out
    assert history(cli, tmp_path / "x.cr2") == [] and history(cli, tmp_path / "x.cr3") == []


def test_a_png_a_raw_and_a_dng_with_one_stem(cli, tmp_path):
    from PIL import Image

    png = tmp_path / "x.png"
    Image.new("RGB", (64, 48), "blue").save(png)
    cr2 = raw_sample("CanonRaw.cr2", tmp_path / "x.cr2")
    dng = raw_sample("DNG.dng", tmp_path / "x.dng")
    cli("scan", tmp_path)
    cli("tag", png, "--add", "forPng")
    cli("tag", cr2, "--add", "forCr2")
    assert cli("export", "--all")[0] == 0
    cli("scan", tmp_path)
    assert history(cli, png) == ["forPng"] and history(cli, cr2) == ["forCr2"] and history(cli, dng) == []
    assert exif_keywords(tmp_path / "x.xmp") == ["forCr2"]  # Lightroom's sidecar of the one proprietary RAW


def test_a_flat_keyword_of_another_tool_survives_a_hierarchy_that_contains_it(cli, tmp_path, capsys):
    photo = make_photo(tmp_path / "rome.jpg", "Italy")
    cli("scan", "--no-import", tmp_path)
    cli("tag", photo, "--add", "Places|Italy|Rome")
    cli("export", photo)
    from tagassist.cli import main

    fresh = tmp_path / "elsewhere.sqlite"  # another library reading the file: Italy is a keyword of its own
    main(["--db", str(fresh), "scan", str(tmp_path)])
    main(["--db", str(fresh), "tags", str(photo)])
    assert "Italy\timported" in capsys.readouterr().out
    cli("tag", photo, "--remove", "Places|Italy|Rome")
    cli("export", photo)
    assert exif_keywords(tmp_path / "rome.xmp") == ["Italy"]


def test_a_scan_running_during_an_export_keeps_what_the_export_wrote(cli, tmp_path, monkeypatch):
    photo = make_photo(tmp_path / "p.jpg", "beach")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "typedByB", profile="b")
    from tagassist.library import scanner

    read_photo = scanner.read_photo

    def read_then_export(*args, **kwargs):  # the scan has read the files; B's export runs now
        photo_read = read_photo(*args, **kwargs)
        monkeypatch.setattr(scanner, "read_photo", read_photo)
        assert cli("export", photo, profile="b")[0] == 0
        return photo_read

    monkeypatch.setattr(scanner, "read_photo", read_then_export)
    os.utime(photo, ns=(time.time_ns(), time.time_ns()))  # so that the scan reads it
    cli("scan", tmp_path)
    assert exif_keywords(tmp_path / "p.xmp") == ["beach", "typedByB"]
    assert history(cli, photo, profile="b") == ["beach", "typedByB"]
    cli("scan", tmp_path)
    assert history(cli, photo, profile="b") == ["beach", "typedByB"]


def test_an_undo_killed_half_way_loses_nothing_and_finishes_when_run_again(cli, tmp_path, monkeypatch):
    photos = [make_photo(tmp_path / f"u{i}.jpg", "old") for i in range(3)]
    cli("scan", tmp_path)
    cli("tag", *photos, "--add", "typed")
    cli("export", "--all")
    originals = {p: (tmp_path / f"{p.stem}.xmp").read_bytes() for p in photos}
    cli("tag", *photos, "--add", "typed2")
    cli("export", "--all")
    restore = export_service._restore
    calls = []

    def restore_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed  # after the history was committed, before the second file is back
        return restore(*args, **kwargs)

    monkeypatch.setattr(export_service, "_restore", restore_then_die)
    with pytest.raises(Killed):
        cli("export", "--undo")
    monkeypatch.setattr(export_service, "_restore", restore)
    cli("scan", tmp_path)
    for photo in photos:  # nothing typed was taken for a removal in another tool
        assert history(cli, photo) == ["old", "typed", "typed2"]
    code, out = cli("export", "--undo")
    assert code == 0 and "3 file(s) restored, 0 skipped" in out
    for photo in photos:
        assert (tmp_path / f"{photo.stem}.xmp").read_bytes() == originals[photo]
    cli("scan", tmp_path)
    assert all(history(cli, photo) == ["old", "typed", "typed2"] for photo in photos)


def test_a_write_killed_before_its_export_committed_can_still_be_undone(cli, tmp_path, monkeypatch):
    photo = make_photo(tmp_path / "k.jpg", "old", sidecar=False)
    original = photo.read_bytes()
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "new")
    export_killed_after_writing(cli, monkeypatch, "--all", "--embed")
    assert exif_keywords(photo) == ["new", "old"]
    code, out = cli("export", "--undo")
    assert code == 0 and "1 file(s) restored" in out, out
    assert photo.read_bytes() == original


def test_files_a_killed_export_wrote_do_not_undo_a_removal_made_afterwards(cli, tmp_path, monkeypatch):
    photo = make_photo(tmp_path / "q.jpg", "old")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "new")
    write_file, calls = export_service.write_file, []

    def second_write_dies(*args, **kwargs):
        write_file(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            raise Killed  # q.xmp and q.jpg.xmp written, nothing committed

    monkeypatch.setattr(export_service, "write_file", second_write_dies)
    with pytest.raises(Killed):
        cli("export", photo, "--style", "darktable")
    monkeypatch.setattr(export_service, "write_file", write_file)
    exiftool("-XMP-dc:Subject-=old", tmp_path / "q.xmp")  # removed in another tool
    cli("scan", tmp_path)
    assert history(cli, photo) == ["new"]
    cli("export", photo)
    assert exif_keywords(tmp_path / "q.xmp") == exif_keywords(tmp_path / "q.jpg.xmp") == ["new"]


def test_an_undo_does_not_hide_a_removal_made_in_another_file_of_the_photo(cli, tmp_path):
    photo = make_photo(tmp_path / "owl.jpg", "owl", sidecar=False)
    xmp(tmp_path / "owl.xmp", "owl")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "night")
    cli("export", photo)  # both files
    exiftool("-XMP-dc:Subject-=owl", tmp_path / "owl.xmp")  # removed in another tool
    code, out = cli("export", "--undo")
    assert "1 file(s) restored, 1 skipped" in out  # the JPEG back; the sidecar changed since
    cli("scan", tmp_path)
    assert history(cli, photo) == ["night"]


def test_after_an_undo_another_profiles_export_keeps_a_keyword_a_profile_has_again(cli, tmp_path):
    """Found by benchmarks/kill_run.py (no kill needed): the undo put the keyword back in the
    file; anna tagged it again; ben's next export took it out."""
    photo = make_photo(tmp_path / "r.jpg", "Roma2024", sidecar=False)
    cli("scan", tmp_path, profile="anna")
    cli("tag", photo, "--remove", "Roma2024", profile="anna")
    cli("tag", photo, "--add", "beach", "--remove", "Roma2024", profile="ben")
    cli("export", "--all", profile="ben")
    assert cli("export", "--undo", profile="ben")[0] == 0
    cli("tag", photo, "--add", "Roma2024", profile="anna")
    code, out = cli("export", "--all", profile="ben")
    assert exif_keywords(photo) == ["Roma2024", "beach"], out


def test_digikam_tag_list_follows_a_removal_and_a_rename(cli, tmp_path):
    photo = make_photo(tmp_path / "dk.jpg")
    sidecar = tmp_path / "dk.jpg.xmp"
    exiftool("-o", sidecar, "-XMP-digiKam:TagsList=People/Alice", "-XMP-digiKam:TagsList=Places/Rome",
             "-XMP-lr:HierarchicalSubject=People|Alice", "-XMP-lr:HierarchicalSubject=Places|Rome", photo)
    cli("scan", tmp_path)
    assert history(cli, photo) == ["People|Alice", "Places|Rome"]
    cli("tag", photo, "--remove", "People|Alice")
    cli("keywords", "rename", "Places|Rome", "Places|Italy|Rome")
    assert cli("export", photo)[0] == 0
    assert exif_keywords(sidecar, "-XMP-digiKam:TagsList") == ["Places/Italy/Rome"]
    assert not (tmp_path / "dk.xmp").exists()


def test_digikam_style_writes_its_tag_list(cli, tmp_path):
    photo = make_photo(tmp_path / "d2.jpg")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "People|Bob")
    assert cli("export", photo, "--style", "digikam")[0] == 0
    assert exif_keywords(tmp_path / "d2.jpg.xmp", "-XMP-digiKam:TagsList") == ["People/Bob"]


def test_a_raw_jpeg_pair_with_a_darktable_sidecar_keeps_one_sidecar_in_step(cli, tmp_path):
    raw = raw_sample("CanonRaw.cr2", tmp_path / "IMG_1.CR2")
    make_photo(tmp_path / "IMG_1.JPG")
    darktable = xmp(tmp_path / "IMG_1.CR2.xmp", "fromDarktable")
    cli("scan", tmp_path)
    cli("tag", raw, "--add", "typed")
    assert cli("export", "--all")[0] == 0
    assert not (tmp_path / "IMG_1.xmp").exists()
    assert exif_keywords(darktable) == ["fromDarktable", "typed"]
    exiftool("-XMP-dc:Subject-=fromDarktable", darktable)  # removed in darktable
    cli("scan", tmp_path)
    assert history(cli, raw) == ["typed"]
    cli("tag", raw, "--add", "later")
    cli("export", "--all")
    assert exif_keywords(darktable) == ["later", "typed"]


def test_a_keyword_a_profile_exported_stays_its_own(cli, tmp_path):
    photo = make_photo(tmp_path / "pr.jpg", "shared")
    cli("scan", tmp_path, profile="anna")
    cli("scan", tmp_path, profile="ben")
    cli("tag", photo, "--add", "onlyA", profile="anna")
    cli("export", photo, profile="anna")
    cli("scan", tmp_path, profile="ben")
    assert history(cli, photo, profile="ben") == ["shared"]
    cli("tag", photo, "--remove", "onlyA", profile="anna")
    code, out = cli("export", photo, profile="anna")
    assert "another profile still has it" not in out
    assert exif_keywords(tmp_path / "pr.xmp") == ["shared"]


def test_a_removal_in_one_file_is_not_undone_by_another_file_of_the_photo(cli, tmp_path):
    photo = make_photo(tmp_path / "owl.jpg", "owl", "bird", sidecar=False)
    xmp(tmp_path / "owl.xmp", "owl", "bird")
    cli("scan", tmp_path)
    exiftool("-XMP-dc:Subject-=owl", tmp_path / "owl.xmp")  # removed in another tool, in the sidecar only
    cli("scan", tmp_path)
    assert history(cli, photo) == ["bird"]
    cli("tag", photo, "--add", "night")
    cli("export", photo)
    assert exif_keywords(tmp_path / "owl.xmp") == ["bird", "night"]
    assert exif_keywords(photo) == ["bird", "night"]  # the stale copy inside the JPEG follows


def test_a_photo_replaced_after_the_scan_does_not_get_the_old_ones_keywords(cli, tmp_path):
    photo = make_photo(tmp_path / "r.jpg", "cat")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "tabby")
    from PIL import Image

    Image.new("RGB", (80, 60), "green").save(photo, "JPEG")  # another picture under the same name
    before = (tmp_path / "r.xmp").read_bytes()
    code, out = cli("export", "--all")
    assert code == 2 and "another picture since the last scan" in out and "Traceback" not in out
    assert (tmp_path / "r.xmp").read_bytes() == before


def test_a_photo_renamed_without_its_sidecar_keeps_its_keywords(cli, tmp_path):
    photo = make_photo(tmp_path / "DSCF1103.jpg", "lake", "dawn")
    cli("scan", tmp_path)
    renamed = tmp_path / "renamed-1103.jpg"
    os.rename(photo, renamed)
    code, out = cli("scan", tmp_path)
    assert "1 moved" in out and "DSCF1103.xmp" in out  # the orphaned sidecar is reported
    assert history(cli, renamed) == ["dawn", "lake"]
    assert cli("export", "--all")[0] == 0
    cli("scan", tmp_path)
    assert history(cli, renamed) == ["dawn", "lake"]
    assert exif_keywords(renamed) == ["dawn", "lake"]  # beside the photo now: inside it, where Lightroom reads


def test_jpeg_keywords_go_where_lightroom_reads_them_and_unchanged_photos_are_untouched(cli, tmp_path):
    tagged = make_photo(tmp_path / "t.jpg")
    untouched = make_photo(tmp_path / "u.jpg", "kept", sidecar=False)
    cli("scan", tmp_path)
    cli("tag", tagged, "--add", "sunset")
    stamp = os.stat(untouched).st_mtime_ns
    assert cli("export", "--all")[0] == 0
    assert exif_keywords(tagged) == ["sunset"] and exif_keywords(tagged, "-IPTC:Keywords") == []
    assert not (tmp_path / "t.xmp").exists() and not (tmp_path / "u.xmp").exists()
    assert os.stat(untouched).st_mtime_ns == stamp
    raw = raw_sample("CanonRaw.cr2", tmp_path / "c.cr2")
    cli("scan", tmp_path)
    cli("tag", raw, "--add", "canon")
    cli("export", raw, "--style", "lightroom")
    assert exif_keywords(tmp_path / "c.xmp") == ["canon"]


def test_a_new_sidecar_starts_with_the_photos_rating_and_label(cli, tmp_path):
    photo = make_photo(tmp_path / "rt.jpg")
    exiftool("-XMP-xmp:Rating=4", "-XMP-xmp:Label=Red", photo)
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "star")
    cli("export", photo, "--style", "darktable")
    assert exif_keywords(tmp_path / "rt.jpg.xmp", "-XMP-xmp:Rating") == [4]
    assert exif_keywords(tmp_path / "rt.jpg.xmp", "-XMP-xmp:Label") == ["Red"]


# -- never outside the library ---------------------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """(a library folder, a folder beside it, a file there that must never change)."""
    library, elsewhere = tmp_path / "lib", tmp_path / "outside"
    library.mkdir()
    elsewhere.mkdir()
    secret = elsewhere / "x.conf"
    secret.write_text("keep me\n")
    return library, elsewhere, secret


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_nothing_outside_the_scanned_folders_is_written_or_scanned(cli, outside):
    library, outside, secret = outside
    make_photo(outside / "far.jpg", "far")
    photo = make_photo(library / "s.jpg")
    os.symlink(secret, library / "s.xmp")  # a sidecar that leads outside
    os.symlink(outside, library / "linked")  # a folder that does
    os.symlink("..", library / "loop")  # and a loop up to the parent
    code, out = cli("scan", library)
    assert "outside the scanned folders" in out and "Traceback" not in out
    code, out = cli("photos", "--json")
    assert [Path(p["path"]).name for p in json.loads(out)] == ["s.jpg"]
    cli("tag", photo, "--add", "mine")
    code, out = cli("export", "--all", "--style", "darktable")
    assert code == 0 and exif_keywords(library / "s.jpg.xmp") == ["mine"]
    cli("tag", photo, "--add", "more")
    code, out = cli("export", "--all", "--style", "lightroom")
    assert code == 0 and "s.xmp leads outside the library" in out and exif_keywords(photo) == ["mine", "more"]
    assert secret.read_text() == "keep me\n" and sorted(os.listdir(outside)) == ["far.jpg", "far.xmp", "x.conf"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_sidecar_link_out_of_the_library_is_refused_in_one_line(cli, outside):
    library, _, secret = outside
    photo = make_photo(library / "s.jpg", "old")
    cli("scan", library)
    (library / "s.xmp").unlink()
    os.symlink(secret, library / "s.xmp")  # swapped in after the scan
    cli("tag", photo, "--add", "mine")
    for style in ("auto", "lightroom"):
        code, out = cli("export", "--all", "--style", style)
        assert "s.xmp leads outside the library" in out and "Traceback" not in out
    assert secret.read_text() == "keep me\n" and exif_keywords(photo) == ["mine", "old"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_embedding_into_a_linked_jpeg_outside_the_library_is_refused(cli, outside):
    library, outside, _ = outside
    target = make_photo(outside / "t.jpg")
    before = target.read_bytes()
    os.symlink(target, library / "t.jpg")
    cli("scan", library)
    cli("tag", library / "t.jpg", "--add", "x")
    code, out = cli("export", "--all", "--embed")
    assert target.read_bytes() == before and "Traceback" not in out


# -- writes that fail --------------------------------------------------------------------------------

@pytest.mark.skipif(os.name == "nt", reason="hard links")
def test_a_full_disk_leaves_a_hard_linked_jpeg_whole(cli, tmp_path, monkeypatch):
    photo = make_photo(tmp_path / "k.jpg", "old", sidecar=False)
    os.link(photo, tmp_path / "k-link.jpg")
    original = photo.read_bytes()
    cli("scan", tmp_path)
    cli("tag", photo, "--add", *[f"keyword{i}" for i in range(300)])

    class FullDisk:
        f_bavail, f_frsize = 10, 4096

    monkeypatch.setattr(keyword_export.os, "statvfs", lambda path: FullDisk)
    code, out = cli("export", photo, "--embed")
    assert code == 2 and "free space" in out and "Traceback" not in out
    assert photo.read_bytes() == original
    monkeypatch.undo()

    real_open = open

    class FillsUp:
        """A file whose write runs out of space half way, as a disk filling meanwhile does."""

        def __init__(self, f):
            self.f, self.failed = f, False

        def write(self, data):
            if not self.failed:
                self.failed = True
                self.f.write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

    monkeypatch.setattr(keyword_export, "open", lambda p, mode="r", *a: FillsUp(real_open(p, mode, *a))
                        if mode == "r+b" else real_open(p, mode, *a), raising=False)
    code, out = cli("export", photo, "--embed")
    assert code == 2 and "No space left" in out
    assert photo.read_bytes() == original and (tmp_path / "k-link.jpg").read_bytes() == original
    monkeypatch.undo()
    assert "No exports yet" in cli("export", "--history")[1] or "no exports yet" in cli("export", "--history")[1]
    assert cli("export", photo, "--embed")[0] == 0  # with room again, it works, links kept
    assert os.stat(photo).st_nlink == 2 and "keyword7" in exif_keywords(tmp_path / "k-link.jpg")


def test_a_file_name_of_255_bytes_exports(cli, tmp_path):
    photo = make_photo(tmp_path / ("n" * 251 + ".jpg"))
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "long")
    code, out = cli("export", "--all", "--style", "darktable")  # its sidecar's name cannot exist
    assert code == 2 and "failed" in out and "Traceback" not in out
    code, out = cli("export", "--all")
    assert code == 0 and exif_keywords(photo) == ["long"]


def test_a_sidecar_larger_than_scan_reads_is_not_written(cli, tmp_path, monkeypatch):
    photo = make_photo(tmp_path / "big.jpg", "a")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "b" * 5000)
    monkeypatch.setattr(keyword_export, "MAX_XMP_BYTES", 4096)
    before = (tmp_path / "big.xmp").read_bytes()
    code, out = cli("export", photo)
    assert code == 2 and "larger than tagassist reads" in out
    assert (tmp_path / "big.xmp").read_bytes() == before


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_read_only_folder_is_not_written_even_by_root(cli, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    photo = make_photo(folder / "p.jpg")
    cli("scan", folder)
    cli("tag", photo, "--add", "x")
    before = photo.read_bytes()
    folder.chmod(0o555)
    try:
        code, out = cli("export", "--all", "--style", "darktable")
        assert code == 2 and "not writable" in out and not (folder / "p.jpg.xmp").exists()
        code, out = cli("export", "--all")
        assert photo.read_bytes() == before
    finally:
        folder.chmod(0o755)


def test_a_keyword_with_a_control_character_from_a_file_converges(cli, tmp_path):
    photo = make_photo(tmp_path / "c.jpg")
    (tmp_path / "c.xmp").write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
        "<rdf:li>tab&#9;bed</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "more")
    assert cli("export", photo)[0] == 0
    cli("scan", tmp_path)
    assert history(cli, photo) == ["more", "tab bed"]
    code, out = cli("export", photo)
    assert "0 file(s) written" in out
