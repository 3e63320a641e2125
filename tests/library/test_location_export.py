"""``export --location`` (issue 26, 4): the city, state, country and country code of a photo's
GPS, written where Lightroom's map module writes them, only into files that name no place or
still hold the one tagassist wrote; read back with exiftool, the reference reader."""

import hashlib
import json
import subprocess
from datetime import datetime

from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tests.conftest import need_tool
from tests.support.kills import export_killed_after_writing

LISBON, PORTO = (38.72, -9.14), (41.15, -8.61)


def _photo(path, gps):
    save_jpeg(render("beach", 3, (120, 80)), path, Shot(taken_at=datetime(2024, 7, 1, 10, 0), gps=gps))
    return path


def _exiftool(*args):
    subprocess.run([need_tool("exiftool"), "-q", "-overwrite_original", *map(str, args)], check=True)


def _place(path):
    """What exiftool reads: (City, State, Country, CountryCode), '' where absent."""
    out = subprocess.run([need_tool("exiftool"), "-json", "-XMP-photoshop:City", "-XMP-photoshop:State",
                          "-XMP-photoshop:Country", "-XMP-iptcCore:CountryCode", str(path)],
                         check=True, capture_output=True, text=True).stdout
    row = json.loads(out)[0]
    return tuple(str(row.get(k, "")) for k in ("City", "State", "Country", "CountryCode"))


def _digest(*paths):
    return [(p.name, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths]


def test_location_written_from_the_gps_then_updated_kept_and_undone(cli, tmp_path):
    lisbon = _photo(tmp_path / "lisbon.jpg", LISBON)
    nowhere = _photo(tmp_path / "nowhere.jpg", None)
    original = lisbon.read_bytes()
    assert cli("scan", tmp_path)[0] == 0

    code, out = cli("export", "--all", "--location", "--dry-run")
    assert code == 0 and f"would write: {lisbon}  location Lisbon, Lisbon, Portugal (PT)" in out
    assert "nowhere" not in out and lisbon.read_bytes() == original  # a dry run writes nothing
    code, out = cli("export", "--all", "--location", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["status"] == "written" and row["location"] == {"city": "Lisbon", "state": "Lisbon",
                                                              "country": "Portugal", "country_code": "PT"}
    assert _place(lisbon) == ("Lisbon", "Lisbon", "Portugal", "PT")
    assert _place(nowhere) == ("", "", "", "")  # no GPS, no place, no write
    assert not list(tmp_path.glob("*.xmp"))  # the JPEG holds it, as Lightroom reads it

    # Nothing changed: nothing is written again, neither the JPEG nor a new sidecar.
    before = _digest(lisbon, nowhere)
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "0 file(s) written" in out
    code, out = cli("export", str(nowhere), "--location")
    assert code == 0 and "0 file(s) written, 1 already up to date" in out
    assert _digest(lisbon, nowhere) == before and not list(tmp_path.glob("*.xmp"))

    # The photo moves (its GPS is corrected in another tool): the place tagassist wrote follows.
    _exiftool("-GPSLatitude=41.15", "-GPSLatitudeRef=N", "-GPSLongitude=8.61", "-GPSLongitudeRef=W", lisbon)
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "location Porto" in out
    assert _place(lisbon)[0] == "Porto" and _place(lisbon)[2:] == ("Portugal", "PT")

    # Undo puts back the file and what tagassist had written there: the next export writes again.
    code, out = cli("export", "--undo")
    assert code == 0 and "1 file(s) restored" in out
    assert _place(lisbon) == ("Lisbon", "Lisbon", "Portugal", "PT")
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "location Porto" in out and _place(lisbon)[0] == "Porto"
    # Undo of every run brings back the photo as the camera wrote it (its GPS edit aside).
    assert cli("export", "--undo")[0] == 0
    assert _place(lisbon) == ("Lisbon", "Lisbon", "Portugal", "PT")

    # A place another tool writes is hers: kept, whatever the GPS says, and nothing filled beside it.
    _exiftool("-XMP-photoshop:City=Gaia", "-XMP-photoshop:State=", "-XMP-photoshop:Country=",
              "-XMP-iptcCore:CountryCode=", lisbon)
    assert cli("scan", tmp_path)[0] == 0
    before = _digest(lisbon)
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "0 file(s) written" in out
    assert _place(lisbon) == ("Gaia", "", "", "") and _digest(lisbon) == before


def test_a_place_another_tool_wrote_is_kept_in_any_of_its_forms(cli, tmp_path):
    city = _photo(tmp_path / "city.jpg", LISBON)
    _exiftool("-XMP-photoshop:City=Sintra", city)
    shown = _photo(tmp_path / "shown.jpg", LISBON)
    _exiftool("-XMP-iptcExt:LocationCreatedCity=Cascais", shown)
    legacy = _photo(tmp_path / "legacy.jpg", LISBON)
    _exiftool("-IPTC:City=Belem", legacy)
    before = _digest(city, shown, legacy)
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("export", "--all", "--location", "--dry-run")  # says why
    assert code == 0 and "0 file(s) would change" in out, out
    assert ("note: location kept: city.jpg names Sintra, written by another tool"
            " (GPS: Lisbon, Lisbon, Portugal (PT))") in out
    assert "note: location kept: shown.jpg names a place in IPTC fields" in out
    assert "note: location kept: legacy.jpg names a place in IPTC fields" in out
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "0 file(s) written" in out, out
    assert _digest(city, shown, legacy) == before
    assert _place(city) == ("Sintra", "", "", "") and _place(shown) == _place(legacy) == ("", "", "", "")


def test_location_goes_into_the_sidecar_beside_the_keywords(cli, tmp_path):
    photo = _photo(tmp_path / "a.jpg", PORTO)
    sidecar = tmp_path / "a.xmp"
    _exiftool("-o", sidecar, "-XMP-dc:Subject=river", photo)
    jpeg = _digest(photo)
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("export", "--all")  # the library's option is off: no location
    assert code == 0 and "0 file(s) written" in out and _place(sidecar) == ("", "", "", "")
    code, out = cli("export", "--all", "--location")
    assert code == 0 and f"written: {sidecar}  location Porto" in out
    assert _place(sidecar)[0] == "Porto" and _digest(photo) == jpeg  # the JPEG is not rewritten
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("tags", photo, "--json")
    assert [t["tag"] for t in json.loads(out)["tags"]] == ["river"]


def test_a_place_a_killed_export_wrote_is_tagassists_and_undone(cli, tmp_path, monkeypatch):
    photo = _photo(tmp_path / "k.jpg", LISBON)
    assert cli("scan", tmp_path)[0] == 0
    export_killed_after_writing(cli, monkeypatch, "--all", "--location")
    assert _place(photo)[0] == "Lisbon"
    _exiftool("-GPSLatitude=41.15", "-GPSLatitudeRef=N", "-GPSLongitude=8.61", "-GPSLongitudeRef=W", photo)
    assert cli("scan", tmp_path)[0] == 0
    code, out = cli("export", "--all", "--location")  # the journal entered the write: the place is tagassist's
    assert code == 0 and "location Porto" in out, out
    code, out = cli("export", "--undo")
    assert code == 0 and "1 file(s) restored" in out and _place(photo)[0] == "Lisbon", out
    code, out = cli("export", "--undo")  # the killed export's write is journalled too: undo knows it ...
    assert "changed since that export" in out  # ... and keeps the GPS another tool wrote since


def test_a_place_another_tool_took_out_stays_out(cli, tmp_path):
    """Lightroom's user clears City, State and Country that tagassist wrote: the next export
    writes them no more (it wrote them back at every export)."""
    photo = _photo(tmp_path / "lisbon.jpg", LISBON)
    assert cli("scan", tmp_path)[0] == 0
    assert cli("export", "--all", "--location")[0] == 0
    assert _place(photo) == ("Lisbon", "Lisbon", "Portugal", "PT")
    _exiftool("-XMP-photoshop:City=", "-XMP-photoshop:State=", "-XMP-photoshop:Country=",
              "-XMP-iptcCore:CountryCode=", photo)
    assert cli("scan", tmp_path)[0] == 0
    before = _digest(photo)
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "taken out by another tool" in out
    assert _place(photo) == ("", "", "", "") and _digest(photo) == before


def test_a_file_it_does_not_write_that_cannot_be_read_stops_the_place_not_the_keywords(cli, tmp_path, monkeypatch):
    from tagassist.library.location_fields import LocationError
    from tagassist.services import location_export

    photo = _photo(tmp_path / "a.jpg", PORTO)
    sidecar = tmp_path / "a.xmp"
    _exiftool("-o", sidecar, "-XMP-dc:Subject=river", photo)
    assert cli("scan", tmp_path)[0] == 0
    assert cli("tag", photo, "--add", "sea")[0] == 0
    read = location_export.read_location

    def unreadable_jpeg(path, data):
        if str(path).endswith(".jpg"):
            raise LocationError("exiv2 cannot read it")
        return read(path, data)

    monkeypatch.setattr(location_export, "read_location", unreadable_jpeg)
    code, out = cli("export", "--all", "--location")
    assert code == 0 and "location not written" in out and "+sea" in out
    assert _place(sidecar) == ("", "", "", "")
