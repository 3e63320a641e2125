"""Face regions in XMP (issue 27, items 2 and 5): read from MWG, Microsoft and IPTC as Lightroom,
digiKam, Picasa and Windows wrote them, turned to the displayed photo, and written back three-way
where Lightroom, digiKam and exiftool read them."""

import json
import subprocess

import pytest
from PIL import Image, ImageDraw

from tagassist.library import face_region_writing as frw
from tagassist.library import face_regions as fr
from tagassist.library.face_region_writing import WrittenFaces
from tagassist.library.face_regions import FaceRegion
from tagassist.library.imaging import apply_orientation
from tagassist.library.keyword_export import ExportError
from tagassist.library.keywords import parse_xmp
from tagassist.records import FaceBox
from tests.conftest import need_tool

# The XMP of immich-app/test-assets, metadata/faces/portrait.jpg (840x700, upright; written by
# exiv2, as digiKam writes it: MWG structs in rdf:Description attributes, Microsoft's regions
# as rdf:li attributes), cut to the people.
PORTRAIT = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:MP="http://ns.microsoft.com/photo/1.2/" xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
    xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#" xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
   <digiKam:TagsList><rdf:Seq><rdf:li>People/Marie Curie</rdf:li><rdf:li>People/Pierre Curie</rdf:li></rdf:Seq>
   </digiKam:TagsList>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>People|Marie Curie</rdf:li><rdf:li>People|Pierre Curie</rdf:li>
   </rdf:Bag></lr:hierarchicalSubject>
   <dc:subject><rdf:Bag><rdf:li>Marie Curie</rdf:li><rdf:li>Pierre Curie</rdf:li></rdf:Bag></dc:subject>
   <MP:RegionInfo rdf:parseType="Resource"> <MPRI:Regions> <rdf:Bag>
     <rdf:li MPReg:PersonDisplayName="Marie Curie" MPReg:Rectangle="0.311905, 0.208571, 0.113095, 0.198571"/>
     <rdf:li MPReg:PersonDisplayName="Pierre Curie" MPReg:Rectangle="0.639286, 0.118571, 0.0964286, 0.241429"/>
   </rdf:Bag> </MPRI:Regions> </MP:RegionInfo>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions stDim:w="840" stDim:h="700" stDim:unit="pixel"/>
    <mwg-rs:RegionList> <rdf:Bag>
     <rdf:li> <rdf:Description mwg-rs:Name="Marie Curie" mwg-rs:Type="Face">
      <mwg-rs:Area stArea:x="0.368452" stArea:y="0.307857" stArea:w="0.113095" stArea:h="0.198571"
        stArea:unit="normalized"/> </rdf:Description> </rdf:li>
     <rdf:li> <rdf:Description mwg-rs:Name="Pierre Curie" mwg-rs:Type="Face">
      <mwg-rs:Area stArea:x="0.6875" stArea:y="0.239286" stArea:w="0.0964286" stArea:h="0.241429"
        stArea:unit="normalized"/> </rdf:Description> </rdf:li>
    </rdf:Bag> </mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""

# immich-app/test-assets, metadata/faces/portrait-orientation-6.jpg: the same photo stored
# turned (700x840, EXIF orientation 6), written by exiftool (structs as rdf:parseType="Resource"
# elements), its MWG regions on the stored image as the MWG guidelines say, AppliedToDimensions
# the stored size.
PORTRAIT_6 = """<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='Image::ExifTool 13.10'>
<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
 <rdf:Description rdf:about='' xmlns:mwg-rs='http://www.metadataworkinggroup.com/schemas/regions/'
  xmlns:stArea='http://ns.adobe.com/xmp/sType/Area#' xmlns:stDim='http://ns.adobe.com/xap/1.0/sType/Dimensions#'>
  <mwg-rs:Regions rdf:parseType='Resource'>
   <mwg-rs:AppliedToDimensions rdf:parseType='Resource'>
    <stDim:h>840</stDim:h> <stDim:unit>pixel</stDim:unit> <stDim:w>700</stDim:w>
   </mwg-rs:AppliedToDimensions>
   <mwg-rs:RegionList> <rdf:Bag>
     <rdf:li rdf:parseType='Resource'>
      <mwg-rs:Area rdf:parseType='Resource'>
       <stArea:h>0.113095</stArea:h> <stArea:unit>normalized</stArea:unit> <stArea:w>0.198571</stArea:w>
       <stArea:x>0.307857</stArea:x> <stArea:y>0.631548</stArea:y>
      </mwg-rs:Area>
      <mwg-rs:Name>Marie Curie</mwg-rs:Name> <mwg-rs:Type>Face</mwg-rs:Type>
     </rdf:li>
     <rdf:li rdf:parseType='Resource'>
      <mwg-rs:Area rdf:parseType='Resource'>
       <stArea:h>0.0964286</stArea:h> <stArea:unit>normalized</stArea:unit> <stArea:w>0.241429</stArea:w>
       <stArea:x>0.239286</stArea:x> <stArea:y>0.3125</stArea:y>
      </mwg-rs:Area>
      <mwg-rs:Name>Pierre Curie</mwg-rs:Name> <mwg-rs:Type>Face</mwg-rs:Type>
     </rdf:li>
   </rdf:Bag> </mwg-rs:RegionList>
  </mwg-rs:Regions>
 </rdf:Description>
</rdf:RDF>
</x:xmpmeta>"""

# Where the faces are in the photo as seen (the upright file's Microsoft rectangles, which
# are left, top, width, height).
MARIE = FaceBox(0.311905, 0.208571, 0.113095, 0.198571)
PIERRE = FaceBox(0.639286, 0.118571, 0.0964286, 0.241429)

_NS = ('xmlns:x="adobe:ns:meta/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
       ' xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
       ' xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#" xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"'
       ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
       ' xmlns:MP="http://ns.microsoft.com/photo/1.2/" xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"'
       ' xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#"')


def _packet(body: str) -> str:
    return f'<x:xmpmeta {_NS}><rdf:RDF><rdf:Description rdf:about="">{body}</rdf:Description></rdf:RDF></x:xmpmeta>'


DIMENSIONS = '<mwg-rs:AppliedToDimensions stDim:w="400" stDim:h="300" stDim:unit="pixel"/>'


def _regions(items: str, dimensions: str = DIMENSIONS) -> str:
    return (f'<mwg-rs:Regions rdf:parseType="Resource">{dimensions}'
            f'<mwg-rs:RegionList><rdf:Bag>{items}</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>')


def _region(name: str | None, kind: str, x: float, y: float, w: float, h: float, extra: str = "") -> str:
    named = f'mwg-rs:Name="{name}" ' if name else ""
    return (f'<rdf:li><rdf:Description {named}mwg-rs:Type="{kind}" {extra}><mwg-rs:Area stArea:x="{x}" stArea:y="{y}"'
            f' stArea:w="{w}" stArea:h="{h}" stArea:unit="normalized"/></rdf:Description></rdf:li>')


def _close(a: FaceBox, b: FaceBox, tolerance: float = 2e-6) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip((a.x, a.y, a.w, a.h), (b.x, b.y, b.w, b.h)))


# -- orientation ------------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_box_turns_as_the_pixels_do(orientation):
    """A white box drawn on the stored image is where ``to_displayed`` says once the image is
    turned as tagassist turns photos for display (and for the face detector)."""
    stored = Image.new("L", (200, 100))
    ImageDraw.Draw(stored).rectangle((20, 10, 79, 29), fill=255)  # 60x20 px at (20, 10)
    shown = apply_orientation(stored, orientation)
    left, top, right, bottom = shown.getbbox()
    expected = FaceBox(left / shown.width, top / shown.height, (right - left) / shown.width,
                       (bottom - top) / shown.height)
    box = FaceBox(0.1, 0.1, 0.3, 0.2)
    assert _close(fr.to_displayed(box, orientation), expected, 1e-9)
    assert _close(fr.to_stored(fr.to_displayed(box, orientation), orientation), box, 1e-12)


def test_stored_size_swaps_for_a_quarter_turn():
    assert fr.stored_size((840, 700), 6) == (700, 840)
    assert fr.stored_size((840, 700), 3) == (840, 700)


# -- reading the real files -------------------------------------------------------------------

def test_mwg_regions_of_an_upright_photo_are_where_the_faces_are():
    regions = fr.read_regions(PORTRAIT, 1, (840, 700))
    mwg = [r for r in regions if r.source == fr.MWG]
    assert [(r.name, r.index) for r in mwg] == [("Marie Curie", 1), ("Pierre Curie", 2)]
    # MWG's x, y are the centre: the box is the one Microsoft's rectangle (left, top) gives
    assert _close(mwg[0].box, MARIE) and _close(mwg[1].box, PIERRE)
    microsoft = [r for r in regions if r.source == fr.MICROSOFT]
    assert [r.name for r in microsoft] == ["Marie Curie", "Pierre Curie"]
    assert _close(microsoft[0].box, MARIE, 1e-12)


def test_regions_of_a_turned_photo_are_turned_to_the_displayed_photo():
    faces = fr.read_faces(PORTRAIT_6, 6, (700, 840))
    assert [(f.name, f.source) for f in faces] == [("Marie Curie", "mwg"), ("Pierre Curie", "mwg")]
    assert _close(faces[0].box, MARIE) and _close(faces[1].box, PIERRE)


def test_regions_of_a_turned_photo_read_without_its_orientation_are_the_stored_ones():
    marie = fr.read_faces(PORTRAIT_6)[0]
    assert not _close(marie.box, MARIE)
    assert _close(fr.to_displayed(marie.box, 6), MARIE)


def test_a_writer_that_kept_displayed_coordinates_is_read_as_it_wrote():
    """AppliedToDimensions of the displayed size on a photo stored turned: the areas were
    written on the displayed photo (not as MWG says), and are not turned again."""
    displayed = PORTRAIT_6.replace("<stDim:h>840</stDim:h>", "<stDim:h>700</stDim:h>").replace(
        "<stDim:w>700</stDim:w>", "<stDim:w>840</stDim:w>")
    marie = fr.read_faces(displayed, 6, (700, 840))[0]
    assert _close(marie.box, fr.to_displayed(fr.read_faces(PORTRAIT_6)[0].box, 1))
    assert _close(fr.read_faces(PORTRAIT_6, 6, (700, 840))[0].box, MARIE)


def test_faces_take_mwg_first_then_microsoft_then_names_without_boxes():
    packet = _packet(
        _regions(_region("Anna", "Face", 0.25, 0.25, 0.1, 0.1) + _region("Rex", "Pet", 0.7, 0.7, 0.2, 0.2)
                 + _region(None, "Focus", 0.5, 0.5, 0.01, 0.01, 'mwg-rs:FocusUsage="EvaluatedUsed"'))
        + '<MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag>'
          '<rdf:li MPReg:PersonDisplayName="Anna" MPReg:Rectangle="0.2, 0.2, 0.1, 0.1"/>'
          '<rdf:li MPReg:PersonDisplayName="Ben" MPReg:Rectangle="0.6, 0.1, 0.1, 0.1"/>'
          '<rdf:li MPReg:PersonDisplayName="Anne" MPReg:Rectangle="0.205, 0.2, 0.1, 0.1"/>'
          '</rdf:Bag></MPRI:Regions></MP:RegionInfo>'
        + '<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Ben</rdf:li><rdf:li>Carla</rdf:li></rdf:Bag>'
          '</Iptc4xmpExt:PersonInImage>')
    regions = fr.read_regions(packet)
    assert [(r.name, r.kind, r.source) for r in regions if r.source == fr.MWG] == [
        ("Anna", "Face", "mwg"), ("Rex", "Pet", "mwg"), (None, "Focus", "mwg")]
    faces = fr.faces(regions)
    # Anna once (MWG's); Anne's box is Anna's face; Ben has a box; Carla only a name; no pet
    assert [(f.name, f.source, f.box is not None) for f in faces] == [
        ("Anna", "mwg", True), ("Ben", "mp", True), ("Carla", "iptc", False)]
    assert _close(faces[0].box, FaceBox(0.2, 0.2, 0.1, 0.1))


def test_regions_in_pixels_are_normalized_by_their_dimensions():
    packet = _packet(_regions('<rdf:li rdf:parseType="Resource"><mwg-rs:Name>Anna</mwg-rs:Name>'
                              '<mwg-rs:Area stArea:x="100" stArea:y="150" stArea:w="40" stArea:h="60"'
                              ' stArea:unit="pixel"/>'
                              '</rdf:li>'))
    assert _close(fr.read_faces(packet)[0].box, FaceBox(0.2, 0.4, 0.1, 0.2), 1e-12)


def test_junk_areas_give_names_without_boxes():
    items = (_region("A", "Face", "nan", 0.5, 0.1, 0.1) + _region("B", "Face", 0.5, 0.5, -0.1, 0.1)
             + _region("C", "Face", 350, 200, 20, 20) + _region("D", "Face", 0.99, 0.5, 0.1, 0.1))
    faces = fr.read_faces(_packet(_regions(items, "")))
    assert [(f.name, f.box) for f in faces[:3]] == [("A", None), ("B", None), ("C", None)]
    assert _close(faces[3].box, FaceBox(0.94, 0.45, 0.06, 0.1), 1e-9)  # cut at the right edge


def test_unsafe_xml_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            + _packet('<Iptc4xmpExt:PersonInImage>&b;</Iptc4xmpExt:PersonInImage>'))
    with pytest.raises(fr.FaceRegionError):
        fr.read_regions(bomb)
    with pytest.raises(fr.FaceRegionError):
        fr.read_regions("<x:xmpmeta")
    assert fr.read_regions(b"  \x00") == []


# -- three-way --------------------------------------------------------------------------------

ANNA, BEN = FaceBox(0.1, 0.1, 0.2, 0.2), FaceBox(0.6, 0.1, 0.2, 0.2)


def _ours(**boxes: FaceBox) -> list[FaceRegion]:
    return [FaceRegion(name, box, fr.TAGASSIST) for name, box in boxes.items()]


def test_a_new_named_face_is_added_and_remembered():
    plan = frw.plan(fr.read_regions(PORTRAIT, 1), WrittenFaces(), _ours(Anna=ANNA))
    assert plan.add == (FaceRegion("Anna", ANNA, fr.TAGASSIST),) and not plan.remove and not plan.update
    assert plan.persons == ("Anna",)
    assert plan.written == WrittenFaces((FaceRegion("Anna", ANNA, fr.TAGASSIST),), ("Anna",))


def test_a_face_another_tool_names_is_not_written_twice():
    plan = frw.plan(fr.read_regions(PORTRAIT, 1), WrittenFaces(), _ours(**{"Marie Curie": MARIE}))
    assert not plan.add and plan.written.regions == ()
    assert plan.persons == ("Marie Curie",)  # the name is hers: PersonInImage gets it


def test_a_face_another_tool_names_otherwise_is_left_and_noted():
    plan = frw.plan(fr.read_regions(PORTRAIT, 1), WrittenFaces(), _ours(Marie=MARIE))
    assert not plan.add and plan.persons is None
    assert plan.notes == ("Marie: another tool names this face 'Marie Curie'; left as it is",)


def _after_first_export(ours):
    """The regions a file has after tagassist wrote ``ours`` into the upright portrait."""
    first = frw.plan(fr.read_regions(PORTRAIT, 1), WrittenFaces(), ours)
    regions = fr.read_regions(PORTRAIT, 1) + [FaceRegion(r.name, r.box, fr.MWG, fr.FACE, 3 + i)
                                              for i, r in enumerate(first.add)]
    persons = [FaceRegion(n, None, fr.IPTC, fr.FACE, i) for i, n in enumerate(first.persons or (), 1)]
    return regions + persons, first.written


def test_nothing_changes_when_nothing_changed():
    in_file, base = _after_first_export(_ours(Anna=ANNA, Ben=BEN))
    again = frw.plan(in_file, base, _ours(Anna=ANNA, Ben=BEN))
    assert not again.changed and again.written == base


def test_a_face_removed_in_the_app_is_taken_out_and_others_stay():
    in_file, base = _after_first_export(_ours(Anna=ANNA, Ben=BEN))
    plan = frw.plan(in_file, base, _ours(Ben=BEN))
    assert plan.remove == (3,) and not plan.add  # Anna (3rd), never Marie or Pierre
    assert plan.persons == ("Ben",)
    assert [r.name for r in plan.written.regions] == ["Ben"] and plan.written.persons == ("Ben",)


def test_a_face_renamed_in_the_app_is_replaced():
    in_file, base = _after_first_export(_ours(Anna=ANNA))
    plan = frw.plan(in_file, base, _ours(Anne=ANNA))
    assert plan.remove == (3,) and [r.name for r in plan.add] == ["Anne"]
    assert plan.persons == ("Anne",)


def test_a_face_moved_in_the_app_is_updated_in_place():
    in_file, base = _after_first_export(_ours(Anna=ANNA))
    moved = FaceBox(0.12, 0.1, 0.2, 0.2)
    plan = frw.plan(in_file, base, _ours(Anna=moved))
    assert plan.update == ((3, FaceRegion("Anna", moved, fr.TAGASSIST)),) and not plan.remove and not plan.add
    assert plan.written.regions == (FaceRegion("Anna", moved, fr.TAGASSIST),)


def test_a_face_another_tool_nudged_keeps_its_box():
    in_file, base = _after_first_export(_ours(Anna=ANNA))
    nudged = FaceBox(0.11, 0.1, 0.2, 0.2)
    in_file = [FaceRegion(r.name, nudged, r.source, r.kind, r.index) if r.name == "Anna" and r.box else r
               for r in in_file]
    plan = frw.plan(in_file, base, _ours(Anna=ANNA))
    assert not plan.changed and plan.written.regions == (FaceRegion("Anna", nudged, fr.TAGASSIST),)


def test_a_face_another_tool_removed_is_not_written_back():
    in_file, base = _after_first_export(_ours(Anna=ANNA))
    in_file = [r for r in in_file if r.name != "Anna"]
    plan = frw.plan(in_file, base, _ours(Anna=ANNA))
    assert not plan.changed
    assert plan.notes == ("Anna: the face region was removed in another tool; not written back",)
    assert plan.written == WrittenFaces()


def test_regions_tagassist_did_not_write_are_never_removed():
    """A base that names a face another tool also named (same name, far away box) does not
    claim the other tool's region."""
    base = WrittenFaces((FaceRegion("Marie Curie", FaceBox(0.8, 0.8, 0.1, 0.1), fr.TAGASSIST),), ("Marie Curie",))
    plan = frw.plan(fr.read_regions(PORTRAIT, 1), base, [])
    assert plan.remove == () and plan.persons is None


def test_person_names_other_tools_wrote_are_kept():
    in_file = [FaceRegion("Carla", None, fr.IPTC, fr.FACE, 1)]
    plan = frw.plan(in_file, WrittenFaces((FaceRegion("Ben", BEN, fr.TAGASSIST),), ("Ben",)), _ours(Anna=ANNA))
    assert plan.persons == ("Carla", "Anna")


# -- written where Lightroom, digiKam and exiftool read it -----------------------------------

def _exiftool(*args) -> list[dict]:
    out = subprocess.run([need_tool("exiftool"), "-j", "-struct", "-RegionInfo", "-PersonInImage", *map(str, args)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _boxes(info: dict) -> dict[str | None, tuple]:
    """name -> (type, centre x, y, w, h) as exiftool reads the regions."""
    return {r.get("Name"): (r.get("Type"), *(round(float(r["Area"][k]), 5) for k in ("X", "Y", "W", "H")))
            for r in info["RegionInfo"]["RegionList"]}


# A Lightroom Classic sidecar: its regions, a pet, a focus point, and its keywords.
LIGHTROOM_SIDECAR = _packet(
    '<mwg-rs:Regions rdf:parseType="Resource">'
    '<mwg-rs:AppliedToDimensions stDim:w="4000" stDim:h="3000" stDim:unit="pixel"/>'
    '<mwg-rs:RegionList><rdf:Bag>'
    + _region("Carla", "Face", 0.7, 0.3, 0.1, 0.15) + _region("Rex", "Pet", 0.2, 0.8, 0.2, 0.2)
    + _region(None, "Focus", 0.5, 0.5, 0.02, 0.02, 'mwg-rs:FocusUsage="EvaluatedUsed"')
    + '</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>'
    '<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Carla</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>'
    '<dc:subject xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Bag><rdf:li>garden</rdf:li></rdf:Bag></dc:subject>')


def test_a_lightroom_sidecar_keeps_its_regions_and_gets_ours(tmp_path):
    sidecar = tmp_path / "a.xmp"
    data, plan = frw.render(sidecar, LIGHTROOM_SIDECAR.encode(), WrittenFaces(), _ours(Anna=ANNA), 1, (4000, 3000))
    sidecar.write_bytes(data)
    [info] = _exiftool(sidecar)
    assert _boxes(info) == {"Carla": ("Face", 0.7, 0.3, 0.1, 0.15), "Rex": ("Pet", 0.2, 0.8, 0.2, 0.2),
                            None: ("Focus", 0.5, 0.5, 0.02, 0.02), "Anna": ("Face", 0.2, 0.2, 0.2, 0.2)}
    assert info["RegionInfo"]["RegionList"][2]["FocusUsage"] == "Evaluated, Used"  # kept as Lightroom wrote it
    assert info["RegionInfo"]["AppliedToDimensions"] == {"W": 4000, "H": 3000, "Unit": "pixel"}
    assert info["PersonInImage"] == ["Carla", "Anna"]
    assert parse_xmp(data).keywords == ["garden"]

    # Anna removed in the app: hers go, Lightroom's stay
    data, _ = frw.render(sidecar, data, plan.written, [], 1, (4000, 3000))
    sidecar.write_bytes(data)
    [info] = _exiftool(sidecar)
    assert set(_boxes(info)) == {"Carla", "Rex", None}
    assert info["PersonInImage"] == ["Carla"]


def test_a_new_sidecar_holds_our_regions(tmp_path):
    sidecar = tmp_path / "b.xmp"
    data, plan = frw.render(sidecar, None, WrittenFaces(), _ours(Anna=ANNA, Ben=BEN), 6, (3000, 4000))
    sidecar.write_bytes(data)
    [info] = _exiftool(sidecar)
    # stored on the image as it is stored (MWG): a quarter turn back
    anna = fr.to_stored(ANNA, 6)
    assert _boxes(info)["Anna"] == ("Face", *(round(v, 5) for v in (anna.x + anna.w / 2, anna.y + anna.h / 2,
                                                                    anna.w, anna.h)))
    assert info["RegionInfo"]["AppliedToDimensions"] == {"W": 3000, "H": 4000, "Unit": "pixel"}
    assert info["PersonInImage"] == ["Anna", "Ben"]
    faces = fr.read_faces(data, 6, (3000, 4000))
    assert [f.name for f in faces] == ["Anna", "Ben"]
    assert _close(faces[0].box, ANNA) and _close(faces[1].box, BEN)
    # the last of ours removed: no empty regions left
    data, _ = frw.render(sidecar, data, plan.written, [], 6, (3000, 4000))
    assert fr.read_regions(data) == []


def _jpeg_with(tmp_path, packet: str, name: str = "p.jpg", orientation: int = 1):
    need_tool("exiftool")
    path = tmp_path / name
    xmp = tmp_path / f"{name}.src.xmp"
    xmp.write_text(packet)
    Image.new("RGB", (84, 70) if orientation == 1 else (70, 84), "gray").save(path, quality=80)
    subprocess.run(["exiftool", "-q", "-overwrite_original", f"-Orientation#={orientation}", f"-xmp<={xmp}", path],
                   check=True)
    return path


def test_a_digikam_jpeg_keeps_its_regions_and_gets_ours(tmp_path):
    photo = _jpeg_with(tmp_path, PORTRAIT)
    data, plan = frw.render(photo, photo.read_bytes(), WrittenFaces(), _ours(Anna=ANNA), 1, (84, 70))
    photo.write_bytes(data)
    [info] = _exiftool(photo)
    boxes = _boxes(info)
    assert boxes["Marie Curie"] == ("Face", 0.36845, 0.30786, 0.1131, 0.19857)
    assert boxes["Pierre Curie"] == ("Face", 0.6875, 0.23929, 0.09643, 0.24143)
    assert boxes["Anna"] == ("Face", 0.2, 0.2, 0.2, 0.2)
    assert info["RegionInfo"]["AppliedToDimensions"] == {"W": 840, "H": 700, "Unit": "pixel"}  # digiKam's
    assert info["PersonInImage"] == ["Anna"]
    assert Image.open(photo).size == (84, 70)
    # read back by tagassist from the packet exiftool finds, the faces are where they were drawn
    packet = subprocess.run(["exiftool", "-xmp", "-b", photo], check=True, capture_output=True).stdout
    faces = {f.name: f.box for f in fr.read_faces(packet, 1)}
    assert _close(faces["Anna"], ANNA) and _close(faces["Marie Curie"], MARIE)

    data, _ = frw.render(photo, data, plan.written, _ours(Anna=FaceBox(0.15, 0.1, 0.2, 0.2)), 1, (84, 70))
    photo.write_bytes(data)
    assert _exiftool(photo)[0]["RegionInfo"]["RegionList"][2]["Area"]["X"] == 0.25


def test_a_turned_jpeg_gets_regions_on_its_stored_image(tmp_path):
    photo = _jpeg_with(tmp_path, PORTRAIT_6, "p6.jpg", 6)
    data, _ = frw.render(photo, photo.read_bytes(), WrittenFaces(), _ours(Anna=FaceBox(0.1, 0.5, 0.1, 0.2)), 6,
                        (70, 84))
    photo.write_bytes(data)
    [info] = _exiftool(photo)
    assert _boxes(info)["Anna"] == ("Face", 0.6, 0.85, 0.2, 0.1)
    assert _boxes(info)["Marie Curie"] == ("Face", 0.30786, 0.63155, 0.19857, 0.1131)
    assert info["RegionInfo"]["AppliedToDimensions"] == {"W": 700, "H": 840, "Unit": "pixel"}


def test_a_raw_file_or_a_png_is_not_rewritten(tmp_path):
    png = tmp_path / "a.png"
    Image.new("RGB", (8, 8)).save(png)
    with pytest.raises(ExportError, match="JPEGs only"):
        frw.render(png, png.read_bytes(), WrittenFaces(), _ours(Anna=ANNA))
    with pytest.raises(ExportError, match="RAW"):
        frw.render(tmp_path / "a.NEF", b"II*\x00", WrittenFaces(), _ours(Anna=ANNA))


def test_a_jpeg_whose_last_region_was_ours_stays_a_jpeg(tmp_path):
    photo = tmp_path / "plain.jpg"
    Image.new("RGB", (40, 30), "gray").save(photo)
    data, plan = frw.render(photo, photo.read_bytes(), WrittenFaces(), _ours(Anna=ANNA), 1, (40, 30))
    data, _ = frw.render(photo, data, plan.written, [], 1, (40, 30))
    photo.write_bytes(data)
    assert Image.open(photo).size == (40, 30)
    assert _exiftool(photo) == [{"SourceFile": str(photo)}]


def test_face_box_overlap_and_pixels():
    box = FaceBox(0.0, 0.0, 0.5, 0.5)
    assert box.iou(box) == 1.0
    assert box.iou(FaceBox(0.25, 0.0, 0.5, 0.5)) == pytest.approx(1 / 3)
    assert box.iou(FaceBox(0.6, 0.6, 0.1, 0.1)) == 0.0
    assert FaceBox(0.1, 0.2, 0.3, 0.4).pixels(100, 50) == (10, 10, 40, 30)


def test_fields_as_attributes_of_the_list_item_in_a_seq():
    """Some writers put a struct's fields on rdf:li itself, and the list in an rdf:Seq."""
    packet = _packet('<mwg-rs:Regions><rdf:Description><mwg-rs:RegionList><rdf:Seq>'
                     '<rdf:li mwg-rs:Name="Anna" mwg-rs:Type="Face"><mwg-rs:Area rdf:parseType="Resource">'
                     '<stArea:x>0.5</stArea:x><stArea:y>0.5</stArea:y><stArea:w>0.2</stArea:w><stArea:h>0.4</stArea:h>'
                     '</mwg-rs:Area></rdf:li></rdf:Seq></mwg-rs:RegionList></rdf:Description></mwg-rs:Regions>'
                     '<Iptc4xmpExt:PersonInImage>Ben</Iptc4xmpExt:PersonInImage>')
    faces = fr.read_faces(packet, 3)
    assert [(f.name, f.source) for f in faces] == [("Anna", "mwg"), ("Ben", "iptc")]
    assert _close(faces[0].box, FaceBox(0.4, 0.3, 0.2, 0.4), 1e-12)  # half a turn: the same centre


def test_ours_follow_a_file_that_kept_displayed_coordinates(tmp_path):
    """Regions another writer kept on the displayed photo (AppliedToDimensions the displayed
    size): ours are written the same way, so the file stays consistent for every reader."""
    displayed = PORTRAIT_6.replace("<stDim:h>840</stDim:h>", "<stDim:h>700</stDim:h>").replace(
        "<stDim:w>700</stDim:w>", "<stDim:w>840</stDim:w>")
    sidecar = tmp_path / "c.xmp"
    data, _ = frw.render(sidecar, displayed.encode(), WrittenFaces(), _ours(Anna=FaceBox(0.1, 0.5, 0.1, 0.2)), 6,
                        (700, 840))
    sidecar.write_bytes(data)
    assert _boxes(_exiftool(sidecar)[0])["Anna"] == ("Face", 0.15, 0.6, 0.1, 0.2)
    assert _close(fr.read_faces(data, 6, (700, 840))[-1].box, FaceBox(0.1, 0.5, 0.1, 0.2))
