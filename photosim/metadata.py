"""Writing real EXIF into JPEGs and Lightroom-style XMP sidecars for simulated photos."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational


@dataclass
class Shot:
    taken_at: datetime
    make: str = "FUJIFILM"
    model: str = "X-T4"
    lens: str | None = "XF16-55mmF2.8 R LM WR"
    focal_length: float = 23.0
    f_number: float = 5.6
    exposure: Fraction = Fraction(1, 250)
    iso: int = 200
    gps: tuple[float, float] | None = None
    orientation: int = 1


def _rational(value: float | Fraction, max_denominator: int = 10_000) -> IFDRational:
    fraction = Fraction(value).limit_denominator(max_denominator)
    return IFDRational(fraction.numerator, fraction.denominator)


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return _rational(degrees), _rational(minutes), _rational(round(seconds, 2), 100)


def build_exif(shot: Shot) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = shot.make
    exif[ExifTags.Base.Model] = shot.model
    exif[ExifTags.Base.Orientation] = shot.orientation
    exif[ExifTags.Base.DateTime] = shot.taken_at.strftime("%Y:%m:%d %H:%M:%S")
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = shot.taken_at.strftime("%Y:%m:%d %H:%M:%S")
    sub[ExifTags.Base.FocalLength] = _rational(shot.focal_length, 10)
    sub[ExifTags.Base.FNumber] = _rational(shot.f_number, 10)
    sub[ExifTags.Base.ExposureTime] = _rational(shot.exposure)
    sub[ExifTags.Base.ISOSpeedRatings] = shot.iso
    if shot.lens:
        sub[ExifTags.Base.LensModel] = shot.lens
    if shot.gps:
        lat, lon = shot.gps
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _dms(lat)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _dms(lon)
    return exif


def save_jpeg(image: Image.Image, path: str | os.PathLike, shot: Shot, quality: int = 82) -> None:
    image.save(path, "JPEG", quality=quality, exif=build_exif(shot))
    stamp = shot.taken_at.timestamp()
    os.utime(path, (stamp, stamp))


# The namespaces the simulated tools declare, by the prefix they use.
NAMESPACES = {
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "crs": "http://ns.adobe.com/camera-raw-settings/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "darktable": "http://darktable.sf.net/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "MicrosoftPhoto": "http://ns.microsoft.com/photo/1.0/",
}
XPACKET = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n', '<?xpacket end="w"?>\n')


def xmp_document(toolkit: str, prefixes: list[str], attributes: dict[str, object], body: str,
                 around: tuple[str, str] = ("", "")) -> str:
    """One rdf:Description laid out as XMP tools write it: the namespaces of ``prefixes``
    declared in that order, then ``attributes`` (qualified name: value), then ``body``, the
    whole between ``around`` (an xpacket wrapper, an XML declaration)."""
    declared = "".join(f'\n    xmlns:{prefix}="{NAMESPACES[prefix]}"' for prefix in prefixes)
    values = "".join(f'\n   {name}="{value}"' for name, value in attributes.items())
    return (f'{around[0]}<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="{toolkit}">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            f'  <rdf:Description rdf:about=""{declared}{values}>{body}\n'
            f"  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n{around[1]}")


def xmp_packet(keywords: list[str]) -> str:
    """An XMP packet as Lightroom writes keywords: hierarchical ones in lr:hierarchicalSubject
    and every level of them, plus flat keywords, in dc:subject."""
    flat: list[str] = []
    hierarchical = [k for k in keywords if "|" in k]
    for keyword in keywords:
        flat += keyword.split("|") if "|" in keyword else [keyword]
    flat = list(dict.fromkeys(flat))

    def bag(items):
        return "".join(f"\n      <rdf:li>{escape(i)}</rdf:li>" for i in items)

    lr = ""
    if hierarchical:
        lr = f"""
   <lr:hierarchicalSubject>
    <rdf:Bag>{bag(hierarchical)}
    </rdf:Bag>
   </lr:hierarchicalSubject>"""
    body = f"""
   <dc:subject>
    <rdf:Bag>{bag(flat)}
    </rdf:Bag>
   </dc:subject>{lr}"""
    return xmp_document("tagassist photosim", ["dc", "lr", "xmp"], {"xmp:Rating": 3}, body, XPACKET)


def write_sidecar(photo_path: str | os.PathLike, keywords: list[str], *, digikam_style: bool = False) -> Path:
    photo_path = Path(photo_path)
    sidecar = Path(f"{photo_path}.xmp") if digikam_style else photo_path.with_suffix(".xmp")
    sidecar.write_text(xmp_packet(keywords), encoding="utf-8")
    return sidecar
