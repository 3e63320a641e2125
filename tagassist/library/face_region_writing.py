"""Named faces written back into XMP three-way, so Lightroom and digiKam show the names tagassist
gives: ``plan`` decides (pure), ``apply_plan`` writes it into exiv2's XmpData (sidecar or
embedded: the keyword export can call it on the same data), ``render`` does both for one file's
bytes. Reading, the schemas and the orientation rules are in ``tagassist.library.face_regions``.

The *base* is what tagassist wrote into the file the last time (``WrittenFaces``, kept by the
caller), *ours* the named faces the app has now, *theirs* what the file holds now. Regions other
tools wrote are never changed or removed; a region tagassist wrote and the photographer has
since removed or renamed in the app is taken out; one another tool removed is not written back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..records import FaceBox
from .face_regions import (
    BOX_TOLERANCE,
    FACE,
    IPTC,
    MWG,
    SAME_FACE_IOU,
    SAME_REGION_IOU,
    TAGASSIST,
    FaceRegion,
    area_orientation,
    read_regions,
    to_stored,
    xmp_number,
    xmp_text,
)
from .keywords import MAX_XMP_BYTES

_REGIONS = "Xmp.mwg-rs.Regions"
_DIMENSIONS = f"{_REGIONS}/mwg-rs:AppliedToDimensions"
_LIST = f"{_REGIONS}/mwg-rs:RegionList"
_PERSONS = "Xmp.iptcExt.PersonInImage"


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
        name = xmp_text(face.name)
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
        values.append(xmp_number(found.toString()) if found != xmp.end() else None)
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
        turn = area_orientation(orientation, _stored_dimensions(xmp, exiv2), stored)
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
