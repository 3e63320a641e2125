"""Reading the photo library from disk: scanning, EXIF, keywords, thumbnails. Never imports Qt."""

from .imaging import IMAGE_SUFFIXES, RAW_SUFFIXES, ImageProblem, decode_rgb, open_image
from .scanner import ScanProgress, ScanSummary
from .thumbnails import ThumbnailCache

__all__ = [
    "IMAGE_SUFFIXES",
    "ImageProblem",
    "RAW_SUFFIXES",
    "ScanProgress",
    "ScanSummary",
    "ThumbnailCache",
    "decode_rgb",
    "open_image",
]
