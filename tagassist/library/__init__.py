"""Reading the photo library from disk: scanning, EXIF, keywords, thumbnails. Never imports Qt."""

from .imaging import IMAGE_SUFFIXES, RAW_SUFFIXES, ImageProblem, decode_rgb, open_image
from .scanner import RAW_JPEG_SETTING, ScanProgress, Scanner, ScanSummary, pairs_raw_jpeg
from .thumbnails import ThumbnailCache

__all__ = [
    "IMAGE_SUFFIXES",
    "ImageProblem",
    "RAW_JPEG_SETTING",
    "RAW_SUFFIXES",
    "ScanProgress",
    "ScanSummary",
    "Scanner",
    "ThumbnailCache",
    "decode_rgb",
    "open_image",
    "pairs_raw_jpeg",
]
