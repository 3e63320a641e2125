"""Ratings and colour labels other tools wrote (xmp:Rating, xmp:Label) are read, shown and
usable as filters; a sidecar's say wins over the photo's embedded XMP, as in Lightroom."""

import json
import shutil
import subprocess

import pytest


def photos(cli, *filters):
    code, out = cli("photos", "--json", *filters)
    assert code == 0
    return {row["path"].rsplit("/", 1)[-1]: row for row in json.loads(out)}


def test_ratings_and_labels_from_sidecars_and_embedded_xmp(cli, sample_copy):
    rome = sample_copy / "2024-05 Rome"
    sidecar = rome / "DSCF1001.xmp"
    sidecar.write_bytes(sidecar.read_bytes().replace(b'xmp:Rating="3"', b'xmp:Rating="5" xmp:Label="Red"', 1))
    if shutil.which("exiftool"):  # embedded XMP in a JPEG without a sidecar, as Bridge writes it
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-XMP-xmp:Rating=4", "-XMP-xmp:Label=Green",
                        str(rome / "DSCF1007.jpg")], check=True)
    assert cli("scan", sample_copy)[0] == 0

    every = photos(cli)
    assert every["DSCF1001.jpg"]["rating"] == 5 and every["DSCF1001.jpg"]["label"] == "Red"
    assert every["DSCF1000.jpg"]["rating"] == 3 and "label" not in every["DSCF1000.jpg"]
    assert set(photos(cli, "--rating", "5")) == {"DSCF1001.jpg"}
    assert set(photos(cli, "--label", "Red")) == {"DSCF1001.jpg"}
    assert len(photos(cli, "--rating", "3")) == 30 + (1 if shutil.which("exiftool") else 0)
    if shutil.which("exiftool"):
        assert every["DSCF1007.jpg"]["rating"] == 4 and every["DSCF1007.jpg"]["label"] == "Green"
        assert set(photos(cli, "--rating", "4")) == {"DSCF1001.jpg", "DSCF1007.jpg"}


@pytest.mark.parametrize("value, expected", [("4.0", 4), ("-1", -1), ("7", None), ("lots", None)])
def test_odd_ratings_are_read_or_ignored(value, expected):
    from tagassist.library.keywords import parse_xmp

    packet = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              f'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:Rating>{value}</xmp:Rating>'
              '</rdf:Description></rdf:RDF></x:xmpmeta>')
    assert parse_xmp(packet).rating == expected
