"""SQLite store of the photo library and its tagging history. Never imports Qt."""

from ..records import Assignment, GridRow, Photo, Profile, Rejection, check_tag, normalise_tag
from .database import Database, StoreError
from .profiles import DEFAULT_PROFILE, UnknownProfile
from .store import Store

__all__ = [
    "DEFAULT_PROFILE",
    "Assignment",
    "Database",
    "GridRow",
    "Photo",
    "Profile",
    "Rejection",
    "Store",
    "StoreError",
    "UnknownProfile",
    "check_tag",
    "normalise_tag",
]
