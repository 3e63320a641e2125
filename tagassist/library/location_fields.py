"""Where a photo was taken, in words, as Lightroom Classic's map module writes it into XMP:
``photoshop:City``, ``photoshop:State``, ``photoshop:Country`` and ``Iptc4xmpCore:CountryCode``
(the ISO code Lightroom's IPTC panel keeps beside the country). Reading one file's fields, and
setting them in exiv2's XMP while an export renders the file (``keyword_export.render``).

Which value goes where, and whether a file's fields are tagassist's to change, is the export's
decision (``tagassist.services.location_export``); this module only reads and writes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .exiv2_access import exiv2_session
from .imaging import is_raw_name
from .keywords import location_text

# In the order of a ``Location``: city, state (first-level area), country, ISO country code.
FIELDS = ("Xmp.photoshop.City", "Xmp.photoshop.State", "Xmp.photoshop.Country", "Xmp.iptc.CountryCode")
# Other ways a file names a place: the IPTC Extension's structs and IPTC-IIM's datasets (a JPEG).
_OTHER_XMP = ("Xmp.iptcExt.LocationCreated", "Xmp.iptcExt.LocationShown")
_OTHER_IPTC = ("Iptc.Application2.City", "Iptc.Application2.ProvinceState", "Iptc.Application2.CountryName",
               "Iptc.Application2.CountryCode")

Location = tuple[str, str, str, str]  # city, state, country, country code; '' where none
EMPTY: Location = ("", "", "", "")


class LocationError(ValueError):
    """A file's location fields could not be read; the message is one line for the user."""


@dataclass(frozen=True)
class FileLocation:
    fields: Location  # the four fields as the file holds them
    elsewhere: bool = False  # the file names a place another way (IPTC Extension, IPTC-IIM)

    @property
    def empty(self) -> bool:
        return self.fields == EMPTY and not self.elsewhere


def clean(city: str | None, state: str | None, country: str | None, code: str | None) -> Location:
    """A location as written and compared: each name as the scan stores it (no control
    characters, no '|', at most 100 characters)."""
    return location_text(city, state, country, code)  # type: ignore[return-value]


def read_location(path: str | os.PathLike, data: bytes | None) -> FileLocation:
    """The location fields of a file whose bytes are ``data`` (None: the file does not exist)."""
    if not data or not data.strip(b"\x00 \t\r\n") or (is_raw_name(path) and not os.fspath(path).lower()
                                                      .endswith(".xmp")):
        return FileLocation(EMPTY)
    with exiv2_session() as exiv2:
        try:
            image = exiv2.ImageFactory.open(data)
            image.readMetadata()
        except exiv2.Exiv2Error as exc:
            raise LocationError(f"its location fields could not be read ({exc})") from exc
        xmp, iptc = image.xmpData(), image.iptcData()
        values = []
        for key in FIELDS:
            found = xmp.findKey(exiv2.XmpKey(key))
            values.append("" if found == xmp.end() else str(found.value()))
        elsewhere = any(any(str(d.key()).startswith(key) for d in xmp) for key in _OTHER_XMP) or any(
            iptc.findKey(exiv2.IptcKey(key)) != iptc.end() for key in _OTHER_IPTC)
    return FileLocation(clean(*values), elsewhere)


def set_location(xmp, location: Location | None) -> None:
    """Write ``location`` into exiv2's XmpData (call within ``exiv2_session``); a field left
    empty is taken out. None: the file's own fields are kept."""
    import exiv2

    if location is None:
        return
    for key, value in zip(FIELDS, location, strict=True):
        found = xmp.findKey(exiv2.XmpKey(key))
        if found != xmp.end():
            xmp.erase(found)
        if value:
            xmp[key] = value
