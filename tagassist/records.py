"""Plain records the store reads and writes. No behaviour beyond small derived values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields

SOURCES = ("imported", "typed", "accepted")
HIERARCHY_SEPARATOR = "|"


@dataclass(frozen=True)
class Profile:
    id: int
    name: str


@dataclass(slots=True, kw_only=True)
class ExifSummary:
    """What a photo's EXIF says: the scanner reads it, and a ``Photo`` keeps it as its own fields."""

    taken_at: str | None = None  # ISO 8601, local time of the camera as EXIF records it
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    focal_length: float | None = None
    exposure_time: str | None = None
    f_number: float | None = None
    iso: int | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    orientation: int | None = None


@dataclass(slots=True)  # slots: a 100k-photo listing is half the memory
class Photo(ExifSummary):
    """One file of the library and what its metadata says (its EXIF fields: ``ExifSummary``)."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    status: str = "ok"  # ok | warning | error | missing
    error: str | None = None  # one line: why the status is not ok
    sidecar_signature: str | None = None
    # Camera RAW: the JPEG shot with it (same folder and name), which gives the photo its
    # pixels; and where a RAW's own pixels come from: 'embedded' | 'libraw' | 'none'.
    companion: str | None = None
    preview: str | None = None
    rating: int | None = None  # xmp:Rating, -1 (rejected) to 5
    label: str | None = None  # xmp:Label, the colour label
    pick: int | None = None  # digiKam:PickLabel: 0 none, 1 rejected, 2 pending, 3 accepted (picked)
    # Where, in words, as the files name it (photoshop:City/State/Country or an IPTC location):
    # 'City|State|Country', any of them empty; ``location_parts`` splits it.
    location: str | None = None
    id: int | None = None
    keywords: list[str] = field(default_factory=list)  # what the file's metadata holds
    # False when some keyword source (a sidecar, embedded XMP, IPTC) could not be read, or was
    # cut short: then ``keywords`` must not be taken as what the files hold.
    keywords_complete: bool = True
    keywords_by_file: dict[str, list[str]] = field(default_factory=dict)  # file name -> its keywords
    face_regions: list = field(default_factory=list)  # named face regions its files hold (library.face_regions)

    @property
    def camera(self) -> str | None:
        """Make and model as a photographer says them: "Canon EOS 50D", not "Canon Canon EOS
        50D"; "NIKON D70", not "NIKON CORPORATION NIKON D70"."""
        make, model = (self.camera_make or "").strip(), (self.camera_model or "").strip()
        if not model:
            return make or None
        brand = make.split(" ")[0] if make else ""
        if not brand or model.lower().startswith(brand.lower()):
            return model
        for suffix in (" CORPORATION", " Corporation", " Camera, Inc.", " Co., Ltd.", " Imaging Corp."):
            make = make.removesuffix(suffix)
        return f"{make} {model}"

    @property
    def location_parts(self) -> tuple[str, str, str]:
        """(city, state, country) of ``location``, '' where the files name none."""
        parts = (self.location or "").split(HIERARCHY_SEPARATOR)[:3]
        return tuple(parts + [""] * (3 - len(parts)))  # type: ignore[return-value]

    @property
    def pixels_path(self) -> str:
        """The file whose pixels show this photo."""
        return self.companion or self.path

    @classmethod
    def column_names(cls) -> list[str]:
        """Columns stored as they are (paths are stored as bytes, by the store)."""
        return [f.name for f in fields(cls)
                if f.name not in ("id", "keywords", "keywords_complete", "keywords_by_file", "face_regions", "path",
                              "companion")]


@dataclass(frozen=True, slots=True)
class GridRow:
    """What a thumbnail grid needs of a photo."""

    id: int
    path: str
    content_hash: str | None
    orientation: int | None
    status: str
    error: str | None
    tag_count: int
    pixels_path: str  # the file whose pixels show it: the photo, or a RAW's JPEG companion


@dataclass(frozen=True)
class Assignment:
    tag: str
    source: str
    created_at: str
    model_version: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class Rejection:
    tag: str
    created_at: str
    model_version: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class Removal:
    at: str  # ISO time of the removal
    pending: bool  # the files still have to lose the keyword at the next export


@dataclass(frozen=True)
class SyncState:
    """What the store knows about one photo's keywords, for every profile (three-way sync:
    ``tagassist.library.sync``)."""

    base: frozenset[str]
    # profile -> tag -> when it was tagged in tagassist; None for a keyword imported from the
    # files, which is never a change of tagassist's own (a clock race with the file's time
    # must not make it one)
    assigned: dict[int, dict[str, str | None]] = field(default_factory=dict)
    removed: dict[int, dict[str, Removal]] = field(default_factory=dict)  # profile -> tag -> removal
    rejected: dict[int, dict[str, str]] = field(default_factory=dict)  # profile -> tag -> rejected at
    # file name -> what that file held when last read or written; None for a photo last read
    # before files were told apart (then the union of its files is compared with the base)
    file_bases: dict[str, frozenset[str]] | None = None

    def held_by_others(self, profile_id: int) -> set[str]:
        return {tag for pid, tags in self.assigned.items() if pid != profile_id for tag in tags}

    def own_elsewhere(self, profile_id: int) -> set[str]:
        """Keywords another profile gave in tagassist (not imported): its export put them in
        the files, and they stay its own."""
        return {tag for pid, tags in self.assigned.items() if pid != profile_id
                for tag, at in tags.items() if at is not None}


# Control characters (Unicode category Cc): files cannot keep them (exiv2 writes a space).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def normalise_tag(name: str) -> str:
    """Trim each level of a hierarchical keyword; empty levels are dropped. A control
    character read from a file becomes a space, as it would be once written back, so a
    keyword read, written and read again is the same keyword."""
    levels = [level.strip() for level in _CONTROL.sub(" ", name).split(HIERARCHY_SEPARATOR)]
    return HIERARCHY_SEPARATOR.join(level for level in levels if level)


def check_tag(name: str) -> None:
    """ValueError, in one line, for a typed name that cannot be a keyword: one not valid UTF-8
    (undecodable bytes on a command line), one with a control character (tab, newline, DEL and
    C1 too: XMP and IPTC do not keep them, so the next scan would bring back another keyword),
    and one with an empty level (``|``, ``a||b``). The CLI and the app check what is typed here."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"keyword {name!r} is not valid UTF-8") from None
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise ValueError(f"keyword {name!r} has a control character, which the photos' files cannot keep")
    levels = [level.strip() for level in name.split(HIERARCHY_SEPARATOR)]
    if not any(levels):
        raise ValueError(f"keyword {name!r} is empty")
    if not all(levels):
        raise ValueError(f"keyword {name!r} has an empty level between its '{HIERARCHY_SEPARATOR}' separators")


@dataclass(frozen=True)
class FaceBox:
    """A face's box, normalized 0..1 to the photo's width and height, from the top-left corner,
    in the photo as displayed (after its EXIF orientation): what the detector finds on the
    upright image and what the app draws. Files that keep regions in the stored orientation
    (MWG, Microsoft) are converted on reading and writing (``tagassist.library.face_regions``)."""

    x: float  # left edge
    y: float  # top edge
    w: float
    h: float

    @property
    def area(self) -> float:
        return self.w * self.h

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in an image of ``width`` x ``height``."""
        return (round(self.x * width), round(self.y * height),
                round((self.x + self.w) * width), round((self.y + self.h) * height))

    def iou(self, other: FaceBox) -> float:
        """Intersection over union of two boxes: 1 the same box, 0 apart."""
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.x + self.w, other.x + other.w), min(self.y + self.h, other.y + other.h)
        inter = max(0.0, right - left) * max(0.0, bottom - top)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0
