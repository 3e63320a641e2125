"""People through the CLI (issue 27): faces found at index time on real photos, named by her,
by the regions other tools wrote and by her person keywords; names suggested per face with a
reason, a rejected name never again, and a forgotten person's face data gone."""

from __future__ import annotations

import json
import os

import pytest
from PIL import Image, ImageOps

from tests.conftest import need_shared

pytestmark = pytest.mark.slow


def _faces(cli, *photos):
    code, out = cli("faces", *photos, "--json")
    assert code == 0, out
    return {entry["photo"].rsplit("/", 1)[-1]: entry["faces"] for entry in json.loads(out)}


@pytest.fixture
def grace(tmp_path):
    """Grace Hopper twice (the second mirrored and cropped: the same person, another photo)
    and a group of other people, from ../shared/photos/coral (CC BY 2.0)."""
    pytest.importorskip("dlib", reason="faces need dlib (a dependency; missing on this platform)")
    coral = need_shared("photos", "coral")
    library = tmp_path / "library"
    library.mkdir()
    portrait = Image.open(coral / "grace_hopper.bmp").convert("RGB")
    portrait.save(library / "grace.jpg", quality=92)
    width, height = portrait.size
    ImageOps.mirror(portrait).crop((0, 0, width, int(height * 0.9))).save(library / "grace_again.jpg", quality=92)
    Image.open(coral / "face.jpg").convert("RGB").save(library / "others.jpg", quality=92)
    return library


def test_faces_are_found_named_and_suggested_by_her_names(cli, grace):
    assert cli("scan", grace)[0] == 0
    code, out = cli("index", "--faces", "on")
    assert code == 0 and "faces found" in out, out
    found = _faces(cli, grace / "grace.jpg", grace / "others.jpg")
    [face] = found["grace.jpg"]
    assert 0 < face["box"]["w"] < 1 and face["name"] is None and face["suggestions"] == []  # no one named yet
    assert len(found["others.jpg"]) >= 2

    code, out = cli("people", "name", "People|Grace Hopper", str(face["id"]))
    assert code == 0, out
    code, out = cli("tags", grace / "grace.jpg", "--json")
    assert "People|Grace Hopper" in out  # naming a face tags its photo: her history learns it

    [again] = _faces(cli, grace / "grace_again.jpg")["grace_again.jpg"]
    best = again["suggestions"][0]
    assert best["keyword"] == "People|Grace Hopper" and best["score"] >= 0.8, again
    assert best["reason"] == "face matches 1 photo you tagged 'People|Grace Hopper'"
    assert all(s["keyword"] != "People|Grace Hopper" or s["score"] < 0.5
               for face in _faces(cli, grace / "others.jpg")["others.jpg"] for s in face["suggestions"])

    code, out = cli("suggest", grace / "grace_again.jpg", "--json")  # the photo's suggestions know her too
    [result] = json.loads(out)
    person = next(s for s in result["suggestions"] if s["tag"] == "People|Grace Hopper")
    assert person["reason"] == "a face matches 1 photo you tagged 'People|Grace Hopper'"

    assert cli("people", "name", "People|Grace Hopper", str(again["id"]), "--reject")[0] == 0
    [again] = _faces(cli, grace / "grace_again.jpg")["grace_again.jpg"]
    assert "People|Grace Hopper" not in [s["keyword"] for s in again["suggestions"]]  # never again for this face

    code, out = cli("people", "list", "--json")
    listed = json.loads(out)
    assert listed["people"] == [{"keyword": "People|Grace Hopper", "faces": 1, "photos": 1}]
    assert sum(len(cluster["faces"]) for cluster in listed["unknown"]) >= 3

    code, out = cli("people", "forget", "People|Grace Hopper")
    assert code == 0 and "1 face" in out
    assert json.loads(cli("people", "list", "--json")[1])["people"] == []
    assert "People|Grace Hopper" in cli("tags", grace / "grace.jpg", "--json")[1]  # her keyword stays


def test_a_person_keyword_names_the_one_face_of_its_photo(cli, grace):
    assert cli("scan", grace)[0] == 0
    assert cli("tag", grace / "grace.jpg", "--add", "People|Grace Hopper")[0] == 0
    assert cli("index", "--faces", "on")[0] == 0
    [face] = _faces(cli, grace / "grace.jpg")["grace.jpg"]
    assert face["name"] == "People|Grace Hopper"


def test_regions_other_tools_named_become_her_people_at_scan(cli, tmp_path):
    """A Lightroom/digiKam-style sidecar with an MWG face region: the face is named at scan
    with her keyword for that name, in the way she writes people; --no-import names nothing."""
    library = tmp_path / "lib"
    library.mkdir()
    Image.new("RGB", (800, 600), "gray").save(library / "a.jpg")
    (library / "a.xmp").write_text('''<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""
 xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
 xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#" xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#">
 <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:AppliedToDimensions stDim:w="800" stDim:h="600" stDim:unit="pixel"/>
 <mwg-rs:RegionList><rdf:Bag><rdf:li><rdf:Description mwg-rs:Name="Anna Berg" mwg-rs:Type="Face">
 <mwg-rs:Area stArea:x="0.5" stArea:y="0.4" stArea:w="0.2" stArea:h="0.3" stArea:unit="normalized"/>
 </rdf:Description></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
 </rdf:Description></rdf:RDF></x:xmpmeta>''')
    Image.new("RGB", (800, 600), "white").save(library / "c.jpg")
    assert cli("scan", "--no-import", library)[0] == 0
    [face] = _faces(cli, library / "a.jpg")["a.jpg"]
    assert face["region_name"] == "Anna Berg" and face["name"] is None
    assert face["box"] == {"x": 0.4, "y": 0.25, "w": 0.2, "h": 0.3}  # MWG gives the centre
    assert cli("tag", library / "c.jpg", "--add", "Family|Carl")[0] == 0  # how she writes people
    os.utime(library / "a.xmp", (1e9, 2e9))  # the sidecar changed: read again
    assert cli("scan", library)[0] == 0
    [face] = _faces(cli, library / "a.jpg")["a.jpg"]
    assert face["name"] == "Family|Anna Berg"  # under the parent her people keywords share


def test_faces_off_or_without_dlib_say_why_and_the_rest_works(cli, tmp_path, monkeypatch):
    library = tmp_path / "lib"
    library.mkdir()
    Image.new("RGB", (64, 48), "gray").save(library / "a.jpg")
    assert cli("scan", library)[0] == 0
    code, out = cli("index", "--faces", "off")
    assert code == 0 and "1 photos indexed" in out and "faces are off for this library" in out
    from tagassist.services import faces

    monkeypatch.setattr(faces, "faces_unavailable", lambda: "faces are off: dlib is not installed")
    assert cli("index", "--faces", "on")[0] == 0
    code, out = cli("faces", library / "a.jpg")
    assert code == 0 and "faces are off: dlib is not installed" in out and "not looked at for faces" in out


def test_a_person_keyword_typed_later_names_the_face(cli, grace):
    assert cli("scan", grace)[0] == 0
    assert cli("index", "--faces", "on")[0] == 0
    assert cli("tag", grace / "grace.jpg", "--add", "People|Grace Hopper", "street")[0] == 0
    [face] = _faces(cli, grace / "grace.jpg")["grace.jpg"]
    assert face["name"] == "People|Grace Hopper"
    assert cli("tag", grace / "grace_again.jpg", "--add", "street")[0] == 0  # no person keyword: no name
    [face] = _faces(cli, grace / "grace_again.jpg")["grace_again.jpg"]
    assert face["name"] is None and face["suggestions"][0]["keyword"] == "People|Grace Hopper"



def test_what_she_changes_on_people_keeps_faces_and_keywords_together(cli, grace):
    """Found by a tester: renaming a face left its old keyword on the photo, a merge moved the
    faces but not the photos' keyword, removing a person keyword left the face named, merge and
    forget of nobody said '0 faces' and succeeded, and 'faces PHOTO' looked at the whole library."""
    assert cli("scan", grace)[0] == 0
    assert cli("index", "--faces", "on")[0] == 0
    [face] = _faces(cli, grace / "grace.jpg")["grace.jpg"]

    def keywords(photo):
        return {t["tag"] for t in json.loads(cli("tags", grace / photo, "--json")[1])["tags"]}

    assert cli("people", "name", "People|Grace", str(face["id"]))[0] == 0
    assert cli("people", "name", "People|Grace Hopper", str(face["id"]))[0] == 0  # a better name
    assert keywords("grace.jpg") == {"People|Grace Hopper"}  # the old one went with it
    [again] = _faces(cli, grace / "grace_again.jpg")["grace_again.jpg"]
    assert cli("people", "name", "Amazing Grace", str(again["id"]))[0] == 0
    assert keywords("grace_again.jpg") == {"People|Amazing Grace"}  # a bare name is written her way
    code, out = cli("people", "merge", "People|Amazing Grace", "People|Grace Hopper")
    assert code == 0, out
    assert keywords("grace_again.jpg") == {"People|Grace Hopper"}  # the photo follows the merge
    assert cli("people", "merge", "Nobody", "People|X")[0] == 1
    assert cli("people", "forget", "Nobody")[0] == 1
    assert cli("tag", grace / "grace.jpg", "--remove", "People|Grace Hopper")[0] == 0
    [face] = _faces(cli, grace / "grace.jpg")["grace.jpg"]
    assert face["name"] is None  # the keyword gone, the face is no longer named so


def test_faces_looks_only_at_the_photos_asked_about(cli, grace, monkeypatch):
    monkeypatch.setenv("TAGASSIST_FACES", "on")
    assert cli("scan", grace)[0] == 0
    code, out = cli("faces", grace / "grace.jpg", "--json")
    assert code == 0
    code, out = cli("index", "--faces", "on")
    assert "faces found on 2 photos" in out  # the two it was not asked about


def test_a_person_is_not_suggested_for_a_photo_whose_faces_cannot_be_her(cli, grace):
    """A frequent person keyword is not offered for a photo of someone else, nor where she
    said the face is not that person."""
    assert cli("scan", grace)[0] == 0
    assert cli("index", "--faces", "on")[0] == 0
    [face] = _faces(cli, grace / "grace.jpg")["grace.jpg"]
    assert cli("people", "name", "People|Grace Hopper", str(face["id"]))[0] == 0
    others = _faces(cli, grace / "others.jpg")["others.jpg"]
    for i, other in enumerate(others):  # she tags the group with her often, by hand
        assert cli("people", "name", f"People|Stranger {i}", str(other["id"]))[0] == 0
    [again] = _faces(cli, grace / "grace_again.jpg")["grace_again.jpg"]
    assert cli("people", "name", "People|Grace Hopper", str(again["id"]), "--reject")[0] == 0
    [result] = json.loads(cli("suggest", grace / "grace_again.jpg", "--json", "-k", "9")[1])
    assert "People|Grace Hopper" not in {s["tag"] for s in result["suggestions"]}
    assert not {s["tag"] for s in result["suggestions"]} & {f"People|Stranger {i}" for i in range(len(others))}


def test_find_the_rest_of_a_person_uses_the_faces(cli, grace):
    assert cli("scan", grace)[0] == 0
    assert cli("index", "--faces", "on")[0] == 0
    [face] = _faces(cli, grace / "grace.jpg")["grace.jpg"]
    assert cli("people", "name", "People|Grace Hopper", str(face["id"]))[0] == 0
    code, out = cli("find", "People|Grace Hopper", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found[0]["path"].endswith("grace_again.jpg")
    assert found[0]["reason"] == "a face matches 1 photo you tagged 'People|Grace Hopper'"
    assert all(f["score"] < found[0]["score"] for f in found[1:])  # the others' faces are other people
