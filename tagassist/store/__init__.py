"""SQLite store of the photo library and its tagging history. Never imports Qt."""

from .database import Database, StoreError
from ..records import Assignment, GridRow, Photo, Profile, Rejection, check_tag, normalise_tag
from .store import DEFAULT_PROFILE, Store, UnknownProfile

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
