"""The pick flag (issue 23, 4) through the CLI: ``tag --pick/--unflag``, ``photos --pick``, and
the export writing digiKam:PickLabel (3 picked, 1 rejected beside xmp:Rating -1), read back by
exiftool and by a scan; a pick label another tool wrote is read at scan and kept."""

import json
import subprocess

from tagassist.cli import main
from tagassist.store import Store
from tests.conftest import need_tool


def _names(cli, *filters):
    code, out = cli("photos", "--json", *filters)
    assert code == 0
    return {row["path"].rsplit("/", 1)[-1]: row for row in json.loads(out)}


def _xmp(path):
    out = subprocess.run([need_tool("exiftool"), "-json", "-XMP-digiKam:PickLabel", "-XMP-xmp:Rating", str(path)],
                         check=True, capture_output=True, text=True).stdout
    row = json.loads(out)[0]
    return row.get("PickLabel"), row.get("Rating")


def test_pick_and_unflag_are_written_as_digikams_pick_label(cli, sample_copy, tmp_path):
    rome = sample_copy / "2024-05 Rome"
    picked, rejected, theirs = rome / "DSCF1000.jpg", rome / "DSCF1001.jpg", rome / "DSCF1002.jpg"
    subprocess.run([need_tool("exiftool"), "-q", "-overwrite_original", "-XMP-digiKam:PickLabel=2",
                    str(rome / "DSCF1002.xmp")], check=True)  # digiKam's "pending"
    assert cli("scan", sample_copy)[0] == 0
    assert _names(cli, "--pick") == {}

    code, out = cli("tag", picked, "--pick")
    assert code == 0 and "1 photo(s): 0 tag(s) added, 0 removed, 0 rejected; picked" in out
    code, out = cli("tag", rejected, "--rating", "-1")
    assert code == 0
    code, out = cli("tag", picked, "--pick", "--rating", "3")
    assert code == 1 and "not both" in out and "Traceback" not in out
    assert set(_names(cli, "--pick")) == {"DSCF1000.jpg"} and _names(cli, "--pick")["DSCF1000.jpg"]["picked"]

    code, out = cli("export", picked, rejected, "--dry-run")
    assert code == 0 and f"would write: {rome / 'DSCF1000.xmp'}  rating 3, label none, pick picked" in out
    assert f"would write: {rome / 'DSCF1001.xmp'}  rating -1, label none, pick rejected" in out
    code, out = cli("export", picked, rejected, "--json")
    assert code == 0 and sorted(r["pick"] for r in json.loads(out)) == [1, 3]
    assert _xmp(rome / "DSCF1000.xmp") == (3, 3)  # its own 3 stars kept
    assert _xmp(rome / "DSCF1001.xmp") == (1, -1)

    # A pick label another tool wrote is read at scan and kept through an export.
    assert cli("tag", theirs, "--add", "forum", "--label", "Red")[0] == 0
    assert cli("export", theirs)[0] == 0
    assert _xmp(rome / "DSCF1002.xmp")[0] == 2

    # Another program reading the files finds the flags; unflag takes them out again.
    fresh = tmp_path / "fresh.sqlite"
    assert main(["--db", str(fresh), "scan", str(sample_copy)]) == 0
    store = Store(fresh)
    flags = {p.path.rsplit("/", 1)[-1]: (p.rating, p.pick) for p, _ in store.photos.list_photos(store.profiles.get())
             if p.pick is not None}
    assert flags == {"DSCF1000.jpg": (3, 3), "DSCF1001.jpg": (-1, 1), "DSCF1002.jpg": (3, 2)}
    code, out = cli("tag", picked, rejected, "--unflag")
    assert code == 0 and "unflagged" in out
    assert cli("export", picked, rejected)[0] == 0
    assert _xmp(rome / "DSCF1000.xmp") == (None, 3) and _xmp(rome / "DSCF1001.xmp") == (None, 0)
    assert _names(cli, "--pick") == {}
    code, out = cli("export", "--undo")
    assert code == 0 and _xmp(rome / "DSCF1000.xmp") == (3, 3)


def test_a_pick_label_never_read_is_left_in_the_file(cli, sample_copy):
    """A library scanned before picks were read (schema 16 reads them at the next scan): a label
    set in tagassist before that scan writes the marks, and digiKam's pick label stays."""
    sidecar = sample_copy / "2024-05 Rome" / "DSCF1002.xmp"
    subprocess.run([need_tool("exiftool"), "-q", "-overwrite_original", "-XMP-digiKam:PickLabel=3", str(sidecar)],
                   check=True)
    assert cli("scan", sample_copy)[0] == 0
    with Store(cli.db).transaction() as conn:
        conn.execute("UPDATE photos SET pick = NULL")  # as before the scan that reads them
    assert cli("tag", sample_copy / "2024-05 Rome" / "DSCF1002.jpg", "--label", "Red")[0] == 0
    assert cli("export", sample_copy / "2024-05 Rome" / "DSCF1002.jpg")[0] == 0
    assert _xmp(sidecar)[0] == 3
