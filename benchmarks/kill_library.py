"""The library that ``benchmarks.kill_run`` kills tagassist on, and how it reads it back.

``build_library`` lays out a small library the way real ones look (about 30 photos):

- a shoot of synthetic JPEGs with camera EXIF, some with keywords embedded as XMP (written by
  exiftool, or by exiv2 where exiftool is missing) and one with IPTC keywords too, and one
  with a Lightroom/Capture One sidecar (``IMG.xmp``: ratings, a colour label, develop
  settings);
- RAW+JPEG pairs made from the real RAW samples (``shared/photos/raw-samples``) with a JPEG of
  the same stem beside each, with darktable (``IMG.CR2.xmp``, with its edit history),
  digiKam (``IMG.NEF.xmp``, ``digiKam:TagsList``) and Lightroom sidecars, one pair with a
  Lightroom and a darktable sidecar at once, and a RAW without a JPEG;
- two photos with one stem (``IMG_5.jpg`` + ``IMG_5.png``), two names that differ only in
  case (``IMG_1.JPG`` + ``img_1.jpg``, each with its own sidecar), a JPEG with a second hard
  link outside the library, a folder and a file with non-ASCII names;
- a handful of real photos (``shared/photos/exif-samples`` and ``shared/photos/coral``).

Reading back is independent of tagassist: keywords through exiftool (``-stay_open``), or a
small parser of its own where exiftool is missing; pixels through Pillow.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, IptcImagePlugin

from photosim.metadata import XPACKET, Shot, save_jpeg, xmp_document
from photosim.render import SCENES, render

SHARED = Path(__file__).resolve().parents[2] / "shared"
RAW_EXTENSIONS = {".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".sr2", ".srf", ".raf", ".orf", ".rw2", ".rwl",
                  ".pef", ".dng", ".srw", ".iiq", ".3fr", ".fff", ".mrw", ".mos", ".mef", ".erf", ".kdc", ".dcr",
                  ".x3f"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif"}

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "crs": "http://ns.adobe.com/camera-raw-settings/1.0/",
    "darktable": "http://darktable.sf.net/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
}


def q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def is_raw(path: str | os.PathLike) -> bool:
    return os.path.splitext(os.fspath(path))[1].lower() in RAW_EXTENSIONS


def is_image(path: str | os.PathLike) -> bool:
    return os.path.splitext(os.fspath(path))[1].lower() in IMAGE_EXTENSIONS


# -- sidecars as the tools write them -------------------------------------------------------------

def _bag(tag: str, items: list[str], kind: str = "Bag") -> str:
    if not items:
        return ""
    lis = "".join(f"\n     <rdf:li>{_esc(i)}</rdf:li>" for i in items)
    return f"\n   <{tag}>\n    <rdf:{kind}>{lis}\n    </rdf:{kind}>\n   </{tag}>"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _levels(keywords: list[str]) -> list[str]:
    flat: list[str] = []
    for k in keywords:
        flat += k.split("|")
    return list(dict.fromkeys(flat))


def lightroom_sidecar(keywords: list[str], rating: int = 4, label: str = "Red") -> str:
    """Lightroom Classic / Capture One: every level flat in dc:subject, hierarchy in lr."""
    hier = [k for k in keywords if "|" in k]
    return xmp_document("Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00        ", ["xmp", "crs", "dc", "lr"],
                        {"xmp:Rating": rating, "xmp:Label": label, "crs:Version": "15.0",
                         "crs:WhiteBalance": "As Shot", "crs:Exposure2012": "+0.35"},
                        _bag("dc:subject", _levels(keywords)) + _bag("lr:hierarchicalSubject", hier))


def _darktable_step(number: int, operation: str, params: str) -> str:
    return (f'\n     <rdf:li\n      darktable:num="{number}"\n      darktable:operation="{operation}"'
            f'\n      darktable:enabled="1"\n      darktable:modversion="6"\n      darktable:params="{params}"'
            '\n      darktable:multi_name=""\n      darktable:multi_priority="0"/>')


# darktable's edit history: two modules, as darktable 4 writes them.
DARKTABLE_HISTORY = ("\n   <darktable:masks_history>\n    <rdf:Seq/>\n   </darktable:masks_history>"
                     "\n   <darktable:history>\n    <rdf:Seq>"
                     + _darktable_step(0, "exposure", "0000000000809cbf0000000000004842000080c0")
                     + _darktable_step(1, "filmicrgb", "ec51d83e0000a040000040c1cdcc4c3e")
                     + "\n    </rdf:Seq>\n   </darktable:history>")


def darktable_sidecar(raw_name: str, keywords: list[str], rating: int = 2) -> str:
    """darktable 4: its edit history, plus tags as dc:subject (leaves) and lr:hierarchicalSubject."""
    ext = os.path.splitext(raw_name)[1].lstrip(".").lower()
    hier = [f"darktable|format|{ext}", *[k for k in keywords if "|" in k]]
    flat = [k.split("|")[-1] for k in keywords]
    stamps = {"import": "63848822400000000", "change": "63848826000000000", "export": "-1", "print": "-1"}
    return xmp_document("XMP Core 4.4.0-Exiv2", ["xmp", "xmpMM", "dc", "lr", "darktable"],
                        {"xmp:Rating": rating, "xmpMM:DerivedFrom": raw_name,
                         **{f"darktable:{name}_timestamp": stamp for name, stamp in stamps.items()},
                         "darktable:xmp_version": 5, "darktable:raw_params": 0, "darktable:auto_presets_applied": 1,
                         "darktable:history_end": 2, "darktable:iop_order_version": 4},
                        DARKTABLE_HISTORY + _bag("dc:subject", flat) + _bag("lr:hierarchicalSubject", hier),
                        ('<?xml version="1.0" encoding="UTF-8"?>\n', ""))


def digikam_sidecar(keywords: list[str], tags_list_only: list[str] = (), rating: int = 5) -> str:
    """digiKam 8: digiKam:TagsList ('/' hierarchy) first, the same in lr and
    MicrosoftPhoto, leaves in dc:subject. ``tags_list_only``: tags only TagsList holds."""
    hier = [k for k in keywords if "|" in k]
    tags_list = [k.replace("|", "/") for k in [*keywords, *tags_list_only]]
    leaves = [k.split("|")[-1] for k in keywords]
    return xmp_document("XMP Core 4.4.0-Exiv2", ["xmp", "digiKam", "MicrosoftPhoto", "lr", "dc"],
                        {"xmp:Rating": rating, "MicrosoftPhoto:Rating": 99, "digiKam:ColorLabel": 3,
                         "digiKam:PickLabel": 2},
                        _bag("digiKam:TagsList", tags_list, "Seq") + _bag("MicrosoftPhoto:LastKeywordXMP", tags_list)
                        + _bag("lr:hierarchicalSubject", hier) + _bag("dc:subject", leaves), XPACKET)


# What must survive in a sidecar that tagassist rewrites ("keeps its other contents").
SIDECAR_MARKERS = {
    "lightroom": [(q("xmp", "Rating"), None), (q("xmp", "Label"), None), (q("crs", "Exposure2012"), "+0.35")],
    "darktable": [(q("xmp", "Rating"), None), (q("darktable", "operation"), "exposure"),
                  (q("darktable", "operation"), "filmicrgb"), (q("darktable", "history_end"), "2")],
    "digikam": [(q("xmp", "Rating"), None), (q("digiKam", "ColorLabel"), "3"), (q("digiKam", "PickLabel"), "2")],
}


# -- the library ------------------------------------------------------------------------------

@dataclass
class Library:
    root: Path  # the folder that is scanned
    outside: Path  # beside it: the other hard link
    notes: list[str] = field(default_factory=list)
    hardlinks: list[tuple[str, str]] = field(default_factory=list)  # (in the library, outside)
    sidecar_markers: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    keyword_writer: str = "exiftool"


class _Writer:
    """Embedded keywords as another tool writes them: exiftool, else exiv2 (the project's own)."""

    def __init__(self, exiftool: ExifTool | None):
        self.exiftool = exiftool

    def embed(self, path: Path, keywords: list[str], iptc: list[str] = ()) -> None:
        if self.exiftool is not None:
            args = ["-overwrite_original_in_place", "-P"]
            args += [f"-XMP-dc:Subject+={k}" for k in _levels(keywords)]
            args += [f"-XMP-lr:HierarchicalSubject+={k}" for k in keywords if "|" in k]
            args += [f"-IPTC:Keywords+={k}" for k in iptc]
            self.exiftool.execute(*args, str(path))
            return
        from tagassist.library.keyword_export import render as exiv2_render  # the project's exiv2 use

        data, _ = exiv2_render(path, path.read_bytes(), tuple(keywords))
        path.write_bytes(data)


def build_library(scratch: Path, seed: int, exiftool: ExifTool | None, shared: Path = SHARED) -> Library:
    """Lay the library out under ``scratch/library`` (and ``scratch/outside``)."""
    rng = random.Random(seed)
    root, outside = scratch / "library", scratch / "outside"
    lib = Library(root, outside, keyword_writer="exiftool" if exiftool else "exiv2")
    writer = _Writer(exiftool)
    start = datetime(2024, 5, 11, 9, 0) + timedelta(days=rng.randint(0, 60))
    counter = iter(range(10_000))

    def jpeg(path: Path, scene: str | None = None, size=(240, 160), **shot) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        n = next(counter)
        image = render(scene or SCENES[n % len(SCENES)], seed * 100 + n, size)
        save_jpeg(image, path, Shot(taken_at=start + timedelta(minutes=7 * n), **shot), quality=85)
        return path

    def sidecar(path: Path, text: str, style: str) -> None:
        path.write_text(text, encoding="utf-8")
        lib.sidecar_markers[str(path)] = SIDECAR_MARKERS[style]

    # A shoot of camera JPEGs: embedded XMP, IPTC, a Lightroom / Capture One sidecar.
    rome = root / "2024-05 Rome"
    for i in range(1, 7):
        jpeg(rome / f"DSCF10{i:02}.jpg", gps=(41.89 + i / 1000, 12.49))
    writer.embed(rome / "DSCF1002.jpg", ["Roma2024", "Places|Italy|Rome"])
    writer.embed(rome / "DSCF1003.jpg", ["architecture", "Places|Italy|Rome"], iptc=["architecture", "Colosseum"])
    sidecar(rome / "DSCF1004.xmp", lightroom_sidecar(["Roma2024", "Places|Italy|Rome", "food"], rating=4), "lightroom")
    writer.embed(rome / "DSCF1006.jpg", ["night"])

    # RAW+JPEG pairs from the real samples; darktable, digiKam and Lightroom sidecars.
    raws = root / "2024-06 RAW"
    raws.mkdir(parents=True)
    samples = shared / "photos" / "raw-samples"
    pairs = [("IMG_2001.CR2", "IMG_2001.JPG", "CanonRaw.cr2"), ("IMG_2002.NEF", "IMG_2002.JPG", "Nikon.nef"),
             ("IMG_2003.RAF", "IMG_2003.jpg", "FujiFilm.raf"), ("IMG_2004.RW2", "IMG_2004.JPG", "Panasonic.rw2"),
             ("IMG_2005.DNG", None, "DNG.dng"), ("IMG_2006.CR3", None, "CanonRaw.cr3")]
    for raw_name, jpeg_name, sample in pairs:
        if (samples / sample).exists():
            shutil.copyfile(samples / sample, raws / raw_name)
        else:  # no shared/: a DNG of our own under that name (never written by tagassist either)
            from photosim.dng import save_dng

            save_dng(render("city", 7, (64, 48)), raws / raw_name, Shot(taken_at=start), preview_side=64)
            lib.notes.append(f"{samples / sample} missing: {raw_name} is a synthetic DNG")
        if jpeg_name:
            jpeg(raws / jpeg_name, make="Canon", model="Canon EOS 350D DIGITAL")
    sidecar(raws / "IMG_2001.CR2.xmp", darktable_sidecar("IMG_2001.CR2", ["beach", "Places|Italy|Florence"]),
            "darktable")
    sidecar(raws / "IMG_2002.NEF.xmp", digikam_sidecar(["People|Ben", "Events|Wedding 2024"],
                                                       tags_list_only=["Projects|Zine"]), "digikam")
    sidecar(raws / "IMG_2003.xmp", lightroom_sidecar(["dog", "family"], rating=3, label="Green"), "lightroom")
    sidecar(raws / "IMG_2004.xmp", lightroom_sidecar(["sunset"], rating=5, label="Blue"), "lightroom")
    sidecar(raws / "IMG_2004.RW2.xmp", darktable_sidecar("IMG_2004.RW2", ["sunset", "Places|Italy"]), "darktable")
    writer.embed(raws / "IMG_2003.jpg", ["dog"])

    # Two photos with one stem; a darktable sidecar for the PNG.
    stem = root / "same-stem"
    jpeg(stem / "IMG_5.jpg", "flowers")
    render("flowers", seed * 100 + 99, (200, 150)).save(stem / "IMG_5.png")
    writer.embed(stem / "IMG_5.jpg", ["flowers"])
    sidecar(stem / "IMG_5.png.xmp", darktable_sidecar("IMG_5.png", ["flowers", "garden"]), "darktable")

    # Names that differ only in case, each with its own Lightroom sidecar.
    case = root / "case"
    jpeg(case / "IMG_1.JPG", "city")
    jpeg(case / "img_1.jpg", "dog")
    sidecar(case / "IMG_1.xmp", lightroom_sidecar(["Events|Wedding 2024", "family"], rating=2, label="Yellow"),
            "lightroom")
    sidecar(case / "img_1.xmp", lightroom_sidecar(["dog", "night"], rating=1, label="Purple"), "lightroom")

    # A JPEG with a second hard link outside the library (a backup folder, say).
    linked = jpeg(root / "hardlink" / "IMG_0100.jpg", "mountain")
    writer.embed(linked, ["mountain"])
    outside.mkdir(parents=True)
    os.link(linked, outside / "IMG_0100-backup.jpg")
    lib.hardlinks.append((str(linked), str(outside / "IMG_0100-backup.jpg")))

    # Non-ASCII folder and file names.
    zurich = root / "2024-07 Zürich"
    for i in range(1, 5):
        jpeg(zurich / f"DSC0{i:04}.jpg", gps=(47.37, 8.54 + i / 1000))
    jpeg(zurich / "Café_01.jpg", "food")
    writer.embed(zurich / "DSC00002.jpg", ["Zürich", "Places|Switzerland|Zürich"])

    # Real photos.
    real = root / "real"
    real.mkdir()
    for parts in [("exif-samples", "jpg", "Canon_40D.jpg"), ("exif-samples", "jpg", "Nikon_D70.jpg"),
                  ("exif-samples", "jpg", "xmp", "BlueSquare.jpg"), ("exif-samples", "jpg", "gps", "DSCN0010.jpg"),
                  ("exif-samples", "jpg", "Canon_40D_photoshop_import.jpg"), ("coral", "face.jpg"),
                  ("coral", "owl.jpg")]:
        source = shared.joinpath("photos", *parts)
        if source.exists():
            shutil.copyfile(source, real / source.name)
        else:
            lib.notes.append(f"{source} missing: left out")
    if (real / "Nikon_D70.jpg").exists():
        writer.embed(real / "Nikon_D70.jpg", ["portrait"], iptc=["portrait"])

    for path in root.rglob("*"):  # copies of read-only samples: a user's own files are writable
        if path.is_file():
            path.chmod(0o644)
    return lib


# -- reading back -------------------------------------------------------------------------------

class ExifTool:
    """One exiftool process for many requests (``-stay_open``)."""

    def __init__(self, binary: str):
        self.proc = subprocess.Popen([binary, "-stay_open", "True", "-@", "-"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    @classmethod
    def start(cls) -> ExifTool | None:
        binary = shutil.which("exiftool")
        return cls(binary) if binary else None

    def execute(self, *args: str) -> str:
        self.proc.stdin.write(("\n".join([*args, "-execute"]) + "\n").encode())
        self.proc.stdin.flush()
        out = b""
        while not out.rstrip().endswith(b"{ready}"):
            chunk = self.proc.stdout.read1(1 << 16)
            if not chunk:
                raise RuntimeError("exiftool stopped")
            out += chunk
        return out.rstrip()[: -len(b"{ready}")].decode("utf-8", "replace")

    def close(self) -> None:
        try:
            self.proc.stdin.write(b"-stay_open\nFalse\n")
            self.proc.stdin.flush()
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


@dataclass(frozen=True)
class FileKeywords:
    flat: frozenset[str]  # dc:subject and IPTC Keywords
    hierarchical: frozenset[str]  # lr:hierarchicalSubject and digiKam:TagsList (as 'A|B')

    def keywords(self) -> set[str]:
        """As a photographer reads them: flat copies of a hierarchy's levels are not keywords."""
        levels = {level for k in self.hierarchical for level in k.split("|")}
        return set(self.hierarchical) | {k for k in self.flat if k not in levels}

    def holds(self, keyword: str) -> bool:
        return keyword in self.hierarchical or ("|" not in keyword and keyword in self.flat)


def _norm(value) -> str:
    return "|".join(level.strip() for level in str(value).split("|") if level.strip())


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read_keywords(paths: list[str], exiftool: ExifTool | None) -> dict[str, FileKeywords]:
    """Keywords in each file (photo, sidecar, RAW) that exists."""
    paths = [p for p in paths if os.path.exists(p)]
    if not paths:
        return {}
    if exiftool is None:
        return {p: _read_keywords_python(p) for p in paths}
    import json

    out = exiftool.execute("-j", "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject",
                           "-XMP-digiKam:TagsList", "-IPTC:Keywords", *paths)
    found = {}
    for entry in json.loads(out or "[]"):
        flat = {_norm(v) for key in ("Subject", "Keywords") for v in _as_list(entry.get(key))}
        hier = {_norm(v) for v in _as_list(entry.get("HierarchicalSubject"))}
        hier |= {_norm(str(v).replace("/", "|")) for v in _as_list(entry.get("TagsList"))}
        found[entry["SourceFile"]] = FileKeywords(frozenset(flat - {""}), frozenset(hier - {""}))
    for p in paths:
        found.setdefault(p, FileKeywords(frozenset(), frozenset()))
    return found


def _xmp_lists(packet: bytes) -> tuple[set[str], set[str]]:
    root = ET.fromstring(packet)
    flat, hier = set(), set()
    for prop, target, sep in ((q("dc", "subject"), flat, None), (q("lr", "hierarchicalSubject"), hier, None),
                              (q("digiKam", "TagsList"), hier, "/")):
        for element in root.iter(prop):
            for li in element.iter(q("rdf", "li")):
                if li.text and li.text.strip():
                    target.add(_norm(li.text.replace(sep, "|") if sep else li.text))
    return flat, hier


def _read_keywords_python(path: str) -> FileKeywords:
    flat, hier = set(), set()
    try:
        if path.lower().endswith(".xmp"):
            flat, hier = _xmp_lists(Path(path).read_bytes())
        elif is_image(path):
            with Image.open(path) as image:
                packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
                if packet:
                    flat, hier = _xmp_lists(packet.encode() if isinstance(packet, str) else packet)
                iptc = IptcImagePlugin.getiptcinfo(image) or {}
                values = iptc.get((2, 25), [])
                for value in values if isinstance(values, list) else [values]:
                    flat.add(_norm(value.decode("utf-8", "replace")))
    except (OSError, ET.ParseError, SyntaxError):
        pass
    return FileKeywords(frozenset(flat), frozenset(hier))


def pixel_hash(path: str | os.PathLike) -> str:
    """Hash of the decoded pixels; raises (OSError, SyntaxError, ...) for a file that does not
    decode fully ('image file is truncated')."""
    with Image.open(path) as image:
        image.load()
        return hashlib.sha1(f"{image.mode}{image.size}".encode() + image.tobytes()).hexdigest()


def sidecar_values(data: bytes) -> set[tuple[str, str]]:
    """(property, value) pairs of an XMP packet, as attributes or as elements (exiv2 may
    write either); raises ET.ParseError if it is not XML."""
    root = ET.fromstring(data)
    values = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            values.add((name, value))
        if element.text and element.text.strip() and len(element) == 0:
            values.add((element.tag, element.text.strip()))
    return values


def markers_missing(data: bytes, markers: list[tuple[str, str | None]]) -> list[str]:
    values = sidecar_values(data)
    names = {name for name, _ in values}
    missing = []
    for name, value in markers:
        if (value is None and name not in names) or (value is not None and (name, value) not in values):
            missing.append(name.split("}")[-1] + (f"={value}" if value else ""))
    return missing


PROPRIETARY_RAW = RAW_EXTENSIONS - {".dng"}


def photo_files(path: str, companion: str | None, photos: dict[str, str | None]) -> list[str]:
    """The files that belong to the photo, by the README's rules: itself, its RAW's JPEG,
    sidecars named after either (IMG.CR2.xmp, IMG.JPG.xmp), and IMG.xmp when the photo is the
    only one of its folder with that stem (where several share it: the only proprietary RAW
    among them, else none). Names match exactly: on a case-sensitive file system IMG_1.xmp
    belongs to IMG_1.JPG and img_1.xmp to img_1.jpg. ``photos``: every photo, with its JPEG."""
    folder = os.path.dirname(path)
    names = set(os.listdir(folder))
    files = [path] + ([companion] if companion else [])
    for file in list(files):
        if os.path.basename(file) + ".xmp" in names:
            files.append(os.path.join(folder, os.path.basename(file) + ".xmp"))
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem + ".xmp" in names:
        sharing = [p for p, c in photos.items() if os.path.dirname(p) == folder
                   and stem in {os.path.splitext(os.path.basename(f))[0] for f in (p, c) if f}]
        raws = [p for p in sharing if os.path.splitext(p)[1].lower() in PROPRIETARY_RAW]
        if sharing == [path] or (len(sharing) > 1 and raws == [path]):
            files.append(os.path.join(folder, stem + ".xmp"))
    return list(dict.fromkeys(files))


def file_digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def read_all(root: Path, extra: list[str] = ()) -> dict[str, bytes]:
    """Every file below ``root`` (and ``extra``), by path."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                files[path] = Path(path).read_bytes()
            except OSError:
                pass
    for path in extra:
        if os.path.exists(path):
            files[path] = Path(path).read_bytes()
    return files


__all__ = ["ExifTool", "FileKeywords", "Library", "build_library", "file_digest", "is_image", "is_raw",
           "markers_missing", "photo_files", "pixel_hash", "read_all", "read_keywords"]
