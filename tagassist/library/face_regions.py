"""Named faces in XMP: read from what Lightroom, digiKam, Picasa and Windows wrote, and written
back three-way, so Lightroom and digiKam show the names tagassist gives.

Three schemas hold people:

- MWG regions (``mwg-rs:Regions``: Lightroom Classic, digiKam, Picasa, Immich, exiftool): a
  RegionList of structs with ``mwg-rs:Name``, ``mwg-rs:Type`` (Face, Pet, Focus, BarCode) and an
  ``mwg-rs:Area`` whose ``stArea:x``/``stArea:y`` are the box's CENTRE, normalized to the
  ``mwg-rs:AppliedToDimensions``;
- Microsoft's ``MP:RegionInfo`` (Windows Live Photo Gallery): ``MPReg:Rectangle`` is
  "left, top, width, height", normalized;
- ``Iptc4xmpExt:PersonInImage``: names without boxes.

**Orientation.** The MWG Guidelines for Handling Image Metadata 2.0 (section 5.9, Image Region
Metadata; see also 5.4, Orientation) say region metadata is applied to the *stored* image: a
viewer that turns the image by its Exif Orientation must turn the regions with it, and
``AppliedToDimensions`` is the stored image's size. immich-app/test-assets'
``metadata/faces/portrait-orientation-6.jpg`` (Immich's fix for mispositioned imported faces,
immich-app/immich#18021) is built that way: AppliedToDimensions 700x840 (stored), the areas
turned, while the upright ``portrait.jpg`` is 840x700. A ``FaceBox`` (``tagassist.records``) is in
the photo as displayed, so boxes are turned by the orientation on reading and back on writing.
Microsoft's rectangles are treated the same way (exiftool's ``rotate_regions.config`` turns
both with the pixels); where a file has both, the MWG region names the face. A writer that
kept a turned photo's regions in its displayed orientation shows itself by an
AppliedToDimensions of the displayed size: those areas are taken as they are.

**Writing** them back, three-way like keywords, is ``tagassist.library.face_region_writing``'s.

XMP is untrusted: parsed with defusedxml, as ``tagassist.library.keywords`` does.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from ..records import FaceBox, normalise_tag
from .keywords import KeywordError, xmp_root

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
MWG_RS = "{http://www.metadataworkinggroup.com/schemas/regions/}"
ST_AREA = "{http://ns.adobe.com/xmp/sType/Area#}"
ST_DIM = "{http://ns.adobe.com/xap/1.0/sType/Dimensions#}"
MP = "{http://ns.microsoft.com/photo/1.2/}"
MPRI = "{http://ns.microsoft.com/photo/1.2/t/RegionInfo#}"
MPREG = "{http://ns.microsoft.com/photo/1.2/t/Region#}"
IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"

FACE = "Face"
# Where a region was read from: MWG regions, Microsoft's, IPTC's PersonInImage (no box).
MWG, MICROSOFT, IPTC = "mwg", "mp", "iptc"
# What tagassist itself says about a face (the app's faces, handed to ``plan``).
TAGASSIST = "tagassist"

MAX_REGIONS = 1000  # a crowd is a few hundred faces; more is junk
MAX_NAME = 200
# A region in the file is the one tagassist wrote when its name is the same and its box overlaps
# the written one this much (other tools round coordinates, and may nudge a box).
SAME_REGION_IOU = 0.3
# Another tool's named face this much under one of ours: the same face, already named.
SAME_FACE_IOU = 0.5
# Boxes closer than this (each edge, normalized) are the same box: no rewrite for rounding.
BOX_TOLERANCE = 1e-4

# exiv2's keys.


class FaceRegionError(KeywordError):
    """Face regions could not be read; the message is one line for the user."""


@dataclass(frozen=True)
class FaceRegion:
    """A face (or another region) a file names or boxes, or one tagassist has.

    ``box`` is in the photo as displayed (``FaceBox``); None for a name without a box
    (PersonInImage). ``kind`` is the MWG type ('Face', 'Pet', 'Focus', 'BarCode'; '' where a
    region has none). ``index`` is the region's place in its file's list, from 1 as exiv2 counts,
    for the regions read from a file."""

    name: str | None
    box: FaceBox | None
    source: str
    kind: str = FACE
    index: int | None = None

    @property
    def is_face(self) -> bool:
        return self.kind in (FACE, "")


# -- orientation ------------------------------------------------------------------------------
# Where a stored point (x, y), normalized, is seen once the Exif orientation is applied (as
# ``imaging.apply_orientation`` turns the pixels): 2 mirrored, 3 half a turn, 4 flipped,
# 5 transposed, 6 a quarter turn clockwise, 7 transversed, 8 a quarter turn anticlockwise.
_SHOWN = {
    1: lambda x, y: (x, y),
    2: lambda x, y: (1 - x, y),
    3: lambda x, y: (1 - x, 1 - y),
    4: lambda x, y: (x, 1 - y),
    5: lambda x, y: (y, x),
    6: lambda x, y: (1 - y, x),
    7: lambda x, y: (1 - y, 1 - x),
    8: lambda x, y: (y, 1 - x),
}
_INVERSE = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}


def _map_box(box: FaceBox, orientation: int) -> FaceBox:
    mapping = _SHOWN[orientation]
    (x1, y1), (x2, y2) = mapping(box.x, box.y), mapping(box.x + box.w, box.y + box.h)
    return FaceBox(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))


def to_displayed(box: FaceBox, orientation: int | None) -> FaceBox:
    """A box of the stored image, as it is seen in the photo turned by its Exif orientation."""
    return _map_box(box, orientation if orientation in _SHOWN else 1)


def to_stored(box: FaceBox, orientation: int | None) -> FaceBox:
    """A box of the displayed photo, on the stored image (what MWG regions hold)."""
    return _map_box(box, _INVERSE.get(orientation or 1, 1))


def stored_size(displayed: tuple[int, int], orientation: int | None) -> tuple[int, int]:
    """The stored image's width and height from the displayed ones."""
    width, height = displayed
    return (height, width) if (orientation or 1) in (5, 6, 7, 8) else (width, height)


# -- reading ----------------------------------------------------------------------------------

def _fields(struct: ET.Element) -> dict[str, str | ET.Element]:
    """A struct's fields, however RDF wrote them: attributes of the element, child elements
    (rdf:parseType="Resource"), or either inside an rdf:Description. A field that is itself a
    struct is its element; a simple one its text."""
    found: dict[str, str | ET.Element] = {}
    for element in [struct, *struct.findall(f"{RDF}Description")]:
        for name, value in element.attrib.items():
            if not name.startswith(RDF):
                found.setdefault(name, value)
        for child in element:
            if child.tag == f"{RDF}Description":
                continue
            simple = len(child) == 0 and not any(not k.startswith(RDF) for k in child.attrib)
            found.setdefault(child.tag, (child.text or "").strip() if simple else child)
    return found


def _items(element: ET.Element | str | None) -> list[ET.Element]:
    """The rdf:li of a Bag or Seq (an array written with either)."""
    if not isinstance(element, ET.Element):
        return []
    for container in (f"{RDF}Bag", f"{RDF}Seq", f"{RDF}Alt"):
        found = element.find(container)
        if found is not None:
            return found.findall(f"{RDF}li")
    return []


def xmp_number(value) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def xmp_text(value) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(normalise_tag(value.replace("|", " ")).split())[:MAX_NAME]
    return text or None


def _clean_box(left, top, width, height) -> FaceBox | None:
    """A normalized box from untrusted numbers, cut to the image; None if there is none."""
    if any(v is None for v in (left, top, width, height)) or width <= 0 or height <= 0:
        return None
    if left > 1 or top > 1 or left + width < 0 or top + height < 0 or width > 2 or height > 2:
        return None  # not normalized (pixels, or junk)
    x0, y0 = max(0.0, left), max(0.0, top)
    x1, y1 = min(1.0, left + width), min(1.0, top + height)
    return FaceBox(x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _dimensions(regions: dict) -> tuple[float, float] | None:
    applied = regions.get(f"{MWG_RS}AppliedToDimensions")
    if not isinstance(applied, ET.Element):
        return None
    fields = _fields(applied)
    width, height = xmp_number(fields.get(f"{ST_DIM}w")), xmp_number(fields.get(f"{ST_DIM}h"))
    return (width, height) if width and height and width > 0 and height > 0 else None


def area_orientation(orientation: int | None, applied: tuple[float, float] | None,
                     stored: tuple[int, int] | None) -> int:
    """The orientation to turn a file's MWG areas by: the photo's, unless AppliedToDimensions is
    the displayed size of a photo turned a quarter (a writer that did not follow MWG)."""
    orientation = orientation if orientation in _SHOWN else 1
    swapped = bool(applied and stored and stored[0] != stored[1]
                   and (round(applied[0]), round(applied[1])) == (stored[1], stored[0]))
    return 1 if orientation >= 5 and swapped else orientation


def _mwg(root: ET.Element, orientation: int | None, stored: tuple[int, int] | None) -> list[FaceRegion]:
    found = []
    for element in root.iter(f"{MWG_RS}Regions"):
        regions = _fields(element)
        applied = _dimensions(regions)
        turn = area_orientation(orientation, applied, stored)
        for index, item in enumerate(_items(regions.get(f"{MWG_RS}RegionList")), 1):
            fields = _fields(item)
            kind = xmp_text(fields.get(f"{MWG_RS}Type")) or ""
            area = fields.get(f"{MWG_RS}Area")
            box = None
            if isinstance(area, ET.Element):
                a = _fields(area)
                x, y, w, h = (xmp_number(a.get(f"{ST_AREA}{k}")) for k in "xywh")
                if (xmp_text(a.get(f"{ST_AREA}unit")) or "normalized").lower() == "pixel" and applied:
                    x, y, w, h = (None if v is None else v / applied[i % 2] for i, v in enumerate((x, y, w, h)))
                if None not in (x, y, w, h):
                    box = _clean_box(x - w / 2, y - h / 2, w, h)  # the area's x, y: its centre
            found.append(FaceRegion(xmp_text(fields.get(f"{MWG_RS}Name")),
                                    to_displayed(box, turn) if box else None, MWG, kind, index))
            if len(found) >= MAX_REGIONS:
                return found
        break  # one Regions struct per packet
    return found


def _microsoft(root: ET.Element, orientation: int | None) -> list[FaceRegion]:
    found = []
    for element in root.iter(f"{MP}RegionInfo"):
        for index, item in enumerate(_items(_fields(element).get(f"{MPRI}Regions")), 1):
            fields = _fields(item)
            parts = [xmp_number(p) for p in str(fields.get(f"{MPREG}Rectangle") or "").split(",")]
            box = _clean_box(*parts) if len(parts) == 4 else None
            found.append(FaceRegion(xmp_text(fields.get(f"{MPREG}PersonDisplayName")),
                                    to_displayed(box, orientation) if box else None, MICROSOFT, FACE, index))
            if len(found) >= MAX_REGIONS:
                return found
        break
    return found


def _persons(root: ET.Element) -> list[str]:
    names = []
    for element in root.iter(f"{IPTC_EXT}PersonInImage"):
        items = _items(element)
        values = [li.text for li in items] if items else [element.text]
        names += [n for n in map(xmp_text, values) if n]
    return list(dict.fromkeys(names))[:MAX_REGIONS]


def read_regions(packet: bytes | str, orientation: int | None = None,
                 stored: tuple[int, int] | None = None) -> list[FaceRegion]:
    """Every region an XMP packet holds, as written: MWG regions of every type (named or not),
    Microsoft's, and PersonInImage's names (source 'iptc', no box), boxes turned to the
    displayed photo. ``orientation``: the photo's Exif orientation; ``stored``: its stored
    width and height, if known (it tells a writer that ignored orientation)."""
    root = xmp_root(packet, FaceRegionError)
    if root is None:
        return []
    persons = [FaceRegion(name, None, IPTC, FACE, i) for i, name in enumerate(_persons(root), 1)]
    return _mwg(root, orientation, stored) + _microsoft(root, orientation) + persons


def faces(regions: Iterable[FaceRegion]) -> list[FaceRegion]:
    """The faces a scan takes from a file's regions (``read_regions``): MWG faces, then
    Microsoft's that no MWG face already names or covers, then PersonInImage's names that no
    box names. Pets, focus areas and bar codes are left out."""
    regions = list(regions)
    chosen = [r for r in regions if r.source == MWG and r.is_face and (r.name or r.box)]
    for region in (r for r in regions if r.source == MICROSOFT and (r.name or r.box)):
        named = region.name is not None and any(c.name == region.name for c in chosen)
        covered = region.box is not None and any(c.box and c.box.iou(region.box) >= SAME_FACE_IOU for c in chosen)
        if not named and not covered:
            chosen.append(region)
    named = {r.name for r in chosen if r.name}
    chosen += [r for r in regions if r.source == IPTC and r.name not in named]
    return chosen


def read_faces(packet: bytes | str, orientation: int | None = None,
               stored: tuple[int, int] | None = None) -> list[FaceRegion]:
    """The faces, named or not, that an XMP packet holds (``faces`` of ``read_regions``)."""
    return faces(read_regions(packet, orientation, stored))
