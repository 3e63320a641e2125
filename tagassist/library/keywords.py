"""Keywords photographers already have: XMP (sidecar or embedded) and IPTC.

XMP is parsed with defusedxml because it is untrusted input: entity declarations (the
"billion laughs" expansion) and external references are refused rather than expanded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..records import HIERARCHY_SEPARATOR, normalise_tag

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC_SUBJECT = "{http://purl.org/dc/elements/1.1/}subject"
LR_HIERARCHICAL = "{http://ns.adobe.com/lightroom/1.0/}hierarchicalSubject"
DIGIKAM_TAGS = "{http://www.digikam.org/ns/1.0/}TagsList"
XMP_RATING = "{http://ns.adobe.com/xap/1.0/}Rating"
XMP_LABEL = "{http://ns.adobe.com/xap/1.0/}Label"
# digiKam's pick flag: 0 none, 1 rejected, 2 pending, 3 accepted (Lightroom keeps its flags in its
# catalogue only, darktable has none).
DIGIKAM_PICK = "{http://www.digikam.org/ns/1.0/}PickLabel"
# Where a photo was taken, as Lightroom's map module and other geotaggers write it into XMP.
EXIF_GPS_LATITUDE = "{http://ns.adobe.com/exif/1.0/}GPSLatitude"
EXIF_GPS_LONGITUDE = "{http://ns.adobe.com/exif/1.0/}GPSLongitude"
# Where, in words: Lightroom's map module writes photoshop:City/State/Country; IPTC Extension
# tools write structs (City, ProvinceState, CountryName) in a Bag of where it was taken or shown.
PHOTOSHOP = "{http://ns.adobe.com/photoshop/1.0/}"
IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"
LOCATION_STRUCTS = (f"{IPTC_EXT}LocationCreated", f"{IPTC_EXT}LocationShown")  # taken before shown
MAX_PLACE_NAME = 100  # the longest real place names are under 60 characters
# The colour labels Lightroom, Bridge, darktable and digiKam write (xmp:Label is free text; these
# are the common ones, in their order).
COLOUR_LABELS = ("Red", "Yellow", "Green", "Blue", "Purple")

MAX_XMP_BYTES = 16 * 1024 * 1024  # real packets are kilobytes; larger is an attack or junk
# Lightroom catalogues rarely put more than a hundred keywords on one photo.
MAX_KEYWORDS_PER_FILE = 1000


class KeywordError(ValueError):
    """Keywords could not be read; the message is one line for the user."""


@dataclass(frozen=True)
class XmpFields:
    keywords: list[str]
    rating: int | None = None  # -1 (rejected) to 5 stars, as xmp:Rating says
    label: str | None = None  # xmp:Label: a colour label (Red, ...) or the tool's own word
    gps: tuple[float, float] | None = None  # exif:GPSLatitude/Longitude, in degrees
    location: str | None = None  # 'City|State|Country' (``records.location_text``), any of them empty
    regions: bytes | None = None  # the packet itself, where it names face regions (read once the orientation is known)
    pick: int | None = None  # digiKam:PickLabel, 0 to 3


def xmp_root(packet: bytes | str, error: type[KeywordError] = KeywordError) -> ET.Element | None:
    """An XMP packet's XML root (None for an empty packet), parsed as untrusted: no DTD, no
    entities, at most ``MAX_XMP_BYTES``. Refusals raise ``error`` with a one-line message."""
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    if len(packet) > MAX_XMP_BYTES:
        raise error(f"XMP packet too large ({len(packet) // 1024} KiB)")
    packet = packet.strip(b"\x00 \t\r\n")
    if not packet:
        return None
    try:
        return fromstring(packet, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise error(f"XMP refused: {type(exc).__name__} (unsafe XML)") from exc
    except ET.ParseError as exc:
        raise error(f"XMP is not well-formed XML ({exc})") from exc


def parse_xmp_keywords(packet: bytes | str) -> list[str]:
    """Keywords of an XMP packet, hierarchical ones with '|' (Lightroom's convention)."""
    return parse_xmp(packet).keywords


def parse_xmp(packet: bytes | str) -> XmpFields:
    """Keywords, rating and colour label of an XMP packet.

    Lightroom also writes every level of a hierarchical keyword flat into dc:subject
    ('Places', 'Italy', 'Rome' beside 'Places|Italy|Rome'); those flat copies are dropped so
    the history holds what the photographer chose, once.
    """
    root = xmp_root(packet)
    if root is None:
        return XmpFields([])
    flat = _list_items(root, DC_SUBJECT)
    hierarchical = _list_items(root, LR_HIERARCHICAL)
    hierarchical += [item.replace("/", HIERARCHY_SEPARATOR) for item in _list_items(root, DIGIKAM_TAGS)]
    hierarchical = [normalise_tag(k) for k in hierarchical]
    levels = {
        level
        for keyword in hierarchical
        if HIERARCHY_SEPARATOR in keyword
        for level in keyword.split(HIERARCHY_SEPARATOR)
    }
    keywords = hierarchical + [k for k in map(normalise_tag, flat) if k not in levels]
    lat = _coordinate(_simple(root, EXIF_GPS_LATITUDE), "NS", 90)
    lon = _coordinate(_simple(root, EXIF_GPS_LONGITUDE), "EW", 180)
    return XmpFields(list(dict.fromkeys(k for k in keywords if k)), _rating(_simple(root, XMP_RATING)),
                     (_simple(root, XMP_LABEL) or "").strip()[:40] or None,
                     (lat, lon) if lat is not None and lon is not None else None, _location(root),
                     pick=_pick(_simple(root, DIGIKAM_PICK)))


def _pick(value: str | None) -> int | None:
    """digiKam's pick label, 0 to 3; None where absent or not one of those."""
    text = (value or "").strip()
    return int(text) if text in ("0", "1", "2", "3") else None


def _location(root: ET.Element) -> str | None:
    """The photo's city, state and country in words: photoshop's fields, else the first IPTC
    location struct that names any (where it was taken, then where it is shown)."""
    for names in _locations(root):
        text = location_text(*names)
        if any(text):
            return "|".join(text)
    return None


def _locations(root: ET.Element):
    yield [_simple(root, f"{PHOTOSHOP}{name}") for name in ("City", "State", "Country")]
    for prop in LOCATION_STRUCTS:
        for element in root.iter(prop):
            for struct in list(element.iter(f"{RDF}li")) or [element]:
                yield [_field(struct, f"{IPTC_EXT}{name}") for name in ("City", "ProvinceState", "CountryName")]


def _field(struct: ET.Element, prop: str) -> str | None:
    """A struct's field: an attribute of it or of its rdf:Description, or a child element."""
    for element in struct.iter():
        if prop in element.attrib:
            return element.attrib[prop]
        if element.tag == prop:
            return element.text
    return None


def location_text(*names: str | None) -> tuple[str, ...]:
    """Place names as stored: control characters and the '|' that separates them become
    spaces, and each is cut to MAX_PLACE_NAME characters (XMP is untrusted)."""
    return tuple(" ".join(normalise_tag((name or "").replace("|", " ")).split())[:MAX_PLACE_NAME].strip()
                 for name in names)


def _coordinate(value: str | None, hemispheres: str, limit: float) -> float | None:
    """An XMP GPS coordinate, 'DDD,MM,SSk' or 'DDD,MM.mmk' (k: N, S, E or W) as the XMP
    specification writes it, or plain decimal degrees as some tools do; None if it is neither."""
    text = (value or "").strip().upper()
    if not text:
        return None
    sign = 1.0
    if text[-1] in hemispheres:
        sign = -1.0 if text[-1] == hemispheres[1] else 1.0
        text = text[:-1]
    elif text[-1].isalpha():
        return None
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError:
        return None
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts[1:]) or any(p >= 60 for p in parts[1:]):
        return None
    degrees = abs(parts[0]) + sum(p / 60 ** i for i, p in enumerate(parts[1:], 1))
    degrees *= sign * (-1.0 if parts[0] < 0 else 1.0)
    return degrees if abs(degrees) <= limit else None


def _simple(root: ET.Element, prop: str) -> str | None:
    """A simple property, written as an attribute of rdf:Description or as an element."""
    for element in root.iter(f"{RDF}Description"):
        if prop in element.attrib:
            return element.attrib[prop]
    for element in root.iter(prop):
        return element.text
    return None


def _rating(value: str | None) -> int | None:
    try:
        rating = round(float(value))  # some tools write "4.0"
    except (TypeError, ValueError):
        return None
    return rating if -1 <= rating <= 5 else None


def _list_items(root: ET.Element, prop: str) -> list[str]:
    items = []
    for element in root.iter(prop):
        lis = list(element.iter(f"{RDF}li"))
        if lis:
            items += [li.text or "" for li in lis]
        elif element.text and element.text.strip():  # a bare value instead of a Bag
            items.append(element.text)
    return [i.strip() for i in items if i and i.strip()]


def parse_iptc_keywords(info: dict | None) -> list[str]:
    """Keywords (IPTC 2:25) from Pillow's ``getiptcinfo`` mapping."""
    if not info:
        return []
    raw = info.get((2, 25))
    if raw is None:
        return []
    values = raw if isinstance(raw, list) else [raw]
    utf8 = info.get((1, 90)) == b"\x1b%G"  # coded character set: UTF-8
    keywords = []
    for value in values:
        if not isinstance(value, bytes):
            continue
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            if utf8:
                continue
            text = value.decode("latin-1")  # IPTC's historical default
        keywords.append(normalise_tag(text.replace("\x00", "")))
    return [k for k in keywords if k]
