"""Opening photos safely with Pillow: format checks, a pixel cap, orientation, thumbnails."""

from __future__ import annotations

import os
import zlib

from PIL import Image, ImageOps

from . import png_strips
from .decoding import DECODE_BUDGET, HEIF_AVAILABLE, ImageProblem, checked_image
from .raw import open_pixels

IMAGE_SUFFIXES = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG",
    ".png": "PNG",
    ".tif": "TIFF", ".tiff": "TIFF",
    ".webp": "WEBP",
    ".heic": "HEIF", ".heif": "HEIF",
    ".bmp": "BMP",
    ".gif": "GIF",
}  # fmt: skip

# Camera RAW, as Lightroom, darktable and digiKam list it: read by tagassist.library.raw.
RAW_SUFFIXES = frozenset({
    ".3fr", ".arw", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf", ".fff", ".iiq", ".kdc", ".mef",
    ".mos", ".mrw", ".nef", ".nrw", ".orf", ".pef", ".raf", ".rw2", ".rwl", ".sr2", ".srf", ".srw",
    ".x3f",
})  # fmt: skip

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def is_image_name(name: str | bytes) -> bool:
    suffix = os.path.splitext(os.fsdecode(name))[1].lower()
    return suffix in IMAGE_SUFFIXES or suffix in RAW_SUFFIXES


def is_camera_jpeg_name(name: str | bytes) -> bool:
    """The picture a camera writes beside a RAW file (JPEG, or HEIF on newer bodies)."""
    return IMAGE_SUFFIXES.get(os.path.splitext(os.fsdecode(name))[1].lower()) in ("JPEG", "HEIF")


def is_jpeg_name(name: str | bytes) -> bool:
    return IMAGE_SUFFIXES.get(os.path.splitext(os.fsdecode(name))[1].lower()) == "JPEG"


def is_raw_name(name: str | bytes | os.PathLike) -> bool:
    return os.path.splitext(os.fsdecode(os.fspath(name)))[1].lower() in RAW_SUFFIXES


def open_image(path: str | os.PathLike, min_side: int | None = None) -> Image.Image:
    """Open lazily (header only) and check format and size; raises ImageProblem. A camera RAW
    opens as an embedded preview (the smallest with ``min_side`` pixels on its long side, else
    the largest) or as its LibRaw decode."""
    if is_raw_name(path):
        return open_pixels(path, min_side)
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if IMAGE_SUFFIXES.get(suffix) == "HEIF" and not HEIF_AVAILABLE:
        raise ImageProblem("HEIC/HEIF needs the optional package pillow-heif (pip install pillow-heif)")
    try:
        image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageProblem(f"image too large, refused as a decompression bomb ({exc})") from exc
    except (Image.UnidentifiedImageError, SyntaxError) as exc:
        raise ImageProblem("not a readable image (corrupt, or not the format its name says)") from exc
    except (OSError, ValueError, EOFError) as exc:
        raise ImageProblem(f"cannot open image: {exc}") from exc
    return checked_image(image)


def apply_orientation(image: Image.Image, orientation: int | None) -> Image.Image:
    method = _TRANSPOSE.get(orientation or 1)
    return image.transpose(method) if method is not None else image


def decode_rgb(path: str | os.PathLike, orientation: int | None, max_side: int, *, shrink: bool = True) -> Image.Image:
    """Decode to RGB, upright per EXIF orientation, with ``max_side`` pixels on the long side.

    JPEGs decode at 1/2, 1/4 or 1/8 scale when that is enough; other formats are reduced by a
    whole factor right after decoding, the same way (a large PNG strip by strip as it decodes,
    ``png_strips``). With ``shrink=False`` that reduced image is returned as it is, at least
    ``max_side`` long, for a caller that resizes anyway. Raises ImageProblem."""
    image = open_image(path, min_side=max_side)
    try:
        image.draft("RGB", (max_side, max_side))  # a JPEG now decodes at the reduced size
        factor = max(image.size) // max(1, max_side)
        strips = factor >= 2 and png_strips.suits(image, path)
        # in strips, a strip and its copies are what is held, not the whole image
        held = (2 * png_strips.strip_rows(image.size[0], factor) * image.size[0] if strips
                else image.size[0] * image.size[1])
        with DECODE_BUDGET.hold(held):
            with image:  # closes the file
                if strips:
                    reduced = png_strips.decode_reduced(image, path, factor,
                                                        lambda strip: _to_rgb(_reduce(strip, factor)))
                else:
                    reduced = _reduce(image, factor)
                if shrink:
                    reduced.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
                rgb = _to_rgb(reduced)
            if rgb is not image:
                image.close()  # the full-size pixels go back before the budget does
    except Image.DecompressionBombError as exc:
        raise ImageProblem(f"image too large to decode ({exc})") from exc
    except (OSError, ValueError, SyntaxError, EOFError, zlib.error) as exc:
        raise ImageProblem(f"image data cannot be decoded: {exc}") from exc
    return apply_orientation(rgb, orientation)


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """``image`` reduced by ``factor``, the largest whole factor that keeps the size asked for
    on its long side (what a JPEG draft does while decoding, done after decoding for others)."""
    if factor < 2:
        return image
    if image.mode in ("1", "P") or image.mode.startswith("I;16"):  # modes reduce() does not take
        image = _to_rgb(image)
    return image.reduce(factor)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image.copy() if image.readonly else image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return ImageOps.autocontrast(image.convert("I").point(lambda v: v / 256).convert("L")).convert("RGB")
    return image.convert("RGB")
