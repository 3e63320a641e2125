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

**Writing** is three-way, like keywords (``tagassist.library.sync``): the *base* is what
tagassist wrote into the file the last time (``WrittenFaces``, kept by the caller), *ours* the
named faces the app has now, *theirs* what the file holds now. Regions other tools wrote are
never changed or removed; a region tagassist wrote and the photographer has since removed or
renamed in the app is taken out; one another tool removed is not written back. ``plan`` decides
(pure), ``apply_plan`` writes it into exiv2's XmpData (sidecar or embedded: the keyword export
can call it on the same data), ``render`` does both for one file's bytes.

XMP is untrusted: parsed with defusedxml, as ``tagassist.library.keywords`` does.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..records import FaceBox, normalise_tag
from .keywords import MAX_XMP_BYTES, KeywordError

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
_REGIONS = "Xmp.mwg-rs.Regions"
_DIMENSIONS = f"{_REGIONS}/mwg-rs:AppliedToDimensions"
_LIST = f"{_REGIONS}/mwg-rs:RegionList"
_PERSONS = "Xmp.iptcExt.PersonInImage"


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

def _root(packet: bytes | str) -> ET.Element | None:
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    if len(packet) > MAX_XMP_BYTES:
        raise FaceRegionError(f"XMP packet too large ({len(packet) // 1024} KiB)")
    packet = packet.strip(b"\x00 \t\r\n")
    if not packet:
        return None
    try:
        return fromstring(packet, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FaceRegionError(f"XMP refused: {type(exc).__name__} (unsafe XML)") from exc
    except ET.ParseError as exc:
        raise FaceRegionError(f"XMP is not well-formed XML ({exc})") from exc


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


def _number(value) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value) -> str | None:
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
    width, height = _number(fields.get(f"{ST_DIM}w")), _number(fields.get(f"{ST_DIM}h"))
    return (width, height) if width and height and width > 0 and height > 0 else None


def _turn(orientation: int | None, applied: tuple[float, float] | None, stored: tuple[int, int] | None) -> int:
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
        turn = _turn(orientation, applied, stored)
        for index, item in enumerate(_items(regions.get(f"{MWG_RS}RegionList")), 1):
            fields = _fields(item)
            kind = _text(fields.get(f"{MWG_RS}Type")) or ""
            area = fields.get(f"{MWG_RS}Area")
            box = None
            if isinstance(area, ET.Element):
                a = _fields(area)
                x, y, w, h = (_number(a.get(f"{ST_AREA}{k}")) for k in "xywh")
                if (_text(a.get(f"{ST_AREA}unit")) or "normalized").lower() == "pixel" and applied:
                    x, y, w, h = (None if v is None else v / applied[i % 2] for i, v in enumerate((x, y, w, h)))
                if None not in (x, y, w, h):
                    box = _clean_box(x - w / 2, y - h / 2, w, h)  # the area's x, y: its centre
            found.append(FaceRegion(_text(fields.get(f"{MWG_RS}Name")),
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
            parts = [_number(p) for p in str(fields.get(f"{MPREG}Rectangle") or "").split(",")]
            box = _clean_box(*parts) if len(parts) == 4 else None
            found.append(FaceRegion(_text(fields.get(f"{MPREG}PersonDisplayName")),
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
        names += [n for n in map(_text, values) if n]
    return list(dict.fromkeys(names))[:MAX_REGIONS]


def read_regions(packet: bytes | str, orientation: int | None = None,
                 stored: tuple[int, int] | None = None) -> list[FaceRegion]:
    """Every region an XMP packet holds, as written: MWG regions of every type (named or not),
    Microsoft's, and PersonInImage's names (source 'iptc', no box), boxes turned to the
    displayed photo. ``orientation``: the photo's Exif orientation; ``stored``: its stored
    width and height, if known (it tells a writer that ignored orientation)."""
    root = _root(packet)
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


# -- three-way --------------------------------------------------------------------------------

@dataclass(frozen=True)
class WrittenFaces:
    """What tagassist wrote into one file: its MWG face regions (names and displayed boxes) and
    the names it added to PersonInImage. The base of the next export; empty before the first."""

    regions: tuple[FaceRegion, ...] = ()
    persons: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionPlan:
    """What an export changes in a file's face regions."""

    remove: tuple[int, ...] = ()  # MWG regions (their ``index``) tagassist wrote and no longer has
    update: tuple[tuple[int, FaceRegion], ...] = ()  # (index, the region now): tagassist's, moved
    add: tuple[FaceRegion, ...] = ()  # new named faces
    persons: tuple[str, ...] | None = None  # PersonInImage as it is to be; None: left as it is
    written: WrittenFaces = field(default_factory=WrittenFaces)  # the next base
    notes: tuple[str, ...] = ()  # one line each: what was not written, and why

    @property
    def changed(self) -> bool:
        return bool(self.remove or self.update or self.add or self.persons is not None)


def _same_box(a: FaceBox | None, b: FaceBox | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(abs(p - q) <= BOX_TOLERANCE for p, q in zip((a.x, a.y, a.w, a.h), (b.x, b.y, b.w, b.h)))


def _match(written: FaceRegion, candidates: list[FaceRegion]) -> FaceRegion | None:
    """The file's region that is the one tagassist wrote: same name, overlapping box."""
    best, best_iou = None, SAME_REGION_IOU
    for region in candidates:
        if region.name != written.name or region.box is None or written.box is None:
            continue
        iou = region.box.iou(written.box)
        if iou >= best_iou:
            best, best_iou = region, iou
    return best


def plan(in_file: Sequence[FaceRegion], base: WrittenFaces, ours: Iterable[FaceRegion]) -> RegionPlan:
    """The export's changes to one file's face regions, three-way.

    ``in_file``: ``read_regions`` of the file now; ``base``: what tagassist wrote into it last
    (``RegionPlan.written`` of that export); ``ours``: the app's named faces now, boxes in the
    displayed photo (a face without a name or a box is not written).

    - a face tagassist wrote, still in the file, the app still has: left as the file has it, or
      moved to the app's box where the app moved it;
    - one tagassist wrote that the app no longer has (removed, renamed): taken out;
    - one tagassist wrote that another tool took out: not written back;
    - a new one: added, unless the file already names that person or another tool named the
      same face otherwise (then noted);
    - everything else (other tools' regions of any type, Microsoft's, unnamed ones): untouched.

    PersonInImage the same way: the names tagassist added and no longer has are taken out, new
    ones added, other tools' kept.
    """
    mwg = [r for r in in_file if r.source == MWG]
    mine: dict[str, FaceRegion] = {}
    for face in ours:
        name = _text(face.name)
        if name and face.box is not None and name not in mine:
            mine[name] = FaceRegion(name, face.box, TAGASSIST)
    remove, update, add, written, notes, refused = [], [], [], [], [], set()
    unclaimed = [r for r in mwg if r.is_face]
    claimed: dict[str, FaceRegion] = {}
    for before in base.regions:
        match = _match(before, unclaimed)
        if match is not None:
            unclaimed.remove(match)
            claimed[before.name] = match
            if before.name not in mine:
                remove.append(match.index)
        elif before.name in mine:
            notes.append(f"{before.name}: the face region was removed in another tool; not written back")
            refused.add(before.name)

    for name, face in mine.items():
        if name in claimed:
            in_file_now = claimed[name]
            before = next(b for b in base.regions if b.name == name)
            if _same_box(face.box, before.box) or _same_box(face.box, in_file_now.box):
                written.append(in_file_now)  # unchanged in tagassist: the file's box stands
            else:
                update.append((in_file_now.index, face))
                written.append(face)
            continue
        if any(b.name == name for b in base.regions):
            continue  # removed in another tool (noted above)
        if any(r.name == name for r in unclaimed):
            continue  # another tool names this person already
        other = next((r for r in unclaimed if r.name and r.box and r.box.iou(face.box) >= SAME_FACE_IOU), None)
        if other is not None:
            notes.append(f"{name}: another tool names this face {other.name!r}; left as it is")
            refused.add(name)
            continue
        add.append(face)
        written.append(face)

    # PersonInImage: the names tagassist added and no longer has go; the app's new names come,
    # but not one another tool took out, nor one whose face another tool names otherwise.
    file_persons = [r.name for r in in_file if r.source == IPTC and r.name]
    dropped = {n for n in base.persons if n not in mine}
    persons = [n for n in file_persons if n not in dropped]
    new_persons = [n for n in mine if n not in file_persons and n not in base.persons and n not in refused]
    persons += new_persons
    mine_persons = tuple(n for n in persons if n in base.persons and n in mine) + tuple(new_persons)
    return RegionPlan(
        remove=tuple(sorted(i for i in remove if i is not None)),
        update=tuple(update),
        add=tuple(add),
        persons=tuple(persons) if persons != file_persons else None,
        written=WrittenFaces(tuple(FaceRegion(r.name, r.box, TAGASSIST) for r in written), mine_persons),
        notes=tuple(notes),
    )


# -- writing ----------------------------------------------------------------------------------

def _format(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def _struct(exiv2):
    value = exiv2.XmpTextValue()
    value.setXmpStruct()
    return value


def _area_keys(xmp, exiv2, prefix: str, box: FaceBox, orientation: int | None) -> None:
    stored = to_stored(box, orientation)
    xmp[f"{prefix}/mwg-rs:Area"] = _struct(exiv2)
    for key, value in (("x", stored.x + stored.w / 2), ("y", stored.y + stored.h / 2), ("w", stored.w),
                       ("h", stored.h)):
        xmp[f"{prefix}/mwg-rs:Area/stArea:{key}"] = _format(value)
    xmp[f"{prefix}/mwg-rs:Area/stArea:unit"] = "normalized"


def _erase(xmp, exiv2, key: str) -> None:
    found = xmp.findKey(exiv2.XmpKey(key))
    if found != xmp.end():
        xmp.erase(found)


def _stored_dimensions(xmp, exiv2) -> tuple[float, float] | None:
    """The file's AppliedToDimensions, as exiv2 has them."""
    values = []
    for key in (f"{_DIMENSIONS}/stDim:w", f"{_DIMENSIONS}/stDim:h"):
        found = xmp.findKey(exiv2.XmpKey(key))
        values.append(_number(found.toString()) if found != xmp.end() else None)
    return (values[0], values[1]) if all(v and v > 0 for v in values) else None


def apply_plan(xmp, regions_plan: RegionPlan, orientation: int | None = None,
               stored: tuple[int, int] | None = None) -> None:
    """Write ``regions_plan`` into exiv2's ``XmpData`` (call within ``exiv2_session``, on the
    data ``plan``'s regions were read from). ``orientation``: the photo's Exif orientation;
    ``stored``: its stored width and height, written as AppliedToDimensions where the file
    has none. Other tools' regions keep every field they had; only their places in the list
    close up where one of tagassist's is taken out."""
    import exiv2

    if regions_plan.remove or regions_plan.update or regions_plan.add:
        item_prefix = f"{_LIST}["
        by_index: dict[int, list] = {}
        for datum in xmp:
            key = datum.key()
            if key.startswith(item_prefix):
                index, _, rest = key[len(item_prefix):].partition("]")
                if index.isdigit():
                    by_index.setdefault(int(index), []).append((rest, datum.getValue()))
        for index, entries in by_index.items():
            for rest, _ in entries:
                _erase(xmp, exiv2, f"{item_prefix}{index}]{rest}")
        updates = dict(regions_plan.update)
        turn = _turn(orientation, _stored_dimensions(xmp, exiv2), stored)
        if xmp.findKey(exiv2.XmpKey(_REGIONS)) == xmp.end():
            xmp[_REGIONS] = _struct(exiv2)
        if xmp.findKey(exiv2.XmpKey(_DIMENSIONS)) == xmp.end() and stored:
            xmp[_DIMENSIONS] = _struct(exiv2)
            xmp[f"{_DIMENSIONS}/stDim:w"] = str(int(stored[0]))
            xmp[f"{_DIMENSIONS}/stDim:h"] = str(int(stored[1]))
            xmp[f"{_DIMENSIONS}/stDim:unit"] = "pixel"
        if xmp.findKey(exiv2.XmpKey(_LIST)) == xmp.end():
            xmp[_LIST] = exiv2.Value.create(exiv2.TypeId.xmpBag)
        count = 0
        for index in sorted(by_index):
            if index in regions_plan.remove:
                continue
            count += 1
            prefix = f"{item_prefix}{count}]"
            face = updates.get(index)
            for rest, value in by_index[index]:
                if face is not None and rest.startswith("/mwg-rs:Area"):
                    continue
                xmp.add(exiv2.XmpKey(prefix + rest), value)
            if face is not None:
                _area_keys(xmp, exiv2, prefix, face.box, turn)
        for face in regions_plan.add:
            count += 1
            prefix = f"{item_prefix}{count}]"
            xmp[prefix] = _struct(exiv2)
            xmp[f"{prefix}/mwg-rs:Name"] = face.name
            xmp[f"{prefix}/mwg-rs:Type"] = FACE
            _area_keys(xmp, exiv2, prefix, face.box, turn)
        if count == 0:  # the last region was tagassist's: no empty Regions left behind
            for key in [d.key() for d in xmp if d.key() == _REGIONS or d.key().startswith(_REGIONS + "/")]:
                _erase(xmp, exiv2, key)

    if regions_plan.persons is not None:
        _erase(xmp, exiv2, _PERSONS)
        if regions_plan.persons:
            bag = exiv2.Value.create(exiv2.TypeId.xmpBag)
            for name in regions_plan.persons:
                bag.read(name)
            xmp[_PERSONS] = bag


_EMPTY_SIDECAR = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                  b'  <rdf:Description rdf:about=""/>\n </rdf:RDF>\n</x:xmpmeta>\n')


def render(path: str | os.PathLike, current: bytes | None, base: WrittenFaces, ours: Iterable[FaceRegion],
           orientation: int | None = None, stored: tuple[int, int] | None = None) -> tuple[bytes, RegionPlan]:
    """One file's new bytes with tagassist's faces in it, and the plan that made them (its
    ``written`` is the next base). ``path`` names the file (a '.xmp' sidecar, else a JPEG whose
    XMP is rewritten); ``current``: its bytes now (None: a sidecar not yet there). Writing the
    bytes is the caller's (``keyword_export.write_file``), and only where ``plan.changed``:
    otherwise the bytes are ``current`` as given (an empty sidecar's, where it was None)."""
    from .exiv2_access import exiv2_session
    from .imaging import is_raw_name
    from .keyword_export import ExportError, image_bytes, is_sidecar

    sidecar = is_sidecar(path)
    if is_raw_name(path) and not sidecar:
        raise ExportError(f"{os.fspath(path)} is a RAW file; tagassist writes its faces only to sidecars")
    if not sidecar and current is None:
        raise ExportError(f"{os.fspath(path)} does not exist")
    with exiv2_session() as exiv2:
        try:
            if sidecar and not (current or b"").strip(b"\x00 \t\r\n"):
                current = _EMPTY_SIDECAR
            image = exiv2.ImageFactory.open(current)
            image.readMetadata()
            if not sidecar and image.mimeType() != "image/jpeg":
                raise ExportError(f"{os.fspath(path)}: tagassist embeds face regions in JPEGs only; use a sidecar")
            packet = image.xmpPacket() if not sidecar else current
            regions_plan = plan(read_regions(packet, orientation, stored), base, ours)
            if not regions_plan.changed:
                return current, regions_plan
            apply_plan(image.xmpData(), regions_plan, orientation, stored)
            if sidecar and image.xmpData().empty():
                # exiv2 writes no packet for empty data and would keep the old one
                return _EMPTY_SIDECAR, regions_plan
            image.writeMetadata()
            data = image_bytes(image)
        except exiv2.Exiv2Error as exc:
            raise ExportError(f"{os.fspath(path)}: exiv2 could not write it ({exc})") from exc
    if sidecar and len(data) > MAX_XMP_BYTES:
        raise ExportError(f"{os.fspath(path)} would be larger than tagassist reads; left unchanged")
    return data, regions_plan
