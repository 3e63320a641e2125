"""Never lose a keyword: three-way sync between tagassist, other tools and other profiles.

Each test reproduces a way the first version lost or corrupted keywords, through the CLI a
photographer uses, with exiftool as the other tool.
"""

import json
import os
import stat
import subprocess
from datetime import datetime

import pytest

from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tests.conftest import need_tool


def exiftool(*args):
    subprocess.run([need_tool("exiftool"), "-q", "-m", "-overwrite_original", *map(os.fspath, args)], check=True)


def exif_keywords(path, tag="-XMP-dc:Subject"):
    out = subprocess.run([need_tool("exiftool"), "-j", tag, os.fspath(path)], capture_output=True, check=True).stdout
    value = next(iter({k: v for k, v in json.loads(out)[0].items() if k != "SourceFile"}.values()), [])
    return sorted(value if isinstance(value, list) else [value])


def make_photo(path, *keywords, sidecar=True):
    save_jpeg(render("beach", 3, (96, 64)), path, Shot(taken_at=datetime(2024, 7, 1, 10, 0)))
    if keywords and sidecar:
        exiftool("-o", os.fsdecode(os.fsencode(path)[:-4] + b".xmp"), *[f"-XMP-dc:Subject={k}" for k in keywords],
                 path)
    elif keywords:
        exiftool(*[f"-XMP-dc:Subject={k}" for k in keywords], path)
    return path


def history(cli, photo, profile=None):
    code, out = cli("tags", photo, "--json", profile=profile)
    assert code == 0, out
    return sorted(t["tag"] for t in json.loads(out)["tags"])


def test_export_keeps_a_keyword_another_tool_added_after_the_scan(cli, tmp_path):
    photo = make_photo(tmp_path / "p1.jpg", "beach")
    cli("scan", tmp_path)
    exiftool("-XMP-dc:Subject+=AddedInLightroom", tmp_path / "p1.xmp")
    cli("tag", photo, "--add", "sea")
    assert cli("export", photo)[0] == 0
    assert exif_keywords(tmp_path / "p1.xmp") == ["AddedInLightroom", "beach", "sea"]
    assert history(cli, photo) == ["AddedInLightroom", "beach", "sea"]  # and it arrived as imported


def test_another_profiles_export_keeps_what_it_did_not_assign(cli, tmp_path):
    photo = make_photo(tmp_path / "p2.jpg", "bird", "macaw")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "parrot", profile="bob")
    assert cli("export", photo, profile="bob")[0] == 0
    assert exif_keywords(tmp_path / "p2.xmp") == ["bird", "macaw", "parrot"]


def test_a_library_scanned_without_import_keeps_the_files_keywords(cli, tmp_path):
    photo = make_photo(tmp_path / "p3.jpg", "bird", "macaw")
    cli("scan", "--no-import", tmp_path)
    cli("tag", photo, "--add", "parrot")
    cli("export", photo)
    assert exif_keywords(tmp_path / "p3.xmp") == ["bird", "macaw", "parrot"]


def test_every_export_can_be_undone_even_after_several(cli, tmp_path):
    photo = make_photo(tmp_path / "p4.jpg", "AddedInLightroom")
    sidecar = tmp_path / "p4.xmp"
    original = sidecar.read_bytes()
    cli("scan", tmp_path)
    cli("tag", photo, "--remove", "AddedInLightroom", "--add", "one")
    cli("export", photo)
    cli("tag", photo, "--add", "two")
    cli("export", photo)
    assert exif_keywords(sidecar) == ["one", "two"]
    code, out = cli("export", "--history")
    assert code == 0 and out.count("can be undone") == 2
    assert cli("export", "--undo")[0] == 0
    assert exif_keywords(sidecar) == ["one"]
    assert cli("export", "--undo")[0] == 0
    assert sidecar.read_bytes() == original
    assert cli("export", "--undo")[0] == 1  # nothing left to undo: a user error, not a crash


def test_undo_leaves_a_file_changed_since_alone(cli, tmp_path):
    photo = make_photo(tmp_path / "p5.jpg", "beach")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "sea")
    cli("export", photo)
    exiftool("-XMP-xmp:Rating=4", tmp_path / "p5.xmp")
    code, out = cli("export", "--undo")
    assert code == 2 and "changed since" in out
    assert exif_keywords(tmp_path / "p5.xmp") == ["beach", "sea"]


def test_a_new_sidecar_is_removed_again_by_undo(cli, tmp_path):
    photo = make_photo(tmp_path / "p6.jpg")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "sea")
    cli("export", photo, "--style", "darktable")
    assert (tmp_path / "p6.jpg.xmp").exists()
    cli("export", "--undo")
    assert not (tmp_path / "p6.jpg.xmp").exists()


def test_a_removed_tag_stays_removed_when_another_tool_changes_the_sidecar(cli, tmp_path):
    photo = make_photo(tmp_path / "p7.jpg", "beach", "dog")
    cli("scan", tmp_path)
    cli("tag", photo, "--remove", "dog")
    exiftool("-XMP-xmp:Rating=3", tmp_path / "p7.xmp")  # unrelated change: the file is re-read
    cli("scan", tmp_path)
    assert history(cli, photo) == ["beach"]
    cli("export", photo)
    assert exif_keywords(tmp_path / "p7.xmp") == ["beach"]
    cli("scan", tmp_path)
    assert history(cli, photo) == ["beach"]


def test_a_keyword_removed_in_another_tool_leaves_the_history_visibly(cli, tmp_path):
    photo = make_photo(tmp_path / "p8.jpg", "beach", "dog")
    cli("scan", tmp_path)
    exiftool("-XMP-dc:Subject-=dog", tmp_path / "p8.xmp")
    code, out = cli("scan", tmp_path)
    assert "1 removed in other tools" in out
    assert history(cli, photo) == ["beach"]
    code, out = cli("tags", photo, "--json")
    assert {"tag": "dog", "by": "another tool"}.items() <= json.loads(out)["removed"][0].items()
    cli("tag", photo, "--add", "sea")
    cli("export", photo)
    assert exif_keywords(tmp_path / "p8.xmp") == ["beach", "sea"]  # dog does not come back


def test_the_newer_change_wins_and_the_export_says_so(cli, tmp_path):
    photo = make_photo(tmp_path / "p9.jpg", "beach", "dog")
    sidecar = tmp_path / "p9.xmp"
    cli("scan", tmp_path)
    exiftool("-XMP-dc:Subject-=dog", sidecar)
    old = sidecar.stat().st_mtime - 60
    os.utime(sidecar, (old, old))  # the other tool's removal happened a minute ago...
    cli("tag", photo, "--add", "dog")  # ...and she tags dog again now (it was never removed here)
    code, out = cli("export", photo)
    assert code == 0 and "conflict: dog" in out
    assert exif_keywords(sidecar) == ["beach", "dog"]


def test_dry_run_shows_exactly_what_the_export_does(cli, tmp_path):
    photo = make_photo(tmp_path / "q1.jpg", "beach", "dog", "old")
    sidecar = tmp_path / "q1.xmp"
    cli("scan", tmp_path)
    exiftool("-XMP-dc:Subject+=fromLR", "-XMP-dc:Subject-=dog", sidecar)
    cli("tag", photo, "--add", "sea", "--remove", "old")
    before = sidecar.read_bytes()
    code, dry = cli("export", photo, "--dry-run", "--json")
    assert sidecar.read_bytes() == before
    code, real = cli("export", photo, "--json")
    planned, done = json.loads(dry)[0], json.loads(real)[0]
    assert (planned["added"], planned["removed"]) == (done["added"], done["removed"]) == (["sea"], ["old"])
    assert exif_keywords(sidecar) == ["beach", "fromLR", "sea"]


def test_embedding_updates_iptc_with_its_digest(cli, tmp_path):
    photo = make_photo(tmp_path / "e1.jpg")
    exiftool("-IPTC:Keywords=beach", "-IPTC:Keywords=dog", "-XMP-dc:Subject=beach", "-XMP-dc:Subject=dog", photo)
    cli("scan", tmp_path)
    cli("tag", photo, "--remove", "dog", "--add", "sea")
    assert cli("export", photo, "--embed")[0] == 0
    assert exif_keywords(photo, "-IPTC:Keywords") == ["beach", "sea"]
    assert exif_keywords(photo) == ["beach", "sea"]
    warnings = subprocess.run([need_tool("exiftool"), "-validate", "-warning", "-a", photo], capture_output=True,
                              text=True).stdout
    assert "IPTCDigest" not in warnings
    cli("scan", tmp_path)
    assert history(cli, photo) == ["beach", "sea"]  # the removed IPTC keyword does not return


def test_non_utf8_names_scan_and_export(cli, tmp_path):
    folder = os.fsencode(tmp_path)
    odd = os.fsdecode(folder + b"/bad\xff\xfename.jpg")
    make_photo(odd, "beach")
    make_photo(tmp_path / "zzz.jpg", "after")  # the photos after it are not skipped
    code, out = cli("scan", tmp_path)
    assert code == 0, out
    cli("tag", odd, os.fspath(tmp_path / "zzz.jpg"), "--add", "sea")
    code, out = cli("export", "--all")
    assert code == 0, out
    assert exif_keywords(os.fsdecode(folder + b"/bad\xff\xfename.xmp")) == ["beach", "sea"]
    assert exif_keywords(tmp_path / "zzz.xmp") == ["after", "sea"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks and hard links need privileges on Windows")
def test_links_are_written_through_and_modes_follow_the_umask(cli, tmp_path):
    photo = make_photo(tmp_path / "l1.jpg", "beach")
    real = tmp_path / "elsewhere.xmp"
    os.replace(tmp_path / "l1.xmp", real)
    os.symlink(real, tmp_path / "l1.xmp")
    linked = make_photo(tmp_path / "l2.jpg")
    os.link(linked, tmp_path / "l2-copy.jpg")
    fresh = make_photo(tmp_path / "l3.jpg")
    cli("scan", tmp_path)
    cli("tag", photo, linked, fresh, "--add", "sea")
    previous = os.umask(0o022)
    try:
        cli("export", photo, fresh, "--style", "darktable")
        cli("export", linked, "--embed")
    finally:
        os.umask(previous)
    assert (tmp_path / "l1.xmp").is_symlink() and exif_keywords(real) == ["beach", "sea"]
    assert os.stat(linked).st_nlink == 2 and exif_keywords(tmp_path / "l2-copy.jpg") == ["sea"]
    assert stat.S_IMODE(os.stat(tmp_path / "l3.jpg.xmp").st_mode) == 0o644


def test_a_stale_temp_file_of_a_killed_export_is_removed(cli, tmp_path):
    make_photo(tmp_path / "t1.jpg", "beach")
    stale = tmp_path / ".t1.xmp.tagassist-0123abcd.tmp"
    fresh = tmp_path / ".t1.xmp.tagassist-89abcdef.tmp"  # perhaps an export running right now
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(stale, (1, 1))
    cli("scan", tmp_path)
    assert not stale.exists() and fresh.exists()


def test_a_photo_that_becomes_readable_loses_its_error(cli, tmp_path):
    photo = make_photo(tmp_path / "r1.jpg", "beach")
    content, stamp = photo.read_bytes(), photo.stat()
    photo.write_bytes(b"\0" * len(content))  # e.g. a card read while still being written
    os.utime(photo, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    cli("scan", tmp_path)
    assert "r1.jpg" in cli("photos", "--problems")[1]
    photo.write_bytes(content)  # fixed: same size, same time
    os.utime(photo, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    cli("scan", tmp_path)
    assert "r1.jpg" not in cli("photos", "--problems")[1]
    assert history(cli, photo) == ["beach"]


def test_a_huge_sidecar_is_refused_before_any_parser_reads_it(cli, tmp_path):
    photo = make_photo(tmp_path / "h1.jpg", "beach")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "sea")
    sidecar = tmp_path / "h1.xmp"
    with open(sidecar, "ab") as f:
        f.truncate(20 * 2**20)
    code, out = cli("export", photo)
    assert code == 2 and "left unchanged" in out
    assert sidecar.stat().st_size == 20 * 2**20
    assert history(cli, photo) == ["beach", "sea"]  # an unreadable sidecar removes nothing


def test_keywords_per_file_are_capped_with_a_warning(cli, tmp_path):
    photo = make_photo(tmp_path / "k1.jpg")
    items = "".join(f"<rdf:li>k{i}</rdf:li>" for i in range(5000))
    (tmp_path / "k1.xmp").write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
        f"{items}</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>")
    code, out = cli("scan", tmp_path)
    assert "only the first 1000 were read" in out
    assert len(history(cli, photo)) == 1000
    cli("tag", photo, "--add", "sea")
    code, out = cli("export", photo)  # writing back would drop 4000 keywords: refused
    assert code == 2 and "left unchanged" in out


def test_a_keyword_removed_elsewhere_right_after_its_import_leaves_even_when_file_times_lag(cli, tmp_path):
    # File systems stamp times from a coarse clock (a tick behind, or 2 s on FAT): an edit
    # made just after a scan can carry an older time than the import. An imported keyword is
    # the file's own, never a change in tagassist, so the other tool's removal still wins.
    photo = make_photo(tmp_path / "p.jpg", "beach", "sea")
    cli("scan", tmp_path)
    sidecar = tmp_path / "p.xmp"
    before = sidecar.stat().st_mtime_ns
    exiftool("-XMP-dc:Subject-=beach", sidecar)
    os.utime(sidecar, ns=(before + 1000, before + 1000))  # "changed" before the import was stamped
    cli("scan", tmp_path)
    assert history(cli, photo) == ["sea"]
    assert cli("export", photo)[0] == 0
    assert exif_keywords(sidecar) == ["sea"]


def test_removing_the_last_keyword_removes_it_from_the_sidecar(cli, tmp_path):
    """exiv2 writes no packet for empty XMP data and kept the old one: the export said
    '-onlyone' and the sidecar still held it."""
    photo = make_photo(tmp_path / "p1.jpg")
    cli("scan", tmp_path)
    cli("tag", photo, "--add", "onlyone")
    assert cli("export", photo, "--style", "darktable")[0] == 0
    assert exif_keywords(tmp_path / "p1.jpg.xmp") == ["onlyone"]
    cli("tag", photo, "--remove", "onlyone")
    assert cli("export", photo)[0] == 0
    assert exif_keywords(tmp_path / "p1.jpg.xmp") == []
    cli("scan", tmp_path)
    assert history(cli, photo) == []


def test_an_undone_tag_that_was_already_written_leaves_the_files_too(cli, tmp_path):
    """Undo (the app's Ctrl+Z, or 'keywords undo') of a tag that an export had written: the
    next export removes it from the file, and a rescan does not bring it back."""
    from tagassist.services.export import export_photos
    from tagassist.store import Store

    photo = make_photo(tmp_path / "p1.jpg", "beach")
    cli("scan", tmp_path)
    with Store(cli.db) as store:
        profile, record = store.profiles.get(), store.photos.by_path(photo)
        before = store.tagging.tag_state(profile, [record.id], ["sunset"])
        store.tagging.add_tags(profile, [record.id], ["sunset"], "typed")
        export_photos(store, profile, [record])
        assert exif_keywords(tmp_path / "p1.xmp") == ["beach", "sunset"]
        store.tagging.restore_tag_state(profile, before)
        export_photos(store, profile, [store.photos.get(record.id)])
    assert exif_keywords(tmp_path / "p1.xmp") == ["beach"]
    cli("scan", tmp_path)
    assert history(cli, photo) == ["beach"]
