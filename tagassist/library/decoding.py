"""Decoding within limits, for every kind of photo: Pillow's settings, the pixel cap, and the
pixel budget that decoding workers share. Below ``imaging`` (plain image files) and ``raw``
(camera RAW), which both decode through it."""

from __future__ import annotations

import contextlib
import threading
import warnings

from PIL import Image, ImageFile

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

# Pillow's format names that we accept for each family (MPO is multi-picture JPEG).
_PILLOW_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "WEBP", "HEIF", "BMP", "GIF"}


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
