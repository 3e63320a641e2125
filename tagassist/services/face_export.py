"""Her named faces, written by the export into the files it writes: MWG face regions (what
Lightroom Classic and digiKam show) and ``Iptc4xmpExt:PersonInImage``, three-way
(``tagassist.library.face_regions``).

*Ours* are the faces the photographer named on the photo, each under the last level of her
keyword (``People|Anna`` is written 'Anna', as Lightroom and digiKam name a region); the *base*
is what tagassist wrote into that file for her the last time (``store.face_bases``), saved in
the export's transaction and journalled with the write, so that undo puts it back with the
file's bytes. Only where the library's ``write_faces`` option is on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from ..library import face_region_writing, face_regions
from ..library.face_region_writing import RegionPlan, WrittenFaces
from ..library.face_regions import TAGASSIST, FaceRegion, FaceRegionError
from ..library.keyword_export import ExportError
from ..options import OPTIONS
from ..paths import display_path
from ..records import HIERARCHY_SEPARATOR, FaceBox, Photo, Profile, normalise_tag
from ..store import Store


@dataclass(frozen=True)
class FilePlan:
    """One target file's faces as an export decides them: the base it started from, the plan,
    and the base to keep once the file holds what the plan says."""

    base: WrittenFaces
    plan: RegionPlan
    next_base: WrittenFaces
    named: tuple[FaceRegion, ...]  # ours: the faces she named on the photo

    @property
    def words(self) -> tuple[str, ...]:
        """What the plan changes, a word each ('+face:Anna', '-face:Ben', '~face:Anna' moved);
        none where it changes nothing."""
        return describe(self.base, self.plan)


def writes_faces(store: Store) -> bool:
    """Whether the library's exports write faces (its ``write_faces`` option, kept under its
    name as ``services.library`` keeps it)."""
    return store.settings.get("write_faces", OPTIONS["write_faces"].default) == "on"


def ours(store: Store, profile: Profile, photo: Photo) -> list[FaceRegion]:
    """The faces she named on the photo, as an export writes them."""
    if photo.id is None:
        return []
    return [FaceRegion(person_name(face.name), face.box, TAGASSIST)
            for face in store.faces.of_photos(profile, [photo.id]).get(photo.id, []) if face.name]


def person_name(keyword: str) -> str:
    """The name a region gets for her keyword: its last level, as the files' readers normalize it."""
    return " ".join(normalise_tag(keyword.split(HIERARCHY_SEPARATOR)[-1]).split())[:face_regions.MAX_NAME]


def written_by_tagassist(store: Store, photo: Photo) -> list[FaceRegion]:
    """The regions tagassist wrote into the photo's files, for any photographer: a scan that
    reads them back learns nothing new from them (as a keyword one profile exported is not
    another's to adopt)."""
    return [r for value in store.face_bases.of_photo(photo.id) for r in from_json(value).regions]


def is_written_by_tagassist(name: str | None, box: FaceBox, written: Sequence[FaceRegion]) -> bool:
    """Whether a region the files name is one of ``written`` (same name, overlapping box)."""
    return any(r.name == name and r.box is not None and r.box.iou(box) >= face_regions.SAME_REGION_IOU
               for r in written)


def base_of(store: Store, profile: Profile, photo: Photo, target: str) -> WrittenFaces:
    return from_json(store.face_bases.get(profile, photo.id, os.path.basename(target)))


def plan_file(store: Store, profile: Profile, photo: Photo, target: str, current: bytes | None,
              named: Sequence[FaceRegion]) -> FilePlan | None:
    """The faces of one target file; None where there is nothing to decide (no face named, none
    written before)."""
    base = base_of(store, profile, photo, target)
    if not named and not base.regions and not base.persons:
        return None
    _, plan = render(photo, target, current, base, named)
    return FilePlan(base, plan, next_base(base, plan, named), tuple(named))


def render(photo: Photo, target: str, current: bytes | None, base: WrittenFaces,
           named: Sequence[FaceRegion]) -> tuple[bytes, RegionPlan]:
    """``face_region_writing.render`` for the photo's target file; faces it cannot read refuse the
    photo's export (ExportError), as keywords it cannot read do."""
    stored = (photo.width, photo.height) if photo.width and photo.height else None
    try:
        return face_region_writing.render(target, current, base, named, photo.orientation, stored)
    except FaceRegionError as exc:
        raise ExportError(f"{display_path(os.path.basename(target))}: its face regions could not be read ({exc});"
                          " left unchanged so that none is lost") from exc


def next_base(base: WrittenFaces, plan: RegionPlan, named: Sequence[FaceRegion]) -> WrittenFaces:
    """The base to keep: the plan's, plus what tagassist wrote, still names, and another tool
    took out of the file, so that it stays out at the next export too (the plan leaves it out
    of the file, and out of its base)."""
    names = {face.name for face in named}
    kept = {r.name for r in plan.written.regions}
    regions = plan.written.regions + tuple(r for r in base.regions if r.name in names and r.name not in kept)
    persons = plan.written.persons + tuple(n for n in base.persons if n in names and n not in plan.written.persons)
    return WrittenFaces(regions, persons)


def describe(base: WrittenFaces, plan: RegionPlan) -> tuple[str, ...]:
    if not plan.changed:
        return ()
    before = {r.name for r in base.regions}
    after = {r.name for r in plan.written.regions}
    words = [f"+face:{face.name}" for face in plan.add]
    words += [f"~face:{face.name}" for _, face in plan.update]
    if plan.remove:
        words += [f"-face:{name}" for name in sorted(before - after)][:len(plan.remove)]
    shown = {w.split(":", 1)[1] for w in words}
    if plan.persons is not None:
        words += [f"+person:{n}" for n in plan.written.persons if n not in base.persons and n not in shown]
        words += [f"-person:{n}" for n in base.persons if n not in plan.persons and n not in shown]
    return tuple(words) or ("faces",)


def to_json(written: WrittenFaces) -> dict:
    return {"regions": [{"name": r.name, "box": [r.box.x, r.box.y, r.box.w, r.box.h]}
                        for r in written.regions if r.box is not None],
            "persons": list(written.persons)}


def from_json(value: dict | None) -> WrittenFaces:
    if not value:
        return WrittenFaces()
    return WrittenFaces(tuple(FaceRegion(r["name"], FaceBox(*r["box"]), TAGASSIST) for r in value.get("regions", ())),
                        tuple(value.get("persons", ())))


def save_base(store: Store, profile: Profile, photo_id: int, target: str, written: WrittenFaces | dict | None) -> None:
    """The file's new base (inside the caller's transaction); an empty one is none."""
    value = to_json(written) if isinstance(written, WrittenFaces) else written
    empty = not value or not (value.get("regions") or value.get("persons"))
    store.face_bases.set(profile, photo_id, os.path.basename(target), None if empty else value)
