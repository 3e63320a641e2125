"""Where a photo was taken, from the GPS a geotagger wrote into its XMP (issue 26, 4)."""

from datetime import datetime

import pytest

from photosim.metadata import Shot, save_jpeg
from photosim.render import render
from tagassist.library.keywords import parse_xmp
from tagassist.library.reader import read_photo


def _xmp(lat: str, lon: str) -> str:
    return ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
            f' exif:GPSLatitude="{lat}" exif:GPSLongitude="{lon}"/></rdf:RDF></x:xmpmeta>')


@pytest.mark.parametrize("lat, lon, expected", [
    ("38,43.338N", "9,8.358W", (38.7223, -9.1393)),  # DDD,MM.mmk, as Lightroom writes it
    ("41,53,54.96N", "12,28,36.84E", (41.8986, 12.4769)),  # DDD,MM,SSk
    ("-33.86", "151.2", (-33.86, 151.2)),  # decimal degrees
    ("33,51.6S", "151,12E", (-33.86, 151.2)),
])
def test_xmp_gps_in_the_forms_tools_write(lat, lon, expected):
    assert parse_xmp(_xmp(lat, lon)).gps == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("lat, lon", [("", "12E"), ("95,0N", "12E"), ("41,75N", "12E"), ("north", "12E"),
                                      ("41N", "12X")])
def test_no_position_from_a_broken_one(lat, lon):
    assert parse_xmp(_xmp(lat, lon)).gps is None


def test_a_sidecars_gps_places_a_photo_without_its_own(tmp_path):
    bare, own = tmp_path / "bare.jpg", tmp_path / "own.jpg"
    save_jpeg(render("city", seed=1, size=(64, 48)), bare, Shot(taken_at=datetime(2024, 5, 1, 10)))
    save_jpeg(render("city", seed=2, size=(64, 48)), own, Shot(taken_at=datetime(2024, 5, 1, 11), gps=(52.52, 13.405)))
    for photo in (bare, own):
        (tmp_path / f"{photo.stem}.xmp").write_text(_xmp("38,43.338N", "9,8.358W"), encoding="utf-8")
    placed = read_photo(str(bare), bare.stat().st_size, 0, sidecars=[str(tmp_path / "bare.xmp")])
    assert (placed.gps_lat, placed.gps_lon) == pytest.approx((38.7223, -9.1393), abs=1e-4)
    kept = read_photo(str(own), own.stat().st_size, 0, sidecars=[str(tmp_path / "own.xmp")])
    assert (kept.gps_lat, kept.gps_lon) == pytest.approx((52.52, 13.405), abs=1e-4)  # the camera's own


# Lightroom Classic's map module: photoshop:City/State/Country as attributes of rdf:Description.
LIGHTROOM_LOCATION = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   photoshop:City="Lisboa"
   photoshop:State="Lisboa"
   photoshop:Country="Portugal">
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>street</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""

# IPTC Extension: where it was shown, a Bag of structs (the fields as elements or attributes).
IPTC_LOCATION = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
  <Iptc4xmpExt:LocationShown><rdf:Bag>
   <rdf:li rdf:parseType="Resource"><Iptc4xmpExt:Sublocation>Alfama</Iptc4xmpExt:Sublocation></rdf:li>
   <rdf:li rdf:parseType="Resource"><Iptc4xmpExt:City>Roma</Iptc4xmpExt:City>
    <Iptc4xmpExt:ProvinceState>Lazio</Iptc4xmpExt:ProvinceState><Iptc4xmpExt:CountryName>Italia</Iptc4xmpExt:CountryName>
   </rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>
  <Iptc4xmpExt:LocationCreated><rdf:Bag><rdf:li>
   <rdf:Description Iptc4xmpExt:City="Porto" Iptc4xmpExt:CountryName="Portugal"/>
  </rdf:li></rdf:Bag></Iptc4xmpExt:LocationCreated>
 </rdf:Description></rdf:RDF></x:xmpmeta>"""


def test_location_fields_lightroom_and_iptc():
    assert parse_xmp(LIGHTROOM_LOCATION).location == "Lisboa|Lisboa|Portugal"
    assert parse_xmp(IPTC_LOCATION).location == "Porto||Portugal"  # where it was taken beats where shown
    shown_only = IPTC_LOCATION.split("<Iptc4xmpExt:LocationCreated>")[0] + "</rdf:Description></rdf:RDF></x:xmpmeta>"
    assert parse_xmp(shown_only).location == "Roma|Lazio|Italia"  # the first struct that names a place
    assert parse_xmp(_xmp("38,43.338N", "9,8.358W")).location is None


def test_location_fields_are_capped_and_cleaned():
    junk = LIGHTROOM_LOCATION.replace('"Lisboa"\n', '"' + "x" * 5000 + '"\n', 1).replace(
        'photoshop:Country="Portugal"', 'photoshop:Country="Por|tu&#9;gal"')
    city, state, country = parse_xmp(junk).location.split("|")
    assert (len(city), state, country) == (100, "Lisboa", "Por tu gal")
    blank = LIGHTROOM_LOCATION.replace('"Lisboa"', '"  "').replace('"Portugal"', '""')
    assert parse_xmp(blank).location is None


def test_a_lightroom_sidecars_location_is_read_at_scan(cli, tmp_path):
    library = tmp_path / "photos"
    library.mkdir()
    save_jpeg(render("city", seed=3, size=(64, 48)), library / "IMG_1.jpg", Shot(taken_at=datetime(2024, 5, 1, 10)))
    (library / "IMG_1.xmp").write_text(LIGHTROOM_LOCATION, encoding="utf-8")
    assert cli("scan", library)[0] == 0
    from tagassist.store import Store

    with Store(cli.db) as store:
        photo = store.photos.by_path(library / "IMG_1.jpg")
    assert photo.location == "Lisboa|Lisboa|Portugal"
    assert photo.location_parts == ("Lisboa", "Lisboa", "Portugal") and photo.gps_lat is None
