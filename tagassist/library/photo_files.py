"""Which files carry a photo's keywords, and which of them an export writes.

One owner for a question that reading, writing, sync and undo must all answer alike: when the
scanner and the export decided it separately, two photos with one stem shared a sidecar, names
that differ only in case read each other's, and an export wrote where no program looked.

The rules, per folder:

- A photo is one image file, or a RAW and the JPEG (or HEIF) the camera wrote beside it.
- ``IMG_1.CR2.xmp`` (darktable, digiKam) belongs to the file ``IMG_1.CR2``.
- ``IMG_1.xmp`` (Lightroom, Capture One) belongs to the one photo with that stem. Where
  several photos share the stem it belongs to the only proprietary RAW among them (Lightroom
  writes that name only for such files); with two RAWs (``x.cr2`` + ``x.cr3``) or none
  (``x.jpg`` + ``x.png``) it is ambiguous, read by none and written by none.
- Names match exactly; the ``.xmp`` extension in any case. A sidecar no exact name claims
  goes to a photo whose name differs only in case, if exactly one does: a library copied
  from Windows or macOS keeps its sidecars, and two photos that differ only in case (which
  only a case-sensitive file system can hold) each keep their own. On a case-insensitive file
  system the folder cannot hold two such names, so the rule is the system's own.
- A sidecar that belongs to no photo is orphaned (its photo was renamed or deleted without
  it); it is reported and never written.

Where each program reads keywords (the export's targets, see ``targets``):

- Lightroom Classic reads XMP sidecars for proprietary RAW files only, named ``IMG_1.xmp``;
  for JPEG, TIFF, PSD, PNG and DNG it reads the metadata inside the file (Adobe, "Lightroom
  Classic: Metadata basics and actions"); HEIC it treats like a RAW, with a sidecar.
- darktable reads ``IMG_1.CR2.xmp`` beside every image, JPEGs included (darktable manual,
  "sidecar files").
- digiKam reads ``IMG_1.CR2.xmp`` by default and takes its tag tree from ``digiKam:TagsList``
  (digiKam handbook, "Metadata settings").
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .imaging import is_camera_jpeg_name, is_image_name, is_jpeg_name, is_raw_name

SIDECAR_SUFFIX = ".xmp"
# RAW formats whose sidecar Lightroom names IMG.xmp: every RAW but DNG, whose metadata it
# writes inside the file.
_OPEN_RAW = {".dng"}
# Formats Lightroom keeps like a RAW: read-only to it, metadata in IMG.xmp.
_SIDECAR_FORMATS = {".heic", ".heif"}


def is_sidecar_name(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIX)


def is_proprietary_raw(name: str) -> bool:
    return is_raw_name(name) and os.path.splitext(name)[1].lower() not in _OPEN_RAW


@dataclass(frozen=True)
class PhotoGroup:
    """One photo's image files in a folder: the photo and, for a pair, its JPEG."""

    name: str
    companion: str | None = None

    @property
    def files(self) -> tuple[str, ...]:
        return (self.name, self.companion) if self.companion else (self.name,)


@dataclass
class FolderFiles:
    """A folder's photos, each with the sidecars that belong to it."""

    photos: list[PhotoGroup] = field(default_factory=list)
    sidecars: dict[str, tuple[str, ...]] = field(default_factory=dict)  # photo name -> its sidecars
    orphaned: list[str] = field(default_factory=list)  # sidecars of no photo
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)  # IMG.xmp -> photos it could be


def group_photos(names: Iterable[str], pair_raw: bool = True) -> list[PhotoGroup]:
    """The photos among a folder's file names; with ``pair_raw`` a RAW and the JPEG shot with
    it are one (as Lightroom and digiKam group them), when the stem has one RAW."""
    images = sorted(n for n in names if is_image_name(n) and not is_sidecar_name(n))
    by_stem: dict[str, list[str]] = {}
    for name in images:
        by_stem.setdefault(os.path.splitext(name)[0], []).append(name)
    paired: dict[str, str] = {}
    if pair_raw:
        for group in by_stem.values():
            raws = [n for n in group if is_raw_name(n)]
            shots = sorted((n for n in group if is_camera_jpeg_name(n)), key=lambda n: (not is_jpeg_name(n), n))
            if len(raws) == 1 and shots:
                paired[raws[0]] = shots[0]
    companions = set(paired.values())
    return [PhotoGroup(n, paired.get(n)) for n in images if n not in companions]


def assign_sidecars(names: Iterable[str], photos: Sequence[PhotoGroup]) -> FolderFiles:
    """Which photo each of the folder's sidecars belongs to (see the module's rules)."""
    result = FolderFiles(list(photos))
    owner_of_file = {file: photo for photo in photos for file in photo.files}
    photos_by_stem: dict[str, list[PhotoGroup]] = {}
    for photo in photos:
        for stem in dict.fromkeys(os.path.splitext(f)[0] for f in photo.files):
            photos_by_stem.setdefault(stem, []).append(photo)
    owned: dict[str, list[str]] = {}
    unclaimed = []
    for sidecar in sorted(n for n in names if is_sidecar_name(n)):
        owner = _exact_owner(sidecar, owner_of_file, photos_by_stem, result)
        if owner is not None:
            owned.setdefault(owner.name, []).append(sidecar)
        elif sidecar not in result.ambiguous:
            unclaimed.append(sidecar)
    for sidecar in unclaimed:  # names that differ only in case, when one photo alone fits
        owner = _case_folded_owner(sidecar, owner_of_file, photos_by_stem, owned)
        if owner is None:
            result.orphaned.append(sidecar)
        else:
            owned.setdefault(owner.name, []).append(sidecar)
    result.sidecars = {name: tuple(sorted(found)) for name, found in owned.items()}
    return result


def _exact_owner(sidecar: str, owner_of_file: dict, photos_by_stem: dict, result: FolderFiles) -> PhotoGroup | None:
    base = sidecar[:-len(SIDECAR_SUFFIX)]
    if base in owner_of_file:  # IMG_1.CR2.xmp
        return owner_of_file[base]
    candidates = photos_by_stem.get(base, [])
    owner = stem_owner(candidates)
    if owner is None and len(candidates) > 1:
        result.ambiguous[sidecar] = tuple(p.name for p in candidates)
    return owner


def stem_owner(candidates: Sequence[PhotoGroup]) -> PhotoGroup | None:
    """Who owns IMG.xmp among the photos with the stem IMG: the only one, else the only
    proprietary RAW among them, else nobody."""
    if len(candidates) == 1:
        return candidates[0]
    raws = [p for p in candidates if any(is_proprietary_raw(f) for f in p.files)]
    return raws[0] if len(raws) == 1 else None


def _case_folded_owner(sidecar: str, owner_of_file: dict, photos_by_stem: dict, owned: dict) -> PhotoGroup | None:
    base = sidecar[:-len(SIDECAR_SUFFIX)].casefold()
    by_file = {f for f in owner_of_file if f.casefold() == base}
    if by_file:
        photos = {owner_of_file[f].name: owner_of_file[f] for f in by_file}
        kind = "file"
    else:
        photos = {p.name: p for stem, group in photos_by_stem.items() if stem.casefold() == base for p in group}
        photos = {p.name: p for p in ([stem_owner(list(photos.values()))] if photos else []) if p is not None}
        kind = "stem"
    if len(photos) != 1:
        return None
    (photo,) = photos.values()
    # The photo has a sidecar of this kind under its exact name already: this one is another's.
    if any(_sidecar_kind(s, photo) == kind for s in owned.get(photo.name, [])):
        return None
    return photo


def _sidecar_kind(sidecar: str, photo: PhotoGroup) -> str:
    return "file" if sidecar[:-len(SIDECAR_SUFFIX)] in photo.files else "stem"


def list_folder(folder: str) -> list[str]:
    with os.scandir(folder or ".") as entries:
        return [e.name for e in entries]


def is_within(path: str, inside: str) -> bool:
    """Whether ``path``, its links resolved, lies in the folder ``inside`` (already resolved)."""
    real = os.path.realpath(path)
    return real == inside or real.startswith(inside.rstrip(os.sep) + os.sep)


def leads_outside(path: str, inside: Sequence[str]) -> bool:
    """Whether ``path`` is a link to a place outside all of the folders ``inside`` (resolved)."""
    return os.path.islink(path) and not any(is_within(path, root) for root in inside)


@dataclass(frozen=True)
class PhotoFiles:
    """The files that carry one photo's keywords, as they are on disk now."""

    path: str
    companion: str | None
    sidecars: tuple[str, ...]  # full paths of the existing sidecars that belong to it
    stem_sidecar_free: bool  # whether IMG.xmp may be created for it (no other photo has the stem)
    outside: tuple[str, ...] = ()  # its sidecars that are links out of the library: never read or written

    @property
    def images(self) -> tuple[str, ...]:
        return (self.path, self.companion) if self.companion else (self.path,)

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.images, *self.sidecars)


def photo_files(path: str, companion: str | None = None, pair_raw: bool | None = None,
                inside: Sequence[str] | None = None) -> PhotoFiles:
    """The photo's keyword files now. ``pair_raw`` defaults to pairing exactly when the photo
    was stored with a companion; links that lead out of the folders ``inside`` are none of
    its files."""
    folder, name = os.path.split(path)
    names = list_folder(folder)
    outside = [n for n in names if inside is not None and leads_outside(os.path.join(folder, n), inside)]
    names = [n for n in names if n not in outside]
    pair = companion is not None if pair_raw is None else pair_raw
    photos = group_photos(names, pair)
    mine = next((p for p in photos if p.name == name), None)
    if mine is None:  # gone, or not a photo any more: it has only what it was stored with
        mine = PhotoGroup(name, os.path.basename(companion) if companion else None)
        photos = [p for p in photos if not set(p.files) & set(mine.files)] + [mine]
    assigned = assign_sidecars(names, photos)
    same_stem = [p for p in photos if {os.path.splitext(f)[0] for f in p.files}
                 & {os.path.splitext(f)[0] for f in mine.files}]
    linked_out = assign_sidecars([*outside, *mine.files], [mine]).sidecars.get(mine.name, ())
    return PhotoFiles(path, os.path.join(folder, mine.companion) if mine.companion else None,
                      tuple(os.path.join(folder, s) for s in assigned.sidecars.get(mine.name, ())),
                      stem_owner(same_stem) is mine, tuple(os.path.join(folder, s) for s in linked_out))


# -- where an export writes ----------------------------------------------------------------------

def targets(files: PhotoFiles, style: str, embed: bool, holding: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(the files an export may write, notes). Every existing sidecar is kept in step, and so
    is a JPEG already ``holding`` keywords inside. Beyond those, ``style`` names a program,
    and its reading place is added: 'auto' adds one only where the photo has no sidecar yet
    (then as Lightroom reads). ``embed`` also writes inside every JPEG of the photo. A RAW
    file is never written."""
    wanted: list[str] = list(files.sidecars)
    notes = [f"{_display(s)} leads outside the library's folders; not read, not written" for s in files.outside]
    wanted += [f for f in files.images if f in set(holding) and is_jpeg_name(f)]
    if style == "auto" and not files.sidecars:
        style = "lightroom"
    elif style == "auto":
        style = ""
    images = files.images[:1] if style == "lightroom" else files.images  # Lightroom: a pair is its RAW
    for image in images:
        wanted += _reading_place(files, image, style, embed, notes)
    if embed:
        wanted += [f for f in files.images if is_jpeg_name(f)]
        notes += [f"{_display(f)} is a RAW file, which tagassist never writes: its keywords go to a sidecar"
                  for f in files.images if is_raw_name(f)]
    return [w for w in dict.fromkeys(wanted) if w not in files.outside], notes


def _reading_place(files: PhotoFiles, image: str, style: str, embed: bool, notes: list[str]) -> list[str]:
    name = os.path.basename(image)
    per_file = image + SIDECAR_SUFFIX
    stem = os.path.splitext(image)[0] + SIDECAR_SUFFIX
    if style in ("darktable", "digikam"):
        return [per_file]
    if style != "lightroom":
        return []
    suffix = os.path.splitext(name)[1].lower()
    if is_jpeg_name(name):
        return [image]
    if is_proprietary_raw(name) or suffix in _SIDECAR_FORMATS:
        if files.stem_sidecar_free:
            return [stem]
        notes.append(f"{_display(stem)} would be read for more than one photo with the stem of {_display(name)};"
                     f" its keywords go to {_display(per_file)}")
        return [per_file]
    if not embed:
        notes.append(f"Lightroom reads the keywords of {_display(name)} only inside the file, and tagassist writes"
                     f" inside JPEGs only; they go to {_display(per_file)} (darktable, digiKam)")
    return [per_file]


def _display(path: str) -> str:
    from ..paths import display_path

    return display_path(os.path.basename(path))
