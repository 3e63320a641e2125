"""Opening photos safely with Pillow: format checks, a pixel cap, orientation, thumbnails."""

from __future__ import annotations

import contextlib
import os
import threading
import warnings

from PIL import Image, ImageFile, ImageOps

# Panoramas reach a few hundred megapixels; beyond this a file is treated as a
# decompression bomb (Pillow itself refuses at twice its own MAX_IMAGE_PIXELS).
MAX_PIXELS = 250_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("ignore", Image.DecompressionBombWarning)
# Pillow warns about odd metadata on stderr; the scanner reports problems per photo instead.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
# A truncated photo is flagged by the scanner; showing the part that exists beats a blank tile.
ImageFile.LOAD_TRUNCATED_IMAGES = True

try:  # optional: HEIC/HEIF support
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the optional extra
    HEIF_AVAILABLE = False

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

# Pillow's format names that we accept for each family (MPO is multi-picture JPEG).
_PILLOW_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "WEBP", "HEIF", "BMP", "GIF"}

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PixelBudget:
    """Pixels that decoding may hold at once, shared by every worker thread of the process.

    A decoder takes its image's pixels from the budget before decoding and gives them back
    after, so four workers never decode four 240-megapixel panoramas at once. An image larger
    than the whole budget waits until it can run alone.
    """

    def __init__(self, pixels: int):
        self.capacity = pixels
        self._free = pixels
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, pixels: int):
        pixels = max(1, min(pixels, self.capacity))
        with self._changed:
            self._changed.wait_for(lambda: self._free >= pixels)
            self._free -= pixels
        try:
            yield
        finally:
            with self._changed:
                self._free += pixels
                self._changed.notify_all()


# 100 MP of RGB is 300 MB: a few 24 MP photos decode side by side, a panorama alone.
DECODE_BUDGET = PixelBudget(100_000_000)


class ImageProblem(ValueError):
    """The file is not a photo we can read; the message is one line for the user."""


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
        from .raw import open_pixels

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


def checked_image(image: Image.Image) -> Image.Image:
    """``image`` if its format and size are ones tagassist decodes; else closed, ImageProblem."""
    if image.format is not None and image.format not in _PILLOW_FORMATS:
        image.close()
        raise ImageProblem(f"unsupported image format {image.format}")
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise ImageProblem(f"invalid image size {width}x{height}")
    if width * height > MAX_PIXELS:
        image.close()
        raise ImageProblem(
            f"image too large: {width * height / 1e6:.0f} megapixels (limit {MAX_PIXELS / 1e6:.0f})"
        )
    return image


def apply_orientation(image: Image.Image, orientation: int | None) -> Image.Image:
    method = _TRANSPOSE.get(orientation or 1)
    return image.transpose(method) if method is not None else image


def decode_rgb(path: str | os.PathLike, orientation: int | None, max_side: int, *, shrink: bool = True) -> Image.Image:
    """Decode to RGB, upright per EXIF orientation, with ``max_side`` pixels on the long side.

    JPEGs decode at 1/2, 1/4 or 1/8 scale when that is enough; other formats are reduced by a
    whole factor right after decoding, the same way. With ``shrink=False`` that reduced image
    is returned as it is, at least ``max_side`` long, for a caller that resizes anyway.
    Raises ImageProblem."""
    image = open_image(path, min_side=max_side)
    try:
        image.draft("RGB", (max_side, max_side))  # a JPEG now decodes at the reduced size
        with DECODE_BUDGET.hold(image.size[0] * image.size[1]):
            with image:  # closes the file
                reduced = _reduce(image, max_side)
                if shrink:
                    reduced.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
                rgb = _to_rgb(reduced)
            if rgb is not image:
                image.close()  # the full-size pixels go back before the budget does
    except Image.DecompressionBombError as exc:
        raise ImageProblem(f"image too large to decode ({exc})") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageProblem(f"image data cannot be decoded: {exc}") from exc
    return apply_orientation(rgb, orientation)


def _reduce(image: Image.Image, max_side: int) -> Image.Image:
    """``image`` reduced by the largest whole factor that keeps ``max_side`` on its long side
    (what a JPEG draft does while decoding, done after decoding for other formats)."""
    factor = max(image.size) // max(1, max_side)
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
